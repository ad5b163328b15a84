//! The adapters for Home Assistant, Binance, Pusher, Phoenix, Action Cable and
//! SignalR against a scripted loopback server replaying transcripts taken from each
//! protocol's public documentation (tests/fixtures/transcripts, each citing its
//! source): handshake and auth, correlated requests, heartbeats and pushed events.

mod common;

use wsdeck::protocol::{Correlation, Decoded};
use wsdeck::session::auth::AuthMethod;
use wsdeck::session::secret::Secret;
use wsdeck::session::{self, ConnectionState, Direction, Event, EventReceiver, SessionConfig};

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
    let (handle, events) = session::spawn(config).expect("spawn");
    handle.connect().expect("connect");
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
        include_str!("fixtures/transcripts/home_assistant.txt"),
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
