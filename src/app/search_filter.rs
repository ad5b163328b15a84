//! Search (`/`, n/N) and filter (`f`, `F`) of the log: starting them, stepping
//! them a budget at a time on [`Msg::Work`](super::Msg::Work), and walking search
//! hits on the rows the pane shows.
//!
//! Nothing here scans the whole log in one update: a search or filter examines at
//! most [`SEARCH_STEP`] / [`FILTER_STEP`] entries per step. Walking hits while a
//! filter is on alternates binary searches over the hits and the filtered rows
//! (each skips past the other), so it never looks at an entry.
//!
//! The search scans oldest first, but its first jump goes to the newest hit: so
//! that Enter right after `/` inspects that hit even while the scan goes on, a new
//! search also looks back from the newest row (at most [`SEARCH_STEP`] entries) and
//! selects the first hit it meets.

use super::{App, FILTER_STEP, FilterState, SEARCH_STEP, SearchState, StatusLevel, log_rows};
use crate::jq::Program;
use crate::state::filter_expr;
use crate::state::log::{
    EntrySeq, FilteredView, JqCondition, LogStore, Matcher, Projection, Search,
};
use crate::state::log_view::LogRows;
use crate::state::prompt::LinePrompt;
use std::time::{Duration, Instant};

/// Entries a filter examines after each session event, so that a filter that has
/// caught up shows (and counts) new entries at once, without waiting for
/// [`Msg::Work`](super::Msg::Work). One event appends at most one entry.
const FILTER_STEP_ON_EVENT: usize = 1;

/// The longest the look back for a new search's newest hit runs, like one scan step.
const NEWEST_HIT_LOOK_TIME: Duration = Duration::from_millis(8);
/// Entries the look back checks between two looks at the clock.
const NEWEST_HIT_CLOCK_EVERY: usize = 64;

impl App {
    /// One step of background work: the filter first (it decides what is shown),
    /// then the search.
    pub(super) fn work(&mut self) {
        let filter_pending = self
            .state
            .filter
            .as_ref()
            .is_some_and(|filter| !filter.is_done(&self.state.log));
        if filter_pending {
            self.step_filter(FILTER_STEP);
        } else {
            self.step_search();
        }
    }

    /// Keeps the filter up with what a session event appended.
    pub(super) fn after_session_event(&mut self) {
        if self.state.filter.is_some() {
            self.step_filter(FILTER_STEP_ON_EVENT);
        }
    }

    fn step_filter(&mut self, budget: usize) {
        let Some(filter) = self.state.filter.as_mut() else {
            return;
        };
        filter.view.step(&self.state.log, budget);
        let rows = log_rows(&self.state.log, &self.state.filter);
        self.state.log_view.on_append(rows);
        self.jump_to_newest_hit_once();
    }

    fn step_search(&mut self) {
        let Some(search) = self.state.search.as_mut() else {
            return;
        };
        search.done = search.search.step(&self.state.log, SEARCH_STEP).done;
        self.jump_to_newest_hit_once();
    }

    /// Once the search (and the filter, if any) has looked at every entry, selects
    /// the newest hit the pane shows, the first time there is one.
    fn jump_to_newest_hit_once(&mut self) {
        let Some(search) = self.state.search.as_mut() else {
            return;
        };
        let filter_done = filter_is_complete(&self.state.filter, &self.state.log);
        if search.jumped || !search.done || !filter_done {
            return;
        }
        let rows = log_rows(&self.state.log, &self.state.filter);
        let end = rows.store().end_seq();
        match previous_visible_hit(&search.search, rows, end, search.unjumped_before) {
            Some(hit) => {
                search.jumped = true;
                self.state.log_view.jump_to(hit, rows);
            }
            // Both are done: every hit before `end` is known, and none is shown.
            None => search.unjumped_before = end,
        }
    }

    /// Starts a search for `query` (a regular expression when `regex`); an empty
    /// query ends the search, an invalid regex says why and starts nothing.
    pub(super) fn start_search(&mut self, query: String, regex: bool) {
        if query.is_empty() {
            self.state.search = None;
            return;
        }
        let matcher = if regex {
            match Matcher::regex(&query) {
                Ok(matcher) => matcher,
                Err(error) => {
                    self.set_status(
                        format!("{error} — press / to fix it (Ctrl-R searches plain text)"),
                        StatusLevel::Error,
                    );
                    return;
                }
            }
        } else {
            Matcher::substring(&query, false)
        };
        self.state.search = Some(SearchState {
            search: Search::with_matcher(matcher),
            query,
            jumped: false,
            done: false,
            unjumped_before: 0,
        });
        self.step_search();
        self.jump_to_newest_hit_from_the_end();
    }

