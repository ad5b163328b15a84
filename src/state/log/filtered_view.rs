//! A filtered view of a [`LogStore`], built incrementally: the sequence numbers of
//! the entries a [`Filter`] keeps, so the log pane can count, index and scroll a
//! filtered log of a million entries without rescanning it.

use super::filter::Filter;
use super::scan::{Progress, Scan};
use super::{EntrySeq, LogEntry, LogStore};

/// The entries of a store that a filter keeps, in order. Call
/// [`FilteredView::step`] between input events until [`Progress::done`], and after
/// entries are appended; entries the store evicted leave the view on the next step
/// (a step with budget 0 only does that), so call it before reading after a push.
///
/// Indexes count visible entries from the oldest kept one, so they shift when the
/// store evicts: anchor a scroll position to an [`EntrySeq`] and find its index
/// again with [`FilteredView::index_of`]. A new filter means a new view. When the
/// filter [keeps everything](Filter::is_everything), the pane can skip the view
/// and read the store directly.
#[derive(Debug, Clone)]
pub struct FilteredView {
    filter: Filter,
    scan: Scan,
}

impl FilteredView {
    /// A view that has examined nothing yet.
    pub fn new(filter: Filter) -> Self {
        FilteredView {
            filter,
            scan: Scan::default(),
        }
    }

    /// The filter this view applies.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Examines more entries of `store`: up to `budget` of them, fewer when each is
    /// dearer to test ([`Filter::entry_cost`]).
    pub fn step(&mut self, store: &LogStore, budget: usize) -> Progress {
        let filter = &self.filter;
        // A budget counts plain entries: a jq condition makes each one dearer.
        let budget = match budget {
            0 => 0,
            budget => budget.div_ceil(filter.entry_cost()),
        };
        self.scan.step(store, budget, |entry| filter.matches(entry))
    }

    /// How many entries of `store` are still to examine: the view is complete when
    /// this is 0. Costs O(1) and examines nothing.
    pub fn remaining(&self, store: &LogStore) -> u64 {
        self.scan.remaining(store)
    }

    /// How many entries are visible (found so far).
    pub fn len(&self) -> usize {
        self.scan.matched().len()
    }

    /// Whether no entry is visible (found so far).
    pub fn is_empty(&self) -> bool {
        self.scan.matched().is_empty()
    }

    /// The sequence number of the `index`-th visible entry, oldest first.
    pub fn get(&self, index: usize) -> Option<EntrySeq> {
        self.scan.matched().get(index).copied()
    }

    /// The index of the visible entry `seq`: `Ok` if it is visible, otherwise `Err`
    /// with the index of the first visible entry after it (to keep a scroll anchor
    /// when the entry it was on is filtered out).
    pub fn index_of(&self, seq: EntrySeq) -> Result<usize, usize> {
        self.scan.matched().binary_search(&seq)
    }

