//! Each provider against its reference implementation, as users run it: the official
//! Node servers in tests/peers (Socket.IO 4.8 and 2.5, graphql-ws 6 on `ws`,
//! subscriptions-transport-ws 0.11), with URLs as people type them and `--provider`
//! alone. Headless commands run the real binary; the long-lived checks (heartbeats,
//! restarts, acks with latency) drive the session engine over the same sockets.

use crate::common;

use std::time::{Duration, Instant};

use common::binary::{Run, run_wsdeck};
use common::peers::NodePeer;
use common::{collect_for, fast_config, wait_for, wait_for_error_of_kind, wait_for_state};
use wsdeck::protocol::Correlation;
use wsdeck::session::{
    self, ConnectionState, Direction, ErrorKind, Event, EventReceiver, Frame, Secret, SessionHandle,
};

const COUNTDOWN: &str = "subscription { countdown(from: 3) }";

/// The four results of `countdown(from: 3)`, as `listen` prints them.
const FOUR_RESULTS: &str = "{\"data\":{\"countdown\":3}}\n{\"data\":{\"countdown\":2}}\n{\"data\":{\"countdown\":1}}\n{\"data\":{\"countdown\":0}}\n";

fn assert_not_retried(run: &Run) {
    assert!(
        !run.stderr.contains("reconnecting"),
        "a permanent refusal is not retried: {run:#?}"
    );
}

/// Asserts the engine reported `kind` and scheduled no reconnect in the second after.
async fn assert_engine_stops(events: &mut session::EventReceiver, kind: ErrorKind) {
    wait_for_error_of_kind(events, "the refusal", kind).await;
    let after = collect_for(events, Duration::from_secs(1)).await;
    assert!(
        !after
            .iter()
            .any(|e| matches!(e, Event::ReconnectScheduled { .. })),
        "a refusal is not retried: {after:#?}"
    );
}

/// A session config for `url` with `provider`, as `--provider` alone makes it.
fn provider_config(url: &str, provider: &str) -> session::SessionConfig {
    let mut config = fast_config(url);
    config.provider = provider.into();
    config
}

/// `config` with `token` as its auth token.
fn with_token(mut config: session::SessionConfig, token: &str) -> session::SessionConfig {
    config.auth.token = Some(Secret::new(token));
    config
}

/// A session for `config`, connected and authenticated.
async fn authenticated_session(config: session::SessionConfig) -> (SessionHandle, EventReceiver) {
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    (handle, events)
}

/// The text of an outgoing or incoming data frame.
fn frame_text(event: &Event, direction: Direction) -> Option<String> {
    match event {
        Event::Frame(frame) if frame.direction == direction => frame.text().map(str::to_owned),
        _ => None,
    }
}

/// How many of `seen` are `direction` frames whose text is exactly `text`.
fn count_frames(seen: &[Event], direction: Direction, text: &str) -> usize {
    seen.iter()
        .filter(|e| frame_text(e, direction).as_deref() == Some(text))
        .count()
}

/// How many of `seen` are outgoing frames whose text contains `needle`.
fn count_outgoing_containing(seen: &[Event], needle: &str) -> usize {
    seen.iter()
        .filter(|e| frame_text(e, Direction::Outgoing).is_some_and(|text| text.contains(needle)))
        .count()
}

/// Fails the test if the link closed while `seen` arrived.
fn assert_stayed_open(seen: &[Event]) {
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Closed(_))),
        "{seen:#?}"
    );
}

/// Runs `wsdeck COMMAND URL --provider PROVIDER REST…` with `env`, to its end.
async fn run_with_provider(
    command: &str,
    url: &str,
    provider: &str,
    rest: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let mut args = vec![command, url, "--provider", provider];
    args.extend_from_slice(rest);
    run_wsdeck(&args, env).await
}

/// `wsdeck listen URL --provider PROVIDER` subscribed to [`COUNTDOWN`], with `token`
/// in `$GQL_TOKEN` given by `--token-env`.
async fn listen_to_the_countdown(url: &str, provider: &str, token: &str) -> Run {
    run_with_provider(
        "listen",
        url,
        provider,
        &["--token-env", "GQL_TOKEN", "--subscribe", COUNTDOWN],
        &[("GQL_TOKEN", token)],
    )
    .await
}

