//! Cost of the TUI's message log (`wsdeck::state::log`) at a million entries.
//!
//! `cargo bench --bench log_store` fills a log with 1 000 000 text frames of 100
//! bytes of JSON (1 % of them contain `Needle`) and times, over several runs:
//! - appending (the store's own cost; frames are built beforehand), with and
//!   without eviction, and the memory the full store holds;
//! - a 50-row window at the tail and in the middle: what one draw of the log pane
//!   reads;
//! - a full search (case-sensitive, ASCII case-insensitive, non-ASCII
//!   case-insensitive) and a filtered view, stepped with `DEFAULT_STEP_BUDGET` as
//!   the UI would, plus the slowest single step.
//!
//! The table shows medians. Each payload is its own 100-byte allocation, made in
//! order, as received messages would be.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use wsdeck::session::{Direction, Frame, FrameKind};
use wsdeck::state::log::{
    DEFAULT_CAPACITY, DEFAULT_STEP_BUDGET, Filter, FilteredView, LogEntry, LogStore, Progress,
    Search,
};

const ENTRIES: usize = 1_000_000;
const PAYLOAD: usize = 100;
const RUNS: usize = 5;
const WINDOW_ROWS: usize = 50;
const WINDOW_REPEATS: u32 = 200_000;

/// A 100-byte JSON trade message; every 100th names the `Needle` symbol.
fn payload(i: usize) -> Bytes {
    let symbol = if i.is_multiple_of(100) {
        "Needle"
    } else {
        "BTCUSDT"
    };
    let mut json = format!(
        r#"{{"e":"trade","s":"{symbol}","t":{i},"p":"64012.55","q":"0.0125","m":true,"pad":""#
    );
    while json.len() < PAYLOAD - 2 {
        json.push('x');
    }
    json.push_str("\"}");
    assert_eq!(json.len(), PAYLOAD);
    // Its own allocation of exactly 100 bytes, as a received message would be.
    Bytes::copy_from_slice(json.as_bytes())
}

fn frames() -> Vec<Frame> {
    let timestamp = SystemTime::now();
    (0..ENTRIES)
        .map(|i| (i, payload(i)))
        .map(|(i, payload)| Frame {
            id: i as u64,
            direction: if i.is_multiple_of(2) {
                Direction::Incoming
            } else {
                Direction::Outgoing
            },
            kind: FrameKind::Text,
            wire_len: payload.len() as u32,
            payload,
            timestamp,
            close_code: None,
            decoded: None,
        })
        .collect()
}

/// Resident set size in bytes, where `/proc` tells it.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Appends every frame to a store of `capacity`; returns the store and ns/append.
fn fill(capacity: usize, frames: Vec<Frame>) -> (LogStore, f64) {
    let mut store = LogStore::new(capacity);
    let count = frames.len();
    let started = Instant::now();
    for frame in frames {
        black_box(store.push(frame));
    }
    let elapsed = started.elapsed();
    (store, elapsed.as_nanos() as f64 / count as f64)
}

/// ns per 50-row window read from `start`, touching every row as a draw would.
fn window_ns(store: &LogStore, start: u64) -> f64 {
    let started = Instant::now();
    for _ in 0..WINDOW_REPEATS {
        let mut touched = 0usize;
        for (seq, entry) in store.window(black_box(start), WINDOW_ROWS) {
            if let LogEntry::Frame(frame) = entry {
                touched += seq as usize + frame.payload.len();
            }
        }
        black_box(touched);
    }
    started.elapsed().as_nanos() as f64 / f64::from(WINDOW_REPEATS)
}

/// Steps until done; returns total time and the slowest step.
fn run_steps(mut step: impl FnMut() -> Progress) -> (Duration, Duration) {
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    loop {
        let step_started = Instant::now();
        let progress = step();
        slowest = slowest.max(step_started.elapsed());
        if progress.done {
            return (started.elapsed(), slowest);
        }
    }
}

