//! One test per feature of the orchestration context and the client, on the
//! in-memory store in virtual time.

mod common;

use common::{is_timer_cancel, with_narrate, Harness};
use durable::testing::block_on;
use durable::{
    select2, when_all, when_any, Change, ClientError, Command, Either, InstanceId, InstanceQuery,
    OrchestrationContext, Registry, RetryPolicy, RuntimeStatus, TaskError,
};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

fn id(s: &str) -> InstanceId {
    InstanceId::new(s)
}

#[test]
fn activity_sequence_completes_with_output() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("Seq", |ctx: OrchestrationContext, n: u32| async move {
        let mut out = Vec::new();
        for i in 0..n {
            out.push(
                ctx.call_activity::<_, String>("Narrate", &format!("step {i}"))
                    .await?,
            );
        }
        Ok::<_, TaskError>(out)
    });
    let h = Harness::new(r);
    h.start("Seq", "s", json!(3));
    h.idle();
    let row = h.row("s");
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!(["step 0", "step 1", "step 2"])));
    assert_eq!(h.console(), ["step 0", "step 1", "step 2"]);
    assert_eq!(h.count("s", "TaskScheduled"), 3);
    assert_eq!(h.count("s", "TaskCompleted"), 3);
    // Completions point back at the event that scheduled them.
    let hist = h.history("s");
    for e in &hist {
        if let Some(sid) = e.kind.answers() {
            assert_eq!(hist[sid as usize].kind.name(), "TaskScheduled");
        }
    }
}

#[test]
fn activity_failure_reaches_the_orchestration_and_fails_the_instance() {
    let mut r = Registry::new();
    r.activity("Boom", |_ctx, _: ()| async {
        Err::<(), _>("the bridge collapsed")
    })
    .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Boom", &()).await
    });
    let h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.idle();
    let row = h.row("o");
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert_eq!(
        row.failure.as_deref(),
        Some("activity Boom failed: the bridge collapsed")
    );
    assert_eq!(h.count("o", "TaskFailed"), 1);
    assert_eq!(h.count("o", "ExecutionFailed"), 1);
}

#[test]
fn retry_policy_waits_on_durable_timers_until_success() {
    use std::cell::Cell;
    use std::rc::Rc;
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let mut r = Registry::new();
    r.activity("Flaky", move |_ctx, _: ()| {
        let c = c.clone();
        async move {
            c.set(c.get() + 1);
            if c.get() < 3 {
                Err("not yet".to_string())
            } else {
                Ok(c.get())
            }
        }
    })
    .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        let policy = RetryPolicy::new(5, 1_000).with_backoff(2.0, 10_000);
        ctx.call_activity_with_retry::<_, u32>("Flaky", &(), policy)
            .await
    });
    let h = Harness::new(r);
    let t0 = h.clock_now();
    h.start("O", "o", json!(null));
    h.run_for(60_000);
    assert_eq!(h.row("o").output, Some(json!(3)));
    assert_eq!(calls.get(), 3);
    assert_eq!(h.count("o", "TimerFired"), 2);
    // 1 s then 2 s of backoff, in orchestration time.
    assert_eq!(h.clock_now() - t0, 3_000);
}

#[test]
fn retry_gives_up_after_max_attempts() {
    let mut r = Registry::new();
    r.activity("Never", |_ctx, _: ()| async { Err::<(), _>("no") })
        .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_activity_with_retry::<_, ()>("Never", &(), RetryPolicy::new(3, 10))
                .await
        });
    let h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.run_for(1_000);
    assert_eq!(h.status("o"), RuntimeStatus::Failed);
    assert_eq!(h.count("o", "TaskFailed"), 3);
}

trait ClockNow {
    fn clock_now(&self) -> u64;
}
impl ClockNow for Harness {
    fn clock_now(&self) -> u64 {
        use durable::Clock;
        self.clock.now_ms()
    }
}

