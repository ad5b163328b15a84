//! Cutting text to a number of terminal columns, with "…" marking the cut: plain
//! text ([`fit`]), styled spans ([`fit_spans`]) and lines ([`fit_line`]).

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `text` in at most `width` terminal columns (wide characters count two): as it is
/// when it fits, else its start followed by "…".
pub fn fit(text: &str, width: usize) -> String {
    let columns = |c: char| c.width().unwrap_or(0);
    if text.chars().map(columns).sum::<usize>() <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut cut = String::new();
    for c in text.chars() {
        used += columns(c);
        if used > room {
            break;
        }
        cut.push(c);
    }
    if width > 0 {
        cut.push('…');
    }
    cut
}

/// `spans` cut to `width` columns, styles kept, the last span ending with "…"
/// when anything was left out.
pub fn fit_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(Span::width).sum();
    if total <= width {
        return spans;
    }
    let mut used = 0;
    let mut kept = Vec::with_capacity(spans.len());
    for span in spans {
        let room = width - used;
        let span_width = span.width();
        if span_width < room {
            used += span_width;
            kept.push(span);
            continue;
        }
        // The cut falls in this span or right after it. With an ellipsis appended,
        // `fit` cuts even a span that would just fit, so the "…" is always shown.
        let cut = fit(&format!("{}…", span.content), room);
        kept.push(Span::styled(cut, span.style));
        break;
    }
    kept
}

/// `line` as is when it is at most `width` columns wide, else cut with "…" (in the
/// style of the span it cuts); the line's own style is kept.
pub fn fit_line(line: &Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line.clone();
    }
    Line::from(fit_spans(line.spans.clone(), width)).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn text_that_fits_is_unchanged() {
        assert_eq!(fit("ws://127.0.0.1/", 15), "ws://127.0.0.1/");
        assert_eq!(fit("", 0), "");
        assert_eq!(fit("日本", 4), "日本");
    }

    #[test]
    fn a_cut_ends_with_an_ellipsis_within_the_width() {
        assert_eq!(fit("ws://example.com/very/long", 12), "ws://exampl…");
        assert_eq!(fit("abc", 2), "a…");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        // No room for half a character: the cut leaves a column free.
        assert_eq!(fit("日本語テキスト", 6), "日本…");
    }
}
