//! "Behind the scenes": the adventurer's workflows in plain words — what
//! each does, how it stands, links to each in the dashboard — and the
//! original demo's point, wall-clock time against compute time. The story
//! (the console) tells the adventure; this panel tells what ran it.

use dungeon::guide::{status_in_words, wall_vs_compute, workflow_purpose};
use durable::InstanceRecord;
use leptos::prelude::*;

use crate::route::Route;

#[component]
pub fn BehindTheScenes(key: String, workflows: Signal<Vec<InstanceRecord>>) -> impl IntoView {
    let all = Route::workflows_of(&key).href();
    let now = RwSignal::new(js_sys::Date::now() as u64);
    // The wall clock moves while the adventure lasts.
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now() as u64),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <details class="behind" data-testid="behind-the-scenes" open>
            <summary><h3>"Behind the scenes"</h3></summary>
            <p class="behind__figure" data-testid="wall-vs-compute">
                {move || wall_vs_compute(&workflows.get(), now.get())
                    .unwrap_or_else(|| "The workflows are starting.".into())}
            </p>
            <p class="muted behind__why">
                "Each step of this adventure is a durable workflow: it sleeps while you think, \
                 costs nothing while it waits, and carries on where it was after a reload or offline."
            </p>
            <ul class="behind__list" data-testid="workflows">
                {move || workflows
                    .get()
                    .into_iter()
                    .map(|w| {
                        let status = w.status.as_str().to_string();
                        let words = status_in_words(w.status);
                        let chip = format!("chip chip--{}", status.to_lowercase());
                        view! {
                            <li data-testid="workflow" data-name=w.name.clone() data-status=status>
                                <a href=Route::instance(&w.id.0).href() class="behind__name">{w.name.clone()}</a>
                                " "
                                <span class=chip>{words}</span>
                                <span class="behind__purpose">{workflow_purpose(&w.name)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p><a href=all>"See them in the workflow dashboard"</a></p>
        </details>
    }
}
