//! The game's activities: the only code that changes the game's records or
//! narrates. Each reads what it needs (remembering versions) and writes
//! through its activity context, so its writes and its narration commit with
//! its completion — exactly once. Randomness comes from the activity
//! context, so it is recorded and never re-rolled on replay.

use durable::{Activity, ActivityContext, ActivityError, Registry};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::generate;
use crate::model::{Adventurer, Item, Monster, Room, Universe};
use crate::narration;
use crate::setup::{self, SetupError};
use crate::storage::{self, console_store, part_key, ConsoleLine, GAME};

// The game's activities, by name and by the types that cross them.
/// Creates the adventurer (once) and narrates the arrival; outputs the name.
pub const CREATE_USER: Activity<(Hero, u64), String> = Activity::new("CreateUser");
/// Creates the monster (once) with a random name; outputs it.
pub const CREATE_MONSTER: Activity<Hero, String> = Activity::new("CreateMonster");
/// Creates the room (once) with a random name; outputs it.
pub const CREATE_ROOM: Activity<Hero, String> = Activity::new("CreateRoom");
/// Creates the weapon and the treasure (once); outputs their names.
pub const CREATE_INVENTORY: Activity<Hero, Vec<String>> = Activity::new("CreateInventory");
/// Appends a line to the console.
pub const NARRATE: Activity<Line, ()> = Activity::new("Narrate");
/// Marks the adventurer confirmed and narrates it.
pub const CONFIRM_USER: Activity<Line, ()> = Activity::new("ConfirmUser");
/// Marks the adventurer dead and narrates it.
pub const KILL_USER: Activity<Line, ()> = Activity::new("KillUser");
/// Places the adventurer in the room; outputs the narration.
pub const PLACE_USER_IN_ROOM: Activity<(Hero, u64), String> = Activity::new("PlaceUserInRoom");
/// Places the weapon in the room; outputs the narration.
pub const PLACE_WEAPON_IN_ROOM: Activity<(Hero, u64), String> = Activity::new("PlaceWeaponInRoom");
/// Places the monster in the room; outputs the narration.
pub const PLACE_MONSTER_IN_ROOM: Activity<(Hero, u64), String> =
    Activity::new("PlaceMonsterInRoom");
/// Gives the treasure to the monster; outputs the narration.
pub const PLACE_TREASURE_ON_MONSTER: Activity<(Hero, u64), String> =
    Activity::new("PlaceTreasureOnMonster");
/// The monitors' view of the game.
pub const MONITOR_USER: Activity<Hero, GameState> = Activity::new("MonitorUser");
/// Ends the game if the player made no move within the limit.
pub const END_GAME_IF_IDLE: Activity<IdleCheck, IdleVerdict> = Activity::new("EndGameIfIdle");

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
/// stored if it is not there yet (a re-run finds what the first run made);
/// `true` when this run made it.
async fn part_or_create<T: Serialize + DeserializeOwned>(
    ctx: &ActivityContext,
    hero: &Hero,
    part: &str,
    make: impl FnOnce(&ActivityContext) -> T,
) -> Result<(T, bool), ActivityError> {
    let key = part_key(&hero.key, part);
    if let Some(existing) = ctx.read::<T>(GAME, &key).await? {
        return Ok((existing, false));
    }
    let made = make(ctx);
    ctx.put(GAME, &key, &made)?;
    Ok((made, true))
}

