//! End-to-end tests of the `wsdeck` binary: every test runs the real executable
//! (stdin closed, bounded wait, killed on timeout) against a server on 127.0.0.1
//! port 0 — the built-in one in-process, `wsdeck serve` itself, or a small scripted
//! tokio-tungstenite peer. Nothing here touches another address or does DNS.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};
use tokio_tungstenite::client_async;
use tokio_tungstenite::tungstenite::Message;
use wsdeck::server::{Server, ServerConfig};

use crate::common::binary::{LIMIT, Reaped, Run, finish, finish_blocking, run_wsdeck, wsdeck};
use crate::common::peer::{Peer, ServerSocket, close_code_recorder, send_then_close, serve_each};
use crate::common::server_with;

/// A token that must never appear in any output.
const SECRET: &str = "wrong-SECRET-123";
/// Environment variable set only in the child, for `--token-env`.
const SECRET_VAR: &str = "WSDECK_CLI_TEST_SECRET_VAR";

/// The built-in server on a free loopback port.
async fn start_server(require_token: Option<&str>) -> Server {
    server_with(ServerConfig {
        require_token: require_token.map(str::to_owned),
        ..ServerConfig::default()
    })
    .await
}

fn assert_rfc3339(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("timestamp is a string: {value}"));
    humantime::parse_rfc3339(text).unwrap_or_else(|error| panic!("{text} is RFC 3339: {error}"));
}

/// Runs `wsdeck request URL --message MESSAGE FLAGS… --json` to its end.
async fn request_json(url: &str, message: &str, flags: &[&str]) -> Run {
    let mut args = vec!["request", url, "--message", message];
    args.extend_from_slice(flags);
    args.push("--json");
    run_wsdeck(&args, &[]).await
}

/// The single JSON object a `--json` run printed.
fn envelope(run: &Run) -> Value {
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 1, "exactly one stdout line: {run:#?}");
    let value: Value = serde_json::from_str(lines[0])
        .unwrap_or_else(|error| panic!("stdout is JSON ({error}): {run:#?}"));
    assert!(value.is_object(), "envelope is an object: {run:#?}");
    value
}

/// Checks a failure envelope and the exit code; returns the envelope.
fn failure_envelope(run: &Run, error_code: &str, exit: i32) -> Value {
    run.assert_code(exit);
    run.assert_no_panic();
    let value = envelope(run);
    assert_eq!(value["success"], false, "{run:#?}");
    assert_eq!(value["error_code"], error_code, "{run:#?}");
    let error = value["error"].as_str().unwrap_or_default();
    assert!(!error.is_empty(), "error message present: {run:#?}");
    assert_rfc3339(&value["timestamp"]);
    let id = value["correlation_id"].as_str().unwrap_or_default();
    assert!(!id.is_empty(), "correlation_id present: {run:#?}");
    // JSON mode reports through the envelope only.
    assert!(
        run.stderr.trim().is_empty(),
        "nothing on stderr in JSON mode: {run:#?}"
    );
    value
}

/// How a scripted peer behaves on each connection.
#[derive(Debug, Clone, Copy)]
enum Script {
    /// On every text message: `{"id":6,…}`, `"noise"`, `{"id":7,…}`.
    WrongNoiseRight,
    /// Sends "hello", then closes with this code and "bye".
    HelloThenClose(u16),
    /// Completes the upgrade, then neither reads nor writes for ten seconds.
    Silent,
}

/// A peer on 127.0.0.1:0 following `script` on every connection.
async fn scripted_peer(script: Script) -> Peer {
    serve_each(move |socket| serve_script(socket, script)).await
}

async fn serve_script(mut ws: ServerSocket, script: Script) {
    match script {
        Script::WrongNoiseRight => {
            while let Some(Ok(message)) = ws.next().await {
                if !message.is_text() {
                    continue;
                }
                for reply in [
                    r#"{"id":6,"wrong":true}"#,
                    "noise",
                    r#"{"id":7,"right":true}"#,
                ] {
                    if ws.send(Message::text(reply)).await.is_err() {
                        return;
                    }
                }
            }
        }
        Script::Silent => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(ws);
        }
        Script::HelloThenClose(code) => {
            send_then_close(&mut ws, [Message::text("hello")], code, "bye").await;
        }
    }
}

