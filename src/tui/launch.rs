//! Ways into the TUI: a URL or profile from the command line, the profile picker
//! (with its form to create or edit profiles), or the built-in demo server.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::{Context, bail};
use clap::ValueEnum;

use super::terminal::TerminalGuard;
use super::{Launch, run};
use crate::app::SessionExtras;
use crate::cli::ConnectionArgs;
use crate::commands::setup::{self, Resolved};
use crate::config::presets;
use crate::config::profile::{MessageFormat, Profile};
use crate::config::store::{ProfileStore, SaveMode};
use crate::outcome::{Failure, FailureClass};
use crate::server::{Server, ServerConfig};
use crate::session::SessionConfig;
use crate::session::auth::AuthMethod;
use crate::state::picker::{Picker, PickerChoice, PickerItem, PickerSource};
use crate::state::picker_recency::{EntryKind, LastUse, RecencyRanks};
use crate::state::profile_form::{FormOutcome, FormValues, ProfileForm};
use crate::theme;

/// The hint shown on the demo's first screen.
pub const DEMO_WELCOME: &str =
    "Type {\"hello\":1} + Enter · Tab, Enter: inspect · Ctrl-X: close codes · F1 help";

/// Opens the TUI on `url` (or the profile's or preset's URL) with the given flags.
pub async fn open(
    url: Option<&str>,
    connection: &ConnectionArgs,
    log_capacity: usize,
    record: bool,
) -> anyhow::Result<()> {
    require_terminal()?;
    install_user_theme()?;
    // The failure keeps its class, so the binary exits with its code (2 for bad input).
    let resolved = setup::resolve(url, connection).map_err(anyhow::Error::new)?;
    if let Some(name) = &connection.profile {
        note_use(EntryKind::Profile, name);
    }
    if let Some(name) = &connection.preset {
        note_use(EntryKind::Preset, name);
    }
    run(launch_for(resolved, log_capacity, record)).await
}

/// What to run for a resolved connection.
fn launch_for(resolved: Resolved, log_capacity: usize, record: bool) -> Launch {
    let Resolved {
        session,
        extras,
        profile_name,
        profile,
    } = resolved;
    let history_key = match &profile_name {
        Some(name) => format!("profile:{name}"),
        None => session.url.to_string(),
    };
    let templates = snippet_templates(&session);
    Launch {
        config: session,
        welcome: None,
        server: None,
        log_capacity,
        history_key,
        extras: SessionExtras {
            composer_mode: Some(extras.message_format),
            profile_name,
            snippets: extras.snippets,
            templates,
            ..SessionExtras::default()
        },
        profile: Some(profile),
        record,
    }
}

/// What snippets render with: a snippet's `{{token}}` is inserted as the
/// placeholder the session fills in when the message goes out, never as the token.
fn snippet_templates(session: &SessionConfig) -> crate::template::Context {
    let placeholder = session
        .auth
        .token
        .as_ref()
        .map(|_| crate::session::Secret::new(crate::session::TOKEN_PLACEHOLDER));
    crate::template::Context::with_token(placeholder)
}

