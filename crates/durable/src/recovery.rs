//! Recovery of a failed instance: what a rewind keeps, delivers again and
//! runs again.
//!
//! Owns the rewind plan, a pure function of an instance's row and history.
//! The last good point is right after the last action the code recorded
//! (or before the start, if it recorded none): everything before it is
//! kept, since the code replays it; what arrived after it is delivered
//! again in its order (results, timers, events), except the failures, whose
//! activities and sub-orchestrations run again. Work the kept history still
//! waits for is queued anew under fresh ids, so nothing queued before the
//! rewind can answer twice. This module must never read or write a store.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::changes::Change;
use crate::client::Client;
use crate::derive::{
    activity_task, done_work_id, execution_key, message_for, start_instance_why, timer_message,
    turn_work_id,
};
use crate::error::ClientError;
use crate::history::{EventKind, HistoryEvent};
use crate::instance::{InstanceId, InstanceRecord, RuntimeStatus};
use crate::store::{CommitBatch, Precondition, Store};
use crate::work::{WorkId, WorkItem};

/// What a rewind of one instance does, before its children are looked at.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RewindPlan {
    /// The history up to the last good point, closed as a turn.
    pub kept: Vec<HistoryEvent>,
    /// The ExecutionStarted to deliver again, when the code recorded no
    /// action at all (an orchestration that was not in the build).
    pub start_again: Option<EventKind>,
    /// What arrived after the last good point, in order, to deliver again.
    pub redeliver: Vec<EventKind>,
    /// Work the kept history waits for, queued anew.
    pub enqueue: Vec<WorkItem>,
    /// The old ids of that work (absent ones are ignored by the store).
    pub dequeue: Vec<WorkId>,
    /// Sub-orchestrations the kept history waits for and that did not
    /// answer after the last good point: (scheduled id, child id, whether
    /// its failure is what is being rewound).
    pub children: Vec<(u64, InstanceId, bool)>,
}

/// Plans the rewind of `row` (a Failed instance) from its `history` at
/// `now_ms`; `tag` makes the ids of requeued activities unique to this
/// rewind.
///
/// A timer cancelled as the code failed (a dropped timer future records
/// TimerCancelled after the failure) is cleanup, not progress: it does not
/// move the last good point, and the timer is queued again under its own
/// id, so the code can cancel it again. A timer still due later is still
/// queued and is left as it is.
pub(crate) fn plan_rewind(
    row: &InstanceRecord,
    history: &[HistoryEvent],
    tag: &str,
    now_ms: u64,
) -> RewindPlan {
    let progress = |k: &EventKind| k.is_action() && !matches!(k, EventKind::TimerCancelled { .. });
    let cut = history
        .iter()
        .rposition(|e| progress(&e.kind))
        .map_or(0, |i| i + 1);
    let mut plan = RewindPlan {
        kept: history[..cut].to_vec(),
        ..RewindPlan::default()
    };
    if cut == 0 {
        plan.start_again = history
            .iter()
            .find(|e| matches!(e.kind, EventKind::ExecutionStarted { .. }))
            .map(|e| e.kind.clone());
    } else if let Some(last) = plan.kept.last().cloned() {
        plan.kept.push(HistoryEvent {
            event_id: last.event_id + 1,
            timestamp_ms: last.timestamp_ms,
            kind: EventKind::OrchestratorCompleted { compute_ms: 0.0 },
        });
    }
    let mut answered: HashSet<u64> = plan.kept.iter().filter_map(|e| e.kind.answers()).collect();
    let mut failed = HashSet::new();
    let mut cancelled = HashSet::new();
    for e in &history[cut..] {
        match &e.kind {
            EventKind::TimerCancelled { scheduled_id } => {
                cancelled.insert(*scheduled_id);
            }
            EventKind::TaskFailed { scheduled_id, .. }
            | EventKind::SubOrchestrationInstanceFailed { scheduled_id, .. } => {
                failed.insert(*scheduled_id);
            }
            EventKind::TaskCompleted { scheduled_id, .. }
            | EventKind::SubOrchestrationInstanceCompleted { scheduled_id, .. }
            | EventKind::TimerFired { scheduled_id, .. } => {
                answered.insert(*scheduled_id);
                plan.redeliver.push(e.kind.clone());
            }
            EventKind::EventRaised { .. } => plan.redeliver.push(e.kind.clone()),
            _ => {}
        }
    }
    for e in &plan.kept {
        if answered.contains(&e.event_id) {
            continue;
        }
        let old = turn_work_id(row, e.event_id);
        let fresh = WorkId(format!("{}#{tag}", old.0));
        match &e.kind {
            EventKind::TaskScheduled {
                name,
                input,
                timeout_ms,
            } => {
                plan.enqueue.push(activity_task(
                    row,
                    e.event_id,
                    name,
                    input,
                    *timeout_ms,
                    fresh,
                ));
                plan.dequeue.push(old);
            }
            // Its message was taken by the cancel, or dropped when it fell
            // due on the failed instance; otherwise it is still queued.
            EventKind::TimerCreated { fire_at_ms }
                if cancelled.contains(&e.event_id) || *fire_at_ms <= now_ms =>
            {
                plan.enqueue
                    .push(timer_message(row, e.event_id, *fire_at_ms, old));
            }
            EventKind::SubOrchestrationInstanceCreated {
                instance_id,
                detached: false,
                ..
            } => plan.children.push((
                e.event_id,
                instance_id.clone(),
                failed.contains(&e.event_id),
            )),
            _ => {}
        }
    }
    plan
}

