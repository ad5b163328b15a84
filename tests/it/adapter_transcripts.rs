//! The adapters for Home Assistant, Binance, Pusher, Phoenix, Action Cable and
//! SignalR against a scripted loopback server replaying transcripts taken from each
//! protocol's public documentation (tests/fixtures/transcripts, each citing its
//! source): handshake and auth, correlated requests, heartbeats and pushed events.

use crate::common;

use wsdeck::protocol::{Correlation, Decoded};
use wsdeck::session::auth::AuthMethod;
use wsdeck::session::secret::Secret;
use wsdeck::session::{self, ConnectionState, Direction, Event, EventReceiver, SessionConfig};

use common::binary::run_wsdeck;
use common::transcript::{ScriptedServer, parse};
use common::{fast_config, wait_for, wait_for_state};

/// Starts the scripted server for `transcript` and a session with `provider` on it.
async fn start(
    transcript: &str,
    path: &str,
    provider: &str,
    adjust: impl FnOnce(&mut SessionConfig),
) -> (ScriptedServer, session::SessionHandle, EventReceiver) {
    let server = ScriptedServer::start(parse(transcript), path).await;
    let mut config = fast_config(&server.url);
    config.provider = provider.into();
    config.reconnect.enabled = false;
    adjust(&mut config);
    let (handle, events) = common::connected_session(config);
    (server, handle, events)
}

/// Waits for an incoming frame the adapter decoded so that `predicate` holds.
async fn incoming_decoded(
    events: &mut EventReceiver,
    what: &str,
    predicate: impl Fn(&Decoded) -> bool,
) -> Decoded {
    let (event, _) = wait_for(events, what, |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.decoded.as_deref().is_some_and(&predicate))
    })
    .await;
    match event {
        Event::Frame(frame) => *frame.decoded.expect("decoded"),
        _ => unreachable!(),
    }
}

fn is_ok_response(decoded: &Decoded) -> bool {
    matches!(
        decoded.correlation,
        Some(Correlation::Response {
            ok: true,
            latency: Some(_),
            ..
        })
    )
}

