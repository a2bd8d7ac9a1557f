//! The instance list's table, live without losing the pointer: rows are
//! keyed by instance id and update in place (a row's link stays the same
//! element while its status and times change), the sort buttons are never
//! rebuilt, and while the pointer is over the table or focus is in it, a
//! live update waits (it is shown when the pointer leaves), so nothing
//! moves under a click. A change the user asked for (a sort, a filter, a
//! page) shows at once.
//!
//! Renders rows it is given and sends sort clicks up; it reads nothing.

use durable::{InstanceList, InstanceRecord, SortColumn};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

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
) -> impl IntoView {
    let shown = RwSignal::new(None::<Shown>);
    // The pointer over the table, or focus in it.
    let pointer = RwSignal::new(false);
    let focus = RwSignal::new(false);
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
        if live && (pointer.get_untracked() || focus.get_untracked()) {
            waiting.set(Some(next));
        } else {
            waiting.set(None);
            shown.set(Some(next));
        }
    });
    // Let go: what waited shows.
    Effect::new(move |_| {
        if !pointer.get() && !focus.get() {
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
    let left = move |ev: leptos::ev::FocusEvent| {
        // Focus moving between the table's own controls stays in it.
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(
                ev.current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok()),
            )
            .is_some_and(|(to, table)| table.contains(Some(&to)));
        if !inside {
            focus.set(false);
        }
    };
    view! {
        <div class="dashboard__table-wrap"
            on:pointerenter=move |_| pointer.set(true)
            on:pointerleave=move |_| pointer.set(false)
            on:focusin=move |_| focus.set(true)
            on:focusout=left>
            <table class="dashboard__table" data-testid="instances">
                <thead><tr>{headings}</tr></thead>
                <tbody>
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <InstanceRow id=id rows=rows />
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
fn InstanceRow(id: String, rows: Memo<Vec<InstanceRecord>>) -> impl IntoView {
    let key = id.clone();
    let row = Memo::new(move |_| rows.with(|rs| rs.iter().find(|r| r.id.0 == key).cloned()));
    let text = move |f: fn(&InstanceRecord) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    view! {
        <tr data-testid="instance-row" data-id=id.clone() data-status=text(|r| r.status.as_str().to_string())>
            <td>
                {text(|r| r.name.clone())} " "
                <span class="muted" data-testid="instance-version">{text(|r| version_text(r.orchestration_version))}</span>
            </td>
            <td><a href=instance_href(&id)>{id.clone()}</a></td>
            <td><span class=text(|r| chip_class(r.status))>{text(|r| r.status.as_str().to_string())}</span></td>
            <td>{text(|r| when(r.created_ms))}</td>
            <td>{text(|r| when(r.updated_ms))}</td>
            <td class="mono">{text(|r| r.custom_status.as_ref().map(|c| c.to_string()).unwrap_or_default())}</td>
        </tr>
    }
}
