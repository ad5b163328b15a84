//! The help overlay: a centred, scrollable popup listing every key, grouped by where it
//! works, made from the keymap's reference (the README's table is the same). Also home of [`popup_area`], the centring rule every popup shares.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::theme;
use crate::keymap::Keymap;
use crate::keymap::hints::{Hint, HintPlace, hints};
use crate::keymap::reference;

/// Width of the key column.
const KEY_WIDTH: usize = 21;

/// Widest the popup gets.
const HELP_WIDTH: u16 = 72;

/// The protocol adapter's `:` shortcuts, shown in the help after the fixed groups.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderHelp<'a> {
    /// The adapter's name (`socket-io`, …); empty or `raw` for none.
    pub provider: &'a str,
    /// `(usage, what it does)` for each shortcut.
    pub shortcuts: &'a [(&'static str, &'static str)],
}

/// How many lines [`help_lines`] returns for `provider` with `keymap`.
pub fn help_line_count(provider: ProviderHelp, keymap: &Keymap) -> usize {
    help_lines(provider, keymap).len()
}

/// The help text, one [`Line`] per row: every group of the keymap's reference
/// ([`reference::sections`]), then the adapter's commands. Descriptions too long
/// for the popup wrap under themselves.
pub fn help_lines(provider: ProviderHelp, keymap: &Keymap) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let group = |lines: &mut Vec<Line<'static>>, title: String, rows: Vec<(String, &str)>| {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(title, theme::title())));
        for (keys, what) in rows {
            key_rows(lines, &keys, what);
        }
    };
    for section in reference::sections(keymap) {
        let rows = section
            .rows
            .into_iter()
            .map(|row| {
                let keys = if row.keys.is_empty() {
                    "(none)".to_string()
                } else {
                    row.keys
                };
                (keys, row.what)
            })
            .collect();
        group(&mut lines, section.title.to_string(), rows);
    }
    if !provider.shortcuts.is_empty() {
        let rows = provider
            .shortcuts
            .iter()
            .map(|(usage, what)| (usage.trim_start_matches(':').to_string(), *what))
            .collect();
        group(
            &mut lines,
            format!("{} commands (type : first)", provider.provider),
            rows,
        );
    }
    lines
}

/// One `keys  what` row, `what` wrapped at the popup's width.
fn key_rows(lines: &mut Vec<Line<'static>>, keys: &str, what: &str) {
    // A long usage (`call DOMAIN.SERVICE [JSON]`) still gets a space after it.
    let key_width = KEY_WIDTH.max(keys.chars().count() + 1);
    let room = usize::from(HELP_WIDTH - 2)
        .saturating_sub(key_width + 2)
        .max(16);
    let mut first = true;
    for chunk in wrap_words(what, room) {
        let keys = if first { keys } else { "" };
        first = false;
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<key_width$}"), theme::key()),
            Span::raw(chunk),
        ]));
    }
}

/// `text` in lines of at most `width` characters, broken between words.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
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
pub fn max_help_scroll(area: Rect, provider: ProviderHelp, keymap: &Keymap) -> u16 {
    let total = help_line_count(provider, keymap);
    let visible = usize::from(help_popup(area, total).height.saturating_sub(2));
    u16::try_from(total.saturating_sub(visible)).unwrap_or(u16::MAX)
}

/// Draws the help popup centred in `area` (the whole screen), scrolled down by
/// `scroll` lines (clamped to [`max_help_scroll`]), with `provider`'s commands last.
pub fn render_help(
    frame: &mut Frame,
    area: Rect,
    scroll: u16,
    provider: ProviderHelp,
    keymap: &Keymap,
) {
    let lines = help_lines(provider, keymap);
    let total = lines.len();
    let popup = help_popup(area, total);
    if popup.is_empty() {
        return;
    }
    let scroll = scroll.min(max_help_scroll(area, provider, keymap));
    let visible = usize::from(popup.height.saturating_sub(2));
    let mut block = Block::bordered()
        .border_style(theme::focused_border())
        .title(Span::styled(" Help ", theme::title()))
        .title_bottom(bottom_hints(keymap));
    if visible < total {
        let first = usize::from(scroll) + 1;
        let last = (usize::from(scroll) + visible).min(total);
        let position = format!(" {first}-{last}/{total} ");
        block = block.title(Line::from(Span::styled(position, theme::dim())).right_aligned());
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
}

/// The popup's own keys, in its bottom border.
fn bottom_hints(keymap: &Keymap) -> Line<'static> {
    let mut hints = hints(keymap, HintPlace::Help);
    hints.reverse();
    border_hints(&hints)
}

