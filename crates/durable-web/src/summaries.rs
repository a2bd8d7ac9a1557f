//! The per-instance summary rows that lists and queries read instead of
//! full instance rows: their format, their rebuild from `instances`, and
//! the reads a list makes (the summaries that may match, then the full rows
//! of one page only).
//!
//! Summaries are derived data: a commit writes one beside every instance row
//! it writes, and a format change rebuilds them all. Must never be the only
//! copy of anything.

use durable::{
    text_order, InstanceId, InstanceQuery, InstanceRecord, InstanceSummary, ListOrder,
    RuntimeStatus, SortColumn, StoreError,
};
use indexed_db_futures::cursor::CursorDirection;
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyRange;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::Error;
use crate::idb_store::{corrupt, decode_instance, get_field, object};
use crate::schema::{
    INSTANCES, META, META_SUMMARIES_BUILT, SUMMARIES, SUMMARIES_BY_CREATED, SUMMARIES_BY_NAME,
    SUMMARIES_BY_STATUS, SUMMARIES_BY_STATUS_CREATED, SUMMARIES_BY_UPDATED, SUMMARY_FORMAT,
};

/// The summary row of an instance row.
pub(crate) fn summary_value(r: &InstanceRecord) -> JsValue {
    let s = InstanceSummary::of(r);
    object(&[
        ("id", JsValue::from_str(s.id.as_str())),
        ("name", JsValue::from_str(&s.name)),
        ("status", JsValue::from_str(s.status.as_str())),
        ("created", JsValue::from_f64(s.created_ms as f64)),
        ("updated", JsValue::from_f64(s.updated_ms as f64)),
        ("custom", JsValue::from_str(&s.custom_status)),
    ])
}

fn read_summary(v: &JsValue) -> Result<InstanceSummary, StoreError> {
    let text = |field| get_field(v, field).as_string();
    let number = |field| get_field(v, field).as_f64().unwrap_or(0.0) as u64;
    let id = text("id").ok_or_else(|| corrupt("instance summary", "no id"))?;
    let status = text("status")
        .and_then(|s| RuntimeStatus::parse(&s))
        .ok_or_else(|| corrupt("instance summary", format!("{id} has no valid status")))?;
    Ok(InstanceSummary {
        name: text("name").unwrap_or_default(),
        status,
        created_ms: number("created"),
        updated_ms: number("updated"),
        custom_status: text("custom").unwrap_or_default(),
        id: InstanceId::new(id),
    })
}

/// The summaries of every instance that matches `query`'s filters, in id
/// order.
pub(crate) async fn matching_summaries(
    tx: &Transaction<'_>,
    query: &InstanceQuery,
) -> Result<Vec<InstanceSummary>, StoreError> {
    let mut found = read_summaries(tx, query).await?;
    found.retain(|s| query.admits(s));
    Ok(found)
}

/// The summaries that may match `query`, in id order: the key range of its
/// id prefix (every id starting with it sorts between it and it followed by
/// the highest code unit), after its continuation id, or all of them.
pub(crate) async fn read_summaries(
    tx: &Transaction<'_>,
    query: &InstanceQuery,
) -> Result<Vec<InstanceSummary>, StoreError> {
    let store = tx.object_store(SUMMARIES).map_err(Error::from)?;
    let upper = query.id_prefix.as_ref().map(|p| format!("{p}\u{ffff}"));
    // Compared as IndexedDB compares keys (UTF-16 code units).
    let at_or_above = |a: &str, b: &str| text_order(a, b) != std::cmp::Ordering::Less;
    let lower = match (&query.id_prefix, &query.after) {
        (Some(p), Some(a)) if at_or_above(a.as_str(), p) => Some((a.as_str(), true)),
        (Some(p), _) => Some((p.as_str(), false)),
        (None, Some(a)) => Some((a.as_str(), true)),
        (None, None) => None,
    };
    let range = match (lower, &upper) {
        (Some((l, _)), Some(u)) if at_or_above(l, u) => return Ok(Vec::new()),
        (Some((l, open)), Some(u)) => Some(KeyRange::Bound(
            JsValue::from_str(l),
            open,
            JsValue::from_str(u),
            false,
        )),
        (Some((l, open)), None) => Some(KeyRange::LowerBound(JsValue::from_str(l), open)),
        (None, _) => None,
    };
    let request = match range {
        Some(range) => store
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(range)
            .primitive(),
        None => store.get_all::<JsValue>().primitive(),
    };
    let values = request.map_err(Error::from)?.await.map_err(Error::from)?;
    let mut out = Vec::new();
    for v in values {
        out.push(read_summary(&v.map_err(Error::from)?)?);
    }
    Ok(out)
}

/// Every key: numbers sort first, and -∞ first of all.
fn everything() -> KeyRange<JsValue> {
    KeyRange::LowerBound(JsValue::from_f64(f64::NEG_INFINITY), false)
}

