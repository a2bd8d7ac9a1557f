//! Which page shows, from the URL's hash: `#/a/{key}` is an adventurer,
//! `#/replay/{key}` its adventure replayed, `#/dashboard?{filters}` the
//! workflow list, `#/dashboard/i/{id}` one
//! instance, anything else the lobby. The hash keeps the page's query (timing
//! overrides) untouched and survives reloads.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Lobby,
    Adventurer(String),
    /// An adventurer's game, replayed from its journal.
    Replay(String),
    /// The workflow dashboard, with its list's filters as a query string
    /// (the dashboard reads them).
    Dashboard(String),
    /// One instance in the dashboard.
    Instance(String),
    /// The dashboard's import of an exported instance.
    Import,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let h = hash.trim_start_matches('#');
        if let Some(id) = h.strip_prefix("/dashboard/i/") {
            return Route::Instance(
                js_sys::decode_uri_component(id)
                    .map(String::from)
                    .unwrap_or_else(|_| id.to_string()),
            );
        }
        if h == "/dashboard/import" {
            return Route::Import;
        }
        if let Some(rest) = h.strip_prefix("/dashboard") {
            let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
            return Route::Dashboard(query.to_string());
        }
        if let Some(key) = h.strip_prefix("/replay/").filter(|k| !k.is_empty()) {
            return Route::Replay(
                js_sys::decode_uri_component(key)
                    .map(String::from)
                    .unwrap_or_else(|_| key.to_string()),
            );
        }
        match h.strip_prefix("/a/") {
            Some(key) if !key.is_empty() => Route::Adventurer(
                js_sys::decode_uri_component(key)
                    .map(String::from)
                    .unwrap_or_else(|_| key.to_string()),
            ),
            _ => Route::Lobby,
        }
    }

    /// The dashboard's list of an adventurer's workflows.
    pub fn workflows_of(key: &str) -> Route {
        Route::Dashboard(format!("prefix={key}:"))
    }

    pub fn href(&self) -> String {
        match self {
            Route::Lobby => "#/".to_string(),
            Route::Dashboard(q) if q.is_empty() => "#/dashboard".to_string(),
            Route::Dashboard(q) => format!("#/dashboard?{q}"),
            Route::Import => "#/dashboard/import".to_string(),
            Route::Instance(id) => format!(
                "#/dashboard/i/{}",
                String::from(js_sys::encode_uri_component(id))
            ),
            Route::Adventurer(key) => {
                format!("#/a/{}", String::from(js_sys::encode_uri_component(key)))
            }
            Route::Replay(key) => {
                format!(
                    "#/replay/{}",
                    String::from(js_sys::encode_uri_component(key))
                )
            }
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
