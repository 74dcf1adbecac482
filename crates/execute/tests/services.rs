//! The pipeline against real services on loopback: the sandbox (caom2repo, Storage
//! Inventory, TAP), a fault-injecting proxy in front of it, and a small HTTP server serving
//! Apache-style directory listings.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clients::{ClientOptions, Http, RetryPolicy};
use common::{Fixture, TestCollection};
use execute::services::{backends_with, Connections};
use execute::visit::{Visit, VisitOptions};
use execute::{Pipeline, RunExtras, RunOptions, RunReport};
use fits2caom2::{Card, Header};
use manage::fsutil::Sync;
use manage::{Config, EntryError, Level, Logger, RunMode, VisitContext, VisitReport, Visitor};
use sandbox::faults::{FaultPlan, FaultProxy};

fn sandbox() -> (tempfile::TempDir, sandbox::Server) {
    let d = tempfile::tempdir().unwrap();
    let s = sandbox::Server::start(sandbox::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        data: d.path().join("data"),
        ..sandbox::Options::default()
    })
    .unwrap();
    (d, s)
}

fn fast_http(read_timeout_ms: u64) -> Arc<Http> {
    Arc::new(
        Http::new(ClientOptions {
            retry: RetryPolicy {
                retries: 8,
                base: Duration::from_millis(5),
                max: Duration::from_millis(50),
                max_retry_after: Duration::from_secs(1),
            },
            read_timeout: Some(Duration::from_millis(read_timeout_ms)),
            ..ClientOptions::default()
        })
        .unwrap(),
    )
}

/// A FITS file of one header block (what the test mapping needs: OBJECT).
fn tiny_fits(path: &Path, object: &str) {
    let mut h = Header::new();
    h.push(Card::new("SIMPLE", true, ""));
    h.push(Card::new("BITPIX", 8i64, ""));
    h.push(Card::new("NAXIS", 0i64, ""));
    h.push(Card::new("OBJECT", object, ""));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, h.to_fits_block()).unwrap();
}

fn run(
    c: &Config,
    coll: &dyn manage::Collection,
    http: Arc<Http>,
    mode: RunMode,
) -> Result<RunReport, execute::RunError> {
    run_observed(c, coll, http, mode, None)
}

fn run_observed(
    c: &Config,
    coll: &dyn manage::Collection,
    http: Arc<Http>,
    mode: RunMode,
    metrics: Option<Arc<manage::Metrics>>,
) -> Result<RunReport, execute::RunError> {
    let stats = http.stats().clone();
    let conns = Connections::with_http(http, c, None).unwrap();
    let source = match mode {
        RunMode::Incremental => conns.incremental_source(c).unwrap(),
        RunMode::Todo => None,
    };
    let transfer: Arc<dyn execute::transfer::Transfer> = Arc::new(conns.transfer());
    let b = backends_with(c, Some(conns), Sync::Cached, metrics.clone()).unwrap();
    let p = Pipeline {
        config: c,
        collection: coll,
        repository: b.repository.as_ref(),
        storage: b.storage.as_ref(),
        logger: Logger::new(Level::Error, Arc::new(manage::log::Collect::default())),
        metrics,
        sync: Sync::Cached,
    };
    p.run_with(
        &RunOptions {
            mode,
            todo: None,
            progress_bar: false,
        },
        RunExtras {
            source,
            transfer: Some(transfer),
            stats: Some(stats),
        },
    )
}

fn service_config(fx: &Fixture, base: &str, extra: &str) -> Config {
    fx.config(&format!(
        "collection: TEST\ntask_types: [store, ingest]\nuse_local_files: true\ndata_sources: [data]\n\
         log_file_directory: logs\nlogging_level: ERROR\nparallel_count: 4\n\
         resource_id: {base}\nstorage_inventory_resource_id: {base}\n{extra}"
    ))
}

