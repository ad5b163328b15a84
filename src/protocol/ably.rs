//! Ably Realtime protocol over JSON
//! (<https://ably.com/docs/client-lib-development-guide/protocol>): every frame is a
//! ProtocolMessage whose numeric `action` names it (0 HEARTBEAT, 1 ACK, 2 NACK,
//! 3 CONNECT, 4 CONNECTED, 5 DISCONNECT, 6 DISCONNECTED, 7 CLOSE, 8 CLOSED, 9 ERROR,
//! 10 ATTACH, 11 ATTACHED, 12 DETACH, 13 DETACHED, 14 PRESENCE, 15 MESSAGE, 16 SYNC,
//! 17 AUTH). CONNECTED is the handshake verdict and a connection-level ERROR refuses;
//! ATTACH/DETACH are correlated by channel and publishes by `msgSerial` (ACK/NACK);
//! attached channels are re-attached after a reconnect (those the profile's on-connect
//! messages attach are re-sent by the session instead). Decoding is the point; the
//! rest stays modest.

use std::time::Instant;

use serde_json::{Value, json};

use super::shared::{
    Resubscribe, latency_suffix, one, optional_json, split_words, str_field, value_summary,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, Outgoing, Reaction,
    StatusLine, parse_json, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};

/// Action names, by number.
const ACTIONS: [&str; 18] = [
    "heartbeat",
    "ack",
    "nack",
    "connect",
    "connected",
    "disconnect",
    "disconnected",
    "close",
    "closed",
    "error",
    "attach",
    "attached",
    "detach",
    "detached",
    "presence",
    "message",
    "sync",
    "auth",
];

/// A channel we attached.
#[derive(Debug)]
struct Channel {
    name: String,
    state: &'static str,
    messages: u64,
    /// Attached by one of the profile's on-connect messages, which the session
    /// re-sends itself: not re-attached here.
    on_connect: bool,
}

/// The `ably` adapter.
#[derive(Debug, Default)]
pub struct AblyAdapter {
    connected: bool,
    connection_id: Option<String>,
    msg_serial: u64,
    correlator: Correlator,
    channels: Vec<Channel>,
    resubscribe: Resubscribe,
}

struct Message {
    action: u64,
    name: String,
    /// The channel's full name (labels shorten it).
    channel: Option<String>,
    frame: Value,
}

fn parse(payload: &[u8]) -> Result<Message, String> {
    let frame = parse_json(payload)?;
    let action = frame
        .get("action")
        .and_then(Value::as_u64)
        .ok_or("no numeric \"action\"")?;
    let name = ACTIONS
        .get(action as usize)
        .map_or_else(|| format!("action {action}"), |name| name.to_string());
    let channel = str_field(&frame, "channel").map(str::to_string);
    Ok(Message {
        action,
        name,
        channel,
        frame,
    })
}

fn label(message: &Message) -> String {
    match &message.channel {
        Some(channel) => format!("ably {} on {}", message.name, shorten(channel, 60)),
        None => format!("ably {}", message.name),
    }
}

/// `40140: Token expired` from an ErrorInfo.
fn error_summary(error: &Value) -> String {
    let code = error.get("code").map(Value::to_string).unwrap_or_default();
    let message = str_field(error, "message").unwrap_or("");
    shorten(format!("{code}: {message}").trim_matches([' ', ':']), 80)
}

/// A message's data, decoded when its encoding says JSON.
fn message_data(message: &Value) -> Value {
    let data = message.get("data").cloned().unwrap_or(Value::Null);
    match (str_field(message, "encoding"), &data) {
        (Some("json"), Value::String(text)) => serde_json::from_str(text).unwrap_or(data),
        _ => data,
    }
}

impl AblyAdapter {
    /// A fresh adapter.
    pub fn new() -> Self {
        Self::default()
    }

    fn channel(&mut self, name: &str) -> Option<&mut Channel> {
        self.channels
            .iter_mut()
            .find(|channel| channel.name == name)
    }

    fn respond(&mut self, key: String, ok: bool, now: Instant, decoded: &mut Decoded) {
        let latency = self.correlator.response(&key, now, false);
        decoded.label.push_str(&latency_suffix(latency));
        decoded.correlation = Some(Correlation::Response {
            key,
            ok,
            latency,
            more: false,
        });
    }

