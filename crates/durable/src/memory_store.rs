//! An in-memory [`Store`]: for native tests, simulations and benchmarks.
//!
//! Owns its maps behind a `RefCell`; a commit checks every precondition before
//! it writes anything, so it is atomic. It can fail the next commits on
//! purpose ([`InMemoryStore::fail_next_commits`]) to test aborted turns. Clones
//! share the same data, like two connections to one database.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::commit_plan::{read_of, CheckRead, CommitPlan, Found};
use crate::history::HistoryEvent;
use crate::instance::{InstanceId, InstanceRecord};
use crate::store::{
    app_store_digest, append_key, AppRecord, AppWrite, CommitBatch, Decide, InstancePage,
    InstanceQuery, JournalEntry, Precondition, ReadValues, Reads, Store, StoreError,
};
use crate::work::{WorkId, WorkItem, NEVER_MS};

#[derive(Default)]
struct Data {
    instances: BTreeMap<InstanceId, InstanceRecord>,
    histories: HashMap<InstanceId, Vec<HistoryEvent>>,
    /// Work in enqueue order: sequence number → item.
    work: BTreeMap<u64, WorkItem>,
    work_index: HashMap<WorkId, u64>,
    next_work_seq: u64,
    app: BTreeMap<(String, String), AppRecord>,
    /// One sequence for append keys and record versions.
    write_seq: u64,
    /// `(store, key, version)` → the journal entry.
    journal: BTreeMap<(String, String, u64), JournalEntry>,
    fail_commits: usize,
    conflict_commits: usize,
    fail_reads: usize,
    /// App reads complete on a later poll, as IndexedDB's do.
    deferred_reads: bool,
    commits: u64,
}

/// A shared, cloneable in-memory store.
#[derive(Clone, Default)]
pub struct InMemoryStore {
    data: Rc<RefCell<Data>>,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next `n` commits fail with a storage error, writing nothing.
    pub fn fail_next_commits(&self, n: usize) {
        self.data.borrow_mut().fail_commits = n;
    }

    /// Makes the next `n` commits be refused as conflicts, writing nothing
    /// (what a commit sees when another tab or the workflows changed what it
    /// read).
    pub fn conflict_next_commits(&self, n: usize) {
        self.data.borrow_mut().conflict_commits = n;
    }

    /// Makes the next `n` reads of app records fail with a storage error
    /// (what an activity sees when IndexedDB fails under it).
    pub fn fail_next_reads(&self, n: usize) {
        self.data.borrow_mut().fail_reads = n;
    }

    /// Makes every read of an app record complete one poll after it read
    /// the record, as an IndexedDB read completes on a later turn of the
    /// event loop: a tick waiting on an activity's read can then be paused
    /// from a test, between the read and the commit.
    pub fn defer_app_reads(&self, on: bool) {
        self.data.borrow_mut().deferred_reads = on;
    }

    /// Waits one poll when app reads are deferred.
    async fn app_read_latency(&self) {
        let deferred = self.data.borrow().deferred_reads;
        if deferred {
            crate::combinators::yield_now().await;
        }
    }

    /// Consumes one injected read failure, if any is left.
    fn injected_read_failure(&self) -> Result<(), StoreError> {
        let mut data = self.data.borrow_mut();
        if data.fail_reads > 0 {
            data.fail_reads -= 1;
            return Err(StoreError::Other("injected read failure".into()));
        }
        Ok(())
    }

    /// Number of successful commits so far.
    pub fn commit_count(&self) -> u64 {
        self.data.borrow().commits
    }

    /// Number of queued work items.
    pub fn queued_work(&self) -> usize {
        self.data.borrow().work.len()
    }

