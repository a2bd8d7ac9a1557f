//! The workflow dashboard's module: loaded by the game page the first time
//! the dashboard is opened (`durable_dashboard::DashboardSlot` in the
//! game's page), it mounts the dashboard into the element the page gives
//! it. It runs its own host on the game's database, as a follower of the
//! tab that executes.

use wasm_bindgen::prelude::*;

/// Mounts the dashboard into `element`, unmounting any earlier mount.
#[wasm_bindgen]
pub fn mount_dashboard(element: web_sys::HtmlElement) {
    durable_dashboard::module::mount(element, durable_dungeon::DashboardApp);
}

/// Unmounts the dashboard (the page left it); its host stops.
#[wasm_bindgen]
pub fn unmount_dashboard() {
    durable_dashboard::module::unmount();
}

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
}
