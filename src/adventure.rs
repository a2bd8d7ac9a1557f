//! One adventurer's page: the name and status, how the game ended, the
//! confirmation countdown, the story and the command line (with the
//! commands worth trying now), the dungeon drawn, and what the workflows
//! did behind the scenes. Phone first: the countdown and the command line
//! come before the drawing. It renders what the game says and sends
//! commands; it holds no rule.

use dungeon::guide::{self, Suggestion};
use dungeon::{ConfirmationWindow, ConsoleLine, Status, Universe};
use durable::InstanceRecord;
use leptos::prelude::*;

use crate::behind_the_scenes::BehindTheScenes;
use crate::countdown::Countdown;
use crate::dungeon_view::DungeonView;
use crate::lobby::status_label;
use crate::route::Route;
use crate::services::{use_services, Topic};

/// A reply shown under the console but not stored (look, help, errors).
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub command: String,
    pub lines: Vec<String>,
    pub error: bool,
}

/// What the page shows of the adventurer's workflows.
#[derive(Clone, Default, PartialEq)]
struct Workflows {
    workflows: Vec<InstanceRecord>,
    /// A failed workflow, told in plain words.
    trouble: Option<String>,
    window: Option<ConfirmationWindow>,
}

#[component]
pub fn AdventurePage(key: String) -> impl IntoView {
    let services = use_services();
    let key = StoredValue::new(key);
    let replies = RwSignal::new(Vec::<Reply>::new());
    // Each part re-reads on what it shows: the universe on the game's
    // records, the story on this adventurer's console, the workflows (and
    // the countdown, from the confirmation's timer) on this adventurer's
    // instances. A tick of another adventurer's monitor re-reads nothing.
    let game = LocalResource::new(move || {
        let runtime = services.runtime_tracking(&[Topic::Store(dungeon::storage::GAME.into())]);
        let key = key.get_value();
        async move {
            match runtime {
                Some(rt) => rt.game.universe(&key).await.map_err(|e| e.to_string()),
                None => Ok(None),
            }
        }
    });
    let story = LocalResource::new(move || {
        let key = key.get_value();
        let store = dungeon::storage::console_store(&key);
        let runtime = services.runtime_tracking(&[Topic::Store(store)]);
        async move {
            match runtime {
                Some(rt) => rt.game.console(&key).await.map_err(|e| e.to_string()),
                None => Ok(Vec::new()),
            }
        }
    });
    let behind = LocalResource::new(move || {
        let key = key.get_value();
        let runtime = services.runtime_tracking(&[Topic::InstancesOf(key.clone())]);
        async move {
            let Some(rt) = runtime else {
                return Ok((Vec::new(), None));
            };
            let g = &rt.game;
            let workflows = g.workflows(&key).await?;
            // The game knows when there is one (it skips the history of a
            // confirmation that is over).
            let window = g.confirmation_window(&key).await?;
            Ok::<_, dungeon::GameError>((workflows, window))
        }
    });
    // Memos straight from their own reads: the story shows a new line as
    // soon as the console is read, whatever else is still being read; the
    // drawing is redrawn (and animates) only when the game changed.
    let console = Memo::new(move |_| match story.get() {
        Some(Ok(lines)) => lines,
        _ => Vec::new(),
    });
    let universe_memo = Memo::new(move |_| match game.get() {
        Some(Ok(u)) => u,
        _ => None,
    });
    let behind_data = Memo::new(move |_| match behind.get() {
        Some(Ok((workflows, window))) => Workflows {
            trouble: dungeon::workflow_trouble(&workflows),
            workflows,
            window,
        },
        _ => Workflows::default(),
    });
    // The first read that failed, told.
    let error = Memo::new(move |_| {
        let game = game.get().and_then(Result::err);
        let story = story.get().and_then(Result::err);
        let behind = behind.get().and_then(Result::err).map(|e| e.to_string());
        game.or(story).or(behind)
    });
    let universe: Signal<Option<Universe>> = universe_memo.into();
    let status = move || universe.get().map(|u| u.status());
    let suggestions = Signal::derive(move || {
        universe
            .get()
            .map(|u| guide::suggestions(&u))
            .unwrap_or_default()
    });
    let name = move || {
        universe
            .get()
            .map(|u| u.adventurer.name)
            .unwrap_or_else(|| key.get_value())
    };
    // The tab says whose game it is and how it stands.
    Effect::new(move |_| {
        let label = status().map(status_label).unwrap_or("setting up");
        document().set_title(&format!("{} ({label}) · {}", name(), crate::app::TITLE));
    });
    let workflows = Signal::derive(move || behind_data.get().workflows);
    view! {
        <section class="adventure" aria-labelledby="adventurer-heading" data-status=move || status().map(status_label).unwrap_or("setting up")>
            <div class="adventure__head">
                <h2 id="adventurer-heading" data-testid="adventurer-name">{name}</h2>
                <a class="adventure__replay" href=Route::Replay(key.get_value()).href() data-testid="replay-link">"Replay"</a>
                <p class="adventure__status">
                    <span class=move || format!("chip chip--{}", status().map(status_label).unwrap_or("setting up").replace(' ', "-")) data-testid="status">
                        {move || status().map(status_label).unwrap_or("setting up")}
                    </span>
                </p>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || behind_data.get().trouble.map(|t| view! {
                <p class="error" role="alert" data-testid="workflow-trouble">
                    {t} " " <a href="#/dashboard">"Open the dashboard"</a>
                </p>
            })}
            {move || universe.get().and_then(|u| guide::ending(&u).map(|e| (u.status(), e))).map(|(s, (title, text))| {
                view! { <Ending status=s title=title text=text key=key.get_value() /> }
            })}
            {move || behind_data.get().window.map(|w| view! { <Countdown window=w /> })}
            <div class="adventure__grid">
                <Story key=key.get_value() console=console.into() replies=replies suggestions=suggestions />
                <DungeonView universe=universe />
            </div>
            <BehindTheScenes key=key.get_value() workflows=workflows />
        </section>
    }
}

