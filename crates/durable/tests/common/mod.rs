//! Shared helpers for the runtime's integration tests: a runtime on the
//! in-memory store in virtual time, and small accessors.
#![allow(dead_code)]

use std::rc::Rc;

use durable::testing::{block_on, run_virtual};
use durable::Clock;
use durable::{
    EventKind, HistoryEvent, InMemoryStore, InstanceId, InstanceRecord, Registry, Runtime,
    RuntimeOptions, RuntimeStatus, Store, VirtualClock,
};

pub struct Harness {
    pub clock: VirtualClock,
    pub store: InMemoryStore,
    pub rt: Runtime<InMemoryStore>,
    options: RuntimeOptions,
}

/// Options for tests that count what each tick does: one step per tick.
pub fn stepwise() -> RuntimeOptions {
    RuntimeOptions {
        fuse_depth: 0,
        ..RuntimeOptions::default()
    }
}

impl Harness {
    pub fn new(registry: Registry) -> Self {
        Self::with_options(registry, RuntimeOptions::default())
    }

    pub fn with_options(registry: Registry, options: RuntimeOptions) -> Self {
        Self::on_clock(VirtualClock::new(1_000_000), registry, options)
    }

    /// A harness whose runtime reads `clock` (which the registry's
    /// activities may sleep on).
    pub fn on_clock(clock: VirtualClock, registry: Registry, options: RuntimeOptions) -> Self {
        let store = InMemoryStore::new();
        let rt = Runtime::with_options(
            store.clone(),
            registry,
            Rc::new(clock.clone()),
            options.clone(),
        );
        Harness {
            clock,
            store,
            rt,
            options,
        }
    }

    /// A fresh runtime on the same store: everything in memory is gone, as
    /// after a page reload.
    pub fn reload(&mut self) {
        let registry = self.rt.registry().clone();
        self.rt = Runtime::with_options(
            self.store.clone(),
            registry,
            Rc::new(self.clock.clone()),
            self.options.clone(),
        );
    }

    /// A new build: a fresh runtime with `registry` on the same store, as
    /// after an update of the app's code and a reload.
    pub fn deploy(&mut self, registry: Registry) {
        self.rt = Runtime::with_options(
            self.store.clone(),
            registry,
            Rc::new(self.clock.clone()),
            self.options.clone(),
        );
    }

    pub fn start(&self, name: &str, id: &str, input: serde_json::Value) {
        block_on(self.rt.client().start(name, &InstanceId::new(id), &input)).expect("start");
    }

    pub fn raise(&self, id: &str, event: &str, payload: serde_json::Value) {
        block_on(
            self.rt
                .client()
                .raise_event(&InstanceId::new(id), event, &payload),
        )
        .expect("raise");
    }

    /// Terminates `id`, not its children (the client's answer must be yes).
    pub fn terminate(&self, id: &str, reason: &str) {
        block_on(
            self.rt
                .client()
                .terminate(&InstanceId::new(id), reason, false),
        )
        .expect("terminate");
    }

    /// Rewinds the failed instance `id` (the client's answer must be yes).
    pub fn rewind(&self, id: &str, reason: &str) {
        block_on(self.rt.client().rewind(&InstanceId::new(id), reason)).expect("rewind");
    }

    /// Restarts the finished instance `id` (the client's answer must be yes).
    pub fn restart(&self, id: &str, reason: &str) {
        block_on(self.rt.client().restart(&InstanceId::new(id), reason)).expect("restart");
    }

    pub fn idle(&self) {
        block_on(self.rt.run_until_idle()).expect("run");
    }

    /// Runs in virtual time until nothing is left before `ms` from now.
    pub fn run_for(&self, ms: u64) {
        let until = self.clock.now_ms() + ms;
        block_on(run_virtual(&self.rt, &self.clock, until)).expect("run");
    }

    /// Moves virtual time `ms` on, firing what falls due on the way.
    pub fn advance(&self, ms: u64) {
        block_on(durable::testing::advance(&self.rt, &self.clock, ms)).expect("run");
    }

    /// Drives the runtime in virtual time until `id` ends, within `ms`.
    pub fn finish(&self, id: &str, ms: u64) -> Option<InstanceRecord> {
        let id = InstanceId::new(id);
        block_on(durable::testing::wait_for_completion(
            &self.rt,
            &self.clock,
            &id,
            ms,
        ))
        .expect("run")
    }

    pub fn row(&self, id: &str) -> InstanceRecord {
        block_on(self.store.instance(&InstanceId::new(id)))
            .expect("read")
            .unwrap_or_else(|| panic!("no instance {id}"))
    }

    pub fn status(&self, id: &str) -> RuntimeStatus {
        self.row(id).status
    }

    pub fn history(&self, id: &str) -> Vec<HistoryEvent> {
        block_on(self.store.history(&InstanceId::new(id))).expect("read")
    }

    pub fn kinds(&self, id: &str) -> Vec<&'static str> {
        self.history(id).iter().map(|e| e.kind.name()).collect()
    }

    pub fn count(&self, id: &str, kind: &str) -> usize {
        self.kinds(id).iter().filter(|k| **k == kind).count()
    }

    pub fn console(&self) -> Vec<String> {
        block_on(self.store.app_records("console"))
            .expect("read")
            .into_iter()
            .map(|r| r.value.as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// An activity that appends its input to the `console` app store and
/// returns it: its effect is visible, so exactly-once can be counted.
pub fn with_narrate(registry: &mut Registry) -> &mut Registry {
    registry.activity("Narrate", |ctx, line: String| async move {
        ctx.append("console", &line)?;
        Ok::<_, durable::ActivityError>(line)
    })
}

/// `Other` calls `Slow`, an activity that reads a record: with the store's
/// app reads deferred ([`Harness::pause_in_reads`]) a tick waiting for its
/// read stops there, so a test can act in the middle of the tick.
pub fn with_slow_other(registry: &mut Registry) -> &mut Registry {
    registry
        .activity("Slow", |ctx, _: ()| async move {
            ctx.read::<()>("slow", "slow").await?;
            Ok::<_, durable::ActivityError>(())
        })
        .orchestration(
            "Other",
            |ctx: durable::OrchestrationContext, _: ()| async move {
                ctx.call_activity::<_, ()>("Slow", &()).await
            },
        )
}

pub fn is_timer_cancel(e: &HistoryEvent) -> bool {
    matches!(e.kind, EventKind::TimerCancelled { .. })
}

impl Harness {
    /// Makes app reads complete one poll later (as IndexedDB's do), so a
    /// tick waiting on an activity's read can be paused with `poll_once`.
    pub fn pause_in_reads(&self) {
        self.store.defer_app_reads(true);
    }

    /// Runs ticks until one does nothing, or fails after `max_ticks`: a
    /// runtime that never goes idle is a bug the test must see, not a hang.
    pub fn idle_within(&self, max_ticks: usize) -> Result<(), String> {
        block_on(self.rt.run_until_idle_within(max_ticks))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    pub fn client(&self) -> durable::Client<InMemoryStore> {
        self.rt.client()
    }

    pub fn app(&self, store: &str, key: &str) -> Option<serde_json::Value> {
        block_on(self.store.app_record(store, key))
            .expect("read")
            .map(|r| r.value)
    }
}

/// Polls a future once (a tick that stops at its first yield), so a test
/// can interleave two executors exactly.
pub fn poll_once<F: std::future::Future>(fut: std::pin::Pin<&mut F>) -> Option<F::Output> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

#[allow(unused_imports)] // not every test binary interleaves executors
pub use durable::testing::YieldOnce;
