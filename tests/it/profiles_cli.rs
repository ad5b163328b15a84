//! Profiles and presets through the real binary: references resolved before the URL
//! is parsed, the command line's token feeding a preset's handshake payload, and
//! `listen --subscribe` printing a GraphQL subscription's payloads until complete.

use crate::common;

use common::binary::run_wsdeck;
use common::transcript::{ScriptedServer, Step};

fn send(text: &str) -> Step {
    Step::Send(text.to_string())
}

fn expect(text: &str) -> Step {
    Step::Expect(text.to_string())
}

/// A profile whose URL takes its host from `${env:…}` connects: the reference is
/// resolved before the URL is checked, and the error for a missing one names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_in_the_url_host_is_resolved_before_parsing() {
    let server = common::echo_server().await;
    let config_dir = tempfile::tempdir().expect("temp dir");
    let profiles = config_dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(
        profiles.join("echo-env.toml"),
        "url = \"ws://${env:WSDECK_TEST_HOST}/\"\n",
    )
    .unwrap();
    let dir = config_dir.path().display().to_string();
    let host = server.url().trim_start_matches("ws://").to_string();
    let request = [
        "request",
        "-p",
        "echo-env",
        "--message",
        r#"{"id":7,"x":1}"#,
    ];

    let output = run_wsdeck(
        &request,
        &[("WSDECK_CONFIG_DIR", &dir), ("WSDECK_TEST_HOST", &host)],
    )
    .await;
    output.assert_success();
    assert!(output.stdout.contains(r#""x":1"#), "{output:#?}");

    let missing = run_wsdeck(&request, &[("WSDECK_CONFIG_DIR", &dir)]).await;
    assert_ne!(missing.code, 0, "{missing:#?}");
    assert!(
        missing.stderr.contains("WSDECK_TEST_HOST"),
        "names the variable: {missing:#?}"
    );
    server.shutdown().await;
}

/// `--preset graphql-ws --token-env NAME` puts the token into connection_init (the
/// preset's `authorization = "Bearer {{token}}"`), with auth left at none; then
/// `listen --subscribe` prints each `next` payload as a JSON line and ends at
/// `complete`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_subscribe_with_a_token_from_the_command_line() {
    let server = ScriptedServer::start(
        vec![
            expect(r#"{"type":"connection_init","payload":{"authorization":"Bearer gql-secret"}}"#),
            send(r#"{"type":"connection_ack"}"#),
            expect(r#"{"type":"subscribe","id":"*","payload":{"query":"subscription { ticks }"}}"#),
            send(r#"{"type":"next","id":"1","payload":{"data":{"ticks":1}}}"#),
            send(r#"{"type":"next","id":"1","payload":{"data":{"ticks":2}}}"#),
            send(r#"{"type":"complete","id":"1"}"#),
        ],
        "/graphql",
    )
    .await;
    let output = run_wsdeck(
        &[
            "listen",
            "--preset",
            "graphql-ws",
            "--token-env",
            "GQL_TOKEN",
            "--subscribe",
            "subscription { ticks }",
            &server.url,
        ],
        &[("GQL_TOKEN", "gql-secret")],
    )
    .await;
    output.assert_success();
    output.assert_secret_absent("gql-secret");
    let lines: Vec<serde_json::Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"data":{"ticks":1}}),
            serde_json::json!({"data":{"ticks":2}})
        ],
        "{output:#?}"
    );
    let replay = server.finished().await;
    assert!(replay.received[0].contains("Bearer gql-secret"));
}

/// A token with `--auth none` and nowhere to carry it is refused before connecting.
#[tokio::test]
async fn a_token_that_would_go_nowhere_is_refused() {
    let output = run_wsdeck(
        &[
            "request",
            "ws://127.0.0.1:9/",
            "--message",
            "hi",
            "--token-env",
            "SOME_TOKEN",
        ],
        &[("SOME_TOKEN", "t-1234567")],
    )
    .await;
    assert_ne!(output.code, 0);
    assert!(output.stderr.contains("--auth is none"), "{output:#?}");
}

/// `profiles edit` is how a broken profile gets fixed: a draft that parses replaces
/// it; a draft that still does not parse leaves the file exactly as it was.
#[tokio::test]
async fn profiles_edit_repairs_a_broken_file_and_keeps_it_when_the_draft_fails() {
    let config_dir = tempfile::tempdir().expect("temp dir");
    let profiles = config_dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    let broken = "url = \"ws://127.0.0.1:9/\"\nprovder = \"raw\"\n";
    let path = profiles.join("feed.toml");
    std::fs::write(&path, broken).unwrap();
    let dir = config_dir.path().display().to_string();

    let unchanged = run_wsdeck(
        &["profiles", "edit", "feed"],
        &[
            ("WSDECK_CONFIG_DIR", &dir),
            ("EDITOR", "true"),
            ("VISUAL", "true"),
        ],
    )
    .await;
    assert_ne!(unchanged.code, 0, "{unchanged:#?}");
    assert!(
        unchanged.stderr.contains("provder"),
        "names the key: {unchanged:#?}"
    );
    assert!(unchanged.stderr.contains("not saved"), "{unchanged:#?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);

    let fixed = config_dir.path().join("fixed.toml");
    std::fs::write(&fixed, "url = \"ws://127.0.0.1:9/\"\nprovider = \"raw\"\n").unwrap();
    let editor = format!("cp '{}'", fixed.display());
    let repaired = run_wsdeck(
        &["profiles", "edit", "feed"],
        &[
            ("WSDECK_CONFIG_DIR", &dir),
            ("EDITOR", &editor),
            ("VISUAL", &editor),
        ],
    )
    .await;
    repaired.assert_success();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("provider = \"raw\"")
    );
    let listed = run_wsdeck(
        &["profiles", "show", "feed"],
        &[("WSDECK_CONFIG_DIR", &dir)],
    )
    .await;
    listed.assert_success();
}
