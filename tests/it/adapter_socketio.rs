//! The Socket.IO adapter against a real Socket.IO v4 server (socketioxide) on
//! loopback: handshake and auth, events, acks with latency, namespaces, refused auth,
//! binary attachments, and the Engine.IO heartbeat answered so the server keeps us.

use crate::common;

use std::time::Duration;

use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use tokio::net::TcpListener;
use wsdeck::protocol::Correlation;
use wsdeck::session::{self, ConnectionState, Direction, Event, FrameKind};

use common::binary::run_wsdeck;
use common::{collect_for, fast_config, wait_for, wait_for_error_of_kind, wait_for_state};

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bad token")
    }
}

fn check_token(Data(auth): Data<Value>) -> Result<(), Refused> {
    if auth.get("token") == Some(&json!("s3cret")) {
        Ok(())
    } else {
        Err(Refused)
    }
}

/// A Socket.IO server: `chat` is echoed back as an event, `add` is acked with the
/// sum, `blob` answers with a binary attachment; `/admin` requires token `s3cret`.
async fn server(ping: Duration) -> String {
    let (layer, io) = SocketIo::builder()
        .ping_interval(ping)
        .ping_timeout(ping)
        .build_layer();
    io.ns("/", async |socket: SocketRef| {
        socket.on(
            "chat",
            async |socket: SocketRef, Data(data): Data<Value>| {
                let _ = socket.emit("chat", &data);
            },
        );
        socket.on(
            "add",
            async |Data((a, b)): Data<(i64, i64)>, ack: AckSender| {
                let _ = ack.send(&(a + b));
            },
        );
        socket.on("blob", async |socket: SocketRef| {
            let _ = socket.emit("blob", &bytes::Bytes::from_static(&[1, 2, 3]));
        });
    });
    io.ns(
        "/admin",
        (async |socket: SocketRef| {
            socket.on("whoami", async |socket: SocketRef, ack: AckSender| {
                let _ = ack.send(&socket.ns().to_string());
            });
        })
        .with(check_token),
    );
    let app = axum::Router::new().layer(layer);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("ws://{address}/socket.io/?EIO=4&transport=websocket")
}

fn socketio_config(url: &str) -> session::SessionConfig {
    let mut config = fast_config(url);
    config.provider = "socket-io".into();
    config
}

fn decoded_label(event: &Event, direction: Direction) -> Option<String> {
    match event {
        Event::Frame(frame) if frame.direction == direction => {
            frame.decoded.as_ref().map(|decoded| decoded.label.clone())
        }
        _ => None,
    }
}

