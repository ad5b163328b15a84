//! Builders shared by the unit tests of the log, its views and the inspector.

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::{EntrySeq, LogEntry};
use crate::session::{Direction, Frame, FrameKind};

/// A frame entry as the unit tests of the log and its views use it: id 42, at
/// 01:02:03.456 UTC on the epoch's day, a close frame carrying code 1006.
pub fn frame(direction: Direction, kind: FrameKind, payload: impl Into<Bytes>) -> LogEntry {
    let payload: Bytes = payload.into();
    LogEntry::Frame(Frame {
        id: 42,
        direction,
        kind,
        wire_len: payload.len() as u32,
        payload,
        timestamp: SystemTime::UNIX_EPOCH + Duration::from_millis(3_723_456),
        close_code: (kind == FrameKind::Close).then_some(1006),
        decoded: None,
    })
}

/// An incoming text frame.
pub fn text_in(text: &str) -> LogEntry {
    frame(Direction::Incoming, FrameKind::Text, text.to_owned())
}

/// An outgoing text frame.
pub fn text_out(text: &str) -> LogEntry {
    frame(Direction::Outgoing, FrameKind::Text, text.to_owned())
}

/// The sequence numbers of a window.
pub fn seqs<'a>(entries: impl Iterator<Item = (EntrySeq, &'a LogEntry)>) -> Vec<EntrySeq> {
    entries.map(|(seq, _)| seq).collect()
}
