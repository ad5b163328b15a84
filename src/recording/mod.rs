//! Recordings: a session written down as JSON lines, one [`Record`] a line, so it
//! can be listed, opened read-only, exported, replayed against a server and played
//! back by `serve --script`.
//!
//! A recording starts with a [`SessionHeader`] line and then follows the session in
//! order: handshakes, state changes, frames in and out, system lines, closes, and an
//! [`Record::End`] line when it was finished cleanly. Times are RFC 3339 UTC with
//! milliseconds. Text payloads are kept as text, anything else as base64, so a
//! payload is restored byte for byte. Tokens were already replaced by `***` by the
//! engine before a frame reached the recorder.
//!
//! The reader also takes the lines `listen --jsonl` prints and `:save` writes (a
//! frame line without `"type"`, a `{"time":…,"system":…}` line), so those files can
//! be opened and replayed too.

pub mod export;
mod format;
pub mod har;
mod read;
pub mod recorder;
pub mod store;
pub mod text;
mod write;

pub use format::{
    FORMAT_VERSION, FrameRecord, HandshakeRecord, HeaderList, Payload, PayloadEncoding, Record,
    RecordedDirection, SessionHeader, Timestamp,
};
pub use read::{ReadError, Recording, parse_line};
pub use recorder::{Finished, Recorder, RecordingProblem};
pub use write::{RecordWriter, record_line};

#[cfg(test)]
mod tests;
