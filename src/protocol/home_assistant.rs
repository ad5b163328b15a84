//! Home Assistant WebSocket API
//! (<https://developers.home-assistant.io/docs/api/websocket>): recognises the auth
//! phase (`auth_required`, `auth_ok`, `auth_invalid`; the engine sends the `auth`
//! message itself), numbers every command with an increasing `id`, correlates
//! `result` frames and subscription `event`s with their command, keeps the link
//! alive with `ping`/`pong` every 30 s and re-subscribes after a reconnect.
//!
//! Also home to the small helpers the other adapters of this family share
//! ([`split_words`], [`json_values`], [`latency_suffix`], …).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::correlate::format_latency;
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, Outgoing, Reaction,
    StatusLine, parse_json, shorten,
};
use crate::session::auth::AuthVerdict;
use crate::session::event::PayloadKind;

/// How often a ready link is pinged.
const PING_INTERVAL: Duration = Duration::from_secs(30);
/// Width of summaries.
const WIDTH: usize = 80;
/// How many request records an adapter keeps before dropping the oldest.
const MAX_REMEMBERED: usize = 1024;

/// Splits `args` into up to `count` leading whitespace-separated words and the
/// trimmed rest (`"light.on {…}"` → `(["light.on"], "{…}")`).
pub(crate) fn split_words(args: &str, count: usize) -> (Vec<&str>, &str) {
    let mut words = Vec::new();
    let mut rest = args.trim_start();
    while words.len() < count && !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        words.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    (words, rest.trim_end())
}

/// Parses whitespace-separated JSON values (`1 "a" {"b":2}`); empty text gives none.
pub(crate) fn json_values(text: &str) -> Result<Vec<Value>, ComposeError> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .map_err(|error| ComposeError(format!("not JSON: {error}")))
}

/// Parses at most one JSON value; empty text gives `None`.
pub(crate) fn optional_json(text: &str) -> Result<Option<Value>, ComposeError> {
    let mut values = json_values(text)?;
    match values.len() {
        0 | 1 => Ok(values.pop()),
        n => Err(ComposeError(format!("expected one JSON value, got {n}"))),
    }
}

/// ` 12 ms` for a known latency, nothing otherwise.
pub(crate) fn latency_suffix(latency: Option<Duration>) -> String {
    latency
        .map(|latency| format!(" {}", format_latency(latency)))
        .unwrap_or_default()
}

/// A one-line summary of a value: strings as they are, the rest as compact JSON.
pub(crate) fn value_summary(value: &Value) -> String {
    match value {
        Value::String(text) => shorten(text, WIDTH),
        Value::Null => String::new(),
        other => shorten(&other.to_string(), WIDTH),
    }
}

/// A correlation key for a JSON id: numbers and strings as written.
pub(crate) fn id_key(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        _ => None,
    }
}

/// Inserts into a bounded map, dropping the smallest key when full.
pub(crate) fn remember<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, value: V) {
    if map.len() >= MAX_REMEMBERED {
        map.pop_first();
    }
    map.insert(key, value);
}

/// One text frame, composed.
pub(crate) fn one(text: impl Into<String>) -> Composed {
    Composed {
        frames: vec![Outgoing::text(text)],
    }
}

/// A string field of a JSON value, if there is one.
pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// A Home Assistant subscription (a `subscribe_*` command and the events it brought).
#[derive(Debug)]
struct Subscription {
    /// The command without its id, re-sent after a reconnect.
    command: Value,
    active: bool,
    events: u64,
}

/// The `home-assistant` adapter.
#[derive(Debug, Default)]
pub struct HomeAssistantAdapter {
    last_id: u64,
    correlator: Correlator,
    requests: BTreeMap<u64, String>,
    subscriptions: BTreeMap<u64, Subscription>,
    restore: Vec<Value>,
    authed: bool,
    ready: bool,
    next_ping: Option<Instant>,
    ping_out: Option<u64>,
}

fn is_subscription(kind: &str) -> bool {
    kind.starts_with("subscribe") || kind.ends_with("/subscribe") || kind == "render_template"
}

fn with_id(id: u64, command: &Map<String, Value>) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), id.into());
    for (key, value) in command {
        if key != "id" {
            map.insert(key.clone(), value.clone());
        }
    }
    Value::Object(map)
}

