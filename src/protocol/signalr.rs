//! ASP.NET Core SignalR, JSON hub protocol
//! (<https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md>):
//! the handshake `{"protocol":"json","version":1}` goes out on open and the empty
//! response `{}` (or `{"error":…}`) is the verdict; every message ends with the
//! record separator 0x1E and a frame may hold several. Invocations (1) with an
//! `invocationId` are correlated with their stream items (2) and completion (3);
//! pings (6) are heartbeats and one goes out after 15 s without sending (the
//! spec's keep-alive); nothing from the server for 30 s, or a close (7) that
//! allows it, means reconnect.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::shared::{
    id_key, json_values, latency_suffix, number_suffix, one, parse_object, remember, seconds,
    split_words, str_field, value_summary,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, OpenContext, Outgoing,
    Reaction, StatusLine, parse_json, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};

/// The record separator ending every message.
const RS: char = '\u{1e}';
/// How long we stay silent before pinging.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long the server may stay silent before the link counts as dead.
const SERVER_TIMEOUT: Duration = Duration::from_secs(30);
/// Why a message without a numeric `type` is malformed.
const NO_TYPE: &str = "no numeric \"type\"";
/// The handshake request.
const HANDSHAKE: &str = "{\"protocol\":\"json\",\"version\":1}\u{1e}";

/// The `signalr` adapter.
#[derive(Debug, Default)]
pub struct SignalRAdapter {
    handshake_done: bool,
    last_invocation: u64,
    correlator: Correlator,
    /// Invocation id → target.
    pending: BTreeMap<String, String>,
    next_ping: Option<Instant>,
    last_incoming: Option<Instant>,
}

/// Folds the decodes of a frame's messages into one: `signalr invocation Send +1`.
fn combine(mut decodes: Vec<Decoded>, terminated: bool) -> Decoded {
    if decodes.is_empty() {
        return Decoded::malformed("signalr", "no message in the frame");
    }
    let count = decodes.len();
    let summary = decodes
        .iter()
        .map(|decoded| decoded.summary.as_str())
        .filter(|summary| !summary.is_empty())
        .collect::<Vec<_>>()
        .join(" | ");
    let heartbeat = decodes.iter().all(|decoded| decoded.heartbeat);
    let correlation = decodes
        .iter()
        .find_map(|decoded| decoded.correlation.clone());
    let error = decodes.iter().find_map(|decoded| decoded.error.clone());
    let data = if count == 1 {
        decodes[0].data.take()
    } else {
        let datas: Vec<Value> = decodes
            .iter_mut()
            .filter_map(|decoded| decoded.data.take())
            .collect();
        (!datas.is_empty()).then_some(Value::Array(datas))
    };
    let more = if count > 1 {
        format!(" +{}", count - 1)
    } else {
        String::new()
    };
    Decoded {
        label: format!("{}{more}", decodes[0].label),
        summary: shorten(&summary, 80),
        data,
        correlation,
        heartbeat,
        error: error.or_else(|| (!terminated).then(|| "missing the 0x1E record separator".into())),
    }
}

/// What every hub message starts with: its type, invocation id and target.
struct Head {
    kind: u64,
    key: Option<String>,
    /// ` #ID` for labels, or nothing.
    number: String,
    /// The target, shortened for labels (`?` when there is none).
    target: String,
}

impl Head {
    /// `None` when there is no numeric `type`.
    fn of(value: &Value) -> Option<Self> {
        let kind = value.get("type").and_then(Value::as_u64)?;
        let key = value.get("invocationId").and_then(id_key);
        Some(Self {
            kind,
            number: number_suffix(key.as_deref().map(|key| shorten(key, 40))),
            key,
            target: shorten(str_field(value, "target").unwrap_or("?"), 60),
        })
    }

    /// The correlation of a response to this invocation, when it has an id.
    fn response(&self, ok: bool, latency: Option<Duration>, more: bool) -> Option<Correlation> {
        self.key.clone().map(|key| Correlation::Response {
            key,
            ok,
            latency,
            more,
        })
    }
}

fn records(payload: &[u8]) -> Result<(Vec<&str>, bool), String> {
    let text = std::str::from_utf8(payload).map_err(|_| "not UTF-8 text".to_string())?;
    let records = text
        .split(RS)
        .filter(|record| !record.trim().is_empty())
        .collect();
    Ok((records, text.trim_end().ends_with(RS)))
}

