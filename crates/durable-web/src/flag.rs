//! [`Flag`]: a one-bit signal an async task can wait on — raised by a
//! browser callback (a lock granted, an upgrade blocked, a nudge), awaited
//! by the code that cares. Single-threaded (the page's event loop). Owns no
//! browser object and never decides what a raise means.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Poll, Waker};

#[derive(Default)]
struct State {
    raised: bool,
    waker: Option<Waker>,
}

/// Clones share one flag.
#[derive(Clone, Default)]
pub(crate) struct Flag(Rc<RefCell<State>>);

impl Flag {
    /// Raises the flag and wakes its waiter.
    pub fn raise(&self) {
        let mut s = self.0.borrow_mut();
        s.raised = true;
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }

    pub fn lower(&self) {
        self.0.borrow_mut().raised = false;
    }

    /// Resolves once the flag is raised; it stays raised.
    pub async fn raised(&self) {
        self.wait(false).await
    }

    /// Resolves once the flag is raised, and lowers it (for nudges that
    /// must each be seen once).
    pub async fn take(&self) {
        self.wait(true).await
    }

    async fn wait(&self, lower: bool) {
        std::future::poll_fn(|cx| {
            let mut s = self.0.borrow_mut();
            if s.raised {
                if lower {
                    s.raised = false;
                }
                Poll::Ready(())
            } else {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}
