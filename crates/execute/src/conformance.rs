//! A collection checked against its conformance cases: every `<suite>/*/case.yml` of the
//! shared conformance folder's `collections/` is mapped in-process as `caom2pipe scrape` does
//! (inputs in the case's order, starting from its `in_xml` when it has one) and compared with
//! the expected record under the checker's rules ([`caom2::diff`]). Each collection's
//! `tests/conformance.rs` calls [`assert_suite`] (built on [`check_suite`]); `.ci/run` runs
//! the same cases through the binary and `check.py`.
//!
//! ```no_run
//! use manage::{Collection, Config};
//!
//! fn conformance_test<C: Collection>(make: impl Fn(&Config) -> Result<C, String>) {
//!     let conformance = std::path::Path::new("../shared/conformance");
//!     execute::conformance::assert_suite(conformance, "omm", true, make);
//! }
//! ```

use std::path::{Path, PathBuf};

use manage::{Collection, Config, Logger};

#[derive(serde::Deserialize)]
struct Case {
    collection: String,
    obs_id: String,
    config: CaseConfig,
    inputs: Vec<Input>,
    in_xml: Option<String>,
    expected_xml: Option<String>,
}

#[derive(serde::Deserialize)]
struct CaseConfig {
    collection: String,
    scheme: String,
    preview_scheme: String,
}

#[derive(serde::Deserialize)]
struct Input {
    file: Option<String>,
}

/// What a suite run found.
#[derive(Debug, Default)]
pub struct SuiteReport {
    /// How many cases were run.
    pub cases: usize,
    /// One text per case that differs: its `case.yml` and the differences, a line each.
    pub failures: Vec<String>,
}

/// The `case.yml` files of a suite folder, sorted; `None` when the folder cannot be read.
pub fn cases(suite_dir: &Path) -> Option<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(suite_dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("case.yml")))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    Some(out)
}

/// Runs every case of `suite_dir` with the collection `make` builds from the case's
/// configuration; `None` when the folder cannot be read.
pub fn check_suite<C, E>(
    suite_dir: &Path,
    make: impl Fn(&Config) -> Result<C, E>,
) -> Option<SuiteReport>
where
    C: Collection,
    E: std::fmt::Display,
{
    let cases = cases(suite_dir)?;
    let mut report = SuiteReport {
        cases: cases.len(),
        ..SuiteReport::default()
    };
    for case in &cases {
        let diffs = run_case(case, &make).unwrap_or_else(|e| vec![e]);
        if !diffs.is_empty() {
            report
                .failures
                .push(format!("{}:\n  {}", case.display(), diffs.join("\n  ")));
        }
    }
    Some(report)
}

/// A collection's conformance test: runs `<conformance>/collections/<suite>/` and panics
/// with every case that differs. With `required`, a missing or empty suite fails too (a
/// collection with reference records); without, it is a printed notice (the template, whose
/// cases do not exist until a collection is made from it).
pub fn assert_suite<C, E>(
    conformance: &Path,
    suite: &str,
    required: bool,
    make: impl Fn(&Config) -> Result<C, E>,
) where
    C: Collection,
    E: std::fmt::Display,
{
    let dir = conformance.join("collections").join(suite);
    let report = check_suite(&dir, make).filter(|r| r.cases > 0);
    let Some(report) = report else {
        assert!(!required, "{}: no conformance cases", dir.display());
        eprintln!(
            "notice: no conformance cases for {suite} in {}",
            dir.display()
        );
        return;
    };
    assert!(
        report.failures.is_empty(),
        "{} of {} cases differ:\n{}",
        report.failures.len(),
        report.cases,
        report.failures.join("\n")
    );
}

/// The differences of one case, as lines (empty: the case passes); `Err` when the case
/// itself cannot be read.
fn run_case<C, E>(
    case_yml: &Path,
    make: &impl Fn(&Config) -> Result<C, E>,
) -> Result<Vec<String>, String>
where
    C: Collection,
    E: std::fmt::Display,
{
    let dir = case_yml.parent().unwrap_or(Path::new("."));
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let record =
        |p: &Path| caom2::xml::read(&read(p)?).map_err(|e| format!("{}: {e}", p.display()));
    let text = String::from_utf8_lossy(&read(case_yml)?).into_owned();
    let case: Case =
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", case_yml.display()))?;
    let scratch = tempfile::tempdir().map_err(|e| format!("scratch folder: {e}"))?;
    let mut config = Config::defaults(scratch.path());
    config.collection = case.config.collection.clone();
    config.scheme = case.config.scheme.clone();
    config.preview_scheme = case.config.preview_scheme.clone();
    let collection = make(&config).map_err(|e| format!("collection set-up: {e}"))?;
    let files: Vec<PathBuf> = case
        .inputs
        .iter()
        .filter_map(|i| i.file.as_ref().map(|f| dir.join(f)))
        .collect();
    let start = match &case.in_xml {
        Some(x) => Some(record(&dir.join(x))?),
        None => None,
    };
    let log = Logger::silent().entry(None);
    let actual =
        match crate::entry::scrape_files(&collection, &config, &files, start, None, false, &log) {
            Ok(o) => o,
            Err(e) => return Ok(vec![format!("no observation: {}", e.message)]),
        };
    let Some(expected) = &case.expected_xml else {
        return Ok(vec!["no expected record".into()]);
    };
    let expected = record(&dir.join(expected))?;
    let mut out: Vec<String> =
        caom2::diff::differences(&expected, &actual, &caom2::diff::Options::default())
            .iter()
            .map(|d| format!("{}: {:?}", d.path, d.detail))
            .collect();
    if actual.collection != case.collection || actual.observation_id != case.obs_id {
        out.push(format!(
            "observation {} {} instead of {} {}",
            actual.collection, actual.observation_id, case.collection, case.obs_id
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &Config) -> Result<crate::generic::GenericCollection, String> {
        Err("no case should be run".into())
    }

    #[test]
    #[should_panic(expected = "no conformance cases")]
    fn a_required_suite_must_have_cases() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("collections/empty")).unwrap();
        assert_suite(dir.path(), "empty", true, never);
    }

    #[test]
    fn an_optional_suite_may_be_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert_suite(dir.path(), "template", false, never);
    }
}
