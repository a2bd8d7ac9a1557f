//! One instance in the dashboard: its input, output or failure, custom
//! status, parent and children, the timeline, wall-clock against compute,
//! the history as a table, export, and the management actions (raise an
//! event, terminate, suspend, resume, purge). Every action shows its result.

use durable::{EventKind, HistoryEvent, InstanceId, InstanceRecord, RuntimeStatus};
use durable_leptos::Topic;
use leptos::prelude::*;

use super::html::Html;
use super::timeline::{timeline_svg, wall_vs_compute};
use super::{chip_class, instance_href, when};
use crate::context::use_dashboard;
use crate::route::{go, Page};

/// An event's fields, without its kind (shown beside it): the stored JSON
/// `{"Kind":{…}}` less its wrapper.
fn details(kind: &EventKind) -> String {
    let json = serde_json::to_string(kind).unwrap_or_default();
    let prefix = format!("{{\"{}\":", kind.name());
    match json.strip_prefix(&prefix).and_then(|j| j.strip_suffix('}')) {
        Some(fields) => fields.to_string(),
        None => String::new(),
    }
}

/// Checks a raise-event form: a name and a JSON payload (empty means null).
pub fn parse_raise(name: &str, payload: &str) -> Result<(String, serde_json::Value), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the event a name.".into());
    }
    if payload.trim().is_empty() {
        return Ok((name.to_string(), serde_json::Value::Null));
    }
    serde_json::from_str(payload)
        .map(|v| (name.to_string(), v))
        .map_err(|e| format!("The payload is not valid JSON: {e}. Nothing was sent."))
}

#[derive(Clone, PartialEq)]
struct Loaded {
    row: Option<InstanceRecord>,
    history: Vec<HistoryEvent>,
}

#[component]
pub fn InstanceDetail(id: String) -> impl IntoView {
    let dashboard = use_dashboard();
    let id = StoredValue::new(InstanceId::new(id));
    let result = RwSignal::new(None::<(bool, String)>);
    // Whether the last result is the raise form's.
    let raising = RwSignal::new(false);
    let event_name = RwSignal::new(String::new());
    let payload = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let data = LocalResource::new(move || {
        let id = id.get_value();
        let runtime = dashboard.tracked_host(&[Topic::Instance(id.as_str().to_string())]);
        async move {
            let Some(rt) = runtime else {
                return Ok(Loaded {
                    row: None,
                    history: Vec::new(),
                });
            };
            let c = rt.client();
            let row = c.status(&id).await.map_err(|e| e.to_string())?;
            let history = c.history(&id).await.map_err(|e| e.to_string())?;
            Ok::<_, String>(Loaded { row, history })
        }
    });
    // Runs a client action and shows its result.
    let act = move |label: &'static str, action: Action| {
        let Some(rt) = dashboard.host() else { return };
        raising.set(matches!(action, Action::Raise(..)));
        let id = id.get_value();
        leptos::task::spawn_local(async move {
            let c = rt.client();
            let r = match action {
                Action::Raise(name, value) => c.raise_event(&id, &name, &value).await,
                Action::Terminate(reason) => c.terminate(&id, &reason, true).await,
                Action::Suspend => c.suspend(&id, "suspended from the dashboard").await,
                Action::Resume => c.resume(&id, "resumed from the dashboard").await,
                Action::Purge => c.purge(&id).await,
                Action::Restart => c.restart(&id, "restarted from the dashboard").await,
                Action::Rewind => c.rewind(&id, "rewound from the dashboard").await,
            };
            match r {
                Ok(()) => {
                    result.set(Some((true, format!("{label}: done."))));
                    if matches!(label, "Purge") {
                        go(&Page::List(String::new()));
                    }
                }
                Err(e) => result.set(Some((false, format!("{label}: {e}")))),
            }
        });
    };
    // A re-read that found the same instance (another instance changed)
    // rebuilds nothing: only a change of this one shows.
    let shown = Memo::new(move |_| data.get());
    // Each result shows next to the form whose action it is.
    let shown_in = move |raise_form: bool| {
        move || {
            result
                .get()
                .filter(|_| raising.get() == raise_form)
                .map(|(ok, m)| {
                    let class = if ok { "notice" } else { "error" };
                    view! { <p class=class role="status" data-testid="action-result">{m}</p> }
                })
        }
    };
    let raise = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_raise(&event_name.get_untracked(), &payload.get_untracked()) {
            Ok((name, value)) => act("Raise event", Action::Raise(name, value)),
            Err(e) => {
                raising.set(true);
                result.set(Some((false, e)));
            }
        }
    };
    view! {
        <section class="instance" aria-labelledby="instance-heading">
            <nav><a href="#/dashboard">"← All workflows"</a></nav>
            <h2 id="instance-heading" data-testid="instance-id">{move || id.get_value().0}</h2>
            {move || match shown.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(Loaded { row: None, .. })) => view! { <p class="muted">"There is no such instance (purged?)."</p> }.into_any(),
                Some(Ok(Loaded { row: Some(r), history })) => view! { <InstanceReport record=r history=history /> }.into_any(),
            }}
            <form class="instance__action" on:submit=raise>
                <h3>"Raise an event"</h3>
                <label>"Event name" <input type="text" data-testid="raise-name" prop:value=move || event_name.get()
                    on:input=move |ev| event_name.set(event_target_value(&ev)) /></label>
                <label>"Payload (JSON)" <textarea data-testid="raise-payload" prop:value=move || payload.get()
                    on:input=move |ev| payload.set(event_target_value(&ev))></textarea></label>
                <button type="submit" data-testid="raise">"Raise"</button>
                {shown_in(true)}
            </form>
            <form class="instance__action" on:submit=move |ev| {
                ev.prevent_default();
                let r = reason.get_untracked();
                let r = if r.trim().is_empty() { "terminated from the dashboard".to_string() } else { r };
                act("Terminate", Action::Terminate(r));
            }>
                <h3>"Manage"</h3>
                <label>"Reason" <input type="text" data-testid="terminate-reason" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
                <div class="instance__buttons">
                    <button type="submit" data-testid="terminate">"Terminate"</button>
                    <button type="button" data-testid="suspend" on:click=move |_| act("Suspend", Action::Suspend)>"Suspend"</button>
                    <button type="button" data-testid="resume" on:click=move |_| act("Resume", Action::Resume)>"Resume"</button>
                    <button type="button" data-testid="purge" on:click=move |_| {
                        if window().confirm_with_message("Purge this instance and its history?").unwrap_or(false) {
                            act("Purge", Action::Purge)
                        }
                    }>"Purge"</button>
                    <button type="button" data-testid="restart" title="Start a finished instance again with the same input"
                        on:click=move |_| act("Restart", Action::Restart)>"Restart"</button>
                    <button type="button" data-testid="rewind" title="Run a failed instance again from its last good point"
                        on:click=move |_| act("Rewind", Action::Rewind)>"Rewind"</button>
                </div>
                {shown_in(false)}
            </form>
        </section>
    }
}

