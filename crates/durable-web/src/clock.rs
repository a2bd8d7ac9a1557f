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

    fn sleep(&self, ms: u64) -> Sleep {
        Box::pin(gloo_timers::future::TimeoutFuture::new(
            ms.min(u32::MAX as u64) as u32,
        ))
    }
}
