//! The six workflows of the game, with the original demo's names (the
//! dashboard shows them) and its narration, on the durable runtime.
//!
//! Orchestrations decide; activities act. Nothing here reads a clock or a
//! random source except through the orchestration context.

use std::time::Duration;

use durable::{
    join2, select2, Activity, Either, ExternalEvent, Orchestration, OrchestrationContext, Registry,
    TaskError,
};
use serde::{Deserialize, Serialize};

use crate::activities::{self, GameState, Hero, IdleCheck, IdleVerdict, Line};
use crate::config::GameConfig;
use crate::event::GameEvent;
use crate::narration;
use crate::storage::instance_id;

/// Fan-out/fan-in: builds the universe's parts at once, then confirms; its
/// output is the confirmation's.
pub const USER_PARALLEL: Orchestration<GameInput, String> =
    Orchestration::new("UserParallelWorkflow");
/// Human interaction: the player's confirmation against a timer; outputs
/// "confirmed" or "died".
pub const USER_CONFIRMATION: Orchestration<GameInput, String> =
    Orchestration::new("UserConfirmationWorkflow");
/// Chaining: places everything in the room, then starts the game monitor.
pub const USER_SEQUENTIAL: Orchestration<GameInput, ()> =
    Orchestration::new("UserSequentialWorkflow");
/// Monitor: checks on the adventurer until the game ends; outputs the last
/// state seen.
pub const USER_MONITOR: Orchestration<GameInput, String> =
    Orchestration::new("UserMonitorWorkflow");
/// Event correlation: the kill and the treasure make the win; outputs "won",
/// "out of time" or "ended".
pub const GAME_MONITOR: Orchestration<GameInput, String> =
    Orchestration::new("GameMonitorWorkflow");

/// The external events of the game. Their payloads are not read (any JSON
/// is taken, so an event raised from the dashboard is never refused).
pub const APPROVAL_TASK: ExternalEvent<serde_json::Value> = ExternalEvent::new("ApprovalTask");
pub const KILL_MONSTER: ExternalEvent<serde_json::Value> =
    ExternalEvent::new(GameEvent::KillMonster.event_name());
pub const GOT_TREASURE: ExternalEvent<serde_json::Value> =
    ExternalEvent::new(GameEvent::GotTreasure.event_name());

/// Which release's code the workflows run. The update drill is the next
/// release as the end-to-end update test builds it (the `update-drill`
/// feature): the confirmation and the sequential workflows changed under
/// `patched`, and the winning line reworded (also under `patched`). Games
/// started on the current release finish on it; games started on it take
/// the new branches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    Current,
    UpdateDrill,
}

impl Release {
    /// The release this build runs.
    pub fn of_this_build() -> Release {
        if cfg!(feature = "update-drill") {
            Release::UpdateDrill
        } else {
            Release::Current
        }
    }

    fn is_drill(self) -> bool {
        self == Release::UpdateDrill
    }
}

/// The patch ids of this release's changes: the workflows' own lines
/// ("confirmation workflow complete", "monitoring …") left out of the
/// story, for the Behind the scenes panel; the game's time limit counted
/// from the last move, ending the game out of time.
pub const PATCH_BEHIND_THE_SCENES: &str = "story-without-workflow-lines";
pub const PATCH_IDLE_LIMIT: &str = "game-limit-counts-idle-time";

/// The patch ids of the update drill's changes.
pub const PATCH_RING_GLOWS: &str = "confirmation-ring-glows";
pub const PATCH_DEEP_BREATH: &str = "sequential-deep-breath";
pub const PATCH_WON_LINE: &str = "game-monitor-won-line";

/// The input of every workflow of one adventurer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameInput {
    pub hero: Hero,
    pub config: GameConfig,
}

/// The instance of the workflow named `workflow` for the adventurer `key`.
pub fn instance_of(key: &str, workflow: &str) -> durable::InstanceId {
    instance_id(key, suffix(workflow))
}

/// Instance id suffixes of each workflow.
pub fn suffix(workflow: &str) -> &'static str {
    [
        (USER_PARALLEL.name(), "parallel"),
        (USER_CONFIRMATION.name(), "confirm"),
        (USER_SEQUENTIAL.name(), "sequential"),
        (USER_MONITOR.name(), "monitor"),
    ]
    .into_iter()
    .find(|(name, _)| *name == workflow)
    .map_or("game", |(_, suffix)| suffix)
}

/// Runs an activity that narrates `text` (and may change the adventurer),
/// stamped with orchestration time.
async fn narrating(
    ctx: &OrchestrationContext,
    activity: Activity<Line, ()>,
    hero: &Hero,
    text: String,
) -> Result<(), TaskError> {
    let line = Line {
        hero: hero.clone(),
        text,
        at_ms: ctx.now_ms(),
    };
    ctx.call_activity(activity, &line).await
}

