//! The runtime in the browser: reload survival on IndexedDB, aborted turns,
//! timers across a closed page, and one executor across two "tabs" (two
//! hosts on one database in one page).

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use durable::testing::patterns::{assert_same_outcome, registry, run_scenario};
use durable::{
    select2, Either, EventKind, InstanceId, OrchestrationContext, Registry, Runtime, RuntimeStatus,
    Store, TaskError,
};
use durable_web::{CommitFault, Host, HostOptions, IdbStore};
use serde_json::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique(test: &str) -> String {
    format!("durable-host-{test}-{}", js_sys::Math::random())
}

async fn sleep_ms(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Reload survival, every game pattern: the runtime is dropped and the
/// database reopened at every turn boundary (with aborted commits mixed in);
/// the outcome equals the uninterrupted run's, app writes happen once.
#[wasm_bindgen_test]
async fn reopening_the_database_at_every_turn_boundary_changes_nothing() {
    for seed in [1u64, 2, 3] {
        let reference = {
            let name = unique("reference");
            let store = IdbStore::open(&name).await.unwrap();
            run_scenario(
                seed,
                false,
                || std::future::ready(store.clone()),
                |_: &IdbStore, _| {},
            )
            .await
        };
        let name = unique("reloaded");
        let current: Rc<RefCell<Option<IdbStore>>> = Rc::default();
        let reloaded = run_scenario(
            seed,
            true,
            || {
                let (name, current) = (name.clone(), current.clone());
                async move {
                    if let Some(old) = current.borrow_mut().take() {
                        old.close();
                    }
                    let s = IdbStore::open(&name).await.unwrap();
                    *current.borrow_mut() = Some(s.clone());
                    s
                }
            },
            |s: &IdbStore, fail| {
                s.inject_fault(if fail {
                    CommitFault::AbortAfterWrites
                } else {
                    CommitFault::None
                })
            },
        )
        .await;
        assert_same_outcome(seed, &reference, &reloaded);
    }
}

/// A turn whose transaction aborts leaves the state of before the turn, its
/// app records' journal included; the turn is redone.
#[wasm_bindgen_test]
async fn an_aborted_turn_is_redone() {
    let store = IdbStore::open(&unique("abort-turn")).await.unwrap();
    let clock = durable::VirtualClock::new(0);
    // One step per tick, so the faults hit every step.
    let options = durable::RuntimeOptions {
        fuse_depth: 0,
        ..Default::default()
    };
    let rt = Runtime::with_options(store.clone(), registry(), Rc::new(clock), options);
    let id = InstanceId::new("chain");
    rt.client().start("Chain", &id, &()).await.unwrap();
    let mut aborted = 0;
    for _ in 0..40 {
        let before = (
            store.history(&id).await.unwrap(),
            store.instance(&id).await.unwrap(),
            store.journal("console", "").await.unwrap(),
        );
        store.inject_fault(CommitFault::AbortAfterWrites);
        if rt.tick().await.is_err() {
            aborted += 1;
            let after = (
                store.history(&id).await.unwrap(),
                store.instance(&id).await.unwrap(),
                store.journal("console", "").await.unwrap(),
            );
            assert_eq!(before, after, "an aborted turn changes nothing");
        }
        store.inject_fault(CommitFault::None);
        rt.tick().await.unwrap();
    }
    assert!(aborted >= 5, "the faults hit real turns ({aborted})");
    let row = store.instance(&id).await.unwrap().unwrap();
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!("chain>0>1>2>3")));
    let lines = store.app_records("console").await.unwrap();
    assert_eq!(lines.len(), 4);
    let journaled: Vec<(String, Option<serde_json::Value>)> = store
        .journal("console", "")
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect();
    let kept: Vec<(String, Option<serde_json::Value>)> =
        lines.into_iter().map(|r| (r.key, Some(r.value))).collect();
    assert_eq!(
        journaled, kept,
        "each committed line journaled once, none aborted"
    );
}