/// The story so far, the replies that change nothing, and the command line.
#[component]
fn Story(
    key: String,
    console: Signal<Vec<ConsoleLine>>,
    replies: RwSignal<Vec<Reply>>,
    suggestions: Signal<Vec<Suggestion>>,
) -> impl IntoView {
    // Lines a command just committed show at once; once the console is
    // read again they are in it, and only the console shows them.
    let narrated = RwSignal::new(Vec::<ConsoleLine>::new());
    let lines = Memo::new(move |_| {
        let mut all = console.get();
        let fresh = not_yet_read(&all, &narrated.get());
        all.extend(fresh);
        all
    });
    Effect::new(move |_| {
        let read = console.get();
        let left = narrated.with_untracked(|n| not_yet_read(&read, n));
        if narrated.with_untracked(|n| n.len() != left.len()) {
            narrated.set(left);
        }
    });
    // Newest last, and in view: scroll the console down when it changes.
    let console_list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        lines.track();
        replies.track();
        if let Some(list) = console_list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <section class="console" aria-labelledby="console-heading">
            <h3 id="console-heading" class="visually-hidden">"Story"</h3>
            <ol class="console__lines" aria-live="polite" data-testid="console" data-read-lines=move || console.with(Vec::len) node_ref=console_list tabindex="0" aria-label="The story so far">
                {move || lines
                    .get()
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
            <crate::command_line::CommandLine key=key replies=replies narrated=narrated suggestions=suggestions />
        </section>
    }
}

/// The lines of `pending` the console `read` does not hold yet, counting
/// repeats: two commands that narrate the same words in the same
/// millisecond are two lines, and one read line answers for one of them.
fn not_yet_read(read: &[ConsoleLine], pending: &[ConsoleLine]) -> Vec<ConsoleLine> {
    let mut used = vec![false; read.len()];
    pending
        .iter()
        .filter(|line| {
            let matched = (0..read.len()).find(|&i| !used[i] && read[i] == **line);
            if let Some(i) = matched {
                used[i] = true;
            }
            matched.is_none()
        })
        .cloned()
        .collect()
}

/// The end of a game, given its moment: a banner with what happened and
/// what to do next.
#[component]
fn Ending(status: Status, title: &'static str, text: String, key: String) -> impl IntoView {
    let class = match status {
        Status::Won => "ending ending--won",
        _ => "ending ending--lost",
    };
    let runs = crate::route::Route::workflows_of(&key).href();
    view! {
        <section class=class role="status" aria-labelledby="ending-heading" data-testid="ending">
            <h3 id="ending-heading">{title}</h3>
            <p>{text}</p>
            <p class="ending__next">
                <a class="button-link" href="#/" data-testid="play-again">"Play again"</a>
                <a class="button-link button-link--quiet" href=runs>"See how it ran"</a>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use dungeon::ConsoleLine;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::not_yet_read;

    fn line(text: &str, at_ms: u64) -> ConsoleLine {
        ConsoleLine {
            text: text.into(),
            at_ms,
        }
    }

    #[wasm_bindgen_test]
    fn a_read_line_answers_for_one_pending_line_only() {
        let hit = line("You hit it.", 7);
        let read = vec![line("Earlier.", 1), hit.clone()];
        assert_eq!(not_yet_read(&read, std::slice::from_ref(&hit)), vec![]);
        assert_eq!(
            not_yet_read(&read, &[hit.clone(), hit.clone()]),
            vec![hit.clone()],
            "the same words in the same millisecond are two lines"
        );
        assert_eq!(not_yet_read(&[], std::slice::from_ref(&hit)), vec![hit]);
    }
}
