//! Every line of narration the game prints, as functions of the names.
//!
//! Owns the wording, exactly as the game specification gives it, so the
//! rules, the workflows and the tests share one copy. Must never decide
//! anything: a function here formats, it does not check the game state.

use std::time::Duration;

/// The word with its indefinite article: "a Hefty Axe", "an Immaculate
/// Scythe", "an axe".
pub fn a(word: &str) -> String {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    if vowel {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

/// [`a`] at the start of a sentence: "An Immaculate Scythe".
pub fn a_capital(word: &str) -> String {
    let mut s = a(word);
    s[..1].make_ascii_uppercase();
    s
}

/// A room's name ("A well-lit room") inside a sentence: "a well-lit room".
pub fn room_in_sentence(room: &str) -> String {
    match room.strip_prefix("A ") {
        Some(rest) => format!("a {rest}"),
        None => room.to_string(),
    }
}

// UserParallelWorkflow's creation steps (the original narrated each).

pub fn arrives(name: &str) -> String {
    format!("{name} arrives at the dungeon's gate.")
}

pub fn stalking(monster: &str, name: &str) -> String {
    format!("Look out! {} is now stalking {name}!", a_capital(monster))
}

/// `room` is the room's name ("A dusty room").
pub fn room_prepared(room: &str, name: &str) -> String {
    format!("{room} has been prepared for {name}!")
}

pub fn items_hidden(weapon: &str, treasure: &str, name: &str) -> String {
    format!(
        "{} and {} are waiting somewhere inside for {name}!",
        a_capital(weapon),
        a(treasure)
    )
}

// UserConfirmationWorkflow.

/// "{name} now has 2 minutes to confirm they are ready." The window is the
/// configured one: "1 minute", "90 seconds" → "1 minute and 30 seconds",
/// "5 seconds", "250 milliseconds".
pub fn confirm_window(name: &str, window: Duration) -> String {
    format!("{name} now has {} to confirm they are ready.", span(window))
}

pub fn accepted(name: &str) -> String {
    format!("{name} has accepted the challenge!")
}

pub fn failed_to_confirm(name: &str) -> String {
    format!("{name} failed to confirm in time.")
}

/// What KillUser narrates.
pub fn died_waiting(name: &str) -> String {
    format!("Unfortunately {name} died from waiting too long!")
}

pub fn confirmation_complete(name: &str) -> String {
    format!("User confirmation workflow complete for {name}.")
}

// UserSequentialWorkflow.

pub fn looks_around(name: &str, description: &str) -> String {
    format!("{name} looks around: {description}")
}

pub fn sees_weapon(name: &str, weapon: &str) -> String {
    format!("{name} sees {} inside the room!", a(weapon))
}

/// `room` is the room's name ("A dusty room").
pub fn notices_monster(name: &str, monster: &str, room: &str) -> String {
    format!(
        "{name} notices {} in {}.",
        a(monster),
        room_in_sentence(room)
    )
}

pub fn notices_treasure(name: &str, monster: &str, treasure: &str) -> String {
    format!("{name} notices {} with {}.", a(monster), a(treasure))
}

/// Placing the treasure after the monster was already killed: it lands on
/// the floor instead (see `setup::place_treasure`).
pub fn treasure_beside_body(name: &str, monster: &str, treasure: &str) -> String {
    format!(
        "{name} notices {} beside the body of the {monster}.",
        a(treasure)
    )
}

// UserMonitorWorkflow and GameMonitorWorkflow.

/// "{name} is being monitored every 20 seconds."
pub fn monitoring_every(name: &str, interval: Duration) -> String {
    format!("{name} is being monitored every {}.", span(interval))
}

pub fn monitoring_timed_out(name: &str) -> String {
    format!("{name} monitoring has timed out.")
}

pub fn monitoring_done(name: &str) -> String {
    format!("{name} monitoring is done.")
}

pub fn has_won(name: &str) -> String {
    format!("{name} has won the game!")
}

/// The game's time limit passed with no move: the game ends, not won.
pub fn out_of_time(name: &str) -> String {
    format!("{name} lingered too long, and the dungeon's doors swing shut. The adventure is over.")
}

/// The update drill's rewording of [`has_won`] (see `workflows::Release`).
pub fn has_won_reworded(name: &str) -> String {
    format!("{name} has won the game! The dungeon falls silent.")
}

/// The update drill's new line in the confirmation workflow.
pub fn ring_glows(name: &str) -> String {
    format!("The ring around {name} begins to glow.")
}

/// The update drill's new first step of the sequential workflow.
pub fn deep_breath(name: &str) -> String {
    format!("{name} takes a deep breath and steps inside.")
}

// Commands (see `rules`).

pub fn grabbed(name: &str, item: &str) -> String {
    format!("{name} successfully grabbed the {item}.")
}

pub fn nabbed_treasure(name: &str) -> String {
    format!("{name} nabbed the treasure.")
}

pub fn killed(name: &str, monster: &str, weapon: &str) -> String {
    format!("{name} valiantly killed the {monster} with the {weapon}.")
}

pub fn dropped(name: &str, monster: &str, treasure: &str) -> String {
    format!("{name} notices the {monster} dropped {}.", a(treasure))
}

/// The inventory line, also the last line of look.
pub fn carrying(name: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("{name} is carrying nothing.")
    } else {
        format!("{name} is carrying: {}.", items.join(", "))
    }
}

pub fn monster_here(monster: &str, holding: Option<&str>) -> String {
    match holding {
        Some(item) => format!("The {monster} is here, holding the {item}."),
        None => format!("The {monster} is here."),
    }
}

pub fn body_here(monster: &str) -> String {
    format!("The body of the {monster} lies here.")
}

pub fn on_the_floor(items: &[String]) -> String {
    if items.is_empty() {
        "There is nothing on the floor.".to_owned()
    } else {
        format!("On the floor: {}.", items.join(", "))
    }
}

/// The help text, one command a line.
pub fn help() -> Vec<String> {
    [
        "look (l): describe the room, what is in it and what you carry.",
        "inventory (i): list what you carry.",
        "get <item> (take, grab, pick up): pick up an item from the floor.",
        "kill <monster> with <weapon> (attack, slay, fight): fight the monster.",
        "confirm: accept the challenge while the confirmation window is open.",
        "help (?): show this list.",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A length of time as a player reads it; whole minutes and seconds where
/// they fit, milliseconds only below a second.
fn span(length: Duration) -> String {
    let ms = u64::try_from(length.as_millis()).unwrap_or(u64::MAX);
    let minutes = ms / 60_000;
    let rest = ms % 60_000;
    match (minutes, rest) {
        (0, _) => seconds(rest),
        (_, 0) => count(minutes, "minute"),
        _ => format!("{} and {}", count(minutes, "minute"), seconds(rest)),
    }
}

/// Below one minute: "5 seconds", "1.5 seconds", "250 milliseconds".
fn seconds(ms: u64) -> String {
    let (whole, fraction) = (ms / 1_000, ms % 1_000);
    match (whole, fraction) {
        (0, _) => count(fraction, "millisecond"),
        (_, 0) => count(whole, "second"),
        _ => {
            let fraction = format!("{fraction:03}");
            format!("{whole}.{} seconds", fraction.trim_end_matches('0'))
        }
    }
}

fn count(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_lines_read_as_the_specification_gives_them() {
        let n = "Ada";
        let table = [
            (
                confirm_window(n, Duration::from_secs(120)),
                "Ada now has 2 minutes to confirm they are ready.",
            ),
            (accepted(n), "Ada has accepted the challenge!"),
            (failed_to_confirm(n), "Ada failed to confirm in time."),
            (
                died_waiting(n),
                "Unfortunately Ada died from waiting too long!",
            ),
            (
                confirmation_complete(n),
                "User confirmation workflow complete for Ada.",
            ),
            (
                looks_around(n, "You are standing in a dusty room."),
                "Ada looks around: You are standing in a dusty room.",
            ),
            (
                sees_weapon(n, "Magic Sword"),
                "Ada sees a Magic Sword inside the room!",
            ),
            (
                notices_monster(n, "Gibbering Green Troll", "A dusty room"),
                "Ada notices a Gibbering Green Troll in a dusty room.",
            ),
            (
                notices_treasure(n, "Gibbering Green Troll", "Magic Diamond"),
                "Ada notices a Gibbering Green Troll with a Magic Diamond.",
            ),
            (
                monitoring_every(n, Duration::from_secs(20)),
                "Ada is being monitored every 20 seconds.",
            ),
            (monitoring_timed_out(n), "Ada monitoring has timed out."),
            (monitoring_done(n), "Ada monitoring is done."),
            (has_won(n), "Ada has won the game!"),
            (
                grabbed(n, "Magic Sword"),
                "Ada successfully grabbed the Magic Sword.",
            ),
            (nabbed_treasure(n), "Ada nabbed the treasure."),
            (
                killed(n, "Gibbering Green Troll", "Magic Sword"),
                "Ada valiantly killed the Gibbering Green Troll with the Magic Sword.",
            ),
            (
                dropped(n, "Gibbering Green Troll", "Magic Diamond"),
                "Ada notices the Gibbering Green Troll dropped a Magic Diamond.",
            ),
            (
                sees_weapon(n, "Immaculate Scythe"),
                "Ada sees an Immaculate Scythe inside the room!",
            ),
            (
                notices_treasure(n, "Moaning Orange Harpy", "Immaculate 300 baud modem"),
                "Ada notices a Moaning Orange Harpy with an Immaculate 300 baud modem.",
            ),
            (
                notices_monster(n, "Lumbering Red Ogre", "A well-lit room"),
                "Ada notices a Lumbering Red Ogre in a well-lit room.",
            ),
            (arrives(n), "Ada arrives at the dungeon's gate."),
            (
                stalking("Gibbering Green Troll", n),
                "Look out! A Gibbering Green Troll is now stalking Ada!",
            ),
            (
                room_prepared("A dusty room", n),
                "A dusty room has been prepared for Ada!",
            ),
            (
                items_hidden("Immaculate Axe", "Hefty Diamond", n),
                "An Immaculate Axe and a Hefty Diamond are waiting somewhere inside for Ada!",
            ),
            (
                out_of_time(n),
                "Ada lingered too long, and the dungeon's doors swing shut. The adventure is over.",
            ),
        ];
        for (got, want) in table {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn windows_are_pluralised_and_sub_minute_ones_say_seconds() {
        let table = [
            (60_000, "1 minute"),
            (120_000, "2 minutes"),
            (90_000, "1 minute and 30 seconds"),
            (61_000, "1 minute and 1 second"),
            (3_600_000, "60 minutes"),
            (5_000, "5 seconds"),
            (1_000, "1 second"),
            (1_500, "1.5 seconds"),
            (1_050, "1.05 seconds"),
            (250, "250 milliseconds"),
            (1, "1 millisecond"),
            (0, "0 milliseconds"),
        ];
        for (ms, want) in table {
            assert_eq!(span(Duration::from_millis(ms)), want, "{ms} ms");
        }
        assert_eq!(
            confirm_window("Bo", Duration::from_secs(60)),
            "Bo now has 1 minute to confirm they are ready."
        );
        assert_eq!(
            monitoring_every("Bo", Duration::from_secs(1)),
            "Bo is being monitored every 1 second."
        );
    }

    #[test]
    fn lists_and_help() {
        assert_eq!(carrying("Ada", &[]), "Ada is carrying nothing.");
        assert_eq!(
            carrying("Ada", &["Magic Sword".into(), "Magic Diamond".into()]),
            "Ada is carrying: Magic Sword, Magic Diamond."
        );
        assert_eq!(on_the_floor(&[]), "There is nothing on the floor.");
        assert_eq!(help().len(), 6);
        for verb in ["look", "inventory", "get", "kill", "confirm", "help"] {
            assert!(help().iter().any(|line| line.starts_with(verb)), "{verb}");
        }
    }
}
