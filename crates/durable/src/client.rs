//! The client: what the UI, tests and other tabs call.
//!
//! Every call validates against the stored state and changes it with one
//! atomic commit guarded by the versions it read, so a call either happens
//! whole or returns an error and changes nothing. The client never runs
//! orchestration code: it enqueues messages that the dispatcher delivers.

use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde_json::Value;

use crate::changes::{Change, ChangeFeed, ChangeSubscription};
use crate::clock::Clock;
use crate::combinators::{select2, Either};
use crate::derive::{bound_incarnation, start_instance};
use crate::error::ClientError;
use crate::handle::{EventName, StartName};
use crate::history::{export_json, EventKind, HistoryEvent};
use crate::instance::{incarnation_token, InstanceId, InstanceRecord, RuntimeStatus};
use crate::listing::{InstanceList, ListOrder};
use crate::local_queue::SharedQueue;
use crate::store::{
    AppWrite, CommitBatch, InstancePage, InstanceQuery, Precondition, ReadValues, Reads, Store,
};
use crate::work::{Message, WorkId, WorkItem, WorkKind};

/// A new instance to start.
#[derive(Clone, Debug, PartialEq)]
pub struct StartRequest {
    /// The orchestration to run.
    pub name: String,
    /// The id to start it under.
    pub instance_id: InstanceId,
    /// Its input, as JSON.
    pub input: Value,
}

/// One atomic command: start instances, raise events and write app records
/// together, guarded by the app record versions the caller read. This is how
/// an app changes its records and signals a workflow at once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Command {
    /// Instances to start; the command is refused if one of them is active.
    pub starts: Vec<StartRequest>,
    /// (instance, event name, payload)
    pub events: Vec<(InstanceId, String, Value)>,
    /// Events raised to the life of a row the caller read: (row, event
    /// name, payload).
    pub bound_events: Vec<(InstanceRecord, String, Value)>,
    /// Writes to the app's own stores, committed with the rest.
    pub writes: Vec<AppWrite>,
    /// App record versions the command's decision was based on.
    pub expect: Vec<Precondition>,
    /// Finished instances to purge with their history, as the caller read
    /// them: refused if one is not finished or has changed since.
    pub purges: Vec<InstanceRecord>,
}

impl Command {
    /// An empty command.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a start of `orchestration` under `id` with `input`;
    /// [`ClientError::Encode`] if the input does not encode.
    pub fn start<I: Serialize>(
        mut self,
        orchestration: impl StartName<I>,
        id: &InstanceId,
        input: &I,
    ) -> Result<Self, ClientError> {
        self.starts.push(StartRequest {
            name: orchestration.start_name().to_string(),
            instance_id: id.clone(),
            input: encode(input, "orchestration input")?,
        });
        Ok(self)
    }

    /// Adds the external event `event`, with `payload`, for instance `id`;
    /// the command is refused if that instance does not exist or has
    /// finished (unless the command starts it).
    pub fn raise<I: Serialize>(
        mut self,
        id: &InstanceId,
        event: impl EventName<I>,
        payload: &I,
    ) -> Result<Self, ClientError> {
        self.events.push((
            id.clone(),
            event.event_name().to_string(),
            encode(payload, "event payload")?,
        ));
        Ok(self)
    }

    /// Raises an event to the life of `row` (an instance row the caller
    /// just read), so the commit needs no read of it; if that life ends
    /// meanwhile, the dispatcher drops the event.
    pub fn raise_to<I: Serialize>(
        mut self,
        row: &InstanceRecord,
        event: impl EventName<I>,
        payload: &I,
    ) -> Result<Self, ClientError> {
        self.bound_events.push((
            row.clone(),
            event.event_name().to_string(),
            encode(payload, "event payload")?,
        ));
        Ok(self)
    }

    /// Adds a write to an app store.
    pub fn write(mut self, w: AppWrite) -> Self {
        self.writes.push(w);
        self
    }

    /// Purges a finished instance (its row as read) with the command.
    pub fn purge(mut self, row: InstanceRecord) -> Self {
        self.purges.push(row);
        self
    }

    /// Refuse the command if the app record is no longer at `version`.
    pub fn expect_version(mut self, store: &str, key: &str, version: Option<u64>) -> Self {
        self.expect.push(Precondition::AppVersion {
            store: store.to_string(),
            key: key.to_string(),
            version,
        });
        self
    }
}

