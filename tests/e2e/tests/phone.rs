//! A first-time player on a phone, and every page as a person sees it: at
//! 320, 360 and 390 px (Chromium's mobile emulation) nothing scrolls
//! sideways, the countdown and the command field are on the first screen
//! with the focus in the field, and a game is won by tapping suggestions
//! only; at 390 and 1280 px the lobby, the countdown, a won game and a
//! death are photographed; axe-core finds no serious or critical
//! accessibility violation on any page.

use std::time::Duration;

use e2e::{dist_dir, serve_and_open, Browser, Player, Screen, StaticServer};

const SLOW: Duration = Duration::from_secs(30);

async fn open(screen: Screen, path: &str) -> (StaticServer, Browser) {
    serve_and_open(dist_dir(), screen, path).await
}

/// Fails unless the page fits the screen's width.
async fn assert_fits(p: &Player<'_>, page: &str) {
    let phone = p
        .script("return navigator.userAgent.includes('Mobile');")
        .await
        .unwrap()
        == serde_json::Value::Bool(true);
    let (page_width, screen) = p.widths(phone).await.unwrap();
    assert!(
        page_width <= screen,
        "{page}: the page is {page_width} px wide on a {screen} px screen"
    );
}

async fn focused(p: &Player<'_>) -> String {
    p.script("return document.activeElement ? document.activeElement.id : '';")
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn assert_accessible(p: &Player<'_>, page: &str) {
    let violations = p.accessibility_violations().await.unwrap();
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

/// Taps suggestions until the game is won.
async fn win_by_tapping(p: &Player<'_>) {
    for _ in 0..8 {
        if p.text("[data-testid=\"status\"]").await.as_deref() == Some("won") {
            break;
        }
        p.tap_next_suggestion(SLOW).await.unwrap();
    }
    p.wait_status("won", SLOW).await.unwrap();
}

async fn win_on_a_phone(width: u32, height: u32) {
    let (_server, browser) = open(Screen::Phone { width, height }, "/?confirm=5m&monitor=1s").await;
    let p = Player::new(&browser);
    p.wait_count("[data-testid=\"name-input\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_fits(&p, "the lobby").await;
    assert_eq!(
        focused(&p).await,
        "adventurer-name",
        "the lobby asks for a name"
    );
    if width == 390 {
        p.screenshot("phone-390-lobby").await.unwrap();
    }
    p.create("Tapper").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    p.wait_count("[data-testid=\"suggestion\"]", SLOW, |n| n > 0)
        .await
        .unwrap();
    assert_fits(&p, "the countdown").await;
    for what in ["[data-testid=\"countdown\"]", "[data-testid=\"command\"]"] {
        assert!(
            p.on_first_screen(what).await.unwrap(),
            "{what} is not on the first screen at {width} px"
        );
    }
    assert_eq!(
        focused(&p).await,
        "command",
        "the command field has the focus"
    );
    if width == 390 {
        p.screenshot("phone-390-countdown").await.unwrap();
    }
    win_by_tapping(&p).await;
    p.wait_count("[data-testid=\"ending\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_fits(&p, "the won game").await;
    if width == 390 {
        p.screenshot("phone-390-won").await.unwrap();
    }
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_game_is_won_by_tapping_on_a_320_px_phone() {
    win_on_a_phone(320, 640).await;
}

#[tokio::test]
async fn a_game_is_won_by_tapping_on_a_360_px_phone() {
    win_on_a_phone(360, 740).await;
}

#[tokio::test]
async fn a_game_is_won_by_tapping_on_a_390_px_phone() {
    win_on_a_phone(390, 844).await;
}

/// A death, then a win, on one screen: each page photographed and checked
/// by axe-core; then the dashboard is checked too.
async fn every_page(screen: Screen, name: &str) {
    let (server, browser) = open(screen, "/?confirm=2s&monitor=1s").await;
    let p = Player::new(&browser);
    p.create("Doomed").await.unwrap();
    p.wait_status("dead", SLOW).await.unwrap();
    p.wait_count("[data-testid=\"ending\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_fits(&p, "the death").await;
    assert_accessible(&p, "the death").await;
    p.screenshot(&format!("{name}-dead")).await.unwrap();

    browser
        .goto(&server.url("/?confirm=5m&monitor=1s#/"))
        .await
        .unwrap();
    p.wait_count("[data-testid=\"adventurer-link\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_accessible(&p, "the lobby").await;
    p.screenshot(&format!("{name}-lobby")).await.unwrap();
    p.create("Victor").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    p.wait_count("[data-testid=\"suggestion\"]", SLOW, |n| n > 0)
        .await
        .unwrap();
    assert_accessible(&p, "the countdown").await;
    p.screenshot(&format!("{name}-countdown")).await.unwrap();
    win_by_tapping(&p).await;
    p.wait_count("[data-testid=\"ending\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_accessible(&p, "the won game").await;
    p.screenshot(&format!("{name}-won")).await.unwrap();

    p.script("location.hash = '#/replay/victor';")
        .await
        .unwrap();
    p.wait_count("[data-testid=\"replay-scrubber\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    p.wait_count("[data-testid=\"monster\"]", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_fits(&p, "the replay").await;
    assert_accessible(&p, "the replay").await;
    p.screenshot(&format!("{name}-replay")).await.unwrap();

    p.script("location.hash = '#/dashboard';").await.unwrap();
    p.wait_count("[data-testid=\"instance-row\"]", SLOW, |n| n >= 5)
        .await
        .unwrap();
    assert_eq!(
        focused(&p).await,
        "dashboard-heading",
        "the focus follows the page"
    );
    assert_fits(&p, "the dashboard").await;
    assert_accessible(&p, "the dashboard").await;
    p.screenshot(&format!("{name}-dashboard")).await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn every_page_at_390_px_is_accessible_and_photographed() {
    every_page(
        Screen::Phone {
            width: 390,
            height: 844,
        },
        "phone-390",
    )
    .await;
}

#[tokio::test]
async fn every_page_at_1280_px_is_accessible_and_photographed() {
    every_page(
        Screen::Window {
            width: 1280,
            height: 900,
        },
        "desktop-1280",
    )
    .await;
}
