//! The change feed: who changed, so a live UI can re-read (and whether
//! this tab leads).
//!
//! Owns in-process fan-out of [`Change`] notices to subscribers. It carries
//! no data of record (readers go back to the store), and must never block:
//! a slow subscriber only accumulates notices.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use crate::instance::{InstanceId, RuntimeStatus};

/// Something in the store changed.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// An instance row changed (or was purged: `status` is `None`).
    Instance {
        /// The instance whose row changed.
        id: InstanceId,
        /// Its status now; `None` if it was purged.
        status: Option<RuntimeStatus>,
    },
    /// Records of an app store changed.
    AppStore {
        /// The app store whose records changed.
        store: String,
    },
    /// A message was queued for an instance: the executor has work.
    Queued {
        /// The instance the message is for.
        id: InstanceId,
    },
    /// This tab started (true) or stopped (false) running the workflows.
    /// Local to the tab: never sent to others.
    Leadership {
        /// Whether this tab now runs the workflows.
        leading: bool,
    },
}

#[derive(Default)]
struct Subscriber {
    queue: VecDeque<Change>,
    waker: Option<Waker>,
}

/// A cloneable publisher; clones share subscribers.
#[derive(Clone, Default)]
pub struct ChangeFeed {
    subscribers: Rc<RefCell<Vec<Weak<RefCell<Subscriber>>>>>,
}

impl ChangeFeed {
    /// A feed with no subscribers.
    pub fn new() -> Self {
        Self::default()
    }

    /// A subscription that receives every change published from now on.
    pub fn subscribe(&self) -> ChangeSubscription {
        let sub = Rc::new(RefCell::new(Subscriber::default()));
        self.subscribers.borrow_mut().push(Rc::downgrade(&sub));
        ChangeSubscription { inner: sub }
    }

    /// Queues `change` for every live subscriber and wakes those waiting for
    /// one; never blocks.
    pub fn publish(&self, change: Change) {
        let mut wake = Vec::new();
        self.subscribers.borrow_mut().retain(|w| match w.upgrade() {
            Some(s) => {
                let mut s = s.borrow_mut();
                s.queue.push_back(change.clone());
                wake.extend(s.waker.take());
                true
            }
            None => false,
        });
        wake.into_iter().for_each(Waker::wake);
    }
}

/// Receives changes published after it subscribed.
pub struct ChangeSubscription {
    inner: Rc<RefCell<Subscriber>>,
}

impl ChangeSubscription {
    /// The next change, waiting for one if none is queued.
    pub async fn next(&self) -> Change {
        poll_fn(|cx| {
            let mut s = self.inner.borrow_mut();
            match s.queue.pop_front() {
                Some(c) => Poll::Ready(c),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// Every change queued so far, without waiting.
    pub fn drain(&self) -> Vec<Change> {
        self.inner.borrow_mut().queue.drain(..).collect()
    }
}
