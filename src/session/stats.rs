//! Session counters: connections, messages, bytes, errors, rate limiting, RTT and
//! throughput. The actor updates a [`Stats`]; callers receive [`StatsSnapshot`]s.

use std::time::Duration;

use tokio::time::Instant;

/// Round-trip times measured from our pings to the peer's pongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RttStats {
    /// The latest measurement.
    pub last: Duration,
    /// The smallest seen.
    pub min: Duration,
    /// The mean of all measurements.
    pub avg: Duration,
    /// How many measurements.
    pub count: u64,
}

impl RttStats {
    /// Adds one measurement.
    pub fn record(&mut self, rtt: Duration) {
        let total = self.avg.as_nanos() * u128::from(self.count) + rtt.as_nanos();
        self.count += 1;
        self.last = rtt;
        self.min = if self.count == 1 {
            rtt
        } else {
            self.min.min(rtt)
        };
        let mean = total / u128::from(self.count);
        self.avg = Duration::from_nanos(u64::try_from(mean).unwrap_or(u64::MAX));
    }
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StatsSnapshot {
    /// Connections opened (handshake completed).
    pub connections_opened: u64,
    /// Connections ended, by either side.
    pub connections_closed: u64,
    /// Reconnect attempts made.
    pub reconnects: u64,
    /// Data messages sent.
    pub messages_sent: u64,
    /// Data messages received.
    pub messages_received: u64,
    /// Payload bytes sent.
    pub bytes_sent: u64,
    /// Payload bytes received.
    pub bytes_received: u64,
    /// Error events reported.
    pub errors: u64,
    /// Messages that had to wait for the rate limiter.
    pub rate_limited: u64,
    /// Messages waiting in the outgoing queue.
    pub queue_len: usize,
    /// Round-trip times, once a pong has come back.
    pub rtt: Option<RttStats>,
    /// How long the current connection has been open.
    pub uptime: Option<Duration>,
    /// Messages received per second over the last measuring interval.
    pub messages_per_second: f64,
}

/// The actor's running counters.
#[derive(Debug, Clone)]
pub struct Stats {
    counters: StatsSnapshot,
    rtt: RttStats,
    opened_at: Option<Instant>,
    rate_window_start: Instant,
    rate_window_received: u64,
}

impl Stats {
    /// Zeroed counters, measuring throughput from `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            counters: StatsSnapshot::default(),
            rtt: RttStats::default(),
            opened_at: None,
            rate_window_start: now,
            rate_window_received: 0,
        }
    }

    /// Zeroes every counter but keeps the current connection's start time.
    pub fn reset(&mut self, now: Instant) {
        let opened_at = self.opened_at;
        *self = Self::new(now);
        self.opened_at = opened_at;
    }

    /// A connection opened.
    pub fn connection_opened(&mut self, now: Instant) {
        self.counters.connections_opened += 1;
        self.opened_at = Some(now);
    }

    /// A connection ended.
    pub fn connection_closed(&mut self) {
        self.counters.connections_closed += 1;
        self.opened_at = None;
    }

    /// A reconnect attempt started.
    pub fn reconnect_attempted(&mut self) {
        self.counters.reconnects += 1;
    }

    /// A data message went out.
    pub fn message_sent(&mut self, bytes: usize) {
        self.counters.messages_sent += 1;
        self.counters.bytes_sent += bytes as u64;
    }

    /// A data message came in.
    pub fn message_received(&mut self, bytes: usize) {
        self.counters.messages_received += 1;
        self.counters.bytes_received += bytes as u64;
    }

    /// An error was reported.
    pub fn error(&mut self) {
        self.counters.errors += 1;
    }

    /// A message had to wait for the rate limiter.
    pub fn rate_limited(&mut self) {
        self.counters.rate_limited += 1;
    }

    /// A pong came back after `rtt`.
    pub fn rtt(&mut self, rtt: Duration) -> RttStats {
        self.rtt.record(rtt);
        self.rtt
    }

    /// Closes the throughput window at `now`, updating messages per second.
    pub fn tick(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.rate_window_start);
        if elapsed.is_zero() {
            return;
        }
        let received = self.counters.messages_received - self.rate_window_received;
        self.counters.messages_per_second = received as f64 / elapsed.as_secs_f64();
        self.rate_window_start = now;
        self.rate_window_received = self.counters.messages_received;
    }

    /// The counters now, with the given queue length.
    pub fn snapshot(&self, now: Instant, queue_len: usize) -> StatsSnapshot {
        StatsSnapshot {
            queue_len,
            rtt: (self.rtt.count > 0).then_some(self.rtt),
            uptime: self.opened_at.map(|at| now.saturating_duration_since(at)),
            ..self.counters
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtt_tracks_last_min_avg() {
        let mut rtt = RttStats::default();
        for ms in [30, 10, 20] {
            rtt.record(Duration::from_millis(ms));
        }
        assert_eq!(rtt.last, Duration::from_millis(20));
        assert_eq!(rtt.min, Duration::from_millis(10));
        assert_eq!(rtt.avg, Duration::from_millis(20));
        assert_eq!(rtt.count, 3);
    }

    #[test]
    fn throughput_and_uptime() {
        let start = Instant::now();
        let mut stats = Stats::new(start);
        stats.connection_opened(start);
        for _ in 0..50 {
            stats.message_received(10);
        }
        stats.tick(start + Duration::from_millis(500));
        let snapshot = stats.snapshot(start + Duration::from_secs(2), 3);
        assert_eq!(snapshot.messages_per_second, 100.0);
        assert_eq!(snapshot.bytes_received, 500);
        assert_eq!(snapshot.queue_len, 3);
        assert_eq!(snapshot.uptime, Some(Duration::from_secs(2)));
        stats.connection_closed();
        assert_eq!(stats.snapshot(start, 0).uptime, None);
    }

    #[test]
    fn reset_keeps_uptime() {
        let start = Instant::now();
        let mut stats = Stats::new(start);
        stats.connection_opened(start);
        stats.message_sent(5);
        stats.reset(start);
        let snapshot = stats.snapshot(start + Duration::from_secs(1), 0);
        assert_eq!(snapshot.messages_sent, 0);
        assert_eq!(snapshot.uptime, Some(Duration::from_secs(1)));
    }
}
