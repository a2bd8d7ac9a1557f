//! [`IdbStore`]: the runtime's [`Store`] on IndexedDB.
//!
//! Owns the mapping between the runtime's records and IndexedDB records
//! (`schema.rs` names the stores). A commit is one readwrite transaction over
//! every store: it checks the preconditions with the transaction's own
//! requests, then writes, then commits — or aborts and writes nothing. It
//! never awaits anything but its own requests while a transaction is open
//! (IndexedDB would commit it early). A record that does not decode is a
//! typed error, never a panic, and nothing stored is ever deleted because it
//! could not be read.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use durable::{
    append_key, decode_event, AppRecord, AppWrite, CommitBatch, HistoryDecodeError, HistoryEvent,
    InstanceId, InstancePage, InstanceQuery, InstanceRecord, Precondition, RuntimeStatus, Store,
    StoreError, WorkItem,
};
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::database::open_database;
use crate::error::Error;
use crate::schema::*;

/// A fault to inject into the next commit, for tests of aborted turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitFault {
    None,
    /// Issue every write, then abort the transaction instead of committing.
    AbortAfterWrites,
    /// Fail as the browser does when the origin's storage quota is used up.
    QuotaExceeded,
}

/// The IndexedDB store. Clones share one connection.
#[derive(Clone)]
pub struct IdbStore {
    db: Rc<Database>,
    name: String,
    fault: Rc<Cell<CommitFault>>,
}

fn key2(a: &str, b: &JsValue) -> JsValue {
    Array::of2(&JsValue::from_str(a), b).into()
}

/// All keys `[prefix, *]`: numbers and strings sort before arrays.
fn prefix_range(prefix: &str) -> KeyRange<JsValue> {
    KeyRange::Bound(
        key2(prefix, &JsValue::from_f64(f64::NEG_INFINITY)),
        false,
        key2(prefix, &Array::new().into()),
        false,
    )
}

fn get_field(obj: &JsValue, field: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(field)).unwrap_or(JsValue::UNDEFINED)
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}

/// `{version, json}` records (instances, app records).
fn versioned(version: u64, json: &str) -> JsValue {
    object(&[
        ("version", JsValue::from_f64(version as f64)),
        ("json", JsValue::from_str(json)),
    ])
}

fn read_versioned(what: &str, v: &JsValue) -> Result<(u64, serde_json::Value), StoreError> {
    let version = get_field(v, "version")
        .as_f64()
        .ok_or_else(|| corrupt(what, "no version"))? as u64;
    let json = get_field(v, "json")
        .as_string()
        .ok_or_else(|| corrupt(what, "no JSON"))?;
    let value = serde_json::from_str(&json).map_err(|e| corrupt(what, e))?;
    Ok((version, value))
}

fn decode_instance(v: &JsValue) -> Result<InstanceRecord, StoreError> {
    let (_, value) = read_versioned("instance row", v)?;
    serde_json::from_value(value).map_err(|e| corrupt("instance row", e))
}

fn decode_work(v: &JsValue) -> Result<(f64, WorkItem), StoreError> {
    let seq = get_field(v, "seq").as_f64().unwrap_or(f64::MAX);
    let json = get_field(v, "json")
        .as_string()
        .ok_or_else(|| corrupt("work item", "no JSON"))?;
    let item = serde_json::from_str(&json).map_err(|e| corrupt("work item", e))?;
    Ok((seq, item))
}

fn summary(r: &InstanceRecord) -> JsValue {
    object(&[
        ("id", JsValue::from_str(r.id.as_str())),
        ("name", JsValue::from_str(&r.name)),
        ("status", JsValue::from_str(r.status.as_str())),
        ("created", JsValue::from_f64(r.created_ms as f64)),
    ])
}

fn status_from(s: &str) -> Option<RuntimeStatus> {
    RuntimeStatus::ALL.into_iter().find(|x| x.as_str() == s)
}

fn encode<T: serde::Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(format!("could not encode {what}: {e}")))
}

impl IdbStore {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = open_database(name, SCHEMA_VERSION).await?;
        let store = IdbStore {
            db: Rc::new(db),
            name: name.to_string(),
            fault: Rc::new(Cell::new(CommitFault::None)),
        };
        store.build_summaries().await?;
        Ok(store)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Makes the next commit fail in the given way (tests).
    pub fn inject_fault(&self, fault: CommitFault) {
        self.fault.set(fault);
    }

