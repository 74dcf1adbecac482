//! OMM's rules on small made-up headers: junk and REJECT, derived products and their
//! inputs, and the errors (unknown site, a time that is not a number, invalid names).

use std::path::PathBuf;

use caom2::{Quality, Status};
use manage::{Config, ErrorClass, Logger, Reason};

const RAW: &[&str] = &[
    "SIMPLE  =                    T",
    "BITPIX  =                  -32",
    "NAXIS   =                    2",
    "NAXIS1  =                 2048",
    "NAXIS2  =                 2048",
    "TELESCOP= 'OMM-1.6m'",
    "OBS_LAT =        45.4555555556",
    "OBS_LON =       -71.1527777778",
    "INSTRUME= 'CPAPIR  '",
    "OBSERVER= 'A. Astronomer'",
    "OBJECT  = 'M 31'",
    "DATE-OBS= '2017-03-25T14:01:28'",
    "DATE    = '2017-03-25T09:01:28'",
    "TEXP    =              20.0000",
    "TEFF    =              20.3090",
    "FILTER  = 'J       '",
    "WLEN    =              1.25000",
    "BANDPASS=       0.160000000000",
    "RA      =        10.684708",
    "DEC     =        41.26875",
];

const WCS: &[&str] = &[
    "CTYPE1  = 'RA---TAN'",
    "CTYPE2  = 'DEC--TAN'",
    "CRPIX1  =               1024.0",
    "CRPIX2  =               1024.0",
    "CRVAL1  =            10.684708",
    "CRVAL2  =             41.26875",
    "CD1_1   =         -0.000247683",
    "CD1_2   =                  0.0",
    "CD2_1   =                  0.0",
    "CD2_2   =          0.000247957",
];

fn scrape(files: &[PathBuf]) -> Result<caom2::Observation, manage::EntryError> {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::defaults(tmp.path());
    config.collection = "OMM".into();
    let omm = omm::Omm::new(&config).unwrap();
    let log = Logger::silent().entry(None);
    execute::entry::scrape_files(&omm, &config, files, None, None, false, &log)
}

fn cards(extra: &[&'static str], wcs: bool, datatype: &'static str) -> Vec<&'static str> {
    let mut c: Vec<&str> = RAW.to_vec();
    c.push(datatype);
    if wcs {
        c.extend_from_slice(WCS);
    }
    c.extend_from_slice(extra);
    c
}

#[test]
fn science_without_astrometry_is_junk_and_calibration_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let sci = testkit::write_header_dump(
        tmp.path(),
        "C170324_0001_SCI.fits.header",
        &cards(&[], false, "DATATYPE= 'SCIENCE '"),
    );
    let obs = scrape(&[sci]).unwrap();
    let plane = obs.plane("C170324_0001_SCI").unwrap();
    assert_eq!(plane.quality.as_ref().map(|q| q.flag), Some(Quality::Junk));
    let chunk = &plane.artifacts[0].parts[0].chunks[0];
    assert!(chunk.position.is_none() && chunk.naxis.is_none());
    // energy and time are still described
    assert!(chunk.energy.is_some() && chunk.time.is_some());
    // the telescope keywords come from OBSERVER
    assert_eq!(obs.telescope.as_ref().unwrap().keywords, ["A. Astronomer"]);

    let cal = testkit::write_header_dump(
        tmp.path(),
        "C170324_0002_CAL.fits.header",
        &cards(&[], false, "DATATYPE= 'CALIB   '"),
    );
    let obs = scrape(&[cal]).unwrap();
    assert!(obs.plane("C170324_0002_CAL").unwrap().quality.is_none());

    let good = testkit::write_header_dump(
        tmp.path(),
        "C170324_0003_SCI.fits.header",
        &cards(&[], true, "DATATYPE= 'SCIENCE '"),
    );
    let obs = scrape(&[good]).unwrap();
    let plane = obs.plane("C170324_0003_SCI").unwrap();
    assert!(plane.quality.is_none());
    assert!(plane.artifacts[0].parts[0].chunks[0].position.is_some());
}

