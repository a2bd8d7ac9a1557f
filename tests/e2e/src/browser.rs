//! [`Browser`]: a headless Chromium session driven over WebDriver. Owns the
//! chromedriver process (started on a free port, killed on drop, Chromium
//! with it) and a throwaway Chromium profile.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::error::{CmdError, NewSessionError};
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;

/// The Chromium flags every browser test uses, shared with
/// wasm-bindgen-test-runner.
const WEBDRIVER_JSON: &str = include_str!("../../../webdriver.json");

/// Where chromedriver is unless `CHROMEDRIVER` says otherwise.
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long chromedriver may take to start listening.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// How often conditions are re-checked while waiting for them.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Why a browser could not be started or did not do what a test waited for.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// chromedriver could not be started.
    #[error("could not start chromedriver ({path}): {source}")]
    Spawn {
        /// The chromedriver binary.
        path: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// chromedriver exited or never listened on its port.
    #[error("chromedriver did not come up: {0}")]
    DriverStart(String),
    /// The shared `webdriver.json` is not what this harness expects.
    #[error("bad webdriver.json: {0}")]
    Capabilities(String),
    /// The temporary Chromium profile could not be created.
    #[error("could not create a Chromium profile directory: {0}")]
    Profile(std::io::Error),
    /// chromedriver refused to open a session.
    #[error("could not open a WebDriver session: {0}")]
    Session(#[from] NewSessionError),
    /// A WebDriver command failed.
    #[error("WebDriver command failed: {0}")]
    Command(#[from] CmdError),
    /// A condition did not hold before its deadline.
    #[error("timed out after {waited:?} waiting for {what}; last seen: {last_seen}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long it waited.
        waited: Duration,
        /// The last state observed, to tell why.
        last_seen: String,
    },
}

/// A headless Chromium with its own chromedriver and profile.
///
/// Call [`Browser::close`] at the end of a test to end the session cleanly;
/// if a test panics first, dropping the `Browser` kills chromedriver and
/// Chromium anyway.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session in a fresh
    /// headless Chromium.
    pub async fn launch() -> Result<Self, BrowserError> {
        Self::launch_on(Screen::Window {
            width: 1200,
            height: 800,
        })
        .await
    }

    /// [`Browser::launch`] on a screen of a given size: a desktop window,
    /// or a phone (Chromium's mobile emulation: touch, a mobile viewport).
    ///
    /// A free port is found before chromedriver binds it, so two tests
    /// starting at once may pick the same one and one session is refused:
    /// that start is tried again on another port, twice at most.
    pub async fn launch_on(screen: Screen) -> Result<Self, BrowserError> {
        let mut tries = 0;
        loop {
            tries += 1;
            match Self::launch_once(screen).await {
                Err(BrowserError::Session(_)) if tries < 3 => continue,
                other => return other,
            }
        }
    }

    /// One start of chromedriver and a session on it.
    async fn launch_once(screen: Screen) -> Result<Self, BrowserError> {
        let profile = fresh_profile_dir().map_err(BrowserError::Profile)?;
        let capabilities = capabilities(&profile, screen)?;
        let port = free_port().map_err(|error| BrowserError::DriverStart(error.to_string()))?;
        let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| DEFAULT_CHROMEDRIVER.into());
        let driver = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that drop can kill Chromium with it.
            .process_group(0)
            .spawn()
            .map_err(|source| BrowserError::Spawn {
                path: path.clone(),
                source,
            })?;
        // From here on, dropping `browser` cleans up whatever happens next.
        let mut browser = Self {
            client: None,
            driver,
            profile,
        };
        browser.wait_for_driver(port).await?;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await?;
        browser.client = Some(client);
        Ok(browser)
    }

    /// The WebDriver client, for anything the helpers here do not cover.
    pub fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a launched Browser always has a client")
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        Ok(self.client().goto(url).await?)
    }

    /// Polls until the element matching `css` shows exactly `expected` as its
    /// text, or `timeout` passes.
    pub async fn wait_for_text(
        &self,
        css: &str,
        expected: &str,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let started = Instant::now();
        loop {
            let last_seen = match self.client().find(Locator::Css(css)).await {
                Ok(element) => match element.text().await {
                    Ok(text) if text == expected => return Ok(()),
                    Ok(text) => format!("text {text:?}"),
                    Err(error) => format!("no text ({error})"),
                },
                Err(error) if error.is_no_such_element() => "no such element".to_owned(),
                Err(error) => return Err(error.into()),
            };
            if started.elapsed() >= timeout {
                return Err(BrowserError::Timeout {
                    what: format!("{css} to show {expected:?}"),
                    waited: started.elapsed(),
                    last_seen,
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Ends the WebDriver session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) -> Result<(), BrowserError> {
        if let Some(client) = self.client.take() {
            client.close().await?;
        }
        Ok(())
    }

    async fn wait_for_driver(&mut self, port: u16) -> Result<(), BrowserError> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                return Err(BrowserError::DriverStart(format!(
                    "it exited with {status}"
                )));
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(());
            }
            if started.elapsed() >= DRIVER_START_TIMEOUT {
                return Err(BrowserError::DriverStart(format!(
                    "nothing listening on port {port} after {DRIVER_START_TIMEOUT:?}"
                )));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.driver.id()) {
            // SAFETY: kill(2) with a negative pid signals the process group
            // that chromedriver leads (it was spawned with process_group(0)),
            // which holds chromedriver and the Chromium it started; it reads
            // no memory of ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The shared `webdriver.json` capabilities plus what this harness adds: a
/// private profile and a fixed window size.
/// The screen a test browses on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// A desktop window of this size.
    Window { width: u32, height: u32 },
    /// A phone of this CSS size, emulated.
    Phone { width: u32, height: u32 },
}

fn capabilities(profile: &Path, screen: Screen) -> Result<Capabilities, BrowserError> {
    let mut capabilities: Capabilities = serde_json::from_str(WEBDRIVER_JSON)
        .map_err(|error| BrowserError::Capabilities(error.to_string()))?;
    let options = capabilities
        .get_mut("goog:chromeOptions")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| BrowserError::Capabilities("no goog:chromeOptions object".to_owned()))?;
    let (width, height) = match screen {
        Screen::Window { width, height } | Screen::Phone { width, height } => (width, height),
    };
    if let Screen::Phone { width, height } = screen {
        options.insert(
            "mobileEmulation".into(),
            serde_json::json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "mobile": true, "touch": true},
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
            }),
        );
    }
    let args = options
        .get_mut("args")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| BrowserError::Capabilities("no goog:chromeOptions.args array".to_owned()))?;
    args.push(format!("--user-data-dir={}", profile.display()).into());
    args.push(format!("--window-size={width},{height}").into());
    Ok(capabilities)
}

/// A port that was free a moment ago. Another process could take it before
/// chromedriver does; [`Browser::launch`] then fails instead of hanging.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// A new, empty directory for a Chromium profile.
fn fresh_profile_dir() -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "durable-dungeon-e2e-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
