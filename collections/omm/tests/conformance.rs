//! Every OMM case of the shared conformance folder (`collections/omm/*/case.yml`), mapped
//! in-process as `caom2pipe scrape` does (inputs in the case's order, starting from its
//! `in_xml` when it has one) and compared with the expected record under the checker's
//! rules (`caom2::diff`). `.ci/run` runs the same cases through the binary and `check.py`.

use std::path::{Path, PathBuf};

use manage::{Config, Logger};

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

fn cases(suite: &str) -> Option<Vec<PathBuf>> {
    let dir = testkit::conformance_dir()?.join("collections").join(suite);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("case.yml")))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    Some(out)
}

/// The differences of one case, as lines (empty: the case passes).
fn run_case(case_yml: &Path) -> Vec<String> {
    let dir = case_yml.parent().unwrap();
    let case: Case = serde_saphyr::from_str(&std::fs::read_to_string(case_yml).unwrap()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut config = Config::defaults(scratch.path());
    config.collection = case.config.collection.clone();
    config.scheme = case.config.scheme.clone();
    config.preview_scheme = case.config.preview_scheme.clone();
    let collection = omm::Omm::new(&config).unwrap();
    let files: Vec<PathBuf> = case
        .inputs
        .iter()
        .filter_map(|i| i.file.as_ref().map(|f| dir.join(f)))
        .collect();
    let start = case
        .in_xml
        .as_ref()
        .map(|x| caom2::xml::read(&std::fs::read(dir.join(x)).unwrap()).unwrap());
    let log = Logger::silent().entry(None);
    let actual = match execute::entry::scrape_files(
        &collection,
        &config,
        &files,
        start,
        None,
        false,
        &log,
    ) {
        Ok(o) => o,
        Err(e) => return vec![format!("no observation: {}", e.message)],
    };
    let Some(expected) = &case.expected_xml else {
        return vec!["no expected record".into()];
    };
    let expected = caom2::xml::read(&std::fs::read(dir.join(expected)).unwrap()).unwrap();
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
    out
}

/// The conformance suite of this collection: `<conformance>/collections/<SUITE>/`.
const SUITE: &str = "omm";

#[test]
fn every_omm_case_matches_the_reference() {
    let Some(cases) = cases(SUITE) else { return };
    assert!(!cases.is_empty());
    let mut failed = Vec::new();
    for c in &cases {
        let diffs = run_case(c);
        if !diffs.is_empty() {
            failed.push(format!("{}:\n  {}", c.display(), diffs.join("\n  ")));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases differ:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}