    /// Checks one precondition of `plan` against the data as it is.
    fn check(data: &Data, plan: &CommitPlan, p: &Precondition) -> Result<(), StoreError> {
        let queue: Vec<WorkItem>;
        let found = match read_of(p) {
            CheckRead::Row(id) => Found::Row(
                data.instances
                    .get(&id)
                    .map(|r| (r.version, r.incarnation.as_str())),
            ),
            CheckRead::WorkItem(id) => Found::WorkQueued(data.work_index.contains_key(&id)),
            CheckRead::AppRecord { store, key } => {
                Found::AppVersion(data.app.get(&(store, key)).map(|r| r.version))
            }
            CheckRead::AppStore(store) => Found::AppStore(app_store_digest(
                data.app
                    .range((store.clone(), String::new())..)
                    .take_while(|((s, _), _)| *s == store)
                    .map(|((_, k), r)| (k.as_str(), r.version)),
            )),
            CheckRead::QueueOf(instance) => {
                queue = data
                    .work
                    .values()
                    .filter(|w| *w.instance_id() == instance)
                    .cloned()
                    .collect();
                Found::QueueOf(&queue)
            }
        };
        plan.check(p, found)
    }
}

impl Store for InMemoryStore {
    async fn instance(&self, id: &InstanceId) -> Result<Option<InstanceRecord>, StoreError> {
        Ok(self.data.borrow().instances.get(id).cloned())
    }

    async fn history(&self, id: &InstanceId) -> Result<Vec<HistoryEvent>, StoreError> {
        Ok(self
            .data
            .borrow()
            .histories
            .get(id)
            .cloned()
            .unwrap_or_default())
    }

