//! Data products through the whole pipeline (store, ingest, modify, compute): a FITS file
//! made from a raw NEOSSat header (`NEOS_SCI_2019213215700`, 856 × 622 unsigned 16-bit
//! pixels with an overscan strip outside `DATASEC`) and generated sky pixels. The record
//! gets a PNG preview of exactly 1024² and a thumbnail of 256² (release `meta`), no
//! footprint (NEOSSat has none), and computed plane metadata.

use std::path::Path;

use caom2::{ProductType, ReleaseType};
use execute::backend::{LocalRepository, LocalStorage};
use manage::fsutil::Sync;
use manage::{Config, ImageFormat, Repository, RunMode, Storage};

const NX: usize = 856;
const NY: usize = 622;

/// The primary header cards of a header dump (80-column lines up to the first `END` or the
/// second HDU), with `replace` applied and `END` added, as a FITS header block.
fn header_block(dump: &str, replace: &[(&str, String)]) -> Vec<u8> {
    let mut cards: Vec<String> = Vec::new();
    for line in dump.lines() {
        if line.starts_with("# HDU") && !cards.is_empty() {
            break;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.trim_end() == "END" {
            break;
        }
        let key = line.get(..8).unwrap_or(line).trim();
        let card = match replace.iter().find(|(k, _)| *k == key) {
            Some((k, v)) => format!("{k:<8}= {v:>20}"),
            None => line.to_string(),
        };
        cards.push(format!("{:<80}", &card[..card.len().min(80)]));
    }
    let mut block: Vec<u8> = cards.concat().into_bytes();
    block.extend(format!("{:<80}", "END").bytes());
    while !block.len().is_multiple_of(2880) {
        block.push(b' ');
    }
    block
}

/// A primary HDU of unsigned 16-bit pixels (`BZERO = 32768`).
fn write_fits(path: &Path, header: Vec<u8>, pixels: &[f32]) {
    let mut bytes = header;
    for p in pixels {
        let v = (p.round().clamp(0.0, 65535.0) as i32 - 32768) as i16;
        bytes.extend_from_slice(&v.to_be_bytes());
    }
    while !bytes.len().is_multiple_of(2880) {
        bytes.push(0);
    }
    std::fs::write(path, bytes).unwrap();
}

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
    let header = header_block(&dump, &[]);
    let mut pixels = execute::synth::sky_pixels(NX, NY, 7);
    // the overscan columns left of DATASEC read as bias only
    for row in pixels.chunks_exact_mut(NX) {
        row[..344].fill(300.0);
    }
    write_fits(
        &wd.join("data/NEOS_SCI_2019213215700.fits"),
        header,
        &pixels,
    );
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
