//! The placing steps of `UserSequentialWorkflow`, pure: put the adventurer,
//! the weapon, the monster and the treasure where the game starts.
//!
//! Owns where each part goes and the narration of each step. Must never
//! create parts (generation and the creating activities do) or store
//! anything. Every step is idempotent: run again, it changes nothing and
//! narrates the same, so a retried activity does no harm.
//!
//! The player may already act while the steps run (see `rules`). The one
//! step that can meet a changed world is the last: if the monster was
//! killed before its treasure was placed, the treasure is laid beside the
//! body, on the floor, where the player can get it and still win.

use crate::model::{ItemLocation, Universe};
use crate::narration;
use crate::rules::Effect;
use serde::{Deserialize, Serialize};

/// A step ran before the part it places was created: a workflow ordering
/// bug, not something the player did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error("The room has not been created yet.")]
    NoRoom,
    #[error("The monster has not been created yet.")]
    NoMonster,
    #[error("The weapon has not been created yet.")]
    NoWeapon,
    #[error("The treasure has not been created yet.")]
    NoTreasure,
}

/// PlaceUserInRoom: "{name} looks around: {description}".
pub fn place_adventurer(universe: &Universe) -> Result<Effect, SetupError> {
    let room = universe.room.as_ref().ok_or(SetupError::NoRoom)?;
    let line = narration::looks_around(&universe.adventurer.name, &room.description);
    let mut next = universe.clone();
    next.adventurer.room = Some(room.name.clone());
    Ok(narrated(next, line))
}

/// PlaceWeaponInRoom: "{name} sees a {weapon} inside the room!" (with the
/// article the weapon takes). A weapon
/// already placed (or picked up) stays where it is.
pub fn place_weapon(universe: &Universe) -> Result<Effect, SetupError> {
    let room = universe.room.as_ref().ok_or(SetupError::NoRoom)?;
    let weapon = universe.weapon.as_ref().ok_or(SetupError::NoWeapon)?;
    let line = narration::sees_weapon(&universe.adventurer.name, &weapon.name);
    let mut next = universe.clone();
    if weapon.location == ItemLocation::Nowhere {
        let (name, room_name) = (weapon.name.clone(), room.name.clone());
        if let Some(w) = next.weapon.as_mut() {
            w.location = ItemLocation::Room;
        }
        if let Some(r) = next.room.as_mut().filter(|r| r.name == room_name) {
            r.items.push(name);
        }
    }
    Ok(narrated(next, line))
}

/// PlaceMonsterInRoom: "{name} notices a {monster} in {room}.".
pub fn place_monster(universe: &Universe) -> Result<Effect, SetupError> {
    let room = universe.room.as_ref().ok_or(SetupError::NoRoom)?;
    let monster = universe.monster.as_ref().ok_or(SetupError::NoMonster)?;
    let line = narration::notices_monster(&universe.adventurer.name, &monster.name, &room.name);
    let (monster_name, room_name) = (monster.name.clone(), room.name.clone());
    let mut next = universe.clone();
    if let Some(m) = next.monster.as_mut() {
        m.room = Some(room_name);
    }
    if let Some(r) = next.room.as_mut() {
        r.monster = Some(monster_name);
    }
    Ok(narrated(next, line))
}

/// PlaceTreasureOnMonster: "{name} notices a {monster} with a {treasure}.".
/// If the monster is already dead, the treasure goes on the floor beside
/// it instead ("{name} notices a {treasure} beside the body of the
/// {monster}."). A treasure already placed stays where it is.
pub fn place_treasure(universe: &Universe) -> Result<Effect, SetupError> {
    let monster = universe.monster.as_ref().ok_or(SetupError::NoMonster)?;
    let treasure = universe.treasure.as_ref().ok_or(SetupError::NoTreasure)?;
    let name = &universe.adventurer.name;
    let on_monster = match treasure.location {
        ItemLocation::Nowhere => monster.alive,
        ItemLocation::Monster => true,
        ItemLocation::Room | ItemLocation::Carried => false,
    };
    let line = if on_monster {
        narration::notices_treasure(name, &monster.name, &treasure.name)
    } else {
        narration::treasure_beside_body(name, &monster.name, &treasure.name)
    };
    let mut next = universe.clone();
    if treasure.location == ItemLocation::Nowhere {
        let item = treasure.name.clone();
        if on_monster {
            if let Some(m) = next.monster.as_mut() {
                m.inventory.push(item);
            }
            set_treasure(&mut next, ItemLocation::Monster);
        } else {
            next.room
                .as_mut()
                .ok_or(SetupError::NoRoom)?
                .items
                .push(item);
            set_treasure(&mut next, ItemLocation::Room);
        }
    }
    Ok(narrated(next, line))
}

