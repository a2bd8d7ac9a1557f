//! The runtime's guards, each with a test that fails without it: mutation
//! testing (`cargo mutants` over the dispatcher, the client, the stores and
//! the replay engine) found these places where removing a check changed
//! nothing the other tests looked at.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::Harness;
use durable::testing::block_on;
use durable::{
    AppRecord, Client, ClientError, Clock, CommitBatch, InMemoryStore, InstanceId, InstancePage,
    InstanceQuery, InstanceRecord, OrchestrationContext, Registry, RuntimeStatus, Store,
    StoreError, TaskError, VirtualClock, WorkItem,
};
use serde_json::json;

fn waiter(r: &mut Registry) -> &mut Registry {
    r.orchestration("Wait", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<u32>("E").await
    })
}

/// One command starts `x` and raises events to `x` and to the running `y`:
/// each event reaches its own instance.
#[test]
fn a_command_starting_an_instance_signals_it_and_another() {
    let mut r = Registry::new();
    waiter(&mut r);
    let h = Harness::new(r);
    h.start("Wait", "y", json!(null));
    h.idle();
    let (x, y) = (InstanceId::new("x"), InstanceId::new("y"));
    let cmd = durable::Command::new()
        .start("Wait", &x, &())
        .unwrap()
        .raise(&x, "E", &1)
        .unwrap()
        .raise(&y, "E", &2)
        .unwrap();
    block_on(h.client().apply(cmd)).unwrap();
    h.idle();
    assert_eq!(h.row("x").output, Some(json!(1)));
    assert_eq!(h.row("y").output, Some(json!(2)));
}

/// What another tab does between a client's read and its commit.
type Meanwhile = Box<dyn FnOnce()>;

/// A purge (one instance, or by filter) decided on a finished row is
/// refused when the id was started again meanwhile: the new life stays.
#[test]
fn a_purge_racing_a_restart_is_refused() {
    let mut r = Registry::new();
    waiter(&mut r);
    let h = Harness::new(r);
    h.start("Wait", "x", json!(null));
    h.idle();
    h.raise("x", "E", json!(1));
    h.idle();
    assert_eq!(h.status("x"), RuntimeStatus::Completed);
    let racing = WatchedStore {
        inner: h.store.clone(),
        ..WatchedStore::default()
    };
    let clock = Rc::new(VirtualClock::new(5_000_000));
    let client = Client::new(racing.clone(), clock, durable::ChangeFeed::new());
    let x = InstanceId::new("x");
    for purge_by_filter in [false, true] {
        let other_tab = h.client();
        let id = x.clone();
        *racing.before_next_commit.borrow_mut() = Some(Box::new(move || {
            block_on(other_tab.start("Wait", &id, &())).unwrap();
        }));
        let result = if purge_by_filter {
            block_on(client.purge_where(&InstanceQuery::default())).map(|_| ())
        } else {
            block_on(client.purge(&x))
        };
        assert!(
            matches!(result, Err(ClientError::Store(StoreError::Conflict(_)))),
            "the purge must be refused, got {result:?}"
        );
        assert_eq!(h.status("x"), RuntimeStatus::Pending, "the new life stays");
        // Finish the new life for the next round.
        h.idle();
        h.raise("x", "E", json!(2));
        h.idle();
    }
}

/// A sub-orchestration call to an id that is running fails the call; one to
/// a finished id starts it again; a fire-and-forget start of a running id
/// is skipped and the parent goes on.
#[test]
fn child_starts_respect_the_childs_status() {
    let mut r = Registry::new();
    waiter(&mut r)
        .orchestration("Call", |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_sub_orchestration::<_, u32>("Wait", &(), Some("kid"))
                .await
        })
        .orchestration("Fire", |ctx: OrchestrationContext, _: ()| async move {
            ctx.start_orchestration("Wait", &(), Some("kid"));
            Ok::<_, TaskError>("fired")
        });
    let h = Harness::new(r);
    h.start("Wait", "kid", json!(null));
    h.idle();
    h.start("Call", "busy", json!(null));
    h.start("Fire", "fire", json!(null));
    h.idle();
    let busy = h.row("busy");
    assert_eq!(busy.status, RuntimeStatus::Failed);
    assert!(busy.failure.unwrap_or_default().contains("already Running"));
    assert_eq!(h.row("fire").output, Some(json!("fired")));
    assert_eq!(
        h.count("kid", "ExecutionStarted"),
        1,
        "kid was not restarted"
    );
    h.raise("kid", "E", json!(1));
    h.idle();
    assert_eq!(h.status("kid"), RuntimeStatus::Completed);
    h.start("Call", "again", json!(null));
    h.idle();
    h.raise("kid", "E", json!(2));
    h.idle();
    assert_eq!(h.row("again").output, Some(json!(2)), "kid ran again");
}

