//! The replay engine: one execution of one orchestration instance.
//!
//! Pure: it takes a recorded history (replay) and then new messages (a live
//! turn), and returns the turn's new events and outcome. It does no I/O and
//! reads no clock except to measure compute time. The dispatcher keeps a live
//! [`Execution`] in memory between turns, so a turn costs O(new events); a
//! full replay happens only after a reload or an eviction.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use serde_json::Value;

use crate::clock::Clock;
use crate::context::{ContextState, LogLine, OrchestrationContext, Waits};
use crate::error::NonDeterminism;
use crate::history::{EventKind, HistoryEvent};
use crate::instance::{InstanceId, InstanceRecord};
use crate::registry::{Registry, FIRST_VERSION};
use crate::running::{self, panic_message, Running};

type OrchestrationFuture = Pin<Box<dyn Future<Output = Result<Value, String>>>>;

/// How an execution ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The orchestration returned this output.
    Completed(Value),
    /// The execution failed with this message (the code returned an error, or
    /// its replay diverged).
    Failed(String),
    /// A client terminated it, with this reason.
    Terminated(String),
    /// Restart with this input; `carried` is what the next execution gets
    /// first, in order: the external events not yet taken, then the events
    /// and lifecycle messages that arrived in the turn after the restart.
    ContinuedAsNew {
        /// The next execution's input.
        input: Value,
        /// What the next execution receives first, in order.
        carried: Vec<EventKind>,
    },
}

/// The result of one live turn.
#[derive(Debug)]
pub struct TurnResult {
    /// Every event the turn appends, in order, from OrchestratorStarted to
    /// OrchestratorCompleted.
    pub new_events: Vec<HistoryEvent>,
    /// For each message handed in: whether it was consumed (false: deferred
    /// because the instance is suspended; it stays queued).
    pub consumed: Vec<bool>,
    /// How the execution has ended, or `None` while it goes on.
    pub outcome: Option<Outcome>,
    /// Whether the instance is suspended at the end of the turn.
    pub suspended: bool,
    /// The custom status the code has set, if any.
    pub custom_status: Option<Value>,
    /// Milliseconds spent running orchestration code in this turn.
    pub compute_ms: f64,
    /// Milliseconds spent running the activities whose results this turn
    /// consumed.
    pub activity_compute_ms: f64,
    /// Lines the code logged in this turn.
    pub logs: Vec<LogLine>,
}

/// What an inspection sees after each replayed event.
pub(crate) type Observer<'a> = dyn FnMut(&HistoryEvent, &Execution) + 'a;

/// An execution as replay left it after one event.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Observed {
    pub custom_status: Option<serde_json::Value>,
    /// External events the code waits on, by name (each once).
    pub awaiting: Vec<String>,
    /// Actions it waits on, by the id of the event that scheduled them.
    pub awaiting_tasks: Vec<u64>,
    pub suspended: bool,
    pub outcome: Option<Outcome>,
}

/// A live (or replayed) execution.
pub struct Execution {
    ctx: OrchestrationContext,
    future: Option<OrchestrationFuture>,
    outcome: Option<Outcome>,
    suspended: bool,
    registry: Registry,
    /// Orchestration time before the current turn (for a discarded turn).
    time_before_turn: u64,
    /// The orchestration's name, from its start (for a panic's message).
    name: String,
    /// Why the next turn fails the instance without running its code (a
    /// panic noted from an earlier run of the page).
    crashed: Option<String>,
    /// The start arrived with a terminate: its code never runs.
    hold_start: bool,
}

impl Execution {
    /// Rebuilds an execution by replaying its history. Divergence is not an
    /// error here: it is reported by [`Execution::nondeterminism`] and fails
    /// the instance at its next turn.
    pub fn replay(
        registry: &Registry,
        instance_id: InstanceId,
        execution: u32,
        history: &[HistoryEvent],
    ) -> Execution {
        Self::replay_with(registry, instance_id, execution, history, None)
    }

    /// [`Execution::replay`], showing `observe` the execution after each
    /// event: what its code had set and waited on at that point.
    pub(crate) fn replay_observed(
        registry: &Registry,
        instance_id: InstanceId,
        execution: u32,
        history: &[HistoryEvent],
        observe: &mut Observer<'_>,
    ) -> Execution {
        Self::replay_with(registry, instance_id, execution, history, Some(observe))
    }

