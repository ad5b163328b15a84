//! Draws the `:` command line: one row at the bottom of the screen with the prompt, the
//! text and the cursor, and on the right either a key hint, the completion candidates
//! or the error from the last Enter, ending with "…" when cut to fit.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::fit;
use super::theme;
use crate::state::command_line::CommandLine;

/// The hint shown on the right while nothing went wrong.
const HINT: &str = "Enter run · Tab complete · ↑/↓ recall · Esc cancel";

/// The part of `text` that fits in `width` cells with the cursor visible, and the
/// cursor's column within it. Long text scrolls so the cursor stays at the right edge.
pub fn visible_window(text: &str, cursor: usize, width: u16) -> (&str, u16) {
    let width = usize::from(width);
    let cells = |s: &str| Span::raw(s).width();
    let mut start = 0;
    // Keep one cell free for the cursor itself.
    while start < cursor && cells(&text[start..cursor]) >= width.max(1) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    let column = u16::try_from(cells(&text[start..cursor])).unwrap_or(u16::MAX);
    (&text[start..], column)
}

/// Draws the command line into `area` (one row) and puts the terminal cursor in it.
pub fn render_command_line(frame: &mut Frame, area: Rect, line: &CommandLine) {
    if area.is_empty() {
        return;
    }
    let area = Rect { height: 1, ..area };
    let (right, right_style) = match (line.error(), line.candidates()) {
        (Some(error), _) => (error.to_owned(), theme::error()),
        (None, []) => (HINT.to_owned(), theme::dim()),
        (None, names) => (names.join(" · "), theme::dim()),
    };
    let text_width = u16::try_from(Span::raw(line.text()).width()).unwrap_or(u16::MAX);
    // The text gets what it needs plus a space; with an error showing, at most a third
    // of the row so the error stays readable.
    let wanted = text_width.saturating_add(3);
    let wanted = if line.error().is_some() {
        wanted.min(area.width / 3)
    } else {
        wanted
    };
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Length(wanted), Constraint::Fill(1)]).areas(area);

    let input_width = left_area.width.saturating_sub(1);
    let (shown, column) = visible_window(line.text(), line.cursor(), input_width);
    let prompt = Line::from(vec![Span::styled(":", theme::key()), Span::raw(shown)]);
    frame.render_widget(Paragraph::new(prompt), left_area);
    if left_area.width > 1 {
        let x = left_area.x + 1 + column.min(input_width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, area.y));
    }

    let right_width = usize::from(right_area.width);
    // An error is always shown; a hint or the candidates only with room for more
    // than the ellipsis, which alone would read as if the typed text went on.
    if line.error().is_some() || right_width > 1 {
        let right = Line::from(Span::styled(fit(&right, right_width), right_style));
        let right = if line.error().is_some() {
            right
        } else {
            right.right_aligned()
        };
        frame.render_widget(Paragraph::new(right), right_area);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn typed(text: &str) -> CommandLine {
        let mut line = CommandLine::new();
        for c in text.chars() {
            line.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        line
    }

    fn draw(line: &CommandLine, width: u16) -> (String, Position, Terminal<TestBackend>) {
        let mut terminal = Terminal::new(TestBackend::new(width, 3)).unwrap();
        terminal
            .draw(|frame| render_command_line(frame, Rect::new(0, 2, width, 1), line))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let row: String = (0..width).map(|x| buffer[(x, 2)].symbol()).collect();
        let cursor = terminal.get_cursor_position().unwrap();
        (row, cursor, terminal)
    }

    #[test]
    fn shows_prompt_text_hint_and_cursor() {
        let line = typed("ping");
        let (row, cursor, _) = draw(&line, 80);
        assert!(row.starts_with(":ping "), "{row:?}");
        assert!(row.trim_end().ends_with("Esc cancel"), "{row:?}");
        assert_eq!(cursor, Position::new(5, 2));
    }

    #[test]
    fn shows_the_error_in_red_instead_of_the_hint() {
        let mut line = typed("foo");
        line.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let (row, _, terminal) = draw(&line, 80);
        assert!(row.starts_with(":foo"), "{row:?}");
        assert!(
            row.contains("unknown command 'foo'; try close CODE"),
            "{row:?}"
        );
        assert!(!row.contains("Esc cancel"));
        let x = u16::try_from(row.find("unknown").unwrap()).unwrap();
        assert_eq!(
            terminal.backend().buffer()[(x, 2)].fg,
            theme::error().fg.unwrap()
        );
    }

    #[test]
    fn shows_completion_candidates() {
        let mut line = typed("cl");
        line.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        let (row, _, _) = draw(&line, 80);
        assert!(row.contains("close · clear"), "{row:?}");
    }

    #[test]
    fn cut_hints_candidates_and_errors_end_with_an_ellipsis() {
        let (row, _, _) = draw(&typed("ping"), 30);
        assert_eq!(row, ":ping  Enter run · Tab comple…");
        let mut line = typed("c");
        line.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        let (row, _, _) = draw(&line, 24);
        assert!(row.ends_with('…'), "{row:?}");
        assert!(row.contains("close · c"), "{row:?}");
        let mut line = typed("foo");
        line.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let (row, _, _) = draw(&line, 40);
        assert!(row.contains("unknown command 'foo'"), "{row:?}");
        assert!(row.trim_end().ends_with('…'), "{row:?}");
    }

    #[test]
    fn long_text_scrolls_to_keep_the_cursor_visible() {
        let text = format!("save {}", "x".repeat(100));
        let line = typed(&text);
        let (row, cursor, _) = draw(&line, 40);
        assert!(row.starts_with(":xxx"), "{row:?}");
        assert!(cursor.x < 40);
        // Narrow and empty areas do not panic.
        draw(&line, 2);
        draw(&line, 1);
        let mut terminal = Terminal::new(TestBackend::new(10, 1)).unwrap();
        terminal
            .draw(|frame| render_command_line(frame, Rect::new(0, 0, 0, 0), &line))
            .unwrap();
    }

    #[test]
    fn window_keeps_the_cursor_inside() {
        assert_eq!(visible_window("hello", 5, 10), ("hello", 5));
        assert_eq!(visible_window("hello", 5, 3), ("lo", 2));
        assert_eq!(visible_window("hello", 0, 3), ("hello", 0));
        assert_eq!(visible_window("héllo", 3, 10), ("héllo", 2));
        assert_eq!(visible_window("", 0, 0), ("", 0));
    }
}
