//! An adventure replayed: a scrubber over its moments (one per commit that
//! changed it), play and pause at 1×, 10× or as fast as it goes; the
//! drawing, the story and what the adventurer carries show the game as it
//! was at the chosen moment. Reads the journal once, when opened; it never
//! changes the game and holds no rule. Served by the dashboard's module
//! (loaded when opened), so the game's first load does not carry it.

use dungeon::replay::Replay;
use leptos::prelude::*;

use crate::countdown::CountdownRing;
use crate::dungeon_view::DungeonView;
use crate::route::Route;
use crate::services::use_services;

/// How fast Play moves through the moments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Speed {
    /// As it happened (a pause longer than 3 s is cut to 3 s).
    Real,
    Ten,
    /// One moment per turn of the event loop.
    Fastest,
}

impl Speed {
    fn parse(value: &str) -> Speed {
        match value {
            "10" => Speed::Ten,
            "max" => Speed::Fastest,
            _ => Speed::Real,
        }
    }

    /// The wait before the moment that came `gap_ms` after the current one.
    fn wait_ms(self, gap_ms: u64) -> u64 {
        match self {
            Speed::Real => gap_ms.min(3_000),
            Speed::Ten => (gap_ms / 10).min(300),
            Speed::Fastest => 0,
        }
    }
}

#[component]
pub fn ReplayPage(key: String) -> impl IntoView {
    let services = use_services();
    let key = StoredValue::new(key);
    let replay = LocalResource::new(move || {
        let runtime = services.runtime_tracking(&[]);
        let key = key.get_value();
        async move {
            match runtime {
                Some(rt) => rt.game.replay(&key).await.map_err(|e| e.to_string()),
                None => Ok(Replay::default()),
            }
        }
    });
    let data = Memo::new(move |_| match replay.get() {
        Some(Ok(r)) => r,
        _ => Replay::default(),
    });
    let error = move || replay.get().and_then(Result::err);
    // The chosen moment; past the end means the last one.
    let at = RwSignal::new(usize::MAX);
    let len = move || data.with(|r| r.moments.len());
    let pos = Memo::new(move |_| at.get().min(len().saturating_sub(1)));
    let universe = Signal::derive(move || {
        data.with(|r| r.moments.get(pos.get()).and_then(|m| m.universe.clone()))
    });
    let lines = move || data.with(|r| r.console_at(pos.get()).to_vec());
    let when = move || {
        data.with(|r| r.moments.get(pos.get()).map(|m| m.at_ms))
            .map(local_time)
            .unwrap_or_default()
    };
    let speed = RwSignal::new(Speed::Real);
    let playing = RwSignal::new(false);
    // Each Play starts a run; a run that is no longer the latest stops.
    let runs = StoredValue::new(0u32);
    let play = move || {
        if pos.get_untracked() + 1 >= len() {
            at.set(0);
        }
        runs.update_value(|r| *r += 1);
        let run = runs.get_value();
        playing.set(true);
        leptos::task::spawn_local(async move {
            loop {
                let i = pos.get_untracked();
                let gap = data.with_untracked(|r| {
                    let time = |i: usize| r.moments.get(i).map(|m| m.at_ms);
                    time(i + 1).zip(time(i)).map(|(b, a)| b.saturating_sub(a))
                });
                let Some(gap) = gap else { break };
                durable::Clock::sleep(
                    &durable_web::BrowserClock,
                    speed.get_untracked().wait_ms(gap),
                )
                .await;
                if runs.try_get_value() != Some(run) || !playing.get_untracked() {
                    return;
                }
                at.set(i + 1);
            }
            if runs.try_get_value() == Some(run) {
                playing.set(false);
            }
        });
    };
    let toggle = move |_| {
        if playing.get_untracked() {
            playing.set(false);
        } else {
            play();
        }
    };
    let back = Route::Adventurer(key.get_value()).href();
    let name = move || {
        universe
            .get()
            .map(|u| u.adventurer.name)
            .unwrap_or_else(|| key.get_value())
    };
    view! {
        <section class="replay" aria-labelledby="replay-heading">
            <div class="adventure__head">
                <h2 id="replay-heading">"Replay: " {name}</h2>
                <a href=back data-testid="replay-back">"Back to the game"</a>
            </div>
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="replay__controls">
                <button type="button" data-testid="replay-play" on:click=toggle>
                    {move || if playing.get() { "Pause" } else { "Play" }}
                </button>
                <label>
                    "Speed "
                    <select data-testid="replay-speed" on:change=move |ev| speed.set(Speed::parse(&event_target_value(&ev)))>
                        <option value="1">"1×"</option>
                        <option value="10">"10×"</option>
                        <option value="max">"Fastest"</option>
                    </select>
                </label>
                <input
                    type="range"
                    class="replay__scrubber"
                    data-testid="replay-scrubber"
                    aria-label="Moment of the adventure"
                    min="0"
                    max=move || len().saturating_sub(1).to_string()
                    prop:value=move || pos.get().to_string()
                    on:input=move |ev| {
                        playing.set(false);
                        at.set(event_target_value(&ev).parse().unwrap_or(0));
                    }
                />
                <span class="replay__moment" data-testid="replay-moment">
                    {move || format!("Moment {} of {}", (pos.get() + 1).min(len()), len())}
                    " · "
                    {when}
                </span>
            </div>
            {move || data.with(|r| r.countdown_at(pos.get())).map(|(left, length_ms)| view! {
                <CountdownRing left=Signal::derive(move || left) length_ms=length_ms>
                    <p>"The confirmation window, then."</p>
                </CountdownRing>
            })}
            <div class="adventure__grid">
                <section class="console" aria-label="The story then">
                    <ol class="console__lines" data-testid="replay-console" tabindex="0">
                        {move || lines().into_iter().map(|l| view! { <li data-testid="console-line">{l.text}</li> }).collect_view()}
                    </ol>
                </section>
                <DungeonView universe=universe />
            </div>
        </section>
    }
}

/// `at_ms` as the player's local time of day.
fn local_time(at_ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    String::from(date.to_locale_time_string("default"))
}

#[cfg(test)]
mod tests {
    use super::Speed;

    #[test]
    fn play_waits_as_long_as_the_game_did_divided_by_the_speed_and_capped() {
        assert_eq!(Speed::Real.wait_ms(1_200), 1_200);
        assert_eq!(Speed::Real.wait_ms(60_000), 3_000);
        assert_eq!(Speed::Ten.wait_ms(1_200), 120);
        assert_eq!(Speed::Ten.wait_ms(60_000), 300);
        assert_eq!(Speed::Fastest.wait_ms(60_000), 0);
        assert_eq!(Speed::parse("10"), Speed::Ten);
        assert_eq!(Speed::parse("max"), Speed::Fastest);
        assert_eq!(Speed::parse("anything"), Speed::Real);
    }
}
