//! [`Host`]: the runtime on a page. Opens the store, elects one executor
//! across tabs, runs the dispatcher loop on the page's executor, arms one
//! browser timer for the earliest due time, and tells every tab of changes.
//!
//! Every tab has a host; only the one holding the Web Lock executes. The
//! others only send commands (through IndexedDB, with a BroadcastChannel
//! nudge) and show state. Must never execute while it does not hold the lock.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use durable::{
    select2, Change, ChangeFeed, ChangeSubscription, Client, ClientError, Clock, InstanceId,
    Registry, Runtime, RuntimeOptions, StoreError,
};

use crate::broadcast::Broadcast;
use crate::clock::BrowserClock;
use crate::crash_note::{install_panic_hook, take_crash_note, ForDatabase};
use crate::flag::Flag;
use crate::idb_store::IdbStore;
use crate::leadership::{Leadership, NoWebLocks};

/// Why a host could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HostError {
    /// The database could not be opened (or upgraded).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The browser has no Web Locks, so one tab cannot be the executor.
    #[error(transparent)]
    NoWebLocks(#[from] NoWebLocks),
    /// The browser has no BroadcastChannel, so tabs cannot tell each other
    /// about changes.
    #[error("cannot talk to other tabs (BroadcastChannel): {0}")]
    NoBroadcast(String),
}

struct Inner {
    /// The database's name: whose crash notes this host writes and takes.
    db: Rc<str>,
    store: IdbStore,
    runtime: Runtime<IdbStore>,
    client: Client<IdbStore>,
    /// What the UI subscribes to: this tab's changes and other tabs'.
    ui: ChangeFeed,
    wake: Flag,
    stopped: Cell<bool>,
    leader: Cell<bool>,
    last_error: RefCell<Option<StoreError>>,
    broadcast: RefCell<Option<Broadcast>>,
}

/// The runtime on this page. Cheap to clone.
#[derive(Clone)]
pub struct Host {
    inner: Rc<Inner>,
}

/// Options of a host.
#[derive(Clone, Debug, Default)]
pub struct HostOptions {
    /// The options of the runtime the host runs.
    pub runtime: RuntimeOptions,
    /// Keeps the replay-safe log (`OrchestrationContext::log`) out of the
    /// browser's console. It still reaches each instance row, and so the
    /// dashboard.
    pub quiet: bool,
}

/// A logged line as the console shows it: the instance, where in its
/// history, and the message.
pub fn console_line(line: &durable::LogLine) -> String {
    format!(
        "[durable] {} · event {}: {}",
        line.instance_id, line.event_id, line.message
    )
}

impl Host {
    /// Opens the database `db_name` and starts this tab's host. It executes
    /// once it holds the database's executor lock.
    pub async fn start(
        db_name: &str,
        registry: Registry,
        options: HostOptions,
    ) -> Result<Host, HostError> {
        let store = IdbStore::open(db_name).await?;
        let mut runtime_options = options.runtime;
        runtime_options.seed ^= random_u64();
        // Nothing can take a host's in-memory log (its runtime is its own):
        // the lines go to the console sink and to their rows only.
        runtime_options.log_capacity = 0;
        let runtime = Runtime::with_options(
            store.clone(),
            registry,
            Rc::new(BrowserClock),
            runtime_options,
        );
        if !options.quiet {
            runtime.on_log(|line| web_sys::console::info_1(&console_line(line).into()));
        }
        // A panic aborts the module: what it interrupted is noted, and
        // fails (once) instead of running again.
        install_panic_hook();
        match take_crash_note(db_name) {
            Ok(Some(crash)) => {
                web_sys::console::warn_1(
                    &format!(
                        "[durable] the last run of this page stopped at a panic in {:?}: {}",
                        crash.running, crash.message
                    )
                    .into(),
                );
                runtime.fail_crashed(crash);
            }
            Ok(None) => {}
            Err(dropped) => web_sys::console::warn_1(&format!("[durable] {dropped}").into()),
        }
        let ui = ChangeFeed::new();
        let client = runtime
            .client()
            .with_nonce(random_u64())
            .with_watch_feed(ui.clone());
        let inner = Rc::new(Inner {
            db: db_name.into(),
            store,
            runtime,
            client,
            ui,
            wake: Flag::default(),
            stopped: Cell::new(false),
            leader: Cell::new(false),
            last_error: RefCell::new(None),
            broadcast: RefCell::new(None),
        });
        let weak = Rc::downgrade(&inner);
        let broadcast = Broadcast::join(&format!("durable:{db_name}"), move |changes| {
            if let Some(inner) = weak.upgrade() {
                for c in changes {
                    inner.ui.publish(c);
                }
                inner.wake.raise();
            }
        })
        .map_err(|e| {
            HostError::NoBroadcast(
                e.as_string()
                    .unwrap_or_else(|| "BroadcastChannel is unavailable".into()),
            )
        })?;
        *inner.broadcast.borrow_mut() = Some(broadcast);
        let lock = Leadership::request(&format!("durable-executor:{db_name}"))?;
        wasm_bindgen_futures::spawn_local(forward_changes(
            Rc::downgrade(&inner),
            inner.runtime.changes().subscribe(),
        ));
        wasm_bindgen_futures::spawn_local(ForDatabase::new(
            inner.db.clone(),
            execute(Rc::downgrade(&inner), lock),
        ));
        Ok(Host { inner })
    }

