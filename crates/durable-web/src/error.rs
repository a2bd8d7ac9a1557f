//! [`Error`], the errors of the browser store, and the one place where
//! JavaScript errors (`JsValue`, `DOMException`) become Rust errors.

use indexed_db_futures::error::{Error as IdbError, OpenDbError};

/// What can go wrong talking to IndexedDB.
///
/// Holds only owned strings, never a `JsValue`, so it can be stored, cloned and
/// compared freely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// This environment has no usable IndexedDB (no `indexedDB` global, or
    /// the browser disabled it).
    #[error("IndexedDB is not available here: {0}")]
    Unavailable(String),

    /// The browser refused or aborted an operation with a `DOMException`
    /// (for example `QuotaExceededError`, `VersionError`, `AbortError`).
    #[error("IndexedDB {name}: {message}")]
    Storage {
        /// The `DOMException`'s name, e.g. `QuotaExceededError`.
        name: String,
        /// The browser's message.
        message: String,
    },

    /// A record could not be converted to or from its stored form.
    #[error("could not convert a record: {0}")]
    Serialisation(String),

    /// Any other JavaScript error, or a state the IndexedDB wrapper did not
    /// expect.
    #[error("IndexedDB failed: {0}")]
    Other(String),
}

impl From<IdbError> for Error {
    fn from(error: IdbError) -> Self {
        match error {
            IdbError::DomException(exception) => {
                let message = exception.message();
                let name = web_sys::DomException::from(exception).name();
                Self::Storage { name, message }
            }
            IdbError::Serialisation(error) => Self::Serialisation(error.to_string()),
            IdbError::MissingData(error) => Self::Other(error.to_string()),
            IdbError::Unknown(error) => Self::Other(error.to_string()),
        }
    }
}

impl From<OpenDbError> for Error {
    fn from(error: OpenDbError) -> Self {
        match error {
            OpenDbError::Base(error) => error.into(),
            // A zero version is a bug in this crate, not something the
            // browser did; it still must not panic in the user's tab.
            OpenDbError::VersionZero => Self::Other(error.to_string()),
            OpenDbError::UnsupportedEnvironment | OpenDbError::NullFactory => {
                Self::Unavailable(error.to_string())
            }
        }
    }
}

impl Error {
    /// A JavaScript error thrown by a raw web-sys call.
    pub fn from_js(value: wasm_bindgen::JsValue) -> Self {
        use wasm_bindgen::JsCast;
        match value.dyn_into::<web_sys::DomException>() {
            Ok(exception) => Self::Storage {
                name: exception.name(),
                message: exception.message(),
            },
            Err(other) => Self::Other(
                other
                    .as_string()
                    .unwrap_or_else(|| "a JavaScript error".into()),
            ),
        }
    }

    /// The `DOMException` name behind this error, if there is one.
    pub fn dom_name(&self) -> Option<&str> {
        match self {
            Self::Storage { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// An IndexedDB request's error as the store reports it. One function that
/// every request of `IdbStore` maps its error with (`.map_err(store_error)?`),
/// so that each `?` does not carry a conversion of its own: smaller wasm.
pub(crate) fn store_error(error: IdbError) -> durable::StoreError {
    Error::from(error).into()
}

impl From<Error> for durable::StoreError {
    fn from(error: Error) -> Self {
        use durable::StoreError;
        match error.dom_name() {
            Some("QuotaExceededError") => StoreError::QuotaExceeded(error.to_string()),
            // A unique index refused a write (a work id queued twice).
            Some("ConstraintError") => StoreError::Conflict(error.to_string()),
            Some("InvalidStateError") => StoreError::Closed(format!(
                "{error}; the database was closed, perhaps for an upgrade by a newer version \
                 of the app in another tab: reload the page"
            )),
            Some("DataError") | Some("DataCloneError") => StoreError::Corrupt(error.to_string()),
            _ => match error {
                Error::Serialisation(m) => StoreError::Corrupt(m),
                other => StoreError::Other(other.to_string()),
            },
        }
    }
}
