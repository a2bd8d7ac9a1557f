//! The game's workflows on the in-memory store in virtual time: the win
//! path, death by timeout, early and late confirms, a kill before the
//! treasure is placed, the monitors' endings, and every workflow of a
//! finished game in a final state.

mod common;

use std::rc::Rc;

use common::{config, last_word, win, World};
use dungeon::{Game, GameConfig, GameError, Status};
use durable::testing::{block_on, run_virtual};
use durable::{Clock, InMemoryStore, Runtime, RuntimeStatus, VirtualClock};
#[test]
fn the_win_path_narrates_the_story_and_finishes_every_workflow() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Ann")).unwrap();
    win(&w, &key);
    w.run_for(60_000);
    let u = w.universe(&key);
    assert!(u.is_won());
    let console = w.console(&key);
    let monster = u.monster.as_ref().unwrap().name.clone();
    let room = u.room.as_ref().unwrap().name.clone();
    for expected in [
        "Ann arrives at the dungeon's gate.".to_string(),
        dungeon::narration::stalking(&monster, "Ann"),
        format!("{room} has been prepared for Ann!"),
        "Ann now has 2 minutes to confirm they are ready.".to_string(),
        "Ann has accepted the challenge!".to_string(),
        "Ann nabbed the treasure.".to_string(),
        "Ann has won the game!".to_string(),
    ] {
        assert!(
            console.contains(&expected),
            "missing {expected:?} in {console:#?}"
        );
    }
    assert!(console
        .iter()
        .any(|l| l.ends_with("are waiting somewhere inside for Ann!")));
    assert!(console
        .iter()
        .any(|l| l.starts_with("Ann looks around: You are standing in a")));
    assert!(console
        .iter()
        .any(|l| l.starts_with("Ann valiantly killed the ")));
    // What the workflows did is behind the scenes, not in the story.
    assert!(
        !console
            .iter()
            .any(|l| l.contains("workflow") || l.contains("monitor")),
        "{console:#?}"
    );
    let statuses = w.statuses(&key);
    assert_eq!(statuses.len(), 5, "{statuses:?}");
    w.all_final(&key);
    assert!(
        statuses.iter().all(|(_, s)| *s == RuntimeStatus::Completed),
        "{statuses:?}"
    );
    assert_eq!(w.output(&key, "monitor"), Some(serde_json::json!("Won")));
    assert_eq!(w.output(&key, "game"), Some(serde_json::json!("won")));
    // Each line of narration happened once.
    let mut sorted = console.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), console.len(), "{console:#?}");
}

#[test]
fn no_confirmation_in_time_kills_the_adventurer_and_ends_everything() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Bob")).unwrap();
    w.run_for(121_000);
    let u = w.universe(&key);
    assert!(u.is_dead());
    assert_eq!(u.status(), Status::Dead);
    let console = w.console(&key);
    assert!(console.contains(&"Bob failed to confirm in time.".to_string()));
    assert!(console.contains(&"Unfortunately Bob died from waiting too long!".to_string()));
    w.run_for(40_000); // the monitor's next check sees the death
    assert_eq!(w.output(&key, "monitor"), Some(serde_json::json!("Dead")));
    w.all_final(&key);
    // Confirming now is a clear error, not a silent no-op.
    assert_eq!(w.play(&key, "confirm"), Err(GameError::Dead("Bob".into())));
    assert!(matches!(w.play(&key, "get sword"), Err(GameError::Rule(_))));
}

#[test]
fn a_confirm_before_the_confirmation_workflow_waits_is_not_lost() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Cy")).unwrap();
    // Nothing has run yet: the confirmation workflow does not exist.
    let early = block_on(w.game.command(&key, "confirm"));
    assert_eq!(
        early,
        Err(GameError::ConfirmTooEarly("Cy".into())),
        "refused with a clear message"
    );
    // Other commands wait for the room, naming the adventurer.
    assert_eq!(
        block_on(w.game.command(&key, "look")),
        Err(GameError::Rule(dungeon::RuleError::NotReady {
            name: "Cy".into()
        }))
    );
    // Once the workflow exists but before it waits, the confirm is kept.
    for _ in 0..10 {
        if block_on(
            w.game
                .client()
                .status(&durable::InstanceId::new(format!("{key}:confirm"))),
        )
        .unwrap()
        .is_some()
        {
            break;
        }
        block_on(w.rt.tick()).unwrap();
    }
    let row = block_on(
        w.game
            .client()
            .status(&durable::InstanceId::new(format!("{key}:confirm"))),
    )
    .unwrap()
    .unwrap();
    assert_eq!(row.status, RuntimeStatus::Pending);
    block_on(w.game.command(&key, "confirm")).unwrap();
    w.idle();
    assert!(w.universe(&key).adventurer.confirmed);
    assert!(w
        .console(&key)
        .contains(&"Cy has accepted the challenge!".to_string()));
    // A second confirm is refused.
    assert_eq!(
        w.play(&key, "confirm"),
        Err(GameError::AlreadyConfirmed("Cy".into()))
    );
}

