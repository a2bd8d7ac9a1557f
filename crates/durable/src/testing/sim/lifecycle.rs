//! The lifecycle simulation: seeded programs of client operations on a few
//! instance ids — start (also of an id that is active, finished or
//! purged), raise (also before a start), suspend (repeated), resume,
//! terminate (recursive or not), purge, and a wall clock that moves on or
//! steps back — against `Collector` instances that take events, call
//! activities, sleep on durable timers, retry, call children with default
//! ids, start detached children with explicit ids, bump a shared counter and
//! continue as new carrying their state.
//!
//! Each program runs twice: on the plainest engine, and on a variant drawn
//! from the seed (reloads at random turn boundaries, fusing, group commit,
//! cache, a second executor, events raised through the executing runtime).
//! Both runs must give the same client answers and end in the same state
//! (except that a run raising through the runtime may linearize its turns
//! differently); each must keep the invariants (every
//! history well formed and replaying to its row's status, every activity
//! effect exactly once, the shared counter equal to its increments); and a
//! small reference model predicts every completed collector's output from
//! the events the client accepted: in order, up to the first 0.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{check_history, Executors, SimClock, SimFailure, SplitMix, Variant};
use crate::activity::ActivityError;
use crate::activity_options::ActivityOptions;
use crate::client::{Client, Command};
use crate::clock::Clock;
use crate::context::OrchestrationContext;
use crate::error::{ClientError, TaskError};
use crate::execution::Outcome;
use crate::instance::{InstanceId, RuntimeStatus};
use crate::registry::Registry;
use crate::replay_check::check_replay;
use crate::retry::RetryPolicy;
use crate::store::{AppWrite, InstanceQuery, Store};
use crate::testing::YieldOnce;

/// The instance ids a program works on: few, so they collide.
pub const IDS: [&str; 3] = ["a", "b", "c"];

/// Scheduling steps a run phase may take before it counts as a hang.
const MAX_STEPS: usize = 2_000;

/// What a collector carries from one execution to the next.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Carried {
    /// Which start of the program this instance is (unique per start).
    pub life: u32,
    /// Every event value taken so far, in order.
    pub seen: Vec<u32>,
}

/// The collector: takes `X` events until a 0, doing something durable
/// after each, chosen by the value.
async fn collector(ctx: OrchestrationContext, mut st: Carried) -> Result<Vec<u32>, TaskError> {
    loop {
        let x: u32 = ctx.wait_for_event("X").await?;
        st.seen.push(x);
        let tag = format!("{}/{}", st.life, st.seen.len());
        ctx.call_activity::<_, ()>("Log", &tag).await?;
        if x == 0 {
            return Ok(st.seen);
        }
        match x % 9 {
            1 => ctx.sleep(1_000).await,
            2 => {
                let echoed: String = ctx.call_sub_orchestration("Echo", &tag, None).await?;
                ctx.call_activity::<_, ()>("Log", &format!("{echoed} back"))
                    .await?;
            }
            3 => {
                let kid = format!("{}~{tag}", ctx.instance_id());
                ctx.start_orchestration("Echo", &tag, Some(&kid));
            }
            4 => {
                // Its own retries, numbered, so each attempt knows whether
                // it is the one that fails (after writing).
                for attempt in 1..=3u32 {
                    match ctx.call_activity::<_, u32>("Flaky", &(&tag, attempt)).await {
                        Ok(_) => break,
                        Err(e) if attempt == 3 => return Err(e),
                        Err(_) => ctx.sleep(500).await,
                    }
                }
            }
            5 if st.seen.len() >= 2 => {
                ctx.continue_as_new(&st).await;
            }
            // Activities that end badly: the code goes on with the error.
            6 | 7 => {
                let (name, options) = if x % 9 == 6 {
                    // A panic fails the attempt.
                    ("Panics", ActivityOptions::new())
                } else {
                    // An attempt that would hang times out (at once: a
                    // deadline that does not depend on when a reload
                    // restarts it).
                    ("Stalls", ActivityOptions::new().with_start_to_close(0))
                };
                let options = options.with_retry(RetryPolicy::new(2, 100));
                if let Err(e) = ctx
                    .call_activity_with_options::<_, ()>(name, &tag, options)
                    .await
                {
                    ctx.call_activity::<_, ()>("Log", &format!("{tag}: {e}"))
                        .await?;
                }
            }
            // An activity that stays in flight over several ticks.
            8 => ctx.call_activity::<_, ()>("Crawls", &tag).await?,
            _ => {
                ctx.call_activity::<_, u64>("Bump", &tag).await?;
            }
        }
    }
}

