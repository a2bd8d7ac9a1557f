//! Which page shows, from the URL's hash: `#/a/{key}` is an adventurer,
//! anything else the lobby. The hash keeps the page's query (timing
//! overrides) untouched and survives reloads.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Lobby,
    Adventurer(String),
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let h = hash.trim_start_matches('#');
        match h.strip_prefix("/a/") {
            Some(key) if !key.is_empty() => Route::Adventurer(
                js_sys::decode_uri_component(key)
                    .map(String::from)
                    .unwrap_or_else(|_| key.to_string()),
            ),
            _ => Route::Lobby,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Lobby => "#/".to_string(),
            Route::Adventurer(key) => {
                format!("#/a/{}", String::from(js_sys::encode_uri_component(key)))
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
