//! The fifteen counterexamples found against the first release, one test
//! each. Every test here failed before its fix, for the reason its name
//! gives; together with the simulations they keep guarantees 13–19 true.

mod common;

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;

use common::{poll_once, stepwise, with_narrate, with_slow_other, Harness};
use durable::testing::block_on;
use durable::testing::sim::SimClock;
use durable::{
    check_replay, when_all, InMemoryStore, InstanceId, InstanceQuery, OrchestrationContext,
    Registry, RetryPolicy, Runtime, RuntimeError, RuntimeStatus, Store, TaskError,
};
use serde_json::{json, Value};

/// `Inc` reads `game/n` and writes `n + 1`: a read-modify-write.
fn with_inc(r: &mut Registry) -> &mut Registry {
    r.activity("Inc", |ctx, _: ()| async move {
        let n: u64 = ctx.read("game", "n").await?.unwrap_or(0);
        ctx.put("game", "n", &(n + 1))?;
        Ok::<_, durable::ActivityError>(n + 1)
    })
}

/// Counterexample 1a: `when_all` over two read-modify-writes of one record: both commit
/// in one batch, and neither update may be lost.
#[test]
fn two_increments_in_one_when_all_both_count() {
    let mut r = Registry::new();
    with_inc(&mut r).orchestration("Two", |ctx: OrchestrationContext, _: ()| async move {
        let all = when_all((0..2).map(|_| ctx.call_activity::<_, u64>("Inc", &()))).await;
        all.into_iter().collect::<Result<Vec<u64>, _>>()
    });
    let h = Harness::new(r);
    h.start("Two", "two", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.status("two"), RuntimeStatus::Completed);
    assert_eq!(h.app("game", "n"), Some(json!(2)), "no update is lost");
}

/// Counterexample 1b: Two instances whose increments run in one tick and commit in one
/// group.
#[test]
fn increments_of_two_instances_in_one_group_both_count() {
    let mut r = Registry::new();
    with_inc(&mut r).orchestration("One", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, u64>("Inc", &()).await
    });
    let h = Harness::new(r);
    h.start("One", "a", json!(null));
    h.start("One", "b", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.app("game", "n"), Some(json!(2)), "no update is lost");
    let mut outputs = vec![h.row("a").output, h.row("b").output];
    outputs.sort_by_key(|v| v.as_ref().and_then(Value::as_u64));
    assert_eq!(outputs, [Some(json!(1)), Some(json!(2))]);
}

/// Counterexample 2: Fused steps that start the same child id twice start it once, and
/// the runtime goes idle.
#[test]
fn fused_steps_starting_one_child_twice_start_it_once() {
    let mut r = Registry::new();
    with_narrate(&mut r)
        .orchestration("Parent", |ctx: OrchestrationContext, _: ()| async move {
            ctx.start_orchestration("Kid", &(), Some("kid"));
            ctx.call_activity::<_, String>("Narrate", &"between")
                .await?;
            ctx.start_orchestration("Kid", &(), Some("kid"));
            Ok::<_, TaskError>(())
        })
        .orchestration("Kid", |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_activity::<_, String>("Narrate", &"kid ran").await
        });
    let h = Harness::new(r);
    h.start("Parent", "p", json!(null));
    h.idle_within(50).expect("the runtime goes idle");
    assert_eq!(h.status("p"), RuntimeStatus::Completed);
    assert_eq!(h.console(), ["between", "kid ran"], "the child ran once");
}

/// Counterexample 3: Executor 1 sees the instance Suspended and defers an activity's
/// completion; executor 2 saw the resume and delivers the same completion.
/// Only one of them may commit the activity's app write.
#[test]
fn a_deferred_completion_and_a_delivered_one_never_both_commit() {
    let mut r = Registry::new();
    r.activity("Slow", |ctx, line: String| async move {
        ctx.read::<()>("slow", "slow").await?;
        ctx.append("console", &line)?;
        Ok::<_, durable::ActivityError>(())
    })
    .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Slow", &"once").await
    });
    let h = Harness::with_options(r.clone(), stepwise());
    let other = Runtime::with_options(h.store.clone(), r, Rc::new(h.clock.clone()), stepwise());
    h.pause_in_reads();
    let o = InstanceId::new("o");
    h.start("O", "o", json!(null));
    block_on(h.client().suspend(&o, "pause")).unwrap();
    // One turn: the code schedules Slow, then the suspend applies.
    block_on(h.rt.tick()).unwrap();
    assert_eq!(h.status("o"), RuntimeStatus::Suspended);
    // Executor 1 takes the task and stops inside the activity.
    let mut first = pin!(h.rt.tick());
    assert!(poll_once(first.as_mut()).is_none());
    block_on(h.client().resume(&o, "go on")).unwrap();
    // Executor 2 takes the task and the resume.
    let mut second = pin!(other.tick());
    assert!(poll_once(second.as_mut()).is_none());
    block_on(first).unwrap(); // defers the completion: the instance is suspended
    block_on(second).unwrap(); // delivers it with the resume
    h.idle_within(50).unwrap();
    assert_eq!(h.console(), ["once"], "the app write committed once");
    assert_eq!(h.status("o"), RuntimeStatus::Completed);
    assert_eq!(h.count("o", "TaskCompleted"), 1);
}

