//! The dungeon's pictures as SVG markup fragments: a silhouette for each of
//! the eleven beasts, an icon for each kind of weapon and treasure, the
//! room's walls and feature. Plain shapes in code: nothing is downloaded.
//! Pure: a name in, shapes out; the drawing (`dungeon_view`) places them.

use leptos::prelude::*;

/// The fill of a monster's colour word ("Gibbering Red Troll" → red).
pub fn monster_colour(name: &str) -> &'static str {
    const COLOURS: [(&str, &str); 7] = [
        ("Red", "#b3382a"),
        ("Orange", "#c8702d"),
        ("Yellow", "#c9a93a"),
        ("Green", "#4d8a3e"),
        ("Blue", "#3f67a8"),
        ("Indigo", "#4b3f9a"),
        ("Violet", "#8a4aa0"),
    ];
    COLOURS
        .iter()
        .find(|(word, _)| name.split_whitespace().any(|w| w == *word))
        .map_or("#8b2e1c", |(_, fill)| fill)
}

/// The kind of a generated name: its last word, or the known kind it ends
/// with ("Hefty Morning star" → "Morning star").
fn kind_of<'a>(name: &str, kinds: &[&'a str]) -> Option<&'a str> {
    kinds.iter().copied().find(|k| name.ends_with(k))
}

/// A beast's silhouette, centred on (0, 0) in a box about 90 wide; eyes are
/// drawn by [`eyes`].
pub fn beast(name: &str) -> impl IntoView {
    let kind = kind_of(name, &dungeon::words::BEASTS).unwrap_or("Troll");
    let d = match kind {
        "Basilisk" => "M-38,34 C-40,14 -4,24 -6,8 C-8,-8 -30,-4 -26,-22 C-22,-38 4,-38 10,-30 \
                       L20,-34 L16,-24 C22,-16 10,-8 2,-14 C-6,-20 -10,-12 -2,-4 C10,8 14,28 -4,34 Z",
        "Centaur" => "M-10,-40 a8,8 0 1,1 0.1,0 Z M-16,-30 L-4,-30 L-2,-4 L30,-6 C40,-6 42,4 38,10 \
                      L40,36 L33,36 L31,14 L6,14 L4,36 L-3,36 L-4,12 C-14,10 -18,2 -16,-6 Z",
        "Cyclops" => "M0,-40 a18,18 0 1,1 -0.1,0 Z M-22,-8 C-30,-4 -34,28 -20,36 L20,36 \
                      C34,28 30,-4 22,-8 Z M-22,-4 L-36,18 L-30,20 L-20,4 Z M22,-4 L36,18 L30,20 L20,4 Z",
        "Dragon" => "M-20,0 C-24,24 20,30 26,10 L40,-2 L30,2 C30,-10 20,-12 10,-10 L6,-26 L14,-36 \
                     L0,-34 L-2,-14 C-10,-12 -18,-8 -20,0 Z M-6,-8 L-40,-34 L-30,-6 L-42,-10 L-26,8 Z \
                     M-14,22 L-16,36 L-8,36 L-6,24 Z M12,22 L12,36 L20,36 L18,22 Z",
        "Gorgon" => "M0,-34 a12,12 0 1,1 -0.1,0 Z M-12,-34 C-24,-44 -28,-30 -20,-28 M12,-34 \
                     C24,-44 28,-30 20,-28 M-10,-40 C-14,-52 -4,-50 -4,-44 M10,-40 C14,-52 4,-50 4,-44 \
                     M-12,-12 L12,-12 L26,36 L-26,36 Z",
        "Griffon" => "M-24,-4 C-30,12 -20,22 0,22 L24,20 C34,18 38,8 30,0 L24,-18 L32,-24 L20,-30 \
                      L12,-22 C4,-10 -14,-12 -24,-4 Z M-4,-6 L-36,-34 L-10,-30 L-30,-44 L6,-22 Z \
                      M-16,20 L-18,36 L-10,36 L-8,20 Z M16,20 L18,36 L26,36 L22,18 Z",
        "Harpy" => "M0,-36 a10,10 0 1,1 -0.1,0 Z M-8,-22 L8,-22 L10,10 L-10,10 Z M-8,-18 L-44,-30 \
                    L-30,-10 L-42,-8 L-10,2 Z M8,-18 L44,-30 L30,-10 L42,-8 L10,2 Z M-6,10 L-10,34 \
                    L-16,36 L-4,36 L-2,12 Z M6,10 L10,34 L16,36 L4,36 L2,12 Z",
        "Manticore" => "M0,-18 a16,16 0 1,1 -0.1,0 Z M-30,4 C-32,22 -20,26 0,26 L20,24 C26,10 22,0 \
                        10,-2 L-24,-2 Z M-26,24 L-28,36 L-20,36 L-18,24 Z M8,24 L8,36 L16,36 L16,22 Z \
                        M-28,0 C-44,-10 -40,-36 -22,-38 L-18,-30 L-26,-30 C-34,-26 -32,-12 -24,-6 Z",
        "Minotaur" => "M0,-36 a12,12 0 1,1 -0.1,0 Z M-10,-40 C-26,-40 -30,-52 -22,-54 C-22,-46 -16,-44 \
                       -8,-46 Z M10,-40 C26,-40 30,-52 22,-54 C22,-46 16,-44 8,-46 Z M-20,-16 L20,-16 \
                       L24,12 L12,14 L14,36 L4,36 L0,16 L-4,36 L-14,36 L-12,14 L-24,12 Z",
        "Zombie" => "M4,-36 a10,10 0 1,1 -0.1,0 Z M-6,-20 L10,-20 L12,12 L8,36 L2,36 L2,14 L-2,14 \
                     L-4,36 L-10,36 L-8,12 Z M8,-16 L40,-14 L40,-8 L8,-8 Z M6,-6 L38,-2 L36,4 L4,0 Z",
        // Troll, and anything unknown.
        _ => "M0,-34 a12,12 0 1,1 -0.1,0 Z M-20,-16 C-34,-6 -30,30 -18,36 L18,36 C30,30 34,-6 20,-16 Z \
              M22,-10 L36,-32 L42,-28 L28,-6 Z",
    };
    view! { <path d=d class="dungeon__beast" data-kind=kind /> }
}

