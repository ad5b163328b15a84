//! Rails Action Cable, subprotocol `actioncable-v1-json`
//! (<https://docs.anycable.io/misc/action_cable_protocol>): `{"type":"welcome"}` is
//! the handshake verdict (a `disconnect` before it, without `reconnect`, refuses);
//! the server's `ping` every few seconds is a heartbeat needing no reply;
//! subscriptions are named by an identifier that is itself a JSON *string*
//! (`"{\"channel\":\"ChatChannel\"}"`), correlated with `confirm_subscription` or
//! `reject_subscription` and re-sent after a reconnect (except those the profile's
//! on-connect messages make, which the session re-sends); channel data arrives as
//! `{"identifier":…,"message":…}`; actions go out as `message` commands whose
//! `data` is a JSON string holding `action`.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::shared::{
    Resubscribe, latency_suffix, one, parse_object, str_field, value_summary, words_then_json,
};
use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, Outgoing, Reaction,
    StatusLine, parse_json, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};

/// A subscription, by identifier.
#[derive(Debug)]
struct Subscription {
    identifier: String,
    confirmed: bool,
    messages: u64,
    /// Made by one of the profile's on-connect messages, which the session re-sends
    /// itself: not restored.
    on_connect: bool,
}

/// The `action-cable` adapter.
#[derive(Debug, Default)]
pub struct ActionCableAdapter {
    welcomed: bool,
    subscriptions: Vec<Subscription>,
    correlator: Correlator,
    resubscribe: Resubscribe,
}

/// The channel an identifier names (`ChatChannel`), or the identifier itself.
fn channel_of(identifier: &str) -> String {
    let parsed = serde_json::from_str::<Value>(identifier).ok();
    let channel = parsed
        .as_ref()
        .and_then(|value| str_field(value, "channel"));
    shorten(channel.unwrap_or(identifier), 60)
}

/// The identifier for `channel` with extra `params` (`{"channel":"Chat","room":1}`).
fn identifier(channel: &str, params: Option<Value>) -> Result<String, ComposeError> {
    let mut map = Map::new();
    map.insert("channel".into(), json!(channel));
    match params {
        None => {}
        Some(Value::Object(params)) => map.extend(params),
        Some(_) => return Err(ComposeError("channel params must be a JSON object".into())),
    }
    Ok(Value::Object(map).to_string())
}

fn command_frame(command: &str, identifier: &str) -> String {
    json!({ "command": command, "identifier": identifier }).to_string()
}

impl ActionCableAdapter {
    /// A fresh adapter.
    pub fn new() -> Self {
        Self::default()
    }

    fn subscription(&mut self, identifier: &str) -> Option<&mut Subscription> {
        self.subscriptions
            .iter_mut()
            .find(|sub| sub.identifier == identifier)
    }

    /// The identifier of a subscription to `channel` (first match), or a bare one.
    fn identifier_for(&self, channel: &str) -> String {
        self.subscriptions
            .iter()
            .find(|sub| sub.identifier == channel || channel_of(&sub.identifier) == channel)
            .map(|sub| sub.identifier.clone())
            .unwrap_or_else(|| json!({ "channel": channel }).to_string())
    }

