//! Error types at the runtime's public boundaries.
//!
//! Split by class: what an orchestration sees of a failed task
//! ([`TaskError`]), replay divergence ([`NonDeterminism`]), and what the
//! client and the dispatcher report ([`ClientError`], [`RuntimeError`]).
//! Storage errors live with the Store trait.

use crate::instance::{InstanceId, RuntimeStatus};
use crate::store::StoreError;

/// Why a durable task (activity, sub-orchestration, event wait) did not
/// produce a value. Orchestrations see this.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TaskError {
    /// The activity returned an error (with a retry policy: at its last
    /// attempt).
    #[error("activity {name} failed: {message}")]
    ActivityFailed {
        /// The activity's name.
        name: String,
        /// Its error message.
        message: String,
    },
    /// The child orchestration failed or was terminated.
    #[error("sub-orchestration {name} failed: {message}")]
    SubOrchestrationFailed {
        /// The child's orchestration name.
        name: String,
        /// Its failure message (`terminated: …` for a termination).
        message: String,
    },
    /// A wait with a deadline
    /// ([`crate::OrchestrationContext::wait_for_event_timeout`]) ran out.
    #[error("timed out waiting for {what}")]
    Timeout {
        /// What was waited for (`event {name}`).
        what: String,
    },
    /// A result or event payload does not decode as the type the code asked
    /// for.
    #[error("the result of {what} does not decode as the expected type: {message}")]
    Decode {
        /// The activity or sub-orchestration name, or `event {name}`.
        what: String,
        /// What the JSON decoder reported.
        message: String,
    },
}

/// Replay of a recorded history diverged from what the code does now.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NonDeterminism {
    /// The code issues a different action than the history recorded at this
    /// position.
    #[error("NonDeterminism at action {position} (event {event_id}): history recorded `{recorded}`, the code now does `{new}`")]
    Mismatch {
        /// The action's index among the execution's actions, from 0.
        position: usize,
        /// The id of the recorded event.
        event_id: u64,
        /// The recorded action, described.
        recorded: String,
        /// The action the code issues now, described.
        new: String,
    },
    /// The code issues an action the history does not have: replay went past
    /// the last recorded action.
    #[error("NonDeterminism at action {position}: the code now does `{new}`, which the history does not have")]
    Extra {
        /// The action's index among the execution's actions, from 0.
        position: usize,
        /// The action the code issues now, described.
        new: String,
    },
    /// A turn of the history recorded an action the code no longer issues.
    #[error("NonDeterminism at action {position} (event {event_id}): history recorded `{recorded}`, the code no longer does it")]
    Missing {
        /// The action's index among the execution's actions, from 0.
        position: usize,
        /// The id of the recorded event.
        event_id: u64,
        /// The recorded action, described.
        recorded: String,
    },
    /// The history runs an orchestration this build does not register at all.
    #[error(
        "orchestration {name} is not in this build (no orchestration of that name is registered)"
    )]
    UnknownOrchestration {
        /// The orchestration's name, as recorded.
        name: String,
    },
    /// The history runs a version of the orchestration this build does not
    /// register.
    #[error("{name} v{version} is not in this build (it has {})", versions_list(.available))]
    UnknownVersion {
        /// The orchestration's name.
        name: String,
        /// The version the history runs.
        version: u32,
        /// The versions this build has.
        available: Vec<u32>,
    },
    /// The history has no ExecutionStarted event, so there is nothing to
    /// replay.
    #[error("NonDeterminism: the history has no ExecutionStarted event")]
    NoStart,
    /// A completion answers an event that did not schedule work of its kind
    /// (a TaskCompleted for a timer), or that nothing in this execution
    /// scheduled at all.
    #[error("NonDeterminism: {completion} answers event {scheduled_id}, which {}", answered(.scheduled.as_deref()))]
    UnmatchedCompletion {
        /// The completion's kind (`TaskCompleted`, `TimerFired`, …).
        completion: String,
        /// The event id it names as the one it answers.
        scheduled_id: u64,
        /// What that event is (`TimerCreated`, `a detached
        /// SubOrchestrationInstanceCreated`, …); `None` when the execution
        /// has no action of that id.
        scheduled: Option<String>,
    },
}

