//! `:capture` over a real loopback socket: the app takes `{{var.NAME}}` from a
//! frame the echo server sent back, hands it to the session
//! (`Command::SetVariable`), and the session's `:every` sends carry the value,
//! which the server echoes; before the capture they are not sent.

use crate::common;

use std::time::Duration;

use common::{echo_server, fast_config, incoming_text, wait_for, wait_for_state};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use wsdeck::app::{App, AppSetup, Effect, Msg};
use wsdeck::session::schedule::Schedule;
use wsdeck::session::{Command, ConnectionState, Event, SessionHandle};
use wsdeck::state::history::History;

use crate::common::screen::app_setup;

/// Types `line` in the app's composer, presses Enter, and hands the commands
/// that come out to the session.
fn enter(app: &mut App, handle: &SessionHandle, line: &str) {
    let mut effects = Vec::new();
    for c in line.chars().chain(['\n']) {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        effects = app.update(
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            Instant::now(),
        );
    }
    forward(handle, effects);
}

fn forward(handle: &SessionHandle, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::Command(command) => handle.command(command).unwrap(),
            other => panic!("unexpected effect {other:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_sends_carry_a_value_captured_from_the_server() {
    let server = echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let mut app = App::new(AppSetup {
        history: History::in_memory(10),
        log_capacity: 100,
        ..app_setup(&server.url())
    });

    // Scheduled before anything is captured: each send is refused, none goes out.
    handle
        .command(Command::Every(Schedule {
            interval: Duration::from_millis(100),
            label: "sub".into(),
            template: r#"{"op":"sub","key":"{{var.key}}"}"#.into(),
            json: true,
        }))
        .unwrap();
    let (error, between) = wait_for(&mut events, "a refused send", |e| {
        matches!(e, Event::Error { .. })
    })
    .await;
    assert!(
        format!("{error:?}").contains("{{var.key}} is not captured yet"),
        "{error:?}"
    );
    assert!(!between.iter().any(|e| incoming_text(e).is_some()));
    handle.command(Command::StopEvery).unwrap();

    enter(&mut app, &handle, ":capture key .result.listenKey");
    handle
        .send_text(r#"{"result":{"listenKey":"K\"1"}}"#)
        .unwrap();
    // The echo comes back as an incoming frame; the app captures from it.
    let mut captured = false;
    while !captured {
        let (event, _) = wait_for(&mut events, "the echo", |e| incoming_text(e).is_some()).await;
        let effects = app.update(Msg::Session(event), Instant::now());
        captured = !effects.is_empty();
        assert_eq!(
            effects
                .iter()
                .filter(|e| matches!(e, Effect::Command(Command::SetVariable { .. })))
                .count(),
            usize::from(captured)
        );
        forward(&handle, effects);
    }

    enter(
        &mut app,
        &handle,
        r#":every 100ms {"op":"sub","key":"{{var.key}}"}"#,
    );
    let (echo, _) = wait_for(&mut events, "a scheduled echo", |e| {
        incoming_text(e).is_some_and(|text| text.contains("sub"))
    })
    .await;
    let text = incoming_text(&echo).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(value["key"], "K\"1", "{text}");
}
