//! Each provider against its reference implementation, as users run it: the official
//! Node servers in tests/peers (Socket.IO 4.8 and 2.5, graphql-ws 6 on `ws`,
//! subscriptions-transport-ws 0.11), with URLs as people type them and `--provider`
//! alone. Headless commands run the real binary; the long-lived checks (heartbeats,
//! restarts, acks with latency) drive the session engine over the same sockets.

use crate::common;

use std::time::{Duration, Instant};

use common::binary::{Run, run_wsdeck};
use common::peers::NodePeer;
use common::{collect_for, fast_config, wait_for, wait_for_state};
use wsdeck::protocol::Correlation;
use wsdeck::session::{self, ConnectionState, Direction, ErrorKind, Event, Secret};

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
    let (error, _) = wait_for(events, "the refusal", |e| matches!(e, Event::Error { .. })).await;
    assert!(
        matches!(&error, Event::Error { kind: got, .. } if *got == kind),
        "{error:?}"
    );
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

/// The text of an outgoing or incoming data frame.
fn frame_text(event: &Event, direction: Direction) -> Option<String> {
    match event {
        Event::Frame(frame) if frame.direction == direction => frame.text().map(str::to_owned),
        _ => None,
    }
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
        let run = run_wsdeck(
            &[
                "request",
                &url,
                "--provider",
                "socket-io",
                "--emit",
                "add",
                "2",
                "3",
            ],
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
    let json = run_wsdeck(
        &[
            "request",
            &format!("http://127.0.0.1:{}", peer.port),
            "--provider",
            "socket-io",
            "--emit",
            "add",
            "2",
            "3",
            "--json",
        ],
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
    let run = run_wsdeck(
        &[
            "request",
            &peer.url("/custom-path/"),
            "--provider",
            "socket-io",
            "--emit",
            "add",
            "20",
            "22",
        ],
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
        common::connected_session(provider_config(&peer.url(""), "socket-io"));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;

    // The server pings every 300 ms and drops a client that does not answer within
    // 400 ms: two intervals and more pass with the link up and every ping answered.
    let seen = collect_for(&mut events, Duration::from_millis(1100)).await;
    let pings = seen
        .iter()
        .filter(|e| frame_text(e, Direction::Incoming).as_deref() == Some("2"))
        .count();
    let pongs = seen
        .iter()
        .filter(|e| frame_text(e, Direction::Outgoing).as_deref() == Some("3"))
        .count();
    assert!(pings >= 2 && pongs >= pings, "{pings} pings, {pongs} pongs");
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Closed(_))),
        "{seen:#?}"
    );

    handle.shortcut("ack", "add 2 3").expect("shortcut");
    let (ack, _) = wait_for(&mut events, "the ack", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.starts_with("43"))
    })
    .await;
    let Event::Frame(ack) = ack else {
        unreachable!()
    };
    assert!(
        ack.text().is_some_and(|text| text.ends_with("[5]")),
        "{ack:?}"
    );
    match ack.decoded.and_then(|decoded| decoded.correlation) {
        Some(Correlation::Response { ok, latency, .. }) => {
            assert!(ok);
            assert!(latency.is_some(), "the ack's latency is measured");
        }
        other => panic!("the ack is correlated: {other:?}"),
    }

    // A crash and a restart on the same port: the handshake runs again.
    peer.restart();
    wait_for(&mut events, "the reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
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
    let mut good = provider_config(&peer.url(""), "socket-io");
    good.auth.token = Some(Secret::new("right-token"));
    let (handle, mut events) = common::connected_session(good);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shutdown().expect("shutdown");

    let refused = run_wsdeck(
        &[
            "request",
            &peer.url(""),
            "--provider",
            "socket-io",
            "--token-env",
            "SIO_TOKEN",
            "--emit",
            "add",
            "1",
            "1",
        ],
        &[("SIO_TOKEN", "wrong-token")],
    )
    .await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    refused.assert_secret_absent("wrong-token");
    assert_not_retried(&refused);

    // `listen` reconnects after a lost link, but not after a refusal.
    let started = Instant::now();
    let listen = run_wsdeck(
        &[
            "listen",
            &format!("http://127.0.0.1:{}", peer.port),
            "--provider",
            "socket-io",
            "--token-env",
            "SIO_TOKEN",
        ],
        &[("SIO_TOKEN", "wrong-token")],
    )
    .await;
    assert_eq!(listen.code, 5, "{listen:#?}");
    assert!(listen.stderr.contains("unauthorized"), "{listen:#?}");
    listen.assert_secret_absent("wrong-token");
    assert_not_retried(&listen);
    assert!(started.elapsed() < Duration::from_secs(5), "{listen:#?}");

    let mut bad = provider_config(&peer.url(""), "socket-io");
    bad.auth.token = Some(Secret::new("wrong-token"));
    let (handle, mut events) = common::connected_session(bad);
    assert_engine_stops(&mut events, ErrorKind::Auth).await;
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_admin_namespace_and_echo() {
    let peer = NodePeer::start("socketio.js", &[]);
    let echo = run_wsdeck(
        &[
            "request",
            &peer.url("/"),
            "--provider",
            "socket-io",
            "--emit",
            "echo",
            "a",
            "{\"b\":1}",
            "3",
        ],
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
    let run = run_wsdeck(
        &[
            "request",
            &eio3,
            "--provider",
            "socket-io",
            "--auth",
            "query-param",
            "--token-env",
            "SIO_TOKEN",
            "--emit",
            "add",
            "2",
            "3",
        ],
        &[("SIO_TOKEN", "v2-token")],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout, "[5]\n");

    let refused = run_wsdeck(
        &[
            "request",
            &eio3,
            "--provider",
            "socket-io",
            "--auth",
            "query-param",
            "--token-env",
            "SIO_TOKEN",
            "--emit",
            "add",
            "2",
            "3",
        ],
        &[("SIO_TOKEN", "not-the-token")],
    )
    .await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    assert!(refused.stderr.contains("unauthorized"), "{refused:#?}");

    // In Engine.IO 3 the client pings: every 300 ms, answered by the server.
    let mut config = provider_config(&eio3, "socket-io");
    config.auth.method = session::AuthMethod::QueryParam;
    config.auth.token = Some(Secret::new("v2-token"));
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    let seen = collect_for(&mut events, Duration::from_millis(1100)).await;
    let pings = seen
        .iter()
        .filter(|e| frame_text(e, Direction::Outgoing).as_deref() == Some("2"))
        .count();
    let pongs = seen
        .iter()
        .filter(|e| frame_text(e, Direction::Incoming).as_deref() == Some("3"))
        .count();
    assert!(pings >= 2 && pongs >= 2, "{pings} pings, {pongs} pongs");
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Closed(_))),
        "{seen:#?}"
    );
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_2_ack_latency_and_restart() {
    let mut peer = NodePeer::start("socketio-v2.js", &[]);
    let eio3 = peer.url("/socket.io/?EIO=3&transport=websocket");
    let (handle, mut events) = common::connected_session(provider_config(&eio3, "socket-io"));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "add 2 3").expect("shortcut");
    let (ack, _) = wait_for(&mut events, "the ack", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.starts_with("43"))
    })
    .await;
    let Event::Frame(ack) = ack else {
        unreachable!()
    };
    assert_eq!(ack.text(), Some("430[5]"));
    match ack.decoded.and_then(|decoded| decoded.correlation) {
        Some(Correlation::Response { ok, latency, .. }) => {
            assert!(ok);
            assert!(latency.is_some(), "the ack's latency is measured");
        }
        other => panic!("the ack is correlated: {other:?}"),
    }

    peer.restart();
    wait_for(&mut events, "the reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.shortcut("ack", "add 4 5").expect("shortcut");
    wait_for(&mut events, "the ack after the restart", |e| {
        frame_text(e, Direction::Incoming).as_deref() == Some("431[9]")
    })
    .await;
    // Still Engine.IO 3 after the restart: we ping, the server answers.
    let seen = collect_for(&mut events, Duration::from_millis(700)).await;
    assert!(
        seen.iter()
            .any(|e| frame_text(e, Direction::Outgoing).as_deref() == Some("2"))
            && seen
                .iter()
                .any(|e| frame_text(e, Direction::Incoming).as_deref() == Some("3")),
        "{seen:#?}"
    );
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn socket_io_2_with_a_bare_url_is_detected() {
    let peer = NodePeer::start("socketio-v2.js", &[]);
    let run = run_wsdeck(
        &[
            "request",
            &format!("http://127.0.0.1:{}", peer.port),
            "--provider",
            "socket-io",
            "--emit",
            "add",
            "2",
            "3",
        ],
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
    let env = [("GQL_TOKEN", "gql-token")];
    let listen = run_wsdeck(
        &[
            "listen",
            &url,
            "--provider",
            "graphql-ws",
            "--token-env",
            "GQL_TOKEN",
            "--subscribe",
            COUNTDOWN,
        ],
        &env,
    )
    .await;
    listen.assert_success();
    assert_eq!(listen.stdout, FOUR_RESULTS);

    let query = run_wsdeck(
        &[
            "request",
            &url,
            "--provider",
            "graphql-ws",
            "--token-env",
            "GQL_TOKEN",
            "--message",
            "{ add(a: 2, b: 3) }",
        ],
        &env,
    )
    .await;
    query.assert_success();
    assert_eq!(query.stdout, "{\"data\":{\"add\":5}}\n");

    let started = Instant::now();
    let refused = run_wsdeck(
        &[
            "listen",
            &url,
            "--provider",
            "graphql-ws",
            "--token-env",
            "GQL_TOKEN",
            "--subscribe",
            COUNTDOWN,
        ],
        &[("GQL_TOKEN", "wrong-token")],
    )
    .await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    assert!(refused.stderr.contains("4403 Forbidden"), "{refused:#?}");
    refused.assert_secret_absent("wrong-token");
    assert_not_retried(&refused);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn graphql_ws_without_the_subprotocol_names_it_and_stops() {
    let peer = NodePeer::start("graphql-ws.js", &[]);
    let started = Instant::now();
    let run = run_wsdeck(&["listen", &peer.url("/graphql")], &[]).await;
    assert_eq!(run.code, 6, "{run:#?}");
    assert!(
        run.stderr.contains("4406")
            && run
                .stderr
                .contains("requires subprotocol graphql-transport-ws (use --provider graphql-ws"),
        "{run:#?}"
    );
    assert_not_retried(&run);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "ends promptly: {run:#?}"
    );
}

#[tokio::test]
async fn graphql_ws_restart_resubscribes() {
    let mut peer = NodePeer::start("graphql-ws.js", &[]);
    let (handle, mut events) =
        common::connected_session(provider_config(&peer.url("/graphql"), "graphql-ws"));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .compose("subscription { countdown(from: 100000) }")
        .expect("compose");
    wait_for(&mut events, "a result", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.contains("\"next\""))
    })
    .await;
    peer.restart();
    wait_for(&mut events, "the reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    let (_, before) = wait_for(&mut events, "a result after the restart", |e| {
        frame_text(e, Direction::Incoming)
            .is_some_and(|text| text.contains("\"next\"") && text.contains("100000"))
    })
    .await;
    let subscribes = before
        .iter()
        .filter(|e| {
            frame_text(e, Direction::Outgoing).is_some_and(|text| text.contains("\"subscribe\""))
        })
        .count();
    assert_eq!(subscribes, 1, "re-subscribed exactly once: {before:#?}");
    handle.shutdown().expect("shutdown");
}

