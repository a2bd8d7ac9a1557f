//! The hooks in a browser, on a real host and IndexedDB: each signal
//! follows what it shows, re-reads on nothing else, and a command shows its
//! result.

#![cfg(target_arch = "wasm32")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use durable::{
    Activity, ActivityError, ExternalEvent, InstanceId, InstanceQuery, Orchestration,
    OrchestrationContext, Registry, RuntimeStatus, TaskError,
};
use durable_leptos::testing::{fresh_container, text_of, unique_database, until, until_started};
use durable_leptos::{
    use_command, use_instance, use_query, use_records, CommandError, Durable, Reading,
};
use durable_web::HostOptions;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const ORDER: Orchestration<String, String> = Orchestration::new("Order");
const RESERVE: Activity<String, ()> = Activity::new("Reserve");
const PAID: ExternalEvent<u64> = ExternalEvent::new("Paid");

/// Reserves the item, then waits for its payment.
async fn order(ctx: OrchestrationContext, item: String) -> Result<String, TaskError> {
    ctx.call_activity(RESERVE, &item).await?;
    let cents = ctx.wait_for_event(PAID).await?;
    Ok(format!("{item} paid {cents}"))
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.orchestration(ORDER, order)
        .activity(RESERVE, |ctx, item: String| async move {
            ctx.put("stock", &item, &"reserved")?;
            Ok::<_, ActivityError>(())
        });
    r
}

/// A started handle on a database of the test's own.
async fn started(test: &str) -> Durable {
    // Mounting sets the executor up; this handle starts before a mount.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let durable = Durable::new();
    durable.start(
        &unique_database(&format!("durable-leptos-{test}")),
        registry(),
        HostOptions::default(),
        |_| {},
    );
    until_started(durable).await;
    durable
}

fn root(container: &HtmlElement) -> Element {
    container.clone().unchecked_into()
}

fn status_text(reading: Reading<Option<durable::InstanceRecord>>) -> String {
    match reading {
        Reading::Loading => "loading".into(),
        Reading::Ready(None) => "none".into(),
        Reading::Ready(Some(r)) => match r.output {
            Some(out) => format!("{} {}", r.status.as_str(), out.as_str().unwrap_or("?")),
            None => r.status.as_str().to_string(),
        },
        Reading::Failed(e) => format!("failed: {e}"),
        Reading::HostFailed(why) => format!("no host: {why}"),
    }
}

/// Starts an order of `item` as `id`.
async fn start_order(host: &durable_web::Host, id: &InstanceId, item: &str) {
    let item = item.to_string();
    host.client()
        .start(ORDER, id, &item)
        .await
        .expect("start the order");
}

/// Waits (as `what`) until the element with `test_id` under `root` reads
/// `text`.
async fn until_shows(what: &str, root: &Element, test_id: &str, text: &str) {
    until(what, root, 10_000.0, || {
        text_of(root, test_id).as_deref() == Some(text)
    })
    .await;
}

/// One instance's row, through `durable`, as `status_text` says it (test
/// id "order").
fn mount_row(durable: Durable, id: impl Into<Signal<InstanceId>>) -> (impl Drop, Element) {
    let id = id.into();
    let container = fresh_container();
    let mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_context(durable);
        let row = use_instance(id);
        view! { <p data-testid="order">{move || status_text(row.get())}</p> }
    });
    (mounted, root(&container))
}

#[wasm_bindgen_test]
async fn use_instance_follows_its_instance_and_rereads_on_nothing_else() {
    let durable = started("instance").await;
    let container = fresh_container();
    let renders = Arc::new(AtomicUsize::new(0));
    let counted = renders.clone();
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        provide_context(durable);
        let row = use_instance(InstanceId::new("order-1"));
        let all = use_query(InstanceQuery::default());
        view! {
            <p data-testid="order">{move || {
                counted.fetch_add(1, Ordering::SeqCst);
                status_text(row.get())
            }}</p>
            <p data-testid="completed">{move || all.get().ready().map(|p| {
                p.instances.iter().filter(|r| r.status == RuntimeStatus::Completed).count()
            })}</p>
        }
    });
    let root = root(&container);
    let shown = |id: &str| text_of(&root, id).unwrap_or_default();
    until("no order yet", &root, 10_000.0, || shown("order") == "none").await;

    let host = durable.host().expect("started");
    let id = InstanceId::new("order-1");
    start_order(&host, &id, "lamp").await;
    until("the order waits for payment", &root, 10_000.0, || {
        shown("order") == "Running"
    })
    .await;
    host.client().raise_event(&id, PAID, &4200).await.unwrap();
    until("the order completes", &root, 10_000.0, || {
        shown("order") == "Completed lamp paid 4200"
    })
    .await;

    // Another instance changes: the query shows it, this row is not re-read.
    let before = renders.load(Ordering::SeqCst);
    let other = InstanceId::new("order-2");
    start_order(&host, &other, "desk").await;
    host.client().raise_event(&other, PAID, &1).await.unwrap();
    // The query re-reads on every change; once it shows order-2 completed,
    // order-2's last change has reached the views.
    until(
        "the query shows both orders completed",
        &root,
        10_000.0,
        || shown("completed") == "2",
    )
    .await;
    assert_eq!(
        renders.load(Ordering::SeqCst),
        before,
        "order-1's view re-rendered when only order-2 changed"
    );
    durable.shut_down();
}

