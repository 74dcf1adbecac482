use super::*;
use crate::checksum;
use crate::diff::{differences, Options};
use std::path::{Path, PathBuf};

fn xml_dir() -> Option<PathBuf> {
    testkit::conformance_dir().map(|d| d.join("xml"))
}

fn samples(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("conformance xml folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    v
}

/// Java writes CRLF; the Python-written samples use LF.
fn is_java_written_24(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains(NS_CAOM24) && text.contains("\r\n")
}

#[test]
fn java_written_24_samples_reformat_byte_for_byte() {
    let Some(dir) = xml_dir() else { return };
    let mut n = 0;
    for path in samples(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        if !is_java_written_24(&bytes) {
            continue;
        }
        let obs = read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let out = write(&obs);
        if out.as_bytes() != bytes.as_slice() {
            let want = String::from_utf8_lossy(&bytes);
            let line = want
                .lines()
                .zip(out.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{} differs at line {}:\n  java: {:?}\n  ours: {:?}",
                path.display(),
                line + 1,
                want.lines().nth(line),
                out.lines().nth(line)
            );
        }
        n += 1;
    }
    assert_eq!(n, 4, "expected four Java-written CAOM 2.4 samples");
}

#[test]
fn every_sample_round_trips_exactly() {
    let Some(dir) = xml_dir() else { return };
    for path in samples(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        let obs = read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let again = read(write(&obs).as_bytes()).unwrap();
        let d = differences(&obs, &again, &Options::exact());
        assert!(d.is_empty(), "{}: {:?}", path.display(), d);
        assert_eq!(write(&again), write(&obs), "{}: second write differs", path.display());
    }
}

#[test]
fn verifiable_samples_verify_and_stale_ones_name_their_entities() {
    let Some(dir) = xml_dir() else { return };
    for name in [
        "sample-composite-caom23.xml",
        "sample-derived-caom24.xml",
        "sample-drived-caom24-2019.xml",
        "sample-composite-caom24.xml",
        "SampleComposite-CAOM-2.3.xml",
        "SampleDerived-CAOM-2.4.xml",
    ] {
        let obs = read(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        let v = checksum::verify(&obs);
        assert_eq!(v.checked, 62, "{name}");
        assert!(v.mismatches.is_empty(), "{name}: {:?}", v.mismatches);
    }
    let stale = |name: &str| -> Vec<String> {
        let obs = read(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        let v = checksum::verify(&obs);
        assert_eq!(v.checked, 12, "{name}");
        let mut m: Vec<String> = v.mismatches.iter().map(|m| format!("{} {}", m.entity, m.field)).collect();
        m.sort();
        m
    };
    let plane = "planes[VLASS1.2.T15t01.J004318+163000.quicklook]";
    let fits = "ad:VLASS/VLASS1.2.ql.T15t01.J004318+163000.10.2048.v1.I.iter1.image.pbcor.tt0.rms.subim.fits";
    let mut want24 = vec![
        format!("{plane} metaChecksum"),
        format!("{plane} accMetaChecksum"),
        format!("{plane}.artifacts[{fits}].parts[0].chunks[0] metaChecksum"),
        format!("{plane}.artifacts[{fits}].parts[0].chunks[0] accMetaChecksum"),
        format!("{plane}.artifacts[{fits}] accMetaChecksum"),
        format!("{plane}.artifacts[{fits}].parts[0] accMetaChecksum"),
    ];
    want24.sort();
    assert_eq!(stale("diff-expected-CAOM-2.4.xml"), want24);
    // 2.3: only the FITS artifact's and its part's metaChecksum verify (2 of 12)
    let m23 = stale("diff-expected-CAOM-2.3.xml");
    assert_eq!(m23.len(), 10, "{m23:?}");
    assert!(!m23.iter().any(|m| m.ends_with(".fits.gz] metaChecksum") || m.ends_with("parts[0] metaChecksum")), "{m23:?}");
}

#[test]
fn generated_sample_round_trips_and_verifies() {
    let obs = crate::sample::complete_observation();
    let text = write(&obs);
    let back = read(text.as_bytes()).unwrap();
    assert!(differences(&obs, &back, &Options::exact()).is_empty());
    assert_eq!(checksum::verify(&back).mismatches, vec![]);
    assert!(text.contains("<caom2:title>Sample &amp; test &lt;records&gt;</caom2:title>"));
}
