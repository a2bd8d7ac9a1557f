//! The Store trait: persistence, and nothing else.
//!
//! A store keeps instance rows, histories, work items and the app's own
//! records, and applies a [`CommitBatch`] atomically: every precondition is
//! checked and every write applied, or nothing is. The runtime allocates every
//! id and makes every decision; a store must never interpret events or run
//! code.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::history::HistoryEvent;
use crate::instance::{InstanceId, InstanceRecord, RuntimeStatus};
use crate::listing::{InstanceList, InstanceSummary, ListOrder};
use crate::work::{WorkId, WorkItem};

/// A record in one of the app's own stores (its tables, a log),
/// with the version that optimistic concurrency checks against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppRecord {
    /// The app store it belongs to.
    pub store: String,
    /// Its key within that store.
    pub key: String,
    /// Its value, as JSON.
    pub value: Value,
    /// Changes with every write, and never repeats for a key, even after a
    /// delete (stores draw versions from one increasing sequence).
    pub version: u64,
}

/// A write to an app store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AppWrite {
    /// Insert or replace; the store bumps the version.
    Put {
        /// The app store to write to.
        store: String,
        /// The record's key.
        key: String,
        /// The new value.
        value: Value,
    },
    /// Removes a record; the journal keeps the delete.
    Delete {
        /// The app store to delete from.
        store: String,
        /// The record's key.
        key: String,
    },
    /// Append to an ordered log (the console): the store assigns the next key,
    /// zero-padded so keys sort in commit order.
    Append {
        /// The log store to append to.
        store: String,
        /// The value appended.
        value: Value,
    },
    /// Deletes the record of `store` at `key` and its journal, or with
    /// `prefix` every record whose key starts with `key`: how an app forgets
    /// what it no longer keeps. A batch's forgets apply before its other
    /// writes, and are not journaled.
    Forget {
        /// The app store to forget in.
        store: String,
        /// The record's key, or with `prefix` the start of the keys.
        key: String,
        /// Forget every record whose key starts with `key`, not only `key`'s.
        prefix: bool,
    },
}

/// One app write as the journal keeps it. Every put, delete and append is
/// journaled in the transaction that commits it, so the records of any
/// moment can be rebuilt: the journal is the app's history, as the event
/// history is an instance's.
#[derive(Clone, Debug, PartialEq)]
pub struct JournalEntry {
    /// The app store written.
    pub store: String,
    /// The record's key (for an append, the key the store assigned).
    pub key: String,
    /// The write's place in the store-wide sequence of app writes: the
    /// version the record got.
    pub version: u64,
    /// The first version of the commit the write was part of: entries with
    /// the same `commit` happened together, atomically.
    pub commit: u64,
    /// When that commit was made ([`CommitBatch::at_ms`]).
    pub at_ms: u64,
    /// The value written; `None` for a delete.
    pub value: Option<Value>,
}

impl AppWrite {
    /// The app store the write goes to.
    pub fn store(&self) -> &str {
        match self {
            AppWrite::Put { store, .. }
            | AppWrite::Delete { store, .. }
            | AppWrite::Append { store, .. }
            | AppWrite::Forget { store, .. } => store,
        }
    }

    /// Whether the journal keeps this write (all but a forget).
    pub fn is_journaled(&self) -> bool {
        !matches!(self, AppWrite::Forget { .. })
    }
}

/// Something that must hold when the batch commits, or the batch is refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Precondition {
    /// The instance row has this version and incarnation (`None`: there
    /// is no row). The incarnation matters because a purge ends an id's
    /// versions: a restarted id counts from 0 again.
    InstanceVersion {
        /// The instance whose row is checked.
        id: InstanceId,
        /// The version the row must have; `None`: there must be no row.
        version: Option<u64>,
        /// The incarnation the row must have (empty for rows written before
        /// incarnations existed).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        incarnation: String,
    },
    /// The work item is still queued (nobody else completed it).
    WorkExists {
        /// The work item that must still be queued.
        id: WorkId,
    },
    /// The app record still has the version that was read (`None`: absent).
    AppVersion {
        /// The app store of the record.
        store: String,
        /// The record's key.
        key: String,
        /// The version that was read; `None`: the record must still be absent.
        version: Option<u64>,
    },
    /// The app store still holds exactly the records read by a whole-store
    /// read (`read_all`): the digest of its (key, version) pairs is unchanged,
    /// so an append, put or delete committed since then refuses the batch.
    AppStoreUnchanged {
        /// The app store that was read whole.
        store: String,
        /// The [`app_store_digest`] of its records when it was read.
        digest: u64,
    },
    /// No message for `instance` ready at `ready_at_ms` is queued besides
    /// those the batch dequeues: a turn on messages handed over in memory
    /// commits only if no message committed elsewhere should come first.
    NoOtherMessage {
        /// The instance whose queued messages are checked.
        instance: InstanceId,
        /// The time at which a message counts as ready (ms since the Unix
        /// epoch).
        ready_at_ms: u64,
    },
}

