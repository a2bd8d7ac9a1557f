//! The example app, built (`examples/shop/dist`, by `make test`'s release
//! step) and served: an order taken to shipping by a buyer, then seen in the
//! shop's own workflow dashboard (its module loaded when opened); an unpaid
//! order released at its deadline, with the workflow's log line on its
//! dashboard page; with the server stopped, the shop opens from its service
//! worker and an order ships; the shop fits a phone and passes axe. Screenshots go to `target/screenshots/`.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{built, in_repo, open_cached, serve_and_open, Browser, Player, Screen, StaticServer};

const SLOW: Duration = Duration::from_secs(30);

/// The shop's release build.
fn shop_dist() -> PathBuf {
    built(
        in_repo("examples/shop/dist"),
        "build the shop first (`cd examples/shop && trunk build --release`, or run `make test-e2e`)",
    )
}

/// The shop served, and a browser on `screen` showing `path` of it.
async fn open_shop(screen: Screen, path: &str) -> (StaticServer, Browser) {
    serve_and_open(shop_dist(), screen, path).await
}

/// The desktop window the shop's desktop tests use.
const DESKTOP: Screen = Screen::Window {
    width: 1280,
    height: 900,
};

async fn click(p: &Player<'_>, test_id: &str) {
    let script = format!(
        "const e = document.querySelector('[data-testid=\"{test_id}\"]');
         if (!e || e.disabled) return false;
         e.click();
         return true;"
    );
    p.until(&format!("{test_id} to click"), SLOW, async |_| {
        let clicked = p.script(&script).await.map_err(|e| e.to_string())?;
        Ok((clicked == serde_json::Value::Bool(true)).then_some(()))
    })
    .await
    .unwrap();
}

async fn wait_text(p: &Player<'_>, test_id: &str, text: &str) {
    p.wait_test_id(test_id, text, SLOW)
        .await
        .unwrap_or_else(|e| panic!("{test_id} never read {text:?}: {e}"));
}

#[tokio::test]
async fn an_order_is_paid_and_shipped_and_its_workflow_shows_in_the_dashboard() {
    let (server, browser) = open_shop(DESKTOP, "/?pay=5m").await;
    let p = Player::new(&browser);
    wait_text(&p, "units-lamp", "3").await;
    let served_before = server.served();
    assert!(
        !served_before.iter().any(|f| f.starts_with("/dashboard-")),
        "the dashboard's module is not part of the shop's first load: {served_before:?}"
    );

    click(&p, "order-lamp").await;
    wait_text(&p, "order-state", "awaiting payment").await;
    wait_text(&p, "units-lamp", "2").await;
    p.screenshot("shop-awaiting-payment-1280").await.unwrap();
    click(&p, "pay").await;
    wait_text(&p, "order-state", "paid 42.00, shipped").await;
    p.screenshot("shop-shipped-1280").await.unwrap();
    let violations = p.accessibility_violations().await.unwrap();
    assert!(violations.is_empty(), "axe on the shop: {violations:?}");

    click(&p, "dashboard-link").await;
    let row = p
        .until("the order in the dashboard", SLOW, async |_| {
            let v = p
                .script(
                    "const r = document.querySelector('[data-testid=\"instance-row\"]');
                     return r ? [r.getAttribute('data-id'), r.getAttribute('data-status'), r.textContent] : null;",
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok(v.as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
            }))
        })
        .await
        .unwrap();
    assert!(
        row[0].starts_with("order-"),
        "the row is the order: {row:?}"
    );
    assert_eq!(row[1], "Completed", "{row:?}");
    assert!(
        row[2].contains("Order"),
        "named by its orchestration: {row:?}"
    );
    assert!(
        server.served().iter().any(|f| f.starts_with("/dashboard-")),
        "opening the dashboard loaded its module"
    );
    p.screenshot("shop-dashboard-1280").await.unwrap();
    let violations = p.accessibility_violations().await.unwrap();
    assert!(
        violations.is_empty(),
        "axe on the shop's dashboard: {violations:?}"
    );

    // Moving within the dashboard keeps its module mounted: the slot it was
    // mounted into is the same element on the instance's page.
    p.script(
        "document.querySelector('[data-testid=\"dashboard-slot\"]').dataset.mark = 'first';
         document.querySelector('[data-testid=\"instance-row\"] a[href*=\"/i/\"]').click();
         return true;",
    )
    .await
    .unwrap();
    wait_text(&p, "instance-status", "Completed").await;
    let slot = p
        .script(
            "const s = document.querySelector('[data-testid=\"dashboard-slot\"]');
             return [s.dataset.mark || null, s.dataset.mounts || null];",
        )
        .await
        .unwrap();
    assert_eq!(
        slot,
        serde_json::json!(["first", "1"]),
        "the dashboard was mounted again"
    );
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_unpaid_order_is_released_and_its_log_shows_on_its_dashboard_page() {
    let (_server, browser) = open_shop(DESKTOP, "/?pay=2s").await;
    let p = Player::new(&browser);
    wait_text(&p, "units-desk", "1").await;
    click(&p, "order-desk").await;
    wait_text(&p, "units-desk", "0").await;
    wait_text(&p, "order-state", "not paid in time: released").await;
    wait_text(&p, "units-desk", "1").await;
    // The order's id links to its page in the dashboard.
    p.script("document.querySelector('.order__id').click(); return true;")
        .await
        .unwrap();
    wait_text(
        &p,
        "log-line",
        "no payment before the deadline: releasing the reservation",
    )
    .await;
    wait_text(&p, "instance-status", "Completed").await;
    p.screenshot("shop-instance-log-1280").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn with_the_server_stopped_the_shop_opens_and_an_order_ships() {
    let server = StaticServer::start(shop_dist()).expect("serve the shop");
    let browser = open_cached(&server, "/").await;
    let p = Player::new(&browser);
    wait_text(&p, "units-chair", "4").await;
    p.reload_offline(server).await;
    // The page came from the service worker; the workflow runs in it.
    click(&p, "order-chair").await;
    wait_text(&p, "order-state", "awaiting payment").await;
    click(&p, "pay").await;
    wait_text(&p, "order-state", "paid 42.00, shipped").await;
    wait_text(&p, "units-chair", "3").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_shop_fits_a_390_px_phone() {
    let (_server, browser) = open_shop(
        Screen::Phone {
            width: 390,
            height: 844,
        },
        "/",
    )
    .await;
    let p = Player::new(&browser);
    wait_text(&p, "units-lamp", "3").await;
    click(&p, "order-chair").await;
    wait_text(&p, "order-state", "awaiting payment").await;
    let (scroll, width) = p.widths(true).await.unwrap();
    assert!(
        scroll <= width,
        "the shop scrolls sideways: {scroll} > {width}"
    );
    let violations = p.accessibility_violations().await.unwrap();
    assert!(violations.is_empty(), "axe on the phone: {violations:?}");
    p.screenshot("shop-phone-390").await.unwrap();
    browser.close().await.unwrap();
}
