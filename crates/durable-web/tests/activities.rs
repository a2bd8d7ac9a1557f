//! Activities beside the workflows, in the browser: a fetch that never
//! answers stalls no other workflow, a timer raced against a slow fetch
//! wins, and a panic noted by the last run of the page (where a panic
//! aborts the module) fails what it interrupted instead of running it
//! again.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use durable::testing::beside;
use durable::{
    ActivityError, Crash, InstanceId, OrchestrationContext, Registry, Running, Runtime,
    RuntimeStatus, Store, TaskError, WorkKind,
};
use durable_web::{crash_note_key, BrowserClock, Host, HostOptions, IdbStore};
use serde_json::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique(test: &str) -> String {
    format!("durable-activities-{test}-{}", js_sys::Math::random())
}

fn registry() -> Registry {
    beside::registry(Rc::new(BrowserClock))
}

/// An activity awaiting a fetch that never answers (a future never woken)
/// keeps only its own instance waiting: one started after it completes,
/// timer included.
#[wasm_bindgen_test]
async fn a_fetch_that_never_answers_stalls_no_other_workflow() {
    let host = Host::start(&unique("hang"), registry(), HostOptions::default())
        .await
        .unwrap();
    let client = host.client();
    client
        .start("Stuck", &InstanceId::new("stuck"), &())
        .await
        .unwrap();
    client
        .start("Fine", &InstanceId::new("fine"), &())
        .await
        .unwrap();
    let row = client
        .wait_for_completion(&InstanceId::new("fine"), 5_000)
        .await
        .unwrap_or_else(|e| panic!("{e} (last error: {:?})", host.last_error()));
    assert_eq!(row.status, RuntimeStatus::Completed);
    let stuck = client
        .status(&InstanceId::new("stuck"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stuck.status, RuntimeStatus::Running);
    host.shutdown();
}

/// A 100 ms timer raced against a fetch of 500 ms wins.
#[wasm_bindgen_test]
async fn a_timer_times_out_a_slow_fetch() {
    let host = Host::start(&unique("race"), registry(), HostOptions::default())
        .await
        .unwrap();
    let id = InstanceId::new("race");
    host.client().start("Race", &id, &()).await.unwrap();
    let row = host.client().wait_for_completion(&id, 5_000).await.unwrap();
    assert_eq!(row.output, Some(json!("timer")));
    host.shutdown();
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Writes the note a panic hook leaves.
fn leave_note(db: &str, crash: &Crash) {
    let note = serde_json::to_string(crash).unwrap();
    local_storage()
        .set_item(&crash_note_key(db), &note)
        .unwrap();
}

fn note_left(db: &str) -> Option<String> {
    local_storage().get_item(&crash_note_key(db)).unwrap()
}

/// The registry of the crashing build: running `Boom` or `Explode` would
/// abort the page again.
fn crashing_registry() -> Registry {
    let mut r = registry();
    r.orchestration("Boom", |_ctx: OrchestrationContext, _: ()| async move {
        if true {
            panic!("the code ran again");
        }
        Ok::<_, TaskError>(())
    })
    .activity("Explode", |_ctx, _: ()| async move {
        if true {
            panic!("the activity ran again");
        }
        Ok::<_, ActivityError>(())
    })
    .orchestration(
        "UsesExplode",
        |ctx: OrchestrationContext, _: ()| async move {
            match ctx.call_activity::<_, ()>("Explode", &()).await {
                Ok(()) => Ok("ran".to_string()),
                Err(e) => Ok::<_, TaskError>(e.to_string()),
            }
        },
    );
    r
}

/// The instance a panic in orchestration code interrupted fails with the
/// panic's message when the page opens again; its code does not run again,
/// and the page's other workflows run.
#[wasm_bindgen_test]
async fn a_noted_panic_in_orchestration_code_fails_its_instance_once() {
    let db = unique("boom");
    let store = IdbStore::open(&db).await.unwrap();
    let boom = InstanceId::new("boom");
    // Started by the last run, whose first turn panicked: nothing committed.
    let last_run = Runtime::new(store.clone(), crashing_registry(), Rc::new(BrowserClock));
    last_run.client().start("Boom", &boom, &()).await.unwrap();
    leave_note(
        &db,
        &Crash {
            running: Running::Orchestration {
                instance: boom.clone(),
            },
            message: "kaboom".into(),
        },
    );
    let host = Host::start(&db, crashing_registry(), HostOptions::default())
        .await
        .unwrap();
    assert_eq!(note_left(&db), None, "the note is taken");
    let row = host
        .client()
        .wait_for_completion(&boom, 5_000)
        .await
        .unwrap();
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert_eq!(
        row.failure.as_deref(),
        Some("orchestration Boom panicked: kaboom")
    );
    let fine = InstanceId::new("fine");
    host.client().start("Fine", &fine, &()).await.unwrap();
    let row = host
        .client()
        .wait_for_completion(&fine, 5_000)
        .await
        .unwrap();
    assert_eq!(row.status, RuntimeStatus::Completed);
    host.shutdown();
}

/// The activity attempt a panic interrupted fails with the panic's message
/// when the page opens again (the orchestration sees the failure), and is
/// not run again.
#[wasm_bindgen_test]
async fn a_noted_panic_in_an_activity_fails_that_attempt_once() {
    let db = unique("explode");
    let store = IdbStore::open(&db).await.unwrap();
    let id = InstanceId::new("uses");
    // The last run queued the task; its attempt panicked.
    let mut queued_only = crashing_registry();
    queued_only.activity("Explode", |_ctx, _: ()| async move {
        std::future::pending::<()>().await;
        Ok::<_, ActivityError>(())
    });
    let last_run = Runtime::new(store.clone(), queued_only, Rc::new(BrowserClock));
    last_run
        .client()
        .start("UsesExplode", &id, &())
        .await
        .unwrap();
    last_run.run_until_idle().await.unwrap();
    let work = store
        .ready_work(u64::MAX - 1, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|w| matches!(&w.kind, WorkKind::Activity(t) if t.name == "Explode"))
        .expect("the task is queued")
        .id;
    drop(last_run);
    leave_note(
        &db,
        &Crash {
            running: Running::Activity {
                instance: id.clone(),
                work,
                name: "Explode".into(),
            },
            message: "kaboom".into(),
        },
    );
    let host = Host::start(&db, crashing_registry(), HostOptions::default())
        .await
        .unwrap();
    let row = host.client().wait_for_completion(&id, 5_000).await.unwrap();
    assert_eq!(row.status, RuntimeStatus::Completed);
    let told = row.output.unwrap();
    assert!(
        told.as_str()
            .unwrap()
            .contains("activity Explode panicked: kaboom"),
        "{told}"
    );
    host.shutdown();
}
