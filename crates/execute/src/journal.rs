//! The run journal: crash-safe, exactly-once bookkeeping.
//!
//! `<log_file_directory>/journal.jsonl` is an append-only file of JSON records, one per line:
//! a `run` header (mode, harvest end, what identifies the work), one `entry` record per
//! finished entry and round (outcome, class, message, the exact log-line timestamp), `window`
//! records for incremental time boxes, `round` records for retry rounds and a final `done`.
//!
//! **The journal is the truth; the text logs are views of it.** An entry counts as completed
//! once its record is in the journal. Each record is written with a single `write(2)` of a
//! whole line after the entry's effects (repository record, stored file) are on disk, and the
//! journal is fsynced at every list/window end, before any source file is moved, and every
//! [`SYNC_EVERY`] records. A process killed at any moment therefore leaves:
//!
//! * entries with a record: done; a restart skips them (no repeats);
//! * entries without one: redone by the restart (their repository write, if it happened, is
//!   an idempotent update), so nothing is lost;
//! * at most a torn last line (only possible on a power cut), which is cut off on reopen.
//!
//! A restart whose journal has no `done` record and the same work identity resumes that run:
//! it re-writes `success_log.txt`, `failure_log.txt` and `retries.txt` (and those of the retry
//! rounds) from the journal, atomically, instead of rotating them, so every record appears
//! exactly once whatever moment the kill came.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use manage::fsutil::{self, FsError};
use manage::report::Summary;
use manage::{ErrorClass, Reason};

/// How many entry records may be written between two fsyncs of the journal.
pub const SYNC_EVERY: usize = 256;

/// The outcome of one entry in one round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Succeeded (a success-log line).
    Ok,
    /// Failed (a failure-log line; a retries line when the class is retryable).
    Fail,
    /// Not processed: unchanged (a success-log line, as the reference writes) or already
    /// known as bad metadata (no line).
    Skip,
}

/// One journal record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "lowercase")]
pub enum Record {
    /// Starts a run.
    Run {
        /// `todo` or `incremental`.
        mode: String,
        /// Run start, epoch nanoseconds.
        started: i64,
        /// Incremental: the start of the harvest (the bookmark when the run began), epoch
        /// nanoseconds; in the header so a resumed run walks the same time boxes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<i64>,
        /// Incremental: the end of the harvest, epoch nanoseconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<i64>,
        /// What identifies the work (mode, task types, sources); a restart with a different
        /// identity starts a new run instead of resuming.
        identity: String,
    },
    /// One entry finished in one round.
    Entry(EntryRecord),
    /// An incremental time box finished and its bookmark was saved.
    Window {
        /// Window start and end, epoch nanoseconds.
        start: i64,
        end: i64,
        /// The progress line written for it.
        line: String,
    },
    /// A retry round started (0 = the first retry).
    Round { n: u32, started: i64 },
    /// The run finished; its report was written.
    Done,
}

/// One finished entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    /// 0 = main pass, n = retry round n-1 (log directory `<log_dir>_<n-1>`).
    pub round: u32,
    /// Identity of the entry within the run.
    pub key: String,
    /// The source name (what a retries line and a retry round use).
    pub source: String,
    pub obs_id: String,
    pub file_name: String,
    pub outcome: Outcome,
    /// Failure class (`failed`, `timeout`, `rejected:<reason>`), or for skips `unchanged` /
    /// `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Seconds the entry took.
    pub elapsed: f64,
    /// The log line timestamp (`str(datetime.now())`).
    pub now: String,
    /// Incremental: the entry's time (modification time), epoch nanoseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    /// Problems that did not stop the entry, `<rejected.yml reason>: <message>` (e.g.
    /// `no_preview: …`; see `manage::EntryLog::note`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl EntryRecord {
    /// The failure class, for failures.
    pub fn error_class(&self) -> Option<ErrorClass> {
        if self.outcome != Outcome::Fail {
            return None;
        }
        self.class.as_deref().and_then(ErrorClass::from_name)
    }

    /// The reasons of the warnings, for `rejected.yml`.
    pub fn warning_reasons(&self) -> impl Iterator<Item = Reason> + '_ {
        self.warnings
            .iter()
            .filter_map(|w| Reason::from_key(w.split_once(':')?.0))
    }

    /// Whether this failure goes to the retries file and the next retry round.
    pub fn is_retryable_failure(&self) -> bool {
        self.error_class().is_some_and(ErrorClass::is_retryable)
    }
}

