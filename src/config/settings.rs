//! The user's `settings.toml` in the configuration directory: settings that are
//! not about one connection. For now its `[sessions]` section, how sessions are
//! recorded:
//!
//! ```toml
//! [sessions]
//! enabled = true          # false: the TUI records nothing (as --no-record)
//! max_size = "200MiB"     # all recordings together; the oldest go first
//! max_age = "30d"         # recordings last written longer ago are removed
//! ```
//!
//! Every mistake (an unknown key, a bad size) is an error naming the line and
//! column, as for `keys.toml` and `theme.toml`.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::file_mistake::{FileMistake, read_if_present};
use crate::recording::store::Limits;

/// The file's name in the configuration directory.
pub const SETTINGS_FILE: &str = "settings.toml";

/// How sessions are recorded (`[sessions]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// Whether the TUI records its sessions.
    pub enabled: bool,
    /// How much the recordings' directory may hold.
    pub limits: Limits,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            enabled: true,
            limits: Limits::default(),
        }
    }
}

/// Everything `settings.toml` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// `[sessions]`.
    pub sessions: SessionSettings,
}

type Mistake = (Range<usize>, String);

/// The settings `text` (a `settings.toml`) gives.
pub fn parse(text: &str) -> Result<Settings, FileMistake> {
    read_document(text)
        .map_err(|(span, message)| FileMistake::at(SETTINGS_FILE, text, span, message))
}

/// The settings of `dir/settings.toml`, the defaults when there is no such file
/// (or no configuration directory).
pub fn load(dir: Option<&Path>) -> Result<Settings, FileMistake> {
    let Some(dir) = dir else {
        return Ok(Settings::default());
    };
    let path = dir.join(SETTINGS_FILE);
    match read_if_present(SETTINGS_FILE, &path)? {
        Some(text) => parse(&text).map_err(|error| error.in_file(path)),
        None => Ok(Settings::default()),
    }
}

/// The user's settings: `settings.toml` in the configuration directory
/// (`WSDECK_CONFIG_DIR` or the platform's).
pub fn user_settings() -> Result<Settings, FileMistake> {
    let store = crate::config::store::ProfileStore::from_env().ok();
    load(store.as_ref().map(|store| store.config_dir()))
}

fn read_document(text: &str) -> Result<Settings, Mistake> {
    let document = DeTable::parse(text).map_err(|error| {
        (
            error.span().unwrap_or(0..0),
            error.message().trim().to_string(),
        )
    })?;
    let mut settings = Settings::default();
    let mut entries: Vec<_> = document.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in entries {
        match key.get_ref().as_ref() {
            "sessions" => settings.sessions = sessions(value)?,
            other => {
                return Err((
                    key.span(),
                    format!("unknown section '{other}'; settings.toml has [sessions]"),
                ));
            }
        }
    }
    Ok(settings)
}

fn sessions(value: &Spanned<DeValue<'_>>) -> Result<SessionSettings, Mistake> {
    let DeValue::Table(table) = value.get_ref() else {
        return Err((value.span(), "sessions must be a table: [sessions]".into()));
    };
    let mut settings = SessionSettings::default();
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in entries {
        let text = || match value.get_ref() {
            DeValue::String(text) => Ok(text.to_string()),
            DeValue::Integer(number) => Ok(number.to_string()),
            _ => Err((value.span(), format!("{} must be a string", key.get_ref()))),
        };
        match key.get_ref().as_ref() {
            "enabled" => {
                let DeValue::Boolean(on) = value.get_ref() else {
                    return Err((value.span(), "enabled must be true or false".into()));
                };
                settings.enabled = *on;
            }
            "max_size" => {
                let size = crate::units::parse_size(&text()?)
                    .map_err(|message| (value.span(), format!("max_size: {message}")))?;
                settings.limits.max_bytes = size as u64;
            }
            "max_age" => {
                settings.limits.max_age = crate::units::parse_duration(&text()?)
                    .map_err(|message| (value.span(), format!("max_age: {message}")))?;
            }
            other => {
                return Err((
                    key.span(),
                    format!(
                        "unknown key '{other}' in [sessions]; it has enabled, max_size and max_age"
                    ),
                ));
            }
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_sessions_section_sets_recording_and_its_limits() {
        let settings =
            parse("[sessions]\nenabled = false\nmax_size = \"10MiB\"\nmax_age = \"7days\"\n")
                .expect("parses");
        assert!(!settings.sessions.enabled);
        assert_eq!(settings.sessions.limits.max_bytes, 10 * 1024 * 1024);
        assert_eq!(
            settings.sessions.limits.max_age,
            Duration::from_secs(7 * 24 * 3600)
        );
        assert_eq!(parse("").expect("empty"), Settings::default());
    }

    #[test]
    fn mistakes_name_their_line_and_column() {
        let bad_size = parse("[sessions]\nmax_size = \"lots\"\n").unwrap_err();
        assert_eq!((bad_size.line, bad_size.column), (2, 12));
        assert!(bad_size.message.contains("not a valid size"), "{bad_size}");
        let unknown = parse("[sessions]\nenable = false\n").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "settings.toml:2:1: unknown key 'enable' in [sessions]; it has enabled, max_size and max_age"
        );
        let section = parse("[session]\n").unwrap_err();
        assert_eq!(section.line, 1);
    }

    #[test]
    fn a_missing_file_or_directory_gives_the_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            load(Some(dir.path())).expect("no file"),
            Settings::default()
        );
        assert_eq!(load(None).expect("no dir"), Settings::default());
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "[sessions]\nmax_age = 3600\n",
        )
        .expect("written");
        let settings = load(Some(dir.path())).expect("file");
        assert_eq!(settings.sessions.limits.max_age, Duration::from_secs(3600));
    }
}
