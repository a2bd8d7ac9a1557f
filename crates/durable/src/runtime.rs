//! The dispatcher: turns ready work into committed turns and completions.
//!
//! Each [`Runtime::tick`] reads the ready work, runs one orchestration turn
//! per instance that has messages and every ready activity, and commits all
//! of it in one batch (group commit), falling back to one commit per unit if
//! the group is refused. It owns the execution cache (live instances stay in
//! memory between turns) and derives the work each turn creates. It must
//! never let a turn's effects reach the store except as one atomic batch.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use crate::activity::ActivityContext;
use crate::cache::ExecutionCache;
use crate::changes::{Change, ChangeFeed};
use crate::client::Client;
use crate::clock::Clock;
use crate::combinators::when_all;
use crate::context::LogLine;
use crate::error::RuntimeError;
use crate::execution::{Execution, Outcome};
use crate::history::EventKind;
use crate::instance::{InstanceId, InstanceRecord, ParentRef, RuntimeStatus};
use crate::registry::Registry;
use crate::store::{CommitBatch, Precondition, Store, StoreError};
use crate::work::{ActivityTask, Message, WorkId, WorkItem, WorkKind};

/// Tuning knobs of the dispatcher.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// Most work items read per tick.
    pub batch_limit: usize,
    /// Live executions kept in memory; the least recently used is evicted.
    pub cache_capacity: usize,
    /// Commit the units of a tick together.
    pub group_commit: bool,
    /// Seed for activities' random numbers.
    pub seed: u64,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            batch_limit: 10_000,
            cache_capacity: 10_000,
            group_commit: true,
            seed: 0x5eed,
        }
    }
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickReport {
    pub turns: usize,
    pub activities: usize,
    pub commits: usize,
    /// Units refused because the data changed meanwhile (they will be redone).
    pub conflicts: usize,
    /// Turns that replayed history because the instance was not cached.
    pub replays: usize,
}

impl TickReport {
    pub fn did_work(&self) -> bool {
        self.turns + self.activities > 0
    }
}

/// One atomic piece of a tick: a turn or an activity completion.
struct Unit {
    batch: CommitBatch,
    /// The execution to cache once committed, with the row version it has.
    install: Option<(InstanceId, u64, Execution)>,
    changes: Vec<Change>,
    logs: Vec<LogLine>,
    evict: Option<InstanceId>,
    is_turn: bool,
}

/// The orchestration runtime over a store.
pub struct Runtime<S: Store> {
    store: S,
    registry: Registry,
    clock: Rc<dyn Clock>,
    options: RuntimeOptions,
    cache: RefCell<ExecutionCache>,
    changes: ChangeFeed,
    activity_seq: Cell<u64>,
    logs: RefCell<Vec<LogLine>>,
}

