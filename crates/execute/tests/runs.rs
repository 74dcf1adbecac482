//! Integration tests of every run mode against the embedded backends, with the operator files
//! compared to the reference formats (caom2pipe.md §8).

mod common;

use common::{stable_report, strip_time, Fixture, TestCollection};
use manage::{Repository, RunMode, Storage};

const LOGS: &str = "log_file_directory: logs\nrejected_directory: rejected\n";

#[test]
fn todo_run_writes_the_reference_files() {
    let f = Fixture::new();
    f.fits("data/good1.fits", "M31");
    let good2 = f.fits("data/sub/good2.fits", "M33");
    f.fits("data/bad_meta.fits", "BAD");
    f.fits("data/flaky.fits.gz", "M51");
    f.fits("data/invalid_x.fits", "M1");
    std::fs::write(
        f.path("todo.txt"),
        format!(
            "data/good1.fits\n{}\n\ndata/bad_meta.fits\n  data/flaky.fits.gz\nmissing.fits\ndata/invalid_x.fits\n",
            good2.display()
        ),
    )
    .unwrap();
    let c = f.config(&format!(
        "task_types: [ingest]\nretry_failures: true\nretry_count: 1\nretry_decay: 0\n{LOGS}"
    ));
    let coll = TestCollection::new(1);
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.exit_code(), 1);

    let success: Vec<String> = f
        .lines("logs/success_log.txt")
        .iter()
        .map(|l| strip_time(l))
        .collect();
    let mut names: Vec<String> = success
        .iter()
        .map(|l| l.rsplit_once(' ').unwrap().0.to_string())
        .collect();
    names.sort();
    assert_eq!(names, vec!["good1 good1.fits", "good2 good2.fits"]);
    for l in &success {
        let secs = l.rsplit(' ').next().unwrap();
        assert!(
            secs.len() >= 4 && secs.as_bytes()[secs.len() - 3] == b'.',
            "{l}"
        );
    }
    let mut failures: Vec<String> = f
        .lines("logs/failure_log.txt")
        .iter()
        .map(|l| strip_time(l))
        .collect();
    failures.sort();
    assert_eq!(failures.len(), 4, "{failures:#?}");
    assert_eq!(
        failures[0],
        "bad_meta bad_meta.fits test-mapping visitor: Cannot build an observation: OBJECT is BAD in cadc:TEST/bad_meta.fits"
    );
    // one record per line: the message's line break is escaped
    assert_eq!(
        failures[1],
        "flaky flaky.fits.gz test-mapping visitor: Read timed out\\nwhile reading flaky.fits.gz"
    );
    assert_eq!(
        failures[2],
        "invalid_x invalid_x.fits Invalid name format: data/invalid_x.fits"
    );
    assert!(
        failures[3].starts_with("missing missing.fits cadc:TEST/missing.fits is neither a local file nor in local storage"),
        "{}",
        failures[3]
    );
    // known rejections are not retried; a timeout always is
    assert_eq!(
        f.lines("logs/retries.txt"),
        vec!["data/flaky.fits.gz", "missing.fits"]
    );
    let retry_ok: Vec<String> = f
        .lines("logs_0/success_log.txt")
        .iter()
        .map(|l| strip_time(l))
        .collect();
    assert_eq!(retry_ok.len(), 1);
    assert!(retry_ok[0].starts_with("flaky flaky.fits.gz "));
    assert_eq!(f.lines("logs_0/retries.txt"), vec!["missing.fits"]);
    assert_eq!(f.lines("logs_0/failure_log.txt").len(), 1);

    assert_eq!(
        stable_report(&f.read("logs/wd_report.txt")),
        "\n\n**************************************\nLocation: wd\nDate: <date>\nExecution Time: <t> s\nVersion: test2caom2/1.0\n    Number of Inputs: 6\n Number of Successes: 3\n  Number of Timeouts: 1\n   Number of Retries: 2\n    Number of Errors: 3\nNumber of Rejections: 2\n   Number of Skipped: 0\n**************************************\n"
    );
    assert!(f.read("logs/wd_report.txt").ends_with("*\n\n"));
    assert_eq!(
        f.read("rejected/rejected.yml"),
        "bad_data: []\nbad_metadata:\n- bad_meta\nfitsverify: []\ninvalid_file_name:\n- invalid_x\nis_valid_fails: []\nmissing_at_source: []\nmystery_value: []\nno_instrument: []\nno_preview: []\nold_version: []\nrejected: []\n"
    );
    let obs = f.observation(&c, "flaky").unwrap();
    let a = &obs.planes[0].artifacts[0];
    assert_eq!(a.uri.as_str(), "cadc:TEST/flaky.fits");
    assert_eq!(a.content_type.as_deref(), Some("application/fits"));
    assert!(a
        .content_checksum
        .as_ref()
        .unwrap()
        .as_str()
        .starts_with("md5:"));
    assert_eq!(
        obs.entity.meta_producer.as_ref().unwrap().as_str(),
        "test2caom2/1.0"
    );
    assert!(f.read("logs/journal.jsonl").ends_with("{\"k\":\"done\"}\n"));

    // A second run: logs rotate, the known-bad entry is skipped (and counted as skipped
    // and rejected), the others are redone.
    let r2 = f.run(&c, &coll, RunMode::Todo);
    let rotated = std::fs::read_dir(f.path("logs"))
        .unwrap()
        .filter(|e| {
            let n = e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            n.starts_with("success_log.") && n != "success_log.txt"
        })
        .count();
    assert_eq!(rotated, 1);
    assert_eq!(coll.mapping.visits("bad_meta.fits"), 1);
    assert_eq!(r2.summary.skipped, 1);
    assert_eq!(r2.summary.inputs, 6);
    assert_eq!(
        r2.summary.inputs,
        r2.summary.successes + r2.summary.errors + r2.summary.skipped
    );
}

