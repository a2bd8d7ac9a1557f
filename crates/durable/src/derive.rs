//! Work derived from a turn: what the actions recorded in a turn require
//! the dispatcher to do next (activity tasks, timer messages, child
//! instances, events for other instances, the parent's completion message),
//! and the start of an instance, which client starts share.
//!
//! Pure apart from one read (does a child instance already exist?). Ids of
//! derived work come from the instance, execution and event id, so the same
//! decision committed twice cannot create work twice. Must never commit.

use serde_json::Value;

use crate::error::RuntimeError;
use crate::history::{EventKind, HistoryEvent};
use crate::instance::{incarnation_token, InstanceRecord, ParentRef};
use crate::store::{CommitBatch, Precondition, Store};
use crate::work::{ActivityTask, Message, WorkId, WorkItem};

/// The id of work a turn of `record` derives from its event `event_id`:
/// unique to the incarnation, the execution and the event.
pub(crate) fn turn_work_id(record: &InstanceRecord, event_id: u64) -> WorkId {
    WorkId(format!("{}#{event_id}", execution_key(record)))
}

/// What every work id of `record`'s current execution starts with: the id,
/// the incarnation and the execution number.
pub(crate) fn execution_key(record: &InstanceRecord) -> String {
    let (id, exec) = (&record.id, record.execution);
    if record.incarnation.is_empty() {
        format!("{id}#{exec}")
    } else {
        format!("{id}@{}#{exec}", record.incarnation)
    }
}

/// Takes the tasks of `record`'s `open` activities (by the id of their
/// TaskScheduled event) off the queue in `batch`: one the batch itself
/// queues is simply not queued (a terminate means no more work).
pub(crate) fn unqueue_activities(record: &InstanceRecord, open: &[u64], batch: &mut CommitBatch) {
    for scheduled in open {
        let task = turn_work_id(record, *scheduled);
        let queued_here = batch.enqueue.len();
        batch.enqueue.retain(|w| w.id != task);
        if batch.enqueue.len() == queued_here && !batch.dequeue.contains(&task) {
            batch.dequeue.push(task);
        }
    }
}

/// The task `id` that runs the activity `record`'s event `scheduled_id`
/// scheduled, each attempt at most `timeout_ms`.
pub(crate) fn activity_task(
    record: &InstanceRecord,
    scheduled_id: u64,
    name: &str,
    input: &Value,
    timeout_ms: Option<u64>,
    id: WorkId,
) -> WorkItem {
    WorkItem::activity(
        id,
        ActivityTask {
            instance_id: record.id.clone(),
            execution: record.execution,
            incarnation: record.incarnation.clone(),
            scheduled_id,
            name: name.to_string(),
            input: input.clone(),
            timeout_ms,
        },
    )
}

/// The message `id` that fires `record`'s timer `scheduled_id`, due at
/// `fire_at_ms`.
pub(crate) fn timer_message(
    record: &InstanceRecord,
    scheduled_id: u64,
    fire_at_ms: u64,
    id: WorkId,
) -> WorkItem {
    let fired = EventKind::TimerFired {
        scheduled_id,
        fire_at_ms,
    };
    message_due(record, id, fired, Some(fire_at_ms))
}

/// The incarnation a message bound to `record`'s current life carries.
pub(crate) fn bound_incarnation(record: &InstanceRecord) -> Option<String> {
    (!record.incarnation.is_empty()).then(|| record.incarnation.clone())
}

