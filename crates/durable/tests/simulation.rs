//! Deterministic simulation: the five patterns of the game, run once without
//! interruption and once with a simulated reload (every in-memory state
//! dropped, rebuilt from the store) at every turn boundary, plus injected
//! commit failures, over 200 seeds. The outcome must equal the uninterrupted
//! run's, and every activity's app-store write must happen exactly once.

use durable::testing::block_on;
use durable::testing::patterns::{assert_same_outcome, run_scenario};
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
