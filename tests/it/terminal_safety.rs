//! What a server sends never reaches the terminal as control sequences, pipes stay
//! byte-exact, and a closed or full stdout ends a command cleanly. Each test runs
//! the real binary against a peer on 127.0.0.1 (the built-in server, or a
//! tokio-tungstenite peer that sends a script and closes with a chosen reason).

use crate::common;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::Duration;

use common::binary::{LIMIT, finish, run_wsdeck, wsdeck};
use common::peer::{messages_then_close, send_then_close, serve_first};
use futures_util::SinkExt;
use tokio::net::TcpListener;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// A close reason that sets the clipboard (OSC 52), the window title (OSC 0), and
/// reverses the rest of the line (U+202E). 68 bytes: fits a close frame.
const EVIL_REASON: &str = "\u{1b}]52;c;aGVsbG8=\u{7}\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}gnp.exe";

/// The same reason as a JSON string, for `{"cmd":"close",…}` to the built-in server.
fn evil_reason_json() -> String {
    serde_json::to_string(EVIL_REASON).unwrap()
}

/// Fails unless `text` is free of ESC, BEL, C1 and bidi characters.
fn assert_no_raw_controls(what: &str, text: &str) {
    for c in [
        '\u{1b}', '\u{7}', '\u{9b}', '\u{85}', '\u{202e}', '\u{2066}',
    ] {
        assert!(!text.contains(c), "{what} holds {c:?} raw: {text:?}");
    }
}

