//! The composer: the multi-line editor where the user writes the next message,
//! validates it for the current mode (JSON, text, binary) and walks the send
//! history. Pure state: keys in, [`ComposerOutcome`] out; drawing lives in
//! `ui::composer`.
//!
//! Keys: the composer's actions ([`ComposerAction`]: send, newline, history,
//! format, mode, clear) come from the keymap; every other key goes to
//! [`Composer::edit_key`], which types and edits (emacs-style chords as in
//! `ratatui-textarea`, `Ctrl-R` redo) or leaves the key to the app
//! ([`ComposerOutcome::Ignored`]: `Tab`, `Esc`, function keys, `PageUp`/`PageDown`
//! and `Ctrl`/`Alt` chords the editor does not use). `Shift-Enter` only arrives
//! in terminals speaking the kitty keyboard protocol (kitty, WezTerm, foot,
//! Ghostty, recent Alacritty/iTerm2). History keys walk the history on the
//! first (older) or last (newer) line, each message in the mode it was sent in,
//! and move the cursor elsewhere; past the newest, the unsent draft comes back
//! in its mode. Pasted text goes through
//! [`Composer::insert_text`].
//!
//! Binary mode takes hex — whitespace and line breaks allowed anywhere between
//! digits, each group may start with `0x` (`de ad be ef`, `0xdeadbeef`,
//! `0x01 0x02`) — or base64 after a `base64:` prefix (standard or URL-safe
//! alphabet, padding optional, whitespace ignored).

use bytes::Bytes;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea};

use crate::config::profile::MessageFormat;
use crate::keymap::ComposerAction;
pub use crate::payload::ComposerError;
use crate::payload::{base64_body, check_json, parse_binary, pretty_json};
use crate::session::PayloadKind;
use crate::state::history::{History, HistoryEntry};
use crate::theme;

/// What the app should do after a key went to the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposerOutcome {
    /// The key was consumed (typing, cursor moves, history, a refused send...).
    None,
    /// A validated message to hand to the session; then call [`Composer::mark_sent`].
    Send {
        /// The bytes to send.
        payload: Bytes,
        /// Text or binary frame.
        kind: PayloadKind,
        /// The editor text as typed (what goes into the history).
        text: String,
    },
    /// Not a composer key: the app handles it.
    Ignored,
}

/// The message editor and its per-target send history.
#[derive(Debug)]
pub struct Composer {
    textarea: TextArea<'static>,
    mode: MessageFormat,
    history: History,
    error: Option<ComposerError>,
    /// Showing a recording (`wsdeck open`): nothing is sent, and the pane says so.
    read_only: bool,
}

/// The hint shown in an empty editor until [`Composer::set_placeholder`].
const PLACEHOLDER: &str = "type a message · Enter send · Alt-Enter newline · Ctrl-T mode";

/// `Ctrl-<letter>` chords handed to the text area (the rest go to the app).
const TEXTAREA_CTRL: &str = "abdehkmnprwy";
/// `Alt-<char>` chords handed to the text area.
const TEXTAREA_ALT: &str = "bdfhnp<>[]";

impl Composer {
    /// An empty editor in `mode`, walking and extending `history`.
    pub fn new(history: History, mode: MessageFormat) -> Self {
        Self {
            textarea: new_textarea(&[], String::new()),
            mode,
            history,
            error: None,
            read_only: false,
        }
    }

    /// Marks the editor as belonging to a recording: its title says read-only and
    /// its hint (`notice`) shows even when another pane has the focus.
    pub fn set_read_only(&mut self, notice: &str) {
        self.read_only = true;
        self.set_placeholder(notice);
    }

    /// Whether this is a recording's editor (see [`Composer::set_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Handles one key with the default keymap (tests; the app looks the key up
    /// in its own keymap and calls [`Composer::apply`] or [`Composer::edit_key`]).
    #[cfg(test)]
    pub fn handle_key(&mut self, key: KeyEvent) -> ComposerOutcome {
        match crate::keymap::Keymap::defaults().composer.action(key) {
            Some(action) => self.apply(action),
            None => self.edit_key(key),
        }
    }

