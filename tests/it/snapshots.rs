//! Snapshot tests of whole rendered screens: an [`App`] fed a realistic session
//! (connect, JSON in and out, binary, ping/pong, stats, a close by the peer), drawn
//! on a `TestBackend` and compared with `insta` snapshots under
//! `tests/it/snapshots/`.
//!
//! Everything is deterministic: frames carry fixed timestamps and one `Instant` is
//! used as "now" throughout. System lines are stamped with the wall clock by the app,
//! so every `HH:MM:SS.mmm` on screen is masked before comparing.
//!
//! To accept changed screens: `INSTA_UPDATE=always cargo test --test it snapshots::`,
//! then read the `.snap` files before committing them.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use tokio::time::Instant;

use wsdeck::app::{App, AppSetup, Focus, Msg, Overlay};
use wsdeck::session::stats::{RttStats, StatsSnapshot};
use wsdeck::session::{
    CloseOutcome, ConnectionInfo, ConnectionState, Direction, Event, Frame, FrameKind,
};
use wsdeck::state::log::{LogEntry, LogStore};
use wsdeck::state::log_view::LogView;

use crate::common::screen::{app_setup, screen_text};

const URL: &str = "ws://127.0.0.1:8765/";

/// The long incoming JSON message: too wide for an 80-column log row.
const TRADE: &str = r#"{"type":"trade","channel":"trades","data":{"symbol":"BTC-USD","price":"67012.55","size":"0.0150","side":"buy","trade_id":918273645,"ts":1714564803250},"sequence":1042}"#;

/// Log position of the [`TRADE`] message (after "connecting…", "connected to …",
/// the subscribe and the subscribed frames).
const TRADE_SEQ: u64 = 4;

/// A fixed wall-clock time, `seconds` after 12:00:00 UTC on 2024-05-01.
fn at(seconds: u64, millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_564_800 + seconds) + Duration::from_millis(millis)
}

fn frame(
    id: u64,
    direction: Direction,
    kind: FrameKind,
    payload: impl Into<Bytes>,
    timestamp: SystemTime,
) -> Msg {
    let payload: Bytes = payload.into();
    Msg::Session(Event::Frame(Frame {
        id,
        direction,
        kind,
        wire_len: payload.len() as u32,
        payload,
        timestamp,
        close_code: None,
        decoded: None,
    }))
}

/// A key pressed without modifiers.
pub(crate) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// An app that connected, exchanged a few messages and was closed by the peer.
pub(crate) fn session_app(now: Instant) -> App {
    let mut app = App::new(app_setup(URL));
    let peer: SocketAddr = "127.0.0.1:8765".parse().expect("a socket address");
    let events = vec![
        Msg::Session(Event::StateChanged(ConnectionState::Connecting)),
        Msg::Session(Event::Opened(Box::new(ConnectionInfo {
            url: URL.to_string(),
            subprotocol: Some("demo.v1".to_string()),
            tls: false,
            insecure: false,
            peer_addr: Some(peer),
            proxy: None,
            handshake: Default::default(),
        }))),
        Msg::Session(Event::StateChanged(ConnectionState::Connected)),
        frame(
            1,
            Direction::Outgoing,
            FrameKind::Text,
            r#"{"op":"subscribe","channel":"trades","symbols":["BTC-USD"]}"#,
            at(1, 120),
        ),
        frame(
            2,
            Direction::Incoming,
            FrameKind::Text,
            r#"{"type":"subscribed","channel":"trades","ok":true}"#,
            at(1, 134),
        ),
        frame(3, Direction::Incoming, FrameKind::Text, TRADE, at(3, 251)),
        frame(
            4,
            Direction::Outgoing,
            FrameKind::Text,
            r#"{"op":"echo","text":"hello"}"#,
            at(5, 2),
        ),
        frame(
            5,
            Direction::Incoming,
            FrameKind::Text,
            r#"{"op":"echo","text":"hello"}"#,
            at(5, 9),
        ),
        frame(
            6,
            Direction::Incoming,
            FrameKind::Binary,
            Bytes::from_static(&[0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0x42]),
            at(6, 500),
        ),
        frame(7, Direction::Outgoing, FrameKind::Ping, "wsdeck", at(7, 0)),
        frame(8, Direction::Incoming, FrameKind::Pong, "wsdeck", at(7, 4)),
        Msg::Session(Event::Rtt(RttStats {
            last: Duration::from_micros(3_900),
            min: Duration::from_micros(3_900),
            avg: Duration::from_micros(3_900),
            count: 1,
        })),
        Msg::Session(Event::Stats(Box::new(StatsSnapshot {
            connections_opened: 1,
            connections_closed: 0,
            reconnects: 0,
            messages_sent: 2,
            messages_received: 4,
            bytes_sent: 87,
            bytes_received: 298,
            errors: 0,
            rate_limited: 0,
            queue_len: 0,
            rtt: Some(RttStats {
                last: Duration::from_micros(3_900),
                min: Duration::from_micros(3_900),
                avg: Duration::from_micros(3_900),
                count: 1,
            }),
            uptime: Some(Duration::from_secs(9)),
            messages_per_second: 0.5,
        }))),
        Msg::Session(Event::Frame(Frame {
            id: 9,
            direction: Direction::Incoming,
            kind: FrameKind::Close,
            payload: Bytes::from_static(b"demo over"),
            wire_len: 9,
            timestamp: at(9, 0),
            close_code: Some(4000),
            decoded: None,
        })),
        Msg::Session(Event::Frame(Frame {
            id: 10,
            direction: Direction::Outgoing,
            kind: FrameKind::Close,
            payload: Bytes::from_static(b"demo over"),
            wire_len: 9,
            timestamp: at(9, 1),
            close_code: Some(4000),
            decoded: None,
        })),
        Msg::Session(Event::Closed(CloseOutcome {
            code: Some(4000),
            reason: "demo over".to_string(),
            by_peer: true,
            clean: true,
        })),
        Msg::Session(Event::StateChanged(ConnectionState::Disconnected)),
    ];
    for event in events {
        app.update(event, now);
    }
    restamp_system_lines(&mut app);
    app
}

