//! The sandbox's REST contract, spoken to with a plain HTTP client (not our own clients, so
//! the service is checked independently of them).

use caom2::{checksum, Observation, Plane};
use fits2caom2::{Card, Header};
use reqwest::blocking::Client;
use reqwest::StatusCode;
use sandbox::{Options, Server};

fn start(token: Option<&str>) -> (tempfile::TempDir, Server) {
    let d = tempfile::tempdir().unwrap();
    let s = Server::start(Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        data: d.path().join("data"),
        token: token.map(String::from),
        ..Options::default()
    })
    .unwrap();
    (d, s)
}

/// A plain client (reqwest is built without a process-wide TLS provider).
fn client() -> Client {
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

fn obs(id: &str, planes: &[&str]) -> Observation {
    let mut o = Observation::simple("TEST", id);
    for p in planes {
        o.planes.push(Plane::new(*p));
    }
    checksum::update_checksums(&mut o);
    o
}

fn xml(o: &Observation) -> String {
    caom2::xml::write(o)
}

#[test]
fn observations_contract() {
    let (_d, s) = start(None);
    let c = client();
    let base = s.base_url();
    let url = format!("{base}/observations/TEST/o1");
    let o = obs("o1", &["raw"]);

    assert_eq!(c.get(&url).send().unwrap().status(), StatusCode::NOT_FOUND);
    let r = c.put(&url).body(xml(&o)).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let acc = o.entity.acc_meta_checksum.clone().unwrap();
    assert_eq!(r.headers()["etag"], acc.as_str());
    assert_eq!(
        c.put(&url).body(xml(&o)).send().unwrap().status(),
        StatusCode::CONFLICT
    );

    let r = c.get(&url).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/x-caom+xml");
    assert_eq!(r.headers()["etag"], acc.as_str());
    let stored = caom2::xml::read(&r.bytes().unwrap()).unwrap();
    assert!(stored.entity.max_last_modified.is_some());
    assert_eq!(stored.entity.acc_meta_checksum, o.entity.acc_meta_checksum);

    // conditional update
    let mut o2 = stored.clone();
    o2.planes.push(Plane::new("cal"));
    checksum::update_checksums(&mut o2);
    let r = c
        .post(&url)
        .header("If-Match", "md5:00000000000000000000000000000000")
        .body(xml(&o2))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert!(r.text().unwrap().contains("is md5:"));
    let r = c
        .post(&url)
        .header("If-Match", format!("\"{}\"", acc.as_str()))
        .body(xml(&o2))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let new_acc = o2.entity.acc_meta_checksum.clone().unwrap();
    assert_eq!(r.headers()["etag"], new_acc.as_str());
    // the old ETag is stale now
    let r = c
        .post(&url)
        .header("If-Match", acc.as_str())
        .body(xml(&o2))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    // a document with another id is not the stored observation
    let other = obs("o1", &["x"]);
    assert_eq!(
        c.post(&url).body(xml(&other)).send().unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // bad documents
    let wrong_path = format!("{base}/observations/TEST/o2");
    let r = c.put(&wrong_path).body(xml(&o)).send().unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("caom:TEST/o1"));
    assert_eq!(
        c.put(&wrong_path)
            .body("<not caom/>")
            .send()
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.put(&wrong_path).send().unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    let invalid = obs("o2", &["a b"]);
    let r = c.put(&wrong_path).body(xml(&invalid)).send().unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("invalid observation"));
    // (a connection of its own: the server answers before reading the whole body, then
    // closes the connection)
    let big = vec![b' '; 21 * 1024 * 1024];
    assert_eq!(
        client().put(&wrong_path).body(big).send().unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // update without If-Match of a missing observation; with If-Match it is a 412
    let o3 = obs("o3", &["raw"]);
    let u3 = format!("{base}/observations/TEST/o3");
    assert_eq!(
        c.post(&u3).body(xml(&o3)).send().unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post(&u3)
            .header("If-Match", "md5:1")
            .body(xml(&o3))
            .send()
            .unwrap()
            .status(),
        StatusCode::PRECONDITION_FAILED
    );

    // listings
    c.put(&u3).body(xml(&o3)).send().unwrap();
    let list = c
        .get(format!("{base}/observations/TEST?maxrec=10"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "TEST");
    assert_eq!(rows[0][1], "o1");
    assert_eq!(rows[0][3], new_acc.as_str());
    assert_eq!(rows[0][2].len(), 23);
    let desc = c
        .get(format!("{base}/observations/TEST?ORDER=desc&MAXREC=1"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(desc.contains("\to3\t"), "{desc}");
    let later = c
        .get(format!("{base}/observations/TEST?start={}", rows[1][2]))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(later.contains("\to3\t"));
    for bad in ["maxrec=0", "maxrec=x", "start=yesterday", "order=up"] {
        assert_eq!(
            c.get(format!("{base}/observations/TEST?{bad}"))
                .send()
                .unwrap()
                .status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let cols = c
        .get(format!("{base}/observations"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(cols, "TEST\n");

    // delete, recorded
    assert_eq!(c.delete(&url).send().unwrap().status(), StatusCode::OK);
    assert_eq!(
        c.delete(&url).send().unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let dels = c
        .get(format!("{base}/deletions/TEST"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let d: Vec<&str> = dels.trim_end().split('\t').collect();
    assert_eq!(d[0], o.entity.id.to_string());
    assert_eq!(&d[1..3], ["TEST", "o1"]);
}

fn fits_bytes() -> Vec<u8> {
    let mut h = Header::new();
    h.push(Card::new("SIMPLE", true, ""));
    h.push(Card::new("BITPIX", 8i64, ""));
    h.push(Card::new("NAXIS", 0i64, ""));
    h.push(Card::new("OBJECT", "M31", "target"));
    h.to_fits_block()
}

#[test]
fn files_contract_and_tap() {
    let (_d, s) = start(None);
    let c = client();
    let base = s.base_url();
    let url = format!("{base}/files/cadc:TEST/x.fits");
    let data = fits_bytes();
    let md5: String = {
        use md5::Digest;
        md5::Md5::digest(&data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let b64 = {
        use base64::Engine;
        let raw: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&md5[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        base64::engine::general_purpose::STANDARD.encode(raw)
    };
    assert_eq!(c.head(&url).send().unwrap().status(), StatusCode::NOT_FOUND);
    let r = c
        .put(&url)
        .header("Digest", "md5=AAAAAAAAAAAAAAAAAAAAAA==")
        .body(data.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(c.head(&url).send().unwrap().status(), StatusCode::NOT_FOUND);
    let r = c
        .put(&url)
        .header("Digest", format!("md5={b64}"))
        .header("Content-Type", "application/fits")
        .body(data.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c.head(&url).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-length"],
        data.len().to_string().as_str()
    );
    assert_eq!(r.headers()["digest"], format!("md5={b64}").as_str());
    assert_eq!(r.headers()["content-type"], "application/fits");
    assert!(r.headers().contains_key("last-modified"));
    let r = c.get(&url).send().unwrap();
    assert_eq!(r.bytes().unwrap().as_ref(), data.as_slice());
    let meta = c
        .get(format!("{url}?META=true"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(meta.contains("OBJECT  = 'M31     '"), "{meta}");
    assert!(meta.lines().any(|l| l.trim_end() == "END"));
    // metadata update
    let r = c
        .post(&url)
        .header("Content-Type", "image/fits")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        c.head(&url).send().unwrap().headers()["content-type"],
        "image/fits"
    );
    for bad in ["nouri", "cadc:TEST/../x"] {
        assert_eq!(
            c.head(format!("{base}/files/{bad}"))
                .send()
                .unwrap()
                .status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    // a second file, then TAP
    c.put(format!("{base}/files/cadc:OTHER/y.fits"))
        .body("y")
        .send()
        .unwrap();
    c.put(format!("{base}/files/cadc:TEST/x_prev.jpg"))
        .body("jpg")
        .send()
        .unwrap();
    let q = "SELECT A.uri, A.lastModified FROM inventory.Artifact AS A WHERE A.uri LIKE 'cadc:TEST/%' \
             AND A.uri NOT LIKE '%jpg' AND A.lastModified > '2000-01-01 00:00:00' ORDER BY A.lastModified";
    let r = c
        .post(format!("{base}/tap/sync"))
        .form(&[("LANG", "ADQL"), ("QUERY", q), ("RESPONSEFORMAT", "tsv")])
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let t = r.text().unwrap();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "uri\tlastModified");
    assert_eq!(lines.len(), 2, "{t}");
    assert!(lines[1].starts_with("cadc:TEST/x.fits\t"));
    // LIKE is case-sensitive, as in ADQL
    let r = c
        .get(format!("{base}/tap/sync"))
        .query(&[
            (
                "QUERY",
                "SELECT uri FROM inventory.Artifact WHERE uri LIKE 'CADC:%'",
            ),
            ("LANG", "ADQL"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.text().unwrap(), "uri\n");
    let r = c
        .get(format!("{base}/tap/sync"))
        .query(&[("QUERY", "DELETE FROM artifact")])
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    assert_eq!(
        c.delete(&url).send().unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(c.get(&url).send().unwrap().status(), StatusCode::NOT_FOUND);

    let m = c
        .get(format!("{base}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(m.contains("path=\"files\",status=\"201\"}"), "{m}");
}

#[test]
fn tokens_and_capabilities() {
    let (_d, s) = start(Some("sekrit"));
    let c = client();
    let base = s.base_url();
    let caps = c.get(format!("{base}/capabilities")).send().unwrap();
    assert_eq!(caps.status(), StatusCode::OK);
    let caps = caps.text().unwrap();
    for (id, path) in [
        ("CAOM2Repository#obs-1.2", "observations"),
        ("CAOM2Repository#del-1.0", "deletions"),
        ("storage#files-1.0", "files"),
        ("ivo://ivoa.net/std/TAP", "tap"),
    ] {
        assert!(caps.contains(id), "{id}");
        assert!(
            caps.contains(&format!("{base}/{path}</accessURL>")),
            "{path}"
        );
    }
    assert!(caps.contains("ivo://ivoa.net/sso#token"));
    let url = format!("{base}/observations/TEST/x");
    assert_eq!(
        c.get(&url).send().unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.get(&url).bearer_auth("wrong").send().unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.get(&url).bearer_auth("sekrit").send().unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn data_survives_a_restart() {
    let d = tempfile::tempdir().unwrap();
    let opts = Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        data: d.path().to_path_buf(),
        ..Options::default()
    };
    let s = Server::start(opts.clone()).unwrap();
    let c = client();
    let o = obs("keep", &["raw"]);
    c.put(format!("{}/observations/TEST/keep", s.base_url()))
        .body(xml(&o))
        .send()
        .unwrap();
    c.put(format!("{}/files/cadc:TEST/keep.txt", s.base_url()))
        .body("kept")
        .send()
        .unwrap();
    s.stop();
    let s = Server::start(opts).unwrap();
    assert_eq!(
        c.get(format!("{}/observations/TEST/keep", s.base_url()))
            .send()
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get(format!("{}/files/cadc:TEST/keep.txt", s.base_url()))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "kept"
    );
}
