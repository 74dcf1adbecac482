//! `caom2pipe serve` (the local sandbox service), `caom2pipe visit` (visitors over existing
//! records), and the service side of `caom2pipe run` (backends, work sources and metrics
//! from config.yml).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use execute::services::{backends, Backends};
use execute::visit::{Visit, VisitOptions};
use execute::RunExtras;
use manage::fsutil::Sync;
use manage::services::IncrementalWork;
use manage::{Config, Level, Logger, Metrics, Problem, RunMode, Severity, Visitor};

use crate::collections;

/// Options of `caom2pipe serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Directory for the database (sandbox.db) and the stored files (files/).
    #[arg(long, default_value = "sandbox")]
    data: PathBuf,
    /// Require `Authorization: Bearer <token>`, the token being the first line of this file.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM)...
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// ... and this private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Require client certificates signed by this CA (PEM); needs --tls-cert.
    #[arg(long, requires = "tls_cert")]
    client_ca: Option<PathBuf>,
}

/// `caom2pipe serve [--bind 127.0.0.1:8080] [--data DIR]`.
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let read = |p: &Path| std::fs::read(p).with_context(|| p.display().to_string());
    let token = match &args.token_file {
        Some(p) => {
            match clients::Credentials::token_file(p).map_err(|e| anyhow::anyhow!("{e}"))? {
                clients::Credentials::Token(t) => Some(t),
                _ => None,
            }
        }
        None => None,
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => Some(sandbox::tls::TlsSetup {
            cert_chain_pem: read(c)?,
            key_pem: read(k)?,
            client_ca_pem: args.client_ca.as_deref().map(read).transpose()?,
        }),
        _ => None,
    };
    if !args.bind.ip().is_loopback() && token.is_none() && args.client_ca.is_none() {
        eprintln!(
            "caom2pipe serve: warning: listening on {} without a token or client certificates: anyone who can reach it can change its records",
            args.bind
        );
    }
    let server = sandbox::Server::start(sandbox::Options {
        bind: args.bind,
        data: args.data.clone(),
        token,
        tls,
        ..sandbox::Options::default()
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let base = server.base_url();
    // Written with errors ignored: a closed standard output must not stop the service.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "caom2pipe sandbox at {base} (data in {})\n  capabilities: {base}/capabilities\n\
             \x20 config.yml:   resource_id: {base}\n\
             \x20               storage_inventory_resource_id: {base}\n\
             \x20               storage_inventory_tap_resource_id: {base}\n\
             \x20 or a registry_file_name line: ivo://example.org/sandbox = {base}/capabilities\n\
             Ctrl-C stops it.",
            args.data.display()
        );
        let _ = out.flush();
    }
    server.wait_for_signal();
    server.stop();
    Ok(ExitCode::SUCCESS)
}

/// Options of `caom2pipe visit`.
#[derive(Args, Debug)]
pub struct VisitArgs {
    /// The visitor: `compute` (plane metadata from chunks), `checksums` (recompute meta
    /// checksums and stamp metaProducer), or a collection name (its meta visitors, with each
    /// artifact's headers and file information from storage).
    #[arg(long)]
    plugin: String,
    /// The collection whose records are visited.
    collection: String,
    /// Only records whose maxLastModified is at or after this (ISO 8601, UTC).
    #[arg(long)]
    start: Option<String>,
    /// Only records whose maxLastModified is at or before this (ISO 8601, UTC).
    #[arg(long)]
    end: Option<String>,
    /// config.yml naming the services (default: ./config.yml when present, otherwise the
    /// embedded repository under the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Records visited at once.
    #[arg(long, default_value_t = 4)]
    threads: usize,
    /// Stop at the first failure.
    #[arg(long)]
    halt_on_error: bool,
}

/// A time given on the command line: `2024-03-23`, `2024-03-23T10:25:00[.fff][Z]` (UTC).
fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    let t = s.trim().trim_end_matches('Z');
    let dt: jiff::civil::DateTime = t.parse().ok().or_else(|| {
        t.parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.at(0, 0, 0, 0))
    })?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// `caom2pipe visit --plugin NAME COLLECTION [--start T] [--end T]`.
