//! The multi-writer simulation: instances whose activities read-modify-
//! write a few shared counters in `when_all` fan-outs and append to logs
//! they also read whole, client commands that read-modify-write the same
//! counters between ticks, and — with two executors interleaved by the
//! seed and activities that yield — suspend, resume and terminate while
//! activities are in flight.
//!
//! What must hold, whatever the variant: every counter equals the
//! increments committed for it; every log entry appears exactly once; every
//! note saw every note committed before it; no task is answered twice; and
//! the engine goes idle (no refused commit repeats forever).

use std::collections::BTreeMap;
use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::testing::YieldOnce;

use super::{check_history, Executors, SimClock, SimFailure, SplitMix, Variant};
use crate::activity::ActivityError;
use crate::client::{Client, Command};
use crate::combinators::when_all;
use crate::context::OrchestrationContext;
use crate::error::{ClientError, TaskError};
use crate::instance::{InstanceId, RuntimeStatus};
use crate::registry::Registry;
use crate::store::{AppWrite, InstanceQuery, Store, StoreError};

/// The shared counters.
pub const KEYS: [&str; 3] = ["k0", "k1", "k2"];

const MAX_STEPS: usize = 5_000;

/// One writer's plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// The writer's name, the start of its log entries and notes.
    pub tag: String,
    /// Per round, the counters its fan-out increments.
    pub rounds: Vec<Vec<String>>,
    /// Whether its activities yield once (so executors interleave).
    pub yields: bool,
}

/// An increment: which counter, the entry that records it, and whether
/// the activity yields before it reads.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Inc {
    key: String,
    entry: String,
    yields: bool,
}

async fn writer(ctx: OrchestrationContext, plan: Plan) -> Result<usize, TaskError> {
    let mut done = 0;
    for (r, keys) in plan.rounds.iter().enumerate() {
        let incs = keys.iter().enumerate().map(|(i, key)| Inc {
            key: key.clone(),
            entry: format!("{}/{r}/{i}", plan.tag),
            yields: plan.yields,
        });
        let calls: Vec<_> = incs
            .map(|inc| ctx.call_activity::<_, u64>("Inc", &inc))
            .collect();
        for result in when_all(calls).await {
            result?;
            done += 1;
        }
        ctx.call_activity::<_, usize>("Note", &format!("{}/{r}", plan.tag))
            .await?;
    }
    Ok(done)
}

/// The writers' orchestration and activities.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.orchestration("Writer", writer)
        .activity("Inc", |ctx, inc: Inc| async move {
            if inc.yields {
                YieldOnce(false).await;
            }
            let n: u64 = ctx.read("counters", &inc.key).await?.unwrap_or(0);
            ctx.put("counters", &inc.key, &(n + 1))?;
            ctx.append("incs", &json!({"key": inc.key, "entry": inc.entry}))?;
            Ok::<_, ActivityError>(n + 1)
        })
        // Reads the whole notes log and appends one more, numbered by how
        // many it saw: it must see every note committed before it.
        .activity("Note", |ctx, entry: String| async move {
            let seen = ctx.read_all::<Value>("notes").await?.len();
            ctx.append("notes", &json!({"n": seen, "entry": entry}))?;
            Ok::<_, ActivityError>(seen)
        });
    r
}

