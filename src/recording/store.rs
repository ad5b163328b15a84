//! Where recordings are kept: `<data dir>/sessions/`, one file per session, named
//! by its start time (UTC) and host so a listing sorts by time and reads well:
//! `20261204-105627-123-127.0.0.1_8080.jsonl`. A recording's ID is its file stem;
//! [`resolve`] also takes a unique prefix of one, or `last` for the newest.
//!
//! The directory is bounded by total size and age ([`Limits`]); [`prune`] removes
//! the oldest files first and never the recording in progress. The directory is
//! 0700 and every file 0600: recordings hold what the server sent.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Record, SessionHeader, Timestamp, parse_line};

/// The file extension of a recording.
pub const EXTENSION: &str = "jsonl";

/// The ID that names the newest recording.
pub const LAST: &str = "last";

/// The environment variable that moves the data directory (tests use it).
pub const DATA_DIR_ENV: &str = "WSDECK_DATA_DIR";

/// The directory wsdeck keeps its data in (send histories, recordings):
/// `WSDECK_DATA_DIR` if set and not empty, else the platform data dir for wsdeck;
/// `None` if neither exists.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|dir| !dir.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "wsdeck").map(|dirs| dirs.data_dir().to_path_buf())
}

/// The recordings' directory inside the data directory `data_dir`.
pub fn sessions_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("sessions")
}

/// The default recordings' directory, `None` when there is no data directory.
pub fn default_dir() -> Option<PathBuf> {
    data_dir().map(|dir| sessions_dir(&dir))
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory or a file could not be read, created or removed.
    #[error("{path}: {source}")]
    Io {
        /// The directory or file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// No recording has this ID (or prefix), and it is no file either.
    #[error("no recording {id:?} in {dir} — `wsdeck sessions` lists them")]
    NoSuch {
        /// What was asked for.
        id: String,
        /// Where it was looked for.
        dir: String,
    },
    /// More than one recording starts with this prefix.
    #[error("{id:?} names {} recordings: {} — give more of the ID", candidates.len(), candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        id: String,
        /// The IDs it could mean.
        candidates: Vec<String>,
    },
    /// `last` was asked for and there is no recording at all.
    #[error("there are no recordings in {dir} yet")]
    Empty {
        /// Where they were looked for.
        dir: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// How much the directory may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total size of all recordings, in bytes.
    pub max_bytes: u64,
    /// Recordings last written longer ago than this are removed.
    pub max_age: Duration,
}

impl Limits {
    /// 200 MiB.
    pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;
    /// 30 days.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_age: Self::DEFAULT_MAX_AGE,
        }
    }
}

/// The file name of a recording started at `started` on `url`:
/// `YYYYMMDD-HHMMSS-mmm-HOST_PORT.jsonl` (UTC), the host reduced to letters,
/// digits, `.` and `-`, everything else `_`.
pub fn file_name(started: SystemTime, url: &str) -> String {
    format!("{}-{}.{EXTENSION}", time_stamp(started), host_part(url))
}

/// `20261204-105627-123` for 2026-12-04T10:56:27.123Z.
fn time_stamp(time: SystemTime) -> String {
    let rfc = humantime::format_rfc3339_millis(time).to_string();
    // 2026-12-04T10:56:27.123Z
    let digits = |range: std::ops::Range<usize>| -> String {
        rfc.get(range)
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    };
    format!("{}-{}-{}", digits(0..10), digits(11..19), digits(20..23))
}

/// `127.0.0.1_8080` for `ws://127.0.0.1:8080/x`: the host and port, made safe for
/// a file name and kept short.
fn host_part(url: &str) -> String {
    let (host, port) = match url::Url::parse(url) {
        Ok(parsed) => (
            parsed.host_str().unwrap_or("local").to_owned(),
            parsed.port_or_known_default(),
        ),
        Err(_) => ("unknown".to_owned(), None),
    };
    let shown = match port {
        Some(port) => format!("{host}_{port}"),
        None => host,
    };
    file_name_part(&shown, 64).trim_matches('.').to_owned()
}