pub fn visit(args: VisitArgs) -> anyhow::Result<ExitCode> {
    let config_path = args.config.clone().or_else(|| {
        Path::new("config.yml")
            .is_file()
            .then(|| PathBuf::from("config.yml"))
    });
    let mut config = match &config_path {
        Some(p) => match Config::read(p) {
            Ok(c) => c,
            Err(e) => {
                for p in &e.problems {
                    eprintln!("{p}");
                }
                return Ok(ExitCode::from(2));
            }
        },
        None => Config::defaults(&manage::config::absolute(Path::new("."))),
    };
    config.collection = args.collection.clone();
    let mut times = Vec::new();
    for (name, v) in [("--start", &args.start), ("--end", &args.end)] {
        times.push(match v {
            None => None,
            Some(s) => match parse_time(s) {
                Some(t) => Some(t),
                None => {
                    eprintln!("caom2pipe visit: {name} {s:?} is not a date or time");
                    return Ok(ExitCode::from(2));
                }
            },
        });
    }
    let compute = astro::visitor::ComputeVisitor;
    let collection = match args.plugin.as_str() {
        "compute" | "checksums" => None,
        name => {
            // a registered collection, or the generic one with config.yml's blueprint
            let known = collections::registry().get(name).is_some()
                || name.eq_ignore_ascii_case(&config.collection);
            config.collection = name.to_string();
            match collections::collection_for(&config, None) {
                Ok(c) if known && !c.meta_visitors().is_empty() => Some(c),
                _ => {
                    eprintln!(
                        "caom2pipe visit: unknown plugin {name:?} (compute, checksums, a registered collection [{}], or the collection of config.yml with a blueprint)",
                        collections::registry().names().join(", ")
                    );
                    return Ok(ExitCode::from(2));
                }
            }
        }
    };
    config.collection = args.collection.clone();
    let visitors: Vec<&dyn Visitor> = match (&collection, args.plugin.as_str()) {
        (Some(c), _) => c.meta_visitors(),
        (None, "compute") => vec![&compute],
        _ => Vec::new(),
    };
    let b = backends(&config, RunMode::Todo, Sync::Durable, None)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let producer = collection
        .as_ref()
        .map(|c| c.version())
        .unwrap_or_else(|| format!("caom2pipe/{}", env!("CARGO_PKG_VERSION")));
    let logger = Logger::new(
        config.logging_level.max(Level::Info),
        Arc::new(manage::log::Stderr),
    );
    let v = Visit {
        config: &config,
        repository: b.repository.as_ref(),
        storage: Some(b.storage.as_ref()),
        visitors,
        meta_producer: &producer,
        logger,
    };
    let s = v
        .run(&VisitOptions {
            collection: args.collection.clone(),
            start: times[0],
            end: times[1],
            threads: args.threads,
            halt_on_error: args.halt_on_error,
            load_files: collection.is_some(),
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "caom2pipe visit {} over {} in {}: {} listed, {} updated, {} unchanged, {} gone, {} failed ({} re-read after a concurrent change)",
        args.plugin,
        args.collection,
        b.repository.describe(),
        s.listed,
        s.updated,
        s.unchanged,
        s.gone,
        s.failed.len(),
        s.conflicts
    );
    for (id, m) in s.failed.iter().take(10) {
        println!("  failed: {id}: {}", manage::one_line(m));
    }
    Ok(ExitCode::from(u8::from(!s.failed.is_empty())))
}

/// What `caom2pipe run` gets from config.yml's services.
pub struct RunServices {
    pub backends: Backends,
    pub extras: RunExtras,
    /// Things to tell the operator first (a certificate about to expire).
    pub warnings: Vec<String>,
    pub http: Option<Arc<clients::Http>>,
}

fn problem(key: &str, location: &str, message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        key: key.into(),
        location: location.into(),
        message,
    }
}

/// Backends, work source and transfer for a run; problems (an unreachable service, a bad
/// certificate) name the key.
pub fn for_run(
    config: &Config,
    mode: RunMode,
    metrics: Option<Arc<Metrics>>,
) -> Result<RunServices, Vec<Problem>> {
    let location = config
        .file
        .as_ref()
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "config.yml".into());
    let mut b = backends(config, mode, Sync::Durable, metrics)
        .map_err(|e| vec![problem(e.key, &location, e.source.to_string())])?;
    let mut extras = RunExtras::default();
    let mut warnings = Vec::new();
    let mut http = None;
    if let Some(c) = &b.connections {
        warnings = c.warnings();
        if mode == RunMode::Incremental {
            extras.source = c
                .incremental_source(config)
                .map_err(|e| vec![problem(e.key, &location, e.source.to_string())])?;
        }
        extras.transfer = Some(Arc::new(c.transfer()));
        if config.uses_services(mode) {
            extras.stats = Some(c.http().stats().clone());
        }
        http = Some(c.http().clone());
    }
    // the connections live on in the backends' clients
    b.connections = None;
    Ok(RunServices {
        backends: b,
        extras,
        warnings,
        http,
    })
}

/// The `work:` line of `run --check` for an incremental run.
pub fn describe_incremental(config: &Config) -> String {
    let what = match config.incremental_work() {
        IncrementalWork::LocalFiles => {
            format!("by modification time in {}", config.data_sources.join(", "))
        }
        IncrementalWork::HttpListings(urls) => format!(
            "of HTTP directory listings {} (times in {})",
            urls.join(", "),
            config.time_zone
        ),
        IncrementalWork::StorageInventory => format!(
            "of Storage Inventory files {}:{}/* by lastModified ({})",
            config.scheme, config.collection, config.storage_inventory_tap_resource_id
        ),
    };
    format!(
        "time boxes of {} minutes {what}, bookmark {:?} in {}",
        config.interval,
        config.bookmark_key(),
        config
            .state_fqn()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    )
}

/// After a run: the service calls, and with `observe_execution` their statistics as
/// Prometheus text (`<observable_directory>/caom2pipe.prom`, a node_exporter textfile).
pub fn after_run(config: &Config, report: &execute::RunReport, http: Option<&clients::Http>) {
    if let Some(t) = report.service_calls {
        println!(
            "  services: {} calls, {} retried, {} failed, {} bytes",
            t.calls, t.retries, t.failures, t.bytes
        );
    }
    if let (Some(h), Some(dir), true) = (
        http,
        &config.observable_directory,
        config.observe_execution && report.service_calls.is_some(),
    ) {
        let path = dir.join("caom2pipe.prom");
        if let Err(e) = execute::services::write_prometheus(h, &path) {
            eprintln!("caom2pipe: warning: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_times() {
        assert_eq!(
            parse_time("2024-03-23").unwrap().to_string(),
            "2024-03-23T00:00:00Z"
        );
        assert_eq!(
            parse_time("2024-03-23T10:25:00.5Z").unwrap().to_string(),
            "2024-03-23T10:25:00.5Z"
        );
        assert!(parse_time("yesterday").is_none());
    }
}
