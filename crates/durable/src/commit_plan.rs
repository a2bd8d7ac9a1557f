//! The commit plan: what a batch asks a store to check, decided from the
//! batch alone, and whether each check holds given what the store found.
//!
//! Pure: both stores (memory, IndexedDB) build the same plan and ask it the
//! same questions, so a precondition means one thing everywhere and its
//! refusal reads the same. A store only fetches what a [`CheckRead`] names
//! and executes the writes. This module must never do I/O.

use crate::instance::InstanceId;
use crate::store::{CommitBatch, Precondition, ReadValues, Reads, StoreError};
use crate::work::{WorkId, WorkItem};

/// What a store must read to check one precondition.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckRead {
    /// An instance row's version and incarnation.
    Row(InstanceId),
    /// Whether a work item is queued.
    WorkItem(WorkId),
    /// An app record's version.
    AppRecord {
        /// The app store holding the record.
        store: String,
        /// The record's key.
        key: String,
    },
    /// Every (key, version) of an app store, as its digest.
    AppStore(String),
    /// Every queued work item of an instance.
    QueueOf(InstanceId),
}

/// What the store found for a [`CheckRead`], before the batch's writes.
#[derive(Clone, Debug, PartialEq)]
pub enum Found<'a> {
    /// `(version, incarnation)`, or `None`: no row.
    Row(Option<(u64, &'a str)>),
    /// Whether the work item is queued.
    WorkQueued(bool),
    /// The record's version, or `None`: absent.
    AppVersion(Option<u64>),
    /// The digest of the store's (key, version) pairs now.
    AppStore(u64),
    /// Every work item queued for the instance.
    QueueOf(&'a [WorkItem]),
}

/// A batch, validated, with the checks it needs.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitPlan {
    /// The batch to commit, validated by [`CommitPlan::new`].
    pub batch: CommitBatch,
}

impl CommitPlan {
    /// Validates what can be known from the batch alone: a work item is
    /// enqueued at most once, and not both taken and queued.
    pub fn new(batch: CommitBatch) -> Result<CommitPlan, StoreError> {
        let mut enqueued = std::collections::HashSet::new();
        if let Some(twice) = batch.enqueue.iter().find(|w| !enqueued.insert(&w.id)) {
            return Err(StoreError::Conflict(format!(
                "work item {} is enqueued twice in one commit",
                twice.id.0
            )));
        }
        if let Some(taken) = batch.dequeue.iter().find(|id| enqueued.contains(id)) {
            return Err(StoreError::Conflict(format!(
                "work item {} is both taken and queued in one commit",
                taken.0
            )));
        }
        Ok(CommitPlan { batch })
    }

    /// The reads the checks need, one per precondition, in order.
    pub fn reads(&self) -> Vec<CheckRead> {
        self.batch.preconditions.iter().map(read_of).collect()
    }

    /// Whether `p` (one of this batch's preconditions) holds, given what
    /// its read found before the batch's writes; a conflict naming it if
    /// not.
    pub fn check(&self, p: &Precondition, found: Found<'_>) -> Result<(), StoreError> {
        if p.holds(found, &self.batch.dequeue) {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!("{p} no longer holds")))
        }
    }
}

impl CommitPlan {
    /// Drops the preconditions that `values`, read by the same transaction
    /// that commits this plan, already vouch for (a row or app record at
    /// the version read): they hold by construction, and checking them
    /// again would only cost requests.
    pub fn drop_checks_read_in(&mut self, reads: &Reads, values: &ReadValues) {
        let row_read = |id: &InstanceId| {
            let at = reads.instances.iter().position(|r| r == id)?;
            values.instances.get(at)
        };
        let record_read = |store: &str, key: &str| {
            let at = reads.app.iter().position(|(s, k)| s == store && k == key)?;
            values.app.get(at)
        };
        self.batch.preconditions.retain(|p| match p {
            Precondition::InstanceVersion { id, .. } => !row_read(id).is_some_and(|row| {
                p.row_holds(row.as_ref().map(|r| (r.version, r.incarnation.as_str())))
            }),
            Precondition::AppVersion {
                store,
                key,
                version,
            } => record_read(store, key).is_none_or(|r| r.as_ref().map(|r| r.version) != *version),
            _ => true,
        });
    }
}