#[wasm_bindgen_test]
async fn use_instance_never_shows_the_old_ids_row_for_a_new_id() {
    let durable = started("key").await;
    let host = durable.host().expect("started");
    let first = InstanceId::new("order-1");
    start_order(&host, &first, "lamp").await;
    let id = RwSignal::new(first);
    let (_mount, root) = mount_row(durable, id);
    until("order-1 read", &root, 10_000.0, || {
        text_of(&root, "order").is_some_and(|t| t != "loading")
    })
    .await;
    id.set(InstanceId::new("order-2"));
    leptos::task::tick().await;
    assert_eq!(
        text_of(&root, "order").as_deref(),
        Some("loading"),
        "order-2 must not show order-1's row while it is read"
    );
    until_shows("order-2 read: none", &root, "order", "none").await;
    durable.shut_down();
}

#[wasm_bindgen_test]
async fn a_host_failure_set_on_the_handle_reaches_a_hook_as_why_nothing_can_be_read() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let durable = Durable::new();
    let (_mount, root) = mount_row(durable, InstanceId::new("order-1"));
    durable
        .failure
        .set(Some("the database would not open".into()));
    until_shows(
        "the failure shown",
        &root,
        "order",
        "no host: the database would not open",
    )
    .await;
}

#[wasm_bindgen_test]
async fn use_records_shows_what_an_activity_wrote() {
    let durable = started("records").await;
    let container = fresh_container();
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        provide_context(durable);
        let stock = use_records("stock".to_string());
        view! {
            <p data-testid="stock">{move || stock.get().ready().map(|records| {
                records.iter().map(|r| format!("{}={}", r.key, r.value)).collect::<Vec<_>>().join(",")
            })}</p>
        }
    });
    let root = root(&container);
    until_shows("the store is read, empty", &root, "stock", "").await;
    let host = durable.host().expect("started");
    let id = InstanceId::new("order-1");
    start_order(&host, &id, "lamp").await;
    until_shows("the reservation shows", &root, "stock", "lamp=\"reserved\"").await;
    durable.shut_down();
}

#[wasm_bindgen_test]
async fn use_command_shows_each_result_and_refuses_before_the_host_starts() {
    let durable = started("command").await;
    let container = fresh_container();
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        provide_context(durable);
        let place = use_command(move |host, item: String| async move {
            // A command that takes a while (a slow disk): pending meanwhile.
            gloo_timers::future::sleep(std::time::Duration::from_millis(200)).await;
            let id = InstanceId::new("order-1");
            host.client().start(ORDER, &id, &item).await
        });
        view! {
            <button data-testid="place" on:click=move |_| { place.dispatch("lamp".to_string()); }>"Order"</button>
            <p data-testid="pending">{move || place.pending().get().to_string()}</p>
            <p data-testid="result">{move || match place.value().get() {
                None => "nothing yet".to_string(),
                Some(Ok(id)) => format!("started {id}"),
                Some(Err(e)) => e.to_string(),
            }}</p>
            <p data-testid="sent">{move || place.version().get()}</p>
        }
    });
    let root = root(&container);
    let click = || {
        root.query_selector("[data-testid=place]")
            .unwrap()
            .unwrap()
            .unchecked_into::<HtmlElement>()
            .click()
    };
    until_shows("nothing on its way", &root, "pending", "false").await;
    click();
    until_shows("the order on its way", &root, "pending", "true").await;
    until_shows(
        "the first order started",
        &root,
        "result",
        "started order-1",
    )
    .await;
    assert_eq!(
        text_of(&root, "pending").as_deref(),
        Some("false"),
        "done, not pending"
    );
    click();
    until("the second is refused, saying why", &root, 10_000.0, || {
        text_of(&root, "result").is_some_and(|t| t.contains("order-1 is already"))
    })
    .await;
    durable.shut_down();

    // A handle whose host never started sends nothing.
    let idle = Durable::new();
    let container = fresh_container();
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        provide_context(idle);
        let place = use_command(move |host, item: String| async move {
            host.client()
                .start(ORDER, &InstanceId::new("x"), &item)
                .await
        });
        place.dispatch("lamp".to_string());
        view! { <p data-testid="result">{move || place.value().get().map(|r| match r {
            Err(CommandError::NotStarted) => "not started".to_string(),
            other => format!("{other:?}"),
        })}</p> }
    });
    let root = self::root(&container);
    until_shows("the command is refused", &root, "result", "not started").await;
}