/// `wsdeck listen URL/graphql` without `--provider` against a GraphQL `peer`: the
/// refusal exits 6 at once, with the close `code` and the `hint` naming the
/// provider, and is not retried.
async fn assert_listen_without_the_provider_is_told(peer: &NodePeer, code: &str, hint: &str) {
    let started = Instant::now();
    let run = run_wsdeck(&["listen", &peer.url("/graphql")], &[]).await;
    assert_eq!(run.code, 6, "{run:#?}");
    assert!(
        run.stderr.contains(code) && run.stderr.contains(hint),
        "{run:#?}"
    );
    assert_not_retried(&run);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "ends promptly: {run:#?}"
    );
}

/// Kills `peer` and starts it again on its port, then waits for the session to
/// schedule its reconnect.
async fn restart_and_wait_for_the_reconnect(peer: &mut NodePeer, events: &mut EventReceiver) {
    peer.restart();
    wait_for(events, "the reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
}

/// Asks `handle` for the Socket.IO ack of `add ARGS` and waits for the incoming ack
/// frame, which must be correlated, successful and timed; returns it.
async fn ask_for_a_timed_ack(
    handle: &SessionHandle,
    events: &mut EventReceiver,
    args: &str,
) -> Frame {
    handle.shortcut("ack", args).expect("shortcut");
    let (ack, _) = wait_for(events, "the ack", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.starts_with("43"))
    })
    .await;
    let Event::Frame(ack) = ack else {
        unreachable!()
    };
    match ack.decoded.clone().and_then(|decoded| decoded.correlation) {
        Some(Correlation::Response { ok, latency, .. }) => {
            assert!(ok);
            assert!(latency.is_some(), "the ack's latency is measured");
        }
        other => panic!("the ack is correlated: {other:?}"),
    }
    ack
}

// Socket.IO 4 -----------------------------------------------------------------

#[tokio::test]
async fn socket_io_emit_with_a_bare_url_as_typed() {
    let peer = NodePeer::start("socketio.js", &[]);
    for url in [
        format!("ws://127.0.0.1:{}", peer.port),
        format!("http://127.0.0.1:{}", peer.port),
        format!("ws://127.0.0.1:{}/", peer.port),
    ] {
        let run = run_with_provider(
            "request",
            &url,
            "socket-io",
            &["--emit", "add", "2", "3"],
            &[],
        )
        .await;
        run.assert_success();
        assert_eq!(run.stdout, "[5]\n", "{url}: {run:#?}");
        assert!(
            run.stderr.contains("connecting to ws://127.0.0.1:")
                && run.stderr.contains("/socket.io/?EIO=4&transport=websocket"),
            "the completed URL is said: {run:#?}"
        );
    }
    let json = run_with_provider(
        "request",
        &format!("http://127.0.0.1:{}", peer.port),
        "socket-io",
        &["--emit", "add", "2", "3", "--json"],
        &[],
    )
    .await;
    json.assert_success();
    let envelope: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(
        envelope["data"]["url"],
        format!(
            "ws://127.0.0.1:{}/socket.io/?EIO=4&transport=websocket",
            peer.port
        ),
        "--json shows the URL actually used"
    );
}

#[tokio::test]
async fn socket_io_keeps_a_custom_path_and_adds_the_query() {
    let peer = NodePeer::start("socketio.js", &["--path", "/custom-path/"]);
    let run = run_with_provider(
        "request",
        &peer.url("/custom-path/"),
        "socket-io",
        &["--emit", "add", "20", "22"],
        &[],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout, "[42]\n");
}

#[tokio::test]
async fn socket_io_without_the_path_is_told_what_is_missing() {
    let peer = NodePeer::start("socketio.js", &[]);
    let run = run_wsdeck(
        &[
            "request",
            &peer.url(""),
            "--message",
            "hi",
            "--no-reconnect",
        ],
        &[],
    )
    .await;
    assert_eq!(run.code, 3, "{run:#?}");
    assert!(
        run.stderr
            .contains("without answering the WebSocket upgrade")
            && run.stderr.contains("/socket.io/?EIO=4&transport=websocket"),
        "{run:#?}"
    );
}

