//! What the integration tests share: a session config tuned for fast tests, waiting
//! for session events with a bounded timeout, the built-in server and presets as
//! peers ([`binary`] runs the wsdeck executable, [`pty`] drives it in a
//! pseudo-terminal, [`peers`] starts the Node reference servers, [`transcript`]
//! replays a protocol transcript).

pub mod binary;
pub mod peer;
pub mod peers;
pub mod pty;
pub mod recorded;
pub mod runner;
pub mod screen;
pub mod transcript;

use std::time::Duration;

use wsdeck::server::{Server, ServerConfig};
use wsdeck::session::backoff::BackoffPolicy;
use wsdeck::session::{
    ConnectionState, ErrorKind, Event, EventReceiver, SessionConfig, SessionHandle,
};

/// Upper bound for any single wait in a test.
pub const WAIT: Duration = Duration::from_secs(10);

/// A config for `url` with keep-alive off and quick reconnects.
pub fn fast_config(url: &str) -> SessionConfig {
    let mut config = SessionConfig::new(url).expect("test URL is valid");
    config.keepalive.ping_interval = Duration::ZERO;
    config.reconnect.backoff = BackoffPolicy {
        initial_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(400),
        jitter: 0.25,
    };
    config.connect_timeout = Duration::from_secs(3);
    config
}

/// Waits for the first event matching `predicate`, returning it and every event seen
/// before it. Panics (naming `what`) after [`WAIT`].
pub async fn wait_for(
    events: &mut EventReceiver,
    what: &str,
    mut predicate: impl FnMut(&Event) -> bool,
) -> (Event, Vec<Event>) {
    let mut seen = Vec::new();
    let result = tokio::time::timeout(WAIT, async {
        while let Some(event) = events.recv().await {
            if predicate(&event) {
                return Some(event);
            }
            seen.push(event);
        }
        None
    })
    .await;
    match result {
        Ok(Some(event)) => (event, seen),
        Ok(None) => panic!("event stream ended while waiting for {what}; saw {seen:#?}"),
        Err(_) => panic!("timed out waiting for {what}; saw {seen:#?}"),
    }
}

/// Waits for the state machine to reach `state`.
pub async fn wait_for_state(events: &mut EventReceiver, state: ConnectionState) -> Vec<Event> {
    let (_, seen) = wait_for(events, state.as_str(), |event| {
        *event == Event::StateChanged(state)
    })
    .await;
    seen
}

/// Waits for the next error (named `what` on a timeout) and fails the test unless
/// it is of `kind`; returns the events seen before it.
pub async fn wait_for_error_of_kind(
    events: &mut EventReceiver,
    what: &str,
    kind: ErrorKind,
) -> Vec<Event> {
    let (error, seen) = wait_for(events, what, |e| matches!(e, Event::Error { .. })).await;
    assert!(
        matches!(&error, Event::Error { kind: got, .. } if *got == kind),
        "{error:?}"
    );
    seen
}

/// Collects every event arriving within `window`.
pub async fn collect_for(events: &mut EventReceiver, window: Duration) -> Vec<Event> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(window, async {
        while let Some(event) = events.recv().await {
            seen.push(event);
        }
    })
    .await;
    seen
}

/// The text of an incoming text frame, if the event is one.
pub fn incoming_text(event: &Event) -> Option<String> {
    match event {
        Event::Frame(frame)
            if frame.direction == wsdeck::session::Direction::Incoming
                && frame.kind == wsdeck::session::FrameKind::Text =>
        {
            frame.text().map(str::to_string)
        }
        _ => None,
    }
}

/// The built-in preset `name` as a session for a local stand-in at `address`
/// (`127.0.0.1:PORT`): the preset is resolved as `-p` would resolve it, with `env`
/// as the only environment, then only the scheme, host and port are changed, so the
/// preset's own path, query, subprotocols, auth and handshake are what connects.
pub fn preset_config(name: &str, address: &str, env: &[(&str, &str)]) -> SessionConfig {
    preset_config_with_token(name, address, env, None)
}

/// [`preset_config`] with a token given as `--token` would give it, for presets
/// whose token line is left commented out (the GraphQL ones).
pub fn preset_config_with_token(
    name: &str,
    address: &str,
    env: &[(&str, &str)],
    token: Option<&str>,
) -> SessionConfig {
    use wsdeck::config::apply::session_from_profile;
    use wsdeck::config::template::Context;

    let preset = wsdeck::config::presets::find(name).expect("a built-in preset");
    let profile = preset.profile().expect("the preset loads");
    let context = Context {
        env: Some(
            env.iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        ),
        ..Context::default()
    };
    let token = match token {
        Some(token) => Some(wsdeck::session::secret::Secret::new(token)),
        None => wsdeck::config::apply::resolve_token(&profile, &context).expect("token"),
    };
    let context = Context { token, ..context };
    let (mut config, _) = session_from_profile(&profile, &context)
        .unwrap_or_else(|error| panic!("preset {name}: {error}"));
    let (host, port) = address.rsplit_once(':').expect("HOST:PORT");
    config.url.set_scheme("ws").expect("ws scheme");
    config.url.set_host(Some(host)).expect("host");
    config
        .url
        .set_port(Some(port.parse().expect("port")))
        .expect("port");
    config.reconnect.enabled = false;
    config.connect_timeout = Duration::from_secs(3);
    config
}

/// The built-in server with `config` on a free loopback port (`config.port` is
/// ignored).
pub async fn server_with(config: ServerConfig) -> Server {
    Server::bind(ServerConfig { port: 0, ..config })
        .await
        .expect("the built-in server binds to 127.0.0.1:0")
}

/// The built-in server with its defaults on a free loopback port.
pub async fn echo_server() -> Server {
    server_with(ServerConfig::default()).await
}

/// A session for `config`, asked to connect: its handle and its events.
pub fn connected_session(config: SessionConfig) -> (SessionHandle, EventReceiver) {
    let (handle, events) = wsdeck::session::spawn(config).expect("the session starts");
    handle.connect().expect("the session's actor is running");
    (handle, events)
}
