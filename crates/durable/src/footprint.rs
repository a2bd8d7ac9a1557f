//! Footprints: which app records a settled activity read and wrote, so that
//! no commit holds two writes that depend on one read.
//!
//! A store checks every precondition of a batch against the state before
//! the batch. Two read-modify-writes of one record in one batch would both
//! pass and one update would be lost; a step fused after another reads the
//! store without the other's uncommitted writes. So the dispatcher admits
//! an activity's result into a tick only when its footprint is independent
//! of everything admitted before it (neither reads what the other writes);
//! a result that is not admitted is dropped, its task stays queued, and it
//! runs again once the other has committed. Owns only set arithmetic; must
//! never read or write a store.

use std::collections::HashSet;

use crate::store::{AppWrite, Precondition};

/// The app records one or more activities read and wrote.
#[derive(Default, Debug)]
pub(crate) struct Footprint {
    /// Records read by key.
    reads: HashSet<(String, String)>,
    /// Stores read whole (`read_all`).
    scans: HashSet<String>,
    /// Records put or deleted.
    writes: HashSet<(String, String)>,
    /// Stores appended to (new keys: any read of the store may miss them).
    appends: HashSet<String>,
}

impl Footprint {
    /// The footprint of an activity that read `reads` (its version
    /// preconditions), scanned `scans` and wrote `writes`.
    pub fn of(reads: &[Precondition], scans: &[String], writes: &[AppWrite]) -> Self {
        let mut f = Footprint::default();
        for p in reads {
            if let Precondition::AppVersion { store, key, .. } = p {
                f.reads.insert((store.clone(), key.clone()));
            }
        }
        f.scans.extend(scans.iter().cloned());
        for w in writes {
            match w {
                AppWrite::Put { store, key, .. } | AppWrite::Delete { store, key } => {
                    f.writes.insert((store.clone(), key.clone()));
                }
                // A forget touches keys nobody named: like an append, any
                // read of the store may see it.
                AppWrite::Append { store, .. } | AppWrite::Forget { store, .. } => {
                    f.appends.insert(store.clone());
                }
            }
        }
        f
    }

    /// Whether this footprint reads anything `other` writes.
    fn reads_writes_of(&self, other: &Footprint) -> bool {
        let touched_store = |store: &str| {
            other.appends.contains(store) || other.writes.iter().any(|(s, _)| s == store)
        };
        self.reads
            .iter()
            .any(|r| other.writes.contains(r) || other.appends.contains(&r.0))
            || self.scans.iter().any(|s| touched_store(s))
    }

    /// Whether the two cannot share a commit: one reads what the other
    /// writes.
    pub fn conflicts_with(&self, other: &Footprint) -> bool {
        self.reads_writes_of(other) || other.reads_writes_of(self)
    }

    /// Adds another footprint to this one.
    pub fn absorb(&mut self, other: Footprint) {
        self.reads.extend(other.reads);
        self.scans.extend(other.scans);
        self.writes.extend(other.writes);
        self.appends.extend(other.appends);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(key: &str) -> Precondition {
        Precondition::AppVersion {
            store: "game".into(),
            key: key.into(),
            version: Some(1),
        }
    }

    fn put(key: &str) -> AppWrite {
        AppWrite::Put {
            store: "game".into(),
            key: key.into(),
            value: json!(1),
        }
    }

    fn append(store: &str) -> AppWrite {
        AppWrite::Append {
            store: store.into(),
            value: json!("line"),
        }
    }

    #[test]
    fn two_read_modify_writes_of_one_record_conflict() {
        let a = Footprint::of(&[read("n")], &[], &[put("n")]);
        let b = Footprint::of(&[read("n")], &[], &[put("n")]);
        assert!(a.conflicts_with(&b));
    }

    #[test]
    fn a_read_conflicts_with_a_write_either_way_round() {
        let reader = Footprint::of(&[read("n")], &[], &[]);
        let writer = Footprint::of(&[], &[], &[put("n")]);
        assert!(reader.conflicts_with(&writer));
        assert!(writer.conflicts_with(&reader));
    }

    #[test]
    fn a_scan_conflicts_with_an_append_to_its_store() {
        let scan = Footprint::of(&[], &["console".into()], &[]);
        assert!(scan.conflicts_with(&Footprint::of(&[], &[], &[append("console")])));
        assert!(!scan.conflicts_with(&Footprint::of(&[], &[], &[append("other")])));
    }

    #[test]
    fn a_scan_conflicts_with_a_put_in_its_store_only() {
        let scan = Footprint::of(&[], &["game".into()], &[]);
        assert!(scan.conflicts_with(&Footprint::of(&[], &[], &[put("n")])));
        let elsewhere = AppWrite::Put {
            store: "other".into(),
            key: "n".into(),
            value: json!(1),
        };
        assert!(!scan.conflicts_with(&Footprint::of(&[], &[], &[elsewhere])));
    }

    #[test]
    fn blind_writes_and_appends_are_independent() {
        let a = Footprint::of(&[], &[], &[put("n"), append("console")]);
        let b = Footprint::of(&[], &[], &[put("n"), append("console")]);
        assert!(!a.conflicts_with(&b));
        let other_key = Footprint::of(&[read("m")], &[], &[put("m")]);
        assert!(!a.conflicts_with(&other_key));
    }

    #[test]
    fn an_absorbed_footprint_counts() {
        let mut all = Footprint::default();
        all.absorb(Footprint::of(&[], &[], &[put("n")]));
        assert!(Footprint::of(&[read("n")], &[], &[]).conflicts_with(&all));
    }
}
