//! The channel that carries [`Event`]s (defined in [`super::event`]) from the actor
//! to its consumer. The actor collects the events of one step (say, a burst of 256
//! frames) and sends them as one batch, so a flood costs one wake-up per batch
//! instead of one per frame; [`EventReceiver`] hands them out one at a time, many at
//! once with [`EventReceiver::recv_many`], or a whole batch as it was sent with
//! [`EventReceiver::recv_batch`].

use tokio::sync::mpsc;

use super::event::Event;

/// How many batches may wait for a slow consumer before the actor pauses reading the
/// socket (back-pressure instead of loss).
pub const BATCH_BUFFER: usize = 16;
/// The most events the actor collects before it sends them without waiting for the
/// end of its step.
pub const MAX_BATCH: usize = 1024;
/// The most frame payload bytes in one batch: with [`BATCH_BUFFER`], at most about
/// 4 MiB of received data waits for the consumer, however large the messages (64
/// batches of 1024 × 10 KiB had let 640 MiB pile up behind a busy TUI).
pub const MAX_BATCH_BYTES: usize = 256 * 1024;
/// The capacity a new batch starts with when the previous one was small.
const MIN_BATCH_CAPACITY: usize = 64;

/// Creates a connected sender/receiver pair.
pub(crate) fn channel() -> (EventSender, EventReceiver) {
    let (batches_in, batches_out) = mpsc::channel(BATCH_BUFFER);
    (
        EventSender {
            batches: batches_in,
            pending: Vec::new(),
            pending_bytes: 0,
        },
        EventReceiver {
            batches: batches_out,
            pending: Vec::new().into_iter(),
        },
    )
}

/// The actor's end: collects events and sends them in batches.
#[derive(Debug)]
pub(crate) struct EventSender {
    batches: mpsc::Sender<Vec<Event>>,
    pending: Vec<Event>,
    pending_bytes: usize,
}

impl EventSender {
    /// Adds an event to the current batch; sends the batch when it is full.
    pub(crate) async fn push(&mut self, event: Event) {
        if self.push_now(event) {
            self.flush().await;
        }
    }

    /// Adds an event without waiting (and writes it to the debug log); true when the
    /// batch is full and must be flushed. The hot path (one incoming frame) uses it to avoid building a future.
    pub(crate) fn push_now(&mut self, event: Event) -> bool {
        super::trace::event(&event);
        if let Event::Frame(frame) = &event {
            self.pending_bytes += frame.payload.len();
        }
        self.pending.push(event);
        self.pending.len() >= MAX_BATCH || self.pending_bytes >= MAX_BATCH_BYTES
    }

    /// Sends what has been collected. A consumer that dropped its receiver no longer
    /// listens; the session goes on without it.
    pub(crate) async fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending_bytes = 0;
        // The next batch is likely as large as this one: under a flood it starts at
        // full size instead of growing (and copying) five times on the way.
        let capacity = self
            .pending
            .len()
            .next_power_of_two()
            .clamp(MIN_BATCH_CAPACITY, MAX_BATCH);
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(capacity));
        let _ = self.batches.send(batch).await;
    }
}

/// The consumer's end of a session's events, in the order they happened.
#[derive(Debug)]
pub struct EventReceiver {
    batches: mpsc::Receiver<Vec<Event>>,
    pending: std::vec::IntoIter<Event>,
}

impl EventReceiver {
    /// The next event; `None` once the actor has stopped and everything was read.
    /// Cancel-safe: dropping the future loses nothing.
    pub async fn recv(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.next() {
                return Some(event);
            }
            self.pending = self.batches.recv().await?.into_iter();
        }
    }

    /// Waits for at least one event, then appends up to `limit` events that are
    /// already available to `buffer`. Returns how many were added; 0 means the
    /// actor has stopped and everything was read. Cancel-safe.
    pub async fn recv_many(&mut self, buffer: &mut Vec<Event>, limit: usize) -> usize {
        if self.pending.len() == 0 {
            match self.batches.recv().await {
                Some(batch) => self.pending = batch.into_iter(),
                None => return 0,
            }
        }
        let mut added = 0;
        while added < limit {
            if self.pending.len() == 0 {
                match self.batches.try_recv() {
                    Ok(batch) => self.pending = batch.into_iter(),
                    Err(_) => break,
                }
            }
            let before = buffer.len();
            buffer.extend(self.pending.by_ref().take(limit - added));
            added += buffer.len() - before;
        }
        added
    }

    /// Waits for the next batch and appends it to `buffer`, which takes the batch's
    /// place when empty: a consumer that handles events in bulk gets them as the
    /// actor collected them, without moving each one. False once the actor has
    /// stopped and everything was read. Cancel-safe.
    pub async fn recv_batch(&mut self, buffer: &mut Vec<Event>) -> bool {
        if self.pending.len() > 0 {
            buffer.extend(self.pending.by_ref());
            return true;
        }
        match self.batches.recv().await {
            Some(batch) if buffer.is_empty() => *buffer = batch,
            Some(batch) => buffer.extend(batch),
            None => return false,
        }
        true
    }

    /// The next event if one is available now.
    pub fn try_recv(&mut self) -> Option<Event> {
        if self.pending.len() == 0 {
            self.pending = self.batches.try_recv().ok()?.into_iter();
        }
        self.pending.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(n: usize) -> Event {
        Event::Notice(n.to_string())
    }

    #[tokio::test]
    async fn batches_arrive_in_order_one_by_one_or_many() {
        let (mut sender, mut receiver) = channel();
        for n in 0..5 {
            sender.push(notice(n)).await;
        }
        assert!(receiver.try_recv().is_none(), "nothing before the flush");
        sender.flush().await;
        sender.push(notice(5)).await;
        sender.flush().await;
        assert_eq!(receiver.recv().await, Some(notice(0)));
        let mut buffer = Vec::new();
        assert_eq!(receiver.recv_many(&mut buffer, 3).await, 3);
        assert_eq!(buffer, vec![notice(1), notice(2), notice(3)]);
        buffer.clear();
        assert_eq!(receiver.recv_many(&mut buffer, 10).await, 2);
        assert_eq!(buffer, vec![notice(4), notice(5)]);
        drop(sender);
        assert_eq!(receiver.recv().await, None);
        assert_eq!(receiver.recv_many(&mut buffer, 10).await, 0);
    }

    #[tokio::test]
    async fn whole_batches_arrive_in_order_after_single_events() {
        let (mut sender, mut receiver) = channel();
        for n in 0..3 {
            sender.push(notice(n)).await;
        }
        sender.flush().await;
        sender.push(notice(3)).await;
        sender.flush().await;
        assert_eq!(receiver.recv().await, Some(notice(0)));
        let mut buffer = Vec::new();
        assert!(receiver.recv_batch(&mut buffer).await);
        assert_eq!(buffer, vec![notice(1), notice(2)], "the rest of the first");
        assert!(receiver.recv_batch(&mut buffer).await);
        assert_eq!(buffer, vec![notice(1), notice(2), notice(3)], "appended");
        buffer.clear();
        drop(sender);
        assert!(!receiver.recv_batch(&mut buffer).await);
        assert!(buffer.is_empty());
    }

    #[tokio::test]
    async fn a_full_batch_goes_out_without_a_flush() {
        let (mut sender, mut receiver) = channel();
        for n in 0..MAX_BATCH {
            sender.push(notice(n)).await;
        }
        assert_eq!(receiver.try_recv(), Some(notice(0)));
    }
}
