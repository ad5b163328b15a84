//! Pusher Channels WebSocket protocol, version 7
//! (<https://pusher.com/docs/channels/library_auth_reference/pusher-websockets-protocol/>):
//! `pusher:connection_established` (its `data` is a JSON string holding `socket_id`
//! and `activity_timeout`) is the handshake verdict; `pusher:error` codes decide
//! between giving up (4000–4099) and reconnecting (4100–4299); channel
//! subscriptions are correlated with `pusher_internal:subscription_succeeded` or
//! `pusher:subscription_error` and re-sent after a reconnect (unless the profile's
//! on-connect messages subscribe to them: the session re-sends those); `pusher:ping` is
//! answered with `pusher:pong`, and after `activity_timeout` seconds of silence we
//! ping the server ourselves, reconnecting when no pong comes within 30 s.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::shared::{
    Resubscribe, latency_suffix, optional_json, parse_object, seconds, split_words, str_field,
    value_summary,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, Outgoing, Reaction,
    StatusLine, parse_json, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};

/// The activity timeout when the server names none (the protocol's suggestion).
const DEFAULT_ACTIVITY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long to wait for `pusher:pong` after our `pusher:ping`.
const PONG_TIMEOUT: Duration = Duration::from_secs(30);
/// The correlation key of our `pusher:ping`.
const PING_KEY: &str = "ping";

/// A channel we subscribed to.
#[derive(Debug)]
struct Channel {
    name: String,
    subscribed: bool,
    events: u64,
    /// Subscribed by one of the profile's on-connect messages, which the session
    /// re-sends itself: not restored.
    on_connect: bool,
}

/// The `pusher` adapter.
#[derive(Debug)]
pub struct PusherAdapter {
    connected: bool,
    socket_id: Option<String>,
    activity_timeout: Duration,
    last_incoming: Option<Instant>,
    ping_sent: Option<Instant>,
    channels: Vec<Channel>,
    correlator: Correlator,
    resubscribe: Resubscribe,
}

impl Default for PusherAdapter {
    fn default() -> Self {
        Self {
            connected: false,
            socket_id: None,
            activity_timeout: DEFAULT_ACTIVITY_TIMEOUT,
            last_incoming: None,
            ping_sent: None,
            channels: Vec::new(),
            correlator: Correlator::new(),
            resubscribe: Resubscribe::default(),
        }
    }
}

