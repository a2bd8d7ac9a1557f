//! How a turn moves its instance: one table of status transitions, a row
//! per way a turn can end, and the one function that applies a row to the
//! instance row and the commit batch.
//!
//! Owns the mapping from a turn's end to the instance's next status, and
//! what else that end obliges the commit to carry (the parent's answer, a
//! new execution). The dispatcher decides no status anywhere else; this
//! module must never read the store or run orchestration code.

use crate::derive::{notify_parent, start_message, started_event};
use crate::execution::Outcome;
use crate::instance::{InstanceRecord, RuntimeStatus};
use crate::store::CommitBatch;

/// How a turn ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TurnEnd {
    /// The orchestration waits for something (an activity, a timer, an
    /// event).
    Waiting,
    /// It was suspended, or stays so.
    Suspended,
    Completed,
    Failed,
    Terminated,
    ContinuedAsNew,
}

/// What a turn's end does to its instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Transition {
    pub end: TurnEnd,
    /// The instance's status after the turn.
    pub status: RuntimeStatus,
    /// A parent that awaits the instance is told how it ended.
    pub tells_parent: bool,
    /// The instance starts its next execution, with an empty history.
    pub new_execution: bool,
    /// The execution stays live in the cache for the next turn.
    pub stays_live: bool,
}

/// Every transition, one row per [`TurnEnd`].
pub(crate) const TRANSITIONS: [Transition; 6] = [
    Transition {
        end: TurnEnd::Waiting,
        status: RuntimeStatus::Running,
        tells_parent: false,
        new_execution: false,
        stays_live: true,
    },
    Transition {
        end: TurnEnd::Suspended,
        status: RuntimeStatus::Suspended,
        tells_parent: false,
        new_execution: false,
        stays_live: true,
    },
    Transition {
        end: TurnEnd::Completed,
        status: RuntimeStatus::Completed,
        tells_parent: true,
        new_execution: false,
        stays_live: false,
    },
    Transition {
        end: TurnEnd::Failed,
        status: RuntimeStatus::Failed,
        tells_parent: true,
        new_execution: false,
        stays_live: false,
    },
    Transition {
        end: TurnEnd::Terminated,
        status: RuntimeStatus::Terminated,
        tells_parent: true,
        new_execution: false,
        stays_live: false,
    },
    Transition {
        end: TurnEnd::ContinuedAsNew,
        status: RuntimeStatus::ContinuedAsNew,
        tells_parent: false,
        new_execution: true,
        stays_live: false,
    },
];

impl TurnEnd {
    /// The end of a turn with `outcome` (`None`: it goes on), suspended or
    /// not.
    pub(crate) fn of(outcome: Option<&Outcome>, suspended: bool) -> TurnEnd {
        match outcome {
            None if suspended => TurnEnd::Suspended,
            None => TurnEnd::Waiting,
            Some(Outcome::Completed(_)) => TurnEnd::Completed,
            Some(Outcome::Failed(_)) => TurnEnd::Failed,
            Some(Outcome::Terminated(_)) => TurnEnd::Terminated,
            Some(Outcome::ContinuedAsNew { .. }) => TurnEnd::ContinuedAsNew,
        }
    }

    /// This end's row of [`TRANSITIONS`].
    pub(crate) fn transition(self) -> Transition {
        // Every end has its row (a test checks the table is complete).
        TRANSITIONS
            .iter()
            .copied()
            .find(|t| t.end == self)
            .unwrap_or(TRANSITIONS[0])
    }
}

