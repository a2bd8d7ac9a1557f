//! The IndexedDB store in headless Chromium: the core's conformance suite,
//! unchanged, and the storage error paths.
//!
//! Tests in one binary share an origin and so share IndexedDB: each test
//! uses its own database name.

#![cfg(target_arch = "wasm32")]

use durable::{
    AppWrite, CommitBatch, EventKind, HistoryEvent, InstanceId, InstanceQuery, InstanceRecord,
    Message, Precondition, Store, StoreError, WorkId, WorkItem,
};
use durable_web::{CommitFault, IdbStore, SCHEMA_VERSION};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Object, Reflect};
use serde_json::json;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique(test: &str) -> String {
    format!("durable-test-{test}-{}", js_sys::Math::random())
}

async fn open(test: &str) -> IdbStore {
    IdbStore::open(&unique(test)).await.expect("open the store")
}

#[wasm_bindgen_test]
async fn indexeddb_store_passes_the_conformance_suite() {
    let mut made = Vec::new();
    durable::conformance::run_all(|name| {
        made.push(name);
        open(name)
    })
    .await;
    assert_eq!(made.len(), 15);
}

/// A connection's commit that takes a queued message is refused when
/// another connection took it first — also on the one-round-trip path,
/// where this connection deletes the message's page without reading it.
#[wasm_bindgen_test]
async fn a_message_another_connection_took_is_not_taken_twice() {
    let name = unique("two-connections");
    let first = IdbStore::open(&name).await.unwrap();
    let second = IdbStore::open(&name).await.unwrap();
    let id = WorkId("m".into());
    let message = WorkItem::message(
        id.clone(),
        Message::raised(&InstanceId::new("i"), "E", json!(1), None),
    );
    first
        .commit(CommitBatch {
            enqueue: vec![message],
            ..Default::default()
        })
        .await
        .unwrap();
    let take = || CommitBatch {
        preconditions: vec![Precondition::WorkExists { id: id.clone() }],
        dequeue: vec![id.clone()],
        instances: vec![row("i")],
        ..Default::default()
    };
    second.commit(take()).await.expect("the first take commits");
    let again = first.commit(take()).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "the second take must conflict, got {again:?}"
    );
}

fn row(id: &str) -> InstanceRecord {
    InstanceRecord::pending(InstanceId::new(id), "O", json!({"hero": id}), 7)
}

fn batch_with_everything(id: &str) -> CommitBatch {
    CommitBatch {
        instances: vec![row(id)],
        append_history: vec![(
            InstanceId::new(id),
            vec![HistoryEvent {
                event_id: 0,
                timestamp_ms: 1,
                kind: EventKind::OrchestratorStarted,
            }],
        )],
        app_writes: vec![AppWrite::Append {
            store: "console".into(),
            value: json!("a line"),
        }],
        ..Default::default()
    }
}

