//! The built app loads in a real browser and shows its title screen.

use std::time::Duration;

use e2e::{dist_dir, Browser, StaticServer};

/// Generous: the first load compiles the wasm module on a busy machine.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn the_title_screen_shows_the_game_title() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = Browser::launch().await.expect("launch headless Chromium");

    browser.goto(&server.url("/")).await.expect("open the app");
    browser
        .wait_for_text("[data-testid=\"title\"]", "Durable Dungeon", LOAD_TIMEOUT)
        .await
        .expect("the title screen appears");

    browser.close().await.expect("close the browser");
}