    /// ACK or NACK: answers the publishes from `msgSerial` on (`count` of them).
    fn on_ack(&mut self, message: &Message, now: Instant, decoded: &mut Decoded) {
        let frame = &message.frame;
        let serial = frame.get("msgSerial").and_then(Value::as_u64).unwrap_or(0);
        let count = frame
            .get("count")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 1000);
        for extra in 1..count {
            self.correlator.response(
                &format!("serial {}", serial.saturating_add(extra)),
                now,
                false,
            );
        }
        decoded.label = format!("ably {} #{serial}", message.name);
        if count > 1 {
            decoded.summary = format!("{count} messages {}", decoded.summary)
                .trim_end()
                .into();
        }
        self.respond(
            format!("serial {serial}"),
            message.action == 1,
            now,
            decoded,
        );
    }

    /// CONNECTED: the handshake's verdict, with the connection's id and details.
    fn on_connected(&mut self, frame: &Value, reaction: &mut Reaction, decoded: &mut Decoded) {
        self.connected = true;
        reaction.auth = Some(AuthVerdict::Accepted);
        self.connection_id = str_field(frame, "connectionId").map(str::to_string);
        if let Some(id) = &self.connection_id {
            decoded.summary = format!("connection {}", shorten(id, 40));
        }
        decoded.data = frame.get("connectionDetails").cloned();
    }

    /// ATTACHED or DETACHED: the channel's new state, answering our ATTACH or DETACH.
    fn on_attachment(
        &mut self,
        attached: bool,
        channel: &str,
        now: Instant,
        decoded: &mut Decoded,
    ) {
        match self.channel(channel) {
            Some(entry) if attached => entry.state = "attached",
            Some(entry) => entry.state = "detached",
            None => {}
        }
        let verb = if attached { "attach" } else { "detach" };
        self.respond(format!("{verb} {channel}"), true, now, decoded);
    }

    /// MESSAGE: counted on its channel; the data of each message, the first one's
    /// name and data as the summary.
    fn on_messages(&mut self, frame: &Value, channel: &str, decoded: &mut Decoded) {
        let messages = frame
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(entry) = self.channel(channel) {
            entry.messages = entry.messages.saturating_add(messages.len() as u64);
        }
        let mut datas: Vec<Value> = messages.iter().map(message_data).collect();
        if let (Some(first), Some(data)) = (messages.first(), datas.first()) {
            let name = str_field(first, "name").unwrap_or("");
            let more = if messages.len() > 1 {
                format!(" (+{} more)", messages.len() - 1)
            } else {
                String::new()
            };
            let summary = format!("{name}: {}{more}", value_summary(data));
            decoded.summary = shorten(summary.trim_start_matches([':', ' ']), 80);
        }
        decoded.data = Some(match datas.len() {
            1 => datas.remove(0),
            _ => Value::Array(datas),
        });
    }
}

/// PRESENCE or SYNC: the presence messages, counted in the summary.
fn decode_presence(frame: &Value, decoded: &mut Decoded) {
    let presence = frame.get("presence").cloned().unwrap_or(Value::Null);
    let members = presence.as_array().map_or(0, Vec::len);
    decoded.summary = format!("{members} presence messages");
    decoded.data = Some(presence);
}

