//! Deterministic simulation: the five patterns of the game, run once without
//! interruption and once with a simulated reload (every in-memory state
//! dropped, rebuilt from the store) at every turn boundary, plus injected
//! commit failures, over 200 seeds. The outcome must equal the uninterrupted
//! run's, and every activity's app-store write must happen exactly once.

mod common;

use std::rc::Rc;

use durable::testing::block_on;
use durable::{
    join2, select2, when_all, Clock, Either, InMemoryStore, InstanceId, OrchestrationContext,
    Registry, Runtime, RuntimeOptions, RuntimeStatus, Store, TaskError, VirtualClock,
};
use serde_json::{json, Value};

/// splitmix64: the simulation's only source of randomness.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.activity("Write", |ctx, tag: String| async move {
        ctx.append("console", &tag)?;
        Ok::<_, durable::ActivityError>(tag)
    })
    .activity("Check", |ctx, _: ()| async move {
        Ok::<_, durable::ActivityError>(ctx.read::<bool>("game", "won").await?.unwrap_or(false))
    })
    // Fan-out/fan-in: four writes in parallel, then one more.
    .orchestration("FanOut", |ctx: OrchestrationContext, _: ()| async move {
        let parts: Vec<String> =
            when_all((0..4).map(|i| ctx.call_activity("Write", &format!("fan {i}"))))
                .await
                .into_iter()
                .collect::<Result<_, _>>()?;
        ctx.call_activity::<_, String>("Write", &"fan done").await?;
        Ok::<_, TaskError>(json!(parts))
    })
    // Human interaction: an approval races a two-minute window.
    .orchestration("Confirm", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Write", &"confirm asked")
            .await?;
        let r = match select2(
            ctx.wait_for_event::<String>("ApprovalTask"),
            ctx.sleep(120_000),
        )
        .await
        {
            Either::Left(who) => format!("accepted by {}", who?),
            Either::Right(()) => "timed out".to_string(),
        };
        ctx.call_activity::<_, String>("Write", &r).await?;
        Ok::<_, TaskError>(json!(r))
    })
    // Chaining: each step feeds the next.
    .orchestration("Chain", |ctx: OrchestrationContext, _: ()| async move {
        let mut acc = String::from("chain");
        for i in 0..4 {
            acc = ctx.call_activity("Write", &format!("{acc}>{i}")).await?;
        }
        Ok::<_, TaskError>(json!(acc))
    })
    // Monitor: check every 20 s until won or ten minutes have passed.
    .orchestration("Monitor", |ctx: OrchestrationContext, _: ()| async move {
        let end = ctx.now_ms() + 600_000;
        let mut checks = 0;
        while ctx.now_ms() < end {
            checks += 1;
            if ctx.call_activity::<_, bool>("Check", &()).await? {
                ctx.call_activity::<_, String>("Write", &"monitor saw the win")
                    .await?;
                return Ok::<_, TaskError>(json!({"won": true, "checks": checks}));
            }
            ctx.sleep(20_000).await;
        }
        Ok(json!({"won": false, "checks": checks}))
    })
    // Event correlation: both events, in any order.
    .orchestration("Correlate", |ctx: OrchestrationContext, _: ()| async move {
        let (a, b) = join2(
            ctx.wait_for_event::<u32>("KillMonster"),
            ctx.wait_for_event::<u32>("GotTreasure"),
        )
        .await;
        ctx.call_activity::<_, String>("Write", &"correlated")
            .await?;
        Ok::<_, TaskError>(json!(a? + b?))
    });
    r
}

/// What happens from outside, at virtual times: events and a game write.
#[derive(Clone, Debug)]
enum Stimulus {
    Raise(&'static str, &'static str, Value),
    Win,
}

fn scenario(seed: u64) -> Vec<(u64, Stimulus)> {
    let mut rng = Rng(seed);
    let mut s = Vec::new();
    if rng.below(3) > 0 {
        s.push((
            rng.below(200_000),
            Stimulus::Raise("confirm", "ApprovalTask", json!("Ann")),
        ));
    }
    s.push((
        rng.below(100_000),
        Stimulus::Raise("correlate", "KillMonster", json!(1)),
    ));
    s.push((
        rng.below(100_000),
        Stimulus::Raise("correlate", "GotTreasure", json!(2)),
    ));
    if rng.below(2) == 0 {
        s.push((rng.below(800_000), Stimulus::Win));
    }
    s.sort_by_key(|(t, _)| *t);
    s
}