/// Where a beast's eyes are, in its own coordinates.
pub fn eye_positions(name: &str) -> &'static [(i32, i32)] {
    match kind_of(name, &dungeon::words::BEASTS) {
        Some("Cyclops") => &[(0, -24)],
        Some("Basilisk") => &[(8, -28)],
        Some("Dragon") => &[(6, -30)],
        Some("Griffon") => &[(22, -24)],
        Some("Manticore") => &[(-5, -4), (5, -4)],
        Some("Centaur") => &[(-13, -33), (-7, -33)],
        Some("Zombie") => &[(1, -28), (7, -28)],
        Some("Harpy") => &[(-3, -28), (3, -28)],
        _ => &[(-4, -24), (4, -24)],
    }
}

/// A weapon's icon, centred on (0, 0), about 28 across.
pub fn weapon(name: &str) -> impl IntoView {
    let kind = kind_of(name, &dungeon::words::WEAPONS).unwrap_or("Sword");
    let d = match kind {
        "Axe" => "M-2,14 L2,14 L2,-12 L-2,-12 Z M2,-12 C12,-14 14,-2 4,-2 Z",
        "Spear" | "Pike" => "M-1,14 L1,14 L1,-8 L-1,-8 Z M-4,-8 L0,-16 L4,-8 Z",
        "Club" => "M-2,14 L2,14 L6,-12 C6,-16 -6,-16 -6,-12 Z",
        "Mace" => {
            "M-1.5,14 L1.5,14 L1.5,-6 L-1.5,-6 Z M0,-11 m-6,0 a6,6 0 1,0 12,0 a6,6 0 1,0 -12,0"
        }
        "Morning star" => {
            "M-1.5,14 L1.5,14 L1.5,-6 L-1.5,-6 Z M0,-11 m-5,0 a5,5 0 1,0 10,0 \
                           a5,5 0 1,0 -10,0 M0,-19 L0,-3 M-8,-11 L8,-11 M-6,-17 L6,-5 M6,-17 L-6,-5"
        }
        "Scythe" => {
            "M-1,14 L1,14 L3,-14 L1,-14 Z M2,-14 C-10,-16 -16,-8 -16,-4 C-10,-10 -4,-11 2,-10 Z"
        }
        // The swords.
        _ => {
            "M-1.5,-16 L1.5,-16 L1.5,6 L-1.5,6 Z M-7,6 L7,6 L7,8 L-7,8 Z M-1,8 L1,8 L1,14 L-1,14 Z"
        }
    };
    view! { <path d=d class="dungeon__icon dungeon__icon--weapon" data-kind=kind /> }
}

