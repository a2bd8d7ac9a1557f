//! How one activity call runs: a per-attempt timeout and a retry policy.
//!
//! Owns only the description. The context records the timeout on every
//! TaskScheduled it issues (the dispatcher enforces it) and runs the retry
//! loop on durable timers; this module must never run, time or retry
//! anything itself.

use crate::retry::RetryPolicy;

/// Options of [`crate::OrchestrationContext::call_activity_with_options`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityOptions {
    /// The longest one attempt may run (ms) before the dispatcher fails it;
    /// `None` for no limit. Each retry gets the whole time again.
    pub start_to_close_ms: Option<u64>,
    /// How failed attempts are retried; `None` for one attempt.
    pub retry: Option<RetryPolicy>,
}

impl ActivityOptions {
    /// One attempt, without a timeout: what `call_activity` does.
    pub fn new() -> Self {
        ActivityOptions::default()
    }

    /// Fails an attempt that runs longer than `ms` milliseconds.
    pub fn with_start_to_close(mut self, ms: u64) -> Self {
        self.start_to_close_ms = Some(ms);
        self
    }

    /// Retries failed attempts as `policy` says.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
}