#[test]
fn sub_orchestration_result_and_failure_reach_the_parent() {
    let mut r = Registry::new();
    r.orchestration("Child", |_ctx: OrchestrationContext, n: i64| async move {
        if n < 0 {
            Err("negative".to_string())
        } else {
            Ok(n * 2)
        }
    })
    .orchestration("Parent", |ctx: OrchestrationContext, n: i64| async move {
        let a: i64 = ctx.call_sub_orchestration("Child", &n, Some("kid")).await?;
        let b = ctx
            .call_sub_orchestration::<_, i64>("Child", &-1, None)
            .await;
        Ok::<_, TaskError>(json!({"a": a, "b": b.map_err(|e| e.to_string())}))
    });
    let h = Harness::new(r);
    h.start("Parent", "p", json!(21));
    h.idle();
    let row = h.row("p");
    assert_eq!(row.status, RuntimeStatus::Completed);
    let out = row.output.unwrap();
    assert_eq!(out["a"], 42);
    assert_eq!(out["b"]["Err"], "sub-orchestration Child failed: negative");
    let kid = h.row("kid");
    assert_eq!(kid.status, RuntimeStatus::Completed);
    assert_eq!(
        kid.parent.as_ref().map(|p| p.instance_id.as_str()),
        Some("p")
    );
    // The unnamed child got a deterministic id derived from the parent.
    let q = block_on(h.rt.client().query(&InstanceQuery {
        id_prefix: Some("p:".into()),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(q.instances.len(), 1);
    assert_eq!(q.instances[0].status, RuntimeStatus::Failed);
}

#[test]
fn fire_and_forget_start_does_not_wait() {
    let mut r = Registry::new();
    r.orchestration("Waiter", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<()>("go").await
    })
    .orchestration("Starter", |ctx: OrchestrationContext, _: ()| async move {
        let child = ctx.start_orchestration("Waiter", &(), Some("waiter"));
        Ok::<_, TaskError>(child.to_string())
    });
    let h = Harness::new(r);
    h.start("Starter", "s", json!(null));
    h.idle();
    assert_eq!(h.status("s"), RuntimeStatus::Completed);
    assert_eq!(h.status("waiter"), RuntimeStatus::Running);
    h.raise("waiter", "go", json!(null));
    h.idle();
    assert_eq!(h.status("waiter"), RuntimeStatus::Completed);
    // The parent was not told (it finished long ago and must stay so).
    assert_eq!(h.count("s", "SubOrchestrationInstanceCompleted"), 0);
}

#[test]
fn durable_timer_fires_at_its_due_time_in_orchestration_time() {
    let mut r = Registry::new();
    r.orchestration("T", |ctx: OrchestrationContext, _: ()| async move {
        let t0 = ctx.now_ms();
        ctx.sleep(5_000).await;
        Ok::<_, TaskError>(ctx.now_ms() - t0)
    });
    let h = Harness::new(r);
    h.start("T", "t", json!(null));
    h.idle();
    assert_eq!(h.status("t"), RuntimeStatus::Running);
    assert_eq!(
        block_on(h.rt.next_due()).unwrap(),
        Some(h.clock_now() + 5_000)
    );
    h.clock.advance(4_999);
    h.idle();
    assert_eq!(h.status("t"), RuntimeStatus::Running);
    h.clock.advance(1);
    h.idle();
    assert_eq!(h.row("t").output, Some(json!(5_000)));
}

#[test]
fn timer_that_fell_due_while_nothing_ran_fires_at_once_after_reload() {
    let mut r = Registry::new();
    r.orchestration("T", |ctx: OrchestrationContext, _: ()| async move {
        ctx.sleep(60_000).await;
        Ok::<_, TaskError>("woke")
    });
    let mut h = Harness::new(r);
    h.start("T", "t", json!(null));
    h.idle();
    h.reload();
    h.clock.advance(3_600_000); // the page was closed for an hour
    h.idle();
    assert_eq!(h.row("t").output, Some(json!("woke")));
}

#[test]
fn external_event_is_buffered_when_it_arrives_before_the_wait() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Narrate", &"busy").await?;
        ctx.wait_for_event::<String>("ApprovalTask").await
    });
    let h = Harness::new(r);
    h.start("O", "o", json!(null));
    // Raised while the instance is still Pending: kept, not dropped.
    assert_eq!(h.status("o"), RuntimeStatus::Pending);
    h.raise("o", "ApprovalTask", json!("yes"));
    h.idle();
    assert_eq!(h.row("o").output, Some(json!("yes")));
}