/// The digest of an app store's (key, version) pairs, in any order: what
/// [`Precondition::AppStoreUnchanged`] compares.
pub fn app_store_digest<'a>(records: impl Iterator<Item = (&'a str, u64)>) -> u64 {
    records.fold(0x5157_0fe1, |acc, (key, version)| {
        let h = key
            .bytes()
            .chain(version.to_le_bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
        acc ^ h
    })
}

impl Precondition {
    /// Whether the queued work items of a `NoOtherMessage`'s instance
    /// satisfy it, given the ids the batch dequeues; other preconditions
    /// are not about the queue's messages.
    pub fn queue_holds<'a>(
        &self,
        queued: impl IntoIterator<Item = &'a WorkItem>,
        dequeued: &[WorkId],
    ) -> bool {
        let Precondition::NoOtherMessage {
            instance,
            ready_at_ms,
        } = self
        else {
            return true;
        };
        !queued.into_iter().any(|w| {
            matches!(w.kind, crate::work::WorkKind::Message(_))
                && w.instance_id() == instance
                && w.is_ready(*ready_at_ms)
                && !dequeued.contains(&w.id)
        })
    }

    /// The row is still `row`'s version of `row`'s incarnation.
    pub fn row_unchanged(row: &InstanceRecord) -> Self {
        Precondition::InstanceVersion {
            id: row.id.clone(),
            version: Some(row.version),
            incarnation: row.incarnation.clone(),
        }
    }

    /// There is no row for `id`.
    pub fn no_row(id: &InstanceId) -> Self {
        Precondition::InstanceVersion {
            id: id.clone(),
            version: None,
            incarnation: String::new(),
        }
    }

    /// Whether an instance row (`None`: absent) satisfies this
    /// `InstanceVersion` precondition; other preconditions are not about rows.
    pub fn row_holds(&self, row: Option<(u64, &str)>) -> bool {
        match self {
            Precondition::InstanceVersion {
                version,
                incarnation,
                ..
            } => match (row, version) {
                (None, None) => true,
                (Some((v, inc)), Some(expected)) => v == *expected && inc == incarnation,
                _ => false,
            },
            _ => true,
        }
    }
}

impl std::fmt::Display for Precondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v =
            |v: &Option<u64>| v.map_or_else(|| "absent".to_string(), |v| format!("version {v}"));
        match self {
            Precondition::InstanceVersion {
                id,
                version,
                incarnation,
            } if incarnation.is_empty() => write!(f, "instance {id} at {}", v(version)),
            Precondition::InstanceVersion {
                id,
                version,
                incarnation,
            } => write!(f, "instance {id} ({incarnation}) at {}", v(version)),
            Precondition::WorkExists { id } => write!(f, "work item {} still queued", id.0),
            Precondition::AppVersion {
                store,
                key,
                version,
            } => write!(f, "{store}/{key} at {}", v(version)),
            Precondition::AppStoreUnchanged { store, .. } => {
                write!(f, "{store} unchanged since it was read whole")
            }
            Precondition::NoOtherMessage { instance, .. } => {
                write!(f, "no other message queued for instance {instance}")
            }
        }
    }
}

