//! Stepping through a history: at each event, the custom status the code
//! had set, what it waited on and which later event answers each wait,
//! rebuilt by replay; a build that does not replay the history says where.

mod common;

use common::{with_narrate, Harness};
use durable::{
    step_through, Awaited, EventKind, HistoryEvent, InstanceId, NonDeterminism,
    OrchestrationContext, Registry, Step, TaskError,
};
use serde_json::json;

/// `status("asking"); narrate("hi"); status("waiting");
/// race(event "Go", 10 s timer); status("done")`
async fn asks(ctx: OrchestrationContext, _: ()) -> Result<String, TaskError> {
    ctx.set_custom_status(&"asking");
    ctx.call_activity::<_, String>("Narrate", &"hi").await?;
    ctx.set_custom_status(&"waiting");
    let answer = ctx.wait_for_event_timeout::<String>("Go", 10_000).await;
    ctx.set_custom_status(&"done");
    Ok(answer.unwrap_or_else(|_| "late".into()))
}

fn registry() -> Registry {
    let mut r = Registry::new();
    with_narrate(&mut r).orchestration("Asks", asks);
    r
}

fn recorded() -> Vec<HistoryEvent> {
    let h = Harness::new(registry());
    h.start("Asks", "a", json!(null));
    h.idle();
    h.raise("a", "Go", json!("yes"));
    h.idle();
    h.history("a")
}

fn id_of(history: &[HistoryEvent], kind: &str) -> u64 {
    history
        .iter()
        .find(|e| e.kind.name() == kind)
        .expect(kind)
        .event_id
}

fn step(steps: &[Step], event_id: u64) -> &Step {
    steps
        .iter()
        .find(|s| s.event_id == event_id)
        .expect("a step per event")
}

#[test]
fn each_event_shows_the_status_and_the_waits_with_what_answers_them() {
    let history = recorded();
    let steps = step_through(&registry(), &InstanceId::new("a"), &history).unwrap();
    assert_eq!(steps.len(), history.len(), "one step per event");

    let scheduled = id_of(&history, "TaskScheduled");
    let completed = id_of(&history, "TaskCompleted");
    let timer = id_of(&history, "TimerCreated");
    let raised = id_of(&history, "EventRaised");
    let at_scheduled = step(&steps, scheduled);
    assert_eq!(at_scheduled.custom_status, Some(json!("asking")));
    assert_eq!(
        at_scheduled
            .waits
            .iter()
            .map(|w| (&w.awaited, w.answered_by))
            .collect::<Vec<_>>(),
        [(
            &Awaited::Activity {
                name: "Narrate".into()
            },
            Some(completed)
        )],
        "the activity is awaited and its completion answers it"
    );
    let at_timer = step(&steps, timer);
    assert_eq!(at_timer.custom_status, Some(json!("waiting")));
    let waits: Vec<&Awaited> = at_timer.waits.iter().map(|w| &w.awaited).collect();
    assert!(
        waits.contains(&&Awaited::Event { name: "Go".into() }),
        "{waits:?}"
    );
    assert!(
        waits.iter().any(|a| matches!(a, Awaited::Timer { .. })),
        "{waits:?}"
    );
    let go = at_timer
        .waits
        .iter()
        .find(|w| matches!(w.awaited, Awaited::Event { .. }));
    assert_eq!(
        go.and_then(|w| w.answered_by),
        Some(raised),
        "the raised event answers it"
    );
    assert!(
        !at_timer
            .waits
            .iter()
            .any(|w| matches!(w.awaited, Awaited::Activity { .. })),
        "the answered activity is no longer awaited"
    );
    let last = steps.last().unwrap();
    assert_eq!(last.custom_status, Some(json!("done")));
    assert!(
        last.waits.is_empty(),
        "a finished execution waits on nothing"
    );
    assert!(matches!(last.outcome, Some(durable::Outcome::Completed(ref v)) if *v == json!("yes")));
    assert!(steps
        .iter()
        .filter(|s| s.event_id < scheduled)
        .all(|s| s.outcome.is_none()));
    assert!(history
        .iter()
        .any(|e| matches!(e.kind, EventKind::TimerCancelled { .. })));
}