/// What a failed attempt writes to the console: a line that must never
/// commit.
const FAILED_WRITE: &str = "failed attempt of flaky";

/// The orchestrations and activities of the lifecycle programs.
pub fn registry() -> Registry {
    let yields: Rc<RefCell<HashMap<String, usize>>> = Rc::default();
    let mut r = Registry::new();
    r.orchestration("Collector", collector)
        .orchestration(
            "Echo",
            |ctx: OrchestrationContext, tag: String| async move {
                ctx.call_activity::<_, ()>("Log", &format!("echo {tag}"))
                    .await?;
                Ok::<_, TaskError>(format!("echo {tag}"))
            },
        )
        .activity("Log", |ctx, line: String| async move {
            ctx.append("console", &line)?;
            Ok::<_, ActivityError>(())
        })
        // Its first attempt fails after writing (none of which may
        // commit): a retry on a durable timer.
        .activity("Flaky", |ctx, (tag, attempt): (String, u32)| async move {
            let before: u32 = ctx.read("flaky", &tag).await?.unwrap_or(0);
            ctx.put("flaky", &tag, &(before + 1))?;
            if attempt == 1 {
                ctx.append("console", &format!("{FAILED_WRITE} {tag}"))?;
                return Err(ActivityError::Encode {
                    store: "flaky".into(),
                    message: "first attempt fails".into(),
                });
            }
            ctx.append("console", &format!("flaky {tag} {attempt}"))?;
            Ok(before)
        })
        .activity(
            "Bump",
            |ctx, tag: String| async move { bump(&ctx, &tag).await },
        )
        .activity("Panics", |_ctx, tag: String| async move {
            panic_in_activity(&tag)?;
            Ok::<_, ActivityError>(())
        })
        // Never ends unless cancelled (its timeout drops it first).
        .activity("Stalls", |ctx, _tag: String| async move {
            ctx.cancelled().await;
            Ok::<_, ActivityError>(())
        })
        // Yields a few times, then logs: in flight across ticks and
        // lifecycle operations. Like a server that answers in the end, the
        // yields are counted over all its attempts, so one that a reload
        // dropped is not slow again from the start.
        .activity("Crawls", move |ctx, tag: String| {
            let yields = yields.clone();
            async move {
                let owed = 1 + tag.len() % 3;
                while yields.borrow().get(&tag).copied().unwrap_or(0) < owed {
                    *yields.borrow_mut().entry(tag.clone()).or_default() += 1;
                    YieldOnce::new().await;
                }
                ctx.append("console", &format!("crawled {tag}"))?;
                Ok::<_, ActivityError>(())
            }
        });
    r
}

/// Panics, where a panic unwinds (natively, caught by the dispatcher:
/// `resume_unwind` skips the panic hook, so nothing is printed). In wasm a
/// panic aborts the module, so there it fails as the caught panic would.
fn panic_in_activity(tag: &str) -> Result<(), ActivityError> {
    let message = format!("{tag} panicked");
    #[cfg(not(target_arch = "wasm32"))]
    std::panic::resume_unwind(Box::new(message));
    #[cfg(target_arch = "wasm32")]
    Err(ActivityError::Store(crate::StoreError::Other(message)))
}

/// A read-modify-write of the shared counter, logged with its tag.
async fn bump(ctx: &crate::ActivityContext, tag: &str) -> Result<u64, ActivityError> {
    let n: u64 = ctx.read("shared", "n").await?.unwrap_or(0);
    ctx.put("shared", "n", &(n + 1))?;
    ctx.append("bumps", &tag)?;
    Ok(n + 1)
}

