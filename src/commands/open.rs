//! `wsdeck open FILE|ID`: finds and reads a recording before anything else, so a
//! missing file, a line that is no record (with its number) or a newer format
//! stops with exit 2 before the terminal is touched; then either the TUI shows it
//! read-only (`tui::view_recording`) or `--export OUT` converts it headless.

use std::path::{Path, PathBuf};

use crate::cli::OpenArgs;
use crate::outcome::{Failure, FailureClass};
use crate::recording::export::{ExportFormat, ExportSource, export_to_file};
use crate::recording::store::{self, StoreError};
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

/// The file `target` names: a path to an existing file, else a kept session by
/// its ID, a unique start of one, or `last` (the store's [`store::resolve`]).
fn locate(target: &str) -> Result<PathBuf, Failure> {
    let path = Path::new(target);
    if path.exists() || target.contains(std::path::MAIN_SEPARATOR) || target.contains('/') {
        return Ok(path.to_path_buf());
    }
    let Some(dir) = store::default_dir() else {
        return Ok(path.to_path_buf());
    };
    match store::resolve(&dir, target) {
        Ok(found) => Ok(found),
        // No kept session either (or no folder yet): the reader says the file is
        // missing, unless `last` was asked for.
        Err(StoreError::NoSuch { .. } | StoreError::Io { .. }) if target != store::LAST => {
            Ok(path.to_path_buf())
        }
        Err(error) => Err(invalid(error)),
    }
}

fn invalid(error: impl ToString) -> Failure {
    Failure::new(FailureClass::InvalidInput, error.to_string())
}