    /// The replay, noting what the code waits on only when observed.
    fn replay_with(
        registry: &Registry,
        instance_id: InstanceId,
        execution: u32,
        history: &[HistoryEvent],
        mut observe: Option<&mut Observer<'_>>,
    ) -> Execution {
        let mut state = ContextState::new(instance_id, execution, history);
        state.replaying = true;
        if observe.is_some() {
            state.waits = Some(Waits::default());
        }
        let mut exec = Execution::on(registry, state);
        for event in history {
            exec.replay_event(event);
            if exec.nondeterminism().is_some() {
                break;
            }
            if let Some(observe) = observe.as_mut() {
                observe(event, &exec);
            }
        }
        if !history.is_empty() && exec.future.is_none() && exec.outcome.is_none() {
            let mut s = exec.ctx.state.borrow_mut();
            if s.nondeterminism.is_none() {
                s.nondeterminism = Some(NonDeterminism::NoStart);
            }
        }
        exec.ctx.state.borrow_mut().replaying = false;
        exec
    }

    /// An execution of `state` that has run nothing yet.
    fn on(registry: &Registry, state: ContextState) -> Execution {
        let time_before_turn = state.now_ms;
        Execution {
            ctx: OrchestrationContext::new(state),
            future: None,
            outcome: None,
            suspended: false,
            registry: registry.clone(),
            time_before_turn,
            name: String::new(),
            crashed: None,
            hold_start: false,
        }
    }

    /// An execution of `record`'s current execution whose code is not run
    /// again: its next turn fails the instance with `message` (what a panic
    /// noted from an earlier run of the page said). Its events follow the
    /// stored ones, at the row's last time or later.
    pub(crate) fn crashed(
        registry: &Registry,
        record: &InstanceRecord,
        message: String,
    ) -> Execution {
        let mut state = ContextState::new(record.id.clone(), record.execution, &[]);
        state.next_event_id = record.history_len;
        state.now_ms = record.updated_ms;
        let mut exec = Execution::on(registry, state);
        exec.crashed = Some(message);
        exec
    }

    fn replay_event(&mut self, event: &HistoryEvent) {
        match &event.kind {
            EventKind::OrchestratorStarted => {
                self.ctx.state.borrow_mut().now_ms = event.timestamp_ms;
            }
            EventKind::OrchestratorCompleted { .. } => {
                self.ctx
                    .state
                    .borrow_mut()
                    .check_nothing_missing_before(event.event_id);
            }
            EventKind::ExecutionCompleted { result } => {
                self.outcome = Some(Outcome::Completed(result.clone()));
            }
            EventKind::ExecutionFailed { error } => {
                self.outcome = Some(Outcome::Failed(error.clone()));
            }
            EventKind::ContinueAsNew { input } => {
                self.outcome = Some(Outcome::ContinuedAsNew {
                    input: input.clone(),
                    carried: Vec::new(),
                });
            }
            kind if kind.is_action() => {}
            kind => {
                self.apply(kind);
            }
        }
    }

    /// Applies a message event (replayed or new) and lets the code run.
    fn apply(&mut self, kind: &EventKind) {
        match kind {
            EventKind::ExecutionStarted {
                name,
                input,
                execution,
                incarnation,
                version,
                ..
            } => {
                // A history recorded before versions existed ran version 1.
                let version = version.unwrap_or(FIRST_VERSION);
                self.name.clone_from(name);
                match self.registry.orchestration_fn(name, version) {
                    Some(f) => {
                        {
                            let mut s = self.ctx.state.borrow_mut();
                            s.execution = *execution;
                            s.incarnation = incarnation.clone();
                        }
                        self.future = Some(f(self.ctx.clone(), input.clone()));
                        if !self.hold_start {
                            self.poll();
                        }
                    }
                    None => {
                        let available = self.registry.versions(name);
                        let nd = if available.is_empty() {
                            NonDeterminism::UnknownOrchestration { name: name.clone() }
                        } else {
                            NonDeterminism::UnknownVersion {
                                name: name.clone(),
                                version,
                                available,
                            }
                        };
                        self.ctx.state.borrow_mut().nondeterminism.get_or_insert(nd);
                    }
                }
            }
            EventKind::ExecutionSuspended { .. } => self.suspended = true,
            EventKind::ExecutionResumed { .. } => {
                self.suspended = false;
                self.poll();
            }
            EventKind::ExecutionTerminated { reason } => {
                self.drop_future();
                self.outcome = Some(Outcome::Terminated(reason.clone()));
            }
            other => {
                let taken = self.ctx.state.borrow_mut().deliver(other);
                if taken {
                    self.poll();
                } else if !self.ctx.state.borrow().replaying {
                    // A completion that answers nothing of its kind fails
                    // the instance in the turn it arrives; replay reports
                    // it through `nondeterminism` instead.
                    if let Some(nd) = self.nondeterminism() {
                        self.drop_future();
                        self.outcome = Some(Outcome::Failed(nd.to_string()));
                    }
                }
            }
        }
    }

