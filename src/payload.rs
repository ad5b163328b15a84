//! What the composer checks and converts before a message is sent: JSON validity
//! (with line and column), JSON pretty-printing that keeps numbers and key order as
//! typed, and binary input as hex or `base64:`.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Why the composer refused to send or format, shown under the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposerError {
    /// The whole text to show, position included.
    pub message: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column of the problem, when known (serde says 0 for "before the first char").
    pub column: Option<usize>,
}

impl ComposerError {
    /// An error without a position.
    pub fn plain(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for ComposerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks that `text` is one JSON value; the error carries serde's line and column.
pub(crate) fn check_json(text: &str) -> Result<(), ComposerError> {
    let Err(err) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(());
    };
    let (mut line, mut column) = (err.line(), err.column());
    // serde says "line N, column 0" once it has read the line break ending the
    // bad token: point at the end of the previous line instead, where it is.
    if column == 0 && line > 1 {
        line -= 1;
        column = text.lines().nth(line - 1).map_or(0, |l| l.chars().count()) + 1;
    }
    let full = err.to_string();
    let bare = full
        .strip_suffix(&format!(" at line {} column {}", err.line(), err.column()))
        .unwrap_or(&full);
    Err(ComposerError {
        message: format!("invalid JSON at line {line}, column {column}: {bare}"),
        line: Some(line),
        column: Some(column),
    })
}

/// Re-indents valid JSON with 2 spaces, copying every token verbatim (unlike a
/// round trip through `serde_json::Value`, big numbers and `1e2` stay as typed).
pub(crate) fn pretty_json(src: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    }
    let chars: Vec<char> = src.trim().chars().collect();
    let mut out = String::with_capacity(src.len() * 2);
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '"' => {
                out.push(c);
                while let Some(&s) = chars.get(i) {
                    out.push(s);
                    i += 1;
                    if s == '\\' {
                        if let Some(&escaped) = chars.get(i) {
                            out.push(escaped);
                            i += 1;
                        }
                    } else if s == '"' {
                        break;
                    }
                }
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                let next = chars[i..].iter().position(|c| !c.is_whitespace());
                if let Some(skip) = next.filter(|&skip| chars[i + skip] == close) {
                    out.push(close);
                    i += skip + 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The data after a `base64:` prefix (any case, leading whitespace allowed).
pub(crate) fn base64_body(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let head = text.get(..7)?;
    head.eq_ignore_ascii_case("base64:").then(|| &text[7..])
}

const ANY_PADDING: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, ANY_PADDING);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, ANY_PADDING);

/// Binary mode input to bytes: `base64:<data>` or hex (see the module docs).
pub(crate) fn parse_binary(text: &str) -> Result<Vec<u8>, ComposerError> {
    if let Some(body) = base64_body(text) {
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let engine = if compact.contains(['-', '_']) {
            &URL_SAFE
        } else {
            &STANDARD
        };
        return engine.decode(compact).map_err(|err| {
            ComposerError::plain(format!("invalid base64: {err} — expected base64:<data>"))
        });
    }
    let mut nibbles = Vec::new();
    for (line_index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut col = 0;
        while let Some(&c) = chars.get(col) {
            let group_start = col == 0 || chars[col - 1].is_whitespace();
            if group_start && c == '0' && matches!(chars.get(col + 1), Some('x' | 'X')) {
                col += 2;
                continue;
            }
            col += 1;
            if c.is_whitespace() {
                continue;
            }
            let Some(digit) = c.to_digit(16) else {
                let (line, column) = (line_index + 1, col);
                return Err(ComposerError {
                    message: format!(
                        "invalid hex digit '{c}' at line {line}, column {column} — \
                         binary takes hex (de ad be ef) or base64:<data>"
                    ),
                    line: Some(line),
                    column: Some(column),
                });
            };
            nibbles.push(digit as u8);
        }
    }
    if nibbles.len() % 2 == 1 {
        return Err(ComposerError::plain(format!(
            "odd number of hex digits ({}): every byte needs two",
            nibbles.len()
        )));
    }
    Ok(nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}
