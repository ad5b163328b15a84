//! Everyday engine behaviour over real sockets against the built-in server: echo,
//! RTT from our pings, the server's pings answered, the rate limit, stats, and the
//! queue bound reported instead of a silent drop.

use crate::common;

use std::time::Duration;

use common::{collect_for, fast_config, incoming_text, wait_for, wait_for_state};
use wsdeck::server::ServerConfig;
use wsdeck::session::{self, ConnectionState, Direction, ErrorKind, Event, FrameKind, PayloadKind};

#[tokio::test]
async fn echoes_text_and_binary_and_reports_frames() {
    let server = common::echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    let seen = wait_for_state(&mut events, ConnectionState::Connected).await;
    assert_eq!(
        seen.first(),
        Some(&Event::StateChanged(ConnectionState::Connecting))
    );
    let text_id = handle.send_text(r#"{"hello":1}"#).unwrap();
    let (out, _) = wait_for(
        &mut events,
        "outgoing",
        |e| matches!(e, Event::Frame(f) if f.direction == Direction::Outgoing),
    )
    .await;
    let Event::Frame(out) = out else {
        unreachable!()
    };
    assert_eq!(
        (out.id, out.kind, &out.payload[..]),
        (text_id, FrameKind::Text, &b"{\"hello\":1}"[..])
    );
    let (echo, _) = wait_for(&mut events, "echo", |e| incoming_text(e).is_some()).await;
    assert_eq!(incoming_text(&echo).as_deref(), Some(r#"{"hello":1}"#));

    handle
        .send(vec![0u8, 159, 146, 150], PayloadKind::Binary)
        .unwrap();
    let (echo, _) = wait_for(&mut events, "binary echo", |e| {
        matches!(e, Event::Frame(f) if f.direction == Direction::Incoming && f.kind == FrameKind::Binary)
    })
    .await;
    let Event::Frame(echo) = echo else {
        unreachable!()
    };
    assert_eq!(&echo.payload[..], &[0u8, 159, 146, 150]);
    handle.shutdown().unwrap();
    let (_, rest) = wait_for(&mut events, "stopped", |e| *e == Event::Stopped).await;
    assert!(
        rest.iter()
            .any(|e| matches!(e, Event::Closed(c) if c.code == Some(1000) && c.clean))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_utf8_text_is_refused_not_sent() {
    let server = common::echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let id = handle.send(vec![0xff, 0xfe], PayloadKind::Text).unwrap();
    let (failed, _) = wait_for(&mut events, "send failed", |e| {
        matches!(e, Event::SendFailed { .. })
    })
    .await;
    assert!(
        matches!(failed, Event::SendFailed { id: failed_id, kind: ErrorKind::InvalidInput, .. } if failed_id == id)
    );
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn ping_rtt_is_reported_and_manual_ping_works() {
    let server = common::echo_server().await;
    let mut config = fast_config(&server.url());
    config.keepalive.ping_interval = Duration::from_millis(100);
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let mut counts = Vec::new();
    for _ in 0..3 {
        let (rtt, _) = wait_for(&mut events, "rtt", |e| matches!(e, Event::Rtt(_))).await;
        let Event::Rtt(rtt) = rtt else { unreachable!() };
        assert!(rtt.min <= rtt.avg && rtt.last >= rtt.min);
        counts.push(rtt.count);
    }
    assert_eq!(counts, vec![1, 2, 3]);
    handle.ping().unwrap();
    let (_, before) = wait_for(&mut events, "manual rtt", |e| matches!(e, Event::Rtt(_))).await;
    assert!(before.iter().any(|e| matches!(e, Event::Frame(f) if f.kind == FrameKind::Pong && f.direction == Direction::Incoming)));
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn server_pings_are_answered_so_heartbeat_keeps_us() {
    let server = common::server_with(ServerConfig {
        heartbeat: Some(Duration::from_millis(150)),
        ..ServerConfig::default()
    })
    .await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let seen = collect_for(&mut events, Duration::from_millis(1000)).await;
    let pings = seen.iter().filter(|e| matches!(e, Event::Frame(f) if f.kind == FrameKind::Ping && f.direction == Direction::Incoming)).count();
    let pongs = seen.iter().filter(|e| matches!(e, Event::Frame(f) if f.kind == FrameKind::Pong && f.direction == Direction::Outgoing)).count();
    assert!(pings >= 4, "server pinged {pings} times: {seen:#?}");
    assert_eq!(pings, pongs);
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Closed(_))),
        "dropped: {seen:#?}"
    );
    assert_eq!(server.connection_count(), 1);
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn rate_limit_holds_over_a_window() {
    let server = common::echo_server().await;
    let mut config = fast_config(&server.url());
    config.rate_limit = 40;
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let started = tokio::time::Instant::now();
    for n in 0..100 {
        handle.send_text(format!("m{n}")).unwrap();
    }
    let mut sent_at = Vec::new();
    let mut stats = None;
    while sent_at.len() < 100 {
        let (event, _) = wait_for(&mut events, "outgoing frames", |e| {
            matches!(e, Event::Frame(f) if f.direction == Direction::Outgoing)
                || matches!(e, Event::Stats(_))
        })
        .await;
        match event {
            Event::Frame(_) => sent_at.push(started.elapsed()),
            Event::Stats(s) => stats = Some(s),
            _ => unreachable!(),
        }
    }
    // Burst of 40 at once, then 40/s: the last of 100 goes out at about 1.5 s.
    let last = *sent_at.last().unwrap();
    assert!(last >= Duration::from_millis(1300), "too fast: {last:?}");
    assert!(last <= Duration::from_millis(3500), "too slow: {last:?}");
    // In any 1 s window after the burst, at most 40 + 1 messages.
    for (index, at) in sent_at.iter().enumerate().skip(40) {
        let in_window = sent_at[index..]
            .iter()
            .take_while(|t| **t < *at + Duration::from_secs(1))
            .count();
        assert!(
            in_window <= 41,
            "{in_window} messages within 1 s from {at:?}"
        );
    }
    handle.reset_stats().unwrap();
    let _ = stats;
    let (stats, _) = wait_for(&mut events, "stats", |e| matches!(e, Event::Stats(_))).await;
    let Event::Stats(stats) = stats else {
        unreachable!()
    };
    assert_eq!(stats.messages_sent, 0, "reset");
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn rate_limited_messages_are_counted_in_stats() {
    let server = common::echo_server().await;
    let mut config = fast_config(&server.url());
    config.rate_limit = 20;
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    for n in 0..30 {
        handle.send_text(format!("m{n}")).unwrap();
    }
    let (stats, _) = wait_for(
        &mut events,
        "stats with all sent",
        |e| matches!(e, Event::Stats(s) if s.messages_sent == 30),
    )
    .await;
    let Event::Stats(stats) = stats else {
        unreachable!()
    };
    assert!(
        stats.rate_limited >= 1 && stats.rate_limited <= 10,
        "{stats:?}"
    );
    assert_eq!(stats.connections_opened, 1);
    assert_eq!(stats.queue_len, 0);
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn full_queue_is_reported_never_silently_dropped() {
    let mut config = fast_config("ws://127.0.0.1:9");
    config.queue_capacity = 3;
    let (handle, mut events) = session::spawn(config).unwrap();
    // Not connected: everything queues until the bound.
    let ids: Vec<_> = (0..5)
        .map(|n| handle.send_text(format!("q{n}")).unwrap())
        .collect();
    let mut queued = Vec::new();
    let mut failed = Vec::new();
    while queued.len() + failed.len() < 5 {
        let (event, _) = wait_for(&mut events, "queue outcome", |e| {
            matches!(e, Event::Queued { .. } | Event::SendFailed { .. })
        })
        .await;
        match event {
            Event::Queued { id, queue_len } => queued.push((id, queue_len)),
            Event::SendFailed { id, kind, message } => {
                assert_eq!(kind, ErrorKind::QueueFull);
                assert!(message.contains("queue is full"), "{message}");
                failed.push(id);
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(queued, vec![(ids[0], 1), (ids[1], 2), (ids[2], 3)]);
    assert_eq!(failed, vec![ids[3], ids[4]]);
    handle.shutdown().unwrap();
}

#[tokio::test]
async fn messages_sent_before_connect_are_delivered_in_order() {
    let server = common::echo_server().await;
    let (handle, mut events) = session::spawn(fast_config(&server.url())).unwrap();
    for n in 0..3 {
        handle.send_text(format!("early {n}")).unwrap();
    }
    handle.connect().unwrap();
    let mut echoes = Vec::new();
    while echoes.len() < 3 {
        let (echo, _) = wait_for(&mut events, "echo", |e| incoming_text(e).is_some()).await;
        echoes.push(incoming_text(&echo).unwrap());
    }
    assert_eq!(echoes, vec!["early 0", "early 1", "early 2"]);
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn on_connect_messages_go_out_after_every_connect() {
    let server = common::echo_server().await;
    let mut config = fast_config(&server.url());
    config.on_connect.push(session::config::OnConnectMessage {
        payload: bytes::Bytes::from_static(b"{\"subscribe\":\"ticks\"}"),
        kind: PayloadKind::Text,
        template: None,
    });
    let (handle, mut events) = common::connected_session(config);
    let (first, _) = wait_for(&mut events, "subscription echo", |e| {
        incoming_text(e).is_some()
    })
    .await;
    assert_eq!(
        incoming_text(&first).as_deref(),
        Some("{\"subscribe\":\"ticks\"}")
    );
    handle.send_text(r#"{"cmd":"drop"}"#).unwrap();
    wait_for(&mut events, "reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    let (again, _) = wait_for(&mut events, "subscription echo again", |e| {
        incoming_text(e).is_some()
    })
    .await;
    assert_eq!(
        incoming_text(&again).as_deref(),
        Some("{\"subscribe\":\"ticks\"}")
    );
    handle.shutdown().unwrap();
    server.shutdown().await;
}

/// An on-connect template is rendered for every connection: after a reconnect its
/// `{{seq}}` has moved on and its `{{uuid}}` is new.
#[tokio::test]
async fn on_connect_templates_are_fresh_after_a_reconnect() {
    let server = common::echo_server().await;
    let mut config = fast_config(&server.url());
    let text = r#"{"subscribe":"ticks","n":{{seq}},"id":"{{uuid}}"}"#;
    config.on_connect.push(session::config::OnConnectMessage {
        payload: bytes::Bytes::from_static(b"{}"),
        kind: PayloadKind::Text,
        template: Some(session::config::OnConnectTemplate {
            text: text.to_string(),
            json: true,
        }),
    });
    let (handle, mut events) = common::connected_session(config);
    let mut seen = Vec::new();
    for what in ["the first subscription", "the one after the reconnect"] {
        let (echo, _) = wait_for(&mut events, what, |e| incoming_text(e).is_some()).await;
        let value: serde_json::Value =
            serde_json::from_str(&incoming_text(&echo).unwrap()).unwrap();
        seen.push(value);
        if seen.len() == 1 {
            handle.send_text(r#"{"cmd":"drop"}"#).unwrap();
        }
    }
    assert_eq!(seen[0]["n"], 1);
    assert_eq!(seen[1]["n"], 2);
    assert_ne!(seen[0]["id"], seen[1]["id"]);
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn oversize_message_closes_with_1009() {
    let server = common::echo_server().await;
    let mut config = fast_config(&server.url());
    config.max_message_size = 1000;
    config.reconnect.enabled = false;
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .send_text(r#"{"cmd":"flood","count":1,"size":2000}"#)
        .unwrap();
    let (error, _) = wait_for(&mut events, "too big", |e| {
        matches!(
            e,
            Event::Error {
                kind: ErrorKind::MessageTooBig,
                ..
            }
        )
    })
    .await;
    let Event::Error { message, .. } = error else {
        unreachable!()
    };
    assert!(
        message.contains("1009") && message.contains("1000"),
        "{message}"
    );
    let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(outcome.code, Some(1009));
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn dropping_every_handle_closes_and_stops_the_actor() {
    let server = common::echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    drop(handle);
    let (_, seen) = wait_for(&mut events, "stopped", |e| *e == Event::Stopped).await;
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Closed(c) if c.code == Some(1000) && c.clean)),
        "{seen:#?}"
    );
    let end = tokio::time::timeout(common::WAIT, events.recv()).await;
    assert_eq!(end, Ok(None), "nothing after Stopped");
    server.shutdown().await;
}
