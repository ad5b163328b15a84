//! `:every` through `App::update`, typed in the composer as the user would: a
//! snippet's name or a message becomes the session's schedule, `:every off` stops
//! it, bad input is refused in the status line with nothing scheduled, and the
//! session's reports reach the state pane.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use wsdeck::app::{App, Effect, Msg, Overlay, StatusLevel};
use wsdeck::session::schedule::{Schedule, ScheduleStatus};
use wsdeck::session::{Command, Event};
use wsdeck::ui::state_pane::{state_bar_line, state_lines};

use crate::common::screen::app_with_snippet;

fn app() -> App {
    app_with_snippet("ping", r#"{"op":"ping","id":"{{uuid}}"}"#)
}

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, modifiers)), Instant::now())
}

/// Types `line` in the composer and presses Enter.
fn enter(app: &mut App, line: &str) -> Vec<Effect> {
    for c in line.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(app, KeyCode::Enter, KeyModifiers::NONE)
}

fn status(app: &App) -> (String, StatusLevel) {
    app.state.status.clone().expect("a status line")
}

/// The refusal of `line`: an error in the status line, nothing for the session.
fn refused(line: &str) -> String {
    let mut app = app();
    assert_eq!(enter(&mut app, line), [], "{line}");
    let (text, level) = status(&app);
    assert_eq!(level, StatusLevel::Error, "{line}: {text}");
    text
}

#[test]
fn a_snippet_name_schedules_the_snippet() {
    let mut app = app();
    let effects = enter(&mut app, ":every 5s ping");
    let expected = Schedule {
        interval: Duration::from_secs(5),
        label: "ping".into(),
        template: r#"{"op":"ping","id":"{{uuid}}"}"#.into(),
        json: true,
    };
    assert_eq!(effects, [Effect::Command(Command::Every(expected))]);
    assert!(
        app.state.composer.is_empty(),
        "the command left the composer"
    );
    assert!(status(&app).0.contains("every 5s"), "{:?}", status(&app));
}

#[test]
fn other_text_is_the_message_in_the_composer_format() {
    let mut app = app();
    let effects = enter(&mut app, r#":every 500ms {"n":{{seq}}}"#);
    let [Effect::Command(Command::Every(schedule))] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(schedule.interval, Duration::from_millis(500));
    assert_eq!(schedule.template, r#"{"n":{{seq}}}"#);
    assert!(schedule.json);
    // Text mode (Ctrl-T once from JSON) takes anything and escapes nothing.
    key(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    let effects = enter(&mut app, ":every 1m hello there");
    let [Effect::Command(Command::Every(schedule))] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (schedule.template.as_str(), schedule.json),
        ("hello there", false)
    );
    assert_eq!(schedule.interval, Duration::from_secs(60));
}

#[test]
fn off_stops_the_schedule() {
    let mut app = app();
    assert_eq!(
        enter(&mut app, ":every off"),
        [Effect::Command(Command::StopEvery)]
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_scheduled() {
    assert!(refused(":every soon ping").contains("not a valid duration"));
    assert!(refused(":every 50ms ping").contains("least interval is 100ms"));
    assert!(refused(":every 5s").contains("snippet name or a message"));
    assert!(refused(":every").contains("needs an interval"));
    assert!(refused(":every 5s {not json").contains("not valid JSON"));
    assert!(refused(":every 5s {\"k\":\"{{nope}}\"}").contains("unknown template variable"));
}

#[test]
fn the_command_line_shows_a_bad_every_in_place() {
    let mut app = app();
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    key(&mut app, KeyCode::Char(':'), KeyModifiers::NONE);
    assert!(enter(&mut app, "every 2x ping").is_empty());
    let Some(Overlay::CommandLine(line)) = &app.state.overlay else {
        panic!("the command line stays open")
    };
    assert!(line.error().unwrap_or_default().contains("2x"));
}

#[test]
fn the_sessions_report_reaches_the_state_pane_and_the_bar() {
    let mut app = app();
    let now = Instant::now();
    let status = ScheduleStatus {
        interval: Duration::from_secs(5),
        label: "ping".into(),
        next_in: Duration::from_millis(2_500),
        sent: 4,
        skipped: 0,
    };
    app.update(Msg::Session(Event::Schedule(Some(Box::new(status)))), now);
    let pane: Vec<String> = state_lines(&app.state.connection, 0, now, 60)
        .iter()
        .map(ToString::to_string)
        .collect();
    let at = pane
        .iter()
        .position(|line| line == "every 5s · ping")
        .unwrap_or_else(|| panic!("no schedule line: {pane:#?}"));
    assert_eq!(pane[at + 1].trim(), "next in 3s · sent 4", "{pane:#?}");
    let bar = state_bar_line(&app.state.connection, 0, now, 120).to_string();
    assert!(bar.contains("every 5s ×4"), "{bar}");
    app.update(Msg::Session(Event::Schedule(None)), now);
    assert!(app.state.connection.schedule.is_none());
}
