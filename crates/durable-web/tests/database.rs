//! Browser tests of [`Database`]: records written to IndexedDB read back.
//!
//! Tests in one binary share an origin and so share IndexedDB: each test
//! opens a database under its own name.

#![cfg(target_arch = "wasm32")]

use durable_web::Database;
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Adventurer {
    name: String,
    room: Option<String>,
    inventory: Vec<String>,
    alive: bool,
}

/// A database name no other test (or earlier run in this profile) uses.
fn unique_name(test: &str) -> String {
    format!("durable-web-test-{test}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn a_record_written_reads_back() {
    let db = Database::open(&unique_name("put-get"))
        .await
        .expect("open the database");
    let adventurer = Adventurer {
        name: "Brienne".to_owned(),
        room: Some("A dusty room".to_owned()),
        inventory: vec!["Stout Sword".to_owned()],
        alive: true,
    };

    db.put("adventurer/Brienne", &adventurer)
        .await
        .expect("put the record");
    let read: Option<Adventurer> = db.get("adventurer/Brienne").await.expect("get the record");

    assert_eq!(read, Some(adventurer));
}

#[wasm_bindgen_test]
async fn a_missing_key_reads_as_none() {
    let db = Database::open(&unique_name("missing"))
        .await
        .expect("open the database");

    let read: Option<Adventurer> = db.get("adventurer/Nobody").await.expect("get");

    assert_eq!(read, None);
}

#[wasm_bindgen_test]
async fn a_put_replaces_the_previous_record() {
    let db = Database::open(&unique_name("replace"))
        .await
        .expect("open the database");
    db.put("counter", &1_u32).await.expect("first put");
    db.put("counter", &2_u32).await.expect("second put");

    let read: Option<u32> = db.get("counter").await.expect("get");

    assert_eq!(read, Some(2));
}

#[wasm_bindgen_test]
async fn a_reopened_database_keeps_its_records() {
    let name = unique_name("reopen");
    let db = Database::open(&name).await.expect("open the database");
    db.put("greeting", &"hello".to_owned()).await.expect("put");
    db.close();

    let db = Database::open(&name).await.expect("reopen the database");
    let read: Option<String> = db.get("greeting").await.expect("get");

    assert_eq!(db.name(), name);
    assert_eq!(read.as_deref(), Some("hello"));
}
