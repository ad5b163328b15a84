//! `wsdeck serve --script FILE` as a real process on 127.0.0.1, played to wsdeck
//! itself (`send`) and to an independent client (tokio-tungstenite): the recorded
//! replies byte for byte, the recorded subprotocol and close code, JSON-subset
//! matching, a mismatch closed with 1008 and named by its script line, and a
//! `listen --jsonl` file played as it is.

use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::common::WAIT;
use crate::common::binary::{finish, wsdeck};
use crate::common::recorded::{Recorded, ScriptServer};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

const REPLY: &str = "{\"ok\":true,\"name\":\"Zoë ✓ 🌍\",\"esc\":\"\\u001b[31m\"}";
const BLOB: &[u8] = &[0xde, 0xad, 0x00, 0xbe, 0xef];

/// Recorded: the client subscribes, the server answers with text and a binary
/// frame, then closes with 4001 "bye".
fn subscription() -> Recorded {
    Recorded::new()
        .out_text(
            0,
            r#"{"op":"sub","channel":"prices","args":[1,{"depth":5}]}"#,
        )
        .in_text(5, REPLY)
        .in_binary(10, BLOB)
        .closed_by_server(20, 4001, "bye")
}

async fn connect(url: &str, subprotocol: Option<&str>) -> (Client, Option<String>) {
    let mut request = url.into_client_request().expect("request");
    if let Some(protocol) = subprotocol {
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocol).expect("header"),
        );
    }
    let (client, response) = timeout(WAIT, connect_async(request))
        .await
        .expect("connect in time")
        .expect("connect");
    let selected = response
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (client, selected)
}

/// The subscription script's replies (a text, then a binary frame) reach the
/// client, then its close with 4001.
async fn assert_played_as_recorded(client: &mut Client) {
    let (messages, close) = until_close(client).await;
    assert_eq!(
        messages,
        [
            Message::text(REPLY),
            Message::Binary(Bytes::from_static(BLOB))
        ]
    );
    assert_eq!(close.map(|frame| u16::from(frame.code)), Some(4001));
}