/// Adds to `batch` the work the turn's new `events` require. A child is
/// looked up first among the rows this batch already starts, then among
/// `overlay` (rows started by earlier steps of the same commit), then in the
/// store, so steps fused into one commit see each other's starts.
pub(crate) async fn derive_work<S: Store>(
    store: &S,
    record: &InstanceRecord,
    events: &[HistoryEvent],
    batch: &mut CommitBatch,
    overlay: &[InstanceRecord],
) -> Result<(), RuntimeError> {
    let id = &record.id;
    let exec = record.execution;
    let work_id = |event_id: u64| turn_work_id(record, event_id);
    let bound = bound_incarnation(record);
    for e in events {
        match &e.kind {
            EventKind::TaskScheduled {
                name,
                input,
                timeout_ms,
            } => batch.enqueue.push(activity_task(
                record,
                e.event_id,
                name,
                input,
                *timeout_ms,
                work_id(e.event_id),
            )),
            EventKind::TimerCreated { fire_at_ms } => batch.enqueue.push(timer_message(
                record,
                e.event_id,
                *fire_at_ms,
                work_id(e.event_id),
            )),
            EventKind::TimerCancelled { scheduled_id } => {
                // A timer created in this same batch is simply not queued.
                let timer = work_id(*scheduled_id);
                let before = batch.enqueue.len();
                batch.enqueue.retain(|w| w.id != timer);
                if batch.enqueue.len() == before {
                    batch.dequeue.push(timer);
                }
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
                    incarnation: None,
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
                let pending = batch
                    .instances
                    .iter()
                    .chain(overlay)
                    .rfind(|r| &r.id == instance_id)
                    .cloned();
                let existing = match pending {
                    Some(row) => Some(row),
                    None => store.instance(instance_id).await?,
                };
                if let Some(ex) = existing.as_ref().filter(|r| !r.status.is_final()) {
                    if !*detached {
                        batch.enqueue.push(WorkItem::message(
                            work_id(e.event_id),
                            Message {
                                instance_id: id.clone(),
                                execution: Some(exec),
                                incarnation: bound.clone(),
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
                child.incarnation = incarnation_token(&work_id(e.event_id).0);
                child.parent = Some(ParentRef {
                    instance_id: id.clone(),
                    execution: exec,
                    scheduled_id: e.event_id,
                    detached: *detached,
                    incarnation: record.incarnation.clone(),
                });
                start_instance(batch, child, existing.as_ref());
            }
            _ => {}
        }
    }
    Ok(())
}

/// The id of the message that tells `record`'s parent how it ended.
pub(crate) fn done_work_id(record: &InstanceRecord) -> WorkId {
    WorkId(format!("{}#done", execution_key(record)))
}

pub(crate) fn notify_parent(
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
    let done = done_work_id(record);
    batch.enqueue.push(WorkItem::message(
        done,
        Message {
            instance_id: parent.instance_id.clone(),
            execution: Some(parent.execution),
            incarnation: (!parent.incarnation.is_empty()).then(|| parent.incarnation.clone()),
            event,
            due_ms: None,
        },
    ));
}

/// Adds the start of `row` (a fresh Pending row with its new incarnation)
/// to the batch: as a new instance, or as the next execution of the
/// finished `existing` one (its history cleared). The ExecutionStarted
/// message goes with it, and the batch is refused if someone else started
/// or changed the id meanwhile.
pub(crate) fn start_instance(
    batch: &mut CommitBatch,
    row: InstanceRecord,
    existing: Option<&InstanceRecord>,
) {
    start_instance_why(batch, row, existing, None);
}

/// [`start_instance`], with why the id starts again (a restart), which its
/// ExecutionStarted records.
pub(crate) fn start_instance_why(
    batch: &mut CommitBatch,
    mut row: InstanceRecord,
    existing: Option<&InstanceRecord>,
    restarted: Option<String>,
) {
    if let Some(old) = existing {
        row.version = old.version + 1;
        row.execution = old.execution + 1;
        batch.clear_history.push(row.id.clone());
    }
    batch.preconditions.push(match existing {
        Some(old) => Precondition::row_unchanged(old),
        None => Precondition::no_row(&row.id),
    });
    let mut started = started_event(&row, row.input.clone());
    if let EventKind::ExecutionStarted { restarted: why, .. } = &mut started {
        *why = restarted;
    }
    batch.enqueue.push(start_message(&row, 0, started));
    batch.instances.push(row);
}

/// The ExecutionStarted event of `row`'s current execution with `input`.
pub(crate) fn started_event(row: &InstanceRecord, input: Value) -> EventKind {
    EventKind::ExecutionStarted {
        name: row.name.clone(),
        input,
        parent: row.parent.clone(),
        execution: row.execution,
        incarnation: row.incarnation.clone(),
        version: None,
        restarted: None,
    }
}

/// The `n`-th message that starts `row`'s current execution (0: its
/// ExecutionStarted; then the events continue-as-new carries over).
pub(crate) fn start_message(row: &InstanceRecord, n: usize, event: EventKind) -> WorkItem {
    let base = execution_key(row);
    let id = if n == 0 {
        WorkId(format!("{base}#start"))
    } else {
        WorkId(format!("{base}#start#{n}"))
    };
    message_for(row, id, event)
}

/// A message `id` for `row`'s current execution and life, due now.
pub(crate) fn message_for(row: &InstanceRecord, id: WorkId, event: EventKind) -> WorkItem {
    message_due(row, id, event, None)
}

/// A message `id` for `row`'s current execution and life, not before `due_ms`.
fn message_due(
    row: &InstanceRecord,
    id: WorkId,
    event: EventKind,
    due_ms: Option<u64>,
) -> WorkItem {
    WorkItem::message(
        id,
        Message {
            instance_id: row.id.clone(),
            execution: Some(row.execution),
            incarnation: bound_incarnation(row),
            event,
            due_ms,
        },
    )
}
