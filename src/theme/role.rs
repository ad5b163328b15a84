//! The roles a theme gives a style to: one for each kind of thing on screen, each
//! with the name `theme.toml` knows it by and what it is used for.

/// One kind of thing drawn on screen; a theme holds one style for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Borders of the focused pane.
    FocusedBorder,
    /// Borders of the other panes.
    Border,
    /// The focused pane's title.
    FocusedPaneTitle,
    /// The other panes' titles.
    PaneTitle,
    /// The mode at the start of the bottom line.
    Mode,
    /// Titles and emphasised values.
    Title,
    /// Labels in key/value lists.
    Label,
    /// A protocol adapter's label for a frame.
    Decoded,
    /// Secondary text: timestamps, sizes, hints.
    Dim,
    /// Key names in hints.
    Key,
    /// Errors.
    Error,
    /// Warnings.
    Warning,
    /// Good news.
    Ok,
    /// The selected row in a list or the log.
    Selected,
    /// A search hit.
    SearchHit,
    /// Outgoing frames.
    Outgoing,
    /// Incoming frames.
    Incoming,
    /// JSON object keys.
    JsonKey,
    /// JSON strings.
    JsonString,
    /// JSON numbers.
    JsonNumber,
    /// JSON true, false and null.
    JsonLiteral,
    /// JSON brackets, braces, commas and colons.
    JsonPunctuation,
    /// The connection state when connected or authenticated.
    StateConnected,
    /// The connection state while connecting or authenticating.
    StateConnecting,
    /// The connection state while waiting to reconnect.
    StateReconnecting,
    /// The connection state after an error.
    StateError,
    /// The connection state when disconnected.
    StateDisconnected,
}

impl Role {
    /// Every role, in the order the docs list them.
    pub const ALL: [Role; 27] = [
        Role::FocusedBorder,
        Role::Border,
        Role::FocusedPaneTitle,
        Role::PaneTitle,
        Role::Mode,
        Role::Title,
        Role::Label,
        Role::Decoded,
        Role::Dim,
        Role::Key,
        Role::Error,
        Role::Warning,
        Role::Ok,
        Role::Selected,
        Role::SearchHit,
        Role::Outgoing,
        Role::Incoming,
        Role::JsonKey,
        Role::JsonString,
        Role::JsonNumber,
        Role::JsonLiteral,
        Role::JsonPunctuation,
        Role::StateConnected,
        Role::StateConnecting,
        Role::StateReconnecting,
        Role::StateError,
        Role::StateDisconnected,
    ];

    /// How many roles there are.
    pub const COUNT: usize = Role::ALL.len();

    /// The role's place in [`Role::ALL`], which is where a theme keeps its style.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The name `theme.toml` uses under `[styles]`.
    pub const fn name(self) -> &'static str {
        match self {
            Role::FocusedBorder => "focused-border",
            Role::Border => "border",
            Role::FocusedPaneTitle => "focused-pane-title",
            Role::PaneTitle => "pane-title",
            Role::Mode => "mode",
            Role::Title => "title",
            Role::Label => "label",
            Role::Decoded => "decoded",
            Role::Dim => "dim",
            Role::Key => "key",
            Role::Error => "error",
            Role::Warning => "warning",
            Role::Ok => "ok",
            Role::Selected => "selected",
            Role::SearchHit => "search-hit",
            Role::Outgoing => "outgoing",
            Role::Incoming => "incoming",
            Role::JsonKey => "json-key",
            Role::JsonString => "json-string",
            Role::JsonNumber => "json-number",
            Role::JsonLiteral => "json-literal",
            Role::JsonPunctuation => "json-punctuation",
            Role::StateConnected => "state-connected",
            Role::StateConnecting => "state-connecting",
            Role::StateReconnecting => "state-reconnecting",
            Role::StateError => "state-error",
            Role::StateDisconnected => "state-disconnected",
        }
    }

    /// What the role is drawn on, for the docs' role list.
    pub const fn purpose(self) -> &'static str {
        match self {
            Role::FocusedBorder => "borders of the focused pane",
            Role::Border => "borders of the other panes",
            Role::FocusedPaneTitle => "the focused pane's title (also marked ▶)",
            Role::PaneTitle => "the other panes' titles",
            Role::Mode => "the mode label at the start of the bottom line",
            Role::Title => "titles and emphasised values",
            Role::Label => "labels in key/value lists (url, rtt)",
            Role::Decoded => "a protocol adapter's label for a frame (sio event \"chat\")",
            Role::Dim => "secondary text: timestamps, sizes, hints",
            Role::Key => "key names in hints (Enter, ?)",
            Role::Error => "errors",
            Role::Warning => "warnings (INSECURE, queue filling up)",
            Role::Ok => "good news (connected, auth ok)",
            Role::Selected => "the selected row in a list or the log",
            Role::SearchHit => "a search hit",
            Role::Outgoing => "outgoing frames (→)",
            Role::Incoming => "incoming frames (←)",
            Role::JsonKey => "JSON object keys",
            Role::JsonString => "JSON strings",
            Role::JsonNumber => "JSON numbers",
            Role::JsonLiteral => "JSON true, false and null",
            Role::JsonPunctuation => "JSON brackets, braces, commas and colons",
            Role::StateConnected => "the state when connected or authenticated",
            Role::StateConnecting => "the state while connecting or authenticating",
            Role::StateReconnecting => "the state while waiting to reconnect",
            Role::StateError => "the state after an error",
            Role::StateDisconnected => "the state when disconnected",
        }
    }

    /// The role named `name` in `theme.toml`.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }
}

/// The docs' role list: a Markdown table of every role's name and purpose.
pub fn markdown_table() -> String {
    let mut table = String::from("| role | drawn on |\n| --- | --- |\n");
    for role in Role::ALL {
        table.push_str(&format!("| `{}` | {} |\n", role.name(), role.purpose()));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_sits_at_its_index_and_is_found_by_its_name() {
        for (index, role) in Role::ALL.into_iter().enumerate() {
            assert_eq!(role.index(), index, "{role:?}");
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::from_name("incomming"), None);
    }
}
