//! Test support shared by the workspace's test suites.
//!
//! The reference conformance data is never copied into the repository; tests read it from
//! `CAOM2_CONFORMANCE_DIR`, by default `../shared/conformance` next to the workspace. When the
//! folder is missing, tests are skipped with a printed notice, except under CI (`CI=true`),
//! where a missing folder is a failure.
//!
//! ```
//! if let Some(dir) = testkit::conformance_dir() {
//!     assert!(dir.join("xml").is_dir());
//! }
//! ```

use std::path::PathBuf;

/// The workspace root (the folder holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// The conformance folder, or None (after printing why) when a local run lacks it.
///
/// # Panics
/// Under CI (`CI=true`) when the folder is missing.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CAOM2_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => workspace_root().join("../shared/conformance"),
    };
    if dir.join("check.py").is_file() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "conformance data not found at {} (set CAOM2_CONFORMANCE_DIR)",
        dir.display()
    );
    eprintln!(
        "notice: conformance data not found at {}; skipping (set CAOM2_CONFORMANCE_DIR)",
        dir.display()
    );
    None
}

/// Asserts that 8-bit gray pixels make a picture rather than a blank or saturated one: at
/// most `max_end_fraction` of them at either end of the scale (0–2 or 253–255), a standard
/// deviation above 10 levels, and more than `min_levels` distinct levels. For previews.
///
/// # Panics
/// When the pixels fail any of these, naming `what` and the figures.
pub fn assert_not_blank_or_saturated(
    px: &[u8],
    what: &str,
    max_end_fraction: f64,
    min_levels: usize,
) {
    assert!(!px.is_empty(), "{what}: no pixels");
    let n = px.len() as f64;
    let black = px.iter().filter(|v| **v <= 2).count() as f64 / n;
    let white = px.iter().filter(|v| **v >= 253).count() as f64 / n;
    let mean = px.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
    let sd = (px
        .iter()
        .map(|v| (f64::from(*v) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let mut levels = [false; 256];
    px.iter().for_each(|v| levels[usize::from(*v)] = true);
    let distinct = levels.iter().filter(|l| **l).count();
    assert!(
        black < max_end_fraction && white < max_end_fraction,
        "{what}: {black:.3} of the pixels black, {white:.3} white"
    );
    assert!(
        sd > 10.0 && distinct > min_levels,
        "{what}: standard deviation {sd:.1}, {distinct} gray levels"
    );
}
