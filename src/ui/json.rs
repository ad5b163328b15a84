//! JSON and binary payloads as coloured terminal lines: a cheap one-line preview for
//! the log and hex views. The inspector's pretty and folded JSON is modelled in
//! [`crate::state::json`].
//!
//! The preview never parses the document: a small tokenizer walks the bytes only as
//! far as the output needs, tolerates invalid or truncated JSON (the rest of the line
//! is then shown plain) and collapses whitespace, so a 20 MB payload costs as much as
//! a 20 byte one.

use std::fmt::Write as _;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme;
use crate::terminal_text;

/// The most bytes of input [`compact_preview`] reads for `max_width` cells of
/// output: callers holding raw bytes need to validate only this much UTF-8 (plus a
/// few bytes, so the preview can tell that more follows).
pub fn preview_input_limit(max_width: usize) -> usize {
    max_width.saturating_mul(64).saturating_add(1024)
}

/// A one-line preview of `text`, at most `max_width` terminal cells wide (wide
/// characters take two; an ellipsis marks a cut). Text that starts with `{` or `[` is coloured as compact JSON (whitespace
/// outside strings dropped); anything else is plain with whitespace runs collapsed.
/// Control characters become spaces, zero-width and bidi characters escapes
/// (`\u200d`). Reads at most [`preview_input_limit`] bytes,
/// so runs of whitespace cannot make it expensive either.
pub fn compact_preview(text: &str, max_width: usize) -> Line<'static> {
    let mut out = Out::new(max_width);
    let trimmed = text.trim_start();
    let budget = preview_input_limit(max_width);
    let mut chars = trimmed.char_indices().peekable();
    let is_json = matches!(trimmed.as_bytes().first(), Some(b'{' | b'['));
    // Containers opened so far (true: object); only as deep as the output reached.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let mut plain = !is_json;
    while let Some(&(at, c)) = chars.peek() {
        if at >= budget {
            out.truncated = true;
            break;
        }
        if out.is_full() && !c.is_whitespace() {
            out.truncated = true;
            break;
        }
        if plain {
            chars.next();
            out.push_plain(c);
            continue;
        }
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '{' | '[' | '}' | ']' | ':' | ',' => {
                chars.next();
                match c {
                    '{' | '[' => stack.push(c == '{'),
                    '}' | ']' => _ = stack.pop(),
                    _ => {}
                }
                expect_key = match c {
                    '{' => true,
                    ',' => stack.last() == Some(&true),
                    _ => false,
                };
                out.push(c, theme::json_punctuation());
            }
            '"' => {
                let style = if expect_key && stack.last() == Some(&true) {
                    theme::json_key()
                } else {
                    theme::json_string()
                };
                expect_key = false;
                chars.next();
                out.push('"', style);
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    if !out.push_shown(c, style) {
                        break;
                    }
                    if c == '"' && !escaped {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                }
            }
            '-' | '0'..='9' => {
                while let Some(&(_, c)) = chars.peek() {
                    if !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
                        break;
                    }
                    chars.next();
                    if !out.push(c, theme::json_number()) {
                        break;
                    }
                }
            }
            _ => {
                let start = at;
                let mut end = at;
                // Literals are at most five letters; a longer word is not JSON.
                while let Some(&(i, c)) = chars.peek() {
                    if !c.is_ascii_alphabetic() || end - start > 5 {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let word = &trimmed[start..end];
                let style = if matches!(word, "true" | "false" | "null") {
                    theme::json_literal()
                } else {
                    // Not JSON after all: show the rest as it is.
                    plain = true;
                    Style::new()
                };
                for c in word.chars() {
                    out.push(c, style);
                }
            }
        }
    }
    out.finish()
}

/// Builds a line span by span, merging neighbours of the same style, and stops at
/// `max` cells.
struct Out {
    spans: Vec<Span<'static>>,
    current: String,
    style: Style,
    cells: usize,
    max: usize,
    truncated: bool,
}

/// The terminal cells `c` takes (as ratatui lays it out).
fn char_cells(c: char) -> usize {
    let mut utf8 = [0; 4];
    Span::raw(&*c.encode_utf8(&mut utf8)).width()
}

impl Out {
    fn new(max: usize) -> Self {
        Out {
            spans: Vec::new(),
            current: String::new(),
            style: Style::new(),
            cells: 0,
            max,
            truncated: false,
        }
    }

