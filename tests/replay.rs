//! An adventure replayed from its journal, on IndexedDB in headless
//! Chromium: a won game, recorded live at five moments, replays to each of
//! them exactly — universe, console and inventory — and a forgotten game
//! leaves no journal.

#![cfg(target_arch = "wasm32")]

use dungeon::storage::{console_store, GAME, NAMES};
use dungeon::{ConsoleLine, Universe};
use durable::Store;
use durable_dungeon::testing::{command_word, HandDrivenGame};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The game as the page would show it now.
async fn live<S: Store + Clone + 'static>(
    game: &dungeon::Game<S>,
    key: &str,
) -> (Universe, Vec<ConsoleLine>) {
    let universe = game.universe(key).await.expect("read").expect("a universe");
    (universe, game.console(key).await.expect("read"))
}

#[wasm_bindgen_test]
async fn a_won_game_replays_to_five_moments_recorded_live_and_a_forgotten_one_leaves_no_journal() {
    let world = HandDrivenGame::open(&format!("replay-test-{}", js_sys::Math::random())).await;
    // The monitor looks every 50 ms, so the won game's workflows all end
    // soon after the win.
    let config = dungeon::GameConfig {
        monitor_interval_ms: 50,
        ..Default::default()
    };
    let game = &dungeon::Game::new(world.runtime.client(), config);
    let runtime = &world.runtime;
    let key = game
        .new_adventurer("Rewind")
        .await
        .expect("a new adventurer");
    runtime.run_until_idle().await.expect("run");
    let mut recorded = vec![live(game, &key).await];
    game.command(&key, "confirm").await.expect("confirm");
    runtime.run_until_idle().await.expect("run");
    recorded.push(live(game, &key).await);
    let u = recorded[1].0.clone();
    let weapon = command_word(&u.weapon.clone().expect("a weapon").name);
    let monster = command_word(&u.monster.clone().expect("a monster").name);
    let treasure = command_word(&u.treasure.clone().expect("a treasure").name);
    for line in [
        format!("get {weapon}"),
        format!("kill {monster} with {weapon}"),
        format!("get {treasure}"),
    ] {
        game.command(&key, &line).await.expect(&line);
        runtime.run_until_idle().await.expect("run");
        recorded.push(live(game, &key).await);
    }
    assert!(recorded[4].0.is_won(), "the game is won");
    assert!(recorded[3].0.monster.as_ref().is_some_and(|m| !m.alive));
    assert!(
        recorded[2].0.monster.as_ref().is_some_and(|m| m.alive),
        "before the kill"
    );

    let replay = game.replay(&key).await.expect("the replay");
    // Each moment recorded live is a moment of the replay, in order: its
    // universe (inventory included) and its console exactly.
    let mut from = 0;
    for (n, (universe, console)) in recorded.iter().enumerate() {
        let at = (from..replay.moments.len())
            .find(|&i| {
                replay.moments[i].universe.as_ref() == Some(universe)
                    && replay.console_at(i) == console.as_slice()
            })
            .unwrap_or_else(|| {
                panic!("moment {n} recorded live is not in the replay after {from}")
            });
        from = at + 1;
    }
    assert_eq!(
        from,
        replay.moments.len(),
        "the last moment is the game as it is"
    );

    // Forgotten, once its workflows have ended: the records and their
    // journal go with them.
    loop {
        runtime.run_until_idle().await.expect("run");
        let workflows = game.workflows(&key).await.expect("read");
        if workflows.iter().all(|w| w.status.is_final()) {
            break;
        }
        // The monitor's next look is a durable timer 50 ms away.
        durable::Clock::sleep(&durable_web::BrowserClock, 50).await;
    }
    let store = &world.store;
    game.forget(&key).await.expect("forget a won game");
    assert!(store
        .journal(GAME, &format!("{key}/"))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .journal(&console_store(&key), "")
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .journal(NAMES, &key)
        .await
        .unwrap()
        .iter()
        .all(|e| e.key != key));
    assert!(game.workflows(&key).await.unwrap().is_empty());
    assert!(game.replay(&key).await.unwrap().moments.is_empty());
}
