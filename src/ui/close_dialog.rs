//! Draws the close dialog: a centred popup with the list of sendable close codes, the
//! meaning of the chosen one, the code and reason fields, what Enter will do (or why it
//! will not), and the keys. Text cut to fit ends with "…".
//!
//! ```text
//! ┌ Close the connection ──────────────────────────────┐
//! │▶ 1000  Normal Closure                              │
//! │  1001  Going Away                                  │  list (scrolls when short)
//! │  …                                                 │
//! │  4000–4999  Private use                            │
//! │1000 Normal Closure: the connection finished its …  │  meaning (2 rows)
//! │▸ Code    1000                                      │
//! │  Reason  bye                          3/123 bytes  │
//! │Enter sends close 1000 with reason "bye"            │  status or error (2 rows)
//! │↑/↓ pick · Tab next field · Enter close · Esc cancel│
//! └────────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph};

use super::command_line::visible_window;
use super::fit::{fit, fit_line};
use super::help::{popup_area, popup_frame};
use super::theme;
use crate::keymap::Keymap;
use crate::keymap::hints::{HintPlace, hints};
use crate::session::close_code::{MAX_REASON_BYTES, meaning, name};
use crate::state::close_dialog::{CloseDialog, CloseFocus, CodeEntry};
use crate::state::command_line::LineInput;

/// Widest the popup gets.
const WIDTH: u16 = 76;

/// Width of the field labels, marker included ("▸ Reason  ").
const LABEL_WIDTH: u16 = 10;

/// Rows below the list: meaning 2, code 1, reason 1, status 2, footer 1.
const ROWS_BELOW_LIST: u16 = 7;

/// Rows for the chosen code's meaning, and for the status or error.
const TEXT_ROWS: usize = 2;

/// Draws the dialog centred in `area` (the whole screen), clearing what is under it.
pub fn render_close_dialog(frame: &mut Frame, area: Rect, dialog: &CloseDialog, keymap: &Keymap) {
    let list_rows = u16::try_from(dialog.entries().len()).unwrap_or(u16::MAX);
    let popup = popup_area(area, WIDTH, list_rows + ROWS_BELOW_LIST + 2);
    if popup.is_empty() {
        return;
    }
    let inner = popup_frame(frame, popup, "Close the connection");

    let [
        list,
        meaning_area,
        code_area,
        reason_area,
        status_area,
        footer_area,
    ] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);

    render_list(frame, list, dialog);
    let width = usize::from(inner.width);
    frame.render_widget(
        Paragraph::new(meaning_lines(dialog.selected_code(), width)),
        meaning_area,
    );
    render_field(frame, code_area, dialog, CloseFocus::Code);
    render_field(frame, reason_area, dialog, CloseFocus::Reason);
    frame.render_widget(Paragraph::new(status_lines(dialog, width)), status_area);
    frame.render_widget(
        Paragraph::new(fit_line(&footer(keymap), width)),
        footer_area,
    );
}

/// `text` word-wrapped at `width` cells (line breaks kept, words longer than a
/// row split), at most `max_rows` rows; when more would follow, the last row
/// ends with "…". The snippets popup wraps its preview with it too.
pub(super) fn wrap_to_rows(text: &str, width: usize, max_rows: usize) -> Vec<String> {
    let width = width.max(1);
    let cells = |s: &str| Span::raw(s).width();
    let mut rows: Vec<String> = Vec::new();
    // Stops one row past `max_rows`: enough to know that something was left out.
    'lines: for source_line in text.split('\n') {
        let mut row = Row::default();
        // Each piece is a word with the spaces after it.
        for piece in source_line.split_inclusive(' ') {
            if !row.is_blank() && row.cells + cells(piece.trim_end()) > width {
                rows.push(row.take());
            }
            for c in piece.chars() {
                let mut utf8 = [0; 4];
                let c_cells = cells(c.encode_utf8(&mut utf8));
                if row.cells + c_cells > width {
                    // Spaces at the end of a row are dropped.
                    if c == ' ' {
                        continue;
                    }
                    if row.is_blank() {
                        row = Row::default();
                    } else {
                        rows.push(row.take());
                    }
                }
                row.text.push(c);
                row.cells += c_cells;
            }
            if rows.len() > max_rows {
                break 'lines;
            }
        }
        rows.push(row.take());
        if rows.len() > max_rows {
            break;
        }
    }
    if rows.len() > max_rows {
        rows.truncate(max_rows);
        if let Some(last) = rows.last_mut() {
            *last = fit(&format!("{last}…"), width);
        }
    }
    rows
}

