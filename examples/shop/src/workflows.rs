//! The shop's one workflow and its activities: an order reserves its
//! items, waits for the payment until a deadline, then ships, or gives the
//! items back (the compensation) when no payment came in time.
//!
//! Orchestrations decide; activities act. Nothing here reads a clock or
//! touches the browser: the order runs the same in a test on virtual time
//! as in a tab that closes and opens again.

use durable::{
    select2, Activity, ActivityContext, ActivityError, AppWrite, Client, ClientError, Command,
    Either, ExternalEvent, Orchestration, OrchestrationContext, Registry, Store, StoreError,
    TaskError,
};
use serde::{Deserialize, Serialize};

/// The app store of stock levels: item name → units on the shelf.
pub const STOCK: &str = "stock";
/// The app store of shipments: order id → what was shipped.
pub const SHIPMENTS: &str = "shipments";

/// What the shop sells, and how many of each it starts with.
pub const CATALOGUE: [(&str, u32); 3] = [("lamp", 3), ("desk", 1), ("chair", 4)];

/// An order: what, how many, and how long the buyer has to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInput {
    /// The item's name, as in [`CATALOGUE`].
    pub item: String,
    /// How many units.
    pub quantity: u32,
    /// How long the reservation waits for the payment, in milliseconds.
    pub pay_within_ms: u64,
}

/// How an order ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderOutcome {
    /// Paid in time (this many cents) and shipped.
    Shipped { cents: u64 },
    /// Not paid in time: the reservation was given back.
    Released,
    /// Not enough on the shelf: nothing was reserved.
    OutOfStock,
}

/// The custom status of an order that waits for its payment (the page
/// offers Pay while an order shows it).
pub const AWAITING_PAYMENT: &str = "awaiting payment";

/// The order workflow.
pub const ORDER: Orchestration<OrderInput, OrderOutcome> = Orchestration::new("Order");
/// Takes the order's units off the shelf; false when there are not enough.
pub const RESERVE: Activity<OrderInput, bool> = Activity::new("Reserve");
/// Puts a reservation's units back on the shelf.
pub const RELEASE: Activity<OrderInput, ()> = Activity::new("Release");
/// Records the shipment of a paid order.
pub const SHIP: Activity<(String, OrderInput), ()> = Activity::new("Ship");
/// The buyer paid, this many cents.
pub const PAID: ExternalEvent<u64> = ExternalEvent::new("Paid");

/// Reserve, then the payment races the deadline: paid ships, a deadline
/// passed releases the reservation. The deadline is a durable timer, so it
/// fires even if the tab was closed when it fell due (on the next open).
async fn order(ctx: OrchestrationContext, input: OrderInput) -> Result<OrderOutcome, TaskError> {
    ctx.set_custom_status(&"reserving");
    if !ctx.call_activity(RESERVE, &input).await? {
        ctx.set_custom_status(&"out of stock");
        return Ok(OrderOutcome::OutOfStock);
    }
    ctx.set_custom_status(&AWAITING_PAYMENT);
    match select2(ctx.wait_for_event(PAID), ctx.sleep(input.pay_within_ms)).await {
        Either::Left(cents) => {
            let cents = cents?;
            let id = ctx.instance_id().as_str().to_string();
            ctx.call_activity(SHIP, &(id, input)).await?;
            ctx.set_custom_status(&"shipped");
            Ok(OrderOutcome::Shipped { cents })
        }
        Either::Right(()) => {
            ctx.log("no payment before the deadline: releasing the reservation");
            ctx.call_activity(RELEASE, &input).await?;
            ctx.set_custom_status(&"released");
            Ok(OrderOutcome::Released)
        }
    }
}

/// Units of `item` on the shelf (0 for an unknown item).
async fn on_shelf(ctx: &ActivityContext, item: &str) -> Result<u32, ActivityError> {
    Ok(ctx.read::<u32>(STOCK, item).await?.unwrap_or(0))
}

