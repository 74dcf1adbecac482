//! Bad WCS gives a clear error naming the plane, the aspect and the chunk, never a panic:
//! singular CD matrices, NaN values, polygons that cross themselves, zero-width bands,
//! unknown units, inconsistent axes.

use astro::compute::{compute_observation, compute_plane, Aspect, ComputeError, FailureKind};
use caom2::*;

fn position_function(cd: [f64; 4], crval: (f64, f64)) -> SpatialWcs {
    let mut axis = CoordAxis2D::new(
        Axis::new("RA---TAN", Some("deg")),
        Axis::new("DEC--TAN", Some("deg")),
    );
    axis.function = Some(CoordFunction2D {
        dimension: Dimension2D {
            naxis1: 100,
            naxis2: 100,
        },
        ref_coord: Coord2D {
            coord1: RefCoord::new(50.5, crval.0),
            coord2: RefCoord::new(50.5, crval.1),
        },
        cd11: cd[0],
        cd12: cd[1],
        cd21: cd[2],
        cd22: cd[3],
    });
    SpatialWcs::new(axis)
}

fn energy_range(unit: &str, a: f64, b: f64, pixels: f64) -> SpectralWcs {
    let mut axis = CoordAxis1D::new(Axis::new("WAVE", Some(unit)));
    axis.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, a),
        end: RefCoord::new(0.5 + pixels, b),
    });
    SpectralWcs::new(axis, "TOPOCENT")
}

/// A plane "p" with one science artifact holding `chunks` in part "1", after a good chunk in
/// part "0" (so errors must name the right chunk).
fn plane(chunks: Vec<Chunk>) -> Plane {
    let uri = Uri::parse("cadc:TEST/bad.fits").expect("uri");
    let mut artifact = Artifact::new(uri, ProductType::SCIENCE, ReleaseType::Data);
    let mut good = Chunk::new();
    good.position = Some(position_function([-1e-4, 0.0, 0.0, 1e-4], (10.0, 20.0)));
    good.energy = Some(energy_range("nm", 500.0, 600.0, 100.0));
    let mut p0 = Part::new("0");
    p0.chunks.push(good);
    artifact.parts.push(p0);
    let mut p1 = Part::new("1");
    p1.chunks = chunks;
    artifact.parts.push(p1);
    let mut plane = Plane::new("p");
    plane.artifacts.push(artifact);
    plane
}

