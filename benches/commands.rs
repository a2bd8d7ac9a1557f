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

use durable::Clock;
use durable_dungeon::testing::{median, say, HandDrivenGame};
use durable_web::BrowserClock;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ADVENTURERS: usize = 15;

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
    let world = HandDrivenGame::open(&db).await;
    let game = &world.game;
    let mut adventurers = Vec::new();
    for i in 0..ADVENTURERS {
        adventurers.push(world.confirmed(&format!("Bench {i}")).await);
    }
    let (mut gets, mut kills) = (Vec::new(), Vec::new());
    for (key, weapon, monster) in &adventurers {
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
