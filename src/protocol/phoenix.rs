//! Phoenix Channels, V2 JSON serializer
//! (<https://hexdocs.pm/phoenix/writing_a_channels_client.html>): every frame is an
//! array `[join_ref, ref, topic, event, payload]`. Refs come from one counter;
//! `phx_reply` frames (`{"status":"ok"|"error","response":…}`) are correlated with
//! the message carrying the same ref; `phx_join`/`phx_leave`/`phx_error`/`phx_close`
//! keep track of joined topics, which are re-joined after a reconnect (those the
//! profile's on-connect messages join are re-sent by the session instead); and
//! `[null, REF, "phoenix", "heartbeat", {}]` goes out every 30 s, the link counting as
//! dead when the previous one is still unanswered.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};

use super::shared::{
    Resubscribe, composed_on_connect, latency_suffix, number_suffix, one, remember, seconds,
    value_summary, words_then_json,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, OpenContext, Outgoing,
    Reaction, StatusLine, parse_json, shorten,
};
use crate::wire::PayloadKind;

/// How often the heartbeat goes out.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(30);
/// The topic of heartbeats.
const PHOENIX: &str = "phoenix";

/// One decoded frame.
struct Frame {
    join_ref: Option<String>,
    reference: Option<String>,
    topic: String,
    event: String,
    payload: Value,
}

/// A topic we joined (or are joining).
#[derive(Debug)]
struct Topic {
    name: String,
    join_ref: Option<String>,
    payload: Value,
    state: &'static str,
    events: u64,
    /// Joined by one of the profile's on-connect messages, which the session
    /// re-sends itself: not re-joined here.
    on_connect: bool,
}

/// The `phoenix` adapter.
#[derive(Debug, Default)]
pub struct PhoenixAdapter {
    last_ref: u64,
    correlator: Correlator,
    /// Ref → topic and event of the message that carried it.
    pending: BTreeMap<String, (String, String)>,
    topics: Vec<Topic>,
    next_heartbeat: Option<Instant>,
    heartbeat_ref: Option<String>,
    resubscribe: Resubscribe,
}

fn reference(value: Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text)),
        Value::Number(number) => Ok(Some(number.to_string())),
        _ => Err("a ref is neither null nor a string".into()),
    }
}

fn parse(payload: &[u8]) -> Result<Frame, String> {
    let Value::Array(items) = parse_json(payload)? else {
        return Err("not a JSON array".into());
    };
    let [join_ref, reference_, topic, event, payload]: [Value; 5] = items
        .try_into()
        .map_err(|items: Vec<Value>| format!("{} elements, not 5", items.len()))?;
    let (Value::String(topic), Value::String(event)) = (topic, event) else {
        return Err("topic and event must be strings".into());
    };
    Ok(Frame {
        join_ref: reference(join_ref)?,
        reference: reference(reference_)?,
        topic,
        event,
        payload,
    })
}

fn encode(
    join_ref: Option<&str>,
    reference: &str,
    topic: &str,
    event: &str,
    payload: Value,
) -> String {
    json!([join_ref, reference, topic, event, payload]).to_string()
}

impl PhoenixAdapter {
    /// A fresh adapter (refs start at 1).
    pub fn new() -> Self {
        Self::default()
    }

    fn next_ref(&mut self) -> String {
        self.last_ref = self.last_ref.saturating_add(1);
        self.last_ref.to_string()
    }

    fn topic(&mut self, name: &str) -> Option<&mut Topic> {
        self.topics.iter_mut().find(|topic| topic.name == name)
    }

    fn join_ref_of(&self, name: &str) -> Option<String> {
        self.topics
            .iter()
            .find(|topic| topic.name == name)
            .and_then(|topic| topic.join_ref.clone())
    }

    fn join(&mut self, topic: &str, payload: Value) -> String {
        let reference = self.next_ref();
        encode(Some(&reference), &reference, topic, "phx_join", payload)
    }

    /// `event` pushed to `topic` under the next ref and the topic's join ref.
    fn push(&mut self, topic: &str, event: &str, payload: Value) -> String {
        let reference = self.next_ref();
        let join_ref = self.join_ref_of(topic);
        encode(join_ref.as_deref(), &reference, topic, event, payload)
    }