/// Shows the profile picker (and its form), then opens what was picked. A saved
/// profile or a typed URL connects at once; a preset opens the form on its URL, and
/// the profile saved from it connects. `--provider NAME` naming a preset skips the
/// list and opens that preset's form.
pub async fn pick_and_open(
    connection: &ConnectionArgs,
    log_capacity: usize,
    record: bool,
) -> anyhow::Result<()> {
    require_terminal()?;
    install_user_theme()?;
    let store = ProfileStore::from_env().map_err(|error| anyhow::anyhow!(error.to_string()))?;
    let mut guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    let mut notice: Option<String> = None;
    // `--provider NAME` without a URL: the preset's form first, as if chosen in the
    // picker (Esc there leads to the picker).
    let mut asked_preset = connection
        .provider
        .as_deref()
        .filter(|name| presets::find(name).is_some())
        .map(|name| PickerChoice::Preset(name.to_owned()));
    let choice = loop {
        let choice = match asked_preset.take() {
            Some(preset) => preset,
            None => {
                let mut picker = Picker::new(picker_items(&store, &recency_ranks(&store)));
                if let Some(text) = notice.take() {
                    picker.set_error(text);
                }
                let Some(choice) = super::picker::pick(&mut guard, &mut picker).await? else {
                    return Ok(());
                };
                choice
            }
        };
        match choice {
            PickerChoice::New { preset } => {
                let base = preset.as_deref().map(preset_profile).unwrap_or_default();
                let form = ProfileForm::new(&form_values(&base, ""), false);
                let end = edit_in_form(&mut guard, &store, base, form, None).await?;
                notice = end.notice();
            }
            PickerChoice::Edit(name) => match store.load(&name) {
                Ok(profile) => {
                    let form = ProfileForm::new(&form_values(&profile, &name), true);
                    let end = edit_in_form(&mut guard, &store, profile, form, Some(&name)).await?;
                    notice = end.notice();
                }
                Err(error) => notice = Some(error.to_string()),
            },
            PickerChoice::Preset(name) => {
                note_use(EntryKind::Preset, &name);
                let (base, form) = preset_form(&store, &name);
                match edit_in_form(&mut guard, &store, base, form, None).await? {
                    FormEnd::Saved { name, .. } => break PickerChoice::Profile(name),
                    FormEnd::Unsaved(profile) => {
                        let profile = *profile;
                        drop(guard);
                        let resolved = setup::resolve_profile(profile, None, None, connection)
                            .map_err(anyhow::Error::new)?;
                        return run(launch_for(resolved, log_capacity, record)).await;
                    }
                    FormEnd::Cancelled => {}
                }
            }
            other => break other,
        }
    };
    drop(guard);
    let mut args = connection.clone();
    match choice {
        PickerChoice::Profile(name) => {
            args.profile = Some(name);
            open(None, &args, log_capacity, record).await
        }
        PickerChoice::Url(url) => open(Some(&url), &args, log_capacity, record).await,
        PickerChoice::Demo => demo(record).await,
        PickerChoice::Preset(_) | PickerChoice::New { .. } | PickerChoice::Edit(_) => Ok(()),
    }
}

/// The built-in preset `name` as a profile (empty if it does not load, which the
/// presets' own tests rule out).
fn preset_profile(name: &str) -> Profile {
    presets::find(name)
        .and_then(|preset| preset.profile().ok())
        .unwrap_or_default()
}

/// The form for a new profile from preset `name`: its settings, its name when no
/// saved profile has it yet, and its placeholder URL selected for typing over.
fn preset_form(store: &ProfileStore, name: &str) -> (Profile, ProfileForm) {
    let profile = preset_profile(name);
    let suggested_name = if store.exists(name) { "" } else { name };
    let form = ProfileForm::from_preset(&form_values(&profile, suggested_name));
    (profile, form)
}

/// How recently each profile and preset was opened: the data directory's record of
/// what the TUI opened, then `recent.toml` for profiles only other commands used.
fn recency_ranks(store: &ProfileStore) -> RecencyRanks {
    let record = LastUse::default_path()
        .map(|path| LastUse::load(&path))
        .unwrap_or_default();
    record.ranks(&store.recent())
}

/// Notes in the data directory's record that `name` is being opened, for the
/// picker's ranking. A record that cannot be written is skipped: it only orders a list.
fn note_use(kind: EntryKind, name: &str) {
    let Some(path) = LastUse::default_path() else {
        return;
    };
    let mut record = LastUse::load(&path);
    record.record(kind, name, SystemTime::now());
    let _ = record.save(&path);
}

/// The picker's entries: saved profiles (broken ones with their error), then presets,
/// each with its rank among the recently used.
fn picker_items(store: &ProfileStore, ranks: &RecencyRanks) -> Vec<PickerItem> {
    let mut items: Vec<PickerItem> = store
        .list()
        .unwrap_or_default()
        .into_iter()
        .map(|entry| {
            let recent = ranks.rank(EntryKind::Profile, &entry.name);
            match entry.profile {
                Ok(profile) => PickerItem {
                    url: profile.url.clone().unwrap_or_default(),
                    provider: profile.provider.clone().unwrap_or_else(|| "raw".into()),
                    description: profile.description.clone().unwrap_or_default(),
                    name: entry.name,
                    source: PickerSource::Profile { broken: None },
                    recent,
                },
                Err(error) => PickerItem {
                    url: String::new(),
                    provider: String::new(),
                    description: String::new(),
                    name: entry.name,
                    source: PickerSource::Profile {
                        broken: Some(error.to_string()),
                    },
                    recent,
                },
            }
        })
        .collect();
    items.extend(presets::all().iter().map(|preset| PickerItem {
        name: preset.name.to_string(),
        url: String::new(),
        provider: preset.name.to_string(),
        description: preset.description.to_string(),
        source: PickerSource::Preset,
        recent: ranks.rank(EntryKind::Preset, preset.name),
    }));
    items
}

