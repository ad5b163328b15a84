//! Draws the composer pane: a bordered box titled with the mode, the editor
//! inside, and the last error on the bottom inner row. The title, the error and
//! the empty editor's hint end with "…" when the pane is too narrow for them.
//!
//! ```text
//! ┌ composer · JSON ───────────────────────┐
//! │{"op": "subscribe",                     │
//! │ "channel": "trades"                    │
//! │invalid JSON at line 2, column 20: ...  │  ← only while there is an error
//! └────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::fit::fit;
use super::theme;
use crate::state::composer::Composer;

/// Draws `composer` into `area`. Unfocused, the editor shows no cursor and
/// an empty editor shows no hint; focused, an empty editor shows a dim hint.
pub fn render_composer(frame: &mut Frame, area: Rect, composer: &Composer, focused: bool) {
    let border = if focused {
        theme::focused_border()
    } else {
        theme::border()
    };
    let what = if composer.is_read_only() {
        "read-only"
    } else {
        composer.mode_label()
    };
    let title = theme::pane_title_text(&format!("composer · {what}"), focused);
    let title = Span::styled(
        fit(&title, usize::from(area.width.saturating_sub(2))),
        theme::pane_title(focused),
    );
    let block = Block::bordered().border_style(border).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }

    // The error wins the only row of a one-row editor: it says why Enter did nothing.
    let below = composer.error().map(|error| {
        Line::styled(
            fit(&error.message, usize::from(inner.width)),
            theme::error(),
        )
    });
    let text_area = match below {
        Some(line) => {
            let [text_area, below_area] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
            frame.render_widget(Paragraph::new(line), below_area);
            text_area
        }
        None => inner,
    };
    // A recording's empty editor keeps its notice in view.
    let hint = focused || composer.is_read_only();
    if text_area.is_empty() || (!hint && composer.is_empty()) {
        return;
    }
    frame.render_widget(composer.textarea(), text_area);
    if hint && composer.is_empty() {
        fit_placeholder(frame, text_area, composer.textarea().placeholder_text());
    }
    if !focused {
        // The text area always draws its cursor (reversed); take it away.
        let buffer = frame.buffer_mut();
        for position in text_area.positions() {
            buffer[position].modifier.remove(Modifier::REVERSED);
        }
    }
}

