//! The close dialog: pick a close code from a list (or type one), add a reason, and
//! send the close frame. Validated exactly as the engine does it (`validate_close`), so
//! the dialog never offers a close the engine would refuse.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keymap::{Bindings, CloseDialogAction};

use super::command_line::LineInput;
use crate::session::close_code::{STANDARD_CODES, validate_close};

/// Longest code the code field accepts: every valid code has four digits.
const CODE_DIGITS: usize = 4;

/// One row of the code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeEntry {
    /// A sendable standard code.
    Standard(u16),
    /// A range whose code the user types, e.g. 3000–3999.
    Range {
        /// The first code of the range.
        first: u16,
        /// The last code of the range.
        last: u16,
    },
}

impl CodeEntry {
    /// Whether `code` belongs to this row.
    pub fn contains(self, code: u16) -> bool {
        match self {
            CodeEntry::Standard(c) => c == code,
            CodeEntry::Range { first, last } => (first..=last).contains(&code),
        }
    }
}

/// The rows of the list: sendable standard codes, then the registered and private ranges.
pub fn code_entries() -> Vec<CodeEntry> {
    STANDARD_CODES
        .iter()
        .filter(|info| info.sendable)
        .map(|info| CodeEntry::Standard(info.code))
        .chain([
            CodeEntry::Range {
                first: 3000,
                last: 3999,
            },
            CodeEntry::Range {
                first: 4000,
                last: 4999,
            },
        ])
        .collect()
}

/// Which part of the dialog gets typed keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseFocus {
    /// The code list.
    List,
    /// The custom code field.
    Code,
    /// The reason field.
    Reason,
}

/// What the app should do after a key in the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseDialogOutcome {
    /// Keep the dialog open.
    None,
    /// Close the dialog without doing anything.
    Cancel,
    /// Close the dialog and close the connection with this code and reason.
    Close {
        /// A code that passed `validate_close`.
        code: u16,
        /// The reason, at most 123 bytes.
        reason: String,
    },
}

/// The state of the close dialog. The code field always holds the code that Enter will
/// send; moving in the list fills it in, typing in it moves the list to the matching row.
#[derive(Debug, Clone)]
pub struct CloseDialog {
    entries: Vec<CodeEntry>,
    /// The list row Up/Down move from.
    row: usize,
    focus: CloseFocus,
    code: LineInput,
    /// The code field's text was filled in for the user: the next digit replaces it.
    code_fresh: bool,
    reason: LineInput,
}

impl Default for CloseDialog {
    fn default() -> Self {
        Self::new()
    }
}

impl CloseDialog {
    /// A dialog with 1000 selected, an empty reason and the focus on the list.
    pub fn new() -> Self {
        let mut dialog = Self {
            entries: code_entries(),
            row: 0,
            focus: CloseFocus::List,
            code: LineInput::new(),
            code_fresh: true,
            reason: LineInput::new(),
        };
        dialog.select_row(0);
        dialog
    }

    /// The rows of the list.
    pub fn entries(&self) -> &[CodeEntry] {
        &self.entries
    }

    /// The list row Up/Down move from (the last row chosen or matched).
    pub fn row(&self) -> usize {
        self.row
    }

    /// The list row matching the code in the code field, if any.
    pub fn highlighted_row(&self) -> Option<usize> {
        let code = self.selected_code()?;
        self.entries.iter().position(|entry| entry.contains(code))
    }

    /// Which part of the dialog has the focus.
    pub fn focus(&self) -> CloseFocus {
        self.focus
    }

    /// The code Enter would send, or `None` while the code field is empty.
    pub fn selected_code(&self) -> Option<u16> {
        self.code.text().parse().ok()
    }

    /// The code field (digits only).
    pub fn code_input(&self) -> &LineInput {
        &self.code
    }

    /// Whether the code field's text will be replaced by the next digit typed.
    pub fn code_fresh(&self) -> bool {
        self.code_fresh
    }

    /// The reason typed so far.
    pub fn reason(&self) -> &str {
        self.reason.text()
    }

    /// The reason field.
    pub fn reason_input(&self) -> &LineInput {
        &self.reason
    }

