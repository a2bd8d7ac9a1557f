//! The `tracing` feature: a subscriber sees one span per turn, per activity
//! and per commit, with the instance and the name they ran.

#![cfg(feature = "tracing")]

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use durable::testing::block_on;
use durable::{
    telemetry, InMemoryStore, InstanceId, OrchestrationContext, Registry, Runtime, VirtualClock,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every span opened: its name and its fields as text.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<(String, String)>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl Subscriber for Spans {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(String::new());
        span.record(&mut fields);
        let mut spans = self.0.lock().unwrap();
        spans.push((span.metadata().name().to_string(), fields.0));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn turns_activities_and_commits_have_spans() {
    let mut r = Registry::new();
    r.orchestration(
        "Greet",
        |ctx: OrchestrationContext, name: String| async move {
            ctx.call_activity::<_, String>("Hello", &name).await
        },
    )
    .activity("Hello", |_ctx, name: String| async move {
        Ok::<_, durable::ActivityError>(format!("hello {name}"))
    });
    let spans = Spans::default();
    tracing::subscriber::with_default(spans.clone(), || {
        let rt = Runtime::new(InMemoryStore::new(), r, Rc::new(VirtualClock::new(0)));
        block_on(async {
            let id = InstanceId::new("g1");
            rt.client().start("Greet", &id, &"ann").await.unwrap();
            rt.run_until_idle().await.unwrap();
        });
    });
    let seen = spans.0.lock().unwrap().clone();
    let named = |name: &str| seen.iter().filter(|(n, _)| n == name).collect::<Vec<_>>();
    let turns = named(telemetry::TURN);
    assert!(
        turns.len() >= 2,
        "a turn to schedule, one to complete: {seen:?}"
    );
    assert!(turns
        .iter()
        .all(|(_, f)| f.contains("instance=g1") && f.contains("Greet")));
    let activities = named(telemetry::ACTIVITY);
    assert_eq!(activities.len(), 1, "{seen:?}");
    assert!(activities[0].1.contains("Hello"), "{seen:?}");
    assert!(!named(telemetry::COMMIT).is_empty(), "{seen:?}");
}