    /// Whether nothing more goes in: the cells are used up, or a character was
    /// already left out (anything after it would misrepresent the text).
    fn is_full(&self) -> bool {
        self.truncated || self.cells >= self.max
    }

    /// Appends one character; false (and marks the cut) when it does not fit.
    fn push(&mut self, c: char, style: Style) -> bool {
        let cells = char_cells(c);
        if self.is_full() || self.cells + cells > self.max {
            self.truncated = true;
            return false;
        }
        if style != self.style && !self.current.is_empty() {
            self.flush();
        }
        self.style = style;
        self.current.push(c);
        self.cells += cells;
        true
    }

    /// Removes the last character shown; false when there is none.
    fn pop(&mut self) -> bool {
        let popped = match self.current.pop() {
            Some(c) => Some(c),
            None => self
                .spans
                .iter_mut()
                .rev()
                .find(|span| !span.content.is_empty())
                .and_then(|span| span.content.to_mut().pop()),
        };
        if let Some(c) = popped {
            self.cells -= char_cells(c);
        }
        popped.is_some()
    }

    /// Plain text: whitespace and control characters collapse to one space.
    fn push_plain(&mut self, c: char) {
        if c.is_whitespace() || c.is_control() {
            let after_space = self.current.ends_with(' ')
                || (self.current.is_empty()
                    && self.spans.last().is_none_or(|s| s.content.ends_with(' ')));
            if !after_space && !self.is_full() {
                self.push(' ', Style::new());
            }
        } else {
            self.push_shown(c, Style::new());
        }
    }

    /// Appends `c` as the screen shows it: a control as a space, a zero-width or
    /// bidi character as its escape (`\u200d`: terminals disagree on how wide
    /// those are, which shifts the border); false once the line is full.
    fn push_shown(&mut self, c: char, style: Style) -> bool {
        if !c.is_control() && !terminal_text::is_invisible(c) {
            return self.push(c, style);
        }
        let mut shown = String::new();
        terminal_text::push_for_screen(&mut shown, c);
        shown.chars().all(|c| self.push(c, style))
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        self.spans.push(Span::styled(text, self.style));
    }

    fn finish(mut self) -> Line<'static> {
        if self.truncated && self.max > 0 {
            // Make room for the one-cell ellipsis.
            while self.cells + 1 > self.max && self.pop() {}
            self.flush();
            self.spans.push(Span::styled("…", theme::dim()));
        } else {
            let trimmed = self.current.trim_end().len();
            self.current.truncate(trimmed);
            self.flush();
        }
        self.spans.retain(|span| !span.content.is_empty());
        Line::from(self.spans)
    }
}

