//! What the session engine reports: the [`Event`] type and its parts (connection
//! states, frames in and out, errors, statistics and close results). The UI and the
//! headless commands consume these; [`super::event_channel`] carries them there.

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::stats::{RttStats, StatsSnapshot};
pub use crate::wire::PayloadKind;
use crate::wire::{Decoded, StatusLine};

/// Identifies one frame in the session, in and out alike. Outgoing messages get
/// theirs when the caller submits them, so a later [`Event::Frame`],
/// [`Event::Queued`] or [`Event::SendFailed`] can be matched to the submission.
pub type MessageId = u64;

/// Which way a frame travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by us.
    Outgoing,
    /// Received from the peer.
    Incoming,
}

impl Direction {
    /// A one-character arrow for display: `→` out, `←` in.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Outgoing => "→",
            Direction::Incoming => "←",
        }
    }
}

/// The WebSocket frame type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// UTF-8 text message.
    Text,
    /// Binary message.
    Binary,
    /// Ping control frame.
    Ping,
    /// Pong control frame.
    Pong,
    /// Close control frame.
    Close,
}

impl FrameKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [FrameKind; 5] = [
        FrameKind::Text,
        FrameKind::Binary,
        FrameKind::Ping,
        FrameKind::Pong,
        FrameKind::Close,
    ];

    /// Lower-case name for display and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameKind::Text => "text",
            FrameKind::Binary => "binary",
            FrameKind::Ping => "ping",
            FrameKind::Pong => "pong",
            FrameKind::Close => "close",
        }
    }
}

impl From<PayloadKind> for FrameKind {
    fn from(kind: PayloadKind) -> Self {
        match kind {
            PayloadKind::Text => FrameKind::Text,
            PayloadKind::Binary => FrameKind::Binary,
        }
    }
}

/// The connection's state machine, as shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// No socket, and none wanted until the user connects.
    Disconnected,
    /// Opening TCP, TLS and the WebSocket handshake.
    Connecting,
    /// The socket is open; no authentication is required or it is not yet known.
    Connected,
    /// The auth message was sent; waiting for the server's verdict.
    Authenticating,
    /// The server accepted our credentials.
    Authenticated,
    /// The link was lost; a new attempt is scheduled.
    Reconnecting,
    /// The session stopped on an error (auth refused, attempts exhausted).
    Error,
}

impl ConnectionState {
    /// Lower-case name for display and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Disconnected => "disconnected",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Authenticating => "authenticating",
            ConnectionState::Authenticated => "authenticated",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Error => "error",
        }
    }

    /// Whether data messages flow now (otherwise they wait in the queue).
    pub fn is_ready(self) -> bool {
        matches!(
            self,
            ConnectionState::Connected | ConnectionState::Authenticated
        )
    }
}

/// One frame seen on the wire, in either direction. Payloads carrying a secret
/// have it replaced by `***` before the frame leaves the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Session-unique id; for outgoing user messages, the id returned on submission.
    pub id: MessageId,
    /// Which way it went.
    pub direction: Direction,
    /// Frame type.
    pub kind: FrameKind,
    /// The payload as sent or received (for close frames: the reason text), with
    /// secrets replaced by `***`.
    pub payload: Bytes,
    /// The payload's real size on the wire, in bytes, before any redaction (for a
    /// close frame: 2 bytes of code and the reason): sizes shown to the user are
    /// this, not `payload.len()`. (A `u32` fits in the
    /// padding after the small fields, so `Event` stays 80 bytes.)
    pub wire_len: u32,
    /// Wall-clock time it was sent or received.
    pub timestamp: SystemTime,
    /// For close frames: the close code, if any.
    pub close_code: Option<u16>,
    /// What the session's protocol adapter makes of the frame (`None` for raw).
    pub decoded: Option<Box<Decoded>>,
}

impl Frame {
    /// The real size of the payload on the wire, in bytes (see [`Frame::wire_len`]).
    pub fn size(&self) -> usize {
        self.wire_len as usize
    }

    /// The payload as text when it is valid UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.payload).ok()
    }
}

/// Classes of failure, so callers can react (exit codes, colours) without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Bad URL, header, close code or other input; nothing was sent.
    InvalidInput,
    /// The host name could not be resolved.
    Dns,
    /// The TCP connection was refused or could not be made.
    Refused,
    /// Connecting (or authenticating) took longer than allowed.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The server answered the upgrade with an HTTP error status.
    HttpStatus,
    /// The server refused our credentials.
    Auth,
    /// The peer broke the WebSocket protocol, or the handshake was malformed.
    Protocol,
    /// An incoming message was larger than the configured maximum.
    MessageTooBig,
    /// The outgoing queue is full; the message was not accepted.
    QueueFull,
    /// Reading or writing the socket failed.
    Io,
    /// Reconnection gave up after the configured number of attempts.
    GaveUp,
}

