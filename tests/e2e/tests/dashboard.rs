//! The workflow dashboard in a real browser, on the release build: a game's
//! workflows listed with their statuses; an event raised from the dashboard
//! confirms the adventurer; a monitor terminated with a reason; invalid
//! JSON refused with nothing sent; finished instances purged by filter.

use std::time::Duration;

use e2e::{dist_dir, Browser, Player, StaticServer};
use fantoccini::Locator;

const SLOW: Duration = Duration::from_secs(30);
const ROW: &str = "[data-testid=\"instance-row\"]";

async fn click(browser: &Browser, css: &str) {
    browser
        .client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn fill(browser: &Browser, css: &str, text: &str) {
    let e = browser.client().find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn wait_instance_status(p: &Player<'_>, status: &str) {
    p.browser
        .wait_for_text("[data-testid=\"instance-status\"]", status, SLOW)
        .await
        .unwrap();
}

/// The release build served with a 1 s monitor, a fresh browser on it, and
/// Ann created: the server, the browser and the page's base URL.
async fn with_ann() -> (StaticServer, Browser, String) {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = Browser::launch().await.expect("launch Chromium");
    let base = server.url("/?confirm=60s&monitor=1s");
    browser.goto(&base).await.unwrap();
    Player::new(&browser).create("Ann").await.unwrap();
    (server, browser, base)
}

#[tokio::test]
async fn the_dashboard_lists_and_steers_a_games_workflows() {
    let (_server, browser, base) = with_ann().await;
    let p = Player::new(&browser);
    p.wait_countdown(SLOW).await.unwrap();

    // The game's workflows with their statuses.
    browser.goto(&format!("{base}#/dashboard")).await.unwrap();
    let rows = p
        .until("the game's workflows in the list", SLOW, async |c| {
            let mut seen = Vec::new();
            for r in c
                .find_all(Locator::Css("[data-testid=\"instance-row\"]"))
                .await
                .map_err(|e| e.to_string())?
            {
                let id = r
                    .attr("data-id")
                    .await
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default();
                let status = r
                    .attr("data-status")
                    .await
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default();
                seen.push((id, status));
            }
            let has = |id: &str, s: &str| seen.iter().any(|(i, st)| i == id && st == s);
            if has("ann:confirm", "Running")
                && has("ann:monitor", "Running")
                && has("ann:parallel", "Running")
            {
                Ok(Some(seen))
            } else {
                Err(format!("{seen:?}"))
            }
        })
        .await
        .unwrap();
    assert!(rows.len() >= 3);
    p.screenshot("dashboard-list").await.unwrap();
    let storage = p
        .text("[data-testid=\"storage\"]")
        .await
        .unwrap_or_default();
    assert!(storage.starts_with("Storage: "), "{storage:?}");
    assert!(storage.contains(" used of "), "{storage:?}");

    // Away to the lobby and back: the dashboard mounts again.
    click(&browser, "a[href=\"#/\"]").await;
    p.wait_leads(SLOW).await.unwrap();
    click(&browser, "[data-testid=\"dashboard-link\"]").await;
    p.wait_count(ROW, SLOW, |n| n >= 3).await.unwrap();

    // Invalid JSON is refused and nothing is sent.
    browser
        .goto(&format!("{base}#/dashboard/i/ann%3Aconfirm"))
        .await
        .unwrap();
    wait_instance_status(&p, "Running").await;
    fill(&browser, "[data-testid=\"raise-name\"]", "ApprovalTask").await;
    fill(&browser, "[data-testid=\"raise-payload\"]", "{oops").await;
    click(&browser, "[data-testid=\"raise\"]").await;
    let refused = p
        .until("the refusal", SLOW, async |_| {
            Ok(p.text("[data-testid=\"action-result\"]").await)
        })
        .await
        .unwrap();
    assert!(
        refused.starts_with("The payload is not valid JSON"),
        "{refused}"
    );
    assert!(refused.ends_with("Nothing was sent."), "{refused}");
    let history = p.texts("[data-testid=\"history-row\"]").await;
    assert!(
        !history.iter().any(|r| r.contains("EventRaised")),
        "nothing raised"
    );
    p.screenshot("dashboard-timeline").await.unwrap();

    // A valid raise confirms the adventurer in the game.
    fill(
        &browser,
        "[data-testid=\"raise-payload\"]",
        "{\"from\": \"dashboard\"}",
    )
    .await;
    click(&browser, "[data-testid=\"raise\"]").await;
    wait_instance_status(&p, "Completed").await;
    // Exactly one event arrived: the valid one, not the refused one.
    let raised = p
        .texts("[data-testid=\"history-row\"]")
        .await
        .into_iter()
        .filter(|r| r.contains("EventRaised"))
        .count();
    assert_eq!(raised, 1, "one EventRaised in the history");
    browser
        .client()
        .execute(
            "document.querySelector('[data-testid=\"wall-compute\"]').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    p.screenshot("dashboard-instance").await.unwrap();
    browser.goto(&format!("{base}#/a/ann")).await.unwrap();
    p.wait_status("alive", SLOW).await.unwrap();
    p.wait_console("Ann has accepted the challenge!", SLOW)
        .await
        .unwrap();

    // Terminate the monitor with a reason.
    browser
        .goto(&format!("{base}#/dashboard/i/ann%3Amonitor"))
        .await
        .unwrap();
    wait_instance_status(&p, "Running").await;
    fill(
        &browser,
        "[data-testid=\"terminate-reason\"]",
        "stopped by the test",
    )
    .await;
    click(&browser, "[data-testid=\"terminate\"]").await;
    wait_instance_status(&p, "Terminated").await;
    browser
        .wait_for_text(
            "[data-testid=\"instance-failure\"]",
            "stopped by the test",
            SLOW,
        )
        .await
        .unwrap();
    assert!(p
        .text("[data-testid=\"wall-compute-text\"]")
        .await
        .unwrap_or_default()
        .contains("ms of compute"));

    // Purge the finished ones by filter.
    browser
        .goto(&format!(
            "{base}#/dashboard?status=Completed,Terminated&prefix=ann%3A"
        ))
        .await
        .unwrap();
    p.wait_count(ROW, SLOW, |n| n >= 2).await.unwrap();
    click(&browser, "[data-testid=\"purge-filtered\"]").await;
    browser.client().accept_alert().await.unwrap();
    let message = p
        .until("the purge's result", SLOW, async |_| {
            Ok(p.text("[data-testid=\"dashboard-message\"]").await)
        })
        .await
        .unwrap();
    assert!(message.starts_with("Purged "), "{message}");
    p.wait_count(ROW, SLOW, |n| n == 0).await.unwrap();
    browser.close().await.unwrap();
}

/// The hash of the page's URL.
async fn hash(browser: &Browser) -> String {
    let url = browser.client().current_url().await.unwrap();
    url.fragment().unwrap_or_default().to_string()
}

/// With a 1 s monitor changing the list every second, 100 clicks on sort
/// buttons and instance links: each one lands (a stale element or a click
/// that changed nothing is a lost one).
#[tokio::test]
async fn on_the_live_dashboard_no_click_is_lost() {
    let (_server, browser, base) = with_ann().await;
    let p = Player::new(&browser);
    p.confirm_and_look(SLOW).await.unwrap();
    browser.goto(&format!("{base}#/dashboard")).await.unwrap();
    p.wait_count(ROW, SLOW, |n| n >= 5).await.unwrap();

    let columns = ["name", "id", "status", "created", "updated"];
    let mut lost = Vec::new();
    for click in 0..100 {
        let before = hash(&browser).await;
        let target = if click % 4 == 3 {
            format!("{ROW}:nth-child({}) a", 1 + click % 5)
        } else {
            format!("[data-testid=\"sort-{}\"]", columns[click % columns.len()])
        };
        // Where the click must lead: the link's own address, or (a sort)
        // the list sorted by the column clicked.
        let landed = match browser.client().find(Locator::Css(&target)).await {
            Ok(e) => match e.attr("href").await {
                Ok(href) => e.click().await.map(|()| href).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        let href = match landed {
            Ok(href) => href,
            Err(e) => {
                lost.push(format!("click {click} on {target}: {e}"));
                continue;
            }
        };
        let moved = p
            .until(
                "the click to take effect",
                Duration::from_secs(5),
                async |_| {
                    let now = hash(&browser).await;
                    Ok((now != before).then_some(now))
                },
            )
            .await;
        match (moved, href) {
            (Ok(now), Some(href)) => {
                if now != href.trim_start_matches('#') {
                    lost.push(format!(
                        "click {click} on {target} opened {now}, not {href}"
                    ));
                }
                browser.client().back().await.unwrap();
                p.wait_count(ROW, SLOW, |n| n >= 5).await.unwrap();
            }
            (Ok(_), None) => {
                let column = format!(
                    "return document.querySelector('{}').closest('th').getAttribute('aria-sort');",
                    target.replace('\'', "\\'")
                );
                let sorted = p
                    .until("the column sorted", Duration::from_secs(5), async |_| {
                        let v = p.script(&column).await.map_err(|e| e.to_string())?;
                        Ok((v != serde_json::Value::String("none".into())).then_some(()))
                    })
                    .await;
                if sorted.is_err() {
                    lost.push(format!(
                        "click {click} on {target} sorted by another column"
                    ));
                }
            }
            (Err(e), _) => lost.push(format!("click {click} on {target}: {e}")),
        }
    }
    assert!(lost.is_empty(), "{} clicks lost: {lost:#?}", lost.len());
    browser.close().await.unwrap();
}
