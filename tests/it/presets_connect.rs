//! Every built-in preset that has a local stand-in connects to it as shipped: the
//! preset's path, query, subprotocols, auth and adapter handshake are used, only the
//! host is loopback. Stand-ins: the built-in server (echo, aws-api-gateway) and the
//! documented transcripts (home-assistant, binance, pusher, phoenix, action-cable,
//! signalr). Socket.IO and both GraphQL presets are checked against their real
//! servers in adapter_socketio.rs and adapter_graphql.rs; Ably has no stand-in.

use crate::common;

use common::transcript::{ScriptedServer, Step, parse};
use common::{preset_config, wait_for};
use wsdeck::session::{self, Direction, Event, EventReceiver, SessionConfig};

/// Connects `config` and waits until the session is ready for data (after the
/// adapter's handshake and any auth verdict); returns the events seen until then.
async fn connect_until_ready(config: SessionConfig) -> (session::SessionHandle, EventReceiver) {
    let (handle, mut events) = common::connected_session(config);
    wait_for(
        &mut events,
        "the session to be ready",
        |event| matches!(event, Event::StateChanged(state) if state.is_ready()),
    )
    .await;
    (handle, events)
}

/// The transcript's opening handshake: its first `count` steps.
fn opening(transcript: &str, count: usize) -> Vec<Step> {
    let mut steps = parse(transcript);
    steps.truncate(count);
    steps
}

/// Runs preset `name` against a scripted server replaying `steps`.
async fn preset_against_transcript(name: &str, steps: Vec<Step>, env: &[(&str, &str)]) {
    let server = ScriptedServer::start(steps, "").await;
    let address = server.url.trim_start_matches("ws://").to_string();
    let (handle, _events) = connect_until_ready(preset_config(name, &address, env)).await;
    handle.shutdown().expect("shutdown");
    server.finished().await;
}

#[tokio::test]
async fn home_assistant_preset_authenticates() {
    let steps = opening(
        include_str!("../fixtures/transcripts/home_assistant.txt"),
        3,
    );
    preset_against_transcript("home-assistant", steps, &[("HA_TOKEN", "t-1234567")]).await;
}

#[tokio::test]
async fn pusher_preset_completes_its_handshake() {
    let steps = opening(include_str!("../fixtures/transcripts/pusher.txt"), 1);
    preset_against_transcript("pusher", steps, &[("PUSHER_KEY", "app-key")]).await;
}

#[tokio::test]
async fn action_cable_preset_is_welcomed() {
    let steps = opening(include_str!("../fixtures/transcripts/action_cable.txt"), 1);
    preset_against_transcript("action-cable", steps, &[]).await;
}

#[tokio::test]
async fn signalr_preset_completes_the_hub_handshake() {
    let steps = opening(include_str!("../fixtures/transcripts/signalr.txt"), 2);
    preset_against_transcript("signalr", steps, &[]).await;
}

#[tokio::test]
async fn binance_and_phoenix_presets_connect() {
    preset_against_transcript("binance", Vec::new(), &[]).await;
    preset_against_transcript("phoenix", Vec::new(), &[]).await;
}

#[tokio::test]
async fn echo_and_aws_api_gateway_presets_talk_to_the_built_in_server() {
    let server = common::echo_server().await;
    let address = server.url().trim_start_matches("ws://").to_string();
    let aws_env = [
        ("AWS_API_ID", "abc123"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_STAGE", "prod"),
    ];
    for (name, env) in [("echo", &[][..]), ("aws-api-gateway", &aws_env[..])] {
        let (handle, mut events) = connect_until_ready(preset_config(name, &address, env)).await;
        handle
            .send_text(r#"{"action":"ping","n":1}"#)
            .expect("send");
        wait_for(&mut events, "the echo", |event| {
            matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
                && frame.payload.as_ref() == br#"{"action":"ping","n":1}"#)
        })
        .await;
        handle.shutdown().expect("shutdown");
    }
    server.shutdown().await;
}
