//! Browser tests of the root component: mount [`App`] into a fresh element and
//! read what it rendered from the DOM.

#![cfg(target_arch = "wasm32")]

use durable_dungeon::{App, TAGLINE, TITLE};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A new `<div>` appended to `<body>`, so each test mounts into its own element.
fn fresh_container() -> HtmlElement {
    let document = document();
    let container = document
        .create_element("div")
        .expect("create a <div>")
        .dyn_into::<HtmlElement>()
        .expect("a <div> is an HtmlElement");
    document
        .body()
        .expect("the test page has a <body>")
        .append_child(&container)
        .expect("append the container to <body>");
    container
}

/// The text of the element with `data-testid="{id}"` inside `root`.
fn text_of(root: &HtmlElement, id: &str) -> Option<String> {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .expect("a valid selector")
        .and_then(|element| element.text_content())
}

#[wasm_bindgen_test]
async fn title_screen_shows_the_game_title() {
    let container = fresh_container();
    // Keep the handle: dropping it unmounts the view.
    let _mounted = leptos::mount::mount_to(container.clone(), App);
    leptos::task::tick().await;

    assert_eq!(text_of(&container, "title").as_deref(), Some(TITLE));
    assert_eq!(text_of(&container, "tagline").as_deref(), Some(TAGLINE));
}
