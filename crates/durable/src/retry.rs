//! Retry policies for activities: how long to wait before the next attempt.
//!
//! Owns only arithmetic and which errors are retried; the waiting itself is
//! a durable timer recorded in history by the context.

use serde::{Deserialize, Serialize};

/// When and how often a failed activity is tried again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// The delay before the first retry (ms).
    pub first_interval_ms: u64,
    /// What each further retry multiplies the delay by (1.0: constant).
    pub backoff_coefficient: f64,
    /// The longest delay between attempts (ms).
    pub max_interval_ms: u64,
    /// Total attempts, the first one included.
    pub max_attempts: u32,
    /// Give up once this much orchestration time has passed since the first
    /// attempt; `None` for no limit.
    pub retry_timeout_ms: Option<u64>,
    /// Errors that are not retried: an attempt whose error message starts
    /// with one of these ends the call at once (a declined card, a
    /// validation error). Empty in policies stored before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_retryable: Vec<String>,
}

impl RetryPolicy {
    /// A policy of `max_attempts` attempts in all, `first_interval_ms` apart,
    /// with no backoff and no time limit.
    pub fn new(max_attempts: u32, first_interval_ms: u64) -> Self {
        RetryPolicy {
            first_interval_ms,
            backoff_coefficient: 1.0,
            max_interval_ms: u64::MAX,
            max_attempts,
            retry_timeout_ms: None,
            non_retryable: Vec::new(),
        }
    }

    /// Multiplies the delay by `coefficient` at each further retry, up to
    /// `max_interval_ms`.
    pub fn with_backoff(mut self, coefficient: f64, max_interval_ms: u64) -> Self {
        self.backoff_coefficient = coefficient;
        self.max_interval_ms = max_interval_ms;
        self
    }

    /// Gives up instead of retrying once the retry would begin more than `ms`
    /// of orchestration time after the first attempt.
    pub fn with_timeout(mut self, ms: u64) -> Self {
        self.retry_timeout_ms = Some(ms);
        self
    }

    /// Does not retry errors whose message starts with one of `prefixes`.
    pub fn with_non_retryable<S: Into<String>>(
        mut self,
        prefixes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.non_retryable
            .extend(prefixes.into_iter().map(Into::into));
        self
    }

    /// Whether an attempt that failed with `message` may be retried: its
    /// message starts with none of the non-retryable prefixes.
    pub fn retries(&self, message: &str) -> bool {
        !self
            .non_retryable
            .iter()
            .any(|prefix| message.starts_with(prefix.as_str()))
    }

    /// The delay before attempt `attempt` (2 for the first retry), or `None`
    /// when no attempt is left.
    pub fn delay_before(&self, attempt: u32, elapsed_ms: u64) -> Option<u64> {
        if attempt > self.max_attempts {
            return None;
        }
        // Saturating all the way: a huge attempt number must not wrap the
        // exponent negative, and float-to-int casts saturate (an infinite
        // product is capped by `max_interval_ms`).
        let retries = i32::try_from(attempt.saturating_sub(2)).unwrap_or(i32::MAX);
        let exp = self.backoff_coefficient.powi(retries);
        let delay = ((self.first_interval_ms as f64) * exp).min(self.max_interval_ms as f64) as u64;
        match self.retry_timeout_ms {
            Some(limit) if elapsed_ms.saturating_add(delay) > limit => None,
            _ => Some(delay),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_stops() {
        let p = RetryPolicy::new(5, 100).with_backoff(2.0, 500);
        let delays: Vec<_> = (2..=6).map(|a| p.delay_before(a, 0)).collect();
        assert_eq!(
            delays,
            vec![Some(100), Some(200), Some(400), Some(500), None]
        );
    }

    #[test]
    fn retry_timeout_stops_early() {
        let p = RetryPolicy::new(10, 100).with_timeout(250);
        assert_eq!(p.delay_before(2, 100), Some(100));
        assert_eq!(p.delay_before(3, 200), None);
    }
}
