//! The rules of the game's commands, as one pure function: a universe and a
//! command in, the new universe, its narration and the events to raise out.
//!
//! Owns what each command requires and changes, and its player-facing
//! refusals. Must never store, raise events, read the clock or handle
//! `confirm`: the workflow that calls [`apply`] commits the new universe
//! with its narration as one atomic change, and raises the events.
//!
//! Decisions the specification leaves open:
//! - A dead adventurer may still ask for `help` and `inventory`; `look`,
//!   `get`, `kill` and `confirm` are refused with [`RuleError::Dead`]
//!   (the dead never entered the room).
//! - `confirm` is not a rule: the confirmation workflow answers it while
//!   its window is open. Reaching [`apply`] it is refused with
//!   [`RuleError::NotARule`], whose message fits a confirm typed when no
//!   window is open.
//! - `look` waits for the whole setup ([`Universe::is_setup_complete`]);
//!   `get` and `kill` need only the adventurer in the room, and then see
//!   whatever has been placed so far. So a monster can be killed before
//!   its treasure was placed on it: the kill succeeds without a "dropped"
//!   line and the treasure stays where it is; `setup::place_treasure` then
//!   lays it beside the body, so the game stays winnable.
//! - Kill checks the monster before the weapon: "There is no ghost here."
//!   and "The troll is already dead." say more than a missing weapon.
//! - Getting something already carried says so instead of "There is no
//!   sword here."

use crate::command::Command;
use crate::event::GameEvent;
use crate::matching::{self, Ambiguous};
use crate::model::{ItemLocation, Universe};
use crate::narration;
use serde::{Deserialize, Serialize};

/// What a command did: the whole new universe (unchanged for look,
/// inventory and help), what to narrate, in order, and the events to raise.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub universe: Universe,
    pub narration: Vec<String>,
    pub events: Vec<GameEvent>,
}

impl Effect {
    /// Narration only; nothing changes.
    pub(crate) fn unchanged(universe: &Universe, narration: Vec<String>) -> Self {
        Self {
            universe: universe.clone(),
            narration,
            events: Vec::new(),
        }
    }
}

/// Why a command was refused. Nothing changed; the message is for the
/// player. Names of things that matched are full names; a part that matched
/// nothing is shown as typed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{name}'s adventure is still being set up. Wait a moment.")]
    NotReady { name: String },
    #[error("{name} is dead. The adventure is over.")]
    Dead { name: String },
    #[error("Time is up: {name}'s adventure is over.")]
    OutOfTime { name: String },
    #[error("There is no {item} here.")]
    ItemNotHere { item: String },
    #[error("{name} already has the {item}.")]
    AlreadyCarried { name: String, item: String },
    #[error("{name} does not have {}.", narration::a(weapon))]
    WeaponNotCarried { name: String, weapon: String },
    #[error("There is no {monster} here.")]
    NoSuchMonster { monster: String },
    #[error("The {monster} is already dead.")]
    MonsterAlreadyDead { monster: String },
    #[error(transparent)]
    Ambiguous(#[from] Ambiguous),
    /// `confirm` belongs to the confirmation workflow, not the rules.
    #[error("Confirm only works while the confirmation window is open.")]
    NotARule,
}

/// Applies one command. Pure: the input is never changed, and an error
/// means nothing happened.
pub fn apply(universe: &Universe, command: &Command) -> Result<Effect, RuleError> {
    let name = &universe.adventurer.name;
    match command {
        Command::Help => Ok(Effect::unchanged(universe, narration::help())),
        Command::Inventory => Ok(Effect::unchanged(
            universe,
            vec![narration::carrying(name, &universe.adventurer.inventory)],
        )),
        Command::Confirm => {
            alive(universe)?;
            Err(RuleError::NotARule)
        }
        Command::Look => look(universe),
        Command::Get { item } => get(universe, item),
        Command::Kill { monster, weapon } => kill(universe, monster, weapon),
    }
}

/// The adventurer can still act: alive, and the game not out of time.
fn alive(universe: &Universe) -> Result<(), RuleError> {
    let name = universe.adventurer.name.clone();
    if universe.is_dead() {
        return Err(RuleError::Dead { name });
    }
    if universe.adventurer.out_of_time && !universe.is_won() {
        return Err(RuleError::OutOfTime { name });
    }
    Ok(())
}

