//! Which name a typed part means: "troll" for "Gibbering Green Troll".
//!
//! Owns the matching rule and the "Which do you mean" question. Must never
//! choose the candidates: the rules pass only the ones that make sense for
//! the command (items on the floor for get, carried items for a weapon).
//!
//! The rule, case-insensitive, on words as the parser sees them: a part
//! that equals a name matches it; otherwise a part that is a run of whole
//! words of names matches those; otherwise a part that occurs anywhere in
//! names ("matrix", "broad") matches those. The first of these tiers that
//! matches anything decides, so "sword" means "Magic Sword" even when a
//! "Worn Broadsword" is there too. More than one match is ambiguous.

use crate::command::words;
use serde::{Deserialize, Serialize};

/// A part matched several names; the message asks which one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Which do you mean: {}?", or_list(.matches))]
pub struct Ambiguous {
    /// The part as typed.
    pub part: String,
    /// The full names it matched, in the order of the candidates.
    pub matches: Vec<String>,
}

/// The one candidate `part` means, `None` if it means none of them.
pub fn find<'a, I>(part: &str, candidates: I) -> Result<Option<&'a str>, Ambiguous>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted = words(part);
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut names: Vec<&'a str> = Vec::new();
    for name in candidates {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let named: Vec<(&'a str, Vec<String>)> = names.into_iter().map(|n| (n, words(n))).collect();
    for tier in [Tier::Exact, Tier::WholeWords, Tier::Anywhere] {
        let hits: Vec<&'a str> = named
            .iter()
            .filter(|(_, name_words)| tier.matches(name_words, &wanted))
            .map(|(name, _)| *name)
            .collect();
        match hits.as_slice() {
            [] => continue,
            [one] => return Ok(Some(one)),
            _ => {
                return Err(Ambiguous {
                    part: part.to_owned(),
                    matches: hits.into_iter().map(str::to_owned).collect(),
                })
            }
        }
    }
    Ok(None)
}

/// How closely a part must fit a name, best first.
#[derive(Clone, Copy)]
enum Tier {
    /// The part is the whole name.
    Exact,
    /// The part is a run of whole words of the name.
    WholeWords,
    /// The part occurs anywhere in the name.
    Anywhere,
}

impl Tier {
    fn matches(self, name: &[String], part: &[String]) -> bool {
        match self {
            Tier::Exact => name == part,
            Tier::WholeWords => name.windows(part.len()).any(|run| run == part),
            Tier::Anywhere => name.join(" ").contains(&part.join(" ")),
        }
    }
}

/// "A", "A or B", "A, B or C".
fn or_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ITEMS: [&str; 2] = ["Magic Sword", "Magic Diamond"];

    #[test]
    fn any_part_of_a_name_case_insensitive() {
        let troll = ["Gibbering Green Troll"];
        for part in [
            "troll",
            "TROLL",
            "green troll",
            "Gibbering Green Troll",
            "bering",
        ] {
            assert_eq!(
                find(part, troll),
                Ok(Some("Gibbering Green Troll")),
                "{part}"
            );
        }
        assert_eq!(find("sword", ITEMS), Ok(Some("Magic Sword")));
        assert_eq!(find("diamond", ITEMS), Ok(Some("Magic Diamond")));
        assert_eq!(find("ghost", troll), Ok(None));
        assert_eq!(find("", troll), Ok(None));
        assert_eq!(find("troll", []), Ok(None));
    }

    #[test]
    fn multi_word_names() {
        let items = ["Hefty Morning star", "Stout Commodore 64"];
        assert_eq!(find("morning star", items), Ok(Some("Hefty Morning star")));
        assert_eq!(find("star", items), Ok(Some("Hefty Morning star")));
        assert_eq!(find("commodore 64", items), Ok(Some("Stout Commodore 64")));
        assert_eq!(find("64", items), Ok(Some("Stout Commodore 64")));
        assert_eq!(
            find("the commodore 64", items),
            Ok(Some("Stout Commodore 64"))
        );
        assert_eq!(find("morning 64", items), Ok(None), "words must be one run");
        let printer = ["Worn Dot-matrix printer"];
        assert_eq!(
            find("dot-matrix printer", printer),
            Ok(Some("Worn Dot-matrix printer"))
        );
        assert_eq!(find("matrix", printer), Ok(Some("Worn Dot-matrix printer")));
    }

    #[test]
    fn an_ambiguous_part_lists_the_matches() {
        let err = find("magic", ITEMS);
        assert_eq!(
            err,
            Err(Ambiguous {
                part: "magic".into(),
                matches: vec!["Magic Sword".into(), "Magic Diamond".into()],
            })
        );
        assert_eq!(
            err.err().map(|e| e.to_string()).as_deref(),
            Some("Which do you mean: Magic Sword or Magic Diamond?")
        );
        let three = find("a", ["Cracked Axe", "Magic Diamond", "Worn Pike"]);
        assert!(three.is_ok(), "an article alone matches nothing: {three:?}");
        let three = find("i", ["Cracked Axe", "Magic Diamond", "Worn Pike"]);
        assert_eq!(
            three.err().map(|e| e.to_string()).as_deref(),
            Some("Which do you mean: Magic Diamond or Worn Pike?")
        );
        assert_eq!(or_list(&["A".into(), "B".into(), "C".into()]), "A, B or C");
    }

    #[test]
    fn a_better_tier_settles_ambiguity() {
        let items = ["Magic Sword", "Worn Broadsword"];
        assert_eq!(
            find("sword", items),
            Ok(Some("Magic Sword")),
            "whole word beats substring"
        );
        assert_eq!(find("broad", items), Ok(Some("Worn Broadsword")));
        let items = ["Magic Sword", "Magic Sword Rack"];
        assert_eq!(
            find("magic sword", items),
            Ok(Some("Magic Sword")),
            "exact beats part"
        );
    }

    #[test]
    fn duplicates_among_candidates_are_one_candidate() {
        assert_eq!(
            find("sword", ["Magic Sword", "Magic Sword"]),
            Ok(Some("Magic Sword"))
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_a_match_is_a_candidate(
            part in any::<String>(),
            names in prop::collection::vec(any::<String>(), 0..4),
        ) {
            let found = find(&part, names.iter().map(String::as_str));
            if let Ok(Some(name)) = found {
                prop_assert!(names.iter().any(|n| n == name));
            }
        }
    }
}
