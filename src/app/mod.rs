//! The TUI's controller: [`App::update`] takes one [`Msg`] (a session event, a key,
//! the mouse, a tick) and changes [`AppState`], returning the [`Effect`]s the
//! runtime must carry out (commands to the session, clipboard, files, quit). It is
//! pure: no terminal, no socket, so every key path is tested directly.

mod keys;
mod mouse;
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
pub use mouse::DOUBLE_CLICK;

use crate::session::{Command, MessageId, MessageIds};
use crate::state::close_dialog::CloseDialog;
use crate::state::command_line::CommandLine;
use crate::state::composer::Composer;
use crate::state::connection::ConnectionView;
use crate::state::history::History;
use crate::state::inspector::Inspector;
use crate::state::log::{EntrySeq, FilteredView, LogStore, Search};
use crate::state::log_view::{LogRows, LogView};
use crate::state::prompt::LinePrompt;
use crate::state::snippets::SnippetList;

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
    /// Stop the process until the shell resumes it (Ctrl-Z).
    Suspend,
    /// Save the current connection as a new profile with this name (`:save-profile`).
    SaveProfile(String),
    /// Close the session with 1000 and leave.
    Quit,
}

/// Which pane takes keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The message editor.
    Composer,
    /// The message log.
    Log,
}

/// A popup that takes keys before the panes do.
#[derive(Debug)]
pub enum Overlay {
    /// The key reference, scrolled by this many lines.
    Help {
        /// Lines scrolled.
        scroll: u16,
    },
    /// One message, whole.
    Inspector(Box<Inspector>),
    /// Choose a close code and reason.
    CloseDialog(CloseDialog),
    /// `:` commands.
    CommandLine(CommandLine),
    /// `/` search query (Ctrl-R toggles [`AppState::search_regex`]).
    Search(LinePrompt),
    /// `f` filter expression (see [`crate::state::filter_expr`]).
    Filter(LinePrompt),
    /// The profile's snippets, to insert one into the composer (F2 or Ctrl-O).
    Snippets(SnippetList),
}

/// How serious a status message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    /// Information.
    Info,
    /// Something went wrong.
    Error,
}

/// A search in progress or done, and where we are in its hits.
#[derive(Debug)]
pub struct SearchState {
    /// What is searched for.
    pub query: String,
    /// The incremental search.
    pub search: Search,
    /// Whether the first hit was jumped to already.
    pub jumped: bool,
    /// Whether every entry so far has been searched.
    pub done: bool,
    /// Hits before this entry were looked at for the first jump and none of them
    /// was shown (a filter hid them): the next look starts here, so a log that
    /// keeps growing is not walked again and again.
    unjumped_before: EntrySeq,
}

/// The filter on the log pane: the entries it keeps, found incrementally.
#[derive(Debug)]
pub struct FilterState {
    /// The expression as typed (the `f` prompt starts with it).
    pub expr: String,
    /// The conditions in words: `in text "foo"`.
    pub summary: String,
    /// The entries kept so far; stepped by [`Msg::Work`] until complete.
    pub view: FilteredView,
}

impl FilterState {
    /// Whether every entry of `log` has been examined.
    pub fn is_done(&self, log: &LogStore) -> bool {
        self.view.remaining(log) == 0
    }
}

/// Everything the TUI shows.
#[derive(Debug)]
pub struct AppState {
    /// The state pane's model.
    pub connection: ConnectionView,
    /// Every frame and system line, bounded.
    pub log: LogStore,
    /// Scroll position and selection in the log.
    pub log_view: LogView,
    /// The message editor.
    pub composer: Composer,
    /// Which pane takes keys.
    pub focus: Focus,
    /// The popup on top, if any.
    pub overlay: Option<Overlay>,
    /// The last status message.
    pub status: Option<(String, StatusLevel)>,
    /// The current search.
    pub search: Option<SearchState>,
    /// Whether `/` searches with a regular expression (toggled with Ctrl-R in the
    /// prompt; remembered for the next search).
    pub search_regex: bool,
    /// The filter on the log pane, if any.
    pub filter: Option<FilterState>,
    /// A first-run hint shown until the first message is sent.
    pub welcome: Option<String>,
    /// Composer texts handed to the session, by message id, until it accepts them.
    pub in_flight: HashMap<MessageId, String>,
    /// Messages that went out but that nothing confirmed before a link broke,
    /// marked in the log until they are sent again.
    pub unconfirmed: HashSet<MessageId>,
    /// Whether the user asked to quit.
    pub quitting: bool,
    ids: MessageIds,
    /// The `:` command line between uses, so its recall survives closing it.
    pub saved_command_line: Option<CommandLine>,
    /// A `q` asked for confirmation because the composer holds a draft.
    pub quit_armed: bool,
    /// What the profile or provider adds: adapter, snippets, shortcuts.
    pub extras: SessionExtras,
    /// What each key does (the defaults, or with the user's `keys.toml`).
    pub keymap: Arc<Keymap>,
    /// The terminal's area from the last [`Msg::Resize`], for telling which pane a
    /// click is on; `None` until the runtime has said.
    pub screen: Option<Rect>,
    /// The last click on a log row, to tell a double click.
    last_click: Option<mouse::RowClick>,
}

/// What a profile or a provider adds to a session in the TUI.
#[derive(Debug, Clone, Default)]
pub struct SessionExtras {
    /// The protocol adapter's name; `raw` (or empty) sends the composer's text as typed.
    pub provider: String,
    /// The composer mode to start in (JSON when not given).
    pub composer_mode: Option<MessageFormat>,
    /// The profile the session came from, if any.
    pub profile_name: Option<String>,
    /// The adapter's `:` shortcuts as `(usage, what it does)`, for help and errors.
    pub shortcuts: Vec<(&'static str, &'static str)>,
    /// The profile's snippets, offered by F2 or Ctrl-O.
    pub snippets: Vec<crate::config::profile::Snippet>,
    /// What snippet templates see: `{{seq}}` counts across the session.
    pub templates: crate::config::template::Context,
    /// The session's token, kept out of the composer's history: a sent message that
    /// contains it is remembered with `{{token}}` in its place.
    pub token: Option<crate::session::Secret>,
}

impl SessionExtras {
    /// Whether a protocol adapter (not raw) shapes what the composer sends.
    pub fn has_adapter(&self) -> bool {
        !self.provider.is_empty() && self.provider != "raw"
    }

    /// The names of the adapter's `:` shortcuts (`emit`, `stop`, …).
    pub fn shortcut_names(&self) -> Vec<&'static str> {
        self.shortcuts
            .iter()
            .filter_map(|(usage, _)| usage.trim_start_matches(':').split_whitespace().next())
            .collect()
    }
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
        if extras.has_adapter() {
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
                welcome,
                in_flight: HashMap::new(),
                unconfirmed: HashSet::new(),
                quitting: false,
                saved_command_line: None,
                quit_armed: false,
                ids,
                extras,
                keymap: Arc::new(Keymap::default()),
                screen: None,
                last_click: None,
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

impl AppState {
    /// The rows the log pane shows: the filtered ones while a filter is on.
    pub fn log_rows(&self) -> LogRows<'_> {
        log_rows(&self.log, &self.filter)
    }
}

/// [`AppState::log_rows`] from the two fields, so the caller can borrow the log
/// view mutably at the same time.
fn log_rows<'a>(log: &'a LogStore, filter: &'a Option<FilterState>) -> LogRows<'a> {
    LogRows::new(log, filter.as_ref().map(|filter| &filter.view))
}
