//! Socket.IO on a plain WebSocket, v3/v4 (Socket.IO protocol 5 over Engine.IO 4) and
//! v2 (protocol 4 over Engine.IO 3): the Engine.IO open packet and heartbeat (Engine.IO
//! 4: the server pings, we answer `3`; Engine.IO 3: we ping every `pingInterval` and
//! expect `3` within `pingTimeout`), the namespace `CONNECT` (with its auth payload in
//! Socket.IO 3+; Socket.IO 2 connects `/` by itself and has no CONNECT auth), events,
//! acknowledgements correlated with their latency, binary attachments, and composer
//! shortcuts that build events. The Engine.IO revision comes from the URL's `EIO` and
//! from what the server sends (see the `version` submodule).
//!
//! Specs: <https://socket.io/docs/v4/socket-io-protocol/> (packet encoding
//! `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`) and
//! <https://github.com/socketio/engine.io-protocol> (v4: `0` open, `1` close, `2` ping,
//! `3` pong, `4` message, `5` upgrade, `6` noop; binary data travels as binary frames,
//! in v3 prefixed with the packet type byte `4`).
//!
//! The adapter's jobs, one file each: `packet` parses the packet format, `decode`
//! says what each frame means, `link` runs one link's Engine.IO session (open packet,
//! revision, CONNECT, heartbeat), `compose` builds events from the composer and the
//! shortcuts, and `version` tells Engine.IO 3 from 4.

mod compose;
mod decode;
mod link;
mod packet;
mod version;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{
    Adapter, ComposeError, Composed, Correlator, Decoded, OpenContext, Outgoing, Reaction,
    StatusLine,
};
use crate::wire::PayloadKind;
use compose::COMMANDS;
use decode::Attachments;
use version::{Eio, Version};

/// The label prefix of every decode, and the protocol named in malformed ones.
const PROTOCOL: &str = "sio";
/// Engine.IO's defaults, used until the open packet says otherwise.
const DEFAULT_PING_INTERVAL: Duration = Duration::from_millis(25_000);
const DEFAULT_PING_TIMEOUT: Duration = Duration::from_millis(20_000);

/// The Socket.IO adapter (provider `socket-io`).
#[derive(Debug)]
pub struct SocketIoAdapter {
    namespace: String,
    auth: Option<Value>,
    /// Whether `auth` holds credentials a Socket.IO 2 server cannot get from us (it
    /// has no CONNECT auth): a handshake payload, or a token not in the URL query.
    auth_stranded: bool,
    /// The revision the URL asked for (`EIO=3` / `EIO=4`).
    url_eio: Option<Eio>,
    /// The revision this link speaks, as far as known.
    version: Version,
    engine_sid: Option<String>,
    socket_sid: Option<String>,
    ping_interval: Duration,
    ping_timeout: Duration,
    /// Engine.IO 4 (or undetermined): the link is dead without a server ping by then.
    deadline: Option<Instant>,
    /// When this link's open packet came.
    opened_at: Option<Instant>,
    /// The namespace CONNECT sent on this link, if any.
    sent_connect: Option<String>,
    /// Our CONNECT is held back while the revision is undetermined: until then.
    connect_at: Option<Instant>,
    /// Whether our namespace got its verdict (connected or refused) on this link.
    answered: bool,
    /// Engine.IO 3: when our next ping is due.
    next_ping: Option<Instant>,
    /// Engine.IO 3: when our ping awaiting its pong went out.
    ping_sent: Option<Instant>,
    next_ack: u64,
    correlator: Correlator,
    incoming_attachments: Option<Attachments>,
    outgoing_attachments: Option<Attachments>,
}

impl Default for SocketIoAdapter {
    fn default() -> Self {
        Self::new()
    }
}