    fn reply(&mut self, frame: Frame, now: Instant) -> Decoded {
        let Some(status) = frame.payload.get("status").and_then(Value::as_str) else {
            return Decoded::malformed("phx", "phx_reply without a status");
        };
        let ok = status == "ok";
        let response = frame
            .payload
            .get("response")
            .cloned()
            .unwrap_or(Value::Null);
        let heartbeat = frame.topic == PHOENIX;
        let key = frame.reference.clone();
        let latency = key
            .as_deref()
            .and_then(|key| self.correlator.response(key, now, false));
        let request = key.as_ref().and_then(|key| self.pending.remove(key));
        if heartbeat && key.is_some() && self.heartbeat_ref == key {
            self.heartbeat_ref = None;
        }
        if let Some((topic, event)) = &request
            && event == "phx_join"
        {
            if ok {
                if let Some(entry) = self.topic(topic) {
                    entry.state = "joined";
                }
            } else {
                self.topics.retain(|entry| entry.name != *topic);
            }
        }
        let what = request
            .map(|(topic, event)| format!("{event} {topic}"))
            .unwrap_or_default();
        let detail = value_summary(&response);
        let summary = [what.as_str(), detail.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty() && *part != "{}")
            .collect::<Vec<_>>()
            .join(" · ");
        let number = number_suffix(key.as_ref());
        Decoded {
            label: format!(
                "phx_reply{number} {}{}",
                shorten(status, 20),
                latency_suffix(latency)
            ),
            summary: shorten(&summary, 80),
            data: Some(response),
            correlation: key.map(|key| Correlation::Response {
                key,
                ok,
                latency,
                more: false,
            }),
            heartbeat,
            ..Decoded::default()
        }
    }
}