fn invocation(kind: u64, id: Option<&str>, target: &str, arguments: Vec<Value>) -> String {
    let mut message = json!({ "type": kind });
    if let Some(id) = id {
        message["invocationId"] = json!(id);
    }
    message["target"] = json!(target);
    message["arguments"] = Value::Array(arguments);
    format!("{message}{RS}")
}

impl SignalRAdapter {
    /// A fresh adapter (invocation ids start at 1).
    pub fn new() -> Self {
        Self::default()
    }

    /// One incoming record: the handshake reply, then hub messages by type.
    fn message(&mut self, record: &str, now: Instant, reaction: &mut Reaction) -> Decoded {
        let value = match parse_object(record.as_bytes()) {
            Ok(value) => value,
            Err(why) => return Decoded::malformed("signalr", why),
        };
        if !self.handshake_done && value.get("type").is_none() {
            return self.handshake_reply(&value, now, reaction);
        }
        let Some(head) = Head::of(&value) else {
            return Decoded::malformed("signalr", NO_TYPE);
        };
        let arguments = value.get("arguments").cloned().unwrap_or(Value::Null);
        let Head {
            kind,
            number,
            target,
            ..
        } = &head;
        match kind {
            1 => Decoded {
                label: format!("signalr invocation {target}{number}"),
                summary: value_summary(&arguments),
                data: Some(arguments),
                ..Decoded::default()
            },
            2 => self.stream_item(&value, &head, now),
            3 => self.completion(&value, &head, now),
            4 => Decoded {
                label: format!("signalr stream_invocation {target}{number}"),
                summary: value_summary(&arguments),
                data: Some(arguments),
                ..Decoded::default()
            },
            5 => Decoded::labelled(format!("signalr cancel{number}")),
            6 => Decoded {
                heartbeat: true,
                ..Decoded::labelled("signalr ping")
            },
            7 => {
                let error = str_field(&value, "error").unwrap_or("");
                if value.get("allowReconnect").and_then(Value::as_bool) == Some(true) {
                    reaction.reconnect = Some(
                        format!("close: {error}")
                            .trim_end_matches([':', ' '])
                            .into(),
                    );
                }
                Decoded {
                    summary: shorten(error, 80),
                    ..Decoded::labelled("signalr close")
                }
            }
            8 | 9 => {
                let name = if *kind == 8 { "ack" } else { "sequence" };
                let sequence = value
                    .get("sequenceId")
                    .map(Value::to_string)
                    .unwrap_or_default();
                Decoded::labelled(format!("signalr {name} {sequence}").trim_end())
            }
            other => Decoded::labelled(format!("signalr type {other}")),
        }
    }

    /// The server's reply to our handshake: `{}` accepts, `{"error":…}` refuses.
    fn handshake_reply(&mut self, value: &Value, now: Instant, reaction: &mut Reaction) -> Decoded {
        match str_field(value, "error") {
            Some(error) => {
                reaction.auth = Some(AuthVerdict::Refused);
                Decoded {
                    summary: shorten(error, 80),
                    ..Decoded::labelled("signalr handshake error")
                }
            }
            None => {
                self.handshake_done = true;
                self.next_ping = Some(now + KEEP_ALIVE);
                reaction.auth = Some(AuthVerdict::Accepted);
                Decoded::labelled("signalr handshake ok")
            }
        }
    }

    /// A StreamItem (2): one more response to a streaming invocation.
    fn stream_item(&mut self, value: &Value, head: &Head, now: Instant) -> Decoded {
        let latency = head
            .key
            .as_ref()
            .and_then(|key| self.correlator.response(key, now, true));
        let item = value.get("item").cloned().unwrap_or(Value::Null);
        Decoded {
            label: format!("signalr item{}{}", head.number, latency_suffix(latency)),
            summary: value_summary(&item),
            data: Some(item),
            correlation: head.response(true, latency, true),
            ..Decoded::default()
        }
    }

