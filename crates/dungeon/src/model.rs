//! The game's entities as plain data: adventurer, monster, room, item, and
//! the universe that holds one of each for an adventurer.
//!
//! Owns the one definition of winning, dying and "set up", and the status
//! derived from them. Must never hold signals, read storage or decide a
//! rule: the rules live in `rules`, the setup steps in `setup`.
//!
//! Where an item is has one source of truth, [`Item::location`]. The name
//! lists (`Adventurer::inventory`, `Room::items`, `Monster::inventory`)
//! mirror it for display; the rules and setup steps change both together,
//! and [`Universe::inconsistencies`] checks that they agree.

use serde::{Deserialize, Serialize};

/// The player's adventurer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Adventurer {
    /// The name as the player typed it (trimmed); see `names::name_key`.
    pub name: String,
    /// The room the adventurer stands in, once placed.
    pub room: Option<String>,
    pub alive: bool,
    /// Names of the items carried, in the order they were picked up.
    pub inventory: Vec<String>,
    pub created_ms: u64,
    /// The player confirmed they are ready within the window.
    pub confirmed: bool,
    /// When the player last changed the game (a get or a kill); the game's
    /// time limit counts from it. 0 before the first move.
    #[serde(default)]
    pub last_move_ms: u64,
    /// The game's time limit passed with no move: the game is over, not won.
    #[serde(default)]
    pub out_of_time: bool,
}

impl Adventurer {
    /// A living, unconfirmed adventurer in no room, carrying nothing.
    pub fn new(name: impl Into<String>, created_ms: u64) -> Self {
        Self {
            name: name.into(),
            room: None,
            alive: true,
            inventory: Vec::new(),
            created_ms,
            confirmed: false,
            last_move_ms: 0,
            out_of_time: false,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Monster {
    pub name: String,
    /// The adventurer this monster belongs to.
    pub owner: String,
    pub room: Option<String>,
    pub alive: bool,
    /// Names of the items the monster holds (the treasure, once placed).
    pub inventory: Vec<String>,
}

impl Monster {
    /// A living monster in no room, holding nothing.
    pub fn new(name: impl Into<String>, owner: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            owner: owner.into(),
            room: None,
            alive: true,
            inventory: Vec::new(),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Room {
    pub name: String,
    pub description: String,
    pub owner: String,
    /// The monster in the room, once placed.
    pub monster: Option<String>,
    /// Names of the items on the floor.
    pub items: Vec<String>,
}

impl Room {
    /// An empty room.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        owner: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            owner: owner.into(),
            monster: None,
            items: Vec::new(),
        }
    }
}

/// Where an item is. Persisted: each variant keeps its explicit name.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemLocation {
    /// Created but not placed yet.
    #[serde(rename = "Nowhere")]
    Nowhere,
    /// On the floor of the universe's room.
    #[serde(rename = "Room")]
    Room,
    /// Held by the universe's monster.
    #[serde(rename = "Monster")]
    Monster,
    /// Carried by the adventurer.
    #[serde(rename = "Carried")]
    Carried,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    pub owner: String,
    pub is_treasure: bool,
    pub location: ItemLocation,
}

impl Item {
    /// A weapon, not placed yet.
    pub fn weapon(name: impl Into<String>, owner: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            owner: owner.into(),
            is_treasure: false,
            location: ItemLocation::Nowhere,
        }
    }

    /// A treasure, not placed yet.
    pub fn treasure(name: impl Into<String>, owner: impl Into<String>) -> Self {
        Self {
            is_treasure: true,
            ..Self::weapon(name, owner)
        }
    }
}

/// Where an adventurer's game stands, derived from the universe only.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The parts are being created, or (after confirmation) placed.
    #[serde(rename = "SettingUp")]
    SettingUp,
    /// Every part exists; the player has not confirmed yet.
    #[serde(rename = "AwaitingConfirmation")]
    AwaitingConfirmation,
    #[serde(rename = "Playing")]
    Playing,
    #[serde(rename = "Won")]
    Won,
    #[serde(rename = "Dead")]
    Dead,
    /// The game's time limit passed while the player made no move.
    #[serde(rename = "OutOfTime")]
    OutOfTime,
}