    /// Why Enter would not close: the engine's message for a bad code or reason, or a
    /// prompt when no code is typed.
    pub fn error(&self) -> Option<String> {
        let Some(code) = self.selected_code() else {
            return Some(
                "type a close code: 1000-1003, 1007-1014, 3000-3999 or 4000-4999".to_owned(),
            );
        };
        validate_close(code, self.reason())
            .err()
            .map(|e| e.to_string())
    }

    /// Handles one key: a close-dialog action from `bindings`, else typing in the
    /// focused field (a digit in the list starts a custom code).
    pub fn handle(
        &mut self,
        key: KeyEvent,
        bindings: &Bindings<CloseDialogAction>,
    ) -> CloseDialogOutcome {
        if let Some(action) = bindings.action(key) {
            return self.apply(action);
        }
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match self.focus {
            CloseFocus::List => self.list_key(key.code, plain),
            CloseFocus::Code => self.code_key(key, plain),
            CloseFocus::Reason => {
                self.reason.handle_key(key);
            }
        }
        CloseDialogOutcome::None
    }

    /// Handles one key with the default keymap (tests).
    #[cfg(test)]
    pub fn handle_key(&mut self, key: KeyEvent) -> CloseDialogOutcome {
        self.handle(key, &crate::keymap::Keymap::defaults().close_dialog)
    }

    /// Carries out a close-dialog action: move in the list, change field, close
    /// or cancel.
    pub fn apply(&mut self, action: CloseDialogAction) -> CloseDialogOutcome {
        match action {
            CloseDialogAction::Cancel => return CloseDialogOutcome::Cancel,
            CloseDialogAction::Confirm => return self.submit(),
            CloseDialogAction::NextField => self.set_focus(match self.focus {
                CloseFocus::List => CloseFocus::Code,
                CloseFocus::Code => CloseFocus::Reason,
                CloseFocus::Reason => CloseFocus::List,
            }),
            CloseDialogAction::PreviousField => self.set_focus(match self.focus {
                CloseFocus::List => CloseFocus::Reason,
                CloseFocus::Code => CloseFocus::List,
                CloseFocus::Reason => CloseFocus::Code,
            }),
            CloseDialogAction::PickUp => self.move_row(-1),
            CloseDialogAction::PickDown => self.move_row(1),
        }
        CloseDialogOutcome::None
    }

    fn submit(&self) -> CloseDialogOutcome {
        match (self.selected_code(), self.error()) {
            (Some(code), None) => CloseDialogOutcome::Close {
                code,
                reason: self.reason().to_owned(),
            },
            _ => CloseDialogOutcome::None,
        }
    }

    fn set_focus(&mut self, focus: CloseFocus) {
        if focus == CloseFocus::Code {
            self.code_fresh = true;
            self.code.move_to_end();
        }
        self.focus = focus;
    }

    fn list_key(&mut self, code: KeyCode, plain: bool) {
        match code {
            KeyCode::Char('k') if plain => self.move_row(-1),
            KeyCode::Char('j') if plain => self.move_row(1),
            KeyCode::Home | KeyCode::PageUp => self.select_row(0),
            KeyCode::End | KeyCode::PageDown => self.select_row(self.entries.len() - 1),
            // Typing a number from the list starts a custom code.
            KeyCode::Char(c) if plain && c.is_ascii_digit() => {
                self.set_focus(CloseFocus::Code);
                self.type_digit(c);
            }
            _ => {}
        }
    }

    fn code_key(&mut self, key: KeyEvent, plain: bool) {
        match key.code {
            KeyCode::Char(c) if plain && c.is_ascii_digit() => self.type_digit(c),
            // Letters and symbols never belong in a code.
            KeyCode::Char(_) if plain => {}
            _ => {
                if self.code.handle_key(key) {
                    self.code_fresh = false;
                    self.follow_code();
                }
            }
        }
    }

    fn type_digit(&mut self, c: char) {
        if self.code_fresh {
            self.code.clear();
            self.code_fresh = false;
        }
        if self.code.text().len() < CODE_DIGITS {
            self.code.insert(c);
            self.follow_code();
        }
    }

    /// Moves the list to the row holding the typed code, when there is one.
    fn follow_code(&mut self) {
        if let Some(row) = self.highlighted_row() {
            self.row = row;
        }
    }

