//! Metrics of every call: counts, attempts (so retries), failures, bytes each way and a
//! latency histogram per service and action, rendered as Prometheus text on request; and a
//! hook ([`CallObserver`]) through which the pipeline records each call in the reference's
//! metrics YAML (caom2pipe.md §8.8).
//!
//! A "call" is one logical operation (`caom2 create`, `si put`, ...), retries included; its
//! latency is the whole operation's, waits included, as the caller experiences it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Latency bucket upper bounds, seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// One finished call, as an observer sees it.
#[derive(Clone, Debug)]
pub struct CallRecord<'a> {
    /// `caom2`, `si`, `tap`, `reg`, `http` (the reference's service names where it has them).
    pub service: &'a str,
    /// `create`, `read`, `update`, `delete`, `list`; `info`, `get`, `get_head`, `put`,
    /// `remove`; `query`; `capabilities`; ...
    pub action: &'a str,
    /// The file name or observation id the call was about.
    pub label: &'a str,
    /// When it started.
    pub start: jiff::Timestamp,
    pub elapsed: Duration,
    /// Payload bytes moved (request bodies + response bodies, every attempt).
    pub bytes: u64,
    /// Attempts made (1 = no retry).
    pub attempts: u32,
    /// The call got an answer: a response below 500 (a 4xx is an answer the caller acts on),
    /// not a transport error, timeout, 429 or 5xx after every retry.
    pub ok: bool,
}

/// Receives every finished call.
pub trait CallObserver: Send + Sync {
    fn observe(&self, call: &CallRecord<'_>);
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Series {
    calls: u64,
    failures: u64,
    attempts: u64,
    bytes: u64,
    buckets: [u64; BUCKETS.len()],
    seconds: f64,
}

/// Totals over every service and action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub calls: u64,
    pub failures: u64,
    /// Attempts beyond the first of each call.
    pub retries: u64,
    pub bytes: u64,
}

/// The per-call statistics of one client (shared by its threads).
#[derive(Default)]
pub struct Stats {
    series: Mutex<BTreeMap<(String, String), Series>>,
    observers: Mutex<Vec<Arc<dyn CallObserver>>>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stats({:?})", self.totals())
    }
}

impl Stats {
    pub fn new() -> Stats {
        Stats::default()
    }

    /// Adds an observer that sees every call from now on.
    pub fn add_observer(&self, observer: Arc<dyn CallObserver>) {
        if let Ok(mut o) = self.observers.lock() {
            o.push(observer);
        }
    }

