//! Native benchmark of the runtime core on the in-memory store.
//!
//! Prints: turns per second for a 5-activity sequence and for a 100-way
//! fan-out; the cost of one turn at history length 10 and 1,000 (with the
//! execution cache on, and off for contrast); full replay time of a 1,000-event
//! history. Run with `make bench` (release build).

use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use durable::testing::block_on;
use durable::{
    check_replay, Clock, InMemoryStore, InstanceId, Runtime, RuntimeOptions, Sleep, Store,
};

/// The wall clock, for measuring.
struct StdClock(Instant);

impl Clock for StdClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
    fn monotonic_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
    fn sleep(&self, _ms: u64) -> Sleep {
        Box::pin(std::future::ready(()))
    }
}

use durable::testing::bench::registry;

fn runtime(options: RuntimeOptions) -> (InMemoryStore, Runtime<InMemoryStore>) {
    let store = InMemoryStore::new();
    let rt = Runtime::with_options(
        store.clone(),
        registry(),
        Rc::new(StdClock(Instant::now())),
        options,
    );
    (store, rt)
}

/// (turns per second, activities per second)
fn turns_per_second(name: &str, input: u32, instances: usize) -> (f64, f64) {
    let (_, rt) = runtime(RuntimeOptions::default());
    let client = rt.client();
    for i in 0..instances {
        block_on(client.start(name, &InstanceId::new(format!("{name}{i}")), &input)).unwrap();
    }
    let t = Instant::now();
    let report = block_on(rt.run_until_idle()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    (report.turns as f64 / secs, report.activities as f64 / secs)
}

/// Mean ms of one turn (raise + tick) once the history has `len` events.
fn turn_cost_at(len: usize, cache: bool) -> f64 {
    let options = RuntimeOptions {
        cache_capacity: if cache { 100 } else { 0 },
        ..RuntimeOptions::default()
    };
    let (store, rt) = runtime(options);
    let client = rt.client();
    let id = InstanceId::new("ticker");
    block_on(client.start("Ticker", &id, &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    while (block_on(store.instance(&id)).unwrap().unwrap().history_len as usize) < len {
        block_on(client.raise_event(&id, "tick", &false)).unwrap();
        block_on(rt.tick()).unwrap();
    }
    let rounds = 300;
    let mut spent = 0.0;
    for _ in 0..rounds {
        block_on(client.raise_event(&id, "tick", &false)).unwrap();
        let t = Instant::now();
        block_on(rt.tick()).unwrap();
        spent += t.elapsed().as_secs_f64() * 1000.0;
    }
    spent / rounds as f64
}

fn main() {
    println!("durable core, in-memory store, release build");
    let (seq, acts) = turns_per_second("Sequence", 5, 2_000);
    println!(
        "  5-activity sequence (2,000 instances): {seq:>9.0} turns/s {acts:>9.0} activities/s"
    );
    let (fan, acts) = turns_per_second("FanOut", 100, 100);
    println!(
        "  100-way fan-out (100 instances):       {fan:>9.0} turns/s {acts:>9.0} activities/s"
    );

    // Warm up, then measure the turn cost at two history lengths.
    turn_cost_at(10, true);
    let short = turn_cost_at(10, true);
    let long = turn_cost_at(1_000, true);
    println!(
        "  one turn, cache on:  history 10 {short:.4} ms, history 1,000 {long:.4} ms, ratio {:.2} (target <= 1.3)",
        long / short
    );
    let short_nc = turn_cost_at(10, false);
    let long_nc = turn_cost_at(1_000, false);
    println!(
        "  one turn, cache off: history 10 {short_nc:.4} ms, history 1,000 {long_nc:.4} ms, ratio {:.2}",
        long_nc / short_nc
    );

    // Full replay of a 1,000-event history.
    let (store, rt) = runtime(RuntimeOptions::default());
    let client = rt.client();
    let id = InstanceId::new("replayed");
    block_on(client.start("Ticker", &id, &())).unwrap();
    block_on(rt.run_until_idle()).unwrap();
    while block_on(store.history(&id)).unwrap().len() < 1_000 {
        block_on(client.raise_event(&id, "tick", &false)).unwrap();
        block_on(rt.tick()).unwrap();
    }
    let history = block_on(store.history(&id)).unwrap();
    let registry = registry();
    let rounds = 200;
    let t = Instant::now();
    for _ in 0..rounds {
        check_replay(&registry, &id, &history).expect("replays");
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
    println!(
        "  full replay of a {}-event history:     {ms:>10.3} ms",
        history.len()
    );
}
