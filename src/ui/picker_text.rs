//! Text layout shared by the picker and the profile form: everything cut to fit the
//! terminal ends with "…" (see [`super::fit::fit`]), whether it is a line of styled
//! spans, a wrapped message, a row of key hints or a field being typed in; and the
//! border both are drawn in.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::fit::{fit, fit_line};
use super::theme;

/// Draws a full-screen border with `title` (cut to fit) over `area`; returns the area
/// inside it.
pub fn draw_titled_border(frame: &mut Frame, area: Rect, title: &str) -> Rect {
    let block = Block::bordered()
        .border_style(theme::focused_border())
        .title(Span::styled(
            fit(title, usize::from(area.width.saturating_sub(2))),
            theme::title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// How many columns `text` takes on screen.
pub fn display_width(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text` fitted into exactly `width` columns: cut with "…" when longer, padded with
/// spaces when shorter (for columns of names).
pub fn fit_padded(text: &str, width: usize) -> String {
    let mut fitted = fit(text, width);
    let pad = width.saturating_sub(display_width(&fitted));
    fitted.extend(std::iter::repeat_n(' ', pad));
    fitted
}

/// `text` word-wrapped into at most `rows` rows of `width` columns; the last row ends
/// with "…" when the text goes on. A word wider than a row is broken.
pub fn wrap_rows(text: &str, width: usize, rows: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() && out.len() < rows {
        if out.len() + 1 == rows || display_width(rest) <= width {
            out.push(fit(rest, width));
            break;
        }
        let row = first_row(rest, width);
        rest = rest[row.len()..].trim_start();
        out.push(row.trim_end().to_string());
    }
    out
}

/// The longest start of `text` that fits `width` columns and ends between words,
/// or, when even the first word is wider, as many of its characters as fit.
fn first_row(text: &str, width: usize) -> &str {
    let mut end_of_fit = 0;
    let mut last_break = None;
    for (index, c) in text.char_indices() {
        let end = index + c.len_utf8();
        if display_width(&text[..end]) > width {
            break;
        }
        end_of_fit = end;
        if c == ' ' {
            last_break = Some(end);
        }
    }
    if end_of_fit == text.len() {
        return text;
    }
    // Breaking right after the fitting part is between words when a space follows.
    if text[end_of_fit..].starts_with(' ') {
        return &text[..end_of_fit];
    }
    match last_break {
        Some(end) => &text[..end],
        // Always make progress, even in a column narrower than one character.
        None if end_of_fit == 0 => text.chars().next().map_or("", |c| &text[..c.len_utf8()]),
        None => &text[..end_of_fit],
    }
}

/// Key hints (`key`, what it does) laid out on at most `rows` rows of `width`
/// columns, separated by " · "; hints that do not fit are cut from the last row,
/// which then ends with "…".
pub fn hint_rows(hints: &[(&str, &str)], width: usize, rows: usize) -> Vec<Line<'static>> {
    let items: Vec<Vec<Span<'static>>> = hints
        .iter()
        .map(|(key, what)| {
            let mut spans = Vec::new();
            if !key.is_empty() {
                spans.push(Span::styled(key.to_string(), theme::key()));
                spans.push(Span::styled(format!(" {what}"), theme::dim()));
            } else {
                spans.push(Span::styled(what.to_string(), theme::dim()));
            }
            spans
        })
        .collect();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    for item in items {
        let item_width: usize = item.iter().map(Span::width).sum();
        let separator = if current.is_empty() { 0 } else { 3 };
        let current_width: usize = current.iter().map(Span::width).sum();
        let on_last_row = lines.len() + 1 >= rows;
        if !current.is_empty() && current_width + separator + item_width > width && !on_last_row {
            lines.push(fit_line(&Line::from(std::mem::take(&mut current)), width));
        }
        if !current.is_empty() {
            current.push(Span::styled(" · ", theme::dim()));
        }
        current.extend(item);
    }
    if !current.is_empty() && rows > 0 {
        lines.push(fit_line(&Line::from(current), width));
    }
    lines
}

/// The part of a field being typed in that fits `width` columns, with the cursor
/// (a byte offset into `text`) in view: "…" stands for text cut on either side.
/// Returns the text to show and the cursor's column in it.
pub fn input_window(text: &str, cursor: usize, width: usize) -> (String, usize) {
    let mut cells: Vec<(&str, usize)> = Vec::new();
    let mut cursor_cell = None;
    for (index, c) in text.char_indices() {
        if index == cursor {
            cursor_cell = Some(cells.len());
        }
        let piece = &text[index..index + c.len_utf8()];
        cells.push((piece, display_width(piece)));
    }
    // A cursor after the last character needs a cell of its own.
    let cursor_cell = cursor_cell.unwrap_or_else(|| {
        cells.push(("", 1));
        cells.len() - 1
    });
    let span_width =
        |from: usize, to: usize| -> usize { cells[from..to].iter().map(|cell| cell.1).sum() };
    let count = cells.len();
    let fits = |from: usize, to: usize| {
        let marks = usize::from(from > 0) + usize::from(to < count);
        span_width(from, to) + marks <= width
    };
    if width == 0 {
        return (String::new(), 0);
    }
    let mut start = 0;
    while start < cursor_cell && !fits(start, cursor_cell + 1) {
        start += 1;
    }
    let mut end = cursor_cell + 1;
    while end < count && fits(start, end + 1) {
        end += 1;
    }
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    for cell in &cells[start..end] {
        shown.push_str(cell.0);
    }
    if end < count {
        shown.push('…');
    }
    let column = usize::from(start > 0) + span_width(start, cursor_cell);
    (shown, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect()
    }

    #[test]
    fn a_padded_column_is_cut_or_filled_to_its_width() {
        assert_eq!(fit_padded("ha", 5), "ha   ");
        assert_eq!(fit_padded("home-assistant", 8), "home-as…");
    }

    #[test]
    fn a_styled_line_is_cut_with_an_ellipsis_in_the_last_style_kept() {
        let line = Line::from(vec![
            Span::styled("▶ ", theme::key()),
            Span::styled("binance  ", theme::title()),
            Span::styled("wss://stream.binance.com:9443/ws", theme::dim()),
        ]);
        let cut = fit_line(&line, 20);
        assert_eq!(text(&cut), "▶ binance  wss://st…");
        assert_eq!(cut.width(), 20);
        assert_eq!(cut.spans.last().map(|span| span.style), Some(theme::dim()));
        assert_eq!(fit_line(&line, 100), line);
        let at_a_boundary = fit_line(&line, 11);
        assert_eq!(text(&at_a_boundary), "▶ binance …");
        assert_eq!(
            at_a_boundary.spans.last().map(|span| span.style),
            Some(theme::title())
        );
    }

    #[test]
    fn wrapped_text_ends_with_an_ellipsis_when_rows_run_out() {
        let message = "'old' does not load: unknown key `tokn` at line 3, column 1";
        assert_eq!(
            wrap_rows(message, 30, 2),
            [
                "'old' does not load: unknown",
                "key `tokn` at line 3, column 1"
            ]
        );
        assert_eq!(
            wrap_rows(message, 20, 2),
            ["'old' does not load:", "unknown key `tokn` …"]
        );
        assert_eq!(wrap_rows("abcdefghij klm", 4, 3), ["abcd", "efgh", "ij …"]);
        assert!(wrap_rows("", 10, 2).is_empty());
    }

    #[test]
    fn hints_fill_the_rows_and_the_last_one_ends_with_an_ellipsis() {
        let hints = [("Enter", "open"), ("Ctrl-N", "new"), ("Esc", "quit")];
        let rows: Vec<String> = hint_rows(&hints, 40, 2).iter().map(text).collect();
        assert_eq!(rows, ["Enter open · Ctrl-N new · Esc quit"]);
        let rows: Vec<String> = hint_rows(&hints, 20, 2).iter().map(text).collect();
        assert_eq!(rows, ["Enter open", "Ctrl-N new · Esc qu…"]);
        let rows: Vec<String> = hint_rows(&hints, 12, 1).iter().map(text).collect();
        assert_eq!(rows, ["Enter open …"]);
    }

    #[test]
    fn a_long_input_shows_the_cursor_and_marks_hidden_text() {
        let url = "wss://stream.binance.com:9443/ws";
        assert_eq!(input_window("ws://a", 6, 10), ("ws://a".to_string(), 6));
        assert_eq!(
            input_window(url, url.len(), 12),
            ("…om:9443/ws".to_string(), 11),
            "the cursor at the end shows the end"
        );
        assert_eq!(
            input_window(url, 0, 12),
            ("wss://strea…".to_string(), 0),
            "the cursor at the start shows the start"
        );
        let (shown, column) = input_window(url, 14, 12);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(display_width(&shown), 12);
        assert_eq!(shown.chars().nth(column), url[14..].chars().next());
    }
}