/// Serves one connection: sends `messages`, then closes with `code` and `reason`,
/// or keeps sending `messages` in a loop for a while when `repeat` is set.
async fn peer(messages: Vec<Message>, code: u16, reason: &'static str, repeat: bool) -> String {
    if !repeat {
        return messages_then_close(messages, code, reason).await;
    }
    serve_first(move |mut ws| async move {
        for _ in 0..2000 {
            for message in &messages {
                if ws.send(message.clone()).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        send_then_close(&mut ws, [], code, reason).await;
    })
    .await
}

fn dev_full() -> Stdio {
    Stdio::from(
        File::options()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_send_show_a_hostile_close_reason_escaped() {
    let server = common::echo_server().await;
    let url = server.url();
    let close = format!(
        r#"{{"cmd":"close","code":4000,"reason":{}}}"#,
        evil_reason_json()
    );
    let request = run_wsdeck(&["request", &url, "--message", &close], &[]).await;
    assert_eq!(request.code, 7, "{request:#?}");
    assert_no_raw_controls("request stderr", &request.stderr);
    assert_no_raw_controls("request stdout", &request.stdout);
    assert!(
        request.stderr.contains(r"\x1b]52;c;aGVsbG8=\x07") && request.stderr.contains(r"\u202e"),
        "the reason is shown escaped: {request:#?}"
    );

    let json = run_wsdeck(&["request", &url, "--message", &close, "--json"], &[]).await;
    assert_no_raw_controls("request --json stdout", &json.stdout);
    let envelope: serde_json::Value = serde_json::from_str(json.stdout.trim()).expect("JSON");
    assert_eq!(envelope["error_code"], "CLOSED", "{json:#?}");

    let send = run_wsdeck(&["send", &url, &close, "--wait", "2"], &[]).await;
    assert_ne!(send.code, 0, "{send:#?}");
    assert_no_raw_controls("send stderr", &send.stderr);
    assert_no_raw_controls("send stdout", &send.stdout);
    assert!(send.stderr.contains(r"\x1b]0;pwned\x07"), "{send:#?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_shows_a_hostile_close_reason_escaped() {
    let url = peer(vec![Message::text("hi")], 4000, EVIL_REASON, false).await;
    let output = run_wsdeck(&["listen", &url, "--no-reconnect"], &[]).await;
    assert_eq!(output.code, 7, "{output:#?}");
    assert_eq!(output.stdout, "hi\n");
    assert_no_raw_controls("listen stderr", &output.stderr);
    assert!(output.stderr.contains(r"\u202egnp.exe"), "{output:#?}");
}

/// The payload bytes a terminal would act on, which a pipe must carry unchanged.
const HOSTILE_PAYLOAD: &str = "a\u{1b}]0;title\u{7}b\u{85}c\u{202e}d\re\tf\u{7f}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_into_a_pipe_is_byte_exact() {
    let url = peer(vec![Message::text(HOSTILE_PAYLOAD)], 1000, "", false).await;
    let output = run_wsdeck(&["listen", &url, "--no-reconnect"], &[]).await;
    assert_eq!(output.code, 0, "{output:#?}");
    assert_eq!(output.stdout, format!("{HOSTILE_PAYLOAD}\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_jsonl_escapes_c1_and_bidi_and_stays_equal() {
    let url = peer(vec![Message::text(HOSTILE_PAYLOAD)], 1000, "", false).await;
    let output = run_wsdeck(&["listen", &url, "--no-reconnect", "--jsonl"], &[]).await;
    assert_eq!(output.code, 0, "{output:#?}");
    assert_no_raw_controls("listen --jsonl stdout", &output.stdout);
    assert!(
        output.stdout.contains(r"\u0085") && output.stdout.contains(r"\u202e"),
        "{output:#?}"
    );
    let line: serde_json::Value = serde_json::from_str(output.stdout.trim()).expect("JSON");
    assert_eq!(line["data"], HOSTILE_PAYLOAD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_into_head_1_ends_quietly_with_0() {
    let url = peer(vec![Message::text("tick")], 1000, "", true).await;
    let mut child = wsdeck(&["listen", &url, "--no-reconnect"])
        .spawn()
        .expect("wsdeck starts");
    let stdout = child.stdout.take().expect("stdout");
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("a line");
        line
        // The reader (the pipe's only read end) is dropped here, like `head -1`.
    })
    .await
    .expect("join");
    assert_eq!(first, "tick\n");
    let output = timeout(
        LIMIT,
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("listen ends soon after the pipe closed")
    .expect("join")
    .expect("output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "quiet: {stderr}");
}

/// `| true`: the pipe is closed before the command writes anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_is_not_a_panic() {
    let server = common::echo_server().await;
    let url = server.url();
    let commands: [&[&str]; 5] = [
        &["request", &url, "--message", "hello"],
        &["close-codes"],
        &["profiles", "presets"],
        &["send", &url, "hello", "--wait", "1"],
        &["demo", "--script"],
    ];
    for args in commands {
        let mut child = wsdeck(args).spawn().expect("wsdeck starts");
        drop(child.stdout.take());
        let mut stderr = String::new();
        let mut pipe = child.stderr.take().expect("stderr");
        let status = tokio::task::spawn_blocking(move || {
            let _ = pipe.read_to_string(&mut stderr);
            (child.wait(), stderr)
        });
        let (status, stderr) = timeout(LIMIT, status)
            .await
            .expect("in time")
            .expect("join");
        let status = status.expect("status");
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_a_clear_error_with_exit_1() {
    let server = common::echo_server().await;
    let url = server.url();
    let listen_url = peer(vec![Message::text("tick")], 1000, "", false).await;
    let commands: [&[&str]; 7] = [
        &["listen", &listen_url, "--no-reconnect"],
        &["request", &url, "--message", "hello"],
        &["request", &url, "--message", "hello", "--json"],
        &["send", &url, "hello", "--wait", "1"],
        &["close-codes"],
        &["profiles", "presets"],
        &["demo", "--script"],
    ];
    for args in commands {
        let mut command = wsdeck(args);
        let no_config = std::env::temp_dir().join("wsdeck-ts-none");
        command
            .stdout(dev_full())
            .env("WSDECK_CONFIG_DIR", no_config);
        let run = finish(command).await;
        let stderr = &run.stderr;
        assert_eq!(run.code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to stdout") && stderr.contains("No space left"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    server.shutdown().await;
}

/// A server that refuses the upgrade with an HTTP error whose body would set the
/// window title: the error names the status and shows the body escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_error_body_is_shown_escaped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let body = "denied\u{1b}]0;pwned\u{7}\u{202e}\r\nnext line";
            let response = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    let output = run_wsdeck(&["request", &url, "--message", "hi"], &[]).await;
    assert_ne!(output.code, 0, "{output:#?}");
    assert_no_raw_controls("request stderr", &output.stderr);
    assert!(
        output.stderr.contains(r"denied\x1b]0;pwned\x07\u202e"),
        "{output:#?}"
    );
    assert_eq!(output.stderr.lines().count(), 1, "one line: {output:#?}");
}

/// A profile file's fields are shown escaped by `profiles list` and `show`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_list_and_show_escape_what_the_file_holds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profiles = dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).expect("profiles dir");
    std::fs::write(
        profiles.join("evil.toml"),
        "description = \"x\\u001b]0;pwned\\u0007\\u202e\"\nurl = \"ws://127.0.0.1:9/\\u202e\\u001b[2J\"\n",
    )
    .expect("write the profile");
    let env = [("WSDECK_CONFIG_DIR", dir.path().to_str().expect("UTF-8"))];
    let list = run_wsdeck(&["profiles", "list"], &env).await;
    assert_eq!(list.code, 0, "{list:#?}");
    assert!(list.stdout.contains("evil"), "{list:#?}");
    assert_no_raw_controls("profiles list", &list.stdout);
    let show = run_wsdeck(&["profiles", "show", "evil"], &env).await;
    assert_eq!(show.code, 0, "{show:#?}");
    assert_no_raw_controls("profiles show", &show.stdout);
    assert!(show.stdout.contains("pwned"), "{show:#?}");
}
