//! The game's activities: the only code that changes the game's records or
//! narrates. Each reads what it needs (remembering versions) and writes
//! through its activity context, so its writes and its narration commit with
//! its completion — exactly once. Randomness comes from the activity
//! context, so it is recorded and never re-rolled on replay.

use durable::{ActivityContext, ActivityError, Registry};
use serde::de::DeserializeOwned;
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

/// The part of the hero's universe stored under `part`, made by `make` and
/// stored if it is not there yet (a re-run finds what the first run made).
async fn part_or_create<T: Serialize + DeserializeOwned>(
    ctx: &ActivityContext,
    hero: &Hero,
    part: &str,
    make: impl FnOnce(&ActivityContext) -> T,
) -> Result<T, ActivityError> {
    let key = part_key(&hero.key, part);
    if let Some(existing) = ctx.read::<T>(GAME, &key).await? {
        return Ok(existing);
    }
    let made = make(ctx);
    ctx.put(GAME, &key, &made)?;
    Ok(made)
}

/// Changes the adventurer's record (if it exists yet) and narrates the line.
async fn update_adventurer(
    ctx: &ActivityContext,
    line: &Line,
    change: impl FnOnce(&mut Adventurer),
) -> Result<(), ActivityError> {
    let key = part_key(&line.hero.key, "adventurer");
    if let Some(mut a) = ctx.read::<Adventurer>(GAME, &key).await? {
        change(&mut a);
        ctx.put(GAME, &key, &a)?;
    }
    narrate(ctx, &line.hero.key, &line.text, line.at_ms)
}

/// Registers every activity of the game.
pub fn register(r: &mut Registry) {
    r.activity("CreateUser", |ctx, (hero, at_ms): (Hero, u64)| async move {
        part_or_create(&ctx, &hero, "adventurer", |_| {
            Adventurer::new(&hero.name, at_ms)
        })
        .await?;
        Ok::<_, ActivityError>(hero.name)
    })
    .activity("CreateMonster", |ctx, hero: Hero| async move {
        let m: Monster = part_or_create(&ctx, &hero, "monster", |ctx| {
            Monster::new(
                generate::monster_name(&mut |n| ctx.random_below(n)),
                &hero.key,
            )
        })
        .await?;
        Ok::<_, ActivityError>(m.name)
    })
    .activity("CreateRoom", |ctx, hero: Hero| async move {
        let r: Room = part_or_create(&ctx, &hero, "room", |ctx| {
            let (name, description) = generate::room(&mut |n| ctx.random_below(n));
            Room::new(name, description, &hero.key)
        })
        .await?;
        Ok::<_, ActivityError>(r.name)
    })
    .activity("CreateInventory", |ctx, hero: Hero| async move {
        let weapon: Item = part_or_create(&ctx, &hero, "weapon", |ctx| {
            Item::weapon(
                generate::weapon_name(&mut |n| ctx.random_below(n)),
                hero.key.clone(),
            )
        })
        .await?;
        let treasure: Item = part_or_create(&ctx, &hero, "treasure", |ctx| {
            Item::treasure(
                generate::treasure_name(&mut |n| ctx.random_below(n)),
                hero.key.clone(),
            )
        })
        .await?;
        Ok::<_, ActivityError>(vec![weapon.name, treasure.name])
    })
    .activity("Narrate", |ctx, line: Line| async move {
        narrate(&ctx, &line.hero.key, &line.text, line.at_ms)?;
        Ok::<_, ActivityError>(())
    })
    .activity("ConfirmUser", |ctx, line: Line| async move {
        update_adventurer(&ctx, &line, |a| a.confirmed = true).await
    })
    .activity("KillUser", |ctx, line: Line| async move {
        update_adventurer(&ctx, &line, |a| a.alive = false).await
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