#[test]
fn event_wait_with_timeout_times_out_and_when_event_wins_cancels_the_timer() {
    let mut r = Registry::new();
    r.orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        let r = ctx.wait_for_event_timeout::<u32>("E", 1_000).await;
        Ok::<_, TaskError>(match r {
            Ok(v) => json!(v),
            Err(e) => json!(e.to_string()),
        })
    });
    let h = Harness::new(r);
    h.start("O", "late", json!(null));
    h.start("O", "early", json!(null));
    h.idle();
    h.raise("early", "E", json!(7));
    h.run_for(5_000);
    assert_eq!(
        h.row("late").output,
        Some(json!("timed out waiting for event E"))
    );
    assert_eq!(h.row("early").output, Some(json!(7)));
    assert!(h.history("early").iter().any(is_timer_cancel));
    assert!(!h.history("late").iter().any(is_timer_cancel));
}

#[test]
fn when_all_fans_out_and_in() {
    let mut r = Registry::new();
    r.activity(
        "Square",
        |_ctx, n: u64| async move { Ok::<_, String>(n * n) },
    )
    .orchestration("Fan", |ctx: OrchestrationContext, n: u64| async move {
        let tasks = (1..=n).map(|i| ctx.call_activity::<_, u64>("Square", &i));
        let results: Result<Vec<u64>, TaskError> = when_all(tasks).await.into_iter().collect();
        Ok::<_, TaskError>(results?.iter().sum::<u64>())
    });
    let h = Harness::new(r);
    h.start("Fan", "f", json!(10));
    h.idle();
    assert_eq!(h.row("f").output, Some(json!(385)));
    // All ten were scheduled in the first turn (true fan-out).
    let hist = h.history("f");
    let first_turn_end = hist
        .iter()
        .position(|e| e.kind.name() == "OrchestratorCompleted")
        .unwrap();
    assert_eq!(
        hist[..first_turn_end]
            .iter()
            .filter(|e| e.kind.name() == "TaskScheduled")
            .count(),
        10
    );
}

/// Guarantee 6: an orchestration that finishes through when_any never stays
/// Running because of the losing timer; the cancellation is recorded.
#[test]
fn when_any_cancels_losing_timers_and_the_instance_completes() {
    let mut r = Registry::new();
    r.activity("Quick", |_ctx, _: ()| async { Ok::<_, String>("done") })
        .orchestration("Race", |ctx: OrchestrationContext, _: ()| async move {
            let (i, _) = when_any(vec![
                Box::pin(async {
                    ctx.sleep(3_600_000).await;
                    "timer"
                }) as std::pin::Pin<Box<dyn std::future::Future<Output = &str>>>,
                Box::pin(async {
                    let _ = ctx.call_activity::<_, String>("Quick", &()).await;
                    "activity"
                }),
            ])
            .await;
            Ok::<_, TaskError>(i)
        });
    let h = Harness::new(r);
    h.start("Race", "r", json!(null));
    h.idle();
    assert_eq!(h.status("r"), RuntimeStatus::Completed);
    assert_eq!(h.row("r").output, Some(json!(1)));
    assert_eq!(h.count("r", "TimerCancelled"), 1);
    // The cancelled timer's work is gone too: nothing is left to fire.
    assert_eq!(block_on(h.rt.next_due()).unwrap(), None);
    assert_eq!(h.store.queued_work(), 0);
}

/// Guarantee 5: a when_any loser waiting for an event does not swallow the
/// next event of that name.
#[test]
fn losing_event_wait_does_not_swallow_the_next_event() {
    let mut r = Registry::new();
    r.orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        let first = select2(ctx.wait_for_event::<u32>("E"), ctx.sleep(1_000)).await;
        assert!(
            matches!(first, Either::Right(())),
            "the timer wins the first race"
        );
        let v = ctx.wait_for_event::<u32>("E").await?;
        Ok::<_, TaskError>(v)
    });
    let h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.run_for(1_000);
    h.raise("o", "E", json!(42));
    h.idle();
    assert_eq!(h.row("o").output, Some(json!(42)));
}

