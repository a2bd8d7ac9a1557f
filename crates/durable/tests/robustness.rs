//! Robustness at the edges of the API: durations that mean "never", a
//! continue-as-new that is called but not awaited, completions that answer
//! nothing the execution scheduled, and activity options. Each test failed
//! before its fix, for the reason its name gives, unless its comment says
//! it guards something that already held.

mod common;

use std::pin::Pin;

use common::{poll_once, stepwise, Harness};
use durable::testing::block_on;
use durable::{
    check_replay, decode_event, select2, ActivityOptions, ActivityTask, Clock, CommitBatch, Either,
    EventKind, HistoryEvent, InstanceId, Message, OrchestrationContext, Registry, RetryPolicy,
    RuntimeStatus, Store, TaskError, VirtualClock, WorkId, WorkItem, WorkKind,
};
use serde_json::json;

// ---------------------------------------------------------------------------
// 1. Durations saturate: u64::MAX is "never".
// ---------------------------------------------------------------------------

/// `sleep(u64::MAX)` raced with an event: the sleep does not overflow the
/// orchestration time (it used to panic on `now + ms`), no host is asked to
/// arm a timer for it, moving the clock as far as it goes never fires it,
/// and the event wins and completes the instance.
#[test]
fn sleeping_forever_loses_to_an_event_and_never_fires() {
    let mut r = Registry::new();
    r.orchestration("Forever", |ctx: OrchestrationContext, _: ()| async move {
        match select2(ctx.wait_for_event::<u32>("go"), ctx.sleep(u64::MAX)).await {
            Either::Left(v) => v,
            Either::Right(()) => Ok(0),
        }
    });
    let h = Harness::new(r);
    h.start("Forever", "f", json!(null));
    h.idle();
    assert_eq!(h.status("f"), RuntimeStatus::Running);
    assert_eq!(
        block_on(h.rt.next_due()).unwrap(),
        None,
        "a timer due never is not reported as due"
    );
    h.clock.set(u64::MAX);
    h.idle();
    assert_eq!(
        h.status("f"),
        RuntimeStatus::Running,
        "the timer never fires"
    );
    assert_eq!(h.count("f", "TimerFired"), 0);
    h.raise("f", "go", json!(7));
    h.idle();
    assert_eq!(h.status("f"), RuntimeStatus::Completed);
    assert_eq!(h.row("f").output, Some(json!(7)));
    assert_eq!(h.count("f", "TimerFired"), 0);
    assert_eq!(h.count("f", "TimerCancelled"), 1, "the loser is cancelled");
}

/// `wait_for_event_timeout` with `u64::MAX` is a wait without a deadline:
/// it used to panic computing the deadline.
#[test]
fn an_event_wait_with_an_endless_timeout_takes_the_event() {
    let mut r = Registry::new();
    r.orchestration("Wait", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event_timeout::<u32>("go", u64::MAX).await
    });
    let h = Harness::new(r);
    h.start("Wait", "w", json!(null));
    h.idle();
    assert_eq!(block_on(h.rt.next_due()).unwrap(), None);
    h.raise("w", "go", json!(3));
    h.idle();
    assert_eq!(h.status("w"), RuntimeStatus::Completed);
    assert_eq!(h.row("w").output, Some(json!(3)));
}

/// A retry policy whose interval is `u64::MAX` waits forever between
/// attempts: the retry timer does not overflow (it used to panic) and never
/// fires, so the activity is tried once and the instance waits.
#[test]
fn a_retry_that_waits_forever_neither_panics_nor_fires() {
    let mut r = Registry::new();
    r.activity("Fail", |_ctx, _: ()| async move { Err::<(), _>("down") })
        .orchestration("Retry", |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_activity_with_retry::<_, ()>("Fail", &(), RetryPolicy::new(3, u64::MAX))
                .await
        });
    let h = Harness::new(r);
    h.start("Retry", "r", json!(null));
    h.idle();
    h.clock.set(u64::MAX);
    h.idle();
    assert_eq!(h.status("r"), RuntimeStatus::Running);
    assert_eq!(h.count("r", "TaskScheduled"), 1);
    assert_eq!(block_on(h.rt.next_due()).unwrap(), None);
}