async fn say(ctx: &OrchestrationContext, hero: &Hero, text: String) -> Result<(), TaskError> {
    narrating(ctx, activities::NARRATE, hero, text).await
}

/// Fan-out/fan-in: create the universe's parts in parallel, then confirm.
async fn user_parallel(ctx: OrchestrationContext, input: GameInput) -> Result<String, TaskError> {
    let hero = &input.hero;
    let user = ctx.call_activity(activities::CREATE_USER, &(hero.clone(), ctx.now_ms()));
    let monster = ctx.call_activity(activities::CREATE_MONSTER, hero);
    let room = ctx.call_activity(activities::CREATE_ROOM, hero);
    let inventory = ctx.call_activity(activities::CREATE_INVENTORY, hero);
    let ((u, m), (r, i)) = join2(join2(user, monster), join2(room, inventory)).await;
    u?;
    m?;
    r?;
    i?;
    let id = instance_of(&hero.key, USER_CONFIRMATION.name());
    ctx.call_sub_orchestration(USER_CONFIRMATION, &input, Some(id.as_str()))
        .await
}

/// Human interaction: a durable timer races the player's confirmation.
async fn user_confirmation(
    ctx: OrchestrationContext,
    input: GameInput,
    release: Release,
) -> Result<String, TaskError> {
    let hero = &input.hero;
    // "Confirmation workflow complete" belongs behind the scenes.
    let story_only = ctx.patched(PATCH_BEHIND_THE_SCENES);
    let window = Duration::from_millis(input.config.confirm_window_ms);
    ctx.set_custom_status(&serde_json::json!({"waiting": APPROVAL_TASK.name()}));
    say(&ctx, hero, narration::confirm_window(&hero.name, window)).await?;
    if release.is_drill() && ctx.patched(PATCH_RING_GLOWS) {
        say(&ctx, hero, narration::ring_glows(&hero.name)).await?;
    }
    let outcome = match select2(
        ctx.wait_for_event(APPROVAL_TASK),
        ctx.sleep(input.config.confirm_window_ms),
    )
    .await
    {
        Either::Left(_) => {
            let accepted = narration::accepted(&hero.name);
            narrating(&ctx, activities::CONFIRM_USER, hero, accepted).await?;
            let id = instance_of(&hero.key, USER_SEQUENTIAL.name());
            ctx.start_orchestration(USER_SEQUENTIAL, &input, Some(id.as_str()));
            "confirmed"
        }
        Either::Right(()) => {
            say(&ctx, hero, narration::failed_to_confirm(&hero.name)).await?;
            let died = narration::died_waiting(&hero.name);
            narrating(&ctx, activities::KILL_USER, hero, died).await?;
            "died"
        }
    };
    ctx.set_custom_status(&serde_json::json!({"outcome": outcome}));
    if !story_only {
        say(&ctx, hero, narration::confirmation_complete(&hero.name)).await?;
    }
    Ok(outcome.to_string())
}

/// Chaining: place everything, one step after another, then start the game
/// monitor.
async fn user_sequential(
    ctx: OrchestrationContext,
    input: GameInput,
    release: Release,
) -> Result<(), TaskError> {
    let hero = &input.hero;
    if release.is_drill() && ctx.patched(PATCH_DEEP_BREATH) {
        say(&ctx, hero, narration::deep_breath(&hero.name)).await?;
    }
    for step in [
        activities::PLACE_USER_IN_ROOM,
        activities::PLACE_WEAPON_IN_ROOM,
        activities::PLACE_MONSTER_IN_ROOM,
        activities::PLACE_TREASURE_ON_MONSTER,
    ] {
        ctx.call_activity(step, &(hero.clone(), ctx.now_ms()))
            .await?;
    }
    let id = instance_of(&hero.key, GAME_MONITOR.name());
    ctx.start_orchestration(GAME_MONITOR, &input, Some(id.as_str()));
    Ok(())
}

/// Monitor: check the adventurer periodically until dead or won, or until
/// the limit. Narrates changes only.
async fn user_monitor(ctx: OrchestrationContext, input: GameInput) -> Result<String, TaskError> {
    let hero = &input.hero;
    let c = input.config;
    // The monitor's own lines belong behind the scenes, not in the story.
    let story_only = ctx.patched(PATCH_BEHIND_THE_SCENES);
    if !story_only {
        let every = Duration::from_millis(c.monitor_interval_ms);
        say(&ctx, hero, narration::monitoring_every(&hero.name, every)).await?;
    }
    let end = ctx.now_ms().saturating_add(c.monitor_limit_ms);
    let mut last = None;
    let outcome = loop {
        let state = ctx.call_activity(activities::MONITOR_USER, hero).await?;
        if last != Some(state) {
            ctx.set_custom_status(&state);
            last = Some(state);
        }
        if state.is_over() {
            break state;
        }
        if ctx.now_ms().saturating_add(c.monitor_interval_ms) > end {
            if !story_only {
                say(&ctx, hero, narration::monitoring_timed_out(&hero.name)).await?;
            }
            break state;
        }
        ctx.sleep(c.monitor_interval_ms).await;
    };
    if !story_only {
        say(&ctx, hero, narration::monitoring_done(&hero.name)).await?;
    }
    Ok(outcome.as_str().to_string())
}

