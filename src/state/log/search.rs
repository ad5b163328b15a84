//! Incremental search over a [`LogStore`]: the hits of one query, found a budget of
//! entries at a time so the UI stays responsive on a log of a million entries.

use super::matcher::Matcher;
use super::scan::{Progress, Scan};
use super::{EntrySeq, LogStore};

/// The hits of one query. Call [`Search::step`] between input events until
/// [`Progress::done`], and again after entries are appended: each step examines
/// at most `budget` entries, oldest first, then the new ones. Hits are sequence
/// numbers in ascending order; hits the store evicted are dropped on the next step
/// (a step with budget 0 only does that).
///
/// Navigation does not wrap: [`Search::next_hit`] past the last hit is `None`, and
/// the caller wraps with [`Search::first_hit`] if it wants to (like `less` and vim).
/// An empty query has no hits.
#[derive(Debug, Clone)]
pub struct Search {
    matcher: Matcher,
    scan: Scan,
}

impl Search {
    /// A substring search for `query` that has examined nothing yet. Matching
    /// rules: [`Pattern`](super::Pattern).
    pub fn new(query: &str, case_sensitive: bool) -> Self {
        Search::with_matcher(Matcher::substring(query, case_sensitive))
    }

    /// A search with any matcher (say, a regular expression) that has examined
    /// nothing yet.
    pub fn with_matcher(matcher: Matcher) -> Self {
        Search {
            matcher,
            scan: Scan::default(),
        }
    }

    /// The compiled query (for highlighting hits with [`Matcher::find_iter`]).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Examines up to `budget` more entries of `store`.
    pub fn step(&mut self, store: &LogStore, budget: usize) -> Progress {
        if self.matcher.is_empty() {
            return self.scan.skip_to_end(store);
        }
        let matcher = &self.matcher;
        self.scan
            .step(store, budget, |entry| matcher.matches_entry(entry))
    }

    /// How many hits so far.
    pub fn hit_count(&self) -> usize {
        self.scan.matched().len()
    }

    /// The hits so far, oldest first.
    pub fn hits(&self) -> impl DoubleEndedIterator<Item = EntrySeq> + ExactSizeIterator {
        self.scan.matched().iter().copied()
    }

    /// The oldest hit.
    pub fn first_hit(&self) -> Option<EntrySeq> {
        self.scan.matched().front().copied()
    }

    /// The newest hit.
    pub fn last_hit(&self) -> Option<EntrySeq> {
        self.scan.matched().back().copied()
    }

    /// The first hit after `after` (not wrapping).
    pub fn next_hit(&self, after: EntrySeq) -> Option<EntrySeq> {
        self.scan.next_after(after)
    }