/// A row being filled by [`wrap_to_rows`].
#[derive(Default)]
struct Row {
    text: String,
    cells: usize,
}

impl Row {
    /// Whether the row holds nothing but spaces (or nothing).
    fn is_blank(&self) -> bool {
        self.text.trim_end().is_empty()
    }

    /// The row without its trailing spaces; leaves an empty row.
    fn take(&mut self) -> String {
        let row = std::mem::take(self);
        row.text.trim_end().to_owned()
    }
}

/// An entry's label cut to `width` cells.
fn list_label(entry: CodeEntry, width: usize) -> String {
    fit(&entry_label(entry), width)
}

/// The text of one list row: "1000  Normal Closure" or "3000–3999  Registered (IANA)".
pub fn entry_label(entry: CodeEntry) -> String {
    match entry {
        CodeEntry::Standard(code) => format!("{code}  {}", name(code)),
        CodeEntry::Range { first, last } => format!("{first}–{last}  {}", name(first)),
    }
}

fn render_list(frame: &mut Frame, area: Rect, dialog: &CloseDialog) {
    // Two cells go to the highlight symbol.
    let width = usize::from(area.width.saturating_sub(2));
    let items: Vec<ListItem> = dialog
        .entries()
        .iter()
        .map(|&entry| ListItem::new(list_label(entry, width)))
        .collect();
    // With no matching row (say 1005 typed) nothing is highlighted, but the list still
    // scrolls to the row Up/Down move from.
    let highlighted = dialog.highlighted_row();
    let style = if highlighted.is_some() {
        theme::selected()
    } else {
        Style::new()
    };
    let symbol = if highlighted.is_some() { "▶ " } else { "  " };
    let mut state = ListState::default().with_selected(Some(dialog.row()));
    frame.render_stateful_widget(
        List::new(items)
            .highlight_style(style)
            .highlight_symbol(symbol)
            .highlight_spacing(HighlightSpacing::Always),
        area,
        &mut state,
    );
}

/// "1000 Normal Closure: the connection finished its job…" for the chosen code, on
/// two rows at most, the code and name in the title style.
fn meaning_lines(code: Option<u16>, width: usize) -> Vec<Line<'static>> {
    let Some(code) = code else {
        let hint = "no code yet: pick one from the list or type one";
        return styled_rows(hint, width, theme::dim());
    };
    let head = format!("{code} {}:", name(code));
    let rows = wrap_to_rows(&format!("{head} {}", meaning(code)), width, TEXT_ROWS);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| match row.strip_prefix(head.as_str()) {
            Some(rest) if i == 0 => Line::from(vec![
                Span::styled(head.clone(), theme::title()),
                Span::raw(rest.to_owned()),
            ]),
            _ if i == 0 => Line::styled(row, theme::title()),
            _ => Line::raw(row),
        })
        .collect()
}

/// `text` on at most two rows of `width` cells, all in `style`.
fn styled_rows(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap_to_rows(text, width, TEXT_ROWS)
        .into_iter()
        .map(|row| Line::styled(row, style))
        .collect()
}

