//! The form that creates or edits a profile from the picker: one line per field,
//! each checked as it is typed (name, URL, provider, auth mode, token reference,
//! subprotocols, message format), and saved only when every field is valid. Opened
//! from a preset, it starts on the URL with the preset's placeholder selected, so
//! typing replaces it. Pure; `ui::profile_form` draws it and the runtime saves what
//! it returns.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::line_input::LineInput;
use crate::protocol::registry;
use crate::session::config::parse_ws_url;

/// Auth modes a profile can name.
pub const AUTH_MODES: &[&str] = &[
    "none",
    "query-param",
    "first-message",
    "subprotocol",
    "header",
];

/// Message formats a profile can name.
pub const MESSAGE_FORMATS: &[&str] = &["json", "text", "binary"];

/// The fields, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// Profile name (the file name).
    Name,
    /// One-line description.
    Description,
    /// ws:// or wss:// URL (may hold `${env:…}` references).
    Url,
    /// Adapter name.
    Provider,
    /// Auth mode.
    Auth,
    /// Token reference: `${env:NAME}` or `${file:PATH}`.
    Token,
    /// Subprotocols, comma-separated.
    Subprotocols,
    /// json, text or binary.
    Format,
}

impl FormField {
    /// Every field, in order.
    pub const ALL: [FormField; 8] = [
        FormField::Name,
        FormField::Description,
        FormField::Url,
        FormField::Provider,
        FormField::Auth,
        FormField::Token,
        FormField::Subprotocols,
        FormField::Format,
    ];

    /// The label shown before the field.
    pub fn label(self) -> &'static str {
        match self {
            FormField::Name => "name",
            FormField::Description => "description",
            FormField::Url => "url",
            FormField::Provider => "provider",
            FormField::Auth => "auth",
            FormField::Token => "token",
            FormField::Subprotocols => "subprotocols",
            FormField::Format => "format",
        }
    }

    /// What to type, shown under the focused field.
    pub fn hint(self) -> String {
        match self {
            FormField::Name => "letters, digits, - _ . (the file name)".into(),
            FormField::Description => "optional, one line".into(),
            FormField::Url => "ws://HOST[:PORT]/PATH or wss://…; ${env:NAME} allowed".into(),
            FormField::Provider => format!("one of {}", registry::names().join(", ")),
            FormField::Auth => format!("one of {}", AUTH_MODES.join(", ")),
            FormField::Token => "a reference, never the token: ${env:NAME} or ${file:PATH}".into(),
            FormField::Subprotocols => "optional, comma-separated".into(),
            FormField::Format => format!("one of {}", MESSAGE_FORMATS.join(", ")),
        }
    }
}

/// What the form holds, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormValues {
    /// Profile name.
    pub name: String,
    /// Description, `None` when empty.
    pub description: Option<String>,
    /// URL as typed.
    pub url: String,
    /// Adapter name.
    pub provider: String,
    /// Auth mode name.
    pub auth: String,
    /// Token reference, `None` when empty.
    pub token: Option<String>,
    /// Subprotocols.
    pub subprotocols: Vec<String>,
    /// Message format name.
    pub format: String,
}

/// The result of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// Keep editing.
    None,
    /// Save these values (every field is valid).
    Save(FormValues),
    /// Connect with these values without saving them (a preset's form, Ctrl-O);
    /// every field but the name is valid.
    Connect(FormValues),
    /// Leave without saving.
    Cancel,
}

/// The form's state.
#[derive(Debug, Clone)]
pub struct ProfileForm {
    inputs: Vec<LineInput>,
    focus: usize,
    /// True when editing an existing profile (its name cannot change).
    editing: bool,
    /// True while the focused field's whole text is selected: typing replaces it.
    whole_text_selected: bool,
    /// True when the runtime connects to the profile once it is saved.
    connects_on_save: bool,
    /// A message from the last save attempt (e.g. the file exists).
    pub notice: Option<String>,
}

