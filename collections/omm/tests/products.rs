//! Data products through the whole pipeline (store, ingest, modify, compute): a FITS file
//! made from the canonical science header (`C170324_0054_SCI`, scaled down to 512² pixels
//! with its WCS scaled to match) and generated sky pixels. The record gets a JPEG preview
//! and thumbnail (release `data`), a footprint polygon in the chunk bounds that lies inside
//! the image's WCS box, and computed plane metadata. The reference's own tests need pixel
//! files that are not public and assert matplotlib checksums; these assert structure.

use caom2::{CoordBounds2D, ProductType, ReleaseType};
use execute::backend::{LocalRepository, LocalStorage};
use manage::fsutil::Sync;
use manage::{Config, ImageFormat, Repository, RunMode, Storage};

const SIZE: usize = 512;

#[test]
fn previews_footprint_and_plane_metadata() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let dump = std::fs::read_to_string(
        conf.join("collections/omm/C170324_0054_SCI/C170324_0054_SCI.fits.header"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path();
    std::fs::create_dir_all(wd.join("data")).unwrap();
    // 2048² scaled to 512²: the same sky, pixels four times larger
    let f = 2048.0 / SIZE as f64;
    let mut pixels = execute::synth::sky_pixels(SIZE, SIZE, 54);
    // a blank (unexposed) band along one edge, as flat-fielded frames have: the footprint
    // follows the illuminated pixels
    for row in pixels.chunks_exact_mut(SIZE).take(40) {
        row.fill(f32::NAN);
    }
    std::fs::write(
        wd.join("data/C170324_0054_SCI.fits"),
        omm::samples::scaled_fits(&dump, SIZE, pixels),
    )
    .unwrap();
    std::fs::write(
        wd.join("config.yml"),
        "collection: OMM\nuse_local_files: true\ndata_sources: [data]\n\
         data_source_extensions: [.fits]\ntask_types: [store, ingest, modify]\n\
         logging_level: ERROR\n",
    )
    .unwrap();
    let config = Config::read(&wd.join("config.yml")).unwrap();
    assert!(config
        .check(RunMode::Todo)
        .iter()
        .all(|p| p.severity != manage::Severity::Error));
    let collection = omm::Omm::new(&config).unwrap();
    let report = execute::run_local(&config, &collection, RunMode::Todo, None).unwrap();
    let repo = LocalRepository::new(&config.local_repository, Sync::Cached);
    let store = LocalStorage::new(&config.local_storage, Sync::Cached);
    let failures = std::fs::read_to_string(wd.join("logs/failure_log.txt")).unwrap_or_default();
    assert_eq!(report.summary.successes, 1, "{failures}");

    let obs = repo.get("OMM", "C170324_0054").unwrap().unwrap();
    let plane = obs.plane("C170324_0054_SCI").unwrap();
    for (uri, product, size) in [
        (
            "cadc:OMM/C170324_0054_SCI_prev.jpg",
            ProductType::PREVIEW,
            1024,
        ),
        (
            "cadc:OMM/C170324_0054_SCI_prev_256.jpg",
            ProductType::THUMBNAIL,
            256,
        ),
    ] {
        let a = plane.artifact(uri).unwrap_or_else(|| panic!("no {uri}"));
        assert_eq!(a.product_type, product);
        assert_eq!(a.release_type, ReleaseType::Data);
        assert_eq!(a.content_type.as_deref(), Some("image/jpeg"));
        assert!(store.info(uri).unwrap().is_some(), "{uri} not stored");
        let tmpfile = wd.join("picture.jpg");
        store.get(uri, &tmpfile).unwrap();
        let (format, w, h) = astro::encode::dimensions(&std::fs::read(&tmpfile).unwrap())
            .unwrap_or_else(|| panic!("{uri}: not a JPEG or PNG"));
        assert_eq!(format, ImageFormat::Jpeg, "{uri}");
        assert_eq!(w.max(h), size, "{uri}: {w}×{h}");
    }

    // the footprint: a polygon in the chunk bounds, inside the image's WCS box
    let chunk = &plane
        .artifact("cadc:OMM/C170324_0054_SCI.fits")
        .unwrap()
        .parts[0]
        .chunks[0];
    let position = chunk.position.as_ref().unwrap();
    let Some(CoordBounds2D::Polygon(polygon)) = &position.axis.bounds else {
        panic!("no footprint polygon in the chunk bounds");
    };
    assert!(polygon.vertices.len() >= 4);
    let half = 0.000248 * f * SIZE as f64 / 2.0;
    let (ra0, dec0): (f64, f64) = (106.572579265, 34.3981511443);
    let cos_dec = dec0.to_radians().cos();
    for v in &polygon.vertices {
        assert!((v.coord1 - ra0).abs() * cos_dec < half * 1.1, "{v:?}");
        assert!((v.coord2 - dec0).abs() < half * 1.1, "{v:?}");
    }
    // the blank rows at the bottom are outside: some vertex is well above the image's edge
    let lowest = polygon
        .vertices
        .iter()
        .map(|v| v.coord2)
        .fold(f64::INFINITY, f64::min);
    assert!(lowest > dec0 - half + 30.0 * 0.000248 * f, "{lowest}");

    // plane metadata computed from the chunks
    let p = plane.position.as_ref().expect("plane position computed");
    assert!(p.bounds.is_some());
    let e = plane.energy.as_ref().expect("plane energy computed");
    assert!(e.bounds.is_some());
    assert!(plane.time.as_ref().is_some_and(|t| t.bounds.is_some()));
}