/// `text` made safe in a file name: letters, digits, `.` and `-` kept, anything
/// else `_`, at most `max_chars` characters.
pub fn file_name_part(text: &str, max_chars: usize) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(max_chars)
        .collect()
}

/// Creates the directory `dir` (and its parents) with mode 0700.
pub fn create_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_error(dir))
}

/// Creates a new, empty recording file in `dir` (created 0700 when missing) for a
/// session started at `started` on `url`, mode 0600; a name already taken gets
/// `-2`, `-3`… before the extension.
pub fn create_file(
    dir: &Path,
    started: SystemTime,
    url: &str,
) -> Result<(PathBuf, File), StoreError> {
    create_dir(dir)?;
    let name = file_name(started, url);
    let stem = name.trim_end_matches(&format!(".{EXTENSION}")).to_owned();
    for attempt in 1..100 {
        let path = if attempt == 1 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem}-{attempt}.{EXTENSION}"))
        };
        match open_private(&path) {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(io_error(&path)(error)),
        }
    }
    let path = dir.join(name);
    Err(io_error(&path)(io::Error::from(
        io::ErrorKind::AlreadyExists,
    )))
}

/// Opens a new file at `path` for writing, mode 0600, failing if it exists.
pub fn open_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The ID of the recording at `path`: its file stem.
pub fn id_of(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The recordings in `dir`, newest first (by name, which starts with the start
/// time). A missing directory holds none.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_error(dir)(error)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == EXTENSION)
                && path.file_stem().is_some_and(|stem| !stem.is_empty())
                && path.is_file()
        })
        .collect();
    paths.sort_by(|a, b| b.file_name().cmp(&a.file_name()));
    Ok(paths)
}

/// The recording `id` names: a file path that exists, an ID (file stem), a unique
/// prefix of one, or `last` for the newest recording in `dir`.
pub fn resolve(dir: &Path, id: &str) -> Result<PathBuf, StoreError> {
    let as_path = Path::new(id);
    if as_path.is_file() && (as_path.components().count() > 1 || !dir.join(id).is_file()) {
        return Ok(as_path.to_path_buf());
    }
    let files = files(dir)?;
    if id == LAST {
        return files.into_iter().next().ok_or_else(|| StoreError::Empty {
            dir: dir.display().to_string(),
        });
    }
    let wanted = id.strip_suffix(&format!(".{EXTENSION}")).unwrap_or(id);
    if let Some(exact) = files.iter().find(|path| id_of(path) == wanted) {
        return Ok(exact.clone());
    }
    let mut matching: Vec<PathBuf> = files
        .into_iter()
        .filter(|path| !wanted.is_empty() && id_of(path).starts_with(wanted))
        .collect();
    match matching.len() {
        0 => Err(StoreError::NoSuch {
            id: id.to_owned(),
            dir: dir.display().to_string(),
        }),
        1 => Ok(matching.remove(0)),
        _ => Err(StoreError::Ambiguous {
            id: id.to_owned(),
            candidates: matching.iter().map(|path| id_of(path)).collect(),
        }),
    }
}

/// What pruning removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// The files removed, oldest first.
    pub removed: Vec<PathBuf>,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// Removes recordings from `dir` until it keeps to `limits`: every file last
