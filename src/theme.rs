//! Colours and styles shared by every pane, so the screen speaks one visual
//! language: green is good, yellow is waiting, red is trouble, dim is secondary.
//!
//! Each function here is a [`Role`]; its style comes from the active theme (see
//! [`active`]): dark by default, light or the user's own from `theme.toml` (see
//! [`file`](mod@file)), without colour under `NO_COLOR`.

pub mod active;
pub mod file;
pub mod palette;
pub mod role;

use ratatui::style::Style;

use crate::session::ConnectionState;
pub use palette::Theme;
pub use role::Role;

/// Borders of the focused pane.
pub fn focused_border() -> Style {
    active::style(Role::FocusedBorder)
}

/// Borders of the other panes.
pub fn border() -> Style {
    active::style(Role::Border)
}

/// A pane's title: the focused pane's is bold and cyan (with a ▶ marker in the text,
/// see [`pane_title_text`]), so focus shows without colour too.
pub fn pane_title(focused: bool) -> Style {
    if focused {
        active::style(Role::FocusedPaneTitle)
    } else {
        active::style(Role::PaneTitle)
    }
}

/// A pane's title text: ` ▶ log … ` when focused, ` log … ` otherwise.
pub fn pane_title_text(text: &str, focused: bool) -> String {
    if focused {
        format!(" ▶ {} ", text.trim())
    } else {
        format!(" {} ", text.trim())
    }
}

/// The mode at the start of the bottom line.
pub fn mode() -> Style {
    active::style(Role::Mode)
}

/// Titles and emphasised values.
pub fn title() -> Style {
    active::style(Role::Title)
}

/// Labels in key/value lists ("url", "rtt").
pub fn label() -> Style {
    active::style(Role::Label)
}

/// A protocol adapter's label for a frame (`sio event "chat"`).
pub fn decoded() -> Style {
    active::style(Role::Decoded)
}

/// Secondary text: timestamps, sizes, hints.
pub fn dim() -> Style {
    active::style(Role::Dim)
}

/// Key names in hints ("Enter", "?").
pub fn key() -> Style {
    active::style(Role::Key)
}

/// Errors.
pub fn error() -> Style {
    active::style(Role::Error)
}

/// Warnings (INSECURE, queue filling up).
pub fn warning() -> Style {
    active::style(Role::Warning)
}

/// Good news (connected, auth ok).
pub fn ok() -> Style {
    active::style(Role::Ok)
}

/// The selected row in a list or the log. Reversed video keeps every span readable,
/// including dim ones (a dark background would hide dark-grey text).
pub fn selected() -> Style {
    active::style(Role::Selected)
}

/// A search hit.
pub fn search_hit() -> Style {
    active::style(Role::SearchHit)
}

/// Outgoing frames (→).
pub fn outgoing() -> Style {
    active::style(Role::Outgoing)
}

/// Incoming frames (←).
pub fn incoming() -> Style {
    active::style(Role::Incoming)
}

/// JSON object keys.
pub fn json_key() -> Style {
    active::style(Role::JsonKey)
}

/// JSON strings.
pub fn json_string() -> Style {
    active::style(Role::JsonString)
}

/// JSON numbers.
pub fn json_number() -> Style {
    active::style(Role::JsonNumber)
}

/// JSON true/false/null.
pub fn json_literal() -> Style {
    active::style(Role::JsonLiteral)
}

/// JSON brackets, braces, commas and colons.
pub fn json_punctuation() -> Style {
    active::style(Role::JsonPunctuation)
}

/// The style of a connection state.
pub fn state(state: ConnectionState) -> Style {
    active::style(match state {
        ConnectionState::Connected | ConnectionState::Authenticated => Role::StateConnected,
        ConnectionState::Connecting | ConnectionState::Authenticating => Role::StateConnecting,
        ConnectionState::Reconnecting => Role::StateReconnecting,
        ConnectionState::Error => Role::StateError,
        ConnectionState::Disconnected => Role::StateDisconnected,
    })
}
