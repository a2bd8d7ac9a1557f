//! The shop's page: the shelves, the orders with their payment deadlines,
//! and the workflow dashboard (loaded only when opened). Components render
//! what the hooks of `durable-leptos` read and send commands; the rules are
//! the workflow's.

use durable::{InstanceId, InstanceQuery, InstanceRecord, RuntimeStatus};
use durable_dashboard::{provide_dashboard, use_page, DashboardPages, DashboardSlot};
use durable_leptos::{provide_durable, use_command, use_query, use_records, Durable, Reading};
use durable_web::HostOptions;
use leptos::prelude::*;

use crate::workflows::{
    registry, stock_shelves, OrderInput, OrderOutcome, AWAITING_PAYMENT, ORDER, PAID, STOCK,
};

/// The shop's IndexedDB database.
pub const DATABASE: &str = "durable-shop";
/// The app's name.
pub const TITLE: &str = "Durable Shop";
/// What every order costs, in cents (the example takes any payment).
const PRICE_CENTS: u64 = 4_200;

/// How long a buyer has to pay: `?pay=30s` (or `2m`) in the URL, else two
/// minutes.
pub fn pay_within_ms(search: &str) -> u64 {
    let value = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("pay="));
    let parsed = value.and_then(|v| {
        let (number, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit())?);
        let n: u64 = number.parse().ok()?;
        match unit {
            "ms" => Some(n),
            "s" => n.checked_mul(1_000),
            "m" => n.checked_mul(60_000),
            _ => None,
        }
    });
    parsed.unwrap_or(120_000)
}

/// The shop: its host on the shop's database (stocking the shelves the
/// first time), the storefront, or the dashboard when the URL asks.
/// `database` and `pay_within_ms` default to [`DATABASE`] and the URL's
/// `?pay=` (tests give their own).
#[component]
pub fn Shop(
    #[prop(optional, into)] database: Option<String>,
    #[prop(optional)] pay_within_ms: Option<u64>,
) -> impl IntoView {
    let database = database.unwrap_or_else(|| DATABASE.to_string());
    let pay_within = pay_within_ms
        .unwrap_or_else(|| self::pay_within_ms(&window().location().search().unwrap_or_default()));
    let durable = Durable::new();
    provide_context(durable);
    durable.start(&database, registry(), HostOptions::default(), |host| {
        let client = host.client().clone();
        leptos::task::spawn_local(async move {
            if let Err(e) = stock_shelves(&client).await {
                leptos::logging::warn!("the shelves could not be stocked: {e}");
            }
        });
    });
    on_cleanup(move || durable.shut_down());
    // Whether the dashboard shows, not which of its pages: moving within
    // it must not load its module again.
    let page = use_page();
    let dashboard = Memo::new(move |_| page.get().is_some());
    view! {
        <main class="shop">
            <header class="shop__head">
                <h1><a href="#/">{TITLE}</a></h1>
                <nav aria-label="Main">
                    <a href="#/">"Shop"</a> " · "
                    <a href="#/dashboard" data-testid="dashboard-link">"Workflow dashboard"</a>
                </nav>
            </header>
            {move || durable.failure.get().map(|f| view! {
                <p class="error" role="alert">"The shop could not start: " {f}</p>
            })}
            {move || if dashboard.get() {
                view! { <DashboardSlot title=TITLE /> }.into_any()
            } else {
                view! { <Storefront pay_within_ms=pay_within /> }.into_any()
            }}
        </main>
    }
}

