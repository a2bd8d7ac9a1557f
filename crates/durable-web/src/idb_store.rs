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

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use durable::{
    app_store_digest, append_key, decode_event, read_of, AppRecord, AppWrite, CheckRead,
    CommitBatch, CommitPlan, Decide, Found, HistoryDecodeError, HistoryEvent, InstanceId,
    InstanceList, InstancePage, InstanceQuery, InstanceRecord, InstanceSummary, JournalEntry,
    ListOrder, Precondition, ReadValues, Reads, Store, StoreError, WorkId, WorkItem, NEVER_MS,
};
use indexed_db_futures::database::Database;
use indexed_db_futures::future::{BasicRequest, GetAllPrimitiveRequest};
use indexed_db_futures::index::Index;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionFinishKind;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyRange;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::database::open_database;
use crate::error::{store_error, Error};
use crate::schema::*;
use crate::summaries::{
    build_summaries, count_by_index, list_by_index, matching_summaries, read_summaries,
    summary_value,
};

/// A fault to inject into the next commit, for tests of aborted turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitFault {
    /// No fault: commits as usual.
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
    fault: Rc<Cell<CommitFault>>,
    /// Which work page holds a work item, as last seen. A hint only: a page
    /// is re-read inside the transaction before anything relies on it.
    page_of: Rc<RefCell<HashMap<WorkId, f64>>>,
    /// The items of each work page, as last seen. Pages only ever shrink, so
    /// this is a superset of what a page holds: a commit that removes every
    /// item listed may delete the page without reading it.
    page_items: Rc<RefCell<HashMap<u64, Vec<WorkId>>>>,
    /// IndexedDB transactions this store has opened (tests and benchmarks
    /// count them).
    transactions: Rc<Cell<u64>>,
    /// Whether app writes are journaled (on unless turned off).
    journaling: Rc<Cell<bool>>,
}

pub(crate) fn key2(a: &str, b: &JsValue) -> JsValue {
    Array::of2(&JsValue::from_str(a), b).into()
}

/// All keys `[store, key, ...]` whose `key` starts with `prefix` (a
/// shorter array sorts before a longer one that starts with it), up to the
/// first string after every such key.
fn key_prefix_range(store: &str, prefix: &str) -> KeyRange<JsValue> {
    let past = match prefix_successor(prefix) {
        Some(next) => next,
        // Every unit is U+FFFF (or none): every string of `store` matches,
        // and an array sorts after every string.
        None => Array::new().into(),
    };
    KeyRange::Bound(
        key2(store, &JsValue::from_str(prefix)),
        false,
        key2(store, &past),
        true,
    )
}

/// The least string after every string that starts with `prefix`, in
/// IndexedDB's order (UTF-16 code units): its last unit that is not U+FFFF
/// plus one, the rest cut. Made from code units, so it may hold a lone
/// surrogate, which a JS string can.
fn prefix_successor(prefix: &str) -> Option<JsValue> {
    let mut units: Vec<u16> = prefix.encode_utf16().collect();
    while units.last() == Some(&u16::MAX) {
        units.pop();
    }
    let last = units.last_mut()?;
    *last += 1;
    Some(js_sys::JsString::from_char_code(&units).into())
}

/// The keys `[store, key]` and `[store, key, version]`: a record and its
/// journal (a number sorts before an array).
fn one_key_range(store: &str, key: &str) -> KeyRange<JsValue> {
    let key = JsValue::from_str(key);
    KeyRange::Bound(
        key2(store, &key),
        false,
        Array::of3(&JsValue::from_str(store), &key, &Array::new()).into(),
        false,
    )
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

pub(crate) fn get_field(obj: &JsValue, field: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(field)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}

/// An instance row as stored: its version and incarnation beside the JSON,
/// so a precondition checks both without decoding the row.
fn versioned_row(version: u64, incarnation: &str, json: &str) -> JsValue {
    object(&[
        ("version", JsValue::from_f64(version as f64)),
        ("incarnation", JsValue::from_str(incarnation)),
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

pub(crate) fn decode_instance(v: &JsValue) -> Result<InstanceRecord, StoreError> {
    let (_, value) = read_versioned("instance row", v)?;
    serde_json::from_value(value).map_err(|e| corrupt("instance row", e))
}

/// The history records a commit writes: one per instance and run of
/// consecutive events, so the steps of a sequence fused into one commit
/// append one record, not one per step.
fn history_records(
    appends: &[(InstanceId, Vec<HistoryEvent>)],
) -> Vec<(&InstanceId, Vec<&HistoryEvent>)> {
    let mut records: Vec<(&InstanceId, Vec<&HistoryEvent>)> = Vec::new();
    // Each instance's latest record, so a batch of many instances finds
    // it without a scan.
    let mut latest: HashMap<&InstanceId, usize> = HashMap::new();
    for (id, events) in appends {
        let Some(first) = events.first() else {
            continue;
        };
        let follows = latest.get(id).copied().filter(|&i| {
            records[i]
                .1
                .last()
                .is_some_and(|last| last.event_id + 1 == first.event_id)
        });
        match follows {
            Some(i) => records[i].1.extend(events),
            None => {
                latest.insert(id, records.len());
                records.push((id, events.iter().collect()));
            }
        }
    }
    records
}

/// A batch encoded for IndexedDB, before its transaction issues anything.
struct Encoded {
    /// Each instance row as stored, and its summary.
    rows: Vec<(InstanceId, JsValue, JsValue)>,
    /// History records: key and value.
    history: Vec<(JsValue, JsValue)>,
    /// New work in pages: each run of consecutive items with the same due
    /// time is one page (up to PAGE_ITEMS, so rewriting a page that lost
    /// some items stays cheap); pages keep the enqueue order exactly.
    new_pages: Vec<Page>,
    new_page_values: Vec<JsValue>,
    /// The JSON of each app write (`None`: a delete).
    app_json: Vec<Option<String>>,
}

impl Encoded {
    fn of(batch: &CommitBatch) -> Result<Encoded, StoreError> {
        let mut rows = Vec::with_capacity(batch.instances.len());
        for r in &batch.instances {
            rows.push((
                r.id.clone(),
                versioned_row(r.version, &r.incarnation, &encode("instance row", r)?),
                summary_value(r),
            ));
        }
        let mut history = Vec::with_capacity(batch.append_history.len());
        for (id, events) in history_records(&batch.append_history) {
            if let Some(first) = events.first() {
                history.push((
                    key2(id.as_str(), &JsValue::from_f64(first.event_id as f64)),
                    JsValue::from_str(&encode("history events", &events)?),
                ));
            }
        }
        let mut new_pages: Vec<Page> = Vec::new();
        for w in &batch.enqueue {
            let due = w.due_ms().unwrap_or(0) as f64;
            match new_pages.last_mut() {
                Some(p) if p.due == due && p.items.len() < PAGE_ITEMS => p.items.push(w.clone()),
                _ => new_pages.push(Page {
                    seq: 0.0,
                    due,
                    items: vec![w.clone()],
                }),
            }
        }
        let mut new_page_values = Vec::with_capacity(new_pages.len());
        for p in &new_pages {
            new_page_values.push(p.value(false)?);
        }
        let mut app_json = Vec::with_capacity(batch.app_writes.len());
        for w in &batch.app_writes {
            app_json.push(match w {
                AppWrite::Put { value, .. } | AppWrite::Append { value, .. } => {
                    Some(encode("app record", value)?)
                }
                AppWrite::Delete { .. } | AppWrite::Forget { .. } => None,
            });
        }
        Ok(Encoded {
            rows,
            history,
            new_pages,
            new_page_values,
            app_json,
        })
    }
}

/// Most items in one work page.
const PAGE_ITEMS: usize = 64;

/// A page of work items queued together with one due time.
struct Page {
    seq: f64,
    due: f64,
    items: Vec<WorkItem>,
}

impl Page {
    fn value(&self, with_seq: bool) -> Result<JsValue, StoreError> {
        let ids = Array::new();
        let instances = Array::new();
        let mut seen: Vec<&str> = Vec::new();
        for w in &self.items {
            ids.push(&JsValue::from_str(&w.id.0));
            let i = w.instance_id().as_str();
            if !seen.contains(&i) {
                seen.push(i);
                instances.push(&JsValue::from_str(i));
            }
        }
        let json = encode("work page", &self.items)?;
        let mut fields = vec![
            ("due", JsValue::from_f64(self.due)),
            ("ids", ids.into()),
            ("instances", instances.into()),
            ("json", JsValue::from_str(&json)),
        ];
        if with_seq {
            fields.push(("seq", JsValue::from_f64(self.seq)));
        }
        Ok(object(&fields))
    }

    fn decode(v: &JsValue) -> Result<Page, StoreError> {
        let seq = get_field(v, "seq")
            .as_f64()
            .ok_or_else(|| corrupt("work page", "no seq"))?;
        let due = get_field(v, "due").as_f64().unwrap_or(0.0);
        let json = get_field(v, "json")
            .as_string()
            .ok_or_else(|| corrupt("work page", "no JSON"))?;
        // Through a `Value`, like history records: one copy of the event
        // decoder in the bundle instead of two.
        let value: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| corrupt("work page", e))?;
        let items = serde_json::from_value(value).map_err(|e| corrupt("work page", e))?;
        Ok(Page { seq, due, items })
    }
}

/// The events of an instance's history records, in order.
fn decode_history(id: &InstanceId, values: Vec<JsValue>) -> Result<Vec<HistoryEvent>, StoreError> {
    let mut events = Vec::new();
    for v in values {
        let json = v
            .as_string()
            .ok_or_else(|| corrupt("history record", "not a string"))?;
        let value: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| corrupt("history record", format!("instance {id}: {e}")))?;
        // A record holds the events of one commit (or, as version 1
        // first wrote them, a single event).
        let values = match value {
            serde_json::Value::Array(values) => values,
            single => vec![single],
        };
        for value in values {
            let position = events.len();
            events.push(decode_event(position, value).map_err(|e| match e {
                HistoryDecodeError::UnknownKind { .. } => {
                    StoreError::NewerRecord(format!("instance {id}: {e}"))
                }
                HistoryDecodeError::Corrupt { .. } => {
                    StoreError::Corrupt(format!("instance {id}: {e}"))
                }
            })?);
        }
    }
    Ok(events)
}

fn encode<T: serde::Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(format!("could not encode {what}: {e}")))
}

