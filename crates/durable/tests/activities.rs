//! Activities run beside the workflows, not in front of them (guarantees
//! 21–24): a slow or hanging activity stalls no other instance, a timer
//! raced against a slow activity wins, time moves between turns, a panic
//! fails once, a failed attempt writes nothing, and a terminate means no
//! more work. Each test failed on the dispatcher that ran every activity
//! inside its tick.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::Harness;
use durable::testing::{beside, block_on};
use durable::{
    ActivityError, ActivityOptions, Clock, Crash, InstanceId, OrchestrationContext, Registry,
    RetryPolicy, Running, RuntimeOptions, RuntimeStatus, Store, TaskError, VirtualClock, WorkKind,
};
use serde_json::json;

const START: u64 = 1_000_000;

/// The dispatcher's option sets the issue names: the defaults (fusing and
/// group commit on), and both off.
fn option_sets() -> [RuntimeOptions; 2] {
    [
        RuntimeOptions::default(),
        RuntimeOptions {
            fuse_depth: 0,
            group_commit: false,
            ..RuntimeOptions::default()
        },
    ]
}

/// A harness at `START` whose registry is `beside::registry` on its clock,
/// with `more` registered too.
fn beside_harness(options: RuntimeOptions, more: impl FnOnce(&mut Registry)) -> Harness {
    let clock = VirtualClock::new(START);
    let mut registry = beside::registry(Rc::new(clock.clone()));
    more(&mut registry);
    Harness::on_clock(clock, registry, options)
}

/// An activity that never ends keeps only its own instance waiting: an
/// instance started beside it — with the default options, and with fusing
/// and group commit off — runs to completion, timer included.
#[test]
fn a_hanging_activity_stalls_no_other_instance() {
    for options in option_sets() {
        let h = beside_harness(options.clone(), |_| {});
        h.start("Stuck", "stuck", json!(null));
        h.idle();
        h.start("Fine", "fine", json!(null));
        let row = h.finish("fine", 1_000);
        assert_eq!(
            row.map(|r| r.output),
            Some(Some(json!("done"))),
            "{options:?}"
        );
        assert_eq!(h.status("stuck"), RuntimeStatus::Running);
        assert_eq!(
            h.rt.activities_in_flight(),
            1,
            "the hanging attempt runs on"
        );
    }
}

/// The timeout pattern: a 100 ms timer raced against an activity of 500 ms
/// wins, and the slow activity's late result changes nothing.
#[test]
fn a_timer_times_out_a_slow_activity() {
    for options in option_sets() {
        let h = beside_harness(options, |_| {});
        h.start("Race", "race", json!(null));
        h.advance(1_000);
        let row = h.row("race");
        assert_eq!(row.status, RuntimeStatus::Completed);
        assert_eq!(row.output, Some(json!("timer")));
        assert_eq!(
            h.clock.now_ms(),
            START + 1_000,
            "advance ends where it said"
        );
    }
}

/// Time moves between turns: after an activity that takes 2 s, `now()` in
/// the next turn reads the moment it finished, and a 1 s sleep there lasts
/// 1 s.
#[test]
fn time_moves_while_an_activity_runs() {
    let h = beside_harness(RuntimeOptions::default(), |r| {
        r.orchestration("Times", |ctx: OrchestrationContext, _: ()| async move {
            let before = ctx.now_ms();
            ctx.call_activity::<_, String>("Slow", &2_000u64).await?;
            let after = ctx.now_ms();
            ctx.sleep(1_000).await;
            Ok::<_, TaskError>(vec![before, after, ctx.now_ms()])
        });
    });
    h.start("Times", "times", json!(null));
    let row = h.finish("times", 10_000).expect("it completes");
    assert_eq!(
        row.output,
        Some(json!([START, START + 2_000, START + 3_000]))
    );
}

/// A panic in an activity fails that attempt (its retry policy applies),
/// and a panic in orchestration code fails its instance, once: the next run
/// does not panic again, and an instance started beside them completes.
#[test]
fn a_panic_fails_the_attempt_or_the_instance_once() {
    let attempts = Rc::new(Cell::new(0u32));
    for options in option_sets() {
        attempts.set(0);
        let counted = attempts.clone();
        let h = beside_harness(options.clone(), move |r| {
            r.activity("Explode", move |_ctx, _: ()| {
                counted.set(counted.get() + 1);
                async move {
                    if true {
                        panic!("kaboom");
                    }
                    Ok::<_, ActivityError>(())
                }
            })
            .orchestration(
                "UsesExplode",
                |ctx: OrchestrationContext, _: ()| async move {
                    let policy = RetryPolicy::new(2, 10);
                    match ctx
                        .call_activity_with_retry::<_, ()>("Explode", &(), policy)
                        .await
                    {
                        Ok(()) => Ok("no panic".to_string()),
                        Err(e) => Ok::<_, TaskError>(e.to_string()),
                    }
                },
            )
            .orchestration("Boom", |ctx: OrchestrationContext, _: ()| async move {
                ctx.call_activity::<_, ()>("Quick", &"before").await?;
                if ctx.now_ms() > 0 {
                    panic!("boom at turn two");
                }
                Ok::<_, TaskError>(())
            });
        });
        h.start("UsesExplode", "u", json!(null));
        h.start("Boom", "b", json!(null));
        h.start("Fine", "f", json!(null));
        h.advance(1_000);
        // Nothing panics again: the dispatcher goes idle.
        h.idle();
        let used = h.row("u");
        assert_eq!(used.status, RuntimeStatus::Completed, "{options:?}");
        let told = used.output.unwrap();
        assert!(
            told.as_str()
                .unwrap()
                .contains("activity Explode panicked: kaboom"),
            "{told}"
        );
        assert_eq!(attempts.get(), 2, "the retry policy applied");
        let boom = h.row("b");
        assert_eq!(boom.status, RuntimeStatus::Failed);
        let failure = boom.failure.unwrap();
        assert!(
            failure.contains("orchestration Boom panicked: boom at turn two"),
            "{failure}"
        );
        assert_eq!(h.status("f"), RuntimeStatus::Completed);
    }
}

