//! A player's command on IndexedDB, counted in transactions: whatever it
//! reads (the name, the universe, the rows of the workflows it signals) and
//! whatever it writes, a command is one transaction.

#![cfg(target_arch = "wasm32")]

use durable_dungeon::testing::HandDrivenGame;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_command_is_one_transaction() {
    let db = format!("commands-test-{}", js_sys::Math::random());
    let world = HandDrivenGame::open(&db).await;
    let (store, rt, game) = (&world.store, &world.runtime, &world.game);
    let (key, weapon, monster) = world.confirmed("Counter").await;

    let key = &key;
    let transactions_of = |line: String| async move {
        let before = store.transactions_opened();
        let result = game.command(key, &line).await;
        (store.transactions_opened() - before, result)
    };
    let (get, result) = transactions_of(format!("get {weapon}")).await;
    result.expect("get");
    assert_eq!(get, 1, "get: read, decide and commit in one transaction");
    let (look, result) = transactions_of("look".to_string()).await;
    assert!(!result.expect("look").is_empty(), "look says something");
    assert_eq!(look, 1, "look: one read, nothing committed");
    let (refused, result) = transactions_of("kill nobody with nothing".to_string()).await;
    assert!(result.is_err(), "a refused command is an error");
    assert_eq!(
        refused, 1,
        "a refused command reads once and writes nothing"
    );
    let (kill, result) = transactions_of(format!("kill {monster} with {weapon}")).await;
    result.expect("kill");
    assert_eq!(
        kill, 1,
        "kill: the universe and the game monitor's row read, the change and its event committed, in one transaction"
    );
    rt.run_until_idle().await.expect("run");
    assert!(
        !game
            .universe(key)
            .await
            .expect("read")
            .expect("a universe")
            .monster
            .expect("a monster")
            .alive
    );
}
