//! The command line: type a command (Enter or Send), or tap one of the
//! commands worth trying now; Up and Down, or the ↑ button, walk the
//! history. Replies that change nothing (look, help, errors) show under the
//! console; everything else appears as narration. The field takes the
//! focus when the page opens, so a player can type at once.

use dungeon::guide::Suggestion;
use dungeon::ConsoleLine;
use leptos::prelude::*;

use crate::adventure::Reply;
use crate::services::use_services;

#[component]
pub fn CommandLine(
    key: String,
    replies: RwSignal<Vec<Reply>>,
    /// Narration the commands committed, shown before the console is read
    /// again.
    narrated: RwSignal<Vec<ConsoleLine>>,
    suggestions: Signal<Vec<Suggestion>>,
) -> impl IntoView {
    let services = use_services();
    let key = StoredValue::new(key);
    let line = RwSignal::new(String::new());
    let history = RwSignal::new(Vec::<String>::new());
    let cursor = RwSignal::new(None::<usize>);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = input.get() {
            let _ = field.focus();
        }
    });
    let send = move |typed: String| {
        if typed.trim().is_empty() {
            return;
        }
        history.update(|h| h.push(typed.clone()));
        cursor.set(None);
        line.set(String::new());
        let Some(rt) = services.runtime() else {
            return;
        };
        let key = key.get_value();
        leptos::task::spawn_local(async move {
            let reply = match rt.game.command_played(&key, &typed).await {
                Ok(played) if played.reply.is_empty() => {
                    narrated.update(|n| n.extend(played.narrated));
                    None
                }
                Ok(played) => Some(Reply {
                    command: typed,
                    lines: played.reply,
                    error: false,
                }),
                Err(e) => Some(Reply {
                    command: typed,
                    lines: vec![e.to_string()],
                    error: true,
                }),
            };
            replies.update(|r| {
                match reply {
                    Some(reply) => r.push(reply),
                    None => r.clear(),
                }
                let excess = r.len().saturating_sub(8);
                r.drain(..excess);
            });
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(line.get_untracked());
    };
    // One step through the history: -1 older, +1 newer.
    let walk = move |step: i32| -> bool {
        let h = history.get_untracked();
        if h.is_empty() {
            return false;
        }
        let next = match (step, cursor.get_untracked()) {
            (-1, None) => Some(h.len() - 1),
            (-1, Some(i)) => Some(i.saturating_sub(1)),
            (_, Some(i)) if i + 1 < h.len() => Some(i + 1),
            _ => None,
        };
        cursor.set(next);
        line.set(next.map(|i| h[i].clone()).unwrap_or_default());
        true
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowUp" => -1,
            "ArrowDown" => 1,
            _ => return,
        };
        if walk(step) {
            ev.prevent_default();
        }
    };
    view! {
        <form class="command-line" on:submit=submit>
            <label for="command">"What do you do?"</label>
            <div class="command-line__row">
                <span class="command-line__prompt" aria-hidden="true">">"</span>
                <input
                    id="command"
                    data-testid="command"
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    enterkeyhint="send"
                    placeholder="look, help …"
                    node_ref=input
                    prop:value=move || line.get()
                    on:input=move |ev| line.set(event_target_value(&ev))
                    on:keydown=keydown
                />
                <button
                    type="button"
                    class="command-line__recall"
                    data-testid="recall"
                    aria-label="Previous command"
                    title="Previous command"
                    on:click=move |_| {
                        walk(-1);
                    }
                >"↑"</button>
                <button type="submit" data-testid="send">"Send"</button>
            </div>
            <ul class="suggestions" aria-label="Try" data-testid="suggestions">
                {move || suggestions
                    .get()
                    .into_iter()
                    .map(|s| {
                        let command = s.command.clone();
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class="suggestion"
                                    data-testid="suggestion"
                                    data-command=s.command.clone()
                                    on:click=move |_| send(command.clone())
                                >{s.label}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </form>
    }
}