    fn drop_future(&mut self) {
        self.ctx.state.borrow_mut().polling = false;
        self.future = None;
    }

    fn poll(&mut self) {
        if self.suspended || self.outcome.is_some() {
            return;
        }
        let Some(fut) = self.future.as_mut() else {
            return;
        };
        {
            let mut s = self.ctx.state.borrow_mut();
            s.polling = true;
            if let Some(w) = s.waits.as_mut() {
                *w = Waits::default();
            }
        }
        let instance = self.ctx.state.borrow().instance_id.clone();
        let result = poll_guarded(fut, instance);
        self.ctx.state.borrow_mut().polling = false;
        let result = match result {
            Ok(polled) => polled,
            Err(panic) => {
                self.drop_future();
                let message = format!("orchestration {} panicked: {panic}", self.name);
                self.outcome = Some(Outcome::Failed(message));
                return;
            }
        };
        let fatal = self.ctx.state.borrow_mut().fatal.take();
        if let Some(message) = fatal {
            self.drop_future();
            self.outcome = Some(Outcome::Failed(message));
            return;
        }
        // Calling continue_as_new records the decision, as DTFx's
        // ContinueAsNew call does: awaited or not, it wins over a value the
        // code returns, but not over an error.
        let can = self.ctx.state.borrow_mut().continue_as_new.take();
        match (result, can) {
            (Poll::Ready(Err(e)), _) => {
                self.drop_future();
                self.outcome = Some(Outcome::Failed(e));
            }
            (Poll::Ready(Ok(_)) | Poll::Pending, Some(input)) => {
                self.drop_future();
                let carried = self
                    .ctx
                    .state
                    .borrow_mut()
                    .buffered_events
                    .drain(..)
                    .map(|(name, input)| EventKind::EventRaised { name, input })
                    .collect();
                self.outcome = Some(Outcome::ContinuedAsNew { input, carried });
            }
            (Poll::Ready(Ok(v)), None) => {
                self.drop_future();
                self.outcome = Some(Outcome::Completed(v));
            }
            (Poll::Pending, None) => {}
        }
    }

    /// Offers one new message to the execution; `false` when it must wait
    /// (the instance is suspended), `true` when it was taken or dropped.
    fn offer(&mut self, m: &EventKind, activity_compute_ms: &mut f64) -> bool {
        if let Some(Outcome::ContinuedAsNew { carried, .. }) = &mut self.outcome {
            // What arrived with the restart belongs to the next execution,
            // after what it carries over, in order; this execution's own
            // completions and timers are dropped.
            if matches!(
                m,
                EventKind::EventRaised { .. }
                    | EventKind::ExecutionSuspended { .. }
                    | EventKind::ExecutionResumed { .. }
                    | EventKind::ExecutionTerminated { .. }
            ) {
                carried.push(m.clone());
            }
            return true;
        }
        if let Some(Outcome::Failed(_)) = &self.outcome {
            // A result that arrives in the turn that failed is kept in the
            // history, not applied: a rewind delivers it again instead of
            // running its activity a second time.
            if feeds_the_code(m) {
                self.ctx.state.borrow_mut().push_event(m.clone());
            }
            return true;
        }
        if self.outcome.is_some() {
            return true; // finished: dropped
        }
        // Lifecycle messages and the start apply even while suspended.
        let lifecycle = matches!(
            m,
            EventKind::ExecutionResumed { .. }
                | EventKind::ExecutionTerminated { .. }
                | EventKind::ExecutionSuspended { .. }
                | EventKind::ExecutionStarted { .. }
        );
        if self.suspended && !lifecycle {
            return false;
        }
        // Resuming a running instance or suspending a suspended one changes
        // nothing, now or later: the message is taken.
        let no_op = match m {
            EventKind::ExecutionResumed { .. } => !self.suspended,
            EventKind::ExecutionSuspended { .. } => self.suspended,
            _ => false,
        };
        if no_op {
            return true;
        }
        if let EventKind::TaskCompleted { compute_ms, .. }
        | EventKind::TaskFailed { compute_ms, .. } = m
        {
            *activity_compute_ms += compute_ms;
        }
        if let EventKind::ExecutionRewound {
            reason,
            failure,
            redeliver,
        } = m
        {
            // Recorded without what it carries: that is recorded next, each
            // event as it is delivered again, in order.
            self.ctx
                .state
                .borrow_mut()
                .push_event(EventKind::ExecutionRewound {
                    reason: reason.clone(),
                    failure: failure.clone(),
                    redeliver: Vec::new(),
                });
            for event in redeliver {
                self.offer(event, activity_compute_ms);
            }
            return true;
        }
        let recorded = self.pin_version(m);
        self.ctx.state.borrow_mut().push_event(recorded.clone());
        self.apply(&recorded);
        true
    }

