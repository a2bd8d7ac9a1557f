//! Where the game keeps its state in the runtime's app stores.
//!
//! One adventurer's universe is five records in the `game` store — the
//! adventurer, monster, room, weapon and treasure — so the steps that create
//! them in parallel never touch the same record. The console of each
//! adventurer is its own ordered log store. Reads remember the versions they
//! saw, so writes commit only if nothing changed meanwhile. Must never hold
//! a rule of the game.

use durable::{ActivityContext, ActivityError, AppRecord, AppWrite, Store, StoreError};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::{Adventurer, Item, Monster, Room, Universe};

/// The game's records.
pub const GAME: &str = "game";
/// Reserved names: key = name key, value = the name as typed.
pub const NAMES: &str = "names";

/// The five parts of a universe, as record keys under an adventurer's key.
pub const PARTS: [&str; 5] = ["adventurer", "monster", "room", "weapon", "treasure"];

pub fn part_key(key: &str, part: &str) -> String {
    format!("{key}/{part}")
}

/// The console log store of one adventurer.
pub fn console_store(key: &str) -> String {
    format!("console/{key}")
}

/// The workflow instance ids of one adventurer: finding "the confirmation
/// workflow of Ann" is a key read, not a scan.
pub fn instance_id(key: &str, workflow: &str) -> durable::InstanceId {
    durable::InstanceId::new(format!("{key}:{workflow}"))
}

/// Record versions a universe was read at, in `PARTS` order.
pub type Versions = [Option<u64>; 5];

/// A universe as read (`None` before the adventurer record exists), and
/// the name as typed (`None` unless the name record was read).
pub type Loaded = (Option<(Universe, Versions)>, Option<String>);

fn decode<T: DeserializeOwned>(key: &str, value: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt(format!("{GAME}/{key}: {e}")))
}

/// Reads a universe through the store; `None` before the adventurer
/// record exists.
pub async fn load<S: Store>(
    store: &S,
    key: &str,
) -> Result<Option<(Universe, Versions)>, StoreError> {
    let keys = universe_keys(key, false);
    let asked: Vec<(&str, &str)> = keys.iter().map(|(s, k)| (s.as_str(), k.as_str())).collect();
    Ok(universe_of(key, &store.app_records_at(&asked).await?)?.0)
}

/// The `(store, key)` of the universe's five records, in `PARTS` order, and
/// of the name record last when `with_name`: what a command reads.
pub fn universe_keys(key: &str, with_name: bool) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = PARTS
        .iter()
        .map(|part| (GAME.to_string(), part_key(key, part)))
        .collect();
    if with_name {
        keys.push((NAMES.to_string(), key.to_string()));
    }
    keys
}

/// The universe and its versions from the records read at
/// [`universe_keys`] (`None` before the adventurer record exists), and the
/// name as typed when the name record was read too.
pub fn universe_of(key: &str, records: &[Option<AppRecord>]) -> Result<Loaded, StoreError> {
    let name = records
        .get(PARTS.len())
        .cloned()
        .flatten()
        .map(|r| r.value.as_str().unwrap_or(key).to_string());
    let mut versions: Versions = [None; 5];
    for (i, r) in records.iter().take(PARTS.len()).enumerate() {
        versions[i] = r.as_ref().map(|r| r.version);
    }
    let part = |i: usize| records.get(i).cloned().flatten().map(|r| (r.key, r.value));
    let Some((k, adventurer)) = part(0) else {
        return Ok((None, name));
    };
    let mut universe = Universe::new(decode::<Adventurer>(&k, adventurer)?);
    if let Some((k, v)) = part(1) {
        universe.monster = Some(decode::<Monster>(&k, v)?);
    }
    if let Some((k, v)) = part(2) {
        universe.room = Some(decode::<Room>(&k, v)?);
    }
    if let Some((k, v)) = part(3) {
        universe.weapon = Some(decode::<Item>(&k, v)?);
    }
    if let Some((k, v)) = part(4) {
        universe.treasure = Some(decode::<Item>(&k, v)?);
    }
    Ok((Some((universe, versions)), name))
}

/// Reads a universe inside an activity (versions are remembered by the
/// activity context); `None` before the adventurer record exists.
pub async fn load_in(ctx: &ActivityContext, key: &str) -> Result<Option<Universe>, ActivityError> {
    let Some(adventurer) = ctx
        .read::<Adventurer>(GAME, &part_key(key, "adventurer"))
        .await?
    else {
        return Ok(None);
    };
    let mut u = Universe::new(adventurer);
    u.monster = ctx.read(GAME, &part_key(key, "monster")).await?;
    u.room = ctx.read(GAME, &part_key(key, "room")).await?;
    u.weapon = ctx.read(GAME, &part_key(key, "weapon")).await?;
    u.treasure = ctx.read(GAME, &part_key(key, "treasure")).await?;
    Ok(Some(u))
}

fn put<T: Serialize>(key: &str, part: &str, value: &T) -> Result<AppWrite, StoreError> {
    Ok(AppWrite::Put {
        store: GAME.to_string(),
        key: part_key(key, part),
        value: serde_json::to_value(value)
            .map_err(|e| StoreError::Other(format!("could not encode {part}: {e}")))?,
    })
}

/// The writes that turn `before` into `after` (only the parts that changed).
pub fn writes(key: &str, before: &Universe, after: &Universe) -> Result<Vec<AppWrite>, StoreError> {
    let mut w = Vec::new();
    if before.adventurer != after.adventurer {
        w.push(put(key, "adventurer", &after.adventurer)?);
    }
    if before.monster != after.monster {
        if let Some(m) = &after.monster {
            w.push(put(key, "monster", m)?);
        }
    }
    if before.room != after.room {
        if let Some(r) = &after.room {
            w.push(put(key, "room", r)?);
        }
    }
    if before.weapon != after.weapon {
        if let Some(i) = &after.weapon {
            w.push(put(key, "weapon", i)?);
        }
    }
    if before.treasure != after.treasure {
        if let Some(i) = &after.treasure {
            w.push(put(key, "treasure", i)?);
        }
    }
    Ok(w)
}

/// Applies [`writes`] inside an activity.
pub fn write_in(
    ctx: &ActivityContext,
    key: &str,
    before: &Universe,
    after: &Universe,
) -> Result<(), ActivityError> {
    for w in writes(key, before, after)? {
        if let AppWrite::Put { key: k, value, .. } = w {
            ctx.put(GAME, &k, &value)?;
        }
    }
    Ok(())
}

/// A console line: who it is about, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ConsoleLine {
    pub text: String,
    pub at_ms: u64,
}