    /// A Completion (3): the result or error that ends an invocation.
    fn completion(&mut self, value: &Value, head: &Head, now: Instant) -> Decoded {
        let key = head.key.as_ref();
        let latency = key.and_then(|key| self.correlator.response(key, now, false));
        let target = key.and_then(|key| self.pending.remove(key));
        let error = value.get("error").filter(|error| !error.is_null());
        let ok = error.is_none();
        let data = error
            .or(value.get("result"))
            .cloned()
            .unwrap_or(Value::Null);
        let detail = value_summary(&data);
        let summary = match target {
            Some(target) => format!("{target} {detail}"),
            None => detail,
        };
        let verdict = if ok { "ok" } else { "error" };
        Decoded {
            label: format!(
                "signalr completion{} {verdict}{}",
                head.number,
                latency_suffix(latency)
            ),
            summary: shorten(summary.trim(), 80),
            data: Some(data),
            correlation: head.response(ok, latency, false),
            ..Decoded::default()
        }
    }

    fn sent(&mut self, record: &str, now: Instant) -> Decoded {
        let value = match parse_object(record.as_bytes()) {
            Ok(value) => value,
            Err(why) => return Decoded::malformed("signalr", why),
        };
        if let Some(protocol) = str_field(&value, "protocol") {
            let version = value
                .get("version")
                .map(Value::to_string)
                .unwrap_or_default();
            return Decoded::labelled(format!(
                "signalr handshake {} v{version}",
                shorten(protocol, 20)
            ));
        }
        let Some(Head {
            kind,
            key,
            number,
            target,
        }) = Head::of(&value)
        else {
            return Decoded::malformed("signalr", NO_TYPE);
        };
        let arguments = value.get("arguments").unwrap_or(&Value::Null);
        let mut decoded = match kind {
            1 | 4 => {
                let name = if kind == 1 {
                    "invocation"
                } else {
                    "stream_invocation"
                };
                Decoded {
                    label: format!("signalr {name} {target}{number}"),
                    summary: value_summary(arguments),
                    ..Decoded::default()
                }
            }
            3 => Decoded::labelled(format!("signalr completion{number}")),
            5 => Decoded::labelled(format!("signalr cancel{number}")),
            6 => Decoded {
                heartbeat: true,
                ..Decoded::labelled("signalr ping")
            },
            7 => Decoded::labelled("signalr close"),
            other => Decoded::labelled(format!("signalr type {other}")),
        };
        if let Some(key) = key {
            match kind {
                1 | 4 => {
                    if let Ok(number) = key.parse::<u64>() {
                        self.last_invocation = self.last_invocation.max(number);
                    }
                    self.correlator.request(key.clone(), now);
                    remember(&mut self.pending, key.clone(), target);
                    decoded.correlation = Some(Correlation::Request { key });
                }
                5 => {
                    self.correlator.response(&key, now, false);
                    self.pending.remove(&key);
                }
                _ => {}
            }
        }
        decoded
    }

    fn next_id(&mut self) -> String {
        self.last_invocation = self.last_invocation.saturating_add(1);
        self.last_invocation.to_string()
    }
}

