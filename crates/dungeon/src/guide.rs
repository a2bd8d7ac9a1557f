//! What the screen tells a player about their game beyond the story: the
//! commands that make sense now (tappable suggestions), the scene in words
//! (for screen readers), how the game ended, and the adventurer's
//! workflows in plain words (the "Behind the scenes" panel).
//!
//! Pure functions of the game's state. Must never decide a rule: what a
//! command does is `rules`; this only points at the commands worth trying.

use durable::{InstanceRecord, RuntimeStatus};

use crate::model::{ItemLocation, Status, Universe};
use crate::narration::{a, a_capital, room_in_sentence};
use crate::workflows::{
    GAME_MONITOR, USER_CONFIRMATION, USER_MONITOR, USER_PARALLEL, USER_SEQUENTIAL,
};

/// A command offered as a button: what it says, and the line it sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub label: String,
    pub command: String,
}

fn suggest(label: String, command: String) -> Suggestion {
    Suggestion { label, command }
}

/// The last word of a generated name, in lower case: the part a player
/// types ("Gibbering Red Troll" → "troll").
pub fn command_word(name: &str) -> String {
    name.split_whitespace()
        .last()
        .unwrap_or(name)
        .to_lowercase()
}

/// The commands that make sense now, most useful first: `confirm` during
/// the window; then taking the weapon, the kill once armed, taking the
/// treasure; `look` and `help` while the game is on. None once it is over.
pub fn suggestions(u: &Universe) -> Vec<Suggestion> {
    match u.status() {
        Status::AwaitingConfirmation => {
            return vec![suggest("Confirm".into(), "confirm".into())];
        }
        Status::Playing => {}
        _ => return Vec::new(),
    }
    let mut out = Vec::new();
    let carried = |loc: ItemLocation| loc == ItemLocation::Carried;
    if let Some(w) = u
        .weapon
        .as_ref()
        .filter(|w| w.location == ItemLocation::Room)
    {
        out.push(suggest(
            format!("Get the {}", w.name),
            format!("get {}", w.name.to_lowercase()),
        ));
    }
    let armed = u.weapon.as_ref().filter(|w| carried(w.location));
    let monster = u.monster_here().filter(|m| m.alive);
    if let (Some(w), Some(m)) = (armed, monster) {
        let (beast, weapon) = (command_word(&m.name), command_word(&w.name));
        out.push(suggest(
            format!("Kill the {beast} with the {weapon}"),
            format!(
                "kill {} with {}",
                m.name.to_lowercase(),
                w.name.to_lowercase()
            ),
        ));
    }
    if let Some(t) = u
        .treasure
        .as_ref()
        .filter(|t| t.location == ItemLocation::Room)
    {
        out.push(suggest(
            format!("Get the {}", t.name),
            format!("get {}", t.name.to_lowercase()),
        ));
    }
    out.push(suggest("Look".into(), "look".into()));
    out.push(suggest("Help".into(), "help".into()));
    out
}

/// The scene in words, as the drawing shows it: for screen readers.
pub fn describe_scene(u: &Universe) -> String {
    let Some(room) = u.room.as_ref() else {
        return "The dungeon is taking shape.".into();
    };
    let mut parts = vec![format!("{}.", room.name)];
    let hero = &u.adventurer.name;
    if u.current_room().is_some() {
        parts.push(match u.status() {
            Status::Dead => format!("{hero} lies dead here."),
            _ => format!("{hero} stands here."),
        });
    } else {
        parts.push(format!("{hero} waits outside."));
    }
    if let Some(m) = u.monster.as_ref().filter(|m| m.room.is_some()) {
        let holding = u
            .treasure
            .as_ref()
            .filter(|t| t.location == ItemLocation::Monster)
            .map(|t| format!(", holding {}", a(&t.name)))
            .unwrap_or_default();
        let state = if m.alive { "is here" } else { "lies dead here" };
        parts.push(format!("{} {state}{holding}.", a_capital(&m.name)));
    }
    let floor: Vec<String> = u
        .items()
        .filter(|i| i.location == ItemLocation::Room)
        .map(|i| a(&i.name))
        .collect();
    if !floor.is_empty() {
        parts.push(format!("On the floor: {}.", floor.join(" and ")));
    }
    if !u.adventurer.inventory.is_empty() {
        parts.push(format!(
            "{hero} carries {}.",
            u.adventurer.inventory.join(" and ")
        ));
    }
    parts.join(" ")
}

