//! Bad input gives an error that names the file (and the HDU and keyword where there is
//! one), never a panic: truncated FITS, a dump whose last HDU lost its END, bytes that are
//! not ASCII, non-finite numbers, contradictory CTYPEs, an HDF5 path the file lacks.

use std::path::{Path, PathBuf};

use fits2caom2::blueprint::{yaml, Blueprint};
use fits2caom2::engine::{Engine, MapOptions};
use fits2caom2::run::{run, Request, RunError, Start};

const BLUEPRINT: &str = "\
plan:
  Plane.dataProductType: image
  Plane.calibrationLevel: '1'
  Chunk.position.axis.axis1.ctype: {keywords: [CTYPE1]}
  Chunk.position.axis.axis2.ctype: {keywords: [CTYPE2]}
";

fn map_file(bp: &Blueprint, path: &Path, uri: &str) -> Result<caom2::Observation, String> {
    let blueprints = [bp.clone()];
    let request = Request {
        start: Start::New {
            collection: "TEST".into(),
            observation_id: "o".into(),
        },
        blueprints: &blueprints,
        entries: vec![("p".into(), uri.into())],
        locals: vec![path.to_path_buf()],
    };
    match run(&Engine::new(None, MapOptions::default()), request) {
        Ok(m) => Ok(m.observation),
        Err(RunError::Map(e)) => Err(e.to_string()),
        Err(e) => panic!("unexpected usage error {e}"),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn cards(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l:<80}\n")).collect()
}

const GOOD: &[&str] = &[
    "SIMPLE  =                    T",
    "BITPIX  =                   16",
    "NAXIS   =                    2",
    "NAXIS1  =                   10",
    "NAXIS2  =                   10",
    "CTYPE1  = 'RA---TAN'",
    "CTYPE2  = 'DEC--TAN'",
    "CRVAL1  =                 10.0",
    "CRVAL2  =                 20.0",
    "CD1_1   =               -0.001",
    "CD2_2   =                0.001",
    "END",
];

#[test]
fn a_good_dump_maps() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    let p = write(dir.path(), "good.fits.header", cards(GOOD).as_bytes());
    let obs = map_file(&bp, &p, "cadc:TEST/good.fits").unwrap();
    assert!(obs.planes[0].artifacts[0].parts[0].chunks[0]
        .position
        .is_some());
}

#[test]
fn truncated_fits_file() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    // a FITS header block cut in the middle: no END, not a whole 2880-byte block
    let block: String = GOOD[..8].iter().map(|l| format!("{l:<80}")).collect();
    let p = write(dir.path(), "cut.fits", block.as_bytes());
    let e = map_file(&bp, &p, "cadc:TEST/cut.fits").unwrap_err();
    assert!(e.contains("cut.fits"), "{e}");
}

#[test]
fn dump_whose_last_hdu_has_no_end() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    let mut text = cards(GOOD);
    text.push_str(&cards(&GOOD[1..5]));
    let p = write(dir.path(), "noend.fits.header", text.as_bytes());
    let e = map_file(&bp, &p, "cadc:TEST/noend.fits").unwrap_err();
    assert!(
        e.contains("noend.fits.header") && e.contains("HDU 1") && e.contains("no END"),
        "{e}"
    );
}

#[test]
fn bytes_that_are_not_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    let mut text = cards(GOOD).into_bytes();
    let at = text.windows(8).position(|w| w == b"RA---TAN").unwrap();
    text[at + 2] = 0xE9;
    let p = write(dir.path(), "latin1.fits.header", &text);
    let e = map_file(&bp, &p, "cadc:TEST/latin1.fits").unwrap_err();
    assert!(
        e.contains("latin1.fits.header") && e.contains("HDU 0") && e.contains("0xE9"),
        "{e}"
    );
}

#[test]
fn non_finite_values() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    // overflows to infinity: wcslib would quietly use 0
    let text = cards(GOOD).replace(
        "CRVAL1  =                 10.0",
        "CRVAL1  =                1E999",
    );
    let p = write(dir.path(), "inf.fits.header", text.as_bytes());
    let e = map_file(&bp, &p, "cadc:TEST/inf.fits").unwrap_err();
    assert!(
        e.contains("inf.fits.header") && e.contains("HDU 0") && e.contains("CRVAL1"),
        "{e}"
    );
    // a literal that is not a finite number for a number field
    let nan = yaml::load_str(
        &format!("{BLUEPRINT}  Observation.environment.seeing: nan\n"),
        "b.yml",
    )
    .unwrap();
    let p = write(dir.path(), "ok.fits.header", cards(GOOD).as_bytes());
    let e = map_file(&nan, &p, "cadc:TEST/ok.fits").unwrap_err();
    assert!(
        e.contains("Observation.environment.seeing") && e.contains("b.yml") && e.contains("finite"),
        "{e}"
    );
}

#[test]
fn contradictory_ctypes() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    let text = cards(GOOD).replace("'DEC--TAN'", "'DEC--SIN'");
    let p = write(dir.path(), "mixed.fits.header", text.as_bytes());
    let e = map_file(&bp, &p, "cadc:TEST/mixed.fits").unwrap_err();
    assert!(
        e.contains("mixed.fits.header") && e.contains("HDU 0") && e.contains("CTYPE2"),
        "{e}"
    );
    // only one celestial axis
    let text = cards(GOOD).replace("'DEC--TAN'", "'FREQ'");
    let p = write(dir.path(), "half.fits.header", text.as_bytes());
    let e = map_file(&bp, &p, "cadc:TEST/half.fits").unwrap_err();
    assert!(e.contains("half.fits.header") && e.contains("HDU 0"), "{e}");
}

#[test]
fn a_card_that_cannot_be_read_names_its_keyword() {
    let dir = tempfile::tempdir().unwrap();
    let bp = yaml::load_str(BLUEPRINT, "b.yml").unwrap();
    let text = cards(GOOD).replace("CRVAL2  =                 20.0", "CRVAL2  = twenty");
    let p = write(dir.path(), "word.fits.header", text.as_bytes());
    let e = map_file(&bp, &p, "cadc:TEST/word.fits").unwrap_err();
    assert!(
        e.contains("word.fits.header") && e.contains("HDU 0") && e.contains("CRVAL2"),
        "{e}"
    );
}

#[test]
fn an_hdf5_path_the_file_lacks() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let h5 = conf.join("hdf5/taos_20220201T200117/taos2_test.h5");
    let bp = yaml::load_str(
        "plan:\n  Plane.dataProductType: timeseries\n  Plane.calibrationLevel: '2'\n  Observation.target.name: {path: //header/object/no_such_field}\n  Chunk.time.axis.axis.ctype: TIME\n",
        "b.yml",
    )
    .unwrap();
    let e = map_file(&bp, &h5, "cadc:TEST/x.h5").unwrap_err();
    assert!(
        e.contains("taos2_test.h5") && e.contains("no_such_field"),
        "{e}"
    );
}
