//! Where the log pane is scrolled to and which entry is selected. Pure state: the
//! keys and wheel steps come in through `update`, the renderer reads
//! [`LogView::first_visible`] and [`LogView::selected`].
//!
//! Positions are [`EntrySeq`]s, never indexes, so they stay put while the store
//! appends and evicts. The view works on the whole [`LogStore`] for now; a filter
//! plugs in by doing the same arithmetic on the indexes of a
//! [`FilteredView`](crate::state::log::FilteredView) (anchor on a sequence number,
//! find its index again with `FilteredView::index_of` after every step).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::log::{EntrySeq, LogStore};

/// Rows assumed until the app reports the pane's height.
const DEFAULT_PAGE_ROWS: u16 = 20;

/// Scroll position and selection of the log pane.
///
/// Following (the default) shows the newest entries as they arrive. Selecting an
/// entry or scrolling up stops following; entries that arrive meanwhile are counted
/// as [`LogView::unseen_below`] until the user sees them or presses End. Scrolling
/// back down to the bottom with nothing selected follows again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogView {
    follow: bool,
    /// First visible row when not following.
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

    /// Call after entries were appended (once per batch is enough): counts the
    /// unseen ones when not following, and moves positions the store evicted to
    /// the oldest entry kept.
    pub fn on_append(&mut self, store: &LogStore) {
        if self.follow {
            self.seen_end = store.end_seq();
            self.unseen_below = 0;
            return;
        }
        self.selected = match self.selected {
            _ if store.is_empty() => None,
            Some(seq) => Some(seq.max(store.first_seq())),
            None => None,
        };
        self.set_top(self.top, store);
    }

    /// Handles a key meant for the log pane: ↑/↓ or k/j move the selection (and
    /// stop following), PageUp/PageDown move a page, Home/g go to the oldest entry,
    /// End/G follow the newest again, Enter inspects the selected (or newest) entry.
    pub fn handle_key(&mut self, key: KeyEvent, store: &LogStore) -> LogViewOutcome {
        if key.kind == KeyEventKind::Release || !(key.modifiers - KeyModifiers::SHIFT).is_empty() {
            return LogViewOutcome::Ignored;
        }
        let rows = self.rows();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1, store),
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1, store),
            KeyCode::PageUp if self.selected.is_some() => {
                self.set_top(self.first_visible(store).saturating_sub(rows), store);
                self.move_selection(-(rows as i64), store);
            }
            KeyCode::PageDown if self.selected.is_some() => {
                self.set_top(self.first_visible(store).saturating_add(rows), store);
                self.move_selection(rows as i64, store);
            }
            KeyCode::PageUp => self.scroll(-(rows as i64), store),
            KeyCode::PageDown => self.scroll(rows as i64, store),
            KeyCode::Home | KeyCode::Char('g') => {
                self.leave_follow(store);
                self.set_top(store.first_seq(), store);
                if self.selected.is_some() && !store.is_empty() {
                    self.selected = Some(store.first_seq());
                }
            }
            KeyCode::End | KeyCode::Char('G') => self.resume_follow(store),
            KeyCode::Enter => {
                let seq = self
                    .selected
                    .filter(|&seq| store.get(seq).is_some())
                    .or_else(|| store.end_seq().checked_sub(1).filter(|_| !store.is_empty()));
                return seq.map_or(LogViewOutcome::None, LogViewOutcome::Inspect);
            }
            _ => return LogViewOutcome::Ignored,
        }
        LogViewOutcome::None
    }

    /// Scrolls by `delta` rows (negative: up), e.g. for the mouse wheel. The
    /// selection stays where it is.
    pub fn scroll(&mut self, delta: i64, store: &LogStore) {
        if delta < 0 {
            self.leave_follow(store);
            self.set_top(self.top.saturating_sub(delta.unsigned_abs()), store);
        } else if delta > 0 && !self.follow {
            self.set_top(self.top.saturating_add(delta.unsigned_abs()), store);
            if self.selected.is_none() && self.top >= store.tail_start(self.page_rows.into()) {
                self.resume_follow(store);
            }
        }
    }

    /// The first entry row on screen (the renderer shows `page_rows` from here).
    pub fn first_visible(&self, store: &LogStore) -> EntrySeq {
        let max_top = store.tail_start(self.page_rows.into());
        if self.follow {
            max_top
        } else {
            self.top.clamp(store.first_seq(), max_top)
        }
    }

    /// The selected entry, if any (it may have been evicted since).
    pub fn selected(&self) -> Option<EntrySeq> {
        self.selected
    }

    /// Whether the view shows the newest entries as they arrive.
    pub fn is_following(&self) -> bool {
        self.follow
    }

    /// Entries appended below the screen since the user stopped following.
    pub fn unseen_below(&self) -> u64 {
        self.unseen_below
    }

    /// Selects `seq` (say, a search hit) and scrolls it to the middle of the
    /// screen unless it is already visible.
    pub fn jump_to(&mut self, seq: EntrySeq, store: &LogStore) {
        if store.is_empty() {
            return;
        }
        self.leave_follow(store);
        let seq = seq.clamp(store.first_seq(), store.end_seq() - 1);
        self.selected = Some(seq);
        let rows = self.rows();
        if seq < self.top || seq >= self.top + rows {
            self.set_top(seq.saturating_sub(rows / 2), store);
        }
    }

    fn rows(&self) -> u64 {
        u64::from(self.page_rows.max(1))
    }

    fn move_selection(&mut self, delta: i64, store: &LogStore) {
        let Some(newest) = store.end_seq().checked_sub(1).filter(|_| !store.is_empty()) else {
            return;
        };
        let rows = self.rows();
        let bottom = (self.first_visible(store) + rows - 1).min(newest);
        self.leave_follow(store);
        let seq = match self.selected {
            None => bottom,
            Some(seq) if delta < 0 => seq.saturating_sub(delta.unsigned_abs()),
            Some(seq) => seq.saturating_add(delta.unsigned_abs()),
        };
        let seq = seq.clamp(store.first_seq(), newest);
        self.selected = Some(seq);
        if seq < self.top {
            self.set_top(seq, store);
        } else if seq >= self.top + rows {
            self.set_top(seq + 1 - rows, store);
        }
    }

    fn leave_follow(&mut self, store: &LogStore) {
        if self.follow {
            self.top = self.first_visible(store);
            self.follow = false;
            self.seen_end = store.end_seq();
        }
    }

    fn resume_follow(&mut self, store: &LogStore) {
        self.follow = true;
        self.selected = None;
        self.unseen_below = 0;
        self.seen_end = store.end_seq();
    }

    /// Moves the top row (clamped to what can be shown) and counts what is seen.
    fn set_top(&mut self, top: EntrySeq, store: &LogStore) {
        self.top = top.clamp(store.first_seq(), store.tail_start(self.page_rows.into()));
        let bottom = self.top.saturating_add(self.rows()).min(store.end_seq());
        self.seen_end = self.seen_end.max(bottom);
        self.unseen_below = store.end_seq().saturating_sub(self.seen_end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log::{LogEntry, SystemLevel};

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
}
