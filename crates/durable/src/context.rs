//! The orchestration context: everything an orchestration may call.
//!
//! Owns the per-execution decision state: which actions the code has issued,
//! which completions have arrived, buffered external events, orchestration
//! time. Every action is matched against the recorded history (replay) or
//! recorded as a new event (live). Durable futures resolve only from
//! delivered history events, never from I/O, so replay issues the same
//! actions in the same order. This module must never read a clock, a random
//! source or storage.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::activity_options::ActivityOptions;
use crate::combinators::{select2, Either};
use crate::error::{NonDeterminism, TaskError};
use crate::handle::{ActivityName, EventName, OrchestrationName, StartName};
use crate::history::{EventKind, HistoryEvent};
use crate::instance::InstanceId;
use crate::matching::{same_action, Scheduled};
use crate::retry::RetryPolicy;

/// How a scheduled task ended, as delivered from history.
#[derive(Clone, Debug)]
pub(crate) enum Completion {
    Ok(Value),
    Err(String),
}

/// A line written with [`OrchestrationContext::log`] during a live turn.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    /// The instance whose orchestration wrote it.
    pub instance_id: InstanceId,
    /// The execution that wrote it (continue-as-new starts the next one,
    /// with a history of its own).
    #[serde(default)]
    pub execution: u32,
    /// Where in that execution's history it was written: the id of the next
    /// event the turn recorded after it (so the line sits just before that
    /// event).
    #[serde(default)]
    pub event_id: u64,
    /// Orchestration time of the turn that wrote it (ms since the Unix epoch).
    pub at_ms: u64,
    /// The text written.
    pub message: String,
}

/// What an inspected execution's last poll waited on; a wait dropped since
/// is taken off.
#[derive(Default)]
pub(crate) struct Waits {
    /// External events, by name (once per pending wait).
    pub events: Vec<String>,
    /// Activities, timers and sub-orchestrations, by the id of the event
    /// that scheduled them.
    pub tasks: Vec<u64>,
}

pub(crate) struct ContextState {
    pub instance_id: InstanceId,
    pub execution: u32,
    /// The instance's incarnation, from its ExecutionStarted event.
    pub incarnation: String,
    pub now_ms: u64,
    pub replaying: bool,
    /// Actions are only accepted while the orchestration is being polled;
    /// dropping the future from outside (eviction) records nothing.
    pub polling: bool,
    /// Action events of the stored history, in order: action n of the code
    /// must match `recorded[n]`.
    recorded: Vec<HistoryEvent>,
    next_seq: usize,
    /// Every action of this execution, recorded or new, by event id: what a
    /// completion may answer.
    scheduled: HashMap<u64, Scheduled>,
    pub next_event_id: u64,
    /// Events produced by the current turn, in order.
    pub new_events: Vec<HistoryEvent>,
    completions: HashMap<u64, Completion>,
    /// Timers that fired or were cancelled: dropping them records nothing.
    settled_timers: HashSet<u64>,
    /// External events not yet taken by a wait, in arrival order.
    pub buffered_events: VecDeque<(String, Value)>,
    pub custom_status: Option<Value>,
    /// What the code's last poll waited on, noted only while an inspection
    /// replays the history (`None` otherwise: live turns do no such work).
    pub waits: Option<Waits>,
    guid_counter: u64,
    pub nondeterminism: Option<NonDeterminism>,
    /// A fatal error in how the code used the context (input not encodable).
    pub fatal: Option<String>,
    pub continue_as_new: Option<Value>,
    pub logs: Vec<LogLine>,
    /// Activities scheduled and not answered yet, by the id of their
    /// TaskScheduled event (a terminate takes their tasks off the queue).
    pub open_activities: std::collections::BTreeSet<u64>,
}

impl ContextState {
    pub(crate) fn new(instance_id: InstanceId, execution: u32, history: &[HistoryEvent]) -> Self {
        ContextState {
            instance_id,
            execution,
            incarnation: String::new(),
            now_ms: 0,
            replaying: false,
            polling: false,
            recorded: history
                .iter()
                .filter(|e| e.kind.is_action())
                .cloned()
                .collect(),
            next_seq: 0,
            scheduled: history
                .iter()
                .filter_map(|e| Some((e.event_id, Scheduled::of(&e.kind)?)))
                .collect(),
            next_event_id: history.len() as u64,
            new_events: Vec::new(),
            completions: HashMap::new(),
            settled_timers: HashSet::new(),
            buffered_events: VecDeque::new(),
            custom_status: None,
            waits: None,
            guid_counter: 0,
            nondeterminism: None,
            fatal: None,
            continue_as_new: None,
            logs: Vec::new(),
            open_activities: std::collections::BTreeSet::new(),
        }
    }