/// One atomic change to the store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommitBatch {
    /// What must hold for the batch to commit; if one does not, nothing is
    /// written.
    pub preconditions: Vec<Precondition>,
    /// Instance rows to insert or replace.
    pub instances: Vec<InstanceRecord>,
    /// Histories to drop before appending (a restart or continue-as-new).
    pub clear_history: Vec<InstanceId>,
    /// Events to append to each instance's history, in order.
    pub append_history: Vec<(InstanceId, Vec<HistoryEvent>)>,
    /// Work items to queue; an id already queued refuses the batch.
    pub enqueue: Vec<WorkItem>,
    /// Work items to remove (consumed or cancelled); absent ones are ignored.
    pub dequeue: Vec<WorkId>,
    /// Writes to the app's own stores, journaled (all but forgets) as part of
    /// this commit.
    pub app_writes: Vec<AppWrite>,
    /// Instances to delete with their history and queued work.
    pub purge: Vec<InstanceId>,
    /// When the batch was made, by the committer's clock (ms): the time its
    /// journal entries carry.
    pub at_ms: u64,
}

impl CommitBatch {
    /// Whether the batch has nothing to check and nothing to write.
    pub fn is_empty(&self) -> bool {
        self.preconditions.is_empty()
            && self.instances.is_empty()
            && self.clear_history.is_empty()
            && self.append_history.is_empty()
            && self.enqueue.is_empty()
            && self.dequeue.is_empty()
            && self.app_writes.is_empty()
            && self.purge.is_empty()
    }

    /// Adds another batch's contents to this one (group commit).
    pub fn merge(&mut self, other: CommitBatch) {
        self.preconditions.extend(other.preconditions);
        self.instances.extend(other.instances);
        self.clear_history.extend(other.clear_history);
        self.append_history.extend(other.append_history);
        self.enqueue.extend(other.enqueue);
        self.dequeue.extend(other.dequeue);
        self.app_writes.extend(other.app_writes);
        self.purge.extend(other.purge);
        self.at_ms = self.at_ms.max(other.at_ms);
    }
}

/// What [`Store::read_then_commit`] reads before it decides: instance rows
/// and app records, by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reads {
    /// The instance rows to read, by id.
    pub instances: Vec<InstanceId>,
    /// `(store, key)` of each app record.
    pub app: Vec<(String, String)>,
}

/// What [`Store::read_then_commit`] read, in the order asked (`None`:
/// absent).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadValues {
    /// The rows read, one per id asked (`None`: no row).
    pub instances: Vec<Option<InstanceRecord>>,
    /// The app records read, one per `(store, key)` asked (`None`: absent).
    pub app: Vec<Option<AppRecord>>,
}

/// What a [`Store::read_then_commit`] decides from what it read: the batch
/// to commit, or `None` to commit nothing. It runs synchronously, once.
pub type Decide<'a> = dyn FnMut(&ReadValues) -> Option<CommitBatch> + 'a;

/// Filters for [`Store::query`]. Empty filters match everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceQuery {
    /// Only instances of this orchestration.
    #[serde(default)]
    pub name: Option<String>,
    /// Only instances in one of these statuses (empty: any status).
    #[serde(default)]
    pub statuses: Vec<RuntimeStatus>,
    /// Only instances created at or after this time (ms since the Unix epoch).
    #[serde(default)]
    pub created_from_ms: Option<u64>,
    /// Only instances created at or before this time (ms since the Unix epoch).
    #[serde(default)]
    pub created_to_ms: Option<u64>,
    /// Only instances whose id starts with this.
    #[serde(default)]
    pub id_prefix: Option<String>,
    /// Continue after this instance id (the previous page's token).
    #[serde(default)]
    pub after: Option<InstanceId>,
    /// Page size; 0 means no limit.
    #[serde(default)]
    pub page_size: usize,
}

impl InstanceQuery {
    /// The same filters, without paging.
    pub fn filters_of(query: &InstanceQuery) -> InstanceQuery {
        InstanceQuery {
            after: None,
            page_size: 0,
            ..query.clone()
        }
    }

    /// Whether a row passes the filters (paging aside).
    pub fn matches(&self, r: &InstanceRecord) -> bool {
        self.passes(&r.id, &r.name, r.status, r.created_ms)
    }

    /// The filters, over the fields they look at (a row's or a summary's).
    pub(crate) fn passes(
        &self,
        id: &InstanceId,
        name: &str,
        status: RuntimeStatus,
        created_ms: u64,
    ) -> bool {
        self.name.as_ref().is_none_or(|n| n == name)
            && (self.statuses.is_empty() || self.statuses.contains(&status))
            && self.created_from_ms.is_none_or(|t| created_ms >= t)
            && self.created_to_ms.is_none_or(|t| created_ms <= t)
            && self
                .id_prefix
                .as_ref()
                .is_none_or(|p| id.as_str().starts_with(p.as_str()))
    }