impl Adapter for AblyAdapter {
    fn name(&self) -> &'static str {
        "ably"
    }

    fn needs_handshake(&self) -> bool {
        true
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        let channels = self
            .resubscribe
            .resume(&self.channels, |channel| channel.on_connect);
        channels
            .into_iter()
            .map(|channel| {
                Outgoing::text(json!({"action": 10, "channel": channel.name}).to_string())
            })
            .collect()
    }

    fn sent_on_connect(&mut self, payload: &[u8], _kind: PayloadKind) {
        if let Ok(Message {
            action: 10,
            channel: Some(name),
            ..
        }) = parse(payload)
            && let Some(channel) = self.channel(&name)
        {
            channel.on_connect = true;
        }
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let message = match parse(payload) {
            Ok(message) => message,
            Err(why) => return Reaction::decoded(Decoded::malformed("ably", why)),
        };
        let frame = &message.frame;
        let error = frame.get("error").filter(|error| error.is_object());
        let mut reaction = Reaction::default();
        let mut decoded = Decoded {
            label: label(&message),
            summary: error.map(error_summary).unwrap_or_default(),
            data: error.cloned(),
            ..Decoded::default()
        };
        let channel = message.channel.clone().unwrap_or_default();
        match message.action {
            0 => decoded.heartbeat = true,
            1 | 2 => self.on_ack(&message, now, &mut decoded),
            4 => self.on_connected(frame, &mut reaction, &mut decoded),
            6 => {
                let why = error.map(error_summary).unwrap_or_default();
                reaction.reconnect = Some(format!("disconnected {why}").trim_end().into());
            }
            9 if message.channel.is_none() && !self.connected => {
                reaction.auth = Some(AuthVerdict::Refused);
            }
            9 if message.channel.is_none() => {}
            9 => {
                if let Some(entry) = self.channel(&channel) {
                    entry.state = "failed";
                }
            }
            11 | 13 => self.on_attachment(message.action == 11, &channel, now, &mut decoded),
            14 | 16 => decode_presence(frame, &mut decoded),
            15 => self.on_messages(frame, &channel, &mut decoded),
            _ => {}
        }
        reaction.decoded = Some(decoded);
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let message = match parse(payload) {
            Ok(message) => message,
            Err(why) => return Some(Decoded::malformed("ably", why)),
        };
        let channel = message.channel.clone().unwrap_or_default();
        let mut decoded = Decoded::labelled(label(&message));
        let key = match message.action {
            0 => {
                decoded.heartbeat = true;
                None
            }
            10 => {
                match self.channel(&channel) {
                    Some(entry) => entry.state = "attaching",
                    None => self.channels.push(Channel {
                        name: channel.clone(),
                        state: "attaching",
                        messages: 0,
                        on_connect: false,
                    }),
                }
                Some(format!("attach {channel}"))
            }
            12 => {
                self.channels.retain(|entry| entry.name != channel);
                Some(format!("detach {channel}"))
            }
            15 => {
                let serial = message.frame.get("msgSerial").and_then(Value::as_u64);
                if let Some(serial) = serial {
                    self.msg_serial = self.msg_serial.max(serial.saturating_add(1));
                    decoded.label.push_str(&format!(" #{serial}"));
                }
                let first = message
                    .frame
                    .get("messages")
                    .and_then(|messages| messages.get(0));
                decoded.summary = first
                    .and_then(|first| str_field(first, "name"))
                    .unwrap_or("")
                    .into();
                serial.map(|serial| format!("serial {serial}"))
            }
            _ => None,
        };
        if let Some(key) = key {
            self.correlator.request(key.clone(), now);
            decoded.correlation = Some(Correlation::Request { key });
        }
        Some(decoded)
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let (words, rest) = split_words(args, 2);
        let frame = match (name, words.as_slice()) {
            ("attach", [channel]) if rest.is_empty() => Ok(json!({"action": 10, "channel": channel})),
            ("detach", [channel]) if rest.is_empty() => Ok(json!({"action": 12, "channel": channel})),
            ("publish", [channel, event]) => optional_json(rest).map(|data| {
                let mut message = json!({ "name": event });
                match data {
                    Some(Value::String(text)) => message["data"] = json!(text),
                    Some(other) => {
                        message["data"] = json!(other.to_string());
                        message["encoding"] = json!("json");
                    }
                    None => {}
                }
                let serial = self.msg_serial;
                self.msg_serial = serial.saturating_add(1);
                json!({"action": 15, "channel": channel, "msgSerial": serial, "messages": [message]})
            }),
            ("attach" | "detach", _) => Err(ComposeError(format!("usage: :{name} CHANNEL"))),
            ("publish", _) => Err(ComposeError("usage: :publish CHANNEL NAME [JSON]".into())),
            _ => return None,
        };
        Some(frame.map(|frame| one(frame.to_string())))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (":attach CHANNEL", "ATTACH to a channel"),
            (":detach CHANNEL", "DETACH from a channel"),
            (
                ":publish CHANNEL NAME [JSON]",
                "publish a MESSAGE (acknowledged by msgSerial)",
            ),
        ]
    }

    fn on_closed(&mut self) {
        self.connected = false;
        self.connection_id = None;
        self.msg_serial = 0;
        self.correlator.clear();
        for channel in &mut self.channels {
            channel.state = "reattach";
        }
        self.resubscribe.link_closed();
    }

    fn status(&self) -> Vec<StatusLine> {
        let connection = self.connection_id.as_ref().map(|id| StatusLine {
            label: "connection".into(),
            value: id.clone(),
        });
        let channels = self.channels.iter().map(|channel| StatusLine {
            label: channel.name.clone(),
            value: format!("{} · {} messages", channel.state, channel.messages),
        });
        connection.into_iter().chain(channels).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_json, assert_bad_commands, exercise, incoming, on_connect, reconnect, status,
    };
    use proptest::prelude::*;
    use std::time::Duration;

    fn run(adapter: &mut AblyAdapter, name: &str, args: &str, now: Instant) -> String {
        crate::protocol::testing::run(adapter, name, args, now).remove(0)
    }

    #[test]
    fn connection_verdicts_and_heartbeats() {
        let (mut ably, t0) = (AblyAdapter::new(), Instant::now());
        assert!(ably.needs_handshake());
        let refused = r#"{"action":9,"error":{"code":40101,"statusCode":401,"message":"Invalid credentials"}}"#;
        let r = incoming(&mut ably, refused, t0);
        assert_eq!(r.auth, Some(AuthVerdict::Refused));
        let decoded = r.decoded.unwrap();
        assert_eq!(
            (decoded.label.as_str(), decoded.summary.as_str()),
            ("ably error", "40101: Invalid credentials")
        );
        let connected =
            r#"{"action":4,"connectionId":"abc","connectionDetails":{"maxIdleInterval":15000}}"#;
        let r = incoming(&mut ably, connected, t0);
        assert_eq!(r.auth, Some(AuthVerdict::Accepted));
        let decoded = r.decoded.unwrap();
        assert_eq!(
            (decoded.label.as_str(), decoded.summary.as_str()),
            ("ably connected", "connection abc")
        );
        assert_eq!(ably.status()[0].value, "abc");
        assert!(
            incoming(&mut ably, r#"{"action":0}"#, t0)
                .decoded
                .unwrap()
                .heartbeat
        );
        assert_eq!(incoming(&mut ably, refused, t0).auth, None);
        let r = incoming(
            &mut ably,
            r#"{"action":6,"error":{"code":80003,"message":"gone"}}"#,
            t0,
        );
        assert_eq!(r.reconnect.as_deref(), Some("disconnected 80003: gone"));
        assert_eq!(
            incoming(&mut ably, r#"{"action":42}"#, t0)
                .decoded
                .unwrap()
                .label,
            "ably action 42"
        );
    }

    #[test]
    fn attach_publish_and_messages() {
        let (mut ably, t0) = (AblyAdapter::new(), Instant::now());
        assert_eq!(
            run(&mut ably, "attach", "chat", t0),
            r#"{"action":10,"channel":"chat"}"#
        );
        assert_eq!(ably.status()[0].value, "attaching · 0 messages");
        let later = t0 + Duration::from_millis(8);
        let decoded = incoming(&mut ably, r#"{"action":11,"channel":"chat"}"#, later)
            .decoded
            .unwrap();
        assert_eq!(decoded.label, "ably attached on chat 8 ms");
        assert!(matches!(
            decoded.correlation,
            Some(Correlation::Response { ok: true, .. })
        ));
        let frame = run(&mut ably, "publish", r#"chat greeting {"text":"hi"}"#, t0);
        assert_eq!(
            frame,
            r#"{"action":15,"channel":"chat","msgSerial":0,"messages":[{"name":"greeting","data":"{\"text\":\"hi\"}","encoding":"json"}]}"#
        );
        let frame = run(&mut ably, "publish", r#"chat note "plain""#, t0);
        assert!(frame.contains(r#""msgSerial":1,"messages":[{"name":"note","data":"plain"}]"#));
        let ack = incoming(&mut ably, r#"{"action":1,"msgSerial":0,"count":2}"#, later)
            .decoded
            .unwrap();
        assert_eq!(
            (ack.label.as_str(), ack.summary.as_str()),
            ("ably ack #0 8 ms", "2 messages")
        );
        let nack = incoming(
            &mut ably,
            r#"{"action":2,"msgSerial":1,"error":{"code":40160,"message":"denied"}}"#,
            t0,
        );
        let nack = nack.decoded.unwrap();
        assert_eq!(nack.label, "ably nack #1");
        assert!(matches!(
            nack.correlation,
            Some(Correlation::Response { ok: false, .. })
        ));
        let pushed = r#"{"action":15,"channel":"chat","messages":[{"name":"greeting","data":"{\"text\":\"hi\"}","encoding":"json"},{"name":"x","data":"y"}]}"#;
        let decoded = incoming(&mut ably, pushed, t0).decoded.unwrap();
        assert_eq!(decoded.label, "ably message on chat");
        assert_eq!(decoded.summary, r#"greeting: {"text":"hi"} (+1 more)"#);
        assert_eq!(decoded.data, Some(json!([{"text":"hi"}, "y"])));
        assert_eq!(ably.status()[0].value, "attached · 2 messages");
        let presence = incoming(
            &mut ably,
            r#"{"action":14,"channel":"chat","presence":[{"action":2}]}"#,
            t0,
        );
        assert_eq!(presence.decoded.unwrap().summary, "1 presence messages");
        let failed = r#"{"action":9,"channel":"chat","error":{"code":40160,"message":"no"}}"#;
        assert_eq!(incoming(&mut ably, failed, t0).auth, None);
        assert_eq!(ably.status()[0].value, "failed · 2 messages");
        assert_eq!(
            run(&mut ably, "detach", "chat", t0),
            r#"{"action":12,"channel":"chat"}"#
        );
        let decoded = incoming(&mut ably, r#"{"action":13,"channel":"chat"}"#, t0)
            .decoded
            .unwrap();
        assert_eq!(decoded.label, "ably detached on chat 0 ms");
        assert!(ably.status().is_empty());
        assert_bad_commands(
            &mut ably,
            &[
                ("attach", ""),
                ("detach", "a b"),
                ("publish", "a"),
                ("publish", "a b {"),
            ],
        );
    }

    #[test]
    fn reattaches_after_reconnect() {
        let (mut ably, t0) = (AblyAdapter::new(), Instant::now());
        assert!(ably.on_ready(t0).is_empty());
        run(&mut ably, "attach", "chat", t0);
        run(&mut ably, "publish", "chat a 1", t0);
        ably.on_closed();
        assert_eq!(ably.status()[0].value, "reattach · 0 messages");
        let frames = ably.on_ready(t0);
        assert_eq!(frames[0].payload, r#"{"action":10,"channel":"chat"}"#);
        assert!(ably.on_ready(t0).is_empty());
        assert!(run(&mut ably, "publish", "chat a 1", t0).contains(r#""msgSerial":0"#));
    }

    #[test]
    fn on_connect_channels_are_left_to_the_session() {
        let (mut ably, t0) = (AblyAdapter::new(), Instant::now());
        let connected = r#"{"action":4,"connectionId":"abc"}"#;
        incoming(&mut ably, connected, t0);
        let news = r#"{"action":10,"channel":"news"}"#;
        on_connect(&mut ably, news, t0);
        let long = "x".repeat(70);
        let attach_long = run(&mut ably, "attach", &long, t0);
        assert_eq!(
            attach_long,
            format!(r#"{{"action":10,"channel":"{long}"}}"#)
        );
        let attaching = [
            "connection: abc".to_string(),
            "news: attaching · 0 messages".into(),
            format!("{long}: attaching · 0 messages"),
        ];
        assert_eq!(status(&ably), attaching);
        for _ in 0..2 {
            // The user's channel is re-attached under its full name, not the label's.
            assert_eq!(
                reconnect(&mut ably, Some(connected), t0),
                [attach_long.as_str()]
            );
            on_connect(&mut ably, news, t0);
            assert_eq!(status(&ably), attaching);
        }
    }

    #[test]
    fn malformed_frames() {
        let (mut ably, t0) = (AblyAdapter::new(), Instant::now());
        for bad in ["x", "[]", "{}", r#"{"action":"4"}"#, r#"{"action":-1}"#] {
            assert_eq!(
                incoming(&mut ably, bad, t0).decoded.unwrap().label,
                "ably malformed",
                "{bad}"
            );
        }
        assert!(ably.on_outgoing(b"{}", TEXT, t0).unwrap().error.is_some());
        assert!(
            ably.on_outgoing(br#"{"action":0}"#, TEXT, t0)
                .unwrap()
                .heartbeat
        );
        assert_eq!(ably.compose("raw").unwrap().frames[0].payload, "raw");
    }

    proptest! {
        #[test]
        fn never_panics(
            bytes in prop::collection::vec(any::<u8>(), 0..64),
            text in "\\PC{0,40}",
            action in 0u64..20,
            json in arb_json(
                &["channel", "msgSerial", "count", "error", "code", "message", "messages", "name",
                  "data", "encoding", "presence", "connectionId"],
                &["chat", "json", "greeting"],
            ),
        ) {
            let (mut ably, t0) = (AblyAdapter::new(), Instant::now());
            let mut frame = json.clone();
            if let Value::Object(map) = &mut frame {
                map.insert("action".into(), json!(action));
            }
            let (json, frame) = (json.to_string(), frame.to_string());
            let payloads = [&bytes[..], text.as_bytes(), json.as_bytes(), frame.as_bytes()];
            exercise(&mut ably, &payloads, &["attach", "detach", "publish"], t0, t0);
        }
    }
}
