//! Browser tests of the root component: mount [`App`] into a fresh element and
//! read what it rendered from the DOM.

#![cfg(target_arch = "wasm32")]

use durable_dungeon::testing::fresh_container;
use durable_dungeon::{App, OfflineIndicator, TAGLINE, TITLE};
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// The text of the element with `data-testid="{id}"` inside `root`.
fn text_of(root: &HtmlElement, id: &str) -> Option<String> {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .expect("a valid selector")
        .and_then(|element| element.text_content())
}

#[wasm_bindgen_test]
async fn title_screen_shows_the_game_title() {
    let container = fresh_container();
    // Keep the handle: dropping it unmounts the view.
    let _mounted = leptos::mount::mount_to(container.clone(), App);
    leptos::task::tick().await;

    assert_eq!(text_of(&container, "title").as_deref(), Some(TITLE));
    assert_eq!(text_of(&container, "tagline").as_deref(), Some(TAGLINE));
}

#[wasm_bindgen_test]
async fn the_offline_mark_follows_the_browsers_network_events() {
    let container = fresh_container();
    let _mounted = leptos::mount::mount_to(container.clone(), OfflineIndicator);
    leptos::task::tick().await;
    let mark = || {
        container
            .query_selector("[data-testid=\"offline\"]")
            .unwrap()
    };
    // Headless Chromium starts online.
    assert!(mark().is_none());
    let send = |name: &str| {
        window()
            .dispatch_event(&web_sys::Event::new(name).unwrap())
            .unwrap();
    };
    send("offline");
    leptos::task::tick().await;
    assert_eq!(
        mark().and_then(|m| m.text_content()).as_deref(),
        Some("Offline")
    );
    send("online");
    leptos::task::tick().await;
    assert!(mark().is_none());
}

/// A change elsewhere (the monitor's ticks) re-renders neither the story
/// nor the drawing: their nodes are the same before and after.
#[wasm_bindgen_test]
async fn a_monitor_tick_rerenders_neither_the_story_nor_the_drawing() {
    use durable_dungeon::testing::{services_with, until};
    use durable_dungeon::AdventurePage;
    use wasm_bindgen::JsValue;

    let db = format!("app-test-ticks-{}", js_sys::Math::random());
    let config = dungeon::GameConfig {
        monitor_interval_ms: 100,
        ..Default::default()
    };
    let services = services_with(&db, config).await;
    let rt = services.runtime().expect("the runtime is up");
    let key = rt
        .game
        .new_adventurer("Tick")
        .await
        .expect("a new adventurer");
    let container = fresh_container();
    let page_key = key.clone();
    let _mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_context(services);
        view! { <AdventurePage key=page_key.clone() /> }
    });
    let root: web_sys::Element = container.clone().into();
    let lines = || {
        root.query_selector_all("[data-testid=\"console-line\"]")
            .unwrap()
    };
    until("the story and the drawing", &root, 30_000.0, || {
        lines().length() >= 5 && root.query_selector("svg.dungeon__svg").unwrap().is_some()
    })
    .await;
    let first_line = lines().item(0).expect("a line");
    let drawing = root
        .query_selector("svg.dungeon__svg")
        .unwrap()
        .expect("the drawing");
    let monitor_turns = || async {
        rt.game
            .workflows(&key)
            .await
            .expect("workflows")
            .into_iter()
            .find(|w| w.name == "UserMonitorWorkflow")
            .map_or(0, |w| w.turns)
    };
    let before = monitor_turns().await;
    let changes = rt.host.client().subscribe();
    while monitor_turns().await < before + 3 {
        changes.next().await;
    }
    // Let the page take the changes in.
    leptos::task::tick().await;
    assert!(first_line.is_connected(), "the story was rendered again");
    assert!(drawing.is_connected(), "the drawing was rendered again");
    assert!(js_sys::Object::is(
        &lines().item(0).expect("a line"),
        &JsValue::from(first_line)
    ));
    services.shut_down();
}

/// A command's narration shows the moment it is committed, and once: when
/// the console is read again, the same lines are not shown twice.
#[wasm_bindgen_test]
async fn a_commands_narration_shows_once_before_and_after_the_console_is_read() {
    use durable_dungeon::testing::{
        adventurer_in_the_room, command_word, console_texts, mount_adventure, send_button,
        services_with, type_command, until,
    };

    let db = format!("app-test-narration-{}", js_sys::Math::random());
    let services = services_with(&db, dungeon::GameConfig::default()).await;
    let rt = services.runtime().expect("the runtime is up");
    let changes = rt.host.subscribe();
    let (key, weapon, _) = adventurer_in_the_room(&rt, &changes, "Teller").await;
    let grabbed = dungeon::narration::grabbed("Teller", &weapon.name);
    let (_mounted, root) = mount_adventure(services, &key);
    let texts = || console_texts(&root);
    until("the story", &root, 30_000.0, || !texts().is_empty()).await;
    type_command(&root, &format!("get {}", command_word(&weapon.name)));
    send_button(&root).click();
    let shown = || texts().iter().filter(|t| **t == grabbed).count();
    until("the narration", &root, 30_000.0, || shown() > 0).await;
    assert_eq!(
        shown(),
        1,
        "the narration shows once, before the console is read again"
    );
    // Once the page has read the console again, it shows the console as
    // stored: every line once, in order.
    let stored: Vec<String> = rt
        .game
        .console(&key)
        .await
        .expect("the console")
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert_eq!(
        stored.iter().filter(|l| **l == grabbed).count(),
        1,
        "the command narrated once"
    );
    let read_lines = || {
        root.query_selector("[data-testid=\"console\"]")
            .unwrap()
            .and_then(|ol| ol.get_attribute("data-read-lines"))
            .and_then(|n| n.parse::<usize>().ok())
    };
    until("the console read again", &root, 30_000.0, || {
        read_lines() == Some(stored.len())
    })
    .await;
    assert_eq!(texts(), stored, "every line once, in order");
}

