//! End-to-end tests of the built-in server (`wsdeck::server`) over real sockets
//! on 127.0.0.1, driven by tokio-tungstenite's own client.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use wsdeck::server::{Server, ServerConfig};

use crate::common::server_with;

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Upper bound for any single wait in these tests.
const WAIT: Duration = Duration::from_secs(5);

fn config() -> ServerConfig {
    ServerConfig {
        port: 0,
        ..ServerConfig::default()
    }
}

async fn connect(url: &str) -> Client {
    let (client, _) = timeout(WAIT, connect_async(url))
        .await
        .expect("connect in time")
        .expect("connect");
    client
}

/// The next message, whatever it is.
async fn next(client: &mut Client) -> Message {
    timeout(WAIT, client.next())
        .await
        .expect("a message in time")
        .expect("stream still open")
        .expect("no protocol error")
}

async fn next_json(client: &mut Client) -> Value {
    match next(client).await {
        Message::Text(text) => serde_json::from_str(&text).expect("json text"),
        other => panic!("expected JSON text, got {other:?}"),
    }
}

async fn send_text(client: &mut Client, text: &str) {
    client.send(Message::text(text)).await.expect("send");
}

async fn expect_close(client: &mut Client) -> CloseFrame {
    loop {
        match next(client).await {
            Message::Close(Some(frame)) => return frame,
            Message::Close(None) => panic!("close frame without a code"),
            _ => {}
        }
    }
}

/// Waits for the server's close frame, then lets the client finish the close
/// handshake (its reply goes out on the next read) until the server hangs up.
async fn closed_by_server(mut client: Client) -> CloseFrame {
    let frame = expect_close(&mut client).await;
    expect_end_without_close(&mut client).await;
    frame
}

async fn assert_echo(client: &mut Client) {
    send_text(client, "still there?").await;
    loop {
        match next(client).await {
            Message::Ping(_) | Message::Pong(_) => {}
            other => return assert_eq!(other, Message::text("still there?")),
        }
    }
}

/// Reads until the stream ends and fails if a close frame shows up.
async fn expect_end_without_close(client: &mut Client) {
    loop {
        match timeout(WAIT, client.next())
            .await
            .expect("stream ends in time")
        {
            None | Some(Err(_)) => return,
            Some(Ok(Message::Close(frame))) => panic!("unexpected close frame {frame:?}"),
            Some(Ok(_)) => {}
        }
    }
}

/// Shuts the server down after the clients hung up, so it need not wait for
/// clients that are not reading to answer its close frames.
async fn stop(server: Server, clients: impl IntoIterator<Item = Client>) {
    drop(clients.into_iter().collect::<Vec<_>>());
    timeout(WAIT, server.shutdown())
        .await
        .expect("shutdown in time");
}

async fn wait_for_count(server: &Server, want: usize) {
    let deadline = Instant::now() + WAIT;
    while server.connection_count() != want {
        assert!(
            Instant::now() < deadline,
            "connection count never became {want}"
        );
        sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn echoes_text_and_binary() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    send_text(&mut client, "hello").await;
    assert_eq!(next(&mut client).await, Message::text("hello"));
    let data = Bytes::from_static(&[0, 159, 146, 150, 255]);
    client
        .send(Message::Binary(data.clone()))
        .await
        .expect("send");
    assert_eq!(next(&mut client).await, Message::Binary(data));
    for plain_json in [r#"{"type":"hi"}"#, "[1,2,3]", r#"{"cmd":7}"#] {
        send_text(&mut client, plain_json).await;
        assert_eq!(next(&mut client).await, Message::text(plain_json));
    }
    assert_eq!(server.connection_count(), 1);
    stop(server, [client]).await;
}

#[tokio::test]
async fn answers_pings_with_the_same_payload() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    let payload = Bytes::from_static(b"are you alive");
    client
        .send(Message::Ping(payload.clone()))
        .await
        .expect("ping");
    assert_eq!(next(&mut client).await, Message::Pong(payload));
    stop(server, [client]).await;
}