/// One client operation of a program.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Start a collector under this id.
    Start(&'static str),
    /// Raise the event `X` with this value to this id.
    Raise(&'static str, u32),
    /// Suspend this id.
    Suspend(&'static str),
    /// Resume this id.
    Resume(&'static str),
    /// Terminate this id; `true`: its running sub-orchestrations too.
    Terminate(&'static str, bool),
    /// Purge this id.
    Purge(&'static str),
    /// Move the wall clock by this many ms (negative: back).
    Clock(i64),
    /// A client read-modify-write of the shared counter.
    ClientBump,
}

/// A program: groups of operations, each group followed by running the
/// engine until it is idle.
pub fn program(seed: u64, groups: usize) -> Vec<Vec<Op>> {
    let mut rng = SplitMix(seed ^ 0x11fe_c7c1e);
    let mut out = Vec::with_capacity(groups);
    for _ in 0..groups {
        let n = 1 + rng.below(3) as usize;
        let mut group = Vec::with_capacity(n);
        for _ in 0..n {
            let id = *rng.pick(&IDS);
            group.push(match rng.below(100) {
                0..=14 => Op::Start(id),
                15..=49 => Op::Raise(id, raised_value(&mut rng)),
                50..=57 => Op::Suspend(id),
                58..=65 => Op::Resume(id),
                66..=70 => Op::Terminate(id, rng.chance(500)),
                71..=76 => Op::Purge(id),
                77..=86 => Op::Clock(rng.below(3_000) as i64),
                87..=91 => Op::Clock(-(rng.below(2_000) as i64)),
                _ => Op::ClientBump,
            });
        }
        out.push(group);
    }
    out
}

/// An event value: 0 (which ends a collector) now and then.
fn raised_value(rng: &mut SplitMix) -> u32 {
    if rng.chance(120) {
        0
    } else {
        1 + rng.below(30) as u32
    }
}

/// (id, name, status, output, failure) of one instance row.
pub type RowSeen = (String, String, RuntimeStatus, Option<Value>, Option<String>);

/// Everything a run shows from outside, compared between runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The client's answer to every operation.
    pub answers: Vec<String>,
    /// The rows of the program's own ids.
    pub rows: Vec<RowSeen>,
    /// (name, status, output) of every other instance (children), sorted.
    pub children: Vec<(String, String, Option<Value>)>,
    /// The console's lines, sorted.
    pub console: Vec<String>,
    /// The shared counter's log (one tag per increment), sorted.
    pub bumps: Vec<String>,
    /// The shared counter's final value.
    pub counter: u64,
}

/// The reference model: which start each id is on, and the event values
/// the client accepted for each start, in order.
#[derive(Default)]
struct Model {
    life_of: HashMap<&'static str, u32>,
    accepted: BTreeMap<u32, Vec<u32>>,
    terminated: HashMap<u32, bool>,
}

impl Model {
    /// What a completed collector of `life` must have returned.
    fn expected_output(&self, life: u32) -> Vec<u32> {
        let all = self.accepted.get(&life).cloned().unwrap_or_default();
        match all.iter().position(|x| *x == 0) {
            Some(end) => all[..=end].to_vec(),
            None => all,
        }
    }
}

/// Whether to tell what a run does (`SIM_VERBOSE=1`, with `--seed`).
fn verbose() -> bool {
    std::env::var("SIM_VERBOSE").is_ok()
}

/// Runs one program on one variant and returns what it showed.
pub async fn run<S, Open, Fut>(
    seed: u64,
    groups: usize,
    variant: Variant,
    open: Open,
) -> Result<Observation, String>
where
    S: Store + Clone + 'static,
    Open: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    let clock = SimClock::new(1_000_000_000);
    let mut rng = SplitMix(seed ^ 0x5c4e_d01e);
    let variant_name = format!("{variant:?}");
    let direct_raise = variant.direct_raise;
    let mut ex = Executors::new(registry(), clock.clone(), variant, open).await;
    let mut model = Model::default();
    let mut answers = Vec::new();
    let mut lives = 0;
    let mut bumps_done = 0;
    for group in program(seed, groups) {
        for op in group {
            let client = ex.first.client();
            // Raising through the runtime, events come from two places, as
            // from this tab and another: odd values through the executing
            // runtime, even ones through a client of its own (which hands
            // nothing to the runtime), so a raise through the runtime may
            // follow one queued by the other.
            let other_tab = Client::new(
                ex.store.clone(),
                std::rc::Rc::new(clock.clone()),
                crate::changes::ChangeFeed::new(),
            );
            let direct = direct_raise.then_some((&ex.first, &other_tab));
            let answer = apply(
                &client,
                direct,
                &clock,
                &op,
                &mut model,
                &mut lives,
                &mut bumps_done,
            )
            .await;
            answers.push(format!("{op:?} -> {answer}"));
        }
        if verbose() {
            eprintln!("{:?}", answers.last());
        }
        ex.settle(&mut rng, MAX_STEPS)
            .await
            .map_err(|e| format!("{e} (after {} reloads)", ex.reloads))?;
    }
    // Every activity of these programs ends (its timeout ends one that
    // would hang), so nothing is left in flight once the engine is idle.
    if ex.attempts_in_flight() > 0 {
        return Err(format!(
            "{} activity attempts are still in flight when idle",
            ex.attempts_in_flight()
        ));
    }
    let observation = observe(&ex.store, answers).await?;
    if verbose() {
        eprintln!("{variant_name}: {observation:#?}");
        for row in ex
            .store
            .query(&InstanceQuery::default())
            .await
            .map_err(|e| e.to_string())?
            .instances
        {
            let h = ex.store.history(&row.id).await.map_err(|e| e.to_string())?;
            eprintln!("{} {}: {}", row.id, row.status, super::describe(&h));
        }
    }
    check_invariants(&ex.store, &observation, bumps_done).await?;
    check_model(&ex.store, &model).await?;
    Ok(observation)
}

/// Applies one operation through the client and tells the model what the
/// client accepted. Returns the client's answer in words.
async fn apply<S: Store + Clone + 'static>(
    client: &Client<S>,
    direct: Option<(&crate::runtime::Runtime<S>, &Client<S>)>,
    clock: &SimClock,
    op: &Op,
    model: &mut Model,
    lives: &mut u32,
    bumps_done: &mut u64,
) -> String {
    let answer = |r: Result<(), ClientError>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    match op {
        Op::Start(id) => {
            let life = *lives + 1;
            let input = Carried {
                life,
                seen: Vec::new(),
            };
            let r = client
                .start("Collector", &InstanceId::new(*id), &input)
                .await;
            if r.is_ok() {
                *lives = life;
                model.life_of.insert(id, life);
            }
            answer(r.map(|_| ()))
        }
        Op::Raise(id, x) => {
            let id = InstanceId::new(*id);
            let r = match direct {
                Some((rt, _)) if x % 2 == 1 => rt.raise_event(&id, "X", x).await,
                Some((_, other_tab)) => other_tab.raise_event(&id, "X", x).await,
                None => client.raise_event(&id, "X", x).await,
            };
            if r.is_ok() {
                if let Some(life) = model.life_of.get(id.as_str()) {
                    model.accepted.entry(*life).or_default().push(*x);
                }
            }
            answer(r)
        }
        Op::Suspend(id) => answer(client.suspend(&InstanceId::new(*id), "sim").await),
        Op::Resume(id) => answer(client.resume(&InstanceId::new(*id), "sim").await),
        Op::Terminate(id, recursive) => {
            let r = client
                .terminate(&InstanceId::new(*id), "sim", *recursive)
                .await;
            if r.is_ok() {
                if let Some(life) = model.life_of.get(id) {
                    model.terminated.insert(*life, true);
                }
            }
            answer(r)
        }
        Op::Purge(id) => {
            let r = client.purge(&InstanceId::new(*id)).await;
            if r.is_ok() {
                model.life_of.remove(id);
            }
            answer(r)
        }
        Op::Clock(d) => {
            clock.set(clock.now_ms().saturating_add_signed(*d));
            "ok".into()
        }
        Op::ClientBump => {
            *bumps_done += 1;
            answer(client_bump(client, &format!("client {bumps_done}")).await)
        }
    }
}

/// A client command that reads the counter and writes it back plus one,
/// guarded by the version read; retried when an activity got there first.
pub async fn client_bump<S: Store + Clone + 'static>(
    client: &Client<S>,
    tag: &str,
) -> Result<(), ClientError> {
    for _ in 0..20 {
        let record = client.store().app_record("shared", "n").await?;
        let n = record.as_ref().and_then(|r| r.value.as_u64()).unwrap_or(0);
        let cmd = Command::new()
            .write(AppWrite::Put {
                store: "shared".into(),
                key: "n".into(),
                value: json!(n + 1),
            })
            .write(AppWrite::Append {
                store: "bumps".into(),
                value: json!(tag),
            })
            .expect_version("shared", "n", record.map(|r| r.version));
        match client.apply(cmd).await {
            Err(ClientError::Store(crate::StoreError::Conflict(_))) => continue,
            other => return other,
        }
    }
    Err(ClientError::Store(crate::StoreError::Conflict(
        "the counter kept changing".into(),
    )))
}

/// Reads what a run shows from outside.
async fn observe<S: Store>(store: &S, answers: Vec<String>) -> Result<Observation, String> {
    let e = |e: crate::StoreError| e.to_string();
    let all = store.query(&InstanceQuery::default()).await.map_err(e)?;
    let mut rows = Vec::new();
    let mut children = Vec::new();
    for r in all.instances {
        if IDS.contains(&r.id.as_str()) {
            rows.push((r.id.0, r.name, r.status, r.output, r.failure));
        } else {
            children.push((r.name, r.status.to_string(), r.output));
        }
    }
    children.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    let strings = |records: Vec<crate::AppRecord>| {
        let mut v: Vec<String> = records
            .into_iter()
            .map(|r| r.value.as_str().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    };
    let counter = store
        .app_record("shared", "n")
        .await
        .map_err(e)?
        .and_then(|r| r.value.as_u64())
        .unwrap_or(0);
    Ok(Observation {
        answers,
        rows,
        children,
        console: strings(store.app_records("console").await.map_err(e)?),
        bumps: strings(store.app_records("bumps").await.map_err(e)?),
        counter,
    })
}

/// What must hold in every run, whatever the variant.
async fn check_invariants<S: Store>(
    store: &S,
    seen: &Observation,
    client_bumps: u64,
) -> Result<(), String> {
    for lines in [&seen.console, &seen.bumps] {
        if let Some(w) = lines.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("an activity's effect committed twice: {:?}", w[0]));
        }
    }
    if let Some(line) = seen.console.iter().find(|l| l.starts_with(FAILED_WRITE)) {
        return Err(format!("a failed attempt's write committed: {line:?}"));
    }
    let flaky = store
        .app_records("flaky")
        .await
        .map_err(|e| e.to_string())?;
    if let Some(r) = flaky.iter().find(|r| r.value.as_u64() != Some(1)) {
        return Err(format!(
            "flaky/{} is {}: a failed attempt's put committed",
            r.key, r.value
        ));
    }
    if seen.counter != seen.bumps.len() as u64 {
        return Err(format!(
            "lost update: the counter is {} after {} increments",
            seen.counter,
            seen.bumps.len()
        ));
    }
    let from_client = seen
        .bumps
        .iter()
        .filter(|b| b.starts_with("client "))
        .count();
    if from_client as u64 != client_bumps {
        return Err(format!(
            "{from_client} of {client_bumps} client increments committed"
        ));
    }
    let all = store
        .query(&InstanceQuery::default())
        .await
        .map_err(|e| e.to_string())?;
    let registry = registry();
    for row in all.instances {
        if !matches!(
            row.status,
            RuntimeStatus::Running
                | RuntimeStatus::Suspended
                | RuntimeStatus::Completed
                | RuntimeStatus::Failed
                | RuntimeStatus::Terminated
        ) {
            return Err(format!("{} is {} when idle", row.id, row.status));
        }
        if row.status == RuntimeStatus::Failed {
            return Err(format!("{} failed: {:?}", row.id, row.failure));
        }
        let history = store.history(&row.id).await.map_err(|e| e.to_string())?;
        check_history(row.id.as_str(), &history)?;
        if history.len() as u64 != row.history_len {
            return Err(format!(
                "{}: row says {} events, history has {}",
                row.id,
                row.history_len,
                history.len()
            ));
        }
        let report = check_replay(&registry, &row.id, &history)
            .map_err(|nd| format!("{} does not replay: {nd}", row.id))?;
        let replayed = match report.outcome {
            None => None,
            Some(Outcome::Completed(v)) => Some((RuntimeStatus::Completed, Some(v))),
            Some(Outcome::Terminated(_)) => Some((RuntimeStatus::Terminated, None)),
            Some(other) => return Err(format!("{} replays to {other:?}", row.id)),
        };
        let stored = match row.status {
            RuntimeStatus::Completed => Some((RuntimeStatus::Completed, row.output.clone())),
            RuntimeStatus::Terminated => Some((RuntimeStatus::Terminated, None)),
            _ => None,
        };
        if replayed != stored {
            return Err(format!(
                "{} replays to {replayed:?}, its row says {stored:?}",
                row.id
            ));
        }
    }
    Ok(())
}

