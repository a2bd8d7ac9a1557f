//! Helpers shared by the app's browser tests and `make bench`: a database
//! filled with instances, the dashboard mounted on a database of its own,
//! and waiting — on DOM mutations, never on a fixed sleep — for the page to
//! show something. Not used by the app itself.

use std::rc::Rc;

use durable::{CommitBatch, InstanceId, InstanceRecord, RuntimeStatus, Store};
use durable_web::IdbStore;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use durable_leptos::testing::until_started;
pub use durable_leptos::testing::{fresh_container, text_of, until};

use crate::services::Services;
use durable_dashboard::Dashboard;

/// The orchestration names sample instances take, in turn.
pub const SAMPLE_NAMES: [&str; 5] = [
    "UserParallelWorkflow",
    "UserConfirmationWorkflow",
    "UserSequentialWorkflow",
    "UserMonitorWorkflow",
    "GameMonitorWorkflow",
];

/// The statuses sample instances take, in turn.
pub const SAMPLE_STATUSES: [RuntimeStatus; 4] = [
    RuntimeStatus::Completed,
    RuntimeStatus::Running,
    RuntimeStatus::Failed,
    RuntimeStatus::Terminated,
];

/// `n` instance rows: ids `hero{i:05}:w{i % 5}`, names and statuses in turn,
/// created one second apart from `created_ms`, updated a little later.
pub fn sample_instances(n: usize, created_ms: u64) -> Vec<InstanceRecord> {
    (0..n)
        .map(|i| {
            let mut r = InstanceRecord::pending(
                InstanceId::new(format!("hero{i:05}:w{}", i % 5)),
                SAMPLE_NAMES[i % 5],
                serde_json::json!({ "hero": i }),
                created_ms + 1_000 * i as u64,
            );
            r.status = SAMPLE_STATUSES[i % 4];
            r.updated_ms = r.created_ms + 500;
            r
        })
        .collect()
}

/// A new database named `name` holding `rows`, written in one commit.
pub async fn fill(name: &str, rows: Vec<InstanceRecord>) -> IdbStore {
    let store = IdbStore::open(name).await.expect("open the test database");
    store
        .commit(CommitBatch {
            instances: rows,
            ..Default::default()
        })
        .await
        .expect("store the sample instances");
    store
}

/// Services on the database `name`, once their runtime is up.
pub async fn services_on(name: &str) -> Services {
    services_with(name, Default::default()).await
}

/// [`services_on`], with games started on `config`.
pub async fn services_with(name: &str, config: dungeon::GameConfig) -> Services {
    // Mounting sets the executor up; these services start before a mount.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let services = Services::new(config);
    services.start_on(name.to_string());
    until_started(services.durable()).await;
    services
}

/// The dashboard list mounted into `container` with `services`; keep the
/// handle (dropping it unmounts).
pub fn mount_dashboard(container: HtmlElement, services: Services) -> impl Drop {
    leptos::mount::mount_to(container, move || {
        provide_game_dashboard(services);
        view! { <Dashboard /> }
    })
}

pub use crate::dashboard_module::provide_game_dashboard;

/// Shows `hash` (`#/dashboard?…`) as the page's URL.
pub fn set_hash(hash: &str) {
    window().location().set_hash(hash).expect("set the hash");
}

/// The `(id, status)` of each instance row under `root`, in order.
pub fn instance_rows(root: &Element) -> Vec<(String, String)> {
    let rows = root
        .query_selector_all("[data-testid=\"instance-row\"]")
        .expect("a valid selector");
    (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<Element>().ok())
        .map(|r| {
            (
                r.get_attribute("data-id").unwrap_or_default(),
                r.get_attribute("data-status").unwrap_or_default(),
            )
        })
        .collect()
}

/// A game with no host running (on an IndexedDB database, or in memory):
/// the test drives the runtime by hand, so only what it calls touches the
/// store.
pub struct HandDrivenGame<S: durable::Store + Clone + 'static = IdbStore> {
    pub store: S,
    pub runtime: durable::Runtime<S>,
    pub game: dungeon::Game<S>,
}

