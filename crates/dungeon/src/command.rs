//! The command parser: one typed line to one [`Command`].
//!
//! Owns the words players type (verbs and their synonyms, articles, "with")
//! and the questions asked when a part is missing. Must never look at the
//! game state: whether "troll" names anything is the rules' business.

use serde::{Deserialize, Serialize};

/// What the player asked for. The parts are as typed, lowercased, without
/// articles, one space between words.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "command")]
pub enum Command {
    #[serde(rename = "Confirm")]
    Confirm,
    #[serde(rename = "Look")]
    Look,
    #[serde(rename = "Inventory")]
    Inventory,
    #[serde(rename = "Get")]
    Get { item: String },
    #[serde(rename = "Kill")]
    Kill { monster: String, weapon: String },
    #[serde(rename = "Help")]
    Help,
}

/// Why a line is not a command; the message says what to type instead.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("Type a command, or help.")]
    Empty,
    #[error("I do not understand {verb}. Type help to see what you can do.")]
    UnknownVerb { verb: String },
    #[error("Get what?")]
    GetWhat,
    #[error("Kill what?")]
    KillWhat,
    #[error("Kill the {monster} with what?")]
    KillWithWhat { monster: String },
}

/// Words dropped wherever they appear.
const ARTICLES: [&str; 3] = ["a", "an", "the"];

/// Words that separate the monster from the weapon in a kill.
const WITH: [&str; 2] = ["with", "using"];

/// An unknown verb is echoed back; a pasted novel is cut to this many
/// characters.
const MAX_ECHO_CHARS: usize = 32;

/// Parses one line. Case-insensitive; extra whitespace, control characters,
/// articles and trailing punctuation are ignored. Words after a verb that
/// takes none ("look around") are ignored too.
pub fn parse(line: &str) -> Result<Command, CommandError> {
    let words = words(line);
    let Some((verb, rest)) = words.split_first() else {
        return Err(CommandError::Empty);
    };
    match verb.as_str() {
        "confirm" => Ok(Command::Confirm),
        "l" | "look" => Ok(Command::Look),
        "i" | "inv" | "inventory" => Ok(Command::Inventory),
        "help" | "?" => Ok(Command::Help),
        "get" | "take" | "grab" => get(rest),
        // "pick up the sword" and "pick the sword up".
        "pick" => {
            let rest = rest.strip_prefix(&["up".to_owned()]).unwrap_or(rest);
            let rest = rest.strip_suffix(&["up".to_owned()]).unwrap_or(rest);
            get(rest)
        }
        "kill" | "attack" | "slay" | "fight" => kill(rest),
        _ => Err(CommandError::UnknownVerb { verb: echo(verb) }),
    }
}

fn get(rest: &[String]) -> Result<Command, CommandError> {
    if rest.is_empty() {
        return Err(CommandError::GetWhat);
    }
    Ok(Command::Get {
        item: rest.join(" "),
    })
}

fn kill(rest: &[String]) -> Result<Command, CommandError> {
    let split = rest.iter().position(|w| WITH.contains(&w.as_str()));
    let (monster, weapon) = match split {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    if monster.is_empty() {
        return Err(CommandError::KillWhat);
    }
    let monster = monster.join(" ");
    if weapon.is_empty() {
        return Err(CommandError::KillWithWhat { monster });
    }
    Ok(Command::Kill {
        monster,
        weapon: weapon.join(" "),
    })
}

/// The words of a line as the parser and the name matcher see them:
/// lowercase, split at whitespace and control characters, trailing
/// punctuation trimmed, articles dropped. A word of only question marks
/// stays "?" (the help verb).
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter_map(|raw| {
            if !raw.is_empty() && raw.chars().all(|c| c == '?') {
                return Some("?".to_owned());
            }
            let word = raw
                .trim_end_matches(['.', ',', '!', '?', ';', ':'])
                .to_lowercase();
            let keep = !word.is_empty() && !ARTICLES.contains(&word.as_str());
            keep.then_some(word)
        })
        .collect()
}

