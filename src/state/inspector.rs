//! The message inspector: one log entry opened whole, as pretty or folded JSON,
//! plain text or a hex dump, with its own scroll position.
//!
//! JSON is checked and indexed once, when the inspector opens (a [`JsonDoc`]: where
//! every value is, nothing decoded); a view (pretty, or folded below a depth) is a
//! list of lines, each built only while it is on screen. Plain text is split into
//! lines once. A wrap index recording the lines that take more than one row makes
//! a scroll position a binary search away, so drawing and scrolling cost the
//! visible rows only. Rows wrap at [`Inspector::set_page_size`]'s width, counting
//! characters (a wide character can push a row past the edge). Payloads over
//! 1 MiB open folded, so a 20 MB message opens on an overview rather than on
//! millions of lines.

mod views;
mod wrap;

use base64::Engine as _;
use bytes::Bytes;
use ratatui::text::Line;

use self::views::{JsonView, TextView};
use super::log::LogEntry;
use crate::keymap::InspectorAction;
use crate::session::FrameKind;
use crate::session::close_code;
use crate::state::hex_dump::{HEX_BYTES_PER_LINE, hex_dump_at};
use crate::state::json::JsonDoc;

/// Payloads larger than this open in the folded tree view.
const LARGE_PAYLOAD: usize = 1 << 20;
/// serde_json refuses documents nested deeper than this, so deeper folds show nothing new.
const MAX_FOLD_DEPTH: usize = 128;

/// How a JSON message is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectorMode {
    /// Every line, pretty-printed.
    Pretty,
    /// Pretty-printed, with objects and arrays below the fold depth collapsed.
    Tree,
}

/// What a key did in the inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectorOutcome {
    /// Handled (or ignored); the inspector stays open.
    None,
    /// Close the inspector.
    Close,
    /// Put this text on the clipboard: a text message as it was, binary payloads as
    /// base64 (it survives a clipboard and decodes anywhere, unlike a hex dump).
    Copy(String),
}

/// One entry opened for reading.
#[derive(Debug, Clone)]
pub struct Inspector {
    entry: LogEntry,
    json_error: Option<String>,
    mode: InspectorMode,
    fold_depth: usize,
    /// First visible screen row.
    scroll: usize,
    page_rows: u16,
    page_cols: u16,
    content: Content,
}

/// The body.
#[derive(Debug, Clone)]
enum Content {
    Text(TextView),
    Json(JsonView),
    Hex(Bytes),
}

impl Inspector {
    /// Opens `entry`: text that starts with `{` or `[` and parses is JSON; other
    /// text is shown as it is; binary, ping and pong payloads as a hex dump.
    pub fn open(entry: &LogEntry) -> Self {
        let (page_cols, fold_depth) = (80, 1);
        let mut mode = InspectorMode::Pretty;
        let mut json = None;
        let mut json_error = None;
        if let LogEntry::Frame(frame) = entry
            && frame.kind == FrameKind::Text
            && let Some(text) = frame.text()
            && matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
        {
            if frame.payload.len() > LARGE_PAYLOAD {
                mode = InspectorMode::Tree;
            }
            match JsonDoc::parse(frame.payload.clone()) {
                Ok(doc) => json = Some(doc),
                Err(error) => json_error = Some(error),
            }
        }
        let cols = usize::from(page_cols);
        let content = match json {
            Some(doc) => Content::Json(JsonView::new(doc, fold(mode, fold_depth), cols)),
            None => plain_content(entry, cols),
        };
        Inspector {
            entry: entry.clone(),
            json_error,
            mode,
            fold_depth,
            scroll: 0,
            page_rows: 20,
            page_cols,
            content,
        }
    }

