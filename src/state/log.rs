//! The message log behind the TUI's log pane: every frame and system line, in a
//! bounded ring, plus incremental search and filtering over it. No ratatui here.
//!
//! - [`LogStore`] keeps the newest `capacity` entries (default [`DEFAULT_CAPACITY`]).
//!   Appending is O(1); when full, the oldest entry is dropped and counted
//!   ([`LogStore::evicted`]). Every entry gets an [`EntrySeq`] that never changes and
//!   is never reused, so scroll positions and search hits survive eviction.
//! - [`LogStore::window`] hands out the rows on screen and touches nothing else, so a
//!   draw costs the same with 100 or 1 000 000 entries.
//! - [`Search`] and [`FilteredView`] never scan on the draw path: `update` calls their
//!   `step(store, budget)` with a budget of entries (for example
//!   [`DEFAULT_STEP_BUDGET`]) between input events until [`Progress::done`]; later
//!   steps pick up appended entries and forget evicted ones.
//! - What a query matches (payload bytes, case folding, hex for binary frames) is
//!   described in one place: [`Pattern`]; a search may use a regular expression
//!   instead ([`Matcher`]).

mod filter;
mod filtered_view;
mod matcher;
mod pattern;
mod projection;
mod scan;
mod search;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::VecDeque;
use std::time::SystemTime;

use crate::session::Frame;

pub use filter::{Filter, JQ_ENTRY_COST, JqCondition, KindSet};
pub use filtered_view::FilteredView;
pub use matcher::Matcher;
pub use pattern::Pattern;
pub use projection::{Projected, Projection};
pub use scan::Progress;
pub use search::Search;

/// How many entries a log keeps unless configured otherwise.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// A step budget that keeps one step of search or filtering to about a millisecond
/// on typical payloads (see `benches/log_store.rs`), short enough to run between
/// input events.
pub const DEFAULT_STEP_BUDGET: usize = 20_000;

/// Stable position of an entry: its sequence number since the log was created
/// (never reused; survives eviction and [`LogStore::clear`]).
pub type EntrySeq = u64;

/// How a system line is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemLevel {
    /// Normal progress: connected, auth ok, reconnecting in 2.1 s.
    Info,
    /// Something the user should notice: closed 1006, message queued.
    Warning,
    /// A failure: connection refused, auth refused.
    Error,
}

impl SystemLevel {
    /// The level a recording names (`info`, `warning`, `error`; anything else is
    /// `info`).
    pub fn named(name: &str) -> Self {
        match name {
            "warning" => SystemLevel::Warning,
            "error" => SystemLevel::Error,
            _ => SystemLevel::Info,
        }
    }

    /// Its name in a recording.
    pub fn name(self) -> &'static str {
        match self {
            SystemLevel::Info => "info",
            SystemLevel::Warning => "warning",
            SystemLevel::Error => "error",
        }
    }
}

/// One line of the log: a frame, or a system line about the connection.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEntry {
    /// A frame sent or received.
    Frame(Frame),
    /// A line from wsdeck itself (connected, closed 1006, reconnecting in 2.1 s…).
    System {
        /// When it happened.
        timestamp: SystemTime,
        /// How it is shown.
        level: SystemLevel,
        /// What to show.
        text: String,
    },
}

impl LogEntry {
    /// A system line stamped now.
    pub fn system(level: SystemLevel, text: impl Into<String>) -> Self {
        LogEntry::System {
            timestamp: SystemTime::now(),
            level,
            text: text.into(),
        }
    }

    /// When the frame travelled or the system line was written.
    pub fn timestamp(&self) -> SystemTime {
        match self {
            LogEntry::Frame(frame) => frame.timestamp,
            LogEntry::System { timestamp, .. } => *timestamp,
        }
    }

    /// The frame, if this entry is one.
    pub fn frame(&self) -> Option<&Frame> {
        match self {
            LogEntry::Frame(frame) => Some(frame),
            LogEntry::System { .. } => None,
        }
    }

    /// Heap bytes held besides the entry itself (payload or text), approximately:
    /// a payload sharing a larger buffer counts only its own length.
    fn heap_bytes(&self) -> usize {
        match self {
            LogEntry::Frame(frame) => frame.payload.len(),
            LogEntry::System { text, .. } => text.capacity(),
        }
    }
}

impl From<Frame> for LogEntry {
    fn from(frame: Frame) -> Self {
        LogEntry::Frame(frame)
    }
}

/// The bounded log: a ring of the newest entries, addressed by [`EntrySeq`].
/// Entries kept are the sequence numbers `first_seq()..end_seq()`.
#[derive(Debug, Clone)]
pub struct LogStore {
    entries: VecDeque<LogEntry>,
    capacity: usize,
    first_seq: EntrySeq,
    evicted: u64,
    heap_bytes: usize,
}

