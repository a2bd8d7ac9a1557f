//! Seeded simulations of the runtime, generic over the store: what varies
//! is what breaks engines, not only timing — where a reload falls (any turn
//! boundary: with fusing off every turn is a commit), fusing, group commit
//! and the execution cache on and off, a second executor interleaved with
//! the first, lifecycle operations, read-modify-writes of shared records,
//! continue-as-new, purge and restart, and a clock that steps back.
//!
//! Every run is a pure function of its seed. The native tests run
//! thousands of seeds on the in-memory store, `make soak` a million, and
//! the browser suite a few hundred on IndexedDB with the database reopened
//! at every turn boundary. A failure names its seed and the command that
//! replays exactly that seed ([`replay_command`]).
//!
//! Nothing here is used by the runtime itself.

pub mod lifecycle;
pub mod writers;

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use crate::clock::{Clock, Sleep};
use crate::combinators::join2;
use crate::history::HistoryEvent;
use crate::registry::Registry;
use crate::runtime::{Runtime, RuntimeOptions, TickReport};
use crate::store::Store;

pub use super::patterns::SplitMix;

/// Lifecycle programs are this many groups of operations long natively.
pub const LIFECYCLE_GROUPS: usize = 12;

/// One lifecycle seed on fresh in-memory stores (native tests and soak).
#[cfg(not(target_arch = "wasm32"))]
pub fn lifecycle_in_memory(seed: u64) -> Result<(), SimFailure> {
    caught("lifecycle", seed, || {
        let mut store = crate::InMemoryStore::new();
        super::block_on(lifecycle::check_seed(seed, LIFECYCLE_GROUPS, |fresh| {
            if fresh {
                store = crate::InMemoryStore::new();
            }
            std::future::ready(store.clone())
        }))
    })
}

/// One multi-writer seed on a fresh in-memory store.
#[cfg(not(target_arch = "wasm32"))]
pub fn writers_in_memory(seed: u64) -> Result<(), SimFailure> {
    caught("writers", seed, || {
        let store = crate::InMemoryStore::new();
        super::block_on(writers::check_seed(seed, || {
            std::future::ready(store.clone())
        }))
    })
}

/// `run`'s verdict on `seed`, a panic that escaped the engine included (as
/// a failure of that seed, not a lost thread).
#[cfg(not(target_arch = "wasm32"))]
fn caught(
    sim: &'static str,
    seed: u64,
    run: impl FnOnce() -> Result<(), SimFailure>,
) -> Result<(), SimFailure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|payload| {
        Err(SimFailure {
            sim,
            seed,
            why: format!(
                "a panic escaped: {}",
                crate::running::panic_message(payload.as_ref())
            ),
        })
    })
}

/// Runs `check` over `seeds` on `threads` threads (seed `i` on thread
/// `i % threads`) and returns the first failures, at most `keep` of them
/// per thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn over_seeds(
    seeds: std::ops::Range<u64>,
    threads: u64,
    keep: usize,
    check: fn(u64) -> Result<(), SimFailure>,
) -> Vec<SimFailure> {
    let threads = threads.max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let seeds = seeds.clone();
                s.spawn(move || {
                    (seeds.start + t..seeds.end)
                        .step_by(threads as usize)
                        .filter_map(|seed| check(seed).err())
                        .take(keep)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // A thread that panicked lost its seeds: that must not pass.
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// The command that replays one seed of one simulation exactly.
pub fn replay_command(sim: &str, seed: u64) -> String {
    format!("cargo run --release -p durable --example soak -- --sim {sim} --seed {seed}")
}

/// A simulation's verdict on one seed: why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct SimFailure {
    /// The simulation's name, as `--sim` takes it (`lifecycle`, `writers`).
    pub sim: &'static str,
    /// The seed that failed.
    pub seed: u64,
    /// What went wrong.
    pub why: String,
}

impl std::fmt::Display for SimFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} seed {} failed: {}\n  replay: {}",
            self.sim,
            self.seed,
            self.why,
            replay_command(self.sim, self.seed)
        )
    }
}

