//! The app's handle on the runtime and the game, shared with components
//! through context.
//!
//! Owns nothing of the game: it holds the browser host (which runs the
//! workflows in the executing tab) and the game client. The host's change
//! notices become signals through `durable_leptos::Durable`: one that moves
//! on any change, and one per app store and per instance (and per
//! adventurer's instances), so a view re-reads only what it shows.

use std::rc::Rc;

use dungeon::{Game, GameConfig};
use durable_leptos::Durable;
use durable_web::{Host, HostOptions, IdbStore};
use leptos::prelude::*;

pub use durable_leptos::Topic;

/// The IndexedDB database of the game.
pub const DATABASE: &str = "durable-dungeon";

pub struct Runtime {
    pub host: Host,
    pub game: Game<IdbStore>,
}

/// What components get from context: the runtime once it is up, and the
/// [`Durable`] handle underneath (its readiness, its failure, and a counter
/// per [`Topic`]).
#[derive(Clone, Copy)]
pub struct Services {
    durable: Durable,
    runtime: StoredValue<Option<Rc<Runtime>>, LocalStorage>,
    pub config: StoredValue<GameConfig>,
}

impl Services {
    pub fn new(config: GameConfig) -> Self {
        Services {
            durable: Durable::new(),
            runtime: StoredValue::new_local(None),
            config: StoredValue::new(config),
        }
    }

    /// The runtime handle the hooks of `durable_leptos` read through.
    pub fn durable(&self) -> Durable {
        self.durable
    }

    /// The runtime, once started.
    pub fn runtime(&self) -> Option<Rc<Runtime>> {
        self.runtime.try_get_value().flatten()
    }

    /// Stops this tab's host (it lets go of the executor's lock); nothing if
    /// it never started or these services are gone.
    pub fn shut_down(&self) {
        self.durable.shut_down();
    }

    /// The runtime, once started, read so that the calling view or resource
    /// runs again when it starts and whenever anything changes.
    pub fn tracked_runtime(&self) -> Option<Rc<Runtime>> {
        self.durable.tracking_everything().and(self.runtime())
    }

    /// The runtime, once started, read so that the calling view or resource
    /// runs again when it starts and when one of `topics` changes (and on
    /// nothing else).
    pub fn runtime_tracking(&self, topics: &[Topic]) -> Option<Rc<Runtime>> {
        self.durable.tracking(topics).and(self.runtime())
    }

    /// Opens the game's database, starts this tab's host and follows its
    /// changes.
    pub fn start(self) {
        self.start_on(DATABASE.to_string());
    }

    /// [`Services::start`] on the database `name` (tests and benchmarks use
    /// databases of their own).
    pub fn start_on(self, name: String) {
        let config = self.config.get_value();
        self.durable.start(
            &name,
            dungeon::registry(),
            HostOptions::default(),
            move |host| {
                hand_over_when_hidden_for_good(self);
                let game = Game::new(host.client().clone(), config);
                let host = host.clone();
                self.runtime
                    .set_value(Some(Rc::new(Runtime { host, game })));
            },
        );
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
