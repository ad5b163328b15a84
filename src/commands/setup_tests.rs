//! The layering as the commands see it: flags over a profile as one more layer,
//! and what `:save-profile` keeps makes the same session.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::config::profile::TlsSettings;

const URL: &str = "ws://127.0.0.1:1/";

fn profile_at(url: &str) -> Profile {
    Profile {
        url: Some(url.into()),
        ..Profile::default()
    }
}

fn resolved(profile: Profile, url: Option<&str>, args: &ConnectionArgs) -> Resolved {
    resolve_profile(profile, None, url, args).unwrap_or_else(|failure| panic!("{failure}"))
}

fn refusal(profile: Profile, url: Option<&str>, args: &ConnectionArgs) -> String {
    match resolve_profile(profile, None, url, args) {
        Ok(resolved) => panic!("refused, not {:?}", resolved.session),
        Err(failure) => failure.to_string(),
    }
}

#[test]
fn the_command_line_url_and_its_notice_replace_the_profile_s() {
    let args = ConnectionArgs::default();
    let plain = resolved(profile_at("http://profile.example/"), Some(URL), &args);
    assert_eq!(plain.session.url.as_str(), URL);
    assert!(
        plain.session.notices.is_empty(),
        "{:?}",
        plain.session.notices
    );
    assert_eq!(plain.profile.url.as_deref(), Some(URL));

    let https = resolved(profile_at(URL), Some("https://127.0.0.1:1/"), &args);
    assert_eq!(https.session.url.scheme(), "wss");
    assert_eq!(https.session.notices.len(), 1);
    assert!(https.session.notices[0].starts_with("https:// means wss://"));

    let from_profile = resolved(profile_at("http://127.0.0.1:1/"), None, &args);
    assert_eq!(from_profile.session.url.scheme(), "ws");
    assert!(from_profile.session.notices[0].starts_with("http:// means ws://"));

    let missing = refusal(Profile::default(), None, &args);
    assert!(missing.starts_with("no URL"), "{missing}");
}

#[test]
fn flags_are_the_top_layer_and_the_saved_profile_makes_the_same_session() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = |name: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, "pem").expect("written");
        path
    };
    let (profile_ca, flag_ca) = (ca("profile.pem"), ca("flag.pem"));
    let mut profile = profile_at(URL);
    profile.headers = [("X-Key", "profile"), ("X-Plain", "kept")]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    profile.tls = TlsSettings {
        ca_files: vec![profile_ca.clone()],
        ..TlsSettings::default()
    };
    profile.keepalive.ping_interval = Some(Duration::from_secs(90));
    profile.reconnect.max_attempts = Some(3);
    let args = ConnectionArgs {
        headers: vec![
            "x-key: flag".into(),
            "X-New: one".into(),
            "x-new: two".into(),
        ],
        cacert: vec![flag_ca.clone()],
        ping_interval: Some(Duration::from_secs(5)),
        no_reconnect: true,
        ..ConnectionArgs::default()
    };
    let resolved = resolved(profile, None, &args);
    let session = &resolved.session;
    let mut headers = session.headers.clone();
    headers.sort();
    let expected: Vec<(String, String)> =
        [("X-Plain", "kept"), ("x-key", "flag"), ("x-new", "two")]
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
    assert_eq!(
        headers, expected,
        "a flag's header replaces one of any case"
    );
    assert_eq!(
        session.tls.ca_files,
        [profile_ca, flag_ca],
        "--cacert adds to the profile's"
    );
    assert_eq!(session.keepalive.ping_interval, Duration::from_secs(5));
    assert!(!session.reconnect.enabled);
    assert_eq!(session.reconnect.max_attempts, 3);

    let (again, _) =
        session_from_profile(&resolved.profile, &template::Context::default()).expect("resolves");
    assert_eq!(format!("{again:?}"), format!("{session:?}"));
    assert_eq!(resolved.profile.name, None);
}

#[test]
fn the_command_line_token_feeds_the_profile_s_templates() {
    let preset = preset_layer("graphql-ws").expect("a preset");
    let args = ConnectionArgs {
        token: Some("flag-token-123".into()),
        ..ConnectionArgs::default()
    };
    let resolved = resolved(preset, Some(URL), &args);
    let session = &resolved.session;
    assert_eq!(
        session.handshake_payload,
        Some(json!({"authorization": "Bearer flag-token-123"}))
    );
    assert_eq!(
        session.auth.token.as_ref().map(|token| token.expose()),
        Some("flag-token-123")
    );
    assert_eq!(
        resolved.profile.auth.token.as_deref(),
        Some("flag-token-123")
    );
}

#[test]
fn a_literal_token_is_never_read_as_a_reference() {
    let args = ConnectionArgs {
        auth: Some(AuthMethod::Header),
        token: Some("abc${env:HOME}xyz".into()),
        ..ConnectionArgs::default()
    };
    let resolved = resolved(Profile::default(), Some(URL), &args);
    assert_eq!(
        resolved
            .session
            .auth
            .token
            .as_ref()
            .map(|token| token.expose()),
        Some("abc${env:HOME}xyz")
    );
    assert_eq!(
        resolved.profile.auth.token.as_deref(),
        Some("abc$${env:HOME}xyz")
    );
}

#[test]
fn a_flag_token_replaces_the_profile_s_reference_unread() {
    let mut profile = profile_at(URL);
    profile.auth.method = Some(AuthMethod::Header);
    profile.auth.token = Some("${env:WSDECK_TEST_SURELY_UNSET_17}".into());
    let given = ConnectionArgs {
        token: Some("given-token-1".into()),
        ..ConnectionArgs::default()
    };
    let resolved = resolved(profile.clone(), None, &given);
    assert_eq!(
        resolved
            .session
            .auth
            .token
            .as_ref()
            .map(|token| token.expose()),
        Some("given-token-1")
    );
    let unset = refusal(profile, None, &ConnectionArgs::default());
    assert!(unset.contains("WSDECK_TEST_SURELY_UNSET_17"), "{unset}");
}

#[test]
fn problems_with_flags_name_the_flag() {
    let with = |args: ConnectionArgs| refusal(Profile::default(), Some(URL), &args);
    let missing = with(ConnectionArgs {
        cacert: vec!["/nonexistent.pem".into()],
        ..ConnectionArgs::default()
    });
    assert!(
        missing.starts_with("--cacert /nonexistent.pem"),
        "{missing}"
    );
    let provider = with(ConnectionArgs {
        provider: Some("bogus".into()),
        ..ConnectionArgs::default()
    });
    assert!(
        provider.starts_with("unknown provider 'bogus'; known providers:"),
        "{provider}"
    );
    let template = with(ConnectionArgs {
        auth_template: Some("{{nope}}".into()),
        ..ConnectionArgs::default()
    });
    assert!(template.starts_with("--auth-template:"), "{template}");
    let pin = with(ConnectionArgs {
        pin_sha256: vec!["not-a-hash".into()],
        ..ConnectionArgs::default()
    });
    assert!(pin.starts_with("--pin-sha256:"), "{pin}");
    let header = with(ConnectionArgs {
        headers: vec!["novalue".into()],
        ..ConnectionArgs::default()
    });
    assert!(header.contains("novalue"), "{header}");
}
