//! A JSON document checked and indexed for display: one pass over the text checks
//! it and records where every value is, its key, its depth and (for objects and
//! arrays) how many members it has. Nothing is decoded or copied, so a 20 MB
//! message is indexed in tens of milliseconds, where building a
//! `serde_json::Value` took ~300 ms. A [`JsonLayout`] lists the lines of one view and
//! builds a line only when it is asked for.
//!
//! What is valid is what serde_json accepts into a `Value` (the same nesting limit,
//! paired surrogate escapes, numbers within `f64`'s range), and a document that is
//! not JSON is described in serde_json's words.

use bytes::Bytes;

use super::check::serde_error;
use super::index::{self, MAX_TEXT, NO_KEY, Node};
use super::layout::JsonLayout;

/// A checked and indexed JSON document.
#[derive(Debug, Clone)]
pub struct JsonDoc {
    text: Bytes,
    nodes: Vec<Node>,
}

impl JsonDoc {
    /// Checks and indexes `text`; when it is not JSON, the error says why, as
    /// `serde_json::from_slice::<Value>` would.
    pub fn parse(text: Bytes) -> Result<JsonDoc, String> {
        let nodes = match std::str::from_utf8(&text) {
            Ok(_) => index::index(&text),
            Err(_) => None,
        };
        match nodes {
            Some(nodes) => Ok(JsonDoc { text, nodes }),
            None => Err(describe_error(&text)),
        }
    }

    /// The lines of a view: every value (`fold_depth` `None`), or with objects and
    /// arrays nested deeper than `fold_depth` collapsed (the document itself is at
    /// depth 0). See [`JsonLayout`].
    pub fn layout(&self, fold_depth: Option<usize>) -> JsonLayout {
        JsonLayout::new(self, fold_depth)
    }

    /// The document's text.
    pub(super) fn text(&self) -> &[u8] {
        &self.text
    }

    /// Every value, in document order.
    pub(super) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The text from `from` to `to`, two token boundaries.
    pub(super) fn str_at(&self, from: usize, to: usize) -> &str {
        // Token boundaries are ASCII bytes of UTF-8 text, so always char boundaries.
        std::str::from_utf8(&self.text[from..to]).unwrap_or_default()
    }

    /// The key of `node` as written, quotes included, when it is an object member.
    pub(super) fn key_of(&self, node: &Node) -> Option<&str> {
        (node.key != NO_KEY).then(|| {
            let start = node.key as usize;
            self.str_at(start, index::string_end(&self.text, start))
        })
    }

    /// The text of scalar `node` as written.
    pub(super) fn scalar_of(&self, node: &Node) -> Option<&str> {
        let end = node.scalar_end(&self.text)?;
        Some(self.str_at(node.start as usize, end))
    }
}

