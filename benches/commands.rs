//! `make bench`, a player's commands on IndexedDB: how long `Game::command`
//! takes from the call to its commit, for a move without events (`get` the
//! weapon) and one that signals the game monitor (`kill`), against one raw
//! single-put IndexedDB transaction measured in the same run. Each figure
//! is the median over several adventurers, on a release build in headless
//! Chromium, with no host running (the runtime is driven by hand, so only
//! the command is timed).
//!
//! Compiled only with `--cfg durable_bench` (set by `make bench`): it
//! measures, it does not check behaviour (tests/commands.rs counts the
//! transactions).

#![cfg(all(target_arch = "wasm32", durable_bench))]

use std::rc::Rc;

use dungeon::{Game, GameConfig};
use durable::{Clock, Runtime};
use durable_web::{BrowserClock, IdbStore};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ADVENTURERS: usize = 15;

fn say(line: &str) {
    web_sys::console::log_1(&JsValue::from_str(line));
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn last_word(s: &str) -> String {
    s.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

#[wasm_bindgen_test]
async fn bench() {
    let raw_name = |n: &str| format!("bench-commands-raw-{n}-{}", js_sys::Math::random());
    durable_web::testing::raw_puts(&raw_name("warm"), 500, 1)
        .await
        .expect("raw");
    let raw_tps = durable_web::testing::raw_puts(&raw_name("single"), 500, 1)
        .await
        .expect("raw");
    let raw_ms = 1000.0 / raw_tps;

    let db = format!("bench-commands-{}", js_sys::Math::random());
    let store = IdbStore::open(&db).await.expect("open");
    let rt = Runtime::new(store.clone(), dungeon::registry(), Rc::new(BrowserClock));
    let game = Game::new(rt.client(), GameConfig::default());
    let mut keys = Vec::new();
    for i in 0..ADVENTURERS {
        let key = game
            .new_adventurer(&format!("Bench {i}"))
            .await
            .expect("new");
        rt.run_until_idle().await.expect("run");
        game.command(&key, "confirm").await.expect("confirm");
        keys.push(key);
    }
    rt.run_until_idle().await.expect("run");
    let (mut gets, mut kills) = (Vec::new(), Vec::new());
    for key in &keys {
        let u = game.universe(key).await.expect("read").expect("universe");
        let weapon = last_word(&u.weapon.expect("weapon").name);
        let monster = last_word(&u.monster.expect("monster").name);
        let t = BrowserClock.monotonic_ms();
        game.command(key, &format!("get {weapon}"))
            .await
            .expect("get");
        gets.push(BrowserClock.monotonic_ms() - t);
        let t = BrowserClock.monotonic_ms();
        game.command(key, &format!("kill {monster} with {weapon}"))
            .await
            .expect("kill");
        kills.push(BrowserClock.monotonic_ms() - t);
    }
    let (get, kill) = (median(gets), median(kills));
    say(&format!(
        "BENCH raw IndexedDB, 1 put per transaction:       {raw_ms:>8.2} ms  ({raw_tps:.0} transactions/s)"
    ));
    say(&format!(
        "BENCH game command, get (no events):              {get:>8.2} ms  ({:.2} x raw; target <= 2)",
        get / raw_ms
    ));
    say(&format!(
        "BENCH game command, kill (signals the monitor):   {kill:>8.2} ms  ({:.2} x raw; target <= 2)",
        kill / raw_ms
    ));
}