    fn typed(
        &mut self,
        frame: &Value,
        kind: &str,
        now: Instant,
        reaction: &mut Reaction,
    ) -> Decoded {
        let identifier = str_field(frame, "identifier");
        match (kind, identifier) {
            ("welcome", _) => {
                self.welcomed = true;
                reaction.auth = Some(AuthVerdict::Accepted);
                Decoded {
                    summary: str_field(frame, "sid")
                        .map(|sid| format!("sid {sid}"))
                        .unwrap_or_default(),
                    ..Decoded::labelled("cable welcome")
                }
            }
            ("ping", _) => Decoded {
                summary: frame.get("message").map(value_summary).unwrap_or_default(),
                heartbeat: true,
                ..Decoded::labelled("cable ping")
            },
            ("disconnect", _) => {
                let reason = str_field(frame, "reason").unwrap_or("");
                if frame.get("reconnect").and_then(Value::as_bool) == Some(true) {
                    reaction.reconnect = Some(format!("disconnect: {reason}"));
                } else if !self.welcomed {
                    reaction.auth = Some(AuthVerdict::Refused);
                }
                Decoded::labelled(format!("cable disconnect {}", shorten(reason, 40)).trim_end())
            }
            ("confirm_subscription" | "reject_subscription", Some(identifier)) => {
                let ok = kind == "confirm_subscription";
                if ok {
                    if let Some(sub) = self.subscription(identifier) {
                        sub.confirmed = true;
                    }
                } else {
                    self.subscriptions
                        .retain(|sub| sub.identifier != identifier);
                }
                let latency = self.correlator.response(identifier, now, false);
                Decoded {
                    label: format!(
                        "cable {kind} {}{}",
                        channel_of(identifier),
                        latency_suffix(latency)
                    ),
                    correlation: Some(Correlation::Response {
                        key: identifier.to_string(),
                        ok,
                        latency,
                        more: false,
                    }),
                    ..Decoded::default()
                }
            }
            ("confirm_subscription" | "reject_subscription", None) => {
                Decoded::malformed("cable", format!("{kind} without an identifier"))
            }
            (other, _) => Decoded::labelled(format!("cable {}", shorten(other, 40))),
        }
    }
}