#[test]
fn duplicate_todo_entries_are_both_processed() {
    let f = Fixture::new();
    f.fits("a.fits", "M31");
    std::fs::write(f.path("todo.txt"), "a.fits\na.fits\n").unwrap();
    let c = f.config(&format!("task_types: [ingest]\n{LOGS}"));
    let coll = TestCollection::new(0);
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.inputs, 2);
    assert_eq!(r.summary.successes, 2);
    assert_eq!(coll.mapping.visits("a.fits"), 2);
    assert_eq!(f.lines("logs/success_log.txt").len(), 2);
}

fn one_file(f: &Fixture) {
    f.fits("data/C1_SCI.fits", "M51");
}

fn local(tasks: &str) -> String {
    format!("task_types: [{tasks}]\nuse_local_files: true\ndata_sources: [data]\n{LOGS}")
}

#[test]
fn store_only_copies_the_file() {
    let f = Fixture::new();
    one_file(&f);
    let c = f.config(&local("store"));
    let r = f.run(&c, &TestCollection::new(0), RunMode::Todo);
    assert_eq!(r.summary.successes, 1);
    let stored = f
        .storage(&c)
        .info("cadc:TEST/C1_SCI.fits")
        .unwrap()
        .unwrap();
    let original = std::fs::read(f.path("data/C1_SCI.fits")).unwrap();
    assert_eq!(stored.size, Some(original.len() as u64));
    assert!(f.observation(&c, "C1_SCI").is_none());
    assert_eq!(
        std::fs::read(f.path("storage/cadc/TEST/C1_SCI.fits")).unwrap(),
        original
    );
}