fn render_field(frame: &mut Frame, area: Rect, dialog: &CloseDialog, field: CloseFocus) {
    if area.is_empty() {
        return;
    }
    let focused = dialog.focus() == field;
    let (label, input, placeholder): (&str, &LineInput, &str) = match field {
        CloseFocus::Reason => (
            "Reason",
            dialog.reason_input(),
            "optional, sent to the peer",
        ),
        _ => ("Code", dialog.code_input(), "1000-4999"),
    };
    let label_style = if focused {
        theme::key()
    } else {
        theme::label()
    };
    let marker = if focused { "▸ " } else { "  " };
    let counter = (field == CloseFocus::Reason).then(|| {
        let len = dialog.reason().len();
        let style = if len > MAX_REASON_BYTES {
            theme::error()
        } else {
            theme::dim()
        };
        Span::styled(format!(" {len}/{MAX_REASON_BYTES} bytes"), style)
    });
    let counter_width = counter
        .as_ref()
        .map_or(0, |c| u16::try_from(c.width()).unwrap_or(u16::MAX));
    let [label_area, text_area, counter_area] = Layout::horizontal([
        Constraint::Length(LABEL_WIDTH),
        Constraint::Fill(1),
        Constraint::Length(counter_width),
    ])
    .areas(area);

    let label = format!("{marker}{label:<8}");
    frame.render_widget(Paragraph::new(Span::styled(label, label_style)), label_area);
    let (shown, column) = visible_window(input.text(), input.cursor(), text_area.width);
    let text = if input.text().is_empty() {
        // Leave a gap before the byte counter so the two never read as one phrase.
        let room = usize::from(text_area.width.saturating_sub(2));
        Span::styled(fit(placeholder, room), theme::dim())
    } else if focused && field == CloseFocus::Code && dialog.code_fresh() {
        // Shown as selected: the next digit replaces it.
        Span::styled(shown, theme::selected())
    } else {
        Span::raw(shown)
    };
    frame.render_widget(Paragraph::new(text), text_area);
    if let Some(counter) = counter {
        frame.render_widget(
            Paragraph::new(Line::from(counter).right_aligned()),
            counter_area,
        );
    }
    if focused && !text_area.is_empty() {
        let x = text_area.x + column.min(text_area.width - 1);
        frame.set_cursor_position(Position::new(x, text_area.y));
    }
}

/// The error in red, or what Enter will do in green, on at most two rows.
fn status_lines(dialog: &CloseDialog, width: usize) -> Vec<Line<'static>> {
    match (dialog.error(), dialog.selected_code()) {
        (None, Some(code)) => {
            let mut text = format!("Enter sends close {code} ({})", name(code));
            if !dialog.reason().is_empty() {
                text.push_str(&format!(" with reason \"{}\"", dialog.reason()));
            }
            styled_rows(&text, width, theme::ok())
        }
        (Some(error), _) => styled_rows(&error, width, theme::error()),
        (None, None) => Vec::new(),
    }
}