/// written longer than `max_age` before `now`, then the oldest until the total
/// size is at most `max_bytes`. `keep` (the recording in progress) is never removed.
pub fn prune(
    dir: &Path,
    limits: Limits,
    now: SystemTime,
    keep: Option<&Path>,
) -> Result<Pruned, StoreError> {
    let mut files: Vec<(PathBuf, u64, SystemTime)> = files(dir)?
        .into_iter()
        .filter_map(|path| {
            let meta = std::fs::metadata(&path).ok()?;
            let modified = meta.modified().unwrap_or(now);
            Some((path, meta.len(), modified))
        })
        .collect();
    // Oldest first.
    files.reverse();
    let mut total: u64 = files.iter().map(|(_, size, _)| size).sum();
    let mut pruned = Pruned::default();
    for (path, size, modified) in files {
        if keep.is_some_and(|keep| keep == path) {
            continue;
        }
        let too_old = now.duration_since(modified).unwrap_or_default() > limits.max_age;
        if !too_old && total <= limits.max_bytes {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error(&path)(error)),
        }
        total = total.saturating_sub(size);
        pruned.bytes += size;
        pruned.removed.push(path);
    }
    Ok(pruned)
}

/// A recording as `wsdeck sessions` lists it, from its header and one streaming
/// pass over the rest (no line but the header and the last is parsed as JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Its ID (file stem).
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// Its header, `None` when the first line is not one.
    pub header: Option<SessionHeader>,
    /// The time of the last record that could be read.
    pub last_time: Option<Timestamp>,
    /// Data frames (text and binary) received.
    pub frames_in: u64,
    /// Data frames (text and binary) sent.
    pub frames_out: u64,
    /// The file's size in bytes.
    pub size: u64,
    /// Whether it lacks its end line: the writer was killed (or is still writing),
    /// or its last line was cut mid-way.
    pub cut_short: bool,
}

impl Summary {
    /// How long the session ran, from its header to its last record.
    pub fn duration(&self) -> Option<Duration> {
        let started = self.header.as_ref()?.started;
        Some(self.last_time?.since(started))
    }
}

/// Summarises the recording at `path`.
pub fn summarise(path: &Path) -> Result<Summary, StoreError> {
    let file = File::open(path).map_err(io_error(path))?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let mut summary = Summary {
        id: id_of(path),
        path: path.to_path_buf(),
        header: None,
        last_time: None,
        frames_in: 0,
        frames_out: 0,
        size,
        cut_short: true,
    };
    let mut line = Vec::with_capacity(4096);
    let mut last = Vec::new();
    let mut first = true;
    let mut last_complete = true;
    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line).map_err(io_error(path))?;
        if read == 0 {
            break;
        }
        last_complete = line.last() == Some(&b'\n');
        if first {
            first = false;
            if let Ok(Record::Session(header)) = parse_line(&String::from_utf8_lossy(&line)) {
                summary.last_time = Some(header.started);
                summary.header = Some(header);
                continue;
            }
        }
        if last_complete {
            count_frame(&line, &mut summary);
            std::mem::swap(&mut line, &mut last);
        }
    }
    // `last` holds the last complete line unless that was the header.
    if !last.is_empty()
        && let Ok(record) = parse_line(&String::from_utf8_lossy(&last))
    {
        summary.last_time = Some(record.time());
        summary.cut_short = !last_complete || !matches!(record, Record::End { .. });
    }
    Ok(summary)
}