/// `IDBTransaction.commit()`: commits once the pending requests are done,
/// rather than when the page next goes idle. (web-sys marks its binding
/// deprecated only because some browsers lacked it; every current one has it.)
#[allow(deprecated)]
fn commit_now(tx: &web_sys::IdbTransaction) -> Result<(), JsValue> {
    tx.commit()
}

/// Issues the app puts and appends of a commit (deletes go out with the
/// writes that need no read), with versions and append keys drawn from the
/// append sequence after `seq`, and stores where the sequence ends.
fn write_app_records(
    stores: &AppStores<'_, '_>,
    batch: &CommitBatch,
    json: &[Option<String>],
    mut seq: u64,
) -> Result<(), StoreError> {
    let AppStores { app, meta, journal } = stores;
    let commit = JsValue::from_f64((seq + 1) as f64);
    let at = JsValue::from_f64(batch.at_ms as f64);
    for (w, json) in batch.app_writes.iter().zip(json) {
        let (store, key) = match w {
            AppWrite::Put { store, key, .. } | AppWrite::Delete { store, key } => {
                (store, key.clone())
            }
            AppWrite::Append { store, .. } => (store, append_key(seq + 1)),
            AppWrite::Forget { .. } => continue,
        };
        seq += 1;
        let key = JsValue::from_str(&key);
        // One JS string, held by the record and by its journal entry.
        let json = json.as_deref().map(JsValue::from_str);
        // Puts, appends and deletes go out in the batch's order, so a put
        // then a delete of one key ends deleted, as in the memory store.
        match &json {
            Some(json) => {
                let record = object(&[
                    ("version", JsValue::from_f64(seq as f64)),
                    ("json", json.clone()),
                ]);
                app.put(record)
                    .with_key(key2(store, &key))
                    .primitive()
                    .map_err(store_error)?;
            }
            None => {
                app.delete(key2(store, &key))
                    .primitive()
                    .map_err(store_error)?;
            }
        }
        let Some(journal) = journal else { continue };
        let entry = object(&[
            ("commit", commit.clone()),
            ("at", at.clone()),
            ("json", json.unwrap_or(JsValue::NULL)),
        ]);
        journal
            .put(entry)
            .with_key(Array::of3(
                &JsValue::from_str(store),
                &key,
                &JsValue::from_f64(seq as f64),
            ))
            .primitive()
            .map_err(store_error)?;
    }
    meta.put(JsValue::from_f64(seq as f64))
        .with_key(JsValue::from_str(META_APPEND_SEQ))
        .primitive()
        .map_err(store_error)?;
    Ok(())
}

/// The keys and values of `store` in `range`, in key order: two requests in
/// flight at once.
async fn keys_and_values(
    store: &ObjectStore<'_>,
    range: impl Fn() -> KeyRange<JsValue>,
) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
    let keys = store
        .get_all_keys::<JsValue>()
        .with_query::<JsValue, _>(range())
        .primitive()
        .map_err(store_error)?;
    let values = store
        .get_all::<JsValue>()
        .with_query::<JsValue, _>(range())
        .primitive()
        .map_err(store_error)?;
    let keys = keys.await.map_err(store_error)?;
    let values = values.await.map_err(store_error)?;
    let mut out = Vec::new();
    for (k, v) in keys.zip(values) {
        out.push((k.map_err(store_error)?, v.map_err(store_error)?));
    }
    Ok(out)
}

/// A journal record as read: its key `[store, key, version]` and value
/// `{commit, at, json}`.
fn journal_entry(store: &str, key: &JsValue, value: &JsValue) -> Result<JournalEntry, StoreError> {
    let part = |i| Reflect::get_u32(key, i).unwrap_or(JsValue::UNDEFINED);
    let record = part(1)
        .as_string()
        .ok_or_else(|| corrupt("journal entry", "a key without a record key"))?;
    let number = |v: JsValue, what: &str| {
        v.as_f64()
            .map(|n| n as u64)
            .ok_or_else(|| corrupt("journal entry", format!("{store}/{record} has no {what}")))
    };
    let version = number(part(2), "version")?;
    let commit = number(get_field(value, "commit"), "commit")?;
    let at_ms = number(get_field(value, "at"), "time")?;
    let value = match get_field(value, "json").as_string() {
        None => None,
        Some(text) => Some(serde_json::from_str(&text).map_err(|err| {
            corrupt(
                "journal entry",
                format!("{store}/{record} at {version}: {err}"),
            )
        })?),
    };
    Ok(JournalEntry {
        store: store.to_string(),
        key: record,
        version,
        commit,
        at_ms,
        value,
    })
}

