//! Exports: a session (or the part of it a filter shows) written as a recording
//! (`.jsonl`), as text (`.txt`) or as an HTTP Archive (`.har`), by the file's
//! extension. The TUI's `:export` and `wsdeck open --export` both end here.

use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use super::{HandshakeRecord, Record, RecordWriter, SessionHeader, Timestamp};
use crate::session::ConnectionInfo;

/// The formats an export can be written in, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `.jsonl`: the recording format, read back by `wsdeck open` and `replay`.
    JsonLines,
    /// `.txt`: one line per log entry, as the log pane shows it.
    Text,
    /// `.har`: HAR 1.2 with Chrome DevTools' `_webSocketMessages`.
    Har,
}

/// The extensions, for messages.
pub const EXTENSIONS: &str = ".jsonl, .txt or .har";

impl ExportFormat {
    /// The format `path`'s extension names, or a message saying which ones do.
    pub fn for_path(path: &Path) -> Result<Self, String> {
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("jsonl") => Ok(ExportFormat::JsonLines),
            Some("txt") => Ok(ExportFormat::Text),
            Some("har") => Ok(ExportFormat::Har),
            _ => Err(format!(
                "cannot tell the format of {}: name it {EXTENSIONS} (a recording, text as the log shows it, or an HTTP Archive)",
                path.display()
            )),
        }
    }
}

/// Why an export was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file is there already and overwriting was not asked for.
    #[error("{path} exists already (`:export! FILE` or `--force` overwrites it)")]
    Exists {
        /// The file.
        path: String,
    },
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
}

/// A session to export: its header and records in order (no header record among
/// them); handshakes come before the frames of their connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSource {
    /// What was connected to, and when.
    pub header: SessionHeader,
    /// The records.
    pub records: Vec<Record>,
}

impl ExportSource {
    /// How many log entries this holds: the frames and the records the log shows
    /// a line for (as many as the `.txt` export has lines).
    pub fn entry_count(&self) -> usize {
        self.records
            .iter()
            .filter(|record| {
                matches!(record, Record::Frame(_)) || super::text::system_text(record).is_some()
            })
            .count()
    }
}

/// Writes `source` to `path` in `format`, readable by its owner only; refuses an
/// existing file unless `overwrite`. Returns how many entries were written.
pub fn export_to_file(
    source: &ExportSource,
    path: &Path,
    format: ExportFormat,
    overwrite: bool,
) -> Result<usize, ExportError> {
    let shown = path.display().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    // An export holds what the server sent: readable by its owner only.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|source| {
        if source.kind() == io::ErrorKind::AlreadyExists {
            ExportError::Exists {
                path: shown.clone(),
            }
        } else {
            ExportError::Io {
                path: shown.clone(),
                source,
            }
        }
    })?;
    let mut out = io::BufWriter::new(file);
    write_export(&mut out, source, format)
        .and_then(|count| out.flush().map(|()| count))
        .map_err(|source| ExportError::Io {
            path: shown,
            source,
        })
}

/// Writes `source` in `format` onto `out`; returns how many entries.
pub fn write_export(
    out: &mut impl Write,
    source: &ExportSource,
    format: ExportFormat,
) -> io::Result<usize> {
    match format {
        ExportFormat::JsonLines => write_jsonl(out, source),
        ExportFormat::Text => {
            super::text::write_text(out, &source.records).map(|_| source.entry_count())
        }
        ExportFormat::Har => {
            let har = super::har::har(&source.header, &source.records);
            crate::terminal_text::write_json(&mut *out, &har)?;
            out.write_all(b"\n")?;
            Ok(source.entry_count())
        }
    }
}

/// The recording format: the header, the records, and one end line.
fn write_jsonl(out: &mut impl Write, source: &ExportSource) -> io::Result<usize> {
    let mut writer = RecordWriter::new(out);
    writer.write(&Record::Session(source.header.clone()))?;
    for record in &source.records {
        if !matches!(record, Record::Session(_) | Record::End { .. }) {
            writer.write(record)?;
        }
    }
    let end = source
        .records
        .iter()
        .map(Record::time)
        .max()
        .unwrap_or(source.header.started);
    writer.write(&Record::End { time: end })?;
    Ok(source.entry_count())
}

impl HandshakeRecord {
    /// The record of a connection the engine reported open at `time`.
    pub fn from_connection(time: SystemTime, info: &ConnectionInfo) -> Self {
        let handshake = &info.handshake;
        HandshakeRecord {
            time: Timestamp::truncated(time),
            url: info.url.clone(),
            request_headers: handshake.request_headers.clone(),
            status: handshake.status,
            response_headers: handshake.response_headers.clone(),
            subprotocol: info.subprotocol.clone(),
            extensions: handshake
                .response_header("sec-websocket-extensions")
                .map(str::to_string),
            proxy: info.proxy.clone(),
        }
    }
}