/// Gives every system line the time of the frame before it. The app stamps them
/// with the wall clock, and a popup can cover part of a time so that masking the
/// whole `HH:MM:SS.mmm` pattern no longer finds it (a stray "04:" would remain).
fn restamp_system_lines(app: &mut App) {
    let log = &app.state.log;
    let mut fixed = LogStore::new(log.capacity());
    let mut last = at(0, 0);
    for seq in log.first_seq()..log.end_seq() {
        let Some(entry) = log.get(seq) else {
            continue;
        };
        let entry = match entry.clone() {
            LogEntry::System { level, text, .. } => LogEntry::System {
                timestamp: last,
                level,
                text,
            },
            frame => {
                last = frame.timestamp();
                frame
            }
        };
        fixed.push(entry);
    }
    app.state.log = fixed;
    app.state.log_view = LogView::new();
    app.state.log_view.on_append(&app.state.log);
}

/// Moves focus to the log and selects the [`TRADE`] message with ↑.
pub(crate) fn select_trade(app: &mut App, now: Instant) {
    app.update(key(KeyCode::Tab), now);
    assert_eq!(app.state.focus, Focus::Log);
    for _ in 0..20 {
        app.update(key(KeyCode::Up), now);
        if app.state.log_view.selected() == Some(TRADE_SEQ) {
            return;
        }
    }
    panic!(
        "↑ never reached the trade message: {:?}",
        app.state.log_view.selected()
    );
}

/// Draws the app on a `width`×`height` test terminal and returns the screen text.
fn render(app: &mut App, now: Instant, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, now))
        .expect("drawing works");
    let buffer = terminal.backend().buffer();
    mask_times(&screen_text(buffer)) + &backgrounds(buffer)
}

/// Where the screen has a background colour (the selected row, a search hit), since
/// the text alone does not show it: one line per run of cells, after a separator.
fn backgrounds(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width);
    let mut runs = String::new();
    for (y, row) in buffer.content.chunks(width).enumerate() {
        let mut x = 0;
        while x < row.len() {
            let bg = row[x].bg;
            let start = x;
            while x < row.len() && row[x].bg == bg {
                x += 1;
            }
            if bg != Color::Reset {
                runs += &format!("row {y}, columns {start}–{}: bg {bg}\n", x - 1);
            }
        }
    }
    if runs.is_empty() {
        runs
    } else {
        format!("--- backgrounds ---\n{runs}")
    }
}

