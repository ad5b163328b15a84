//! Shell completion: `wsdeck completions SHELL` prints the script that registers
//! wsdeck with a shell, and [`answer_if_asked`] answers that script when it calls
//! wsdeck back on each Tab (`COMPLETE=SHELL wsdeck -- WORDS…`). Because the
//! answer is worked out then, names saved after the script was installed are
//! offered too (see `cli::completion_candidates`).

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::CompleteEnv;
use clap_complete::env::Shells;

use crate::cli::{Cli, CompletionShell, CompletionsArgs};
use crate::commands::output;
use crate::outcome::{Failure, FailureClass};

/// The environment variable that turns a run of wsdeck into a completion request.
const REQUEST_VARIABLE: &str = "COMPLETE";

/// The command the script completes.
const PROGRAM: &str = "wsdeck";

/// When the shell's script is asking for completions (or for the script itself, as
/// `COMPLETE=bash wsdeck` does), answers on stdout and exits; otherwise returns at
/// once. Call it before anything else is printed.
pub fn answer_if_asked() {
    CompleteEnv::with_factory(Cli::command)
        .var(REQUEST_VARIABLE)
        .bin(PROGRAM)
        .complete();
}

/// Prints the registration script for `args.shell`: the same script
/// `COMPLETE=SHELL wsdeck` prints.
pub fn run(args: CompletionsArgs) -> Result<(), Failure> {
    let name = shell_name(args.shell);
    let shells = Shells::builtins();
    let shell = shells.completer(name).ok_or_else(|| {
        Failure::new(
            FailureClass::Internal,
            format!("clap_complete has no {name} support"),
        )
    })?;
    let mut script = Vec::new();
    shell
        .write_registration(
            REQUEST_VARIABLE,
            PROGRAM,
            PROGRAM,
            &completer().to_string_lossy(),
            &mut script,
        )
        .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
    output::print(&String::from_utf8_lossy(&script))
}

/// clap_complete's name for `shell`.
fn shell_name(shell: CompletionShell) -> &'static str {
    match shell {
        CompletionShell::Bash => "bash",
        CompletionShell::Zsh => "zsh",
        CompletionShell::Fish => "fish",
        CompletionShell::Powershell => "powershell",
    }
}

/// The program the script calls back: wsdeck as it was started, so `wsdeck` (found
/// on PATH) stays `wsdeck` and `./target/debug/wsdeck` becomes an absolute path.
/// `CompleteEnv` picks it the same way.
fn completer() -> PathBuf {
    let started_as = std::env::args_os()
        .next()
        .map_or_else(|| PathBuf::from(PROGRAM), PathBuf::from);
    match std::env::current_dir() {
        Ok(current_dir) if started_as.components().count() > 1 => current_dir.join(started_as),
        _ => started_as,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_has_a_registration_script() {
        for shell in [
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
            CompletionShell::Powershell,
        ] {
            let name = shell_name(shell);
            let shells = Shells::builtins();
            let completer = shells.completer(name).expect(name);
            let mut script = Vec::new();
            completer
                .write_registration(REQUEST_VARIABLE, PROGRAM, PROGRAM, PROGRAM, &mut script)
                .expect("written");
            let script = String::from_utf8(script).expect("UTF-8");
            assert!(script.contains(PROGRAM), "{name}: {script}");
        }
    }
}