#[test]
fn ingest_only_writes_the_record() {
    let f = Fixture::new();
    one_file(&f);
    let c = f.config(&local("ingest"));
    let coll = TestCollection::new(0);
    f.run(&c, &coll, RunMode::Todo);
    let obs = f.observation(&c, "C1_SCI").unwrap();
    assert_eq!(obs.planes[0].artifacts.len(), 1);
    assert_eq!(obs.target.as_ref().unwrap().name, "M51");
    assert!(!f.stored(&c, "cadc:TEST/C1_SCI.fits"));
    assert!(caom2::checksum::verify(&obs).mismatches.is_empty());
    assert_eq!(
        coll.preview
            .visits
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert!(!f.path("C1_SCI").exists(), "the workspace is removed");
}

#[test]
fn store_ingest_is_one_visit_without_data_visitors() {
    let f = Fixture::new();
    one_file(&f);
    let c = f.config(&local("store, ingest"));
    let coll = TestCollection::new(0);
    f.run(&c, &coll, RunMode::Todo);
    assert!(f.stored(&c, "cadc:TEST/C1_SCI.fits"));
    let obs = f.observation(&c, "C1_SCI").unwrap();
    assert_eq!(obs.planes[0].artifacts.len(), 1);
    assert_eq!(coll.mapping.visits("C1_SCI.fits"), 1);
    let stored = f
        .storage(&c)
        .info("cadc:TEST/C1_SCI.fits")
        .unwrap()
        .unwrap();
    assert_eq!(
        obs.planes[0].artifacts[0]
            .content_checksum
            .as_ref()
            .unwrap()
            .as_str(),
        format!("md5:{}", stored.md5.unwrap())
    );
}

#[test]
fn store_ingest_modify_adds_and_stores_the_preview() {
    let f = Fixture::new();
    one_file(&f);
    let c = f.config(&local("store, ingest, modify"));
    let coll = TestCollection::new(0);
    f.run(&c, &coll, RunMode::Todo);
    let obs = f.observation(&c, "C1_SCI").unwrap();
    let uris: Vec<&str> = obs.planes[0]
        .artifacts
        .iter()
        .map(|a| a.uri.as_str())
        .collect();
    assert_eq!(
        uris,
        vec!["cadc:TEST/C1_SCI.fits", "cadc:TEST/C1_SCI_prev.jpg"]
    );
    assert!(f.stored(&c, "cadc:TEST/C1_SCI_prev.jpg"));
}

#[test]
fn ingest_modify_then_modify_and_visit_on_existing_records() {
    let f = Fixture::new();
    one_file(&f);
    let coll = TestCollection::new(0);
    let c = f.config(&local("ingest, modify"));
    f.run(&c, &coll, RunMode::Todo);
    assert_eq!(
        f.observation(&c, "C1_SCI").unwrap().planes[0]
            .artifacts
            .len(),
        2
    );

    // modify alone on a record without a preview: LocalDataVisit
    let f2 = Fixture::new();
    one_file(&f2);
    let coll2 = TestCollection::new(0);
    let c2 = f2.config(&local("modify"));
    let r = f2.run(&c2, &coll2, RunMode::Todo);
    assert_eq!(r.summary.errors, 1, "no record to modify yet");
    assert!(f2
        .read("logs/failure_log.txt")
        .contains("no observation to modify"));
    let ci = f2.config(&local("ingest"));
    f2.run(&ci, &coll2, RunMode::Todo);
    let r = f2.run(&c2, &coll2, RunMode::Todo);
    assert_eq!(r.summary.successes, 1);
    assert_eq!(
        f2.observation(&c2, "C1_SCI").unwrap().planes[0]
            .artifacts
            .len(),
        2
    );

    // visit re-runs the meta visitors over the existing record
    let cv = f2.config(&local("visit"));
    let before = coll2.mapping.visits("C1_SCI.fits");
    f2.run(&cv, &coll2, RunMode::Todo);
    assert_eq!(coll2.mapping.visits("C1_SCI.fits"), before + 1);
    assert_eq!(
        f2.observation(&cv, "C1_SCI").unwrap().planes[0]
            .artifacts
            .len(),
        2
    );
}

#[test]
fn store_then_modify_runs_two_executors() {
    let f = Fixture::new();
    one_file(&f);
    let coll = TestCollection::new(0);
    f.run(&f.config(&local("ingest")), &coll, RunMode::Todo);
    let c = f.config(&local("store, modify"));
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.successes, 1, "{}", f.read("logs/failure_log.txt"));
    assert!(f.stored(&c, "cadc:TEST/C1_SCI.fits"));
    assert!(f.stored(&c, "cadc:TEST/C1_SCI_prev.jpg"));
    assert_eq!(
        f.observation(&c, "C1_SCI").unwrap().planes[0]
            .artifacts
            .len(),
        2
    );
}

