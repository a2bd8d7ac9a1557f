//! Matching events against each other: a new action against the one the
//! history recorded at its position (replay), and a completion against the
//! action it says it answers.
//!
//! Pure functions of events. Owns what counts as "the same decision" and
//! which completion answers which action; must never hold an execution's
//! state (the context keeps that).

use crate::history::EventKind;

/// Whether the code's action `new` is the decision `recorded`. An activity's
/// timeout is not part of it: it says how the dispatcher runs the task, so
/// a build that changes it still replays the histories recorded before.
pub(crate) fn same_action(recorded: &EventKind, new: &EventKind) -> bool {
    match (recorded, new) {
        (
            EventKind::TaskScheduled { name, input, .. },
            EventKind::TaskScheduled {
                name: new_name,
                input: new_input,
                ..
            },
        ) => name == new_name && input == new_input,
        _ => recorded == new,
    }
}

/// What an action event asked for, kept by event id so that a completion
/// can be checked against the event it says it answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scheduled {
    /// A TaskScheduled: answered by TaskCompleted or TaskFailed.
    Task,
    /// An awaited SubOrchestrationInstanceCreated: answered by
    /// SubOrchestrationInstanceCompleted or SubOrchestrationInstanceFailed.
    Child,
    /// A TimerCreated: answered by TimerFired.
    Timer,
    /// An action nothing answers (a detached start, a sent event, a
    /// cancellation, a marker), described for the error.
    Unanswered(&'static str),
}

impl Scheduled {
    /// What the action event `kind` scheduled; `None` for an event that
    /// is not an action.
    pub(crate) fn of(kind: &EventKind) -> Option<Scheduled> {
        if !kind.is_action() {
            return None;
        }
        Some(match kind {
            EventKind::TaskScheduled { .. } => Scheduled::Task,
            EventKind::SubOrchestrationInstanceCreated {
                detached: false, ..
            } => Scheduled::Child,
            EventKind::SubOrchestrationInstanceCreated { detached: true, .. } => {
                Scheduled::Unanswered("a detached SubOrchestrationInstanceCreated")
            }
            EventKind::TimerCreated { .. } => Scheduled::Timer,
            other => Scheduled::Unanswered(other.name()),
        })
    }

    /// What a completion of `kind` must answer, if it is a completion.
    pub(crate) fn answered_by(kind: &EventKind) -> Option<Scheduled> {
        match kind {
            EventKind::TaskCompleted { .. } | EventKind::TaskFailed { .. } => Some(Scheduled::Task),
            EventKind::SubOrchestrationInstanceCompleted { .. }
            | EventKind::SubOrchestrationInstanceFailed { .. } => Some(Scheduled::Child),
            EventKind::TimerFired { .. } => Some(Scheduled::Timer),
            _ => None,
        }
    }

    /// The scheduling event, as an error names it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Scheduled::Task => "TaskScheduled",
            Scheduled::Child => "SubOrchestrationInstanceCreated",
            Scheduled::Timer => "TimerCreated",
            Scheduled::Unanswered(what) => what,
        }
    }
}