#[test]
fn a_build_that_does_not_replay_the_history_says_where() {
    let history = recorded();
    let mut changed = Registry::new();
    with_narrate(&mut changed).orchestration(
        "Asks",
        |ctx: OrchestrationContext, _: ()| async move {
            ctx.sleep(5).await;
            Ok::<_, TaskError>(String::new())
        },
    );
    let err = step_through(&changed, &InstanceId::new("a"), &history).unwrap_err();
    assert!(
        matches!(err, NonDeterminism::Mismatch { position: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn waiting_on_is_what_the_last_event_left_open() {
    let h = Harness::new(registry());
    h.start("Asks", "a", json!(null));
    h.idle();
    let waits = durable::waiting_on(&registry(), &InstanceId::new("a"), &h.history("a")).unwrap();
    let what: Vec<&Awaited> = waits.iter().map(|w| &w.awaited).collect();
    assert_eq!(what.len(), 2, "{what:?}");
    assert!(what.contains(&&Awaited::Event { name: "Go".into() }));
    assert!(what.iter().any(|a| matches!(a, Awaited::Timer { .. })));
    assert!(
        waits.iter().all(|w| w.answered_by.is_none()),
        "nothing answered them yet"
    );
    h.raise("a", "Go", json!("yes"));
    h.idle();
    let done = durable::waiting_on(&registry(), &InstanceId::new("a"), &h.history("a")).unwrap();
    assert!(done.is_empty(), "{done:?}");
}

/// A sub-orchestration that lost a race to a timer stays unanswered in the
/// history, but the parent no longer waits on it.
#[test]
fn a_wait_that_lost_a_race_is_no_longer_waited_on() {
    let mut r = Registry::new();
    r.orchestration("Child", |ctx: OrchestrationContext, _: ()| async move {
        ctx.wait_for_event::<()>("Never").await
    })
    .orchestration("Racer", |ctx: OrchestrationContext, _: ()| async move {
        let child = ctx.call_sub_orchestration::<_, ()>("Child", &(), None);
        let _ = durable::select2(child, ctx.sleep(1_000)).await;
        ctx.wait_for_event::<()>("Next").await
    });
    let h = Harness::new(r.clone());
    h.start("Racer", "r", json!(null));
    h.idle();
    let racing = durable::waiting_on(&r, &InstanceId::new("r"), &h.history("r")).unwrap();
    assert_eq!(racing.len(), 2, "the child and the timer: {racing:?}");
    h.run_for(2_000);
    let waits = durable::waiting_on(&r, &InstanceId::new("r"), &h.history("r")).unwrap();
    let what: Vec<&Awaited> = waits.iter().map(|w| &w.awaited).collect();
    assert_eq!(
        what,
        [&Awaited::Event {
            name: "Next".into()
        }]
    );
}

/// Two waits at once: the one answered closes, the other stays open; and a
/// wait for an event the code takes again is answered by the next one, not
/// by the event just taken.
#[test]
fn one_answer_closes_only_its_wait_and_a_repeated_wait_looks_ahead() {
    let mut r = Registry::new();
    with_narrate(&mut r)
        .orchestration("Both", |ctx: OrchestrationContext, _: ()| async move {
            let (said, _) = durable::join2(
                ctx.call_activity::<_, String>("Narrate", &"hi"),
                ctx.sleep(10_000),
            )
            .await;
            said.map(|_| ())
        })
        .orchestration("Ticks", |ctx: OrchestrationContext, _: ()| async move {
            loop {
                ctx.wait_for_event::<()>("tick").await?;
            }
            #[allow(unreachable_code)]
            Ok::<_, TaskError>(())
        });
    let h = Harness::new(r.clone());
    h.start("Both", "b", json!(null));
    h.start("Ticks", "t", json!(null));
    h.idle();
    let waits = durable::waiting_on(&r, &InstanceId::new("b"), &h.history("b")).unwrap();
    let what: Vec<&Awaited> = waits.iter().map(|w| &w.awaited).collect();
    assert!(
        matches!(what.as_slice(), [Awaited::Timer { .. }]),
        "the activity answered, the timer still awaited: {what:?}"
    );

    h.raise("t", "tick", json!(null));
    h.idle();
    h.raise("t", "tick", json!(null));
    h.idle();
    let history = h.history("t");
    let ticks: Vec<u64> = history
        .iter()
        .filter(|e| e.kind.name() == "EventRaised")
        .map(|e| e.event_id)
        .collect();
    let steps = step_through(&r, &InstanceId::new("t"), &history).unwrap();
    let at_first = step(&steps, ticks[0]);
    let answered: Vec<Option<u64>> = at_first.waits.iter().map(|w| w.answered_by).collect();
    assert_eq!(
        answered,
        [Some(ticks[1])],
        "the next tick answers the wait after the first"
    );
}
