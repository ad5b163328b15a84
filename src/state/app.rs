//! The TUI's whole state: the panes, the popup on top, the search and filter,
//! what the profile adds. [`crate::app::App::update`] changes it; `ui` draws it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ratatui::layout::Rect;
use tokio::time::Instant;

use crate::keymap::Keymap;
use crate::session::{MessageId, MessageIds};
use crate::state::close_dialog::CloseDialog;
use crate::state::command_line::CommandLine;
use crate::state::composer::Composer;
use crate::state::connection::ConnectionView;
use crate::state::inspector::Inspector;
use crate::state::log::{EntrySeq, FilteredView, LogStore, Projection, Search};
use crate::state::log_view::{LogRows, LogView};
use crate::state::prompt::LinePrompt;
use crate::state::snippets::SnippetList;

/// The last click on a log row, to tell a double click.
#[derive(Debug, Clone, Copy)]
pub struct RowClick {
    /// The entry clicked.
    pub seq: EntrySeq,
    /// When.
    pub at: Instant,
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
    pub(crate) unjumped_before: EntrySeq,
}

/// The filter on the log pane: the entries it keeps, found incrementally.
#[derive(Debug)]
pub struct FilterState {
    /// The expression as typed (the `f` prompt starts with it).
    pub expr: String,
    /// The conditions in words: `in text "foo"`.
    pub summary: String,
    /// The entries kept so far; stepped by [`Msg::Work`](crate::app::Msg::Work) until complete.
    pub view: FilteredView,
    /// `| PROGRAM`: what the preview column shows instead of the payload.
    pub projection: Option<Projection>,
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
    /// The filter prompt's text whose jq program did not compile, and why: the
    /// prompt shows it until the text changes.
    pub filter_jq_error: Option<(String, String)>,
    /// A first-run hint shown until the first message is sent.
    pub welcome: Option<String>,
    /// Composer texts handed to the session, by message id, until it accepts them.
    pub in_flight: HashMap<MessageId, String>,
    /// Messages that went out but that nothing confirmed before a link broke,
    /// marked in the log until they are sent again.
    pub unconfirmed: HashSet<MessageId>,
    /// Whether the user asked to quit.
    pub quitting: bool,
    pub(crate) ids: MessageIds,
    /// The `:` command line between uses, so its recall survives closing it.
    pub saved_command_line: Option<CommandLine>,
    /// A `q` asked for confirmation because the composer holds a draft.
    pub quit_armed: bool,
    /// Where the session is being recorded (shown as the user reads it), while the
    /// recording goes well: quitting then loses no log.
    pub recording_to: Option<String>,
    /// What the profile or provider adds: adapter, snippets, shortcuts.
    pub extras: SessionExtras,
    /// What each key does (the defaults, or with the user's `keys.toml`).
    pub keymap: Arc<Keymap>,
    /// The terminal's area from the last [`Msg::Resize`](crate::app::Msg::Resize), for telling which pane a
    /// click is on; `None` until the runtime has said.
    pub screen: Option<Rect>,
    /// The last click on a log row, to tell a double click.
    pub(crate) last_click: Option<RowClick>,
    /// The record behind a system line that stands for more than its words (a
    /// handshake, a close, a recorded state change), by the line's sequence
    /// number, so `:export` writes it as it was (see [`crate::state::export_view`]).
    pub records_behind: std::collections::BTreeMap<EntrySeq, crate::recording::Record>,
    /// The `:capture`s waiting for a message; the values taken are in
    /// `extras.templates.vars`.
    pub captures: crate::state::capture::Captures,
}

/// What a profile or a provider adds to a session in the TUI.
#[derive(Debug, Clone, Default)]
pub struct SessionExtras {
    /// The protocol adapter's name; `raw` (or empty) sends the composer's text as typed.
    pub provider: String,
    /// The composer mode to start in (JSON when not given).
    pub composer_mode: Option<crate::config::profile::MessageFormat>,
    /// The profile the session came from, if any.
    pub profile_name: Option<String>,
    /// The adapter's `:` shortcuts as `(usage, what it does)`, for help and errors.
    pub shortcuts: Vec<(&'static str, &'static str)>,
    /// The profile's snippets, offered by F2 or Ctrl-O.
    pub snippets: Vec<crate::config::profile::Snippet>,
    /// What snippet templates see: `{{seq}}` counts across the session.
    pub templates: crate::template::Context,
    /// The session's token, kept out of the composer's history: a sent message that
    /// contains it is remembered with `{{token}}` in its place.
    pub token: Option<crate::session::Secret>,
}

impl SessionExtras {
    /// Whether a protocol adapter shapes what the composer sends: not `raw`, and
    /// not a provider that passes frames through as they are (`echo`,
    /// `aws-api-gateway`).
    pub fn has_adapter(&self) -> bool {
        crate::protocol::adapter_for(&self.provider).is_ok_and(|adapter| adapter.reads_incoming())
    }

    /// Whether a provider other than `raw` was named (shown in the state pane).
    pub fn names_a_provider(&self) -> bool {
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

impl AppState {
    /// Whether this shows a recording (`wsdeck open`): nothing is sent or connected.
    pub fn is_read_only(&self) -> bool {
        self.connection.recording.is_some()
    }

    /// The rows the log pane shows: the filtered ones while a filter is on.
    pub fn log_rows(&self) -> LogRows<'_> {
        log_rows(&self.log, &self.filter)
    }
}

/// [`AppState::log_rows`] from the two fields, so the caller can borrow the log
/// view mutably at the same time.
pub(crate) fn log_rows<'a>(log: &'a LogStore, filter: &'a Option<FilterState>) -> LogRows<'a> {
    LogRows::new(log, filter.as_ref().map(|filter| &filter.view))
}

#[cfg(test)]
mod tests {
    use super::SessionExtras;

    #[test]
    fn pass_through_providers_have_no_adapter_but_are_named() {
        let extras = |provider: &str| SessionExtras {
            provider: provider.to_string(),
            ..SessionExtras::default()
        };
        assert!(extras("socket-io").has_adapter());
        assert!(extras("home-assistant").has_adapter());
        for pass_through in ["", "raw", "echo", "aws-api-gateway"] {
            assert!(!extras(pass_through).has_adapter(), "{pass_through}");
        }
        assert!(extras("echo").names_a_provider());
        assert!(!extras("raw").names_a_provider());
    }
}