/// Retry arithmetic with extreme values returns without panicking
/// (`elapsed_ms + delay` used to overflow), and a huge attempt number does
/// not wrap the backoff exponent negative (it used to shrink the delay).
#[test]
fn retry_arithmetic_with_extreme_values_saturates() {
    let huge = RetryPolicy::new(u32::MAX, u64::MAX)
        .with_backoff(f64::MAX, u64::MAX)
        .with_timeout(u64::MAX);
    for attempt in [2, 3, 64, 1_000, i32::MAX as u32, u32::MAX] {
        for elapsed in [0, 1, u64::MAX - 1, u64::MAX] {
            assert_eq!(
                huge.delay_before(attempt, elapsed),
                Some(u64::MAX),
                "attempt {attempt} after {elapsed} ms"
            );
        }
    }
    let limited = RetryPolicy::new(5, 1_000).with_timeout(10_000);
    assert_eq!(limited.delay_before(2, u64::MAX), None, "past the limit");
    let doubling = RetryPolicy::new(u32::MAX, 100).with_backoff(2.0, 1_000);
    assert_eq!(doubling.delay_before(u32::MAX, 0), Some(1_000));
    assert_eq!(doubling.delay_before(u32::MAX - 1, 0), Some(1_000));
}

/// The virtual clock saturates: advancing it by `u64::MAX` used to panic,
/// and a sleep of `u64::MAX` (used to panic too) never ends, while a short
/// one does.
#[test]
fn the_virtual_clock_saturates() {
    let clock = VirtualClock::new(5);
    let mut forever = clock.sleep(u64::MAX);
    let mut short = clock.sleep(10);
    clock.advance(u64::MAX);
    assert_eq!(clock.now_ms(), u64::MAX);
    clock.advance(1);
    assert_eq!(clock.now_ms(), u64::MAX);
    assert_eq!(poll_once(Pin::new(&mut short)), Some(()));
    assert_eq!(poll_once(Pin::new(&mut forever)), None, "never is never");
    let mut later = clock.sleep(1);
    assert_eq!(
        poll_once(Pin::new(&mut later)),
        None,
        "the clock is at its end"
    );
}

// ---------------------------------------------------------------------------
// 3. A continue-as-new that is called is not dropped.
// ---------------------------------------------------------------------------

/// `continue_as_new` records the decision when it is called, as DTFx's
/// ContinueAsNew call does: code that calls it without awaiting it and then
/// returns a value continues as new (the request wins over the value). It
/// used to end the instance Completed with the value.
#[test]
fn continue_as_new_called_but_not_awaited_still_continues() {
    let mut r = Registry::new();
    r.orchestration("Gen", |ctx: OrchestrationContext, n: u32| async move {
        if n < 2 {
            drop(ctx.continue_as_new(&(n + 1)));
        }
        Ok::<_, TaskError>(n)
    });
    let h = Harness::new(r);
    h.start("Gen", "g", json!(0));
    h.idle();
    let row = h.row("g");
    assert_eq!(row.status, RuntimeStatus::Completed);
    assert_eq!(row.output, Some(json!(2)), "the last generation's value");
    assert_eq!(row.execution, 2, "two continues-as-new");
}

/// A continue-as-new requested before the code fails does not hide the
/// failure: the instance fails, as in DTFx. (This held before; it guards
/// the test above's fix from letting the request win over an error too.)
#[test]
fn a_failure_after_a_continue_as_new_request_fails() {
    let mut r = Registry::new();
    r.orchestration("Gen", |ctx: OrchestrationContext, n: u32| async move {
        drop(ctx.continue_as_new(&(n + 1)));
        Err::<u32, _>("broken".to_string())
    });
    let h = Harness::new(r);
    h.start("Gen", "g", json!(0));
    h.idle();
    let row = h.row("g");
    assert_eq!(row.status, RuntimeStatus::Failed);
    assert_eq!(row.execution, 0);
}

// ---------------------------------------------------------------------------
// 4. Completions are checked against what the execution scheduled.
// ---------------------------------------------------------------------------

/// Queues `event` for instance `id` (execution 0) straight through the
/// store, as a corrupt or forged queue would hold it.
fn forge(h: &Harness, id: &str, event: EventKind) {
    let message = Message {
        instance_id: InstanceId::new(id),
        execution: Some(0),
        incarnation: None,
        event,
        due_ms: None,
    };
    block_on(h.store.commit(CommitBatch {
        enqueue: vec![WorkItem::message(WorkId(format!("forged:{id}")), message)],
        ..Default::default()
    }))
    .expect("commit the forged message");
}

