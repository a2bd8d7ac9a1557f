//! Typed handles: an activity, an orchestration or an external event
//! declared once, by name and by the types that cross it.
//!
//! Owns the compile-time link between a name and its input and output
//! types. Every call that takes a name ([`Registry::activity`],
//! [`OrchestrationContext::call_activity`], [`Client::start`],
//! [`Client::raise_event`] …) takes either a handle, which fixes the types,
//! or a plain string, which leaves them to the caller (the dashboard, and
//! other dynamic uses). Must never hold anything but the name.
//!
//! ```
//! use durable::{Activity, ExternalEvent, Orchestration};
//!
//! /// Reserves `quantity` of an item; returns the reservation id.
//! pub const RESERVE: Activity<(String, u32), String> = Activity::new("Reserve");
//! /// An order: its id in, how it ended out.
//! pub const ORDER: Orchestration<String, String> = Orchestration::new("Order");
//! /// Payment arrived, with its amount in cents.
//! pub const PAID: ExternalEvent<u64> = ExternalEvent::new("Paid");
//! assert_eq!(RESERVE.name(), "Reserve");
//! ```
//!
//!
//! The types are checked where the handle is used. This registers and calls
//! an activity as declared:
//!
//! ```
//! use durable::{Activity, ActivityError, OrchestrationContext, Registry, TaskError};
//! const DOUBLE: Activity<u32, u64> = Activity::new("Double");
//! async fn twice(ctx: OrchestrationContext, n: u32) -> Result<u64, TaskError> {
//!     let doubled: u64 = ctx.call_activity(DOUBLE, &n).await?;
//!     Ok(doubled)
//! }
//! let mut r = Registry::new();
//! r.activity(DOUBLE, |_ctx, n: u32| async move { Ok::<_, ActivityError>(u64::from(n) * 2) })
//!     .orchestration("Twice", twice);
//! ```
//!
//! and this starts an orchestration and raises an event as declared:
//!
//! ```
//! use durable::{Client, ExternalEvent, InMemoryStore, InstanceId, Orchestration};
//! const ORDER: Orchestration<String, String> = Orchestration::new("Order");
//! const PAID: ExternalEvent<u64> = ExternalEvent::new("Paid");
//! async fn order_and_pay(client: Client<InMemoryStore>) {
//!     let id = InstanceId::new("o1");
//!     client.start(ORDER, &id, &"lamp".to_string()).await.unwrap();
//!     client.raise_event(&id, PAID, &42).await.unwrap();
//! }
//! ```
//!
//! The same code with the activity's input taken as a string does not
//! compile:
//!
//! ```compile_fail,E0631
//! use durable::{Activity, ActivityError, Registry};
//! const DOUBLE: Activity<u32, u64> = Activity::new("Double");
//! let mut r = Registry::new();
//! r.activity(DOUBLE, |_ctx, n: String| async move { Ok::<_, ActivityError>(n.len() as u64) });
//! ```
//!
//! nor does awaiting its output as another type:
//!
//! ```compile_fail,E0308
//! use durable::{Activity, OrchestrationContext, TaskError};
//! const DOUBLE: Activity<u32, u64> = Activity::new("Double");
//! async fn twice(ctx: OrchestrationContext, n: u32) -> Result<u64, TaskError> {
//!     let doubled: String = ctx.call_activity(DOUBLE, &n).await?;
//!     Ok(doubled.len() as u64)
//! }
//! ```
//!
//! nor starting an orchestration with the wrong input:
//!
//! ```compile_fail,E0308
//! use durable::{Client, InMemoryStore, InstanceId, Orchestration};
//! const ORDER: Orchestration<String, String> = Orchestration::new("Order");
//! async fn order(client: Client<InMemoryStore>) {
//!     client.start(ORDER, &InstanceId::new("o1"), &42u32).await.unwrap();
//! }
//! ```
//!
//! nor raising an event with the wrong payload:
//!
//! ```compile_fail,E0308
//! use durable::{Client, ExternalEvent, InMemoryStore, InstanceId};
//! const PAID: ExternalEvent<u64> = ExternalEvent::new("Paid");
//! async fn pay(client: Client<InMemoryStore>) {
//!     client.raise_event(&InstanceId::new("o1"), PAID, &"forty-two").await.unwrap();
//! }
//! ```
//!
//! [`Registry::activity`]: crate::Registry::activity
//! [`OrchestrationContext::call_activity`]: crate::OrchestrationContext::call_activity
//! [`Client::start`]: crate::Client::start
//! [`Client::raise_event`]: crate::Client::raise_event

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::error::ClientError;
use crate::instance::InstanceRecord;

/// Declares the handle types: the same shape, a different kind of name.
macro_rules! handle {
    ($(#[$doc:meta])* $handle:ident <$($t:ident),+>, $kind:literal) => {
        $(#[$doc])*
        pub struct $handle<$($t),+> {
            name: &'static str,
            types: PhantomData<fn($($t),+)>,
        }

        impl<$($t),+> $handle<$($t),+> {
            #[doc = concat!("The ", $kind, " registered under `name`.")]
            pub const fn new(name: &'static str) -> Self {
                Self { name, types: PhantomData }
            }

            #[doc = concat!("The ", $kind, "'s name, as histories record it.")]
            pub const fn name(&self) -> &'static str {
                self.name
            }
        }

        impl<$($t),+> Clone for $handle<$($t),+> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<$($t),+> Copy for $handle<$($t),+> {}

        impl<$($t),+> fmt::Debug for $handle<$($t),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", $kind, self.name)
            }
        }

        impl<$($t),+> PartialEq for $handle<$($t),+> {
            fn eq(&self, other: &Self) -> bool {
                self.name == other.name
            }
        }
    };
}

