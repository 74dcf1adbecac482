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

use std::path::{Path, PathBuf};

mod http;
pub use http::{apache_listing, serve_pages};

/// The workspace root (the folder holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// A header dump of one HDU: each card padded to 80 columns on its own line, then `END`.
pub fn header_dump(cards: &[&str]) -> String {
    cards
        .iter()
        .chain(std::iter::once(&"END"))
        .map(|c| format!("{c:<80}\n"))
        .collect()
}

/// Writes [`header_dump`] of `cards` to `dir/name` and returns its path.
pub fn write_header_dump(dir: &Path, name: &str, cards: &[&str]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, header_dump(cards)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    p
}

/// Copies the inputs of an example folder into a scratch one: its top-level `.yml` files and
/// the files of the subfolders named in `dirs` (not the outputs a local run left there).
pub fn copy_inputs(from: &Path, to: &Path, dirs: &[&str]) {
    let copy_files = |from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool| {
        std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
        let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_file() && keep(&name) {
                std::fs::copy(e.path(), to.join(&name))
                    .unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
            }
        }
    };
    copy_files(from, to, &|n| n.ends_with(".yml"));
    for d in dirs {
        if from.join(d).is_dir() {
            copy_files(&from.join(d), &to.join(d), &|_| true);
        }
    }
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
