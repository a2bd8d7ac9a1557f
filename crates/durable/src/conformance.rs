//! The Store conformance suite, written once against the [`Store`] trait.
//!
//! Run natively on [`crate::InMemoryStore`] and in the browser on the
//! IndexedDB store: every implementation must pass it unchanged. Each check
//! takes a fresh, empty store and panics (fails the test) on a violation.

use std::future::Future;

use serde_json::json;

use crate::history::{EventKind, HistoryEvent};
use crate::instance::{InstanceId, InstanceRecord, RuntimeStatus};
use crate::listing::{ListOrder, SortColumn};
use crate::store::{AppWrite, CommitBatch, InstanceQuery, Precondition, Store, StoreError};
use crate::work::{ActivityTask, Message, WorkId, WorkItem, NEVER_MS};

fn row(id: &str, name: &str, status: RuntimeStatus, created: u64) -> InstanceRecord {
    let mut r = InstanceRecord::pending(InstanceId::new(id), name, json!({"id": id}), created);
    r.status = status;
    r
}

fn event(id: u64, kind: EventKind) -> HistoryEvent {
    HistoryEvent {
        event_id: id,
        timestamp_ms: 1000 + id,
        kind,
    }
}

fn msg(id: &str, instance: &str, due: Option<u64>) -> WorkItem {
    WorkItem::message(
        WorkId(id.to_string()),
        Message {
            execution: Some(0),
            due_ms: due,
            ..Message::raised(&InstanceId::new(instance), id, json!(null), None)
        },
    )
}

fn task(id: &str, instance: &str) -> WorkItem {
    WorkItem::activity(
        WorkId(id.to_string()),
        ActivityTask {
            instance_id: InstanceId::new(instance),
            execution: 0,
            incarnation: String::new(),
            scheduled_id: 1,
            name: "A".into(),
            input: json!(1),
            timeout_ms: None,
        },
    )
}

async fn commit<S: Store>(s: &S, b: CommitBatch) {
    if let Err(e) = s.commit(b).await {
        panic!("commit failed: {e}");
    }
}

/// Commits a batch of app writes only.
async fn write<S: Store>(s: &S, writes: Vec<AppWrite>) {
    commit(
        s,
        CommitBatch {
            app_writes: writes,
            ..Default::default()
        },
    )
    .await;
}

