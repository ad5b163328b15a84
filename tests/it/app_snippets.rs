//! The profile features of the TUI's controller, driven through `App::update` with no
//! terminal: the snippets popup (F2 / Ctrl-O / `:snippets`), snippet templates
//! rendered on insert with a per-session `{{seq}}`, and `:save-profile NAME`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use wsdeck::app::{App, AppSetup, Effect, Focus, Msg, Overlay, SessionExtras, StatusLevel};
use wsdeck::config::presets;
use wsdeck::config::profile::Snippet;
use wsdeck::state::history::History;

use crate::common::screen::app_setup;

fn app_with(extras: SessionExtras) -> App {
    App::new(AppSetup {
        history: History::in_memory(10),
        log_capacity: 100,
        extras,
        ..app_setup("ws://127.0.0.1:9/ws")
    })
}

fn binance_app() -> App {
    let preset = presets::find("binance").expect("the binance preset");
    app_with(SessionExtras {
        provider: "binance".into(),
        profile_name: Some("feed".into()),
        snippets: preset.profile().expect("it loads").snippets,
        ..SessionExtras::default()
    })
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, modifiers)), Instant::now())
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    press(app, code, KeyModifiers::NONE)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Runs `:TEXT` from the log pane.
fn command(app: &mut App, text: &str) -> Vec<Effect> {
    key(app, KeyCode::Esc);
    assert_eq!(app.state.focus, Focus::Log);
    key(app, KeyCode::Char(':'));
    type_text(app, text);
    key(app, KeyCode::Enter)
}

/// The error the open command line shows (it stays open so the line can be fixed).
fn command_line_error(app: &App) -> String {
    match &app.state.overlay {
        Some(Overlay::CommandLine(line)) => line.error().unwrap_or_default().to_string(),
        other => panic!("the command line should stay open, found {other:?}"),
    }
}

fn status(app: &App) -> (String, StatusLevel) {
    app.state.status.clone().expect("a status line")
}

#[test]
fn f2_inserts_a_snippet_with_a_fresh_seq_each_time() {
    let mut app = binance_app();
    key(&mut app, KeyCode::F(2));
    assert!(matches!(app.state.overlay, Some(Overlay::Snippets(_))));
    type_text(&mut app, "subscribe btcusdt@trade");
    key(&mut app, KeyCode::Enter);
    assert!(app.state.overlay.is_none(), "the popup closes on insert");
    assert_eq!(app.state.focus, Focus::Composer);
    let first: serde_json::Value =
        serde_json::from_str(&app.state.composer.text()).expect("JSON in the composer");
    assert_eq!(first["method"], "SUBSCRIBE");
    assert_eq!(first["params"][0], "btcusdt@trade");
    assert_eq!(first["id"], 1);
    assert!(status(&app).0.contains("inserted"), "{:?}", status(&app));

    // Enter sends it; the next insert takes the next number.
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(effects.len(), 1, "{effects:?}");
    press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert!(matches!(app.state.overlay, Some(Overlay::Snippets(_))));
    type_text(&mut app, "list");
    key(&mut app, KeyCode::Enter);
    let second: serde_json::Value = serde_json::from_str(&app.state.composer.text()).unwrap();
    assert_eq!(second["method"], "LIST_SUBSCRIPTIONS");
    assert_eq!(second["id"], 2);
}

#[test]
fn without_snippets_the_popup_says_where_they_come_from() {
    let mut app = app_with(SessionExtras::default());
    key(&mut app, KeyCode::F(2));
    assert!(app.state.overlay.is_none());
    let (text, level) = status(&app);
    assert_eq!(level, StatusLevel::Info);
    assert!(text.contains("[[snippets]]"), "{text}");
}

#[test]
fn a_snippet_that_cannot_render_stays_in_the_popup_with_the_reason() {
    let mut app = app_with(SessionExtras {
        snippets: vec![Snippet {
            name: "needs env".into(),
            text: r#"{"key":"{{env.WSDECK_SURELY_UNSET_VAR}}"}"#.into(),
            description: None,
        }],
        ..SessionExtras::default()
    });
    command(&mut app, "snippets");
    assert!(matches!(app.state.overlay, Some(Overlay::Snippets(_))));
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.state.overlay, Some(Overlay::Snippets(_))));
    let (text, level) = status(&app);
    assert_eq!(level, StatusLevel::Error);
    assert!(text.contains("WSDECK_SURELY_UNSET_VAR"), "{text}");
    assert!(
        app.state.composer.is_empty(),
        "nothing half-rendered is inserted"
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.state.overlay.is_none());
}

#[test]
fn save_profile_asks_the_runtime_and_checks_the_name_first() {
    let mut app = binance_app();
    assert_eq!(
        command(&mut app, "save-profile btc-feed"),
        [Effect::SaveProfile("btc-feed".into())]
    );
    assert_eq!(command(&mut app, "save-profile ../x"), []);
    assert!(
        command_line_error(&app).contains("not a valid profile name"),
        "{}",
        command_line_error(&app)
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(command(&mut app, "save-profile"), []);
    assert!(command_line_error(&app).contains("needs a name"));
}
