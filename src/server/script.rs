//! `serve --script FILE`: the server side of a recording, as steps a connection
//! plays in order — wait for the client's message, send the recorded reply after its
//! delay, close as recorded — and how a received message is matched against the
//! recorded one (exactly, or as a JSON subset so a hand-edited script can leave out
//! ids and timestamps).
//!
//! Only the recording's first connection is played: the steps end at its first
//! close (a `closed` record, or a close frame from the server) or at a second
//! handshake. Pings and pongs are left out (the connection answers pings itself);
//! a close frame the client sent is the client's business, not a step.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::recording::{ReadError, Record, RecordedDirection, Recording, Timestamp, parse_line};
use crate::session::FrameKind;

/// What a connection does when a client's message does not match the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnMismatch {
    /// Close the client with 1008 and a short reason (the default).
    #[default]
    Close,
    /// Take the message as if it matched and go on with the next step.
    Skip,
    /// Ignore the message and keep waiting for one that matches.
    Wait,
}

/// Why a script could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The file is not a readable recording.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A recorded payload's base64 is broken.
    #[error("{path}:{line}: the payload is not valid base64: {source}")]
    Payload {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What the decoder said.
        source: base64::DecodeError,
    },
    /// Nothing in it to play.
    #[error(
        "{0} has no text or binary messages to play (pings, pongs and lines about the session are not played)"
    )]
    Nothing(String),
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAction {
    /// Wait for the client's next data message and check it against this one.
    Expect {
        /// Text or binary.
        kind: FrameKind,
        /// The recorded payload.
        payload: Bytes,
    },
    /// Send this message after `delay` (scaled by the speed).
    Send {
        /// Text or binary.
        kind: FrameKind,
        /// The payload, byte for byte.
        payload: Bytes,
        /// Recorded time since the previous record.
        delay: Duration,
    },
    /// Close the connection with this code and reason after `delay`.
    Close {
        /// The close code (1000 when the recording had none).
        code: u16,
        /// The close reason.
        reason: String,
        /// Recorded time since the previous record.
        delay: Duration,
    },
}

/// A step and the line of the script it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What to do.
    pub action: StepAction,
    /// The 1-based line in the script file.
    pub line: usize,
}

/// A loaded script: its steps and how to play them, shared by every connection.
#[derive(Debug)]
pub struct Script {
    /// The file, as given (for log lines).
    pub path: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The subprotocol the recording's server selected, answered when offered.
    pub subprotocol: Option<String>,
    /// Delays are divided by this; 0 plays without waiting.
    pub speed: f64,
    /// What a mismatch does.
    pub on_mismatch: OnMismatch,
    clients: AtomicUsize,
}

impl Script {
    /// Loads the recording (or `listen --jsonl` file) at `path`.
    pub fn load(path: &Path, speed: f64, on_mismatch: OnMismatch) -> Result<Script, ScriptError> {
        let shown = path.display().to_string();
        let recording = Recording::read(path)?;
        let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io {
            path: shown.clone(),
            source,
        })?;
        let lines = record_lines(&text);
        let (steps, subprotocol) = steps_of(&recording, &lines, &shown)?;
        if steps.is_empty() {
            return Err(ScriptError::Nothing(shown));
        }
        Ok(Script {
            path: shown,
            steps,
            subprotocol,
            speed,
            on_mismatch,
            clients: AtomicUsize::new(0),
        })
    }

    /// The number the next client is logged under (1, 2, …).
    pub fn next_client(&self) -> usize {
        self.clients.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A recorded delay at this script's speed (zero at speed 0: no waiting).
    pub fn scaled(&self, delay: Duration) -> Duration {
        if self.speed <= 0.0 {
            Duration::ZERO
        } else {
            delay.div_f64(self.speed)
        }
    }

    /// "2 steps: 1 message to expect, 1 to send, then a close".
    pub fn summary(&self) -> String {
        let expects = self
            .steps
            .iter()
            .filter(|step| matches!(step.action, StepAction::Expect { .. }))
            .count();
        let sends = self
            .steps
            .iter()
            .filter(|step| matches!(step.action, StepAction::Send { .. }))
            .count();
        let closes = self.steps.len() - expects - sends;
        format!(
            "{} steps: {expects} message(s) to expect from the client, {sends} to send{}",
            self.steps.len(),
            if closes > 0 { ", then a close" } else { "" }
        )
    }
}

