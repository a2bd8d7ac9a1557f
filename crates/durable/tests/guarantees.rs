//! The runtime's guarantees that need no browser: atomic turns, exactly-once
//! app writes, cached execution, group commit, one executor per task.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{stepwise, with_narrate, Harness, YieldOnce};
use durable::testing::block_on;
use durable::{
    join2, AppWrite, CommitBatch, InstanceId, OrchestrationContext, Registry, Runtime,
    RuntimeOptions, RuntimeStatus, Store, TaskError,
};
use serde_json::json;

fn narrate_three() -> Registry {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("Three", |ctx: OrchestrationContext, _: ()| async move {
        for s in ["one", "two", "three"] {
            ctx.call_activity::<_, String>("Narrate", &s).await?;
        }
        Ok::<_, TaskError>(())
    });
    r
}

/// Guarantee 2: a commit that fails leaves the state of just before the
/// turn, and the turn is redone.
#[test]
fn a_failed_commit_leaves_the_state_before_the_turn_and_is_redone() {
    // Fail the commit of every turn and completion once, then recover.
    let mut h = Harness::new(narrate_three());
    h.start("Three", "t", json!(null));
    for _ in 0..20 {
        let before = (
            h.history("t"),
            h.row("t"),
            h.console(),
            h.store.queued_work(),
        );
        h.store.fail_next_commits(1);
        let r = block_on(h.rt.tick());
        if r.is_ok() && h.store.queued_work() == 0 {
            h.store.fail_next_commits(0);
            break; // nothing was left to commit
        }
        assert!(r.is_err(), "the injected failure surfaces");
        let after = (
            h.history("t"),
            h.row("t"),
            h.console(),
            h.store.queued_work(),
        );
        assert_eq!(before, after, "an aborted commit changes nothing");
        // Redo, half the time from a reloaded runtime.
        if h.console().len() % 2 == 0 {
            h.reload();
        }
        block_on(h.rt.tick()).unwrap();
    }
    h.idle();
    assert_eq!(h.status("t"), RuntimeStatus::Completed);
    assert_eq!(h.console(), ["one", "two", "three"]);
}

/// Guarantee 3: an activity whose read went stale (a command changed the
/// record meanwhile) is refused and runs again, so no update is lost.
#[test]
fn stale_activity_read_is_refused_and_the_activity_reruns() {
    let store_slot: Rc<std::cell::RefCell<Option<durable::InMemoryStore>>> = Rc::default();
    let runs = Rc::new(Cell::new(0));
    let mut r = Registry::new();
    let (slot, n) = (store_slot.clone(), runs.clone());
    r.activity("AddGold", move |ctx, amount: u64| {
        let (slot, n) = (slot.clone(), n.clone());
        async move {
            n.set(n.get() + 1);
            let gold: u64 = ctx.read("game", "gold").await?.unwrap_or(0);
            if n.get() == 1 {
                // A player command lands between the read and the commit.
                let s = slot.borrow().clone().expect("store");
                s.commit(CommitBatch {
                    app_writes: vec![AppWrite::Put {
                        store: "game".into(),
                        key: "gold".into(),
                        value: json!(100),
                    }],
                    ..Default::default()
                })
                .await?;
            }
            ctx.put("game", "gold", &(gold + amount))?;
            Ok::<_, durable::ActivityError>(gold + amount)
        }
    })
    .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, u64>("AddGold", &5).await
    });
    let h = Harness::new(r);
    *store_slot.borrow_mut() = Some(h.store.clone());
    h.start("O", "o", json!(null));
    h.idle();
    assert_eq!(runs.get(), 2, "the stale run was refused and redone");
    assert_eq!(h.row("o").output, Some(json!(105)));
    let gold = block_on(h.store.app_record("game", "gold"))
        .unwrap()
        .unwrap();
    assert_eq!(gold.value, json!(105), "the command's update is not lost");
    assert_eq!(h.count("o", "TaskCompleted"), 1);
}

