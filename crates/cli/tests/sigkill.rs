//! A real `caom2pipe run` killed with SIGKILL at random moments, many times, then run to the
//! end: no entry may be lost, no finished entry repeated, and the logs, report, journal and
//! storage must be what one uninterrupted run produces.
//!
//! Kill points are random (the seed is printed; set `SIGKILL_SEED` to replay one): a quarter
//! of the kills come after a random delay of up to 30 ms (start-up, journal, log rebuilding,
//! listing, report), the others once a random number of further entries has finished, the
//! number chosen so the work lasts for all 40 kills. Kill points are chosen by progress, not
//! by clock, so the test does not depend on the machine's speed.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const GOOD: usize = 400;

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed | 1;
    move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
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

#[test]
fn sigkill_at_random_points_loses_nothing_and_repeats_nothing() {
    let bin = env!("CARGO_BIN_EXE_caom2pipe");
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("wd");
    let data = wd.join("data");
    std::fs::create_dir_all(&data).unwrap();
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
    std::fs::write(
        wd.join("config.yml"),
        "collection: KILLTEST\ntask_types: [store]\nlog_file_directory: logs\nrejected_directory: rejected\n\
         logging_level: WARNING\nparallel_count: 2\nretry_failures: true\nretry_count: 2\nretry_decay: 0\n",
    )
    .unwrap();
    let config = wd.join("config.yml");

    let seed = std::env::var("SIGKILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    println!("SIGKILL_SEED={seed}");
    let mut next = rng(seed);
    let journal = wd.join("logs/journal.jsonl");
    let entries = || {
        std::fs::read_to_string(&journal)
            .unwrap_or_default()
            .matches("\"k\":\"entry\"")
            .count()
    };
    let total = GOOD + 3 * bad;
    let (mut kills, mut attempts, mut mid_work) = (0usize, 0usize, 0usize);
    while kills < 40 && attempts < 400 {
        attempts += 1;
        if std::fs::read_to_string(&journal)
            .unwrap_or_default()
            .ends_with("{\"k\":\"done\"}\n")
        {
            break;
        }
        let start = entries();
        let mut child = Command::new(bin)
            .args(["run", "--config"])
            .arg(&config)
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
            let left = 40 - kills;
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

    // Run to the end (unless a run between kills got there): some entries fail, so the exit
    // status is 1.
    let finished = std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .ends_with("{\"k\":\"done\"}\n");
    if !finished {
        let out = Command::new(bin)
            .args(["run", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
        assert!(stdout.contains("(resumed)"), "{stdout}");
    }

    // The journal: exactly one record per entry and round.
    let mut seen: HashMap<(u64, String), usize> = HashMap::new();
    for l in lines(&journal) {
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
    let counts = manage::report::read_report_counts(&report);
    let get = |k: &str| counts.iter().find(|(l, _)| l == k).map(|(_, n)| *n);
    assert_eq!(
        get("Number of Inputs"),
        Some((GOOD + bad) as u64),
        "{report}"
    );
    assert_eq!(get("Number of Successes"), Some(GOOD as u64), "{report}");
    assert_eq!(get("Number of Errors"), Some(bad as u64), "{report}");
    assert_eq!(get("Number of Retries"), Some((2 * bad) as u64), "{report}");

    // The store: every good file, byte for byte.
    for i in 0..GOOD {
        let stored = wd.join(format!("storage/cadc/KILLTEST/f{i:05}.fits"));
        assert_eq!(
            std::fs::read(&stored).unwrap(),
            execute::synth::tiny_fits(i),
            "{}",
            stored.display()
        );
    }
}
