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
        assert_eq!(
            write(&again),
            write(&obs),
            "{}: second write differs",
            path.display()
        );
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
        let mut m: Vec<String> = v
            .mismatches
            .iter()
            .map(|m| format!("{} {}", m.entity, m.field))
            .collect();
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
    assert!(
        !m23.iter()
            .any(|m| m.ends_with(".fits.gz] metaChecksum") || m.ends_with("parts[0] metaChecksum")),
        "{m23:?}"
    );
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

fn minimal_doc(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<caom2:Observation xmlns:caom2=\"{NS_CAOM24}\" \
         xmlns:xsi=\"{NS_XSI}\" xsi:type=\"caom2:SimpleObservation\" \
         caom2:id=\"00000000-0000-0000-0000-000000000001\">\n{body}\n</caom2:Observation>\n"
    )
}

fn expect_error(doc: &str, line: usize, needle: &str) {
    match read(doc.as_bytes()) {
        Ok(_) => panic!("accepted:\n{doc}"),
        Err(e) => {
            assert_eq!(e.line, line, "{e}");
            assert!(e.column >= 1, "{e}");
            assert!(
                e.message.contains(needle),
                "{e} does not mention {needle:?}"
            );
        }
    }
}

const BASE: &str = "  <caom2:collection>C</caom2:collection>\n  <caom2:observationID>o</caom2:observationID>\n  <caom2:algorithm><caom2:name>exposure</caom2:name></caom2:algorithm>";

#[test]
fn minimal_document_reads() {
    let obs = read(minimal_doc(BASE).as_bytes()).unwrap();
    assert_eq!(obs.collection, "C");
    assert_eq!(obs.observation_id, "o");
}

#[test]
fn malformed_xml_names_line_and_column() {
    expect_error(
        &minimal_doc(&format!("{BASE}\n  <caom2:type>x</caom2:typo>")),
        6,
        "malformed XML",
    );
    expect_error("<caom2:Observation", 1, "malformed XML");
    expect_error("", 1, "empty document");
    expect_error(
        &format!("{}<extra/>", minimal_doc(BASE)),
        7,
        "after the root element",
    );
}

#[test]
fn unknown_namespace_and_foreign_elements_are_refused() {
    let doc = minimal_doc(BASE).replace(NS_CAOM24, "http://example.org/caom2/xml/v9");
    expect_error(&doc, 2, "unknown namespace");
    let doc = minimal_doc(&format!("{BASE}\n  <other xmlns=\"urn:x\">1</other>"));
    expect_error(&doc, 6, "not in the document's CAOM namespace");
    expect_error(
        &minimal_doc(&format!("{BASE}\n  <caom2:colour>red</caom2:colour>")),
        6,
        "unknown element <colour>",
    );
}

#[test]
fn bad_values_name_the_element() {
    expect_error(
        &minimal_doc(&format!("{BASE}\n  <caom2:intent>maybe</caom2:intent>")),
        6,
        "ObservationIntentType",
    );
    expect_error(
        &minimal_doc(&format!(
            "{BASE}\n  <caom2:sequenceNumber>12.5</caom2:sequenceNumber>"
        )),
        6,
        "invalid integer \"12.5\" in <sequenceNumber>",
    );
    expect_error(
        &minimal_doc(&format!(
            "{BASE}\n  <caom2:metaRelease>yesterday</caom2:metaRelease>"
        )),
        6,
        "invalid timestamp",
    );
    expect_error(
        &minimal_doc(&format!(
            "{BASE}\n  <caom2:environment>\n    <caom2:seeing>0.5 arcsec</caom2:seeing>\n  </caom2:environment>"
        )),
        7,
        "invalid number",
    );
    expect_error(
        &minimal_doc(&format!("{BASE}\n  <caom2:collection>D</caom2:collection>")),
        6,
        "duplicate element <collection>",
    );
    expect_error(
        &minimal_doc("  <caom2:collection>C</caom2:collection>"),
        2,
        "lacks the required element <observationID>",
    );
    let doc = minimal_doc(BASE).replace("caom2:SimpleObservation", "caom2:StrangeObservation");
    expect_error(&doc, 2, "unknown observation type");
    let doc = minimal_doc(BASE).replace("caom2:id=\"00000000-0000-0000-0000-000000000001\"", "");
    expect_error(&doc, 2, "caom2:id");
}

