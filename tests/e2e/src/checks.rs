//! What a person would notice without reading the game: the page fits the
//! phone's screen (no sideways scroll), what matters is on the first
//! screen, and the page passes the axe-core accessibility rules.

use std::path::PathBuf;

use serde_json::Value;

use crate::{BrowserError, Player};

/// axe-core's script, installed by `scripts/setup.sh axe` under TOOL_ROOT.
fn axe_script() -> PathBuf {
    let root = std::env::var("TOOL_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    root.join("axe/node_modules/axe-core/axe.min.js")
}

impl Player<'_> {
    /// (the page's scroll width, the width it has): wider means the page
    /// scrolls sideways. On a phone the width is the screen's, not
    /// `innerWidth`, which grows to fit a page too wide under mobile
    /// emulation; in a desktop window (whose headless "screen" is smaller
    /// than the window) it is the window's.
    pub async fn widths(&self, phone: bool) -> Result<(u64, u64), BrowserError> {
        let v = self
            .script(
                "return [document.documentElement.scrollWidth, screen.width, window.innerWidth];",
            )
            .await?;
        let n = |i: usize| v.get(i).and_then(Value::as_u64).unwrap_or(u64::MAX);
        Ok((n(0), if phone { n(1) } else { n(2) }))
    }

    /// Whether the element matching `css` is wholly within the first
    /// screen (no scrolling) and the screen's width.
    pub async fn on_first_screen(&self, css: &str) -> Result<bool, BrowserError> {
        let script = format!(
            "const e = document.querySelector({css:?});
             if (!e) return false;
             const r = e.getBoundingClientRect();
             const h = Math.min(window.innerHeight, screen.height);
             return r.top >= 0 && r.bottom <= h && r.left >= 0 && r.right <= screen.width;"
        );
        Ok(self.script(&script).await? == Value::Bool(true))
    }

    /// The serious and critical axe-core violations on the page, one line
    /// each: rule, what it asks, and the first offending element.
    pub async fn accessibility_violations(&self) -> Result<Vec<String>, BrowserError> {
        let path = axe_script();
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is not installed at {} ({e}): run `make setup`",
                path.display()
            )
        });
        self.script(&format!("{source}\nreturn true;")).await?;
        let v = self
            .script_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then((r) => done(
                     r.violations
                         .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                         .map((v) => v.id + ': ' + v.help + ' — ' + v.nodes[0].html)
                 ), (e) => done(['axe failed: ' + e]));",
            )
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("axe answered {v}")]))
    }

    /// Taps the first suggestion that moves the game on (not look or help),
    /// and waits until the suggestions change; `false` when none is offered.
    pub async fn tap_next_suggestion(
        &self,
        timeout: std::time::Duration,
    ) -> Result<bool, BrowserError> {
        let script = "const b = [...document.querySelectorAll('[data-testid=suggestion]')]
                          .find((b) => !['look', 'help'].includes(b.dataset.command));
                      if (!b) return null;
                      b.click();
                      return b.dataset.command;";
        let Some(tapped) = self.script(script).await?.as_str().map(str::to_string) else {
            return Ok(false);
        };
        self.until(
            &format!("the game to move on from {tapped:?}"),
            timeout,
            async |_| {
                let still = self
                    .script(&format!(
                        "return [...document.querySelectorAll('[data-testid=suggestion]')]
                         .some((b) => b.dataset.command === {tapped:?});"
                    ))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((still == Value::Bool(false)).then_some(()))
            },
        )
        .await?;
        Ok(true)
    }
}
