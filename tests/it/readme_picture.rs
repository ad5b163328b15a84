//! The README's picture of the TUI is drawn by this test: a `wsdeck demo` session
//! (connected to the built-in server on loopback, a few JSON messages each way, a
//! message being typed) rendered on a `TestBackend`. Frames carry fixed timestamps
//! and one `Instant` is "now", so the picture is the same on every run.
//!
//! The test compares it with the block between `<!-- screen:begin … -->` and
//! `<!-- screen:end -->` in README.md; `UPDATE_README=1 cargo test --test
//! it readme_picture` writes the new picture there instead.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;

use wsdeck::app::{App, AppSetup, Msg};
use wsdeck::session::stats::{RttStats, StatsSnapshot};
use wsdeck::session::{ConnectionInfo, ConnectionState, Direction, Event, Frame, FrameKind};
use wsdeck::state::log::{LogEntry, LogStore};
use wsdeck::state::log_view::LogView;

use crate::common::screen::{app_setup, screen_text};

/// The demo server's address (its port is free-picked; this one is typical).
const URL: &str = "ws://127.0.0.1:43917/";
const WIDTH: u16 = 100;
const HEIGHT: u16 = 18;
const BEGIN: &str = "<!-- screen:begin";
const END: &str = "<!-- screen:end -->";

/// `millis` after 12:00:00 UTC on 2024-05-01.
fn at(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_564_800) + Duration::from_millis(millis)
}

fn frame(id: u64, direction: Direction, kind: FrameKind, payload: &str, millis: u64) -> Msg {
    Msg::Session(Event::Frame(Frame {
        id,
        direction,
        kind,
        wire_len: payload.len() as u32,
        payload: Bytes::from(payload.to_owned()),
        timestamp: at(millis),
        close_code: None,
        decoded: None,
    }))
}

fn text(id: u64, direction: Direction, payload: &str, millis: u64) -> Msg {
    frame(id, direction, FrameKind::Text, payload, millis)
}

/// The demo 42 s after connecting: `{"hello":1}` echoed, a broadcast to every
/// client, a message with a list echoed, one keep-alive ping, and the close
/// command being typed in the composer.
fn demo_app(connected: Instant) -> App {
    use Direction::{Incoming, Outgoing};
    let mut app = App::new(AppSetup {
        log_capacity: 100_000,
        ..app_setup(URL)
    });
    let rtt = RttStats {
        last: Duration::from_micros(210),
        min: Duration::from_micros(210),
        avg: Duration::from_micros(210),
        count: 1,
    };
    let hello = r#"{"hello":1}"#;
    let broadcast = r#"{"cmd":"broadcast","data":{"note":"deploy at 14:00","by":"ops"}}"#;
    let broadcasted = r#"{"type":"broadcast","data":{"note":"deploy at 14:00","by":"ops"}}"#;
    let profile = r#"{"user":"ada","roles":["admin","ops"],"active":true,"since":"2021-03-04"}"#;
    let events = [
        Msg::Session(Event::StateChanged(ConnectionState::Connecting)),
        Msg::Session(Event::Opened(Box::new(ConnectionInfo {
            url: URL.to_owned(),
            subprotocol: None,
            tls: false,
            insecure: false,
            peer_addr: Some("127.0.0.1:43917".parse().expect("an address")),
            proxy: None,
            handshake: Default::default(),
        }))),
        Msg::Session(Event::StateChanged(ConnectionState::Connected)),
        text(1, Outgoing, hello, 2_471),
        text(2, Incoming, hello, 2_472),
        text(3, Outgoing, broadcast, 9_130),
        text(4, Incoming, broadcasted, 9_131),
        text(5, Outgoing, profile, 17_804),
        text(6, Incoming, profile, 17_805),
        frame(7, Outgoing, FrameKind::Ping, "wsdeck", 30_002),
        frame(8, Incoming, FrameKind::Pong, "wsdeck", 30_002),
        Msg::Session(Event::Rtt(rtt)),
        Msg::Session(Event::Stats(Box::new(StatsSnapshot {
            connections_opened: 1,
            messages_sent: 3,
            messages_received: 3,
            bytes_sent: (hello.len() + broadcast.len() + profile.len()) as u64,
            bytes_received: (hello.len() + broadcasted.len() + profile.len()) as u64,
            rtt: Some(rtt),
            uptime: Some(Duration::from_secs(42)),
            messages_per_second: 0.1,
            ..StatsSnapshot::default()
        }))),
    ];
    for event in events {
        app.update(event, connected);
    }
    for c in r#"{"cmd":"close","code":4000,"reason":"demo over"}"#.chars() {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        app.update(Msg::Key(key), connected);
    }
    stamp_system_lines(&mut app);
    app
}

/// The app stamps its system lines ("connecting…", "connected to …") with the wall
/// clock: they get fixed times, a millisecond apart from 12:00:00.000.
fn stamp_system_lines(app: &mut App) {
    let log = &app.state.log;
    let mut fixed = LogStore::new(log.capacity());
    let mut millis = 0;
    for (_, entry) in log.window(log.first_seq(), log.len()) {
        fixed.push(match entry.clone() {
            LogEntry::System { level, text, .. } => {
                millis += 1;
                LogEntry::System {
                    timestamp: at(millis - 1),
                    level,
                    text,
                }
            }
            frame => frame,
        });
    }
    app.state.log = fixed;
    app.state.log_view = LogView::new();
}

/// The picture as the README shows it: a fenced text block.
fn picture() -> String {
    let connected = Instant::now();
    let app = demo_app(connected);
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
    let now = connected + Duration::from_secs(42);
    terminal
        .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, now))
        .expect("drawing works");
    // Trailing spaces trimmed: editors strip them from Markdown.
    let lines: String = screen_text(terminal.backend().buffer())
        .lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect();
    format!("```text\n{lines}```\n")
}

/// The byte range of the README's picture: the lines between the markers.
fn picture_range(readme: &str) -> std::ops::Range<usize> {
    let begin = readme
        .find(BEGIN)
        .unwrap_or_else(|| panic!("README.md has no `{BEGIN} -->` line"));
    let start = begin
        + readme[begin..]
            .find('\n')
            .expect("a line after the begin marker")
        + 1;
    let end = start
        + readme[start..]
            .find(END)
            .unwrap_or_else(|| panic!("README.md has no `{END}` line after `{BEGIN}`"));
    start..end
}

#[test]
fn the_readme_shows_the_screen_as_drawn() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let range = picture_range(&readme);
    let drawn = picture();
    if readme[range.clone()] == drawn {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some_and(|value| value == "1") {
        let mut updated = readme.clone();
        updated.replace_range(range, &drawn);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    let shown = &readme[range];
    let first_difference = shown
        .lines()
        .zip(drawn.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| shown.lines().count().min(drawn.lines().count()));
    panic!(
        "README.md's screen picture differs from the screen drawn now (from line {} of the \
         block). If the new screen is right, run `UPDATE_README=1 cargo test --test \
         it readme_picture` and commit README.md.\n--- drawn now ---\n{drawn}",
        first_difference + 1
    );
}
