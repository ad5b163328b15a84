//! The TUI runtime: owns the terminal and the session handle, feeds keys and session
//! events to [`App::update`] in batches, carries out the effects, and redraws only
//! when something changed, at most ~60 times a second. Idle means no wake-ups
//! beyond a 1 s tick while a countdown or uptime is on screen.

pub mod launch;
pub mod picker;
pub mod save_profile;
pub mod terminal;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use base64::Engine as _;
use futures_util::StreamExt;
use ratatui::crossterm::event::{Event as TermEvent, EventStream, KeyEventKind, MouseEventKind};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use crate::app::{App, AppSetup, Effect, Msg, SessionExtras, StatusLevel};
use crate::commands::output::{LineFormat, format_time, write_frame};
use crate::server::Server;
use crate::session::secret::Redactor;
use crate::session::{self, Event, EventReceiver, SessionConfig, SessionHandle};
use crate::state::history::History;
use crate::state::log::{LogEntry, LogStore};
use terminal::TerminalGuard;

/// Shortest time between two frames (~60 fps).
const FRAME: Duration = Duration::from_millis(16);
/// Most session events taken in one go before input is looked at again.
const EVENT_BATCH: usize = 4096;
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
    } = launch;
    extras.provider = config.provider.clone();
    extras.token = config.auth.token.clone();
    if let Ok(adapter) = crate::protocol::adapter_for(&config.provider) {
        extras.shortcuts = adapter.commands().to_vec();
    }
    let redactor = Redactor::new(config.auth.token.iter());
    let shown_url = redactor
        .text(config.auth.url_with_token(&config.url).as_str())
        .into_owned();
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
    let (handle, mut events) = session::spawn(config).context("cannot start the session")?;
    let mut app = App::new(AppSetup {
        ids: handle.ids(),
        ..setup
    });
    app.set_keymap(std::sync::Arc::new(keymap));
    if let Some(error) = history_error {
        app.state.status = Some((error, StatusLevel::Error));
    }
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
    let result = event_loop(&mut guard, &mut app, &handle, &mut events, profile.as_ref()).await;
    drop(guard);
    leave(&handle, &mut events).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    result
}

async fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    handle: &SessionHandle,
    events: &mut EventReceiver,
    profile: Option<&crate::config::profile::Profile>,
) -> anyhow::Result<()> {
    let mut input = EventStream::new();
    let mut batch: Vec<Event> = Vec::with_capacity(EVENT_BATCH);
    let mut ticker = interval(Duration::from_secs(1));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let mut termination = terminal::termination();
    // The app learns the screen's size here and from resizes after: clicks need it
    // (without it they do nothing, and everything else works).
    if let Ok(size) = guard.terminal().size() {
        let resize = Msg::Resize {
            width: size.width,
            height: size.height,
        };
        app.update(resize, Instant::now());
    }
    loop {
        let now = Instant::now();
        if dirty && now >= last_draw + FRAME {
            guard
                .terminal()
                .draw(|frame| crate::ui::screen::draw(frame, &app.state, now))
                .context("cannot draw")?;
            dirty = false;
            last_draw = now;
        }
        let next_draw = last_draw + FRAME;
        let effects = tokio::select! {
            biased;
            input_event = input.next() => match input_event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => app.update(msg, Instant::now()),
                    None => continue,
                },
                Some(Err(error)) => return Err(error).context("cannot read the terminal"),
                None => return Ok(()),
            },
            // SIGINT (from another process), SIGTERM, SIGHUP, SIGQUIT: leave as on
            // `q`, so the terminal is restored and the session closes with 1000.
            // Before session events, so that a flood cannot hold the exit back.
            _ = terminal::terminated(&mut termination) => return Ok(()),
            received = events.recv_many(&mut batch, EVENT_BATCH) => {
                if received == 0 {
                    return Ok(());
                }
                let now = Instant::now();
                let mut effects = Vec::new();
                for event in batch.drain(..) {
                    effects.extend(app.update(Msg::Session(event), now));
                }
                effects
            }
            _ = sleep_until(next_draw), if dirty => continue,
            _ = ticker.tick(), if app.is_ticking() => app.update(Msg::Tick, Instant::now()),
            _ = tokio::task::yield_now(), if app.has_pending_work() => {
                app.update(Msg::Work, Instant::now())
            }
        };
        dirty = true;
        for effect in effects {
            match effect {
                Effect::Command(command) => {
                    if handle.command(command).is_err() {
                        return Ok(());
                    }
                }
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::SaveLog(path) => {
                    let status = match save_log(&app.state.log, &path) {
                        Ok(count) => (
                            format!("saved {count} entries to {}", path.display()),
                            StatusLevel::Info,
                        ),
                        Err(error) => (
                            format!("cannot save to {}: {error}", path.display()),
                            StatusLevel::Error,
                        ),
                    };
                    app.state.status = Some(status);
                }
                Effect::SaveProfile(name) => {
                    app.state.status = Some(save_profile::save_current_profile(profile, &name));
                }
                Effect::Suspend => guard.suspend().context("cannot suspend")?,
                Effect::Quit => return Ok(()),
            }
        }
    }
}