    /// Carries out an inspector action: scroll, fold deeper or shallower (showing
    /// the tree), toggle pretty and tree, copy, close.
    pub fn apply(&mut self, action: InspectorAction) -> InspectorOutcome {
        let page = usize::from(self.page_rows);
        let json = self.is_json();
        match action {
            InspectorAction::Close => return InspectorOutcome::Close,
            InspectorAction::Copy => return InspectorOutcome::Copy(self.copy_text()),
            InspectorAction::ScrollUp => self.scroll_to(self.scroll.saturating_sub(1)),
            InspectorAction::ScrollDown => self.scroll_to(self.scroll + 1),
            InspectorAction::PageUp => self.scroll_to(self.scroll.saturating_sub(page)),
            InspectorAction::PageDown => self.scroll_to(self.scroll + page),
            InspectorAction::Top => self.scroll_to(0),
            InspectorAction::Bottom => self.scroll_to(usize::MAX),
            InspectorAction::Unfold if json => {
                let deeper = match self.mode {
                    InspectorMode::Pretty => self.fold_depth,
                    InspectorMode::Tree => (self.fold_depth + 1).min(MAX_FOLD_DEPTH),
                };
                self.set_view(InspectorMode::Tree, deeper);
            }
            InspectorAction::Fold if json => {
                let shallower = match self.mode {
                    InspectorMode::Pretty => self.fold_depth,
                    InspectorMode::Tree => self.fold_depth.saturating_sub(1),
                };
                self.set_view(InspectorMode::Tree, shallower);
            }
            InspectorAction::ToggleTree if json => {
                let mode = match self.mode {
                    InspectorMode::Pretty => InspectorMode::Tree,
                    InspectorMode::Tree => InspectorMode::Pretty,
                };
                self.set_view(mode, self.fold_depth);
            }
            _ => {}
        }
        InspectorOutcome::None
    }

    /// Handles one key with the default keymap (tests; the app looks keys up in
    /// its keymap and calls [`Inspector::apply`]).
    #[cfg(test)]
    pub fn handle_key(&mut self, key: ratatui::crossterm::event::KeyEvent) -> InspectorOutcome {
        match crate::keymap::Keymap::defaults().inspector.action(key) {
            Some(action) => self.apply(action),
            None => InspectorOutcome::None,
        }
    }

    /// The number of body rows on screen (keeps the current width).
    pub fn set_page_rows(&mut self, rows: u16) {
        self.set_page_size(self.page_cols, rows);
    }

    /// The body's size on screen (see `ui::inspector::body_size`); rows wrap at
    /// `cols` characters.
    pub fn set_page_size(&mut self, cols: u16, rows: u16) {
        self.page_rows = rows.max(1);
        if cols.max(1) != self.page_cols {
            self.page_cols = cols.max(1);
            let cols = usize::from(self.page_cols);
            match &mut self.content {
                Content::Text(view) => view.rewrap(cols),
                Content::Json(view) => view.rewrap(cols),
                Content::Hex(_) => {}
            }
        }
        self.scroll_to(self.scroll);
    }

    /// The entry being inspected.
    pub fn entry(&self) -> &LogEntry {
        &self.entry
    }

    /// Whether the message is shown as JSON (pretty or folded).
    pub fn is_json(&self) -> bool {
        matches!(self.content, Content::Json(_))
    }

    /// Why a text that looked like JSON is shown as plain text.
    pub fn json_error(&self) -> Option<&str> {
        self.json_error.as_deref()
    }

    /// Pretty or tree (only matters for JSON).
    pub fn mode(&self) -> InspectorMode {
        self.mode
    }

    /// Objects and arrays nested deeper than this are collapsed in the tree view.
    pub fn fold_depth(&self) -> usize {
        self.fold_depth
    }

    /// The first visible body row.
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// How many rows the body has at the current width.
    pub fn total_rows(&self) -> usize {
        match &self.content {
            Content::Text(view) => view.total_rows(),
            Content::Json(view) => view.total_rows(),
            Content::Hex(bytes) => bytes.len().div_ceil(HEX_BYTES_PER_LINE),
        }
    }