/// Applies the transition of a turn that ended with `outcome` to `row` (the
/// instance's next row, `record` its row before the turn) and `batch`.
/// Returns the transition applied.
pub(crate) fn apply_transition(
    outcome: Option<&Outcome>,
    suspended: bool,
    record: &InstanceRecord,
    row: &mut InstanceRecord,
    batch: &mut CommitBatch,
) -> Transition {
    let t = TurnEnd::of(outcome, suspended).transition();
    row.status = t.status;
    let told = match outcome {
        Some(Outcome::Completed(v)) => {
            row.output = Some(v.clone());
            Ok(v.clone())
        }
        Some(Outcome::Failed(e)) => {
            row.failure = Some(e.clone());
            Err(e.clone())
        }
        Some(Outcome::Terminated(reason)) => {
            row.failure = Some(reason.clone());
            Err(format!("terminated: {reason}"))
        }
        Some(Outcome::ContinuedAsNew { input, carried }) => {
            row.execution += 1;
            row.history_len = 0;
            row.input = input.clone();
            batch.clear_history.push(record.id.clone());
            let mut starts = vec![started_event(row, input.clone())];
            starts.extend(carried.iter().cloned());
            for (i, event) in starts.into_iter().enumerate() {
                batch.enqueue.push(start_message(row, i, event));
            }
            return t;
        }
        _ => return t,
    };
    if t.tells_parent {
        notify_parent(record, told, batch);
    }
    t
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::history::EventKind;
    use crate::instance::{InstanceId, ParentRef};
    use crate::work::WorkKind;

    /// A running child whose parent awaits it.
    fn child() -> InstanceRecord {
        let mut r = InstanceRecord::pending(InstanceId::new("child"), "C", json!(1), 0);
        r.status = RuntimeStatus::Running;
        r.history_len = 5;
        r.parent = Some(ParentRef {
            instance_id: InstanceId::new("parent"),
            execution: 0,
            scheduled_id: 3,
            detached: false,
            incarnation: String::new(),
        });
        r
    }

    /// Applies `outcome` to [`child`]: the next row, the batch, the
    /// transition.
    fn end(outcome: Option<Outcome>, suspended: bool) -> (InstanceRecord, CommitBatch, Transition) {
        let record = child();
        let mut row = record.clone();
        let mut batch = CommitBatch::default();
        let t = apply_transition(outcome.as_ref(), suspended, &record, &mut row, &mut batch);
        (row, batch, t)
    }

    /// The event the parent was sent, if any.
    fn told_parent(batch: &CommitBatch) -> Option<EventKind> {
        batch.enqueue.iter().find_map(|w| match &w.kind {
            WorkKind::Message(m) if m.instance_id.as_str() == "parent" => Some(m.event.clone()),
            _ => None,
        })
    }

    #[test]
    fn every_end_has_exactly_one_row() {
        use TurnEnd::*;
        for e in [
            Waiting,
            Suspended,
            Completed,
            Failed,
            Terminated,
            ContinuedAsNew,
        ] {
            assert_eq!(
                TRANSITIONS.iter().filter(|t| t.end == e).count(),
                1,
                "{e:?}"
            );
        }
    }

    #[test]
    fn waiting_stays_running_and_live() {
        let (row, batch, t) = end(None, false);
        assert_eq!(row.status, RuntimeStatus::Running);
        assert!(t.stays_live);
        assert_eq!(batch, CommitBatch::default(), "nothing else to commit");
    }

    #[test]
    fn suspended_is_suspended_and_live() {
        let (row, batch, t) = end(None, true);
        assert_eq!(row.status, RuntimeStatus::Suspended);
        assert!(t.stays_live);
        assert_eq!(told_parent(&batch), None);
    }

    #[test]
    fn completed_keeps_its_output_and_tells_the_parent() {
        let (row, batch, t) = end(Some(Outcome::Completed(json!("done"))), false);
        assert_eq!(row.status, RuntimeStatus::Completed);
        assert_eq!(row.output, Some(json!("done")));
        assert!(!t.stays_live);
        assert_eq!(
            told_parent(&batch),
            Some(EventKind::SubOrchestrationInstanceCompleted {
                scheduled_id: 3,
                result: json!("done")
            })
        );
    }

    #[test]
    fn failed_keeps_its_failure_and_tells_the_parent() {
        let (row, batch, _) = end(Some(Outcome::Failed("boom".into())), false);
        assert_eq!(row.status, RuntimeStatus::Failed);
        assert_eq!(row.failure.as_deref(), Some("boom"));
        assert_eq!(
            told_parent(&batch),
            Some(EventKind::SubOrchestrationInstanceFailed {
                scheduled_id: 3,
                error: "boom".into()
            })
        );
    }

    #[test]
    fn terminated_tells_the_parent_why() {
        let (row, batch, _) = end(Some(Outcome::Terminated("stop".into())), false);
        assert_eq!(row.status, RuntimeStatus::Terminated);
        assert_eq!(row.failure.as_deref(), Some("stop"));
        assert_eq!(
            told_parent(&batch),
            Some(EventKind::SubOrchestrationInstanceFailed {
                scheduled_id: 3,
                error: "terminated: stop".into()
            })
        );
    }

    #[test]
    fn continued_as_new_starts_the_next_execution_without_telling_the_parent() {
        let carried = vec![EventKind::EventRaised {
            name: "E".into(),
            input: json!(2),
        }];
        let (row, batch, t) = end(
            Some(Outcome::ContinuedAsNew {
                input: json!(9),
                carried,
            }),
            false,
        );
        assert_eq!(row.status, RuntimeStatus::ContinuedAsNew);
        assert!(t.new_execution && !t.stays_live);
        assert_eq!((row.execution, row.history_len), (1, 0));
        assert_eq!(row.input, json!(9));
        assert_eq!(batch.clear_history, vec![InstanceId::new("child")]);
        assert_eq!(told_parent(&batch), None);
        let started: Vec<&EventKind> = batch
            .enqueue
            .iter()
            .filter_map(|w| match &w.kind {
                WorkKind::Message(m) => Some(&m.event),
                _ => None,
            })
            .collect();
        assert_eq!(started.len(), 2, "the start, then the carried event");
        assert!(matches!(started[0], EventKind::ExecutionStarted { .. }));
        assert!(matches!(started[1], EventKind::EventRaised { .. }));
    }
}
