//! Records the histories of this build for the compatibility gate
//! (`tests/histories/<version>/<story>/<Workflow>.json`, the version being
//! this crate's): a won game, a death, a game paused mid-countdown, one
//! mid-play, and a game whose monitor timed out. `tests/histories.rs`
//! replays every recorded build's histories against today's code.
//!
//! Run it when a build is released, before the next change to the
//! workflows: `make histories`. It refuses to overwrite the histories of a
//! version already recorded; bump the version in `crates/dungeon/Cargo.toml`
//! first.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use dungeon::{Game, GameConfig};
use durable::testing::{block_on, run_virtual};
use durable::{Clock, InMemoryStore, Runtime, VirtualClock};

type Play = fn(&Runtime<InMemoryStore>, &Game<InMemoryStore>, &str, &VirtualClock);

/// The stories: folder, adventurer, what happens, and how long the clock
/// then runs (0: the game is left where it is, in progress).
const STORIES: [(&str, &str, Play, u64); 5] = [
    ("won", "Won", win, 7_200_000),
    ("died", "Died", nothing, 7_200_000),
    ("mid-countdown", "Paused", nothing, 0),
    ("mid-play", "Playing", arm, 0),
    (
        "monitor-timed-out",
        "Idle",
        confirm_then_arm_late,
        7_200_000,
    ),
];

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/histories")
        .join(version);
    if dir.exists() {
        eprintln!(
            "{} exists: the histories of {version} are recorded. Bump the version in \
             crates/dungeon/Cargo.toml to record the next release's.",
            dir.display()
        );
        std::process::exit(1);
    }
    for (story, hero, play, run_ms) in STORIES {
        record(&dir.join(story), hero, play, run_ms);
    }
}

fn record(dir: &PathBuf, hero: &str, play: Play, run_ms: u64) {
    let clock = VirtualClock::new(1_700_000_000_000);
    let rt = Runtime::new(
        InMemoryStore::new(),
        dungeon::registry(),
        Rc::new(clock.clone()),
    );
    let game = Game::new(rt.client(), GameConfig::default());
    let key = block_on(game.new_adventurer(hero)).expect("new adventurer");
    block_on(rt.run_until_idle()).expect("run");
    play(&rt, &game, &key, &clock);
    if run_ms > 0 {
        let until = clock.now_ms() + run_ms;
        block_on(run_virtual(&rt, &clock, until)).expect("run");
    }
    std::fs::create_dir_all(dir).expect("create the story's folder");
    for row in block_on(game.workflows(&key)).expect("workflows") {
        let history = block_on(game.client().export_history(&row.id)).expect("history");
        let file = dir.join(format!("{}.json", row.name));
        std::fs::write(&file, history + "\n").expect("write");
        println!("{} ({}): {}", file.display(), row.status, row.id);
    }
}

fn command(rt: &Runtime<InMemoryStore>, game: &Game<InMemoryStore>, key: &str, line: &str) {
    block_on(game.command(key, line)).expect(line);
    block_on(rt.run_until_idle()).expect("run");
}

fn last_word(s: &str) -> String {
    s.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

/// Nobody confirms.
fn nothing(_: &Runtime<InMemoryStore>, _: &Game<InMemoryStore>, _: &str, _: &VirtualClock) {}

fn confirm(rt: &Runtime<InMemoryStore>, game: &Game<InMemoryStore>, key: &str, _: &VirtualClock) {
    command(rt, game, key, "confirm");
}

/// Confirms, and picks up the weapon 50 minutes later: the monitor's hour
/// runs out while the game (whose limit counts from the last move) goes on.
fn confirm_then_arm_late(
    rt: &Runtime<InMemoryStore>,
    game: &Game<InMemoryStore>,
    key: &str,
    clock: &VirtualClock,
) {
    confirm(rt, game, key, clock);
    let later = clock.now_ms() + 50 * 60_000;
    block_on(run_virtual(rt, clock, later)).expect("run");
    get_weapon(rt, game, key);
}

/// Confirms and picks up the weapon: the monster is still alive.
fn arm(rt: &Runtime<InMemoryStore>, game: &Game<InMemoryStore>, key: &str, clock: &VirtualClock) {
    confirm(rt, game, key, clock);
    get_weapon(rt, game, key);
}

fn win(rt: &Runtime<InMemoryStore>, game: &Game<InMemoryStore>, key: &str, clock: &VirtualClock) {
    arm(rt, game, key, clock);
    let (weapon, monster, treasure) = names(game, key);
    command(rt, game, key, &format!("kill {monster} with {weapon}"));
    command(rt, game, key, &format!("get {treasure}"));
}

fn get_weapon(rt: &Runtime<InMemoryStore>, game: &Game<InMemoryStore>, key: &str) {
    let (weapon, _, _) = names(game, key);
    command(rt, game, key, &format!("get {weapon}"));
}

/// How a command names the weapon and the monster, and the treasure's name.
fn names(game: &Game<InMemoryStore>, key: &str) -> (String, String, String) {
    let u = block_on(game.universe(key))
        .expect("read")
        .expect("universe");
    let weapon = last_word(&u.weapon.expect("weapon").name);
    let monster = last_word(&u.monster.expect("monster").name);
    (weapon, monster, u.treasure.expect("treasure").name)
}
