//! The mouse: the wheel scrolls what is on top; a left click focuses the pane under
//! it (the log or the composer) and, in the log, selects the row clicked; a second
//! click on the same row within [`DOUBLE_CLICK`] opens it in the inspector, as Enter
//! does. Which pane is where comes from [`crate::ui::screen::screen_layout`] on the
//! size the last [`Msg::Resize`](super::Msg::Resize) gave; until one came, clicks
//! do nothing.

use std::time::Duration;

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use tokio::time::Instant;

use super::{App, Focus, Overlay, keys, log_rows};
use crate::keymap::InspectorAction;
use crate::state::app::RowClick;
use crate::state::inspector::Inspector;
use crate::ui::log_pane;
use crate::ui::screen::screen_layout;

/// Two clicks on the same log row at most this far apart are a double click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// Rows one notch of the wheel scrolls.
const WHEEL_ROWS: i64 = 3;

impl App {
    pub(super) fn on_mouse(&mut self, mouse: MouseEvent, now: Instant) {
        match mouse.kind {
            MouseEventKind::ScrollUp => self.wheel(-WHEEL_ROWS),
            MouseEventKind::ScrollDown => self.wheel(WHEEL_ROWS),
            MouseEventKind::Down(MouseButton::Left) => {
                self.click(Position::new(mouse.column, mouse.row), now)
            }
            _ => {}
        }
    }

    /// The mouse wheel scrolls what is on top: the log, or the help or inspector.
    fn wheel(&mut self, delta: i64) {
        match &mut self.state.overlay {
            None => {
                let rows = log_rows(&self.state.log, &self.state.filter);
                self.state.log_view.scroll(delta, rows);
            }
            Some(Overlay::Help { scroll }) => {
                *scroll = if delta < 0 {
                    scroll.saturating_sub(delta.unsigned_abs() as u16)
                } else {
                    keys::help_scroll(
                        *scroll,
                        delta as u16,
                        &self.state.extras,
                        &self.state.keymap,
                    )
                };
            }
            Some(Overlay::Inspector(inspector)) => {
                let action = if delta < 0 {
                    InspectorAction::ScrollUp
                } else {
                    InspectorAction::ScrollDown
                };
                for _ in 0..delta.unsigned_abs() {
                    inspector.apply(action);
                }
            }
            Some(_) => {}
        }
    }

    /// A left click at `position`: focus the pane there; on a log row, select it or,
    /// clicked twice, inspect it. Clicks on a popup, a prompt, the state pane or the
    /// status line change nothing.
    fn click(&mut self, position: Position, now: Instant) {
        let previous = self.state.last_click.take();
        let Some(screen) = self.state.screen else {
            return;
        };
        if self.state.overlay.is_some() {
            return;
        }
        let regions = screen_layout(screen, &self.state);
        if regions.composer.contains(position) {
            self.state.focus = Focus::Composer;
        } else if regions.log.contains(position) {
            self.state.focus = Focus::Log;
            self.click_log(regions.log, position, previous, now);
        }
    }

    fn click_log(
        &mut self,
        log_area: Rect,
        position: Position,
        previous: Option<RowClick>,
        now: Instant,
    ) {
        let rows_area = log_pane::rows_area(log_area);
        if !rows_area.contains(position) {
            return;
        }
        // As drawing would: the view pages by the rows the pane shows.
        self.state.log_view.set_page_rows(rows_area.height);
        let rows = log_rows(&self.state.log, &self.state.filter);
        let row = position.y - rows_area.y;
        let Some(seq) = log_pane::entry_at_row(rows, &self.state.log_view, rows_area.height, row)
        else {
            return;
        };
        let double = previous.is_some_and(|click| {
            click.seq == seq && now.saturating_duration_since(click.at) <= DOUBLE_CLICK
        });
        if double {
            if let Some(entry) = self.state.log.get(seq) {
                let inspector = Inspector::open(entry);
                self.state.overlay = Some(Overlay::Inspector(Box::new(inspector)));
            }
        } else {
            self.state.log_view.jump_to(seq, rows);
            self.state.last_click = Some(RowClick { seq, at: now });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use bytes::Bytes;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::{AppSetup, Msg};
    use crate::session::{Direction, Event, Frame, FrameKind, MessageIds};
    use crate::state::history::History;
    use crate::state::log::LogEntry;

    /// An app on a `width`×`height` screen whose log holds `count` incoming
    /// messages `m0`, `m1`, … (entry `i` is `m{i}`).
    fn app_on_screen(width: u16, height: u16, count: u64) -> App {
        let mut app = App::new(AppSetup {
            url: "ws://127.0.0.1:9/".to_owned(),
            auth_mode: "none",
            insecure: false,
            history: History::in_memory(10),
            log_capacity: 1000,
            welcome: None,
            ids: MessageIds::default(),
            extras: Default::default(),
        });
        let now = Instant::now();
        for id in 0..count {
            let text = format!("m{id}");
            let frame = Frame {
                id,
                direction: Direction::Incoming,
                kind: FrameKind::Text,
                wire_len: text.len() as u32,
                payload: Bytes::from(text),
                timestamp: SystemTime::now(),
                close_code: None,
                decoded: None,
            };
            app.update(Msg::Session(Event::Frame(frame)), now);
        }
        app.update(Msg::Resize { width, height }, now);
        app
    }

    fn click(app: &mut App, column: u16, row: u16, now: Instant) {
        let effects = app.update(
            Msg::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            }),
            now,
        );
        assert_eq!(effects, []);
    }

    /// Screen coordinates of the `row`th row of the log pane's rows.
    fn log_row(app: &App, row: u16) -> (u16, u16) {
        let screen = app.state.screen.expect("a known screen size");
        let rows = log_pane::rows_area(screen_layout(screen, &app.state).log);
        (rows.x + 3, rows.y + row)
    }

