//! The IndexedDB schema: object store names, the schema version, and the
//! upgrade that brings any older database to the current version.
//!
//! Only this crate knows these names. Version 1 holds the runtime's data;
//! version 2 adds `summaries` (a small row per instance, so queries filter
//! without decoding full rows), built from `instances` by a normal
//! transaction after opening, since the upgrade callback cannot read data;
//! version 3 recreates `summaries` with indexes for sorted lists; version 4
//! adds the app records' `journal`. Must never
//! delete a store that holds data (summaries are derived from `instances`).

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyPath;

/// The schema version this build creates and expects.
pub const SCHEMA_VERSION: u32 = 4;

/// Instance rows: key = instance id, value = `{version, json}`.
pub const INSTANCES: &str = "instances";
/// History: key = `[instance id, first event id]`, value = the JSON array of
/// the events one commit appended (a turn's events are one record).
pub const HISTORY: &str = "history";
/// Work, in pages: key path `seq` (auto-increment, enqueue order), value =
/// `{seq, due, ids, instances, json}` where `json` is the array of items one
/// commit queued with the same due time (0: ready now). A page shrinks as its
/// items are done and is deleted when empty.
pub const WORK: &str = "work";
/// Multi-entry and unique on `ids`: the page holding a work item.
pub const WORK_BY_ID: &str = "by_id";
pub const WORK_BY_DUE: &str = "by_due";
/// Multi-entry on `instances`: the pages holding an instance's work.
pub const WORK_BY_INSTANCE: &str = "by_instance";
/// The app's own records: key = `[store, key]`, value = `{version, json}`.
pub const APP: &str = "app";
/// Counters and flags: key = name.
pub const META: &str = "meta";
/// Version 2: key path `id`, value = `{id, name, status, created, updated,
/// custom}` (`custom`: the custom status as JSON text, or empty), rewritten
/// with every instance row. Derived data: rebuilt from `instances` when its
/// format changes.
pub const SUMMARIES: &str = "summaries";

/// Version 4: every app write, key = `[store, key, version]`, value =
/// `{commit, at, json}` (`json`: the value written as JSON text, `null` for
/// a delete; `commit`: the first version of its commit; `at`: its time).
pub const JOURNAL: &str = "journal";

/// Every store a commit may touch.
pub const ALL_STORES: [&str; 7] = [INSTANCES, HISTORY, WORK, APP, META, SUMMARIES, JOURNAL];

/// Meta key: the last key handed out to an appended app record.
pub const META_APPEND_SEQ: &str = "append_seq";
/// Meta key: the format `summaries` was last built from `instances` in.
pub const META_SUMMARIES_BUILT: &str = "summaries_built";
/// The current summary format (1: without `updated` and `custom`; 2:
/// before the indexes of version 3).
pub const SUMMARY_FORMAT: f64 = 3.0;

/// Version 3: indexes of `summaries` that lists walk in order, so a page
/// reads only its own rows. An index orders equal keys by instance id, as
/// `durable::ListOrder` does.
pub const SUMMARIES_BY_CREATED: &str = "by_created";
pub const SUMMARIES_BY_UPDATED: &str = "by_updated";
pub const SUMMARIES_BY_NAME: &str = "by_name";
pub const SUMMARIES_BY_STATUS: &str = "by_status";
/// `[status, created]`: one status, newest or oldest first.
pub const SUMMARIES_BY_STATUS_CREATED: &str = "by_status_created";

/// Creates a multi-entry index (one entry per element of an array field).
fn multi_entry_index(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    name: &str,
    key_path: &str,
    unique: bool,
) -> indexed_db_futures::Result<()> {
    use indexed_db_futures::internals::SystemRepr;
    use wasm_bindgen::{JsCast, JsValue};
    let params = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&params, &"multiEntry".into(), &JsValue::TRUE);
    let _ = js_sys::Reflect::set(&params, &"unique".into(), &JsValue::from_bool(unique));
    let sys: &web_sys::IdbObjectStore = store.as_sys().unchecked_ref();
    sys.create_index_with_str_and_optional_parameters(name, key_path, params.unchecked_ref())
        .map_err(indexed_db_futures::error::Error::from)?;
    Ok(())
}

/// Creates what `old_version` lacks, up to `target` (normally
/// [`SCHEMA_VERSION`]; tests build older databases with a lower target).
pub fn upgrade(old_version: f64, target: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if old_version < 1.0 && target >= 1 {
        db.create_object_store(INSTANCES).build()?;
        db.create_object_store(HISTORY).build()?;
        let work = db
            .create_object_store(WORK)
            .with_key_path(KeyPath::One("seq"))
            .with_auto_increment(true)
            .build()?;
        work.create_index(WORK_BY_DUE, KeyPath::One("due"))
            .build()?;
        multi_entry_index(&work, WORK_BY_ID, "ids", true)?;
        multi_entry_index(&work, WORK_BY_INSTANCE, "instances", false)?;
        db.create_object_store(APP).build()?;
        db.create_object_store(META).build()?;
    }
    if old_version < 2.0 && target == 2 {
        db.create_object_store(SUMMARIES)
            .with_key_path(KeyPath::One("id"))
            .build()?;
    }
    if old_version < 3.0 && target >= 3 {
        // Summaries are derived data: recreated with their indexes, and
        // rebuilt from `instances` after opening (SUMMARY_FORMAT).
        if old_version >= 2.0 {
            db.delete_object_store(SUMMARIES)?;
        }
        let summaries = db
            .create_object_store(SUMMARIES)
            .with_key_path(KeyPath::One("id"))
            .build()?;
        for (name, field) in [
            (SUMMARIES_BY_CREATED, "created"),
            (SUMMARIES_BY_UPDATED, "updated"),
            (SUMMARIES_BY_NAME, "name"),
            (SUMMARIES_BY_STATUS, "status"),
        ] {
            summaries.create_index(name, KeyPath::One(field)).build()?;
        }
        summaries
            .create_index(
                SUMMARIES_BY_STATUS_CREATED,
                KeyPath::from(vec!["status", "created"]),
            )
            .build()?;
    }
    if old_version < 4.0 && target >= 4 {
        db.create_object_store(JOURNAL).build()?;
    }
    Ok(())
}
