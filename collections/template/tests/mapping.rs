//! The template maps a made-up header: names, the blueprint's literal, keyword and function
//! values, and the update step. Replace these with tests of the collection's own rules.

use manage::{Config, Logger};

#[test]
fn a_header_becomes_an_observation() {
    let tmp = tempfile::tempdir().unwrap();
    let file = testkit::write_header_dump(
        tmp.path(),
        "obs042.fits.header",
        &[
            "SIMPLE  =                    T",
            "BITPIX  =                  -32",
            "NAXIS   =                    2",
            "NAXIS1  =                 1024",
            "NAXIS2  =                 1024",
            "OBJECT  = 'NGC 6946'",
            "INSTRUME= 'IMAGER'",
            "IMAGETYP= 'flat'",
            "DATE-OBS= '2024-03-15T04:10:07'",
            "CRPIX1  =                512.0",
            "CRPIX2  =                512.0",
            "CRVAL1  =             308.7180",
            "CRVAL2  =              60.1539",
            "CD1_1   =              -0.0001",
            "CD2_2   =               0.0001",
        ],
    );
    let mut config = Config::defaults(tmp.path());
    config.collection = "TEMPLATE".into();
    let c = template::Template::new(&config).unwrap();
    let log = Logger::silent().entry(None);
    let obs = execute::entry::scrape_files(&c, &config, &[file], None, None, false, &log).unwrap();
    assert_eq!(
        (obs.collection.as_str(), obs.observation_id.as_str()),
        ("TEMPLATE", "obs042")
    );
    assert_eq!(obs.target.as_ref().unwrap().name, "NGC 6946");
    assert_eq!(
        obs.intent.map(|i| i.to_string()).as_deref(),
        Some("calibration")
    );
    assert_eq!(obs.obs_type.as_deref(), Some("flat"));
    let plane = obs.plane("obs042").unwrap();
    let artifact = plane.artifact("cadc:TEMPLATE/obs042.fits").unwrap();
    assert_eq!(artifact.product_type.to_string(), "calibration");
    let chunk = &artifact.parts[0].chunks[0];
    assert_eq!(
        chunk
            .product_type
            .as_ref()
            .map(|p| p.to_string())
            .as_deref(),
        Some("calibration")
    );
    let position = chunk.position.as_ref().unwrap();
    assert_eq!(position.axis.axis1.ctype, "RA---TAN");
}
