//! The inspector overlay: a large popup over the whole screen showing one message
//! whole, its metadata on top.
//!
//! ```text
//!  ┌ inspector · message 42 ─────────────────────────── rows 1–20 of 340 ┐
//!  │time 12:00:01.250 UTC  ← incoming  kind text  size 1.2 KiB (1 234 B) │
//!  │json · tree · fold depth 2                                           │
//!  │{                                                                    │
//!  │  "op": "update",                                                    │
//!  │  "data": {…} 12 keys                                                │
//!  └ ↑↓ PgUp PgDn scroll · +/- fold · t tree · y copy · Esc close ───────┘
//! ```
//!
//! The popup leaves two columns and two rows free around it; the body is the popup's
//! inside minus two header rows, see [`body_size`]. Only the visible rows are built.
//! Whatever is too wide for the popup (header lines, a title, the key hints, a row
//! the body could not wrap) ends with "…".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

use super::fit::{fit, fit_line};
use super::log_pane::{clock, group_digits, human_size};
use super::theme;
use crate::keymap::Keymap;
use crate::keymap::hints::{HintPlace, hints as keymap_hints};
use crate::session::close_code;
use crate::session::{Direction, FrameKind};
use crate::state::inspector::{Inspector, InspectorMode};
use crate::state::log::{LogEntry, SystemLevel};

/// Rows above the body inside the popup: metadata, then the view line.
const HEADER_ROWS: u16 = 2;

/// The popup for a screen of `screen`'s size.
fn popup(screen: Rect) -> Rect {
    let width = screen.width.saturating_sub(4).max(screen.width.min(20));
    let height = screen.height.saturating_sub(4).max(screen.height.min(6));
    Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + (screen.height - height) / 2,
        width,
        height,
    )
}

/// The body's size (columns, rows) on a screen of `screen`'s size: pass it to
/// [`Inspector::set_page_size`] so scrolling and wrapping match what is drawn.
/// Rows are `screen.height - 8`, columns `screen.width - 6` on usual screens.
pub fn body_size(screen: Rect) -> (u16, u16) {
    let inner = Block::bordered().inner(popup(screen));
    (inner.width, inner.height.saturating_sub(HEADER_ROWS))
}

/// Draws the inspector over `area` (the whole screen): a centred popup with a
/// cleared background.
pub fn render_inspector(frame: &mut Frame, area: Rect, inspector: &Inspector, keymap: &Keymap) {
    let popup = popup(area);
    let (_, rows) = body_size(area);
    let border_room = usize::from(popup.width.saturating_sub(2));
    let title = title(inspector.entry());
    let position = position(inspector, rows);
    let mut block = Block::bordered()
        .border_style(theme::focused_border())
        .title_bottom(fit_line(&hints(inspector, keymap), border_room));
    // The title and the position share the top border; the position gives way.
    block = if Span::raw(&title).width() + position.width() <= border_room {
        block
            .title(Span::styled(title, theme::title()))
            .title_top(position.right_aligned())
    } else {
        block.title(Span::styled(fit(&title, border_room), theme::title()))
    };
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let buf = frame.buffer_mut();
    let width = usize::from(inner.width);
    let header = [metadata(inspector.entry()), detail(inspector)];
    for (y, line) in (inner.y..inner.bottom()).zip(header.iter()) {
        buf.set_line(inner.x, y, &fit_line(line, width), inner.width);
    }
    let body_top = inner.y.saturating_add(HEADER_ROWS).min(inner.bottom());
    if inspector.total_rows() == 0 && rows > 0 {
        let empty = Line::styled("(empty payload)", theme::dim());
        buf.set_line(inner.x, body_top, &fit_line(&empty, width), inner.width);
        return;
    }
    // Rows are wrapped to the width already; a hex dump line on a narrow screen,
    // or a row of wide characters, may still be too wide.
    for (y, line) in (body_top..).zip(inspector.visible_rows(usize::from(rows))) {
        buf.set_line(inner.x, y, &fit_line(&line, width), inner.width);
    }
}

