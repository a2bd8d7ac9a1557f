//! Which page shows, from the URL's hash: `#/a/{key}` is an adventurer,
//! `#/replay/{key}` its adventure replayed, `#/dashboard?{filters}` the
//! workflow list, `#/dashboard/i/{id}` one
//! instance, anything else the lobby. The hash keeps the page's query (timing
//! overrides) untouched and survives reloads.

use durable_dashboard::{decoded, encoded, Page};
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Lobby,
    Adventurer(String),
    /// An adventurer's game, replayed from its journal.
    Replay(String),
    /// A page of the workflow dashboard (its list, an instance, the
    /// import), as `durable_dashboard` parses it.
    Dashboard(Page),
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        if let Some(page) = Page::from_hash(hash) {
            return Route::Dashboard(page);
        }
        let h = hash.trim_start_matches('#');
        if let Some(key) = h.strip_prefix("/replay/").filter(|k| !k.is_empty()) {
            return Route::Replay(decoded(key));
        }
        match h.strip_prefix("/a/") {
            Some(key) if !key.is_empty() => Route::Adventurer(decoded(key)),
            _ => Route::Lobby,
        }
    }

    /// The dashboard's list of an adventurer's workflows.
    pub fn workflows_of(key: &str) -> Route {
        Route::Dashboard(Page::instances_starting(&format!("{key}:")))
    }

    /// One instance in the dashboard.
    pub fn instance(id: &str) -> Route {
        Route::Dashboard(Page::Instance(id.to_string()))
    }

    pub fn href(&self) -> String {
        match self {
            Route::Lobby => "#/".to_string(),
            Route::Dashboard(page) => page.href(),
            Route::Adventurer(key) => format!("#/a/{}", encoded(key)),
            Route::Replay(key) => format!("#/replay/{}", encoded(key)),
        }
    }
}

fn current() -> Route {
    Route::from_hash(&window().location().hash().unwrap_or_default())
}

/// The current route, following the hash.
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| set_route.set(current()));
    on_cleanup(move || handle.remove());
    route
}

pub fn go(route: &Route) {
    let _ = window().location().set_hash(&route.href());
}
