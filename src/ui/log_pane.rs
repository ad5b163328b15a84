//! The message log pane: one row per frame or system line, newest at the bottom.
//!
//! ```text
//! ┌ log · 1 234 messages · FOLLOW ──────────────────────────────┐
//! │12:00:01.250 → text      42 B  {"op":"subscribe","id":1}     │
//! │12:00:01.262 ← binary   1.2 KiB  de ad be ef 00 01 …         │
//! │12:00:03.000 • connection closed: 1006 Abnormal Closure      │
//! └─────────────────────────────────────────────────────────────┘
//! ```
//!
//! With a filter on, the title reads `log · filter: in text "foo" · 123 of 4 567`
//! and only the entries it keeps are rows.
//!
//! Drawing costs the visible rows only: it reads a [`LogRows::window`] of the
//! pane's height, validates at most [`json::preview_input_limit`] bytes of each
//! payload and tokenizes only as much as fits the row.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::fit::{fit, fit_spans};
use super::{json, theme};
use crate::protocol::Decoded;
use crate::session::close_code;
use crate::session::{Direction, Frame as WsFrame, FrameKind, MessageId};
use crate::state::filter_expr;
use crate::state::log::{EntrySeq, LogEntry, Matcher, Projected, Projection, SystemLevel};
use crate::state::log_view::{LogRows, LogView};
use crate::terminal_text;

/// Columns before the preview: `HH:MM:SS.mmm → binary  12.3 KiB  `.
const PREVIEW_COLUMN: usize = 12 + 3 + 6 + 1 + 8 + 2;

/// What the rows show besides the entries themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowMarks<'a> {
    /// The current search's matcher: its matches in the visible rows are marked.
    pub highlight: Option<&'a Matcher>,
    /// Messages that went out but that nothing confirmed before the link broke:
    /// they say so.
    pub unconfirmed: Option<&'a HashSet<MessageId>>,
    /// A jq projection: its output for each message (computed in `update`) takes
    /// the place of the payload preview.
    pub projection: Option<&'a Projection>,
}