/// A mapping that gives the same record for the same file (the common test mapping makes
/// new parts, with new ids, on every visit): target from OBJECT, a plane per product, an
/// artifact per file with its size and md5.
struct Stable;
impl Visitor for Stable {
    fn name(&self) -> &str {
        "stable"
    }
    fn visit(
        &self,
        obs: &mut caom2::Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let sn = ctx.storage_name;
        for f in ctx.files {
            let object = f
                .headers
                .as_ref()
                .and_then(|h| h.get(0, "OBJECT"))
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            obs.target = Some(caom2::Target::new(object));
            if obs.plane(&sn.product_id).is_none() {
                obs.planes.push(caom2::Plane::new(sn.product_id.as_str()));
            }
            let plane = obs.plane_mut(&sn.product_id).unwrap();
            if plane.artifact(&f.uri).is_none() {
                plane.artifacts.push(caom2::Artifact::new(
                    caom2::Uri::parse(&f.uri).unwrap(),
                    caom2::ProductType::SCIENCE,
                    caom2::ReleaseType::Data,
                ));
            }
            let a = plane.artifact_mut(&f.uri).unwrap();
            let info = f.info.as_ref().unwrap();
            a.content_length = info.size.map(|s| s as i64);
            a.content_checksum = info.checksum_uri().map(|c| caom2::Uri::parse(&c).unwrap());
        }
        Ok(VisitReport::new())
    }
}

struct StableCollection(Stable);
impl manage::Collection for StableCollection {
    fn name(&self) -> &str {
        "TEST"
    }
    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.0]
    }
}

#[test]
fn a_run_stores_and_ingests_into_the_services_and_a_second_run_updates_in_place() {
    let (_d, server) = sandbox();
    let fx = Fixture::new();
    for i in 0..12 {
        tiny_fits(&fx.path(&format!("data/obs{i:02}.fits")), "M31");
    }
    // the services by resource ID, through the registry override file
    std::fs::write(
        fx.path("resource-caps"),
        format!(
            "ivo://example.org/sandbox = {}/capabilities\n",
            server.base_url()
        ),
    )
    .unwrap();
    let c = service_config(
        &fx,
        "ivo://example.org/sandbox",
        "registry_file_name: resource-caps\nregistry_url: http://127.0.0.1:9/none\n",
    );
    assert!(c.uses_repository_service() && c.uses_storage_service());
    let coll = StableCollection(Stable);
    let http = fast_http(2000);
    let r = run(&c, &coll, http.clone(), RunMode::Todo).unwrap();
    assert_eq!((r.summary.successes, r.summary.errors), (12, 0));
    let conns = Connections::with_http(http.clone(), &c, None).unwrap();
    let repo = conns.repository(&c).unwrap();
    let store = conns.storage(&c).unwrap();
    use manage::{Repository, Storage};
    assert_eq!(repo.list("TEST").unwrap().len(), 12);
    let o = repo.get("TEST", "obs03").unwrap().unwrap();
    assert_eq!(o.target.as_ref().unwrap().name, "M31");
    let info = store.info("cadc:TEST/obs03.fits").unwrap().unwrap();
    assert_eq!(info.size, Some(2880));
    assert!(!fx.path("repository").exists() && !fx.path("storage").exists());

    // change two files: the second run updates those records in place (If-Match), leaves
    // the others as they are, and creates nothing new
    tiny_fits(&fx.path("data/obs03.fits"), "M33");
    tiny_fits(&fx.path("data/obs07.fits"), "M33");
    let (creates, _) = http.stats().calls("caom2", "create");
    let (updates, _) = http.stats().calls("caom2", "update");
    let (puts, _) = http.stats().calls("si", "put");
    let r = run(&c, &coll, http.clone(), RunMode::Todo).unwrap();
    assert_eq!((r.summary.successes, r.summary.errors), (12, 0));
    assert_eq!(http.stats().calls("caom2", "create").0, creates);
    assert_eq!(http.stats().calls("caom2", "update").0 - updates, 2);
    assert_eq!(
        http.stats().calls("si", "put").0 - puts,
        2,
        "unchanged files are not sent"
    );
    let o2 = repo.get("TEST", "obs03").unwrap().unwrap();
    assert_eq!(o2.target.as_ref().unwrap().name, "M33");
    assert_eq!(o2.entity.id, o.entity.id, "updated in place");
    assert_eq!(repo.list("TEST").unwrap().len(), 12);
    assert!(repo
        .client()
        .deletions("TEST", clients::Window::default())
        .unwrap()
        .is_empty());
}

