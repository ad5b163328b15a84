//! `:capture NAME JQ`, `:capture off NAME` and `:capture`: the words after
//! `capture` read into a request, and the captures themselves — the armed ones
//! waiting for a message, and the values taken (kept in the templates' context as
//! `{{var.NAME}}`).

use std::sync::Arc;

use crate::jq::Program;

/// How `:capture` is written, for errors and the help.
pub const CAPTURE_USAGE: &str =
    "capture NAME JQ (e.g. capture session .result.id), capture off NAME, or capture to list";

/// The longest value shown in a system line or the list, in characters.
pub const SHOWN_VALUE_CHARS: usize = 60;

/// What `:capture` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureRequest {
    /// `capture`: list the captures.
    List,
    /// `capture NAME JQ`: take `{{var.NAME}}` from the next message for which `jq`
    /// gives a value other than `null`.
    Arm {
        /// Letters, digits, `_` and `-`.
        name: String,
        /// The jq program as typed (compiled by the app).
        jq: String,
    },
    /// `capture off NAME`: cancel an armed capture.
    Off(String),
}

/// Reads the words after `capture`. Errors are ready to show.
pub fn parse_capture(args: &str) -> Result<CaptureRequest, String> {
    let args = args.trim();
    if args.is_empty() {
        return Ok(CaptureRequest::List);
    }
    let (name, rest) = match args.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (args, ""),
    };
    if name == "off" {
        if rest.is_empty() {
            return Err(format!("capture off needs a name: {CAPTURE_USAGE}"));
        }
        check_name(rest)?;
        return Ok(CaptureRequest::Off(rest.to_string()));
    }
    check_name(name)?;
    if rest.is_empty() {
        return Err(format!(
            "capture {name} needs a jq program: {CAPTURE_USAGE}"
        ));
    }
    Ok(CaptureRequest::Arm {
        name: name.to_string(),
        jq: rest.to_string(),
    })
}

/// A name fit for `{{var.NAME}}`.
fn check_name(name: &str) -> Result<(), String> {
    let fits = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if name.chars().all(fits) {
        Ok(())
    } else {
        Err(format!(
            "capture: '{}' is not a name; use letters, digits, '_' and '-'",
            crate::terminal_text::one_line(name)
        ))
    }
}

/// A capture waiting for its message.
#[derive(Debug, Clone)]
pub struct ArmedCapture {
    /// The variable's name.
    pub name: String,
    /// The compiled program.
    pub program: Arc<Program>,
}

/// The armed captures, in the order they were armed (one per name).
#[derive(Debug, Clone, Default)]
pub struct Captures {
    armed: Vec<ArmedCapture>,
}

impl Captures {
    /// Whether any capture waits for a message.
    pub fn is_armed(&self) -> bool {
        !self.armed.is_empty()
    }

    /// The armed captures.
    pub fn armed(&self) -> &[ArmedCapture] {
        &self.armed
    }

    /// Arms `name` (in place of an armed capture of the same name).
    pub fn arm(&mut self, name: String, program: Program) {
        self.armed.retain(|armed| armed.name != name);
        self.armed.push(ArmedCapture {
            name,
            program: Arc::new(program),
        });
    }

    /// Cancels the armed capture `name`; whether there was one.
    pub fn disarm(&mut self, name: &str) -> bool {
        let before = self.armed.len();
        self.armed.retain(|armed| armed.name != name);
        self.armed.len() != before
    }

    /// The values the armed programs give for one message (`bytes`, JSON), as
    /// `(name, text)`: strings as they are, anything else as compact JSON. A
    /// capture that gets one is disarmed; `null`, no output and errors leave it
    /// armed. Messages that are not JSON capture nothing.
    pub fn take_from(&mut self, bytes: &[u8]) -> Vec<(String, String)> {
        let Some(input) = crate::jq::parse(bytes) else {
            return Vec::new();
        };
        let mut taken = Vec::new();
        self.armed
            .retain(|armed| match armed.program.first(input.clone()) {
                Ok(Some(value)) if !matches!(value, crate::jq::Value::Null) => {
                    taken.push((armed.name.clone(), crate::jq::text_of(&value)));
                    false
                }
                _ => true,
            });
        taken
    }
}

/// A value as the screen shows it: one line, terminal-safe, cut with "…".
pub fn shown_value(value: &str) -> String {
    let line = crate::terminal_text::one_line(value);
    let mut short: String = line.chars().take(SHOWN_VALUE_CHARS).collect();
    if line.chars().count() > SHOWN_VALUE_CHARS {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_list_arm_and_off() {
        assert_eq!(parse_capture(" "), Ok(CaptureRequest::List));
        assert_eq!(
            parse_capture("session .result | .id"),
            Ok(CaptureRequest::Arm {
                name: "session".into(),
                jq: ".result | .id".into()
            })
        );
        assert_eq!(
            parse_capture("off key"),
            Ok(CaptureRequest::Off("key".into()))
        );
        assert!(parse_capture("off").unwrap_err().contains("needs a name"));
        assert!(
            parse_capture("key")
                .unwrap_err()
                .contains("needs a jq program")
        );
        assert!(parse_capture("a.b .x").unwrap_err().contains("not a name"));
    }

    #[test]
    fn takes_the_first_non_null_value_and_disarms() {
        let mut captures = Captures::default();
        captures.arm("key".into(), Program::compile(".listenKey").unwrap());
        captures.arm("n".into(), Program::compile(".n").unwrap());
        assert!(captures.take_from(b"not json").is_empty());
        assert!(captures.take_from(br#"{"other":1}"#).is_empty());
        assert_eq!(
            captures.take_from(br#"{"listenKey":"abc","n":{"a":[1]}}"#),
            [
                ("key".into(), "abc".into()),
                ("n".into(), r#"{"a":[1]}"#.into())
            ]
        );
        assert!(!captures.is_armed());
    }

    #[test]
    fn shown_values_are_one_safe_line_cut_short() {
        assert_eq!(
            shown_value("a\u{1b}[31m"),
            crate::terminal_text::one_line("a\u{1b}[31m")
        );
        let long = "x".repeat(100);
        assert_eq!(shown_value(&long).chars().count(), SHOWN_VALUE_CHARS + 1);
        assert!(shown_value(&long).ends_with('…'));
    }
}
