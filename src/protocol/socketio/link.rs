//! One link's Engine.IO session: the open packet and its heartbeat timing, settling
//! the Engine.IO revision (see the `version` module), our namespace CONNECT in the
//! revision's form, and the heartbeat in either direction.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::decode::{add_error, decoded};
use super::packet::parse_packet;
use super::version::{self, Eio, Version};
use super::{DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT, PROTOCOL, SocketIoAdapter};
use crate::protocol::correlate::format_latency;
use crate::protocol::{Decoded, Outgoing, Reaction};

/// How long an open packet that leaves the Engine.IO revision open waits for
/// Socket.IO 2's unasked CONNECT of `/` (sent right behind the open packet) before our
/// own CONNECT goes out as Socket.IO 3+ needs it.
pub(super) const VERSION_GRACE: Duration = Duration::from_millis(300);
/// Why the revision is taken to be Engine.IO 4 when [`VERSION_GRACE`] runs out.
const ASSUMED_V4: &str = "no Socket.IO 2 CONNECT right after the open packet";
/// Shown when Socket.IO 2 is found and a token or handshake payload is configured.
const AUTH_NOTE: &str = "Socket.IO 2 (Engine.IO 3) has no CONNECT auth: the token / \
     handshake payload is not sent there; a Socket.IO 2 server reads credentials from \
     the URL query (--auth query-param)";
/// The longest pingInterval / pingTimeout taken from an open packet (a day).
const MAX_MILLIS: u64 = 86_400_000;

impl SocketIoAdapter {
    /// Our namespace CONNECT in revision `eio`: Socket.IO 3+ `40[/nsp,][auth]`;
    /// Socket.IO 2 `40/nsp,` without auth, and nothing for `/`, which the server
    /// connects by itself.
    fn connect_frame(&self, eio: Eio) -> Option<String> {
        let mut frame = self.prefix('0');
        match eio {
            Eio::V3 if self.namespace == "/" => return None,
            Eio::V3 => {}
            Eio::V4 => {
                if let Some(auth) = &self.auth {
                    frame.push_str(&auth.to_string());
                }
            }
        }
        Some(frame)
    }

    /// Forgets the revision, heartbeat and CONNECT state of the link (a new open
    /// packet starts a new Engine.IO session).
    pub(super) fn reset_link(&mut self) {
        self.version = Version::before_open(self.url_eio);
        self.deadline = None;
        self.opened_at = None;
        self.sent_connect = None;
        self.connect_at = None;
        self.answered = false;
        self.next_ping = None;
        self.ping_sent = None;
    }