/// An index that yields exactly the rows of `query` in `order`'s order,
/// with the key range to walk; `None` when no index does (the list is then
/// sorted in memory from the matching summaries).
fn index_plan(
    query: &InstanceQuery,
    order: &ListOrder,
) -> Option<(&'static str, KeyRange<JsValue>)> {
    // An empty time range is no key range at all (IndexedDB refuses one
    // whose lower bound is above its upper): the in-memory path answers.
    if query
        .created_from_ms
        .zip(query.created_to_ms)
        .is_some_and(|(from, to)| from > to)
    {
        return None;
    }
    // An index serves at most one filter, and never the id prefix.
    let by_name = query.name.is_some();
    let by_time = query.created_from_ms.is_some() || query.created_to_ms.is_some();
    if query.id_prefix.is_some()
        || [by_name, by_time, !query.statuses.is_empty()]
            .iter()
            .filter(|f| **f)
            .count()
            > 1
    {
        return None;
    }
    let created_range = || {
        let from = query
            .created_from_ms
            .map_or(f64::NEG_INFINITY, |t| t as f64);
        let to = query.created_to_ms.map_or(f64::INFINITY, |t| t as f64);
        KeyRange::Bound(JsValue::from_f64(from), false, JsValue::from_f64(to), false)
    };
    match (order.column, query.statuses.as_slice()) {
        (SortColumn::Created, []) if !by_name => Some((SUMMARIES_BY_CREATED, created_range())),
        (SortColumn::Created, [status]) => {
            let s = JsValue::from_str(status.as_str());
            let key = |t: f64| js_sys::Array::of2(&s, &JsValue::from_f64(t)).into();
            Some((
                SUMMARIES_BY_STATUS_CREATED,
                KeyRange::Bound(key(f64::NEG_INFINITY), false, key(f64::INFINITY), false),
            ))
        }
        (SortColumn::Status, [status]) => Some((
            SUMMARIES_BY_STATUS,
            KeyRange::Only(JsValue::from_str(status.as_str())),
        )),
        (SortColumn::Updated, []) if !by_name && !by_time => {
            Some((SUMMARIES_BY_UPDATED, everything()))
        }
        (SortColumn::Status, []) if !by_name && !by_time => {
            Some((SUMMARIES_BY_STATUS, everything()))
        }
        (SortColumn::Name, []) if !by_time => Some((
            SUMMARIES_BY_NAME,
            match &query.name {
                Some(n) => KeyRange::Only(JsValue::from_str(n)),
                None => everything(),
            },
        )),
        _ => None,
    }
}

/// A page of a list read by walking an index: the page's ids and whether
/// more follow, touching only the page's entries (and one more). `None`
/// when no index serves this list.
pub(crate) async fn list_by_index(
    tx: &Transaction<'_>,
    query: &InstanceQuery,
    order: &ListOrder,
) -> Result<Option<(Vec<InstanceId>, bool)>, StoreError> {
    let Some((name, range)) = index_plan(query, order) else {
        return Ok(None);
    };
    let store = tx.object_store(SUMMARIES).map_err(Error::from)?;
    let index = store.index(name).map_err(Error::from)?;
    let direction = if order.descending {
        CursorDirection::Prev
    } else {
        CursorDirection::Next
    };
    let mut ids = Vec::new();
    let cursor = index
        .open_key_cursor()
        .with_query::<JsValue, _>(range)
        .with_direction(direction)
        .primitive()
        .map_err(Error::from)?
        .await
        .map_err(Error::from)?;
    let Some(mut cursor) = cursor else {
        return Ok(Some((ids, false)));
    };
    if order.offset > 0 {
        cursor
            .advance_by(u32::try_from(order.offset).unwrap_or(u32::MAX))
            .await
            .map_err(Error::from)?;
    }
    let limit = if order.limit == 0 {
        usize::MAX
    } else {
        order.limit
    };
    loop {
        if past_end(cursor.as_sys().unchecked_ref()) {
            return Ok(Some((ids, false)));
        }
        if ids.len() == limit {
            return Ok(Some((ids, true)));
        }
        let id: Option<String> = cursor.primary_key().map_err(Error::from)?;
        ids.extend(id.map(InstanceId::new));
        cursor.advance_by(1).await.map_err(Error::from)?;
    }
}

/// Whether a cursor has passed its end: its request then holds null.
/// (web-sys marks `IDBCursor.request` deprecated only because some browsers
/// lacked it; every current one has it.)
#[allow(deprecated)]
fn past_end(cursor: &web_sys::IdbCursor) -> bool {
    cursor.request().result().map_or(true, |r| r.is_null())
}

/// How many instances pass `query`'s filters, counted inside IndexedDB when
/// one index range holds exactly them; `None` otherwise.
pub(crate) async fn count_by_index(
    tx: &Transaction<'_>,
    query: &InstanceQuery,
) -> Result<Option<usize>, StoreError> {
    // Any order whose index serves the filters will do for counting.
    let plan = [SortColumn::Created, SortColumn::Name, SortColumn::Status]
        .into_iter()
        .find_map(|column| {
            index_plan(
                query,
                &ListOrder {
                    column,
                    descending: false,
                    offset: 0,
                    limit: 0,
                },
            )
        });
    let Some((name, range)) = plan else {
        return Ok(None);
    };
    let store = tx.object_store(SUMMARIES).map_err(Error::from)?;
    let index = store.index(name).map_err(Error::from)?;
    let n = index
        .count()
        .with_query::<JsValue, _>(range)
        .primitive()
        .map_err(Error::from)?
        .await
        .map_err(Error::from)?;
    Ok(Some(n as usize))
}

/// Builds every summary row from the instance rows, once per summary
/// format (a database from before summaries, or with an older format).
pub(crate) async fn build_summaries(db: &Database) -> Result<(), StoreError> {
    let tx = db
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
    if built.and_then(|v| v.as_f64()) == Some(SUMMARY_FORMAT) {
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
        let row = decode_instance(&v.map_err(Error::from)?)?;
        summaries
            .put(summary_value(&row))
            .primitive()
            .map_err(Error::from)?;
    }
    meta.put(JsValue::from_f64(SUMMARY_FORMAT))
        .with_key(JsValue::from_str(META_SUMMARIES_BUILT))
        .primitive()
        .map_err(Error::from)?;
    tx.commit().await.map_err(Error::from)?;
    Ok(())
}
