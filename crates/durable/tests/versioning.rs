//! Guarantee 18, versioning, and the recovery of failed instances: old
//! histories keep replaying on new code through `patched` and orchestration
//! versions; a version that is gone fails the instance naming it; a failed
//! instance can be restarted or rewound.
//!
//! Each test runs an instance on one build, then "deploys" another build
//! (a fresh runtime with another registry on the same store).

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{with_narrate, Harness};
use durable::testing::block_on;
use durable::{
    check_replay, ClientError, EventKind, InstanceId, NonDeterminism, OrchestrationContext,
    Registry, RuntimeStatus, TaskError,
};
use serde_json::json;

async fn narrate(ctx: &OrchestrationContext, line: &str) -> Result<(), TaskError> {
    ctx.call_activity::<_, String>("Narrate", &line).await?;
    Ok(())
}

/// The original:
/// ```text
/// narrate("hello"); wait for Go; narrate("bye")
/// ```
async fn greet_old(ctx: OrchestrationContext, _: ()) -> Result<bool, TaskError> {
    narrate(&ctx, "hello").await?;
    ctx.wait_for_event::<()>("Go").await?;
    narrate(&ctx, "bye").await?;
    Ok(false)
}

/// The change, under `patched`: friendlier words, before and after the wait.
async fn greet_patched(ctx: OrchestrationContext, _: ()) -> Result<bool, TaskError> {
    let friendly = ctx.patched("friendly");
    narrate(&ctx, if friendly { "hello, friend" } else { "hello" }).await?;
    ctx.wait_for_event::<()>("Go").await?;
    narrate(&ctx, if friendly { "bye, friend" } else { "bye" }).await?;
    Ok(friendly)
}

/// The change with its guard removed: the new words whatever the history.
async fn greet_unguarded(ctx: OrchestrationContext, _: ()) -> Result<bool, TaskError> {
    narrate(&ctx, "hello, friend").await?;
    ctx.wait_for_event::<()>("Go").await?;
    narrate(&ctx, "bye, friend").await?;
    Ok(true)
}

/// The patch retired: the old branch deleted, the marker still accepted.
async fn greet_deprecated(ctx: OrchestrationContext, _: ()) -> Result<bool, TaskError> {
    ctx.deprecate_patch("friendly");
    narrate(&ctx, "hello, friend").await?;
    ctx.wait_for_event::<()>("Go").await?;
    narrate(&ctx, "bye, friend").await?;
    Ok(true)
}

fn build<F, Fut>(greet: F) -> Registry
where
    F: Fn(OrchestrationContext, ()) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<bool, TaskError>> + 'static,
{
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("Greet", greet);
    r
}

/// Starts `id` on the current build and runs it to its wait for Go.
fn start_waiting(h: &Harness, id: &str) {
    h.start("Greet", id, json!(null));
    h.idle();
    assert_eq!(h.status(id), RuntimeStatus::Running);
}

fn finish(h: &Harness, id: &str) -> serde_json::Value {
    h.raise(id, "Go", json!(null));
    h.idle();
    let row = h.row(id);
    assert_eq!(row.status, RuntimeStatus::Completed, "{:?}", row.failure);
    row.output.expect("an output")
}

fn markers(h: &Harness, id: &str) -> usize {
    h.count(id, "MarkerRecorded")
}

#[test]
fn an_old_history_continues_on_the_old_branch_under_patched() {
    let mut h = Harness::new(build(greet_old));
    start_waiting(&h, "old");
    h.deploy(build(greet_patched));
    assert_eq!(finish(&h, "old"), json!(false));
    assert_eq!(h.console(), ["hello", "bye"]);
    assert_eq!(markers(&h, "old"), 0);
}

#[test]
fn a_new_instance_takes_the_new_branch_and_records_a_marker() {
    let mut h = Harness::new(build(greet_old));
    start_waiting(&h, "old");
    h.deploy(build(greet_patched));
    start_waiting(&h, "new");
    // A reload in the middle: the marker, not the cache, keeps the branch.
    h.reload();
    assert_eq!(finish(&h, "new"), json!(true));
    assert_eq!(finish(&h, "old"), json!(false));
    assert_eq!(
        h.console(),
        ["hello", "hello, friend", "bye, friend", "bye"]
    );
    assert_eq!(markers(&h, "new"), 1);
    let history = h.history("new");
    let marker = history
        .iter()
        .position(|e| matches!(&e.kind, EventKind::MarkerRecorded { change_id } if change_id == "friendly"))
        .expect("the marker");
    let first_task = history
        .iter()
        .position(|e| e.kind.name() == "TaskScheduled")
        .expect("a task");
    assert!(marker < first_task, "the marker is where the code asked");
}