#[tokio::test]
async fn socket_io_heartbeat_ack_latency_and_restart() {
    let mut peer = NodePeer::start("socketio.js", &["--ping-interval", "300"]);
    let (handle, mut events) =
        authenticated_session(provider_config(&peer.url(""), "socket-io")).await;

    // The server pings every 300 ms and drops a client that does not answer within
    // 400 ms: two intervals and more pass with the link up and every ping answered.
    let seen = collect_for(&mut events, Duration::from_millis(1100)).await;
    let pings = count_frames(&seen, Direction::Incoming, "2");
    let pongs = count_frames(&seen, Direction::Outgoing, "3");
    assert!(pings >= 2 && pongs >= pings, "{pings} pings, {pongs} pongs");
    assert_stayed_open(&seen);

    let ack = ask_for_a_timed_ack(&handle, &mut events, "add 2 3").await;
    assert!(
        ack.text().is_some_and(|text| text.ends_with("[5]")),
        "{ack:?}"
    );

    // A crash and a restart on the same port: the handshake runs again.
    restart_and_wait_for_the_reconnect(&mut peer, &mut events).await;
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "add 4 5").expect("shortcut");
    wait_for(&mut events, "the ack after the restart", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.ends_with("[9]"))
    })
    .await;
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_auth_accepted_and_refused() {
    let peer = NodePeer::start("socketio.js", &["--token", "right-token"]);
    let good = with_token(provider_config(&peer.url(""), "socket-io"), "right-token");
    let (handle, _events) = authenticated_session(good).await;
    handle.shutdown().expect("shutdown");

    let refused = run_with_provider(
        "request",
        &peer.url(""),
        "socket-io",
        &["--token-env", "SIO_TOKEN", "--emit", "add", "1", "1"],
        &[("SIO_TOKEN", "wrong-token")],
    )
    .await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    refused.assert_secret_absent("wrong-token");
    assert_not_retried(&refused);

    // `listen` reconnects after a lost link, but not after a refusal.
    let started = Instant::now();
    let listen = run_with_provider(
        "listen",
        &format!("http://127.0.0.1:{}", peer.port),
        "socket-io",
        &["--token-env", "SIO_TOKEN"],
        &[("SIO_TOKEN", "wrong-token")],
    )
    .await;
    assert_eq!(listen.code, 5, "{listen:#?}");
    assert!(listen.stderr.contains("unauthorized"), "{listen:#?}");
    listen.assert_secret_absent("wrong-token");
    assert_not_retried(&listen);
    assert!(started.elapsed() < Duration::from_secs(5), "{listen:#?}");

    let bad = with_token(provider_config(&peer.url(""), "socket-io"), "wrong-token");
    let (handle, mut events) = common::connected_session(bad);
    assert_engine_stops(&mut events, ErrorKind::Auth).await;
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_admin_namespace_and_echo() {
    let peer = NodePeer::start("socketio.js", &[]);
    let echo = run_with_provider(
        "request",
        &peer.url("/"),
        "socket-io",
        &["--emit", "echo", "a", "{\"b\":1}", "3"],
        &[],
    )
    .await;
    echo.assert_success();
    assert_eq!(echo.stdout, "[\"a\",{\"b\":1},3]\n");

    let mut config = provider_config(&peer.url(""), "socket-io");
    config.namespace = Some("/admin".into());
    let (handle, mut events) = common::connected_session(config);
    let seen = wait_for_state(&mut events, ConnectionState::Authenticated).await;
    assert!(
        seen.iter()
            .any(|e| frame_text(e, Direction::Outgoing).as_deref() == Some("40/admin,")),
        "CONNECT names the namespace: {seen:#?}"
    );
    handle.shortcut("ack", "add 20 22").expect("shortcut");
    wait_for(&mut events, "the /admin ack", |e| {
        frame_text(e, Direction::Incoming).as_deref() == Some("43/admin,0[42]")
    })
    .await;
    handle.shutdown().expect("shutdown");
}

// Socket.IO 2 (Engine.IO 3) ----------------------------------------------------

#[tokio::test]
async fn socket_io_2_emit_heartbeat_and_auth() {
    let peer = NodePeer::start("socketio-v2.js", &["--token", "v2-token"]);
    let eio3 = peer.url("/socket.io/?EIO=3&transport=websocket");
    let emit_with_the_token_in_the_query = [
        "--auth",
        "query-param",
        "--token-env",
        "SIO_TOKEN",
        "--emit",
        "add",
        "2",
        "3",
    ];
    let run = run_with_provider(
        "request",
        &eio3,
        "socket-io",
        &emit_with_the_token_in_the_query,
        &[("SIO_TOKEN", "v2-token")],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout, "[5]\n");

    let refused = run_with_provider(
        "request",
        &eio3,
        "socket-io",
        &emit_with_the_token_in_the_query,
        &[("SIO_TOKEN", "not-the-token")],
    )
    .await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    assert!(refused.stderr.contains("unauthorized"), "{refused:#?}");

    // In Engine.IO 3 the client pings: every 300 ms, answered by the server.
    let mut config = with_token(provider_config(&eio3, "socket-io"), "v2-token");
    config.auth.method = session::AuthMethod::QueryParam;
    let (handle, mut events) = authenticated_session(config).await;
    let seen = collect_for(&mut events, Duration::from_millis(1100)).await;
    let pings = count_frames(&seen, Direction::Outgoing, "2");
    let pongs = count_frames(&seen, Direction::Incoming, "3");
    assert!(pings >= 2 && pongs >= 2, "{pings} pings, {pongs} pongs");
    assert_stayed_open(&seen);
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_2_ack_latency_and_restart() {
    let mut peer = NodePeer::start("socketio-v2.js", &[]);
    let eio3 = peer.url("/socket.io/?EIO=3&transport=websocket");
    let (handle, mut events) = authenticated_session(provider_config(&eio3, "socket-io")).await;
    let ack = ask_for_a_timed_ack(&handle, &mut events, "add 2 3").await;
    assert_eq!(ack.text(), Some("430[5]"));

    restart_and_wait_for_the_reconnect(&mut peer, &mut events).await;
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "add 4 5").expect("shortcut");
    wait_for(&mut events, "the ack after the restart", |e| {
        frame_text(e, Direction::Incoming).as_deref() == Some("431[9]")
    })
    .await;
    // Still Engine.IO 3 after the restart: we ping, the server answers.
    let seen = collect_for(&mut events, Duration::from_millis(700)).await;
    assert!(
        count_frames(&seen, Direction::Outgoing, "2") > 0
            && count_frames(&seen, Direction::Incoming, "3") > 0,
        "{seen:#?}"
    );
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_2_with_a_bare_url_is_detected() {
    let peer = NodePeer::start("socketio-v2.js", &[]);
    let run = run_with_provider(
        "request",
        &format!("http://127.0.0.1:{}", peer.port),
        "socket-io",
        &["--emit", "add", "2", "3"],
        &[],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout, "[5]\n");
}

// graphql-ws 6 -----------------------------------------------------------------

#[tokio::test]
async fn graphql_ws_listen_query_and_auth_with_the_provider_alone() {
    let peer = NodePeer::start("graphql-ws.js", &["--token", "gql-token"]);
    let url = peer.url("/graphql");
    let listen = listen_to_the_countdown(&url, "graphql-ws", "gql-token").await;
    listen.assert_success();
    assert_eq!(listen.stdout, FOUR_RESULTS);

    let query = run_with_provider(
        "request",
        &url,
        "graphql-ws",
        &[
            "--token-env",
            "GQL_TOKEN",
            "--message",
            "{ add(a: 2, b: 3) }",
        ],
        &[("GQL_TOKEN", "gql-token")],
    )
    .await;
    query.assert_success();
    assert_eq!(query.stdout, "{\"data\":{\"add\":5}}\n");

    let started = Instant::now();
    let refused = listen_to_the_countdown(&url, "graphql-ws", "wrong-token").await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    assert!(refused.stderr.contains("4403 Forbidden"), "{refused:#?}");
    refused.assert_secret_absent("wrong-token");
    assert_not_retried(&refused);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn graphql_ws_without_the_subprotocol_names_it_and_stops() {
    let peer = NodePeer::start("graphql-ws.js", &[]);
    assert_listen_without_the_provider_is_told(
        &peer,
        "4406",
        "requires subprotocol graphql-transport-ws (use --provider graphql-ws",
    )
    .await;
}

#[tokio::test]
async fn graphql_ws_restart_resubscribes() {
    let mut peer = NodePeer::start("graphql-ws.js", &[]);
    let (handle, mut events) =
        authenticated_session(provider_config(&peer.url("/graphql"), "graphql-ws")).await;
    handle
        .compose("subscription { countdown(from: 100000) }")
        .expect("compose");
    wait_for(&mut events, "a result", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.contains("\"next\""))
    })
    .await;
    restart_and_wait_for_the_reconnect(&mut peer, &mut events).await;
    let (_, before) = wait_for(&mut events, "a result after the restart", |e| {
        frame_text(e, Direction::Incoming)
            .is_some_and(|text| text.contains("\"next\"") && text.contains("100000"))
    })
    .await;
    let subscribes = count_outgoing_containing(&before, "\"subscribe\"");
    assert_eq!(subscribes, 1, "re-subscribed exactly once: {before:#?}");
    handle.shutdown().expect("shutdown");
}

// subscriptions-transport-ws 0.11 -----------------------------------------------

#[tokio::test]
async fn apollo_legacy_listen_auth_and_keep_alive() {
    let peer = NodePeer::start("apollo-legacy.js", &["--token", "apollo-token"]);
    let url = peer.url("/graphql");
    let listen = listen_to_the_countdown(&url, "apollo-legacy", "apollo-token").await;
    listen.assert_success();
    assert_eq!(listen.stdout, FOUR_RESULTS);

    let refused = listen_to_the_countdown(&url, "apollo-legacy", "wrong-token").await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    refused.assert_secret_absent("wrong-token");
    assert_not_retried(&refused);

    let config = with_token(provider_config(&url, "apollo-legacy"), "apollo-token");
    let (handle, mut events) = authenticated_session(config).await;
    let seen = collect_for(&mut events, Duration::from_millis(800)).await;
    let keep_alives = seen
        .iter()
        .filter(|e| match e {
            Event::Frame(frame) => frame.decoded.as_ref().is_some_and(|d| d.heartbeat),
            _ => false,
        })
        .count();
    assert!(
        keep_alives >= 2,
        "ka every 300 ms, shown as heartbeats: {seen:#?}"
    );
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn apollo_legacy_query_and_restart_resubscribes() {
    let mut peer = NodePeer::start("apollo-legacy.js", &[]);
    let url = peer.url("/graphql");
    let query = run_with_provider(
        "request",
        &url,
        "apollo-legacy",
        &["--message", "{ add(a: 2, b: 3) }"],
        &[],
    )
    .await;
    query.assert_success();
    assert_eq!(query.stdout, "{\"data\":{\"add\":5}}\n");

    let (handle, mut events) = authenticated_session(provider_config(&url, "apollo-legacy")).await;
    handle
        .compose("subscription { countdown(from: 100000) }")
        .expect("compose");
    wait_for(&mut events, "a result", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.contains("\"data\""))
    })
    .await;
    restart_and_wait_for_the_reconnect(&mut peer, &mut events).await;
    let (_, before) = wait_for(&mut events, "a result after the restart", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.contains("100000"))
    })
    .await;
    let starts = count_outgoing_containing(&before, "\"start\"");
    assert_eq!(starts, 1, "re-started exactly once: {before:#?}");
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn apollo_legacy_without_the_subprotocol_names_it_and_stops() {
    let peer = NodePeer::start("apollo-legacy.js", &[]);
    assert_listen_without_the_provider_is_told(
        &peer,
        "1002",
        "graphql-ws (use --provider apollo-legacy)",
    )
    .await;
}