    /// Carries out a composer action (see [`ComposerAction`] for what each does).
    pub fn apply(&mut self, action: ComposerAction) -> ComposerOutcome {
        let row = self.textarea.cursor().0;
        let last_row = self.textarea.lines().len() - 1;
        match action {
            ComposerAction::Send => self.submit(),
            ComposerAction::Newline => self.edit(|t| {
                t.insert_newline();
                true
            }),
            ComposerAction::HistoryOlder if row == 0 => self.recall_older(),
            ComposerAction::HistoryOlder => self.edit(|t| {
                t.move_cursor(CursorMove::Up);
                false
            }),
            ComposerAction::HistoryNewer if row == last_row => self.recall_newer(),
            ComposerAction::HistoryNewer => self.edit(|t| {
                t.move_cursor(CursorMove::Down);
                false
            }),
            ComposerAction::FormatJson => self.format(),
            ComposerAction::CycleMode => {
                self.cycle_mode();
                ComposerOutcome::None
            }
            ComposerAction::Clear => self.edit(TextArea::clear),
        }
    }

    /// A key no composer action is bound to: typing and the text area's own
    /// editing keys, or [`ComposerOutcome::Ignored`] for keys the app handles.
    pub fn edit_key(&mut self, key: KeyEvent) -> ComposerOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let chord = |c: char| match key.code {
            KeyCode::Char(k) => ctrl && !alt && k.eq_ignore_ascii_case(&c),
            _ => false,
        };
        match key.code {
            _ if chord('z') => self.edit(TextArea::undo),
            KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Esc
            | KeyCode::F(_)
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::Enter => ComposerOutcome::Ignored,
            // AltGr arrives as Ctrl+Alt on Windows: insert the char it produced.
            KeyCode::Char(c) if ctrl && alt && !c.is_ascii_alphabetic() => self.edit(|t| {
                t.insert_char(c);
                true
            }),
            KeyCode::Char(c) if ctrl && !alt && !TEXTAREA_CTRL.contains(c) => {
                ComposerOutcome::Ignored
            }
            KeyCode::Char(c) if alt && !ctrl && !TEXTAREA_ALT.contains(c) => {
                ComposerOutcome::Ignored
            }
            KeyCode::Char(_)
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Up
            | KeyCode::Down
            | KeyCode::Home
            | KeyCode::End => self.edit(|t| t.input(key)),
            _ => ComposerOutcome::Ignored,
        }
    }

    /// The app calls this once the message was handed to the session: clears
    /// the editor and the error, records `text` in the history with the current
    /// mode (the one it was sent in) and saves it. Returns the save error to
    /// show, if any.
    pub fn mark_sent(&mut self, text: &str) -> Option<String> {
        self.load_text("");
        self.error = None;
        self.history.push(HistoryEntry {
            text: text.to_owned(),
            mode: self.mode,
        });
        self.history.save().err()
    }

    /// Puts `text` back (the session refused the message) and shows `error`.
    pub fn restore(&mut self, text: &str, error: String) {
        self.history.stop_browsing();
        self.load_text(text);
        self.error = Some(ComposerError::plain(error));
    }

    /// The editor text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// Replaces the editor text (cursor at the end), clearing the error.
    pub fn set_text(&mut self, text: &str) {
        self.history.stop_browsing();
        self.load_text(text);
        self.error = None;
    }

    /// Inserts `text` at the cursor (pastes, snippets), clearing the error.
    pub fn insert_text(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.edit(|t| t.insert_str(text));
    }

    /// Sets the hint shown while the editor is empty (the app says which keys
    /// send, from its keymap).
    pub fn set_placeholder(&mut self, text: &str) {
        self.textarea.set_placeholder_text(text);
    }

    /// The current mode.
    pub fn mode(&self) -> MessageFormat {
        self.mode
    }

    /// Switches to the next mode (JSON → Text → Binary → JSON), clearing the error.
    pub fn cycle_mode(&mut self) {
        self.mode = self.mode.next();
        self.error = None;
    }

    /// The mode as the title shows it: `JSON`, `Text`, `Binary (hex)` or
    /// `Binary (base64)` (the latter when the text starts with `base64:`).
    pub fn mode_label(&self) -> &'static str {
        match self.mode {
            MessageFormat::Json => "JSON",
            MessageFormat::Text => "Text",
            MessageFormat::Binary if self.first_line().and_then(base64_body).is_some() => {
                "Binary (base64)"
            }
            MessageFormat::Binary => "Binary (hex)",
        }
    }

    /// The error to show under the editor, if any.
    pub fn error(&self) -> Option<&ComposerError> {
        self.error.as_ref()
    }

    /// Whether the editor holds no text at all.
    pub fn is_empty(&self) -> bool {
        self.textarea.is_empty()
    }

    /// Rows of content the composer would like, for the layout: the text's
    /// lines plus one for the error row when an error is shown (borders not
    /// included; the app clamps the pane to 3..=10 rows).
    pub fn line_count(&self) -> usize {
        self.textarea.lines().len() + usize::from(self.error.is_some())
    }

    /// The send history being walked and extended.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Swaps in another target's history (the user connected elsewhere).
    pub fn set_history(&mut self, history: History) {
        self.history = history;
    }

    /// The text area, for drawing.
    pub fn textarea(&self) -> &TextArea<'static> {
        &self.textarea
    }

    fn first_line(&self) -> Option<&str> {
        let lines = self.textarea.lines();
        lines
            .iter()
            .map(String::as_str)
            .find(|l| !l.trim().is_empty())
    }

    /// Runs an editing operation; a change clears the error and ends a history walk.
    fn edit(&mut self, op: impl FnOnce(&mut TextArea<'static>) -> bool) -> ComposerOutcome {
        if op(&mut self.textarea) {
            self.error = None;
            self.history.stop_browsing();
        }
        ComposerOutcome::None
    }

    /// Replaces the text with a fresh text area, keeping the yank buffer.
    fn load_text(&mut self, text: &str) {
        let lines: Vec<String> = text
            .replace("\r\n", "\n")
            .split(['\n', '\r'])
            .map(str::to_owned)
            .collect();
        let placeholder = self.textarea.placeholder_text().to_string();
        self.textarea = new_textarea(&lines, self.textarea.yank_text());
        self.textarea.set_placeholder_text(placeholder);
        self.textarea.move_cursor(CursorMove::Bottom);
        self.textarea.move_cursor(CursorMove::End);
    }

    fn recall_older(&mut self) -> ComposerOutcome {
        let draft = self.text();
        if let Some(entry) = self.history.previous(&draft, self.mode).cloned() {
            self.show_recalled(&entry);
            // On the first line, so the next Up keeps walking back.
            self.textarea.move_cursor(CursorMove::Top);
            self.textarea.move_cursor(CursorMove::End);
        }
        ComposerOutcome::None
    }

    fn recall_newer(&mut self) -> ComposerOutcome {
        if let Some(entry) = self.history.next().cloned() {
            // `show_recalled` leaves the cursor on the last line: Down keeps walking.
            self.show_recalled(&entry);
        }
        ComposerOutcome::None
    }

    /// Puts a history entry (or the draft given back) in the editor, in its mode.
    fn show_recalled(&mut self, entry: &HistoryEntry) {
        self.load_text(&entry.text);
        self.mode = entry.mode;
        self.error = None;
    }

    fn submit(&mut self) -> ComposerOutcome {
        let text = self.text();
        let blank = text.trim().is_empty();
        if text.is_empty() || (blank && self.mode != MessageFormat::Text) {
            return ComposerOutcome::None;
        }
        let checked = match self.mode {
            MessageFormat::Json => {
                check_json(&text).map(|()| (Bytes::from(text.clone()), PayloadKind::Text))
            }
            MessageFormat::Text => Ok((Bytes::from(text.clone()), PayloadKind::Text)),
            MessageFormat::Binary => {
                parse_binary(&text).map(|b| (Bytes::from(b), PayloadKind::Binary))
            }
        };
        match checked {
            Ok((payload, kind)) => {
                self.error = None;
                ComposerOutcome::Send {
                    payload,
                    kind,
                    text,
                }
            }
            Err(err) => {
                self.error = Some(err);
                ComposerOutcome::None
            }
        }
    }

    fn format(&mut self) -> ComposerOutcome {
        let text = self.text();
        if text.trim().is_empty() {
            return ComposerOutcome::None;
        }
        if self.mode == MessageFormat::Binary {
            self.error = Some(ComposerError::plain(
                "Ctrl-F formats JSON — switch to JSON or Text mode with Ctrl-T",
            ));
            return ComposerOutcome::None;
        }
        match check_json(&text) {
            Ok(()) => {
                let pretty = pretty_json(&text);
                if pretty != text {
                    self.history.stop_browsing();
                    self.load_text(&pretty);
                }
                self.error = None;
            }
            Err(err) => self.error = Some(err),
        }
        ComposerOutcome::None
    }
}