#[test]
fn incremental_over_storage_inventory() {
    let (_d, server) = sandbox();
    let base = server.base_url();
    let fx = Fixture::new();
    // files already in Storage Inventory (another pipeline stored them)
    let http = fast_http(2000);
    let files = clients::FilesClient::from_registry(
        &clients::Registry::new(http.clone(), Default::default()).unwrap(),
        &base,
    )
    .unwrap();
    let scratch = fx.path("scratch");
    for (i, name) in ["a.fits", "b.fits", "c.fits", "c_prev.jpg"]
        .iter()
        .enumerate()
    {
        let p = scratch.join(name);
        tiny_fits(&p, if i == 1 { "BAD" } else { "M51" });
        let data = std::fs::read(&p).unwrap();
        let md5 = clients::digest::hex(&{
            use md5::Digest;
            md5::Md5::digest(&data)
        });
        files
            .put(
                &format!("cadc:TEST/{name}"),
                clients::Body::Bytes(data),
                &md5,
                "application/fits",
                None,
            )
            .unwrap();
    }
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let end = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(60);
    let fmt = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M:%S").to_string();
    std::fs::write(
        fx.path("state.yml"),
        format!(
            "bookmarks:\n  test_timestamp:\n    last_record: {}\n    end_timestamp: {}\n",
            fmt(start),
            fmt(end)
        ),
    )
    .unwrap();
    let c = fx.config(&format!(
        "collection: TEST\ntask_types: [ingest]\nstate_file_name: state.yml\ninterval: 30\n\
         log_file_directory: logs\nlogging_level: ERROR\nresource_id: {base}\n\
         storage_inventory_resource_id: {base}\nstorage_inventory_tap_resource_id: {base}\n"
    ));
    let problems = c.check(RunMode::Incremental);
    assert!(
        problems
            .iter()
            .all(|p| p.severity != manage::Severity::Error),
        "{problems:?}"
    );
    let coll = TestCollection::new(0);
    let metrics = Arc::new(manage::Metrics::new());
    let r = run_observed(
        &c,
        &coll,
        http.clone(),
        RunMode::Incremental,
        Some(metrics.clone()),
    )
    .unwrap();
    // every call in the reference's metrics YAML: the TAP queries too
    let files = metrics.render("1");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec!["1.caom2.yml", "1.si.yml", "1.tap.yml", "1.fail.yml"]
    );
    assert!(
        files[2].1.starts_with("query:\n  query:\n  - "),
        "{}",
        files[2].1
    );
    assert!(
        files[1].1.contains("get_head:\n  a.fits:"),
        "{}",
        files[1].1
    );
    // b.fits is a known rejection (OBJECT = BAD); the preview is not work
    assert_eq!(
        (r.summary.inputs, r.summary.successes, r.summary.errors),
        (3, 2, 1)
    );
    let conns = Connections::with_http(http, &c, None).unwrap();
    let repo = conns.repository(&c).unwrap();
    use manage::Repository;
    assert_eq!(repo.list("TEST").unwrap(), vec!["a", "c"]);
    let a = repo.get("TEST", "a").unwrap().unwrap();
    let art = &a.planes[0].artifacts[0];
    assert_eq!(art.content_length, Some(2880), "file info from the service");
    // the bookmark stops just before the failed entry
    let state = std::fs::read_to_string(fx.path("state.yml")).unwrap();
    let last = state
        .lines()
        .find_map(|l| l.trim().strip_prefix("last_record: "))
        .unwrap();
    assert!(
        last < fmt(end).as_str() && last > fmt(start).as_str(),
        "{state}"
    );
}