fn not_ready(universe: &Universe) -> RuleError {
    RuleError::NotReady {
        name: universe.adventurer.name.clone(),
    }
}

fn look(universe: &Universe) -> Result<Effect, RuleError> {
    alive(universe)?;
    let room = match universe.current_room() {
        Some(room) if universe.is_setup_complete() => room,
        _ => return Err(not_ready(universe)),
    };
    let mut lines = vec![room.description.clone()];
    if let Some(monster) = universe.monster_here() {
        lines.push(if monster.alive {
            let held = universe
                .items()
                .find(|i| i.location == ItemLocation::Monster)
                .map(|i| i.name.as_str());
            narration::monster_here(&monster.name, held)
        } else {
            narration::body_here(&monster.name)
        });
    }
    lines.push(narration::on_the_floor(&room.items));
    lines.push(narration::carrying(
        &universe.adventurer.name,
        &universe.adventurer.inventory,
    ));
    Ok(Effect::unchanged(universe, lines))
}

fn get(universe: &Universe, part: &str) -> Result<Effect, RuleError> {
    alive(universe)?;
    let room = universe.current_room().ok_or_else(|| not_ready(universe))?;
    let name = &universe.adventurer.name;
    let Some(item) = matching::find(part, room.items.iter().map(String::as_str))? else {
        let carried = universe.adventurer.inventory.iter().map(String::as_str);
        return Err(match matching::find(part, carried) {
            Ok(Some(item)) => RuleError::AlreadyCarried {
                name: name.clone(),
                item: item.to_owned(),
            },
            _ => RuleError::ItemNotHere {
                item: part.to_owned(),
            },
        });
    };
    let item = item.to_owned();

    let mut next = universe.clone();
    if let Some(room) = next.room.as_mut() {
        remove(&mut room.items, &item);
    }
    next.adventurer.inventory.push(item.clone());
    let mut is_treasure = false;
    if let Some(it) = next.item_mut(&item) {
        it.location = ItemLocation::Carried;
        is_treasure = it.is_treasure;
    }

    let mut lines = vec![narration::grabbed(name, &item)];
    let mut events = Vec::new();
    if is_treasure {
        lines.push(narration::nabbed_treasure(name));
        events.push(GameEvent::GotTreasure);
    }
    Ok(Effect {
        universe: next,
        narration: lines,
        events,
    })
}

fn kill(universe: &Universe, monster_part: &str, weapon_part: &str) -> Result<Effect, RuleError> {
    alive(universe)?;
    if universe.current_room().is_none() {
        return Err(not_ready(universe));
    }
    let name = &universe.adventurer.name;
    let here = universe.monster_here();
    let Some(monster) =
        here.filter(|m| matches!(matching::find(monster_part, [m.name.as_str()]), Ok(Some(_))))
    else {
        return Err(RuleError::NoSuchMonster {
            monster: monster_part.to_owned(),
        });
    };
    if !monster.alive {
        return Err(RuleError::MonsterAlreadyDead {
            monster: monster.name.clone(),
        });
    }
    let carried = universe.adventurer.inventory.iter().map(String::as_str);
    let Some(weapon) = matching::find(weapon_part, carried)? else {
        return Err(RuleError::WeaponNotCarried {
            name: name.clone(),
            weapon: weapon_part.to_owned(),
        });
    };
    let monster_name = monster.name.clone();
    let mut lines = vec![narration::killed(name, &monster_name, weapon)];

    // What the monster holds falls to the floor. An item's location is the
    // truth; a treasure not placed on the monster yet stays where it is.
    let mut next = universe.clone();
    let held: Vec<String> = next
        .items()
        .filter(|i| i.location == ItemLocation::Monster)
        .map(|i| i.name.clone())
        .collect();
    for item in &held {
        if let Some(it) = next.item_mut(item) {
            it.location = ItemLocation::Room;
        }
        if let Some(room) = next.room.as_mut() {
            room.items.push(item.clone());
        }
        lines.push(narration::dropped(name, &monster_name, item));
    }
    if let Some(monster) = next.monster.as_mut() {
        monster.alive = false;
        monster.inventory.retain(|i| !held.contains(i));
    }
    Ok(Effect {
        universe: next,
        narration: lines,
        events: vec![GameEvent::KillMonster],
    })
}

