//! The game in a real browser, on the release build: the win path, reloads
//! during the countdown and between commands, a page closed past the
//! confirmation window, and a name that looks like markup.

use std::time::Duration;

use e2e::{dist_dir, last_word, Browser, Player, StaticServer};

const SLOW: Duration = Duration::from_secs(30);

/// Serves the release build and opens it at `path` in a fresh browser.
async fn open(path: &str) -> (StaticServer, Browser) {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = Browser::launch().await.expect("launch Chromium");
    browser
        .goto(&server.url(path))
        .await
        .expect("open the game");
    (server, browser)
}

#[tokio::test]
async fn a_new_adventurer_confirms_kills_the_monster_takes_the_treasure_and_wins() {
    let (_server, browser) = open("/?confirm=60s&monitor=1s").await;
    let p = Player::new(&browser);
    p.wait_leads(SLOW).await.expect("the runtime starts");
    p.screenshot("lobby").await.unwrap();
    p.create("Ann").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    p.wait_console("Ann now has 1 minute to confirm they are ready.", SLOW)
        .await
        .unwrap();
    p.screenshot("countdown").await.unwrap();
    let (monster, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.win("Ann", &monster, &weapon, SLOW).await.unwrap();
    let all = p
        .until("every workflow Completed", SLOW, async |_| {
            let w = p.workflows().await;
            if w.len() == 5 && w.iter().all(|(_, s)| s == "Completed") {
                Ok(Some(w))
            } else {
                Err(format!("{w:?}"))
            }
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    p.screenshot("won").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn after_a_reload_the_countdown_goes_on_from_the_right_value() {
    let (_server, browser) = open("/?confirm=90s").await;
    let p = Player::new(&browser);
    p.create("Bob").await.unwrap();
    let before = p.wait_countdown(SLOW).await.unwrap();
    let reloaded_at = std::time::Instant::now();
    browser.client().refresh().await.unwrap();
    let after = p.wait_countdown(SLOW).await.unwrap();
    let elapsed = reloaded_at.elapsed().as_secs();
    assert!((80..=90).contains(&before), "before the reload: {before}");
    assert!(
        after <= before,
        "the countdown did not restart: {before} then {after}"
    );
    assert!(
        after + elapsed + 2 >= before,
        "it lost time: {before} then {after} after {elapsed}s"
    );
    browser.close().await.unwrap();
}

#[tokio::test]
async fn after_a_reload_between_commands_room_inventory_and_console_are_as_before() {
    let (_server, browser) = open("/?confirm=60s&monitor=1s").await;
    let p = Player::new(&browser);
    p.create("Cy").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let (_, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.command(&format!("get {}", last_word(&weapon)))
        .await
        .unwrap();
    p.wait_console(&format!("Cy successfully grabbed the {weapon}."), SLOW)
        .await
        .unwrap();
    let console = p.texts("[data-testid=\"console-line\"]").await;
    let carried = p.text("[data-testid=\"carried\"]").await;
    let room = p.texts("[data-testid=\"dungeon\"] .dungeon__label").await;
    browser.client().refresh().await.unwrap();
    p.wait_console(&format!("Cy successfully grabbed the {weapon}."), SLOW)
        .await
        .unwrap();
    assert_eq!(p.texts("[data-testid=\"console-line\"]").await, console);
    assert_eq!(p.text("[data-testid=\"carried\"]").await, carried);
    assert_eq!(carried.as_deref(), Some(weapon.as_str()));
    assert_eq!(
        p.texts("[data-testid=\"dungeon\"] .dungeon__label").await,
        room
    );
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_page_closed_past_the_confirmation_window_reopens_to_a_dead_adventurer() {
    let (_server, browser) = open("/?confirm=3s").await;
    let p = Player::new(&browser);
    p.create("Dee").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let page = browser.client().current_url().await.unwrap().to_string();
    // Close the game: nothing of it runs while the page is away.
    browser.goto("about:blank").await.unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    browser.goto(&page).await.unwrap();
    p.wait_status("dead", SLOW).await.unwrap();
    p.wait_console("Unfortunately Dee died from waiting too long!", SLOW)
        .await
        .unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_name_that_looks_like_markup_shows_as_text() {
    let (server, browser) = open("/").await;
    let p = Player::new(&browser);
    let name = "<img src=x onerror=alert(1)>";
    p.create(name).await.unwrap();
    browser
        .wait_for_text("[data-testid=\"adventurer-name\"]", name, SLOW)
        .await
        .unwrap();
    let imgs = browser
        .client()
        .find_all(fantoccini::Locator::Css("img"))
        .await
        .unwrap();
    assert!(imgs.is_empty(), "no element was made from the name");
    assert!(
        browser.client().get_alert_text().await.is_err(),
        "no script ran"
    );
    // And bad names are refused with a message.
    browser.goto(&server.url("/#/")).await.unwrap();
    p.type_line("[data-testid=\"name-input\"]", "   ")
        .await
        .unwrap();
    browser
        .wait_for_text("[data-testid=\"name-error\"]", "Please enter a name.", SLOW)
        .await
        .unwrap();
    browser.close().await.unwrap();
}

/// The game's time limit has one meaning: an idle game ends out of time,
/// and the status, the story, the banner, the lobby and the dashboard all
/// say so; nothing can be won after it.
#[tokio::test]
async fn the_game_limit_ends_an_idle_game_out_of_time_in_every_view() {
    let (_server, browser) = open("/?confirm=60s&monitor=1s&game-limit=4s").await;
    let p = Player::new(&browser);
    p.create("Idle").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let (_, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.wait_status("out of time", SLOW).await.unwrap();
    p.wait_console(
        "Idle lingered too long, and the dungeon's doors swing shut. The adventure is over.",
        SLOW,
    )
    .await
    .unwrap();
    assert_eq!(
        p.text("[data-testid=\"ending\"] h3").await.as_deref(),
        Some("Time is up")
    );
    p.command(&format!("get {}", last_word(&weapon)))
        .await
        .unwrap();
    p.wait_count("[data-testid=\"reply\"]", SLOW, |n| n > 0)
        .await
        .unwrap();
    let reply = p.texts("[data-testid=\"reply\"]").await.join(" ");
    assert!(
        reply.contains("Time is up: Idle's adventure is over."),
        "{reply}"
    );
    assert_eq!(
        p.text("[data-testid=\"carried\"]").await.as_deref(),
        Some("nothing")
    );

    p.script("location.hash = '#/';").await.unwrap();
    p.until("the lobby's word", SLOW, async |_| {
        let chips = p.texts("[data-testid=\"adventurers\"] .chip").await;
        Ok((chips == ["out of time"]).then_some(()))
    })
    .await
    .unwrap();
    p.script("location.hash = '#/dashboard/i/idle:game';")
        .await
        .unwrap();
    p.until("the game monitor's output", SLOW, async |_| {
        let output = p.text("[data-testid=\"instance-output\"]").await;
        Ok((output.as_deref() == Some("\"out of time\"")).then_some(()))
    })
    .await
    .unwrap();
    browser.close().await.unwrap();
}
