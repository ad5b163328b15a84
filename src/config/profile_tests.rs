use std::time::Duration;

use serde_json::json;

use super::*;

/// A profile with every field set.
pub(crate) fn full_profile() -> Profile {
    Profile {
        name: Some("full".into()),
        description: Some("every field".into()),
        url: Some("wss://example.com/ws?app=${env:APP}".into()),
        provider: Some("home-assistant".into()),
        message_format: Some(MessageFormat::Json),
        origin: Some("https://example.com".into()),
        subprotocols: vec!["v2.json".into(), "v1.json".into()],
        namespace: Some("/admin".into()),
        socket_io_version: Some(2),
        app_key: Some("${env:APP_KEY}".into()),
        rate_limit: Some(5),
        max_message_size: Some(1 << 20),
        queue_limit: Some(50),
        connect_timeout: Some(Duration::from_millis(2500)),
        proxy: Some("http://me:${env:PROXY_PASS}@proxy.corp:3128".into()),
        headers: [
            ("X-Key".to_string(), "${env:KEY}".to_string()),
            ("X-Plain".to_string(), "plain value".to_string()),
        ]
        .into_iter()
        .collect(),
        handshake_payload: Some(json!({"authorization": "Bearer {{token}}", "n": [1, 2]})),
        auth: AuthSettings {
            method: Some(AuthMethod::FirstMessage),
            token: Some("${file:~/.secrets/token}".into()),
            token_param: Some("access_token".into()),
            message_type: Some("auth".into()),
            template: Some(r#"{"type":"{{type}}","access_token":"{{token}}"}"#.into()),
            timeout: Some(Duration::from_secs(3)),
            success: vec![ReplyMatcher {
                field: "type".into(),
                values: vec![json!("auth_ok")],
            }],
            failure: vec![ReplyMatcher {
                field: "ok".into(),
                values: vec![json!(false), json!(0)],
            }],
        },
        keepalive: KeepaliveSettings {
            ping_interval: Some(Duration::from_secs(90)),
            pong_timeout: Some(Duration::from_millis(500)),
        },
        reconnect: ReconnectSettings {
            enabled: Some(false),
            max_attempts: Some(0),
            initial_delay: Some(Duration::from_millis(250)),
            max_delay: Some(Duration::from_secs(60)),
        },
        tls: TlsSettings {
            insecure: Some(true),
            ca_files: vec!["/etc/ca.pem".into()],
            ..TlsSettings::default()
        },
        on_connect: vec![
            OnConnect {
                text: r#"{"type":"subscribe_events","id":{{seq}}}"#.into(),
                format: None,
            },
            OnConnect {
                text: "hello {{uuid}}".into(),
                format: Some(MessageFormat::Text),
            },
            OnConnect {
                text: "de ad be ef".into(),
                format: Some(MessageFormat::Binary),
            },
        ],
        snippets: vec![Snippet {
            name: "states".into(),
            text: r#"{"type":"get_states","at":"{{now_iso}}","home":"{{env.HOME}}"}"#.into(),
            description: Some("all states".into()),
        }],
    }
}

#[test]
fn every_field_round_trips() {
    let profile = full_profile();
    let text = profile.to_toml();
    let again = Profile::parse(&text, "round trip").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, profile, "{text}");
    assert!(text.contains("connect_timeout = \"2s 500ms\""), "{text}");
    assert!(text.contains("max_message_size = \"1MiB\""), "{text}");
    assert!(text.contains("ping_interval = \"1m 30s\""), "{text}");
}

#[test]
fn empty_profile_writes_nothing() {
    assert_eq!(Profile::default().to_toml().trim(), "");
    assert_eq!(Profile::parse("", "empty").unwrap(), Profile::default());
}

#[test]
fn humane_values_accept_numbers_and_strings() {
    let profile = Profile::parse(
        "connect_timeout = 2\nmax_message_size = 1000\n[keepalive]\nping_interval = 1.5\npong_timeout = \"250ms\"\n",
        "t",
    )
    .unwrap();
    assert_eq!(profile.connect_timeout, Some(Duration::from_secs(2)));
    assert_eq!(profile.max_message_size, Some(1000));
    assert_eq!(
        profile.keepalive.ping_interval,
        Some(Duration::from_millis(1500))
    );
    assert_eq!(
        profile.keepalive.pong_timeout,
        Some(Duration::from_millis(250))
    );
    assert!(profile.to_toml().contains("max_message_size = 1000"));
}

#[test]
fn unknown_key_names_key_section_line_and_column() {
    let text = "url = \"ws://h\"\n\n[auth]\nmethod = \"header\"\n  tokn = \"x\"\n";
    let error = Profile::parse(text, "profile 'ha' (/p/ha.toml)").unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(
            "profile 'ha' (/p/ha.toml): unknown key `tokn` in [auth] at line 5, column 3"
        ),
        "{message}"
    );
    assert!(message.contains("known keys: method, token,"), "{message}");
    assert_eq!(error.position(), Some((5, 3)));
    assert!(matches!(&error, ProfileError::Parse { key: Some(key), .. } if key == "tokn"));

    let top = Profile::parse("nme = 1\n", "t").unwrap_err().to_string();
    assert!(
        top.contains("unknown key `nme` at line 1, column 1"),
        "{top}"
    );
    let nested =
        Profile::parse("[[snippets]]\nname = \"a\"\ntext = \"b\"\nbody = 1\n", "t").unwrap_err();
    assert!(
        nested.to_string().contains("in [[snippets]] at line 4"),
        "{nested}"
    );
}