/// Generation 0 waits for `Go` and continues as new; generation 1 takes
/// two `X` events and returns them in the order it saw them.
fn generations(r: &mut Registry) -> &mut Registry {
    r.orchestration(
        "Gen",
        |ctx: OrchestrationContext, generation: u32| async move {
            if generation == 0 {
                ctx.wait_for_event::<()>("Go").await?;
                ctx.continue_as_new(&1).await;
                return Ok(json!(null));
            }
            let a: u32 = ctx.wait_for_event("X").await?;
            let b: u32 = ctx.wait_for_event("X").await?;
            Ok::<_, TaskError>(json!([a, b]))
        },
    )
}

/// Counterexample 4: X=1 is carried over by continue-as-new, X=2 is raised while the
/// continue-as-new tick runs: after a reload the new execution still sees
/// X=1 first.
#[test]
fn events_keep_their_order_across_continue_as_new_and_a_reload() {
    let mut r = Registry::new();
    with_slow_other(generations(&mut r));
    let mut h = Harness::with_options(r, stepwise());
    h.pause_in_reads();
    let g = InstanceId::new("g");
    h.start("Gen", "g", json!(0));
    h.idle_within(50).unwrap();
    h.start("Other", "other", json!(null));
    block_on(h.rt.tick()).unwrap(); // Other schedules Slow
    h.raise("g", "X", json!(1));
    h.raise("g", "Go", json!(null));
    h.reload(); // so the next tick reads the store: Slow, X=1 and Go
    {
        let mut tick = pin!(h.rt.tick());
        assert!(poll_once(tick.as_mut()).is_none(), "stopped inside Slow");
        block_on(h.client().raise_event(&g, "X", &2)).unwrap();
        block_on(tick).unwrap(); // g continues as new, carrying X=1
    }
    assert_eq!(h.status("g"), RuntimeStatus::ContinuedAsNew);
    h.reload();
    h.idle_within(50).unwrap();
    assert_eq!(h.status("g"), RuntimeStatus::Completed);
    assert_eq!(h.row("g").output, Some(json!([1, 2])));
    let kinds = h.kinds("g");
    assert_eq!(
        kinds[..2],
        ["OrchestratorStarted", "ExecutionStarted"],
        "{kinds:?}"
    );
}

/// Counterexample 5: A suspend that arrives in the continue-as-new turn waits for the new
/// execution; reloads then do not make its history look unstarted.
#[test]
fn a_suspend_in_the_continue_as_new_turn_survives_reloads() {
    let mut r = Registry::new();
    generations(&mut r);
    let mut h = Harness::with_options(r, stepwise());
    h.pause_in_reads();
    let g = InstanceId::new("g");
    h.start("Gen", "g", json!(0));
    h.idle_within(50).unwrap();
    h.raise("g", "Go", json!(null));
    block_on(h.client().suspend(&g, "pause")).unwrap();
    h.reload();
    // The continue-as-new turn: Go is taken, the suspend waits.
    block_on(h.rt.tick()).unwrap();
    assert_eq!(h.status("g"), RuntimeStatus::ContinuedAsNew);
    h.reload();
    h.idle_within(50).unwrap();
    assert_eq!(h.status("g"), RuntimeStatus::Suspended);
    h.reload();
    block_on(h.client().resume(&g, "go on")).unwrap();
    h.raise("g", "X", json!(1));
    h.raise("g", "X", json!(2));
    h.idle_within(50).unwrap();
    let row = h.row("g");
    assert_eq!(row.failure, None);
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!([1, 2])));
}

/// Counterexample 6: Suspend, suspend, resume: the instance runs again, and the second
/// suspend has no deferred effect.
#[test]
fn suspend_suspend_resume_leaves_the_instance_running() {
    let mut r = Registry::new();
    r.orchestration("Wait", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<u32>("E").await
    });
    let h = Harness::new(r);
    let w = InstanceId::new("w");
    h.start("Wait", "w", json!(null));
    h.idle_within(50).unwrap();
    block_on(h.client().suspend(&w, "one")).unwrap();
    block_on(h.client().suspend(&w, "two")).unwrap();
    h.idle_within(50).unwrap();
    assert_eq!(h.status("w"), RuntimeStatus::Suspended);
    block_on(h.client().resume(&w, "go on")).unwrap();
    h.idle_within(50).unwrap();
    assert_eq!(h.status("w"), RuntimeStatus::Running);
    h.raise("w", "E", json!(7));
    h.idle_within(50).unwrap();
    assert_eq!(h.row("w").output, Some(json!(7)));
}