/// How a form ended.
#[derive(Debug, Clone, PartialEq)]
enum FormEnd {
    /// Left without saving.
    Cancelled,
    /// Saved as profile `name` in `path`.
    Saved {
        /// The profile's name.
        name: String,
        /// The file written.
        path: PathBuf,
    },
    /// To connect with as it is, without saving (a preset's form, Ctrl-O).
    Unsaved(Box<Profile>),
}

impl FormEnd {
    /// The line the picker shows afterwards.
    fn notice(&self) -> Option<String> {
        match self {
            FormEnd::Cancelled | FormEnd::Unsaved(_) => None,
            FormEnd::Saved { path, .. } => Some(format!("saved {}", path.display())),
        }
    }
}

/// What the form shows of `profile`, named `name`.
fn form_values(profile: &Profile, name: &str) -> FormValues {
    FormValues {
        name: name.to_string(),
        description: profile.description.clone(),
        url: profile.url.clone().unwrap_or_default(),
        provider: profile.provider.clone().unwrap_or_else(|| "raw".into()),
        auth: profile.auth.method.unwrap_or_default().as_str().to_string(),
        token: profile.auth.token.clone(),
        subprotocols: profile.subprotocols.clone(),
        format: profile
            .message_format
            .unwrap_or_default()
            .as_str()
            .to_string(),
    }
}

/// Runs `form` over `profile` (the saved profile `existing`, or a new one) until it is
/// saved on Ctrl-S or left. A new profile never overwrites a file; an edited one keeps
/// every field the form does not show. A failed save stays in the form with its reason.
async fn edit_in_form(
    guard: &mut TerminalGuard,
    store: &ProfileStore,
    profile: Profile,
    mut form: ProfileForm,
    existing: Option<&str>,
) -> anyhow::Result<FormEnd> {
    let mode = if existing.is_some() {
        SaveMode::Overwrite
    } else {
        SaveMode::CreateNew
    };
    loop {
        match super::picker::fill_form(guard, &mut form).await? {
            FormOutcome::Cancel => return Ok(FormEnd::Cancelled),
            FormOutcome::None => {}
            FormOutcome::Connect(values) => {
                let mut unsaved = apply_form(profile.clone(), &values);
                unsaved.name = None;
                return Ok(FormEnd::Unsaved(Box::new(unsaved)));
            }
            FormOutcome::Save(values) => {
                let updated = apply_form(profile.clone(), &values);
                match store.save(&values.name, &updated, mode) {
                    Ok(path) => {
                        return Ok(FormEnd::Saved {
                            name: values.name,
                            path,
                        });
                    }
                    Err(error) => form.notice = Some(error.to_string()),
                }
            }
        }
    }
}

/// `profile` with the form's fields applied.
fn apply_form(mut profile: Profile, values: &FormValues) -> Profile {
    profile.name = Some(values.name.clone());
    profile.description = values.description.clone();
    profile.url = Some(values.url.clone());
    profile.provider = Some(values.provider.clone());
    // The form only lets valid names through; anything else would mean the default.
    profile.auth.method = Some(AuthMethod::from_str(&values.auth, false).unwrap_or_default());
    profile.auth.token = values.token.clone();
    profile.subprotocols = values.subprotocols.clone();
    profile.message_format =
        Some(MessageFormat::from_str(&values.format, false).unwrap_or_default());
    profile
}

/// Starts the built-in server on a free loopback port and opens the TUI on it,
/// recording the session unless `record` is false.
pub async fn demo(record: bool) -> anyhow::Result<()> {
    require_terminal()?;
    install_user_theme()?;
    let server = Server::bind(ServerConfig {
        port: 0,
        ..ServerConfig::default()
    })
    .await
    .context("cannot start the demo server on 127.0.0.1")?;
    let config = SessionConfig::new(&server.url())?;
    run(Launch {
        config,
        welcome: Some(DEMO_WELCOME.to_string()),
        server: Some(server),
        log_capacity: crate::app::DEFAULT_LOG_CAPACITY,
        history_key: "wsdeck-demo".to_string(),
        extras: Default::default(),
        profile: None,
        record,
    })
    .await
}

/// Whether stdin and stdout are a terminal, as the TUI needs.
pub fn has_terminal() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// Said when the TUI is asked for without a terminal.
pub const NO_TERMINAL: &str = "the TUI needs a terminal; for scripts use a subcommand such as `wsdeck listen`, `request` or `send` (see --help)";

