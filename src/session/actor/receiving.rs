//! Reading from the socket: data frames, pings, pongs, close frames, auth verdicts
//! and read errors.

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};

use super::sending::probe_number;
use super::{Actor, AfterClose, CLOSE_HANDSHAKE_TIMEOUT, FrameReport, Link, OpenPhase, OurClose};
use crate::session::close_code;
use crate::session::event::{ErrorKind, Event, FrameKind, MessageId};
use crate::wire::{AuthVerdict, Correlation, PayloadKind};

impl Actor {
    pub(super) async fn on_incoming(&mut self, message: Option<Result<Message, WsError>>) {
        match message {
            Some(Ok(message)) => self.on_message(message).await,
            None | Some(Err(WsError::ConnectionClosed)) | Some(Err(WsError::AlreadyClosed)) => {
                self.finish_link(None).await
            }
            Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                self.error(
                    ErrorKind::MessageTooBig,
                    format!(
                        "incoming message of {size} bytes exceeds the limit of {max_size} bytes; closed with 1009 (raise --max-message-size to accept it)"
                    ),
                )
                .await;
                self.begin_close(1009, "message too big".into(), AfterClose::Policy)
                    .await;
                self.finish_link(None).await;
            }
            // TCP ended without a close frame: a dropped link, not a protocol breach.
            Some(Err(WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake))) => {
                self.finish_link(None).await
            }
            Some(Err(WsError::Protocol(ProtocolError::InvalidCloseSequence))) => {
                self.refuse_invalid_frame(1002, "a close frame with a 1-byte payload")
                    .await
            }
            Some(Err(WsError::Utf8(detail))) if detail.starts_with("close reason") => {
                self.refuse_invalid_frame(1002, "a close frame whose reason is not UTF-8")
                    .await
            }
            Some(Err(WsError::Utf8(_))) => {
                self.refuse_invalid_frame(1007, "a text message that is not valid UTF-8")
                    .await
            }
            Some(Err(WsError::Protocol(error))) => {
                let why = format!("the peer broke the WebSocket protocol: {error}");
                self.finish_link(Some((ErrorKind::Protocol, why))).await;
            }
            Some(Err(error)) => {
                self.finish_link(Some((ErrorKind::Io, error.to_string())))
                    .await
            }
        }
    }

    pub(super) async fn on_message(&mut self, message: Message) {
        if let Message::Pong(payload) = &message
            && let Some(number) = probe_number(payload)
        {
            self.on_probe_answered(number).await;
            return;
        }
        let id = self.next_id();
        match message {
            Message::Text(text) => self.on_data(id, Bytes::from(text), PayloadKind::Text).await,
            Message::Binary(payload) => self.on_data(id, payload, PayloadKind::Binary).await,
            Message::Ping(payload) => {
                self.emit_frame(FrameReport::incoming(id, FrameKind::Ping, payload.clone()))
                    .await;
                // tungstenite queued the pong; push it out now.
                if self.flush().await {
                    let pong_id = self.next_id();
                    self.emit_frame(FrameReport::outgoing(pong_id, FrameKind::Pong, payload))
                        .await;
                }
            }
            Message::Pong(payload) => {
                self.emit_frame(FrameReport::incoming(id, FrameKind::Pong, payload.clone()))
                    .await;
                self.on_pong(&payload).await;
            }
            Message::Close(frame) => {
                let (code, reason) = match frame {
                    Some(frame) => (Some(u16::from(frame.code)), frame.reason.to_string()),
                    None => (None, String::new()),
                };
                let invalid_code = code.filter(|code| !close_code::may_be_received(*code));
                let close =
                    FrameReport::incoming(id, FrameKind::Close, Bytes::from(reason.clone()));
                self.emit_frame(close.close_code(code)).await;
                if let Link::Open(open) = &mut self.link {
                    if open.peer_close.is_none() {
                        open.peer_close = Some((code, reason));
                    }
                    // A peer that sends Close but never drops TCP must not hold us.
                    if open.close_deadline.is_none() {
                        open.close_deadline = Some(Instant::now() + CLOSE_HANDSHAKE_TIMEOUT);
                    }
                    // tungstenite answered a code that may not be sent with 1002.
                    if invalid_code.is_some() && open.our_close.is_none() {
                        open.our_close = Some(OurClose {
                            code: 1002,
                            reason: "Protocol violation".into(),
                        });
                        // A server that breaks the protocol once will again.
                        open.after_close = AfterClose::StayDisconnected;
                    }
                    // tungstenite queued the close reply; flush it so the peer sees it.
                    let _ =
                        tokio::time::timeout(CLOSE_HANDSHAKE_TIMEOUT, open.stream.flush()).await;
                }
                if let Some(code) = invalid_code {
                    self.report_invalid_close_code(code).await;
                }
            }
            Message::Frame(_) => {}
        }
    }

    /// A text or binary message: counted, judged for auth, decoded by the adapter and
    /// reported. This runs once per message under a flood, so the common case (no
    /// verdict, nothing for the adapter to send) stays synchronous up to one flush,
    /// and the rare branches are boxed to keep this future small.
    pub(super) async fn on_data(&mut self, id: MessageId, payload: Bytes, kind: PayloadKind) {
        self.stats.message_received(payload.len());
        let verdict = match kind {
            PayloadKind::Text => self.auth_verdict(&payload),
            PayloadKind::Binary => None,
        };
        let (now, timestamp) = self.read_clock();
        let mut reaction = self
            .adapter_reads_incoming
            .then(|| self.adapter.on_incoming(&payload, kind, now));
        let decoded = reaction
            .as_mut()
            .and_then(|reaction| reaction.decoded.take());
        if let Some(Correlation::Response { key, .. }) = decoded
            .as_ref()
            .and_then(|decoded| decoded.correlation.as_ref())
            && let Link::Open(open) = &mut self.link
            && open.delivery.awaits_replies()
        {
            open.delivery.answered(key);
        }
        let refused = matches!(verdict, Some(AuthVerdict::Refused))
            || reaction
                .as_ref()
                .is_some_and(|reaction| reaction.auth == Some(AuthVerdict::Refused));
        if refused {
            self.refusal_reply = Some(reply_preview(&self.redactor.payload(payload.clone())));
        }
        let to_recognise = (!self.adapter_reads_incoming
            && kind == PayloadKind::Text
            && matches!(&self.link, Link::Open(open) if open.frames_to_recognise > 0))
        .then(|| payload.clone());
        let frame = self.frame_event(
            FrameReport::incoming(id, kind.into(), payload).decoded(decoded),
            timestamp,
        );
        if self.events.push_now(frame) {
            // A full batch may wait for the consumer: later frames need a new clock.
            self.events.flush().await;
            self.step_clock = None;
        }
        if let Some(payload) = to_recognise {
            Box::pin(self.recognise_frame(&payload)).await;
        }
        if let Some(verdict) = verdict {
            // The profile's reply rules decided; the adapter's verdict on the same
            // frame would only repeat it.
            if let Some(reaction) = &mut reaction {
                reaction.auth = None;
            }
            Box::pin(self.on_verdict(verdict)).await;
        }
        if let Some(reaction) = reaction
            && (!reaction.send.is_empty()
                || reaction.auth.is_some()
                || reaction.reconnect.is_some())
        {
            Box::pin(self.on_reaction(reaction)).await;
        }
    }

    /// The server sent a frame the protocol forbids: say what it was and close with
    /// `code` (1002, or 1007 for text that is not UTF-8).
    async fn refuse_invalid_frame(&mut self, code: u16, what: &str) {
        let message = if code == 1007 {
            format!("the server sent {what}; wsdeck closed with 1007")
        } else {
            format!("the server sent an invalid close frame ({what}); wsdeck closed with {code}")
        };
        self.error(ErrorKind::Protocol, message).await;
        // A server that breaks the protocol once will again: no reconnect.
        self.fail().await;
        self.begin_close(
            code,
            close_code::name(code).into(),
            AfterClose::StayDisconnected,
        )
        .await;
    }

    /// The server's close frame carried a code that may not be sent; tungstenite
    /// answered it with 1002.
    async fn report_invalid_close_code(&mut self, code: u16) {
        self.error(
            ErrorKind::Protocol,
            format!(
                "the server sent an invalid close frame (code {code}, which may not be sent); wsdeck closed with 1002"
            ),
        )
        .await;
        self.fail().await;
        let id = self.next_id();
        let close = FrameReport::outgoing(
            id,
            FrameKind::Close,
            Bytes::from_static(b"Protocol violation"),
        );
        self.emit_frame(close.close_code(Some(1002))).await;
    }

    pub(super) fn auth_verdict(&self, payload: &Bytes) -> Option<AuthVerdict> {
        let Link::Open(open) = &self.link else {
            return None;
        };
        if !matches!(open.phase, OpenPhase::Authenticating { .. }) {
            return None;
        }
        let text = std::str::from_utf8(payload).ok()?;
        self.config.auth.reply_rules.verdict(text)
    }

    pub(super) async fn on_pong(&mut self, payload: &[u8]) {
        let Link::Open(open) = &mut self.link else {
            return;
        };
        let Some((counter, sent_at)) = open.pending_ping else {
            return;
        };
        if payload != counter.to_be_bytes() {
            return;
        }
        open.pending_ping = None;
        let rtt = self.stats.rtt(Instant::now() - sent_at);
        self.emit(Event::Rtt(rtt)).await;
    }
}

