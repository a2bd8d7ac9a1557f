//! Activities run beside the workflows, not in front of them (guarantees
//! 21–24): a slow or hanging activity stalls no other instance, a timer
//! raced against a slow activity wins, time moves between turns, a panic
//! fails once, a failed attempt writes nothing, and a terminate means no
//! more work. Each test failed on the dispatcher that ran every activity
//! inside its tick.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use durable::testing::{advance, block_on, wait_for_completion};
use durable::{
    select2, ActivityError, Clock, Either, InMemoryStore, InstanceId, OrchestrationContext,
    Registry, RetryPolicy, Runtime, RuntimeOptions, RuntimeStatus, Store, TaskError, VirtualClock,
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

/// `Hang` never ends (a fetch that never answers); `Stuck` awaits it;
/// `Fine` calls a quick activity and sleeps a little.
fn hanging_registry() -> Registry {
    let mut r = Registry::new();
    r.activity("Hang", |_ctx, _: ()| async move {
        std::future::pending::<()>().await;
        Ok::<_, ActivityError>(())
    })
    .activity("Quick", |ctx, line: String| async move {
        ctx.append("console", &line)?;
        Ok::<_, ActivityError>(())
    })
    .orchestration("Stuck", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Hang", &()).await
    })
    .orchestration("Fine", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Quick", &"fine").await?;
        ctx.sleep(10).await;
        Ok::<_, TaskError>("done")
    });
    r
}

fn runtime(registry: Registry, options: RuntimeOptions) -> (Runtime<InMemoryStore>, VirtualClock) {
    let clock = VirtualClock::new(START);
    let rt = Runtime::with_options(
        InMemoryStore::new(),
        registry,
        Rc::new(clock.clone()),
        options,
    );
    (rt, clock)
}

fn status<S: Store + Clone + 'static>(rt: &Runtime<S>, id: &str) -> RuntimeStatus {
    block_on(rt.client().status(&InstanceId::new(id)))
        .unwrap()
        .expect("the instance exists")
        .status
}

/// An activity that never ends keeps only its own instance waiting: an
/// instance started beside it — with the default options, and with fusing
/// and group commit off — runs to completion, timer included.
#[test]
fn a_hanging_activity_stalls_no_other_instance() {
    for options in option_sets() {
        let (rt, clock) = runtime(hanging_registry(), options.clone());
        let client = rt.client();
        block_on(async {
            client
                .start("Stuck", &InstanceId::new("stuck"), &())
                .await
                .unwrap();
            rt.run_until_idle().await.unwrap();
            client
                .start("Fine", &InstanceId::new("fine"), &())
                .await
                .unwrap();
            let row = wait_for_completion(&rt, &clock, &InstanceId::new("fine"), 1_000)
                .await
                .unwrap();
            assert_eq!(
                row.map(|r| r.output),
                Some(Some(json!("done"))),
                "{options:?}"
            );
        });
        assert_eq!(status(&rt, "stuck"), RuntimeStatus::Running);
        assert_eq!(rt.activities_in_flight(), 1, "the hanging attempt runs on");
    }
}

/// `Race` runs `Slow` (500 ms of virtual time) against a 100 ms timer.
fn race_registry(clock: &VirtualClock) -> Registry {
    let mut r = Registry::new();
    let slow_clock = clock.clone();
    r.activity("Slow", move |_ctx, ms: u64| {
        let sleep = slow_clock.sleep(ms);
        async move {
            sleep.await;
            Ok::<_, ActivityError>("activity")
        }
    })
    .orchestration("Race", |ctx: OrchestrationContext, _: ()| async move {
        match select2(
            ctx.call_activity::<_, String>("Slow", &500u64),
            ctx.sleep(100),
        )
        .await
        {
            Either::Left(result) => result,
            Either::Right(()) => Ok("timer".to_string()),
        }
    });
    r
}

/// The timeout pattern: a 100 ms timer raced against an activity of 500 ms
/// wins, and the slow activity's late result changes nothing.
#[test]
fn a_timer_times_out_a_slow_activity() {
    for options in option_sets() {
        let clock = VirtualClock::new(START);
        let rt = Runtime::with_options(
            InMemoryStore::new(),
            race_registry(&clock),
            Rc::new(clock.clone()),
            options,
        );
        let id = InstanceId::new("race");
        block_on(async {
            rt.client().start("Race", &id, &()).await.unwrap();
            advance(&rt, &clock, 1_000).await.unwrap();
        });
        let row = block_on(rt.client().status(&id)).unwrap().unwrap();
        assert_eq!(row.status, RuntimeStatus::Completed);
        assert_eq!(row.output, Some(json!("timer")));
        assert_eq!(clock.now_ms(), START + 1_000, "advance ends where it said");
    }
}