fn one_error(chunk: Chunk) -> ComputeError {
    let mut p = plane(vec![chunk]);
    let before = p.clone();
    let errors = compute_plane(&mut p).expect_err("bad input must fail");
    // compared as text: NaN inputs are not equal to themselves
    assert_eq!(
        format!("{p:?}"),
        format!("{before:?}"),
        "a failing plane is left as it was"
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = errors.into_iter().next().expect("one");
    let text = e.to_string();
    assert!(text.starts_with("plane p: cannot compute Plane."), "{text}");
    let c = e.failure.chunk.as_ref().expect("the chunk is named");
    assert_eq!(
        (c.artifact.as_str(), c.part.as_str(), c.index),
        ("cadc:TEST/bad.fits", "1", 0),
        "{text}"
    );
    assert!(text.contains("cadc:TEST/bad.fits part 1 chunk 0"), "{text}");
    e
}

#[test]
fn singular_cd_matrix() {
    let mut c = Chunk::new();
    c.position = Some(position_function([1e-4, 2e-4, 2e-4, 4e-4], (10.0, 20.0)));
    let e = one_error(c);
    assert_eq!(e.aspect, Aspect::Position);
    assert_eq!(e.failure.kind, FailureKind::Wcslib);
    assert!(
        e.to_string()
            .contains("Linear transformation matrix is singular(3)"),
        "{e}"
    );
    // a zero row and column, which wcslib's cdfix would quietly "repair"
    let mut c = Chunk::new();
    c.position = Some(position_function([1e-4, 0.0, 0.0, 0.0], (10.0, 20.0)));
    assert!(one_error(c).to_string().contains("singular(3)"));
}

#[test]
fn nan_wcs_values() {
    let mut c = Chunk::new();
    c.position = Some(position_function([-1e-4, 0.0, 0.0, 1e-4], (f64::NAN, 20.0)));
    let e = one_error(c);
    assert!(e.to_string().contains("not finite"), "{e}");

    let mut c = Chunk::new();
    c.energy = Some(energy_range("nm", f64::NAN, 600.0, 10.0));
    let e = one_error(c);
    assert_eq!(e.aspect, Aspect::Energy);

    let mut c = Chunk::new();
    let mut axis = CoordAxis1D::new(Axis::new("UTC", Some("d")));
    axis.function = Some(CoordFunction1D {
        naxis: 10,
        delta: f64::INFINITY,
        ref_coord: RefCoord::new(0.5, 58000.0),
    });
    c.time = Some(TemporalWcs::new(axis));
    let e = one_error(c);
    assert_eq!(e.aspect, Aspect::Time);
    assert!(e.to_string().contains("not finite"), "{e}");

    let mut c = Chunk::new();
    let mut w = position_function([-1e-4, 0.0, 0.0, 1e-4], (10.0, 20.0));
    w.axis.function = None;
    w.axis.bounds = Some(CoordBounds2D::Polygon(CoordPolygon2D {
        vertices: vec![
            ValueCoord2D {
                coord1: 10.0,
                coord2: 20.0,
            },
            ValueCoord2D {
                coord1: f64::NAN,
                coord2: 20.0,
            },
            ValueCoord2D {
                coord1: 11.0,
                coord2: 21.0,
            },
        ],
    }));
    c.position = Some(w);
    assert!(one_error(c).to_string().contains("not finite"));
}

#[test]
fn self_crossing_polygon() {
    let mut w = position_function([-1e-4, 0.0, 0.0, 1e-4], (10.0, 20.0));
    w.axis.function = None;
    let v = |a, b| ValueCoord2D {
        coord1: a,
        coord2: b,
    };
    w.axis.bounds = Some(CoordBounds2D::Polygon(CoordPolygon2D {
        vertices: vec![v(10.0, 20.0), v(11.0, 21.0), v(11.0, 20.0), v(10.0, 21.0)],
    }));
    let mut c = Chunk::new();
    c.position = Some(w);
    let e = one_error(c);
    assert_eq!(e.failure.kind, FailureKind::Polygon);
    assert!(e.to_string().contains("segment intersect"), "{e}");
}

#[test]
fn zero_width_bands() {
    // the same wavelength at both ends of 50 pixels: no band at all
    let mut c = Chunk::new();
    c.energy = Some(energy_range("nm", 500.0, 500.0, 50.0));
    let e = one_error(c);
    assert_eq!(e.aspect, Aspect::Energy);
    assert!(e.to_string().contains("delta = 0.0"), "{e}");
    // a spectral function with delta 0 over several pixels
    let mut axis = CoordAxis1D::new(Axis::new("WAVE", Some("nm")));
    axis.function = Some(CoordFunction1D {
        naxis: 20,
        delta: 0.0,
        ref_coord: RefCoord::new(0.5, 500.0),
    });
    let mut c = Chunk::new();
    c.energy = Some(SpectralWcs::new(axis, "TOPOCENT"));
    assert!(one_error(c).to_string().contains("delta = 0.0"));
    // zero-width time and custom ranges, as the reference rejects them
    let mut axis = CoordAxis1D::new(Axis::new("UTC", Some("d")));
    axis.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, 58000.0),
        end: RefCoord::new(10.5, 58000.0),
    });
    let mut c = Chunk::new();
    c.time = Some(TemporalWcs::new(axis));
    assert!(one_error(c).to_string().contains("delta = 0.0"));
    // a one-pixel band of zero width is a legitimate monochromatic value
    let mut c = Chunk::new();
    c.energy = Some(energy_range("nm", 500.0, 500.0, 1.0));
    let mut p = plane(vec![c]);
    compute_plane(&mut p).expect("one pixel at one wavelength is fine");
}

