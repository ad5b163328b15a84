//! The TUI's path in process, drawn on a real-size `TestBackend`:
//! - **ingest**: session actor → event channel → `App::update` → log store → draw of
//!   the visible window at the TUI's cadence (at most one frame per 16 ms, events
//!   drained in batches, as src/tui/mod.rs does), 1 000 000 × 100 B JSON ticks from
//!   the firehose, against the limit (a bare tokio-tungstenite client counting the
//!   same flood) in the same run; every frame's draw time is recorded; then the
//!   same with the session recorded (the TUI's default), and how much of the flood
//!   the recording kept;
//! - **draw with 1 000 000 messages** in the log, following the tail and scrolled to
//!   the middle;
//! - **search** for a substring over the 1 000 000, stepped as the TUI steps it;
//! - **inspector** on one 20 MB JSON message: open (parse + first draw), a scroll
//!   step (key + draw), and the switch from the folded view it opens on to the
//!   pretty view of all its lines (key + draw).
//!
//! `cargo bench --bench tui_ingest`; figures in docs/PERFORMANCE.md.

#[path = "support/firehose.rs"]
mod firehose;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio_tungstenite::tungstenite::Message;
use wsdeck::app::{App, AppSetup, Msg, Overlay};
use wsdeck::recording::{Recorder, Recording, recorder};
use wsdeck::session::{self, Direction, Event, Frame, FrameKind, MessageIds, SessionConfig};
use wsdeck::state::history::History;
use wsdeck::state::inspector::Inspector;
use wsdeck::state::log::LogEntry;

