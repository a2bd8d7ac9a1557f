//! The workflow dashboard's module: loaded by the game page the first time
//! the dashboard is opened (`crate::dashboard_loader` in the library), it
//! mounts the dashboard into the element the page gives it. It runs its own
//! host on the game's database, as a follower of the tab that executes.

use std::any::Any;
use std::cell::RefCell;

use wasm_bindgen::prelude::*;

thread_local! {
    /// The mounted dashboard; replacing it unmounts the previous one.
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Mounts the dashboard into `element`, unmounting any earlier mount.
#[wasm_bindgen]
pub fn mount_dashboard(element: web_sys::HtmlElement) {
    let handle = leptos::mount::mount_to(element, durable_dungeon::DashboardApp);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// Unmounts the dashboard (the page left it); its host stops.
#[wasm_bindgen]
pub fn unmount_dashboard() {
    MOUNTED.with(|m| m.borrow_mut().take());
}

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
}
