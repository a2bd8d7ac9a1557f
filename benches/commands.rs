//! `make bench`, a player's commands on IndexedDB: how long `Game::command`
//! takes from the call to its commit, for a move without events (`get` the
//! weapon) and one that signals the game monitor (`kill`), against one raw
//! single-put IndexedDB transaction measured in the same run, and against
//! the command's counts of requests (its gets and puts) replayed raw in one
//! transaction, with small values under plain keys. Each figure
//! is the median over several adventurers, on a release build in headless
//! Chromium, with no host running (the runtime is driven by hand, so only
//! the command is timed).
//!
//! Compiled only with `--cfg durable_bench` (set by `make bench`): it
//! measures, it does not check behaviour (tests/commands.rs counts the
//! transactions).

#![cfg(all(target_arch = "wasm32", durable_bench))]

use durable::Clock;
use durable_dungeon::testing::{say, HandDrivenGame};
use durable_web::testing::median;
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
    // The same commands in memory: what is not storage.
    let memory = HandDrivenGame::in_memory();
    let (mut mem_gets, mut mem_kills) = (Vec::new(), Vec::new());
    for i in 0..ADVENTURERS {
        let (key, weapon, monster) = memory.confirmed(&format!("Memory {i}")).await;
        let t = BrowserClock.monotonic_ms();
        memory
            .game
            .command(&key, &format!("get {weapon}"))
            .await
            .expect("get");
        mem_gets.push(BrowserClock.monotonic_ms() - t);
        let t = BrowserClock.monotonic_ms();
        memory
            .game
            .command(&key, &format!("kill {monster} with {weapon}"))
            .await
            .expect("kill");
        mem_kills.push(BrowserClock.monotonic_ms() - t);
    }
    // Each command's counts of requests: it reads the five universe records, the
    // workflow row it may signal and the append sequence (7 gets); a `get`
    // writes three universe records and one console line, each with its
    // journal entry, and the sequence (9 puts); a `kill` three records and
    // two lines with theirs, the sequence and the message to the monitor
    // (12 puts).
    let raw_get = durable_web::testing::raw_read_then_write(&raw_name("rw-get"), 7, 9, 300)
        .await
        .expect("raw");
    let raw_kill = durable_web::testing::raw_read_then_write(&raw_name("rw-kill"), 7, 12, 300)
        .await
        .expect("raw");
    let raw_one = durable_web::testing::raw_read_then_write(&raw_name("rw1"), 1, 1, 300)
        .await
        .expect("raw");
    say(&format!(
        "BENCH raw IndexedDB, one transaction reading then writing: 1 get + 1 put {raw_one:.2} ms; a get's counts of requests, 7 gets + 9 puts, {raw_get:.2} ms = {:.2} x raw; a kill's, 7 gets + 12 puts, {raw_kill:.2} ms = {:.2} x raw",
        raw_get / raw_ms,
        raw_kill / raw_ms
    ));
    say(&format!(
        "BENCH game command in memory (no storage): get {:.3} ms, kill {:.3} ms",
        median(mem_gets),
        median(mem_kills)
    ));
    say(&format!(
        "BENCH raw IndexedDB, 1 put per transaction:       {raw_ms:>8.2} ms  ({raw_tps:.0} transactions/s)"
    ));
    say(&format!(
        "BENCH game command, get (no events):              {get:>8.2} ms  ({:.2} x raw; target <= 2; {:.2} x its counts of requests replayed raw)",
        get / raw_ms,
        get / raw_get
    ));
    say(&format!(
        "BENCH game command, kill (signals the monitor):   {kill:>8.2} ms  ({:.2} x raw; target <= 2; {:.2} x its counts of requests replayed raw)",
        kill / raw_ms,
        kill / raw_kill
    ));
}

/// What the journal keeps of one won game: its entries, and the bytes of
/// their keys and values as JSON text (the records' own bytes besides).
#[wasm_bindgen_test]
async fn journal_bytes_per_won_game() {
    use dungeon::storage::{console_store, GAME};
    use durable::Store;

    let world = HandDrivenGame::open(&format!("bench-journal-{}", js_sys::Math::random())).await;
    let game = &world.game;
    let (key, weapon, monster) = world.confirmed("Keeper").await;
    game.command(&key, &format!("get {weapon}"))
        .await
        .expect("get");
    game.command(&key, &format!("kill {monster} with {weapon}"))
        .await
        .expect("kill");
    let treasure = game
        .universe(&key)
        .await
        .expect("read")
        .and_then(|u| u.treasure)
        .expect("a treasure")
        .name;
    game.command(
        &key,
        &format!("get {}", durable_dungeon::testing::command_word(&treasure)),
    )
    .await
    .expect("take the treasure");
    world.runtime.run_until_idle().await.expect("run");
    assert!(game.universe(&key).await.unwrap().unwrap().is_won());
    let mut entries = world.store.journal(GAME, &format!("{key}/")).await.unwrap();
    entries.extend(world.store.journal(&console_store(&key), "").await.unwrap());
    let bytes: usize = entries
        .iter()
        .map(|e| {
            let value = e.value.as_ref().map_or(4, |v| v.to_string().len());
            // The key's parts and the entry's two numbers besides.
            e.store.len() + e.key.len() + value + 3 * 8
        })
        .sum();
    let moments = game.replay(&key).await.unwrap().moments.len();
    say(&format!(
        "BENCH journal of one won game: {} entries in {moments} moments, {:.1} KB of keys and values",
        entries.len(),
        bytes as f64 / 1000.0
    ));
}
