//! The profile picker shown when wsdeck starts without a URL: saved profiles (most
//! recently used first, broken ones marked with their error), the built-in presets,
//! and whatever URL is typed. Typing filters fuzzily; Enter opens the selection.
//! Pure state and key handling; `ui::picker` draws it and `tui::picker` runs it.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::line_input::LineInput;

/// Where an entry comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerSource {
    /// A saved profile; `broken` holds why it does not load.
    Profile {
        /// The load error, when the file is broken.
        broken: Option<String>,
        /// Position in the recent list (0 = most recent), if used before.
        recent: Option<usize>,
    },
    /// A built-in preset.
    Preset,
}

/// One line of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerItem {
    /// Profile or preset name.
    pub name: String,
    /// The URL it connects to (may hold `${env:…}` references), or empty.
    pub url: String,
    /// The provider (adapter) name.
    pub provider: String,
    /// A one-line description.
    pub description: String,
    /// Profile or preset.
    pub source: PickerSource,
}

impl PickerItem {
    /// Whether the entry cannot be opened (a profile that fails to load).
    pub fn broken(&self) -> Option<&str> {
        match &self.source {
            PickerSource::Profile { broken, .. } => broken.as_deref(),
            PickerSource::Preset => None,
        }
    }
}

/// What the user picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerChoice {
    /// Open this saved profile.
    Profile(String),
    /// Open this preset (it may still need a URL of its own).
    Preset(String),
    /// Open this typed URL.
    Url(String),
    /// Start the built-in demo.
    Demo,
    /// Create a new profile (the form), starting from the selected preset if any.
    New {
        /// Preset to start from.
        preset: Option<String>,
    },
    /// Edit this saved profile in the form.
    Edit(String),
}

/// The result of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    /// Nothing to do beyond redrawing.
    None,
    /// The user chose.
    Chosen(PickerChoice),
    /// The user left (Esc, Ctrl-C).
    Quit,
}

/// The picker's state.
#[derive(Debug)]
pub struct Picker {
    items: Vec<PickerItem>,
    query: LineInput,
    /// Indexes into `items` that match the query, best first.
    visible: Vec<usize>,
    selected: usize,
    /// Why the last Enter did nothing (a broken profile, say).
    error: Option<String>,
    matcher: Matcher,
}

impl Picker {
    /// A picker over `items`: profiles recent first then by name, then presets.
    pub fn new(mut items: Vec<PickerItem>) -> Self {
        items.sort_by_key(order_key);
        let mut picker = Self {
            visible: (0..items.len()).collect(),
            items,
            query: LineInput::default(),
            selected: 0,
            error: None,
            matcher: Matcher::new(Config::DEFAULT),
        };
        picker.refilter();
        picker
    }

    /// Every entry, in display order when nothing is typed.
    pub fn items(&self) -> &[PickerItem] {
        &self.items
    }

    /// The entries that match what is typed, best first.
    pub fn visible(&self) -> impl Iterator<Item = &PickerItem> {
        self.visible.iter().map(|&index| &self.items[index])
    }

    /// How many entries match.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The selected row among the visible entries.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The selected entry, if any matches.
    pub fn selected_item(&self) -> Option<&PickerItem> {
        self.visible
            .get(self.selected)
            .map(|&index| &self.items[index])
    }

    /// What is typed.
    pub fn query(&self) -> &str {
        self.query.text()
    }

    /// The cursor as a byte offset into [`Picker::query`].
    pub fn cursor(&self) -> usize {
        self.query.cursor()
    }

    /// Shows a line in the error slot (e.g. what the form just saved).
    pub fn set_error(&mut self, text: String) {
        self.error = Some(text);
    }

    /// Why the last Enter did nothing.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Whether what is typed is a URL to open directly.
    pub fn typed_url(&self) -> Option<&str> {
        let text = self.query.text().trim();
        let scheme = ["ws://", "wss://", "http://", "https://"];
        scheme
            .iter()
            .any(|prefix| text.starts_with(prefix))
            .then_some(text)
    }