#[test]
fn continue_as_new_restarts_with_new_input_and_keeps_unprocessed_events() {
    let mut r = Registry::new();
    r.orchestration("Counter", |ctx: OrchestrationContext, n: u32| async move {
        let v: u32 = ctx.wait_for_event("add").await?;
        if n + v >= 3 {
            return Ok::<_, TaskError>(n + v);
        }
        ctx.continue_as_new(&(n + v)).await;
        Ok(0)
    });
    let h = Harness::new(r);
    h.start("Counter", "c", json!(0));
    h.idle();
    // Three events at once: one for each execution; none may be dropped.
    for _ in 0..3 {
        h.raise("c", "add", json!(1));
    }
    h.idle();
    let row = h.row("c");
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!(3)));
    assert_eq!(row.execution, 2);
    // The history is the last execution's only.
    assert_eq!(h.count("c", "ExecutionStarted"), 1);
}

#[test]
fn custom_status_guid_and_now_are_recorded_and_deterministic() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.set_custom_status(&json!({"stage": "started"}));
        let g1 = ctx.new_guid();
        let t1 = ctx.now_ms();
        ctx.call_activity::<_, String>("Narrate", &g1).await?;
        let t2 = ctx.now_ms();
        ctx.set_custom_status(&json!({"stage": "narrated"}));
        ctx.sleep(10).await;
        Ok::<_, TaskError>(json!([g1, ctx.new_guid(), t1, t2]))
    });
    let mut h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.idle();
    assert_eq!(h.row("o").custom_status, Some(json!({"stage": "narrated"})));
    // Reload mid-way: the replayed guid and times must equal the first run's.
    h.reload();
    h.clock.advance(10);
    h.idle();
    let out = h.row("o").output.unwrap();
    assert_eq!(out[0], json!(h.console()[0]));
    assert_ne!(out[0], out[1]);
    let hist = h.history("o");
    let starts: Vec<u64> = hist
        .iter()
        .filter(|e| e.kind.name() == "OrchestratorStarted")
        .map(|e| e.timestamp_ms)
        .collect();
    assert_eq!(out[2], json!(starts[0]));
    assert_eq!(out[3], json!(starts[1]));
}

#[test]
fn is_replaying_and_the_replay_safe_log() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.log(format!("step 1, replaying={}", ctx.is_replaying()));
        ctx.call_activity::<_, String>("Narrate", &"x").await?;
        ctx.log(format!("step 2, replaying={}", ctx.is_replaying()));
        ctx.sleep(5).await;
        ctx.log("step 3");
        Ok::<_, TaskError>(())
    });
    let mut h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.idle();
    h.reload(); // steps 1 and 2 replay now and must not log again
    h.clock.advance(5);
    h.idle();
    assert_eq!(h.status("o"), RuntimeStatus::Completed);
    let lines: Vec<String> = h.rt.take_logs().into_iter().map(|l| l.message).collect();
    assert_eq!(lines, ["step 3"]);
}

/// Collects what a runtime's log sink is given.
fn sink_into(h: &Harness, sunk: &Rc<RefCell<Vec<String>>>) {
    let sunk = sunk.clone();
    h.rt.on_log(move |l| sunk.borrow_mut().push(l.message.clone()));
}

