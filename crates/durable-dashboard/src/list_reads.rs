//! What the dashboard's list reads, in this order: the page first (a page
//! must never queue behind anything in IndexedDB, which serves one request
//! at a time), then apart the total, what each unfinished row waits on,
//! and, once the list has stayed still, the chart of every match. A later
//! round's reads replace an earlier one's.
//!
//! Reads only; it renders nothing and changes no instance.

use std::collections::HashMap;

use durable::{InstanceId, InstanceList, InstanceQuery, Store};
use leptos::prelude::*;

use super::filter::ListView;
use super::histogram::{self, Bucket};
use super::waits_summary;
use durable_leptos::Topic;
use durable_web::Host;

use crate::context::DashboardContext;

/// How often, at most, a live list reads every match again for its chart.
const CHART_EVERY_MS: f64 = 5_000.0;
/// How long the list must stay on one page and query before its chart
/// reads every match.
const CHART_AFTER_MS: u64 = 700;

/// The list's reads, as signals.
#[derive(Clone, Copy)]
pub struct ListReads {
    /// The page, with the view it was read for.
    pub list: LocalResource<Result<Option<(ListView, InstanceList)>, String>>,
    pub total: RwSignal<Option<Result<usize, String>>>,
    /// What each unfinished instance of the page waits on, by id.
    pub waiting: RwSignal<HashMap<String, String>>,
    /// Every match by creation time and status.
    pub chart: RwSignal<Option<Vec<Bucket>>>,
}

/// The rounds of reads: which one is the latest, what was counted and
/// charted last.
#[derive(Clone, Copy)]
struct Rounds {
    round: StoredValue<u64>,
    counted_for: StoredValue<Option<InstanceQuery>>,
    charted: StoredValue<Option<(InstanceQuery, f64)>>,
    /// What each instance waited on, at the row version it was read for:
    /// a row that has not changed is not read and replayed again.
    waits_read: StoredValue<HashMap<String, (u64, String)>>,
}

impl Rounds {
    fn is_latest(&self, round: u64) -> bool {
        self.round.try_get_value() == Some(round)
    }
}

/// Reads the list of `view`, again on every change the runtime reports.
pub fn read_list(dashboard: DashboardContext, view: Memo<ListView>) -> ListReads {
    let total = RwSignal::new(None::<Result<usize, String>>);
    let waiting = RwSignal::new(HashMap::<String, String>::new());
    let chart = RwSignal::new(None::<Vec<Bucket>>);
    let rounds = Rounds {
        round: StoredValue::new(0u64),
        counted_for: StoredValue::new(None::<InstanceQuery>),
        charted: StoredValue::new(None::<(InstanceQuery, f64)>),
        waits_read: StoredValue::new(HashMap::new()),
    };
    let list = LocalResource::new(move || {
        let runtime = dashboard.tracked_host(&[Topic::Instances]);
        let v = view.get();
        async move {
            let Some(rt) = runtime else {
                return Ok(None);
            };
            let query = v.query();
            let page = rt
                .client()
                .list(&query, &v.order())
                .await
                .map_err(|e| e.to_string())?;
            // The page may have left the dashboard while this was read.
            let (Some(last_counted), Some(last_round)) = (
                rounds.counted_for.try_get_value(),
                rounds.round.try_get_value(),
            ) else {
                return Ok(None);
            };
            if last_counted.as_ref() != Some(&query) {
                total.set(None);
            }
            let this_round = last_round + 1;
            rounds.round.set_value(this_round);
            let open: Vec<(InstanceId, u64)> = page
                .rows
                .iter()
                .filter(|r| !r.status.is_final())
                .map(|r| (r.id.clone(), r.version))
                .collect();
            leptos::task::spawn_local(read_waits(
                rt.clone(),
                dashboard.registry(),
                open,
                rounds,
                this_round,
                waiting,
            ));
            leptos::task::spawn_local(read_total_and_chart(
                rt, query, rounds, this_round, total, chart,
            ));
            Ok::<_, String>(Some((v, page)))
        }
    });
    ListReads {
        list,
        total,
        waiting,
        chart,
    }
}

/// What each of `open` (an instance and its row version) waits on: a
/// replay of its history, for the rows that changed since last read.
async fn read_waits(
    rt: Host,
    registry: durable::Registry,
    open: Vec<(InstanceId, u64)>,
    rounds: Rounds,
    round: u64,
    waiting: RwSignal<HashMap<String, String>>,
) {
    let Some(known) = rounds.waits_read.try_get_value() else {
        return;
    };
    let changed: Vec<InstanceId> = open
        .iter()
        .filter(|(id, version)| known.get(id.as_str()).is_none_or(|(v, _)| v != version))
        .map(|(id, _)| id.clone())
        .collect();
    let histories = if changed.is_empty() {
        Vec::new()
    } else {
        match rt.client().store().histories(&changed).await {
            Ok(h) => h,
            Err(_) => return,
        }
    };
    let mut read = known;
    for (id, h) in changed.iter().zip(histories) {
        let text = match durable::waiting_on(&registry, id, &h) {
            Ok(w) => waits_summary(&w),
            Err(_) => "(does not replay on this build)".to_string(),
        };
        let version = open.iter().find(|(i, _)| i == id).map_or(0, |(_, v)| *v);
        read.insert(id.0.clone(), (version, text));
    }
    // Only the page's open rows are kept.
    read.retain(|id, _| open.iter().any(|(i, _)| i.as_str() == id));
    let found = read
        .iter()
        .map(|(id, (_, text))| (id.clone(), text.clone()))
        .collect();
    rounds.waits_read.set_value(read);
    if rounds.is_latest(round) {
        waiting.set(found);
    }
}

/// The total of `query`'s matches; then, once the list has stayed still
/// and unless charted a moment ago, the chart of all of them.
async fn read_total_and_chart(
    rt: Host,
    query: InstanceQuery,
    rounds: Rounds,
    round: u64,
    total: RwSignal<Option<Result<usize, String>>>,
    chart: RwSignal<Option<Vec<Bucket>>>,
) {
    let n = rt.client().count(&query).await.map_err(|e| e.to_string());
    // A later page's count replaces this one.
    if !rounds.is_latest(round) {
        return;
    }
    rounds.counted_for.set_value(Some(query.clone()));
    total.set(Some(n));
    let now = js_sys::Date::now();
    let fresh = rounds
        .charted
        .try_get_value()
        .flatten()
        .is_some_and(|(q, at)| q == query && now - at < CHART_EVERY_MS);
    if fresh {
        return;
    }
    // Reading every match takes IndexedDB a while, and a page asked for
    // meanwhile would wait behind it: the chart waits until the list has
    // been still for a moment.
    durable::Clock::sleep(&durable_web::BrowserClock, CHART_AFTER_MS).await;
    if !rounds.is_latest(round) {
        return;
    }
    if let Ok(all) = rt.client().summaries(&query).await {
        if rounds.is_latest(round) {
            rounds.charted.set_value(Some((query, now)));
            chart.set(Some(histogram::buckets(&all, 24)));
        }
    }
}
