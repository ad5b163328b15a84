//! Cutting text to a number of terminal cells, visibly: a cut text ends with "…".

use ratatui::text::Span;

/// `text` as is when its display width (terminal cells, as unicode-width counts
/// them, which is how ratatui lays text out) is at most `width`; otherwise its
/// longest start that leaves one cell for "…", trailing spaces dropped, then "…".
/// A width of 0 gives an empty string.
pub fn fit(text: &str, width: usize) -> String {
    let cells = |s: &str| Span::raw(s).width();
    if cells(text) <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let room = width - 1;
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        let next = at + c.len_utf8();
        let c_cells = cells(&text[at..next]);
        if used + c_cells > room {
            break;
        }
        used += c_cells;
        end = next;
    }
    let mut cut = text[..end].trim_end().to_owned();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_unchanged() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello", 80), "hello");
        assert_eq!(fit("", 0), "");
        assert_eq!(fit("日本", 4), "日本");
    }

    #[test]
    fn a_cut_ends_with_an_ellipsis_within_the_width() {
        assert_eq!(fit("hello world", 8), "hello w…");
        assert_eq!(
            fit("hello world", 7),
            "hello…",
            "no space before the ellipsis"
        );
        assert_eq!(fit("hello", 1), "…");
        assert_eq!(fit("hello", 0), "");
    }

    #[test]
    fn wide_characters_count_two_cells() {
        // Four cells for "日本" would leave no room for the ellipsis in 4.
        assert_eq!(fit("日本語", 5), "日本…");
        assert_eq!(fit("日本語", 4), "日…");
        assert_eq!(
            Span::raw(fit("日本語", 4)).width(),
            3,
            "never wider than asked"
        );
        assert_eq!(fit("a日本", 2), "a…");
    }
}