/// Replaces every `HH:MM:SS.mmm` with `--:--:--.---`: system lines carry the time
/// they were logged at.
fn mask_times(text: &str) -> String {
    const PATTERN: &[u8] = b"dd:dd:dd.ddd";
    const MASK: &str = "--:--:--.---";
    let chars: Vec<char> = text.chars().collect();
    let matches_at = |start: usize| {
        PATTERN.iter().enumerate().all(|(i, &p)| {
            chars.get(start + i).is_some_and(|&c| match p {
                b'd' => c.is_ascii_digit(),
                _ => c == char::from(p),
            })
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if matches_at(i) {
            out.push_str(MASK);
            i += PATTERN.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn masking_times() {
    assert_eq!(
        mask_times("12:00:01.120 → text\n 23:59:59.999|1:2:3.4"),
        "--:--:--.--- → text\n --:--:--.---|1:2:3.4"
    );
}

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

#[test]
fn main_screen_composer_focused() {
    let now = Instant::now();
    for (width, height) in SIZES {
        let mut app = session_app(now);
        assert_eq!(app.state.focus, Focus::Composer);
        let screen = render(&mut app, now, width, height);
        insta::assert_snapshot!(format!("main_composer_{width}x{height}"), screen);
    }
}

#[test]
fn main_screen_log_focused_with_selection() {
    let now = Instant::now();
    for (width, height) in SIZES {
        let mut app = session_app(now);
        select_trade(&mut app, now);
        let screen = render(&mut app, now, width, height);
        insta::assert_snapshot!(format!("main_log_selected_{width}x{height}"), screen);
    }
}

#[test]
fn inspector_on_json_message() {
    let now = Instant::now();
    for (width, height) in SIZES {
        let mut app = session_app(now);
        select_trade(&mut app, now);
        app.update(key(KeyCode::Enter), now);
        assert!(matches!(app.state.overlay, Some(Overlay::Inspector(_))));
        let screen = render(&mut app, now, width, height);
        insta::assert_snapshot!(format!("inspector_json_{width}x{height}"), screen);
    }
}

#[test]
fn help_overlay() {
    let now = Instant::now();
    for (width, height) in SIZES {
        let mut app = session_app(now);
        app.update(key(KeyCode::F(1)), now);
        assert!(matches!(app.state.overlay, Some(Overlay::Help { .. })));
        let screen = render(&mut app, now, width, height);
        insta::assert_snapshot!(format!("help_{width}x{height}"), screen);
    }
}

#[test]
fn close_dialog() {
    let now = Instant::now();
    for (width, height) in SIZES {
        let mut app = session_app(now);
        app.update(ctrl('x'), now);
        assert!(matches!(app.state.overlay, Some(Overlay::CloseDialog(_))));
        let screen = render(&mut app, now, width, height);
        insta::assert_snapshot!(format!("close_dialog_{width}x{height}"), screen);
    }
}

#[test]
fn small_screen_hides_the_state_pane() {
    let now = Instant::now();
    let mut app = session_app(now);
    let screen = render(&mut app, now, 50, 15);
    assert!(
        !screen.contains("┌ connection"),
        "the state pane should be hidden at 50x15:\n{screen}"
    );
    insta::assert_snapshot!("main_composer_50x15", screen);
}

#[test]
fn tiny_screens_do_not_panic() {
    let now = Instant::now();
    let overlays: [Option<Msg>; 4] = [
        None,
        Some(key(KeyCode::F(1))),
        Some(ctrl('x')),
        Some(key(KeyCode::Enter)),
    ];
    for (width, height) in [(20, 6), (1, 1), (10, 3), (30, 8)] {
        for overlay in &overlays {
            let mut app = session_app(now);
            if let Some(msg) = overlay {
                if matches!(msg, Msg::Key(k) if k.code == KeyCode::Enter) {
                    select_trade(&mut app, now);
                }
                app.update(msg.clone(), now);
            }
            render(&mut app, now, width, height);
        }
    }
}

/// A Home Assistant session decoded by the real adapter: every frame goes through
/// `adapter_for("home-assistant")` as the session actor would, so the labels on
/// screen (`ha auth_ok`, `ha result #1 ok 12 ms`, the dimmed pong) are the adapter's.
fn home_assistant_app(now: Instant) -> App {
    let mut adapter = wsdeck::protocol::adapter_for("home-assistant").expect("an adapter");
    let mut app = App::new(AppSetup {
        auth_mode: "first-message",
        extras: wsdeck::app::SessionExtras {
            provider: "home-assistant".to_string(),
            shortcuts: adapter.commands().to_vec(),
            ..Default::default()
        },
        ..app_setup("ws://127.0.0.1:8123/api/websocket")
    });
    app.update(
        Msg::Session(Event::StateChanged(ConnectionState::Connected)),
        now,
    );
    let exchange: [(Direction, &str, u64); 7] = [
        (
            Direction::Incoming,
            r#"{"type":"auth_required","ha_version":"2024.1.0"}"#,
            0,
        ),
        (
            Direction::Outgoing,
            r#"{"type":"auth","access_token":"***"}"#,
            2,
        ),
        (
            Direction::Incoming,
            r#"{"type":"auth_ok","ha_version":"2024.1.0"}"#,
            15,
        ),
        (Direction::Outgoing, r#"{"id":1,"type":"get_states"}"#, 400),
        (
            Direction::Incoming,
            r#"{"id":1,"type":"result","success":true,"result":[{"entity_id":"light.kitchen","state":"off"}]}"#,
            412,
        ),
        (Direction::Outgoing, r#"{"id":2,"type":"ping"}"#, 900),
        (Direction::Incoming, r#"{"id":2,"type":"pong"}"#, 903),
    ];
    for (id, (direction, text, millis)) in exchange.into_iter().enumerate() {
        let instant = now.into_std() + Duration::from_millis(millis);
        let decoded = match direction {
            Direction::Incoming => {
                adapter
                    .on_incoming(text.as_bytes(), wsdeck::session::PayloadKind::Text, instant)
                    .decoded
            }
            Direction::Outgoing => {
                adapter.on_outgoing(text.as_bytes(), wsdeck::session::PayloadKind::Text, instant)
            }
        };
        app.update(
            Msg::Session(Event::Frame(Frame {
                id: id as u64 + 1,
                direction,
                kind: FrameKind::Text,
                wire_len: text.len() as u32,
                payload: Bytes::from(text),
                timestamp: at(1, millis),
                close_code: None,
                decoded: decoded.map(Box::new),
            })),
            now,
        );
    }
    restamp_system_lines(&mut app);
    app
}

#[test]
fn decoded_labels_from_a_protocol_adapter() {
    let now = Instant::now();
    for (width, height) in SIZES {
        let mut app = home_assistant_app(now);
        let screen = render(&mut app, now, width, height);
        if width >= 160 {
            for label in ["auth_ok", "result #1 ok 12 ms"] {
                assert!(screen.contains(label), "{label} missing:\n{screen}");
            }
        }
        insta::assert_snapshot!(format!("decoded_home_assistant_{width}x{height}"), screen);
    }
}

#[test]
fn help_lists_the_providers_commands_last() {
    let now = Instant::now();
    let mut app = home_assistant_app(now);
    app.update(key(KeyCode::F(1)), now);
    for _ in 0..20 {
        app.update(key(KeyCode::PageDown), now);
    }
    let screen = render(&mut app, now, 80, 24);
    assert!(
        screen.contains("home-assistant commands"),
        "the provider's section is reachable at the end:\n{screen}"
    );
    insta::assert_snapshot!("help_provider_commands_80x24", screen);
}

#[test]
fn snippets_popup_filters_and_previews() {
    let now = Instant::now();
    let mut app = home_assistant_app(now);
    let preset = wsdeck::config::presets::find("home-assistant").expect("the preset");
    app.state.extras.snippets = preset.profile().expect("it loads").snippets;
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)),
        now,
    );
    assert!(matches!(app.state.overlay, Some(Overlay::Snippets(_))));
    for c in "tog".chars() {
        app.update(key(KeyCode::Char(c)), now);
    }
    let screen = render(&mut app, now, 100, 30);
    insta::assert_snapshot!("snippets_popup_100x30", screen);
}

#[test]
fn a_colon_command_in_the_composer_says_enter_runs_it() {
    let now = Instant::now();
    let mut app = session_app(now);
    app.state.focus = Focus::Composer;
    for c in ":connect".chars() {
        app.update(key(KeyCode::Char(c)), now);
    }
    let screen = render(&mut app, now, 100, 24);
    let bottom = screen.lines().nth(23).unwrap_or_default().to_string();
    assert!(
        bottom
            .starts_with(" COMPOSE  Enter runs :connect · :: sends the text with a leading colon"),
        "{screen}"
    );
    assert!(
        screen.contains(":connect"),
        "the text stays visible: {screen}"
    );
}
