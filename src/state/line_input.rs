//! A single-line text editor shared by the `:` command line and the `/` search
//! prompt: typing, cursor movement, deletion, Ctrl-U.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A single-line text editor: the text and a cursor (a byte offset on a char boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    cursor: usize,
}

impl LineInput {
    /// An empty line.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a byte offset into [`LineInput::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_owned();
        self.cursor = self.text.len();
    }

    /// Puts the cursor after the last character.
    pub fn move_to_end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Empties the line.
    pub fn clear(&mut self) {
        self.set("");
    }

    /// Inserts a character at the cursor.
    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// The start of the char before the cursor, if any.
    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .char_indices()
            .last()
            .map(|(i, _)| i)
    }

    /// The end of the char after the cursor, if any.
    fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..]
            .chars()
            .next()
            .map(|c| self.cursor + c.len_utf8())
    }

    /// Applies an editing key: a printable char, Backspace, Delete, Left, Right, Home,
    /// End, Ctrl-U (clear). Returns false for any other key, leaving the line unchanged.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            // Ctrl+Alt is how AltGr characters arrive on some platforms.
            KeyCode::Char(c) if !ctrl && !alt || ctrl && alt => self.insert(c),
            KeyCode::Char('u') if ctrl => self.clear(),
            KeyCode::Backspace => {
                if let Some(prev) = self.prev_boundary() {
                    self.text.drain(prev..self.cursor);
                    self.cursor = prev;
                }
            }
            KeyCode::Delete => {
                if let Some(next) = self.next_boundary() {
                    self.text.drain(self.cursor..next);
                }
            }
            KeyCode::Left => self.cursor = self.prev_boundary().unwrap_or(0),
            KeyCode::Right => self.cursor = self.next_boundary().unwrap_or(self.cursor),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.move_to_end(),
            _ => return false,
        }
        true
    }
}
