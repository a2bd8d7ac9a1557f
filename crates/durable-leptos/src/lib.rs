//! # durable-leptos — Leptos hooks over durable workflows in the browser
//!
//! A component reads workflow state as signals and sends commands, with no
//! polling and no hand-kept counters: [`provide_durable`] starts a
//! `durable_web::Host` and follows its change feed (this tab's and other
//! tabs'); each hook re-reads only when what it shows changed.
//!
//! - [`use_instance`]: an instance's row;
//! - [`use_query`]: a page of instances matching a filter;
//! - [`use_records`]: an app store's records;
//! - [`use_command`]: a command, with its pending state and its result.
//!
//! The README's quick start shows a component using them.
#![deny(missing_docs)]

mod context;
mod hooks;
mod topics;

#[cfg(feature = "testing")]
pub mod testing;

pub use context::{provide_durable, use_durable, Durable};
pub use hooks::{use_command, use_instance, use_query, use_records, CommandError, Reading};
pub use topics::Topic;

/// The README's quick start, compiled as a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