    /// Up to `count` body rows from the scroll position; costs O(count) rows
    /// (plus one pass over a very long line that is on screen).
    pub fn visible_rows(&self, count: usize) -> Vec<Line<'static>> {
        match &self.content {
            Content::Text(view) => view.rows(self.scroll, count),
            Content::Json(view) => view.rows(self.scroll, count),
            Content::Hex(bytes) => hex_dump_at(bytes, self.scroll, count),
        }
    }

    fn scroll_to(&mut self, row: usize) {
        let max = self
            .total_rows()
            .saturating_sub(usize::from(self.page_rows));
        self.scroll = row.min(max);
    }

    /// Shows the JSON view `mode` folded at `fold_depth`, from its top.
    fn set_view(&mut self, mode: InspectorMode, fold_depth: usize) {
        if (mode, fold_depth) == (self.mode, self.fold_depth) {
            return;
        }
        (self.mode, self.fold_depth) = (mode, fold_depth);
        if let Content::Json(view) = &mut self.content {
            view.lay_out(fold(mode, fold_depth));
        }
        self.scroll = 0;
    }

    fn copy_text(&self) -> String {
        let base64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        match &self.entry {
            LogEntry::System { text, .. } => text.clone(),
            LogEntry::Frame(frame) => match (frame.kind, frame.text()) {
                (FrameKind::Text, Some(text)) => text.to_owned(),
                (FrameKind::Close, _) => close_code::summary(frame.close_code, &frame.payload),
                _ => base64(&frame.payload),
            },
        }
    }
}

/// The fold depth of a JSON view: none when pretty.
fn fold(mode: InspectorMode, fold_depth: usize) -> Option<usize> {
    (mode == InspectorMode::Tree).then_some(fold_depth)
}

/// The body of an entry that is not shown as JSON, wrapped at `cols` characters.
fn plain_content(entry: &LogEntry, cols: usize) -> Content {
    let text = |text: &str| Content::Text(TextView::new(text_lines(text), cols));
    match entry {
        LogEntry::System { text: line, .. } => text(line),
        LogEntry::Frame(frame) => match (frame.kind, frame.text()) {
            (FrameKind::Text, Some(payload)) => text(payload),
            (FrameKind::Close, _) => text(&close_code::summary(frame.close_code, &frame.payload)),
            _ => Content::Hex(frame.payload.clone()),
        },
    }
}