#[tokio::test]
async fn a_raw_session_recognises_the_protocol_and_switches() {
    let peer = NodePeer::start("socketio.js", &[]);
    let url = peer.url("/socket.io/?EIO=4&transport=websocket");
    let (handle, mut events) = common::connected_session(fast_config(&url));
    let (recognised, _) = wait_for(&mut events, "the protocol recognised", |e| {
        matches!(e, Event::ProviderRecognised { .. })
    })
    .await;
    assert!(
        matches!(
            recognised,
            Event::ProviderRecognised {
                provider: "socket-io",
                ..
            }
        ),
        "{recognised:?}"
    );
    handle
        .command(session::Command::SetProvider("socket-io".into()))
        .expect("switch");
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "add 1 1").expect("shortcut");
    wait_for(&mut events, "the ack", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.ends_with("[2]"))
    })
    .await;
    assert!(
        !matches!(
            collect_for(&mut events, Duration::from_millis(50))
                .await
                .last(),
            Some(Event::Error {
                kind: ErrorKind::InvalidInput,
                ..
            })
        ),
        "the switch is accepted"
    );
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn a_graphql_error_reply_is_a_failed_request_and_a_raw_link_is_recognised() {
    let peer = NodePeer::start("graphql-ws.js", &[]);
    let url = peer.url("/graphql");
    let error = run_with_provider(
        "request",
        &url,
        "graphql-ws",
        &["--message", "{ nope }"],
        &[],
    )
    .await;
    assert_eq!(error.code, 6, "{error:#?}");
    assert!(
        error.stderr.contains("the server answered with an error")
            && error.stderr.contains("Cannot query field"),
        "{error:#?}"
    );

    let legacy = NodePeer::start("apollo-legacy.js", &[]);
    let raw = run_wsdeck(
        &[
            "listen",
            &legacy.url("/graphql"),
            "-s",
            "graphql-ws",
            "--duration",
            "1s",
        ],
        &[],
    )
    .await;
    assert!(
        raw.stderr
            .contains("this looks like apollo-legacy (the subprotocol the server agreed to): use --provider apollo-legacy"),
        "{raw:#?}"
    );
}
