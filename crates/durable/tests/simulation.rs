//! Deterministic simulations, native, on the in-memory store.
//!
//! - The five patterns of the game, run once without interruption and once
//!   with a reload (every in-memory state dropped, rebuilt from the store)
//!   at every turn boundary plus injected commit failures: the outcome must
//!   equal the uninterrupted run's, every app write exactly once.
//! - The lifecycle programs (`durable::testing::sim::lifecycle`) and the
//!   multi-writer runs (`durable::testing::sim::writers`), thousands of
//!   seeds each, split over two threads. A failure prints its seed and the
//!   command that replays exactly that seed; `make soak` runs a million.

use durable::testing::block_on;
use durable::testing::patterns::{assert_same_outcome, run_scenario};
use durable::testing::sim::{self, lifecycle_in_memory, writers_in_memory, SimFailure};
use durable::InMemoryStore;

fn run(seed: u64, reload: bool) -> durable::testing::patterns::ScenarioOutcome {
    let store = InMemoryStore::new();
    block_on(run_scenario(
        seed,
        reload,
        || std::future::ready(store.clone()),
        |s: &InMemoryStore, fail| s.fail_next_commits(usize::from(fail)),
    ))
}

#[test]
fn reload_at_every_turn_boundary_changes_nothing_over_200_seeds() {
    let mut outcomes_seen = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let reference = run(seed, false);
        let reloaded = run(seed, true);
        assert_same_outcome(seed, &reference, &reloaded);
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

/// Runs `check` over `seeds` on two threads; panics with the first failure.
fn over_seeds(seeds: std::ops::Range<u64>, check: fn(u64) -> Result<(), SimFailure>) {
    let failures = sim::over_seeds(seeds, 2, usize::MAX, check);
    if let Some(first) = failures.first() {
        panic!(
            "{} of the seeds failed; the first:\n{first}",
            failures.len()
        );
    }
}

/// Seeds per simulation: `default`, or `DURABLE_SIM_SEEDS` (mutation
/// testing runs fewer, to run the suite once per mutant).
fn seeds(default: u64) -> std::ops::Range<u64> {
    let n = std::env::var("DURABLE_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    0..n
}

/// 6,000 lifecycle seeds, each on the reference engine and two variants.
#[test]
fn lifecycle_programs_agree_with_the_reference() {
    over_seeds(seeds(6_000), lifecycle_in_memory);
}

/// 4,000 multi-writer seeds, most with two executors.
#[test]
fn writers_keep_every_update_exactly_once() {
    over_seeds(seeds(4_000), writers_in_memory);
}
