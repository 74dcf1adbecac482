//! The footprint data visitor and the compute visitor on a real (small) FITS file.

use astro::visitor::{compute_or_reject, ComputeVisitor, FootprintVisitor};
use caom2::*;
use fitsio::images::{ImageDescription, ImageType};
use fitsio::FitsFile;
use manage::{Config, FileMeta, Logger, NamingContext, StorageName, VisitContext, Visitor};

/// A 200 × 100 float image, lit only in a 60-pixel disc, TAN at (210, 54), 1″ pixels.
fn image(path: &std::path::Path) {
    let (nx, ny) = (200usize, 100usize);
    let mut data = vec![f32::NAN; nx * ny];
    for y in 0..ny {
        for x in 0..nx {
            let (dx, dy) = (x as f64 - 99.5, y as f64 - 49.5);
            if dx * dx + dy * dy <= 30.0 * 30.0 {
                data[y * nx + x] = 1.0;
            }
        }
    }
    let desc = ImageDescription {
        data_type: ImageType::Float,
        dimensions: &[ny, nx],
    };
    let mut f = FitsFile::create(path)
        .with_custom_primary(&desc)
        .open()
        .expect("create");
    let hdu = f.primary_hdu().expect("hdu");
    hdu.write_image(&mut f, &data).expect("write");
    for (k, v) in [("CTYPE1", "RA---TAN"), ("CTYPE2", "DEC--TAN")] {
        hdu.write_key(&mut f, k, v).expect("key");
    }
    for (k, v) in [
        ("CRPIX1", 100.5),
        ("CRPIX2", 50.5),
        ("CRVAL1", 210.0),
        ("CRVAL2", 54.0),
        ("CD1_1", -1.0 / 3600.0),
        ("CD2_2", 1.0 / 3600.0),
    ] {
        hdu.write_key(&mut f, k, v).expect("key");
    }
}

fn observation() -> Observation {
    let mut axis = CoordAxis2D::new(
        Axis::new("RA---TAN", Some("deg")),
        Axis::new("DEC--TAN", Some("deg")),
    );
    axis.function = Some(CoordFunction2D {
        dimension: Dimension2D {
            naxis1: 200,
            naxis2: 100,
        },
        ref_coord: Coord2D {
            coord1: RefCoord::new(100.5, 210.0),
            coord2: RefCoord::new(50.5, 54.0),
        },
        cd11: -1.0 / 3600.0,
        cd12: 0.0,
        cd21: 0.0,
        cd22: 1.0 / 3600.0,
    });
    let mut chunk = Chunk::new();
    chunk.position = Some(SpatialWcs::new(axis));
    let mut part = Part::new("0");
    part.chunks.push(chunk);
    let mut artifact = Artifact::new(
        Uri::parse("cadc:TEST/disc.fits").expect("uri"),
        ProductType::SCIENCE,
        ReleaseType::Data,
    );
    artifact.parts.push(part);
    let mut plane = Plane::new("disc");
    plane.artifacts.push(artifact);
    let mut obs = Observation::simple("TEST", "disc");
    obs.planes.push(plane);
    obs
}

#[test]
fn footprint_then_compute() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("disc.fits");
    image(&path);
    let config = Config::defaults(dir.path());
    let naming = NamingContext::new("TEST", "cadc", "cadc");
    let sn = StorageName::from_entry(&path.display().to_string(), &naming);
    let files = [FileMeta {
        uri: "cadc:TEST/disc.fits".into(),
        local_path: Some(path.clone()),
        info: None,
        headers: None,
    }];
    let log = Logger::silent().entry(None);
    let ctx = VisitContext {
        storage_name: &sn,
        config: &config,
        files: &files,
        workspace: dir.path(),
        log_file_directory: dir.path(),
        storage: None,
        log: &log,
        is_new: true,
        meta_producer: "test",
    };
    let mut obs = observation();
    let report = FootprintVisitor::default()
        .visit(&mut obs, &ctx)
        .expect("footprint visitor");
    assert_eq!(report.get("footprints"), 1, "{report}");
    let chunk = &obs.planes[0].artifacts[0].parts[0].chunks[0];
    let Some(CoordBounds2D::Polygon(p)) = &chunk.position.as_ref().expect("position").axis.bounds
    else {
        panic!("no footprint in the chunk bounds");
    };
    assert!(p.vertices.len() >= 8 && p.vertices.len() <= 32, "{p:?}");

    ComputeVisitor
        .visit(&mut obs, &ctx)
        .expect("compute visitor");
    let position = obs.planes[0].position.as_ref().expect("plane position");
    let Some(Shape::Polygon(bounds)) = &position.bounds else {
        panic!("no plane polygon");
    };
    // the disc (π 30² square arcsec), not the 200 × 100 frame
    let area = geometry::polygon_properties(&bounds.points).area * 3600.0 * 3600.0;
    let disc = std::f64::consts::PI * 900.0;
    assert!((area - disc).abs() / disc < 0.1, "{area} vs {disc}");
    // the function still gives the dimension of the one chunk
    assert_eq!(
        position.dimension,
        Some(Dimension2D {
            naxis1: 200,
            naxis2: 100
        })
    );

    // a broken chunk makes the entry a bad-metadata rejection naming plane and chunk
    let mut bad = observation();
    if let Some(w) = bad.planes[0].artifacts[0].parts[0].chunks[0]
        .position
        .as_mut()
    {
        if let Some(f) = w.axis.function.as_mut() {
            f.cd22 = 0.0;
        }
    }
    let e = compute_or_reject(&mut bad).expect_err("singular");
    assert!(e.class == manage::ErrorClass::Rejected(manage::Reason::BadMetadata));
    assert!(
        e.message.contains("plane disc") && e.message.contains("part 0 chunk 0"),
        "{}",
        e.message
    );

    // no local file: the visitor leaves the chunk alone
    let mut obs = observation();
    let ctx = VisitContext { files: &[], ..ctx };
    let report = FootprintVisitor::default()
        .visit(&mut obs, &ctx)
        .expect("visit");
    assert_eq!(report.get("footprints"), 0);
}
