//! Activity attempts in flight: each runs as a task of its own beside the
//! orchestration turns, so a slow fetch delays only the code awaiting it.
//!
//! Owns the attempts' futures, the wakers that mark an attempt ready to be
//! polled (and wake whoever waits for the dispatcher to have something to
//! do), each attempt's start-to-close deadline and cancellation, and the
//! attempts that ended and wait to be committed. A panic in an attempt ends
//! it as a failure (natively; where a panic aborts the module, the host's
//! crash note does it on the next start). Must never commit, read the store
//! or decide what an ending means for its instance: the dispatcher
//! (`runtime.rs`) starts attempts and collects what ended.

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use crate::activity::AttemptSignals;
use crate::combinators::yield_now;
use crate::instance::InstanceId;
use crate::registry::LocalFuture;
use crate::running::{self, panic_message, Running};
use crate::store::StoreError;
use crate::unit::ActivityDone;
use crate::work::{ActivityTask, WorkId};

/// How an attempt ended, as its future reports it.
pub(crate) type AttemptResult = Result<ActivityDone, StoreError>;

/// An attempt that ended and waits for the dispatcher.
pub(crate) enum Ended {
    /// It produced a completion (a result, a failure, a timeout, a panic).
    Done(Box<ActivityDone>),
    /// A store read inside it failed: nothing of it may commit; its task
    /// stays queued and runs again.
    StorageFailed(WorkId, StoreError),
}

impl Ended {
    fn work(&self) -> &WorkId {
        match self {
            Ended::Done(d) => &d.work,
            Ended::StorageFailed(w, _) => w,
        }
    }
}

/// What wakes the dispatcher: set by any attempt's waker.
#[derive(Default)]
struct Signal {
    watcher: Mutex<Option<Waker>>,
}

impl Signal {
    fn wake(&self) {
        let watcher = self
            .watcher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(w) = watcher {
            w.wake();
        }
    }

    fn watch(&self, waker: &Waker) {
        *self.watcher.lock().unwrap_or_else(PoisonError::into_inner) = Some(waker.clone());
    }
}

/// One attempt's waker: marks it ready to poll and wakes the dispatcher.
struct AttemptWaker {
    woken: Arc<AtomicBool>,
    signal: Arc<Signal>,
}

impl Wake for AttemptWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.signal.wake();
    }
}

/// One activity attempt in flight.
struct Attempt {
    work: WorkId,
    task: ActivityTask,
    started_ms: u64,
    /// When it times out (start-to-close), if it has a timeout.
    deadline_ms: Option<u64>,
    signals: AttemptSignals,
    woken: Arc<AtomicBool>,
    waker: Waker,
    future: LocalFuture<AttemptResult>,
}

impl Attempt {
    fn is_woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }

    /// Polls the attempt once; `Some` when it ended. A panic ends it as a
    /// failed attempt.
    fn poll(&mut self) -> Option<Ended> {
        self.woken.store(false, Ordering::SeqCst);
        let _running = running::enter(Running::Activity {
            instance: self.task.instance_id.clone(),
            work: self.work.clone(),
            name: self.task.name.clone(),
        });
        let mut cx = Context::from_waker(&self.waker);
        let polled = catch_unwind(AssertUnwindSafe(|| self.future.as_mut().poll(&mut cx)));
        match polled {
            Ok(Poll::Pending) => None,
            Ok(Poll::Ready(Ok(done))) => Some(Ended::Done(Box::new(done))),
            Ok(Poll::Ready(Err(e))) => Some(Ended::StorageFailed(self.work.clone(), e)),
            Err(payload) => {
                let message = format!(
                    "activity {} panicked: {}",
                    self.task.name,
                    panic_message(payload.as_ref())
                );
                Some(Ended::Done(Box::new(self.failed(message, 0.0, None))))
            }
        }
    }

    /// A failed ending that commits nothing of the attempt's writes.
    fn failed(&self, error: String, compute_ms: f64, finished_ms: Option<u64>) -> ActivityDone {
        ActivityDone::failed(
            self.work.clone(),
            self.task.clone(),
            error,
            compute_ms,
            finished_ms.unwrap_or(self.started_ms),
        )
    }
}

/// The activity attempts in flight and those that ended, waiting to be
/// committed.
pub(crate) struct InFlight {
    attempts: RefCell<Vec<Attempt>>,
    ended: RefCell<Vec<Ended>>,
    /// The work of every attempt running or ended: a tick asks about each
    /// task it reads, so this is not a scan.
    held: RefCell<HashSet<WorkId>>,
    signal: Arc<Signal>,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight {
            attempts: RefCell::new(Vec::new()),
            ended: RefCell::new(Vec::new()),
            held: RefCell::default(),
            signal: Arc::new(Signal::default()),
        }
    }
}

impl InFlight {
    /// Starts an attempt of `task` (queued as `work`) at `now_ms`, due to
    /// end by its start-to-close timeout, if it has one; it is polled the
    /// next time woken attempts are.
    pub(crate) fn start(
        &self,
        work: WorkId,
        task: ActivityTask,
        now_ms: u64,
        signals: AttemptSignals,
        future: LocalFuture<AttemptResult>,
    ) {
        let deadline_ms = task.timeout_ms.map(|t| now_ms.saturating_add(t));
        let woken = Arc::new(AtomicBool::new(true));
        let waker = Waker::from(Arc::new(AttemptWaker {
            woken: woken.clone(),
            signal: self.signal.clone(),
        }));
        self.held.borrow_mut().insert(work.clone());
        self.attempts.borrow_mut().push(Attempt {
            work,
            task,
            started_ms: now_ms,
            deadline_ms,
            signals,
            woken,
            waker,
            future,
        });
    }

