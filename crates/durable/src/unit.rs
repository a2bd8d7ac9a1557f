//! The pieces a tick commits: a unit (one instance's turn, or the
//! bookkeeping of work that needs no turn), what its turn starts from, the
//! activities settled in it, and the rules that combine units — fused steps
//! folded into one, units that must not share a commit, the guards every
//! unit carries. Owns no store and runs no code: the dispatcher
//! (`runtime.rs`) builds, fuses and commits units.

use std::collections::HashSet;

use crate::changes::Change;
use crate::context::LogLine;
use crate::execution::Execution;
use crate::footprint::Footprint;
use crate::history::{EventKind, HistoryEvent};
use crate::instance::{InstanceId, InstanceRecord};
use crate::store::{AppWrite, CommitBatch, Precondition};
use crate::work::{ActivityTask, Message, WorkId, WorkItem};

/// One atomic piece of a tick: a turn (with the completions it delivers),
/// or the bookkeeping of work that needs no turn.
#[derive(Default)]
pub(crate) struct Unit {
    pub(crate) batch: CommitBatch,
    /// The execution to cache once committed, with its new row.
    pub(crate) install: Option<(InstanceRecord, Execution)>,
    pub(crate) changes: Vec<Change>,
    pub(crate) logs: Vec<LogLine>,
    pub(crate) evict: Option<InstanceId>,
    pub(crate) turns: usize,
    pub(crate) activities: usize,
}

/// What one instance's turn starts from.
pub(crate) struct TurnInput {
    /// The live execution and the row it ran from, when the turn follows an
    /// uncommitted one in the same tick (fused steps).
    pub(crate) live: Option<(InstanceRecord, Execution)>,
    /// The row, if it was read ahead (`Some(None)`: there is none).
    pub(crate) row: Option<Option<InstanceRecord>>,
    /// The history, if it was read ahead.
    pub(crate) history: Option<Vec<HistoryEvent>>,
    /// Its queued messages.
    pub(crate) msgs: Vec<(WorkId, Message)>,
    /// Its activities that ran in this tick.
    pub(crate) chained: Vec<ActivityDone>,
    /// Rows started by the steps this turn is fused after (not committed
    /// yet), so it sees their children.
    pub(crate) overlay: Vec<InstanceRecord>,
}

/// An activity attempt that ended, waiting to commit with its instance's
/// turn.
pub(crate) struct ActivityDone {
    pub(crate) work: WorkId,
    pub(crate) task: ActivityTask,
    pub(crate) event: EventKind,
    pub(crate) reads: Vec<Precondition>,
    pub(crate) scans: Vec<String>,
    pub(crate) writes: Vec<AppWrite>,
    /// When it ended (orchestration time): its completion's stamp, which
    /// orders it among the messages of its instance's turn.
    pub(crate) finished_ms: u64,
}

impl ActivityDone {
    /// A failed attempt: it commits its TaskFailed and none of its reads'
    /// checks or writes.
    pub(crate) fn failed(
        work: WorkId,
        task: ActivityTask,
        error: String,
        compute_ms: f64,
        finished_ms: u64,
    ) -> Self {
        let event = EventKind::TaskFailed {
            scheduled_id: task.scheduled_id,
            error,
            compute_ms,
        };
        ActivityDone {
            work,
            task,
            event,
            reads: Vec::new(),
            scans: Vec::new(),
            writes: Vec::new(),
            finished_ms,
        }
    }

