//! Opening the database: creation, upgrades, and the two ways an upgrade
//! can go wrong — a newer version already on disk, or another tab holding the
//! old version open.
//!
//! Owns the connection's life cycle: a connection closes itself when another
//! tab asks to upgrade, so a newer app is never blocked by an older tab. Must
//! never open the database at a version other than the one asked for.

use std::future::IntoFuture;

use durable::{select2, Either, StoreError};
use indexed_db_futures::database::Database;

use crate::error::Error;
use crate::flag::Flag;
use crate::schema::upgrade;

/// Opens `name` at `version`, creating or upgrading it. A database written
/// by a newer version is [`StoreError::NewerSchema`]; an upgrade that
/// another tab blocks is [`StoreError::Blocked`] (nothing is lost either way).
pub async fn open_database(name: &str, version: u32) -> Result<Database, StoreError> {
    let blocked = Flag::default();
    let on_blocked = blocked.clone();
    let open = Database::open(name)
        .with_version(version)
        .with_on_blocked(move |_event| {
            on_blocked.raise();
            Ok(())
        })
        .with_on_upgrade_needed(move |event, db| upgrade(event.old_version(), version, &db));
    let mut open = Box::pin(open.into_future());
    let db = match select2(&mut open, blocked.raised()).await {
        Either::Left(result) => match result {
            Ok(db) => db,
            Err(err) => {
                let err = Error::from(err);
                if err.dom_name() == Some("VersionError") {
                    return Err(StoreError::NewerSchema {
                        found: stored_version(name).await.unwrap_or(0),
                        supported: version,
                    });
                }
                return Err(err.into());
            }
        },
        Either::Right(()) => {
            // The request stays queued in the browser and goes through when
            // the other tab lets go: keep it (and its upgrade) alive until
            // then, and close what it opens.
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(db) = open.await {
                    db.close();
                }
            });
            return Err(StoreError::Blocked);
        }
    };
    close_on_version_change(&db)?;
    Ok(db)
}

/// The version of the database on disk (opening without a version never
/// upgrades).
async fn stored_version(name: &str) -> Option<u32> {
    let db = Database::open(name).await.ok()?;
    let v = db.version() as u32;
    db.close();
    Some(v)
}

/// Closes `db` as soon as another connection asks for a version change.
fn close_on_version_change(db: &Database) -> Result<(), StoreError> {
    let mut changes = db.version_changes().map_err(Error::from)?;
    wasm_bindgen_futures::spawn_local(async move {
        if changes.recv().await.is_some() {
            changes.db().clone().close();
        }
    });
    Ok(())
}