fn nap_registry() -> Registry {
    let mut r = Registry::new();
    r.orchestration("Nap", |ctx: OrchestrationContext, ms: u64| async move {
        let before = ctx.now_ms();
        ctx.sleep(ms).await;
        Ok::<_, TaskError>(json!([before, ctx.now_ms()]))
    });
    r
}

/// Waits, on the host's change feed, until `done` holds or `ms` pass.
async fn until(host: &Host, ms: u32, mut done: impl FnMut() -> bool) -> bool {
    let sub = host.subscribe();
    let deadline = js_sys::Date::now() + f64::from(ms);
    while !done() {
        let left = deadline - js_sys::Date::now();
        if left <= 0.0 {
            return false;
        }
        let _ = select2(sub.next(), sleep_ms(left.min(50.0) as u32)).await;
    }
    true
}

/// A timer that fell due while no page was open fires as soon as one opens,
/// and orchestration time on replay is the recorded time.
#[wasm_bindgen_test]
async fn a_timer_due_while_closed_fires_when_the_page_opens() {
    let name = unique("closed");
    let id = InstanceId::new("nap");
    let first = Host::start(&name, nap_registry(), HostOptions::default())
        .await
        .unwrap();
    first.client().start("Nap", &id, &200u64).await.unwrap();
    assert!(until(&first, 2_000, || first.is_leader()).await);
    let waiting = first.client().wait_for_completion(&id, 50).await;
    assert!(waiting.is_err(), "still asleep");
    first.shutdown();
    first.store().close();
    drop(first);
    sleep_ms(400).await; // the page stays closed past the due time
    let opened_at = js_sys::Date::now() as u64;
    let second = Host::start(&name, nap_registry(), HostOptions::default())
        .await
        .unwrap();
    let row = second
        .client()
        .wait_for_completion(&id, 5_000)
        .await
        .unwrap();
    assert_eq!(row.status, RuntimeStatus::Completed);
    let history = second.client().history(&id).await.unwrap();
    let turn_starts: Vec<u64> = history
        .iter()
        .filter(|e| matches!(e.kind, EventKind::OrchestratorStarted))
        .map(|e| e.timestamp_ms)
        .collect();
    let out = row.output.unwrap();
    assert_eq!(
        out[0],
        json!(turn_starts[0]),
        "now() before the sleep is the first turn's time"
    );
    assert_eq!(
        out[1],
        json!(turn_starts[1]),
        "now() after it is the firing turn's time"
    );
    assert!(
        turn_starts[1] >= opened_at,
        "it fired after the page opened"
    );
    assert!(turn_starts[1] - turn_starts[0] >= 200);
}

fn counter_registry() -> Registry {
    let mut r = Registry::new();
    r.activity("Count", |ctx, n: u32| async move {
        ctx.append("console", &n)?;
        Ok::<_, durable::ActivityError>(n)
    })
    .orchestration("Counter", |ctx: OrchestrationContext, _: ()| async move {
        let mut n = 0;
        loop {
            ctx.call_activity::<_, u32>("Count", &n).await?;
            n += 1;
            match select2(ctx.wait_for_event::<bool>("more"), ctx.sleep(300)).await {
                Either::Left(more) => {
                    if !more? {
                        return Ok::<_, TaskError>(n);
                    }
                }
                Either::Right(()) => {}
            }
        }
    });
    r
}

