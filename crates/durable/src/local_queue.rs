//! The local queue: work committed in this tab that the runtime can run
//! without reading the store — what the runtime's own commits queued, and
//! the messages this tab's clients committed (handed over) — in the order
//! their commits finished.
//!
//! Owns that order and the queue's bounds. It is never the source of
//! truth: everything in it is also in the store, and whatever it drops, a
//! store read finds. It must never hold work the store does not have.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use crate::work::{WorkId, WorkItem};

/// Handed-over messages held at most; later ones are left to a store read
/// (a tab whose runtime does not execute never takes them).
pub(crate) const HANDED_LIMIT: usize = 1_024;

/// One item, and whether a client handed it over (its turn must not
/// overtake a message committed elsewhere first).
pub(crate) struct Local {
    pub item: WorkItem,
    pub handed: bool,
}

#[derive(Default)]
pub(crate) struct LocalQueue {
    items: VecDeque<Local>,
    handed: usize,
    /// Whether the runtime takes hand-overs: once it has run a tick.
    open: bool,
    /// The runtime stopped executing for good: the queue never opens again.
    closed: bool,
}

/// The queue a runtime and its clients share.
pub(crate) type SharedQueue = Rc<RefCell<LocalQueue>>;

impl LocalQueue {
    /// The runtime takes hand-overs from now on.
    pub fn open(&mut self) {
        self.open = !self.closed;
    }

    /// The runtime stops executing: it takes no more hand-overs, and drops
    /// what it holds (the store has it all).
    pub fn close(&mut self) {
        self.open = false;
        self.closed = true;
        self.items.clear();
        self.handed = 0;
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether clients handed over messages not yet taken.
    pub fn has_handed(&self) -> bool {
        self.handed > 0
    }

    /// Work the runtime's own commit queued.
    pub fn push_own(&mut self, items: impl IntoIterator<Item = WorkItem>) {
        self.items.extend(items.into_iter().map(|item| Local {
            item,
            handed: false,
        }));
    }

    /// Messages a client committed, if the runtime takes them and there is
    /// room (otherwise a store read finds them).
    pub fn hand_over(&mut self, items: impl IntoIterator<Item = WorkItem>) {
        if !self.open {
            return;
        }
        for item in items {
            if self.handed >= HANDED_LIMIT {
                return;
            }
            self.handed += 1;
            self.items.push_back(Local { item, handed: true });
        }
    }

    /// The oldest `n` items.
    pub fn take(&mut self, n: usize) -> Vec<Local> {
        let n = n.min(self.items.len());
        let taken: Vec<Local> = self.items.drain(..n).collect();
        self.handed -= taken.iter().filter(|l| l.handed).count();
        taken
    }

    /// After a store read that began when the queue held `before` items and
    /// returned the ids `seen`: the items queued before the read are in the
    /// store for it (or a later read) to find, and so are those it
    /// returned. What stays committed after the read looked, or before it
    /// but was handed over later and cut by the read's limit; either runs
    /// from here, a handed one guarded by `NoOtherMessage`.
    pub fn after_store_read(&mut self, before: usize, seen: &HashSet<WorkId>) {
        self.take(before);
        let handed_gone = self
            .items
            .iter()
            .filter(|l| l.handed && seen.contains(&l.item.id))
            .count();
        self.items.retain(|l| !seen.contains(&l.item.id));
        self.handed -= handed_gone;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::instance::InstanceId;
    use crate::work::Message;

    fn item(id: &str) -> WorkItem {
        WorkItem::message(
            WorkId(id.into()),
            Message::raised(&InstanceId::new("i"), "E", json!(null), None),
        )
    }

    fn ids(q: &mut LocalQueue) -> Vec<(String, bool)> {
        q.take(usize::MAX)
            .into_iter()
            .map(|l| (l.item.id.0, l.handed))
            .collect()
    }

    #[test]
    fn own_work_and_hand_overs_keep_the_order_their_commits_finished_in() {
        let mut q = LocalQueue::default();
        q.hand_over([item("before it ran")]);
        assert!(q.is_empty(), "nothing is taken before the runtime runs");
        q.open();
        q.push_own([item("child done")]);
        q.hand_over([item("event")]);
        q.push_own([item("task")]);
        assert!(q.has_handed());
        assert_eq!(
            ids(&mut q),
            [
                ("child done".to_string(), false),
                ("event".to_string(), true),
                ("task".to_string(), false)
            ]
        );
        assert!(!q.has_handed());
    }

    #[test]
    fn a_closed_queue_drops_what_it_held_and_never_opens_again() {
        let mut q = LocalQueue::default();
        q.open();
        q.hand_over([item("held")]);
        q.close();
        assert!(q.is_empty() && !q.has_handed());
        q.open();
        q.hand_over([item("after")]);
        assert!(q.is_empty(), "a stopped runtime takes no hand-overs");
    }

    #[test]
    fn hand_overs_are_bounded() {
        let mut q = LocalQueue::default();
        q.open();
        q.hand_over((0..HANDED_LIMIT + 10).map(|n| item(&n.to_string())));
        assert_eq!(q.len(), HANDED_LIMIT);
        q.take(10);
        q.hand_over([item("room again")]);
        assert_eq!(q.len(), HANDED_LIMIT - 9);
    }

    /// What was queued before a store read, and what the read returned, is
    /// dropped; what committed after the read looked stays.
    #[test]
    fn a_store_read_keeps_only_what_it_could_not_see() {
        let mut q = LocalQueue::default();
        q.open();
        q.push_own([item("old own")]);
        q.hand_over([item("old handed")]);
        let before = q.len();
        // During the read: one commit it saw, one it did not.
        q.hand_over([item("seen")]);
        q.push_own([item("unseen")]);
        let seen: HashSet<WorkId> = [WorkId("seen".into())].into_iter().collect();
        q.after_store_read(before, &seen);
        assert_eq!(ids(&mut q), [("unseen".to_string(), false)]);
        assert!(!q.has_handed(), "the handed count follows what was dropped");
    }
}