    /// Drops what the attempt read and wrote: nothing of it may commit (it
    /// ended beside the terminate of its instance).
    pub(crate) fn drop_effects(&mut self) {
        self.reads.clear();
        self.scans.clear();
        self.writes.clear();
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.reads, &self.scans, &self.writes)
    }

    /// Commits the activity's effects and removes its task, guarded by the
    /// versions it read and by the task still being queued: another
    /// executor that ran it too, whichever row version it saw, cannot then
    /// commit it a second time. A failed attempt has no effects to commit
    /// (the dispatcher drops them when it ends).
    pub(crate) fn settle(
        self,
        batch: &mut CommitBatch,
        changes: &mut Vec<Change>,
    ) -> (ActivityTask, EventKind, WorkId) {
        batch.preconditions.extend(self.reads);
        for w in &self.writes {
            let c = Change::AppStore {
                store: w.store().to_string(),
            };
            if !changes.contains(&c) {
                changes.push(c);
            }
        }
        batch.app_writes.extend(self.writes);
        guard(batch, &self.work);
        batch.dequeue.push(self.work.clone());
        (self.task, self.event, self.work)
    }
}

/// Folds `next` (the following step of the same instance, prepared before
/// `prev` committed) into `prev`: work `prev` queues and `next` consumes
/// cancels out, `next`'s check of the row version `prev` writes is dropped
/// (`prev` checks the version both start from), and `next`'s row supersedes
/// `prev`'s.
pub(crate) fn fuse(prev: &mut Unit, next: Unit) {
    let queued: HashSet<WorkId> = prev.batch.enqueue.iter().map(|w| w.id.clone()).collect();
    let cancelled: HashSet<WorkId> = next
        .batch
        .dequeue
        .iter()
        .filter(|id| queued.contains(*id))
        .cloned()
        .collect();
    prev.batch.enqueue.retain(|w| !cancelled.contains(&w.id));
    let mut batch = next.batch;
    batch.dequeue.retain(|id| !cancelled.contains(id));
    let written: Vec<InstanceId> = prev.batch.instances.iter().map(|r| r.id.clone()).collect();
    batch.preconditions.retain(|p| match p {
        Precondition::InstanceVersion { id, .. } => !written.contains(id),
        Precondition::WorkExists { id } => !cancelled.contains(id),
        Precondition::AppVersion { .. }
        | Precondition::AppStoreUnchanged { .. }
        | Precondition::NoOtherMessage { .. } => true,
    });
    // A step that clears a history (continue-as-new) wipes what the steps
    // before it appended: the store clears before it appends.
    prev.batch
        .append_history
        .retain(|(id, _)| !batch.clear_history.contains(id));
    let superseding: Vec<InstanceId> = batch.instances.iter().map(|r| r.id.clone()).collect();
    prev.batch
        .instances
        .retain(|r| !superseding.contains(&r.id));
    prev.batch.merge(batch);
    prev.install = next.install;
    prev.changes.extend(next.changes);
    prev.logs.extend(next.logs);
    prev.turns += next.turns;
    prev.activities += next.activities;
    if prev.evict.is_none() {
        prev.evict = next.evict;
    }
}

/// Whether two units write the same instance row (two parents starting one
/// child): each checks the row against the state before the batch, so one
/// commit would let both pass. Such units commit one by one, and the later
/// one is refused and redone.
pub(crate) fn rows_shared(units: &[Unit]) -> bool {
    let mut seen = std::collections::HashSet::new();
    units.iter().any(|u| {
        let mine: HashSet<&InstanceId> = u.batch.instances.iter().map(|r| &r.id).collect();
        mine.into_iter().any(|id| !seen.insert(id))
    })
}

/// Refuses the unit unless the instance row is still `row` (its version
/// of its incarnation); a refused unit evicts the cached execution.
pub(crate) fn guard_row(unit: &mut Unit, row: &InstanceRecord) {
    let p = Precondition::row_unchanged(row);
    if !unit.batch.preconditions.contains(&p) {
        unit.batch.preconditions.push(p);
    }
    unit.evict = Some(row.id.clone());
}

/// Refuses the batch unless the work item is still queued.
pub(crate) fn guard(batch: &mut CommitBatch, work: &WorkId) {
    batch
        .preconditions
        .push(Precondition::WorkExists { id: work.clone() });
}

