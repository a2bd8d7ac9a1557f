//! Telling the other tabs: a BroadcastChannel per database.
//!
//! Owns the wire format of the notices tabs exchange: a batch of changes
//! (an instance changed, an app store changed, work was queued). A notice
//! carries no data of record, only what to re-read; a notice that does not
//! decode is ignored (another version of the app may be open). Must never
//! carry commands: those go through IndexedDB.

use durable::{Change, InstanceId, RuntimeStatus};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Notice {
    #[serde(rename = "instance")]
    Instance { id: String, status: Option<String> },
    #[serde(rename = "app")]
    AppStore { store: String },
    #[serde(rename = "queued")]
    Queued { id: String },
}

/// The notice other tabs get of a change; none for this tab's own
/// leadership.
fn to_notice(c: &Change) -> Option<Notice> {
    Some(match c {
        Change::Instance { id, status } => Notice::Instance {
            id: id.0.clone(),
            status: status.map(|s| s.as_str().to_string()),
        },
        Change::AppStore { store } => Notice::AppStore {
            store: store.clone(),
        },
        Change::Queued { id } => Notice::Queued { id: id.0.clone() },
        Change::Leadership { .. } => return None,
    })
}

fn from_notice(n: Notice) -> Change {
    match n {
        Notice::Instance { id, status } => Change::Instance {
            id: InstanceId(id),
            status: status.and_then(|s| RuntimeStatus::parse(&s)),
        },
        Notice::AppStore { store } => Change::AppStore { store },
        Notice::Queued { id } => Change::Queued { id: InstanceId(id) },
    }
}

/// One tab's end of the channel. Dropping it closes it.
pub struct Broadcast {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Broadcast {
    /// Joins the channel `name`; `on_changes` receives what other tabs send.
    pub fn join(
        name: &str,
        mut on_changes: impl FnMut(Vec<Change>) + 'static,
    ) -> Result<Broadcast, JsValue> {
        let channel = BroadcastChannel::new(name)?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            if let Ok(notices) = serde_json::from_str::<Vec<Notice>>(&text) {
                on_changes(notices.into_iter().map(from_notice).collect());
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Broadcast {
            channel,
            _on_message: on_message,
        })
    }

    /// Sends changes to every other tab (not to this one).
    pub fn send(&self, changes: &[Change]) {
        let notices: Vec<Notice> = changes.iter().filter_map(to_notice).collect();
        if notices.is_empty() {
            return;
        }
        if let Ok(text) = serde_json::to_string(&notices) {
            let _ = self.channel.post_message(&JsValue::from_str(&text));
        }
    }
}

impl Drop for Broadcast {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