/// Suspending a suspended instance and resuming a running one record
/// nothing in the history.
#[test]
fn lifecycle_no_ops_record_nothing() {
    let mut r = Registry::new();
    waiter(&mut r);
    let h = Harness::new(r);
    let w = InstanceId::new("w");
    h.start("Wait", "w", json!(null));
    h.idle();
    block_on(h.client().suspend(&w, "one")).unwrap();
    block_on(h.client().suspend(&w, "two")).unwrap();
    h.idle();
    block_on(h.client().resume(&w, "one")).unwrap();
    block_on(h.client().resume(&w, "two")).unwrap();
    h.idle();
    assert_eq!(h.count("w", "ExecutionSuspended"), 1);
    assert_eq!(h.count("w", "ExecutionResumed"), 1);
    assert_eq!(h.status("w"), RuntimeStatus::Running);
}

/// Each turn records the compute time it measured: with a virtual clock
/// that moves 0.5 ms per reading, exactly 0.5 ms.
#[test]
fn each_turn_records_the_compute_time_it_measured() {
    let mut r = Registry::new();
    common::with_narrate(&mut r).orchestration(
        "Two",
        |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_activity::<_, String>("Narrate", &"one").await?;
            ctx.call_activity::<_, String>("Narrate", &"two").await
        },
    );
    let clock = VirtualClock::new(0).with_compute_step(0.5);
    let rt = durable::Runtime::new(InMemoryStore::new(), r, Rc::new(clock));
    let id = InstanceId::new("t");
    block_on(rt.client().start("Two", &id, &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    let history = block_on(rt.store().history(&id)).unwrap();
    let per_turn: Vec<f64> = history
        .iter()
        .filter_map(|e| match e.kind {
            durable::EventKind::OrchestratorCompleted { compute_ms } => Some(compute_ms),
            _ => None,
        })
        .collect();
    assert_eq!(per_turn, [0.5, 0.5, 0.5]);
}

/// A fused step that cancels a timer committed in an earlier tick takes
/// the timer off the queue: it never fires.
#[test]
fn a_fused_step_cancelling_an_older_timer_dequeues_it() {
    let mut r = Registry::new();
    common::with_narrate(&mut r).orchestration(
        "T",
        |ctx: OrchestrationContext, _: ()| async move {
            let timer = ctx.sleep(3_600_000);
            ctx.wait_for_event::<()>("Go").await?;
            ctx.call_activity::<_, String>("Narrate", &"went").await?;
            drop(timer);
            ctx.wait_for_event::<()>("Done").await
        },
    );
    let h = Harness::new(r);
    h.start("T", "t", json!(null));
    h.idle();
    h.raise("t", "Go", json!(null));
    let report = block_on(h.rt.run_until_idle()).unwrap();
    assert_eq!(report.commits, 1, "the activity and the cancel fused");
    assert_eq!(report.turns, 2, "two turns in that commit");
    assert_eq!(report.activities, 1);
    assert_eq!(block_on(h.rt.next_due()).unwrap(), None, "no timer is left");
    h.run_for(7_200_000);
    assert_eq!(h.count("t", "TimerFired"), 0);
    assert_eq!(h.count("t", "TimerCancelled"), 1);
}

/// A runtime with nothing to do is idle at its first look at the store:
/// widening a read is only for a full batch in which nothing could run.
#[test]
fn an_idle_runtime_is_idle_at_the_first_look() {
    let mut r = Registry::new();
    waiter(&mut r);
    let mut h = Harness::new(r);
    h.start("Wait", "w", json!(null));
    h.idle();
    h.reload(); // a fresh runtime: nothing widened yet
    let report = block_on(h.rt.run_until_idle_within(1)).expect("idle in one tick");
    assert!(!report.did_work());
}

/// The in-memory store, watched: it counts one-by-one and batched reads of
/// rows and histories, and lets a test act between a client's read and its
/// commit, as another tab would.
#[derive(Clone, Default)]
struct WatchedStore {
    inner: InMemoryStore,
    before_next_commit: Rc<RefCell<Option<Meanwhile>>>,
    single_reads: Rc<std::cell::Cell<usize>>,
    batched: Rc<RefCell<Vec<(&'static str, usize)>>>,
}

impl Store for WatchedStore {
    async fn instance(&self, id: &InstanceId) -> Result<Option<InstanceRecord>, StoreError> {
        self.single_reads.set(self.single_reads.get() + 1);
        self.inner.instance(id).await
    }
    async fn instances(
        &self,
        ids: &[InstanceId],
    ) -> Result<Vec<Option<InstanceRecord>>, StoreError> {
        self.batched.borrow_mut().push(("rows", ids.len()));
        self.inner.instances(ids).await
    }
    async fn history(&self, id: &InstanceId) -> Result<Vec<durable::HistoryEvent>, StoreError> {
        self.single_reads.set(self.single_reads.get() + 1);
        self.inner.history(id).await
    }
    async fn histories(
        &self,
        ids: &[InstanceId],
    ) -> Result<Vec<Vec<durable::HistoryEvent>>, StoreError> {
        self.batched.borrow_mut().push(("histories", ids.len()));
        self.inner.histories(ids).await
    }
    async fn ready_work(&self, now_ms: u64, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        self.inner.ready_work(now_ms, limit).await
    }
    async fn next_due(&self, now_ms: u64) -> Result<Option<u64>, StoreError> {
        self.inner.next_due(now_ms).await
    }
    async fn query(&self, query: &InstanceQuery) -> Result<InstancePage, StoreError> {
        self.inner.query(query).await
    }
    async fn app_record(&self, store: &str, key: &str) -> Result<Option<AppRecord>, StoreError> {
        self.inner.app_record(store, key).await
    }
    async fn app_records(&self, store: &str) -> Result<Vec<AppRecord>, StoreError> {
        self.inner.app_records(store).await
    }
    async fn journal(
        &self,
        store: &str,
        prefix: &str,
    ) -> Result<Vec<durable::JournalEntry>, StoreError> {
        self.inner.journal(store, prefix).await
    }
    async fn commit(&self, batch: CommitBatch) -> Result<(), StoreError> {
        let meanwhile = self.before_next_commit.borrow_mut().take();
        if let Some(act) = meanwhile {
            act();
        }
        self.inner.commit(batch).await
    }
}

/// A tick reads the rows of the instances it runs, and the histories of
/// those it must replay (not the new ones'), in one batched read each.
#[test]
fn a_tick_reads_rows_and_histories_in_one_batch_each() {
    let mut r = Registry::new();
    waiter(&mut r);
    let store = WatchedStore::default();
    let clock = Rc::new(VirtualClock::new(1_000_000));
    let options = common::stepwise();
    let rt =
        durable::Runtime::with_options(store.clone(), r.clone(), clock.clone(), options.clone());
    for id in ["a", "b"] {
        block_on(rt.client().start("Wait", &InstanceId::new(id), &())).unwrap();
    }
    // The client's reads do not count.
    store.single_reads.set(0);
    store.batched.borrow_mut().clear();
    block_on(rt.run_until_idle()).unwrap();
    // New instances: rows read together, no history read at all.
    assert_eq!(store.batched.borrow().as_slice(), [("rows", 2)]);
    assert_eq!(store.single_reads.get(), 0);
    // After a reload, two running instances and a new one get messages.
    let rt = durable::Runtime::with_options(store.clone(), r, clock, options);
    store.batched.borrow_mut().clear();
    block_on(rt.client().start("Wait", &InstanceId::new("c"), &())).unwrap();
    for id in ["a", "b"] {
        block_on(rt.client().raise_event(&InstanceId::new(id), "E", &1)).unwrap();
    }
    store.single_reads.set(0);
    store.batched.borrow_mut().clear();
    block_on(rt.tick()).unwrap();
    assert_eq!(
        store.batched.borrow().as_slice(),
        [("rows", 3), ("histories", 2)],
        "one read for the rows, one for the two histories to replay"
    );
    assert_eq!(store.single_reads.get(), 0, "nothing read one by one");
}

/// A timer of an execution that continued as new fires later: it is stale,
/// and taken off the queue rather than left there forever.
#[test]
fn a_stale_timer_is_taken_off_the_queue() {
    let mut r = Registry::new();
    r.orchestration(
        "Gen",
        |ctx: OrchestrationContext, generation: u32| async move {
            if generation == 0 {
                let _pending = ctx.sleep(1_000);
                ctx.wait_for_event::<()>("Go").await?;
                ctx.continue_as_new(&1).await;
            }
            ctx.wait_for_event::<()>("Done").await?;
            Ok::<_, TaskError>(generation)
        },
    );
    let h = Harness::new(r);
    h.start("Gen", "g", json!(0));
    h.idle();
    h.raise("g", "Go", json!(null));
    h.idle();
    assert_eq!(h.row("g").execution, 1);
    h.run_for(2_000); // the old execution's timer falls due
    assert_eq!(h.store.queued_work(), 0, "the stale timer is gone");
    assert_eq!(h.status("g"), RuntimeStatus::Running);
}

/// An activity of an execution that continued as new completes after the
/// next execution scheduled one at the same event id: the old completion
/// is stale and never answers the new task.
#[test]
fn an_old_executions_activity_never_answers_the_new_one() {
    let mut r = Registry::new();
    r.activity("Echo", |_ctx, what: String| async move {
        Ok::<_, durable::ActivityError>(what)
    })
    .orchestration(
        "Gen",
        |ctx: OrchestrationContext, generation: u32| async move {
            if generation == 0 {
                let old = ctx.call_activity::<_, String>("Echo", &"old");
                match durable::select2(old, ctx.wait_for_event::<()>("Go")).await {
                    durable::Either::Left(r) => return r,
                    durable::Either::Right(_) => ctx.continue_as_new(&1).await,
                }
            }
            ctx.call_activity::<_, String>("Echo", &"new").await
        },
    );
    let h = Harness::with_options(r, common::stepwise());
    let g = InstanceId::new("g");
    let start = durable::Command::new()
        .start("Gen", &g, &0)
        .unwrap()
        .raise(&g, "Go", &())
        .unwrap();
    block_on(h.client().apply(start)).unwrap();
    h.idle();
    assert_eq!(h.row("g").output, Some(json!("new")), "{:?}", h.kinds("g"));
}

/// `FirstOfTwo` (returns the first two `E` events it takes, in order) on
/// one store, with a runtime here and another elsewhere (as another tab).
fn two_tabs_first_of_two() -> (
    InMemoryStore,
    durable::Runtime<InMemoryStore>,
    durable::Runtime<InMemoryStore>,
) {
    let mut r = Registry::new();
    r.orchestration(
        "FirstOfTwo",
        |ctx: OrchestrationContext, _: ()| async move {
            let first = ctx.wait_for_event::<u32>("E").await?;
            let second = ctx.wait_for_event::<u32>("E").await?;
            Ok::<_, TaskError>(vec![first, second])
        },
    );
    let store = InMemoryStore::new();
    let clock = Rc::new(VirtualClock::new(1_000_000));
    let here =
        durable::Runtime::with_options(store.clone(), r.clone(), clock.clone(), common::stepwise());
    let elsewhere = durable::Runtime::with_options(store.clone(), r, clock, common::stepwise());
    (store, here, elsewhere)
}

/// An event this tab raised is handed to its runtime in memory; one raised
/// by another tab and committed first is still delivered first: the turn
/// on the handed event is refused while the earlier one waits, and the
/// store read that follows takes both in commit order.
#[test]
fn an_event_handed_over_in_memory_never_overtakes_one_committed_first() {
    let (_, here, elsewhere) = two_tabs_first_of_two();
    let id = InstanceId::new("x");
    block_on(here.client().start("FirstOfTwo", &id, &())).unwrap();
    block_on(here.run_until_idle()).unwrap();
    // Another tab's event commits first, then this tab's.
    block_on(elsewhere.client().raise_event(&id, "E", &1)).unwrap();
    block_on(here.client().raise_event(&id, "E", &2)).unwrap();
    let handed = block_on(here.tick()).unwrap();
    assert_eq!(
        (handed.turns, handed.conflicts),
        (0, 1),
        "the handed event's turn is refused while the earlier one waits"
    );
    block_on(here.run_until_idle()).unwrap();
    let row = block_on(here.client().status(&id)).unwrap().unwrap();
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!([1, 2])), "commit order");
}