impl ProfileForm {
    /// A form filled with `values`; `editing` keeps the name fixed.
    pub fn new(values: &FormValues, editing: bool) -> Self {
        let text = |field: FormField| match field {
            FormField::Name => values.name.clone(),
            FormField::Description => values.description.clone().unwrap_or_default(),
            FormField::Url => values.url.clone(),
            FormField::Provider => values.provider.clone(),
            FormField::Auth => values.auth.clone(),
            FormField::Token => values.token.clone().unwrap_or_default(),
            FormField::Subprotocols => values.subprotocols.join(", "),
            FormField::Format => values.format.clone(),
        };
        let inputs = FormField::ALL
            .iter()
            .map(|&field| {
                let mut input = LineInput::default();
                input.set(&text(field));
                input
            })
            .collect();
        Self {
            inputs,
            focus: if editing { 1 } else { 0 },
            editing,
            whole_text_selected: false,
            connects_on_save: false,
            notice: None,
        }
    }

    /// A new-profile form filled from a preset, which the runtime connects to once
    /// saved: the URL is focused and its placeholder selected, so typing replaces it
    /// and an arrow key keeps it.
    pub fn from_preset(values: &FormValues) -> Self {
        let mut form = Self::new(values, false);
        form.focus = index(FormField::Url);
        form.whole_text_selected = !values.url.is_empty();
        form.connects_on_save = true;
        form
    }

    /// Whether the focused field's whole text is selected (typing replaces it).
    pub fn whole_text_selected(&self) -> bool {
        self.whole_text_selected
    }

    /// Whether saving also connects to the saved profile.
    pub fn connects_on_save(&self) -> bool {
        self.connects_on_save
    }

    /// Whether this edits an existing profile.
    pub fn is_editing(&self) -> bool {
        self.editing
    }

    /// The focused field.
    pub fn focus(&self) -> FormField {
        FormField::ALL[self.focus]
    }

    /// A field's text.
    pub fn text(&self, field: FormField) -> &str {
        self.inputs[index(field)].text()
    }

    /// The cursor (byte offset) in a field.
    pub fn cursor(&self, field: FormField) -> usize {
        self.inputs[index(field)].cursor()
    }

    /// Why a field's text is not acceptable, if it is not.
    pub fn error(&self, field: FormField) -> Option<String> {
        validate(
            field,
            self.text(field).trim(),
            self.text(FormField::Auth).trim(),
        )
    }

    /// Whether every field is valid.
    pub fn is_valid(&self) -> bool {
        FormField::ALL
            .iter()
            .all(|&field| self.error(field).is_none())
    }

