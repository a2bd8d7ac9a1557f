//! The workflow dashboard: every orchestration instance, filtered, sorted
//! and paged in storage (a page reads 50 full rows whatever the total),
//! live; a click opens an instance. Works from any tab: its actions go
//! through the client, which reaches the executing tab.
//!
//! Its module also serves the replay of an adventure (`#/replay/{key}`)
//! and the import of an exported instance (`#/dashboard/import`), so the
//! game's first load carries none of them.
//!
//! It owns its URLs (`#/dashboard?…`, `#/dashboard/i/{id}`): the list's
//! filters live in the URL, so a reload or a shared link shows the same
//! view. It renders and sends commands; it decides nothing about instances.

mod detail;
pub mod filter;
pub mod histogram;
mod html;
mod import;
mod list_reads;
mod live_table;
mod step;
mod storage;
pub mod timeline;
mod tools;

pub use detail::{InstanceDetail, InstanceReport};
pub use import::ImportInstance;
pub use step::{wait_text, waits_summary, StepThrough};

use durable::{RuntimeStatus, SortColumn};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::route::{go, use_route, Route};
use crate::services::{config_from_url, use_services, Services};
use filter::ListView;

/// The URL of one instance.
pub fn instance_href(id: &str) -> String {
    Route::Instance(id.to_string()).href()
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

/// The dashboard module's root: its own runtime handle on the game's
/// database (a follower of the executing tab, or the executor if none is
/// open), and the list or an instance, following the URL.
#[component]
pub fn DashboardApp() -> impl IntoView {
    let services = Services::new(config_from_url());
    provide_context(services);
    services.start();
    // Unmounted when the page leaves the dashboard: its host goes with it.
    on_cleanup(move || services.shut_down());
    let route = use_route();
    let page = Memo::new(move |_| match route.get() {
        Route::Instance(id) => Route::Instance(id),
        Route::Import => Route::Import,
        Route::Replay(key) => Route::Replay(key),
        _ => Route::Dashboard(String::new()),
    });
    // Moving between the module's pages: the title says where, and the
    // focus goes to the new page's heading (the first page's is focused by
    // the loader).
    Effect::new(move |before: Option<Route>| {
        let now = page.get();
        let title = match &now {
            Route::Replay(key) => format!("Replay of {key} · {}", crate::app::TITLE),
            _ => format!("Workflow dashboard · {}", crate::app::TITLE),
        };
        document().set_title(&title);
        if before.is_some_and(|b| b != now) {
            request_animation_frame(|| {
                let heading = document().query_selector("[data-testid=\"dashboard-slot\"] h2");
                if let Ok(Some(h)) = heading {
                    let _ = h.set_attribute("tabindex", "-1");
                    if let Ok(h) = h.dyn_into::<web_sys::HtmlElement>() {
                        let _ = h.focus();
                    }
                }
            });
        }
        now
    });
    view! {
        {move || match page.get() {
            Route::Instance(id) => view! { <InstanceDetail id=id /> }.into_any(),
            Route::Import => view! { <ImportInstance /> }.into_any(),
            Route::Replay(key) => view! { <crate::ReplayPage key=key /> }.into_any(),
            _ => view! { <Dashboard /> }.into_any(),
        }}
    }
}

/// The instance list with its filters, sorting, paging and purge by filter.
/// Follows the URL: a filter change is a new hash, and the list re-reads.
#[component]
pub fn Dashboard() -> impl IntoView {
    let services = use_services();
    let route = use_route();
    let view = Memo::new(move |_| match route.get() {
        Route::Dashboard(q) => ListView::from_query(&q),
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
    } = list_reads::read_list(services, view);
    let set = move |f: &dyn Fn(&mut ListView)| {
        let mut v = view.get_untracked();
        f(&mut v);
        go(&Route::Dashboard(v.to_query()));
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
        let Some(rt) = services.runtime() else { return };
        let q = view.get_untracked().query();
        let confirmed = window()
            .confirm_with_message("Purge every finished instance that matches the filter?")
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        leptos::task::spawn_local(async move {
            message.set(Some(match rt.host.client().purge_where(&q).await {
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
