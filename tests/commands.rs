//! A player's command on IndexedDB, counted in transactions: the name and
//! the universe come in one read, the change in one commit, and only a
//! command that raises events reads the game monitor's row besides.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use dungeon::{Game, GameConfig};
use durable::Runtime;
use durable_web::{BrowserClock, IdbStore};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn last_word(s: &str) -> String {
    s.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

#[wasm_bindgen_test]
async fn a_command_reads_once_and_commits_once() {
    let db = format!("commands-test-{}", js_sys::Math::random());
    let store = IdbStore::open(&db).await.expect("open the database");
    let rt = Runtime::new(store.clone(), dungeon::registry(), Rc::new(BrowserClock));
    let game = Game::new(rt.client(), GameConfig::default());
    let key = game
        .new_adventurer("Counter")
        .await
        .expect("a new adventurer");
    rt.run_until_idle().await.expect("run");
    game.command(&key, "confirm").await.expect("confirm");
    rt.run_until_idle().await.expect("run");
    let u = game
        .universe(&key)
        .await
        .expect("read")
        .expect("a universe");
    let weapon = last_word(&u.weapon.expect("a weapon").name);
    let monster = last_word(&u.monster.expect("a monster").name);

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
