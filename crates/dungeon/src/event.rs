//! The external events a command raises for the game monitor.
//!
//! Owns their names, which are the external event names the workflows
//! raise and wait for. Must never carry game state: the monitor reads the
//! universe for that.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GameEvent {
    /// The monster was killed.
    #[serde(rename = "KillMonster")]
    KillMonster,
    /// The treasure was picked up.
    #[serde(rename = "GotTreasure")]
    GotTreasure,
}

impl GameEvent {
    /// The external event name, as `GameMonitorWorkflow` waits for it.
    pub const fn event_name(self) -> &'static str {
        match self {
            GameEvent::KillMonster => "KillMonster",
            GameEvent::GotTreasure => "GotTreasure",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_match_their_serde_names() {
        for event in [GameEvent::KillMonster, GameEvent::GotTreasure] {
            let json = serde_json::to_string(&event).expect("serialises");
            assert_eq!(json, format!("\"{}\"", event.event_name()));
        }
    }
}
