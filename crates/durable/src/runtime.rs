//! The dispatcher: turns ready work into committed turns and completions.
//!
//! Each [`Runtime::tick`] takes the ready work, runs every ready activity,
//! then one orchestration turn per instance that has messages — an activity's
//! completion goes straight into its instance's turn, in the same unit — and
//! commits all units in one batch (group commit), falling back to one commit
//! per unit if the group is refused. Work this runtime creates is kept in a
//! hot queue, so a busy instance does not re-read the store every tick; the
//! store is read whenever the hot queue is empty, every few ticks, and at
//! the start of [`Runtime::run_until_idle`]. It owns the execution cache.
//! It must never let a turn's effects reach the store except as one atomic
//! batch.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::rc::Rc;

use crate::activity::{ActivityContext, AttemptSignals};
use crate::cache::ExecutionCache;
use crate::changes::{Change, ChangeFeed};
use crate::client::Client;
use crate::clock::Clock;
use crate::context::LogLine;
use crate::derive::{derive_work, unqueue_activities};
use crate::error::{ClientError, RuntimeError};
use crate::execution::{Execution, Outcome, TurnResult};
use crate::footprint::Footprint;
use crate::history::{EventKind, HistoryEvent};
use crate::in_flight::{AttemptResult, Ended, InFlight};
use crate::instance::{InstanceId, InstanceRecord, RuntimeStatus};
use crate::local_queue::SharedQueue;
use crate::registry::{LocalFuture, Registry};
use crate::running::{Crash, Running};
use crate::store::{CommitBatch, Precondition, Store, StoreError};
use crate::telemetry;
use crate::transitions::apply_transition;
use crate::unit::{
    completion_message, fuse, guard, guard_row, rows_shared, start_rank, terminates, ActivityDone,
    TurnInput, TurnOrder, Unit,
};
use crate::work::{ActivityTask, Message, WorkId, WorkItem, WorkKind};

/// Tuning knobs of the dispatcher.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// Most work items taken per tick.
    pub batch_limit: usize,
    /// Live executions kept in memory; the least recently used is evicted.
    pub cache_capacity: usize,
    /// Commit the units of a tick together.
    pub group_commit: bool,
    /// Seed for activities' random numbers.
    pub seed: u64,
    /// How many further steps of an instance a tick may run before it
    /// commits: when a turn schedules an activity and nothing it wrote could
    /// be read by that activity, the activity and the next turn run at once
    /// and commit in the same transaction (0 turns this off).
    pub fuse_depth: usize,
    /// How many logged lines the runtime keeps in memory for
    /// [`Runtime::take_logs`] (the oldest go first); each instance row keeps
    /// its own last lines too.
    pub log_capacity: usize,
    /// Most activity attempts in flight at once; tasks beyond it wait in
    /// the queue until one ends.
    pub activity_concurrency: usize,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            batch_limit: 10_000,
            cache_capacity: 10_000,
            group_commit: true,
            seed: 0x5eed,
            fuse_depth: 32,
            log_capacity: 1_000,
            activity_concurrency: 1_000,
        }
    }
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickReport {
    /// Orchestration turns committed.
    pub turns: usize,
    /// Activities run whose results committed.
    pub activities: usize,
    /// Store commits made (a group commit counts once).
    pub commits: usize,
    /// Units refused because the data changed meanwhile (they will be redone).
    pub conflicts: usize,
    /// Turns that replayed history because the instance was not cached.
    pub replays: usize,
}

impl TickReport {
    /// Whether anything was committed (a tick that only cleared stale work
    /// counts: there may be more behind it).
    pub fn did_work(&self) -> bool {
        self.turns + self.activities + self.commits > 0
    }

    /// Adds another report's counts to this one.
    pub fn add(&mut self, r: &TickReport) {
        self.turns += r.turns;
        self.activities += r.activities;
        self.commits += r.commits;
        self.conflicts += r.conflicts;
        self.replays += r.replays;
    }
}

/// Store reads are skipped for at most this many ticks in a row.
const HOT_TICKS: u32 = 16;

/// A batch read is widened at most to this multiple of `batch_limit`.
const MAX_WIDEN: usize = 1 << 12;

/// Rows read ahead for a tick's turns (`None`: the instance has none).
type PrefetchedRows = HashMap<InstanceId, Option<InstanceRecord>>;

/// Histories read ahead for the turns that replay.
type PrefetchedHistories = HashMap<InstanceId, Vec<HistoryEvent>>;

/// Where committed log lines also go ([`Runtime::on_log`]).
type LogSink = Box<dyn Fn(&LogLine)>;

/// The orchestration runtime over a store.
pub struct Runtime<S: Store> {
    store: S,
    registry: Registry,
    clock: Rc<dyn Clock>,
    options: RuntimeOptions,
    cache: RefCell<ExecutionCache>,
    changes: ChangeFeed,
    activity_seq: Cell<u64>,
    logs: RefCell<VecDeque<LogLine>>,
    /// Where each committed log line also goes (an app's console, say).
    log_sink: RefCell<Option<LogSink>>,
    /// Ready work committed in this tab (by this runtime, or handed over
    /// by its clients), in commit order: run without a store read.
    local: SharedQueue,
    hot_ticks: Cell<u32>,
    read_store: Cell<bool>,
    /// Whether the last tick read the store (rather than the hot queue).
    read_last_tick: Cell<bool>,
    /// The time the store's ready work was last read at: a timer due after
    /// it may not have been taken yet.
    last_read_ms: Cell<u64>,
    /// Whether that read filled its batch.
    full_batch: Cell<bool>,
    /// The multiple of `batch_limit` the next store read takes.
    widen: Cell<usize>,
    /// Whether the last tick widened the next read (it is not idle yet).
    widened: Cell<bool>,
    /// A storage error an activity met in this tick: reported by the tick.
    activity_failure: RefCell<Option<StoreError>>,
    /// Activity attempts running beside the turns, and those that ended.
    in_flight: Rc<InFlight>,
    /// Panics a host found noted from an earlier run of the page (where a
    /// panic aborts the module): what was running fails instead of running
    /// again.
    crashes: RefCell<Vec<Crash>>,
}