    /// Handles one key.
    pub fn handle_key(&mut self, key: KeyEvent) -> PickerOutcome {
        if key.kind == KeyEventKind::Release {
            return PickerOutcome::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return PickerOutcome::Quit,
            KeyCode::Char('c') if ctrl => return PickerOutcome::Quit,
            KeyCode::Char('d') if ctrl => return PickerOutcome::Chosen(PickerChoice::Demo),
            KeyCode::Char('n') if ctrl => {
                let preset = self
                    .selected_item()
                    .filter(|item| item.source == PickerSource::Preset)
                    .map(|item| item.name.clone());
                return PickerOutcome::Chosen(PickerChoice::New { preset });
            }
            KeyCode::Char('e') if ctrl => {
                return match self.selected_item() {
                    Some(item) if matches!(item.source, PickerSource::Profile { .. }) => {
                        PickerOutcome::Chosen(PickerChoice::Edit(item.name.clone()))
                    }
                    _ => {
                        self.error = Some("Ctrl-E edits a saved profile; select one first".into());
                        PickerOutcome::None
                    }
                };
            }
            KeyCode::Enter => return self.choose(),
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => {
                if self.selected + 1 < self.visible.len() {
                    self.selected += 1;
                }
            }
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(10),
            KeyCode::PageDown => {
                self.selected = (self.selected + 10).min(self.visible.len().saturating_sub(1))
            }
            _ => {
                let before = self.query.text().to_owned();
                if self.query.handle_key(key) && self.query.text() != before {
                    self.error = None;
                    self.refilter();
                }
            }
        }
        PickerOutcome::None
    }

    fn choose(&mut self) -> PickerOutcome {
        if let Some(url) = self.typed_url() {
            return PickerOutcome::Chosen(PickerChoice::Url(url.to_string()));
        }
        let Some(item) = self.selected_item() else {
            if self.query.text().trim().is_empty() {
                return PickerOutcome::Chosen(PickerChoice::Demo);
            }
            self.error = Some(
                "nothing matches; type a ws:// URL to open it, or Ctrl-N for a new profile".into(),
            );
            return PickerOutcome::None;
        };
        if let Some(broken) = item.broken() {
            self.error = Some(format!(
                "'{}' does not load: {broken} — fix the file (wsdeck profiles edit {})",
                item.name, item.name
            ));
            return PickerOutcome::None;
        }
        let choice = match item.source {
            PickerSource::Profile { .. } => PickerChoice::Profile(item.name.clone()),
            PickerSource::Preset => PickerChoice::Preset(item.name.clone()),
        };
        PickerOutcome::Chosen(choice)
    }

    /// Recomputes the visible entries for the query: all in display order when it is
    /// empty, else those that match fuzzily (name, provider, URL, description), best
    /// first.
    fn refilter(&mut self) {
        let query = self.query.text().trim();
        self.selected = 0;
        if query.is_empty() || self.typed_url().is_some() {
            self.visible = (0..self.items.len()).collect();
            return;
        }
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut buffer = Vec::new();
        let mut scored: Vec<(u32, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let haystack = format!(
                    "{} {} {} {}",
                    item.name, item.provider, item.url, item.description
                );
                pattern
                    .score(Utf32Str::new(&haystack, &mut buffer), &mut self.matcher)
                    .map(|score| (score, index))
            })
            .collect();
        // Best score first; ties keep the display order (recent first).
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.visible = scored.into_iter().map(|(_, index)| index).collect();
    }
}