impl HomeAssistantAdapter {
    /// A fresh adapter (ids start at 1).
    pub fn new() -> Self {
        Self::default()
    }

    fn take_id(&mut self) -> u64 {
        self.last_id = self.last_id.saturating_add(1);
        self.last_id
    }

    fn frame(&mut self, command: Value) -> Outgoing {
        let id = self.take_id();
        let map = command.as_object().cloned().unwrap_or_default();
        Outgoing::text(with_id(id, &map).to_string())
    }

    fn take_restore(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.restore)
            .into_iter()
            .map(|command| self.frame(command))
            .collect()
    }

    fn result(&mut self, frame: &Value, id: u64, now: Instant) -> Decoded {
        let key = id.to_string();
        let ok = frame.get("success").and_then(Value::as_bool) == Some(true);
        let subscribed = match self.subscriptions.get_mut(&id) {
            Some(sub) if ok => {
                sub.active = true;
                true
            }
            Some(_) => {
                self.subscriptions.remove(&id);
                false
            }
            None => false,
        };
        let latency = self.correlator.response(&key, now, subscribed);
        let request = self.requests.remove(&id).unwrap_or_default();
        let (summary, data) = if ok {
            let result = frame.get("result").cloned().unwrap_or(Value::Null);
            let detail = match &result {
                Value::Array(items) => format!("{} items", items.len()),
                other => value_summary(other),
            };
            let summary = [request.as_str(), detail.as_str()]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            (summary, Some(result))
        } else {
            let error = frame.get("error").cloned().unwrap_or(Value::Null);
            let code = str_field(&error, "code").unwrap_or("error");
            let message = str_field(&error, "message").unwrap_or("");
            (shorten(&format!("{code}: {message}"), WIDTH), Some(error))
        };
        let verdict = if ok { "ok" } else { "error" };
        Decoded {
            label: format!("ha result #{id} {verdict}{}", latency_suffix(latency)),
            summary,
            data,
            correlation: Some(Correlation::Response {
                key,
                ok,
                latency,
                more: subscribed,
            }),
            ..Decoded::default()
        }
    }

    fn event(&mut self, frame: &Value, id: Option<u64>) -> Decoded {
        let event = frame.get("event").cloned().unwrap_or(Value::Null);
        if let Some(sub) = id.and_then(|id| self.subscriptions.get_mut(&id)) {
            sub.events = sub.events.saturating_add(1);
        }
        let (label, summary) = match str_field(&event, "event_type") {
            Some(kind) => {
                let data = event.get("data").unwrap_or(&Value::Null);
                let entity = str_field(data, "entity_id")
                    .map(|entity| format!(" {entity}"))
                    .unwrap_or_default();
                let state = |key: &str| data.get(key).and_then(|s| str_field(s, "state"));
                let summary = match (state("old_state"), state("new_state")) {
                    (Some(old), Some(new)) => format!("{old} → {new}"),
                    (None, Some(new)) => format!("→ {new}"),
                    _ => value_summary(data),
                };
                (format!("ha event {kind}{entity}"), summary)
            }
            None => {
                let id = id.map(|id| format!(" #{id}")).unwrap_or_default();
                (format!("ha event{id}"), value_summary(&event))
            }
        };
        Decoded {
            label,
            summary,
            correlation: id.map(|id| Correlation::Response {
                key: id.to_string(),
                ok: true,
                latency: None,
                more: true,
            }),
            data: Some(event),
            ..Decoded::default()
        }
    }
}