/// A tokio-tungstenite client of `addr` (no DNS: the TCP connection is made here).
async fn ws_client(addr: SocketAddr) -> tokio_tungstenite::WebSocketStream<TcpStream> {
    let stream = TcpStream::connect(addr).await.expect("tcp connect");
    let (client, _) = timeout(LIMIT, client_async(format!("ws://{addr}/"), stream))
        .await
        .expect("upgrade in time")
        .expect("upgrade");
    client
}

// 1. `serve` + `request --json` ------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_announces_its_url_and_request_gets_a_json_envelope() {
    let mut serve = wsdeck(&["serve", "--port", "0"]);
    serve.stderr(Stdio::null());
    let mut serve = Reaped(serve.spawn().expect("spawn wsdeck serve"));
    let stdout = serve.0.stdout.take().expect("piped stdout");
    // Lines arrive on a channel so the wait for the first one is bounded.
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines_rx
        .recv_timeout(LIMIT)
        .expect("serve announces its URL within the limit");
    let url = first
        .strip_prefix("listening on ws://127.0.0.1:")
        .map(|port| {
            let port: u16 = port.parse().unwrap_or_else(|_| panic!("port in {first:?}"));
            assert_ne!(port, 0, "the real port is announced");
            format!("ws://127.0.0.1:{port}")
        })
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));

    let request = request_json(&url, r#"{"id":7,"x":1}"#, &[]).await;
    request.assert_code(0);
    request.assert_no_panic();
    let value = envelope(&request);
    assert_eq!(value["success"], true, "{request:#?}");
    assert_eq!(value["data"]["response"], json!({"id":7,"x":1}));
    let shown = value["data"]["url"].as_str().unwrap_or_default();
    assert!(shown.starts_with(&url), "data.url {shown:?} is {url}");
    assert!(value["data"]["rtt_ms"].is_number(), "rtt_ms: {value}");
    assert!(value["data"]["rtt_ms"].as_f64().unwrap_or(-1.0) >= 0.0);
    assert_rfc3339(&value["timestamp"]);
    assert_eq!(value["correlation_id"], "7");

    drop(serve); // kills and reaps it
    let rest: Vec<String> = lines_rx.iter().collect();
    reader.join().expect("reader thread");
    assert!(
        rest.is_empty(),
        "serve printed exactly one stdout line, then {rest:?}"
    );
}

