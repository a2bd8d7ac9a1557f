//! How much the browser lets the app keep: storage used and the quota
//! (`navigator.storage.estimate()`), and whether the browser was asked and
//! agreed to keep it through storage pressure (`persisted()`; an app asks at
//! start, as the game does). Reads only; a browser without the API shows nothing.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Copy, Debug, PartialEq)]
struct StorageUse {
    used: f64,
    quota: f64,
    persisted: bool,
}

async fn read() -> Option<StorageUse> {
    let storage = window().navigator().storage();
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let field = |name: &str| {
        js_sys::Reflect::get(&estimate, &name.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    let persisted = match storage.persisted() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
        Err(_) => None,
    };
    Some(StorageUse {
        used: field("usage")?,
        quota: field("quota")?,
        persisted: persisted.unwrap_or(false),
    })
}

/// Bytes for people: "812 KB", "3.4 MB", "10.2 GB" (integer arithmetic, no
/// float formatting in the bundle).
pub fn bytes(n: f64) -> String {
    let n = n.max(0.0) as u64;
    let (unit, size) = match n {
        0..=999_999 => return format!("{} KB", n.div_ceil(1_000)),
        1_000_000..=999_999_999 => ("MB", 1_000_000),
        _ => ("GB", 1_000_000_000),
    };
    let tenths = n * 10 / size;
    format!("{}.{} {unit}", tenths / 10, tenths % 10)
}

#[component]
pub fn StorageLine() -> impl IntoView {
    let usage = LocalResource::new(read);
    view! {
        {move || usage.get().flatten().map(|u| view! {
            <p class="muted" data-testid="storage">
                {format!(
                    "Storage: {} used of {} allowed; {}",
                    bytes(u.used),
                    bytes(u.quota),
                    if u.persisted { "kept by the browser (persistent)." } else { "the browser may clear it when space runs low." },
                )}
            </p>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::bytes;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(0.0), "0 KB");
        assert_eq!(bytes(1.0), "1 KB");
        assert_eq!(bytes(812_345.0), "813 KB");
        assert_eq!(bytes(3_456_789.0), "3.4 MB");
        assert_eq!(bytes(10_234_567_890.0), "10.2 GB");
    }
}
