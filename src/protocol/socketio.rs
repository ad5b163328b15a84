//! Socket.IO v4 (Socket.IO protocol 5) over Engine.IO v4 on a plain WebSocket: the
//! Engine.IO open packet and heartbeat (the server pings, we answer `3`), the
//! namespace `CONNECT` with its auth payload, events, acknowledgements correlated
//! with their latency, binary attachments, and composer shortcuts that build events.
//!
//! Specs: <https://socket.io/docs/v4/socket-io-protocol/> (packet encoding
//! `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`) and
//! <https://github.com/socketio/engine.io-protocol> (v4: `0` open, `1` close, `2` ping,
//! `3` pong, `4` message, `5` upgrade, `6` noop; binary data travels as binary frames).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::correlate::format_latency;
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, OpenContext, Outgoing,
    Reaction, StatusLine, shorten,
};
use crate::session::auth::AuthVerdict;
use crate::session::event::PayloadKind;

const PROTOCOL: &str = "sio";
/// Engine.IO's defaults, used until the open packet says otherwise.
const DEFAULT_PING_INTERVAL: Duration = Duration::from_millis(25_000);
const DEFAULT_PING_TIMEOUT: Duration = Duration::from_millis(20_000);
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
    engine_sid: Option<String>,
    socket_sid: Option<String>,
    ping_interval: Duration,
    ping_timeout: Duration,
    deadline: Option<Instant>,
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
            engine_sid: None,
            socket_sid: None,
            ping_interval: DEFAULT_PING_INTERVAL,
            ping_timeout: DEFAULT_PING_TIMEOUT,
            deadline: None,
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

    /// The Engine.IO open packet: heartbeat timing, then our namespace `CONNECT`.
    fn on_open_packet(&mut self, body: &str, now: Instant) -> Reaction {
        let decoded = match serde_json::from_str::<Value>(body) {
            Ok(open @ Value::Object(_)) => {
                let millis = |key: &str| open.get(key).and_then(Value::as_u64);
                self.engine_sid = open.get("sid").and_then(Value::as_str).map(String::from);
                let interval = millis("pingInterval").map(Duration::from_millis);
                let timeout = millis("pingTimeout").map(Duration::from_millis);
                self.ping_interval = interval.unwrap_or(DEFAULT_PING_INTERVAL);
                self.ping_timeout = timeout.unwrap_or(DEFAULT_PING_TIMEOUT);
                let summary = format!(
                    "sid {} · ping every {} ms, timeout {} ms",
                    self.engine_sid.as_deref().unwrap_or("?"),
                    self.ping_interval.as_millis(),
                    self.ping_timeout.as_millis()
                );
                decoded("sio open", summary, Some(open))
            }
            _ => Decoded::malformed(PROTOCOL, "Engine.IO open packet is not a JSON object"),
        };
        self.deadline = Some(now + self.ping_interval + self.ping_timeout);
        let mut connect = self.prefix('0');
        if let Some(auth) = &self.auth {
            connect.push_str(&auth.to_string());
        }
        // Even a garbled open packet gets the namespace connect, so nothing stalls.
        Reaction {
            decoded: Some(decoded),
            send: vec![Outgoing::text(connect)],
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
        decoded(label, format!("{} bytes", payload.len()), None)
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
                let summary = format!("{namespace}sid {}", sid.unwrap_or("?"));
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
        self.on_closed();
        // Engine.IO v4: the server speaks first (the open packet); we answer it.
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
        let (decoded, auth) = self.decode_engine(text, true, now);
        let mut send = Vec::new();
        if let Some(probe) = text.strip_prefix('2') {
            self.deadline = Some(now + self.ping_interval + self.ping_timeout);
            send.push(Outgoing::automatic(format!("3{probe}")));
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
        self.deadline
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
        if self.deadline.is_none_or(|deadline| now < deadline) {
            return Reaction::default();
        }
        self.deadline = None;
        let limit = (self.ping_interval + self.ping_timeout).as_millis();
        let why = format!("no Engine.IO ping within pingInterval + pingTimeout ({limit} ms)");
        Reaction {
            reconnect: Some(why),
            ..Reaction::default()
        }
    }

    fn on_closed(&mut self) {
        self.engine_sid = None;
        self.socket_sid = None;
        self.deadline = None;
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
        sid.map(|sid| line("sid", sid.clone()))
            .into_iter()
            .chain([
                line("namespace", self.namespace.clone()),
                line(
                    "ping interval",
                    format!("{interval} ms (timeout {timeout} ms)"),
                ),
            ])
            .chain((pending > 0).then(|| line("acks pending", pending.to_string())))
            .collect()
    }
}

#[cfg(test)]
mod tests;
