//! The one place that makes text from a server (close reasons, HTTP error bodies,
//! payloads) or from a file (profiles, error messages) safe to show on a terminal.
//!
//! A terminal acts on some characters instead of showing them: C0 controls (ESC
//! starts sequences that set the window title or write the clipboard, OSC 52), DEL,
//! C1 controls (U+0080–U+009F; some terminals read U+009B as CSI), and the bidi
//! overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what follows
//! them. Each of these is shown as an escape instead: `\x1b`, `\x7f`, `\u0085`,
//! `\u202e`; `\n`, `\r` and `\t` by name. A backslash is left as it is, so the
//! escapes are for reading, not for parsing back.
//!
//! One-line text ([`one_line`]: error messages, close reasons) escapes `\n` and `\t`
//! too, so a server cannot start a line that looks like ours; multi-line text
//! ([`multi_line`]: payloads, a profile's TOML) keeps `\n` and `\t` readable.
//!
//! [`JsonSafe`] is a serde_json formatter that writes the same characters as
//! `\u0085`-style JSON escapes, so JSON output stays valid and parses to the same
//! value. [`is_invisible`] names the zero-width characters the TUI's preview shows
//! as escapes, since terminals disagree on how wide they are.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` is a C0 control, DEL or a C1 control.
pub fn is_control(c: char) -> bool {
    c < '\u{20}' || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// Whether `c` is a bidi embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069).
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether a terminal may act on `c` rather than show it: a control or a bidi
/// character. Every such character is escaped by [`one_line`] and [`multi_line`].
pub fn is_unsafe(c: char) -> bool {
    is_control(c) || is_bidi(c)
}

/// Whether `c` takes no column of its own and terminals disagree on it: zero-width
/// spaces and joiners, direction marks, word joiners and invisible operators,
/// variation selectors, the byte-order mark, tag characters, and the bidi
/// characters. Combining marks are not included: they belong to the character
/// before them, which every terminal handles.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Appends the escape for `c`: `\n`, `\r`, `\t` by name, other characters below
/// U+0080 as `\x1b`, the rest as `\u0085` (`\u{e0001}` beyond U+FFFF).
pub fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if u32::from(c) < 0x80 => write!(out, "\\x{:02x}", u32::from(c)),
        c if u32::from(c) <= 0xffff => write!(out, "\\u{:04x}", u32::from(c)),
        c => write!(out, "\\u{{{:x}}}", u32::from(c)),
    };
}

/// `text` for one line of terminal output: every control (including `\n` and `\t`)
/// and bidi character escaped. Borrows when there is nothing to escape.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// `text` for terminal output that may span lines: like [`one_line`], but `\n` and
/// `\t` are kept as they are.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| is_unsafe(c) && c != '\n' && c != '\t')
}

/// Whether `text` is printable ASCII only (nothing to escape): a byte test the
/// compiler vectorises, far cheaper than decoding characters.
fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|byte| (0x20..0x7f).contains(&byte))
}

fn escape_where(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if is_printable_ascii(text) {
        return Cow::Borrowed(text);
    }
    let Some(first) = text.find(&escape) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes `text` as [`multi_line`] would show it, without building a copy when
/// nothing needs escaping.
pub fn write_multi_line(out: &mut impl Write, text: &str) -> io::Result<()> {
    match multi_line(text) {
        Cow::Borrowed(text) => out.write_all(text.as_bytes()),
        Cow::Owned(text) => out.write_all(text.as_bytes()),
    }
}

/// Appends `c` as the TUI shows it in a cell: a control character as a space (the
/// TUI's panes are laid out in cells, and a control has none), an invisible
/// character ([`is_invisible`]) as its escape, anything else as it is.
pub fn push_for_screen(out: &mut String, c: char) {
    if is_control(c) {
        out.push(' ');
    } else if is_invisible(c) {
        push_escape(out, c);
    } else {
        out.push(c);
    }
}

/// `text` as the TUI shows it ([`push_for_screen`] on every character). Borrows
/// when nothing changes.
pub fn for_screen(text: &str) -> Cow<'_, str> {
    if is_printable_ascii(text) {
        return Cow::Borrowed(text);
    }
    let Some(first) = text.find(|c| is_control(c) || is_invisible(c)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        push_for_screen(&mut out, c);
    }
    Cow::Owned(out)
}

