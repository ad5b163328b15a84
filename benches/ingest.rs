//! Ingest throughput of the session engine against a practical ceiling.
//!
//! `cargo bench --bench ingest` floods N messages of S bytes from the built-in
//! server over loopback and times two clients taking them in:
//! - **limit**: a minimal tokio-tungstenite client that only counts messages;
//! - **engine**: a wsdeck session, counting the `Event::Frame`s it reports (the path
//!   the TUI and `listen` use).
//!
//! Each scenario runs several times; the table shows medians and engine ÷ limit.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use wsdeck::server::{Server, ServerConfig};
use wsdeck::session::{self, Direction, Event, FrameKind, SessionConfig};

const RUNS: usize = 5;

fn flood_command(count: u64, size: usize) -> String {
    format!(r#"{{"cmd":"flood","count":{count},"size":{size}}}"#)
}

/// Counts flood messages with a bare tokio-tungstenite client.
async fn limit_run(url: &str, count: u64, size: usize) -> Duration {
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(64 << 20))
        .max_frame_size(Some(64 << 20));
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .expect("limit client connects");
    let started = Instant::now();
    socket
        .send(Message::text(flood_command(count, size)))
        .await
        .expect("flood command sent");
    let mut received = 0u64;
    while received < count {
        match socket.next().await {
            Some(Ok(Message::Text(_) | Message::Binary(_))) => received += 1,
            Some(Ok(_)) => {}
            other => panic!("limit client: stream ended early: {other:?}"),
        }
    }
    let elapsed = started.elapsed();
    let _ = socket.close(None).await;
    elapsed
}

/// Counts flood messages through a wsdeck session's event stream.
async fn engine_run(url: &str, count: u64, size: usize) -> Duration {
    let mut config = SessionConfig::new(url).expect("valid url");
    config.keepalive.ping_interval = Duration::ZERO;
    config.rate_limit = 0;
    let (handle, mut events) = session::spawn(config).expect("session starts");
    handle.connect().expect("connect");
    loop {
        match events.recv().await {
            Some(Event::StateChanged(state)) if state.is_ready() => break,
            Some(_) => {}
            None => panic!("engine stopped before connecting"),
        }
    }
    let started = Instant::now();
    handle.send_text(flood_command(count, size)).expect("send");
    let mut received = 0u64;
    let mut batch = Vec::with_capacity(1024);
    while received < count {
        batch.clear();
        if events.recv_many(&mut batch, 1024).await == 0 {
            panic!("engine stopped after {received} messages");
        }
        for event in &batch {
            if let Event::Frame(frame) = event
                && frame.direction == Direction::Incoming
                && frame.kind == FrameKind::Text
            {
                received += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    let _ = handle.shutdown();
    while let Some(event) = events.recv().await {
        if event == Event::Stopped {
            break;
        }
    }
    elapsed
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = Server::bind(ServerConfig {
            port: 0,
            ..ServerConfig::default()
        })
        .await
        .expect("server binds");
        let url = server.url();
        println!(
            "ingest: {RUNS} runs per cell, medians; flood from the built-in server on {url}\n"
        );
        println!(
            "{:<22} {:>14} {:>14} {:>8}",
            "scenario", "limit msg/s", "engine msg/s", "ratio"
        );
        for (count, size, label) in [
            (200_000u64, 100usize, "200 000 x 100 B"),
            (20_000, 10 * 1024, "20 000 x 10 KiB"),
        ] {
            let mut limit = Vec::new();
            let mut engine = Vec::new();
            for _ in 0..RUNS {
                limit.push(count as f64 / limit_run(&url, count, size).await.as_secs_f64());
                engine.push(count as f64 / engine_run(&url, count, size).await.as_secs_f64());
            }
            let (limit, engine) = (median(limit), median(engine));
            println!(
                "{label:<22} {limit:>14.0} {engine:>14.0} {:>8.2}",
                engine / limit
            );
        }
        server.shutdown().await;
    });
}
