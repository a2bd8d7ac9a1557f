//! Deterministic simulation: the five patterns of the game, run once without
//! interruption and once with a simulated reload (every in-memory state
//! dropped, rebuilt from the store) at every turn boundary, plus injected
//! commit failures, over 200 seeds. The outcome must equal the uninterrupted
//! run's, and every activity's app-store write must happen exactly once.

use std::rc::Rc;

use durable::testing::block_on;
use durable::testing::patterns::{registry, scenario, SplitMix, Stimulus, INSTANCES};
use durable::{Clock, InMemoryStore, InstanceId, Runtime, RuntimeOptions, RuntimeStatus, Store, VirtualClock};
use serde_json::{json, Value};

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
    for (name, id) in INSTANCES {
        block_on(client.start(name, &InstanceId::new(id), &())).unwrap();
    }
    let mut stimuli = scenario(seed).into_iter().peekable();
    let mut faults = SplitMix(seed ^ 0xfa17);
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
