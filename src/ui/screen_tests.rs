//! Tests of the screen layout and of whole screens drawn on a `TestBackend`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use tokio::time::Instant;

use super::{draw, layout};
use crate::app::{App, AppSetup, Msg};
use crate::session::stats::{RttStats, StatsSnapshot};
use crate::session::{
    ConnectionInfo, ConnectionState, Direction, Event, Frame, FrameKind, MessageIds,
};
use crate::state::history::History;
use crate::state::log::{LogEntry, LogStore};
use crate::state::log_view::LogView;

const URL: &str = "ws://127.0.0.1:8765/";

/// 12:00:00 UTC on 2024-05-01, plus `millis`.
fn at(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_564_800) + Duration::from_millis(millis)
}

fn text_frame(id: u64, direction: Direction, text: &str, millis: u64) -> Msg {
    Msg::Session(Event::Frame(Frame {
        id,
        direction,
        kind: FrameKind::Text,
        wire_len: text.len() as u32,
        payload: Bytes::from(text.to_owned()),
        timestamp: at(millis),
        close_code: None,
        decoded: None,
    }))
}

/// A connected session with a few JSON messages each way, every log line stamped
/// with a fixed time.
fn connected_app(now: Instant) -> App {
    let mut app = App::new(AppSetup {
        url: URL.to_owned(),
        auth_mode: "none",
        insecure: false,
        history: History::in_memory(10),
        log_capacity: 100,
        welcome: None,
        ids: MessageIds::default(),
        extras: Default::default(),
    });
    let rtt = RttStats {
        last: Duration::from_micros(3_900),
        min: Duration::from_micros(3_900),
        avg: Duration::from_micros(3_900),
        count: 1,
    };
    let events = [
        Msg::Session(Event::StateChanged(ConnectionState::Connecting)),
        Msg::Session(Event::Opened(Box::new(ConnectionInfo {
            url: URL.to_owned(),
            subprotocol: None,
            tls: false,
            insecure: false,
            peer_addr: None,
            proxy: None,
            handshake: Default::default(),
        }))),
        Msg::Session(Event::StateChanged(ConnectionState::Connected)),
        text_frame(
            1,
            Direction::Outgoing,
            r#"{"op":"subscribe","topic":"ticks"}"#,
            120,
        ),
        text_frame(
            2,
            Direction::Incoming,
            r#"{"ok":true,"topic":"ticks"}"#,
            131,
        ),
        text_frame(
            3,
            Direction::Incoming,
            r#"{"tick":1,"price":67012.5}"#,
            1_131,
        ),
        text_frame(4, Direction::Outgoing, r#"{"hello":1}"#, 2_004),
        text_frame(5, Direction::Incoming, r#"{"hello":1}"#, 2_009),
        Msg::Session(Event::Rtt(rtt)),
        Msg::Session(Event::Stats(Box::new(StatsSnapshot {
            messages_sent: 2,
            messages_received: 3,
            bytes_sent: 45,
            bytes_received: 65,
            rtt: Some(rtt),
            ..StatsSnapshot::default()
        }))),
    ];
    for event in events {
        app.update(event, now);
    }
    // The app stamps system lines with the wall clock: give them a fixed time.
    let log = &app.state.log;
    let mut fixed = LogStore::new(log.capacity());
    for (_, entry) in log.window(log.first_seq(), log.len()) {
        fixed.push(match entry.clone() {
            LogEntry::System { level, text, .. } => LogEntry::System {
                timestamp: at(0),
                level,
                text,
            },
            frame => frame,
        });
    }
    app.state.log = fixed;
    app.state.log_view = LogView::new();
    app
}

fn screen(app: &mut App, now: Instant, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| draw(frame, &app.state, now))
        .expect("drawing works");
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_state_pane_sits_beside_the_log_where_it_fits() {
    let regions = layout(Rect::new(0, 0, 72, 16), 1);
    let pane = regions.state_pane.expect("a state pane at 72x16");
    assert_eq!(regions.state_bar, None);
    assert_eq!(pane.height, regions.log.height);
    assert_eq!(pane.right(), regions.log.x);
}

#[test]
fn below_that_the_state_is_one_line_above_the_log() {
    for (width, height) in [(71, 24), (100, 15), (40, 12), (20, 8)] {
        let regions = layout(Rect::new(0, 0, width, height), 1);
        assert_eq!(regions.state_pane, None, "{width}x{height}");
        let bar = regions.state_bar.expect("a state bar");
        assert_eq!(bar, Rect::new(0, 0, width, 1), "{width}x{height}");
        assert_eq!(regions.log.y, 1, "{width}x{height}");
        assert_eq!(regions.log.width, width, "{width}x{height}");
    }
    // With no row to spare for the bar, the log keeps what it needs.
    let regions = layout(Rect::new(0, 0, 40, 6), 1);
    assert_eq!(regions.state_bar, None);
    assert_eq!(regions.log.height, 3);
}

#[test]
fn narrow_screens_show_the_state_bar() {
    let now = Instant::now();
    for (width, height) in [(50, 20), (40, 12)] {
        let mut app = connected_app(now);
        let text = screen(&mut app, now, width, height);
        assert!(
            text.starts_with("● connected · ws://127.0.0.1:8765/"),
            "{text}"
        );
        insta::assert_snapshot!(format!("narrow_{width}x{height}"), text);
    }
}

#[test]
fn a_bottom_line_too_long_for_the_screen_ends_with_an_ellipsis() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let now = Instant::now();
    let mut app = connected_app(now);
    for key in [KeyCode::Tab, KeyCode::Char('/')] {
        app.update(Msg::Key(KeyEvent::from(key)), now);
    }
    for c in "hello".chars() {
        app.update(Msg::Key(KeyEvent::from(KeyCode::Char(c))), now);
    }
    app.update(Msg::Key(KeyEvent::from(KeyCode::Enter)), now);
    let text = screen(&mut app, now, 50, 16);
    let bottom = text.lines().last().expect("a bottom line");
    assert!(bottom.starts_with(" LOG  /hello · 2 matches"), "{bottom}");
    assert!(bottom.trim_end().ends_with('…'), "{bottom}");
}