handle!(
    /// An activity taking `I` and returning `O`.
    Activity<I, O>, "activity"
);
handle!(
    /// An orchestration taking `I` and returning `O`.
    Orchestration<I, O>, "orchestration"
);
handle!(
    /// An external event carrying `T`.
    ExternalEvent<T>, "external event"
);

impl<I, O: DeserializeOwned> Orchestration<I, O> {
    /// The output of a completed instance of this orchestration, decoded:
    /// `None` while it has none (running, failed, terminated).
    pub fn output_of(&self, row: &InstanceRecord) -> Result<Option<O>, ClientError> {
        let Some(output) = &row.output else {
            return Ok(None);
        };
        O::deserialize(output)
            .map(Some)
            .map_err(|e| ClientError::Decode {
                what: format!("output of {} {}", self.name, row.id),
                message: e.to_string(),
            })
    }
}

/// An activity's name, typed ([`Activity`]) or not (a string).
pub trait ActivityName<I, O> {
    /// The name the activity is registered under.
    fn activity_name(&self) -> &str;
}

/// An orchestration's name, typed ([`Orchestration`]) or not (a string).
pub trait OrchestrationName<I, O> {
    /// The name the orchestration is registered under.
    fn orchestration_name(&self) -> &str;
}

/// What starting an orchestration needs to know: its name, and (for an
/// [`Orchestration`]) its input type. A start does not wait for the output,
/// so a plain string starts anything without naming one.
pub trait StartName<I> {
    /// The name the orchestration is registered under.
    fn start_name(&self) -> &str;
}

impl<I, O> StartName<I> for Orchestration<I, O> {
    fn start_name(&self) -> &str {
        self.name
    }
}

/// An external event's name, typed ([`ExternalEvent`]) or not (a string).
pub trait EventName<T> {
    /// The event's name.
    fn event_name(&self) -> &str;
}

impl<I, O> ActivityName<I, O> for Activity<I, O> {
    fn activity_name(&self) -> &str {
        self.name
    }
}

impl<I, O> OrchestrationName<I, O> for Orchestration<I, O> {
    fn orchestration_name(&self) -> &str {
        self.name
    }
}

impl<T> EventName<T> for ExternalEvent<T> {
    fn event_name(&self) -> &str {
        self.name
    }
}

/// Plain strings name anything, with the types left to the caller.
macro_rules! untyped {
    ($($name:ty),+) => {$(
        impl<I, O> ActivityName<I, O> for $name {
            fn activity_name(&self) -> &str {
                self
            }
        }

        impl<I, O> OrchestrationName<I, O> for $name {
            fn orchestration_name(&self) -> &str {
                self
            }
        }

        impl<I> StartName<I> for $name {
            fn start_name(&self) -> &str {
                self
            }
        }

        impl<T> EventName<T> for $name {
            fn event_name(&self) -> &str {
                self
            }
        }
    )+};
}

untyped!(&str, &String, String);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{InstanceId, RuntimeStatus};

    const ORDER: Orchestration<String, u32> = Orchestration::new("Order");

    fn row(output: Option<serde_json::Value>) -> InstanceRecord {
        let input = serde_json::json!("o1");
        let mut r = InstanceRecord::pending(InstanceId::new("o1"), "Order", input, 0);
        r.status = RuntimeStatus::Completed;
        r.output = output;
        r
    }

    #[test]
    fn a_handle_names_what_it_declares() {
        assert_eq!(ORDER.name(), "Order");
        assert_eq!(ORDER.orchestration_name(), "Order");
        assert_eq!(format!("{ORDER:?}"), "orchestration Order");
        let copy = ORDER;
        assert_eq!(copy, ORDER);
    }

    #[test]
    fn handles_and_strings_give_their_names_through_the_name_traits() {
        const NARRATE: Activity<String, ()> = Activity::new("Narrate");
        const PAID: ExternalEvent<u64> = ExternalEvent::new("Paid");
        fn activity<I, O>(a: impl ActivityName<I, O>) -> String {
            a.activity_name().to_string()
        }
        fn event<T>(e: impl EventName<T>) -> String {
            e.event_name().to_string()
        }
        fn start<I>(o: impl StartName<I>) -> String {
            o.start_name().to_string()
        }
        assert_eq!(activity(NARRATE), "Narrate");
        assert_eq!(event(PAID), "Paid");
        assert_eq!(start(ORDER), "Order");
        let owned = String::from("Dynamic");
        assert_eq!(activity::<(), ()>("Dynamic"), "Dynamic");
        assert_eq!(event::<()>(&owned), "Dynamic");
        assert_eq!(start::<()>(owned.clone()), "Dynamic");
        assert_eq!(
            <&str as OrchestrationName<(), ()>>::orchestration_name(&"Dynamic"),
            "Dynamic"
        );
    }

    #[test]
    fn output_of_decodes_the_rows_output() {
        assert_eq!(ORDER.output_of(&row(Some(7.into()))).unwrap(), Some(7));
        assert_eq!(ORDER.output_of(&row(None)).unwrap(), None);
        let err = ORDER.output_of(&row(Some("seven".into()))).unwrap_err();
        assert!(err.to_string().contains("output of Order o1"), "{err}");
    }
}