/// Counts `line` when it is a data frame (text or binary; control frames are
/// left out): the writer puts `type`, `time`, `direction` and `kind` first, so no
/// JSON parsing is needed.
fn count_frame(line: &[u8], summary: &mut Summary) {
    const FRAME: &[u8] = br#"{"type":"frame","#;
    if !line.starts_with(FRAME) {
        return;
    }
    let head = &line[..line.len().min(128)];
    let data = memchr::memmem::find(head, br#""kind":"text""#).is_some()
        || memchr::memmem::find(head, br#""kind":"binary""#).is_some();
    if !data {
        return;
    }
    if memchr::memmem::find(head, br#""direction":"in""#).is_some() {
        summary.frames_in += 1;
    } else if memchr::memmem::find(head, br#""direction":"out""#).is_some() {
        summary.frames_out += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc: &str) -> SystemTime {
        humantime::parse_rfc3339(rfc).expect("time")
    }

    #[test]
    fn a_file_name_sorts_by_time_and_names_the_host() {
        let started = at("2026-12-04T10:56:27.123Z");
        assert_eq!(
            file_name(started, "ws://127.0.0.1:8080/x?token=***"),
            "20261204-105627-123-127.0.0.1_8080.jsonl"
        );
        assert_eq!(
            file_name(started, "wss://api.example.com/stream"),
            "20261204-105627-123-api.example.com_443.jsonl"
        );
        assert_eq!(
            file_name(started, "ws://[::1]:9/"),
            "20261204-105627-123-___1__9.jsonl"
        );
        let earlier = file_name(at("2026-12-04T09:59:59.999Z"), "ws://z:1/");
        assert!(earlier < file_name(started, "ws://a:1/"));
    }

    fn touch(dir: &Path, id: &str) -> PathBuf {
        let path = dir.join(format!("{id}.{EXTENSION}"));
        std::fs::write(&path, "").expect("written");
        path
    }

    #[test]
    fn resolve_takes_an_id_a_unique_prefix_last_or_a_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dir = dir.path();
        let older = touch(dir, "20261203-080000-000-a_80");
        let first = touch(dir, "20261204-105627-123-a_80");
        let second = touch(dir, "20261204-105630-000-b_80");
        assert_eq!(resolve(dir, "20261204-105627-123-a_80").unwrap(), first);
        assert_eq!(
            resolve(dir, "20261204-105627-123-a_80.jsonl").unwrap(),
            first
        );
        assert_eq!(resolve(dir, "20261203").unwrap(), older);
        assert_eq!(resolve(dir, LAST).unwrap(), second);
        assert_eq!(resolve(dir, &first.display().to_string()).unwrap(), first);
        let ambiguous = resolve(dir, "20261204").unwrap_err();
        assert!(matches!(ambiguous, StoreError::Ambiguous { .. }));
        assert_eq!(
            ambiguous.to_string(),
            "\"20261204\" names 2 recordings: 20261204-105630-000-b_80, 20261204-105627-123-a_80 — give more of the ID"
        );
        let missing = resolve(dir, "2027").unwrap_err();
        assert!(matches!(missing, StoreError::NoSuch { .. }), "{missing}");
        assert!(missing.to_string().contains("wsdeck sessions"), "{missing}");
        assert!(matches!(
            resolve(dir, "").unwrap_err(),
            StoreError::NoSuch { .. }
        ));
        let empty = tempfile::tempdir().expect("temp dir");
        assert!(matches!(
            resolve(empty.path(), LAST).unwrap_err(),
            StoreError::Empty { .. }
        ));
    }

    #[test]
    fn new_files_are_private_and_never_replace_one() {
        use std::os::unix::fs::PermissionsExt as _;
        let base = tempfile::tempdir().expect("temp dir");
        let dir = base.path().join("data/sessions");
        let started = at("2026-12-04T10:56:27.123Z");
        let (first, _) = create_file(&dir, started, "ws://h:1/").expect("created");
        let (second, _) = create_file(&dir, started, "ws://h:1/").expect("created");
        assert_eq!(id_of(&first), "20261204-105627-123-h_1");
        assert_eq!(id_of(&second), "20261204-105627-123-h_1-2");
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&first), 0o600);
    }

    #[test]
    fn prune_never_removes_the_recording_in_progress() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dir = dir.path();
        let old = touch(dir, "20200101-000000-000-a_80");
        std::fs::write(&old, "0123456789").expect("written");
        let current = touch(dir, "20200102-000000-000-a_80");
        std::fs::write(&current, "0123456789").expect("written");
        let limits = Limits {
            max_bytes: 0,
            max_age: Duration::from_secs(1),
        };
        let later = SystemTime::now() + Duration::from_secs(3600);
        let pruned = prune(dir, limits, later, Some(&current)).expect("pruned");
        assert_eq!(pruned.removed, [old]);
        assert_eq!(pruned.bytes, 10);
        assert!(current.exists());
    }
}
