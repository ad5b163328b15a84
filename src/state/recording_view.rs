//! A recording opened read-only (`wsdeck open`): what the state pane shows about
//! it in place of a live connection, and its records turned into log entries as
//! the live log would have shown them.

use std::time::Duration;

use crate::recording::text::system_text;
use crate::recording::{Record, RecordedDirection, Recording, SessionHeader, Timestamp};
use crate::session::{CloseOutcome, FrameKind, MessageIds};
use crate::state::log::{LogEntry, SystemLevel};

/// What the state pane shows for a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingSummary {
    /// The file, as named on the command line.
    pub file: String,
    /// Its header line, if it has one (`listen --jsonl` and `:save` files do not).
    pub header: Option<SessionHeader>,
    /// When it starts (its header's time, else its first record's).
    pub started: Option<Timestamp>,
    /// From its start to its last record.
    pub duration: Duration,
    /// Data messages (text and binary) sent, and their bytes, as a live
    /// session's state pane counts them.
    pub sent: (u64, u64),
    /// Data messages received, and their bytes.
    pub received: (u64, u64),
    /// How many connections (handshakes) it holds.
    pub connections: usize,
    /// The subprotocol of its last handshake.
    pub subprotocol: Option<String>,
    /// How its last connection ended.
    pub last_close: Option<CloseOutcome>,
    /// Whether its last line was cut short and left out.
    pub cut_short: bool,
}

impl RecordingSummary {
    /// The summary of `recording`, read from `file`.
    pub fn of(recording: &Recording, file: &str) -> Self {
        let mut summary = RecordingSummary {
            file: file.to_string(),
            header: recording.header.clone(),
            started: recording
                .header
                .as_ref()
                .map(|header| header.started)
                .or_else(|| recording.records.first().map(Record::time)),
            duration: Duration::ZERO,
            sent: (0, 0),
            received: (0, 0),
            connections: 0,
            subprotocol: None,
            last_close: None,
            cut_short: recording.cut_short,
        };
        for record in &recording.records {
            match record {
                Record::Frame(frame)
                    if matches!(frame.kind, FrameKind::Text | FrameKind::Binary) =>
                {
                    let size = frame
                        .size
                        .unwrap_or_else(|| frame.payload.bytes().map_or(0, |b| b.len() as u64));
                    let counter = match frame.direction {
                        RecordedDirection::Outgoing => &mut summary.sent,
                        RecordedDirection::Incoming => &mut summary.received,
                    };
                    counter.0 += 1;
                    counter.1 += size;
                }
                Record::Handshake(handshake) => {
                    summary.connections += 1;
                    summary.subprotocol = handshake.subprotocol.clone();
                }
                Record::Closed {
                    code,
                    reason,
                    by_peer,
                    clean,
                    ..
                } => {
                    summary.last_close = Some(CloseOutcome {
                        code: *code,
                        reason: reason.clone(),
                        by_peer: *by_peer,
                        clean: *clean,
                    })
                }
                _ => {}
            }
        }
        if let (Some(started), Some(last)) = (
            summary.started,
            recording.records.iter().map(Record::time).max(),
        ) {
            summary.duration = last.since(started);
        }
        summary
    }

    /// The URL it was connected to: its header's, else its first handshake's.
    pub fn url(&self, recording: &Recording) -> String {
        self.header
            .as_ref()
            .map(|header| header.url.clone())
            .or_else(|| {
                recording.records.iter().find_map(|record| match record {
                    Record::Handshake(handshake) => Some(handshake.url.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| "(not recorded)".to_string())
    }
}

/// A record as the log shows it, with the record to keep behind a system line
/// (handshakes, closes and state changes keep theirs, so an export writes them as
/// they were). `None` for what the log shows no line for.
pub enum LoggedRecord {
    /// A frame, numbered from `ids`.
    Frame(LogEntry),
    /// A system line, and the record behind it when it is more than its words.
    System(LogEntry, Option<Record>),
}

/// How `record` enters the log; `Err` says why a frame cannot (a payload that is
/// not base64).
pub fn log_record(record: &Record, ids: &MessageIds) -> Result<Option<LoggedRecord>, String> {
    if let Record::Frame(frame) = record {
        return frame
            .to_frame(ids.next())
            .map(|frame| Some(LoggedRecord::Frame(LogEntry::Frame(frame))))
            .map_err(|error| format!("a frame's payload is not valid base64 ({error}); left out"));
    }
    let Some((text, level)) = system_text(record) else {
        return Ok(None);
    };
    let entry = LogEntry::System {
        timestamp: record.time().0,
        level: SystemLevel::named(level),
        text,
    };
    let behind = match record {
        Record::Handshake(_) | Record::Closed { .. } | Record::State { .. } => Some(record.clone()),
        _ => None,
    };
    Ok(Some(LoggedRecord::System(entry, behind)))
}

/// The line an opened recording ends with when its last line was cut short.
pub const CUT_SHORT: &str = "this recording was cut short: its last line is incomplete and was left out (the writer stopped mid-line)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_counted_as_a_live_session_counts_them() {
        let lines = concat!(
            r#"{"type":"frame","time":"2026-12-04T10:00:00.001Z","direction":"out","kind":"text","data":"hello","size":5}"#,
            "\n",
            r#"{"type":"frame","time":"2026-12-04T10:00:00.002Z","direction":"in","kind":"binary","data":"AAE=","encoding":"base64","size":2}"#,
            "\n",
            r#"{"type":"frame","time":"2026-12-04T10:00:00.003Z","direction":"in","kind":"ping","data":"","size":0}"#,
            "\n",
            r#"{"type":"frame","time":"2026-12-04T10:00:00.004Z","direction":"out","kind":"close","data":"","size":2,"code":1000}"#,
            "\n",
        );
        let recording = Recording::from_reader(lines.as_bytes(), "mem").expect("read");
        let summary = RecordingSummary::of(&recording, "mem");
        assert_eq!((summary.sent, summary.received), ((1, 5), (1, 2)));
    }
}
