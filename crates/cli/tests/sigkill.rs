//! A real `caom2pipe run` killed with SIGKILL at random moments, many times, then run to the
//! end: no entry may be lost, no finished entry repeated, and the logs, report, journal,
//! state, repository and storage must be what one uninterrupted run produces.
//!
//! Kill points are random (the seed is printed; set `SIGKILL_SEED` to replay one): a quarter
//! of the kills come after a random delay of up to 30 ms (start-up, journal, log rebuilding,
//! listing, report), the others once a random number of further entries has finished, the
//! number chosen so the work lasts for all 40 kills. Kill points are chosen by progress, not
//! by clock, so the tests do not depend on the machine's speed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const KILLS: usize = 40;

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed | 1;
    move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn seed() -> u64 {
    let s = std::env::var("SIGKILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    println!("SIGKILL_SEED={s}");
    s
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// `<date> <time> <obs_id> <file_name> ...` → `<file_name>`.
fn file_field(line: &str) -> String {
    line.split(' ').nth(3).unwrap_or("").to_string()
}

fn omm_blueprint(dir: &Path) -> PathBuf {
    let src =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo/blueprints/omm.yml");
    let dst = dir.join("omm.yml");
    std::fs::copy(src, &dst).unwrap();
    dst
}

/// Starts `caom2pipe run` again and again, killing it at random points, until `KILLS` kills
/// hit a running process or a run finishes. Returns (kills, kills after some entries).
fn kill_loop(config: &Path, extra: &[&str], journal: &Path, total: usize) -> (usize, usize) {
    let bin = env!("CARGO_BIN_EXE_caom2pipe");
    let mut next = rng(seed());
    let entries = || {
        std::fs::read_to_string(journal)
            .unwrap_or_default()
            .matches("\"k\":\"entry\"")
            .count()
    };
    let (mut kills, mut attempts, mut mid_work) = (0usize, 0usize, 0usize);
    while kills < KILLS && attempts < 10 * KILLS {
        attempts += 1;
        if finished(journal) {
            break;
        }
        let start = entries();
        let mut child = Command::new(bin)
            .args(["run", "--config"])
            .arg(config)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let remaining = total.saturating_sub(start);
        if remaining == 0 || next().is_multiple_of(4) {
            // Early: while starting, reading the journal, rebuilding logs, listing, or
            // writing the report.
            std::thread::sleep(Duration::from_millis(next() % 30));
        } else {
            // Inside the work: after a random number of entries, spread so that the work
            // lasts for all the kills.
            let left = KILLS - kills;
            let k = 1 + next() as usize % (remaining / left).max(1);
            while entries() < start + k && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(500));
            }
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
            if entries() > start {
                mid_work += 1;
            }
        }
        child.wait().unwrap();
    }
    println!(
        "{kills} kills in {attempts} attempts, {mid_work} of them after entries had finished; {} of {total} entry records",
        entries()
    );
    assert!(kills >= 30, "only {kills} kills hit a running process");
    assert!(mid_work >= 20, "only {mid_work} kills came after some work");
    (kills, mid_work)
}

fn finished(journal: &Path) -> bool {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .ends_with("{\"k\":\"done\"}\n")
}

/// Runs to the end unless a run between kills got there; returns stdout.
fn finish(config: &Path, extra: &[&str], journal: &Path, code: i32) {
    if finished(journal) {
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_caom2pipe"))
        .args(["run", "--config"])
        .arg(config)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stdout}\n{stderr}");
    assert!(stdout.contains("(resumed)"), "{stdout}");
}

/// Entry records per (round, key); none may appear twice.
fn journal_entries(journal: &Path) -> HashMap<(u64, String), usize> {
    let mut seen: HashMap<(u64, String), usize> = HashMap::new();
    for l in lines(journal) {
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        if v["k"] == "entry" {
            let key = (
                v["round"].as_u64().unwrap(),
                v["key"].as_str().unwrap().to_string(),
            );
            *seen.entry(key).or_default() += 1;
        }
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "repeated entries: {repeated:?}");
    seen
}