/// Draws the log pane in `area`: the `rows` (every entry, or the filtered ones)
/// where `view` is scrolled to, with `marks`.
pub fn render_log<'a>(
    frame: &mut Frame,
    area: Rect,
    rows: impl Into<LogRows<'a>>,
    view: &LogView,
    focused: bool,
    marks: RowMarks<'_>,
) {
    let RowMarks {
        highlight,
        unconfirmed,
        projection,
    } = marks;
    let rows = rows.into();
    let store = rows.store();
    let border = if focused {
        theme::focused_border()
    } else {
        theme::border()
    };
    let title = theme::pane_title_text(&title(rows, view, projection), focused);
    let block = Block::bordered().border_style(border).title(Span::styled(
        fit(&title, usize::from(area.width.saturating_sub(2))),
        theme::pane_title(focused),
    ));
    let inner = rows_area(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let buf = frame.buffer_mut();
    let empty_text = if store.is_empty() {
        Some("no messages yet — they appear here as they arrive")
    } else if rows.is_empty() && is_filtering(rows) {
        Some("filtering…")
    } else if rows.is_empty() {
        Some("no message matches the filter — f edits it, F clears it")
    } else {
        None
    };
    if let Some(text) = empty_text {
        let text = fit(text, usize::from(inner.width));
        buf.set_line(
            inner.x,
            inner.y,
            &Line::styled(text, theme::dim()),
            inner.width,
        );
        return;
    }
    let height = usize::from(inner.height);
    let start = first_row_index(rows, view, height);
    let highlight = highlight.filter(|matcher| !matcher.is_empty());
    for (y, (seq, entry)) in (inner.y..).zip(rows.window(start, height)) {
        let row = Rect::new(inner.x, y, inner.width, 1);
        if view.selected() == Some(seq) {
            buf.set_style(row, theme::selected());
        }
        let unconfirmed = match entry {
            LogEntry::Frame(frame) => unconfirmed.is_some_and(|ids| ids.contains(&frame.id)),
            LogEntry::System { .. } => false,
        };
        let projected = projection.map(|projection| projection.get(seq));
        let line = entry_line(
            entry,
            usize::from(inner.width),
            highlight,
            unconfirmed,
            projected,
        );
        buf.set_line(row.x, row.y, &line, row.width);
    }
}

/// Where the rows go in a log pane drawn in `area`: inside its border.
pub fn rows_area(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

/// The index in `rows` of the top row of a pane `height` rows high.
fn first_row_index(rows: LogRows, view: &LogView, height: usize) -> usize {
    if view.is_following() {
        rows.len().saturating_sub(height)
    } else {
        view.first_visible_index(rows)
    }
}

/// The entry drawn on row `row` (0: the top one) of a log pane whose inner area is
/// `height` rows high, if a row is drawn there: what a click on that row means.
pub fn entry_at_row<'a>(
    rows: impl Into<LogRows<'a>>,
    view: &LogView,
    height: u16,
    row: u16,
) -> Option<EntrySeq> {
    if row >= height {
        return None;
    }
    let rows = rows.into();
    let start = first_row_index(rows, view, usize::from(height));
    rows.seq_at(start + usize::from(row))
}

/// Before the preview of a message that went out but was not confirmed.
const UNCONFIRMED_MARK: &str = "unconfirmed · ";

/// Whether a filter is still looking for its rows.
fn is_filtering(rows: LogRows) -> bool {
    rows.view()
        .is_some_and(|view| view.remaining(rows.store()) > 0)
}

/// " log · N messages [· N dropped] · FOLLOW | · N new below ↓ ", or with a
/// filter " log · filter: in text "foo" · N of M [· filtering…] …".
fn title(rows: LogRows, view: &LogView, projection: Option<&Projection>) -> String {
    let store = rows.store();
    let count = store.len() as u64;
    let mut title = match rows.view() {
        Some(filtered) => {
            let mut conditions = filter_expr::describe(filtered.filter());
            if let Some(projection) = projection {
                if !conditions.is_empty() {
                    conditions.push(' ');
                }
                conditions.push_str("| ");
                conditions.push_str(projection.source());
            }
            let mut title = format!(
                " log · filter: {} · {} of {}",
                conditions,
                group_digits(rows.len() as u64),
                group_digits(count)
            );
            if is_filtering(rows) {
                title += " · filtering…";
            }
            title
        }
        None => {
            let noun = if count == 1 { "message" } else { "messages" };
            format!(" log · {} {noun}", group_digits(count))
        }
    };
    if store.evicted() > 0 {
        title += &format!(" · {} dropped", group_digits(store.evicted()));
    }
    if view.is_following() {
        title += " · FOLLOW";
    } else if view.unseen_below() > 0 {
        title += &format!(" · {} new below ↓", group_digits(view.unseen_below()));
    }
    title + " "
}

/// One row, at most `width` characters wide. `projected` is given when a
/// projection is on: `Some(None)` while its output is not computed yet.
fn entry_line(
    entry: &LogEntry,
    width: usize,
    highlight: Option<&Matcher>,
    unconfirmed: bool,
    projected: Option<Option<&Projected>>,
) -> Line<'static> {
    let mut spans = vec![Span::styled(clock(entry.timestamp()), theme::dim())];
    let preview_width = width.saturating_sub(PREVIEW_COLUMN);
    let preview = match entry {
        LogEntry::System { level, text, .. } => {
            let style = level_style(*level);
            spans.push(Span::styled(" • ", style));
            vec![Span::styled(
                one_line(text, width.saturating_sub(15)),
                style,
            )]
        }
        LogEntry::Frame(frame) => {
            let direction = if frame.direction == Direction::Outgoing {
                theme::outgoing()
            } else {
                theme::incoming()
            };
            spans.push(Span::styled(
                format!(" {} ", frame.direction.arrow()),
                direction,
            ));
            spans.push(Span::styled(
                format!("{:<6} ", frame.kind.as_str()),
                direction,
            ));
            let size = human_size(frame.size());
            spans.push(Span::styled(format!("{size:>8}  "), theme::dim()));
            let preview_width = if unconfirmed {
                spans.push(Span::styled(UNCONFIRMED_MARK, theme::warning()));
                preview_width.saturating_sub(UNCONFIRMED_MARK.chars().count())
            } else {
                preview_width
            };
            match (projected, &frame.decoded) {
                (Some(projected), _) => projected_spans(frame, projected, preview_width),
                (None, Some(decoded)) => {
                    let used = decoded_spans(decoded, preview_width, &mut spans);
                    let mut preview = frame_preview(frame, preview_width.saturating_sub(used));
                    if decoded.heartbeat {
                        for span in &mut preview {
                            span.style = theme::dim();
                        }
                    }
                    preview
                }
                (None, None) => frame_preview(frame, preview_width),
            }
        }
    };
    spans.extend(match highlight {
        Some(matcher) => highlight_spans(preview, matcher),
        None => preview,
    });
    // The parts are measured in characters; wide ones can still overflow the row.
    Line::from(fit_spans(spans, width))
}

