//! The Durable Dungeon web app: Leptos components that render the game and
//! send the player's commands. The game's rules live in the `dungeon` crate
//! and run on the `durable` runtime; this crate holds none of them.
//!
//! `main.rs` only mounts [`App`]; everything else lives here so tests can
//! mount components on their own.

mod adventure;
mod app;
mod art;
mod behind_the_scenes;
mod command_line;
mod countdown;
mod dashboard_module;
mod dungeon_view;
mod lobby;
mod offline;
mod replay;
mod route;
mod services;
pub mod testing;

pub use adventure::AdventurePage;
pub use app::{App, TAGLINE, TITLE};
pub use countdown::mm_ss;
pub use dashboard_module::DashboardApp;
pub use offline::OfflineIndicator;
pub use replay::ReplayPage;
pub use route::Route;
pub use services::Services;
