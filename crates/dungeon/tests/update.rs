//! An update in the middle of games, natively: one game paused mid-countdown
//! and one mid-play on this release, then the update drill's release is
//! deployed (the same store, new code). Both old games finish on it, a new
//! game takes every new branch, and no instance fails. The end-to-end
//! suite does the same in the browser, through the service worker.

mod common;

use common::{last_word, win, World};
use dungeon::narration;
use dungeon::workflows::{Release, PATCH_DEEP_BREATH, PATCH_RING_GLOWS, PATCH_WON_LINE};
use durable::testing::block_on;
use durable::{EventKind, InstanceId, RuntimeStatus};

/// Whether the history of `id` recorded the new branch of `change_id`.
fn has_marker(w: &World, id: &str, change_id: &str) -> bool {
    markers(w, id).iter().any(|m| m == change_id)
}

fn markers(w: &World, id: &str) -> Vec<String> {
    block_on(w.rt.client().history(&InstanceId::new(id)))
        .expect("history")
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::MarkerRecorded { change_id } => Some(change_id),
            _ => None,
        })
        .collect()
}

fn finished_without_failure(w: &World, key: &str) {
    w.run_for(60_000);
    assert!(w.universe(key).is_won(), "{key}: {:?}", w.console(key));
    for (name, status) in w.statuses(key) {
        assert_eq!(status, RuntimeStatus::Completed, "{key}'s {name}");
    }
}

#[test]
fn games_in_progress_finish_on_the_next_release_and_new_ones_take_its_branches() {
    let mut w = World::new();
    let paused = block_on(w.game.new_adventurer("Paused")).expect("new");
    w.idle();
    let playing = block_on(w.game.new_adventurer("Playing")).expect("new");
    w.idle();
    w.play(&playing, "confirm").expect("confirm");
    let weapon = last_word(&w.universe(&playing).weapon.expect("weapon").name);
    w.play(&playing, &format!("get {weapon}")).expect("get");

    w.deploy(Release::UpdateDrill);
    win(&w, &paused);
    win(&w, &playing);
    let fresh = block_on(w.game.new_adventurer("Fresh")).expect("new");
    win(&w, &fresh);
    for key in [&paused, &playing, &fresh] {
        finished_without_failure(&w, key);
    }

    // Paused had reached the countdown: its confirmation stays on the old
    // code; its sequential workflow and game monitor started on the new.
    assert!(!has_marker(&w, "paused:confirm", PATCH_RING_GLOWS));
    assert!(has_marker(&w, "paused:sequential", PATCH_DEEP_BREATH));
    assert!(has_marker(&w, "paused:game", PATCH_WON_LINE));
    let console = w.console(&paused);
    assert!(!console.contains(&narration::ring_glows("Paused")));
    assert!(console.contains(&narration::deep_breath("Paused")));
    assert!(console.contains(&narration::has_won_reworded("Paused")));
    // Playing's game monitor was waiting when the update came: it reached
    // the reworded line after it, live, so it takes the new branch.
    assert!(!has_marker(&w, "playing:sequential", PATCH_DEEP_BREATH));
    assert!(has_marker(&w, "playing:game", PATCH_WON_LINE));
    let console = w.console(&playing);
    assert!(!console.contains(&narration::deep_breath("Playing")));
    // The new game takes every new branch.
    assert!(has_marker(&w, "fresh:confirm", PATCH_RING_GLOWS));
    let console = w.console(&fresh);
    for line in [
        narration::ring_glows("Fresh"),
        narration::deep_breath("Fresh"),
        narration::has_won_reworded("Fresh"),
    ] {
        assert!(console.contains(&line), "{line} in {console:#?}");
    }
}