/// The 1-based line of each record [`Recording::read`] keeps, in the same order:
/// non-blank lines that parse and are not a session header.
fn record_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .filter(|(_, line)| matches!(parse_line(line), Ok(record) if !matches!(record, Record::Session(_))))
        .map(|(index, _)| index + 1)
        .collect()
}

/// The steps of the recording's first connection, and its selected subprotocol.
fn steps_of(
    recording: &Recording,
    lines: &[usize],
    path: &str,
) -> Result<(Vec<Step>, Option<String>), ScriptError> {
    let mut steps = Vec::new();
    let mut subprotocol = None;
    let mut handshakes = 0;
    let mut previous: Option<Timestamp> = None;
    for (index, record) in recording.records.iter().enumerate() {
        let line = lines.get(index).copied().unwrap_or(0);
        let delay = previous.map_or(Duration::ZERO, |at| record.time().since(at));
        match record {
            Record::Handshake(handshake) => {
                handshakes += 1;
                if handshakes > 1 {
                    break;
                }
                subprotocol = handshake.subprotocol.clone();
                previous = Some(handshake.time);
            }
            Record::Frame(frame) => {
                let payload = frame
                    .payload
                    .bytes()
                    .map_err(|source| ScriptError::Payload {
                        path: path.to_owned(),
                        line,
                        source,
                    })?;
                let action = match (frame.direction, frame.kind) {
                    (RecordedDirection::Outgoing, FrameKind::Text | FrameKind::Binary) => {
                        StepAction::Expect {
                            kind: frame.kind,
                            payload,
                        }
                    }
                    (RecordedDirection::Incoming, FrameKind::Text | FrameKind::Binary) => {
                        StepAction::Send {
                            kind: frame.kind,
                            payload,
                            delay,
                        }
                    }
                    (RecordedDirection::Incoming, FrameKind::Close) => {
                        steps.push(Step {
                            action: StepAction::Close {
                                code: frame.code.unwrap_or(1000),
                                reason: frame.payload.data.clone(),
                                delay,
                            },
                            line,
                        });
                        break;
                    }
                    // The server saw the client's close; the session ends here.
                    (RecordedDirection::Outgoing, FrameKind::Close) => break,
                    _ => continue,
                };
                steps.push(Step { action, line });
                previous = Some(frame.time);
            }
            Record::Closed {
                code,
                reason,
                by_peer,
                ..
            } => {
                if *by_peer {
                    steps.push(Step {
                        action: StepAction::Close {
                            code: code.filter(|code| sendable(*code)).unwrap_or(1000),
                            reason: reason.clone(),
                            delay,
                        },
                        line,
                    });
                }
                break;
            }
            _ => {}
        }
    }
    Ok((steps, subprotocol))
}

/// Whether a server may put `code` in a close frame (1005, 1006 and 1015 are only
/// ever reported, never sent).
fn sendable(code: u16) -> bool {
    crate::session::close_code::validate_close(code, "").is_ok()
}

/// Whether `received` matches the recorded message: the same kind and bytes, or,
/// for text that parses as JSON, the recorded value contained in the received one.
pub fn matches(
    expected_kind: FrameKind,
    expected: &[u8],
    received_kind: FrameKind,
    received: &[u8],
) -> bool {
    if expected_kind != received_kind {
        return false;
    }
    if expected == received {
        return true;
    }
    if expected_kind != FrameKind::Text {
        return false;
    }
    match (
        serde_json::from_slice::<Value>(expected),
        serde_json::from_slice::<Value>(received),
    ) {
        (Ok(expected), Ok(received)) => json_contains(&received, &expected),
        _ => false,
    }
}

/// Whether `whole` contains `part`: objects by key, recursively (extra keys in
/// `whole` are fine); arrays element by element, of the same length; anything else
/// equal.
pub fn json_contains(whole: &Value, part: &Value) -> bool {
    match (whole, part) {
        (Value::Object(whole), Value::Object(part)) => part.iter().all(|(key, value)| {
            whole
                .get(key)
                .is_some_and(|found| json_contains(found, value))
        }),
        (Value::Array(whole), Value::Array(part)) => {
            whole.len() == part.len()
                && whole
                    .iter()
                    .zip(part)
                    .all(|(found, value)| json_contains(found, value))
        }
        _ => whole == part,
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
