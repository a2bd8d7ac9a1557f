//! `make bench`, a keypress to its narration: the adventure page mounted on
//! a real host, a command typed and sent, until its narration line is in
//! the DOM and the next frame after it, against a raw transaction after the
//! same idle. A bench of its own, in its own page: the host it starts would
//! otherwise still be settling while the command bench measures.
//!
//! Compiled only with `--cfg durable_bench` (set by `make bench`): it
//! measures, it does not check behaviour.

#![cfg(all(target_arch = "wasm32", durable_bench))]

use durable::Clock;
use durable_dungeon::testing::say;
use durable_web::testing::median;
use durable_web::BrowserClock;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Waits until nothing has changed for 250 ms: the page sits as idle as
/// it does while a player thinks.
async fn quiet(changes: &durable::ChangeSubscription) {
    loop {
        let idle = BrowserClock.sleep(250);
        match durable::select2(changes.next(), idle).await {
            durable::Either::Left(_) => continue,
            durable::Either::Right(_) => break,
        }
    }
}

/// Keypress to narration: the adventure page mounted on a real host, a
/// command typed and sent, until its narration line is in the DOM, and the
/// next frame after it (when the browser paints it). Median over several
/// commands (a `get`, then a `kill`, for each of a few adventurers).
#[wasm_bindgen_test]
async fn keypress_to_narration() {
    use durable_dungeon::testing::{
        adventurer_in_the_room, command_word, console_texts, mount_adventure, send_button,
        services_with, type_command, until,
    };

    let raw_tps = durable_web::testing::raw_puts(
        &format!("bench-keys-raw-{}", js_sys::Math::random()),
        500,
        1,
    )
    .await
    .expect("raw");
    let raw_ms = 1000.0 / raw_tps;
    let db = format!("bench-keys-{}", js_sys::Math::random());
    let services = services_with(&db, dungeon::GameConfig::default()).await;
    let rt = services.runtime().expect("the runtime is up");
    let changes = rt.host.subscribe();
    let (mut to_line, mut to_frame) = (Vec::new(), Vec::new());
    // The raw transaction a keypress compares with: one put, after the page
    // sat as idle as it does while a player thinks.
    let raw = durable_web::testing::RawKv::open(&format!(
        "bench-keys-idle-raw-{}",
        js_sys::Math::random()
    ))
    .await
    .expect("raw");
    let (mut raw_idle, mut raw_command_idle) = (Vec::new(), Vec::new());
    for i in 0..6 {
        let (key, weapon, monster) =
            adventurer_in_the_room(&rt, &changes, &format!("Keys {i}")).await;
        let (mounted, root) = mount_adventure(services, &key);
        let lines = || console_texts(&root).len();
        until("the story", &root, 30_000.0, || lines() > 0).await;
        // Each command with its own requests (benches/commands.rs): 7 gets,
        // then 9 puts for a get and 12 for a kill.
        for (command, puts) in [
            (format!("get {}", command_word(&weapon.name)), 9),
            (
                format!(
                    "kill {} with {}",
                    command_word(&monster.name),
                    command_word(&weapon.name)
                ),
                12,
            ),
        ] {
            type_command(&root, &command);
            // A player types into a settled page: the workflows that set
            // the adventure up have done their work (250 ms without a
            // change).
            quiet(&changes).await;
            raw_idle.push(raw.put_once().await.expect("raw"));
            quiet(&changes).await;
            raw_command_idle.push(raw.read_then_write_once(7, puts).await.expect("raw"));
            // And as idle again before the keypress.
            quiet(&changes).await;
            let before = lines();
            let t = BrowserClock.monotonic_ms();
            send_button(&root).click();
            until("the narration", &root, 30_000.0, || lines() > before).await;
            to_line.push(BrowserClock.monotonic_ms() - t);
            let frame = js_sys::Promise::new(&mut |resolve, _| {
                let _ = web_sys::window()
                    .expect("a window")
                    .request_animation_frame(&resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
            to_frame.push(BrowserClock.monotonic_ms() - t);
        }
        drop(mounted);
        root.remove();
    }
    services.shut_down();
    // Each keypress against the raw transactions measured just before it.
    let per_keypress = |f: &dyn Fn(usize) -> f64| median((0..to_line.len()).map(f).collect());
    let vs_idle = per_keypress(&|k| to_line[k] / raw_idle[k]);
    let vs_requests = per_keypress(&|k| to_line[k] / raw_command_idle[k]);
    let requests_vs_idle = per_keypress(&|k| raw_command_idle[k] / raw_idle[k]);
    let (line, frame) = (median(to_line.clone()), median(to_frame));
    let (idle_ms, command_idle_ms) = (median(raw_idle.clone()), median(raw_command_idle.clone()));
    say(&format!(
        "BENCH keypress -> narration line in the DOM (adventure page, real host, after 250 ms idle): {line:.2} ms = {:.1} raw transactions back to back; median ratio to a raw transaction after the same idle just before it ({idle_ms:.2} ms): {vs_idle:.1}; to the next frame {frame:.2} ms (target <= 3 raw transactions + one frame)",
        line / raw_ms
    ));
    say(&format!(
        "BENCH keypress floor: the command's counts of requests replayed raw after the same idle just before it (7 gets, then 9 or 12 puts): {command_idle_ms:.2} ms, median {requests_vs_idle:.1} raw transactions after the idle; the keypress takes a median {vs_requests:.2} x that"
    ));
}