/// A text area with the composer's settings, holding `lines`.
fn new_textarea(lines: &[String], yank: String) -> TextArea<'static> {
    let mut textarea = TextArea::new(lines.to_vec());
    // No underline on the cursor line: the composer is small and mostly one line.
    textarea.set_cursor_line_style(Style::default());
    textarea.set_placeholder_text(PLACEHOLDER);
    textarea.set_placeholder_style(theme::dim());
    textarea.set_yank_text(yank);
    textarea
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: &mut Composer, code: KeyCode, mods: KeyModifiers) -> ComposerOutcome {
        c.handle_key(KeyEvent::new(code, mods))
    }

    fn key(c: &mut Composer, code: KeyCode) -> ComposerOutcome {
        press(c, code, KeyModifiers::NONE)
    }

    fn ctrl(c: &mut Composer, ch: char) -> ComposerOutcome {
        press(c, KeyCode::Char(ch), KeyModifiers::CONTROL)
    }

    /// Types `text`, with Alt-Enter for line breaks.
    fn typed(mode: MessageFormat, text: &str) -> Composer {
        let mut c = Composer::new(History::in_memory(10), mode);
        for ch in text.chars() {
            let outcome = match ch {
                '\n' => press(&mut c, KeyCode::Enter, KeyModifiers::ALT),
                ch => key(&mut c, KeyCode::Char(ch)),
            };
            assert_eq!(outcome, ComposerOutcome::None);
        }
        c
    }

    fn sent(outcome: ComposerOutcome) -> (Vec<u8>, PayloadKind, String) {
        match outcome {
            ComposerOutcome::Send {
                payload,
                kind,
                text,
            } => (payload.to_vec(), kind, text),
            other => panic!("expected Send, got {other:?}"),
        }
    }

    #[test]
    fn enter_sends_valid_json_as_typed() {
        let mut c = typed(MessageFormat::Json, "{\"a\": 1}");
        let (payload, kind, text) = sent(key(&mut c, KeyCode::Enter));
        assert_eq!(
            (payload.as_slice(), kind),
            (&b"{\"a\": 1}"[..], PayloadKind::Text)
        );
        assert_eq!(text, "{\"a\": 1}");
        assert_eq!(c.text(), text, "the text stays until mark_sent");
        assert_eq!(c.mark_sent(&text), None);
        assert!(c.is_empty());
        assert_eq!(c.history().entries().collect::<Vec<_>>(), [text.as_str()]);
    }

    #[test]
    fn invalid_json_is_kept_and_located() {
        let mut c = typed(MessageFormat::Json, "{\n  \"a\": tru\n}");
        assert_eq!(key(&mut c, KeyCode::Enter), ComposerOutcome::None);
        let err = c.error().cloned().expect("an error");
        assert_eq!((err.line, err.column), (Some(2), Some(11)), "{err}");
        let want = "invalid JSON at line 2, column 11: expected ident";
        assert_eq!(err.message, want, "serde's own suffix is not repeated");
        assert_eq!(c.text(), "{\n  \"a\": tru\n}");
        assert_eq!(c.line_count(), 4, "three lines and the error row");
        key(&mut c, KeyCode::Backspace);
        assert_eq!(c.error(), None, "an edit clears the error");
        let mut c = typed(MessageFormat::Json, "[1,\n 2 x]");
        key(&mut c, KeyCode::Enter);
        let err = c.error().cloned().expect("an error");
        assert_eq!((err.line, err.column), (Some(2), Some(4)), "{err}");
        key(&mut c, KeyCode::Left);
        assert!(c.error().is_some(), "moving the cursor keeps it");
        key(&mut c, KeyCode::Char('y'));
        assert_eq!(c.error(), None, "an edit clears the error");
    }

    #[test]
    fn empty_enter_does_nothing() {
        let mut c = typed(MessageFormat::Json, "");
        assert_eq!(key(&mut c, KeyCode::Enter), ComposerOutcome::None);
        let mut c = typed(MessageFormat::Binary, "  ");
        assert_eq!(key(&mut c, KeyCode::Enter), ComposerOutcome::None);
        assert_eq!(c.error(), None);
        let mut c = typed(MessageFormat::Text, " ");
        assert_eq!(sent(key(&mut c, KeyCode::Enter)).0, b" ");
    }

    #[test]
    fn text_mode_sends_anything() {
        let mut c = typed(MessageFormat::Text, "hello {\nworld");
        let (payload, kind, _) = sent(press(&mut c, KeyCode::Enter, KeyModifiers::CONTROL));
        assert_eq!(
            (payload.as_slice(), kind),
            (&b"hello {\nworld"[..], PayloadKind::Text)
        );
    }

    #[test]
    fn newline_keys() {
        let mut c = typed(MessageFormat::Json, "a");
        press(&mut c, KeyCode::Enter, KeyModifiers::ALT);
        press(&mut c, KeyCode::Enter, KeyModifiers::SHIFT);
        ctrl(&mut c, 'j');
        assert_eq!(c.text(), "a\n\n\n");
        assert_eq!(c.line_count(), 4);
    }

    #[test]
    fn ctrl_f_pretty_formats_or_reports() {
        let mut c = typed(
            MessageFormat::Json,
            r#"{"a":[1,2e5,{}],"b":{"c":"x,\"{"},"n":12345678901234567890}"#,
        );
        ctrl(&mut c, 'f');
        let want = "{\n  \"a\": [\n    1,\n    2e5,\n    {}\n  ],\n  \"b\": {\n    \"c\": \"x,\\\"{\"\n  },\n  \"n\": 12345678901234567890\n}";
        assert_eq!(c.text(), want);
        assert_eq!(c.error(), None);
        let mut bad = typed(MessageFormat::Json, "[1,");
        ctrl(&mut bad, 'f');
        assert_eq!(bad.text(), "[1,");
        assert_eq!(bad.error().and_then(|e| e.line), Some(1));
        let mut bin = typed(MessageFormat::Binary, "00");
        ctrl(&mut bin, 'f');
        assert!(bin.error().is_some());
    }

    #[test]
    fn history_walk_restores_draft() {
        let mut c = typed(MessageFormat::Text, "first");
        c.mark_sent("first");
        c.mark_sent("two\nlines");
        c.insert_text("draft");
        key(&mut c, KeyCode::Up);
        assert_eq!(c.text(), "two\nlines");
        assert_eq!(c.textarea().cursor(), (0, 3), "cursor on the first line");
        key(&mut c, KeyCode::Up);
        assert_eq!(c.text(), "first");
        key(&mut c, KeyCode::Up);
        assert_eq!(c.text(), "first", "nothing older");
        key(&mut c, KeyCode::Down);
        assert_eq!(c.text(), "two\nlines");
        assert_eq!(c.textarea().cursor(), (1, 5), "cursor on the last line");
        ctrl(&mut c, 'n');
        assert_eq!(c.text(), "draft");
        assert!(!c.history().is_browsing());
    }

    #[test]
    fn walking_the_history_restores_each_mode_and_the_draft_mode() {
        let mut c = typed(MessageFormat::Text, "hello");
        let (_, _, text) = sent(key(&mut c, KeyCode::Enter));
        assert_eq!(c.mark_sent(&text), None);
        ctrl(&mut c, 't');
        ctrl(&mut c, 't');
        assert_eq!(c.mode(), MessageFormat::Json);
        c.insert_text("{\"a\": 1}");
        let (_, _, text) = sent(key(&mut c, KeyCode::Enter));
        c.mark_sent(&text);
        ctrl(&mut c, 't');
        ctrl(&mut c, 't');
        c.insert_text("de ad");
        assert_eq!(c.mode(), MessageFormat::Binary);

        key(&mut c, KeyCode::Up);
        assert_eq!(
            (c.text(), c.mode()),
            ("{\"a\": 1}".into(), MessageFormat::Json)
        );
        key(&mut c, KeyCode::Up);
        assert_eq!((c.text(), c.mode()), ("hello".into(), MessageFormat::Text));
        assert_eq!(c.mode_label(), "Text");
        key(&mut c, KeyCode::Down);
        assert_eq!(c.mode(), MessageFormat::Json);
        key(&mut c, KeyCode::Down);
        assert_eq!(
            (c.text(), c.mode()),
            ("de ad".into(), MessageFormat::Binary),
            "past the newest: the draft in its own mode"
        );
    }

    #[test]
    fn text_sent_in_text_mode_comes_back_in_text_mode_after_switching_to_json() {
        let mut c = typed(MessageFormat::Text, "not json");
        let (_, _, text) = sent(key(&mut c, KeyCode::Enter));
        c.mark_sent(&text);
        ctrl(&mut c, 't');
        ctrl(&mut c, 't');
        assert_eq!(c.mode(), MessageFormat::Json);
        key(&mut c, KeyCode::Up);
        assert_eq!(
            (c.text(), c.mode()),
            ("not json".into(), MessageFormat::Text)
        );
        let (payload, kind, _) = sent(key(&mut c, KeyCode::Enter));
        assert_eq!(
            (payload.as_slice(), kind),
            (&b"not json"[..], PayloadKind::Text),
            "sent again as text, no JSON error"
        );
        // Ctrl-T while walking changes the recalled text's mode, not the draft's.
        let mut history = History::in_memory(10);
        history.push(HistoryEntry {
            text: "0x01".into(),
            mode: MessageFormat::Text,
        });
        let mut c = Composer::new(history, MessageFormat::Json);
        c.set_text("{}");
        key(&mut c, KeyCode::Up);
        assert_eq!((c.text(), c.mode()), ("0x01".into(), MessageFormat::Text));
        ctrl(&mut c, 't');
        assert_eq!(c.mode(), MessageFormat::Binary);
        key(&mut c, KeyCode::Down);
        assert_eq!((c.text(), c.mode()), ("{}".into(), MessageFormat::Json));
    }

    #[test]
    fn up_and_down_inside_text_move_the_cursor() {
        let mut c = typed(MessageFormat::Text, "ab\ncd\nef");
        c.mark_sent("old");
        c.set_text("ab\ncd\nef");
        key(&mut c, KeyCode::Up);
        assert_eq!(
            (c.text().as_str(), c.textarea().cursor()),
            ("ab\ncd\nef", (1, 2).into())
        );
        key(&mut c, KeyCode::Down);
        assert_eq!(c.textarea().cursor(), (2, 2));
        press(&mut c, KeyCode::Up, KeyModifiers::SHIFT);
        press(&mut c, KeyCode::Up, KeyModifiers::SHIFT);
        assert_eq!(
            c.textarea().cursor(),
            (0, 2),
            "Shift-Up selects, never recalls"
        );
        key(&mut c, KeyCode::Up);
        assert_eq!(c.text(), "old");
    }

    #[test]
    fn ctrl_t_cycles_modes_and_ctrl_u_clears() {
        let mut c = typed(MessageFormat::Json, "x");
        key(&mut c, KeyCode::Enter);
        assert!(c.error().is_some());
        ctrl(&mut c, 't');
        assert_eq!((c.mode(), c.error()), (MessageFormat::Text, None));
        ctrl(&mut c, 't');
        assert_eq!(
            (c.mode(), c.mode_label()),
            (MessageFormat::Binary, "Binary (hex)")
        );
        ctrl(&mut c, 't');
        assert_eq!(c.mode(), MessageFormat::Json);
        ctrl(&mut c, 'u');
        assert!(c.is_empty());
        ctrl(&mut c, 'z');
        assert_eq!(c.text(), "x", "Ctrl-Z undoes the clear");
    }

    #[test]
    fn binary_hex_and_base64() {
        for (input, bytes) in [
            ("de ad\nBE ef", vec![0xde, 0xad, 0xbe, 0xef]),
            ("0xdeadbeef", vec![0xde, 0xad, 0xbe, 0xef]),
            ("0x01 0X02", vec![1, 2]),
            ("base64:3q2+7w==", vec![0xde, 0xad, 0xbe, 0xef]),
            ("BASE64: 3q2-7w", vec![0xde, 0xad, 0xbe, 0xef]),
        ] {
            let mut c = typed(MessageFormat::Binary, input);
            let (payload, kind, text) = sent(key(&mut c, KeyCode::Enter));
            assert_eq!(
                (payload, kind, text.as_str()),
                (bytes, PayloadKind::Binary, input)
            );
        }
        assert_eq!(
            typed(MessageFormat::Binary, "base64:AA").mode_label(),
            "Binary (base64)"
        );
    }

    #[test]
    fn binary_errors() {
        let mut c = typed(MessageFormat::Binary, "01\n0g");
        assert_eq!(key(&mut c, KeyCode::Enter), ComposerOutcome::None);
        let err = c.error().cloned().expect("error");
        assert_eq!((err.line, err.column), (Some(2), Some(2)), "{err}");
        assert!(
            err.message
                .starts_with("invalid hex digit 'g' at line 2, column 2")
        );
        let mut c = typed(MessageFormat::Binary, "abc");
        key(&mut c, KeyCode::Enter);
        assert!(
            c.error()
                .is_some_and(|e| e.message.starts_with("odd number"))
        );
        let mut c = typed(MessageFormat::Binary, "base64:%%");
        key(&mut c, KeyCode::Enter);
        assert!(
            c.error()
                .is_some_and(|e| e.message.starts_with("invalid base64"))
        );
        assert_eq!(c.text(), "base64:%%");
    }

    #[test]
    fn app_keys_are_ignored() {
        let mut c = typed(MessageFormat::Json, "x");
        for code in [KeyCode::Tab, KeyCode::BackTab, KeyCode::Esc, KeyCode::F(1)] {
            assert_eq!(key(&mut c, code), ComposerOutcome::Ignored, "{code:?}");
        }
        assert_eq!(key(&mut c, KeyCode::PageUp), ComposerOutcome::Ignored);
        assert_eq!(key(&mut c, KeyCode::PageDown), ComposerOutcome::Ignored);
        for ch in ['c', 'x', 'l', 'q'] {
            assert_eq!(ctrl(&mut c, ch), ComposerOutcome::Ignored, "Ctrl-{ch}");
        }
        assert_eq!(
            press(&mut c, KeyCode::Char('1'), KeyModifiers::ALT),
            ComposerOutcome::Ignored
        );
        assert_eq!(c.text(), "x");
        assert_eq!(
            ctrl(&mut c, 'a'),
            ComposerOutcome::None,
            "editing chords stay"
        );
        assert_eq!(ctrl(&mut c, 'k'), ComposerOutcome::None);
        assert!(c.is_empty());
    }

    #[test]
    fn restore_set_and_insert() {
        let mut c = typed(MessageFormat::Json, "");
        c.restore("{}", "queue full — try again".into());
        assert_eq!(c.text(), "{}");
        assert_eq!(
            c.error().map(|e| e.message.as_str()),
            Some("queue full — try again")
        );
        c.set_text("a\r\nb");
        assert_eq!((c.text().as_str(), c.error()), ("a\nb", None));
        c.insert_text("\r\nc");
        assert_eq!(c.text(), "a\nb\nc");
        assert_eq!(c.textarea().cursor(), (2, 1));
    }
}
