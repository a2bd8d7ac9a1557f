//! Shared helpers for the game's native tests: a world (runtime, store and
//! game in virtual time) and the moves that win a game.
#![allow(dead_code)]

use std::rc::Rc;

use dungeon::workflows::{registry_of, Release};
use dungeon::{Game, GameConfig, GameError, Status};
use durable::testing::{block_on, run_virtual};
use durable::{Clock, InMemoryStore, Runtime, RuntimeStatus, VirtualClock};

pub struct World {
    pub clock: VirtualClock,
    pub store: InMemoryStore,
    pub rt: Runtime<InMemoryStore>,
    pub game: Game<InMemoryStore>,
}

pub fn config() -> GameConfig {
    GameConfig {
        confirm_window_ms: 120_000,
        monitor_interval_ms: 20_000,
        monitor_limit_ms: 3_600_000,
        game_limit_ms: 3_600_000,
    }
}

impl World {
    pub fn new() -> Self {
        Self::on(Release::Current)
    }

    /// A world whose games start with `config`.
    pub fn with_config(config: GameConfig) -> Self {
        let mut w = Self::new();
        w.game = Game::new(w.rt.client(), config);
        w
    }

    /// A world whose workflows run `release`'s code.
    pub fn on(release: Release) -> Self {
        let clock = VirtualClock::new(1_700_000_000_000);
        let store = InMemoryStore::new();
        let rt = Runtime::new(store.clone(), registry_of(release), Rc::new(clock.clone()));
        let game = Game::new(rt.client(), config());
        World {
            clock,
            store,
            rt,
            game,
        }
    }

    /// An update: the same store, a fresh runtime running `release`'s code
    /// (what a reload into a new build does).
    pub fn deploy(&mut self, release: Release) {
        self.rt = Runtime::new(
            self.store.clone(),
            registry_of(release),
            Rc::new(self.clock.clone()),
        );
        self.game = Game::new(self.rt.client(), config());
    }

    /// Runs the workflows for `ms` of virtual time.
    pub fn run_for(&self, ms: u64) {
        let until = self.clock.now_ms() + ms;
        block_on(run_virtual(&self.rt, &self.clock, until)).expect("run");
        self.clock.set(until);
        block_on(self.rt.run_until_idle()).expect("run");
    }

    pub fn idle(&self) {
        block_on(self.rt.run_until_idle()).expect("run");
    }

    pub fn play(&self, key: &str, line: &str) -> Result<Vec<String>, GameError> {
        let r = block_on(self.game.command(key, line));
        self.idle();
        r
    }

    pub fn console(&self, key: &str) -> Vec<String> {
        block_on(self.game.console(key))
            .unwrap()
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    pub fn statuses(&self, key: &str) -> Vec<(String, RuntimeStatus)> {
        block_on(self.game.workflows(key))
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.status))
            .collect()
    }

    /// The output of the adventurer's workflow with this id suffix
    /// ("monitor", "game" …).
    pub fn output(&self, key: &str, suffix: &str) -> Option<serde_json::Value> {
        let id = dungeon::storage::instance_id(key, suffix);
        block_on(self.rt.client().status(&id))
            .expect("read")
            .and_then(|r| r.output)
    }

    pub fn universe(&self, key: &str) -> dungeon::Universe {
        block_on(self.game.universe(key))
            .unwrap()
            .expect("a universe")
    }

    pub fn all_final(&self, key: &str) {
        for (name, status) in self.statuses(key) {
            assert!(status.is_final(), "{name} is still {status}");
        }
    }
}

pub fn last_word(s: &str) -> String {
    s.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

/// Plays an adventurer to the win, from wherever the game is.
pub fn win(w: &World, key: &str) {
    w.idle();
    if !w.universe(key).adventurer.confirmed {
        w.play(key, "confirm").unwrap();
    }
    let u = w.universe(key);
    assert_eq!(u.status(), Status::Playing, "{:?}", w.console(key));
    let weapon = u.weapon.unwrap().name;
    let monster = u.monster.unwrap();
    let treasure = u.treasure.unwrap().name;
    if !u.adventurer.inventory.contains(&weapon) {
        w.play(key, &format!("get the {}", last_word(&weapon)))
            .unwrap();
    }
    if monster.alive {
        let line = format!(
            "kill {} with {}",
            last_word(&monster.name),
            last_word(&weapon)
        );
        w.play(key, &line).unwrap();
    }
    w.play(key, &format!("take {treasure}")).unwrap();
}
