//! Test support: a sandbox on loopback and clients pointed at it.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use caom2::{checksum, Observation, Plane};
use clients::{ClientOptions, Http, RetryPolicy};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub server: sandbox::Server,
}

pub fn sandbox() -> Env {
    sandbox_with(|_| {})
}

pub fn sandbox_with(f: impl FnOnce(&mut sandbox::Options)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut o = sandbox::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        data: dir.path().join("data"),
        ..sandbox::Options::default()
    };
    f(&mut o);
    let server = sandbox::Server::start(o).unwrap();
    Env { dir, server }
}

/// Options with fast retries (a test must not wait seconds per retry).
pub fn fast() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            retries: 6,
            base: Duration::from_millis(5),
            max: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        read_timeout: Some(Duration::from_millis(500)),
        connect_timeout: Duration::from_secs(2),
        ..ClientOptions::default()
    }
}

pub fn http(o: ClientOptions) -> Arc<Http> {
    Arc::new(Http::new(o).unwrap())
}

pub fn obs(id: &str, planes: &[&str]) -> Observation {
    let mut o = Observation::simple("TEST", id);
    for p in planes {
        o.planes.push(Plane::new(*p));
    }
    checksum::update_checksums(&mut o);
    o
}

pub fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    clients::digest::hex(&md5::Md5::digest(data))
}
