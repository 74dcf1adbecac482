//! Every case of the shared conformance folder (`collections/<SUITE>/*/case.yml`), mapped
//! in-process as `caom2pipe scrape` does and compared with the expected record
//! ([`execute::conformance`]). `.ci/run` runs the same cases through the binary and `check.py`.

/// The conformance suite of this collection: `<conformance>/collections/<SUITE>/`. A new
/// collection's cases go there (one folder per case with its inputs, the expected XML and a
/// `case.yml`; see the conformance README); the template has none, so this test has nothing
/// to run until they exist.
const SUITE: &str = "template";

#[test]
fn every_case_matches_the_reference() {
    if let Some(conformance) = testkit::conformance_dir() {
        execute::conformance::assert_suite(&conformance, SUITE, false, template::Template::new);
    }
}
