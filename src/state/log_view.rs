//! Where the log pane is scrolled to and which entry is selected. Pure state: the
//! log's actions come in through [`LogView::apply`] and wheel steps through
//! [`LogView::scroll`]; the renderer reads
//! [`LogView::first_visible_index`] and [`LogView::selected`].
//!
//! The view works on [`LogRows`]: the rows the pane shows, either every entry of
//! the [`LogStore`] or only those a [`FilteredView`] keeps. Rows are counted by
//! index, but positions are kept as [`EntrySeq`]s, never indexes, so they stay put
//! while the store appends and evicts, while a filter is being built, and when the
//! filter changes: the top row and the selection are found again by sequence
//! number ([`LogRows::index_of`], a binary search) each time they are used. A
//! position on an entry the rows do not show (filtered out, or evicted) stands for
//! the first row after it.

use crate::keymap::LogAction;

use super::log::{EntrySeq, FilteredView, LogEntry, LogStore};

/// Rows assumed until the app reports the pane's height.
const DEFAULT_PAGE_ROWS: u16 = 20;

/// The rows the log pane shows, oldest first: every entry of a store, or the
/// entries of a [`FilteredView`] of it. Cheap to build (one binary search) and to
/// copy; every method costs O(1) or O(log n), whatever the log size.
///
/// A filtered view forgets evicted entries only when stepped; these rows skip
/// them anyway, so they are right right after a push too. Entries the view has
/// not examined yet are not rows until a step finds them.
#[derive(Debug, Clone, Copy)]
pub struct LogRows<'a> {
    store: &'a LogStore,
    filtered: Option<Filtered<'a>>,
}

#[derive(Debug, Clone, Copy)]
struct Filtered<'a> {
    view: &'a FilteredView,
    /// How many of the view's first entries the store has evicted since its last step.
    skip: usize,
}

impl<'a> LogRows<'a> {
    /// Every entry of `store`.
    pub fn all(store: &'a LogStore) -> Self {
        LogRows {
            store,
            filtered: None,
        }
    }

    /// The entries of `store` that `view` keeps (found so far).
    pub fn filtered(store: &'a LogStore, view: &'a FilteredView) -> Self {
        let (Ok(skip) | Err(skip)) = view.index_of(store.first_seq());
        LogRows {
            store,
            filtered: Some(Filtered { view, skip }),
        }
    }

    /// [`LogRows::filtered`] with a view, [`LogRows::all`] without.
    pub fn new(store: &'a LogStore, view: Option<&'a FilteredView>) -> Self {
        match view {
            Some(view) => Self::filtered(store, view),
            None => Self::all(store),
        }
    }

    /// The store the rows come from.
    pub fn store(&self) -> &'a LogStore {
        self.store
    }

    /// The filtered view, when the rows are filtered.
    pub fn view(&self) -> Option<&'a FilteredView> {
        self.filtered.map(|filtered| filtered.view)
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        match self.filtered {
            None => self.store.len(),
            Some(Filtered { view, skip }) => view.len() - skip,
        }
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sequence number of row `index` (0: the oldest).
    pub fn seq_at(&self, index: usize) -> Option<EntrySeq> {
        match self.filtered {
            None => (index < self.store.len()).then(|| self.store.first_seq() + index as u64),
            Some(Filtered { view, skip }) => view.get(skip.checked_add(index)?),
        }
    }

    /// The row of entry `seq`: `Ok` if it is a row, otherwise `Err` with the row
    /// that follows it (`len()` if none does).
    pub fn index_of(&self, seq: EntrySeq) -> Result<usize, usize> {
        match self.filtered {
            None => {
                if seq < self.store.first_seq() {
                    Err(0)
                } else if seq >= self.store.end_seq() {
                    Err(self.store.len())
                } else {
                    // Fits: less than len().
                    Ok((seq - self.store.first_seq()) as usize)
                }
            }
            Some(Filtered { view, skip }) => match view.index_of(seq) {
                Ok(index) if index >= skip => Ok(index - skip),
                Ok(_) => Err(0),
                Err(index) => Err(index.saturating_sub(skip)),
            },
        }
    }

    /// The row of `seq`, or of the first row after it.
    pub fn position(&self, seq: EntrySeq) -> usize {
        let (Ok(index) | Err(index)) = self.index_of(seq);
        index
    }

    /// Whether entry `seq` is a row.
    pub fn contains(&self, seq: EntrySeq) -> bool {
        self.index_of(seq).is_ok()
    }

    /// Up to `count` rows from row `start` on, with their sequence numbers.
    /// Costs O(count).
    pub fn window(
        self,
        start: usize,
        count: usize,
    ) -> impl Iterator<Item = (EntrySeq, &'a LogEntry)> + 'a {
        let end = start.saturating_add(count).min(self.len());
        (start.min(end)..end).filter_map(move |index| {
            let seq = self.seq_at(index)?;
            Some((seq, self.store.get(seq)?))
        })
    }

    /// The newest row's sequence number.
    pub fn last(&self) -> Option<EntrySeq> {
        self.seq_at(self.len().checked_sub(1)?)
    }
}