    /// Closes the connection; later calls fail with [`StoreError::Closed`].
    pub fn close(&self) {
        self.db.as_ref().clone().close();
    }

    /// Version 1 → 2: builds a summary row for every instance row once.
    async fn build_summaries(&self) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([INSTANCES, META, SUMMARIES])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(Error::from)?;
        let meta = tx.object_store(META).map_err(Error::from)?;
        let built: Option<JsValue> = meta
            .get(JsValue::from_str(META_SUMMARIES_BUILT))
            .primitive()
            .map_err(Error::from)?
            .await
            .map_err(Error::from)?;
        if built.is_some() {
            return Ok(());
        }
        let rows = tx.object_store(INSTANCES).map_err(Error::from)?;
        let summaries = tx.object_store(SUMMARIES).map_err(Error::from)?;
        let all = rows
            .get_all::<JsValue>()
            .primitive()
            .map_err(Error::from)?
            .await
            .map_err(Error::from)?;
        for v in all {
            let v = v.map_err(Error::from)?;
            let row = decode_instance(&v)?;
            summaries
                .put(summary(&row))
                .primitive()
                .map_err(Error::from)?;
        }
        meta.put(JsValue::TRUE)
            .with_key(JsValue::from_str(META_SUMMARIES_BUILT))
            .primitive()
            .map_err(Error::from)?;
        tx.commit().await.map_err(Error::from)?;
        Ok(())
    }

    fn read_tx(
        &self,
        stores: &[&str],
    ) -> Result<indexed_db_futures::transaction::Transaction<'_>, StoreError> {
        Ok(self.db.transaction(stores).build().map_err(Error::from)?)
    }
}

async fn get_value(store: &ObjectStore<'_>, key: JsValue) -> Result<Option<JsValue>, StoreError> {
    Ok(store
        .get(key)
        .primitive()
        .map_err(Error::from)?
        .await
        .map_err(Error::from)?)
}

impl Store for IdbStore {
    async fn instance(&self, id: &InstanceId) -> Result<Option<InstanceRecord>, StoreError> {
        let tx = self.read_tx(&[INSTANCES])?;
        let store = tx.object_store(INSTANCES).map_err(Error::from)?;
        match get_value(&store, JsValue::from_str(id.as_str())).await? {
            Some(v) => Ok(Some(decode_instance(&v)?)),
            None => Ok(None),
        }
    }

    async fn history(&self, id: &InstanceId) -> Result<Vec<HistoryEvent>, StoreError> {
        let tx = self.read_tx(&[HISTORY])?;
        let store = tx.object_store(HISTORY).map_err(Error::from)?;
        let all = store
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(prefix_range(id.as_str()))
            .primitive()
            .map_err(Error::from)?
            .await
            .map_err(Error::from)?;
        let mut events = Vec::new();
        for (position, v) in all.enumerate() {
            let v = v.map_err(Error::from)?;
            let json = v
                .as_string()
                .ok_or_else(|| corrupt("history event", "not a string"))?;
            let value: serde_json::Value =
                serde_json::from_str(&json).map_err(|e| corrupt("history event", e))?;
            events.push(decode_event(position, value).map_err(|e| match e {
                HistoryDecodeError::UnknownKind { .. } => {
                    StoreError::NewerRecord(format!("instance {id}: {e}"))
                }
                HistoryDecodeError::Corrupt { .. } => {
                    StoreError::Corrupt(format!("instance {id}: {e}"))
                }
            })?);
        }
        Ok(events)
    }

    async fn ready_work(&self, now_ms: u64, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        let tx = self.read_tx(&[WORK])?;
        let store = tx.object_store(WORK).map_err(Error::from)?;
        let index = store.index(WORK_BY_DUE).map_err(Error::from)?;
        let all = index
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(KeyRange::UpperBound(
                JsValue::from_f64(now_ms as f64),
                false,
            ))
            .primitive()
            .map_err(Error::from)?
            .await
            .map_err(Error::from)?;
        let mut items = Vec::new();
        for v in all {
            items.push(decode_work(&v.map_err(Error::from)?)?);
        }
        // The index orders by due time; the runtime wants enqueue order.
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(items.into_iter().take(limit).map(|(_, w)| w).collect())
    }

