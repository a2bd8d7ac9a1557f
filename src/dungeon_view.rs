//! The dungeon drawn in SVG: the room, the monster alive or dead, the items
//! where they are, and the adventurer. Names are SVG text nodes, never
//! markup.

use dungeon::{ItemLocation, Universe};
use leptos::prelude::*;

#[component]
pub fn DungeonView(universe: Signal<Option<Universe>>) -> impl IntoView {
    view! {
        <figure class="dungeon" data-testid="dungeon">
            {move || match universe.get() {
                None => view! { <p class="muted">"The dungeon is taking shape…"</p> }.into_any(),
                Some(u) => draw(u).into_any(),
            }}
        </figure>
    }
}

fn draw(u: Universe) -> impl IntoView {
    let room_name = u
        .room
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_else(|| "An unfinished room".into());
    let description = u
        .room
        .as_ref()
        .map(|r| r.description.clone())
        .unwrap_or_default();
    let in_room = u.current_room().is_some();
    let monster = u.monster.clone().filter(|m| m.room.is_some());
    let floor: Vec<(String, bool)> = u
        .items()
        .filter(|i| i.location == ItemLocation::Room)
        .map(|i| (i.name.clone(), i.is_treasure))
        .collect();
    let carried: Vec<String> = u.adventurer.inventory.clone();
    let hero = u.adventurer.name.clone();
    let alive = u.adventurer.alive;
    view! {
        <svg viewBox="0 0 400 260" class="dungeon__svg" role="img" aria-labelledby="dungeon-title">
            <title id="dungeon-title">{format!("{room_name}. {description}")}</title>
            <rect x="10" y="10" width="380" height="240" rx="6" class="dungeon__wall" />
            <rect x="28" y="28" width="344" height="204" class="dungeon__floor" />
            <text x="200" y="50" text-anchor="middle" class="dungeon__label">{room_name}</text>
            {monster.map(|m| {
                let class = if m.alive { "dungeon__monster" } else { "dungeon__monster dungeon__monster--dead" };
                let state = if m.alive { "alive" } else { "dead" };
                view! {
                    <g class=class data-testid="monster" data-state=state>
                        <circle cx="290" cy="125" r="30" />
                        <text x="281" y="119" class="dungeon__eye">{if m.alive { "•" } else { "x" }}</text>
                        <text x="295" y="119" class="dungeon__eye">{if m.alive { "•" } else { "x" }}</text>
                        <text x="290" y="178" text-anchor="middle" class="dungeon__caption">{m.name}</text>
                    </g>
                }
            })}
            {floor
                .into_iter()
                .enumerate()
                .map(|(i, (name, treasure))| {
                    let x = 80 + 90 * i as i32;
                    let class = if treasure { "dungeon__item dungeon__item--treasure" } else { "dungeon__item" };
                    view! {
                        <g class=class data-testid="floor-item">
                            <rect x=(x - 8).to_string() y="200" width="16" height="16" transform=format!("rotate(45 {x} 208)") />
                            <text x=x.to_string() y="236" text-anchor="middle" class="dungeon__caption">{name}</text>
                        </g>
                    }
                })
                .collect_view()}
            {in_room.then(|| {
                let class = if alive { "dungeon__hero" } else { "dungeon__hero dungeon__hero--dead" };
                view! {
                    <g class=class data-testid="hero">
                        <circle cx="110" cy="110" r="12" />
                        <rect x="100" y="124" width="20" height="30" rx="6" />
                        <text x="110" y="172" text-anchor="middle" class="dungeon__caption">{hero.clone()}</text>
                    </g>
                }
            })}
        </svg>
        <figcaption>
            <span class="muted">"Carrying: "</span>
            <span data-testid="carried">
                {if carried.is_empty() { "nothing".to_string() } else { carried.join(", ") }}
            </span>
        </figcaption>
    }
}
