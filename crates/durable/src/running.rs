//! What user code the runtime is running at this instant — an
//! orchestration's code or an activity attempt — and how a panic in it
//! reads.
//!
//! Owns a per-thread marker that the dispatcher sets around every poll of
//! user code. A host where a panic aborts the whole module (wasm) reads it
//! from its panic hook to leave a crash note, so the next start fails what
//! was running instead of running it again ([`Crash`],
//! `Runtime::fail_crashed`). Natively the dispatcher catches the panic
//! itself. Must never decide anything: it only remembers.

use std::any::Any;
use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use crate::instance::InstanceId;
use crate::work::WorkId;

/// User code the runtime is running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Running {
    /// An orchestration's code (a live turn or a replay).
    #[serde(rename = "orchestration")]
    Orchestration {
        /// The instance whose code runs.
        instance: InstanceId,
    },
    /// One attempt of an activity.
    #[serde(rename = "activity")]
    Activity {
        /// The instance that scheduled it.
        instance: InstanceId,
        /// The task being run.
        work: WorkId,
        /// The activity's name.
        name: String,
    },
}

/// A panic in user code: what was running and what the panic said. A host
/// where a panic aborts the module writes one down from its panic hook and
/// hands it to `Runtime::fail_crashed` on the next start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crash {
    /// What was running.
    pub running: Running,
    /// The panic's message.
    pub message: String,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

/// What user code this thread is running right now, if any (for a panic
/// hook).
pub fn running_now() -> Option<Running> {
    RUNNING.with(|r| r.borrow().clone())
}

/// Marks `what` as running until the guard is dropped (then whatever ran
/// before is running again: an orchestration's poll inside nothing, an
/// attempt inside a tick).
pub(crate) fn enter(what: Running) -> RunningGuard {
    let previous = RUNNING.with(|r| r.borrow_mut().replace(what));
    RunningGuard { previous }
}

/// Restores the previous marker when dropped (also while unwinding).
pub(crate) struct RunningGuard {
    previous: Option<Running>,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        RUNNING.with(|r| *r.borrow_mut() = previous);
    }
}

/// The text of a panic's payload (`panic!("…")` gives a `&str` or a
/// `String`; anything else has no text).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_nests_and_unwinds() {
        assert_eq!(running_now(), None);
        let outer = Running::Orchestration {
            instance: InstanceId::new("a"),
        };
        let _g = enter(outer.clone());
        {
            let inner = Running::Activity {
                instance: InstanceId::new("a"),
                work: WorkId("w".into()),
                name: "Charge".into(),
            };
            let _h = enter(inner.clone());
            assert_eq!(running_now(), Some(inner));
        }
        assert_eq!(running_now(), Some(outer));
    }

    #[test]
    fn panic_payloads_read_as_text() {
        let caught = std::panic::catch_unwind(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "boom 7");
        let caught = std::panic::catch_unwind(|| panic!("plain")).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "plain");
    }
}
