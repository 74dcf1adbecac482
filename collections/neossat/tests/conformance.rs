//! Every NEOSSat case of the shared conformance folder (`collections/neossat/*/case.yml`), mapped
//! in-process as `caom2pipe scrape` does and compared with the expected record
//! ([`execute::conformance`]). `.ci/run` runs the same cases through the binary and `check.py`.

/// The conformance suite of this collection: `<conformance>/collections/<SUITE>/`.
const SUITE: &str = "neossat";

#[test]
fn every_neossat_case_matches_the_reference() {
    if let Some(conformance) = testkit::conformance_dir() {
        execute::conformance::assert_suite(&conformance, SUITE, true, neossat::Neossat::new);
    }
}
