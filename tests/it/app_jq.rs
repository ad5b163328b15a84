//! jq in the TUI through `App::update`, typed in the filter prompt as the user
//! would: `jq: PROGRAM` keeps the messages the program selects, `| PROGRAM`
//! shows its first output in the preview column (computed in update, for the rows
//! on screen, never while drawing), runtime errors are marked on their row, and a
//! program that does not compile keeps the prompt open with the previous filter.

use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use wsdeck::app::{App, AppSetup, FILTER_STEP, Msg, Overlay, StatusLevel};
use wsdeck::session::{Direction, Event, Frame, FrameKind};
use wsdeck::state::log::{JQ_ENTRY_COST, LogEntry, Projected};

use crate::common::screen::{app_setup, screen_text};

const WIDTH: u16 = 100;
const HEIGHT: u16 = 20;

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.update(Msg::Key(KeyEvent::new(code, modifiers)), Instant::now());
}

fn message(app: &mut App, direction: Direction, payload: &str, second: u64) {
    let payload = Bytes::copy_from_slice(payload.as_bytes());
    let frame = Frame {
        id: second,
        direction,
        kind: FrameKind::Text,
        wire_len: payload.len() as u32,
        payload,
        timestamp: UNIX_EPOCH + Duration::from_secs(1_714_564_800 + second),
        close_code: None,
        decoded: None,
    };
    app.update(Msg::Session(Event::Frame(frame)), Instant::now());
}

/// An app on a 100×20 screen holding trades, a depth update, a message that is
/// not JSON and one the projection fails on.
fn app() -> App {
    let mut app = App::new(app_setup("ws://127.0.0.1:9/ws"));
    app.update(
        Msg::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
        Instant::now(),
    );
    message(&mut app, Direction::Outgoing, r#"{"op":"subscribe"}"#, 1);
    message(
        &mut app,
        Direction::Incoming,
        r#"{"e":"trade","data":{"p":"43000.10"}}"#,
        2,
    );
    message(
        &mut app,
        Direction::Incoming,
        r#"{"e":"depth","data":{"b":[1]}}"#,
        3,
    );
    message(&mut app, Direction::Incoming, "welcome \u{1b}[31m", 4);
    message(
        &mut app,
        Direction::Incoming,
        r#"{"e":"trade","data":"\u001b]0;x"}"#,
        5,
    );
    message(
        &mut app,
        Direction::Incoming,
        r#"{"e":"trade","data":{"p":"43000.20"}}"#,
        6,
    );
    app
}

/// Opens the filter prompt, replaces its text with `text` and presses Enter.
fn filter(app: &mut App, text: &str) {
    key(app, KeyCode::Char('\t'), KeyModifiers::NONE);
    app.state.focus = wsdeck::app::Focus::Log;
    key(app, KeyCode::Char('f'), KeyModifiers::NONE);
    assert!(matches!(app.state.overlay, Some(Overlay::Filter(_))));
    key(app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    for c in text.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

fn finish_work(app: &mut App) {
    let mut steps = 0;
    while app.has_pending_work() {
        app.update(Msg::Work, Instant::now());
        steps += 1;
        assert!(steps < 1000, "the work never finished");
    }
}

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
    terminal
        .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, Instant::now()))
        .expect("drawing works");
    screen_text(terminal.backend().buffer())
}

fn visible_payloads(app: &App) -> Vec<String> {
    let rows = app.state.log_rows();
    (0..rows.len())
        .filter_map(|index| rows.seq_at(index))
        .filter_map(|seq| match app.state.log.get(seq)? {
            LogEntry::Frame(frame) => Some(String::from_utf8_lossy(&frame.payload).into_owned()),
            LogEntry::System { .. } => None,
        })
        .collect()
}