/// What happens between scheduling steps.
#[derive(Clone, Debug, PartialEq)]
enum Between {
    Nothing,
    ClientInc(&'static str),
    Suspend(usize),
    Resume(usize),
    Terminate(usize),
}

/// Runs one seed: a few writers, the engine stepped with client commands
/// and lifecycle operations between steps, then the checks.
pub async fn run<S, Open, Fut>(seed: u64, variant: Variant, open: Open) -> Result<(), String>
where
    S: Store + Clone + 'static,
    Open: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    let mut rng = SplitMix(seed ^ 0x0371_7e45);
    let clock = SimClock::new(2_000_000_000);
    let mut ex = Executors::new(registry(), clock, variant, open).await;
    let writers = 1 + rng.below(4) as usize;
    for w in 0..writers {
        let rounds = (0..1 + rng.below(3))
            .map(|_| {
                (0..1 + rng.below(3))
                    .map(|_| rng.pick(&KEYS).to_string())
                    .collect()
            })
            .collect();
        let plan = Plan {
            tag: format!("w{w}"),
            rounds,
            yields: rng.chance(500),
        };
        ex.first
            .client()
            .start("Writer", &InstanceId::new(format!("w{w}")), &plan)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mut client_incs = 0;
    let mut idle = false;
    for _ in 0..MAX_STEPS {
        let between = match rng.below(20) {
            0..=2 => Between::ClientInc(KEYS[rng.below(KEYS.len() as u64) as usize]),
            3 => Between::Suspend(rng.below(writers as u64) as usize),
            4 => Between::Resume(rng.below(writers as u64) as usize),
            5 if rng.chance(200) => Between::Terminate(rng.below(writers as u64) as usize),
            _ => Between::Nothing,
        };
        let client = ex.first.client();
        match between {
            Between::ClientInc(key) => {
                client_incs += 1;
                client_inc(&client, key, &format!("client {client_incs}")).await?;
            }
            Between::Suspend(w) => {
                let _ = client
                    .suspend(&InstanceId::new(format!("w{w}")), "sim")
                    .await;
            }
            Between::Resume(w) => {
                let _ = client
                    .resume(&InstanceId::new(format!("w{w}")), "sim")
                    .await;
            }
            Between::Terminate(w) => {
                let _ = client
                    .terminate(&InstanceId::new(format!("w{w}")), "sim", false)
                    .await;
            }
            Between::Nothing => {}
        }
        if !ex.step(&mut rng).await? {
            // Idle: resume whatever is suspended, and go on until nothing
            // is left but finished writers.
            let mut resumed = false;
            for w in 0..writers {
                let id = InstanceId::new(format!("w{w}"));
                resumed |= client.resume(&id, "sim").await.is_ok();
            }
            if !resumed {
                idle = true;
                break;
            }
        }
    }
    if !idle {
        return Err(format!(
            "not idle after {MAX_STEPS} steps ({} reloads)",
            ex.reloads
        ));
    }
    check(&ex.store, writers, client_incs).await
}

/// A client read-modify-write of one counter, logged with the increment.
async fn client_inc<S: Store + Clone + 'static>(
    client: &Client<S>,
    key: &str,
    entry: &str,
) -> Result<(), String> {
    for _ in 0..20 {
        let record = client
            .store()
            .app_record("counters", key)
            .await
            .map_err(|e| e.to_string())?;
        let n = record.as_ref().and_then(|r| r.value.as_u64()).unwrap_or(0);
        let cmd = Command::new()
            .write(AppWrite::Put {
                store: "counters".into(),
                key: key.into(),
                value: json!(n + 1),
            })
            .write(AppWrite::Append {
                store: "incs".into(),
                value: json!({"key": key, "entry": entry}),
            })
            .expect_version("counters", key, record.map(|r| r.version));
        match client.apply(cmd).await {
            Ok(()) => return Ok(()),
            Err(ClientError::Store(StoreError::Conflict(_))) => continue,
            Err(e) => return Err(e.to_string()),
        }
    }
    Err(format!("client increment of {key} refused 20 times"))
}

/// The checks of one run.
async fn check<S: Store>(store: &S, writers: usize, client_incs: usize) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    let incs = store.app_records("incs").await.map_err(e)?;
    let mut per_key: BTreeMap<String, u64> = BTreeMap::new();
    let mut entries = std::collections::HashSet::new();
    for r in &incs {
        let key = r.value["key"].as_str().unwrap_or_default().to_string();
        *per_key.entry(key).or_default() += 1;
        let entry = r.value["entry"].as_str().unwrap_or_default().to_string();
        if !entries.insert(entry.clone()) {
            return Err(format!("increment {entry} committed twice"));
        }
    }
    for key in KEYS {
        let value = store
            .app_record("counters", key)
            .await
            .map_err(e)?
            .and_then(|r| r.value.as_u64())
            .unwrap_or(0);
        let logged = per_key.get(key).copied().unwrap_or(0);
        if value != logged {
            return Err(format!(
                "lost update: {key} is {value} after {logged} increments"
            ));
        }
    }
    let from_clients = entries.iter().filter(|e| e.starts_with("client ")).count();
    if from_clients != client_incs {
        return Err(format!(
            "{from_clients} of {client_incs} client increments committed"
        ));
    }
    let notes = store.app_records("notes").await.map_err(e)?;
    let mut numbers: Vec<u64> = notes.iter().filter_map(|r| r.value["n"].as_u64()).collect();
    numbers.sort_unstable();
    if numbers != (0..notes.len() as u64).collect::<Vec<_>>() {
        return Err(format!(
            "a note missed an earlier one: numbered {numbers:?}"
        ));
    }
    let rows = store.query(&InstanceQuery::default()).await.map_err(e)?;
    for w in 0..writers {
        let id = format!("w{w}");
        let row = rows
            .instances
            .iter()
            .find(|r| r.id.as_str() == id)
            .ok_or_else(|| format!("{id} is missing"))?;
        if !matches!(
            row.status,
            RuntimeStatus::Completed | RuntimeStatus::Terminated
        ) {
            return Err(format!("{id} is {} when idle", row.status));
        }
        let history = store.history(&row.id).await.map_err(e)?;
        check_history(&id, &history)?;
    }
    Ok(())
}

/// Runs `seed` on the variant it draws.
pub async fn check_seed<S, Open, Fut>(seed: u64, open: Open) -> Result<(), SimFailure>
where
    S: Store + Clone + 'static,
    Open: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    let mut rng = SplitMix(seed);
    let mut variant = Variant::drawn(&mut rng);
    // Two executors in most writer runs: that is what they are for.
    variant.second_executor = rng.chance(700);
    run(seed, variant.clone(), open)
        .await
        .map_err(|why| SimFailure {
            sim: "writers",
            seed,
            why: format!("{variant:?}: {why}"),
        })
}
