//! Resilience: the clients behind a fault-injecting proxy in front of the sandbox.

mod common;

use std::time::{Duration, Instant};

use clients::{Body, ErrorKind, FilesClient, Registry, RegistryOptions, RepoClient, RetryPolicy};
use common::*;
use sandbox::faults::{FaultPlan, FaultProxy};

fn behind(
    env: &Env,
    plan: FaultPlan,
    o: clients::ClientOptions,
) -> (FaultProxy, RepoClient, FilesClient) {
    let proxy = FaultProxy::start(env.server.addr(), FaultPlan::none()).unwrap();
    let http = http(o);
    let reg = Registry::new(http, RegistryOptions::default()).unwrap();
    let repo = RepoClient::from_registry(&reg, &proxy.base_url()).unwrap();
    let files = FilesClient::from_registry(&reg, &proxy.base_url()).unwrap();
    proxy.set_plan(plan);
    (proxy, repo, files)
}

#[test]
fn retry_after_is_honoured_and_4xx_never_retried() {
    let env = sandbox();
    let plan = FaultPlan {
        burst_503: 1.0,
        burst_len: 2,
        retry_after: Some(1),
        ..FaultPlan::none()
    };
    let (proxy, repo, _) = behind(&env, plan, fast());
    let t = Instant::now();
    // The first attempt gets a 503 with Retry-After: 1; faults are off (and the burst
    // cancelled) before the client comes back.
    let first = std::thread::spawn({
        let repo = repo.clone();
        move || repo.read("TEST", "nothing")
    });
    std::thread::sleep(Duration::from_millis(200));
    proxy.set_plan(FaultPlan::none());
    assert_eq!(first.join().unwrap().unwrap(), None);
    // the client waited what the server asked, not its own 5 ms backoff
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    let c = proxy.counts();
    assert_eq!(c.unavailable, 1, "{c:?}");
    assert_eq!(repo.http().stats().calls("caom2", "read"), (1, 1));

    // 4xx: one request each, no retry
    let before = proxy.counts().requests;
    let o = obs("dup", &[]);
    repo.create(&o).unwrap();
    assert_eq!(repo.create(&o).unwrap_err().kind, ErrorKind::AlreadyExists);
    assert_eq!(
        repo.update(&o, Some("md5:0")).unwrap_err().kind,
        ErrorKind::PreconditionFailed
    );
    assert_eq!(proxy.counts().requests - before, 3);
}

