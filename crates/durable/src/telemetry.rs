//! Optional `tracing` spans (the `tracing` feature): one per turn, per
//! activity and per commit, so an app that installs a subscriber sees where
//! the runtime spends its time. Without the feature every function here is
//! a no-op the compiler removes.
//!
//! Owns the span names and fields; must never change what it measures.

use std::future::Future;

use crate::instance::InstanceId;

/// The span names, as a subscriber sees them.
pub const TURN: &str = "durable.turn";
/// An activity's span name.
pub const ACTIVITY: &str = "durable.activity";
/// A commit's span name.
pub const COMMIT: &str = "durable.commit";

/// Entered for the synchronous run of one turn of `id`.
#[cfg(feature = "tracing")]
pub(crate) fn turn(id: &InstanceId, orchestration: &str) -> tracing::span::EnteredSpan {
    tracing::info_span!("durable.turn", instance = %id, orchestration).entered()
}

/// What [`turn`] returns without the feature: nothing to enter.
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
    run.instrument(tracing::info_span!("durable.activity", instance = %id, activity = name))
}

/// `run` itself: no span without the feature (and no wrapper, so the
/// compiled code is what it was without telemetry).
#[cfg(not(feature = "tracing"))]
pub(crate) fn activity<F: Future>(_: &InstanceId, _: &str, run: F) -> F {
    run
}

/// `commit`, in the span of a commit of `instances` rows and `events`
/// history events.
#[cfg(feature = "tracing")]
pub(crate) fn commit<F: Future>(
    instances: usize,
    events: usize,
    commit: F,
) -> impl Future<Output = F::Output> {
    use tracing::Instrument;
    commit.instrument(tracing::info_span!("durable.commit", instances, events))
}

/// `commit` itself: no span without the feature.
#[cfg(not(feature = "tracing"))]
pub(crate) fn commit<F: Future>(_: usize, _: usize, commit: F) -> F {
    commit
}