    /// When the first scan step did not reach the end of the log: looks back from
    /// the newest row shown for the newest hit and selects it (the first jump).
    /// Skipped while a filter is still being built, as its rows are not all known yet.
    fn jump_to_newest_hit_from_the_end(&mut self) {
        let Some(search) = self.state.search.as_mut() else {
            return;
        };
        let filter_pending = !filter_is_complete(&self.state.filter, &self.state.log);
        // A finished scan has made (or ruled out) the first jump already.
        if search.jumped || search.done || filter_pending {
            return;
        }
        let rows = log_rows(&self.state.log, &self.state.filter);
        if let Some(hit) = newest_matching_row(search.search.matcher(), rows, SEARCH_STEP) {
            search.jumped = true;
            self.state.log_view.jump_to(hit, rows);
        }
    }

    /// n (`forward`) and N: the next or previous hit among the rows shown.
    pub(super) fn jump_to_hit(&mut self, forward: bool) {
        let Some(search) = self.state.search.as_ref() else {
            self.set_status("no search yet: press / to search", StatusLevel::Info);
            return;
        };
        let rows = log_rows(&self.state.log, &self.state.filter);
        let from = self
            .state
            .log_view
            .selected()
            .unwrap_or_else(|| self.state.log.end_seq());
        match visible_hit(&search.search, rows, from, forward) {
            Some(seq) => {
                self.state.log_view.jump_to(seq, rows);
                // The user picked this hit: the scan ending must not jump elsewhere.
                if let Some(search) = self.state.search.as_mut() {
                    search.jumped = true;
                }
            }
            None => {
                let mut text = if forward {
                    format!(
                        "no newer match for '{}' — N goes to older ones",
                        search.query
                    )
                } else {
                    format!(
                        "no older match for '{}' — n goes to newer ones",
                        search.query
                    )
                };
                if self.state.filter.is_some() {
                    text.push_str(" in the filtered log (F clears the filter)");
                }
                self.set_status(text, StatusLevel::Info);
            }
        }
    }

    /// `f`: the filter prompt, holding the current expression to edit.
    pub(super) fn open_filter_prompt(&mut self) {
        let prompt = match &self.state.filter {
            Some(filter) => LinePrompt::with_text(&filter.expr),
            None => LinePrompt::new(),
        };
        self.state.overlay = Some(super::Overlay::Filter(prompt));
    }

    /// Enter in the filter prompt. Returns false (the prompt stays open, showing
    /// the error) when the expression does not parse.
    pub(super) fn apply_filter(&mut self, input: &str) -> bool {
        match filter_expr::parse(input) {
            Err(_) => false,
            Ok(Some(expr)) if expr.jq.is_some() || expr.projection.is_some() => {
                self.apply_jq_filter(input, expr)
            }
            Ok(None) => {
                if self.state.filter.is_some() {
                    self.clear_filter();
                }
                true
            }
            Ok(Some(expr)) => {
                self.set_filter(input, expr.summary, FilteredView::new(expr.filter), None);
                true
            }
        }
    }

    /// Compiles the jq parts of a filter; a mistake keeps the prompt open, says
    /// where it is and leaves the previous filter in place.
    fn apply_jq_filter(&mut self, input: &str, expr: filter_expr::FilterExpr) -> bool {
        let compile = |source: &Option<String>| {
            source
                .as_deref()
                .map(|source| Program::compile(source).map(std::sync::Arc::new))
                .transpose()
        };
        let compiled = compile(&expr.jq).and_then(|jq| Ok((jq, compile(&expr.projection)?)));
        let (jq, projection) = match compiled {
            Ok(compiled) => compiled,
            Err(error) => {
                let message = error.to_string();
                self.set_status(message.clone(), StatusLevel::Error);
                self.state.filter_jq_error = Some((input.to_owned(), message));
                return false;
            }
        };
        let filter = expr.filter.with_jq(jq.map(JqCondition::new));
        let projection = projection.map(Projection::new);
        self.set_filter(input, expr.summary, FilteredView::new(filter), projection);
        true
    }

    fn set_filter(
        &mut self,
        input: &str,
        summary: String,
        view: FilteredView,
        projection: Option<Projection>,
    ) {
        self.set_status(
            format!("filter: {summary} · f edits · F clears"),
            StatusLevel::Info,
        );
        self.state.filter_jq_error = None;
        self.state.filter = Some(FilterState {
            expr: input.trim().to_owned(),
            summary,
            view,
            projection,
        });
        self.filter_changed();
        self.step_filter(FILTER_STEP);
    }