    async fn next_due(&self, now_ms: u64) -> Result<Option<u64>, StoreError> {
        let tx = self.read_tx(&[WORK])?;
        let store = tx.object_store(WORK).map_err(Error::from)?;
        let index = store.index(WORK_BY_DUE).map_err(Error::from)?;
        let first: Option<JsValue> = index
            .get::<JsValue, JsValue, _>(KeyRange::LowerBound(
                JsValue::from_f64(now_ms as f64),
                true,
            ))
            .primitive()
            .map_err(Error::from)?
            .await
            .map_err(Error::from)?;
        Ok(first
            .and_then(|v| get_field(&v, "due").as_f64())
            .map(|d| d as u64))
    }

    async fn query(&self, query: &InstanceQuery) -> Result<InstancePage, StoreError> {
        let tx = self.read_tx(&[INSTANCES, SUMMARIES])?;
        let summaries = tx.object_store(SUMMARIES).map_err(Error::from)?;
        let all = match &query.after {
            Some(after) => summaries
                .get_all::<JsValue>()
                .with_query::<JsValue, _>(KeyRange::LowerBound(
                    JsValue::from_str(after.as_str()),
                    true,
                ))
                .primitive(),
            None => summaries.get_all::<JsValue>().primitive(),
        }
        .map_err(Error::from)?
        .await
        .map_err(Error::from)?;
        // Filter on the small summary rows; decode full rows for the page only.
        let mut ids = Vec::new();
        let mut more = false;
        for v in all {
            let v = v.map_err(Error::from)?;
            let id = get_field(&v, "id").as_string().unwrap_or_default();
            let name = get_field(&v, "name").as_string().unwrap_or_default();
            let status = get_field(&v, "status")
                .as_string()
                .and_then(|s| status_from(&s));
            let created = get_field(&v, "created").as_f64().unwrap_or(0.0) as u64;
            let Some(status) = status else {
                return Err(corrupt(
                    "instance summary",
                    format!("{id} has no valid status"),
                ));
            };
            let mut probe = InstanceRecord::pending(
                InstanceId::new(id),
                &name,
                serde_json::Value::Null,
                created,
            );
            probe.status = status;
            if query.matches(&probe) {
                if query.page_size > 0 && ids.len() == query.page_size {
                    more = true;
                    break;
                }
                ids.push(probe.id);
            }
        }
        let rows_store = tx.object_store(INSTANCES).map_err(Error::from)?;
        let mut requests = Vec::with_capacity(ids.len());
        for id in &ids {
            requests.push(
                rows_store
                    .get(JsValue::from_str(id.as_str()))
                    .primitive()
                    .map_err(Error::from)?,
            );
        }
        let mut instances = Vec::with_capacity(ids.len());
        for r in requests {
            let v: Option<JsValue> = r.await.map_err(Error::from)?;
            if let Some(v) = v {
                instances.push(decode_instance(&v)?);
            }
        }
        let continuation = if more { ids.last().cloned() } else { None };
        Ok(InstancePage {
            instances,
            continuation,
        })
    }

    async fn app_record(&self, store: &str, key: &str) -> Result<Option<AppRecord>, StoreError> {
        let tx = self.read_tx(&[APP])?;
        let app = tx.object_store(APP).map_err(Error::from)?;
        match get_value(&app, key2(store, &JsValue::from_str(key))).await? {
            Some(v) => {
                let (version, value) = read_versioned(&format!("{store}/{key}"), &v)?;
                Ok(Some(AppRecord {
                    store: store.to_string(),
                    key: key.to_string(),
                    value,
                    version,
                }))
            }
            None => Ok(None),
        }
    }

    async fn app_records(&self, store: &str) -> Result<Vec<AppRecord>, StoreError> {
        let tx = self.read_tx(&[APP])?;
        let app = tx.object_store(APP).map_err(Error::from)?;
        let keys_req = app
            .get_all_keys::<JsValue>()
            .with_query::<JsValue, _>(prefix_range(store))
            .primitive()
            .map_err(Error::from)?;
        let values_req = app
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(prefix_range(store))
            .primitive()
            .map_err(Error::from)?;
        let keys = keys_req.await.map_err(Error::from)?;
        let values = values_req.await.map_err(Error::from)?;
        let mut out = Vec::new();
        for (k, v) in keys.zip(values) {
            let k = k.map_err(Error::from)?;
            let v = v.map_err(Error::from)?;
            let key = Reflect::get_u32(&k, 1)
                .ok()
                .and_then(|k| k.as_string())
                .unwrap_or_default();
            let (version, value) = read_versioned(&format!("{store}/{key}"), &v)?;
            out.push(AppRecord {
                store: store.to_string(),
                key,
                value,
                version,
            });
        }
        Ok(out)
    }

