//! The event history: what happened to an orchestration instance, in order.
//!
//! Owns the persisted event format. Events are a compatibility boundary: every
//! variant has an explicit serde tag, and a record of a kind this version does
//! not know becomes [`HistoryDecodeError`], never a panic. This module must
//! never hold runtime state or perform I/O.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::instance::{InstanceId, ParentRef};

/// The version of the persisted event format written by this build.
pub const HISTORY_FORMAT: u32 = 1;

/// One recorded event: its position in the instance's history, when it was
/// recorded (orchestration time, ms since the Unix epoch) and what happened.
/// Stored as `{"event_id":3,"timestamp_ms":…,"kind":{"TimerFired":{…}}}`
/// (an event without fields: `"kind":"OrchestratorStarted"`): the kind's
/// name is the tag, and decoding needs no buffering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// Position in the current execution's history, starting at 0.
    pub event_id: u64,
    /// When it was recorded: orchestration time, in ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// What happened.
    pub kind: EventKind,
}

/// What happened. Names follow the Durable Task Framework. Completion events
/// carry `scheduled_id`: the `event_id` of the event that scheduled them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// An execution began: the first event of every execution's history.
    #[serde(rename = "ExecutionStarted")]
    ExecutionStarted {
        /// The orchestration it runs.
        name: String,
        /// Its input.
        input: Value,
        /// The instance that started this one as a sub-orchestration; `None`
        /// for an instance a client started.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<ParentRef>,
        /// Which execution of the instance this is (0 unless it continued
        /// as new), so a replay of this history alone is exact.
        #[serde(default, skip_serializing_if = "is_zero")]
        execution: u32,
        /// The instance's incarnation (empty in histories written before
        /// incarnations existed).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        incarnation: String,
        /// The version of the orchestration this execution runs. A start
        /// message leaves it empty and the executor records the latest
        /// version of its build; a recorded history without it predates
        /// versions and runs version 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<u32>,
        /// Why this execution started again (a restart of a finished
        /// instance), if it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        restarted: Option<String>,
    },
    /// A turn began; its timestamp is the turn's orchestration time.
    #[serde(rename = "OrchestratorStarted")]
    OrchestratorStarted,
    /// A turn ended.
    #[serde(rename = "OrchestratorCompleted")]
    OrchestratorCompleted {
        /// Milliseconds spent running orchestration code in this turn.
        compute_ms: f64,
    },
    /// The code called an activity (an action).
    #[serde(rename = "TaskScheduled")]
    TaskScheduled {
        /// The activity's name.
        name: String,
        /// Its input.
        input: Value,
        /// The longest one attempt may run (ms), which the dispatcher
        /// enforces; `None` (and absent when stored) for no limit. Not part
        /// of the decision replay compares: a build may change it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// An activity returned a value.
    #[serde(rename = "TaskCompleted")]
    TaskCompleted {
        /// The TaskScheduled event this answers.
        scheduled_id: u64,
        /// The activity's output.
        result: Value,
        /// Milliseconds spent running the activity's code.
        compute_ms: f64,
    },
    /// An activity returned an error (or is not registered).
    #[serde(rename = "TaskFailed")]
    TaskFailed {
        /// The TaskScheduled event this answers.
        scheduled_id: u64,
        /// The error message.
        error: String,
        /// Milliseconds spent running the activity's code.
        compute_ms: f64,
    },
    /// The code started a child orchestration, awaited or detached (an action).
    #[serde(rename = "SubOrchestrationInstanceCreated")]
    SubOrchestrationInstanceCreated {
        /// The child's orchestration.
        name: String,
        /// The child's instance id.
        instance_id: InstanceId,
        /// The child's input.
        input: Value,
        /// Fire-and-forget start: the parent does not wait for the result.
        #[serde(default)]
        detached: bool,
    },
    /// An awaited child orchestration completed.
    #[serde(rename = "SubOrchestrationInstanceCompleted")]
    SubOrchestrationInstanceCompleted {
        /// The SubOrchestrationInstanceCreated event this answers.
        scheduled_id: u64,
        /// The child's output.
        result: Value,
    },
    /// An awaited child orchestration failed or was terminated.
    #[serde(rename = "SubOrchestrationInstanceFailed")]
    SubOrchestrationInstanceFailed {
        /// The SubOrchestrationInstanceCreated event this answers.
        scheduled_id: u64,
        /// The child's failure message.
        error: String,
    },
    /// The code started a durable timer (an action).
    #[serde(rename = "TimerCreated")]
    TimerCreated {
        /// When it fires: orchestration time, in ms since the Unix epoch.
        fire_at_ms: u64,
    },
    /// A durable timer fired.
    #[serde(rename = "TimerFired")]
    TimerFired {
        /// The TimerCreated event this answers.
        scheduled_id: u64,
        /// When it was due (ms since the Unix epoch).
        fire_at_ms: u64,
    },
    /// The code dropped a timer before it fired, as the loser of a race does
    /// (an action).
    #[serde(rename = "TimerCancelled")]
    TimerCancelled {
        /// The TimerCreated event of the timer.
        scheduled_id: u64,
    },
    /// An external event arrived.
    #[serde(rename = "EventRaised")]
    EventRaised {
        /// The event's name.
        name: String,
        /// Its payload.
        input: Value,
    },
    /// The code raised an event on another instance (an action).
    #[serde(rename = "EventSent")]
    EventSent {
        /// The instance the event is for.
        instance_id: InstanceId,
        /// The event's name.
        name: String,
        /// Its payload.
        input: Value,
    },
    /// A client suspended the instance: messages wait until it resumes.
    #[serde(rename = "ExecutionSuspended")]
    ExecutionSuspended {
        /// Why, as the client gave it.
        reason: String,
    },
    /// A client resumed the suspended instance.
    #[serde(rename = "ExecutionResumed")]
    ExecutionResumed {
        /// Why, as the client gave it.
        reason: String,
    },
    /// A client terminated the instance.
    #[serde(rename = "ExecutionTerminated")]
    ExecutionTerminated {
        /// Why, as the client gave it.
        reason: String,
    },
    /// The execution ended by continuing as new: the next one starts with an
    /// empty history.
    #[serde(rename = "ContinueAsNew")]
    ContinueAsNew {
        /// The next execution's input.
        input: Value,
    },
    /// The orchestration returned a value.
    #[serde(rename = "ExecutionCompleted")]
    ExecutionCompleted {
        /// Its output.
        result: Value,
    },
    /// The execution failed: the code returned an error, or its replay
    /// diverged.
    #[serde(rename = "ExecutionFailed")]
    ExecutionFailed {
        /// The failure message.
        error: String,
    },
    /// `patched(change_id)` took the new branch here (an action: replay
    /// expects the code to ask for the same change at the same point).
    #[serde(rename = "MarkerRecorded")]
    MarkerRecorded {
        /// The change id `patched` was asked about.
        change_id: String,
    },
    /// A failed execution was rewound to its last good point. As a message
    /// it carries, in order, what arrived after that point and is delivered
    /// again; the recorded event keeps only the reason and the failure.
    #[serde(rename = "ExecutionRewound")]
    ExecutionRewound {
        /// Why, as the client gave it.
        reason: String,
        /// The failure that was rewound.
        #[serde(default)]
        failure: String,
        /// As a message, what is delivered again, in order; empty in the
        /// recorded event.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        redeliver: Vec<EventKind>,
    },
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl EventKind {
    /// The DTFx name of this event kind, as shown in dashboards.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ExecutionStarted { .. } => "ExecutionStarted",
            EventKind::OrchestratorStarted => "OrchestratorStarted",
            EventKind::OrchestratorCompleted { .. } => "OrchestratorCompleted",
            EventKind::TaskScheduled { .. } => "TaskScheduled",
            EventKind::TaskCompleted { .. } => "TaskCompleted",
            EventKind::TaskFailed { .. } => "TaskFailed",
            EventKind::SubOrchestrationInstanceCreated { .. } => "SubOrchestrationInstanceCreated",
            EventKind::SubOrchestrationInstanceCompleted { .. } => {
                "SubOrchestrationInstanceCompleted"
            }
            EventKind::SubOrchestrationInstanceFailed { .. } => "SubOrchestrationInstanceFailed",
            EventKind::TimerCreated { .. } => "TimerCreated",
            EventKind::TimerFired { .. } => "TimerFired",
            EventKind::TimerCancelled { .. } => "TimerCancelled",
            EventKind::EventRaised { .. } => "EventRaised",
            EventKind::EventSent { .. } => "EventSent",
            EventKind::ExecutionSuspended { .. } => "ExecutionSuspended",
            EventKind::ExecutionResumed { .. } => "ExecutionResumed",
            EventKind::ExecutionTerminated { .. } => "ExecutionTerminated",
            EventKind::ContinueAsNew { .. } => "ContinueAsNew",
            EventKind::ExecutionCompleted { .. } => "ExecutionCompleted",
            EventKind::ExecutionFailed { .. } => "ExecutionFailed",
            EventKind::MarkerRecorded { .. } => "MarkerRecorded",
            EventKind::ExecutionRewound { .. } => "ExecutionRewound",
        }
    }

    /// Events that record a decision of the orchestration code (an action).
    /// Replay compares these, in order, against what the code decides again.
    pub fn is_action(&self) -> bool {
        matches!(
            self,
            EventKind::TaskScheduled { .. }
                | EventKind::SubOrchestrationInstanceCreated { .. }
                | EventKind::TimerCreated { .. }
                | EventKind::TimerCancelled { .. }
                | EventKind::EventSent { .. }
                | EventKind::MarkerRecorded { .. }
        )
    }

    /// The event that scheduled the work this event completes, if any.
    pub fn answers(&self) -> Option<u64> {
        match self {
            EventKind::TaskCompleted { scheduled_id, .. }
            | EventKind::TaskFailed { scheduled_id, .. }
            | EventKind::SubOrchestrationInstanceCompleted { scheduled_id, .. }
            | EventKind::SubOrchestrationInstanceFailed { scheduled_id, .. }
            | EventKind::TimerFired { scheduled_id, .. }
            | EventKind::TimerCancelled { scheduled_id } => Some(*scheduled_id),
            _ => None,
        }
    }

    /// A short human description of an action, used in nondeterminism errors.
    pub fn describe_action(&self) -> String {
        match self {
            EventKind::TaskScheduled { name, input, .. } => {
                format!("call activity {name}({input})")
            }
            EventKind::SubOrchestrationInstanceCreated {
                name,
                instance_id,
                input,
                detached,
            } => {
                let verb = if *detached {
                    "start orchestration"
                } else {
                    "call sub-orchestration"
                };
                format!("{verb} {name}({input}) as {instance_id}")
            }
            EventKind::TimerCreated { fire_at_ms } => {
                format!("create timer firing at {fire_at_ms}")
            }
            EventKind::TimerCancelled { scheduled_id } => {
                format!("cancel timer scheduled at event {scheduled_id}")
            }
            EventKind::EventSent {
                instance_id,
                name,
                input,
            } => format!("send event {name}({input}) to {instance_id}"),
            EventKind::MarkerRecorded { change_id } => {
                format!("take the new branch of patched(\"{change_id}\")")
            }
            other => other.name().to_string(),
        }
    }
}