#[test]
fn a_kill_before_the_treasure_is_placed_does_not_corrupt_the_game() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Dee")).unwrap();
    w.idle();
    block_on(w.game.command(&key, "confirm")).unwrap();
    // Run until the weapon is in the room, but not the treasure.
    let mut killed = false;
    for _ in 0..50 {
        block_on(w.rt.tick()).unwrap();
        let u = w.universe(&key);
        let treasure_placed = u
            .treasure
            .as_ref()
            .is_some_and(|t| t.location != dungeon::ItemLocation::Nowhere);
        let monster_placed = u.monster.as_ref().is_some_and(|m| m.room.is_some());
        if monster_placed && !treasure_placed {
            let weapon = u.weapon.unwrap().name;
            let monster = u.monster.unwrap().name;
            block_on(w.game.command(&key, &format!("get {}", last_word(&weapon)))).unwrap();
            block_on(w.game.command(
                &key,
                &format!("kill {} with {}", last_word(&monster), last_word(&weapon)),
            ))
            .unwrap();
            killed = true;
            break;
        }
    }
    assert!(
        killed,
        "found the moment between placing the monster and the treasure"
    );
    w.idle();
    let u = w.universe(&key);
    assert!(u.inconsistencies().is_empty(), "{:?}", u.inconsistencies());
    assert_eq!(
        u.treasure.as_ref().unwrap().location,
        dungeon::ItemLocation::Room
    );
    let treasure = u.treasure.unwrap().name;
    w.play(&key, &format!("get {treasure}")).unwrap();
    w.run_for(60_000);
    assert!(w.universe(&key).is_won());
    assert!(w
        .console(&key)
        .contains(&"Dee has won the game!".to_string()));
    w.all_final(&key);
}

#[test]
fn the_monitor_ends_on_a_win_without_flooding_the_console() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Eve")).unwrap();
    w.idle();
    w.play(&key, "confirm").unwrap();
    w.run_for(200_000); // ten monitor checks while playing
    let before = w.console(&key).len();
    w.run_for(200_000);
    assert_eq!(w.console(&key).len(), before, "no line per check");
    win(&w, &key);
    w.run_for(40_000);
    assert_eq!(w.output(&key, "monitor"), Some(serde_json::json!("Won")));
    w.all_final(&key);
}

#[test]
fn the_monitor_times_out_after_its_limit() {
    let clock = VirtualClock::new(0);
    let rt = Runtime::new(
        InMemoryStore::new(),
        dungeon::registry(),
        Rc::new(clock.clone()),
    );
    let game = Game::new(
        rt.client(),
        GameConfig {
            monitor_limit_ms: 100_000,
            ..config()
        },
    );
    let key = block_on(game.new_adventurer("Fay")).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    block_on(game.command(&key, "confirm")).unwrap();
    block_on(run_virtual(&rt, &clock, 300_000)).unwrap();
    let console: Vec<String> = block_on(game.console(&key))
        .unwrap()
        .into_iter()
        .map(|l| l.text)
        .collect();
    // The monitor stopped watching (said behind the scenes, not in the
    // story); the game goes on.
    assert!(
        !console.iter().any(|l| l.contains("monitor")),
        "{console:#?}"
    );
    let monitor = block_on(game.workflows(&key))
        .unwrap()
        .into_iter()
        .find(|r| r.name == "UserMonitorWorkflow")
        .unwrap();
    assert_eq!(monitor.status, RuntimeStatus::Completed);
    assert_eq!(monitor.output, Some(serde_json::json!("Playing")));
}

/// The game's time limit ends a game the player is not playing: one answer
/// everywhere (the status, the story, the workflows' outputs), and no win
/// after it.
#[test]
fn the_game_limit_ends_an_idle_game_out_of_time_everywhere() {
    let w = World::with_config(GameConfig {
        game_limit_ms: 100_000,
        ..config()
    });
    let key = block_on(w.game.new_adventurer("Gil")).unwrap();
    w.idle();
    w.play(&key, "confirm").unwrap();
    w.run_for(99_000);
    assert_eq!(w.universe(&key).status(), Status::Playing);
    w.run_for(2_000);
    let u = w.universe(&key);
    assert_eq!(u.status(), Status::OutOfTime);
    assert!(!u.is_won());
    assert!(w
        .console(&key)
        .contains(&dungeon::narration::out_of_time("Gil")));
    let weapon = last_word(&u.weapon.unwrap().name);
    let refused = w.play(&key, &format!("get {weapon}")).unwrap_err();
    assert_eq!(refused.to_string(), "Time is up: Gil's adventure is over.");
    assert_eq!(
        w.universe(&key).status(),
        Status::OutOfTime,
        "nothing changed"
    );
    w.run_for(40_000);
    w.all_final(&key);
    assert_eq!(
        w.output(&key, "game"),
        Some(serde_json::json!("out of time"))
    );
    assert_eq!(
        w.output(&key, "monitor"),
        Some(serde_json::json!("OutOfTime"))
    );
    let lobby = block_on(w.game.adventurers()).unwrap();
    assert_eq!(lobby[0].status, Status::OutOfTime);
}