/// A frame's `data`, decoded when it is a JSON string (as Pusher sends it).
fn data_of(frame: &Value) -> Value {
    match frame.get("data") {
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or(Value::String(text.clone()))
        }
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

fn subscribe_key(channel: &str) -> String {
    format!("subscribe {channel}")
}

fn subscribe_frame(channel: &str, auth: Option<&str>) -> Outgoing {
    let mut data = json!({ "channel": channel });
    if let Some(auth) = auth {
        data["auth"] = json!(auth);
    }
    Outgoing::text(json!({ "event": "pusher:subscribe", "data": data }).to_string())
}

impl PusherAdapter {
    /// A fresh adapter.
    pub fn new() -> Self {
        Self::default()
    }

    fn channel(&mut self, name: &str) -> Option<&mut Channel> {
        self.channels
            .iter_mut()
            .find(|channel| channel.name == name)
    }

    fn connection_established(&mut self, data: &Value, reaction: &mut Reaction) -> Decoded {
        self.connected = true;
        reaction.auth = Some(AuthVerdict::Accepted);
        self.socket_id = str_field(data, "socket_id").map(str::to_string);
        let timeout = data.get("activity_timeout").and_then(Value::as_u64);
        self.activity_timeout = timeout.map_or(DEFAULT_ACTIVITY_TIMEOUT, |seconds| {
            Duration::from_secs(seconds.clamp(1, 3600))
        });
        let mut decoded = Decoded {
            summary: format!(
                "socket_id {} · activity_timeout {} s",
                shorten(self.socket_id.as_deref().unwrap_or("?"), 40),
                self.activity_timeout.as_secs()
            ),
            data: Some(data.clone()),
            ..Decoded::labelled("pusher:connection_established")
        };
        if self.socket_id.is_none() {
            decoded.error = Some("data holds no socket_id".into());
        }
        decoded
    }

    fn error(data: &Value, reaction: &mut Reaction) -> Decoded {
        let code = data.get("code").and_then(Value::as_u64);
        let message = str_field(data, "message").unwrap_or("");
        let why = format!("pusher:error {}: {message}", code.unwrap_or(0));
        match code {
            Some(4000..=4099) => reaction.auth = Some(AuthVerdict::Refused),
            Some(4100..=4199) => {
                reaction.reconnect = Some(format!("{why} (reconnect after a delay)"))
            }
            Some(4200..=4299) => reaction.reconnect = Some(why),
            _ => {}
        }
        Decoded {
            label: code.map_or("pusher:error".into(), |code| format!("pusher:error {code}")),
            summary: shorten(message, 80),
            data: Some(data.clone()),
            ..Decoded::default()
        }
    }

    fn subscription(&mut self, channel: &str, data: &Value, ok: bool, now: Instant) -> Decoded {
        let key = subscribe_key(channel);
        let latency = self.correlator.response(&key, now, false);
        let summary = if ok {
            if let Some(entry) = self.channel(channel) {
                entry.subscribed = true;
            }
            let count = data
                .get("presence")
                .and_then(|presence| presence.get("count"));
            count.map_or(String::new(), |count| format!("{count} members"))
        } else {
            self.channels.retain(|entry| entry.name != channel);
            let error = str_field(data, "error").or_else(|| str_field(data, "type"));
            let status = data
                .get("status")
                .map(|status| format!("{status} "))
                .unwrap_or_default();
            format!("{status}{}", error.unwrap_or(""))
        };
        let event = if ok {
            "pusher_internal:subscription_succeeded"
        } else {
            "pusher:subscription_error"
        };
        Decoded {
            label: format!(
                "{event} {}{}",
                shorten(channel, 60),
                latency_suffix(latency)
            ),
            summary: shorten(summary.trim(), 80),
            data: Some(data.clone()),
            correlation: Some(Correlation::Response {
                key,
                ok,
                latency,
                more: false,
            }),
            ..Decoded::default()
        }
    }
}

impl Adapter for PusherAdapter {
    fn name(&self) -> &'static str {
        "pusher"
    }

    fn needs_handshake(&self) -> bool {
        true
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        let resumed: Vec<String> = self
            .resubscribe
            .resume(&self.channels, |channel| channel.on_connect)
            .into_iter()
            .map(|channel| channel.name.clone())
            .collect();
        // Private and presence channels need a fresh signature over the new socket_id
        // (an on-connect message brings its own): they are dropped, not re-sent.
        let (signed, public): (Vec<String>, Vec<String>) = resumed
            .into_iter()
            .partition(|name| name.starts_with("private-") || name.starts_with("presence-"));
        self.channels
            .retain(|channel| !signed.contains(&channel.name));
        public
            .iter()
            .map(|name| subscribe_frame(name, None))
            .collect()
    }

    fn sent_on_connect(&mut self, payload: &[u8], _kind: PayloadKind) {
        let Ok(frame) = parse_json(payload) else {
            return;
        };
        if str_field(&frame, "event") == Some("pusher:subscribe")
            && let Some(name) = str_field(&data_of(&frame), "channel")
            && let Some(channel) = self.channel(name)
        {
            channel.on_connect = true;
        }
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let frame = match parse_object(payload) {
            Ok(frame) => frame,
            Err(why) => return Reaction::decoded(Decoded::malformed("pusher", why)),
        };
        self.last_incoming = Some(now);
        self.ping_sent = None;
        let Some(event) = str_field(&frame, "event") else {
            return Reaction::decoded(Decoded::malformed("pusher", "no \"event\""));
        };
        let channel = str_field(&frame, "channel");
        let data = data_of(&frame);
        let mut reaction = Reaction::default();
        let decoded = match (event, channel) {
            ("pusher:connection_established", _) => {
                self.connection_established(&data, &mut reaction)
            }
            ("pusher:error", _) => Self::error(&data, &mut reaction),
            ("pusher:ping", _) => {
                reaction
                    .send
                    .push(Outgoing::automatic(r#"{"event":"pusher:pong","data":{}}"#));
                Decoded {
                    heartbeat: true,
                    ..Decoded::labelled("pusher:ping")
                }
            }
            ("pusher:pong", _) => {
                let latency = self.correlator.response(PING_KEY, now, false);
                Decoded {
                    label: format!("pusher:pong{}", latency_suffix(latency)),
                    heartbeat: true,
                    correlation: latency.map(|latency| Correlation::Response {
                        key: PING_KEY.into(),
                        ok: true,
                        latency: Some(latency),
                        more: false,
                    }),
                    ..Decoded::default()
                }
            }
            ("pusher_internal:subscription_succeeded", Some(channel)) => {
                self.subscription(channel, &data, true, now)
            }
            ("pusher:subscription_error", Some(channel)) => {
                self.subscription(channel, &data, false, now)
            }
            (event, channel) => {
                let event = shorten(event, 60);
                let on = channel.map(|channel| format!(" on {}", shorten(channel, 60)));
                let label = if event.starts_with("pusher") {
                    format!("{event}{}", on.unwrap_or_default())
                } else {
                    if let Some(entry) = channel.and_then(|channel| self.channel(channel)) {
                        entry.events = entry.events.saturating_add(1);
                    }
                    format!("pusher event {event}{}", on.unwrap_or_default())
                };
                Decoded {
                    label,
                    summary: value_summary(&data),
                    data: Some(data),
                    ..Decoded::default()
                }
            }
        };
        reaction.decoded = Some(decoded);
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let frame = match parse_json(payload) {
            Ok(frame) => frame,
            Err(why) => return Some(Decoded::malformed("pusher", why)),
        };
        let Some(event) = str_field(&frame, "event") else {
            return Some(Decoded::malformed("pusher", "no \"event\""));
        };
        let data = data_of(&frame);
        let target = str_field(&data, "channel").map(str::to_string);
        let decoded = match (event, target) {
            ("pusher:subscribe", Some(channel)) => {
                let key = subscribe_key(&channel);
                self.correlator.request(key.clone(), now);
                if self.channel(&channel).is_none() {
                    self.channels.push(Channel {
                        name: channel.clone(),
                        subscribed: false,
                        events: 0,
                        on_connect: false,
                    });
                }
                Decoded {
                    label: format!("pusher:subscribe {}", shorten(&channel, 60)),
                    correlation: Some(Correlation::Request { key }),
                    ..Decoded::default()
                }
            }
            ("pusher:unsubscribe", Some(channel)) => {
                self.channels.retain(|entry| entry.name != channel);
                Decoded::labelled(format!("pusher:unsubscribe {}", shorten(&channel, 60)))
            }
            ("pusher:ping", _) => {
                self.correlator.request(PING_KEY, now);
                Decoded {
                    heartbeat: true,
                    correlation: Some(Correlation::Request {
                        key: PING_KEY.into(),
                    }),
                    ..Decoded::labelled("pusher:ping")
                }
            }
            ("pusher:pong", _) => Decoded {
                heartbeat: true,
                ..Decoded::labelled("pusher:pong")
            },
            (event, _) => {
                let on = str_field(&frame, "channel")
                    .map(|channel| format!(" on {}", shorten(channel, 60)))
                    .unwrap_or_default();
                Decoded {
                    label: format!("pusher event {}{on}", shorten(event, 60)),
                    summary: value_summary(&data),
                    ..Decoded::default()
                }
            }
        };
        Some(decoded)
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let (words, rest) = split_words(args, 2);
        let frame = match (name, words.as_slice()) {
            ("subscribe", [channel]) if rest.is_empty() => Ok(subscribe_frame(channel, None)),
            ("subscribe", [channel, auth]) if rest.is_empty() => {
                Ok(subscribe_frame(channel, Some(auth)))
            }
            ("subscribe", _) => Err(ComposeError("usage: :subscribe CHANNEL [AUTH]".into())),
            ("unsubscribe", [channel]) if rest.is_empty() => {
                let frame =
                    json!({ "event": "pusher:unsubscribe", "data": { "channel": channel } });
                Ok(Outgoing::text(frame.to_string()))
            }
            ("unsubscribe", _) => Err(ComposeError("usage: :unsubscribe CHANNEL".into())),
            ("trigger", [channel, event]) => {
                let data = match optional_json(rest) {
                    Ok(data) => data.unwrap_or_else(|| json!({})),
                    Err(error) => return Some(Err(error)),
                };
                let event = if event.starts_with("client-") {
                    event.to_string()
                } else {
                    format!("client-{event}")
                };
                let frame = json!({ "event": event, "channel": channel, "data": data });
                Ok(Outgoing::text(frame.to_string()))
            }
            ("trigger", _) => Err(ComposeError("usage: :trigger CHANNEL EVENT [JSON]".into())),
            _ => return None,
        };
        Some(frame.map(|frame| Composed {
            frames: vec![frame],
        }))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ":subscribe CHANNEL [AUTH]",
                "pusher:subscribe (AUTH signs private channels)",
            ),
            (":unsubscribe CHANNEL", "pusher:unsubscribe"),
            (
                ":trigger CHANNEL EVENT [JSON]",
                "a client event (client- is added if missing)",
            ),
        ]
    }

    fn next_deadline(&self) -> Option<Instant> {
        if !self.connected {
            return None;
        }
        match self.ping_sent {
            Some(sent) => Some(sent + PONG_TIMEOUT),
            None => self.last_incoming.map(|last| last + self.activity_timeout),
        }
    }

    fn on_timer(&mut self, now: Instant) -> Reaction {
        match self.next_deadline() {
            Some(deadline) if now >= deadline => {}
            _ => return Reaction::default(),
        }
        if self.ping_sent.is_some() {
            self.connected = false;
            return Reaction {
                reconnect: Some(format!("no pusher:pong within {}", seconds(PONG_TIMEOUT))),
                ..Reaction::default()
            };
        }
        self.ping_sent = Some(now);
        Reaction {
            send: vec![Outgoing::automatic(r#"{"event":"pusher:ping","data":{}}"#)],
            ..Reaction::default()
        }
    }

    fn on_closed(&mut self) {
        self.connected = false;
        self.socket_id = None;
        self.last_incoming = None;
        self.ping_sent = None;
        self.correlator.clear();
        for channel in &mut self.channels {
            channel.subscribed = false;
        }
        self.resubscribe.link_closed();
    }

    fn close_code(&self, code: u16) -> Option<(&'static str, &'static str)> {
        Some(match code {
            4000 => (
                "SSL only",
                "the app accepts only encrypted (wss) connections",
            ),
            4001 => (
                "App does not exist",
                "no app with this key; do not reconnect",
            ),
            4003 => ("App disabled", "the app is disabled; do not reconnect"),
            4004 => (
                "Over connection quota",
                "the app is over its connection quota",
            ),
            4005 => ("Path not found", "the URL path is not /app/KEY"),
            4006 => (
                "Invalid version string format",
                "the protocol parameter is malformed",
            ),
            4007 => (
                "Unsupported protocol version",
                "the protocol version is not supported",
            ),
            4008 => ("No protocol version supplied", "add ?protocol=7 to the URL"),
            4009 => ("Connection is unauthorized", "a user authentication error"),
            4100 => ("Over capacity", "reconnect after a delay"),
            4200 => ("Generic reconnect immediately", "reconnect now"),
            4201 => (
                "Pong reply not received",
                "the server saw no pong; reconnect now",
            ),
            4202 => ("Closed after inactivity", "no activity; reconnect now"),
            4301 => (
                "Client event rejected due to rate limit",
                "too many client events",
            ),
            4002 | 4010..=4099 => ("Pusher error", "do not reconnect without changes"),
            4101..=4199 => ("Pusher error", "reconnect after a delay"),
            4203..=4299 => ("Pusher error", "reconnect now"),
            _ => return None,
        })
    }

    fn status(&self) -> Vec<StatusLine> {
        let socket = self.socket_id.as_ref().map(|socket| StatusLine {
            label: "socket_id".into(),
            value: socket.clone(),
        });
        let channels = self.channels.iter().map(|channel| StatusLine {
            label: channel.name.clone(),
            value: if channel.subscribed {
                format!("subscribed · {} events", channel.events)
            } else {
                "pending".into()
            },
        });
        socket.into_iter().chain(channels).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_payloads, assert_bad_commands, decode_transcript, exercise, incoming, on_connect,
        reconnect, run, status, texts,
    };
    use proptest::prelude::*;

    const ESTABLISHED: &str = r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"}"#;

    #[test]
    fn connection_established_is_the_verdict() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        assert!(p.needs_handshake());
        let r = incoming(&mut p, ESTABLISHED, t0);
        assert_eq!(r.auth, Some(AuthVerdict::Accepted));
        let decoded = r.decoded.unwrap();
        assert_eq!(decoded.label, "pusher:connection_established");
        assert_eq!(
            decoded.summary,
            "socket_id 123.456 · activity_timeout 120 s"
        );
        assert_eq!(decoded.data.unwrap()["socket_id"], "123.456");
        assert_eq!(p.status()[0].value, "123.456");
        let bad = incoming(
            &mut p,
            r#"{"event":"pusher:connection_established","data":"x"}"#,
            t0,
        );
        assert!(bad.decoded.unwrap().error.is_some());
    }

    #[test]
    fn errors_refuse_or_reconnect() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        let error = |code: u32| {
            format!(r#"{{"event":"pusher:error","data":{{"message":"m","code":{code}}}}}"#)
        };
        let r = incoming(&mut p, &error(4001), t0);
        assert_eq!(
            (r.auth, r.reconnect.is_none()),
            (Some(AuthVerdict::Refused), true)
        );
        assert_eq!(r.decoded.unwrap().label, "pusher:error 4001");
        let r = incoming(&mut p, &error(4100), t0);
        assert!(r.reconnect.unwrap().contains("after a delay"));
        let r = incoming(&mut p, &error(4201), t0);
        assert_eq!(r.reconnect.as_deref(), Some("pusher:error 4201: m"));
        let r = incoming(
            &mut p,
            r#"{"event":"pusher:error","data":"{\"message\":\"x\",\"code\":null}"}"#,
            t0,
        );
        assert_eq!((r.auth, r.reconnect), (None, None));
        assert_eq!(p.close_code(4009).unwrap().0, "Connection is unauthorized");
        assert_eq!(p.close_code(4250).unwrap().1, "reconnect now");
        assert_eq!(p.close_code(1000), None);
    }

    #[test]
    fn subscriptions_correlate_and_events_decode() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        incoming(&mut p, ESTABLISHED, t0);
        let frames = run(&mut p, "subscribe", "my-channel", t0);
        assert_eq!(
            frames,
            [r#"{"event":"pusher:subscribe","data":{"channel":"my-channel"}}"#]
        );
        let out = p.on_outgoing(frames[0].as_bytes(), TEXT, t0).unwrap();
        assert_eq!(out.label, "pusher:subscribe my-channel");
        assert_eq!(p.status()[1].value, "pending");
        let ok = r#"{"event":"pusher_internal:subscription_succeeded","channel":"my-channel","data":"{}"}"#;
        let decoded = incoming(&mut p, ok, t0 + Duration::from_millis(12))
            .decoded
            .unwrap();
        assert_eq!(
            decoded.label,
            "pusher_internal:subscription_succeeded my-channel 12 ms"
        );
        assert!(matches!(
            decoded.correlation,
            Some(Correlation::Response { ok: true, .. })
        ));
        let event =
            r#"{"event":"my-event","channel":"my-channel","data":"{\"message\":\"hello\"}"}"#;
        let decoded = incoming(&mut p, event, t0).decoded.unwrap();
        assert_eq!(decoded.label, "pusher event my-event on my-channel");
        assert_eq!(decoded.data, Some(json!({"message":"hello"})));
        assert_eq!(decoded.summary, r#"{"message":"hello"}"#);
        assert_eq!(p.status()[1].value, "subscribed · 1 events");
        run(&mut p, "subscribe", "private-x sig:abc", t0);
        let refused = r#"{"event":"pusher:subscription_error","channel":"private-x","data":{"type":"AuthError","error":"bad signature","status":401}}"#;
        let decoded = incoming(&mut p, refused, t0).decoded.unwrap();
        assert_eq!(decoded.label, "pusher:subscription_error private-x 0 ms");
        assert_eq!(decoded.summary, "401 bad signature");
        assert_eq!(p.status().len(), 2);
        let frames = run(&mut p, "trigger", r#"private-chat typing {"on":true}"#, t0);
        assert_eq!(
            frames,
            [r#"{"event":"client-typing","channel":"private-chat","data":{"on":true}}"#]
        );
        let frames = run(&mut p, "unsubscribe", "my-channel", t0);
        assert_eq!(
            frames,
            [r#"{"event":"pusher:unsubscribe","data":{"channel":"my-channel"}}"#]
        );
        assert_eq!(p.status().len(), 1);
        assert_bad_commands(
            &mut p,
            &[
                ("subscribe", ""),
                ("unsubscribe", "a b"),
                ("trigger", "a"),
                ("trigger", "a b {"),
            ],
        );
    }

    #[test]
    fn ping_pong_and_activity_timeout() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        let r = incoming(&mut p, r#"{"event":"pusher:ping","data":{}}"#, t0);
        assert_eq!(texts(&r.send), [r#"{"event":"pusher:pong","data":{}}"#]);
        assert!(r.send[0].automatic && r.decoded.unwrap().heartbeat);
        assert_eq!(p.next_deadline(), None);
        incoming(&mut p, ESTABLISHED, t0);
        let idle = t0 + Duration::from_secs(120);
        assert_eq!(p.next_deadline(), Some(idle));
        assert_eq!(p.on_timer(t0), Reaction::default());
        let r = p.on_timer(idle);
        assert_eq!(texts(&r.send), [r#"{"event":"pusher:ping","data":{}}"#]);
        assert!(
            p.on_outgoing(&r.send[0].payload, TEXT, idle)
                .unwrap()
                .heartbeat
        );
        assert_eq!(p.next_deadline(), Some(idle + PONG_TIMEOUT));
        let pong = incoming(
            &mut p,
            r#"{"event":"pusher:pong","data":{}}"#,
            idle + Duration::from_millis(5),
        );
        let decoded = pong.decoded.unwrap();
        assert_eq!(
            (decoded.label.as_str(), decoded.heartbeat),
            ("pusher:pong 5 ms", true)
        );
        let later = idle + Duration::from_millis(5) + Duration::from_secs(120);
        assert_eq!(p.next_deadline(), Some(later));
        p.on_timer(later);
        let r = p.on_timer(later + PONG_TIMEOUT);
        assert_eq!(r.reconnect.as_deref(), Some("no pusher:pong within 30 s"));
        assert_eq!(p.next_deadline(), None);
    }

    #[test]
    fn resubscribes_public_channels_after_reconnect() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        assert!(p.on_ready(t0).is_empty());
        run(&mut p, "subscribe", "news", t0);
        run(&mut p, "subscribe", "private-me sig", t0);
        p.on_closed();
        assert_eq!(p.next_deadline(), None);
        incoming(&mut p, ESTABLISHED, t0);
        assert_eq!(
            texts(&p.on_ready(t0)),
            [r#"{"event":"pusher:subscribe","data":{"channel":"news"}}"#]
        );
        assert!(p.on_ready(t0).is_empty());
    }

    #[test]
    fn malformed_frames() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        for bad in ["x", "[]", r#"{"data":{}}"#] {
            assert_eq!(
                incoming(&mut p, bad, t0).decoded.unwrap().label,
                "pusher malformed"
            );
        }
        assert!(p.on_outgoing(b"x", TEXT, t0).unwrap().error.is_some());
        assert!(p.on_outgoing(b"{}", TEXT, t0).unwrap().error.is_some());
        assert_eq!(texts(&p.compose("raw text").unwrap().frames), ["raw text"]);
    }

    #[test]
    fn on_connect_channels_are_left_to_the_session() {
        let (mut p, t0) = (PusherAdapter::new(), Instant::now());
        incoming(&mut p, ESTABLISHED, t0);
        let news = r#"{"event":"pusher:subscribe","data":{"channel":"news"}}"#;
        let private =
            r#"{"event":"pusher:subscribe","data":{"channel":"private-me","auth":"k:sig"}}"#;
        on_connect(&mut p, news, t0);
        on_connect(&mut p, private, t0);
        run(&mut p, "subscribe", "sport", t0);
        let channels = ["news: pending", "private-me: pending", "sport: pending"];
        assert_eq!(status(&p)[1..], channels);
        for _ in 0..2 {
            assert_eq!(
                reconnect(&mut p, Some(ESTABLISHED), t0),
                [r#"{"event":"pusher:subscribe","data":{"channel":"sport"}}"#]
            );
            on_connect(&mut p, news, t0);
            on_connect(&mut p, private, t0);
            assert_eq!(status(&p)[1..], channels);
        }
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/pusher.txt");
        decode_transcript(&mut PusherAdapter::new(), transcript);
    }

    proptest! {
        #[test]
        fn never_panics(
            payloads in arb_payloads(
                &["event", "channel", "data", "socket_id", "activity_timeout", "code", "message",
                  "presence", "count", "error", "status"],
                &["pusher:connection_established", "pusher:error", "pusher:ping", "pusher:pong",
                  "pusher:subscribe", "pusher_internal:subscription_succeeded",
                  "pusher:subscription_error", "my-channel"],
            ),
        ) {
            let (mut p, t0) = (PusherAdapter::new(), Instant::now());
            let payloads = payloads.each_ref().map(Vec::as_slice);
            let commands = ["subscribe", "unsubscribe", "trigger"];
            exercise(&mut p, &payloads, &commands, t0, t0 + Duration::from_secs(4000));
        }
    }
}
