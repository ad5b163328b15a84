//! Properties of the inspector's JSON: for any document serde_json writes, the
//! pretty lines are what `serde_json::to_string_pretty` writes and every view is
//! what the renderer that worked on a parsed `serde_json::Value` drew (kept below
//! as the reference); any bytes at all are judged as serde_json judges them, in
//! its words, and never make the indexer or a layout panic.

use proptest::prelude::*;
use ratatui::style::Style;
use ratatui::text::Line;
use serde_json::Value;

use super::{JsonDoc, line_chars};
use crate::terminal_text::for_screen;

/// Any value serde_json can hold: every kind of number, strings of any characters
/// (control characters, quotes, astral ones), objects and arrays, empty or not,
/// six levels deep at most.
fn any_value() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number,
        any::<String>().prop_map(Value::String),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}\u{85}\u{2028}\u{ad}\u{200d}\u{202e}\u{e0001}a]{0,4}"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c\"\\\\\u{1}é]{0,3}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Text made of JSON's own bytes (and a few others), so that near-JSON is common.
fn json_soup() -> impl Strategy<Value = String> {
    "[\\[\\]{}:,\" \\n\\\\/u0-9a-fA-FeE.+\\-tnrlsx\u{1}é\u{1f600}]{0,40}"
}

/// Numbers near the edge of `f64`'s range, written every way JSON allows.
fn edge_number() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "[1-9][0-9]{0,20}|0",
        0usize..320,
        prop::option::of("[0-9]{1,30}"),
        prop::option::of(("[eE]", "[+-]?", 0u32..700)),
    )
        .prop_map(|(negative, digits, zeros, fraction, exponent)| {
            let mut number = String::from(if negative { "-" } else { "" });
            number.push_str(&digits);
            if digits != "0" {
                number.push_str(&"0".repeat(zeros));
            }
            if let Some(fraction) = fraction {
                number.push('.');
                number.push_str(&fraction);
            }
            if let Some((e, sign, value)) = exponent {
                number.push_str(&format!("{e}{sign}{value}"));
            }
            number
        })
}

/// Lines as (text, style) spans: empty spans dropped, neighbours of one style
/// merged, so that how a line is split into spans does not matter.
fn normalized(lines: &[Line]) -> Vec<Vec<(String, Style)>> {
    lines
        .iter()
        .map(|line| {
            let mut spans: Vec<(String, Style)> = Vec::new();
            for span in line.spans.iter().filter(|span| !span.content.is_empty()) {
                let style = line.style.patch(span.style);
                match spans.last_mut() {
                    Some((text, last)) if *last == style => text.push_str(&span.content),
                    _ => spans.push((span.content.to_string(), style)),
                }
            }
            spans
        })
        .collect()
}

/// `lines` with every span's text as the TUI shows it ([`for_screen`]).
fn on_screen(lines: Vec<Line<'static>>) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|line| {
            let spans: Vec<_> = line
                .spans
                .into_iter()
                .map(|span| {
                    let text = for_screen(&span.content).into_owned();
                    ratatui::text::Span::styled(text, span.style)
                })
                .collect();
            Line::from(spans)
        })
        .collect()
}

fn view_lines(doc: &JsonDoc, fold_depth: Option<usize>) -> Vec<Line<'_>> {
    let layout = doc.layout(fold_depth);
    (0..layout.len()).map(|i| layout.line(doc, i)).collect()
}

