//! The records a recording is made of, and how each is written as JSON.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::session::{CloseOutcome, Direction, Frame, FrameKind, MessageId};

/// The format's version, written in every [`SessionHeader`]; a reader refuses a
/// newer major version instead of misreading it.
pub const FORMAT_VERSION: u32 = 1;

/// A wall-clock time, written as RFC 3339 UTC with milliseconds
/// (`2026-12-04T10:56:27.123Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub SystemTime);

impl Timestamp {
    /// The time as written: milliseconds are all a recording keeps.
    pub fn truncated(time: SystemTime) -> Self {
        let since_epoch = time
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let millis = Duration::from_millis(since_epoch.as_millis() as u64);
        Timestamp(SystemTime::UNIX_EPOCH + millis)
    }

    /// How long after `earlier` this is (zero when it is not after it).
    pub fn since(self, earlier: Timestamp) -> Duration {
        self.0.duration_since(earlier.0).unwrap_or_default()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_rfc3339_millis(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_rfc3339_weak(&text)
            .map(Timestamp)
            .map_err(|error| serde::de::Error::custom(format!("time {text:?}: {error}")))
    }
}

/// HTTP headers in the order they were sent, names as written.
pub type HeaderList = Vec<(String, String)>;

/// Which way a recorded frame travelled: `out` (sent by wsdeck) or `in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordedDirection {
    /// Sent by the client that recorded.
    #[serde(rename = "out")]
    Outgoing,
    /// Received from the server.
    #[serde(rename = "in")]
    Incoming,
}

impl From<Direction> for RecordedDirection {
    fn from(direction: Direction) -> Self {
        match direction {
            Direction::Outgoing => RecordedDirection::Outgoing,
            Direction::Incoming => RecordedDirection::Incoming,
        }
    }
}

impl From<RecordedDirection> for Direction {
    fn from(direction: RecordedDirection) -> Self {
        match direction {
            RecordedDirection::Outgoing => Direction::Outgoing,
            RecordedDirection::Incoming => Direction::Incoming,
        }
    }
}

/// How a payload's `data` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayloadEncoding {
    /// The payload is UTF-8 text, written as a JSON string.
    #[default]
    Text,
    /// The payload is bytes, written as standard base64.
    Base64,
}

impl PayloadEncoding {
    fn is_text(&self) -> bool {
        *self == PayloadEncoding::Text
    }
}

/// A payload as written: text as it is, anything else as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// The text, or the bytes in base64.
    pub data: String,
    /// Which of the two `data` is.
    #[serde(default, skip_serializing_if = "PayloadEncoding::is_text")]
    pub encoding: PayloadEncoding,
}

impl Payload {
    /// The payload of a frame of `kind`: binary frames always in base64 (a binary
    /// frame that happens to be UTF-8 stays binary), others as text when they are.
    pub fn of(kind: FrameKind, bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) if kind != FrameKind::Binary => Payload {
                data: text.to_owned(),
                encoding: PayloadEncoding::Text,
            },
            _ => Payload {
                data: base64::engine::general_purpose::STANDARD.encode(bytes),
                encoding: PayloadEncoding::Base64,
            },
        }
    }

    /// The bytes, decoded from base64 when written that way.
    pub fn bytes(&self) -> Result<Bytes, base64::DecodeError> {
        match self.encoding {
            PayloadEncoding::Text => Ok(Bytes::copy_from_slice(self.data.as_bytes())),
            PayloadEncoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(&self.data)
                .map(Bytes::from),
        }
    }
}

/// The first line of a recording: what was connected to, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionHeader {
    /// [`FORMAT_VERSION`] of the writer.
    pub version: u32,
    /// The wsdeck version that wrote it.
    #[serde(default)]
    pub wsdeck: String,
    /// When the recording started.
    pub started: Timestamp,
    /// The URL, tokens replaced by `***`.
    pub url: String,
    /// The profile the session was started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The provider preset (protocol adapter) in use, if not raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// One completed WebSocket handshake: the upgrade request and the server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeRecord {
    /// When the handshake completed.
    pub time: Timestamp,
    /// The URL connected to, tokens as `***`.
    pub url: String,
    /// The request's headers, secret values as `***`.
    #[serde(default)]
    pub request_headers: HeaderList,
    /// The response's status code (101).
    pub status: u16,
    /// The response's headers, secret values as `***`.
    #[serde(default)]
    pub response_headers: HeaderList,
    /// The subprotocol the server selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subprotocol: Option<String>,
    /// The extensions the server accepted (`Sec-WebSocket-Extensions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<String>,
    /// The proxy the connection went through, password as `***`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
}

