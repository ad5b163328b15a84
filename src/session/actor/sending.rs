//! Writing to the socket: the queue drained under the rate limit, control frames,
//! and the close handshake we start. A write that fails or stalls ends the link.

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::{
    Actor, AfterClose, CLOSE_HANDSHAKE_TIMEOUT, FrameReport, Link, OurClose, utf8, write_timeout,
};
use crate::session::event::{ErrorKind, FrameKind, MessageId};
use crate::session::queue::PendingMessage;
use crate::wire::{Correlation, PayloadKind};

/// The first byte of a delivery probe's ping payload (keep-alive pings carry 8
/// bytes of counter, probes this byte and 8 bytes of probe number).
const PROBE_MARK: u8 = b'p';

/// A delivery probe's ping payload.
fn probe_payload(number: u64) -> Bytes {
    let mut payload = Vec::with_capacity(9);
    payload.push(PROBE_MARK);
    payload.extend_from_slice(&number.to_be_bytes());
    Bytes::from(payload)
}

/// The probe number a pong answers, when it answers a delivery probe.
pub(super) fn probe_number(payload: &[u8]) -> Option<u64> {
    match payload {
        [PROBE_MARK, number @ ..] => number.try_into().ok().map(u64::from_be_bytes),
        _ => None,
    }
}

/// One kind of socket write.
enum WriteOp {
    /// Buffer a message without flushing.
    Feed(Message),
    /// Write a message and flush.
    Send(Message),
    /// Flush what is buffered.
    Flush,
}

impl Actor {
    /// Sends queued messages while the link is ready and the rate limiter allows.
    /// A message counts as sent (and is reported) only once the flush that carries
    /// it succeeded; if the link breaks first, every message of this round goes back
    /// to the front of the queue, in order, for the next link (at-least-once).
    pub(super) async fn drain_queue(&mut self) {
        let mut fed: Vec<PendingMessage> = Vec::new();
        while self.is_ready() && !self.queue.is_empty() {
            let now = Instant::now();
            if !self.bucket.try_take(now) {
                if !self.head_delayed {
                    self.head_delayed = true;
                    self.stats.rate_limited();
                }
                self.rate_wait_until = self.bucket.next_available(now);
                break;
            }
            let Some(mut message) = self.queue.pop() else {
                break;
            };
            self.head_delayed = false;
            message.payload = self.adapter.prepare_queued(message.payload, message.kind);
            let frame = Self::data_message(&message.payload, message.kind);
            fed.push(message);
            if !self.write_op(WriteOp::Feed(frame)).await {
                self.requeue(fed);
                return;
            }
        }
        if self.queue.is_empty() {
            self.rate_wait_until = None;
        }
        if fed.is_empty() {
            return;
        }
        if !self.flush().await {
            self.requeue(fed);
            return;
        }
        for message in fed {
            let PendingMessage { id, payload, kind } = message.clone();
            self.stats.message_sent(payload.len());
            let decoded = self.decode_outgoing(&payload, kind);
            let reply_key = match decoded.as_ref().and_then(|d| d.correlation.as_ref()) {
                Some(Correlation::Request { key }) => Some(key.clone()),
                _ => None,
            };
            if let Link::Open(open) = &mut self.link {
                open.delivery.written(message, reply_key);
            }
            self.emit_frame(FrameReport::outgoing(id, kind.into(), payload).decoded(decoded))
                .await;
        }
        self.send_probe_if_due().await;
    }

    /// Follows what was just written with a delivery probe (a ping whose pong shows
    /// the server read it), unless one is already on its way: its pong leads to the
    /// next. Probes are not reported as frames; see [`crate::session::delivery`].
    pub(super) async fn send_probe_if_due(&mut self) {
        let Link::Open(open) = &mut self.link else {
            return;
        };
        if open.probe_in_flight || !open.delivery.needs_probe() || open.close_deadline.is_some() {
            return;
        }
        let number = open.delivery.probe_sent();
        open.probe_in_flight = true;
        self.write(Message::Ping(probe_payload(number))).await;
    }

    /// The pong of a delivery probe arrived.
    pub(super) async fn on_probe_answered(&mut self, number: u64) {
        if let Link::Open(open) = &mut self.link {
            open.delivery.probe_answered(number);
            open.probe_in_flight = false;
        }
        self.send_probe_if_due().await;
    }

