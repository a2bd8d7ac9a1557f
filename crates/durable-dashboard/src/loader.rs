//! Where an app's page shows the workflow dashboard: an element into which
//! the app's dashboard module (a second wasm module built beside the app's,
//! named in the page by the build) is loaded on first use and mounted, and
//! unmounted when the page leaves the dashboard. Keeps the dashboard out of
//! the app's first load. Must never reach into the dashboard's state: the
//! two modules share only the database and the page's URL.
//!
//! The module exports `mount_dashboard(element)` and `unmount_dashboard()`
//! (see [`crate::module`]); the page names its script in
//! `<meta name="dashboard-module" content="…">`.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
let loaded = null;
let generation = 0;
export function load_dashboard(element, url) {
    const base = document.baseURI;
    const mine = ++generation;
    return import(new URL(url, base).href).then(async (module) => {
        await module.default({ module_or_path: new URL(url.replace(/\\.js$/, '_bg.wasm'), base).href });
        loaded = module;
        // Not if the page left the dashboard while the module loaded.
        if (mine === generation && element.isConnected) {
            // How often this element was given the dashboard (once, unless
            // the page rebuilt the slot): what tests check.
            element.dataset.mounts = String(Number(element.dataset.mounts || 0) + 1);
            module.mount_dashboard(element);
        }
    });
}
export function unload_dashboard() {
    generation++;
    if (loaded) loaded.unmount_dashboard();
}")]
extern "C" {
    fn load_dashboard(element: &web_sys::HtmlElement, url: &str) -> js_sys::Promise;
    fn unload_dashboard();
}

/// The dashboard module's script, as this build named it (the build writes
/// it into the page: `<meta name="dashboard-module">`); a page built without
/// the hook falls back to the unhashed name.
fn module_url() -> String {
    document()
        .query_selector("meta[name=dashboard-module]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| "dashboard.js".to_string())
}

/// The dashboard's place on the page; it appears once its module loaded.
/// `title` is the app's (the page's title becomes "Workflow dashboard ·
/// {title}").
#[component]
pub fn DashboardSlot(#[prop(into)] title: String) -> impl IntoView {
    let slot = NodeRef::<leptos::html::Div>::new();
    let failure = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        document().set_title(&format!("Workflow dashboard · {title}"));
        if let Some(element) = slot.get() {
            let promise = load_dashboard(&element, &module_url());
            leptos::task::spawn_local(async move {
                if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
                    let why = e.as_string().or_else(|| {
                        js_sys::Reflect::get(&e, &"message".into())
                            .ok()
                            .and_then(|m| m.as_string())
                    });
                    failure.set(Some(why.unwrap_or_else(|| "unknown error".into())));
                }
                loaded.set(true);
                // The page changed: the focus goes to the dashboard's heading.
                crate::focus_first_heading(&element);
            });
        }
    });
    on_cleanup(unload_dashboard);
    view! {
        {move || failure.get().map(|f| view! {
            <p class="error" role="alert" data-testid="dashboard-error">
                "The dashboard could not load: " {f} ". Reload the page to try again."
            </p>
        })}
        {move || (!loaded.get()).then(|| view! { <p class="muted">"Loading the dashboard…"</p> })}
        <div node_ref=slot data-testid="dashboard-slot"></div>
    }
}
