//! Records per second created in the sandbox over loopback, with 1 and with 8 requests in
//! flight (`cargo bench -p clients --bench services`).
//!
//! The sandbox runs in this process on its own runtime (2 threads), the client on its own
//! (2 threads), so both share the machine's cores as they would with `caom2pipe serve` on
//! the same host. Each record is an observation with one plane, one artifact, one part and
//! one chunk (about 3 KB of CAOM 2.4 XML); the records are built and checksummed before the
//! clock starts, so the figure is the service round trip: HTTP, XML read, validation,
//! server-side checksums and timestamps, the SQLite insert. Best of `CAOM2PIPE_BENCH_RUNS`
//! (default 3) runs of `CAOM2PIPE_BENCH_RECORDS` (default 2000) records each. With
//! `CAOM2PIPE_BENCH_URL=http://127.0.0.1:8080` the records go to that service instead (e.g. a
//! release `caom2pipe serve` in another process).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use caom2::{checksum, Artifact, Chunk, Observation, Part, Plane, ProductType, ReleaseType, Uri};
use clients::{ClientOptions, Http, Registry, RegistryOptions, RepoClient, RetryPolicy};

fn record(collection: &str, i: usize) -> Observation {
    let id = format!("bench-{i:06}");
    let mut o = Observation::simple(collection, &id);
    o.target = Some(caom2::Target::new(format!("target {i}")));
    let mut p = Plane::new("raw");
    let mut a = Artifact::new(
        Uri::parse(&format!("cadc:{collection}/{id}.fits")).unwrap(),
        ProductType::SCIENCE,
        ReleaseType::Data,
    );
    a.content_length = Some(1_000_000 + i as i64);
    a.content_type = Some("application/fits".into());
    a.content_checksum = Some(Uri::parse("md5:5d41402abc4b2a76b9719d911017c592").unwrap());
    let mut part = Part::new("0");
    part.chunks.push(Chunk::new());
    a.parts.push(part);
    p.artifacts.push(a);
    o.planes.push(p);
    checksum::update_checksums(&mut o);
    o
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful: run small.
    let quick = !std::env::args().any(|a| a == "--bench");
    let n = if quick {
        50
    } else {
        env("CAOM2PIPE_BENCH_RECORDS", 2000)
    };
    let runs = if quick {
        1
    } else {
        env("CAOM2PIPE_BENCH_RUNS", 3)
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let external = std::env::var("CAOM2PIPE_BENCH_URL").ok();
    let server = match &external {
        Some(_) => None,
        None => Some(
            sandbox::Server::start(sandbox::Options {
                bind: "127.0.0.1:0".parse().expect("address"),
                data: dir.path().join("data"),
                ..sandbox::Options::default()
            })
            .expect("sandbox"),
        ),
    };
    let base = external
        .clone()
        .or_else(|| server.as_ref().map(|s| s.base_url()))
        .expect("a service");
    let stamp = jiff::Timestamp::now().as_second();
    println!(
        "{} at {base}; {n} records per run, best of {runs}",
        if external.is_some() {
            "service"
        } else {
            "in-process sandbox"
        }
    );
    for in_flight in [1usize, 8] {
        let http = Arc::new(
            Http::new(ClientOptions {
                max_in_flight: in_flight,
                retry: RetryPolicy::none(),
                read_timeout: Some(Duration::from_secs(30)),
                ..ClientOptions::default()
            })
            .expect("client"),
        );
        let reg = Registry::new(http.clone(), RegistryOptions::default()).expect("registry");
        let repo = RepoClient::from_registry(&reg, &base).expect("endpoints");
        let mut best = f64::MAX;
        for run in 0..runs {
            let collection = format!("BENCH{stamp}F{in_flight}R{run}");
            let records: Vec<Observation> = (0..n).map(|i| record(&collection, i)).collect();
            // warm the connections
            for i in 0..in_flight {
                repo.create(&record(&format!("WARM{stamp}F{in_flight}R{run}"), i))
                    .expect("warm-up create");
            }
            let next = AtomicUsize::new(0);
            let t = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..in_flight {
                    s.spawn(|| loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(o) = records.get(i) else { return };
                        repo.create(o).expect("create");
                    });
                }
            });
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "create, {in_flight} in flight: {n} records in {best:.3} s = {:.0} records/s",
            n as f64 / best
        );
    }
}
