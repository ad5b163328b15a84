use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::config::presets;
use crate::config::profile::tests::full_profile;
use crate::session::auth::AuthMethod;

fn context(vars: &[(&str, &str)]) -> Context {
    let env: BTreeMap<String, String> = vars
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    Context {
        env: Some(env),
        ..Context::default()
    }
}

/// A profile with only a URL, to set fields on.
fn with_url() -> Profile {
    Profile {
        url: Some("ws://placeholder/".into()),
        ..Profile::default()
    }
}

#[test]
fn maps_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-value\n").unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "pem").unwrap();
    let mut profile = full_profile();
    profile.auth.token = Some(format!("${{file:{}}}", token_file.display()));
    profile.tls.ca_files = vec![ca.clone()];
    let ctx = context(&[
        ("APP", "demo"),
        ("KEY", "k3y"),
        ("APP_KEY", "pusher-key"),
        ("HOME", "/home/x"),
        ("PROXY_PASS", "pr0xy-pass"),
    ]);
    let (session, extras) = session_from_profile(&profile, &ctx).unwrap_or_else(|e| panic!("{e}"));
    let proxy = session.proxy.as_ref().expect("the profile's proxy");
    assert_eq!(proxy.masked(), "http://me:***@proxy.corp:3128");
    assert_eq!(
        proxy.credentials.as_ref().map(|c| c.password.expose()),
        Some("pr0xy-pass")
    );
    assert_eq!(session.socket_io_version, Some(2));
    assert_eq!(session.app_key.as_deref(), Some("pusher-key"));

    assert_eq!(session.url.as_str(), "wss://example.com/ws?app=demo");
    assert!(session.headers.contains(&("X-Key".into(), "k3y".into())));
    assert!(
        session
            .headers
            .contains(&("X-Plain".into(), "plain value".into()))
    );
    assert_eq!(session.origin.as_deref(), Some("https://example.com"));
    assert_eq!(session.subprotocols, ["v2.json", "v1.json"]);
    assert_eq!(session.provider, "home-assistant");
    assert_eq!(session.auth.method, AuthMethod::FirstMessage);
    assert_eq!(
        session.auth.token.as_ref().map(|t| t.expose()),
        Some("s3cret-value")
    );
    assert_eq!(session.auth.token_param, "access_token");
    assert_eq!(session.auth.message_type, "auth");
    assert_eq!(
        session.auth.first_message().unwrap(),
        r#"{"type":"auth","access_token":"s3cret-value"}"#
    );
    assert_eq!(session.auth.timeout, Duration::from_secs(3));
    assert_eq!(session.auth.reply_rules.success[0].field, "type");
    assert_eq!(
        session.auth.reply_rules.failure[0].values,
        [json!(false), json!(0)]
    );
    assert_eq!(session.keepalive.ping_interval, Duration::from_secs(90));
    assert_eq!(session.keepalive.pong_timeout, Duration::from_millis(500));
    assert!(!session.reconnect.enabled);
    assert_eq!(session.reconnect.max_attempts, 0);
    assert_eq!(
        session.reconnect.backoff.initial_delay,
        Duration::from_millis(250)
    );
    assert_eq!(session.reconnect.backoff.max_delay, Duration::from_secs(60));
    assert_eq!(session.connect_timeout, Duration::from_millis(2500));
    assert!(session.tls.insecure);
    assert_eq!(session.tls.ca_files, [ca]);
    assert_eq!(session.rate_limit, 5);
    assert_eq!(session.max_message_size, 1 << 20);
    assert_eq!(session.queue_capacity, 50);
    assert_eq!(session.namespace.as_deref(), Some("/admin"));

    let frames: Vec<(&[u8], PayloadKind)> = session
        .on_connect
        .iter()
        .map(|m| (&m.payload[..], m.kind))
        .collect();
    assert_eq!(
        frames[0],
        (
            &br#"{"type":"subscribe_events","id":1}"#[..],
            PayloadKind::Text
        )
    );
    assert!(frames[1].0.starts_with(b"hello ") && frames[1].1 == PayloadKind::Text);
    assert_eq!(
        frames[2],
        (&[0xde, 0xad, 0xbe, 0xef][..], PayloadKind::Binary)
    );

    let payload = json!({"authorization": "Bearer s3cret-value", "n": [1, 2]});
    assert_eq!(session.handshake_payload.as_ref(), Some(&payload));
    assert_eq!(extras.message_format, MessageFormat::Json);
    assert_eq!(extras.snippets, profile.snippets);
}

#[test]
fn missing_env_reference_names_variable_and_field() {
    let profile = presets::find("home-assistant").unwrap().profile().unwrap();
    let error = session_from_profile(&profile, &context(&[])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "environment variable HA_TOKEN is not set (referenced by the profile's auth.token as ${env:HA_TOKEN}); export it or change the profile"
    );
    let header = Profile {
        headers: [("X-Key".to_string(), "${env:NOPE}".to_string())]
            .into_iter()
            .collect(),
        ..with_url()
    };
    let error = session_from_profile(&header, &context(&[])).unwrap_err();
    assert!(
        error.to_string().contains("headers.X-Key as ${env:NOPE}"),
        "{error}"
    );
}

