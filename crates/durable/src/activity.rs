//! The activity context: what an activity may read and write durably.
//!
//! Owns an activity's read set (app records with the versions read) and its
//! write set. The dispatcher commits the writes in the same atomic batch as
//! the TaskCompleted message, guarded by the read versions: so a reload can
//! neither lose nor repeat them, and a stale read makes the activity run
//! again. Effects outside the store (network, DOM) are at least once.
//! Must never commit anything itself.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::task::{Poll, Waker};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::instance::InstanceId;
use crate::registry::LocalFuture;
use crate::store::{app_store_digest, AppRecord, AppWrite, Precondition, Store, StoreError};

/// Read access to app records, object-safe so activities need not know the
/// store's type.
pub trait AppReader {
    /// The record of `store` at `key`, or `None` if there is none.
    fn read<'a>(
        &'a self,
        store: &'a str,
        key: &'a str,
    ) -> LocalFuture<Result<Option<AppRecord>, StoreError>>;
    /// Every record of `store`, ordered by key.
    fn read_all<'a>(&'a self, store: &'a str) -> LocalFuture<Result<Vec<AppRecord>, StoreError>>;
}

impl<S: Store + Clone + 'static> AppReader for S {
    fn read<'a>(
        &'a self,
        store: &'a str,
        key: &'a str,
    ) -> LocalFuture<Result<Option<AppRecord>, StoreError>> {
        let s = self.clone();
        let (store, key) = (store.to_string(), key.to_string());
        Box::pin(async move { s.app_record(&store, &key).await })
    }

    fn read_all<'a>(&'a self, store: &'a str) -> LocalFuture<Result<Vec<AppRecord>, StoreError>> {
        let s = self.clone();
        let store = store.to_string();
        Box::pin(async move { s.app_records(&store).await })
    }
}

/// Why an activity's read or write could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActivityError {
    /// A stored value is not of the type the activity asked for.
    #[error("{store}/{key} does not decode: {message}")]
    Decode {
        /// The app store holding the record.
        store: String,
        /// The record's key.
        key: String,
        /// What the JSON decoder reported.
        message: String,
    },
    /// A value to write could not be encoded as JSON.
    #[error("could not encode a value for {store}: {message}")]
    Encode {
        /// The app store it was for.
        store: String,
        /// What the JSON encoder reported.
        message: String,
    },
    /// The store failed. When a read through the context fails, the
    /// activity's result is not committed: its task stays queued, and the
    /// tick reports the failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Default)]
pub(crate) struct Effects {
    pub reads: Vec<Precondition>,
    /// Stores read whole with [`ActivityContext::read_all`].
    pub scans: Vec<String>,
    pub writes: Vec<AppWrite>,
    /// A storage failure during the activity: its result must not commit.
    pub storage_failure: Option<StoreError>,
    rng: u64,
}

/// What an attempt and the dispatcher share while it runs: whether it was
/// cancelled (the future awaiting it was dropped, or its instance ended),
/// and whether it is waiting on a store read right now (such a wait ends by
/// itself, so the dispatcher may wait for it; any other wait — a fetch, a
/// timer — it never waits for).
#[derive(Clone, Default)]
pub(crate) struct AttemptSignals {
    cancelled: Rc<Cell<bool>>,
    cancel_wakers: Rc<RefCell<Vec<Waker>>>,
    store_reads: Rc<Cell<u32>>,
}

impl AttemptSignals {
    /// Tells the attempt it is no longer wanted.
    pub(crate) fn cancel(&self) {
        if !self.cancelled.replace(true) {
            self.cancel_wakers.take().into_iter().for_each(Waker::wake);
        }
    }

    /// Whether the attempt is inside a store read.
    pub(crate) fn in_store(&self) -> bool {
        self.store_reads.get() > 0
    }

    fn enter_store(&self) -> StoreReadGuard {
        self.store_reads.set(self.store_reads.get() + 1);
        StoreReadGuard(self.store_reads.clone())
    }
}

/// Counts a store read as in progress until dropped.
struct StoreReadGuard(Rc<Cell<u32>>);

impl Drop for StoreReadGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// Handed to every activity call.
#[derive(Clone)]
pub struct ActivityContext {
    instance_id: InstanceId,
    reader: Rc<dyn AppReader>,
    effects: Rc<RefCell<Effects>>,
    signals: AttemptSignals,
}

impl ActivityContext {
    pub(crate) fn new(
        instance_id: InstanceId,
        reader: Rc<dyn AppReader>,
        seed: u64,
        signals: AttemptSignals,
    ) -> Self {
        ActivityContext {
            instance_id,
            reader,
            effects: Rc::new(RefCell::new(Effects {
                rng: seed,
                ..Effects::default()
            })),
            signals,
        }
    }

