//! The five workflow patterns of the game, as small orchestrations, and
//! seeded scenarios of what happens to them from outside.
//!
//! Used by the native deterministic simulation and by the browser's reload
//! tests, so both run the very same workflows.

use serde_json::{json, Value};

use crate::combinators::{join2, select2, when_all, Either};
use crate::context::OrchestrationContext;
use crate::error::TaskError;
use crate::registry::Registry;

/// (orchestration name, instance id) of each pattern.
pub const INSTANCES: [(&str, &str); 5] = [
    ("FanOut", "fanout"),
    ("Confirm", "confirm"),
    ("Chain", "chain"),
    ("Monitor", "monitor"),
    ("Correlate", "correlate"),
];

/// The console app store every pattern's `Write` activity appends to.
pub const CONSOLE: &str = "console";

/// Window of the Confirm pattern (ms): how long it waits for the approval.
pub const CONFIRM_WINDOW_MS: u64 = 120_000;
/// Period of the Monitor pattern (ms): how long it sleeps between checks.
pub const MONITOR_PERIOD_MS: u64 = 20_000;
/// How long the Monitor pattern checks before it gives up (ms of orchestration
/// time).
pub const MONITOR_LIMIT_MS: u64 = 600_000;

/// Registers the patterns and their two activities: `Write` (appends its tag
/// to the console: its effect can be counted) and `Check` (reads the game's
/// `won` flag).
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.activity("Write", |ctx, tag: String| async move {
        ctx.append(CONSOLE, &tag)?;
        Ok::<_, crate::ActivityError>(tag)
    })
    .activity("Check", |ctx, _: ()| async move {
        Ok::<_, crate::ActivityError>(ctx.read::<bool>("game", "won").await?.unwrap_or(false))
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
    // Human interaction: an approval races the confirmation window.
    .orchestration("Confirm", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, String>("Write", &"confirm asked")
            .await?;
        let r = match select2(
            ctx.wait_for_event::<String>("ApprovalTask"),
            ctx.sleep(CONFIRM_WINDOW_MS),
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
    // Monitor: check periodically until won or the time limit passes.
    .orchestration("Monitor", |ctx: OrchestrationContext, _: ()| async move {
        let end = ctx.now_ms() + MONITOR_LIMIT_MS;
        let mut checks = 0;
        while ctx.now_ms() < end {
            checks += 1;
            if ctx.call_activity::<_, bool>("Check", &()).await? {
                ctx.call_activity::<_, String>("Write", &"monitor saw the win")
                    .await?;
                return Ok::<_, TaskError>(json!({"won": true, "checks": checks}));
            }
            ctx.sleep(MONITOR_PERIOD_MS).await;
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

/// What happens from outside, at a time after the start.
#[derive(Clone, Debug, PartialEq)]
pub enum Stimulus {
    /// Raise (instance, event, payload).
    Raise(&'static str, &'static str, Value),
    /// The game is won: the `Check` activity sees it.
    Win,
}

/// splitmix64: the scenarios' only source of randomness.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A seeded scenario: stimuli sorted by their time (ms after the start).
pub fn scenario(seed: u64) -> Vec<(u64, Stimulus)> {
    let mut rng = SplitMix(seed);
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

/// How a scenario ended: every instance's (id, status, output), and the
/// console lines in commit order.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioOutcome {
    /// `(id, status, output)` of every instance, in id order.
    pub rows: Vec<(String, crate::RuntimeStatus, Option<Value>)>,
    /// The console's lines, in commit order.
    pub console: Vec<String>,
}

/// Runs the five patterns through the seeded scenario in virtual time.
///
/// With `reload`, every tick handles one unit of work (one turn boundary),
/// and after each tick the runtime is dropped and the store reopened with
/// `open` — everything in memory is gone, as after a page reload — and
/// `fail_next` is applied before some ticks, so commits fail at random
/// points. Without it, one runtime runs uninterrupted.
pub async fn run_scenario<S, Open, Fut>(
    seed: u64,
    reload: bool,
    mut open: Open,
    fail_next: impl Fn(&S, bool),
) -> ScenarioOutcome
where
    S: crate::Store + Clone + 'static,
    Open: FnMut() -> Fut,
    Fut: std::future::Future<Output = S>,
{
    use crate::{Clock, InstanceId, Runtime, RuntimeOptions, VirtualClock};
    use std::rc::Rc;

    const START: u64 = 1_000_000;
    let clock = VirtualClock::new(START);
    let options = RuntimeOptions {
        batch_limit: if reload { 1 } else { 10_000 },
        ..RuntimeOptions::default()
    };
    let mut store = open().await;
    let mut rt = Runtime::with_options(
        store.clone(),
        registry(),
        Rc::new(clock.clone()),
        options.clone(),
    );
    for (name, id) in INSTANCES {
        rt.client()
            .start(name, &InstanceId::new(id), &())
            .await
            .expect("start a pattern");
    }
    let mut stimuli = scenario(seed).into_iter().peekable();
    let mut faults = SplitMix(seed ^ 0xfa17);
    let horizon = START + 1_000_000;
    loop {
        while let Some((t, _)) = stimuli.peek() {
            if START + *t > clock.now_ms() {
                break;
            }
            let Some((_, s)) = stimuli.next() else { break };
            match s {
                // The instance may have finished already: then refused.
                Stimulus::Raise(id, name, payload) => {
                    let _ = rt
                        .client()
                        .raise_event(&InstanceId::new(id), name, &payload)
                        .await;
                }
                Stimulus::Win => store
                    .commit(crate::CommitBatch {
                        app_writes: vec![crate::AppWrite::Put {
                            store: "game".into(),
                            key: "won".into(),
                            value: json!(true),
                        }],
                        ..Default::default()
                    })
                    .await
                    .expect("write the win"),
            }
        }
        loop {
            let inject = reload && faults.below(7) == 0;
            fail_next(&store, inject);
            let r = rt.tick().await;
            fail_next(&store, false);
            if reload {
                store = open().await;
                rt = Runtime::with_options(
                    store.clone(),
                    registry(),
                    Rc::new(clock.clone()),
                    options.clone(),
                );
            }
            match r {
                Ok(r) if !r.did_work() && r.conflicts == 0 => break,
                _ => {}
            }
        }
        let next_timer = store.next_due(clock.now_ms()).await.expect("next due");
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
    let rows = store
        .query(&Default::default())
        .await
        .expect("query")
        .instances
        .into_iter()
        .map(|r| (r.id.0, r.status, r.output))
        .collect();
    let console = store
        .app_records(CONSOLE)
        .await
        .expect("console")
        .into_iter()
        .map(|r| r.value.as_str().unwrap_or_default().to_string())
        .collect();
    ScenarioOutcome { rows, console }
}

/// Checks a reloaded run against the uninterrupted one: same outcomes,
/// every instance finished, every app write exactly once. Panics otherwise.
pub fn assert_same_outcome(seed: u64, reference: &ScenarioOutcome, reloaded: &ScenarioOutcome) {
    assert_eq!(
        reference.rows, reloaded.rows,
        "seed {seed}: outcomes differ"
    );
    for (id, status, _) in &reference.rows {
        assert_eq!(
            *status,
            crate::RuntimeStatus::Completed,
            "seed {seed}: {id} did not finish"
        );
    }
    let mut a = reference.console.clone();
    let mut b = reloaded.console.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "seed {seed}: app writes differ");
    let mut dedup = b.clone();
    dedup.dedup();
    assert_eq!(dedup, b, "seed {seed}: a write happened twice");
}