#[test]
fn incremental_over_http_listings() {
    let (_d, server) = sandbox();
    let base = server.base_url();
    let fx = Fixture::new();
    let scratch = fx.path("scratch");
    let mut pages = HashMap::new();
    let fits = |name: &str| {
        let p = scratch.join(name);
        tiny_fits(&p, "NGC1");
        std::fs::read(p).unwrap()
    };
    pages.insert(
        "/pub/".into(),
        testkit::apache_listing(&[
            ("2024/", "2024-01-02 00:00"),
            ("old/", "2019-01-01 00:00"),
            ("NESS/", "2024-01-01 00:00"),
        ]),
    );
    pages.insert(
        "/pub/2024/".into(),
        testkit::apache_listing(&[("001/", "2024-01-01 12:00")]),
    );
    pages.insert(
        "/pub/2024/001/".into(),
        testkit::apache_listing(&[
            ("x1.fits", "2024-01-01 10:00"),
            ("x2.fits", "01-Jan-2024 11:30"),
            ("x3.fits", "2024-01-01 13:00"),
            ("notes.txt", "2024-01-01 10:00"),
        ]),
    );
    pages.insert(
        "/pub/NESS/".into(),
        testkit::apache_listing(&[("n1.fits", "2024-01-01 09:00")]),
    );
    pages.insert(
        "/pub/old/".into(),
        testkit::apache_listing(&[("o1.fits", "2024-01-01 09:00")]),
    );
    for (p, f) in [
        ("/pub/2024/001/x1.fits", "x1.fits"),
        ("/pub/2024/001/x2.fits", "x2.fits"),
        ("/pub/2024/001/x3.fits", "x3.fits"),
        ("/pub/NESS/n1.fits", "n1.fits"),
        ("/pub/old/o1.fits", "o1.fits"),
    ] {
        pages.insert(p.into(), fits(f));
    }
    let (addr, requests) = testkit::serve_pages(pages);
    let root = format!("http://{addr}/pub/");
    // US/Eastern: 2024-01-01 12:00 local is 17:00 UTC, so x3 (13:00 local) is outside
    std::fs::write(
        fx.path("state.yml"),
        format!(
            "bookmarks:\n  {root}:\n    last_record: 2024-01-01 08:00:00\n    end_timestamp: 2024-01-01 12:00:00\n"
        ),
    )
    .unwrap();
    let c = fx.config(&format!(
        "collection: TEST\ntask_types: [store, ingest]\ndata_sources: [{root}]\n\
         data_source_extensions: [.fits]\nlisting_filters: ['20*|NESS']\nstate_file_name: state.yml\n\
         time_zone: US/Eastern\ninterval: 60\nlog_file_directory: logs\nlogging_level: ERROR\n\
         resource_id: {base}\nstorage_inventory_resource_id: {base}\n"
    ));
    assert_eq!(c.bookmark_key(), root);
    let coll = TestCollection::new(0);
    let http = fast_http(2000);
    let r = run(&c, &coll, http.clone(), RunMode::Incremental).unwrap();
    assert_eq!(
        (r.summary.successes, r.summary.errors),
        (3, 0),
        "{:?}",
        r.unresolved
    );
    let conns = Connections::with_http(http, &c, None).unwrap();
    use manage::{Repository, Storage};
    let repo = conns.repository(&c).unwrap();
    assert_eq!(repo.list("TEST").unwrap(), vec!["n1", "x1", "x2"]);
    let store = conns.storage(&c).unwrap();
    assert!(store.info("cadc:TEST/x2.fits").unwrap().is_some());
    let seen = requests.lock().unwrap().clone();
    assert!(!seen.iter().any(|p| p.starts_with("/pub/old")), "{seen:?}");
    let state = std::fs::read_to_string(fx.path("state.yml")).unwrap();
    assert!(
        state.contains("last_record: 2024-01-01 12:00:00"),
        "{state}"
    );
}

#[test]
fn two_pipelines_updating_one_observation_lose_nothing() {
    let (_d, server) = sandbox();
    let base = server.base_url();
    let fixtures: Vec<Fixture> = (0..2).map(|_| Fixture::new()).collect();
    let n = 10;
    for (w, fx) in fixtures.iter().enumerate() {
        for i in 0..n {
            tiny_fits(&fx.path(&format!("data/shared_{w}{i:02}.fits")), "M101");
        }
    }
    let http = fast_http(2000);
    std::thread::scope(|s| {
        for fx in &fixtures {
            let http = http.clone();
            let base = base.clone();
            s.spawn(move || {
                let c = service_config(fx, &base, "");
                let mut coll = TestCollection::new(0);
                coll.group_by_prefix = true;
                let r = run(&c, &coll, http, RunMode::Todo).unwrap();
                assert_eq!(r.summary.errors, 0, "{:?}", r.unresolved);
            });
        }
    });
    let c = service_config(&fixtures[0], &base, "");
    let conns = Connections::with_http(http, &c, None).unwrap();
    use manage::Repository;
    let repo = conns.repository(&c).unwrap();
    let o = repo.get("TEST", "shared").unwrap().unwrap();
    let mut planes: Vec<_> = o.planes.iter().map(|p| p.product_id.clone()).collect();
    planes.sort();
    assert_eq!(planes.len(), 2 * n, "{planes:?}");
}

struct Tag;
impl Visitor for Tag {
    fn name(&self) -> &str {
        "tag"
    }
    fn visit(
        &self,
        obs: &mut caom2::Observation,
        _ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        obs.meta_read_groups = vec![caom2::Uri::parse("ivo://example.org/gms?TEST").unwrap()];
        Ok(VisitReport::new())
    }
}

