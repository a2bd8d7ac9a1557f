//! The workflow dashboard: every orchestration instance, filtered, sorted
//! and paged, live; a click opens an instance. Works from any tab: its
//! actions go through the client, which reaches the executing tab.
//!
//! It owns its URLs (`#/dashboard?…`, `#/dashboard/i/{id}`). Its pages are
//! not mounted by the app yet: they do not fit the release bundle budget.

mod detail;
pub mod filter;
pub mod timeline;

pub use detail::InstanceDetail;

use durable::{InstanceRecord, RuntimeStatus};
use leptos::prelude::*;

use crate::services::use_services;
use filter::{Column, ListView};

/// The URL of the list with these filters.
pub fn list_href(view: &ListView) -> String {
    match view.to_query() {
        q if q.is_empty() => "#/dashboard".to_string(),
        q => format!("#/dashboard?{q}"),
    }
}

/// The URL of one instance.
pub fn instance_href(id: &str) -> String {
    format!(
        "#/dashboard/i/{}",
        String::from(js_sys::encode_uri_component(id))
    )
}

/// Shows the page at `href`.
pub fn go_to(href: &str) {
    let _ = window().location().set_hash(href);
}

/// A millisecond timestamp as local date and time.
pub fn when(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

#[component]
pub fn Dashboard(view: ListView) -> impl IntoView {
    let services = use_services();
    let view = StoredValue::new(view);
    let message = RwSignal::new(None::<String>);
    let rows = LocalResource::new(move || {
        let runtime = services.tracked_runtime();
        let v = view.get_value();
        async move {
            let Some(rt) = runtime else {
                return Ok((Vec::new(), 1, 0));
            };
            let all = rt
                .host
                .client()
                .query(&v.query())
                .await
                .map_err(|e| e.to_string())?
                .instances;
            let total = all.len();
            let (page, pages) = v.page_of(all);
            Ok::<_, String>((page, pages, total))
        }
    });
    let set = move |f: &dyn Fn(&mut ListView)| {
        let mut v = view.get_value();
        f(&mut v);
        go_to(&list_href(&v));
    };
    let purge_filtered = move |_| {
        let Some(rt) = services.runtime() else { return };
        let q = view.get_value().query();
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
    view! {
        <section class="dashboard" aria-labelledby="dashboard-heading">
            <h2 id="dashboard-heading">"Workflows"</h2>
            <form class="dashboard__filters" on:submit=|ev| ev.prevent_default()>
                <label>
                    "Orchestration"
                    <input type="text" data-testid="filter-name" prop:value=view.get_value().name
                        on:change=move |ev| { let v = event_target_value(&ev); set(&|l| { l.name = v.clone(); l.page = 0; }) } />
                </label>
                <label>
                    "Id starts with"
                    <input type="text" data-testid="filter-prefix" prop:value=view.get_value().prefix
                        on:change=move |ev| { let v = event_target_value(&ev); set(&|l| { l.prefix = v.clone(); l.page = 0; }) } />
                </label>
                <fieldset class="dashboard__statuses">
                    <legend>"Status"</legend>
                    {RuntimeStatus::ALL
                        .into_iter()
                        .filter(|s| *s != RuntimeStatus::ContinuedAsNew)
                        .map(|s| {
                            let checked = view.get_value().statuses.contains(&s);
                            view! {
                                <label class="dashboard__status">
                                    <input type="checkbox" data-testid=format!("filter-{}", s.as_str()) prop:checked=checked
                                        on:change=move |_| set(&|l| {
                                            if l.statuses.contains(&s) { l.statuses.retain(|x| *x != s) } else { l.statuses.push(s) }
                                            l.page = 0;
                                        }) />
                                    {s.as_str()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button type="button" on:click=purge_filtered data-testid="purge-filtered">"Purge finished matches"</button>
            </form>
            {move || message.get().map(|m| view! { <p role="status" data-testid="dashboard-message">{m}</p> })}
            {move || match rows.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok((page, pages, total))) => list(page, pages, total, view.get_value(), set).into_any(),
            }}
        </section>
    }
}

fn list(
    rows: Vec<InstanceRecord>,
    pages: usize,
    total: usize,
    v: ListView,
    set: impl Fn(&dyn Fn(&mut ListView)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let page = v.page.min(pages - 1);
    view! {
        <p class="muted" data-testid="instance-count">{format!("{total} instances")}</p>
        <div class="dashboard__table-wrap">
            <table class="dashboard__table" data-testid="instances">
                <thead>
                    <tr>
                        {Column::ALL
                            .into_iter()
                            .map(|c| {
                                let arrow = if v.sort == c { if v.descending { " ▼" } else { " ▲" } } else { "" };
                                let sort = if v.sort == c { if v.descending { "descending" } else { "ascending" } } else { "none" };
                                view! {
                                    <th aria-sort=sort>
                                        <button type="button" class="linklike" data-testid=format!("sort-{}", c.key())
                                            on:click=move |_| set(&|l| {
                                                if l.sort == c { l.descending = !l.descending } else { l.sort = c; l.descending = false }
                                            })>
                                            {c.label()}{arrow}
                                        </button>
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let href = instance_href(&r.id.0);
                            let chip = format!("chip chip--{}", r.status.as_str().to_lowercase());
                            let custom = r.custom_status.map(|c| c.to_string()).unwrap_or_default();
                            let data_id = r.id.0.clone();
                            view! {
                                <tr data-testid="instance-row" data-id=data_id data-status=r.status.as_str()>
                                    <td>{r.name}</td>
                                    <td><a href=href>{r.id.0}</a></td>
                                    <td><span class=chip>{r.status.as_str()}</span></td>
                                    <td>{when(r.created_ms)}</td>
                                    <td>{when(r.updated_ms)}</td>
                                    <td class="mono">{custom}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="dashboard__pages" aria-label="Pages">
            <button type="button" disabled=page == 0 on:click=move |_| set(&|l| l.page = l.page.saturating_sub(1))>"Previous"</button>
            <span data-testid="page">{format!("Page {} of {pages}", page + 1)}</span>
            <button type="button" disabled=page + 1 >= pages on:click=move |_| set(&|l| l.page += 1)>"Next"</button>
        </nav>
    }
}