/// How much of a refusing reply the auth error quotes.
const REPLY_PREVIEW_CHARS: usize = 200;

/// A reply as one line for an error message: cut to [`REPLY_PREVIEW_CHARS`], control
/// characters escaped (the text is the server's).
fn reply_preview(payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    let mut preview: String = text
        .chars()
        .take(REPLY_PREVIEW_CHARS)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if text.chars().count() > REPLY_PREVIEW_CHARS {
        preview.push('…');
    }
    preview
}

#[cfg(test)]
mod tests {
    use super::reply_preview;
    use crate::protocol::{Reaction, adapter_for, registry};
    use crate::wire::PayloadKind;

    #[test]
    fn a_refusing_reply_is_quoted_on_one_safe_line() {
        assert_eq!(reply_preview(br#"44"unauthorized""#), r#"44"unauthorized""#);
        assert_eq!(
            reply_preview(
                b"bad]52;c;x
next"
            ),
            r"bad\u{1b}]52;c;x\u{7}\nnext"
        );
        let long = "x".repeat(500);
        assert_eq!(reply_preview(long.as_bytes()).chars().count(), 201);
    }

    /// Skipping an adapter on the receive path is only right while it really does
    /// nothing with an incoming frame.
    #[test]
    fn adapters_that_do_not_read_incoming_frames_react_with_nothing() {
        let now = std::time::Instant::now();
        let mut skipped = Vec::new();
        for name in registry::names() {
            let mut adapter = adapter_for(name).expect("a known provider");
            if adapter.reads_incoming() {
                continue;
            }
            skipped.push(*name);
            for (payload, kind) in [
                (&b"{\"type\":\"ping\",\"id\":1}"[..], PayloadKind::Text),
                (&b"2"[..], PayloadKind::Text),
                (&b"\x00\x01"[..], PayloadKind::Binary),
            ] {
                let reaction = adapter.on_incoming(payload, kind, now);
                assert_eq!(reaction, Reaction::default(), "{name}");
            }
        }
        assert_eq!(skipped, ["raw", "echo", "aws-api-gateway"]);
    }
}
