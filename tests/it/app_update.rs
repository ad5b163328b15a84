//! `App::update` driven directly: every key path, session events and the other
//! messages, with no terminal and no socket. Keys are crossterm `KeyEvent`s fed as
//! `Msg::Key`; session events are fed as `Msg::Session`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use tokio::time::Instant;
use wsdeck::app::{App, AppSetup, Effect, Focus, Msg, Overlay, SEARCH_STEP, StatusLevel};
use wsdeck::session::stats::{RttStats, StatsSnapshot};
use wsdeck::session::{
    CloseOutcome, Command, ConnectionInfo, ConnectionState, Direction, ErrorKind, Event, Frame,
    FrameKind, MessageId, PayloadKind,
};
use wsdeck::state::log::{LogEntry, SystemLevel};

use crate::common::screen::app_setup;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const URL: &str = "ws://127.0.0.1:9/socket";

fn app() -> App {
    app_with_capacity(1000)
}

fn app_with_capacity(log_capacity: usize) -> App {
    App::new(AppSetup {
        log_capacity,
        welcome: Some("welcome: type a message and press Enter".to_owned()),
        ..app_setup(URL)
    })
}

fn now() -> Instant {
    Instant::now()
}

fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    app.update(msg, now())
}

fn key_with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, modifiers)))
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    key_with(app, code, KeyModifiers::NONE)
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    key_with(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Types `text` one character at a time; no key may produce an effect.
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let effects = key(app, KeyCode::Char(c));
        assert_eq!(effects, [], "typing {c:?} produced effects");
    }
}

fn session(app: &mut App, event: Event) -> Vec<Effect> {
    update(app, Msg::Session(event))
}

fn text_frame(id: MessageId, direction: Direction, text: &str) -> Event {
    Event::Frame(Frame {
        id,
        direction,
        kind: FrameKind::Text,
        payload: Bytes::from(text.to_owned()),
        wire_len: text.len() as u32,
        timestamp: SystemTime::now(),
        close_code: None,
        decoded: None,
    })
}

fn incoming(app: &mut App, id: MessageId, text: &str) {
    assert_eq!(session(app, text_frame(id, Direction::Incoming, text)), []);
}

/// Every log entry as text: a frame's payload or a system line's text.
fn log_texts(app: &App) -> Vec<String> {
    let log = &app.state.log;
    log.window(log.first_seq(), usize::MAX)
        .map(|(_, entry)| match entry {
            LogEntry::Frame(frame) => frame.text().unwrap_or_default().to_owned(),
            LogEntry::System { text, .. } => text.clone(),
        })
        .collect()
}

/// The newest entry, which must be a system line: (text, level).
fn last_system_line(app: &App) -> (String, SystemLevel) {
    let log = &app.state.log;
    match log.end_seq().checked_sub(1).and_then(|seq| log.get(seq)) {
        Some(LogEntry::System { text, level, .. }) => (text.clone(), *level),
        other => panic!("expected a system line, got {other:?}"),
    }
}

/// Sends a valid message from the composer and returns its id and payload.
fn send_from_composer(app: &mut App, text: &str) -> (MessageId, Bytes) {
    type_text(app, text);
    match key(app, KeyCode::Enter).as_slice() {
        [
            Effect::Command(Command::Send {
                id,
                payload,
                kind: PayloadKind::Text,
            }),
        ] => (*id, payload.clone()),
        other => panic!("expected one text Send, got {other:?}"),
    }
}

/// Opens the `:` command line from the log, types `text` and presses Enter.
fn run_command(app: &mut App, text: &str) -> Vec<Effect> {
    app.state.focus = Focus::Log;
    assert_eq!(key(app, KeyCode::Char(':')), []);
    assert!(matches!(app.state.overlay, Some(Overlay::CommandLine(_))));
    type_text(app, text);
    key(app, KeyCode::Enter)
}

fn focus_log(app: &mut App) {
    assert_eq!(key(app, KeyCode::Tab), []);
    assert_eq!(app.state.focus, Focus::Log);
}

fn status(app: &App) -> Option<(&str, StatusLevel)> {
    app.state
        .status
        .as_ref()
        .map(|(text, level)| (text.as_str(), *level))
}

fn mouse(kind: MouseEventKind) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    })
}

