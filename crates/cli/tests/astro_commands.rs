//! `caom2pipe compute` and `caom2pipe footprint` end to end.

use caom2::*;
use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_caom2pipe"))
}

fn observation(cd: [f64; 4]) -> Observation {
    let mut axis = CoordAxis2D::new(
        Axis::new("RA---TAN", Some("deg")),
        Axis::new("DEC--TAN", Some("deg")),
    );
    axis.function = Some(CoordFunction2D {
        dimension: Dimension2D {
            naxis1: 1000,
            naxis2: 1000,
        },
        ref_coord: Coord2D {
            coord1: RefCoord::new(500.5, 150.0),
            coord2: RefCoord::new(500.5, 2.0),
        },
        cd11: cd[0],
        cd12: cd[1],
        cd21: cd[2],
        cd22: cd[3],
    });
    let mut e = CoordAxis1D::new(Axis::new("WAVE", Some("nm")));
    e.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, 400.0),
        end: RefCoord::new(1.5, 700.0),
    });
    let mut chunk = Chunk::new();
    chunk.naxis = Some(2);
    chunk.position_axis1 = Some(1);
    chunk.position_axis2 = Some(2);
    chunk.position = Some(SpatialWcs::new(axis));
    chunk.energy = Some(SpectralWcs::new(e, "TOPOCENT"));
    let mut part = Part::new("0");
    part.chunks.push(chunk);
    let uri = Uri::parse("cadc:TEST/image.fits").expect("uri");
    let mut artifact = Artifact::new(uri, ProductType::SCIENCE, ReleaseType::Data);
    artifact.parts.push(part);
    let mut plane = Plane::new("raw");
    plane.artifacts.push(artifact);
    let mut obs = Observation::simple("TEST", "compute");
    obs.planes.push(plane);
    obs
}

fn write(path: &Path, obs: &Observation) {
    std::fs::write(path, caom2::xml::write(obs)).expect("write");
}

#[test]
fn compute_fills_and_validates_a_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.xml");
    let output = dir.path().join("out.xml");
    write(&input, &observation([-1e-4, 0.0, 0.0, 1e-4]));
    let out = bin()
        .args(["compute"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let obs = caom2::xml::read(&std::fs::read(&output).expect("output")).expect("xml");
    let plane = &obs.planes[0];
    let bounds = plane
        .energy
        .as_ref()
        .and_then(|e| e.bounds.as_ref())
        .expect("energy bounds");
    assert_eq!(
        (bounds.lower, bounds.upper),
        (4.0000000000000003e-7, 7.000000000000001e-7)
    );
    let position = plane.position.as_ref().expect("position");
    assert!(matches!(position.bounds, Some(Shape::Polygon(_))));
    assert_eq!(
        position.dimension,
        Some(Dimension2D {
            naxis1: 1000,
            naxis2: 1000
        })
    );
    // the written record verifies: checksums were updated after compute
    assert!(caom2::checksum::verify(&obs).mismatches.is_empty());
    assert!(caom2::validate::validate(&obs).is_empty());
}

#[test]
fn compute_refuses_bad_wcs_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bad.xml");
    let output = dir.path().join("out.xml");
    write(&input, &observation([1e-4, 2e-4, 2e-4, 4e-4]));
    let out = bin()
        .arg("compute")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "plane raw: cannot compute Plane.position: Linear transformation matrix is singular(3)"
        ) && err.contains("artifact cadc:TEST/image.fits part 0 chunk 0"),
        "{err}"
    );
    assert!(!output.exists());

    let out = bin()
        .arg("compute")
        .arg(dir.path().join("missing.xml"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.xml"));
}

fn dump(dir: &Path) -> std::path::PathBuf {
    let card = |k: &str, v: &str| format!("{k:<8}= {v:<70}\n");
    let mut text = String::new();
    for (k, v) in [
        ("SIMPLE", "T"),
        ("BITPIX", "16"),
        ("NAXIS", "2"),
        ("NAXIS1", "2000"),
        ("NAXIS2", "1000"),
        ("CTYPE1", "'RA---TAN'"),
        ("CTYPE2", "'DEC--TAN'"),
        ("RADESYS", "'FK5'"),
        ("EQUINOX", "2000.0"),
        ("CRPIX1", "1000.5"),
        ("CRPIX2", "500.5"),
        ("CRVAL1", "30.0"),
        ("CRVAL2", "-10.0"),
        ("CD1_1", "-1.0E-04"),
        ("CD2_2", "1.0E-04"),
    ] {
        text += &card(k, v);
    }
    text += "END\n";
    let path = dir.join("frame.fits.header");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn footprint_of_a_header_dump() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dump(dir.path());
    let out = bin().arg("footprint").arg(&path).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.starts_with("Polygon FK5 "), "{line}");
    assert_eq!(line.split_whitespace().count(), 2 + 8, "{line}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("WCS corners (no pixel data)"));

    let out = bin()
        .arg("footprint")
        .arg(&path)
        .args(["--plane", "--json", "--hdu", "0"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["plane"], true);
    assert_eq!(v["method"], "CornersNoPixels");
    assert_eq!(v["points"].as_array().map(Vec::len), Some(4));
}

#[test]
fn footprint_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .arg("footprint")
        .arg(dir.path().join("nope.fits"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.fits"));
    let path = dump(dir.path());
    let out = bin()
        .arg("footprint")
        .arg(&path)
        .args(["--hdu", "5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no HDU 5"));
}
