//! The Store conformance suite on the in-memory store. The IndexedDB store
//! runs the very same suite in the browser.

use durable::testing::block_on;
use durable::InMemoryStore;

#[test]
fn in_memory_store_passes_the_conformance_suite() {
    let mut made = Vec::new();
    block_on(durable::conformance::run_all(|name| {
        made.push(name);
        std::future::ready(InMemoryStore::new())
    }));
    assert_eq!(made.len(), 15, "every check ran on a fresh store: {made:?}");
}