/// The read that checks `p`.
pub fn read_of(p: &Precondition) -> CheckRead {
    match p {
        Precondition::InstanceVersion { id, .. } => CheckRead::Row(id.clone()),
        Precondition::WorkExists { id } => CheckRead::WorkItem(id.clone()),
        Precondition::AppVersion { store, key, .. } => CheckRead::AppRecord {
            store: store.clone(),
            key: key.clone(),
        },
        Precondition::AppStoreUnchanged { store, .. } => CheckRead::AppStore(store.clone()),
        Precondition::NoOtherMessage { instance, .. } => CheckRead::QueueOf(instance.clone()),
    }
}

impl Precondition {
    /// Whether this precondition holds given `found`, what its
    /// [`read_of`] found (a read of another kind never vouches for it),
    /// with `dequeued` the ids its batch takes.
    pub fn holds(&self, found: Found<'_>, dequeued: &[WorkId]) -> bool {
        match (self, found) {
            (Precondition::InstanceVersion { .. }, Found::Row(row)) => self.row_holds(row),
            (Precondition::WorkExists { .. }, Found::WorkQueued(queued)) => queued,
            (Precondition::AppVersion { version, .. }, Found::AppVersion(now)) => now == *version,
            (Precondition::AppStoreUnchanged { digest, .. }, Found::AppStore(now)) => {
                now == *digest
            }
            (Precondition::NoOtherMessage { .. }, Found::QueueOf(items)) => {
                self.queue_holds(items, dequeued)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::work::Message;

    fn msg(id: &str, instance: &str, due_ms: Option<u64>) -> WorkItem {
        WorkItem::message(
            WorkId(id.into()),
            Message {
                due_ms,
                ..Message::raised(&InstanceId::new(instance), "E", json!(null), None)
            },
        )
    }

    fn plan(preconditions: Vec<Precondition>, dequeue: &[&str]) -> CommitPlan {
        CommitPlan::new(CommitBatch {
            preconditions,
            dequeue: dequeue.iter().map(|d| WorkId(d.to_string())).collect(),
            ..Default::default()
        })
        .expect("a valid batch")
    }

    /// Each precondition kind: the read it names, that it holds on what it
    /// expects, and is refused (as a conflict) on anything else.
    #[test]
    fn every_precondition_kind_holds_on_what_it_expects_only() {
        let id = InstanceId::new("i");
        let row = Precondition::InstanceVersion {
            id: id.clone(),
            version: Some(4),
            incarnation: "life".into(),
        };
        let work = Precondition::WorkExists {
            id: WorkId("w".into()),
        };
        let record = Precondition::AppVersion {
            store: "s".into(),
            key: "k".into(),
            version: Some(2),
        };
        let whole = Precondition::AppStoreUnchanged {
            store: "s".into(),
            digest: 77,
        };
        let alone = Precondition::NoOtherMessage {
            instance: id.clone(),
            ready_at_ms: 100,
        };
        let p = plan(
            vec![
                row.clone(),
                work.clone(),
                record.clone(),
                whole.clone(),
                alone.clone(),
            ],
            &["taken"],
        );
        assert_eq!(
            p.reads(),
            vec![
                CheckRead::Row(id.clone()),
                CheckRead::WorkItem(WorkId("w".into())),
                CheckRead::AppRecord {
                    store: "s".into(),
                    key: "k".into()
                },
                CheckRead::AppStore("s".into()),
                CheckRead::QueueOf(id.clone()),
            ]
        );
        let ok = |p_: &Precondition, f: Found| p.check(p_, f).is_ok();
        assert!(ok(&row, Found::Row(Some((4, "life")))));
        assert!(!ok(&row, Found::Row(Some((5, "life")))));
        assert!(!ok(&row, Found::Row(Some((4, "another life")))));
        assert!(!ok(&row, Found::Row(None)));
        assert!(ok(&Precondition::no_row(&id), Found::Row(None)));
        assert!(!ok(&Precondition::no_row(&id), Found::Row(Some((0, "")))));
        assert!(ok(&work, Found::WorkQueued(true)));
        assert!(!ok(&work, Found::WorkQueued(false)));
        assert!(ok(&record, Found::AppVersion(Some(2))));
        assert!(!ok(&record, Found::AppVersion(Some(3))));
        assert!(!ok(&record, Found::AppVersion(None)));
        assert!(ok(&whole, Found::AppStore(77)));
        assert!(!ok(&whole, Found::AppStore(78)));
        let taken = [msg("taken", "i", None), msg("later", "i", Some(500))];
        assert!(ok(&alone, Found::QueueOf(&taken)), "taken, or not due");
        let waiting = [msg("first", "i", None)];
        assert!(!ok(&alone, Found::QueueOf(&waiting)));
        let theirs = [msg("first", "other", None)];
        assert!(ok(&alone, Found::QueueOf(&theirs)));
        // A read of another kind never vouches for a precondition.
        assert!(!ok(&row, Found::WorkQueued(true)));
        assert!(!ok(&record, Found::AppStore(2)));
        let refused = p.check(&record, Found::AppVersion(None));
        assert_eq!(
            refused,
            Err(StoreError::Conflict(
                "s/k at version 2 no longer holds".into()
            ))
        );
    }

    /// Checks of what the same transaction read, at the version read, are
    /// dropped; a check of another version, or of what was not read, stays.
    #[test]
    fn checks_vouched_for_by_the_transactions_own_reads_are_dropped() {
        use crate::instance::InstanceRecord;
        use crate::store::AppRecord;
        let mut row = InstanceRecord::pending(InstanceId::new("i"), "O", json!(null), 0);
        row.version = 3;
        let record = AppRecord {
            store: "s".into(),
            key: "k".into(),
            value: json!(1),
            version: 7,
        };
        let reads = Reads {
            instances: vec![InstanceId::new("i"), InstanceId::new("absent")],
            app: vec![("s".into(), "k".into())],
        };
        let values = ReadValues {
            instances: vec![Some(row.clone()), None],
            app: vec![Some(record)],
        };
        let at = |key: &str, version| Precondition::AppVersion {
            store: "s".into(),
            key: key.into(),
            version,
        };
        let mut p = plan(
            vec![
                Precondition::row_unchanged(&row),
                Precondition::no_row(&InstanceId::new("absent")),
                at("k", Some(7)),
                at("k", Some(6)),
                at("unread", Some(7)),
                Precondition::no_row(&InstanceId::new("i")),
                Precondition::WorkExists {
                    id: WorkId("w".into()),
                },
            ],
            &[],
        );
        p.drop_checks_read_in(&reads, &values);
        assert_eq!(
            p.batch.preconditions,
            vec![
                at("k", Some(6)),
                at("unread", Some(7)),
                Precondition::no_row(&InstanceId::new("i")),
                Precondition::WorkExists {
                    id: WorkId("w".into())
                },
            ]
        );
    }

    #[test]
    fn a_work_item_enqueued_twice_or_taken_and_queued_is_refused() {
        let twice = CommitPlan::new(CommitBatch {
            enqueue: vec![msg("w", "i", None), msg("w", "i", None)],
            ..Default::default()
        });
        assert!(matches!(twice, Err(StoreError::Conflict(m)) if m.contains("enqueued twice")));
        let both = CommitPlan::new(CommitBatch {
            enqueue: vec![msg("w", "i", None)],
            dequeue: vec![WorkId("w".into())],
            ..Default::default()
        });
        assert!(
            matches!(both, Err(StoreError::Conflict(m)) if m.contains("both taken and queued"))
        );
        let distinct = CommitPlan::new(CommitBatch {
            enqueue: vec![msg("a", "i", None), msg("b", "i", None)],
            dequeue: vec![WorkId("c".into())],
            ..Default::default()
        });
        assert!(distinct.is_ok());
    }
}
