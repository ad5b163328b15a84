//! The profile directory: one `NAME.toml` per profile in `profiles/` under the
//! configuration directory (`WSDECK_CONFIG_DIR`, else the platform's, e.g.
//! `~/.config/wsdeck`), plus `recent.toml` listing recently used profiles.
//!
//! Saves are atomic (a temporary file in the same directory, fsync, rename), files are
//! created with mode 0600 and directories with 0700. A file that does not parse is
//! listed as broken with its error and is never overwritten; literal secrets are not
//! written unless the caller explicitly allows it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

pub use super::atomic::{temp_path_for, write_atomic};

use super::atomic::create_private_dir;
use super::error::ProfileError;
use super::profile::Profile;

/// The environment variable that overrides the configuration directory.
pub const CONFIG_DIR_ENV: &str = "WSDECK_CONFIG_DIR";
/// The profiles' subdirectory of the configuration directory.
pub const PROFILES_DIR: &str = "profiles";
/// The recent-use file in the configuration directory.
pub const RECENT_FILE: &str = "recent.toml";
/// How many recently used profiles are remembered.
pub const MAX_RECENT: usize = 20;
/// The longest profile name accepted.
pub const MAX_NAME_LEN: usize = 100;

/// Whether a save may replace an existing profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// Fail with [`ProfileError::AlreadyExists`] if the profile exists.
    CreateNew,
    /// Replace the profile, unless the existing file is broken.
    Overwrite,
    /// Replace the profile even when the file is broken: only for the user's own
    /// edit of that very file (`wsdeck profiles edit`), which is how it gets fixed.
    Repair,
}

/// How to save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveOptions {
    /// Create or replace.
    pub mode: SaveMode,
    /// Write literal secrets as they are (`--store-token-in-plaintext`); the caller
    /// warns, naming [`Profile::literal_secrets`].
    pub allow_plaintext_token: bool,
}

impl SaveOptions {
    /// Options for `mode` that refuse literal secrets.
    pub fn new(mode: SaveMode) -> Self {
        Self {
            mode,
            allow_plaintext_token: false,
        }
    }
}

/// One file in the profile directory.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEntry {
    /// The profile's name (the file name without `.toml`).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// When the file last changed, if known.
    pub modified: Option<SystemTime>,
    /// The profile, or why it is broken.
    pub profile: Result<Profile, ProfileError>,
}

impl ProfileEntry {
    /// Whether the file fails to load.
    pub fn is_broken(&self) -> bool {
        self.profile.is_err()
    }
}

/// The profile directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileStore {
    root: PathBuf,
}