    /// Handles one key: Tab/Shift-Tab/↑/↓ move, Enter moves on (saves on the last
    /// field), Ctrl-S saves, Esc cancels; anything else edits the focused field
    /// (replacing its text while it is selected).
    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Char('c') if ctrl => return FormOutcome::Cancel,
            KeyCode::Char('s') if ctrl => return self.save(),
            KeyCode::Char('o') if ctrl && self.connects_on_save => return self.connect(),
            KeyCode::Enter if self.focus + 1 == self.inputs.len() => return self.save(),
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(-1),
            _ => {
                if !(self.editing && self.focus() == FormField::Name) {
                    if self.whole_text_selected {
                        self.edit_selected_text(key);
                    } else {
                        self.inputs[self.focus].handle_key(key);
                    }
                    self.notice = None;
                }
            }
        }
        FormOutcome::None
    }

    /// An editing key while the focused field's text is selected: a typed character
    /// replaces the text, Backspace and Delete empty it, ←/Home and →/End keep it and
    /// put the cursor at its start or end. The selection ends with any key the field
    /// takes; other keys leave it.
    fn edit_selected_text(&mut self, key: KeyEvent) {
        let input = &mut self.inputs[self.focus];
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let taken = match key.code {
            KeyCode::Char(_) if !ctrl && !alt || ctrl && alt => {
                input.clear();
                input.handle_key(key)
            }
            KeyCode::Backspace | KeyCode::Delete => {
                input.clear();
                true
            }
            KeyCode::Left | KeyCode::Home => input.handle_key(KeyEvent::from(KeyCode::Home)),
            KeyCode::Right | KeyCode::End => input.handle_key(KeyEvent::from(KeyCode::End)),
            _ => input.handle_key(key),
        };
        if taken {
            self.whole_text_selected = false;
        }
    }

    fn move_focus(&mut self, by: isize) {
        self.whole_text_selected = false;
        let count = self.inputs.len() as isize;
        let first = if self.editing { 1 } else { 0 };
        let mut next = (self.focus as isize + by).rem_euclid(count);
        if next < first {
            next = if by > 0 { first } else { count - 1 };
        }
        self.focus = next as usize;
    }

    fn save(&mut self) -> FormOutcome {
        match self.checked_values(&FormField::ALL) {
            Some(values) => FormOutcome::Save(values),
            None => FormOutcome::None,
        }
    }

    /// Ctrl-O in a preset's form: everything but the name must be right.
    fn connect(&mut self) -> FormOutcome {
        let fields: Vec<FormField> = FormField::ALL
            .iter()
            .copied()
            .filter(|&field| field != FormField::Name)
            .collect();
        match self.checked_values(&fields) {
            Some(values) => FormOutcome::Connect(values),
            None => FormOutcome::None,
        }
    }

    /// The values, when none of `fields` has an error; otherwise focuses the
    /// first field that has one and says so.
    fn checked_values(&mut self, fields: &[FormField]) -> Option<FormValues> {
        if let Some(field) = fields
            .iter()
            .copied()
            .find(|&field| self.error(field).is_some())
        {
            if self.focus != index(field) {
                self.whole_text_selected = false;
                self.focus = index(field);
            }
            self.notice = Some(format!("fix {} first", field.label()));
            return None;
        }
        let text = |field: FormField| self.text(field).trim().to_string();
        let optional = |field: FormField| Some(text(field)).filter(|value| !value.is_empty());
        Some(FormValues {
            name: text(FormField::Name),
            description: optional(FormField::Description),
            url: text(FormField::Url),
            provider: text(FormField::Provider),
            auth: text(FormField::Auth),
            token: optional(FormField::Token),
            subprotocols: text(FormField::Subprotocols)
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_string)
                .collect(),
            format: text(FormField::Format),
        })
    }
}

fn index(field: FormField) -> usize {
    FormField::ALL
        .iter()
        .position(|&candidate| candidate == field)
        .unwrap_or(0)
}

/// Checks one field's (trimmed) text; `auth` is the auth field's text, which decides
/// whether a token is needed.
pub fn validate(field: FormField, text: &str, auth: &str) -> Option<String> {
    let one_of = |choices: &[&str]| {
        (!choices.contains(&text)).then(|| format!("'{text}' is not one of {}", choices.join(", ")))
    };
    match field {
        FormField::Name if text.is_empty() => Some("a name is needed".into()),
        FormField::Name => (!text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || text.starts_with('.'))
        .then(|| "only letters, digits, '-', '_' and '.' (not first)".into()),
        FormField::Description => None,
        FormField::Url if text.is_empty() => Some("a URL is needed".into()),
        // A reference is resolved when connecting; check the rest of the URL now.
        FormField::Url => parse_ws_url(&without_references(text))
            .err()
            .map(|error| error.to_string()),
        FormField::Provider => one_of(registry::names()),
        FormField::Auth => one_of(AUTH_MODES),
        FormField::Token if text.is_empty() => (!matches!(auth, "none" | "")).then(|| {
            format!("auth '{auth}' needs a token reference: ${{env:NAME}} or ${{file:PATH}}")
        }),
        FormField::Token => {
            let reference = (text.starts_with("${env:") || text.starts_with("${file:"))
                && text.ends_with('}')
                && text.len() > "${env:}".len();
            (!reference)
                .then(|| "write a reference, not the token: ${env:NAME} or ${file:PATH}".into())
        }
        FormField::Subprotocols => text
            .split(',')
            .map(str::trim)
            .find(|name| name.contains(char::is_whitespace))
            .map(|name| format!("'{name}' has spaces; separate subprotocols with commas")),
        FormField::Format => one_of(MESSAGE_FORMATS),
    }
}

