//! A one-line text prompt (the `/` search query): typing, cursor movement,
//! Enter to submit, Esc to cancel.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key did to the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptOutcome {
    /// Still editing.
    None,
    /// Esc: give up.
    Cancel,
    /// Enter: the text.
    Submit(String),
}

/// A single-line editor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinePrompt {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl LinePrompt {
    /// An empty prompt.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text typed so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor position, in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Edits the text or finishes.
    pub fn handle_key(&mut self, key: KeyEvent) -> PromptOutcome {
        if key.kind == KeyEventKind::Release {
            return PromptOutcome::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return PromptOutcome::Cancel,
            KeyCode::Enter => return PromptOutcome::Submit(self.text.clone()),
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl => {
                let at = self.byte_index(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < self.text.chars().count() => {
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.text.chars().count()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.chars().count(),
            _ => {}
        }
        PromptOutcome::None
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(index, _)| index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_and_submits() {
        let mut prompt = LinePrompt::new();
        for c in "hé!".chars() {
            prompt.handle_key(key(KeyCode::Char(c)));
        }
        prompt.handle_key(key(KeyCode::Left));
        prompt.handle_key(key(KeyCode::Backspace));
        assert_eq!(prompt.text(), "h!");
        prompt.handle_key(key(KeyCode::Home));
        prompt.handle_key(key(KeyCode::Delete));
        assert_eq!(prompt.text(), "!");
        assert_eq!(
            prompt.handle_key(key(KeyCode::Enter)),
            PromptOutcome::Submit("!".into())
        );
        assert_eq!(prompt.handle_key(key(KeyCode::Esc)), PromptOutcome::Cancel);
    }
}