/// Two executors racing for the same activity: only one completion commits,
/// so the app write happens once.
#[test]
fn two_executors_never_commit_one_activity_twice() {
    let runs = Rc::new(Cell::new(0));
    let mut r = Registry::new();
    let n = runs.clone();
    r.activity("Slow", move |ctx, line: String| {
        let n = n.clone();
        async move {
            n.set(n.get() + 1);
            YieldOnce(false).await;
            ctx.append("console", &line)?;
            Ok::<_, durable::ActivityError>(())
        }
    })
    .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Slow", &"once").await
    });
    let h = Harness::with_options(r.clone(), stepwise());
    let other = Runtime::with_options(h.store.clone(), r, Rc::new(h.clock.clone()), stepwise());
    h.start("O", "o", json!(null));
    block_on(h.rt.tick()).unwrap(); // schedules the activity
                                    // Both start an attempt (it yields, so each tick leaves it in flight),
                                    // then both collect theirs.
    let mut committed = 0;
    for _ in 0..2 {
        let (a, b) = block_on(join2(h.rt.tick(), other.tick()));
        committed += a.unwrap().activities + b.unwrap().activities;
    }
    assert_eq!(
        runs.get(),
        2,
        "both executors ran it (at least once outside the store)"
    );
    assert_eq!(committed, 1);
    h.idle();
    assert_eq!(
        h.console(),
        ["once"],
        "but its app write committed exactly once"
    );
    assert_eq!(h.status("o"), RuntimeStatus::Completed);
}

fn long_loop(turns: u32) -> Registry {
    let mut r = Registry::new();
    r.activity("Noop", |_ctx, i: u32| async move { Ok::<_, String>(i) })
        .orchestration("Loop", move |ctx: OrchestrationContext, _: ()| async move {
            for i in 0..turns {
                ctx.call_activity::<_, u32>("Noop", &i).await?;
            }
            Ok::<_, TaskError>(())
        });
    r
}

/// Guarantee 8: a live instance stays in memory between turns; only the
/// first turn (and any after an eviction) replays.
#[test]
fn cached_execution_replays_only_after_reload_or_eviction() {
    let mut h = Harness::with_options(long_loop(100), stepwise());
    h.start("Loop", "l", json!(null));
    for _ in 0..50 {
        block_on(h.rt.tick()).unwrap();
    }
    let report = block_on(h.rt.run_until_idle()).unwrap();
    assert_eq!(report.replays, 0, "turns on a cached instance never replay");
    assert_eq!(h.status("l"), RuntimeStatus::Completed);

    let mut no_cache = Harness::with_options(
        long_loop(100),
        RuntimeOptions {
            cache_capacity: 0,
            ..stepwise()
        },
    );
    no_cache.start("Loop", "l", json!(null));
    let report = block_on(no_cache.rt.run_until_idle()).unwrap();
    assert_eq!(
        report.replays, report.turns,
        "without the cache every turn replays"
    );

    // A reload replays once, then the cache takes over again.
    h.start("Loop", "m", json!(null));
    for _ in 0..20 {
        block_on(h.rt.tick()).unwrap();
    }
    h.reload();
    let report = block_on(h.rt.run_until_idle()).unwrap();
    assert_eq!(report.replays, 1);
    assert_eq!(h.status("m"), RuntimeStatus::Completed);
    no_cache.reload();
}

/// Eviction keeps memory bounded and stays correct.
#[test]
fn evicted_instances_rebuild_by_replay() {
    let h = Harness::with_options(
        long_loop(5),
        RuntimeOptions {
            cache_capacity: 3,
            ..stepwise()
        },
    );
    for i in 0..10 {
        h.start("Loop", &format!("l{i}"), json!(null));
    }
    let report = block_on(h.rt.run_until_idle()).unwrap();
    assert!(h.rt.cached_executions() <= 3);
    assert!(report.replays > 10, "evicted instances replayed");
    for i in 0..10 {
        assert_eq!(h.status(&format!("l{i}")), RuntimeStatus::Completed);
    }
}

/// Guarantee 9: turns of many instances that are ready together commit in
/// one transaction.
#[test]
fn ready_turns_of_many_instances_commit_together() {
    let h = Harness::with_options(long_loop(1), stepwise());
    let client = h.rt.client();
    for i in 0..50 {
        block_on(client.start("Loop", &InstanceId::new(format!("i{i}")), &())).unwrap();
    }
    let before = h.store.commit_count();
    let r = block_on(h.rt.tick()).unwrap();
    assert_eq!((r.turns, r.commits), (50, 1));
    let r = block_on(h.rt.tick()).unwrap();
    assert_eq!((r.activities, r.commits), (50, 1));
    assert_eq!(h.store.commit_count() - before, 2);
    // With group commit off, one commit per unit.
    let h2 = Harness::with_options(
        long_loop(1),
        RuntimeOptions {
            group_commit: false,
            ..stepwise()
        },
    );
    for i in 0..10 {
        h2.start("Loop", &format!("i{i}"), json!(null));
    }
    let r = block_on(h2.rt.tick()).unwrap();
    assert_eq!((r.turns, r.commits), (10, 10));
}