fn opened_info(subprotocol: Option<&str>) -> ConnectionInfo {
    ConnectionInfo {
        url: URL.to_owned(),
        subprotocol: subprotocol.map(str::to_owned),
        tls: false,
        insecure: false,
        peer_addr: Some("127.0.0.1:9".parse().expect("an address")),
        proxy: None,
        handshake: Default::default(),
    }
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

#[test]
fn starts_focused_on_an_empty_composer_with_nothing_open() {
    let app = app();
    assert_eq!(app.state.focus, Focus::Composer);
    assert!(app.state.overlay.is_none());
    assert!(app.state.composer.is_empty());
    assert!(app.state.log.is_empty());
    assert!(app.state.log_view.is_following());
    assert_eq!(app.state.connection.state, ConnectionState::Disconnected);
    assert_eq!(app.state.connection.url, URL);
    assert!(!app.has_pending_work());
    assert!(!app.is_ticking());
    assert!(!app.state.quitting);
}

#[test]
fn resize_and_tick_do_nothing() {
    let mut app = app();
    assert_eq!(
        update(
            &mut app,
            Msg::Resize {
                width: 80,
                height: 24
            }
        ),
        []
    );
    assert_eq!(update(&mut app, Msg::Tick), []);
    assert_eq!(update(&mut app, Msg::Work), [], "no search: no work");
    assert!(app.state.log.is_empty());
}

// ---------------------------------------------------------------------------
// Composer
// ---------------------------------------------------------------------------

#[test]
fn enter_in_the_composer_sends_valid_json_once_and_clears_it() {
    let mut app = app();
    type_text(&mut app, r#"{"hello":1}"#);
    assert_eq!(app.state.composer.text(), r#"{"hello":1}"#);
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(effects.len(), 1, "{effects:?}");
    let Effect::Command(Command::Send { id, payload, kind }) = &effects[0] else {
        panic!("expected Send, got {effects:?}");
    };
    assert_eq!(payload.as_ref(), br#"{"hello":1}"#);
    assert_eq!(*kind, PayloadKind::Text);
    assert!(app.state.composer.is_empty());
    assert_eq!(app.state.composer.error(), None);
    assert_eq!(
        app.state.in_flight.get(id).map(String::as_str),
        Some(r#"{"hello":1}"#)
    );
    assert_eq!(app.state.welcome, None, "the first send hides the hint");
    assert_eq!(
        app.state.composer.history().entries().collect::<Vec<_>>(),
        [r#"{"hello":1}"#]
    );
}

#[test]
fn a_sent_token_is_remembered_as_the_placeholder() {
    let mut app = app();
    app.state.extras.token = Some(wsdeck::session::Secret::new("s3cr3t-t0k3n"));
    type_text(&mut app, r#"{"auth":"s3cr3t-t0k3n"}"#);
    let effects = key(&mut app, KeyCode::Enter);
    let Effect::Command(Command::Send { payload, .. }) = &effects[0] else {
        panic!("expected Send, got {effects:?}");
    };
    assert_eq!(
        payload.as_ref(),
        br#"{"auth":"s3cr3t-t0k3n"}"#,
        "sent as typed"
    );
    assert_eq!(
        app.state.composer.history().entries().collect::<Vec<_>>(),
        [r#"{"auth":"{{token}}"}"#],
        "the history never holds the token"
    );
}

#[test]
fn each_send_gets_a_new_id() {
    let mut app = app();
    let (first, _) = send_from_composer(&mut app, "[1]");
    let (second, _) = send_from_composer(&mut app, "[2]");
    assert_ne!(first, second);
    assert_eq!(app.state.in_flight.len(), 2);
}

#[test]
fn in_flight_text_is_kept_until_its_outgoing_frame_arrives() {
    let mut app = app();
    let (id, payload) = send_from_composer(&mut app, r#"{"hello":1}"#);
    // Another message's frame, and an incoming frame with any id, change nothing.
    incoming(&mut app, id + 100, "unrelated");
    assert!(app.state.in_flight.contains_key(&id));
    let frame = text_frame(id, Direction::Outgoing, r#"{"hello":1}"#);
    assert_eq!(session(&mut app, frame), []);
    assert!(app.state.in_flight.is_empty());
    assert_eq!(
        log_texts(&app).last().map(String::as_bytes),
        Some(&payload[..])
    );
}

#[test]
fn queued_message_leaves_in_flight_and_says_so() {
    let mut app = app();
    // Not connected and nothing under way: the status says how to send it.
    let (idle_id, _) = send_from_composer(&mut app, "[]");
    session(
        &mut app,
        Event::Queued {
            id: idle_id,
            queue_len: 1,
        },
    );
    assert!(
        status(&app).is_some_and(|(text, _)| text.contains(":connect")),
        "{:?}",
        status(&app)
    );
    session(&mut app, Event::StateChanged(ConnectionState::Connecting));
    let (id, _) = send_from_composer(&mut app, "{}");
    let effects = session(&mut app, Event::Queued { id, queue_len: 3 });
    assert_eq!(effects, []);
    assert!(app.state.in_flight.is_empty());
    assert_eq!(
        status(&app),
        Some((
            "queued until the connection is ready (3 waiting)",
            StatusLevel::Info
        ))
    );
}

#[test]
fn invalid_json_is_not_sent_and_keeps_the_text_with_an_error() {
    let mut app = app();
    type_text(&mut app, r#"{"hello":}"#);
    assert_eq!(key(&mut app, KeyCode::Enter), []);
    assert_eq!(app.state.composer.text(), r#"{"hello":}"#);
    assert!(app.state.composer.error().is_some());
    assert!(app.state.in_flight.is_empty());
    assert_eq!(app.state.focus, Focus::Composer);
}

#[test]
fn enter_on_an_empty_composer_does_nothing() {
    let mut app = app();
    assert_eq!(key(&mut app, KeyCode::Enter), []);
    assert_eq!(app.state.composer.error(), None);
    assert!(app.state.in_flight.is_empty());
}

#[test]
fn send_failed_restores_the_text_and_sets_an_error_status() {
    let mut app = app();
    let (id, _) = send_from_composer(&mut app, r#"{"hello":1}"#);
    let message = "outgoing queue is full — wait for the connection".to_owned();
    let effects = session(
        &mut app,
        Event::SendFailed {
            id,
            kind: ErrorKind::QueueFull,
            message: message.clone(),
        },
    );
    assert_eq!(effects, []);
    assert_eq!(app.state.composer.text(), r#"{"hello":1}"#);
    assert_eq!(
        app.state.composer.error().map(|e| e.message.as_str()),
        Some(message.as_str())
    );
    assert!(app.state.in_flight.is_empty());
    assert_eq!(status(&app), Some((message.as_str(), StatusLevel::Error)));
}

#[test]
fn send_failed_for_an_unknown_id_only_sets_the_status() {
    let mut app = app();
    type_text(&mut app, "draft");
    session(
        &mut app,
        Event::SendFailed {
            id: 42,
            kind: ErrorKind::InvalidInput,
            message: "not valid UTF-8".into(),
        },
    );
    assert_eq!(app.state.composer.text(), "draft");
    assert_eq!(status(&app), Some(("not valid UTF-8", StatusLevel::Error)));
}

#[test]
fn send_failed_does_not_lose_a_draft_typed_since() {
    let mut app = app();
    let (id, _) = send_from_composer(&mut app, r#"{"a":1}"#);
    type_text(&mut app, r#"{"b":2}"#);
    session(
        &mut app,
        Event::SendFailed {
            id,
            kind: ErrorKind::QueueFull,
            message: "queue full".into(),
        },
    );
    let composer = &app.state.composer;
    let kept = composer.text().contains(r#"{"b":2}"#)
        || composer.history().entries().any(|e| e == r#"{"b":2}"#);
    assert!(kept, "the draft is gone: composer = {:?}", composer.text());
    // The refused message is still reachable: it went into the history when sent.
    assert!(composer.history().entries().any(|e| e == r#"{"a":1}"#));
    let status = app.state.status.as_ref().map(|(text, _)| text.as_str());
    assert!(
        status.is_some_and(|s| s.contains("recalls it")),
        "{status:?}"
    );
}

#[test]
fn ctrl_t_in_the_composer_switches_to_text_mode_and_sends_anything() {
    let mut app = app();
    assert_eq!(ctrl(&mut app, 't'), []);
    type_text(&mut app, "not json");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Command(Command::Send { payload, kind: PayloadKind::Text, .. })]
                if payload.as_ref() == b"not json"
        ),
        "{effects:?}"
    );
}

#[test]
fn up_in_the_composer_recalls_the_last_sent_message() {
    let mut app = app();
    send_from_composer(&mut app, "[1]");
    assert_eq!(key(&mut app, KeyCode::Up), []);
    assert_eq!(app.state.composer.text(), "[1]");
}

#[test]
fn alt_enter_in_the_composer_inserts_a_newline_instead_of_sending() {
    let mut app = app();
    type_text(&mut app, "[1,");
    assert_eq!(key_with(&mut app, KeyCode::Enter, KeyModifiers::ALT), []);
    type_text(&mut app, "2]");
    assert_eq!(app.state.composer.text(), "[1,\n2]");
}

// ---------------------------------------------------------------------------
// Focus and global keys
// ---------------------------------------------------------------------------

#[test]
fn tab_and_backtab_toggle_between_composer_and_log() {
    let mut app = app();
    assert_eq!(key(&mut app, KeyCode::Tab), []);
    assert_eq!(app.state.focus, Focus::Log);
    assert_eq!(key(&mut app, KeyCode::Tab), []);
    assert_eq!(app.state.focus, Focus::Composer);
    assert_eq!(
        key_with(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT),
        []
    );
    assert_eq!(app.state.focus, Focus::Log);
    assert_eq!(
        key_with(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT),
        []
    );
    assert_eq!(app.state.focus, Focus::Composer);
    assert!(app.state.composer.is_empty(), "Tab is not typed");
}

#[test]
fn esc_in_the_composer_goes_to_the_log_and_keeps_the_text() {
    let mut app = app();
    type_text(&mut app, "[1]");
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert_eq!(app.state.focus, Focus::Log);
    assert_eq!(app.state.composer.text(), "[1]");
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert_eq!(app.state.focus, Focus::Log, "Esc in the log stays there");
}

#[test]
fn i_and_a_in_the_log_return_to_the_composer() {
    let mut app = app();
    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Char('i')), []);
    assert_eq!(app.state.focus, Focus::Composer);
    assert!(app.state.composer.is_empty(), "the 'i' is not typed");
    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Char('a')), []);
    assert_eq!(app.state.focus, Focus::Composer);
    assert!(app.state.composer.is_empty());
}

#[test]
fn q_in_the_composer_types_a_q() {
    let mut app = app();
    assert_eq!(key(&mut app, KeyCode::Char('q')), []);
    assert_eq!(app.state.composer.text(), "q");
    assert!(!app.state.quitting);
}

#[test]
fn q_in_the_log_quits_when_nothing_would_be_lost() {
    let mut app = app();
    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Char('q')), [Effect::Quit]);
    assert!(app.state.quitting);
}

#[test]
fn q_with_a_log_or_a_connection_asks_once_and_y_or_q_confirms() {
    for confirm in [KeyCode::Char('q'), KeyCode::Char('y')] {
        let mut app = app();
        incoming(&mut app, 1, "x");
        session(&mut app, Event::StateChanged(ConnectionState::Connected));
        focus_log(&mut app);
        assert_eq!(
            key(&mut app, KeyCode::Char('q')),
            [],
            "a stray q does not quit"
        );
        assert!(!app.state.quitting);
        let (text, _) = status(&app).expect("asks");
        assert!(
            text.contains("the log (1 entry) will be lost")
                && text.contains("the connection closes with 1000")
                && text.contains("q or y quits"),
            "{text}"
        );
        assert_eq!(key(&mut app, confirm), [Effect::Quit], "{confirm:?}");
    }
    // y alone is no quit.
    let mut app = app();
    incoming(&mut app, 1, "x");
    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Char('y')), []);
    assert!(!app.state.quitting);
}

#[test]
fn a_recorded_sessions_log_is_not_said_to_be_lost() {
    let recorded = || {
        let mut recorded = app();
        recorded.state.recording_to = Some("~/sessions/s.jsonl".into());
        incoming(&mut recorded, 1, "x");
        recorded
    };
    // Nothing else to lose and no connection: quits at once.
    let mut idle = recorded();
    focus_log(&mut idle);
    assert_eq!(key(&mut idle, KeyCode::Char('q')), [Effect::Quit]);

    let mut connected = recorded();
    session(
        &mut connected,
        Event::StateChanged(ConnectionState::Connected),
    );
    focus_log(&mut connected);
    assert_eq!(key(&mut connected, KeyCode::Char('q')), []);
    let (text, _) = status(&connected).expect("asks");
    assert!(
        !text.contains("the log") && text.contains("the connection closes with 1000"),
        "{text}"
    );
}

#[test]
fn ctrl_c_quits_from_the_composer_the_log_and_any_popup() {
    let mut composer = app();
    type_text(&mut composer, "draft");
    assert_eq!(ctrl(&mut composer, 'c'), [Effect::Quit]);
    assert!(composer.state.quitting);

    let mut log = app();
    focus_log(&mut log);
    assert_eq!(ctrl(&mut log, 'c'), [Effect::Quit]);

    for open in [
        KeyCode::F(1),
        KeyCode::Char(':'),
        KeyCode::Char('/'),
        KeyCode::Char('c'),
    ] {
        let mut app = app();
        focus_log(&mut app);
        key(&mut app, open);
        assert!(app.state.overlay.is_some(), "{open:?} opens a popup");
        assert_eq!(ctrl(&mut app, 'c'), [Effect::Quit], "with {open:?} open");
    }
}

#[test]
fn ctrl_z_suspends_from_the_composer_and_the_log() {
    let mut app = app();
    type_text(&mut app, "[1]");
    assert_eq!(ctrl(&mut app, 'z'), [Effect::Suspend]);
    assert_eq!(app.state.composer.text(), "[1]", "not an undo");
    assert!(!app.state.quitting);
    focus_log(&mut app);
    assert_eq!(ctrl(&mut app, 'z'), [Effect::Suspend]);
}

#[test]
fn page_up_in_the_composer_pages_the_log_without_leaving_the_editor() {
    let mut app = app();
    for i in 0..50 {
        incoming(&mut app, i, &format!("m{i}"));
    }
    type_text(&mut app, "draft");
    assert_eq!(key(&mut app, KeyCode::PageUp), []);
    assert_eq!(app.state.focus, Focus::Composer);
    assert!(!app.state.log_view.is_following());
    assert_eq!(app.state.composer.text(), "draft");
    assert_eq!(key(&mut app, KeyCode::PageDown), []);
    assert!(app.state.log_view.is_following(), "back at the bottom");
}

#[test]
fn a_status_message_lasts_until_the_next_key() {
    let mut app = app();
    focus_log(&mut app);
    key(&mut app, KeyCode::Char('n'));
    assert!(app.state.status.is_some());
    key(&mut app, KeyCode::Down);
    assert_eq!(app.state.status, None);
}

// ---------------------------------------------------------------------------
// Session events into the log
// ---------------------------------------------------------------------------

#[test]
fn incoming_frames_are_appended_to_the_log() {
    let mut app = app();
    incoming(&mut app, 1, "one");
    incoming(&mut app, 2, "two");
    assert_eq!(app.state.log.len(), 2);
    assert_eq!(log_texts(&app), ["one", "two"]);
    assert!(app.state.in_flight.is_empty());
}

#[test]
fn opened_adds_a_connected_line_with_the_subprotocol() {
    let mut app = app();
    session(&mut app, Event::Opened(Box::new(opened_info(None))));
    assert_eq!(
        last_system_line(&app),
        (format!("connected to {URL}"), SystemLevel::Info)
    );
    session(
        &mut app,
        Event::Opened(Box::new(opened_info(Some("graphql-ws")))),
    );
    assert_eq!(
        last_system_line(&app).0,
        format!("connected to {URL} (subprotocol graphql-ws)")
    );
}

#[test]
fn closed_1006_adds_an_abnormal_closure_warning() {
    let mut app = app();
    let effects = session(
        &mut app,
        Event::Closed(CloseOutcome {
            code: Some(1006),
            reason: String::new(),
            by_peer: false,
            clean: false,
        }),
    );
    assert_eq!(effects, []);
    let (text, level) = last_system_line(&app);
    assert!(text.contains("1006 Abnormal Closure"), "{text}");
    assert!(text.ends_with("[not clean]"), "{text}");
    assert_eq!(level, SystemLevel::Warning);
}

#[test]
fn clean_1000_close_by_the_server_is_an_info_line_with_its_reason() {
    let mut app = app();
    session(
        &mut app,
        Event::Closed(CloseOutcome {
            code: Some(1000),
            reason: "bye".into(),
            by_peer: true,
            clean: true,
        }),
    );
    let (text, level) = last_system_line(&app);
    assert!(
        text.starts_with("closed by server: 1000 Normal Closure"),
        "{text}"
    );
    assert!(text.ends_with("(reason: \"bye\")"), "{text}");
    assert_eq!(level, SystemLevel::Info);
}

#[test]
fn close_without_a_code_is_shown_as_1005() {
    let mut app = app();
    session(
        &mut app,
        Event::Closed(CloseOutcome {
            code: None,
            reason: String::new(),
            by_peer: true,
            clean: true,
        }),
    );
    let (text, _) = last_system_line(&app);
    assert!(text.contains("1005"), "{text}");
}

#[test]
fn reconnect_scheduled_adds_a_countdown_line() {
    let mut app = app();
    session(
        &mut app,
        Event::ReconnectScheduled {
            attempt: 2,
            max_attempts: Some(10),
            delay: Duration::from_millis(2100),
        },
    );
    let (text, level) = last_system_line(&app);
    assert!(
        text.contains("reconnecting in 2.1 s (attempt 2/10)"),
        "{text}"
    );
    assert_eq!(level, SystemLevel::Warning);
    session(
        &mut app,
        Event::ReconnectScheduled {
            attempt: 3,
            max_attempts: None,
            delay: Duration::from_secs(4),
        },
    );
    assert_eq!(
        last_system_line(&app).0,
        "reconnecting in 4.0 s (attempt 3/∞)"
    );
}

#[test]
fn error_adds_an_error_line_and_status() {
    let mut app = app();
    let message = "connection refused by 127.0.0.1:9 — is the server running?";
    session(
        &mut app,
        Event::Error {
            kind: ErrorKind::Refused,
            message: message.into(),
        },
    );
    assert_eq!(
        last_system_line(&app),
        (message.to_owned(), SystemLevel::Error)
    );
    assert_eq!(status(&app), Some((message, StatusLevel::Error)));
    assert_eq!(
        app.state.connection.last_error.as_deref(),
        Some(message),
        "the state pane shows it too"
    );
}

#[test]
fn notice_adds_a_warning_line() {
    let mut app = app();
    session(&mut app, Event::Notice("INSECURE: verification off".into()));
    assert_eq!(
        last_system_line(&app),
        (
            "INSECURE: verification off".to_owned(),
            SystemLevel::Warning
        )
    );
}

#[test]
fn state_changes_add_lines_only_where_they_say_something() {
    let mut app = app();
    let cases = [
        (ConnectionState::Connecting, Some("connecting…")),
        (ConnectionState::Connected, None),
        (ConnectionState::Authenticating, Some("authenticating…")),
        (ConnectionState::Authenticated, Some("auth ok")),
        (ConnectionState::Reconnecting, None),
        (ConnectionState::Disconnected, Some("disconnected")),
    ];
    for (state, line) in cases {
        let before = app.state.log.len();
        assert_eq!(session(&mut app, Event::StateChanged(state)), []);
        assert_eq!(app.state.connection.state, state);
        match line {
            Some(text) => assert_eq!(last_system_line(&app).0, text, "{state:?}"),
            None => assert_eq!(app.state.log.len(), before, "{state:?} adds no line"),
        }
    }
    session(&mut app, Event::StateChanged(ConnectionState::Error));
    let (text, level) = last_system_line(&app);
    assert!(text.contains(":connect or :reconnect"), "{text}");
    assert_eq!(level, SystemLevel::Error);
}

#[test]
fn stats_and_rtt_add_no_log_lines() {
    let mut app = app();
    session(&mut app, Event::Stats(Box::default()));
    session(&mut app, Event::Rtt(RttStats::default()));
    assert!(app.state.log.is_empty());
}

// ---------------------------------------------------------------------------
// Connection view
// ---------------------------------------------------------------------------

#[test]
fn connection_view_follows_the_session() {
    let mut app = app();
    let t0 = now();
    app.update(
        Msg::Session(Event::StateChanged(ConnectionState::Connecting)),
        t0,
    );
    assert_eq!(app.state.connection.state, ConnectionState::Connecting);

    app.update(
        Msg::Session(Event::Opened(Box::new(opened_info(Some("chat"))))),
        t0,
    );
    app.update(
        Msg::Session(Event::StateChanged(ConnectionState::Connected)),
        t0,
    );
    let view = &app.state.connection;
    assert_eq!(view.state, ConnectionState::Connected);
    assert_eq!(
        view.info.as_ref().and_then(|i| i.subprotocol.as_deref()),
        Some("chat")
    );
    assert_eq!(
        view.uptime(t0 + Duration::from_secs(5)),
        Some(Duration::from_secs(5))
    );
    assert!(app.is_ticking(), "the uptime counts");

    let stats = StatsSnapshot {
        messages_received: 7,
        bytes_sent: 99,
        ..StatsSnapshot::default()
    };
    app.update(Msg::Session(Event::Stats(Box::new(stats))), t0);
    assert_eq!(app.state.connection.stats.messages_received, 7);
    assert_eq!(app.state.connection.stats.bytes_sent, 99);

    let mut rtt = RttStats::default();
    rtt.record(Duration::from_millis(12));
    app.update(Msg::Session(Event::Rtt(rtt)), t0);
    assert_eq!(
        app.state.connection.rtt.map(|r| r.last),
        Some(Duration::from_millis(12))
    );
    assert_eq!(
        app.state.connection.rtt_history.back().copied(),
        Some(12_000)
    );

    let close = CloseOutcome {
        code: Some(1001),
        reason: "going away".into(),
        by_peer: true,
        clean: true,
    };
    app.update(Msg::Session(Event::Closed(close.clone())), t0);
    assert_eq!(app.state.connection.last_close, Some(close));
    assert_eq!(app.state.connection.uptime(t0), None);
    assert!(!app.is_ticking());
}

#[test]
fn connection_view_counts_down_to_the_scheduled_reconnect() {
    let mut app = app();
    let t0 = now();
    app.update(
        Msg::Session(Event::ReconnectScheduled {
            attempt: 1,
            max_attempts: Some(3),
            delay: Duration::from_secs(2),
        }),
        t0,
    );
    let pending = app.state.connection.reconnect.expect("a pending reconnect");
    assert_eq!((pending.attempt, pending.max_attempts), (1, Some(3)));
    assert_eq!(
        app.state
            .connection
            .reconnect_in(t0 + Duration::from_millis(500)),
        Some(Duration::from_millis(1500))
    );
    assert!(app.is_ticking());
    app.update(
        Msg::Session(Event::StateChanged(ConnectionState::Connecting)),
        t0,
    );
    assert_eq!(app.state.connection.reconnect, None);
}

// ---------------------------------------------------------------------------
// Log navigation and the inspector
// ---------------------------------------------------------------------------

#[test]
fn the_log_follows_the_tail_until_an_entry_is_selected() {
    let mut app = app();
    for i in 0..30 {
        incoming(&mut app, i, &format!("m{i}"));
    }
    let view = &app.state.log_view;
    assert!(view.is_following());
    let rows = 30 - view.first_visible(&app.state.log);
    incoming(&mut app, 30, "m30");
    assert_eq!(
        app.state.log_view.first_visible(&app.state.log),
        31 - rows,
        "the window moved down with the new entry"
    );

    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Up), []);
    assert!(!app.state.log_view.is_following());
    assert_eq!(app.state.log_view.selected(), Some(30), "the newest first");
    incoming(&mut app, 31, "m31");
    incoming(&mut app, 32, "m32");
    assert_eq!(app.state.log_view.selected(), Some(30));
    assert_eq!(app.state.log_view.unseen_below(), 2);

    assert_eq!(key(&mut app, KeyCode::End), []);
    assert!(app.state.log_view.is_following());
    assert_eq!(app.state.log_view.selected(), None);
    assert_eq!(app.state.log_view.unseen_below(), 0);
}

#[test]
fn up_down_home_and_g_move_the_selection() {
    let mut app = app();
    for (i, text) in ["one", "two", "three"].into_iter().enumerate() {
        incoming(&mut app, i as u64, text);
    }
    focus_log(&mut app);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.state.log_view.selected(), Some(1));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.state.log_view.selected(), Some(2));
    key(&mut app, KeyCode::Home);
    assert_eq!(app.state.log_view.first_visible(&app.state.log), 0);
    key_with(&mut app, KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert!(app.state.log_view.is_following());
}

#[test]
fn enter_in_the_log_inspects_the_selected_entry_and_esc_closes_it() {
    let mut app = app();
    for (i, text) in ["one", "two", "three"].into_iter().enumerate() {
        incoming(&mut app, i as u64, text);
    }
    focus_log(&mut app);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.state.log_view.selected(), Some(1));
    assert_eq!(key(&mut app, KeyCode::Enter), []);
    let Some(Overlay::Inspector(inspector)) = &app.state.overlay else {
        panic!("expected the inspector, got {:?}", app.state.overlay);
    };
    assert_eq!(inspector.entry().frame().and_then(Frame::text), Some("two"));
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.focus, Focus::Log);
}

#[test]
fn enter_in_the_log_without_a_selection_inspects_the_newest() {
    let mut app = app();
    incoming(&mut app, 1, "old");
    incoming(&mut app, 2, "new");
    focus_log(&mut app);
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Inspector(inspector)) = &app.state.overlay else {
        panic!("expected the inspector, got {:?}", app.state.overlay);
    };
    assert_eq!(inspector.entry().frame().and_then(Frame::text), Some("new"));
}

#[test]
fn enter_in_an_empty_log_opens_nothing() {
    let mut app = app();
    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Enter), []);
    assert!(app.state.overlay.is_none());
}

#[test]
fn y_in_the_inspector_copies_the_message_text() {
    let mut app = app();
    incoming(&mut app, 1, r#"{"price":42}"#);
    focus_log(&mut app);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.state.overlay, Some(Overlay::Inspector(_))));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        [Effect::Copy(r#"{"price":42}"#.to_owned())]
    );
    assert!(
        matches!(app.state.overlay, Some(Overlay::Inspector(_))),
        "copying keeps the inspector open"
    );
    assert_eq!(
        status(&app),
        Some(("copied to the clipboard", StatusLevel::Info))
    );
}

#[test]
fn y_on_a_system_line_copies_its_text() {
    let mut app = app();
    session(&mut app, Event::Notice("hello there".into()));
    focus_log(&mut app);
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        [Effect::Copy("hello there".to_owned())]
    );
}