#[test]
fn bad_values_are_reported_where_they_are() {
    let cases = [
        (
            "[keepalive]\nping_interval = \"soon\"\n",
            "not a valid duration",
            (2, 17),
        ),
        ("provider = \"nope\"\n", "unknown provider 'nope'", (1, 12)),
        (
            "max_message_size = \"12 parsecs\"\n",
            "not a valid size",
            (1, 20),
        ),
        (
            "[[snippets]]\nname = \"a\"\ntext = \"{{tokn}}\"\n",
            "'{{tokn}}'",
            (3, 8),
        ),
        (
            "[auth]\ntoken = \"${vault:x}\"\n",
            "not a secret reference",
            (2, 9),
        ),
        (
            "[headers]\n\"Bad Name\" = \"x\"\n",
            "not a valid header name",
            (1, 1),
        ),
        ("message_format = \"yaml\"\n", "yaml", (1, 18)),
    ];
    for (text, expected, (line, column)) in cases {
        let error = Profile::parse(text, "t").unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{text}: {message}");
        let (got_line, got_column) = error.position().unwrap_or_else(|| panic!("{message}"));
        assert_eq!(got_line, line, "{text}: {message}");
        if line > 1 || column > 1 {
            assert_eq!(got_column, column, "{text}: {message}");
        }
    }
}

#[test]
fn payload_templates_and_snippet_names_are_checked() {
    let error = Profile::parse("[handshake_payload]\na = \"{{nope}}\"\n", "t").unwrap_err();
    assert!(error.to_string().contains("handshake_payload.a"), "{error}");
    let twice =
        "[[snippets]]\nname = \"a\"\ntext = \"1\"\n[[snippets]]\nname = \"a\"\ntext = \"2\"\n";
    let error = Profile::parse(twice, "t").unwrap_err();
    assert!(error.to_string().contains("snippets[1].name"), "{error}");
}

#[test]
fn nulls_are_left_out_when_writing() {
    let profile = Profile {
        handshake_payload: Some(json!({"a": null, "b": [1, null], "c": "x"})),
        ..Profile::default()
    };
    let again = Profile::parse(&profile.try_to_toml().unwrap(), "t").unwrap();
    assert_eq!(again.handshake_payload, Some(json!({"b": [1], "c": "x"})));
}

#[test]
fn auth_methods_are_spelled_the_same_in_profiles_and_on_the_command_line() {
    use clap::ValueEnum;
    for method in AuthMethod::value_variants() {
        let name = method.as_str();
        let on_command_line = method.to_possible_value().expect("every method is offered");
        assert_eq!(on_command_line.get_name(), name);
        let text = format!("[auth]\nmethod = \"{name}\"\n");
        let profile = Profile::parse(&text, "test").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(profile.auth.method, Some(*method));
        assert_eq!(profile.to_toml(), text);
    }
}

#[test]
fn literal_secrets_are_found() {
    assert!(full_profile().literal_secrets().is_empty());
    let profile = Profile {
        url: Some("wss://h/?access_token=abc&x=1&token=${env:T}".into()),
        headers: [
            ("Authorization".to_string(), "Bearer abc".to_string()),
            ("X-Other".to_string(), "abc".to_string()),
        ]
        .into_iter()
        .collect(),
        auth: AuthSettings {
            token: Some("abc".into()),
            ..AuthSettings::default()
        },
        proxy: Some("http://me:abc@proxy:3128".into()),
        ..Profile::default()
    };
    assert_eq!(
        profile.literal_secrets(),
        vec![
            "auth.token".to_string(),
            "headers.Authorization".to_string(),
            "proxy (password)".to_string(),
            "url (query parameter access_token)".to_string()
        ]
    );
}

#[test]
fn masked_hides_every_literal_secret_and_keeps_references() {
    let profile = Profile {
        url: Some("wss://h/stream?access_token=abc&x=1&token=${env:T}".into()),
        headers: [
            ("Authorization".to_string(), "Bearer abc".to_string()),
            ("X-Api-Key".to_string(), "${env:KEY}".to_string()),
            ("X-Other".to_string(), "visible".to_string()),
        ]
        .into_iter()
        .collect(),
        auth: AuthSettings {
            token: Some("abc".into()),
            ..AuthSettings::default()
        },
        proxy: Some("socks5://me:abc@proxy:1080".into()),
        ..Profile::default()
    };
    let shown = profile.masked();
    assert_eq!(shown.proxy.as_deref(), Some("socks5://me:***@proxy:1080"));
    let text = shown.to_toml();
    assert!(!text.contains("abc"), "{text}");
    assert_eq!(shown.auth.token.as_deref(), Some("***"));
    assert_eq!(shown.headers["Authorization"], "***");
    assert_eq!(shown.headers["X-Api-Key"], "${env:KEY}");
    assert_eq!(shown.headers["X-Other"], "visible");
    let url = url::Url::parse(shown.url.as_deref().unwrap()).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            ("access_token".to_string(), "***".to_string()),
            ("x".to_string(), "1".to_string()),
            ("token".to_string(), "${env:T}".to_string())
        ]
    );
    assert!(
        full_profile().masked() == full_profile(),
        "nothing literal, nothing changed"
    );
}
