//! Crash notes: a panic in an app's workflow code aborts the whole wasm
//! module, so the page cannot fail the instance itself. A panic hook writes
//! down, synchronously, what the runtime was running (an orchestration's
//! code or an activity attempt) and the panic's message, in local storage
//! under the database's name; the next host to start on that database takes
//! the note and hands it to `Runtime::fail_crashed`, which fails that
//! attempt or instance with the message instead of running the same code
//! again. The rest of the app keeps working.
//!
//! Owns the hook, the note's format and key, and which database's runtime
//! is being polled (so a page with several databases notes the right one).
//! Must never decide what a crash means: the runtime does.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Once;
use std::task::{Context, Poll};

use durable::{running_now, Crash};

/// The local-storage key of `db_name`'s crash note.
pub fn crash_note_key(db_name: &str) -> String {
    format!("durable-crash:{db_name}")
}

thread_local! {
    /// The database whose runtime is being polled right now.
    static POLLING_DB: RefCell<Option<Rc<str>>> = const { RefCell::new(None) };
}

/// Installs the panic hook once per page; it keeps the hook that was there
/// before (the console's, say) and calls it after writing the note.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            note_panic(&durable::panic_message(info.payload()));
            previous(info);
        }));
    });
}

/// Writes the note for the database being polled, if user code of its
/// runtime is running. Nothing else is noted: a panic elsewhere is the
/// app's own.
fn note_panic(message: &str) {
    let Some(db) = POLLING_DB.with(|d| d.borrow().clone()) else {
        return;
    };
    let Some(running) = running_now() else {
        return;
    };
    let crash = Crash {
        running,
        message: message.to_string(),
    };
    if let (Ok(text), Some(storage)) = (serde_json::to_string(&crash), local_storage()) {
        // Nothing to do if it cannot be written: the module is going down.
        let _ = storage.set_item(&crash_note_key(&db), &text);
    }
}

/// Takes `db_name`'s crash note, if there is one: read and removed. A note
/// that does not decode is removed and reported as such.
pub(crate) fn take_crash_note(db_name: &str) -> Result<Option<Crash>, String> {
    let Some(storage) = local_storage() else {
        return Ok(None);
    };
    let key = crash_note_key(db_name);
    let Ok(Some(text)) = storage.get_item(&key) else {
        return Ok(None);
    };
    let _ = storage.remove_item(&key);
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("a crash note that does not decode was dropped ({e}): {text}"))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// `inner`, marked as `db`'s runtime while it is polled.
pub(crate) struct ForDatabase<F> {
    db: Rc<str>,
    inner: Pin<Box<F>>,
}

impl<F: Future> ForDatabase<F> {
    pub(crate) fn new(db: Rc<str>, inner: F) -> Self {
        ForDatabase {
            db,
            inner: Box::pin(inner),
        }
    }
}

impl<F: Future> Future for ForDatabase<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let previous = POLLING_DB.with(|d| d.borrow_mut().replace(self.db.clone()));
        let polled = self.inner.as_mut().poll(cx);
        POLLING_DB.with(|d| *d.borrow_mut() = previous);
        polled
    }
}
