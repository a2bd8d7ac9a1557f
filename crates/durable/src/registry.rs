//! The registry: orchestrations and activities by name.
//!
//! Owns the type erasure between typed user functions and the serde values
//! stored in history. Must never run anything by itself.

use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::activity::ActivityContext;
use crate::context::OrchestrationContext;

/// A boxed, single-threaded future (the browser has one thread).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

pub(crate) type OrchestrationFn =
    Rc<dyn Fn(OrchestrationContext, Value) -> LocalFuture<Result<Value, String>>>;
pub(crate) type ActivityFn =
    Rc<dyn Fn(ActivityContext, Value) -> LocalFuture<Result<Value, String>>>;

/// Orchestrations and activities, registered by name.
#[derive(Clone, Default)]
pub struct Registry {
    orchestrations: HashMap<String, OrchestrationFn>,
    activities: HashMap<String, ActivityFn>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `f` as the orchestration `name`. Its input and output are
    /// serde values; an error becomes the instance's failure message.
    pub fn orchestration<I, O, E, F, Fut>(&mut self, name: &str, f: F) -> &mut Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
        E: Display + 'static,
        F: Fn(OrchestrationContext, I) -> Fut + 'static,
        Fut: Future<Output = Result<O, E>> + 'static,
    {
        let f = Rc::new(f);
        let name_owned = name.to_string();
        self.orchestrations.insert(
            name.to_string(),
            Rc::new(move |ctx, input| {
                let f = f.clone();
                let name = name_owned.clone();
                Box::pin(async move {
                    let input: I = serde_json::from_value(input).map_err(|e| {
                        format!("input of orchestration {name} does not decode: {e}")
                    })?;
                    let out = f(ctx, input).await.map_err(|e| e.to_string())?;
                    serde_json::to_value(out)
                        .map_err(|e| format!("output of orchestration {name} does not encode: {e}"))
                })
            }),
        );
        self
    }

    /// Registers `f` as the activity `name`.
    pub fn activity<I, O, E, F, Fut>(&mut self, name: &str, f: F) -> &mut Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
        E: Display + 'static,
        F: Fn(ActivityContext, I) -> Fut + 'static,
        Fut: Future<Output = Result<O, E>> + 'static,
    {
        let f = Rc::new(f);
        let name_owned = name.to_string();
        self.activities.insert(
            name.to_string(),
            Rc::new(move |ctx, input| {
                let f = f.clone();
                let name = name_owned.clone();
                Box::pin(async move {
                    let input: I = serde_json::from_value(input)
                        .map_err(|e| format!("input of activity {name} does not decode: {e}"))?;
                    let out = f(ctx, input).await.map_err(|e| e.to_string())?;
                    serde_json::to_value(out)
                        .map_err(|e| format!("output of activity {name} does not encode: {e}"))
                })
            }),
        );
        self
    }

    pub(crate) fn orchestration_fn(&self, name: &str) -> Option<OrchestrationFn> {
        self.orchestrations.get(name).cloned()
    }

    pub(crate) fn activity_fn(&self, name: &str) -> Option<ActivityFn> {
        self.activities.get(name).cloned()
    }

    pub fn has_orchestration(&self, name: &str) -> bool {
        self.orchestrations.contains_key(name)
    }
}