/// A failed attempt commits none of its app writes: an activity that
/// appends and puts, then fails, under a three-attempt policy, leaves no
/// line and no record.
#[test]
fn a_failed_attempt_keeps_none_of_its_writes() {
    let mut r = Registry::new();
    r.activity("Charge", |ctx, _: ()| async move {
        ctx.append("console", &"charging")
            .map_err(|e| e.to_string())?;
        ctx.put("payments", "order", &"charged")
            .map_err(|e| e.to_string())?;
        Err::<(), _>("the card was declined".to_string())
    })
    .orchestration("Pay", |ctx: OrchestrationContext, _: ()| async move {
        let policy = RetryPolicy::new(3, 10);
        ctx.call_activity_with_retry::<_, ()>("Charge", &(), policy)
            .await
    });
    let h = Harness::new(r);
    h.start("Pay", "pay", json!(null));
    let row = h.finish("pay", 10_000).expect("it ends");
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert_eq!(h.count("pay", "TaskFailed"), 3, "three attempts failed");
    assert!(h.console().is_empty());
    assert_eq!(h.app("payments", "order"), None);
}

/// A terminate that arrives with the start wins: no code runs (the code
/// here would write and complete at once).
#[test]
fn a_terminate_that_arrives_with_the_start_wins() {
    for options in option_sets() {
        let h = beside_harness(options, |r| {
            r.orchestration("Eager", |ctx: OrchestrationContext, _: ()| async move {
                ctx.call_activity::<_, ()>("Quick", &"ran").await?;
                Ok::<_, TaskError>("completed")
            });
        });
        h.start("Eager", "eager", json!(null));
        h.terminate("eager", "changed my mind");
        h.idle();
        assert_eq!(h.status("eager"), RuntimeStatus::Terminated);
        let kinds = h.kinds("eager");
        assert!(!kinds.contains(&"TaskScheduled"), "no code ran: {kinds:?}");
        assert!(h.console().is_empty());
    }
}

/// An activity still queued when its instance is terminated never runs:
/// the terminating commit takes its task off the queue.
#[test]
fn a_terminate_takes_the_instance_s_queued_activities_off_the_queue() {
    let runs = Rc::new(Cell::new(0u32));
    let counted = runs.clone();
    let mut r = Registry::new();
    r.activity("Ship", move |ctx, _: ()| {
        counted.set(counted.get() + 1);
        async move {
            ctx.append("console", &"shipped")?;
            Ok::<_, ActivityError>(())
        }
    })
    .orchestration("Order", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Ship", &()).await
    });
    // One step per tick, so the task is queued when the terminate arrives.
    let h = Harness::with_options(r, common::stepwise());
    h.start("Order", "order", json!(null));
    block_on(h.rt.tick()).unwrap(); // the turn that queues Ship
    assert_eq!(h.store.queued_work(), 1, "Ship is queued");
    h.terminate("order", "cancelled");
    h.idle();
    assert_eq!(h.status("order"), RuntimeStatus::Terminated);
    assert_eq!(runs.get(), 0, "Ship never ran");
    assert!(h.console().is_empty());
    assert_eq!(h.store.queued_work(), 0, "nothing is left queued");
}

