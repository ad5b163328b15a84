//! The lines of one view of a [`JsonDoc`]: pretty-printed with a two-space indent,
//! optionally with objects and arrays below a depth folded to one line
//! (`{…} 12 keys`, `[…] 40 items`). A layout is a node index per line; a line's
//! spans are built when it is asked for, borrowing their text from the document, so
//! laying out costs one step per line shown and drawing costs the visible lines only.
//!
//! Keys, strings and numbers are shown as written (`1E2`, `"\u00e9"`), which for
//! any document serde_json writes is what `serde_json::to_string_pretty` writes.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::doc::JsonDoc;
use super::index::NO_KEY;
use crate::terminal_text::for_screen;
use crate::theme;

/// Marks a line of [`JsonLayout`] as the closing line of a container (node indexes
/// stay below 2^31: the text is shorter than 2^31 bytes).
const CLOSE: u32 = 1 << 31;
/// Indentation of the deepest line: two spaces per level, 127 levels at most.
const INDENT: &str = concat!(
    "                                                                ",
    "                                                                ",
    "                                                                ",
    "                                                                ",
);
/// Bytes that a folded container's `{…} 4294967295 items` can take, and more.
const FOLDED_BYTES: usize = 32;

/// The lines of one view of a [`JsonDoc`]; each is built when asked for.
#[derive(Debug, Clone, Default)]
pub struct JsonLayout {
    /// A node index per line, with [`CLOSE`] set on a container's closing line.
    lines: Vec<u32>,
}

impl JsonLayout {
    /// The view of `doc` with every value (`fold_depth` `None`), or with objects
    /// and arrays nested deeper than `fold_depth` collapsed (the document itself is
    /// at depth 0). Empty ones are always `{}` and `[]`. Costs one step per line,
    /// skipping whatever is folded.
    pub fn new(doc: &JsonDoc, fold_depth: Option<usize>) -> Self {
        let (text, nodes) = (doc.text(), doc.nodes());
        let mut lines = Vec::new();
        // Containers whose closing line is still to come, innermost last.
        let mut open: Vec<u32> = Vec::new();
        let mut index = 0;
        while index < nodes.len() {
            while let Some(&container) = open.last()
                && nodes[container as usize].next as usize <= index
            {
                lines.push(container | CLOSE);
                open.pop();
            }
            let node = nodes[index];
            lines.push(index as u32);
            let expands = node.members(text) > 0
                && fold_depth.is_none_or(|depth| usize::from(node.depth) <= depth);
            if expands {
                open.push(index as u32);
                index += 1;
            } else {
                index = node.next as usize;
            }
        }
        while let Some(container) = open.pop() {
            lines.push(container | CLOSE);
        }
        JsonLayout { lines }
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there is no line (only the layout of no document).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Line `index` of `doc`'s view, coloured, its text borrowed from `doc`.
    pub fn line<'a>(&self, doc: &'a JsonDoc, index: usize) -> Line<'a> {
        let punctuation = theme::json_punctuation();
        let entry = self.lines[index];
        let node = doc.nodes()[(entry & !CLOSE) as usize];
        let mut spans = Vec::with_capacity(6);
        let depth = usize::from(node.depth);
        if depth > 0 {
            spans.push(Span::raw(&INDENT[..2 * depth]));
        }
        let object = node.first_byte(doc.text()) == b'{';
        if entry & CLOSE != 0 {
            spans.push(Span::styled(if object { "}" } else { "]" }, punctuation));
        } else {
            // Zero-width and bidi characters written raw in a string are shown as
            // escapes (`\u200d`), as in the log preview; borrowed when there are none.
            if let Some(key) = doc.key_of(&node) {
                spans.push(Span::styled(for_screen(key), theme::json_key()));
                spans.push(Span::styled(": ", punctuation));
            }
            if let Some(scalar) = doc.scalar_of(&node) {
                spans.push(Span::styled(for_screen(scalar), scalar_style(scalar)));
            } else if node.members(doc.text()) == 0 {
                spans.push(Span::styled(if object { "{}" } else { "[]" }, punctuation));
            } else if self.opens(index) {
                spans.push(Span::styled(if object { "{" } else { "[" }, punctuation));
                return Line::from(spans);
            } else {
                spans.push(Span::styled(
                    if object { "{…}" } else { "[…]" },
                    punctuation,
                ));
                spans.push(Span::styled(
                    folded_count(object, node.members(doc.text())),
                    theme::dim(),
                ));
            }
        }
        if node.comma {
            spans.push(Span::styled(",", punctuation));
        }
        Line::from(spans)
    }

    /// How many rows line `index` takes when wrapped at `cols` characters. Builds
    /// and counts the line only when its bytes could be more than `cols`.
    pub fn rows(&self, doc: &JsonDoc, index: usize, cols: usize) -> usize {
        let entry = self.lines[index];
        let node = doc.nodes()[(entry & !CLOSE) as usize];
        // At most: the indent, a comma and a bracket; for a value's line, what lies
        // between its key and itself in the text (the key, the colon and the
        // whitespace around it) plus the space after the colon, and the value.
        let mut bytes = 2 * usize::from(node.depth) + 2;
        if entry & CLOSE == 0 {
            let mut shown = 0;
            if node.key != NO_KEY {
                shown += (node.start - node.key) as usize + 1;
            }
            let scalar_end = node.scalar_end(doc.text());
            shown += match scalar_end {
                Some(end) => end - node.start as usize,
                None => FOLDED_BYTES,
            };
            // Only non-ASCII characters are shown as escapes, and an escape takes at
            // most three times the character's bytes (`\u00ad` for two).
            let from = if node.key != NO_KEY {
                node.key
            } else {
                node.start
            } as usize;
            let to = scalar_end.unwrap_or(node.start as usize).max(from);
            if !doc.text()[from..to].is_ascii() {
                shown *= 3;
            }
            bytes += shown;
        }
        if bytes <= cols {
            return 1;
        }
        line_chars(&self.line(doc, index))
            .0
            .div_ceil(cols.max(1))
            .max(1)
    }

    /// Whether line `index` opens a container whose members follow: the next line
    /// is then the container's first member, the next node.
    fn opens(&self, index: usize) -> bool {
        let entry = self.lines[index];
        entry & CLOSE == 0 && self.lines.get(index + 1) == Some(&(entry + 1))
    }
}

