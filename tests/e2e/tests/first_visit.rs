//! What a first visit downloads: each file of the build once — the service
//! worker takes the files the page already loaded from the HTTP cache
//! instead of downloading them again — and the dashboard's module only in
//! the background once the game is idle, after which opening the dashboard
//! downloads nothing more. Counted at the server. Two exceptions, named
//! below: the worker's own copy of the page, and the icons.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use e2e::{dist_dir, open_cached, Player, StaticServer};

const SLOW: Duration = Duration::from_secs(30);

/// Every file of the build, as the server's paths ("/main-….css").
fn files_of(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read the build") {
        let entry = entry.expect("an entry");
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        if entry.file_type().expect("its type").is_dir() {
            files_of(&entry.path(), &name, out);
        } else {
            out.push(name);
        }
    }
}

fn counts(served: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for path in served {
        *counts.entry(path.clone()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn a_first_visit_downloads_each_file_once_and_the_dashboard_when_idle() {
    let server = StaticServer::start(dist_dir()).expect("serve dist/");
    let browser = open_cached(&server, "/?confirm=60s").await;
    let p = Player::new(&browser);
    let dashboard_module = |served: &[String]| {
        let js = served
            .iter()
            .any(|f| f.starts_with("/dashboard-") && f.ends_with(".js"));
        let wasm = served
            .iter()
            .any(|f| f.starts_with("/dashboard-") && f.ends_with("_bg.wasm"));
        js && wasm
    };
    p.until(
        "the dashboard's module cached in the background",
        SLOW,
        async |_| Ok(dashboard_module(&server.served()).then_some(())),
    )
    .await
    .unwrap();

    let mut files = Vec::new();
    files_of(&dist_dir(), "", &mut files);
    let served = server.served();
    let counts = counts(&served);
    for file in &files {
        let n = counts.get(file).copied().unwrap_or(0);
        if file == "/index.html" {
            // The page itself came as "/"; the worker keeps its own copy
            // for offline navigations.
            assert!(n <= 1, "{file} downloaded {n} times: {served:#?}");
        } else if file.ends_with(".png") || file.ends_with(".svg") {
            // The browser fetches the tab's and the manifest's icons
            // outside the HTTP cache the worker reads (16 KB come twice).
            assert!(
                (1..=2).contains(&n),
                "{file} downloaded {n} times: {served:#?}"
            );
        } else {
            assert_eq!(n, 1, "{file} downloaded {n} times: {served:#?}");
        }
    }
    assert_eq!(counts.get("/").copied(), Some(1), "{served:#?}");

    // Opening the dashboard now downloads nothing.
    let before = served.len();
    p.script("location.hash = '#/dashboard';").await.unwrap();
    p.wait_count("#dashboard-heading", SLOW, |n| n == 1)
        .await
        .unwrap();
    assert_eq!(server.served().len(), before, "{:#?}", server.served());
    browser.close().await.unwrap();
}
