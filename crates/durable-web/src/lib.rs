//! The browser half of the durable runtime: the IndexedDB store and, later,
//! timers, tab leadership and broadcast between tabs.
//!
//! Only this crate knows the IndexedDB schema. It targets `wasm32` in the
//! browser; it also compiles natively so the workspace builds and lints as a
//! whole, but its operations need a browser to run.

mod database;
mod error;

pub use database::{Database, KV_STORE, SCHEMA_VERSION};
pub use error::Error;