/// A stored event record could not be read by this version of the runtime.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HistoryDecodeError {
    /// The record's kind is not one this version knows (a newer version wrote
    /// it?).
    #[error("history record {position} has event kind {kind:?}, which this version does not know (written by a newer version?)")]
    UnknownKind {
        /// The record's index in the stored history.
        position: usize,
        /// The kind's name.
        kind: String,
    },
    /// The record is not a valid event.
    #[error("history record {position} is corrupt: {message}")]
    Corrupt {
        /// The record's index in the stored history.
        position: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// Decodes one persisted event, telling an unknown kind from a corrupt record.
pub fn decode_event(position: usize, value: Value) -> Result<HistoryEvent, HistoryDecodeError> {
    const KNOWN: [&str; 22] = [
        "ExecutionStarted",
        "OrchestratorStarted",
        "OrchestratorCompleted",
        "TaskScheduled",
        "TaskCompleted",
        "TaskFailed",
        "SubOrchestrationInstanceCreated",
        "SubOrchestrationInstanceCompleted",
        "SubOrchestrationInstanceFailed",
        "TimerCreated",
        "TimerFired",
        "TimerCancelled",
        "EventRaised",
        "EventSent",
        "ExecutionSuspended",
        "ExecutionResumed",
        "ExecutionTerminated",
        "ContinueAsNew",
        "ExecutionCompleted",
        "ExecutionFailed",
        "MarkerRecorded",
        "ExecutionRewound",
    ];
    let kind = match value.get("kind") {
        Some(Value::String(name)) => Some(name.as_str()),
        Some(Value::Object(fields)) if fields.len() == 1 => {
            fields.keys().next().map(String::as_str)
        }
        _ => None,
    };
    match kind {
        Some(kind) if !KNOWN.contains(&kind) => {
            return Err(HistoryDecodeError::UnknownKind {
                position,
                kind: kind.to_string(),
            })
        }
        None => {
            return Err(HistoryDecodeError::Corrupt {
                position,
                message: "no event kind".into(),
            })
        }
        Some(_) => {}
    }
    serde_json::from_value(value).map_err(|e| HistoryDecodeError::Corrupt {
        position,
        message: e.to_string(),
    })
}

/// Exports a history as pretty JSON, the format the dashboard downloads.
pub fn export_json(events: &[HistoryEvent]) -> String {
    serde_json::to_string_pretty(events).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_round_trip_with_their_dtfx_names() {
        let ev = HistoryEvent {
            event_id: 3,
            timestamp_ms: 1000,
            kind: EventKind::TimerFired {
                scheduled_id: 2,
                fire_at_ms: 1000,
            },
        };
        let v = serde_json::to_value(&ev).unwrap();
        assert_eq!(v["kind"]["TimerFired"]["scheduled_id"], 2);
        let started = HistoryEvent {
            event_id: 0,
            timestamp_ms: 1,
            kind: EventKind::OrchestratorStarted,
        };
        assert_eq!(
            serde_json::to_value(&started).unwrap()["kind"],
            "OrchestratorStarted"
        );
        assert_eq!(decode_event(0, v).unwrap(), ev);
    }

    #[test]
    fn unknown_kind_is_a_typed_error() {
        let v = json!({"event_id": 0, "timestamp_ms": 0, "kind": "QuantumEntangled"});
        assert_eq!(
            decode_event(7, v),
            Err(HistoryDecodeError::UnknownKind {
                position: 7,
                kind: "QuantumEntangled".into()
            })
        );
    }

    #[test]
    fn corrupt_record_is_a_typed_error() {
        let v = json!({"event_id": "x", "kind": {"TimerCreated": {"fire_at_ms": 1}}});
        assert!(matches!(
            decode_event(1, v),
            Err(HistoryDecodeError::Corrupt { position: 1, .. })
        ));
        assert!(matches!(
            decode_event(2, json!(42)),
            Err(HistoryDecodeError::Corrupt { .. })
        ));
    }
}
