//! The wire-level vocabulary that the protocol adapters and the session engine both
//! speak: what kind of payload a data frame carries, the server's verdict on our
//! credentials, and what an adapter makes of a frame (label, summary, correlation)
//! and of its own state (status lines).
//!
//! This is a bottom layer: it depends on nothing else in the crate, so `protocol`
//! (which produces these values) and `session` (which reports them in its events)
//! both point down to it and never at each other's types for it.

use std::time::Duration;

use serde_json::Value;

/// The kind of a data message: how its payload goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PayloadKind {
    /// Sent as a text frame; the payload must be UTF-8.
    #[default]
    Text,
    /// Sent as a binary frame.
    Binary,
}

/// The server's judgement of our credentials (or of a protocol handshake).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVerdict {
    /// Credentials accepted.
    Accepted,
    /// Credentials refused.
    Refused,
}

/// How a frame relates to a request/response pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correlation {
    /// This frame is a request; responses carry the same key.
    Request {
        /// The correlation key (e.g. `"3"` for Home Assistant id 3, `"ack 5"`).
        key: String,
    },
    /// This frame answers the request with `key`.
    Response {
        /// The key of the request it answers.
        key: String,
        /// Whether the response reports success.
        ok: bool,
        /// Time since the request went out, when the request was seen.
        latency: Option<Duration>,
        /// Whether more responses may follow for this key (subscriptions); false
        /// when this one completes the exchange.
        more: bool,
    },
}

/// What a protocol adapter makes of one frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decoded {
    /// Short label shown beside the raw frame, e.g. `sio event "chat"`, `gql next #1`,
    /// `ha result #3 ok 12 ms`.
    pub label: String,
    /// A one-line summary of the content (e.g. `BTCUSDT 43000.10 × 0.005`), may be empty.
    pub summary: String,
    /// The application payload, for headless output (e.g. the `payload` of a
    /// graphql `next`, the arguments of a Socket.IO ack).
    pub data: Option<Value>,
    /// Request/response correlation, when the protocol has it.
    pub correlation: Option<Correlation>,
    /// True for heartbeat traffic (pings, pongs, keep-alives): dimmed and hideable.
    pub heartbeat: bool,
    /// Set when the frame does not parse as the protocol says; the raw frame is
    /// still shown.
    pub error: Option<String>,
}

impl Decoded {
    /// A decode with just a label.
    pub fn labelled(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ..Self::default()
        }
    }

    /// A frame that does not follow the protocol: labelled `malformed`, with why.
    pub fn malformed(protocol: &str, why: impl Into<String>) -> Self {
        Self {
            label: format!("{protocol} malformed"),
            error: Some(why.into()),
            ..Self::default()
        }
    }
}

/// A line of adapter state for the state pane (e.g. active subscriptions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// What it is (`sub #1`).
    pub label: String,
    /// Its value (`subscription { ticks } · 12 msgs`).
    pub value: String,
}
