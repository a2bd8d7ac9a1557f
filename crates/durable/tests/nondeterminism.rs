//! Guarantee 1: replaying a history with changed code fails the instance
//! loudly, naming the position, the recorded action and the new one.
//!
//! Each test records a history with the original orchestration, then replays
//! it after a "deploy" of a changed orchestration under the same name.

mod common;

use common::{with_narrate, Harness};
use durable::{
    check_replay, InstanceId, NonDeterminism, OrchestrationContext, Registry, RuntimeStatus,
    TaskError,
};
use serde_json::json;

/// The original:
/// ```text
/// narrate("a"); narrate("b"); sleep(1s); narrate("c")
/// ```
async fn original(ctx: OrchestrationContext, _: ()) -> Result<(), TaskError> {
    ctx.call_activity::<_, String>("Narrate", &"a").await?;
    ctx.call_activity::<_, String>("Narrate", &"b").await?;
    ctx.sleep(1_000).await;
    ctx.call_activity::<_, String>("Narrate", &"c").await?;
    Ok(())
}

/// Runs `original` up to its timer, then swaps in `changed` and lets the
/// timer fire; returns the harness.
fn deploy<F, Fut>(changed: F) -> Harness
where
    F: Fn(OrchestrationContext, ()) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), TaskError>> + 'static,
{
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", original);
    let mut h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.idle();
    assert_eq!(h.status("o"), RuntimeStatus::Running);
    let mut r2 = Registry::new();
    with_narrate(&mut r2).activity("Shout", |_ctx, s: String| async move { Ok::<_, String>(s) });
    r2.orchestration("O", changed);
    h.rt = durable::Runtime::new(h.store.clone(), r2, std::rc::Rc::new(h.clock.clone()));
    h.run_for(2_000);
    h
}

fn failure(h: &Harness) -> String {
    let row = h.row("o");
    assert_eq!(
        row.status,
        RuntimeStatus::Failed,
        "the instance must fail, not hang or go on"
    );
    row.failure.expect("a failure message")
}

/// Changed: the second activity is renamed.
/// ```text
/// narrate("a"); shout("b"); sleep(1s); narrate("c")
/// ```
#[test]
fn renamed_activity_fails_with_position_and_both_actions() {
    let h = deploy(|ctx, _| async move {
        ctx.call_activity::<_, String>("Narrate", &"a").await?;
        ctx.call_activity::<_, String>("Shout", &"b").await?;
        ctx.sleep(1_000).await;
        Ok(())
    });
    assert_eq!(
        failure(&h),
        "NonDeterminism at action 1 (event 6): history recorded `call activity Narrate(\"b\")`, \
         the code now does `call activity Shout(\"b\")`"
    );
    // Nothing of the changed code's new decisions was recorded.
    assert_eq!(h.count("o", "TaskScheduled"), 2);
    assert_eq!(h.console(), ["a", "b"]);
}

/// Changed: the two activities swap places.
/// ```text
/// narrate("b"); narrate("a"); sleep(1s); narrate("c")
/// ```
#[test]
fn reordered_calls_fail() {
    let h = deploy(|ctx, _| async move {
        ctx.call_activity::<_, String>("Narrate", &"b").await?;
        ctx.call_activity::<_, String>("Narrate", &"a").await?;
        ctx.sleep(1_000).await;
        Ok(())
    });
    assert_eq!(
        failure(&h),
        "NonDeterminism at action 0 (event 2): history recorded `call activity Narrate(\"a\")`, \
         the code now does `call activity Narrate(\"b\")`"
    );
}

/// Changed: a call is added before the timer.
/// ```text
/// narrate("a"); narrate("b"); narrate("extra"); sleep(1s); narrate("c")
/// ```
#[test]
fn added_call_fails() {
    let h = deploy(|ctx, _| async move {
        ctx.call_activity::<_, String>("Narrate", &"a").await?;
        ctx.call_activity::<_, String>("Narrate", &"b").await?;
        ctx.call_activity::<_, String>("Narrate", &"extra").await?;
        ctx.sleep(1_000).await;
        Ok(())
    });
    let msg = failure(&h);
    assert!(msg.starts_with("NonDeterminism at action 2"), "{msg}");
    assert!(
        msg.contains("history recorded `create timer firing at"),
        "{msg}"
    );
    assert!(
        msg.contains("the code now does `call activity Narrate(\"extra\")`"),
        "{msg}"
    );
}

/// Changed: the timer is gone.
/// ```text
/// narrate("a"); narrate("b"); narrate("c")
/// ```
#[test]
fn removed_call_fails() {
    let h = deploy(|ctx, _| async move {
        ctx.call_activity::<_, String>("Narrate", &"a").await?;
        ctx.call_activity::<_, String>("Narrate", &"b").await?;
        Ok(())
    });
    let msg = failure(&h);
    assert!(msg.starts_with("NonDeterminism at action 2"), "{msg}");
    assert!(msg.contains("the code no longer does it"), "{msg}");
}

/// Changed: same activity, different input (DTFx would not notice).
#[test]
fn changed_input_fails() {
    let h = deploy(|ctx, _| async move {
        ctx.call_activity::<_, String>("Narrate", &"a").await?;
        ctx.call_activity::<_, String>("Narrate", &"B").await?;
        ctx.sleep(1_000).await;
        Ok(())
    });
    assert!(failure(&h).contains("the code now does `call activity Narrate(\"B\")`"));
}

/// The public replay checker tells a compatible change from a breaking one.
#[test]
fn replay_checker_accepts_the_same_code_and_rejects_a_change() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", original);
    let h = Harness::new(r.clone());
    h.start("O", "o", json!(null));
    h.run_for(5_000);
    assert_eq!(h.status("o"), RuntimeStatus::Completed);
    let history = h.history("o");
    let report = check_replay(&r, &InstanceId::new("o"), &history).expect("same code replays");
    assert_eq!(report.actions, 4);
    let mut changed = Registry::new();
    with_narrate(&mut changed).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Narrate", &"a").await?;
        Ok::<_, TaskError>(())
    });
    let err = check_replay(&changed, &InstanceId::new("o"), &history).unwrap_err();
    assert!(
        matches!(err, NonDeterminism::Missing { position: 1, .. }),
        "{err}"
    );
    let unknown = check_replay(&Registry::new(), &InstanceId::new("o"), &history).unwrap_err();
    assert_eq!(
        unknown,
        NonDeterminism::UnknownOrchestration { name: "O".into() }
    );
}
