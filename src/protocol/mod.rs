//! Protocol adapters: what flows over the WebSocket, understood. One module per
//! protocol behind the small [`Adapter`] trait: the frames sent when a link opens, the
//! automatic replies to application heartbeats, recognising auth success and failure,
//! a decoded label and summary for every frame, composer shortcuts that build correct
//! frames, and correlation of responses to requests.
//!
//! Adapters are pure and synchronous: the session actor owns one and calls it for
//! every frame in and out, so automatic replies never wait on the UI. Time comes in as
//! an argument, so tests need no clock. A malformed frame is never an error here: it
//! decodes to a [`Decoded`] with `error` set and the session carries on.

pub mod ably;
pub mod action_cable;
pub mod apollo_legacy;
pub mod binance;
pub mod correlate;
pub mod graphql_ws;
pub mod home_assistant;
pub mod phoenix;
pub mod pusher;
pub mod raw;
pub mod registry;
pub(crate) mod shared;
pub mod signalr;
pub mod socketio;
#[cfg(test)]
pub(crate) mod testing;

use std::time::Instant;

use bytes::Bytes;
use serde_json::Value;

use crate::wire::{AuthVerdict, PayloadKind};

pub use crate::wire::{Correlation, Decoded, StatusLine};
pub use correlate::Correlator;

/// An unknown provider name; its message suggests the provider meant, when one is
/// close (`socketio` → `socket-io`), and lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider '{0}'{suggestion}; known providers: {known}",
    suggestion = registry::closest(&self.0).map(|name| format!(" (did you mean {name}?)")).unwrap_or_default(),
    known = registry::names().join(", "))]
pub struct UnknownProvider(pub String);

/// Builds the adapter for a provider name (see [`registry`]).
pub fn adapter_for(name: &str) -> Result<Box<dyn Adapter>, UnknownProvider> {
    registry::find(name).map(registry::Provider::adapter)
}

/// What an adapter knows when a link opens.
#[derive(Debug, Clone, Default)]
pub struct OpenContext {
    /// The resolved token, when the profile has one (the engine redacts it from
    /// every frame it reports).
    pub token: Option<String>,
    /// The profile's handshake payload, already rendered (e.g. graphql-ws
    /// `connection_init` payload, Socket.IO `40` auth object).
    pub handshake_payload: Option<Value>,
    /// Socket.IO namespace (`/admin`), when not the default.
    pub namespace: Option<String>,
    /// Whether this open is a reconnect: the subscriptions the user started are then
    /// re-sent once the link is ready ([`Adapter::on_ready`]).
    pub reconnect: bool,
    /// The URL the link was opened on (after provider completion), for protocols that
    /// read their version from it (Socket.IO's `EIO=3` / `EIO=4`).
    pub url: Option<url::Url>,
}

/// A frame an adapter wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The payload.
    pub payload: Bytes,
    /// Text or binary.
    pub kind: PayloadKind,
    /// True for automatic replies (heartbeat answers): dimmed and hideable in the UI.
    pub automatic: bool,
}

impl Outgoing {
    /// A text frame the user asked for (directly or through a shortcut).
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            payload: Bytes::from(text.into()),
            kind: PayloadKind::Text,
            automatic: false,
        }
    }

    /// A text frame sent automatically in reply to a heartbeat: dimmed and hideable.
    pub fn automatic(text: impl Into<String>) -> Self {
        Self {
            automatic: true,
            ..Self::text(text)
        }
    }
}

/// An adapter's answer to an incoming frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reaction {
    /// What the frame means; `None` when the adapter has nothing to add (raw).
    pub decoded: Option<Decoded>,
    /// Frames to send now (heartbeat replies, handshake steps).
    pub send: Vec<Outgoing>,
    /// The protocol-level verdict on our credentials / handshake, if this frame
    /// carries one.
    pub auth: Option<AuthVerdict>,
    /// Set when the protocol says the link is dead or the peer is going away and a
    /// reconnect is due (e.g. Engine.IO ping timeout, Pusher error 4200).
    pub reconnect: Option<String>,
}

impl Reaction {
    /// A reaction that only decodes.
    pub fn decoded(decoded: Decoded) -> Self {
        Self {
            decoded: Some(decoded),
            ..Self::default()
        }
    }
}

/// What the composer text (or a command-line shortcut) becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// Frames to send, in order.
    pub frames: Vec<Outgoing>,
}

/// A composer text or shortcut that cannot be turned into frames; shown to the
/// user, and the text stays in the composer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ComposeError(pub String);