/// Characters of a line, and whether it is ASCII (then bytes are characters).
pub fn line_chars(line: &Line) -> (usize, bool) {
    let ascii = line.spans.iter().all(|span| span.content.is_ascii());
    let chars = if ascii {
        line.spans.iter().map(|span| span.content.len()).sum()
    } else {
        line.spans
            .iter()
            .map(|span| span.content.chars().count())
            .sum()
    };
    (chars, ascii)
}

/// ` 12 keys`, ` 1 item`.
fn folded_count(object: bool, count: u32) -> String {
    let noun = match (object, count) {
        (true, 1) => "key",
        (true, _) => "keys",
        (false, 1) => "item",
        (false, _) => "items",
    };
    format!(" {count} {noun}")
}

fn scalar_style(scalar: &str) -> Style {
    match scalar.as_bytes().first() {
        Some(b'"') => theme::json_string(),
        Some(b'-' | b'0'..=b'9') => theme::json_number(),
        _ => theme::json_literal(),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn doc(text: &str) -> JsonDoc {
        JsonDoc::parse(Bytes::copy_from_slice(text.as_bytes())).expect("valid JSON")
    }

    fn texts(doc: &JsonDoc, fold: Option<usize>) -> Vec<String> {
        let layout = doc.layout(fold);
        (0..layout.len())
            .map(|i| layout.line(doc, i).to_string())
            .collect()
    }

    #[test]
    fn zero_width_and_bidi_characters_show_as_escapes_and_count_so() {
        let value = doc("{\"k\u{200d}\":\"a\u{202e}b\u{ad}\",\"n\":[\"\u{e0001}\"]}");
        assert_eq!(
            texts(&value, None),
            [
                "{",
                r#"  "k\u200d": "a\u202eb\u00ad","#,
                r#"  "n": ["#,
                r#"    "\u{e0001}""#,
                "  ]",
                "}"
            ]
        );
        let layout = value.layout(None);
        // `  "k\u200d": "a\u202eb\u00ad",` is 30 characters from 17 bytes of text.
        assert_eq!(layout.rows(&value, 1, 30), 1);
        assert_eq!(layout.rows(&value, 1, 29), 2);
    }

    #[test]
    fn pretty_and_folded_lines() {
        let value = doc(r#"{"a": 1, "b": {"c": [1, 2], "d": {}}, "e": ["x"]}"#);
        let expected = r#"{
  "a": 1,
  "b": {
    "c": [
      1,
      2
    ],
    "d": {}
  },
  "e": [
    "x"
  ]
}"#;
        assert_eq!(texts(&value, None).join("\n"), expected);
        assert_eq!(
            texts(&value, Some(0)).join("\n"),
            "{\n  \"a\": 1,\n  \"b\": {…} 2 keys,\n  \"e\": […] 1 item\n}"
        );
        assert_eq!(texts(&value, Some(1))[3], "    \"c\": […] 2 items,");
        assert_eq!(texts(&value, Some(2)), texts(&value, None));
        let layout = value.layout(None);
        let line = layout.line(&value, 1);
        assert_eq!(line.spans[1].style, theme::json_key());
        assert_eq!(line.spans[2].style, theme::json_punctuation());
        assert_eq!(line.spans[3].style, theme::json_number());
        let line = layout.line(&value, 10);
        assert_eq!(line.spans[1].style, theme::json_string());
        assert!(!layout.is_empty());
    }

    #[test]
    fn empty_containers_scalars_and_literals() {
        assert_eq!(
            texts(&doc("[[], [[]], {}]"), Some(0)),
            ["[", "  [],", "  […] 1 item,", "  {}", "]"]
        );
        assert_eq!(texts(&doc("{}"), Some(0)), ["{}"]);
        assert_eq!(texts(&doc(" [ ] "), None), ["[]"]);
        assert_eq!(texts(&doc("\"a\\nb\""), Some(0)), ["\"a\\nb\""]);
        let literals = doc("[true, false, null]");
        let layout = literals.layout(None);
        for i in 1..=3 {
            assert_eq!(
                layout.line(&literals, i).spans[1].style,
                theme::json_literal()
            );
        }
        let folded = doc(r#"{"k": {"a": 1, "b": 2}, "l": [1, 2]}"#);
        let line = folded.layout(Some(0)).line(&folded, 1);
        assert_eq!(line.spans[3].content, "{…}");
        assert_eq!(line.spans[4].style, theme::dim());
    }

    #[test]
    fn tokens_as_written() {
        assert_eq!(
            texts(&doc(r#"[1E2, "\u00e9\/", -0.0, 1.50]"#), None),
            ["[", "  1E2,", "  \"\\u00e9\\/\",", "  -0.0,", "  1.50", "]"]
        );
        // Whitespace between tokens is not kept; duplicate keys all are.
        assert_eq!(
            texts(&doc("{ \"a\"\n:\t1 , \"a\" : 2 }"), None),
            ["{", "  \"a\": 1,", "  \"a\": 2", "}"]
        );
    }

    #[test]
    fn deepest_nesting_is_indented() {
        let deepest = format!("{}{}", "[".repeat(127), "]".repeat(127));
        let lines = texts(&doc(&deepest), None);
        assert_eq!(lines.len(), 2 * 126 + 1);
        assert_eq!(lines[126], format!("{}[]", " ".repeat(252)));
        let objects = format!("{}1{}", "{\"k\":".repeat(127), "}".repeat(127));
        let lines = texts(&doc(&objects), None);
        assert_eq!(lines[127], format!("{}\"k\": 1", " ".repeat(254)));
        assert_eq!(
            texts(&doc(&objects), Some(3))[4],
            "        \"k\": {…} 1 key"
        );
    }

    #[test]
    fn rows_count_wrapped_characters() {
        let value = doc(r#"{"long": "ééééééééééé", "k": 1}"#);
        let layout = value.layout(None);
        // `  "long": "ééééééééééé",` is 24 characters and 35 bytes.
        assert_eq!(layout.rows(&value, 1, 24), 1);
        assert_eq!(layout.rows(&value, 1, 23), 2);
        assert_eq!(layout.rows(&value, 1, 5), 5);
        assert_eq!(layout.rows(&value, 2, 5), 2);
        assert_eq!(layout.rows(&value, 2, 40), 1);
        assert_eq!(layout.rows(&value, 3, 1), 1);
        assert_eq!(layout.rows(&value, 3, 0), 1);
        let folded = doc(r#"[{"a": 1, "b": 2}]"#);
        let layout = folded.layout(Some(0));
        // `  {…} 2 keys` is 12 characters.
        assert_eq!(layout.rows(&folded, 1, 12), 1);
        assert_eq!(layout.rows(&folded, 1, 11), 2);
    }
}
