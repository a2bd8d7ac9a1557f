//! Topics: what a view reads, so that it re-reads only when that changed.
//!
//! Owns the mapping from the runtime's change notices to per-topic
//! counters. Must never read storage.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use durable::Change;
use leptos::prelude::*;

/// Something a view reads, whose changes it re-reads on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// The records of one app store.
    Store(String),
    /// One instance's row.
    Instance(String),
    /// The rows of every instance whose id starts with this key and a colon
    /// (for example one user's workflows, `ada:checkout`, `ada:reminder`).
    InstancesOf(String),
    /// Any instance's row: what a query of instances re-reads on.
    Instances,
}

impl Topic {
    /// The topics a change moves.
    pub fn of(change: &Change) -> Vec<Topic> {
        match change {
            Change::AppStore { store } => vec![Topic::Store(store.clone())],
            Change::Instance { id, .. } => {
                let id = id.as_str();
                let mut topics = vec![Topic::Instance(id.to_string()), Topic::Instances];
                if let Some((owner, _)) = id.split_once(':') {
                    topics.push(Topic::InstancesOf(owner.to_string()));
                }
                topics
            }
            Change::Queued { .. } | Change::Leadership { .. } => Vec::new(),
        }
    }
}

/// One counter per topic, made when a view first tracks it. The counters
/// are reference-counted signals owned by no view, so a view that goes
/// does not take a counter another view tracks.
#[derive(Clone, Default)]
pub(crate) struct Topics(Rc<RefCell<HashMap<Topic, ArcRwSignal<u64>>>>);

impl Topics {
    /// Makes the running view or resource depend on `topic`.
    pub fn track(&self, topic: Topic) {
        let signal = self
            .0
            .borrow_mut()
            .entry(topic)
            .or_insert_with(|| ArcRwSignal::new(0))
            .clone();
        signal.track();
    }

    /// Moves every counter `changes` touched, once each.
    pub fn take_in(&self, changes: &[Change]) {
        let mut moved: Vec<Topic> = Vec::new();
        for topic in changes.iter().flat_map(Topic::of) {
            if !moved.contains(&topic) {
                moved.push(topic);
            }
        }
        for topic in &moved {
            let signal = self.0.borrow().get(topic).cloned();
            if let Some(s) = signal {
                s.update(|n| *n += 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use durable::{InstanceId, RuntimeStatus};

    #[test]
    fn an_instance_change_moves_its_row_its_owner_and_any_instance() {
        let change = Change::Instance {
            id: InstanceId::new("ada:checkout"),
            status: Some(RuntimeStatus::Running),
        };
        assert_eq!(
            Topic::of(&change),
            [
                Topic::Instance("ada:checkout".into()),
                Topic::Instances,
                Topic::InstancesOf("ada".into())
            ]
        );
        let store = Change::AppStore {
            store: "stock".into(),
        };
        assert_eq!(Topic::of(&store), [Topic::Store("stock".into())]);
        assert!(Topic::of(&Change::Leadership { leading: true }).is_empty());
    }
}
