//! An update in the middle of games, in the browser: this release (`dist/`)
//! serves a game paused mid-countdown and another mid-play; then the update
//! drill's release (`target/dist-update-drill/`, built with the
//! `update-drill` feature: the confirmation and sequential workflows
//! changed under `patched`, the winning line reworded) replaces it on the
//! server. The page offers the update, the player takes it, both old games
//! finish on the new build, a new game takes the new branches, and no
//! workflow fails.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{built, copy_dir, dist_copy, in_repo, open_cached, Player, StaticServer};

const SLOW: Duration = Duration::from_secs(30);

/// The update drill's build, made by `make test`'s release step.
fn drill_dir() -> PathBuf {
    built(in_repo("target/dist-update-drill"), "run `make test-e2e`")
}

/// The name of the dashboard module the page loads: it differs between
/// the two builds.
async fn build_of(p: &Player<'_>) -> String {
    p.script("return document.querySelector('meta[name=dashboard-module]').content")
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Opens an adventurer's page.
async fn open(p: &Player<'_>, key: &str) {
    p.script(&format!("location.hash = '#/a/{key}';"))
        .await
        .unwrap();
    p.until("the adventurer's page", SLOW, async |_| {
        let name = p.text("[data-testid=\"adventurer-name\"]").await;
        Ok(name.filter(|n| n.eq_ignore_ascii_case(key)))
    })
    .await
    .unwrap();
}

/// Waits until every workflow of the open adventurer is Completed; fails
/// at once on a Failed one or a trouble notice.
async fn all_completed(p: &Player<'_>, who: &str) {
    p.until(&format!("{who}'s workflows completed"), SLOW, async |_| {
        if let Some(t) = p.text("[data-testid=\"workflow-trouble\"]").await {
            panic!("{who}: {t}");
        }
        let workflows = p.workflows().await;
        assert!(
            workflows.iter().all(|(_, s)| s != "Failed"),
            "{who}: {workflows:?}"
        );
        let done = !workflows.is_empty() && workflows.iter().all(|(_, s)| s == "Completed");
        Ok(done.then_some(()))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn games_in_progress_finish_after_an_update_and_new_games_take_its_branches() {
    let dir = dist_copy("e2e-update");
    let server = StaticServer::start(&dir).expect("serve the copy");
    let browser = open_cached(&server, "/?confirm=5m&monitor=1s").await;
    let p = Player::new(&browser);

    // On this release: one game paused mid-countdown, one mid-play.
    p.create("Paused").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    p.script("location.hash = '#/';").await.unwrap();
    p.create("Playing").await.unwrap();
    p.wait_countdown(SLOW).await.unwrap();
    let (playing_monster, playing_weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.command(&format!("get the {}", e2e::last_word(&playing_weapon)))
        .await
        .unwrap();
    p.wait_console(
        &format!("Playing successfully grabbed the {playing_weapon}."),
        SLOW,
    )
    .await
    .unwrap();
    let before = build_of(&p).await;

    // The next release replaces this one on the server.
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&drill_dir(), &dir);
    p.take_update("update-drill-offer", SLOW).await.unwrap();
    p.until("the new build running", SLOW, async |_| {
        let now = build_of(&p).await;
        Ok((!now.is_empty() && now != before).then_some(()))
    })
    .await
    .unwrap();

    // The game paused mid-countdown finishes on the new build.
    open(&p, "paused").await;
    p.wait_status("awaiting confirmation", SLOW).await.unwrap();
    let (monster, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.win("Paused", &monster, &weapon, SLOW).await.unwrap();
    all_completed(&p, "Paused").await;
    let console = p.console().await;
    assert!(
        !console.iter().any(|l| l.contains("begins to glow")),
        "its countdown began on the old code: {console:#?}"
    );
    assert!(
        console.contains(&"Paused takes a deep breath and steps inside.".to_string()),
        "its sequential workflow started on the new code: {console:#?}"
    );

    // The game mid-play finishes too.
    open(&p, "playing").await;
    p.wait_status("alive", SLOW).await.unwrap();
    p.win("Playing", &playing_monster, &playing_weapon, SLOW)
        .await
        .unwrap();
    all_completed(&p, "Playing").await;
    let console = p.console().await;
    assert!(!console.iter().any(|l| l.contains("deep breath")));

    // A new game takes every new branch.
    p.script("location.hash = '#/';").await.unwrap();
    p.create("Fresh").await.unwrap();
    p.wait_console("The ring around Fresh begins to glow.", SLOW)
        .await
        .unwrap();
    let (monster, weapon) = p.confirm_and_look(SLOW).await.unwrap();
    p.wait_console("Fresh takes a deep breath and steps inside.", SLOW)
        .await
        .unwrap();
    p.win("Fresh", &monster, &weapon, SLOW).await.unwrap();
    p.wait_console("Fresh has won the game! The dungeon falls silent.", SLOW)
        .await
        .unwrap();
    all_completed(&p, "Fresh").await;
    p.screenshot("update-finished").await.unwrap();

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    browser.close().await.unwrap();
}