#[test]
fn dtds_and_entities_are_refused() {
    let doc = minimal_doc(BASE).replacen(
        "<caom2:Observation",
        "<!DOCTYPE caom2:Observation [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<caom2:Observation",
        1,
    );
    expect_error(&doc, 2, "DOCTYPE");
    let doc = minimal_doc(&format!("{BASE}\n  <caom2:type>&x;</caom2:type>"));
    expect_error(&doc, 6, "entity");
    // predefined and character references are fine
    let doc = minimal_doc(&format!(
        "{BASE}\n  <caom2:type>a &amp; b &#x41;</caom2:type>"
    ));
    assert_eq!(
        read(doc.as_bytes()).unwrap().obs_type.as_deref(),
        Some("a & b A")
    );
}

#[test]
fn control_characters_are_refused() {
    // raw: a NUL and a U+0001 in a value (found by the fuzz target: Java's trim() would drop
    // a keyword made only of them on the way back); tab, LF and CR stay allowed
    for (c, name) in [('\0', "U+0000"), ('\u{1}', "U+0001"), ('\u{1f}', "U+001F")] {
        let doc = minimal_doc(&format!("{BASE}\n  <caom2:type>a{c}b</caom2:type>"));
        expect_error(&doc, 6, name);
    }
    // deep in a long document: the position comes from the block scan's second step
    let filler = "<!-- padding -->".repeat(20);
    let doc = minimal_doc(&format!(
        "{BASE}\n  {filler}\n  <caom2:type>x\u{8}</caom2:type>"
    ));
    expect_error(&doc, 7, "U+0008");
    // and through a character reference
    let doc = minimal_doc(&format!("{BASE}\n  <caom2:type>a&#1;b</caom2:type>"));
    expect_error(&doc, 6, "U+0001");
    let doc = minimal_doc(&format!("{BASE}\n  <caom2:type>a\tb&#x9;</caom2:type>"));
    assert_eq!(
        read(doc.as_bytes()).unwrap().obs_type.as_deref(),
        Some("a\tb")
    );
}

#[test]
fn non_utf8_and_huge_inputs_are_refused() {
    let mut bytes = minimal_doc(BASE).into_bytes();
    bytes.insert(bytes.len() - 30, 0xff);
    let e = read(&bytes).unwrap_err();
    assert!(e.message.contains("UTF-8"), "{e}");
    let huge = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    let e = read(&huge).unwrap_err();
    assert!(e.message.contains("limit"), "{e}");
}

#[test]
fn truncated_documents_never_panic() {
    let Some(dir) = xml_dir() else { return };
    let bytes = std::fs::read(dir.join("sample-derived-caom24.xml")).unwrap();
    for cut in (0..bytes.len()).step_by(997) {
        let _ = read(&bytes[..cut]);
    }
    let mut flipped = bytes.clone();
    for i in (0..flipped.len()).step_by(1013) {
        flipped[i] = flipped[i].wrapping_add(1);
        let _ = read(&flipped);
    }
}

#[test]
fn any_prefix_bound_on_the_root_works() {
    let doc = minimal_doc(BASE)
        .replace("caom2:", "c:")
        .replace("xmlns:caom2=", "xmlns:c=");
    let obs = read(doc.as_bytes()).unwrap();
    assert_eq!(obs.observation_id, "o");
    // the default namespace too
    let doc = minimal_doc(BASE)
        .replace("<caom2:", "<")
        .replace("</caom2:", "</")
        .replace("xmlns:caom2=", "xmlns=")
        .replace(
            "xsi:type=\"caom2:SimpleObservation\"",
            "xsi:type=\"SimpleObservation\"",
        )
        .replace("caom2:id=", "x:id=")
        .replace(
            "xmlns:xsi=",
            "xmlns:x=\"http://www.opencadc.org/caom2/xml/v2.4\" xmlns:xsi=",
        );
    assert_eq!(read(doc.as_bytes()).unwrap().collection, "C");
}

#[test]
fn inner_namespace_declarations_are_refused() {
    let doc = minimal_doc(&format!(
        "{BASE}\n  <caom2:type xmlns:caom2=\"http://example.org/other\">x</caom2:type>"
    ));
    expect_error(&doc, 6, "namespace declaration");
}
