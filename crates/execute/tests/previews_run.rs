//! Previews through a pipeline run: the generic collection with `preview: true` and the
//! modify task type stores a preview and a thumbnail of a good image before writing its
//! record (with their artifacts in the plane), and ingests images that give no preview
//! (constant, all NaN) without them, with the reason in the entry log, the journal,
//! `rejected.yml` (`no_preview`) and the report's `Number of Warnings`.

use caom2::ProductType;
use execute::backend::LocalRepository;
use manage::fsutil::Sync;
use manage::{Config, Repository, RunMode};
use md5::{Digest, Md5};

/// A 64 × 64 sky image whose every pixel is `value`.
fn constant(value: f32) -> Vec<u8> {
    execute::synth::sky_image(64, 64, 3, vec![value; 64 * 64])
}

#[test]
fn previews_are_stored_and_bad_pixels_are_warnings() {
    let tmp = tempfile::tempdir().expect("tmp");
    let wd = tmp.path();
    let data = wd.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(
        data.join("good.fits"),
        execute::synth::sky_fits(300, 200, 2),
    )
    .expect("w");
    std::fs::write(data.join("flat.fits"), constant(7.0)).expect("w");
    std::fs::write(data.join("dark.fits"), constant(f32::NAN)).expect("w");
    let blueprint = testkit::workspace_root().join("examples/demo/blueprints/omm.yml");
    std::fs::write(
        wd.join("config.yml"),
        format!(
            "collection: TEST\ntask_types: [store, ingest, modify]\nuse_local_files: true\n\
             data_sources: [data]\nblueprint: {}\npreview: true\nlog_file_directory: logs\n\
             rejected_directory: rejected\nlogging_level: WARNING\nlog_to_file: true\n",
            blueprint.display()
        ),
    )
    .expect("config");
    let config = Config::read(&wd.join("config.yml")).expect("config");
    let collection = execute::generic::from_config(&config, None).expect("collection");
    let report = execute::run_local(&config, &collection, RunMode::Todo, None).expect("run");
    let repo = LocalRepository::new(&config.local_repository, Sync::Cached);
    let logs = wd.join("logs");
    let failures = std::fs::read_to_string(logs.join("failure_log.txt")).unwrap_or_default();
    assert_eq!(
        (report.summary.successes, report.summary.errors),
        (3, 0),
        "{failures}"
    );
    assert_eq!(report.summary.warnings, 2);
    assert_eq!(report.exit_code(), 0);

    // the good image: both files in storage, both artifacts in its plane
    let good = repo.get("TEST", "good").expect("get").expect("record");
    let plane = &good.planes[0];
    assert_eq!(plane.artifacts.len(), 3);
    for (name, product) in [
        ("good_prev.jpg", ProductType::PREVIEW),
        ("good_prev_256.jpg", ProductType::THUMBNAIL),
    ] {
        let a = plane
            .artifacts
            .iter()
            .find(|a| a.uri.as_str() == format!("cadc:TEST/{name}"))
            .expect(name);
        assert_eq!(a.product_type, product);
        let stored = std::fs::read(wd.join("storage/cadc/TEST").join(name)).expect("stored");
        assert_eq!(a.content_length, Some(stored.len() as i64));
        let md5: String = Md5::digest(&stored)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            a.content_checksum.as_ref().map(|u| u.as_str().to_string()),
            Some(format!("md5:{md5}"))
        );
        assert_eq!(a.content_type.as_deref(), Some("image/jpeg"));
    }
    // the bad ones: ingested, no previews, the reason everywhere the report looks
    for (obs, why) in [
        (
            "flat",
            "constant image: every finite pixel is 7, nothing to show",
        ),
        (
            "dark",
            "no finite pixels: every value is blank (BLANK) or NaN",
        ),
    ] {
        let o = repo.get("TEST", obs).expect("get").expect("record");
        assert_eq!(o.planes[0].artifacts.len(), 1, "{obs}");
        assert!(!wd
            .join(format!("storage/cadc/TEST/{obs}_prev.jpg"))
            .exists());
        let log = std::fs::read_to_string(logs.join(format!("{obs}.log"))).expect("entry log");
        assert!(
            log.contains(":WARNING:") && log.contains(why),
            "{obs}: {log}"
        );
    }
    let journal = std::fs::read_to_string(logs.join("journal.jsonl")).expect("journal");
    assert!(
        journal.contains("\"warnings\":[\"no_preview: no preview for cadc:TEST/flat.fits: "),
        "{journal}"
    );
    let rejected = std::fs::read_to_string(wd.join("rejected/rejected.yml")).expect("rejected");
    assert!(
        rejected.contains("no_preview:\n- dark\n- flat\n"),
        "{rejected}"
    );
    let text = std::fs::read_to_string(report.report_path).expect("report");
    assert!(text.contains("  Number of Warnings: 2\n"), "{text}");
    assert!(text.contains("Number of Successes: 3\n"), "{text}");
    assert!(!failures.contains("flat"), "{failures}");
}