#[test]
fn the_log_reaches_the_row_where_it_was_written_and_the_sink_once() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.log("before the activity");
        ctx.call_activity::<_, String>("Narrate", &"x").await?;
        ctx.log("after it");
        ctx.sleep(5).await;
        ctx.log("after the timer");
        Ok::<_, TaskError>(())
    });
    let mut h = Harness::new(r);
    let sunk = Rc::new(RefCell::new(Vec::new()));
    sink_into(&h, &sunk);
    h.start("O", "o", json!(null));
    h.idle();
    h.reload(); // the first two lines replay now: logged nowhere again
    sink_into(&h, &sunk);
    h.clock.advance(5);
    h.idle();
    assert_eq!(h.status("o"), RuntimeStatus::Completed);
    let wanted = ["before the activity", "after it", "after the timer"];
    assert_eq!(*sunk.borrow(), wanted, "each line reached the sink once");
    let row = h.row("o");
    let kept: Vec<&str> = row.log.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(kept, wanted, "the row keeps them, across the reload");
    // Each line names the event recorded right after it.
    let history = h.history("o");
    let next_event = |i: usize| {
        let at = row.log[i].event_id;
        history
            .iter()
            .find(|e| e.event_id == at)
            .map(|e| e.kind.name())
    };
    assert_eq!(next_event(0), Some("TaskScheduled"));
    assert_eq!(next_event(1), Some("TimerCreated"));
    assert_eq!(next_event(2), Some("ExecutionCompleted"));
    assert!(row.log.iter().all(|l| l.instance_id == id("o")));
}

#[test]
fn a_log_line_names_its_execution_across_continue_as_new() {
    let mut r = Registry::new();
    r.orchestration("O", |ctx: OrchestrationContext, round: u32| async move {
        ctx.log(format!("round {round}"));
        if round == 0 {
            ctx.continue_as_new(&1u32).await;
        }
        Ok::<_, TaskError>(())
    });
    let h = Harness::new(r);
    h.start("O", "o", json!(0));
    h.idle();
    let row = h.row("o");
    assert_eq!(row.execution, 1);
    let lines: Vec<(u32, &str)> = row
        .log
        .iter()
        .map(|l| (l.execution, l.message.as_str()))
        .collect();
    assert_eq!(lines, [(0, "round 0"), (1, "round 1")]);
}

#[test]
fn the_log_is_bounded_in_the_row_and_in_memory() {
    let mut r = Registry::new();
    r.orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        for i in 0..29 {
            ctx.log(format!("line {i}"));
        }
        ctx.log("é".repeat(durable::ROW_LOG_CHARS + 100));
        Ok::<_, TaskError>(())
    });
    let options = durable::RuntimeOptions {
        log_capacity: 5,
        ..Default::default()
    };
    let h = Harness::with_options(r, options);
    h.start("O", "o", json!(null));
    h.idle();
    let row = h.row("o");
    assert_eq!(row.log.len(), durable::ROW_LOG_LINES, "the newest lines");
    assert_eq!(row.log[0].message, "line 10");
    let long = &row.log[durable::ROW_LOG_LINES - 1].message;
    assert_eq!(
        long.chars().count(),
        durable::ROW_LOG_CHARS + 1,
        "cut, with an ellipsis"
    );
    assert!(long.ends_with('…'));
    let in_memory = h.rt.take_logs();
    assert_eq!(in_memory.len(), 5, "the runtime keeps log_capacity lines");
    assert_eq!(in_memory[0].message, "line 25");
}

#[test]
fn starting_an_active_id_is_a_clear_error_and_a_finished_one_restarts() {
    let mut r = Registry::new();
    r.orchestration("W", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<()>("go").await
    });
    let h = Harness::new(r);
    let client = h.rt.client();
    h.start("W", "w", json!(null));
    let err = block_on(client.start("W", &id("w"), &())).unwrap_err();
    assert_eq!(
        err,
        ClientError::AlreadyActive {
            id: id("w"),
            status: RuntimeStatus::Pending
        }
    );
    assert_eq!(
        err.to_string(),
        "instance w is already Pending; terminate or purge it before starting it again"
    );
    h.raise("w", "go", json!(null));
    h.idle();
    assert_eq!(h.status("w"), RuntimeStatus::Completed);
    block_on(client.start("W", &id("w"), &())).unwrap();
    assert_eq!(h.status("w"), RuntimeStatus::Pending);
    assert!(h.history("w").is_empty());
}