fn title(entry: &LogEntry) -> String {
    match entry {
        LogEntry::Frame(frame) => format!(" inspector · message {} ", frame.id),
        LogEntry::System { .. } => " inspector · system line ".to_owned(),
    }
}

/// " rows 1–20 of 340 " for a body of `rows` rows.
fn position(inspector: &Inspector, rows: u16) -> Line<'static> {
    let total = inspector.total_rows();
    let first = (inspector.scroll() + 1).min(total);
    let last = (inspector.scroll() + usize::from(rows)).min(total);
    let [first, last, total] = [first, last, total].map(|n| group_digits(n as u64));
    Line::styled(format!(" rows {first}–{last} of {total} "), theme::dim())
}

fn hints(inspector: &Inspector, keymap: &Keymap) -> Line<'static> {
    let place = HintPlace::Inspector {
        json: inspector.is_json(),
        tree: inspector.mode() == InspectorMode::Tree,
    };
    super::help::border_hints(&keymap_hints(keymap, place))
}

/// `time 12:00:01.250 UTC  ← incoming  kind text  size 1.2 KiB (1 234 B)`.
fn metadata(entry: &LogEntry) -> Line<'static> {
    let mut spans = vec![
        Span::styled("time ", theme::label()),
        Span::raw(format!("{} UTC", clock(entry.timestamp()))),
    ];
    let LogEntry::Frame(frame) = entry else {
        return Line::from(spans);
    };
    let (word, style) = match frame.direction {
        Direction::Outgoing => ("outgoing", theme::outgoing()),
        Direction::Incoming => ("incoming", theme::incoming()),
    };
    let size = frame.size();
    spans.extend([
        Span::styled(format!("  {} {word}", frame.direction.arrow()), style),
        Span::styled("  kind ", theme::label()),
        Span::raw(frame.kind.as_str()),
        Span::styled("  size ", theme::label()),
        Span::raw(if size < 1024 {
            human_size(size)
        } else {
            format!("{} ({} B)", human_size(size), group_digits(size as u64))
        }),
    ]);
    Line::from(spans)
}

/// What the body shows, after what the protocol adapter made of the frame:
/// `sio ack #5 12 ms · json · pretty`.
fn detail(inspector: &Inspector) -> Line<'static> {
    let view = body_detail(inspector);
    let LogEntry::Frame(frame) = inspector.entry() else {
        return view;
    };
    let Some(decoded) = &frame.decoded else {
        return view;
    };
    let mut spans = vec![Span::styled(decoded.label.clone(), theme::decoded())];
    if !decoded.summary.is_empty() {
        spans.push(Span::raw(format!(" {}", decoded.summary)));
    }
    if let Some(error) = &decoded.error {
        spans.push(Span::styled(format!(" — {error}"), theme::error()));
    }
    spans.push(Span::styled(" · ", theme::dim()));
    spans.extend(view.spans);
    Line::from(spans)
}

