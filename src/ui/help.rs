//! The help overlay: a centred, scrollable popup listing every key, grouped by where it
//! works. Also home of [`popup_area`], the centring rule every popup shares.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::theme;

/// Width of the key column.
const KEY_WIDTH: usize = 21;

/// Widest the popup gets.
const HELP_WIDTH: u16 = 72;

/// Every key, grouped: (group title, [(keys, what they do)]). A row with empty keys
/// continues the description above it.
const SECTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "Global",
        &[
            ("Tab / Shift-Tab", "move focus between composer and log"),
            ("Ctrl-C", "quit (closes with 1000)"),
            ("F1", "help"),
            ("Ctrl-X", "close dialog"),
            (
                "F2 / Ctrl-O",
                "snippets: insert one of the profile's messages",
            ),
            ("Esc", "close any popup or go back to the log"),
            ("Ctrl-Z", "suspend (fg resumes)"),
        ],
    ),
    (
        "Log (when focused)",
        &[
            ("↑/↓  k/j", "select"),
            ("PgUp/PgDn", "page"),
            ("Home/g", "first"),
            ("End/G", "follow the newest"),
            ("Enter", "inspect"),
            ("/", "search"),
            ("n/N", "next/previous hit"),
            ("f", "filter (in/out, text/binary/ping/pong/close,"),
            ("", "data/control, -system, words)"),
            ("F", "clear filter"),
            ("c", "close dialog"),
            (":", "command line"),
            ("?", "help"),
            ("i / a", "back to the composer"),
            ("q", "quit (twice if the composer holds a draft)"),
            ("mouse wheel", "scroll"),
        ],
    ),
    (
        "Composer",
        &[
            ("Enter", "send"),
            ("Alt-Enter / Ctrl-J", "newline"),
            ("Shift-Enter", "newline where the terminal supports it:"),
            ("", "kitty, WezTerm, foot, recent iTerm2"),
            ("↑/↓", "history (on the first/last line)"),
            ("Ctrl-F", "format JSON"),
            ("Ctrl-T", "mode JSON/Text/Binary"),
            ("", "binary: hex (de ad be ef) or base64:…"),
            ("Ctrl-U", "clear (Ctrl-Y pastes it back)"),
        ],
    ),
    (
        "Inspector",
        &[
            ("↑/↓/PgUp/PgDn", "scroll"),
            ("+/-", "fold depth"),
            ("t", "tree/pretty"),
            ("y", "copy (OSC 52)"),
            ("Esc", "close"),
        ],
    ),
    (
        "Close dialog",
        &[
            ("↑/↓", "pick"),
            ("Tab", "next field"),
            ("Enter", "close"),
            ("Esc", "cancel"),
        ],
    ),
    (
        "Search and filter prompts (/ and f)",
        &[
            ("Enter", "search / apply (empty: none)"),
            ("Ctrl-R", "regex search (always case-insensitive)"),
            ("Esc", "cancel (in the filter: clear, then cancel)"),
            ("\"some words\"", "filter on text as typed, keywords too"),
        ],
    ),
    (
        "Command line (type : first)",
        &[
            (
                "close CODE [REASON]",
                "close the connection, e.g. close 4001 bye",
            ),
            ("reconnect", "drop the connection and connect again"),
            ("disconnect", "close the connection and stay offline"),
            ("connect", "connect again after a disconnect"),
            (
                "resend-unconfirmed",
                "send again what a broken link left unconfirmed",
            ),
            ("provider NAME", "switch adapter (socket-io…) and reconnect"),
            ("clear", "clear the log"),
            ("save FILE", "save the log to FILE"),
            ("save-profile NAME", "save this connection as profile NAME"),
            ("snippets", "the snippets popup (as F2)"),
            ("ping", "send a ping"),
            ("quit, q", "quit"),
            ("help, h", "this help"),
        ],
    ),
];

/// How many lines the fixed part of [`help_lines`] has: a title per group, its rows,
/// and a blank line between groups.
pub const HELP_LINES_COUNT: usize = {
    let mut count = 0;
    let mut i = 0;
    while i < SECTIONS.len() {
        count += 1 + SECTIONS[i].1.len();
        i += 1;
    }
    count + SECTIONS.len() - 1
};

/// The protocol adapter's `:` shortcuts, shown in the help after the fixed groups.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderHelp<'a> {
    /// The adapter's name (`socket-io`, …); empty or `raw` for none.
    pub provider: &'a str,
    /// `(usage, what it does)` for each shortcut.
    pub shortcuts: &'a [(&'static str, &'static str)],
}

impl ProviderHelp<'_> {
    fn lines(&self) -> usize {
        if self.shortcuts.is_empty() {
            0
        } else {
            2 + self.shortcuts.len()
        }
    }
}

/// How many lines [`help_lines`] returns for `provider`.
pub fn help_line_count(provider: ProviderHelp) -> usize {
    HELP_LINES_COUNT + provider.lines()
}

/// The help text, one [`Line`] per row; [`help_line_count`] long.
pub fn help_lines(provider: ProviderHelp) -> Vec<Line<'static>> {
    let mut lines = Vec::with_capacity(help_line_count(provider));
    let key_row = |keys: &str, what: &str| {
        // A long usage (`call DOMAIN.SERVICE [JSON]`) still gets a space after it.
        let width = KEY_WIDTH.max(keys.chars().count() + 1);
        Line::from(vec![
            Span::styled(format!("  {keys:<width$}"), theme::key()),
            Span::raw(what.to_string()),
        ])
    };
    for (i, (title, rows)) in SECTIONS.iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(*title, theme::title())));
        for (keys, what) in *rows {
            lines.push(key_row(keys, what));
        }
    }
    if !provider.shortcuts.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("{} commands (type : first)", provider.provider),
            theme::title(),
        )));
        for (usage, what) in provider.shortcuts {
            lines.push(key_row(usage.trim_start_matches(':'), what));
        }
    }
    lines
}

