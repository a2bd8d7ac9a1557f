//! An instance as a file: its row and its history, with the format version,
//! so an engineer can take an instance from one browser and inspect and
//! replay it in another.
//!
//! Owns the file format. Reading a file never trusts it: anything but a
//! whole, known file is an [`ImportError`] naming what is wrong.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::history::{decode_event, HistoryDecodeError, HistoryEvent, HISTORY_FORMAT};
use crate::instance::InstanceRecord;

/// What the file says it is, so another tool never mistakes it.
pub const EXPORT_KIND: &str = "durable-instance";

/// An exported instance: its row and history, as this build wrote them.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceExport {
    /// The instance row.
    pub row: InstanceRecord,
    /// The current execution's history, in event order.
    pub history: Vec<HistoryEvent>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    kind: &'static str,
    format: u32,
    row: &'a InstanceRecord,
    history: &'a [HistoryEvent],
}

#[derive(Deserialize)]
struct FileIn {
    kind: Option<String>,
    format: Option<u32>,
    row: Option<Value>,
    history: Option<Vec<Value>>,
}

/// Why a file could not be imported. Nothing is read from a file that
/// fails.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImportError {
    /// The text is not JSON; holds what the parser reported.
    #[error("This is not a JSON file: {0}")]
    NotJson(String),
    /// The JSON does not say it is an exported instance (its `kind` is not
    /// [`EXPORT_KIND`]).
    #[error("This is not an exported instance (no \"kind\": \"{EXPORT_KIND}\").")]
    NotAnExport,
    /// A newer build wrote the file, in a format this one does not read.
    #[error("The file is in format {found}; this build reads format {HISTORY_FORMAT} and older. Open it with a newer build.")]
    NewerFormat {
        /// The file's format version.
        found: u32,
    },
    /// A part of the file is missing; holds what it is.
    #[error("The file has no {0}.")]
    Missing(&'static str),
    /// The instance row does not decode; holds what the decoder reported.
    #[error("The instance row is not valid: {0}")]
    BadRow(String),
    /// An event of the history does not decode.
    #[error(transparent)]
    BadEvent(#[from] HistoryDecodeError),
}

/// The file of an instance: pretty JSON.
pub fn export_instance(row: &InstanceRecord, history: &[HistoryEvent]) -> String {
    let file = FileOut {
        kind: EXPORT_KIND,
        format: HISTORY_FORMAT,
        row,
        history,
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Reads a file written by [`export_instance`] (by this build or an older
/// one).
pub fn import_instance(text: &str) -> Result<InstanceExport, ImportError> {
    let file: FileIn =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    if file.kind.as_deref() != Some(EXPORT_KIND) {
        return Err(ImportError::NotAnExport);
    }
    let format = file.format.ok_or(ImportError::Missing("format version"))?;
    if format > HISTORY_FORMAT {
        return Err(ImportError::NewerFormat { found: format });
    }
    let row = file.row.ok_or(ImportError::Missing("instance row"))?;
    let row: InstanceRecord =
        serde_json::from_value(row).map_err(|e| ImportError::BadRow(e.to_string()))?;
    let events = file.history.ok_or(ImportError::Missing("history"))?;
    let mut history = Vec::with_capacity(events.len());
    for (position, event) in events.into_iter().enumerate() {
        history.push(decode_event(position, event)?);
    }
    Ok(InstanceExport { row, history })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EventKind;
    use crate::instance::InstanceId;
    use serde_json::json;

    fn sample() -> (InstanceRecord, Vec<HistoryEvent>) {
        let row = InstanceRecord::pending(InstanceId::new("i"), "O", json!(1), 5);
        let history = vec![HistoryEvent {
            event_id: 0,
            timestamp_ms: 5,
            kind: EventKind::OrchestratorStarted,
        }];
        (row, history)
    }

    #[test]
    fn an_export_reads_back_whole() {
        let (row, history) = sample();
        let text = export_instance(&row, &history);
        assert_eq!(import_instance(&text), Ok(InstanceExport { row, history }));
    }

    #[test]
    fn a_bad_file_is_refused_naming_what_is_wrong() {
        let (row, history) = sample();
        let good: Value = serde_json::from_str(&export_instance(&row, &history)).unwrap();
        let with = |field: &str, value: Value| {
            let mut v = good.clone();
            v[field] = value;
            v.to_string()
        };
        let without = |field: &str| {
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove(field);
            v.to_string()
        };
        assert!(matches!(
            import_instance("{not json"),
            Err(ImportError::NotJson(_))
        ));
        assert_eq!(
            import_instance(&with("kind", json!("other"))),
            Err(ImportError::NotAnExport)
        );
        assert_eq!(
            import_instance(&with("format", json!(HISTORY_FORMAT + 1))),
            Err(ImportError::NewerFormat {
                found: HISTORY_FORMAT + 1
            })
        );
        assert_eq!(
            import_instance(&without("format")),
            Err(ImportError::Missing("format version"))
        );
        assert_eq!(
            import_instance(&without("history")),
            Err(ImportError::Missing("history"))
        );
        assert!(matches!(
            import_instance(&with("row", json!(3))),
            Err(ImportError::BadRow(_))
        ));
        let unknown = with(
            "history",
            json!([{"event_id": 0, "timestamp_ms": 0, "kind": "Teleported"}]),
        );
        assert!(matches!(
            import_instance(&unknown),
            Err(ImportError::BadEvent(
                HistoryDecodeError::UnknownKind { .. }
            ))
        ));
    }
}