/// A serde_json formatter that also escapes what JSON allows raw but terminals act
/// on: C1 controls and bidi characters become `\u0085`-style escapes inside strings,
/// so the output is still valid JSON and parses to the same value.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonSafe;

impl serde_json::ser::Formatter for JsonSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json escapes C0 controls itself; what is left are multi-byte
        // characters, so ASCII-only fragments (the common case) pass straight on.
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Writes `value` as compact JSON through [`JsonSafe`].
pub fn write_json<W: Write>(out: W, value: &serde_json::Value) -> io::Result<()> {
    use serde::Serialize as _;
    let mut serializer = serde_json::Serializer::with_formatter(out, JsonSafe);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// `value` as compact JSON through [`JsonSafe`].
pub fn json_string(value: &serde_json::Value) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail, and serde_json writes only UTF-8.
    let _ = write_json(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn osc_sequences_are_shown_not_run() {
        assert_eq!(
            one_line("a\x1b]52;c;aGk=\x07b\x1b]0;title\x1b\\"),
            "a\\x1b]52;c;aGk=\\x07b\\x1b]0;title\\x1b\\"
        );
    }

    #[test]
    fn c1_del_and_bidi_are_escaped() {
        assert_eq!(
            one_line("\u{7f}\u{85}\u{9b}31m\u{202e}abc\u{2066}"),
            "\\x7f\\u0085\\u009b31m\\u202eabc\\u2066"
        );
    }

    #[test]
    fn one_line_escapes_newlines_multi_line_keeps_them() {
        assert_eq!(one_line("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(multi_line("a\nb\tc\rd"), "a\nb\tc\\rd");
    }

    #[test]
    fn clean_text_is_borrowed() {
        let text = "fine — ok, ünïcödé and 😀";
        assert!(matches!(one_line(text), Cow::Borrowed(_)));
        assert!(matches!(multi_line("x\ny"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_beyond_the_bmp_use_braces() {
        let mut out = String::new();
        push_escape(&mut out, '\u{e0001}');
        assert_eq!(out, "\\u{e0001}");
    }

    #[test]
    fn invisible_characters() {
        for c in ['\u{200b}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{fe0f}'] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'é', '\u{301}', '😀', '—'] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }

    #[test]
    fn for_screen_blanks_controls_and_escapes_invisibles() {
        assert_eq!(
            for_screen("a\tb\u{1b}c\u{200d}d\u{202e}e\u{fe0f}"),
            "a b c\\u200dd\\u202ee\\ufe0f"
        );
        assert!(matches!(for_screen("plain é 😀"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_c1_and_bidi_and_parses_back_equal() {
        let value = serde_json::json!({"data": "a\u{85}b\u{202e}c\u{2069}\u{1b}d é"});
        let text = json_string(&value);
        assert_eq!(
            text, r#"{"data":"a\u0085b\u202ec\u2069\u001bd é"}"#,
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    proptest! {
        #[test]
        fn output_never_holds_a_control_or_bidi_character(text in any::<String>()) {
            let one = one_line(&text);
            prop_assert!(!one.chars().any(is_unsafe), "{:?}", one);
            let multi = multi_line(&text);
            prop_assert!(
                !multi.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'),
                "{:?}", multi
            );
            let screen = for_screen(&text);
            prop_assert!(
                !screen.chars().any(|c| is_unsafe(c) || is_invisible(c)),
                "{:?}", screen
            );
            let json = json_string(&serde_json::Value::String(text.clone()));
            prop_assert!(!json.chars().any(is_unsafe), "{:?}", json);
            let back: serde_json::Value = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, serde_json::Value::String(text));
        }

        #[test]
        fn unsafe_characters_are_always_caught(c in prop_oneof![
            0u32..0x20, 0x7fu32..0xa0, 0x202au32..0x202f, 0x2066u32..0x206a
        ]) {
            let c = char::from_u32(c).unwrap();
            let text = format!("x{c}y");
            prop_assert!(!one_line(&text).contains(c));
        }
    }
}