/// Terminal input as an app message; key releases and focus changes are dropped.
fn to_msg(event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        // Plain pointer motion changes nothing; dropping it avoids needless redraws.
        TermEvent::Mouse(mouse) if mouse.kind == MouseEventKind::Moved => None,
        TermEvent::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        TermEvent::Resize(width, height) => Some(Msg::Resize { width, height }),
        TermEvent::Paste(text) => Some(Msg::Paste(text)),
        _ => None,
    }
}

/// Closes the session with 1000 and waits (bounded) for it to stop.
async fn leave(handle: &SessionHandle, events: &mut EventReceiver) {
    let _ = handle.shutdown();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(event) = events.recv().await {
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

/// OSC 52: the terminal puts the text on the clipboard, also over SSH.
fn copy_to_clipboard(text: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "\x1b]52;c;{encoded}\x07");
    let _ = stdout.flush();
}

/// Writes the log as JSON lines (frames as `listen --jsonl` prints them, system
/// lines as `{"time":…,"system":…}`). Payloads were redacted by the engine.
fn save_log(log: &LogStore, path: &Path) -> std::io::Result<usize> {
    // The log holds what the server sent: readable by its owner only, like the history.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    let mut out = std::io::BufWriter::new(file);
    let mut count = 0;
    for (_, entry) in log.window(log.first_seq(), log.len()) {
        match entry {
            LogEntry::Frame(frame) => write_frame(&mut out, frame, LineFormat::JsonLines)?,
            LogEntry::System {
                timestamp, text, ..
            } => {
                let line = serde_json::json!({"time": format_time(*timestamp), "system": text});
                crate::terminal_text::write_json(&mut out, &line)?;
                out.write_all(b"\n")?;
            }
        }
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_releases_stop_at_the_edge() {
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        for code in [
            KeyCode::Char('q'),
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::F(1),
        ] {
            let mut release = KeyEvent::new(code, KeyModifiers::NONE);
            release.kind = KeyEventKind::Release;
            assert!(to_msg(TermEvent::Key(release)).is_none(), "{code:?}");
            let press = KeyEvent::new(code, KeyModifiers::NONE);
            assert!(matches!(to_msg(TermEvent::Key(press)), Some(Msg::Key(_))));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_saved_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("session.jsonl");
        let mut log = LogStore::new(10);
        log.push(LogEntry::System {
            timestamp: std::time::SystemTime::now(),
            text: "connected".into(),
            level: crate::state::log::SystemLevel::Info,
        });
        assert_eq!(save_log(&log, &path).expect("saved"), 1);
        let mode = std::fs::metadata(&path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
