//! Browser tests of the root component: mount [`App`] into a fresh element and
//! read what it rendered from the DOM.

#![cfg(target_arch = "wasm32")]

use durable_dungeon::{App, OfflineIndicator, TAGLINE, TITLE};
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

#[wasm_bindgen_test]
async fn the_offline_mark_follows_the_browsers_network_events() {
    let container = fresh_container();
    let _mounted = leptos::mount::mount_to(container.clone(), OfflineIndicator);
    leptos::task::tick().await;
    let mark = || {
        container
            .query_selector("[data-testid=\"offline\"]")
            .unwrap()
    };
    // Headless Chromium starts online.
    assert!(mark().is_none());
    let send = |name: &str| {
        window()
            .dispatch_event(&web_sys::Event::new(name).unwrap())
            .unwrap();
    };
    send("offline");
    leptos::task::tick().await;
    assert_eq!(
        mark().and_then(|m| m.text_content()).as_deref(),
        Some("Offline")
    );
    send("online");
    leptos::task::tick().await;
    assert!(mark().is_none());
}
