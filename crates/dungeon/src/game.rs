//! [`Game`]: what the UI calls. Starting an adventurer, playing a command
//! line, and reading what there is to show — all through the runtime's
//! client, so a command changes the game, narrates and signals the workflows
//! in one atomic commit, from any tab.
//!
//! Must never change state except through the client, and never leave a
//! refused command half-applied.

use durable::{
    AppWrite, Client, ClientError, Command as Batch, EventKind, InstanceRecord, Reads,
    RuntimeStatus, Store, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::activities::Hero;
use crate::command::{parse, Command, CommandError};
use crate::config::GameConfig;
use crate::model::{Status, Universe};
use crate::names::{name_key, validate_name, NameError};
use crate::replay::Replay;
use crate::rules::{apply, RuleError};
use crate::storage::{self, console_store, ConsoleLine, GAME, NAMES, PARTS};
use crate::workflows::{
    self, GameInput, APPROVAL_TASK, USER_CONFIRMATION, USER_MONITOR, USER_PARALLEL,
};

/// The commit of a move: the parts of the universe that changed (guarded
/// by the versions read), its narration, and its events to the game monitor
/// if it runs (it reads what happened before it started).
fn move_batch(
    key: &str,
    before: &Universe,
    versions: storage::Versions,
    effect: &crate::rules::Effect,
    monitor: Option<&InstanceRecord>,
    now: u64,
) -> Result<Batch, GameError> {
    let mut batch = Batch::new();
    for (part, version) in PARTS.iter().zip(versions) {
        batch = batch.expect_version(GAME, &storage::part_key(key, part), version);
    }
    for w in storage::writes(key, before, &effect.universe)? {
        batch = batch.write(w);
    }
    for text in &effect.narration {
        batch = batch.write(AppWrite::Append {
            store: console_store(key),
            value: serde_json::to_value(ConsoleLine {
                text: text.clone(),
                at_ms: now,
            })
            .map_err(|e| StoreError::Other(e.to_string()))?,
        });
    }
    if let Some(monitor) = monitor {
        for e in &effect.events {
            batch = batch.raise_to(monitor, e.event_name(), &serde_json::Value::Null)?;
        }
    }
    Ok(batch)
}

/// A confirm: raised to the confirmation workflow's row as read, if the
/// window is open. `universe`: the adventurer's, as the command read it.
fn confirm(
    name: &str,
    universe: Option<&Universe>,
    confirmation: Option<&InstanceRecord>,
) -> Result<Batch, GameError> {
    if let Some(u) = universe {
        if u.is_dead() {
            return Err(GameError::Dead(name.to_string()));
        }
        if u.adventurer.confirmed {
            return Err(GameError::AlreadyConfirmed(name.to_string()));
        }
    }
    match confirmation {
        None => Err(GameError::ConfirmTooEarly(name.to_string())),
        Some(r) if r.status.is_final() => Err(GameError::ConfirmTooLate(name.to_string())),
        // Pending or waiting: a confirm raised before the wait is kept
        // and delivered when the workflow begins waiting.
        Some(r) => Ok(Batch::new().raise_to(r, APPROVAL_TASK, &serde_json::Value::Null)?),
    }
}

/// What a command showed: a reply that changed nothing (look, help,
/// inventory), or the narration lines it committed to the console.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Played {
    pub reply: Vec<String>,
    pub narrated: Vec<ConsoleLine>,
}

/// How one try of a command went wrong: refused, or it needs the name
/// record read too.
enum Attempt {
    Refused(GameError),
    NeedsName,
}

impl From<GameError> for Attempt {
    fn from(e: GameError) -> Self {
        Attempt::Refused(e)
    }
}

impl From<ClientError> for Attempt {
    fn from(e: ClientError) -> Self {
        Attempt::Refused(e.into())
    }
}

impl From<StoreError> for Attempt {
    fn from(e: StoreError) -> Self {
        Attempt::Refused(e.into())
    }
}

