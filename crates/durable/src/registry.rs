//! The registry: orchestrations and activities by name.
//!
//! Owns the type erasure between typed user functions and the serde values
//! stored in history. Must never run anything by itself.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::activity::ActivityContext;
use crate::context::OrchestrationContext;
use crate::handle::{ActivityName, OrchestrationName};

/// A boxed, single-threaded future (the browser has one thread).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

pub(crate) type OrchestrationFn = Erased<OrchestrationContext>;
pub(crate) type ActivityFn = Erased<ActivityContext>;

/// A user function behind the serde values stored in history.
type Erased<C> = Rc<dyn Fn(C, Value) -> LocalFuture<Result<Value, String>>>;

/// Wraps a typed function: decodes its input, runs it, encodes its output;
/// `what` ("orchestration", "activity") names it in error messages.
fn erase<C, I, O, E, F, Fut>(what: &'static str, name: &str, f: F) -> Erased<C>
where
    C: 'static,
    I: DeserializeOwned + 'static,
    O: Serialize + 'static,
    E: Display + 'static,
    F: Fn(C, I) -> Fut + 'static,
    Fut: Future<Output = Result<O, E>> + 'static,
{
    let f = Rc::new(f);
    let name: Rc<str> = name.into();
    Rc::new(move |ctx, input| {
        let (f, name) = (f.clone(), name.clone());
        Box::pin(async move {
            let input: I = serde_json::from_value(input)
                .map_err(|e| format!("input of {what} {name} does not decode: {e}"))?;
            let out = f(ctx, input).await.map_err(|e| e.to_string())?;
            serde_json::to_value(out)
                .map_err(|e| format!("output of {what} {name} does not encode: {e}"))
        })
    })
}

/// The version [`Registry::orchestration`] registers, and the one a history
/// recorded before versions existed runs.
pub const FIRST_VERSION: u32 = 1;

/// Orchestrations (by name and version) and activities (by name). Cloning
/// is cheap (the maps are shared until one clone registers something new),
/// so every replayed execution can hold the registry it was built from.
#[derive(Clone, Default)]
pub struct Registry {
    orchestrations: Rc<HashMap<String, BTreeMap<u32, OrchestrationFn>>>,
    activities: Rc<HashMap<String, ActivityFn>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `f` as version 1 of the orchestration `name`. Its input and
    /// output are serde values; an error becomes the instance's failure
    /// message.
    pub fn orchestration<I, O, E, F, Fut>(
        &mut self,
        name: impl OrchestrationName<I, O>,
        f: F,
    ) -> &mut Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
        E: Display + 'static,
        F: Fn(OrchestrationContext, I) -> Fut + 'static,
        Fut: Future<Output = Result<O, E>> + 'static,
    {
        self.orchestration_version(name, FIRST_VERSION, f)
    }

    /// Registers `f` as `version` of the orchestration `name`, beside its
    /// other versions. New instances start on the highest version; an
    /// instance keeps the version it started on, so old code stays here as
    /// long as instances started on it may still run.
    pub fn orchestration_version<I, O, E, F, Fut>(
        &mut self,
        name: impl OrchestrationName<I, O>,
        version: u32,
        f: F,
    ) -> &mut Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
        E: Display + 'static,
        F: Fn(OrchestrationContext, I) -> Fut + 'static,
        Fut: Future<Output = Result<O, E>> + 'static,
    {
        let name = name.orchestration_name();
        Rc::make_mut(&mut self.orchestrations)
            .entry(name.to_string())
            .or_default()
            .insert(version, erase("orchestration", name, f));
        self
    }

    /// The versions of the orchestration `name` in this build, lowest first
    /// (empty: no orchestration of that name).
    pub fn versions(&self, name: &str) -> Vec<u32> {
        self.orchestrations
            .get(name)
            .map(|v| v.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The names of the orchestrations in this build, in order: what a
    /// dashboard offers to start.
    pub fn orchestration_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.orchestrations.keys().cloned().collect();
        names.sort();
        names
    }

    /// The version new instances of `name` start on: the highest.
    pub fn latest_version(&self, name: &str) -> Option<u32> {
        self.orchestrations
            .get(name)
            .and_then(|v| v.keys().next_back().copied())
    }

    /// Registers `f` as the activity `name`.
    pub fn activity<I, O, E, F, Fut>(&mut self, name: impl ActivityName<I, O>, f: F) -> &mut Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
        E: Display + 'static,
        F: Fn(ActivityContext, I) -> Fut + 'static,
        Fut: Future<Output = Result<O, E>> + 'static,
    {
        let name = name.activity_name();
        Rc::make_mut(&mut self.activities).insert(name.to_string(), erase("activity", name, f));
        self
    }

    pub(crate) fn orchestration_fn(&self, name: &str, version: u32) -> Option<OrchestrationFn> {
        self.orchestrations.get(name)?.get(&version).cloned()
    }

    pub(crate) fn activity_fn(&self, name: &str) -> Option<ActivityFn> {
        self.activities.get(name).cloned()
    }
}
