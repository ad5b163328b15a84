//! The TUI's controller: [`App::update`] takes one [`Msg`] (a session event, a key,
//! the mouse, a tick) and changes [`AppState`], returning the [`Effect`]s the
//! runtime must carry out (commands to the session, clipboard, files, quit). It is
//! pure: no terminal, no socket, so every key path is tested directly.

mod capture;
mod every;
mod export;
mod keys;
mod mouse;
mod read_only;
mod search_filter;
mod session_events;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use tokio::time::Instant;

use crate::config::profile::MessageFormat;
use crate::keymap::Keymap;
use crate::state::app::log_rows;
pub use crate::state::app::{
    AppState, FilterState, Focus, Overlay, SearchState, SessionExtras, StatusLevel,
};
pub use mouse::DOUBLE_CLICK;

use crate::session::{Command, MessageIds};
use crate::state::composer::Composer;
use crate::state::connection::ConnectionView;
use crate::state::history::History;
use crate::state::log::LogStore;
use crate::state::log_view::LogView;

/// Default number of log entries kept in memory.
pub const DEFAULT_LOG_CAPACITY: usize = 100_000;
/// How many log entries one search step examines before input is looked at again.
pub const SEARCH_STEP: usize = 50_000;
/// How many log entries one filter step examines before input is looked at again.
pub const FILTER_STEP: usize = 50_000;

/// Something that happened, for [`App::update`].
#[derive(Debug, Clone)]
pub enum Msg {
    /// An event from the session engine.
    Session(crate::session::Event),
    /// A key press (releases are ignored).
    Key(KeyEvent),
    /// A mouse event: the wheel scrolls, a click focuses a pane or picks a log row
    /// (see [`DOUBLE_CLICK`]).
    Mouse(MouseEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal's size: once at startup, then on every resize.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// Time passed (countdowns, uptime).
    Tick,
    /// Background work may continue (an incremental search or filter).
    Work,
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Hand a command to the session.
    Command(Command),
    /// Put text on the clipboard (OSC 52, so it works over SSH).
    Copy(String),
    /// Write the log to a file (JSON lines).
    SaveLog(PathBuf),
    /// Write the log's current view to a file, in the format its extension names
    /// (`:export`); the filter, if any, is complete.
    Export {
        /// The file.
        path: PathBuf,
        /// Whether an existing file is replaced.
        overwrite: bool,
    },
    /// Stop the process until the shell resumes it (Ctrl-Z).
    Suspend,
    /// Save the current connection as a new profile with this name (`:save-profile`).
    SaveProfile(String),
    /// Close the session with 1000 and leave.
    Quit,
}

/// What the app needs to start.
#[derive(Debug)]
pub struct AppSetup {
    /// The URL shown before connecting (token redacted).
    pub url: String,
    /// The auth mode's name.
    pub auth_mode: &'static str,
    /// Whether certificate verification is off.
    pub insecure: bool,
    /// The composer's send history.
    pub history: History,
    /// Log entries kept in memory.
    pub log_capacity: usize,
    /// A first-run hint.
    pub welcome: Option<String>,
    /// Message ids shared with the session.
    pub ids: MessageIds,
    /// What the profile or provider adds.
    pub extras: SessionExtras,
}

/// The controller.
#[derive(Debug)]
pub struct App {
    /// What is shown.
    pub state: AppState,
}

impl App {
    /// A new app, focused on the composer.
    pub fn new(setup: AppSetup) -> Self {
        let AppSetup {
            url,
            auth_mode,
            insecure,
            history,
            log_capacity,
            welcome,
            ids,
            extras,
        } = setup;
        let mut connection = ConnectionView::new(url, auth_mode, insecure);
        if extras.names_a_provider() {
            connection.provider = extras.provider.clone();
        }
        connection.profile = extras.profile_name.clone();
        let mode = extras.composer_mode.unwrap_or(MessageFormat::Json);
        Self {
            state: AppState {
                connection,
                log: LogStore::new(log_capacity),
                log_view: LogView::new(),
                composer: Composer::new(history, mode),
                focus: Focus::Composer,
                overlay: None,
                status: None,
                search: None,
                search_regex: false,
                filter: None,
                filter_jq_error: None,
                welcome,
                in_flight: HashMap::new(),
                unconfirmed: HashSet::new(),
                quitting: false,
                saved_command_line: None,
                quit_armed: false,
                recording_to: None,
                ids,
                extras,
                keymap: Arc::new(Keymap::default()),
                screen: None,
                last_click: None,
                records_behind: Default::default(),
                captures: Default::default(),
            },
        }
    }