#[test]
fn a_type_change_is_delete_then_create_when_the_collection_asks() {
    use execute::backend::ObservedRepository;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    for needs_delete in [false, true] {
        let f = Fixture::new();
        one_file(&f);
        let c = f.config(&local("ingest"));
        let mut coll = TestCollection::new(0);
        coll.needs_delete = needs_delete;
        f.run(&c, &coll, RunMode::Todo);
        assert!(!f.observation(&c, "C1_SCI").unwrap().is_derived());
        coll.mapping.derive.store(true, Ordering::SeqCst);
        let m = Arc::new(manage::Metrics::new());
        let repo = ObservedRepository {
            inner: f.repository(&c),
            metrics: m.clone(),
        };
        let store = f.storage(&c);
        let p = execute::Pipeline {
            config: &c,
            collection: &coll,
            repository: &repo,
            storage: &store,
            logger: manage::Logger::silent(),
            metrics: None,
            sync: manage::fsutil::Sync::Cached,
        };
        p.run(&execute::RunOptions {
            mode: RunMode::Todo,
            todo: None,
            progress_bar: false,
        })
        .unwrap();
        assert!(f.observation(&c, "C1_SCI").unwrap().is_derived());
        let files = m.render("1");
        let caom2 = &files.iter().find(|(n, _)| n == "1.caom2.yml").unwrap().1;
        assert_eq!(caom2.contains("delete:"), needs_delete, "{caom2}");
        assert_eq!(caom2.contains("update:"), !needs_delete, "{caom2}");
    }
}

#[test]
fn remote_entries_come_from_storage() {
    let f = Fixture::new();
    one_file(&f);
    // store first, then remove the local copy: ingest and modify must use storage
    f.run(
        &f.config(&local("store")),
        &TestCollection::new(0),
        RunMode::Todo,
    );
    std::fs::remove_file(f.path("data/C1_SCI.fits")).unwrap();
    std::fs::write(f.path("todo.txt"), "cadc:TEST/C1_SCI.fits\n").unwrap();
    let coll = TestCollection::new(0);
    let c = f.config(&format!("task_types: [ingest]\n{LOGS}"));
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.successes, 1, "{}", f.read("logs/failure_log.txt"));
    let c = f.config(&format!("task_types: [modify]\n{LOGS}"));
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.successes, 1, "{}", f.read("logs/failure_log.txt"));
    let obs = f.observation(&c, "C1_SCI").unwrap();
    assert_eq!(obs.planes[0].artifacts.len(), 2);
    assert!(!f.path("C1_SCI").exists(), "the staged copy is removed");
}

#[test]
fn scrape_writes_xml_offline() {
    let f = Fixture::new();
    one_file(&f);
    let coll = TestCollection::new(0);
    let c = f.config(&local("scrape"));
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.successes, 1);
    let xml = std::fs::read(f.path("C1_SCI/C1_SCI.xml")).unwrap();
    let obs = caom2::xml::read(&xml).unwrap();
    assert_eq!(obs.planes[0].artifacts.len(), 1);
    assert!(f.observation(&c, "C1_SCI").is_none());
    assert!(!f.path("storage").exists());

    // scrape + modify: one offline visit with data visitors, nothing stored
    let c = f.config(&(local("scrape, modify") + "log_to_file: true\n"));
    f.run(&c, &coll, RunMode::Todo);
    let obs = caom2::xml::read(&std::fs::read(f.path("logs/C1_SCI.xml")).unwrap()).unwrap();
    assert_eq!(obs.planes[0].artifacts.len(), 2);
    assert!(!f.path("storage").exists());
    assert!(f.path("C1_SCI/C1_SCI_prev.jpg").is_file());
    let log = f.read("logs/C1_SCI.log");
    assert!(
        log.lines()
            .any(|l| l.contains(":INFO:execute.entry") && l.contains("wrote")),
        "{log}"
    );
}

#[test]
fn compressed_files_are_stored_decompressed() {
    let f = Fixture::new();
    f.fits("data/z.fits.gz", "M1");
    let c = f.config(
        "task_types: [store, ingest]\nuse_local_files: true\ndata_sources: [data]\ndata_source_extensions: ['.fits.gz']\n",
    );
    f.run(&c, &TestCollection::new(0), RunMode::Todo);
    let plain = execute::synth::fits_file(&execute::synth::omm_image(
        "data/z.fits.gz".len() as u32,
        "M1",
        10.0,
        20.0,
        "H",
    ));
    assert_eq!(
        std::fs::read(f.path("storage/cadc/TEST/z.fits")).unwrap(),
        plain
    );
    let obs = f.observation(&c, "z").unwrap();
    assert_eq!(
        obs.planes[0].artifacts[0].content_length,
        Some(plain.len() as i64)
    );
}

