//! Listing instances for a monitor: the small summary a store keeps per
//! instance, the orders a list can be sorted in, and the page of a sorted,
//! filtered list ([`crate::Store::list`], [`crate::Store::count`]).
//!
//! Owns the one definition of each sort order, so every store sorts alike.
//! Must never read full instance rows: a summary is all a list sorts on.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::instance::{InstanceId, InstanceRecord, RuntimeStatus};
use crate::store::InstanceQuery;

/// What a list needs of an instance to filter and sort it.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceSummary {
    /// The instance's id.
    pub id: InstanceId,
    /// The orchestration it runs.
    pub name: String,
    /// Its runtime status.
    pub status: RuntimeStatus,
    /// When it was started (ms since the Unix epoch).
    pub created_ms: u64,
    /// Orchestration time of its latest turn (ms since the Unix epoch).
    pub updated_ms: u64,
    /// The custom status as JSON text; empty when there is none.
    pub custom_status: String,
}

impl InstanceSummary {
    /// The summary of an instance row.
    pub fn of(r: &InstanceRecord) -> InstanceSummary {
        InstanceSummary {
            id: r.id.clone(),
            name: r.name.clone(),
            status: r.status,
            created_ms: r.created_ms,
            updated_ms: r.updated_ms,
            custom_status: r
                .custom_status
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
        }
    }
}

impl InstanceQuery {
    /// Whether a summary passes the filters (paging aside).
    pub fn admits(&self, s: &InstanceSummary) -> bool {
        self.passes(&s.id, &s.name, s.status, s.created_ms)
    }
}

/// Text in the order of UTF-16 code units, as browsers' storage (IndexedDB)
/// orders its keys, so a list sorted here and one walked in an index agree.
/// It differs from byte order only between characters above U+FFFF and
/// those from U+E000 to U+FFFF.
pub fn text_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A column a list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortColumn {
    /// The orchestration name, in [`text_order`].
    Name,
    /// The instance id, in [`text_order`].
    Id,
    /// The status's name, alphabetically.
    Status,
    /// When the instance was started.
    Created,
    /// When its latest turn ran.
    Updated,
    /// The custom status's JSON text, in [`text_order`] (none sorts first).
    CustomStatus,
}

impl SortColumn {
    /// Every column, in declaration order.
    pub const ALL: [SortColumn; 6] = [
        SortColumn::Name,
        SortColumn::Id,
        SortColumn::Status,
        SortColumn::Created,
        SortColumn::Updated,
        SortColumn::CustomStatus,
    ];
}

/// The order of a list and the slice of it wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListOrder {
    /// The column sorted by; ties go by instance id.
    pub column: SortColumn,
    /// Largest first (ties then by descending id).
    pub descending: bool,
    /// Rows to skip.
    pub offset: usize,
    /// Rows to return at most; 0 means all.
    pub limit: usize,
}

impl ListOrder {
    /// Compares two summaries in this order; ties go by instance id, so the
    /// order is total and pages never overlap.
    pub fn compare(&self, a: &InstanceSummary, b: &InstanceSummary) -> Ordering {
        let o = match self.column {
            SortColumn::Name => text_order(&a.name, &b.name),
            SortColumn::Id => Ordering::Equal,
            SortColumn::Status => a.status.as_str().cmp(b.status.as_str()),
            SortColumn::Created => a.created_ms.cmp(&b.created_ms),
            SortColumn::Updated => a.updated_ms.cmp(&b.updated_ms),
            SortColumn::CustomStatus => text_order(&a.custom_status, &b.custom_status),
        }
        .then_with(|| text_order(a.id.as_str(), b.id.as_str()));
        if self.descending {
            o.reverse()
        } else {
            o
        }
    }

