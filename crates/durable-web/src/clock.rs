//! [`BrowserClock`]: the page's wall clock, monotonic clock and timers.
//!
//! Owns nothing but readings; the runtime core never reads a clock itself.

use durable::{Clock, Sleep};

/// `Date.now()` for orchestration time, `performance.now()` for measuring
/// compute, gloo timers for sleeping.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn monotonic_ms(&self) -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or_else(js_sys::Date::now, |p| p.now())
    }

    /// Browsers fire a `setTimeout` longer than `MAX_TIMEOUT_MS` at once,
    /// so a longer sleep waits in steps of at most that.
    fn sleep(&self, ms: u64) -> Sleep {
        Box::pin(async move {
            // One timer at least: a sleep of 0 still yields to the page.
            let mut left = ms;
            loop {
                let step = left.min(MAX_TIMEOUT_MS);
                gloo_timers::future::TimeoutFuture::new(step as u32).await;
                left -= step;
                if left == 0 {
                    break;
                }
            }
        })
    }
}

/// The longest delay `setTimeout` accepts: 2^31 − 1 ms (about 24.8 days).
const MAX_TIMEOUT_MS: u64 = i32::MAX as u64;