/// The id of the first event of `kind` in the history of `id`.
fn event_id(h: &Harness, id: &str, kind: &str) -> u64 {
    h.history(id)
        .iter()
        .find(|e| e.kind.name() == kind)
        .unwrap_or_else(|| panic!("no {kind} in the history of {id}"))
        .event_id
}

fn failure(h: &Harness, id: &str) -> String {
    let row = h.row(id);
    assert_eq!(row.status, RuntimeStatus::Failed, "{row:?}");
    row.failure.unwrap_or_default()
}

fn napper() -> Registry {
    let mut r = Registry::new();
    r.orchestration("Nap", |ctx: OrchestrationContext, _: ()| async move {
        ctx.sleep(60_000).await;
        Ok::<_, TaskError>("woke")
    });
    r
}

/// A TaskCompleted that answers a timer's id is a completion of the wrong
/// kind: the instance fails with NonDeterminism naming both events. It used
/// to fire the timer early.
#[test]
fn a_task_completion_for_a_timer_fails_the_instance() {
    let h = Harness::new(napper());
    h.start("Nap", "n", json!(null));
    h.idle();
    let timer = event_id(&h, "n", "TimerCreated");
    forge(
        &h,
        "n",
        EventKind::TaskCompleted {
            scheduled_id: timer,
            result: json!(null),
            compute_ms: 0.0,
        },
    );
    h.idle();
    let failure = failure(&h, "n");
    assert!(
        failure.contains(&format!(
            "TaskCompleted answers event {timer}, which is TimerCreated"
        )),
        "{failure}"
    );
    assert!(failure.contains("NonDeterminism"), "{failure}");
}

/// A completion for an id nothing scheduled fails the instance in the turn
/// it arrives, naming the id. It used to be written into the history while
/// the instance stayed Running.
#[test]
fn a_completion_for_an_unknown_id_fails_the_instance() {
    let h = Harness::new(napper());
    h.start("Nap", "n", json!(null));
    h.idle();
    forge(
        &h,
        "n",
        EventKind::TaskFailed {
            scheduled_id: 9,
            error: "?".into(),
            compute_ms: 0.0,
        },
    );
    h.idle();
    let failure = failure(&h, "n");
    assert!(
        failure.contains("TaskFailed answers event 9, which nothing scheduled"),
        "{failure}"
    );
}

/// A TimerFired that answers an activity's id is the wrong kind too; it
/// used to complete the activity with `null`. The instance fails in the
/// turn the bad completion arrives.
#[test]
fn a_timer_firing_for_an_activity_fails_the_instance() {
    let mut r = Registry::new();
    r.activity("Work", |_ctx, _: ()| async move { Ok::<_, String>(()) })
        .orchestration("Call", |ctx: OrchestrationContext, _: ()| async move {
            ctx.call_activity::<_, ()>("Work", &()).await?;
            ctx.wait_for_event::<()>("never").await
        });
    let h = Harness::new(r);
    h.start("Call", "c", json!(null));
    // The start turn records OrchestratorStarted (0), ExecutionStarted (1),
    // then the activity's TaskScheduled (2).
    let task = 2;
    forge(
        &h,
        "c",
        EventKind::TimerFired {
            scheduled_id: task,
            fire_at_ms: 0,
        },
    );
    h.idle();
    assert_eq!(event_id(&h, "c", "TaskScheduled"), task);
    let failure = failure(&h, "c");
    assert!(
        failure.contains(&format!(
            "TimerFired answers event {task}, which is TaskScheduled"
        )),
        "{failure}"
    );
    let kinds = h.kinds("c");
    let fired = kinds.iter().position(|k| *k == "TimerFired").unwrap();
    let failed = kinds.iter().position(|k| *k == "ExecutionFailed").unwrap();
    assert!(
        fired < failed && !kinds[fired..failed].contains(&"OrchestratorStarted"),
        "failed in the turn it arrived: {kinds:?}"
    );
}

