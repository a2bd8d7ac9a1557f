//! Mounts the shop.

use leptos::prelude::*;
use shop::Shop;

fn main() {
    leptos::mount::mount_to_body(|| view! { <Shop /> });
}
