//! Counterexamples found after the first fifteen — by review of the fixes
//! and of the simulations — one test each. Every test here failed before
//! its fix, for the reason its name gives.

mod common;

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;

use common::{poll_once, stepwise, with_narrate, with_slow_other, Harness};
use durable::testing::block_on;
use durable::testing::sim::SimClock;
use durable::{
    AppWrite, Command, InMemoryStore, InstanceId, OrchestrationContext, Registry, Runtime,
    RuntimeOptions, RuntimeStatus, Store, TaskError,
};
use serde_json::json;

/// Two parents start one explicit child id in the same tick: group commit
/// must not let both starts commit, and neither parent may wait forever.
#[test]
fn two_parents_starting_one_child_id_in_one_tick_both_finish() {
    let mut r = Registry::new();
    r.orchestration("P", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_sub_orchestration::<_, u32>("Kid", &(), Some("kid"))
            .await
    })
    .orchestration("Kid", |_ctx: OrchestrationContext, _: ()| async move {
        Ok::<_, TaskError>(7u32)
    });
    let h = Harness::new(r);
    h.start("P", "p1", json!(null));
    h.start("P", "p2", json!(null));
    h.idle_within(50).unwrap();
    for p in ["p1", "p2"] {
        let row = h.row(p);
        assert!(
            row.status.is_final(),
            "{p} is stuck: {:?} {:?}",
            row.status,
            h.kinds(p)
        );
    }
}

/// A client command that starts one id twice is refused.
#[test]
fn a_command_starting_one_id_twice_is_refused() {
    let mut r = Registry::new();
    r.orchestration("A", |_ctx: OrchestrationContext, _: ()| async move {
        Ok::<_, TaskError>(1u32)
    });
    let h = Harness::new(r);
    let x = InstanceId::new("x");
    let cmd = Command::new()
        .start("A", &x, &())
        .unwrap()
        .start("A", &x, &())
        .unwrap();
    let res = block_on(h.client().apply(cmd));
    assert!(res.is_err(), "starting an active id must be an error");
}

/// A timer created and cancelled in one turn (the event was already
/// there) leaves nothing queued and never fires.
#[test]
fn a_timer_created_and_cancelled_in_one_turn_never_fires() {
    let mut r = Registry::new();
    r.orchestration("W", |ctx: OrchestrationContext, _: ()| async move {
        let a: u32 = ctx.wait_for_event_timeout("E", 1_000).await?;
        let b: u32 = ctx.wait_for_event_timeout("E", 1_000).await?;
        ctx.wait_for_event::<()>("Done").await?;
        Ok::<_, TaskError>(a + b)
    });
    let h = Harness::new(r);
    h.start("W", "w", json!(null));
    h.raise("w", "E", json!(1));
    h.raise("w", "E", json!(2));
    h.idle();
    assert_eq!(
        block_on(h.rt.next_due()).unwrap(),
        None,
        "no timer is armed"
    );
    h.run_for(5_000);
    assert_eq!(h.count("w", "TimerFired"), 0, "{:?}", h.kinds("w"));
}

/// An event the client raised to one life of an id, still queued when that
/// life ended, never reaches the next life.
#[test]
fn an_event_raised_to_an_old_incarnation_never_reaches_the_new_one() {
    let mut r = Registry::new();
    with_slow_other(&mut r).orchestration("W2", |ctx: OrchestrationContext, _: ()| async move {
        let a: u32 = ctx.wait_for_event("E").await?;
        let b: u32 = ctx.wait_for_event("E").await?;
        Ok::<_, TaskError>(vec![a, b])
    });
    let mut h = Harness::with_options(r, stepwise());
    h.pause_in_reads();
    let x = InstanceId::new("x");
    h.start("W2", "x", json!(null));
    h.idle_within(50).unwrap();
    h.start("Other", "other", json!(null));
    block_on(h.rt.tick()).unwrap();
    block_on(h.client().terminate(&x, "stop", false)).unwrap();
    h.reload();
    {
        let mut tick = pin!(h.rt.tick());
        assert!(poll_once(tick.as_mut()).is_none());
        block_on(h.client().raise_event(&x, "E", &1)).unwrap();
        block_on(tick).unwrap();
    }
    assert_eq!(h.status("x"), RuntimeStatus::Terminated);
    h.start("W2", "x", json!(null));
    h.raise("x", "E", json!(2));
    h.raise("x", "E", json!(3));
    h.idle_within(50).unwrap();
    assert_eq!(h.row("x").output, Some(json!([2, 3])));
}

/// A follow-up activity whose result was not admitted into a tick is not
/// run again in that tick (its effects outside the store would repeat).
#[test]
fn a_follow_up_left_out_of_a_tick_is_not_rerun_in_it() {
    let runs = Rc::new(Cell::new(0u32));
    let n = runs.clone();
    let mut r = Registry::new();
    with_narrate(&mut r)
        .activity("Inc", move |ctx, _: ()| {
            let n = n.clone();
            async move {
                n.set(n.get() + 1);
                let v: u64 = ctx.read("game", "n").await?.unwrap_or(0);
                ctx.put("game", "n", &(v + 1))?;
                Ok::<_, durable::ActivityError>(v + 1)
            }
        })
        .orchestration("Two", |ctx: OrchestrationContext, _: ()| async move {
            let c = ctx.clone();
            let chain = async move {
                for i in 0..6 {
                    c.call_activity::<_, String>("Narrate", &format!("{i}"))
                        .await?;
                }
                Ok::<_, TaskError>(0u64)
            };
            let a = ctx.call_activity::<_, u64>("Inc", &());
            let b = ctx.call_activity::<_, u64>("Inc", &());
            let (x, (y, z)) = durable::join2(a, durable::join2(b, chain)).await;
            Ok::<_, TaskError>(x? + y? + z?)
        });
    let h = Harness::new(r);
    h.start("Two", "two", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.app("game", "n"), Some(json!(2)));
    assert!(
        runs.get() <= 3,
        "Inc ran {} times for two calls",
        runs.get()
    );
}