#[test]
fn q_and_enter_close_the_inspector_without_quitting() {
    for close in [KeyCode::Char('q'), KeyCode::Enter] {
        let mut app = app();
        incoming(&mut app, 1, "x");
        focus_log(&mut app);
        key(&mut app, KeyCode::Enter);
        assert_eq!(key(&mut app, close), [], "{close:?}");
        assert!(app.state.overlay.is_none(), "{close:?}");
        assert!(!app.state.quitting);
    }
}

#[test]
fn mouse_wheel_up_stops_following_and_down_follows_again() {
    let mut app = app();
    for i in 0..100 {
        incoming(&mut app, i, &format!("m{i}"));
    }
    assert_eq!(update(&mut app, mouse(MouseEventKind::ScrollUp)), []);
    assert!(!app.state.log_view.is_following());
    assert_eq!(app.state.focus, Focus::Composer, "the wheel moves no focus");
    assert_eq!(update(&mut app, mouse(MouseEventKind::ScrollDown)), []);
    assert!(app.state.log_view.is_following());
}

#[test]
fn mouse_clicks_do_nothing() {
    let mut app = app();
    incoming(&mut app, 1, "x");
    let click = MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left);
    assert_eq!(update(&mut app, mouse(click)), []);
    assert!(app.state.log_view.is_following());
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

