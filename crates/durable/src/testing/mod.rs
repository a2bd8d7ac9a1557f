//! Test support: the five workflow patterns of the game as a registry, the
//! workflows of activities beside them, a tiny executor and virtual-time
//! drivers.
//!
//! Public so the native tests, the browser tests and the benchmarks share
//! one copy. Nothing here is used by the runtime itself.

pub mod bench;
pub mod beside;
pub mod patterns;
pub mod sim;

#[cfg(not(target_arch = "wasm32"))]
use std::future::Future;
#[cfg(not(target_arch = "wasm32"))]
use std::pin::pin;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::Arc;
#[cfg(not(target_arch = "wasm32"))]
use std::task::{Context, Poll, Wake, Waker};
#[cfg(not(target_arch = "wasm32"))]
use std::thread::{self, Thread};

use crate::clock::{Clock, VirtualClock};
use crate::error::RuntimeError;
use crate::runtime::{Runtime, TickReport};
use crate::store::Store;

#[cfg(not(target_arch = "wasm32"))]
struct ThreadWaker(Thread);

#[cfg(not(target_arch = "wasm32"))]
impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        thread::park();
    }
}

/// Runs the runtime in virtual time: work until idle, then jump the clock to
/// the next due timer, until nothing is left or the clock would pass
/// `until_ms` (an instant, not a duration).
pub async fn run_virtual<S: Store + Clone + 'static>(
    rt: &Runtime<S>,
    clock: &VirtualClock,
    until_ms: u64,
) -> Result<TickReport, RuntimeError> {
    let mut total = TickReport::default();
    loop {
        let r = rt.run_until_idle().await?;
        total.add(&r);
        match rt.next_due().await? {
            Some(due) if due <= until_ms => clock.set(due),
            _ => return Ok(total),
        }
    }
}

/// Moves the clock to the earliest moment something is due — a queued
/// timer, an activity's start-to-close deadline, a sleep on the virtual
/// clock (an activity that takes virtual time) — if that is no later than
/// `end`; whether it moved.
async fn to_next_moment<S: Store + Clone + 'static>(
    rt: &Runtime<S>,
    clock: &VirtualClock,
    end: u64,
) -> Result<bool, RuntimeError> {
    let due = rt.next_due().await?;
    match due.into_iter().chain(clock.next_wake_ms()).min() {
        Some(at) if at <= end && at > clock.now_ms() => {
            clock.set(at);
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Moves virtual time on by `ms`, firing on the way whatever falls due —
/// timers, activities that take virtual time, start-to-close timeouts — and
/// running the runtime until idle at each stop; it ends with the clock at
/// exactly now + `ms` (saturating) and the runtime idle there. It cannot
/// hang: time only moves forward, to at most that instant.
pub async fn advance<S: Store + Clone + 'static>(
    rt: &Runtime<S>,
    clock: &VirtualClock,
    ms: u64,
) -> Result<TickReport, RuntimeError> {
    let end = clock.now_ms().saturating_add(ms);
    let mut total = TickReport::default();
    loop {
        total.add(&rt.run_until_idle().await?);
        if !to_next_moment(rt, clock, end).await? {
            break;
        }
    }
    clock.set(end);
    total.add(&rt.run_until_idle().await?);
    Ok(total)
}

/// Drives the runtime in virtual time until `id` ends, skipping straight to
/// whatever is due next, for at most `within_ms` of virtual time: the
/// instance's final row, or `None` if it had not ended by then (or does not
/// exist). It cannot hang: when nothing is due, nothing can change, and it
/// returns.
pub async fn wait_for_completion<S: Store + Clone + 'static>(
    rt: &Runtime<S>,
    clock: &VirtualClock,
    id: &crate::instance::InstanceId,
    within_ms: u64,
) -> Result<Option<crate::instance::InstanceRecord>, RuntimeError> {
    let end = clock.now_ms().saturating_add(within_ms);
    loop {
        rt.run_until_idle().await?;
        if let Some(row) = rt.store().instance(id).await? {
            if row.status.is_final() {
                return Ok(Some(row));
            }
        }
        if !to_next_moment(rt, clock, end).await? {
            return Ok(None);
        }
    }
}

/// A future that is pending once, then ready: an activity that awaits it
/// lets another executor (or a test) run in between.
pub struct YieldOnce(pub bool);

impl YieldOnce {
    /// A future that has not yielded yet.
    pub fn new() -> Self {
        YieldOnce(false)
    }
}

impl Default for YieldOnce {
    fn default() -> Self {
        Self::new()
    }
}

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
