//! Builders shared by the log's unit tests.

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::{EntrySeq, LogEntry};
use crate::session::{Direction, Frame, FrameKind};

/// A frame entry with a fixed timestamp.
pub fn frame(direction: Direction, kind: FrameKind, payload: &[u8]) -> LogEntry {
    LogEntry::Frame(Frame {
        id: 0,
        direction,
        kind,
        payload: Bytes::copy_from_slice(payload),
        wire_len: payload.len() as u32,
        timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(1),
        close_code: None,
        decoded: None,
    })
}

/// An incoming text frame.
pub fn text_in(text: &str) -> LogEntry {
    frame(Direction::Incoming, FrameKind::Text, text.as_bytes())
}

/// An outgoing text frame.
pub fn text_out(text: &str) -> LogEntry {
    frame(Direction::Outgoing, FrameKind::Text, text.as_bytes())
}

/// The sequence numbers of a window.
pub fn seqs<'a>(entries: impl Iterator<Item = (EntrySeq, &'a LogEntry)>) -> Vec<EntrySeq> {
    entries.map(|(seq, _)| seq).collect()
}
