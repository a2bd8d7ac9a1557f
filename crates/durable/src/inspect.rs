//! Stepping through an instance's history: at each event, the state the
//! code had reached — its custom status, what it waited on (activities,
//! timers, sub-orchestrations, external events), and which later event
//! answers each wait. Built by replaying the history against this build's
//! code, so it shows the state a history produced, not only the history.
//!
//! Pure: reads a history, runs the replay engine, touches no store and no
//! clock. Must never run an activity or record anything.

use std::collections::HashMap;

use serde_json::Value;

use crate::error::NonDeterminism;
use crate::execution::{Execution, Outcome};
use crate::history::{EventKind, HistoryEvent};
use crate::instance::InstanceId;
use crate::registry::Registry;

/// What an instance waits on.
#[derive(Clone, Debug, PartialEq)]
pub enum Awaited {
    /// An activity's result.
    Activity {
        /// The activity's name.
        name: String,
    },
    /// A durable timer.
    Timer {
        /// When it fires: orchestration time, in ms since the Unix epoch.
        fire_at_ms: u64,
    },
    /// An awaited child orchestration's result.
    SubOrchestration {
        /// The child's instance id.
        instance_id: InstanceId,
        /// The child's orchestration.
        name: String,
    },
    /// An external event.
    Event {
        /// The event's name.
        name: String,
    },
}

/// One wait: what, the event that began it (none for an external event),
/// and the later event of the history that answers it, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Wait {
    /// What is waited on.
    pub awaited: Awaited,
    /// The event that began the wait; `None` for an external event.
    pub since: Option<u64>,
    /// The later event of the history that answers it; `None` if none does.
    pub answered_by: Option<u64>,
}

/// The instance right after one event of its history.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The event just replayed.
    pub event_id: u64,
    /// The custom status the code had set by then.
    pub custom_status: Option<Value>,
    /// What the code waited on then.
    pub waits: Vec<Wait>,
    /// Whether the instance was suspended then.
    pub suspended: bool,
    /// How the execution ended, once it has.
    pub outcome: Option<Outcome>,
}

/// The instance's state after each event of `history`, replayed on the
/// orchestrations of `registry`; the divergence if this build does not
/// replay it.
pub fn step_through(
    registry: &Registry,
    instance_id: &InstanceId,
    history: &[HistoryEvent],
) -> Result<Vec<Step>, NonDeterminism> {
    let mut steps = Vec::with_capacity(history.len());
    let mut open: Vec<Wait> = Vec::new();
    // Which event first answers each action, found once for the history.
    let mut answers: HashMap<u64, u64> = HashMap::new();
    for e in history {
        if let Some(scheduled) = e.kind.answers() {
            answers.entry(scheduled).or_insert(e.event_id);
        }
    }
    let exec = Execution::replay_observed(
        registry,
        instance_id.clone(),
        0,
        history,
        &mut |event, exec| {
            let seen = exec.observed();
            track(&mut open, event, &answers);
            // What the code still waits on: a wait that lost a race stays
            // unanswered in the history, but no longer waited on.
            let mut waits: Vec<Wait> = open
                .iter()
                .filter(|w| w.since.is_some_and(|id| seen.awaiting_tasks.contains(&id)))
                .cloned()
                .collect();
            if seen.outcome.is_none() {
                waits.extend(seen.awaiting.iter().map(|name| Wait {
                    awaited: Awaited::Event { name: name.clone() },
                    since: None,
                    answered_by: next_event_named(history, event.event_id, name),
                }));
            } else {
                waits.clear();
            }
            steps.push(Step {
                event_id: event.event_id,
                custom_status: seen.custom_status,
                waits,
                suspended: seen.suspended,
                outcome: seen.outcome,
            });
        },
    );
    match exec.nondeterminism() {
        Some(nd) => Err(nd),
        None => Ok(steps),
    }
}

/// What the instance waits on at the end of `history` (the last step's
/// waits): what a dashboard's "waiting on" column shows.
pub fn waiting_on(
    registry: &Registry,
    instance_id: &InstanceId,
    history: &[HistoryEvent],
) -> Result<Vec<Wait>, NonDeterminism> {
    Ok(step_through(registry, instance_id, history)?
        .pop()
        .map(|s| s.waits)
        .unwrap_or_default())
}

/// Opens the wait an action begins and closes the one an answer ends.
fn track(open: &mut Vec<Wait>, event: &HistoryEvent, answers: &HashMap<u64, u64>) {
    let awaited = match &event.kind {
        EventKind::TaskScheduled { name, .. } => Some(Awaited::Activity { name: name.clone() }),
        EventKind::TimerCreated { fire_at_ms } => Some(Awaited::Timer {
            fire_at_ms: *fire_at_ms,
        }),
        EventKind::SubOrchestrationInstanceCreated {
            name,
            instance_id,
            detached: false,
            ..
        } => Some(Awaited::SubOrchestration {
            instance_id: instance_id.clone(),
            name: name.clone(),
        }),
        _ => None,
    };
    if let Some(awaited) = awaited {
        let answered_by = answers.get(&event.event_id).copied();
        open.push(Wait {
            awaited,
            since: Some(event.event_id),
            answered_by,
        });
    }
    if let Some(scheduled) = event.kind.answers() {
        open.retain(|w| w.since != Some(scheduled));
    }
}

/// The first external event `name` after `event_id`.
fn next_event_named(history: &[HistoryEvent], event_id: u64, name: &str) -> Option<u64> {
    history
        .iter()
        .filter(|e| e.event_id > event_id)
        .find(|e| matches!(&e.kind, EventKind::EventRaised { name: n, .. } if n == name))
        .map(|e| e.event_id)
}
