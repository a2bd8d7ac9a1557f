//! The root component [`App`] and, for now, the title screen it shows.

use leptos::prelude::*;

/// The game's name, as the title screen shows it.
pub const TITLE: &str = "Durable Dungeon";

/// The one-line pitch under the title.
pub const TAGLINE: &str = "A text adventure that remembers every step you take.";

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    view! { <TitleScreen /> }
}

/// The first screen a player sees: the name of the game and what it is about.
#[component]
fn TitleScreen() -> impl IntoView {
    view! {
        <main class="title-screen">
            <header class="title-screen__header">
                <p class="title-screen__kicker" aria-hidden="true">"~ enter, if you dare ~"</p>
                <h1 class="title-screen__title" data-testid="title">{TITLE}</h1>
                <p class="title-screen__tagline" data-testid="tagline">{TAGLINE}</p>
            </header>
            <section class="title-screen__about" aria-label="About the game">
                <p>
                    "Pick a name, and the dungeon builds you a room, a monster, a weapon "
                    "and a treasure worth dying for. Look around, take what you find, "
                    "fight, and try to get out alive."
                </p>
                <p>
                    "Every rule of the game runs as a durable workflow inside your browser. "
                    "Reload the page, close the tab or go offline: your adventure waits "
                    "exactly where you left it."
                </p>
            </section>
        </main>
    }
}