/// The shelves and the orders; an order keeps its item `pay_within_ms`.
#[component]
pub fn Storefront(pay_within_ms: u64) -> impl IntoView {
    let pay_within = pay_within_ms;
    let order = use_command(move |host, item: String| async move {
        // The time, and a random part: two tabs may order in one millisecond.
        let tag = (js_sys::Math::random() * 1_000_000.0) as u64;
        let id = InstanceId::new(format!("order-{}-{tag:06}", js_sys::Date::now() as u64));
        let input = OrderInput {
            item,
            quantity: 1,
            pay_within_ms: pay_within,
        };
        host.client().start(ORDER, &id, &input).await
    });
    let pay = use_command(|host, id: InstanceId| async move {
        host.raise_event(&id, PAID, &PRICE_CENTS).await
    });
    let shelves = use_records(STOCK.to_string());
    let orders = use_query(InstanceQuery {
        name: Some(ORDER.name().to_string()),
        ..Default::default()
    });
    // The last refusal of either command (an order or a payment), if any.
    let refusal = move || {
        let ordered = order.value().get().and_then(|r| r.err());
        let paid = pay.value().get().and_then(|r| r.err());
        ordered.or(paid).map(|e| e.to_string())
    };
    view! {
        <section class="shelves" aria-labelledby="shelves-heading">
            <h2 id="shelves-heading">"On the shelves"</h2>
            <ul class="shelves__list">
                {move || shelves.get().ready().cloned().unwrap_or_default().into_iter().map(|r| {
                    let item = r.key.clone();
                    let units = r.value.as_u64().unwrap_or(0);
                    let order_it = item.clone();
                    view! {
                        <li class="shelf" data-testid=format!("shelf-{item}")>
                            <span class="shelf__item">{item.clone()}</span>
                            <span class="shelf__units" data-testid=format!("units-{item}")>{units}</span>
                            <button type="button" data-testid=format!("order-{item}")
                                disabled=move || units == 0 || order.pending().get()
                                on:click=move |_| { order.dispatch(order_it.clone()); }>
                                "Order one"
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted">"An order keeps its item for "{pay_within / 1_000}" s; unpaid by then, the item goes back on the shelf. Close the tab meanwhile: the deadline still holds."</p>
            {move || refusal().map(|e| view! { <p class="error" role="alert" data-testid="refusal">{e}</p> })}
        </section>
        <section class="orders" aria-labelledby="orders-heading">
            <h2 id="orders-heading">"Orders"</h2>
            {move || match orders.get() {
                Reading::Loading => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Reading::Failed(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                // The shop says why at the top of the page.
                Reading::HostFailed(_) => view! { <p class="muted">"No orders can be read."</p> }.into_any(),
                Reading::Ready(page) if page.instances.is_empty() => view! {
                    <p class="muted" data-testid="no-orders">"No orders yet."</p>
                }.into_any(),
                Reading::Ready(page) => {
                    let mut rows = page.instances;
                    rows.sort_by_key(|r| std::cmp::Reverse(r.created_ms));
                    view! {
                        <ul class="orders__list">
                            {rows.into_iter().map(|row| view! { <OrderRow row=row pay=pay /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// What an order's row says of it.
pub fn order_state(row: &InstanceRecord) -> String {
    match ORDER.output_of(row) {
        Ok(Some(OrderOutcome::Shipped { cents })) => {
            format!("paid {}.{:02}, shipped", cents / 100, cents % 100)
        }
        Ok(Some(OrderOutcome::Released)) => "not paid in time: released".into(),
        Ok(Some(OrderOutcome::OutOfStock)) => "out of stock".into(),
        Err(e) => e.to_string(),
        Ok(None) => match row.status {
            RuntimeStatus::Failed | RuntimeStatus::Terminated => row
                .failure
                .clone()
                .unwrap_or_else(|| row.status.as_str().into()),
            _ => row
                .custom_status
                .as_ref()
                .and_then(|s| s.as_str())
                .unwrap_or("placed")
                .to_string(),
        },
    }
}

/// One order: its item, its state, its deadline, and Pay while it waits.
#[component]
fn OrderRow(
    row: InstanceRecord,
    pay: Action<InstanceId, Result<(), durable_leptos::CommandError<durable::ClientError>>>,
) -> impl IntoView {
    let input: Option<OrderInput> = serde_json::from_value(row.input.clone()).ok();
    let item = input.as_ref().map(|i| i.item.clone()).unwrap_or_default();
    let due = input.map(|i| row.created_ms.saturating_add(i.pay_within_ms));
    let state = order_state(&row);
    let waiting = state == AWAITING_PAYMENT;
    let id = row.id.clone();
    let href = durable_dashboard::Page::Instance(id.as_str().to_string()).href();
    view! {
        <li class="order" data-testid="order" data-id=id.as_str().to_string()>
            <a href=href class="order__id">{id.as_str().to_string()}</a>
            <span class="order__item">{item}</span>
            <span class="order__state" data-testid="order-state">{state}</span>
            {(waiting).then(|| {
                let by = due.map(clock_time).unwrap_or_default();
                let id = id.clone();
                view! {
                    <span class="muted">"pay by " {by}</span>
                    <button type="button" data-testid="pay" on:click=move |_| { pay.dispatch(id.clone()); }>
                        "Pay 42.00"
                    </button>
                }
            })}
        </li>
    }
}

/// A timestamp as the local time of day.
fn clock_time(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_time_string("en-GB"))
}

/// The root of the shop's dashboard module: its own host on the shop's
/// database (a follower of the tab that runs the orders), and the
/// dashboard's pages over the shop's registry.
#[component]
pub fn DashboardModule() -> impl IntoView {
    let durable = provide_durable(DATABASE, registry(), HostOptions::default());
    provide_dashboard(durable, registry(), TITLE);
    view! { <DashboardPages /> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payment_window_comes_from_the_url() {
        assert_eq!(pay_within_ms(""), 120_000);
        assert_eq!(pay_within_ms("?pay=30s"), 30_000);
        assert_eq!(pay_within_ms("?x=1&pay=2m"), 120_000);
        assert_eq!(pay_within_ms("?pay=1500ms"), 1_500);
        assert_eq!(pay_within_ms("?pay=soon"), 120_000);
        assert_eq!(pay_within_ms("?pay=99999999999999999m"), 120_000);
    }
}