#[test]
fn f1_opens_help_from_the_composer_and_esc_closes_it() {
    let mut app = app();
    assert_eq!(key(&mut app, KeyCode::F(1)), []);
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 0 })
    ));
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.focus, Focus::Composer);
}

#[test]
fn question_mark_opens_help_from_the_log_but_is_typed_in_the_composer() {
    let mut app = app();
    key_with(&mut app, KeyCode::Char('?'), KeyModifiers::SHIFT);
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.composer.text(), "?");

    focus_log(&mut app);
    assert_eq!(
        key_with(&mut app, KeyCode::Char('?'), KeyModifiers::SHIFT),
        []
    );
    assert!(matches!(app.state.overlay, Some(Overlay::Help { .. })));
    key(&mut app, KeyCode::Esc);
    assert!(app.state.overlay.is_none());
}

#[test]
fn help_scrolls_and_closes_with_q_without_quitting() {
    let mut app = app();
    key(&mut app, KeyCode::F(1));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('j'));
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 2 })
    ));
    key(&mut app, KeyCode::Char('k'));
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 1 })
    ));
    key(&mut app, KeyCode::PageDown);
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 11 })
    ));
    key(&mut app, KeyCode::PageUp);
    key(&mut app, KeyCode::PageUp);
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 0 })
    ));
    assert_eq!(key(&mut app, KeyCode::Char('q')), []);
    assert!(app.state.overlay.is_none());
    assert!(!app.state.quitting);
}