async fn nothing_written(s: &IdbStore, id: &str) {
    assert_eq!(s.instance(&InstanceId::new(id)).await.unwrap(), None);
    assert!(s.history(&InstanceId::new(id)).await.unwrap().is_empty());
    assert!(s.app_records("console").await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_transaction_aborted_after_its_writes_leaves_nothing() {
    let s = open("abort").await;
    s.inject_fault(CommitFault::AbortAfterWrites);
    let r = s.commit(batch_with_everything("x")).await;
    assert!(matches!(r, Err(StoreError::Other(_))), "{r:?}");
    nothing_written(&s, "x").await;
    // The same batch commits afterwards.
    s.commit(batch_with_everything("x")).await.unwrap();
    assert!(s.instance(&InstanceId::new("x")).await.unwrap().is_some());
}

#[wasm_bindgen_test]
async fn quota_exceeded_is_a_typed_error_and_loses_nothing() {
    let s = open("quota").await;
    s.commit(batch_with_everything("kept")).await.unwrap();
    s.inject_fault(CommitFault::QuotaExceeded);
    let r = s.commit(batch_with_everything("new")).await;
    assert!(matches!(r, Err(StoreError::QuotaExceeded(_))), "{r:?}");
    assert!(s
        .instance(&InstanceId::new("kept"))
        .await
        .unwrap()
        .is_some());
    assert_eq!(s.instance(&InstanceId::new("new")).await.unwrap(), None);
    assert_eq!(s.app_records("console").await.unwrap().len(), 1);
}

/// Writes a raw value into the history store, bypassing the runtime.
async fn write_raw_history(db_name: &str, id: &str, event_id: f64, value: &str) {
    let db = Database::open(db_name).await.unwrap();
    let tx = db
        .transaction("history")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store("history").unwrap();
    let key: JsValue = Array::of2(&JsValue::from_str(id), &JsValue::from_f64(event_id)).into();
    store
        .put(JsValue::from_str(value))
        .with_key(key)
        .primitive()
        .unwrap()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn corrupt_and_newer_history_records_are_typed_errors() {
    let name = unique("corrupt");
    let s = IdbStore::open(&name).await.unwrap();
    s.commit(batch_with_everything("bad")).await.unwrap();
    s.commit(batch_with_everything("newer")).await.unwrap();
    write_raw_history(&name, "bad", 1.0, "{not json").await;
    write_raw_history(
        &name,
        "newer",
        1.0,
        r#"{"event_id":1,"timestamp_ms":2,"kind":"TimeTravelled"}"#,
    )
    .await;
    let r = s.history(&InstanceId::new("bad")).await;
    assert!(matches!(r, Err(StoreError::Corrupt(_))), "{r:?}");
    let r = s.history(&InstanceId::new("newer")).await;
    match r {
        Err(StoreError::NewerRecord(m)) => assert!(m.contains("TimeTravelled"), "{m}"),
        other => panic!("expected NewerRecord, got {other:?}"),
    }
    // Nothing else was lost.
    assert!(s.instance(&InstanceId::new("bad")).await.unwrap().is_some());
    assert_eq!(s.app_records("console").await.unwrap().len(), 2);
}

#[wasm_bindgen_test]
async fn a_database_from_a_newer_version_is_refused_with_a_typed_error() {
    let name = unique("newer-schema");
    let db = Database::open(name.as_str())
        .with_version(99u32)
        .await
        .unwrap();
    db.close();
    match IdbStore::open(&name).await {
        Err(StoreError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        Err(other) => panic!("expected NewerSchema, got {other}"),
        Ok(_) => panic!("expected NewerSchema, the store opened"),
    }
    // The newer database is untouched.
    let db = Database::open(name.as_str()).await.unwrap();
    assert_eq!(db.version(), 99.0);
    db.close();
}

/// A version-1 database as an older build wrote it: the v1 stores, with one
/// instance row in the v1 record format.
async fn version_1_fixture(name: &str, ids: &[&str]) -> Database {
    let db = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|event, db| {
            durable_web::testing::upgrade(event.old_version(), 1, &db)
        })
        .await
        .unwrap();
    let tx = db
        .transaction(durable_web::testing::INSTANCES)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store(durable_web::testing::INSTANCES).unwrap();
    for id in ids {
        let record = Object::new();
        Reflect::set(&record, &"version".into(), &JsValue::from_f64(0.0)).unwrap();
        let json = serde_json::to_string(&row(id)).unwrap();
        Reflect::set(&record, &"json".into(), &JsValue::from_str(&json)).unwrap();
        store
            .put(JsValue::from(record))
            .with_key(JsValue::from_str(id))
            .primitive()
            .unwrap()
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db
}

#[wasm_bindgen_test]
async fn a_version_1_database_upgrades_with_its_instances_intact() {
    let name = unique("upgrade");
    version_1_fixture(&name, &["ann:confirm", "bob:confirm"])
        .await
        .close();
    let s = IdbStore::open(&name)
        .await
        .expect("upgrade to the current version");
    let page = s.query(&InstanceQuery::default()).await.unwrap();
    let ids: Vec<_> = page.instances.iter().map(|r| r.id.0.clone()).collect();
    assert_eq!(ids, ["ann:confirm", "bob:confirm"]);
    assert_eq!(
        s.instance(&InstanceId::new("ann:confirm")).await.unwrap(),
        Some(row("ann:confirm"))
    );
}

#[wasm_bindgen_test]
async fn a_version_2_database_gets_indexed_summaries_rebuilt() {
    use durable::{ListOrder, SortColumn};
    use durable_web::testing::{upgrade, INSTANCES, META, META_SUMMARIES_BUILT, SUMMARIES};
    let name = unique("upgrade-v2");
    let db = Database::open(name.as_str())
        .with_version(2u32)
        .with_on_upgrade_needed(|event, db| upgrade(event.old_version(), 2, &db))
        .await
        .unwrap();
    let tx = db
        .transaction([INSTANCES, SUMMARIES, META])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let rows = tx.object_store(INSTANCES).unwrap();
    let summaries = tx.object_store(SUMMARIES).unwrap();
    for (i, id) in ["a:1", "b:2", "c:3"].into_iter().enumerate() {
        let mut r = row(id);
        r.created_ms = 100 + i as u64;
        let record = Object::new();
        Reflect::set(&record, &"version".into(), &JsValue::from_f64(0.0)).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        Reflect::set(&record, &"json".into(), &JsValue::from_str(&json)).unwrap();
        rows.put(JsValue::from(record))
            .with_key(JsValue::from_str(id))
            .primitive()
            .unwrap();
        // A version-2 summary: no updated time, no custom status.
        let summary = Object::new();
        Reflect::set(&summary, &"id".into(), &JsValue::from_str(id)).unwrap();
        Reflect::set(&summary, &"name".into(), &JsValue::from_str(&r.name)).unwrap();
        Reflect::set(
            &summary,
            &"status".into(),
            &JsValue::from_str(r.status.as_str()),
        )
        .unwrap();
        Reflect::set(
            &summary,
            &"created".into(),
            &JsValue::from_f64(r.created_ms as f64),
        )
        .unwrap();
        summaries.put(JsValue::from(summary)).primitive().unwrap();
    }
    tx.object_store(META)
        .unwrap()
        .put(JsValue::TRUE)
        .with_key(JsValue::from_str(META_SUMMARIES_BUILT))
        .primitive()
        .unwrap();
    tx.commit().await.unwrap();
    db.close();

    let s = IdbStore::open(&name).await.expect("upgrade to version 3");
    let newest_first = ListOrder {
        column: SortColumn::Created,
        descending: true,
        offset: 0,
        limit: 2,
    };
    let page = s
        .list(&InstanceQuery::default(), &newest_first)
        .await
        .unwrap();
    let ids: Vec<_> = page.rows.iter().map(|r| r.id.0.clone()).collect();
    assert_eq!(ids, ["c:3", "b:2"]);
    assert!(page.more);
    assert_eq!(s.count(&InstanceQuery::default()).await.unwrap(), 3);
}

#[wasm_bindgen_test]
async fn an_upgrade_blocked_by_another_tab_is_a_typed_error_and_loses_nothing() {
    let name = unique("blocked");
    // An "older tab" holds version 1 open and does not let go.
    let old_tab = version_1_fixture(&name, &["kept"]).await;
    match IdbStore::open(&name).await {
        Err(StoreError::Blocked) => {}
        Err(other) => panic!("expected Blocked, got {other}"),
        Ok(_) => panic!("expected Blocked, the store opened"),
    }
    // Once the old tab closes, the upgrade goes through with the data intact.
    old_tab.close();
    let s = IdbStore::open(&name)
        .await
        .expect("open after the old tab closed");
    assert!(s
        .instance(&InstanceId::new("kept"))
        .await
        .unwrap()
        .is_some());
}

/// A `Ticker` (one turn per `tick` event) started and waiting on a fresh
/// database: the store, the runtime, its id and its turns so far.
async fn live_ticker(test: &str) -> (IdbStore, durable::Runtime<IdbStore>, InstanceId, u64) {
    let store = open(test).await;
    let rt = durable::Runtime::with_options(
        store.clone(),
        durable::testing::bench::registry(),
        std::rc::Rc::new(durable_web::BrowserClock),
        durable::RuntimeOptions::default(),
    );
    let id = InstanceId::new("ticker");
    rt.client().start("Ticker", &id, &()).await.expect("start");
    rt.run_until_idle().await.expect("run");
    let turns = store.instance(&id).await.expect("read").expect("row").turns;
    (store, rt, id, turns)
}

/// A client's raise opens one IndexedDB transaction, and the turn it
/// causes in the executing tab one more: its commit (the event was handed
/// over in memory, so nothing is read first).
#[wasm_bindgen_test]
async fn a_raised_event_and_its_turn_open_one_transaction_each() {
    let (store, rt, id, turns_before) = live_ticker("turn-transactions").await;
    for n in 1..=3u64 {
        let before = store.transactions_opened();
        rt.client()
            .raise_event(&id, "tick", &false)
            .await
            .expect("raise");
        assert_eq!(
            store.transactions_opened() - before,
            1,
            "raising: one transaction"
        );
        let before = store.transactions_opened();
        let report = rt.tick().await.expect("tick");
        assert_eq!(report.turns, 1, "the tick ran the event's turn");
        assert_eq!(
            store.transactions_opened() - before,
            1,
            "the turn: one transaction"
        );
        let row = store.instance(&id).await.expect("read").expect("row");
        assert_eq!(row.turns, turns_before + n, "the turn committed");
    }
}

/// The executing tab's runtime raises an event to an instance it holds
/// live in one IndexedDB transaction, which commits the event and the turn
/// it causes together.
#[wasm_bindgen_test]
async fn a_runtime_raise_and_its_turn_open_one_transaction() {
    let (store, rt, id, turns_before) = live_ticker("direct-turn-transactions").await;
    for n in 1..=3u64 {
        let before = store.transactions_opened();
        rt.raise_event(&id, "tick", &false).await.expect("raise");
        assert_eq!(
            store.transactions_opened() - before,
            1,
            "the event and its turn: one transaction"
        );
        let row = store.instance(&id).await.expect("read").expect("row");
        assert_eq!(row.turns, turns_before + n, "the turn committed");
    }
    assert!(
        store
            .ready_work(u64::MAX, 10)
            .await
            .expect("read")
            .is_empty(),
        "nothing was queued"
    );
}