impl Status {
    /// Whether the adventure is over: won, dead or out of time.
    pub fn is_over(self) -> bool {
        matches!(self, Status::Won | Status::Dead | Status::OutOfTime)
    }
}

/// One adventurer's world. The parts other than the adventurer are created
/// by separate parallel steps, so each may still be missing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Universe {
    pub adventurer: Adventurer,
    pub monster: Option<Monster>,
    pub room: Option<Room>,
    pub weapon: Option<Item>,
    pub treasure: Option<Item>,
}

impl Universe {
    /// A universe holding only its adventurer.
    pub fn new(adventurer: Adventurer) -> Self {
        Self {
            adventurer,
            monster: None,
            room: None,
            weapon: None,
            treasure: None,
        }
    }

    /// Won: the monster exists and is dead, and the treasure is carried.
    /// The one definition, for the UI, the monitors and the dashboard.
    pub fn is_won(&self) -> bool {
        let monster_dead = self.monster.as_ref().is_some_and(|m| !m.alive);
        let treasure_carried = self
            .treasure
            .as_ref()
            .is_some_and(|t| t.location == ItemLocation::Carried);
        monster_dead && treasure_carried
    }

    /// Dead: the adventurer is not alive (they did not confirm in time).
    pub fn is_dead(&self) -> bool {
        !self.adventurer.alive
    }

    /// Every part has been created (they may not be placed yet).
    pub fn is_created(&self) -> bool {
        self.monster.is_some()
            && self.room.is_some()
            && self.weapon.is_some()
            && self.treasure.is_some()
    }

    /// Every part is present and placed: the adventurer and the monster in
    /// the room, the weapon in the room or carried, the treasure on the
    /// monster or further along (on the floor, or carried).
    pub fn is_setup_complete(&self) -> bool {
        let Some(room) = self.current_room() else {
            return false;
        };
        let monster_placed = self
            .monster
            .as_ref()
            .is_some_and(|m| m.room.as_deref() == Some(room.name.as_str()));
        let weapon_placed = self
            .weapon
            .as_ref()
            .is_some_and(|w| matches!(w.location, ItemLocation::Room | ItemLocation::Carried));
        let treasure_placed = self
            .treasure
            .as_ref()
            .is_some_and(|t| t.location != ItemLocation::Nowhere);
        monster_placed && weapon_placed && treasure_placed
    }

    /// The status, derived; winning outranks everything else.
    pub fn status(&self) -> Status {
        if self.is_won() {
            Status::Won
        } else if self.is_dead() {
            Status::Dead
        } else if self.adventurer.out_of_time {
            Status::OutOfTime
        } else if !self.adventurer.confirmed {
            if self.is_created() {
                Status::AwaitingConfirmation
            } else {
                Status::SettingUp
            }
        } else if self.is_setup_complete() {
            Status::Playing
        } else {
            Status::SettingUp
        }
    }

    /// The room the adventurer stands in, if they have been placed in this
    /// universe's room.
    pub fn current_room(&self) -> Option<&Room> {
        let here = self.adventurer.room.as_deref()?;
        self.room.as_ref().filter(|r| r.name == here)
    }

    /// The monster in the adventurer's room, dead or alive.
    pub fn monster_here(&self) -> Option<&Monster> {
        let room = self.current_room()?;
        self.monster
            .as_ref()
            .filter(|m| m.room.as_deref() == Some(room.name.as_str()))
    }

    /// The weapon or treasure with exactly this name.
    pub fn item(&self, name: &str) -> Option<&Item> {
        self.items().find(|i| i.name == name)
    }

    /// The weapon or treasure with exactly this name, to change.
    pub fn item_mut(&mut self, name: &str) -> Option<&mut Item> {
        self.weapon
            .iter_mut()
            .chain(self.treasure.iter_mut())
            .find(|i| i.name == name)
    }

