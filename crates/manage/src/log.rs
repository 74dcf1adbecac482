//! Logging without a process-global logger: a [`Logger`] is created per run and passed down,
//! so one process can run several collections, each with its own level and files.
//!
//! Lines use the reference's Python logging formats (caom2pipe.md §8.9):
//! console `%(asctime)s:%(levelname)-7s:%(name)-12s:%(lineno)-4d:%(message)s`,
//! per-entry `.log` files `%(asctime)s:%(levelname)s:%(name)-12s:%(lineno)d:%(message)s`.
//! Use the [`crate::log_at!`] macro (or `debug!`-style helpers on [`EntryLog`]) so the line
//! number is the caller's.

use std::sync::{Arc, Mutex};

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::config::Level;
use crate::error::Reason;
use crate::time::asctime;

/// Where console lines go (standard error, a progress bar that keeps them above itself, a
/// test buffer).
pub trait LogSink: Send + Sync {
    /// One formatted line at `level` (a sink may show only some levels).
    fn line(&self, level: Level, text: &str);
}

/// Console lines to standard error.
pub struct Stderr;

impl LogSink for Stderr {
    fn line(&self, _level: Level, text: &str) {
        eprintln!("{text}");
    }
}

/// Collects lines in memory (tests).
#[derive(Default)]
pub struct Collect(pub Mutex<Vec<String>>);

impl LogSink for Collect {
    fn line(&self, _level: Level, text: &str) {
        if let Ok(mut v) = self.0.lock() {
            v.push(text.to_string());
        }
    }
}

/// The run's logger: a level, a console sink and the host time zone for timestamps.
#[derive(Clone)]
pub struct Logger {
    level: Level,
    sink: Arc<dyn LogSink>,
    local: TimeZone,
}

impl Logger {
    pub fn new(level: Level, sink: Arc<dyn LogSink>) -> Logger {
        Logger {
            level,
            sink,
            local: crate::time::local_zone(),
        }
    }

    /// A logger that writes nothing.
    pub fn silent() -> Logger {
        Logger::new(Level::Error, Arc::new(Collect::default()))
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn enabled(&self, level: Level) -> bool {
        level >= self.level
    }

    /// Replaces the console sink (e.g. with a progress bar's).
    pub fn with_sink(&self, sink: Arc<dyn LogSink>) -> Logger {
        Logger {
            level: self.level,
            sink,
            local: self.local.clone(),
        }
    }

    /// The host time zone used for timestamps.
    pub fn local_zone(&self) -> &TimeZone {
        &self.local
    }

    /// Writes one console line if `level` is enabled.
    pub fn log(&self, level: Level, name: &str, line: u32, message: &str) {
        if self.enabled(level) {
            self.sink.line(
                level,
                &format!(
                    "{}:{:<7}:{:<12}:{:<4}:{}",
                    asctime(Timestamp::now(), &self.local),
                    level.name(),
                    name,
                    line,
                    message
                ),
            );
        }
    }

    /// A log for one entry; with `file_level` (`log_to_file`) it also keeps the lines at that
    /// level and above for the entry's `.log` file.
    pub fn entry(&self, file_level: Option<Level>) -> EntryLog {
        EntryLog {
            logger: self.clone(),
            buffer: file_level.map(|l| (l, Mutex::new(String::new()))),
            notes: Mutex::new(Vec::new()),
        }
    }
}

/// The log of one entry: console lines plus, with `log_to_file`, the text of its `.log` file,
/// and the problems that did not stop the entry ([`EntryLog::note`]).
pub struct EntryLog {
    logger: Logger,
    buffer: Option<(Level, Mutex<String>)>,
    notes: Mutex<Vec<(Reason, String)>>,
}

impl EntryLog {
    /// Records a line at `level` from `name:line`.
    pub fn log(&self, level: Level, name: &str, line: u32, message: &str) {
        self.logger.log(level, name, line, message);
        if let Some((file_level, buf)) = &self.buffer {
            if level >= *file_level {
                if let Ok(mut b) = buf.lock() {
                    b.push_str(&format!(
                        "{}:{}:{:<12}:{}:{}\n",
                        asctime(Timestamp::now(), &self.logger.local),
                        level.name(),
                        name,
                        line,
                        message
                    ));
                }
            }
        }
    }

