//! The dashboard's URLs, in the page's hash: `#/dashboard?{filters}` the
//! list, `#/dashboard/i/{id}` one instance, `#/dashboard/import` the
//! import. Anything else is not the dashboard's (the app routes it).
//!
//! Owns the parsing and printing of those URLs; must never read storage.

use leptos::prelude::*;

/// A page of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    /// The instance list, with its filters as a query string.
    List(String),
    /// One instance, by id.
    Instance(String),
    /// The import of an exported instance.
    Import,
}

/// A segment of a hash URL as written (`%`-escaped), read back; one that
/// does not decode is taken as it stands. For an app's own routes beside
/// the dashboard's.
pub fn decoded(s: &str) -> String {
    js_sys::decode_uri_component(s)
        .map(String::from)
        .unwrap_or_else(|_| s.to_string())
}

/// `s` escaped to stand as one segment of a hash URL.
pub fn encoded(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl Page {
    /// The dashboard's page a hash shows (`#/dashboard…`), if any.
    pub fn from_hash(hash: &str) -> Option<Page> {
        let h = hash.trim_start_matches('#');
        if let Some(id) = h.strip_prefix("/dashboard/i/") {
            return Some(Page::Instance(decoded(id)));
        }
        if h == "/dashboard/import" {
            return Some(Page::Import);
        }
        let rest = h.strip_prefix("/dashboard")?;
        if !(rest.is_empty() || rest.starts_with('?') || rest.starts_with('/')) {
            return None;
        }
        let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
        Some(Page::List(query.to_string()))
    }

    /// The list of instances whose id starts with `prefix`.
    pub fn instances_starting(prefix: &str) -> Page {
        let view = crate::filter::ListView {
            prefix: prefix.to_string(),
            ..Default::default()
        };
        Page::List(view.to_query())
    }

    /// The page's URL (a hash).
    pub fn href(&self) -> String {
        match self {
            Page::List(q) if q.is_empty() => "#/dashboard".to_string(),
            Page::List(q) => format!("#/dashboard?{q}"),
            Page::Import => "#/dashboard/import".to_string(),
            Page::Instance(id) => format!("#/dashboard/i/{}", encoded(id)),
        }
    }
}

fn current() -> Option<Page> {
    Page::from_hash(&window().location().hash().unwrap_or_default())
}

/// The dashboard's page the URL shows (none: another of the app's pages),
/// following the hash.
pub fn use_page() -> ReadSignal<Option<Page>> {
    let (page, set_page) = signal(current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| set_page.set(current()));
    on_cleanup(move || handle.remove());
    page
}

/// Shows `page`.
pub fn go(page: &Page) {
    let _ = window().location().set_hash(&page.href());
}
