//! The runtime in a Leptos app: one [`Durable`] per app (or per module),
//! provided through context, holding the browser host once it has started
//! and following its change feed.
//!
//! Owns the host's lifetime in the view tree and the per-topic counters.
//! Must never decide anything about instances: it reads and forwards.

use durable::Registry;
use durable_web::{Host, HostOptions};
use leptos::prelude::*;

use crate::topics::{Topic, Topics};

/// The runtime as views see it: the host once started (`ready`), why it
/// could not start (`failure`), a counter of every change, and one counter
/// per [`Topic`] a view tracks. Copy it freely; it lives as long as the
/// view that made it.
#[derive(Clone, Copy)]
pub struct Durable {
    host: StoredValue<Option<Host>, LocalStorage>,
    topics: StoredValue<Topics, LocalStorage>,
    /// True once the host has started.
    pub ready: RwSignal<bool>,
    /// Why the host could not start (the database would not open, …).
    pub failure: RwSignal<Option<String>>,
    /// Moves on every change, in this tab or another.
    pub changes: RwSignal<u64>,
}

impl Default for Durable {
    fn default() -> Self {
        Self::new()
    }
}

impl Durable {
    /// A runtime handle with no host yet: [`Durable::start`] or
    /// [`Durable::attach`] gives it one.
    pub fn new() -> Self {
        Durable {
            host: StoredValue::new_local(None),
            topics: StoredValue::new_local(Topics::default()),
            ready: RwSignal::new(false),
            failure: RwSignal::new(None),
            changes: RwSignal::new(0),
        }
    }

    /// Starts a host on the database `name` with `registry`, then follows
    /// it: views that read through this handle re-read when what they
    /// track changes. `on_ready` runs once, with the host, before views see
    /// it (an app builds its own client-side state there).
    pub fn start(
        self,
        name: &str,
        registry: Registry,
        options: HostOptions,
        on_ready: impl FnOnce(&Host) + 'static,
    ) {
        let name = name.to_string();
        leptos::task::spawn_local(async move {
            match Host::start(&name, registry, options).await {
                // The view that made this handle went while the host started.
                Ok(host) if self.changes.try_get_untracked().is_none() => host.shutdown(),
                Ok(host) => {
                    on_ready(&host);
                    self.attach(host);
                }
                Err(e) => {
                    let _ = self.failure.try_set(Some(e.to_string()));
                }
            }
        });
    }

    /// Follows a host started elsewhere. If the view that made this handle
    /// is gone already, the host is shut down; a host this handle followed
    /// before is shut down too (one host per handle).
    pub fn attach(self, host: Host) {
        if self.changes.try_get_untracked().is_none() {
            host.shutdown();
            return;
        }
        if let Some(before) = self.host() {
            before.shutdown();
        }
        let sub = host.subscribe();
        self.host.set_value(Some(host));
        self.ready.set(true);
        leptos::task::spawn_local(async move {
            loop {
                let mut changes = vec![sub.next().await];
                changes.extend(sub.drain());
                // Gone with the view that owned this handle.
                let Some(topics) = self.topics.try_get_value() else {
                    break;
                };
                topics.take_in(&changes);
                if self.changes.try_update(|n| *n += 1).is_none() {
                    break;
                }
            }
        });
    }

    /// The host, once started (untracked).
    pub fn host(&self) -> Option<Host> {
        self.host.try_get_value().flatten()
    }

    /// The host, once started, read so that the calling view or resource
    /// runs again when it starts and when one of `topics` changes (and on
    /// nothing else).
    pub fn tracking(&self, topics: &[Topic]) -> Option<Host> {
        if let Some(t) = self.topics.try_get_value() {
            for topic in topics {
                t.track(topic.clone());
            }
        }
        self.ready.get().then(|| self.host()).flatten()
    }

    /// The host, once started, read so that the calling view or resource
    /// runs again when it starts and whenever anything changes.
    pub fn tracking_everything(&self) -> Option<Host> {
        self.changes.track();
        self.ready.get().then(|| self.host()).flatten()
    }

    /// Stops the host (it lets go of the executor's lock, and another tab
    /// takes over); nothing if it never started or this handle is gone.
    pub fn shut_down(&self) {
        if let Some(host) = self.host() {
            host.shutdown();
        }
    }
}

/// Starts a host on `database` with `registry`, provides it to every view
/// below through context, and shuts it down when the calling view goes.
pub fn provide_durable(database: &str, registry: Registry, options: HostOptions) -> Durable {
    let durable = Durable::new();
    provide_context(durable);
    durable.start(database, registry, options, |_| {});
    on_cleanup(move || durable.shut_down());
    durable
}

/// The [`Durable`] provided above this view.
///
/// # Panics
/// If no view above provided one ([`provide_durable`], or
/// `provide_context(Durable::new())`): a mistake in the app's code, not
/// something its input can cause.
pub fn use_durable() -> Durable {
    expect_context::<Durable>()
}
