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
use crate::instance::{InstanceRecord, ParentRef};
use crate::store::{CommitBatch, Precondition, Store};
use crate::work::{ActivityTask, Message, WorkId, WorkItem};

pub(crate) async fn derive_work<S: Store>(
    store: &S,
    record: &InstanceRecord,
    events: &[HistoryEvent],
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
                let existing = store.instance(instance_id).await?;
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
                start_instance(batch, child, existing.as_ref());
            }
            _ => {}
        }
    }
    Ok(())
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

/// Adds the start of `row` (a fresh Pending row) to the batch: as a new
/// instance, or as the next execution of the finished `existing` one (its
/// history cleared). The ExecutionStarted message goes with it, and the
/// batch is refused if someone else started or changed the id meanwhile.
pub(crate) fn start_instance(
    batch: &mut CommitBatch,
    mut row: InstanceRecord,
    existing: Option<&InstanceRecord>,
) {
    if let Some(old) = existing {
        row.version = old.version + 1;
        row.execution = old.execution + 1;
        batch.clear_history.push(row.id.clone());
    }
    batch.preconditions.push(Precondition::InstanceVersion {
        id: row.id.clone(),
        version: existing.map(|r| r.version),
    });
    batch.enqueue.push(WorkItem::message(
        WorkId(format!("{}#{}#start", row.id, row.execution)),
        Message {
            instance_id: row.id.clone(),
            execution: Some(row.execution),
            event: EventKind::ExecutionStarted {
                name: row.name.clone(),
                input: row.input.clone(),
                parent: row.parent.clone(),
            },
            due_ms: None,
        },
    ));
    batch.instances.push(row);
}
