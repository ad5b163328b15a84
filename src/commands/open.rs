//! `wsdeck open FILE|ID`: finds and reads a recording before anything else, so a
//! missing file, a line that is no record (with its number) or a newer format
//! stops with exit 2 before the terminal is touched; then either the TUI shows it
//! read-only (`tui::view_recording`) or `--export OUT` converts it headless.

use std::path::{Path, PathBuf};

use crate::cli::OpenArgs;
use crate::outcome::{Failure, FailureClass};
use crate::recording::export::{ExportFormat, ExportSource, export_to_file};
use crate::recording::{FORMAT_VERSION, Recording, SessionHeader, Timestamp};

/// Said when a recording is to be shown without a terminal.
pub const NEEDS_A_TERMINAL: &str = "the TUI needs a terminal; `wsdeck open FILE --export OUT` converts a recording without one (.jsonl, .txt or .har)";

/// A recording read and ready to show.
#[derive(Debug)]
pub struct Opened {
    /// The file it was read from, as shown to the user.
    pub file: String,
    /// What it holds.
    pub recording: Recording,
}

/// What `wsdeck open` does once the recording is read.
#[derive(Debug)]
pub enum OpenOutcome {
    /// Show it in the TUI.
    View(Box<Opened>),
    /// It was exported (`--export`); nothing more to do.
    Exported,
}

/// Finds and reads the recording; with `--export`, writes it and reports.
pub fn prepare(args: &OpenArgs) -> Result<OpenOutcome, Failure> {
    let path = locate(&args.target)?;
    let recording = Recording::read(&path).map_err(invalid)?;
    let file = path.display().to_string();
    let Some(out) = &args.export else {
        return Ok(OpenOutcome::View(Box::new(Opened { file, recording })));
    };
    let format = ExportFormat::for_path(out).map_err(invalid)?;
    if recording.cut_short {
        super::output::report(&format!(
            "warning: {file} was cut short: its last line is incomplete and was left out"
        ));
    }
    let source = source_of(recording, &file);
    let count = export_to_file(&source, out, format, args.force).map_err(invalid)?;
    super::output::report(&format!("exported {count} entries to {}", out.display()));
    Ok(OpenOutcome::Exported)
}

/// A recording as an export: its header (or one made from its first record, for
/// `listen --jsonl` and `:save` files) and its records.
pub fn source_of(recording: Recording, file: &str) -> ExportSource {
    let header = recording.header.clone().unwrap_or_else(|| {
        let started = recording
            .records
            .first()
            .map(crate::recording::Record::time)
            .unwrap_or(Timestamp(std::time::SystemTime::UNIX_EPOCH));
        let url = recording
            .records
            .iter()
            .find_map(|record| match record {
                crate::recording::Record::Handshake(handshake) => Some(handshake.url.clone()),
                _ => None,
            })
            .unwrap_or_else(|| format!("file:{file}"));
        SessionHeader {
            version: FORMAT_VERSION,
            wsdeck: env!("CARGO_PKG_VERSION").to_string(),
            started,
            url,
            profile: None,
            provider: None,
        }
    });
    ExportSource {
        header,
        records: recording.records,
    }
}

/// The file `target` names: a path to an existing file, else a kept session whose
/// file name is or starts with `target` (see [`find_session`]).
fn locate(target: &str) -> Result<PathBuf, Failure> {
    let path = Path::new(target);
    if path.exists() || target.contains(std::path::MAIN_SEPARATOR) || target.contains('/') {
        return Ok(path.to_path_buf());
    }
    let Some(dir) = crate::state::history::History::default_dir().map(|dir| dir.join("sessions"))
    else {
        return Ok(path.to_path_buf());
    };
    match find_session(&dir, target) {
        Ok(found) => Ok(found),
        // Not a kept session either: the reader says the file is missing.
        Err(SessionLookup::None) => Ok(path.to_path_buf()),
        Err(SessionLookup::Several(names)) => Err(Failure::new(
            FailureClass::InvalidInput,
            format!(
                "'{target}' matches {} sessions in {}: {} — give more of the ID",
                names.len(),
                dir.display(),
                names.join(", ")
            ),
        )),
    }
}

/// Why no single kept session was found.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionLookup {
    /// No file in the folder is named so.
    None,
    /// These files' names start with the ID.
    Several(Vec<String>),
}

/// The kept session `id` in `dir`: the file whose name without its extension is
/// `id`, else the only one that starts with it.
///
/// This is the one place `open` turns an ID into a file; it is meant to give way
/// to the session store's own `resolve` once that exists.
pub fn find_session(dir: &Path, id: &str) -> Result<PathBuf, SessionLookup> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Err(SessionLookup::None);
    };
    let mut matches: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter_map(|path| {
            let stem = path.file_stem()?.to_str()?.to_string();
            stem.starts_with(id).then_some((stem, path))
        })
        .collect();
    if let Some((_, exact)) = matches.iter().find(|(stem, _)| stem == id) {
        return Ok(exact.clone());
    }
    matches.sort();
    match matches.len() {
        0 => Err(SessionLookup::None),
        1 => Ok(matches.remove(0).1),
        _ => Err(SessionLookup::Several(
            matches.into_iter().map(|(stem, _)| stem).collect(),
        )),
    }
}

fn invalid(error: impl ToString) -> Failure {
    Failure::new(FailureClass::InvalidInput, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_name_or_the_start_of_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["20261204-105627-ab12.jsonl", "20261204-110000-cd34.jsonl"] {
            std::fs::write(dir.path().join(name), "").expect("written");
        }
        let found = find_session(dir.path(), "20261204-1056").expect("one match");
        assert!(found.ends_with("20261204-105627-ab12.jsonl"));
        let exact = find_session(dir.path(), "20261204-110000-cd34").expect("exact");
        assert!(exact.ends_with("20261204-110000-cd34.jsonl"));
        assert_eq!(
            find_session(dir.path(), "20261204"),
            Err(SessionLookup::Several(vec![
                "20261204-105627-ab12".into(),
                "20261204-110000-cd34".into()
            ]))
        );
        assert_eq!(find_session(dir.path(), "1999"), Err(SessionLookup::None));
        assert_eq!(
            find_session(&dir.path().join("absent"), "x"),
            Err(SessionLookup::None)
        );
    }
}
