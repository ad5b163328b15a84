//! The protocol adapter inside the actor: handshake frames when a link opens,
//! automatic replies, handshake verdicts, app-level heartbeats, composer text and
//! shortcuts turned into frames, and the adapter's status for the state pane.

use bytes::Bytes;
use tokio::time::Instant;

use super::{Actor, FrameReport, Link, OpenPhase};
use crate::protocol::{ComposeError, Composed, OpenContext, Outgoing, Reaction};
use crate::session::event::{ErrorKind, Event, MessageId};
use crate::wire::{Decoded, PayloadKind};

impl Actor {
    /// Sends the adapter's opening frames; true when the session must then wait for
    /// the adapter's handshake verdict before it is ready.
    pub(super) async fn adapter_open(&mut self) -> bool {
        let context = OpenContext {
            token: self
                .config
                .auth
                .token
                .as_ref()
                .map(|token| token.expose().to_string()),
            handshake_payload: self.config.handshake_payload.clone(),
            namespace: self.config.namespace.clone(),
            reconnect: self.opened_before,
            url: Some(self.config.auth.url_with_token(&self.config.url)),
        };
        self.opened_before = true;
        let frames = self.adapter.on_open(&context, Instant::now().into_std());
        self.write_adapter_frames(frames, false).await;
        self.adapter.needs_handshake()
    }

    /// Writes frames the adapter asked for, straight to the socket (they are part of
    /// the protocol, so neither the queue nor the rate limit holds them back).
    /// `reply` marks automatic replies, shown dimmed. False when the link broke.
    pub(super) async fn write_adapter_frames(
        &mut self,
        frames: Vec<Outgoing>,
        reply: bool,
    ) -> bool {
        for frame in frames {
            if !matches!(self.link, Link::Open(_)) {
                return false;
            }
            let id = self.next_id();
            let reply = reply || frame.automatic;
            if !self
                .write(Self::data_message(&frame.payload, frame.kind))
                .await
            {
                return false;
            }
            self.stats.message_sent(frame.payload.len());
            let mut decoded = self.decode_outgoing(&frame.payload, frame.kind);
            if reply && let Some(decoded) = &mut decoded {
                decoded.heartbeat = true;
            }
            let report = FrameReport::outgoing(id, frame.kind.into(), frame.payload);
            self.emit_frame(report.decoded(decoded)).await;
        }
        true
    }

    /// Sends one of the profile's on-connect messages through the adapter: it may
    /// number it first (Home Assistant ids increase within a connection), and marks
    /// what the message starts as the profile's, so that after a reconnect it is sent
    /// again by us and not also resumed by the adapter. False when the link broke.
    pub(super) async fn write_on_connect(&mut self, payload: Bytes, kind: PayloadKind) -> bool {
        let payload = self.adapter.prepare_on_connect(payload, kind);
        let id = self.next_id();
        if !self.write_data(id, payload.clone(), kind).await {
            return false;
        }
        self.adapter.sent_on_connect(&payload, kind);
        true
    }

    /// The adapter's reading of a frame we send (and its correlation bookkeeping).
    pub(super) fn decode_outgoing(&mut self, payload: &[u8], kind: PayloadKind) -> Option<Decoded> {
        self.adapter
            .on_outgoing(payload, kind, Instant::now().into_std())
    }

    /// Acts on what the adapter said about an incoming frame or a timer: replies,
    /// the handshake verdict, a reconnect the protocol asks for.
    pub(super) async fn on_reaction(&mut self, reaction: Reaction) {
        let Reaction {
            send,
            auth,
            reconnect,
            ..
        } = reaction;
        if !send.is_empty() && !self.write_adapter_frames(send, false).await {
            return;
        }
        if let Some(verdict) = auth
            && self.awaiting_auth()
        {
            self.on_verdict(verdict).await;
        }
        if let Some(why) = reconnect {
            self.link_failed(format!("{}: {why}", self.adapter.name()))
                .await;
        }
    }

    /// Whether the open link waits for a handshake or auth verdict.
    pub(super) fn awaiting_auth(&self) -> bool {
        matches!(&self.link, Link::Open(open) if matches!(open.phase, OpenPhase::Authenticating { .. }))
    }

    /// Turns composer text into frames and queues them; the first keeps `id`.
    pub(super) async fn on_compose(&mut self, id: MessageId, text: String) {
        let composed = self.adapter.compose(&text);
        self.queue_composed(id, composed).await;
    }

    /// Runs an adapter shortcut and queues what it makes.
    pub(super) async fn on_shortcut(&mut self, id: MessageId, name: String, args: String) {
        let composed = self.adapter.command(&name, &args).unwrap_or_else(|| {
            let known: Vec<&str> = self
                .adapter
                .commands()
                .iter()
                .map(|(usage, _)| *usage)
                .collect();
            let hint = if known.is_empty() {
                format!("the {} provider has no shortcuts", self.adapter.name())
            } else {
                format!("{} shortcuts: {}", self.adapter.name(), known.join(", "))
            };
            Err(ComposeError(format!("unknown command :{name}; {hint}")))
        });
        self.queue_composed(id, composed).await;
    }

    async fn queue_composed(&mut self, id: MessageId, composed: Result<Composed, ComposeError>) {
        match composed {
            Ok(Composed { frames }) if !frames.is_empty() => {
                let mut next = Some(id);
                for frame in frames {
                    let frame_id = next.take().unwrap_or_else(|| self.next_id());
                    self.on_send(frame_id, frame.payload, frame.kind).await;
                }
            }
            Ok(_) => {
                let message = "nothing to send".to_string();
                self.emit(Event::SendFailed {
                    id,
                    kind: ErrorKind::InvalidInput,
                    message,
                })
                .await;
            }
            Err(ComposeError(message)) => {
                let message = self.redactor.text(&message).into_owned();
                self.emit(Event::SendFailed {
                    id,
                    kind: ErrorKind::InvalidInput,
                    message,
                })
                .await;
            }
        }
        self.emit_adapter_status().await;
    }

    /// Reports the adapter's status lines when they changed.
    pub(super) async fn emit_adapter_status(&mut self) {
        let status = self.adapter.status();
        if status != self.last_adapter_status {
            self.last_adapter_status = status.clone();
            self.emit(Event::AdapterStatus(status)).await;
        }
    }

    /// Runs the adapter's timer (app-level heartbeat).
    pub(super) async fn on_adapter_timer(&mut self) {
        let reaction = self.adapter.on_timer(Instant::now().into_std());
        self.on_reaction(reaction).await;
    }
}