// subscriptions-transport-ws 0.11 -----------------------------------------------

#[tokio::test]
async fn apollo_legacy_listen_auth_and_keep_alive() {
    let peer = NodePeer::start("apollo-legacy.js", &["--token", "apollo-token"]);
    let url = peer.url("/graphql");
    let listen = run_wsdeck(
        &[
            "listen",
            &url,
            "--provider",
            "apollo-legacy",
            "--token-env",
            "GQL_TOKEN",
            "--subscribe",
            COUNTDOWN,
        ],
        &[("GQL_TOKEN", "apollo-token")],
    )
    .await;
    listen.assert_success();
    assert_eq!(listen.stdout, FOUR_RESULTS);

    let refused = run_wsdeck(
        &[
            "listen",
            &url,
            "--provider",
            "apollo-legacy",
            "--token-env",
            "GQL_TOKEN",
            "--subscribe",
            COUNTDOWN,
        ],
        &[("GQL_TOKEN", "wrong-token")],
    )
    .await;
    assert_eq!(refused.code, 5, "{refused:#?}");
    refused.assert_secret_absent("wrong-token");
    assert_not_retried(&refused);

    let mut config = provider_config(&url, "apollo-legacy");
    config.auth.token = Some(Secret::new("apollo-token"));
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
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
    let query = run_wsdeck(
        &[
            "request",
            &url,
            "--provider",
            "apollo-legacy",
            "--message",
            "{ add(a: 2, b: 3) }",
        ],
        &[],
    )
    .await;
    query.assert_success();
    assert_eq!(query.stdout, "{\"data\":{\"add\":5}}\n");

    let (handle, mut events) = common::connected_session(provider_config(&url, "apollo-legacy"));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .compose("subscription { countdown(from: 100000) }")
        .expect("compose");
    wait_for(&mut events, "a result", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.contains("\"data\""))
    })
    .await;
    peer.restart();
    wait_for(&mut events, "the reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    let (_, before) = wait_for(&mut events, "a result after the restart", |e| {
        frame_text(e, Direction::Incoming).is_some_and(|text| text.contains("100000"))
    })
    .await;
    let starts = before
        .iter()
        .filter(|e| {
            frame_text(e, Direction::Outgoing).is_some_and(|text| text.contains("\"start\""))
        })
        .count();
    assert_eq!(starts, 1, "re-started exactly once: {before:#?}");
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn apollo_legacy_without_the_subprotocol_names_it_and_stops() {
    let peer = NodePeer::start("apollo-legacy.js", &[]);
    let started = Instant::now();
    let run = run_wsdeck(&["listen", &peer.url("/graphql")], &[]).await;
    assert_eq!(run.code, 6, "{run:#?}");
    assert!(
        run.stderr.contains("1002")
            && run
                .stderr
                .contains("graphql-ws (use --provider apollo-legacy)"),
        "{run:#?}"
    );
    assert_not_retried(&run);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "ends promptly: {run:#?}"
    );
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
    let error = run_wsdeck(
        &[
            "request",
            &url,
            "--provider",
            "graphql-ws",
            "--message",
            "{ nope }",
        ],
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