/// How a commit whose checks ran as callbacks ended: the keys of its new
/// work pages, or the error its abort means.
async fn fast_outcome<F>(
    tx: &Transaction<'_>,
    finished: TransactionFinishKind,
    conflict: &RefCell<Option<String>>,
    added: Vec<F>,
) -> Result<Vec<Option<f64>>, StoreError>
where
    F: std::future::Future<Output = indexed_db_futures::Result<JsValue>>,
{
    if matches!(finished, TransactionFinishKind::Ok) {
        return Ok(await_keys(added).await);
    }
    if let Some(what) = conflict.borrow_mut().take() {
        return Err(StoreError::Conflict(format!("{what} no longer holds")));
    }
    if let Some(err) = tx.error() {
        return Err(store_error(err));
    }
    // A work id that is already queued fails its page's add
    // (ConstraintError, a conflict) and aborts the transaction.
    for key in added {
        if let Err(err) = key.await {
            return Err(store_error(err));
        }
    }
    Err(StoreError::Other("the transaction was aborted".into()))
}

/// The digest of an app store read whole (its keys and its values).
fn scanned_digest(
    keys: impl Iterator<Item = indexed_db_futures::Result<JsValue>>,
    values: impl Iterator<Item = indexed_db_futures::Result<JsValue>>,
) -> Result<u64, StoreError> {
    let mut pairs = Vec::new();
    for (k, v) in keys.zip(values) {
        let (k, v) = (k.map_err(store_error)?, v.map_err(store_error)?);
        let key = Reflect::get_u32(&k, 1)
            .ok()
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        let version = get_field(&v, "version").as_f64().unwrap_or(0.0) as u64;
        pairs.push((key, version));
    }
    Ok(app_store_digest(
        pairs.iter().map(|(k, v)| (k.as_str(), *v)),
    ))
}

/// Takes the purged instances' and the dequeued items out of the pages
/// read; returns the pages that changed.
fn take_from_pages(batch: &CommitBatch, pages: &mut HashMap<u64, Page>) -> Vec<u64> {
    let held: HashMap<WorkId, u64> = pages
        .values()
        .flat_map(|p| p.items.iter().map(move |w| (w.id.clone(), p.seq as u64)))
        .collect();
    let mut changed_pages: Vec<u64> = Vec::new();
    for id in &batch.purge {
        for (seq, page) in pages.iter_mut() {
            let before = page.items.len();
            page.items.retain(|w| w.instance_id() != id);
            if page.items.len() != before && !changed_pages.contains(seq) {
                changed_pages.push(*seq);
            }
        }
    }
    for id in &batch.dequeue {
        if let Some(seq) = held.get(id).copied() {
            if let Some(page) = pages.get_mut(&seq) {
                page.items.retain(|w| &w.id != id);
            }
            if !changed_pages.contains(&seq) {
                changed_pages.push(seq);
            }
        }
    }
    changed_pages
}

/// A `get` in flight.
type GetRequest = BasicRequest<Option<JsValue>>;

/// A `getAll` or `getAllKeys` in flight.
type GetAllRequest = GetAllPrimitiveRequest<JsValue>;

/// The object stores a commit uses, each opened once from its transaction.
struct CommitStores<'tx> {
    instances: ObjectStore<'tx>,
    history: ObjectStore<'tx>,
    work: ObjectStore<'tx>,
    app: ObjectStore<'tx>,
    meta: ObjectStore<'tx>,
    summaries: ObjectStore<'tx>,
    journal: ObjectStore<'tx>,
}

/// The work store's indexes, through which a commit reads queued items.
/// Apart from `CommitStores` because an index borrows its store.
struct WorkIndexes<'s> {
    /// Work pages by the ids of their items.
    by_id: Index<'s>,
    /// Work pages by the instances their items are for.
    by_instance: Index<'s>,
}

impl<'s> WorkIndexes<'s> {
    /// Opens both indexes of `work`, the commit's work store.
    fn open(work: &'s ObjectStore<'_>) -> Result<Self, StoreError> {
        Ok(WorkIndexes {
            by_id: work.index(WORK_BY_ID).map_err(store_error)?,
            by_instance: work.index(WORK_BY_INSTANCE).map_err(store_error)?,
        })
    }
}

/// The object stores app writes go to: the records, the sequence their
/// versions come from, and the journal.
struct AppStores<'s, 'tx> {
    app: &'s ObjectStore<'tx>,
    meta: &'s ObjectStore<'tx>,
    /// `None` when journaling is off.
    journal: Option<&'s ObjectStore<'tx>>,
}

impl<'tx> CommitStores<'tx> {
    /// Opens every store a commit may use, before it issues a request, so
    /// each phase borrows them instead of opening its own.
    fn open(tx: &'tx Transaction<'_>) -> Result<Self, StoreError> {
        let open = |name: &str| tx.object_store(name).map_err(store_error);
        Ok(CommitStores {
            instances: open(INSTANCES)?,
            history: open(HISTORY)?,
            work: open(WORK)?,
            app: open(APP)?,
            meta: open(META)?,
            summaries: open(SUMMARIES)?,
            journal: open(JOURNAL)?,
        })
    }

    /// The stores app writes go to; the journal only when `journaling`.
    fn app_stores(&self, journaling: bool) -> AppStores<'_, 'tx> {
        AppStores {
            app: &self.app,
            meta: &self.meta,
            journal: journaling.then_some(&self.journal),
        }
    }

    /// A read of the append sequence, which app records take their
    /// versions and append keys from.
    fn read_append_seq(&self) -> Result<GetRequest, StoreError> {
        self.meta
            .get(JsValue::from_str(META_APPEND_SEQ))
            .primitive()
            .map_err(store_error)
    }

    /// Issues the writes that go out beside the reads, before any check is
    /// judged: `write_unread`'s, the app records when the append sequence
    /// is known already, and the new work pages. Returns the pages' adds,
    /// which resolve to the keys IndexedDB gave them.
    fn write_before_checks(
        &self,
        prepared: &PreparedCommit<'_>,
    ) -> Result<Vec<BasicRequest<JsValue>>, StoreError> {
        let PreparedCommit {
            batch,
            encoded,
            whole_pages,
            known_seq,
            needs_append,
            journaling,
            ..
        } = prepared;
        self.write_unread(batch, encoded, whole_pages)?;
        if let (Some(seq), true) = (known_seq, needs_append) {
            write_app_records(
                &self.app_stores(*journaling),
                batch,
                &encoded.app_json,
                *seq,
            )?;
        }
        let mut added = Vec::with_capacity(encoded.new_page_values.len());
        for v in encoded.new_page_values.iter().cloned() {
            added.push(
                self.work
                    .add(v)
                    .with_key_type::<JsValue>()
                    .primitive()
                    .map_err(store_error)?,
            );
        }
        Ok(added)
    }