/// Puts the catalogue on the shelves of a shop opened for the first time.
/// Each item is written only if it has no record yet (a precondition the
/// commit checks), so a shelf emptied by orders stays empty, and two tabs
/// opening at once stock it once.
pub async fn stock_shelves<S: Store>(client: &Client<S>) -> Result<(), ClientError> {
    for (item, units) in CATALOGUE {
        let first = Command::new()
            .expect_version(STOCK, item, None)
            .write(AppWrite::Put {
                store: STOCK.to_string(),
                key: item.to_string(),
                value: units.into(),
            });
        match client.apply(first).await {
            // Conflict: stocked already.
            Ok(()) | Err(ClientError::Store(StoreError::Conflict(_))) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The order workflow and its activities.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.orchestration(ORDER, order)
        .activity(RESERVE, |ctx, input: OrderInput| async move {
            let left = on_shelf(&ctx, &input.item).await?;
            let Some(after) = left.checked_sub(input.quantity) else {
                return Ok::<_, ActivityError>(false);
            };
            ctx.put(STOCK, &input.item, &after)?;
            Ok(true)
        })
        .activity(RELEASE, |ctx, input: OrderInput| async move {
            let left = on_shelf(&ctx, &input.item).await?;
            ctx.put(STOCK, &input.item, &left.saturating_add(input.quantity))?;
            Ok::<_, ActivityError>(())
        })
        .activity(SHIP, |ctx, (id, input): (String, OrderInput)| async move {
            ctx.put(SHIPMENTS, &id, &input)?;
            Ok::<_, ActivityError>(())
        });
    r
}

// Native: on virtual time (tests/orders.rs runs the order in a browser).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::rc::Rc;

    use durable::testing::{block_on, run_virtual};
    use durable::{InMemoryStore, InstanceId, Runtime, RuntimeStatus, VirtualClock};

    use super::*;

    fn lamp(quantity: u32) -> OrderInput {
        OrderInput {
            item: "lamp".into(),
            quantity,
            pay_within_ms: 60_000,
        }
    }

    /// A runtime on virtual time with 3 lamps on the shelf.
    fn shop() -> (Runtime<InMemoryStore>, VirtualClock) {
        let clock = VirtualClock::new(0);
        let rt = Runtime::new(InMemoryStore::new(), registry(), Rc::new(clock.clone()));
        block_on(stock_shelves(&rt.client())).unwrap();
        (rt, clock)
    }

    fn lamps(rt: &Runtime<InMemoryStore>) -> u64 {
        let record = block_on(rt.client().store().app_record(STOCK, "lamp")).unwrap();
        record.and_then(|r| r.value.as_u64()).unwrap()
    }

    fn outcome(rt: &Runtime<InMemoryStore>, id: &InstanceId) -> Option<OrderOutcome> {
        let row = block_on(rt.client().status(id)).unwrap().unwrap();
        ORDER.output_of(&row).unwrap()
    }

    #[test]
    fn a_paid_order_ships_and_keeps_its_stock_taken() {
        let (rt, clock) = shop();
        let id = InstanceId::new("order-1");
        block_on(async {
            rt.client().start(ORDER, &id, &lamp(2)).await.unwrap();
            rt.run_until_idle().await.unwrap();
            rt.client().raise_event(&id, PAID, &1_500).await.unwrap();
            run_virtual(&rt, &clock, 120_000).await.unwrap();
        });
        assert_eq!(
            outcome(&rt, &id),
            Some(OrderOutcome::Shipped { cents: 1_500 })
        );
        assert_eq!(lamps(&rt), 1);
        let shipped = block_on(rt.client().store().app_record(SHIPMENTS, "order-1")).unwrap();
        assert!(shipped.is_some(), "the shipment is recorded");
    }

    #[test]
    fn an_unpaid_order_gives_its_stock_back_at_the_deadline() {
        let (rt, clock) = shop();
        let id = InstanceId::new("order-1");
        block_on(async {
            rt.client().start(ORDER, &id, &lamp(2)).await.unwrap();
            rt.run_until_idle().await.unwrap();
        });
        assert_eq!(lamps(&rt), 1, "reserved while it waits");
        block_on(run_virtual(&rt, &clock, 59_000)).unwrap();
        assert_eq!(outcome(&rt, &id), None, "still waiting before the deadline");
        block_on(run_virtual(&rt, &clock, 61_000)).unwrap();
        assert_eq!(outcome(&rt, &id), Some(OrderOutcome::Released));
        assert_eq!(lamps(&rt), 3, "the reservation was given back");
        // A payment after the deadline changes nothing (the client may
        // refuse it, or the finished order drops it).
        block_on(async {
            let _ = rt.client().raise_event(&id, PAID, &1_500).await;
            rt.run_until_idle().await.unwrap();
        });
        assert_eq!(lamps(&rt), 3);
        let row = block_on(rt.client().status(&id)).unwrap().unwrap();
        assert_eq!(row.status, RuntimeStatus::Completed);
    }

    #[test]
    fn the_shelves_are_stocked_once() {
        let (rt, clock) = shop();
        let id = InstanceId::new("order-1");
        block_on(async {
            rt.client().start(ORDER, &id, &lamp(2)).await.unwrap();
            run_virtual(&rt, &clock, 1_000).await.unwrap();
            // The shop opens again: the emptied shelf is not filled again.
            stock_shelves(&rt.client()).await.unwrap();
        });
        assert_eq!(lamps(&rt), 1);
    }

    #[test]
    fn an_order_for_more_than_the_shelf_holds_reserves_nothing() {
        let (rt, clock) = shop();
        let id = InstanceId::new("order-1");
        block_on(async {
            rt.client().start(ORDER, &id, &lamp(4)).await.unwrap();
            run_virtual(&rt, &clock, 1_000).await.unwrap();
        });
        assert_eq!(outcome(&rt, &id), Some(OrderOutcome::OutOfStock));
        assert_eq!(lamps(&rt), 3);
    }
}
