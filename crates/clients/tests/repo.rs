//! The caom2repo client against the sandbox on loopback.

mod common;

use std::sync::Arc;

use caom2::{checksum, Plane, Timestamp};
use clients::{Conditional, ErrorKind, Registry, RegistryOptions, RepoClient, Window};
use common::*;

fn repo(env: &Env) -> RepoClient {
    let http = http(fast());
    let reg = Registry::new(http, RegistryOptions::default()).unwrap();
    RepoClient::from_registry(&reg, &env.server.base_url()).unwrap()
}

#[test]
fn read_create_update_delete() {
    let env = sandbox();
    let r = repo(&env);
    assert_eq!(r.read("TEST", "o1").unwrap(), None);
    let o = obs("o1", &["raw"]);
    r.create(&o).unwrap();
    let e = r.create(&o).unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::AlreadyExists, Some(409)));
    let v = r.read("TEST", "o1").unwrap().unwrap();
    let etag = v.etag.clone().unwrap();
    assert_eq!(
        Some(etag.as_str()),
        o.entity.acc_meta_checksum.as_ref().map(|u| u.as_str())
    );
    let mut changed = v.observation.clone();
    changed.planes.push(Plane::new("cal"));
    checksum::update_checksums(&mut changed);
    let e = r.update(&changed, Some("md5:0")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::PreconditionFailed);
    r.update(&changed, Some(&etag)).unwrap();
    let e = r.update(&changed, Some(&etag)).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::PreconditionFailed,
        "the ETag is stale now"
    );
    r.update(&changed, None).unwrap();
    assert_eq!(
        r.read("TEST", "o1")
            .unwrap()
            .unwrap()
            .observation
            .planes
            .len(),
        2
    );
    // a bad document is a 400 with the service's message
    let mut bad = obs("o2", &["a b"]);
    bad.planes[0].product_id = "a b".into();
    let e = r.create(&bad).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert!(e.message.contains("invalid observation"), "{e}");
    assert_eq!(e.attempts, 1, "4xx is never retried");
    r.delete("TEST", "o1").unwrap();
    assert_eq!(
        r.delete("TEST", "o1").unwrap_err().kind,
        ErrorKind::NotFound
    );
    let d = r.deletions("TEST", Window::default()).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].observation_id, "o1");
    assert_eq!(d[0].id, o.entity.id.to_string());
    assert!(r.collections().unwrap().is_empty());
}

#[test]
fn listing_pages_by_time_with_boundaries() {
    let env = sandbox();
    let r = repo(&env);
    let n = 57;
    for i in 0..n {
        r.create(&obs(&format!("o{i:03}"), &["raw"])).unwrap();
    }
    assert_eq!(r.collections().unwrap(), vec!["TEST"]);
    let all = r.list("TEST", Window::default()).unwrap();
    assert_eq!(all.len(), n);
    // Many rows share a millisecond; every page size lists each row exactly once.
    for page in [1, 2, 5, 10, 56, 57, 58] {
        let l = r
            .list(
                "TEST",
                Window {
                    page,
                    ..Window::default()
                },
            )
            .unwrap();
        let mut ids: Vec<_> = l.iter().map(|s| s.observation_id.clone()).collect();
        assert_eq!(ids.len(), n, "page {page}");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "page {page}");
        assert!(l
            .windows(2)
            .all(|w| w[0].max_last_modified <= w[1].max_last_modified));
    }
    // inclusive window bounds
    let t = all[20].max_last_modified;
    let from = r
        .list(
            "TEST",
            Window {
                start: Some(t),
                page: 7,
                ..Window::default()
            },
        )
        .unwrap();
    assert!(from.iter().all(|s| s.max_last_modified >= t));
    assert!(from
        .iter()
        .any(|s| s.observation_id == all[20].observation_id));
    let none = r
        .list(
            "TEST",
            Window {
                end: Some(Timestamp(0)),
                ..Window::default()
            },
        )
        .unwrap();
    assert!(none.is_empty());
    assert!(all[0]
        .acc_meta_checksum
        .as_deref()
        .unwrap()
        .starts_with("md5:"));
}

#[test]
fn two_concurrent_updaters_never_lose_an_update() {
    let env = sandbox();
    let r = Arc::new(repo(&env));
    r.create(&obs("shared", &[])).unwrap();
    let per_writer = 25;
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|w| {
            let r = r.clone();
            std::thread::spawn(move || {
                let mut conflicts = 0;
                for i in 0..per_writer {
                    let id = format!("{w}{i}");
                    match r
                        .update_with("TEST", "shared", |o| {
                            o.planes.push(Plane::new(id.as_str()));
                            true
                        })
                        .unwrap()
                    {
                        Conditional::Updated { conflicts: c } => conflicts += c,
                        Conditional::Unchanged => panic!("a new plane is a change"),
                    }
                }
                conflicts
            })
        })
        .collect();
    let conflicts: u32 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let o = r.read("TEST", "shared").unwrap().unwrap().observation;
    let mut ids: Vec<_> = o.planes.iter().map(|p| p.product_id.clone()).collect();
    ids.sort();
    assert_eq!(
        ids.len(),
        2 * per_writer,
        "{conflicts} conflicts were re-applied"
    );
    for w in ["a", "b"] {
        for i in 0..per_writer {
            assert!(ids.contains(&format!("{w}{i}")));
        }
    }
    // a change that changes nothing writes nothing
    assert_eq!(
        r.update_with("TEST", "shared", |_| true).unwrap(),
        Conditional::Unchanged
    );
    assert_eq!(
        r.update_with("TEST", "missing", |_| true).unwrap_err().kind,
        ErrorKind::NotFound
    );
}