/// Plain text as lines: tabs as four spaces, other control characters as spaces,
/// zero-width and bidi characters as escapes (the hex view keeps their bytes).
fn text_lines(text: &str) -> Vec<Line<'static>> {
    text.split('\n')
        .map(|line| {
            let line = line
                .strip_suffix('\r')
                .unwrap_or(line)
                .replace('\t', "    ");
            Line::raw(crate::terminal_text::for_screen(&line).into_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Direction;
    use crate::state::log::testing::frame;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};

    /// An incoming frame to inspect.
    fn entry(kind: FrameKind, payload: impl Into<Bytes>) -> LogEntry {
        frame(Direction::Incoming, kind, payload)
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn press(inspector: &mut Inspector, code: KeyCode) -> InspectorOutcome {
        inspector.handle_key(KeyEvent::from(code))
    }

    #[test]
    fn json_opens_pretty_and_folds() {
        let text = r#"{"a": {"b": {"c": 1}}, "list": [1, 2, 3]}"#;
        let mut inspector = Inspector::open(&entry(FrameKind::Text, text));
        assert!(inspector.is_json());
        assert_eq!(inspector.mode(), InspectorMode::Pretty);
        assert_eq!(inspector.total_rows(), 12);
        assert_eq!(texts(&inspector.visible_rows(2)), ["{", "  \"a\": {"]);
        press(&mut inspector, KeyCode::Char('t'));
        assert_eq!(inspector.mode(), InspectorMode::Tree);
        let tree = texts(&inspector.visible_rows(20));
        assert_eq!(tree[2], "    \"b\": {…} 1 key");
        press(&mut inspector, KeyCode::Char('-'));
        assert_eq!(texts(&inspector.visible_rows(20))[1], "  \"a\": {…} 1 key,");
        press(&mut inspector, KeyCode::Char('-'));
        assert_eq!(inspector.fold_depth(), 0);
        for _ in 0..200 {
            press(&mut inspector, KeyCode::Char('+'));
        }
        assert_eq!(inspector.fold_depth(), MAX_FOLD_DEPTH);
        assert_eq!(inspector.total_rows(), 12);
        let outcome = press(&mut inspector, KeyCode::Char('y'));
        assert_eq!(outcome, InspectorOutcome::Copy(text.to_owned()));
        assert_eq!(press(&mut inspector, KeyCode::Esc), InspectorOutcome::Close);
        assert_eq!(
            press(&mut inspector, KeyCode::Char('q')),
            InspectorOutcome::Close
        );
    }

    #[test]
    fn scrolling_stays_in_bounds() {
        let text = (0..100)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut inspector = Inspector::open(&entry(FrameKind::Text, text));
        inspector.set_page_size(40, 10);
        press(&mut inspector, KeyCode::Up);
        assert_eq!(inspector.scroll(), 0);
        press(&mut inspector, KeyCode::Down);
        press(&mut inspector, KeyCode::PageDown);
        assert_eq!(inspector.scroll(), 11);
        press(&mut inspector, KeyCode::End);
        assert_eq!(inspector.scroll(), 90);
        assert_eq!(texts(&inspector.visible_rows(10))[9], "line 99");
        press(&mut inspector, KeyCode::Down);
        assert_eq!(inspector.scroll(), 90);
        press(&mut inspector, KeyCode::Char('g'));
        assert_eq!(inspector.scroll(), 0);
        // Fold keys do nothing for plain text.
        press(&mut inspector, KeyCode::Char('t'));
        assert_eq!(inspector.mode(), InspectorMode::Pretty);
    }

    #[test]
    fn long_lines_wrap_and_scroll_by_row() {
        let text = format!("{}\nend", "é".repeat(25) + &"x".repeat(5));
        let mut inspector = Inspector::open(&entry(FrameKind::Text, text));
        inspector.set_page_size(10, 2);
        assert_eq!(inspector.total_rows(), 4);
        assert_eq!(
            texts(&inspector.visible_rows(5)),
            [
                "é".repeat(10),
                "é".repeat(10),
                "é".repeat(5) + "xxxxx",
                "end".to_owned()
            ]
        );
        press(&mut inspector, KeyCode::End);
        assert_eq!(
            texts(&inspector.visible_rows(2)),
            ["é".repeat(5) + "xxxxx", "end".to_owned()]
        );
        inspector.set_page_size(20, 2);
        assert_eq!(inspector.total_rows(), 3);
        assert_eq!(inspector.scroll(), 1);
        let json = format!(r#"{{"blob": "{}"}}"#, "a".repeat(30));
        let mut inspector = Inspector::open(&entry(FrameKind::Text, json));
        inspector.set_page_size(16, 5);
        let rows = texts(&inspector.visible_rows(10));
        assert_eq!(rows[1], "  \"blob\": \"aaaaa");
        assert_eq!(rows[3], "aaaaaaaaa\"");
        assert_eq!(
            inspector.visible_rows(10)[1].spans[1].style,
            crate::theme::json_key()
        );
    }

    #[test]
    fn binary_close_and_system_entries() {
        let mut binary = Inspector::open(&entry(FrameKind::Binary, vec![0u8, 1, 2, 255]));
        assert_eq!(binary.total_rows(), 1);
        assert!(texts(&binary.visible_rows(3))[0].starts_with("00000000  00 01 02 ff"));
        assert_eq!(
            press(&mut binary, KeyCode::Char('y')),
            InspectorOutcome::Copy("AAEC/w==".into())
        );
        let mut close = Inspector::open(&entry(FrameKind::Close, "gone"));
        assert_eq!(
            texts(&close.visible_rows(3)),
            ["1006 Abnormal Closure: gone"]
        );
        let copied = press(&mut close, KeyCode::Char('y'));
        assert_eq!(
            copied,
            InspectorOutcome::Copy("1006 Abnormal Closure: gone".into())
        );
        let broken = Inspector::open(&entry(FrameKind::Text, "{\"a\": \t"));
        assert!(!broken.is_json());
        assert!(broken.json_error().is_some());
        assert_eq!(texts(&broken.visible_rows(3)), ["{\"a\":     "]);
        let system = LogEntry::system(crate::state::log::SystemLevel::Info, "connected");
        let mut system = Inspector::open(&system);
        assert_eq!(
            press(&mut system, KeyCode::Char('y')),
            InspectorOutcome::Copy("connected".into())
        );
        assert_eq!(
            press(&mut system, KeyCode::Char('x')),
            InspectorOutcome::None
        );
    }

    #[test]
    fn large_json_opens_folded() {
        let big = format!("[{}0]", "{\"k\": [1, 2, 3]}, ".repeat(80_000));
        let inspector = Inspector::open(&entry(FrameKind::Text, big));
        assert_eq!(inspector.mode(), InspectorMode::Tree);
        assert_eq!(inspector.total_rows(), 3 * 80_000 + 3);
        let rows = texts(&inspector.visible_rows(3));
        assert_eq!(rows, ["[", "  {", "    \"k\": […] 3 items"]);
    }

    #[test]
    fn large_json_unfolds_whole() {
        let big = format!("[{}0]", "{\"k\": [1, 2, 3]}, ".repeat(80_000));
        let mut inspector = Inspector::open(&entry(FrameKind::Text, big));
        inspector.set_page_size(80, 3);
        press(&mut inspector, KeyCode::Char('t'));
        assert_eq!(inspector.mode(), InspectorMode::Pretty);
        assert_eq!(inspector.total_rows(), 7 * 80_000 + 3);
        press(&mut inspector, KeyCode::End);
        assert_eq!(inspector.scroll(), 7 * 80_000);
        assert_eq!(texts(&inspector.visible_rows(3)), ["  },", "  0", "]"]);
        // Folding starts at the top again.
        press(&mut inspector, KeyCode::Char('-'));
        assert_eq!(
            (inspector.mode(), inspector.fold_depth()),
            (InspectorMode::Tree, 1)
        );
        assert_eq!(inspector.scroll(), 0);
        press(&mut inspector, KeyCode::Char('-'));
        assert_eq!(inspector.total_rows(), 80_000 + 3);
        assert_eq!(texts(&inspector.visible_rows(2)), ["[", "  {…} 1 key,"]);
    }

    #[test]
    fn json_rewraps_when_the_width_changes() {
        let json = format!(r#"[{{"é": "{}"}}, 1]"#, "ü".repeat(40));
        let mut inspector = Inspector::open(&entry(FrameKind::Text, json));
        inspector.set_page_size(20, 4);
        // `    "é": "üü…ü"` is 51 characters: 3 rows of 20.
        assert_eq!(inspector.total_rows(), 8);
        press(&mut inspector, KeyCode::Down);
        press(&mut inspector, KeyCode::Down);
        let rows = texts(&inspector.visible_rows(4));
        assert_eq!(rows[0], "    \"é\": \"".to_owned() + &"ü".repeat(10));
        assert_eq!(rows[1], "ü".repeat(20));
        assert_eq!(rows[2], "ü".repeat(10) + "\"");
        assert_eq!(rows[3], "  },");
        inspector.set_page_size(60, 4);
        assert_eq!(inspector.total_rows(), 6);
        assert_eq!(inspector.scroll(), 2);
        let long = format!("    \"é\": \"{}\"", "ü".repeat(40));
        assert_eq!(texts(&inspector.visible_rows(2)), [long.as_str(), "  },"]);
    }

    #[test]
    fn invalid_json_shows_serde_json_error() {
        for text in ["[1, 2", "{\"a\": 1e400}", "[\"\\ud800\"]", "[1]]"] {
            let inspector = Inspector::open(&entry(FrameKind::Text, text));
            let expected = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            assert!(!inspector.is_json());
            assert_eq!(inspector.json_error(), Some(expected.to_string().as_str()));
            assert_eq!(texts(&inspector.visible_rows(1)), [text]);
        }
        // Text that does not look like JSON is not judged.
        let plain = Inspector::open(&entry(FrameKind::Text, "1e400"));
        assert_eq!(plain.json_error(), None);
    }
}