    /// Runs the projection, if there is one, over the rows on screen that it has
    /// not seen yet: drawing then only looks the outputs up.
    pub(super) fn project_rows_in_view(&mut self) {
        let Some(FilterState {
            view, projection, ..
        }) = self.state.filter.as_mut()
        else {
            return;
        };
        let Some(projection) = projection.as_mut() else {
            return;
        };
        let rows = LogRows::filtered(&self.state.log, view);
        let height = usize::from(self.state.log_view.page_rows());
        let start = if self.state.log_view.is_following() {
            rows.len().saturating_sub(height)
        } else {
            self.state.log_view.first_visible_index(rows)
        };
        let seqs: Vec<EntrySeq> = (start..start.saturating_add(height))
            .map_while(|index| rows.seq_at(index))
            .collect();
        projection.compute(&self.state.log, seqs);
    }

    /// `F`: shows every entry again.
    pub(super) fn clear_filter(&mut self) {
        if self.state.filter.take().is_none() {
            self.set_status("no filter: press f to filter the log", StatusLevel::Info);
            return;
        }
        self.set_status("filter cleared", StatusLevel::Info);
        self.state.log_view.on_append(&self.state.log);
        self.filter_changed();
    }

    /// Hits a former filter hid may be shown now.
    fn filter_changed(&mut self) {
        if let Some(search) = self.state.search.as_mut() {
            search.unjumped_before = 0;
        }
    }
}

/// The newest of `rows` that `matcher` matches, looking at no more than `budget`
/// rows back from the newest (and for no longer than [`NEWEST_HIT_LOOK_TIME`]).
fn newest_matching_row(matcher: &Matcher, rows: LogRows, budget: usize) -> Option<EntrySeq> {
    let deadline = Instant::now() + NEWEST_HIT_LOOK_TIME;
    let oldest = rows.len().saturating_sub(budget);
    for (looked, index) in (oldest..rows.len()).rev().enumerate() {
        let seq = rows.seq_at(index)?;
        if rows
            .store()
            .get(seq)
            .is_some_and(|entry| matcher.matches_entry(entry))
        {
            return Some(seq);
        }
        if (looked + 1).is_multiple_of(NEWEST_HIT_CLOCK_EVERY) && Instant::now() >= deadline {
            return None;
        }
    }
    None
}

/// The nearest hit of `search` after `from` (`forward`) or before it that is one
/// of `rows`. With a filter, hits and rows are intersected by leapfrogging: a hit
/// that is not a row skips to the next row, whose position skips to the next hit,
/// each a binary search.
fn visible_hit(search: &Search, rows: LogRows, from: EntrySeq, forward: bool) -> Option<EntrySeq> {
    if forward {
        let mut hit = search.next_hit(from)?;
        loop {
            match rows.index_of(hit) {
                Ok(_) => return Some(hit),
                // The first hit at or after the row that follows `hit`.
                Err(index) => hit = search.next_hit(rows.seq_at(index)?.checked_sub(1)?)?,
            }
        }
    } else {
        previous_visible_hit(search, rows, from, 0)
    }
}

/// The nearest hit of `search` before `from` that is one of `rows`, not before
/// `floor` (where an earlier look stopped).
fn previous_visible_hit(
    search: &Search,
    rows: LogRows,
    from: EntrySeq,
    floor: EntrySeq,
) -> Option<EntrySeq> {
    let mut hit = search.previous_hit(from)?;
    loop {
        if hit < floor {
            return None;
        }
        match rows.index_of(hit) {
            Ok(_) => return Some(hit),
            // The last hit at or before the row that precedes `hit`.
            Err(index) => hit = search.previous_hit(rows.seq_at(index.checked_sub(1)?)? + 1)?,
        }
    }
}