impl ErrorKind {
    /// Whether this failure happened while establishing a connection.
    pub fn is_connection_failure(self) -> bool {
        matches!(
            self,
            ErrorKind::Dns
                | ErrorKind::Refused
                | ErrorKind::Timeout
                | ErrorKind::Tls
                | ErrorKind::HttpStatus
        )
    }
}

/// The WebSocket upgrade as it went: the request wsdeck sent and the server's
/// answer, for recordings and exports. Secret values are masked (`Bearer ***`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Handshake {
    /// The request's headers, in order, names in lower case.
    pub request_headers: Vec<(String, String)>,
    /// The response's status code (101 when it succeeded).
    pub status: u16,
    /// The response's headers, in order, names in lower case.
    pub response_headers: Vec<(String, String)>,
}

impl Handshake {
    /// The value of the response header `name` (lower case).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Facts about an opened connection, for the state pane.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectionInfo {
    /// The URL connected to, with any token redacted.
    pub url: String,
    /// The subprotocol the server selected, if any.
    pub subprotocol: Option<String>,
    /// Whether the link is encrypted (wss://).
    pub tls: bool,
    /// Whether certificate verification was switched off.
    pub insecure: bool,
    /// The peer's socket address (the proxy's, when there is one).
    pub peer_addr: Option<std::net::SocketAddr>,
    /// The proxy the connection goes through, password masked
    /// (`http://user:***@host:port`).
    pub proxy: Option<String>,
    /// The upgrade request and response, secrets masked.
    pub handshake: Handshake,
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseOutcome {
    /// The close code, if one was exchanged (1006 when the link dropped).
    pub code: Option<u16>,
    /// The close reason text (empty when none).
    pub reason: String,
    /// True when the peer started the close; false when we did (or we declared the link dead).
    pub by_peer: bool,
    /// True when a close handshake completed; false for a dropped link.
    pub clean: bool,
}

/// Everything the session engine reports, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The state machine moved.
    StateChanged(ConnectionState),
    /// The WebSocket handshake completed. (Boxed, like `Stats`, to keep every event,
    /// frames included, at 80 bytes: events are moved several times per frame.)
    Opened(Box<ConnectionInfo>),
    /// A frame was sent or received.
    Frame(Frame),
    /// A message the user sent could not go out yet and waits in the queue.
    Queued {
        /// The message's id.
        id: MessageId,
        /// Queue length after adding it.
        queue_len: usize,
    },
    /// A message the user sent was refused and will never be sent.
    SendFailed {
        /// The message's id.
        id: MessageId,
        /// Why.
        kind: ErrorKind,
        /// What happened and what to do, for the user.
        message: String,
    },
    /// Something went wrong; the text is safe to show (secrets redacted).
    Error {
        /// The class of failure.
        kind: ErrorKind,
        /// What happened and what to do, for the user.
        message: String,
    },
    /// Something worth telling the user that is not an error.
    Notice(String),
    /// Periodic and on-demand counters.
    Stats(Box<StatsSnapshot>),
    /// A pong arrived for our ping.
    Rtt(RttStats),
    /// A reconnect attempt is scheduled.
    ReconnectScheduled {
        /// 1-based attempt number.
        attempt: u32,
        /// The configured maximum, `None` when unlimited.
        max_attempts: Option<u32>,
        /// How long until the attempt.
        delay: Duration,
    },
    /// A connection ended.
    Closed(CloseOutcome),
    /// The protocol adapter's state changed (e.g. active subscriptions and counts).
    AdapterStatus(Vec<StatusLine>),
    /// Messages that went out but that nothing confirmed before the link broke: the
    /// server may not have read them. `:resend-unconfirmed` sends them again.
    Unconfirmed {
        /// The messages that became unconfirmed now (empty when they were re-sent).
        ids: Vec<MessageId>,
        /// How many unconfirmed messages the session holds for re-sending.
        total: usize,
    },
    /// With the raw adapter, the connection looks like a known protocol.
    ProviderRecognised {
        /// The provider it looks like (`socket-io`).
        provider: &'static str,
        /// What gave it away (`the server's first message`).
        evidence: &'static str,
    },
    /// The session switched to another provider (`:provider NAME`) and reconnects
    /// with its adapter.
    ProviderChanged {
        /// The new provider.
        provider: &'static str,
        /// The composer shortcuts its adapter offers, as `(usage, what it does)`.
        commands: &'static [(&'static str, &'static str)],
    },
    /// The scheduled send (`:every`) started, sent, skipped or stopped: its state
    /// now, `None` when there is none.
    Schedule(Option<Box<super::schedule::ScheduleStatus>>),
    /// The actor stopped (after `Shutdown`); no more events follow.
    Stopped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        // Events are moved several times per frame; the real size of a frame rides
        // in the padding of `Frame` and must not make them bigger.
        assert!(
            std::mem::size_of::<Event>() <= 80,
            "{}",
            std::mem::size_of::<Event>()
        );
    }
}