/// Why a player's request was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GameError {
    #[error(transparent)]
    Name(#[from] NameError),
    #[error("The name {0} is taken. Choose another.")]
    NameTaken(String),
    #[error("There is no adventurer called {0}.")]
    UnknownAdventurer(String),
    #[error(transparent)]
    Parse(#[from] CommandError),
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("{0}'s confirmation window has not opened yet. Wait a moment, then confirm.")]
    ConfirmTooEarly(String),
    #[error("{0}'s confirmation window has closed.")]
    ConfirmTooLate(String),
    #[error("{0} has already confirmed.")]
    AlreadyConfirmed(String),
    #[error("{0} is dead. The adventure is over.")]
    Dead(String),
    #[error("{0}'s adventure is still going: it can be forgotten once it is won or lost.")]
    StillPlaying(String),
    #[error("The game changed meanwhile (another tab?). Try again.")]
    Changed,
    #[error("Storage failed: {0}")]
    Storage(StoreError),
}

impl From<StoreError> for GameError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => GameError::Changed,
            other => GameError::Storage(other),
        }
    }
}

impl From<ClientError> for GameError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Store(s) => s.into(),
            other => GameError::Storage(StoreError::Other(other.to_string())),
        }
    }
}

/// What the player is told when one of the adventure's workflows failed,
/// in plain words (the failure itself is in the dashboard); `None` while
/// none has.
pub fn workflow_trouble(workflows: &[InstanceRecord]) -> Option<String> {
    let failed = workflows
        .iter()
        .find(|w| w.status == RuntimeStatus::Failed)?;
    let failure = failed.failure.as_deref().unwrap_or_default();
    let what = if failure.contains("is not in this build") {
        "This adventure began on an older version of the game, and this version no longer has \
         the code to carry it on"
    } else if failure.starts_with("NonDeterminism") {
        "This version of the game plays this adventure differently from the version it began \
         on, so it stopped it rather than change the story"
    } else {
        "Something went wrong behind the scenes, and the adventure stopped"
    };
    Some(format!(
        "{what} ({} failed). The workflow dashboard can restart or rewind it.",
        failed.name
    ))
}

/// A row of the lobby.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdventurerSummary {
    pub key: String,
    pub name: String,
    pub status: Status,
}

/// The confirmation countdown: when the window closes, and how long it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmationWindow {
    pub closes_at_ms: u64,
    pub length_ms: u64,
}

/// How many times a command is played before a conflict reaches the player.
const COMMAND_TRIES: usize = 4;

/// The game, over a store.
#[derive(Clone)]
pub struct Game<S: Store> {
    client: Client<S>,
    config: GameConfig,
}

