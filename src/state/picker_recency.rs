//! When the TUI last opened each profile and preset, kept in `last-used.json` in the
//! data directory so the picker can rank recently used entries first.
//!
//! The record is a convenience, never a reason to fail: a missing or unreadable file
//! is an empty record, and the caller ignores a failed save. Saved profiles also have
//! `recent.toml` (see [`crate::config::store`]), an order without times that every
//! command keeps; [`LastUse::ranks`] uses it for profiles this record has not seen.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::config::ProfileError;
use crate::config::atomic::{create_private_dir, write_atomic};
use crate::state::history::History;

/// The record's file name in the data directory.
pub const FILE_NAME: &str = "last-used.json";

/// How many entries of each kind are remembered; the oldest go first.
pub const MAX_ENTRIES: usize = 200;

/// Which list an entry belongs to (a profile and a preset may share a name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    /// A saved profile.
    Profile,
    /// A built-in preset.
    Preset,
}

/// When each entry was last opened, in seconds since the Unix epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUse {
    #[serde(default)]
    profiles: BTreeMap<String, u64>,
    #[serde(default)]
    presets: BTreeMap<String, u64>,
}

/// Each entry's position among the recently used ones (0 = the most recent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecencyRanks(HashMap<(EntryKind, String), usize>);

impl RecencyRanks {
    /// The entry's position, `None` when it was never used.
    pub fn rank(&self, kind: EntryKind, name: &str) -> Option<usize> {
        self.0.get(&(kind, name.to_string())).copied()
    }
}

impl LastUse {
    /// The record's file in the data directory `dir`.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(FILE_NAME)
    }

    /// The record's file in the default data directory (`WSDECK_DATA_DIR`, else the
    /// platform's), if there is one.
    pub fn default_path() -> Option<PathBuf> {
        History::default_dir().map(|dir| Self::path_in(&dir))
    }

    /// The record in `path`; empty when the file is missing or not a record.
    pub fn load(path: &Path) -> Self {
        fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the record to `path` atomically (mode 0600, the directory 0700).
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|error| ProfileError::Serialize(error.to_string()))?;
        write_atomic(path, text.as_bytes(), false)
    }

    /// Notes that `name` was opened at `at`, forgetting the oldest entries of its kind
    /// past [`MAX_ENTRIES`].
    pub fn record(&mut self, kind: EntryKind, name: &str, at: SystemTime) {
        let seconds = at
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or(0);
        let times = self.times_mut(kind);
        times.insert(name.to_string(), seconds);
        while times.len() > MAX_ENTRIES {
            let oldest = times
                .iter()
                .min_by_key(|(_, time)| **time)
                .map(|(name, _)| name.clone());
            match oldest {
                Some(name) => times.remove(&name),
                None => break,
            };
        }
    }

    /// When `name` was last opened, in seconds since the Unix epoch.
    pub fn last_used(&self, kind: EntryKind, name: &str) -> Option<u64> {
        self.times(kind).get(name).copied()
    }

    /// Every recorded entry ranked newest first; then the profiles of `recent_profiles`
    /// (most recent first, as `recent.toml` lists them) that the record has not seen,
    /// such as those only used by headless commands.
    pub fn ranks(&self, recent_profiles: &[String]) -> RecencyRanks {
        let mut timed: Vec<(u64, EntryKind, &str)> = [EntryKind::Profile, EntryKind::Preset]
            .into_iter()
            .flat_map(|kind| {
                self.times(kind)
                    .iter()
                    .map(move |(name, &time)| (time, kind, name.as_str()))
            })
            .collect();
        timed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
        let untimed = recent_profiles
            .iter()
            .filter(|name| self.last_used(EntryKind::Profile, name).is_none())
            .map(|name| (EntryKind::Profile, name.as_str()));
        let mut ranks = HashMap::new();
        for (kind, name) in timed
            .into_iter()
            .map(|(_, kind, name)| (kind, name))
            .chain(untimed)
        {
            let next = ranks.len();
            ranks.entry((kind, name.to_string())).or_insert(next);
        }
        RecencyRanks(ranks)
    }

    fn times(&self, kind: EntryKind) -> &BTreeMap<String, u64> {
        match kind {
            EntryKind::Profile => &self.profiles,
            EntryKind::Preset => &self.presets,
        }
    }

    fn times_mut(&mut self, kind: EntryKind) -> &mut BTreeMap<String, u64> {
        match kind {
            EntryKind::Profile => &mut self.profiles,
            EntryKind::Preset => &mut self.presets,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn the_record_survives_a_round_trip_through_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = LastUse::path_in(&dir.path().join("data"));
        let mut record = LastUse::load(&path);
        assert_eq!(
            record,
            LastUse::default(),
            "a missing file is an empty record"
        );
        record.record(EntryKind::Profile, "prod", at(100));
        record.record(EntryKind::Preset, "binance", at(200));
        record.save(&path).expect("saved");
        let again = LastUse::load(&path);
        assert_eq!(again, record);
        assert_eq!(again.last_used(EntryKind::Preset, "binance"), Some(200));
        assert_eq!(again.last_used(EntryKind::Profile, "binance"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_corrupt_file_is_an_empty_record_and_is_replaced_on_save() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = LastUse::path_in(dir.path());
        fs::write(&path, "{ not json").expect("written");
        let mut record = LastUse::load(&path);
        assert_eq!(record, LastUse::default());
        record.record(EntryKind::Profile, "prod", at(5));
        record.save(&path).expect("saved over the corrupt file");
        assert_eq!(
            LastUse::load(&path).last_used(EntryKind::Profile, "prod"),
            Some(5)
        );
    }

    #[test]
    fn ranks_put_the_newest_first_then_profiles_only_recent_toml_knows() {
        let mut record = LastUse::default();
        record.record(EntryKind::Profile, "prod", at(100));
        record.record(EntryKind::Preset, "binance", at(300));
        record.record(EntryKind::Profile, "staging", at(200));
        let recent_toml = ["headless-only".to_string(), "prod".to_string()];
        let ranks = record.ranks(&recent_toml);
        assert_eq!(ranks.rank(EntryKind::Preset, "binance"), Some(0));
        assert_eq!(ranks.rank(EntryKind::Profile, "staging"), Some(1));
        assert_eq!(ranks.rank(EntryKind::Profile, "prod"), Some(2));
        assert_eq!(ranks.rank(EntryKind::Profile, "headless-only"), Some(3));
        assert_eq!(ranks.rank(EntryKind::Profile, "binance"), None);
        assert_eq!(ranks.rank(EntryKind::Preset, "pusher"), None);
    }

    #[test]
    fn using_an_entry_again_moves_it_up_and_old_entries_are_forgotten() {
        let mut record = LastUse::default();
        for index in 0..=MAX_ENTRIES as u64 {
            record.record(EntryKind::Profile, &format!("p{index}"), at(10 + index));
        }
        assert_eq!(
            record.last_used(EntryKind::Profile, "p0"),
            None,
            "the oldest goes"
        );
        assert_eq!(record.times(EntryKind::Profile).len(), MAX_ENTRIES);
        record.record(EntryKind::Profile, "p1", at(10_000));
        assert_eq!(record.ranks(&[]).rank(EntryKind::Profile, "p1"), Some(0));
    }
}
