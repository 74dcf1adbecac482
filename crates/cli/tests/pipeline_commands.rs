//! `caom2pipe run --check`, `caom2pipe run` on the demo, and `caom2pipe scrape`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_caom2pipe")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_demo(to: &Path) {
    let demo = root().join("examples/demo");
    for sub in ["data", "blueprints"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for e in std::fs::read_dir(demo.join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::copy(demo.join("config.yml"), to.join("config.yml")).unwrap();
}

#[test]
fn check_reports_every_problem_with_its_key_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.yml");
    std::fs::write(
        &config,
        "collection: X\ntask_types: [scrape]\nuse_local_file: true\nobserve_execution: true\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["run", "--check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.yml:3:1: error: use_local_file: unknown key (did you mean \"use_local_files\"?)"),
        "{err}"
    );
    // with the typo fixed, the combinations are checked
    std::fs::write(
        &config,
        "collection: X\ntask_types: [scrape]\nuse_local_files: false\nobserve_execution: true\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["run", "--check", "--incremental", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for key in [
        "task_types",
        "observe_execution",
        "state_file_name",
        "collection",
    ] {
        assert!(err.contains(&format!("error: {key}: ")), "{key}: {err}");
    }
    assert!(err.contains("nothing was run"), "{err}");
    assert!(!tmp.path().join("logs").exists() && !tmp.path().join("journal.jsonl").exists());
}

#[test]
fn the_demo_runs_and_says_where_the_results_are() {
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("demo");
    copy_demo(&wd);
    let check = Command::new(bin())
        .args(["run", "--check", "--config"])
        .arg(wd.join("config.yml"))
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout)
        .contains("store, ingest, modify -> NoFheadStoreVisit"));
    let out = Command::new(bin())
        .args(["run", "--config"])
        .arg(wd.join("config.yml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("6 entries: 6 succeeded, 0 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "records:  {}",
            wd.join("repository/DEMO").display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("files:    {}", wd.join("storage").display())),
        "{stdout}"
    );
    assert!(wd.join("repository/DEMO/2460392o.xml").is_file());
    assert!(wd
        .join("storage/cadc/DEMO/dao_c180_2016_004568.fits")
        .is_file());
    assert!(wd.join("logs/demo_report.txt").is_file());
    // with a preview and a thumbnail of each file
    for name in ["2460392o_prev.jpg", "dao_c180_2016_004568_prev_256.jpg"] {
        assert!(wd.join("storage/cadc/DEMO").join(name).is_file(), "{name}");
    }
    // the records read back and verify
    let check = Command::new(bin())
        .args(["xml", "check"])
        .arg(wd.join("repository/DEMO/2460392o.xml"))
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn scrape_maps_files_to_one_observation_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = root().join("examples/demo");
    let out = tmp.path().join("out.xml");
    let run = Command::new(bin())
        .current_dir(tmp.path())
        .args(["scrape", "--collection", "DEMO", "--blueprint"])
        .arg(demo.join("blueprints/omm.yml"))
        .arg("-o")
        .arg(&out)
        .arg(demo.join("data/C170323_0155_SCI.fits"))
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let obs = caom2::xml::read(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(obs.collection, "DEMO");
    assert_eq!(obs.observation_id, "C170323_0155_SCI");
    assert_eq!(
        obs.planes[0].artifacts[0].uri.as_str(),
        "cadc:DEMO/C170323_0155_SCI.fits"
    );
    // a second file into the same observation (as another plane), starting from the first
    let out2 = tmp.path().join("out2.xml");
    let run = Command::new(bin())
        .current_dir(tmp.path())
        .args([
            "scrape",
            "--collection",
            "DEMO",
            "--obs-id",
            "C170323_0155_SCI",
            "--blueprint",
        ])
        .arg(demo.join("blueprints/omm.yml"))
        .arg("--in")
        .arg(&out)
        .arg("-o")
        .arg(&out2)
        .arg(demo.join("data/C170323_0156_SCI.fits"))
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let obs = caom2::xml::read(&std::fs::read(&out2).unwrap()).unwrap();
    assert_eq!(obs.planes.len(), 2);
    // an unregistered collection needs a blueprint
    let run = Command::new(bin())
        .current_dir(tmp.path())
        .args(["scrape", "--collection", "NOPE", "-o"])
        .arg(tmp.path().join("x.xml"))
        .arg(demo.join("data/C170323_0155_SCI.fits"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no blueprint"));
}