fn answered(scheduled: Option<&str>) -> String {
    match scheduled {
        Some(kind) => format!("is {kind}"),
        None => "nothing scheduled".to_string(),
    }
}

fn versions_list(versions: &[u32]) -> String {
    let named: Vec<String> = versions.iter().map(|v| format!("v{v}")).collect();
    named.join(", ")
}

/// Errors a client call returns; none of them changes anything.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// A start names an instance that exists and has not finished (or that the
    /// same command starts already).
    #[error("instance {id} is already {status}; terminate or purge it before starting it again")]
    AlreadyActive {
        /// The instance the start names.
        id: InstanceId,
        /// Its status (`Pending` when the same command starts it twice).
        status: RuntimeStatus,
    },
    /// There is no instance with this id.
    #[error("there is no instance {0}")]
    NotFound(InstanceId),
    /// The instance's status does not allow the call (resuming an instance that
    /// is not suspended, purging one that has not finished, …).
    #[error("instance {id} is {status}, so it cannot {action}")]
    WrongStatus {
        /// The instance the call names.
        id: InstanceId,
        /// Its status when the call was made.
        status: RuntimeStatus,
        /// What the call would have the instance do, worded to follow
        /// "cannot": `be resumed`, `receive events`, ….
        action: &'static str,
    },
    /// A rewind names a failed sub-orchestration whose parent was told of the
    /// failure; the parent must be rewound instead.
    #[error("instance {id} is a sub-orchestration and {parent} was told it failed: rewind {parent} instead")]
    RewindTheParent {
        /// The sub-orchestration named.
        id: InstanceId,
        /// The parent to rewind.
        parent: InstanceId,
    },
    /// No orchestration of this name is registered.
    #[error("no orchestration named {0} is registered")]
    UnknownOrchestration(String),
    /// [`crate::Client::wait_for_completion`] gave up before the instance
    /// finished.
    #[error("timed out after {ms} ms waiting for instance {id}")]
    Timeout {
        /// The instance waited for.
        id: InstanceId,
        /// How long it waited (ms of clock time).
        ms: u64,
    },
    /// A value the call was given does not encode as JSON.
    #[error("could not encode {what} as JSON: {message}")]
    Encode {
        /// What the value was (`orchestration input`, `event payload`, …).
        what: String,
        /// What the JSON encoder reported.
        message: String,
    },
    /// A stored value does not decode as the type asked for.
    #[error("{what} does not decode: {message}")]
    Decode {
        /// What the value is (`output of {name} {id}`).
        what: String,
        /// What the JSON decoder reported.
        message: String,
    },
    /// A command made by [`crate::Client::apply_after_reading`] starts or
    /// raises to an instance that is not among its reads.
    #[error("the command names instance {0}, which it did not read first (add it to the reads)")]
    Unread(InstanceId),
    /// The store failed, or refused the commit because the data changed
    /// meanwhile ([`StoreError::Conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Errors of the dispatcher loop. Instances are never left half-written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    /// The store failed; a refused or failed commit wrote nothing.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// [`crate::Runtime::run_until_idle_within`] ran out of ticks.
    #[error(
        "the runtime was still busy after {ticks} ticks (work that is refused or redone forever?)"
    )]
    Busy {
        /// How many ticks it ran (the `max_ticks` it was given).
        ticks: usize,
    },
}

impl From<RuntimeError> for StoreError {
    fn from(e: RuntimeError) -> Self {
        match e {
            RuntimeError::Store(e) => e,
            e @ RuntimeError::Busy { .. } => StoreError::Other(e.to_string()),
        }
    }
}
