//! Runs the mapping bench's work for the conformance cases whose id contains a pattern, a given
//! number of times, for instruction counts (`valgrind --tool=callgrind`): the difference between
//! two iteration counts is the per-file cost, free of process start and blueprint loading.
//!
//! `cargo run --release -p fits2caom2 --example profile_case -- PATTERN ITERATIONS [THREADS]`

#[path = "../tests/common/mod.rs"]
mod common;

use fits2caom2::engine::{Engine, MapOptions};
use fits2caom2::run::run;

fn main() {
    let mut args = std::env::args().skip(1);
    let pattern = args.next().unwrap_or_default();
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let threads: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let Some(conf) = testkit::conformance_dir() else {
        eprintln!("no conformance folder");
        std::process::exit(2);
    };
    let registry = common::registry();
    let cases = common::timed_cases(&conf);
    for case in cases
        .iter()
        .filter(|c| c.id.contains(&pattern) || c.dir.to_string_lossy().contains(&pattern))
    {
        let module = case.module.as_deref().and_then(|m| registry.module(m));
        let engine = Engine::new(
            module,
            MapOptions {
                threads,
                ..MapOptions::default()
            },
        );
        let blueprints = case.blueprints();
        let mut bytes = 0;
        for _ in 0..iterations {
            let request = case.request(&blueprints);
            let mut obs = run(&engine, request).expect("mapping works").observation;
            caom2::checksum::update_checksums(&mut obs);
            bytes += caom2::xml::write(&obs).len();
        }
        eprintln!("{}: {iterations} x, {bytes} bytes", case.id);
    }
}