    /// The last hit before `before` (not wrapping).
    pub fn previous_hit(&self, before: EntrySeq) -> Option<EntrySeq> {
        self.scan.previous_before(before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Direction, FrameKind};
    use crate::state::log::testing::{frame, text_in, text_out};
    use crate::state::log::{LogEntry, SystemLevel};

    /// Steps with `budget` until done; returns how many steps it took.
    fn run(search: &mut Search, store: &LogStore, budget: usize) -> usize {
        let mut steps = 0;
        loop {
            steps += 1;
            let progress = search.step(store, budget);
            assert!(progress.examined <= budget);
            if progress.done {
                return steps;
            }
            assert!(steps < 10_000, "search never finished");
        }
    }

    fn store_of(lines: &[&str]) -> LogStore {
        let mut store = LogStore::new(1000);
        for line in lines {
            store.push(text_in(line));
        }
        store
    }

    fn hits(search: &Search) -> Vec<EntrySeq> {
        search.hits().collect()
    }

    #[test]
    fn finds_hits_across_small_steps() {
        let lines: Vec<String> = (0..20)
            .map(|i| {
                if i % 3 == 0 {
                    format!("hit {i}")
                } else {
                    format!("miss {i}")
                }
            })
            .collect();
        let store = store_of(&lines.iter().map(String::as_str).collect::<Vec<_>>());
        let mut search = Search::new("hit", true);
        let first = search.step(&store, 2);
        assert_eq!(
            (first.examined, first.remaining, first.done),
            (2, 18, false)
        );
        assert_eq!(hits(&search), [0]);
        let steps = run(&mut search, &store, 2);
        assert_eq!(steps, 9);
        assert_eq!(hits(&search), [0, 3, 6, 9, 12, 15, 18]);
        assert_eq!(search.hit_count(), 7);
        // Nothing new: a further step examines nothing.
        assert_eq!(search.step(&store, 5).examined, 0);
    }

    #[test]
    fn searches_entries_appended_later() {
        let mut store = store_of(&["a needle", "hay"]);
        let mut search = Search::new("needle", true);
        run(&mut search, &store, 10);
        assert_eq!(hits(&search), [0]);
        store.push(text_out("another needle"));
        store.push(LogEntry::system(
            SystemLevel::Warning,
            "needle in a system line",
        ));
        let progress = search.step(&store, 1);
        assert_eq!((progress.examined, progress.done), (1, false));
        run(&mut search, &store, 1);
        assert_eq!(hits(&search), [0, 2, 3]);
    }

    #[test]
    fn forgets_evicted_hits() {
        let mut store = LogStore::new(4);
        for line in ["x1", "y", "x2", "y"] {
            store.push(text_in(line));
        }
        let mut search = Search::new("x", true);
        run(&mut search, &store, 100);
        assert_eq!(hits(&search), [0, 2]);
        store.push(text_in("x3"));
        store.push(text_in("y"));
        store.push(text_in("y"));
        // Not yet stepped: the evicted hit is still listed; a zero-budget step drops it.
        assert_eq!(search.hit_count(), 2);
        let progress = search.step(&store, 0);
        assert_eq!((progress.examined, progress.remaining), (0, 3));
        assert_eq!(search.hit_count(), 0);
        run(&mut search, &store, 100);
        assert_eq!(hits(&search), [4]);
        assert_eq!(search.first_hit(), Some(4));
    }

    #[test]
    fn resumes_at_the_oldest_entry_when_its_position_was_evicted() {
        let mut store = LogStore::new(3);
        for line in ["x0", "x1", "x2"] {
            store.push(text_in(line));
        }
        let mut search = Search::new("x", true);
        search.step(&store, 1);
        for line in ["x3", "x4", "x5"] {
            store.push(text_in(line));
        }
        run(&mut search, &store, 1);
        assert_eq!(hits(&search), [3, 4, 5]);
    }

    #[test]
    fn clear_forgets_everything() {
        let mut store = store_of(&["x", "x"]);
        let mut search = Search::new("x", true);
        run(&mut search, &store, 10);
        store.clear();
        assert!(search.step(&store, 10).done);
        assert_eq!(search.hit_count(), 0);
        store.push(text_in("x again"));
        run(&mut search, &store, 10);
        assert_eq!(hits(&search), [2]);
    }

    #[test]
    fn next_and_previous_hits_do_not_wrap() {
        let store = store_of(&["hit", "-", "hit", "-", "-", "hit"]);
        let mut search = Search::new("hit", true);
        run(&mut search, &store, 3);
        assert_eq!(search.next_hit(0), Some(2));
        assert_eq!(search.next_hit(1), Some(2));
        assert_eq!(search.next_hit(2), Some(5));
        assert_eq!(search.next_hit(5), None);
        assert_eq!(search.previous_hit(5), Some(2));
        assert_eq!(search.previous_hit(3), Some(2));
        assert_eq!(search.previous_hit(0), None);
        assert_eq!((search.first_hit(), search.last_hit()), (Some(0), Some(5)));
        // Wrapping is the caller's choice.
        assert_eq!(search.next_hit(5).or(search.first_hit()), Some(0));
    }

    #[test]
    fn case_insensitive_search_on_ascii_and_non_ascii_text() {
        let store = store_of(&[
            r#"{"Type":"PING"}"#,
            r#"{"type":"pong"}"#,
            "Überweisung bestätigt",
            "ÜBERWEISUNG ABGELEHNT",
            "uberweisung",
        ]);
        let mut search = Search::new("ping", false);
        run(&mut search, &store, 2);
        assert_eq!(hits(&search), [0]);
        let mut search = Search::new("TYPE", false);
        run(&mut search, &store, 2);
        assert_eq!(hits(&search), [0, 1]);
        let mut search = Search::new("überweisung", false);
        run(&mut search, &store, 2);
        assert_eq!(hits(&search), [2, 3]);
        let mut search = Search::new("Überweisung", true);
        run(&mut search, &store, 2);
        assert_eq!(hits(&search), [2]);
    }

    #[test]
    fn binary_frames_match_on_hex() {
        let mut store = LogStore::new(10);
        store.push(frame(
            Direction::Incoming,
            FrameKind::Binary,
            vec![1, 0xca, 0xfe],
        ));
        store.push(text_in("cafe"));
        let mut search = Search::new("CA FE", false);
        run(&mut search, &store, 10);
        assert_eq!(hits(&search), [0]);
    }

    #[test]
    fn regex_searches_find_and_walk_hits() {
        let store = store_of(&[
            r#"{"seq":1}"#,
            r#"{"seq":"x"}"#,
            "seq: 22",
            r#"{"Seq":333}"#,
        ]);
        let matcher = Matcher::regex(r#"seq":\d+"#).unwrap();
        let mut search = Search::with_matcher(matcher.clone());
        run(&mut search, &store, 1);
        assert_eq!(hits(&search), [0, 3]);
        assert_eq!(search.matcher(), &matcher);
        assert_eq!(search.next_hit(0), Some(3));
        assert_eq!(search.previous_hit(3), Some(0));
    }

    #[test]
    fn an_empty_query_has_no_hits() {
        let store = store_of(&["a", "b"]);
        let mut search = Search::new("", false);
        let progress = search.step(&store, 1);
        assert!(progress.done);
        assert_eq!(search.hit_count(), 0);
    }
}
