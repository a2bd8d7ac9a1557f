//! Optional `tracing` spans (the `tracing` feature): one per turn, per
//! activity and per commit, so an app that installs a subscriber sees where
//! the runtime spends its time. Without the feature every function here is
//! a no-op the compiler removes.
//!
//! Owns the span names and fields; must never change what it measures.

use std::future::Future;

use crate::instance::InstanceId;
use crate::store::CommitBatch;

/// The span names, as a subscriber sees them.
pub const TURN: &str = "durable.turn";
/// An activity's span name.
pub const ACTIVITY: &str = "durable.activity";
/// A commit's span name.
pub const COMMIT: &str = "durable.commit";

/// Entered for the synchronous run of one turn of `id`.
#[cfg(feature = "tracing")]
pub(crate) fn turn(id: &InstanceId, orchestration: &str) -> tracing::span::EnteredSpan {
    tracing::info_span!(TURN, instance = %id, orchestration).entered()
}

/// What [`turn`] and [`commit_span`] return without the feature: no span.
#[cfg(not(feature = "tracing"))]
pub(crate) struct NoSpan;

/// Entered for the synchronous run of one turn of `id`.
#[cfg(not(feature = "tracing"))]
pub(crate) fn turn(_: &InstanceId, _: &str) -> NoSpan {
    NoSpan
}

/// `run`, in the span of the activity `name` of `id`.
#[cfg(feature = "tracing")]
pub(crate) fn activity<F: Future>(
    id: &InstanceId,
    name: &str,
    run: F,
) -> impl Future<Output = F::Output> {
    use tracing::Instrument;
    run.instrument(tracing::info_span!(ACTIVITY, instance = %id, activity = name))
}

/// `run` itself: no span without the feature (and no wrapper, so the
/// compiled code is what it was without telemetry).
#[cfg(not(feature = "tracing"))]
pub(crate) fn activity<F: Future>(_: &InstanceId, _: &str, run: F) -> F {
    run
}

/// The span of a commit of `batch`: its rows and history events.
#[cfg(feature = "tracing")]
pub(crate) fn commit_span(batch: &CommitBatch) -> tracing::Span {
    let events: usize = batch.append_history.iter().map(|(_, e)| e.len()).sum();
    tracing::info_span!(COMMIT, instances = batch.instances.len(), events)
}

/// No span, and nothing counted, without the feature.
#[cfg(not(feature = "tracing"))]
pub(crate) fn commit_span(_: &CommitBatch) -> NoSpan {
    NoSpan
}

/// `commit`, in `span`.
#[cfg(feature = "tracing")]
pub(crate) fn commit<F: Future>(span: tracing::Span, commit: F) -> impl Future<Output = F::Output> {
    use tracing::Instrument;
    commit.instrument(span)
}

/// `commit` itself: no span without the feature.
#[cfg(not(feature = "tracing"))]
pub(crate) fn commit<F: Future>(_: NoSpan, commit: F) -> F {
    commit
}
