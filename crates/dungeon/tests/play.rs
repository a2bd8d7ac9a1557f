//! Whole games through the public API: generated universes, the setup steps
//! in any order relative to the player's commands, random command lines.
//! Whatever happens, the game stays consistent, the events agree with the
//! one definition of winning, and a living adventurer can still win.

use dungeon::generate::{monster_name, room, treasure_name, weapon_name};
use dungeon::setup::{place_adventurer, place_monster, place_treasure, place_weapon};
use dungeon::{apply, parse, Adventurer, Effect, GameEvent, Item, Monster, Room, Universe};
use proptest::prelude::*;

/// A universe with every part created from `picks`, confirmed, unplaced.
fn created(picks: &[usize]) -> Universe {
    let mut next = picks.iter().copied().cycle();
    created_by(move |n: usize| next.next().unwrap_or(0) % n.max(1))
}

fn created_by(mut pick: impl FnMut(usize) -> usize) -> Universe {
    let owner = "Ada";
    let (room_name, description) = room(&mut pick);
    let mut adventurer = Adventurer::new(owner, 0);
    adventurer.confirmed = true;
    Universe {
        adventurer,
        monster: Some(Monster::new(monster_name(&mut pick), owner)),
        room: Some(Room::new(room_name, description, owner)),
        weapon: Some(Item::weapon(weapon_name(&mut pick), owner)),
        treasure: Some(Item::treasure(treasure_name(&mut pick), owner)),
    }
}

type Step = fn(&Universe) -> Result<Effect, dungeon::SetupError>;
const STEPS: [Step; 4] = [
    place_adventurer,
    place_weapon,
    place_monster,
    place_treasure,
];

/// Something the player types: mostly get and kill with words of the
/// universe's own names (or of the wrong ones, or noise), sometimes any mix
/// of verbs and words.
fn line(universe: &Universe, choice: &[usize]) -> String {
    let words_of = |name: Option<&String>| -> Vec<String> {
        let Some(name) = name else { return Vec::new() };
        let mut words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
        words.push(name.clone());
        words
    };
    let monster = words_of(universe.monster.as_ref().map(|m| &m.name));
    let weapon = words_of(universe.weapon.as_ref().map(|w| &w.name));
    let treasure = words_of(universe.treasure.as_ref().map(|t| &t.name));
    let noise: Vec<String> = ["ghost", "magic", "the", "sparkling", "xyzzy"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let at = |i: usize| choice.get(i).copied().unwrap_or(0);
    // A word from one of the lists, picked by choice[i].
    let from = |i: usize, lists: &[&Vec<String>]| -> String {
        let c = at(i);
        let list = lists[c % lists.len()];
        if list.is_empty() {
            String::new()
        } else {
            list[c / lists.len() % list.len()].clone()
        }
    };
    let verbs = [
        "get", "take", "pick", "up", "kill", "attack", "with", "look", "l", "i", "help", "confirm",
        "xyzzy", "?",
    ];
    match at(0) % 4 {
        0 => format!(
            "kill {} with {}",
            from(1, &[&monster, &monster, &noise]),
            from(2, &[&weapon, &weapon, &treasure, &noise])
        ),
        1 => format!("get {}", from(1, &[&weapon, &treasure, &monster, &noise])),
        2 => choice
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if c % 2 == 0 {
                    verbs[c / 2 % verbs.len()].to_owned()
                } else {
                    from(i, &[&monster, &weapon, &treasure, &noise])
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => verbs[at(1) % verbs.len()].to_owned(),
    }
}

/// Runs the lines that must succeed, in order, and returns the events.
fn script(universe: &mut Universe, lines: &[String]) -> Vec<GameEvent> {
    let mut events = Vec::new();
    for text in lines {
        let command = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let effect = apply(universe, &command).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        events.extend(effect.events);
        *universe = effect.universe;
    }
    events
}

proptest! {
    #[test]
    fn any_game_stays_consistent_and_winnable(
        picks in prop::collection::vec(0usize..64, 6),
        moves in prop::collection::vec(
            (0u8..6, prop::collection::vec(0usize..256, 0..6)),
            0..60,
        ),
    ) {
        let mut universe = created(&picks);
        let mut next_step = 0;
        let mut events: Vec<GameEvent> = Vec::new();
        for (roll, choice) in &moves {
            // One move in six is the next setup step.
            if *roll == 0 && next_step < STEPS.len() {
                let effect = STEPS[next_step](&universe);
                prop_assert!(effect.is_ok(), "setup step {next_step}: {effect:?}");
                if let Ok(effect) = effect {
                    universe = effect.universe;
                }
                next_step += 1;
            } else {
                let text = line(&universe, choice);
                let Ok(command) = parse(&text) else { continue };
                let before = universe.clone();
                match apply(&universe, &command) {
                    Ok(effect) => {
                        events.extend(effect.events);
                        universe = effect.universe;
                    }
                    Err(_) => prop_assert_eq!(&universe, &before),
                }
            }
            prop_assert_eq!(universe.inconsistencies(), Vec::<String>::new());
            let killed = events.contains(&GameEvent::KillMonster);
            let got = events.contains(&GameEvent::GotTreasure);
            prop_assert_eq!(universe.is_won(), killed && got, "{:?}", events);
            prop_assert!(events.iter().filter(|e| **e == GameEvent::KillMonster).count() <= 1);
            prop_assert!(events.iter().filter(|e| **e == GameEvent::GotTreasure).count() <= 1);
        }

        // Finish the setup, then play to the end by full names.
        for step in &STEPS[next_step..] {
            let effect = step(&universe);
            prop_assert!(effect.is_ok());
            if let Ok(effect) = effect {
                universe = effect.universe;
            }
        }
        prop_assert!(universe.is_setup_complete());
        let full = |item: &Option<Item>| item.as_ref().map(|i| i.name.clone()).unwrap_or_default();
        let (weapon, treasure) = (full(&universe.weapon), full(&universe.treasure));
        let monster = universe.monster.as_ref().map(|m| m.name.clone()).unwrap_or_default();
        let mut plan = Vec::new();
        if !universe.adventurer.inventory.contains(&weapon) {
            plan.push(format!("get {weapon}"));
        }
        if universe.monster.as_ref().is_some_and(|m| m.alive) {
            plan.push(format!("kill {monster} with {weapon}"));
        }
        if !universe.adventurer.inventory.contains(&treasure) {
            plan.push(format!("get {treasure}"));
        }
        events.extend(script(&mut universe, &plan));
        prop_assert!(universe.is_won());
        prop_assert_eq!(universe.inconsistencies(), Vec::<String>::new());
        prop_assert!(events.contains(&GameEvent::KillMonster) && events.contains(&GameEvent::GotTreasure));
    }
}

#[test]
fn the_last_entries_of_the_word_lists_play_too() {
    // "Zombie", "Scythe" and "Dot-matrix printer" are last in their lists.
    let mut universe = created_by(|n: usize| n - 1);
    for step in STEPS {
        universe = step(&universe).map(|e| e.universe).unwrap_or(universe);
    }
    let events = script(
        &mut universe,
        &[
            "pick up the scythe".into(),
            "slay zombie with scythe".into(),
            "grab dot-matrix printer".into(),
        ],
    );
    assert_eq!(events, [GameEvent::KillMonster, GameEvent::GotTreasure]);
    assert!(universe.is_won());
}
