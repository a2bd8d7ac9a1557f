//! Importing an exported instance (a file from this browser or another):
//! the file is read and shown — its facts, timeline, history, step-through
//! and the replay check — and nothing is written. A file that is not a
//! whole, known export is refused, naming what is wrong.

use durable::{import_instance, InstanceExport};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::InstanceReport;

/// The import page: an exported instance, picked as a file or pasted, shown
/// with its step-through and replay check. Nothing is written.
#[component]
pub fn ImportInstance() -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<InstanceExport, String>>);
    let pasted = RwSignal::new(String::new());
    let read = move |text: &str| loaded.set(Some(import_instance(text).map_err(|e| e.to_string())));
    let picked = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => read(&text.as_string().unwrap_or_default()),
                Err(_) => loaded.set(Some(Err("The file could not be read.".into()))),
            }
        });
    };
    view! {
        <section class="instance" aria-labelledby="import-heading">
            <nav><a href="#/dashboard">"← All workflows"</a></nav>
            <h2 id="import-heading">"Import an instance"</h2>
            <p class="muted">"An instance exported from any browser: it is read and shown here, and nothing is written to this browser's workflows."</p>
            <label>"Exported file " <input type="file" accept=".json,application/json" data-testid="import-file" on:change=picked /></label>
            <form class="instance__action" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                read(&pasted.get_untracked());
            }>
                <label>"Or paste its text" <textarea data-testid="import-text" prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea></label>
                <button type="submit" data-testid="import-read">"Read"</button>
            </form>
            {move || match loaded.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert" data-testid="import-error">{e}</p> }.into_any(),
                Some(Ok(file)) => view! {
                    <h3 data-testid="imported-id">{format!("Imported: {}", file.row.id)}</h3>
                    <InstanceReport record=file.row history=file.history />
                }.into_any(),
            }}
        </section>
    }
}