/// Narrates a creation step's line, once: only the run that made the part.
/// The creation steps carry no orchestration time, so the line has none (0).
fn announce(
    ctx: &ActivityContext,
    hero: &Hero,
    made: bool,
    line: String,
) -> Result<(), ActivityError> {
    if made {
        narrate(ctx, &hero.key, &line, 0)?;
    }
    Ok(())
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
    r.activity(CREATE_USER, |ctx, (hero, at_ms): (Hero, u64)| async move {
        let (_, made) = part_or_create(&ctx, &hero, "adventurer", |_| {
            Adventurer::new(&hero.name, at_ms)
        })
        .await?;
        if made {
            narrate(&ctx, &hero.key, &narration::arrives(&hero.name), at_ms)?;
        }
        Ok::<_, ActivityError>(hero.name)
    })
    .activity(CREATE_MONSTER, |ctx, hero: Hero| async move {
        let (m, made): (Monster, _) = part_or_create(&ctx, &hero, "monster", |ctx| {
            Monster::new(
                generate::monster_name(&mut |n| ctx.random_below(n)),
                &hero.key,
            )
        })
        .await?;
        announce(&ctx, &hero, made, narration::stalking(&m.name, &hero.name))?;
        Ok::<_, ActivityError>(m.name)
    })
    .activity(CREATE_ROOM, |ctx, hero: Hero| async move {
        let (r, made): (Room, _) = part_or_create(&ctx, &hero, "room", |ctx| {
            let (name, description) = generate::room(&mut |n| ctx.random_below(n));
            Room::new(name, description, &hero.key)
        })
        .await?;
        announce(
            &ctx,
            &hero,
            made,
            narration::room_prepared(&r.name, &hero.name),
        )?;
        Ok::<_, ActivityError>(r.name)
    })
    .activity(CREATE_INVENTORY, |ctx, hero: Hero| async move {
        let (weapon, made_weapon): (Item, _) = part_or_create(&ctx, &hero, "weapon", |ctx| {
            Item::weapon(
                generate::weapon_name(&mut |n| ctx.random_below(n)),
                hero.key.clone(),
            )
        })
        .await?;
        let (treasure, made_treasure): (Item, _) = part_or_create(&ctx, &hero, "treasure", |ctx| {
            Item::treasure(
                generate::treasure_name(&mut |n| ctx.random_below(n)),
                hero.key.clone(),
            )
        })
        .await?;
        let line = narration::items_hidden(&weapon.name, &treasure.name, &hero.name);
        announce(&ctx, &hero, made_weapon || made_treasure, line)?;
        Ok::<_, ActivityError>(vec![weapon.name, treasure.name])
    })
    .activity(NARRATE, |ctx, line: Line| async move {
        narrate(&ctx, &line.hero.key, &line.text, line.at_ms)?;
        Ok::<_, ActivityError>(())
    })
    .activity(CONFIRM_USER, |ctx, line: Line| async move {
        update_adventurer(&ctx, &line, |a| a.confirmed = true).await
    })
    .activity(KILL_USER, |ctx, line: Line| async move {
        update_adventurer(&ctx, &line, |a| a.alive = false).await
    })
    .activity(PLACE_USER_IN_ROOM, |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_adventurer)
    })
    .activity(PLACE_WEAPON_IN_ROOM, |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_weapon)
    })
    .activity(PLACE_MONSTER_IN_ROOM, |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_monster)
    })
    .activity(PLACE_TREASURE_ON_MONSTER, |ctx, input: (Hero, u64)| {
        place(ctx, input, setup::place_treasure)
    })
    // The monitors' view of the game: done once dead or won; also tells
    // whether the universe exists yet (the monitor may run before it does).
    .activity(MONITOR_USER, |ctx, hero: Hero| async move {
        let state = match storage::load_in(&ctx, &hero.key).await? {
            None => GameState::NotCreated,
            Some(u) if u.is_won() => GameState::Won,
            Some(u) if u.is_dead() => GameState::Dead,
            Some(u) if u.adventurer.out_of_time => GameState::OutOfTime,
            Some(u) if u.monster.as_ref().is_some_and(|m| !m.alive) => GameState::MonsterKilled,
            Some(_) => GameState::Playing,
        };
        Ok::<_, ActivityError>(state)
    })
    .activity(END_GAME_IF_IDLE, |ctx, check: IdleCheck| async move {
        end_game_if_idle(&ctx, &check).await
    });
}

/// The game monitor's question when its time limit falls due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdleCheck {
    pub hero: Hero,
    /// The game's time limit: how long it waits for a move.
    pub limit_ms: u64,
    /// When the game began (the first move is due by then + the limit).
    pub since_ms: u64,
    /// Orchestration time now.
    pub now_ms: u64,
}

/// The answer: the game is over already, or the limit counts on from the
/// last move, or the game just ended for want of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdleVerdict {
    Over,
    Until(u64),
    Ended,
}

/// Ends the game if the player made no move within the limit: marks the
/// adventurer out of time and narrates it, in the same commit.
async fn end_game_if_idle(
    ctx: &ActivityContext,
    check: &IdleCheck,
) -> Result<IdleVerdict, ActivityError> {
    let key = part_key(&check.hero.key, "adventurer");
    let Some(universe) = storage::load_in(ctx, &check.hero.key).await? else {
        return Ok(IdleVerdict::Until(check.now_ms + check.limit_ms));
    };
    if universe.is_won() || universe.is_dead() || universe.adventurer.out_of_time {
        return Ok(IdleVerdict::Over);
    }
    let due = universe.adventurer.last_move_ms.max(check.since_ms) + check.limit_ms;
    if check.now_ms < due {
        return Ok(IdleVerdict::Until(due));
    }
    let mut adventurer = universe.adventurer;
    adventurer.out_of_time = true;
    ctx.put(GAME, &key, &adventurer)?;
    let line = narration::out_of_time(&check.hero.name);
    narrate(ctx, &check.hero.key, &line, check.now_ms)?;
    Ok(IdleVerdict::Ended)
}

/// What the monitors see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GameState {
    NotCreated,
    Playing,
    MonsterKilled,
    Won,
    Dead,
    /// The game's time limit passed with no move.
    OutOfTime,
}

impl GameState {
    pub fn as_str(self) -> &'static str {
        match self {
            GameState::NotCreated => "NotCreated",
            GameState::Playing => "Playing",
            GameState::MonsterKilled => "MonsterKilled",
            GameState::Won => "Won",
            GameState::Dead => "Dead",
            GameState::OutOfTime => "OutOfTime",
        }
    }

    pub fn is_over(self) -> bool {
        matches!(
            self,
            GameState::Won | GameState::Dead | GameState::OutOfTime
        )
    }
}