impl<S: Store + Clone + 'static> Runtime<S> {
    /// The batch with the time it is committed at (what its journal
    /// entries carry).
    fn stamped(&self, mut batch: CommitBatch) -> CommitBatch {
        batch.at_ms = self.clock.now_ms();
        batch
    }

    /// The commit of `batch`, stamped, in a commit span (the store's own
    /// future when the `tracing` feature is off).
    fn commit(&self, batch: CommitBatch) -> impl Future<Output = Result<(), StoreError>> + '_ {
        let span = telemetry::commit_span(&batch);
        telemetry::commit(span, self.store.commit(self.stamped(batch)))
    }

    /// A runtime over `store` that runs the orchestrations and activities of
    /// `registry` on `clock`, with default options.
    pub fn new(store: S, registry: Registry, clock: Rc<dyn Clock>) -> Self {
        Self::with_options(store, registry, clock, RuntimeOptions::default())
    }

    /// [`Runtime::new`] with the given tuning options.
    pub fn with_options(
        store: S,
        registry: Registry,
        clock: Rc<dyn Clock>,
        options: RuntimeOptions,
    ) -> Self {
        Runtime {
            store,
            registry,
            clock,
            cache: RefCell::new(ExecutionCache::new(options.cache_capacity)),
            options,
            changes: ChangeFeed::new(),
            activity_seq: Cell::new(0),
            logs: RefCell::new(VecDeque::new()),
            log_sink: RefCell::new(None),
            local: Rc::default(),
            hot_ticks: Cell::new(0),
            read_store: Cell::new(true),
            read_last_tick: Cell::new(false),
            last_read_ms: Cell::new(0),
            full_batch: Cell::new(false),
            widen: Cell::new(1),
            widened: Cell::new(false),
            activity_failure: RefCell::new(None),
            in_flight: Rc::default(),
            crashes: RefCell::new(Vec::new()),
        }
    }

    /// A client on the same store, clock and change feed.
    pub fn client(&self) -> Client<S> {
        Client::new(self.store.clone(), self.clock.clone(), self.changes.clone())
            .with_inbox(self.local.clone())
    }

    /// The feed this runtime and its clients publish changes to.
    pub fn changes(&self) -> &ChangeFeed {
        &self.changes
    }

    /// The store the runtime works on.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The orchestrations and activities this runtime runs.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Replay-safe log lines written by orchestrations, drained: those of
    /// committed turns, the newest [`RuntimeOptions::log_capacity`] at most.
    pub fn take_logs(&self) -> Vec<LogLine> {
        std::mem::take(&mut *self.logs.borrow_mut()).into()
    }

    /// Sends every log line to `sink` too, as its turn commits (once each:
    /// replays log nothing).
    pub fn on_log(&self, sink: impl Fn(&LogLine) + 'static) {
        *self.log_sink.borrow_mut() = Some(Box::new(sink));
    }

    /// Keeps a committed turn's lines, within the bound, and hands each to
    /// the sink.
    fn keep_logs(&self, lines: Vec<LogLine>) {
        if lines.is_empty() {
            return;
        }
        if let Some(sink) = self.log_sink.borrow().as_ref() {
            lines.iter().for_each(sink);
        }
        if self.options.log_capacity == 0 {
            return;
        }
        let mut logs = self.logs.borrow_mut();
        logs.extend(lines);
        let excess = logs.len().saturating_sub(self.options.log_capacity);
        logs.drain(..excess);
    }

    /// Number of executions held in memory.
    pub fn cached_executions(&self) -> usize {
        self.cache.borrow().len()
    }

    /// Drops every cached execution (the next turn of each replays).
    pub fn evict_all(&self) {
        self.cache.borrow_mut().clear();
    }

    /// Stops taking the work this tab's clients hand over, and drops what
    /// it holds (a host that stops executing calls it; the store has it
    /// all).
    pub fn stop_taking_hand_overs(&self) {
        self.local.borrow_mut().close();
    }

    /// Makes the next tick read the store's ready work, not only the work
    /// this runtime queued itself (a host calls it when told of work queued
    /// elsewhere; [`Runtime::run_until_idle`] does it by itself).
    pub fn refresh(&self) {
        self.read_store.set(true);
    }

    /// Whether the last tick read the store's ready work.
    pub fn last_tick_read_store(&self) -> bool {
        self.read_last_tick.get()
    }

    /// The earliest time a queued timer falls due after the store was last
    /// read for ready work (so one that fell due since, and that no tick has
    /// taken, is reported, in the past: a host then runs at once), or an
    /// activity attempt in flight reaches its start-to-close timeout.
    pub async fn next_due(&self) -> Result<Option<u64>, RuntimeError> {
        let timer = self.store.next_due(self.last_read_ms.get()).await?;
        Ok(timer
            .into_iter()
            .chain(self.in_flight.next_deadline())
            .min())
    }

    /// Activity attempts running now (each beside the turns, never in
    /// front of them).
    pub fn activities_in_flight(&self) -> usize {
        self.in_flight.running()
    }

    /// Whether an activity attempt woke or ended since the last tick: the
    /// next tick has something to do even if the queue is empty.
    pub fn has_activity_news(&self) -> bool {
        self.in_flight.has_news()
    }

    /// Completes when an activity attempt in flight can make progress or
    /// has ended: a host waits for it beside its timer and its nudges, then
    /// runs the dispatcher again.
    pub fn activity_progress(&self) -> impl Future<Output = ()> + 'static {
        self.in_flight.news()
    }

    /// Fails what a panic interrupted in an earlier run of this app (a
    /// host where a panic aborts the module notes it from its panic hook):
    /// the activity attempt fails with the panic's message — its retry
    /// policy decides what happens next — or the instance fails, instead of
    /// running the same code again.
    pub fn fail_crashed(&self, crash: Crash) {
        self.crashes.borrow_mut().push(crash);
        self.read_store.set(true);
    }

    /// The crash noted for what `what` names, taken.
    fn take_crash(&self, what: impl Fn(&Running) -> bool) -> Option<Crash> {
        let mut crashes = self.crashes.borrow_mut();
        let at = crashes.iter().position(|c| what(&c.running))?;
        Some(crashes.remove(at))
    }

    /// Runs ticks until one that read the store found nothing to do. The
    /// first tick reads the store, so work queued by others (commands,
    /// timers that fell due) is seen — unless this tab's clients handed
    /// messages over, which go first, the store being read once the local
    /// work runs dry — and so does the last.
    pub async fn run_until_idle(&self) -> Result<TickReport, RuntimeError> {
        self.run_until_idle_within(usize::MAX).await
    }

    /// [`Runtime::run_until_idle`], but gives up with
    /// [`RuntimeError::Busy`] after `max_ticks` ticks: a runtime that never
    /// goes idle is a bug a caller can see instead of a hang.
    pub async fn run_until_idle_within(
        &self,
        max_ticks: usize,
    ) -> Result<TickReport, RuntimeError> {
        // Messages handed over in memory are delivered first, without a
        // read; the store is read once the local work runs dry.
        if !self.local.borrow().has_handed() {
            self.read_store.set(true);
        }
        let mut total = TickReport::default();
        for _ in 0..max_ticks {
            let r = self.tick().await?;
            total.add(&r);
            // An attempt that woke or ended has something for the next
            // tick; attempts still waiting (a slow fetch) do not keep the
            // dispatcher busy.
            if r.did_work() || r.conflicts > 0 || self.has_activity_news() {
                continue;
            }
            if self.read_last_tick.get() && !self.widened.get() {
                return Ok(total);
            }
            // The hot queue ran dry: look at the store once more.
            self.read_store.set(true);
        }
        Err(RuntimeError::Busy { ticks: max_ticks })
    }

    /// The work to do now: the local queue, or what the store has ready;
    /// and the instances with messages handed over among it (their turns
    /// commit only if nothing committed elsewhere should come first).
    async fn next_work(
        &self,
        now: u64,
    ) -> Result<(Vec<WorkItem>, HashSet<InstanceId>), RuntimeError> {
        self.local.borrow_mut().open();
        let use_hot = !self.read_store.get()
            && !self.local.borrow().is_empty()
            && self.hot_ticks.get() < HOT_TICKS;
        if use_hot {
            self.read_last_tick.set(false);
            self.hot_ticks.set(self.hot_ticks.get() + 1);
            let taken = self.local.borrow_mut().take(self.options.batch_limit);
            let mut handed = HashSet::new();
            let mut work = Vec::with_capacity(taken.len());
            for local in taken {
                if local.handed {
                    handed.insert(local.item.instance_id().clone());
                }
                work.push(local.item);
            }
            return Ok((work, handed));
        }
        self.read_last_tick.set(true);
        self.hot_ticks.set(0);
        let limit = self.options.batch_limit.saturating_mul(self.widen.get());
        // What is queued locally now, the read finds (or a later one); what
        // commits while it reads and it does not see stays queued here.
        let before = self.local.borrow().len();
        let work = self.store.ready_work(now, limit).await?;
        self.last_read_ms.set(now);
        // Only a read that happened answers a request for one.
        self.read_store.set(false);
        let seen: HashSet<WorkId> = work.iter().map(|w| w.id.clone()).collect();
        self.local.borrow_mut().after_store_read(before, &seen);
        self.full_batch.set(work.len() >= limit);
        Ok((work, HashSet::new()))
    }

    /// After a tick: a store read whose batch was full and in which nothing
    /// could be done (every item waits: held by a suspension, or for an
    /// instance not started) reads a wider batch next, so the work behind
    /// those items still runs; any progress narrows it again.
    fn after_tick(&self, report: &TickReport) {
        let stuck = self.read_last_tick.get()
            && self.full_batch.get()
            && !report.did_work()
            && report.conflicts == 0;
        if stuck && self.widen.get() < MAX_WIDEN {
            self.widen.set(self.widen.get() * 2);
            self.read_store.set(true);
            self.widened.set(true);
        } else {
            self.widened.set(false);
            if report.did_work() {
                self.widen.set(1);
            }
        }
    }

    /// Processes the work that is ready now: starts the activity tasks
    /// that are not running yet, takes the attempts that ended, and runs
    /// one turn per instance with messages or completions.
    pub async fn tick(&self) -> Result<TickReport, RuntimeError> {
        // A failure kept by a tick that ended early is that tick's, not ours.
        self.activity_failure.borrow_mut().take();
        let now = self.clock.now_ms();
        let (work, handed) = self.next_work(now).await?;
        let mut report = TickReport::default();
        let mut order: Vec<InstanceId> = Vec::new();
        let mut messages: HashMap<InstanceId, Vec<(WorkId, Message)>> = HashMap::new();
        let mut tasks = Vec::new();
        for item in work {
            match item.kind {
                WorkKind::Message(m) => {
                    let entry = messages.entry(m.instance_id.clone()).or_insert_with(|| {
                        order.push(m.instance_id.clone());
                        Vec::new()
                    });
                    entry.push((item.id, m));
                }
                WorkKind::Activity(t) => tasks.push((item.id, t)),
            }
        }
        // An instance terminated in this tick runs no more activities: its
        // terminating turn takes their tasks off the queue.
        let terminating = |id: &InstanceId| messages.get(id).is_some_and(|m| terminates(m));
        let started: Vec<WorkId> = tasks
            .into_iter()
            .filter(|(_, t)| !terminating(&t.instance_id))
            .filter_map(|(id, t)| self.start_attempt(id, t))
            .collect();
        self.wait_for_store_reads(&started).await;
        let mut done: HashMap<InstanceId, Vec<ActivityDone>> = HashMap::new();
        let mut admitted = Footprint::default();
        for d in self.admit_ended(self.in_flight.take_ended(|_| true), &mut admitted) {
            let id = d.task.instance_id.clone();
            if !messages.contains_key(&id) && !done.contains_key(&id) {
                order.push(id.clone());
            }
            done.entry(id).or_default().push(d);
        }
        let (mut rows, mut histories) = self.read_uncached(&order).await?;
        let mut units = Vec::new();
        for id in order {
            let input = TurnInput {
                live: None,
                row: rows.remove(&id),
                history: histories.remove(&id),
                msgs: messages.remove(&id).unwrap_or_default(),
                chained: done.remove(&id).unwrap_or_default(),
                overlay: Vec::new(),
            };
            if let Some(mut unit) = self.prepare_turn(&id, input, now, &mut report).await? {
                if handed.contains(&id) {
                    unit.batch.preconditions.push(Precondition::NoOtherMessage {
                        instance: id.clone(),
                        ready_at_ms: now,
                    });
                }
                units.push(unit);
            }
        }
        self.fuse_follow_ups(&mut units, &mut admitted, now, &mut report)
            .await?;
        self.commit_units(units, &mut report).await?;
        self.after_tick(&report);
        match self.activity_failure.borrow_mut().take() {
            Some(e) => Err(e.into()),
            None => Ok(report),
        }
    }

    /// The rows of the instances in `order` not in the cache, read
    /// together, and the histories of those to replay (a new one has
    /// none).
    async fn read_uncached(
        &self,
        order: &[InstanceId],
    ) -> Result<(PrefetchedRows, PrefetchedHistories), RuntimeError> {
        let uncached: Vec<InstanceId> = {
            let cache = self.cache.borrow();
            order
                .iter()
                .filter(|id| !cache.contains(id))
                .cloned()
                .collect()
        };
        let mut rows = HashMap::new();
        let mut histories = HashMap::new();
        if uncached.is_empty() {
            return Ok((rows, histories));
        }
        let read = self.store.instances(&uncached).await?;
        let replay: Vec<InstanceId> = read
            .iter()
            .flatten()
            .filter(|r| !r.status.is_final() && r.history_len > 0)
            .map(|r| r.id.clone())
            .collect();
        if !replay.is_empty() {
            let read = self.store.histories(&replay).await?;
            histories.extend(replay.into_iter().zip(read));
        }
        rows.extend(uncached.into_iter().zip(read));
        Ok((rows, histories))
    }

    /// Starts an attempt of the task queued as `work`, unless one is
    /// already in flight or the most attempts allowed are (then it waits
    /// in the queue, and a later tick reads it again). A task whose last
    /// attempt crashed the page (a noted panic) fails without running.
    fn start_attempt(&self, work: WorkId, task: ActivityTask) -> Option<WorkId> {
        if self.in_flight.holds(&work) {
            return None;
        }
        let now = self.clock.now_ms();
        let crash =
            self.take_crash(|r| matches!(r, Running::Activity { work: w, .. } if *w == work));
        if let Some(crash) = crash {
            let message = format!("activity {} panicked: {}", task.name, crash.message);
            let done = ActivityDone::failed(work.clone(), task, message, 0.0, now);
            self.in_flight.push_ended(Ended::Done(Box::new(done)));
            return None;
        }
        if self.in_flight.running() >= self.options.activity_concurrency.max(1) {
            self.read_store.set(true);
            return None;
        }
        let signals = AttemptSignals::default();
        let future = self.attempt(work.clone(), task.clone(), signals.clone());
        self.in_flight
            .start(work.clone(), task, now, signals, future);
        Some(work)
    }

    /// Polls the attempts that woke, and waits for the `started` ones while
    /// they only wait on a store read (which ends by itself): an activity
    /// that reads and writes the app's records commits with the turn it
    /// completes, as if it ran inside the tick. An attempt waiting on
    /// anything else (a fetch, a timer) is left running.
    async fn wait_for_store_reads(&self, started: &[WorkId]) {
        loop {
            self.in_flight.poll_woken(self.clock.now_ms());
            if self.in_flight.settled(started) {
                return;
            }
            self.in_flight.wakes().await;
        }
    }

    /// The attempts that ended and may commit in this tick: a storage
    /// failure is kept for the tick to report (the task runs again), and a
    /// result that depends on one admitted before it waits (its task runs
    /// again after they commit).
    fn admit_ended(&self, ended: Vec<Ended>, admitted: &mut Footprint) -> Vec<ActivityDone> {
        let mut results = Vec::new();
        for e in ended {
            match e {
                Ended::Done(d) => {
                    if self.admit(admitted, &d) {
                        results.push(*d);
                    }
                }
                Ended::StorageFailed(_, e) => {
                    self.read_store.set(true);
                    self.activity_failure.borrow_mut().get_or_insert(e);
                }
            }
        }
        results
    }

    /// Admits an activity's result into this tick's commit if it is
    /// independent of every result admitted before it; otherwise it is
    /// dropped, its task stays queued, and it runs again after they commit.
    fn admit(&self, admitted: &mut Footprint, done: &ActivityDone) -> bool {
        let footprint = done.footprint();
        if footprint.conflicts_with(admitted) {
            self.read_store.set(true);
            return false;
        }
        admitted.absorb(footprint);
        true
    }

    /// Runs, before committing, the activities that the tick's turns just
    /// scheduled and the turns they complete, and folds them into the same
    /// units: one transaction then carries several steps of a sequence. A
    /// follow-up reads the store, which does not hold the tick's writes yet,
    /// so its result is admitted only if it is independent of every result
    /// already in the tick; otherwise its task is committed as queued and
    /// it runs in the next tick.
    async fn fuse_follow_ups(
        &self,
        units: &mut [Unit],
        admitted: &mut Footprint,
        now: u64,
        report: &mut TickReport,
    ) -> Result<(), RuntimeError> {
        // Each follow-up runs at most once per tick, admitted or not.
        let mut tried: std::collections::HashSet<WorkId> = std::collections::HashSet::new();
        for _ in 0..self.options.fuse_depth {
            let mut follow = Vec::new();
            for (i, u) in units.iter().enumerate() {
                let Some((row, _)) = &u.install else { continue };
                for w in &u.batch.enqueue {
                    if let WorkKind::Activity(t) = &w.kind {
                        if t.instance_id == row.id && tried.insert(w.id.clone()) {
                            follow.push((i, w.id.clone(), t.clone()));
                        }
                    }
                }
            }
            if follow.is_empty() {
                return Ok(());
            }
            let started: Vec<WorkId> = follow
                .iter()
                .filter_map(|(_, id, t)| self.start_attempt(id.clone(), t.clone()))
                .collect();
            self.wait_for_store_reads(&started).await;
            let unit_of: HashMap<WorkId, usize> =
                follow.iter().map(|(i, id, _)| (id.clone(), *i)).collect();
            let ended = self.in_flight.take_ended(|w| unit_of.contains_key(w));
            let mut by_unit: BTreeMap<usize, Vec<ActivityDone>> = BTreeMap::new();
            for d in self.admit_ended(ended, admitted) {
                by_unit.entry(unit_of[&d.work]).or_default().push(d);
            }
            if by_unit.is_empty() {
                return Ok(());
            }
            for (i, chained) in by_unit {
                let unit = &mut units[i];
                let Some((row, exec)) = unit.install.take() else {
                    continue;
                };
                let id = row.id.clone();
                let input = TurnInput {
                    live: Some((row, exec)),
                    row: None,
                    history: None,
                    msgs: Vec::new(),
                    chained,
                    overlay: unit.batch.instances.clone(),
                };
                match self.prepare_turn(&id, input, now, report).await? {
                    Some(next) => fuse(unit, next),
                    None => unit.install = self.cache.borrow_mut().take(&id),
                }
            }
        }
        Ok(())
    }

    async fn commit_units(
        &self,
        units: Vec<Unit>,
        report: &mut TickReport,
    ) -> Result<(), RuntimeError> {
        if units.is_empty() {
            return Ok(());
        }
        if self.options.group_commit && units.len() > 1 && !rows_shared(&units) {
            let mut batch = CommitBatch::default();
            for u in &units {
                batch.merge(u.batch.clone());
            }
            match self.commit(batch).await {
                Ok(()) => {
                    report.commits += 1;
                    for u in units {
                        self.committed(u, report);
                    }
                    return Ok(());
                }
                Err(StoreError::Conflict(_)) => {} // find the stale unit below
                Err(e) => {
                    self.abandon(&units);
                    return Err(e.into());
                }
            }
        }
        let mut failure = None;
        let mut iter = units.into_iter();
        for u in iter.by_ref() {
            match self.commit(u.batch.clone()).await {
                Ok(()) => {
                    report.commits += 1;
                    self.committed(u, report);
                }
                Err(StoreError::Conflict(_)) => {
                    report.conflicts += 1;
                    self.abandon(std::slice::from_ref(&u));
                }
                Err(e) => {
                    self.abandon(std::slice::from_ref(&u));
                    failure = Some(e);
                    break;
                }
            }
        }
        let rest: Vec<Unit> = iter.collect();
        self.abandon(&rest);
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    fn committed(&self, unit: Unit, report: &mut TickReport) {
        report.turns += unit.turns;
        report.activities += unit.activities;
        // Events stay out of the hot queue: one sent here must not overtake
        // one raised elsewhere and already committed to the store.
        self.local
            .borrow_mut()
            .push_own(unit.batch.enqueue.into_iter().filter(|w| {
                w.due_ms().is_none()
                    && !matches!(&w.kind, WorkKind::Message(m)
                    if matches!(m.event, EventKind::EventRaised { .. }) && m.execution.is_none())
            }));
        // Attempts nothing will take any more — their instance ended, or
        // moved on to another execution or life — are told so.
        for row in &unit.batch.instances {
            self.in_flight.cancel(|instance, task| {
                *instance == row.id
                    && (row.status.is_final() || task.is_stale_for(row.execution, &row.incarnation))
            });
        }
        if let Some((row, exec)) = unit.install {
            self.cache.borrow_mut().insert(row, exec);
        }
        self.keep_logs(unit.logs);
        for c in unit.changes {
            self.changes.publish(c);
        }
    }

    /// Units that did not commit: their executions ran ahead of the store,
    /// so they are dropped, and the next tick reads the store again.
    fn abandon(&self, units: &[Unit]) {
        if units.is_empty() {
            return;
        }
        self.read_store.set(true);
        let mut cache = self.cache.borrow_mut();
        for u in units {
            if let Some(id) = &u.evict {
                cache.remove(id);
            }
            // Attempts of tasks this unit would have queued (fused
            // follow-ups) run for a turn that never happened.
            let queued: Vec<&WorkId> = u
                .batch
                .enqueue
                .iter()
                .filter(|w| matches!(w.kind, WorkKind::Activity(_)))
                .map(|w| &w.id)
                .collect();
            self.in_flight.discard(&queued);
        }
    }

    /// Builds the unit for one instance: its queued messages and the
    /// completions of its activities that ran in this tick.
    async fn prepare_turn(
        &self,
        id: &InstanceId,
        input: TurnInput,
        now: u64,
        report: &mut TickReport,
    ) -> Result<Option<Unit>, RuntimeError> {
        let TurnInput {
            live,
            row: prefetched,
            history: prefetched_history,
            msgs,
            chained,
            overlay,
        } = input;
        let cached = live.or_else(|| self.cache.borrow_mut().take(id));
        let (record, cached_exec) = match (cached, prefetched) {
            (Some((row, exec)), _) => (Some(row), Some(exec)),
            (None, Some(row)) => (row, None),
            (None, None) => (self.store.instance(id).await?, None),
        };
        let mut unit = Unit {
            activities: chained.len(),
            ..Unit::default()
        };
        let Some(record) = record else {
            // Not started (or purged): messages wait for the instance, since
            // events raised before a start are kept. An activity that ran
            // while its task was queued keeps its effects (exactly once);
            // only the completion, which nobody waits for, is dropped.
            if chained.is_empty() {
                return Ok(None);
            }
            unit.batch.preconditions.push(Precondition::no_row(id));
            for d in chained {
                d.settle(&mut unit.batch, &mut unit.changes);
            }
            return Ok(Some(unit));
        };
        let (current, chained) = settle_stale(&mut unit, &record, msgs, chained);
        if record.status.is_final() {
            settle_after_the_end(&mut unit, &record, current, chained, now);
            return Ok((!unit.batch.is_empty()).then_some(unit));
        }
        let current = takeable(current, &record);
        if current.is_empty() && chained.is_empty() {
            if let Some(exec) = cached_exec {
                self.cache.borrow_mut().insert(record, exec);
            }
            return Ok((!unit.batch.is_empty()).then_some(unit));
        }
        let mut exec = self
            .execution_for(&record, cached_exec, prefetched_history, report)
            .await?;
        // Settle the activities: their effects commit in this unit whatever
        // the turn does with their completions.
        let mut chained = chained;
        chained.sort_by_key(|d| d.finished_ms);
        if terminates(&current) {
            // A terminate means no more work: what an attempt ending beside
            // it wrote is dropped with it.
            chained.iter_mut().for_each(ActivityDone::drop_effects);
        }
        let order = TurnOrder::new(&current, &chained);
        let completions: Vec<_> = chained
            .into_iter()
            .map(|d| d.settle(&mut unit.batch, &mut unit.changes))
            .collect();
        let events = order.events(&current, &completions);
        // A turn reads the clock when it starts; the row's last update is
        // the last turn's time, and a new execution (after continue-as-new)
        // starts no earlier.
        let turn_now = now.max(self.clock.now_ms()).max(record.updated_ms);
        let turn = {
            let _span = telemetry::turn(&record.id, &record.name);
            exec.run_turn(turn_now, &events, self.clock.as_ref())
        };
        let turn_time = turn.new_events.first().map_or(now, |e| e.timestamp_ms);
        let (queued_flags, chained_flags) = order.split(&turn.consumed);
        let consumed: Vec<WorkId> = current
            .iter()
            .zip(&queued_flags)
            .filter(|(_, c)| **c)
            .map(|((w, _), _)| w.clone())
            .collect();
        let settled = completions.len();
        let delivered_any = chained_flags.iter().any(|f| *f);
        queue_deferred(&mut unit.batch, completions, &chained_flags);
        if consumed.is_empty() && !delivered_any {
            // Everything waits (a suspended instance): the turn records
            // nothing, so its event ids are handed back.
            exec.discard_turn(&turn);
            if settled == 0 {
                self.cache.borrow_mut().insert(record, exec);
                return Ok((!unit.batch.is_empty()).then_some(unit));
            }
            settle_without_a_turn(&mut unit, &record, exec);
            return Ok(Some(unit));
        }
        unit.turns = 1;
        unit.evict = Some(id.clone());
        guard_row(&mut unit, &record);
        // The row version refuses a turn computed from a stale execution;
        // the consumed messages must still be queued, since another executor
        // may have read them before this one's turn and its row after.
        for work in &consumed {
            guard(&mut unit.batch, work);
        }
        unit.batch.dequeue.extend(consumed);

        let mut row = row_after_turn(&record, &turn, turn_time);
        derive_work(
            &self.store,
            &record,
            &turn.new_events,
            &mut unit.batch,
            &overlay,
        )
        .await?;
        if matches!(turn.outcome, Some(Outcome::Terminated(_))) {
            // None of its activities runs after the terminate.
            unqueue_activities(&record, &exec.open_activities(), &mut unit.batch);
        }
        let transition = apply_transition(
            turn.outcome.as_ref(),
            turn.suspended,
            &record,
            &mut row,
            &mut unit.batch,
        );
        if !matches!(turn.outcome, Some(Outcome::ContinuedAsNew { .. })) {
            unit.batch
                .append_history
                .push((id.clone(), turn.new_events));
        }
        let rows = std::iter::once(&row).chain(&unit.batch.instances);
        let changed: Vec<Change> = rows
            .map(|r| Change::Instance {
                id: r.id.clone(),
                status: Some(r.status),
            })
            .collect();
        unit.changes.extend(changed);
        row.keep_log(&turn.logs);
        unit.batch.instances.insert(0, row.clone());
        if transition.stays_live {
            unit.install = Some((row, exec));
        }
        unit.logs = turn.logs;
        Ok(Some(unit))
    }

    /// The execution a turn of `record` runs on: the cached one, or the
    /// history replayed — or, when a panic noted from an earlier run of the
    /// app interrupted this instance, one that fails it without running its
    /// code again.
    async fn execution_for(
        &self,
        record: &InstanceRecord,
        cached: Option<Execution>,
        prefetched_history: Option<Vec<HistoryEvent>>,
        report: &mut TickReport,
    ) -> Result<Execution, RuntimeError> {
        let id = &record.id;
        let crash =
            self.take_crash(|r| matches!(r, Running::Orchestration { instance } if instance == id));
        if let Some(crash) = crash {
            let message = format!("orchestration {} panicked: {}", record.name, crash.message);
            return Ok(Execution::crashed(&self.registry, record, message));
        }
        if let Some(exec) = cached {
            return Ok(exec);
        }
        report.replays += 1;
        // A new instance has no history to read.
        let history = match prefetched_history {
            Some(h) => h,
            None if record.history_len == 0 => Vec::new(),
            None => self.store.history(id).await?,
        };
        Ok(Execution::replay(
            &self.registry,
            id.clone(),
            record.execution,
            &history,
        ))
    }

    /// Raises an event and, when this runtime holds the instance live, runs
    /// the turn the event causes and commits both as one batch (one
    /// IndexedDB transaction): the event goes straight into the history and
    /// never through the queue. The turn is guarded like any other (the
    /// row's version) and by [`Precondition::NoOtherMessage`], so an event
    /// committed elsewhere first is never overtaken. When the instance is
    /// not live here, is suspended, or the turn cannot be prepared or
    /// committed (refused, or its writes failed), the event is queued as
    /// [`Client::raise_event`] queues it.
    pub async fn raise_event<I: serde::Serialize>(
        &self,
        id: &InstanceId,
        event: impl crate::handle::EventName<I>,
        payload: &I,
    ) -> Result<(), ClientError> {
        let name = event.event_name();
        let input = crate::client::encode(payload, "event payload")?;
        if self.deliver_now(id, name, &input).await? {
            return Ok(());
        }
        // The seed is random per page in a browser host: message ids stay
        // apart from other tabs' clients.
        self.client()
            .with_nonce(self.options.seed)
            .raise_event(id, name, &input)
            .await
    }

    /// The direct path of [`Runtime::raise_event`]: whether the event and
    /// its turn committed.
    async fn deliver_now(
        &self,
        id: &InstanceId,
        name: &str,
        input: &serde_json::Value,
    ) -> Result<bool, StoreError> {
        let incarnation = match self.cache.borrow().row(id) {
            Some(row) => crate::derive::bound_incarnation(row),
            None => return Ok(false),
        };
        let work = WorkId(format!("{id}#direct"));
        let message = Message::raised(id, name, input.clone(), incarnation);
        let now = self.clock.now_ms();
        let mut report = TickReport::default();
        let input = TurnInput {
            live: None,
            row: None,
            history: None,
            msgs: vec![(work.clone(), message)],
            chained: Vec::new(),
            overlay: Vec::new(),
        };
        // A turn that cannot be prepared (a read failed) leaves the event
        // to the queue.
        let Ok(Some(mut unit)) = self.prepare_turn(id, input, now, &mut report).await else {
            return Ok(false);
        };
        // Never queued: nothing to take off the queue, nothing to check
        // there but that no message should come before it.
        let consumed = unit.batch.dequeue.contains(&work);
        unit.batch.dequeue.retain(|w| *w != work);
        unit.batch
            .preconditions
            .retain(|p| !matches!(p, Precondition::WorkExists { id } if *id == work));
        if !consumed {
            self.abandon(std::slice::from_ref(&unit));
            return Ok(false);
        }
        unit.batch.preconditions.push(Precondition::NoOtherMessage {
            instance: id.clone(),
            ready_at_ms: now,
        });
        match self.commit(unit.batch.clone()).await {
            Ok(()) => {
                self.committed(unit, &mut report);
                Ok(true)
            }
            // Refused, or the turn's writes failed (the storage is full):
            // the event alone may still be queued.
            Err(e) => {
                self.abandon(std::slice::from_ref(&unit));
                match e {
                    StoreError::Closed(_) => Err(e),
                    _ => Ok(false),
                }
            }
        }
    }

    /// One attempt of `task` as a future of its own: it runs the activity
    /// and ends with its completion — a failed or cancelled attempt keeps
    /// none of its reads' checks or writes — or with the storage failure
    /// that means it must run again.
    fn attempt(
        &self,
        work: WorkId,
        task: ActivityTask,
        signals: AttemptSignals,
    ) -> LocalFuture<AttemptResult> {
        let seq = self.activity_seq.get() + 1;
        self.activity_seq.set(seq);
        let seed =
            self.options.seed ^ seq.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ self.clock.now_ms();
        let ctx = ActivityContext::new(
            task.instance_id.clone(),
            Rc::new(self.store.clone()),
            seed,
            signals,
        );
        let run = self
            .registry
            .activity_fn(&task.name)
            .map(|f| f(ctx.clone(), task.input.clone()));
        let clock = self.clock.clone();
        Box::pin(async move {
            let started = clock.monotonic_ms();
            let result = match run {
                Some(run) => telemetry::activity(&task.instance_id, &task.name, run).await,
                None => Err(format!("no activity named {} is registered", task.name)),
            };
            let compute_ms = (clock.monotonic_ms() - started).max(0.0);
            let finished_ms = clock.now_ms();
            let effects = ctx.take_effects();
            if let Some(e) = effects.storage_failure {
                return Err(e);
            }
            let error = match result {
                Ok(result) if !ctx.is_cancelled() => {
                    let event = EventKind::TaskCompleted {
                        scheduled_id: task.scheduled_id,
                        result,
                        compute_ms,
                    };
                    return Ok(ActivityDone {
                        work,
                        task,
                        event,
                        reads: effects.reads,
                        scans: effects.scans,
                        writes: effects.writes,
                        finished_ms,
                    });
                }
                Ok(_) => format!(
                    "activity {} was cancelled: nothing waits for its result",
                    task.name
                ),
                Err(error) => error,
            };
            Ok(ActivityDone::failed(
                work,
                task,
                error,
                compute_ms,
                finished_ms,
            ))
        })
    }
}

