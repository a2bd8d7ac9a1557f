//! # durable-web — the browser half of the durable runtime
//!
//! The IndexedDB implementation of `durable`'s `Store` ([`IdbStore`]) and,
//! beside it, the browser host: timers, tab leadership and broadcast between
//! tabs. Only this crate knows the IndexedDB schema (`schema.rs`).
//!
//! It targets `wasm32` in the browser; it also compiles natively so the
//! workspace builds and lints as a whole, but its operations need a browser.

#![deny(missing_docs)]

mod broadcast;
mod clock;
mod crash_note;
mod database;
mod error;
mod flag;
mod host;
mod idb_store;
mod leadership;
#[cfg(feature = "testing")]
mod raw_limits;
mod schema;
mod summaries;

pub use broadcast::Broadcast;
pub use clock::BrowserClock;
pub use crash_note::crash_note_key;
pub use database::open_database;
pub use error::Error;
pub use host::{console_line, Host, HostError, HostOptions};
pub use idb_store::{CommitFault, IdbStore};
pub use leadership::{Leadership, NoWebLocks};
pub use schema::SCHEMA_VERSION;

/// Test support (the `testing` feature, off in an app's build): the raw
/// IndexedDB limits `make bench` divides by, and the schema upgrade, so
/// tests can build databases of older versions.
#[cfg(feature = "testing")]
pub mod testing {
    pub use crate::raw_limits::{median, raw_puts, raw_read_all, raw_read_then_write, RawKv};
    pub use crate::schema::HISTORY;
    pub use crate::schema::{upgrade, INSTANCES, META, META_SUMMARIES_BUILT, SUMMARIES};
}

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
