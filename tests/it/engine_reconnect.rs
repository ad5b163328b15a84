//! Reconnection over real sockets: after a dropped link, after the server restarts on
//! the same port (with backoff delays inside their jittered bounds), queued messages
//! delivered once and in order, no reconnect after a user close or a 1000, and the
//! give-up limit counting consecutive failures only (a flapping server that accepts
//! every connection is never given up on, but its backoff keeps growing).

use crate::common;

use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::peer::{send_then_close, serve_each};
use common::{collect_for, fast_config, incoming_text, wait_for, wait_for_state};
use wsdeck::server::{Server, ServerConfig};
use wsdeck::session::{self, ConnectionState, Direction, Event, FrameKind};

async fn server_on(port: u16) -> Server {
    Server::bind(ServerConfig {
        port,
        ..ServerConfig::default()
    })
    .await
    .expect("server binds")
}

#[tokio::test(start_paused = true)]
async fn reconnects_after_drop_with_1006() {
    let server = server_on(0).await;
    let config = fast_config(&server.url());
    let policy = config.reconnect.backoff;
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.send_text(r#"{"cmd":"drop"}"#).unwrap();
    let (closed, before) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(outcome.code, Some(1006));
    assert!(!outcome.clean && !outcome.by_peer);
    // A dropped link is an I/O loss, not a protocol breach.
    assert!(
        before.iter().any(|e| matches!(
            e,
            Event::Error {
                kind: session::ErrorKind::Io,
                ..
            }
        )),
        "{before:#?}"
    );
    assert!(
        !before.iter().any(|e| matches!(
            e,
            Event::Error {
                kind: session::ErrorKind::Protocol,
                ..
            }
        )),
        "{before:#?}"
    );
    let (scheduled, _) = wait_for(&mut events, "reconnect scheduled", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    let Event::ReconnectScheduled {
        attempt,
        max_attempts,
        delay,
    } = scheduled
    else {
        unreachable!()
    };
    assert_eq!((attempt, max_attempts), (1, Some(10)));
    let (low, high) = policy.bounds(1);
    assert!(
        delay >= low && delay <= high,
        "{delay:?} not in [{low:?}, {high:?}]"
    );
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.send_text("after").unwrap();
    let (echo, _) = wait_for(&mut events, "echo", |e| incoming_text(e).is_some()).await;
    assert_eq!(incoming_text(&echo).as_deref(), Some("after"));
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn reconnects_when_server_restarts_and_delivers_queue_in_order_once() {
    let server = server_on(0).await;
    let port = server.local_addr().port();
    let config = fast_config(&server.url());
    let policy = config.reconnect.backoff;
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;

    server.shutdown().await;
    let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(outcome.code, Some(1001), "{outcome:?}");
    assert!(outcome.by_peer);

    // While the server is down: messages queue, attempts are refused and back off.
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(handle.send_text(format!("queued {n}")).unwrap());
    }
    let mut delays = Vec::new();
    let mut queued = 0;
    while delays.len() < 3 {
        let (event, _) = wait_for(&mut events, "reconnect scheduling", |e| {
            matches!(e, Event::ReconnectScheduled { .. } | Event::Queued { .. })
        })
        .await;
        match event {
            Event::ReconnectScheduled { attempt, delay, .. } => delays.push((attempt, delay)),
            Event::Queued { .. } => queued += 1,
            _ => unreachable!(),
        }
    }
    assert_eq!(queued, 5, "each message reported as queued");
    for (attempt, delay) in &delays {
        let (low, high) = policy.bounds(*attempt);
        assert!(
            *delay >= low && *delay <= high,
            "attempt {attempt}: {delay:?} not in [{low:?}, {high:?}]"
        );
    }
    assert_eq!(
        delays.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );

    let restarted = server_on(port).await;
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let mut sent = Vec::new();
    let mut echoed = Vec::new();
    while echoed.len() < 5 {
        let (event, _) = wait_for(&mut events, "queued echoes", |e| {
            matches!(e, Event::Frame(_))
        })
        .await;
        let Event::Frame(frame) = event else {
            unreachable!()
        };
        match (frame.direction, frame.kind) {
            (Direction::Outgoing, FrameKind::Text) => sent.push(frame.id),
            (Direction::Incoming, FrameKind::Text) => {
                echoed.push(frame.text().unwrap().to_string())
            }
            _ => {}
        }
    }
    assert_eq!(sent, ids, "sent in submission order");
    let expected: Vec<String> = (0..5).map(|n| format!("queued {n}")).collect();
    assert_eq!(echoed, expected);
    // Delivered once: nothing more arrives.
    let extra = collect_for(&mut events, Duration::from_millis(300)).await;
    assert!(
        !extra.iter().any(|e| incoming_text(e).is_some()),
        "duplicate delivery: {extra:#?}"
    );
    handle.shutdown().unwrap();
    restarted.shutdown().await;
}

/// Nothing reconnects within a generous window.
async fn assert_no_reconnect(events: &mut session::EventReceiver) {
    let after = collect_for(events, Duration::from_millis(600)).await;
    assert!(
        !after
            .iter()
            .any(|e| matches!(e, Event::ReconnectScheduled { .. } | Event::Opened(_))),
        "{after:#?}"
    );
}

#[tokio::test(start_paused = true)]
async fn no_reconnect_after_user_close_or_server_1000() {
    let server = server_on(0).await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.close(4000, "done").unwrap();
    wait_for_state(&mut events, ConnectionState::Disconnected).await;
    assert_no_reconnect(&mut events).await;

    handle.connect().unwrap();
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .send_text(r#"{"cmd":"close","code":1000,"reason":"normal"}"#)
        .unwrap();
    wait_for_state(&mut events, ConnectionState::Disconnected).await;
    assert_no_reconnect(&mut events).await;
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn retries_1012_and_1013_but_not_1008() {
    let server = server_on(0).await;
    for (code, retried) in [(1012, true), (1013, true), (1011, true), (1008, false)] {
        let (handle, mut events) = common::connected_session(fast_config(&server.url()));
        wait_for_state(&mut events, ConnectionState::Connected).await;
        let command = format!(r#"{{"cmd":"close","code":{code},"reason":"x"}}"#);
        handle.send_text(command).unwrap();
        let (next, _) = wait_for(&mut events, "decision", |e| {
            matches!(
                e,
                Event::ReconnectScheduled { .. } | Event::StateChanged(ConnectionState::Error)
            )
        })
        .await;
        assert_eq!(
            matches!(next, Event::ReconnectScheduled { .. }),
            retried,
            "code {code}"
        );
        handle.shutdown().unwrap();
    }
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts() {
    // A port with nothing listening: bind, note the port, release it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = fast_config(&format!("ws://127.0.0.1:{port}"));
    config.reconnect.max_attempts = 2;
    let (handle, mut events) = common::connected_session(config);
    let (gave_up, seen) = wait_for(&mut events, "give up", |e| {
        matches!(
            e,
            Event::Error {
                kind: session::ErrorKind::GaveUp,
                ..
            }
        )
    })
    .await;
    let attempts = seen
        .iter()
        .filter(|e| matches!(e, Event::ReconnectScheduled { .. }))
        .count();
    assert_eq!(attempts, 2);
    let refused = seen
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Error {
                    kind: session::ErrorKind::Refused,
                    ..
                }
            )
        })
        .count();
    assert_eq!(refused, 3, "initial attempt plus two retries");
    let Event::Error { message, .. } = gave_up else {
        unreachable!()
    };
    assert!(
        message.contains("2 failed attempts") && message.contains("refused"),
        "{message}"
    );
    wait_for_state(&mut events, ConnectionState::Error).await;
    handle.shutdown().unwrap();
}

#[tokio::test(start_paused = true)]
async fn pong_timeout_detected_within_interval_plus_timeout() {
    let server = server_on(0).await;
    let mut config = fast_config(&server.url());
    config.keepalive.ping_interval = Duration::from_millis(300);
    config.keepalive.pong_timeout = Duration::from_millis(400);
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    // A healthy link answers pings and reports RTT.
    let (rtt, _) = wait_for(&mut events, "rtt", |e| matches!(e, Event::Rtt(_))).await;
    let Event::Rtt(rtt) = rtt else { unreachable!() };
    assert!(rtt.count >= 1 && rtt.last < Duration::from_millis(300));

    let stalled_at = tokio::time::Instant::now();
    handle.send_text(r#"{"cmd":"stall"}"#).unwrap();
    let (timeout, _) = wait_for(&mut events, "pong timeout", |e| {
        matches!(
            e,
            Event::Error {
                kind: session::ErrorKind::Timeout,
                ..
            }
        )
    })
    .await;
    let elapsed = stalled_at.elapsed();
    assert!(
        elapsed <= Duration::from_millis(300 + 400 + 400),
        "detected after {elapsed:?}"
    );
    // On the paused clock the time is exact: never before the pong timeout.
    assert!(
        elapsed >= Duration::from_millis(400),
        "detected after {elapsed:?}"
    );
    let Event::Error { message, .. } = timeout else {
        unreachable!()
    };
    assert!(message.contains("pong"), "{message}");
    let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(outcome.code, Some(1006));
    wait_for(&mut events, "reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn backoff_resets_after_a_stable_connection() {
    let server = server_on(0).await;
    let mut config = fast_config(&server.url());
    config.reconnect.stable_after = Duration::from_millis(400);
    let policy = config.reconnect.backoff;
    let (handle, mut events) = common::connected_session(config);
    let mut seen = Vec::new();
    // Two quick drops grow the backoff; a drop after a stable spell starts it again.
    // Every connection was ready, so none of them counts as a failed attempt.
    for pause in [Duration::ZERO, Duration::ZERO, Duration::from_millis(600)] {
        wait_for_state(&mut events, ConnectionState::Connected).await;
        tokio::time::sleep(pause).await;
        handle.send_text(r#"{"cmd":"drop"}"#).unwrap();
        let (scheduled, _) = wait_for(&mut events, "reconnect scheduled", |e| {
            matches!(e, Event::ReconnectScheduled { .. })
        })
        .await;
        let Event::ReconnectScheduled { attempt, delay, .. } = scheduled else {
            unreachable!()
        };
        seen.push((attempt, delay));
    }
    let attempts: Vec<u32> = seen.iter().map(|(attempt, _)| *attempt).collect();
    assert_eq!(attempts, vec![1, 1, 1]);
    for ((_, delay), step) in seen.iter().zip([1, 2, 1]) {
        let (low, high) = policy.bounds(step);
        assert!(
            *delay >= low && *delay <= high,
            "step {step}: {delay:?} not in [{low:?}, {high:?}] ({seen:?})"
        );
    }
    handle.shutdown().unwrap();
    server.shutdown().await;
}

/// A server that accepts every upgrade and closes it at once with 1011: each
/// connection reaches ready, then ends.
async fn flapping_server() -> String {
    let peer = serve_each(|mut socket| async move {
        send_then_close(&mut socket, [], 1011, "flap").await;
    })
    .await;
    peer.url
}

#[tokio::test(start_paused = true)]
async fn a_flapping_server_uses_up_no_attempts_but_the_backoff_grows() {
    let url = flapping_server().await;
    let mut config = fast_config(&url);
    config.reconnect.max_attempts = 3;
    config.reconnect.backoff = wsdeck::session::backoff::BackoffPolicy {
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(80),
        jitter: 0.0,
    };
    let (handle, mut events) = common::connected_session(config);
    let mut delays = Vec::new();
    // Eight connections, each ready then closed: more than the attempt limit of three.
    while delays.len() < 8 {
        let (scheduled, before) = wait_for(&mut events, "a reconnect", |e| {
            matches!(e, Event::ReconnectScheduled { .. })
        })
        .await;
        assert!(
            !before.iter().any(|e| matches!(
                e,
                Event::Error {
                    kind: session::ErrorKind::GaveUp,
                    ..
                }
            )),
            "gave up on a server that accepts every connection: {before:#?}"
        );
        let Event::ReconnectScheduled { attempt, delay, .. } = scheduled else {
            unreachable!()
        };
        assert_eq!(attempt, 1, "each ready connection resets the failure count");
        delays.push(delay);
    }
    assert!(
        delays.windows(2).all(|pair| pair[0] <= pair[1]) && delays[7] == Duration::from_millis(80),
        "connections shorter than stable_after keep the backoff growing: {delays:?}"
    );
    handle.shutdown().unwrap();
}

#[tokio::test(start_paused = true)]
async fn giving_up_counts_consecutive_failures_and_names_the_last_error() {
    // A port nothing listens on: every attempt fails.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    drop(listener);
    let mut config = fast_config(&url);
    config.reconnect.max_attempts = 2;
    config.reconnect.backoff.initial_delay = Duration::from_millis(10);
    let (handle, mut events) = common::connected_session(config);
    let (gave_up, _) = wait_for(&mut events, "give up", |e| {
        matches!(
            e,
            Event::Error {
                kind: session::ErrorKind::GaveUp,
                ..
            }
        )
    })
    .await;
    let Event::Error { message, .. } = gave_up else {
        unreachable!()
    };
    assert!(
        message.starts_with(
            "gave up reconnecting after 2 failed attempts; last error: connection refused"
        ),
        "{message}"
    );
    handle.shutdown().unwrap();
}

/// A server whose first connection reads `read_first` messages and then dies without
/// a close frame; later connections read everything, counting what arrives.
async fn dies_after_reading(read_first: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    use futures_util::StreamExt;
    let later = Arc::new(Mutex::new(Vec::new()));
    let seen = later.clone();
    let first = Arc::new(AtomicBool::new(true));
    let peer = serve_each(move |mut socket| {
        let (seen, first) = (seen.clone(), first.clone());
        async move {
            if first.swap(false, Ordering::SeqCst) {
                for _ in 0..read_first {
                    let _ = socket.next().await;
                }
                return;
            }
            while let Some(Ok(message)) = socket.next().await {
                if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                    seen.lock().unwrap().push(text.to_string());
                }
            }
        }
    })
    .await;
    (peer.url, later)
}

#[tokio::test]
async fn messages_a_dying_server_never_confirmed_are_reported_and_sent_again() {
    let (url, later) = dies_after_reading(50).await;
    let (handle, mut events) = common::connected_session(fast_config(&url));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let sent: Vec<u64> = (0..100)
        .map(|n| handle.send_text(format!("m{n}")).unwrap())
        .collect();
    let (unconfirmed, _) = wait_for(
        &mut events,
        "the unconfirmed report",
        |e| matches!(e, Event::Unconfirmed { ids, .. } if !ids.is_empty()),
    )
    .await;
    let Event::Unconfirmed { ids, total } = unconfirmed else {
        unreachable!()
    };
    // The server said nothing after the messages went out: none of those written is
    // confirmed. Those not written yet stayed in the queue.
    assert_eq!(total, ids.len());
    let written = ids.len();
    assert!(written >= 50, "{ids:?}");
    assert_eq!(
        ids,
        sent[..written],
        "the first {written} messages, in order"
    );
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .command(session::Command::ResendUnconfirmed)
        .expect("resend");
    let (cleared, _) = wait_for(
        &mut events,
        "the resend",
        |e| matches!(e, Event::Unconfirmed { ids, .. } if ids.is_empty()),
    )
    .await;
    assert!(matches!(cleared, Event::Unconfirmed { total: 0, .. }));
    // The queue goes out as soon as the new link is ready; the unconfirmed ones when
    // the user asks. Each message arrives once.
    let expected: Vec<String> = (written..100)
        .chain(0..written)
        .map(|n| format!("m{n}"))
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while later.lock().unwrap().len() < expected.len() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(*later.lock().unwrap(), expected);
    handle.shutdown().unwrap();
}

#[tokio::test]
async fn an_echoing_server_confirms_what_it_answered() {
    let server = server_on(0).await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.send_text("one").unwrap();
    wait_for(
        &mut events,
        "the echo",
        |e| matches!(e, Event::Frame(frame) if frame.direction == Direction::Incoming),
    )
    .await;
    handle.send_text(r#"{"cmd":"drop"}"#).unwrap();
    let (_, seen) = wait_for(&mut events, "the reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    let reported: Vec<&Vec<u64>> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Unconfirmed { ids, .. } => Some(ids),
            _ => None,
        })
        .collect();
    // Only the drop command itself went unanswered.
    assert_eq!(reported.len(), 1, "{seen:#?}");
    assert_eq!(reported[0].len(), 1);
    handle.shutdown().unwrap();
    server.shutdown().await;
}