/// Drops what belongs to another execution or life than `record`'s (its
/// queued messages taken off the queue, its activities' results settled,
/// only while the row still says so) and returns the rest.
fn settle_stale(
    unit: &mut Unit,
    record: &InstanceRecord,
    queued: Vec<(WorkId, Message)>,
    done: Vec<ActivityDone>,
) -> (Vec<(WorkId, Message)>, Vec<ActivityDone>) {
    let (exec_no, life) = (record.execution, &record.incarnation);
    let (current, stale): (Vec<_>, Vec<_>) = queued
        .into_iter()
        .partition(|(_, m)| !m.is_stale_for(exec_no, life));
    if !stale.is_empty() {
        guard_row(unit, record);
        unit.batch.dequeue.extend(stale.into_iter().map(|(w, _)| w));
    }
    let (done, stale_done): (Vec<_>, Vec<_>) = done
        .into_iter()
        .partition(|d| !d.task.is_stale_for(exec_no, life));
    if !stale_done.is_empty() {
        guard_row(unit, record);
    }
    for d in stale_done {
        d.settle(&mut unit.batch, &mut unit.changes);
    }
    (current, done)
}

/// The queued messages a turn of `record` may take, in order: the
/// execution's start first, then the events it carries over, then the rest
/// in arrival order (a message that arrived while the instance continued
/// as new must not overtake either); none before the execution's start
/// (what came early waits for it).
fn takeable(mut queued: Vec<(WorkId, Message)>, record: &InstanceRecord) -> Vec<(WorkId, Message)> {
    queued.sort_by_key(|(_, m)| start_rank(m));
    let unstarted = record.history_len == 0
        && !queued
            .iter()
            .any(|(_, m)| matches!(m.event, EventKind::ExecutionStarted { .. }));
    if unstarted {
        queued.clear();
    }
    queued
}