/// Time moves between turns: after an activity that takes 2 s, `now()` in
/// the next turn reads the moment it finished, and a 1 s sleep there lasts
/// 1 s.
#[test]
fn time_moves_while_an_activity_runs() {
    let clock = VirtualClock::new(START);
    let mut r = race_registry(&clock);
    r.orchestration("Times", |ctx: OrchestrationContext, _: ()| async move {
        let before = ctx.now_ms();
        ctx.call_activity::<_, String>("Slow", &2_000u64).await?;
        let after = ctx.now_ms();
        ctx.sleep(1_000).await;
        Ok::<_, TaskError>(vec![before, after, ctx.now_ms()])
    });
    let rt = Runtime::new(InMemoryStore::new(), r, Rc::new(clock.clone()));
    let id = InstanceId::new("times");
    let row = block_on(async {
        rt.client().start("Times", &id, &()).await.unwrap();
        wait_for_completion(&rt, &clock, &id, 10_000).await.unwrap()
    })
    .expect("it completes");
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
    let counted = attempts.clone();
    let mut r = hanging_registry();
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
    for options in option_sets() {
        attempts.set(0);
        let (rt, clock) = runtime(r.clone(), options.clone());
        let client = rt.client();
        block_on(async {
            client
                .start("UsesExplode", &InstanceId::new("u"), &())
                .await
                .unwrap();
            client
                .start("Boom", &InstanceId::new("b"), &())
                .await
                .unwrap();
            client
                .start("Fine", &InstanceId::new("f"), &())
                .await
                .unwrap();
            advance(&rt, &clock, 1_000).await.unwrap();
            // Nothing panics again: the dispatcher goes idle.
            rt.run_until_idle().await.unwrap();
        });
        let row = |id: &str| {
            block_on(client.status(&InstanceId::new(id)))
                .unwrap()
                .unwrap()
        };
        let used = row("u");
        assert_eq!(used.status, RuntimeStatus::Completed, "{options:?}");
        let told = used.output.unwrap();
        assert!(
            told.as_str()
                .unwrap()
                .contains("activity Explode panicked: kaboom"),
            "{told}"
        );
        assert_eq!(attempts.get(), 2, "the retry policy applied");
        let boom = row("b");
        assert_eq!(boom.status, RuntimeStatus::Failed);
        let failure = boom.failure.unwrap();
        assert!(
            failure.contains("orchestration Boom panicked: boom at turn two"),
            "{failure}"
        );
        assert_eq!(row("f").status, RuntimeStatus::Completed);
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
    let (rt, clock) = runtime(r, RuntimeOptions::default());
    let id = InstanceId::new("pay");
    let row = block_on(async {
        rt.client().start("Pay", &id, &()).await.unwrap();
        wait_for_completion(&rt, &clock, &id, 10_000).await.unwrap()
    })
    .expect("it ends");
    assert_eq!(row.status, RuntimeStatus::Failed);
    let history = block_on(rt.client().history(&id)).unwrap();
    let failed = history
        .iter()
        .filter(|e| e.kind.name() == "TaskFailed")
        .count();
    assert_eq!(failed, 3, "three attempts failed");
    assert!(block_on(rt.store().app_records("console"))
        .unwrap()
        .is_empty());
    assert_eq!(
        block_on(rt.store().app_record("payments", "order")).unwrap(),
        None
    );
}

/// A terminate that arrives with the start wins: no code runs (the code
/// here would write and complete at once).
#[test]
fn a_terminate_that_arrives_with_the_start_wins() {
    let mut r = hanging_registry();
    r.orchestration("Eager", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Quick", &"ran").await?;
        Ok::<_, TaskError>("completed")
    });
    for options in option_sets() {
        let (rt, _clock) = runtime(r.clone(), options);
        let id = InstanceId::new("eager");
        block_on(async {
            rt.client().start("Eager", &id, &()).await.unwrap();
            rt.client()
                .terminate(&id, "changed my mind", false)
                .await
                .unwrap();
            rt.run_until_idle().await.unwrap();
        });
        assert_eq!(status(&rt, "eager"), RuntimeStatus::Terminated);
        let history = block_on(rt.client().history(&id)).unwrap();
        assert!(
            !history.iter().any(|e| e.kind.name() == "TaskScheduled"),
            "no code ran: {:?}",
            history.iter().map(|e| e.kind.name()).collect::<Vec<_>>()
        );
        assert!(block_on(rt.store().app_records("console"))
            .unwrap()
            .is_empty());
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
    let options = RuntimeOptions {
        fuse_depth: 0,
        ..RuntimeOptions::default()
    };
    let (rt, _clock) = runtime(r, options);
    let id = InstanceId::new("order");
    block_on(async {
        rt.client().start("Order", &id, &()).await.unwrap();
        rt.tick().await.unwrap(); // the turn that queues Ship
        assert_eq!(rt.store().queued_work(), 1, "Ship is queued");
        rt.client()
            .terminate(&id, "cancelled", false)
            .await
            .unwrap();
        rt.run_until_idle().await.unwrap();
    });
    assert_eq!(status(&rt, "order"), RuntimeStatus::Terminated);
    assert_eq!(runs.get(), 0, "Ship never ran");
    assert!(block_on(rt.store().app_records("console"))
        .unwrap()
        .is_empty());
    assert_eq!(rt.store().queued_work(), 0, "nothing is left queued");
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
    let (rt, _clock) = runtime(r, RuntimeOptions::default());
    let id = InstanceId::new("fetch");
    block_on(async {
        rt.client().start("Fetch", &id, &()).await.unwrap();
        rt.run_until_idle().await.unwrap();
        assert_eq!(rt.activities_in_flight(), 1);
        rt.client().terminate(&id, "stop", false).await.unwrap();
        rt.run_until_idle().await.unwrap();
        // The cancelled attempt ends; its completion finds no task.
        rt.run_until_idle().await.unwrap();
    });
    assert_eq!(status(&rt, "fetch"), RuntimeStatus::Terminated);
    assert_eq!(rt.activities_in_flight(), 0, "the attempt stopped");
    assert!(block_on(rt.store().app_records("console"))
        .unwrap()
        .is_empty());
}