/// Event correlation: the game is won once both the monster is killed and
/// the treasure taken. Whatever happened before it started is read from the
/// game's state, so no event is lost. The game's time limit ends a game the
/// player is not playing: it counts from the last move, and when it passes
/// the adventurer is out of time (said in the story, and every view shows
/// it), never "won" in one place and "ended" in another. Games started
/// before that rule keep the old one: the limit counted from the start and
/// ended the monitor silently.
async fn game_monitor(
    ctx: OrchestrationContext,
    input: GameInput,
    release: Release,
) -> Result<String, TaskError> {
    let hero = &input.hero;
    let idle_limit = ctx.patched(PATCH_IDLE_LIMIT);
    let state = ctx.call_activity(activities::MONITOR_USER, hero).await?;
    let won = match state {
        GameState::Won => true,
        GameState::Dead | GameState::OutOfTime => false,
        _ => {
            let killed = state == GameState::MonsterKilled;
            let kill = async {
                if !killed {
                    ctx.wait_for_event(KILL_MONSTER).await?;
                }
                Ok::<_, TaskError>(())
            };
            let treasure = ctx.wait_for_event(GOT_TREASURE);
            let win = join2(kill, treasure);
            if idle_limit {
                win_before_idle_limit(&ctx, &input, win).await?
            } else {
                match select2(win, ctx.sleep(input.config.game_limit_ms)).await {
                    Either::Left((k, t)) => {
                        k?;
                        t?;
                        true
                    }
                    Either::Right(()) => false,
                }
            }
        }
    };
    if won {
        // Narrated lines are recorded as the activity's input, so a reworded
        // line is a change like any other: under `patched`.
        let line = if release.is_drill() && ctx.patched(PATCH_WON_LINE) {
            narration::has_won_reworded(&hero.name)
        } else {
            narration::has_won(&hero.name)
        };
        say(&ctx, hero, line).await?;
        Ok("won".into())
    } else if idle_limit {
        Ok("out of time".into())
    } else {
        Ok("ended".into())
    }
}

/// Waits for the win while the player keeps playing: each time the limit
/// falls due, `EndGameIfIdle` either moves it on from the last move or ends
/// the game. True when won.
async fn win_before_idle_limit<F>(
    ctx: &OrchestrationContext,
    input: &GameInput,
    win: F,
) -> Result<bool, TaskError>
where
    F: std::future::Future<Output = (Result<(), TaskError>, Result<serde_json::Value, TaskError>)>,
{
    let limit_ms = input.config.game_limit_ms;
    let since_ms = ctx.now_ms();
    let mut win = Box::pin(win);
    let mut due = since_ms + limit_ms;
    loop {
        match select2(win.as_mut(), ctx.create_timer_at(due)).await {
            Either::Left((k, t)) => {
                k?;
                t?;
                return Ok(true);
            }
            Either::Right(()) => {
                let check = IdleCheck {
                    hero: input.hero.clone(),
                    limit_ms,
                    since_ms,
                    now_ms: ctx.now_ms(),
                };
                match ctx
                    .call_activity(activities::END_GAME_IF_IDLE, &check)
                    .await?
                {
                    IdleVerdict::Until(at) => due = at,
                    // Won (its events are on their way) or over already.
                    IdleVerdict::Over => due = ctx.now_ms().saturating_add(limit_ms),
                    IdleVerdict::Ended => return Ok(false),
                }
            }
        }
    }
}

/// Every workflow and activity of the game, as this build runs them.
pub fn registry() -> Registry {
    registry_of(Release::of_this_build())
}

/// Every workflow and activity of the game, as `release` runs them.
pub fn registry_of(release: Release) -> Registry {
    let mut r = Registry::new();
    activities::register(&mut r);
    r.orchestration(USER_PARALLEL, user_parallel)
        .orchestration(USER_CONFIRMATION, move |ctx, input| {
            user_confirmation(ctx, input, release)
        })
        .orchestration(USER_SEQUENTIAL, move |ctx, input| {
            user_sequential(ctx, input, release)
        })
        .orchestration(USER_MONITOR, user_monitor)
        .orchestration(GAME_MONITOR, move |ctx, input| {
            game_monitor(ctx, input, release)
        });
    r
}
