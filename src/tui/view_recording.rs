//! `wsdeck open`: the TUI on a recording, read-only. The app's log is filled from
//! the recording before the loop starts, and the loop runs without a session
//! ([`super::event_loop::offline_loop`]): the same log, search, filter, inspector,
//! copy and mouse as a live session, and nothing that sends or connects.

use anyhow::Context;
use ratatui::crossterm::event::EventStream;

use super::event_loop::{Input, offline_loop};
use super::terminal::{self, TerminalGuard};
use crate::app::{App, AppSetup, DEFAULT_LOG_CAPACITY, SessionExtras};
use crate::commands::open::Opened;
use crate::state::history::History;

/// The app showing `opened`, before the loop starts (tests use it too).
pub fn recording_app(opened: &Opened) -> App {
    let records = opened.recording.records.len();
    let provider = opened
        .recording
        .header
        .as_ref()
        .and_then(|header| header.provider.clone())
        .unwrap_or_default();
    let mut app = App::new(AppSetup {
        url: String::new(),
        auth_mode: "none",
        insecure: false,
        // A recording sends nothing: no history to load or write.
        history: History::in_memory(History::DEFAULT_CAPACITY),
        // Room for every record and the lines about them.
        log_capacity: DEFAULT_LOG_CAPACITY.max(records.saturating_add(16)),
        welcome: None,
        ids: crate::session::MessageIds::default(),
        extras: SessionExtras {
            provider,
            ..SessionExtras::default()
        },
    });
    if let Ok(keymap) = crate::commands::keys::user_keymap() {
        app.set_keymap(std::sync::Arc::new(keymap));
    }
    app.open_recording(&opened.recording, &opened.file);
    app
}

/// Shows `opened` until the user quits.
pub async fn view(opened: Opened) -> anyhow::Result<()> {
    super::launch::install_user_theme()?;
    crate::commands::keys::user_keymap()?;
    let mut app = recording_app(&opened);
    let mut guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    let title = format!("wsdeck · {} (read-only)", opened.file);
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::terminal::SetTitle(crate::terminal_text::one_line(&title))
    );
    let input = Input {
        terminal_events: EventStream::new(),
        termination: terminal::termination(),
    };
    let result = offline_loop(&mut guard, input, &mut app).await;
    drop(guard);
    result
}