/// How a finished game ended, for its banner: a heading and a sentence.
pub fn ending(u: &Universe) -> Option<(&'static str, String)> {
    let hero = &u.adventurer.name;
    let monster = u
        .monster
        .as_ref()
        .map(|m| m.name.as_str())
        .unwrap_or("monster");
    let treasure = u
        .treasure
        .as_ref()
        .map(|t| t.name.as_str())
        .unwrap_or("treasure");
    let room = u
        .room
        .as_ref()
        .map(|r| room_in_sentence(&r.name))
        .unwrap_or_else(|| "the dungeon".into());
    match u.status() {
        Status::Won => Some((
            "Victory!",
            format!("{hero} slew the {monster} and carried off the {treasure}."),
        )),
        Status::Dead => Some((
            "Game over",
            format!("{hero} waited too long to confirm and never left {room}."),
        )),
        Status::OutOfTime => Some((
            "Time is up",
            format!("{hero} made no move for too long, and the dungeon closed its doors."),
        )),
        _ => None,
    }
}

/// What a workflow of the game does, in plain words.
pub fn workflow_purpose(name: &str) -> &'static str {
    [
        (
            USER_PARALLEL.name(),
            "Builds the adventurer, the monster, the room and the items, all at once",
        ),
        (
            USER_CONFIRMATION.name(),
            "Waits for the player to confirm, against a timer",
        ),
        (
            USER_SEQUENTIAL.name(),
            "Places everything in the room, one step after another",
        ),
        (
            USER_MONITOR.name(),
            "Checks on the adventurer now and then until the game ends",
        ),
        (
            GAME_MONITOR.name(),
            "Waits for both the kill and the treasure, then declares the win",
        ),
    ]
    .into_iter()
    .find(|(workflow, _)| *workflow == name)
    .map_or("A workflow of the game", |(_, purpose)| purpose)
}

/// A workflow's status in plain words.
pub fn status_in_words(status: RuntimeStatus) -> &'static str {
    match status {
        RuntimeStatus::Pending => "about to start",
        RuntimeStatus::Running => "working",
        RuntimeStatus::Suspended => "paused",
        RuntimeStatus::Completed => "done",
        RuntimeStatus::Failed => "failed",
        RuntimeStatus::Terminated => "stopped",
        RuntimeStatus::ContinuedAsNew => "starting over",
    }
}