#[test]
fn unknown_units_and_unsupported_time() {
    let mut c = Chunk::new();
    c.energy = Some(energy_range("furlong", 1.0, 2.0, 10.0));
    let e = one_error(c);
    assert!(e.to_string().contains("Unknown units: furlong"), "{e}");

    let mut axis = CoordAxis1D::new(Axis::new("TIME", Some("s")));
    axis.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, 0.0),
        end: RefCoord::new(1.5, 10.0),
    });
    let mut c = Chunk::new();
    c.time = Some(TemporalWcs::new(axis));
    let e = one_error(c);
    assert_eq!(e.failure.kind, FailureKind::Unsupported);
    assert!(
        e.to_string()
            .contains("unexpected TIMESYS, CTYPE: null,TIME unexpected CUNIT: s"),
        "{e}"
    );
}

#[test]
fn inconsistent_axes_are_named_by_the_validator() {
    // compute has no use for axis indices; the validator, which runs after it, names the
    // plane and chunk
    let mut c = Chunk::new();
    c.naxis = Some(3);
    c.position_axis1 = Some(1);
    c.position_axis2 = Some(2);
    c.energy_axis = Some(2);
    c.position = Some(position_function([-1e-4, 0.0, 0.0, 1e-4], (10.0, 20.0)));
    c.energy = Some(energy_range("nm", 500.0, 600.0, 100.0));
    let mut obs = Observation::simple("TEST", "axes");
    obs.planes.push(plane(vec![c]));
    compute_observation(&mut obs).expect("compute does not look at axis indices");
    let problems = caom2::validate::validate(&obs);
    assert!(
        problems.iter().any(|p| p
            .path
            .starts_with("Observation.planes[p].artifacts[cadc:TEST/bad.fits].parts[1].chunks[0]")
            && p.message
                .contains("Duplicate axis found: (2) positionAxis2 & energyAxis")),
        "{problems:#?}"
    );
}

#[test]
fn errors_of_several_planes_are_all_reported() {
    let mut bad = Chunk::new();
    bad.position = Some(position_function([0.0; 4], (10.0, 20.0)));
    let mut obs = Observation::simple("TEST", "two");
    let mut a = plane(vec![bad.clone()]);
    a.product_id = "a".into();
    let mut b = plane(vec![bad]);
    b.product_id = "b".into();
    obs.planes.push(b);
    obs.planes.push(a);
    let errors = compute_observation(&mut obs).expect_err("both fail");
    let planes: Vec<&str> = errors.iter().map(|e| e.plane.as_str()).collect();
    // productID order, as the reference service computes them
    assert_eq!(planes, ["a", "b"]);
}

#[test]
fn huge_and_degenerate_numbers_do_not_panic() {
    let vals = [
        0.0,
        -0.0,
        1e-300,
        1e300,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::NAN,
        f64::INFINITY,
        -f64::INFINITY,
    ];
    for &x in &vals {
        let mut c = Chunk::new();
        c.position = Some(position_function([x, 0.0, 0.0, x], (x, x)));
        c.energy = Some(energy_range("GHz", x, 1.0, x));
        let mut t = CoordAxis1D::new(Axis::new("TAI", Some("d")));
        t.function = Some(CoordFunction1D {
            naxis: 3,
            delta: x,
            ref_coord: RefCoord::new(x, x),
        });
        c.time = Some(TemporalWcs::new(t));
        let mut pol = CoordAxis1D::new(Axis::new("STOKES", None));
        pol.function = Some(CoordFunction1D {
            naxis: i64::MAX,
            delta: x,
            ref_coord: RefCoord::new(1.0, 1.0),
        });
        c.polarization = Some(PolarizationWcs { axis: pol });
        let mut p = plane(vec![c]);
        let _ = compute_plane(&mut p);
    }
}

#[test]
fn aspects_the_chunks_do_not_describe_are_kept() {
    // a derived plane whose time was set by hand (caom2pipe's build_plane_time): chunks with
    // position only must not erase it
    let mut c = Chunk::new();
    c.position = Some(position_function([-1e-4, 0.0, 0.0, 1e-4], (10.0, 20.0)));
    let mut p = plane(vec![c]);
    let time = Time {
        bounds: Some(SampledInterval::single(58000.0, 58000.5)),
        exposure: Some(1200.0),
        ..Time::default()
    };
    p.time = Some(time.clone());
    compute_plane(&mut p).expect("compute");
    assert_eq!(p.time, Some(time));
    assert!(p.position.is_some() && p.energy.is_some());
    assert!(p.polarization.is_none() && p.custom.is_none());
}
