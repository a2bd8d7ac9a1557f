//! The root of the game's dashboard module (`src/bin/dashboard.rs`): the
//! workflow dashboard (`durable_dashboard`) over the game's registry and
//! database, and the replay of an adventure (`#/replay/{key}`), which this
//! module serves so the game's first load carries none of it.
//!
//! Owns the module's host (a follower of the executing tab, or the executor
//! if none is open) and which of the two the URL shows. Must never hold a
//! rule of the game or of the dashboard.

use durable_dashboard::{on_page_change, provide_dashboard, DashboardPages};
use leptos::prelude::*;

use crate::app::TITLE;
use crate::replay::ReplayPage;
use crate::route::{use_route, Route};
use crate::services::{config_from_url, Services};

/// Provides `services` and, over them, the dashboard's context with the
/// game's registry: what the module's root provides (and the app's
/// dashboard tests).
pub fn provide_game_dashboard(services: Services) {
    provide_context(services);
    provide_dashboard(services.durable(), dungeon::registry(), TITLE);
}

/// The dashboard module's root: its own services on the game's database,
/// the dashboard's pages, or an adventure's replay, following the URL.
#[component]
pub fn DashboardApp() -> impl IntoView {
    let services = Services::new(config_from_url());
    provide_game_dashboard(services);
    services.start();
    // Unmounted when the page leaves the dashboard: its host goes with it.
    on_cleanup(move || services.shut_down());
    let route = use_route();
    let replay = Memo::new(move |_| match route.get() {
        Route::Replay(key) => Some(key),
        _ => None,
    });
    // Into or out of the replay: its title, and the focus on its heading
    // (moves within the dashboard are the dashboard's).
    on_page_change(replay, |replay| {
        replay
            .as_ref()
            .map(|key| format!("Replay of {key} · {TITLE}"))
    });
    view! {
        {move || match replay.get() {
            Some(key) => view! { <ReplayPage key=key /> }.into_any(),
            None => view! { <DashboardPages /> }.into_any(),
        }}
    }
}