/// "5 min 12 s", "3.2 s", "14.2 ms": a span for people.
pub fn span_in_words(ms: f64) -> String {
    if ms < 1_000.0 {
        format!("{ms:.1} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1_000.0)
    } else {
        let s = (ms / 1_000.0) as u64;
        if s < 3_600 {
            format!("{} min {} s", s / 60, s % 60)
        } else {
            format!("{} h {} min", s / 3_600, s % 3_600 / 60)
        }
    }
}

/// The original demo's point, for the adventurer's workflows: how long the
/// adventure has lasted (wall clock, until `now_ms` while any workflow
/// works) against how long its code ran.
pub fn wall_vs_compute(workflows: &[InstanceRecord], now_ms: u64) -> Option<String> {
    let start = workflows.iter().map(|w| w.created_ms).min()?;
    let running = workflows.iter().any(|w| !w.status.is_final());
    let end = if running {
        now_ms
    } else {
        workflows
            .iter()
            .map(|w| w.updated_ms)
            .max()
            .unwrap_or(start)
    };
    let compute: f64 = workflows
        .iter()
        .map(|w| w.orchestration_compute_ms + w.activity_compute_ms)
        .sum();
    let wall = end.saturating_sub(start) as f64;
    let so_far = if running { " so far" } else { "" };
    Some(format!(
        "{} of adventure{so_far}, {} of computing.",
        span_in_words(wall),
        span_in_words(compute)
    ))
}

#[cfg(test)]
mod tests {
    use durable::{InstanceId, InstanceRecord, RuntimeStatus};
    use serde_json::json;

    use super::*;
    use crate::model::tests::playing;
    use crate::rules::apply;

    fn after(u: &Universe, line: &str) -> Universe {
        apply(u, &crate::parse(line).expect("parses"))
            .expect("applies")
            .universe
    }

    fn commands(u: &Universe) -> Vec<String> {
        suggestions(u).into_iter().map(|s| s.command).collect()
    }

    #[test]
    fn suggestions_follow_the_game_and_each_one_plays() {
        let mut waiting = playing();
        waiting.adventurer.confirmed = false;
        assert_eq!(commands(&waiting), ["confirm"]);
        let u = playing();
        assert_eq!(commands(&u), ["get magic sword", "look", "help"]);
        let armed = after(&u, &commands(&u)[0]);
        assert_eq!(
            commands(&armed),
            [
                "kill gibbering green troll with magic sword",
                "look",
                "help"
            ]
        );
        assert_eq!(
            suggestions(&armed)[0].label,
            "Kill the troll with the sword"
        );
        let killed = after(&armed, &commands(&armed)[0]);
        assert_eq!(commands(&killed), ["get magic diamond", "look", "help"]);
        let won = after(&killed, &commands(&killed)[0]);
        assert!(won.is_won());
        assert!(
            suggestions(&won).is_empty(),
            "nothing to do once it is over"
        );
    }

    #[test]
    fn the_scene_reads_as_the_drawing_shows_it() {
        let u = playing();
        assert_eq!(
            describe_scene(&u),
            "A dusty room. Ada stands here. A Gibbering Green Troll is here, holding a Magic \
             Diamond. On the floor: a Magic Sword."
        );
        let killed = after(&after(&u, "get sword"), "kill troll with sword");
        assert_eq!(
            describe_scene(&killed),
            "A dusty room. Ada stands here. A Gibbering Green Troll lies dead here. On the \
             floor: a Magic Diamond. Ada carries Magic Sword."
        );
    }

    #[test]
    fn each_end_has_its_banner() {
        assert_eq!(ending(&playing()), None);
        let won = after(
            &after(&after(&playing(), "get sword"), "kill troll with sword"),
            "get diamond",
        );
        assert_eq!(
            ending(&won),
            Some((
                "Victory!",
                "Ada slew the Gibbering Green Troll and carried off the Magic Diamond.".into()
            ))
        );
        let mut dead = playing();
        dead.adventurer.alive = false;
        assert_eq!(ending(&dead).map(|e| e.0), Some("Game over"));
        let mut late = playing();
        late.adventurer.out_of_time = true;
        assert_eq!(ending(&late).map(|e| e.0), Some("Time is up"));
    }

    #[test]
    fn wall_clock_against_compute_in_words() {
        let row = |created: u64, updated: u64, status, compute: f64| {
            let mut r = InstanceRecord::pending(InstanceId::new("x"), "W", json!(null), created);
            r.updated_ms = updated;
            r.status = status;
            r.orchestration_compute_ms = compute;
            r.activity_compute_ms = compute;
            r
        };
        let rows = [
            row(1_000, 5_000, RuntimeStatus::Completed, 1.0),
            row(2_000, 9_000, RuntimeStatus::Running, 2.5),
        ];
        assert_eq!(
            wall_vs_compute(&rows, 313_000).as_deref(),
            Some("5 min 12 s of adventure so far, 7.0 ms of computing.")
        );
        let done = [row(1_000, 4_500, RuntimeStatus::Completed, 0.05)];
        assert_eq!(
            wall_vs_compute(&done, 999_999).as_deref(),
            Some("3.5 s of adventure, 0.1 ms of computing.")
        );
        assert_eq!(wall_vs_compute(&[], 0), None);
        assert_eq!(span_in_words(7_500_000.0), "2 h 5 min");
    }
}
