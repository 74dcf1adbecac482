//! Data products through the whole pipeline (store, ingest, modify, compute): a FITS file
//! made from a raw NEOSSat header (`NEOS_SCI_2019213215700`, 856 × 622 unsigned 16-bit
//! pixels with an overscan strip outside `DATASEC`) and generated sky pixels. The record
//! gets a PNG preview of exactly 1024² and a thumbnail of 256² (release `meta`), no
//! footprint (NEOSSat has none), and computed plane metadata.

use caom2::{ProductType, ReleaseType};
use execute::backend::{LocalRepository, LocalStorage};
use execute::synth;
use manage::fsutil::Sync;
use manage::{Config, ImageFormat, Repository, RunMode, Storage};

const NX: usize = 856;
const NY: usize = 622;

#[test]
fn previews_and_plane_metadata() {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let dump = std::fs::read_to_string(
        conf.join("collections/neossat/2019213215700/NEOS_SCI_2019213215700.fits.header"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path();
    std::fs::create_dir_all(wd.join("data")).unwrap();
    let mut pixels = execute::synth::sky_pixels(NX, NY, 7);
    // the overscan columns left of DATASEC read as bias only
    for row in pixels.chunks_exact_mut(NX) {
        row[..344].fill(300.0);
    }
    // unsigned 16-bit, as the header's BZERO = 32768 says
    let raw: Vec<i16> = pixels
        .iter()
        .map(|p| (p.round().clamp(0.0, 65535.0) as i32 - 32768) as i16)
        .collect();
    let cards = synth::dump_primary_cards(&dump);
    std::fs::write(
        wd.join("data/NEOS_SCI_2019213215700.fits"),
        synth::fits_from_cards(&cards, &[], &[], &synth::Pixels::I16(raw)),
    )
    .unwrap();
    std::fs::write(
        wd.join("config.yml"),
        "collection: NEOSSAT\nuse_local_files: true\ndata_sources: [data]\n\
         data_source_extensions: [.fits]\ntask_types: [store, ingest, modify]\n\
         logging_level: ERROR\n",
    )
    .unwrap();
    let config = Config::read(&wd.join("config.yml")).unwrap();
    let collection = neossat::Neossat::new(&config).unwrap();
    let report = execute::run_local(&config, &collection, RunMode::Todo, None).unwrap();
    let repo = LocalRepository::new(&config.local_repository, Sync::Cached);
    let store = LocalStorage::new(&config.local_storage, Sync::Cached);
    let failures = std::fs::read_to_string(wd.join("logs/failure_log.txt")).unwrap_or_default();
    assert_eq!(report.summary.successes, 1, "{failures}");

    let obs = repo.get("NEOSSAT", "2019213215700").unwrap().unwrap();
    let plane = obs.plane("raw").unwrap();
    for (uri, product, size) in [
        (
            "cadc:NEOSSAT/2019213215700_raw_prev.png",
            ProductType::PREVIEW,
            1024,
        ),
        (
            "cadc:NEOSSAT/2019213215700_raw_prev_256.png",
            ProductType::THUMBNAIL,
            256,
        ),
    ] {
        let a = plane.artifact(uri).unwrap_or_else(|| panic!("no {uri}"));
        assert_eq!(a.product_type, product);
        assert_eq!(a.release_type, ReleaseType::Meta);
        assert_eq!(a.content_type.as_deref(), Some("image/png"));
        let local = wd.join("picture.png");
        store.get(uri, &local).unwrap();
        assert_eq!(
            astro::encode::dimensions(&std::fs::read(&local).unwrap()),
            Some((ImageFormat::Png, size as usize, size as usize)),
            "{uri}"
        );
    }
    let science = plane
        .artifact("cadc:NEOSSAT/NEOS_SCI_2019213215700.fits")
        .unwrap();
    let chunk = &science.parts[0].chunks[0];
    assert!(
        chunk
            .position
            .as_ref()
            .is_some_and(|p| p.axis.bounds.is_none()),
        "no footprint"
    );
    assert!(plane.position.as_ref().is_some_and(|p| p.bounds.is_some()));
    assert!(plane.energy.as_ref().is_some_and(|e| e.bounds.is_some()));
    assert!(plane.time.as_ref().is_some_and(|t| t.bounds.is_some()));
}
