//! The dashboard's own wasm module, as an app builds it: a binary whose
//! `#[wasm_bindgen]` exports `mount_dashboard(element)` and
//! `unmount_dashboard()` call [`mount`] and [`unmount`] here. The exports
//! live in the app's binary, not in this library, so an app's main module
//! (which links this crate for [`crate::DashboardSlot`]) exports nothing of
//! the dashboard and carries none of it.
//!
//! ```no_run
//! use leptos::prelude::*;
//! use wasm_bindgen::prelude::*;
//!
//! /// The app's dashboard: `provide_dashboard`, then `DashboardPages`.
//! #[component]
//! fn MyAppsDashboard() -> impl IntoView {
//!     view! { <durable_dashboard::DashboardPages/> }
//! }
//!
//! #[wasm_bindgen]
//! pub fn mount_dashboard(element: web_sys::HtmlElement) {
//!     durable_dashboard::module::mount(element, MyAppsDashboard);
//! }
//! #[wasm_bindgen]
//! pub fn unmount_dashboard() {
//!     durable_dashboard::module::unmount();
//! }
//! ```
//!
//! Owns the one mounted view; must never start a host by itself.

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;

thread_local! {
    /// The mounted dashboard; replacing it unmounts the previous one.
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Mounts `root` into `element`, unmounting any earlier mount.
pub fn mount<F, N>(element: web_sys::HtmlElement, root: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
    N::State: 'static,
{
    let handle = leptos::mount::mount_to(element, root);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// Unmounts the dashboard (the page left it); its views' cleanups run, so
/// a host the root started stops.
pub fn unmount() {
    MOUNTED.with(|m| m.borrow_mut().take());
}
