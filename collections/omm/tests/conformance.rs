//! Every OMM case of the shared conformance folder (`collections/omm/*/case.yml`), mapped
//! in-process as `caom2pipe scrape` does and compared with the expected record
//! ([`execute::conformance`]). `.ci/run` runs the same cases through the binary and `check.py`.

/// The conformance suite of this collection: `<conformance>/collections/<SUITE>/`.
const SUITE: &str = "omm";

#[test]
fn every_omm_case_matches_the_reference() {
    let Some(conformance) = testkit::conformance_dir() else {
        return;
    };
    let suite = conformance.join("collections").join(SUITE);
    let Some(report) = execute::conformance::check_suite(&suite, omm::Omm::new) else {
        eprintln!("notice: no conformance cases for {SUITE}");
        return;
    };
    assert!(report.cases > 0);
    assert!(
        report.failures.is_empty(),
        "{} of {} cases differ:\n{}",
        report.failures.len(),
        report.cases,
        report.failures.join("\n")
    );
}