    /// Uses `keymap` from now on (the user's `keys.toml`); the hints that name
    /// keys follow it.
    pub fn set_keymap(&mut self, keymap: Arc<Keymap>) {
        let hints = crate::keymap::hints::hints(&keymap, crate::keymap::hints::HintPlace::Composer);
        let mut placeholder = String::from("type a message");
        for (keys, what) in hints.iter().take(3) {
            placeholder.push_str(&format!(" · {keys} {what}"));
        }
        self.state.composer.set_placeholder(&placeholder);
        self.state.keymap = keymap;
    }

    /// Applies one message; returns what the runtime must do.
    pub fn update(&mut self, msg: Msg, now: Instant) -> Vec<Effect> {
        let effects = self.apply(msg, now);
        self.fit_to_screen();
        self.project_rows_in_view();
        effects
    }

    /// Tells the panes that page how many rows the screen gives them (the log, the
    /// inspector), so that drawing only reads the state.
    fn fit_to_screen(&mut self) {
        let Some(area) = self.state.screen else {
            return;
        };
        let regions = crate::ui::screen::screen_layout(area, &self.state);
        self.state
            .log_view
            .set_page_rows(regions.log.height.saturating_sub(2));
        if let Some(Overlay::Inspector(inspector)) = &mut self.state.overlay {
            let (columns, rows) = crate::ui::inspector::body_size(area);
            inspector.set_page_size(columns, rows);
        }
    }

    fn apply(&mut self, msg: Msg, now: Instant) -> Vec<Effect> {
        match msg {
            Msg::Session(event) => {
                let effects = self.on_session_event(event, now);
                self.after_session_event();
                effects
            }
            Msg::Key(key) => self.on_key(key),
            Msg::Mouse(mouse) => {
                self.on_mouse(mouse, now);
                Vec::new()
            }
            Msg::Paste(text) => self.paste(&text),
            Msg::Resize { width, height } => {
                self.state.screen = Some(Rect::new(0, 0, width, height));
                Vec::new()
            }
            Msg::Tick => Vec::new(),
            Msg::Work => {
                self.work();
                Vec::new()
            }
        }
    }

    /// Whether background work (a search, a filter) wants more [`Msg::Work`].
    pub fn has_pending_work(&self) -> bool {
        self.state
            .search
            .as_ref()
            .is_some_and(|search| !search.done)
            || self
                .state
                .filter
                .as_ref()
                .is_some_and(|filter| !filter.is_done(&self.state.log))
    }

    /// Whether something on screen changes with time alone.
    pub fn is_ticking(&self) -> bool {
        self.state.connection.is_ticking()
    }

    /// Pasted text goes to the composer, or (its first line) to the open prompt.
    fn paste(&mut self, text: &str) -> Vec<Effect> {
        match &self.state.overlay {
            None => {
                self.state.focus = Focus::Composer;
                self.state.composer.insert_text(text);
                Vec::new()
            }
            Some(Overlay::Help { .. } | Overlay::Inspector(_) | Overlay::Snippets(_)) => Vec::new(),
            Some(_) => {
                let line = text.lines().next().unwrap_or("");
                let mut effects = Vec::new();
                for c in line.chars().filter(|c| !c.is_control()) {
                    effects.extend(self.overlay_key(KeyEvent::from(KeyCode::Char(c))));
                }
                effects
            }
        }
    }

    fn set_status(&mut self, text: impl Into<String>, level: StatusLevel) {
        self.state.status = Some((text.into(), level));
    }
}