/// Instance rows and histories round-trip; history keeps order and clears.
pub async fn instances_and_history<S: Store>(s: S) {
    let id = InstanceId::new("a");
    assert_eq!(s.instance(&id).await.unwrap(), None);
    let mut r = row("a", "Orch", RuntimeStatus::Running, 5);
    r.orchestration_version = Some(2);
    let h = vec![
        event(0, EventKind::OrchestratorStarted),
        event(
            1,
            EventKind::ExecutionStarted {
                name: "Orch".into(),
                input: json!([1, "two"]),
                parent: None,
                execution: 0,
                incarnation: "0123456789ab".into(),
                version: Some(2),
                restarted: Some("restarted by a test".into()),
            },
        ),
        event(2, EventKind::TimerCreated { fire_at_ms: 99 }),
    ];
    commit(
        &s,
        CommitBatch {
            instances: vec![r.clone()],
            append_history: vec![(id.clone(), h[..2].to_vec())],
            ..Default::default()
        },
    )
    .await;
    commit(
        &s,
        CommitBatch {
            append_history: vec![(id.clone(), h[2..].to_vec())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(s.instance(&id).await.unwrap(), Some(r));
    assert_eq!(s.history(&id).await.unwrap(), h);
    commit(
        &s,
        CommitBatch {
            clear_history: vec![id.clone()],
            append_history: vec![(id.clone(), vec![h[0].clone()])],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(s.history(&id).await.unwrap(), vec![h[0].clone()]);
}

/// Work is returned in enqueue order; timers only once due; dequeue removes.
/// (Work ids are unique by construction — derived from the instance,
/// execution and event id, and a turn's commit is guarded by the row
/// version — so a store need not check them.)
pub async fn work_queue<S: Store>(s: S) {
    commit(
        &s,
        CommitBatch {
            enqueue: vec![
                msg("m1", "a", None),
                msg("t1", "a", Some(500)),
                task("k1", "b"),
                msg("m2", "b", None),
                msg("t2", "b", Some(300)),
            ],
            ..Default::default()
        },
    )
    .await;
    commit(
        &s,
        CommitBatch {
            enqueue: vec![msg("m3", "a", None)],
            ..Default::default()
        },
    )
    .await;
    let ids = |w: Vec<WorkItem>| w.into_iter().map(|w| w.id.0).collect::<Vec<_>>();
    assert_eq!(
        ids(s.ready_work(0, 100).await.unwrap()),
        ["m1", "k1", "m2", "m3"]
    );
    assert_eq!(ids(s.ready_work(0, 2).await.unwrap()), ["m1", "k1"]);
    assert_eq!(s.next_due(0).await.unwrap(), Some(300));
    assert_eq!(
        ids(s.ready_work(300, 100).await.unwrap()),
        ["m1", "k1", "m2", "t2", "m3"]
    );
    assert_eq!(s.next_due(300).await.unwrap(), Some(500));
    commit(
        &s,
        CommitBatch {
            dequeue: vec![
                WorkId("m1".into()),
                WorkId("t2".into()),
                WorkId("nope".into()),
            ],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        ids(s.ready_work(1000, 100).await.unwrap()),
        ["t1", "k1", "m2", "m3"]
    );
    let k1 = s
        .ready_work(0, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.id.0 == "k1");
    assert_eq!(k1, Some(task("k1", "b")));
}

/// A timer due at [`NEVER_MS`] never falls due: it is not the next due time
/// (a host would arm a browser timer for it) and no time makes it ready,
/// not even the last one.
pub async fn never_is_never_due<S: Store>(s: S) {
    commit(
        &s,
        CommitBatch {
            enqueue: vec![
                msg("never", "a", Some(NEVER_MS)),
                msg("late", "a", Some(NEVER_MS - 1)),
                msg("soon", "a", Some(100)),
            ],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(s.next_due(0).await.unwrap(), Some(100));
    let ids = |w: Vec<WorkItem>| w.into_iter().map(|w| w.id.0).collect::<Vec<_>>();
    for now in [NEVER_MS - 1, NEVER_MS] {
        let ready = ids(s.ready_work(now, 100).await.unwrap());
        assert!(!ready.contains(&"never".to_string()), "{ready:?} at {now}");
        assert!(ready.contains(&"soon".to_string()), "{ready:?} at {now}");
    }
    commit(
        &s,
        CommitBatch {
            dequeue: vec![WorkId("soon".into()), WorkId("late".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(s.next_due(0).await.unwrap(), None);
}

/// A work item exists once: a batch that enqueues one id twice, or an id
/// that is already queued, is refused with a conflict and writes nothing.
pub async fn work_ids_are_unique<S: Store>(s: S) {
    let refused = |r: Result<(), StoreError>, what: &str| {
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "{what}: expected a conflict, got {r:?}"
        );
    };
    let twice = CommitBatch {
        instances: vec![row("w", "O", RuntimeStatus::Pending, 1)],
        enqueue: vec![msg("dup", "w", None), msg("dup", "w", None)],
        ..Default::default()
    };
    refused(s.commit(twice).await, "one id twice in one batch");
    assert!(
        s.ready_work(0, 10).await.unwrap().is_empty(),
        "nothing queued"
    );
    assert_eq!(s.instance(&InstanceId::new("w")).await.unwrap(), None);
    commit(
        &s,
        CommitBatch {
            enqueue: vec![msg("once", "w", None)],
            ..Default::default()
        },
    )
    .await;
    let again = CommitBatch {
        instances: vec![row("w", "O", RuntimeStatus::Pending, 1)],
        enqueue: vec![msg("other", "w", None), msg("once", "w", None)],
        ..Default::default()
    };
    refused(s.commit(again).await, "an id that is already queued");
    let taken_and_queued = CommitBatch {
        dequeue: vec![WorkId("once".into())],
        enqueue: vec![msg("once", "w", None)],
        ..Default::default()
    };
    refused(
        s.commit(taken_and_queued).await,
        "an id taken and queued in one batch",
    );
    let ids: Vec<String> = s
        .ready_work(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.id.0)
        .collect();
    assert_eq!(ids, ["once"], "the refused batch wrote nothing");
    assert_eq!(s.instance(&InstanceId::new("w")).await.unwrap(), None);
}

/// A whole-store read's guard holds while the store is unchanged and
/// refuses the batch after an append, a put or a delete in that store.
pub async fn whole_store_reads<S: Store>(s: S) {
    let append = |line: &str| AppWrite::Append {
        store: "log".into(),
        value: json!(line),
    };
    let digest_now = |records: Vec<crate::store::AppRecord>| {
        crate::store::app_store_digest(records.iter().map(|r| (r.key.as_str(), r.version)))
    };
    write(&s, vec![append("one")]).await;
    let guard = Precondition::AppStoreUnchanged {
        store: "log".into(),
        digest: digest_now(s.app_records("log").await.unwrap()),
    };
    let guarded = |line: &str| CommitBatch {
        preconditions: vec![guard.clone()],
        app_writes: vec![append(line)],
        ..Default::default()
    };
    commit(&s, guarded("two")).await; // unchanged since the read: it holds
    let r = s.commit(guarded("three")).await;
    assert!(
        matches!(r, Err(StoreError::Conflict(_))),
        "an append since the read must conflict, got {r:?}"
    );
    let lines = s.app_records("log").await.unwrap().len();
    assert_eq!(lines, 2, "the refused batch appended nothing");
    // An unrelated store does not count; a put in the read store does.
    let guard = Precondition::AppStoreUnchanged {
        store: "log".into(),
        digest: digest_now(s.app_records("log").await.unwrap()),
    };
    let other = AppWrite::Put {
        store: "other".into(),
        key: "k".into(),
        value: json!(1),
    };
    write(&s, vec![other]).await;
    let key = s.app_records("log").await.unwrap()[0].key.clone();
    commit(
        &s,
        CommitBatch {
            preconditions: vec![guard.clone()],
            app_writes: vec![AppWrite::Put {
                store: "log".into(),
                key,
                value: json!("one, edited"),
            }],
            ..Default::default()
        },
    )
    .await;
    let r = s
        .commit(CommitBatch {
            preconditions: vec![guard],
            ..Default::default()
        })
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict(_))),
        "a put since the read must conflict, got {r:?}"
    );
}

/// A failed precondition refuses the whole batch and writes nothing.
pub async fn preconditions_are_atomic<S: Store>(s: S) {
    let id = InstanceId::new("p");
    commit(
        &s,
        CommitBatch {
            instances: vec![row("p", "O", RuntimeStatus::Running, 1)],
            enqueue: vec![msg("w", "p", None)],
            app_writes: vec![AppWrite::Put {
                store: "game".into(),
                key: "k".into(),
                value: json!(1),
            }],
            ..Default::default()
        },
    )
    .await;
    let stale = [
        Precondition::InstanceVersion {
            id: id.clone(),
            version: Some(7),
            incarnation: String::new(),
        },
        Precondition::no_row(&id),
        // The right version of another life of the id (after a purge).
        Precondition::InstanceVersion {
            id: id.clone(),
            version: Some(0),
            incarnation: "another life".into(),
        },
        Precondition::WorkExists {
            id: WorkId("gone".into()),
        },
        Precondition::AppVersion {
            store: "game".into(),
            key: "k".into(),
            version: Some(2),
        },
        Precondition::AppVersion {
            store: "game".into(),
            key: "k".into(),
            version: None,
        },
    ];
    for p in stale {
        let r = s
            .commit(CommitBatch {
                preconditions: vec![p.clone()],
                instances: vec![row("p", "O", RuntimeStatus::Completed, 1)],
                append_history: vec![(id.clone(), vec![event(0, EventKind::OrchestratorStarted)])],
                enqueue: vec![msg("x", "p", None)],
                dequeue: vec![WorkId("w".into())],
                app_writes: vec![AppWrite::Put {
                    store: "game".into(),
                    key: "k".into(),
                    value: json!(2),
                }],
                ..Default::default()
            })
            .await;
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "{p:?} must conflict, got {r:?}"
        );
        assert_eq!(
            s.instance(&id).await.unwrap().map(|r| r.status),
            Some(RuntimeStatus::Running)
        );
        assert!(s.history(&id).await.unwrap().is_empty());
        let work: Vec<_> = s
            .ready_work(0, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.id.0)
            .collect();
        assert_eq!(work, ["w"]);
        let rec = s
            .app_record("game", "k")
            .await
            .unwrap()
            .map(|r| (r.value, r.version));
        assert_eq!(rec, Some((json!(1), 1)));
    }
    commit(
        &s,
        CommitBatch {
            preconditions: vec![
                Precondition::InstanceVersion {
                    id: id.clone(),
                    version: Some(0),
                    incarnation: String::new(),
                },
                Precondition::WorkExists {
                    id: WorkId("w".into()),
                },
                Precondition::AppVersion {
                    store: "game".into(),
                    key: "k".into(),
                    version: Some(1),
                },
                Precondition::AppVersion {
                    store: "game".into(),
                    key: "new".into(),
                    version: None,
                },
            ],
            dequeue: vec![WorkId("w".into())],
            ..Default::default()
        },
    )
    .await;
    assert!(s.ready_work(0, 10).await.unwrap().is_empty());
}

/// App records: versions count writes, deletes remove, appends keep order.
pub async fn app_records<S: Store>(s: S) {
    let put = |k: &str, v: i32| AppWrite::Put {
        store: "game".into(),
        key: k.into(),
        value: json!(v),
    };
    commit(
        &s,
        CommitBatch {
            app_writes: vec![put("b", 1), put("a", 1)],
            ..Default::default()
        },
    )
    .await;
    commit(
        &s,
        CommitBatch {
            app_writes: vec![put("b", 2)],
            ..Default::default()
        },
    )
    .await;
    let b = s.app_record("game", "b").await.unwrap().expect("b exists");
    let a = s.app_record("game", "a").await.unwrap().expect("a exists");
    assert_eq!(b.value, json!(2));
    assert!(b.version > a.version, "a write moves the version on");
    // Several at once, in the order asked, from any store; absent as None.
    let many = s
        .app_records_at(&[("game", "b"), ("other", "a"), ("game", "a")])
        .await
        .unwrap();
    assert_eq!(many, vec![Some(b.clone()), None, Some(a.clone())]);
    let keys: Vec<_> = s
        .app_records("game")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, ["a", "b"]);
    commit(
        &s,
        CommitBatch {
            app_writes: vec![AppWrite::Delete {
                store: "game".into(),
                key: "a".into(),
            }],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(s.app_record("game", "a").await.unwrap(), None);
    // Written again after the delete: a version it never had.
    write(&s, vec![put("a", 3)]).await;
    let again = s.app_record("game", "a").await.unwrap().expect("a again");
    assert!(again.version > a.version && again.version > b.version);
    write(
        &s,
        vec![AppWrite::Delete {
            store: "game".into(),
            key: "a".into(),
        }],
    )
    .await;
    for line in ["one", "two", "three"] {
        commit(
            &s,
            CommitBatch {
                app_writes: vec![AppWrite::Append {
                    store: "console".into(),
                    value: json!(line),
                }],
                ..Default::default()
            },
        )
        .await;
    }
    let lines: Vec<_> = s
        .app_records("console")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.value)
        .collect();
    assert_eq!(lines, [json!("one"), json!("two"), json!("three")]);
    assert_eq!(s.app_records("empty").await.unwrap(), vec![]);
    // A batch's writes apply in its order: a put then a delete of one key
    // leaves none, a delete then a put leaves the put.
    let delete = |k: &str| AppWrite::Delete {
        store: "game".into(),
        key: k.into(),
    };
    write(&s, vec![put("c", 1), delete("c")]).await;
    assert_eq!(
        s.app_record("game", "c").await.unwrap(),
        None,
        "put, then deleted"
    );
    write(&s, vec![put("d", 1)]).await;
    write(&s, vec![delete("d"), put("d", 2)]).await;
    let d = s
        .app_record("game", "d")
        .await
        .unwrap()
        .expect("deleted, then put");
    assert_eq!(d.value, json!(2));
}

/// Every put, delete and append is journaled with its commit and time, in
/// the commit's transaction: a refused commit journals nothing, a journal
/// read takes a key prefix, and a forget removes records and journal under
/// its prefix only.
pub async fn journal<S: Store>(s: S) {
    let put = |store: &str, k: &str, v: i32| AppWrite::Put {
        store: store.into(),
        key: k.into(),
        value: json!(v),
    };
    let at = |at_ms: u64, app_writes: Vec<AppWrite>| CommitBatch {
        app_writes,
        at_ms,
        ..Default::default()
    };
    commit(&s, at(10, vec![put("s", "a/1", 1), put("s", "b", 2)])).await;
    let second = vec![
        put("s", "a/1", 3),
        AppWrite::Delete {
            store: "s".into(),
            key: "b".into(),
        },
        AppWrite::Append {
            store: "s".into(),
            value: json!("line"),
        },
        put("t", "a/1", 4),
    ];
    commit(&s, at(20, second)).await;
    let mut refused = at(30, vec![put("s", "a/2", 99)]);
    refused.preconditions.push(Precondition::AppVersion {
        store: "s".into(),
        key: "a/1".into(),
        version: None,
    });
    assert!(matches!(
        s.commit(refused).await,
        Err(StoreError::Conflict(_))
    ));

    let journal = s.journal("s", "").await.unwrap();
    let seen: Vec<(Option<serde_json::Value>, u64)> =
        journal.iter().map(|e| (e.value.clone(), e.at_ms)).collect();
    assert_eq!(
        seen,
        vec![
            (Some(json!(1)), 10),
            (Some(json!(2)), 10),
            (Some(json!(3)), 20),
            (None, 20),
            (Some(json!("line")), 20),
        ],
        "every write of store s, in version order; nothing of the refused commit"
    );
    assert!(journal.windows(2).all(|w| w[0].version < w[1].version));
    let commits: Vec<u64> = journal.iter().map(|e| e.commit).collect();
    assert_eq!(
        commits[0], journal[0].version,
        "a commit is named by its first write"
    );
    assert_eq!(commits[1], commits[0]);
    assert_eq!(&commits[2..], &[journal[2].version; 3]);
    let line = s.app_records("s").await.unwrap();
    let appended = line
        .iter()
        .find(|r| r.value == json!("line"))
        .expect("line");
    assert_eq!(
        journal[4].key, appended.key,
        "an append is journaled under its key"
    );
    let a = s.app_record("s", "a/1").await.unwrap().expect("a/1");
    assert_eq!(
        a.version, journal[2].version,
        "the record's version is its entry's"
    );

    let under_a: Vec<String> = s
        .journal("s", "a/")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(under_a, ["a/1", "a/1"], "a prefix reads only its keys");
    let both = s.journals(&[("s", "a/"), ("t", "")]).await.unwrap();
    assert_eq!(
        both,
        [
            s.journal("s", "a/").await.unwrap(),
            s.journal("t", "").await.unwrap()
        ],
        "several journals read at once, each as read alone"
    );

    write(&s, vec![put("t", "a/10", 5)]).await;
    let forget = |store: &str, key: &str, prefix: bool| AppWrite::Forget {
        store: store.into(),
        key: key.into(),
        prefix,
    };
    write(&s, vec![forget("s", "a/", true), forget("t", "a/1", false)]).await;
    assert!(s.journal("s", "a/").await.unwrap().is_empty(), "forgotten");
    assert_eq!(s.app_record("s", "a/1").await.unwrap(), None);
    assert_eq!(
        s.journal("s", "").await.unwrap().len(),
        3,
        "b and the line stay"
    );
    assert_eq!(
        s.app_record("t", "a/1").await.unwrap(),
        None,
        "one key forgotten"
    );
    let kept: Vec<String> = s
        .journal("t", "")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(kept, ["a/10"], "a key that only starts with it stays");
    assert!(s.app_record("t", "a/10").await.unwrap().is_some());
    // A prefix covers every key that starts with it, the highest code
    // units included.
    let odd = ["p\u{ffff}", "p\u{ffff}x", "p\u{ffff}\u{ffff}", "q"];
    write(&s, odd.iter().map(|k| put("u", k, 1)).collect()).await;
    assert_eq!(s.journal("u", "p").await.unwrap().len(), 3, "all under p");
    assert_eq!(s.journal("u", "p\u{ffff}").await.unwrap().len(), 3);
    write(&s, vec![forget("u", "p", true)]).await;
    let left: Vec<String> = s
        .journal("u", "")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(left, ["q"], "all under p forgotten, q kept");
    assert_eq!(s.app_records("u").await.unwrap().len(), 1);
}

/// Queries filter by name, status, time and prefix, and page by id.
pub async fn queries<S: Store>(s: S) {
    let rows = vec![
        row(
            "ann:confirm",
            "UserConfirmationWorkflow",
            RuntimeStatus::Running,
            10,
        ),
        row(
            "ann:monitor",
            "UserMonitorWorkflow",
            RuntimeStatus::Completed,
            20,
        ),
        row(
            "bob:confirm",
            "UserConfirmationWorkflow",
            RuntimeStatus::Failed,
            30,
        ),
        row(
            "bob:monitor",
            "UserMonitorWorkflow",
            RuntimeStatus::Running,
            40,
        ),
        row(
            "cy:confirm",
            "UserConfirmationWorkflow",
            RuntimeStatus::Terminated,
            50,
        ),
    ];
    commit(
        &s,
        CommitBatch {
            instances: rows,
            ..Default::default()
        },
    )
    .await;
    // Every query's rows, checked against the summaries of its matches.
    let ids = |q: InstanceQuery| {
        let s = &s;
        async move {
            let rows = s.query(&q).await.unwrap().instances;
            let summaries = s.summaries(&q).await.unwrap();
            let of_rows: Vec<_> = rows.iter().map(crate::InstanceSummary::of).collect();
            assert_eq!(summaries, of_rows, "the summaries of {q:?}");
            rows.into_iter().map(|r| r.id.0).collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(InstanceQuery::default()).await.len(), 5);
    assert_eq!(
        ids(InstanceQuery {
            name: Some("UserMonitorWorkflow".into()),
            ..Default::default()
        })
        .await,
        ["ann:monitor", "bob:monitor"]
    );
    assert_eq!(
        ids(InstanceQuery {
            statuses: vec![RuntimeStatus::Running],
            ..Default::default()
        })
        .await,
        ["ann:confirm", "bob:monitor"]
    );
    assert_eq!(
        ids(InstanceQuery {
            created_from_ms: Some(20),
            created_to_ms: Some(40),
            ..Default::default()
        })
        .await,
        ["ann:monitor", "bob:confirm", "bob:monitor"]
    );
    assert_eq!(
        ids(InstanceQuery {
            id_prefix: Some("bob:".into()),
            ..Default::default()
        })
        .await,
        ["bob:confirm", "bob:monitor"]
    );
    let first = s
        .query(&InstanceQuery {
            page_size: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.instances.len(), 2);
    assert_eq!(first.continuation, Some(InstanceId::new("ann:monitor")));
    let second = s
        .query(&InstanceQuery {
            page_size: 2,
            after: first.continuation,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids2: Vec<_> = second.instances.iter().map(|r| r.id.0.clone()).collect();
    assert_eq!(ids2, ["bob:confirm", "bob:monitor"]);
    let last = s
        .query(&InstanceQuery {
            page_size: 2,
            after: second.continuation,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(last.instances.len(), 1);
    assert_eq!(last.continuation, None);
}

/// Purge deletes the row, the history and the instance's queued work.
pub async fn purge<S: Store>(s: S) {
    let a = InstanceId::new("a");
    commit(
        &s,
        CommitBatch {
            instances: vec![
                row("a", "O", RuntimeStatus::Completed, 1),
                row("b", "O", RuntimeStatus::Running, 1),
            ],
            append_history: vec![(a.clone(), vec![event(0, EventKind::OrchestratorStarted)])],
            enqueue: vec![
                msg("m", "a", Some(50)),
                task("t", "a"),
                msg("keep", "b", None),
            ],
            ..Default::default()
        },
    )
    .await;
    commit(
        &s,
        CommitBatch {
            purge: vec![a.clone()],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(s.instance(&a).await.unwrap(), None);
    assert!(s.history(&a).await.unwrap().is_empty());
    let work: Vec<_> = s
        .ready_work(100, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.id.0)
        .collect();
    assert_eq!(work, ["keep"]);
    assert!(s.instance(&InstanceId::new("b")).await.unwrap().is_some());
}

/// Continuation paging returns every instance exactly once, whatever the
/// characters of the ids (a store follows its own key order).
pub async fn query_continuations<S: Store>(s: S) {
    let ids = ["w:a", "w:a😀", "w:aａ", "w:b", "x:z"];
    commit(
        &s,
        CommitBatch {
            instances: ids
                .iter()
                .map(|id| row(id, "W", RuntimeStatus::Running, 1))
                .collect(),
            ..Default::default()
        },
    )
    .await;
    for prefix in [None, Some("w:".to_string())] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = s
                .query(&InstanceQuery {
                    id_prefix: prefix.clone(),
                    after: after.clone(),
                    page_size: 1,
                    ..Default::default()
                })
                .await
                .unwrap();
            seen.extend(page.instances.into_iter().map(|r| r.id.0));
            match page.continuation {
                Some(next) => after = Some(next),
                None => break,
            }
            assert!(seen.len() <= ids.len(), "paging does not end: {seen:?}");
        }
        seen.sort();
        let mut expected: Vec<String> = ids
            .iter()
            .filter(|id| prefix.as_ref().is_none_or(|p| id.starts_with(p.as_str())))
            .map(|id| id.to_string())
            .collect();
        expected.sort();
        assert_eq!(seen, expected, "prefix {prefix:?}");
    }
}

/// Sorted, filtered pages with totals; summaries follow every commit (a
/// status change, a later update, a custom status, a purge).
pub async fn lists<S: Store>(s: S) {
    let mut rows: Vec<InstanceRecord> = (0..12u64)
        .map(|i| {
            let status = if i % 3 == 0 {
                RuntimeStatus::Completed
            } else {
                RuntimeStatus::Running
            };
            let name = if i % 2 == 0 { "Even" } else { "Odd" };
            let mut r = row(&format!("p{i:02}"), name, status, 100 + i);
            r.updated_ms = 1_000 - i;
            r
        })
        .collect();
    commit(
        &s,
        CommitBatch {
            instances: rows.clone(),
            ..Default::default()
        },
    )
    .await;
    let list = |q: InstanceQuery, column, descending, offset, limit| {
        let s = &s;
        async move {
            let order = ListOrder {
                column,
                descending,
                offset,
                limit,
            };
            let l = s.list(&q, &order).await.unwrap();
            let total = s.count(&q).await.unwrap();
            // More rows follow exactly when the page ends before the total.
            assert_eq!(
                l.more,
                offset + l.rows.len() < total,
                "{q:?} {order:?}: {} rows, {total} in all",
                l.rows.len()
            );
            (
                l.rows.into_iter().map(|r| r.id.0).collect::<Vec<_>>(),
                total,
            )
        }
    };
    let all = InstanceQuery::default;
    assert_eq!(
        list(all(), SortColumn::Created, true, 0, 3).await,
        (vec!["p11".into(), "p10".into(), "p09".into()], 12)
    );
    assert_eq!(
        list(all(), SortColumn::Created, true, 10, 3).await,
        (vec!["p01".into(), "p00".into()], 12)
    );
    assert_eq!(
        list(all(), SortColumn::Created, true, 20, 3).await,
        (Vec::<String>::new(), 12)
    );
    assert_eq!(
        list(all(), SortColumn::Created, false, 9, 3).await.0,
        ["p09", "p10", "p11"]
    );
    assert_eq!(
        list(all(), SortColumn::Updated, false, 0, 2).await.0,
        ["p11", "p10"]
    );
    let completed = InstanceQuery {
        statuses: vec![RuntimeStatus::Completed],
        ..Default::default()
    };
    assert_eq!(
        list(completed.clone(), SortColumn::Id, false, 0, 0).await,
        (
            vec!["p00".into(), "p03".into(), "p06".into(), "p09".into()],
            4
        )
    );
    let odd_prefix = InstanceQuery {
        name: Some("Odd".into()),
        id_prefix: Some("p0".into()),
        ..Default::default()
    };
    assert_eq!(
        list(odd_prefix, SortColumn::Name, false, 1, 2).await,
        (vec!["p03".into(), "p05".into()], 5)
    );
    // Every filter a store may serve from an index, in both directions.
    assert_eq!(
        list(completed.clone(), SortColumn::Created, true, 1, 2).await,
        (vec!["p06".into(), "p03".into()], 4)
    );
    assert_eq!(
        list(completed.clone(), SortColumn::Status, false, 0, 0).await,
        (
            vec!["p00".into(), "p03".into(), "p06".into(), "p09".into()],
            4
        )
    );
    assert_eq!(
        list(completed.clone(), SortColumn::Status, true, 1, 2).await,
        (vec!["p06".into(), "p03".into()], 4)
    );
    let backwards = InstanceQuery {
        created_from_ms: Some(105),
        created_to_ms: Some(103),
        ..Default::default()
    };
    assert_eq!(
        list(backwards, SortColumn::Created, false, 0, 0).await,
        (Vec::<String>::new(), 0)
    );
    let odd = InstanceQuery {
        name: Some("Odd".into()),
        ..Default::default()
    };
    assert_eq!(
        list(odd, SortColumn::Name, true, 0, 2).await,
        (vec!["p11".into(), "p09".into()], 6)
    );
    let window = InstanceQuery {
        created_from_ms: Some(103),
        created_to_ms: Some(105),
        ..Default::default()
    };
    assert_eq!(
        list(window, SortColumn::Created, false, 0, 0).await,
        (vec!["p03".into(), "p04".into(), "p05".into()], 3)
    );
    assert_eq!(
        list(all(), SortColumn::Status, true, 0, 1).await.0,
        ["p11"] // Running after Completed; ties by id, descending
    );
    // Text orders as IndexedDB orders keys (UTF-16 code units), whether a
    // store walks an index (name) or sorts in memory (id).
    commit(
        &s,
        CommitBatch {
            instances: vec![
                row("uａ", "zａ", RuntimeStatus::Pending, 1),
                row("u😀", "z😀", RuntimeStatus::Pending, 2),
            ],
            ..Default::default()
        },
    )
    .await;
    let wide = InstanceQuery {
        statuses: vec![RuntimeStatus::Pending],
        ..Default::default()
    };
    assert_eq!(
        list(wide.clone(), SortColumn::Id, false, 0, 0).await.0,
        ["u😀", "uａ"]
    );
    let named = InstanceQuery::default();
    assert_eq!(
        list(named, SortColumn::Name, true, 0, 2).await.0,
        ["uａ", "u😀"]
    );
    commit(
        &s,
        CommitBatch {
            purge: vec![InstanceId::new("uａ"), InstanceId::new("u😀")],
            ..Default::default()
        },
    )
    .await;
    // A later commit moves the row in every order it changed.
    rows[0].status = RuntimeStatus::Failed;
    rows[0].updated_ms = 5_000;
    rows[0].custom_status = Some(serde_json::json!("zzz"));
    rows[0].version += 1;
    commit(
        &s,
        CommitBatch {
            instances: vec![rows[0].clone()],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        list(all(), SortColumn::Updated, true, 0, 1).await.0,
        ["p00"]
    );
    assert_eq!(
        list(all(), SortColumn::CustomStatus, true, 0, 1).await.0,
        ["p00"]
    );
    assert_eq!(
        list(completed.clone(), SortColumn::Id, false, 0, 0).await.1,
        3
    );
    commit(
        &s,
        CommitBatch {
            purge: vec![InstanceId::new("p03")],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        list(completed, SortColumn::Id, false, 0, 0).await,
        (vec!["p06".into(), "p09".into()], 2)
    );
}

/// `NoOtherMessage` refuses a batch while a message of the instance that
/// is ready (and not taken by the batch) is queued, and ignores activity
/// tasks, timers not yet due and other instances' messages.
pub async fn no_other_message<S: Store>(s: S) {
    commit(
        &s,
        CommitBatch {
            enqueue: vec![
                msg("first", "p", None),
                task("task", "p"),
                msg("timer", "p", Some(5_000)),
                msg("theirs", "q", None),
            ],
            ..Default::default()
        },
    )
    .await;
    let guarded = |ready_at_ms: u64, dequeue: &[&str]| CommitBatch {
        preconditions: vec![Precondition::NoOtherMessage {
            instance: InstanceId::new("p"),
            ready_at_ms,
        }],
        dequeue: dequeue.iter().map(|id| WorkId(id.to_string())).collect(),
        app_writes: vec![AppWrite::Put {
            store: "game".into(),
            key: "mark".into(),
            value: json!(ready_at_ms),
        }],
        ..Default::default()
    };
    let refused = s.commit(guarded(1_000, &[])).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "a ready message of the instance is queued: {refused:?}"
    );
    assert_eq!(s.app_record("game", "mark").await.unwrap(), None);
    // Also when the batch writes nothing that needs a read (a store may
    // check it as the write goes).
    let bare = s
        .commit(CommitBatch {
            preconditions: vec![Precondition::NoOtherMessage {
                instance: InstanceId::new("p"),
                ready_at_ms: 1_000,
            }],
            instances: vec![row("p", "O", RuntimeStatus::Running, 1)],
            ..Default::default()
        })
        .await;
    assert!(matches!(bare, Err(StoreError::Conflict(_))), "{bare:?}");
    assert_eq!(s.instance(&InstanceId::new("p")).await.unwrap(), None);
    assert_eq!(s.ready_work(10_000, 10).await.unwrap().len(), 4);
    // Taking it is what the batch does: the check passes.
    commit(&s, guarded(1_000, &["first"])).await;
    // Once the timer is due, it counts too.
    let refused = s.commit(guarded(6_000, &[])).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    commit(&s, guarded(6_000, &["timer"])).await;
    assert_eq!(
        s.app_record("game", "mark").await.unwrap().map(|r| r.value),
        Some(json!(6_000))
    );
}

/// `read_then_commit` hands the decision what it read, in the order asked
/// (absent as `None`), commits the batch decided, and commits nothing when
/// the decision is `None`.
pub async fn read_then_commit<S: Store>(s: S) {
    commit(
        &s,
        CommitBatch {
            instances: vec![row("r", "O", RuntimeStatus::Running, 1)],
            app_writes: vec![AppWrite::Put {
                store: "game".into(),
                key: "count".into(),
                value: json!(1),
            }],
            ..Default::default()
        },
    )
    .await;
    let reads = crate::store::Reads {
        instances: vec![InstanceId::new("missing"), InstanceId::new("r")],
        app: vec![
            ("game".into(), "count".into()),
            ("game".into(), "absent".into()),
        ],
    };
    let increment = |values: &crate::store::ReadValues| {
        assert_eq!(values.instances.len(), 2);
        assert!(values.instances[0].is_none(), "an absent row reads as None");
        assert_eq!(
            values.instances[1].as_ref().map(|r| r.name.as_str()),
            Some("O")
        );
        assert!(values.app[1].is_none(), "an absent record reads as None");
        let count = values.app[0].as_ref().and_then(|r| r.value.as_u64())?;
        Some(CommitBatch {
            app_writes: vec![AppWrite::Put {
                store: "game".into(),
                key: "count".into(),
                value: json!(count + 1),
            }],
            ..Default::default()
        })
    };
    for expected in [2, 3] {
        let committed = s.read_then_commit(&reads, &mut { increment }).await;
        assert_eq!(committed, Ok(true));
        let count = s
            .app_record("game", "count")
            .await
            .unwrap()
            .map(|r| r.value);
        assert_eq!(count, Some(json!(expected)), "each commit saw the last");
    }
    let nothing = s.read_then_commit(&reads, &mut |_| None).await;
    assert_eq!(nothing, Ok(false));
    let count = s
        .app_record("game", "count")
        .await
        .unwrap()
        .map(|r| r.value);
    assert_eq!(count, Some(json!(3)), "a decision of None writes nothing");
    // A refused batch writes nothing either, puts and appends included.
    let refused = s
        .read_then_commit(&reads, &mut |_| {
            Some(CommitBatch {
                preconditions: vec![Precondition::no_row(&InstanceId::new("r"))],
                app_writes: vec![
                    AppWrite::Put {
                        store: "game".into(),
                        key: "count".into(),
                        value: json!(99),
                    },
                    AppWrite::Append {
                        store: "log".into(),
                        value: json!("refused"),
                    },
                ],
                ..Default::default()
            })
        })
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let count = s
        .app_record("game", "count")
        .await
        .unwrap()
        .map(|r| r.value);
    assert_eq!(count, Some(json!(3)), "a refused batch writes nothing");
    assert!(s.app_records("log").await.unwrap().is_empty());
    // Puts and appends after a read draw fresh versions and keys, in order.
    let log = |text: &'static str| {
        move |_: &crate::store::ReadValues| {
            Some(CommitBatch {
                app_writes: vec![
                    AppWrite::Append {
                        store: "log".into(),
                        value: json!(text),
                    },
                    AppWrite::Put {
                        store: "game".into(),
                        key: "count".into(),
                        value: json!(text),
                    },
                ],
                ..Default::default()
            })
        }
    };
    let before = s
        .app_record("game", "count")
        .await
        .unwrap()
        .map(|r| r.version);
    s.read_then_commit(&reads, &mut log("one")).await.unwrap();
    s.read_then_commit(&reads, &mut log("two")).await.unwrap();
    let after = s
        .app_record("game", "count")
        .await
        .unwrap()
        .map(|r| r.version);
    assert!(
        after > before,
        "the version moved on: {before:?} -> {after:?}"
    );
    let lines: Vec<_> = s
        .app_records("log")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.value)
        .collect();
    assert_eq!(lines, vec![json!("one"), json!("two")], "appended in order");
}

/// A batch's preconditions see the store as it was before the batch: one
/// about a record, row or work item that the same batch writes is checked
/// against the old state, never against the batch's own writes.
pub async fn checks_see_the_state_before_the_batch<S: Store>(s: S) {
    write(
        &s,
        vec![AppWrite::Put {
            store: "game".into(),
            key: "k".into(),
            value: json!(1),
        }],
    )
    .await;
    let version = s.app_record("game", "k").await.unwrap().map(|r| r.version);
    let put_at = |version: Option<u64>| CommitBatch {
        preconditions: vec![Precondition::AppVersion {
            store: "game".into(),
            key: "k".into(),
            version,
        }],
        app_writes: vec![AppWrite::Put {
            store: "game".into(),
            key: "k".into(),
            value: json!(2),
        }],
        ..Default::default()
    };
    commit(&s, put_at(version)).await;
    let again = s.commit(put_at(version)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let new_version = s.app_record("game", "k").await.unwrap().map(|r| r.version);
    assert_ne!(new_version, version, "the write moved the version");
    // A work item the batch itself queues is not queued before it.
    let own_work = s
        .commit(CommitBatch {
            preconditions: vec![Precondition::WorkExists {
                id: WorkId("mine".into()),
            }],
            enqueue: vec![msg("mine", "p", None)],
            ..Default::default()
        })
        .await;
    assert!(
        matches!(own_work, Err(StoreError::Conflict(_))),
        "{own_work:?}"
    );
    assert!(s.ready_work(u64::MAX, 10).await.unwrap().is_empty());
    // A row the batch inserts is absent before it.
    let insert = || CommitBatch {
        preconditions: vec![Precondition::no_row(&InstanceId::new("n"))],
        instances: vec![row("n", "O", RuntimeStatus::Pending, 1)],
        ..Default::default()
    };
    commit(&s, insert()).await;
    let twice = s.commit(insert()).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
}

/// Runs every check, each on a fresh store made by `make(check_name)`.
pub async fn run_all<S, F, Fut>(mut make: F)
where
    S: Store,
    F: FnMut(&'static str) -> Fut,
    Fut: Future<Output = S>,
{
    instances_and_history(make("instances_and_history").await).await;
    work_queue(make("work_queue").await).await;
    never_is_never_due(make("never_is_never_due").await).await;
    preconditions_are_atomic(make("preconditions_are_atomic").await).await;
    work_ids_are_unique(make("work_ids_are_unique").await).await;
    app_records(make("app_records").await).await;
    journal(make("journal").await).await;
    whole_store_reads(make("whole_store_reads").await).await;
    queries(make("queries").await).await;
    lists(make("lists").await).await;
    query_continuations(make("query_continuations").await).await;
    purge(make("purge").await).await;
    no_other_message(make("no_other_message").await).await;
    read_then_commit(make("read_then_commit").await).await;
    checks_see_the_state_before_the_batch(make("checks_see_the_state_before_the_batch").await)
        .await;
}
