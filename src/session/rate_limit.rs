//! The send rate limit: a token bucket the session actor consults before each outgoing
//! message. Time is always passed in, as [`tokio::time::Instant`], so the actor can run it
//! on tokio's (possibly paused) clock and tests can drive it without sleeping.
//!
//! Tokens are kept in fixed point (billionths of a token) rather than as whole tokens, so
//! fractional refills are never lost and a rate like 300/s is exact over any window;
//! integers also make [`TokenBucket::next_available`] exact, where floats could name an
//! instant a hair before the token is really there.

use std::time::Duration;

use tokio::time::Instant;

/// Fixed-point units per token.
const UNIT: u128 = 1_000_000_000;
/// Nanoseconds per second: refilling `rate` tokens per second adds `rate` units per
/// nanosecond, because `UNIT` equals this.
const NANOS_PER_SEC: u128 = 1_000_000_000;

// The refill arithmetic below relies on this.
const _: () = assert!(UNIT == NANOS_PER_SEC);

/// Token bucket: `rate` tokens per second, capacity `burst` (default burst = rate, at least
/// 1). A rate of 0 means unlimited.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    /// Tokens added per second; 0 = unlimited.
    rate: u32,
    /// Capacity in whole tokens, at least 1.
    burst: u32,
    /// Tokens held, in units of 1/`UNIT` token; at most `cap()`.
    credit: u128,
    /// When `credit` was last brought up to date.
    last: Instant,
}

impl TokenBucket {
    /// A bucket refilling at `rate_per_second` with a burst equal to the rate (at least 1),
    /// starting full at `now`. A rate of 0 means unlimited.
    pub fn new(rate_per_second: u32, now: Instant) -> Self {
        Self::with_burst(rate_per_second, rate_per_second, now)
    }

    /// A bucket refilling at `rate_per_second` holding at most `burst` tokens (0 counts as
    /// 1), starting full at `now`. A rate of 0 means unlimited.
    pub fn with_burst(rate_per_second: u32, burst: u32, now: Instant) -> Self {
        let burst = burst.max(1);
        Self {
            rate: rate_per_second,
            burst,
            credit: u128::from(burst) * UNIT,
            last: now,
        }
    }

    /// Whether the bucket lets everything through (rate 0).
    pub fn is_unlimited(&self) -> bool {
        self.rate == 0
    }

