//! Stepping through an instance's history in the dashboard: a scrubber over
//! its events; at each, the custom status the code had set, what it waited
//! on (activities, timers with their due times, sub-orchestrations,
//! external events) and the event that answers each wait. And the check
//! "Replays on this build", which runs the replay checker in the page.
//!
//! Renders what `durable::step_through` and `durable::check_replay` say; it
//! never changes an instance.

use durable::{
    check_replay, step_through, Awaited, HistoryEvent, InstanceId, NonDeterminism, Registry, Step,
    Wait,
};
use leptos::prelude::*;

use super::html::Html;
use super::when;

/// What is awaited, in words; `full` adds what the list's column leaves
/// out (a timer's "due", a child's instance id).
fn awaited_text(awaited: &Awaited, full: bool) -> String {
    match awaited {
        Awaited::Activity { name } => format!("activity {name}"),
        Awaited::Timer { fire_at_ms } if full => format!("timer due {}", when(*fire_at_ms)),
        Awaited::Timer { fire_at_ms } => format!("timer {}", when(*fire_at_ms)),
        Awaited::SubOrchestration { instance_id, name } if full => {
            format!("sub-orchestration {name} ({instance_id})")
        }
        Awaited::SubOrchestration { name, .. } => format!("sub-orchestration {name}"),
        Awaited::Event { name } => format!("event {name}"),
    }
}

/// One wait in words.
pub fn wait_text(w: &Wait) -> String {
    let what = awaited_text(&w.awaited, true);
    let since = w.since.map(|s| format!(" since #{s}")).unwrap_or_default();
    let answer = match w.answered_by {
        Some(id) => format!("answered by #{id}"),
        None => "not answered in this history".to_string(),
    };
    format!("{what}{since} — {answer}")
}

/// What an instance waits on, in a few words for the list's column
/// ("event ApprovalTask, timer 10:21:00"); empty when nothing.
pub fn waits_summary(waits: &[Wait]) -> String {
    waits
        .iter()
        .map(|w| awaited_text(&w.awaited, false))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the instance was at one step, as markup.
fn step_html(event: &HistoryEvent, step: &Step) -> String {
    let mut h = Html::new();
    h.open("p", &[("data-testid", "step-event")])
        .text(&format!(
            "#{} {} at {}",
            event.event_id,
            event.kind.name(),
            when(event.timestamp_ms)
        ))
        .close("p");
    h.open("dl", &[("class", "instance__facts")]);
    h.element("dt", &[], "Custom status");
    let status = step
        .custom_status
        .as_ref()
        .map_or_else(|| "—".to_string(), |v| v.to_string());
    h.element(
        "dd",
        &[("class", "mono"), ("data-testid", "step-status")],
        &status,
    );
    h.element("dt", &[], "Waiting on");
    h.open("dd", &[]);
    if step.waits.is_empty() {
        let state = match (&step.outcome, step.suspended) {
            (Some(_), _) => "nothing: the execution has ended",
            (None, true) => "nothing: suspended",
            (None, false) => "nothing",
        };
        h.element("span", &[("data-testid", "step-wait")], state);
    } else {
        h.open("ul", &[]);
        for w in &step.waits {
            h.element("li", &[("data-testid", "step-wait")], &wait_text(w));
        }
        h.close("ul");
    }
    h.close("dd").close("dl");
    h.finish()
}

/// The replay checker's verdict, in words.
fn verdict(result: &Result<durable::ReplayReport, NonDeterminism>) -> (bool, String) {
    match result {
        Ok(r) => (
            true,
            format!(
                "Yes: this build replays all {} events ({} actions).",
                r.events, r.actions
            ),
        ),
        Err(nd) => (false, format!("No: {nd}")),
    }
}

/// The step-through of `history`, and the replay check, on the
/// orchestrations of `registry` (the app's, from the dashboard's context,
/// when none is given).
#[component]
pub fn StepThrough(
    id: InstanceId,
    history: Vec<HistoryEvent>,
    #[prop(optional)] registry: Option<Registry>,
) -> impl IntoView {
    let registry = registry.unwrap_or_else(|| crate::context::use_dashboard().registry());
    let steps = step_through(&registry, &id, &history);
    let check = RwSignal::new(None::<(bool, String)>);
    let (history, id) = (StoredValue::new(history), StoredValue::new(id));
    let registry = StoredValue::new_local(registry);
    let run_check = move |_| {
        let result =
            history.with_value(|h| registry.with_value(|r| check_replay(r, &id.get_value(), h)));
        check.set(Some(verdict(&result)));
    };
    let count = history.with_value(Vec::len);
    let at = RwSignal::new(count.saturating_sub(1));
    let body = match steps {
        Err(nd) => view! {
            <p class="error" data-testid="step-error">{format!("This build does not replay this history: {nd}")}</p>
        }
        .into_any(),
        Ok(steps) => {
            let steps = StoredValue::new(steps);
            let shown = move || {
                let i = at.get();
                let html = history.with_value(|h| {
                    steps.with_value(|s| match (h.get(i), s.get(i)) {
                        (Some(e), Some(step)) => step_html(e, step),
                        _ => String::new(),
                    })
                });
                html
            };
            view! {
                <input type="range" class="replay__scrubber" data-testid="step-scrubber" aria-label="Event of the history"
                    min="0" max=count.saturating_sub(1).to_string() prop:value=move || at.get().to_string()
                    on:input=move |ev| at.set(event_target_value(&ev).parse().unwrap_or(0)) />
                <div data-testid="step" inner_html=shown></div>
            }
            .into_any()
        }
    };
    view! {
        <section class="instance__step" aria-labelledby="step-heading">
            <h3 id="step-heading">"Step through"</h3>
            {body}
            <p>
                <button type="button" data-testid="check-replay" on:click=run_check>"Replays on this build?"</button>
                " "
                {move || check.get().map(|(ok, text)| {
                    let class = if ok { "notice" } else { "error" };
                    view! { <span class=class role="status" data-testid="replay-verdict">{text}</span> }
                })}
            </p>
        </section>
    }
}
