//! # durable-dashboard — the workflow dashboard as a Leptos component
//!
//! Every orchestration instance of an app, filtered, sorted and paged in
//! storage (a page reads 50 full rows whatever the total), live; a click
//! opens an instance: its history, timeline, step-through, replay check
//! and export, and the runtime's commands (raise, suspend, resume,
//! terminate, rewind, purge). Works from any tab: its actions go through
//! the client, which reaches the executing tab.
//!
//! An app mounts it over its own registry and database:
//! [`provide_dashboard`] with a started `durable_leptos::Durable`, then
//! [`DashboardPages`]. To keep it out of the app's first load, the app
//! builds it as a second wasm module ([`module`]) and shows it with
//! [`DashboardSlot`], which loads that module the first time the dashboard
//! is opened.
//!
//! It owns its URLs ([`Page`]: `#/dashboard?…`, `#/dashboard/i/{id}`,
//! `#/dashboard/import`): the list's filters live in the URL, so a reload
//! or a shared link shows the same view. It renders and sends commands; it
//! decides nothing about instances.
#![deny(missing_docs)]

mod context;
mod detail;
pub mod filter;
pub mod histogram;
mod html;
mod import;
mod list_reads;
mod live_table;
mod loader;
pub mod module;
mod route;
mod step;
mod storage;
pub mod timeline;
mod tools;

pub use context::{provide_dashboard, DashboardContext};
pub use loader::DashboardSlot;
pub use route::{decoded, encoded, go, use_page, Page};

pub use detail::{InstanceDetail, InstanceReport};
pub use import::ImportInstance;
pub use step::{wait_text, waits_summary, StepThrough};

use durable::{RuntimeStatus, SortColumn};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use context::use_dashboard;
use filter::ListView;

/// The URL of one instance.
pub fn instance_href(id: &str) -> String {
    Page::Instance(id.to_string()).href()
}