#[test]
fn keys_under_help_do_not_reach_the_composer() {
    let mut app = app();
    key(&mut app, KeyCode::F(1));
    type_text(&mut app, "abc");
    assert!(app.state.composer.is_empty());
    key(&mut app, KeyCode::Enter);
    assert!(app.state.overlay.is_none());
}

#[test]
fn f_in_the_log_opens_a_filter() {
    let mut app = app();
    incoming(&mut app, 1, "x");
    focus_log(&mut app);
    key(&mut app, KeyCode::Char('f'));
    assert!(
        app.state.overlay.is_some(),
        "`f` did nothing although the help lists it as 'filter'"
    );
}

// ---------------------------------------------------------------------------
// Close dialog
// ---------------------------------------------------------------------------

#[test]
fn c_in_the_log_and_ctrl_x_anywhere_open_the_close_dialog() {
    let mut app = app();
    focus_log(&mut app);
    assert_eq!(key(&mut app, KeyCode::Char('c')), []);
    assert!(matches!(app.state.overlay, Some(Overlay::CloseDialog(_))));

    let mut app = self::app();
    type_text(&mut app, "draft");
    assert_eq!(ctrl(&mut app, 'x'), []);
    assert!(matches!(app.state.overlay, Some(Overlay::CloseDialog(_))));
    assert_eq!(app.state.composer.text(), "draft");

    let mut app = self::app();
    focus_log(&mut app);
    assert_eq!(ctrl(&mut app, 'x'), []);
    assert!(matches!(app.state.overlay, Some(Overlay::CloseDialog(_))));
}

