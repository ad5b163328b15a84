//! `wsdeck man`: the manual page in roff, built from the same definitions as
//! `--help` (clap_mangen): wsdeck's page on stdout, or with `--dir DIR` a page for
//! wsdeck and for every subcommand, written into DIR.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::{Cli, ManArgs};
use crate::commands::output;
use crate::outcome::{Failure, FailureClass};
use crate::terminal_text::one_line;

/// Prints wsdeck's page, or writes every page into `--dir` and lists the files.
pub fn run(args: ManArgs) -> Result<(), Failure> {
    match args.dir {
        None => {
            let mut page = Vec::new();
            Man::new(documented_command())
                .render(&mut page)
                .map_err(|error| internal(&error))?;
            output::print(&String::from_utf8_lossy(&page))
        }
        Some(dir) => {
            let written = write_pages(&dir)?;
            let listing: String = written
                .iter()
                .map(|path| format!("wrote {}\n", one_line(&path.display().to_string())))
                .collect();
            output::print(&listing)
        }
    }
}

/// wsdeck's command, built (deferred subcommands included), without the `help`
/// subcommand: a man page has no use for it.
fn documented_command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Writes `wsdeck.1` and one page per visible subcommand, nested ones included
/// (`wsdeck-profiles-list.1`), into `dir`, creating it. Returns the files written.
fn write_pages(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    std::fs::create_dir_all(dir).map_err(|error| {
        Failure::new(
            FailureClass::InvalidInput,
            format!(
                "--dir {}: cannot create it: {error}",
                one_line(&dir.display().to_string())
            ),
        )
    })?;
    let mut written = Vec::new();
    write_page_and_subpages(documented_command(), dir, &mut written)?;
    Ok(written)
}

/// Writes `command`'s page, then its visible subcommands' pages, into `dir`,
/// adding each file to `written`.
fn write_page_and_subpages(
    command: clap::Command,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), Failure> {
    let subcommands: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|subcommand| !subcommand.is_hide_set())
        .cloned()
        .collect();
    let file = Man::new(command).generate_to(dir).map_err(|error| {
        Failure::new(
            FailureClass::InvalidInput,
            format!(
                "--dir {}: cannot write a page: {error}",
                one_line(&dir.display().to_string())
            ),
        )
    })?;
    written.push(file);
    for subcommand in subcommands {
        write_page_and_subpages(subcommand, dir, written)?;
    }
    Ok(())
}

fn internal(error: &std::io::Error) -> Failure {
    Failure::new(
        FailureClass::Internal,
        format!("cannot render the man page: {error}"),
    )
}
