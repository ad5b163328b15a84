//! The TUI runtime: sets up the terminal, the session and the app, runs the
//! [`event_loop()`](event_loop::event_loop) on them, and closes the session
//! cleanly when it ends. Idle means no wake-ups beyond a 1 s tick while a
//! countdown or uptime is on screen.

pub mod event_loop;
pub mod export;
pub mod launch;
pub mod picker;
pub mod save_log;
pub mod save_profile;
pub mod terminal;
pub mod view_recording;

use std::time::Duration;

use anyhow::Context;
use ratatui::crossterm::event::EventStream;

use crate::app::{App, AppSetup, SessionExtras, StatusLevel};
use crate::commands::record::{self, RecordTo};
use crate::recording::Recorder;
use crate::server::Server;
use crate::session::secret::Redactor;
use crate::session::{self, Event, EventReceiver, SessionConfig, SessionHandle};
use crate::state::history::History;
use crate::state::log::SystemLevel;
use event_loop::{Connection, Input, event_loop};
use terminal::TerminalGuard;

/// How long leaving waits for the session to close cleanly.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// What to open the TUI on.
#[derive(Debug)]
pub struct Launch {
    /// The connection.
    pub config: SessionConfig,
    /// A first-run hint for the status line.
    pub welcome: Option<String>,
    /// A server to stop when the TUI ends (`wsdeck demo`).
    pub server: Option<Server>,
    /// Log entries kept in memory.
    pub log_capacity: usize,
    /// Which send history to use: the URL, or a fixed name for the demo (whose port
    /// changes every run).
    pub history_key: String,
    /// What the profile or provider adds (adapter, composer mode, snippets).
    pub extras: SessionExtras,
    /// The connection as a profile, for `:save-profile` (`None` for the demo).
    pub profile: Option<crate::config::profile::Profile>,
    /// Whether to record the session into the store (`--no-record` says no; so
    /// does `enabled = false` in settings.toml's `[sessions]`).
    pub record: bool,
}

/// Runs the TUI until the user quits.
pub async fn run(launch: Launch) -> anyhow::Result<()> {
    let Launch {
        config,
        welcome,
        server,
        log_capacity,
        history_key,
        mut extras,
        profile,
        record,
    } = launch;
    // A broken settings.toml is said before anything starts, as a broken theme is.
    let recording = match record {
        true => Some(crate::commands::record::session_settings()?),
        false => None,
    };
    extras.provider = config.provider.clone();
    extras.token = config.auth.token.clone();
    if let Ok(adapter) = crate::protocol::adapter_for(&config.provider) {
        extras.shortcuts = adapter.commands().to_vec();
    }
    let profile_name = extras.profile_name.clone();
    let redactor = Redactor::new(config.auth.token.iter());
    let shown_url = redactor
        .text(config.auth.url_with_token(&config.url).as_str())
        .into_owned();
    let shown_proxy = config.proxy.as_ref().map(|proxy| proxy.masked());
    let (history, history_error) = load_history(&history_key);
    let setup = AppSetup {
        url: shown_url,
        auth_mode: config.auth.method.as_str(),
        insecure: config.tls.insecure,
        history,
        log_capacity,
        welcome,
        ids: session::MessageIds::default(),
        extras,
    };
    let keymap = crate::commands::keys::user_keymap()?;
    let recorder_start = recording
        .filter(|settings| settings.enabled)
        .map(|settings| record::start(&RecordTo::Store, &config, profile_name, &settings));
    let (handle, mut events) = session::spawn(config).context("cannot start the session")?;
    let mut app = App::new(AppSetup {
        ids: handle.ids(),
        ..setup
    });
    app.set_keymap(std::sync::Arc::new(keymap));
    app.state.connection.proxy = shown_proxy;
    if let Some(error) = history_error {
        app.state.status = Some((error, StatusLevel::Error));
    }
    let mut recorder = match recorder_start {
        Some(Ok(recorder)) => {
            let shown = record::shown_path(recorder.path());
            app.note(format!("recording to {shown}"), SystemLevel::Info);
            app.state.recording_to = Some(shown);
            Some(recorder)
        }
        Some(Err(error)) => {
            app.note(
                format!("not recording this session: {error}"),
                SystemLevel::Warning,
            );
            None
        }
        None => None,
    };
    let mut guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    // The terminal's title names what this window is connected to.
    let title = match &app.state.extras.profile_name {
        Some(name) => format!("wsdeck · {name}"),
        None => format!("wsdeck · {}", app.state.connection.url),
    };
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::terminal::SetTitle(crate::terminal_text::one_line(&title))
    );
    let _ = handle.connect();
    let input = Input {
        terminal_events: EventStream::new(),
        termination: terminal::termination(),
    };
    let connection = Connection {
        handle: &handle,
        events: &mut events,
        profile: profile.as_ref(),
        recorder: recorder.as_mut(),
    };
    let result = event_loop(&mut guard, input, &mut app, connection).await;
    drop(guard);
    leave(&handle, &mut events, recorder.as_mut()).await;
    if let Some(recorder) = recorder {
        // Everything recorded is in the file before the process exits.
        let finished = recorder.finish().await;
        if finished.problem.is_some() {
            crate::commands::output::report(&record::finished_line(&finished));
        }
    }
    if let Some(server) = server {
        server.shutdown().await;
    }
    result
}

/// Closes the session with 1000 and waits (bounded) for it to stop.
async fn leave(
    handle: &SessionHandle,
    events: &mut EventReceiver,
    mut recorder: Option<&mut Recorder>,
) {
    let _ = handle.shutdown();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(event) = events.recv().await {
            if let Some(recorder) = recorder.as_deref_mut() {
                recorder.record(&event);
            }
            if event == Event::Stopped {
                break;
            }
        }
    })
    .await;
}

/// The send history for this URL, from the data directory when there is one.
fn load_history(target: &str) -> (History, Option<String>) {
    match History::default_dir() {
        Some(dir) => {
            let (history, error) =
                History::load(History::path_for(&dir, target), History::DEFAULT_CAPACITY);
            (history, error.map(|e| format!("send history: {e}")))
        }
        None => (History::in_memory(History::DEFAULT_CAPACITY), None),
    }
}
