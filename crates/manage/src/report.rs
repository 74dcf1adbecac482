//! Run reporting in the reference's formats (caom2pipe.md §8.4, §8.5, §8.6): the success,
//! failure and retries log lines, `progress.txt` lines and the `<wd>_report.txt` summary.
//!
//! The counters are [`Summary`]; their meaning fixes the reference's known bugs on purpose:
//! every counter counts **entries once**, not attempts, so
//! `Inputs = Successes + Errors + Skipped` holds at the end of a run:
//!
//! * **Inputs**: entries listed by the main pass (retry listings are not inputs);
//! * **Successes**: entries whose last attempt succeeded;
//! * **Errors**: entries whose last attempt failed (however many attempts they had; the
//!   reference counts every failed attempt, so a failure fixed by a retry still counted);
//! * **Timeouts**: entries that had at least one timeout;
//! * **Retries**: entries re-queued, summed over rounds (as in the reference);
//! * **Rejections**: entries that ended as a known rejection, plus entries skipped because
//!   `rejected.yml` already lists them as bad metadata;
//! * **Skipped**: entries not processed: unchanged files (md5 already stored) and the
//!   known-bad entries above (the reference counted those as neither success nor failure).
//! * **Warnings** (ours): successful entries that noted a problem which did not stop them,
//!   e.g. no preview could be made (`manage::EntryLog::note`); the line is only written when
//!   there are some, so a run without warnings has the reference's exact report.

use crate::error::one_line;

/// The report counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub inputs: u64,
    pub successes: u64,
    pub timeouts: u64,
    pub retries: u64,
    pub errors: u64,
    pub rejections: u64,
    pub skipped: u64,
    /// Successful entries with noted problems (not a reference counter).
    pub warnings: u64,
}

/// What the report's header lines say.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportHeader {
    /// Basename of the working directory.
    pub location: String,
    /// `datetime.now(timezone.utc).isoformat()`.
    pub date: String,
    /// Seconds.
    pub execution_time: f64,
    /// `<package>/<version>`.
    pub version: String,
}

/// The report file text: two empty lines, a line of `*` as wide as the longest line, the
/// eleven lines (labels right-aligned to "Number of Rejections"), `Number of Warnings` when
/// there are some, the `*` line, one empty line.
pub fn report_text(h: &ReportHeader, s: &Summary) -> String {
    let mut counters = vec![
        ("Number of Inputs", s.inputs),
        ("Number of Successes", s.successes),
        ("Number of Timeouts", s.timeouts),
        ("Number of Retries", s.retries),
        ("Number of Errors", s.errors),
        ("Number of Rejections", s.rejections),
        ("Number of Skipped", s.skipped),
    ];
    if s.warnings > 0 {
        counters.push(("Number of Warnings", s.warnings));
    }
    let mut lines = vec![
        format!("Location: {}", h.location),
        format!("Date: {}", h.date),
        format!("Execution Time: {:.2} s", h.execution_time),
        format!("Version: {}", h.version),
    ];
    let width = "Number of Rejections".len();
    for (label, n) in counters {
        lines.push(format!("{label:>width$}: {n}"));
    }
    let stars = "*".repeat(lines.iter().map(|l| l.chars().count()).max().unwrap_or(0));
    format!("\n\n{stars}\n{}\n{stars}\n\n", lines.join("\n"))
}

/// Reads the counters back from a report file the way the reference's
/// `ExecutionSummary.read_report_file` does: every line containing "Number of", the integer
/// after the last `:`.
pub fn read_report_counts(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .filter(|l| l.contains("Number of"))
        .filter_map(|l| {
            let (label, n) = l.rsplit_once(':')?;
            Some((label.trim().to_string(), n.trim().parse().ok()?))
        })
        .collect()
}

/// `success_log.txt`: `<now> <obs_id> <file_name> <elapsed seconds, 2 decimals>`.
pub fn success_line(now: &str, obs_id: &str, file_name: &str, elapsed_s: f64) -> String {
    format!("{now} {obs_id} {file_name} {elapsed_s:.2}\n")
}

/// `failure_log.txt`: `<now> <obs_id> <file_name> <message>`, the message on one line.
pub fn failure_line(now: &str, obs_id: &str, file_name: &str, message: &str) -> String {
    format!("{now} {obs_id} {file_name} {}\n", one_line(message))
}

/// `retries.txt`: one source name per line (a valid todo file).
pub fn retry_line(source_name: &str) -> String {
    format!("{source_name}\n")
}

/// `progress.txt`:
/// `<now> current:: <saved bookmark> <entries in window> since:: <window start>:: <cumulative>`.
pub fn progress_line(
    now: &str,
    saved: &str,
    entries: u64,
    window_start: &str,
    cumulative: u64,
) -> String {
    format!("{now} current:: {saved} {entries} since:: {window_start}:: {cumulative}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_matches_the_reference_sample() {
        let h = ReportHeader {
            location: "wd".into(),
            date: "2026-11-21T06:58:58.178513+00:00".into(),
            execution_time: 0.0123,
            version: "DEMO2caom2/0.0.0".into(),
        };
        let s = Summary {
            inputs: 4,
            successes: 2,
            timeouts: 2,
            retries: 1,
            errors: 3,
            rejections: 1,
            skipped: 0,
            warnings: 0,
        };
        let expected = "\n\n**************************************\nLocation: wd\nDate: 2026-11-21T06:58:58.178513+00:00\nExecution Time: 0.01 s\nVersion: DEMO2caom2/0.0.0\n    Number of Inputs: 4\n Number of Successes: 2\n  Number of Timeouts: 2\n   Number of Retries: 1\n    Number of Errors: 3\nNumber of Rejections: 1\n   Number of Skipped: 0\n**************************************\n\n";
        let text = report_text(&h, &s);
        assert_eq!(text, expected);
        let counts = read_report_counts(&text);
        assert_eq!(counts[0], ("Number of Inputs".to_string(), 4));
        assert_eq!(counts.len(), 7);
        let warned = report_text(&h, &Summary { warnings: 2, ..s });
        assert!(warned.contains("\n   Number of Skipped: 0\n  Number of Warnings: 2\n***"));
        assert_eq!(read_report_counts(&warned).len(), 8);
    }

    #[test]
    fn log_lines() {
        assert_eq!(
            success_line("2026-11-21 06:58:58.169556", "good1", "good1.fits", 0.004),
            "2026-11-21 06:58:58.169556 good1 good1.fits 0.00\n"
        );
        assert_eq!(
            failure_line(
                "2026-11-21 06:58:58.170145",
                "flaky",
                "flaky.fits.gz",
                "Read timed out\nsecond line"
            ),
            "2026-11-21 06:58:58.170145 flaky flaky.fits.gz Read timed out\\nsecond line\n"
        );
        assert_eq!(
            progress_line("2026-11-21 06:59:09.470014", "2024-03-23 10:25:00", 2, "2024-03-23 10:00:00", 0),
            "2026-11-21 06:59:09.470014 current:: 2024-03-23 10:25:00 2 since:: 2024-03-23 10:00:00:: 0\n"
        );
    }
}