/// A projection's output for a message: the value, or a marker saying why there
/// is none (a runtime error in the error style; a payload that is not JSON shows
/// itself, dimmed).
fn projected_spans(
    frame: &WsFrame,
    projected: Option<&Projected>,
    width: usize,
) -> Vec<Span<'static>> {
    match projected {
        Some(Projected::Value(text)) => vec![Span::styled(one_line(text, width), theme::decoded())],
        Some(Projected::Nothing) => vec![Span::styled("(no output)", theme::dim())],
        Some(Projected::Error(message)) => vec![Span::styled(
            one_line(&format!("jq error: {message}"), width),
            theme::error(),
        )],
        Some(Projected::NotJson) => {
            let mut preview = frame_preview(frame, width);
            for span in &mut preview {
                span.style = theme::dim();
            }
            preview
        }
        None => vec![Span::styled("…", theme::dim())],
    }
}

/// The adapter's label (and summary) before the raw preview: `sio event "chat" · `.
/// Takes at most half the preview width; returns the columns used.
fn decoded_spans(decoded: &Decoded, width: usize, spans: &mut Vec<Span<'static>>) -> usize {
    let budget = width / 2;
    let style = if decoded.error.is_some() {
        theme::error()
    } else if decoded.heartbeat {
        theme::dim()
    } else {
        theme::decoded()
    };
    let mut text = decoded.label.clone();
    if !decoded.summary.is_empty() {
        text.push_str(" · ");
        text.push_str(&decoded.summary);
    }
    if let Some(error) = &decoded.error {
        text.push_str(": ");
        text.push_str(error);
    }
    let text = one_line(&text, budget.saturating_sub(3));
    let used = text.chars().count() + 3;
    spans.push(Span::styled(text, style));
    spans.push(Span::styled(" │ ", theme::dim()));
    used
}

fn frame_preview(frame: &WsFrame, width: usize) -> Vec<Span<'static>> {
    let payload = &frame.payload[..];
    match frame.kind {
        FrameKind::Text => match text_prefix(payload, width) {
            Some(text) => json::compact_preview(text, width).spans,
            None => vec![Span::raw(json::hex_preview(payload, width))],
        },
        FrameKind::Binary => vec![Span::raw(json::hex_preview(payload, width))],
        FrameKind::Ping | FrameKind::Pong => {
            vec![Span::styled(
                json::hex_preview(payload, width),
                theme::dim(),
            )]
        }
        FrameKind::Close => {
            let style = match frame.close_code {
                Some(1000) => theme::ok(),
                Some(_) => theme::warning(),
                None => theme::dim(),
            };
            let summary = close_code::summary(frame.close_code, payload);
            vec![Span::styled(one_line(&summary, width), style)]
        }
    }
}

/// The start of a payload as text, enough for a preview of `max_chars`; `None`
/// when it is not UTF-8. Never validates more than that start.
fn text_prefix(payload: &[u8], max_chars: usize) -> Option<&str> {
    let limit = json::preview_input_limit(max_chars).saturating_add(8);
    let cut = payload.len() > limit;
    let bytes = &payload[..payload.len().min(limit)];
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        // The cut split a character: keep what comes before it.
        Err(e) if cut && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    }
}

fn level_style(level: SystemLevel) -> Style {
    match level {
        SystemLevel::Info => theme::ok(),
        SystemLevel::Warning => theme::warning(),
        SystemLevel::Error => theme::error(),
    }
}

/// `text` on one line: control characters as spaces, zero-width and bidi
/// characters as escapes (`\u200d`, see [`terminal_text::push_for_screen`]), at
/// most `max_chars` characters (an ellipsis marks a cut).
fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in text.chars() {
        if count > max_chars {
            break;
        }
        let before = out.len();
        terminal_text::push_for_screen(&mut out, c);
        count += out[before..].chars().count();
    }
    if count > max_chars {
        out = out.chars().take(max_chars.saturating_sub(1)).collect();
        if max_chars > 0 {
            out.push('…');
        }
    }
    out
}