    /// Puts messages that did not make it back at the front of the queue, in order.
    fn requeue(&mut self, messages: Vec<PendingMessage>) {
        for message in messages.into_iter().rev() {
            self.queue.push_front(message);
        }
    }

    pub(super) fn data_message(payload: &Bytes, kind: PayloadKind) -> Message {
        match kind {
            PayloadKind::Text => Message::Text(utf8(payload.clone())),
            PayloadKind::Binary => Message::Binary(payload.clone()),
        }
    }

    /// Writes and flushes one message that is not from the user's queue (the
    /// profile's on-connect messages), reporting it once it went out. On failure
    /// the link ends; the next connect sends it again anyway.
    pub(super) async fn write_data(
        &mut self,
        id: MessageId,
        payload: Bytes,
        kind: PayloadKind,
    ) -> bool {
        if !self.write(Self::data_message(&payload, kind)).await {
            return false;
        }
        self.stats.message_sent(payload.len());
        let decoded = self.decode_outgoing(&payload, kind);
        self.emit_frame(FrameReport::outgoing(id, kind.into(), payload).decoded(decoded))
            .await;
        true
    }

    /// Flushes what was fed.
    pub(super) async fn flush(&mut self) -> bool {
        self.write_op(WriteOp::Flush).await
    }

    /// Writes and flushes a control or auth message.
    pub(super) async fn write(&mut self, message: Message) -> bool {
        self.write_op(WriteOp::Send(message)).await
    }

    /// Runs one socket write within the write timeout; a failure or a stall ends the
    /// link as an abnormal closure. True when the write completed.
    async fn write_op(&mut self, op: WriteOp) -> bool {
        let Link::Open(open) = &mut self.link else {
            return false;
        };
        let timeout = write_timeout(&self.config);
        let stream = &mut open.stream;
        let result = match op {
            WriteOp::Feed(message) => tokio::time::timeout(timeout, stream.feed(message)).await,
            WriteOp::Send(message) => tokio::time::timeout(timeout, stream.send(message)).await,
            WriteOp::Flush => tokio::time::timeout(timeout, stream.flush()).await,
        };
        match result {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                self.link_failed(format!("sending failed: {error}")).await;
                false
            }
            Err(_) => {
                self.link_failed("the peer stopped reading (write timed out)".into())
                    .await;
                false
            }
        }
    }

    pub(super) async fn send_ping(&mut self) {
        let closing = match &self.link {
            Link::Open(open) => open.close_deadline.is_some(),
            _ => {
                self.error(ErrorKind::InvalidInput, "not connected: cannot ping")
                    .await;
                return;
            }
        };
        if closing {
            self.error(
                ErrorKind::InvalidInput,
                "the connection is closing: cannot ping",
            )
            .await;
            return;
        }
        self.ping_counter += 1;
        let counter = self.ping_counter;
        let payload = Bytes::copy_from_slice(&counter.to_be_bytes());
        if self.write(Message::Ping(payload.clone())).await {
            let now = Instant::now();
            if let Link::Open(open) = &mut self.link {
                open.pending_ping = Some((counter, now));
            }
            let id = self.next_id();
            self.emit_frame(FrameReport::outgoing(id, FrameKind::Ping, payload))
                .await;
        }
    }

    /// Starts a close handshake we initiate.
    pub(super) async fn begin_close(&mut self, code: u16, reason: String, after: AfterClose) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: Utf8Bytes::from(reason.clone()),
        };
        let Link::Open(open) = &mut self.link else {
            return;
        };
        open.after_close = after;
        // A close already under way (ours, or the peer's that tungstenite answered)
        // stands; only what happens afterwards changes.
        if open.our_close.is_some() || open.peer_close.is_some() {
            return;
        }
        open.our_close = Some(OurClose {
            code,
            reason: reason.clone(),
        });
        open.close_deadline = Some(Instant::now() + CLOSE_HANDSHAKE_TIMEOUT);
        let timeout = write_timeout(&self.config);
        let result = tokio::time::timeout(timeout, open.stream.close(Some(frame))).await;
        if matches!(result, Ok(Ok(()))) {
            let id = self.next_id();
            let close = FrameReport::outgoing(id, FrameKind::Close, Bytes::from(reason));
            self.emit_frame(close.close_code(Some(code))).await;
        }
        if !matches!(result, Ok(Ok(()))) {
            self.finish_link(None).await;
        }
    }
}