#[test]
fn a_rejected_exposure_joins_its_observation_and_fails_its_requirements() {
    let tmp = tempfile::tempdir().unwrap();
    let sci = testkit::write_header_dump(
        tmp.path(),
        "C170324_0054_SCI.fits.header",
        &cards(&[], true, "DATATYPE= 'SCIENCE '"),
    );
    let rej = testkit::write_header_dump(
        tmp.path(),
        "C170324_0054_REJECT.fits.header",
        &cards(&[], true, "DATATYPE= 'REJECT  '"),
    );
    let obs = scrape(&[sci, rej]).unwrap();
    assert_eq!(obs.observation_id, "C170324_0054");
    assert_eq!(obs.planes.len(), 2, "without storage the older plane stays");
    assert_eq!(
        obs.requirements.as_ref().map(|r| r.flag.clone()),
        Some(Status::FAIL)
    );
    assert_eq!(obs.target.as_ref().unwrap().name, "BAD");
    assert_eq!(obs.obs_type.as_deref(), Some("reject"));
}

#[test]
fn reduced_products_are_derived_from_their_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let red = testkit::write_header_dump(
        tmp.path(),
        "C170324_M31_J_SCIRED.fits.header",
        &cards(
            &[
                "IN_00001= 'S170324_0054.fits.gz'",
                "IN_00002= 'S170324_0055.fits.gz'",
                "ID_00003= 'S/data/170324/170324_0056.fits.fits.gz'",
                "IN_00004= 'S170324_0054.fits.gz'",
            ],
            true,
            "DATATYPE= 'REDUC   '",
        ),
    );
    let obs = scrape(&[red]).unwrap();
    assert!(obs.is_derived());
    assert_eq!(obs.algorithm.name, "composite");
    let mut members: Vec<&str> = obs.members().iter().map(|m| m.as_str()).collect();
    members.sort();
    assert_eq!(
        members,
        [
            "caom:OMM/C170324_0054",
            "caom:OMM/C170324_0055",
            "caom:OMM/C170324_0056"
        ]
    );
    let plane = obs.plane("C170324_M31_J_SCIRED").unwrap();
    assert_eq!(plane.calibration_level.map(|c| c.value()), Some(2));
    let inputs = &plane.provenance.as_ref().unwrap().inputs;
    assert_eq!(inputs.len(), 3);
    assert!(inputs
        .iter()
        .any(|i| i.as_str() == "caom:OMM/C170324_0056/C170324_0056_SCI"));
}

#[test]
fn errors_name_the_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = cards(&[], true, "DATATYPE= 'SCIENCE '");
    c[5] = "TELESCOP= 'Elsewhere 2m'";
    let far = testkit::write_header_dump(tmp.path(), "C170324_0060_SCI.fits.header", &c);
    let e = scrape(&[far]).unwrap_err();
    assert_eq!(e.class, ErrorClass::Rejected(Reason::BadMetadata));
    assert!(e.message.contains("unknown telescope"), "{}", e.message);

    let mut c = cards(&[], true, "DATATYPE= 'SCIENCE '");
    c.retain(|l| !l.starts_with("TEFF"));
    c.push("TEFF    = 'NaN'");
    let nan = testkit::write_header_dump(tmp.path(), "C170324_0061_SCI.fits.header", &c);
    let e = scrape(&[nan]).unwrap_err();
    assert_eq!(e.class, ErrorClass::Rejected(Reason::BadMetadata));
    assert!(e.message.contains("TEFF"), "{}", e.message);

    for bad in [
        "C100521_DOMEFLAT_K_CALRED.fits.header",
        "X170324_0062_SCI.fits.header",
    ] {
        let f =
            testkit::write_header_dump(tmp.path(), bad, &cards(&[], true, "DATATYPE= 'CALRED  '"));
        let e = scrape(&[f]).unwrap_err();
        assert_eq!(
            e.class,
            ErrorClass::Rejected(Reason::InvalidFileName),
            "{bad}"
        );
    }
}
