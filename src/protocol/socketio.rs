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

mod version;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::correlate::format_latency;
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, OpenContext, Outgoing,
    Reaction, StatusLine, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};
use version::{Eio, Version};

const PROTOCOL: &str = "sio";
/// Engine.IO's defaults, used until the open packet says otherwise.
const DEFAULT_PING_INTERVAL: Duration = Duration::from_millis(25_000);
const DEFAULT_PING_TIMEOUT: Duration = Duration::from_millis(20_000);
/// How long an open packet that leaves the Engine.IO revision open waits for
/// Socket.IO 2's unasked CONNECT of `/` (sent right behind the open packet) before our
/// own CONNECT goes out as Socket.IO 3+ needs it.
const VERSION_GRACE: Duration = Duration::from_millis(300);
/// Why the revision is taken to be Engine.IO 4 when [`VERSION_GRACE`] runs out.
const ASSUMED_V4: &str = "no Socket.IO 2 CONNECT right after the open packet";
/// Shown when Socket.IO 2 is found and a token or handshake payload is configured.
const AUTH_NOTE: &str = "Socket.IO 2 (Engine.IO 3) has no CONNECT auth: the token / \
     handshake payload is not sent there; a Socket.IO 2 server reads credentials from \
     the URL query (--auth query-param)";
/// The longest pingInterval / pingTimeout taken from an open packet (a day).
const MAX_MILLIS: u64 = 86_400_000;
const SUMMARY_CHARS: usize = 80;
const COMPOSE_FORMS: &str = "socket-io composer: type an event as a JSON array \
     [\"name\", args…], a raw packet starting with its type digit (42[\"chat\",\"hi\"]), \
     or use :emit NAME ARGS… / :ack NAME ARGS…";
const COMMANDS: &[(&str, &str)] = &[
    (
        ":emit NAME [ARG…]",
        "emit event NAME with JSON arguments (a bare word is a string)",
    ),
    (
        ":ack NAME [ARG…]",
        "emit NAME asking for an ack; the reply shows its latency",
    ),
];

/// A decode with a label, summary and data.
fn decoded(label: impl Into<String>, summary: String, data: Option<Value>) -> Decoded {
    Decoded {
        label: label.into(),
        summary,
        data,
        ..Decoded::default()
    }
}

/// Binary attachments announced by a `45`/`46` packet and not yet seen.
#[derive(Debug)]
struct Attachments {
    /// What they belong to: `"name"` or `ack #N`.
    of: String,
    seen: u64,
    total: u64,
}

