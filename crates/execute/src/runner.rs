//! The runners: a todo or local-directory run, an incremental run over time boxes, retry
//! rounds, and the final report (the reference's `run_by_todo_runner_meta`,
//! `run_by_state_runner_meta` and `run_retry`).
//!
//! All bookkeeping happens on the calling thread from the results of the worker pool: one
//! journal record per finished entry (see [`crate::journal`]), then its log lines, then (for
//! stores with clean-up) the move of the source file. A run killed at any moment and started
//! again with the same configuration resumes: finished entries are skipped, the text logs
//! are re-written from the journal, incremental windows already recorded are not repeated.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use manage::fsutil::{self, Sync};
use manage::report::{self, ReportHeader, Summary};
use manage::time::{epoch_float, floor_micros, naive_in, now_str, py_str, utc_iso};
use manage::{
    log_at, Collection, Config, EntryError, ErrorClass, Level, Logger, Metrics, NamingContext,
    Reason, Rejected, Repository, RunMode, State, Storage, StorageName, TaskType,
};

use crate::entry::{self, Done, Services};
use crate::journal::{EntryRecord, Journal, JournalError, Outcome, Previous, Record, Tally};
use crate::pool;
use crate::progress::Progress;
use crate::source::{
    has_scheme, LocalDirSource, MtimeSource, SourceError, TodoSource, WorkItem, WorkSource,
    WorkStream,
};
use crate::task::{self, Executor};
use crate::transfer::Transfer;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub mode: RunMode,
    /// A work list instead of the configured todo file (e.g. `logs/retries.txt`).
    pub todo: Option<PathBuf>,
    /// Show a progress bar (standard output is a terminal).
    pub progress_bar: bool,
}

/// What a run gets from the services besides its backends (see [`crate::services`]).
#[derive(Default)]
pub struct RunExtras {
    /// The work source of an incremental run that does not harvest local files (Storage
    /// Inventory time boxes, HTTP listings).
    pub source: Option<Box<dyn WorkSource>>,
    /// Fetches http(s) sources before they are stored.
    pub transfer: Option<Arc<dyn Transfer>>,
    /// The service client's statistics, summed up in [`RunReport::service_calls`].
    pub stats: Option<Arc<clients::Stats>>,
}

/// The services and plugins of a run.
pub struct Pipeline<'a> {
    pub config: &'a Config,
    pub collection: &'a dyn Collection,
    pub repository: &'a dyn Repository,
    pub storage: &'a dyn Storage,
    pub logger: Logger,
    /// Present when `observe_execution` is on; the backends record into it.
    pub metrics: Option<Arc<Metrics>>,
    /// Durability of entry outputs (records, stored files, scrape XML).
    pub sync: Sync,
}

/// The result of a run.
#[derive(Clone, Debug)]
pub struct RunReport {
    pub summary: Summary,
    /// The report file written.
    pub report_path: PathBuf,
    /// Whether this invocation resumed an interrupted run.
    pub resumed: bool,
    /// Entries still failed at the end.
    pub unresolved: Vec<String>,
    /// Service calls of the run (with their retries), when it used services.
    pub service_calls: Option<clients::Totals>,
}

impl RunReport {
    /// 0 when every entry succeeded or was skipped, 1 when any entry failed.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.summary.errors > 0)
    }
}

