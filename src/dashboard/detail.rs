//! One instance in the dashboard: its input, output or failure, custom
//! status, parent and children, the timeline, wall-clock against compute,
//! the history as a table, export, and the management actions (raise an
//! event, terminate, suspend, resume, purge). Every action shows its result.

use durable::{EventKind, HistoryEvent, InstanceId, InstanceRecord, RuntimeStatus};
use leptos::prelude::*;

use super::timeline::{Timeline, WallVsCompute};
use super::{go_to, instance_href, list_href, when};
use crate::services::use_services;

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

#[derive(Clone)]
struct Loaded {
    row: Option<InstanceRecord>,
    history: Vec<HistoryEvent>,
}

#[component]
pub fn InstanceDetail(id: String) -> impl IntoView {
    let services = use_services();
    let id = StoredValue::new(InstanceId::new(id));
    let result = RwSignal::new(None::<(bool, String)>);
    let event_name = RwSignal::new(String::new());
    let payload = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let data = LocalResource::new(move || {
        let runtime = services.tracked_runtime();
        let id = id.get_value();
        async move {
            let Some(rt) = runtime else {
                return Ok(Loaded {
                    row: None,
                    history: Vec::new(),
                });
            };
            let c = rt.host.client();
            let row = c.status(&id).await.map_err(|e| e.to_string())?;
            let history = c.history(&id).await.map_err(|e| e.to_string())?;
            Ok::<_, String>(Loaded { row, history })
        }
    });
    // Runs a client action and shows its result.
    let act = move |label: &'static str, action: Action| {
        let Some(rt) = services.runtime() else { return };
        let id = id.get_value();
        leptos::task::spawn_local(async move {
            let c = rt.host.client();
            let r = match action {
                Action::Raise(name, value) => c.raise_event(&id, &name, &value).await,
                Action::Terminate(reason) => c.terminate(&id, &reason, true).await,
                Action::Suspend => c.suspend(&id, "suspended from the dashboard").await,
                Action::Resume => c.resume(&id, "resumed from the dashboard").await,
                Action::Purge => c.purge(&id).await,
            };
            match r {
                Ok(()) => {
                    result.set(Some((true, format!("{label}: done."))));
                    if matches!(label, "Purge") {
                        go_to(&list_href(&Default::default()));
                    }
                }
                Err(e) => result.set(Some((false, format!("{label}: {e}")))),
            }
        });
    };
    let raise = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_raise(&event_name.get_untracked(), &payload.get_untracked()) {
            Ok((name, value)) => act("Raise event", Action::Raise(name, value)),
            Err(e) => result.set(Some((false, e))),
        }
    };
    view! {
        <section class="instance" aria-labelledby="instance-heading">
            <nav><a href="#/dashboard">"← All workflows"</a></nav>
            <h2 id="instance-heading" data-testid="instance-id">{move || id.get_value().0}</h2>
            {move || result.get().map(|(ok, m)| {
                let class = if ok { "notice" } else { "error" };
                view! { <p class=class role="status" data-testid="action-result">{m}</p> }
            })}
            {move || match data.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(Loaded { row: None, .. })) => view! { <p class="muted">"There is no such instance (purged?)."</p> }.into_any(),
                Some(Ok(Loaded { row: Some(r), history })) => summary(r, history).into_any(),
            }}
            <form class="instance__action" on:submit=raise>
                <h3>"Raise an event"</h3>
                <label>"Event name" <input type="text" data-testid="raise-name" prop:value=move || event_name.get()
                    on:input=move |ev| event_name.set(event_target_value(&ev)) /></label>
                <label>"Payload (JSON)" <textarea data-testid="raise-payload" prop:value=move || payload.get()
                    on:input=move |ev| payload.set(event_target_value(&ev))></textarea></label>
                <button type="submit" data-testid="raise">"Raise"</button>
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
                </div>
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
}

fn json(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "—".into())
}

fn summary(r: InstanceRecord, history: Vec<HistoryEvent>) -> impl IntoView {
    let now = js_sys::Date::now() as u64;
    let wall = if r.status.is_final() {
        r.updated_ms
    } else {
        now
    }
    .saturating_sub(r.created_ms);
    let compute = r.orchestration_compute_ms + r.activity_compute_ms;
    let export = format!(
        "data:application/json;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&durable::export_json(
            &history
        )))
    );
    let file = format!("{}.json", r.id.0.replace(':', "-"));
    let children: Vec<String> = history
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SubOrchestrationInstanceCreated { instance_id, .. } => {
                Some(instance_id.0.clone())
            }
            _ => None,
        })
        .collect();
    let chip = format!("chip chip--{}", r.status.as_str().to_lowercase());
    let failure_label = if r.status == RuntimeStatus::Terminated {
        "Reason"
    } else {
        "Failure"
    };
    view! {
        <dl class="instance__facts">
            <dt>"Orchestration"</dt><dd data-testid="instance-name">{r.name.clone()}</dd>
            <dt>"Status"</dt><dd><span class=chip data-testid="instance-status">{r.status.as_str()}</span></dd>
            <dt>"Created"</dt><dd>{when(r.created_ms)}</dd>
            <dt>"Last updated"</dt><dd>{when(r.updated_ms)}</dd>
            <dt>"Custom status"</dt><dd class="mono">{json(&r.custom_status)}</dd>
            <dt>"Input"</dt><dd><pre>{json(&Some(r.input.clone()))}</pre></dd>
            <dt>"Output"</dt><dd><pre data-testid="instance-output">{json(&r.output)}</pre></dd>
            {r.failure.clone().map(|f| view! { <dt>{failure_label}</dt><dd class="error" data-testid="instance-failure">{f}</dd> })}
            {r.parent.clone().map(|p| {
                let href = instance_href(&p.instance_id.0);
                view! { <dt>"Parent"</dt><dd><a href=href>{p.instance_id.0}</a></dd> }
            })}
            {(!children.is_empty()).then(|| view! {
                <dt>"Children"</dt>
                <dd>{children.into_iter().map(|c| {
                    let href = instance_href(&c);
                    view! { <a class="instance__child" href=href>{c}</a> " " }
                }).collect_view()}</dd>
            })}
        </dl>
        <WallVsCompute wall_ms=wall compute_ms=compute turns=r.turns />
        <h3>"Timeline"</h3>
        <Timeline history=history.clone() now_ms=now />
        <h3>"History " <a href=export download=file data-testid="export">"(export JSON)"</a></h3>
        <div class="dashboard__table-wrap">
            <table class="dashboard__table" data-testid="history">
                <thead><tr><th>"#"</th><th>"Event"</th><th>"Time"</th><th>"Answers"</th><th>"Details"</th></tr></thead>
                <tbody>
                    {history
                        .into_iter()
                        .map(|e| view! {
                            <tr data-testid="history-row">
                                <td>{e.event_id}</td>
                                <td>{e.kind.name()}</td>
                                <td>{when(e.timestamp_ms)}</td>
                                <td>{e.kind.answers().map(|a| a.to_string()).unwrap_or_default()}</td>
                                <td class="mono">{details(&e.kind)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
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