/// One Socket.IO packet, decoded from the text after the Engine.IO `4`.
#[derive(Debug)]
struct Packet<'a> {
    kind: u8,
    attachments: u64,
    namespace: &'a str,
    ack: Option<u64>,
    data: Option<Value>,
}

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

    /// `4` + `kind` + the namespace prefix (`42/admin,`) for packets we build.
    fn prefix(&self, kind: char) -> String {
        match self.namespace.as_str() {
            "/" => format!("4{kind}"),
            namespace => format!("4{kind}{namespace},"),
        }
    }

    /// `:emit` and `:ack`: `NAME ARG…` → `42[N]["NAME",ARG…]`.
    fn emit(&mut self, args: &str, with_ack: bool) -> Result<Composed, ComposeError> {
        let values = parse_args(args)?;
        if !matches!(values.first(), Some(Value::String(_))) {
            let usage = COMMANDS[usize::from(with_ack)].0;
            return Err(ComposeError(format!("usage: {usage}")));
        }
        let mut frame = self.prefix('2');
        if with_ack {
            frame.push_str(&self.next_ack.to_string());
            self.next_ack += 1;
        }
        frame.push_str(&Value::Array(values).to_string());
        Ok(Composed {
            frames: vec![Outgoing::text(frame)],
        })
    }

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
    fn reset_link(&mut self) {
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

    /// A binary frame: the next attachment of the packet that announced it.
    fn attachment(&mut self, payload: &[u8], incoming: bool) -> Decoded {
        let slot = match incoming {
            true => &mut self.incoming_attachments,
            false => &mut self.outgoing_attachments,
        };
        let Some(pending) = slot else {
            return Decoded::malformed(PROTOCOL, "binary frame not announced by a 45/46 packet");
        };
        pending.seen += 1;
        let label = format!(
            "sio attachment {}/{} of {}",
            pending.seen, pending.total, pending.of
        );
        if pending.seen >= pending.total {
            *slot = None;
        }
        // Engine.IO 3 puts the packet type (4, message) before the data.
        let v3 = self.version.eio == Some(Eio::V3);
        let (data, error) = match payload.split_first() {
            Some((&4, data)) if v3 => (data, None),
            _ if v3 => (
                payload,
                Some("an Engine.IO 3 binary frame starts with byte 4"),
            ),
            _ => (payload, None),
        };
        Decoded {
            error: error.map(String::from),
            ..decoded(label, format!("{} bytes", data.len()), None)
        }
    }

    /// Decodes one Socket.IO packet (the text after the Engine.IO `4`).
    fn decode_packet(
        &mut self,
        text: &str,
        incoming: bool,
        now: Instant,
    ) -> (Decoded, Option<AuthVerdict>) {
        let packet = match parse_packet(text) {
            Ok(packet) => packet,
            Err(why) => return (Decoded::malformed(PROTOCOL, why), None),
        };
        let ours = packet.namespace == self.namespace;
        let namespace = match packet.namespace {
            "/" => String::new(),
            namespace => format!("{namespace} "),
        };
        let (kind, ack, data) = (packet.kind, packet.ack, packet.data);
        match (kind, data) {
            (0, data) if incoming => {
                let sid = data
                    .as_ref()
                    .and_then(|d| d.get("sid"))
                    .and_then(Value::as_str);
                let summary = match sid {
                    Some(sid) => format!("{namespace}sid {sid}"),
                    None => format!("{namespace}no sid (Socket.IO 2)"),
                };
                let verdict = ours.then(|| {
                    self.socket_sid = sid.map(String::from);
                    AuthVerdict::Accepted
                });
                (decoded("sio connected", summary, data), verdict)
            }
            // Ours carries the auth payload, maybe a token: keep it out of `data`.
            (0, _) => (decoded("sio connect", namespace, None), None),
            (1, _) => (decoded("sio disconnect", namespace, None), None),
            (2 | 3 | 5 | 6, Some(Value::Array(mut args))) => {
                let event = kind == 2 || kind == 5;
                let (mut label, of) = match (event, args.first(), ack) {
                    (true, Some(Value::String(_)), _) => {
                        let name = args.remove(0);
                        (format!("sio event {name}"), name.to_string())
                    }
                    (false, _, Some(ack)) => (format!("sio ack #{ack}"), format!("ack #{ack}")),
                    (true, ..) => {
                        let why = "event payload must be [\"name\", args…]";
                        return (Decoded::malformed(PROTOCOL, why), None);
                    }
                    (false, ..) => {
                        return (Decoded::malformed(PROTOCOL, "ack without an id"), None);
                    }
                };
                let mut correlation = None;
                if let Some(ack) = ack {
                    let key = format!("ack {ack}");
                    if event {
                        label.push_str(&format!(" ack #{ack}"));
                        if !incoming {
                            self.correlator.request(key.clone(), now);
                            correlation = Some(Correlation::Request { key });
                        }
                    } else if incoming {
                        let latency = self.correlator.response(&key, now, false);
                        if let Some(latency) = latency {
                            label.push_str(&format!(" {}", format_latency(latency)));
                        }
                        correlation = Some(Correlation::Response {
                            key,
                            ok: true,
                            latency,
                            more: false,
                        });
                    }
                }
                let args = Value::Array(args);
                let mut summary =
                    format!("{namespace}{}", shorten(&args.to_string(), SUMMARY_CHARS));
                if kind >= 5 {
                    summary.push_str(&format!(" · {} attachments", packet.attachments));
                    let pending = (packet.attachments > 0).then_some(Attachments {
                        of,
                        seen: 0,
                        total: packet.attachments,
                    });
                    match incoming {
                        true => self.incoming_attachments = pending,
                        false => self.outgoing_attachments = pending,
                    }
                }
                let decoded = Decoded {
                    correlation,
                    ..decoded(label, summary, Some(args))
                };
                (decoded, None)
            }
            (2 | 3 | 5 | 6, _) => (
                Decoded::malformed(PROTOCOL, "event or ack payload must be a JSON array"),
                None,
            ),
            (_, data) => {
                // 4: CONNECT_ERROR, `{"message":…}` (a bare string from older servers).
                let message = match &data {
                    Some(Value::String(message)) => message.clone(),
                    Some(data) => data
                        .get("message")
                        .and_then(Value::as_str)
                        .map_or_else(|| data.to_string(), String::from),
                    None => "no reason given".into(),
                };
                let label = format!("sio connect error {:?}", shorten(&message, 60));
                let verdict = (incoming && ours).then_some(AuthVerdict::Refused);
                (
                    decoded(label, format!("{namespace}{message}"), data),
                    verdict,
                )
            }
        }
    }

    /// Decodes an Engine.IO packet in either direction, apart from the incoming
    /// open and ping, which need replies.
    fn decode_engine(
        &mut self,
        text: &str,
        incoming: bool,
        now: Instant,
    ) -> (Decoded, Option<AuthVerdict>) {
        let label = match text.bytes().next() {
            Some(b'4') => return self.decode_packet(&text[1..], incoming, now),
            Some(b'0') => "sio open",
            Some(b'1') => "sio close",
            Some(b'2') => "sio ping",
            Some(b'3') => "sio pong",
            Some(b'5') => "sio upgrade",
            Some(b'6') => "sio noop",
            _ => {
                let why = format!("unknown Engine.IO packet {:?}", shorten(text, 20));
                return (Decoded::malformed(PROTOCOL, why), None);
            }
        };
        let heartbeat = matches!(text.as_bytes()[0], b'2' | b'3');
        (
            Decoded {
                heartbeat,
                ..Decoded::labelled(label)
            },
            None,
        )
    }
}