#[test]
fn header_dumps_are_mapped_without_content_information() {
    let f = Fixture::new();
    f.dump("data/d1.fits.header", "NGC 1");
    let c = f.config(
        "task_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\ndata_source_extensions: ['.header']\n",
    );
    f.run(&c, &TestCollection::new(0), RunMode::Todo);
    let obs = f.observation(&c, "d1").unwrap();
    let a = &obs.planes[0].artifacts[0];
    assert_eq!(a.uri.as_str(), "cadc:TEST/d1.fits");
    assert_eq!(a.content_length, None);
    assert_eq!(obs.target.as_ref().unwrap().name, "NGC 1");
}

#[test]
fn local_directories_recurse_and_filter_in_order() {
    let f = Fixture::new();
    f.dump("data/b.fits.header", "B");
    f.dump("data/a.fits.header", "A");
    f.dump("data/sub/c.fits.header", "C");
    f.dump("data/skip.txt", "X");
    f.dump("more/d.fits.header", "D");
    let c = f.config(
        "task_types: [ingest]\nuse_local_files: true\ndata_sources: [more, data]\ndata_source_extensions: ['.fits.header']\nrecurse_data_sources: true\nlog_file_directory: logs\n",
    );
    let r = f.run(&c, &TestCollection::new(0), RunMode::Todo);
    assert_eq!(r.summary.inputs, 4);
    let ids = f.repository(&c).list("TEST").unwrap();
    assert_eq!(ids, vec!["a", "b", "c", "d"]);
    let order: Vec<String> = f
        .lines("logs/success_log.txt")
        .iter()
        .map(|l| strip_time(l).split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(order, vec!["d", "a", "b", "c"]);
}

#[test]
fn parallel_entries_of_one_observation_never_lose_updates() {
    let f = Fixture::new();
    for o in 0..12 {
        for p in 0..4 {
            f.dump(&format!("data/o{o}_p{p}.fits.header"), &format!("O{o}"));
        }
    }
    let c = f.config(
        "task_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\ndata_source_extensions: ['.header']\nparallel_count: 4\n",
    );
    let mut coll = TestCollection::new(0);
    coll.group_by_prefix = true;
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.successes, 48);
    for o in 0..12 {
        let obs = f.observation(&c, &format!("o{o}")).unwrap();
        let mut planes: Vec<&str> = obs.planes.iter().map(|p| p.product_id.as_str()).collect();
        planes.sort();
        assert_eq!(
            planes,
            vec![
                format!("o{o}_p0"),
                format!("o{o}_p1"),
                format!("o{o}_p2"),
                format!("o{o}_p3")
            ]
        );
    }
}

#[test]
fn unchanged_files_are_skipped_and_sources_moved() {
    let f = Fixture::new();
    f.fits("data/s1.fits", "M1");
    f.fits("data/s2.fits", "BAD");
    let cfg = "task_types: [store, ingest]\nuse_local_files: true\ndata_sources: [data]\n\
               cleanup_files_when_storing: true\ncleanup_success_destination: done\n\
               cleanup_failure_destination: failed\nstore_modified_files_only: true\nlog_file_directory: logs\n";
    let c = f.config(cfg);
    let r = f.run(&c, &TestCollection::new(0), RunMode::Todo);
    assert_eq!((r.summary.successes, r.summary.errors), (1, 1));
    assert!(f.path("done/s1.fits").is_file());
    assert!(f.path("failed/s2.fits").is_file());
    assert!(!f.path("data/s1.fits").exists() && !f.path("data/s2.fits").exists());
    // the same file again: unchanged, skipped, written to the success log, moved
    std::fs::copy(f.path("done/s1.fits"), f.path("data/s1.fits")).unwrap();
    let coll = TestCollection::new(0);
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(
        (r.summary.inputs, r.summary.skipped, r.summary.successes),
        (1, 1, 0)
    );
    assert_eq!(r.exit_code(), 0);
    assert_eq!(coll.mapping.visits("s1.fits"), 0);
    assert_eq!(f.lines("logs/success_log.txt").len(), 1);
    assert!(!f.path("data/s1.fits").exists());
}