#[tokio::test]
async fn close_command_round_trips_code_and_reason() {
    let server = server_with(config()).await;
    for code in [1000u16, 1001, 1011, 1013, 1014, 3000, 4000, 4999] {
        let mut client = connect(&server.url()).await;
        let reason = format!("bye {code}");
        let cmd = json!({"cmd": "close", "code": code, "reason": reason});
        send_text(&mut client, &cmd.to_string()).await;
        let frame = closed_by_server(client).await;
        assert_eq!(u16::from(frame.code), code);
        assert_eq!(frame.reason.as_str(), reason);
    }
    stop(server, []).await;
}

#[tokio::test]
async fn client_close_is_answered() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    let frame = CloseFrame {
        code: 4001.into(),
        reason: "done here".into(),
    };
    client.close(Some(frame)).await.expect("close");
    let reply = expect_close(&mut client).await;
    assert_eq!(
        (u16::from(reply.code), reply.reason.as_str()),
        (4001, "done here")
    );
    wait_for_count(&server, 0).await;
    stop(server, []).await;
}

#[tokio::test]
async fn close_command_refuses_unsendable_codes() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    let too_long = "r".repeat(124);
    let cases = [
        json!({"cmd": "close", "code": 1005}),
        json!({"cmd": "close", "code": 999}),
        json!({"cmd": "close", "code": 5000}),
        json!({"cmd": "close", "code": 1000, "reason": too_long}),
    ];
    for cmd in cases {
        send_text(&mut client, &cmd.to_string()).await;
        let reply = next_json(&mut client).await;
        assert_eq!(reply["type"], "error", "{cmd}");
        assert!(reply["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_echo(&mut client).await;
    stop(server, [client]).await;
}

#[tokio::test]
async fn unknown_command_lists_known_ones() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    send_text(&mut client, r#"{"cmd":"explode"}"#).await;
    let reply = next_json(&mut client).await;
    let want = "unknown cmd 'explode'; known: close, drop, flood, broadcast, stall";
    assert_eq!(reply, json!({"type": "error", "error": want}));
    stop(server, [client]).await;
}

#[tokio::test]
async fn drop_command_ends_without_close_frame() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    send_text(&mut client, r#"{"cmd":"drop"}"#).await;
    expect_end_without_close(&mut client).await;
    wait_for_count(&server, 0).await;
    stop(server, [client]).await;
}

async fn flood_and_check(client: &mut Client, count: usize, size: usize) {
    let cmd = json!({"cmd": "flood", "count": count, "size": size});
    send_text(client, &cmd.to_string()).await;
    for i in 0..count {
        match next(client).await {
            Message::Text(text) => assert_eq!(text.len(), size, "message {i}"),
            other => panic!("message {i}: expected text, got {other:?}"),
        }
    }
    let done = next_json(client).await;
    assert_eq!(done, json!({"type": "flood_done", "count": count}));
}

#[tokio::test]
async fn flood_sends_exact_sizes_then_done() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    flood_and_check(&mut client, 2000, 100).await;
    flood_and_check(&mut client, 10, 5).await;
    flood_and_check(&mut client, 5, 256 * 1024).await;
    send_text(&mut client, r#"{"cmd":"flood","count":3}"#).await;
    for _ in 0..3 {
        let body = next_json(&mut client).await;
        assert!(body["seq"].is_u64() && body["pad"].is_string());
    }
    assert_eq!(next_json(&mut client).await["type"], "flood_done");
    send_text(&mut client, r#"{"cmd":"flood","count":10000001}"#).await;
    assert_eq!(next_json(&mut client).await["type"], "error");
    stop(server, [client]).await;
}

#[tokio::test]
async fn broadcast_reaches_every_client() {
    let server = server_with(config()).await;
    let mut alice = connect(&server.url()).await;
    let mut bob = connect(&server.url()).await;
    wait_for_count(&server, 2).await;
    send_text(&mut alice, r#"{"cmd":"broadcast","data":{"n":1}}"#).await;
    let want = json!({"type": "broadcast", "data": {"n": 1}});
    assert_eq!(next_json(&mut alice).await, want);
    assert_eq!(next_json(&mut bob).await, want);
    stop(server, [alice, bob]).await;
}

#[tokio::test]
async fn ticks_reach_clients() {
    let server = server_with(ServerConfig {
        broadcast_every: Some(Duration::from_millis(50)),
        ..config()
    })
    .await;
    let mut client = connect(&server.url()).await;
    let first = next_json(&mut client).await;
    assert_eq!(first["type"], "tick");
    assert_eq!(first["clients"], 1);
    assert!(first["time_ms"].as_u64().is_some_and(|t| t > 0));
    let second = next_json(&mut client).await;
    assert!(second["seq"].as_u64() > first["seq"].as_u64());
    stop(server, [client]).await;
}

#[tokio::test]
async fn stall_stops_pongs() {
    let server = server_with(config()).await;
    let mut client = connect(&server.url()).await;
    send_text(&mut client, r#"{"cmd":"stall"}"#).await;
    client
        .send(Message::Ping(Bytes::from_static(b"x")))
        .await
        .expect("ping");
    let reply = timeout(Duration::from_millis(500), client.next()).await;
    assert!(reply.is_err(), "stalled server answered: {reply:?}");
    drop(client);
    // The stalled connection still notices the client leaving.
    wait_for_count(&server, 0).await;
    stop(server, []).await;
}

const TOKEN: &str = "s3cret";

fn token_config() -> ServerConfig {
    ServerConfig {
        require_token: Some(TOKEN.to_owned()),
        ..config()
    }
}

#[tokio::test]
async fn token_in_query_is_accepted() {
    let server = server_with(token_config()).await;
    let mut client = connect(&format!("{}/?token={TOKEN}", server.url())).await;
    assert_echo(&mut client).await;
    stop(server, [client]).await;
}

#[tokio::test]
async fn token_as_subprotocol_is_accepted() {
    let server = server_with(token_config()).await;
    let mut request = server.url().into_client_request().expect("request");
    let offered = HeaderValue::from_str(&format!("chat, {TOKEN}")).expect("header");
    request
        .headers_mut()
        .insert(header::SEC_WEBSOCKET_PROTOCOL, offered);
    let (mut client, response) = timeout(WAIT, connect_async(request))
        .await
        .expect("in time")
        .expect("connect");
    let selected = response.headers().get(header::SEC_WEBSOCKET_PROTOCOL);
    assert_eq!(selected.and_then(|v| v.to_str().ok()), Some("chat"));
    assert_echo(&mut client).await;
    stop(server, [client]).await;
}

#[tokio::test]
async fn token_as_bearer_header_is_accepted() {
    let server = server_with(token_config()).await;
    let mut request = server.url().into_client_request().expect("request");
    let bearer = HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("header");
    request.headers_mut().insert(header::AUTHORIZATION, bearer);
    let (mut client, _) = timeout(WAIT, connect_async(request))
        .await
        .expect("in time")
        .expect("connect");
    assert_echo(&mut client).await;
    stop(server, [client]).await;
}

#[tokio::test]
async fn token_in_authenticate_message_is_accepted() {
    let server = server_with(token_config()).await;
    let mut client = connect(&server.url()).await;
    let auth = json!({"type": "authenticate", "token": TOKEN});
    send_text(&mut client, &auth.to_string()).await;
    assert_eq!(
        next_json(&mut client).await,
        json!({"type": "authenticated"})
    );
    assert_echo(&mut client).await;
    stop(server, [client]).await;
}

#[tokio::test]
async fn wrong_token_is_closed_with_1008() {
    let server = server_with(token_config()).await;
    let client = connect(&format!("{}/?token=nope", server.url())).await;
    let frame = closed_by_server(client).await;
    assert_eq!(u16::from(frame.code), 1008);
    assert_eq!(frame.reason.as_str(), "invalid token");

    let mut client = connect(&server.url()).await;
    let auth = json!({"type": "authenticate", "token": "nope"});
    send_text(&mut client, &auth.to_string()).await;
    assert_eq!(u16::from(closed_by_server(client).await.code), 1008);

    // Before authentication nothing is echoed: the first message must authenticate.
    let mut client = connect(&server.url()).await;
    send_text(&mut client, "hello").await;
    let frame = closed_by_server(client).await;
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1008, "invalid token")
    );
    stop(server, []).await;
}

#[tokio::test]
async fn subprotocol_is_selected_without_a_token() {
    let server = server_with(config()).await;
    let mut request = server.url().into_client_request().expect("request");
    let offered = HeaderValue::from_static("graphql-transport-ws, graphql-ws");
    request
        .headers_mut()
        .insert(header::SEC_WEBSOCKET_PROTOCOL, offered);
    let (client, response) = timeout(WAIT, connect_async(request))
        .await
        .expect("in time")
        .expect("connect");
    let selected = response.headers().get(header::SEC_WEBSOCKET_PROTOCOL);
    assert_eq!(
        selected.and_then(|v| v.to_str().ok()),
        Some("graphql-transport-ws")
    );
    stop(server, [client]).await;
}

#[tokio::test]
async fn connections_beyond_the_limit_get_1013() {
    let server = server_with(ServerConfig {
        max_connections: 1,
        ..config()
    })
    .await;
    let mut first = connect(&server.url()).await;
    assert_echo(&mut first).await;
    let second = connect(&server.url()).await;
    let frame = closed_by_server(second).await;
    assert_eq!(u16::from(frame.code), 1013);
    assert_eq!(frame.reason.as_str(), "server busy: 1 connections");
    assert_echo(&mut first).await;
    assert_eq!(server.connection_count(), 1);
    stop(server, [first]).await;
}

#[tokio::test]
async fn shutdown_closes_clients_with_1001_and_frees_the_port() {
    let server = server_with(config()).await;
    let addr = server.local_addr();
    let mut clients = vec![connect(&server.url()).await, connect(&server.url()).await];
    for client in &mut clients {
        assert_echo(client).await;
    }
    let closes = futures_util::future::join_all(clients.into_iter().map(closed_by_server));
    let started = Instant::now();
    let ((), frames) = tokio::join!(server.shutdown(), closes);
    // Well below the one-second grace: both clients completed the close handshake.
    assert!(started.elapsed() < Duration::from_millis(1000));
    for frame in frames {
        assert_eq!(u16::from(frame.code), 1001);
        assert_eq!(frame.reason.as_str(), "server shutting down");
    }
    let again = Server::bind(ServerConfig {
        port: addr.port(),
        ..config()
    })
    .await
    .expect("port is free again after shutdown");
    assert_eq!(again.local_addr(), addr);
    let mut client = connect(&again.url()).await;
    assert_echo(&mut client).await;
    stop(again, [client]).await;
}

#[tokio::test]
async fn heartbeat_drops_a_client_that_does_not_read() {
    let server = server_with(ServerConfig {
        heartbeat: Some(Duration::from_millis(100)),
        ..config()
    })
    .await;
    let mut client = connect(&server.url()).await;
    wait_for_count(&server, 1).await;
    // Not reading means tungstenite never answers the server's pings.
    wait_for_count(&server, 0).await;
    expect_end_without_close(&mut client).await;
    stop(server, [client]).await;
}

#[tokio::test]
async fn heartbeat_keeps_a_reading_client() {
    let server = server_with(ServerConfig {
        heartbeat: Some(Duration::from_millis(50)),
        ..config()
    })
    .await;
    let mut client = connect(&server.url()).await;
    let mut pings = 0;
    while pings < 4 {
        if let Message::Ping(_) = next(&mut client).await {
            pings += 1;
        }
    }
    assert_echo(&mut client).await;
    assert_eq!(server.connection_count(), 1);
    stop(server, [client]).await;
}
