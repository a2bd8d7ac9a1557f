//! Property: for random orchestration programs (activities, timers, events,
//! when_all / when_any, sub-orchestrations) under random event arrival
//! orders, replaying the recorded history from scratch issues the same
//! actions and reaches the same result as the live run; and a run reloaded
//! at every turn boundary ends exactly like the uninterrupted one.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use durable::testing::block_on;
use durable::{
    check_replay, when_all, when_any, Clock, InMemoryStore, InstanceId, OrchestrationContext,
    Outcome, Registry, Runtime, RuntimeOptions, RuntimeStatus, Store, TaskError, VirtualClock,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Leaf {
    Activity(u32),
    Timer(u64),
    Event(String),
    Sub(u32),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Step {
    One(Leaf),
    All(Vec<Leaf>),
    Any(Vec<Leaf>),
}

fn leaf(
    ctx: &OrchestrationContext,
    l: Leaf,
) -> Pin<Box<dyn Future<Output = Result<Value, TaskError>>>> {
    match l {
        Leaf::Activity(n) => {
            let f = ctx.call_activity::<_, u32>("Echo", &n);
            Box::pin(async move { Ok(json!(f.await?)) })
        }
        Leaf::Timer(ms) => {
            let f = ctx.sleep(ms);
            Box::pin(async move {
                f.await;
                Ok(json!("timer"))
            })
        }
        Leaf::Event(name) => {
            let f = ctx.wait_for_event::<u32>(&name);
            Box::pin(async move { Ok(json!(f.await?)) })
        }
        Leaf::Sub(n) => {
            let f = ctx.call_sub_orchestration::<_, u32>("Child", &n, None);
            Box::pin(async move { Ok(json!(f.await?)) })
        }
    }
}

async fn program(ctx: OrchestrationContext, steps: Vec<Step>) -> Result<Vec<Value>, TaskError> {
    let mut out = Vec::new();
    for step in steps {
        out.push(match step {
            Step::One(l) => leaf(&ctx, l).await?,
            Step::All(ls) => {
                let r: Result<Vec<Value>, TaskError> =
                    when_all(ls.into_iter().map(|l| leaf(&ctx, l)))
                        .await
                        .into_iter()
                        .collect();
                json!(r?)
            }
            Step::Any(ls) => {
                let (i, v) = when_any(ls.into_iter().map(|l| leaf(&ctx, l))).await;
                json!([i, v?])
            }
        });
    }
    Ok(out)
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.activity("Echo", |ctx, n: u32| async move {
        ctx.append("console", &n)?;
        Ok::<_, durable::ActivityError>(n)
    })
    .orchestration("Child", |ctx: OrchestrationContext, n: u32| async move {
        let v: u32 = ctx.call_activity("Echo", &(n + 1000)).await?;
        Ok::<_, TaskError>(v)
    })
    .orchestration("Program", program);
    r
}

fn leaf_strategy() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        (0u32..100).prop_map(Leaf::Activity),
        (1u64..5).prop_map(|s| Leaf::Timer(s * 1000)),
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|n| Leaf::Event(n.to_string())),
        (0u32..100).prop_map(Leaf::Sub),
    ]
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        leaf_strategy().prop_map(Step::One),
        prop::collection::vec(leaf_strategy(), 1..4).prop_map(Step::All),
        prop::collection::vec(leaf_strategy(), 1..4).prop_map(Step::Any),
    ]
}

/// Events raised from outside: (virtual ms after start, name, payload).
fn arrivals() -> impl Strategy<Value = Vec<(u64, String, u32)>> {
    prop::collection::vec(
        (
            0u64..8_000,
            prop::sample::select(vec!["a", "b", "c"]),
            0u32..10,
        ),
        0..8,
    )
    .prop_map(|mut v| {
        v.sort_by_key(|e| e.0);
        v.into_iter()
            .map(|(t, n, p)| (t, n.to_string(), p))
            .collect()
    })
}