impl<'a> From<&'a LogStore> for LogRows<'a> {
    fn from(store: &'a LogStore) -> Self {
        LogRows::all(store)
    }
}

impl<'a> From<&'a mut LogStore> for LogRows<'a> {
    fn from(store: &'a mut LogStore) -> Self {
        LogRows::all(store)
    }
}

/// Scroll position and selection of the log pane.
///
/// Following (the default) shows the newest rows as they arrive. Selecting a row
/// or scrolling up stops following; rows that arrive meanwhile are counted as
/// [`LogView::unseen_below`] until the user sees them or presses End. Scrolling
/// back down to the bottom with nothing selected follows again.
///
/// Every method takes the rows shown now ([`LogRows`], or a `&LogStore` for all of
/// them): the same view can be used with a filter, without, or with another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogView {
    follow: bool,
    /// First visible row when not following (or the entry before which it is).
    top: EntrySeq,
    selected: Option<EntrySeq>,
    unseen_below: u64,
    /// Everything before this sequence number has been on screen.
    seen_end: EntrySeq,
    page_rows: u16,
}

/// What a key did to the log pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogViewOutcome {
    /// The key was handled; nothing more to do.
    None,
    /// Open this entry in the inspector.
    Inspect(EntrySeq),
    /// Not a log key; let someone else handle it.
    Ignored,
}

impl Default for LogView {
    fn default() -> Self {
        Self::new()
    }
}

impl LogView {
    /// A view that follows the newest entries.
    pub fn new() -> Self {
        LogView {
            follow: true,
            top: 0,
            selected: None,
            unseen_below: 0,
            seen_end: 0,
            page_rows: DEFAULT_PAGE_ROWS,
        }
    }

    /// The number of entry rows the pane shows (its inner height).
    pub fn set_page_rows(&mut self, rows: u16) {
        self.page_rows = rows.max(1);
    }

    /// The number of entry rows the pane shows.
    pub fn page_rows(&self) -> u16 {
        self.page_rows
    }