/// One frame, in or out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRecord {
    /// When it was sent or received.
    pub time: Timestamp,
    /// Which way it went.
    pub direction: RecordedDirection,
    /// `text`, `binary`, `ping`, `pong` or `close`.
    #[serde(with = "frame_kind_name")]
    pub kind: FrameKind,
    /// The payload (for a close frame: its reason).
    #[serde(flatten)]
    pub payload: Payload,
    /// Its size on the wire in bytes, before any redaction (absent in lines that
    /// `listen --jsonl` printed: then the payload's size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// A close frame's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// What the protocol adapter called it (`sio event "chat"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether the adapter marked it as heartbeat traffic.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heartbeat: bool,
}

impl FrameRecord {
    /// A frame written by hand (a test, a script): `bytes` of `kind` going
    /// `direction` at `time`, its size on the wire that of the payload, no label.
    pub fn data(
        time: Timestamp,
        direction: RecordedDirection,
        kind: FrameKind,
        bytes: &[u8],
    ) -> Self {
        FrameRecord {
            time,
            direction,
            kind,
            payload: Payload::of(kind, bytes),
            size: Some(bytes.len() as u64),
            code: None,
            label: None,
            heartbeat: false,
        }
    }

    /// The record of a frame the engine reported.
    pub fn from_frame(frame: &Frame) -> Self {
        FrameRecord {
            time: Timestamp::truncated(frame.timestamp),
            direction: frame.direction.into(),
            kind: frame.kind,
            payload: Payload::of(frame.kind, &frame.payload),
            size: Some(frame.size() as u64),
            code: frame.close_code,
            label: frame.decoded.as_ref().map(|decoded| decoded.label.clone()),
            heartbeat: frame
                .decoded
                .as_ref()
                .is_some_and(|decoded| decoded.heartbeat),
        }
    }

    /// The frame again, numbered `id`, with its adapter label (as a bare decode).
    pub fn to_frame(&self, id: MessageId) -> Result<Frame, base64::DecodeError> {
        let payload = self.payload.bytes()?;
        let wire_len = self
            .size
            .unwrap_or(payload.len() as u64 + u64::from(self.code.is_some()) * 2);
        let decoded = self.label.as_ref().map(|label| {
            let mut decoded = crate::wire::Decoded::labelled(label.clone());
            decoded.heartbeat = self.heartbeat;
            Box::new(decoded)
        });
        Ok(Frame {
            id,
            direction: self.direction.into(),
            kind: self.kind,
            payload,
            wire_len: u32::try_from(wire_len).unwrap_or(u32::MAX),
            timestamp: self.time.0,
            close_code: self.code,
            decoded,
        })
    }
}

/// One line of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// The first line.
    Session(SessionHeader),
    /// A handshake completed (one per connection; reconnects add more).
    Handshake(HandshakeRecord),
    /// The connection's state machine moved (`connecting`, `authenticated`…).
    State {
        /// When.
        time: Timestamp,
        /// The new state's name.
        state: String,
    },
    /// A frame in or out.
    Frame(FrameRecord),
    /// A line wsdeck showed about the session (errors, notices, reconnects).
    System {
        /// When.
        time: Timestamp,
        /// `info`, `warning` or `error`.
        #[serde(default = "info")]
        level: String,
        /// The line.
        text: String,
    },
    /// A connection ended.
    Closed {
        /// When.
        time: Timestamp,
        /// The close code (1006 when the link dropped), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<u16>,
        /// The close reason.
        #[serde(default)]
        reason: String,
        /// Whether the server started the close.
        by_peer: bool,
        /// Whether a close handshake completed.
        clean: bool,
    },
    /// The recording was finished (the session ended and everything was written).
    End {
        /// When.
        time: Timestamp,
    },
}

fn info() -> String {
    "info".into()
}

impl Record {
    /// The record of a connection's end.
    pub fn closed(time: SystemTime, outcome: &CloseOutcome) -> Self {
        Record::Closed {
            time: Timestamp::truncated(time),
            code: outcome.code,
            reason: outcome.reason.clone(),
            by_peer: outcome.by_peer,
            clean: outcome.clean,
        }
    }

    /// When it happened (a header: when the recording started).
    pub fn time(&self) -> Timestamp {
        match self {
            Record::Session(header) => header.started,
            Record::Handshake(handshake) => handshake.time,
            Record::Frame(frame) => frame.time,
            Record::State { time, .. }
            | Record::System { time, .. }
            | Record::Closed { time, .. }
            | Record::End { time } => *time,
        }
    }
}

/// Frame kinds by the names `listen --jsonl` uses.
mod frame_kind_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::session::FrameKind;

    pub fn serialize<S: Serializer>(kind: &FrameKind, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(kind.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<FrameKind, D::Error> {
        let name = String::deserialize(deserializer)?;
        FrameKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown frame kind {name:?} (text, binary, ping, pong or close)"
                ))
            })
    }
}
