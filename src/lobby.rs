//! The lobby: enter a name to start an adventure; every adventurer so far,
//! alive, dead or won.

use dungeon::Status;
use leptos::prelude::*;

use crate::route::{go, Route};
use crate::services::use_services;

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::SettingUp => "setting up",
        Status::AwaitingConfirmation => "awaiting confirmation",
        Status::Playing => "alive",
        Status::Won => "won",
        Status::Dead => "dead",
        Status::OutOfTime => "out of time",
    }
}

#[component]
pub fn Lobby() -> impl IntoView {
    let services = use_services();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The lobby's one question has the focus when it opens.
    let name_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = name_field.get() {
            let _ = field.focus();
        }
        document().set_title(crate::app::TITLE);
    });
    let adventurers = LocalResource::new(move || {
        let runtime = services.tracked_runtime();
        async move {
            match runtime {
                Some(rt) => rt.game.adventurers().await.map_err(|e| e.to_string()),
                None => Ok(Vec::new()),
            }
        }
    });
    let forgotten = RwSignal::new(None::<(bool, String)>);
    let forget_adventurer = move |key: String| {
        let Some(rt) = services.runtime() else { return };
        leptos::task::spawn_local(async move {
            forgotten.set(Some(match rt.game.forget(&key).await {
                Ok(()) => (true, "Forgotten.".to_string()),
                Err(e) => (false, e.to_string()),
            }));
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(rt) = services.runtime() else {
            error.set(Some(
                "The dungeon is still opening. Try again in a moment.".into(),
            ));
            return;
        };
        let typed = name.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match rt.game.new_adventurer(&typed).await {
                Ok(key) => {
                    error.set(None);
                    name.set(String::new());
                    go(&Route::Adventurer(key));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="lobby" aria-labelledby="lobby-heading">
            <h2 id="lobby-heading">"Enter the dungeon"</h2>
            <div class="lobby__intro" data-testid="lobby-intro">
                <p>
                    "Name an adventurer and the dungeon builds them a room, a monster, a weapon \
                     and a treasure. Confirm you are ready before the ring runs out, take the \
                     weapon, slay the monster and carry off its treasure to win."
                </p>
                <p class="muted">
                    "Every rule runs as a durable workflow in your browser: close the tab, reload \
                     or go offline, and your adventure carries on exactly where it was."
                </p>
            </div>
            <form class="lobby__form" on:submit=submit>
                <label for="adventurer-name">"Your adventurer's name"</label>
                <div class="lobby__row">
                    <input
                        id="adventurer-name"
                        node_ref=name_field
                        enterkeyhint="go"
                        placeholder="e.g. Ada"
                        data-testid="name-input"
                        type="text"
                        autocomplete="off"
                        maxlength="64"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <button type="submit" data-testid="start" disabled=move || busy.get()>
                        "Begin"
                    </button>
                </div>
                {move || error.get().map(|e| view! {
                    <p class="error" role="alert" data-testid="name-error">{e}</p>
                })}
            </form>
            <h2>"Adventurers"</h2>
            {move || forgotten.get().map(|(ok, m)| {
                let class = if ok { "notice" } else { "error" };
                view! { <p class=class role="status" data-testid="forget-result">{m}</p> }
            })}
            <ul class="lobby__list" data-testid="adventurers">
                {move || match adventurers.get() {
                    None => view! { <li class="muted">"Opening the dungeon…"</li> }.into_any(),
                    Some(Err(e)) => view! { <li class="error">{e}</li> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => {
                        view! { <li class="muted">"No one has entered yet."</li> }.into_any()
                    }
                    Some(Ok(list)) => list
                        .into_iter()
                        .map(|a| {
                            let href = Route::Adventurer(a.key.clone()).href();
                            let replay = Route::Replay(a.key.clone()).href();
                            let label = status_label(a.status);
                            let finished = a.status.is_over();
                            let (key, name) = (a.key.clone(), a.name.clone());
                            let forget = move |_| {
                                let asked = format!("Forget {name}? Their adventure and its replay are deleted.");
                                if window().confirm_with_message(&asked).unwrap_or(false) {
                                    forget_adventurer(key.clone());
                                }
                            };
                            view! {
                                <li>
                                    <a href=href data-testid="adventurer-link">{a.name}</a>
                                    " "
                                    <span class=format!("chip chip--{}", label.replace(' ', "-"))>{label}</span>
                                    {finished.then(|| view! {
                                        " "
                                        <a href=replay class="lobby__action" data-testid="adventurer-replay">"Replay"</a>
                                        " "
                                        <button type="button" class="lobby__action" data-testid="adventurer-forget" on:click=forget.clone()>"Forget"</button>
                                    })}
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any(),
                }}
            </ul>
        </section>
    }
}