const COUNT: u64 = 1_000_000;
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;
const FRAME: Duration = Duration::from_millis(16);
const RUNS: usize = 3;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let address = runtime.block_on(firehose::start());
    let url = firehose::url(address, COUNT, 100);
    println!(
        "tui_ingest: {COUNT} x 100 B from {address}, drawn on a {WIDTH}x{HEIGHT} TestBackend\n"
    );
    println!(
        "{:<50} {:>26} {:>16}  result",
        "scenario", "measured", "target"
    );

    let mut limit = Vec::new();
    let mut ours = Vec::new();
    let mut draws = Vec::new();
    let mut recording = Vec::new();
    let mut kept = Vec::new();
    let mut app = None;
    let scratch = tempfile::tempdir().expect("temp dir");
    for run in 0..RUNS {
        limit.push(runtime.block_on(limit_run(&url)));
        let (rate, times, filled, _) = runtime.block_on(tui_run(&url, None));
        ours.push(rate);
        draws.extend(times);
        app = Some(filled);
        // The same with the session recorded, as the TUI does by default.
        let file = scratch.path().join(format!("run{run}.jsonl"));
        let (rate, _, _, frames) = runtime.block_on(tui_run(&url, Some(&file)));
        recording.push(rate);
        kept.push(frames as f64 / COUNT as f64);
    }
    let (limit, ours) = (median(limit), median(ours));
    let ratio = ours / limit;
    row(
        "ingest, full path (msgs/s; ratio to limit)",
        format!("{ours:.0} ({ratio:.2}x of {limit:.0})"),
        ">= 0.3x",
        ratio >= 0.3,
    );
    let recording = median(recording);
    let ratio = recording / limit;
    row(
        "ingest, full path, recorded (msgs/s; ratio)",
        format!("{recording:.0} ({ratio:.2}x of {limit:.0})"),
        ">= 0.3x",
        ratio >= 0.3,
    );
    println!(
        "  (frames in the recording: {:.0} % of the flood; the rest counted as lost)",
        median(kept) * 100.0
    );
    let p99 = percentile(&mut draws, 0.99);
    let max = draws.iter().copied().fold(0.0, f64::max);
    row(
        "  draw time per frame during ingest (p99 / max)",
        format!("{p99:.2} / {max:.2} ms"),
        "<= 4 ms",
        max <= 4.0,
    );

    let mut app = app.expect("an app");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let tail = draw_times(&mut app, &mut terminal, 50);
    row(
        "draw, 1 000 000 in the log, following the tail",
        format!(
            "{:.2} ms median, {:.2} max",
            median(tail.clone()),
            max_of(&tail)
        ),
        "<= 2 ms",
        max_of(&tail) <= 2.0,
    );
    let rows = wsdeck::state::log_view::LogRows::all(&app.state.log);
    app.state.log_view.scroll(-((COUNT / 2) as i64), rows);
    let middle = draw_times(&mut app, &mut terminal, 50);
    row(
        "draw, 1 000 000 in the log, scrolled to the middle",
        format!(
            "{:.2} ms median, {:.2} max",
            median(middle.clone()),
            max_of(&middle)
        ),
        "<= 2 ms",
        max_of(&middle) <= 2.0,
    );

    // Search: `/` then the query, then Work messages until done, as the runtime does.
    let now = tokio::time::Instant::now();
    app.update(key(KeyCode::Esc), now);
    app.update(key(KeyCode::Char('/')), now);
    for c in "999999".chars() {
        app.update(key(KeyCode::Char(c)), now);
    }
    let started = Instant::now();
    app.update(key(KeyCode::Enter), now);
    let mut slowest = Duration::ZERO;
    while app.has_pending_work() {
        let step = Instant::now();
        app.update(Msg::Work, now);
        slowest = slowest.max(step.elapsed());
    }
    let search = started.elapsed();
    row(
        "search a substring over 1 000 000 (total / step)",
        format!(
            "{:.1} ms / {:.2} ms",
            search.as_secs_f64() * 1e3,
            slowest.as_secs_f64() * 1e3
        ),
        "<= 200 ms",
        search <= Duration::from_millis(200),
    );

    // The inspector on one 20 MB JSON message.
    let big = big_json(20 << 20);
    let wire_len = big.len() as u32;
    let entry = LogEntry::Frame(Frame {
        id: 1,
        direction: Direction::Incoming,
        kind: FrameKind::Text,
        payload: Bytes::from(big),
        wire_len,
        timestamp: SystemTime::now(),
        close_code: None,
        decoded: None,
    });
    let parse = Instant::now();
    let value: serde_json::Value = serde_json::from_slice(&entry_payload(&entry)).expect("json");
    let parse = parse.elapsed();
    drop(value);
    let mut opens = Vec::new();
    let mut steps = Vec::new();
    let mut pretty = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        app.state.overlay = Some(Overlay::Inspector(Box::new(Inspector::open(&entry))));
        draw(&mut app, &mut terminal);
        opens.push(started.elapsed().as_secs_f64() * 1e3);
        let mut step = |app: &mut App, code| {
            let started = Instant::now();
            app.update(key(code), now);
            draw(app, &mut terminal);
            started.elapsed().as_secs_f64() * 1e3
        };
        steps.extend((0..20).map(|_| step(&mut app, KeyCode::PageDown)));
        pretty.push(step(&mut app, KeyCode::Char('t')));
        steps.extend((0..20).map(|_| step(&mut app, KeyCode::PageDown)));
        steps.push(step(&mut app, KeyCode::End));
        app.state.overlay = None;
    }
    row(
        "inspector on a 20 MB JSON message: open",
        format!("{:.0} ms median", median(opens.clone())),
        "<= 300 ms",
        median(opens) <= 300.0,
    );
    println!(
        "  (of which parsing into a serde_json::Value: {:.0} ms)",
        parse.as_secs_f64() * 1e3
    );
    println!(
        "  (then the pretty view of all its lines, t + draw: {:.0} ms median)",
        median(pretty)
    );
    row(
        "  scroll step (PageDown or End + draw), max",
        format!("{:.2} ms", max_of(&steps)),
        "<= 16 ms",
        max_of(&steps) <= 16.0,
    );
}

fn entry_payload(entry: &LogEntry) -> Bytes {
    match entry {
        LogEntry::Frame(frame) => frame.payload.clone(),
        LogEntry::System { .. } => Bytes::new(),
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn row(label: &str, measured: String, target: &str, pass: bool) {
    let verdict = if pass { "PASS" } else { "MISS" };
    println!("{label:<50} {measured:>26} {target:>16}  {verdict}");
}

fn draw(app: &mut App, terminal: &mut Terminal<TestBackend>) {
    let now = tokio::time::Instant::now();
    terminal
        .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, now))
        .expect("draw");
}

