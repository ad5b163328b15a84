//! The composer's send history: what the user sent to one connection target
//! (a URL or a profile) and in which composer mode, newest last, bounded, walked
//! with Up/Down, and kept across runs in a small JSON file per target.
//!
//! Only texts the composer actually handed to the session are recorded: the
//! file holds exactly what was sent and its mode, nothing else (no URL, no
//! headers, no token). The file name is derived from the target without its
//! query string or user info, since those often carry credentials.
//!
//! The file is `{"version": 2, "entries": [{"text": "…", "mode": "json"}, …]}`
//! (modes `json`, `text`, `binary`). Version 1 files held bare strings; they
//! still load, each entry getting the mode its text reads as (see
//! `mode_for_unlabelled`).

use std::collections::VecDeque;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::profile::MessageFormat;
use crate::payload::{base64_body, check_json, parse_binary};

/// The format version [`History::save`] writes.
const FILE_VERSION: u32 = 2;

/// What a history file holds on disk.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile {
    version: u32,
    entries: Vec<StoredEntry>,
}

/// One entry on disk: a bare string in version 1 files, text and mode since.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum StoredEntry {
    WithMode { text: String, mode: StoredMode },
    Unlabelled(String),
}

/// A composer mode as the file spells it, independent of the enum's Rust names.
#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum StoredMode {
    Json,
    Text,
    Binary,
}

impl From<MessageFormat> for StoredMode {
    fn from(mode: MessageFormat) -> Self {
        match mode {
            MessageFormat::Json => Self::Json,
            MessageFormat::Text => Self::Text,
            MessageFormat::Binary => Self::Binary,
        }
    }
}

impl From<StoredMode> for MessageFormat {
    fn from(mode: StoredMode) -> Self {
        match mode {
            StoredMode::Json => Self::Json,
            StoredMode::Text => Self::Text,
            StoredMode::Binary => Self::Binary,
        }
    }
}

impl From<StoredEntry> for HistoryEntry {
    fn from(stored: StoredEntry) -> Self {
        match stored {
            StoredEntry::WithMode { text, mode } => HistoryEntry {
                text,
                mode: mode.into(),
            },
            StoredEntry::Unlabelled(text) => HistoryEntry {
                mode: mode_for_unlabelled(&text),
                text,
            },
        }
    }
}

/// The mode for an entry saved before entries had one: JSON when the text is
/// valid JSON (sent as typed, like Text mode, so nothing changes for it);
/// Binary when it has the unmistakable marks of binary input, a `base64:` or
/// `0x` prefix, and decodes as such; Text otherwise. Bare hex such as `cafe` is
/// also a plausible text message, so it comes back as Text: it would be sent as
/// typed, never turned into bytes the user did not mean.
fn mode_for_unlabelled(text: &str) -> MessageFormat {
    let trimmed = text.trim_start();
    let marked_binary =
        base64_body(trimmed).is_some() || trimmed.starts_with("0x") || trimmed.starts_with("0X");
    if check_json(text).is_ok() {
        MessageFormat::Json
    } else if marked_binary && parse_binary(text).is_ok() {
        MessageFormat::Binary
    } else {
        MessageFormat::Text
    }
}

/// One sent message as the history remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The editor text as sent.
    pub text: String,
    /// The composer mode it was sent in; recalling the entry restores it.
    pub mode: MessageFormat,
}

/// Bounded send history for one connection target (URL or profile), newest
/// last, no consecutive duplicates, no empty entries.
#[derive(Debug, Clone)]
pub struct History {
    entries: VecDeque<HistoryEntry>,
    capacity: usize,
    path: Option<PathBuf>,
    /// Index into `entries` while the user walks the history.
    cursor: Option<usize>,
    /// What the editor held (and its mode) when browsing started, given back
    /// past the newest entry.
    draft: Option<HistoryEntry>,
}

impl History {
    /// How many entries a history keeps unless told otherwise.
    pub const DEFAULT_CAPACITY: usize = 500;

