//! `:capture` through `App::update`, typed in the composer as the user would: an
//! armed program waits for an incoming message that gives a value, stores it as
//! `{{var.NAME}}` (telling the session too), and the composer, snippets and
//! `:every` then fill it in; a template naming a value not captured yet is refused
//! and the composer keeps it; `:capture` lists, `:capture off NAME` cancels, a
//! program that does not compile arms nothing.

use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use wsdeck::app::{App, Effect, Msg, StatusLevel};
use wsdeck::session::schedule::Schedule;
use wsdeck::session::{Command, Direction, Event, Frame, FrameKind};
use wsdeck::state::log::LogEntry;

use crate::common::screen::app_with_snippet;

fn app() -> App {
    app_with_snippet("sub", r#"{"op":"sub","key":"{{var.key}}"}"#)
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        Instant::now(),
    )
}

/// Types `line` in the composer and presses Enter.
fn enter(app: &mut App, line: &str) -> Vec<Effect> {
    for c in line.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter)
}

fn incoming(app: &mut App, payload: &str) -> Vec<Effect> {
    let frame = Frame {
        id: 1,
        direction: Direction::Incoming,
        kind: FrameKind::Text,
        wire_len: payload.len() as u32,
        payload: Bytes::copy_from_slice(payload.as_bytes()),
        timestamp: UNIX_EPOCH + Duration::from_secs(1_714_564_800),
        close_code: None,
        decoded: None,
    };
    app.update(Msg::Session(Event::Frame(frame)), Instant::now())
}

fn status(app: &App) -> (String, StatusLevel) {
    app.state.status.clone().expect("a status line")
}

fn system_lines(app: &App) -> Vec<String> {
    let log = &app.state.log;
    log.window(log.first_seq(), usize::MAX)
        .filter_map(|(_, entry)| match entry {
            LogEntry::System { text, .. } => Some(text.clone()),
            LogEntry::Frame(_) => None,
        })
        .collect()
}

/// The text of the one `Send` among `effects`.
fn sent_text(effects: &[Effect]) -> String {
    match effects {
        [Effect::Command(Command::Send { payload, .. })] => {
            String::from_utf8(payload.to_vec()).unwrap()
        }
        other => panic!("expected one send, got {other:?}"),
    }
}

#[test]
fn a_matching_message_captures_and_the_next_send_fills_it_in() {
    let mut app = app();
    assert_eq!(enter(&mut app, ":capture key .result.listenKey"), []);
    assert_eq!(status(&app).1, StatusLevel::Info, "{:?}", status(&app));
    assert!(app.state.composer.is_empty());

    // Not JSON, no such field, null: nothing captured, still armed.
    for other in [
        "hello",
        r#"{"result":{}}"#,
        r#"{"result":{"listenKey":null}}"#,
    ] {
        assert_eq!(incoming(&mut app, other), [], "{other}");
    }
    assert!(app.state.captures.is_armed());
    assert!(app.state.extras.templates.vars.is_empty());

    let effects = incoming(&mut app, r#"{"result":{"listenKey":"K\"1"}}"#);
    assert_eq!(
        effects,
        [Effect::Command(Command::SetVariable {
            name: "key".into(),
            value: "K\"1".into()
        })]
    );
    assert!(!app.state.captures.is_armed(), "disarmed after one capture");
    assert_eq!(system_lines(&app).last().unwrap(), "captured key = K\"1");
    // Disarmed: a later message changes nothing.
    assert_eq!(
        incoming(&mut app, r#"{"result":{"listenKey":"other"}}"#),
        []
    );

    // JSON mode: the value is escaped inside the string; history keeps the template.
    let typed = r#"{"op":"sub","key":"{{var.key}}"}"#;
    let effects = enter(&mut app, typed);
    assert_eq!(sent_text(&effects), r#"{"op":"sub","key":"K\"1"}"#);
    assert!(app.state.composer.is_empty());
    key(&mut app, KeyCode::Up);
    assert_eq!(
        app.state.composer.text(),
        typed,
        "history keeps the template"
    );
}

#[test]
fn non_string_values_are_kept_as_compact_json() {
    let mut app = app();
    enter(&mut app, ":capture n .n");
    incoming(&mut app, r#"{"n": {"a": [1, 2]}}"#);
    assert_eq!(app.state.extras.templates.vars["n"], r#"{"a":[1,2]}"#);
}

#[test]
fn a_value_not_captured_yet_is_refused_and_the_composer_keeps_the_text() {
    let mut app = app();
    let typed = r#"{"session":"{{var.session}}"}"#;
    assert_eq!(enter(&mut app, typed), []);
    assert_eq!(
        status(&app),
        (
            "{{var.session}} is not captured yet — :capture session JQ".into(),
            StatusLevel::Error
        )
    );
    assert_eq!(app.state.composer.text(), typed);
}

#[test]
fn snippets_and_every_see_captured_values() {
    let mut app = app();
    // Before the capture: `:every` with the snippet is refused, nothing scheduled.
    assert_eq!(enter(&mut app, ":every 5s sub"), []);
    let (text, level) = status(&app);
    assert_eq!(level, StatusLevel::Error);
    assert!(text.contains("{{var.key}} is not captured yet"), "{text}");

    enter(&mut app, ":capture key .listenKey");
    incoming(&mut app, r#"{"listenKey":"abc"}"#);
    let effects = enter(&mut app, ":every 5s sub");
    assert!(
        matches!(&effects[..], [Effect::Command(Command::Every(Schedule { template, .. }))] if template.contains("{{var.key}}")),
        "{effects:?}"
    );

    // The snippet popup renders the value into the composer.
    key(&mut app, KeyCode::F(2));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.state.composer.text(), r#"{"op":"sub","key":"abc"}"#);
}

#[test]
fn capture_alone_lists_and_off_cancels() {
    let mut app = app();
    enter(&mut app, ":capture");
    assert!(
        status(&app).0.starts_with("no captures"),
        "{:?}",
        status(&app)
    );

    enter(&mut app, ":capture key .listenKey");
    enter(&mut app, ":capture sid .id");
    incoming(
        &mut app,
        &format!(r#"{{"id":"{}\u001b[2J"}}"#, "s".repeat(80)),
    );
    enter(&mut app, ":capture");
    let lines = system_lines(&app);
    let listed = &lines[lines.len() - 2..];
    assert_eq!(listed[0], "capture key: armed, waiting for .listenKey");
    assert!(listed[1].starts_with("captured sid = sss"), "{listed:?}");
    assert!(listed[1].ends_with('…'), "cut short: {listed:?}");
    assert!(
        !lines.iter().any(|line| line.contains('\u{1b}')),
        "{lines:?}"
    );

    enter(&mut app, ":capture off key");
    assert_eq!(status(&app).0, "capture key cancelled");
    assert!(!app.state.captures.is_armed());
    assert_eq!(incoming(&mut app, r#"{"listenKey":"abc"}"#), []);
    enter(&mut app, ":capture off key");
    assert_eq!(status(&app).0, "no capture key is armed");
}

#[test]
fn a_program_that_does_not_compile_arms_nothing() {
    let mut app = app();
    assert_eq!(enter(&mut app, ":capture key .a |"), []);
    let (text, level) = status(&app);
    assert_eq!(level, StatusLevel::Error);
    assert!(text.starts_with("capture key: jq: "), "{text}");
    assert!(!app.state.captures.is_armed());
}
