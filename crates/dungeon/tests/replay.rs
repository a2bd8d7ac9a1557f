//! Replaying an adventure from the journal of its records, and forgetting
//! a finished one: the state of each moment equals what was seen live at
//! that moment; a forgotten game leaves no workflow, record or journal.

mod common;

use common::{last_word, win, World};
use dungeon::storage::{console_store, GAME, NAMES};
use dungeon::{GameError, Universe};
use durable::testing::block_on;
use durable::Store;

/// What the page showed live: the universe and the console's lines.
fn seen(w: &World, key: &str) -> (Universe, Vec<String>) {
    (w.universe(key), w.console(key))
}

#[test]
fn a_won_game_replays_to_the_state_seen_live_at_each_step() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Ann")).unwrap();
    w.idle();
    let mut live = vec![seen(&w, &key)];
    // The player thinks for a second before confirming.
    w.run_for(1_000);
    w.play(&key, "confirm").unwrap();
    live.push(seen(&w, &key));
    let u = w.universe(&key);
    let weapon = last_word(&u.weapon.clone().unwrap().name);
    let monster = last_word(&u.monster.clone().unwrap().name);
    w.play(&key, &format!("get {weapon}")).unwrap();
    live.push(seen(&w, &key));
    w.play(&key, &format!("kill {monster} with {weapon}"))
        .unwrap();
    live.push(seen(&w, &key));
    win(&w, &key);
    w.run_for(60_000);
    live.push(seen(&w, &key));
    assert!(live.last().unwrap().0.is_won());

    let replay = block_on(w.game.replay(&key)).unwrap();
    let states: Vec<(Option<Universe>, Vec<String>)> = (0..replay.moments.len())
        .map(|i| {
            let console = replay
                .console_at(i)
                .iter()
                .map(|l| l.text.clone())
                .collect();
            (replay.moments[i].universe.clone(), console)
        })
        .collect();
    let mut from = 0;
    let mut found = Vec::new();
    for (step, (universe, console)) in live.iter().enumerate() {
        let at = states[from..]
            .iter()
            .position(|(u, c)| u.as_ref() == Some(universe) && c == console)
            .unwrap_or_else(|| panic!("step {step} is no moment of the replay after {from}"));
        found.push(from + at);
        from += at + 1;
    }
    // The countdown: running while the window was open, gone once confirmed.
    let window = dungeon::GameConfig::default().confirm_window_ms;
    let waiting = replay.countdown_at(found[0]);
    assert!(
        matches!(waiting, Some((left, length)) if left > 0 && left <= length && length == window),
        "{waiting:?}"
    );
    assert_eq!(
        replay.countdown_at(found[1]),
        None,
        "confirmed: no countdown"
    );
    let last = states.last().unwrap();
    assert_eq!(
        last.0.as_ref(),
        Some(&live[4].0),
        "the replay ends where the game is"
    );
    // The replay's moment before the kill: the weapon carried, the monster
    // alive.
    let before_kill = states[found[2]].0.as_ref().expect("a universe then");
    assert!(before_kill.monster.as_ref().unwrap().alive);
    assert!(before_kill
        .adventurer
        .inventory
        .iter()
        .any(|i| last_word(i) == weapon));
    let times: Vec<u64> = replay.moments.iter().map(|m| m.at_ms).collect();
    assert!(
        times.windows(2).all(|t| t[0] <= t[1]),
        "moments in time order"
    );
    let thought = replay.moments[found[1]].at_ms - replay.moments[found[0]].at_ms;
    assert!(
        thought >= 1_000,
        "moments carry the commit's time: {thought} ms"
    );
}

#[test]
fn a_forgotten_game_leaves_no_workflow_record_or_journal() {
    let w = World::new();
    let key = block_on(w.game.new_adventurer("Ann")).unwrap();
    let other = block_on(w.game.new_adventurer("Annabel")).unwrap();
    w.idle();
    let before = (w.statuses(&key), w.console(&key));
    let refused = block_on(w.game.forget(&key));
    assert!(
        matches!(refused, Err(GameError::StillPlaying(ref n)) if n == "Ann"),
        "{refused:?}"
    );
    assert_eq!(
        (w.statuses(&key), w.console(&key)),
        before,
        "a refused forget changes nothing"
    );
    win(&w, &key);
    w.run_for(60_000);
    w.all_final(&key);

    block_on(w.game.forget(&key)).unwrap();
    assert!(w.statuses(&key).is_empty(), "its workflows are purged");
    assert_eq!(block_on(w.game.universe(&key)).unwrap(), None);
    assert!(w.console(&key).is_empty());
    for (store, prefix) in [
        (GAME.to_string(), format!("{key}/")),
        (console_store(&key), String::new()),
    ] {
        assert!(
            block_on(w.store.journal(&store, &prefix))
                .unwrap()
                .is_empty(),
            "{store}"
        );
    }
    assert!(block_on(w.store.journal(NAMES, &key))
        .unwrap()
        .iter()
        .all(|e| e.key != key));
    let listed: Vec<String> = block_on(w.game.adventurers())
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(
        listed,
        std::slice::from_ref(&other),
        "the lobby lists only the other adventurer"
    );
    assert!(
        !block_on(w.game.replay(&other)).unwrap().moments.is_empty(),
        "the other keeps its journal"
    );
}

#[test]
fn names_that_hold_a_separator_keep_their_games_apart() {
    let w = World::new();
    let ann = block_on(w.game.new_adventurer("Ann")).unwrap();
    let slash = block_on(w.game.new_adventurer("Ann/Bob")).unwrap();
    let colon = block_on(w.game.new_adventurer("Ann:Bob")).unwrap();
    w.idle();
    win(&w, &ann);
    w.run_for(60_000);
    let moments = block_on(w.game.replay(&ann)).unwrap().moments.len();
    // The others play on: Ann's replay and workflows are hers alone.
    for other in [&slash, &colon] {
        w.play(other, "confirm").unwrap();
    }
    let replay = block_on(w.game.replay(&ann)).unwrap();
    assert_eq!(
        replay.moments.len(),
        moments,
        "another's commits are not Ann's moments"
    );
    assert!(replay
        .moments
        .iter()
        .filter_map(|m| m.universe.as_ref())
        .all(|u| u.adventurer.name == "Ann"));
    assert_eq!(w.statuses(&ann).len(), 5, "Ann's five workflows only");
    w.all_final(&ann);

    block_on(w.game.forget(&ann)).unwrap();
    for other in [&slash, &colon] {
        let u = w.universe(other);
        assert!(u.adventurer.confirmed, "{other} keeps its game");
        assert_eq!(w.statuses(other).len(), 5, "{other} keeps its workflows");
        assert!(!block_on(w.game.replay(other)).unwrap().moments.is_empty());
    }
}