/// A wall clock the simulation sets by hand, backwards too.
#[derive(Clone, Default)]
pub struct SimClock(Rc<Cell<u64>>);

impl SimClock {
    /// A clock reading `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        SimClock(Rc::new(Cell::new(start_ms)))
    }

    /// Sets the time, forward or back.
    pub fn set(&self, ms: u64) {
        self.0.set(ms);
    }
}

impl Clock for SimClock {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
    fn monotonic_ms(&self) -> f64 {
        self.0.get() as f64
    }
    fn sleep(&self, _ms: u64) -> Sleep {
        Box::pin(std::future::ready(()))
    }
}

impl SplitMix {
    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One of `items`, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// How one run is set up: the engine's switches and what happens to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Fuse an activity and the next turn into one commit.
    pub fuse: bool,
    /// Commit the units of a tick together.
    pub group_commit: bool,
    /// Keep live executions in memory between turns.
    pub cache: bool,
    /// Chance (per mille) of a reload before each scheduling step.
    pub reload_per_mille: u64,
    /// A second executor on the same store, interleaved with the first.
    pub second_executor: bool,
    /// Events raised through the executing runtime (`Runtime::raise_event`:
    /// an event to a live instance commits with its turn), not the client.
    pub direct_raise: bool,
    /// Most activity attempts in flight at once (1: one at a time).
    pub activity_concurrency: usize,
}

impl Variant {
    /// The plainest engine: one executor, one step per commit, no reloads.
    pub fn reference() -> Self {
        Variant {
            fuse: false,
            group_commit: false,
            cache: true,
            reload_per_mille: 0,
            second_executor: false,
            direct_raise: false,
            activity_concurrency: RuntimeOptions::default().activity_concurrency,
        }
    }

    /// A variant drawn from the seed.
    pub fn drawn(rng: &mut SplitMix) -> Self {
        Variant {
            fuse: rng.chance(500),
            group_commit: rng.chance(500),
            cache: rng.chance(500),
            reload_per_mille: *rng.pick(&[0, 100, 300, 1000]),
            second_executor: rng.chance(300),
            direct_raise: rng.chance(500),
            activity_concurrency: *rng.pick(&[
                1,
                2,
                RuntimeOptions::default().activity_concurrency,
            ]),
        }
    }

    /// The runtime options of this variant.
    pub fn options(&self) -> RuntimeOptions {
        RuntimeOptions {
            fuse_depth: if self.fuse { 32 } else { 0 },
            group_commit: self.group_commit,
            cache_capacity: if self.cache { 10_000 } else { 0 },
            activity_concurrency: self.activity_concurrency,
            ..RuntimeOptions::default()
        }
    }
}

/// The executors of one run over one store, and how a reload happens.
pub struct Executors<S: Store + Clone + 'static, Open> {
    /// The store the executors run on (reopened at each reload).
    pub store: S,
    registry: Registry,
    clock: SimClock,
    variant: Variant,
    open: Open,
    /// The executor every run has; a reload may replace it.
    pub first: Runtime<S>,
    second: Option<Runtime<S>>,
    /// Scheduling steps taken, for failure messages.
    pub steps: usize,
    /// Reloads done, for failure messages.
    pub reloads: usize,
}

