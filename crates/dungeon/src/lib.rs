//! # dungeon — the Durable Dungeon's domain and workflows
//!
//! The game's entities, word lists, rules and command parser, and the
//! workflows that run them on the `durable` runtime. Plain Rust: no browser,
//! no UI framework; tested natively in virtual time.

pub mod activities;
pub mod command;
pub mod config;
pub mod event;
pub mod game;
pub mod generate;
pub mod guide;
pub mod matching;
pub mod model;
pub mod names;
pub mod narration;
pub mod replay;
pub mod rules;
pub mod setup;
pub mod storage;
pub mod words;
pub mod workflows;

pub use command::{parse, Command, CommandError};
pub use config::GameConfig;
pub use event::GameEvent;
pub use game::{workflow_trouble, AdventurerSummary, ConfirmationWindow, Game, GameError, Played};
pub use matching::Ambiguous;
pub use model::{Adventurer, Item, ItemLocation, Monster, Room, Status, Universe};
pub use names::{name_key, validate_name, NameError};
pub use rules::{apply, Effect, RuleError};
pub use setup::SetupError;
pub use storage::ConsoleLine;
pub use workflows::registry;