/// A treasure's icon, centred on (0, 0), about 28 across.
pub fn treasure(name: &str) -> impl IntoView {
    let kind = kind_of(name, &dungeon::words::TREASURES).unwrap_or("Diamond");
    let d = match kind {
        "Commodore 64" => "M-14,-4 L14,-4 L16,8 L-16,8 Z M-10,-1 L10,-1 M-11,3 L11,3",
        "Fortune Cookie wrapper" => "M-12,6 C-12,-10 12,-10 12,6 C6,0 -6,0 -12,6 Z",
        "Ultima Series boxed set" => {
            "M-12,-10 L8,-10 L8,10 L-12,10 Z M8,-10 L13,-6 L13,13 L8,10 M-8,-6 L4,-6"
        }
        "Zork trilogy set" => {
            "M-12,-10 L-5,-10 L-5,10 L-12,10 Z M-4,-10 L3,-10 L3,10 L-4,10 Z \
                               M4,-10 L11,-10 L11,10 L4,10 Z"
        }
        "Nokia Lumia 1020" => "M-6,-12 L6,-12 L6,12 L-6,12 Z M-4,-9 L4,-9 L4,5 L-4,5 Z",
        "300 baud modem" => "M-14,-2 L14,-2 L14,8 L-14,8 Z M-9,3 L-7,3 M-4,3 L-2,3 M1,3 L3,3",
        "Dot-matrix printer" => "M-14,-2 L14,-2 L14,10 L-14,10 Z M-9,-2 L-9,-12 L9,-12 L9,-2",
        _ => "M0,-12 L10,-2 L0,12 L-10,-2 Z M-10,-2 L10,-2 M-4,-12 L-4,-2 L0,12",
    };
    view! { <path d=d class="dungeon__icon dungeon__icon--treasure" data-kind=kind /> }
}

/// The walls' colour, from the room's description.
pub fn wall_colour(description: &str) -> &'static str {
    const WALLS: [(&str, &str); 8] = [
        ("red bricks", "#6b2f24"),
        ("black walls", "#1d1b1f"),
        ("sandstone", "#8a6d43"),
        ("packed dirt", "#4a3826"),
        ("crumbling brick", "#5a3b2e"),
        ("concrete", "#5b5a56"),
        ("fossils", "#6a6152"),
        ("wallpaper", "#4d4a2e"),
    ];
    WALLS
        .iter()
        .find(|(phrase, _)| description.contains(phrase))
        .map_or("#3b322b", |(_, c)| c)
}

/// The room's feature, drawn at the back of the room, from its description.
pub fn feature(description: &str) -> impl IntoView {
    let (kind, d) = if description.contains("fountain") {
        ("fountain", "M-22,8 L22,8 L18,20 L-18,20 Z M-3,8 L-3,-10 L3,-10 L3,8 Z M-10,-12 L10,-12 L8,-8 L-8,-8 Z")
    } else if description.contains("well") {
        ("well", "M0,10 m-22,0 a22,8 0 1,0 44,0 a22,8 0 1,0 -44,0")
    } else if description.contains("torches") {
        (
            "torches",
            "M-150,-20 L-146,-20 L-146,0 L-150,0 Z M146,-20 L150,-20 L150,0 L146,0 Z \
                     M-148,-30 C-154,-22 -142,-22 -148,-30 M148,-30 C142,-22 154,-22 148,-30",
        )
    } else if description.contains("table") {
        ("table", "M-26,0 L26,0 L26,5 L-26,5 Z M-22,5 L-19,5 L-19,18 L-22,18 Z M19,5 L22,5 L22,18 L19,18 Z")
    } else if description.contains("pottery") {
        (
            "pottery",
            "M-24,14 L-16,6 L-12,14 Z M-4,16 L4,8 L8,16 Z M14,12 L22,6 L24,14 Z",
        )
    } else if description.contains("rust") {
        ("rust", "M-24,18 C-16,2 16,2 24,18 Z")
    } else if description.contains("cot") {
        (
            "cot",
            "M90,-6 L140,-6 L140,4 L90,4 Z M92,4 L92,12 M138,4 L138,12",
        )
    } else if description.contains("drain") {
        (
            "drain",
            "M0,12 m-10,0 a10,4 0 1,0 20,0 a10,4 0 1,0 -20,0 M-6,12 L6,12",
        )
    } else if description.contains("hay") {
        (
            "hay",
            "M-140,20 L-100,14 M-60,22 L-20,16 M30,22 L70,15 M100,20 L140,14",
        )
    } else {
        ("none", "")
    };
    view! { <path d=d class=format!("dungeon__feature dungeon__feature--{kind}") data-testid="feature" data-kind=kind /> }
}
