//! The execution cache: live executions kept in memory between turns.
//!
//! Owns least-recently-used eviction. An entry is valid only for the instance
//! row version it was built from; a mismatch means another writer moved the
//! instance on, and the execution is rebuilt by replay. Must never be the
//! source of truth: everything in it can be rebuilt from the store.

use std::collections::{BTreeMap, HashMap};

use crate::execution::Execution;
use crate::instance::InstanceId;

pub(crate) struct ExecutionCache {
    capacity: usize,
    entries: HashMap<InstanceId, (u64, u64, Execution)>,
    /// use stamp → instance, oldest first.
    order: BTreeMap<u64, InstanceId>,
    stamp: u64,
}

impl ExecutionCache {
    pub fn new(capacity: usize) -> Self {
        ExecutionCache {
            capacity,
            entries: HashMap::new(),
            order: BTreeMap::new(),
            stamp: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Takes the execution out if it was built for this row version.
    pub fn take(&mut self, id: &InstanceId, version: u64) -> Option<Execution> {
        let (v, stamp, exec) = self.entries.remove(id)?;
        self.order.remove(&stamp);
        (v == version).then_some(exec)
    }

    pub fn insert(&mut self, id: InstanceId, version: u64, exec: Execution) {
        if self.capacity == 0 {
            return;
        }
        self.remove(&id);
        while self.entries.len() >= self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.stamp += 1;
        self.order.insert(self.stamp, id.clone());
        self.entries.insert(id, (version, self.stamp, exec));
    }

    pub fn remove(&mut self, id: &InstanceId) {
        if let Some((_, stamp, _)) = self.entries.remove(id) {
            self.order.remove(&stamp);
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }
}
