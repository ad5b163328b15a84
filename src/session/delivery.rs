//! What can honestly be said about delivery. A plain WebSocket has no
//! acknowledgements: a message the socket accepted may still be lost if the link breaks
//! before the server reads it. Frames are read in order, so a WebSocket ping written
//! after a message and answered by a pong shows that the server read the message: the
//! session follows each batch of messages with such a delivery probe. A request of a
//! protocol that answers requests (Home Assistant result ids, Socket.IO acks, GraphQL
//! operation ids) is confirmed by its reply. What is left when the link breaks is
//! unconfirmed: reported, and sent again on request.

use std::collections::VecDeque;

use super::queue::PendingMessage;

/// How many written messages one link remembers; older ones count as confirmed (a
/// link that carried that many without a word from the server is unusual, and memory
/// stays bounded).
pub const TRACKED_LIMIT: usize = 10_000;

/// A message written on the current link and not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The message as it went out.
    pub message: PendingMessage,
    /// The correlation key of the reply it waits for, when the protocol has one.
    pub reply_key: Option<String>,
    /// The first delivery probe written after it.
    probe: u64,
}

/// The messages written on one link that nothing has confirmed yet.
#[derive(Debug, Default)]
pub struct DeliveryTracker {
    written: VecDeque<Written>,
    /// How many of `written` wait for no reply (a probe's pong confirms them).
    plain: usize,
    /// The number the next probe gets.
    next_probe: u64,
    /// Whether a message waits for a probe not written yet.
    unprobed: bool,
}

impl DeliveryTracker {
    /// A message went out on the link.
    pub fn written(&mut self, message: PendingMessage, reply_key: Option<String>) {
        if self.written.len() == TRACKED_LIMIT
            && let Some(oldest) = self.written.pop_front()
            && oldest.reply_key.is_none()
        {
            self.plain -= 1;
        }
        if reply_key.is_none() {
            self.plain += 1;
            self.unprobed = true;
        }
        self.written.push_back(Written {
            message,
            reply_key,
            probe: self.next_probe,
        });
    }

    /// Whether messages were written since the last probe, so one is due.
    pub fn needs_probe(&self) -> bool {
        self.unprobed
    }

    /// A probe is being written: its number, for [`DeliveryTracker::probe_answered`].
    pub fn probe_sent(&mut self) -> u64 {
        let number = self.next_probe;
        self.next_probe += 1;
        self.unprobed = false;
        number
    }

    /// The pong of probe `number` arrived: every plain message written before it
    /// was read by the server.
    pub fn probe_answered(&mut self, number: u64) {
        if self.plain == 0 {
            return;
        }
        let before = self.written.len();
        self.written
            .retain(|written| written.reply_key.is_some() || written.probe > number);
        self.plain -= before - self.written.len();
    }

    /// The reply to the request with `key` arrived.
    pub fn answered(&mut self, key: &str) {
        if let Some(index) = self
            .written
            .iter()
            .position(|written| written.reply_key.as_deref() == Some(key))
        {
            self.written.remove(index);
        }
    }

    /// Whether any request waits for a reply (only then do replies need looking at).
    pub fn awaits_replies(&self) -> bool {
        self.written.len() > self.plain
    }

    /// The unconfirmed messages, oldest first; the tracker is empty afterwards.
    pub fn take_unconfirmed(&mut self) -> Vec<Written> {
        self.plain = 0;
        self.written.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::session::event::PayloadKind;

    fn message(id: u64) -> PendingMessage {
        PendingMessage {
            id,
            payload: Bytes::from(format!("m{id}")),
            kind: PayloadKind::Text,
        }
    }

    fn ids(written: &[Written]) -> Vec<u64> {
        written.iter().map(|written| written.message.id).collect()
    }

    #[test]
    fn a_probes_pong_confirms_what_was_written_before_the_probe() {
        let mut tracker = DeliveryTracker::default();
        assert!(!tracker.needs_probe());
        tracker.written(message(1), None);
        tracker.written(message(2), None);
        assert!(tracker.needs_probe());
        let first = tracker.probe_sent();
        assert!(!tracker.needs_probe());
        tracker.written(message(3), None);
        let second = tracker.probe_sent();
        tracker.written(message(4), None);
        tracker.probe_answered(first);
        assert_eq!(ids(&tracker.take_unconfirmed()), [3, 4]);
        assert!(tracker.take_unconfirmed().is_empty());
        tracker.written(message(5), None);
        tracker.probe_answered(second);
        assert_eq!(
            ids(&tracker.take_unconfirmed()),
            [5],
            "written after the probe"
        );
    }

    #[test]
    fn a_request_stays_unconfirmed_until_its_reply() {
        let mut tracker = DeliveryTracker::default();
        tracker.written(message(1), Some("1".into()));
        tracker.written(message(2), Some("2".into()));
        tracker.written(message(3), None);
        assert!(tracker.awaits_replies());
        let probe = tracker.probe_sent();
        tracker.probe_answered(probe);
        tracker.answered("1");
        tracker.answered("unknown");
        assert_eq!(ids(&tracker.take_unconfirmed()), [2]);
        assert!(!tracker.awaits_replies());
    }

    #[test]
    fn memory_stays_bounded() {
        let mut tracker = DeliveryTracker::default();
        for id in 0..(TRACKED_LIMIT as u64 + 5) {
            tracker.written(message(id), None);
        }
        let unconfirmed = tracker.take_unconfirmed();
        assert_eq!(unconfirmed.len(), TRACKED_LIMIT);
        assert_eq!(unconfirmed[0].message.id, 5);
    }
}
