//! The physical limit the runtime is measured against: raw IndexedDB puts,
//! with nothing of the runtime around them. Benchmarks only (`make bench`
//! prints the runtime's figures as ratios to these, measured in the same
//! run); the runtime never calls it.

use durable::Clock;
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
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

/// What every raw put writes: a small record.
const RECORD: &str = "{\"some\":\"record of about this size\"}";

/// The key of the `n`th record written for reads to find (negative, apart
/// from the keys the timed puts use).
fn readable_key(n: u32) -> JsValue {
    JsValue::from_f64(-1.0 - f64::from(n))
}

/// The key of the `n`th record the timed puts write.
fn timed_key(n: u32) -> JsValue {
    JsValue::from_f64(f64::from(n))
}

/// Puts [`RECORD`] under each of `keys` (not awaited: the commit is).
fn put_records(
    store: &ObjectStore<'_>,
    keys: impl IntoIterator<Item = JsValue>,
) -> Result<(), Error> {
    for key in keys {
        store
            .put(JsValue::from_str(RECORD))
            .with_key(key)
            .primitive()?;
    }
    Ok(())
}

fn readwrite(db: &Database) -> Result<Transaction<'_>, Error> {
    Ok(db
        .transaction("kv")
        .with_mode(TransactionMode::Readwrite)
        .build()?)
}

/// Writes `n` records for reads to find ([`readable_key`]).
async fn fill_readable(db: &Database, n: u32) -> Result<(), Error> {
    if n > 0 {
        let tx = readwrite(db)?;
        put_records(&tx.object_store("kv")?, (0..n).map(readable_key))?;
        tx.commit().await?;
    }
    Ok(())
}

/// Ms of one readwrite transaction that reads `gets` records (awaited
/// first, as a command must before it decides), then puts `puts` records
/// under the keys from `first_key` on.
async fn read_then_write_timed(
    db: &Database,
    gets: u32,
    puts: u32,
    first_key: u32,
) -> Result<f64, Error> {
    let started = BrowserClock.monotonic_ms();
    let tx = readwrite(db)?;
    let store = tx.object_store("kv")?;
    let mut reads = Vec::with_capacity(gets as usize);
    for g in 0..gets {
        reads.push(store.get(readable_key(g)).primitive()?);
    }
    for r in reads {
        let _: Option<JsValue> = r.await?;
    }
    put_records(&store, (first_key..first_key + puts).map(timed_key))?;
    tx.commit().await?;
    Ok(BrowserClock.monotonic_ms() - started)
}

/// Puts per second into a fresh database `name`: `per_tx` puts in each of
/// `txs` readwrite transactions (with 1 per transaction, that is
/// transactions per second).
pub async fn raw_puts(name: &str, txs: u32, per_tx: u32) -> Result<f64, Error> {
    let db = open_kv(name).await?;
    let started = BrowserClock.monotonic_ms();
    for i in 0..txs {
        let tx = readwrite(&db)?;
        put_records(
            &tx.object_store("kv")?,
            (i * per_tx..(i + 1) * per_tx).map(timed_key),
        )?;
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
    let kv = RawKv::open_with(name, gets).await?;
    let mut spent = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        spent.push(kv.read_then_write_once(gets, puts).await?);
    }
    kv.db.close();
    Ok(median(spent))
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
        Self::open_with(name, Self::READABLE).await
    }

    /// Opens (creating) the database `name`, with `readable` records in it
    /// for reads to find.
    async fn open_with(name: &str, readable: u32) -> Result<RawKv, Error> {
        let db = open_kv(name).await?;
        fill_readable(&db, readable).await?;
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
        read_then_write_timed(&self.db, gets, puts, first).await
    }

    /// Ms of one readwrite transaction with one put.
    pub async fn put_once(&self) -> Result<f64, Error> {
        self.read_then_write_once(0, 1).await
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
