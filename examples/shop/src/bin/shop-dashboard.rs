//! The shop's dashboard module: loaded by the shop's page the first time
//! the dashboard opens (`durable_dashboard::DashboardSlot`), it mounts the
//! workflow dashboard over the shop's registry and database.

use wasm_bindgen::prelude::*;

/// Mounts the dashboard into `element`.
#[wasm_bindgen]
pub fn mount_dashboard(element: web_sys::HtmlElement) {
    durable_dashboard::module::mount(element, shop::DashboardModule);
}

/// Unmounts the dashboard (the page left it); its host stops.
#[wasm_bindgen]
pub fn unmount_dashboard() {
    durable_dashboard::module::unmount();
}

fn main() {}