#[test]
fn removing_the_patched_guard_fails_the_old_instance_naming_the_position() {
    let mut h = Harness::new(build(greet_old));
    start_waiting(&h, "old");
    h.deploy(build(greet_unguarded));
    h.raise("old", "Go", json!(null));
    h.idle();
    let row = h.row("old");
    assert_eq!(row.status, RuntimeStatus::Failed);
    let failure = row.failure.expect("a failure");
    assert!(
        failure.contains("NonDeterminism at action 0")
            && failure.contains(r#"Narrate("hello")"#)
            && failure.contains(r#"Narrate("hello, friend")"#),
        "{failure}"
    );
}

#[test]
fn a_marker_where_the_code_asks_for_no_patch_is_nondeterminism() {
    let mut h = Harness::new(build(greet_patched));
    start_waiting(&h, "new");
    let history = h.history("new");
    let err = check_replay(&build(greet_old), &InstanceId::new("new"), &history)
        .expect_err("a marker the code does not expect");
    assert_eq!(
        err,
        NonDeterminism::Mismatch {
            position: 0,
            event_id: 2,
            recorded: r#"take the new branch of patched("friendly")"#.into(),
            new: r#"call activity Narrate("hello")"#.into(),
        }
    );
    h.deploy(build(greet_old));
    h.raise("new", "Go", json!(null));
    h.idle();
    assert_eq!(h.status("new"), RuntimeStatus::Failed);
}

/// The change placed after the last thing the old code did: a finished
/// old history reached that point without a marker, so its replay takes
/// the old branch (and records nothing).
#[test]
fn a_patch_past_the_end_of_a_finished_old_history_takes_the_old_branch() {
    let h = Harness::new(build(greet_old));
    start_waiting(&h, "old");
    assert_eq!(finish(&h, "old"), json!(false));
    let late = |ctx: OrchestrationContext, _: ()| async move {
        narrate(&ctx, "hello").await?;
        ctx.wait_for_event::<()>("Go").await?;
        narrate(&ctx, "bye").await?;
        if ctx.patched("encore") {
            narrate(&ctx, "encore").await?;
        }
        Ok::<_, TaskError>(false)
    };
    let report = check_replay(&build(late), &InstanceId::new("old"), &h.history("old"))
        .expect("the old branch replays");
    assert_eq!(
        report.outcome,
        Some(durable::Outcome::Completed(json!(false)))
    );
}

#[test]
fn a_deprecated_patch_replays_markers_and_records_none() {
    let mut h = Harness::new(build(greet_patched));
    start_waiting(&h, "marked");
    h.deploy(build(greet_deprecated));
    start_waiting(&h, "unmarked");
    assert_eq!(finish(&h, "marked"), json!(true));
    assert_eq!(finish(&h, "unmarked"), json!(true));
    assert_eq!(markers(&h, "marked"), 1);
    assert_eq!(markers(&h, "unmarked"), 0);
    // Once no history has the marker, the call itself can go.
    let history = h.history("unmarked");
    check_replay(
        &build(greet_unguarded),
        &InstanceId::new("unmarked"),
        &history,
    )
    .expect("replays without the deprecate_patch call");
}

/// Version 1 waits for Go; version 2 sleeps first and answers 2. They share
/// nothing but their name.
fn versions(v1: bool, v2: bool) -> Registry {
    let mut r = Registry::new();
    with_narrate(&mut r);
    if v1 {
        r.orchestration_version("O", 1, |ctx: OrchestrationContext, _: ()| async move {
            narrate(&ctx, "v1").await?;
            ctx.wait_for_event::<()>("Go").await?;
            Ok::<_, TaskError>(1)
        });
    }
    if v2 {
        r.orchestration_version("O", 2, |ctx: OrchestrationContext, _: ()| async move {
            ctx.sleep(10).await;
            narrate(&ctx, "v2").await?;
            ctx.wait_for_event::<()>("Go").await?;
            Ok::<_, TaskError>(2)
        });
    }
    r
}

#[test]
fn versions_run_side_by_side_and_an_instance_keeps_its_own() {
    let mut h = Harness::new(versions(true, false));
    h.start("O", "a", json!(null));
    h.idle();
    assert_eq!(h.row("a").orchestration_version, Some(1));
    h.deploy(versions(true, true));
    h.start("O", "b", json!(null));
    h.run_for(100);
    assert_eq!(h.row("b").orchestration_version, Some(2));
    h.reload();
    h.raise("a", "Go", json!(null));
    h.raise("b", "Go", json!(null));
    h.idle();
    assert_eq!(h.row("a").output, Some(json!(1)));
    assert_eq!(h.row("b").output, Some(json!(2)));
    assert_eq!(h.console(), ["v1", "v2"]);
    let started_version = |id: &str| {
        h.history(id).iter().find_map(|e| match e.kind {
            EventKind::ExecutionStarted { version, .. } => version,
            _ => None,
        })
    };
    assert_eq!(started_version("a"), Some(1));
    assert_eq!(started_version("b"), Some(2));
}

#[test]
fn a_version_not_in_the_build_fails_naming_it_and_a_rewind_finishes_it_once_it_is_back() {
    let mut h = Harness::new(versions(true, false));
    h.start("O", "a", json!(null));
    h.idle();
    h.deploy(versions(false, true));
    h.raise("a", "Go", json!(null));
    h.idle();
    let row = h.row("a");
    assert_eq!(row.status, RuntimeStatus::Failed, "never left Running");
    assert_eq!(
        row.failure.as_deref(),
        Some("O v1 is not in this build (it has v2)")
    );
    // The build that has v1 again: the rewind delivers Go again.
    h.deploy(versions(true, true));
    h.rewind("a", "v1 is back");
    h.idle();
    let row = h.row("a");
    assert_eq!(row.status, RuntimeStatus::Completed, "{:?}", row.failure);
    assert_eq!(row.output, Some(json!(1)));
    assert_eq!(h.console(), ["v1"], "the kept history's activity ran once");
}

#[test]
fn an_unknown_orchestration_fails_naming_it() {
    let mut h = Harness::new(versions(true, false));
    h.start("Nobody", "n", json!(null));
    h.idle();
    let row = h.row("n");
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert_eq!(
        row.failure.as_deref(),
        Some("orchestration Nobody is not in this build (no orchestration of that name is registered)")
    );
    // Registered later, it starts from the beginning on a rewind.
    let mut r = versions(true, false);
    r.orchestration("Nobody", |_ctx: OrchestrationContext, _: ()| async move {
        Ok::<_, TaskError>("here")
    });
    h.deploy(r);
    h.rewind("n", "registered");
    h.idle();
    assert_eq!(h.row("n").output, Some(json!("here")));
}

/// `Flaky` fails on its first `failures` calls, then succeeds; the cell
/// counts every call.
fn flaky_build(failures: u32, calls: Rc<Cell<u32>>) -> Registry {
    let mut r = Registry::new();
    with_narrate(&mut r)
        .activity("Flaky", move |_ctx, _: ()| {
            let calls = calls.clone();
            async move {
                calls.set(calls.get() + 1);
                if calls.get() <= failures {
                    Err("the network is down".to_string())
                } else {
                    Ok(())
                }
            }
        })
        .orchestration("Job", |ctx: OrchestrationContext, _: ()| async move {
            narrate(&ctx, "begin").await?;
            ctx.call_activity::<_, ()>("Flaky", &()).await?;
            narrate(&ctx, "end").await?;
            Ok::<_, TaskError>("done")
        })
        .orchestration("Parent", |ctx: OrchestrationContext, _: ()| async move {
            let kid: String = ctx.call_sub_orchestration("Job", &(), Some("kid")).await?;
            narrate(&ctx, "parent done").await?;
            Ok::<_, TaskError>(kid)
        });
    r
}

fn failed_job(id: &str, name: &str) -> (Harness, Rc<Cell<u32>>) {
    let calls = Rc::new(Cell::new(0));
    let h = Harness::new(flaky_build(1, calls.clone()));
    h.start(name, id, json!(null));
    h.idle();
    let row = h.row(id);
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert!(row.failure.unwrap().contains("the network is down"));
    (h, calls)
}

#[test]
fn a_restart_runs_a_failed_instance_again_from_its_input() {
    let (h, calls) = failed_job("job", "Job");
    h.restart("job", "retry by hand");
    h.idle();
    let row = h.row("job");
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.execution, 1);
    assert_eq!(calls.get(), 2);
    assert_eq!(
        h.console(),
        ["begin", "begin", "end"],
        "a restart starts over"
    );
    let restarted = h.history("job").iter().find_map(|e| match &e.kind {
        EventKind::ExecutionStarted { restarted, .. } => restarted.clone(),
        _ => None,
    });
    let restarted = restarted.expect("the restart is in the history");
    assert!(
        restarted.starts_with("retry by hand (execution 0 was Failed: ")
            && restarted.contains("the network is down"),
        "{restarted}"
    );
}

#[test]
fn a_rewind_runs_the_failed_activity_again_and_keeps_the_rest() {
    let (h, calls) = failed_job("job", "Job");
    block_on(
        h.client()
            .rewind(&InstanceId::new("job"), "the network is back"),
    )
    .expect("rewind");
    assert_eq!(h.status("job"), RuntimeStatus::Running);
    h.idle();
    let row = h.row("job");
    assert_eq!(row.status, RuntimeStatus::Completed, "{:?}", row.failure);
    assert_eq!(row.execution, 0, "the same execution goes on");
    assert_eq!(calls.get(), 2);
    assert_eq!(h.console(), ["begin", "end"], "what succeeded ran once");
    let kinds = h.kinds("job");
    assert!(!kinds.contains(&"TaskFailed") && !kinds.contains(&"ExecutionFailed"));
    let rewound = h.history("job").into_iter().find_map(|e| match e.kind {
        EventKind::ExecutionRewound {
            reason, failure, ..
        } => Some((reason, failure)),
        _ => None,
    });
    let (reason, failure) = rewound.expect("the rewind is in the history");
    assert_eq!(reason, "the network is back");
    assert!(failure.contains("the network is down"));
    // The rewound history replays on its own.
    check_replay(h.rt.registry(), &InstanceId::new("job"), &h.history("job")).expect("replays");
}

/// Two activities in flight when the first fails the instance: the second's
/// result, which arrives in the failing turn, is kept, so a rewind delivers
/// it instead of running it again.
#[test]
fn a_result_that_arrives_as_the_instance_fails_is_not_run_again_by_a_rewind() {
    let calls = Rc::new(Cell::new(0));
    let mut r = flaky_build(1, calls.clone());
    r.orchestration("Pair", |ctx: OrchestrationContext, _: ()| async move {
        let flaky = ctx.call_activity::<_, ()>("Flaky", &());
        let line = ctx.call_activity::<_, String>("Narrate", &"in flight");
        flaky.await?;
        line.await?;
        Ok::<_, TaskError>("both")
    });
    let h = Harness::new(r);
    h.start("Pair", "pair", json!(null));
    h.idle();
    assert_eq!(h.status("pair"), RuntimeStatus::Failed);
    assert_eq!(h.console(), ["in flight"]);
    h.rewind("pair", "again");
    h.idle();
    assert_eq!(h.row("pair").output, Some(json!("both")));
    assert_eq!(h.console(), ["in flight"], "the narration ran once");
    assert_eq!(calls.get(), 2);
}

#[test]
fn a_failed_child_is_rewound_through_its_parent() {
    let (h, calls) = failed_job("parent", "Parent");
    assert_eq!(h.status("kid"), RuntimeStatus::Failed);
    let err = block_on(h.client().rewind(&InstanceId::new("kid"), "x")).expect_err("refused");
    assert_eq!(
        err,
        ClientError::RewindTheParent {
            id: InstanceId::new("kid"),
            parent: InstanceId::new("parent"),
        }
    );
    h.rewind("parent", "again");
    h.idle();
    assert_eq!(h.status("kid"), RuntimeStatus::Completed);
    let parent = h.row("parent");
    assert_eq!(
        parent.status,
        RuntimeStatus::Completed,
        "{:?}",
        parent.failure
    );
    assert_eq!(parent.output, Some(json!("done")));
    assert_eq!(calls.get(), 2);
    assert_eq!(h.console(), ["begin", "end", "parent done"]);
}

/// A parent with two children: `slow` waits for an event, `kid` fails and
/// fails the parent while `slow` still runs.
fn parent_of_two(calls: Rc<Cell<u32>>) -> Registry {
    let mut r = flaky_build(1, calls);
    r.orchestration("Slow", |ctx: OrchestrationContext, _: ()| async move {
        let word: String = ctx.wait_for_event("Go").await?;
        Ok::<_, TaskError>(word)
    })
    .orchestration("Two", |ctx: OrchestrationContext, _: ()| async move {
        let slow = ctx.call_sub_orchestration::<_, String>("Slow", &(), Some("slow"));
        let kid = ctx.call_sub_orchestration::<_, String>("Job", &(), Some("kid"));
        let kid = kid.await?;
        let slow = slow.await?;
        Ok::<_, TaskError>(format!("{kid} {slow}"))
    });
    r
}

/// A child still running when its parent failed answers the rewound parent
/// when it finishes.
#[test]
fn a_rewound_parent_hears_from_a_child_that_was_still_running() {
    let calls = Rc::new(Cell::new(0));
    let h = Harness::new(parent_of_two(calls.clone()));
    h.start("Two", "two", json!(null));
    h.idle();
    assert_eq!(h.status("two"), RuntimeStatus::Failed);
    assert_eq!(h.status("slow"), RuntimeStatus::Running);
    h.rewind("two", "again");
    h.idle();
    assert_eq!(
        h.status("kid"),
        RuntimeStatus::Completed,
        "the failed child ran again"
    );
    assert_eq!(h.status("two"), RuntimeStatus::Running, "it waits for slow");
    h.raise("slow", "Go", json!("late"));
    h.idle();
    assert_eq!(h.row("two").output, Some(json!("done late")));
}

/// A child that finished while its parent was failed (its answer had no
/// one to go to) is answered from its row when the parent is rewound.
#[test]
fn a_rewound_parent_gets_the_result_of_a_child_that_finished_meanwhile() {
    let calls = Rc::new(Cell::new(0));
    let h = Harness::new(parent_of_two(calls.clone()));
    h.start("Two", "two", json!(null));
    h.idle();
    h.raise("slow", "Go", json!("meanwhile"));
    h.idle();
    assert_eq!(h.status("slow"), RuntimeStatus::Completed);
    assert_eq!(
        h.status("two"),
        RuntimeStatus::Failed,
        "its answer was dropped"
    );
    h.rewind("two", "again");
    h.idle();
    let row = h.row("two");
    assert_eq!(row.status, RuntimeStatus::Completed, "{:?}", row.failure);
    assert_eq!(row.output, Some(json!("done meanwhile")));
    assert_eq!(calls.get(), 2, "only the failed child's activity ran again");
}

/// A child terminated while its parent was failed answers the rewound
/// parent with its termination, so the parent does not wait forever.
#[test]
fn a_rewound_parent_hears_that_a_child_was_terminated_meanwhile() {
    let calls = Rc::new(Cell::new(0));
    let h = Harness::new(parent_of_two(calls));
    h.start("Two", "two", json!(null));
    h.idle();
    block_on(
        h.client()
            .terminate(&InstanceId::new("slow"), "no longer wanted", false),
    )
    .expect("terminate");
    h.idle();
    h.rewind("two", "again");
    h.idle();
    let row = h.row("two");
    assert_eq!(row.status, RuntimeStatus::Failed, "not left waiting");
    assert_eq!(
        row.failure.as_deref(),
        Some("sub-orchestration Slow failed: terminated: no longer wanted")
    );
    assert_eq!(
        h.status("kid"),
        RuntimeStatus::Completed,
        "the failed child ran again"
    );
}

/// A timer the code dropped as it failed (TimerCancelled after the
/// failure) does not hide the failure from a rewind; the timer is queued
/// again under its own id, so the code's later cancel removes it.
#[test]
fn a_timer_cancelled_as_the_code_failed_neither_blocks_the_rewind_nor_fires_later() {
    let calls = Rc::new(Cell::new(0));
    let mut r = flaky_build(1, calls.clone());
    r.orchestration("Deadline", |ctx: OrchestrationContext, _: ()| async move {
        let _deadline = ctx.sleep(60_000);
        ctx.call_activity::<_, ()>("Flaky", &()).await?;
        Ok::<_, TaskError>("in time")
    });
    let h = Harness::new(r);
    h.start("Deadline", "d", json!(null));
    h.idle();
    assert_eq!(h.status("d"), RuntimeStatus::Failed);
    assert_eq!(
        h.count("d", "TimerCancelled"),
        1,
        "the drop is recorded after the failure"
    );
    h.rewind("d", "again");
    h.idle();
    let row = h.row("d");
    assert_eq!(row.status, RuntimeStatus::Completed, "{:?}", row.failure);
    assert_eq!(row.output, Some(json!("in time")));
    assert_eq!(calls.get(), 2, "the failed activity ran again");
    h.run_for(120_000);
    assert_eq!(
        h.count("d", "TimerFired"),
        0,
        "the cancelled timer never fires"
    );
    assert_eq!(h.store.queued_work(), 0, "nothing is left queued");
}

/// An activity held back a tick (its footprint conflicts with the one that
/// fails) runs after its instance failed: its result is kept in the failed
/// history, so a rewind delivers it instead of running it again.
#[test]
fn an_activity_that_ran_after_its_instance_failed_is_not_run_again_by_a_rewind() {
    let scans = Rc::new(Cell::new(0));
    let mut r = Registry::new();
    with_narrate(&mut r);
    let count = scans.clone();
    r.activity("ScanFail", move |ctx, _: ()| {
        let count = count.clone();
        async move {
            let _lines: Vec<(String, String)> =
                ctx.read_all("console").await.map_err(|e| e.to_string())?;
            count.set(count.get() + 1);
            if count.get() == 1 {
                return Err("the scan broke".to_string());
            }
            Ok(())
        }
    })
    .orchestration(
        "ScanAndNarrate",
        |ctx: OrchestrationContext, _: ()| async move {
            let scan = ctx.call_activity::<_, ()>("ScanFail", &());
            let line = ctx.call_activity::<_, String>("Narrate", &"once");
            scan.await?;
            line.await?;
            Ok::<_, TaskError>("both")
        },
    );
    let h = Harness::new(r);
    h.start("ScanAndNarrate", "s", json!(null));
    h.idle();
    assert_eq!(h.status("s"), RuntimeStatus::Failed);
    assert_eq!(h.console(), ["once"]);
    h.rewind("s", "again");
    h.idle();
    assert_eq!(
        h.row("s").output,
        Some(json!("both")),
        "{:?}",
        h.row("s").failure
    );
    assert_eq!(h.console(), ["once"], "the narration ran once");
    assert_eq!(scans.get(), 2);
}

/// A child that finished after its parent failed, whose answer is still
/// queued when the parent is rewound, answers once.
#[test]
fn a_childs_queued_answer_and_the_rewind_answer_once() {
    let calls = Rc::new(Cell::new(0));
    let mut h = Harness::with_options(parent_of_two(calls), common::stepwise());
    h.start("Two", "two", json!(null));
    h.idle();
    assert_eq!(h.status("two"), RuntimeStatus::Failed);
    h.raise("slow", "Go", json!("queued"));
    // One tick: slow completes and its answer to the parent is queued.
    block_on(h.rt.tick()).expect("tick");
    assert_eq!(h.status("slow"), RuntimeStatus::Completed);
    h.rewind("two", "again");
    h.idle();
    let row = h.row("two");
    assert_eq!(row.output, Some(json!("done queued")), "{:?}", row.failure);
    assert_eq!(
        h.count("two", "SubOrchestrationInstanceCompleted"),
        2,
        "kid and slow, once each"
    );
    h.reload();
    h.idle();
    assert_eq!(h.store.queued_work(), 0);
}

#[test]
fn only_a_failed_instance_rewinds_and_only_a_finished_one_restarts() {
    let calls = Rc::new(Cell::new(0));
    let h = Harness::new(flaky_build(0, calls));
    h.start("Job", "done", json!(null));
    h.idle();
    assert_eq!(h.status("done"), RuntimeStatus::Completed);
    let err = block_on(h.client().rewind(&InstanceId::new("done"), "x")).expect_err("refused");
    assert!(matches!(
        err,
        ClientError::WrongStatus {
            status: RuntimeStatus::Completed,
            ..
        }
    ));
    let err = block_on(h.client().rewind(&InstanceId::new("nobody"), "x")).expect_err("refused");
    assert_eq!(err, ClientError::NotFound(InstanceId::new("nobody")));
    let mut h2 = Harness::new(versions(true, false));
    h2.start("O", "running", json!(null));
    h2.idle();
    let err = block_on(h2.client().restart(&InstanceId::new("running"), "x")).expect_err("refused");
    assert!(matches!(
        err,
        ClientError::WrongStatus {
            status: RuntimeStatus::Running,
            ..
        }
    ));
    h2.reload();
    assert_eq!(
        h2.status("running"),
        RuntimeStatus::Running,
        "a refusal changes nothing"
    );
}

/// The original for the NonDeterminism case: two steps around a wait.
async fn steps(ctx: OrchestrationContext, _: ()) -> Result<String, TaskError> {
    narrate(&ctx, "one").await?;
    let word: String = ctx.wait_for_event("Word").await?;
    narrate(&ctx, &word).await?;
    Ok(word)
}

/// A broken deploy: the first step renamed, without `patched`.
async fn steps_broken(ctx: OrchestrationContext, _: ()) -> Result<String, TaskError> {
    narrate(&ctx, "uno").await?;
    let word: String = ctx.wait_for_event("Word").await?;
    narrate(&ctx, &word).await?;
    Ok(word)
}

fn steps_build(broken: bool) -> Registry {
    let mut r = Registry::new();
    with_narrate(&mut r);
    if broken {
        r.orchestration("Steps", steps_broken);
    } else {
        r.orchestration("Steps", steps);
    }
    r
}

/// Deploys the broken build and raises Word: the instance fails with
/// NonDeterminism.
fn failed_by_nondeterminism() -> Harness {
    let mut h = Harness::new(steps_build(false));
    h.start("Steps", "s", json!(null));
    h.idle();
    h.deploy(steps_build(true));
    h.raise("s", "Word", json!("two"));
    h.idle();
    let row = h.row("s");
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert!(row
        .failure
        .unwrap()
        .starts_with("NonDeterminism at action 0"));
    h
}

#[test]
fn a_rewind_after_the_code_is_fixed_delivers_what_the_failed_turn_received() {
    let mut h = failed_by_nondeterminism();
    h.deploy(steps_build(false));
    h.rewind("s", "fixed");
    h.idle();
    let row = h.row("s");
    assert_eq!(row.status, RuntimeStatus::Completed, "{:?}", row.failure);
    assert_eq!(
        row.output,
        Some(json!("two")),
        "the event the failed turn took"
    );
    assert_eq!(h.console(), ["one", "two"]);
}

#[test]
fn a_restart_after_the_code_is_fixed_starts_over() {
    let mut h = failed_by_nondeterminism();
    h.deploy(steps_build(false));
    h.restart("s", "fixed");
    h.raise("s", "Word", json!("three"));
    h.idle();
    assert_eq!(h.row("s").output, Some(json!("three")));
    assert_eq!(h.console(), ["one", "one", "three"]);
}

#[test]
fn a_rewind_of_code_still_broken_fails_again_and_changes_nothing_else() {
    let h = failed_by_nondeterminism();
    let before = h.console();
    h.rewind("s", "too soon");
    h.idle();
    let row = h.row("s");
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert!(row
        .failure
        .unwrap()
        .starts_with("NonDeterminism at action 0"));
    assert_eq!(h.console(), before);
    // Fixed at last: a second rewind still has the event.
    let mut h = h;
    h.deploy(steps_build(false));
    h.rewind("s", "fixed");
    h.idle();
    assert_eq!(h.row("s").output, Some(json!("two")));
}
