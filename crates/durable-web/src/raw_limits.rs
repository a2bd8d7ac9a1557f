//! The physical limit the runtime is measured against: raw IndexedDB puts,
//! with nothing of the runtime around them. Benchmarks only (`make bench`
//! prints the runtime's figures as ratios to these, measured in the same
//! run); the runtime never calls it.

use durable::Clock;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use wasm_bindgen::JsValue;

use crate::clock::BrowserClock;
use crate::error::Error;

/// A fresh database `name` with one object store, `kv`.
async fn open_kv(name: &str) -> Result<Database, Error> {
    Ok(Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store("kv").build()?;
            Ok(())
        })
        .await?)
}

/// Puts per second into a fresh database `name`: `per_tx` puts in each of
/// `txs` readwrite transactions (with 1 per transaction, that is
/// transactions per second).
pub async fn raw_puts(name: &str, txs: u32, per_tx: u32) -> Result<f64, Error> {
    let db = open_kv(name).await?;
    let started = BrowserClock.monotonic_ms();
    for i in 0..txs {
        let tx = db
            .transaction("kv")
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store("kv")?;
        for j in 0..per_tx {
            store
                .put(JsValue::from_str(
                    "{\"some\":\"record of about this size\"}",
                ))
                .with_key(JsValue::from_f64(f64::from(i * per_tx + j)))
                .primitive()?;
        }
        tx.commit().await?;
    }
    let seconds = (BrowserClock.monotonic_ms() - started) / 1000.0;
    db.close();
    Ok(f64::from(txs * per_tx) / seconds)
}

/// Ms to read every record of `stores` in the existing database `name`
/// with one readonly transaction and one `getAll` per store, nothing
/// decoded: the floor under reading instances back after a reload. Returns
/// the ms and how many records were read.
pub async fn raw_read_all(name: &str, stores: &[&str]) -> Result<(f64, usize), Error> {
    let db = Database::open(name).await?;
    let started = BrowserClock.monotonic_ms();
    let mut records = 0;
    {
        let tx = db.transaction(stores.to_vec()).build()?;
        let mut requests = Vec::with_capacity(stores.len());
        for store in stores {
            requests.push(tx.object_store(store)?.get_all::<JsValue>().primitive()?);
        }
        for r in requests {
            records += r.await?.count();
        }
    }
    let ms = BrowserClock.monotonic_ms() - started;
    db.close();
    Ok((ms, records))
}

/// Median ms of a raw readwrite transaction in a fresh database `name` that
/// reads `gets` records and then writes `puts` (the reads awaited first, as
/// a command must before it decides), over `runs` transactions: the same
/// counts of requests as a workload's, with small values under plain keys
/// in a store with no index. The records read exist (they are written
/// before the timing starts), so every read finds one.
pub async fn raw_read_then_write(
    name: &str,
    gets: u32,
    puts: u32,
    runs: u32,
) -> Result<f64, Error> {
    let db = open_kv(name).await?;
    if gets > 0 {
        let tx = db
            .transaction("kv")
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store("kv")?;
        for g in 0..gets {
            store
                .put(JsValue::from_str(
                    "{\"some\":\"record of about this size\"}",
                ))
                .with_key(JsValue::from_f64(-1.0 - f64::from(g)))
                .primitive()?;
        }
        tx.commit().await?;
    }
    let mut spent = Vec::with_capacity(runs as usize);
    for run in 0..runs {
        let started = BrowserClock.monotonic_ms();
        let tx = db
            .transaction("kv")
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store("kv")?;
        let mut reads = Vec::with_capacity(gets as usize);
        for g in 0..gets {
            reads.push(
                store
                    .get(JsValue::from_f64(-1.0 - f64::from(g)))
                    .primitive()?,
            );
        }
        for r in reads {
            let _: Option<JsValue> = r.await?;
        }
        for p in 0..puts {
            store
                .put(JsValue::from_str(
                    "{\"some\":\"record of about this size\"}",
                ))
                .with_key(JsValue::from_f64(f64::from(run * puts + p)))
                .primitive()?;
        }
        tx.commit().await?;
        spent.push(BrowserClock.monotonic_ms() - started);
    }
    db.close();
    spent.sort_by(f64::total_cmp);
    Ok(spent[spent.len() / 2])
}

/// A raw database with one object store, kept open, for timing single
/// transactions when it matters what came before them (a transaction after
/// the page sat idle costs more than one right after another).
pub struct RawKv {
    db: Database,
    next: std::cell::Cell<u32>,
}

impl RawKv {
    /// Opens (creating) the database `name`, with [`RawKv::READABLE`]
    /// records in it for reads to find.
    pub async fn open(name: &str) -> Result<RawKv, Error> {
        let db = open_kv(name).await?;
        let tx = db
            .transaction("kv")
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store("kv")?;
        for g in 0..Self::READABLE {
            store
                .put(JsValue::from_str(
                    "{\"some\":\"record of about this size\"}",
                ))
                .with_key(JsValue::from_f64(-1.0 - f64::from(g)))
                .primitive()?;
        }
        tx.commit().await?;
        Ok(RawKv {
            db,
            next: std::cell::Cell::new(0),
        })
    }

    /// How many records a read can find (more reads find nothing).
    pub const READABLE: u32 = 64;

    /// Ms of one readwrite transaction that reads `gets` records, awaits
    /// them, then writes `puts`: a command's counts of requests, once.
    pub async fn read_then_write_once(&self, gets: u32, puts: u32) -> Result<f64, Error> {
        let first = self.next.get();
        self.next.set(first + puts);
        let started = BrowserClock.monotonic_ms();
        let tx = self
            .db
            .transaction("kv")
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store("kv")?;
        let mut reads = Vec::with_capacity(gets as usize);
        for g in 0..gets {
            reads.push(
                store
                    .get(JsValue::from_f64(-1.0 - f64::from(g)))
                    .primitive()?,
            );
        }
        for r in reads {
            let _: Option<JsValue> = r.await?;
        }
        for p in 0..puts {
            store
                .put(JsValue::from_str(
                    "{\"some\":\"record of about this size\"}",
                ))
                .with_key(JsValue::from_f64(f64::from(first + p)))
                .primitive()?;
        }
        tx.commit().await?;
        Ok(BrowserClock.monotonic_ms() - started)
    }

    /// Ms of one readwrite transaction with one put.
    pub async fn put_once(&self) -> Result<f64, Error> {
        let key = self.next.get();
        self.next.set(key + 1);
        let started = BrowserClock.monotonic_ms();
        let tx = self
            .db
            .transaction("kv")
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store("kv")?
            .put(JsValue::from_str(
                "{\"some\":\"record of about this size\"}",
            ))
            .with_key(JsValue::from_f64(f64::from(key)))
            .primitive()?;
        tx.commit().await?;
        Ok(BrowserClock.monotonic_ms() - started)
    }
}

/// The median of `values` (none: NaN): the middle one, or the mean of the
/// two middle ones.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 0 => (values[mid - 1] + values[mid]) / 2.0,
        _ => values[mid],
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