    /// Issues the writes that depend on no read: purges, cleared and
    /// appended histories, rows and their summaries, pages deleted whole,
    /// forgets (app deletes go out in order with the puts).
    fn write_unread(
        &self,
        batch: &CommitBatch,
        encoded: &Encoded,
        whole_pages: &[u64],
    ) -> Result<(), StoreError> {
        let CommitStores {
            instances,
            summaries,
            history,
            work,
            app,
            journal,
            ..
        } = self;
        for w in &batch.app_writes {
            if let AppWrite::Forget { store, key, prefix } = w {
                let range = || match prefix {
                    true => key_prefix_range(store, key),
                    false => one_key_range(store, key),
                };
                app.delete::<JsValue, _>(range())
                    .primitive()
                    .map_err(store_error)?;
                journal
                    .delete::<JsValue, _>(range())
                    .primitive()
                    .map_err(store_error)?;
            }
        }
        for id in &batch.purge {
            instances
                .delete(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(store_error)?;
            summaries
                .delete(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(store_error)?;
            history
                .delete::<JsValue, _>(prefix_range(id.as_str()))
                .primitive()
                .map_err(store_error)?;
        }
        for id in &batch.clear_history {
            history
                .delete::<JsValue, _>(prefix_range(id.as_str()))
                .primitive()
                .map_err(store_error)?;
        }
        for (key, value) in &encoded.history {
            history
                .put(value.clone())
                .with_key(key.clone())
                .primitive()
                .map_err(store_error)?;
        }
        for (id, row, sum) in &encoded.rows {
            instances
                .put(row.clone())
                .with_key(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(store_error)?;
            summaries
                .put(sum.clone())
                .primitive()
                .map_err(store_error)?;
        }
        for seq in whole_pages {
            work.delete(JsValue::from_f64(*seq as f64))
                .primitive()
                .map_err(store_error)?;
        }
        Ok(())
    }
}

/// The keys IndexedDB gave the new work pages.
async fn await_keys<F>(added: Vec<F>) -> Vec<Option<f64>>
where
    F: std::future::Future<Output = indexed_db_futures::Result<JsValue>>,
{
    let mut keys = Vec::with_capacity(added.len());
    for key in added {
        keys.push(key.await.ok().and_then(|k| k.as_f64()));
    }
    keys
}

/// Reads `key` and, when its version is not `expected`, aborts the
/// transaction from the request's success callback (before it can commit);
/// the last check to pass commits it at once. The returned callback must
/// live until the transaction ends.
fn abort_unless_holds(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    request: web_sys::IdbRequest,
    holds: Holds,
    what: String,
    conflict: &Rc<RefCell<Option<String>>>,
    pending: &Rc<Cell<usize>>,
) -> Result<Closure<dyn FnMut()>, StoreError> {
    let tx_sys: web_sys::IdbTransaction = tx
        .as_sys()
        .unchecked_ref::<web_sys::IdbTransaction>()
        .clone();
    let conflict = conflict.clone();
    let pending = pending.clone();
    let r = request.clone();
    let callback = Closure::<dyn FnMut()>::new(move || {
        let result = r.result().ok().filter(|v| !v.is_undefined());
        if !holds(result.as_ref()) {
            if conflict.borrow().is_none() {
                *conflict.borrow_mut() = Some(what.clone());
                let _ = tx_sys.abort();
            }
            return;
        }
        pending.set(pending.get().saturating_sub(1));
        if pending.get() == 0 && conflict.borrow().is_none() {
            let _ = commit_now(&tx_sys);
        }
    });
    request.set_onsuccess(Some(callback.as_ref().unchecked_ref()));
    Ok(callback)
}

/// What a precondition's read must find for the commit to go on.
type Holds = Box<dyn Fn(Option<&JsValue>) -> bool>;

/// Where a precondition's read goes inside a commit's transaction.
#[derive(Clone, Copy)]
enum CheckedIn {
    Instances,
    App,
    /// The work items' id index: is the item still queued?
    WorkIds,
    /// The work pages holding an instance's items (all of them).
    WorkOfInstance,
}

/// One precondition as a read: where, which key, and what its result must
/// satisfy for the commit to go on.
struct Check {
    read_in: CheckedIn,
    key: JsValue,
    holds: Holds,
}

impl Check {
    /// The read of a one-record precondition (`None` for a whole-store
    /// read's guard, which reads the store). `dequeued` is the batch's,
    /// shared by all its checks: a commit of n instances has about 2n
    /// checks and n dequeues, so a copy per check would cost n² clones.
    fn of(p: &Precondition, dequeued: &Rc<[WorkId]>) -> Option<Check> {
        let (read_in, key) = match read_of(p) {
            CheckRead::Row(id) => (CheckedIn::Instances, JsValue::from_str(id.as_str())),
            CheckRead::WorkItem(id) => (CheckedIn::WorkIds, JsValue::from_str(&id.0)),
            CheckRead::AppRecord { store, key } => {
                (CheckedIn::App, key2(&store, &JsValue::from_str(&key)))
            }
            CheckRead::QueueOf(id) => (CheckedIn::WorkOfInstance, JsValue::from_str(id.as_str())),
            // Read whole, with the store's keys (see the commit).
            CheckRead::AppStore(_) => return None,
        };
        let (p, dequeued) = (p.clone(), Rc::clone(dequeued));
        let holds: Holds = Box::new(move |v| match read_in {
            CheckedIn::Instances => {
                let row = v.and_then(|v| {
                    let version = get_field(v, "version").as_f64()? as u64;
                    let incarnation = get_field(v, "incarnation").as_string();
                    Some((version, incarnation.unwrap_or_default()))
                });
                // A row without a version vouches for nothing.
                (v.is_none() || row.is_some())
                    && p.holds(
                        Found::Row(row.as_ref().map(|(n, i)| (*n, i.as_str()))),
                        &dequeued,
                    )
            }
            CheckedIn::App => {
                let version = v.map(|v| get_field(v, "version").as_f64().map(|f| f as u64));
                match version {
                    None => p.holds(Found::AppVersion(None), &dequeued),
                    Some(Some(n)) => p.holds(Found::AppVersion(Some(n)), &dequeued),
                    // A record without a version vouches for nothing.
                    Some(None) => false,
                }
            }
            CheckedIn::WorkIds => p.holds(Found::WorkQueued(v.is_some()), &dequeued),
            CheckedIn::WorkOfInstance => {
                queue_in(v).is_some_and(|queued| p.holds(Found::QueueOf(&queued), &dequeued))
            }
        });
        Some(Check {
            read_in,
            key,
            holds,
        })
    }
}

/// The work items of the pages a queue read found (`None` if a page does
/// not decode: it cannot be vouched for).
fn queue_in(pages: Option<&JsValue>) -> Option<Vec<WorkItem>> {
    let pages = pages.map(|v| Array::from(v).to_vec()).unwrap_or_default();
    let mut queued = Vec::new();
    for page in pages {
        queued.extend(Page::decode(&page).ok()?.items);
    }
    Some(queued)
}

/// A raw `get` on an object store, for checks that run as callbacks.
fn sys_get(
    store: &web_sys::IdbObjectStore,
    key: &JsValue,
) -> Result<web_sys::IdbRequest, StoreError> {
    store.get(key).map_err(|e| Error::from_js(e).into())
}

impl Check {
    /// Issues this check's read as a raw request, for a success callback
    /// to judge (`abort_unless_holds`).
    fn raw_read(
        &self,
        stores: &CommitStores<'_>,
        indexes: &WorkIndexes<'_>,
    ) -> Result<web_sys::IdbRequest, StoreError> {
        match self.read_in {
            CheckedIn::Instances => sys_get(stores.instances.as_sys(), &self.key),
            CheckedIn::App => sys_get(stores.app.as_sys(), &self.key),
            CheckedIn::WorkIds => {
                let index: &web_sys::IdbIndex = indexes.by_id.as_sys().unchecked_ref();
                index.get(&self.key).map_err(|e| Error::from_js(e).into())
            }
            CheckedIn::WorkOfInstance => {
                let index: &web_sys::IdbIndex = indexes.by_instance.as_sys().unchecked_ref();
                index
                    .get_all_with_key(&self.key)
                    .map_err(|e| Error::from_js(e).into())
            }
        }
    }
}

/// Issues the read of every check the batch makes (each reads one record
/// or one queue) with a success callback that aborts `tx` if the check
/// fails and commits it once the last passes (`abort_unless_holds`). The
/// callbacks returned must live until the transaction ends.
fn arm_checks(
    tx: &Transaction<'_>,
    stores: &CommitStores<'_>,
    indexes: &WorkIndexes<'_>,
    batch: &CommitBatch,
    conflict: &Rc<RefCell<Option<String>>>,
    pending: &Rc<Cell<usize>>,
) -> Result<Vec<Closure<dyn FnMut()>>, StoreError> {
    let dequeued: Rc<[WorkId]> = batch.dequeue.clone().into();
    let mut guards = Vec::new();
    for p in &batch.preconditions {
        let Some(check) = Check::of(p, &dequeued) else {
            continue;
        };
        let request = check.raw_read(stores, indexes)?;
        guards.push(abort_unless_holds(
            tx,
            request,
            check.holds,
            p.to_string(),
            conflict,
            pending,
        )?);
    }
    Ok(guards)
}

/// The batch's checks that read an app store whole (its keys, for their
/// digest), each with its store.
fn whole_store_checks(batch: &CommitBatch) -> impl Iterator<Item = (&Precondition, &str)> {
    batch.preconditions.iter().filter_map(|p| match p {
        Precondition::AppStoreUnchanged { store, .. } => Some((p, store.as_str())),
        _ => None,
    })
}

/// The reads behind a commit's checks when they are awaited rather than
/// judged in callbacks, each beside the precondition it checks.
struct CheckReads<'b> {
    /// App stores read whole: their keys and their values.
    whole_stores: Vec<(&'b Precondition, &'b str, GetAllRequest, GetAllRequest)>,
    /// The queued work of each instance a check about its messages names.
    queues: Vec<(&'b Precondition, GetAllRequest)>,
    /// One-record reads, and what each must find.
    records: Vec<(&'b Precondition, GetRequest, Holds)>,
}

impl<'b> CheckReads<'b> {
    /// Issues every check's read, all in flight at once: the app stores
    /// read whole, then the queues (read whole, pages and all), then the
    /// one-record reads.
    fn issue(
        stores: &CommitStores<'_>,
        indexes: &WorkIndexes<'_>,
        batch: &'b CommitBatch,
    ) -> Result<Self, StoreError> {
        let mut whole_stores = Vec::new();
        for (p, store) in whole_store_checks(batch) {
            let keys = stores
                .app
                .get_all_keys::<JsValue>()
                .with_query::<JsValue, _>(prefix_range(store))
                .primitive()
                .map_err(store_error)?;
            let values = stores
                .app
                .get_all::<JsValue>()
                .with_query::<JsValue, _>(prefix_range(store))
                .primitive()
                .map_err(store_error)?;
            whole_stores.push((p, store, keys, values));
        }
        let mut queues = Vec::new();
        for p in &batch.preconditions {
            if let Precondition::NoOtherMessage { instance, .. } = p {
                let pages = indexes
                    .by_instance
                    .get_all::<JsValue>()
                    .with_query::<JsValue, _>(JsValue::from_str(instance.as_str()))
                    .primitive()
                    .map_err(store_error)?;
                queues.push((p, pages));
            }
        }
        let dequeued: Rc<[WorkId]> = batch.dequeue.clone().into();
        let mut records = Vec::new();
        for p in &batch.preconditions {
            let Some(check) = Check::of(p, &dequeued) else {
                continue;
            };
            let request = match check.read_in {
                CheckedIn::Instances => stores.instances.get(check.key.clone()).primitive(),
                CheckedIn::App => stores.app.get(check.key.clone()).primitive(),
                CheckedIn::WorkIds => indexes.by_id.get(check.key.clone()).primitive(),
                // Read whole above.
                CheckedIn::WorkOfInstance => continue,
            }
            .map_err(store_error)?;
            records.push((p, request, check.holds));
        }
        Ok(CheckReads {
            whole_stores,
            queues,
            records,
        })
    }

    /// Awaits the reads and judges the checks: the first found not to hold
    /// fails the commit with a conflict. `dequeued`: the batch's.
    async fn verify(self, dequeued: &[WorkId]) -> Result<(), StoreError> {
        for (p, req, holds) in self.records {
            let found: Option<JsValue> = req.await.map_err(store_error)?;
            if !holds(found.as_ref()) {
                return Err(StoreError::Conflict(format!("{p} no longer holds")));
            }
        }
        for (p, store, keys, values) in self.whole_stores {
            let keys = keys.await.map_err(store_error)?;
            let now = scanned_digest(keys, values.await.map_err(store_error)?)?;
            if !p.holds(Found::AppStore(now), dequeued) {
                return Err(StoreError::Conflict(format!(
                    "{store} changed since it was read whole"
                )));
            }
        }
        for (p, req) in self.queues {
            let mut queued = Vec::new();
            for v in req.await.map_err(store_error)? {
                queued.extend(Page::decode(&v.map_err(store_error)?)?.items);
            }
            if !p.holds(Found::QueueOf(&queued), dequeued) {
                return Err(StoreError::Conflict(format!("{p} no longer holds")));
            }
        }
        Ok(())
    }
}

/// The reads of the work pages a commit takes items out of.
struct PageReads {
    /// The pages of the dequeued items not deleted unread: by key where
    /// the page is known, else through the id index.
    dequeued: Vec<GetRequest>,
    /// Every page holding work of a purged instance.
    purged: Vec<GetAllRequest>,
}

impl PageReads {
    /// Issues the reads, each known page once.
    fn issue(
        work: &ObjectStore<'_>,
        indexes: &WorkIndexes<'_>,
        prepared: &PreparedCommit<'_>,
    ) -> Result<Self, StoreError> {
        let mut dequeued = Vec::new();
        let mut asked: Vec<u64> = Vec::new();
        for (seq, id) in &prepared.to_read {
            match seq {
                Some(seq) if asked.contains(seq) => {}
                Some(seq) => {
                    asked.push(*seq);
                    dequeued.push(
                        work.get(JsValue::from_f64(*seq as f64))
                            .primitive()
                            .map_err(store_error)?,
                    );
                }
                None => dequeued.push(
                    indexes
                        .by_id
                        .get(JsValue::from_str(&id.0))
                        .primitive()
                        .map_err(store_error)?,
                ),
            }
        }
        let mut purged = Vec::new();
        for id in &prepared.batch.purge {
            purged.push(
                indexes
                    .by_instance
                    .get_all::<JsValue>()
                    .with_query::<JsValue, _>(JsValue::from_str(id.as_str()))
                    .primitive()
                    .map_err(store_error)?,
            );
        }
        Ok(PageReads { dequeued, purged })
    }

    /// The pages read, by key (a page gone meanwhile is simply not there).
    async fn pages(self) -> Result<HashMap<u64, Page>, StoreError> {
        let mut pages: HashMap<u64, Page> = HashMap::new();
        for req in self.dequeued {
            let v: Option<JsValue> = req.await.map_err(store_error)?;
            if let Some(v) = v {
                let page = Page::decode(&v)?;
                pages.insert(page.seq as u64, page);
            }
        }
        for req in self.purged {
            for v in req.await.map_err(store_error)? {
                let page = Page::decode(&v.map_err(store_error)?)?;
                pages.insert(page.seq as u64, page);
            }
        }
        Ok(pages)
    }
}

/// Writes back the pages a commit took items out of (`changed`), but not
/// those it deleted unread (`whole`): a page left empty is deleted, any
/// other is put again.
fn rewrite_pages(
    work: &ObjectStore<'_>,
    pages: &HashMap<u64, Page>,
    changed: &[u64],
    whole: &[u64],
) -> Result<(), StoreError> {
    for seq in changed {
        if whole.contains(seq) {
            continue;
        }
        if let Some(page) = pages.get(seq) {
            if page.items.is_empty() {
                work.delete(JsValue::from_f64(page.seq))
                    .primitive()
                    .map_err(store_error)?;
            } else {
                work.put(page.value(true)?)
                    .primitive()
                    .map_err(store_error)?;
            }
        }
    }
    Ok(())
}

/// The append sequence as read from its record (0 before the first app
/// write).
fn append_seq_in(record: Option<JsValue>) -> u64 {
    record.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64
}

/// A batch made ready for its transaction, before the transaction issues
/// anything (nothing but its own requests may sit between opening and
/// committing it): encoded, its dequeues planned, and what its app writes
/// need.
struct PreparedCommit<'b> {
    batch: &'b CommitBatch,
    encoded: Encoded,
    /// Pages every item of which the batch dequeues: deleted unread.
    whole_pages: Vec<u64>,
    /// Dequeued items whose pages are read first (with the page, if known).
    to_read: Vec<(Option<u64>, &'b WorkId)>,
    /// The append sequence, when the transaction has read it already.
    known_seq: Option<u64>,
    /// Whether the batch writes app records, which draw versions and
    /// append keys from the append sequence.
    needs_append: bool,
    /// Whether app writes are journaled.
    journaling: bool,
}

impl PreparedCommit<'_> {
    /// Whether no write depends on a read: nothing purged, no work page to
    /// read, no app store read whole, and the append sequence known or not
    /// needed. Then the checks can run as request callbacks and the
    /// transaction commits by itself: one round trip, like a plain put.
    fn needs_no_read(&self) -> bool {
        self.batch.purge.is_empty()
            && self.to_read.is_empty()
            && whole_store_checks(self.batch).next().is_none()
            && (self.known_seq.is_some() || !self.needs_append)
    }
}

impl IdbStore {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = open_database(name, SCHEMA_VERSION).await?;
        let store = IdbStore {
            db: Rc::new(db),
            fault: Rc::new(Cell::new(CommitFault::None)),
            journaling: Rc::new(Cell::new(true)),
            page_of: Rc::default(),
            page_items: Rc::default(),
            transactions: Rc::default(),
        };
        build_summaries(&store.db).await?;
        Ok(store)
    }

    /// How many IndexedDB transactions this store (and its clones) opened:
    /// one per read and one per commit.
    pub fn transactions_opened(&self) -> u64 {
        self.transactions.get()
    }

    fn count_transaction(&self) {
        self.transactions.set(self.transactions.get() + 1);
    }

    /// Turns the journal of app writes off (or on again) for this
    /// connection: for an app that never replays its records, and to
    /// measure what the journal costs. On by default.
    pub fn set_journaling(&self, on: bool) {
        self.journaling.set(on);
    }

    /// Makes the next commit fail in the given way (tests).
    pub fn inject_fault(&self, fault: CommitFault) {
        self.fault.set(fault);
    }

    /// Closes the connection; later calls fail with [`StoreError::Closed`].
    pub fn close(&self) {
        self.db.as_ref().clone().close();
    }

    /// After a commit: where the new work went, and what is done.
    fn remember(
        &self,
        batch: &CommitBatch,
        whole_pages: &[u64],
        changed_pages: &[u64],
        pages: &HashMap<u64, Page>,
        new_pages: &[Page],
        keys: Vec<Option<f64>>,
    ) {
        let mut page_of = self.page_of.borrow_mut();
        let mut page_items = self.page_items.borrow_mut();
        for id in &batch.dequeue {
            page_of.remove(id);
        }
        for seq in whole_pages.iter().chain(changed_pages.iter()) {
            match pages.get(seq) {
                Some(p) if !p.items.is_empty() && !whole_pages.contains(seq) => {
                    page_items.insert(*seq, p.items.iter().map(|w| w.id.clone()).collect());
                }
                _ => {
                    page_items.remove(seq);
                }
            }
        }
        for (page, seq) in new_pages.iter().zip(keys) {
            if let Some(seq) = seq {
                page_items.insert(
                    seq as u64,
                    page.items.iter().map(|w| w.id.clone()).collect(),
                );
                for w in &page.items {
                    page_of.insert(w.id.clone(), seq);
                }
            }
        }
    }

    fn read_tx(
        &self,
        stores: &[&str],
    ) -> Result<indexed_db_futures::transaction::Transaction<'_>, StoreError> {
        self.count_transaction();
        self.db.transaction(stores).build().map_err(store_error)
    }
}

/// The instance rows of `ids`, in order, read in one transaction with all
/// requests out at once.
pub(crate) async fn read_instances(
    tx: &Transaction<'_>,
    ids: &[InstanceId],
) -> Result<Vec<Option<InstanceRecord>>, StoreError> {
    let store = tx.object_store(INSTANCES).map_err(store_error)?;
    let mut requests = Vec::with_capacity(ids.len());
    for id in ids {
        requests.push(
            store
                .get(JsValue::from_str(id.as_str()))
                .primitive()
                .map_err(store_error)?,
        );
    }
    let mut rows = Vec::with_capacity(ids.len());
    for r in requests {
        let v: Option<JsValue> = r.await.map_err(store_error)?;
        rows.push(v.map(|v| decode_instance(&v)).transpose()?);
    }
    Ok(rows)
}

/// The rows of `ids` that still exist (one may be purged meanwhile).
async fn read_rows(
    tx: &Transaction<'_>,
    ids: &[InstanceId],
) -> Result<Vec<InstanceRecord>, StoreError> {
    Ok(read_instances(tx, ids)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// The app records at `keys`, in order, with every request out at once.
async fn read_app_records(
    tx: &Transaction<'_>,
    keys: &[(&str, &str)],
) -> Result<Vec<Option<AppRecord>>, StoreError> {
    let app = tx.object_store(APP).map_err(store_error)?;
    let mut requests = Vec::with_capacity(keys.len());
    for (store, key) in keys {
        requests.push(
            app.get(key2(store, &JsValue::from_str(key)))
                .primitive()
                .map_err(store_error)?,
        );
    }
    let mut out = Vec::with_capacity(keys.len());
    for ((store, key), request) in keys.iter().zip(requests) {
        let v: Option<JsValue> = request.await.map_err(store_error)?;
        out.push(match v {
            Some(v) => {
                let (version, value) = read_versioned(&format!("{store}/{key}"), &v)?;
                Some(AppRecord {
                    store: store.to_string(),
                    key: key.to_string(),
                    value,
                    version,
                })
            }
            None => None,
        });
    }
    Ok(out)
}

async fn get_value(store: &ObjectStore<'_>, key: JsValue) -> Result<Option<JsValue>, StoreError> {
    store
        .get(key)
        .primitive()
        .map_err(store_error)?
        .await
        .map_err(store_error)
}

impl Store for IdbStore {
    async fn instance(&self, id: &InstanceId) -> Result<Option<InstanceRecord>, StoreError> {
        Ok(self
            .instances(std::slice::from_ref(id))
            .await?
            .pop()
            .flatten())
    }

    async fn instances(
        &self,
        ids: &[InstanceId],
    ) -> Result<Vec<Option<InstanceRecord>>, StoreError> {
        let tx = self.read_tx(&[INSTANCES])?;
        read_instances(&tx, ids).await
    }

    async fn histories(&self, ids: &[InstanceId]) -> Result<Vec<Vec<HistoryEvent>>, StoreError> {
        let tx = self.read_tx(&[HISTORY])?;
        let store = tx.object_store(HISTORY).map_err(store_error)?;
        let mut requests = Vec::with_capacity(ids.len());
        for id in ids {
            requests.push(
                store
                    .get_all::<JsValue>()
                    .with_query::<JsValue, _>(prefix_range(id.as_str()))
                    .primitive()
                    .map_err(store_error)?,
            );
        }
        let mut all = Vec::with_capacity(ids.len());
        for (id, r) in ids.iter().zip(requests) {
            let records = r.await.map_err(store_error)?;
            let mut values = Vec::new();
            for v in records {
                values.push(v.map_err(store_error)?);
            }
            all.push(decode_history(id, values)?);
        }
        Ok(all)
    }

    async fn history(&self, id: &InstanceId) -> Result<Vec<HistoryEvent>, StoreError> {
        Ok(self
            .histories(std::slice::from_ref(id))
            .await?
            .pop()
            .unwrap_or_default())
    }

    async fn ready_work(&self, now_ms: u64, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        let tx = self.read_tx(&[WORK])?;
        let store = tx.object_store(WORK).map_err(store_error)?;
        let index = store.index(WORK_BY_DUE).map_err(store_error)?;
        let all = index
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(KeyRange::UpperBound(
                JsValue::from_f64(now_ms as f64),
                false,
            ))
            .primitive()
            .map_err(store_error)?
            .await
            .map_err(store_error)?;
        let mut pages = Vec::new();
        for v in all {
            pages.push(Page::decode(&v.map_err(store_error)?)?);
        }
        // The index orders by due time; the runtime wants enqueue order.
        pages.sort_by(|a, b| a.seq.total_cmp(&b.seq));
        let mut page_of = self.page_of.borrow_mut();
        let mut page_items = self.page_items.borrow_mut();
        let mut out = Vec::new();
        for page in pages {
            page_items.insert(
                page.seq as u64,
                page.items.iter().map(|w| w.id.clone()).collect(),
            );
            for item in page.items {
                page_of.insert(item.id.clone(), page.seq);
                // A page due at the last time a key can hold may hold
                // timers due never.
                if out.len() < limit && item.is_ready(now_ms) {
                    out.push(item);
                }
            }
        }
        Ok(out)
    }

    async fn next_due(&self, now_ms: u64) -> Result<Option<u64>, StoreError> {
        let tx = self.read_tx(&[WORK])?;
        let store = tx.object_store(WORK).map_err(store_error)?;
        let index = store.index(WORK_BY_DUE).map_err(store_error)?;
        let first: Option<JsValue> = index
            // Timers due never are not reported: a host would arm a timer
            // for them. (Due times are f64 keys, so one within about a
            // second of never counts as never here.)
            .get::<JsValue, JsValue, _>(KeyRange::Bound(
                JsValue::from_f64(now_ms as f64),
                true,
                JsValue::from_f64(NEVER_MS as f64),
                true,
            ))
            .primitive()
            .map_err(store_error)?
            .await
            .map_err(store_error)?;
        Ok(first
            .and_then(|v| get_field(&v, "due").as_f64())
            .map(|d| d as u64))
    }

    async fn query(&self, query: &InstanceQuery) -> Result<InstancePage, StoreError> {
        let tx = self.read_tx(&[INSTANCES, SUMMARIES])?;
        let mut ids = Vec::new();
        let mut more = false;
        for s in read_summaries(&tx, query).await? {
            // The range already starts after `after`; this keeps a row the
            // range let through only if IndexedDB's order puts it later.
            let past = |a: &InstanceId| {
                durable::text_order(s.id.as_str(), a.as_str()) == std::cmp::Ordering::Greater
            };
            if query.after.as_ref().is_some_and(|a| !past(a)) || !query.admits(&s) {
                continue;
            }
            if query.page_size > 0 && ids.len() == query.page_size {
                more = true;
                break;
            }
            ids.push(s.id);
        }
        let instances = read_rows(&tx, &ids).await?;
        let continuation = if more { ids.last().cloned() } else { None };
        Ok(InstancePage {
            instances,
            continuation,
        })
    }

    async fn list(
        &self,
        query: &InstanceQuery,
        order: &ListOrder,
    ) -> Result<InstanceList, StoreError> {
        let tx = self.read_tx(&[INSTANCES, SUMMARIES])?;
        let (ids, more) = match list_by_index(&tx, query, order).await? {
            Some(page) => page,
            None => {
                let (ids, total) =
                    order.arrange(query, read_summaries(&tx, query).await?.into_iter());
                let more = order.offset + ids.len() < total;
                (ids, more)
            }
        };
        Ok(InstanceList {
            rows: read_rows(&tx, &ids).await?,
            more,
        })
    }

    async fn summaries(&self, query: &InstanceQuery) -> Result<Vec<InstanceSummary>, StoreError> {
        let tx = self.read_tx(&[SUMMARIES])?;
        matching_summaries(&tx, query).await
    }

    async fn count(&self, query: &InstanceQuery) -> Result<usize, StoreError> {
        let tx = self.read_tx(&[SUMMARIES])?;
        if let Some(n) = count_by_index(&tx, query).await? {
            return Ok(n);
        }
        Ok(matching_summaries(&tx, query).await?.len())
    }

    async fn app_record(&self, store: &str, key: &str) -> Result<Option<AppRecord>, StoreError> {
        let tx = self.read_tx(&[APP])?;
        let app = tx.object_store(APP).map_err(store_error)?;
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

    async fn app_records_at(
        &self,
        keys: &[(&str, &str)],
    ) -> Result<Vec<Option<AppRecord>>, StoreError> {
        let tx = self.read_tx(&[APP])?;
        read_app_records(&tx, keys).await
    }

    /// One readwrite transaction: the reads, then (synchronously) the
    /// decision, then the commit's own checks and writes.
    async fn read_then_commit(
        &self,
        reads: &Reads,
        decide: &mut Decide<'_>,
    ) -> Result<bool, StoreError> {
        let keys: Vec<(&str, &str)> = reads
            .app
            .iter()
            .map(|(s, k)| (s.as_str(), k.as_str()))
            .collect();
        let tx = self.write_tx()?;
        // The append sequence comes with the reads, so the commit's app
        // writes need no second round of reads.
        let meta = tx.object_store(META).map_err(store_error)?;
        let seq = meta
            .get(JsValue::from_str(META_APPEND_SEQ))
            .primitive()
            .map_err(store_error)?;
        // The rows and the records go out together: one round trip, not
        // two (after the page sat idle, each costs about a raw transaction).
        let (instances, app) = durable::join2(
            read_instances(&tx, &reads.instances),
            read_app_records(&tx, &keys),
        )
        .await;
        let (instances, app) = (instances?, app?);
        let seq = append_seq_in(seq.await.map_err(store_error)?);
        let values = ReadValues { instances, app };
        let Some(batch) = decide(&values) else {
            return Ok(false);
        };
        // Nothing can change what this transaction read.
        let mut plan = CommitPlan::new(batch)?;
        plan.drop_checks_read_in(reads, &values);
        self.commit_in(tx, plan, Some(seq)).await?;
        Ok(true)
    }

    async fn app_records(&self, store: &str) -> Result<Vec<AppRecord>, StoreError> {
        let tx = self.read_tx(&[APP])?;
        let app = tx.object_store(APP).map_err(store_error)?;
        let mut out = Vec::new();
        for (k, v) in keys_and_values(&app, || prefix_range(store)).await? {
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

    async fn journal(&self, store: &str, prefix: &str) -> Result<Vec<JournalEntry>, StoreError> {
        let mut all = self.journals(&[(store, prefix)]).await?;
        Ok(all.pop().unwrap_or_default())
    }

    async fn journals(&self, asked: &[(&str, &str)]) -> Result<Vec<Vec<JournalEntry>>, StoreError> {
        let tx = self.read_tx(&[JOURNAL])?;
        let journal = tx.object_store(JOURNAL).map_err(store_error)?;
        let mut out = Vec::with_capacity(asked.len());
        for (store, prefix) in asked {
            let mut entries = Vec::new();
            for (k, v) in keys_and_values(&journal, || key_prefix_range(store, prefix)).await? {
                entries.push(journal_entry(store, &k, &v)?);
            }
            entries.sort_by_key(|e| e.version);
            out.push(entries);
        }
        Ok(out)
    }

    async fn commit(&self, batch: CommitBatch) -> Result<(), StoreError> {
        // A work item exists once. Within one batch the id index cannot
        // tell (a page holding an id twice is one record), so the plan
        // looks; an id already queued fails the unique index and aborts the
        // transaction.
        let plan = CommitPlan::new(batch)?;
        let tx = self.write_tx()?;
        self.commit_in(tx, plan, None).await
    }
}

impl IdbStore {
    /// A readwrite transaction over every store.
    fn write_tx(&self) -> Result<Transaction<'_>, StoreError> {
        self.count_transaction();
        self.db
            .transaction(ALL_STORES)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(store_error)
    }

    /// Which pages the batch's dequeues touch: a cached page whose every
    /// item goes is deleted unread (`whole`); any other item's page is read
    /// inside the transaction first (`to_read`, with its page if known).
    fn plan_dequeue<'b>(
        &self,
        batch: &'b CommitBatch,
    ) -> (Vec<u64>, Vec<(Option<u64>, &'b WorkId)>) {
        let mut whole_pages: Vec<u64> = Vec::new();
        let mut to_read: Vec<(Option<u64>, &WorkId)> = Vec::new();
        let page_of = self.page_of.borrow();
        let page_items = self.page_items.borrow();
        let removing: HashSet<&WorkId> = batch.dequeue.iter().collect();
        let mut decided: HashMap<u64, bool> = HashMap::new();
        for id in &batch.dequeue {
            let seq = page_of.get(id).map(|s| *s as u64);
            let whole = seq.is_some_and(|seq| {
                *decided.entry(seq).or_insert_with(|| {
                    page_items
                        .get(&seq)
                        .is_some_and(|items| items.iter().all(|i| removing.contains(i)))
                })
            });
            match seq {
                Some(seq) if whole => {
                    if !whole_pages.contains(&seq) {
                        whole_pages.push(seq);
                    }
                }
                _ => to_read.push((seq, id)),
            }
        }
        (whole_pages, to_read)
    }

    /// Checks the plan's preconditions and applies its batch inside `tx`, then
    /// commits `tx`; nothing is written if a check fails. `tx` may have
    /// served reads already, but must have no request in flight.
    ///
    /// `known_seq`: the append sequence, when `tx` has read it already (so
    /// app puts need no read of their own and can go out at once).
    ///
    /// Boxed: its two callers would otherwise each get their own inlined
    /// copy of the commit and all its phases, the largest code of the store
    /// (13 KB of wasm).
    fn commit_in<'a>(
        &'a self,
        tx: Transaction<'a>,
        plan: CommitPlan,
        known_seq: Option<u64>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + 'a>> {
        Box::pin(self.commit_in_place(tx, plan, known_seq))
    }

    /// What `commit_in` boxes: prepares the batch, then commits it in one
    /// round trip when no write depends on a read, after its reads
    /// otherwise.
    async fn commit_in_place(
        &self,
        tx: Transaction<'_>,
        plan: CommitPlan,
        known_seq: Option<u64>,
    ) -> Result<(), StoreError> {
        let batch = plan.batch;
        // Encode everything first: nothing but the transaction's own
        // requests may sit between opening and committing it.
        let encoded = Encoded::of(&batch)?;
        let (whole_pages, to_read) = self.plan_dequeue(&batch);
        let fault = self.take_fault()?;
        let prepared = PreparedCommit {
            batch: &batch,
            encoded,
            whole_pages,
            to_read,
            known_seq,
            // Append keys and record versions come from one sequence, so a
            // record deleted and written again never repeats a version.
            needs_append: batch.app_writes.iter().any(AppWrite::is_journaled),
            journaling: self.journaling.get(),
        };
        if prepared.needs_no_read() && fault == CommitFault::None {
            self.commit_in_one_round_trip(tx, &prepared).await
        } else {
            self.commit_after_reads(tx, &prepared, fault).await
        }
    }

    /// Takes the fault injected into this commit (tests); a full quota
    /// fails the commit at once, before its transaction issues anything.
    fn take_fault(&self) -> Result<CommitFault, StoreError> {
        let fault = self.fault.replace(CommitFault::None);
        if fault == CommitFault::QuotaExceeded {
            return Err(Error::Storage {
                name: "QuotaExceededError".into(),
                message: "simulated: the origin's storage quota is used up".into(),
            }
            .into());
        }
        Ok(fault)
    }

    /// A commit no write of which depends on a read: the checks' reads go
    /// out with callbacks that abort `tx` on a mismatch (the last to pass
    /// commits it), then every write, and `tx` finishes by itself — one
    /// round trip, like a plain put.
    async fn commit_in_one_round_trip(
        &self,
        tx: Transaction<'_>,
        prepared: &PreparedCommit<'_>,
    ) -> Result<(), StoreError> {
        let PreparedCommit {
            batch,
            encoded,
            whole_pages,
            ..
        } = prepared;
        let stores = CommitStores::open(&tx)?;
        let indexes = WorkIndexes::open(&stores.work)?;
        let conflict: Rc<RefCell<Option<String>>> = Rc::default();
        let pending_checks = Rc::new(Cell::new(batch.preconditions.len()));
        let guards = arm_checks(&tx, &stores, &indexes, batch, &conflict, &pending_checks)?;
        let added = stores.write_before_checks(prepared)?;
        let done = tx.on_done().map_err(store_error)?;
        if pending_checks.get() == 0 {
            // Nothing to check: commit now rather than when idle.
            let _ = commit_now(tx.as_sys().unchecked_ref());
        }
        let finished = done.await;
        drop(guards);
        let keys = fast_outcome(&tx, finished, &conflict, added).await?;
        self.remember(
            batch,
            whole_pages,
            &[],
            &HashMap::new(),
            &encoded.new_pages,
            keys,
        );
        Ok(())
    }

    /// A commit some writes of which depend on its reads (or with a fault
    /// to inject): every read goes out, then the writes no read decides;
    /// as the reads come back the checks are judged and the rest is
    /// written; then `tx` commits. A failed check drops `tx`, which aborts
    /// it.
    async fn commit_after_reads(
        &self,
        tx: Transaction<'_>,
        prepared: &PreparedCommit<'_>,
        fault: CommitFault,
    ) -> Result<(), StoreError> {
        let PreparedCommit {
            batch,
            encoded,
            whole_pages,
            ..
        } = prepared;
        let stores = CommitStores::open(&tx)?;
        let indexes = WorkIndexes::open(&stores.work)?;

        // 1. Every read, all in flight at once.
        let checks = CheckReads::issue(&stores, &indexes, batch)?;
        let page_reads = PageReads::issue(&stores.work, &indexes, prepared)?;
        let append_seq = match prepared.needs_append && prepared.known_seq.is_none() {
            true => Some(stores.read_append_seq()?),
            false => None,
        };

        // 2. The writes that depend on no read go out now, beside the reads;
        //    if a precondition then fails, dropping the transaction aborts it.
        let added = stores.write_before_checks(prepared)?;

        // 3. Check the preconditions.
        checks.verify(&batch.dequeue).await?;

        // 4. The writes that depend on what was read.
        let mut pages = page_reads.pages().await?;
        let changed_pages = take_from_pages(batch, &mut pages);
        rewrite_pages(&stores.work, &pages, &changed_pages, whole_pages)?;
        if let Some(request) = append_seq {
            let seq = append_seq_in(request.await.map_err(store_error)?);
            let app_stores = stores.app_stores(prepared.journaling);
            write_app_records(&app_stores, batch, &encoded.app_json, seq)?;
        }
        if fault == CommitFault::AbortAfterWrites {
            tx.abort().await.map_err(store_error)?;
            return Err(StoreError::Other(
                "injected: the transaction was aborted after its writes".into(),
            ));
        }
        // A refused write (a work id already queued fails the unique index)
        // aborts the transaction, so the commit fails.
        tx.commit().await.map_err(store_error)?;

        let keys = await_keys(added).await;
        self.remember(
            batch,
            whole_pages,
            &changed_pages,
            &pages,
            &encoded.new_pages,
            keys,
        );
        Ok(())
    }
}