    /// Whether this attempt is no longer wanted: the orchestration stopped
    /// waiting for it (the other side of a race won), or its instance ended
    /// or was terminated. Nothing awaits its result any more; a long
    /// activity may check this and stop early. (An attempt past its
    /// start-to-close timeout is simply dropped.)
    pub fn is_cancelled(&self) -> bool {
        self.signals.cancelled.get()
    }

    /// Completes when the attempt is cancelled (see
    /// [`ActivityContext::is_cancelled`]): race it against slow work
    /// (`select2(fetch, ctx.cancelled())`) to stop as soon as the result is
    /// no longer wanted.
    pub fn cancelled(&self) -> impl Future<Output = ()> + 'static {
        let signals = self.signals.clone();
        std::future::poll_fn(move |cx| {
            if signals.cancelled.get() {
                Poll::Ready(())
            } else {
                signals.cancel_wakers.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    /// The orchestration instance that scheduled this activity.
    pub fn instance_id(&self) -> &InstanceId {
        &self.instance_id
    }

    /// A random number (splitmix64 over the runtime's seed). Activities are
    /// the place for randomness: the result is recorded, replay never rolls.
    pub fn random_u64(&self) -> u64 {
        let mut e = self.effects.borrow_mut();
        e.rng = e.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = e.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A random index below `n` (n > 0), every index reachable.
    pub fn random_below(&self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.random_u64() % n as u64) as usize
    }

    /// Reads an app record and remembers its version: the activity's writes
    /// commit only if it is unchanged then.
    pub async fn read<T: DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> Result<Option<T>, ActivityError> {
        let read = {
            let _in_store = self.signals.enter_store();
            self.reader.read(store, key).await
        };
        let record = match read {
            Ok(r) => r,
            Err(e) => {
                self.effects.borrow_mut().storage_failure = Some(e.clone());
                return Err(e.into());
            }
        };
        self.effects
            .borrow_mut()
            .reads
            .push(Precondition::AppVersion {
                store: store.to_string(),
                key: key.to_string(),
                version: record.as_ref().map(|r| r.version),
            });
        record
            .map(|r| {
                serde_json::from_value(r.value).map_err(|e| ActivityError::Decode {
                    store: store.to_string(),
                    key: key.to_string(),
                    message: e.to_string(),
                })
            })
            .transpose()
    }

    /// Reads every record of an app store (for logs). The activity's writes
    /// commit only if the store is unchanged then (no append, put or delete
    /// since the read), and the dispatcher never commits it beside a write
    /// to that store: it sees every append committed before it.
    pub async fn read_all<T: DeserializeOwned>(
        &self,
        store: &str,
    ) -> Result<Vec<(String, T)>, ActivityError> {
        let read = {
            let _in_store = self.signals.enter_store();
            self.reader.read_all(store).await
        };
        let records = match read {
            Ok(r) => r,
            Err(e) => {
                self.effects.borrow_mut().storage_failure = Some(e.clone());
                return Err(e.into());
            }
        };
        {
            let mut e = self.effects.borrow_mut();
            e.scans.push(store.to_string());
            e.reads.push(Precondition::AppStoreUnchanged {
                store: store.to_string(),
                digest: app_store_digest(records.iter().map(|r| (r.key.as_str(), r.version))),
            });
        }
        records
            .into_iter()
            .map(|r| {
                serde_json::from_value(r.value)
                    .map(|v| (r.key.clone(), v))
                    .map_err(|e| ActivityError::Decode {
                        store: store.to_string(),
                        key: r.key,
                        message: e.to_string(),
                    })
            })
            .collect()
    }

    fn encode<T: Serialize>(store: &str, value: &T) -> Result<serde_json::Value, ActivityError> {
        serde_json::to_value(value).map_err(|e| ActivityError::Encode {
            store: store.to_string(),
            message: e.to_string(),
        })
    }

    /// Writes a record, committed with the activity's completion.
    pub fn put<T: Serialize>(
        &self,
        store: &str,
        key: &str,
        value: &T,
    ) -> Result<(), ActivityError> {
        let value = Self::encode(store, value)?;
        self.effects.borrow_mut().writes.push(AppWrite::Put {
            store: store.to_string(),
            key: key.to_string(),
            value,
        });
        Ok(())
    }

    /// Deletes a record, committed with the activity's completion.
    pub fn delete(&self, store: &str, key: &str) {
        self.effects.borrow_mut().writes.push(AppWrite::Delete {
            store: store.to_string(),
            key: key.to_string(),
        });
    }

    /// Appends to an ordered log store (the console), committed with the
    /// activity's completion.
    pub fn append<T: Serialize>(&self, store: &str, value: &T) -> Result<(), ActivityError> {
        let value = Self::encode(store, value)?;
        self.effects.borrow_mut().writes.push(AppWrite::Append {
            store: store.to_string(),
            value,
        });
        Ok(())
    }

    pub(crate) fn take_effects(&self) -> Effects {
        std::mem::take(&mut *self.effects.borrow_mut())
    }
}