#[test]
fn url_references_resolve_before_parsing_and_errors_do_not_leak() {
    let profile = presets::find("aws-api-gateway").unwrap().profile().unwrap();
    let ctx = context(&[
        ("AWS_API_ID", "abc123"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_STAGE", "dev"),
    ]);
    let (session, _) = session_from_profile(&profile, &ctx).unwrap();
    assert_eq!(
        session.url.as_str(),
        "wss://abc123.execute-api.eu-west-1.amazonaws.com/dev"
    );
    assert_eq!(session.provider, "aws-api-gateway");

    let bad = Profile {
        url: Some("ftp://h/${env:KEY}".into()),
        ..Profile::default()
    };
    let error = session_from_profile(&bad, &context(&[("KEY", "s3cret-value")]))
        .unwrap_err()
        .to_string();
    assert!(
        !error.contains("s3cret-value") && error.contains("${env:KEY}"),
        "{error}"
    );
    assert!(session_from_profile(&Profile::default(), &ctx).is_err());
}

#[test]
fn handshake_token_entries_are_left_out_without_a_token() {
    let profile = presets::find("graphql-ws").unwrap().profile().unwrap();
    let (without, _) = session_from_profile(&profile, &context(&[])).unwrap();
    assert_eq!(without.handshake_payload, None);
    assert_eq!(without.subprotocols, ["graphql-transport-ws"]);

    let ctx = Context {
        token: Some(Secret::new("t\"k")),
        ..context(&[])
    };
    let (with, _) = session_from_profile(&profile, &ctx).unwrap();
    assert_eq!(
        with.handshake_payload,
        Some(json!({"authorization": "Bearer t\"k"}))
    );
}

#[test]
fn on_connect_json_is_checked_after_rendering() {
    let profile = Profile {
        message_format: Some(MessageFormat::Json),
        on_connect: vec![super::super::profile::OnConnect {
            text: "{\"a\": {{now}}".into(),
            format: None,
        }],
        ..with_url()
    };
    let error = session_from_profile(&profile, &context(&[])).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("on_connect[0].text: not valid JSON"),
        "{error}"
    );
}

