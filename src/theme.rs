//! Colours and styles shared by every pane, so the screen speaks one visual
//! language: green is good, yellow is waiting, red is trouble, dim is secondary.

use ratatui::style::{Color, Modifier, Style};

use crate::session::ConnectionState;

/// Borders of the focused pane.
pub fn focused_border() -> Style {
    Style::new().fg(Color::Cyan)
}

/// Borders of the other panes.
pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// A pane's title: the focused pane's is bold and cyan (with a ▶ marker in the text,
/// see [`pane_title_text`]), so focus shows without colour too.
pub fn pane_title(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new()
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
    Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// Titles and emphasised values.
pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// Labels in key/value lists ("url", "rtt").
pub fn label() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// A protocol adapter's label for a frame (`sio event "chat"`).
pub fn decoded() -> Style {
    Style::new().fg(Color::Magenta)
}

/// Secondary text: timestamps, sizes, hints.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Key names in hints ("Enter", "?").
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Errors.
pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

/// Warnings (INSECURE, queue filling up).
pub fn warning() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

/// Good news (connected, auth ok).
pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}

/// The selected row in a list or the log. Reversed video keeps every span readable,
/// including dim ones (a dark background would hide dark-grey text).
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// A search hit.
pub fn search_hit() -> Style {
    Style::new().bg(Color::Yellow).fg(Color::Black)
}

/// Outgoing frames (→).
pub fn outgoing() -> Style {
    Style::new().fg(Color::Cyan)
}

/// Incoming frames (←).
pub fn incoming() -> Style {
    Style::new().fg(Color::Magenta)
}

/// JSON object keys.
pub fn json_key() -> Style {
    Style::new().fg(Color::Blue)
}

/// JSON strings.
pub fn json_string() -> Style {
    Style::new().fg(Color::Green)
}

/// JSON numbers.
pub fn json_number() -> Style {
    Style::new().fg(Color::Yellow)
}

/// JSON true/false/null.
pub fn json_literal() -> Style {
    Style::new().fg(Color::Magenta)
}

/// JSON brackets, braces, commas and colons.
pub fn json_punctuation() -> Style {
    Style::new().fg(Color::Gray)
}

/// The colour of a connection state.
pub fn state(state: ConnectionState) -> Style {
    let color = match state {
        ConnectionState::Connected | ConnectionState::Authenticated => Color::Green,
        ConnectionState::Connecting | ConnectionState::Authenticating => Color::Yellow,
        ConnectionState::Reconnecting => Color::Yellow,
        ConnectionState::Error => Color::Red,
        ConnectionState::Disconnected => Color::Gray,
    };
    Style::new().fg(color).add_modifier(Modifier::BOLD)
}