impl Adapter for HomeAssistantAdapter {
    fn name(&self) -> &'static str {
        "home-assistant"
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        self.ready = true;
        if self.authed {
            self.take_restore()
        } else {
            Vec::new()
        }
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let frame = match parse_json(payload) {
            Ok(frame) if frame.is_object() => frame,
            Ok(_) => return Reaction::decoded(Decoded::malformed("ha", "not a JSON object")),
            Err(why) => return Reaction::decoded(Decoded::malformed("ha", why)),
        };
        let Some(kind) = str_field(&frame, "type") else {
            return Reaction::decoded(Decoded::malformed("ha", "no \"type\""));
        };
        let version = str_field(&frame, "ha_version").unwrap_or("").to_string();
        let id = frame.get("id").and_then(Value::as_u64);
        let mut reaction = Reaction::default();
        let decoded = match (kind, id) {
            ("auth_required", _) => Decoded {
                summary: version,
                ..Decoded::labelled("ha auth_required")
            },
            ("auth_ok", _) => {
                self.authed = true;
                self.next_ping = Some(now + PING_INTERVAL);
                reaction.auth = Some(AuthVerdict::Accepted);
                if self.ready {
                    reaction.send = self.take_restore();
                }
                Decoded {
                    summary: version,
                    ..Decoded::labelled("ha auth_ok")
                }
            }
            ("auth_invalid", _) => {
                reaction.auth = Some(AuthVerdict::Refused);
                let message = str_field(&frame, "message").unwrap_or("refused");
                Decoded::labelled(format!("ha auth_invalid: {}", shorten(message, 60)))
            }
            ("result", Some(id)) => self.result(&frame, id, now),
            ("result", None) => Decoded::malformed("ha", "result without a numeric id"),
            ("event", id) => self.event(&frame, id),
            ("pong", id) => {
                let key = id.map(|id| id.to_string());
                let latency = key
                    .as_deref()
                    .and_then(|key| self.correlator.response(key, now, false));
                if id.is_some() && self.ping_out == id {
                    self.ping_out = None;
                }
                let number = id.map(|id| format!(" #{id}")).unwrap_or_default();
                Decoded {
                    label: format!("ha pong{number}{}", latency_suffix(latency)),
                    heartbeat: true,
                    correlation: key.map(|key| Correlation::Response {
                        key,
                        ok: true,
                        latency,
                        more: false,
                    }),
                    ..Decoded::default()
                }
            }
            ("ping", id) => {
                if let Some(id) = id {
                    let pong = format!(r#"{{"id":{id},"type":"pong"}}"#);
                    reaction.send.push(Outgoing::automatic(pong));
                }
                Decoded {
                    heartbeat: true,
                    ..Decoded::labelled("ha ping")
                }
            }
            (other, id) => {
                let number = id.map(|id| format!(" #{id}")).unwrap_or_default();
                Decoded::labelled(format!("ha {}{number}", shorten(other, 40)))
            }
        };
        reaction.decoded = Some(decoded);
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let frame = match parse_json(payload) {
            Ok(frame) => frame,
            Err(why) => return Some(Decoded::malformed("ha", why)),
        };
        let Some(object) = frame.as_object() else {
            return Some(Decoded::malformed("ha", "not a JSON object"));
        };
        let kind = shorten(str_field(&frame, "type").unwrap_or("?"), 40);
        let Some(id) = object.get("id").and_then(Value::as_u64) else {
            return Some(Decoded::labelled(format!("ha {kind}")));
        };
        self.last_id = self.last_id.max(id);
        self.correlator.request(id.to_string(), now);
        remember(&mut self.requests, id, kind.clone());
        if is_subscription(&kind) {
            let command = Value::Object(
                object
                    .iter()
                    .filter(|(key, _)| *key != "id")
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            );
            let sub = Subscription {
                command,
                active: false,
                events: 0,
            };
            remember(&mut self.subscriptions, id, sub);
        }
        if kind == "unsubscribe_events"
            && let Some(sub) = object.get("subscription").and_then(Value::as_u64)
        {
            self.subscriptions.remove(&sub);
            self.correlator.response(&sub.to_string(), now, false);
        }
        let summary = match kind.as_str() {
            "call_service" => format!(
                "{}.{}",
                str_field(&frame, "domain").unwrap_or("?"),
                str_field(&frame, "service").unwrap_or("?")
            ),
            _ => str_field(&frame, "event_type").unwrap_or("").to_string(),
        };
        Some(Decoded {
            label: format!("ha {kind} #{id}"),
            summary,
            heartbeat: kind == "ping",
            correlation: Some(Correlation::Request {
                key: id.to_string(),
            }),
            ..Decoded::default()
        })
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text.trim())
            && !map.contains_key("id")
            && map.get("type").and_then(Value::as_str) != Some("auth")
        {
            let id = self.take_id();
            return Ok(one(with_id(id, &map).to_string()));
        }
        Ok(one(text))
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let simple = |kind: &str| serde_json::json!({ "type": kind });
        let command = match name {
            "states" | "services" | "config" if !args.trim().is_empty() => {
                Err(ComposeError(format!(":{name} takes no arguments")))
            }
            "states" => Ok(simple("get_states")),
            "services" => Ok(simple("get_services")),
            "config" => Ok(simple("get_config")),
            "call" => {
                let (words, rest) = split_words(args, 1);
                match (
                    words.first().and_then(|s| s.split_once('.')),
                    optional_json(rest),
                ) {
                    (None, _) => Err(ComposeError("usage: :call DOMAIN.SERVICE [JSON]".into())),
                    (_, Err(error)) => Err(error),
                    (_, Ok(Some(data))) if !data.is_object() => {
                        Err(ComposeError("service data must be a JSON object".into()))
                    }
                    (Some((domain, service)), Ok(data)) => {
                        let mut call = serde_json::json!({
                            "type": "call_service", "domain": domain, "service": service
                        });
                        if let Some(data) = data {
                            call["service_data"] = data;
                        }
                        Ok(call)
                    }
                }
            }
            "subscribe" => match split_words(args, 2).0.as_slice() {
                [] => Ok(simple("subscribe_events")),
                [event] => Ok(serde_json::json!({"type": "subscribe_events", "event_type": event})),
                _ => Err(ComposeError("usage: :subscribe [EVENT_TYPE]".into())),
            },
            "unsubscribe" => match args.trim().parse::<u64>() {
                Ok(sub) => {
                    Ok(serde_json::json!({"type": "unsubscribe_events", "subscription": sub}))
                }
                Err(_) => Err(ComposeError("usage: :unsubscribe SUBSCRIPTION_ID".into())),
            },
            _ => return None,
        };
        Some(command.map(|command| Composed {
            frames: vec![self.frame(command)],
        }))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (":states", "get_states: every entity's state"),
            (
                ":services",
                "get_services: the services Home Assistant offers",
            ),
            (":config", "get_config: the instance's configuration"),
            (
                ":call DOMAIN.SERVICE [JSON]",
                "call_service with optional service_data",
            ),
            (
                ":subscribe [EVENT_TYPE]",
                "subscribe_events (all events when no type)",
            ),
            (":unsubscribe ID", "unsubscribe_events for subscription ID"),
        ]
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.next_ping.filter(|_| self.authed)
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
        match self.next_ping {
            Some(at) if self.authed && now >= at => {}
            _ => return Reaction::default(),
        }
        if let Some(id) = self.ping_out {
            self.next_ping = None;
            return Reaction {
                reconnect: Some(format!("no pong to ping #{id} within 30 s")),
                ..Reaction::default()
            };
        }
        let id = self.take_id();
        self.ping_out = Some(id);
        self.next_ping = Some(now + PING_INTERVAL);
        Reaction {
            send: vec![Outgoing::automatic(format!(
                r#"{{"id":{id},"type":"ping"}}"#
            ))],
            ..Reaction::default()
        }
    }

    fn on_closed(&mut self) {
        let subscriptions = std::mem::take(&mut self.subscriptions);
        self.restore
            .extend(subscriptions.into_values().map(|sub| sub.command));
        self.correlator.clear();
        self.requests.clear();
        self.authed = false;
        self.ready = false;
        self.next_ping = None;
        self.ping_out = None;
    }

    fn status(&self) -> Vec<StatusLine> {
        let mut lines: Vec<StatusLine> = self
            .subscriptions
            .iter()
            .map(|(id, sub)| {
                let kind = str_field(&sub.command, "type").unwrap_or("?");
                let event = str_field(&sub.command, "event_type")
                    .map(|event| format!(" {event}"))
                    .unwrap_or_default();
                let state = if sub.active {
                    format!("{} events", sub.events)
                } else {
                    "pending".to_string()
                };
                StatusLine {
                    label: format!("sub #{id}"),
                    value: format!("{kind}{event} · {state}"),
                }
            })
            .collect();
        if !self.restore.is_empty() {
            lines.push(StatusLine {
                label: "restore".into(),
                value: format!("{} subscriptions after auth", self.restore.len()),
            });
        }
        lines
    }
}

