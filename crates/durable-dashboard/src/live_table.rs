//! The instance list's table, live without losing the pointer: rows are
//! keyed by instance id and update in place (a row's link stays the same
//! element while its status and times change, so a focused control keeps
//! its focus), the sort buttons are never rebuilt, and while the pointer is
//! over the table a live update waits (it is shown when the pointer
//! leaves), so nothing moves under a click. A change the user asked for (a sort, a filter, a
//! page) shows at once.
//!
//! Renders rows it is given and sends sort clicks up; it reads nothing.

use std::collections::BTreeSet;

use durable::{InstanceList, InstanceRecord, SortColumn};
use leptos::prelude::*;

use super::detail::version_text;
use super::filter::{column_key, column_label, ListView};
use super::{chip_class, instance_href, when};

/// What the table shows: the rows of one view of the list.
#[derive(Clone, PartialEq)]
struct Shown {
    view: ListView,
    rows: Vec<InstanceRecord>,
}

/// The table of `read` (the latest page read, with the view it was read
/// for); a sort button calls `sort`.
#[component]
pub fn InstanceTable(
    read: Signal<Option<(ListView, InstanceList)>>,
    sort: Callback<SortColumn>,
    selected: RwSignal<BTreeSet<String>>,
    waits: RwSignal<std::collections::HashMap<String, String>>,
) -> impl IntoView {
    // Relative times ("3 min ago") move on by themselves.
    let now = RwSignal::new(js_sys::Date::now() as u64);
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now() as u64),
        std::time::Duration::from_secs(15),
    ) {
        on_cleanup(move || handle.clear());
    }
    let shown = RwSignal::new(None::<Shown>);
    // The pointer over the table.
    let pointer = RwSignal::new(false);
    let waiting = RwSignal::new(None::<Shown>);
    Effect::new(move |_| {
        let Some((view, list)) = read.get() else {
            return;
        };
        let next = Shown {
            view,
            rows: list.rows,
        };
        let live = shown.with_untracked(|s| s.as_ref().is_some_and(|s| s.view == next.view));
        if live && pointer.get_untracked() {
            waiting.set(Some(next));
        } else {
            waiting.set(None);
            shown.set(Some(next));
        }
    });
    // Let go: what waited shows.
    Effect::new(move |_| {
        if !pointer.get() {
            if let Some(next) = waiting.get_untracked() {
                waiting.set(None);
                shown.set(Some(next));
            }
        }
    });
    let rows =
        Memo::new(move |_| shown.with(|s| s.as_ref().map(|s| s.rows.clone()).unwrap_or_default()));
    let ids =
        Memo::new(move |_| rows.with(|rs| rs.iter().map(|r| r.id.0.clone()).collect::<Vec<_>>()));
    let sorted = move || shown.with(|s| s.as_ref().map(|s| (s.view.sort, s.view.descending)));
    let headings = SortColumn::ALL
        .into_iter()
        .map(|c| {
            let state = move || match sorted() {
                Some((s, false)) if s == c => ("ascending", " ▲"),
                Some((s, true)) if s == c => ("descending", " ▼"),
                _ => ("none", ""),
            };
            view! {
                <th aria-sort=move || state().0>
                    <button type="button" class="linklike" data-sort=column_key(c)
                        data-testid=format!("sort-{}", column_key(c)) on:click=move |_| sort.run(c)>
                        {column_label(c)}{move || state().1}
                    </button>
                </th>
            }
        })
        .collect_view();
    view! {
            <div class="dashboard__table-wrap"
                on:pointerenter=move |_| pointer.set(true)
                on:pointerleave=move |_| pointer.set(false)
    >
                <table class="dashboard__table" data-testid="instances">
                    <thead><tr><th><span class="visually-hidden">"Select"</span></th>{headings}<th>"Waiting on"</th></tr></thead>
                    <tbody>
                        <For each=move || ids.get() key=|id| id.clone() let:id>
                            <InstanceRow id=id rows=rows selected=selected now=now waits=waits />
                        </For>
                    </tbody>
                </table>
            </div>
            {move || waiting.with(Option::is_some).then(|| view! {
                <p class="muted" data-testid="live-waiting">"Newer rows are waiting until the pointer leaves the list."</p>
            })}
        }
}

/// One row, updated in place from `rows`.
#[component]
fn InstanceRow(
    id: String,
    rows: Memo<Vec<InstanceRecord>>,
    selected: RwSignal<BTreeSet<String>>,
    now: RwSignal<u64>,
    waits: RwSignal<std::collections::HashMap<String, String>>,
) -> impl IntoView {
    let key = id.clone();
    let row = Memo::new(move |_| rows.with(|rs| rs.iter().find(|r| r.id.0 == key).cloned()));
    let text = move |f: fn(&InstanceRecord) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let at = move |f: fn(&InstanceRecord) -> u64| {
        let ms = move || row.with(|r| r.as_ref().map(f).unwrap_or_default());
        view! { <time title=move || when(ms())>{move || relative(ms(), now.get())}</time> }
    };
    let (mine, toggled, waits_for) = (id.clone(), id.clone(), id.clone());
    let label = format!("Select {id}");
    view! {
        <tr data-testid="instance-row" data-id=id.clone() data-status=text(|r| r.status.as_str().to_string())>
            <td><input type="checkbox" data-testid="row-select" aria-label=label
                prop:checked=move || selected.with(|s| s.contains(&mine))
                on:change=move |_| selected.update(|s| {
                    if !s.remove(&toggled) {
                        s.insert(toggled.clone());
                    }
                }) /></td>
            <td>
                {text(|r| r.name.clone())} " "
                <span class="muted" data-testid="instance-version">{text(|r| version_text(r.orchestration_version))}</span>
            </td>
            <td><a href=instance_href(&id)>{id.clone()}</a></td>
            <td><span class=text(|r| chip_class(r.status))>{text(|r| r.status.as_str().to_string())}</span></td>
            <td>{at(|r| r.created_ms)}</td>
            <td>{at(|r| r.updated_ms)}</td>
            <td class="mono">{text(|r| r.custom_status.as_ref().map(|c| c.to_string()).unwrap_or_default())}</td>
            <td data-testid="instance-waiting">{move || waits.with(|w| w.get(&waits_for).cloned().unwrap_or_default())}</td>
        </tr>
    }
}

/// How long before `now_ms` a time was, in words ("just now", "5 s ago",
/// "3 min ago", "2 h ago", "4 days ago"); the local time is its title.
pub fn relative(ms: u64, now_ms: u64) -> String {
    let s = now_ms.saturating_sub(ms) / 1000;
    match s {
        0..=4 => "just now".to_string(),
        5..=59 => format!("{s} s ago"),
        60..=3_599 => format!("{} min ago", s / 60),
        3_600..=86_399 => format!("{} h ago", s / 3_600),
        _ => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn times_read_as_how_long_ago() {
        let now = 1_000_000_000;
        assert_eq!(relative(now, now), "just now");
        assert_eq!(
            relative(now + 5_000, now),
            "just now",
            "a clock ahead is now"
        );
        assert_eq!(relative(now - 42_000, now), "42 s ago");
        assert_eq!(relative(now - 180_000, now), "3 min ago");
        assert_eq!(relative(now - 7_200_000, now), "2 h ago");
        assert_eq!(relative(now - 4 * 86_400_000, now), "4 days ago");
    }
}
