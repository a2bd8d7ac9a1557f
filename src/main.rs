//! Browser entry point: installs the panic hook and mounts [`App`] on `<body>`.

use durable_dungeon::App;

fn main() {
    // Panic messages in the browser console, in development builds.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