/// `v` as JSON, or the encode error naming `what` it is.
pub(crate) fn encode<I: Serialize>(v: &I, what: &str) -> Result<Value, ClientError> {
    serde_json::to_value(v).map_err(|e| ClientError::Encode {
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// `row` if it exists and is not finished, so it can `action`.
fn receiver(
    id: &InstanceId,
    row: Option<InstanceRecord>,
    action: &'static str,
) -> Result<InstanceRecord, ClientError> {
    let row = row.ok_or_else(|| ClientError::NotFound(id.clone()))?;
    if row.status.is_final() {
        return Err(ClientError::WrongStatus {
            id: id.clone(),
            status: row.status,
            action,
        });
    }
    Ok(row)
}

/// Talks to the store on behalf of the UI. Cheap to clone.
#[derive(Clone)]
pub struct Client<S: Store> {
    store: S,
    clock: Rc<dyn Clock>,
    changes: ChangeFeed,
    /// Where [`Client::subscribe`] and [`Client::wait_for_completion`]
    /// listen: by default the feed the client publishes to; a browser host
    /// sets a feed that also carries other tabs' changes.
    watch: ChangeFeed,
    /// Distinguishes this client's message ids from other tabs' (the
    /// browser host sets a random one).
    nonce: u64,
    /// Where the messages this client commits are handed to a runtime in
    /// the same tab, so it need not read the store to find them. The
    /// runtime delivers them guarded by [`Precondition::NoOtherMessage`], so
    /// one committed elsewhere first is never overtaken.
    inbox: Option<SharedQueue>,
}

/// Message ids must be unique across every client of a database.
static MESSAGE_SEQ: AtomicU64 = AtomicU64::new(0);

impl<S: Store> Client<S> {
    /// A client of `store` that takes the time from `clock` and publishes what
    /// it changes to `changes` (and listens there too).
    pub fn new(store: S, clock: Rc<dyn Clock>, changes: ChangeFeed) -> Self {
        Client {
            store,
            clock,
            watch: changes.clone(),
            changes,
            nonce: 0,
            inbox: None,
        }
    }

    /// Hands the messages this client commits to `inbox` as well.
    pub(crate) fn with_inbox(mut self, inbox: SharedQueue) -> Self {
        self.inbox = Some(inbox);
        self
    }

    /// Hands committed messages to the runtime's queue, if there is one.
    fn hand_over(&self, messages: Vec<WorkItem>) {
        if let Some(inbox) = &self.inbox {
            inbox.borrow_mut().hand_over(messages);
        }
    }

    /// Listens for changes on `feed` instead of the one it publishes to.
    pub fn with_watch_feed(mut self, feed: ChangeFeed) -> Self {
        self.watch = feed;
        self
    }

    /// Sets the nonce that keeps this client's message ids apart from those
    /// of clients in other tabs; use a random number.
    pub fn with_nonce(mut self, nonce: u64) -> Self {
        self.nonce = nonce;
        self
    }

    /// The store the client works on.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The client's clock: when a command happens.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn message_id(&self, instance: &InstanceId) -> WorkId {
        let n = MESSAGE_SEQ.fetch_add(1, Ordering::Relaxed);
        WorkId(format!(
            "{instance}#client#{}#{n}#{:x}",
            self.clock.now_ms(),
            self.nonce
        ))
    }

    /// A token for a new life of `instance`, unique across clients, tabs and
    /// page loads (the same ingredients as a message id).
    pub(crate) fn new_incarnation(&self, instance: &InstanceId) -> String {
        incarnation_token(&format!("{}#incarnation", self.message_id(instance).0))
    }

    pub(crate) fn publish(&self, change: Change) {
        self.changes.publish(change);
    }

    /// Starts an orchestration under a chosen id. Starting an id that is
    /// active is an error; a finished one is replaced.
    pub async fn start<I: Serialize>(
        &self,
        orchestration: impl StartName<I>,
        id: &InstanceId,
        input: &I,
    ) -> Result<InstanceId, ClientError> {
        self.apply(Command::new().start(orchestration, id, input)?)
            .await?;
        Ok(id.clone())
    }

    /// Raises an external event. It is kept for a Pending instance and
    /// buffered until the orchestration waits for it.
    pub async fn raise_event<I: Serialize>(
        &self,
        id: &InstanceId,
        event: impl EventName<I>,
        payload: &I,
    ) -> Result<(), ClientError> {
        self.apply(Command::new().raise(id, event, payload)?).await
    }

    /// Applies a command atomically: all of it or, with an error, none. One
    /// transaction reads the rows it starts or raises to and commits.
    pub async fn apply(&self, cmd: Command) -> Result<(), ClientError> {
        let mut instances: Vec<InstanceId> = Vec::new();
        let named = cmd.starts.iter().map(|s| &s.instance_id);
        for id in named.chain(cmd.events.iter().map(|(id, _, _)| id)) {
            if !instances.contains(id) {
                instances.push(id.clone());
            }
        }
        let reads = Reads {
            instances,
            app: Vec::new(),
        };
        let mut cmd = Some(cmd);
        self.apply_after_reading(&reads, |_| Ok::<_, ClientError>(cmd.take()))
            .await?;
        Ok(())
    }

    /// Reads `reads`, lets `decide` make a command of what it read, and
    /// applies it, as one atomic step (one transaction on IndexedDB): how a
    /// game command reads the game, applies its rule and commits. The
    /// command may start or raise to only instances in `reads` (or raise to
    /// a row it was given, [`Command::raise_to`]). `decide` runs once;
    /// `Ok(None)` commits nothing. Returns whether a command committed.
    pub async fn apply_after_reading<E: From<ClientError>>(
        &self,
        reads: &Reads,
        mut decide: impl FnMut(&ReadValues) -> Result<Option<Command>, E>,
    ) -> Result<bool, E> {
        // The caller's error waits here; the work is done once, not per
        // error type.
        let mut refused: Option<E> = None;
        let committed = self
            .apply_decided(reads, &mut |values| match decide(values) {
                Ok(cmd) => cmd,
                Err(e) => {
                    refused = Some(e);
                    None
                }
            })
            .await;
        match refused {
            Some(e) => Err(e),
            None => committed.map_err(E::from),
        }
    }

    /// [`Client::apply_after_reading`], with the decision's refusal kept by
    /// the caller.
    async fn apply_decided(
        &self,
        reads: &Reads,
        decide: &mut dyn FnMut(&ReadValues) -> Option<Command>,
    ) -> Result<bool, ClientError> {
        let now = self.clock.now_ms();
        let mut refused: Option<ClientError> = None;
        let mut changes = Vec::new();
        let mut handed = Vec::new();
        let committed = self
            .store
            .read_then_commit(reads, &mut |values| {
                let cmd = decide(values)?;
                match self.plan(cmd, reads, values, now) {
                    Ok((batch, published)) => {
                        changes = published;
                        if self.inbox.is_some() {
                            handed = batch
                                .enqueue
                                .iter()
                                .filter(|w| matches!(w.kind, WorkKind::Message(_)))
                                .filter(|w| w.due_ms().is_none())
                                .cloned()
                                .collect();
                        }
                        Some(batch)
                    }
                    Err(e) => {
                        refused = Some(e);
                        None
                    }
                }
            })
            .await?;
        if let Some(e) = refused {
            return Err(e);
        }
        if committed {
            self.hand_over(handed);
            for c in changes {
                self.changes.publish(c);
            }
        }
        Ok(committed)
    }

    /// The batch of a command, over the rows read for it, and the changes
    /// to publish once it commits.
    fn plan(
        &self,
        cmd: Command,
        reads: &Reads,
        values: &ReadValues,
        now: u64,
    ) -> Result<(CommitBatch, Vec<Change>), ClientError> {
        let read_row = |id: &InstanceId| -> Result<Option<InstanceRecord>, ClientError> {
            let at = reads.instances.iter().position(|r| r == id);
            match at.and_then(|i| values.instances.get(i)) {
                Some(row) => Ok(row.clone()),
                None => Err(ClientError::Unread(id.clone())),
            }
        };
        let mut batch = CommitBatch {
            preconditions: cmd.expect,
            app_writes: cmd.writes,
            at_ms: now,
            ..CommitBatch::default()
        };
        let mut changes = Vec::new();
        for s in cmd.starts {
            if batch.instances.iter().any(|r| r.id == s.instance_id) {
                // The same command starts it already.
                return Err(ClientError::AlreadyActive {
                    id: s.instance_id.clone(),
                    status: RuntimeStatus::Pending,
                });
            }
            let existing = read_row(&s.instance_id)?;
            if let Some(r) = existing.as_ref().filter(|r| !r.status.is_final()) {
                return Err(ClientError::AlreadyActive {
                    id: r.id.clone(),
                    status: r.status,
                });
            }
            let mut row = InstanceRecord::pending(s.instance_id.clone(), &s.name, s.input, now);
            row.incarnation = self.new_incarnation(&row.id);
            changes.push(Change::Instance {
                id: row.id.clone(),
                status: Some(row.status),
            });
            start_instance(&mut batch, row, existing.as_ref());
        }
        let mut targets = Vec::with_capacity(cmd.events.len() + cmd.bound_events.len());
        for (id, name, payload) in cmd.events {
            let started_here = batch.instances.iter().find(|r| r.id == id).cloned();
            let target = match started_here {
                Some(row) => row,
                None => receiver(&id, read_row(&id)?, "receive events")?,
            };
            targets.push((target, name, payload));
        }
        targets.extend(cmd.bound_events);
        for row in cmd.purges {
            if !row.status.is_final() {
                return Err(ClientError::WrongStatus {
                    id: row.id.clone(),
                    status: row.status,
                    action: "be purged (terminate it first)",
                });
            }
            batch.preconditions.push(Precondition::row_unchanged(&row));
            changes.push(Change::Instance {
                id: row.id.clone(),
                status: None,
            });
            batch.purge.push(row.id);
        }
        for (target, name, payload) in targets {
            // No version guard: a turn committing meanwhile must not make the
            // event fail. The event is bound to the life it was raised to:
            // if that one ends meanwhile, the dispatcher drops it.
            let id = target.id.clone();
            let message = Message::raised(&id, name, payload, bound_incarnation(&target));
            batch
                .enqueue
                .push(WorkItem::message(self.message_id(&id), message));
        }
        changes.extend(batch.enqueue.iter().map(|w| Change::Queued {
            id: w.instance_id().clone(),
        }));
        let mut stores: Vec<String> = batch
            .app_writes
            .iter()
            .map(|w| w.store().to_string())
            .collect();
        stores.sort();
        stores.dedup();
        changes.extend(stores.into_iter().map(|store| Change::AppStore { store }));
        Ok((batch, changes))
    }

    /// The row of an instance that exists and is not finished.
    async fn require(
        &self,
        id: &InstanceId,
        action: &'static str,
    ) -> Result<InstanceRecord, ClientError> {
        receiver(id, self.store.instance(id).await?, action)
    }

    async fn send_control(
        &self,
        row: &InstanceRecord,
        event: EventKind,
    ) -> Result<(), ClientError> {
        let batch = CommitBatch {
            enqueue: vec![WorkItem::message(
                self.message_id(&row.id),
                Message {
                    instance_id: row.id.clone(),
                    // Whichever execution is current when it is delivered.
                    execution: None,
                    incarnation: bound_incarnation(row),
                    event,
                    due_ms: None,
                },
            )],
            ..CommitBatch::default()
        };
        self.store.commit(batch).await?;
        self.changes.publish(Change::Queued { id: row.id.clone() });
        Ok(())
    }

    /// Terminates an instance with a reason; `recursive` also terminates its
    /// running sub-orchestrations.
    pub async fn terminate(
        &self,
        id: &InstanceId,
        reason: &str,
        recursive: bool,
    ) -> Result<(), ClientError> {
        let row = self.require(id, "be terminated").await?;
        self.send_control(
            &row,
            EventKind::ExecutionTerminated {
                reason: reason.to_string(),
            },
        )
        .await?;
        if recursive {
            let mut pending = vec![id.clone()];
            while let Some(parent) = pending.pop() {
                for e in self.store.history(&parent).await? {
                    if let EventKind::SubOrchestrationInstanceCreated {
                        instance_id,
                        detached: false,
                        ..
                    } = e.kind
                    {
                        if let Some(child) = self.store.instance(&instance_id).await? {
                            if !child.status.is_final() {
                                self.send_control(
                                    &child,
                                    EventKind::ExecutionTerminated {
                                        reason: reason.to_string(),
                                    },
                                )
                                .await?;
                            }
                            pending.push(instance_id);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Suspends a Running or Pending instance: its messages wait.
    pub async fn suspend(&self, id: &InstanceId, reason: &str) -> Result<(), ClientError> {
        let row = self.require(id, "be suspended").await?;
        if row.status == RuntimeStatus::Suspended {
            return Err(ClientError::WrongStatus {
                id: id.clone(),
                status: row.status,
                action: "be suspended",
            });
        }
        self.send_control(
            &row,
            EventKind::ExecutionSuspended {
                reason: reason.to_string(),
            },
        )
        .await
    }

    /// Resumes a suspended instance.
    pub async fn resume(&self, id: &InstanceId, reason: &str) -> Result<(), ClientError> {
        let row = self.require(id, "be resumed").await?;
        if row.status != RuntimeStatus::Suspended {
            return Err(ClientError::WrongStatus {
                id: id.clone(),
                status: row.status,
                action: "be resumed",
            });
        }
        self.send_control(
            &row,
            EventKind::ExecutionResumed {
                reason: reason.to_string(),
            },
        )
        .await
    }

    /// The instance's row, or `None` if there is no instance `id`.
    pub async fn status(&self, id: &InstanceId) -> Result<Option<InstanceRecord>, ClientError> {
        Ok(self.store.instance(id).await?)
    }

    /// The current execution's history of the instance, in event order.
    pub async fn history(&self, id: &InstanceId) -> Result<Vec<HistoryEvent>, ClientError> {
        Ok(self.store.history(id).await?)
    }

    /// The instance's history as pretty JSON.
    pub async fn export_history(&self, id: &InstanceId) -> Result<String, ClientError> {
        if self.store.instance(id).await?.is_none() {
            return Err(ClientError::NotFound(id.clone()));
        }
        Ok(export_json(&self.store.history(id).await?))
    }

    /// A page of the instances that pass `q`'s filters, in id order.
    pub async fn query(&self, q: &InstanceQuery) -> Result<InstancePage, ClientError> {
        Ok(self.store.query(q).await?)
    }

    /// A sorted page of the instances that pass `q`'s filters.
    pub async fn list(
        &self,
        q: &InstanceQuery,
        order: &ListOrder,
    ) -> Result<InstanceList, ClientError> {
        Ok(self.store.list(q, order).await?)
    }

    /// How many instances pass `q`'s filters.
    pub async fn count(&self, q: &InstanceQuery) -> Result<usize, ClientError> {
        Ok(self.store.count(q).await?)
    }

    /// The summaries of every instance matching the query's filters.
    pub async fn summaries(
        &self,
        q: &InstanceQuery,
    ) -> Result<Vec<crate::listing::InstanceSummary>, ClientError> {
        Ok(self.store.summaries(q).await?)
    }

    /// Deletes a finished instance with its history.
    pub async fn purge(&self, id: &InstanceId) -> Result<(), ClientError> {
        let row = self
            .store
            .instance(id)
            .await?
            .ok_or_else(|| ClientError::NotFound(id.clone()))?;
        if !row.status.is_final() {
            return Err(ClientError::WrongStatus {
                id: id.clone(),
                status: row.status,
                action: "be purged (terminate it first)",
            });
        }
        self.store
            .commit(CommitBatch {
                preconditions: vec![Precondition::row_unchanged(&row)],
                purge: vec![id.clone()],
                ..CommitBatch::default()
            })
            .await?;
        self.changes.publish(Change::Instance {
            id: id.clone(),
            status: None,
        });
        Ok(())
    }

    /// Purges every finished instance matching the filter; returns how many.
    pub async fn purge_where(&self, q: &InstanceQuery) -> Result<usize, ClientError> {
        let mut q = q.clone();
        q.page_size = 0;
        q.after = None;
        let rows: Vec<InstanceRecord> = self
            .store
            .query(&q)
            .await?
            .instances
            .into_iter()
            .filter(|r| r.status.is_final())
            .collect();
        if rows.is_empty() {
            return Ok(0);
        }
        let batch = CommitBatch {
            preconditions: rows.iter().map(Precondition::row_unchanged).collect(),
            purge: rows.iter().map(|r| r.id.clone()).collect(),
            ..CommitBatch::default()
        };
        self.store.commit(batch).await?;
        for r in &rows {
            self.changes.publish(Change::Instance {
                id: r.id.clone(),
                status: None,
            });
        }
        Ok(rows.len())
    }

    /// A subscription to the changes on the feed this client watches (see
    /// [`Client::with_watch_feed`]).
    pub fn subscribe(&self) -> ChangeSubscription {
        self.watch.subscribe()
    }

    /// Waits until the instance reaches a final status, or `timeout_ms` of
    /// clock time passes.
    pub async fn wait_for_completion(
        &self,
        id: &InstanceId,
        timeout_ms: u64,
    ) -> Result<InstanceRecord, ClientError> {
        let sub = self.watch.subscribe();
        let mut timeout = self.clock.sleep(timeout_ms);
        loop {
            match self.store.instance(id).await? {
                Some(r) if r.status.is_final() => return Ok(r),
                None => return Err(ClientError::NotFound(id.clone())),
                Some(_) => {}
            }
            match select2(sub.next(), timeout.as_mut()).await {
                Either::Left(_) => {}
                Either::Right(()) => {
                    return Err(ClientError::Timeout {
                        id: id.clone(),
                        ms: timeout_ms,
                    })
                }
            }
        }
    }
}