/// A millisecond timestamp as local date and time.
pub fn when(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// A timestamp as a `datetime-local` input's value (local time, minutes).
fn local_input(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A `datetime-local` input's value as a timestamp; empty or invalid: none.
fn from_local_input(v: &str) -> Option<u64> {
    let t = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(v)).get_time();
    (!v.is_empty() && t.is_finite() && t >= 0.0).then_some(t as u64)
}

/// The status chip's CSS class.
pub fn chip_class(status: RuntimeStatus) -> String {
    format!("chip chip--{}", status.as_str().to_lowercase())
}

/// The dashboard's pages, following the URL: the list, an instance or the
/// import. Needs [`provide_dashboard`] above it. Moving between its pages,
/// the title says where and the focus goes to the new page's heading.
#[component]
pub fn DashboardPages() -> impl IntoView {
    let title = use_dashboard().title();
    let page = use_page();
    let shown = Memo::new(move |_| page.get().unwrap_or(Page::List(String::new())));
    on_page_change(shown, move |_| {
        Some(format!("Workflow dashboard · {title}"))
    });
    view! {
        {move || match shown.get() {
            Page::Instance(id) => view! { <InstanceDetail id=id /> }.into_any(),
            Page::Import => view! { <ImportInstance /> }.into_any(),
            Page::List(_) => view! { <Dashboard /> }.into_any(),
        }}
    }
}

/// Follows the page `shown`: sets the document's title to `title` of it
/// (none: leaves it), and after a change of page moves the focus to the new
/// page's heading. For an app that shows its own pages in the dashboard's
/// slot, as the dashboard does its own.
pub fn on_page_change<T>(shown: Memo<T>, title: impl Fn(&T) -> Option<String> + 'static)
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Effect::new(move |before: Option<T>| {
        let now = shown.get();
        if let Some(title) = title(&now) {
            document().set_title(&title);
        }
        if before.is_some_and(|b| b != now) {
            request_animation_frame(focus_heading);
        }
        now
    });
}

/// Moves the focus to the dashboard's heading (after a change of page).
pub fn focus_heading() {
    if let Ok(Some(slot)) = document().query_selector("[data-testid=\"dashboard-slot\"]") {
        focus_first_heading(&slot);
    }
}

/// Moves the focus to the first heading under `root` (made focusable).
pub(crate) fn focus_first_heading(root: &web_sys::Element) {
    if let Ok(Some(h)) = root.query_selector("h2") {
        let _ = h.set_attribute("tabindex", "-1");
        if let Ok(h) = h.dyn_into::<web_sys::HtmlElement>() {
            let _ = h.focus();
        }
    }
}

/// The instance list with its filters, sorting, paging and purge by filter.
/// Follows the URL: a filter change is a new hash, and the list re-reads.
#[component]
pub fn Dashboard() -> impl IntoView {
    let dashboard = use_dashboard();
    let page = use_page();
    let view = Memo::new(move |_| match page.get() {
        Some(Page::List(q)) => ListView::from_query(&q),
        _ => ListView::default(),
    });
    let message = RwSignal::new(None::<String>);
    let selected = RwSignal::new(std::collections::BTreeSet::<String>::new());
    // Another page, sort or filter: what was selected is out of sight, and
    // no longer selected.
    Effect::new(move |_| {
        view.track();
        selected.set(std::collections::BTreeSet::new());
    });
    let list_reads::ListReads {
        list,
        total,
        waiting,
        chart,
    } = list_reads::read_list(dashboard, view);
    let set = move |f: &dyn Fn(&mut ListView)| {
        let mut v = view.get_untracked();
        f(&mut v);
        go(&Page::List(v.to_query()));
    };
    let filter = move |f: fn(&mut ListView, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            set(&|l| {
                f(l, value.clone());
                l.page = 0;
            })
        }
    };
    let sort = Callback::new(move |c: SortColumn| {
        set(&|l| {
            if l.sort == c {
                l.descending = !l.descending
            } else {
                l.sort = c;
                l.descending = false
            }
        })
    });
    let read = Signal::derive(move || list.get().and_then(|l| l.ok().flatten()));
    // Which of loading, failed or read: the table is built once it is read
    // and then kept (it updates its rows in place).
    let state = Memo::new(move |_| match list.get() {
        None | Some(Ok(None)) => None,
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(Some(_))) => Some(Ok(())),
    });
    let purge_filtered = move |_| {
        let Some(host) = dashboard.host() else { return };
        let q = view.get_untracked().query();
        let confirmed = window()
            .confirm_with_message("Purge every finished instance that matches the filter?")
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        leptos::task::spawn_local(async move {
            message.set(Some(match host.client().purge_where(&q).await {
                Ok(n) => format!("Purged {n} finished instances."),
                Err(e) => e.to_string(),
            }));
        });
    };
    let statuses = RuntimeStatus::ALL
        .into_iter()
        .filter(|s| *s != RuntimeStatus::ContinuedAsNew)
        .map(|s| {
            view! {
                <label class="dashboard__status">
                    <input type="checkbox" data-testid=format!("filter-{}", s.as_str())
                        prop:checked=move || view.get().statuses.contains(&s)
                        on:change=move |_| set(&|l| {
                            if l.statuses.contains(&s) { l.statuses.retain(|x| *x != s) } else { l.statuses.push(s) }
                            l.page = 0;
                        }) />
                    {s.as_str()}
                </label>
            }
        })
        .collect_view();
    let counted = total;
    let total = move || counted.get().and_then(Result::ok);
    // Whether rows follow the page the URL asks for (not an earlier one
    // still on screen while the next loads).
    let more = move || {
        let page = view.get().page;
        list.get()
            .and_then(|l| l.ok().flatten())
            .is_some_and(|(v, l)| v.page == page && l.more)
    };
    view! {
        <section class="dashboard" aria-labelledby="dashboard-heading">
            <h2 id="dashboard-heading">"Workflows"</h2>
            <p><a href="#/dashboard/import" data-testid="import-link">"Import an exported instance"</a></p>
            <storage::StorageLine />
            <form class="dashboard__filters" on:submit=|ev| ev.prevent_default()>
                <label>
                    "Orchestration"
                    <input type="text" data-testid="filter-name" prop:value=move || view.get().name
                        on:change=filter(|l, v| l.name = v) />
                </label>
                <label>
                    "Id starts with"
                    <input type="text" data-testid="filter-prefix" prop:value=move || view.get().prefix
                        on:change=filter(|l, v| l.prefix = v) />
                </label>
                <label>
                    "Created from"
                    <input type="datetime-local" data-testid="filter-from"
                        prop:value=move || view.get().from_ms.map(local_input).unwrap_or_default()
                        on:change=filter(|l, v| l.from_ms = from_local_input(&v)) />
                </label>
                <label>
                    "Created to"
                    <input type="datetime-local" data-testid="filter-to"
                        prop:value=move || view.get().to_ms.map(local_input).unwrap_or_default()
                        on:change=filter(|l, v| l.to_ms = from_local_input(&v)) />
                </label>
                <fieldset class="dashboard__statuses">
                    <legend>"Status"</legend>
                    {statuses}
                </fieldset>
                <button type="button" on:click=purge_filtered data-testid="purge-filtered">"Purge finished matches"</button>
            </form>
            {move || message.get().map(|m| view! { <p role="status" data-testid="dashboard-message">{m}</p> })}
            <p class="muted" data-testid="instance-count">
                {move || match counted.get() {
                    None => "Counting…".to_string(),
                    Some(Ok(1)) => "1 instance".to_string(),
                    Some(Ok(n)) => format!("{n} instances"),
                    Some(Err(e)) => format!("Could not count the instances: {e}"),
                }}
            </p>
            {move || chart.get().filter(|b| !b.is_empty()).map(|b| view! {
                <div class="dashboard__histogram" inner_html=histogram::histogram_svg(&b)></div>
            })}
            {move || match state.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(())) => view! {
                    <tools::BatchBar selected=selected />
                    <live_table::InstanceTable read=read sort=sort selected=selected waits=waiting />
                }.into_any(),
            }}
            <tools::StartForm />
            <nav class="dashboard__pages" aria-label="Pages">
                <button type="button" data-testid="previous-page" disabled=move || { view.get().page == 0 }
                    on:click=move |_| set(&|l| l.page = l.page.saturating_sub(1))>"Previous"</button>
                <span data-testid="page">{move || {
                    let p = view.get().page + 1;
                    match total() {
                        Some(n) => format!("Page {p} of {}", ListView::pages(n)),
                        None => format!("Page {p}"),
                    }
                }}</span>
                <button type="button" data-testid="next-page" disabled=move || { !more() }
                    on:click=move |_| set(&|l| l.page += 1)>"Next"</button>
            </nav>
        </section>
    }
}

/// The README's example, compiled as a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
