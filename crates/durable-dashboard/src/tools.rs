//! The dashboard's tools over the list: start an instance of any
//! orchestration in the registry with a JSON input, and act on the selected
//! rows at once (terminate and purge — asked first —, suspend, resume).
//! Each tool shows its result next to it.
//!
//! Sends commands through the client and says what came back; it decides
//! nothing about instances.

use std::collections::BTreeSet;

use durable::InstanceId;
use leptos::prelude::*;

use crate::context::use_dashboard;

/// Checks a start form: a name from the registry, an id (empty: one is
/// made from the name and the time), and a JSON input (empty means null).
pub fn parse_start(
    name: &str,
    id: &str,
    input: &str,
    now_ms: u64,
) -> Result<(String, InstanceId, serde_json::Value), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Choose an orchestration.".into());
    }
    let id = match id.trim() {
        "" => format!("{}-{now_ms}", name.to_lowercase()),
        id => id.to_string(),
    };
    let input = match input.trim() {
        "" => serde_json::Value::Null,
        text => serde_json::from_str(text)
            .map_err(|e| format!("The input is not valid JSON: {e}. Nothing was started."))?,
    };
    Ok((name.to_string(), InstanceId::new(id), input))
}

/// Starts an instance of an orchestration of the registry.
#[component]
pub fn StartForm() -> impl IntoView {
    let dashboard = use_dashboard();
    let names = dashboard.registry().orchestration_names();
    let name = RwSignal::new(names.first().cloned().unwrap_or_default());
    let id = RwSignal::new(String::new());
    let input = RwSignal::new(String::new());
    let result = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let now = js_sys::Date::now() as u64;
        let parsed = parse_start(
            &name.get_untracked(),
            &id.get_untracked(),
            &input.get_untracked(),
            now,
        );
        let (name, id, input) = match parsed {
            Ok(p) => p,
            Err(e) => return result.set(Some((false, e))),
        };
        let Some(rt) = dashboard.host() else {
            return result.set(Some((false, "The dashboard is still opening.".into())));
        };
        leptos::task::spawn_local(async move {
            result.set(Some(match rt.client().start(&name, &id, &input).await {
                Ok(id) => (true, format!("Started {id}.")),
                Err(e) => (false, format!("Not started: {e}")),
            }));
        });
    };
    view! {
        <form class="dashboard__tool" on:submit=submit data-testid="start-form">
            <h3>"Start an instance"</h3>
            <label>"Orchestration "
                <select data-testid="start-name" on:change=move |ev| name.set(event_target_value(&ev))>
                    {names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Instance id (empty: made up) "
                <input type="text" data-testid="start-id" prop:value=move || id.get()
                    on:input=move |ev| id.set(event_target_value(&ev)) />
            </label>
            <label>"Input (JSON) "
                <textarea data-testid="start-input" prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" data-testid="start-instance">"Start"</button>
            {move || result.get().map(|(ok, m)| view! {
                <p class=if ok { "notice" } else { "error" } role="status" data-testid="start-result">{m}</p>
            })}
        </form>
    }
}

/// What the batch buttons do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchAction {
    Terminate,
    Suspend,
    Resume,
    Purge,
}

impl BatchAction {
    fn past(self) -> &'static str {
        match self {
            BatchAction::Terminate => "Terminated",
            BatchAction::Suspend => "Suspended",
            BatchAction::Resume => "Resumed",
            BatchAction::Purge => "Purged",
        }
    }
}

/// One line for a batch: how many of how many, and why the others failed.
pub fn batch_report(action: BatchAction, results: &[(String, Result<(), String>)]) -> String {
    let done = results.iter().filter(|(_, r)| r.is_ok()).count();
    let mut line = format!("{} {done} of {}.", action.past(), results.len());
    for (id, r) in results {
        if let Err(e) = r {
            line.push_str(&format!(" {id}: {e}"));
        }
    }
    line
}

/// Acts on the selected rows.
#[component]
pub fn BatchBar(selected: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let dashboard = use_dashboard();
    let result = RwSignal::new(None::<(bool, String)>);
    let run = move |action: BatchAction| {
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        if matches!(action, BatchAction::Terminate | BatchAction::Purge) {
            let verb = if action == BatchAction::Purge {
                "Purge"
            } else {
                "Terminate"
            };
            let asked = format!("{verb} {} instances?", ids.len());
            if !window().confirm_with_message(&asked).unwrap_or(false) {
                return;
            }
        }
        let Some(rt) = dashboard.host() else { return };
        leptos::task::spawn_local(async move {
            let c = rt.client();
            let mut results = Vec::with_capacity(ids.len());
            for id in ids {
                let i = InstanceId::new(id.clone());
                let r = match action {
                    BatchAction::Terminate => {
                        c.terminate(&i, "terminated from the dashboard", true).await
                    }
                    BatchAction::Suspend => c.suspend(&i, "suspended from the dashboard").await,
                    BatchAction::Resume => c.resume(&i, "resumed from the dashboard").await,
                    BatchAction::Purge => c.purge(&i).await,
                };
                results.push((id, r.map_err(|e| e.to_string())));
            }
            let all = results.iter().all(|(_, r)| r.is_ok());
            result.set(Some((all, batch_report(action, &results))));
            selected.set(BTreeSet::new());
        });
    };
    let none = move || selected.with(BTreeSet::is_empty);
    view! {
        <div class="dashboard__batch" role="group" aria-label="Selected instances">
            <span data-testid="selected-count">{move || format!("{} selected", selected.with(BTreeSet::len))}</span>
            <button type="button" data-testid="batch-terminate" disabled=none on:click=move |_| run(BatchAction::Terminate)>"Terminate"</button>
            <button type="button" data-testid="batch-suspend" disabled=none on:click=move |_| run(BatchAction::Suspend)>"Suspend"</button>
            <button type="button" data-testid="batch-resume" disabled=none on:click=move |_| run(BatchAction::Resume)>"Resume"</button>
            <button type="button" data-testid="batch-purge" disabled=none on:click=move |_| run(BatchAction::Purge)>"Purge"</button>
            {move || result.get().map(|(ok, m)| view! {
                <span class=if ok { "notice" } else { "error" } role="status" data-testid="batch-result">{m}</span>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_needs_a_name_and_valid_json_and_makes_up_an_id() {
        assert_eq!(
            parse_start("", "", "", 5),
            Err("Choose an orchestration.".into())
        );
        let (name, id, input) = parse_start("Nap", "", "", 5).unwrap();
        assert_eq!(
            (name.as_str(), id.as_str(), input),
            ("Nap", "nap-5", serde_json::Value::Null)
        );
        let (_, id, input) = parse_start("Nap", " mine ", "{\"a\": 1}", 5).unwrap();
        assert_eq!((id.as_str(), input), ("mine", serde_json::json!({"a": 1})));
        let bad = parse_start("Nap", "", "{oops", 5).unwrap_err();
        assert!(
            bad.starts_with("The input is not valid JSON") && bad.ends_with("Nothing was started.")
        );
    }

    #[test]
    fn a_batch_report_counts_and_names_the_failures() {
        let results = vec![
            ("a".to_string(), Ok(())),
            ("b".to_string(), Err("b is Completed".to_string())),
        ];
        assert_eq!(
            batch_report(BatchAction::Suspend, &results),
            "Suspended 1 of 2. b: b is Completed"
        );
    }
}
