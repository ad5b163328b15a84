//! Fitting text into a number of terminal columns, marking every cut with "…".

use ratatui::text::Span;

/// `text` as is when it takes at most `width` columns, else cut so that it plus a
/// closing "…" take at most `width` columns. Widths are display widths: a wide
/// character (CJK, most emoji) counts two columns and is never split.
pub fn fit(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut out = String::new();
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let columns = Span::raw(&*c.encode_utf8(&mut buffer)).width();
        if used + columns > room {
            break;
        }
        used += columns;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn text_that_fits_is_kept_as_is() {
        assert_eq!(fit("ws://a/b", 8), "ws://a/b");
        assert_eq!(fit("", 0), "");
    }

    #[test]
    fn a_cut_ends_with_an_ellipsis_within_the_width() {
        assert_eq!(fit("ws://127.0.0.1:8123/api", 10), "ws://127.…");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn wide_characters_count_two_columns_and_are_not_split() {
        assert_eq!(fit("日本語です", 6), "日本…");
        assert_eq!(fit("日本語です", 5), "日本…");
        assert_eq!(fit("日本語です", 4), "日…");
    }
}