    /// An empty history that is never written to disk.
    pub fn in_memory(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity,
            path: None,
            cursor: None,
            draft: None,
        }
    }

    /// Loads the history stored at `path`, keeping the newest `capacity` entries.
    /// Version 1 files (entries without a mode) load too.
    ///
    /// A missing file is an empty history and no error. When the file exists
    /// but is not a valid history, it is renamed to `<file>.corrupt` so the
    /// next save cannot destroy it, and the history starts empty; if even the
    /// rename fails, or the file cannot be read at all, the history is kept in
    /// memory only for this run (never saved over the file). Either way the
    /// second value is a message the caller can show.
    pub fn load(path: PathBuf, capacity: usize) -> (Self, Option<String>) {
        let mut history = Self::in_memory(capacity);
        let raw = match fs::read_to_string(&path) {
            Ok(raw) => raw,
            // A file component where a directory should be: no history yet either;
            // saving will report the problem.
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                history.path = Some(path);
                return (history, None);
            }
            Err(err) => {
                let message = format!(
                    "could not read history {}: {err}; history will not be saved this session",
                    path.display()
                );
                return (history, Some(message));
            }
        };
        match serde_json::from_str::<HistoryFile>(&raw) {
            Ok(file) => {
                for entry in file.entries {
                    history.push(entry.into());
                }
                history.path = Some(path);
                (history, None)
            }
            Err(err) => {
                let mut aside = path.clone().into_os_string();
                aside.push(".corrupt");
                let aside = PathBuf::from(aside);
                let message = match fs::rename(&path, &aside) {
                    Ok(()) => {
                        history.path = Some(path);
                        format!(
                            "history file was not valid ({err}); moved it to {} and started afresh",
                            aside.display()
                        )
                    }
                    Err(rename_err) => format!(
                        "history file {} is not valid ({err}) and could not be moved aside \
                         ({rename_err}); history will not be saved this session",
                        path.display()
                    ),
                };
                (history, Some(message))
            }
        }
    }

    /// The file for a target inside `dir`: `dir/history/<name>-<hash>.json`.
    ///
    /// The readable name and the 64-bit FNV-1a hash (stable across Rust
    /// versions, unlike `DefaultHasher`) both leave out the URL's query,
    /// fragment and user info: they often carry tokens, which must not reach
    /// the disk, and rotating a token should not lose the history.
    pub fn path_for(dir: &Path, target: &str) -> PathBuf {
        let key = target_key(target);
        let mut name = crate::recording::store::file_name_part(&key, 60)
            .trim_matches('_')
            .to_owned();
        if name.is_empty() {
            name.push_str("target");
        }
        let hash = fnv1a(key.as_bytes());
        dir.join("history")
            .join(format!("{name}-{:012x}.json", hash & 0xffff_ffff_ffff))
    }

    /// Where histories live by default: `WSDECK_DATA_DIR` if set and not
    /// empty, else the platform data dir for wsdeck; `None` if neither exists.
    pub fn default_dir() -> Option<PathBuf> {
        crate::recording::store::data_dir()
    }

    /// Records a sent message as the newest entry (unless its text is empty or
    /// it equals the newest, mode included), dropping the oldest past the
    /// capacity. Stops browsing.
    pub fn push(&mut self, entry: HistoryEntry) {
        self.stop_browsing();
        if entry.text.is_empty() || self.entries.back() == Some(&entry) {
            return;
        }
        self.entries.push_back(entry);
        while self.entries.len() > self.capacity {
            self.entries.pop_front();
        }
    }

    /// Steps to the next older entry. The first call of a walk saves the
    /// editor's `draft_text` and `draft_mode` so [`History::next`] can give
    /// them back. `None` when there is nothing older (the walk stays where it is).
    pub fn previous(
        &mut self,
        draft_text: &str,
        draft_mode: MessageFormat,
    ) -> Option<&HistoryEntry> {
        let index = match self.cursor {
            None if self.entries.is_empty() => return None,
            None => {
                self.draft = Some(HistoryEntry {
                    text: draft_text.to_owned(),
                    mode: draft_mode,
                });
                self.entries.len() - 1
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.cursor = Some(index);
        self.entries.get(index)
    }

    /// Steps to the next newer entry; past the newest, ends the walk and
    /// returns the saved draft with its mode. `None` when not browsing.
    // Named after the key it serves, not an iterator: it walks a cursor and can restore the draft.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<&HistoryEntry> {
        let i = self.cursor?;
        if i + 1 < self.entries.len() {
            self.cursor = Some(i + 1);
            return self.entries.get(i + 1);
        }
        self.cursor = None;
        self.draft.as_ref()
    }

    /// Ends a walk without restoring anything (the user edited the recalled text).
    pub fn stop_browsing(&mut self) {
        self.cursor = None;
        self.draft = None;
    }

    /// Whether the user is walking the history.
    pub fn is_browsing(&self) -> bool {
        self.cursor.is_some()
    }

    /// The texts of the entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.text.as_str())
    }

    /// The entries with the mode each was sent in, oldest first.
    pub fn entries_with_modes(&self) -> impl Iterator<Item = &HistoryEntry> {
        self.entries.iter()
    }

    /// The file this history is saved to, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes the history atomically (a temp file in the same directory, then
    /// a rename), creating directories as needed; on Unix the file is
    /// readable by its owner only. A history without a file does nothing.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let fail = |err: &dyn std::fmt::Display| {
            format!("could not save history to {}: {err}", path.display())
        };
        let file = HistoryFile {
            version: FILE_VERSION,
            entries: self
                .entries
                .iter()
                .map(|entry| StoredEntry::WithMode {
                    text: entry.text.clone(),
                    mode: entry.mode.into(),
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| fail(&e))?;
        if let Some(parent) = path.parent() {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            // The history may hold what was typed to private servers.
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(parent).map_err(|e| fail(&e))?;
        }
        let mut tmp = path.clone().into_os_string();
        tmp.push(format!(".tmp-{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let written = write_private(&tmp, &json).and_then(|()| fs::rename(&tmp, path));
        if let Err(err) = written {
            // Best effort: a leftover temp file is harmless but untidy.
            let _ = fs::remove_file(&tmp);
            return Err(fail(&err));
        }
        Ok(())
    }
}

/// Writes `bytes` to a new file only its owner can read (on Unix), synced to disk.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The part of a target that names it: without query, fragment and user info.
fn target_key(target: &str) -> String {
    let trimmed = target.trim();
    let end = trimmed.find(['?', '#']).unwrap_or(trimmed.len());
    let no_query = &trimmed[..end];
    let (scheme, rest) = match no_query.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, no_query),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{rest}"),
        None => rest.to_owned(),
    }
}

