//! Saved games stay playable across versions: the recorded histories of a
//! won game and of a death (golden fixtures in `tests/histories/`, made by
//! `examples/record_golden.rs`) must replay against the current workflows.
//! A change that would break players' saved games fails here.

use std::path::Path;

use durable::{check_replay, HistoryEvent, InstanceId, Outcome};

fn replay_story(story: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/histories")
        .join(story);
    let registry = dungeon::registry();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("the fixture folder") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a fixture");
        let history: Vec<HistoryEvent> = serde_json::from_str(&text).expect("a history");
        let workflow = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let suffix = dungeon::workflows::suffix(workflow);
        let id = InstanceId::new(format!("{story}:{suffix}"));
        let report = check_replay(&registry, &id, &history)
            .unwrap_or_else(|e| panic!("{story}/{workflow} no longer replays: {e}"));
        assert!(
            matches!(report.outcome, Some(Outcome::Completed(_))),
            "{story}/{workflow} ends {:?}",
            report.outcome
        );
        checked += 1;
    }
    checked
}

#[test]
fn a_won_game_still_replays() {
    assert_eq!(replay_story("won"), 5);
}

#[test]
fn a_death_still_replays() {
    assert_eq!(replay_story("died"), 3);
}