    /// The client: commands from this tab (start, raise, terminate …).
    pub fn client(&self) -> &Client<IdbStore> {
        &self.inner.client
    }

    /// Raises an event. In the executing tab, to an instance it holds live,
    /// the event and the turn it causes commit in one transaction
    /// ([`Runtime::raise_event`]); anywhere else it is queued for the
    /// executing tab, as [`Client::raise_event`] does.
    pub async fn raise_event<I: serde::Serialize>(
        &self,
        id: &InstanceId,
        event: impl durable::EventName<I>,
        payload: &I,
    ) -> Result<(), ClientError> {
        let name = event.event_name();
        if self.is_leader() && !self.inner.stopped.get() {
            let raise = self.inner.runtime.raise_event(id, name, payload);
            ForDatabase::new(self.inner.db.clone(), raise).await
        } else {
            self.inner.client.raise_event(id, name, payload).await
        }
    }

    /// The IndexedDB store under the host.
    pub fn store(&self) -> &IdbStore {
        &self.inner.store
    }

    /// Changes from this tab and from the others, for a live UI.
    pub fn subscribe(&self) -> ChangeSubscription {
        self.inner.ui.subscribe()
    }

    /// Whether this tab is the one executing workflows.
    pub fn is_leader(&self) -> bool {
        self.inner.leader.get()
    }

    /// The last storage error the executor met, if any (shown to the user).
    pub fn last_error(&self) -> Option<StoreError> {
        self.inner.last_error.borrow().clone()
    }

    /// Stops executing and hands leadership to the next tab, as closing the
    /// tab would. The client stays usable: its commands still reach the
    /// executing tab.
    pub fn shutdown(&self) {
        self.inner.stopped.set(true);
        self.inner.runtime.stop_taking_hand_overs();
        self.inner.wake.raise();
    }
}

/// Random bits for nonces and seeds.
fn random_u64() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (hi << 32) | lo
}

/// Passes this tab's changes to the UI and the other tabs, and wakes the
/// executor (a command may have queued work).
async fn forward_changes(inner: Weak<Inner>, sub: ChangeSubscription) {
    loop {
        let first = sub.next().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        // Even once stopped: a command this tab's client committed must
        // still reach the executing tab.
        let mut batch = vec![first];
        batch.extend(sub.drain());
        if let Some(b) = inner.broadcast.borrow().as_ref() {
            b.send(&batch);
        }
        for c in batch {
            inner.ui.publish(c);
        }
        inner.wake.raise();
    }
}

/// The dispatcher loop: wait for the lock, then run ready work, sleep until
/// the next timer, a nudge or an activity's progress, repeat.
async fn execute(inner: Weak<Inner>, lock: Leadership) {
    let stop = {
        let Some(i) = inner.upgrade() else { return };
        i.wake.clone()
    };
    // Wait for the lock, waking up to check for a stop.
    loop {
        let acquired = select2(lock.acquired(), stop.take()).await;
        let Some(i) = inner.upgrade() else { return };
        if i.stopped.get() {
            return; // dropping the lock withdraws the request
        }
        if matches!(acquired, durable::Either::Left(())) {
            i.leader.set(true);
            i.ui.publish(Change::Leadership { leading: true });
            break;
        }
    }
    loop {
        let Some(i) = inner.upgrade() else { return };
        if i.stopped.get() {
            i.leader.set(false);
            i.ui.publish(Change::Leadership { leading: false });
            return;
        }
        let wait_ms = match i.runtime.run_until_idle().await {
            Ok(_) => {
                i.last_error.borrow_mut().take();
                match i.runtime.next_due().await {
                    Ok(Some(due)) => due.saturating_sub(BrowserClock.now_ms()).max(1),
                    Ok(None) => 3_600_000,
                    Err(e) => {
                        *i.last_error.borrow_mut() = Some(e.into());
                        1_000
                    }
                }
            }
            Err(e) => {
                *i.last_error.borrow_mut() = Some(e.into());
                1_000
            }
        };
        let wake = i.wake.clone();
        // Activities run beside the loop: one that makes progress (its
        // fetch answered) wakes it, as a timer or a nudge does.
        let progress = i.runtime.activity_progress();
        drop(i);
        // One browser timer, for the earliest due time.
        select2(wake.take(), select2(BrowserClock.sleep(wait_ms), progress)).await;
    }
}
