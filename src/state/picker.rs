//! The profile picker shown when wsdeck starts without a URL: saved profiles (broken
//! ones marked with their error), the built-in presets, and whatever URL is typed.
//! Typing filters fuzzily. Entries are ranked by where the text matches (the name
//! first), then by recent use, then by name; Enter opens the selection.
//! Pure state and key handling; `ui::picker` draws it and `tui::picker` runs it.

use std::cmp::Ordering;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::line_input::LineInput;

/// Where an entry comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerSource {
    /// A saved profile; `broken` holds why it does not load.
    Profile {
        /// The load error, when the file is broken.
        broken: Option<String>,
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
    /// Position among the recently used entries (0 = the most recent), if used before.
    pub recent: Option<usize>,
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
    /// Start a profile from this preset (the form, its placeholder URL to replace).
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
    /// A picker over `items`: recently used first (most recent first), then the
    /// other profiles, then the other presets, each by name.
    pub fn new(mut items: Vec<PickerItem>) -> Self {
        items.sort_by(rank_within_class);
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
    /// empty, else those that match (name, provider, URL, description), ranked by
    /// [`MatchClass`], then by recent use, then by name.
    fn refilter(&mut self) {
        let query = self.query.text().trim();
        self.selected = 0;
        if query.is_empty() || self.typed_url().is_some() {
            self.visible = (0..self.items.len()).collect();
            return;
        }
        let fuzzy = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let literal = Pattern::new(
            query,
            CaseMatching::Ignore,
            Normalization::Smart,
            AtomKind::Substring,
        );
        let mut buffer = Vec::new();
        let mut matches = |pattern: &Pattern, text: &str| {
            pattern
                .score(Utf32Str::new(text, &mut buffer), &mut self.matcher)
                .is_some()
        };
        let mut ranked: Vec<(MatchClass, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let everything = format!(
                    "{} {} {} {}",
                    item.name, item.provider, item.url, item.description
                );
                let class = if matches(&literal, &item.name) {
                    MatchClass::NameContains
                } else if matches(&fuzzy, &item.name) {
                    MatchClass::NameLetters
                } else if matches(&fuzzy, &everything) {
                    MatchClass::Elsewhere
                } else {
                    return None;
                };
                Some((class, index))
            })
            .collect();
        ranked.sort_by(|(class_a, a), (class_b, b)| {
            class_a
                .cmp(class_b)
                .then_with(|| rank_within_class(&self.items[*a], &self.items[*b]))
        });
        self.visible = ranked.into_iter().map(|(_, index)| index).collect();
    }
}

/// Where the typed text matches an entry; earlier classes are shown first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MatchClass {
    /// The name holds each typed word as it is (`graphql` in `graphql-ws`).
    NameContains,
    /// The name holds the typed letters in order, with others between (`hass`).
    NameLetters,
    /// Only the provider, URL or description matches.
    Elsewhere,
}

/// The order of entries that match equally well: recently used first (most recent
/// first), then saved profiles before presets, then by name.
fn rank_within_class(a: &PickerItem, b: &PickerItem) -> Ordering {
    let recency = |item: &PickerItem| (item.recent.is_none(), item.recent);
    let is_preset = |item: &PickerItem| item.source == PickerSource::Preset;
    recency(a)
        .cmp(&recency(b))
        .then_with(|| is_preset(a).cmp(&is_preset(b)))
        .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        .then_with(|| a.name.cmp(&b.name))
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
            },
            recent,
        }
    }

    fn preset(name: &str, provider: &str) -> PickerItem {
        described_preset(name, provider, &format!("{name} preset"), None)
    }

    fn described_preset(
        name: &str,
        provider: &str,
        description: &str,
        recent: Option<usize>,
    ) -> PickerItem {
        PickerItem {
            name: name.into(),
            url: String::new(),
            provider: provider.into(),
            description: description.into(),
            source: PickerSource::Preset,
            recent,
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
    fn a_name_match_beats_a_description_match_even_a_recent_one() {
        let mut picker = Picker::new(vec![
            described_preset(
                "apollo-legacy",
                "apollo-legacy",
                "Apollo subscriptions-transport-ws (legacy graphql-ws)",
                Some(0),
            ),
            described_preset(
                "graphql-ws",
                "graphql-ws",
                "GraphQL over WebSocket (graphql-transport-ws)",
                None,
            ),
            preset("binance", "binance"),
        ]);
        typed(&mut picker, "graphql");
        assert_eq!(names(&picker), ["graphql-ws", "apollo-legacy"]);
    }

    #[test]
    fn the_name_holding_the_typed_text_beats_scattered_letters() {
        let mut picker = Picker::new(vec![
            profile("web-shop", Some(0), None),
            profile("ws-echo", None, None),
        ]);
        typed(&mut picker, "ws");
        assert_eq!(names(&picker)[..2], ["ws-echo", "web-shop"]);
    }

    #[test]
    fn recent_use_beats_the_alphabet_and_the_alphabet_comes_last() {
        let mut picker = Picker::new(vec![
            profile("gamma-feed", None, None),
            profile("beta-feed", Some(1), None),
            profile("alpha-feed", None, None),
            described_preset("feed-preset", "raw", "", Some(0)),
            profile("delta-feed", Some(2), None),
        ]);
        typed(&mut picker, "feed");
        assert_eq!(
            names(&picker),
            [
                "feed-preset",
                "beta-feed",
                "delta-feed",
                "alpha-feed",
                "gamma-feed"
            ]
        );
    }

    #[test]
    fn a_recently_used_preset_comes_before_unused_profiles() {
        let picker = Picker::new(vec![
            profile("staging", None, None),
            preset("binance", "binance"),
            described_preset("pusher", "pusher", "", Some(1)),
            profile("prod", Some(0), None),
        ]);
        assert_eq!(names(&picker), ["prod", "pusher", "staging", "binance"]);
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
