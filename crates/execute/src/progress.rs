//! Progress: a bar on a terminal, plain log lines otherwise.
//!
//! With a bar, warnings and errors are printed above it and the per-entry INFO lines are left
//! to the bar's counter; without one (a cron job, a container log), every entry gets its INFO
//! line in the reference's console format.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use manage::{Level, LogSink};

/// Whether standard output is a terminal (the bar is shown only then).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// The progress display of a run.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Console lines go here when there is a bar.
    sink: Arc<BarSink>,
}

/// Log lines printed above the bar (warnings and errors only, the bar counts entries).
pub struct BarSink {
    bar: Mutex<Option<ProgressBar>>,
}

impl LogSink for BarSink {
    fn line(&self, level: Level, text: &str) {
        if level < Level::Warning {
            return;
        }
        match self.bar.lock().ok().and_then(|b| b.clone()) {
            Some(b) => b.println(text),
            None => eprintln!("{text}"),
        }
    }
}

impl Progress {
    /// A bar when `show` (stdout is a terminal), otherwise nothing.
    pub fn new(show: bool) -> Progress {
        let bar =
            show.then(|| ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stdout()));
        Progress {
            sink: Arc::new(BarSink {
                bar: Mutex::new(bar.clone()),
            }),
            bar,
        }
    }

    /// Whether a bar is shown.
    pub fn is_bar(&self) -> bool {
        self.bar.is_some()
    }

    /// The sink console log lines should go to while the bar is shown.
    pub fn sink(&self) -> Arc<dyn LogSink> {
        self.sink.clone()
    }

    /// Starts a stage of `total` entries (unknown for a listing still streaming) with a label.
    pub fn start(&self, label: &str, total: Option<u64>) {
        if let Some(b) = &self.bar {
            // A listing still being walked has no total yet: count instead of a bar.
            let template = match total {
                Some(_) => "{spinner} {msg} [{bar:40}] {pos}/{len} entries, {elapsed} (eta {eta})",
                None => "{spinner} {msg}: {pos} entries, {elapsed}",
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            b.set_style(style);
            b.set_message(label.to_string());
            match total {
                Some(t) => b.set_length(t),
                None => b.unset_length(),
            }
            b.set_position(0);
        }
    }

    /// One entry finished.
    pub fn inc(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