#[test]
fn a_jq_filter_keeps_the_messages_its_program_selects() {
    let mut app = app();
    filter(&mut app, r#"in jq: select(.e == "trade")"#);
    finish_work(&mut app);
    assert!(app.state.overlay.is_none(), "the prompt closed");
    assert_eq!(
        visible_payloads(&app),
        [
            r#"{"e":"trade","data":{"p":"43000.10"}}"#,
            r#"{"e":"trade","data":"\u001b]0;x"}"#,
            r#"{"e":"trade","data":{"p":"43000.20"}}"#,
        ],
        "outgoing, depth and non-JSON messages are left out"
    );
    let screen = render(&app);
    assert!(
        screen.contains(r#"filter: in jq: select(.e == "trade") · 3 of 6"#),
        "{screen}"
    );
}

#[test]
fn a_jq_filter_steps_fewer_entries_for_the_same_budget() {
    let mut app = App::new(AppSetup {
        log_capacity: 10_000,
        ..app_setup("ws://127.0.0.1:9/ws")
    });
    let per_step = FILTER_STEP.div_ceil(JQ_ENTRY_COST) as u64;
    for second in 0..(2 * per_step + 10) {
        message(&mut app, Direction::Incoming, r#"{"e":"trade"}"#, second);
    }
    let total = app.state.log.len() as u64;
    filter(&mut app, "jq: .e");
    let filter = app.state.filter.as_ref().expect("a filter");
    let examined = total - filter.view.remaining(&app.state.log);
    assert_eq!(
        examined, per_step,
        "one step of {FILTER_STEP} plain entries examines {per_step} through jq"
    );
    finish_work(&mut app);
    assert_eq!(app.state.log_rows().len() as u64, total);
}

#[test]
fn a_projection_shows_the_first_output_and_marks_errors_on_their_row() {
    let mut app = app();
    filter(&mut app, "in | .data.p");
    finish_work(&mut app);
    let projection = app
        .state
        .filter
        .as_ref()
        .and_then(|filter| filter.projection.as_ref())
        .expect("a projection");
    // Computed in update for the rows on screen: 5 incoming messages.
    assert_eq!(projection.len(), 5);
    let screen = render(&app);
    assert!(screen.contains(r#""43000.10""#), "{screen}");
    assert!(screen.contains(r#""43000.20""#), "{screen}");
    assert!(screen.contains("null"), "depth has no .data.p: {screen}");
    assert!(
        screen.contains(r#"jq error: cannot index "\u001b]0"#),
        "the error is on its row, escaped: {screen}"
    );
    assert!(!screen.contains('\u{1b}'));
    assert!(!screen.contains("subscribe"), "`in` keeps incoming only");
}

#[test]
fn a_message_that_arrives_later_is_projected_in_update_not_while_drawing() {
    let mut app = app();
    filter(&mut app, "| .data.p");
    finish_work(&mut app);
    message(&mut app, Direction::Incoming, r#"{"data":{"p":"1.5"}}"#, 7);
    let filter = app.state.filter.as_ref().expect("a filter");
    let newest = app.state.log.end_seq() - 1;
    let projection = filter.projection.as_ref().expect("a projection");
    assert_eq!(
        projection.get(newest),
        Some(&Projected::Value(r#""1.5""#.into()))
    );
    assert!(render(&app).contains(r#""1.5""#));
}

#[test]
fn a_program_that_does_not_compile_keeps_the_prompt_and_the_previous_filter() {
    let mut app = app();
    filter(&mut app, "in");
    finish_work(&mut app);
    filter(&mut app, "in jq: select(.e==)");
    assert!(
        matches!(app.state.overlay, Some(Overlay::Filter(_))),
        "the prompt stays open"
    );
    let filter = app.state.filter.as_ref().expect("the previous filter");
    assert_eq!(filter.expr, "in");
    let (status, level) = app.state.status.clone().expect("a status");
    assert_eq!(level, StatusLevel::Error);
    assert!(status.starts_with("jq: expected term"), "{status}");
    let screen = render(&app);
    let bottom = screen.lines().last().unwrap_or_default();
    assert!(bottom.contains("✗ jq: expected term"), "{bottom}");
    assert!(bottom.contains("at 12"), "{bottom}");
    // Typing on clears the message: it belonged to the text it was found in.
    key(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    let bottom = render(&app).lines().last().unwrap_or_default().to_string();
    assert!(!bottom.contains("expected term"), "{bottom}");
}

#[test]
fn projected_log_snapshot() {
    let mut app = app();
    filter(&mut app, "| .data.p");
    finish_work(&mut app);
    insta::assert_snapshot!("jq_projection_100x20", render(&app));
}
