//! The `wsdeck` binary: parses the command line, runs the command, and turns a
//! failure into one clear line on stderr and its exit code.

use std::process::ExitCode;

use clap::Parser;
use wsdeck::cli::Cli;
use wsdeck::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        eprintln!(
            "wsdeck: the interactive TUI arrives in the next release; for now use a subcommand (try `wsdeck demo`, or `wsdeck --help`)"
        );
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("wsdeck: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let json_mode = matches!(&command, wsdeck::cli::CommandLine::Request(args) if args.json);
    match runtime.block_on(commands::run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !json_mode && !failure.shown {
                eprintln!("wsdeck: {}", failure.message);
            }
            ExitCode::from(failure.class.exit_code())
        }
    }
}