/// Why `text` is not shown as JSON.
fn describe_error(text: &[u8]) -> String {
    if text.len() > MAX_TEXT {
        return "too large to lay out as JSON (over 2 GiB)".to_owned();
    }
    serde_error(text).unwrap_or_else(|| {
        "serde_json accepts this document but the inspector's JSON indexer does not".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<JsonDoc, String> {
        JsonDoc::parse(Bytes::copy_from_slice(text.as_bytes()))
    }

    /// Valid documents of every kind, and invalid ones of every kind of mistake:
    /// the verdict and the words are serde_json's.
    #[test]
    fn verdict_and_errors_match_serde_json() {
        let deepest = format!("{}{}", "[".repeat(127), "]".repeat(127));
        let too_deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        let long_integer = "9".repeat(400);
        let long_fraction = format!("0.{}1", "0".repeat(400));
        let cases = [
            // Containers, empty and nested.
            "{}",
            "[]",
            " [ ] ",
            "[[], {}, [[]], {\"a\": {}}]",
            r#"{"a": {"b": [true, false, null]}, "c": {"d": {"e": []}}}"#,
            // Escapes and surrogates.
            r#"["x\"y\\z\/\b\f\n\r\t\u00e9\u0000\uFFFF"]"#,
            r#"["\ud83d\ude00", "\uD83D\uDE00"]"#,
            r#"["\ud800"]"#,
            r#"["\udc00"]"#,
            r#"["\ud800\u0041"]"#,
            r#"["\ud800x"]"#,
            r#"["\ud800\n"]"#,
            r#"["\ud800\ud800"]"#,
            r#"["\x"]"#,
            r#"["\u12"]"#,
            r#"["\u12G4"]"#,
            "[\"tab\there\"]",
            "[\"\u{7f}\u{85}\"]",
            "{\"é\": \"日本\", \"\u{1f600}\": 1}",
            // Numbers.
            "[0, -0, 1, -1, 2.5, -0.0, 1e5, 1E-5, -1.5e+3, 18446744073709551616]",
            "[1e308, 1.7976931348623157e308, 1e-400, 0e999999999999, -1e-99999999999]",
            "[1e309]",
            "[-1e400]",
            "[1e99999999999]",
            "[0.0001e312]",
            "[-]",
            "[01]",
            "[-01]",
            "[1.]",
            "[.5]",
            "[1e]",
            "[1e+]",
            "[+1]",
            "[1.5e3.2]",
            "[0x10]",
            "[NaN]",
            "[Infinity]",
            &format!("[{long_integer}]"),
            &format!("[{long_fraction}]"),
            &format!("[{}e-200]", "9".repeat(400)),
            &format!("[{}e-100]", "9".repeat(420)),
            // Structure.
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":}",
            "{1:2}",
            "{\"a\":1 \"b\":2}",
            "[1 2]",
            "[1:2]",
            "[",
            "{",
            "]",
            "[1]]",
            "[1}",
            "{\"a\":1]",
            "[1] x",
            "[1] [2]",
            "tru",
            "[nul]",
            "[true false]",
            "[True]",
            "\"unterminated",
            "[\"unterminated",
            "",
            "   ",
            "[\u{a0}1]",
            "\u{feff}[1]",
            "[1]\u{0}",
            &deepest,
            &too_deep,
        ];
        for case in cases {
            let ours = parse(case);
            let serde = serde_json::from_str::<serde_json::Value>(case);
            assert_eq!(ours.is_ok(), serde.is_ok(), "{case:?}: {:?}", ours.err());
            assert_eq!(ours.err(), serde.err().map(|e| e.to_string()), "{case:?}");
        }
    }

    #[test]
    fn very_deep_nesting_is_refused_early() {
        let text = "[{\"a\":".repeat(500_000);
        let error = parse(&text).unwrap_err();
        let serde = serde_json::from_str::<serde_json::Value>(&text).unwrap_err();
        assert_eq!(error, serde.to_string());
        assert!(error.starts_with("recursion limit exceeded"), "{error}");
    }

    #[test]
    fn invalid_utf8_gets_serde_json_words() {
        let error = JsonDoc::parse(Bytes::from_static(b"[\"\xff\"]")).unwrap_err();
        let serde = serde_json::from_slice::<serde_json::Value>(b"[\"\xff\"]").unwrap_err();
        assert_eq!(error, serde.to_string());
    }

    #[test]
    fn keys_and_scalars_as_written() {
        let doc = parse(r#"{"k\"1": 1E2, "k2": "\u00e9"}"#).unwrap();
        assert_eq!(doc.nodes().len(), 3);
        let nodes = doc.nodes();
        assert_eq!(doc.key_of(&nodes[0]), None);
        assert_eq!(doc.scalar_of(&nodes[0]), None);
        assert_eq!(doc.key_of(&nodes[1]), Some(r#""k\"1""#));
        assert_eq!(doc.scalar_of(&nodes[1]), Some("1E2"));
        assert_eq!(doc.key_of(&nodes[2]), Some(r#""k2""#));
        assert_eq!(doc.scalar_of(&nodes[2]), Some(r#""\u00e9""#));
    }
}
