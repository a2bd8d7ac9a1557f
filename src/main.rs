//! Browser entry point: installs the panic hook and mounts [`App`] on `<body>`.

use durable_dungeon::App;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