fn set_treasure(universe: &mut Universe, location: ItemLocation) {
    if let Some(t) = universe.treasure.as_mut() {
        t.location = location;
    }
}

fn narrated(universe: Universe, line: String) -> Effect {
    Effect {
        universe,
        narration: vec![line],
        events: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse;
    use crate::model::{Adventurer, Item, Monster, Room, Status};
    use crate::rules::apply;

    /// Everything created, the adventurer confirmed, nothing placed.
    fn created() -> Universe {
        let mut adventurer = Adventurer::new("Ada", 0);
        adventurer.confirmed = true;
        Universe {
            adventurer,
            monster: Some(Monster::new("Gibbering Green Troll", "Ada")),
            room: Some(Room::new(
                "A dusty room",
                "You are standing in a dusty room.",
                "Ada",
            )),
            weapon: Some(Item::weapon("Magic Sword", "Ada")),
            treasure: Some(Item::treasure("Magic Diamond", "Ada")),
        }
    }

    type Step = fn(&Universe) -> Result<Effect, SetupError>;
    const STEPS: [Step; 4] = [
        place_adventurer,
        place_weapon,
        place_monster,
        place_treasure,
    ];

    fn step(universe: &Universe, step: Step) -> Effect {
        match step(universe) {
            Ok(effect) => effect,
            Err(e) => panic!("the step failed: {e}"),
        }
    }

    fn play(universe: &Universe, line: &str) -> Universe {
        let command = parse(line).expect("the test line parses");
        match apply(universe, &command) {
            Ok(effect) => effect.universe,
            Err(e) => panic!("{line:?} was refused: {e}"),
        }
    }

    #[test]
    fn the_four_steps_in_order_set_the_game_up_with_their_narration() {
        let mut u = created();
        let mut lines = Vec::new();
        for s in STEPS {
            assert_eq!(u.status(), Status::SettingUp);
            let effect = step(&u, s);
            lines.extend(effect.narration);
            u = effect.universe;
            assert_eq!(u.inconsistencies(), Vec::<String>::new());
        }
        assert_eq!(
            lines,
            [
                "Ada looks around: You are standing in a dusty room.",
                "Ada sees a Magic Sword inside the room!",
                "Ada notices a Gibbering Green Troll in a dusty room.",
                "Ada notices a Gibbering Green Troll with a Magic Diamond.",
            ]
        );
        assert!(u.is_setup_complete());
        assert_eq!(u.status(), Status::Playing);
    }

    #[test]
    fn every_step_is_idempotent() {
        let mut u = created();
        for s in STEPS {
            let once = step(&u, s);
            let twice = step(&once.universe, s);
            assert_eq!(twice.universe, once.universe);
            assert_eq!(twice.narration, once.narration);
            u = once.universe;
        }
    }

    #[test]
    fn a_step_before_its_part_exists_is_an_error() {
        let bare = Universe::new(Adventurer::new("Ada", 0));
        assert_eq!(place_adventurer(&bare), Err(SetupError::NoRoom));
        assert_eq!(place_weapon(&bare), Err(SetupError::NoRoom));
        assert_eq!(place_monster(&bare), Err(SetupError::NoRoom));
        assert_eq!(place_treasure(&bare), Err(SetupError::NoMonster));
        let mut no_treasure = created();
        no_treasure.treasure = None;
        assert_eq!(place_treasure(&no_treasure), Err(SetupError::NoTreasure));
        let mut no_weapon = created();
        no_weapon.weapon = None;
        assert_eq!(place_weapon(&no_weapon), Err(SetupError::NoWeapon));
    }

    #[test]
    fn a_treasure_placed_after_the_kill_lies_beside_the_body_and_can_be_won() {
        let mut u = created();
        for s in &STEPS[..3] {
            u = step(&u, *s).universe;
        }
        u = play(&u, "get sword");
        u = play(&u, "kill troll with sword");
        let effect = step(&u, place_treasure);
        assert_eq!(
            effect.narration,
            ["Ada notices a Magic Diamond beside the body of the Gibbering Green Troll."]
        );
        let u = effect.universe;
        assert_eq!(
            u.treasure.as_ref().map(|t| t.location),
            Some(ItemLocation::Room)
        );
        assert!(u.monster.as_ref().is_some_and(|m| m.inventory.is_empty()));
        assert_eq!(u.inconsistencies(), Vec::<String>::new());
        assert!(u.is_setup_complete());
        let u = play(&u, "get diamond");
        assert!(u.is_won());
    }
}