/// Two tabs on one database: only the lock holder executes; the other's
/// commands are delivered; closing the leader hands over within a second;
/// every scheduled activity ran exactly once.
#[wasm_bindgen_test]
async fn one_executor_across_two_tabs_with_handover() {
    let name = unique("tabs");
    let a = Host::start(&name, counter_registry(), HostOptions::default())
        .await
        .unwrap();
    assert!(
        until(&a, 2_000, || a.is_leader()).await,
        "the first tab leads"
    );
    let b = Host::start(&name, counter_registry(), HostOptions::default())
        .await
        .unwrap();
    assert!(!b.is_leader(), "the second tab only follows");
    let id = InstanceId::new("counter");
    // A command from the follower tab runs on the leader.
    b.client().start("Counter", &id, &()).await.unwrap();
    let seen = console_lines(&b, 2, 5_000).await;
    assert!(seen >= 2, "the leader ran the follower's command ({seen})");
    assert!(!b.is_leader());
    // Close the leader: the follower takes over within a second.
    let closed_at = js_sys::Date::now();
    a.shutdown();
    a.store().close();
    drop(a);
    assert!(
        until(&b, 1_000, || b.is_leader()).await,
        "handover within a second"
    );
    let took = js_sys::Date::now() - closed_at;
    assert!(took <= 1_000.0, "took {took} ms");
    // The timer loop goes on under the new leader; then stop it.
    let before = console_lines(&b, 0, 0).await;
    let after = console_lines(&b, before + 1, 3_000).await;
    assert!(after > before, "the new leader fires the timers");
    b.client().raise_event(&id, "more", &false).await.unwrap();
    let row = b.client().wait_for_completion(&id, 5_000).await.unwrap();
    let scheduled = b
        .client()
        .history(&id)
        .await
        .unwrap()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TaskScheduled { .. }))
        .count();
    let lines: Vec<u64> = b
        .store()
        .app_records("console")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.value.as_u64().unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        scheduled,
        "each scheduled activity ran exactly once"
    );
    let expected: Vec<u64> = (0..lines.len() as u64).collect();
    assert_eq!(lines, expected);
    assert_eq!(row.output, Some(json!(scheduled)));
}

/// Waits, on the host's change feed, until the console has `at_least` lines
/// or `ms` pass; returns the count.
async fn console_lines(host: &Host, at_least: usize, ms: u32) -> usize {
    let sub = host.subscribe();
    let deadline = js_sys::Date::now() + f64::from(ms);
    loop {
        let n = host.store().app_records("console").await.unwrap().len();
        let left = deadline - js_sys::Date::now();
        if n >= at_least || left <= 0.0 {
            return n;
        }
        let _ = select2(sub.next(), sleep_ms(left.min(100.0) as u32)).await;
    }
}

/// What `console.info` was given since [`capture_console`].
fn console_infos() -> Vec<String> {
    let got = js_sys::eval("globalThis.__infos || []").unwrap_or_default();
    js_sys::Array::from(&got)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// From now on, `console.info` lines are also kept for [`console_infos`].
fn capture_console() {
    js_sys::eval(
        "globalThis.__infos = [];
         if (!globalThis.__infoKept) {
             globalThis.__infoKept = console.info;
             console.info = (...a) => { globalThis.__infos.push(a.join(' ')); globalThis.__infoKept(...a); };
         }",
    )
    .expect("wrap console.info");
}

fn logging_registry() -> Registry {
    let mut r = Registry::new();
    r.orchestration(
        "Logs",
        |ctx: OrchestrationContext, word: String| async move {
            ctx.log(format!("said {word}"));
            ctx.sleep(1).await;
            Ok::<_, TaskError>(())
        },
    );
    r
}

/// The replay-safe log reaches the executing tab's console, once per line,
/// naming the instance and the event; a quiet host keeps it out.
#[wasm_bindgen_test]
async fn the_log_reaches_the_console_unless_the_host_is_quiet() {
    for quiet in [false, true] {
        capture_console();
        let name = unique("console");
        let options = HostOptions {
            quiet,
            ..Default::default()
        };
        let host = Host::start(&name, logging_registry(), options)
            .await
            .unwrap();
        let id = InstanceId::new("talker");
        host.client().start("Logs", &id, &"hello").await.unwrap();
        let row = host.client().wait_for_completion(&id, 5_000).await.unwrap();
        assert_eq!(row.log.len(), 1, "the row keeps the line either way");
        let ours: Vec<String> = console_infos()
            .into_iter()
            .filter(|l| l.starts_with("[durable]"))
            .collect();
        if quiet {
            assert!(ours.is_empty(), "a quiet host logged {ours:?}");
        } else {
            assert_eq!(ours, ["[durable] talker · event 2: said hello"]);
        }
        host.shutdown();
    }
}