    /// Records (live) or matches (replay) one decision of the code and
    /// returns the event id that identifies it.
    fn issue(&mut self, kind: EventKind) -> u64 {
        let is_activity = matches!(kind, EventKind::TaskScheduled { .. });
        let id = self.issue_action(kind);
        if is_activity {
            self.open_activities.insert(id);
        }
        id
    }

    /// [`ContextState::issue`], for any action.
    fn issue_action(&mut self, kind: EventKind) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some(recorded) = self.recorded.get(seq) {
            if !same_action(&recorded.kind, &kind) && self.nondeterminism.is_none() {
                self.nondeterminism = Some(NonDeterminism::Mismatch {
                    position: seq,
                    event_id: recorded.event_id,
                    recorded: recorded.kind.describe_action(),
                    new: kind.describe_action(),
                });
            }
            return recorded.event_id;
        }
        if self.replaying {
            // The history ends at a turn boundary, so during replay every
            // action the code issues must already be recorded.
            self.nondeterminism.get_or_insert(NonDeterminism::Extra {
                position: seq,
                new: kind.describe_action(),
            });
            return u64::MAX;
        }
        self.push_event(kind)
    }

    /// Whether the code takes the new branch of `change_id` at this point
    /// (see [`OrchestrationContext::patched`]); `record` is false for a
    /// deprecated patch, which only consumes a marker the history has.
    fn patch(&mut self, change_id: &str, record: bool) -> bool {
        let seq = self.next_seq;
        match self.recorded.get(seq).map(|e| &e.kind) {
            Some(EventKind::MarkerRecorded { change_id: c }) if c == change_id => {
                self.next_seq += 1;
                true
            }
            // The history did something else here: it ran the old code.
            Some(_) => false,
            // Replay of a history that ended before this point: the old
            // code ran up to the end, and no action of it was recorded here.
            None if self.replaying => false,
            None if record => {
                self.next_seq += 1;
                self.push_event(EventKind::MarkerRecorded {
                    change_id: change_id.to_string(),
                });
                true
            }
            None => true,
        }
    }

    /// Notes that the last poll waits on the action `id` (inspection only).
    fn note_task(&mut self, id: u64) {
        if let Some(w) = self.waits.as_mut() {
            w.tasks.push(id);
        }
    }

    /// Takes a given-up wait for the action `id` off (inspection only).
    fn unnote_task(&mut self, id: u64) {
        if let Some(w) = self.waits.as_mut() {
            if let Some(at) = w.tasks.iter().position(|t| *t == id) {
                w.tasks.remove(at);
            }
        }
    }

    /// Appends an event to the current turn and returns its id.
    pub(crate) fn push_event(&mut self, kind: EventKind) -> u64 {
        let id = self.next_event_id;
        self.next_event_id += 1;
        if let Some(scheduled) = Scheduled::of(&kind) {
            self.scheduled.insert(id, scheduled);
        }
        self.new_events.push(HistoryEvent {
            event_id: id,
            timestamp_ms: self.now_ms,
            kind,
        });
        id
    }

    /// Checks that every action recorded before `event_id` was issued again.
    pub(crate) fn check_nothing_missing_before(&mut self, event_id: u64) {
        if self.nondeterminism.is_some() {
            return;
        }
        if let Some(missing) = self.recorded.get(self.next_seq) {
            if missing.event_id < event_id {
                self.nondeterminism = Some(NonDeterminism::Missing {
                    position: self.next_seq,
                    event_id: missing.event_id,
                    recorded: missing.kind.describe_action(),
                });
            }
        }
    }

    /// Forgets the events of a turn that is discarded: their ids are used
    /// again.
    pub(crate) fn forget_events(&mut self, events: &[HistoryEvent]) {
        for e in events {
            self.scheduled.remove(&e.event_id);
        }
    }

    /// Delivers a history event that answers or feeds the orchestration.
    /// A completion that answers no action of its kind is refused: it is
    /// noted as NonDeterminism and `false` is returned.
    pub(crate) fn deliver(&mut self, kind: &EventKind) -> bool {
        if let (Some(expected), Some(scheduled_id)) = (Scheduled::answered_by(kind), kind.answers())
        {
            let found = self.scheduled.get(&scheduled_id).copied();
            if found != Some(expected) {
                self.nondeterminism
                    .get_or_insert(NonDeterminism::UnmatchedCompletion {
                        completion: kind.name().to_string(),
                        scheduled_id,
                        scheduled: found.map(|s| s.describe().to_string()),
                    });
                return false;
            }
            if expected == Scheduled::Task {
                self.open_activities.remove(&scheduled_id);
            }
        }
        match kind {
            EventKind::TaskCompleted {
                scheduled_id,
                result,
                ..
            }
            | EventKind::SubOrchestrationInstanceCompleted {
                scheduled_id,
                result,
            } => {
                self.completions
                    .insert(*scheduled_id, Completion::Ok(result.clone()));
            }
            EventKind::TaskFailed {
                scheduled_id,
                error,
                ..
            }
            | EventKind::SubOrchestrationInstanceFailed {
                scheduled_id,
                error,
            } => {
                self.completions
                    .insert(*scheduled_id, Completion::Err(error.clone()));
            }
            EventKind::TimerFired { scheduled_id, .. } => {
                self.settled_timers.insert(*scheduled_id);
                self.completions
                    .insert(*scheduled_id, Completion::Ok(Value::Null));
            }
            EventKind::EventRaised { name, input } => {
                self.buffered_events
                    .push_back((name.clone(), input.clone()));
            }
            _ => {}
        }
        true
    }

    pub(crate) fn actions_issued(&self) -> usize {
        self.next_seq
    }
}

