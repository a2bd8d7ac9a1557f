//! Adventurer names: what a valid name is, and the key that makes two
//! spellings the same adventurer.
//!
//! Owns the validation rules and their player-facing messages. Must never
//! escape or sanitise for display: the UI shows a name as text, so markup in
//! a name is just characters.

use serde::{Deserialize, Serialize};

/// The longest name, in characters (not bytes).
pub const MAX_NAME_CHARS: usize = 32;

/// Why a name was refused; the message tells the player what to change.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Please enter a name.")]
    Empty,
    #[error("A name can have at most {MAX_NAME_CHARS} characters.")]
    TooLong,
    #[error("A name cannot contain control characters.")]
    ControlCharacter,
}

/// The name to keep and show: trimmed, otherwise as typed.
pub fn validate_name(raw: &str) -> Result<String, NameError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameError::TooLong);
    }
    Ok(name.to_owned())
}

/// The case-insensitive key of a name, for uniqueness and ids: lowercase,
/// with runs of whitespace collapsed to one space and none at either end.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_name_is_trimmed_and_otherwise_kept_as_typed() {
        assert_eq!(
            validate_name("  Ada  Lovelace \t"),
            Ok("Ada  Lovelace".into())
        );
        assert_eq!(validate_name("Zoë"), Ok("Zoë".into()));
    }

    #[test]
    fn blank_names_ask_for_a_name() {
        for raw in ["", "   ", "\t\n", "\u{3000}"] {
            assert_eq!(validate_name(raw), Err(NameError::Empty), "{raw:?}");
        }
        assert_eq!(NameError::Empty.to_string(), "Please enter a name.");
    }

    #[test]
    fn at_most_32_characters_counted_as_characters() {
        let longest = "é".repeat(32);
        assert_eq!(validate_name(&longest), Ok(longest.clone()));
        assert_eq!(validate_name(&"a".repeat(33)), Err(NameError::TooLong));
        // Surrounding whitespace does not count.
        assert!(validate_name(&format!("  {longest}  ")).is_ok());
        assert_eq!(
            NameError::TooLong.to_string(),
            "A name can have at most 32 characters."
        );
    }

    #[test]
    fn control_characters_are_refused() {
        for raw in ["Ada\u{7}", "A\tda", "Ada\nLovelace", "\u{0}", "Ada\u{9b}"] {
            assert_eq!(
                validate_name(raw),
                Err(NameError::ControlCharacter),
                "{raw:?}"
            );
        }
        assert_eq!(
            NameError::ControlCharacter.to_string(),
            "A name cannot contain control characters."
        );
    }

    #[test]
    fn markup_is_just_characters() {
        let raw = "<img src=x onerror=alert(1)>";
        assert_eq!(validate_name(raw), Ok(raw.into()));
    }

    #[test]
    fn the_key_ignores_case_and_spacing() {
        assert_eq!(name_key("  Ada   LOVELACE "), "ada lovelace");
        assert_eq!(name_key("ada lovelace"), name_key("Ada\tLovelace"));
        assert_ne!(name_key("Ada"), name_key("Adam"));
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_keys_are_stable(raw in any::<String>()) {
            if let Ok(name) = validate_name(&raw) {
                prop_assert!(!name.is_empty());
                prop_assert!(name.chars().count() <= MAX_NAME_CHARS);
                prop_assert_eq!(name_key(&name_key(&name)), name_key(&name));
            }
        }
    }
}