impl HandDrivenGame<IdbStore> {
    /// On the IndexedDB database `name`.
    pub async fn open(name: &str) -> HandDrivenGame {
        let store = IdbStore::open(name).await.expect("open the database");
        HandDrivenGame::on(store)
    }
}

impl HandDrivenGame<durable::InMemoryStore> {
    /// In memory: what a command costs without storage.
    pub fn in_memory() -> Self {
        HandDrivenGame::on(durable::InMemoryStore::new())
    }
}

impl<S: durable::Store + Clone + 'static> HandDrivenGame<S> {
    fn on(store: S) -> Self {
        let runtime = durable::Runtime::new(
            store.clone(),
            dungeon::registry(),
            Rc::new(durable_web::BrowserClock),
        );
        let game = dungeon::Game::new(runtime.client(), dungeon::GameConfig::default());
        HandDrivenGame {
            store,
            runtime,
            game,
        }
    }

    /// A new adventurer `name`, confirmed and in the room; returns the key
    /// and the words that name the weapon and the monster in a command.
    pub async fn confirmed(&self, name: &str) -> (String, String, String) {
        let key = self
            .game
            .new_adventurer(name)
            .await
            .expect("a new adventurer");
        self.runtime.run_until_idle().await.expect("run");
        self.game.command(&key, "confirm").await.expect("confirm");
        self.runtime.run_until_idle().await.expect("run");
        let u = self
            .game
            .universe(&key)
            .await
            .expect("read")
            .expect("a universe");
        let weapon = command_word(&u.weapon.expect("a weapon").name);
        let monster = command_word(&u.monster.expect("a monster").name);
        (key, weapon, monster)
    }
}

/// A benchmark's line in the browser's console (`make bench` collects them).
pub fn say(line: &str) {
    web_sys::console::log_1(&JsValue::from_str(line));
}

/// The word that names a thing in a command: the game's own rule.
pub use dungeon::guide::command_word;

/// A new adventurer `name` on a running host, confirmed as soon as its
/// window opens, waited for (through `changes`) until it stands in its
/// room with its weapon lying there: its key, the weapon and the monster.
pub async fn adventurer_in_the_room(
    rt: &crate::services::Runtime,
    changes: &durable::ChangeSubscription,
    name: &str,
) -> (String, dungeon::Item, dungeon::Monster) {
    let key = rt
        .game
        .new_adventurer(name)
        .await
        .expect("a new adventurer");
    while rt.game.command(&key, "confirm").await.is_err() {
        changes.next().await;
    }
    loop {
        let u = rt.game.universe(&key).await.expect("read");
        let here = u.and_then(|u| {
            let (weapon, monster) = (u.weapon.clone()?, u.monster.clone()?);
            u.current_room()?
                .items
                .contains(&weapon.name)
                .then_some((weapon, monster))
        });
        if let Some((weapon, monster)) = here {
            return (key, weapon, monster);
        }
        changes.next().await;
    }
}

/// The adventure page of `key` mounted in a fresh container with
/// `services`: keep the handle (dropping it unmounts) and read the root.
pub fn mount_adventure(services: Services, key: &str) -> (impl Drop, Element) {
    let container = fresh_container();
    let page_key = key.to_string();
    let mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_context(services);
        view! { <crate::AdventurePage key=page_key.clone() /> }
    });
    (mounted, container.into())
}

/// The story's lines as shown.
pub fn console_texts(root: &Element) -> Vec<String> {
    let list = root
        .query_selector_all("[data-testid=\"console-line\"]")
        .expect("a selector");
    (0..list.length())
        .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
        .collect()
}

/// Types `line` into the page's command line, as a player would.
pub fn type_command(root: &Element, line: &str) {
    let field: web_sys::HtmlInputElement = root
        .query_selector("[data-testid=\"command\"]")
        .expect("a selector")
        .expect("the command line")
        .dyn_into()
        .expect("an input");
    field.set_value(line);
    field
        .dispatch_event(&web_sys::Event::new("input").expect("an event"))
        .expect("dispatched");
}

/// The command line's Send button.
pub fn send_button(root: &Element) -> HtmlElement {
    root.query_selector("[data-testid=\"send\"]")
        .expect("a selector")
        .expect("the send button")
        .dyn_into()
        .expect("an element")
}
