//! Every NEOSSat case of the shared conformance folder (`collections/neossat/*/case.yml`), mapped
//! in-process as `caom2pipe scrape` does and compared with the expected record
//! ([`execute::conformance`]). `.ci/run` runs the same cases through the binary and `check.py`.

/// The conformance suite of this collection: `<conformance>/collections/<SUITE>/`.
const SUITE: &str = "neossat";

#[test]
fn every_neossat_case_matches_the_reference() {
    let Some(conformance) = testkit::conformance_dir() else {
        return;
    };
    let suite = conformance.join("collections").join(SUITE);
    let Some(report) = execute::conformance::check_suite(&suite, neossat::Neossat::new) else {
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