    /// Records a finished call.
    pub fn record(&self, call: &CallRecord<'_>) {
        if let Ok(mut m) = self.series.lock() {
            let s = m
                .entry((call.service.to_string(), call.action.to_string()))
                .or_default();
            s.calls += 1;
            s.attempts += u64::from(call.attempts.max(1));
            s.failures += u64::from(!call.ok);
            s.bytes += call.bytes;
            let secs = call.elapsed.as_secs_f64();
            s.seconds += secs;
            if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
                s.buckets[i] += 1;
            }
        }
        let observers = self.observers.lock().map(|o| o.clone()).unwrap_or_default();
        for o in observers {
            o.observe(call);
        }
    }

    /// Totals over everything recorded.
    pub fn totals(&self) -> Totals {
        let Ok(m) = self.series.lock() else {
            return Totals::default();
        };
        m.values().fold(Totals::default(), |mut t, s| {
            t.calls += s.calls;
            t.failures += s.failures;
            t.retries += s.attempts - s.calls;
            t.bytes += s.bytes;
            t
        })
    }

    /// Calls and retries of one service and action.
    pub fn calls(&self, service: &str, action: &str) -> (u64, u64) {
        self.series
            .lock()
            .ok()
            .and_then(|m| {
                m.get(&(service.to_string(), action.to_string()))
                    .map(|s| (s.calls, s.attempts - s.calls))
            })
            .unwrap_or((0, 0))
    }

    /// The statistics in the Prometheus text exposition format (version 0.0.4).
    pub fn prometheus(&self) -> String {
        let Ok(m) = self.series.lock() else {
            return String::new();
        };
        let mut out = String::new();
        let label = |(svc, act): &(String, String)| {
            format!("service=\"{}\",action=\"{}\"", escape(svc), escape(act))
        };
        type Counter = (&'static str, &'static str, fn(&Series) -> u64);
        let counters: [Counter; 5] = [
            (
                "caom2pipe_http_calls_total",
                "Calls by service and action.",
                |s| s.calls,
            ),
            (
                "caom2pipe_http_attempts_total",
                "HTTP requests made, retries included.",
                |s| s.attempts,
            ),
            (
                "caom2pipe_http_retries_total",
                "Requests repeated after a transient failure.",
                |s| s.attempts - s.calls,
            ),
            (
                "caom2pipe_http_failures_total",
                "Calls that got no answer (transport error, timeout, 429 or 5xx) after every retry.",
                |s| s.failures,
            ),
            (
                "caom2pipe_http_bytes_total",
                "Payload bytes sent and received.",
                |s| s.bytes,
            ),
        ];
        for (name, help, get) in counters {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            for (k, s) in m.iter() {
                let _ = writeln!(out, "{name}{{{}}} {}", label(k), get(s));
            }
        }
        let name = "caom2pipe_http_call_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Call latency, retries and waits included."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (k, s) in m.iter() {
            let l = label(k);
            let mut cumulative = 0;
            for (b, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                cumulative += n;
                let _ = writeln!(out, "{name}_bucket{{{l},le=\"{b}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{name}_bucket{{{l},le=\"+Inf\"}} {}", s.calls);
            let _ = writeln!(out, "{name}_sum{{{l}}} {}", s.seconds);
            let _ = writeln!(out, "{name}_count{{{l}}} {}", s.calls);
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Count(AtomicU64);
    impl CallObserver for Count {
        fn observe(&self, c: &CallRecord<'_>) {
            self.0.fetch_add(c.bytes, Ordering::SeqCst);
        }
    }

    fn call(action: &str, ms: u64, attempts: u32, ok: bool) -> CallRecord<'_> {
        CallRecord {
            service: "caom2",
            action,
            label: "obs",
            start: jiff::Timestamp::UNIX_EPOCH,
            elapsed: Duration::from_millis(ms),
            bytes: 10,
            attempts,
            ok,
        }
    }

    #[test]
    fn counts_and_renders_prometheus() {
        let s = Stats::new();
        let seen = Arc::new(Count(AtomicU64::new(0)));
        s.add_observer(seen.clone());
        s.record(&call("create", 3, 1, true));
        s.record(&call("create", 40, 3, true));
        s.record(&call("read", 2000, 6, false));
        assert_eq!(
            s.totals(),
            Totals {
                calls: 3,
                failures: 1,
                retries: 7,
                bytes: 30
            }
        );
        assert_eq!(s.calls("caom2", "create"), (2, 2));
        assert_eq!(seen.0.load(Ordering::SeqCst), 30);
        let text = s.prometheus();
        assert!(
            text.contains("caom2pipe_http_calls_total{service=\"caom2\",action=\"create\"} 2\n")
        );
        assert!(
            text.contains("caom2pipe_http_retries_total{service=\"caom2\",action=\"read\"} 5\n")
        );
        assert!(text.contains(
            "caom2pipe_http_call_duration_seconds_bucket{service=\"caom2\",action=\"create\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "caom2pipe_http_call_duration_seconds_bucket{service=\"caom2\",action=\"create\",le=\"0.05\"} 2\n"
        ));
        assert!(text.contains(
            "caom2pipe_http_call_duration_seconds_count{service=\"caom2\",action=\"read\"} 1\n"
        ));
    }
}
