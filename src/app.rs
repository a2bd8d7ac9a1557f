//! The root component [`App`]: starts the runtime, provides it to the
//! pages, and shows the lobby or an adventurer.

use dungeon::GameConfig;
use leptos::prelude::*;

use crate::adventure::AdventurePage;
use crate::lobby::Lobby;
use crate::route::{use_route, Route};
use crate::services::Services;

/// The game's name, as the title screen shows it.
pub const TITLE: &str = "Durable Dungeon";

/// The one-line pitch under the title.
pub const TAGLINE: &str = "A text adventure that remembers every step you take.";

/// Timings from the page's URL (`?confirm=5s&monitor=1s`), else defaults.
fn config_from_url() -> GameConfig {
    let query = window().location().search().unwrap_or_default();
    GameConfig::default().with_overrides(&query)
}

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    let services = Services::new(config_from_url());
    provide_context(services);
    services.start();
    let route = use_route();
    view! {
        <main class="page">
            <header class="masthead">
                <a class="masthead__title" href="#/">
                    <h1 data-testid="title">{TITLE}</h1>
                </a>
                <p class="masthead__tagline" data-testid="tagline">{TAGLINE}</p>
            </header>
            {move || services.failure.get().map(|f| view! {
                <p class="error" role="alert" data-testid="startup-error">
                    "The game could not start: " {f}
                </p>
            })}
            {move || match route.get() {
                Route::Lobby => view! { <Lobby /> }.into_any(),
                Route::Adventurer(key) => view! { <AdventurePage key=key /> }.into_any(),
            }}
            <footer class="footer" data-testid="executor">
                {move || {
                    match services.tracked_runtime() {
                        None => "Opening the dungeon…".to_string(),
                        Some(rt) => {
                            let who = if rt.host.is_leader() {
                                "This tab runs the workflows."
                            } else {
                                "Another tab runs the workflows; this one follows."
                            };
                            match rt.host.last_error() {
                                Some(e) => format!("{who} Storage trouble: {e}"),
                                None => who.to_string(),
                            }
                        }
                    }
                }}
            </footer>
        </main>
    }
}
