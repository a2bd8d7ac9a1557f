//! The game's timings: every window and interval, with the original demo's
//! values as defaults. A game's configuration is part of its workflows'
//! input, so it is recorded in history and replay uses the same values.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameConfig {
    /// How long the player has to confirm (2 minutes).
    pub confirm_window_ms: u64,
    /// How often the monitor checks the adventurer (20 seconds).
    pub monitor_interval_ms: u64,
    /// How long the monitor keeps checking (1 hour).
    pub monitor_limit_ms: u64,
    /// How long a game may last before its game monitor gives up (1 hour).
    pub game_limit_ms: u64,
}

impl Default for GameConfig {
    fn default() -> Self {
        GameConfig {
            confirm_window_ms: 120_000,
            monitor_interval_ms: 20_000,
            monitor_limit_ms: 3_600_000,
            game_limit_ms: 3_600_000,
        }
    }
}

/// Parses a duration such as `5s`, `250ms`, `2m` or `1h` (a bare number is
/// seconds) into milliseconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => t.split_at(i),
        None => (t.as_str(), "s"),
    };
    let factor: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    // Whole and fractional parts as integers (thousandths at most).
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 3 || fraction.contains('.') {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let thousandths: u64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<3}").parse().ok()?
    };
    let ms = whole
        .checked_mul(factor)?
        .checked_add(thousandths * factor / 1_000)?;
    (1..=86_400_000).contains(&ms).then_some(ms)
}

impl GameConfig {
    /// Applies overrides from a URL query such as `confirm=5s&monitor=1s`
    /// (also `monitor-limit` and `game-limit`); unknown or malformed values
    /// are ignored.
    pub fn with_overrides(mut self, query: &str) -> Self {
        for pair in query.trim_start_matches('?').split('&') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            let Some(ms) = parse_duration(v) else {
                continue;
            };
            match k {
                "confirm" => self.confirm_window_ms = ms,
                "monitor" => self.monitor_interval_ms = ms,
                "monitor-limit" => self.monitor_limit_ms = ms,
                "game-limit" => self.game_limit_ms = ms,
                _ => {}
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("5s"), Some(5_000));
        assert_eq!(parse_duration("250ms"), Some(250));
        assert_eq!(parse_duration("2m"), Some(120_000));
        assert_eq!(parse_duration("1h"), Some(3_600_000));
        assert_eq!(parse_duration("3"), Some(3_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500));
        for bad in ["", "s", "-1s", "5x", "0ms", "99999h", "NaNs"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn url_overrides_change_only_what_they_name() {
        let c =
            GameConfig::default().with_overrides("?confirm=5s&monitor=1s&bogus=1s&game-limit=oops");
        assert_eq!(c.confirm_window_ms, 5_000);
        assert_eq!(c.monitor_interval_ms, 1_000);
        assert_eq!(c.monitor_limit_ms, 3_600_000);
        assert_eq!(c.game_limit_ms, 3_600_000);
    }
}
