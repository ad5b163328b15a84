//! The command line's shape: what `--help` says of each subcommand must not depend
//! on whether its arguments were built eagerly or on demand.

use clap::{Command, CommandFactory};

use super::Cli;

/// Builds `command` (running its deferred part), then checks that each subcommand's
/// description, as its parent lists it, is still the same once the subcommand
/// itself is built; returns how many subcommands were checked.
fn check_descriptions(command: &mut Command, path: &str) -> usize {
    let _ = command.render_help();
    let mut checked = 0;
    for sub in command.get_subcommands_mut() {
        let name = format!("{path} {}", sub.get_name());
        let listed = sub.get_about().map(ToString::to_string).unwrap_or_default();
        assert!(!listed.is_empty(), "{name} has a description");
        checked += 1 + check_descriptions(sub, &name);
        let built = sub.get_about().map(ToString::to_string).unwrap_or_default();
        assert_eq!(listed, built, "{name}: listed vs its own --help");
    }
    checked
}

#[test]
fn subcommand_descriptions_survive_deferred_building() {
    let checked = check_descriptions(&mut Cli::command(), "wsdeck");
    assert!(checked > 10, "nested subcommands were reached: {checked}");
}

#[test]
fn the_parser_is_consistent() {
    Cli::command().debug_assert();
}