/// An activity running when its instance is terminated is told so
/// (`ActivityContext::cancelled`) and nothing of it commits.
#[test]
fn a_terminate_cancels_the_attempt_in_flight() {
    let mut r = Registry::new();
    r.activity("Download", |ctx, _: ()| async move {
        ctx.cancelled().await;
        ctx.append("console", &"after the cancel")?;
        Ok::<_, ActivityError>("stopped")
    })
    .orchestration("Fetch", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Download", &()).await
    });
    let h = Harness::new(r);
    h.start("Fetch", "fetch", json!(null));
    h.idle();
    assert_eq!(h.rt.activities_in_flight(), 1);
    h.terminate("fetch", "stop");
    h.idle();
    // The cancelled attempt ends; its completion finds no task.
    h.idle();
    assert_eq!(h.status("fetch"), RuntimeStatus::Terminated);
    assert_eq!(h.rt.activities_in_flight(), 0, "the attempt stopped");
    assert!(h.console().is_empty());
}
/// An attempt that ends in the tick a terminate arrives in commits none of
/// its writes, though its task is still queued when they meet.
#[test]
fn an_attempt_ending_beside_the_terminate_commits_nothing() {
    let clock = VirtualClock::new(START);
    let sleeps = clock.clone();
    let mut r = Registry::new();
    r.activity("SlowWrite", move |ctx, ms: u64| {
        let sleep = sleeps.sleep(ms);
        async move {
            sleep.await;
            ctx.append("console", &"late write")?;
            Ok::<_, ActivityError>(())
        }
    })
    .orchestration("Writes", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("SlowWrite", &500u64).await
    });
    let h = Harness::on_clock(clock, r, RuntimeOptions::default());
    h.start("Writes", "w", json!(null));
    h.idle();
    assert_eq!(
        h.rt.activities_in_flight(),
        1,
        "SlowWrite waits on the clock"
    );
    h.terminate("w", "stop");
    // SlowWrite ends and the terminate is read in the same tick.
    h.clock.set(START + 500);
    h.idle();
    assert_eq!(h.status("w"), RuntimeStatus::Terminated);
    assert!(h.console().is_empty(), "{:?}", h.console());
}

/// A panic noted from an earlier run (where a panic aborts the module)
/// fails what it interrupted, once, without running it again: the
/// orchestration's instance, or the activity's attempt (the orchestration
/// sees the failure).
#[test]
fn a_noted_crash_fails_what_it_interrupted_instead_of_running_it() {
    let mut h = beside_harness(RuntimeOptions::default(), |r| {
        r.orchestration("Boom", |_ctx: OrchestrationContext, _: ()| async move {
            if true {
                panic!("the code ran again");
            }
            Ok::<_, TaskError>(())
        })
        .orchestration("Calls", |ctx: OrchestrationContext, _: ()| async move {
            match ctx.call_activity::<_, ()>("Hang", &()).await {
                Ok(()) => Ok("ran".to_string()),
                Err(e) => Ok::<_, TaskError>(e.to_string()),
            }
        });
    });
    h.start("Boom", "boom", json!(null));
    h.rt.fail_crashed(Crash {
        running: Running::Orchestration {
            instance: InstanceId::new("boom"),
        },
        message: "kaboom".into(),
    });
    h.start("Calls", "calls", json!(null));
    h.idle();
    assert_eq!(h.status("boom"), RuntimeStatus::Failed);
    assert_eq!(
        h.row("boom").failure.as_deref(),
        Some("orchestration Boom panicked: kaboom")
    );
    // Hang's attempt hangs; the page "crashes" in it and opens again.
    let work = block_on(h.store.ready_work(u64::MAX - 1, 100))
        .unwrap()
        .into_iter()
        .find(|w| matches!(&w.kind, WorkKind::Activity(t) if t.name == "Hang"))
        .expect("Hang is queued")
        .id;
    h.reload();
    h.rt.fail_crashed(Crash {
        running: Running::Activity {
            instance: InstanceId::new("calls"),
            work,
            name: "Hang".into(),
        },
        message: "kaboom".into(),
    });
    h.idle();
    assert_eq!(h.rt.activities_in_flight(), 0, "Hang did not run again");
    let told = h.row("calls").output.unwrap();
    assert!(
        told.as_str()
            .unwrap()
            .contains("activity Hang panicked: kaboom"),
        "{told}"
    );
}

/// A start-to-close timeout fails an attempt that runs past it, and the
/// retry policy applies: an activity that never ends, given 200 ms an
/// attempt and three attempts 50 ms apart, fails with the timeout after
/// three attempts and no hanging attempt is left.
#[test]
fn a_start_to_close_timeout_fails_an_attempt_that_runs_past_it() {
    let h = beside_harness(RuntimeOptions::default(), |r| {
        r.orchestration("Bounded", |ctx: OrchestrationContext, _: ()| async move {
            let options = ActivityOptions::new()
                .with_start_to_close(200)
                .with_retry(RetryPolicy::new(3, 50));
            match ctx
                .call_activity_with_options::<_, ()>("Hang", &(), options)
                .await
            {
                Ok(()) => Ok("ended".to_string()),
                Err(e) => Ok::<_, TaskError>(e.to_string()),
            }
        });
    });
    h.start("Bounded", "bounded", json!(null));
    let row = h.finish("bounded", 10_000).expect("it ends");
    let told = row.output.unwrap();
    assert!(
        told.as_str().unwrap().contains(
            "activity Hang timed out: no result 200 ms after it started (start-to-close timeout)"
        ),
        "{told}"
    );
    assert_eq!(
        h.count("bounded", "TaskFailed"),
        3,
        "{:?}",
        h.kinds("bounded")
    );
    assert_eq!(h.rt.activities_in_flight(), 0);
}
