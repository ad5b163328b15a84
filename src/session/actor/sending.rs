//! Writing to the socket: the queue drained under the rate limit, control frames,
//! and the close handshake we start. A write that fails or stalls ends the link.

use super::*;

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
    pub(super) async fn drain_queue(&mut self) {
        let mut wrote = false;
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
            let Some(message) = self.queue.pop() else {
                break;
            };
            self.head_delayed = false;
            let PendingMessage { id, payload, kind } = message;
            if !self.feed_data(id, payload, kind).await {
                break;
            }
            wrote = true;
        }
        if self.queue.is_empty() {
            self.rate_wait_until = None;
        }
        if wrote {
            self.flush().await;
        }
    }

    pub(super) fn data_message(payload: &Bytes, kind: PayloadKind) -> Message {
        match kind {
            PayloadKind::Text => Message::Text(utf8(payload.clone())),
            PayloadKind::Binary => Message::Binary(payload.clone()),
        }
    }

    /// Writes one data message and flushes.
    pub(super) async fn write_data(
        &mut self,
        id: MessageId,
        payload: Bytes,
        kind: PayloadKind,
    ) -> bool {
        let sent = self.feed_data(id, payload, kind).await;
        sent && self.flush().await
    }

    /// Buffers one data message (flushed later), reporting the frame. A message that
    /// could not be written goes back to the front of the queue for the next link.
    pub(super) async fn feed_data(
        &mut self,
        id: MessageId,
        payload: Bytes,
        kind: PayloadKind,
    ) -> bool {
        let message = Self::data_message(&payload, kind);
        if self.write_op(WriteOp::Feed(message)).await {
            self.stats.message_sent(payload.len());
            self.emit_frame(id, Direction::Outgoing, kind.into(), payload, None)
                .await;
            true
        } else {
            self.queue.push_front(PendingMessage { id, payload, kind });
            false
        }
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
        if !matches!(self.link, Link::Open(_)) {
            self.error(ErrorKind::InvalidInput, "not connected: cannot ping")
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
            self.emit_frame(id, Direction::Outgoing, FrameKind::Ping, payload, None)
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
        if open.our_close.is_some() {
            return;
        }
        open.our_close = Some(OurClose {
            code,
            reason: reason.clone(),
            deadline: Instant::now() + CLOSE_HANDSHAKE_TIMEOUT,
        });
        let peer_already_closed = open.peer_close.is_some();
        let timeout = write_timeout(&self.config);
        let result = tokio::time::timeout(timeout, open.stream.close(Some(frame))).await;
        if !peer_already_closed && matches!(result, Ok(Ok(()))) {
            let id = self.next_id();
            self.emit_frame(
                id,
                Direction::Outgoing,
                FrameKind::Close,
                Bytes::from(reason),
                Some(code),
            )
            .await;
        }
        if !matches!(result, Ok(Ok(()))) {
            self.finish_link(None).await;
        }
    }
}