    /// Applies filters and paging to rows sorted by id.
    pub fn page(&self, rows_by_id: impl Iterator<Item = InstanceRecord>) -> InstancePage {
        let mut rows = rows_by_id
            .filter(|r| self.after.as_ref().is_none_or(|a| &r.id > a))
            .filter(|r| self.matches(r));
        let mut instances = Vec::new();
        let mut next = None;
        for r in rows.by_ref() {
            if self.page_size > 0 && instances.len() == self.page_size {
                next = instances.last().map(|l: &InstanceRecord| l.id.clone());
                break;
            }
            instances.push(r);
        }
        InstancePage {
            instances,
            continuation: next,
        }
    }
}

/// One page of a query, ordered by instance id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstancePage {
    /// The rows of this page, in id order.
    pub instances: Vec<InstanceRecord>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub continuation: Option<InstanceId>,
}

/// Storage failures, split by what the caller can do about them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A precondition failed: someone else changed the data first. Nothing
    /// was written; reload and decide again.
    #[error("commit refused, the data changed meanwhile: {0}")]
    Conflict(String),
    /// The storage is out of space; nothing was written.
    #[error("storage is full: {0}")]
    QuotaExceeded(String),
    /// A stored record could not be decoded.
    #[error("a stored record could not be decoded: {0}")]
    Corrupt(String),
    /// A stored record was written by a newer version of the app (it is of a
    /// kind this one does not know); reloading the page updates the app.
    #[error(
        "a stored record was written by a newer version of the app: {0}; reload the page to update"
    )]
    NewerRecord(String),
    /// The database's schema is newer than this app knows; reloading the page
    /// updates the app.
    #[error("the database was written by a newer version of the app (schema {found}, this app knows {supported}); reload the page to update")]
    NewerSchema {
        /// The schema version of the database.
        found: u32,
        /// The newest schema version this app knows.
        supported: u32,
    },
    /// A schema upgrade waits for another open tab of the app to close.
    #[error(
        "the database upgrade is blocked by another open tab; close the other tabs of the app"
    )]
    Blocked,
    /// The database connection is closed (as when a newer version of the app
    /// upgrades it from another tab).
    #[error("the database is closed: {0}")]
    Closed(String),
    /// Any other storage failure.
    #[error("storage error: {0}")]
    Other(String),
}