enum Action {
    Raise(String, serde_json::Value),
    Terminate(String),
    Suspend,
    Resume,
    Purge,
    Restart,
    Rewind,
}

fn json(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "—".into())
}

/// An orchestration version as the dashboard writes it.
pub fn version_text(version: Option<u32>) -> String {
    version.map_or_else(|| "—".into(), |v| format!("v{v}"))
}

/// The facts of an instance: what it is, its state, what it was given and
/// gave back, and its parent and children as links.
fn facts_html(r: &InstanceRecord, children: &[String]) -> String {
    let mut h = Html::new();
    let fact = |h: &mut Html, term: &str| {
        h.element("dt", &[], term);
    };
    h.open("dl", &[("class", "instance__facts")]);
    fact(&mut h, "Orchestration");
    h.element("dd", &[("data-testid", "instance-name")], &r.name);
    fact(&mut h, "Version");
    h.element(
        "dd",
        &[("data-testid", "instance-version")],
        &version_text(r.orchestration_version),
    );
    fact(&mut h, "Status");
    h.open("dd", &[])
        .element(
            "span",
            &[
                ("class", &chip_class(r.status)),
                ("data-testid", "instance-status"),
            ],
            r.status.as_str(),
        )
        .close("dd");
    fact(&mut h, "Created");
    h.element("dd", &[], &when(r.created_ms));
    fact(&mut h, "Last updated");
    h.element("dd", &[], &when(r.updated_ms));
    fact(&mut h, "Custom status");
    h.element("dd", &[("class", "mono")], &json(&r.custom_status));
    fact(&mut h, "Input");
    h.open("dd", &[])
        .element("pre", &[], &r.input.to_string())
        .close("dd");
    fact(&mut h, "Output");
    h.open("dd", &[])
        .element(
            "pre",
            &[("data-testid", "instance-output")],
            &json(&r.output),
        )
        .close("dd");
    if let Some(f) = &r.failure {
        fact(
            &mut h,
            if r.status == RuntimeStatus::Terminated {
                "Reason"
            } else {
                "Failure"
            },
        );
        h.element(
            "dd",
            &[("class", "error"), ("data-testid", "instance-failure")],
            f,
        );
    }
    if let Some(p) = &r.parent {
        fact(&mut h, "Parent");
        h.open("dd", &[])
            .element(
                "a",
                &[
                    ("href", &instance_href(p.instance_id.as_str())),
                    ("data-testid", "instance-parent"),
                ],
                p.instance_id.as_str(),
            )
            .close("dd");
    }
    if !children.is_empty() {
        fact(&mut h, "Children");
        h.open("dd", &[]);
        for c in children {
            h.element(
                "a",
                &[
                    ("class", "instance__child"),
                    ("href", &instance_href(c)),
                    ("data-testid", "instance-child"),
                ],
                c,
            )
            .text(" ");
        }
        h.close("dd");
    }
    h.close("dl");
    h.finish()
}