impl Default for LogStore {
    fn default() -> Self {
        LogStore::new(DEFAULT_CAPACITY)
    }
}

/// Payloads up to this size are copied into their own allocation when logged (see
/// [`LogStore::push`]); larger ones are kept as received.
pub const COMPACT_BELOW: usize = 64 * 1024;

/// The most entries [`LogStore::new`] reserves room for up front; a larger capacity
/// grows past it as needed.
pub const RESERVE_LIMIT: usize = 4 << 20;

impl LogStore {
    /// An empty log keeping at most `capacity` entries (at least one). The ring is
    /// reserved for the whole capacity (up to [`RESERVE_LIMIT`] entries) at once: the
    /// address space is taken but pages become resident only as entries arrive, and
    /// growing by doubling would hold the old and the new ring at the same time (a
    /// third more peak memory at 1 000 000 entries).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        LogStore {
            entries: VecDeque::with_capacity(capacity.min(RESERVE_LIMIT)),
            capacity,
            first_seq: 0,
            evicted: 0,
            heap_bytes: 0,
        }
    }

    /// Appends an entry, dropping the oldest when full; returns the new entry's
    /// sequence number. O(1) amortised.
    pub fn push(&mut self, entry: impl Into<LogEntry>) -> EntrySeq {
        if self.entries.len() == self.capacity {
            if let Some(oldest) = self.entries.pop_front() {
                self.heap_bytes -= oldest.heap_bytes();
            }
            self.first_seq += 1;
            self.evicted += 1;
        }
        let mut entry = entry.into();
        if let LogEntry::Frame(frame) = &mut entry
            && frame.payload.len() <= COMPACT_BELOW
        {
            // A received payload is a slice of the socket's read buffer, which stays
            // allocated while any slice of it lives; a log holding many of them would
            // hold whole buffers. Small payloads get their own exact allocation.
            frame.payload = bytes::Bytes::copy_from_slice(&frame.payload);
        }
        self.heap_bytes += entry.heap_bytes();
        self.entries.push_back(entry);
        self.end_seq() - 1
    }

    /// How many entries are kept now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The most entries kept at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries were dropped because the log was full ([`LogStore::clear`]
    /// does not count): the "N older messages dropped" line.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Sequence number of the oldest entry kept (equals `end_seq()` when empty).
    pub fn first_seq(&self) -> EntrySeq {
        self.first_seq
    }

    /// Sequence number the next pushed entry will get.
    pub fn end_seq(&self) -> EntrySeq {
        self.first_seq + self.entries.len() as u64
    }

    /// The entry with this sequence number, unless evicted, cleared or not yet pushed.
    pub fn get(&self, seq: EntrySeq) -> Option<&LogEntry> {
        let index = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.entries.get(index)
    }

    /// Up to `rows` entries from `start` on, oldest first. A `start` that was evicted
    /// begins at the oldest entry kept; one at or past `end_seq()` yields nothing.
    /// Costs O(rows), whatever the log size.
    pub fn window(
        &self,
        start: EntrySeq,
        rows: usize,
    ) -> impl DoubleEndedIterator<Item = (EntrySeq, &LogEntry)> + ExactSizeIterator {
        let start = start.clamp(self.first_seq, self.end_seq());
        // Fits: start - first_seq <= len.
        let from = (start - self.first_seq) as usize;
        let to = from.saturating_add(rows).min(self.entries.len());
        self.entries
            .range(from..to)
            .enumerate()
            .map(move |(offset, entry)| (start + offset as u64, entry))
    }

    /// Where a window of `rows` must start to end at the newest entry (follow mode).
    pub fn tail_start(&self, rows: usize) -> EntrySeq {
        self.end_seq()
            .saturating_sub(rows as u64)
            .max(self.first_seq)
    }

    /// Drops every entry. Sequence numbers go on from where they were, so searches
    /// and views forget the old entries on their next step.
    pub fn clear(&mut self) {
        self.first_seq = self.end_seq();
        self.entries.clear();
        self.heap_bytes = 0;
    }

    /// Approximate memory held: the ring's slots plus payload and text bytes
    /// (allocator overhead not included).
    pub fn approx_memory_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<LogEntry>() + self.heap_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{seqs, text_in};
    use super::*;

    fn texts<'a>(entries: impl Iterator<Item = (EntrySeq, &'a LogEntry)>) -> Vec<String> {
        entries
            .map(|(_, entry)| match entry {
                LogEntry::Frame(frame) => frame.text().unwrap_or_default().to_owned(),
                LogEntry::System { text, .. } => text.clone(),
            })
            .collect()
    }

    #[test]
    fn small_payloads_stop_sharing_the_read_buffer() {
        let read_buffer = bytes::Bytes::from(vec![b'x'; 128 * 1024]);
        let slice = read_buffer.slice(10..110);
        let mut store = LogStore::new(4);
        let mut entry = text_in("");
        if let LogEntry::Frame(frame) = &mut entry {
            frame.payload = slice.clone();
        }
        let seq = store.push(entry);
        let kept = &store.get(seq).unwrap().frame().unwrap().payload;
        assert_eq!(kept, &slice);
        let buffer = read_buffer.as_ptr_range();
        assert!(
            !buffer.contains(&kept.as_ptr()),
            "the logged payload still points into the 128 KiB buffer"
        );
    }

    fn filled(capacity: usize, count: usize) -> LogStore {
        let mut store = LogStore::new(capacity);
        for i in 0..count {
            store.push(text_in(&format!("m{i}")));
        }
        store
    }

    #[test]
    fn push_numbers_entries_from_zero() {
        let mut store = LogStore::new(10);
        assert!(store.is_empty());
        assert_eq!(store.push(text_in("a")), 0);
        assert_eq!(
            store.push(LogEntry::system(SystemLevel::Info, "connected")),
            1
        );
        assert_eq!((store.len(), store.first_seq(), store.end_seq()), (2, 0, 2));
        assert!(matches!(store.get(1), Some(LogEntry::System { text, .. }) if text == "connected"));
        assert_eq!(store.get(2), None);
    }

    #[test]
    fn eviction_keeps_the_newest_and_counts_the_dropped() {
        let store = filled(3, 5);
        assert_eq!((store.len(), store.capacity(), store.evicted()), (3, 3, 2));
        assert_eq!(texts(store.window(0, 10)), ["m2", "m3", "m4"]);
        assert_eq!((store.first_seq(), store.end_seq()), (2, 5));
    }

    #[test]
    fn sequence_numbers_survive_eviction() {
        let mut store = filled(3, 3);
        let before = store.get(2).cloned();
        store.push(text_in("m3"));
        store.push(text_in("m4"));
        assert_eq!(store.get(0), None);
        assert_eq!(store.get(1), None);
        assert_eq!(store.get(2).cloned(), before);
        assert_eq!(texts(store.window(4, 1)), ["m4"]);
    }

    #[test]
    fn zero_capacity_keeps_one_entry() {
        let store = filled(0, 3);
        assert_eq!((store.capacity(), store.len(), store.evicted()), (1, 1, 2));
        assert_eq!(texts(store.window(0, 5)), ["m2"]);
    }

    #[test]
    fn windows_at_the_start_middle_end_and_beyond() {
        let store = filled(100, 10);
        assert_eq!(texts(store.window(0, 3)), ["m0", "m1", "m2"]);
        assert_eq!(texts(store.window(4, 2)), ["m4", "m5"]);
        assert_eq!(texts(store.window(8, 5)), ["m8", "m9"]);
        assert_eq!(store.window(10, 5).count(), 0);
        assert_eq!(store.window(u64::MAX, usize::MAX).count(), 0);
        assert_eq!(store.window(3, 0).count(), 0);
        assert_eq!(seqs(store.window(7, usize::MAX)), [7, 8, 9]);
        assert_eq!(store.window(0, 4).len(), 4);
        assert_eq!(store.window(0, 4).next_back().map(|(seq, _)| seq), Some(3));
    }

    #[test]
    fn windows_starting_before_the_oldest_begin_there() {
        let store = filled(4, 10);
        assert_eq!(seqs(store.window(0, 2)), [6, 7]);
        assert_eq!(store.tail_start(3), 7);
        assert_eq!(store.tail_start(50), 6);
        assert_eq!(seqs(store.window(store.tail_start(3), 3)), [7, 8, 9]);
    }

    #[test]
    fn clear_drops_everything_but_keeps_numbering() {
        let mut store = filled(3, 5);
        store.clear();
        assert!(store.is_empty());
        assert_eq!(
            (store.first_seq(), store.end_seq(), store.evicted()),
            (5, 5, 2)
        );
        assert_eq!(store.window(0, 10).count(), 0);
        assert_eq!(store.push(text_in("after")), 5);
        assert!(store.approx_memory_bytes() >= "after".len());
    }

    #[test]
    fn memory_estimate_follows_payloads() {
        let mut store = LogStore::new(2);
        store.push(text_in(&"x".repeat(1000)));
        store.push(text_in(&"y".repeat(10)));
        store.push(text_in(&"z".repeat(10)));
        let slots = store.entries.capacity() * std::mem::size_of::<LogEntry>();
        assert_eq!(store.approx_memory_bytes(), slots + 20);
    }
}
