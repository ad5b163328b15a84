//! A one-line text prompt (the `/` search query): the shared line editor plus
//! Enter to submit and Esc to cancel.

use ratatui::crossterm::event::KeyEvent;

use crate::keymap::{Bindings, PromptAction};

use super::line_input::LineInput;

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

/// A single-line prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinePrompt {
    input: LineInput,
}

impl LinePrompt {
    /// An empty prompt.
    pub fn new() -> Self {
        Self::default()
    }

    /// A prompt holding `text`, the cursor at its end.
    pub fn with_text(text: &str) -> Self {
        let mut input = LineInput::new();
        input.set(text);
        Self { input }
    }

    /// The text typed so far.
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// The cursor position, in characters.
    pub fn cursor(&self) -> usize {
        self.input.text()[..self.input.cursor()].chars().count()
    }

    /// Edits the text or finishes.
    pub fn handle(&mut self, key: KeyEvent, bindings: &Bindings<PromptAction>) -> PromptOutcome {
        match bindings.action(key) {
            Some(PromptAction::Cancel) => PromptOutcome::Cancel,
            Some(PromptAction::Submit) => PromptOutcome::Submit(self.input.text().to_string()),
            // Recall and completion belong to the command line; the app toggles regex.
            Some(_) => PromptOutcome::None,
            None => {
                self.input.handle_key(key);
                PromptOutcome::None
            }
        }
    }

    /// Handles one key with the default keymap (tests).
    #[cfg(test)]
    pub fn handle_key(&mut self, key: KeyEvent) -> PromptOutcome {
        self.handle(key, &crate::keymap::Keymap::defaults().prompt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

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
        assert_eq!(prompt.cursor(), 2);
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