/// Splits `spans` so the matches of `matcher` in their text (what the row shows,
/// not the whole payload) get the search-hit style.
fn highlight_spans(spans: Vec<Span<'static>>, matcher: &Matcher) -> Vec<Span<'static>> {
    let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
    let hits: Vec<(usize, usize)> = matcher
        .find_iter(text.as_bytes())
        // A byte-level regex may match part of a character: nothing to mark there.
        .filter(|hit| text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end))
        .map(|hit| (hit.start, hit.end))
        .collect();
    if hits.is_empty() {
        return spans;
    }
    // Cut points: span edges and hit edges, in byte offsets of `text`.
    let mut out = Vec::new();
    let mut offset = 0;
    for span in spans {
        let end = offset + span.content.len();
        let mut cuts: Vec<usize> = hits
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&c| c > offset && c < end)
            .collect();
        cuts.push(end);
        let mut from = offset;
        for cut in cuts {
            let piece = &text[from..cut];
            let hit = hits.iter().any(|&(a, b)| from >= a && from < b);
            let style = if hit {
                span.style.patch(theme::search_hit())
            } else {
                span.style
            };
            out.push(Span::styled(piece.to_owned(), style));
            from = cut;
        }
        offset = end;
    }
    out
}

/// `HH:MM:SS.mmm` of a timestamp, in UTC (no time-zone database is bundled).
pub fn clock(timestamp: SystemTime) -> String {
    let since = timestamp.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() % 86_400;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{h:02}:{m:02}:{s:02}.{:03}", since.subsec_millis())
}

