//! Helpers for testing components built on these hooks in a browser
//! (wasm-bindgen-test): a container to mount into, the text a test id
//! shows, and waiting — on DOM mutations, never on a fixed sleep — for the
//! page to show something. Behind the `testing` feature.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::context::Durable;

/// A new `<div>` appended to `<body>`.
pub fn fresh_container() -> HtmlElement {
    let container = document()
        .create_element("div")
        .expect("create a <div>")
        .dyn_into::<HtmlElement>()
        .expect("a <div> is an HtmlElement");
    document()
        .body()
        .expect("the page has a <body>")
        .append_child(&container)
        .expect("append to <body>");
    container
}

/// The text of the element with `data-testid="{id}"` under `root`.
pub fn text_of(root: &Element, id: &str) -> Option<String> {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .expect("a valid selector")
        .and_then(|e| e.text_content())
}

fn now_ms() -> f64 {
    window().performance().expect("performance").now()
}

/// Waits until `done()` (described as `what`) holds, checking after every change to the DOM under
/// `root` (and after each browser task, for state outside the DOM); panics
/// after `timeout_ms`. Returns the milliseconds waited.
pub async fn until(what: &str, root: &Element, timeout_ms: f64, done: impl Fn() -> bool) -> f64 {
    let start = now_ms();
    let wake: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let on_change = {
        let wake = wake.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(resolve) = wake.borrow_mut().take() {
                let _ = resolve.call0(&JsValue::NULL);
            }
        })
    };
    let observer =
        web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()).expect("observer");
    let options = web_sys::MutationObserverInit::new();
    options.set_subtree(true);
    options.set_child_list(true);
    options.set_attributes(true);
    options.set_character_data(true);
    observer
        .observe_with_options(root, &options)
        .expect("observe the DOM");
    while !done() {
        if now_ms() - start > timeout_ms {
            observer.disconnect();
            panic!("{what}: not shown within {timeout_ms} ms");
        }
        // The next DOM change, or the next task at the latest.
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            *wake.borrow_mut() = Some(resolve);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    observer.disconnect();
    now_ms() - start
}

/// A database name of its own for one test: `prefix` and the time.
pub fn unique_database(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Date::now())
}

/// Waits until `durable`'s host has started; panics naming why it could
/// not, or after 30 s.
pub async fn until_started(durable: Durable) {
    let root = document().document_element().expect("<html>");
    until("the host started", &root, 30_000.0, || {
        durable.ready.get_untracked() || durable.failure.get_untracked().is_some()
    })
    .await;
    if let Some(f) = durable.failure.get_untracked() {
        panic!("the host did not start: {f}");
    }
}