#[tokio::test]
async fn home_assistant_auth_commands_and_events() {
    let (server, handle, mut events) = start(
        include_str!("../fixtures/transcripts/home_assistant.txt"),
        "/api/websocket",
        "home-assistant",
        |config| {
            config.auth.method = AuthMethod::FirstMessage;
            config.auth.template = r#"{"type":"auth","access_token":"{{token}}"}"#.into();
            config.auth.token = Some(Secret::new("ha-token-123"));
        },
    )
    .await;
    let seen = wait_for_state(&mut events, ConnectionState::Authenticated).await;
    assert!(
        !format!("{seen:?}").contains("ha-token-123"),
        "the token never leaves the engine unredacted"
    );
    handle.compose(r#"{"type":"get_states"}"#).expect("compose");
    let result = incoming_decoded(&mut events, "the get_states result", is_ok_response).await;
    assert!(result.label.contains("result"), "{result:?}");
    assert!(result.data.is_some(), "the result is extracted: {result:?}");
    handle
        .shortcut("subscribe", "state_changed")
        .expect("subscribe");
    let event = incoming_decoded(&mut events, "a state_changed event", |decoded| {
        decoded.label.contains("state_changed")
    })
    .await;
    assert!(
        format!("{} {}", event.label, event.summary).contains("light.kitchen"),
        "{event:?}"
    );
    handle.shutdown().expect("shutdown");
    let replay = server.finished().await;
    assert!(
        replay.received[1].starts_with(r#"{"id":1,"#),
        "{:?}",
        replay.received
    );
}

#[tokio::test]
async fn binance_subscribe_results_and_stream_summaries() {
    let (server, handle, mut events) = start(
        include_str!("../fixtures/transcripts/binance.txt"),
        "/ws",
        "binance",
        |_| {},
    )
    .await;
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .compose(r#"{"method":"SUBSCRIBE","params":["bnbbtc@aggTrade","bnbbtc@depth"]}"#)
        .expect("compose");
    incoming_decoded(&mut events, "the SUBSCRIBE result", is_ok_response).await;
    let trade = incoming_decoded(&mut events, "an aggTrade", |decoded| {
        decoded.label.contains("aggTrade")
    })
    .await;
    assert!(trade.summary.contains("BNBBTC"), "{trade:?}");
    assert!(trade.summary.contains("0.001"), "{trade:?}");
    handle.shortcut("list", "").expect("list");
    let list = incoming_decoded(&mut events, "the LIST result", is_ok_response).await;
    assert_eq!(
        list.data,
        Some(serde_json::json!(["bnbbtc@aggTrade", "bnbbtc@depth"]))
    );
    handle.shutdown().expect("shutdown");
    server.finished().await;
}

#[tokio::test]
async fn pusher_handshake_subscribe_and_ping_answered() {
    let (server, handle, mut events) = start(
        include_str!("../fixtures/transcripts/pusher.txt"),
        "/app/key?protocol=7",
        "pusher",
        |_| {},
    )
    .await;
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .shortcut("subscribe", "my-channel")
        .expect("subscribe");
    let event = incoming_decoded(&mut events, "a channel event", |decoded| {
        decoded.label.contains("my-event")
    })
    .await;
    assert!(event.label.contains("my-channel"), "{event:?}");
    handle.shutdown().expect("shutdown");
    let replay = server.finished().await;
    assert!(
        replay
            .received
            .iter()
            .any(|frame| frame.contains("pusher:pong")),
        "the server's ping was answered: {:?}",
        replay.received
    );
}

#[tokio::test]
async fn phoenix_join_push_and_replies() {
    let (server, handle, mut events) = start(
        include_str!("../fixtures/transcripts/phoenix.txt"),
        "/socket/websocket?vsn=2.0.0",
        "phoenix",
        |_| {},
    )
    .await;
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.shortcut("join", "room:lobby").expect("join");
    incoming_decoded(&mut events, "the join reply", is_ok_response).await;
    handle
        .shortcut("push", r#"room:lobby new_msg {"body":"hello"}"#)
        .expect("push");
    incoming_decoded(&mut events, "the push reply", is_ok_response).await;
    incoming_decoded(&mut events, "a broadcast", |decoded| {
        decoded.label.contains("new_msg")
    })
    .await;
    handle.shutdown().expect("shutdown");
    server.finished().await;
}

#[tokio::test]
async fn action_cable_welcome_subscribe_and_messages() {
    let (server, handle, mut events) = start(
        include_str!("../fixtures/transcripts/action_cable.txt"),
        "/cable",
        "action-cable",
        |config| config.subprotocols = vec!["actioncable-v1-json".into()],
    )
    .await;
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .shortcut("subscribe", "ChatChannel")
        .expect("subscribe");
    incoming_decoded(&mut events, "the confirmation", |decoded| {
        decoded.label.contains("confirm")
    })
    .await;
    handle
        .shortcut("perform", r#"ChatChannel speak {"text":"hello"}"#)
        .expect("perform");
    let message = incoming_decoded(&mut events, "a channel message", |decoded| {
        decoded.label.contains("message") && !decoded.heartbeat
    })
    .await;
    assert!(message.error.is_none(), "{message:?}");
    handle.shutdown().expect("shutdown");
    server.finished().await;
}

#[tokio::test]
async fn signalr_handshake_invocation_completion_and_records() {
    let (server, handle, mut events) = start(
        include_str!("../fixtures/transcripts/signalr.txt"),
        "/chat",
        "signalr",
        |_| {},
    )
    .await;
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .shortcut("invoke", r#"Send "hello""#)
        .expect("invoke");
    let completion = incoming_decoded(&mut events, "the completion", is_ok_response).await;
    assert_eq!(completion.data, Some(serde_json::json!(42)));
    incoming_decoded(&mut events, "two invocations in one frame", |decoded| {
        decoded.label.contains("ReceiveMessage") && decoded.label.contains("+1")
    })
    .await;
    handle.shutdown().expect("shutdown");
    server.finished().await;
}

/// The profile issue's "done when": a profile made from the home-assistant preset,
/// then `HA_TOKEN=… wsdeck request -p ha --message '{"id":1,"type":"get_states"}'`
/// runs the auth flow and prints the result, never the token.
#[tokio::test]
async fn home_assistant_profile_request_end_to_end() {
    // The transcript up to the get_states result: a request ends there.
    let mut steps = parse(include_str!("../fixtures/transcripts/home_assistant.txt"));
    steps.truncate(5);
    let server = ScriptedServer::start(steps, "/api/websocket").await;
    let config_dir = tempfile::tempdir().expect("temp dir");
    let dir = config_dir.path().display().to_string();
    let new = [
        "profiles",
        "new",
        "ha",
        "--preset",
        "home-assistant",
        "--url",
        &server.url,
    ];
    run_wsdeck(&new, &[("WSDECK_CONFIG_DIR", &dir)])
        .await
        .assert_success();
    let request = [
        "request",
        "-p",
        "ha",
        "--message",
        r#"{"id":1,"type":"get_states"}"#,
    ];
    let output = run_wsdeck(
        &request,
        &[("WSDECK_CONFIG_DIR", &dir), ("HA_TOKEN", "ha-secret-token")],
    )
    .await;
    output.assert_success();
    assert!(
        output.stdout.contains("light.kitchen"),
        "the result is printed: {output:#?}"
    );
    output.assert_secret_absent("ha-secret-token");
    let replay = server.finished().await;
    assert!(
        replay.received[0].contains("ha-secret-token"),
        "the token was sent in the auth message: {:?}",
        replay.received
    );
}