#[test]
fn c_in_the_composer_is_typed() {
    let mut app = app();
    key(&mut app, KeyCode::Char('c'));
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.composer.text(), "c");
}

#[test]
fn close_dialog_sends_a_typed_code_and_reason() {
    let mut app = app();
    ctrl(&mut app, 'x');
    assert_eq!(key(&mut app, KeyCode::Tab), [], "to the code field");
    type_text(&mut app, "4000");
    assert_eq!(key(&mut app, KeyCode::Tab), [], "to the reason field");
    type_text(&mut app, "done here");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Command(Command::Close {
            code: 4000,
            reason: "done here".to_owned()
        })]
    );
    assert!(app.state.overlay.is_none());
    assert!(
        app.state.composer.is_empty(),
        "dialog keys never reach the composer"
    );
}

#[test]
fn close_dialog_enter_at_once_closes_with_1000() {
    let mut app = app();
    focus_log(&mut app);
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Command(Command::Close {
            code: 1000,
            reason: String::new()
        })]
    );
}

#[test]
fn close_dialog_down_picks_the_next_code() {
    let mut app = app();
    ctrl(&mut app, 'x');
    key(&mut app, KeyCode::Down);
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Command(Command::Close {
            code: 1001,
            reason: String::new()
        })]
    );
}

#[test]
fn close_dialog_esc_cancels_without_effect() {
    let mut app = app();
    ctrl(&mut app, 'x');
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "4000");
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert!(app.state.overlay.is_none());
    assert!(!app.state.quitting);
}

#[test]
fn close_dialog_refuses_an_invalid_code() {
    let mut app = app();
    ctrl(&mut app, 'x');
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "1005");
    assert_eq!(key(&mut app, KeyCode::Enter), []);
    let Some(Overlay::CloseDialog(dialog)) = &app.state.overlay else {
        panic!("the dialog stays open, got {:?}", app.state.overlay);
    };
    assert_eq!(dialog.selected_code(), Some(1005));
    assert!(dialog.error().is_some());
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

#[test]
fn colon_opens_the_command_line_from_the_log_only() {
    let mut app = app();
    key(&mut app, KeyCode::Char(':'));
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.composer.text(), ":");
    focus_log(&mut app);
    key(&mut app, KeyCode::Char(':'));
    assert!(matches!(app.state.overlay, Some(Overlay::CommandLine(_))));
}

#[test]
fn command_close_with_code_and_reason() {
    let mut app = app();
    assert_eq!(
        run_command(&mut app, "close 4001 bye now"),
        [Effect::Command(Command::Close {
            code: 4001,
            reason: "bye now".to_owned()
        })]
    );
    assert!(app.state.overlay.is_none());
}

#[test]
fn commands_for_the_session() {
    for (text, command) in [
        ("reconnect", Command::Reconnect),
        ("disconnect", Command::Disconnect),
        ("connect", Command::Connect),
        ("ping", Command::Ping),
    ] {
        let mut app = app();
        assert_eq!(
            run_command(&mut app, text),
            [Effect::Command(command)],
            ":{text}"
        );
        assert!(app.state.overlay.is_none(), ":{text}");
    }
}

#[test]
fn command_clear_empties_the_log_and_the_search() {
    let mut app = app();
    for i in 0..5 {
        incoming(&mut app, i, &format!("m{i}"));
    }
    focus_log(&mut app);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "m");
    key(&mut app, KeyCode::Enter);
    assert!(app.state.search.is_some());

    assert_eq!(run_command(&mut app, "clear"), []);
    assert!(app.state.log.is_empty());
    assert!(app.state.search.is_none());
    assert!(app.state.log_view.is_following());
    assert_eq!(app.state.log_view.selected(), None);
    incoming(&mut app, 9, "after");
    assert_eq!(log_texts(&app), ["after"]);
}

#[test]
fn command_save_asks_to_write_the_log() {
    let mut app = app();
    assert_eq!(
        run_command(&mut app, "save /tmp/x.jsonl"),
        [Effect::SaveLog(PathBuf::from("/tmp/x.jsonl"))]
    );
}

#[test]
fn command_quit_and_q_quit() {
    for text in ["quit", "q"] {
        let mut app = app();
        assert_eq!(run_command(&mut app, text), [Effect::Quit], ":{text}");
        assert!(app.state.quitting);
    }
}

#[test]
fn command_help_opens_help() {
    let mut app = app();
    assert_eq!(run_command(&mut app, "help"), []);
    assert!(matches!(app.state.overlay, Some(Overlay::Help { .. })));
}

#[test]
fn unknown_command_keeps_the_line_open_with_an_error() {
    let mut app = app();
    assert_eq!(run_command(&mut app, "frobnicate"), []);
    let Some(Overlay::CommandLine(line)) = &app.state.overlay else {
        panic!("the command line stays open, got {:?}", app.state.overlay);
    };
    assert_eq!(line.text(), "frobnicate");
    let error = line.error().expect("an error");
    assert!(error.contains("unknown command 'frobnicate'"), "{error}");
}

#[test]
fn invalid_close_code_on_the_command_line_is_refused() {
    let mut app = app();
    assert_eq!(run_command(&mut app, "close 1005"), []);
    let Some(Overlay::CommandLine(line)) = &app.state.overlay else {
        panic!("the command line stays open, got {:?}", app.state.overlay);
    };
    assert!(line.error().is_some());
}

