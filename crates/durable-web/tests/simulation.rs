//! The lifecycle simulation on IndexedDB: the same seeded programs as the
//! native suite (`durable::testing::sim::lifecycle`), with the database
//! closed and reopened before every scheduling step — every turn boundary,
//! since fusing is off in half of the seeds — against the reference run on
//! the in-memory store. A failure names its seed.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use durable::testing::sim::lifecycle::{first_difference, run};
use durable::testing::sim::Variant;
use durable::InMemoryStore;
use durable_web::IdbStore;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Seeds run here; each opens its database some dozens of times.
const SEEDS: u64 = 300;
/// Groups of operations per program (the native suite runs 12).
const GROUPS: usize = 6;

/// The variant of seed `seed` on IndexedDB: reopened at every step, the
/// engine's switches drawn from the seed.
fn variant(seed: u64) -> Variant {
    Variant {
        fuse: seed % 2 == 1,
        group_commit: seed % 4 >= 2,
        cache: seed % 3 != 0,
        reload_per_mille: 1000,
        second_executor: false,
        direct_raise: seed % 5 >= 2,
        activity_concurrency: if seed % 7 == 3 { 1 } else { 1_000 },
    }
}

#[wasm_bindgen_test]
async fn lifecycle_programs_on_indexeddb_reopened_at_every_turn_boundary() {
    let started = js_sys::Date::now();
    for seed in 0..SEEDS {
        let memory = InMemoryStore::new();
        let reference = run(seed, GROUPS, Variant::reference(), || {
            std::future::ready(memory.clone())
        })
        .await
        .unwrap_or_else(|e| panic!("seed {seed}, reference run: {e}"));
        let name = format!("durable-sim-{seed}-{}", js_sys::Math::random());
        let current: Rc<RefCell<Option<IdbStore>>> = Rc::default();
        let variant = variant(seed);
        let on_idb = run(seed, GROUPS, variant.clone(), || {
            let (name, current) = (name.clone(), current.clone());
            async move {
                if let Some(old) = current.borrow_mut().take() {
                    old.close();
                }
                let store = IdbStore::open(&name).await.expect("the database opens");
                *current.borrow_mut() = Some(store.clone());
                store
            }
        })
        .await
        .unwrap_or_else(|e| panic!("seed {seed}, {variant:?} on IndexedDB: {e}"));
        assert!(
            reference == on_idb,
            "seed {seed}, {variant:?} on IndexedDB differs from the reference run:\n{}",
            first_difference(&reference, &on_idb)
        );
    }
    web_sys::console::log_1(
        &format!(
            "{SEEDS} lifecycle seeds on IndexedDB in {:.1} s",
            (js_sys::Date::now() - started) / 1000.0
        )
        .into(),
    );
}