// 2. Correlation by id -----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_waits_for_the_reply_with_its_id() {
    let url = scripted_peer(Script::WrongNoiseRight).await.url;

    let json_run = request_json(&url, r#"{"id":7}"#, &[]).await;
    json_run.assert_code(0);
    let value = envelope(&json_run);
    assert_eq!(
        value["data"]["response"],
        json!({"id":7,"right":true}),
        "{json_run:#?}"
    );
    assert_eq!(value["correlation_id"], "7");

    let plain = run_wsdeck(&["request", &url, "--message", r#"{"id":7}"#], &[]).await;
    plain.assert_code(0);
    assert_eq!(plain.stdout, "{\"id\":7,\"right\":true}\n", "{plain:#?}");
    assert_eq!(plain.stderr, "", "{plain:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_without_an_id_takes_the_first_reply() {
    let url = scripted_peer(Script::WrongNoiseRight).await.url;

    let plain = run_wsdeck(&["request", &url, "--message", "hello"], &[]).await;
    plain.assert_code(0);
    assert_eq!(plain.stdout, "{\"id\":6,\"wrong\":true}\n", "{plain:#?}");

    let json_run = request_json(&url, "hello", &[]).await;
    json_run.assert_code(0);
    let value = envelope(&json_run);
    assert_eq!(value["data"]["response"], json!({"id":6,"wrong":true}));
    // No id in the message: a generated correlation id.
    assert!(
        value["correlation_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{value}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_keeps_a_string_id_as_the_correlation_id() {
    let server = start_server(None).await;
    let url = server.url();
    let run = request_json(&url, r#"{"id":"abc","q":1}"#, &[]).await;
    run.assert_code(0);
    let value = envelope(&run);
    assert_eq!(value["correlation_id"], "abc");
    assert_eq!(value["data"]["response"], json!({"id":"abc","q":1}));
    server.shutdown().await;
}

// 3. Exit codes and envelopes ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_timeout_is_the_whole_time_taken() {
    let url = scripted_peer(Script::Silent).await.url;
    let started = std::time::Instant::now();
    let run = run_wsdeck(
        &["request", &url, "--message", "hi", "--timeout", "1s"],
        &[],
    )
    .await;
    let took = started.elapsed();
    assert_eq!(run.code, 4, "{run:#?}");
    assert!(run.stderr.contains("no response within 1s"), "{run:#?}");
    assert!(
        took < Duration::from_millis(1600),
        "--timeout 1s took {took:?}: the goodbye to a silent peer must not add a second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_token_does_not_break_commands_without_auth() {
    let server = start_server(None).await;
    let url = server.url();
    let mut command = wsdeck(&["request", &url, "--message", "plain"]);
    command.env("WSDECK_TOKEN", "exported-for-another-server");
    let exported = finish(command).await;
    assert_eq!(exported.code, 0, "{exported:#?}");
    assert_eq!(exported.stdout.trim(), "plain");
    // A token given on the command line with nowhere to go is still a mistake.
    let flag = run_wsdeck(
        &["request", &url, "--message", "x", "--token", "given-here"],
        &[],
    )
    .await;
    assert_eq!(flag.code, 2, "{flag:#?}");
    assert!(flag.stderr.contains("--auth is none"), "{flag:#?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_streams_past_the_queue_limit_and_says_what_a_broken_link_left() {
    let server = start_server(None).await;
    let url = server.url();
    let messages: Vec<String> = (0..300).map(|n| format!("m{n}")).collect();
    let mut args = vec!["send", url.as_str(), "--queue-limit", "10", "--wait", "1"];
    args.extend(messages.iter().map(String::as_str));
    let streamed = run_wsdeck(&args, &[]).await;
    assert_eq!(streamed.code, 0, "{streamed:#?}");
    assert_eq!(
        streamed.stdout.lines().count(),
        300,
        "every echo: {streamed:#?}"
    );

    let mut no_queue = vec!["send", url.as_str(), "--queue-limit", "0", "--wait", "1"];
    no_queue.extend(["a", "b", "c"]);
    let one_by_one = run_wsdeck(&no_queue, &[]).await;
    assert_eq!(one_by_one.code, 0, "{one_by_one:#?}");
    assert_eq!(one_by_one.stdout, "a\nb\nc\n");

    // The server drops the link at message 50: what went out after it is unconfirmed.
    let mut dropped = messages.clone();
    dropped[50] = r#"{"cmd":"drop"}"#.to_string();
    let mut args = vec!["send", url.as_str()];
    args.extend(dropped.iter().map(String::as_str));
    let broken = run_wsdeck(&args, &[]).await;
    assert_eq!(broken.code, 7, "{broken:#?}");
    assert!(
        broken.stderr.contains("of 300 messages,") && broken.stderr.contains("confirmed"),
        "{broken:#?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection_is_connection_error() {
    let json_run = request_json("ws://127.0.0.1:1", "x", &[]).await;
    failure_envelope(&json_run, "CONNECTION_ERROR", 3);

    // Without --json: one line on stderr, nothing on stdout.
    let plain = run_wsdeck(&["request", "ws://127.0.0.1:1", "--message", "x"], &[]).await;
    plain.assert_code(3);
    plain.assert_one_line_error();
    assert!(plain.stderr.starts_with("wsdeck: "), "{plain:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_has_an_envelope_in_json_mode() {
    let scheme = request_json("ftp://x", "x", &[]).await;
    let value = failure_envelope(&scheme, "INVALID_INPUT", 2);
    assert!(
        value["error"].as_str().unwrap_or_default().contains("ftp"),
        "{value}"
    );

    let header = run_wsdeck(
        &[
            "request",
            "ws://127.0.0.1:1",
            "--message",
            "x",
            "--json",
            "-H",
            "novalue",
        ],
        &[],
    )
    .await;
    failure_envelope(&header, "INVALID_INPUT", 2);

    // The id of the message is kept even when the input is refused.
    let with_id = request_json("ftp://x", r#"{"id":9}"#, &[]).await;
    let value = failure_envelope(&with_id, "INVALID_INPUT", 2);
    assert_eq!(value["correlation_id"], "9");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_failures_map_to_their_exit_codes() {
    let server = start_server(None).await;
    let url = server.url();
    let stall = request_json(&url, r#"{"cmd":"stall"}"#, &["--timeout", "1"]).await;
    failure_envelope(&stall, "TIMEOUT_ERROR", 4);
    assert!(stall.elapsed >= Duration::from_millis(900), "{stall:#?}");

    let close = request_json(&url, r#"{"cmd":"close","code":1011,"reason":"boom"}"#, &[]).await;
    let value = failure_envelope(&close, "CLOSED", 7);
    let error = value["error"].as_str().unwrap_or_default();
    assert!(error.contains("1011") && error.contains("boom"), "{error}");

    let too_big = request_json(
        &url,
        r#"{"cmd":"flood","count":1,"size":1000}"#,
        &["--max-message-size", "100"],
    )
    .await;
    failure_envelope(&too_big, "PROTOCOL_ERROR", 6);

    // 1008 is an auth refusal whether or not a token was given.
    let policy = request_json(
        &url,
        r#"{"cmd":"close","code":1008,"reason":"who are you"}"#,
        &[],
    )
    .await;
    let value = failure_envelope(&policy, "AUTH_ERROR", 5);
    let error = value["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("1008") && error.contains("who are you") && error.contains("credentials"),
        "{error}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_token_is_auth_error() {
    let server = start_server(Some("right-token")).await;
    let url = server.url();
    let refused = request_json(
        &url,
        r#"{"id":1}"#,
        &["--auth", "header", "--token", "wrong-token"],
    )
    .await;
    failure_envelope(&refused, "AUTH_ERROR", 5);

    // The right token gets through, and the URL shown hides it.
    let accepted = request_json(
        &url,
        r#"{"id":1}"#,
        &["--auth", "query-param", "--token", "right-token"],
    )
    .await;
    accepted.assert_code(0);
    let value = envelope(&accepted);
    assert_eq!(value["data"]["response"], json!({"id":1}));
    let shown = value["data"]["url"].as_str().unwrap_or_default();
    assert!(shown.contains("token=***"), "{shown}");
    server.shutdown().await;
}

#[tokio::test]
async fn help_lists_the_exit_codes() {
    let codes = [
        "2  INVALID_INPUT",
        "3  CONNECTION_ERROR",
        "4  TIMEOUT_ERROR",
        "5  AUTH_ERROR",
        "6  PROTOCOL_ERROR",
        "7  CLOSED",
    ];
    for command in [
        &["request", "--help"][..],
        &["listen", "--help"],
        &["send", "--help"],
        &["--help"],
    ] {
        let help = run_wsdeck(command, &[]).await;
        help.assert_code(0);
        for code in codes {
            assert!(help.stdout.contains(code), "{code} in {help:#?}");
        }
    }
}

// 4. Bad input without --json ------------------------------------------------------

#[tokio::test]
async fn bad_input_is_a_short_message_not_a_panic() {
    let cases: [&[&str]; 8] = [
        &["--auth", "bogus"],
        &["-H", "novalue"],
        &["--cacert", "/nonexistent.pem"],
        &["--pin-sha256", "not-a-hash"],
        &["--cert", "/nonexistent.pem", "--key", "/nonexistent.key"],
        &["--cert", "/nonexistent.pem"],
        &["--auth", "header", "--token-env", "UNSET_VAR_NAME_X"],
        &["--auth", "none", "--token", "t-1234567"],
    ];
    for extra in cases {
        let mut args = vec!["request", "ws://127.0.0.1:1", "--message", "x"];
        args.extend_from_slice(extra);
        let mut command = wsdeck(&args);
        command.env_remove("UNSET_VAR_NAME_X");
        let run = finish(command).await;
        run.assert_code(2);
        run.assert_no_panic();
        assert_eq!(run.stdout, "", "nothing on stdout: {run:#?}");
        let lines = run
            .stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .count();
        assert!(
            (1..=5).contains(&lines),
            "a short message on stderr: {run:#?}"
        );
    }
    // The same checks hold for listen and send.
    for command in ["listen", "send"] {
        let mut args = vec![command, "ws://127.0.0.1:1"];
        if command == "send" {
            args.push("x");
        }
        args.extend_from_slice(&["--cacert", "/nonexistent.pem"]);
        let run = run_wsdeck(&args, &[]).await;
        run.assert_code(2);
        run.assert_one_line_error();
        assert!(run.stderr.contains("--cacert"), "{run:#?}");
    }
}

// 5. Tokens are never printed ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_never_printed() {
    let server = start_server(Some("right-token")).await;
    let url = server.url();
    let ways: [&[&str]; 5] = [
        &["--auth", "query-param", "--token", SECRET],
        &["--auth", "first-message", "--token", SECRET],
        &["--auth", "header", "--token", SECRET],
        &["--auth", "subprotocol", "--token", SECRET],
        &["--auth", "query-param", "--token-env", SECRET_VAR],
    ];
    for way in ways {
        for json_mode in [true, false] {
            let mut args = vec!["request", &url, "--message", r#"{"id":1}"#];
            args.extend_from_slice(way);
            if json_mode {
                args.push("--json");
            }
            let mut command = wsdeck(&args);
            command.env(SECRET_VAR, SECRET);
            let run = finish(command).await;
            run.assert_code(5);
            run.assert_no_panic();
            run.assert_secret_absent(SECRET);
            if json_mode {
                failure_envelope(&run, "AUTH_ERROR", 5);
            } else {
                assert_eq!(run.stdout, "", "{run:#?}");
                assert!(!run.stderr.is_empty(), "the refusal is explained: {run:#?}");
            }
        }
    }
    // The WSDECK_TOKEN variable (clap `env`) is just as secret.
    let mut command = wsdeck(&[
        "request",
        &url,
        "--message",
        "x",
        "--auth",
        "header",
        "--json",
    ]);
    command.env("WSDECK_TOKEN", SECRET);
    let from_env = finish(command).await;
    failure_envelope(&from_env, "AUTH_ERROR", 5);
    from_env.assert_secret_absent(SECRET);

    // listen reports the refusal on stderr, without the token.
    for way in [&ways[0], &ways[1], &ways[2]] {
        for jsonl in [true, false] {
            let mut args = vec!["listen", &url, "--count", "1"];
            args.extend_from_slice(way);
            if jsonl {
                args.push("--jsonl");
            }
            let run = run_wsdeck(&args, &[]).await;
            run.assert_code(5);
            run.assert_no_panic();
            run.assert_secret_absent(SECRET);
            assert_eq!(run.stdout, "", "{run:#?}");
        }
    }
    server.shutdown().await;
}

/// Runs `wsdeck ARGS… --auth first-message --token TOKEN` to its end.
async fn run_with_first_message_token(args: &[&str], token: &str) -> Run {
    let mut args = args.to_vec();
    args.extend(["--auth", "first-message", "--token", token]);
    run_wsdeck(&args, &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_auth_messages_show_stars() {
    // Without require_token the server echoes the authenticate message back.
    let server = start_server(None).await;
    let url = server.url();
    let token = "right-SECRET-456";
    let jsonl =
        run_with_first_message_token(&["listen", &url, "--jsonl", "--count", "1"], token).await;
    jsonl.assert_code(0);
    jsonl.assert_secret_absent(token);
    let lines = jsonl.stdout_lines();
    assert_eq!(lines.len(), 1, "{jsonl:#?}");
    let line: Value = serde_json::from_str(lines[0]).expect("a JSON line");
    let data = line["data"].as_str().unwrap_or_default();
    let echoed: Value = serde_json::from_str(data).expect("the echo is JSON");
    assert_eq!(
        echoed,
        json!({"type":"authenticate","token":"***"}),
        "{jsonl:#?}"
    );

    let plain = run_with_first_message_token(&["listen", &url, "--count", "1"], token).await;
    plain.assert_code(0);
    plain.assert_secret_absent(token);
    assert!(plain.stdout.contains("***"), "{plain:#?}");

    let sent = run_with_first_message_token(
        &[
            "send",
            &url,
            "hello",
            "--wait",
            "0.3",
            // The echo is no verdict; do not wait the default 10 s for one.
            "--auth-timeout",
            "0.3",
        ],
        token,
    )
    .await;
    sent.assert_code(0);
    sent.assert_secret_absent(token);
    assert!(sent.stdout.contains("***"), "{sent:#?}");
    assert!(sent.stdout.contains("hello"), "{sent:#?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_token_with_special_characters_is_hidden_in_the_url() {
    let token = "r1ght SECRET&x=y/?%";
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let server = start_server(Some(token)).await;
    let url = server.url();
    let run = request_json(
        &url,
        r#"{"id":2}"#,
        &["--auth", "query-param", "--token", token],
    )
    .await;
    run.assert_code(0);
    run.assert_secret_absent(token);
    run.assert_secret_absent(&encoded);
    run.assert_secret_absent("SECRET");
    let value = envelope(&run);
    assert!(
        value["data"]["url"]
            .as_str()
            .unwrap_or_default()
            .contains("token=***"),
        "{value}"
    );
    server.shutdown().await;
}

// 6. listen --------------------------------------------------------------------------

/// Runs `listen URL ARGS…` while another client keeps broadcasting `0, 1, 2, …`
/// every 50 ms once the listener is connected.
async fn listen_to_broadcasts(extra: &[&str]) -> Run {
    let server = start_server(None).await;
    let url = server.url();
    let mut args = vec!["listen", &url];
    args.extend_from_slice(extra);
    let listen = tokio::spawn(finish(wsdeck(&args)));

    let waited = Instant::now();
    while server.connection_count() < 1 {
        assert!(waited.elapsed() < LIMIT, "listen never connected");
        sleep(Duration::from_millis(10)).await;
    }
    let mut client = ws_client(server.local_addr()).await;
    let broadcaster = tokio::spawn(async move {
        for n in 0..300u32 {
            let command = json!({"cmd":"broadcast","data":n}).to_string();
            if client.send(Message::text(command)).await.is_err() {
                return;
            }
            sleep(Duration::from_millis(50)).await;
        }
    });
    let run = listen.await.expect("listen task");
    broadcaster.abort();
    server.shutdown().await;
    run
}

/// The broadcast numbers in raw lines; they must be consecutive.
fn broadcast_numbers(texts: &[&str]) -> Vec<u64> {
    let numbers: Vec<u64> = texts
        .iter()
        .map(|text| {
            let value: Value = serde_json::from_str(text).expect("broadcast JSON");
            assert_eq!(value["type"], "broadcast", "{text}");
            value["data"].as_u64().expect("a number")
        })
        .collect();
    for pair in numbers.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "consecutive broadcasts: {numbers:?}");
    }
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_count_stops_after_that_many_lines() {
    let run = listen_to_broadcasts(&["--count", "3"]).await;
    run.assert_code(0);
    run.assert_no_panic();
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 3, "{run:#?}");
    broadcast_numbers(&lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_jsonl_lines_and_stats() {
    let run = listen_to_broadcasts(&["--count", "2", "--jsonl", "--stats"]).await;
    run.assert_code(0);
    run.assert_no_panic();
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 2, "{run:#?}");
    let mut data = Vec::new();
    for line in &lines {
        let value: Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(value["direction"], "in", "{line}");
        assert_eq!(value["kind"], "text", "{line}");
        assert_rfc3339(&value["time"]);
        data.push(value["data"].as_str().expect("text data").to_owned());
    }
    let data: Vec<&str> = data.iter().map(String::as_str).collect();
    broadcast_numbers(&data);
    assert!(
        run.stderr.contains("messages:"),
        "stats on stderr: {run:#?}"
    );
    assert!(run.stderr.contains("received"), "stats on stderr: {run:#?}");
    assert!(
        run.stderr.contains("connections:"),
        "stats on stderr: {run:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_duration_ends_by_itself() {
    let server = start_server(None).await;
    let url = server.url();
    let run = run_wsdeck(&["listen", &url, "--duration", "0.5", "--stats"], &[]).await;
    run.assert_code(0);
    run.assert_no_panic();
    assert_eq!(run.stdout, "", "{run:#?}");
    assert!(run.elapsed >= Duration::from_millis(500), "{run:#?}");
    assert!(run.elapsed < Duration::from_secs(5), "{run:#?}");
    assert!(run.stderr.contains("messages: 0 received"), "{run:#?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_ends_cleanly_on_a_normal_close() {
    let peer = scripted_peer(Script::HelloThenClose(1000)).await;
    let run = run_wsdeck(&["listen", &peer.url], &[]).await;
    run.assert_code(0);
    run.assert_no_panic();
    assert_eq!(run.stdout, "hello\n", "{run:#?}");
    assert_eq!(peer.accepted(), 1, "no reconnect after 1000");
}

// 7. send ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_prints_the_echoes() {
    let server = start_server(None).await;
    let url = server.url();
    let run = run_wsdeck(&["send", &url, "a", "b", "c", "--wait", "0.5"], &[]).await;
    run.assert_code(0);
    run.assert_no_panic();
    assert_eq!(run.stdout, "a\nb\nc\n", "{run:#?}");
    assert!(run.elapsed >= Duration::from_millis(500), "{run:#?}");
    server.shutdown().await;
}

/// `send` reports the server's 1008 "invalid token" close as an auth failure, and a
/// non-1000 close or an unreachable server as failures, without retrying.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_reports_a_refused_token() {
    let server = start_server(Some("right-token")).await;
    let url = server.url();
    let refused = run_wsdeck(
        &[
            "send", &url, "hello", "--wait", "0.5", "--auth", "header", "--token", SECRET,
        ],
        &[],
    )
    .await;
    refused.assert_code(5);
    refused.assert_secret_absent(SECRET);
    let open_server = start_server(None).await;
    let open_url = open_server.url();
    let close_command = r#"{"cmd":"close","code":1011,"reason":"boom"}"#;
    let closed = run_wsdeck(&["send", &open_url, close_command, "--wait", "5"], &[]).await;
    open_server.shutdown().await;
    closed.assert_code(7);
    assert!(
        closed.stderr.contains("1011") && closed.stderr.contains("boom"),
        "{closed:#?}"
    );
    let unreachable = run_wsdeck(&["send", "ws://127.0.0.1:1", "hello"], &[]).await;
    unreachable.assert_code(3);
    assert!(
        unreachable.elapsed < Duration::from_secs(5),
        "no retries: {unreachable:#?}"
    );
    server.shutdown().await;
}

// 8. close-codes and demo --------------------------------------------------------------

#[tokio::test]
async fn close_codes_prints_the_table() {
    let run = run_wsdeck(&["close-codes"], &[]).await;
    run.assert_code(0);
    for code in ["1000", "1006", "1008", "1014", "4000-4999"] {
        assert!(
            run.stdout.lines().any(|line| line.starts_with(code)),
            "a row for {code}: {run:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_to_the_end() {
    let run = run_wsdeck(&["demo"], &[]).await;
    run.assert_code(0);
    run.assert_no_panic();
    assert!(run.stdout.contains("4000"), "{run:#?}");
    assert!(run.stdout.contains("ws://127.0.0.1:"), "{run:#?}");
}

// 9. No subcommand ------------------------------------------------------------------------

#[tokio::test]
async fn no_subcommand_points_to_the_subcommands() {
    let run = run_wsdeck(&[], &[]).await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(run.code >= 0, "exited, not killed: {run:#?}");
    run.assert_no_panic();
    assert_eq!(run.stdout, "", "{run:#?}");
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("terminal"), "{run:#?}");
    assert!(run.stderr.contains("subcommand"), "{run:#?}");
    assert!(run.stderr.contains("--help"), "{run:#?}");
}

// 10. Ctrl-C ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_closes_with_1000_on_ctrl_c() {
    let (url, close_code) = close_code_recorder(vec![Message::text("ready")]).await;
    let mut child = Reaped(wsdeck(&["listen", &url]).spawn().expect("listen starts"));
    let mut stdout = BufReader::new(child.0.stdout.take().expect("stdout piped"));
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        line
    });
    let first_line = timeout(LIMIT, first_line)
        .await
        .expect("a line in time")
        .unwrap();
    assert_eq!(first_line, "ready\n");
    let pid = child.0.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let code = timeout(LIMIT, close_code)
        .await
        .expect("peer saw the close")
        .unwrap();
    assert_eq!(code, Some(1000));
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < LIMIT,
            "listen did not exit after Ctrl-C"
        );
        sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(exit.code(), Some(0));
}

/// A token shorter than 8 characters is refused before connecting, by every command,
/// with an INVALID_INPUT error that says why and does not show it (the TUI: see
/// tests/tui_e2e.rs `a_short_token_is_refused_by_the_tui`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_token_is_refused_before_connecting() {
    let server = start_server(None).await;
    let url = server.url();
    let short = "t-123";
    let commands: [&[&str]; 3] = [
        &["request", &url, "--message", "x"],
        &["listen", &url, "--count", "1"],
        &["send", &url, "x"],
    ];
    for command in commands {
        for token in [
            &["--auth", "header", "--token", short][..],
            &["--auth", "query-param", "--token-env", SECRET_VAR],
        ] {
            let mut args = command.to_vec();
            args.extend_from_slice(token);
            let mut child = wsdeck(&args);
            child.env(SECRET_VAR, short);
            let run = finish(child).await;
            run.assert_code(2);
            run.assert_no_panic();
            run.assert_secret_absent(short);
            assert!(
                run.stderr
                    .contains("the token is 5 characters; wsdeck refuses tokens shorter than 8"),
                "{run:#?}"
            );
            assert!(run.stderr.contains("use the real token"), "{run:#?}");
        }
    }
    let json = request_json(&url, "x", &["--auth", "header", "--token", short]).await;
    let value = failure_envelope(&json, "INVALID_INPUT", 2);
    assert!(
        value["error"]
            .as_str()
            .is_some_and(|error| error.contains("shorter than 8")),
        "{json:#?}"
    );
    json.assert_secret_absent(short);
    server.shutdown().await;
}

#[test]
fn keys_prints_the_keymap_and_a_broken_keys_toml_names_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().to_str().expect("utf-8 path");

    let mut command = wsdeck(&["keys"]);
    command.env("WSDECK_CONFIG_DIR", config);
    let defaults = finish_blocking(command);
    defaults.assert_code(0);
    assert!(defaults.stdout.contains("q "), "{defaults:#?}");
    assert!(defaults.stdout.contains("(confirm-quit)"), "{defaults:#?}");

    std::fs::write(
        dir.path().join("keys.toml"),
        "[log]\nquit = \"ctrl-q\"\n\n[composer]\nsend = \"ctrl-s\"\n",
    )
    .expect("keys.toml written");
    let mut command = wsdeck(&["keys", "--markdown"]);
    command.env("WSDECK_CONFIG_DIR", config);
    let rebound = finish_blocking(command);
    rebound.assert_code(0);
    assert!(rebound.stdout.contains("| Ctrl-Q | quit;"), "{rebound:#?}");
    assert!(rebound.stdout.contains("| Ctrl-S | send"), "{rebound:#?}");

    let mut command = wsdeck(&["keys", "--path"]);
    command.env("WSDECK_CONFIG_DIR", config);
    let path = finish_blocking(command);
    assert_eq!(
        path.stdout.trim(),
        dir.path().join("keys.toml").display().to_string()
    );

    std::fs::write(
        dir.path().join("keys.toml"),
        "[log]\n\nquit = \"ctrl-qq\"\n",
    )
    .expect("keys.toml written");
    let mut command = wsdeck(&["keys"]);
    command.env("WSDECK_CONFIG_DIR", config);
    let broken = finish_blocking(command);
    broken.assert_code(2);
    broken.assert_one_line_error();
    assert!(
        broken.stderr.contains("keys.toml:3:8: unknown key 'qq'"),
        "{broken:#?}"
    );
}

#[test]
fn the_tuis_flags_before_a_subcommand_are_refused_with_where_they_go() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["--token", "abc", "request", "ws://127.0.0.1:9", "-m", "hi"],
            "--token must come after the subcommand: wsdeck request --token",
        ),
        (
            &["ws://127.0.0.1:9", "listen"],
            "URL must come after the subcommand: wsdeck listen URL",
        ),
        (
            &["--log-capacity", "5", "listen", "ws://127.0.0.1:9"],
            "--log-capacity is for the TUI",
        ),
    ];
    for (args, expected) in cases {
        let run = finish_blocking(wsdeck(args));
        run.assert_code(2).assert_no_panic();
        assert!(run.stderr.contains(expected), "{expected}: {run:#?}");
    }
}

#[test]
fn a_message_written_without_m_gets_a_tip() {
    let run = finish_blocking(wsdeck(&["request", "ws://127.0.0.1:9", r#"{"a":1}"#]));
    run.assert_code(2).assert_no_panic();
    assert!(
        run.stderr
            .contains(r#"tip: the message goes after -m: -m '{"a":1}'"#),
        "{run:#?}"
    );
}