/// `text` with each `${…}` reference replaced by a plain word, so the rest can be
/// checked before the references are resolved.
fn without_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str("ref");
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> FormValues {
        FormValues {
            name: String::new(),
            description: None,
            url: String::new(),
            provider: "raw".into(),
            auth: "none".into(),
            token: None,
            subprotocols: Vec::new(),
            format: "json".into(),
        }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(form: &mut ProfileForm, text: &str) {
        for c in text.chars() {
            form.handle_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn fields_are_checked_as_typed_and_save_waits_for_all() {
        let mut form = ProfileForm::new(&values(), false);
        assert_eq!(
            form.error(FormField::Name).as_deref(),
            Some("a name is needed")
        );
        type_text(&mut form, "ha/x");
        assert!(form.error(FormField::Name).is_some());
        form.handle_key(key(KeyCode::Backspace));
        form.handle_key(key(KeyCode::Backspace));
        assert_eq!(form.error(FormField::Name), None);
        assert_eq!(
            form.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FormOutcome::None
        );
        assert_eq!(
            form.focus(),
            FormField::Url,
            "save jumps to the first bad field"
        );
        assert_eq!(form.notice.as_deref(), Some("fix url first"));
        type_text(&mut form, "ftp://x");
        assert!(
            form.error(FormField::Url)
                .is_some_and(|e| e.contains("ws://"))
        );
        for _ in 0..7 {
            form.handle_key(key(KeyCode::Backspace));
        }
        type_text(&mut form, "ws://127.0.0.1:8123/api/websocket");
        assert_eq!(form.error(FormField::Url), None);
        form.handle_key(key(KeyCode::Tab));
        for _ in 0..3 {
            form.handle_key(key(KeyCode::Backspace));
        }
        type_text(&mut form, "home-assistant");
        form.handle_key(key(KeyCode::Tab));
        for _ in 0..4 {
            form.handle_key(key(KeyCode::Backspace));
        }
        type_text(&mut form, "first-message");
        assert!(
            form.error(FormField::Token).is_some(),
            "the auth needs a token"
        );
        form.handle_key(key(KeyCode::Tab));
        type_text(&mut form, "eyJhbGciOi");
        assert!(
            form.error(FormField::Token)
                .is_some_and(|e| e.contains("reference")),
            "a literal token is refused"
        );
        for _ in 0..10 {
            form.handle_key(key(KeyCode::Backspace));
        }
        type_text(&mut form, "${env:HA_TOKEN}");
        assert!(form.is_valid());
        let saved = form.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(
            saved,
            FormOutcome::Save(FormValues {
                name: "ha".into(),
                description: None,
                url: "ws://127.0.0.1:8123/api/websocket".into(),
                provider: "home-assistant".into(),
                auth: "first-message".into(),
                token: Some("${env:HA_TOKEN}".into()),
                subprotocols: Vec::new(),
                format: "json".into(),
            })
        );
    }

    #[test]
    fn editing_keeps_the_name_and_esc_cancels() {
        let mut existing = values();
        existing.name = "prod".into();
        existing.url = "wss://${env:HOST}/ws".into();
        let mut form = ProfileForm::new(&existing, true);
        assert_eq!(form.focus(), FormField::Description);
        form.handle_key(key(KeyCode::BackTab));
        assert_eq!(form.focus(), FormField::Format, "the name is skipped");
        assert_eq!(
            form.error(FormField::Url),
            None,
            "references are allowed in URLs"
        );
        assert_eq!(form.handle_key(key(KeyCode::Esc)), FormOutcome::Cancel);
    }

    fn preset_values() -> FormValues {
        FormValues {
            name: "graphql-ws".into(),
            url: "ws://localhost:4000/graphql".into(),
            provider: "graphql-ws".into(),
            ..values()
        }
    }

    #[test]
    fn from_a_preset_typing_replaces_the_selected_placeholder_url() {
        let mut form = ProfileForm::from_preset(&preset_values());
        assert_eq!(form.focus(), FormField::Url);
        assert!(form.whole_text_selected());
        assert!(form.connects_on_save());
        type_text(&mut form, "wss://api.example/graphql");
        assert_eq!(form.text(FormField::Url), "wss://api.example/graphql");
        assert!(!form.whole_text_selected());
        assert_eq!(
            form.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FormOutcome::Save(FormValues {
                url: "wss://api.example/graphql".into(),
                ..preset_values()
            })
        );
    }

    #[test]
    fn from_a_preset_an_arrow_keeps_the_placeholder_and_moves_the_cursor() {
        let mut form = ProfileForm::from_preset(&preset_values());
        form.handle_key(key(KeyCode::Left));
        assert!(!form.whole_text_selected());
        assert_eq!(form.text(FormField::Url), "ws://localhost:4000/graphql");
        assert_eq!(form.cursor(FormField::Url), 0, "← goes to the start");
        type_text(&mut form, "x");
        assert_eq!(form.text(FormField::Url), "xws://localhost:4000/graphql");

        let mut form = ProfileForm::from_preset(&preset_values());
        form.handle_key(key(KeyCode::Right));
        form.handle_key(key(KeyCode::Backspace));
        assert_eq!(form.text(FormField::Url), "ws://localhost:4000/graphq");
    }

    #[test]
    fn from_a_preset_backspace_empties_and_moving_on_keeps_the_placeholder() {
        let mut form = ProfileForm::from_preset(&preset_values());
        form.handle_key(key(KeyCode::Backspace));
        assert_eq!(form.text(FormField::Url), "");
        assert_eq!(
            form.error(FormField::Url).as_deref(),
            Some("a URL is needed")
        );

        let mut form = ProfileForm::from_preset(&preset_values());
        form.handle_key(key(KeyCode::Tab));
        assert!(!form.whole_text_selected());
        form.handle_key(key(KeyCode::BackTab));
        type_text(&mut form, "/v2");
        assert_eq!(form.text(FormField::Url), "ws://localhost:4000/graphql/v2");
    }

    #[test]
    fn a_new_or_edited_profile_selects_nothing() {
        let form = ProfileForm::new(&preset_values(), false);
        assert!(!form.whole_text_selected());
        assert!(!form.connects_on_save());
        assert_eq!(form.focus(), FormField::Name);
    }

    #[test]
    fn choices_and_subprotocols() {
        assert!(validate(FormField::Provider, "sockets", "none").is_some());
        assert_eq!(validate(FormField::Provider, "graphql-ws", "none"), None);
        assert_eq!(validate(FormField::Format, "text", "none"), None);
        assert!(validate(FormField::Subprotocols, "a b, c", "none").is_some());
        assert_eq!(validate(FormField::Subprotocols, "a, b", "none"), None);
    }

    #[test]
    fn ctrl_o_connects_a_preset_form_without_a_name_and_only_a_preset_form() {
        let ctrl_o = KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL);
        let mut form = ProfileForm::from_preset(&FormValues {
            name: String::new(),
            ..preset_values()
        });
        for c in "ws://127.0.0.1:4000/graphql".chars() {
            form.handle_key(key(KeyCode::Char(c)));
        }
        let FormOutcome::Connect(values) = form.handle_key(ctrl_o) else {
            panic!("Ctrl-O connects");
        };
        assert_eq!(values.url, "ws://127.0.0.1:4000/graphql");
        assert_eq!(values.provider, "graphql-ws");
        // A URL that is not one is still refused.
        let mut bad = ProfileForm::from_preset(&preset_values());
        bad.handle_key(key(KeyCode::Char('x')));
        assert_eq!(bad.handle_key(ctrl_o), FormOutcome::None);
        assert!(
            bad.notice.as_deref().is_some_and(|n| n.contains("fix")),
            "{:?}",
            bad.notice
        );
        // A form for a new or saved profile has no unsaved connection.
        let mut plain = ProfileForm::new(&preset_values(), false);
        assert_eq!(plain.handle_key(ctrl_o), FormOutcome::None);
    }
}