    async fn ready_work(&self, now_ms: u64, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        Ok(self
            .data
            .borrow()
            .work
            .values()
            .filter(|w| w.is_ready(now_ms))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn next_due(&self, now_ms: u64) -> Result<Option<u64>, StoreError> {
        Ok(self
            .data
            .borrow()
            .work
            .values()
            .filter_map(WorkItem::due_ms)
            .filter(|d| *d > now_ms && *d != NEVER_MS)
            .min())
    }

    async fn query(&self, query: &InstanceQuery) -> Result<InstancePage, StoreError> {
        let data = self.data.borrow();
        Ok(query.page(data.instances.values().cloned()))
    }

    async fn app_record(&self, store: &str, key: &str) -> Result<Option<AppRecord>, StoreError> {
        self.injected_read_failure()?;
        let record = self
            .data
            .borrow()
            .app
            .get(&(store.to_string(), key.to_string()))
            .cloned();
        self.app_read_latency().await;
        Ok(record)
    }

    async fn app_records(&self, store: &str) -> Result<Vec<AppRecord>, StoreError> {
        self.injected_read_failure()?;
        Ok(self
            .data
            .borrow()
            .app
            .range((store.to_string(), String::new())..)
            .take_while(|((s, _), _)| s == store)
            .map(|(_, r)| r.clone())
            .collect())
    }

    async fn journal(&self, store: &str, prefix: &str) -> Result<Vec<JournalEntry>, StoreError> {
        self.injected_read_failure()?;
        let mut entries: Vec<JournalEntry> = self
            .data
            .borrow()
            .journal
            .range((store.to_string(), prefix.to_string(), 0)..)
            .take_while(|((s, k, _), _)| s == store && k.starts_with(prefix))
            .map(|(_, e)| e.clone())
            .collect();
        entries.sort_by_key(|e| e.version);
        Ok(entries)
    }

    /// Atomic by construction: nothing else runs between the read, the
    /// decision and the commit, which awaits nothing.
    async fn read_then_commit(
        &self,
        reads: &Reads,
        decide: &mut Decide<'_>,
    ) -> Result<bool, StoreError> {
        if !reads.app.is_empty() {
            self.injected_read_failure()?;
        }
        let values = {
            let data = self.data.borrow();
            ReadValues {
                instances: reads
                    .instances
                    .iter()
                    .map(|id| data.instances.get(id).cloned())
                    .collect(),
                app: reads
                    .app
                    .iter()
                    .map(|(s, k)| data.app.get(&(s.clone(), k.clone())).cloned())
                    .collect(),
            }
        };
        let Some(batch) = decide(&values) else {
            return Ok(false);
        };
        self.commit(batch).await?;
        Ok(true)
    }

    async fn commit(&self, batch: CommitBatch) -> Result<(), StoreError> {
        let mut data = self.data.borrow_mut();
        if data.fail_commits > 0 {
            data.fail_commits -= 1;
            return Err(StoreError::Other("injected commit failure".into()));
        }
        if data.conflict_commits > 0 {
            data.conflict_commits -= 1;
            return Err(StoreError::Conflict("injected conflict".into()));
        }
        let plan = CommitPlan::new(batch)?;
        for p in &plan.batch.preconditions {
            Self::check(&data, &plan, p)?;
        }
        // A work item exists once: one already queued is refused.
        if let Some(item) = plan
            .batch
            .enqueue
            .iter()
            .find(|w| data.work_index.contains_key(&w.id))
        {
            return Err(StoreError::Conflict(format!(
                "work item {} is already queued",
                item.id.0
            )));
        }
        let batch = plan.batch;
        let data = &mut *data;
        for id in &batch.purge {
            data.instances.remove(id);
            data.histories.remove(id);
            let gone: Vec<u64> = data
                .work
                .iter()
                .filter(|(_, w)| w.instance_id() == id)
                .map(|(k, _)| *k)
                .collect();
            for k in gone {
                if let Some(w) = data.work.remove(&k) {
                    data.work_index.remove(&w.id);
                }
            }
        }
        for id in &batch.clear_history {
            data.histories.remove(id);
        }
        for (id, events) in batch.append_history {
            data.histories.entry(id).or_default().extend(events);
        }
        for r in batch.instances {
            data.instances.insert(r.id.clone(), r);
        }
        for id in &batch.dequeue {
            if let Some(seq) = data.work_index.remove(id) {
                data.work.remove(&seq);
            }
        }
        for item in batch.enqueue {
            let seq = data.next_work_seq;
            data.next_work_seq += 1;
            data.work_index.insert(item.id.clone(), seq);
            data.work.insert(seq, item);
        }
        for w in &batch.app_writes {
            if let AppWrite::Forget { store, key, prefix } = w {
                forget(data, store, key, *prefix);
            }
        }
        // Versions come from one store-wide sequence, so a record deleted
        // and written again never repeats one.
        let commit = data.write_seq + 1;
        for w in batch.app_writes {
            let (store, key, value) = match w {
                AppWrite::Put { store, key, value } => (store, key, Some(value)),
                AppWrite::Delete { store, key } => (store, key, None),
                AppWrite::Append { store, value } => {
                    (store, append_key(data.write_seq + 1), Some(value))
                }
                AppWrite::Forget { .. } => continue,
            };
            data.write_seq += 1;
            let version = data.write_seq;
            let k = (store.clone(), key.clone());
            match &value {
                Some(value) => {
                    let record = AppRecord {
                        store: store.clone(),
                        key: key.clone(),
                        value: value.clone(),
                        version,
                    };
                    data.app.insert(k, record);
                }
                None => {
                    data.app.remove(&k);
                }
            }
            let entry = JournalEntry {
                store: store.clone(),
                key: key.clone(),
                version,
                commit,
                at_ms: batch.at_ms,
                value,
            };
            data.journal.insert((store, key, version), entry);
        }
        data.commits += 1;
        Ok(())
    }
}

/// Deletes the record of `store` at `key` (with `prefix`, every record
/// whose key starts with it), and their journal.
fn forget(data: &mut Data, store: &str, key: &str, prefix: bool) {
    let under = |s: &String, k: &String| s == store && (k == key || prefix && k.starts_with(key));
    data.app.retain(|(s, k), _| !under(s, k));
    data.journal.retain(|(s, k, _), _| !under(s, k));
}