#[test]
fn per_entry_logs_and_records_with_log_to_file() {
    let f = Fixture::new();
    one_file(&f);
    let c = f.config(&(local("ingest") + "log_to_file: true\nlogging_level: INFO\n"));
    f.run(&c, &TestCollection::new(0), RunMode::Todo);
    let xml = std::fs::read(f.path("logs/C1_SCI.xml")).unwrap();
    assert_eq!(caom2::xml::read(&xml).unwrap().observation_id, "C1_SCI");
    let log = f.read("logs/C1_SCI.log");
    // %(asctime)s:%(levelname)s:%(name)-12s:%(lineno)d:%(message)s
    let first = log.lines().next().unwrap();
    assert_eq!(&first[4..5], "-");
    assert_eq!(&first[19..20], ",");
    assert!(first[23..].starts_with(":INFO:execute.entry:"), "{first}");
}

#[test]
fn todo_option_reruns_a_retries_file() {
    let f = Fixture::new();
    f.fits("data/flaky1.fits", "M1");
    f.fits("data/ok.fits", "M2");
    let c = f.config(&local("ingest"));
    let coll = TestCollection::new(1);
    let r = f.run(&c, &coll, RunMode::Todo);
    assert_eq!(r.summary.errors, 1);
    let retries = f.path("logs/retries.txt");
    assert_eq!(f.lines("logs/retries.txt").len(), 1);
    std::fs::copy(&retries, f.path("again.txt")).unwrap();
    let r = f
        .try_run(&c, &coll, RunMode::Todo, Some(&f.path("again.txt")))
        .unwrap();
    assert_eq!((r.summary.inputs, r.summary.successes), (1, 1));
}

