//! The app's handle on the runtime and the game, shared with components
//! through context.
//!
//! Owns nothing of the game: it holds the browser host (which runs the
//! workflows in the executing tab) and the game client, and turns the
//! host's change notices into signals that views re-read on: one that
//! moves on any change, and one per app store and per instance (and per
//! adventurer's instances), so a view re-reads only what it shows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use durable::Change;

use dungeon::{Game, GameConfig};
use durable_web::{Host, HostOptions, IdbStore};
use leptos::prelude::*;

/// The IndexedDB database of the game.
pub const DATABASE: &str = "durable-dungeon";

pub struct Runtime {
    pub host: Host,
    pub game: Game<IdbStore>,
}

/// Something a view reads, whose changes it re-reads on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// The records of one app store.
    Store(String),
    /// One instance's row.
    Instance(String),
    /// The rows of every instance whose id starts with this key and a
    /// colon (an adventurer's workflows).
    InstancesOf(String),
}

impl Topic {
    /// The topics a change moves.
    fn of(change: &Change) -> Vec<Topic> {
        match change {
            Change::AppStore { store } => vec![Topic::Store(store.clone())],
            Change::Instance { id, .. } => {
                let id = id.as_str();
                let mut topics = vec![Topic::Instance(id.to_string())];
                if let Some((owner, _)) = id.split_once(':') {
                    topics.push(Topic::InstancesOf(owner.to_string()));
                }
                topics
            }
            Change::Queued { .. } | Change::Leadership { .. } => Vec::new(),
        }
    }
}

/// One counter per topic, made when a view first tracks it. The counters
/// are reference-counted signals, owned by no view, so a view that goes
/// does not take a counter another view tracks.
#[derive(Clone, Default)]
struct Topics(Rc<RefCell<HashMap<Topic, ArcRwSignal<u64>>>>);

impl Topics {
    fn track(&self, topic: Topic) {
        let signal = self
            .0
            .borrow_mut()
            .entry(topic)
            .or_insert_with(|| ArcRwSignal::new(0))
            .clone();
        signal.track();
    }

    fn bump(&self, topic: &Topic) {
        let signal = self.0.borrow().get(topic).cloned();
        if let Some(s) = signal {
            s.update(|n| *n += 1);
        }
    }
}

/// What components get from context: the runtime once it is up, a counter
/// that moves whenever anything changed (in this tab or another), and one
/// per [`Topic`].
#[derive(Clone, Copy)]
pub struct Services {
    runtime: StoredValue<Option<Rc<Runtime>>, LocalStorage>,
    topics: StoredValue<Topics, LocalStorage>,
    pub ready: RwSignal<bool>,
    pub failure: RwSignal<Option<String>>,
    pub changes: RwSignal<u64>,
    pub config: StoredValue<GameConfig>,
}

impl Services {
    pub fn new(config: GameConfig) -> Self {
        Services {
            runtime: StoredValue::new_local(None),
            topics: StoredValue::new_local(Topics::default()),
            ready: RwSignal::new(false),
            failure: RwSignal::new(None),
            changes: RwSignal::new(0),
            config: StoredValue::new(config),
        }
    }

    /// The runtime, once started.
    pub fn runtime(&self) -> Option<Rc<Runtime>> {
        self.runtime.get_value()
    }

    /// Stops this tab's host (it lets go of the executor's lock); nothing if
    /// it never started or these services are gone.
    pub fn shut_down(&self) {
        if let Some(rt) = self.runtime.try_get_value().flatten() {
            rt.host.shutdown();
        }
    }

    /// The runtime, once started, read so that the calling view or resource
    /// runs again when it starts and whenever anything changes.
    pub fn tracked_runtime(&self) -> Option<Rc<Runtime>> {
        self.changes.track();
        self.ready.get().then(|| self.runtime()).flatten()
    }

    /// The runtime, once started, read so that the calling view or resource
    /// runs again when it starts and when one of `topics` changes (and on
    /// nothing else).
    pub fn runtime_tracking(&self, topics: &[Topic]) -> Option<Rc<Runtime>> {
        if let Some(t) = self.topics.try_get_value() {
            for topic in topics {
                t.track(topic.clone());
            }
        }
        self.ready.get().then(|| self.runtime()).flatten()
    }

    /// Moves the counters of what `changes` touched, then the one of any
    /// change; false once these services are gone.
    fn take_in(&self, changes: &[Change]) -> bool {
        let Some(topics) = self.topics.try_get_value() else {
            return false;
        };
        let mut moved: Vec<Topic> = changes.iter().flat_map(Topic::of).collect();
        moved.dedup();
        for topic in &moved {
            topics.bump(topic);
        }
        self.changes.try_update(|n| *n += 1).is_some()
    }

    /// Opens the game's database, starts this tab's host and follows its
    /// changes.
    pub fn start(self) {
        self.start_on(DATABASE.to_string());
    }

    /// [`Services::start`] on the database `name` (tests and benchmarks use
    /// databases of their own).
    pub fn start_on(self, name: String) {
        leptos::task::spawn_local(async move {
            let config = self.config.get_value();
            match Host::start(&name, dungeon::registry(), HostOptions::default()).await {
                Ok(host) => {
                    // The view these services served may be gone already.
                    if self.changes.try_get_untracked().is_none() {
                        host.shutdown();
                        return;
                    }
                    hand_over_when_hidden_for_good(self);
                    let game = Game::new(host.client().clone(), config);
                    let sub = host.subscribe();
                    self.runtime
                        .set_value(Some(Rc::new(Runtime { host, game })));
                    self.ready.set(true);
                    loop {
                        let mut changes = vec![sub.next().await];
                        changes.extend(sub.drain());
                        // Gone with the view that owned these services.
                        if !self.take_in(&changes) {
                            break;
                        }
                    }
                }
                Err(e) => self.failure.set(Some(e.to_string())),
            }
        });
    }
}

/// A page the browser keeps in its back/forward cache would keep the
/// executor's lock while nothing of it runs: on `pagehide` the page stops
/// executing and lets go (another tab takes over), and if the browser shows
/// it again from that cache it reloads, to start afresh.
fn hand_over_when_hidden_for_good(services: Services) {
    // Both listeners stay for the page's whole life.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| services.shut_down());
    let _ = window_event_listener(leptos::ev::pageshow, |ev| {
        if ev.persisted() {
            let _ = window().location().reload();
        }
    });
}

/// Timings from the page's URL (`?confirm=5s&monitor=1s`), else defaults.
pub fn config_from_url() -> GameConfig {
    let query = window().location().search().unwrap_or_default();
    GameConfig::default().with_overrides(&query)
}

/// The services provided by [`crate::App`].
pub fn use_services() -> Services {
    expect_context::<Services>()
}
