//! The execution cache: live executions kept in memory between turns,
//! together with the instance row they last committed.
//!
//! Owns least-recently-used eviction. A cached row lets a turn skip reading
//! the row; the turn's commit is still guarded by the row's version, and a
//! refused commit evicts the entry, so the cache can be stale but never
//! wrong. Must never be the source of truth: everything in it can be rebuilt
//! from the store.

use std::collections::{BTreeMap, HashMap};

use crate::execution::Execution;
use crate::instance::{InstanceId, InstanceRecord};

pub(crate) struct ExecutionCache {
    capacity: usize,
    entries: HashMap<InstanceId, (u64, InstanceRecord, Execution)>,
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

    pub fn contains(&self, id: &InstanceId) -> bool {
        self.entries.contains_key(id)
    }

    /// The last committed row of a cached execution.
    pub fn row(&self, id: &InstanceId) -> Option<&InstanceRecord> {
        self.entries.get(id).map(|(_, row, _)| row)
    }

    /// Takes the execution and its last committed row out of the cache.
    pub fn take(&mut self, id: &InstanceId) -> Option<(InstanceRecord, Execution)> {
        let (stamp, row, exec) = self.entries.remove(id)?;
        self.order.remove(&stamp);
        Some((row, exec))
    }

    pub fn insert(&mut self, row: InstanceRecord, exec: Execution) {
        if self.capacity == 0 {
            return;
        }
        self.remove(&row.id);
        while self.entries.len() >= self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.stamp += 1;
        self.order.insert(self.stamp, row.id.clone());
        self.entries.insert(row.id.clone(), (self.stamp, row, exec));
    }

    pub fn remove(&mut self, id: &InstanceId) {
        if let Some((stamp, _, _)) = self.entries.remove(id) {
            self.order.remove(&stamp);
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }
}
