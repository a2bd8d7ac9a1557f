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
    for expected in [
        "Ann is being monitored every 20 seconds.",
        "Ann now has 2 minutes to confirm they are ready.",
        "Ann has accepted the challenge!",
        "User confirmation workflow complete for Ann.",
        "Ann nabbed the treasure.",
        "Ann has won the game!",
        "Ann monitoring is done.",
    ] {
        assert!(
            console.iter().any(|l| l == expected),
            "missing {expected:?} in {console:#?}"
        );
    }
    assert!(console
        .iter()
        .any(|l| l.starts_with("Ann looks around: You are standing in a")));
    assert!(console
        .iter()
        .any(|l| l.starts_with("Ann valiantly killed")));
    let statuses = w.statuses(&key);
    assert_eq!(statuses.len(), 5, "{statuses:?}");
    w.all_final(&key);
    assert!(
        statuses.iter().all(|(_, s)| *s == RuntimeStatus::Completed),
        "{statuses:?}"
    );
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
    assert!(w
        .console(&key)
        .contains(&"Bob monitoring is done.".to_string()));
    assert!(!w
        .console(&key)
        .contains(&"Bob monitoring has timed out.".to_string()));
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
    assert!(w
        .console(&key)
        .contains(&"Eve monitoring is done.".to_string()));
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
    assert!(
        console.contains(&"Fay monitoring has timed out.".to_string()),
        "{console:#?}"
    );
    assert!(console.contains(&"Fay monitoring is done.".to_string()));
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
