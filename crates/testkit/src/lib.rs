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
