//! The command line: type a command, Enter to send, Up and Down to walk
//! the history. Replies that change nothing (look, help, errors) show under
//! the console; everything else appears as narration.

use leptos::prelude::*;

use crate::adventure::Reply;
use crate::services::use_services;

#[component]
pub fn CommandLine(key: String, replies: RwSignal<Vec<Reply>>) -> impl IntoView {
    let services = use_services();
    let key = StoredValue::new(key);
    let line = RwSignal::new(String::new());
    let history = RwSignal::new(Vec::<String>::new());
    let cursor = RwSignal::new(None::<usize>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = line.get_untracked();
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
            let reply = match rt.game.command(&key, &typed).await {
                Ok(lines) if lines.is_empty() => None,
                Ok(lines) => Some(Reply {
                    command: typed,
                    lines,
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
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let h = history.get_untracked();
        if h.is_empty() {
            return;
        }
        let next = match (ev.key().as_str(), cursor.get_untracked()) {
            ("ArrowUp", None) => Some(h.len() - 1),
            ("ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
            ("ArrowDown", Some(i)) if i + 1 < h.len() => Some(i + 1),
            ("ArrowDown", _) => None,
            _ => return,
        };
        ev.prevent_default();
        cursor.set(next);
        line.set(next.map(|i| h[i].clone()).unwrap_or_default());
    };
    view! {
        <form class="command-line" on:submit=submit>
            <label for="command">"Command"</label>
            <div class="command-line__row">
                <span class="command-line__prompt" aria-hidden="true">">"</span>
                <input
                    id="command"
                    data-testid="command"
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder="look, get sword, kill troll with sword, help"
                    prop:value=move || line.get()
                    on:input=move |ev| line.set(event_target_value(&ev))
                    on:keydown=keydown
                />
                <button type="submit" data-testid="send">"Send"</button>
            </div>
        </form>
    }
}