/// With nothing committed elsewhere, the handed event's turn needs no read
/// of the store: the tick takes it from memory and commits once.
#[test]
fn an_event_handed_over_in_memory_is_delivered_without_a_store_read() {
    let mut r = Registry::new();
    waiter(&mut r);
    let store = WatchedStore::default();
    let clock = Rc::new(VirtualClock::new(1_000_000));
    let rt = durable::Runtime::with_options(store.clone(), r, clock, common::stepwise());
    let id = InstanceId::new("x");
    block_on(rt.client().start("Wait", &id, &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    block_on(rt.client().raise_event(&id, "E", &7)).unwrap();
    let commits = store.inner.commit_count();
    let report = block_on(rt.tick()).unwrap();
    assert!(!rt.last_tick_read_store(), "taken from memory");
    assert_eq!((report.turns, report.commits), (1, 1));
    assert_eq!(store.inner.commit_count(), commits + 1);
    let row = block_on(rt.client().status(&id)).unwrap().unwrap();
    assert_eq!(row.output, Some(json!(7)));
}

/// `Runtime::raise_event` on a live instance commits the event and its
/// turn together (one commit, nothing queued); on one that is not live it
/// queues the event; and it too never overtakes an event committed first
/// elsewhere.
#[test]
fn a_runtime_raise_commits_the_event_with_its_turn_and_never_overtakes() {
    let (store, here, elsewhere) = two_tabs_first_of_two();
    let (direct, queued) = (InstanceId::new("direct"), InstanceId::new("queued"));
    for id in [&direct, &queued] {
        block_on(here.client().start("FirstOfTwo", id, &())).unwrap();
    }
    block_on(here.run_until_idle()).unwrap();
    let commits = store.commit_count();
    block_on(here.raise_event(&direct, "E", &1)).unwrap();
    assert_eq!(
        store.commit_count(),
        commits + 1,
        "the event and its turn: one commit"
    );
    assert_eq!(store.queued_work(), 0, "nothing queued");
    let row = block_on(here.client().status(&direct)).unwrap().unwrap();
    assert_eq!(row.turns, 2, "the turn committed with the event");
    // Another tab's event commits first: the direct raise must not pass it.
    block_on(elsewhere.client().raise_event(&direct, "E", &2)).unwrap();
    block_on(here.raise_event(&direct, "E", &3)).unwrap();
    block_on(here.run_until_idle()).unwrap();
    let row = block_on(here.client().status(&direct)).unwrap().unwrap();
    assert_eq!(row.output, Some(json!([1, 2])), "commit order");
    // Not live here: queued, and delivered by the next tick.
    here.evict_all();
    block_on(here.raise_event(&queued, "E", &5)).unwrap();
    assert_eq!(store.queued_work(), 1, "queued for the dispatcher");
    block_on(here.raise_event(&queued, "E", &6)).unwrap();
    block_on(here.run_until_idle()).unwrap();
    let row = block_on(here.client().status(&queued)).unwrap().unwrap();
    assert_eq!(row.output, Some(json!([5, 6])));
}

/// Which of two durable waits finishes first, 0 or 1, through `when_any`
/// (which cancels the loser).
async fn first_of<'a>(
    a: impl std::future::Future<Output = ()> + 'a,
    b: impl std::future::Future<Output = ()> + 'a,
) -> usize {
    let waits: [std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>; 2] =
        [Box::pin(a), Box::pin(b)];
    durable::when_any(waits).await.0
}

/// The turn a runtime raise commits keeps everything else the turn does
/// to the queue: here the event beats a timer, whose cancellation takes the
/// timer off the queue in the same commit.
#[test]
fn a_runtime_raise_that_beats_a_timer_takes_the_timer_off_the_queue() {
    let mut r = Registry::new();
    r.orchestration(
        "EventOrTimeout",
        |ctx: OrchestrationContext, _: ()| async move {
            let timer = ctx.sleep(3_600_000);
            let event = async {
                let _ = ctx.wait_for_event::<u32>("E").await;
            };
            Ok::<_, TaskError>(first_of(timer, event).await)
        },
    );
    let h = Harness::with_options(r, common::stepwise());
    let (store, rt) = (&h.store, &h.rt);
    let id = InstanceId::new("race");
    block_on(rt.client().start("EventOrTimeout", &id, &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    assert_eq!(store.queued_work(), 1, "the timer is queued");
    let commits = store.commit_count();
    block_on(rt.raise_event(&id, "E", &1)).unwrap();
    assert_eq!(store.commit_count(), commits + 1, "one commit");
    let row = block_on(rt.client().status(&id)).unwrap().unwrap();
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!(1)), "the event won");
    assert_eq!(store.queued_work(), 0, "the cancelled timer left the queue");
    assert_eq!(block_on(rt.next_due()).unwrap(), None);
}

/// Work the runtime queued itself and messages its clients handed over run
/// in the order their commits finished: a child's answer committed before
/// an event raised in this tab reaches the parent first.
#[test]
fn a_childs_answer_committed_first_is_delivered_before_a_later_handed_event() {
    let mut r = Registry::new();
    r.orchestration("Quick", |_ctx: OrchestrationContext, _: ()| async move {
        Ok::<_, TaskError>("child")
    })
    .orchestration("Parent", |ctx: OrchestrationContext, _: ()| async move {
        let child = async {
            let _ = ctx
                .call_sub_orchestration::<_, String>("Quick", &(), None)
                .await;
        };
        let event = async {
            let _ = ctx.wait_for_event::<u32>("E").await;
        };
        Ok::<_, TaskError>(first_of(child, event).await)
    });
    let h = Harness::with_options(r, common::stepwise());
    let rt = &h.rt;
    let parent = InstanceId::new("p");
    block_on(rt.client().start("Parent", &parent, &())).unwrap();
    // Tick until the child has answered (its answer queued for the parent).
    let child_done = || {
        block_on(rt.client().query(&InstanceQuery::default()))
            .unwrap()
            .instances
            .iter()
            .any(|r| r.id != parent && r.status == RuntimeStatus::Completed)
    };
    let mut ticks = 0;
    while !child_done() {
        block_on(rt.tick()).unwrap();
        ticks += 1;
        assert!(ticks < 20, "the child never answered");
    }
    assert_eq!(
        block_on(rt.client().status(&parent))
            .unwrap()
            .unwrap()
            .status,
        RuntimeStatus::Running,
        "the parent has not taken the answer yet"
    );
    block_on(rt.client().raise_event(&parent, "E", &1)).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    let row = block_on(rt.client().status(&parent)).unwrap().unwrap();
    assert_eq!(row.output, Some(json!(0)), "the child's answer came first");
}

/// When the turn a runtime raise would commit fails to write (the storage
/// refuses it), the event alone is still queued, and delivered later.
#[test]
fn a_runtime_raise_whose_turn_fails_to_commit_queues_the_event() {
    let mut r = Registry::new();
    waiter(&mut r);
    let h = Harness::with_options(r, common::stepwise());
    let (store, rt) = (&h.store, &h.rt);
    let id = InstanceId::new("w");
    block_on(rt.client().start("Wait", &id, &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    store.fail_next_commits(1);
    block_on(rt.raise_event(&id, "E", &9)).unwrap();
    assert_eq!(store.queued_work(), 1, "the event is queued");
    block_on(rt.run_until_idle()).unwrap();
    let row = block_on(rt.client().status(&id)).unwrap().unwrap();
    assert_eq!(row.output, Some(json!(9)));
}

/// A timer that falls due between the dispatcher's last look at the store
/// and the host's question "when next?" is still reported (in the past), so
/// the host runs at once instead of sleeping past it. (A browser test saw
/// a host sleep for an hour with a 10 ms timer due.)
#[test]
fn a_timer_due_since_the_last_look_is_still_next() {
    let mut r = Registry::new();
    r.orchestration("Nap", |ctx: OrchestrationContext, _: ()| async move {
        ctx.sleep(10).await;
        Ok::<_, TaskError>(())
    });
    let h = Harness::new(r);
    h.start("Nap", "nap", json!(null));
    h.idle();
    let due = h.clock.now_ms() + 10;
    assert_eq!(block_on(h.rt.next_due()).unwrap(), Some(due));
    // The host is slow to ask: the timer fell due meanwhile.
    h.clock.set(due + 5);
    assert_eq!(block_on(h.rt.next_due()).unwrap(), Some(due));
    h.idle();
    assert_eq!(h.status("nap"), RuntimeStatus::Completed);
    assert_eq!(block_on(h.rt.next_due()).unwrap(), None);
}