impl<S: Store> Client<S> {
    /// Starts a finished instance again: a new execution (and life) with
    /// the same input, on the latest version of its orchestration. Its
    /// ExecutionStarted records why; a sub-orchestration restarts on its
    /// own, without its parent.
    pub async fn restart(&self, id: &InstanceId, reason: &str) -> Result<(), ClientError> {
        let old = self
            .store()
            .instance(id)
            .await?
            .ok_or_else(|| ClientError::NotFound(id.clone()))?;
        if !old.status.is_final() {
            return Err(ClientError::WrongStatus {
                id: id.clone(),
                status: old.status,
                action: "be restarted (terminate it first)",
            });
        }
        let mut row =
            InstanceRecord::pending(id.clone(), &old.name, old.input.clone(), self.now_ms());
        row.incarnation = self.new_incarnation(id);
        let why = match &old.failure {
            Some(failure) => format!(
                "{reason} (execution {} was {}: {failure})",
                old.execution, old.status
            ),
            None => format!("{reason} (execution {} was {})", old.execution, old.status),
        };
        let mut batch = CommitBatch::default();
        start_instance_why(&mut batch, row, Some(&old), Some(why));
        self.store().commit(batch).await?;
        self.publish(Change::Instance {
            id: id.clone(),
            status: Some(RuntimeStatus::Pending),
        });
        Ok(())
    }

    /// Rewinds a Failed instance to its last good point, as Durable
    /// Functions' rewind does: the history before it is kept, the failed
    /// activities and sub-orchestrations (rewound in turn) run again, and
    /// what arrived after it is delivered again; an `ExecutionRewound`
    /// event records it. A sub-orchestration whose parent waits for it is
    /// rewound through the parent, which was told of the failure.
    pub async fn rewind(&self, id: &InstanceId, reason: &str) -> Result<(), ClientError> {
        let row = self
            .store()
            .instance(id)
            .await?
            .ok_or_else(|| ClientError::NotFound(id.clone()))?;
        if let Some(parent) = row.parent.as_ref().filter(|p| !p.detached) {
            let told = self
                .store()
                .instance(&parent.instance_id)
                .await?
                .is_some_and(|p| p.incarnation == parent.incarnation);
            if told {
                return Err(ClientError::RewindTheParent {
                    id: id.clone(),
                    parent: parent.instance_id.clone(),
                });
            }
        }
        let mut batch = CommitBatch::default();
        let mut rewound = Vec::new();
        self.rewind_into(row, reason, &mut batch, &mut rewound)
            .await?;
        self.store().commit(batch).await?;
        for (id, status) in rewound {
            self.publish(Change::Instance {
                id: id.clone(),
                status: Some(status),
            });
            self.publish(Change::Queued { id });
        }
        Ok(())
    }

