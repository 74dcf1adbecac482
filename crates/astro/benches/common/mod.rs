//! What the astro benches share.

/// The fastest of `n` runs: on a shared machine criterion's estimates move with the load,
/// the minimum much less. `ASTRO_BENCH_RUNS` overrides `n` (e.g. 1 under callgrind, where
/// the instruction count per call is what matters).
pub fn best_of(n: usize, mut f: impl FnMut()) -> std::time::Duration {
    let n = std::env::var("ASTRO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    (0..n)
        .map(|_| {
            let t = std::time::Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}
