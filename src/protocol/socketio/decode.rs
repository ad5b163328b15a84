//! What each frame means, for the log: labels and summaries of Engine.IO and
//! Socket.IO packets, acks correlated with their events (and their latency), the
//! namespace verdict, and binary attachments counted against the packet that
//! announced them.

use std::time::Instant;

use serde_json::Value;

use super::packet::{Packet, parse_packet};
use super::version::Eio;
use super::{PROTOCOL, SocketIoAdapter};
use crate::protocol::correlate::format_latency;
use crate::protocol::{Correlation, Decoded, shorten};
use crate::wire::AuthVerdict;

/// Width of event and ack summaries.
const SUMMARY_CHARS: usize = 80;

/// A decode with a label, summary and data.
pub(super) fn decoded(label: impl Into<String>, summary: String, data: Option<Value>) -> Decoded {
    Decoded {
        label: label.into(),
        summary,
        data,
        ..Decoded::default()
    }
}

/// Adds `note` to a decode's error (after any error it has).
pub(super) fn add_error(decoded: &mut Decoded, note: &str) {
    decoded.error = Some(match decoded.error.take() {
        Some(error) => format!("{error}; {note}"),
        None => note.to_string(),
    });
}

/// Binary attachments announced by a `45`/`46` packet and not yet seen.
#[derive(Debug)]
pub(super) struct Attachments {
    /// What they belong to: `"name"` or `ack #N`.
    of: String,
    seen: u64,
    total: u64,
}

impl SocketIoAdapter {
    /// A binary frame: the next attachment of the packet that announced it.
    pub(super) fn attachment(&mut self, payload: &[u8], incoming: bool) -> Decoded {
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

    /// Decodes an Engine.IO packet in either direction, apart from the incoming
    /// open and ping, which need replies.
    pub(super) fn decode_engine(
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

    /// Decodes one Socket.IO packet (the text after the Engine.IO `4`), with the
    /// verdict it carries on our namespace, if any.
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
        match packet.kind {
            0 if incoming => {
                let sid = packet
                    .data
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
                (decoded("sio connected", summary, packet.data), verdict)
            }
            // Ours carries the auth payload, maybe a token: keep it out of `data`.
            0 => (decoded("sio connect", namespace, None), None),
            1 => (decoded("sio disconnect", namespace, None), None),
            2 | 3 | 5 | 6 => (self.decode_message(packet, &namespace, incoming, now), None),
            _ => {
                // 4: CONNECT_ERROR, `{"message":…}` (a bare string from older servers).
                let data = packet.data;
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

    /// An event or ack (`2`, `3`, and their binary forms `5`, `6`): its name or ack
    /// id, correlation, arguments, and the attachments it announces.
    fn decode_message(
        &mut self,
        packet: Packet<'_>,
        namespace: &str,
        incoming: bool,
        now: Instant,
    ) -> Decoded {
        let (kind, ack) = (packet.kind, packet.ack);
        let Some(Value::Array(mut args)) = packet.data else {
            return Decoded::malformed(PROTOCOL, "event or ack payload must be a JSON array");
        };
        let event = kind == 2 || kind == 5;
        let (mut label, of) = match (event, args.first(), ack) {
            (true, Some(Value::String(_)), _) => {
                let name = args.remove(0);
                (format!("sio event {name}"), name.to_string())
            }
            (false, _, Some(ack)) => (format!("sio ack #{ack}"), format!("ack #{ack}")),
            (true, ..) => {
                let why = "event payload must be [\"name\", args…]";
                return Decoded::malformed(PROTOCOL, why);
            }
            (false, ..) => return Decoded::malformed(PROTOCOL, "ack without an id"),
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
        let mut summary = format!("{namespace}{}", shorten(&args.to_string(), SUMMARY_CHARS));
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
        Decoded {
            correlation,
            ..decoded(label, summary, Some(args))
        }
    }
}
