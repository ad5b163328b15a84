//! Request/response bookkeeping shared by the adapters: remembers when each request
//! key went out and turns a response into its latency.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How many requests may wait for an answer before the oldest are forgotten, so a
/// server that never answers cannot grow memory without bound.
const MAX_PENDING: usize = 10_000;

/// Pending requests by correlation key.
#[derive(Debug, Default)]
pub struct Correlator {
    pending: HashMap<String, Instant>,
}

impl Correlator {
    /// An empty correlator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the request `key` went out at `now`.
    pub fn request(&mut self, key: impl Into<String>, now: Instant) {
        if self.pending.len() >= MAX_PENDING
            && let Some(oldest) = self
                .pending
                .iter()
                .min_by_key(|(_, sent)| **sent)
                .map(|(key, _)| key.clone())
        {
            self.pending.remove(&oldest);
        }
        self.pending.insert(key.into(), now);
    }

    /// The latency of a response to `key`; the request is forgotten unless `more`
    /// responses are expected (subscriptions, streams).
    pub fn response(&mut self, key: &str, now: Instant, more: bool) -> Option<Duration> {
        let sent = if more {
            self.pending.get(key).copied()
        } else {
            self.pending.remove(key)
        };
        sent.map(|sent| now.saturating_duration_since(sent))
    }

    /// Whether `key` waits for an answer.
    pub fn is_pending(&self, key: &str) -> bool {
        self.pending.contains_key(key)
    }

    /// Forgets every pending request (the link was lost).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// How many requests wait for an answer.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// Formats a latency for labels: `12 ms`, `1.2 s`.
pub fn format_latency(latency: Duration) -> String {
    let millis = latency.as_secs_f64() * 1000.0;
    if millis < 1000.0 {
        format!("{} ms", millis.round() as u64)
    } else {
        format!("{:.1} s", millis / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_latency_and_forgets_completed_requests() {
        let start = Instant::now();
        let mut correlator = Correlator::new();
        correlator.request("3", start);
        let later = start + Duration::from_millis(12);
        assert_eq!(
            correlator.response("3", later, true),
            Some(Duration::from_millis(12))
        );
        assert!(correlator.is_pending("3"));
        assert_eq!(
            correlator.response("3", later, false),
            Some(Duration::from_millis(12))
        );
        assert!(!correlator.is_pending("3"));
        assert_eq!(correlator.response("3", later, false), None);
    }

    #[test]
    fn formats_latency() {
        assert_eq!(format_latency(Duration::from_millis(12)), "12 ms");
        assert_eq!(format_latency(Duration::from_millis(1250)), "1.2 s");
    }
}
