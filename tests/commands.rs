//! A player's command on IndexedDB, counted in transactions: the name and
//! the universe come in one read, the change in one commit, and only a
//! command that raises events reads the game monitor's row besides.

#![cfg(target_arch = "wasm32")]

use durable_dungeon::testing::HandDrivenGame;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_command_reads_once_and_commits_once() {
    let db = format!("commands-test-{}", js_sys::Math::random());
    let world = HandDrivenGame::open(&db).await;
    let (store, rt, game) = (&world.store, &world.runtime, &world.game);
    let (key, weapon, monster) = world.confirmed("Counter").await;

    let before = store.transactions_opened();
    game.command(&key, &format!("get {weapon}"))
        .await
        .expect("get");
    assert_eq!(
        store.transactions_opened() - before,
        2,
        "one read, one commit"
    );

    let before = store.transactions_opened();
    game.command(&key, &format!("kill {monster} with {weapon}"))
        .await
        .expect("kill");
    assert_eq!(
        store.transactions_opened() - before,
        3,
        "one read, the game monitor's row, one commit"
    );
    rt.run_until_idle().await.expect("run");
    assert!(
        !game
            .universe(&key)
            .await
            .expect("read")
            .expect("a universe")
            .monster
            .expect("a monster")
            .alive
    );
}