fn report_count(report: &str, label: &str) -> Option<u64> {
    manage::report::read_report_counts(report)
        .into_iter()
        .find(|(l, _)| l == label)
        .map(|(_, n)| n)
}

#[test]
fn todo_run_with_store_ingest_and_retries_survives_sigkill() {
    const GOOD: usize = 400;
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("wd");
    let data = wd.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let blueprint = omm_blueprint(&wd);
    let mut todo = String::new();
    let mut expected_good = HashSet::new();
    for i in 0..GOOD {
        let name = format!("f{i:05}.fits");
        std::fs::write(data.join(&name), execute::synth::tiny_fits(i)).unwrap();
        todo.push_str(&format!("data/{name}\n"));
        expected_good.insert(name);
        // Failures that are retried: header dumps cannot be stored, unknown files cannot
        // be found.
        if i % 25 == 7 {
            let dump = format!("d{i:05}.fits.header");
            let (_, text) = execute::synth::bench_header(i);
            std::fs::write(data.join(&dump), text).unwrap();
            todo.push_str(&format!("data/{dump}\n"));
        }
        if i % 25 == 17 {
            todo.push_str(&format!("missing{i:05}.fits\n"));
        }
    }
    let bad = GOOD / 25 * 2;
    std::fs::write(wd.join("todo.txt"), &todo).unwrap();
    let config = wd.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "collection: KILLTEST\ntask_types: [store, ingest]\nblueprint: {}\nlog_file_directory: logs\n\
             rejected_directory: rejected\nlogging_level: WARNING\nparallel_count: 2\n\
             retry_failures: true\nretry_count: 2\nretry_decay: 0\n",
            blueprint.display()
        ),
    )
    .unwrap();
    let journal = wd.join("logs/journal.jsonl");
    kill_loop(&config, &[], &journal, GOOD + 3 * bad);
    finish(&config, &[], &journal, 1);

    // The journal: exactly one record per entry and round.
    let seen = journal_entries(&journal);
    let round0 = seen.keys().filter(|(r, _)| *r == 0).count();
    assert_eq!(
        round0,
        GOOD + bad,
        "every entry finished once in the main pass"
    );
    assert_eq!(
        seen.len(),
        GOOD + 3 * bad,
        "the failures were retried twice"
    );

    // The logs: every good entry once, every failure once per round.
    let logs = wd.join("logs");
    let success = lines(&logs.join("success_log.txt"));
    let names: Vec<String> = success.iter().map(|l| file_field(l)).collect();
    let unique: HashSet<String> = names.iter().cloned().collect();
    assert_eq!(names.len(), GOOD, "one success line per entry");
    assert_eq!(unique, expected_good);
    assert_eq!(lines(&logs.join("failure_log.txt")).len(), bad);
    assert_eq!(lines(&logs.join("retries.txt")).len(), bad);
    for n in 0..2 {
        let d = wd.join(format!("logs_{n}"));
        assert_eq!(lines(&d.join("failure_log.txt")).len(), bad, "round {n}");
        assert_eq!(lines(&d.join("retries.txt")).len(), bad, "round {n}");
        assert!(lines(&d.join("success_log.txt")).is_empty());
    }
    let report = std::fs::read_to_string(logs.join("wd_report.txt")).unwrap();
    assert_eq!(
        report_count(&report, "Number of Inputs"),
        Some((GOOD + bad) as u64),
        "{report}"
    );
    assert_eq!(
        report_count(&report, "Number of Successes"),
        Some(GOOD as u64),
        "{report}"
    );
    assert_eq!(
        report_count(&report, "Number of Errors"),
        Some(bad as u64),
        "{report}"
    );
    assert_eq!(
        report_count(&report, "Number of Retries"),
        Some((2 * bad) as u64),
        "{report}"
    );

    // The store and the repository: every good file byte for byte, every record valid and
    // describing the stored file.
    for i in 0..GOOD {
        let stored = wd.join(format!("storage/cadc/KILLTEST/f{i:05}.fits"));
        let bytes = std::fs::read(&stored).unwrap();
        assert_eq!(bytes, execute::synth::tiny_fits(i), "{}", stored.display());
        let record = wd.join(format!("repository/KILLTEST/f{i:05}.xml"));
        let obs = caom2::xml::read(&std::fs::read(&record).unwrap()).unwrap();
        assert!(caom2::checksum::verify(&obs).mismatches.is_empty());
        assert!(caom2::validate::validate(&obs).is_empty());
        let a = &obs.planes[0].artifacts[0];
        assert_eq!(a.content_length, Some(bytes.len() as i64));
    }
    let records = std::fs::read_dir(wd.join("repository/KILLTEST"))
        .unwrap()
        .count();
    assert_eq!(
        records, GOOD,
        "no record for a failed entry, no stray files"
    );
}

