//! When a failed job runs again, and when the bridge gives up on it.
//!
//! The `backoff` crate is confined to this module (it is unmaintained, RUSTSEC-2025-0012); swapping
//! it for `backon` is a change to this file only.

use std::time::Duration;

use backoff::ExponentialBackoffBuilder;
use backoff::backoff::Backoff;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a failed job is retried. The defaults reach over a day before a job is dead:
/// 5 s, 25 s, ~2 min, ~10 min, ~52 min, ~4.3 h, then 12 h, each ±20 %.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Delay after the first failure.
    #[serde(with = "humantime_serde")]
    pub initial_delay: Duration,
    /// Each further delay is this many times the previous one.
    pub multiplier: f64,
    /// No delay is longer than this.
    #[serde(with = "humantime_serde")]
    pub max_delay: Duration,
    /// Random spread around each delay (0.2 = ±20 %), so retries of many jobs do not align.
    pub jitter: f64,
    /// A job that failed this many times is dead.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial_delay: Duration::from_secs(5),
            multiplier: 5.0,
            max_delay: Duration::from_secs(12 * 3600),
            jitter: 0.2,
            max_attempts: 10,
        }
    }
}

/// What to do with a job that just failed with a retryable error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Run it again at this time.
    RetryAt(DateTime<Utc>),
    /// The attempts are used up.
    GiveUp,
}

impl RetryPolicy {
    /// Checks the values, naming the key that is wrong (`prefix` is the config path).
    pub fn validate(&self, prefix: &str) -> Result<(), String> {
        if self.initial_delay.is_zero() {
            return Err(format!("{prefix}.initial_delay must be more than 0s"));
        }
        if !(self.multiplier >= 1.0 && self.multiplier.is_finite()) {
            return Err(format!("{prefix}.multiplier must be at least 1.0"));
        }
        if self.max_delay < self.initial_delay {
            return Err(format!(
                "{prefix}.max_delay must not be less than initial_delay"
            ));
        }
        if !(0.0..1.0).contains(&self.jitter) {
            return Err(format!("{prefix}.jitter must be in [0, 1)"));
        }
        if self.max_attempts == 0 {
            return Err(format!("{prefix}.max_attempts must be at least 1"));
        }
        Ok(())
    }

    /// The decision after `attempts` failed attempts (1 after the first failure). A server's
    /// `Retry-After` is honoured: the job never runs sooner than it asked, nor later than
    /// `max_delay`.
    pub fn after_failure(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        now: DateTime<Utc>,
    ) -> RetryDecision {
        if attempts >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let mut delay = self.delay(attempts, self.jitter);
        if let Some(asked) = retry_after {
            delay = delay.max(asked.min(self.max_delay));
        }
        let delay = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        RetryDecision::RetryAt(now.checked_add_signed(delay).unwrap_or(now))
    }

    /// The delay before attempt `attempts + 1`, without jitter: what the schedule promises.
    /// Computed directly: the backoff crate adds up to a nanosecond even without jitter, which
    /// made two capped delays compare unequal.
    pub fn nominal_delay(&self, attempts: u32) -> Duration {
        let growth = self
            .multiplier
            .powi(i32::try_from(attempts.max(1) - 1).unwrap_or(i32::MAX));
        let nominal = self.initial_delay.as_secs_f64() * growth;
        if nominal.is_finite() && nominal < self.max_delay.as_secs_f64() {
            Duration::from_secs_f64(nominal)
        } else {
            self.max_delay
        }
    }

    /// The schedule as a list of nominal delays, for `check-config` and the docs.
    pub fn schedule(&self) -> Vec<Duration> {
        (1..self.max_attempts)
            .map(|n| self.nominal_delay(n))
            .collect()
    }

    fn delay(&self, attempts: u32, jitter: f64) -> Duration {
        let mut policy = ExponentialBackoffBuilder::new()
            .with_initial_interval(self.initial_delay)
            .with_multiplier(self.multiplier)
            .with_max_interval(self.max_delay)
            .with_randomization_factor(jitter)
            .with_max_elapsed_time(None)
            .build();
        let mut delay = self.initial_delay;
        for _ in 0..attempts.max(1) {
            delay = policy.next_backoff().unwrap_or(self.max_delay);
        }
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Duration) -> f64 {
        d.as_secs_f64()
    }

    #[test]
    fn default_schedule_grows_and_reaches_over_a_day() {
        let policy = RetryPolicy::default();
        let schedule = policy.schedule();
        assert_eq!(schedule.len(), 9);
        assert_eq!(schedule[0], Duration::from_secs(5));
        assert_eq!(schedule[1], Duration::from_secs(25));
        assert!(schedule.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*schedule.last().expect("non-empty"), policy.max_delay);
        let total: Duration = schedule.iter().sum();
        assert!(total > Duration::from_secs(24 * 3600), "total {total:?}");
    }

    #[test]
    fn jittered_delays_stay_within_twenty_percent() {
        let policy = RetryPolicy::default();
        let now = Utc::now();
        for attempt in 1..5 {
            let nominal = secs(policy.nominal_delay(attempt));
            for _ in 0..50 {
                let RetryDecision::RetryAt(at) = policy.after_failure(attempt, None, now) else {
                    panic!("attempt {attempt} should retry");
                };
                let actual = (at - now).num_milliseconds() as f64 / 1000.0;
                assert!(
                    actual >= nominal * 0.79 && actual <= nominal * 1.21,
                    "attempt {attempt}: {actual} vs {nominal}"
                );
            }
        }
    }

    #[test]
    fn retry_after_is_honoured_but_capped() {
        let policy = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        let now = Utc::now();
        let asked = Duration::from_secs(90);
        assert_eq!(
            policy.after_failure(1, Some(asked), now),
            RetryDecision::RetryAt(now + chrono::Duration::seconds(90))
        );
        // A shorter Retry-After than the schedule does not make the bridge hammer the server.
        assert_eq!(
            policy.after_failure(3, Some(Duration::from_secs(1)), now),
            RetryDecision::RetryAt(now + chrono::Duration::seconds(125))
        );
        assert_eq!(
            policy.after_failure(1, Some(Duration::from_secs(10 * 86400)), now),
            RetryDecision::RetryAt(now + chrono::Duration::seconds(12 * 3600))
        );
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let now = Utc::now();
        assert!(matches!(
            policy.after_failure(2, None, now),
            RetryDecision::RetryAt(_)
        ));
        assert_eq!(policy.after_failure(3, None, now), RetryDecision::GiveUp);
    }

    #[test]
    fn validation_names_the_key() {
        let policy = RetryPolicy {
            jitter: 1.5,
            ..RetryPolicy::default()
        };
        assert_eq!(
            policy.validate("jobs.retry"),
            Err("jobs.retry.jitter must be in [0, 1)".to_owned())
        );
    }
}