/// Display order: recent profiles (most recent first), other profiles by name,
/// then presets by name.
fn order_key(item: &PickerItem) -> (u8, usize, String) {
    match &item.source {
        PickerSource::Profile {
            recent: Some(rank), ..
        } => (0, *rank, item.name.clone()),
        PickerSource::Profile { recent: None, .. } => (1, 0, item.name.clone()),
        PickerSource::Preset => (2, 0, item.name.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, recent: Option<usize>, broken: Option<&str>) -> PickerItem {
        PickerItem {
            name: name.into(),
            url: format!("wss://{name}.example/ws"),
            provider: "raw".into(),
            description: String::new(),
            source: PickerSource::Profile {
                broken: broken.map(str::to_string),
                recent,
            },
        }
    }

    fn preset(name: &str, provider: &str) -> PickerItem {
        PickerItem {
            name: name.into(),
            url: String::new(),
            provider: provider.into(),
            description: format!("{name} preset"),
            source: PickerSource::Preset,
        }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(picker: &mut Picker, text: &str) {
        for c in text.chars() {
            picker.handle_key(key(KeyCode::Char(c)));
        }
    }

    fn names(picker: &Picker) -> Vec<&str> {
        picker.visible().map(|item| item.name.as_str()).collect()
    }

    fn sample() -> Picker {
        Picker::new(vec![
            preset("binance", "binance"),
            profile("staging", None, None),
            profile("home", Some(1), None),
            profile("prod", Some(0), None),
            profile(
                "broken",
                None,
                Some("unknown key `tokn` at line 3, column 1"),
            ),
            preset("home-assistant", "home-assistant"),
        ])
    }

    #[test]
    fn recent_profiles_first_then_others_then_presets() {
        let picker = sample();
        assert_eq!(
            names(&picker),
            [
                "prod",
                "home",
                "broken",
                "staging",
                "binance",
                "home-assistant"
            ]
        );
    }

    #[test]
    fn typing_filters_fuzzily_and_enter_opens() {
        let mut picker = sample();
        typed(&mut picker, "hass");
        assert_eq!(names(&picker)[0], "home-assistant", "best match first");
        assert_eq!(
            picker.handle_key(key(KeyCode::Enter)),
            PickerOutcome::Chosen(PickerChoice::Preset("home-assistant".into()))
        );
        let mut picker = sample();
        typed(&mut picker, "stg");
        assert_eq!(names(&picker), ["staging"]);
        assert_eq!(
            picker.handle_key(key(KeyCode::Enter)),
            PickerOutcome::Chosen(PickerChoice::Profile("staging".into()))
        );
    }

    #[test]
    fn arrows_move_and_broken_profiles_explain_themselves() {
        let mut picker = sample();
        picker.handle_key(key(KeyCode::Down));
        picker.handle_key(key(KeyCode::Down));
        assert_eq!(
            picker.selected_item().map(|i| i.name.as_str()),
            Some("broken")
        );
        assert_eq!(picker.handle_key(key(KeyCode::Enter)), PickerOutcome::None);
        let error = picker.error().expect("an error");
        assert!(error.contains("unknown key `tokn`"), "{error}");
        assert!(error.contains("wsdeck profiles edit broken"), "{error}");
        picker.handle_key(key(KeyCode::Up));
        picker.handle_key(key(KeyCode::Up));
        picker.handle_key(key(KeyCode::Up));
        assert_eq!(picker.selected(), 0);
    }

    #[test]
    fn a_typed_url_opens_directly() {
        let mut picker = sample();
        typed(&mut picker, "ws://127.0.0.1:8765/");
        assert_eq!(
            picker.handle_key(key(KeyCode::Enter)),
            PickerOutcome::Chosen(PickerChoice::Url("ws://127.0.0.1:8765/".into()))
        );
    }

    #[test]
    fn new_edit_demo_and_quit_keys() {
        let mut picker = sample();
        assert_eq!(
            picker.handle_key(ctrl('e')),
            PickerOutcome::Chosen(PickerChoice::Edit("prod".into()))
        );
        typed(&mut picker, "binance");
        assert_eq!(
            picker.handle_key(ctrl('n')),
            PickerOutcome::Chosen(PickerChoice::New {
                preset: Some("binance".into())
            })
        );
        assert_eq!(picker.handle_key(ctrl('e')), PickerOutcome::None);
        assert!(picker.error().is_some());
        assert_eq!(
            picker.handle_key(ctrl('d')),
            PickerOutcome::Chosen(PickerChoice::Demo)
        );
        assert_eq!(picker.handle_key(key(KeyCode::Esc)), PickerOutcome::Quit);
        assert_eq!(picker.handle_key(ctrl('c')), PickerOutcome::Quit);
    }

    #[test]
    fn no_match_says_what_to_do_and_an_empty_picker_offers_the_demo() {
        let mut picker = sample();
        typed(&mut picker, "zzzz");
        assert_eq!(picker.visible_len(), 0);
        assert_eq!(picker.handle_key(key(KeyCode::Enter)), PickerOutcome::None);
        assert!(picker.error().is_some_and(|e| e.contains("ws:// URL")));
        let mut empty = Picker::new(Vec::new());
        assert_eq!(
            empty.handle_key(key(KeyCode::Enter)),
            PickerOutcome::Chosen(PickerChoice::Demo)
        );
    }
}