    /// The note for a decode that finds Socket.IO 2 while credentials are configured.
    fn auth_note(&self) -> Option<&'static str> {
        (self.version.eio == Some(Eio::V3) && self.auth_stranded).then_some(AUTH_NOTE)
    }

    /// The revision is now `eio` (because of `why`): the heartbeat runs its way and
    /// our namespace CONNECT goes out in its form, unless already sent or answered.
    fn settle(&mut self, eio: Eio, why: &'static str, now: Instant) -> Vec<Outgoing> {
        self.version = Version::known(eio, why);
        self.connect_at = None;
        match eio {
            Eio::V3 => {
                self.deadline = None;
                if self.next_ping.is_none() && self.ping_sent.is_none() {
                    // engine.io-client 3: the first ping a pingInterval after the open.
                    self.next_ping = Some(self.opened_at.unwrap_or(now) + self.ping_interval);
                }
            }
            Eio::V4 => {
                self.next_ping = None;
                self.ping_sent = None;
                self.deadline
                    .get_or_insert(now + self.ping_interval + self.ping_timeout);
            }
        }
        let wanted = self.connect_frame(eio);
        if self.answered || self.opened_at.is_none() || wanted == self.sent_connect {
            return Vec::new();
        }
        self.sent_connect.clone_from(&wanted);
        wanted.map(Outgoing::text).into_iter().collect()
    }

    /// The Engine.IO open packet: heartbeat timing and revision, then our namespace
    /// `CONNECT` (held back briefly when the revision is still open).
    fn on_open_packet(&mut self, body: &str, now: Instant) -> Reaction {
        self.reset_link();
        self.opened_at = Some(now);
        let open = serde_json::from_str::<Value>(body)
            .ok()
            .filter(Value::is_object);
        if let Some(open) = &open {
            // Clamped, so that no server's number overflows the clock.
            let millis = |key: &str| {
                let millis = open.get(key).and_then(Value::as_u64)?;
                Some(millis.min(MAX_MILLIS))
            };
            self.engine_sid = open.get("sid").and_then(Value::as_str).map(String::from);
            let interval = millis("pingInterval").map(Duration::from_millis);
            let timeout = millis("pingTimeout").map(Duration::from_millis);
            self.ping_interval = interval.unwrap_or(DEFAULT_PING_INTERVAL);
            self.ping_timeout = timeout.unwrap_or(DEFAULT_PING_TIMEOUT);
        }
        let max_payload = open.as_ref().map(|open| open.get("maxPayload").is_some());
        let version = Version::at_open(self.url_eio, max_payload);
        // Even a garbled open packet gets the namespace connect, so nothing stalls.
        let send = match version.eio {
            Some(eio) => self.settle(eio, version.why, now),
            None => {
                self.version = version;
                self.deadline = Some(now + self.ping_interval + self.ping_timeout);
                let frame = self.connect_frame(Eio::V4);
                if frame == self.connect_frame(Eio::V3) {
                    self.sent_connect.clone_from(&frame);
                    frame.map(Outgoing::text).into_iter().collect()
                } else {
                    self.connect_at = Some(now + VERSION_GRACE);
                    Vec::new()
                }
            }
        };
        let mut decoded = match open {
            Some(open) => {
                let (interval, timeout) = (
                    self.ping_interval.as_millis(),
                    self.ping_timeout.as_millis(),
                );
                let heartbeat = match self.version.eio {
                    Some(Eio::V3) => {
                        format!("we ping every {interval} ms, pong timeout {timeout} ms")
                    }
                    _ => format!("ping every {interval} ms, timeout {timeout} ms"),
                };
                let summary = format!(
                    "sid {} · {heartbeat} · {}",
                    self.engine_sid.as_deref().unwrap_or("?"),
                    self.version
                );
                let label = match self.version.eio {
                    Some(Eio::V4) => "sio open",
                    Some(Eio::V3) => "sio open (Engine.IO 3)",
                    None => "sio open (Engine.IO 3 or 4?)",
                };
                decoded(label, summary, Some(open))
            }
            None => Decoded::malformed(PROTOCOL, "Engine.IO open packet is not a JSON object"),
        };
        if let Some(note) = self.auth_note() {
            add_error(&mut decoded, note);
        }
        Reaction {
            decoded: Some(decoded),
            send,
            ..Reaction::default()
        }
    }

    /// An incoming text frame: the open packet, the server's ping (answered), our
    /// ping's pong, and what settles the revision, besides the decode.
    pub(super) fn on_text(&mut self, text: &str, now: Instant) -> Reaction {
        if let Some(body) = text.strip_prefix('0') {
            return self.on_open_packet(body, now);
        }
        let (mut decoded, auth) = self.decode_engine(text, true, now);
        if auth.is_some() {
            self.answered = true;
        }
        let opened = self.opened_at.is_some();
        let mut send = Vec::new();
        let mut settled = None;
        match text.as_bytes().first() {
            Some(b'2') => {
                // Only an Engine.IO 4 server pings; answer it either way.
                if opened && self.version.eio != Some(Eio::V4) {
                    settled = Some((Eio::V4, "the server pings (Engine.IO 4)"));
                }
                send.push(Outgoing::automatic(format!("3{}", &text[1..])));
            }
            Some(b'3') => {
                if let Some(sent) = self.ping_sent.take() {
                    self.next_ping = Some(now + self.ping_interval);
                    let latency = format_latency(now.saturating_duration_since(sent));
                    decoded.label.push_str(&format!(" {latency}"));
                }
            }
            Some(b'4') if opened && self.version.eio.is_none() => {
                let packet = parse_packet(&text[1..]).ok();
                settled = packet.and_then(|p| version::evidence(p.kind, p.data.as_ref()));
            }
            _ => {}
        }
        if let Some((eio, why)) = settled {
            send.extend(self.settle(eio, why, now));
            let found = format!("Engine.IO {}: {why}", eio.number());
            decoded.summary = match decoded.summary.as_str() {
                "" => found,
                summary => format!("{summary} · {found}"),
            };
            if let Some(note) = self.auth_note() {
                add_error(&mut decoded, note);
            }
        }
        if text.starts_with('2') && self.version.eio != Some(Eio::V3) {
            self.deadline = Some(now + self.ping_interval + self.ping_timeout);
        }
        Reaction {
            decoded: Some(decoded),
            send,
            auth,
            reconnect: None,
        }
    }

    /// When [`SocketIoAdapter::on_link_timer`] is next due.
    pub(super) fn link_deadline(&self) -> Option<Instant> {
        let pong_by = self.ping_sent.map(|sent| sent + self.ping_timeout);
        [self.deadline, self.connect_at, self.next_ping, pong_by]
            .into_iter()
            .flatten()
            .min()
    }

    /// The link's timers: our ping (Engine.IO 3) and its pong timeout, the server's
    /// missing ping (Engine.IO 4), and our CONNECT held back for the revision.
    pub(super) fn on_link_timer(&mut self, now: Instant) -> Reaction {
        let dead = |why: String| Reaction {
            reconnect: Some(why),
            ..Reaction::default()
        };
        if self
            .ping_sent
            .is_some_and(|sent| now >= sent + self.ping_timeout)
        {
            self.ping_sent = None;
            self.next_ping = None;
            let limit = self.ping_timeout.as_millis();
            return dead(format!(
                "no Engine.IO pong within pingTimeout ({limit} ms) of our ping"
            ));
        }
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            self.deadline = None;
            let limit = (self.ping_interval + self.ping_timeout).as_millis();
            let mut why =
                format!("no Engine.IO ping within pingInterval + pingTimeout ({limit} ms)");
            if self.version.eio.is_none() || self.version.why == ASSUMED_V4 {
                why.push_str("; a Socket.IO 2 server needs EIO=3 in the URL");
            }
            return dead(why);
        }
        let mut send = Vec::new();
        if self.connect_at.is_some_and(|at| now >= at) {
            send.extend(self.settle(Eio::V4, ASSUMED_V4, now));
        }
        if self.next_ping.is_some_and(|at| now >= at) {
            self.next_ping = None;
            self.ping_sent = Some(now);
            send.push(Outgoing::automatic("2"));
        }
        Reaction {
            send,
            ..Reaction::default()
        }
    }
}