/// A journal that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error("{file}:{line}: unreadable journal record: {message}")]
    Corrupt {
        file: String,
        line: usize,
        message: String,
    },
}

/// The open journal of the current run.
pub struct Journal {
    path: PathBuf,
    file: File,
    records: Vec<Record>,
    unsynced: usize,
}

/// What an existing journal says about the previous run.
#[derive(Debug, PartialEq)]
pub enum Previous {
    /// No journal, or its run finished.
    None,
    /// An unfinished run with this identity.
    Unfinished { identity: String },
}

impl Journal {
    /// Reads the records of `path` (cutting off a torn last line) without opening it for
    /// writing.
    pub fn load(path: &Path) -> Result<Vec<Record>, JournalError> {
        let mut bytes = Vec::new();
        match File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes)
                    .map_err(|e| FsError::new(path, e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(FsError::new(path, e).into()),
        }
        let complete = match bytes.iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None => 0,
        };
        if complete < bytes.len() {
            // A torn record from a crash: it never counted, drop it.
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| FsError::new(path, e))?;
            f.set_len(complete as u64)
                .map_err(|e| FsError::new(path, e))?;
        }
        let mut out = Vec::new();
        for (i, line) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let rec: Record = serde_json::from_slice(line).map_err(|e| JournalError::Corrupt {
                file: path.display().to_string(),
                line: i + 1,
                message: e.to_string(),
            })?;
            out.push(rec);
        }
        Ok(out)
    }

    /// What the journal at `path` says about the previous run.
    pub fn previous(records: &[Record]) -> Previous {
        let last_run = records
            .iter()
            .rposition(|r| matches!(r, Record::Run { .. }));
        match last_run {
            None => Previous::None,
            Some(i) => {
                if records[i..].iter().any(|r| matches!(r, Record::Done)) {
                    Previous::None
                } else if let Record::Run { identity, .. } = &records[i] {
                    Previous::Unfinished {
                        identity: identity.clone(),
                    }
                } else {
                    Previous::None
                }
            }
        }
    }

    /// Opens `path` to continue the unfinished run it holds (`records` from [`Journal::load`]),
    /// returning the journal and the run's entry records (which the journal does not keep:
    /// they live once, in the [`Tally`]).
    pub fn resume(
        path: &Path,
        mut records: Vec<Record>,
    ) -> Result<(Journal, Vec<EntryRecord>), JournalError> {
        let start = records
            .iter()
            .rposition(|r| matches!(r, Record::Run { .. }))
            .unwrap_or(0);
        let file = fsutil::open_append(path)?;
        let mut entries = Vec::new();
        let mut other = Vec::new();
        for r in records.drain(start..) {
            match r {
                Record::Entry(e) => entries.push(e),
                r => other.push(r),
            }
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
                records: other,
                unsynced: 0,
            },
            entries,
        ))
    }

    /// Starts a new journal at `path` with `header` (a [`Record::Run`]); an old journal is
    /// rotated away like the logs (`journal.<epoch>.jsonl`).
    pub fn create(path: &Path, epoch: &str, header: Record) -> Result<Journal, JournalError> {
        if std::fs::metadata(path)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
        {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rotated = match name.strip_suffix(".jsonl") {
                Some(stem) => format!("{stem}.{epoch}.jsonl"),
                None => format!("{name}.{epoch}"),
            };
            std::fs::rename(path, path.with_file_name(rotated))
                .map_err(|e| FsError::new(path, e))?;
        }
        let line = to_line(&header);
        fsutil::write_atomic(path, line.as_bytes(), fsutil::Sync::Durable)?;
        let file = fsutil::open_append(path)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            records: vec![header],
            unsynced: 0,
        })
    }

    /// The records of the current run other than entry records (header first).
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Appends a record with one write; fsyncs every [`SYNC_EVERY`] records. Entry records
    /// are written but not kept (the caller keeps them in its [`Tally`]), so memory does not
    /// grow twice with the size of a run.
    pub fn append(&mut self, rec: Record) -> Result<(), JournalError> {
        let line = to_line(&rec);
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| FsError::new(&self.path, e))?;
        if !matches!(rec, Record::Entry(_)) {
            self.records.push(rec);
        }
        self.unsynced += 1;
        if self.unsynced >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    /// Makes every appended record durable.
    pub fn sync(&mut self) -> Result<(), JournalError> {
        if self.unsynced > 0 {
            self.file
                .sync_data()
                .map_err(|e| FsError::new(&self.path, e))?;
            self.unsynced = 0;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn to_line(rec: &Record) -> String {
    // Serialising our own plain data types cannot fail; fall back to an empty object rather
    // than panicking if it ever did.
    let mut s = serde_json::to_string(rec).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// The state of a run as its entry records tell it, in memory that does not grow with the
/// run: the report counters, the entries still failed (with their records, which a retry
/// round, the retries file and the bookmark need), and the entries finished before a resume
/// as 128-bit digests of their keys. Counting is incremental, each entry once
/// (see `manage::report`).
#[derive(Debug, Default)]
pub struct Tally {
    summary: Summary,
    /// (round, md5 of key) of entries finished by an earlier invocation of this run.
    done: HashSet<(u32, [u8; 16])>,
    /// key → (latest failure, whether any attempt timed out), for unresolved entries.
    failures: HashMap<String, (Box<EntryRecord>, bool)>,
    /// Failed keys in order of first failure.
    failure_order: Vec<String>,
}

/// Entries finished by earlier invocations of a run (see [`Tally::take_done`]).
#[derive(Debug, Default)]
pub struct DoneSet(HashSet<(u32, [u8; 16])>);

impl DoneSet {
    pub fn contains(&self, round: u32, key: &str) -> bool {
        !self.0.is_empty() && self.0.contains(&(round, digest(key)))
    }
}

fn digest(key: &str) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(key.as_bytes()).into()
}

impl Tally {
    /// A tally of the records of a journal (entries finished before this invocation).
    pub fn from_records(records: &[Record]) -> Tally {
        let mut t = Tally::default();
        for r in records {
            if let Record::Entry(e) = r {
                t.add_finished(e.clone());
            }
        }
        t
    }

    /// A tally of entry records read from the journal.
    pub fn from_entries(entries: Vec<EntryRecord>) -> Tally {
        let mut t = Tally::default();
        for e in entries {
            t.add_finished(e);
        }
        t
    }

    /// Adds a record read back from the journal: counted, and remembered as done so a
    /// resumed run skips it.
    pub fn add_finished(&mut self, e: EntryRecord) {
        if !self.done.insert((e.round, digest(&e.key))) {
            // A duplicate cannot come from one run; never count it twice.
            return;
        }
        self.add(e);
    }

    /// Adds the record of an entry that just finished.
    pub fn add(&mut self, e: EntryRecord) {
        let s = &mut self.summary;
        if e.round == 0 {
            s.inputs += 1;
        } else {
            s.retries += 1;
        }
        let prev = self.failures.remove(&e.key);
        let had_timeout = prev.as_ref().is_some_and(|p| p.1);
        match e.outcome {
            Outcome::Ok | Outcome::Skip => {
                if e.outcome == Outcome::Ok {
                    s.successes += 1;
                    if !e.warnings.is_empty() {
                        s.warnings += 1;
                    }
                } else {
                    s.skipped += 1;
                    if e.class.as_deref() == Some("rejected") {
                        s.rejections += 1;
                    }
                }
                if let Some((p, _)) = prev {
                    // A failure resolved by a retry is no longer an error.
                    s.errors = s.errors.saturating_sub(1);
                    if matches!(p.error_class(), Some(ErrorClass::Rejected(_))) {
                        s.rejections = s.rejections.saturating_sub(1);
                    }
                }
            }
            Outcome::Fail => {
                let class = e.error_class();
                if prev.is_none() {
                    s.errors += 1;
                    if matches!(class, Some(ErrorClass::Rejected(_))) {
                        s.rejections += 1;
                    }
                    self.failure_order.push(e.key.clone());
                }
                let timeout = class == Some(ErrorClass::Timeout);
                if timeout && !had_timeout {
                    s.timeouts += 1;
                }
                self.failures
                    .insert(e.key.clone(), (Box::new(e), had_timeout || timeout));
            }
        }
    }

    /// The entries finished by earlier invocations, for a listing to skip them while the
    /// tally goes on counting; give them back with [`Tally::restore_done`].
    pub fn take_done(&mut self) -> DoneSet {
        DoneSet(std::mem::take(&mut self.done))
    }

    pub fn restore_done(&mut self, d: DoneSet) {
        self.done = d.0;
    }

    /// Whether `key` finished in `round` in an earlier invocation of this run.
    pub fn done(&self, round: u32, key: &str) -> bool {
        !self.done.is_empty() && self.done.contains(&(round, digest(key)))
    }

    /// Entries whose latest record is a retryable failure of `round`, in first-failure order
    /// (the work of the next retry round).
    pub fn retryable_in(&self, round: u32) -> Vec<&EntryRecord> {
        self.unresolved()
            .into_iter()
            .filter(|e| e.round == round && e.is_retryable_failure())
            .collect()
    }

    /// Entries whose latest record is a failure, in first-failure order.
    pub fn unresolved(&self) -> Vec<&EntryRecord> {
        self.failure_order
            .iter()
            .filter_map(|k| self.failures.get(k))
            .map(|(e, _)| e.as_ref())
            .collect()
    }

    /// The report counters.
    pub fn summary(&self) -> Summary {
        self.summary
    }
}

/// The records of `round`, in the order written (for rebuilding that round's logs).
pub fn round_records(entries: &[EntryRecord], round: u32) -> impl Iterator<Item = &EntryRecord> {
    entries.iter().filter(move |e| e.round == round)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(round: u32, key: &str, outcome: Outcome, class: Option<&str>) -> EntryRecord {
        EntryRecord {
            round,
            key: key.into(),
            source: key.into(),
            obs_id: key.into(),
            file_name: format!("{key}.fits"),
            outcome,
            class: class.map(String::from),
            message: None,
            elapsed: 0.0,
            now: "2026-11-21 06:58:58.169556".into(),
            time: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn torn_lines_are_cut_and_runs_resume() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("journal.jsonl");
        let header = Record::Run {
            mode: "todo".into(),
            started: 1,
            start: None,
            end: None,
            identity: "x".into(),
        };
        let mut j = Journal::create(&p, "1.0", header.clone()).unwrap();
        j.append(Record::Entry(rec(0, "a", Outcome::Ok, None)))
            .unwrap();
        drop(j);
        // a torn record, as a power cut could leave
        let mut f = fsutil::open_append(&p).unwrap();
        f.write_all(b"{\"k\":\"entry\",\"rou").unwrap();
        let records = Journal::load(&p).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            Journal::previous(&records),
            Previous::Unfinished {
                identity: "x".into()
            }
        );
        let (mut j, entries) = Journal::resume(&p, records).unwrap();
        assert_eq!(entries.len(), 1);
        j.append(Record::Done).unwrap();
        j.sync().unwrap();
        let records = Journal::load(&p).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(Tally::from_records(&records).summary().inputs, 1);
        assert_eq!(Journal::previous(&records), Previous::None);
        // a new run rotates the old journal
        let j = Journal::create(&p, "2.5", header).unwrap();
        assert_eq!(j.records().len(), 1);
        assert!(d.path().join("journal.2.5.jsonl").exists());
    }

    #[test]
    fn tally_counts_entries_once() {
        let mut t = Tally::default();
        t.add_finished(rec(0, "good1", Outcome::Ok, None));
        t.add_finished(rec(0, "flaky", Outcome::Fail, Some("timeout")));
        t.add_finished(rec(0, "bad", Outcome::Fail, Some("rejected:bad_metadata")));
        t.add_finished(rec(0, "same", Outcome::Skip, Some("unchanged")));
        t.add_finished(rec(0, "known", Outcome::Skip, Some("rejected")));
        let retry: Vec<_> = t.retryable_in(0).iter().map(|e| e.key.clone()).collect();
        assert_eq!(retry, vec!["flaky"]);
        t.add_finished(rec(1, "flaky", Outcome::Ok, None));
        let s = t.summary();
        assert_eq!(
            s,
            Summary {
                inputs: 5,
                successes: 2,
                timeouts: 1,
                retries: 1,
                errors: 1,
                rejections: 2,
                skipped: 2,
                warnings: 0,
            }
        );
        assert_eq!(s.inputs, s.successes + s.errors + s.skipped);
        assert!(t.done(0, "flaky") && t.done(1, "flaky") && !t.done(1, "good1"));
        assert_eq!(t.unresolved().len(), 1);
    }
}