    /// The items that exist, weapon first.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.weapon.iter().chain(self.treasure.iter())
    }

    /// Where the name lists disagree with the items' locations (or the
    /// monster and room disagree about each other); empty when consistent.
    /// Each entry says what is wrong, for tests and diagnostics.
    pub fn inconsistencies(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let in_list = |list: Option<&Vec<String>>, name: &str| {
            list.is_some_and(|l| l.iter().any(|n| n == name))
        };
        let carried = Some(&self.adventurer.inventory);
        let floor = self.room.as_ref().map(|r| &r.items);
        let held = self.monster.as_ref().map(|m| &m.inventory);
        for item in self.items() {
            let expected = (
                item.location == ItemLocation::Carried,
                item.location == ItemLocation::Room,
                item.location == ItemLocation::Monster,
            );
            let actual = (
                in_list(carried, &item.name),
                in_list(floor, &item.name),
                in_list(held, &item.name),
            );
            if expected != actual {
                problems.push(format!(
                    "{} is {:?}, but listed as carried/floor/monster = {:?}",
                    item.name, item.location, actual
                ));
            }
        }
        let lists = [("carried", carried), ("floor", floor), ("monster", held)];
        for (what, list) in lists {
            for name in list.into_iter().flatten() {
                if self.item(name).is_none() {
                    problems.push(format!("{what} lists {name}, which does not exist"));
                }
            }
        }
        if let (Some(monster), Some(room)) = (&self.monster, &self.room) {
            let monster_says = monster.room.as_deref() == Some(room.name.as_str());
            let room_says = room.monster.as_deref() == Some(monster.name.as_str());
            if monster_says != room_says {
                problems.push(format!(
                    "{} and {} disagree about where the monster is",
                    monster.name, room.name
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A universe ready to play: everything created and placed, the
    /// adventurer confirmed and in the room, the weapon on the floor, the
    /// treasure on the monster.
    pub(crate) fn playing() -> Universe {
        let owner = "Ada";
        let mut adventurer = Adventurer::new(owner, 1_000);
        adventurer.confirmed = true;
        adventurer.room = Some("A dusty room".into());
        let mut room = Room::new(
            "A dusty room",
            "You are standing in a dusty room with sandstone walls. The room is otherwise empty.",
            owner,
        );
        room.monster = Some("Gibbering Green Troll".into());
        room.items = vec!["Magic Sword".into()];
        let mut monster = Monster::new("Gibbering Green Troll", owner);
        monster.room = Some("A dusty room".into());
        monster.inventory = vec!["Magic Diamond".into()];
        let mut weapon = Item::weapon("Magic Sword", owner);
        weapon.location = ItemLocation::Room;
        let mut treasure = Item::treasure("Magic Diamond", owner);
        treasure.location = ItemLocation::Monster;
        Universe {
            adventurer,
            monster: Some(monster),
            room: Some(room),
            weapon: Some(weapon),
            treasure: Some(treasure),
        }
    }

    fn won() -> Universe {
        let mut u = playing();
        if let Some(m) = u.monster.as_mut() {
            m.alive = false;
            m.inventory.clear();
        }
        if let Some(r) = u.room.as_mut() {
            r.items.clear();
        }
        u.adventurer.inventory = vec!["Magic Sword".into(), "Magic Diamond".into()];
        if let Some(w) = u.weapon.as_mut() {
            w.location = ItemLocation::Carried;
        }
        if let Some(t) = u.treasure.as_mut() {
            t.location = ItemLocation::Carried;
        }
        u
    }

    #[test]
    fn the_fixture_is_consistent_and_playing() {
        let u = playing();
        assert_eq!(u.inconsistencies(), Vec::<String>::new());
        assert!(u.is_setup_complete());
        assert_eq!(u.status(), Status::Playing);
        assert_eq!(
            u.monster_here().map(|m| m.name.as_str()),
            Some("Gibbering Green Troll")
        );
    }

    #[test]
    fn won_needs_a_dead_monster_and_the_treasure_carried() {
        let u = won();
        assert!(u.is_won());
        assert_eq!(u.status(), Status::Won);
        assert_eq!(u.inconsistencies(), Vec::<String>::new());

        let mut alive = won();
        if let Some(m) = alive.monster.as_mut() {
            m.alive = true;
        }
        assert!(!alive.is_won(), "the treasure alone does not win");

        let mut on_floor = playing();
        if let Some(m) = on_floor.monster.as_mut() {
            m.alive = false;
        }
        if let Some(t) = on_floor.treasure.as_mut() {
            t.location = ItemLocation::Room;
        }
        assert!(!on_floor.is_won(), "a dead monster alone does not win");

        let mut no_monster = won();
        no_monster.monster = None;
        assert!(
            !no_monster.is_won(),
            "there must be a monster to have killed"
        );
    }

    #[test]
    fn dead_is_not_alive_whatever_else_holds() {
        let mut u = playing();
        u.adventurer.alive = false;
        assert!(u.is_dead());
        assert_eq!(u.status(), Status::Dead);
        let mut fresh = Universe::new(Adventurer::new("Bo", 0));
        fresh.adventurer.alive = false;
        assert_eq!(fresh.status(), Status::Dead);
    }

    #[test]
    fn status_follows_creation_confirmation_and_placement() {
        let mut u = Universe::new(Adventurer::new("Ada", 0));
        assert_eq!(u.status(), Status::SettingUp);
        u.room = Some(Room::new("A dusty room", "…", "Ada"));
        u.monster = Some(Monster::new("Gibbering Green Troll", "Ada"));
        u.weapon = Some(Item::weapon("Magic Sword", "Ada"));
        assert_eq!(u.status(), Status::SettingUp, "the treasure is missing");
        u.treasure = Some(Item::treasure("Magic Diamond", "Ada"));
        assert!(u.is_created());
        assert_eq!(u.status(), Status::AwaitingConfirmation);
        u.adventurer.confirmed = true;
        assert_eq!(u.status(), Status::SettingUp, "confirmed, not placed yet");
        assert!(!u.is_setup_complete());
        assert_eq!(playing().status(), Status::Playing);
    }

    #[test]
    fn setup_is_complete_only_when_every_part_is_placed() {
        let mut no_treasure = playing();
        if let Some(t) = no_treasure.treasure.as_mut() {
            t.location = ItemLocation::Nowhere;
        }
        assert!(!no_treasure.is_setup_complete());

        let mut no_weapon = playing();
        if let Some(w) = no_weapon.weapon.as_mut() {
            w.location = ItemLocation::Nowhere;
        }
        assert!(!no_weapon.is_setup_complete());

        let mut monster_elsewhere = playing();
        if let Some(m) = monster_elsewhere.monster.as_mut() {
            m.room = None;
        }
        assert!(!monster_elsewhere.is_setup_complete());

        let mut not_in_room = playing();
        not_in_room.adventurer.room = None;
        assert!(!not_in_room.is_setup_complete());

        let mut wrong_room = playing();
        wrong_room.adventurer.room = Some("Another room".into());
        assert!(!wrong_room.is_setup_complete());

        // Further along still counts as placed.
        assert!(won().is_setup_complete());
    }

    #[test]
    fn inconsistencies_name_what_disagrees() {
        let mut u = playing();
        if let Some(w) = u.weapon.as_mut() {
            w.location = ItemLocation::Carried;
        }
        assert_eq!(u.inconsistencies().len(), 1);
        u.adventurer.inventory.push("Rubber Chicken".into());
        assert_eq!(u.inconsistencies().len(), 2);
        if let Some(r) = u.room.as_mut() {
            r.monster = None;
        }
        assert_eq!(u.inconsistencies().len(), 3);
    }

    #[test]
    fn serde_round_trips_with_explicit_names() {
        let u = playing();
        let json = serde_json::to_string(&u).expect("a universe serialises");
        assert!(json.contains("\"location\":\"Monster\""));
        let back: Universe = serde_json::from_str(&json).expect("and deserialises");
        assert_eq!(back, u);
        assert_eq!(
            serde_json::to_string(&Status::AwaitingConfirmation)
                .ok()
                .as_deref(),
            Some("\"AwaitingConfirmation\"")
        );
    }
}