#[test]
fn esc_and_empty_enter_leave_the_command_line() {
    let mut app = app();
    focus_log(&mut app);
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ping");
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert!(app.state.overlay.is_none());
    assert_eq!(run_command(&mut app, ""), []);
    assert!(app.state.overlay.is_none());
}

#[test]
fn typing_on_the_command_line_never_triggers_log_keys() {
    let mut app = app();
    focus_log(&mut app);
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "q?c/n");
    assert!(!app.state.quitting);
    let Some(Overlay::CommandLine(line)) = &app.state.overlay else {
        panic!("the command line stays open");
    };
    assert_eq!(line.text(), "q?c/n");
}

#[test]
fn up_on_the_command_line_recalls_the_previous_command() {
    let mut app = app();
    assert_eq!(
        run_command(&mut app, "ping"),
        [Effect::Command(Command::Ping)]
    );
    key(&mut app, KeyCode::Char(':'));
    key(&mut app, KeyCode::Up);
    let Some(Overlay::CommandLine(line)) = &app.state.overlay else {
        panic!("the command line is open");
    };
    assert_eq!(line.text(), "ping");
}

// ---------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------

/// A log of five frames, two of which hold "needle" (seq 1 and 3).
fn app_with_needles() -> App {
    let mut app = app();
    for (i, text) in ["alpha", "beta needle", "gamma", "NEEDLE two", "delta"]
        .into_iter()
        .enumerate()
    {
        incoming(&mut app, i as u64, text);
    }
    focus_log(&mut app);
    app
}

fn search_for(app: &mut App, query: &str) {
    assert_eq!(key(app, KeyCode::Char('/')), []);
    assert!(matches!(app.state.overlay, Some(Overlay::Search(_))));
    type_text(app, query);
    assert_eq!(key(app, KeyCode::Enter), []);
    assert!(app.state.overlay.is_none());
    let mut steps = 0;
    while app.has_pending_work() {
        assert_eq!(update(app, Msg::Work), []);
        steps += 1;
        assert!(steps < 1000, "the search never finished");
    }
}

#[test]
fn slash_search_selects_the_newest_hit() {
    let mut app = app_with_needles();
    search_for(&mut app, "needle");
    let search = app.state.search.as_ref().expect("a search");
    assert_eq!(search.query, "needle");
    assert!(search.done);
    assert_eq!(search.search.hits().collect::<Vec<_>>(), [1, 3]);
    assert_eq!(app.state.log_view.selected(), Some(3));
    assert!(!app.state.log_view.is_following());
}

#[test]
fn n_and_shift_n_move_between_hits() {
    let mut app = app_with_needles();
    search_for(&mut app, "needle");
    assert_eq!(
        key_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT),
        []
    );
    assert_eq!(app.state.log_view.selected(), Some(1));
    key_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
    assert_eq!(app.state.log_view.selected(), Some(1), "no wrap");
    assert_eq!(
        status(&app),
        Some((
            "no older match for 'needle' — n goes to newer ones",
            StatusLevel::Info
        ))
    );
    assert_eq!(key(&mut app, KeyCode::Char('n')), []);
    assert_eq!(app.state.log_view.selected(), Some(3));
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.state.log_view.selected(), Some(3));
    assert!(status(&app).is_some_and(|(text, _)| text.starts_with("no newer match")));
}

#[test]
fn n_without_a_search_says_how_to_search() {
    let mut app = app_with_needles();
    assert_eq!(key(&mut app, KeyCode::Char('n')), []);
    let (text, level) = status(&app).expect("a status");
    assert!(text.contains("press /"), "{text}");
    assert_eq!(level, StatusLevel::Info);
    assert_eq!(app.state.log_view.selected(), None);
}

#[test]
fn search_esc_cancels_and_empty_query_clears_the_search() {
    let mut app = app_with_needles();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "needle");
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert!(app.state.overlay.is_none());
    assert!(app.state.search.is_none());

    search_for(&mut app, "needle");
    assert!(app.state.search.is_some());
    search_for(&mut app, "");
    assert!(app.state.search.is_none());
    assert!(!app.has_pending_work());
}

#[test]
fn search_without_hits_selects_nothing() {
    let mut app = app_with_needles();
    search_for(&mut app, "haystack");
    assert_eq!(
        app.state.search.as_ref().map(|s| s.search.hit_count()),
        Some(0)
    );
    assert_eq!(app.state.log_view.selected(), None);
    assert!(app.state.log_view.is_following());
}

#[test]
fn new_entries_resume_the_search_and_the_first_hit_is_jumped_to() {
    let mut app = app_with_needles();
    search_for(&mut app, "pin");
    assert_eq!(app.state.log_view.selected(), None);
    incoming(&mut app, 10, "a pin drops");
    assert!(app.has_pending_work(), "the new entry must be searched");
    while app.has_pending_work() {
        update(&mut app, Msg::Work);
    }
    assert_eq!(app.state.log_view.selected(), Some(5));
}

#[test]
fn search_over_several_steps_selects_the_newest_hit_overall() {
    let total = SEARCH_STEP as u64 + 10_000;
    let mut app = app_with_capacity(total as usize);
    incoming(&mut app, 0, "old needle");
    for i in 1..total - 1 {
        incoming(&mut app, i, "hay");
    }
    incoming(&mut app, total - 1, "new needle");
    focus_log(&mut app);
    search_for(&mut app, "needle");
    let search = app.state.search.as_ref().expect("a search");
    assert_eq!(search.search.hits().collect::<Vec<_>>(), [0, total - 1]);
    assert_eq!(app.state.log_view.selected(), Some(total - 1));
}

#[test]
fn slash_in_the_composer_is_typed() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.composer.text(), "/");
}

// ---------------------------------------------------------------------------
// Paste
// ---------------------------------------------------------------------------

#[test]
fn paste_goes_into_the_composer_and_focuses_it() {
    let mut app = app();
    focus_log(&mut app);
    assert_eq!(update(&mut app, Msg::Paste("{\"a\":\r\n1}".to_owned())), []);
    assert_eq!(app.state.focus, Focus::Composer);
    assert_eq!(app.state.composer.text(), "{\"a\":\n1}");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Command(Command::Send { .. })]),
        "{effects:?}"
    );
}

#[test]
fn paste_inserts_at_the_cursor() {
    let mut app = app();
    type_text(&mut app, "[]");
    key(&mut app, KeyCode::Left);
    update(&mut app, Msg::Paste("1, 2".to_owned()));
    assert_eq!(app.state.composer.text(), "[1, 2]");
}

// ---------------------------------------------------------------------------
// Quitting
// ---------------------------------------------------------------------------

#[test]
fn stopped_after_a_quit_request_quits() {
    let mut app = app();
    assert_eq!(ctrl(&mut app, 'c'), [Effect::Quit]);
    assert_eq!(session(&mut app, Event::Stopped), [Effect::Quit]);
}

#[test]
fn stopped_without_a_quit_request_does_not_quit() {
    let mut app = app();
    assert_eq!(session(&mut app, Event::Stopped), []);
    assert!(!app.state.quitting);
}