/// A run that could not be carried out (as opposed to entries that failed).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    State(#[from] manage::state::StateError),
    #[error(transparent)]
    Rejected(#[from] manage::rejected::RejectedError),
    #[error(transparent)]
    Fs(#[from] fsutil::FsError),
    #[error(transparent)]
    Choose(#[from] task::ChooseError),
    #[error("{0}")]
    Config(String),
}

/// Log files of one round, open for appending.
struct RoundLogs {
    dir: PathBuf,
    success: File,
    failure: File,
    retries: File,
}

impl RoundLogs {
    fn open(config: &Config, round: u32) -> Result<RoundLogs, RunError> {
        let r = retry_round(round);
        Ok(RoundLogs {
            dir: config.log_dir(r),
            success: fsutil::open_append(&config.success_fqn(r))?,
            failure: fsutil::open_append(&config.failure_fqn(r))?,
            retries: fsutil::open_append(&config.retry_fqn(r))?,
        })
    }
}

/// Round 0 is the main pass; round n ≥ 1 is retry round n-1 (log dir `<log_dir>_<n-1>`).
fn retry_round(round: u32) -> Option<u32> {
    round.checked_sub(1)
}

fn write_line(file: &mut File, path: &Path, text: &str) -> Result<(), RunError> {
    file.write_all(text.as_bytes())
        .map_err(|e| RunError::Fs(fsutil::FsError::new(path, e)))
}

/// The text-log lines of one record: (success, failure, retries).
fn log_lines(rec: &EntryRecord) -> (Option<String>, Option<String>, Option<String>) {
    match rec.outcome {
        Outcome::Ok => (
            Some(report::success_line(
                &rec.now,
                &rec.obs_id,
                &rec.file_name,
                rec.elapsed,
            )),
            None,
            None,
        ),
        // The reference writes md5-skipped files to the success log too.
        Outcome::Skip if rec.class.as_deref() == Some("unchanged") => (
            Some(report::success_line(
                &rec.now,
                &rec.obs_id,
                &rec.file_name,
                rec.elapsed,
            )),
            None,
            None,
        ),
        Outcome::Skip => (None, None, None),
        Outcome::Fail => (
            None,
            Some(report::failure_line(
                &rec.now,
                &rec.obs_id,
                &rec.file_name,
                rec.message.as_deref().unwrap_or(""),
            )),
            rec.is_retryable_failure()
                .then(|| report::retry_line(&rec.source)),
        ),
    }
}

/// What one worker hands back.
struct Finished {
    item: WorkItem,
    sn: StorageName,
    result: Result<Done, EntryError>,
    elapsed: f64,
    /// Skipped: rejected.yml lists it as bad metadata.
    known_bad: bool,
    /// Problems that did not stop the entry (`EntryLog::note`).
    notes: Vec<(Reason, String)>,
}

/// A listed entry on its way to a worker.
enum Job {
    Run(WorkItem),
    /// Decided by its names alone (no valid names, or invalid ones).
    Failed(WorkItem, EntryError),
    /// Known bad metadata: skipped.
    KnownBad(WorkItem),
}

/// The state of a run in progress.
struct RunState<'p, 'a> {
    p: &'p Pipeline<'a>,
    executors: Vec<Executor>,
    journal: Journal,
    tally: Tally,
    rejected: Rejected,
    naming: NamingContext,
    progress: Progress,
    logger: Logger,
    local_tz: TimeZone,
    meta_producer: String,
    cleanup: bool,
    transfer: Option<Arc<dyn Transfer>>,
}

/// Runs `collection` over the work `config` names against its embedded local repository and
/// store (`local_repository`, `local_storage`), with no services, no metrics, no progress bar
/// and no log output beyond the files the run writes: how tests and programs that embed the
/// pipeline run a collection locally. `todo` overrides the config's todo file.
pub fn run_local(
    config: &Config,
    collection: &dyn Collection,
    mode: RunMode,
    todo: Option<&Path>,
) -> Result<RunReport, RunError> {
    let repository = crate::backend::LocalRepository::new(&config.local_repository, Sync::Cached);
    let storage = crate::backend::LocalStorage::new(&config.local_storage, Sync::Cached);
    Pipeline {
        config,
        collection,
        repository: &repository,
        storage: &storage,
        logger: Logger::silent(),
        metrics: None,
        sync: Sync::Cached,
    }
    .run(&RunOptions {
        mode,
        todo: todo.map(Path::to_path_buf),
        progress_bar: false,
    })
}

impl<'a> Pipeline<'a> {
    /// The work identity: a restart resumes the previous run only when this is unchanged.
    fn identity(&self, opts: &RunOptions) -> String {
        let c = self.config;
        let tasks: Vec<&str> = c.task_types.iter().map(|t| t.name()).collect();
        format!(
            "mode={:?};collection={};tasks={};local={};sources={};todo={}",
            opts.mode,
            c.collection,
            tasks.join(","),
            c.use_local_files,
            c.data_sources.join(","),
            opts.todo.clone().unwrap_or_else(|| c.todo_fqn()).display()
        )
    }

    /// Runs the pipeline: the main pass, retry rounds, the report.
    pub fn run(&self, opts: &RunOptions) -> Result<RunReport, RunError> {
        self.run_with(opts, RunExtras::default())
    }

    /// [`Pipeline::run`] with a work source and a transfer from the services.
    pub fn run_with(&self, opts: &RunOptions, extras: RunExtras) -> Result<RunReport, RunError> {
        let RunExtras {
            source: extra_source,
            transfer,
            stats,
        } = extras;
        let c = self.config;
        let executors = task::choose(
            &c.task_types,
            c.use_local_files,
            self.collection.needs_delete(),
        )?;
        let local_tz = manage::time::local_zone();
        let tz =
            TimeZone::get(&c.time_zone).map_err(|e| RunError::Config(format!("time_zone: {e}")))?;
        let identity = self.identity(opts);
        let journal_path = c.journal_fqn();
        // One run per log directory at a time: the lock goes with the process, so a killed
        // run never leaves it behind.
        let lock_path = c.log_file_directory.join("journal.lock");
        let lock = fsutil::open_append(&lock_path)?;
        if let Err(e) = lock.try_lock() {
            return Err(RunError::Config(match e {
                std::fs::TryLockError::WouldBlock => format!(
                    "another caom2pipe run is using {} (lock {})",
                    c.log_file_directory.display(),
                    lock_path.display()
                ),
                std::fs::TryLockError::Error(e) => format!("{}: {e}", lock_path.display()),
            }));
        }
        let records = Journal::load(&journal_path)?;
        let resume = match Journal::previous(&records) {
            Previous::Unfinished { identity: prev } if prev == identity => true,
            Previous::Unfinished { identity: prev } => {
                log_at!(
                    self.logger,
                    Level::Warning,
                    "the unfinished run in {} did different work ({prev}); starting a new run",
                    journal_path.display()
                );
                false
            }
            Previous::None => false,
        };
        let progress = Progress::new(opts.progress_bar);
        let logger = if progress.is_bar() {
            self.logger.with_sink(progress.sink())
        } else {
            self.logger.clone()
        };

        // Incremental: the harvest's start and end come from state.yml the first time and
        // from the journal when resuming, so a resumed run walks the same windows.
        let mut state = None;
        let mut harvest: Option<(Timestamp, Timestamp)> = None;
        if opts.mode == RunMode::Incremental {
            let path = c.state_fqn().ok_or_else(|| {
                RunError::Config("an incremental run needs state_file_name".into())
            })?;
            let s = State::read(&path, &tz)?;
            let b = s.bookmark(&c.bookmark_key())?;
            harvest = Some((
                b.last_record,
                b.end_timestamp.unwrap_or_else(Timestamp::now),
            ));
            state = Some(s);
        }

        let mut loaded_entries = Vec::new();
        let journal = if resume {
            let (j, entries) = Journal::resume(&journal_path, records)?;
            loaded_entries = entries;
            if let Some(Record::Run {
                start: Some(start),
                end: Some(end),
                ..
            }) = j.records().first()
            {
                if harvest.is_some() {
                    harvest = Some((ts(*start), ts(*end)));
                }
            }
            j
        } else {
            let epoch = epoch_float(Timestamp::now());
            for f in [
                c.success_fqn(None),
                c.failure_fqn(None),
                c.retry_fqn(None),
                c.report_fqn(),
            ] {
                fsutil::rotate(&f, &epoch)?;
            }
            let header = Record::Run {
                mode: match opts.mode {
                    RunMode::Todo => "todo".into(),
                    RunMode::Incremental => "incremental".into(),
                },
                started: Timestamp::now().as_nanosecond() as i64,
                start: harvest.map(|(s, _)| s.as_nanosecond() as i64),
                end: harvest.map(|(_, e)| e.as_nanosecond() as i64),
                identity: identity.clone(),
            };
            Journal::create(&journal_path, &epoch, header)?
        };
        let rejected = Rejected::read(&c.rejected_fqn())?;
        let mut run = RunState {
            p: self,
            executors,
            journal,
            tally: Tally::default(),
            rejected,
            naming: NamingContext::from_config(c),
            progress,
            logger,
            local_tz,
            meta_producer: self.collection.version(),
            cleanup: c.cleanup_files_when_storing && c.task_types.contains(&TaskType::Store),
            transfer,
        };
        // Leftovers of killed writers: temporary files in the log directories, the
        // repository's and the store's collection directories.
        let mut swept = fsutil::sweep_stale_temps(&c.log_file_directory);
        if let Some(d) = c.state_fqn().as_deref().and_then(Path::parent) {
            swept += fsutil::sweep_stale_temps(d);
        }
        swept += fsutil::sweep_stale_temps(&c.rejected_directory);
        swept += self.repository.recover(&c.collection).unwrap_or(0);
        swept += self
            .storage
            .recover(&format!("{}:{}/", c.scheme, c.collection))
            .unwrap_or(0);
        if swept > 0 {
            log_at!(
                run.logger,
                Level::Info,
                "removed {swept} temporary files left by an interrupted run"
            );
        }
        if resume {
            run.rebuild_logs(&loaded_entries)?;
            run.finish_pending_moves(&loaded_entries);
            for e in &loaded_entries {
                for reason in e.warning_reasons() {
                    run.rejected.record(reason, &e.obs_id);
                }
            }
            run.tally = Tally::from_entries(loaded_entries);
            for (reason, obs_id) in tally_rejections(&run.tally) {
                run.rejected.record(reason, &obs_id);
            }
            log_at!(
                run.logger,
                Level::Info,
                "resuming the interrupted run recorded in {}",
                journal_path.display()
            );
        }
        let started_at = run_started(run.journal.records()).unwrap_or_else(Timestamp::now);

        match opts.mode {
            RunMode::Todo => {
                // `--todo` names a work list (e.g. a retries file) even for local-file runs.
                let mut source: Box<dyn WorkSource> = if c.use_local_files && opts.todo.is_none() {
                    Box::new(LocalDirSource::new(
                        &c.data_sources,
                        &c.data_source_extensions,
                        c.recurse_data_sources,
                    ))
                } else {
                    Box::new(TodoSource::new(
                        opts.todo.as_deref().unwrap_or(&c.todo_fqn()),
                        &c.working_directory,
                    ))
                };
                log_at!(run.logger, Level::Info, "listing {}", source.describe());
                let items = source.stream()?;
                run.process(0, items, None, "run")?;
                run.persist_list_end()?;
            }
            RunMode::Incremental => {
                let (start, end) = harvest.unwrap_or((Timestamp::now(), Timestamp::now()));
                let mut state = state.ok_or_else(|| RunError::Config("no state".into()))?;
                let mut source: Box<dyn WorkSource> = match extra_source {
                    Some(s) => s,
                    None if c.use_local_files => Box::new(MtimeSource::new(LocalDirSource::new(
                        &c.data_sources,
                        &c.data_source_extensions,
                        c.recurse_data_sources,
                    ))),
                    None => {
                        return Err(RunError::Config(
                            "an incremental run without use_local_files harvests Storage Inventory or http(s) listings: its work source comes from execute::services".into(),
                        ))
                    }
                };
                run.incremental(source.as_mut(), &mut state, &tz, start, end)?;
            }
        }

        // Retry rounds.
        if c.retry_failures {
            for n in 0..c.retry_count {
                let round = n + 1;
                let failed: Vec<WorkItem> = run
                    .tally
                    .retryable_in(round - 1)
                    .into_iter()
                    .map(|r| WorkItem {
                        source: r.source.clone(),
                        key: (r.key != r.source).then(|| r.key.clone()),
                        local: (!has_scheme(&r.source))
                            .then(|| c.working_directory.join(&r.source))
                            .filter(|p| p.is_file()),
                        time: r.time.map(ts),
                    })
                    .collect();
                // Nothing left for this round is not the end: a resumed run may have finished
                // it before the kill and have a later round to complete.
                if failed.is_empty() {
                    continue;
                }
                let wait = Duration::from_secs_f64(c.retry_decay * f64::from(n + 1) * 60.0);
                let started = run.round_started(n);
                let started = match started {
                    Some(t) => t,
                    None => {
                        let epoch = epoch_float(Timestamp::now());
                        for f in [
                            c.success_fqn(Some(n)),
                            c.failure_fqn(Some(n)),
                            c.retry_fqn(Some(n)),
                        ] {
                            fsutil::rotate(&f, &epoch)?;
                        }
                        let now = Timestamp::now();
                        run.journal.append(Record::Round {
                            n,
                            started: now.as_nanosecond() as i64,
                        })?;
                        run.journal.sync()?;
                        now
                    }
                };
                // A resumed round waits only what is left of its decay.
                let elapsed = Timestamp::now().duration_since(started).unsigned_abs();
                if let Some(left) = wait.checked_sub(elapsed) {
                    log_at!(
                        run.logger,
                        Level::Info,
                        "retry round {} of {} entries in {:.0} s",
                        n + 1,
                        failed.len(),
                        left.as_secs_f64()
                    );
                    std::thread::sleep(left);
                }
                let total = failed.len() as u64;
                run.process(
                    round,
                    Box::new(failed.into_iter().map(Ok)),
                    Some(total),
                    &format!("retry {}", n + 1),
                )?;
                run.persist_list_end()?;
            }
        }

        // Incremental: the final bookmark never passes an unresolved failure.
        if opts.mode == RunMode::Incremental {
            if let Some((_, end)) = harvest {
                let path = c
                    .state_fqn()
                    .ok_or_else(|| RunError::Config("no state".into()))?;
                let mut s = State::read(&path, &tz)?;
                let held = run.held_bookmark();
                let target = held.map_or(end, |h| h.min(end));
                s.set_last_record(&c.bookmark_key(), target);
                s.write()?;
                // The reference's accumulated retries file of incremental runs.
                let text = std::fs::read(c.retry_fqn(None)).unwrap_or_default();
                fsutil::write_atomic(&c.total_retry_fqn(), &text, Sync::Cached)?;
            }
        }

        let summary = run.tally.summary();
        let header = ReportHeader {
            location: c.working_directory_name(),
            date: utc_iso(Timestamp::now()),
            execution_time: Timestamp::now()
                .duration_since(started_at)
                .as_secs_f64()
                .max(0.0),
            version: run.meta_producer.clone(),
        };
        fsutil::write_atomic(
            &c.report_fqn(),
            report::report_text(&header, &summary).as_bytes(),
            Sync::Durable,
        )?;
        let unresolved: Vec<String> = run
            .tally
            .unresolved()
            .iter()
            .map(|r| r.source.clone())
            .collect();
        run.journal.append(Record::Done)?;
        run.journal.sync()?;
        run.progress.finish();
        drop(lock);
        Ok(RunReport {
            summary,
            report_path: c.report_fqn(),
            resumed: resume,
            unresolved,
            service_calls: stats.map(|s| s.totals()),
        })
    }
}

fn ts(ns: i64) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(ns)).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn run_started(records: &[Record]) -> Option<Timestamp> {
    match records.first() {
        Some(Record::Run { started, .. }) => Some(ts(*started)),
        _ => None,
    }
}

/// Known rejections recorded in the journal, to merge into rejected.yml on resume.
fn tally_rejections(t: &Tally) -> Vec<(Reason, String)> {
    t.unresolved()
        .iter()
        .filter_map(|r| match r.error_class() {
            Some(ErrorClass::Rejected(reason)) => Some((reason, r.obs_id.clone())),
            _ => None,
        })
        .collect()
}

impl RunState<'_, '_> {
    fn config(&self) -> &Config {
        self.p.config
    }

    fn round_started(&self, n: u32) -> Option<Timestamp> {
        self.journal.records().iter().find_map(|r| match r {
            Record::Round { n: m, started } if *m == n => Some(ts(*started)),
            _ => None,
        })
    }

    /// Re-writes the text logs of every round from the journal (a resumed run).
    fn rebuild_logs(&mut self, entries: &[EntryRecord]) -> Result<(), RunError> {
        let c = self.p.config;
        let rounds = entries.iter().map(|e| e.round).max().unwrap_or(0);
        for round in 0..=rounds {
            let r = retry_round(round);
            if round > 0 && self.round_started(round - 1).is_none() {
                continue;
            }
            let (mut s, mut f, mut t) = (String::new(), String::new(), String::new());
            for rec in crate::journal::round_records(entries, round) {
                let (a, b, d) = log_lines(rec);
                s.extend(a);
                f.extend(b);
                t.extend(d);
            }
            fsutil::write_atomic(&c.success_fqn(r), s.as_bytes(), Sync::Cached)?;
            fsutil::write_atomic(&c.failure_fqn(r), f.as_bytes(), Sync::Cached)?;
            fsutil::write_atomic(&c.retry_fqn(r), t.as_bytes(), Sync::Cached)?;
        }
        // progress.txt: the last window's line may be missing if the kill came right after
        // its journal record.
        let last = self.journal.records().iter().rev().find_map(|r| match r {
            Record::Window { line, .. } => Some(line.clone()),
            _ => None,
        });
        if let Some(line) = last {
            let path = c.progress_fqn();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if !text.ends_with(&line) {
                fsutil::append(&path, &line, Sync::Cached)?;
            }
        }
        Ok(())
    }

    /// Whether the source file of a finished entry should be moved, and where.
    fn move_target(&self, rec: &EntryRecord) -> Option<PathBuf> {
        if !self.cleanup {
            return None;
        }
        let c = self.p.config;
        let dest = match rec.outcome {
            Outcome::Ok | Outcome::Skip => c.cleanup_success_destination.as_ref(),
            Outcome::Fail => {
                // A failure that a later round will retry stays where the retry finds it.
                let retried_later =
                    c.retry_failures && rec.is_retryable_failure() && rec.round < c.retry_count;
                if retried_later {
                    return None;
                }
                c.cleanup_failure_destination.as_ref()
            }
        }?;
        let src = Path::new(&rec.source);
        let name = src.file_name()?;
        Some(PathBuf::from(dest).join(name))
    }

    fn move_source(&mut self, rec: &EntryRecord) {
        let Some(target) = self.move_target(rec) else {
            return;
        };
        let src = self.p.config.working_directory.join(&rec.source);
        if !src.is_file() {
            return;
        }
        let r = (|| -> std::io::Result<()> {
            if let Some(d) = target.parent() {
                std::fs::create_dir_all(d)?;
            }
            match std::fs::rename(&src, &target) {
                Ok(()) => Ok(()),
                // Another filesystem: copy, then remove.
                Err(_) => {
                    std::fs::copy(&src, &target)?;
                    std::fs::remove_file(&src)
                }
            }
        })();
        match r {
            Ok(()) => log_at!(
                self.logger,
                Level::Debug,
                "moved {} to {}",
                src.display(),
                target.display()
            ),
            Err(e) => log_at!(
                self.logger,
                Level::Warning,
                "could not move {} to {}: {e}",
                src.display(),
                target.display()
            ),
        }
    }

    /// A resumed run finishes moves that a kill interrupted.
    fn finish_pending_moves(&mut self, entries: &[EntryRecord]) {
        if !self.cleanup {
            return;
        }
        for r in entries {
            self.move_source(r);
        }
    }

    /// Processes `items` as round `round`, pulling them lazily; entries finished by an
    /// earlier invocation (per the journal) are skipped. Returns how many were listed.
    fn process(
        &mut self,
        round: u32,
        items: WorkStream,
        total: Option<u64>,
        label: &str,
    ) -> Result<u64, RunError> {
        let c = self.p.config;
        let mut logs = RoundLogs::open(c, round)?;
        self.progress.start(label, total);
        let done = self.tally.take_done();
        let known_bad = self.rejected.names(Reason::BadMetadata);
        let listed = AtomicU64::new(0);
        let list_error: Mutex<Option<SourceError>> = Mutex::new(None);
        let collection = self.p.collection;
        let naming = self.naming.clone();
        // What a listed entry is before any work: to run, or already decided by its names.
        let jobs = items
            .map_while(|r| match r {
                Ok(item) => Some(item),
                Err(e) => {
                    if let Ok(mut slot) = list_error.lock() {
                        *slot = Some(e);
                    }
                    None
                }
            })
            .inspect(|_| {
                listed.fetch_add(1, Ordering::Relaxed);
            })
            .filter(|item| !done.contains(round, item.key()))
            .map(
                |item| match collection.storage_name(&item.source, &naming) {
                    Err(e) => (group_of(&item.source), Job::Failed(item, e)),
                    Ok(sn) if !collection.is_valid(&sn) => {
                        let e = EntryError::rejected(
                            Reason::InvalidFileName,
                            format!("{}: {}", Reason::InvalidFileName.phrase(), item.source),
                        );
                        (group_of(&sn.obs_id), Job::Failed(item, e))
                    }
                    Ok(sn) if known_bad.contains(&sn.obs_id) => {
                        (group_of(&sn.obs_id), Job::KnownBad(item))
                    }
                    // Only the group travels with the job: the worker makes the names again, so
                    // a long list never holds every StorageName at once.
                    Ok(sn) => (group_of(&sn.obs_id), Job::Run(item)),
                },
            );
        let executors = self.executors.clone();
        let meta_producer = self.meta_producer.clone();
        // (a clone: the commit closure borrows the run state mutably)
        let transfer = self.transfer.clone();
        let services = Services {
            config: c,
            collection: self.p.collection,
            repository: self.p.repository,
            storage: self.p.storage,
            executors: &executors,
            meta_producer: &meta_producer,
            data_visitors_in_single_visit: c.task_types.contains(&TaskType::Modify),
            sync: self.p.sync,
            transfer: transfer.as_deref(),
        };
        let logger = self.logger.clone();
        let naming = self.naming.clone();
        let log_dir = logs.dir.clone();
        let mut failure: Option<RunError> = None;
        pool::run(
            jobs,
            c.parallel_count,
            |job: Job| {
                let t = Instant::now();
                let names = |item: &WorkItem| {
                    services
                        .collection
                        .storage_name(&item.source, &naming)
                        .unwrap_or_else(|_| StorageName::from_entry(&item.source, &naming))
                };
                let item = match job {
                    Job::Run(item) => item,
                    Job::Failed(item, e) => {
                        return Finished {
                            sn: names(&item),
                            item,
                            result: Err(e),
                            elapsed: 0.0,
                            known_bad: false,
                            notes: Vec::new(),
                        }
                    }
                    Job::KnownBad(item) => {
                        return Finished {
                            sn: names(&item),
                            item,
                            result: Ok(Done::Ok),
                            elapsed: 0.0,
                            known_bad: true,
                            notes: Vec::new(),
                        }
                    }
                };
                let sn = match services.collection.storage_name(&item.source, &naming) {
                    Ok(sn) => sn,
                    Err(e) => {
                        return Finished {
                            sn: StorageName::from_entry(&item.source, &naming),
                            item,
                            result: Err(e),
                            elapsed: 0.0,
                            known_bad: false,
                            notes: Vec::new(),
                        }
                    }
                };
                let log = logger.entry(c.log_to_file.then_some(c.logging_level));
                log_at!(log, Level::Debug, "start {}", item.source);
                let result = entry::do_one(&services, &item, &sn, &log);
                let notes = log.take_notes();
                if let Err(e) = &result {
                    log_at!(log, Level::Error, "{}: {}", item.source, e.message);
                }
                if c.log_to_file {
                    let text = log.take_file_text();
                    // A per-entry debug log: losing it costs nothing, so errors only warn.
                    if let Err(e) =
                        fsutil::append(&log_dir.join(sn.log_file()), &text, Sync::Cached)
                    {
                        log_at!(logger, Level::Warning, "{e}");
                    }
                }
                Finished {
                    item,
                    sn,
                    result,
                    elapsed: t.elapsed().as_secs_f64(),
                    known_bad: false,
                    notes,
                }
            },
            |f| match self.commit(round, &mut logs, f) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            },
        );
        self.tally.restore_done(done);
        if let Some(e) = failure {
            return Err(e);
        }
        if let Some(e) = list_error.into_inner().ok().flatten() {
            return Err(e.into());
        }
        self.journal.sync()?;
        Ok(listed.into_inner())
    }

    fn commit_skip(
        &mut self,
        round: u32,
        logs: &mut RoundLogs,
        item: &WorkItem,
        sn: &StorageName,
        why: &str,
    ) -> Result<(), RunError> {
        let rec = EntryRecord {
            round,
            key: item.key().to_string(),
            source: item.source.clone(),
            obs_id: sn.obs_id.clone(),
            file_name: sn.file_name.clone(),
            outcome: Outcome::Skip,
            class: Some(why.into()),
            message: None,
            elapsed: 0.0,
            now: now_str(&self.local_tz),
            time: item.time.map(|t| t.as_nanosecond() as i64),
            warnings: Vec::new(),
        };
        log_at!(
            self.logger,
            Level::Info,
            "skipped {} ({})",
            item.source,
            if why == "rejected" {
                "known bad metadata in rejected.yml"
            } else {
                why
            }
        );
        self.record(logs, rec)
    }

    fn commit(&mut self, round: u32, logs: &mut RoundLogs, f: Finished) -> Result<(), RunError> {
        if f.known_bad {
            return self.commit_skip(round, logs, &f.item, &f.sn, "rejected");
        }
        let (outcome, class, message) = match &f.result {
            Ok(Done::Ok) => (Outcome::Ok, None, None),
            Ok(Done::Unchanged) => (Outcome::Skip, Some("unchanged".to_string()), None),
            Err(e) => (Outcome::Fail, Some(e.class.name()), Some(e.message.clone())),
        };
        // A failed entry's notes are moot: the failure is what is reported.
        let warnings: Vec<String> = if f.result.is_ok() {
            f.notes
                .iter()
                .map(|(reason, message)| format!("{}: {}", reason.key(), manage::one_line(message)))
                .collect()
        } else {
            Vec::new()
        };
        let rec = EntryRecord {
            round,
            key: f.item.key().to_string(),
            source: f.item.source.clone(),
            obs_id: f.sn.obs_id.clone(),
            file_name: f.sn.file_name.clone(),
            outcome,
            class,
            message,
            elapsed: f.elapsed,
            now: now_str(&self.local_tz),
            time: f.item.time.map(|t| t.as_nanosecond() as i64),
            warnings,
        };
        match &f.result {
            Ok(_) => {
                // noted problems go where the reference lists that reason: rejected.yml
                for reason in rec.warning_reasons() {
                    self.rejected.record(reason, &f.sn.obs_id);
                }
                log_at!(
                    self.logger,
                    Level::Info,
                    "{} {} {} {:.2} s{}",
                    if outcome == Outcome::Ok {
                        "done"
                    } else {
                        "unchanged"
                    },
                    f.sn.obs_id,
                    f.sn.file_name,
                    f.elapsed,
                    match rec.warnings.len() {
                        0 => String::new(),
                        1 => " (1 warning)".to_string(),
                        n => format!(" ({n} warnings)"),
                    }
                )
            }
            Err(e) => {
                if let ErrorClass::Rejected(reason) = e.class {
                    self.rejected.record(reason, &f.sn.obs_id);
                }
                log_at!(
                    self.logger,
                    Level::Warning,
                    "failed {} {} ({}): {}",
                    f.sn.obs_id,
                    f.sn.file_name,
                    e.class.name(),
                    manage::one_line(&e.message)
                )
            }
        }
        self.record(logs, rec)
    }

    /// Journal first, then the text logs, then (once the record is durable) the move.
    fn record(&mut self, logs: &mut RoundLogs, rec: EntryRecord) -> Result<(), RunError> {
        self.journal.append(Record::Entry(rec.clone()))?;
        let c = self.p.config;
        let r = retry_round(rec.round);
        let (s, f, t) = log_lines(&rec);
        if let Some(s) = s {
            write_line(&mut logs.success, &c.success_fqn(r), &s)?;
        }
        if let Some(f) = f {
            write_line(&mut logs.failure, &c.failure_fqn(r), &f)?;
        }
        if let Some(t) = t {
            write_line(&mut logs.retries, &c.retry_fqn(r), &t)?;
        }
        if self.move_target(&rec).is_some() {
            self.journal.sync()?;
            self.move_source(&rec);
        }
        self.tally.add(rec);
        self.progress.inc();
        Ok(())
    }

    /// End of a todo list or time box: rejected.yml and metrics.
    fn persist_list_end(&mut self) -> Result<(), RunError> {
        self.rejected.write()?;
        if let (Some(m), Some(dir)) = (&self.p.metrics, &self.config().observable_directory) {
            m.write(dir, &epoch_float(Timestamp::now()))?;
        }
        self.journal.sync()?;
        Ok(())
    }

    /// The latest bookmark that does not pass an unresolved failure: just before the
    /// earliest failed entry's time.
    fn held_bookmark(&self) -> Option<Timestamp> {
        self.tally
            .unresolved()
            .iter()
            .filter_map(|r| r.time)
            .min()
            .map(|ns| floor_micros(ts(ns - 1)))
    }

    /// The time boxes of an incremental run.
    fn incremental(
        &mut self,
        source: &mut dyn WorkSource,
        state: &mut State,
        tz: &TimeZone,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<(), RunError> {
        let c = self.p.config;
        let step = jiff::SignedDuration::from_secs(i64::from(c.interval) * 60);
        log_at!(
            self.logger,
            Level::Info,
            "harvesting {} from {} to {} in {} minute boxes",
            source.describe(),
            py_str(naive_in(start, tz)),
            py_str(naive_in(end, tz)),
            c.interval
        );
        let done_windows: Vec<(i64, i64)> = self
            .journal
            .records()
            .iter()
            .filter_map(|r| match r {
                Record::Window { start, end, .. } => Some((*start, *end)),
                _ => None,
            })
            .collect();
        let mut cumulative: u64 = self
            .journal
            .records()
            .iter()
            .filter_map(|r| match r {
                Record::Window { line, .. } => window_count(line),
                _ => None,
            })
            .sum();
        let mut prev = start;
        while prev < end {
            let cur = prev.checked_add(step).map_or(end, |t| t.min(end));
            let key = (prev.as_nanosecond() as i64, cur.as_nanosecond() as i64);
            if done_windows.contains(&key) {
                prev = cur;
                continue;
            }
            let items = source.time_box_work(prev, cur)?;
            let listed = items.len() as u64;
            let latest = items.iter().filter_map(|i| i.time).max();
            let label = py_str(naive_in(prev, tz));
            self.process(0, Box::new(items.into_iter().map(Ok)), Some(listed), &label)?;
            self.persist_list_end()?;
            // The reference saves the last entry's time (capped at the box end), or the box
            // end when it was empty; we also never pass an unresolved failure.
            let mut saved = latest.map_or(cur, |t| t.min(cur));
            if let Some(h) = self.held_bookmark() {
                saved = saved.min(h);
            }
            state.set_last_record(&c.bookmark_key(), saved);
            state.write()?;
            let line = report::progress_line(
                &now_str(&self.local_tz),
                &py_str(naive_in(saved, tz)),
                listed,
                &py_str(naive_in(prev, tz)),
                cumulative,
            );
            self.journal.append(Record::Window {
                start: key.0,
                end: key.1,
                line: line.clone(),
            })?;
            self.journal.sync()?;
            fsutil::append(&c.progress_fqn(), &line, Sync::Cached)?;
            cumulative += listed;
            prev = cur;
        }
        Ok(())
    }
}

/// The pool group of an observation: a 64-bit digest of its id, so a long list holds no
/// extra strings. Two observations sharing a digest are only serialised, never mixed.
fn group_of(obs_id: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    obs_id.hash(&mut h);
    h.finish()
}

/// The "entries in window" field of a progress line.
fn window_count(line: &str) -> Option<u64> {
    let before = line.split(" since::").next()?;
    before.rsplit(' ').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_parse() {
        let l = report::progress_line("n", "2024-03-23 10:25:00", 2, "2024-03-23 10:00:00", 0);
        assert_eq!(window_count(&l), Some(2));
    }
}