/// Queues again each completion the turn did not take (a suspended
/// instance defers it), as a message of its own.
fn queue_deferred(
    batch: &mut CommitBatch,
    completions: Vec<(ActivityTask, EventKind, WorkId)>,
    taken: &[bool],
) {
    for ((task, event, work), taken) in completions.into_iter().zip(taken) {
        if !*taken {
            batch.enqueue.push(completion_message(&work, &task, event));
        }
    }
}

/// What reaches an instance that has ended: its messages are taken off the
/// queue and its activities' results settle (guarded by the row, so only
/// while it still says so); a Failed instance keeps the late results in its
/// history for a rewind.
fn settle_after_the_end(
    unit: &mut Unit,
    record: &InstanceRecord,
    queued: Vec<(WorkId, Message)>,
    done: Vec<ActivityDone>,
    now: u64,
) {
    if !queued.is_empty() || !done.is_empty() {
        guard_row(unit, record);
    }
    unit.batch
        .dequeue
        .extend(queued.into_iter().map(|(w, _)| w));
    let late: Vec<EventKind> = done
        .into_iter()
        .map(|d| d.settle(&mut unit.batch, &mut unit.changes).1)
        .collect();
    if record.status == RuntimeStatus::Failed {
        keep_late_results(unit, record, late, now);
    }
}