/// A sub-orchestration's result that answers a detached start: nothing
/// waits for a detached child, so it is the wrong kind of answer. It used
/// to be taken silently.
#[test]
fn a_child_result_for_a_detached_start_fails_the_instance() {
    let mut r = Registry::new();
    r.orchestration("Child", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<()>("never").await
    })
    .orchestration("Parent", |ctx: OrchestrationContext, _: ()| async move {
        ctx.start_orchestration("Child", &(), Some("kid"));
        ctx.wait_for_event::<u32>("go").await
    });
    let h = Harness::new(r);
    h.start("Parent", "p", json!(null));
    h.idle();
    let start = event_id(&h, "p", "SubOrchestrationInstanceCreated");
    forge(
        &h,
        "p",
        EventKind::SubOrchestrationInstanceCompleted {
            scheduled_id: start,
            result: json!(1),
        },
    );
    h.idle();
    let failure = failure(&h, "p");
    assert!(
        failure.contains(&format!(
            "SubOrchestrationInstanceCompleted answers event {start}, which is a detached SubOrchestrationInstanceCreated"
        )),
        "{failure}"
    );
}

// ---------------------------------------------------------------------------
// 5. Activity options: a per-attempt timeout carried to the dispatcher, and
//    errors a retry policy does not retry.
// ---------------------------------------------------------------------------

/// `Charge` fails with its input as the error message.
fn charging(policy: RetryPolicy) -> Registry {
    let mut r = Registry::new();
    r.activity(
        "Charge",
        |_ctx, why: String| async move { Err::<(), _>(why) },
    )
    .orchestration("Pay", move |ctx: OrchestrationContext, why: String| {
        let policy = policy.clone();
        async move {
            ctx.call_activity_with_retry::<_, ()>("Charge", &why, policy)
                .await
        }
    });
    r
}

/// An error the policy names as not retryable (by its message's prefix)
/// ends the call at its first attempt; any other error is tried as often
/// as the policy says.
#[test]
fn a_non_retryable_error_is_tried_once_and_a_retryable_one_three_times() {
    let policy = RetryPolicy::new(3, 1_000).with_non_retryable(["card declined"]);
    let h = Harness::new(charging(policy));
    h.start(
        "Pay",
        "declined",
        json!("card declined: insufficient funds"),
    );
    h.start("Pay", "flaky", json!("network down"));
    h.run_for(60_000);
    assert_eq!(h.status("declined"), RuntimeStatus::Failed);
    assert_eq!(h.count("declined", "TaskScheduled"), 1, "tried once");
    assert_eq!(
        h.count("declined", "TimerCreated"),
        0,
        "no retry waited for"
    );
    assert_eq!(h.status("flaky"), RuntimeStatus::Failed);
    assert_eq!(h.count("flaky", "TaskScheduled"), 3, "tried three times");
}

/// A retry policy written before non-retryable errors existed still
/// decodes, and one without them encodes as before.
#[test]
fn a_retry_policy_without_non_retryable_errors_serializes_as_before() {
    let old = r#"{"first_interval_ms":10,"backoff_coefficient":1.0,"max_interval_ms":20,"max_attempts":3,"retry_timeout_ms":null}"#;
    let policy: RetryPolicy = serde_json::from_str(old).unwrap();
    assert_eq!(policy, RetryPolicy::new(3, 10).with_backoff(1.0, 20));
    assert_eq!(serde_json::to_string(&policy).unwrap(), old);
    let named = policy.with_non_retryable(["card declined"]);
    let json = serde_json::to_string(&named).unwrap();
    assert!(
        json.ends_with(r#","non_retryable":["card declined"]}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<RetryPolicy>(&json).unwrap(), named);
}

/// A TaskScheduled without a timeout is stored exactly as before the field
/// existed, and a stored one decodes to an equal event; likewise the
/// activity task it derives.
#[test]
fn a_task_scheduled_without_a_timeout_serializes_as_before() {
    let stored =
        r#"{"event_id":2,"timestamp_ms":5,"kind":{"TaskScheduled":{"name":"A","input":{"x":1}}}}"#;
    let event = HistoryEvent {
        event_id: 2,
        timestamp_ms: 5,
        kind: EventKind::TaskScheduled {
            name: "A".into(),
            input: json!({"x": 1}),
            timeout_ms: None,
        },
    };
    assert_eq!(serde_json::to_string(&event).unwrap(), stored);
    assert_eq!(
        decode_event(0, serde_json::from_str(stored).unwrap()),
        Ok(event)
    );
    let timed = EventKind::TaskScheduled {
        name: "A".into(),
        input: json!(1),
        timeout_ms: Some(500),
    };
    assert_eq!(
        serde_json::to_string(&timed).unwrap(),
        r#"{"TaskScheduled":{"name":"A","input":1,"timeout_ms":500}}"#
    );

    let stored_task = r#"{"instance_id":"i","execution":0,"scheduled_id":2,"name":"A","input":1}"#;
    let task = ActivityTask {
        instance_id: InstanceId::new("i"),
        execution: 0,
        incarnation: String::new(),
        scheduled_id: 2,
        name: "A".into(),
        input: json!(1),
        timeout_ms: None,
    };
    assert_eq!(serde_json::to_string(&task).unwrap(), stored_task);
    assert_eq!(
        serde_json::from_str::<ActivityTask>(stored_task).unwrap(),
        task
    );
}

/// The queued activity tasks of instance `id`.
fn queued_tasks(h: &Harness, id: &str) -> Vec<ActivityTask> {
    block_on(h.store.ready_work(h.clock.now_ms(), 100))
        .unwrap()
        .into_iter()
        .filter_map(|w| match w.kind {
            WorkKind::Activity(t) if t.instance_id.as_str() == id => Some(t),
            _ => None,
        })
        .collect()
}

/// The timeouts the TaskScheduled events of instance `id` record.
fn scheduled_timeouts(h: &Harness, id: &str) -> Vec<Option<u64>> {
    h.history(id)
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::TaskScheduled { timeout_ms, .. } => Some(timeout_ms),
            _ => None,
        })
        .collect()
}