#[test]
fn every_kind_of_fault_is_survived_and_counted() {
    let env = sandbox();
    let plan = FaultPlan {
        seed: 7,
        burst_503: 0.01,
        burst_len: 3,
        retry_after: Some(0),
        reset_before: 0.02,
        reset_after: 0.02,
        stall: 0.01,
        stall_for: Duration::from_millis(800),
        truncate: 0.03,
    };
    let mut o = fast();
    o.read_timeout = Some(Duration::from_millis(300));
    o.retry.retries = 8;
    let (proxy, repo, files) = behind(&env, plan, o);
    let n = 150;
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (repo, files) = (repo.clone(), files.clone());
            let dir = env.dir.path().join(format!("w{w}"));
            std::thread::spawn(move || {
                for i in (w..n).step_by(4) {
                    let id = format!("o{i}");
                    let o = obs(&id, &["raw"]);
                    repo.create(&o).unwrap();
                    let back = repo.read("TEST", &id).unwrap().unwrap();
                    assert_eq!(back.observation.planes.len(), 1);
                    let mut changed = back.observation.clone();
                    changed.planes.push(caom2::Plane::new("cal"));
                    caom2::checksum::update_checksums(&mut changed);
                    repo.update(&changed, back.etag.as_deref()).unwrap();
                    let data = format!("file {i} ").repeat(50).into_bytes();
                    let md5 = md5_hex(&data);
                    let uri = format!("cadc:TEST/f{i}.fits");
                    files
                        .put(
                            &uri,
                            Body::Bytes(data.clone()),
                            &md5,
                            "application/fits",
                            None,
                        )
                        .unwrap();
                    let dest = dir.join(format!("f{i}.fits"));
                    let got = files.get(&uri, &dest).unwrap();
                    assert_eq!(got.md5.as_deref(), Some(md5.as_str()));
                    assert_eq!(std::fs::read(&dest).unwrap(), data);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    proxy.set_plan(FaultPlan::none());
    let listed = repo.list("TEST", clients::Window::default()).unwrap();
    assert_eq!(listed.len(), n);
    assert!(listed.iter().all(|s| {
        let o = repo
            .read("TEST", &s.observation_id)
            .unwrap()
            .unwrap()
            .observation;
        o.planes.len() == 2
    }));
    let c = proxy.counts();
    let t = repo.http().stats().totals();
    println!("faults {c:?}, client {t:?}");
    assert!(c.unavailable > 0 && c.resets_before > 0 && c.resets_after > 0);
    assert!(c.stalls > 0 && c.truncations > 0);
    assert_eq!(t.failures, 0);
    // each injected fault cost exactly one retry
    assert_eq!(t.retries, c.faults(), "{c:?} {t:?}");
}

#[test]
fn a_service_that_never_answers_is_a_timeout() {
    let env = sandbox();
    let mut o = fast();
    o.read_timeout = Some(Duration::from_millis(100));
    o.retry = RetryPolicy {
        retries: 1,
        ..o.retry
    };
    let plan = FaultPlan {
        stall: 1.0,
        stall_for: Duration::from_millis(400),
        ..FaultPlan::none()
    };
    let (_proxy, repo, _) = behind(&env, plan, o);
    let e = repo.read("TEST", "x").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.attempts, 2);
    assert!(e.kind.is_transient());

    // 503 through every retry: unavailable, transient
    let plan = FaultPlan {
        burst_503: 1.0,
        burst_len: 1,
        retry_after: Some(0),
        ..FaultPlan::none()
    };
    let mut o = fast();
    o.retry = RetryPolicy {
        retries: 2,
        ..o.retry
    };
    let (_proxy2, repo, _) = behind(&env, plan, o);
    let e = repo.read("TEST", "x").unwrap_err();
    assert_eq!(
        (e.kind, e.status, e.attempts),
        (ErrorKind::Unavailable, Some(503), 3)
    );
    assert!(e.kind.is_transient());
    assert_eq!(repo.http().stats().totals().failures, 1);

    // a refused connection is a transport error
    let http = http(fast_no_retry());
    let reg = Registry::new(http, RegistryOptions::default()).unwrap();
    let e = RepoClient::from_registry(&reg, "http://127.0.0.1:9").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport, "{e}");
}

fn fast_no_retry() -> clients::ClientOptions {
    let mut o = fast();
    o.retry = RetryPolicy::none();
    o
}

#[test]
fn requests_in_flight_are_bounded() {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // a service that holds each request 30 ms and records how many it holds at once
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (n2, p2) = (now.clone(), peak.clone());
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let (now, peak) = (n2.clone(), p2.clone());
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    while let Ok(n) = r.read_line(&mut line) {
                        if n <= 2 {
                            break;
                        }
                    }
                    let c = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(c, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    now.fetch_sub(1, Ordering::SeqCst);
                    if s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    let mut o = fast();
    o.max_in_flight = 2;
    let http = http(o);
    let repo = RepoClient::new(
        http,
        url::Url::parse(&format!("http://{addr}/observations")).unwrap(),
        None,
    );
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for i in 0..4 {
                    assert_eq!(repo.read("TEST", &format!("x{i}")).unwrap(), None);
                }
            });
        }
    });
    assert_eq!(
        peak.load(Ordering::SeqCst),
        2,
        "8 threads, at most 2 requests at once"
    );
}
