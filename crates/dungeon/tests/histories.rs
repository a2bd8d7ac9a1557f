//! The compatibility gate: the recorded histories of every released build
//! (`tests/histories/<build>/<story>/<Workflow>.json`, made by
//! `examples/record_histories.rs` through `make histories`) must replay
//! against today's code — and against the update drill's next release —
//! reaching the end they recorded. A change that would break a game in
//! progress in some player's browser fails here, naming the history, the
//! position, the recorded action and the new one.

use std::path::{Path, PathBuf};

use dungeon::workflows::{registry_of, suffix, Release};
use durable::{check_replay, decode_event, EventKind, HistoryEvent, InstanceId, Outcome, Registry};
use serde_json::Value;

/// Every build recorded as a release has these stories.
const STORIES: [&str; 5] = [
    "won",
    "died",
    "mid-countdown",
    "mid-play",
    "monitor-timed-out",
];

fn histories_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/histories")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    entries
}

/// Reads a recorded history, event by event, as the stores decode them.
fn read_history(path: &Path) -> Result<Vec<HistoryEvent>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let records: Vec<Value> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    records
        .into_iter()
        .enumerate()
        .map(|(i, v)| decode_event(i, v).map_err(|e| e.to_string()))
        .collect()
}

/// The instance id the history was recorded under: default child ids
/// derive from it, so the replay needs it. The adventurer's key is in the
/// workflow's input.
fn instance_of(workflow: &str, history: &[HistoryEvent]) -> Result<InstanceId, String> {
    let key = history
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ExecutionStarted { input, .. } => input["hero"]["key"].as_str(),
            _ => None,
        })
        .ok_or("no ExecutionStarted with an adventurer's key")?;
    Ok(dungeon::storage::instance_id(key, suffix(workflow)))
}

/// Replays one recorded history; `Err` says what broke, naming the file.
fn check(registry: &Registry, release: Release, path: &Path) -> Result<(), String> {
    let name = path
        .strip_prefix(histories_dir())
        .unwrap_or(path)
        .display()
        .to_string();
    let fail = |why: String| Err(format!("{name} on {release:?}: {why}"));
    let history = match read_history(path) {
        Ok(h) => h,
        Err(e) => return fail(format!("does not decode: {e}")),
    };
    let workflow = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let id = match instance_of(workflow, &history) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    let report = match check_replay(registry, &id, &history) {
        Ok(r) => r,
        Err(nd) => return fail(format!("no longer replays: {nd}")),
    };
    // The code must reach the end the history recorded: the same output,
    // or still running where the game was left in progress.
    let recorded = history.iter().find_map(|e| match &e.kind {
        EventKind::ExecutionCompleted { result } => Some(Outcome::Completed(result.clone())),
        _ => None,
    });
    if report.outcome != recorded {
        return fail(format!(
            "recorded the end {recorded:?}, the code now reaches {:?}",
            report.outcome
        ));
    }
    Ok(())
}

/// Checks every history of every build on `release`; returns how many.
fn gate(release: Release) -> usize {
    let registry = registry_of(release);
    let mut checked = 0;
    let mut broken = Vec::new();
    for build in sorted_entries(&histories_dir()) {
        let stories = sorted_entries(&build);
        let build_name = build
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        // A release (a plain version) has every story; earlier fixtures may not.
        if build_name.chars().all(|c| c.is_ascii_digit() || c == '.') {
            for story in STORIES {
                assert!(
                    build.join(story).is_dir(),
                    "{build_name} lacks the story {story}"
                );
            }
        }
        for story in stories {
            for file in sorted_entries(&story) {
                checked += 1;
                if let Err(e) = check(&registry, release, &file) {
                    broken.push(e);
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} saved games break:\n{}",
        broken.len(),
        broken.join("\n")
    );
    checked
}

#[test]
fn every_released_history_replays_on_this_build() {
    // 0.1.0-2026-11-28: 8; 0.1.0 and 0.2.0: 21 each (5 + 3 + 3 + 5 + 5).
    assert_eq!(gate(Release::Current), 50);
}

#[test]
fn every_released_history_replays_on_the_update_drill() {
    assert_eq!(gate(Release::UpdateDrill), 50);
}

/// The gate can fail, and says where: a history whose recorded narration
/// differs from what the code narrates is reported with its file, the
/// position, the recorded action and the new one.
#[test]
fn a_change_that_breaks_a_history_is_named() {
    let source = histories_dir().join("0.1.0/mid-countdown/UserConfirmationWorkflow.json");
    let text = std::fs::read_to_string(&source).expect("the fixture");
    let changed = text.replace("has 2 minutes to confirm", "has two minutes to confirm");
    assert_ne!(text, changed, "the fixture narrates the countdown");
    let dir = std::env::temp_dir().join(format!("dungeon-gate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join("UserConfirmationWorkflow.json");
    std::fs::write(&path, changed).expect("write");
    let err = check(&registry_of(Release::Current), Release::Current, &path).expect_err("breaks");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        err.contains("UserConfirmationWorkflow.json on Current: no longer replays: NonDeterminism at action 0 (event 2)")
            && err.contains("history recorded `call activity Narrate(")
            && err.contains("Paused now has two minutes to confirm")
            && err.contains("the code now does `call activity Narrate(")
            && err.contains("Paused now has 2 minutes to confirm"),
        "{err}"
    );
}