    /// A start message names no version: the execution runs the latest
    /// version of this build, and its history says which.
    fn pin_version(&self, m: &EventKind) -> EventKind {
        let mut event = m.clone();
        if let EventKind::ExecutionStarted {
            name,
            version: version @ None,
            ..
        } = &mut event
        {
            *version = self.registry.latest_version(name);
        }
        event
    }

    /// What the execution has set and waits on now (for inspection).
    pub(crate) fn observed(&self) -> Observed {
        let s = self.ctx.state.borrow();
        let (mut awaiting, mut awaiting_tasks) = (Vec::new(), Vec::new());
        if let (Some(w), true) = (&s.waits, self.future.is_some()) {
            for name in &w.events {
                if !awaiting.contains(name) {
                    awaiting.push(name.clone());
                }
            }
            awaiting_tasks.clone_from(&w.tasks);
        }
        Observed {
            custom_status: s.custom_status.clone(),
            awaiting,
            awaiting_tasks,
            suspended: self.suspended,
            outcome: self.outcome.clone(),
        }
    }

    /// The divergence replay found, if any.
    pub fn nondeterminism(&self) -> Option<NonDeterminism> {
        self.ctx.state.borrow().nondeterminism.clone()
    }

    /// How the execution has ended, or `None` while it goes on.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// The activities this execution scheduled and has not been answered
    /// for, by the id of their TaskScheduled event.
    pub(crate) fn open_activities(&self) -> Vec<u64> {
        self.ctx
            .state
            .borrow()
            .open_activities
            .iter()
            .copied()
            .collect()
    }

    /// Number of actions the code has issued in this execution.
    pub fn actions_issued(&self) -> usize {
        self.ctx.state.borrow().actions_issued()
    }

