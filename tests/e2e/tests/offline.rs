//! Offline play and play across tabs, on the release build in headless
//! Chromium: the app served by its service worker with the server stopped,
//! a timer that falls due while no page is open, two tabs of one game with
//! the executing one closed, and a new build offered and taken.

use std::time::{Duration, Instant};

use e2e::{dist_copy, dist_dir, open_cached, Browser, Player, StaticServer};
use fantoccini::wd::WindowHandle;
use serde_json::Value;

const SLOW: Duration = Duration::from_secs(30);

/// Opens `url` in a second tab, switches to it and waits until it follows
/// the first; returns the new tab.
async fn open_follower(browser: &Browser, url: &str) -> WindowHandle {
    let c = browser.client();
    let tab = c.new_window(true).await.unwrap().handle;
    c.switch_to_window(tab.clone()).await.unwrap();
    browser.goto(url).await.unwrap();
    Player::new(browser).wait_follows(SLOW).await.unwrap();
    tab
}

#[tokio::test]
async fn with_the_server_stopped_the_game_loads_and_is_won() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = open_cached(&server, "/?confirm=60s&monitor=1s").await;
    let p = Player::new(&browser);
    p.create("Ann").await.unwrap();
    let before = p.wait_countdown(SLOW).await.unwrap();

    p.reload_offline(server).await;
    // The page came from the service worker, with the adventurer in it.
    p.wait_status("awaiting confirmation", SLOW).await.unwrap();
    p.until("the countdown running", SLOW, async |_| {
        Ok(p.countdown_seconds().await.filter(|s| *s < before))
    })
    .await
    .unwrap();
    let (monster, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.wait_console("Ann has accepted the challenge!", SLOW)
        .await
        .unwrap();
    p.win("Ann", &monster, &weapon, SLOW).await.unwrap();
    p.until("every workflow Completed", SLOW, async |_| {
        let w = p.workflows().await;
        if w.len() == 5 && w.iter().all(|(_, s)| s == "Completed") {
            Ok(Some(()))
        } else {
            Err(format!("{w:?}"))
        }
    })
    .await
    .unwrap();
    p.screenshot("offline-won").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_window_that_ends_with_no_page_open_is_dead_on_return_offline() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = open_cached(&server, "/?confirm=3s").await;
    let p = Player::new(&browser);
    p.create("Dee").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let page = browser.client().current_url().await.unwrap().to_string();

    // No page of the game open, and no server, past the window's end.
    browser.goto("about:blank").await.unwrap();
    drop(server);
    tokio::time::sleep(Duration::from_secs(5)).await;
    browser.goto(&page).await.unwrap();
    assert!(!p.network_reachable().await, "the server is stopped");
    p.wait_status("dead", SLOW).await.unwrap();
    p.wait_console("Unfortunately Dee died from waiting too long!", SLOW)
        .await
        .unwrap();
    let finished = ["Completed", "Failed", "Terminated"];
    p.until("every workflow in a final state", SLOW, async |_| {
        let w = p.workflows().await;
        if !w.is_empty() && w.iter().all(|(_, s)| finished.contains(&s.as_str())) {
            Ok(Some(()))
        } else {
            Err(format!("{w:?}"))
        }
    })
    .await
    .unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn two_tabs_share_a_game_and_the_second_takes_over_the_timers() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = open_cached(&server, "/?confirm=8s&monitor=1s").await;
    let p = Player::new(&browser);
    let c = browser.client();
    p.wait_leads(SLOW).await.unwrap();
    let tab_a = c.window().await.unwrap();
    p.create("Ann").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let ann = c.current_url().await.unwrap().to_string();

    let tab_b = open_follower(&browser, &ann).await;
    p.wait_countdown(SLOW).await.unwrap();

    // A command typed in A shows in B within a second.
    c.switch_to_window(tab_a.clone()).await.unwrap();
    p.command("confirm").await.unwrap();
    let sent = Instant::now();
    c.switch_to_window(tab_b.clone()).await.unwrap();
    p.wait_console("Ann has accepted the challenge!", SLOW)
        .await
        .unwrap();
    let shown = sent.elapsed();
    assert!(shown < Duration::from_secs(1), "shown in B after {shown:?}");

    // A second adventurer's 8 s window, opened in A; then A closes.
    c.switch_to_window(tab_a.clone()).await.unwrap();
    p.script("location.hash = '#/';").await.unwrap();
    let bob_created = Instant::now();
    p.create("Bob").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let bob = c.current_url().await.unwrap().to_string();
    c.close_window().await.unwrap();

    c.switch_to_window(tab_b.clone()).await.unwrap();
    p.wait_leads(SLOW).await.unwrap();
    browser.goto(&bob).await.unwrap();
    p.wait_status("dead", SLOW).await.unwrap();
    let fired = bob_created.elapsed();
    assert!(
        fired >= Duration::from_secs(8) && fired < Duration::from_secs(11),
        "Bob's 8 s window ended {fired:?} after he was created"
    );

    // Every activity ran once: each narrated line appears once.
    for (page, hero) in [(&ann, "Ann"), (&bob, "Bob")] {
        browser.goto(page).await.unwrap();
        let lines = p
            .until("the console", SLOW, async |_| {
                let l = p.console().await;
                Ok((!l.is_empty()).then_some(l))
            })
            .await
            .unwrap();
        let mut seen = std::collections::HashSet::new();
        for line in &lines {
            assert!(
                seen.insert(line),
                "{hero}: {line:?} narrated twice in {lines:#?}"
            );
        }
    }
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_new_build_is_offered_and_runs_with_the_games_kept() {
    let dir = dist_copy("e2e-new-build");
    let server = StaticServer::start(&dir).expect("serve the copy");
    let browser = open_cached(&server, "/?confirm=60s").await;
    let p = Player::new(&browser);
    p.create("Ann").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();

    // The next build: a changed index.html, and its service worker.
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    std::fs::write(
        &index,
        html.replace("<head>", "<head><meta name=\"build\" content=\"next\">"),
    )
    .unwrap();
    let status = std::process::Command::new("sh")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/service-worker.sh"
        ))
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success(), "service-worker.sh");

    p.take_update("update-offer", SLOW).await.unwrap();
    p.until("the new build running", SLOW, async |c| {
        let v = c
            .execute(
                "return document.querySelector('meta[name=build]') !== null
                    && document.querySelector('[data-testid=update-offer]') === null",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok((v == Value::Bool(true)).then_some(()))
    })
    .await
    .unwrap();
    // One cache left: the new build's.
    let caches = p
        .script_async(
            "const done = arguments[arguments.length - 1];
             caches.keys().then(done);",
        )
        .await
        .unwrap();
    assert_eq!(caches.as_array().map(Vec::len), Some(1), "{caches}");
    // The stored game is intact.
    p.wait_status("awaiting confirmation", SLOW).await.unwrap();
    p.command("confirm").await.unwrap();
    p.wait_status("alive", SLOW).await.unwrap();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_leader_tab_that_navigates_away_hands_over() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = open_cached(&server, "/").await;
    let c = browser.client();
    let p = Player::new(&browser);
    p.wait_leads(SLOW).await.unwrap();
    let tab_a = c.window().await.unwrap();
    let tab_b = open_follower(&browser, &server.url("/")).await;
    // A leaves for another page (the browser may keep it in its
    // back/forward cache): B leads.
    c.switch_to_window(tab_a).await.unwrap();
    browser
        .goto(&server.url("/manifest.webmanifest"))
        .await
        .unwrap();
    c.switch_to_window(tab_b).await.unwrap();
    p.wait_leads(SLOW).await.unwrap();
    browser.close().await.unwrap();
}