/// Removes the first entry equal to `name`.
fn remove(list: &mut Vec<String>, name: &str) {
    if let Some(at) = list.iter().position(|n| n == name) {
        list.remove(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse;
    use crate::model::tests::playing;
    use crate::model::{Adventurer, Item, ItemLocation};

    /// Parses and applies, as a player would.
    fn run(universe: &Universe, line: &str) -> Result<Effect, RuleError> {
        let command = parse(line).expect("the test line parses");
        apply(universe, &command)
    }

    /// Applies a line that must succeed and returns the new universe.
    fn ok(universe: &Universe, line: &str) -> Universe {
        match run(universe, line) {
            Ok(effect) => effect.universe,
            Err(e) => panic!("{line:?} was refused: {e}"),
        }
    }

    fn message(universe: &Universe, line: &str) -> String {
        match run(universe, line) {
            Ok(effect) => panic!("{line:?} succeeded: {:?}", effect.narration),
            Err(e) => e.to_string(),
        }
    }

    /// Each error leaves the input as it was (apply is pure) and is the
    /// message given.
    fn refused(universe: &Universe, line: &str, want: &str) {
        let before = universe.clone();
        assert_eq!(message(universe, line), want, "{line:?}");
        assert_eq!(universe, &before);
    }

    fn armed() -> Universe {
        ok(&playing(), "get sword")
    }

    fn killed() -> Universe {
        ok(&armed(), "kill troll with sword")
    }

    #[test]
    fn look_describes_room_contents_and_inventory() {
        let u = playing();
        let effect = run(&u, "look").expect("look works");
        assert_eq!(
            effect.narration,
            [
                "You are standing in a dusty room with sandstone walls. The room is otherwise empty.",
                "The Gibbering Green Troll is here, holding the Magic Diamond.",
                "On the floor: Magic Sword.",
                "Ada is carrying nothing.",
            ]
        );
        assert_eq!(effect.universe, u);
        assert!(effect.events.is_empty());

        let after = run(&killed(), "l").expect("look works").narration;
        assert_eq!(after[1], "The body of the Gibbering Green Troll lies here.");
        assert_eq!(after[2], "On the floor: Magic Diamond.");
        assert_eq!(after[3], "Ada is carrying: Magic Sword.");
    }

    #[test]
    fn look_before_setup_is_not_ready() {
        let mut u = playing();
        if let Some(t) = u.treasure.as_mut() {
            t.location = ItemLocation::Nowhere;
        }
        if let Some(m) = u.monster.as_mut() {
            m.inventory.clear();
        }
        refused(
            &u,
            "look",
            "Ada's adventure is still being set up. Wait a moment.",
        );
        let fresh = Universe::new(Adventurer::new("Ada", 0));
        refused(
            &fresh,
            "look",
            "Ada's adventure is still being set up. Wait a moment.",
        );
    }

    #[test]
    fn inventory_any_time() {
        let fresh = Universe::new(Adventurer::new("Ada", 0));
        let effect = run(&fresh, "i").expect("inventory always works");
        assert_eq!(effect.narration, ["Ada is carrying nothing."]);
        assert_eq!(effect.universe, fresh);
        let effect = run(&armed(), "inventory").expect("inventory always works");
        assert_eq!(effect.narration, ["Ada is carrying: Magic Sword."]);
    }

    #[test]
    fn help_lists_the_commands_any_time() {
        let mut dead = Universe::new(Adventurer::new("Ada", 0));
        dead.adventurer.alive = false;
        let effect = run(&dead, "help").expect("help always works");
        assert_eq!(effect.narration, narration::help());
        assert_eq!(effect.universe, dead);
    }

    #[test]
    fn get_moves_an_item_from_the_floor_to_the_adventurer() {
        let u = playing();
        let effect = run(&u, "get the sword").expect("the sword is on the floor");
        assert_eq!(
            effect.narration,
            ["Ada successfully grabbed the Magic Sword."]
        );
        assert!(effect.events.is_empty());
        let after = &effect.universe;
        assert_eq!(after.adventurer.inventory, ["Magic Sword"]);
        assert!(after.room.as_ref().is_some_and(|r| r.items.is_empty()));
        assert_eq!(
            after.weapon.as_ref().map(|w| w.location),
            Some(ItemLocation::Carried)
        );
        assert_eq!(after.inconsistencies(), Vec::<String>::new());
    }

    #[test]
    fn getting_the_treasure_nabs_it_and_raises_got_treasure() {
        let effect = run(&killed(), "take diamond").expect("the diamond is on the floor");
        assert_eq!(
            effect.narration,
            [
                "Ada successfully grabbed the Magic Diamond.",
                "Ada nabbed the treasure."
            ]
        );
        assert_eq!(effect.events, [GameEvent::GotTreasure]);
        assert!(effect.universe.is_won());
        assert_eq!(effect.universe.inconsistencies(), Vec::<String>::new());
    }

    #[test]
    fn get_refuses_what_is_not_on_the_floor() {
        let u = playing();
        refused(&u, "get ghost", "There is no ghost here.");
        // The treasure is on the living monster, not on the floor.
        refused(&u, "get diamond", "There is no diamond here.");
        refused(&u, "get troll", "There is no troll here.");
        refused(&armed(), "get sword", "Ada already has the Magic Sword.");
    }

    #[test]
    fn get_before_the_adventurer_is_placed_is_not_ready() {
        let mut u = playing();
        u.adventurer.room = None;
        refused(
            &u,
            "get sword",
            "Ada's adventure is still being set up. Wait a moment.",
        );
    }

    #[test]
    fn kill_drops_the_treasure_and_raises_kill_monster() {
        let effect = run(&armed(), "kill the troll with the sword").expect("a valid kill");
        assert_eq!(
            effect.narration,
            [
                "Ada valiantly killed the Gibbering Green Troll with the Magic Sword.",
                "Ada notices the Gibbering Green Troll dropped a Magic Diamond.",
            ]
        );
        assert_eq!(effect.events, [GameEvent::KillMonster]);
        let after = &effect.universe;
        assert!(after
            .monster
            .as_ref()
            .is_some_and(|m| !m.alive && m.inventory.is_empty()));
        assert_eq!(
            after.treasure.as_ref().map(|t| t.location),
            Some(ItemLocation::Room)
        );
        assert!(after
            .room
            .as_ref()
            .is_some_and(|r| r.items == ["Magic Diamond"]));
        assert!(!after.is_won(), "the treasure is not carried yet");
        assert_eq!(after.inconsistencies(), Vec::<String>::new());
    }

    #[test]
    fn kill_synonyms_and_any_part_of_the_names() {
        for line in [
            "attack gibbering with magic",
            "slay green troll with magic sword",
            "fight TROLL using SWORD",
        ] {
            // "magic" is unambiguous here: only the sword is carried.
            assert!(run(&armed(), line).is_ok(), "{line}");
        }
    }

    #[test]
    fn kill_refusals_each_say_what_is_wrong() {
        refused(
            &playing(),
            "kill troll with sword",
            "Ada does not have a sword.",
        );
        refused(&armed(), "kill ghost with sword", "There is no ghost here.");
        refused(&armed(), "kill troll with axe", "Ada does not have an axe.");
        refused(
            &killed(),
            "kill troll with sword",
            "The Gibbering Green Troll is already dead.",
        );
        // The monster is checked before the weapon.
        refused(&playing(), "kill ghost with axe", "There is no ghost here.");
        let mut elsewhere = armed();
        if let Some(m) = elsewhere.monster.as_mut() {
            m.room = None;
        }
        refused(
            &elsewhere,
            "kill troll with sword",
            "There is no troll here.",
        );
        let mut unplaced = armed();
        unplaced.adventurer.room = None;
        refused(
            &unplaced,
            "kill troll with sword",
            "Ada's adventure is still being set up. Wait a moment.",
        );
    }

    #[test]
    fn a_failed_kill_returns_err_and_changes_nothing() {
        let u = playing();
        let before = u.clone();
        let result = run(&u, "kill troll with sword");
        assert!(matches!(result, Err(RuleError::WeaponNotCarried { .. })));
        assert_eq!(u, before);
        assert!(u.monster.as_ref().is_some_and(|m| m.alive));
    }

    #[test]
    fn an_ambiguous_part_lists_the_matches() {
        // Both items on the floor start with "Magic".
        let mut floor = killed();
        if let Some(room) = floor.room.as_mut() {
            room.items.push("Magic Sword".into());
        }
        floor.adventurer.inventory.clear();
        if let Some(w) = floor.weapon.as_mut() {
            w.location = ItemLocation::Room;
        }
        refused(
            &floor,
            "get magic",
            "Which do you mean: Magic Diamond or Magic Sword?",
        );
        assert_eq!(
            ok(&floor, "get magic sword").adventurer.inventory,
            ["Magic Sword"]
        );

        // Carrying both, the weapon part is ambiguous too.
        let mut both = playing();
        both.adventurer.inventory = vec!["Magic Sword".into(), "Magic Diamond".into()];
        if let Some(room) = both.room.as_mut() {
            room.items.clear();
        }
        if let Some(w) = both.weapon.as_mut() {
            w.location = ItemLocation::Carried;
        }
        refused(
            &both,
            "kill troll with magic",
            "Which do you mean: Magic Sword or Magic Diamond?",
        );
    }

    #[test]
    fn multi_word_names_work() {
        let mut u = playing();
        let star = "Hefty Morning star";
        u.weapon = Some(Item {
            location: ItemLocation::Room,
            ..Item::weapon(star, "Ada")
        });
        if let Some(room) = u.room.as_mut() {
            room.items = vec![star.into()];
        }
        let treasure = "Stout Commodore 64";
        u.treasure = Some(Item {
            location: ItemLocation::Monster,
            ..Item::treasure(treasure, "Ada")
        });
        if let Some(m) = u.monster.as_mut() {
            m.inventory = vec![treasure.into()];
        }
        assert_eq!(u.inconsistencies(), Vec::<String>::new());
        let u = ok(&u, "get the morning star");
        let effect = run(&u, "kill gibbering green troll with morning star").expect("a kill");
        assert_eq!(
            effect.narration,
            [
                "Ada valiantly killed the Gibbering Green Troll with the Hefty Morning star.",
                "Ada notices the Gibbering Green Troll dropped a Stout Commodore 64.",
            ]
        );
        let u = ok(&effect.universe, "pick up commodore 64");
        assert!(u.is_won());
    }

    #[test]
    fn killing_before_the_treasure_was_placed_does_not_corrupt_the_game() {
        let mut early = armed();
        if let Some(t) = early.treasure.as_mut() {
            t.location = ItemLocation::Nowhere;
        }
        if let Some(m) = early.monster.as_mut() {
            m.inventory.clear();
        }
        assert_eq!(early.inconsistencies(), Vec::<String>::new());
        let effect = run(&early, "kill troll with sword").expect("the kill succeeds");
        assert_eq!(
            effect.narration,
            ["Ada valiantly killed the Gibbering Green Troll with the Magic Sword."],
            "no dropped line: the monster held nothing"
        );
        assert_eq!(effect.events, [GameEvent::KillMonster]);
        let after = effect.universe;
        assert_eq!(
            after.treasure.as_ref().map(|t| t.location),
            Some(ItemLocation::Nowhere),
            "the treasure stays where it was"
        );
        assert!(after.room.as_ref().is_some_and(|r| r.items.is_empty()));
        assert_eq!(after.inconsistencies(), Vec::<String>::new());
        assert!(!after.is_won());
    }

    #[test]
    fn the_dead_may_ask_for_help_and_inventory_only() {
        let mut dead = playing();
        dead.adventurer.alive = false;
        for line in ["look", "get sword", "kill troll with sword", "confirm"] {
            refused(&dead, line, "Ada is dead. The adventure is over.");
        }
        assert!(run(&dead, "help").is_ok());
        assert!(run(&dead, "inventory").is_ok());
    }

    #[test]
    fn confirm_is_not_a_rule() {
        refused(
            &playing(),
            "confirm",
            "Confirm only works while the confirmation window is open.",
        );
    }

    #[test]
    fn a_whole_game() {
        let mut u = playing();
        let mut events = Vec::new();
        for line in [
            "look",
            "get sword",
            "kill troll with sword",
            "get diamond",
            "look",
        ] {
            let effect = run(&u, line).expect("every step is valid");
            events.extend(effect.events);
            u = effect.universe;
            assert_eq!(u.inconsistencies(), Vec::<String>::new(), "after {line}");
        }
        assert_eq!(events, [GameEvent::KillMonster, GameEvent::GotTreasure]);
        assert!(u.is_won());
        assert_eq!(u.status(), crate::model::Status::Won);
    }
}
