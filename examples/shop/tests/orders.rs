//! The shop in a browser, on IndexedDB: orders survive a reload, and a
//! payment deadline that falls while the tab is closed releases the stock
//! when the shop opens again. A reload here is what a real one does to the
//! shop: the page's views go (their host shuts down), and a new page
//! mounts the shop afresh on the same database.

#![cfg(target_arch = "wasm32")]

use durable::{InstanceQuery, InstanceRecord, RuntimeStatus, Store};
use durable_leptos::testing::{fresh_container, text_of, unique_database, until};
use durable_web::IdbStore;
use leptos::prelude::*;
use shop::workflows::STOCK;
use shop::Shop;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const WAIT_MS: f64 = 20_000.0;

/// The shop opened on `database` (a page load); dropping the handle is the
/// page going.
fn open(database: &str, pay_within_ms: u64) -> (impl Drop, Element) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let container = fresh_container();
    let database = database.to_string();
    let mounted = leptos::mount::mount_to(container.clone(), move || {
        view! { <Shop database=database.clone() pay_within_ms=pay_within_ms /> }
    });
    (mounted, container.unchecked_into())
}

/// The one order's row and the lamps on the shelf, as stored.
async fn stored(database: &str) -> (InstanceRecord, u64) {
    let store = IdbStore::open(database).await.expect("open the database");
    let orders = InstanceQuery::default();
    let page = store.query(&orders).await.expect("read the orders");
    let [row] = <[InstanceRecord; 1]>::try_from(page.instances).expect("one order");
    let lamp = store
        .app_record(STOCK, "lamp")
        .await
        .expect("read the stock");
    let units = lamp
        .and_then(|r| r.value.as_u64())
        .expect("lamps on record");
    store.close();
    (row, units)
}

fn click(root: &Element, test_id: &str) {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]"))
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no {test_id} on the page"))
        .unchecked_into::<HtmlElement>()
        .click();
}

fn lamps(root: &Element) -> Option<String> {
    text_of(root, "units-lamp")
}

fn order_state(root: &Element) -> Option<String> {
    text_of(root, "order-state")
}

/// Orders a lamp and waits until it is reserved and waiting for payment.
async fn order_a_lamp(root: &Element) {
    until("the shelves are stocked", root, WAIT_MS, || {
        lamps(root).as_deref() == Some("3")
    })
    .await;
    click(root, "order-lamp");
    until("the order waits for payment", root, WAIT_MS, || {
        order_state(root).as_deref() == Some("awaiting payment")
            && lamps(root).as_deref() == Some("2")
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_order_survives_a_reload_and_ships_when_paid_after_it() {
    let db = unique_database("shop-reload");
    let (page, root) = open(&db, 60_000);
    order_a_lamp(&root).await;
    drop(page);

    let (_page, root) = open(&db, 60_000);
    until(
        "the order, read back after the reload",
        &root,
        WAIT_MS,
        || order_state(&root).as_deref() == Some("awaiting payment"),
    )
    .await;
    assert_eq!(
        lamps(&root).as_deref(),
        Some("2"),
        "still reserved, not stocked again"
    );
    click(&root, "pay");
    until("the order ships", &root, WAIT_MS, || {
        order_state(&root).as_deref() == Some("paid 42.00, shipped")
    })
    .await;
    assert_eq!(lamps(&root).as_deref(), Some("2"));
}

#[wasm_bindgen_test]
async fn a_deadline_passed_while_closed_releases_the_stock_on_the_next_open() {
    let db = unique_database("shop-closed");
    let (page, root) = open(&db, 1_500);
    order_a_lamp(&root).await;
    drop(page);
    // The tab stays closed past the deadline: that is the scenario.
    gloo_timers::future::sleep(std::time::Duration::from_millis(2_000)).await;
    // Nothing ran while it was closed: the order still waits, the lamp is
    // still out (read straight from IndexedDB, with no host).
    let (row, lamps_stored) = stored(&db).await;
    assert_eq!(row.status, RuntimeStatus::Running, "{row:?}");
    assert_eq!(lamps_stored, 2, "released while the tab was closed");

    let (_page, root) = open(&db, 1_500);
    until(
        "the order released at the next open",
        &root,
        WAIT_MS,
        || order_state(&root).as_deref() == Some("not paid in time: released"),
    )
    .await;
    until("the lamp back on the shelf", &root, WAIT_MS, || {
        lamps(&root).as_deref() == Some("3")
    })
    .await;
}
