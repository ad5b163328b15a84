//! The reconnect delay schedule: exponential backoff, capped, with random jitter so many
//! clients dropped at once do not all come back in the same instant.

use std::time::Duration;

/// Exponential backoff with jitter, capped.
///
/// Attempt `n` (1-based) waits a random time in
/// `[nominal * (1 - jitter), nominal]`, where `nominal = min(max_delay, initial_delay * 2^(n-1))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffPolicy {
    /// The nominal delay before the first attempt.
    pub initial_delay: Duration,
    /// The cap on the nominal delay.
    pub max_delay: Duration,
    /// How much of the nominal delay may be taken off at random, from 0.0 (none) to 1.0
    /// (anything down to zero). Values outside that range are clamped; NaN counts as 0.
    pub jitter: f64,
}

impl Default for BackoffPolicy {
    /// 1 s initial, 30 s cap, 25 % jitter.
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            jitter: 0.25,
        }
    }
}

impl BackoffPolicy {
    /// The un-jittered delay for attempt n (1-based; 0 counts as 1):
    /// `min(max_delay, initial_delay * 2^(n-1))`. Never overflows, however large `attempt` is.
    pub fn nominal_delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.max(1) - 1;
        let grown = 1u32
            .checked_shl(exponent)
            .and_then(|factor| self.initial_delay.checked_mul(factor));
        match grown {
            Some(delay) => delay.min(self.max_delay),
            // Doubling overflowed, so it is past any cap — unless there is nothing to double.
            None if self.initial_delay.is_zero() => Duration::ZERO,
            None => self.max_delay,
        }
    }

    /// Jittered bounds for attempt n: `[nominal * (1 - jitter), nominal]`.
    pub fn bounds(&self, attempt: u32) -> (Duration, Duration) {
        let nominal = self.nominal_delay(attempt);
        let lower = nominal.mul_f64(1.0 - self.clamped_jitter());
        // Float rounding must not put the lower bound above the upper one.
        (lower.min(nominal), nominal)
    }

    /// A random delay within [`bounds`](Self::bounds)`(attempt)`, drawn from `rng`.
    pub fn delay_with<R: rand::Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Duration {
        let (lower, upper) = self.bounds(attempt);
        if lower == upper {
            return upper;
        }
        rng.random_range(lower..=upper)
    }

    /// A random delay within [`bounds`](Self::bounds)`(attempt)`, drawn from [`rand::rng`].
    pub fn delay(&self, attempt: u32) -> Duration {
        self.delay_with(attempt, &mut rand::rng())
    }

    fn clamped_jitter(&self) -> f64 {
        if self.jitter.is_nan() {
            0.0
        } else {
            self.jitter.clamp(0.0, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn default_policy() {
        let p = BackoffPolicy::default();
        assert_eq!(p.initial_delay, secs(1));
        assert_eq!(p.max_delay, secs(30));
        assert_eq!(p.jitter, 0.25);
    }

    #[test]
    fn doubles_then_caps() {
        let p = BackoffPolicy::default();
        let got: Vec<Duration> = (1..=8).map(|n| p.nominal_delay(n)).collect();
        let want = [1, 2, 4, 8, 16, 30, 30, 30].map(secs);
        assert_eq!(got, want);
    }

    #[test]
    fn doubling_with_sub_second_start() {
        let p = BackoffPolicy {
            initial_delay: Duration::from_millis(100),
            max_delay: secs(60),
            jitter: 0.0,
        };
        assert_eq!(p.nominal_delay(1), Duration::from_millis(100));
        assert_eq!(p.nominal_delay(2), Duration::from_millis(200));
        assert_eq!(p.nominal_delay(4), Duration::from_millis(800));
        assert_eq!(p.nominal_delay(10), Duration::from_millis(51_200));
        assert_eq!(p.nominal_delay(11), secs(60));
    }

    #[test]
    fn attempt_zero_is_attempt_one() {
        let p = BackoffPolicy::default();
        assert_eq!(p.nominal_delay(0), p.nominal_delay(1));
        assert_eq!(p.bounds(0), p.bounds(1));
    }

    #[test]
    fn huge_attempts_cap_without_panic() {
        let p = BackoffPolicy::default();
        for n in [31, 32, 33, 64, 1000, u32::MAX - 1, u32::MAX] {
            assert_eq!(p.nominal_delay(n), secs(30), "attempt {n}");
            let (lo, hi) = p.bounds(n);
            assert_eq!(hi, secs(30));
            assert_eq!(lo, Duration::from_millis(22_500));
        }
        // A huge initial delay overflows on the first doubling; still capped.
        let big = BackoffPolicy {
            initial_delay: Duration::MAX,
            max_delay: Duration::MAX,
            jitter: 0.5,
        };
        assert_eq!(big.nominal_delay(1), Duration::MAX);
        assert_eq!(big.nominal_delay(2), Duration::MAX);
        let mut rng = StdRng::seed_from_u64(1);
        let d = big.delay_with(u32::MAX, &mut rng);
        assert!(d >= big.bounds(u32::MAX).0);
    }

    #[test]
    fn zero_initial_stays_zero() {
        let p = BackoffPolicy {
            initial_delay: Duration::ZERO,
            max_delay: secs(30),
            jitter: 0.25,
        };
        for n in [1, 2, 40, u32::MAX] {
            assert_eq!(p.nominal_delay(n), Duration::ZERO);
        }
        assert_eq!(p.delay(5), Duration::ZERO);
    }

    #[test]
    fn cap_below_initial_wins() {
        let p = BackoffPolicy {
            initial_delay: secs(10),
            max_delay: secs(3),
            jitter: 0.0,
        };
        assert_eq!(p.nominal_delay(1), secs(3));
    }

    #[test]
    fn bounds_follow_jitter() {
        let p = BackoffPolicy::default();
        assert_eq!(p.bounds(1), (Duration::from_millis(750), secs(1)));
        assert_eq!(p.bounds(3), (secs(3), secs(4)));
        let full = BackoffPolicy {
            jitter: 1.0,
            ..BackoffPolicy::default()
        };
        assert_eq!(full.bounds(2), (Duration::ZERO, secs(2)));
    }

    #[test]
    fn out_of_range_jitter_is_clamped() {
        for (jitter, lower) in [
            (-1.0, secs(4)),
            (f64::NAN, secs(4)),
            (2.0, Duration::ZERO),
            (f64::INFINITY, Duration::ZERO),
        ] {
            let p = BackoffPolicy {
                jitter,
                ..BackoffPolicy::default()
            };
            assert_eq!(p.bounds(3), (lower, secs(4)), "jitter {jitter}");
        }
    }

    #[test]
    fn samples_stay_within_bounds_and_spread() {
        let p = BackoffPolicy::default();
        let mut rng = StdRng::seed_from_u64(42);
        for attempt in 0..=12 {
            let (lo, hi) = p.bounds(attempt);
            let samples: Vec<Duration> =
                (0..1000).map(|_| p.delay_with(attempt, &mut rng)).collect();
            assert!(
                samples.iter().all(|d| (lo..=hi).contains(d)),
                "attempt {attempt}"
            );
            let min = samples.iter().min().copied().unwrap_or_default();
            let max = samples.iter().max().copied().unwrap_or_default();
            // Jitter actually spreads the delays over most of the window.
            let window = hi - lo;
            assert!(min < lo + window / 10, "attempt {attempt}: min {min:?}");
            assert!(max > hi - window / 10, "attempt {attempt}: max {max:?}");
        }
    }

    #[test]
    fn same_seed_same_delays() {
        let p = BackoffPolicy::default();
        let mut a = StdRng::seed_from_u64(7);
        let mut b = StdRng::seed_from_u64(7);
        for n in 1..20 {
            assert_eq!(p.delay_with(n, &mut a), p.delay_with(n, &mut b));
        }
    }

    #[test]
    fn zero_jitter_is_exact() {
        let p = BackoffPolicy {
            jitter: 0.0,
            ..BackoffPolicy::default()
        };
        let mut rng = StdRng::seed_from_u64(3);
        for n in 1..=10 {
            assert_eq!(p.delay_with(n, &mut rng), p.nominal_delay(n));
            assert_eq!(p.delay(n), p.nominal_delay(n));
        }
    }

    #[test]
    fn thread_rng_delay_within_bounds() {
        let p = BackoffPolicy::default();
        for n in 1..=10 {
            let (lo, hi) = p.bounds(n);
            let d = p.delay(n);
            assert!(lo <= d && d <= hi);
        }
    }
}
