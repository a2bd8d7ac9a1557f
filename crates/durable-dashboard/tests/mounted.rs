//! The dashboard mounted by an app that is not the game, over its own
//! registry and database: it lists the app's instances, offers to start the
//! app's orchestrations, and replays an instance on the app's code.

#![cfg(target_arch = "wasm32")]

use durable::{
    ActivityError, InstanceId, Orchestration, OrchestrationContext, Registry, TaskError,
};
use durable_dashboard::{provide_dashboard, DashboardPages};
use durable_leptos::testing::{fresh_container, text_of, unique_database, until, until_started};
use durable_leptos::Durable;
use durable_web::HostOptions;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const WAIT_MS: f64 = 20_000.0;

const GREET: Orchestration<String, String> = Orchestration::new("Greet");

fn registry() -> Registry {
    let mut r = Registry::new();
    r.orchestration(
        GREET,
        |ctx: OrchestrationContext, name: String| async move {
            ctx.call_activity::<_, String>("Hello", &name).await
        },
    )
    .orchestration("Idle", |_ctx: OrchestrationContext, _: ()| async move {
        Ok::<_, TaskError>(())
    })
    .activity("Hello", |_ctx, name: String| async move {
        Ok::<_, ActivityError>(format!("hello {name}"))
    });
    r
}

fn set_hash(hash: &str) {
    window().location().set_hash(hash).expect("set the hash");
}

#[wasm_bindgen_test]
async fn an_apps_own_registry_and_database_fill_the_dashboard() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let durable = Durable::new();
    let database = unique_database("dashboard-mounted");
    durable.start(&database, registry(), HostOptions::default(), |_| {});
    until_started(durable).await;
    let host = durable.host().expect("started");
    let id = InstanceId::new("greet-1");
    host.client()
        .start(GREET, &id, &"ada".to_string())
        .await
        .unwrap();
    host.client()
        .wait_for_completion(&id, 10_000)
        .await
        .unwrap();

    set_hash("#/dashboard");
    let container = fresh_container();
    let _mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_dashboard(durable, registry(), "Greeter");
        view! { <DashboardPages /> }
    });
    let root: Element = container.unchecked_into();
    until("the app's instance, listed", &root, WAIT_MS, || {
        root.query_selector(
            "[data-testid=\"instance-row\"][data-id=\"greet-1\"][data-status=\"Completed\"]",
        )
        .ok()
        .flatten()
        .is_some()
    })
    .await;
    assert_eq!(document().title(), "Workflow dashboard · Greeter");
    let offered: Vec<String> = {
        let options = root
            .query_selector_all("[data-testid=\"start-name\"] option")
            .unwrap();
        (0..options.length())
            .filter_map(|i| options.item(i)?.text_content())
            .collect()
    };
    assert_eq!(
        offered,
        ["Greet", "Idle"],
        "the app's orchestrations, and only those"
    );

    set_hash("#/dashboard/i/greet-1");
    until("the instance's page", &root, WAIT_MS, || {
        text_of(&root, "instance-status").as_deref() == Some("Completed")
    })
    .await;
    root.query_selector("[data-testid=\"check-replay\"]")
        .unwrap()
        .expect("the replay check")
        .unchecked_into::<HtmlElement>()
        .click();
    until("it replays on the app's code", &root, WAIT_MS, || {
        text_of(&root, "replay-verdict").is_some_and(|v| v.starts_with("Yes: this build replays"))
    })
    .await;
    durable.shut_down();
    set_hash("");
}