/// A byte count for people: `123 B`, `12.3 KiB`, `456 MiB`, at most 8 characters
/// below 1 TiB.
pub fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = "KiB";
    for next in ["MiB", "GiB", "TiB"] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    if value < 99.95 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// `1234567` as `1 234 567`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::crossterm::event::KeyCode;

    use super::*;
    use crate::state::log::LogStore;
    use crate::state::log::testing::frame;

    fn draw(
        width: u16,
        height: u16,
        store: &LogStore,
        view: &LogView,
        query: Option<&str>,
    ) -> Buffer {
        let matcher = query.map(|query| Matcher::substring(query, false));
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| {
                render_log(
                    f,
                    f.area(),
                    store,
                    view,
                    true,
                    RowMarks {
                        highlight: matcher.as_ref(),
                        ..RowMarks::default()
                    },
                )
            })
            .unwrap();
        terminal.backend().buffer().clone()
    }

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
    }

    fn sample() -> LogStore {
        let mut store = LogStore::new(100);
        store.push(frame(
            Direction::Outgoing,
            FrameKind::Text,
            r#"{"a": 1, "b": "x"}"#,
        ));
        store.push(frame(
            Direction::Incoming,
            FrameKind::Binary,
            vec![0xde, 0xad, 0xbe, 0xef],
        ));
        store.push(frame(
            Direction::Incoming,
            FrameKind::Text,
            "x".repeat(5000),
        ));
        store.push(frame(Direction::Incoming, FrameKind::Close, "bye"));
        store.push(LogEntry::system(SystemLevel::Error, "connection refused"));
        store
    }

    #[test]
    fn a_redacted_frame_shows_its_real_size() {
        let mut store = LogStore::new(10);
        let mut entry = frame(Direction::Incoming, FrameKind::Text, r#"{"token":"***"}"#);
        if let LogEntry::Frame(frame) = &mut entry {
            // `{"token":"s3cret-tok"}` on the wire: 22 bytes, 15 once redacted.
            frame.wire_len = 22;
        }
        store.push(entry);
        let buf = draw(80, 4, &store, &LogView::new(), None);
        assert!(row(&buf, 1).contains("← text       22 B  {\"token\":\"***\"}"));
    }

    #[test]
    fn rows_show_time_arrow_kind_size_and_preview() {
        let store = sample();
        let buf = draw(80, 10, &store, &LogView::new(), None);
        assert!(row(&buf, 0).starts_with("┌ ▶ log · 5 messages · FOLLOW ─"));
        assert!(
            row(&buf, 1).starts_with("│01:02:03.456 → text       18 B  {\"a\":1,\"b\":\"x\"}  ")
        );
        assert!(row(&buf, 2).contains("← binary      4 B  de ad be ef"));
        assert!(row(&buf, 3).contains("← text    4.9 KiB  xxxxxxxxxx"));
        assert!(row(&buf, 3).ends_with("xx…│"));
        assert!(row(&buf, 4).contains("← close       3 B  1006 Abnormal Closure: bye"));
        assert!(row(&buf, 5).contains(" • connection refused"));
        assert_eq!(buf[(14, 1)].fg, theme::outgoing().fg.unwrap());
        assert_eq!(buf[(36, 1)].fg, theme::json_key().fg.unwrap());
        assert_eq!(buf[(20, 5)].fg, theme::error().fg.unwrap());

        let wide = draw(160, 20, &store, &LogView::new(), Some("CLOSURE"));
        assert_eq!(wide[(1, 3)].symbol(), "0");
        // The preview fills the row but for the ellipsis; one more x is in "text".
        let xs = row(&wide, 3).matches('x').count();
        assert_eq!(xs, 160 - 2 - PREVIEW_COLUMN - 1 + 1);
        let at = row(&wide, 4).find("Closure").unwrap();
        let col = row(&wide, 4)[..at].chars().count() as u16;
        assert_eq!(wide[(col, 4)].bg, theme::search_hit().bg.unwrap());
        assert_ne!(wide[(col - 2, 4)].bg, theme::search_hit().bg.unwrap());
    }

    /// Zero-width joiners, variation selectors and bidi characters are shown as
    /// escapes in the preview, so no row's width depends on how a terminal joins
    /// or reorders them; the border stays in the last column.
    #[test]
    fn zero_width_and_bidi_characters_are_escaped_in_previews() {
        let mut store = LogStore::new(10);
        store.push(frame(
            Direction::Incoming,
            FrameKind::Text,
            "family 👨\u{200d}👩\u{200d}👧 ❤\u{fe0f} \u{202e}gnp.exe",
        ));
        store.push(frame(
            Direction::Incoming,
            FrameKind::Text,
            "{\"k\":\"a\\u200db\",\"raw\":\"x\u{200b}y\u{2067}z\"}",
        ));
        store.push(frame(Direction::Incoming, FrameKind::Close, "bye\u{202e}!"));
        store.push(LogEntry::system(
            SystemLevel::Info,
            "note \u{2066}x\u{2069}",
        ));
        let buf = draw(120, 8, &store, &LogView::new(), None);
        for y in 1..=4 {
            let text = row(&buf, y);
            assert!(
                !text.contains(terminal_text::is_invisible),
                "row {y}: {text:?}"
            );
            assert!(text.ends_with('│'), "row {y}: {text:?}");
        }
        // (A wide emoji's second cell reads as a space here.)
        assert_eq!(
            row(&buf, 1).matches(r"\u200d").count(),
            2,
            "{}",
            row(&buf, 1)
        );
        assert!(
            row(&buf, 1).contains(r"❤\ufe0f \u202egnp.exe"),
            "{}",
            row(&buf, 1)
        );
        assert!(
            row(&buf, 2).contains(r#""raw":"x\u200by\u2067z""#),
            "{}",
            row(&buf, 2)
        );
        assert!(row(&buf, 3).contains(r"bye\u202e!"), "{}", row(&buf, 3));
        assert!(
            row(&buf, 4).contains(r"note \u2066x\u2069"),
            "{}",
            row(&buf, 4)
        );
    }

    #[test]
    fn selected_row_and_new_below_marker() {
        let mut store = sample();
        for i in 0..10 {
            store.push(LogEntry::system(SystemLevel::Info, format!("line {i}")));
        }
        let mut view = LogView::new();
        view.set_page_rows(8);
        view.handle_key(KeyCode::Up.into(), &store);
        view.handle_key(KeyCode::Up.into(), &store);
        for _ in 0..3 {
            store.push(LogEntry::system(SystemLevel::Info, "more"));
        }
        view.on_append(&store);
        let buf = draw(80, 10, &store, &view, None);
        assert!(row(&buf, 0).contains(" log · 18 messages · 3 new below ↓ "));
        assert!(row(&buf, 7).contains("• line 8"));
        let reversed = ratatui::style::Modifier::REVERSED;
        assert!(buf[(70, 7)].modifier.contains(reversed));
        assert!(!buf[(70, 6)].modifier.contains(reversed));
        assert!(!buf[(70, 8)].modifier.contains(reversed));
    }

    #[test]
    fn only_the_visible_window_is_drawn() {
        let mut store = LogStore::new(100_000);
        // One 20 MB payload shared by every entry: drawing it whole would be slow.
        let big = Bytes::from(format!("[{}1]", "1, ".repeat(7_000_000)));
        for _ in 0..99_990 {
            store.push(frame(Direction::Incoming, FrameKind::Text, big.clone()));
        }
        for i in 0..10 {
            store.push(LogEntry::system(SystemLevel::Warning, format!("m{i}")));
        }
        for _ in 0..5 {
            store.push(LogEntry::system(SystemLevel::Info, "dropping"));
        }
        let buf = draw(80, 10, &store, &LogView::new(), None);
        assert!(row(&buf, 0).contains("100 000 messages · 5 dropped · FOLLOW"));
        assert!(row(&buf, 8).contains("• dropping"));
        assert!(row(&buf, 3).contains("• m9"));
        assert!(row(&buf, 1).contains("• m7"));
        let mut view = LogView::new();
        view.set_page_rows(8);
        view.scroll(-20, &store);
        let buf = draw(80, 10, &store, &view, Some("1,"));
        assert!(row(&buf, 1).contains("20.0 MiB  [1,1,1,1,"));
        assert_eq!(buf[(35, 1)].bg, theme::search_hit().bg.unwrap());
    }

    fn draw_rows(width: u16, height: u16, rows: LogRows, view: &LogView) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| render_log(f, f.area(), rows, view, false, RowMarks::default()))
            .unwrap();
        terminal.backend().buffer().clone()
    }

    #[test]
    fn a_filter_shows_its_rows_and_says_so_in_the_title() {
        use crate::state::log::{Filter, FilteredView};
        let mut store = LogStore::new(2000);
        for (_, entry) in sample().window(0, 10) {
            store.push(entry.clone());
        }
        for i in 0..1200 {
            store.push(LogEntry::system(SystemLevel::Info, format!("tick {i}")));
        }
        let filter = Filter::default()
            .with_direction(Some(Direction::Incoming))
            .with_system(false);
        let mut filtered = FilteredView::new(filter);
        filtered.step(&store, 3);
        let buf = draw_rows(80, 6, LogRows::filtered(&store, &filtered), &LogView::new());
        assert!(
            row(&buf, 0).contains(" log · filter: in · 2 of 1 205 · filtering… · FOLLOW "),
            "{}",
            row(&buf, 0)
        );
        while !filtered.step(&store, 100).done {}
        let buf = draw_rows(80, 6, LogRows::filtered(&store, &filtered), &LogView::new());
        assert!(row(&buf, 0).contains(" log · filter: in · 3 of 1 205 · FOLLOW "));
        assert!(row(&buf, 1).contains("← binary"));
        assert!(row(&buf, 2).contains("← text"));
        assert!(row(&buf, 3).contains("← close"));
        assert!(row(&buf, 4).starts_with("│ "), "{}", row(&buf, 4));

        // Nothing kept: the pane says so, or that it is still looking.
        let mut none = FilteredView::new(Filter::default().with_text("nowhere", false));
        none.step(&store, 10);
        let buf = draw_rows(80, 6, LogRows::filtered(&store, &none), &LogView::new());
        assert!(row(&buf, 1).contains("filtering…"));
        while !none.step(&store, 1000).done {}
        let buf = draw_rows(80, 6, LogRows::filtered(&store, &none), &LogView::new());
        assert!(row(&buf, 0).contains("filter: \"nowhere\" · 0 of 1 205"));
        assert!(row(&buf, 1).contains("no message matches the filter — f edits it, F clears it"));
    }

    #[test]
    fn regex_highlights_mark_every_match() {
        let mut store = LogStore::new(10);
        store.push(frame(
            Direction::Incoming,
            FrameKind::Text,
            r#"{"seq":12,"n":345}"#,
        ));
        let matcher = Matcher::regex(r"\d+").unwrap();
        let mut terminal = Terminal::new(TestBackend::new(80, 4)).unwrap();
        terminal
            .draw(|f| {
                render_log(
                    f,
                    f.area(),
                    &store,
                    &LogView::new(),
                    true,
                    RowMarks {
                        highlight: Some(&matcher),
                        ..RowMarks::default()
                    },
                )
            })
            .unwrap();
        let buf = terminal.backend().buffer().clone();
        let text = row(&buf, 1);
        let hit = theme::search_hit().bg.unwrap();
        let marked: String = text
            .chars()
            .enumerate()
            .filter(|&(x, _)| buf[(x as u16, 1)].bg == hit)
            .map(|(_, c)| c)
            .collect();
        assert_eq!(marked, "12345", "{text}");
    }

    #[test]
    fn cut_rows_and_titles_end_with_an_ellipsis() {
        let mut store = sample();
        store.push(frame(
            Direction::Incoming,
            FrameKind::Text,
            "日本語のテキストはセルを二つずつ使う",
        ));
        let buf = draw(24, 9, &store, &LogView::new(), None);
        assert_eq!(row(&buf, 0), "┌ ▶ log · 6 messages ·…┐");
        for y in 1..=6 {
            let text = row(&buf, y);
            assert!(text.ends_with("…│"), "row {y}: {text:?}");
        }
        let wide = draw(60, 3, &store, &LogView::new(), None);
        // The second cell of each wide character reads as a space here; half a
        // character does not fit in the column left after "…".
        assert!(
            row(&wide, 1).ends_with("は セ ル を … │"),
            "{:?}",
            row(&wide, 1)
        );
        let empty = draw(20, 3, &LogStore::new(5), &LogView::new(), None);
        assert_eq!(row(&empty, 1), "│no messages yet —…│");
    }

    #[test]
    fn fitting_spans_keeps_their_styles_and_always_shows_the_cut() {
        let spans = || vec![Span::styled("abc", theme::dim()), Span::raw("def")];
        assert_eq!(fit_spans(spans(), 6), spans());
        let cut = fit_spans(spans(), 5);
        assert_eq!(
            cut,
            vec![Span::styled("abc", theme::dim()), Span::raw("d…")]
        );
        // "abc" would just fit in 3 columns, but "def" is left out: the cut shows.
        assert_eq!(
            fit_spans(spans(), 3),
            vec![Span::styled("ab…", theme::dim())]
        );
        assert_eq!(
            fit_spans(spans(), 4),
            vec![Span::styled("abc", theme::dim()), Span::raw("…")]
        );
    }

    #[test]
    fn the_entry_at_a_row_is_the_one_drawn_there() {
        let store = sample();
        let following = LogView::new();
        assert_eq!(entry_at_row(&store, &following, 3, 0), Some(2));
        assert_eq!(entry_at_row(&store, &following, 3, 2), Some(4));
        assert_eq!(entry_at_row(&store, &following, 3, 3), None);
        assert_eq!(
            entry_at_row(&store, &following, 8, 5),
            None,
            "below the last row"
        );
        let mut scrolled = LogView::new();
        scrolled.set_page_rows(3);
        scrolled.scroll(-2, &store);
        assert_eq!(entry_at_row(&store, &scrolled, 3, 0), Some(0));
        let buf = draw(80, 5, &store, &scrolled, None);
        assert!(row(&buf, 1).contains("→ text"), "{}", row(&buf, 1));
    }

    #[test]
    fn helpers() {
        assert_eq!(
            clock(UNIX_EPOCH + Duration::from_millis(86_400_000 + 59_999)),
            "00:00:59.999"
        );
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(200 * 1024), "200 KiB");
        assert_eq!(human_size(5 << 20), "5.0 MiB");
        assert_eq!(group_digits(1_234_567), "1 234 567");
        assert_eq!(group_digits(999), "999");
        assert_eq!(one_line("a\nb", 2), "a…");
        assert_eq!(one_line("a\nb", 3), "a b");
        assert_eq!(one_line("a\u{200d}b", 20), "a\\u200db");
        assert_eq!(one_line("a\u{200d}b", 4), "a\\u…");
        let empty = draw(40, 5, &LogStore::new(5), &LogView::new(), None);
        assert!(row(&empty, 1).contains("no messages yet"));
    }
}
