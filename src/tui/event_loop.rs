//! The TUI's event loop: feeds terminal input and session events to
//! [`App::update`] in batches, carries out the effects, and redraws only when
//! something changed, at most ~60 times a second. It is generic over where it
//! draws (a [`Surface`]) and where input comes from (any stream of terminal
//! events), so a test runs this very loop on ratatui's `TestBackend` with a
//! scripted stream; the binary runs it on the real terminal.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use futures_util::{Stream, StreamExt};
use ratatui::crossterm::event::{Event as TermEvent, KeyEventKind, MouseEventKind};
use ratatui::layout::Size;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use super::export::start_export;
use super::save_log::save_log;
use super::save_profile::save_current_profile;
use super::terminal::terminated;
use crate::app::{App, Effect, Msg, StatusLevel};
use crate::config::profile::Profile;
use crate::recording::{Recorder, RecordingProblem};
use crate::session::{Event, EventReceiver, SessionHandle};
use crate::state::app::AppState;
use crate::state::log::{LogEntry, SystemLevel};

/// Shortest time between two frames (~60 fps).
const FRAME: Duration = Duration::from_millis(16);
/// Most session events taken in one go before input is looked at again.
const EVENT_BATCH: usize = 4096;

/// Where the loop draws and what it does that only a terminal can: the real
/// terminal ([`super::terminal::TerminalGuard`]) or a test's screen.
pub trait Surface {
    /// The screen's size in cells.
    fn size(&mut self) -> io::Result<Size>;
    /// Draws the whole screen for this state.
    fn draw(&mut self, state: &AppState, now: Instant) -> io::Result<()>;
    /// Ctrl-Z: hands the terminal back to the shell until the process is resumed.
    fn suspend(&mut self) -> io::Result<()>;
    /// Puts text on the user's clipboard.
    fn copy_to_clipboard(&mut self, text: &str);
}

/// The session the loop talks to, and the profile `:save-profile` saves.
pub struct Connection<'a> {
    /// Where commands go.
    pub handle: &'a SessionHandle,
    /// Where the session's events come from.
    pub events: &'a mut EventReceiver,
    /// The connection as a profile (`None` for the demo).
    pub profile: Option<&'a Profile>,
    /// Where the session is recorded, if it is: it sees every event once, as the
    /// app does, and a write failure comes back as a line in the log.
    pub recorder: Option<&'a mut Recorder>,
}

/// Where the loop's input comes from.
pub struct Input<I> {
    /// Keys, mouse, paste and resizes, as crossterm reports them.
    pub terminal_events: I,
    /// Becomes non-zero on a termination signal (see [`super::terminal::termination`]).
    pub termination: watch::Receiver<i32>,
}

/// Runs the app until the user quits, the input ends, a termination signal comes,
/// or the session stops.
pub async fn event_loop<S, I>(
    surface: &mut S,
    input: Input<I>,
    app: &mut App,
    connection: Connection<'_>,
) -> anyhow::Result<()>
where
    S: Surface,
    I: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    run_loop(surface, input, app, Some(connection)).await
}

/// Runs the app without a session (a recording opened read-only, whose log was
/// filled before) until the user quits, the input ends or a termination signal
/// comes.
pub async fn offline_loop<S, I>(
    surface: &mut S,
    input: Input<I>,
    app: &mut App,
) -> anyhow::Result<()>
where
    S: Surface,
    I: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    run_loop(surface, input, app, None).await
}

async fn run_loop<S, I>(
    surface: &mut S,
    input: Input<I>,
    app: &mut App,
    connection: Option<Connection<'_>>,
) -> anyhow::Result<()>
where
    S: Surface,
    I: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    let Input {
        terminal_events: mut input,
        mut termination,
    } = input;
    let (handle, mut events, profile, mut recorder) = match connection {
        Some(Connection {
            handle,
            events,
            profile,
            recorder,
        }) => (Some(handle), Some(events), profile, recorder),
        None => (None, None, None, None),
    };
    let mut batch: Vec<Event> = Vec::with_capacity(EVENT_BATCH);
    let mut ticker = interval(Duration::from_secs(1));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let (saved_sender, mut saved) = mpsc::unbounded_channel();
    let effect_context = EffectContext {
        handle,
        profile,
        saved: saved_sender,
    };
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    tell_screen_size(surface, app);
    loop {
        let now = Instant::now();
        if dirty && now >= last_draw + FRAME {
            surface.draw(&app.state, now).context("cannot draw")?;
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
            _ = terminated(&mut termination) => return Ok(()),
            received = next_events(&mut events, &mut batch) => {
                if received == 0 {
                    return Ok(());
                }
                if let Some(recorder) = recorder.as_deref_mut() {
                    for event in &batch {
                        recorder.record(event);
                    }
                    recorder.hand_off();
                }
                let now = Instant::now();
                let mut effects = Vec::new();
                for event in batch.drain(..) {
                    effects.extend(app.update(Msg::Session(event), now));
                }
                effects
            }
            problem = recording_problem(recorder.as_deref_mut()) => {
                app.note(problem.to_string(), SystemLevel::Error);
                app.state.recording_to = None;
                app.state.status = Some((problem.to_string(), StatusLevel::Error));
                Vec::new()
            }
            Some(status) = saved.recv() => {
                app.state.status = Some(status);
                Vec::new()
            }
            _ = sleep_until(next_draw), if dirty => continue,
            _ = ticker.tick(), if app.is_ticking() => app.update(Msg::Tick, Instant::now()),
            _ = tokio::task::yield_now(), if app.has_pending_work() => {
                app.update(Msg::Work, Instant::now())
            }
        };
        dirty = true;
        if carry_out(effects, surface, app, &effect_context)? == Flow::Stop {
            return Ok(());
        }
    }
}

