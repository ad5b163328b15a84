//! Writing records as JSON lines, with what terminals act on escaped (the files are
//! read with `cat` and `tail -f`).

use std::io::{self, Write};

use serde::Serialize as _;

use super::Record;
use crate::terminal_text::JsonSafe;

/// Writes one record after another, a line each.
#[derive(Debug)]
pub struct RecordWriter<W: Write> {
    out: W,
}

impl<W: Write> RecordWriter<W> {
    /// A writer onto `out` (buffer it: records are written a line at a time).
    pub fn new(out: W) -> Self {
        RecordWriter { out }
    }

    /// Writes `record` and its line break.
    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        write_record(&mut self.out, record)?;
        self.out.write_all(b"\n")
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The writer underneath.
    pub fn into_inner(self) -> W {
        self.out
    }
}

fn write_record(out: &mut impl Write, record: &Record) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, JsonSafe);
    record.serialize(&mut serializer).map_err(io::Error::from)
}

/// One record as its line, without the line break.
pub fn record_line(record: &Record) -> String {
    let mut line = Vec::new();
    // Writing into a Vec cannot fail, and serde_json writes only UTF-8.
    let _ = write_record(&mut line, record);
    String::from_utf8(line).unwrap_or_default()
}
