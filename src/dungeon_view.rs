//! The dungeon drawn in SVG: the room with its walls and feature, the
//! monster's own silhouette alive or slain, the items on the floor, and the
//! adventurer with what they carry — triumphant, dead or shut in at the
//! end. A kill and a pick-up animate (not under `prefers-reduced-motion`).
//! Names are SVG text nodes, never markup; the scene is also described in
//! words for screen readers.

use dungeon::{ItemLocation, Status, Universe};
use leptos::prelude::*;

use crate::art;

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
    let scene = dungeon::guide::describe_scene(&u);
    let status = u.status();
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
    let held = u
        .treasure
        .as_ref()
        .filter(|t| t.location == ItemLocation::Monster)
        .map(|t| t.name.clone());
    let treasure_on_floor = u
        .treasure
        .as_ref()
        .is_some_and(|t| t.location == ItemLocation::Room);
    let floor: Vec<(String, bool)> = u
        .items()
        .filter(|i| i.location == ItemLocation::Room)
        .map(|i| (i.name.clone(), i.is_treasure))
        .collect();
    let carried: Vec<(String, bool)> = u
        .items()
        .filter(|i| i.location == ItemLocation::Carried)
        .map(|i| (i.name.clone(), i.is_treasure))
        .collect();
    let carried_names = u.adventurer.inventory.clone();
    let hero = u.adventurer.name.clone();
    view! {
        <svg viewBox="0 0 400 260" class="dungeon__svg" role="img" aria-labelledby="dungeon-title dungeon-desc">
            <title id="dungeon-title">{room_name.clone()}</title>
            <desc id="dungeon-desc" data-testid="scene">{scene}</desc>
            <rect x="10" y="10" width="380" height="240" rx="6" class="dungeon__wall" fill=art::wall_colour(&description) />
            <rect x="28" y="28" width="344" height="204" class="dungeon__floor" />
            <text x="200" y="50" text-anchor="middle" class="dungeon__label">{room_name}</text>
            <g transform="translate(200 120)">{art::feature(&description)}</g>
            {monster.map(|m| {
                let state = if m.alive { "alive" } else { "dead" };
                // Just slain: its treasure still lies where it fell.
                let slain = if !m.alive && treasure_on_floor { " dungeon__monster--slain" } else { "" };
                let class = format!("dungeon__monster dungeon__monster--{state}{slain}");
                let eyes = art::eye_positions(&m.name)
                    .iter()
                    .map(|(x, y)| eye(*x, *y, m.alive))
                    .collect_view();
                view! {
                    <g class=class data-testid="monster" data-state=state>
                        <g class="dungeon__monster-body" transform="translate(290 140)" fill=art::monster_colour(&m.name)>
                            {art::beast(&m.name)}
                            {eyes}
                            {held.clone().map(|t| view! {
                                <g transform="translate(30 10) scale(0.7)" class="dungeon__held">{art::treasure(&t)}</g>
                            })}
                        </g>
                        <text x="290" y="200" text-anchor="middle" class="dungeon__caption">{m.name}</text>
                    </g>
                }
            })}
            {floor
                .into_iter()
                .enumerate()
                .map(|(i, (name, is_treasure))| {
                    let x = 90 + 110 * i as i32;
                    let icon = if is_treasure { art::treasure(&name).into_any() } else { art::weapon(&name).into_any() };
                    view! {
                        <g class="dungeon__item" data-testid="floor-item">
                            <g transform=format!("translate({x} 218)")>{icon}</g>
                            <text x=x.to_string() y="244" text-anchor="middle" class="dungeon__caption">{name}</text>
                        </g>
                    }
                })
                .collect_view()}
            {in_room.then(|| hero_figure(&hero, status, &carried))}
            {(!in_room && status == Status::Dead).then(|| view! {
                // Died at the door, before the room was ever entered.
                <g class="dungeon__grave" data-testid="grave">
                    <path d="M92,180 L92,140 C92,124 128,124 128,140 L128,180 Z M104,146 L116,146 M110,140 L110,160" />
                    <text x="110" y="196" text-anchor="middle" class="dungeon__caption">{hero.clone()}</text>
                </g>
            })}
        </svg>
        <figcaption>
            <span class="muted">"Carrying: "</span>
            <span data-testid="carried">
                {if carried_names.is_empty() { "nothing".to_string() } else { carried_names.join(", ") }}
            </span>
        </figcaption>
    }
}

/// An eye: open while the beast lives, crossed out once it is slain.
fn eye(x: i32, y: i32, alive: bool) -> impl IntoView {
    if alive {
        view! { <circle cx=x.to_string() cy=y.to_string() r="2.5" class="dungeon__eye" /> }
            .into_any()
    } else {
        let d = format!("M{},{} l5,5 m0,-5 l-5,5", x - 2, y - 2);
        view! { <path d=d class="dungeon__eye dungeon__eye--dead" /> }.into_any()
    }
}

/// The adventurer, holding what they carry: arms raised in victory, fallen
/// in death, behind bars when time ran out.
fn hero_figure(name: &str, status: Status, carried: &[(String, bool)]) -> impl IntoView {
    let state = match status {
        Status::Won => "won",
        Status::Dead => "dead",
        Status::OutOfTime => "out-of-time",
        _ => "alive",
    };
    let arms = if status == Status::Won {
        "M-10,-2 L-20,-20 M10,-2 L20,-20"
    } else {
        "M-10,-2 L-16,14 M10,-2 L16,14"
    };
    let items = carried
        .iter()
        .enumerate()
        .map(|(i, (item, is_treasure))| {
            let (x, y) = if status == Status::Won { (-22 + 44 * i as i32, -26) } else { (22 + 16 * i as i32, 8) };
            let icon = if *is_treasure { art::treasure(item).into_any() } else { art::weapon(item).into_any() };
            view! { <g class="dungeon__carried" transform=format!("translate({x} {y}) scale(0.6)")>{icon}</g> }
        })
        .collect_view();
    view! {
        <g class=format!("dungeon__hero dungeon__hero--{state}") data-testid="hero" data-state=state>
            <g class="dungeon__hero-body" transform="translate(110 140)">
                <circle cx="0" cy="-18" r="10" />
                <path d="M-10,-6 L10,-6 L8,22 L-8,22 Z" class="dungeon__torso" />
                <path d=arms class="dungeon__limb" />
                {(status == Status::Won).then(|| view! { <path d="M-8,-30 L-8,-38 L-3,-33 L0,-40 L3,-33 L8,-38 L8,-30 Z" class="dungeon__crown" /> })}
                {items}
            </g>
            {(status == Status::OutOfTime).then(|| view! {
                <path d="M80,100 L80,170 M95,100 L95,170 M110,100 L110,170 M125,100 L125,170 M140,100 L140,170" class="dungeon__bars" />
            })}
            <text x="110" y="186" text-anchor="middle" class="dungeon__caption">{name.to_string()}</text>
        </g>
    }
}