/// Whether the filter, if there is one, has looked at every entry of `log`.
fn filter_is_complete(filter: &Option<FilterState>, log: &LogStore) -> bool {
    filter.as_ref().is_none_or(|filter| filter.is_done(log))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use bytes::Bytes;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use tokio::time::Instant;

    use super::*;
    use crate::app::{AppSetup, Focus, Msg, Overlay};
    use crate::session::{Direction, Event, Frame, FrameKind, MessageIds};
    use crate::state::history::History;

    fn app(capacity: usize) -> App {
        App::new(AppSetup {
            url: "ws://127.0.0.1:9/".into(),
            auth_mode: "none",
            insecure: false,
            history: History::in_memory(10),
            log_capacity: capacity,
            welcome: None,
            ids: MessageIds::default(),
            extras: Default::default(),
        })
    }

    fn frame(app: &mut App, direction: Direction, kind: FrameKind, payload: &str) {
        let frame = Frame {
            id: 0,
            direction,
            kind,
            payload: Bytes::copy_from_slice(payload.as_bytes()),
            wire_len: payload.len() as u32,
            timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(1),
            close_code: None,
            decoded: None,
        };
        app.update(Msg::Session(Event::Frame(frame)), Instant::now());
    }

    fn text(app: &mut App, direction: Direction, payload: &str) {
        frame(app, direction, FrameKind::Text, payload);
    }

    fn press(app: &mut App, code: KeyCode) {
        app.update(Msg::Key(KeyEvent::from(code)), Instant::now());
    }

    fn press_with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
        app.update(Msg::Key(KeyEvent::new(code, modifiers)), Instant::now());
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    fn finish_work(app: &mut App) -> usize {
        let mut steps = 0;
        while app.has_pending_work() {
            app.update(Msg::Work, Instant::now());
            steps += 1;
            assert!(steps < 10_000, "the work never finished");
        }
        steps
    }

    fn focus_log(app: &mut App) {
        app.state.focus = Focus::Log;
    }

    fn filter_with(app: &mut App, expr: &str) {
        press(app, KeyCode::Char('f'));
        assert!(matches!(app.state.overlay, Some(Overlay::Filter(_))));
        press_with(app, KeyCode::Char('u'), KeyModifiers::CONTROL);
        type_text(app, expr);
        press(app, KeyCode::Enter);
        finish_work(app);
    }

    fn search_for(app: &mut App, query: &str, regex: bool) {
        press(app, KeyCode::Char('/'));
        if app.state.search_regex != regex {
            press_with(app, KeyCode::Char('r'), KeyModifiers::CONTROL);
        }
        assert_eq!(app.state.search_regex, regex);
        type_text(app, query);
        press(app, KeyCode::Enter);
        finish_work(app);
    }

    fn screen(app: &mut App, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| crate::ui::screen::draw(f, &app.state, Instant::now()))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect())
            .collect()
    }

    fn selected_text(app: &App) -> String {
        let seq = app.state.log_view.selected().expect("a selection");
        match app.state.log.get(seq) {
            Some(crate::state::log::LogEntry::Frame(frame)) => {
                String::from_utf8_lossy(&frame.payload).into_owned()
            }
            other => panic!("{other:?}"),
        }
    }

    /// A frame's payload or a system line's text.
    fn entry_text(entry: &crate::state::log::LogEntry) -> String {
        match entry {
            crate::state::log::LogEntry::Frame(frame) => {
                String::from_utf8_lossy(&frame.payload).into_owned()
            }
            crate::state::log::LogEntry::System { text, .. } => text.clone(),
        }
    }

    fn selected_text_or_system(app: &App) -> String {
        let seq = app.state.log_view.selected().expect("a selection");
        entry_text(app.state.log.get(seq).expect("the selected entry"))
    }

    /// A mixed log: text both ways, binary, ping/pong, a close and nothing else.
    fn mixed_app() -> App {
        let mut app = app(1000);
        for i in 0..6 {
            text(&mut app, Direction::Incoming, &format!("in foo {i}"));
            text(&mut app, Direction::Outgoing, &format!("out foo {i}"));
            frame(&mut app, Direction::Incoming, FrameKind::Binary, "bin");
            frame(&mut app, Direction::Incoming, FrameKind::Ping, "");
            frame(&mut app, Direction::Outgoing, FrameKind::Pong, "");
        }
        text(&mut app, Direction::Incoming, "in bar");
        focus_log(&mut app);
        app
    }

    #[test]
    fn f_in_text_filters_the_pane_to_incoming_text_frames() {
        let mut app = mixed_app();
        filter_with(&mut app, "in text");
        let filter = app.state.filter.as_ref().expect("a filter");
        assert_eq!(filter.summary, "in text");
        assert_eq!(app.state.log_rows().len(), 7);
        let rows = screen(&mut app, 120, 30);
        let log_rows: Vec<&String> = rows
            .iter()
            .filter(|row| row.contains("00:00:01.000"))
            .collect();
        assert_eq!(log_rows.len(), 7, "{rows:#?}");
        assert!(
            log_rows.iter().all(|row| row.contains("← text")),
            "{rows:#?}"
        );
        for word in ["→", "binary", "ping", "pong"] {
            assert!(
                rows.iter().skip(1).take(26).all(|row| !row.contains(word)),
                "{word} shown: {rows:#?}"
            );
        }
        let title = rows.iter().find(|row| row.contains(" log · ")).unwrap();
        assert!(
            title.contains("filter: in text · 7 of 31 · FOLLOW"),
            "{title}"
        );

        // A text condition is quoted in the title.
        filter_with(&mut app, "in foo");
        let rows = screen(&mut app, 120, 30);
        let title = rows.iter().find(|row| row.contains(" log · ")).unwrap();
        assert!(title.contains("filter: in \"foo\" · 6 of 31"), "{title}");

        // F shows everything again.
        press_with(&mut app, KeyCode::Char('F'), KeyModifiers::SHIFT);
        assert!(app.state.filter.is_none());
        assert_eq!(app.state.log_rows().len(), 31);
        let rows = screen(&mut app, 120, 30);
        let title = rows.iter().find(|row| row.contains(" log · ")).unwrap();
        assert!(title.contains("log · 31 messages · FOLLOW"), "{title}");
        press_with(&mut app, KeyCode::Char('F'), KeyModifiers::SHIFT);
        let (status, _) = app.state.status.clone().expect("a status");
        assert!(status.contains("press f"), "{status}");
    }

    #[test]
    fn filter_prompt_edits_the_current_expression_and_shows_errors() {
        let mut app = mixed_app();
        filter_with(&mut app, "out");
        press(&mut app, KeyCode::Char('f'));
        let Some(Overlay::Filter(prompt)) = &app.state.overlay else {
            panic!("the filter prompt");
        };
        assert_eq!(prompt.text(), "out");
        type_text(&mut app, " -bogus");
        let rows = screen(&mut app, 120, 30);
        let status = rows.last().unwrap();
        assert!(status.starts_with("filter: out -bogus"), "{status}");
        assert!(status.contains("unknown option '-bogus'"), "{status}");
        // Enter keeps the prompt open on an error; the old filter stays.
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.state.overlay, Some(Overlay::Filter(_))));
        assert_eq!(app.state.filter.as_ref().unwrap().summary, "out");
        // Esc clears the text, Esc again cancels, keeping the filter.
        press(&mut app, KeyCode::Esc);
        let Some(Overlay::Filter(prompt)) = &app.state.overlay else {
            panic!("still open");
        };
        assert_eq!(prompt.text(), "");
        press(&mut app, KeyCode::Esc);
        assert!(app.state.overlay.is_none());
        assert_eq!(app.state.filter.as_ref().unwrap().summary, "out");
        // A live summary while typing a valid expression.
        press(&mut app, KeyCode::Char('f'));
        type_text(&mut app, " ping");
        let rows = screen(&mut app, 120, 30);
        assert!(
            rows.last().unwrap().contains("→ out ping"),
            "{:?}",
            rows.last()
        );
        // Enter on an empty prompt clears the filter.
        press_with(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
        press(&mut app, KeyCode::Enter);
        assert!(app.state.overlay.is_none());
        assert!(app.state.filter.is_none());
    }

    #[test]
    fn filtered_navigation_inspect_and_new_below() {
        let mut app = mixed_app();
        filter_with(&mut app, "in text");
        app.state.log_view.set_page_rows(3);
        press(&mut app, KeyCode::Up);
        assert_eq!(selected_text(&app), "in bar");
        press(&mut app, KeyCode::Up);
        assert_eq!(selected_text(&app), "in foo 5");
        press(&mut app, KeyCode::Char('g'));
        assert_eq!(selected_text(&app), "in foo 0");
        press(&mut app, KeyCode::Down);
        assert_eq!(selected_text(&app), "in foo 1");
        press(&mut app, KeyCode::Enter);
        let Some(Overlay::Inspector(_)) = &app.state.overlay else {
            panic!("the inspector, got {:?}", app.state.overlay);
        };
        press(&mut app, KeyCode::Esc);
        // Only matching new entries count as new below; no Msg::Work needed.
        text(&mut app, Direction::Outgoing, "out new");
        frame(&mut app, Direction::Incoming, FrameKind::Ping, "");
        text(&mut app, Direction::Incoming, "in new");
        assert!(!app.has_pending_work());
        assert_eq!(app.state.log_view.unseen_below(), 1);
        assert_eq!(selected_text(&app), "in foo 1");
        let rows = screen(&mut app, 120, 8);
        // Row 0 is the one-line connection state: the screen is too short for the pane.
        assert!(
            rows[1].contains("filter: in text · 8 of 34 · 1 new below ↓"),
            "{}",
            rows[1]
        );
        app.state.log_view.set_page_rows(3);
        press(&mut app, KeyCode::End);
        assert_eq!(app.state.log_view.unseen_below(), 0);
        assert_eq!(
            app.state.log_view.first_visible(app.state.log_rows()),
            app.state.log_rows().seq_at(5).unwrap()
        );
    }

    #[test]
    fn a_filter_is_built_step_by_step_and_keeps_up_with_eviction() {
        let total = FILTER_STEP * 2 + 10;
        let mut app = app(total);
        for i in 0..total {
            let direction = if i % 2 == 0 {
                Direction::Incoming
            } else {
                Direction::Outgoing
            };
            text(&mut app, direction, "m");
        }
        focus_log(&mut app);
        press(&mut app, KeyCode::Char('f'));
        type_text(&mut app, "out");
        press(&mut app, KeyCode::Enter);
        // One step ran in the key's update (at most FILTER_STEP entries, fewer when
        // the step's time budget ran out first); the rest waits for Msg::Work.
        let first_step = app.state.log_rows().len();
        assert!(
            first_step > 0 && first_step <= FILTER_STEP / 2,
            "{first_step}"
        );
        assert!(app.has_pending_work());
        let rows = screen(&mut app, 100, 20);
        assert!(
            rows.iter().any(|row| row.contains("filtering…")),
            "{rows:#?}"
        );
        assert!(finish_work(&mut app) >= 2);
        assert_eq!(app.state.log_rows().len(), total / 2);
        // Eviction drops the oldest rows at once.
        for _ in 0..4 {
            text(&mut app, Direction::Incoming, "m");
        }
        assert_eq!(app.state.log_rows().len(), total / 2 - 2);
        assert!(!app.has_pending_work());
    }

    #[test]
    fn regex_search_finds_hits_and_n_walks_them() {
        let mut app = app(1000);
        for (i, payload) in [
            r#"{"seq":1}"#,
            r#"{"seq":"x"}"#,
            r#"{"SEQ":22}"#,
            "no",
            r#"{"seq": 3}"#,
            r#"{"seq":4444}"#,
        ]
        .into_iter()
        .enumerate()
        {
            let direction = if i == 2 {
                Direction::Outgoing
            } else {
                Direction::Incoming
            };
            text(&mut app, direction, payload);
        }
        focus_log(&mut app);
        search_for(&mut app, r#"seq":\d+"#, true);
        let search = app.state.search.as_ref().expect("a search");
        assert!(search.search.matcher().is_regex());
        assert_eq!(search.search.hits().collect::<Vec<_>>(), [0, 2, 5]);
        assert_eq!(app.state.log_view.selected(), Some(5));
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(app.state.log_view.selected(), Some(2));
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(app.state.log_view.selected(), Some(0));
        press(&mut app, KeyCode::Char('n'));
        assert_eq!(app.state.log_view.selected(), Some(2));

        // The prompt and the status line say it is a regex; matches are highlighted.
        let rows = screen(&mut app, 100, 20);
        let status = rows.last().unwrap();
        assert!(
            status.starts_with(r#" LOG  /(regex) seq":\d+ · 3 matches"#),
            "{status}"
        );
        press(&mut app, KeyCode::Char('/'));
        let rows = screen(&mut app, 100, 20);
        assert!(
            rows.last().unwrap().starts_with("/(regex) "),
            "{:?}",
            rows.last()
        );
        press(&mut app, KeyCode::Esc);

        // With a filter, n/N skip the hits it hides.
        filter_with(&mut app, "in");
        press(&mut app, KeyCode::Char('g'));
        press(&mut app, KeyCode::Char('n'));
        assert_eq!(app.state.log_view.selected(), Some(5));
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(app.state.log_view.selected(), Some(0));
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        let (status, _) = app.state.status.clone().expect("a status");
        assert!(status.contains("in the filtered log"), "{status}");

        // Ctrl-R again: a plain substring search.
        search_for(&mut app, "SEQ", false);
        assert!(
            !app.state
                .search
                .as_ref()
                .unwrap()
                .search
                .matcher()
                .is_regex()
        );
    }

    #[test]
    fn regex_matches_are_highlighted() {
        let mut app = app(100);
        text(&mut app, Direction::Incoming, r#"{"seq":12,"x":"seq"}"#);
        focus_log(&mut app);
        search_for(&mut app, r"\d+", true);
        let mut terminal = Terminal::new(TestBackend::new(100, 20)).unwrap();
        terminal
            .draw(|f| crate::ui::screen::draw(f, &app.state, Instant::now()))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let hit = crate::theme::search_hit().bg.unwrap();
        let (x, y) = (0..20)
            .find_map(|y| {
                let row: String = (0..100).map(|x| buffer[(x, y)].symbol()).collect();
                let at = row.find("12")?;
                Some((row[..at].chars().count() as u16, y))
            })
            .expect("the row");
        assert_eq!(buffer[(x, y)].bg, hit);
        assert_eq!(buffer[(x + 1, y)].bg, hit);
        assert_ne!(buffer[(x - 2, y)].bg, hit);
    }

    #[test]
    fn an_invalid_regex_reports_an_error_and_starts_nothing() {
        let mut app = app(100);
        text(&mut app, Direction::Incoming, "a");
        focus_log(&mut app);
        search_for(&mut app, "a", false);
        search_for(&mut app, r#"seq":(\d+"#, true);
        let (status, level) = app.state.status.clone().expect("a status");
        assert_eq!(level, StatusLevel::Error);
        assert!(
            status.starts_with("invalid regex: unclosed group"),
            "{status}"
        );
        let search = app.state.search.as_ref().expect("the old search stays");
        assert_eq!(search.query, "a");
        assert!(!app.has_pending_work());
        let rows = screen(&mut app, 100, 20);
        assert!(rows.last().unwrap().contains("invalid regex"));
        // The mode is remembered for the next prompt.
        press(&mut app, KeyCode::Char('/'));
        assert!(app.state.search_regex);
    }

    #[test]
    fn the_first_jump_goes_to_the_newest_hit_the_filter_shows() {
        let mut app = app(100);
        text(&mut app, Direction::Incoming, "needle a");
        text(&mut app, Direction::Outgoing, "needle b");
        text(&mut app, Direction::Incoming, "x");
        text(&mut app, Direction::Outgoing, "needle c");
        focus_log(&mut app);
        filter_with(&mut app, "in");
        search_for(&mut app, "needle", false);
        assert_eq!(app.state.log_view.selected(), Some(0));

        // No shown hit yet: nothing is selected until one arrives.
        search_for(&mut app, "pin", false);
        press(&mut app, KeyCode::End);
        text(&mut app, Direction::Outgoing, "pin out");
        finish_work(&mut app);
        assert_eq!(app.state.log_view.selected(), None);
        text(&mut app, Direction::Incoming, "pin in");
        finish_work(&mut app);
        assert_eq!(app.state.log_view.selected(), Some(5));
    }

    /// The text of the entry the inspector shows, if it is open.
    fn inspected_text(app: &App) -> Option<String> {
        let Some(Overlay::Inspector(inspector)) = &app.state.overlay else {
            return None;
        };
        Some(entry_text(inspector.entry()))
    }

    #[test]
    fn enter_after_a_search_inspects_the_hit_and_n_walks_the_inspected_hit() {
        let mut app = app(100);
        for payload in ["needle old", "x", "needle new", "newest, no match"] {
            text(&mut app, Direction::Incoming, payload);
        }
        // From the composer as a person would: Esc to the log, / query Enter, Enter.
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.state.focus, Focus::Log);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "needle");
        press(&mut app, KeyCode::Enter);
        assert!(app.state.overlay.is_none(), "the prompt closed");
        press(&mut app, KeyCode::Enter);
        assert_eq!(inspected_text(&app).as_deref(), Some("needle new"));

        press(&mut app, KeyCode::Esc);
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        press(&mut app, KeyCode::Enter);
        assert_eq!(inspected_text(&app).as_deref(), Some("needle old"));

        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('n'));
        press(&mut app, KeyCode::Enter);
        assert_eq!(inspected_text(&app).as_deref(), Some("needle new"));
    }

    #[test]
    fn enter_right_after_a_long_search_inspects_the_newest_hit() {
        use crate::state::log::{LogEntry, SystemLevel};
        // More entries than one search step examines: the forward scan is still
        // going when the next key arrives (no Msg::Work in between).
        let total = SEARCH_STEP + 500;
        let mut app = app(total);
        for i in 0..total {
            let line = if i == total - 10 {
                "needle near the end".to_owned()
            } else {
                format!("line {i}")
            };
            app.state
                .log
                .push(LogEntry::system(SystemLevel::Info, line));
        }
        app.state.log_view.on_append(&app.state.log);
        focus_log(&mut app);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "needle");
        press(&mut app, KeyCode::Enter);
        assert!(app.has_pending_work(), "the scan is not done yet");
        press(&mut app, KeyCode::Enter);
        assert_eq!(inspected_text(&app).as_deref(), Some("needle near the end"));
        // The scan finishing later does not move the selection.
        press(&mut app, KeyCode::Esc);
        finish_work(&mut app);
        assert_eq!(selected_text_or_system(&app), "needle near the end");
    }

    #[test]
    fn a_hit_chosen_with_n_before_the_scan_ends_stays_selected() {
        use crate::state::log::{LogEntry, SystemLevel};
        // The only hits are the two oldest entries, further back than the first
        // look from the end reaches: the first jump waits for the scan.
        let total = SEARCH_STEP + 500;
        let mut app = app(total);
        for i in 0..total {
            let line = match i {
                0 => "needle a".to_owned(),
                1 => "needle b".to_owned(),
                _ => format!("line {i}"),
            };
            app.state
                .log
                .push(LogEntry::system(SystemLevel::Info, line));
        }
        app.state.log_view.on_append(&app.state.log);
        focus_log(&mut app);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "needle");
        press(&mut app, KeyCode::Enter);
        assert!(app.has_pending_work(), "the scan is not done yet");
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        press_with(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(selected_text_or_system(&app), "needle a");
        finish_work(&mut app);
        assert_eq!(
            selected_text_or_system(&app),
            "needle a",
            "the end of the scan does not take the user's hit away"
        );
    }

    #[test]
    fn the_look_back_for_the_newest_hit_stays_within_its_budget() {
        use crate::state::log::{Filter, LogEntry, LogStore, SystemLevel};
        let mut store = LogStore::new(100);
        for i in 0..20 {
            let text = if [2, 9, 14].contains(&i) { "hit" } else { "x" };
            let keep = if i < 10 { " keep" } else { "" };
            store.push(LogEntry::system(SystemLevel::Info, format!("{text}{keep}")));
        }
        let matcher = Matcher::substring("hit", false);
        let all = LogRows::all(&store);
        assert_eq!(newest_matching_row(&matcher, all, 100), Some(14));
        assert_eq!(newest_matching_row(&matcher, all, 6), Some(14));
        assert_eq!(newest_matching_row(&matcher, all, 5), None, "14 is 6 back");
        let mut view = FilteredView::new(Filter::default().with_text("keep", false));
        view.step(&store, 100);
        let kept = LogRows::filtered(&store, &view);
        assert_eq!(newest_matching_row(&matcher, kept, 100), Some(9));
        let none = Matcher::substring("absent", false);
        assert_eq!(newest_matching_row(&none, all, 100), None);
    }

    #[test]
    fn visible_hits_leapfrog_over_filtered_rows() {
        use crate::state::log::{Filter, LogEntry, LogStore, SystemLevel};
        let mut store = LogStore::new(100);
        for i in 0..20 {
            let hit = if i % 2 == 0 { "hit" } else { "x" };
            let keep = if [3, 6, 7, 12, 15].contains(&i) {
                " keep"
            } else {
                ""
            };
            store.push(LogEntry::system(SystemLevel::Info, format!("{hit}{keep}")));
        }
        let mut search = Search::new("hit", false);
        while !search.step(&store, 100).done {}
        let mut view = FilteredView::new(Filter::default().with_text("keep", false));
        view.step(&store, 100);
        let rows = LogRows::filtered(&store, &view);
        assert_eq!(visible_hit(&search, rows, 0, true), Some(6));
        assert_eq!(visible_hit(&search, rows, 6, true), Some(12));
        assert_eq!(visible_hit(&search, rows, 12, true), None);
        assert_eq!(visible_hit(&search, rows, 19, false), Some(12));
        assert_eq!(visible_hit(&search, rows, 12, false), Some(6));
        assert_eq!(visible_hit(&search, rows, 6, false), None);
        assert_eq!(previous_visible_hit(&search, rows, 19, 12), Some(12));
        assert_eq!(previous_visible_hit(&search, rows, 19, 13), None);
        let all = LogRows::all(&store);
        assert_eq!(visible_hit(&search, all, 3, true), Some(4));
        assert_eq!(visible_hit(&search, all, 3, false), Some(2));
        assert_eq!(visible_hit(&search, all, 18, true), None);
    }
}
