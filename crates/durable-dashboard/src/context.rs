//! What the dashboard needs from the app that mounts it: the runtime handle
//! (a started [`Durable`]), the registry of the app's orchestrations (to
//! start them and to replay their histories), and the app's title.
//!
//! Owns nothing but those three. Must never start or stop the host: the
//! app does.

use durable::Registry;
use durable_leptos::{Durable, Topic};
use durable_web::Host;
use leptos::prelude::*;

/// The dashboard's view of the app, provided by [`provide_dashboard`].
#[derive(Clone, Copy)]
pub struct DashboardContext {
    durable: Durable,
    registry: StoredValue<Registry, LocalStorage>,
    title: StoredValue<String>,
}

impl DashboardContext {
    /// The runtime handle the dashboard reads through.
    pub fn durable(&self) -> Durable {
        self.durable
    }

    /// The host once started (untracked).
    pub(crate) fn host(&self) -> Option<Host> {
        self.durable.host()
    }

    /// The host once started, read so that the caller runs again when one
    /// of `topics` changes (a dashboard reads instances only: an app's own
    /// records changing moves none of its reads).
    pub(crate) fn tracked_host(&self, topics: &[Topic]) -> Option<Host> {
        self.durable.tracking(topics)
    }

    /// The app's registry.
    pub(crate) fn registry(&self) -> Registry {
        self.registry.get_value()
    }

    /// The app's title, for the page's title.
    pub(crate) fn title(&self) -> String {
        self.title.get_value()
    }
}

/// Provides the dashboard's context to the views below: `durable` is the
/// app's runtime handle (started, or starting), `registry` its
/// orchestrations and activities, `title` its name (the page's title reads
/// "Workflow dashboard · {title}").
pub fn provide_dashboard(durable: Durable, registry: Registry, title: &str) -> DashboardContext {
    let context = DashboardContext {
        durable,
        registry: StoredValue::new_local(registry),
        title: StoredValue::new(title.to_string()),
    };
    provide_context(context);
    context
}

/// The context [`provide_dashboard`] gave.
///
/// # Panics
/// If no view above called [`provide_dashboard`]: a mistake in the app's
/// code.
pub(crate) fn use_dashboard() -> DashboardContext {
    expect_context::<DashboardContext>()
}
