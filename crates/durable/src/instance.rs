//! Orchestration instances: identity, runtime status and the instance row.
//!
//! Owns what the client and the dashboard read about an instance. Must never
//! run orchestration code or touch storage.

use crate::context::LogLine;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An instance id, chosen by the caller (derived from what the instance is
/// about, such as an order or a user) or generated.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceId(pub String);

impl InstanceId {
    /// An instance id of the given text.
    pub fn new(id: impl Into<String>) -> Self {
        InstanceId(id.into())
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for InstanceId {
    fn from(s: &str) -> Self {
        InstanceId(s.to_string())
    }
}

/// The runtime status of an instance, as in the Durable Task Framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuntimeStatus {
    /// Started, but no turn has run yet.
    Pending,
    /// Its code has run and waits for something (an activity, a timer, an
    /// event, a child).
    Running,
    /// Suspended by a client: its messages wait until it is resumed.
    Suspended,
    /// Finished: the orchestration returned an output.
    Completed,
    /// Finished with a failure: the orchestration returned an error, or its
    /// replay diverged.
    Failed,
    /// Finished: a client terminated it.
    Terminated,
    /// Transient: the instance is restarting with new input.
    ContinuedAsNew,
}

impl RuntimeStatus {
    /// Every status, in declaration order.
    pub const ALL: [RuntimeStatus; 7] = [
        RuntimeStatus::Pending,
        RuntimeStatus::Running,
        RuntimeStatus::Suspended,
        RuntimeStatus::Completed,
        RuntimeStatus::Failed,
        RuntimeStatus::Terminated,
        RuntimeStatus::ContinuedAsNew,
    ];

    /// A final status never changes again (unless the id is started anew).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RuntimeStatus::Completed | RuntimeStatus::Failed | RuntimeStatus::Terminated
        )
    }

    /// The status of this name (as [`RuntimeStatus::as_str`] writes it).
    pub fn parse(name: &str) -> Option<RuntimeStatus> {
        RuntimeStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The status's name (`"Running"`), as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeStatus::Pending => "Pending",
            RuntimeStatus::Running => "Running",
            RuntimeStatus::Suspended => "Suspended",
            RuntimeStatus::Completed => "Completed",
            RuntimeStatus::Failed => "Failed",
            RuntimeStatus::Terminated => "Terminated",
            RuntimeStatus::ContinuedAsNew => "ContinuedAsNew",
        }
    }
}

impl fmt::Display for RuntimeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The instance that started this one as a sub-orchestration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParentRef {
    /// The parent instance.
    pub instance_id: InstanceId,
    /// The parent's execution that started this one.
    pub execution: u32,
    /// The parent's SubOrchestrationInstanceCreated event id.
    pub scheduled_id: u64,
    /// A fire-and-forget start: the parent is not told of completion.
    #[serde(default)]
    pub detached: bool,
    /// The parent's incarnation: its completion goes to that one only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub incarnation: String,
}

/// A new incarnation token: 12 hex digits hashed from what makes a start
/// unique (for a client: its clock, nonce and a sequence number; for a
/// child: its parent's incarnation, execution and event id).
pub fn incarnation_token(seed: &str) -> String {
    let h = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

/// The instance row: everything about an instance except its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceRecord {
    /// The instance's id.
    pub id: InstanceId,
    /// The orchestration it runs.
    pub name: String,
    /// The current execution's input (after a continue-as-new, the new one).
    pub input: Value,
    /// Where the instance is in its life.
    pub status: RuntimeStatus,
    /// What the orchestration last set with
    /// [`crate::OrchestrationContext::set_custom_status`]; `None` if it never
    /// did.
    #[serde(default)]
    pub custom_status: Option<Value>,
    /// The orchestration's output once it has completed; `None` until then, and
    /// when it failed or was terminated.
    #[serde(default)]
    pub output: Option<Value>,
    /// The failure message (Failed) or the termination reason (Terminated).
    #[serde(default)]
    pub failure: Option<String>,
    /// When the instance was started (ms since the Unix epoch).
    pub created_ms: u64,
    /// Orchestration time of its latest turn (ms since the Unix epoch); the
    /// next turn runs no earlier.
    pub updated_ms: u64,
    /// Increases by one at every continue-as-new.
    pub execution: u32,
    /// Who this life of the id is: a token allocated at every start and kept
    /// across continue-as-new. Work ids and messages carry it, so after a
    /// purge a restarted id never meets the old one's messages (empty in
    /// rows written before incarnations existed).
    #[serde(default)]
    pub incarnation: String,
    /// Number of events in the current execution's history.
    pub history_len: u64,
    /// Optimistic-concurrency version: increases with every committed change.
    pub version: u64,
    /// The instance that started this one as a sub-orchestration; `None` for an
    /// instance a client started.
    #[serde(default)]
    pub parent: Option<ParentRef>,
    /// Milliseconds spent in orchestration code, summed over all turns.
    #[serde(default)]
    pub orchestration_compute_ms: f64,
    /// Milliseconds spent in this instance's activities, summed.
    #[serde(default)]
    pub activity_compute_ms: f64,
    /// Number of turns committed.
    #[serde(default)]
    pub turns: u64,
    /// The version of the orchestration the current execution runs, known
    /// from its first turn on (`None` before it, and in rows written before
    /// versions existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orchestration_version: Option<u32>,
    /// The last lines the orchestration logged ([`OrchestrationContext::log`]),
    /// oldest first, across its executions: at most [`ROW_LOG_LINES`], each
    /// cut to [`ROW_LOG_CHARS`] characters (and an ellipsis). They commit with the turn that wrote
    /// them, so every client and the dashboard see them.
    ///
    /// [`OrchestrationContext::log`]: crate::OrchestrationContext::log
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogLine>,
}

/// How many logged lines an instance row keeps (the newest).
pub const ROW_LOG_LINES: usize = 20;
/// How many characters of a logged line an instance row keeps (a longer
/// line is cut there and ends with `…`).
pub const ROW_LOG_CHARS: usize = 500;

impl InstanceRecord {
    /// Keeps `lines` (a turn's log) in the row, within its bounds.
    pub fn keep_log(&mut self, lines: &[LogLine]) {
        // Only the lines that can stay, and of each only what stays.
        for line in &lines[lines.len().saturating_sub(ROW_LOG_LINES)..] {
            let message = match line.message.char_indices().nth(ROW_LOG_CHARS) {
                Some((cut, _)) => format!("{}…", &line.message[..cut]),
                None => line.message.clone(),
            };
            self.log.push(LogLine {
                instance_id: line.instance_id.clone(),
                message,
                ..*line
            });
        }
        let excess = self.log.len().saturating_sub(ROW_LOG_LINES);
        self.log.drain(..excess);
    }

    /// A fresh Pending row for a newly started instance.
    pub fn pending(id: InstanceId, name: &str, input: Value, now_ms: u64) -> Self {
        InstanceRecord {
            id,
            name: name.to_string(),
            input,
            status: RuntimeStatus::Pending,
            custom_status: None,
            output: None,
            failure: None,
            created_ms: now_ms,
            updated_ms: now_ms,
            execution: 0,
            incarnation: String::new(),
            history_len: 0,
            version: 0,
            parent: None,
            orchestration_compute_ms: 0.0,
            activity_compute_ms: 0.0,
            turns: 0,
            orchestration_version: None,
            log: Vec::new(),
        }
    }
}