/// Counterexample 7: A child of a terminated and purged parent completes after a new
/// instance took the parent's id: its completion must not reach the new
/// incarnation (whose timer sits at the same event id).
#[test]
fn an_old_childs_completion_never_reaches_a_new_incarnation() {
    let mut r = Registry::new();
    r.orchestration("P1", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_sub_orchestration::<_, u32>("Kid", &(), Some("kid"))
            .await
    })
    .orchestration("P2", |ctx: OrchestrationContext, _: ()| async move {
        ctx.sleep(3_600_000).await;
        Ok::<_, TaskError>("slept")
    })
    .orchestration("Kid", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<u32>("Done").await
    });
    let h = Harness::new(r);
    let p = InstanceId::new("p");
    h.start("P1", "p", json!(null));
    h.idle_within(50).unwrap();
    block_on(h.client().terminate(&p, "stop", false)).unwrap();
    h.idle_within(50).unwrap();
    assert_eq!(h.status("kid"), RuntimeStatus::Running);
    block_on(h.client().purge(&p)).unwrap();
    h.start("P2", "p", json!(null));
    h.idle_within(50).unwrap();
    h.raise("kid", "Done", json!(1));
    h.idle_within(50).unwrap();
    assert_eq!(h.status("kid"), RuntimeStatus::Completed);
    assert_eq!(
        h.status("p"),
        RuntimeStatus::Running,
        "the timer has not fired"
    );
    assert_eq!(h.count("p", "TimerFired"), 0);
    h.run_for(3_600_000);
    assert_eq!(h.row("p").output, Some(json!("slept")));
}

/// Counterexample 8: Each generation of a continued-as-new instance starts a fire-and-forget
/// child with a default id: each is a child of its own.
#[test]
fn default_child_ids_differ_across_generations() {
    let mut r = Registry::new();
    r.orchestration(
        "Gen",
        |ctx: OrchestrationContext, generation: u32| async move {
            ctx.start_orchestration("Kid", &generation, None);
            if generation < 2 {
                ctx.wait_for_event::<()>("Next").await?;
                ctx.continue_as_new(&(generation + 1)).await;
            }
            Ok::<_, TaskError>(generation)
        },
    )
    .orchestration("Kid", |ctx: OrchestrationContext, _: u32| async move {
        ctx.wait_for_event::<()>("Done").await
    });
    let h = Harness::new(r);
    h.start("Gen", "g", json!(0));
    h.idle_within(50).unwrap();
    h.raise("g", "Next", json!(null));
    h.idle_within(50).unwrap();
    h.raise("g", "Next", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.status("g"), RuntimeStatus::Completed);
    let kids = block_on(h.client().query(&InstanceQuery {
        name: Some("Kid".into()),
        ..InstanceQuery::default()
    }))
    .unwrap()
    .instances;
    let mut inputs: Vec<Value> = kids.iter().map(|k| k.input.clone()).collect();
    inputs.sort_by_key(|v| v.as_u64());
    assert_eq!(inputs, [json!(0), json!(1), json!(2)], "three children");
}

/// Counterexample 9: A step that reads the console log sees the append of the step before
/// it, even when the two steps fuse into one commit.
#[test]
fn a_fused_step_reads_the_previous_steps_append() {
    let mut r = Registry::new();
    with_narrate(&mut r)
        .activity("CountLines", |ctx, _: ()| async move {
            let lines = ctx.read_all::<String>("console").await?;
            Ok::<_, durable::ActivityError>(lines.len())
        })
        .orchestration("Log", |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_activity::<_, String>("Narrate", &"first").await?;
            ctx.call_activity::<_, usize>("CountLines", &()).await
        });
    let h = Harness::new(r);
    h.start("Log", "log", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.row("log").output, Some(json!(1)));
}

