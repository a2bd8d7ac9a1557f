//! The hooks: a signal of an instance, of a query, of an app store's
//! records, each re-read only when what it shows changed; and commands
//! with their result and pending state.
//!
//! Owns no state of its own: every hook reads through the [`Durable`]
//! provided above it. Must never write except through a command.

use std::future::Future;

use durable::{
    AppRecord, ClientError, InstanceId, InstancePage, InstanceQuery, InstanceRecord, Store,
};
use durable_web::Host;
use leptos::prelude::*;

use crate::context::{use_durable, Durable};
use crate::topics::Topic;

/// What a hook has read so far.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading<T> {
    /// Not read yet: the host has not started, or the first read is on its
    /// way. Later re-reads keep showing the last value instead.
    Loading,
    /// The latest value read.
    Ready(T),
    /// The read failed; the message says why.
    Failed(ClientError),
    /// The host could not start (the database would not open, …), so
    /// nothing can be read; the message says why.
    HostFailed(String),
}

impl<T> Reading<T> {
    /// The value, once read.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Reading::Ready(v) => Some(v),
            _ => None,
        }
    }

    /// True until the first read is done.
    pub fn is_loading(&self) -> bool {
        matches!(self, Reading::Loading)
    }
}

impl<T> From<Result<T, ClientError>> for Reading<T> {
    fn from(r: Result<T, ClientError>) -> Self {
        match r {
            Ok(v) => Reading::Ready(v),
            Err(e) => Reading::Failed(e),
        }
    }
}

/// A signal of what `read` returns, read through the host once it started
/// and again whenever one of the topics `topics_of` names changes. While
/// the key changes, the value read for the old key is never shown as the
/// new one's: it is `Loading` until the new key's read lands.
fn use_read<K, T, Fut>(
    key: Signal<K>,
    topics_of: impl Fn(&K) -> Vec<Topic> + 'static,
    read: impl Fn(Host, K) -> Fut + 'static,
) -> Signal<Reading<T>>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ClientError>> + 'static,
{
    let durable: Durable = use_durable();
    let resource = LocalResource::new(move || {
        let key = key.get();
        let read = durable
            .tracking(&topics_of(&key))
            .map(|host| read(host, key.clone()));
        async move {
            let reading = match read {
                Some(read) => Reading::from(read.await),
                None => Reading::Loading,
            };
            (key, reading)
        }
    });
    Signal::derive(move || {
        if let Some(why) = durable.failure.get() {
            return Reading::HostFailed(why);
        }
        match resource.get() {
            Some((read_for, reading)) if read_for == key.get() => reading,
            _ => Reading::Loading,
        }
    })
}

/// The row of the instance `id`: `Ready(None)` while there is none. It
/// re-reads when that instance changes, in this tab or another.
pub fn use_instance(id: impl Into<Signal<InstanceId>>) -> Signal<Reading<Option<InstanceRecord>>> {
    use_read(
        id.into(),
        |id: &InstanceId| vec![Topic::Instance(id.as_str().to_string())],
        |host, id| async move { host.client().status(&id).await },
    )
}

/// One page of the instances `query` matches. It re-reads when any
/// instance changes.
pub fn use_query(query: impl Into<Signal<InstanceQuery>>) -> Signal<Reading<InstancePage>> {
    use_read(
        query.into(),
        |_: &InstanceQuery| vec![Topic::Instances],
        |host, query| async move { host.client().query(&query).await },
    )
}

/// Every record of the app store `store`, in key order. It re-reads when a
/// record of that store changes.
pub fn use_records(store: impl Into<Signal<String>>) -> Signal<Reading<Vec<AppRecord>>> {
    use_read(
        store.into(),
        |store: &String| vec![Topic::Store(store.clone())],
        |host, store| async move {
            let records = host.client().store().app_records(&store).await;
            records.map_err(ClientError::from)
        },
    )
}

/// Why a command did not run or failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CommandError<E> {
    /// The host has not started (or could not): nothing was sent.
    #[error("the workflows have not started yet; try again in a moment")]
    NotStarted,
    /// The command ran and failed.
    #[error(transparent)]
    Failed(E),
}

/// A command: `run` with the host and the input, dispatched with
/// `.dispatch(input)`. The action's `value()` is the last result, its
/// `pending()` whether one is on its way, so a view needs no state of its
/// own to show either.
pub fn use_command<I, T, E, F, Fut>(run: F) -> Action<I, Result<T, CommandError<E>>>
where
    I: Clone + Send + Sync + 'static,
    T: Send + Sync + 'static,
    E: Send + Sync + 'static,
    F: Fn(Host, I) -> Fut + 'static,
    Fut: Future<Output = Result<T, E>> + 'static,
{
    let durable = use_durable();
    Action::new_unsync(move |input: &I| {
        let run = durable.host().map(|host| run(host, input.clone()));
        async move {
            match run {
                Some(run) => run.await.map_err(CommandError::Failed),
                None => Err(CommandError::NotStarted),
            }
        }
    })
}