/// Every message until the server's close frame, and that frame.
async fn until_close(client: &mut Client) -> (Vec<Message>, Option<CloseFrame>) {
    let mut messages = Vec::new();
    loop {
        let message = timeout(WAIT, client.next())
            .await
            .expect("a message in time")
            .expect("open until the close")
            .expect("no protocol error");
        match message {
            Message::Close(frame) => return (messages, frame),
            other => messages.push(other),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wsdeck_send_gets_the_recorded_replies_and_close_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ScriptServer::start(&subscription().write(dir.path(), "sub.jsonl"), &[]);
    let run = finish({
        let mut command = wsdeck(&["send", &server.url]);
        command.args([
            r#"{"op":"sub","channel":"prices","args":[1,{"depth":5}]}"#,
            "--wait",
            "3s",
        ]);
        command
    })
    .await;
    // `send` counts any close but 1000 as the server ending it early.
    run.assert_code(7);
    assert_eq!(
        run.stdout,
        format!(
            "{REPLY}\n{}\n",
            base64::engine::general_purpose::STANDARD.encode(BLOB)
        ),
        "{run:#?}"
    );
    assert!(run.stderr.contains("4001"), "{run:#?}");
    let log = server.stderr_with("client 1: step 4/4");
    assert!(log.contains("client 1: step 1/4 (line 2) matched"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_client_gets_replies_subprotocol_and_close_as_recorded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut recorded = Recorded::new().out_text(0, "hello");
    recorded = recorded.in_text(1, REPLY);
    let file = recorded
        .closed_by_server(2, 4001, "bye")
        .write(dir.path(), "plain.jsonl");
    // A recording with a handshake: the recorded subprotocol is selected.
    let text = std::fs::read_to_string(&file).expect("read");
    let (header, rest) = text.split_once('\n').expect("lines");
    let handshake = r#"{"type":"handshake","time":"2026-01-01T00:00:00.000Z","url":"ws://x","status":101,"subprotocol":"v2.feed"}"#;
    std::fs::write(&file, format!("{header}\n{handshake}\n{rest}")).expect("write");
    let server = ScriptServer::start(&file, &["--speed", "0"]);

    // Each client plays the script from the start.
    for _ in 0..2 {
        let (mut client, selected) = connect(&server.url, Some("other, v2.feed")).await;
        assert_eq!(selected.as_deref(), Some("v2.feed"));
        client.send(Message::text("hello")).await.expect("send");
        let (messages, close) = until_close(&mut client).await;
        assert_eq!(messages, [Message::text(REPLY)]);
        let close = close.expect("a close frame");
        assert_eq!(
            (u16::from(close.code), close.reason.as_str()),
            (4001, "bye")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_subset_matches_extra_fields_and_a_different_value_is_closed_1008() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ScriptServer::start(&subscription().write(dir.path(), "sub.jsonl"), &[]);

    let (mut client, _) = connect(&server.url, None).await;
    let with_extras = r#"{"id":"c0ffee","op":"sub","ts":1733300000,"channel":"prices","args":[1,{"depth":5,"x":0}]}"#;
    client.send(Message::text(with_extras)).await.expect("send");
    assert_played_as_recorded(&mut client).await;

    let (mut client, _) = connect(&server.url, None).await;
    let different = "{\"op\":\"sub\",\"channel\":\"trades\u{1b}[2J\",\"args\":[1,{\"depth\":5}]}";
    client.send(Message::text(different)).await.expect("send");
    let (messages, close) = until_close(&mut client).await;
    assert!(messages.is_empty(), "{messages:?}");
    let close = close.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
    assert_eq!(close.reason.as_str(), "script mismatch at line 2");
    let log = server.stderr_with("MISMATCH");
    let line = log
        .lines()
        .find(|line| line.contains("MISMATCH"))
        .expect("the line");
    assert!(
        line.starts_with("client 2: step 1/4 (line 2) MISMATCH")
            && line.contains(r#""channel":"prices""#)
            && line.contains("trades"),
        "{line}"
    );
    assert!(!log.contains('\u{1b}'), "escaped: {log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_mismatch_wait_ignores_a_wrong_message_until_the_right_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ScriptServer::start(
        &subscription().write(dir.path(), "sub.jsonl"),
        &["--on-mismatch", "wait"],
    );
    let (mut client, _) = connect(&server.url, None).await;
    client.send(Message::text("noise")).await.expect("send");
    client
        .send(Message::text(
            r#"{"op":"sub","channel":"prices","args":[1,{"depth":5}]}"#,
        ))
        .await
        .expect("send");
    let (messages, close) = until_close(&mut client).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(close.map(|frame| u16::from(frame.code)), Some(4001));
    server.stderr_with("MISMATCH");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_mismatch_skip_goes_on_as_if_it_matched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ScriptServer::start(
        &subscription().write(dir.path(), "sub.jsonl"),
        &["--on-mismatch", "skip"],
    );
    let (mut client, _) = connect(&server.url, None).await;
    client
        .send(Message::text("something else"))
        .await
        .expect("send");
    assert_played_as_recorded(&mut client).await;
    server.stderr_with("MISMATCH");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_file_is_played_with_its_gaps_and_the_connection_stays_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("listen.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"direction":"in","time":"2026-12-04T10:00:00.000Z","kind":"text","data":"tick 1"}"#,
            "\n",
            r#"{"direction":"in","time":"2026-12-04T10:00:00.250Z","kind":"text","data":"tick 2"}"#,
            "\n",
        ),
    )
    .expect("write");
    let server = ScriptServer::start(&path, &[]);
    let (mut client, _) = connect(&server.url, None).await;
    let mut arrived = Vec::new();
    for _ in 0..2 {
        let message = timeout(WAIT, client.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("ok");
        arrived.push((Instant::now(), message));
    }
    assert_eq!(arrived[0].1, Message::text("tick 1"));
    assert_eq!(arrived[1].1, Message::text("tick 2"));
    let gap = arrived[1].0 - arrived[0].0;
    assert!(gap >= Duration::from_millis(200), "{gap:?}");
    // The script is over; the connection stays open and answers pings.
    client
        .send(Message::Ping(Bytes::from_static(b"still?")))
        .await
        .expect("ping");
    let pong = timeout(WAIT, client.next())
        .await
        .expect("in time")
        .expect("open")
        .expect("ok");
    assert_eq!(pong, Message::Pong(Bytes::from_static(b"still?")));
    client.close(None).await.expect("close");
    server.stderr_with("closed by client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_with_nothing_to_play_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = Recorded::new().write(dir.path(), "empty.jsonl");
    let run = finish({
        let mut command = wsdeck(&["serve", "--port", "0", "--script"]);
        command.arg(&file);
        command
    })
    .await;
    run.assert_code(2).assert_one_line_error();
    assert!(
        run.stderr.contains("nothing") || run.stderr.contains("no text"),
        "{run:#?}"
    );
}
