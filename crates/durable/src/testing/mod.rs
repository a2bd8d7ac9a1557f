//! Test support: the five workflow patterns of the game as a registry, a
//! tiny executor and a virtual-time driver.
//!
//! Public so the native tests, the browser tests and the benchmarks share
//! one copy. Nothing here is used by the runtime itself.

pub mod bench;
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

use crate::clock::VirtualClock;
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
