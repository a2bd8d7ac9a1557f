//! A player at the keyboard: the game's page driven the way a person uses
//! it (type a name, type commands), with waits that poll the page for a
//! condition until a deadline.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::{Browser, BrowserError, StaticServer};

/// How often a wait looks at the page again.
const POLL: Duration = Duration::from_millis(100);

/// The last word of a name, lower-cased: enough to name it in a command.
pub fn last_word(s: &str) -> String {
    s.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

/// The footer that says which tab executes.
const EXECUTOR: &str = "[data-testid=\"executor\"]";

/// Enter, as WebDriver types it.
pub const ENTER: &str = "\u{E007}";

pub struct Player<'a> {
    pub browser: &'a Browser,
}

impl<'a> Player<'a> {
    pub fn new(browser: &'a Browser) -> Self {
        Player { browser }
    }

    fn client(&self) -> &Client {
        self.browser.client()
    }

    /// Polls `probe` until it returns `Some`, or fails after `timeout`
    /// saying what it last saw.
    pub async fn until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl AsyncFnMut(&Client) -> Result<Option<T>, String>,
    ) -> Result<T, BrowserError> {
        let started = Instant::now();
        let mut last_seen = String::new();
        loop {
            match probe(self.client()).await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(seen) => last_seen = seen,
            }
            if started.elapsed() >= timeout {
                return Err(BrowserError::Timeout {
                    what: what.to_string(),
                    waited: started.elapsed(),
                    last_seen,
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The text of the first element matching `css`, if there is one.
    pub async fn text(&self, css: &str) -> Option<String> {
        let e = self.client().find(Locator::Css(css)).await.ok()?;
        e.text().await.ok()
    }

    /// The texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(all) = self.client().find_all(Locator::Css(css)).await {
            for e in all {
                if let Ok(t) = e.text().await {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Types into the element matching `css`, then Enter.
    pub async fn type_line(&self, css: &str, line: &str) -> Result<(), BrowserError> {
        let input = self
            .until(
                &format!("{css} to be on the page"),
                Duration::from_secs(30),
                async |c| Ok(c.find(Locator::Css(css)).await.ok()),
            )
            .await?;
        input.send_keys(line).await?;
        input.send_keys(ENTER).await?;
        Ok(())
    }

    /// Creates an adventurer from the lobby and waits for their page.
    pub async fn create(&self, name: &str) -> Result<(), BrowserError> {
        self.type_line("[data-testid=\"name-input\"]", name).await?;
        self.until(
            "the adventurer's page",
            Duration::from_secs(30),
            async |c| {
                let url = c.current_url().await.map_err(|e| e.to_string())?;
                Ok(url
                    .fragment()
                    .is_some_and(|f| f.starts_with("/a/"))
                    .then_some(()))
            },
        )
        .await
    }

    /// Sends one command.
    pub async fn command(&self, line: &str) -> Result<(), BrowserError> {
        self.type_line("[data-testid=\"command\"]", line).await
    }

    /// Waits until the adventurer's status reads `status`.
    pub async fn wait_status(&self, status: &str, timeout: Duration) -> Result<(), BrowserError> {
        self.wait_test_id("status", status, timeout).await
    }

    /// Waits until the element with `data-testid` `test_id` reads `text`.
    pub async fn wait_test_id(
        &self,
        test_id: &str,
        text: &str,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        self.browser
            .wait_for_text(&format!("[data-testid=\"{test_id}\"]"), text, timeout)
            .await
    }

    /// Waits until a console line equals `line`.
    pub async fn wait_console(&self, line: &str, timeout: Duration) -> Result<(), BrowserError> {
        self.wait_console_where(&format!("console line {line:?}"), timeout, |t| t == line)
            .await
    }

    /// Waits until a console line passes `wanted`.
    pub async fn wait_console_where(
        &self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<(), BrowserError> {
        let css = "[data-testid=\"console-line\"]";
        self.until(what, timeout, async |c| {
            let mut seen = Vec::new();
            for e in c
                .find_all(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?
            {
                let t = e.text().await.map_err(|e| e.to_string())?;
                if wanted(&t) {
                    return Ok(Some(()));
                }
                seen.push(t);
            }
            Err(format!("{seen:?}"))
        })
        .await
    }

    /// (workflow name, status) of every workflow shown.
    pub async fn workflows(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(all) = self
            .client()
            .find_all(Locator::Css("[data-testid=\"workflow\"]"))
            .await
        {
            for e in all {
                let name = e.attr("data-name").await.ok().flatten().unwrap_or_default();
                let status = e
                    .attr("data-status")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                out.push((name, status));
            }
        }
        out
    }

    /// Seconds left on the countdown (mm:ss), if it shows.
    pub async fn countdown_seconds(&self) -> Option<u64> {
        let t = self.text("[data-testid=\"countdown-time\"]").await?;
        let (m, s) = t.split_once(':')?;
        Some(m.trim().parse::<u64>().ok()? * 60 + s.trim().parse::<u64>().ok()?)
    }

    /// Waits for the countdown and returns its seconds.
    pub async fn wait_countdown(&self, timeout: Duration) -> Result<u64, BrowserError> {
        self.until("the countdown", timeout, async |_| {
            Ok(self.countdown_seconds().await)
        })
        .await
    }

    /// Waits until the footer says this tab runs the workflows.
    pub async fn wait_leads(&self, timeout: Duration) -> Result<(), BrowserError> {
        self.browser
            .wait_for_text(EXECUTOR, "This tab runs the workflows.", timeout)
            .await
    }

    /// Waits until the footer says another tab runs the workflows.
    pub async fn wait_follows(&self, timeout: Duration) -> Result<(), BrowserError> {
        self.browser
            .wait_for_text(
                EXECUTOR,
                "Another tab runs the workflows; this one follows.",
                timeout,
            )
            .await
    }

    /// Waits until the number of elements matching `css` passes `enough`.
    pub async fn wait_count(
        &self,
        css: &str,
        timeout: Duration,
        enough: impl Fn(usize) -> bool,
    ) -> Result<usize, BrowserError> {
        self.until(&format!("the count of {css}"), timeout, async |c| {
            let n = c
                .find_all(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?
                .len();
            if enough(n) {
                Ok(Some(n))
            } else {
                Err(format!("{n} of them"))
            }
        })
        .await
    }

    /// The caption under the monster, and under each floor item.
    pub async fn names(&self) -> (String, Vec<String>) {
        let monster = self
            .text("[data-testid=\"monster\"] .dungeon__caption")
            .await
            .unwrap_or_default();
        let items = self
            .texts("[data-testid=\"floor-item\"] .dungeon__caption")
            .await;
        (monster, items)
    }

    /// Confirms, waits until the room is set up, and returns the monster's
    /// and the weapon's names as drawn.
    pub async fn confirm_and_look(
        &self,
        timeout: Duration,
    ) -> Result<(String, String), BrowserError> {
        self.command("confirm").await?;
        self.wait_status("alive", timeout).await?;
        self.until("the room to be set up", timeout, async |_| {
            let (monster, items) = self.names().await;
            Ok((!monster.is_empty() && !items.is_empty()).then(|| (monster, items[0].clone())))
        })
        .await
    }

    /// With the room set up: takes the weapon, kills the monster, takes the
    /// treasure, and waits until `hero` has won.
    pub async fn win(
        &self,
        hero: &str,
        monster: &str,
        weapon: &str,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        self.command(&format!("get the {}", last_word(weapon)))
            .await?;
        self.wait_console(
            &format!("{hero} successfully grabbed the {weapon}."),
            timeout,
        )
        .await?;
        self.command(&format!(
            "kill {} with {}",
            last_word(monster),
            last_word(weapon)
        ))
        .await?;
        self.wait_console(
            &format!("{hero} valiantly killed the {monster} with the {weapon}."),
            timeout,
        )
        .await?;
        let (_, items) = self.names().await;
        let treasure = items
            .iter()
            .find(|i| *i != weapon)
            .cloned()
            .unwrap_or_default();
        self.command(&format!("take {treasure}")).await?;
        self.wait_status("won", timeout).await?;
        // A later release may add to the line (the update drill does).
        let won = format!("{hero} has won the game!");
        self.wait_console_where(&format!("console line {won:?}…"), timeout, |t| {
            t.starts_with(&won)
        })
        .await
    }

    /// Has the page look for a new build (as it does when shown again),
    /// waits for the offer, takes a screenshot named `shot` of it, and
    /// takes it.
    pub async fn take_update(&self, shot: &str, timeout: Duration) -> Result<(), BrowserError> {
        self.script("navigator.serviceWorker.getRegistration().then((r) => r.update());")
            .await?;
        self.until("the offer of the new version", timeout, async |_| {
            let offer = self.text("[data-testid=\"update-offer\"]").await;
            Ok(offer.filter(|t| t.starts_with("A new version is ready.")))
        })
        .await?;
        self.screenshot(shot).await?;
        self.client()
            .find(Locator::Css("[data-testid=\"update-reload\"]"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// The text of every console line, in order.
    pub async fn console(&self) -> Vec<String> {
        self.texts("[data-testid=\"console-line\"]").await
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn script(&self, script: &str) -> Result<serde_json::Value, BrowserError> {
        Ok(self.client().execute(script, vec![]).await?)
    }

    /// Runs `script` in the page; it ends by calling its last argument with
    /// its result (for promises).
    pub async fn script_async(&self, script: &str) -> Result<serde_json::Value, BrowserError> {
        Ok(self.client().execute_async(script, vec![]).await?)
    }

    /// Waits until a service worker controls the page (its install, which
    /// caches the app, is then done).
    pub async fn wait_service_worker(&self, timeout: Duration) -> Result<(), BrowserError> {
        self.until(
            "a service worker controlling the page",
            timeout,
            async |c| {
                let v = c
                    .execute("return navigator.serviceWorker.controller !== null", vec![])
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((v == serde_json::Value::Bool(true)).then_some(()))
            },
        )
        .await
    }

    /// Stops `server` and reloads the page, which must then come from the
    /// service worker: the network is checked to be out of reach.
    pub async fn reload_offline(&self, server: StaticServer) {
        drop(server);
        self.browser.client().refresh().await.unwrap();
        assert!(!self.network_reachable().await, "the server is stopped");
    }

    /// Whether the page can reach the network: a fetch the service worker
    /// never caches, answered or not.
    pub async fn network_reachable(&self) -> bool {
        let v = self
            .script_async(
                "const done = arguments[arguments.length - 1];
                 fetch('/not-cached-' + Date.now(), { cache: 'no-store' })
                     .then(() => done(true), () => done(false));",
            )
            .await;
        v.ok() != Some(serde_json::Value::Bool(false))
    }

    /// Saves a PNG of the page under `target/screenshots/`.
    pub async fn screenshot(&self, name: &str) -> Result<std::path::PathBuf, BrowserError> {
        let png = self.client().screenshot().await?;
        let dir = std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/screenshots"
        ));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{name}.png"));
        let _ = std::fs::write(&path, png);
        Ok(path)
    }
}