/// A refused unit in a group does not block the others: the group falls
/// back to one commit per unit, and the refused turn is redone. Here the
/// refusal comes from a stale cached row: another writer moved the instance
/// on behind the runtime's back.
#[test]
fn one_stale_unit_does_not_sink_the_group() {
    let mut r = Registry::new();
    r.orchestration("Wait", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<u32>("go").await
    });
    let h = Harness::new(r);
    h.start("Wait", "victim", json!(null));
    h.start("Wait", "bystander", json!(null));
    h.idle();
    assert_eq!(h.rt.cached_executions(), 2);
    let mut row = h.row("victim");
    row.version += 1;
    block_on(h.store.commit(CommitBatch {
        instances: vec![row],
        ..Default::default()
    }))
    .unwrap();
    h.raise("victim", "go", json!(1));
    h.raise("bystander", "go", json!(2));
    let r = block_on(h.rt.tick()).unwrap();
    assert_eq!((r.turns, r.conflicts), (1, 1), "{r:?}");
    assert_eq!(h.status("bystander"), RuntimeStatus::Completed);
    assert_eq!(h.status("victim"), RuntimeStatus::Running);
    h.idle();
    assert_eq!(
        h.row("victim").output,
        Some(json!(1)),
        "redone from the store"
    );
}

/// A sequence whose activities write nothing a later step reads runs many
/// steps per commit; the outcome and every effect are the same as one step
/// per commit, and an aborted fused commit redoes all of its steps.
#[test]
fn steps_of_a_sequence_fuse_into_one_commit() {
    let fused = Harness::new(narrate_three());
    fused.start("Three", "t", json!(null));
    let r = block_on(fused.rt.run_until_idle()).unwrap();
    assert_eq!(fused.status("t"), RuntimeStatus::Completed);
    assert_eq!(fused.console(), ["one", "two", "three"]);
    let stepwise_run = Harness::with_options(narrate_three(), stepwise());
    stepwise_run.start("Three", "t", json!(null));
    let s = block_on(stepwise_run.rt.run_until_idle()).unwrap();
    assert_eq!(stepwise_run.console(), fused.console());
    assert_eq!(
        stepwise_run.kinds("t"),
        fused.kinds("t"),
        "the same history"
    );
    assert!(
        r.commits < s.commits,
        "fused {} commits, stepwise {}",
        r.commits,
        s.commits
    );
    assert_eq!(
        r.commits, 1,
        "the start and the whole sequence in one commit"
    );
    assert_eq!(fused.store.queued_work(), 0, "no task left behind");

    // A fused commit that fails redoes every step it carried, once.
    let h = Harness::new(narrate_three());
    h.start("Three", "t", json!(null));
    h.store.fail_next_commits(1);
    assert!(block_on(h.rt.tick()).is_err());
    assert!(
        h.console().is_empty(),
        "nothing of the failed steps is kept"
    );
    h.idle();
    assert_eq!(h.console(), ["one", "two", "three"]);
}

/// Fused steps hand the live execution on directly, so they work the same
/// with no execution cache at all.
#[test]
fn steps_fuse_without_an_execution_cache() {
    let h = Harness::with_options(
        narrate_three(),
        RuntimeOptions {
            cache_capacity: 0,
            ..RuntimeOptions::default()
        },
    );
    h.start("Three", "t", json!(null));
    h.idle();
    assert_eq!(h.status("t"), RuntimeStatus::Completed);
    assert_eq!(h.console(), ["one", "two", "three"]);
    let reference = Harness::with_options(narrate_three(), stepwise());
    reference.start("Three", "t", json!(null));
    reference.idle();
    assert_eq!(h.kinds("t"), reference.kinds("t"), "the same history");
}

/// A step that writes a record its next activity might read is committed
/// before that activity runs.
#[test]
fn steps_that_write_readable_records_do_not_fuse() {
    let mut r = Registry::new();
    r.activity("Inc", |ctx, _: ()| async move {
        let n: u64 = ctx.read("game", "n").await?.unwrap_or(0);
        ctx.put("game", "n", &(n + 1))?;
        Ok::<_, durable::ActivityError>(n + 1)
    })
    .orchestration("Count", |ctx: OrchestrationContext, _: ()| async move {
        let mut last = 0;
        for _ in 0..5 {
            last = ctx.call_activity::<_, u64>("Inc", &()).await?;
        }
        Ok::<_, TaskError>(last)
    });
    let h = Harness::new(r);
    h.start("Count", "c", json!(null));
    h.idle();
    assert_eq!(
        h.row("c").output,
        Some(json!(5)),
        "every step saw the one before"
    );
    let n = block_on(h.store.app_record("game", "n")).unwrap().unwrap();
    assert_eq!(n.value, json!(5));
}