impl Adapter for PhoenixAdapter {
    fn name(&self) -> &'static str {
        "phoenix"
    }

    fn on_open(&mut self, _context: &OpenContext, now: Instant) -> Vec<Outgoing> {
        self.next_heartbeat = Some(now + HEARTBEAT_INTERVAL);
        self.heartbeat_ref = None;
        Vec::new()
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        let topics: Vec<(String, Value)> = self
            .resubscribe
            .resume(&self.topics, |topic| topic.on_connect)
            .into_iter()
            .map(|topic| (topic.name.clone(), topic.payload.clone()))
            .collect();
        topics
            .into_iter()
            .map(|(topic, payload)| Outgoing::text(self.join(&topic, payload)))
            .collect()
    }

    fn prepare_on_connect(&mut self, payload: Bytes, kind: PayloadKind) -> Bytes {
        composed_on_connect(self, payload, kind)
    }

    fn sent_on_connect(&mut self, payload: &[u8], _kind: PayloadKind) {
        if let Ok(frame) = parse(payload)
            && frame.event == "phx_join"
            && let Some(topic) = self.topic(&frame.topic)
        {
            topic.on_connect = true;
        }
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let frame = match parse(payload) {
            Ok(frame) => frame,
            Err(why) => return Reaction::decoded(Decoded::malformed("phx", why)),
        };
        let topic = shorten(&frame.topic, 60);
        let decoded = match frame.event.as_str() {
            "phx_reply" => self.reply(frame, now),
            "phx_error" => {
                if let Some(entry) = self.topic(&frame.topic) {
                    entry.state = "errored";
                }
                Decoded {
                    label: format!("phx_error {topic}"),
                    data: Some(frame.payload),
                    ..Decoded::default()
                }
            }
            "phx_close" => {
                self.topics.retain(|entry| entry.name != frame.topic);
                Decoded::labelled(format!("phx_close {topic}"))
            }
            event => {
                let event = shorten(event, 40);
                if let Some(entry) = self.topic(&frame.topic) {
                    entry.events = entry.events.saturating_add(1);
                }
                Decoded {
                    label: format!("phx {event} {topic}"),
                    summary: value_summary(&frame.payload),
                    data: Some(frame.payload),
                    ..Decoded::default()
                }
            }
        };
        Reaction::decoded(decoded)
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let frame = match parse(payload) {
            Ok(frame) => frame,
            Err(why) => return Some(Decoded::malformed("phx", why)),
        };
        if let Some(reference) = &frame.reference {
            if let Ok(number) = reference.parse::<u64>() {
                self.last_ref = self.last_ref.max(number);
            }
            self.correlator.request(reference.clone(), now);
            let request = (frame.topic.clone(), frame.event.clone());
            remember(&mut self.pending, reference.clone(), request);
        }
        let heartbeat = frame.topic == PHOENIX && frame.event == "heartbeat";
        match frame.event.as_str() {
            "phx_join" => {
                let join_ref = frame.join_ref.clone().or(frame.reference.clone());
                match self.topic(&frame.topic) {
                    Some(entry) => {
                        entry.join_ref = join_ref;
                        entry.payload = frame.payload.clone();
                        entry.state = "joining";
                    }
                    None => self.topics.push(Topic {
                        name: frame.topic.clone(),
                        join_ref,
                        payload: frame.payload.clone(),
                        state: "joining",
                        events: 0,
                        on_connect: false,
                    }),
                }
            }
            "phx_leave" => self.topics.retain(|entry| entry.name != frame.topic),
            _ => {}
        }
        let number = number_suffix(frame.reference.as_ref());
        let (event, topic) = (shorten(&frame.event, 40), shorten(&frame.topic, 60));
        let label = match event.as_str() {
            "phx_join" | "phx_leave" => format!("{event} {topic}{number}"),
            "heartbeat" if heartbeat => format!("phx heartbeat{number}"),
            _ => format!("phx {event} {topic}{number}"),
        };
        Some(Decoded {
            label,
            summary: value_summary(&frame.payload),
            correlation: frame.reference.map(|key| Correlation::Request { key }),
            heartbeat,
            ..Decoded::default()
        })
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        let Ok(Value::Array(mut items)) = serde_json::from_str::<Value>(text.trim()) else {
            return Ok(one(text));
        };
        if items.len() != 5 {
            return Ok(one(text));
        }
        if items[1].is_null() {
            items[1] = json!(self.next_ref());
        }
        if items[0].is_null() {
            match (items[2].as_str(), items[3].as_str()) {
                (_, Some("phx_join")) => items[0] = items[1].clone(),
                (Some(topic), _) => items[0] = json!(self.join_ref_of(topic)),
                _ => {}
            }
        }
        Ok(one(Value::Array(items).to_string()))
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let words = if name == "push" { 2 } else { 1 };
        let (split, json) = match words_then_json(args, words) {
            Ok(parsed) => parsed,
            Err(error) => return Some(Err(error)),
        };
        let bare = json.is_none();
        let payload = json.unwrap_or_else(|| json!({}));
        let frame = match (name, split.as_slice()) {
            ("join", [topic]) => Ok(self.join(topic, payload)),
            ("leave", [topic]) if bare => Ok(self.push(topic, "phx_leave", json!({}))),
            ("push", [topic, event]) => Ok(self.push(topic, event, payload)),
            ("join", _) => Err(ComposeError("usage: :join TOPIC [JSON]".into())),
            ("leave", _) => Err(ComposeError("usage: :leave TOPIC".into())),
            ("push", _) => Err(ComposeError("usage: :push TOPIC EVENT [JSON]".into())),
            _ => return None,
        };
        Some(frame.map(one))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ":join TOPIC [JSON]",
                "phx_join a topic with an optional payload",
            ),
            (":leave TOPIC", "phx_leave a topic"),
            (
                ":push TOPIC EVENT [JSON]",
                "push an event to a joined topic",
            ),
        ]
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.next_heartbeat
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
        match self.next_heartbeat {
            Some(at) if now >= at => {}
            _ => return Reaction::default(),
        }
        if let Some(reference) = self.heartbeat_ref.take() {
            self.next_heartbeat = None;
            return Reaction {
                reconnect: Some(format!(
                    "no reply to heartbeat #{reference} within {}",
                    seconds(HEARTBEAT_INTERVAL)
                )),
                ..Reaction::default()
            };
        }
        let reference = self.next_ref();
        self.heartbeat_ref = Some(reference.clone());
        self.next_heartbeat = Some(now + HEARTBEAT_INTERVAL);
        let frame = encode(None, &reference, PHOENIX, "heartbeat", json!({}));
        Reaction {
            send: vec![Outgoing::automatic(frame)],
            ..Reaction::default()
        }
    }

    fn on_closed(&mut self) {
        self.next_heartbeat = None;
        self.heartbeat_ref = None;
        self.correlator.clear();
        self.pending.clear();
        for topic in &mut self.topics {
            topic.state = "rejoin";
        }
        self.resubscribe.link_closed();
    }

    fn status(&self) -> Vec<StatusLine> {
        self.topics
            .iter()
            .map(|topic| StatusLine {
                label: topic.name.clone(),
                value: format!("{} · {} events", topic.state, topic.events),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_json, arb_payloads, assert_bad_commands, decode, decode_transcript, exercise,
        on_connect, reconnect, response, run, sent, status, texts,
    };
    use proptest::prelude::*;

    #[test]
    fn join_push_and_replies_correlate() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        let frames = run(&mut phx, "join", r#"room:lobby {"token":"t"}"#, t0);
        assert_eq!(
            frames,
            [r#"["1","1","room:lobby","phx_join",{"token":"t"}]"#]
        );
        let out = phx.on_outgoing(frames[0].as_bytes(), TEXT, t0).unwrap();
        assert_eq!(out.label, "phx_join room:lobby #1");
        assert_eq!(phx.status()[0].value, "joining · 0 events");
        let later = t0 + Duration::from_millis(12);
        let reply = r#"["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]"#;
        let decoded = decode(&mut phx, reply, later);
        assert_eq!(decoded.label, "phx_reply #1 ok 12 ms");
        assert_eq!(decoded.summary, "phx_join room:lobby");
        assert!(!decoded.heartbeat);
        assert_eq!(decoded.correlation, response("1", true, Some(12), false));
        assert_eq!(phx.status()[0].value, "joined · 0 events");
        let frames = run(&mut phx, "push", r#"room:lobby new_msg {"body":"hi"}"#, t0);
        assert_eq!(
            frames,
            [r#"["1","2","room:lobby","new_msg",{"body":"hi"}]"#]
        );
        let error =
            r#"["1","2","room:lobby","phx_reply",{"status":"error","response":{"reason":"nope"}}]"#;
        let decoded = decode(&mut phx, error, t0);
        assert_eq!(decoded.label, "phx_reply #2 error 0 ms");
        assert_eq!(decoded.summary, r#"new_msg room:lobby · {"reason":"nope"}"#);
        assert_eq!(decoded.data, Some(json!({"reason":"nope"})));
        let pushed = decode(
            &mut phx,
            r#"[null,null,"room:lobby","new_msg",{"body":"yo"}]"#,
            t0,
        );
        assert_eq!(pushed.label, "phx new_msg room:lobby");
        assert_eq!(phx.status()[0].value, "joined · 1 events");
        assert_eq!(
            decode(&mut phx, r#"["1",null,"room:lobby","phx_error",{}]"#, t0).label,
            "phx_error room:lobby"
        );
        assert_eq!(phx.status()[0].value, "errored · 1 events");
        let frames = run(&mut phx, "leave", "room:lobby", t0);
        assert_eq!(frames, [r#"["1","3","room:lobby","phx_leave",{}]"#]);
        assert!(phx.status().is_empty());
        run(&mut phx, "join", "room:a", t0);
        let refused = r#"["4","4","room:a","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]"#;
        decode(&mut phx, refused, t0);
        assert!(phx.status().is_empty());
        run(&mut phx, "join", "room:b", t0);
        assert_eq!(
            decode(&mut phx, r#"["5",null,"room:b","phx_close",{}]"#, t0).label,
            "phx_close room:b"
        );
        assert!(phx.status().is_empty());
    }

    #[test]
    fn compose_fills_null_refs() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        let c = phx
            .compose(r#"[null, null, "room:1", "phx_join", {}]"#)
            .unwrap();
        assert_eq!(
            sent(&mut phx, c, t0),
            [r#"["1","1","room:1","phx_join",{}]"#]
        );
        let c = phx
            .compose(r#"[null,null,"room:1","shout",{"a":1}]"#)
            .unwrap();
        assert_eq!(
            sent(&mut phx, c, t0),
            [r#"["1","2","room:1","shout",{"a":1}]"#]
        );
        let typed = r#"["9","9","room:2","phx_join",{}]"#;
        let c = phx.compose(typed).unwrap();
        assert_eq!(sent(&mut phx, c, t0), [typed]);
        let c = phx.compose(r#"[null,null,"room:3","x",{}]"#).unwrap();
        assert_eq!(texts(&c.frames), [r#"[null,"10","room:3","x",{}]"#]);
        for raw in ["hello", "[1,2]"] {
            assert_eq!(texts(&phx.compose(raw).unwrap().frames), [raw]);
        }
    }

    #[test]
    fn heartbeat_every_30_s() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        assert_eq!(phx.next_deadline(), None);
        phx.on_open(&OpenContext::default(), t0);
        let at = t0 + HEARTBEAT_INTERVAL;
        assert_eq!(phx.next_deadline(), Some(at));
        assert_eq!(phx.on_timer(t0), Reaction::default());
        let r = phx.on_timer(at);
        assert_eq!(texts(&r.send), [r#"[null,"1","phoenix","heartbeat",{}]"#]);
        assert!(r.send[0].automatic);
        let out = phx.on_outgoing(&r.send[0].payload, TEXT, at).unwrap();
        assert_eq!(
            (out.label.as_str(), out.heartbeat),
            ("phx heartbeat #1", true)
        );
        let reply = r#"[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]"#;
        let decoded = decode(&mut phx, reply, at + Duration::from_millis(4));
        assert_eq!(
            (decoded.label.as_str(), decoded.heartbeat),
            ("phx_reply #1 ok 4 ms", true)
        );
        let r = phx.on_timer(at + HEARTBEAT_INTERVAL);
        assert_eq!(texts(&r.send), [r#"[null,"2","phoenix","heartbeat",{}]"#]);
        let r = phx.on_timer(at + HEARTBEAT_INTERVAL * 2);
        assert!(r.reconnect.unwrap().contains("heartbeat #2"));
        assert_eq!(phx.next_deadline(), None);
    }

    #[test]
    fn rejoins_after_reconnect() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        assert!(phx.on_ready(t0).is_empty());
        run(&mut phx, "join", r#"room:lobby {"a":1}"#, t0);
        phx.on_closed();
        assert_eq!(phx.status()[0].value, "rejoin · 0 events");
        assert_eq!(phx.next_deadline(), None);
        let frames = phx.on_ready(t0);
        assert_eq!(
            texts(&frames),
            [r#"["2","2","room:lobby","phx_join",{"a":1}]"#]
        );
        assert!(phx.on_ready(t0).is_empty());
    }

    #[test]
    fn malformed_frames_and_bad_commands() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        for bad in [
            "x",
            "{}",
            "[1,2]",
            r#"[null,null,1,"e",{}]"#,
            r#"[{},null,"t","e",{}]"#,
            r#"[null,"1","t","phx_reply",{}]"#,
        ] {
            let decoded = decode(&mut phx, bad, t0);
            assert_eq!(decoded.label, "phx malformed", "{bad}");
            assert!(decoded.error.is_some());
        }
        assert!(phx.on_outgoing(b"[]", TEXT, t0).unwrap().error.is_some());
        assert_bad_commands(
            &mut phx,
            &[
                ("join", ""),
                ("join", "t {"),
                ("leave", "t x"),
                ("push", "t"),
            ],
        );
    }

    #[test]
    fn on_connect_frames_with_null_refs_get_refs() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        let join = r#"[null,null,"room:lobby","phx_join",{}]"#;
        assert_eq!(
            on_connect(&mut phx, join, t0),
            r#"["1","1","room:lobby","phx_join",{}]"#
        );
        let reply = r#"["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]"#;
        let decoded = decode(&mut phx, reply, t0);
        assert_eq!(decoded.label, "phx_reply #1 ok 0 ms");
        assert!(matches!(
            decoded.correlation,
            Some(Correlation::Response { .. })
        ));
        for as_written in [r#"["9","9","room:b","phx_join",{}]"#, "hello"] {
            assert_eq!(on_connect(&mut phx, as_written, t0), as_written);
        }
    }

    #[test]
    fn on_connect_topics_are_left_to_the_session() {
        let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
        let lobby = r#"["1","1","room:lobby","phx_join",{"token":"t"}]"#;
        assert_eq!(on_connect(&mut phx, lobby, t0), lobby);
        run(&mut phx, "join", "room:b", t0);
        let joining = [
            "room:lobby: joining · 0 events",
            "room:b: joining · 0 events",
        ];
        assert_eq!(status(&phx), joining);
        for reference in [3, 4] {
            assert_eq!(
                reconnect(&mut phx, None, t0),
                [format!(
                    r#"["{reference}","{reference}","room:b","phx_join",{{}}]"#
                )]
            );
            assert_eq!(status(&phx)[0], "room:lobby: rejoin · 0 events");
            on_connect(&mut phx, lobby, t0);
            assert_eq!(status(&phx), joining);
        }
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/phoenix.txt");
        decode_transcript(&mut PhoenixAdapter::new(), transcript);
    }

    proptest! {
        #[test]
        fn never_panics(
            payloads in arb_payloads(
                &["status", "response", "reason"],
                &["phx_reply", "phx_join", "phx_leave", "phx_error", "phx_close", "phoenix",
                  "heartbeat", "ok", "error", "room:lobby", "1", "2"],
            ),
        ) {
            let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
            let payloads = payloads.each_ref().map(Vec::as_slice);
            exercise(&mut phx, &payloads, &["join", "leave", "push"], t0, t0 + HEARTBEAT_INTERVAL);
        }

        #[test]
        fn five_element_frames_never_panic(
            items in prop::collection::vec(
                arb_json(&["status", "response"], &["phx_reply", "phoenix", "ok", "phx_join", "1"]),
                5,
            ),
        ) {
            let (mut phx, t0) = (PhoenixAdapter::new(), Instant::now());
            let frame = Value::Array(items).to_string();
            phx.on_outgoing(frame.as_bytes(), TEXT, t0);
            phx.on_incoming(frame.as_bytes(), TEXT, t0);
            let _ = phx.compose(&frame);
        }
    }
}