impl<S: Store + Clone + 'static> Runtime<S> {
    pub fn new(store: S, registry: Registry, clock: Rc<dyn Clock>) -> Self {
        Self::with_options(store, registry, clock, RuntimeOptions::default())
    }

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
            logs: RefCell::new(Vec::new()),
        }
    }

    /// A client on the same store, clock and change feed.
    pub fn client(&self) -> Client<S> {
        Client::new(self.store.clone(), self.clock.clone(), self.changes.clone())
    }

    pub fn changes(&self) -> &ChangeFeed {
        &self.changes
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Replay-safe log lines written by orchestrations, drained.
    pub fn take_logs(&self) -> Vec<LogLine> {
        std::mem::take(&mut self.logs.borrow_mut())
    }

    /// Number of executions held in memory.
    pub fn cached_executions(&self) -> usize {
        self.cache.borrow().len()
    }

    /// Drops every cached execution (the next turn of each replays).
    pub fn evict_all(&self) {
        self.cache.borrow_mut().clear();
    }

    /// The earliest time a queued timer falls due, after now.
    pub async fn next_due(&self) -> Result<Option<u64>, RuntimeError> {
        Ok(self.store.next_due(self.clock.now_ms()).await?)
    }

    /// Runs ticks until one does no work.
    pub async fn run_until_idle(&self) -> Result<TickReport, RuntimeError> {
        let mut total = TickReport::default();
        loop {
            let r = self.tick().await?;
            total.turns += r.turns;
            total.activities += r.activities;
            total.commits += r.commits;
            total.conflicts += r.conflicts;
            total.replays += r.replays;
            if !r.did_work() && r.conflicts == 0 {
                return Ok(total);
            }
        }
    }

    /// Processes the work that is ready now.
    pub async fn tick(&self) -> Result<TickReport, RuntimeError> {
        let now = self.clock.now_ms();
        let work = self.store.ready_work(now, self.options.batch_limit).await?;
        let mut report = TickReport::default();
        let mut messages: Vec<(InstanceId, Vec<(WorkId, Message)>)> = Vec::new();
        let mut index: HashMap<InstanceId, usize> = HashMap::new();
        let mut tasks = Vec::new();
        for item in work {
            match item.kind {
                WorkKind::Message(m) => {
                    let i = *index.entry(m.instance_id.clone()).or_insert_with(|| {
                        messages.push((m.instance_id.clone(), Vec::new()));
                        messages.len() - 1
                    });
                    messages[i].1.push((item.id, m));
                }
                WorkKind::Activity(t) => tasks.push((item.id, t)),
            }
        }
        let mut units = Vec::new();
        for (id, msgs) in messages {
            if let Some(unit) = self.prepare_turn(&id, msgs, now, &mut report).await? {
                units.push(unit);
            }
        }
        let outcomes = when_all(tasks.into_iter().map(|(id, t)| self.run_activity(id, t))).await;
        units.extend(outcomes.into_iter().flatten());
        self.commit_units(units, &mut report).await?;
        Ok(report)
    }

    async fn commit_units(
        &self,
        units: Vec<Unit>,
        report: &mut TickReport,
    ) -> Result<(), RuntimeError> {
        if units.is_empty() {
            return Ok(());
        }
        if self.options.group_commit && units.len() > 1 {
            let mut batch = CommitBatch::default();
            for u in &units {
                batch.merge(u.batch.clone());
            }
            match self.store.commit(batch).await {
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
            match self.store.commit(u.batch.clone()).await {
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
        if unit.is_turn {
            report.turns += 1;
        } else {
            report.activities += 1;
        }
        if let Some((id, version, exec)) = unit.install {
            self.cache.borrow_mut().insert(id, version, exec);
        }
        self.logs.borrow_mut().extend(unit.logs);
        for c in unit.changes {
            self.changes.publish(c);
        }
    }

    /// A unit that did not commit: its in-memory execution ran ahead of the
    /// store, so it is dropped and the turn will be redone from the store.
    fn abandon(&self, units: &[Unit]) {
        let mut cache = self.cache.borrow_mut();
        for u in units {
            if let Some(id) = &u.evict {
                cache.remove(id);
            }
        }
    }

    async fn prepare_turn(
        &self,
        id: &InstanceId,
        msgs: Vec<(WorkId, Message)>,
        now: u64,
        report: &mut TickReport,
    ) -> Result<Option<Unit>, RuntimeError> {
        let Some(record) = self.store.instance(id).await? else {
            // Not started yet: messages wait for the instance (events raised
            // to an instance before it starts are kept).
            return Ok(None);
        };
        let mut batch = CommitBatch::default();
        let (current, stale): (Vec<_>, Vec<_>) = msgs
            .into_iter()
            .partition(|(_, m)| m.execution.is_none_or(|e| e == record.execution));
        batch.dequeue.extend(stale.into_iter().map(|(w, _)| w));
        if record.status.is_final() {
            batch.dequeue.extend(current.into_iter().map(|(w, _)| w));
            return Ok(Some(Unit {
                batch,
                install: None,
                changes: Vec::new(),
                logs: Vec::new(),
                evict: None,
                is_turn: false,
            }));
        }
        if current.is_empty() {
            return Ok(Some(Unit {
                batch,
                install: None,
                changes: Vec::new(),
                logs: Vec::new(),
                evict: None,
                is_turn: false,
            }));
        }
        let cached = self.cache.borrow_mut().take(id, record.version);
        let mut exec = match cached {
            Some(e) => e,
            None => {
                report.replays += 1;
                let history = self.store.history(id).await?;
                Execution::replay(&self.registry, id.clone(), record.execution, &history)
            }
        };
        let events: Vec<EventKind> = current.iter().map(|(_, m)| m.event.clone()).collect();
        let turn = exec.run_turn(now, &events, self.clock.as_ref());
        let consumed: Vec<WorkId> = current
            .iter()
            .zip(&turn.consumed)
            .filter(|(_, c)| **c)
            .map(|((w, _), _)| w.clone())
            .collect();
        if consumed.is_empty() {
            // Everything deferred (suspended): nothing to commit.
            self.cache
                .borrow_mut()
                .insert(id.clone(), record.version, exec);
            return Ok(if batch.dequeue.is_empty() {
                None
            } else {
                Some(Unit {
                    batch,
                    install: None,
                    changes: Vec::new(),
                    logs: Vec::new(),
                    evict: None,
                    is_turn: false,
                })
            });
        }
        batch.preconditions.push(Precondition::InstanceVersion {
            id: id.clone(),
            version: Some(record.version),
        });
        for w in &consumed {
            batch
                .preconditions
                .push(Precondition::WorkExists { id: w.clone() });
        }
        batch.dequeue.extend(consumed);

        let mut row = record.clone();
        row.version += 1;
        row.updated_ms = now;
        row.turns += 1;
        row.history_len += turn.new_events.len() as u64;
        row.orchestration_compute_ms += turn.compute_ms;
        row.activity_compute_ms += turn.activity_compute_ms;
        row.custom_status = turn.custom_status.clone();
        row.status = if turn.suspended {
            RuntimeStatus::Suspended
        } else {
            RuntimeStatus::Running
        };
        self.derive_work(&record, &turn.new_events, &mut batch)
            .await?;
        let mut changes = Vec::new();
        match &turn.outcome {
            Some(Outcome::Completed(v)) => {
                row.status = RuntimeStatus::Completed;
                row.output = Some(v.clone());
                self.notify_parent(&record, Ok(v.clone()), &mut batch);
            }
            Some(Outcome::Failed(e)) => {
                row.status = RuntimeStatus::Failed;
                row.failure = Some(e.clone());
                self.notify_parent(&record, Err(e.clone()), &mut batch);
            }
            Some(Outcome::Terminated(reason)) => {
                row.status = RuntimeStatus::Terminated;
                row.failure = Some(reason.clone());
                self.notify_parent(&record, Err(format!("terminated: {reason}")), &mut batch);
            }
            Some(Outcome::ContinuedAsNew { input, carried }) => {
                row.status = RuntimeStatus::ContinuedAsNew;
                row.execution += 1;
                row.history_len = 0;
                row.input = input.clone();
                batch.clear_history.push(id.clone());
                let exec_no = row.execution;
                let mut enqueue = vec![EventKind::ExecutionStarted {
                    name: record.name.clone(),
                    input: input.clone(),
                    parent: record.parent.clone(),
                }];
                enqueue.extend(carried.iter().map(|(name, input)| EventKind::EventRaised {
                    name: name.clone(),
                    input: input.clone(),
                }));
                for (i, event) in enqueue.into_iter().enumerate() {
                    batch.enqueue.push(WorkItem::message(
                        WorkId(format!("{id}#{exec_no}#start#{i}")),
                        Message {
                            instance_id: id.clone(),
                            execution: Some(exec_no),
                            event,
                            due_ms: None,
                        },
                    ));
                }
            }
            None => {}
        }
        if !matches!(turn.outcome, Some(Outcome::ContinuedAsNew { .. })) {
            batch
                .append_history
                .push((id.clone(), turn.new_events.clone()));
        }
        changes.push(Change::Instance {
            id: id.clone(),
            status: Some(row.status),
        });
        for child in &batch.instances {
            changes.push(Change::Instance {
                id: child.id.clone(),
                status: Some(child.status),
            });
        }
        let install = if turn.outcome.is_none() {
            Some((id.clone(), row.version, exec))
        } else {
            None
        };
        batch.instances.insert(0, row);
        Ok(Some(Unit {
            batch,
            install,
            changes,
            logs: turn.logs,
            evict: Some(id.clone()),
            is_turn: true,
        }))
    }

    /// Work created by the actions of a turn.
    async fn derive_work(
        &self,
        record: &InstanceRecord,
        events: &[crate::history::HistoryEvent],
        batch: &mut CommitBatch,
    ) -> Result<(), RuntimeError> {
        let id = &record.id;
        let exec = record.execution;
        let work_id = |event_id: u64| WorkId(format!("{id}#{exec}#{event_id}"));
        for e in events {
            match &e.kind {
                EventKind::TaskScheduled { name, input } => batch.enqueue.push(WorkItem::activity(
                    work_id(e.event_id),
                    ActivityTask {
                        instance_id: id.clone(),
                        execution: exec,
                        scheduled_id: e.event_id,
                        name: name.clone(),
                        input: input.clone(),
                    },
                )),
                EventKind::TimerCreated { fire_at_ms } => batch.enqueue.push(WorkItem::message(
                    work_id(e.event_id),
                    Message {
                        instance_id: id.clone(),
                        execution: Some(exec),
                        event: EventKind::TimerFired {
                            scheduled_id: e.event_id,
                            fire_at_ms: *fire_at_ms,
                        },
                        due_ms: Some(*fire_at_ms),
                    },
                )),
                EventKind::TimerCancelled { scheduled_id } => {
                    batch.dequeue.push(work_id(*scheduled_id));
                }
                EventKind::EventSent {
                    instance_id,
                    name,
                    input,
                } => batch.enqueue.push(WorkItem::message(
                    work_id(e.event_id),
                    Message {
                        instance_id: instance_id.clone(),
                        execution: None,
                        event: EventKind::EventRaised {
                            name: name.clone(),
                            input: input.clone(),
                        },
                        due_ms: None,
                    },
                )),
                EventKind::SubOrchestrationInstanceCreated {
                    name,
                    instance_id,
                    input,
                    detached,
                } => {
                    let existing = self.store.instance(instance_id).await?;
                    if let Some(ex) = existing.as_ref().filter(|r| !r.status.is_final()) {
                        if !*detached {
                            batch.enqueue.push(WorkItem::message(
                                work_id(e.event_id),
                                Message {
                                    instance_id: id.clone(),
                                    execution: Some(exec),
                                    event: EventKind::SubOrchestrationInstanceFailed {
                                        scheduled_id: e.event_id,
                                        error: format!(
                                            "instance {instance_id} is already {}",
                                            ex.status
                                        ),
                                    },
                                    due_ms: None,
                                },
                            ));
                        }
                        continue;
                    }
                    let mut child = InstanceRecord::pending(
                        instance_id.clone(),
                        name,
                        input.clone(),
                        e.timestamp_ms,
                    );
                    child.parent = Some(ParentRef {
                        instance_id: id.clone(),
                        execution: exec,
                        scheduled_id: e.event_id,
                        detached: *detached,
                    });
                    if let Some(old) = &existing {
                        child.version = old.version + 1;
                        child.execution = old.execution + 1;
                        batch.clear_history.push(instance_id.clone());
                    }
                    batch.preconditions.push(Precondition::InstanceVersion {
                        id: instance_id.clone(),
                        version: existing.as_ref().map(|r| r.version),
                    });
                    batch.enqueue.push(WorkItem::message(
                        WorkId(format!("{instance_id}#{}#start", child.execution)),
                        Message {
                            instance_id: instance_id.clone(),
                            execution: Some(child.execution),
                            event: EventKind::ExecutionStarted {
                                name: name.clone(),
                                input: input.clone(),
                                parent: child.parent.clone(),
                            },
                            due_ms: None,
                        },
                    ));
                    batch.instances.push(child);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn notify_parent(
        &self,
        record: &InstanceRecord,
        result: Result<Value, String>,
        batch: &mut CommitBatch,
    ) {
        let Some(parent) = record.parent.as_ref().filter(|p| !p.detached) else {
            return;
        };
        let event = match result {
            Ok(result) => EventKind::SubOrchestrationInstanceCompleted {
                scheduled_id: parent.scheduled_id,
                result,
            },
            Err(error) => EventKind::SubOrchestrationInstanceFailed {
                scheduled_id: parent.scheduled_id,
                error,
            },
        };
        batch.enqueue.push(WorkItem::message(
            WorkId(format!("{}#{}#done", record.id, record.execution)),
            Message {
                instance_id: parent.instance_id.clone(),
                execution: Some(parent.execution),
                event,
                due_ms: None,
            },
        ));
    }

    /// Runs one activity and returns its completion as a unit, or `None`
    /// when a storage failure means it must run again later.
    async fn run_activity(&self, work: WorkId, task: ActivityTask) -> Option<Unit> {
        let seq = self.activity_seq.get() + 1;
        self.activity_seq.set(seq);
        let seed =
            self.options.seed ^ seq.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ self.clock.now_ms();
        let ctx = ActivityContext::new(task.instance_id.clone(), Rc::new(self.store.clone()), seed);
        let started = self.clock.monotonic_ms();
        let result = match self.registry.activity_fn(&task.name) {
            Some(f) => f(ctx.clone(), task.input.clone()).await,
            None => Err(format!("no activity named {} is registered", task.name)),
        };
        let compute_ms = (self.clock.monotonic_ms() - started).max(0.0);
        let effects = ctx.take_effects();
        if effects.storage_failure.is_some() {
            return None;
        }
        let event = match result {
            Ok(result) => EventKind::TaskCompleted {
                scheduled_id: task.scheduled_id,
                result,
                compute_ms,
            },
            Err(error) => EventKind::TaskFailed {
                scheduled_id: task.scheduled_id,
                error,
                compute_ms,
            },
        };
        let mut batch = CommitBatch::default();
        batch
            .preconditions
            .push(Precondition::WorkExists { id: work.clone() });
        batch.preconditions.extend(effects.reads);
        let mut changes: Vec<Change> = effects
            .writes
            .iter()
            .map(|w| match w {
                crate::store::AppWrite::Put { store, .. }
                | crate::store::AppWrite::Delete { store, .. }
                | crate::store::AppWrite::Append { store, .. } => Change::AppStore {
                    store: store.clone(),
                },
            })
            .collect();
        changes.dedup();
        batch.app_writes = effects.writes;
        batch.dequeue.push(work.clone());
        batch.enqueue.push(WorkItem::message(
            WorkId(format!("{}#done", work.0)),
            Message {
                instance_id: task.instance_id.clone(),
                execution: Some(task.execution),
                event,
                due_ms: None,
            },
        ));
        Some(Unit {
            batch,
            install: None,
            changes,
            logs: Vec::new(),
            evict: None,
            is_turn: false,
        })
    }
}