impl<S: Store + Clone + 'static> Game<S> {
    pub fn new(client: Client<S>, config: GameConfig) -> Self {
        Game { client, config }
    }

    pub fn client(&self) -> &Client<S> {
        &self.client
    }

    pub fn config(&self) -> GameConfig {
        self.config
    }

    /// NewUser: validates the name and, in one atomic commit with the check
    /// that it is free, reserves it and starts UserParallelWorkflow and
    /// UserMonitorWorkflow. Returns the adventurer's key.
    pub async fn new_adventurer(&self, raw_name: &str) -> Result<String, GameError> {
        let name = validate_name(raw_name)?;
        let key = name_key(&name);
        let store = self.client.store();
        if store.app_record(NAMES, &key).await?.is_some() {
            return Err(GameError::NameTaken(name));
        }
        let input = GameInput {
            hero: Hero {
                key: key.clone(),
                name: name.clone(),
            },
            config: self.config,
        };
        let batch = Batch::new()
            .expect_version(NAMES, &key, None)
            .write(AppWrite::Put {
                store: NAMES.to_string(),
                key: key.clone(),
                value: serde_json::Value::String(name.clone()),
            })
            .start(
                USER_PARALLEL,
                &workflows::instance_of(&key, USER_PARALLEL.name()),
                &input,
            )?
            .start(
                USER_MONITOR,
                &workflows::instance_of(&key, USER_MONITOR.name()),
                &input,
            )?;
        match self.client.apply(batch).await {
            Ok(()) => Ok(key),
            // Another tab took the name between the check and the commit.
            Err(ClientError::Store(StoreError::Conflict(_)))
            | Err(ClientError::AlreadyActive { .. }) => Err(GameError::NameTaken(name)),
            Err(e) => Err(e.into()),
        }
    }

    /// Plays one command line for an adventurer: the state change, its
    /// narration and the events it raises commit together, or nothing does.
    /// Returns what to show (look, inventory and help change nothing).
    ///
    /// A command whose commit finds the game changed since it was read (the
    /// workflows setting the room up, another tab) is played again on the
    /// new state, a few times, before the player hears of it.
    pub async fn command(&self, key: &str, line: &str) -> Result<Vec<String>, GameError> {
        Ok(self.command_played(key, line).await?.reply)
    }

    /// [`Game::command`], and the narration lines the command committed to
    /// the console, so a page can show them the moment they are durable,
    /// before it reads the console again.
    pub async fn command_played(&self, key: &str, line: &str) -> Result<Played, GameError> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.play(key, line).await {
                Err(GameError::Changed) if tries < COMMAND_TRIES => continue,
                other => return other,
            }
        }
    }

    /// One try of a command on the state as it is now, in one atomic step
    /// (one IndexedDB transaction): it reads the name, the universe and the
    /// rows of the workflows it may signal, applies the rule, and commits
    /// the change, its narration and its events.
    async fn play(&self, key: &str, line: &str) -> Result<Played, GameError> {
        // The name is in the universe; the name record is read only while
        // there is no universe yet (an unknown key, or a game setting up).
        match self.play_reading(key, line, false).await {
            Err(Attempt::NeedsName) => self.play_reading(key, line, true).await,
            other => other,
        }
        .map_err(|e| match e {
            Attempt::Refused(e) => e,
            Attempt::NeedsName => GameError::UnknownAdventurer(key.to_string()),
        })
    }

    /// One transaction: the universe (and the name record if `with_name`)
    /// and the one workflow row the command may signal — the confirmation
    /// for a confirm, the game monitor otherwise.
    async fn play_reading(
        &self,
        key: &str,
        line: &str,
        with_name: bool,
    ) -> Result<Played, Attempt> {
        // Parsed once; a bad line is told only after the adventurer is known.
        let parsed = parse(line);
        let confirming = matches!(parsed, Ok(Command::Confirm));
        let signalled = if confirming {
            USER_CONFIRMATION
        } else {
            workflows::GAME_MONITOR
        };
        let reads = Reads {
            instances: vec![workflows::instance_of(key, signalled.name())],
            app: storage::universe_keys(key, with_name),
        };
        let now = self.client.now_ms();
        let mut played = Played::default();
        self.client
            .apply_after_reading(&reads, |read| {
                let (loaded, name) = storage::universe_of(key, &read.app)?;
                let name = match (&loaded, name) {
                    (Some((u, _)), _) => u.adventurer.name.clone(),
                    (None, Some(name)) => name,
                    (None, None) if with_name => {
                        return Err(GameError::UnknownAdventurer(key.to_string()).into())
                    }
                    (None, None) => return Err(Attempt::NeedsName),
                };
                let command = parsed.clone().map_err(GameError::from)?;
                let workflow = read.instances[0].as_ref();
                if command == Command::Confirm {
                    let universe = loaded.map(|(u, _)| u);
                    return Ok(Some(confirm(&name, universe.as_ref(), workflow)?));
                }
                let Some((universe, versions)) = loaded else {
                    return Err(GameError::from(RuleError::NotReady { name }).into());
                };
                let mut effect = apply(&universe, &command).map_err(GameError::from)?;
                if effect.universe == universe && effect.events.is_empty() {
                    played.reply = effect.narration;
                    return Ok(None);
                }
                // A move: the game's time limit counts from it.
                effect.universe.adventurer.last_move_ms = now;
                played.narrated = effect
                    .narration
                    .iter()
                    .map(|text| ConsoleLine {
                        text: text.clone(),
                        at_ms: now,
                    })
                    .collect();
                let monitor = workflow.filter(|r| !r.status.is_final());
                Ok(Some(move_batch(
                    key, &universe, versions, &effect, monitor, now,
                )?))
            })
            .await?;
        Ok(played)
    }

    /// The lobby: every adventurer with alive / dead / won.
    pub async fn adventurers(&self) -> Result<Vec<AdventurerSummary>, GameError> {
        let store = self.client.store();
        let mut out = Vec::new();
        for r in store.app_records(NAMES).await? {
            let name = r.value.as_str().unwrap_or(&r.key).to_string();
            let status = match storage::load(store, &r.key).await? {
                Some((u, _)) => u.status(),
                None => Status::SettingUp,
            };
            out.push(AdventurerSummary {
                key: r.key,
                name,
                status,
            });
        }
        Ok(out)
    }

    pub async fn universe(&self, key: &str) -> Result<Option<Universe>, GameError> {
        Ok(storage::load(self.client.store(), key)
            .await?
            .map(|(u, _)| u))
    }

    /// The adventurer's narration, oldest first.
    pub async fn console(&self, key: &str) -> Result<Vec<ConsoleLine>, GameError> {
        let records = self.client.store().app_records(&console_store(key)).await?;
        Ok(records
            .into_iter()
            .filter_map(|r| serde_json::from_value(r.value).ok())
            .collect())
    }

    /// The adventure as it was after each commit that changed it, rebuilt
    /// from the journal of its records. Reads only.
    pub async fn replay(&self, key: &str) -> Result<Replay, GameError> {
        let (parts, console) = (format!("{key}/"), console_store(key));
        let read = self
            .client
            .store()
            .journals(&[(GAME, &parts), (&console, "")])
            .await?;
        let (game, console) = match read.as_slice() {
            [game, console] => (game, console),
            _ => return Err(StoreError::Other("the journals were not all read".into()).into()),
        };
        let mut replay = crate::replay::replay(key, game, console)?;
        if let Some(row) = self.confirmation_row(key).await? {
            let history = self.client.history(&row.id).await?;
            replay.window = crate::replay::WindowSpan::of(&history, self.window_length_ms(&row));
        }
        Ok(replay)
    }

    /// Forgets a finished adventure: its workflows with their histories,
    /// its records, its name and their journal, in one commit. Refused
    /// while any of its workflows runs.
    pub async fn forget(&self, key: &str) -> Result<(), GameError> {
        let workflows = self.workflows(key).await?;
        if workflows.iter().any(|w| !w.status.is_final()) {
            let name = self.client.store().app_record(NAMES, key).await?;
            let name = name.and_then(|r| r.value.as_str().map(str::to_string));
            return Err(GameError::StillPlaying(
                name.unwrap_or_else(|| key.to_string()),
            ));
        }
        let forget = |store: &str, key: &str, prefix: bool| AppWrite::Forget {
            store: store.to_string(),
            key: key.to_string(),
            prefix,
        };
        // The universe's parts by their exact keys: a name may hold '/'
        // ("Ann/Bob"), so another adventurer's keys may start with "ann/".
        let mut batch = Batch::new()
            .write(forget(&console_store(key), "", true))
            .write(forget(NAMES, key, false));
        for part in PARTS {
            batch = batch.write(forget(GAME, &storage::part_key(key, part), false));
        }
        for w in workflows {
            batch = batch.purge(w);
        }
        self.client.apply(batch).await?;
        Ok(())
    }

    /// The adventurer's workflows and their statuses.
    pub async fn workflows(&self, key: &str) -> Result<Vec<InstanceRecord>, GameError> {
        let prefix = format!("{key}:");
        let q = durable::InstanceQuery {
            id_prefix: Some(prefix.clone()),
            ..Default::default()
        };
        // A name may hold ':' ("Ann:Bob"): that adventurer's ids start with
        // "ann:" too, but go on with another ':' after it.
        Ok(self
            .client
            .query(&q)
            .await?
            .instances
            .into_iter()
            .filter(|r| {
                r.id.as_str()
                    .strip_prefix(&prefix)
                    .is_some_and(|rest| !rest.contains(':'))
            })
            .collect())
    }

    /// The open confirmation window, from the durable timer's stored due
    /// time, so it is right after a reload.
    pub async fn confirmation_window(
        &self,
        key: &str,
    ) -> Result<Option<ConfirmationWindow>, GameError> {
        let Some(row) = self.confirmation_row(key).await? else {
            return Ok(None);
        };
        if row.status != RuntimeStatus::Running {
            return Ok(None);
        }
        let history = self.client.history(&row.id).await?;
        let mut open = None;
        for e in &history {
            match &e.kind {
                EventKind::TimerCreated { fire_at_ms } => open = Some((e.event_id, *fire_at_ms)),
                EventKind::TimerFired { scheduled_id, .. }
                | EventKind::TimerCancelled { scheduled_id }
                    if open.is_some_and(|(id, _)| id == *scheduled_id) =>
                {
                    open = None
                }
                _ => {}
            }
        }
        let length_ms = self.window_length_ms(&row);
        Ok(open.map(|(_, closes_at_ms)| ConfirmationWindow {
            closes_at_ms,
            length_ms,
        }))
    }

    /// The row of the adventurer's confirmation workflow, while it exists.
    async fn confirmation_row(&self, key: &str) -> Result<Option<InstanceRecord>, GameError> {
        let id = workflows::instance_of(key, USER_CONFIRMATION.name());
        Ok(self.client.status(&id).await?)
    }

    /// How long the confirmation window of this workflow is: as its game
    /// was started with, or this game's configuration for older games.
    fn window_length_ms(&self, row: &InstanceRecord) -> u64 {
        serde_json::from_value::<GameInput>(row.input.clone())
            .map(|i| i.config.confirm_window_ms)
            .unwrap_or(self.config.confirm_window_ms)
    }
}

