//! Work items: what the dispatcher must do next.
//!
//! A work item is either a message for an instance (a history event to
//! deliver, possibly not before a due time: that is how durable timers are
//! stored) or an activity task to run. Work items are created inside the same
//! atomic commit as the turn that decided them. This module must never decide
//! anything; it only describes work.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::history::EventKind;
use crate::instance::InstanceId;

/// A due time that never comes. Durations saturate at it (`sleep(u64::MAX)`
/// is the no-deadline idiom), a timer due then never fires, and no store
/// reports it as the next due time, so no host arms a timer for it.
pub const NEVER_MS: u64 = u64::MAX;

/// A work item's id, allocated by the runtime. Ids of work created by a turn
/// are derived from the instance, execution and event id, so committing the
/// same decision twice cannot create the work twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkId(pub String);

/// A message for an orchestration instance: an event to append to its
/// history in a future turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The instance the message is for.
    pub instance_id: InstanceId,
    /// The execution this message belongs to; `None` means whichever
    /// execution is current (events raised by clients).
    #[serde(default)]
    pub execution: Option<u32>,
    /// The incarnation this message belongs to; `None` means whichever is
    /// current. A message for another incarnation is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incarnation: Option<String>,
    /// The event to deliver.
    pub event: EventKind,
    /// Not deliverable before this time (durable timers).
    #[serde(default)]
    pub due_ms: Option<u64>,
}

impl Message {
    /// An external event raised to `instance_id` (its incarnation, or
    /// whichever is current with `None`), deliverable now, to whichever
    /// execution is current: what a client's raise queues.
    pub fn raised(
        instance_id: &InstanceId,
        name: impl Into<String>,
        input: serde_json::Value,
        incarnation: Option<String>,
    ) -> Message {
        Message {
            instance_id: instance_id.clone(),
            execution: None,
            incarnation,
            event: EventKind::EventRaised {
                name: name.into(),
                input,
            },
            due_ms: None,
        }
    }

    /// Whether this message belongs to another execution or incarnation
    /// than the given current one.
    pub fn is_stale_for(&self, execution: u32, incarnation: &str) -> bool {
        self.execution.is_some_and(|e| e != execution)
            || self
                .incarnation
                .as_deref()
                .is_some_and(|i| i != incarnation)
    }
}

/// An activity invocation waiting to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityTask {
    /// The instance that scheduled the activity.
    pub instance_id: InstanceId,
    /// The execution that scheduled it.
    pub execution: u32,
    /// The incarnation that scheduled it (empty in tasks written before
    /// incarnations existed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub incarnation: String,
    /// The TaskScheduled event id; the completion answers it.
    pub scheduled_id: u64,
    /// The activity to run.
    pub name: String,
    /// Its input.
    pub input: Value,
    /// The longest one attempt may run (ms), from its TaskScheduled; `None`
    /// (and absent when stored) for no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl ActivityTask {
    /// Whether the task was scheduled by another execution or incarnation
    /// than the given current one.
    pub fn is_stale_for(&self, execution: u32, incarnation: &str) -> bool {
        self.execution != execution
            || (!self.incarnation.is_empty() && self.incarnation != incarnation)
    }
}

/// What a work item asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkKind {
    /// Deliver a message to an instance.
    #[serde(rename = "message")]
    Message(Message),
    /// Run an activity.
    #[serde(rename = "activity")]
    Activity(ActivityTask),
}

/// One queued piece of work, under its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    /// The item's id, unique in the queue.
    pub id: WorkId,
    /// What is to be done.
    pub kind: WorkKind,
}

impl WorkItem {
    /// A work item that delivers `message`.
    pub fn message(id: WorkId, message: Message) -> Self {
        WorkItem {
            id,
            kind: WorkKind::Message(message),
        }
    }

    /// A work item that runs `task`.
    pub fn activity(id: WorkId, task: ActivityTask) -> Self {
        WorkItem {
            id,
            kind: WorkKind::Activity(task),
        }
    }

    /// When this item becomes ready; `None` means now.
    pub fn due_ms(&self) -> Option<u64> {
        match &self.kind {
            WorkKind::Message(m) => m.due_ms,
            WorkKind::Activity(_) => None,
        }
    }

    /// The instance the work is for.
    pub fn instance_id(&self) -> &InstanceId {
        match &self.kind {
            WorkKind::Message(m) => &m.instance_id,
            WorkKind::Activity(t) => &t.instance_id,
        }
    }

    /// Whether the item may be done at `now_ms`: it has no due time, or that
    /// time has come (a time that is [`NEVER_MS`] never comes).
    pub fn is_ready(&self, now_ms: u64) -> bool {
        self.due_ms()
            .is_none_or(|due| due <= now_ms && due != NEVER_MS)
    }
}
