//! Scheduled sends (`Command::Every`) over real loopback sockets on tokio's paused
//! clock: sends arrive at the interval, `StopEvery` stops them, a dropped link skips
//! (and counts) them until the reconnect, and templates render anew for every send.

use crate::common;

use std::time::Duration;

use common::{collect_for, echo_server, fast_config, incoming_text, wait_for, wait_for_state};
use tokio::time::Instant;
use wsdeck::session::schedule::Schedule;
use wsdeck::session::{Command, ConnectionState, Event, EventReceiver};

fn every(interval: Duration, template: &str, json: bool) -> Command {
    Command::Every(Schedule {
        interval,
        label: "tick".into(),
        template: template.into(),
        json,
    })
}

/// The next `count` echoed texts, each with when it arrived.
async fn echoes(events: &mut EventReceiver, count: usize) -> Vec<(String, Instant)> {
    let mut seen = Vec::new();
    while seen.len() < count {
        let (event, _) = wait_for(events, "an echo", |e| incoming_text(e).is_some()).await;
        seen.push((incoming_text(&event).unwrap(), Instant::now()));
    }
    seen
}

#[tokio::test(start_paused = true)]
async fn sends_at_the_interval_until_stopped() {
    let server = echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let started = Instant::now();
    handle
        .command(every(Duration::from_millis(500), "tick", false))
        .unwrap();
    let arrived = echoes(&mut events, 4).await;
    for (index, (text, at)) in arrived.iter().enumerate() {
        assert_eq!(text, "tick");
        let expected = Duration::from_millis(500) * (index as u32 + 1);
        let late = at.duration_since(started).abs_diff(expected);
        assert!(
            late < Duration::from_millis(20),
            "send {index} at {:?}",
            at.duration_since(started)
        );
    }
    handle.command(Command::StopEvery).unwrap();
    let after = collect_for(&mut events, Duration::from_secs(2)).await;
    assert!(after.contains(&Event::Schedule(None)), "{after:#?}");
    assert!(
        !after.iter().any(|e| incoming_text(e).is_some()),
        "{after:#?}"
    );
}

#[tokio::test(start_paused = true)]
async fn reports_its_state_and_a_second_every_replaces_the_first() {
    let server = echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .command(every(Duration::from_secs(5), "slow", false))
        .unwrap();
    let (started, _) = wait_for(&mut events, "schedule", |e| matches!(e, Event::Schedule(_))).await;
    let Event::Schedule(Some(status)) = started else {
        panic!("{started:?}")
    };
    assert_eq!(
        (status.interval, status.next_in, status.sent),
        (Duration::from_secs(5), Duration::from_secs(5), 0)
    );
    handle
        .command(every(Duration::from_millis(200), "fast", false))
        .unwrap();
    let arrived = echoes(&mut events, 3).await;
    assert!(
        arrived.iter().all(|(text, _)| text == "fast"),
        "{arrived:?}"
    );
    let (sent, _) = wait_for(
        &mut events,
        "count",
        |e| matches!(e, Event::Schedule(Some(s)) if s.sent == 4),
    )
    .await;
    let Event::Schedule(Some(status)) = sent else {
        unreachable!()
    };
    assert_eq!((status.label.as_str(), status.skipped), ("tick", 0));
}

#[tokio::test(start_paused = true)]
async fn skips_while_the_link_is_down_and_resumes_after_the_reconnect() {
    let server = echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .command(every(Duration::from_millis(100), "tick", false))
        .unwrap();
    echoes(&mut events, 2).await;
    // Closed by us: nothing reconnects until we say so, so the schedule must skip.
    handle.command(Command::Disconnect).unwrap();
    wait_for_state(&mut events, ConnectionState::Disconnected).await;
    let (skipping, _) = wait_for(
        &mut events,
        "a skip",
        |e| matches!(e, Event::Schedule(Some(status)) if status.skipped >= 3),
    )
    .await;
    let Event::Schedule(Some(status)) = skipping else {
        unreachable!()
    };
    let sent_before = status.sent;
    handle.connect().unwrap();
    let (_, between) = wait_for(&mut events, "connected again", |e| {
        *e == Event::StateChanged(ConnectionState::Connected)
    })
    .await;
    // Nothing was queued while down: no burst of old ticks after the reconnect.
    assert!(
        !between.iter().any(|e| matches!(e, Event::Queued { .. })),
        "{between:#?}"
    );
    let resumed = echoes(&mut events, 2).await;
    assert!(resumed.iter().all(|(text, _)| text == "tick"));
    let (counted, _) = wait_for(
        &mut events,
        "sent again",
        |e| matches!(e, Event::Schedule(Some(s)) if s.sent > sent_before + 1),
    )
    .await;
    let Event::Schedule(Some(status)) = counted else {
        unreachable!()
    };
    assert!(status.skipped >= 3, "{status:?}");
}

#[tokio::test(start_paused = true)]
async fn templates_render_anew_for_every_send() {
    let server = echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let template = r#"{"id":"{{uuid}}","n":{{seq}}}"#;
    handle
        .command(every(Duration::from_millis(100), template, true))
        .unwrap();
    let arrived = echoes(&mut events, 3).await;
    let values: Vec<serde_json::Value> = arrived
        .iter()
        .map(|(text, _)| serde_json::from_str(text).expect("JSON"))
        .collect();
    assert_eq!(
        values
            .iter()
            .map(|v| v["n"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let ids: std::collections::HashSet<&str> =
        values.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{values:?}");
}

#[tokio::test(start_paused = true)]
async fn refuses_an_interval_under_the_least() {
    let server = echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .command(every(Duration::from_millis(10), "tick", false))
        .unwrap();
    let (error, _) = wait_for(&mut events, "an error", |e| {
        matches!(e, Event::Error { .. })
    })
    .await;
    assert!(format!("{error:?}").contains("at least 100ms"), "{error:?}");
    let after = collect_for(&mut events, Duration::from_secs(1)).await;
    assert!(
        !after.iter().any(|e| incoming_text(e).is_some()),
        "{after:#?}"
    );
}
