//! The operator examples `examples/omm/` and `examples/neossat/`, run with the binary against
//! the embedded repository and store, as the README tells an operator to run them: OMM over
//! its sample files in a local directory, NEOSSat incrementally over an HTTP listing (the
//! CSA site's layout, served on loopback by the test) starting from its state.yml.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_caom2pipe")
}

fn example(name: &str) -> PathBuf {
    testkit::workspace_root().join("examples").join(name)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_omm_example_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("omm");
    testkit::copy_inputs(&example("omm"), &wd, &["data"]);
    let config = wd.join("config.yml");
    let check = Command::new(bin())
        .args(["run", "--check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = Command::new(bin())
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report = read(&wd.join("logs/omm_report.txt"));
    assert!(report.contains("Number of Successes: 6"), "{report}");
    let records = wd.join("repository/OMM");
    let mut ids: Vec<String> = std::fs::read_dir(&records)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "C240315_0101.xml",
            "C240315_0102.xml",
            "C240315_0103.xml",
            "C240315_0201.xml",
            "C240315_M101_J.xml",
            "C240315_domeflat_J.xml"
        ]
    );
    let sci = read(&records.join("C240315_0101.xml"));
    assert!(sci.contains("<caom2:uri>cadc:OMM/C240315_0101_SCI_prev.jpg</caom2:uri>"));
    assert!(sci.contains("<caom2:uri>cadc:OMM/C240315_0101_SCI_prev_256.jpg</caom2:uri>"));
    assert!(sci.contains("<caom2:polygon>"), "plane position computed");
    assert!(read(&records.join("C240315_0102.xml")).contains("<caom2:flag>junk</caom2:flag>"));
    assert!(read(&records.join("C240315_0103.xml")).contains("<caom2:flag>fail</caom2:flag>"));
    let stack = read(&records.join("C240315_M101_J.xml"));
    assert!(stack.contains("xsi:type=\"caom2:DerivedObservation\""));
    assert!(stack.contains("caom:OMM/C240315_0104/C240315_0104_SCI"));
    assert!(wd
        .join("storage/cadc/OMM/C240315_0101_SCI_prev.jpg")
        .is_file());
    assert!(wd.join("storage/cadc/OMM/C240315_0101_SCI.fits").is_file());
}

#[test]
fn the_neossat_example_runs_incrementally_over_an_http_listing() {
    // the site's layout: ASTRO/ -> year/ -> day of year/ -> files, times in US/Eastern;
    // the files appeared an hour ago, the bookmark is three hours old ("yesterday" in the
    // reference's entrypoint)
    let tz = jiff::tz::TimeZone::get("US/Eastern").unwrap();
    let now = jiff::Timestamp::now().to_zoned(tz);
    let at = |h: i64| {
        now.checked_sub(jiff::Span::new().hours(h))
            .unwrap()
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let files = neossat::samples::files(96);
    let mut pages = HashMap::new();
    pages.insert(
        "/ASTRO/".into(),
        testkit::apache_listing(&[("2016/", &at(2)), ("2024/", &at(1)), ("NESS/", &at(30))]),
    );
    pages.insert(
        "/ASTRO/2024/".into(),
        testkit::apache_listing(&[("075/", &at(1))]),
    );
    pages.insert("/ASTRO/NESS/".into(), testkit::apache_listing(&[]));
    let entries: Vec<(String, String)> = files.iter().map(|f| (f.name.clone(), at(1))).collect();
    let refs: Vec<(&str, &str)> = entries
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    pages.insert("/ASTRO/2024/075/".into(), testkit::apache_listing(&refs));
    for f in &files {
        pages.insert(format!("/ASTRO/2024/075/{}", f.name), f.bytes.clone());
    }
    let (addr, _) = testkit::serve_pages(pages);
    let url = format!("http://{addr}/ASTRO/");

    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("neossat");
    testkit::copy_inputs(&example("neossat"), &wd, &["data"]);
    let site = "https://data.asc-csa.gc.ca/users/OpenData_DonneesOuvertes/pub/NEOSSAT/ASTRO/";
    let config = read(&wd.join("config.yml")).replace(site, &url);
    std::fs::write(wd.join("config.yml"), config).unwrap();
    let state = read(&wd.join("state.yml"))
        .replace(site, &url)
        .replace("2024-03-15 00:00:00", &format!("{}:00", at(3)));
    std::fs::write(wd.join("state.yml"), state).unwrap();

    let out = Command::new(bin())
        .args(["run", "--incremental", "--config"])
        .arg(wd.join("config.yml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("4 entries: 4 succeeded"),
        "{stdout}\n{stderr}"
    );
    let records = wd.join("repository/NEOSSAT");
    let science = read(&records.join("2024075120000.xml"));
    for product in ["raw", "cor", "clean"] {
        assert!(
            science.contains(&format!("<caom2:productID>{product}</caom2:productID>")),
            "{product}"
        );
        assert!(science.contains(&format!(
            "<caom2:uri>cadc:NEOSSAT/2024075120000_{product}_prev_256.png</caom2:uri>"
        )));
    }
    assert!(science.contains("<caom2:intent>science</caom2:intent>"));
    let dark = read(&records.join("2024075121500.xml"));
    assert!(dark.contains("<caom2:type>dark</caom2:type>"));
    assert!(wd
        .join("storage/cadc/NEOSSAT/2024075120000_clean_prev.png")
        .is_file());
    // the bookmark moved past the files
    let state = read(&wd.join("state.yml"));
    assert!(!state.contains(&format!("{}:00", at(3))), "{state}");
}

#[test]
fn scrape_checks_the_observation_it_is_told() {
    let tmp = tempfile::tempdir().unwrap();
    let file = example("omm").join("data/C240315_0101_SCI.fits.gz");
    let out = tmp.path().join("out.xml");
    let ok = Command::new(bin())
        .args([
            "scrape",
            "--collection",
            "OMM",
            "--observation",
            "OMM",
            "C240315_0101",
            "-o",
        ])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let xml = read(&out);
    assert!(xml.contains("<caom2:observationID>C240315_0101</caom2:observationID>"));
    // scrape leaves plane metadata to the service, as the reference's tools do
    assert!(!xml.contains("<caom2:polygon>"));
    let wrong = Command::new(bin())
        .args([
            "scrape",
            "--collection",
            "OMM",
            "--observation",
            "OMM",
            "C240315_0199",
            "-o",
        ])
        .arg(tmp.path().join("wrong.xml"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        message.contains("--observation OMM C240315_0199 does not match")
            && message.contains("observation OMM C240315_0101"),
        "{message}"
    );
    assert!(!tmp.path().join("wrong.xml").exists());
}