    /// Call after the rows changed: entries were appended or evicted (once per
    /// batch is enough), or a filter step found more rows. Counts the unseen rows
    /// when not following, and moves a selection the store evicted to the oldest
    /// entry kept.
    pub fn on_append<'a>(&mut self, rows: impl Into<LogRows<'a>>) {
        let rows = rows.into();
        let store = rows.store();
        self.selected = match self.selected {
            _ if store.is_empty() => None,
            Some(seq) => Some(seq.max(store.first_seq())),
            None => None,
        };
        self.note_seen(&rows);
    }

    /// Handles a key with the default keymap (tests; the app looks keys up in
    /// its keymap and calls [`LogView::apply`]).
    #[cfg(test)]
    pub fn handle_key<'a>(
        &mut self,
        key: ratatui::crossterm::event::KeyEvent,
        rows: impl Into<LogRows<'a>>,
    ) -> LogViewOutcome {
        match crate::keymap::Keymap::defaults().log.action(key) {
            Some(action) => self.apply(action, rows),
            None => LogViewOutcome::Ignored,
        }
    }

    /// Carries out the log actions that move in the log: select up/down (which
    /// stops following), page up/down, first (the oldest row), follow (the
    /// newest again) and inspect (the selected row, or the newest). Other
    /// actions are [`LogViewOutcome::Ignored`], for the app.
    pub fn apply<'a>(&mut self, action: LogAction, rows: impl Into<LogRows<'a>>) -> LogViewOutcome {
        let rows = rows.into();
        let page = self.rows();
        match action {
            LogAction::SelectUp => self.move_selection(-1, &rows),
            LogAction::SelectDown => self.move_selection(1, &rows),
            LogAction::PageUp if self.selected.is_some() => {
                self.set_top(self.top_index(&rows).saturating_sub(page), &rows);
                self.move_selection(-(page as i64), &rows);
            }
            LogAction::PageDown if self.selected.is_some() => {
                self.set_top(self.top_index(&rows).saturating_add(page), &rows);
                self.move_selection(page as i64, &rows);
            }
            LogAction::PageUp => self.scroll(-(page as i64), rows),
            LogAction::PageDown => self.scroll(page as i64, rows),
            LogAction::First => {
                self.leave_follow(&rows);
                self.set_top(0, &rows);
                if self.selected.is_some() {
                    self.selected = rows.seq_at(0).or(self.selected);
                }
            }
            LogAction::Follow => self.resume_follow(&rows),
            LogAction::Inspect => {
                let seq = self
                    .selected
                    .filter(|&seq| rows.contains(seq))
                    .or_else(|| rows.last());
                return seq.map_or(LogViewOutcome::None, LogViewOutcome::Inspect);
            }
            _ => return LogViewOutcome::Ignored,
        }
        LogViewOutcome::None
    }

    /// Scrolls by `delta` rows (negative: up), e.g. for the mouse wheel. The
    /// selection stays where it is.
    pub fn scroll<'a>(&mut self, delta: i64, rows: impl Into<LogRows<'a>>) {
        let rows = rows.into();
        let steps = usize::try_from(delta.unsigned_abs()).unwrap_or(usize::MAX);
        if delta < 0 {
            self.leave_follow(&rows);
            self.set_top(self.top_index(&rows).saturating_sub(steps), &rows);
        } else if delta > 0 && !self.follow {
            self.set_top(self.top_index(&rows).saturating_add(steps), &rows);
            if self.selected.is_none() && self.top_index(&rows) >= self.max_top(&rows) {
                self.resume_follow(&rows);
            }
        }
    }

    /// The index of the first row on screen (the renderer shows `page_rows` rows
    /// from here).
    pub fn first_visible_index<'a>(&self, rows: impl Into<LogRows<'a>>) -> usize {
        self.top_index(&rows.into())
    }

    /// The first entry on screen (with no rows: the store's `end_seq()`).
    pub fn first_visible<'a>(&self, rows: impl Into<LogRows<'a>>) -> EntrySeq {
        let rows = rows.into();
        rows.seq_at(self.top_index(&rows))
            .unwrap_or_else(|| rows.store().end_seq())
    }

    /// The selected entry, if any (it may have been evicted or filtered out since).
    pub fn selected(&self) -> Option<EntrySeq> {
        self.selected
    }

    /// Whether the view shows the newest rows as they arrive.
    pub fn is_following(&self) -> bool {
        self.follow
    }

    /// Rows appended below the screen since the user stopped following.
    pub fn unseen_below(&self) -> u64 {
        self.unseen_below
    }

    /// Selects `seq` (say, a search hit; or the row after it, if it is not a row)
    /// and scrolls it to the middle of the screen unless it is already visible.
    pub fn jump_to<'a>(&mut self, seq: EntrySeq, rows: impl Into<LogRows<'a>>) {
        let rows = rows.into();
        let Some(last) = rows.len().checked_sub(1) else {
            return;
        };
        self.leave_follow(&rows);
        let index = rows.position(seq).min(last);
        self.selected = rows.seq_at(index);
        let page = self.rows();
        let top = self.top_index(&rows);
        if index < top || index >= top + page {
            self.set_top(index.saturating_sub(page / 2), &rows);
        }
    }

    fn rows(&self) -> usize {
        usize::from(self.page_rows.max(1))
    }

    /// The highest first row: the one that puts the newest row at the bottom.
    fn max_top(&self, rows: &LogRows) -> usize {
        rows.len().saturating_sub(self.rows())
    }

    fn top_index(&self, rows: &LogRows) -> usize {
        let max_top = self.max_top(rows);
        if self.follow {
            max_top
        } else {
            rows.position(self.top).min(max_top)
        }
    }

    fn move_selection(&mut self, delta: i64, rows: &LogRows) {
        let Some(newest) = rows.len().checked_sub(1) else {
            return;
        };
        let page = self.rows();
        let top = self.top_index(rows);
        let bottom = (top + page - 1).min(newest);
        self.leave_follow(rows);
        let steps = usize::try_from(delta.unsigned_abs()).unwrap_or(usize::MAX);
        let index = match self.selected.map(|seq| rows.index_of(seq)) {
            None => bottom,
            Some(Ok(index)) if delta < 0 => index.saturating_sub(steps),
            Some(Ok(index)) => index.saturating_add(steps),
            // Not a row (filtered out or evicted): it sits just before row `index`.
            Some(Err(index)) if delta < 0 => index.saturating_sub(steps),
            Some(Err(index)) => index.saturating_add(steps.saturating_sub(1)),
        };
        let index = index.min(newest);
        self.selected = rows.seq_at(index);
        let top = self.top_index(rows);
        if index < top {
            self.set_top(index, rows);
        } else if index >= top + page {
            self.set_top(index + 1 - page, rows);
        }
    }

    fn leave_follow(&mut self, rows: &LogRows) {
        if self.follow {
            self.top = self.first_visible(*rows);
            self.follow = false;
            self.note_seen(rows);
        }
    }

    fn resume_follow(&mut self, rows: &LogRows) {
        self.follow = true;
        self.selected = None;
        self.note_seen(rows);
    }

    /// Moves the top row (clamped to what can be shown) and counts what is seen.
    fn set_top(&mut self, index: usize, rows: &LogRows) {
        let index = index.min(self.max_top(rows));
        self.top = rows.seq_at(index).unwrap_or_else(|| rows.store().end_seq());
        self.note_seen(rows);
    }

    /// Marks the rows on screen as seen and counts the unseen ones below.
    fn note_seen(&mut self, rows: &LogRows) {
        let bottom = (self.top_index(rows) + self.rows()).min(rows.len());
        if let Some(seen) = bottom.checked_sub(1).and_then(|index| rows.seq_at(index)) {
            self.seen_end = self.seen_end.max(seen + 1);
        }
        let unseen = rows.len() - rows.position(self.seen_end).min(rows.len());
        self.unseen_below = unseen as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log::{LogEntry, SystemLevel};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn store(capacity: usize, count: usize) -> LogStore {
        let mut store = LogStore::new(capacity);
        for i in 0..count {
            store.push(LogEntry::system(SystemLevel::Info, format!("line {i}")));
        }
        store
    }

    fn push(store: &mut LogStore, view: &mut LogView, count: usize) {
        for _ in 0..count {
            store.push(LogEntry::system(SystemLevel::Info, "more"));
        }
        view.on_append(store);
    }

    fn key(view: &mut LogView, code: KeyCode, store: &LogStore) -> LogViewOutcome {
        view.handle_key(KeyEvent::from(code), store)
    }

    fn view(rows: u16) -> LogView {
        let mut view = LogView::new();
        view.set_page_rows(rows);
        view
    }

    #[test]
    fn follows_the_tail_until_scrolled_up() {
        let mut s = store(1000, 100);
        let mut v = view(10);
        assert!(v.is_following());
        assert_eq!(v.first_visible(&s), 90);
        push(&mut s, &mut v, 5);
        assert_eq!((v.first_visible(&s), v.unseen_below()), (95, 0));
        v.scroll(-3, &s);
        assert!(!v.is_following());
        assert_eq!(v.first_visible(&s), 92);
        push(&mut s, &mut v, 4);
        assert_eq!((v.first_visible(&s), v.unseen_below()), (92, 4));
        // Scrolling down counts them as seen once they were on screen.
        v.scroll(2, &s);
        assert_eq!((v.first_visible(&s), v.unseen_below()), (94, 4));
        v.scroll(4, &s);
        assert_eq!((v.first_visible(&s), v.unseen_below()), (98, 1));
        // Reaching the bottom follows again.
        v.scroll(50, &s);
        assert!(v.is_following());
        assert_eq!((v.first_visible(&s), v.unseen_below()), (99, 0));
    }

    #[test]
    fn end_resumes_following_and_clears_the_counter() {
        let mut s = store(1000, 50);
        let mut v = view(10);
        assert_eq!(key(&mut v, KeyCode::Up, &s), LogViewOutcome::None);
        assert_eq!(v.selected(), Some(49));
        assert!(!v.is_following());
        push(&mut s, &mut v, 7);
        assert_eq!(v.unseen_below(), 7);
        assert_eq!(key(&mut v, KeyCode::Char('G'), &s), LogViewOutcome::None);
        assert!(v.is_following());
        assert_eq!((v.unseen_below(), v.selected()), (0, None));
        push(&mut s, &mut v, 3);
        assert_eq!((v.first_visible(&s), v.unseen_below()), (50, 0));
    }

    #[test]
    fn selection_stays_in_bounds_and_on_screen() {
        let s = store(1000, 30);
        let mut v = view(5);
        key(&mut v, KeyCode::Down, &s);
        assert_eq!(v.selected(), Some(29));
        key(&mut v, KeyCode::Char('j'), &s);
        assert_eq!(v.selected(), Some(29));
        for _ in 0..7 {
            key(&mut v, KeyCode::Char('k'), &s);
        }
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(22), 22));
        key(&mut v, KeyCode::Home, &s);
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(0), 0));
        key(&mut v, KeyCode::Up, &s);
        assert_eq!(v.selected(), Some(0));
        assert_eq!(key(&mut v, KeyCode::Enter, &s), LogViewOutcome::Inspect(0));
        assert_eq!(key(&mut v, KeyCode::Char('x'), &s), LogViewOutcome::Ignored);
        let ctrl_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(v.handle_key(ctrl_k, &s), LogViewOutcome::Ignored);
    }

    #[test]
    fn page_keys_move_a_page() {
        let s = store(1000, 100);
        let mut v = view(10);
        key(&mut v, KeyCode::PageUp, &s);
        assert_eq!(v.first_visible(&s), 80);
        key(&mut v, KeyCode::PageUp, &s);
        assert_eq!(v.first_visible(&s), 70);
        key(&mut v, KeyCode::PageDown, &s);
        assert_eq!(v.first_visible(&s), 80);
        assert!(!v.is_following());
        key(&mut v, KeyCode::PageDown, &s);
        assert!(v.is_following());
        // With a selection, the selection moves along.
        key(&mut v, KeyCode::Up, &s);
        key(&mut v, KeyCode::PageUp, &s);
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(89), 80));
        key(&mut v, KeyCode::PageDown, &s);
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(99), 90));
        assert!(!v.is_following());
    }

    #[test]
    fn eviction_keeps_positions_valid() {
        let mut s = store(20, 20);
        let mut v = view(5);
        key(&mut v, KeyCode::Home, &s);
        key(&mut v, KeyCode::Down, &s);
        assert_eq!(v.selected(), Some(4));
        push(&mut s, &mut v, 10);
        assert_eq!(s.first_seq(), 10);
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(10), 10));
        assert_eq!(key(&mut v, KeyCode::Enter, &s), LogViewOutcome::Inspect(10));
        assert_eq!(v.unseen_below(), 10);
        s.clear();
        v.on_append(&s);
        assert_eq!(v.selected(), None);
        assert_eq!(key(&mut v, KeyCode::Enter, &s), LogViewOutcome::None);
        key(&mut v, KeyCode::Up, &s);
        assert_eq!(v.selected(), None);
    }

    #[test]
    fn jump_to_selects_and_centres() {
        let s = store(1000, 100);
        let mut v = view(10);
        v.jump_to(40, &s);
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(40), 35));
        v.jump_to(42, &s);
        assert_eq!(v.first_visible(&s), 35);
        v.jump_to(1000, &s);
        assert_eq!((v.selected(), v.first_visible(&s)), (Some(99), 90));
        assert_eq!(key(&mut v, KeyCode::Enter, &s), LogViewOutcome::Inspect(99));
    }

    #[test]
    fn short_logs_and_enter_on_newest() {
        let mut s = store(1000, 3);
        let mut v = view(10);
        assert_eq!(v.first_visible(&s), 0);
        assert_eq!(key(&mut v, KeyCode::Enter, &s), LogViewOutcome::Inspect(2));
        v.scroll(-5, &s);
        push(&mut s, &mut v, 2);
        // The new entries fit on screen, so they are seen.
        assert_eq!(v.unseen_below(), 0);
    }

    mod filtered {
        use super::*;
        use crate::state::log::{Filter, FilteredView};

        /// `count` system lines; those at seqs where `keep(seq)` read "keep", the
        /// others "drop".
        fn store_keeping(capacity: usize, count: u64, keep: impl Fn(u64) -> bool) -> LogStore {
            let mut store = LogStore::new(capacity);
            for seq in 0..count {
                push_line(&mut store, keep(seq));
            }
            store
        }

        fn push_line(store: &mut LogStore, keep: bool) {
            let text = if keep { "keep" } else { "drop" };
            store.push(LogEntry::system(SystemLevel::Info, text));
        }

        fn keeping() -> FilteredView {
            FilteredView::new(Filter::default().with_text("keep", false))
        }

        fn done(filtered: &mut FilteredView, store: &LogStore) {
            while !filtered.step(store, 7).done {}
        }

        fn key(view: &mut LogView, code: KeyCode, rows: LogRows) -> LogViewOutcome {
            view.handle_key(KeyEvent::from(code), rows)
        }

        #[test]
        fn rows_index_the_filtered_entries() {
            let store = store_keeping(100, 30, |seq| seq % 3 == 0);
            let mut filtered = keeping();
            done(&mut filtered, &store);
            let rows = LogRows::filtered(&store, &filtered);
            assert_eq!(
                (rows.len(), rows.seq_at(2), rows.last()),
                (10, Some(6), Some(27))
            );
            assert_eq!(rows.seq_at(10), None);
            assert_eq!(rows.index_of(9), Ok(3));
            assert_eq!(rows.index_of(10), Err(4));
            assert_eq!(rows.index_of(99), Err(10));
            assert_eq!(rows.position(10), 4);
            assert!(rows.contains(27) && !rows.contains(26));
            let seqs: Vec<EntrySeq> = rows.window(8, 5).map(|(seq, _)| seq).collect();
            assert_eq!(seqs, [24, 27]);
            assert_eq!(rows.window(usize::MAX, 5).count(), 0);
            let all = LogRows::all(&store);
            assert_eq!(
                (all.len(), all.seq_at(29), all.index_of(30)),
                (30, Some(29), Err(30))
            );
            assert_eq!(LogRows::new(&store, None).len(), 30);
        }

        #[test]
        fn navigation_moves_over_visible_rows_only() {
            let store = store_keeping(1000, 30, |seq| seq % 3 == 0);
            let mut filtered = keeping();
            done(&mut filtered, &store);
            let rows = LogRows::filtered(&store, &filtered);
            let mut v = view(4);
            assert_eq!(v.first_visible(rows), 18);
            key(&mut v, KeyCode::Up, rows);
            assert_eq!(v.selected(), Some(27));
            key(&mut v, KeyCode::Char('k'), rows);
            assert_eq!(v.selected(), Some(24));
            key(&mut v, KeyCode::Home, rows);
            assert_eq!((v.selected(), v.first_visible(rows)), (Some(0), 0));
            key(&mut v, KeyCode::Down, rows);
            assert_eq!(v.selected(), Some(3));
            key(&mut v, KeyCode::PageDown, rows);
            assert_eq!((v.selected(), v.first_visible(rows)), (Some(15), 12));
            assert_eq!(v.first_visible_index(rows), 4);
            assert_eq!(
                key(&mut v, KeyCode::Enter, rows),
                LogViewOutcome::Inspect(15)
            );
            // A hidden entry: the row after it is selected.
            v.jump_to(16, rows);
            assert_eq!(v.selected(), Some(18));
            v.jump_to(1, rows);
            assert_eq!((v.selected(), v.first_visible(rows)), (Some(3), 0));
            // With a selection, scrolling to the bottom does not follow; End does.
            v.scroll(100, rows);
            assert!(!v.is_following());
            key(&mut v, KeyCode::End, rows);
            assert!(v.is_following());
            assert_eq!(
                key(&mut v, KeyCode::Enter, rows),
                LogViewOutcome::Inspect(27)
            );
        }

        #[test]
        fn a_selection_the_filter_hides_moves_to_its_neighbours() {
            let store = store_keeping(1000, 30, |seq| seq % 3 == 0);
            let mut filtered = keeping();
            done(&mut filtered, &store);
            let mut v = view(5);
            // Selected without a filter, on an entry the filter hides.
            v.jump_to(13, &store);
            let rows = LogRows::filtered(&store, &filtered);
            assert_eq!(v.selected(), Some(13));
            // Enter inspects the newest row instead; ↑ and ↓ go to the rows around it.
            assert_eq!(
                key(&mut v, KeyCode::Enter, rows),
                LogViewOutcome::Inspect(27)
            );
            let mut up = v.clone();
            key(&mut up, KeyCode::Up, rows);
            assert_eq!(up.selected(), Some(12));
            key(&mut v, KeyCode::Down, rows);
            assert_eq!(v.selected(), Some(15));
        }

        #[test]
        fn follow_and_new_below_count_filtered_rows_through_appends_and_eviction() {
            let mut store = store_keeping(20, 20, |seq| seq % 2 == 0);
            let mut filtered = keeping();
            done(&mut filtered, &store);
            let mut v = view(3);
            assert_eq!(v.first_visible(LogRows::filtered(&store, &filtered)), 14);
            v.scroll(-2, LogRows::filtered(&store, &filtered));
            assert!(!v.is_following());
            assert_eq!(v.first_visible(LogRows::filtered(&store, &filtered)), 10);

            // Four appends (two kept) evict seqs 0..=3 (two kept).
            for keep in [true, false, true, false] {
                push_line(&mut store, keep);
            }
            // Not stepped yet: the evicted rows are gone, the new ones not found.
            let rows = LogRows::filtered(&store, &filtered);
            assert_eq!((rows.len(), rows.seq_at(0)), (8, Some(4)));
            v.on_append(rows);
            assert_eq!(v.unseen_below(), 0);
            done(&mut filtered, &store);
            let rows = LogRows::filtered(&store, &filtered);
            v.on_append(rows);
            assert_eq!(v.unseen_below(), 2);
            assert_eq!(v.first_visible(rows), 10);
            v.scroll(1, rows);
            assert_eq!((v.first_visible(rows), v.unseen_below()), (12, 2));
            v.scroll(2, rows);
            assert_eq!((v.first_visible(rows), v.unseen_below()), (16, 1));
            v.scroll(5, rows);
            assert!(v.is_following());
            assert_eq!((v.first_visible(rows), v.unseen_below()), (18, 0));

            // Following: new rows are seen as they come; hidden entries never count.
            push_line(&mut store, false);
            push_line(&mut store, true);
            done(&mut filtered, &store);
            v.on_append(LogRows::filtered(&store, &filtered));
            assert_eq!(v.first_visible(LogRows::filtered(&store, &filtered)), 20);
            key(&mut v, KeyCode::Up, LogRows::filtered(&store, &filtered));
            assert_eq!(v.selected(), Some(25));
            for _ in 0..5 {
                push_line(&mut store, false);
            }
            done(&mut filtered, &store);
            v.on_append(LogRows::filtered(&store, &filtered));
            assert_eq!(v.unseen_below(), 0);

            // Everything kept is evicted: nothing to select or inspect.
            for _ in 0..20 {
                push_line(&mut store, false);
            }
            done(&mut filtered, &store);
            let rows = LogRows::filtered(&store, &filtered);
            v.on_append(rows);
            assert!(rows.is_empty());
            assert_eq!(v.first_visible(rows), store.end_seq());
            assert_eq!(key(&mut v, KeyCode::Enter, rows), LogViewOutcome::None);
            key(&mut v, KeyCode::Up, rows);
            assert_eq!(v.unseen_below(), 0);
            // Rows that fit on screen are seen; the fourth is below it.
            for _ in 0..4 {
                push_line(&mut store, true);
            }
            done(&mut filtered, &store);
            v.on_append(LogRows::filtered(&store, &filtered));
            assert_eq!(v.unseen_below(), 1);
        }

        #[test]
        fn the_top_row_survives_a_filter_change() {
            let store = store_keeping(1000, 100, |seq| seq % 10 == 5);
            let mut v = view(5);
            v.scroll(-50, &store);
            assert_eq!(v.first_visible(&store), 45);
            // A filter still being built shows what it found so far, then settles
            // where the view was.
            let mut filtered = keeping();
            filtered.step(&store, 30);
            assert_eq!(v.first_visible(LogRows::filtered(&store, &filtered)), 5);
            done(&mut filtered, &store);
            assert_eq!(v.first_visible(LogRows::filtered(&store, &filtered)), 45);
            // And back without it.
            assert_eq!(v.first_visible(&store), 45);
        }
    }
}