/// Counterexample 10: A retry after the wall clock stepped back: orchestration time does
/// not go back, so the retry's elapsed time is not negative.
#[test]
fn orchestration_time_never_goes_back_when_the_wall_clock_does() {
    let attempts = Rc::new(Cell::new(0));
    let n = attempts.clone();
    let mut r = Registry::new();
    r.activity("Flaky", move |_ctx, _: ()| {
        let n = n.clone();
        async move {
            n.set(n.get() + 1);
            if n.get() == 1 {
                Err("not yet".to_string())
            } else {
                Ok(n.get())
            }
        }
    })
    .orchestration("Retry", |ctx: OrchestrationContext, _: ()| async move {
        let policy = RetryPolicy::new(3, 1_000).with_timeout(600_000);
        ctx.call_activity_with_retry::<_, u32>("Flaky", &(), policy)
            .await
    });
    let time = SimClock::new(10_000_000);
    let rt = Runtime::with_options(InMemoryStore::new(), r, Rc::new(time.clone()), stepwise());
    let id = InstanceId::new("r");
    block_on(rt.client().start("Retry", &id, &())).unwrap();
    block_on(rt.tick()).unwrap(); // the first attempt is scheduled
    time.set(9_000_000); // the wall clock steps back 1000 s
    block_on(rt.run_until_idle()).unwrap(); // the attempt fails; a retry timer
    time.set(10_001_000);
    block_on(rt.run_until_idle()).unwrap();
    let row = block_on(rt.store().instance(&id)).unwrap().unwrap();
    assert_eq!(row.output, Some(json!(2)), "{row:?}");
    let history = block_on(rt.store().history(&id)).unwrap();
    let times: Vec<u64> = history.iter().map(|e| e.timestamp_ms).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

/// Counterexample 11: A purged instance started again sends the message its old
/// incarnation sent, while that one is still queued: both are kept.
#[test]
fn a_restarted_purged_instance_never_collides_with_its_old_messages() {
    let mut r = Registry::new();
    r.orchestration("Sender", |ctx: OrchestrationContext, n: u32| async move {
        ctx.send_event(&InstanceId::new("t"), "Ping", &n);
        Ok::<_, TaskError>(())
    })
    .orchestration("Target", |ctx: OrchestrationContext, _: ()| async move {
        let a: u32 = ctx.wait_for_event("Ping").await?;
        let b: u32 = ctx.wait_for_event("Ping").await?;
        Ok::<_, TaskError>(vec![a, b])
    });
    let h = Harness::new(r);
    let s = InstanceId::new("s");
    h.start("Sender", "s", json!(1));
    h.idle_within(50).unwrap();
    block_on(h.client().purge(&s)).unwrap();
    h.start("Sender", "s", json!(2));
    h.idle_within(50)
        .expect("the restart is not refused forever");
    assert_eq!(h.status("s"), RuntimeStatus::Completed);
    h.start("Target", "t", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.row("t").output, Some(json!([1, 2])));
}

/// Counterexample 12: `check_replay` accepts an orchestration's own history after a
/// continue-as-new, GUIDs included.
#[test]
fn check_replay_accepts_a_history_after_continue_as_new() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("Guid", |ctx: OrchestrationContext, n: u32| async move {
        if n == 0 {
            ctx.continue_as_new(&1).await;
            return Ok(String::new());
        }
        let guid = ctx.new_guid();
        ctx.call_activity::<_, String>("Narrate", &guid).await
    });
    let h = Harness::new(r.clone());
    h.start("Guid", "g", json!(0));
    h.idle_within(50).unwrap();
    assert_eq!(h.status("g"), RuntimeStatus::Completed);
    let report =
        check_replay(&r, &InstanceId::new("g"), &h.history("g")).expect("the history replays");
    assert_eq!(report.actions, 1);
}

/// Counterexample 13: An instance whose orchestration is not in this build fails, naming
/// it, instead of staying Running.
#[test]
fn an_unregistered_orchestration_fails_naming_it() {
    let h = Harness::new(Registry::new());
    h.start("RenamedWorkflow", "x", json!(null));
    h.idle_within(50).unwrap();
    let row = h.row("x");
    assert_eq!(row.status, RuntimeStatus::Failed);
    let failure = row.failure.unwrap_or_default();
    assert!(failure.contains("RenamedWorkflow"), "{failure}");
}

/// Counterexample 14: A storage error inside an activity reaches the caller of
/// `run_until_idle`; the activity runs again afterwards.
#[test]
fn a_storage_error_inside_an_activity_reaches_the_caller() {
    let mut r = Registry::new();
    with_inc(&mut r).orchestration("One", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, u64>("Inc", &()).await
    });
    let h = Harness::with_options(r, stepwise());
    h.start("One", "a", json!(null));
    block_on(h.rt.tick()).unwrap(); // schedules Inc
    h.store.fail_next_reads(1);
    let err = block_on(h.rt.run_until_idle()).expect_err("the read failure is reported");
    assert!(matches!(err, RuntimeError::Store(_)), "{err}");
    assert_eq!(h.status("a"), RuntimeStatus::Running);
    h.idle_within(50).unwrap();
    assert_eq!(h.row("a").output, Some(json!(1)));
}

/// Counterexample 15: Both stores refuse a batch that enqueues one work id twice (the
/// conformance suite's check, here on the in-memory store).
#[test]
fn a_work_id_enqueued_twice_is_refused() {
    block_on(durable::conformance::work_ids_are_unique(
        InMemoryStore::new(),
    ));
}
