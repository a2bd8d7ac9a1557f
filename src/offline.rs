//! The app as an installable, offline-first page: registers the service
//! worker (`sw.js`, written by the build), offers a new build's reload,
//! shows when the network is gone, and asks the browser to keep the game's
//! storage. Owns no game state and never decides what is cached: the
//! service worker and the build do (`web/service-worker.js`).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function register_service_worker(on_update) {
    if (!('serviceWorker' in navigator)) return;
    // Another tab took a new build: this one runs the old one, whose files
    // the new worker no longer keeps.
    const had_controller = navigator.serviceWorker.controller !== null;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
        if (had_controller) on_update();
    });
    navigator.serviceWorker.register('sw.js').then((registration) => {
        // A new build waiting while this page runs an older one.
        const offer = () => { if (navigator.serviceWorker.controller) on_update(); };
        if (registration.waiting) offer();
        registration.addEventListener('updatefound', () => {
            const worker = registration.installing;
            if (!worker) return;
            worker.addEventListener('statechange', () => {
                if (worker.state === 'installed') offer();
            });
        });
        // The dashboard's module is not part of the first load: the worker
        // caches it once the game has been idle a moment.
        navigator.serviceWorker.ready.then((ready) => {
            const later = () => ready.active && ready.active.postMessage('cache-later');
            setTimeout(() => ('requestIdleCallback' in window)
                ? requestIdleCallback(later, { timeout: 10000 })
                : later(), 3000);
        });
        const look = () => registration.update().catch(() => {});
        setInterval(look, 15 * 60 * 1000);
        document.addEventListener('visibilitychange', () => {
            if (document.visibilityState === 'visible') look();
        });
    }).catch((e) => console.warn('service worker not registered:', e));
}
export function apply_update() {
    navigator.serviceWorker.getRegistration().then((registration) => {
        if (registration && registration.waiting) {
            navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
            registration.waiting.postMessage('activate-update');
        } else {
            location.reload();
        }
    });
}
export function request_persistence() {
    if (navigator.storage && navigator.storage.persist) {
        navigator.storage.persist().catch(() => {});
    }
}")]
extern "C" {
    fn register_service_worker(on_update: &Closure<dyn FnMut()>);
    fn apply_update();
    fn request_persistence();
}

/// Registers the service worker and asks for persistent storage; the
/// returned signal turns true when a new build is ready.
pub fn start() -> ReadSignal<bool> {
    let (update_ready, set_update_ready) = signal(false);
    let on_update = Closure::<dyn FnMut()>::new(move || set_update_ready.set(true));
    register_service_worker(&on_update);
    // The page lives as long as the app: the callback must too.
    on_update.forget();
    request_persistence();
    update_ready
}

/// "A new version is ready — reload", while one is.
#[component]
pub fn UpdateOffer(ready: ReadSignal<bool>) -> impl IntoView {
    move || {
        ready.get().then(|| {
            view! {
                <div class="update-offer" role="status" data-testid="update-offer">
                    "A new version is ready. "
                    <button type="button" data-testid="update-reload" on:click=|_| apply_update()>"Reload"</button>
                </div>
            }
        })
    }
}

/// A small mark while the browser reports no network.
#[component]
pub fn OfflineIndicator() -> impl IntoView {
    let online = RwSignal::new(window().navigator().on_line());
    let up = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let down = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        up.remove();
        down.remove();
    });
    move || {
        (!online.get()).then(|| {
            view! {
                <span class="offline" role="status" data-testid="offline"
                    title="No network: the game needs none, and carries on.">
                    "Offline"
                </span>
            }
        })
    }
}
