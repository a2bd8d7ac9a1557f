//! Records the histories of a won game and of a death as golden fixtures
//! (`tests/histories/`). Run it only when the change to the workflows is
//! meant to break old saved games: `cargo run -p dungeon --example record_golden`.

use std::rc::Rc;

use dungeon::{Game, GameConfig};
use durable::testing::{block_on, run_virtual};
use durable::{Clock, InMemoryStore, Runtime, VirtualClock};

fn record(story: &str, play: impl Fn(&Runtime<InMemoryStore>, &Game<InMemoryStore>, &str)) {
    let clock = VirtualClock::new(1_700_000_000_000);
    let rt = Runtime::new(
        InMemoryStore::new(),
        dungeon::registry(),
        Rc::new(clock.clone()),
    );
    let game = Game::new(rt.client(), GameConfig::default());
    let key = block_on(game.new_adventurer(story)).expect("new adventurer");
    block_on(rt.run_until_idle()).expect("run");
    play(&rt, &game, &key);
    let until = clock.now_ms() + 7_200_000;
    block_on(run_virtual(&rt, &clock, until)).expect("run");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/histories")
        .join(story.to_lowercase());
    std::fs::create_dir_all(&dir).expect("create the fixture folder");
    for row in block_on(game.workflows(&key)).expect("workflows") {
        let history = block_on(game.client().export_history(&row.id)).expect("history");
        let file = dir.join(format!("{}.json", row.name));
        std::fs::write(&file, history + "\n").expect("write");
        println!("{} ({}): {}", file.display(), row.status, row.id);
    }
}

fn last_word(s: &str) -> String {
    s.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

fn main() {
    record("Won", |rt, game, key| {
        let play = |line: &str| {
            block_on(game.command(key, line)).expect(line);
            block_on(rt.run_until_idle()).expect("run");
        };
        play("confirm");
        let u = block_on(game.universe(key))
            .expect("read")
            .expect("universe");
        let weapon = last_word(&u.weapon.expect("weapon").name);
        let monster = last_word(&u.monster.expect("monster").name);
        let treasure = u.treasure.expect("treasure").name;
        play(&format!("get {weapon}"));
        play(&format!("kill {monster} with {weapon}"));
        play(&format!("get {treasure}"));
    });
    // Nobody confirms: the adventurer dies when the window closes.
    record("Died", |_rt, _game, _key| {});
}
