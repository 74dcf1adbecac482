//! `caom2pipe fits2caom2` and `caom2pipe blueprint import|check` from the command line.

use std::path::Path;
use std::process::Command;

fn caom2pipe(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_caom2pipe"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BLUEPRINT: &str = "\
plan:
  Observation.type: OBJECT
  Plane.dataProductType: image
  Plane.calibrationLevel: '1'
  Chunk.position.axis.axis1.ctype: {keywords: [CTYPE1]}
  Chunk.position.axis.axis2.ctype: {keywords: [CTYPE2]}
";

const DUMP: &str = "\
SIMPLE  =                    T
BITPIX  =                   16
NAXIS   =                    2
NAXIS1  =                   10
NAXIS2  =                   10
OBJECT  = 'M31     '
CTYPE1  = 'RA---TAN'
CTYPE2  = 'DEC--TAN'
CRVAL1  =                 10.0
CRVAL2  =                 20.0
CD1_1   =               -0.001
CD2_2   =                0.001
END
";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn maps_a_dump_with_a_yaml_blueprint() {
    let dir = tempfile::tempdir().unwrap();
    let bp = dir.path().join("b.yml");
    let dump = dir.path().join("x.fits.header");
    let out = dir.path().join("out.xml");
    std::fs::write(&bp, BLUEPRINT).unwrap();
    std::fs::write(&dump, DUMP).unwrap();
    let (code, _, err) = caom2pipe(&[
        "fits2caom2",
        "--observation",
        "TEST",
        "obs1",
        "-o",
        s(&out),
        "--blueprint",
        s(&bp),
        "--lineage",
        "p1/cadc:TEST/x.fits",
        "--local",
        s(&dump),
    ]);
    assert_eq!(code, 0, "{err}");
    let obs = caom2::xml::read(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(obs.target.unwrap().name, "M31");
    assert_eq!(obs.planes[0].artifacts[0].parts[0].chunks.len(), 1);

    // update the observation with a second plane
    let out2 = dir.path().join("out2.xml");
    let (code, _, err) = caom2pipe(&[
        "fits2caom2",
        "--in",
        s(&out),
        "-o",
        s(&out2),
        "--blueprint",
        s(&bp),
        "--lineage",
        "p2/cadc:TEST/x.fits",
        "--local",
        s(&dump),
    ]);
    assert_eq!(code, 0, "{err}");
    let obs = caom2::xml::read(&std::fs::read(&out2).unwrap()).unwrap();
    assert_eq!(obs.planes.len(), 2);
}

#[test]
fn exit_status_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let bp = dir.path().join("b.yml");
    let dump = dir.path().join("x.fits.header");
    let out = dir.path().join("out.xml");
    std::fs::write(&dump, DUMP).unwrap();
    // a blueprint error: exit 2, file:line:column
    std::fs::write(&bp, "plan:\n  Observation.typo: X\n").unwrap();
    let args = [
        "fits2caom2",
        "--observation",
        "TEST",
        "o",
        "-o",
        s(&out),
        "--blueprint",
        s(&bp),
        "--lineage",
        "p/cadc:TEST/x.fits",
        "--local",
        s(&dump),
    ];
    let (code, _, err) = caom2pipe(&args);
    assert_eq!(code, 2);
    assert!(err.contains("b.yml:2:3:"), "{err}");
    // an input error: exit 1, nothing written
    std::fs::write(&bp, BLUEPRINT).unwrap();
    std::fs::write(&dump, DUMP.replace("'DEC--TAN'", "'DEC--SIN'")).unwrap();
    let (code, _, err) = caom2pipe(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("x.fits.header: HDU 0"), "{err}");
    assert!(!out.exists());
    // an unknown module: exit 2 with the list
    let (code, _, err) = caom2pipe(&[
        "fits2caom2",
        "--observation",
        "TEST",
        "o",
        "--blueprint",
        s(&bp),
        "--lineage",
        "p/cadc:TEST/x.fits",
        "--module",
        "nosuch",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("mega2caom2"), "{err}");
}

#[test]
fn import_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = dir.path().join("x.blueprint");
    std::fs::write(
        &legacy,
        "Observation.type = OBJECT\nPlane.dataProductType = image\nPlane.calibrationLevel = 1\n\
         Chunk.position.axis.axis1.ctype = ['CTYPE1'], default = RA---TAN\n\
         Chunk.position.axis.axis2.ctype = ['CTYPE2']\nChunk.time.exposure = get_exposure(uri)\n",
    )
    .unwrap();
    let yml = dir.path().join("x.yml");
    let (code, _, err) = caom2pipe(&["blueprint", "import", s(&legacy), "-o", s(&yml)]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&yml).unwrap();
    assert!(
        text.contains("Chunk.position.axis.axis1.ctype: {keywords: [CTYPE1], default: RA---TAN}"),
        "{text}"
    );
    assert!(
        text.contains("Chunk.time.exposure: {function: get_exposure, arg: uri}"),
        "{text}"
    );
    assert!(
        text.contains("axes:\n  position: [1, 2]\n  time: 4"),
        "{text}"
    );

    let (code, out, _) = caom2pipe(&["blueprint", "check", s(&yml)]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok") && out.contains("get_exposure (not checked: no --module)"),
        "{out}"
    );
    let (code, out, _) = caom2pipe(&["blueprint", "check", s(&yml), "--module", "HD36486"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("no function get_exposure in module HD36486"),
        "{out}"
    );
    let (code, out, _) = caom2pipe(&["blueprint", "check", s(&yml), "--module", "S20230518S0121"]);
    assert_eq!(code, 0, "{out}");

    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "plan:\n  Observation.type: {keywords: A, function: f}\n",
    )
    .unwrap();
    let (code, out, _) = caom2pipe(&["blueprint", "check", s(&bad)]);
    assert_eq!(code, 1);
    assert!(out.contains("bad.yml:2:"), "{out}");
}
