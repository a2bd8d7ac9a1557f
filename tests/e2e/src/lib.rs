//! Helpers for the end-to-end tests: a static file server for the release
//! build (`dist/`), and a headless Chromium driven over WebDriver.
//!
//! The tests themselves live in `tests/*.rs`; each starts its own server and
//! browser, so tests can run in parallel and can stop the server (to test
//! offline play) without disturbing each other.

mod browser;
mod checks;
mod player;
mod server;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use browser::{Browser, BrowserError, Screen};
pub use player::{last_word, Player, ENTER};
pub use server::{content_type, StaticServer};

/// Environment variable naming the directory with the built app; defaults to
/// the workspace's `dist/`.
pub const DIST_DIR_VAR: &str = "DUNGEON_DIST_DIR";

/// The directory holding the built app (`trunk build --release` output).
///
/// # Panics
///
/// If the directory has no `index.html`: the app has not been built, and no
/// test can do anything useful without it.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os(DIST_DIR_VAR).map_or_else(|| in_repo("dist"), PathBuf::from);
    built(
        dir,
        &format!("build the app first (`trunk build --release`, or run `make test-e2e`), or point {DIST_DIR_VAR} at a build"),
    )
}

/// `path`, relative to the repository's root.
pub fn in_repo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(path)
}

/// `dir`, a build with an `index.html`.
///
/// # Panics
///
/// If it has none, saying `how_to_build` it: no test can do anything useful
/// without it.
pub fn built(dir: PathBuf, how_to_build: &str) -> PathBuf {
    assert!(
        dir.join("index.html").is_file(),
        "no index.html in {}: {how_to_build}",
        dir.display()
    );
    dir
}

/// Serves the build `dir` and opens `path` of it in a fresh browser on
/// `screen`.
pub async fn serve_and_open(dir: PathBuf, screen: Screen, path: &str) -> (StaticServer, Browser) {
    let server = StaticServer::start(dir).expect("serve the build");
    let browser = Browser::launch_on(screen).await.expect("launch Chromium");
    browser
        .goto(&server.url(path))
        .await
        .expect("open the page");
    (server, browser)
}

/// Opens `path` on `server` in a new browser and waits until the service
/// worker controls the page (so the app is cached).
pub async fn open_cached(server: &StaticServer, path: &str) -> Browser {
    let browser = Browser::launch().await.expect("launch Chromium");
    browser
        .goto(&server.url(path))
        .await
        .expect("open the game");
    Player::new(&browser)
        .wait_service_worker(Duration::from_secs(30))
        .await
        .expect("the service worker takes the page");
    browser
}

/// Copies a folder and everything in it (a build, to serve and change).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in std::fs::read_dir(from).expect("read the folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("its type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}

/// A fresh copy of the built app in `target/{name}-{pid}`, for a test that
/// serves it and then changes it (a new build replacing it).
pub fn dist_copy(name: &str) -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target"))
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&dist_dir(), &dir);
    dir
}
