//! Reading a recording back, line by line, with the line number of any mistake.

use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

use super::{FORMAT_VERSION, FrameRecord, Record, SessionHeader};

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line is not a record.
    #[error("{path}:{line}: {message}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Written by a newer wsdeck in a format this one does not know.
    #[error(
        "{path} is a recording of format version {found}; this wsdeck reads up to {FORMAT_VERSION} — update wsdeck"
    )]
    Version {
        /// The file.
        path: String,
        /// The version it says.
        found: u32,
    },
    /// Nothing in it.
    #[error("{path} holds no records")]
    Empty {
        /// The file.
        path: String,
    },
}

/// A recording read into memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// Its first line, when it has one (files from `listen --jsonl` and `:save`
    /// have none).
    pub header: Option<SessionHeader>,
    /// Every record after the header, in order.
    pub records: Vec<Record>,
    /// Whether the last line was cut short (the writer stopped mid-line) and left out.
    pub cut_short: bool,
}

impl Recording {
    /// Reads the file at `path`.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_reader(std::io::BufReader::new(file), &shown)
    }

    /// Reads records from `input`; `name` names it in errors.
    pub fn from_reader(input: impl BufRead, name: &str) -> Result<Self, ReadError> {
        let mut recording = Recording {
            header: None,
            records: Vec::new(),
            cut_short: false,
        };
        let mut pending_error: Option<ReadError> = None;
        for (index, line) in input.lines().enumerate() {
            let line = line.map_err(|source| ReadError::Io {
                path: name.to_owned(),
                source,
            })?;
            // A bad line is an error unless it is the last one: a writer that was
            // killed leaves a partial last line, and the rest is still good.
            if let Some(error) = pending_error.take() {
                return Err(error);
            }
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(&line) {
                Ok(Record::Session(header)) => {
                    if header.version > FORMAT_VERSION {
                        return Err(ReadError::Version {
                            path: name.to_owned(),
                            found: header.version,
                        });
                    }
                    if recording.header.is_none() && recording.records.is_empty() {
                        recording.header = Some(header);
                    }
                }
                Ok(record) => recording.records.push(record),
                Err(message) => {
                    pending_error = Some(ReadError::Line {
                        path: name.to_owned(),
                        line: index + 1,
                        message,
                    })
                }
            }
        }
        if pending_error.is_some() {
            recording.cut_short = true;
        }
        if recording.header.is_none() && recording.records.is_empty() {
            return Err(pending_error.unwrap_or(ReadError::Empty {
                path: name.to_owned(),
            }));
        }
        Ok(recording)
    }

    /// The frames, in order.
    pub fn frames(&self) -> impl Iterator<Item = &FrameRecord> {
        self.records.iter().filter_map(|record| match record {
            Record::Frame(frame) => Some(frame),
            _ => None,
        })
    }
}

/// One line as a record: a recording's line, a `listen --jsonl` frame line, or a
/// `:save` system line.
pub fn parse_line(line: &str) -> Result<Record, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|error| format!("not a JSON line: {error}"))?;
    let Value::Object(fields) = &value else {
        return Err("not a record: a JSON object was expected".into());
    };
    let parsed = if fields.contains_key("type") {
        serde_json::from_value::<Record>(value)
    } else if fields.contains_key("direction") {
        serde_json::from_value::<FrameRecord>(value).map(Record::Frame)
    } else if let (Some(time), Some(text)) = (fields.get("time"), fields.get("system")) {
        serde_json::from_value(serde_json::json!({
            "type": "system", "time": time, "text": text,
        }))
    } else {
        return Err("not a record: no \"type\", \"direction\" or \"system\" field".into());
    };
    parsed.map_err(|error| format!("not a record: {error}"))
}
