//! # durable — a Durable Task runtime core
//!
//! Orchestrations are plain `async fn`s. The runtime records every decision
//! they make (call an activity, start a timer, wait for an event …) as an
//! append-only event history and rebuilds their state by deterministic
//! replay, so a workflow survives reloads, closed tabs and offline periods.
//! The semantics follow the Durable Task Framework; the event kinds carry its
//! names.
//!
//! This crate knows nothing of the browser: persistence is the [`Store`]
//! trait (an [`InMemoryStore`] here; IndexedDB in `durable-web`), time is the
//! [`Clock`] trait (a [`VirtualClock`] for tests).
//!
//! ## Typed handles
//! Declare each activity, orchestration and external event once as an
//! [`Activity`], [`Orchestration`] or [`ExternalEvent`] constant: its name
//! with the types that cross it. Registering, calling, starting and raising
//! with the handle are then checked at compile time. Plain strings still
//! work everywhere, for dynamic use (the example below uses them).
//!
//! ## Features and testing
//! - `testing` (off by default): test support in `durable::testing` — `block_on`,
//!   `run_virtual` in virtual time, the seeded simulations and the
//!   benchmarks' workloads. Enable it in `[dev-dependencies]`.
//! - `tracing` (off by default): spans for every turn, activity and commit
//!   ([`telemetry`]), for an app that installs a `tracing` subscriber.
//! - [`conformance`] is how a new [`Store`] proves itself: `run_all` runs
//!   every check the in-memory and IndexedDB stores pass.
//!
//! ## Guarantees
//! - Deterministic replay; a divergence fails the instance with a
//!   [`NonDeterminism`] error naming the position, the recorded action and
//!   the new one.
//! - One turn (its events, the work it creates, the instance row) is one
//!   atomic [`CommitBatch`]; activity app-store writes commit with their
//!   completion, guarded by the versions read (exactly once).
//! - Live instances stay cached between turns: a turn costs O(new events).
//! - when_any cancels losing timers (TimerCancelled is recorded); a losing
//!   event wait takes nothing.
//! - Effects outside the store (network, DOM) are at least once.
//!
//! ## Example: a confirmation against a timer, with string names
//!
//! ```
//! use std::rc::Rc;
//! use durable::{select2, Either, InMemoryStore, InstanceId, OrchestrationContext,
//!               Registry, Runtime, RuntimeStatus, TaskError, VirtualClock};
//! use durable::testing::{block_on, run_virtual};
//!
//! async fn user_confirmation(ctx: OrchestrationContext, name: String) -> Result<String, TaskError> {
//!     ctx.call_activity::<_, ()>("Narrate", &format!("{name} now has 2 minutes to confirm they are ready.")).await?;
//!     let outcome = match select2(ctx.wait_for_event::<()>("ApprovalTask"), ctx.sleep(120_000)).await {
//!         Either::Left(_) => format!("{name} has accepted the challenge!"),
//!         Either::Right(()) => format!("{name} failed to confirm in time."),
//!     };
//!     ctx.call_activity::<_, ()>("Narrate", &outcome).await?;
//!     Ok(outcome)
//! }
//!
//! let mut registry = Registry::new();
//! registry
//!     .orchestration("UserConfirmationWorkflow", user_confirmation)
//!     .activity("Narrate", |ctx, line: String| async move {
//!         ctx.append("console", &line)?;
//!         Ok::<_, durable::ActivityError>(())
//!     });
//! let clock = VirtualClock::new(0);
//! let rt = Runtime::new(InMemoryStore::new(), registry, Rc::new(clock.clone()));
//! let client = rt.client();
//! let id = InstanceId::new("confirm:ann");
//! block_on(async {
//!     client.start("UserConfirmationWorkflow", &id, &"Ann").await.unwrap();
//!     rt.run_until_idle().await.unwrap();            // narrates, then waits
//!     client.raise_event(&id, "ApprovalTask", &()).await.unwrap();
//!     run_virtual(&rt, &clock, 200_000).await.unwrap();
//!     let row = client.status(&id).await.unwrap().unwrap();
//!     assert_eq!(row.status, RuntimeStatus::Completed);
//!     assert_eq!(row.output.unwrap(), "Ann has accepted the challenge!");
//!     // The losing timer was cancelled, and that is in the history.
//!     let history = client.history(&id).await.unwrap();
//!     assert!(history.iter().any(|e| e.kind.name() == "TimerCancelled"));
//! });
//! ```

#![deny(missing_docs)]

mod activity;
mod activity_options;
mod cache;
mod changes;
mod client;
mod clock;
mod combinators;
mod commit_plan;
mod context;
mod derive;
mod error;
mod execution;
mod export;
mod footprint;
mod handle;
mod history;
mod in_flight;
mod inspect;
mod instance;
mod listing;
mod local_queue;
mod matching;
mod memory_store;
#[cfg(doctest)]
mod must_use_doctests;
mod recovery;
mod registry;
mod replay_check;
mod retry;
mod running;
mod runtime;
mod store;
mod transitions;
mod unit;
mod work;

pub mod conformance;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use activity::{ActivityContext, ActivityError, AppReader};
pub use activity_options::ActivityOptions;
pub use changes::{Change, ChangeFeed, ChangeSubscription};
pub use client::{Client, Command, StartRequest};
pub use clock::{Clock, Sleep, VirtualClock};
pub use combinators::{join2, select2, when_all, when_any, Either, Select2, WhenAll, WhenAny};
pub use commit_plan::{read_of, CheckRead, CommitPlan, Found};
pub use context::{
    ContinueAsNew, EventFuture, LogLine, OrchestrationContext, TaskFuture, TimerFuture,
};
pub use error::{ClientError, NonDeterminism, RuntimeError, TaskError};
pub use execution::{Execution, Outcome, TurnResult};
pub use export::{export_instance, import_instance, ImportError, InstanceExport, EXPORT_KIND};
pub use handle::{
    Activity, ActivityName, EventName, ExternalEvent, Orchestration, OrchestrationName, StartName,
};
pub use history::{
    decode_event, export_json, EventKind, HistoryDecodeError, HistoryEvent, HISTORY_FORMAT,
};
pub use inspect::{step_through, waiting_on, Awaited, Step, Wait};
pub use instance::{
    InstanceId, InstanceRecord, ParentRef, RuntimeStatus, ROW_LOG_CHARS, ROW_LOG_LINES,
};
pub use listing::{text_order, InstanceList, InstanceSummary, ListOrder, SortColumn};
pub use memory_store::InMemoryStore;
pub use registry::{LocalFuture, Registry, FIRST_VERSION};
pub use replay_check::{check_replay, ReplayReport};
pub use retry::RetryPolicy;
pub use running::{panic_message, running_now, Crash, Running};
pub use runtime::{Runtime, RuntimeOptions, TickReport};
pub use store::{
    app_store_digest, append_key, AppRecord, AppWrite, CommitBatch, Decide, InstancePage,
    InstanceQuery, JournalEntry, Precondition, ReadValues, Reads, Store, StoreError,
};
pub use work::{ActivityTask, Message, WorkId, WorkItem, WorkKind, NEVER_MS};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