impl<S, Open, Fut> Executors<S, Open>
where
    S: Store + Clone + 'static,
    Open: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    /// Opens the store and builds the executors `variant` asks for, on `clock`.
    pub async fn new(
        registry: Registry,
        clock: SimClock,
        variant: Variant,
        mut open: Open,
    ) -> Self {
        let store = open().await;
        let runtime = |s: &S| {
            Runtime::with_options(
                s.clone(),
                registry.clone(),
                Rc::new(clock.clone()),
                variant.options(),
            )
        };
        let first = runtime(&store);
        let second = variant.second_executor.then(|| runtime(&store));
        Executors {
            store,
            registry,
            clock,
            variant,
            open,
            first,
            second,
            steps: 0,
            reloads: 0,
        }
    }

    /// A page reload: the store is reopened, and one executor starts over
    /// with nothing in memory.
    pub async fn reload(&mut self, rng: &mut SplitMix) {
        self.store = (self.open)().await;
        self.reloads += 1;
        let fresh = Runtime::with_options(
            self.store.clone(),
            self.registry.clone(),
            Rc::new(self.clock.clone()),
            self.variant.options(),
        );
        match &mut self.second {
            Some(second) if rng.chance(500) => *second = fresh,
            _ => self.first = fresh,
        }
    }

    /// One scheduling step: a tick of one executor, or of both at once
    /// (their activities interleave). Returns whether anything happened;
    /// `false` means both looked at the store and found nothing to do.
    pub async fn step(&mut self, rng: &mut SplitMix) -> Result<bool, String> {
        self.steps += 1;
        if rng.chance(self.variant.reload_per_mille) {
            self.reload(rng).await;
        }
        // An attempt that woke (it yields) or ended has work for a tick.
        let busy = |r: &TickReport, rt: &Runtime<S>| {
            r.did_work() || r.conflicts > 0 || rt.has_activity_news()
        };
        let did = match &self.second {
            None => {
                let r = self.first.tick().await.map_err(|e| e.to_string())?;
                busy(&r, &self.first)
            }
            Some(second) => match rng.below(3) {
                0 => {
                    let r = self.first.tick().await.map_err(|e| e.to_string())?;
                    busy(&r, &self.first)
                }
                1 => busy(&second.tick().await.map_err(|e| e.to_string())?, second),
                _ => {
                    let (a, b) = join2(self.first.tick(), second.tick()).await;
                    let a = a.map_err(|e| e.to_string())?;
                    let b = b.map_err(|e| e.to_string())?;
                    busy(&a, &self.first) || busy(&b, second)
                }
            },
        };
        if did {
            return Ok(true);
        }
        // Idle only if every executor, reading the store, finds nothing.
        for rt in std::iter::once(&self.first).chain(self.second.as_ref()) {
            rt.refresh();
            if busy(&rt.tick().await.map_err(|e| e.to_string())?, rt) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Activity attempts in flight on every executor.
    pub fn attempts_in_flight(&self) -> usize {
        std::iter::once(&self.first)
            .chain(self.second.as_ref())
            .map(Runtime::activities_in_flight)
            .sum()
    }

    /// Steps until idle; an engine that is not idle after `max_steps` has
    /// work refused or redone forever.
    pub async fn settle(&mut self, rng: &mut SplitMix, max_steps: usize) -> Result<(), String> {
        for _ in 0..max_steps {
            if !self.step(rng).await? {
                return Ok(());
            }
        }
        Err(format!("not idle after {max_steps} scheduling steps"))
    }
}

/// Checks the shape of one stored history: event ids 0, 1, 2 … in order,
/// orchestration time never going back, and no scheduled event answered
/// twice (one completion per task, timer and child).
pub fn check_history(id: &str, history: &[HistoryEvent]) -> Result<(), String> {
    check_history_shape(id, history)
        .map_err(|why| format!("{why}\n  history: {}", describe(history)))
}

/// A history in one line: `id:Kind` per event.
pub fn describe(history: &[HistoryEvent]) -> String {
    let events: Vec<String> = history
        .iter()
        .map(|e| format!("{}:{}", e.event_id, e.kind.name()))
        .collect();
    events.join(" ")
}

fn check_history_shape(id: &str, history: &[HistoryEvent]) -> Result<(), String> {
    let mut answered = std::collections::HashSet::new();
    for (i, e) in history.iter().enumerate() {
        if e.event_id != i as u64 {
            return Err(format!("{id}: event {i} has id {}", e.event_id));
        }
        if i > 0 && e.timestamp_ms < history[i - 1].timestamp_ms {
            return Err(format!("{id}: time goes back at event {i}"));
        }
        if let Some(s) = e.kind.answers() {
            if !answered.insert(s) {
                return Err(format!("{id}: event {s} is answered twice (event {i})"));
            }
        }
    }
    Ok(())
}