#[test]
fn on_connect_text_with_variables_keeps_its_template() {
    let on_connect = |text: &str| super::super::profile::OnConnect {
        text: text.into(),
        format: None,
    };
    let profile = Profile {
        message_format: Some(MessageFormat::Json),
        on_connect: vec![on_connect(r#"{"n":{{seq}}}"#), on_connect(r#"{"fixed":1}"#)],
        ..with_url()
    };
    let (config, _) = session_from_profile(&profile, &context(&[])).unwrap();
    let template = config.on_connect[0].template.as_ref().expect("a template");
    assert_eq!(template.text, r#"{"n":{{seq}}}"#);
    assert!(template.json);
    assert_eq!(
        config.on_connect[1].template, None,
        "nothing to render again"
    );
}

#[test]
fn every_preset_applies_with_its_variables_set() {
    let ctx = context(&[
        ("HA_TOKEN", "ha-token-1"),
        ("PUSHER_KEY", "pk"),
        ("ABLY_API_KEY", "app.key:secret"),
        ("AWS_API_ID", "id"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_STAGE", "prod"),
    ]);
    for preset in presets::all() {
        let profile = preset.profile().unwrap();
        let (session, extras) =
            session_from_profile(&profile, &ctx).unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        assert_eq!(session.provider, preset.name);
        session
            .auth
            .validate()
            .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        for snippet in &extras.snippets {
            render_message(&snippet.text, extras.message_format, &ctx)
                .unwrap_or_else(|e| panic!("{} snippet {}: {e}", preset.name, snippet.name));
        }
    }
}

#[test]
fn named_presets_carry_their_provider_settings() {
    let ctx = context(&[
        ("HA_TOKEN", "ha-token-1"),
        ("PUSHER_KEY", "pk"),
        ("ABLY_API_KEY", "k"),
    ]);
    let (ha, _) = session_from_profile(
        &presets::find("home-assistant").unwrap().profile().unwrap(),
        &ctx,
    )
    .unwrap();
    assert_eq!(
        ha.url.as_str(),
        "ws://homeassistant.local:8123/api/websocket"
    );
    assert_eq!(
        ha.auth.first_message().unwrap(),
        r#"{"type":"auth","access_token":"ha-token-1"}"#
    );
    let binance = presets::find("binance").unwrap().profile().unwrap();
    let (session, extras) = session_from_profile(&binance, &ctx).unwrap();
    assert_eq!(session.url.as_str(), "wss://stream.binance.com:9443/ws");
    assert_eq!(session.rate_limit, 5);
    assert_eq!(session.auth.method, AuthMethod::None);
    let subscribe = extras
        .snippets
        .iter()
        .find(|s| s.name.starts_with("SUBSCRIBE"))
        .unwrap();
    let rendered = render_message(&subscribe.text, extras.message_format, &ctx).unwrap();
    let value: Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(value["params"], json!(["btcusdt@trade"]));
    let (mut pusher, _) =
        session_from_profile(&presets::find("pusher").unwrap().profile().unwrap(), &ctx).unwrap();
    assert_eq!(pusher.app_key.as_deref(), Some("pk"));
    pusher.apply_provider_defaults().unwrap();
    assert_eq!(pusher.url.path(), "/app/pk");
    assert!(
        pusher
            .url
            .query()
            .unwrap()
            .starts_with("protocol=7&client=wsdeck")
    );
    let (sio, _) = session_from_profile(
        &presets::find("socket-io").unwrap().profile().unwrap(),
        &ctx,
    )
    .unwrap();
    assert_eq!(sio.url.query(), Some("EIO=4&transport=websocket"));
    assert_eq!(sio.url.path(), "/socket.io/");
    let (apollo, _) = session_from_profile(
        &presets::find("apollo-legacy").unwrap().profile().unwrap(),
        &ctx,
    )
    .unwrap();
    assert_eq!(apollo.subprotocols, ["graphql-ws"]);
    let (echo, _) =
        session_from_profile(&presets::find("echo").unwrap().profile().unwrap(), &ctx).unwrap();
    assert_eq!(echo.url.as_str(), "ws://127.0.0.1:8765/");
}

#[test]
fn tls_section_with_client_certificate_and_pins_parses_and_applies() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("client.pem");
    let key = dir.path().join("client.key");
    std::fs::write(&cert, "pem").unwrap();
    std::fs::write(&key, "pem").unwrap();
    let hex = "00".repeat(31) + "ff";
    let text = format!(
        "url = \"wss://example.com/\"\n[tls]\ncert = \"{}\"\nkey = \"{}\"\npin_sha256 = \"{hex}\"\n",
        cert.display(),
        key.display()
    );
    let profile = Profile::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profile.tls.pin_sha256, [hex]);
    let (session, _) = session_from_profile(&profile, &context(&[])).unwrap();
    assert_eq!(session.tls.client_cert.as_deref(), Some(cert.as_path()));
    assert_eq!(session.tls.client_key.as_deref(), Some(key.as_path()));
    let mut pin = [0u8; 32];
    pin[31] = 0xff;
    assert_eq!(session.tls.pin_sha256, [pin]);

    // A list of pins, base64 this time.
    let list = "url = \"wss://example.com/\"\n[tls]\npin_sha256 = [\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP8=\"]\n";
    let (session, _) =
        session_from_profile(&Profile::parse(list, "list.toml").unwrap(), &context(&[])).unwrap();
    assert_eq!(session.tls.pin_sha256, [pin]);

    // A bad pin is reported while parsing; a cert without its key when applying.
    let bad = "url = \"wss://example.com/\"\n[tls]\npin_sha256 = \"nothex\"\n";
    let error = Profile::parse(bad, "bad.toml").unwrap_err().to_string();
    assert!(error.contains("64 hex digits"), "{error}");
    let lonely = format!(
        "url = \"wss://example.com/\"\n[tls]\ncert = \"{}\"\n",
        cert.display()
    );
    let error = session_from_profile(&Profile::parse(&lonely, "l.toml").unwrap(), &context(&[]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("both cert and key"), "{error}");
}

#[test]
fn the_proxy_comes_from_the_profile_else_the_environment() {
    let env = context(&[
        ("HTTPS_PROXY", "socks5h://envproxy:1080"),
        ("NO_PROXY", "direct.example"),
    ]);
    let at = |url: &str, proxy: Option<&str>| Profile {
        url: Some(url.into()),
        proxy: proxy.map(Into::into),
        ..Profile::default()
    };
    let shown = |profile: Profile| {
        session_from_profile(&profile, &env)
            .unwrap_or_else(|e| panic!("{e}"))
            .0
            .proxy
            .map(|proxy| proxy.described())
    };
    assert_eq!(
        shown(at("wss://example.com/", None)).as_deref(),
        Some("socks5h://envproxy:1080 (from HTTPS_PROXY)")
    );
    assert_eq!(shown(at("ws://example.com/", None)), None, "no HTTP_PROXY");
    assert_eq!(shown(at("wss://direct.example/", None)), None, "NO_PROXY");
    assert_eq!(
        shown(at("wss://example.com/", Some("http://mine:3128"))).as_deref(),
        Some("http://mine:3128"),
        "the profile's wins over the environment"
    );
    assert_eq!(shown(at("wss://example.com/", Some("none"))), None);

    let error = session_from_profile(&at("wss://h/", Some("gopher://u:pw@p:1")), &env)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("proxy") && error.contains("unsupported scheme"),
        "{error}"
    );
    assert!(!error.contains(":pw@"), "{error}");
}