/// One protocol's knowledge, driven by the session actor. Every method is cheap and
/// never blocks; `now` is the actor's clock.
pub trait Adapter: Send {
    /// The provider name (`socket-io`, `graphql-ws`, …).
    fn name(&self) -> &'static str;

    /// Whether the session must wait for this protocol's handshake verdict
    /// ([`Reaction::auth`]) before it counts as ready and sends queued messages.
    fn needs_handshake(&self) -> bool {
        false
    }

    /// Frames to send as soon as the link opens (after every reconnect too).
    /// Subscriptions the adapter knows of are re-sent here once the handshake is
    /// done, via [`Adapter::on_ready`].
    fn on_open(&mut self, _context: &OpenContext, _now: Instant) -> Vec<Outgoing> {
        Vec::new()
    }

    /// Frames to send once the handshake verdict is in (re-subscribe after reconnect).
    /// Only what the user started interactively is resumed: subscriptions made by the
    /// profile's on-connect messages (see [`Adapter::sent_on_connect`]) are re-sent by
    /// the session itself, right after these frames.
    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        Vec::new()
    }

    /// One of the profile's on-connect messages is about to go out on this link
    /// (they are sent after every (re)connect, once the link is ready): the payload to
    /// send in its place. The default sends it as written; Home Assistant numbers a
    /// command that has no usable `id`, as [`Adapter::compose`] does, so ids keep
    /// increasing within the connection.
    fn prepare_on_connect(&mut self, payload: Bytes, _kind: PayloadKind) -> Bytes {
        payload
    }

    /// A message from the user's queue is about to go out: the payload to send in its
    /// place. It was composed earlier, perhaps on an earlier link or before frames
    /// that went out ahead of it (resumed subscriptions, heartbeats). The default sends
    /// it as composed; Home Assistant gives a command it numbered itself a new id
    /// when that id is no longer above every id sent on this link.
    fn prepare_queued(&mut self, payload: Bytes, _kind: PayloadKind) -> Bytes {
        payload
    }

    /// One of the profile's on-connect messages went out (after
    /// [`Adapter::on_outgoing`] registered it). The session sends it again after every
    /// reconnect, so a subscription it starts stays listed (status, `:stop`) but is
    /// not resumed by [`Adapter::on_ready`]: every subscription is re-established
    /// exactly once.
    fn sent_on_connect(&mut self, _payload: &[u8], _kind: PayloadKind) {}

    /// Whether [`Adapter::on_incoming`] can say anything about a data frame. An
    /// adapter that never does (the raw pass-through) returns false, and the session
    /// skips it on the receive path.
    fn reads_incoming(&self) -> bool {
        true
    }

    /// Decodes an incoming frame and says what to do about it.
    fn on_incoming(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Reaction;

    /// Decodes an outgoing frame (sent by the user, a shortcut or the adapter) and
    /// registers it for correlation.
    fn on_outgoing(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Option<Decoded>;

    /// Turns composer text into frames: e.g. `["chat",{…}]` → `42["chat",{…}]` for
    /// Socket.IO, a bare GraphQL document → `subscribe`, a Home Assistant command
    /// without `id` → the next id. The default sends the text as typed.
    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        Ok(Composed {
            frames: vec![Outgoing::text(text)],
        })
    }

    /// Runs a command-line shortcut (`:emit chat {"text":"hi"}`, `:stop 1`).
    /// `None` means this adapter has no such command.
    fn command(&mut self, _name: &str, _args: &str) -> Option<Result<Composed, ComposeError>> {
        None
    }

    /// The command-line shortcuts this adapter offers, as `(usage, what it does)`.
    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// When the adapter next wants [`Adapter::on_timer`] called (app-level heartbeat).
    fn next_deadline(&self) -> Option<Instant> {
        None
    }

    /// Called at or after [`Adapter::next_deadline`]; frames to send now, or a reason
    /// to declare the link dead.
    fn on_timer(&mut self, _now: Instant) -> Reaction {
        Reaction::default()
    }

    /// Called when the link is lost or closed, before any reconnect.
    fn on_closed(&mut self) {}

    /// The name and meaning of a close code this protocol defines (e.g. 4401
    /// Unauthorized for graphql-transport-ws).
    fn close_code(&self, _code: u16) -> Option<(&'static str, &'static str)> {
        None
    }

    /// State worth showing in the state pane (active subscriptions and counts).
    fn status(&self) -> Vec<StatusLine> {
        Vec::new()
    }
}

/// Parses a frame's payload as JSON text; the error says why, for [`Decoded::malformed`].
pub fn parse_json(payload: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(payload).map_err(|error| format!("not JSON: {error}"))
}

/// Shortens `text` to at most `max` characters for summaries, marking the cut with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