struct Outcome {
    rows: Vec<(String, RuntimeStatus, Option<Value>)>,
    console: Vec<String>,
}

const START: u64 = 1_000_000;

fn run(seed: u64, reload_every_turn: bool) -> Outcome {
    let clock = VirtualClock::new(START);
    let store = InMemoryStore::new();
    let options = RuntimeOptions {
        // One unit per tick: every tick is one turn boundary.
        batch_limit: if reload_every_turn { 1 } else { 10_000 },
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
    let client = rt.client();
    for (name, id) in [
        ("FanOut", "fanout"),
        ("Confirm", "confirm"),
        ("Chain", "chain"),
        ("Monitor", "monitor"),
        ("Correlate", "correlate"),
    ] {
        block_on(client.start(name, &InstanceId::new(id), &())).unwrap();
    }
    let mut stimuli = scenario(seed).into_iter().peekable();
    let mut faults = Rng(seed ^ 0xfa17);
    let horizon = START + 1_000_000;
    loop {
        // Deliver what is due now, then run until idle.
        while let Some((t, _)) = stimuli.peek() {
            if START + *t > clock.now_ms() {
                break;
            }
            let (_, s) = stimuli.next().unwrap();
            match s {
                Stimulus::Raise(id, name, payload) => {
                    // The instance may have finished already: then refused.
                    let _ = block_on(client.raise_event(&InstanceId::new(id), name, &payload));
                }
                Stimulus::Win => block_on(store.commit(durable::CommitBatch {
                    app_writes: vec![durable::AppWrite::Put {
                        store: "game".into(),
                        key: "won".into(),
                        value: json!(true),
                    }],
                    ..Default::default()
                }))
                .unwrap(),
            }
        }
        loop {
            if reload_every_turn && faults.below(7) == 0 {
                store.fail_next_commits(1);
            }
            let r = block_on(rt.tick());
            store.fail_next_commits(0);
            if reload_every_turn {
                rt = make();
            }
            match r {
                Ok(r) if !r.did_work() && r.conflicts == 0 => break,
                _ => {}
            }
        }
        let next_timer = block_on(store.next_due(clock.now_ms())).unwrap();
        let next_stimulus = stimuli.peek().map(|(t, _)| START + t);
        let next = match (next_timer, next_stimulus) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => break,
            },
        };
        if next > horizon {
            break;
        }
        clock.set(next);
    }
    let rows = block_on(store.query(&Default::default()))
        .unwrap()
        .instances
        .into_iter()
        .map(|r| (r.id.0, r.status, r.output))
        .collect();
    let console = block_on(store.app_records("console"))
        .unwrap()
        .into_iter()
        .map(|r| r.value.as_str().unwrap_or_default().to_string())
        .collect();
    Outcome { rows, console }
}

#[test]
fn reload_at_every_turn_boundary_changes_nothing_over_200_seeds() {
    let mut outcomes_seen = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let reference = run(seed, false);
        let reloaded = run(seed, true);
        assert_eq!(
            reference.rows, reloaded.rows,
            "seed {seed}: outcomes differ"
        );
        for (id, status, _) in &reference.rows {
            assert_eq!(
                *status,
                RuntimeStatus::Completed,
                "seed {seed}: {id} did not finish"
            );
        }
        // Exactly once: every write happened once in both runs.
        let mut a = reference.console.clone();
        let mut b = reloaded.console.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "seed {seed}: app writes differ");
        let mut dedup = b.clone();
        dedup.dedup();
        assert_eq!(dedup, b, "seed {seed}: a write happened twice");
        let confirm = reference.rows.iter().find(|r| r.0 == "confirm").unwrap();
        let monitor = reference.rows.iter().find(|r| r.0 == "monitor").unwrap();
        outcomes_seen.insert(format!(
            "{:?}/{:?}",
            confirm.2,
            monitor.2.as_ref().map(|m| m["won"].clone())
        ));
    }
    // The seeds really explore the branches: both confirm outcomes, both
    // monitor endings.
    assert!(outcomes_seen.len() >= 4, "{outcomes_seen:?}");
}