    /// Runs one live turn at orchestration time `now_ms` with new messages.
    pub fn run_turn(
        &mut self,
        now_ms: u64,
        messages: &[EventKind],
        clock: &dyn Clock,
    ) -> TurnResult {
        {
            let mut s = self.ctx.state.borrow_mut();
            s.replaying = false;
            // Orchestration time never goes back, whatever the wall clock
            // does: a turn's time is at least the previous turn's.
            self.time_before_turn = s.now_ms;
            s.now_ms = s.now_ms.max(now_ms);
            s.new_events.clear();
            s.push_event(EventKind::OrchestratorStarted);
        }
        let mut consumed = vec![false; messages.len()];
        let mut activity_compute_ms = 0.0;
        // A terminate that arrives with the start wins: no code runs.
        self.hold_start = self.future.is_none()
            && self.outcome.is_none()
            && messages
                .iter()
                .any(|m| matches!(m, EventKind::ExecutionStarted { .. }))
            && messages
                .iter()
                .any(|m| matches!(m, EventKind::ExecutionTerminated { .. }));
        if let Some(message) = self.crashed.take() {
            // What a panic interrupted fails instead of running again; the
            // start it came with is recorded, not run.
            for m in messages {
                if matches!(m, EventKind::ExecutionStarted { .. }) {
                    let start = self.pin_version(m);
                    self.ctx.state.borrow_mut().push_event(start);
                }
            }
            self.fail_before_running(message, messages, &mut consumed);
        } else if let Some(nd) = self.nondeterminism() {
            // A diverged replay fails the instance before anything else runs;
            // whatever the changed code decided during replay is discarded.
            self.fail_before_running(nd.to_string(), messages, &mut consumed);
        }
        let started = clock.monotonic_ms();
        // Messages a suspension holds back, in arrival order: they go first
        // when the instance resumes, so suspension never reorders events.
        let mut held = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            if consumed[i] {
                continue;
            }
            let was_suspended = self.suspended;
            if !self.offer(m, &mut activity_compute_ms) {
                held.push(i);
                continue;
            }
            consumed[i] = true;
            if was_suspended && !self.suspended {
                for j in std::mem::take(&mut held) {
                    if self.offer(&messages[j], &mut activity_compute_ms) {
                        consumed[j] = true;
                    } else {
                        held.push(j);
                    }
                }
            }
        }
        if self.outcome.is_none() {
            if let Some(nd) = self.nondeterminism() {
                // The start named an orchestration this build lacks.
                self.drop_future();
                self.outcome = Some(Outcome::Failed(nd.to_string()));
            }
        }
        let compute_ms = (clock.monotonic_ms() - started).max(0.0);
        let mut s = self.ctx.state.borrow_mut();
        match &self.outcome {
            Some(Outcome::Completed(v)) => {
                s.push_event(EventKind::ExecutionCompleted { result: v.clone() });
            }
            Some(Outcome::Failed(e)) => {
                s.push_event(EventKind::ExecutionFailed { error: e.clone() });
            }
            Some(Outcome::ContinuedAsNew { input, .. }) => {
                s.push_event(EventKind::ContinueAsNew {
                    input: input.clone(),
                });
            }
            Some(Outcome::Terminated(_)) | None => {}
        }
        s.push_event(EventKind::OrchestratorCompleted { compute_ms });
        TurnResult {
            new_events: std::mem::take(&mut s.new_events),
            consumed,
            outcome: self.outcome.clone(),
            suspended: self.suspended,
            custom_status: s.custom_status.clone(),
            compute_ms,
            activity_compute_ms,
            logs: std::mem::take(&mut s.logs),
        }
    }
}

impl Execution {
    /// Fails the instance with `message` before any of `messages` is
    /// applied. What arrived is kept in the history, not applied: a rewind
    /// after the code is fixed delivers it again.
    fn fail_before_running(
        &mut self,
        message: String,
        messages: &[EventKind],
        consumed: &mut [bool],
    ) {
        self.drop_future();
        self.outcome = Some(Outcome::Failed(message));
        let mut s = self.ctx.state.borrow_mut();
        for m in messages {
            if let EventKind::ExecutionRewound { redeliver, .. } = m {
                for r in redeliver.iter().filter(|r| feeds_the_code(r)) {
                    s.push_event(r.clone());
                }
            } else if feeds_the_code(m) {
                s.push_event(m.clone());
            }
        }
        consumed.fill(true);
    }

    /// Forgets a turn that will not be committed because it took nothing
    /// (every message waits): the event ids it used are handed back, so
    /// the next turn's ids follow the stored history.
    pub fn discard_turn(&mut self, turn: &TurnResult) {
        let mut s = self.ctx.state.borrow_mut();
        s.next_event_id -= turn.new_events.len() as u64;
        s.forget_events(&turn.new_events);
        // Its time too: a replay of the stored history would not know it.
        s.now_ms = self.time_before_turn;
    }
}

/// Messages whose content the orchestration code consumes (results and
/// events), as opposed to lifecycle messages.
fn feeds_the_code(m: &EventKind) -> bool {
    matches!(
        m,
        EventKind::TaskCompleted { .. }
            | EventKind::TaskFailed { .. }
            | EventKind::SubOrchestrationInstanceCompleted { .. }
            | EventKind::SubOrchestrationInstanceFailed { .. }
            | EventKind::TimerFired { .. }
            | EventKind::EventRaised { .. }
    )
}

/// Polls an orchestration's future once, marked as running (for a panic
/// hook), and turns a panic into its message (where panics unwind).
fn poll_guarded(
    fut: &mut OrchestrationFuture,
    instance: InstanceId,
) -> Result<Poll<Result<Value, String>>, String> {
    let _running = running::enter(Running::Orchestration { instance });
    let mut cx = Context::from_waker(Waker::noop());
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)))
        .map_err(|payload| panic_message(payload.as_ref()))
}

impl Drop for Execution {
    fn drop(&mut self) {
        self.drop_future();
    }
}