/// Makes the user's theme the one everything is drawn with, before the terminal
/// is touched: `theme.toml` from the configuration directory, without colour under
/// `NO_COLOR`. A broken file is INVALID_INPUT with its line and column, so the
/// binary stops with exit 2 as it does for a broken `keys.toml`.
pub(super) fn install_user_theme() -> anyhow::Result<()> {
    let store = ProfileStore::from_env().ok();
    let dir = store.as_ref().map(ProfileStore::config_dir);
    let theme = theme::file::user_theme(dir, theme::file::no_color_requested())
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.to_string()))?;
    theme::active::install(theme);
    Ok(())
}

fn require_terminal() -> anyhow::Result<()> {
    if !has_terminal() {
        bail!(NO_TERMINAL);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::config::apply::render_message;
    use crate::session::{Secret, TOKEN_PLACEHOLDER};
    use crate::state::picker::PickerOutcome;
    use crate::state::profile_form::FormField;

    #[test]
    fn typing_graphql_puts_the_graphql_ws_preset_first_even_after_using_apollo() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ProfileStore::at(dir.path());
        let mut record = LastUse::default();
        record.record(EntryKind::Preset, "apollo-legacy", SystemTime::now());
        let mut picker = Picker::new(picker_items(&store, &record.ranks(&[])));
        assert_eq!(
            picker.visible().next().map(|item| item.name.as_str()),
            Some("apollo-legacy"),
            "the recently used preset leads the unfiltered list"
        );
        for c in "graphql".chars() {
            picker.handle_key(KeyEvent::from(KeyCode::Char(c)));
        }
        let names: Vec<&str> = picker.visible().map(|item| item.name.as_str()).collect();
        assert_eq!(names[..2], ["graphql-ws", "apollo-legacy"]);
    }

    #[test]
    fn a_preset_opens_the_form_on_its_url_ready_to_be_typed_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ProfileStore::at(dir.path());
        let mut picker = Picker::new(picker_items(&store, &RecencyRanks::default()));
        for c in "graphql-ws".chars() {
            picker.handle_key(KeyEvent::from(KeyCode::Char(c)));
        }
        let outcome = picker.handle_key(KeyEvent::from(KeyCode::Enter));
        let PickerOutcome::Chosen(PickerChoice::Preset(name)) = outcome else {
            panic!("Enter on a preset chooses it: {outcome:?}");
        };
        let (profile, mut form) = preset_form(&store, &name);
        assert_eq!(form.focus(), FormField::Url);
        assert!(form.whole_text_selected());
        assert_eq!(form.text(FormField::Url), "ws://localhost:4000/graphql");
        assert_eq!(form.text(FormField::Name), "graphql-ws");
        for c in "wss://api.example/graphql".chars() {
            form.handle_key(KeyEvent::from(KeyCode::Char(c)));
        }
        let saved = form.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let FormOutcome::Save(values) = saved else {
            panic!("the form saves: {saved:?}");
        };
        let (method, format) = (profile.auth.method, profile.message_format);
        let updated = apply_form(profile, &values);
        assert_eq!(updated.url.as_deref(), Some("wss://api.example/graphql"));
        assert_eq!(updated.provider.as_deref(), Some("graphql-ws"));
        // The form's names come back as the same enums.
        assert_eq!(updated.auth.method, Some(method.unwrap_or_default()));
        assert_eq!(updated.message_format, format);
        assert_eq!(format, Some(MessageFormat::Json));
    }

    #[test]
    fn a_preset_whose_name_is_taken_leaves_the_name_to_fill() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ProfileStore::at(dir.path());
        store
            .save("binance", &preset_profile("binance"), SaveMode::CreateNew)
            .expect("saved");
        let (_, form) = preset_form(&store, "binance");
        assert_eq!(form.text(FormField::Name), "");
        assert_eq!(
            form.text(FormField::Url),
            "wss://stream.binance.com:9443/ws"
        );
    }

    #[test]
    fn snippets_insert_the_token_placeholder_never_the_token() {
        let mut session = SessionConfig::new("ws://127.0.0.1:9/").expect("url");
        let snippet = r#"{"type":"auth","access_token":"{{token}}","n":{{seq}}}"#;
        let refused = render_message(snippet, MessageFormat::Json, &snippet_templates(&session));
        assert!(refused.is_err(), "no token: {{{{token}}}} is an error");
        session.auth.token = Some(Secret::new("real-secret"));
        let templates = snippet_templates(&session);
        let inserted = render_message(snippet, MessageFormat::Json, &templates).expect("renders");
        assert_eq!(
            inserted,
            format!(r#"{{"type":"auth","access_token":"{TOKEN_PLACEHOLDER}","n":1}}"#)
        );
        let plain = render_message("key={{token}}", MessageFormat::Text, &templates);
        assert_eq!(plain.expect("renders"), "key={{token}}");
    }
}