    /// The refill rate in tokens per second (0 = unlimited).
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The capacity in tokens.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Takes one token if available at `now` (refilling first); true if taken. Always true
    /// when unlimited.
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.is_unlimited() {
            return true;
        }
        self.refill(now);
        if self.credit >= UNIT {
            self.credit -= UNIT;
            true
        } else {
            false
        }
    }

    /// When the next token will be available: `None` if one is available at `now` or the
    /// bucket is unlimited. At the returned instant [`try_take`](Self::try_take) succeeds
    /// (if nothing else took the token first).
    pub fn next_available(&mut self, now: Instant) -> Option<Instant> {
        if self.is_unlimited() {
            return None;
        }
        self.refill(now);
        if self.credit >= UNIT {
            return None;
        }
        let missing = UNIT - self.credit;
        let nanos = missing.div_ceil(u128::from(self.rate));
        // `missing` < UNIT and rate >= 1, so this is under a second and fits in u64.
        let wait = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        Some(self.last + wait)
    }

    /// The most credit the bucket holds: `burst` tokens plus less than one nanosecond's
    /// refill. The token an instant from [`next_available`](Self::next_available) arrives
    /// part of a nanosecond early, since the wait is rounded up to whole nanoseconds; keeping
    /// that sliver lets the next wait be shorter, so a caller that sleeps until each
    /// `next_available` gets exactly `rate` tokens per second even with a burst of 1. The
    /// sliver is under one token, so it never allows more than `burst` at once.
    fn cap(&self) -> u128 {
        u128::from(self.burst) * UNIT + u128::from(self.rate).clamp(1, UNIT) - 1
    }

    /// Adds the tokens earned since the last update, up to the capacity. A `now` earlier
    /// than the last update (callers mixing clocks) adds nothing and keeps the later time.
    fn refill(&mut self, now: Instant) {
        if now <= self.last {
            return;
        }
        let elapsed_nanos = (now - self.last).as_nanos();
        let earned = elapsed_nanos.saturating_mul(u128::from(self.rate));
        self.credit = self.credit.saturating_add(earned).min(self.cap());
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Instant {
        Instant::now()
    }

    /// Drives the bucket from `start` to `start + window` in `step`s, taking every token it
    /// offers; returns how many were taken.
    fn drain_over(
        bucket: &mut TokenBucket,
        start: Instant,
        window: Duration,
        step: Duration,
    ) -> u64 {
        let mut taken = 0;
        let mut now = start;
        let end = start + window;
        loop {
            while bucket.try_take(now) {
                taken += 1;
            }
            if now >= end {
                break;
            }
            now = (now + step).min(end);
        }
        taken
    }

    #[test]
    fn starts_full_with_burst_equal_to_rate() {
        let now = t0();
        let mut b = TokenBucket::new(5, now);
        assert_eq!(b.burst(), 5);
        assert_eq!(b.rate(), 5);
        assert!(!b.is_unlimited());
        for _ in 0..5 {
            assert!(b.try_take(now));
        }
        assert!(!b.try_take(now));
    }

    #[test]
    fn burst_is_at_least_one() {
        let now = t0();
        let b = TokenBucket::with_burst(10, 0, now);
        assert_eq!(b.burst(), 1);
        let mut slow = TokenBucket::with_burst(1, 0, now);
        assert!(slow.try_take(now));
        assert!(!slow.try_take(now));
    }

    #[test]
    fn burst_then_steady_rate_over_ten_seconds() {
        for (rate, burst, step_ms) in [
            (300, None, 1),
            (300, None, 7),
            (300, Some(5), 3),
            (1, None, 1),
            (7, Some(20), 13),
            (1000, None, 1),
            (1000, Some(250), 100),
            (3, None, 1000),
        ] {
            let start = t0();
            let mut b = match burst {
                Some(burst) => TokenBucket::with_burst(rate, burst, start),
                None => TokenBucket::new(rate, start),
            };
            let taken = drain_over(
                &mut b,
                start,
                Duration::from_secs(10),
                Duration::from_millis(step_ms),
            );
            let expected = u64::from(rate) * 10 + u64::from(burst.unwrap_or(rate).max(1));
            assert!(
                taken.abs_diff(expected) <= 1,
                "rate {rate} burst {burst:?} step {step_ms}ms: took {taken}, expected {expected}"
            );
        }
    }

    #[test]
    fn fractional_refills_are_not_lost() {
        // 300/s checked every millisecond earns 0.3 tokens per check; the bucket must add
        // them up rather than round each one down.
        let start = t0();
        let mut b = TokenBucket::new(300, start);
        while b.try_take(start) {}
        let taken = drain_over(
            &mut b,
            start,
            Duration::from_secs(1),
            Duration::from_millis(1),
        );
        assert_eq!(taken, 300);
    }

    #[test]
    fn waiting_for_next_available_keeps_the_rate_with_burst_one() {
        // How the actor uses it: when refused, sleep until `next_available`. Even with no
        // room to bank tokens, that loses nothing.
        for rate in [1u32, 7, 300, 1000] {
            let start = t0();
            let end = start + Duration::from_secs(10);
            let mut b = TokenBucket::with_burst(rate, 1, start);
            let mut now = start;
            let mut taken = 0u64;
            while now <= end {
                if b.try_take(now) {
                    taken += 1;
                } else {
                    now = b
                        .next_available(now)
                        .expect("refused, so a token is pending");
                }
            }
            assert_eq!(taken, u64::from(rate) * 10 + 1, "rate {rate}");
        }
    }

    #[test]
    fn slow_polling_with_small_burst_loses_the_overflow() {
        // Capacity is a hard cap: tokens earned past it between checks are gone. This is
        // what bounds a burst after an idle spell.
        let start = t0();
        let mut b = TokenBucket::with_burst(300, 1, start);
        while b.try_take(start) {}
        // 0.9 tokens per 3 ms step, capped at 1 each time, so one token per two steps at best.
        let taken = drain_over(
            &mut b,
            start,
            Duration::from_secs(1),
            Duration::from_millis(3),
        );
        assert!(taken < 300, "took {taken}");
    }

    #[test]
    fn refill_stops_at_capacity() {
        let start = t0();
        let mut b = TokenBucket::new(10, start);
        let later = start + Duration::from_secs(3600);
        let mut taken = 0;
        while b.try_take(later) {
            taken += 1;
        }
        assert_eq!(taken, 10);
    }

    #[test]
    fn unlimited_always_takes() {
        let now = t0();
        let mut b = TokenBucket::new(0, now);
        assert!(b.is_unlimited());
        for _ in 0..100_000 {
            assert!(b.try_take(now));
        }
        assert_eq!(b.next_available(now), None);
        let mut with_burst = TokenBucket::with_burst(0, 3, now);
        assert!(with_burst.is_unlimited());
        assert!((0..10).all(|_| with_burst.try_take(now)));
    }

    #[test]
    fn next_available_none_when_token_ready() {
        let now = t0();
        let mut b = TokenBucket::new(2, now);
        assert_eq!(b.next_available(now), None);
        assert!(b.try_take(now));
        assert_eq!(b.next_available(now), None);
    }

    #[test]
    fn next_available_after_draining() {
        let now = t0();
        let mut b = TokenBucket::new(4, now);
        while b.try_take(now) {}
        // 4 per second: one token every 250 ms.
        assert_eq!(
            b.next_available(now),
            Some(now + Duration::from_millis(250))
        );
        // Part of the way there, the answer does not move.
        let mid = now + Duration::from_millis(100);
        assert_eq!(
            b.next_available(mid),
            Some(now + Duration::from_millis(250))
        );
        let ready = now + Duration::from_millis(250);
        assert_eq!(b.next_available(ready), None);
        assert!(b.try_take(ready));
        assert_eq!(
            b.next_available(ready),
            Some(ready + Duration::from_millis(250))
        );
    }

    #[test]
    fn next_available_is_exact_for_awkward_rates() {
        for rate in [3u32, 7, 300, 999, 1_000_000] {
            let start = t0();
            let mut b = TokenBucket::with_burst(rate, 1, start);
            let mut now = start;
            for _ in 0..50 {
                while b.try_take(now) {}
                let at = b.next_available(now).expect("bucket is empty");
                assert!(at > now, "rate {rate}");
                // One nanosecond early is too early; exactly on time works.
                let mut early = b.clone();
                assert!(!early.try_take(at - Duration::from_nanos(1)), "rate {rate}");
                assert!(b.try_take(at), "rate {rate}");
                now = at;
            }
        }
    }

    #[test]
    fn time_going_backwards_is_harmless() {
        let now = t0() + Duration::from_secs(10);
        let mut b = TokenBucket::new(1, now);
        assert!(b.try_take(now));
        let earlier = now - Duration::from_secs(5);
        assert!(!b.try_take(earlier));
        assert_eq!(
            b.next_available(earlier),
            Some(now + Duration::from_secs(1))
        );
        assert!(b.try_take(now + Duration::from_secs(1)));
    }
}