    /// Filters, sorts and slices summaries: the ids of the wanted rows, in
    /// order, and how many matched in all.
    pub fn arrange(
        &self,
        query: &InstanceQuery,
        summaries: impl Iterator<Item = InstanceSummary>,
    ) -> (Vec<InstanceId>, usize) {
        let mut rows: Vec<InstanceSummary> = summaries.filter(|s| query.admits(s)).collect();
        let total = rows.len();
        let limit = if self.limit == 0 { total } else { self.limit };
        let end = self.offset.saturating_add(limit).min(total);
        if self.offset < end {
            // Only the rows up to the end of the slice need their order.
            if end < total {
                rows.select_nth_unstable_by(end, |a, b| self.compare(a, b));
                rows.truncate(end);
            }
            rows.sort_unstable_by(|a, b| self.compare(a, b));
            let ids = rows.drain(self.offset..end).map(|s| s.id).collect();
            (ids, total)
        } else {
            (Vec::new(), total)
        }
    }
}

/// A page of a sorted list. How many match in all is a separate question
/// ([`crate::Store::count`]): counting costs time in proportion to the
/// matches, a page only in proportion to its rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceList {
    /// The page's instance rows, in the list's order.
    pub rows: Vec<InstanceRecord>,
    /// Whether more rows follow this page.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(id: &str, name: &str, created: u64) -> InstanceSummary {
        let mut r = InstanceRecord::pending(InstanceId::new(id), name, json!(null), created);
        r.updated_ms = 1_000 - created;
        r.custom_status = (created % 2 == 0).then(|| json!(created));
        InstanceSummary::of(&r)
    }

    fn rows() -> Vec<InstanceSummary> {
        (0..30)
            .map(|i| {
                summary(
                    &format!("i{:02}", (i * 7) % 30),
                    if i % 3 == 0 { "A" } else { "B" },
                    i,
                )
            })
            .collect()
    }

    fn order(column: SortColumn, descending: bool, offset: usize, limit: usize) -> ListOrder {
        ListOrder {
            column,
            descending,
            offset,
            limit,
        }
    }

    #[test]
    fn every_column_sorts_both_ways_and_pages_never_overlap() {
        let all = InstanceQuery::default();
        for column in SortColumn::ALL {
            for descending in [false, true] {
                let o = order(column, descending, 0, 0);
                let (whole, total) = o.arrange(&all, rows().into_iter());
                assert_eq!((whole.len(), total), (30, 30));
                let mut sorted = rows();
                sorted.sort_by(|a, b| o.compare(a, b));
                let expected: Vec<_> = sorted.iter().map(|s| s.id.clone()).collect();
                assert_eq!(whole, expected, "{column:?} descending={descending}");
                let paged: Vec<_> = (0..4)
                    .flat_map(|p| {
                        order(column, descending, p * 8, 8)
                            .arrange(&all, rows().into_iter())
                            .0
                    })
                    .collect();
                assert_eq!(paged, expected, "pages of {column:?}");
            }
        }
        let (newest, _) = order(SortColumn::Created, true, 0, 1).arrange(&all, rows().into_iter());
        assert_eq!(newest, vec![InstanceId::new("i23")]); // created 29: (29*7)%30
    }

    #[test]
    fn text_sorts_as_indexeddb_keys_do() {
        // U+1F600 is a surrogate pair (0xD83D …) in UTF-16, below U+FF41.
        assert_eq!(text_order("a😀", "aａ"), Ordering::Less);
        assert_eq!("a😀".cmp("aａ"), Ordering::Greater, "bytes disagree");
        let o = ListOrder {
            column: SortColumn::Id,
            descending: false,
            offset: 0,
            limit: 0,
        };
        let (ids, _) = o.arrange(
            &InstanceQuery::default(),
            [summary("aａ", "N", 1), summary("a😀", "N", 2)].into_iter(),
        );
        assert_eq!(ids, [InstanceId::new("a😀"), InstanceId::new("aａ")]);
    }

    #[test]
    fn filters_apply_before_the_slice_and_the_total_counts_matches() {
        let q = InstanceQuery {
            name: Some("A".into()),
            ..InstanceQuery::default()
        };
        let (page, total) = order(SortColumn::Id, false, 8, 5).arrange(&q, rows().into_iter());
        assert_eq!(total, 10);
        assert_eq!(page.len(), 2);
        let (past_end, total) = order(SortColumn::Id, false, 50, 5).arrange(&q, rows().into_iter());
        assert_eq!((past_end.len(), total), (0, 10));
    }
}
