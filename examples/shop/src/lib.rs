//! # Durable Shop — an offline-first app on durable workflows
//!
//! The example app of `durable`, `durable-web`, `durable-leptos` and
//! `durable-dashboard`, and the tutorial their READMEs point to (see this
//! folder's README.md): an order reserves stock, waits for the payment
//! until a deadline, and gives the stock back when none comes, all in the
//! browser, surviving reloads and closed tabs.
//!
//! - [`workflows`]: the order workflow and its activities (no browser);
//! - [`app`]: the Leptos components, which render and send commands
//!   through the hooks of `durable-leptos`.

pub mod app;
pub mod workflows;

pub use app::{DashboardModule, Shop};