/// Checks `text` as serde_json would, then builds and measures every line of
/// several views.
fn judge_and_lay_out(text: &[u8]) -> Result<(), TestCaseError> {
    let ours = JsonDoc::parse(bytes::Bytes::copy_from_slice(text));
    let serde = serde_json::from_slice::<Value>(text).map_err(|e| e.to_string());
    prop_assert_eq!(ours.as_ref().err(), serde.as_ref().err());
    if let Ok(doc) = ours {
        prop_assert_eq!(serde.is_ok(), true);
        for fold in [None, Some(0), Some(1), Some(3)] {
            let layout = doc.layout(fold);
            for index in 0..layout.len() {
                let chars = line_chars(&layout.line(&doc, index)).0;
                for cols in [1, 7, 80] {
                    prop_assert_eq!(layout.rows(&doc, index, cols), chars.div_ceil(cols).max(1));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn pretty_lines_are_serde_json_pretty(value in any_value()) {
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        for text in [serde_json::to_string(&value).unwrap(), pretty.clone()] {
            let doc = JsonDoc::parse(text.into()).unwrap();
            let lines: Vec<String> = view_lines(&doc, None).iter().map(Line::to_string).collect();
            // Controls, zero-width and bidi characters are shown as the TUI shows
            // them everywhere (a space, an escape); everything else as serde writes it.
            let shown: Vec<_> = pretty.split('\n').map(for_screen).collect();
            prop_assert_eq!(lines.join("\n"), shown.join("\n"));
        }
    }

    #[test]
    fn every_view_is_what_the_value_renderer_drew(value in any_value()) {
        let doc = JsonDoc::parse(serde_json::to_string(&value).unwrap().into()).unwrap();
        for fold in [None, Some(0), Some(1), Some(2), Some(5)] {
            prop_assert_eq!(
                normalized(&view_lines(&doc, fold)),
                normalized(&on_screen(previous::pretty_lines(&value, fold))),
                "fold {:?}", fold
            );
        }
    }

    #[test]
    fn arbitrary_bytes_are_judged_as_serde_json_does(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        judge_and_lay_out(&bytes)?;
    }

    #[test]
    fn near_json_is_judged_as_serde_json_does(text in json_soup()) {
        judge_and_lay_out(text.as_bytes())?;
    }

    #[test]
    fn edited_documents_are_judged_as_serde_json_does(
        value in any_value(),
        at in any::<prop::sample::Index>(),
        edit in 0u8..3,
        byte in prop::sample::select(b"{}[],:\" \\u0-.eE1tfn\x01".to_vec()),
    ) {
        let mut text = serde_json::to_vec(&value).unwrap();
        let at = at.index(text.len() + 1);
        match edit {
            0 => text.insert(at, byte),
            1 if at < text.len() => _ = text.remove(at),
            _ if at < text.len() => text[at] = byte,
            _ => text.push(byte),
        }
        judge_and_lay_out(&text)?;
    }

    #[test]
    fn numbers_near_the_edge_are_judged_as_serde_json_does(number in edge_number()) {
        judge_and_lay_out(format!("[{number}]").as_bytes())?;
    }
}

/// The pretty renderer that worked on a parsed `serde_json::Value`, as it was
/// before the indexer replaced it: the reference for every view.
mod previous {
    use ratatui::text::{Line, Span};
    use serde_json::Value;

    use crate::theme;

    pub fn pretty_lines(value: &Value, fold_depth: Option<usize>) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        write_value(&mut lines, Vec::new(), value, 0, fold_depth, false);
        lines
    }

    fn write_value(
        lines: &mut Vec<Line<'static>>,
        mut prefix: Vec<Span<'static>>,
        value: &Value,
        depth: usize,
        fold_depth: Option<usize>,
        comma: bool,
    ) {
        let punct = theme::json_punctuation;
        let tail = |spans: &mut Vec<Span<'static>>| {
            if comma {
                spans.push(Span::styled(",", punct()));
            }
        };
        let (open, close, len) = match value {
            Value::Object(map) => ("{", "}", map.len()),
            Value::Array(items) => ("[", "]", items.len()),
            scalar => {
                prefix.push(scalar_span(scalar));
                tail(&mut prefix);
                lines.push(Line::from(prefix));
                return;
            }
        };
        if len == 0 {
            prefix.push(Span::styled(format!("{open}{close}"), punct()));
            tail(&mut prefix);
            lines.push(Line::from(prefix));
            return;
        }
        if fold_depth.is_some_and(|d| depth > d) {
            let noun = match (value.is_object(), len) {
                (true, 1) => "key",
                (true, _) => "keys",
                (false, 1) => "item",
                (false, _) => "items",
            };
            prefix.push(Span::styled(format!("{open}…{close}"), punct()));
            prefix.push(Span::styled(format!(" {len} {noun}"), theme::dim()));
            tail(&mut prefix);
            lines.push(Line::from(prefix));
            return;
        }
        let indent = "  ".repeat(depth);
        prefix.push(Span::styled(open, punct()));
        lines.push(Line::from(prefix));
        let child_indent = || Span::raw(format!("{indent}  "));
        match value {
            Value::Object(map) => {
                for (i, (key, child)) in map.iter().enumerate() {
                    let key = Span::styled(json_string(key), theme::json_key());
                    let prefix = vec![child_indent(), key, Span::styled(": ", punct())];
                    write_value(lines, prefix, child, depth + 1, fold_depth, i + 1 < len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let prefix = vec![child_indent()];
                    write_value(lines, prefix, child, depth + 1, fold_depth, i + 1 < len);
                }
            }
            _ => {}
        }
        let mut last = vec![Span::raw(indent), Span::styled(close, punct())];
        tail(&mut last);
        lines.push(Line::from(last));
    }

    fn scalar_span(value: &Value) -> Span<'static> {
        match value {
            Value::String(s) => Span::styled(json_string(s), theme::json_string()),
            Value::Number(n) => Span::styled(n.to_string(), theme::json_number()),
            other => Span::styled(other.to_string(), theme::json_literal()),
        }
    }

    /// A string as a JSON literal, escapes included (so control characters never reach
    /// the terminal).
    fn json_string(s: &str) -> String {
        // Serializing a string cannot fail.
        serde_json::to_string(s).unwrap_or_default()
    }
}