/// Checks a profile name: letters, digits, `-`, `_` and `.`, not starting with `.`.
pub fn validate_name(name: &str) -> Result<(), ProfileError> {
    let bad = |reason| {
        Err(ProfileError::BadName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.chars().count() > MAX_NAME_LEN {
        return bad("it is longer than 100 characters");
    }
    if name.contains(['/', '\\']) {
        return bad("it contains a path separator");
    }
    if name.starts_with('.') {
        return bad("it starts with '.'");
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return bad("it contains other characters");
    }
    if name.ends_with(".toml") {
        return bad("leave out the .toml extension");
    }
    Ok(())
}

impl ProfileStore {
    /// The store in `WSDECK_CONFIG_DIR` if set, else the platform configuration
    /// directory (`ProjectDirs::from("", "", "wsdeck")`).
    pub fn from_env() -> Result<Self, ProfileError> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|dir| !dir.is_empty()) {
            return Ok(Self::at(dir));
        }
        directories::ProjectDirs::from("", "", "wsdeck")
            .map(|dirs| Self::at(dirs.config_dir()))
            .ok_or(ProfileError::NoConfigDir)
    }

    /// The store with `dir` as its configuration directory.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { root: dir.into() }
    }

    /// The configuration directory.
    pub fn config_dir(&self) -> &Path {
        &self.root
    }

    /// The directory holding the profile files.
    pub fn profiles_dir(&self) -> PathBuf {
        self.root.join(PROFILES_DIR)
    }

    /// The file of profile `name` (which is checked).
    pub fn path_of(&self, name: &str) -> Result<PathBuf, ProfileError> {
        validate_name(name)?;
        Ok(self.profiles_dir().join(format!("{name}.toml")))
    }

    /// Whether profile `name` exists (broken or not).
    pub fn exists(&self, name: &str) -> bool {
        self.path_of(name).is_ok_and(|path| path.exists())
    }

    /// Every `*.toml` file in the profile directory, sorted by name, broken ones
    /// included with their error. A missing directory is an empty list.
    pub fn list(&self) -> Result<Vec<ProfileEntry>, ProfileError> {
        let dir = self.profiles_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(ProfileError::io("read directory", &dir, &error)),
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(name) = file_name.strip_suffix(".toml") else {
                continue;
            };
            let path = entry.path();
            // Hidden files are ours (temporary files) or not profiles.
            let Ok(metadata) = fs::metadata(&path) else {
                continue;
            };
            if file_name.starts_with('.') || !metadata.is_file() {
                continue;
            }
            let profile = validate_name(name).and_then(|()| read_profile(name, &path));
            found.push(ProfileEntry {
                name: name.to_string(),
                path,
                modified: metadata.modified().ok(),
                profile,
            });
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    }

    /// Loads profile `name`; a missing one says where it looked and how to create it.
    pub fn load(&self, name: &str) -> Result<Profile, ProfileError> {
        let path = self.path_of(name)?;
        read_profile(name, &path)
    }

    /// The text of profile `name` as it is on disk (comments included), for editing.
    pub fn load_text(&self, name: &str) -> Result<String, ProfileError> {
        let path = self.path_of(name)?;
        read_text(name, &path)
    }

    /// Saves `profile` as `name`, refusing literal secrets; returns the file written.
    pub fn save(
        &self,
        name: &str,
        profile: &Profile,
        mode: SaveMode,
    ) -> Result<PathBuf, ProfileError> {
        self.save_with(name, profile, SaveOptions::new(mode))
    }

    /// Saves `profile` as `name` with explicit options.
    pub fn save_with(
        &self,
        name: &str,
        profile: &Profile,
        options: SaveOptions,
    ) -> Result<PathBuf, ProfileError> {
        self.save_text(name, &profile.try_to_toml()?, options)
    }

    /// Saves TOML text as profile `name` as it is (comments kept), after checking that
    /// it parses and holds no literal secrets (unless allowed). Never replaces a file
    /// that is broken.
    pub fn save_text(
        &self,
        name: &str,
        text: &str,
        options: SaveOptions,
    ) -> Result<PathBuf, ProfileError> {
        let path = self.path_of(name)?;
        let profile = Profile::parse(text, &origin(name, &path))?;
        let literal = profile.literal_secrets();
        if !literal.is_empty() && !options.allow_plaintext_token {
            return Err(ProfileError::LiteralSecret { fields: literal });
        }
        create_private_dir(&self.profiles_dir())?;
        match (options.mode, read_profile(name, &path)) {
            (_, Err(ProfileError::NotFound { .. })) => {}
            (SaveMode::CreateNew, _) => {
                return Err(ProfileError::AlreadyExists {
                    name: name.into(),
                    path,
                });
            }
            (SaveMode::Overwrite, Ok(_)) | (SaveMode::Repair, _) => {}
            (SaveMode::Overwrite, Err(error)) => {
                return Err(ProfileError::Broken {
                    name: name.into(),
                    path,
                    error: Box::new(error),
                });
            }
        }
        write_atomic(&path, text.as_bytes(), options.mode == SaveMode::CreateNew).map_err(
            |error| match error {
                ProfileError::Io {
                    kind: io::ErrorKind::AlreadyExists,
                    ..
                } => ProfileError::AlreadyExists {
                    name: name.into(),
                    path: path.clone(),
                },
                other => other,
            },
        )?;
        Ok(path)
    }

    /// Deletes profile `name` (the user asked to); returns the file removed.
    pub fn remove(&self, name: &str) -> Result<PathBuf, ProfileError> {
        let path = self.path_of(name)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(ProfileError::NotFound {
                name: name.into(),
                path,
            }),
            Err(error) => Err(ProfileError::io("remove", &path, &error)),
        }
    }

    /// Records that profile `name` was just used (most recent first, at most
    /// [`MAX_RECENT`]), in `recent.toml`, written atomically.
    pub fn mark_used(&self, name: &str) -> Result<(), ProfileError> {
        validate_name(name)?;
        let mut recent = self.recent();
        recent.retain(|existing| existing != name);
        recent.insert(0, name.to_string());
        recent.truncate(MAX_RECENT);
        let text = toml::to_string(&Recent { recent })
            .map_err(|error| ProfileError::Serialize(error.to_string()))?;
        create_private_dir(&self.root)?;
        write_atomic(&self.root.join(RECENT_FILE), text.as_bytes(), false)
    }

    /// Recently used profile names, most recent first; empty when there is no
    /// (readable) record. Names may refer to profiles since removed.
    pub fn recent(&self) -> Vec<String> {
        let Ok(text) = fs::read_to_string(self.root.join(RECENT_FILE)) else {
            return Vec::new();
        };
        toml::from_str::<Recent>(&text)
            .map(|recent| recent.recent)
            .unwrap_or_default()
            .into_iter()
            .filter(|name| validate_name(name).is_ok())
            .collect()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Recent {
    #[serde(default)]
    recent: Vec<String>,
}

fn origin(name: &str, path: &Path) -> String {
    format!("profile '{name}' ({})", path.display())
}

fn read_text(name: &str, path: &Path) -> Result<String, ProfileError> {
    fs::read_to_string(path).map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => ProfileError::NotFound {
            name: name.into(),
            path: path.into(),
        },
        _ => ProfileError::io("read", path, &error),
    })
}

fn read_profile(name: &str, path: &Path) -> Result<Profile, ProfileError> {
    let text = read_text(name, path)?;
    Profile::parse(&text, &origin(name, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile::tests::full_profile;

    #[test]
    fn every_field_round_trips_through_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ProfileStore::at(dir.path().join("config"));
        let profile = full_profile();
        let path = store
            .save("kitchen", &profile, SaveMode::CreateNew)
            .expect("saved");
        assert_eq!(path, store.path_of("kitchen").expect("a valid name"));
        assert_eq!(path.parent(), Some(store.profiles_dir().as_path()));
        assert_eq!(store.load("kitchen").expect("loads"), profile);
        let text = fs::read_to_string(&path).expect("written");
        assert!(text.contains("ping_interval = \"1m 30s\""), "{text}");
        assert!(text.contains("max_message_size = \"1MiB\""), "{text}");
        let entries = store.list().expect("listed");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "kitchen");
        assert!(entries[0].modified.is_some());
        assert_eq!(entries[0].profile.as_ref().ok(), Some(&profile));
    }
}