    /// Adds the rewind of `row` and of its failed children to `batch`.
    fn rewind_into<'a>(
        &'a self,
        row: InstanceRecord,
        reason: &'a str,
        batch: &'a mut CommitBatch,
        rewound: &'a mut Vec<(InstanceId, RuntimeStatus)>,
    ) -> Pin<Box<dyn Future<Output = Result<(), ClientError>> + 'a>> {
        Box::pin(async move {
            if row.status != RuntimeStatus::Failed {
                return Err(ClientError::WrongStatus {
                    id: row.id.clone(),
                    status: row.status,
                    action: "be rewound (only a Failed instance can)",
                });
            }
            let history = self.store().history(&row.id).await?;
            let tag = format!("r{}", row.version + 1);
            let mut plan = plan_rewind(&row, &history, &tag, self.now_ms());
            for (scheduled_id, child_id, _) in std::mem::take(&mut plan.children) {
                let child = self.store().instance(&child_id).await?.filter(|c| {
                    c.parent
                        .as_ref()
                        .is_some_and(|p| p.incarnation == row.incarnation)
                });
                match child {
                    Some(c) if c.status == RuntimeStatus::Failed => {
                        // Its failure notice was taken (or dropped) already.
                        batch.dequeue.push(done_work_id(&c));
                        self.rewind_into(c, reason, batch, rewound).await?;
                    }
                    Some(c) if c.status == RuntimeStatus::Completed => {
                        // Delivered here, so not by its own notice too.
                        batch.dequeue.push(done_work_id(&c));
                        plan.redeliver
                            .push(EventKind::SubOrchestrationInstanceCompleted {
                                scheduled_id,
                                result: c.output.clone().unwrap_or(Value::Null),
                            });
                    }
                    Some(c) if !c.status.is_final() => {} // it answers when done
                    other => {
                        if let Some(c) = &other {
                            batch.dequeue.push(done_work_id(c));
                        }
                        plan.redeliver
                            .push(EventKind::SubOrchestrationInstanceFailed {
                                scheduled_id,
                                error: match other {
                                    Some(c) => {
                                        format!("terminated: {}", c.failure.unwrap_or_default())
                                    }
                                    None => format!("instance {child_id} no longer exists"),
                                },
                            })
                    }
                }
            }
            let mut new_row = row.clone();
            new_row.version += 1;
            new_row.updated_ms = self.now_ms().max(row.updated_ms);
            new_row.failure = None;
            new_row.output = None;
            new_row.history_len = plan.kept.len() as u64;
            new_row.status = if plan.start_again.is_some() {
                RuntimeStatus::Pending
            } else {
                RuntimeStatus::Running
            };
            batch.preconditions.push(Precondition::row_unchanged(&row));
            batch.clear_history.push(row.id.clone());
            if !plan.kept.is_empty() {
                batch.append_history.push((row.id.clone(), plan.kept));
            }
            let base = execution_key(&row);
            if let Some(start) = plan.start_again {
                batch.enqueue.push(message_for(
                    &row,
                    WorkId(format!("{base}#start#{tag}")),
                    start,
                ));
            }
            let rewind = EventKind::ExecutionRewound {
                reason: reason.to_string(),
                failure: row.failure.clone().unwrap_or_default(),
                redeliver: plan.redeliver,
            };
            batch.enqueue.push(message_for(
                &row,
                WorkId(format!("{base}#rewind#{tag}")),
                rewind,
            ));
            batch.enqueue.extend(plan.enqueue);
            batch.dequeue.extend(plan.dequeue);
            rewound.push((row.id.clone(), new_row.status));
            batch.instances.push(new_row);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::instance::RuntimeStatus;

    fn ev(event_id: u64, kind: EventKind) -> HistoryEvent {
        HistoryEvent {
            event_id,
            timestamp_ms: 100 + event_id,
            kind,
        }
    }

    fn started() -> EventKind {
        EventKind::ExecutionStarted {
            name: "O".into(),
            input: json!(null),
            parent: None,
            execution: 0,
            incarnation: "inc".into(),
            version: Some(1),
            restarted: None,
        }
    }

    fn failed_row() -> InstanceRecord {
        let mut row = InstanceRecord::pending(InstanceId::new("i"), "O", json!(null), 0);
        row.status = RuntimeStatus::Failed;
        row.incarnation = "inc".into();
        row
    }

    /// A when_all of two activities: one answered, then one failed, then the
    /// instance failed. The failed one runs again, the answer is delivered
    /// again, and the kept history is closed as a turn.
    #[test]
    fn a_failed_activity_runs_again_and_answers_are_delivered_again() {
        let history = vec![
            ev(0, EventKind::OrchestratorStarted),
            ev(1, started()),
            ev(
                2,
                EventKind::TaskScheduled {
                    name: "A".into(),
                    input: json!(1),
                    timeout_ms: None,
                },
            ),
            ev(
                3,
                EventKind::TaskScheduled {
                    name: "B".into(),
                    input: json!(2),
                    timeout_ms: None,
                },
            ),
            ev(4, EventKind::OrchestratorCompleted { compute_ms: 0.0 }),
            ev(5, EventKind::OrchestratorStarted),
            ev(
                6,
                EventKind::TaskCompleted {
                    scheduled_id: 2,
                    result: json!("a"),
                    compute_ms: 0.0,
                },
            ),
            ev(
                7,
                EventKind::TaskFailed {
                    scheduled_id: 3,
                    error: "boom".into(),
                    compute_ms: 0.0,
                },
            ),
            ev(
                8,
                EventKind::ExecutionFailed {
                    error: "boom".into(),
                },
            ),
            ev(9, EventKind::OrchestratorCompleted { compute_ms: 0.0 }),
        ];
        let plan = plan_rewind(&failed_row(), &history, "r7", 0);
        assert_eq!(plan.kept.len(), 5);
        assert!(matches!(
            plan.kept[4].kind,
            EventKind::OrchestratorCompleted { .. }
        ));
        assert_eq!(plan.kept[4].event_id, 4);
        assert_eq!(plan.start_again, None);
        assert_eq!(plan.redeliver, vec![history[6].kind.clone()]);
        let ids: Vec<&str> = plan.enqueue.iter().map(|w| w.id.0.as_str()).collect();
        assert_eq!(ids, ["i@inc#0#3#r7"]);
        assert_eq!(plan.dequeue, vec![WorkId("i@inc#0#3".into())]);
    }

    /// An orchestration that never ran (it was not in the build) starts
    /// again from its ExecutionStarted.
    #[test]
    fn an_execution_without_actions_starts_again() {
        let history = vec![
            ev(0, EventKind::OrchestratorStarted),
            ev(1, started()),
            ev(
                2,
                EventKind::EventRaised {
                    name: "E".into(),
                    input: json!(3),
                },
            ),
            ev(
                3,
                EventKind::ExecutionFailed {
                    error: "not in this build".into(),
                },
            ),
            ev(4, EventKind::OrchestratorCompleted { compute_ms: 0.0 }),
        ];
        let plan = plan_rewind(&failed_row(), &history, "r1", 0);
        assert!(plan.kept.is_empty());
        assert_eq!(plan.start_again, Some(started()));
        assert_eq!(plan.redeliver, vec![history[2].kind.clone()]);
    }

    /// A pending timer and a child the history still waits for are found;
    /// a failed child is marked as the failure being rewound.
    #[test]
    fn pending_timers_and_children_are_found() {
        let child = |id: &str| EventKind::SubOrchestrationInstanceCreated {
            name: "C".into(),
            instance_id: InstanceId::new(id),
            input: json!(null),
            detached: false,
        };
        let history = vec![
            ev(0, EventKind::OrchestratorStarted),
            ev(1, started()),
            ev(2, EventKind::TimerCreated { fire_at_ms: 500 }),
            ev(3, child("c1")),
            ev(4, child("c2")),
            ev(5, EventKind::OrchestratorCompleted { compute_ms: 0.0 }),
            ev(6, EventKind::OrchestratorStarted),
            ev(
                7,
                EventKind::SubOrchestrationInstanceFailed {
                    scheduled_id: 4,
                    error: "x".into(),
                },
            ),
            ev(8, EventKind::ExecutionFailed { error: "x".into() }),
            ev(9, EventKind::OrchestratorCompleted { compute_ms: 0.0 }),
        ];
        let plan = plan_rewind(&failed_row(), &history, "r2", 1_000);
        assert_eq!(plan.enqueue.len(), 1);
        // Due already: its message was dropped, so it is queued again
        // under its own id (a later cancel finds it).
        assert_eq!(plan.enqueue[0].id.0, "i@inc#0#2");
        // Due later: still queued, left alone.
        assert!(plan_rewind(&failed_row(), &history, "r2", 0)
            .enqueue
            .is_empty());
        assert_eq!(
            plan.children,
            vec![
                (3, InstanceId::new("c1"), false),
                (4, InstanceId::new("c2"), true)
            ]
        );
        assert!(plan.redeliver.is_empty());
    }
}
