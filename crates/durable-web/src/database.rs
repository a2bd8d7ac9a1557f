//! [`Database`]: a connection to the runtime's IndexedDB database. Owns the
//! schema (its version and object stores), the upgrade that creates it, and
//! reading and writing records.

use indexed_db_futures::database::Database as IdbDatabase;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Error;

/// The schema version this code creates and expects.
///
/// Raise it only together with a new arm in `upgrade`; the version-change
/// transaction is not available for data migrations, so new versions add new
/// stores and migrate into them.
pub const SCHEMA_VERSION: u32 = 1;

/// A key-value object store: out-of-line string keys, serde records as values.
pub const KV_STORE: &str = "kv";

/// An open connection to one named IndexedDB database at [`SCHEMA_VERSION`].
#[derive(Debug)]
pub struct Database {
    inner: IdbDatabase,
}

impl Database {
    /// Opens (and if needed creates or upgrades) the database called `name`.
    ///
    /// The connection closes itself when another tab asks to upgrade the
    /// database, so a newer version of the app is never blocked by an older
    /// tab left open. If an older tab does not let go, opening waits for it
    /// and says so on the console.
    pub async fn open(name: &str) -> Result<Self, Error> {
        let inner = IdbDatabase::open(name)
            .with_version(SCHEMA_VERSION)
            .with_on_blocked(|_event| {
                web_sys::console::warn_1(
                    &"Durable Dungeon: another tab holds an older version of the \
                      database open; close it to continue."
                        .into(),
                );
                Ok(())
            })
            .with_on_upgrade_needed(|event, db| upgrade(event.old_version(), &db))
            .await?;
        close_on_version_change(&inner)?;
        Ok(Self { inner })
    }

    /// The database's name.
    pub fn name(&self) -> String {
        self.inner.name()
    }

    /// Writes `value` under `key` in [`KV_STORE`], replacing any previous
    /// record, in one readwrite transaction.
    pub async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), Error> {
        let transaction = self
            .inner
            .transaction(KV_STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = transaction.object_store(KV_STORE)?;
        store
            .put(value)
            .with_key(key)
            .without_key_type()
            .serde()?
            .await?;
        // Dropping a transaction without committing rolls it back.
        transaction.commit().await?;
        Ok(())
    }

    /// Reads the record under `key` in [`KV_STORE`], if there is one.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        let transaction = self.inner.transaction(KV_STORE).build()?;
        let store = transaction.object_store(KV_STORE)?;
        let record = store.get(key).serde()?.await?;
        Ok(record)
    }

    /// Closes the connection.
    pub fn close(self) {
        self.inner.close();
    }
}

/// Brings a database at `old_version` (0 when it did not exist) up to
/// [`SCHEMA_VERSION`]. Runs inside the version-change transaction.
fn upgrade(old_version: f64, db: &IdbDatabase) -> indexed_db_futures::Result<()> {
    if old_version < 1.0 {
        db.create_object_store(KV_STORE).build()?;
    }
    Ok(())
}

/// Closes `db` as soon as another connection asks for a version change, so
/// that the upgrade can proceed instead of waiting for this tab.
fn close_on_version_change(db: &IdbDatabase) -> Result<(), Error> {
    let mut changes = db.version_changes()?;
    wasm_bindgen_futures::spawn_local(async move {
        if changes.recv().await.is_some() {
            changes.db().clone().close();
        }
    });
    Ok(())
}