/// Milliseconds for `count` draws after marking the screen changed.
fn draw_times(app: &mut App, terminal: &mut Terminal<TestBackend>, count: usize) -> Vec<f64> {
    (0..count)
        .map(|_| {
            terminal.clear().expect("clear");
            let started = Instant::now();
            draw(app, terminal);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

/// The limit: count the flood with a bare client; messages per second.
async fn limit_run(url: &str) -> f64 {
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connects");
    let started = Instant::now();
    let mut received = 0u64;
    while received < COUNT {
        match socket.next().await {
            Some(Ok(Message::Text(_))) => received += 1,
            Some(Ok(_)) => {}
            other => panic!("limit: ended after {received}: {other:?}"),
        }
    }
    COUNT as f64 / started.elapsed().as_secs_f64()
}

/// The full path, recorded into `record` when given (as src/tui/event_loop.rs
/// feeds the recorder); returns messages per second, every draw's time in ms, the
/// app holding the whole flood, and how many frames the recording kept.
async fn tui_run(url: &str, record: Option<&Path>) -> (f64, Vec<f64>, App, u64) {
    let mut config = SessionConfig::new(url).expect("url");
    config.keepalive.ping_interval = Duration::ZERO;
    config.reconnect.enabled = false;
    let mut app = App::new(AppSetup {
        url: url.to_string(),
        auth_mode: "none",
        insecure: false,
        history: History::in_memory(10),
        log_capacity: COUNT as usize,
        welcome: None,
        ids: MessageIds::default(),
        extras: Default::default(),
    });
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let mut recorder = record.map(|path| {
        Recorder::to_path(path, recorder::header(url, None, "raw")).expect("recording starts")
    });
    let (handle, mut events) = session::spawn(config).expect("session");
    handle.connect().expect("connect");
    let started = Instant::now();
    let mut last_draw = Instant::now() - FRAME;
    let mut dirty = true;
    let mut received = 0u64;
    let mut draws = Vec::new();
    let mut batch = Vec::with_capacity(4096);
    while received < COUNT {
        if dirty && last_draw.elapsed() >= FRAME {
            let at = Instant::now();
            draw(&mut app, &mut terminal);
            draws.push(at.elapsed().as_secs_f64() * 1e3);
            last_draw = Instant::now();
            dirty = false;
        }
        batch.clear();
        let next_draw = tokio::time::Instant::from_std(last_draw + FRAME);
        tokio::select! {
            got = events.recv_many(&mut batch, 4096) => {
                assert!(got > 0, "the session ended after {received}");
                if let Some(recorder) = recorder.as_mut() {
                    for event in &batch {
                        recorder.record(event);
                    }
                    recorder.hand_off();
                }
                let now = tokio::time::Instant::now();
                for event in batch.drain(..) {
                    if let Event::Frame(frame) = &event
                        && frame.direction == Direction::Incoming
                    {
                        received += 1;
                    }
                    let _ = app.update(Msg::Session(event), now);
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_draw), if dirty => {}
        }
    }
    let rate = COUNT as f64 / started.elapsed().as_secs_f64();
    draw(&mut app, &mut terminal);
    let _ = handle.shutdown();
    let mut kept = 0;
    if let (Some(recorder), Some(path)) = (recorder, record) {
        let finished = recorder.finish().await;
        assert_eq!(finished.problem, None);
        kept = Recording::read(path).expect("reads back").frames().count() as u64;
        let _ = std::fs::remove_file(path);
    }
    (rate, draws, app, kept)
}

/// A JSON document of about `size` bytes: an array of objects, a few levels deep.
fn big_json(size: usize) -> String {
    let mut text = String::with_capacity(size + 256);
    text.push_str("{\"items\":[");
    let mut index = 0u64;
    while text.len() < size {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#"{{"id":{index},"symbol":"BTCUSDT","price":"43000.{index}","tags":["a","b"],"book":{{"bids":[[1,2],[3,4]],"asks":[[5,6]]}}}}"#
        ));
        index += 1;
    }
    text.push_str("]}");
    text
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn max_of(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}
