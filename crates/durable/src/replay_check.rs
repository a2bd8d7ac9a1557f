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
    pub events: usize,
    pub actions: usize,
    /// The outcome the code reached (None: still running at history's end).
    pub outcome: Option<Outcome>,
}

/// Replays `history` against the orchestrations in `registry`.
pub fn check_replay(
    registry: &Registry,
    history: &[HistoryEvent],
) -> Result<ReplayReport, NonDeterminism> {
    let id = history
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ExecutionStarted { .. } => Some(InstanceId::new("replay-check")),
            _ => None,
        })
        .ok_or(NonDeterminism::NoStart)?;
    let exec = Execution::replay(registry, id, 0, history);
    if let Some(nd) = exec.nondeterminism() {
        return Err(nd);
    }
    Ok(ReplayReport {
        events: history.len(),
        actions: exec.actions_issued(),
        outcome: exec.outcome().cloned(),
    })
}