/// Test helpers shared by this family of adapters.
#[cfg(test)]
pub(crate) mod testing {
    use proptest::prelude::*;
    use serde_json::Value;

    /// Arbitrary JSON built from protocol-ish keys and words, to reach deep paths.
    pub(crate) fn arb_json(
        keys: &'static [&'static str],
        words: &'static [&'static str],
    ) -> BoxedStrategy<Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (0u64..4).prop_map(Value::from),
            prop::sample::select(words).prop_map(Value::from),
            "\\PC{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(keys), inner.clone()), 0..6).prop_map(
                    |entries| Value::Object(
                        entries
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect()
                    )
                ),
                inner.prop_map(|value| Value::String(value.to_string())),
            ]
        })
        .boxed()
    }

    /// The `<` lines of a transcript (server frames), with `\x1e` unescaped.
    pub(crate) fn server_frames(transcript: &str) -> Vec<String> {
        let lines: Vec<&str> = transcript.lines().collect();
        assert!(lines.first().is_some_and(|line| line.starts_with("# ")));
        assert!(lines.iter().take(3).any(|line| line.contains("https://")));
        lines
            .iter()
            .filter_map(|line| line.strip_prefix("< "))
            .map(|line| line.trim().replace("\\x1e", "\u{1e}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{arb_json, server_frames};
    use super::*;
    use proptest::prelude::*;

    const TEXT: PayloadKind = PayloadKind::Text;

    fn incoming(adapter: &mut HomeAssistantAdapter, text: &str, now: Instant) -> Reaction {
        adapter.on_incoming(text.as_bytes(), TEXT, now)
    }

    fn label(reaction: &Reaction) -> &str {
        &reaction.decoded.as_ref().unwrap().label
    }

    fn texts(frames: &[Outgoing]) -> Vec<String> {
        frames
            .iter()
            .map(|frame| String::from_utf8_lossy(&frame.payload).into_owned())
            .collect()
    }

    fn send(adapter: &mut HomeAssistantAdapter, composed: Composed, now: Instant) -> Vec<String> {
        for frame in &composed.frames {
            adapter.on_outgoing(&frame.payload, TEXT, now);
        }
        texts(&composed.frames)
    }

    #[test]
    fn helpers_split_words_and_json() {
        assert_eq!(
            split_words("  a b  {\"x\": 1} ", 2),
            (vec!["a", "b"], "{\"x\": 1}")
        );
        assert_eq!(split_words("a", 3), (vec!["a"], ""));
        assert_eq!(json_values("1 \"a\" {}").unwrap().len(), 3);
        assert!(json_values("{").is_err());
        assert!(optional_json("1 2").is_err());
        assert_eq!(optional_json("").unwrap(), None);
        assert_eq!(latency_suffix(Some(Duration::from_millis(12))), " 12 ms");
    }

    #[test]
    fn auth_phase_verdicts() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let r = incoming(
            &mut ha,
            r#"{"type":"auth_required","ha_version":"2024.1.0"}"#,
            t0,
        );
        assert_eq!((label(&r), r.auth), ("ha auth_required", None));
        assert_eq!(ha.next_deadline(), None);
        let r = incoming(&mut ha, r#"{"type":"auth_ok","ha_version":"2024.1.0"}"#, t0);
        assert_eq!(
            (label(&r), r.auth),
            ("ha auth_ok", Some(AuthVerdict::Accepted))
        );
        assert_eq!(ha.next_deadline(), Some(t0 + PING_INTERVAL));
        let r = incoming(
            &mut ha,
            r#"{"type":"auth_invalid","message":"Invalid password"}"#,
            t0,
        );
        assert_eq!(label(&r), "ha auth_invalid: Invalid password");
        assert_eq!(r.auth, Some(AuthVerdict::Refused));
    }

    #[test]
    fn compose_numbers_commands_and_moves_past_typed_ids() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let c = ha.compose(r#"{"type":"get_states"}"#).unwrap();
        assert_eq!(send(&mut ha, c, t0), [r#"{"id":1,"type":"get_states"}"#]);
        let c = ha.compose(r#"{"id":7,"type":"get_config"}"#).unwrap();
        assert_eq!(send(&mut ha, c, t0), [r#"{"id":7,"type":"get_config"}"#]);
        let c = ha.compose(r#" {"type":"get_services"} "#).unwrap();
        assert_eq!(send(&mut ha, c, t0), [r#"{"id":8,"type":"get_services"}"#]);
        let auth = r#"{"type":"auth","access_token":"x"}"#;
        assert_eq!(texts(&ha.compose(auth).unwrap().frames), [auth]);
        assert_eq!(texts(&ha.compose("not json").unwrap().frames), ["not json"]);
        ha.on_closed();
        let c = ha.compose(r#"{"type":"get_states"}"#).unwrap();
        assert_eq!(texts(&c.frames), [r#"{"id":9,"type":"get_states"}"#]);
    }

    #[test]
    fn results_correlate_with_latency() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let c = ha.command("states", "").unwrap().unwrap();
        let decoded = ha.on_outgoing(&c.frames[0].payload, TEXT, t0).unwrap();
        assert_eq!(decoded.label, "ha get_states #1");
        assert_eq!(
            decoded.correlation,
            Some(Correlation::Request { key: "1".into() })
        );
        let later = t0 + Duration::from_millis(12);
        let ok = r#"{"id":1,"type":"result","success":true,"result":[{"entity_id":"a"}]}"#;
        let r = incoming(&mut ha, ok, later);
        let decoded = r.decoded.unwrap();
        assert_eq!(decoded.label, "ha result #1 ok 12 ms");
        assert_eq!(decoded.summary, "get_states · 1 items");
        assert_eq!(decoded.data, Some(serde_json::json!([{"entity_id":"a"}])));
        let expected = Correlation::Response {
            key: "1".into(),
            ok: true,
            latency: Some(Duration::from_millis(12)),
            more: false,
        };
        assert_eq!(decoded.correlation, Some(expected));
        let c = ha.command("call", r#"light.turn_on {"entity_id":"light.kitchen"}"#);
        let frames = send(&mut ha, c.unwrap().unwrap(), t0);
        assert_eq!(
            frames,
            [
                r#"{"id":2,"type":"call_service","domain":"light","service":"turn_on","service_data":{"entity_id":"light.kitchen"}}"#
            ]
        );
        let err = r#"{"id":2,"type":"result","success":false,"error":{"code":"not_found","message":"Service not found."}}"#;
        let decoded = incoming(&mut ha, err, t0).decoded.unwrap();
        assert_eq!(decoded.label, "ha result #2 error 0 ms");
        assert_eq!(decoded.summary, "not_found: Service not found.");
        let unknown = incoming(&mut ha, r#"{"id":5,"type":"result","success":true}"#, t0);
        assert_eq!(label(&unknown), "ha result #5 ok");
    }

    #[test]
    fn subscriptions_events_status_and_restore() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let c = ha.command("subscribe", "state_changed").unwrap().unwrap();
        let sent = send(&mut ha, c, t0);
        assert_eq!(
            sent,
            [r#"{"id":1,"type":"subscribe_events","event_type":"state_changed"}"#]
        );
        assert_eq!(
            ha.status()[0].value,
            "subscribe_events state_changed · pending"
        );
        let r = incoming(
            &mut ha,
            r#"{"id":1,"type":"result","success":true,"result":null}"#,
            t0,
        );
        assert!(matches!(
            r.decoded.unwrap().correlation,
            Some(Correlation::Response { more: true, .. })
        ));
        let event = r#"{"id":1,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"light.kitchen","old_state":{"state":"off"},"new_state":{"state":"on"}}}}"#;
        let decoded = incoming(&mut ha, event, t0).decoded.unwrap();
        assert_eq!(decoded.label, "ha event state_changed light.kitchen");
        assert_eq!(decoded.summary, "off → on");
        assert_eq!(ha.status()[0].label, "sub #1");
        assert_eq!(
            ha.status()[0].value,
            "subscribe_events state_changed · 1 events"
        );
        let other = incoming(
            &mut ha,
            r#"{"id":1,"type":"event","event":{"variables":{}}}"#,
            t0,
        );
        assert_eq!(label(&other), "ha event #1");
        // Reconnect: nothing until auth_ok, then the subscription with a fresh id.
        ha.on_closed();
        assert_eq!(ha.status()[0].label, "restore");
        assert!(ha.on_ready(t0).is_empty());
        let r = incoming(&mut ha, r#"{"type":"auth_ok"}"#, t0);
        let resent = send(&mut ha, Composed { frames: r.send }, t0);
        assert_eq!(
            resent,
            [r#"{"id":2,"type":"subscribe_events","event_type":"state_changed"}"#]
        );
        // Engine-driven order: auth_ok first, then on_ready re-sends.
        ha.on_closed();
        assert!(
            incoming(&mut ha, r#"{"type":"auth_ok"}"#, t0)
                .send
                .is_empty()
        );
        let frames = ha.on_ready(t0);
        let resent = send(&mut ha, Composed { frames }, t0);
        assert_eq!(
            resent,
            [r#"{"id":3,"type":"subscribe_events","event_type":"state_changed"}"#]
        );
        assert!(ha.on_ready(t0).is_empty());
        let c = ha.command("unsubscribe", "3").unwrap().unwrap();
        assert_eq!(
            send(&mut ha, c, t0),
            [r#"{"id":4,"type":"unsubscribe_events","subscription":3}"#]
        );
        assert!(ha.status().is_empty());
    }

    #[test]
    fn ping_every_30_s_and_pong_correlates() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        assert_eq!(ha.on_timer(t0), Reaction::default());
        incoming(&mut ha, r#"{"type":"auth_ok"}"#, t0);
        assert_eq!(
            ha.on_timer(t0 + Duration::from_secs(1)),
            Reaction::default()
        );
        let at = t0 + PING_INTERVAL;
        let r = ha.on_timer(at);
        assert_eq!(texts(&r.send), [r#"{"id":1,"type":"ping"}"#]);
        assert!(r.send[0].automatic);
        assert!(
            ha.on_outgoing(&r.send[0].payload, TEXT, at)
                .unwrap()
                .heartbeat
        );
        assert_eq!(ha.next_deadline(), Some(at + PING_INTERVAL));
        let pong = incoming(
            &mut ha,
            r#"{"id":1,"type":"pong"}"#,
            at + Duration::from_millis(3),
        );
        let decoded = pong.decoded.unwrap();
        assert_eq!(
            (decoded.label.as_str(), decoded.heartbeat),
            ("ha pong #1 3 ms", true)
        );
        let r = ha.on_timer(at + PING_INTERVAL);
        assert_eq!(texts(&r.send), [r#"{"id":2,"type":"ping"}"#]);
        let r = ha.on_timer(at + PING_INTERVAL * 2);
        assert!(r.reconnect.unwrap().contains("no pong"));
        assert_eq!(ha.next_deadline(), None);
        let r = incoming(&mut ha, r#"{"id":9,"type":"ping"}"#, t0);
        assert_eq!(texts(&r.send), [r#"{"id":9,"type":"pong"}"#]);
    }

    #[test]
    fn malformed_frames_and_bad_commands() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        for bad in ["nope", "[1]", r#"{"id":1}"#, r#"{"type":"result"}"#] {
            let decoded = incoming(&mut ha, bad, t0).decoded.unwrap();
            assert_eq!(decoded.label, "ha malformed", "{bad}");
            assert!(decoded.error.is_some());
        }
        assert!(ha.on_outgoing(b"nope", TEXT, t0).unwrap().error.is_some());
        assert!(ha.command("call", "nodot").unwrap().is_err());
        assert!(ha.command("call", "a.b [1]").unwrap().is_err());
        assert!(ha.command("states", "x").unwrap().is_err());
        assert!(ha.command("unsubscribe", "x").unwrap().is_err());
        assert!(ha.command("nope", "").is_none());
        assert_eq!(ha.commands().len(), 6);
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/home_assistant.txt");
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let frames = server_frames(transcript);
        assert!(frames.len() >= 4);
        for frame in frames {
            let decoded = incoming(&mut ha, &frame, t0).decoded.unwrap();
            assert_eq!(decoded.error, None, "{frame}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(
            bytes in prop::collection::vec(any::<u8>(), 0..64),
            text in "\\PC{0,40}",
            json in arb_json(
                &["type", "id", "success", "result", "error", "event", "event_type", "data",
                  "entity_id", "new_state", "old_state", "state", "subscription", "message"],
                &["auth_ok", "auth_invalid", "result", "event", "pong", "ping",
                  "subscribe_events", "unsubscribe_events", "state_changed", "auth"],
            ),
        ) {
            let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
            let json = json.to_string();
            for payload in [&bytes[..], text.as_bytes(), json.as_bytes()] {
                ha.on_outgoing(payload, TEXT, t0);
                ha.on_incoming(payload, TEXT, t0);
            }
            let _ = ha.compose(&text);
            let _ = ha.compose(&json);
            for name in ["call", "subscribe", "unsubscribe", "states", &text] {
                let _ = ha.command(name, &text);
                let _ = ha.command(name, &json);
            }
            let _ = ha.on_timer(t0 + PING_INTERVAL);
            ha.on_closed();
            let _ = ha.on_ready(t0);
            let _ = ha.status();
        }
    }
}
