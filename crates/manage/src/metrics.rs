//! Service-call metrics (`observe_execution`), in the reference's YAML (caom2pipe.md §8.8).
//!
//! At the end of each todo list or time box, `<epoch>.<service>.yml` is written for every
//! service that was called (`caom2`, `si`, ...) with `action: {label: [elapsed s, bytes/s,
//! start epoch]}`, and `<epoch>.fail.yml` with `service: {action: {label: count}}` (`{}` when
//! empty). Unlike the reference, a zero elapsed time or unknown size gives a rate of 0.0
//! instead of a crash.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use crate::fsutil::{self, Sync};
use crate::yaml::{self, Out};

type History = BTreeMap<String, BTreeMap<String, BTreeMap<String, [f64; 3]>>>;
type Failures = BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>;

/// Collected call timings; shared by the worker threads.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<(History, Failures)>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Records a call of `service`/`action` on `label` that started at `start` (epoch
    /// seconds) and took `elapsed` seconds moving `size` bytes.
    pub fn observe(
        &self,
        service: &str,
        action: &str,
        label: &str,
        start: f64,
        elapsed: f64,
        size: Option<u64>,
    ) {
        let rate = match size {
            Some(s) if elapsed > 0.0 => s as f64 / elapsed,
            _ => 0.0,
        };
        if let Ok(mut g) = self.inner.lock() {
            g.0.entry(service.into())
                .or_default()
                .entry(action.into())
                .or_default()
                .insert(label.into(), [round3(elapsed), round3(rate), round3(start)]);
        }
    }

    /// Records a failed call.
    pub fn observe_failure(&self, service: &str, action: &str, label: &str) {
        if let Ok(mut g) = self.inner.lock() {
            *g.1.entry(service.into())
                .or_default()
                .entry(action.into())
                .or_default()
                .entry(label.into())
                .or_default() += 1;
        }
    }

    /// The files to write, `(file name, text)`, for the given epoch string.
    pub fn render(&self, epoch: &str) -> Vec<(String, String)> {
        let Ok(g) = self.inner.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (service, actions) in &g.0 {
            let doc = Out::Map(
                actions
                    .iter()
                    .map(|(a, labels)| {
                        (
                            a.clone(),
                            Out::Map(
                                labels
                                    .iter()
                                    .map(|(l, v)| {
                                        (
                                            l.clone(),
                                            Out::Seq(v.iter().map(|x| Out::Float(*x)).collect()),
                                        )
                                    })
                                    .collect(),
                            ),
                        )
                    })
                    .collect(),
            );
            out.push((format!("{epoch}.{service}.yml"), yaml::emit(&doc)));
        }
        let fails = Out::Map(
            g.1.iter()
                .map(|(s, actions)| {
                    (
                        s.clone(),
                        Out::Map(
                            actions
                                .iter()
                                .map(|(a, labels)| {
                                    (
                                        a.clone(),
                                        Out::Map(
                                            labels
                                                .iter()
                                                .map(|(l, n)| (l.clone(), Out::Int(*n as i64)))
                                                .collect(),
                                        ),
                                    )
                                })
                                .collect(),
                        ),
                    )
                })
                .collect(),
        );
        out.push((format!("{epoch}.fail.yml"), yaml::emit(&fails)));
        out
    }

    /// Writes the files into `dir` (atomically) and starts collecting afresh.
    pub fn write(&self, dir: &Path, epoch: &str) -> Result<(), fsutil::FsError> {
        for (name, text) in self.render(epoch) {
            fsutil::write_atomic(&dir.join(name), text.as_bytes(), Sync::Cached)?;
        }
        if let Ok(mut g) = self.inner.lock() {
            *g = Default::default();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_reference_shape() {
        let m = Metrics::new();
        m.observe("si", "put", "good1.fits", 1.0, 1.0, Some(1024));
        m.observe("caom2", "create", "good1", 2.0, 0.0, None);
        m.observe_failure("caom2", "create", "bad_meta");
        let files = m.render("1.5");
        let names: Vec<_> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["1.5.caom2.yml", "1.5.si.yml", "1.5.fail.yml"]);
        assert_eq!(
            files[1].1,
            "put:\n  good1.fits:\n  - 1.0\n  - 1024.0\n  - 1.0\n"
        );
        assert_eq!(files[2].1, "caom2:\n  create:\n    bad_meta: 1\n");
        let empty = Metrics::new().render("2");
        assert_eq!(empty, vec![("2.fail.yml".to_string(), "{}\n".to_string())]);
    }
}