/// Activities that settle while everything else waits (a suspended
/// instance, their completions queued): no turn, but the row's version
/// moves on all the same, so no turn computed before this commit can
/// deliver their completions.
fn settle_without_a_turn(unit: &mut Unit, record: &InstanceRecord, exec: Execution) {
    let mut row = record.clone();
    row.version += 1;
    guard_row(unit, record);
    unit.batch.instances.push(row.clone());
    unit.evict = Some(record.id.clone());
    unit.install = Some((row, exec));
}

/// `record` after a turn that committed at `turn_time`: its version, its
/// counts and compute times, its custom status and the version its start
/// pinned. (Its status is the transition's to set.)
fn row_after_turn(record: &InstanceRecord, turn: &TurnResult, turn_time: u64) -> InstanceRecord {
    let mut row = record.clone();
    row.version += 1;
    row.updated_ms = turn_time;
    row.turns += 1;
    row.history_len += turn.new_events.len() as u64;
    row.orchestration_compute_ms += turn.compute_ms;
    row.activity_compute_ms += turn.activity_compute_ms;
    row.custom_status = turn.custom_status.clone();
    if let Some(version) = turn.new_events.iter().find_map(|e| match &e.kind {
        EventKind::ExecutionStarted { version, .. } => *version,
        _ => None,
    }) {
        row.orchestration_version = Some(version);
    }
    row
}

/// The results of activities that ran after their instance failed: their
/// effects are committed, so a rewind must deliver them, not run them
/// again. They are appended to the failed history as one turn of their own
/// (the rewind finds them after its last good point).
fn keep_late_results(unit: &mut Unit, record: &InstanceRecord, late: Vec<EventKind>, now: u64) {
    if late.is_empty() {
        return;
    }
    let at = now.max(record.updated_ms);
    let first = record.history_len;
    let kinds = std::iter::once(EventKind::OrchestratorStarted)
        .chain(late)
        .chain(std::iter::once(EventKind::OrchestratorCompleted {
            compute_ms: 0.0,
        }));
    let events: Vec<HistoryEvent> = kinds
        .enumerate()
        .map(|(i, kind)| HistoryEvent {
            event_id: first + i as u64,
            timestamp_ms: at,
            kind,
        })
        .collect();
    let mut row = record.clone();
    row.version += 1;
    row.history_len += events.len() as u64;
    row.updated_ms = at;
    unit.batch.append_history.push((record.id.clone(), events));
    unit.batch.instances.push(row);
}