fn search(store: &LogStore, query: &str, case_sensitive: bool, hits: usize) -> (f64, f64) {
    let mut search = Search::new(query, case_sensitive);
    let (total, slowest) = run_steps(|| search.step(store, DEFAULT_STEP_BUDGET));
    assert_eq!(search.hit_count(), hits, "hits for {query:?}");
    (ms(total), ms(slowest))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

struct Row {
    what: String,
    unit: &'static str,
    values: Vec<f64>,
}

fn main() {
    let names = [
        format!("append, {ENTRIES} into capacity {ENTRIES}"),
        format!("append, {ENTRIES} into capacity {DEFAULT_CAPACITY} (evicting)"),
        format!("window of {WINDOW_ROWS} rows at the tail"),
        format!("window of {WINDOW_ROWS} rows in the middle"),
        format!("filtered view window of {WINDOW_ROWS} rows in the middle"),
        "search \"Needle\", case-sensitive, full".to_owned(),
        "  slowest step".to_owned(),
        "search \"nEEDLE\", case-insensitive, full".to_owned(),
        "  slowest step".to_owned(),
        "search \"nÉEDLE\" (non-ASCII), case-insensitive, full".to_owned(),
        "  slowest step".to_owned(),
        "filtered view: incoming + text \"needle\" (ci), full".to_owned(),
        "  slowest step".to_owned(),
    ];
    let units = [
        "ns/append",
        "ns/append",
        "ns",
        "ns",
        "ns",
        "ms",
        "ms",
        "ms",
        "ms",
        "ms",
        "ms",
        "ms",
        "ms",
    ];
    let mut rows: Vec<Row> = names
        .into_iter()
        .zip(units)
        .map(|(what, unit)| Row {
            what,
            unit,
            values: Vec::new(),
        })
        .collect();
    let mut memory = (0usize, None);

    for run in 0..RUNS {
        eprintln!("run {}/{RUNS}…", run + 1);
        // Payloads are built outside the timing, but inside the RSS measurement
        // (they end up in the store).
        let rss_before = rss_bytes();
        let (store, per_append) = fill(ENTRIES, frames());
        rows[0].values.push(per_append);
        if run == 0 {
            let grown = rss_before
                .zip(rss_bytes())
                .map(|(a, b)| b.saturating_sub(a));
            memory = (store.approx_memory_bytes(), grown);
        }

        let (evicting, per_append) = fill(DEFAULT_CAPACITY, frames());
        rows[1].values.push(per_append);
        drop(evicting);

        rows[2]
            .values
            .push(window_ns(&store, store.tail_start(WINDOW_ROWS)));
        let middle = store.first_seq() + store.len() as u64 / 2;
        rows[3].values.push(window_ns(&store, middle));

        let hits = ENTRIES / 100;
        let searches = [
            ("Needle", true, hits),
            ("nEEDLE", false, hits),
            ("nÉEDLE", false, 0),
        ];
        for (index, (query, case_sensitive, expected)) in searches.into_iter().enumerate() {
            let (total, slowest) = search(&store, query, case_sensitive, expected);
            rows[5 + 2 * index].values.push(total);
            rows[6 + 2 * index].values.push(slowest);
        }

        let filter = Filter::default()
            .with_direction(Some(Direction::Incoming))
            .with_text("needle", false);
        let mut view = FilteredView::new(filter);
        let (total, slowest) = run_steps(|| view.step(&store, DEFAULT_STEP_BUDGET));
        assert_eq!(view.len(), ENTRIES / 100);
        rows[11].values.push(ms(total));
        rows[12].values.push(ms(slowest));

        let started = Instant::now();
        for _ in 0..WINDOW_REPEATS {
            let touched: usize = view
                .window(&store, black_box(view.len() / 2), WINDOW_ROWS)
                .map(|(index, seq, _)| index + seq as usize)
                .sum();
            black_box(touched);
        }
        let per_window = started.elapsed().as_nanos() as f64 / f64::from(WINDOW_REPEATS);
        rows[4].values.push(per_window);
    }

    println!();
    println!(
        "log store, {ENTRIES} entries of {PAYLOAD}-byte JSON, step budget {DEFAULT_STEP_BUDGET}, median of {RUNS} runs"
    );
    println!();
    println!("| measurement | median | unit |");
    println!("|---|---:|---|");
    for row in rows {
        let value = median(row.values);
        let shown = if value >= 100.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.2}")
        };
        println!("| {} | {shown} | {} |", row.what, row.unit);
    }
    let (approx, rss) = memory;
    let mib = |bytes: f64| bytes / (1024.0 * 1024.0);
    println!(
        "| memory of the full store (estimate: slots + payloads) | {:.0} | MiB ({:.0} B/entry, slot {} B) |",
        mib(approx as f64),
        approx as f64 / ENTRIES as f64,
        std::mem::size_of::<LogEntry>()
    );
    if let Some(rss) = rss {
        println!(
            "| RSS growth while filling it (includes allocator overhead) | {:.0} | MiB |",
            mib(rss as f64)
        );
    }
}