/// Adds `note` to a decode's error (after any error it has).
fn add_error(decoded: &mut Decoded, note: &str) {
    decoded.error = Some(match decoded.error.take() {
        Some(error) => format!("{error}; {note}"),
        None => note.to_string(),
    });
}

/// Splits leading ASCII digits off `text`.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .bytes()
        .position(|byte| !byte.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

/// Parses `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
fn parse_packet(text: &str) -> Result<Packet<'_>, String> {
    let kind = match text.bytes().next() {
        Some(digit @ b'0'..=b'6') => digit - b'0',
        _ => return Err(format!("unknown Socket.IO packet {:?}", shorten(text, 20))),
    };
    let mut rest = &text[1..];
    let mut attachments = 0;
    if kind == 5 || kind == 6 {
        let (digits, after) = split_digits(rest);
        let after = after
            .strip_prefix('-')
            .ok_or("binary packet without `N-` attachment count")?;
        attachments = digits.parse().map_err(|_| "bad attachment count")?;
        rest = after;
    }
    let mut namespace = "/";
    if rest.starts_with('/') {
        (namespace, rest) = rest.split_once(',').unwrap_or((rest, ""));
    }
    let (digits, json) = split_digits(rest);
    let ack = match digits {
        "" => None,
        digits => Some(digits.parse().map_err(|_| "ack id out of range")?),
    };
    let data = match json {
        "" => None,
        json => Some(serde_json::from_str(json).map_err(|e| format!("payload is not JSON: {e}"))?),
    };
    Ok(Packet {
        kind,
        attachments,
        namespace,
        ack,
        data,
    })
}

/// Parses shortcut arguments: JSON values separated by spaces; a bare word that is
/// not JSON is a string.
fn parse_args(args: &str) -> Result<Vec<Value>, ComposeError> {
    let mut values = Vec::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let parsed = stream.next();
        let end = stream.byte_offset();
        match parsed {
            Some(Ok(value)) if rest[end..].chars().next().is_none_or(char::is_whitespace) => {
                values.push(value);
                rest = rest[end..].trim_start();
            }
            Some(Err(error)) if rest.starts_with(['{', '[', '"']) => {
                let position = values.len() + 1;
                return Err(ComposeError(format!(
                    "argument {position} is not valid JSON: {error}"
                )));
            }
            _ => {
                let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                values.push(Value::String(word.to_string()));
                rest = after.trim_start();
            }
        }
    }
    Ok(values)
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
        let Ok(text) = std::str::from_utf8(payload) else {
            return Reaction::decoded(Decoded::malformed(PROTOCOL, "text frame is not UTF-8"));
        };
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
        let trimmed = text.trim();
        let frame = if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
            text.to_string()
        } else if trimmed.starts_with('[') {
            match serde_json::from_str::<Value>(trimmed) {
                Ok(Value::Array(args)) if matches!(args.first(), Some(Value::String(_))) => {
                    format!("{}{trimmed}", self.prefix('2'))
                }
                Ok(_) => {
                    return Err(ComposeError(
                        "an event array starts with its name: [\"name\", args…]".into(),
                    ));
                }
                Err(error) => return Err(ComposeError(format!("not a JSON array: {error}"))),
            }
        } else {
            return Err(ComposeError(COMPOSE_FORMS.into()));
        };
        Ok(Composed {
            frames: vec![Outgoing::text(frame)],
        })
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
        let pong_by = self.ping_sent.map(|sent| sent + self.ping_timeout);
        [self.deadline, self.connect_at, self.next_ping, pong_by]
            .into_iter()
            .flatten()
            .min()
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
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