impl Adapter for SignalRAdapter {
    fn name(&self) -> &'static str {
        "signalr"
    }

    fn needs_handshake(&self) -> bool {
        true
    }

    fn on_open(&mut self, _context: &OpenContext, _now: Instant) -> Vec<Outgoing> {
        self.on_closed();
        vec![Outgoing::text(HANDSHAKE)]
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let (records, terminated) = match records(payload) {
            Ok(records) => records,
            Err(why) => return Reaction::decoded(Decoded::malformed("signalr", why)),
        };
        self.last_incoming = Some(now);
        let mut reaction = Reaction::default();
        let decodes = records
            .into_iter()
            .map(|record| self.message(record, now, &mut reaction))
            .collect();
        reaction.decoded = Some(combine(decodes, terminated));
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let (records, terminated) = match records(payload) {
            Ok(records) => records,
            Err(why) => return Some(Decoded::malformed("signalr", why)),
        };
        if self.handshake_done {
            self.next_ping = Some(now + KEEP_ALIVE);
        }
        let decodes = records
            .into_iter()
            .map(|record| self.sent(record, now))
            .collect();
        Some(combine(decodes, terminated))
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        let trimmed = text.trim();
        if !trimmed.ends_with(RS) && matches!(parse_json(trimmed.as_bytes()), Ok(Value::Object(_)))
        {
            return Ok(one(format!("{trimmed}{RS}")));
        }
        Ok(one(text))
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let (words, rest) = split_words(args, 1);
        let frame = match (name, words.as_slice()) {
            ("invoke" | "send" | "stream", [target]) => json_values(rest).map(|arguments| {
                let id = (name != "send").then(|| self.next_id());
                let kind = if name == "stream" { 4 } else { 1 };
                invocation(kind, id.as_deref(), target, arguments)
            }),
            ("cancel", [id]) if rest.is_empty() => {
                Ok(format!(r#"{{"type":5,"invocationId":{}}}{RS}"#, json!(id)))
            }
            ("invoke" | "send" | "stream", _) => {
                Err(ComposeError(format!("usage: :{name} TARGET [JSON…]")))
            }
            ("cancel", _) => Err(ComposeError("usage: :cancel INVOCATION_ID".into())),
            _ => return None,
        };
        Some(frame.map(one))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ":invoke TARGET [JSON…]",
                "invoke a hub method and await its completion",
            ),
            (
                ":send TARGET [JSON…]",
                "invoke a hub method without an invocation id",
            ),
            (":stream TARGET [JSON…]", "start a streaming invocation"),
            (":cancel ID", "cancel a streaming invocation"),
        ]
    }

    fn next_deadline(&self) -> Option<Instant> {
        if !self.handshake_done {
            return None;
        }
        let silent = self.last_incoming.map(|last| last + SERVER_TIMEOUT);
        [self.next_ping, silent].into_iter().flatten().min()
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
        if !self.handshake_done {
            return Reaction::default();
        }
        if self
            .last_incoming
            .is_some_and(|last| now >= last + SERVER_TIMEOUT)
        {
            self.handshake_done = false;
            return Reaction {
                reconnect: Some(format!(
                    "no message from the server within {}",
                    seconds(SERVER_TIMEOUT)
                )),
                ..Reaction::default()
            };
        }
        match self.next_ping {
            Some(at) if now >= at => {
                self.next_ping = Some(now + KEEP_ALIVE);
                Reaction {
                    send: vec![Outgoing::automatic(format!("{{\"type\":6}}{RS}"))],
                    ..Reaction::default()
                }
            }
            _ => Reaction::default(),
        }
    }

    fn on_closed(&mut self) {
        self.handshake_done = false;
        self.correlator.clear();
        self.pending.clear();
        self.next_ping = None;
        self.last_incoming = None;
    }

    fn status(&self) -> Vec<StatusLine> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let targets: Vec<&str> = self.pending.values().map(String::as_str).collect();
        vec![StatusLine {
            label: "invocations".into(),
            value: shorten(
                &format!("{} awaiting: {}", targets.len(), targets.join(", ")),
                80,
            ),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_json, assert_bad_commands, decode, decode_transcript, exercise, incoming,
    };
    use proptest::prelude::*;

    fn text(frame: &Outgoing) -> String {
        String::from_utf8_lossy(&frame.payload).into_owned()
    }

    fn ready(now: Instant) -> SignalRAdapter {
        let mut adapter = SignalRAdapter::new();
        let frames = adapter.on_open(&OpenContext::default(), now);
        assert_eq!(
            text(&frames[0]),
            "{\"protocol\":\"json\",\"version\":1}\u{1e}"
        );
        assert!(!frames[0].automatic);
        let out = adapter.on_outgoing(&frames[0].payload, TEXT, now).unwrap();
        assert_eq!(out.label, "signalr handshake json v1");
        let r = incoming(&mut adapter, "{}\u{1e}", now);
        assert_eq!(r.auth, Some(AuthVerdict::Accepted));
        assert_eq!(r.decoded.unwrap().label, "signalr handshake ok");
        adapter
    }

    #[test]
    fn handshake_verdicts() {
        let t0 = Instant::now();
        let mut refused = SignalRAdapter::new();
        assert!(refused.needs_handshake());
        refused.on_open(&OpenContext::default(), t0);
        let r = incoming(
            &mut refused,
            "{\"error\":\"Requested protocol 'x' is not available.\"}\u{1e}",
            t0,
        );
        assert_eq!(r.auth, Some(AuthVerdict::Refused));
        assert_eq!(r.decoded.unwrap().label, "signalr handshake error");
        let mut both = SignalRAdapter::new();
        let r = incoming(&mut both, "{}\u{1e}{\"type\":6}\u{1e}", t0);
        assert_eq!(r.auth, Some(AuthVerdict::Accepted));
        assert_eq!(r.decoded.unwrap().label, "signalr handshake ok +1");
    }

    #[test]
    fn invocations_correlate_with_completions() {
        let t0 = Instant::now();
        let mut sr = ready(t0);
        let c = sr.command("invoke", r#"Send "hello" 42"#).unwrap().unwrap();
        let frame = text(&c.frames[0]);
        assert_eq!(
            frame,
            "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Send\",\"arguments\":[\"hello\",42]}\u{1e}"
        );
        let out = sr.on_outgoing(frame.as_bytes(), TEXT, t0).unwrap();
        assert_eq!(out.label, "signalr invocation Send #1");
        assert_eq!(
            out.correlation,
            Some(Correlation::Request { key: "1".into() })
        );
        assert_eq!(sr.status()[0].value, "1 awaiting: Send");
        let done = decode(
            &mut sr,
            "{\"type\":3,\"invocationId\":\"1\",\"result\":42}\u{1e}",
            t0 + Duration::from_millis(9),
        );
        assert_eq!(done.label, "signalr completion #1 ok 9 ms");
        assert_eq!(
            (done.summary.as_str(), done.data),
            ("Send 42", Some(json!(42)))
        );
        assert!(matches!(
            done.correlation,
            Some(Correlation::Response {
                ok: true,
                more: false,
                ..
            })
        ));
        assert!(sr.status().is_empty());
        let c = sr.command("stream", "Counter 3").unwrap().unwrap();
        assert_eq!(
            text(&c.frames[0]),
            "{\"type\":4,\"invocationId\":\"2\",\"target\":\"Counter\",\"arguments\":[3]}\u{1e}"
        );
        sr.on_outgoing(&c.frames[0].payload, TEXT, t0);
        let item = decode(
            &mut sr,
            "{\"type\":2,\"invocationId\":\"2\",\"item\":1}\u{1e}",
            t0,
        );
        assert_eq!(item.label, "signalr item #2 0 ms");
        assert!(matches!(
            item.correlation,
            Some(Correlation::Response { more: true, .. })
        ));
        let failed = decode(
            &mut sr,
            "{\"type\":3,\"invocationId\":\"2\",\"error\":\"boom\"}\u{1e}",
            t0,
        );
        assert_eq!(
            (failed.label.as_str(), failed.summary.as_str()),
            ("signalr completion #2 error 0 ms", "Counter boom")
        );
        let c = sr.command("send", r#"Broadcast {"a":1}"#).unwrap().unwrap();
        assert_eq!(
            text(&c.frames[0]),
            "{\"type\":1,\"target\":\"Broadcast\",\"arguments\":[{\"a\":1}]}\u{1e}"
        );
        let c = sr.command("cancel", "2").unwrap().unwrap();
        assert_eq!(
            text(&c.frames[0]),
            "{\"type\":5,\"invocationId\":\"2\"}\u{1e}"
        );
        assert_bad_commands(
            &mut sr,
            &[
                ("invoke", ""),
                ("invoke", "Send {"),
                ("cancel", ""),
                ("cancel", "1 2"),
            ],
        );
    }

    #[test]
    fn server_messages_and_batches() {
        let t0 = Instant::now();
        let mut sr = ready(t0);
        let two = "{\"type\":1,\"target\":\"Send\",\"arguments\":[\"a\"]}\u{1e}{\"type\":1,\"target\":\"Send\",\"arguments\":[\"b\"]}\u{1e}";
        let decoded = decode(&mut sr, two, t0);
        assert_eq!(decoded.label, "signalr invocation Send +1");
        assert_eq!(decoded.summary, r#"["a"] | ["b"]"#);
        assert_eq!(decoded.data, Some(json!([["a"], ["b"]])));
        let ping = decode(&mut sr, "{\"type\":6}\u{1e}", t0);
        assert!(ping.heartbeat && ping.error.is_none());
        let r = incoming(
            &mut sr,
            "{\"type\":7,\"error\":\"Server is shutting down\",\"allowReconnect\":true}\u{1e}",
            t0,
        );
        assert_eq!(
            r.reconnect.as_deref(),
            Some("close: Server is shutting down")
        );
        let r = incoming(&mut sr, "{\"type\":7}\u{1e}", t0);
        assert_eq!(
            (r.reconnect, r.decoded.unwrap().label.as_str()),
            (None, "signalr close")
        );
        assert_eq!(
            decode(&mut sr, "{\"type\":5,\"invocationId\":\"7\"}\u{1e}", t0).label,
            "signalr cancel #7"
        );
        assert_eq!(
            decode(
                &mut sr,
                "{\"type\":4,\"invocationId\":\"8\",\"target\":\"S\",\"arguments\":[]}\u{1e}",
                t0
            )
            .label,
            "signalr stream_invocation S #8"
        );
        assert_eq!(
            decode(&mut sr, "{\"type\":8,\"sequenceId\":3}\u{1e}", t0).label,
            "signalr ack 3"
        );
        assert_eq!(
            decode(&mut sr, "{\"type\":42}\u{1e}", t0).label,
            "signalr type 42"
        );
    }

    #[test]
    fn malformed_and_compose() {
        let t0 = Instant::now();
        let mut sr = ready(t0);
        for bad in [
            "x\u{1e}",
            "\u{1e}",
            "[1]\u{1e}",
            "{}\u{1e}",
            "{\"type\":\"1\"}\u{1e}",
        ] {
            let decoded = decode(&mut sr, bad, t0);
            assert_eq!(decoded.label, "signalr malformed", "{bad:?}");
        }
        assert!(
            sr.on_incoming(&[0xff, 0x1e], TEXT, t0)
                .decoded
                .unwrap()
                .error
                .is_some()
        );
        let unterminated = decode(&mut sr, "{\"type\":6}", t0);
        assert_eq!(unterminated.label, "signalr ping");
        assert!(unterminated.error.unwrap().contains("0x1E"));
        let c = sr.compose("{\"type\":6}\n").unwrap();
        assert_eq!(text(&c.frames[0]), "{\"type\":6}\u{1e}");
        let c = sr.compose("{\"type\":6}\u{1e}").unwrap();
        assert_eq!(text(&c.frames[0]), "{\"type\":6}\u{1e}");
        assert_eq!(text(&sr.compose("hi").unwrap().frames[0]), "hi");
    }

    #[test]
    fn keep_alive_and_server_timeout() {
        let t0 = Instant::now();
        let mut idle = SignalRAdapter::new();
        assert_eq!(idle.next_deadline(), None);
        assert_eq!(idle.on_timer(t0 + SERVER_TIMEOUT), Reaction::default());
        let mut sr = ready(t0);
        assert_eq!(sr.next_deadline(), Some(t0 + KEEP_ALIVE));
        assert_eq!(sr.on_timer(t0), Reaction::default());
        let r = sr.on_timer(t0 + KEEP_ALIVE);
        assert_eq!(text(&r.send[0]), "{\"type\":6}\u{1e}");
        assert!(r.send[0].automatic);
        assert!(
            sr.on_outgoing(&r.send[0].payload, TEXT, t0 + KEEP_ALIVE)
                .unwrap()
                .heartbeat
        );
        assert_eq!(sr.next_deadline(), Some(t0 + SERVER_TIMEOUT));
        let r = sr.on_timer(t0 + SERVER_TIMEOUT);
        assert_eq!(
            r.reconnect.as_deref(),
            Some("no message from the server within 30 s")
        );
        assert_eq!(sr.next_deadline(), None);
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/signalr.txt");
        let mut sr = SignalRAdapter::new();
        sr.on_open(&OpenContext::default(), Instant::now());
        decode_transcript(&mut sr, transcript);
    }

    proptest! {
        #[test]
        fn never_panics(
            bytes in prop::collection::vec(any::<u8>(), 0..64),
            text in "\\PC{0,40}",
            records in prop::collection::vec(
                arb_json(
                    &["type", "invocationId", "target", "arguments", "item", "result", "error",
                      "allowReconnect", "sequenceId", "protocol", "version"],
                    &["Send", "1", "2", "json"],
                ),
                1..4,
            ),
        ) {
            let t0 = Instant::now();
            let mut sr = SignalRAdapter::new();
            let joined: String = records.iter().map(|record| format!("{record}\u{1e}")).collect();
            let payloads = [&bytes[..], text.as_bytes(), joined.as_bytes()];
            let commands = ["invoke", "send", "stream", "cancel"];
            exercise(&mut sr, &payloads, &commands, t0, t0 + SERVER_TIMEOUT);
        }
    }
}
