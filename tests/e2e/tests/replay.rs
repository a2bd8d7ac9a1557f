//! Time travel in a real browser, on the release build: a player wins,
//! opens Replay and scrubs to before the kill (the monster alive, the
//! weapon carried) and back to the end; an engineer exports one of the
//! game's instances, imports the file in a fresh browser profile, steps
//! through it and sees that it replays.

use std::time::Duration;

use e2e::{dist_dir, Browser, Player, StaticServer};
use serde_json::Value;

const SLOW: Duration = Duration::from_secs(30);

/// Moves the replay scrubber to moment `i`, as dragging it does, and waits
/// until the page shows that moment.
async fn scrub_to(p: &Player<'_>, i: u64) {
    p.script(&format!(
        "const s = document.querySelector('[data-testid=\"replay-scrubber\"]');
         s.value = '{i}';
         s.dispatchEvent(new Event('input', {{ bubbles: true }}));
         return true;"
    ))
    .await
    .unwrap();
    let shown = format!("Moment {} of", i + 1);
    p.until("the moment shown", SLOW, async |_| {
        let moment = p.text("[data-testid=\"replay-moment\"]").await;
        Ok(moment.filter(|m| m.starts_with(&shown)).map(|_| ()))
    })
    .await
    .unwrap();
}

/// The monster's drawn state and what the adventurer carried, as shown.
async fn shown(p: &Player<'_>) -> (String, String) {
    let v = p
        .script(
            "const m = document.querySelector('[data-testid=\"monster\"]');
             const i = document.querySelector('[data-testid=\"carried\"]');
             return [m ? m.getAttribute('data-state') : '', i ? i.textContent : ''];",
        )
        .await
        .unwrap();
    let text = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    (text(0), text(1))
}

#[tokio::test]
async fn a_won_game_replays_and_an_exported_instance_replays_in_a_fresh_browser() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let base = server.url("/?confirm=60s&monitor=1s");
    let browser = Browser::launch().await.expect("launch Chromium");
    let p = Player::new(&browser);
    browser.goto(&base).await.unwrap();
    p.create("Ann").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let (monster, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.win("Ann", &monster, &weapon, SLOW).await.unwrap();
    let story = p.console().await;

    // Replay: it opens at the end, the game as it is.
    browser.goto(&format!("{base}#/replay/ann")).await.unwrap();
    p.until("the replay at its end", SLOW, async |_| {
        let lines = p.console().await;
        Ok((lines == story).then_some(()))
    })
    .await
    .unwrap();
    let last: u64 = p
        .script("return document.querySelector('[data-testid=\"replay-scrubber\"]').max")
        .await
        .unwrap()
        .as_str()
        .and_then(|m| m.parse().ok())
        .expect("the scrubber's last moment");
    assert_eq!(shown(&p).await.0, "dead");
    p.screenshot("replay-end").await.unwrap();
    // Back, moment by moment, to the last one before the kill.
    let mut before_kill = None;
    for i in (0..last).rev() {
        scrub_to(&p, i).await;
        let (state, carried) = shown(&p).await;
        if state == "alive" {
            before_kill = Some((i, carried));
            break;
        }
    }
    let (at, carried) = before_kill.expect("a moment with the monster alive");
    assert!(
        carried.contains(&weapon),
        "the weapon is carried then: {carried}"
    );
    let moment = p
        .text("[data-testid=\"replay-moment\"]")
        .await
        .unwrap_or_default();
    assert!(
        moment.starts_with(&format!("Moment {} of {}", at + 1, last + 1)),
        "{moment}"
    );
    p.screenshot("replay-before-the-kill").await.unwrap();
    scrub_to(&p, last).await;
    assert_eq!(shown(&p).await.0, "dead", "and forward to the end");

    // Export an instance of the game from the dashboard.
    browser
        .goto(&format!("{base}#/dashboard/i/ann%3Aparallel"))
        .await
        .unwrap();
    browser
        .wait_for_text("[data-testid=\"instance-status\"]", "Completed", SLOW)
        .await
        .unwrap();
    let file = p
        .script(
            "const a = document.querySelector('[data-testid=\"export\"]');
             return decodeURIComponent(a.getAttribute('href').split(',').slice(1).join(','));",
        )
        .await
        .unwrap();
    let file = file.as_str().expect("the exported file").to_string();
    let parsed: Value = serde_json::from_str(&file).expect("the file is JSON");
    assert_eq!(parsed["kind"], "durable-instance");
    browser.close().await.unwrap();

    // A fresh profile: no game, only the file.
    let fresh = Browser::launch().await.expect("launch Chromium");
    let q = Player::new(&fresh);
    fresh
        .goto(&format!("{base}#/dashboard/import"))
        .await
        .unwrap();
    q.until("the import page", SLOW, async |_| {
        Ok(q.text("[data-testid=\"import-read\"]").await.map(|_| ()))
    })
    .await
    .unwrap();
    q.script(&format!(
        "const t = document.querySelector('[data-testid=\"import-text\"]');
         t.value = {};
         t.dispatchEvent(new Event('input', {{ bubbles: true }}));
         document.querySelector('[data-testid=\"import-read\"]').click();
         return true;",
        serde_json::to_string(&file).unwrap()
    ))
    .await
    .unwrap();
    fresh
        .wait_for_text(
            "[data-testid=\"imported-id\"]",
            "Imported: ann:parallel",
            SLOW,
        )
        .await
        .unwrap();
    q.script("document.querySelector('[data-testid=\"check-replay\"]').click(); return true;")
        .await
        .unwrap();
    let verdict = q
        .until("the replay verdict", SLOW, async |_| {
            Ok(q.text("[data-testid=\"replay-verdict\"]").await)
        })
        .await
        .unwrap();
    assert!(
        verdict.starts_with("Yes: this build replays all"),
        "{verdict}"
    );
    let waits = q.texts("[data-testid=\"step-wait\"]").await;
    assert_eq!(
        waits,
        ["nothing: the execution has ended"],
        "the last step says what it waited on"
    );
    q.screenshot("import-step-through").await.unwrap();
    fresh.close().await.unwrap();
}