struct Run {
    status: RuntimeStatus,
    output: Option<Value>,
    history: Vec<durable::HistoryEvent>,
    /// The console, sorted: every activity's effect, exactly once.
    console: Vec<String>,
}

fn run(steps: &[Step], events: &[(u64, String, u32)], reload: bool) -> Run {
    let clock = VirtualClock::new(0);
    let store = InMemoryStore::new();
    // Reloaded: one unit of work per tick and no fusing, so every turn is
    // its own commit and a reload follows each.
    let options = RuntimeOptions {
        batch_limit: if reload { 1 } else { 10_000 },
        fuse_depth: if reload { 0 } else { 32 },
        ..RuntimeOptions::default()
    };
    let make = || {
        Runtime::with_options(
            store.clone(),
            registry(),
            Rc::new(clock.clone()),
            options.clone(),
        )
    };
    let mut rt = make();
    let id = InstanceId::new("p");
    block_on(rt.client().start("Program", &id, &steps)).unwrap();
    // After the drawn arrivals, enough of every event that no wait is left
    // unanswered: every program must complete.
    let last = events.last().map_or(0, |e| e.0) + 1;
    let enough = ["a", "b", "c"]
        .into_iter()
        .flat_map(|name| (0..12).map(move |_| (last, name.to_string(), 99)));
    let events: Vec<(u64, String, u32)> = events.iter().cloned().chain(enough).collect();
    let mut pending = events.iter().peekable();
    loop {
        while let Some((t, name, payload)) = pending.peek() {
            if *t > clock.now_ms() {
                break;
            }
            let _ = block_on(rt.client().raise_event(&id, name, payload));
            pending.next();
        }
        loop {
            let r = block_on(rt.tick()).unwrap();
            let looked_at_store = rt.last_tick_read_store();
            if reload {
                rt = make();
            }
            if !r.did_work() && looked_at_store {
                break;
            }
            rt.refresh();
        }
        let next = [
            block_on(store.next_due(clock.now_ms())).unwrap(),
            pending.peek().map(|e| e.0),
        ]
        .into_iter()
        .flatten()
        .min();
        match next {
            Some(t) => clock.set(t),
            None => break,
        }
    }
    let row = block_on(store.instance(&id)).unwrap().unwrap();
    Run {
        status: row.status,
        output: row.output,
        history: block_on(store.history(&id)).unwrap(),
        console: {
            let mut lines: Vec<String> = block_on(store.app_records("console"))
                .unwrap()
                .into_iter()
                .map(|r| r.value.to_string())
                .collect();
            lines.sort();
            lines
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn replay_reissues_the_same_actions_and_result(
        steps in prop::collection::vec(step_strategy(), 1..6),
        events in arrivals(),
    ) {
        let live = run(&steps, &events, false);
        // Replay the recorded history from scratch.
        let report = check_replay(&registry(), &InstanceId::new("p"), &live.history).expect("the same code replays its history");
        let recorded_actions = live.history.iter().filter(|e| e.kind.is_action()).count();
        prop_assert_eq!(report.actions, recorded_actions);
        // Every wait was answered: the program completed, and its replay
        // reaches the same result.
        prop_assert_eq!(live.status, RuntimeStatus::Completed);
        match &report.outcome {
            Some(Outcome::Completed(v)) => prop_assert_eq!(Some(v), live.output.as_ref()),
            o => prop_assert!(false, "replay reached {:?}, the live run completed", o),
        }
        // Every completion answers an action recorded before it.
        for e in &live.history {
            if let Some(sid) = e.kind.answers() {
                prop_assert!(sid < e.event_id);
                let answered = &live.history[sid as usize].kind;
                prop_assert!(answered.is_action(), "event {} answers {:?}", e.event_id, answered);
            }
        }
        // And a run reloaded at every turn boundary ends the same.
        let reloaded = run(&steps, &events, true);
        prop_assert_eq!(reloaded.status, live.status);
        prop_assert_eq!(&reloaded.output, &live.output);
        prop_assert_eq!(&reloaded.console, &live.console);
    }
}