/// A game won on a running host, replayed: the scrubber's first moment
/// shows the game before anything was carried, the moment before the kill
/// shows the monster alive and the weapon carried, and the last moment
/// shows the story as stored; the replay changes nothing.
#[wasm_bindgen_test]
async fn a_won_game_replays_moment_by_moment_on_the_replay_page() {
    use durable_dungeon::testing::{
        adventurer_in_the_room, command_word, console_texts, services_with, until,
    };
    use durable_dungeon::ReplayPage;
    use wasm_bindgen::JsCast;

    let db = format!("app-test-replay-{}", js_sys::Math::random());
    let services = services_with(&db, dungeon::GameConfig::default()).await;
    let rt = services.runtime().expect("the runtime is up");
    let changes = rt.host.subscribe();
    let (key, weapon, monster) = adventurer_in_the_room(&rt, &changes, "Rewinder").await;
    let (weapon_word, monster_word) = (command_word(&weapon.name), command_word(&monster.name));
    // Set up to the end: the game monitor runs once the treasure is placed.
    loop {
        let workflows = rt.game.workflows(&key).await.expect("read");
        let monitoring = workflows.iter().any(|w| {
            w.name == "GameMonitorWorkflow" && w.status == durable::RuntimeStatus::Running
        });
        if monitoring {
            break;
        }
        changes.next().await;
    }
    rt.game
        .command(&key, &format!("get {weapon_word}"))
        .await
        .expect("get");
    let before_kill = rt
        .game
        .universe(&key)
        .await
        .expect("read")
        .expect("a universe");
    rt.game
        .command(&key, &format!("kill {monster_word} with {weapon_word}"))
        .await
        .expect("kill");
    let treasure = before_kill.treasure.clone().expect("a treasure").name;
    rt.game
        .command(&key, &format!("get {}", command_word(&treasure)))
        .await
        .expect("take the treasure");
    let won = rt
        .game
        .universe(&key)
        .await
        .expect("read")
        .expect("a universe");
    assert!(won.is_won());
    // The game monitor narrates the win on its own turn: the story is
    // whole once it has completed.
    loop {
        let workflows = rt.game.workflows(&key).await.expect("read");
        let done = workflows.iter().any(|w| {
            w.name == "GameMonitorWorkflow" && w.status == durable::RuntimeStatus::Completed
        });
        if done {
            break;
        }
        changes.next().await;
    }
    let stored: Vec<String> = rt
        .game
        .console(&key)
        .await
        .expect("read")
        .into_iter()
        .map(|l| l.text)
        .collect();
    let journal_before = rt.game.replay(&key).await.expect("the replay");

    let container = fresh_container();
    let page_key = key.clone();
    let _mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_context(services);
        view! { <ReplayPage key=page_key.clone() /> }
    });
    let root: web_sys::Element = container.into();
    let scrubber = || -> web_sys::HtmlInputElement {
        root.query_selector("[data-testid=\"replay-scrubber\"]")
            .unwrap()
            .expect("the scrubber")
            .dyn_into()
            .unwrap()
    };
    let inventory = || text_of_el(&root, "carried");
    // Opened at the end: the game as it is now.
    until("the last moment", &root, 30_000.0, || {
        console_texts(&root) == stored
    })
    .await;
    assert!(inventory().contains(&treasure), "{}", inventory());
    let monster_state_now = root
        .query_selector("[data-testid=\"monster\"]")
        .unwrap()
        .and_then(|m| m.get_attribute("data-state"));
    assert_eq!(monster_state_now.as_deref(), Some("dead"));
    let moments = journal_before.moments.len();
    assert_eq!(scrubber().max(), (moments - 1).to_string());
    // The moment just before the kill: the monster alive, the weapon carried.
    let kill_at = journal_before
        .moments
        .iter()
        .position(|m| m.universe.as_ref() == Some(&before_kill))
        .expect("the moment before the kill");
    let scrub_to = |i: usize| {
        let s = scrubber();
        s.set_value(&i.to_string());
        s.dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    scrub_to(kill_at);
    until("the moment before the kill", &root, 30_000.0, || {
        console_texts(&root).len() == journal_before.console_at(kill_at).len()
    })
    .await;
    assert!(inventory().contains(&weapon.name) && !inventory().contains(&treasure));
    let monster_state = || {
        root.query_selector("[data-testid=\"monster\"]")
            .unwrap()
            .and_then(|m| m.get_attribute("data-state"))
    };
    assert_eq!(
        monster_state().as_deref(),
        Some("alive"),
        "the monster is alive then"
    );
    // The first moment: nothing carried yet.
    scrub_to(0);
    until("the first moment", &root, 30_000.0, || {
        inventory().ends_with("nothing")
    })
    .await;
    let after = rt.game.replay(&key).await.expect("the replay");
    assert_eq!(after, journal_before, "a replay changes nothing");
}

fn text_of_el(root: &web_sys::Element, id: &str) -> String {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}