/// A player who keeps moving is never out of time: the limit counts from
/// the last move, and a win long after the first limit is a win.
#[test]
fn the_game_limit_never_ends_a_game_being_played() {
    let w = World::with_config(GameConfig {
        game_limit_ms: 100_000,
        ..config()
    });
    let key = block_on(w.game.new_adventurer("Hal")).unwrap();
    w.idle();
    w.play(&key, "confirm").unwrap();
    let u = w.universe(&key);
    let (weapon, monster) = (u.weapon.unwrap().name, u.monster.unwrap().name);
    w.run_for(90_000);
    w.play(&key, &format!("get {}", last_word(&weapon)))
        .unwrap();
    w.run_for(90_000);
    w.play(
        &key,
        &format!("kill {} with {}", last_word(&monster), last_word(&weapon)),
    )
    .unwrap();
    w.run_for(90_000);
    assert_eq!(
        w.universe(&key).status(),
        Status::Playing,
        "270 s in, still playing"
    );
    win(&w, &key);
    w.run_for(40_000);
    assert_eq!(w.universe(&key).status(), Status::Won);
    assert_eq!(w.output(&key, "game"), Some(serde_json::json!("won")));
    assert!(w
        .console(&key)
        .contains(&"Hal has won the game!".to_string()));
    w.all_final(&key);
}

/// A command whose commit finds the game changed meanwhile (the workflows
/// writing, another tab) is played again by the game; only a game that
/// keeps changing under it reaches the player, and then nothing changed.
#[test]
fn a_command_that_races_a_change_is_played_again() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Ivy")).unwrap();
    w.idle();
    w.play(&key, "confirm").unwrap();
    let weapon = last_word(&w.universe(&key).weapon.unwrap().name);
    w.store.conflict_next_commits(2);
    w.play(&key, &format!("get {weapon}"))
        .expect("played again");
    assert!(!w.universe(&key).adventurer.inventory.is_empty());
    let monster = last_word(&w.universe(&key).monster.unwrap().name);
    w.store.conflict_next_commits(100);
    let refused = w
        .play(&key, &format!("kill {monster} with {weapon}"))
        .unwrap_err();
    assert_eq!(refused, GameError::Changed);
    w.store.conflict_next_commits(0);
    assert!(w.universe(&key).monster.unwrap().alive, "nothing changed");
}

#[test]
fn names_are_validated_and_taken_once() {
    let w = World::new();
    assert_eq!(
        block_on(w.game.new_adventurer("   ")),
        Err(GameError::Name(dungeon::NameError::Empty))
    );
    assert!(matches!(
        block_on(w.game.new_adventurer(&"x".repeat(33))),
        Err(GameError::Name(_))
    ));
    assert!(matches!(
        block_on(w.game.new_adventurer("a\u{7}b")),
        Err(GameError::Name(_))
    ));
    block_on(w.game.new_adventurer("Gus")).unwrap();
    assert_eq!(
        block_on(w.game.new_adventurer("gus")),
        Err(GameError::NameTaken("gus".into()))
    );
    // Two "tabs" taking the same name at once: one adventurer, one error.
    let other = Game::new(w.rt.client(), config());
    let (a, b) = block_on(durable::join2(
        w.game.new_adventurer("Hal"),
        other.new_adventurer("Hal"),
    ));
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    let names: Vec<String> = block_on(w.game.adventurers())
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Gus", "Hal"]);
    assert_eq!(
        w.play("nobody", "look"),
        Err(GameError::UnknownAdventurer("nobody".into()))
    );
}

#[test]
fn the_countdown_comes_from_the_stored_timer() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Ivy")).unwrap();
    w.idle();
    let window = block_on(w.game.confirmation_window(&key))
        .unwrap()
        .expect("open");
    assert_eq!(window.length_ms, 120_000);
    assert_eq!(window.closes_at_ms, w.clock.now_ms() + 120_000);
    w.play(&key, "confirm").unwrap();
    assert_eq!(block_on(w.game.confirmation_window(&key)).unwrap(), None);
}
