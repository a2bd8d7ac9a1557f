//! The replay checker: does this code still replay that stored history?
//!
//! A public function, so a test can prove that a code change keeps players'
//! saved games valid. Runs the replay engine only; no store, no clock.

use crate::error::NonDeterminism;
use crate::execution::{Execution, Outcome};
use crate::history::{EventKind, HistoryEvent};
use crate::instance::InstanceId;
use crate::registry::Registry;

/// What a successful replay check found.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReport {
    /// Events in the history replayed.
    pub events: usize,
    /// Actions the code issued, each matched against the history.
    pub actions: usize,
    /// The outcome the code reached (None: still running at history's end).
    pub outcome: Option<Outcome>,
}

/// Replays the history of instance `instance_id` against the orchestrations
/// in `registry` (the id matters: default child ids derive from it).
pub fn check_replay(
    registry: &Registry,
    instance_id: &InstanceId,
    history: &[HistoryEvent],
) -> Result<ReplayReport, NonDeterminism> {
    if !history
        .iter()
        .any(|e| matches!(e.kind, EventKind::ExecutionStarted { .. }))
    {
        return Err(NonDeterminism::NoStart);
    }
    let exec = Execution::replay(registry, instance_id.clone(), 0, history);
    if let Some(nd) = exec.nondeterminism() {
        return Err(nd);
    }
    Ok(ReplayReport {
        events: history.len(),
        actions: exec.actions_issued(),
        outcome: exec.outcome().cloned(),
    })
}