    async fn commit(&self, batch: CommitBatch) -> Result<(), StoreError> {
        // Encode everything first: no work may sit between the transaction's
        // requests once it is open.
        let mut instance_rows = Vec::with_capacity(batch.instances.len());
        for r in &batch.instances {
            instance_rows.push((
                r.id.clone(),
                versioned(r.version, &encode("instance row", r)?),
                summary(r),
            ));
        }
        let mut history_rows = Vec::new();
        for (id, events) in &batch.append_history {
            for e in events {
                history_rows.push((
                    key2(id.as_str(), &JsValue::from_f64(e.event_id as f64)),
                    JsValue::from_str(&encode("history event", e)?),
                ));
            }
        }
        let mut work_rows = Vec::with_capacity(batch.enqueue.len());
        for w in &batch.enqueue {
            work_rows.push((
                w.id.0.clone(),
                object(&[
                    ("id", JsValue::from_str(&w.id.0)),
                    ("instance", JsValue::from_str(w.instance_id().as_str())),
                    ("due", JsValue::from_f64(w.due_ms().unwrap_or(0) as f64)),
                    ("json", JsValue::from_str(&encode("work item", w)?)),
                ]),
            ));
        }
        let mut app_json = Vec::with_capacity(batch.app_writes.len());
        for w in &batch.app_writes {
            app_json.push(match w {
                AppWrite::Put { value, .. } | AppWrite::Append { value, .. } => {
                    Some(encode("app record", value)?)
                }
                AppWrite::Delete { .. } => None,
            });
        }
        let fault = self.fault.replace(CommitFault::None);
        if fault == CommitFault::QuotaExceeded {
            return Err(Error::Storage {
                name: "QuotaExceededError".into(),
                message: "simulated: the origin's storage quota is used up".into(),
            }
            .into());
        }

        let tx = self
            .db
            .transaction(ALL_STORES)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(Error::from)?;
        let e = |err: indexed_db_futures::error::Error| StoreError::from(Error::from(err));
        let instances = tx.object_store(INSTANCES).map_err(e)?;
        let history = tx.object_store(HISTORY).map_err(e)?;
        let work = tx.object_store(WORK).map_err(e)?;
        let by_id = work.index(WORK_BY_ID).map_err(e)?;
        let app = tx.object_store(APP).map_err(e)?;
        let meta = tx.object_store(META).map_err(e)?;
        let summaries = tx.object_store(SUMMARIES).map_err(e)?;

        // 1. Preconditions, all requests in flight at once.
        let mut checks = Vec::with_capacity(batch.preconditions.len());
        for p in &batch.preconditions {
            let req = match p {
                Precondition::InstanceVersion { id, .. } => instances
                    .get(JsValue::from_str(id.as_str()))
                    .primitive()
                    .map_err(e)?,
                Precondition::WorkExists { id } => {
                    by_id.get(JsValue::from_str(&id.0)).primitive().map_err(e)?
                }
                Precondition::AppVersion { store, key, .. } => app
                    .get(key2(store, &JsValue::from_str(key)))
                    .primitive()
                    .map_err(e)?,
            };
            checks.push(req);
        }
        for (p, req) in batch.preconditions.iter().zip(checks) {
            let found: Option<JsValue> = req.await.map_err(e)?;
            let ok = match p {
                Precondition::InstanceVersion { version, .. }
                | Precondition::AppVersion { version, .. } => {
                    let found = found.map(|v| get_field(&v, "version").as_f64().map(|f| f as u64));
                    match (found, version) {
                        (None, None) => true,
                        (Some(Some(f)), Some(v)) => f == *v,
                        _ => false,
                    }
                }
                Precondition::WorkExists { .. } => found.is_some(),
            };
            if !ok {
                // Dropping the transaction aborts it: nothing is written.
                return Err(StoreError::Conflict(format!("{p:?} no longer holds")));
            }
        }

        // 2. Reads the writes depend on: work ids to dequeue or dedupe, app
        //    versions, the append counter, keys of purged instances' work.
        let mut dequeue_keys = Vec::new();
        for id in &batch.dequeue {
            dequeue_keys.push(
                by_id
                    .get_key(JsValue::from_str(&id.0))
                    .primitive()
                    .map_err(e)?,
            );
        }
        let mut enqueue_exists = Vec::new();
        for (id, _) in &work_rows {
            enqueue_exists.push(
                by_id
                    .count()
                    .with_query(JsValue::from_str(id))
                    .primitive()
                    .map_err(e)?,
            );
        }
        let mut app_versions = Vec::new();
        for w in &batch.app_writes {
            if let AppWrite::Put { store, key, .. } = w {
                app_versions.push(Some(
                    app.get(key2(store, &JsValue::from_str(key)))
                        .primitive()
                        .map_err(e)?,
                ));
            } else {
                app_versions.push(None);
            }
        }
        let needs_append = batch
            .app_writes
            .iter()
            .any(|w| matches!(w, AppWrite::Append { .. }));
        let append_seq = if needs_append {
            Some(
                meta.get(JsValue::from_str(META_APPEND_SEQ))
                    .primitive()
                    .map_err(e)?,
            )
        } else {
            None
        };
        let mut purge_keys = Vec::new();
        for id in &batch.purge {
            let index = work.index(WORK_BY_INSTANCE).map_err(e)?;
            purge_keys.push(
                index
                    .get_all_keys::<JsValue>()
                    .with_query(JsValue::from_str(id.as_str()))
                    .primitive()
                    .map_err(e)?,
            );
        }

        // 3. Writes, in the order the in-memory store applies them.
        for (id, keys) in batch.purge.iter().zip(purge_keys) {
            instances
                .delete(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(e)?;
            summaries
                .delete(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(e)?;
            history
                .delete::<JsValue, _>(prefix_range(id.as_str()))
                .primitive()
                .map_err(e)?;
            for k in keys.await.map_err(e)? {
                work.delete(k.map_err(e)?).primitive().map_err(e)?;
            }
        }
        for id in &batch.clear_history {
            history
                .delete::<JsValue, _>(prefix_range(id.as_str()))
                .primitive()
                .map_err(e)?;
        }
        for (key, value) in history_rows {
            history.put(value).with_key(key).primitive().map_err(e)?;
        }
        for (id, row, sum) in instance_rows {
            instances
                .put(row)
                .with_key(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(e)?;
            summaries.put(sum).primitive().map_err(e)?;
        }
        for req in dequeue_keys {
            let key: Option<JsValue> = req.await.map_err(e)?;
            if let Some(key) = key {
                work.delete(key).primitive().map_err(e)?;
            }
        }
        let mut enqueued: HashMap<String, ()> = HashMap::new();
        for ((id, row), exists) in work_rows.into_iter().zip(enqueue_exists) {
            let n: u32 = exists.await.map_err(e)?;
            // The same decision committed twice creates its work once.
            if n == 0 && enqueued.insert(id, ()).is_none() {
                work.add(row).primitive().map_err(e)?;
            }
        }
        let mut next_append = match append_seq {
            Some(req) => {
                let v: Option<JsValue> = req.await.map_err(e)?;
                v.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64
            }
            None => 0,
        };
        for ((w, json), version_req) in batch.app_writes.iter().zip(app_json).zip(app_versions) {
            match w {
                AppWrite::Put { store, key, .. } => {
                    let current: Option<JsValue> = match version_req {
                        Some(r) => r.await.map_err(e)?,
                        None => None,
                    };
                    let version = current
                        .and_then(|v| get_field(&v, "version").as_f64())
                        .map_or(1, |v| v as u64 + 1);
                    app.put(versioned(version, json.as_deref().unwrap_or("null")))
                        .with_key(key2(store, &JsValue::from_str(key)))
                        .primitive()
                        .map_err(e)?;
                }
                AppWrite::Delete { store, key } => {
                    app.delete(key2(store, &JsValue::from_str(key)))
                        .primitive()
                        .map_err(e)?;
                }
                AppWrite::Append { store, .. } => {
                    next_append += 1;
                    app.put(versioned(1, json.as_deref().unwrap_or("null")))
                        .with_key(key2(store, &JsValue::from_str(&append_key(next_append))))
                        .primitive()
                        .map_err(e)?;
                }
            }
        }
        if needs_append {
            meta.put(JsValue::from_f64(next_append as f64))
                .with_key(JsValue::from_str(META_APPEND_SEQ))
                .primitive()
                .map_err(e)?;
        }
        if fault == CommitFault::AbortAfterWrites {
            tx.abort().await.map_err(e)?;
            return Err(StoreError::Other(
                "injected: the transaction was aborted after its writes".into(),
            ));
        }
        tx.commit().await.map_err(e)?;
        Ok(())
    }
}