/// The completion message of an activity that cannot be delivered now.
pub(crate) fn completion_message(work: &WorkId, task: &ActivityTask, event: EventKind) -> WorkItem {
    WorkItem::message(
        WorkId(format!("{}#done", work.0)),
        Message {
            instance_id: task.instance_id.clone(),
            execution: Some(task.execution),
            incarnation: (!task.incarnation.is_empty()).then(|| task.incarnation.clone()),
            event,
            due_ms: None,
        },
    )
}

/// Whether `msgs` terminate their instance.
pub(crate) fn terminates(msgs: &[(WorkId, Message)]) -> bool {
    msgs.iter()
        .any(|(_, m)| matches!(m.event, EventKind::ExecutionTerminated { .. }))
}

/// Where a message of a turn comes from: the queue (its index among the
/// queued messages) or an activity attempt that ended (its index among the
/// completions, which are in the order they finished).
#[derive(Clone, Copy)]
enum Source {
    Queued(usize),
    Done(usize),
}

/// The order an instance takes its messages in: the queued ones in their
/// order, each completion — stamped with the moment its attempt finished —
/// placed before every timer that fell due after it (a timer raced against
/// a slow activity wins when it fell due first), the rest of the
/// completions last.
pub(crate) struct TurnOrder {
    sources: Vec<Source>,
    queued: usize,
    done: usize,
}

impl TurnOrder {
    /// The order of `queued` and of `done` (sorted by when they finished).
    pub(crate) fn new(queued: &[(WorkId, Message)], done: &[ActivityDone]) -> Self {
        let mut sources = Vec::with_capacity(queued.len() + done.len());
        let mut next = 0;
        for (i, (_, m)) in queued.iter().enumerate() {
            if let EventKind::TimerFired { fire_at_ms, .. } = m.event {
                while next < done.len() && done[next].finished_ms < fire_at_ms {
                    sources.push(Source::Done(next));
                    next += 1;
                }
            }
            sources.push(Source::Queued(i));
        }
        sources.extend((next..done.len()).map(Source::Done));
        TurnOrder {
            sources,
            queued: queued.len(),
            done: done.len(),
        }
    }

    /// The turn's messages in this order: the queued ones' events and the
    /// settled completions' (`(task, event, work)`, as `settle` gives them).
    pub(crate) fn events(
        &self,
        queued: &[(WorkId, Message)],
        completions: &[(ActivityTask, EventKind, WorkId)],
    ) -> Vec<EventKind> {
        self.sources
            .iter()
            .map(|source| match *source {
                Source::Queued(i) => queued[i].1.event.clone(),
                Source::Done(j) => completions[j].1.clone(),
            })
            .collect()
    }

    /// What the turn took (`consumed`, in this order) split back: per
    /// queued message, and per completion.
    pub(crate) fn split(&self, consumed: &[bool]) -> (Vec<bool>, Vec<bool>) {
        let mut queued = vec![false; self.queued];
        let mut done = vec![false; self.done];
        for (source, taken) in self.sources.iter().zip(consumed) {
            match *source {
                Source::Queued(i) => queued[i] = *taken,
                Source::Done(j) => done[j] = *taken,
            }
        }
        (queued, done)
    }
}

/// Where a message goes in its instance's turn: the execution's start,
/// then what continue-as-new carried into it (events and lifecycle
/// messages bound to the execution), then everything else.
pub(crate) fn start_rank(m: &Message) -> u8 {
    match &m.event {
        EventKind::ExecutionStarted { .. } => 0,
        // A rewind comes before anything that arrives after it.
        EventKind::ExecutionRewound { .. } => 1,
        EventKind::EventRaised { .. }
        | EventKind::ExecutionSuspended { .. }
        | EventKind::ExecutionResumed { .. }
        | EventKind::ExecutionTerminated { .. }
            if m.execution.is_some() =>
        {
            1
        }
        _ => 2,
    }
}