/// Redraws the hint of an empty editor cut with "…" when the text area (which
/// draws it after a one-cell cursor, chopped at the edge) is too narrow for it.
fn fit_placeholder(frame: &mut Frame, text_area: Rect, placeholder: &str) {
    let room = usize::from(text_area.width.saturating_sub(1));
    if Span::raw(placeholder).width() <= room {
        return;
    }
    let buffer = frame.buffer_mut();
    let (x, y) = (text_area.x + 1, text_area.y);
    buffer.set_stringn(x, y, " ".repeat(room), room, theme::dim());
    buffer.set_stringn(x, y, fit(placeholder, room), room, theme::dim());
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::style::Color;

    use super::*;
    use crate::config::profile::MessageFormat;
    use crate::state::history::History;

    fn draw(composer: &Composer, focused: bool, width: u16, height: u16) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal
            .draw(|frame| render_composer(frame, frame.area(), composer, focused))
            .expect("draw");
        terminal.backend().buffer().clone()
    }

    fn row(buffer: &Buffer, y: u16) -> String {
        (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect()
    }

    /// The row between the side borders, trailing blanks removed.
    fn inside(buffer: &Buffer, y: u16) -> String {
        let width = buffer.area.width.saturating_sub(1);
        let text: String = (1..width).map(|x| buffer[(x, y)].symbol()).collect();
        text.trim_end().to_owned()
    }

    fn has_reversed(buffer: &Buffer) -> bool {
        buffer
            .content
            .iter()
            .any(|cell| cell.modifier.contains(Modifier::REVERSED))
    }

    fn composer(mode: MessageFormat, text: &str) -> Composer {
        let mut c = Composer::new(History::in_memory(5), mode);
        c.set_text(text);
        c
    }

    #[test]
    fn title_text_and_border() {
        let c = composer(MessageFormat::Json, "{\"a\": 1,\n \"b\": 2}");
        let buffer = draw(&c, true, 40, 5);
        assert!(
            row(&buffer, 0).starts_with("┌ ▶ composer · JSON ─"),
            "{}",
            row(&buffer, 0)
        );
        assert!(
            row(&buffer, 1).starts_with("│{\"a\": 1,"),
            "{}",
            row(&buffer, 1)
        );
        assert!(
            row(&buffer, 2).starts_with("│ \"b\": 2}"),
            "{}",
            row(&buffer, 2)
        );
        assert_eq!(buffer[(0, 0)].fg, Color::Cyan, "focused border");
        assert!(has_reversed(&buffer), "focused: the cursor shows");

        let buffer = draw(&c, false, 40, 5);
        assert_eq!(buffer[(0, 0)].fg, Color::DarkGray, "unfocused border");
        assert!(!has_reversed(&buffer), "unfocused: no cursor");
        assert!(row(&buffer, 1).starts_with("│{\"a\": 1,"));
    }

    #[test]
    fn mode_names_in_title() {
        for (mode, text, title) in [
            (MessageFormat::Text, "hi", "┌ composer · Text ─"),
            (
                MessageFormat::Binary,
                "de ad",
                "┌ composer · Binary (hex) ─",
            ),
            (
                MessageFormat::Binary,
                "base64:AA==",
                "┌ composer · Binary (base64) ─",
            ),
        ] {
            let buffer = draw(&composer(mode, text), false, 40, 4);
            assert!(row(&buffer, 0).starts_with(title), "{}", row(&buffer, 0));
        }
    }

    #[test]
    fn error_on_the_last_inner_row() {
        let mut c = composer(MessageFormat::Json, "{\"a\": }");
        c.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let message = c.error().map(|e| e.message.clone()).expect("an error");
        assert!(
            message.starts_with("invalid JSON at line 1, column 7"),
            "{message}"
        );
        let buffer = draw(&c, true, 60, 5);
        assert!(
            row(&buffer, 1).starts_with("│{\"a\": }"),
            "{}",
            row(&buffer, 1)
        );
        assert!(inside(&buffer, 2).is_empty(), "the gap stays empty");
        let error_row = row(&buffer, 3);
        assert!(
            error_row.starts_with("│invalid JSON at line 1, column 7"),
            "{error_row}"
        );
        assert_eq!(buffer[(1, 3)].fg, Color::Red);

        // A one-row editor shows the error rather than the text.
        let buffer = draw(&c, true, 60, 3);
        assert!(
            row(&buffer, 1).starts_with("│invalid JSON"),
            "{}",
            row(&buffer, 1)
        );
    }

    #[test]
    fn placeholder_only_when_focused_and_empty() {
        let c = composer(MessageFormat::Json, "");
        let buffer = draw(&c, true, 80, 3);
        let line = row(&buffer, 1);
        assert!(
            line.contains("type a message · Enter send · Alt-Enter newline"),
            "{line}"
        );
        assert_eq!(buffer[(3, 1)].fg, Color::DarkGray, "dim hint");
        let buffer = draw(&c, false, 80, 3);
        assert_eq!(inside(&buffer, 1), "");
    }

    #[test]
    fn cut_title_error_and_hint_end_with_an_ellipsis() {
        let c = composer(MessageFormat::Binary, "base64:AA==");
        let buffer = draw(&c, true, 20, 3);
        assert_eq!(row(&buffer, 0), "┌ ▶ composer · Bin…┐");

        let c = composer(MessageFormat::Json, "");
        let buffer = draw(&c, true, 30, 3);
        assert_eq!(inside(&buffer, 1), " type a message · Enter sen…");
        assert_eq!(buffer[(2, 1)].fg, Color::DarkGray, "still dim");
        assert!(has_reversed(&buffer), "the cursor stays");

        let mut c = composer(MessageFormat::Json, "{\"a\": }");
        c.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let buffer = draw(&c, true, 30, 4);
        assert_eq!(inside(&buffer, 2), "invalid JSON at line 1, col…");
        assert_eq!(buffer[(1, 2)].fg, Color::Red);
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let c = composer(MessageFormat::Text, "hello");
        for (w, h) in [(0, 0), (1, 1), (2, 2), (5, 2), (10, 3)] {
            draw(&c, true, w, h);
        }
    }
}