#[test]
fn log_letters_with_ctrl_or_alt_are_not_commands() {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.state.focus, Focus::Log);
    for modifiers in [KeyModifiers::CONTROL, KeyModifiers::ALT] {
        let effects = app.update(
            Msg::Key(KeyEvent::new(KeyCode::Char('q'), modifiers)),
            Instant::now(),
        );
        assert_eq!(effects, [], "{modifiers:?}-q must not quit");
        assert!(!app.state.quitting);
    }
}

#[test]
fn q_with_a_draft_in_the_composer_asks_for_a_second_q() {
    let mut app = app();
    type_text(&mut app, r#"{"half":"#);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.focus, Focus::Log);
    assert_eq!(key(&mut app, KeyCode::Char('q')), []);
    assert!(!app.state.quitting);
    assert!(status(&app).is_some_and(|(text, _)| {
        text.contains("the composer's unsent message will be lost") && text.contains("q or y quits")
    }));
    assert_eq!(key(&mut app, KeyCode::Char('q')), [Effect::Quit]);
}

#[test]
fn another_key_between_the_two_qs_cancels_the_quit() {
    let mut app = app();
    type_text(&mut app, "draft");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('q'));
    key(&mut app, KeyCode::Up);
    assert_eq!(key(&mut app, KeyCode::Char('q')), []);
    assert!(!app.state.quitting);
}

#[test]
fn the_wheel_scrolls_the_popup_not_the_log_behind_it() {
    let mut app = app_with_needles();
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.state.overlay, Some(Overlay::Inspector(_))));
    let following = app.state.log_view.is_following();
    app.update(
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: 0,
            row: 0,
            modifiers: KeyModifiers::NONE,
        }),
        Instant::now(),
    );
    assert_eq!(app.state.log_view.is_following(), following);
}

#[test]
fn paste_goes_into_the_open_prompt() {
    let mut app = app_with_needles();
    key(&mut app, KeyCode::Char('/'));
    app.update(Msg::Paste("needle\nsecond line".into()), Instant::now());
    let Some(Overlay::Search(prompt)) = &app.state.overlay else {
        panic!("the search prompt stays open");
    };
    assert_eq!(prompt.text(), "needle");
    assert!(app.state.composer.is_empty());
}

#[test]
fn a_colon_command_typed_in_the_composer_runs() {
    let mut app = app();
    type_text(&mut app, ":connect");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Command(Command::Connect)]
    );
    assert!(
        app.state.composer.is_empty(),
        "the command leaves the composer"
    );
    assert!(
        app.state.composer.history().entries().next().is_none(),
        "a command is no message"
    );
}

#[test]
fn a_double_colon_sends_a_leading_colon_and_unknown_words_depend_on_the_mode() {
    let mut app = app();
    key_with(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert_eq!(app.state.composer.mode_label(), "Text");
    type_text(&mut app, "::connect");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Command(Command::Send { payload, .. })] = effects.as_slice() else {
        panic!("expected a Send, got {effects:?}");
    };
    assert_eq!(payload.as_ref(), b":connect");
    type_text(&mut app, ":smile");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Command(Command::Send { payload, .. })] if payload.as_ref() == b":smile"),
        "Text mode sends an unknown :word as typed: {effects:?}"
    );

    let mut json = app_default_json();
    type_text(&mut json, ":smile");
    assert_eq!(key(&mut json, KeyCode::Enter), []);
    assert_eq!(json.state.composer.text(), ":smile", "kept");
    assert!(status(&json).is_some_and(|(text, _)| text.contains("':smile' is not a command")));
}

fn app_default_json() -> App {
    let app = app();
    assert_eq!(app.state.composer.mode_label(), "JSON");
    app
}

#[test]
fn the_state_pane_queue_counts_what_waits_now() {
    let mut app = app();
    session(
        &mut app,
        Event::Queued {
            id: 1,
            queue_len: 1,
        },
    );
    session(
        &mut app,
        Event::Queued {
            id: 2,
            queue_len: 2,
        },
    );
    assert_eq!(app.state.connection.stats.queue_len, 2);
}

// ---------------------------------------------------------------------------
// A user keymap
// ---------------------------------------------------------------------------

fn app_with_keys(keys_toml: &str) -> App {
    let mut app = app();
    app.set_keymap(std::sync::Arc::new(
        wsdeck::keymap::Keymap::from_toml(keys_toml).expect("a valid keys.toml"),
    ));
    app
}

#[test]
fn rebound_keys_act_and_the_old_ones_do_not() {
    let mut app = app_with_keys(
        "[log]\nquit = \"ctrl-q\"\ninspect = [\"enter\", \"l\"]\n[composer]\nsend = \"ctrl-s\"\nnewline = \"enter\"\n[global]\nswitch-focus = \"f6\"\n",
    );
    // The composer's hint names the new keys; Enter is now a newline, Ctrl-S sends.
    assert_eq!(
        app.state.composer.textarea().placeholder_text(),
        "type a message · Ctrl-S send · Enter newline · Ctrl-T mode"
    );
    type_text(&mut app, "[1,");
    assert_eq!(key(&mut app, KeyCode::Enter), []);
    type_text(&mut app, "2]");
    assert_eq!(app.state.composer.text(), "[1,\n2]");
    let effects = ctrl(&mut app, 's');
    assert!(
        matches!(effects.as_slice(), [Effect::Command(Command::Send { .. })]),
        "{effects:?}"
    );
    // Tab no longer moves focus (it is not a composer key either); F6 does.
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.state.focus, Focus::Composer);
    key(&mut app, KeyCode::F(6));
    assert_eq!(app.state.focus, Focus::Log);
    // q does nothing now; Ctrl-Q asks, naming its own key.
    incoming(&mut app, 1, "x");
    assert_eq!(key(&mut app, KeyCode::Char('q')), []);
    assert!(!app.state.quitting);
    assert_eq!(ctrl(&mut app, 'q'), []);
    let (text, _) = app.state.status.clone().expect("asks first");
    assert!(text.contains("Ctrl-Q or y quits"), "{text}");
    // l inspects.
    key(&mut app, KeyCode::Char('l'));
    assert!(matches!(app.state.overlay, Some(Overlay::Inspector(_))));
}

#[test]
fn the_hint_line_and_help_show_rebound_keys() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut app = app_with_keys("[log]\nquit = \"ctrl-q\"\n");
    app.state.welcome = None;
    focus_log(&mut app);
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let screen = |terminal: &mut Terminal<TestBackend>, app: &mut App| {
        terminal
            .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, now()))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = screen(&mut terminal, &mut app);
    assert!(text.contains("Ctrl-Q quit"), "{text}");
    assert!(!text.contains(" q quit"), "{text}");
    key(&mut app, KeyCode::Char('?'));
    let mut tall = Terminal::new(TestBackend::new(120, 130)).unwrap();
    let text = screen(&mut tall, &mut app);
    assert!(text.contains("Ctrl-Q "), "{text}");
}