fn footer(keymap: &Keymap) -> Line<'static> {
    Line::from(super::help::hint_spans(&hints(
        keymap,
        HintPlace::CloseDialog,
    )))
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn press(dialog: &mut CloseDialog, codes: &[KeyCode]) {
        for &code in codes {
            dialog.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        }
    }

    fn type_text(dialog: &mut CloseDialog, text: &str) {
        press(dialog, &text.chars().map(KeyCode::Char).collect::<Vec<_>>());
    }

    fn draw(dialog: &CloseDialog, width: u16, height: u16) -> (String, Buffer) {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| render_close_dialog(frame, frame.area(), dialog, Keymap::defaults()))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        let text = (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        (text, buffer)
    }

    /// The style of the first cell of `needle` on screen.
    fn fg_at(screen: &str, buffer: &Buffer, needle: &str) -> Option<ratatui::style::Color> {
        let (y, line) = screen
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))?;
        let x = line[..line.find(needle)?].chars().count();
        Some(buffer[(u16::try_from(x).ok()?, u16::try_from(y).ok()?)].fg)
    }

    #[test]
    fn shows_everything_at_80x24() {
        let (screen, _) = draw(&CloseDialog::new(), 80, 24);
        assert!(screen.contains(" Close the connection "), "{screen}");
        assert!(screen.contains("▶ 1000  Normal Closure"), "{screen}");
        assert!(screen.contains("1014  Bad Gateway"));
        assert!(screen.contains("3000–3999  Registered (IANA)"));
        assert!(screen.contains("4000–4999  Private use"));
        assert!(!screen.contains("1005"));
        assert!(screen.contains("the connection finished its job"));
        assert!(screen.contains("0/123 bytes"));
        assert!(screen.contains("Enter sends close 1000 (Normal Closure)"));
        assert!(screen.contains("↑/↓ pick · Tab next field · Enter close · Esc cancel"));
    }

    #[test]
    fn shows_the_meaning_of_the_selected_row() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::Down; 5]);
        let (screen, _) = draw(&dialog, 80, 24);
        assert!(screen.contains("▶ 1008  Policy Violation"), "{screen}");
        assert!(
            screen.contains("1008 Policy Violation: the endpoint refused"),
            "{screen}"
        );
    }

    #[test]
    fn shows_errors_in_red() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::Tab]);
        type_text(&mut dialog, "1005");
        let (screen, buffer) = draw(&dialog, 80, 24);
        assert!(
            screen.contains("close code 1005 (No Status Received) is reserved"),
            "{screen}"
        );
        assert_eq!(
            fg_at(&screen, &buffer, "close code 1005"),
            theme::error().fg
        );
        assert!(screen.contains("1005 No Status Received: the close frame"));
        assert!(!screen.contains("▶"));
    }

    #[test]
    fn reason_counter_turns_red_past_the_limit() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::BackTab]);
        type_text(&mut dialog, "bye bye");
        let (screen, buffer) = draw(&dialog, 80, 24);
        assert!(screen.contains("▸ Reason  bye bye"), "{screen}");
        assert!(screen.contains("7/123 bytes"));
        assert!(screen.contains("with reason \"bye bye\""));
        assert_eq!(fg_at(&screen, &buffer, "7/123"), theme::dim().fg);
        type_text(&mut dialog, &"x".repeat(117));
        let (screen, buffer) = draw(&dialog, 80, 24);
        assert!(screen.contains("124/123 bytes"), "{screen}");
        assert_eq!(fg_at(&screen, &buffer, "124/123"), theme::error().fg);
        assert!(screen.contains("close reason is 124 bytes"));
    }

    #[test]
    fn puts_the_cursor_in_the_focused_field() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::Tab]);
        type_text(&mut dialog, "40");
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| render_close_dialog(frame, frame.area(), &dialog, Keymap::defaults()))
            .unwrap();
        let cursor = terminal.get_cursor_position().unwrap();
        let (screen, _) = draw(&dialog, 80, 24);
        let line = screen.lines().nth(usize::from(cursor.y)).unwrap();
        assert!(line.contains("▸ Code    40"), "{line}");
    }

    #[test]
    fn cut_text_ends_with_an_ellipsis() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::BackTab]);
        type_text(&mut dialog, &"why ".repeat(25));
        let (screen, _) = draw(&dialog, 80, 24);
        let lines: Vec<&str> = screen.lines().collect();
        assert!(
            lines[20].ends_with("why why why why why why why why why why why why… │  "),
            "the status's second row ends the cut: {screen}"
        );

        let (screen, _) = draw(&dialog, 34, 24);
        let lines: Vec<&str> = screen.lines().collect();
        assert_eq!(lines[5], "│   1007  Invalid Frame Payload… │", "{screen}");
        assert_eq!(lines[15], "│ 1000 Normal Closure: the       │");
        assert_eq!(lines[16], "│ connection finished its job…   │");
        assert_eq!(lines[20], "│ Closure) with reason \"why why… │");
        assert_eq!(lines[21], "│ ↑/↓ pick · Tab next field · E… │");
        let (screen, _) = draw(&CloseDialog::new(), 34, 24);
        assert!(
            screen.contains("│   Reason  optio…   0/123 bytes │"),
            "{screen}"
        );
    }

    #[test]
    fn wrapping_keeps_words_and_line_breaks_and_marks_the_cut() {
        assert_eq!(wrap_to_rows("one two three", 7, 3), ["one two", "three"]);
        assert_eq!(wrap_to_rows("one two three", 7, 1), ["one tw…"]);
        assert_eq!(wrap_to_rows("a\n\n  b", 10, 5), ["a", "", "  b"]);
        assert_eq!(wrap_to_rows("abcdefghij", 4, 5), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_to_rows("abcdefghij", 4, 2), ["abcd", "efg…"]);
        assert_eq!(
            wrap_to_rows("short\nlines\nhere", 20, 2),
            ["short", "lines…"]
        );
        assert_eq!(wrap_to_rows("日本語の文", 4, 2), ["日本", "語…"]);
    }

    #[test]
    fn fits_80x24_and_degrades_smaller() {
        let (screen, _) = draw(&CloseDialog::new(), 80, 24);
        let rows = screen.lines().filter(|l| l.contains('│')).count();
        assert!(rows <= 22);
        assert!(screen.contains('┌') && screen.contains('└'));
        let (screen, _) = draw(&CloseDialog::new(), 40, 12);
        assert!(screen.contains("Close the"), "{screen}");
        assert!(screen.contains("Code"));
        for (w, h) in [(20, 6), (5, 3), (1, 1), (0, 0)] {
            draw(&CloseDialog::new(), w, h);
        }
    }
}
