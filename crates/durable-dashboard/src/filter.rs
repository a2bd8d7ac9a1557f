//! The dashboard's view of the instance list as data: filters, sort order
//! and page, read from and written to the URL (so a reload or a shared link
//! shows the same view), and applied to instance rows. Plain Rust, tested
//! natively; holds no rule of the runtime.

use durable::{InstanceQuery, ListOrder, RuntimeStatus, SortColumn};

/// Rows per page.
pub const PAGE_SIZE: usize = 50;

/// The highest page a URL may ask for (more than any store will hold).
pub const MAX_PAGE: usize = 1_000_000;

/// A column's name in the URL.
pub fn column_key(c: SortColumn) -> &'static str {
    match c {
        SortColumn::Name => "name",
        SortColumn::Id => "id",
        SortColumn::Status => "status",
        SortColumn::Created => "created",
        SortColumn::Updated => "updated",
        SortColumn::CustomStatus => "custom",
    }
}

/// A column's heading.
pub fn column_label(c: SortColumn) -> &'static str {
    match c {
        SortColumn::Name => "Orchestration",
        SortColumn::Id => "Instance id",
        SortColumn::Status => "Status",
        SortColumn::Created => "Created",
        SortColumn::Updated => "Last updated",
        SortColumn::CustomStatus => "Custom status",
    }
}

/// The column whose URL key is `k` (see [`column_key`]).
pub fn column_from_key(k: &str) -> Option<SortColumn> {
    SortColumn::ALL.into_iter().find(|c| column_key(*c) == k)
}

/// What the list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListView {
    /// Only instances of this orchestration (empty: any).
    pub name: String,
    /// Only instances in these statuses (empty: any).
    pub statuses: Vec<RuntimeStatus>,
    /// Only instances whose id starts with this (empty: any).
    pub prefix: String,
    /// Only instances created at or after this time (ms since the epoch).
    pub from_ms: Option<u64>,
    /// Only instances created at or before this time (ms since the epoch).
    pub to_ms: Option<u64>,
    /// The column the list is sorted by.
    pub sort: SortColumn,
    /// Sorted from the highest down.
    pub descending: bool,
    /// The page shown, from 0.
    pub page: usize,
}

impl Default for ListView {
    fn default() -> Self {
        ListView {
            name: String::new(),
            statuses: Vec::new(),
            prefix: String::new(),
            from_ms: None,
            to_ms: None,
            sort: SortColumn::Created,
            descending: true,
            page: 0,
        }
    }
}

/// Percent-decoding of a query value (`+` is a space); a malformed escape
/// is kept as typed.
fn decode(v: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl ListView {
    /// Reads a view from a query string (`name=…&status=Running,Failed&…`);
    /// what does not parse is left at its default.
    pub fn from_query(query: &str) -> ListView {
        let mut v = ListView::default();
        for pair in query.trim_start_matches('?').split('&') {
            let Some((k, raw)) = pair.split_once('=') else {
                continue;
            };
            let val = decode(raw);
            match k {
                "name" => v.name = val,
                "prefix" => v.prefix = val,
                "status" => v.statuses = val.split(',').filter_map(RuntimeStatus::parse).collect(),
                "from" => v.from_ms = val.parse().ok(),
                "to" => v.to_ms = val.parse().ok(),
                "sort" => v.sort = column_from_key(&val).unwrap_or(v.sort),
                "dir" => v.descending = val != "asc",
                "page" => v.page = val.parse::<usize>().unwrap_or(0).min(MAX_PAGE),
                _ => {}
            }
        }
        v
    }

    /// The query string of this view (defaults left out).
    pub fn to_query(&self) -> String {
        let d = ListView::default();
        let mut parts = Vec::new();
        if !self.name.is_empty() {
            parts.push(format!("name={}", encode(&self.name)));
        }
        if !self.statuses.is_empty() {
            let s: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
            parts.push(format!("status={}", s.join(",")));
        }
        if !self.prefix.is_empty() {
            parts.push(format!("prefix={}", encode(&self.prefix)));
        }
        if let Some(t) = self.from_ms {
            parts.push(format!("from={t}"));
        }
        if let Some(t) = self.to_ms {
            parts.push(format!("to={t}"));
        }
        if self.sort != d.sort {
            parts.push(format!("sort={}", column_key(self.sort)));
        }
        if self.descending != d.descending {
            parts.push(format!(
                "dir={}",
                if self.descending { "desc" } else { "asc" }
            ));
        }
        if self.page != 0 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The store query for the filters (paging and sorting happen after).
    pub fn query(&self) -> InstanceQuery {
        InstanceQuery {
            name: (!self.name.is_empty()).then(|| self.name.clone()),
            statuses: self.statuses.clone(),
            created_from_ms: self.from_ms,
            created_to_ms: self.to_ms,
            id_prefix: (!self.prefix.is_empty()).then(|| self.prefix.clone()),
            after: None,
            page_size: 0,
        }
    }

    /// The order and slice of this view's page.
    pub fn order(&self) -> ListOrder {
        ListOrder {
            column: self.sort,
            descending: self.descending,
            offset: self.page.saturating_mul(PAGE_SIZE),
            limit: PAGE_SIZE,
        }
    }

    /// How many pages `total` matching rows make (at least one).
    pub fn pages(total: usize) -> usize {
        total.div_ceil(PAGE_SIZE).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_the_url() {
        let v = ListView {
            name: "UserMonitorWorkflow".into(),
            statuses: vec![RuntimeStatus::Running, RuntimeStatus::Failed],
            prefix: "ann o'neil".into(),
            from_ms: Some(5),
            to_ms: Some(9),
            sort: SortColumn::Name,
            descending: false,
            page: 3,
        };
        let q = v.to_query();
        assert_eq!(ListView::from_query(&q), v, "{q}");
        assert_eq!(ListView::default().to_query(), "");
        assert_eq!(
            ListView::from_query("status=Bogus&sort=nope&page=x"),
            ListView::default()
        );
        assert_eq!(ListView::from_query("prefix=%E2%9C%93%zz%").prefix, "✓%zz%");
    }

    #[test]
    fn a_page_is_a_slice_of_the_sorted_list() {
        let v = ListView::from_query("sort=id&dir=asc&page=2");
        assert_eq!(
            v.order(),
            ListOrder {
                column: SortColumn::Id,
                descending: false,
                offset: 2 * PAGE_SIZE,
                limit: PAGE_SIZE,
            }
        );
        assert_eq!(ListView::from_query("page=99999999999").page, MAX_PAGE);
        assert_eq!(ListView::pages(0), 1);
        assert_eq!(ListView::pages(PAGE_SIZE), 1);
        assert_eq!(ListView::pages(PAGE_SIZE + 1), 2);
    }

    #[test]
    fn filters_become_a_store_query() {
        let v = ListView::from_query(
            "name=GameMonitorWorkflow&status=Completed&prefix=ann%3A&from=1&to=2",
        );
        let q = v.query();
        assert_eq!(q.name.as_deref(), Some("GameMonitorWorkflow"));
        assert_eq!(q.statuses, vec![RuntimeStatus::Completed]);
        assert_eq!(q.id_prefix.as_deref(), Some("ann:"));
        assert_eq!((q.created_from_ms, q.created_to_ms), (Some(1), Some(2)));
    }
}
