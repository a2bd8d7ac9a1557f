//! The confirmation countdown: a ring and mm:ss, computed from the durable
//! timer's stored due time, so it is right after a reload.

use dungeon::ConfirmationWindow;
use leptos::prelude::*;

/// mm:ss of the time left.
pub fn mm_ss(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// Thousandths as a decimal: 282743 → "282.743".
fn milli(v: u64) -> String {
    format!("{}.{:03}", v / 1000, v % 1000)
}

#[component]
pub fn Countdown(window: ConfirmationWindow) -> impl IntoView {
    let now = RwSignal::new(js_sys::Date::now() as u64);
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now() as u64),
        std::time::Duration::from_millis(250),
    ) {
        on_cleanup(move || handle.clear());
    }
    let left = Signal::derive(move || window.closes_at_ms.saturating_sub(now.get()));
    view! {
        <CountdownRing left=left length_ms=window.length_ms>
            <p>"Confirm before the ring runs out: type " <kbd>"confirm"</kbd> " or tap Confirm."</p>
        </CountdownRing>
    }
}

/// The ring and mm:ss of `left` out of `length_ms`, with the caller's words.
#[component]
pub fn CountdownRing(left: Signal<u64>, length_ms: u64, children: Children) -> impl IntoView {
    let fraction = move || left.get() as f64 / length_ms.max(1) as f64;
    // Lengths in thousandths of the ring's circumference (r = 45), as
    // integers: the ring needs no float formatting.
    const CIRCUMFERENCE_MILLI: u64 = 282_743;
    let offset = move || {
        CIRCUMFERENCE_MILLI - (CIRCUMFERENCE_MILLI as f64 * fraction().clamp(0.0, 1.0)) as u64
    };
    view! {
        <section class="countdown" aria-label="Confirmation countdown" data-testid="countdown">
            <svg viewBox="0 0 100 100" class="countdown__ring" role="img" aria-hidden="true">
                <circle cx="50" cy="50" r="45" class="countdown__track" />
                <circle
                    cx="50"
                    cy="50"
                    r="45"
                    class="countdown__left"
                    stroke-dasharray=milli(CIRCUMFERENCE_MILLI)
                    stroke-dashoffset=move || milli(offset())
                    transform="rotate(-90 50 50)"
                />
            </svg>
            <div>
                <p class="countdown__time" data-testid="countdown-time" aria-live="off">{move || mm_ss(left.get())}</p>
                {children()}
            </div>
        </section>
    }
}