    /// Up to `rows` visible entries from index `start` on, with their index and
    /// sequence number. Costs O(rows). Entries evicted since the last step are
    /// skipped.
    pub fn window<'a>(
        &'a self,
        store: &'a LogStore,
        start: usize,
        rows: usize,
    ) -> impl Iterator<Item = (usize, EntrySeq, &'a LogEntry)> {
        let matched = self.scan.matched();
        let start = start.min(matched.len());
        let end = start.saturating_add(rows).min(matched.len());
        matched
            .range(start..end)
            .enumerate()
            .filter_map(move |(offset, &seq)| Some((start + offset, seq, store.get(seq)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Direction;
    use crate::state::log::testing::{text_in, text_out};
    use crate::state::log::{KindSet, SystemLevel};

    fn incoming() -> FilteredView {
        FilteredView::new(Filter::default().with_direction(Some(Direction::Incoming)))
    }

    fn visible(view: &FilteredView) -> Vec<EntrySeq> {
        (0..view.len())
            .filter_map(|index| view.get(index))
            .collect()
    }

    fn step_until_done(view: &mut FilteredView, store: &LogStore, budget: usize) {
        while !view.step(store, budget).done {}
    }

    #[test]
    fn counts_and_indexes_visible_entries() {
        let mut store = LogStore::new(100);
        for i in 0..10 {
            store.push(if i % 2 == 0 {
                text_in("in")
            } else {
                text_out("out")
            });
        }
        let mut view = incoming();
        assert!(view.is_empty());
        let progress = view.step(&store, 3);
        assert_eq!(
            (progress.examined, progress.remaining, view.len()),
            (3, 7, 2)
        );
        assert_eq!(view.remaining(&store), 7);
        step_until_done(&mut view, &store, 3);
        assert_eq!(view.remaining(&store), 0);
        assert_eq!(visible(&view), [0, 2, 4, 6, 8]);
        assert_eq!(view.get(5), None);
        assert_eq!(view.index_of(4), Ok(2));
        assert_eq!(view.index_of(5), Err(3));
        assert_eq!(view.index_of(99), Err(5));
    }

    #[test]
    fn keeps_up_with_appends_and_evictions() {
        let mut store = LogStore::new(6);
        let mut view = incoming();
        for i in 0..6 {
            store.push(if i < 3 {
                text_in("in")
            } else {
                text_out("out")
            });
        }
        step_until_done(&mut view, &store, 2);
        assert_eq!(visible(&view), [0, 1, 2]);

        // Two appends evict seqs 0 and 1; the next step drops them and adds seq 7.
        store.push(text_out("out"));
        store.push(text_in("in"));
        assert_eq!(view.remaining(&store), 2);
        let progress = view.step(&store, 1);
        assert_eq!((progress.examined, progress.done), (1, false));
        assert_eq!(visible(&view), [2]);
        step_until_done(&mut view, &store, 1);
        assert_eq!(visible(&view), [2, 7]);
        assert_eq!(view.index_of(7), Ok(1));

        // Everything visible is evicted; the view empties, then fills again.
        for _ in 0..6 {
            store.push(text_out("out"));
        }
        view.step(&store, 0);
        assert!(view.is_empty());
        store.push(text_in("in"));
        step_until_done(&mut view, &store, 100);
        assert_eq!(visible(&view), [14]);
    }

    #[test]
    fn windows_return_index_seq_and_entry() {
        let mut store = LogStore::new(100);
        store.push(LogEntry::system(SystemLevel::Info, "connected"));
        for i in 0..8 {
            store.push(if i % 4 == 0 {
                text_out("ping")
            } else {
                text_in("tick")
            });
        }
        let mut view = FilteredView::new(
            Filter::default()
                .with_kinds(KindSet::DATA)
                .with_text("TICK", false)
                .with_system(false),
        );
        step_until_done(&mut view, &store, 4);
        assert_eq!(view.len(), 6);
        let rows: Vec<(usize, EntrySeq)> = view
            .window(&store, 4, 10)
            .map(|(index, seq, _)| (index, seq))
            .collect();
        assert_eq!(rows, [(4, 7), (5, 8)]);
        assert!(
            view.window(&store, 1, 2)
                .all(|(_, _, entry)| view.filter().matches(entry))
        );
        assert_eq!(view.window(&store, 6, 10).count(), 0);
        assert_eq!(view.window(&store, usize::MAX, usize::MAX).count(), 0);
    }

    #[test]
    fn windows_skip_entries_evicted_since_the_last_step() {
        let mut store = LogStore::new(3);
        for _ in 0..3 {
            store.push(text_in("in"));
        }
        let mut view = incoming();
        step_until_done(&mut view, &store, 10);
        store.push(text_out("out"));
        let seqs: Vec<EntrySeq> = view.window(&store, 0, 3).map(|(_, seq, _)| seq).collect();
        assert_eq!(seqs, [1, 2]);
    }

    #[test]
    fn a_cleared_store_empties_the_view() {
        let mut store = LogStore::new(10);
        store.push(text_in("in"));
        let mut view = incoming();
        step_until_done(&mut view, &store, 10);
        store.clear();
        assert!(view.step(&store, 10).done);
        assert!(view.is_empty());
    }
}