/// The handle an orchestration uses to make durable decisions. Cheap to
/// clone; all clones share one execution's state.
#[derive(Clone)]
pub struct OrchestrationContext {
    pub(crate) state: Rc<RefCell<ContextState>>,
}

impl OrchestrationContext {
    pub(crate) fn new(state: ContextState) -> Self {
        OrchestrationContext {
            state: Rc::new(RefCell::new(state)),
        }
    }

    /// The id of the instance this execution belongs to.
    pub fn instance_id(&self) -> InstanceId {
        self.state.borrow().instance_id.clone()
    }

    /// Orchestration time: the timestamp of the current turn's
    /// OrchestratorStarted event, identical on replay.
    pub fn now_ms(&self) -> u64 {
        self.state.borrow().now_ms
    }

    /// True while the code re-runs recorded history.
    pub fn is_replaying(&self) -> bool {
        self.state.borrow().replaying
    }

    /// A deterministic GUID: the same on every replay of this execution.
    pub fn new_guid(&self) -> String {
        let mut s = self.state.borrow_mut();
        s.guid_counter += 1;
        let seed = if s.incarnation.is_empty() {
            format!("{}#{}#{}", s.instance_id, s.execution, s.guid_counter)
        } else {
            let (id, inc) = (&s.instance_id, &s.incarnation);
            format!("{id}@{inc}#{}#{}", s.execution, s.guid_counter)
        };
        let a = fnv1a(seed.as_bytes(), 0xcbf2_9ce4_8422_2325);
        let b = fnv1a(seed.as_bytes(), 0x8422_2325_cbf2_9ce4);
        format!(
            "{:08x}-{:04x}-5{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// A replay-safe log: lines are kept only when not replaying, so each is
    /// written once.
    pub fn log(&self, message: impl Into<String>) {
        let mut s = self.state.borrow_mut();
        if !s.replaying {
            let line = LogLine {
                instance_id: s.instance_id.clone(),
                execution: s.execution,
                event_id: s.next_event_id,
                at_ms: s.now_ms,
                message: message.into(),
            };
            s.logs.push(line);
        }
    }

    /// Versioning: whether this execution takes the new branch of the change
    /// `change_id`, as Temporal's `patched` does. Code running live (a new
    /// execution, or one that replayed past this point) takes it and records
    /// a `MarkerRecorded` event; the replay of a history that reached this
    /// point without that marker takes the old branch, so a game started on
    /// the old code finishes on it.
    ///
    /// ```text
    /// if ctx.patched("narrate-countdown") { new code } else { old code }
    /// ```
    ///
    /// A marker in the history where the code asks for no patch is
    /// NonDeterminism. Once no stored history can reach this point without
    /// the marker, replace the call with [`Self::deprecate_patch`] and
    /// delete the old branch.
    pub fn patched(&self, change_id: &str) -> bool {
        self.state.borrow_mut().patch(change_id, true)
    }

    /// The second step of retiring a patch: the code always takes the new
    /// branch. A history that recorded the marker here still replays (the
    /// marker is consumed); nothing new is recorded, so once no stored
    /// history has the marker, the call itself can be deleted.
    pub fn deprecate_patch(&self, change_id: &str) {
        self.state.borrow_mut().patch(change_id, false);
    }

    /// Sets the custom status shown on the instance row.
    pub fn set_custom_status<T: Serialize>(&self, status: &T) {
        let v = self.encode(status, "custom status");
        self.state.borrow_mut().custom_status = Some(v);
    }

    fn encode<T: Serialize>(&self, value: &T, what: &str) -> Value {
        serde_json::to_value(value).unwrap_or_else(|e| {
            let mut s = self.state.borrow_mut();
            s.fatal
                .get_or_insert_with(|| format!("could not encode {what} as JSON: {e}"));
            Value::Null
        })
    }

    fn issue(&self, kind: EventKind) -> u64 {
        self.state.borrow_mut().issue(kind)
    }

    /// Schedules an activity; the future resolves with its result.
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn call_activity<I: Serialize, O: DeserializeOwned>(
        &self,
        activity: impl ActivityName<I, O>,
        input: &I,
    ) -> TaskFuture<O> {
        let name = activity.activity_name();
        let input = self.encode(input, "activity input");
        self.schedule_activity(name, input, None)
    }

    /// Issues one attempt of an activity, each attempt at most `timeout_ms`.
    fn schedule_activity<O>(
        &self,
        name: &str,
        input: Value,
        timeout_ms: Option<u64>,
    ) -> TaskFuture<O> {
        let id = self.issue(EventKind::TaskScheduled {
            name: name.to_string(),
            input,
            timeout_ms,
        });
        TaskFuture::new(self.clone(), id, name, TaskKind::Activity)
    }

    /// Calls an activity, retrying failures on durable timers; an error the
    /// policy names as not retryable ends the call at once.
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn call_activity_with_retry<I, O>(
        &self,
        activity: impl ActivityName<I, O>,
        input: &I,
        policy: RetryPolicy,
    ) -> Pin<Box<dyn Future<Output = Result<O, TaskError>>>>
    where
        I: Serialize,
        O: DeserializeOwned + 'static,
    {
        self.call_activity_with_options(activity, input, ActivityOptions::new().with_retry(policy))
    }

    /// Calls an activity with [`ActivityOptions`]: each attempt's
    /// TaskScheduled records the per-attempt timeout, which the dispatcher
    /// enforces, and failed attempts are retried on durable timers as the
    /// retry policy says (one attempt without one).
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn call_activity_with_options<I, O>(
        &self,
        activity: impl ActivityName<I, O>,
        input: &I,
        options: ActivityOptions,
    ) -> Pin<Box<dyn Future<Output = Result<O, TaskError>>>>
    where
        I: Serialize,
        O: DeserializeOwned + 'static,
    {
        let ctx = self.clone();
        let name = activity.activity_name().to_string();
        let input = self.encode(input, "activity input");
        Box::pin(async move {
            let started = ctx.now_ms();
            let mut attempt = 1;
            loop {
                let result = ctx
                    .schedule_activity::<O>(&name, input.clone(), options.start_to_close_ms)
                    .await;
                let Err(e) = result else {
                    return result;
                };
                let Some(policy) = options.retry.as_ref() else {
                    return Err(e);
                };
                if let TaskError::ActivityFailed { message, .. } = &e {
                    if !policy.retries(message) {
                        return Err(e);
                    }
                }
                match policy.delay_before(attempt + 1, ctx.now_ms().saturating_sub(started)) {
                    Some(delay) => {
                        ctx.sleep(delay).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                }
            }
        })
    }

    /// Runs another orchestration as a child and waits for its result. The
    /// child id defaults to `{parent}:{incarnation}.{execution}.{action}`:
    /// unique to this life and execution of the parent (`{parent}:{action}`
    /// in histories written before incarnations existed).
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn call_sub_orchestration<I: Serialize, O: DeserializeOwned>(
        &self,
        orchestration: impl OrchestrationName<I, O>,
        input: &I,
        instance_id: Option<&str>,
    ) -> TaskFuture<O> {
        let name = orchestration.orchestration_name();
        let input = self.encode(input, "sub-orchestration input");
        let child = self.child_id(instance_id);
        let id = self.issue(EventKind::SubOrchestrationInstanceCreated {
            name: name.to_string(),
            instance_id: child,
            input,
            detached: false,
        });
        TaskFuture::new(self.clone(), id, name, TaskKind::SubOrchestration)
    }

    /// Starts an independent orchestration (fire and forget) and returns its id.
    pub fn start_orchestration<I: Serialize>(
        &self,
        orchestration: impl StartName<I>,
        input: &I,
        instance_id: Option<&str>,
    ) -> InstanceId {
        let name = orchestration.start_name();
        let input = self.encode(input, "orchestration input");
        let child = self.child_id(instance_id);
        self.issue(EventKind::SubOrchestrationInstanceCreated {
            name: name.to_string(),
            instance_id: child.clone(),
            input,
            detached: true,
        });
        child
    }

    fn child_id(&self, explicit: Option<&str>) -> InstanceId {
        match explicit {
            Some(id) => InstanceId::new(id),
            None => {
                let s = self.state.borrow();
                if s.incarnation.is_empty() {
                    InstanceId::new(format!("{}:{}", s.instance_id, s.next_seq))
                } else {
                    let (id, inc) = (&s.instance_id, &s.incarnation);
                    InstanceId::new(format!("{id}:{inc}.{}.{}", s.execution, s.next_seq))
                }
            }
        }
    }

    /// A durable timer firing at an orchestration-time instant;
    /// [`crate::NEVER_MS`] never comes.
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn create_timer_at(&self, fire_at_ms: u64) -> TimerFuture {
        let id = self.issue(EventKind::TimerCreated { fire_at_ms });
        TimerFuture {
            ctx: self.clone(),
            id,
            done: false,
        }
    }

    /// A durable timer firing `ms` after orchestration time now. The sum
    /// saturates: `sleep(u64::MAX)` is a timer due at [`crate::NEVER_MS`],
    /// which never fires (the no-deadline idiom).
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn sleep(&self, ms: u64) -> TimerFuture {
        self.create_timer_at(self.now_ms().saturating_add(ms))
    }

    /// Waits for the next external event of this name. Events that arrived
    /// earlier are buffered; a dropped wait takes nothing.
    #[must_use = "durable futures do nothing unless awaited"]
    pub fn wait_for_event<T: DeserializeOwned>(&self, event: impl EventName<T>) -> EventFuture<T> {
        EventFuture {
            ctx: self.clone(),
            name: event.event_name().to_string(),
            _t: PhantomData,
        }
    }

    /// Waits for an event, or fails with [`TaskError::Timeout`] after `ms`
    /// (`u64::MAX`: never); the timer is cancelled (and recorded so) when the
    /// event wins.
    pub async fn wait_for_event_timeout<T: DeserializeOwned>(
        &self,
        event: impl EventName<T>,
        ms: u64,
    ) -> Result<T, TaskError> {
        let name = event.event_name();
        match select2(self.wait_for_event::<T>(name), self.sleep(ms)).await {
            Either::Left(v) => v,
            Either::Right(()) => Err(TaskError::Timeout {
                what: format!("event {name}"),
            }),
        }
    }

    /// Raises an event on another instance.
    pub fn send_event<I: Serialize>(
        &self,
        instance_id: &InstanceId,
        event: impl EventName<I>,
        input: &I,
    ) {
        let input = self.encode(input, "event payload");
        self.issue(EventKind::EventSent {
            instance_id: instance_id.clone(),
            name: event.event_name().to_string(),
            input,
        });
    }

    /// Restarts this instance with new input and an empty history; external
    /// events not yet taken are carried over. The call records the decision,
    /// as DTFx's ContinueAsNew does: the execution ends as soon as the code
    /// waits (the returned future never resolves: await it as the last thing
    /// the orchestration does) or returns a value, which the restart
    /// replaces. An error the code returns still fails the instance.
    #[must_use = "await the continue-as-new as the orchestration's last step"]
    pub fn continue_as_new<I: Serialize>(&self, input: &I) -> ContinueAsNew {
        let v = self.encode(input, "continue-as-new input");
        self.state.borrow_mut().continue_as_new = Some(v);
        ContinueAsNew
    }

    fn take_completion(&self, id: u64) -> Option<Completion> {
        self.state.borrow_mut().completions.remove(&id)
    }
}

fn fnv1a(bytes: &[u8], basis: u64) -> u64 {
    bytes.iter().fold(basis, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[derive(Clone, Copy)]
enum TaskKind {
    Activity,
    SubOrchestration,
}

/// Resolves with the result of an activity or sub-orchestration.
#[must_use = "durable futures do nothing unless awaited"]
pub struct TaskFuture<O> {
    ctx: OrchestrationContext,
    id: u64,
    name: String,
    kind: TaskKind,
    _o: PhantomData<O>,
}

impl<O> TaskFuture<O> {
    fn new(ctx: OrchestrationContext, id: u64, name: &str, kind: TaskKind) -> Self {
        TaskFuture {
            ctx,
            id,
            name: name.to_string(),
            kind,
            _o: PhantomData,
        }
    }
}

impl<O> Unpin for TaskFuture<O> {}

impl<O: DeserializeOwned> Future for TaskFuture<O> {
    type Output = Result<O, TaskError>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(c) = self.ctx.take_completion(self.id) else {
            self.ctx.state.borrow_mut().note_task(self.id);
            return Poll::Pending;
        };
        Poll::Ready(match c {
            Completion::Ok(v) => serde_json::from_value(v).map_err(|e| TaskError::Decode {
                what: self.name.clone(),
                message: e.to_string(),
            }),
            Completion::Err(message) => Err(match self.kind {
                TaskKind::Activity => TaskError::ActivityFailed {
                    name: self.name.clone(),
                    message,
                },
                TaskKind::SubOrchestration => TaskError::SubOrchestrationFailed {
                    name: self.name.clone(),
                    message,
                },
            }),
        })
    }
}

/// A durable timer. Dropping it before it fires cancels it, and the
/// cancellation is recorded as TimerCancelled.
#[must_use = "durable futures do nothing unless awaited"]
pub struct TimerFuture {
    ctx: OrchestrationContext,
    id: u64,
    done: bool,
}

impl Future for TimerFuture {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.done || self.ctx.take_completion(self.id).is_some() {
            self.done = true;
            Poll::Ready(())
        } else {
            self.ctx.state.borrow_mut().note_task(self.id);
            Poll::Pending
        }
    }
}

impl<O> Drop for TaskFuture<O> {
    /// A wait given up (the other side of a race won) is no longer waited on.
    fn drop(&mut self) {
        if let Ok(mut s) = self.ctx.state.try_borrow_mut() {
            s.unnote_task(self.id);
        }
    }
}

impl<T> Drop for EventFuture<T> {
    /// Likewise for an event wait.
    fn drop(&mut self) {
        if let Ok(mut s) = self.ctx.state.try_borrow_mut() {
            if let Some(w) = s.waits.as_mut() {
                if let Some(at) = w.events.iter().position(|n| *n == self.name) {
                    w.events.remove(at);
                }
            }
        }
    }
}

impl Drop for TimerFuture {
    fn drop(&mut self) {
        if let Ok(mut s) = self.ctx.state.try_borrow_mut() {
            s.unnote_task(self.id);
        }
        if self.done {
            return;
        }
        let mut s = self.ctx.state.borrow_mut();
        if s.polling && s.settled_timers.insert(self.id) {
            s.issue(EventKind::TimerCancelled {
                scheduled_id: self.id,
            });
        }
    }
}

/// Resolves with the payload of the next external event of a name.
#[must_use = "durable futures do nothing unless awaited"]
pub struct EventFuture<T> {
    ctx: OrchestrationContext,
    name: String,
    _t: PhantomData<T>,
}

impl<T> Unpin for EventFuture<T> {}

impl<T: DeserializeOwned> Future for EventFuture<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.ctx.state.borrow_mut();
        let Some(pos) = s.buffered_events.iter().position(|(n, _)| *n == self.name) else {
            if let Some(w) = s.waits.as_mut() {
                w.events.push(self.name.clone());
            }
            return Poll::Pending;
        };
        let (_, payload) = s.buffered_events.remove(pos).unwrap_or_default();
        Poll::Ready(
            serde_json::from_value(payload).map_err(|e| TaskError::Decode {
                what: format!("event {}", self.name),
                message: e.to_string(),
            }),
        )
    }
}

/// Returned by [`OrchestrationContext::continue_as_new`]; never resolves.
#[must_use = "await the continue-as-new as the orchestration's last step"]
pub struct ContinueAsNew;

impl Future for ContinueAsNew {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}
