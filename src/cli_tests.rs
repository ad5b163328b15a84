//! The command line's shape: what `--help` says of each subcommand must not depend
//! on whether its arguments were built eagerly or on demand; and the connection
//! flags as a profile layer.

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

#[test]
fn flags_become_a_profile_layer_holding_only_what_was_given() {
    use crate::config::profile::Profile;

    use super::{ConnectionArgs, TOKEN_VARIABLE};

    if std::env::var_os(TOKEN_VARIABLE).is_none() {
        let none = ConnectionArgs::default().to_profile().expect("no flags");
        assert_eq!(none, Profile::default());
    }
    let args = ConnectionArgs {
        headers: vec!["X-A: 1".into(), "x-a: 2".into(), "B: ${env:B}".into()],
        token_env: Some("MY_TOKEN".into()),
        token: Some("ignored-when-token-env".into()),
        insecure: true,
        no_reconnect: true,
        ..ConnectionArgs::default()
    };
    let layer = args.to_profile().expect("valid flags");
    let headers: Vec<(&str, &str)> = layer
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    assert_eq!(headers, [("B", "${env:B}"), ("x-a", "2")]);
    assert_eq!(layer.auth.token.as_deref(), Some("${env:MY_TOKEN}"));
    assert_eq!(layer.tls.insecure, Some(true));
    assert_eq!(layer.reconnect.enabled, Some(false));
    assert_eq!(layer.keepalive, Default::default());

    let literal = ConnectionArgs {
        token: Some("a${b".into()),
        ..ConnectionArgs::default()
    };
    let layer = literal.to_profile().expect("valid flags");
    assert_eq!(layer.auth.token.as_deref(), Some("a$${b"));
}