fn echo(verb: &str) -> String {
    if verb.chars().count() <= MAX_ECHO_CHARS {
        verb.to_owned()
    } else {
        let mut cut: String = verb.chars().take(MAX_ECHO_CHARS).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn get(item: &str) -> Result<Command, CommandError> {
        Ok(Command::Get { item: item.into() })
    }

    fn kill(monster: &str, weapon: &str) -> Result<Command, CommandError> {
        Ok(Command::Kill {
            monster: monster.into(),
            weapon: weapon.into(),
        })
    }

    #[test]
    fn verbs_without_parts_and_their_synonyms() {
        let table = [
            ("confirm", Command::Confirm),
            ("CONFIRM", Command::Confirm),
            ("look", Command::Look),
            ("l", Command::Look),
            ("L", Command::Look),
            ("look around", Command::Look),
            ("inventory", Command::Inventory),
            ("inv", Command::Inventory),
            ("i", Command::Inventory),
            ("help", Command::Help),
            ("?", Command::Help),
            ("??", Command::Help),
            ("Help!", Command::Help),
        ];
        for (line, expected) in table {
            assert_eq!(parse(line), Ok(expected), "{line:?}");
        }
    }

    #[test]
    fn get_and_its_synonyms_and_articles() {
        let table = [
            ("get sword", get("sword")),
            ("take sword", get("sword")),
            ("grab sword", get("sword")),
            ("pick up sword", get("sword")),
            ("pick the sword up", get("sword")),
            ("get the sword", get("sword")),
            ("Get A Magic Sword", get("magic sword")),
            ("get an axe", get("axe")),
            ("  get    the   Morning   Star  ", get("morning star")),
            ("get commodore 64", get("commodore 64")),
            ("get the dot-matrix printer.", get("dot-matrix printer")),
            ("TAKE\tthe\u{7}sword", get("sword")),
        ];
        for (line, expected) in table {
            assert_eq!(parse(line), expected, "{line:?}");
        }
    }

    #[test]
    fn kill_and_its_synonyms_and_articles() {
        let table = [
            ("kill troll with axe", kill("troll", "axe")),
            ("kill the troll with the axe", kill("troll", "axe")),
            ("attack troll with axe", kill("troll", "axe")),
            ("slay troll with axe", kill("troll", "axe")),
            ("fight troll with axe", kill("troll", "axe")),
            ("kill troll using axe", kill("troll", "axe")),
            (
                "KILL The Green Troll WITH A Morning Star",
                kill("green troll", "morning star"),
            ),
            ("kill troll, with axe!", kill("troll", "axe")),
        ];
        for (line, expected) in table {
            assert_eq!(parse(line), expected, "{line:?}");
        }
    }

    #[test]
    fn a_missing_part_is_asked_for() {
        assert_eq!(parse("get"), Err(CommandError::GetWhat));
        assert_eq!(parse("get the"), Err(CommandError::GetWhat));
        assert_eq!(parse("pick up"), Err(CommandError::GetWhat));
        assert_eq!(parse("kill"), Err(CommandError::KillWhat));
        assert_eq!(parse("kill with axe"), Err(CommandError::KillWhat));
        let troll = Err(CommandError::KillWithWhat {
            monster: "troll".into(),
        });
        assert_eq!(parse("kill troll"), troll);
        assert_eq!(parse("kill the troll with"), troll);
        assert_eq!(parse("attack troll with the"), troll);

        assert_eq!(CommandError::GetWhat.to_string(), "Get what?");
        assert_eq!(CommandError::KillWhat.to_string(), "Kill what?");
        assert_eq!(
            CommandError::KillWithWhat {
                monster: "troll".into()
            }
            .to_string(),
            "Kill the troll with what?"
        );
    }

    #[test]
    fn empty_and_unknown_lines() {
        for line in ["", "   ", "\t\n", "the", "\u{0}"] {
            assert_eq!(parse(line), Err(CommandError::Empty), "{line:?}");
        }
        assert_eq!(CommandError::Empty.to_string(), "Type a command, or help.");
        let xyzzy = parse("XYZZY now");
        assert_eq!(
            xyzzy,
            Err(CommandError::UnknownVerb {
                verb: "xyzzy".into()
            })
        );
        assert_eq!(
            xyzzy.err().map(|e| e.to_string()).as_deref(),
            Some("I do not understand xyzzy. Type help to see what you can do.")
        );
    }

    #[test]
    fn a_very_long_unknown_verb_is_echoed_cut() {
        let line = "é".repeat(10_000);
        let Err(CommandError::UnknownVerb { verb }) = parse(&line) else {
            panic!("not an unknown verb");
        };
        assert_eq!(verb.chars().count(), MAX_ECHO_CHARS + 1);
        assert!(verb.ends_with('…'));
    }

    #[test]
    fn commands_round_trip_through_serde() {
        let command = Command::Kill {
            monster: "troll".into(),
            weapon: "axe".into(),
        };
        let json = serde_json::to_string(&command).expect("serialises");
        assert_eq!(
            json,
            r#"{"command":"Kill","monster":"troll","weapon":"axe"}"#
        );
        let back: Command = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, command);
    }

    proptest! {
        #[test]
        fn no_string_panics(line in any::<String>()) {
            let _ = parse(&line);
        }

        #[test]
        fn no_line_of_known_words_panics(
            words in prop::collection::vec(
                prop::sample::select(vec![
                    "get", "kill", "with", "using", "the", "a", "pick", "up", "?",
                    "troll", "sword", " ", "\t", "\u{0}", "ß", "İ", "…", ".", "with.",
                ]),
                0..12,
            )
        ) {
            let _ = parse(&words.concat());
            let _ = parse(&words.join(" "));
        }

        #[test]
        fn very_long_input_does_not_panic(
            chunk in "\\PC{0,40}",
            times in 1usize..2_000,
        ) {
            let _ = parse(&chunk.repeat(times));
            let _ = parse(&format!("kill {} with {}", chunk.repeat(times), chunk));
        }

        #[test]
        fn parts_are_never_empty(line in any::<String>()) {
            match parse(&line) {
                Ok(Command::Get { item }) => prop_assert!(!item.is_empty()),
                Ok(Command::Kill { monster, weapon }) => {
                    prop_assert!(!monster.is_empty() && !weapon.is_empty());
                }
                _ => {}
            }
        }
    }
}