    fn move_row(&mut self, delta: isize) {
        let last = self.entries.len() - 1;
        self.select_row(self.row.saturating_add_signed(delta).min(last));
    }

    fn select_row(&mut self, row: usize) {
        self.row = row;
        let current = self.selected_code();
        match self.entries[row] {
            CodeEntry::Standard(code) => self.code.set(&code.to_string()),
            // A typed code already in the range stays; otherwise start at the range's
            // first code so Enter works at once.
            entry @ CodeEntry::Range { first, .. } => {
                if !current.is_some_and(|code| entry.contains(code)) {
                    self.code.set(&first.to_string());
                }
            }
        }
        self.code_fresh = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn press(dialog: &mut CloseDialog, keys: &[KeyCode]) -> CloseDialogOutcome {
        let mut last = CloseDialogOutcome::None;
        for &code in keys {
            last = dialog.handle_key(key(code));
        }
        last
    }

    fn type_text(dialog: &mut CloseDialog, text: &str) {
        for c in text.chars() {
            assert_eq!(
                dialog.handle_key(key(KeyCode::Char(c))),
                CloseDialogOutcome::None
            );
        }
    }

    fn close(code: u16, reason: &str) -> CloseDialogOutcome {
        CloseDialogOutcome::Close {
            code,
            reason: reason.to_owned(),
        }
    }

    #[test]
    fn lists_sendable_codes_then_ranges() {
        let codes: Vec<u16> = code_entries()
            .iter()
            .filter_map(|e| match e {
                CodeEntry::Standard(c) => Some(*c),
                CodeEntry::Range { .. } => None,
            })
            .collect();
        let expected: Vec<u16> = (1000..=1003).chain(1007..=1014).collect();
        assert_eq!(codes, expected);
        assert_eq!(code_entries().len(), expected.len() + 2);
    }

    #[test]
    fn starts_on_1000_with_an_empty_reason() {
        let mut dialog = CloseDialog::new();
        assert_eq!(dialog.selected_code(), Some(1000));
        assert_eq!(dialog.highlighted_row(), Some(0));
        assert_eq!(dialog.reason(), "");
        assert_eq!(dialog.focus(), CloseFocus::List);
        assert_eq!(dialog.error(), None);
        assert_eq!(press(&mut dialog, &[KeyCode::Enter]), close(1000, ""));
    }

    #[test]
    fn up_down_and_j_k_select() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::Up]);
        assert_eq!(dialog.selected_code(), Some(1000));
        press(&mut dialog, &[KeyCode::Down, KeyCode::Down, KeyCode::Down]);
        assert_eq!(dialog.selected_code(), Some(1003));
        press(&mut dialog, &[KeyCode::Down]);
        assert_eq!(dialog.selected_code(), Some(1007));
        type_text(&mut dialog, "jjk");
        assert_eq!(dialog.selected_code(), Some(1008));
        press(&mut dialog, &[KeyCode::End]);
        assert_eq!(dialog.selected_code(), Some(4000));
        press(&mut dialog, &[KeyCode::Down]);
        assert_eq!(dialog.highlighted_row(), Some(dialog.entries().len() - 1));
        press(&mut dialog, &[KeyCode::Up]);
        assert_eq!(dialog.selected_code(), Some(3000));
        press(&mut dialog, &[KeyCode::Home]);
        assert_eq!(dialog.selected_code(), Some(1000));
        // Ctrl-J is not a list key.
        dialog.handle_key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
        assert_eq!(dialog.selected_code(), Some(1000));
    }

    #[test]
    fn tab_and_backtab_cycle_focus() {
        let mut dialog = CloseDialog::new();
        let order = [CloseFocus::Code, CloseFocus::Reason, CloseFocus::List];
        for expected in order {
            press(&mut dialog, &[KeyCode::Tab]);
            assert_eq!(dialog.focus(), expected);
        }
        for expected in [CloseFocus::Reason, CloseFocus::Code, CloseFocus::List] {
            press(&mut dialog, &[KeyCode::BackTab]);
            assert_eq!(dialog.focus(), expected);
        }
    }

    #[test]
    fn typing_a_custom_code() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::Tab]);
        // The filled-in 1000 is replaced by the first digit; letters are ignored.
        type_text(&mut dialog, "4x0015");
        assert_eq!(dialog.selected_code(), Some(4001));
        assert_eq!(dialog.highlighted_row(), Some(dialog.entries().len() - 1));
        press(&mut dialog, &[KeyCode::Backspace, KeyCode::Backspace]);
        assert_eq!(dialog.selected_code(), Some(40));
        assert!(dialog.error().is_some_and(|e| e.contains("out of range")));
        assert_eq!(dialog.highlighted_row(), None);
        press(
            &mut dialog,
            &[KeyCode::Home, KeyCode::Delete, KeyCode::Delete],
        );
        assert_eq!(dialog.selected_code(), None);
        assert!(
            dialog
                .error()
                .is_some_and(|e| e.starts_with("type a close code"))
        );
        assert_eq!(
            press(&mut dialog, &[KeyCode::Enter]),
            CloseDialogOutcome::None
        );
        type_text(&mut dialog, "1011");
        assert_eq!(dialog.highlighted_row(), Some(8));
        assert_eq!(press(&mut dialog, &[KeyCode::Enter]), close(1011, ""));
    }

    #[test]
    fn digits_typed_on_the_list_start_a_code() {
        let mut dialog = CloseDialog::new();
        type_text(&mut dialog, "3123");
        assert_eq!(dialog.focus(), CloseFocus::Code);
        assert_eq!(dialog.selected_code(), Some(3123));
        // Moving to another range row fills in that range's first code...
        press(&mut dialog, &[KeyCode::Down]);
        assert_eq!(dialog.selected_code(), Some(4000));
        // ...but a typed code already in the range stays.
        type_text(&mut dialog, "4321");
        press(
            &mut dialog,
            &[KeyCode::BackTab, KeyCode::Home, KeyCode::End],
        );
        assert_eq!(dialog.focus(), CloseFocus::List);
        assert_eq!(dialog.selected_code(), Some(4000));
        type_text(&mut dialog, "4321");
        press(&mut dialog, &[KeyCode::BackTab, KeyCode::End]);
        assert_eq!(dialog.selected_code(), Some(4321));
    }

    #[test]
    fn refuses_codes_the_engine_refuses() {
        for (typed, code) in [("1005", 1005), ("999", 999), ("5000", 5000), ("2000", 2000)] {
            let mut dialog = CloseDialog::new();
            press(&mut dialog, &[KeyCode::Tab]);
            type_text(&mut dialog, typed);
            let expected = validate_close(code, "").unwrap_err().to_string();
            assert_eq!(dialog.error(), Some(expected));
            assert_eq!(
                press(&mut dialog, &[KeyCode::Enter]),
                CloseDialogOutcome::None
            );
        }
    }

    #[test]
    fn reason_field_and_its_limit() {
        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::Down, KeyCode::BackTab]);
        type_text(&mut dialog, "bye bye");
        assert_eq!(dialog.reason(), "bye bye");
        // j and k are text in the reason field, and digits do not touch the code.
        type_text(&mut dialog, " jk1");
        assert_eq!(dialog.reason(), "bye bye jk1");
        assert_eq!(dialog.selected_code(), Some(1001));
        press(&mut dialog, &[KeyCode::Backspace]);
        assert_eq!(
            press(&mut dialog, &[KeyCode::Enter]),
            close(1001, "bye bye jk")
        );

        let mut dialog = CloseDialog::new();
        press(&mut dialog, &[KeyCode::BackTab]);
        type_text(&mut dialog, &"a".repeat(123));
        assert_eq!(dialog.error(), None);
        type_text(&mut dialog, "b");
        assert_eq!(
            dialog.error().as_deref(),
            Some("close reason is 124 bytes; the limit is 123 bytes (UTF-8)")
        );
        assert_eq!(
            press(&mut dialog, &[KeyCode::Enter]),
            CloseDialogOutcome::None
        );
    }

    #[test]
    fn esc_cancels_from_anywhere_and_releases_are_ignored() {
        for tabs in 0..3 {
            let mut dialog = CloseDialog::new();
            for _ in 0..tabs {
                press(&mut dialog, &[KeyCode::Tab]);
            }
            assert_eq!(
                press(&mut dialog, &[KeyCode::Esc]),
                CloseDialogOutcome::Cancel
            );
        }
    }
}