    /// Whether an attempt of `work` is running or ended uncommitted.
    pub(crate) fn holds(&self, work: &WorkId) -> bool {
        self.held.borrow().contains(work)
    }

    /// Attempts running (not counting those that ended).
    pub(crate) fn running(&self) -> usize {
        self.attempts.borrow().len()
    }

    /// Polls every woken attempt once and ends those past their deadline at
    /// `now_ms`; what ended is kept for [`InFlight::take_ended`].
    pub(crate) fn poll_woken(&self, now_ms: u64) {
        // Taken out while polled (a waker an attempt fires must find the
        // set unborrowed), each once: one that wakes itself (it yields) is
        // polled again next time, not in a loop here.
        for mut attempt in drain_where(&self.attempts, Attempt::is_woken) {
            match attempt.poll() {
                Some(ended) => self.ended.borrow_mut().push(ended),
                None => self.attempts.borrow_mut().push(attempt),
            }
        }
        let late = |a: &Attempt| a.deadline_ms.is_some_and(|d| d <= now_ms);
        for attempt in drain_where(&self.attempts, late) {
            attempt.signals.cancel();
            let limit = attempt.deadline_ms.unwrap_or(now_ms) - attempt.started_ms;
            let message = format!(
                "activity {} timed out: no result {limit} ms after it started (start-to-close timeout)",
                attempt.task.name
            );
            let done = attempt.failed(message, limit as f64, attempt.deadline_ms);
            self.ended.borrow_mut().push(Ended::Done(Box::new(done)));
        }
    }

    /// Whether an attempt was woken since it was last polled, or ended and
    /// waits to be committed: the dispatcher is not idle.
    pub(crate) fn has_news(&self) -> bool {
        !self.ended.borrow().is_empty() || self.any_woken()
    }

    /// Takes the ended attempts `wanted` accepts; the others stay.
    pub(crate) fn take_ended(&self, wanted: impl Fn(&WorkId) -> bool) -> Vec<Ended> {
        let taken = drain_where(&self.ended, |e| wanted(e.work()));
        let mut held = self.held.borrow_mut();
        for e in &taken {
            held.remove(e.work());
        }
        taken
    }

    /// Whether each of `works` has ended or waits on something other than
    /// a store read (which ends by itself): nothing there is worth waiting
    /// for inside a tick. (An attempt that woke itself — it yields — is
    /// polled again by the next tick, not this one.)
    pub(crate) fn settled(&self, works: &[WorkId]) -> bool {
        self.attempts
            .borrow()
            .iter()
            .filter(|a| a.signals.in_store())
            .all(|a| !works.contains(&a.work))
    }

    /// Completes when an attempt is woken or has ended, after yielding to
    /// the executor at least once (whoever else runs on it — another
    /// executor, a test — gets its turn, as it would between IndexedDB's
    /// callbacks).
    pub(crate) fn news(self: &Rc<Self>) -> impl Future<Output = ()> + 'static {
        self.until(Self::has_news)
    }

    /// Completes when an attempt is woken (not merely ended: what ended
    /// waits for the tick, and counting it would spin a tick that waits on
    /// a store read, starving the event loop that must answer the read).
    pub(crate) fn wakes(self: &Rc<Self>) -> impl Future<Output = ()> + 'static {
        self.until(Self::any_woken)
    }

    fn any_woken(&self) -> bool {
        self.attempts.borrow().iter().any(Attempt::is_woken)
    }

    /// Completes once `ready` holds, after yielding at least once.
    fn until(self: &Rc<Self>, ready: fn(&Self) -> bool) -> impl Future<Output = ()> + 'static {
        let this = self.clone();
        async move {
            yield_now().await;
            std::future::poll_fn(|cx| {
                if ready(&this) {
                    return Poll::Ready(());
                }
                this.signal.watch(cx.waker());
                // A wake between the check and the watch is not lost.
                if ready(&this) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
        }
    }

    /// The earliest start-to-close deadline of an attempt in flight.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.attempts
            .borrow()
            .iter()
            .filter_map(|a| a.deadline_ms)
            .min()
    }

    /// Cancels the attempts `which` picks (their code may stop early); they
    /// stay in flight until they end.
    pub(crate) fn cancel(&self, which: impl Fn(&InstanceId, &ActivityTask) -> bool) {
        for a in self.attempts.borrow().iter() {
            if which(&a.task.instance_id, &a.task) {
                a.signals.cancel();
            }
        }
    }

    /// Drops the attempts of `works` and what they ended with: their tasks
    /// were queued by a turn that did not commit, so the ids may come back
    /// naming other work (a turn redone on another history) and nothing of
    /// these attempts may ever commit.
    pub(crate) fn discard(&self, works: &[&WorkId]) {
        if works.is_empty() {
            return;
        }
        for dropped in drain_where(&self.attempts, |a| works.contains(&&a.work)) {
            dropped.signals.cancel();
        }
        drain_where(&self.ended, |e| works.contains(&e.work()));
        let mut held = self.held.borrow_mut();
        for work in works {
            held.remove(*work);
        }
    }

    /// Keeps an ending that needed no run (a task whose last attempt
    /// crashed the page).
    pub(crate) fn push_ended(&self, ended: Ended) {
        self.held.borrow_mut().insert(ended.work().clone());
        self.ended.borrow_mut().push(ended);
    }
}

/// Takes the items `taken` picks out of `items`, keeping the others in
/// their order.
fn drain_where<T>(items: &RefCell<Vec<T>>, taken: impl Fn(&T) -> bool) -> Vec<T> {
    let mut items = items.borrow_mut();
    let (out, kept) = std::mem::take(&mut *items).into_iter().partition(taken);
    *items = kept;
    out
}