/// Persistence for the runtime. One implementation per medium: in memory
/// (tests, native) and IndexedDB (the browser). Every implementation must
/// pass the conformance suite in `durable::conformance`.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// The row of instance `id`, or `None` if there is none.
    async fn instance(&self, id: &InstanceId) -> Result<Option<InstanceRecord>, StoreError>;
    /// Several instance rows at once, in the order asked (a store may read
    /// them in one transaction).
    async fn instances(
        &self,
        ids: &[InstanceId],
    ) -> Result<Vec<Option<InstanceRecord>>, StoreError> {
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            rows.push(self.instance(id).await?);
        }
        Ok(rows)
    }
    /// The current execution's history, in event order.
    async fn history(&self, id: &InstanceId) -> Result<Vec<HistoryEvent>, StoreError>;
    /// Several histories at once, in the order asked.
    async fn histories(&self, ids: &[InstanceId]) -> Result<Vec<Vec<HistoryEvent>>, StoreError> {
        let mut all = Vec::with_capacity(ids.len());
        for id in ids {
            all.push(self.history(id).await?);
        }
        Ok(all)
    }
    /// Work items ready at `now_ms`, in the order they were enqueued.
    async fn ready_work(&self, now_ms: u64, limit: usize) -> Result<Vec<WorkItem>, StoreError>;
    /// The earliest due time of a queued item not yet ready at `now_ms`.
    async fn next_due(&self, now_ms: u64) -> Result<Option<u64>, StoreError>;
    /// The instances that pass `query`'s filters, in id order, one page at a
    /// time (see [`InstanceQuery::after`] and [`InstanceQuery::page_size`]).
    async fn query(&self, query: &InstanceQuery) -> Result<InstancePage, StoreError>;
    /// A page of the instances that pass `query`'s filters (its paging
    /// fields are ignored), sorted and sliced by `order`. This default reads
    /// every matching row; a store with summaries reads only the page's.
    async fn list(
        &self,
        query: &InstanceQuery,
        order: &ListOrder,
    ) -> Result<InstanceList, StoreError> {
        let rows = self
            .query(&InstanceQuery::filters_of(query))
            .await?
            .instances;
        let (ids, total) = order.arrange(query, rows.iter().map(InstanceSummary::of));
        let more = order.offset + ids.len() < total;
        let mut by_id: std::collections::HashMap<InstanceId, InstanceRecord> =
            rows.into_iter().map(|r| (r.id.clone(), r)).collect();
        Ok(InstanceList {
            rows: ids.iter().filter_map(|id| by_id.remove(id)).collect(),
            more,
        })
    }
    /// How many instances pass `query`'s filters (its paging fields are
    /// ignored).
    async fn count(&self, query: &InstanceQuery) -> Result<usize, StoreError> {
        Ok(self
            .query(&InstanceQuery::filters_of(query))
            .await?
            .instances
            .len())
    }
    /// The summary of every instance matching the query's filters (its
    /// paging ignored), in id order: what a chart of all matches reads.
    async fn summaries(&self, query: &InstanceQuery) -> Result<Vec<InstanceSummary>, StoreError> {
        Ok(self
            .query(&InstanceQuery::filters_of(query))
            .await?
            .instances
            .iter()
            .map(InstanceSummary::of)
            .collect())
    }
    /// The record of `store` at `key`, or `None` if there is none.
    async fn app_record(&self, store: &str, key: &str) -> Result<Option<AppRecord>, StoreError>;
    /// Several app records at once, in the order asked, `(store, key)` each
    /// (a store may read them in one transaction).
    async fn app_records_at(
        &self,
        keys: &[(&str, &str)],
    ) -> Result<Vec<Option<AppRecord>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for (store, key) in keys {
            out.push(self.app_record(store, key).await?);
        }
        Ok(out)
    }
    /// All records of an app store, ordered by key.
    async fn app_records(&self, store: &str) -> Result<Vec<AppRecord>, StoreError>;
    /// The journal of the records of `store` whose keys start with
    /// `prefix`, in version order.
    async fn journal(&self, store: &str, prefix: &str) -> Result<Vec<JournalEntry>, StoreError>;
    /// Several journals, `(store, prefix)` each, read at one moment (one
    /// transaction on IndexedDB), so no commit is half in them.
    async fn journals(&self, asked: &[(&str, &str)]) -> Result<Vec<Vec<JournalEntry>>, StoreError> {
        let mut out = Vec::with_capacity(asked.len());
        for (store, prefix) in asked {
            out.push(self.journal(store, prefix).await?);
        }
        Ok(out)
    }
    /// Applies the batch atomically; [`StoreError::Conflict`] if a
    /// precondition fails, in which case nothing is written.
    async fn commit(&self, batch: CommitBatch) -> Result<(), StoreError>;

    /// Reads `reads`, lets `decide` make a batch of them, and commits it, as
    /// one atomic step: nothing read can change before the batch commits.
    /// Returns whether a batch was committed. A store that can read and
    /// write in one transaction does so (IndexedDB, memory); this default
    /// reads in one step and commits in another, so the batch must carry
    /// preconditions on whatever its decision relies on (as every batch the
    /// runtime and the client build does).
    async fn read_then_commit(
        &self,
        reads: &Reads,
        decide: &mut Decide<'_>,
    ) -> Result<bool, StoreError> {
        let ids: Vec<InstanceId> = reads.instances.clone();
        let keys: Vec<(&str, &str)> = reads
            .app
            .iter()
            .map(|(s, k)| (s.as_str(), k.as_str()))
            .collect();
        let values = ReadValues {
            instances: self.instances(&ids).await?,
            app: self.app_records_at(&keys).await?,
        };
        let Some(batch) = decide(&values) else {
            return Ok(false);
        };
        self.commit(batch).await?;
        Ok(true)
    }
}

/// Zero-padded key for the n-th appended record, so keys sort numerically.
pub fn append_key(n: u64) -> String {
    format!("{n:012}")
}
