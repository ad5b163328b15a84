//! The bounded outgoing queue: user messages wait here while the link is down, not
//! yet authenticated, or held back by the rate limiter, and leave in order.

use std::collections::VecDeque;

use bytes::Bytes;

use super::event::{MessageId, PayloadKind};

/// A message waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMessage {
    /// The id given to the caller.
    pub id: MessageId,
    /// The payload.
    pub payload: Bytes,
    /// Text or binary.
    pub kind: PayloadKind,
}

/// The queue was full; the message is handed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFull(pub PendingMessage);

/// FIFO with a fixed bound; never drops silently.
#[derive(Debug)]
pub struct OutgoingQueue {
    messages: VecDeque<PendingMessage>,
    capacity: usize,
}

impl OutgoingQueue {
    /// An empty queue holding at most `capacity` messages (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            messages: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// The bound.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Appends a message, or hands it back when the queue is full.
    pub fn push(&mut self, message: PendingMessage) -> Result<usize, QueueFull> {
        if self.messages.len() >= self.capacity {
            return Err(QueueFull(message));
        }
        self.messages.push_back(message);
        Ok(self.messages.len())
    }

    /// The id of the newest message.
    pub fn last_id(&self) -> Option<MessageId> {
        self.messages.back().map(|message| message.id)
    }

    /// The oldest message, removed.
    pub fn pop(&mut self) -> Option<PendingMessage> {
        self.messages.pop_front()
    }

    /// Puts a message back at the front (it could not be written after all).
    pub fn push_front(&mut self, message: PendingMessage) {
        self.messages.push_front(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: MessageId) -> PendingMessage {
        PendingMessage {
            id,
            payload: Bytes::from(id.to_string()),
            kind: PayloadKind::Text,
        }
    }

    #[test]
    fn keeps_order_and_bound() {
        let mut queue = OutgoingQueue::new(2);
        assert_eq!(queue.push(message(1)), Ok(1));
        assert_eq!(queue.push(message(2)), Ok(2));
        assert_eq!(queue.push(message(3)), Err(QueueFull(message(3))));
        assert_eq!(queue.pop().map(|m| m.id), Some(1));
        queue.push_front(message(1));
        assert_eq!(queue.pop().map(|m| m.id), Some(1));
        assert_eq!(queue.pop().map(|m| m.id), Some(2));
        assert!(queue.is_empty());
    }
}