    fn composer_spot(app: &App) -> (u16, u16) {
        let screen = app.state.screen.expect("a known screen size");
        let composer = screen_layout(screen, &app.state).composer;
        (composer.x + 2, composer.y + 1)
    }

    fn inspected_text(app: &App) -> Option<String> {
        match &app.state.overlay {
            Some(Overlay::Inspector(inspector)) => match inspector.entry() {
                LogEntry::Frame(frame) => frame.text().map(str::to_owned),
                LogEntry::System { text, .. } => Some(text.clone()),
            },
            _ => None,
        }
    }

    #[test]
    fn a_click_on_a_log_row_focuses_the_log_and_selects_that_row() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        assert_eq!(app.state.focus, Focus::Composer);
        let (x, y) = log_row(&app, 2);
        click(&mut app, x, y, now);
        assert_eq!(app.state.focus, Focus::Log);
        assert_eq!(app.state.log_view.selected(), Some(2));
        assert!(!app.state.log_view.is_following());
        assert!(app.state.overlay.is_none(), "one click does not inspect");
    }

    #[test]
    fn a_click_selects_the_row_drawn_under_it_on_a_narrow_screen() {
        let now = Instant::now();
        // 40x12: the state bar on row 0, the log from row 1 with 5 rows of entries,
        // following the newest: m15 to m19.
        let mut app = app_on_screen(40, 12, 20);
        assert_eq!(log_row(&app, 0).1, 2);
        let (x, y) = log_row(&app, 0);
        click(&mut app, x, y, now);
        assert_eq!(app.state.log_view.selected(), Some(15));
        let (x, y) = log_row(&app, 4);
        click(&mut app, x, y, now + DOUBLE_CLICK * 2);
        assert_eq!(app.state.log_view.selected(), Some(19));
        // The bar above the log is not the log.
        app.state.focus = Focus::Composer;
        click(&mut app, 5, 0, now);
        assert_eq!(app.state.focus, Focus::Composer);
    }

    #[test]
    fn a_double_click_on_a_row_inspects_it_as_enter_does() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        let (x, y) = log_row(&app, 1);
        click(&mut app, x, y, now);
        click(&mut app, x + 10, y, now + Duration::from_millis(300));
        assert_eq!(inspected_text(&app).as_deref(), Some("m1"));
        assert_eq!(app.state.log_view.selected(), Some(1));
    }

    #[test]
    fn slow_clicks_or_clicks_on_two_rows_only_select() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        let (x, y) = log_row(&app, 1);
        click(&mut app, x, y, now);
        click(
            &mut app,
            x,
            y,
            now + DOUBLE_CLICK + Duration::from_millis(1),
        );
        assert!(app.state.overlay.is_none(), "too slow for a double click");
        let later = now + Duration::from_secs(5);
        click(&mut app, x, y, later);
        click(&mut app, x, y + 1, later + Duration::from_millis(100));
        assert!(app.state.overlay.is_none(), "two rows, two single clicks");
        assert_eq!(app.state.log_view.selected(), Some(2));
        // A click elsewhere in between breaks the pair.
        let (cx, cy) = composer_spot(&app);
        click(&mut app, x, y, later + Duration::from_millis(200));
        click(&mut app, cx, cy, later + Duration::from_millis(250));
        click(&mut app, x, y, later + Duration::from_millis(300));
        assert!(app.state.overlay.is_none());
    }

    #[test]
    fn a_click_on_the_composer_focuses_it() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        let (x, y) = log_row(&app, 0);
        click(&mut app, x, y, now);
        assert_eq!(app.state.focus, Focus::Log);
        let (x, y) = composer_spot(&app);
        click(&mut app, x, y, now + Duration::from_secs(1));
        assert_eq!(app.state.focus, Focus::Composer);
        assert_eq!(
            app.state.log_view.selected(),
            Some(0),
            "the selection stays"
        );
    }

    #[test]
    fn clicks_on_popups_the_status_line_or_the_state_pane_change_nothing() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        let (x, y) = log_row(&app, 0);
        // The state pane is on the left at 80 columns; the status line is the last row.
        for (column, row) in [(2, 3), (10, 23)] {
            click(&mut app, column, row, now);
            assert_eq!(app.state.focus, Focus::Composer, "({column}, {row})");
            assert!(app.state.log_view.is_following(), "({column}, {row})");
        }
        app.update(Msg::Key(KeyEvent::from(KeyCode::F(1))), now);
        click(&mut app, x, y, now);
        click(&mut app, x, y, now);
        assert!(matches!(app.state.overlay, Some(Overlay::Help { .. })));
        assert_eq!(app.state.focus, Focus::Composer);
        assert!(app.state.log_view.is_following());
    }

    #[test]
    fn clicks_before_the_screen_size_is_known_do_nothing() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        let (x, y) = log_row(&app, 0);
        app.state.screen = None;
        click(&mut app, x, y, now);
        assert_eq!(app.state.focus, Focus::Composer);
        assert_eq!(app.state.log_view.selected(), None);
    }

    #[test]
    fn the_log_border_focuses_without_selecting() {
        let now = Instant::now();
        let mut app = app_on_screen(80, 24, 5);
        let (x, y) = log_row(&app, 0);
        click(&mut app, x, y - 1, now);
        assert_eq!(app.state.focus, Focus::Log);
        assert_eq!(app.state.log_view.selected(), None);
        // Below the last entry: focus, no selection either.
        click(&mut app, x, y + 10, now);
        assert_eq!(app.state.log_view.selected(), None);
    }
}
