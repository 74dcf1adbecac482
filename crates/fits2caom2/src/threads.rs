//! How many threads the per-HDU work of one large file may use.

use std::sync::OnceLock;

/// Upper bound of the threads used for one file.
pub(crate) const MAX_THREADS: usize = 4;

/// The machine's available parallelism, at most [`MAX_THREADS`]. Asked once per process:
/// the standard library reads the cgroup quota files to answer, which costs more than mapping
/// a small file.
pub(crate) fn available() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_THREADS)
    })
}