    /// Whether `level` is recorded anywhere (to skip building expensive messages).
    pub fn enabled(&self, level: Level) -> bool {
        self.logger.enabled(level) || self.buffer.as_ref().is_some_and(|(l, _)| level >= *l)
    }

    /// Remembers a problem that did not stop the entry (e.g. no preview could be made), with
    /// the `rejected.yml` reason it falls under. The runner reports it with the entry: in the
    /// journal, the report's warning count and `rejected.yml`. Use [`crate::note_at!`] to
    /// log it as a warning at the same time.
    pub fn note(&self, reason: Reason, message: &str) {
        if let Ok(mut n) = self.notes.lock() {
            n.push((reason, message.to_string()));
        }
    }

    /// The notes so far, emptied.
    pub fn take_notes(&self) -> Vec<(Reason, String)> {
        self.notes
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    /// The `.log` file text collected so far (empty without `log_to_file`).
    pub fn take_file_text(&self) -> String {
        self.buffer
            .as_ref()
            .and_then(|(_, b)| b.lock().ok().map(|mut s| std::mem::take(&mut *s)))
            .unwrap_or_default()
    }
}

/// Logs through a [`Logger`] or [`EntryLog`] with the caller's module and line:
/// `log_at!(log, Level::Info, "stored {}", uri)`.
#[macro_export]
macro_rules! log_at {
    ($log:expr, $level:expr, $($arg:tt)*) => {{
        let level = $level;
        if $log.enabled(level) {
            $log.log(level, &$crate::log::short_module(module_path!()), line!(), &format!($($arg)*));
        }
    }};
}

/// Logs a warning through an [`EntryLog`] with the caller's module and line, and notes it
/// with its reason ([`EntryLog::note`]): `note_at!(log, Reason::NoPreview, "{uri}: {e}")`.
#[macro_export]
macro_rules! note_at {
    ($log:expr, $reason:expr, $($arg:tt)*) => {{
        let message = format!($($arg)*);
        $log.log($crate::Level::Warning, &$crate::log::short_module(module_path!()), line!(), &message);
        $log.note($reason, &message);
    }};
}

/// `execute::entry` → `execute.entry`, the logger name shown in `%(name)-12s`.
pub fn short_module(path: &str) -> String {
    path.replace("::", ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_logging() {
        let sink = Arc::new(Collect::default());
        let logger = Logger::new(Level::Info, sink.clone());
        let e = logger.entry(Some(Level::Info));
        crate::log_at!(e, Level::Info, "hello {}", 1);
        crate::log_at!(e, Level::Debug, "hidden");
        let lines = sink.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 1);
        // `2026-11-21 06:58:58,169:INFO   :manage.log.tests:123 :hello 1`
        let tail = &lines[0][23..];
        assert!(
            tail.starts_with(":INFO   :manage.log.tests:"),
            "{}",
            lines[0]
        );
        assert!(tail.ends_with(" :hello 1"), "{}", lines[0]);
        let file = e.take_file_text();
        assert!(file[23..].starts_with(":INFO:manage.log.tests:"), "{file}");
        assert!(file.ends_with(":hello 1\n"), "{file}");
        crate::note_at!(e, Reason::NoPreview, "no preview: {}", "constant image");
        assert_eq!(
            e.take_notes(),
            vec![(Reason::NoPreview, "no preview: constant image".to_string())]
        );
        assert!(e.take_notes().is_empty());
        let file = e.take_file_text();
        assert!(file.contains(":WARNING:manage.log.tests:"), "{file}");
        assert!(file.ends_with(":no preview: constant image\n"), "{file}");
    }
}
