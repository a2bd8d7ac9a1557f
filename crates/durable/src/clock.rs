//! Time, as the runtime sees it: an abstraction so tests run in virtual time.
//!
//! Owns the [`Clock`] trait and [`VirtualClock`]. The core never reads a wall
//! clock itself; the browser host supplies one, tests advance a virtual one.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::work::NEVER_MS;

/// A future that completes once a duration has passed.
pub type Sleep = Pin<Box<dyn Future<Output = ()>>>;

/// Where the runtime gets its time: the wall clock recorded in history, a
/// monotonic reading for compute time, and sleeps.
pub trait Clock {
    /// Milliseconds since the Unix epoch: the time recorded in history.
    fn now_ms(&self) -> u64;
    /// A monotonic reading in milliseconds, for measuring compute time.
    fn monotonic_ms(&self) -> f64;
    /// Completes after `ms` milliseconds of this clock's time.
    fn sleep(&self, ms: u64) -> Sleep;
}

#[derive(Default)]
struct VirtualState {
    now_ms: u64,
    /// Advances by a fixed step on every monotonic reading, so compute time
    /// is visible in tests without a real clock.
    tick_per_reading: f64,
    readings: f64,
    sleepers: Vec<(u64, Waker)>,
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Clone, Default)]
pub struct VirtualClock {
    state: Rc<RefCell<VirtualState>>,
}

impl VirtualClock {
    /// A clock that reads `start_ms` until it is moved.
    pub fn new(start_ms: u64) -> Self {
        let c = VirtualClock::default();
        c.state.borrow_mut().now_ms = start_ms;
        c
    }

    /// Makes each monotonic reading advance by `ms` (simulated compute).
    pub fn with_compute_step(self, ms: f64) -> Self {
        self.state.borrow_mut().tick_per_reading = ms;
        self
    }

    /// Moves the clock to `now_ms` (an earlier time leaves it where it is) and
    /// wakes the sleeps due by then.
    pub fn set(&self, now_ms: u64) {
        let wakers: Vec<Waker> = {
            let mut s = self.state.borrow_mut();
            s.now_ms = s.now_ms.max(now_ms);
            let now = s.now_ms;
            let (due, later): (Vec<_>, Vec<_>) = s.sleepers.drain(..).partition(|(d, _)| *d <= now);
            s.sleepers = later;
            due.into_iter().map(|(_, w)| w).collect()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// The earliest time a sleep on this clock is due, if any waits.
    pub fn next_wake_ms(&self) -> Option<u64> {
        self.state.borrow().sleepers.iter().map(|(d, _)| *d).min()
    }

    /// Moves the clock `ms` milliseconds on (at most to `u64::MAX`, where it
    /// stays) and wakes the sleeps due by then.
    pub fn advance(&self, ms: u64) {
        let now = self.now_ms();
        self.set(now.saturating_add(ms));
    }
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> u64 {
        self.state.borrow().now_ms
    }

    fn monotonic_ms(&self) -> f64 {
        let mut s = self.state.borrow_mut();
        s.readings += s.tick_per_reading;
        s.now_ms as f64 + s.readings
    }

    /// A sleep whose end saturates at [`NEVER_MS`] never ends, as a timer due
    /// then never fires.
    fn sleep(&self, ms: u64) -> Sleep {
        let deadline = self.now_ms().saturating_add(ms);
        if deadline == NEVER_MS {
            return Box::pin(std::future::pending());
        }
        let state = self.state.clone();
        Box::pin(std::future::poll_fn(move |cx: &mut Context<'_>| {
            let mut s = state.borrow_mut();
            if s.now_ms >= deadline {
                Poll::Ready(())
            } else {
                s.sleepers.push((deadline, cx.waker().clone()));
                Poll::Pending
            }
        }))
    }
}