#[test]
fn metrics_are_written_per_list() {
    use execute::backend::{ObservedRepository, ObservedStorage};
    use std::sync::Arc;
    let f = Fixture::new();
    one_file(&f);
    f.fits("data/C2_SCI.fits", "BAD");
    let c = f.config(
        &(local("store, ingest") + "observe_execution: true\nobservable_directory: metrics\n"),
    );
    let m = Arc::new(manage::Metrics::new());
    let repo = ObservedRepository {
        inner: f.repository(&c),
        metrics: m.clone(),
    };
    let store = ObservedStorage {
        inner: f.storage(&c),
        metrics: m.clone(),
    };
    let coll = TestCollection::new(0);
    let p = execute::Pipeline {
        config: &c,
        collection: &coll,
        repository: &repo,
        storage: &store,
        logger: manage::Logger::silent(),
        metrics: Some(m),
        sync: manage::fsutil::Sync::Cached,
    };
    p.run(&execute::RunOptions {
        mode: RunMode::Todo,
        todo: None,
        progress_bar: false,
    })
    .unwrap();
    let mut names: Vec<String> = std::fs::read_dir(f.path("metrics"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let kinds: Vec<&str> = names
        .iter()
        .map(|n| n.rsplit_once('.').unwrap().0.rsplit('.').next().unwrap())
        .collect();
    assert_eq!(kinds, vec!["caom2", "fail", "si"], "{names:?}");
    let si = std::fs::read_to_string(
        f.path("metrics")
            .join(names.iter().find(|n| n.ends_with(".si.yml")).unwrap()),
    )
    .unwrap();
    assert!(si.starts_with("put:\n  C1_SCI.fits:\n  - "), "{si}");
    let caom2 = std::fs::read_to_string(
        f.path("metrics")
            .join(names.iter().find(|n| n.ends_with(".caom2.yml")).unwrap()),
    )
    .unwrap();
    assert!(caom2.contains("create:\n  C1_SCI:\n"), "{caom2}");
    assert!(caom2.contains("read:\n"), "{caom2}");
}

#[test]
fn a_run_resumes_from_its_journal_without_repeating_entries() {
    let f = Fixture::new();
    for i in 0..10 {
        f.dump(&format!("data/e{i}.fits.header"), &format!("E{i}"));
    }
    let c = f.config(
        "task_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\ndata_source_extensions: ['.header']\nlog_file_directory: logs\n",
    );
    let coll = TestCollection::new(0);
    f.run(&c, &coll, RunMode::Todo);
    let complete = f.lines("logs/success_log.txt");
    // Simulate a kill after the 4th entry: the journal keeps its first 4 entry records,
    // the success log already had a 5th line, and a torn journal line was left.
    let journal = f.read("logs/journal.jsonl");
    let kept: Vec<&str> = journal.lines().take(5).collect();
    std::fs::write(
        f.path("logs/journal.jsonl"),
        format!("{}\n{{\"k\":\"entry\",\"round\":0,\"ke", kept.join("\n")),
    )
    .unwrap();
    std::fs::write(
        f.path("logs/success_log.txt"),
        complete[..5].join("\n") + "\n",
    )
    .unwrap();
    std::fs::write(f.path("logs/wd_report.txt"), "").unwrap();
    let coll2 = TestCollection::new(0);
    let r = f.run(&c, &coll2, RunMode::Todo);
    assert!(r.resumed);
    assert_eq!(r.summary.inputs, 10);
    assert_eq!(r.summary.successes, 10);
    // the 4 journaled entries were not repeated, the other 6 were done once
    let visited: usize = (0..10)
        .map(|i| coll2.mapping.visits(&format!("e{i}.fits.header")))
        .sum();
    assert_eq!(visited, 6);
    let lines = f.lines("logs/success_log.txt");
    assert_eq!(lines.len(), 10);
    let mut ids: Vec<String> = lines
        .iter()
        .map(|l| strip_time(l).split(' ').next().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    // the resumed run did not rotate the logs
    assert!(std::fs::read_dir(f.path("logs")).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("success_log.1")));
    assert!(f
        .read("logs/wd_report.txt")
        .contains("Number of Successes: 10"));
}

#[test]
fn one_run_per_log_directory_at_a_time() {
    let f = Fixture::new();
    one_file(&f);
    let c = f.config(&local("ingest"));
    std::fs::create_dir_all(f.path("logs")).unwrap();
    let held = std::fs::File::create(f.path("logs/journal.lock")).unwrap();
    held.lock().unwrap();
    let e = f
        .try_run(&c, &TestCollection::new(0), RunMode::Todo, None)
        .unwrap_err();
    assert!(
        e.to_string().contains("another caom2pipe run is using"),
        "{e}"
    );
    drop(held);
    assert_eq!(
        f.run(&c, &TestCollection::new(0), RunMode::Todo)
            .summary
            .successes,
        1
    );
}

mod incremental {
    use super::*;

    /// 2024-03-23 10:00:00 US/Eastern (EDT, UTC-4) as epoch seconds.
    const T0: i64 = 1_711_202_400;

    fn setup(f: &Fixture, bad_c: bool) -> manage::Config {
        f.dump("data/a.fits.header", "A");
        f.dump("data/b.fits.header", "B");
        f.dump("data/c.fits.header", if bad_c { "BAD" } else { "C" });
        f.dump("data/late.fits.header", "L");
        f.dump("data/old.fits.header", "O");
        f.set_mtime("data/a.fits.header", T0 + 60);
        f.set_mtime("data/b.fits.header", T0 + 400);
        f.set_mtime("data/c.fits.header", T0 + 1300);
        f.set_mtime("data/late.fits.header", T0 + 1600);
        f.set_mtime("data/old.fits.header", T0 - 10);
        std::fs::write(
            f.path("state.yml"),
            "bookmarks:\n  test_timestamp:\n    last_record: 2024-03-23 10:00:00\n    end_timestamp: 2024-03-23 10:25:00\n",
        )
        .unwrap();
        f.config(
            "task_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\ndata_source_extensions: ['.header']\n\
             state_file_name: state.yml\ninterval: 10\ntime_zone: US/Eastern\nlog_file_directory: logs\n",
        )
    }

    #[test]
    fn time_boxes_bookmarks_and_progress() {
        let f = Fixture::new();
        let c = setup(&f, false);
        let r = f.run(&c, &TestCollection::new(0), RunMode::Incremental);
        assert_eq!(r.summary.inputs, 3);
        assert_eq!(r.summary.successes, 3);
        assert_eq!(f.repository(&c).list("TEST").unwrap(), vec!["a", "b", "c"]);
        let progress: Vec<String> = f
            .lines("logs/progress.txt")
            .iter()
            .map(|l| strip_time(l))
            .collect();
        assert_eq!(
            progress,
            vec![
                "current:: 2024-03-23 10:06:40 2 since:: 2024-03-23 10:00:00:: 0",
                "current:: 2024-03-23 10:20:00 0 since:: 2024-03-23 10:10:00:: 2",
                "current:: 2024-03-23 10:21:40 1 since:: 2024-03-23 10:20:00:: 2",
            ]
        );
        assert_eq!(
            f.read("state.yml"),
            "bookmarks:\n  test_timestamp:\n    end_timestamp: 2024-03-23 10:25:00\n    last_record: 2024-03-23 10:25:00\n"
        );
        // nothing new: a second run with the bookmark at the end does no work
        let r = f.run(&c, &TestCollection::new(0), RunMode::Incremental);
        assert_eq!(r.summary.inputs, 0);
    }

    #[test]
    fn time_boxes_follow_the_reference_boundaries() {
        // caom2pipe's test_time_box: start 2019-07-23 09:51, interval 700 minutes, end
        // 2019-07-24 09:20 gives boxes starting 09:51, 21:31, 09:11 (+1 day).
        let f = Fixture::new();
        std::fs::create_dir_all(f.path("data")).unwrap();
        std::fs::write(
            f.path("state.yml"),
            "bookmarks:\n  test_timestamp:\n    last_record: 2019-07-23 09:51:00\n    end_timestamp: 2019-07-24 09:20:00\n",
        )
        .unwrap();
        let c = f.config(
            "task_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\nstate_file_name: state.yml\n\
             interval: 700\nlog_file_directory: logs\n",
        );
        let r = f.run(&c, &TestCollection::new(0), RunMode::Incremental);
        assert_eq!(r.summary.inputs, 0);
        let progress: Vec<String> = f
            .lines("logs/progress.txt")
            .iter()
            .map(|l| strip_time(l))
            .collect();
        assert_eq!(
            progress,
            vec![
                "current:: 2019-07-23 21:31:00 0 since:: 2019-07-23 09:51:00:: 0",
                "current:: 2019-07-24 09:11:00 0 since:: 2019-07-23 21:31:00:: 0",
                "current:: 2019-07-24 09:20:00 0 since:: 2019-07-24 09:11:00:: 0",
            ]
        );
    }

    #[test]
    fn the_bookmark_never_passes_an_unresolved_failure() {
        let f = Fixture::new();
        let c = setup(&f, true);
        let r = f.run(&c, &TestCollection::new(0), RunMode::Incremental);
        assert_eq!((r.summary.successes, r.summary.errors), (2, 1));
        assert_eq!(r.exit_code(), 1);
        let progress: Vec<String> = f
            .lines("logs/progress.txt")
            .iter()
            .map(|l| strip_time(l))
            .collect();
        assert_eq!(
            progress[2],
            "current:: 2024-03-23 10:21:39.999999 1 since:: 2024-03-23 10:20:00:: 2"
        );
        assert!(f
            .read("state.yml")
            .contains("last_record: 2024-03-23 10:21:39.999999\n"));
    }

    #[test]
    fn without_an_end_the_harvest_runs_to_now() {
        let f = Fixture::new();
        let c = setup(&f, false);
        std::fs::write(
            f.path("state.yml"),
            "bookmarks:\n  test_timestamp:\n    last_record: 2024-03-23T14:00:00Z\n",
        )
        .unwrap();
        let c2 = f.config(
            "task_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\ndata_source_extensions: ['.header']\n\
             state_file_name: state.yml\ninterval: 100000\nlog_file_directory: logs\n",
        );
        let _ = c;
        let r = f.run(&c2, &TestCollection::new(0), RunMode::Incremental);
        assert_eq!(r.summary.successes, 4, "a, b, c and late; not old");
        let state = f.read("state.yml");
        assert!(!state.contains("2024-03-23"), "{state}");
    }
}
