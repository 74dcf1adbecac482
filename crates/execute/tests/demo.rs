//! The demo under `examples/demo/`: its data are what the generator writes, and its
//! configuration runs (the README's main command) with every entry succeeding.

use execute::backend::LocalRepository;
use manage::fsutil::Sync;
use manage::{Config, Repository, RunMode};

fn demo_dir() -> std::path::PathBuf {
    testkit::workspace_root().join("examples/demo")
}

#[test]
fn committed_demo_data_match_the_generator() {
    let files = execute::synth::demo_files();
    let differences = execute::synth::sample_differences(&demo_dir().join("data"), &files);
    assert!(
        differences.is_empty(),
        "{}\nrun `cargo run -p execute --example make_demo`",
        differences.join("\n")
    );
}

#[test]
fn the_demo_configuration_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("demo");
    testkit::copy_inputs(&demo_dir(), &wd, &["data", "blueprints"]);
    let config = Config::read(&wd.join("config.yml")).unwrap();
    let problems = config.check(RunMode::Todo);
    assert!(
        problems
            .iter()
            .all(|p| p.severity != manage::Severity::Error),
        "{problems:?}"
    );
    let collection = execute::generic::from_config(&config, None).unwrap();
    let report = execute::run_local(&config, &collection, RunMode::Todo, None).unwrap();
    let repo = LocalRepository::new(&config.local_repository, Sync::Cached);
    let failures = std::fs::read_to_string(wd.join("logs/failure_log.txt")).unwrap_or_default();
    assert_eq!(report.summary.successes, 6, "{failures}");
    assert_eq!(report.exit_code(), 0);
    let ids = repo.list("DEMO").unwrap();
    assert_eq!(ids.len(), 6);
    // the MegaCam-like mosaic: four CCD chunks with a spatial WCS
    let mega = repo.get("DEMO", "2460392o").unwrap().unwrap();
    let parts = &mega.planes[0].artifacts[0].parts;
    let with_position = parts
        .iter()
        .flat_map(|p| &p.chunks)
        .filter(|c| c.position.is_some())
        .count();
    assert_eq!(with_position, 4);
    // the DAO-like spectrum: a spectral WCS in metres
    let dao = repo.get("DEMO", "dao_c180_2016_004568").unwrap().unwrap();
    let chunk = &dao.planes[0].artifacts[0].parts[0].chunks[0];
    assert!(chunk.energy.is_some());
    // the gzipped file is stored decompressed, with the artifact describing the stored form
    let a = &dao.planes[0].artifacts[0];
    assert_eq!(a.uri.as_str(), "cadc:DEMO/dao_c180_2016_004568.fits");
    let stored = std::fs::read(wd.join("storage/cadc/DEMO/dao_c180_2016_004568.fits")).unwrap();
    assert_eq!(a.content_length, Some(stored.len() as i64));
    let mut first = Vec::new();
    for obs_id in &ids {
        let o = repo.get("DEMO", obs_id).unwrap().unwrap();
        assert!(caom2::validate::validate(&o).is_empty(), "{obs_id}");
        assert!(
            caom2::checksum::verify(&o).mismatches.is_empty(),
            "{obs_id}"
        );
        first.push(o.entity.acc_meta_checksum.clone());
    }

    // A second run over the unchanged files changes no record: same ids, same checksums.
    let again = execute::run_local(&config, &collection, RunMode::Todo, None).unwrap();
    assert_eq!(again.summary.successes, 6);
    for (obs_id, before) in ids.iter().zip(first) {
        let o = repo.get("DEMO", obs_id).unwrap().unwrap();
        assert_eq!(
            o.entity.acc_meta_checksum, before,
            "{obs_id} changed on a re-run"
        );
    }
}