/// Messages held by a suspension fill a whole batch: the work behind them
/// still runs.
#[test]
fn held_messages_do_not_starve_the_work_behind_them() {
    let mut r = Registry::new();
    r.orchestration("Wait", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<u32>("E").await
    });
    let h = Harness::with_options(
        r,
        RuntimeOptions {
            batch_limit: 2,
            ..stepwise()
        },
    );
    let s = InstanceId::new("s");
    h.start("Wait", "s", json!(null));
    h.idle_within(50).unwrap();
    block_on(h.client().suspend(&s, "pause")).unwrap();
    h.idle_within(50).unwrap();
    h.raise("s", "E", json!(1));
    h.raise("s", "E", json!(2));
    h.start("Wait", "t", json!(null));
    h.idle_within(50).unwrap();
    assert_eq!(h.status("t"), RuntimeStatus::Running, "t never started");
}

/// A record deleted and written again while an activity read it: the read
/// is stale, whatever version numbers the new record has.
#[test]
fn a_read_of_a_deleted_and_recreated_record_is_stale() {
    let mut r = Registry::new();
    r.activity("SlowInc", |ctx, _: ()| async move {
        // The tick stops inside the read, after it read the record.
        let v: u64 = ctx.read("game", "n").await?.unwrap_or(0);
        ctx.put("game", "n", &(v + 1))?;
        Ok::<_, durable::ActivityError>(v + 1)
    })
    .orchestration("O", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, u64>("SlowInc", &()).await
    });
    let h = Harness::with_options(r, stepwise());
    h.pause_in_reads();
    let put = |v: u64| AppWrite::Put {
        store: "game".into(),
        key: "n".into(),
        value: json!(v),
    };
    block_on(h.client().apply(Command::new().write(put(5)))).unwrap();
    h.start("O", "o", json!(null));
    block_on(h.rt.tick()).unwrap();
    {
        let mut tick = pin!(h.rt.tick());
        assert!(poll_once(tick.as_mut()).is_none());
        block_on(h.client().apply(Command::new().write(AppWrite::Delete {
            store: "game".into(),
            key: "n".into(),
        })))
        .unwrap();
        block_on(h.client().apply(Command::new().write(put(100)))).unwrap();
        block_on(tick).unwrap();
    }
    h.idle_within(50).unwrap();
    assert_eq!(
        h.app("game", "n"),
        Some(json!(101)),
        "the command's write is lost"
    );
}

/// Orchestration time does not go back across continue-as-new when the
/// wall clock does.
#[test]
fn orchestration_time_never_goes_back_across_continue_as_new() {
    let mut r = Registry::new();
    r.orchestration("T", |ctx: OrchestrationContext, before: u64| async move {
        if before == 0 {
            ctx.continue_as_new(&ctx.now_ms()).await;
            return Ok(0u64);
        }
        Ok::<_, TaskError>(ctx.now_ms())
    });
    let time = SimClock::new(10_000_000);
    let rt = Runtime::with_options(InMemoryStore::new(), r, Rc::new(time.clone()), stepwise());
    let id = InstanceId::new("t");
    block_on(rt.client().start("T", &id, &0u64)).unwrap();
    block_on(rt.tick()).unwrap();
    time.set(9_000_000);
    block_on(rt.run_until_idle()).unwrap();
    let row = block_on(rt.store().instance(&id)).unwrap().unwrap();
    let now = row.output.and_then(|v| v.as_u64()).unwrap();
    assert!(now >= 10_000_000, "time went back to {now}");
}

/// An event an orchestration sends never overtakes one a client raised to
/// the same instance and committed earlier.
#[test]
fn a_sent_event_never_overtakes_an_earlier_raised_one() {
    let mut r = Registry::new();
    r.activity("Slow", |ctx, _: ()| async move {
        ctx.read::<()>("slow", "slow").await?;
        Ok::<_, durable::ActivityError>(())
    })
    .orchestration("Target", |ctx: OrchestrationContext, _: ()| async move {
        let a: u32 = ctx.wait_for_event("E").await?;
        let b: u32 = ctx.wait_for_event("E").await?;
        Ok::<_, TaskError>(vec![a, b])
    })
    .orchestration("Sender", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Slow", &()).await?;
        ctx.send_event(&InstanceId::new("t"), "E", &2);
        Ok::<_, TaskError>(())
    });
    let h = Harness::with_options(r, stepwise());
    h.pause_in_reads();
    let t = InstanceId::new("t");
    h.start("Target", "t", json!(null));
    h.idle_within(50).unwrap();
    h.start("Sender", "a", json!(null));
    block_on(h.rt.tick()).unwrap();
    {
        let mut tick = pin!(h.rt.tick());
        assert!(poll_once(tick.as_mut()).is_none(), "inside Slow");
        block_on(h.client().raise_event(&t, "E", &1)).unwrap();
        block_on(tick).unwrap();
    }
    block_on(h.rt.tick()).unwrap();
    h.idle_within(50).unwrap();
    assert_eq!(h.row("t").output, Some(json!([1, 2])));
}