/// `keys what · keys what`, with a space at each end: the keys a popup shows in
/// its border.
pub fn border_hints(hints: &[Hint]) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(hint_spans(hints));
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// `keys what · keys what`, keys in the key colour.
pub fn hint_spans(hints: &[Hint]) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (index, (keys, what)) in hints.iter().enumerate() {
        if index > 0 {
            spans.push(Span::styled(" · ", theme::dim()));
        }
        spans.push(Span::styled(keys.clone(), theme::key()));
        spans.push(Span::styled(format!(" {what}"), theme::dim()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    fn draw(width: u16, height: u16, scroll: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| {
                render_help(
                    frame,
                    frame.area(),
                    scroll,
                    ProviderHelp::default(),
                    Keymap::defaults(),
                )
            })
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

    fn count() -> usize {
        help_line_count(ProviderHelp::default(), Keymap::defaults())
    }

    #[test]
    fn lists_every_group_and_the_adapter_commands_within_the_popup() {
        let none = ProviderHelp::default();
        let keymap = Keymap::defaults();
        let shortcuts = [(":emit NAME JSON…", "emit an event")];
        let sio = ProviderHelp {
            provider: "socket-io",
            shortcuts: &shortcuts,
        };
        assert_eq!(help_line_count(sio, keymap), count() + 3);
        let text: Vec<String> = help_lines(none, keymap)
            .iter()
            .map(ToString::to_string)
            .collect();
        for section in reference::sections(keymap) {
            assert!(text.iter().any(|l| l == section.title), "{}", section.title);
        }
        // Every row fits the popup without wrapping.
        for line in help_lines(none, keymap) {
            assert!(line.width() <= usize::from(HELP_WIDTH - 2), "{line}");
        }
    }

    #[test]
    fn shows_every_row_of_the_reference_so_the_readme_and_help_agree() {
        let keymap = Keymap::defaults();
        let text: String = help_lines(ProviderHelp::default(), keymap)
            .iter()
            .map(|line| line.to_string() + "\n")
            .collect();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for section in reference::sections(keymap) {
            for row in section.rows {
                assert!(
                    text.contains(&row.keys),
                    "{} missing from the help",
                    row.keys
                );
                let what = row.what.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(flat.contains(&what), "'{what}' missing from the help");
            }
        }
    }

    #[test]
    fn a_rebound_key_shows_in_the_help() {
        let keymap = Keymap::from_toml("[log]\nquit = \"ctrl-q\"\n").unwrap();
        let text: Vec<String> = help_lines(ProviderHelp::default(), &keymap)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(text.iter().any(
            |line| line.trim_start().starts_with("Ctrl-Q") && line.contains("quit; asks first")
        ));
    }

    #[test]
    fn renders_the_top_at_80x24() {
        let screen = draw(80, 24, 0);
        assert!(screen.contains(" Help "));
        assert!(screen.contains("Everywhere"));
        assert!(screen.contains("Ctrl-X"));
        assert!(screen.contains("go back to the log"));
        assert!(screen.contains("Esc close · ↑/↓ scroll"), "{screen}");
        assert!(screen.contains(&format!("1-22/{}", count())));
    }

    #[test]
    fn scrolls_to_the_bottom_and_clamps() {
        let area = Rect::new(0, 0, 80, 24);
        let keymap = Keymap::defaults();
        let max = max_help_scroll(area, ProviderHelp::default(), keymap);
        assert_eq!(usize::from(max), count() - 22);
        let screen = draw(80, 24, u16::MAX);
        assert_eq!(screen, draw(80, 24, max));
        assert!(screen.contains("Esc / q / ? / Enter"), "{screen}");
        assert!(!screen.contains("Everywhere"));
        let all = draw(80, 200, 0);
        for text in [
            "clear the filter",
            "Ctrl-R",
            "regular expression",
            "save FILE",
        ] {
            assert!(all.contains(text), "{text}");
        }
        // A tall screen shows everything and never scrolls.
        assert_eq!(
            max_help_scroll(Rect::new(0, 0, 80, 200), ProviderHelp::default(), keymap),
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