/// The session's next batch of events; without a session, never.
async fn next_events(events: &mut Option<&mut EventReceiver>, batch: &mut Vec<Event>) -> usize {
    match events {
        Some(events) => events.recv_many(batch, EVENT_BATCH).await,
        None => std::future::pending().await,
    }
}

/// The failure that stopped the recording, when it comes (never, when there is
/// no recording or it goes well).
async fn recording_problem(recorder: Option<&mut Recorder>) -> RecordingProblem {
    if let Some(recorder) = recorder
        && let Some(problem) = recorder.problem().await
    {
        return problem;
    }
    std::future::pending().await
}

/// The app learns the screen's size here and from resizes after: clicks need it
/// (without it they do nothing, and everything else works).
fn tell_screen_size<S: Surface>(surface: &mut S, app: &mut App) {
    if let Ok(size) = surface.size() {
        let resize = Msg::Resize {
            width: size.width,
            height: size.height,
        };
        app.update(resize, Instant::now());
    }
}

/// Whether the loop goes on after the effects of one update.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// What carrying out effects needs besides the surface and the app.
struct EffectContext<'a> {
    /// `None` for a recording, which sends nothing (the app refuses before).
    handle: Option<&'a SessionHandle>,
    profile: Option<&'a Profile>,
    /// Where a finished `:save` reports its outcome.
    saved: mpsc::UnboundedSender<(String, StatusLevel)>,
}

/// Carries out the effects of one update, in order.
fn carry_out<S: Surface>(
    effects: Vec<Effect>,
    surface: &mut S,
    app: &mut App,
    context: &EffectContext<'_>,
) -> anyhow::Result<Flow> {
    for effect in effects {
        match effect {
            Effect::Command(command) => {
                if let Some(handle) = context.handle
                    && handle.command(command).is_err()
                {
                    return Ok(Flow::Stop);
                }
            }
            Effect::Copy(text) => surface.copy_to_clipboard(&text),
            Effect::SaveLog(path) => {
                app.state.status = Some(start_saving(app, path, context.saved.clone()));
            }
            Effect::Export { path, overwrite } => {
                let status = start_export(app, path, overwrite, context.saved.clone());
                app.state.status = Some(status);
            }
            Effect::SaveProfile(name) => {
                app.state.status = Some(save_current_profile(context.profile, &name));
            }
            Effect::Suspend => surface.suspend().context("cannot suspend")?,
            Effect::Quit => return Ok(Flow::Stop),
        }
    }
    Ok(Flow::Continue)
}

/// Writes a copy of the log to `path` on a blocking thread, so a large log or a
/// slow disk never holds the screen; the outcome comes back through `done` as the
/// status line. Returns the status to show meanwhile. A save still running when
/// the user quits finishes before the process exits (the runtime waits for it).
fn start_saving(
    app: &App,
    path: PathBuf,
    done: mpsc::UnboundedSender<(String, StatusLevel)>,
) -> (String, StatusLevel) {
    let log = &app.state.log;
    let entries: Vec<LogEntry> = log
        .window(log.first_seq(), log.len())
        .map(|(_, entry)| entry.clone())
        .collect();
    let saving = format!("saving {} entries to {}…", entries.len(), path.display());
    tokio::task::spawn_blocking(move || {
        let status = match save_log(&entries, &path) {
            Ok(count) => (
                format!("saved {count} entries to {}", path.display()),
                StatusLevel::Info,
            ),
            Err(error) => (
                format!("cannot save to {}: {error}", path.display()),
                StatusLevel::Error,
            ),
        };
        let _ = done.send(status);
    });
    (saving, StatusLevel::Info)
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
}
