//! Tab leadership with the Web Locks API: one executor across tabs.
//!
//! Owns the lock request. The lock's callback returns a promise that stays
//! pending while this tab leads; dropping the [`Leadership`] resolves it and
//! so hands the lock to the next tab waiting. When a tab closes, the browser
//! releases its lock at once. Must never run any workflow code.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::flag::Flag;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (web-sys gates its binding behind unstable APIs).
    type LockManager;

    #[wasm_bindgen(method, catch, js_name = request)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Closure<dyn FnMut(JsValue) -> Promise>,
    ) -> Result<Promise, JsValue>;
}

/// A lock request; holds the lock from when [`Leadership::acquired`]
/// resolves until it is dropped.
pub struct Leadership {
    held: Flag,
    /// Resolving it lets go of the lock (set once it is granted).
    release: Rc<RefCell<Option<Function>>>,
    /// Withdraws the request if it is dropped before the lock is granted.
    abort: web_sys::AbortController,
    _callback: Closure<dyn FnMut(JsValue) -> Promise>,
}

/// Web Locks are missing (an old browser, or an insecure context).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "this browser has no Web Locks API (navigator.locks): cannot elect one executor across tabs"
)]
pub struct NoWebLocks;

impl Leadership {
    /// Queues a request for the lock `name`.
    pub fn request(name: &str) -> Result<Leadership, NoWebLocks> {
        let navigator = web_sys::window().ok_or(NoWebLocks)?.navigator();
        let locks =
            Reflect::get(&navigator, &JsValue::from_str("locks")).map_err(|_| NoWebLocks)?;
        if locks.is_undefined() || locks.is_null() {
            return Err(NoWebLocks);
        }
        let locks: LockManager = locks.unchecked_into();
        let held = Flag::default();
        let release: Rc<RefCell<Option<Function>>> = Rc::default();
        let (on_grant, keep) = (held.clone(), release.clone());
        let callback = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
            Promise::new(&mut |resolve, _reject| {
                *keep.borrow_mut() = Some(resolve);
                on_grant.raise();
            })
        });
        let abort = web_sys::AbortController::new().map_err(|_| NoWebLocks)?;
        let options = js_sys::Object::new();
        let _ = Reflect::set(&options, &JsValue::from_str("signal"), &abort.signal());
        // The request's own promise settles when the lock is released, or
        // rejects when the request is withdrawn: nothing to do either way.
        let settled = locks
            .request(name, &options, &callback)
            .map_err(|_| NoWebLocks)?;
        if let Ok(catch) = Reflect::get(&settled, &JsValue::from_str("catch")) {
            if let Ok(catch) = catch.dyn_into::<Function>() {
                let _ = catch.call1(&settled, &Function::new_no_args(""));
            }
        }
        Ok(Leadership {
            held,
            release,
            abort,
            _callback: callback,
        })
    }

    /// Resolves once this tab holds the lock.
    pub async fn acquired(&self) {
        self.held.raised().await
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        self.held.lower();
        match self.release.borrow_mut().take() {
            Some(release) => {
                let _ = release.call0(&JsValue::UNDEFINED);
            }
            None => self.abort.abort(),
        }
    }
}
