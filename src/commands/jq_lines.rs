//! `listen --jq EXPR`: each received message read as JSON, run through the
//! program, and each output written as one line: compact JSON (terminal-safe and
//! still valid), a string's bare text with `-r`, or with `--jsonl` the frame's JSON
//! line with `data` holding the output.
//!
//! The hot path parses a message once, straight from its bytes into jaq's values,
//! and builds each line in one reused buffer before it goes to the [`LineSink`]
//! (`super::line_sink`). Messages that are not JSON are counted and reported once
//! at the end; a runtime error is one escaped line on stderr and listening goes on.

use std::io::{self, Write};

use crate::jq::{MessageError, Output, Program};
use crate::session::Frame;
use crate::terminal_text;

use super::output::{format_time, report};

/// At most this many outputs are printed for one message (`range(1e18)` would
/// otherwise keep `listen` busy on one message for ever).
pub const MAX_OUTPUTS_PER_MESSAGE: usize = 100_000;

/// How each output becomes a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JqStyle {
    /// Compact JSON.
    Json,
    /// `-r`: a string's text as it is, other values as compact JSON; `escape`
    /// shows control and bidi characters escaped (stdout is a terminal).
    RawStrings {
        /// Whether to escape what a terminal would act on.
        escape: bool,
    },
    /// `{"direction":"in","time":…,"kind":…,"data":OUTPUT}`.
    JsonLines,
}

/// The program and what `listen` counts while running it.
#[derive(Debug)]
pub struct JqLines {
    program: Program,
    style: JqStyle,
    /// The line being built, reused for every output.
    line: Vec<u8>,
    /// Messages skipped because they were not one JSON value.
    pub not_json: u64,
    /// Messages the program failed on.
    pub failed: u64,
}

impl JqLines {
    /// Runs `program` over each message, writing lines in `style`.
    pub fn new(program: Program, style: JqStyle) -> Self {
        Self {
            program,
            style,
            line: Vec::with_capacity(256),
            not_json: 0,
            failed: 0,
        }
    }

    /// Writes a line for each output of the program over `frame`'s payload and
    /// says how many there were. A payload that is not JSON is counted and skipped;
    /// a runtime error is reported on stderr (after the lines written before it).
    pub fn write_frame(&mut self, out: &mut impl Write, frame: &Frame) -> io::Result<usize> {
        let mut written = Ok(());
        let (line, style) = (&mut self.line, self.style);
        let ran = self
            .program
            .run_message(&frame.payload, MAX_OUTPUTS_PER_MESSAGE, |output| {
                line.clear();
                build_line(line, style, frame, output);
                written = out.write_all(line);
                written.is_ok()
            });
        written?;
        match ran {
            Ok(ran) => {
                if ran.cut && ran.outputs >= MAX_OUTPUTS_PER_MESSAGE {
                    report(&format!(
                        "jq: stopped after {MAX_OUTPUTS_PER_MESSAGE} outputs of one message"
                    ));
                }
                Ok(ran.outputs)
            }
            Err(MessageError::NotJson) => {
                self.not_json += 1;
                Ok(0)
            }
            Err(MessageError::Run(error)) => {
                self.failed += 1;
                // Written lines first, so the error shows up after them.
                out.flush()?;
                report(&terminal_text::one_line(&error.to_string()));
                Ok(0)
            }
        }
    }

    /// The line for stderr at the end, when messages were skipped.
    pub fn summary(&self) -> Option<String> {
        match self.not_json {
            0 => None,
            1 => Some("1 message was not JSON and was skipped".to_string()),
            n => Some(format!("{n} messages were not JSON and were skipped")),
        }
    }
}

/// Builds one line (with its newline) for `value`, an output over `frame`.
fn build_line(line: &mut Vec<u8>, style: JqStyle, frame: &Frame, output: &Output<'_>) {
    match style {
        JqStyle::Json => output.write_compact(line),
        JqStyle::RawStrings { escape } => {
            output.write_raw(line);
            if escape
                && let Ok(text) = std::str::from_utf8(line)
                && let std::borrow::Cow::Owned(escaped) = terminal_text::multi_line(text)
            {
                *line = escaped.into_bytes();
            }
        }
        JqStyle::JsonLines => {
            let direction = match frame.direction {
                crate::session::Direction::Incoming => "in",
                crate::session::Direction::Outgoing => "out",
            };
            line.extend_from_slice(b"{\"direction\":\"");
            line.extend_from_slice(direction.as_bytes());
            line.extend_from_slice(b"\",\"time\":\"");
            line.extend_from_slice(format_time(frame.timestamp).as_bytes());
            line.extend_from_slice(b"\",\"kind\":\"");
            line.extend_from_slice(frame.kind.as_str().as_bytes());
            line.extend_from_slice(b"\",\"data\":");
            output.write_compact(line);
            line.push(b'}');
        }
    }
    line.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Direction, FrameKind};
    use bytes::Bytes;
    use std::time::SystemTime;

    fn frame(payload: &'static str) -> Frame {
        Frame {
            id: 1,
            direction: Direction::Incoming,
            kind: FrameKind::Text,
            payload: Bytes::from_static(payload.as_bytes()),
            wire_len: payload.len() as u32,
            timestamp: SystemTime::UNIX_EPOCH,
            close_code: None,
            decoded: None,
        }
    }

    fn lines(program: &str, style: JqStyle, payloads: &[&'static str]) -> (String, JqLines) {
        let mut jq = JqLines::new(Program::compile(program).unwrap(), style);
        let mut out = Vec::new();
        for payload in payloads {
            jq.write_frame(&mut out, &frame(payload)).unwrap();
        }
        (String::from_utf8(out).unwrap(), jq)
    }

    #[test]
    fn each_output_is_a_compact_json_line_and_non_json_is_counted() {
        let (out, jq) = lines(
            ".p, .e",
            JqStyle::Json,
            &[
                r#"{"e":"trade","p":"1.5"}"#,
                "hello",
                r#"{"p": [1, 2]}"#,
                "{",
            ],
        );
        assert_eq!(out, "\"1.5\"\n\"trade\"\n[1,2]\nnull\n");
        assert_eq!(jq.not_json, 2);
        assert_eq!(
            jq.summary().as_deref(),
            Some("2 messages were not JSON and were skipped")
        );
    }

    #[test]
    fn raw_output_prints_strings_bare_and_escapes_on_a_terminal() {
        let payloads = [r#"{"k":"a\u001b[31mb"}"#, r#"{"k":{"x":1}}"#];
        let (out, _) = lines(".k", JqStyle::RawStrings { escape: false }, &payloads);
        assert_eq!(out, "a\x1b[31mb\n{\"x\":1}\n");
        let (out, _) = lines(".k", JqStyle::RawStrings { escape: true }, &payloads);
        assert_eq!(out, "a\\x1b[31mb\n{\"x\":1}\n");
    }

    #[test]
    fn json_lines_carry_the_output_as_data() {
        let (out, _) = lines(".a", JqStyle::JsonLines, &[r#"{"a":{"b":[true]}}"#]);
        let line: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(
            line,
            serde_json::json!({"direction":"in","time":"1970-01-01T00:00:00.000Z","kind":"text","data":{"b":[true]}})
        );
    }

    #[test]
    fn a_runtime_error_is_counted_and_the_next_message_still_runs() {
        let (out, jq) = lines(".a", JqStyle::Json, &["5", r#"{"a":2}"#]);
        assert_eq!(out, "2\n");
        assert_eq!(jq.failed, 1);
        assert_eq!(jq.summary(), None);
    }
}
