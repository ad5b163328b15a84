//! Home Assistant WebSocket API
//! (<https://developers.home-assistant.io/docs/api/websocket>): recognises the auth
//! phase (`auth_required`, `auth_ok`, `auth_invalid`; the engine sends the `auth`
//! message itself), numbers every command with an increasing `id`, correlates
//! `result` frames and subscription `event`s with their command, keeps the link
//! alive with `ping`/`pong` every 30 s and re-subscribes after a reconnect. The
//! profile's on-connect commands are numbered like composed ones, so ids keep
//! increasing within each connection.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use bytes::Bytes;

use super::shared::{
    latency_suffix, number_suffix, one, optional_json, parse_object, remember, seconds,
    split_words, str_field, value_summary,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, Outgoing, Reaction,
    StatusLine, parse_json, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};

/// How often a ready link is pinged.
const PING_INTERVAL: Duration = Duration::from_secs(30);
/// Width of summaries.
const WIDTH: usize = 80;

/// A Home Assistant subscription (a `subscribe_*` command and the events it brought).
#[derive(Debug)]
struct Subscription {
    /// The command without its id, re-sent after a reconnect.
    command: Value,
    active: bool,
    events: u64,
    /// Made by one of the profile's on-connect messages, which the session re-sends
    /// itself: not restored.
    on_connect: bool,
}

