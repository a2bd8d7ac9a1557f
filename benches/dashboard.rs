//! `make bench`, the dashboard case: with 100 and with 10,000 stored
//! instances, the time for the list's first page to show and for a filter
//! change to show, on a release build in headless Chromium; and, apart, for
//! the total count to show (it comes after the page). Times run from
//! the mount (the runtime already up) or the URL change to the moment the
//! rows are in the DOM; each is the median of several runs.
//!
//! Compiled only with `--cfg durable_bench` (set by `make bench`): it
//! measures, it does not check behaviour (tests/dashboard.rs does).

#![cfg(all(target_arch = "wasm32", durable_bench))]

use durable_dungeon::testing::{
    fill, fresh_container, instance_rows, mount_dashboard, sample_instances, say, services_on,
    set_hash, text_of, until,
};
use durable_web::testing::median;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const RUNS: usize = 7;
const WAIT_MS: f64 = 60_000.0;

fn shows(root: &web_sys::Element, count: usize, status: Option<&str>) -> bool {
    let rows = instance_rows(root);
    rows.len() == count.min(50) && status.is_none_or(|s| rows.iter().all(|(_, st)| st == s))
}

fn counted(root: &web_sys::Element, count: usize) -> bool {
    text_of(root, "instance-count").as_deref() == Some(format!("{count} instances").as_str())
}

/// Median ms to the first page, to its total, and to a status filter's page,
/// for `n` stored instances.
async fn measure(n: usize) -> (f64, f64, f64) {
    let db = format!("bench-dashboard-{n}-{}", js_sys::Math::random());
    fill(&db, sample_instances(n, 1_700_000_000_000)).await;
    let services = services_on(&db).await;
    let (mut first_page, mut total, mut filter) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        set_hash("#/dashboard");
        let container = fresh_container();
        let root: web_sys::Element = container.clone().into();
        let mounted = mount_dashboard(container.clone(), services);
        let page = until("first page", &root, WAIT_MS, || shows(&root, n, None)).await;
        first_page.push(page);
        total.push(page + until("the total", &root, WAIT_MS, || counted(&root, n)).await);
        set_hash("#/dashboard?status=Failed");
        filter.push(
            until("filtered page", &root, WAIT_MS, || {
                shows(&root, n / 4, Some("Failed"))
            })
            .await,
        );
        until("the filtered total", &root, WAIT_MS, || {
            counted(&root, n / 4)
        })
        .await;
        drop(mounted);
        container.remove();
    }
    set_hash("");
    (median(first_page), median(total), median(filter))
}

#[wasm_bindgen_test]
async fn dashboard_list_render_times() {
    // Warm-up: the first database of a fresh browser is slower.
    measure(100).await;
    let (small_page, small_total, small_filter) = measure(100).await;
    let (large_page, large_total, large_filter) = measure(10_000).await;
    say(&format!(
        "BENCH dashboard, first page:    100 instances {small_page:.1} ms, 10,000 instances {large_page:.1} ms (ratio {:.2}; target < 200 ms and <= 2)",
        large_page / small_page
    ));
    say(&format!(
        "BENCH dashboard, filter change: 100 instances {small_filter:.1} ms, 10,000 instances {large_filter:.1} ms (ratio {:.2}; target < 200 ms and <= 2)",
        large_filter / small_filter
    ));
    say(&format!(
        "BENCH dashboard, total shown (after the page): 100 instances {small_total:.1} ms, 10,000 instances {large_total:.1} ms"
    ));
}

/// Steps per second through a history of at least 1,000 events in the
/// instance page's step-through: the scrubber moved to a new event, to that
/// event's state in the DOM; and the ms to build the step-through (one
/// replay of the whole history) when it mounts.
#[wasm_bindgen_test]
async fn stepping_through_a_thousand_event_history() {
    use durable::{Clock, InstanceId, Store};
    use durable_dashboard::StepThrough;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    const STEPS: usize = 300;
    let registry = durable::testing::bench::registry();
    let store = durable::InMemoryStore::new();
    let clock = durable::VirtualClock::new(1_700_000_000_000);
    let rt = durable::Runtime::new(store.clone(), registry.clone(), std::rc::Rc::new(clock));
    let id = InstanceId::new("long");
    rt.client().start("Sequence", &id, &300u32).await.unwrap();
    rt.run_until_idle().await.unwrap();
    let history = store.history(&id).await.unwrap();
    assert!(history.len() >= 1_000, "{} events", history.len());
    let events = history.len();
    let ids: Vec<u64> = history.iter().map(|e| e.event_id).collect();

    let now = || durable_web::BrowserClock.monotonic_ms();
    let container = fresh_container();
    let root: web_sys::Element = container.clone().into();
    let started = now();
    let _mounted = leptos::mount::mount_to(container, move || {
        view! { <StepThrough id=id.clone() history=history.clone() registry=registry.clone() /> }
    });
    let scrubber: web_sys::HtmlInputElement = root
        .query_selector("[data-testid=\"step-scrubber\"]")
        .unwrap()
        .expect("the scrubber")
        .dyn_into()
        .unwrap();
    let built = now() - started;
    let started = now();
    for step in 0..STEPS {
        // Jumps across the whole history, as a dragged thumb does.
        let at = (step * 7_919) % events;
        scrubber.set_value(&at.to_string());
        scrubber
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        let shown = format!("#{} ", ids[at]);
        until("the step", &root, WAIT_MS, || {
            text_of(&root, "step-event").is_some_and(|t| t.starts_with(&shown))
        })
        .await;
    }
    let per_second = STEPS as f64 / ((now() - started) / 1000.0);
    say(&format!(
        "BENCH step-through of a {events}-event history: {per_second:.0} steps/s (target >= 60); built (one replay) in {built:.1} ms"
    ));
}