/// What the body shows: the close code, the JSON view, why text is not JSON…
fn body_detail(inspector: &Inspector) -> Line<'static> {
    let frame = match inspector.entry() {
        LogEntry::System { level, .. } => {
            let (word, style) = match level {
                SystemLevel::Info => ("info", theme::ok()),
                SystemLevel::Warning => ("warning", theme::warning()),
                SystemLevel::Error => ("error", theme::error()),
            };
            return Line::from(vec![
                Span::styled("system line · ", theme::label()),
                Span::styled(word, style),
            ]);
        }
        LogEntry::Frame(frame) => frame,
    };
    if frame.kind == FrameKind::Close {
        let Some(code) = frame.close_code else {
            return Line::styled("no status code", theme::dim());
        };
        let style = if code == 1000 {
            theme::ok()
        } else {
            theme::warning()
        };
        return Line::from(vec![
            Span::styled("close ", theme::label()),
            Span::styled(format!("{code} {}", close_code::name(code)), style),
            Span::styled(format!(" — {}", close_code::meaning(code)), theme::dim()),
        ]);
    }
    if let Some(error) = inspector.json_error() {
        return Line::styled(
            format!("not valid JSON ({error}); shown as text"),
            theme::warning(),
        );
    }
    let text = match (inspector.is_json(), inspector.mode()) {
        (true, InspectorMode::Pretty) => "json · pretty".to_owned(),
        (true, InspectorMode::Tree) => {
            format!("json · tree · fold depth {}", inspector.fold_depth())
        }
        (false, _) if frame.kind == FrameKind::Text && frame.text().is_some() => "text".to_owned(),
        (false, _) => "hex dump".to_owned(),
    };
    Line::styled(text, theme::label())
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::crossterm::event::KeyCode;
    use ratatui::widgets::Paragraph;

    use super::*;
    use crate::state::log::testing::frame;

    /// An outgoing frame to inspect.
    fn entry(kind: FrameKind, payload: impl Into<Bytes>) -> LogEntry {
        frame(Direction::Outgoing, kind, payload)
    }

    /// Draws over a screen full of `#`, so what the popup does not clear shows.
    fn draw(width: u16, height: u16, inspector: &Inspector) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| {
                let fill = vec![Line::raw("#".repeat(usize::from(width))); usize::from(height)];
                f.render_widget(Paragraph::new(fill), f.area());
                render_inspector(f, f.area(), inspector, Keymap::defaults());
            })
            .unwrap();
        terminal.backend().buffer().clone()
    }

    fn rows(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect()
    }

    fn open(entry: &LogEntry, screen: Rect) -> Inspector {
        let mut inspector = Inspector::open(entry);
        let (cols, rows) = body_size(screen);
        inspector.set_page_size(cols, rows);
        inspector
    }

    #[test]
    fn json_message_with_metadata() {
        let screen = Rect::new(0, 0, 80, 16);
        assert_eq!(body_size(screen), (74, 8));
        let text = format!(r#"{{"op": "update", "items": [{}0]}}"#, "1, ".repeat(20));
        let mut inspector = open(&entry(FrameKind::Text, text), screen);
        let buf = draw(80, 16, &inspector);
        let rows = rows(&buf);
        assert_eq!(rows[1], "#".repeat(80));
        assert!(rows[2].starts_with("##┌ inspector · message 42 "));
        assert!(rows[2].ends_with(" rows 1–8 of 26 ┐##"));
        assert!(rows[3].contains("time 01:02:03.456 UTC  → outgoing  kind text  size 90 B "));
        assert!(rows[4].contains("│json · pretty "));
        assert!(rows[5].starts_with("##│{ "));
        assert!(rows[6].contains(r#"│  "op": "update","#));
        assert!(rows[12].contains("│    1, "));
        assert!(rows[13].contains("t tree · y copy · Esc close"));
        assert_eq!(rows[14], "#".repeat(80));
        assert_eq!(buf[(5, 6)].fg, theme::json_key().fg.unwrap());

        // The first '-' folds the pretty view at depth 1, the second at depth 0.
        inspector.handle_key(KeyCode::Char('-').into());
        inspector.handle_key(KeyCode::Char('-').into());
        inspector.handle_key(KeyCode::End.into());
        let rows = self::rows(&draw(80, 16, &inspector));
        assert!(rows[4].contains("json · tree · fold depth 0"));
        assert!(rows[7].contains(r#"  "items": […] 21 items"#));
        assert!(rows[2].ends_with(" rows 1–4 of 4 ┐##"));
        assert!(rows[13].contains("t pretty"));
        let mut big = open(&entry(FrameKind::Text, "x\n".repeat(1000)), screen);
        big.handle_key(KeyCode::PageDown.into());
        let rows = self::rows(&draw(80, 16, &big));
        assert!(rows[3].contains("size 2.0 KiB (2 000 B)"));
        assert!(rows[2].ends_with(" rows 9–16 of 1 001 ┐##"));
        // A redacted frame shows the size it had on the wire.
        let mut redacted = entry(FrameKind::Text, "***");
        if let LogEntry::Frame(frame) = &mut redacted {
            frame.wire_len = 2_048;
        }
        let rows = self::rows(&draw(80, 16, &open(&redacted, screen)));
        assert!(rows[3].contains("size 2.0 KiB (2 048 B)"), "{}", rows[3]);
    }

    #[test]
    fn binary_close_and_system_views() {
        let screen = Rect::new(0, 0, 100, 12);
        let binary = open(
            &entry(FrameKind::Binary, vec![0xde, 0xad, 0xbe, 0xef]),
            screen,
        );
        let rows = rows(&draw(100, 12, &binary));
        assert!(rows[4].contains("│hex dump"));
        assert!(rows[5].contains("│00000000  de ad be ef"));
        assert!(rows[5].contains("|....|"));

        let close = open(&entry(FrameKind::Close, "server restart"), screen);
        let rows = self::rows(&draw(100, 12, &close));
        assert!(rows[3].contains("kind close"));
        assert!(rows[4].contains("close 1006 Abnormal Closure — the connection dropped"));
        assert!(rows[5].contains("1006 Abnormal Closure: server restart"));

        let system = LogEntry::system(SystemLevel::Error, "connection refused");
        let rows = self::rows(&draw(100, 12, &open(&system, screen)));
        assert!(rows[2].contains("inspector · system line"));
        assert!(rows[4].contains("system line · error"));
        assert!(rows[5].contains("connection refused"));

        let empty = open(&entry(FrameKind::Ping, Bytes::new()), screen);
        assert!(rows_of(&empty, screen)[5].contains("(empty payload)"));
        let broken = open(&entry(FrameKind::Text, "[1, 2"), screen);
        assert!(rows_of(&broken, screen)[4].contains("not valid JSON"));
        // Tiny screens do not panic.
        for (w, h) in [(1, 1), (5, 3), (20, 6)] {
            draw(w, h, &broken);
        }
    }

    #[test]
    fn too_wide_lines_end_with_an_ellipsis() {
        let screen = Rect::new(0, 0, 40, 10);
        let binary = open(&entry(FrameKind::Binary, vec![0xab; 40]), screen);
        let rows = rows_of(&binary, screen);
        assert_eq!(
            rows[2], "##┌ inspector · message 42 ──────────┐##",
            "no room for the position: it gives way"
        );
        assert_eq!(rows[3], "##│time 01:02:03.456 UTC  → outgoing…│##");
        assert_eq!(rows[5], "##│00000000  ab ab ab ab ab ab ab ab…│##");
        assert_eq!(rows[7], "##└ ↑/↓ scroll · y copy · Esc close ─┘##");
        // JSON adds folding and the tree: too long for the border, cut with "…".
        let json = open(&entry(FrameKind::Text, r#"{"a":1}"#), screen);
        assert_eq!(
            rows_of(&json, screen)[7],
            "##└ ↑/↓ scroll · +/- fold · t tree ·…┘##"
        );
        let broken = open(&entry(FrameKind::Text, "[1, 2"), screen);
        assert_eq!(
            rows_of(&broken, screen)[4],
            "##│not valid JSON (EOF while parsing…│##"
        );
    }

    #[test]
    fn fit_line_cuts_in_the_span_that_overflows() {
        let line = Line::from(vec![
            Span::styled("key ", theme::label()),
            Span::styled("value", theme::json_string()),
        ]);
        assert_eq!(fit_line(&line, 9), line);
        let cut = fit_line(&line, 8);
        assert_eq!(cut.to_string(), "key val…");
        assert_eq!(cut.spans[1].style, theme::json_string());
        assert_eq!(
            fit_line(&line, 4).to_string(),
            "key…",
            "the span that fills the room ends the line"
        );
        assert_eq!(fit_line(&line, 0).to_string(), "");
    }

    fn rows_of(inspector: &Inspector, screen: Rect) -> Vec<String> {
        rows(&draw(screen.width, screen.height, inspector))
    }
}
