//! The game's activities: the only code that changes the game's records or
//! narrates. Each reads what it needs (remembering versions) and writes
//! through its activity context, so its writes and its narration commit with
//! its completion — exactly once. Randomness comes from the activity
//! context, so it is recorded and never re-rolled on replay.

use durable::{ActivityContext, ActivityError, Registry};
use serde::{Deserialize, Serialize};

use crate::generate;
use crate::model::{Adventurer, Item, Monster, Room, Universe};
use crate::setup::{self, SetupError};
use crate::storage::{self, console_store, part_key, ConsoleLine, GAME};

/// Who an activity is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hero {
    /// The name key (ids and record keys).
    pub key: String,
    /// The name as the player typed it (narration).
    pub name: String,
}

/// Appends a narration line to the adventurer's console.
pub fn narrate(
    ctx: &ActivityContext,
    key: &str,
    text: &str,
    at_ms: u64,
) -> Result<(), ActivityError> {
    ctx.append(
        &console_store(key),
        &ConsoleLine {
            text: text.to_string(),
            at_ms,
        },
    )
}

/// Input of activities that narrate at a given orchestration time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub hero: Hero,
    pub text: String,
    pub at_ms: u64,
}

fn setup_failed(e: SetupError) -> ActivityError {
    ActivityError::Store(durable::StoreError::Other(format!(
        "setup step out of order: {e}"
    )))
}

/// Runs one of the placing steps on the stored universe.
async fn place(
    ctx: ActivityContext,
    (hero, at_ms): (Hero, u64),
    step: fn(&Universe) -> Result<crate::rules::Effect, SetupError>,
) -> Result<String, ActivityError> {
    let Some(before) = storage::load_in(&ctx, &hero.key).await? else {
        return Err(setup_failed(SetupError::NoRoom));
    };
    let effect = step(&before).map_err(setup_failed)?;
    storage::write_in(&ctx, &hero.key, &before, &effect.universe)?;
    let text = effect.narration.join(" ");
    for line in &effect.narration {
        narrate(&ctx, &hero.key, line, at_ms)?;
    }
    Ok(text)
}

/// Registers every activity of the game.
pub fn register(r: &mut Registry) {
    r.activity("CreateUser", |ctx, (hero, at_ms): (Hero, u64)| async move {
        if ctx
            .read::<Adventurer>(GAME, &part_key(&hero.key, "adventurer"))
            .await?
            .is_none()
        {
            ctx.put(
                GAME,
                &part_key(&hero.key, "adventurer"),
                &Adventurer::new(&hero.name, at_ms),
            )?;
        }
        Ok::<_, ActivityError>(hero.name)
    })
    .activity("CreateMonster", |ctx, hero: Hero| async move {
        let key = part_key(&hero.key, "monster");
        let monster = match ctx.read::<Monster>(GAME, &key).await? {
            Some(m) => m,
            None => {
                let mut pick = |n: usize| ctx.random_below(n);
                let m = Monster::new(generate::monster_name(&mut pick), &hero.key);
                ctx.put(GAME, &key, &m)?;
                m
            }
        };
        Ok::<_, ActivityError>(monster.name)
    })
    .activity("CreateRoom", |ctx, hero: Hero| async move {
        let key = part_key(&hero.key, "room");
        let room = match ctx.read::<Room>(GAME, &key).await? {
            Some(r) => r,
            None => {
                let mut pick = |n: usize| ctx.random_below(n);
                let (name, description) = generate::room(&mut pick);
                let r = Room::new(name, description, &hero.key);
                ctx.put(GAME, &key, &r)?;
                r
            }
        };
        Ok::<_, ActivityError>(room.name)
    })
    .activity("CreateInventory", |ctx, hero: Hero| async move {
        let mut names = Vec::new();
        for part in ["weapon", "treasure"] {
            let key = part_key(&hero.key, part);
            let item = match ctx.read::<Item>(GAME, &key).await? {
                Some(i) => i,
                None => {
                    let mut pick = |n: usize| ctx.random_below(n);
                    let i = if part == "weapon" {
                        Item::weapon(generate::weapon_name(&mut pick), hero.key.clone())
                    } else {
                        Item::treasure(generate::treasure_name(&mut pick), hero.key.clone())
                    };
                    ctx.put(GAME, &key, &i)?;
                    i
                }
            };
            names.push(item.name);
        }
        Ok::<_, ActivityError>(names)
    })
    .activity("Narrate", |ctx, line: Line| async move {
        narrate(&ctx, &line.hero.key, &line.text, line.at_ms)?;
        Ok::<_, ActivityError>(())
    })
    .activity("ConfirmUser", |ctx, line: Line| async move {
        if let Some(mut a) = ctx
            .read::<Adventurer>(GAME, &part_key(&line.hero.key, "adventurer"))
            .await?
        {
            a.confirmed = true;
            ctx.put(GAME, &part_key(&line.hero.key, "adventurer"), &a)?;
        }
        narrate(&ctx, &line.hero.key, &line.text, line.at_ms)?;
        Ok::<_, ActivityError>(())
    })
    .activity("KillUser", |ctx, line: Line| async move {
        if let Some(mut a) = ctx
            .read::<Adventurer>(GAME, &part_key(&line.hero.key, "adventurer"))
            .await?
        {
            a.alive = false;
            ctx.put(GAME, &part_key(&line.hero.key, "adventurer"), &a)?;
        }
        narrate(&ctx, &line.hero.key, &line.text, line.at_ms)?;
        Ok::<_, ActivityError>(())
    })
    .activity("PlaceUserInRoom", |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_adventurer)
    })
    .activity("PlaceWeaponInRoom", |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_weapon)
    })
    .activity("PlaceMonsterInRoom", |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_monster)
    })
    .activity("PlaceTreasureOnMonster", |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_treasure)
    })
    // The monitors' view of the game: done once dead or won; also tells
    // whether the universe exists yet (the monitor may run before it does).
    .activity("MonitorUser", |ctx, hero: Hero| async move {
        let state = match storage::load_in(&ctx, &hero.key).await? {
            None => GameState::NotCreated,
            Some(u) if u.is_won() => GameState::Won,
            Some(u) if u.is_dead() => GameState::Dead,
            Some(u) if u.monster.as_ref().is_some_and(|m| !m.alive) => GameState::MonsterKilled,
            Some(_) => GameState::Playing,
        };
        Ok::<_, ActivityError>(state)
    });
}

/// What the monitors see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GameState {
    NotCreated,
    Playing,
    MonsterKilled,
    Won,
    Dead,
}

impl GameState {
    pub fn as_str(self) -> &'static str {
        match self {
            GameState::NotCreated => "NotCreated",
            GameState::Playing => "Playing",
            GameState::MonsterKilled => "MonsterKilled",
            GameState::Won => "Won",
            GameState::Dead => "Dead",
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, GameState::Won | GameState::Dead)
    }
}