impl Adapter for ActionCableAdapter {
    fn name(&self) -> &'static str {
        "action-cable"
    }

    fn needs_handshake(&self) -> bool {
        true
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        let subscriptions = self
            .resubscribe
            .resume(&self.subscriptions, |sub| sub.on_connect);
        subscriptions
            .into_iter()
            .map(|sub| Outgoing::text(command_frame("subscribe", &sub.identifier)))
            .collect()
    }

    fn sent_on_connect(&mut self, payload: &[u8], _kind: PayloadKind) {
        if let Ok(frame) = parse_json(payload)
            && str_field(&frame, "command") == Some("subscribe")
            && let Some(identifier) = str_field(&frame, "identifier")
            && let Some(sub) = self.subscription(identifier)
        {
            sub.on_connect = true;
        }
    }

    fn on_incoming(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Reaction {
        let frame = match parse_object(payload) {
            Ok(frame) => frame,
            Err(why) => return Reaction::decoded(Decoded::malformed("cable", why)),
        };
        let mut reaction = Reaction::default();
        let decoded = if let Some(kind) = str_field(&frame, "type") {
            self.typed(&frame, kind, now, &mut reaction)
        } else if let (Some(identifier), Some(message)) =
            (str_field(&frame, "identifier"), frame.get("message"))
        {
            if let Some(sub) = self.subscription(identifier) {
                sub.messages = sub.messages.saturating_add(1);
            }
            Decoded {
                label: format!("cable message {}", channel_of(identifier)),
                summary: value_summary(message),
                data: Some(message.clone()),
                ..Decoded::default()
            }
        } else {
            Decoded::malformed("cable", "neither a type nor an identifier with a message")
        };
        reaction.decoded = Some(decoded);
        reaction
    }

    fn on_outgoing(&mut self, payload: &[u8], _kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let frame = match parse_json(payload) {
            Ok(frame) => frame,
            Err(why) => return Some(Decoded::malformed("cable", why)),
        };
        let Some(command) = str_field(&frame, "command") else {
            return Some(Decoded::malformed("cable", "no \"command\""));
        };
        let identifier = str_field(&frame, "identifier").unwrap_or("").to_string();
        let channel = channel_of(&identifier);
        let decoded = match command {
            "subscribe" => {
                self.correlator.request(identifier.clone(), now);
                if self.subscription(&identifier).is_none() {
                    self.subscriptions.push(Subscription {
                        identifier: identifier.clone(),
                        confirmed: false,
                        messages: 0,
                        on_connect: false,
                    });
                }
                Decoded {
                    label: format!("cable subscribe {channel}"),
                    correlation: Some(Correlation::Request { key: identifier }),
                    ..Decoded::default()
                }
            }
            "unsubscribe" => {
                self.subscriptions
                    .retain(|sub| sub.identifier != identifier);
                Decoded::labelled(format!("cable unsubscribe {channel}"))
            }
            "message" => {
                let data = match frame.get("data") {
                    Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
                    Some(other) => other.clone(),
                    None => Value::Null,
                };
                let action = str_field(&data, "action").map(|action| shorten(action, 40));
                Decoded {
                    label: format!("cable perform {channel} {}", action.unwrap_or_default())
                        .trim_end()
                        .into(),
                    summary: value_summary(&data),
                    ..Decoded::default()
                }
            }
            other => Decoded::labelled(format!("cable {}", shorten(other, 40))),
        };
        Some(decoded)
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let words = if name == "perform" { 2 } else { 1 };
        let (split, json) = match words_then_json(args, words) {
            Ok(parsed) => parsed,
            Err(error) => return Some(Err(error)),
        };
        let frame = match (name, split.as_slice(), json) {
            ("subscribe", [channel], params) => identifier(channel, params)
                .map(|identifier| command_frame("subscribe", &identifier)),
            ("unsubscribe", [channel], None) => {
                Ok(command_frame("unsubscribe", &self.identifier_for(channel)))
            }
            ("perform", [channel, action], params) => {
                let mut data = Map::new();
                data.insert("action".into(), json!(action));
                match params {
                    None => Ok(()),
                    Some(Value::Object(params)) => {
                        data.extend(params);
                        Ok(())
                    }
                    Some(_) => Err(ComposeError("action data must be a JSON object".into())),
                }
                .map(|()| {
                    let identifier = self.identifier_for(channel);
                    let data = Value::Object(data).to_string();
                    json!({ "command": "message", "identifier": identifier, "data": data })
                        .to_string()
                })
            }
            ("subscribe", ..) => Err(ComposeError(
                "usage: :subscribe CHANNEL [JSON params]".into(),
            )),
            ("unsubscribe", ..) => Err(ComposeError("usage: :unsubscribe CHANNEL".into())),
            ("perform", ..) => Err(ComposeError("usage: :perform CHANNEL ACTION [JSON]".into())),
            _ => return None,
        };
        Some(frame.map(one))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ":subscribe CHANNEL [JSON]",
                "subscribe to a channel, with identifier params",
            ),
            (":unsubscribe CHANNEL", "unsubscribe from a channel"),
            (
                ":perform CHANNEL ACTION [JSON]",
                "call a channel action with data",
            ),
        ]
    }

    fn on_closed(&mut self) {
        self.welcomed = false;
        self.correlator.clear();
        for sub in &mut self.subscriptions {
            sub.confirmed = false;
        }
        self.resubscribe.link_closed();
    }

    fn status(&self) -> Vec<StatusLine> {
        self.subscriptions
            .iter()
            .map(|sub| StatusLine {
                label: channel_of(&sub.identifier),
                value: if sub.confirmed {
                    format!("confirmed · {} messages", sub.messages)
                } else {
                    "pending".into()
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::testing::{
        TEXT, arb_payloads, assert_bad_commands, decode_transcript, exercise, incoming, on_connect,
        reconnect, status,
    };
    use proptest::prelude::*;
    use std::time::Duration;

    const CHAT: &str = r#"{\"channel\":\"ChatChannel\"}"#;

    fn run(adapter: &mut ActionCableAdapter, name: &str, args: &str, now: Instant) -> String {
        crate::protocol::testing::run(adapter, name, args, now).remove(0)
    }

    #[test]
    fn welcome_ping_and_disconnect() {
        let (mut cable, t0) = (ActionCableAdapter::new(), Instant::now());
        assert!(cable.needs_handshake());
        let r = incoming(
            &mut cable,
            r#"{"type":"disconnect","reason":"unauthorized","reconnect":false}"#,
            t0,
        );
        assert_eq!((r.auth, r.reconnect), (Some(AuthVerdict::Refused), None));
        assert_eq!(r.decoded.unwrap().label, "cable disconnect unauthorized");
        let r = incoming(&mut cable, r#"{"type":"welcome","sid":"abc"}"#, t0);
        assert_eq!(r.auth, Some(AuthVerdict::Accepted));
        assert_eq!(r.decoded.unwrap().summary, "sid abc");
        let r = incoming(&mut cable, r#"{"type":"ping","message":1510045843}"#, t0);
        let decoded = r.decoded.unwrap();
        assert!(decoded.heartbeat && r.send.is_empty());
        assert_eq!(
            (decoded.label.as_str(), decoded.summary.as_str()),
            ("cable ping", "1510045843")
        );
        let r = incoming(
            &mut cable,
            r#"{"type":"disconnect","reason":"server_restart","reconnect":true}"#,
            t0,
        );
        assert_eq!(r.reconnect.as_deref(), Some("disconnect: server_restart"));
        let r = incoming(
            &mut cable,
            r#"{"type":"disconnect","reason":"remote","reconnect":false}"#,
            t0,
        );
        assert_eq!((r.auth, r.reconnect), (None, None));
    }

    #[test]
    fn subscriptions_messages_and_actions() {
        let (mut cable, t0) = (ActionCableAdapter::new(), Instant::now());
        let frame = run(&mut cable, "subscribe", "ChatChannel", t0);
        assert_eq!(
            frame,
            format!(r#"{{"command":"subscribe","identifier":"{CHAT}"}}"#)
        );
        let out = cable.on_outgoing(frame.as_bytes(), TEXT, t0).unwrap();
        assert_eq!(out.label, "cable subscribe ChatChannel");
        assert_eq!(cable.status()[0].value, "pending");
        let confirm = format!(r#"{{"identifier":"{CHAT}","type":"confirm_subscription"}}"#);
        let decoded = incoming(&mut cable, &confirm, t0 + Duration::from_millis(7))
            .decoded
            .unwrap();
        assert_eq!(decoded.label, "cable confirm_subscription ChatChannel 7 ms");
        assert!(matches!(
            decoded.correlation,
            Some(Correlation::Response { ok: true, .. })
        ));
        let message = format!(r#"{{"identifier":"{CHAT}","message":{{"text":"hi"}}}}"#);
        let decoded = incoming(&mut cable, &message, t0).decoded.unwrap();
        assert_eq!(decoded.label, "cable message ChatChannel");
        assert_eq!(decoded.data, Some(json!({"text":"hi"})));
        assert_eq!(cable.status()[0].value, "confirmed · 1 messages");
        let frame = run(
            &mut cable,
            "perform",
            r#"ChatChannel speak {"text":"hello"}"#,
            t0,
        );
        assert_eq!(
            frame,
            format!(
                r#"{{"command":"message","identifier":"{CHAT}","data":"{{\"action\":\"speak\",\"text\":\"hello\"}}"}}"#
            )
        );
        assert_eq!(
            cable.on_outgoing(frame.as_bytes(), TEXT, t0).unwrap().label,
            "cable perform ChatChannel speak"
        );
        let frame = run(&mut cable, "subscribe", r#"RoomChannel {"room":1}"#, t0);
        assert!(frame.contains(r#"{\"channel\":\"RoomChannel\",\"room\":1}"#));
        let reject = r#"{"identifier":"{\"channel\":\"RoomChannel\",\"room\":1}","type":"reject_subscription"}"#;
        let decoded = incoming(&mut cable, reject, t0).decoded.unwrap();
        assert!(
            decoded
                .label
                .starts_with("cable reject_subscription RoomChannel")
        );
        assert!(matches!(
            decoded.correlation,
            Some(Correlation::Response { ok: false, .. })
        ));
        assert_eq!(cable.status().len(), 1);
        let frame = run(&mut cable, "unsubscribe", "ChatChannel", t0);
        assert_eq!(
            frame,
            format!(r#"{{"command":"unsubscribe","identifier":"{CHAT}"}}"#)
        );
        assert!(cable.status().is_empty());
        assert_bad_commands(
            &mut cable,
            &[
                ("subscribe", ""),
                ("subscribe", "A [1]"),
                ("unsubscribe", "A {}"),
                ("perform", "A"),
                ("perform", "A b 1"),
            ],
        );
    }

    #[test]
    fn resubscribes_after_reconnect() {
        let (mut cable, t0) = (ActionCableAdapter::new(), Instant::now());
        assert!(cable.on_ready(t0).is_empty());
        run(&mut cable, "subscribe", "ChatChannel", t0);
        cable.on_closed();
        let frames = cable.on_ready(t0);
        assert_eq!(
            frames[0].payload,
            format!(r#"{{"command":"subscribe","identifier":"{CHAT}"}}"#)
        );
        assert!(cable.on_ready(t0).is_empty());
    }

    #[test]
    fn malformed_frames() {
        let (mut cable, t0) = (ActionCableAdapter::new(), Instant::now());
        for bad in [
            "x",
            "[]",
            r#"{"message":1}"#,
            r#"{"type":"confirm_subscription"}"#,
        ] {
            assert_eq!(
                incoming(&mut cable, bad, t0).decoded.unwrap().label,
                "cable malformed",
                "{bad}"
            );
        }
        assert!(cable.on_outgoing(b"{}", TEXT, t0).unwrap().error.is_some());
        let odd = br#"{"identifier":"not json","message":"m"}"#;
        assert_eq!(
            cable.on_incoming(odd, TEXT, t0).decoded.unwrap().label,
            "cable message not json"
        );
    }

    #[test]
    fn on_connect_subscriptions_are_left_to_the_session() {
        let (mut cable, t0) = (ActionCableAdapter::new(), Instant::now());
        let welcome = r#"{"type":"welcome"}"#;
        incoming(&mut cable, welcome, t0);
        let chat = format!(r#"{{"command":"subscribe","identifier":"{CHAT}"}}"#);
        on_connect(&mut cable, &chat, t0);
        let room = run(&mut cable, "subscribe", r#"RoomChannel {"room":1}"#, t0);
        let pending = ["ChatChannel: pending", "RoomChannel: pending"];
        assert_eq!(status(&cable), pending);
        for _ in 0..2 {
            assert_eq!(reconnect(&mut cable, Some(welcome), t0), [room.as_str()]);
            on_connect(&mut cable, &chat, t0);
            assert_eq!(status(&cable), pending);
        }
    }

    #[test]
    fn transcript_decodes() {
        let transcript = include_str!("../../tests/fixtures/transcripts/action_cable.txt");
        decode_transcript(&mut ActionCableAdapter::new(), transcript);
    }

    proptest! {
        #[test]
        fn never_panics(
            payloads in arb_payloads(
                &["type", "identifier", "message", "command", "data", "reason", "reconnect",
                  "channel", "action"],
                &["welcome", "ping", "disconnect", "confirm_subscription", "reject_subscription",
                  "subscribe", "unsubscribe", "message", "ChatChannel"],
            ),
        ) {
            let (mut cable, t0) = (ActionCableAdapter::new(), Instant::now());
            let payloads = payloads.each_ref().map(Vec::as_slice);
            exercise(&mut cable, &payloads, &["subscribe", "unsubscribe", "perform"], t0, t0);
        }
    }
}