/// The reference model's predictions about the program's own ids.
async fn check_model<S: Store>(store: &S, model: &Model) -> Result<(), String> {
    for id in IDS {
        let Some(life) = model.life_of.get(id) else {
            continue;
        };
        let row = store
            .instance(&InstanceId::new(id))
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{id} (life {life}) is missing"))?;
        let expected = model.expected_output(*life);
        match row.status {
            RuntimeStatus::Completed => {
                let got: Vec<u32> = serde_json::from_value(row.output.unwrap_or_default())
                    .map_err(|e| format!("{id}: output: {e}"))?;
                if got != expected {
                    return Err(format!(
                        "{id} (life {life}) took {got:?}; the client's events were {:?}",
                        model.accepted.get(life)
                    ));
                }
            }
            RuntimeStatus::Terminated if !model.terminated.contains_key(life) => {
                return Err(format!("{id} (life {life}) is Terminated, but never was"));
            }
            RuntimeStatus::Running
                if expected.last() == Some(&0) && !model.terminated.contains_key(life) =>
            {
                // A 0 was accepted: only a timer or a child may still hold
                // it back, never a lost event.
                let history = store.history(&row.id).await.map_err(|e| e.to_string())?;
                let waiting = history.iter().any(|e| {
                    matches!(
                        e.kind,
                        crate::EventKind::TimerCreated { .. }
                            | crate::EventKind::SubOrchestrationInstanceCreated { .. }
                    )
                });
                if !waiting {
                    return Err(format!("{id} (life {life}) got its 0 and still runs"));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Runs `seed` on the reference engine and on the variant the seed draws,
/// and checks that both agree. `open` makes (or reopens) the store of one
/// run: it is called with `true` for a new run's first store.
pub async fn check_seed<S, Open, Fut>(
    seed: u64,
    groups: usize,
    mut open: Open,
) -> Result<(), SimFailure>
where
    S: Store + Clone + 'static,
    Open: FnMut(bool) -> Fut,
    Fut: Future<Output = S>,
{
    let fail = |why: String| SimFailure {
        sim: "lifecycle",
        seed,
        why,
    };
    let mut first = true;
    let reference = run(seed, groups, Variant::reference(), || {
        let fresh = std::mem::replace(&mut first, false);
        open(fresh)
    })
    .await
    .map_err(|e| fail(format!("reference run: {e}")))?;
    // The variant the seed draws, and its mirror image: every switch is
    // tried both ways on every seed.
    let drawn = Variant::drawn(&mut SplitMix(seed));
    let mirrored = Variant {
        fuse: !drawn.fuse,
        group_commit: !drawn.group_commit,
        cache: !drawn.cache,
        direct_raise: !drawn.direct_raise,
        ..drawn.clone()
    };
    for variant in [drawn, mirrored] {
        let mut first = true;
        let varied = run(seed, groups, variant.clone(), || {
            let fresh = std::mem::replace(&mut first, false);
            open(fresh)
        })
        .await
        .map_err(|e| fail(format!("{variant:?}: {e}")))?;
        // A direct raise runs its turn as the operation happens, not when
        // the engine next settles, so it may linearize differently from the
        // reference (an event's turn before a terminate that the reference
        // handles in the same turn): such a run is held to the invariants
        // and the model, which every linearization must keep.
        if reference != varied && !variant.direct_raise {
            return Err(fail(format!(
                "{variant:?} differs from the reference run:\n{}",
                first_difference(&reference, &varied)
            )));
        }
    }
    Ok(())
}

/// The first field in which two observations differ, in words.
pub fn first_difference(a: &Observation, b: &Observation) -> String {
    if let Some(i) =
        (0..a.answers.len().max(b.answers.len())).find(|i| a.answers.get(*i) != b.answers.get(*i))
    {
        return format!(
            "answer {i}: {:?} vs {:?}",
            a.answers.get(i),
            b.answers.get(i)
        );
    }
    if a.rows != b.rows {
        return format!("rows: {:?}\nvs {:?}", a.rows, b.rows);
    }
    if a.children != b.children {
        return format!("children: {:?}\nvs {:?}", a.children, b.children);
    }
    if a.console != b.console {
        return format!("console: {:?}\nvs {:?}", a.console, b.console);
    }
    format!(
        "counter {} / {:?} vs {} / {:?}",
        a.counter, a.bumps, b.counter, b.bumps
    )
}