/// The history as a table: event id, kind, time, the event it answers, and
/// the event's fields.
fn history_html(history: &[HistoryEvent]) -> String {
    let mut h = Html::new();
    h.begin_table("history", |h| {
        for heading in ["#", "Event", "Time", "Answers", "Details"] {
            h.element("th", &[], heading);
        }
    });
    for e in history {
        h.open("tr", &[("data-testid", "history-row")])
            .element("td", &[], &e.event_id.to_string())
            .element("td", &[], e.kind.name())
            .element("td", &[], &when(e.timestamp_ms))
            .element(
                "td",
                &[],
                &e.kind.answers().map(|a| a.to_string()).unwrap_or_default(),
            )
            .element("td", &[("class", "mono")], &details(&e.kind))
            .close("tr");
    }
    h.end_table();
    h.finish()
}

/// The instance's last logged lines, newest last: when, where in the
/// history, and what (text, never markup).
fn log_view(log: &[durable::LogLine], execution: u32) -> impl IntoView {
    let lines = log
        .iter()
        .map(|l| {
            // A line of an earlier execution points into a history that
            // continue-as-new cleared: said so.
            let place = if l.execution == execution {
                format!("event {}", l.event_id)
            } else {
                format!("execution {}, event {}", l.execution, l.event_id)
            };
            let at = format!("{} · {place}", super::when(l.at_ms));
            view! { <li><span class="muted">{at}</span> " " <span data-testid="log-line">{l.message.clone()}</span></li> }
        })
        .collect_view();
    view! {
        <h3>"Log"</h3>
        {if log.is_empty() {
            view! { <p class="muted" data-testid="log-empty">"Nothing logged (ctx.log) yet."</p> }.into_any()
        } else {
            view! { <ol class="instance__log mono" data-testid="log">{lines}</ol> }.into_any()
        }}
    }
}

/// What the dashboard shows of one instance: its facts, wall-clock against
/// compute, the timeline, its log, and the history with a JSON export.
#[component]
pub fn InstanceReport(record: InstanceRecord, history: Vec<HistoryEvent>) -> impl IntoView {
    let r = record;
    let now = js_sys::Date::now() as u64;
    let end = if r.status.is_final() {
        r.updated_ms
    } else {
        now
    };
    let wall = end.saturating_sub(r.created_ms);
    let compute = r.orchestration_compute_ms + r.activity_compute_ms;
    let export = format!(
        "data:application/json;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&durable::export_instance(
            &r, &history
        )))
    );
    let file = format!("{}.json", r.id.as_str().replace(':', "-"));
    let children: Vec<String> = history
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SubOrchestrationInstanceCreated { instance_id, .. } => {
                Some(instance_id.0.clone())
            }
            _ => None,
        })
        .collect();
    view! {
        <div inner_html=facts_html(&r, &children)></div>
        <div inner_html=wall_vs_compute(wall, compute, r.turns)></div>
        <h3>"Timeline"</h3>
        <div inner_html=timeline_svg(&history, now)></div>
        {log_view(&r.log, r.execution)}
        <super::StepThrough id=r.id.clone() history=history.clone() />
        <h3>"History " <a href=export download=file data-testid="export">"(export the instance)"</a></h3>
        <div class="dashboard__table-wrap" inner_html=history_html(&history)></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raise_requires_a_name_and_valid_json() {
        assert_eq!(parse_raise("", "1"), Err("Give the event a name.".into()));
        assert_eq!(
            parse_raise(" ApprovalTask ", ""),
            Ok(("ApprovalTask".into(), serde_json::Value::Null))
        );
        assert_eq!(
            parse_raise("E", "{\"a\": 1}"),
            Ok(("E".into(), serde_json::json!({"a": 1})))
        );
        let bad = parse_raise("E", "{not json").unwrap_err();
        assert!(bad.starts_with("The payload is not valid JSON"), "{bad}");
        assert!(bad.ends_with("Nothing was sent."));
    }
}