#[cfg(test)]
mod tests {
    use durable::{InstanceId, InstanceRecord, RuntimeStatus};
    use serde_json::json;

    use super::workflow_trouble;

    fn row(name: &str, status: RuntimeStatus, failure: Option<&str>) -> InstanceRecord {
        let mut r = InstanceRecord::pending(InstanceId::new(name), name, json!(null), 0);
        r.status = status;
        r.failure = failure.map(str::to_string);
        r
    }

    #[test]
    fn a_failed_workflow_is_told_in_plain_words() {
        let fine = [
            row("UserParallelWorkflow", RuntimeStatus::Completed, None),
            row("UserMonitorWorkflow", RuntimeStatus::Running, None),
        ];
        assert_eq!(workflow_trouble(&fine), None);
        let gone = [
            row("UserParallelWorkflow", RuntimeStatus::Completed, None),
            row(
                "UserMonitorWorkflow",
                RuntimeStatus::Failed,
                Some("UserMonitorWorkflow v1 is not in this build (it has v2)"),
            ),
        ];
        assert_eq!(
            workflow_trouble(&gone).as_deref(),
            Some(
                "This adventure began on an older version of the game, and this version no \
                 longer has the code to carry it on (UserMonitorWorkflow failed). The workflow \
                 dashboard can restart or rewind it."
            )
        );
        let diverged = [row(
            "UserConfirmationWorkflow",
            RuntimeStatus::Failed,
            Some("NonDeterminism at action 1 (event 6): …"),
        )];
        assert!(workflow_trouble(&diverged)
            .unwrap()
            .starts_with("This version of the game plays this adventure differently"));
        let broke = [row("GameMonitorWorkflow", RuntimeStatus::Failed, Some("x"))];
        assert!(workflow_trouble(&broke)
            .unwrap()
            .starts_with("Something went wrong behind the scenes"));
    }
}