/// 64-bit FNV-1a: tiny, and stable forever (file names depend on it).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        std::env::temp_dir().join(format!(
            "wsdeck-history-{name}-{}-{nanos}",
            std::process::id()
        ))
    }

    fn entry(text: &str, mode: MessageFormat) -> HistoryEntry {
        HistoryEntry {
            text: text.to_owned(),
            mode,
        }
    }

    fn json(text: &str) -> HistoryEntry {
        entry(text, MessageFormat::Json)
    }

    fn filled(entries: &[&str]) -> History {
        let mut h = History::in_memory(10);
        for e in entries {
            h.push(json(e));
        }
        h
    }

    /// The texts and modes a walk step gave, for comparing.
    fn seen(step: Option<&HistoryEntry>) -> Option<(&str, MessageFormat)> {
        step.map(|e| (e.text.as_str(), e.mode))
    }

    #[test]
    fn bounded_and_no_consecutive_duplicates() {
        let mut h = History::in_memory(3);
        for e in ["a", "a", "b", "", "a", "c", "d"] {
            h.push(json(e));
        }
        assert_eq!(h.entries().collect::<Vec<_>>(), ["a", "c", "d"]);
    }

    #[test]
    fn the_same_text_in_another_mode_is_a_new_entry() {
        let mut h = History::in_memory(5);
        h.push(entry("0x01", MessageFormat::Text));
        h.push(entry("0x01", MessageFormat::Text));
        h.push(entry("0x01", MessageFormat::Binary));
        assert_eq!(
            h.entries_with_modes().cloned().collect::<Vec<_>>(),
            [
                entry("0x01", MessageFormat::Text),
                entry("0x01", MessageFormat::Binary)
            ]
        );
    }

    #[test]
    fn walk_back_and_forth_restores_draft() {
        let mut h = filled(&["one", "two"]);
        assert!(!h.is_browsing());
        assert_eq!(h.next(), None, "next without browsing does nothing");
        let draft = Some(("draft", MessageFormat::Text));
        let json_mode = MessageFormat::Json;
        assert_eq!(
            seen(h.previous("draft", MessageFormat::Text)),
            Some(("two", json_mode))
        );
        assert!(h.is_browsing());
        assert_eq!(
            seen(h.previous("ignored", json_mode)),
            Some(("one", json_mode))
        );
        assert_eq!(h.previous("ignored", json_mode), None, "nothing older");
        assert_eq!(seen(h.next()), Some(("two", json_mode)));
        assert_eq!(seen(h.next()), draft, "the draft comes back in its mode");
        assert!(!h.is_browsing());
        assert_eq!(h.next(), None);
    }

    #[test]
    fn walking_gives_each_entry_its_mode() {
        let mut h = History::in_memory(5);
        h.push(entry("hello", MessageFormat::Text));
        h.push(entry("{}", MessageFormat::Json));
        h.push(entry("de ad", MessageFormat::Binary));
        let binary = MessageFormat::Binary;
        assert_eq!(seen(h.previous("", binary)), Some(("de ad", binary)));
        let older = seen(h.previous("", binary));
        assert_eq!(older, Some(("{}", MessageFormat::Json)));
        let oldest = seen(h.previous("", binary));
        assert_eq!(oldest, Some(("hello", MessageFormat::Text)));
    }

    #[test]
    fn push_and_empty_history_end_browsing() {
        let mut h = History::in_memory(5);
        let json_mode = MessageFormat::Json;
        assert_eq!(h.previous("x", json_mode), None);
        assert!(!h.is_browsing());
        h.push(entry("a", json_mode));
        assert_eq!(seen(h.previous("", json_mode)), Some(("a", json_mode)));
        h.push(entry("b", json_mode));
        assert!(!h.is_browsing());
        assert_eq!(seen(h.previous("", json_mode)), Some(("b", json_mode)));
    }

    #[test]
    fn path_leaves_out_credentials_and_is_stable() {
        let dir = Path::new("/data");
        let a = History::path_for(dir, "wss://user:pw@example.com:8443/ws?token=SECRET#x");
        let b = History::path_for(dir, "wss://example.com:8443/ws?token=OTHER");
        assert_eq!(a, b);
        let name = a.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.starts_with("wss___example.com_8443_ws-"), "{name}");
        assert!(!a.to_string_lossy().contains("SECRET"));
        assert!(!a.to_string_lossy().contains("pw"));
        assert_eq!(a.parent(), Some(Path::new("/data/history")));
        assert_ne!(a, History::path_for(dir, "wss://example.com:8443/other"));
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let odd = History::path_for(dir, "???");
        assert!(odd.to_string_lossy().contains("/target-"), "{odd:?}");
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = temp_dir("roundtrip");
        let path = History::path_for(&dir, "ws://127.0.0.1:9000/");
        let (mut h, err) = History::load(path.clone(), 3);
        assert!(err.is_none(), "missing file is no error");
        assert_eq!(h.entries().count(), 0);
        let sent = [
            entry("{\"a\":1}", MessageFormat::Json),
            entry("line1\nline2", MessageFormat::Text),
            entry("{\"b\":2}", MessageFormat::Text),
            entry("base64:AAE=", MessageFormat::Binary),
        ];
        for e in &sent {
            h.push(e.clone());
        }
        assert_eq!(h.save(), Ok(()));
        let saved = fs::read_to_string(&path).unwrap_or_default();
        assert!(saved.contains("\"version\": 2"), "{saved}");
        assert!(saved.contains("\"mode\": \"binary\""), "{saved}");
        let (loaded, err) = History::load(path.clone(), 3);
        assert!(err.is_none());
        assert_eq!(
            loaded.entries_with_modes().cloned().collect::<Vec<_>>(),
            sent[1..],
            "texts and modes come back, JSON-looking text stays Text"
        );
        let (smaller, _) = History::load(path.clone(), 2);
        assert_eq!(
            smaller.entries().collect::<Vec<_>>(),
            ["{\"b\":2}", "base64:AAE="]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path)
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            assert_eq!(mode & 0o077, 0, "history is private");
            let folder = fs::metadata(path.parent().unwrap())
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            assert_eq!(folder & 0o777, 0o700, "its folder too");
        }
        let leftovers = fs::read_dir(path.parent().unwrap_or(&dir))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 1, "no temp file left behind");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn version_1_files_load_with_the_mode_each_text_reads_as() {
        let dir = temp_dir("version1");
        let path = dir.join("h.json");
        fs::create_dir_all(&dir).expect("temp dir");
        let old = r#"{
  "version": 1,
  "entries": [
    "{\"type\": \"ping\"}",
    "42",
    "hello {",
    "de ad be ef",
    "0xdead 0xbeef",
    "base64:3q2+7w==",
    "0xnot hex",
    "line1\nline2"
  ]
}"#;
        fs::write(&path, old).expect("write");
        let (loaded, err) = History::load(path.clone(), 10);
        assert_eq!(err, None);
        let modes: Vec<(&str, MessageFormat)> = loaded
            .entries_with_modes()
            .map(|e| (e.text.as_str(), e.mode))
            .collect();
        use MessageFormat::{Binary, Json, Text};
        assert_eq!(
            modes,
            [
                ("{\"type\": \"ping\"}", Json),
                ("42", Json),
                ("hello {", Text),
                ("de ad be ef", Text),
                ("0xdead 0xbeef", Binary),
                ("base64:3q2+7w==", Binary),
                ("0xnot hex", Text),
                ("line1\nline2", Text),
            ]
        );
        // Saving writes the new format; it loads to the same entries.
        assert_eq!(loaded.save(), Ok(()));
        let (again, err) = History::load(path, 10);
        assert_eq!(err, None);
        assert!(again.entries_with_modes().eq(loaded.entries_with_modes()));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn mixed_entries_and_unknown_entry_fields_load() {
        let dir = temp_dir("mixed");
        let path = dir.join("h.json");
        fs::create_dir_all(&dir).expect("temp dir");
        let mixed = r#"{"version": 2, "entries": [
            "plain",
            {"text": "t", "mode": "text"},
            {"text": "{}", "mode": "json", "sent_at": "later versions may add this"}
        ]}"#;
        fs::write(&path, mixed).expect("write");
        let (loaded, err) = History::load(path, 10);
        assert_eq!(err, None);
        assert_eq!(
            loaded.entries_with_modes().cloned().collect::<Vec<_>>(),
            [
                entry("plain", MessageFormat::Text),
                entry("t", MessageFormat::Text),
                entry("{}", MessageFormat::Json)
            ]
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn corrupt_file_is_moved_aside_not_overwritten() {
        let dir = temp_dir("corrupt");
        let path = dir.join("h.json");
        fs::create_dir_all(&dir).expect("temp dir");
        fs::write(&path, "not json {").expect("write");
        let (mut h, err) = History::load(path.clone(), 10);
        let err = err.expect("an error to show");
        assert!(err.contains("moved it to"), "{err}");
        assert_eq!(h.entries().count(), 0);
        let aside = dir.join("h.json.corrupt");
        assert_eq!(
            fs::read_to_string(&aside).ok().as_deref(),
            Some("not json {")
        );
        h.push(json("fresh"));
        assert_eq!(h.save(), Ok(()));
        let (loaded, err) = History::load(path, 10);
        assert!(err.is_none());
        assert_eq!(loaded.entries().collect::<Vec<_>>(), ["fresh"]);
        assert_eq!(
            fs::read_to_string(&aside).ok().as_deref(),
            Some("not json {")
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn unreadable_file_is_never_saved_over() {
        let dir = temp_dir("unreadable");
        // A directory where the file should be: reading fails with an error other than NotFound.
        let path = dir.join("h.json");
        fs::create_dir_all(&path).expect("temp dir");
        let (mut h, err) = History::load(path.clone(), 10);
        assert!(err.is_some());
        assert!(h.path().is_none());
        h.push(json("x"));
        assert_eq!(h.save(), Ok(()), "in-memory history saves nothing");
        assert!(path.is_dir());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn save_failure_is_reported() {
        let dir = temp_dir("savefail");
        fs::create_dir_all(&dir).expect("temp dir");
        // A file where the history directory should be.
        fs::write(dir.join("history"), "").expect("write");
        let path = History::path_for(&dir, "ws://x");
        let (mut h, _) = History::load(path, 10);
        h.push(json("x"));
        let err = h.save().expect_err("cannot create the directory");
        assert!(err.starts_with("could not save history to"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }
}
