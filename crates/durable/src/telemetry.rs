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
pub(crate) async fn activity<F: Future>(id: &InstanceId, name: &str, run: F) -> F::Output {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument;
        let span = tracing::info_span!("durable.activity", instance = %id, activity = name);
        run.instrument(span).await
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (id, name);
        run.await
    }
}

/// `commit`, in the span of a commit of `instances` rows and `events`
/// history events.
pub(crate) async fn commit<F: Future>(instances: usize, events: usize, commit: F) -> F::Output {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument;
        let span = tracing::info_span!("durable.commit", instances, events);
        commit.instrument(span).await
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (instances, events);
        commit.await
    }
}
