//! `make soak`: the native simulations over many seeds, with seeds per
//! second. `SEEDS=n` (default 1,000,000) sets how many; `--sim NAME --seed
//! N` replays exactly one seed of one simulation (the command a failure
//! prints), with `--verbose` for what each run showed.
//!
//!     cargo run --release -p durable --example soak
//!     cargo run --release -p durable --example soak -- --sim lifecycle --seed 42

use std::time::Instant;

use durable::testing::sim::{lifecycle_in_memory, over_seeds, writers_in_memory, SimFailure};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    if let (Some(sim), Some(seed)) = (arg("--sim"), arg("--seed")) {
        let seed: u64 = seed.parse().expect("--seed takes a number");
        let result = match sim.as_str() {
            "lifecycle" => lifecycle_in_memory(seed),
            "writers" => writers_in_memory(seed),
            other => panic!("no simulation named {other}: lifecycle or writers"),
        };
        match result {
            Ok(()) => println!("{sim} seed {seed}: ok"),
            Err(f) => {
                println!("{f}");
                std::process::exit(1);
            }
        }
        return;
    }
    let seeds: u64 = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    for (name, check) in [
        (
            "lifecycle",
            lifecycle_in_memory as fn(u64) -> Result<(), SimFailure>,
        ),
        ("writers", writers_in_memory),
    ] {
        let started = Instant::now();
        let failures = over_seeds(0..seeds, threads, 10, check);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "SOAK {name}: {seeds} seeds in {secs:.1} s on {threads} threads, {:.0} seeds/s, {} failed",
            seeds as f64 / secs,
            failures.len()
        );
        if let Some(first) = failures.first() {
            println!("{first}");
            std::process::exit(1);
        }
    }
}