#[test]
fn visitors_run_over_existing_records() {
    let (_d, server) = sandbox();
    let fx = Fixture::new();
    for i in 0..6 {
        tiny_fits(&fx.path(&format!("data/v{i}.fits")), "M1");
    }
    let c = service_config(&fx, &server.base_url(), "");
    let coll = TestCollection::new(0);
    let http = fast_http(2000);
    run(&c, &coll, http.clone(), RunMode::Todo).unwrap();
    let conns = Connections::with_http(http, &c, None).unwrap();
    let repo = conns.repository(&c).unwrap();
    let tag = Tag;
    let visit = Visit {
        config: &c,
        repository: &repo,
        storage: None,
        visitors: vec![&tag],
        meta_producer: "caom2pipe/test",
        logger: Logger::new(Level::Error, Arc::new(manage::log::Collect::default())),
    };
    let opts = VisitOptions {
        collection: "TEST".into(),
        start: None,
        end: None,
        threads: 3,
        halt_on_error: false,
        load_files: false,
    };
    let s = visit.run(&opts).unwrap();
    assert_eq!((s.listed, s.updated, s.unchanged), (6, 6, 0), "{s:?}");
    let s = visit.run(&opts).unwrap();
    assert_eq!((s.listed, s.updated, s.unchanged), (6, 0, 6), "{s:?}");
    // a window in the future lists nothing
    let later = VisitOptions {
        start: Some(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)),
        ..opts
    };
    assert_eq!(visit.run(&later).unwrap().listed, 0);
}

#[test]
fn a_thousand_entries_through_faults_end_with_everything_exactly_once() {
    let (_d, server) = sandbox();
    let proxy = FaultProxy::start(server.addr(), FaultPlan::none()).unwrap();
    let fx = Fixture::new();
    let n = 1000;
    for i in 0..n {
        tiny_fits(&fx.path(&format!("data/f{i:04}.fits")), "M42");
    }
    let c = service_config(&fx, &proxy.base_url(), "");
    let coll = TestCollection::new(0);
    let http = fast_http(250);
    // the endpoints are resolved before faults start
    let conns = Connections::with_http(http.clone(), &c, None).unwrap();
    conns.repository(&c).unwrap();
    proxy.set_plan(FaultPlan {
        seed: 42,
        burst_503: 0.004,
        burst_len: 3,
        retry_after: Some(0),
        reset_before: 0.01,
        reset_after: 0.01,
        stall: 0.002,
        stall_for: Duration::from_millis(600),
        truncate: 0.01,
    });
    let r = run(&c, &coll, http.clone(), RunMode::Todo).unwrap();
    proxy.set_plan(FaultPlan::none());
    let faults = proxy.counts();
    let totals = http.stats().totals();
    println!(
        "1000 entries: report {:?}; proxy {faults:?}; client {totals:?}",
        r.summary
    );
    assert_eq!(
        (r.summary.inputs, r.summary.successes, r.summary.errors),
        (n, n, 0)
    );
    assert!(faults.unavailable > 0 && faults.resets_before > 0 && faults.resets_after > 0);
    assert!(faults.stalls > 0 && faults.truncations > 0);
    assert_eq!(
        totals.retries,
        faults.faults(),
        "every fault cost one retry"
    );
    let calls = r.service_calls.unwrap();
    assert_eq!(calls.retries, faults.faults(), "the run report counts them");
    assert_eq!(totals.failures, 0);
    // every record and every file exactly once
    use manage::Repository;
    let repo = conns.repository(&c).unwrap();
    let states = repo.list_states("TEST", None, None).unwrap();
    let mut ids: Vec<_> = states.iter().map(|s| s.observation_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((states.len(), ids.len()), (n as usize, n as usize));
    let tap = clients::TapClient::from_registry(
        &clients::Registry::new(http, Default::default()).unwrap(),
        &server.base_url(),
    )
    .unwrap();
    let t = tap
        .query("SELECT uri, contentLength FROM inventory.Artifact WHERE uri LIKE 'cadc:TEST/%'")
        .unwrap();
    assert_eq!(t.rows.len(), n as usize);
    assert!(t.rows.iter().all(|r| r[1] == "2880"));
    assert!(repo
        .client()
        .deletions("TEST", clients::Window::default())
        .unwrap()
        .is_empty());
}
