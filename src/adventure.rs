//! One adventurer's page: the dungeon drawn, the confirmation countdown,
//! the console, the command line and the adventurer's workflows. It renders
//! what the game says and sends commands; it holds no rule.

use dungeon::{ConfirmationWindow, ConsoleLine, Universe};
use leptos::prelude::*;

use crate::countdown::Countdown;
use crate::dungeon_view::DungeonView;
use crate::lobby::status_label;
use crate::services::use_services;

/// A reply shown under the console but not stored (look, help, errors).
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub command: String,
    pub lines: Vec<String>,
    pub error: bool,
}

#[derive(Clone, Default)]
struct PageData {
    universe: Option<Universe>,
    console: Vec<ConsoleLine>,
    workflows: Vec<(String, String, String)>,
    /// A failed workflow, told in plain words.
    trouble: Option<String>,
    window: Option<ConfirmationWindow>,
    error: Option<String>,
}

#[component]
pub fn AdventurePage(key: String) -> impl IntoView {
    let services = use_services();
    let key = StoredValue::new(key);
    let replies = RwSignal::new(Vec::<Reply>::new());
    let data = LocalResource::new(move || {
        let runtime = services.tracked_runtime();
        let key = key.get_value();
        async move {
            let Some(rt) = runtime else {
                return PageData::default();
            };
            let g = &rt.game;
            let mut d = PageData::default();
            let r = async {
                d.universe = g.universe(&key).await?;
                d.console = g.console(&key).await?;
                let workflows = g.workflows(&key).await?;
                d.trouble = dungeon::workflow_trouble(&workflows);
                d.workflows = workflows
                    .into_iter()
                    .map(|w| (w.name, w.status.to_string(), w.id.0))
                    .collect();
                // The game knows when there is one (it skips the history of a
                // confirmation that is over).
                d.window = g.confirmation_window(&key).await?;
                Ok::<_, dungeon::GameError>(())
            }
            .await;
            if let Err(e) = r {
                d.error = Some(e.to_string());
            }
            d
        }
    });
    let current = move || data.get().unwrap_or_default();
    // Newest last, and in view: scroll the console down when it changes.
    let console_list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        data.track();
        replies.track();
        if let Some(list) = console_list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <section class="adventure" aria-labelledby="adventurer-heading">
            <nav><a href="#/">"← Lobby"</a></nav>
            <h2 id="adventurer-heading" data-testid="adventurer-name">
                {move || current().universe.map(|u| u.adventurer.name).unwrap_or_else(|| key.get_value())}
            </h2>
            <p class="adventure__status">
                "Status: "
                <span data-testid="status">
                    {move || current().universe.map(|u| status_label(u.status())).unwrap_or("setting up")}
                </span>
            </p>
            {move || current().error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || current().trouble.map(|t| view! {
                <p class="error" role="alert" data-testid="workflow-trouble">
                    {t} " " <a href="#/dashboard">"Open the dashboard"</a>
                </p>
            })}
            {move || current().window.map(|w| view! { <Countdown window=w /> })}
            <div class="adventure__grid">
                <DungeonView universe=Signal::derive(move || current().universe) />
                <section class="console" aria-labelledby="console-heading">
                    <h3 id="console-heading">"Console"</h3>
                    <ol class="console__lines" aria-live="polite" data-testid="console" node_ref=console_list>
                        {move || current()
                            .console
                            .into_iter()
                            .map(|l| view! { <li data-testid="console-line">{l.text}</li> })
                            .collect_view()}
                        {move || replies
                            .get()
                            .into_iter()
                            .map(|r| {
                                let class = if r.error { "console__reply console__reply--error" } else { "console__reply" };
                                view! {
                                    <li class=class data-testid="reply">
                                        <span class="console__echo">"> " {r.command}</span>
                                        {r.lines.into_iter().map(|l| view! { <span class="console__text">{l}</span> }).collect_view()}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                    <crate::command_line::CommandLine key=key.get_value() replies=replies />
                </section>
            </div>
            <section class="workflows" aria-labelledby="workflows-heading">
                <h3 id="workflows-heading">"Workflows"</h3>
                <ul data-testid="workflows">
                    {move || current()
                        .workflows
                        .into_iter()
                        .map(|(name, status, id)| {
                            let chip = format!("chip chip--{}", status.to_lowercase());
                            let (data_name, data_status) = (name.clone(), status.clone());
                            view! {
                                <li data-testid="workflow" data-name=data_name data-status=data_status title=id>
                                    <span class="workflow__name">{name}</span>
                                    " "
                                    <span class=chip>{status}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        </section>
    }
}