/// A `width` x `height` rectangle centred in `area`, shrunk to fit it.
pub fn popup_area(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `popup` and draws the focused, padded frame every dialog uses, titled
/// `title`; returns the area inside it.
pub fn popup_frame(frame: &mut Frame, popup: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::focused_border())
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme::title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    inner
}

/// Where the help popup goes on a screen of `area`.
fn help_popup(area: Rect, total: usize) -> Rect {
    let height = u16::try_from(total + 2).unwrap_or(u16::MAX);
    popup_area(area, HELP_WIDTH, height)
}

/// The largest useful scroll offset on a screen of `area`: beyond it the popup would
/// show blank rows. [`render_help`] clamps to it, so the app may too.
pub fn max_help_scroll(area: Rect, provider: ProviderHelp) -> u16 {
    let total = help_line_count(provider);
    let visible = usize::from(help_popup(area, total).height.saturating_sub(2));
    u16::try_from(total.saturating_sub(visible)).unwrap_or(u16::MAX)
}

/// Draws the help popup centred in `area` (the whole screen), scrolled down by
/// `scroll` lines (clamped to [`max_help_scroll`]), with `provider`'s commands last.
pub fn render_help(frame: &mut Frame, area: Rect, scroll: u16, provider: ProviderHelp) {
    let total = help_line_count(provider);
    let popup = help_popup(area, total);
    if popup.is_empty() {
        return;
    }
    let scroll = scroll.min(max_help_scroll(area, provider));
    let visible = usize::from(popup.height.saturating_sub(2));
    let mut block = Block::bordered()
        .border_style(theme::focused_border())
        .title(Span::styled(" Help ", theme::title()))
        .title_bottom(Line::from(vec![
            Span::raw(" "),
            Span::styled("Esc", theme::key()),
            Span::styled(" close · ", theme::dim()),
            Span::styled("↑/↓", theme::key()),
            Span::styled(" scroll ", theme::dim()),
        ]));
    if visible < total {
        let first = usize::from(scroll) + 1;
        let last = (usize::from(scroll) + visible).min(total);
        let position = format!(" {first}-{last}/{total} ");
        block = block.title(Line::from(Span::styled(position, theme::dim())).right_aligned());
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(help_lines(provider))
            .block(block)
            .scroll((scroll, 0)),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    fn draw(width: u16, height: u16, scroll: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| render_help(frame, frame.area(), scroll, ProviderHelp::default()))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn count_matches_the_lines() {
        let none = ProviderHelp::default();
        assert_eq!(help_lines(none).len(), HELP_LINES_COUNT);
        assert_eq!(help_line_count(none), HELP_LINES_COUNT);
        let shortcuts = [(":emit NAME JSON…", "emit an event")];
        let sio = ProviderHelp {
            provider: "socket-io",
            shortcuts: &shortcuts,
        };
        assert_eq!(help_lines(sio).len(), help_line_count(sio));
        assert_eq!(help_line_count(sio), HELP_LINES_COUNT + 3);
        let text: Vec<String> = help_lines(none).iter().map(ToString::to_string).collect();
        for group in [
            "Global",
            "Log",
            "Composer",
            "Inspector",
            "Close dialog",
            "Search and filter",
            "Command",
        ] {
            assert!(text.iter().any(|l| l.starts_with(group)), "{group}");
        }
        // Every row fits the popup without wrapping.
        for line in help_lines(none) {
            assert!(line.width() <= usize::from(HELP_WIDTH - 2), "{line}");
        }
    }

    #[test]
    fn renders_the_top_at_80x24() {
        let screen = draw(80, 24, 0);
        assert!(screen.contains(" Help "));
        assert!(screen.contains("Global"));
        assert!(screen.contains("Ctrl-X"));
        assert!(screen.contains("close any popup or go back to the log"));
        assert!(screen.contains("Esc close · ↑/↓ scroll"));
        assert!(screen.contains(&format!("1-22/{HELP_LINES_COUNT}")));
    }

    #[test]
    fn scrolls_to_the_bottom_and_clamps() {
        let area = Rect::new(0, 0, 80, 24);
        let max = max_help_scroll(area, ProviderHelp::default());
        assert_eq!(usize::from(max), HELP_LINES_COUNT - 22);
        let screen = draw(80, 24, u16::MAX);
        assert_eq!(screen, draw(80, 24, max));
        assert!(screen.contains("save FILE"));
        assert!(screen.contains("this help"));
        assert!(!screen.contains("Global"));
        let all = draw(80, 100, 0);
        for text in ["clear filter", "Ctrl-R", "regex search", "-system"] {
            assert!(all.contains(text), "{text}");
        }
        // A tall screen shows everything and never scrolls.
        assert_eq!(
            max_help_scroll(Rect::new(0, 0, 80, 100), ProviderHelp::default()),
            0
        );
    }

    #[test]
    fn degrades_on_small_screens() {
        let screen = draw(40, 12, 3);
        assert!(screen.contains("Help"));
        draw(3, 2, 0);
        draw(0, 0, 0);
    }

    #[test]
    fn popup_is_centred_and_fits() {
        let area = Rect::new(0, 0, 80, 24);
        assert_eq!(popup_area(area, 40, 10), Rect::new(20, 7, 40, 10));
        assert_eq!(popup_area(area, 100, 30), area);
        let offset = Rect::new(5, 5, 10, 4);
        assert_eq!(popup_area(offset, 4, 2), Rect::new(8, 6, 4, 2));
    }
}
