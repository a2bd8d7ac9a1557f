//! Random generation of a universe's monster, weapon, treasure and room.
//!
//! Owns the formats ("{adjective} {colour} {beast}", "A {kind} room" …). The
//! randomness is a parameter: activities pass their recorded random source,
//! tests pass a fixed one. Must never hold a random source itself.

use crate::words::*;

/// Something that picks an index below `n`, every index reachable.
pub trait Pick {
    fn pick(&mut self, n: usize) -> usize;
}

impl<F: FnMut(usize) -> usize> Pick for F {
    fn pick(&mut self, n: usize) -> usize {
        self(n) % n.max(1)
    }
}

fn one<'a>(list: &[&'a str], rng: &mut impl Pick) -> &'a str {
    list[rng.pick(list.len())]
}

pub fn monster_name(rng: &mut impl Pick) -> String {
    format!(
        "{} {} {}",
        one(&ADJECTIVES, rng),
        one(&COLOURS, rng),
        one(&BEASTS, rng)
    )
}

pub fn weapon_name(rng: &mut impl Pick) -> String {
    format!("{} {}", one(&QUALITIES, rng), one(&WEAPONS, rng))
}

pub fn treasure_name(rng: &mut impl Pick) -> String {
    format!("{} {}", one(&QUALITIES, rng), one(&TREASURES, rng))
}

/// A room's name and description, from one pick of each list.
pub fn room(rng: &mut impl Pick) -> (String, String) {
    let kind = one(&ROOM_KINDS, rng);
    let walls = one(&WALLS, rng);
    let feature = one(&FEATURES, rng);
    (
        format!("A {kind} room"),
        format!("You are standing in a {kind} room with {walls}. {feature}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A seeded splitmix64 picker.
    fn seeded(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % n as u64) as usize
        }
    }

    #[test]
    fn every_entry_of_every_list_is_reachable() {
        let mut rng = seeded(7);
        let mut monsters = HashSet::new();
        let mut weapons = HashSet::new();
        let mut treasures = HashSet::new();
        let mut rooms = HashSet::new();
        for _ in 0..5_000 {
            monsters.insert(monster_name(&mut rng));
            weapons.insert(weapon_name(&mut rng));
            treasures.insert(treasure_name(&mut rng));
            rooms.insert(room(&mut rng).1);
        }
        let words = |set: &HashSet<String>, list: &[&str]| {
            list.iter().all(|w| set.iter().any(|s| s.contains(w)))
        };
        assert!(
            words(&monsters, &ADJECTIVES)
                && words(&monsters, &COLOURS)
                && words(&monsters, &BEASTS)
        );
        assert!(words(&weapons, &QUALITIES) && words(&weapons, &WEAPONS));
        assert!(words(&treasures, &TREASURES));
        assert!(words(&rooms, &ROOM_KINDS) && words(&rooms, &WALLS) && words(&rooms, &FEATURES));
        // The last entries in particular (the original never picked them).
        assert!(monsters.iter().any(|m| m.ends_with("Zombie")));
        assert!(treasures.iter().any(|t| t.ends_with("Dot-matrix printer")));
    }

    #[test]
    fn formats_follow_the_specification() {
        let mut first = |_n: usize| 0usize;
        assert_eq!(monster_name(&mut first), "Gibbering Red Basilisk");
        assert_eq!(weapon_name(&mut first), "Magic Sword");
        assert_eq!(treasure_name(&mut first), "Magic Diamond");
        let mut last = |n: usize| n - 1;
        let (name, description) = room(&mut last);
        assert_eq!(name, "A cold room");
        assert_eq!(
            description,
            "You are standing in a cold room with rotting wallpaper with an unrecognizable pattern. \
             You notice nothing else interesting about the room."
        );
        assert!(!description.contains(".."), "one full stop, not two");
    }
}