impl SocketIoAdapter {
    /// An adapter for the default namespace `/`, before any link opens.
    pub fn new() -> Self {
        Self {
            namespace: "/".into(),
            auth: None,
            auth_stranded: false,
            url_eio: None,
            version: Version::before_open(None),
            engine_sid: None,
            socket_sid: None,
            ping_interval: DEFAULT_PING_INTERVAL,
            ping_timeout: DEFAULT_PING_TIMEOUT,
            deadline: None,
            opened_at: None,
            sent_connect: None,
            connect_at: None,
            answered: false,
            next_ping: None,
            ping_sent: None,
            next_ack: 0,
            correlator: Correlator::new(),
            incoming_attachments: None,
            outgoing_attachments: None,
        }
    }
}

impl Adapter for SocketIoAdapter {
    fn name(&self) -> &'static str {
        "socket-io"
    }

    fn needs_handshake(&self) -> bool {
        true
    }

    fn on_open(&mut self, context: &OpenContext, _now: Instant) -> Vec<Outgoing> {
        self.namespace = match context.namespace.as_deref().map(str::trim) {
            None | Some("" | "/") => "/".into(),
            Some(name) if name.starts_with('/') => name.to_string(),
            Some(name) => format!("/{name}"),
        };
        let token = context
            .token
            .as_ref()
            .map(|token| json!({ "token": token }));
        self.auth = context.handshake_payload.clone().or(token);
        let token_in_url = match (&context.token, &context.url) {
            (Some(token), Some(url)) => url.query_pairs().any(|(_, value)| value == **token),
            _ => false,
        };
        self.auth_stranded =
            context.handshake_payload.is_some() || (context.token.is_some() && !token_in_url);
        self.url_eio = context.url.as_ref().and_then(Eio::from_url);
        self.on_closed();
        // Engine.IO (3 and 4): the server speaks first (the open packet); we answer it.
        Vec::new()
    }

    fn on_incoming(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Reaction {
        if kind == PayloadKind::Binary {
            return Reaction::decoded(self.attachment(payload, true));
        }
        // A text frame ends any attachment sequence.
        self.incoming_attachments = None;
        match std::str::from_utf8(payload) {
            Ok(text) => self.on_text(text, now),
            Err(_) => Reaction::decoded(Decoded::malformed(PROTOCOL, "text frame is not UTF-8")),
        }
    }

    fn on_outgoing(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Option<Decoded> {
        if kind == PayloadKind::Binary {
            return Some(self.attachment(payload, false));
        }
        self.outgoing_attachments = None;
        let Ok(text) = std::str::from_utf8(payload) else {
            return Some(Decoded::malformed(PROTOCOL, "text frame is not UTF-8"));
        };
        Some(self.decode_engine(text, false, now).0)
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        self.compose_text(text)
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        match name {
            "emit" => Some(self.emit(args, false)),
            "ack" => Some(self.emit(args, true)),
            _ => None,
        }
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.link_deadline()
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
        self.on_link_timer(now)
    }

    fn on_closed(&mut self) {
        self.reset_link();
        self.engine_sid = None;
        self.socket_sid = None;
        self.correlator.clear();
        self.incoming_attachments = None;
        self.outgoing_attachments = None;
    }

    fn status(&self) -> Vec<StatusLine> {
        let line = |label: &str, value: String| StatusLine {
            label: label.into(),
            value,
        };
        let sid = self.socket_sid.as_ref().or(self.engine_sid.as_ref());
        let (interval, timeout) = (
            self.ping_interval.as_millis(),
            self.ping_timeout.as_millis(),
        );
        let pending = self.correlator.len();
        let heartbeat = match self.version.eio {
            Some(Eio::V3) => format!("{interval} ms, we ping (pong timeout {timeout} ms)"),
            _ => format!("{interval} ms (timeout {timeout} ms)"),
        };
        sid.map(|sid| line("sid", sid.clone()))
            .into_iter()
            .chain([
                line("namespace", self.namespace.clone()),
                line("engine.io", self.version.to_string()),
                line("ping interval", heartbeat),
            ])
            .chain((pending > 0).then(|| line("acks pending", pending.to_string())))
            .collect()
    }
}

#[cfg(test)]
mod tests;
