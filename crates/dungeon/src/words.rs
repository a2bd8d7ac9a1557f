//! The word lists every generated name and room is made from.
//!
//! Owns the lists exactly as the game specification gives them. Every entry
//! must be reachable by generation (the original never picked the last one).

pub const ADJECTIVES: [&str; 10] = [
    "Gibbering",
    "Twitching",
    "Slobbering",
    "Growling",
    "Shuffling",
    "Moaning",
    "Slavering",
    "Lumbering",
    "Gigantic",
    "Colossal",
];

pub const COLOURS: [&str; 7] = [
    "Red", "Orange", "Yellow", "Green", "Blue", "Indigo", "Violet",
];

pub const BEASTS: [&str; 11] = [
    "Basilisk",
    "Centaur",
    "Cyclops",
    "Dragon",
    "Gorgon",
    "Griffon",
    "Harpy",
    "Manticore",
    "Minotaur",
    "Troll",
    "Zombie",
];

pub const QUALITIES: [&str; 9] = [
    "Magic",
    "Sparkling",
    "Glowing",
    "Stout",
    "Hefty",
    "Cracked",
    "Worn",
    "Bloodied",
    "Immaculate",
];

pub const WEAPONS: [&str; 11] = [
    "Sword",
    "Broadsword",
    "Longsword",
    "Shortsword",
    "Axe",
    "Spear",
    "Club",
    "Mace",
    "Morning star",
    "Pike",
    "Scythe",
];

pub const TREASURES: [&str; 8] = [
    "Diamond",
    "Commodore 64",
    "Fortune Cookie wrapper",
    "Ultima Series boxed set",
    "Zork trilogy set",
    "Nokia Lumia 1020",
    "300 baud modem",
    "Dot-matrix printer",
];

pub const ROOM_KINDS: [&str; 16] = [
    "rusty",
    "dusty",
    "moldy",
    "damp",
    "dark",
    "well-lit",
    "small",
    "large",
    "cramped",
    "spacious",
    "clean",
    "comfortable",
    "smelly",
    "warm",
    "hot",
    "cold",
];

pub const WALLS: [&str; 11] = [
    "dark stone walls",
    "rough, rocky walls",
    "soft walls of packed dirt",
    "crumbling brick walls",
    "walls made of bright red bricks",
    "smooth black walls with a glassy texture",
    "stone walls filled with exposed fossils",
    "walls made of large fitted concrete blocks",
    "sandstone walls",
    "rocky walls with faint bands of color",
    "rotting wallpaper with an unrecognizable pattern",
];

pub const FEATURES: [&str; 12] = [
    "There is a crude table in the middle of the room.",
    "In the center of the room stands a dry fountain.",
    "There is broken pottery scattered across the floor.",
    "In the middle of the room is a large pile of rust.",
    "A rotting cot is tucked into the corner.",
    "In the center of the floor is a small drain.",
    "The room is encircled by flickering torches in sconces.",
    "The floor is covered with moldy hay.",
    "In the center of the room is a deep, dark well with no chain or bucket.",
    "There are no other features of note.",
    "The room is otherwise empty.",
    "You notice nothing else interesting about the room.",
];
