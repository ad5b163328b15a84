//! The incremental scan behind [`Search`](super::Search) and
//! [`FilteredView`](super::FilteredView): walk the store a budget of entries at a
//! time, remember the sequence numbers that matched, keep up with appends and
//! forget what was evicted.

use std::collections::VecDeque;

use super::{EntrySeq, LogEntry, LogStore};

/// The longest one step runs, whatever its entry budget.
const STEP_TIME: std::time::Duration = std::time::Duration::from_millis(8);
/// How many entries are checked between two looks at the clock.
const TIME_CHECK_EVERY: usize = 64;

/// What one `step` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Entries examined by this step (at most the budget).
    pub examined: usize,
    /// Entries kept by the store that are still to examine.
    pub remaining: u64,
    /// Whether every entry kept by the store has been examined. New entries undo
    /// this: keep stepping while the log grows.
    pub done: bool,
}

/// Matching sequence numbers, oldest first, and where to resume.
#[derive(Debug, Clone, Default)]
pub(super) struct Scan {
    /// The next sequence number to examine.
    next: EntrySeq,
    /// Sequence numbers that matched, ascending.
    matched: VecDeque<EntrySeq>,
}

impl Scan {
    /// Examines up to `budget` entries not yet seen, keeping those for which `keep`
    /// is true, after forgetting matches the store no longer holds.
    pub(super) fn step(
        &mut self,
        store: &LogStore,
        budget: usize,
        mut keep: impl FnMut(&LogEntry) -> bool,
    ) -> Progress {
        self.forget_evicted(store);
        // Big payloads (or a costly regex) make entries slow to check: a step also
        // ends after STEP_TIME, so input is never starved whatever the budget.
        let deadline = std::time::Instant::now() + STEP_TIME;
        let mut examined: usize = 0;
        for (seq, entry) in store.window(self.next, budget) {
            examined += 1;
            self.next = seq + 1;
            if keep(entry) {
                self.matched.push_back(seq);
            }
            if examined.is_multiple_of(TIME_CHECK_EVERY) && std::time::Instant::now() >= deadline {
                break;
            }
        }
        self.progress(store, examined)
    }

    /// Marks every entry kept by the store as examined without looking at it.
    pub(super) fn skip_to_end(&mut self, store: &LogStore) -> Progress {
        self.forget_evicted(store);
        self.next = self.next.max(store.end_seq());
        self.progress(store, 0)
    }

    fn forget_evicted(&mut self, store: &LogStore) {
        let first = store.first_seq();
        self.next = self.next.max(first);
        let dead = self.matched.partition_point(|&seq| seq < first);
        self.matched.drain(..dead);
    }

    /// Entries kept by `store` not examined yet (without stepping).
    pub(super) fn remaining(&self, store: &LogStore) -> u64 {
        store
            .end_seq()
            .saturating_sub(self.next.max(store.first_seq()))
    }

    fn progress(&self, store: &LogStore, examined: usize) -> Progress {
        let remaining = self.remaining(store);
        Progress {
            examined,
            remaining,
            done: remaining == 0,
        }
    }

    /// The matches, ascending.
    pub(super) fn matched(&self) -> &VecDeque<EntrySeq> {
        &self.matched
    }

    /// The first match after `seq`.
    pub(super) fn next_after(&self, seq: EntrySeq) -> Option<EntrySeq> {
        let index = self.matched.partition_point(|&hit| hit <= seq);
        self.matched.get(index).copied()
    }

    /// The last match before `seq`.
    pub(super) fn previous_before(&self, seq: EntrySeq) -> Option<EntrySeq> {
        let index = self.matched.partition_point(|&hit| hit < seq);
        self.matched.get(index.checked_sub(1)?).copied()
    }
}