#[tokio::test]
async fn handshake_events_and_acks() {
    let url = server(Duration::from_secs(25)).await;
    let (handle, mut events) = common::connected_session(socketio_config(&url));
    let seen = wait_for_state(&mut events, ConnectionState::Authenticated).await;
    let outgoing: Vec<String> = seen
        .iter()
        .filter_map(|event| decoded_label(event, Direction::Outgoing))
        .collect();
    assert!(
        outgoing.iter().any(|label| label.contains("connect")),
        "the 40 connect packet is sent and decoded: {outgoing:?}"
    );

    handle
        .compose(r#"["chat",{"text":"hi"}]"#)
        .expect("compose");
    let (echo, _) = wait_for(&mut events, "the chat event echoed", |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text().is_some_and(|text| text.contains("\"chat\"")))
    })
    .await;
    let Event::Frame(echo) = echo else {
        unreachable!()
    };
    assert_eq!(echo.text(), Some(r#"42["chat",{"text":"hi"}]"#));
    let decoded = echo.decoded.expect("decoded");
    assert!(decoded.label.contains("event"), "{decoded:?}");
    assert!(decoded.label.contains("chat"), "{decoded:?}");

    handle.shortcut("ack", "add 1 2").expect("shortcut");
    let (ack, _) = wait_for(&mut events, "the ack of add", |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text().is_some_and(|text| text.starts_with("43")))
    })
    .await;
    let Event::Frame(ack) = ack else {
        unreachable!()
    };
    assert!(
        ack.text().is_some_and(|text| text.ends_with("[3]")),
        "{ack:?}"
    );
    let decoded = ack.decoded.expect("decoded ack");
    match decoded.correlation {
        Some(Correlation::Response { ok, latency, .. }) => {
            assert!(ok);
            assert!(latency.is_some(), "the ack is matched to its request");
        }
        other => panic!("the ack is correlated: {other:?}"),
    }
    assert_eq!(decoded.data, Some(json!([3])));
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn namespace_with_accepted_and_refused_auth() {
    let url = server(Duration::from_secs(25)).await;
    let mut config = socketio_config(&url);
    config.namespace = Some("/admin".into());
    config.handshake_payload = Some(json!({"token": "s3cret"}));
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "whoami").expect("shortcut");
    let (ack, _) = wait_for(&mut events, "the namespace's ack", |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text().is_some_and(|text| text.starts_with("43/admin,")))
    })
    .await;
    let Event::Frame(ack) = ack else {
        unreachable!()
    };
    assert!(ack.text().is_some_and(|text| text.contains("/admin")));
    handle.shutdown().expect("shutdown");

    let mut config = socketio_config(&url);
    config.namespace = Some("/admin".into());
    config.handshake_payload = Some(json!({"token": "wrong"}));
    let (handle, mut events) = common::connected_session(config);
    let seen =
        wait_for_error_of_kind(&mut events, "the refused auth", session::ErrorKind::Auth).await;
    let refusal = seen
        .iter()
        .filter_map(|event| decoded_label(event, Direction::Incoming))
        .collect::<Vec<_>>();
    assert!(
        refusal
            .iter()
            .any(|label| label.contains("bad token") || label.contains("error")),
        "the connect error is decoded: {refusal:?}"
    );
    wait_for_state(&mut events, ConnectionState::Error).await;
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn binary_attachments_are_shown_as_attachments() {
    let url = server(Duration::from_secs(25)).await;
    let (handle, mut events) = common::connected_session(socketio_config(&url));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("emit", "blob").expect("emit");
    let (attachment, _) = wait_for(
        &mut events,
        "the binary attachment",
        |event| matches!(event, Event::Frame(frame) if frame.kind == FrameKind::Binary),
    )
    .await;
    let Event::Frame(attachment) = attachment else {
        unreachable!()
    };
    assert_eq!(&attachment.payload[..], &[1, 2, 3]);
    let decoded = attachment.decoded.expect("decoded attachment");
    assert!(decoded.label.contains("attachment"), "{decoded:?}");
    assert!(decoded.label.contains("blob"), "{decoded:?}");
    assert!(decoded.error.is_none(), "{decoded:?}");
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn server_pings_are_answered_so_the_server_keeps_us() {
    let ping = Duration::from_millis(200);
    let url = server(ping).await;
    let (handle, mut events) = common::connected_session(socketio_config(&url));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    // Several ping intervals, well past pingInterval + pingTimeout.
    let seen = collect_for(&mut events, ping * 8).await;
    assert!(
        !seen.iter().any(|event| matches!(event, Event::Closed(_))),
        "the server did not drop us: {seen:?}"
    );
    let pongs = seen
        .iter()
        .filter(|event| {
            matches!(event, Event::Frame(frame) if frame.direction == Direction::Outgoing
            && frame.text() == Some("3")
            && frame.decoded.as_ref().is_some_and(|decoded| decoded.heartbeat))
        })
        .count();
    assert!(
        pongs >= 3,
        "every ping got a pong, shown as heartbeat: {pongs}"
    );
    handle.compose(r#"["chat","still here"]"#).expect("compose");
    wait_for(&mut events, "an echo after the pings", |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text() == Some(r#"42["chat","still here"]"#))
    })
    .await;
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn headless_request_emit_prints_the_ack() {
    let url = server(Duration::from_secs(25)).await;
    let args = [
        "request",
        &url,
        "--provider",
        "socket-io",
        "--emit",
        "add",
        "1",
        "2",
    ];
    let run = run_wsdeck(&args, &[]).await;
    run.assert_success();
    assert_eq!(run.stdout.trim(), "[3]");

    let args = [
        "request",
        &url,
        "--provider",
        "socket-io",
        "--message",
        r#"["chat","hello"]"#,
        "--json",
    ];
    let run = run_wsdeck(&args, &[]).await;
    run.assert_success();
    let envelope: Value = serde_json::from_str(run.stdout.trim()).expect("one JSON envelope");
    assert_eq!(envelope["success"], json!(true), "{envelope}");
}

/// The socket-io preset as shipped (its `/socket.io/?EIO=4&transport=websocket` path)
/// connects to socketioxide and emits.
#[tokio::test]
async fn the_socket_io_preset_connects_and_emits() {
    let url = server(Duration::from_secs(25)).await;
    let address = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .expect("an address")
        .to_string();
    let config = common::preset_config("socket-io", &address, &[]);
    assert!(
        config
            .url
            .as_str()
            .ends_with("/socket.io/?EIO=4&transport=websocket")
    );
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "add 20 22").expect("shortcut");
    wait_for(&mut events, "the ack of add", |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text().is_some_and(|text| text.starts_with("43") && text.ends_with("[42]")))
    })
    .await;
    handle.shutdown().expect("shutdown");
}