/// `call_activity_with_options` records the per-attempt timeout on every
/// attempt's TaskScheduled and hands it to the dispatcher on the queued
/// activity task; its retry policy retries as `call_activity_with_retry`
/// does.
#[test]
fn activity_options_carry_the_timeout_to_every_attempt() {
    let mut r = Registry::new();
    r.activity("Fail", |_ctx, _: ()| async move { Err::<(), _>("down") })
        .orchestration("Call", |ctx: OrchestrationContext, _: ()| async move {
            let options = ActivityOptions::new()
                .with_start_to_close(500)
                .with_retry(RetryPolicy::new(2, 1_000));
            ctx.call_activity_with_options::<_, ()>("Fail", &(), options)
                .await
        });
    let h = Harness::with_options(r, stepwise());
    h.start("Call", "c", json!(null));
    block_on(h.rt.tick()).unwrap();
    let queued = queued_tasks(&h, "c");
    assert_eq!(queued.len(), 1, "the first attempt is queued");
    assert_eq!(queued[0].timeout_ms, Some(500));
    h.run_for(60_000);
    assert_eq!(h.status("c"), RuntimeStatus::Failed);
    assert_eq!(scheduled_timeouts(&h, "c"), [Some(500), Some(500)]);
}

/// A rewind queues the failed activity again with the timeout its
/// TaskScheduled recorded.
#[test]
fn a_rewound_activity_keeps_its_timeout() {
    let mut r = Registry::new();
    r.activity("Fail", |_ctx, _: ()| async move { Err::<(), _>("down") })
        .orchestration("Call", |ctx: OrchestrationContext, _: ()| async move {
            let options = ActivityOptions::new().with_start_to_close(700);
            ctx.call_activity_with_options::<_, ()>("Fail", &(), options)
                .await
        });
    let h = Harness::new(r);
    h.start("Call", "c", json!(null));
    h.idle();
    assert_eq!(h.status("c"), RuntimeStatus::Failed);
    h.rewind("c", "try again");
    let queued = queued_tasks(&h, "c");
    assert_eq!(queued.len(), 1, "the failed activity is queued again");
    assert_eq!(queued[0].timeout_ms, Some(700));
}

/// The timeout is how the dispatcher runs a task, not a decision of the
/// code: a build that changes it still replays histories recorded with
/// the old one.
#[test]
fn a_changed_timeout_still_replays() {
    let with_timeout = |ms: u64| {
        let mut r = Registry::new();
        r.activity("Work", |_ctx, _: ()| async move { Ok::<_, String>(1u32) })
            .orchestration("Call", move |ctx: OrchestrationContext, _: ()| async move {
                let options = ActivityOptions::new().with_start_to_close(ms);
                ctx.call_activity_with_options::<_, u32>("Work", &(), options)
                    .await
            });
        r
    };
    let h = Harness::new(with_timeout(500));
    h.start("Call", "c", json!(null));
    h.idle();
    assert_eq!(h.status("c"), RuntimeStatus::Completed);
    let report =
        check_replay(&with_timeout(900), &InstanceId::new("c"), &h.history("c")).expect("replays");
    assert_eq!(report.actions, 1);
}
