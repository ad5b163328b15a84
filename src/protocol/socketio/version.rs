//! Which Engine.IO revision a link speaks. Engine.IO 3 (Socket.IO 2): the client
//! pings every `pingInterval` and the server answers; the server connects the default
//! namespace unasked and a CONNECT reply carries no sid; CONNECT_ERROR carries a bare
//! string. Engine.IO 4 (Socket.IO 3 and later): the server pings, the client must
//! CONNECT every namespace, the reply carries a sid and errors are objects.
//!
//! The URL's `EIO` query says what we asked for. The open packet's `maxPayload` shows
//! Engine.IO 4, but its absence does not show Engine.IO 3: servers before engine.io
//! 6.2 (Socket.IO 4.5) and python-engineio before 2025 speak Engine.IO 4 without it,
//! and a client ping is a fatal "invalid heartbeat direction" to an Engine.IO 4
//! server. Nor does `maxPayload` contradict `EIO=3`: engine.io 6.2+ and engineioxide
//! send it in their Engine.IO 3 compatibility mode too. So an open packet without
//! `maxPayload` leaves the version open until the server's next packets settle it.

use std::fmt;

use serde_json::Value;
use url::Url;

/// An Engine.IO protocol revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Eio {
    /// Engine.IO 3 (Socket.IO 2): the client pings.
    V3,
    /// Engine.IO 4 (Socket.IO 3 and later): the server pings.
    V4,
}

impl Eio {
    /// The revision the `EIO` query parameter of `url` asks for, when it is one we speak.
    pub(super) fn from_url(url: &Url) -> Option<Self> {
        let (_, value) = url.query_pairs().find(|(key, _)| key == "EIO")?;
        match value.trim() {
            "3" => Some(Self::V3),
            "4" => Some(Self::V4),
            _ => None,
        }
    }

    /// 3 or 4.
    pub(super) fn number(self) -> u8 {
        match self {
            Self::V3 => 3,
            Self::V4 => 4,
        }
    }
}

/// What the adapter knows of a link's Engine.IO revision, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Version {
    /// `None` while undetermined.
    pub(super) eio: Option<Eio>,
    /// How it was settled, or why it is not yet.
    pub(super) why: &'static str,
}

impl Version {
    /// Settled as `eio`, because of `why`.
    pub(super) fn known(eio: Eio, why: &'static str) -> Self {
        Self {
            eio: Some(eio),
            why,
        }
    }

    /// Before the open packet: what the URL asked for.
    pub(super) fn before_open(url: Option<Eio>) -> Self {
        match url {
            Some(Eio::V3) => Self::known(Eio::V3, "EIO=3 in the URL"),
            Some(Eio::V4) => Self::known(Eio::V4, "EIO=4 in the URL"),
            None => Self {
                eio: None,
                why: "no EIO in the URL; the open packet tells",
            },
        }
    }

    /// At the open packet: `url` is what we asked for, `max_payload` whether the
    /// packet has that field; `None` for `max_payload` when the packet is unreadable.
    pub(super) fn at_open(url: Option<Eio>, max_payload: Option<bool>) -> Self {
        match (url, max_payload) {
            // The server speaks what we asked for or refuses the handshake; its
            // maxPayload is engine.io 6.2+'s Engine.IO 3 compatibility mode.
            (Some(Eio::V3), _) => Self::known(Eio::V3, "EIO=3 in the URL"),
            (_, Some(true)) => Self::known(Eio::V4, "maxPayload in the open packet"),
            (_, Some(false)) => Self {
                eio: None,
                why: "no maxPayload in the open packet: Socket.IO 2, or a server before \
                      Socket.IO 4.5; the next packets tell",
            },
            (Some(Eio::V4), None) => Self::known(Eio::V4, "EIO=4 in the URL"),
            (None, None) => Self::known(Eio::V4, "assumed: the open packet is unreadable"),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.eio {
            Some(eio) => write!(f, "Engine.IO {} ({})", eio.number(), self.why),
            None => write!(f, "Engine.IO 3 or 4 ({})", self.why),
        }
    }
}

/// What an incoming Socket.IO packet (`kind` and payload) shows about the revision:
/// Socket.IO 2 answers CONNECT without a sid (and connects `/` unasked) and refuses
/// with a bare string; Socket.IO 3 and later answer with a sid and refuse with an
/// object.
pub(super) fn evidence(kind: u8, data: Option<&Value>) -> Option<(Eio, &'static str)> {
    match (kind, data) {
        (0, Some(Value::Object(reply))) if reply.contains_key("sid") => {
            Some((Eio::V4, "CONNECT answered with a sid (Socket.IO 3+)"))
        }
        (0, _) => Some((Eio::V3, "CONNECT without a sid (Socket.IO 2)")),
        (4, Some(Value::Object(_))) => Some((Eio::V4, "CONNECT_ERROR object (Socket.IO 3+)")),
        (4, Some(Value::String(_))) => Some((Eio::V3, "CONNECT_ERROR string (Socket.IO 2)")),
        _ => None,
    }
}