/// The `home-assistant` adapter.
#[derive(Debug, Default)]
pub struct HomeAssistantAdapter {
    /// The highest id used so far, on any link: auto ids continue from it.
    last_id: u64,
    /// The highest id sent on this link (Home Assistant refuses one not above it).
    link_last_id: u64,
    /// Ids this adapter gave to commands that have not gone out yet (queued while
    /// disconnected or behind the rate limit): renumbered when sent too late.
    numbered_unsent: BTreeSet<u64>,
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
        let map = command.as_object().cloned().unwrap_or_default();
        Outgoing::text(self.numbered(&map))
    }

    /// `command` under the next id, as text.
    fn numbered(&mut self, command: &Map<String, Value>) -> String {
        let id = self.take_id();
        self.numbered_unsent.insert(id);
        with_id(id, command).to_string()
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
            None => (
                format!("ha event{}", number_suffix(id)),
                value_summary(&event),
            ),
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
        let frame = match parse_object(payload) {
            Ok(frame) => frame,
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
                let number = number_suffix(id);
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
                let number = number_suffix(id);
                Decoded::labelled(format!("ha {}{number}", shorten(other, 40)))
            }
        };
        reaction.decoded = Some(decoded);
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let frame = match parse_object(payload) {
            Ok(frame) => frame,
            Err(why) => return Some(Decoded::malformed("ha", why)),
        };
        let object = frame.as_object()?; // parse_object made sure it is one
        let kind = shorten(str_field(&frame, "type").unwrap_or("?"), 40);
        let Some(id) = object.get("id").and_then(Value::as_u64) else {
            return Some(Decoded::labelled(format!("ha {kind}")));
        };
        self.last_id = self.last_id.max(id);
        self.link_last_id = self.link_last_id.max(id);
        self.numbered_unsent.remove(&id);
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
                on_connect: false,
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
            return Ok(one(self.numbered(&map)));
        }
        Ok(one(text))
    }

    fn prepare_on_connect(&mut self, payload: Bytes, kind: PayloadKind) -> Bytes {
        // Numbered as composed text is; a fixed id that is not above every id already
        // sent on this link (resumed subscriptions go out first) would be refused
        // ("id_reuse"), so it is replaced too.
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&payload) else {
            return payload;
        };
        let usable = |id: &Value| id.as_u64().is_some_and(|id| id > self.link_last_id);
        if kind == PayloadKind::Binary
            || map.get("type").and_then(Value::as_str) == Some("auth")
            || map.get("id").is_some_and(usable)
        {
            return payload;
        }
        Bytes::from(self.numbered(&map))
    }

    fn prepare_queued(&mut self, payload: Bytes, kind: PayloadKind) -> Bytes {
        if kind == PayloadKind::Binary {
            return payload;
        }
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&payload) else {
            return payload;
        };
        match map.get("id").and_then(Value::as_u64) {
            Some(id) if id <= self.link_last_id && self.numbered_unsent.remove(&id) => {
                Bytes::from(self.numbered(&map))
            }
            _ => payload,
        }
    }

    fn sent_on_connect(&mut self, payload: &[u8], _kind: PayloadKind) {
        let id = parse_json(payload)
            .ok()
            .and_then(|frame| frame.get("id").and_then(Value::as_u64));
        if let Some(sub) = id.and_then(|id| self.subscriptions.get_mut(&id)) {
            sub.on_connect = true;
        }
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
                reconnect: Some(format!(
                    "no pong to ping #{id} within {}",
                    seconds(PING_INTERVAL)
                )),
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
        let interactive = subscriptions.into_values().filter(|sub| !sub.on_connect);
        self.restore.extend(interactive.map(|sub| sub.command));
        self.link_last_id = 0;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_payloads, decode, decode_transcript, exercise, incoming, on_connect, reconnect,
        response, run, sent, status, texts,
    };
    use proptest::prelude::*;

    fn label(reaction: &Reaction) -> &str {
        &reaction.decoded.as_ref().unwrap().label
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
        assert_eq!(sent(&mut ha, c, t0), [r#"{"id":1,"type":"get_states"}"#]);
        let c = ha.compose(r#"{"id":7,"type":"get_config"}"#).unwrap();
        assert_eq!(sent(&mut ha, c, t0), [r#"{"id":7,"type":"get_config"}"#]);
        let c = ha.compose(r#" {"type":"get_services"} "#).unwrap();
        assert_eq!(sent(&mut ha, c, t0), [r#"{"id":8,"type":"get_services"}"#]);
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
        assert_eq!(decoded.correlation, response("1", true, Some(12), false));
        let c = ha.command("call", r#"light.turn_on {"entity_id":"light.kitchen"}"#);
        let frames = sent(&mut ha, c.unwrap().unwrap(), t0);
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
        assert_eq!(
            run(&mut ha, "subscribe", "state_changed", t0),
            [r#"{"id":1,"type":"subscribe_events","event_type":"state_changed"}"#]
        );
        assert_eq!(
            status(&ha),
            ["sub #1: subscribe_events state_changed · pending"]
        );
        let subscribed = r#"{"id":1,"type":"result","success":true,"result":null}"#;
        let correlation = decode(&mut ha, subscribed, t0).correlation;
        assert_eq!(correlation, response("1", true, Some(0), true));
        let event = r#"{"id":1,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"light.kitchen","old_state":{"state":"off"},"new_state":{"state":"on"}}}}"#;
        let decoded = decode(&mut ha, event, t0);
        assert_eq!(decoded.label, "ha event state_changed light.kitchen");
        assert_eq!(decoded.summary, "off → on");
        assert_eq!(
            status(&ha),
            ["sub #1: subscribe_events state_changed · 1 events"]
        );
        let other = r#"{"id":1,"type":"event","event":{"variables":{}}}"#;
        assert_eq!(decode(&mut ha, other, t0).label, "ha event #1");
        // Reconnect: nothing until auth_ok, then the subscription with a fresh id.
        ha.on_closed();
        assert_eq!(ha.status()[0].label, "restore");
        assert!(ha.on_ready(t0).is_empty());
        let r = incoming(&mut ha, r#"{"type":"auth_ok"}"#, t0);
        let resent = sent(&mut ha, Composed { frames: r.send }, t0);
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
        let resent = sent(&mut ha, Composed { frames }, t0);
        assert_eq!(
            resent,
            [r#"{"id":3,"type":"subscribe_events","event_type":"state_changed"}"#]
        );
        assert!(ha.on_ready(t0).is_empty());
        let c = ha.command("unsubscribe", "3").unwrap().unwrap();
        assert_eq!(
            sent(&mut ha, c, t0),
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

    const STATE_CHANGED: &str = r#"{"type":"subscribe_events","event_type":"state_changed"}"#;
    const AUTH_OK: &str = r#"{"type":"auth_ok"}"#;

    #[test]
    fn on_connect_subscriptions_are_numbered_and_left_to_the_session() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        incoming(&mut ha, AUTH_OK, t0);
        assert!(ha.on_ready(t0).is_empty());
        assert_eq!(
            on_connect(&mut ha, STATE_CHANGED, t0),
            r#"{"id":1,"type":"subscribe_events","event_type":"state_changed"}"#
        );
        run(&mut ha, "subscribe", "call_service", t0);
        assert_eq!(
            status(&ha),
            [
                "sub #1: subscribe_events state_changed · pending",
                "sub #2: subscribe_events call_service · pending"
            ]
        );
        for (resumed, again) in [(3, 4), (5, 6)] {
            // Only what the user started is resumed; the session then re-sends the
            // on-connect message, numbered after it.
            assert_eq!(
                reconnect(&mut ha, Some(AUTH_OK), t0),
                [format!(
                    r#"{{"id":{resumed},"type":"subscribe_events","event_type":"call_service"}}"#
                )]
            );
            assert_eq!(
                on_connect(&mut ha, STATE_CHANGED, t0),
                format!(
                    r#"{{"id":{again},"type":"subscribe_events","event_type":"state_changed"}}"#
                )
            );
            assert_eq!(
                status(&ha),
                [
                    format!("sub #{resumed}: subscribe_events call_service · pending"),
                    format!("sub #{again}: subscribe_events state_changed · pending"),
                ]
            );
        }
        // Unsubscribing from it is possible; it comes back with the profile's message.
        run(&mut ha, "unsubscribe", "6", t0);
        assert_eq!(status(&ha).len(), 1);
        assert_eq!(reconnect(&mut ha, Some(AUTH_OK), t0).len(), 1);
    }

    #[test]
    fn on_connect_ids_keep_increasing_within_the_link() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let fixed = r#"{"id":5,"type":"subscribe_events"}"#;
        assert_eq!(
            on_connect(&mut ha, fixed, t0),
            fixed,
            "above every id: kept"
        );
        assert_eq!(
            run(&mut ha, "subscribe", "x", t0),
            [r#"{"id":6,"type":"subscribe_events","event_type":"x"}"#]
        );
        assert_eq!(reconnect(&mut ha, Some(AUTH_OK), t0).len(), 1);
        // #7 went out first on the new link, so a fixed 5 would be refused.
        assert_eq!(
            on_connect(&mut ha, fixed, t0),
            r#"{"id":8,"type":"subscribe_events"}"#
        );
        assert_eq!(
            on_connect(&mut ha, r#"{"id":"a","type":"get_states"}"#, t0),
            r#"{"id":9,"type":"get_states"}"#
        );
        for as_written in [r#"{"type":"auth","access_token":"x"}"#, "not json", "[1]"] {
            assert_eq!(on_connect(&mut ha, as_written, t0), as_written);
        }
        let binary = ha.prepare_on_connect(Bytes::from_static(b"{}"), PayloadKind::Binary);
        assert_eq!(binary, "{}");
        // A fresh link: nothing sent on it yet, so the fixed id is usable again.
        ha.on_closed();
        assert_eq!(
            on_connect(&mut ha, r#"{"id":1,"type":"ping"}"#, t0),
            r#"{"id":1,"type":"ping"}"#
        );
        assert_eq!(
            ha.compose(r#"{"type":"x"}"#).unwrap().frames[0].payload,
            r#"{"id":10,"type":"x"}"#
        );
    }

    #[test]
    fn queued_commands_are_renumbered_only_when_overtaken() {
        let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
        let queued = |ha: &mut HomeAssistantAdapter, text: &str| {
            let payload = ha.prepare_queued(Bytes::from(text.to_string()), TEXT);
            ha.on_outgoing(&payload, TEXT, t0);
            String::from_utf8(payload.to_vec()).unwrap()
        };
        let first = texts(&ha.compose(r#"{"type":"get_states"}"#).unwrap().frames).remove(0);
        let second = texts(&ha.compose(r#"{"type":"get_config"}"#).unwrap().frames).remove(0);
        assert_eq!(queued(&mut ha, &first), first, "in order: as composed");
        assert_eq!(queued(&mut ha, &second), second);
        // Composed, then overtaken on the link by a frame that took a higher id.
        let late = texts(&ha.compose(r#"{"type":"get_services"}"#).unwrap().frames).remove(0);
        assert_eq!(late, r#"{"id":3,"type":"get_services"}"#);
        run(&mut ha, "states", "", t0);
        assert_eq!(queued(&mut ha, &late), r#"{"id":5,"type":"get_services"}"#);
        // An id the user typed is theirs, even one Home Assistant will refuse.
        let typed = r#"{"id":2,"type":"get_states"}"#;
        assert_eq!(queued(&mut ha, typed), typed);
        for as_written in ["not json", "[1]", r#"{"type":"auth","access_token":"x"}"#] {
            assert_eq!(queued(&mut ha, as_written), as_written);
        }
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/home_assistant.txt");
        let decodes = decode_transcript(&mut HomeAssistantAdapter::new(), transcript);
        assert!(decodes.len() >= 4);
    }

    proptest! {
        #[test]
        fn never_panics(
            payloads in arb_payloads(
                &["type", "id", "success", "result", "error", "event", "event_type", "data",
                  "entity_id", "new_state", "old_state", "state", "subscription", "message"],
                &["auth_ok", "auth_invalid", "result", "event", "pong", "ping",
                  "subscribe_events", "unsubscribe_events", "state_changed", "auth"],
            ),
        ) {
            let (mut ha, t0) = (HomeAssistantAdapter::new(), Instant::now());
            let payloads = payloads.each_ref().map(Vec::as_slice);
            let commands = ["call", "subscribe", "unsubscribe", "states"];
            exercise(&mut ha, &payloads, &commands, t0, t0 + PING_INTERVAL);
        }
    }
}
