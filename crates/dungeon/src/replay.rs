//! Replays an adventure from the journal of its records: the game as it
//! was after each commit that changed it — the universe, the console and
//! the time — so a player can watch it happen again.
//!
//! Owns the folding of journal entries into moments. Must never write: a
//! replay reads the journal and changes nothing.

use durable::{AppRecord, EventKind, HistoryEvent, JournalEntry, StoreError};

use crate::model::Universe;
use crate::storage::{part_key, universe_of, ConsoleLine, GAME, PARTS};

/// The game after one commit.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    /// The commit's name in the journal (its first version).
    pub commit: u64,
    /// When it was committed.
    pub at_ms: u64,
    /// The universe then; `None` before the adventurer record existed.
    pub universe: Option<Universe>,
    /// How many console lines there were then (the first `console_len`
    /// of [`Replay::console`]).
    pub console_len: usize,
}

/// The confirmation window as its workflow recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSpan {
    /// When its timer was created.
    pub opened_at_ms: u64,
    /// When the timer was due.
    pub closes_at_ms: u64,
    /// When it fired or was cancelled (a confirm), if it has.
    pub ended_at_ms: Option<u64>,
    pub length_ms: u64,
}

impl WindowSpan {
    /// The confirmation workflow's window, from its history: its first
    /// timer, and the event that ended it.
    pub fn of(history: &[HistoryEvent], length_ms: u64) -> Option<WindowSpan> {
        let created = history
            .iter()
            .find(|e| matches!(e.kind, EventKind::TimerCreated { .. }))?;
        let EventKind::TimerCreated { fire_at_ms } = created.kind else {
            return None;
        };
        let ended_at_ms = history
            .iter()
            .find(|e| e.kind.answers() == Some(created.event_id))
            .map(|e| e.timestamp_ms);
        Some(WindowSpan {
            opened_at_ms: created.timestamp_ms,
            closes_at_ms: fire_at_ms,
            ended_at_ms,
            length_ms,
        })
    }

    /// The time left at `at_ms`, if the window was open then.
    pub fn left_at(&self, at_ms: u64) -> Option<u64> {
        let open = at_ms >= self.opened_at_ms && self.ended_at_ms.is_none_or(|end| at_ms < end);
        open.then(|| self.closes_at_ms.saturating_sub(at_ms))
    }
}

/// An adventure's moments, oldest first, and every line its console held.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replay {
    pub moments: Vec<Moment>,
    pub console: Vec<ConsoleLine>,
    /// The confirmation window, while its workflow's history is kept.
    pub window: Option<WindowSpan>,
}

impl Replay {
    /// The countdown at moment `i`: the time left and the window's length,
    /// if the window was open then.
    pub fn countdown_at(&self, i: usize) -> Option<(u64, u64)> {
        let at = self.moments.get(i)?.at_ms;
        let w = self.window?;
        w.left_at(at).map(|left| (left, w.length_ms))
    }

    /// The console as it was at moment `i`.
    pub fn console_at(&self, i: usize) -> &[ConsoleLine] {
        let len = self.moments.get(i).map_or(0, |m| m.console_len);
        &self.console[..len.min(self.console.len())]
    }
}

/// Folds the journal of an adventurer's universe records (`game`, keys
/// under `{key}/`) and of its console into its moments, one per commit.
pub fn replay(
    key: &str,
    game: &[JournalEntry],
    console: &[JournalEntry],
) -> Result<Replay, StoreError> {
    let part_keys: Vec<String> = PARTS.iter().map(|p| part_key(key, p)).collect();
    // Only this adventurer's parts: a name may hold '/', so the journal
    // read under "{key}/" may hold another adventurer's records too.
    let mine = game.iter().filter(|e| part_keys.contains(&e.key));
    let mut entries: Vec<&JournalEntry> = mine.chain(console).collect();
    entries.sort_by_key(|e| e.version);
    let mut parts: Vec<Option<AppRecord>> = vec![None; PARTS.len()];
    let mut out = Replay::default();
    let mut i = 0;
    while i < entries.len() {
        let commit = entries[i].commit;
        let at_ms = entries[i].at_ms;
        while let Some(e) = entries.get(i).filter(|e| e.commit == commit) {
            if e.store == GAME {
                if let Some(at) = part_keys.iter().position(|k| *k == e.key) {
                    parts[at] = e.value.clone().map(|value| AppRecord {
                        store: GAME.to_string(),
                        key: e.key.clone(),
                        value,
                        version: e.version,
                    });
                }
            } else if let Some(value) = &e.value {
                let line: ConsoleLine = serde_json::from_value(value.clone())
                    .map_err(|err| StoreError::Corrupt(format!("{}/{}: {err}", e.store, e.key)))?;
                out.console.push(line);
            }
            i += 1;
        }
        let (universe, _) = universe_of(key, &parts)?;
        out.moments.push(Moment {
            commit,
            at_ms,
            universe: universe.map(|(u, _)| u),
            console_len: out.console.len(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(
        store: &str,
        key: &str,
        version: u64,
        commit: u64,
        value: serde_json::Value,
    ) -> JournalEntry {
        JournalEntry {
            store: store.into(),
            key: key.into(),
            version,
            commit,
            at_ms: commit * 10,
            value: Some(value),
        }
    }

    fn line(text: &str) -> serde_json::Value {
        json!({"text": text, "at_ms": 0})
    }

    #[test]
    fn one_moment_per_commit_with_the_console_of_then() {
        let console = vec![
            entry("console/k", "000000000002", 2, 2, line("one")),
            entry("console/k", "000000000004", 4, 3, line("two")),
            entry("console/k", "000000000005", 5, 3, line("three")),
        ];
        let r = replay("k", &[], &console).unwrap();
        let lens: Vec<usize> = r.moments.iter().map(|m| m.console_len).collect();
        assert_eq!(lens, [1, 3], "two commits, the second with two lines");
        assert_eq!(r.console_at(0).len(), 1);
        assert_eq!(r.console_at(1)[2].text, "three");
        assert_eq!(r.moments[1].at_ms, 30);
        assert!(
            r.moments.iter().all(|m| m.universe.is_none()),
            "no adventurer yet"
        );
    }

    #[test]
    fn a_bad_console_line_is_a_corrupt_journal_not_a_panic() {
        let console = vec![entry("console/k", "1", 1, 1, json!(42))];
        assert!(matches!(
            replay("k", &[], &console),
            Err(StoreError::Corrupt(_))
        ));
    }
}
