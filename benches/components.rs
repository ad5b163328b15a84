//! Criterion benchmarks of the in-process parts, one function each: appending to the
//! log, drawing the screen with a million entries, searching them, opening a JSON
//! message in the inspector, and each adapter decoding a typical frame.
//!
//! `cargo bench --bench components` (add a name to run one group, e.g.
//! `cargo bench --bench components -- adapter_decode`). Criterion keeps its reports
//! in target/criterion. The targets, which are ratios to a limit client measured in
//! the same run, are checked by the other benches (see docs/PERFORMANCE.md).

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wsdeck::app::{App, AppSetup, Overlay};
use wsdeck::protocol::adapter_for;
use wsdeck::session::{Direction, Frame, FrameKind, MessageIds, PayloadKind};
use wsdeck::state::history::History;
use wsdeck::state::inspector::Inspector;
use wsdeck::state::log::{DEFAULT_STEP_BUDGET, LogEntry, LogStore, Search};

/// Entries in the log for the draw and search benchmarks, as the targets say.
const ENTRIES: usize = 1_000_000;
/// Size of each logged message.
const PAYLOAD: usize = 100;
/// The screen the TUI draws on: a large terminal.
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

/// A 100-byte JSON trade tick, number `seq`.
fn tick(seq: usize) -> Bytes {
    let mut json =
        format!(r#"{{"e":"trade","s":"BTCUSDT","t":{seq},"p":"64012.55","q":"0.0125","x":""#);
    while json.len() < PAYLOAD - 2 {
        json.push('x');
    }
    json.push_str("\"}");
    Bytes::from(json)
}

fn frame(seq: usize, payload: Bytes) -> Frame {
    Frame {
        id: seq as u64,
        direction: Direction::Incoming,
        kind: FrameKind::Text,
        wire_len: payload.len() as u32,
        payload,
        timestamp: SystemTime::now(),
        close_code: None,
        decoded: None,
    }
}

/// An app whose log holds `entries` ticks, as the TUI has after a flood.
fn app_with(entries: usize) -> App {
    let mut app = App::new(AppSetup {
        url: "ws://127.0.0.1:9/bench".into(),
        auth_mode: "none",
        insecure: false,
        history: History::in_memory(10),
        log_capacity: entries,
        welcome: None,
        ids: MessageIds::default(),
        extras: Default::default(),
    });
    for seq in 0..entries {
        app.state.log.push(frame(seq, tick(seq)));
    }
    app.state.log_view.on_append(&app.state.log);
    app
}

fn draw(app: &mut App, terminal: &mut Terminal<TestBackend>) {
    let now = tokio::time::Instant::now();
    terminal
        .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, now))
        .expect("draw");
}

fn log_append(c: &mut Criterion) {
    let mut group = c.benchmark_group("log_append");
    let payload = tick(7);
    group.bench_function("into_room", |b| {
        b.iter_batched_ref(
            || LogStore::new(100_000),
            |store| {
                for seq in 0..1_000 {
                    store.push(frame(seq, payload.clone()));
                }
            },
            BatchSize::LargeInput,
        );
    });
    let mut full = LogStore::new(100_000);
    for seq in 0..100_000 {
        full.push(frame(seq, tick(seq)));
    }
    group.bench_function("evicting", |b| {
        let mut seq = 100_000;
        b.iter(|| {
            seq += 1;
            full.push(frame(seq, payload.clone()));
        });
    });
    group.finish();
}

fn draw_screen(c: &mut Criterion) {
    let mut app = app_with(ENTRIES);
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let mut group = c.benchmark_group("draw_1M");
    group.bench_function("following_tail", |b| {
        b.iter(|| {
            terminal.clear().expect("clear");
            draw(&mut app, &mut terminal);
        });
    });
    let rows = wsdeck::state::log_view::LogRows::all(&app.state.log);
    app.state.log_view.scroll(-((ENTRIES / 2) as i64), rows);
    group.bench_function("scrolled_to_middle", |b| {
        b.iter(|| {
            terminal.clear().expect("clear");
            draw(&mut app, &mut terminal);
        });
    });
    group.finish();
}

fn search(c: &mut Criterion) {
    let app = app_with(ENTRIES);
    let mut group = c.benchmark_group("search_1M");
    group.sample_size(10);
    for (name, query, case_sensitive) in [
        ("substring", "t\":999999,", true),
        ("ignoring_case", "BTCusdt\",\"t\":4242,", false),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut search = Search::new(query, case_sensitive);
                while !search.step(&app.state.log, DEFAULT_STEP_BUDGET).done {}
                assert_eq!(search.hit_count(), 1);
            });
        });
    }
    group.finish();
}

/// A JSON document of about `bytes` bytes: an array of small objects.
fn json_document(bytes: usize) -> Bytes {
    let mut json = String::from("[");
    let mut seq = 0;
    while json.len() < bytes {
        if seq > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            r#"{{"id":{seq},"name":"entity {seq}","state":"on","attributes":{{"brightness":{},"tags":["a","b"]}}}}"#,
            seq % 255
        ));
        seq += 1;
    }
    json.push(']');
    Bytes::from(json)
}

fn json_preview(c: &mut Criterion) {
    let mut app = app_with(10);
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let mut group = c.benchmark_group("inspector");
    for (name, size) in [
        ("open_and_draw_100KiB", 100 << 10),
        ("open_and_draw_1MiB", 1 << 20),
    ] {
        let entry = LogEntry::Frame(frame(0, json_document(size)));
        group.bench_function(name, |b| {
            b.iter(|| {
                let inspector = Inspector::open(black_box(&entry));
                app.state.overlay = Some(Overlay::Inspector(Box::new(inspector)));
                draw(&mut app, &mut terminal);
                app.state.overlay = None;
            });
        });
    }
    group.finish();
}

/// A typical incoming frame per adapter.
const FRAMES: &[(&str, &str)] = &[
    (
        "binance",
        r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":12345,"p":"43012.34","q":"0.012","m":true}}"#,
    ),
    ("socket-io", r#"42["chat",{"user":"ann","text":"hello"}]"#),
    (
        "graphql-ws",
        r#"{"id":"1","type":"next","payload":{"data":{"ticks":{"price":43012.34}}}}"#,
    ),
    (
        "home-assistant",
        r#"{"id":3,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"light.kitchen","new_state":{"state":"on"}}}}"#,
    ),
    (
        "phoenix",
        r#"[null,null,"room:lobby","new_msg",{"body":"hello"}]"#,
    ),
    (
        "pusher",
        r#"{"event":"new-message","channel":"chat","data":"{\"text\":\"hello\"}"}"#,
    ),
    (
        "action-cable",
        r#"{"identifier":"{\"channel\":\"ChatChannel\"}","message":{"text":"hello"}}"#,
    ),
    (
        "signalr",
        "{\"type\":1,\"target\":\"ReceiveMessage\",\"arguments\":[\"ann\",\"hello\"]}\u{1e}",
    ),
    ("raw", r#"{"hello":"world"}"#),
];

fn adapter_decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("adapter_decode");
    for (provider, text) in FRAMES {
        let mut adapter = adapter_for(provider).expect("a known provider");
        let now = Instant::now();
        group.bench_function(*provider, |b| {
            b.iter(|| {
                black_box(adapter.on_incoming(black_box(text.as_bytes()), PayloadKind::Text, now))
            });
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = components;
    config = config();
    targets = log_append, draw_screen, search, json_preview, adapter_decode
}
criterion_main!(components);