#[test]
fn raising_to_unknown_or_finished_instances_is_an_error() {
    let mut r = Registry::new();
    r.orchestration("Done", |_ctx: OrchestrationContext, _: ()| async {
        Ok::<_, TaskError>(())
    });
    let h = Harness::new(r);
    let client = h.rt.client();
    assert_eq!(
        block_on(client.raise_event(&id("ghost"), "E", &())),
        Err(ClientError::NotFound(id("ghost")))
    );
    h.start("Done", "d", json!(null));
    h.idle();
    let err = block_on(client.raise_event(&id("d"), "E", &())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "instance d is Completed, so it cannot receive events"
    );
}

#[test]
fn terminate_recursive_suspend_resume_and_purge() {
    let mut r = Registry::new();
    r.orchestration("Leaf", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<()>("never").await
    })
    .orchestration("Root", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_sub_orchestration::<_, ()>("Leaf", &(), Some("leaf"))
            .await
    })
    .orchestration("Tick", |ctx: OrchestrationContext, _: ()| async move {
        let v: u32 = ctx.wait_for_event("n").await?;
        Ok::<_, TaskError>(v)
    });
    let h = Harness::new(r);
    let client = h.rt.client();
    h.start("Root", "root", json!(null));
    h.start("Tick", "tick", json!(null));
    h.idle();
    assert_eq!(h.status("leaf"), RuntimeStatus::Running);

    block_on(client.suspend(&id("tick"), "pause")).unwrap();
    h.idle();
    assert_eq!(h.status("tick"), RuntimeStatus::Suspended);
    h.raise("tick", "n", json!(5));
    h.idle();
    assert_eq!(
        h.status("tick"),
        RuntimeStatus::Suspended,
        "events wait while suspended"
    );
    block_on(client.resume(&id("tick"), "go on")).unwrap();
    h.idle();
    assert_eq!(h.row("tick").output, Some(json!(5)));
    assert_eq!(h.count("tick", "ExecutionSuspended"), 1);
    assert_eq!(h.count("tick", "ExecutionResumed"), 1);

    block_on(client.terminate(&id("root"), "player left", true)).unwrap();
    h.idle();
    for i in ["root", "leaf"] {
        let row = h.row(i);
        assert_eq!(row.status, RuntimeStatus::Terminated, "{i}");
        assert_eq!(row.failure.as_deref(), Some("player left"));
    }
    let err = block_on(client.purge(&id("nonexistent"))).unwrap_err();
    assert_eq!(err, ClientError::NotFound(id("nonexistent")));
    block_on(client.purge(&id("leaf"))).unwrap();
    assert!(block_on(client.status(&id("leaf"))).unwrap().is_none());
    assert!(h.history("leaf").is_empty());
    let n = block_on(client.purge_where(&InstanceQuery::default())).unwrap();
    assert_eq!(n, 2);
    assert!(block_on(client.query(&InstanceQuery::default()))
        .unwrap()
        .instances
        .is_empty());
}

#[test]
fn purge_of_a_running_instance_is_refused() {
    let mut r = Registry::new();
    r.orchestration("W", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<()>("go").await
    });
    let h = Harness::new(r);
    h.start("W", "w", json!(null));
    h.idle();
    let err = block_on(h.rt.client().purge(&id("w"))).unwrap_err();
    assert!(matches!(
        err,
        ClientError::WrongStatus {
            status: RuntimeStatus::Running,
            ..
        }
    ));
    assert_eq!(h.status("w"), RuntimeStatus::Running);
}