#[test]
fn incremental_run_survives_sigkill() {
    const FILES: usize = 360;
    // 2024-03-23 10:00:00 UTC, and one file every 10 s: 60 one-minute boxes.
    const T0: u64 = 1_711_188_000;
    let mut tmp = tempfile::tempdir().unwrap();
    if std::env::var_os("SIGKILL_KEEP").is_some() {
        println!("keeping {}", tmp.path().display());
        tmp.disable_cleanup(true);
    }
    let wd = tmp.path().join("wd");
    let data = wd.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let blueprint = omm_blueprint(&wd);
    let mut bad_times = Vec::new();
    for i in 0..FILES {
        let (name, bytes) = if i % 90 == 45 {
            // not a FITS file: a known rejection (bad_data), never retried
            (format!("x{i:05}.fits"), b"not a FITS file\n".to_vec())
        } else {
            (format!("f{i:05}.fits"), execute::synth::tiny_fits(i))
        };
        let p = data.join(&name);
        std::fs::write(&p, bytes).unwrap();
        let t = T0 + 10 * (i as u64 + 1);
        if name.starts_with('x') {
            bad_times.push(t);
        }
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + Duration::from_secs(t))
            .unwrap();
    }
    std::fs::write(
        wd.join("state.yml"),
        "bookmarks:\n  killtest_timestamp:\n    last_record: 2024-03-23 10:00:00\n    end_timestamp: 2024-03-23 11:00:00\n",
    )
    .unwrap();
    let config = wd.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "collection: KILLTEST\ntask_types: [ingest]\nuse_local_files: true\ndata_sources: [data]\n\
             blueprint: {}\nstate_file_name: state.yml\ninterval: 1\nlog_file_directory: logs\n\
             rejected_directory: rejected\nlogging_level: WARNING\nparallel_count: 2\n",
            blueprint.display()
        ),
    )
    .unwrap();
    let journal = wd.join("logs/journal.jsonl");
    kill_loop(&config, &["--incremental"], &journal, FILES);
    finish(&config, &["--incremental"], &journal, 1);

    let seen = journal_entries(&journal);
    assert_eq!(seen.len(), FILES, "every file finished exactly once");
    let logs = wd.join("logs");
    let bad = bad_times.len();
    assert_eq!(lines(&logs.join("success_log.txt")).len(), FILES - bad);
    assert_eq!(lines(&logs.join("failure_log.txt")).len(), bad);
    // one progress line per one-minute box, none twice
    let progress = lines(&logs.join("progress.txt"));
    let since: Vec<String> = progress
        .iter()
        .map(|l| l.split(" since:: ").nth(1).unwrap_or("").to_string())
        .collect();
    let unique: HashSet<&String> = since.iter().collect();
    assert_eq!(
        progress.len(),
        60,
        "{progress:#?}\n{}",
        std::fs::read_to_string(&journal)
            .unwrap()
            .lines()
            .filter(|l| l.contains("window"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(unique.len(), 60);
    // the bookmark stops just before the first rejected file
    let first_bad = bad_times[0] - T0; // seconds after 10:00:00
    let expected = format!(
        "last_record: 2024-03-23 10:{:02}:{:02}.999999",
        (first_bad - 1) / 60,
        (first_bad - 1) % 60
    );
    let state = std::fs::read_to_string(wd.join("state.yml")).unwrap();
    assert!(state.contains(&expected), "{expected}\n{state}");
    let records = std::fs::read_dir(wd.join("repository/KILLTEST"))
        .unwrap()
        .count();
    assert_eq!(records, FILES - bad);
}
