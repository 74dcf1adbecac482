//! Storage Inventory files and TAP clients against the sandbox on loopback.

mod common;

use clients::{Body, ErrorKind, FilesClient, PutOutcome, Registry, RegistryOptions, TapClient};
use common::*;
use fits2caom2::{Card, Header};

fn clients(env: &Env) -> (FilesClient, TapClient) {
    let http = http(fast());
    let reg = Registry::new(http, RegistryOptions::default()).unwrap();
    let base = env.server.base_url();
    (
        FilesClient::from_registry(&reg, &base).unwrap(),
        TapClient::from_registry(&reg, &base).unwrap(),
    )
}

fn fits() -> Vec<u8> {
    let mut h = Header::new();
    h.push(Card::new("SIMPLE", true, ""));
    h.push(Card::new("BITPIX", 8i64, ""));
    h.push(Card::new("NAXIS", 0i64, ""));
    h.push(Card::new("EXTEND", true, ""));
    h.push(Card::new("OBJECT", "M31", ""));
    let mut e = Header::new();
    e.push(Card::new("XTENSION", "IMAGE", ""));
    e.push(Card::new("BITPIX", 8i64, ""));
    e.push(Card::new("NAXIS", 0i64, ""));
    e.push(Card::new("PCOUNT", 0i64, ""));
    e.push(Card::new("GCOUNT", 1i64, ""));
    e.push(Card::new("EXPTIME", 30.0, ""));
    let mut b = h.to_fits_block();
    b.extend(e.to_fits_block());
    b
}

#[test]
fn put_info_get_headers_remove() {
    let env = sandbox();
    let (f, _) = clients(&env);
    let uri = "cadc:TEST/m31.fits";
    let data = fits();
    let md5 = md5_hex(&data);
    assert_eq!(f.info(uri).unwrap(), None);

    let src = env.dir.path().join("m31.fits");
    std::fs::write(&src, &data).unwrap();
    let (o, info) = f
        .put(uri, Body::File(src.clone()), &md5, "application/fits", None)
        .unwrap();
    assert_eq!(o, PutOutcome::Stored);
    assert_eq!(info.md5.as_deref(), Some(md5.as_str()));
    assert_eq!(info.size, Some(data.len() as u64));
    // the same content again: nothing is sent
    let (o, _) = f
        .put(uri, Body::File(src.clone()), &md5, "application/fits", None)
        .unwrap();
    assert_eq!(o, PutOutcome::Unchanged);
    assert_eq!(f.http().stats().calls("si", "put"), (1, 0));
    // same content, other type: a metadata update
    let (o, info) = f
        .put(uri, Body::File(src), &md5, "image/fits", None)
        .unwrap();
    assert_eq!(o, PutOutcome::MetadataUpdated);
    assert_eq!(info.content_type.as_deref(), Some("image/fits"));

    let info = f.info(uri).unwrap().unwrap();
    assert_eq!(info.md5.as_deref(), Some(md5.as_str()));
    assert_eq!(info.content_type.as_deref(), Some("image/fits"));
    assert!(info.last_modified.is_some());

    let dest = env.dir.path().join("out/m31.fits");
    let got = f.get(uri, &dest).unwrap();
    assert_eq!(got.md5.as_deref(), Some(md5.as_str()));
    assert_eq!(std::fs::read(&dest).unwrap(), data);

    let text = f.headers(uri).unwrap();
    let headers = fits2caom2::Headers::from_dump_bytes(text.as_bytes(), uri).unwrap();
    assert_eq!(headers.len(), 2);
    assert_eq!(
        headers.get(1, "EXPTIME"),
        Some(&fits2caom2::Value::Float(30.0))
    );

    // a wrong md5 claim is refused by the service and nothing is stored
    let e = f
        .put(
            "cadc:TEST/other.fits",
            Body::Bytes(b"abc".to_vec()),
            &md5,
            "application/fits",
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::PreconditionFailed);
    assert_eq!(f.info("cadc:TEST/other.fits").unwrap(), None);

    f.remove(uri).unwrap();
    assert_eq!(f.remove(uri).unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(
        f.get(uri, &dest).unwrap_err().kind,
        ErrorKind::NotFound,
        "and the old copy is not touched by a failed get"
    );
    assert_eq!(f.headers(uri).unwrap_err().kind, ErrorKind::NotFound);
    assert!(f.info("not a uri").is_err());
}

#[test]
fn tap_time_boxes_over_the_inventory() {
    let env = sandbox();
    let (f, tap) = clients(&env);
    for name in ["a.fits", "b.fits", "a_prev.jpg"] {
        let data = name.as_bytes().to_vec();
        let md5 = md5_hex(&data);
        f.put(
            &format!("cadc:TEST/{name}"),
            Body::Bytes(data),
            &md5,
            "application/fits",
            None,
        )
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    let data = b"x".to_vec();
    f.put(
        "cadc:OTHER/c.fits",
        Body::Bytes(data.clone()),
        &md5_hex(&data),
        "application/fits",
        None,
    )
    .unwrap();
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(3600);
    let end = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
    let q = clients::tap::inventory_time_box_query("cadc:TEST/", start, end);
    let t = tap.query(&q).unwrap();
    let uri = t.column("uri").unwrap();
    let lm = t.column("lastModified").unwrap();
    let uris: Vec<&str> = t.rows.iter().map(|r| r[uri].as_str()).collect();
    assert_eq!(uris, vec!["cadc:TEST/a.fits", "cadc:TEST/b.fits"]);
    let t0 = clients::tap::parse_ivoa_time(&t.rows[0][lm]).unwrap();
    // the box is half-open: (t0, end] leaves a.fits out
    let q = clients::tap::inventory_time_box_query("cadc:TEST/", t0, end);
    let later = tap.query(&q).unwrap();
    assert_eq!(later.rows.len(), 1);
    assert_eq!(later.rows[0][uri], "cadc:TEST/b.fits");
    let e = tap.query("SELECT nothing FROM nowhere").unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
}