#[test]
fn wait_for_completion_and_change_subscription() {
    let mut r = Registry::new();
    r.orchestration("T", |ctx: OrchestrationContext, _: ()| async move {
        ctx.sleep(1_000).await;
        Ok::<_, TaskError>("ok")
    });
    let h = Harness::new(r);
    let client = h.rt.client();
    let sub = client.subscribe();
    h.start("T", "t", json!(null));
    // Times out in clock time while nothing drives the instance.
    let driver = async {
        h.clock.advance(500);
    };
    let (res, ()) = block_on(durable::join2(
        client.wait_for_completion(&id("t"), 100),
        driver,
    ));
    assert_eq!(
        res.unwrap_err(),
        ClientError::Timeout {
            id: id("t"),
            ms: 100
        }
    );
    // Completes once the runtime runs.
    let run = async {
        h.rt.run_until_idle().await.unwrap();
        h.clock.advance(1_000);
        h.rt.run_until_idle().await.unwrap();
    };
    let (res, ()) = block_on(durable::join2(
        client.wait_for_completion(&id("t"), 60_000),
        run,
    ));
    assert_eq!(res.unwrap().output, Some(json!("ok")));
    let statuses: Vec<_> = sub
        .drain()
        .into_iter()
        .filter_map(|c| match c {
            Change::Instance { id, status } if id.as_str() == "t" => status,
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [
            RuntimeStatus::Pending,
            RuntimeStatus::Running,
            RuntimeStatus::Completed
        ]
    );
}

#[test]
fn history_exports_as_json_with_dtfx_event_names() {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Narrate", &"hi").await
    });
    let h = Harness::new(r);
    h.start("O", "o", json!(null));
    h.idle();
    let text = block_on(h.rt.client().export_history(&id("o"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match &e["kind"] {
            Value::String(name) => name.as_str(),
            Value::Object(fields) => fields.keys().next().unwrap().as_str(),
            other => panic!("an event kind, not {other}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "OrchestratorStarted",
            "ExecutionStarted",
            "TaskScheduled",
            "OrchestratorCompleted",
            "OrchestratorStarted",
            "TaskCompleted",
            "ExecutionCompleted",
            "OrchestratorCompleted"
        ]
    );
    assert_eq!(v[5]["kind"]["TaskCompleted"]["scheduled_id"], 2);
}

#[test]
fn a_command_writes_app_records_and_raises_events_atomically() {
    let mut r = Registry::new();
    r.orchestration("W", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<String>("KillMonster").await
    });
    let h = Harness::new(r);
    let client = h.rt.client();
    h.start("W", "w", json!(null));
    h.idle();
    let write = durable::AppWrite::Put {
        store: "game".into(),
        key: "monster".into(),
        value: json!({"alive": false}),
    };
    // Stale read: refused, nothing written, nothing raised.
    let stale = Command::new()
        .write(write.clone())
        .expect_version("game", "monster", Some(3))
        .raise(&id("w"), "KillMonster", &"troll")
        .unwrap();
    assert!(matches!(
        block_on(client.apply(stale)),
        Err(ClientError::Store(_))
    ));
    h.idle();
    assert_eq!(h.status("w"), RuntimeStatus::Running);
    assert!(
        block_on(durable::Store::app_record(&h.store, "game", "monster"))
            .unwrap()
            .is_none()
    );
    // Fresh read: both happen.
    let ok = Command::new()
        .write(write)
        .expect_version("game", "monster", None)
        .raise(&id("w"), "KillMonster", &"troll")
        .unwrap();
    block_on(client.apply(ok)).unwrap();
    h.idle();
    assert_eq!(h.row("w").output, Some(json!("troll")));
}

#[test]
fn compute_time_is_recorded_per_turn_and_per_activity() {
    use std::rc::Rc;
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Narrate", &"x").await
    });
    let clock = durable::VirtualClock::new(0).with_compute_step(0.5);
    let store = durable::InMemoryStore::new();
    let rt = durable::Runtime::new(store.clone(), r, Rc::new(clock.clone()));
    block_on(rt.client().start("O", &id("o"), &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    let row = block_on(durable::Store::instance(&store, &id("o")))
        .unwrap()
        .unwrap();
    assert_eq!(row.turns, 2);
    assert!(row.orchestration_compute_ms > 0.0);
    assert!(row.activity_compute_ms > 0.0);
    let hist = block_on(durable::Store::history(&store, &id("o"))).unwrap();
    let per_turn: f64 = hist
        .iter()
        .filter_map(|e| match e.kind {
            durable::EventKind::OrchestratorCompleted { compute_ms } => Some(compute_ms),
            _ => None,
        })
        .sum();
    assert_eq!(per_turn, row.orchestration_compute_ms);
}
