//! The `wsdeck` binary: parses the command line, opens the TUI or runs a headless
//! command, and turns a failure into one clear line on stderr and its exit code.
//! A shell asking for completions (`COMPLETE=SHELL`) is answered before all that.

use std::process::ExitCode;

use wsdeck::cli::{Cli, CommandLine};
use wsdeck::commands::output::report;
use wsdeck::{commands, debug_log, tui};

fn main() -> ExitCode {
    commands::completions::answer_if_asked();
    let cli = Cli::parse_args();
    // Opened before anything starts, so a bad path is said before the TUI opens;
    // kept to the end of `main`, whose return flushes the lines still waiting.
    let _debug_log = match cli.log_file.as_deref().map(debug_log::start).transpose() {
        Ok(log) => log,
        Err(failure) => {
            report(&failure.message);
            return ExitCode::from(failure.class.exit_code());
        }
    };
    let runtime = match runtime_for(cli.command.as_ref()) {
        Ok(runtime) => runtime,
        Err(error) => {
            report(&format!("cannot start the async runtime: {error}"));
            return ExitCode::from(1);
        }
    };
    if let Some(CommandLine::Open(args)) = &cli.command {
        return open_recording(&runtime, args);
    }
    let opens_tui = match &cli.command {
        None => true,
        Some(CommandLine::Demo(args)) => !args.script && tui::launch::has_terminal(),
        Some(_) => false,
    };
    if opens_tui {
        run_tui(&runtime, cli)
    } else {
        let command = cli.command.expect("only the TUI runs without a subcommand");
        run_headless(&runtime, command)
    }
}

/// The async runtime for `command`. A one-shot command is done in a few
/// milliseconds and spends them starting up: one thread saves starting workers
/// (`request` whole-process time -45 %). `listen` runs on one thread too: its
/// consumer's work per frame is small, and a second thread cost more than it
/// overlapped (waking the other thread per batch, and glibc's allocator locks when
/// one thread frees what the other allocated): with the same code otherwise,
/// 200 000 x 100 B went from 0.51 to 0.68 x the limit and 20 000 x 10 KiB from 0.52
/// to 1.0 x on a quiet machine (docs/PERFORMANCE.md). `completions` and `man` only
/// print text. The TUI and the server keep a second thread.
fn runtime_for(command: Option<&CommandLine>) -> std::io::Result<tokio::runtime::Runtime> {
    let parallel = !matches!(
        command,
        Some(CommandLine::Request(_))
            | Some(CommandLine::Send(_))
            | Some(CommandLine::Listen(_))
            | Some(CommandLine::Completions(_))
            | Some(CommandLine::Man(_))
    );
    let mut builder = if parallel {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build()
}

/// A headless command: its failure is one line on stderr and its exit code.
fn run_headless(runtime: &tokio::runtime::Runtime, command: CommandLine) -> ExitCode {
    match runtime.block_on(commands::run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Messages can carry a server's words (close reasons, HTTP
            // bodies): `report` shows its control characters escaped.
            if !failure.shown {
                report(&failure.message);
            }
            ExitCode::from(failure.class.exit_code())
        }
    }
}

/// `wsdeck open`: the recording is read first (a bad one exits 2 before the
/// terminal is touched), then exported or shown read-only in the TUI.
fn open_recording(runtime: &tokio::runtime::Runtime, args: &wsdeck::cli::OpenArgs) -> ExitCode {
    let opened = match commands::open::prepare(args) {
        Ok(commands::open::OpenOutcome::View(opened)) => *opened,
        Ok(commands::open::OpenOutcome::Exported) => return ExitCode::SUCCESS,
        Err(failure) => {
            report(&failure.message);
            return ExitCode::from(failure.class.exit_code());
        }
    };
    if !tui::launch::has_terminal() {
        report(commands::open::NEEDS_A_TERMINAL);
        return ExitCode::from(2);
    }
    let result = runtime.block_on(tui::view_recording::view(opened));
    tui_exit(result)
}

/// The TUI: the picker, a URL or profile, or the demo.
fn run_tui(runtime: &tokio::runtime::Runtime, cli: Cli) -> ExitCode {
    if !tui::launch::has_terminal() {
        report(tui::launch::NO_TERMINAL);
        return ExitCode::from(2);
    }
    // A broken keys.toml is said before anything starts, with its line and column.
    if let Err(failure) = commands::keys::user_keymap() {
        report(&failure.message);
        return ExitCode::from(failure.class.exit_code());
    }
    let result = match cli.command {
        Some(CommandLine::Demo(args)) => runtime.block_on(tui::launch::demo(!args.no_record)),
        _ => runtime.block_on(async {
            let capacity = usize::try_from(cli.log_capacity).unwrap_or(usize::MAX);
            let named = cli.connection.profile.is_some() || cli.connection.preset.is_some();
            let record = !cli.no_record;
            match &cli.url {
                None if !named => {
                    tui::launch::pick_and_open(&cli.connection, capacity, record).await
                }
                url => tui::launch::open(url.as_deref(), &cli.connection, capacity, record).await,
            }
        }),
    };
    tui_exit(result)
}

/// How a TUI run ends the process. A termination signal left it: the terminal is
/// restored and the session closed; the exit status says which signal, as the
/// shell expects (130: SIGINT). Settings refused before the TUI opened exit as the
/// headless commands do.
fn tui_exit(result: anyhow::Result<()>) -> ExitCode {
    if let Some(signal) = tui::terminal::termination_signal() {
        return ExitCode::from(128u8.saturating_add(u8::try_from(signal).unwrap_or(0)));
    }
    match result {
        Err(error) => {
            report(&format!("{error:#}"));
            let code = error
                .downcast_ref::<wsdeck::outcome::Failure>()
                .map_or(1, |failure| failure.class.exit_code());
            ExitCode::from(code)
        }
        Ok(()) => ExitCode::SUCCESS,
    }
}