/// Hex bytes separated by spaces (`de ad be ef`), at most `max_chars` characters;
/// ends in ` …` when bytes were left out.
pub fn hex_preview(bytes: &[u8], max_chars: usize) -> String {
    // n bytes take 3n - 1 characters.
    let all_fit = bytes.len().saturating_mul(3) <= max_chars.saturating_add(1);
    let count = if all_fit {
        bytes.len()
    } else {
        // Leave room for " …".
        (max_chars.saturating_sub(1) / 3).min(bytes.len())
    };
    let mut out = String::with_capacity(count * 3 + 4);
    for b in &bytes[..count] {
        _ = write!(out, "{b:02x} ");
    }
    if all_fit {
        out.pop();
    } else if max_chars > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn style_of(line: &Line, content: &str) -> Option<Style> {
        line.spans
            .iter()
            .find(|s| s.content == content)
            .map(|s| s.style)
    }

    #[test]
    fn preview_colours_every_token_type() {
        let line = compact_preview(
            "{ \"a\" : \"x y\",\n \"n\": -1.5e3, \"t\": [true, null] }",
            80,
        );
        assert_eq!(text(&line), r#"{"a":"x y","n":-1.5e3,"t":[true,null]}"#);
        assert_eq!(style_of(&line, "\"a\""), Some(theme::json_key()));
        assert_eq!(style_of(&line, "\"x y\""), Some(theme::json_string()));
        assert_eq!(style_of(&line, "-1.5e3"), Some(theme::json_number()));
        assert_eq!(style_of(&line, "true"), Some(theme::json_literal()));
        assert_eq!(style_of(&line, "null"), Some(theme::json_literal()));
        assert_eq!(style_of(&line, "{"), Some(theme::json_punctuation()));
        assert_eq!(style_of(&line, "]}"), Some(theme::json_punctuation()));
        // Strings inside arrays are values, not keys.
        let line = compact_preview(r#"["k", {"k": "v"}]"#, 80);
        assert_eq!(line.spans[1].style, theme::json_string());
        assert_eq!(style_of(&line, "\"v\""), Some(theme::json_string()));
    }

    #[test]
    fn preview_truncates_at_max_chars() {
        let line = compact_preview(r#"{"message": "hello world"}"#, 10);
        assert_eq!(text(&line), "{\"message…");
        assert_eq!(line.width(), 10);
        assert_eq!(text(&compact_preview("[1, 2]", 5)), "[1,2]");
        assert_eq!(text(&compact_preview("[1, 2]", 0)), "");
        assert_eq!(
            text(&compact_preview("plain   words\n\there", 11)),
            "plain word…"
        );
        assert_eq!(
            text(&compact_preview("  plain   words\n", 40)),
            "plain words"
        );
        let huge = format!("[{}]", "1,".repeat(5_000_000));
        assert_eq!(compact_preview(&huge, 20).width(), 20);
        let spaces = format!("[{}1]", " ".repeat(1_000_000));
        assert_eq!(text(&compact_preview(&spaces, 4)), "[…");
    }

    #[test]
    fn preview_counts_wide_characters_as_two_cells() {
        let line = compact_preview(r#"{"名前": "日本語のテキスト"}"#, 14);
        assert_eq!(text(&line), "{\"名前\":\"日本…");
        assert!(line.width() <= 14, "{}", line.width());
        // A wide character that does not fit is left out, not squeezed in.
        let line = compact_preview("ab日本", 4);
        assert_eq!((text(&line).as_str(), line.width()), ("ab…", 3));
        let line = compact_preview("ab日", 4);
        assert_eq!(text(&line), "ab日", "fits exactly, no cut");
        let line = compact_preview("😀😀😀", 5);
        assert_eq!((text(&line).as_str(), line.width()), ("😀😀…", 5));
    }

    #[test]
    fn invalid_json_falls_back_to_plain() {
        let line = compact_preview("{\"a\": nope, 1}", 40);
        assert_eq!(text(&line), "{\"a\":nope, 1}");
        assert_eq!(style_of(&line, "nope, 1}"), Some(Style::new()));
        let long_word = format!("[{}]", "x".repeat(1_000_000));
        assert_eq!(text(&compact_preview(&long_word, 4)), "[xx…");
        let line = compact_preview("hello {\"a\":1}", 40);
        assert_eq!(line.spans.len(), 1);
        assert_eq!(line.spans[0].style, Style::new());
    }

    #[test]
    fn nasty_inputs_do_not_panic() {
        // Separated by '|'; the first input is the empty string.
        let nasty = "| |{|[|}|]]]]|\"|{\"|{\"a|{\"a\\|{\"a\\\"|[\"\\u12|[-|[1e|[tru|{\"é\": \"日本語\"}|\
            [\u{0}\u{7}\u{1b}]|{\"a\":\"\n\t\r\"}|[[[[[[[[[[[[[[[[[[|{,,,::}|é|\u{1f600}\u{1f600}|[\"\u{1f600}\"]";
        assert_eq!(nasty.split('|').count(), 23);
        for input in nasty.split('|') {
            for max in [0, 1, 2, 3, 7, 100] {
                let line = compact_preview(input, max);
                assert!(line.width() <= max, "{input:?} {max}");
                assert!(!text(&line).contains(char::is_control), "{input:?}");
            }
            _ = hex_preview(input.as_bytes(), 3);
        }
    }

    #[test]
    fn hex_preview_fits() {
        assert_eq!(hex_preview(b"\xde\xad\xbe\xef", 11), "de ad be ef");
        assert_eq!(hex_preview(b"\xde\xad\xbe\xef", 10), "de ad be …");
        assert_eq!(hex_preview(b"\xde\xad", 1), "…");
        assert_eq!(hex_preview(b"", 5), "");
        assert!(hex_preview(&[7u8; 100_000], 30).len() <= 32);
    }
}
