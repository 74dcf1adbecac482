//! NEOSSat's rules on small made-up headers: the files of one exposure make one observation
//! whose observation-level values come from the file processed last, a pointing builds the
//! position, and a file without pointing has none.

use std::path::PathBuf;

use manage::{Config, Logger};

const BASE: &[&str] = &[
    "SIMPLE  =                    T",
    "BITPIX  =                   16",
    "NAXIS   =                    2",
    "NAXIS1  =                 1024",
    "NAXIS2  =                 1024",
    "XBINNING=                    2",
    "YBINNING=                    2",
    "TELESCOP= 'NEOSSat'",
    "CREATOR = 'NEOSSat'",
    "OBJECT  = 'P10Q3Du'",
    "TARGTYPE= 'OBJECT'",
    "MODE    = '16 - FINE_POINT'",
    "DATE-OBS= '2019-08-01T21:57:00.768'",
    "EXPOSURE=              40.0098",
    "EQUINOX =              2000.00",
    "OBJCTROL=             90.00000",
];

fn scrape(files: &[PathBuf]) -> caom2::Observation {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::defaults(tmp.path());
    config.collection = "NEOSSAT".into();
    let n = neossat::Neossat::new(&config).unwrap();
    let log = Logger::silent().entry(None);
    execute::entry::scrape_files(&n, &config, files, None, None, false, &log).unwrap()
}

#[test]
fn the_last_file_decides_observation_values() {
    let tmp = tempfile::tempdir().unwrap();
    let mut raw: Vec<&str> = BASE.to_vec();
    raw.push("RA      = '04:26:23.1'");
    raw.push("DEC     = '-42:59:44.4'");
    let mut cor = raw.clone();
    cor.push("MOVING  = 'F'");
    let raw = testkit::write_header_dump(tmp.path(), "NEOS_SCI_2019213215700.fits.header", &raw);
    let cor =
        testkit::write_header_dump(tmp.path(), "NEOS_SCI_2019213215700_cor.fits.header", &cor);
    let obs = scrape(&[raw.clone(), cor.clone()]);
    assert_eq!(obs.planes.len(), 2);
    assert_eq!(obs.target.as_ref().unwrap().moving, Some(false));
    let obs = scrape(&[cor, raw]);
    assert_eq!(obs.target.as_ref().unwrap().moving, Some(true));
    // the position: centred on the pointing, 6″ pixels (binned 2 × 2), north up (roll 90°)
    let chunk = &obs.plane("cor").unwrap().artifacts[0].parts[0].chunks[0];
    let f = chunk.position.as_ref().unwrap().axis.function.unwrap();
    assert_eq!(
        (f.ref_coord.coord1.pix, f.ref_coord.coord2.pix),
        (512.0, 512.0)
    );
    assert!((f.ref_coord.coord1.val - 66.59625).abs() < 1e-12);
    assert!((f.cd11 - 6.0 / 3600.0).abs() < 1e-15 && f.cd12.abs() < 1e-15);
    assert_eq!(
        obs.plane("cor")
            .unwrap()
            .calibration_level
            .map(|c| c.value()),
        Some(2)
    );
    assert_eq!(
        obs.plane("raw")
            .unwrap()
            .calibration_level
            .map(|c| c.value()),
        Some(1)
    );
    let energy = chunk.energy.as_ref().unwrap();
    assert_eq!(energy.bandpass_name.as_deref(), Some("CLEAR"));
    assert_eq!(energy.resolving_power, Some(1.2));
}

#[test]
fn no_pointing_no_position() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c: Vec<&str> = BASE.to_vec();
    c.push("RA      = 'TBD'");
    c.push("DEC     = 'TBD'");
    let f = testkit::write_header_dump(tmp.path(), "NEOS_SCI_2019213215701_clean.fits.header", &c);
    let obs = scrape(&[f]);
    let chunk = &obs.plane("clean").unwrap().artifacts[0].parts[0].chunks[0];
    assert!(chunk.position.is_none() && chunk.naxis.is_none());
    assert!(chunk.time.is_some() && chunk.time_axis.is_none());
    assert_eq!(
        obs.intent.map(|i| i.to_string()).as_deref(),
        Some("science")
    );
}
