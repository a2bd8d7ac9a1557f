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
    #[error("activity {name} failed: {message}")]
    ActivityFailed { name: String, message: String },
    #[error("sub-orchestration {name} failed: {message}")]
    SubOrchestrationFailed { name: String, message: String },
    #[error("timed out waiting for {what}")]
    Timeout { what: String },
    #[error("the result of {what} does not decode as the expected type: {message}")]
    Decode { what: String, message: String },
}

/// Replay of a recorded history diverged from what the code does now.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NonDeterminism {
    #[error("NonDeterminism at action {position} (event {event_id}): history recorded `{recorded}`, the code now does `{new}`")]
    Mismatch {
        position: usize,
        event_id: u64,
        recorded: String,
        new: String,
    },
    #[error("NonDeterminism at action {position}: the code now does `{new}`, which the history does not have")]
    Extra { position: usize, new: String },
    #[error("NonDeterminism at action {position} (event {event_id}): history recorded `{recorded}`, the code no longer does it")]
    Missing {
        position: usize,
        event_id: u64,
        recorded: String,
    },
    #[error(
        "orchestration {name} is not in this build (no orchestration of that name is registered)"
    )]
    UnknownOrchestration { name: String },
    #[error("{name} v{version} is not in this build (it has {})", versions_list(.available))]
    UnknownVersion {
        name: String,
        version: u32,
        /// The versions this build has.
        available: Vec<u32>,
    },
    #[error("NonDeterminism: the history has no ExecutionStarted event")]
    NoStart,
}

fn versions_list(versions: &[u32]) -> String {
    let named: Vec<String> = versions.iter().map(|v| format!("v{v}")).collect();
    named.join(", ")
}

/// Errors a client call returns; none of them changes anything.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("instance {id} is already {status}; terminate or purge it before starting it again")]
    AlreadyActive {
        id: InstanceId,
        status: RuntimeStatus,
    },
    #[error("there is no instance {0}")]
    NotFound(InstanceId),
    #[error("instance {id} is {status}, so it cannot {action}")]
    WrongStatus {
        id: InstanceId,
        status: RuntimeStatus,
        action: &'static str,
    },
    #[error("instance {id} is a sub-orchestration and {parent} was told it failed: rewind {parent} instead")]
    RewindTheParent { id: InstanceId, parent: InstanceId },
    #[error("no orchestration named {0} is registered")]
    UnknownOrchestration(String),
    #[error("timed out after {ms} ms waiting for instance {id}")]
    Timeout { id: InstanceId, ms: u64 },
    #[error("could not encode {what} as JSON: {message}")]
    Encode { what: String, message: String },
    #[error("{what} does not decode: {message}")]
    Decode { what: String, message: String },
    #[error("the command names instance {0}, which it did not read first (add it to the reads)")]
    Unread(InstanceId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Errors of the dispatcher loop. Instances are never left half-written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// [`crate::Runtime::run_until_idle_within`] ran out of ticks.
    #[error(
        "the runtime was still busy after {ticks} ticks (work that is refused or redone forever?)"
    )]
    Busy { ticks: usize },
}

impl From<RuntimeError> for StoreError {
    fn from(e: RuntimeError) -> Self {
        match e {
            RuntimeError::Store(e) => e,
            e @ RuntimeError::Busy { .. } => StoreError::Other(e.to_string()),
        }
    }
}
