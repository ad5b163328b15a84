//! The snippets popup: the profile's saved messages, filtered by what is typed, one
//! of them chosen with ↑/↓ and inserted into the composer with Enter. Rendering the
//! chosen snippet's template is the caller's job (it owns the `{{seq}}` counter).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keymap::{Bindings, SnippetsAction};

use crate::config::profile::Snippet;

/// What a key did to the popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetsOutcome {
    /// Nothing for the caller to do.
    None,
    /// Close the popup without inserting anything.
    Cancel,
    /// Insert this snippet (its template still unrendered).
    Insert(Snippet),
}

/// The popup's state: every snippet, the filter typed so far and the selection.
#[derive(Debug, Clone)]
pub struct SnippetList {
    snippets: Vec<Snippet>,
    filter: String,
    /// Indexes into `snippets` of the ones the filter keeps, in order.
    shown: Vec<usize>,
    selected: usize,
}

impl SnippetList {
    /// A popup over `snippets`, all shown, the first selected.
    pub fn new(snippets: Vec<Snippet>) -> Self {
        let mut list = Self {
            snippets,
            filter: String::new(),
            shown: Vec::new(),
            selected: 0,
        };
        list.refilter();
        list
    }

    /// What has been typed to narrow the list.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The snippets the filter keeps, in profile order.
    pub fn shown(&self) -> impl Iterator<Item = &Snippet> {
        self.shown.iter().map(|&index| &self.snippets[index])
    }

    /// How many snippets the filter keeps.
    pub fn shown_count(&self) -> usize {
        self.shown.len()
    }

    /// The position of the selection among the shown snippets.
    pub fn selected_index(&self) -> usize {
        self.selected
    }

    /// The selected snippet, if the filter keeps any.
    pub fn selected(&self) -> Option<&Snippet> {
        self.shown
            .get(self.selected)
            .map(|&index| &self.snippets[index])
    }

    /// Handles one key: a snippets action from `bindings`, else typing filters
    /// and Backspace unfilters.
    pub fn handle(
        &mut self,
        key: KeyEvent,
        bindings: &Bindings<SnippetsAction>,
    ) -> SnippetsOutcome {
        if let Some(action) = bindings.action(key) {
            return self.apply(action);
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Backspace => {
                self.filter.pop();
                self.refilter();
                SnippetsOutcome::None
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                self.filter.push(c);
                self.refilter();
                SnippetsOutcome::None
            }
            _ => SnippetsOutcome::None,
        }
    }

    /// Handles one key with the default keymap (tests).
    #[cfg(test)]
    pub fn handle_key(&mut self, key: KeyEvent) -> SnippetsOutcome {
        self.handle(key, &crate::keymap::Keymap::defaults().snippets)
    }

    /// Carries out a snippets action: move, insert the selected one, cancel.
    pub fn apply(&mut self, action: SnippetsAction) -> SnippetsOutcome {
        match action {
            SnippetsAction::Cancel => SnippetsOutcome::Cancel,
            SnippetsAction::Insert => match self.selected() {
                Some(snippet) => SnippetsOutcome::Insert(snippet.clone()),
                None => SnippetsOutcome::None,
            },
            SnippetsAction::PickUp => self.step(-1),
            SnippetsAction::PickDown => self.step(1),
            SnippetsAction::First => {
                self.selected = 0;
                SnippetsOutcome::None
            }
            SnippetsAction::Last => {
                self.selected = self.shown.len().saturating_sub(1);
                SnippetsOutcome::None
            }
        }
    }

    fn step(&mut self, by: isize) -> SnippetsOutcome {
        let count = self.shown.len();
        if count > 0 {
            self.selected = (self.selected as isize + by).rem_euclid(count as isize) as usize;
        }
        SnippetsOutcome::None
    }

    /// Keeps the snippets whose name or description contains every word of the
    /// filter (case-insensitive), and the selection on the same snippet when it stays.
    fn refilter(&mut self) {
        let previous = self.shown.get(self.selected).copied();
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.shown = self
            .snippets
            .iter()
            .enumerate()
            .filter(|(_, snippet)| {
                let haystack = format!(
                    "{} {}",
                    snippet.name,
                    snippet.description.as_deref().unwrap_or("")
                )
                .to_lowercase();
                words.iter().all(|word| haystack.contains(word.as_str()))
            })
            .map(|(index, _)| index)
            .collect();
        self.selected = previous
            .and_then(|index| self.shown.iter().position(|&shown| shown == index))
            .unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(name: &str, description: &str) -> Snippet {
        Snippet {
            name: name.into(),
            text: format!(r#"{{"type":"{name}"}}"#),
            description: Some(description.into()),
        }
    }

    fn list() -> SnippetList {
        SnippetList::new(vec![
            snippet("get_states", "every entity's state"),
            snippet("toggle kitchen", "call_service light.toggle"),
            snippet("subscribe_events", "state_changed events"),
        ])
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::from(code)
    }

    fn type_text(list: &mut SnippetList, text: &str) {
        for c in text.chars() {
            list.handle_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn arrows_wrap_and_enter_inserts_the_selection() {
        let mut list = list();
        assert_eq!(list.selected().unwrap().name, "get_states");
        list.handle_key(key(KeyCode::Up));
        assert_eq!(list.selected().unwrap().name, "subscribe_events");
        list.handle_key(key(KeyCode::Down));
        list.handle_key(key(KeyCode::Down));
        match list.handle_key(key(KeyCode::Enter)) {
            SnippetsOutcome::Insert(snippet) => assert_eq!(snippet.name, "toggle kitchen"),
            other => panic!("expected an insert, got {other:?}"),
        }
        assert_eq!(list.handle_key(key(KeyCode::Esc)), SnippetsOutcome::Cancel);
    }

    #[test]
    fn typing_filters_by_name_and_description_words() {
        let mut list = list();
        type_text(&mut list, "LIGHT tog");
        let names: Vec<&str> = list.shown().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["toggle kitchen"]);
        type_text(&mut list, "zzz");
        assert_eq!(list.shown_count(), 0);
        assert_eq!(list.handle_key(key(KeyCode::Enter)), SnippetsOutcome::None);
        for _ in 0.."zzz LIGHT tog".len() {
            list.handle_key(key(KeyCode::Backspace));
        }
        assert_eq!(list.filter(), "");
        assert_eq!(list.shown_count(), 3);
    }

    #[test]
    fn the_selection_follows_its_snippet_through_filtering() {
        let mut list = list();
        list.handle_key(key(KeyCode::End));
        assert_eq!(list.selected().unwrap().name, "subscribe_events");
        type_text(&mut list, "e");
        assert_eq!(list.selected().unwrap().name, "subscribe_events");
    }
}
