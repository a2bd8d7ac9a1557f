//! The root component [`App`]: starts the runtime, provides it to the
//! pages, and shows the lobby, an adventurer, or the workflow dashboard.

use leptos::prelude::*;

use crate::adventure::AdventurePage;
use crate::lobby::Lobby;
use crate::offline::{OfflineIndicator, UpdateOffer};
use crate::route::{use_route, Route};
use crate::services::{config_from_url, Services};
use durable_dashboard::{DashboardSlot, Page};

/// The game's name, as the title screen shows it.
pub const TITLE: &str = "Durable Dungeon";

/// The one-line pitch under the title.
pub const TAGLINE: &str = "A text adventure that remembers every step you take.";

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    let services = Services::new(config_from_url());
    provide_context(services);
    services.start();
    let update_ready = crate::offline::start();
    let route = use_route();
    // Which page, not what the dashboard shows: the dashboard follows the
    // URL itself, so moving within it never rebuilds it.
    let page = Memo::new(move |_| match route.get() {
        // The dashboard's module serves these (loaded when opened).
        Route::Dashboard(_) | Route::Replay(_) => Route::Dashboard(Page::List(String::new())),
        other => other,
    });
    view! {
        <main class=move || match route.get() {
            // The engineer's tools take the whole width.
            Route::Dashboard(_) => "page page--wide",
            _ => "page",
        }>
            <header class="masthead">
                <a class="masthead__title" href="#/">
                    <h1 data-testid="title">{TITLE}</h1>
                </a>
                {move || (page.get() == Route::Lobby).then(|| view! {
                    <p class="masthead__tagline" data-testid="tagline">{TAGLINE}</p>
                })}
                <UpdateOffer ready=update_ready />
                <nav class="masthead__nav" aria-label="Main">
                    <a href="#/">"Lobby"</a>
                    " · "
                    <a href="#/dashboard" data-testid="dashboard-link">"Workflow dashboard"</a>
                    " " <OfflineIndicator />
                </nav>
            </header>
            {move || services.durable().failure.get().map(|f| view! {
                <p class="error" role="alert" data-testid="startup-error">
                    "The game could not start: " {f}
                </p>
            })}
            {move || match page.get() {
                Route::Lobby => view! { <Lobby /> }.into_any(),
                Route::Adventurer(key) => view! { <AdventurePage key=key /> }.into_any(),
                // The memo above maps the replay to the dashboard.
                _ => view! { <DashboardSlot title=TITLE /> }.into_any(),
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
