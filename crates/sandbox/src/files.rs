//! `/files/{uri}`: the Storage Inventory files API (minoc `files-1.0`).
//!
//! * `HEAD`: `Content-Length`, `Digest: md5=<base64>`, `Content-Type`, `Content-Encoding`,
//!   `Last-Modified`;
//! * `GET`: the content, streamed, with the same headers; `?META=true` gives the text
//!   headers of every HDU (the reference's `fhead`, one card per line and `END` after each);
//! * `PUT`: streamed to a temporary file with its md5, refused with 412 when a `Digest` was
//!   sent and does not match, then renamed into place (a transfer cut short stores nothing);
//! * `POST`: updates `Content-Type`/`Content-Encoding` of a stored file;
//! * `DELETE`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::StreamExt;
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::db::StoredFile;
use crate::{blocking, text, App, SandboxError};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn digest_value(md5_hex: &str) -> Option<String> {
    let raw: Option<Vec<u8>> = (0..md5_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(md5_hex.get(i..i + 2)?, 16).ok())
        .collect();
    let raw = raw.filter(|r| r.len() == 16)?;
    Some(format!(
        "md5={}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    ))
}

/// The hex md5 of a request's `Digest` header, if it has an md5 (an unreadable one is an
/// error).
fn requested_md5(headers: &HeaderMap) -> Result<Option<String>, String> {
    let Some(v) = headers.get("digest").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    for part in v.split(',') {
        if let Some((alg, val)) = part.trim().split_once('=') {
            if alg.trim().eq_ignore_ascii_case("md5") {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(val.trim())
                    .map_err(|_| format!("invalid Digest: {v}"))?;
                if raw.len() != 16 {
                    return Err(format!("invalid Digest: {v}"));
                }
                return Ok(Some(hex(&raw)));
            }
        }
    }
    Ok(None)
}

/// A storage URI: `scheme:path` with no empty or dot elements.
fn valid_uri(uri: &str) -> bool {
    match uri.split_once(':') {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && rest
                    .split('/')
                    .all(|s| !s.is_empty() && s != "." && s != "..")
        }
        None => false,
    }
}

/// The name extension kept on stored files (`.fits.fz`), so readers that go by name work.
fn extension(uri: &str) -> String {
    let name = uri.rsplit(['/', ':']).next().unwrap_or("");
    let ext = name.find('.').map_or("", |i| &name[i..]);
    ext.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .take(24)
        .collect()
}

fn metadata_headers(f: &StoredFile) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut h = Vec::new();
    let mut add = |k: header::HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.push((k, v));
        }
    };
    add(header::CONTENT_LENGTH, &f.content_length.to_string());
    if let Some(d) = digest_value(&f.md5) {
        add(header::HeaderName::from_static("digest"), &d);
    }
    add(
        header::CONTENT_TYPE,
        f.content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
    );
    if let Some(e) = &f.content_encoding {
        add(header::CONTENT_ENCODING, e);
    }
    if let Some(d) = crate::time::http_date(&f.last_modified) {
        add(header::LAST_MODIFIED, &d);
    }
    add(header::ETAG, &format!("\"md5:{}\"", f.md5));
    h
}

fn with_headers(
    status: StatusCode,
    h: Vec<(header::HeaderName, HeaderValue)>,
    body: Body,
) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    for (k, v) in h {
        r.headers_mut().insert(k, v);
    }
    r
}

/// Every method of `/files/{uri}`.
pub async fn files(
    State(app): State<Arc<App>>,
    method: Method,
    Path(uri): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !valid_uri(&uri) {
        return text(
            StatusCode::BAD_REQUEST,
            format!("invalid storage URI {uri:?} (expected scheme:path)"),
        );
    }
    let meta = q
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("meta") && v.eq_ignore_ascii_case("true"));
    match method {
        Method::HEAD | Method::GET => get(app, uri, method == Method::HEAD, meta).await,
        Method::PUT => put(app, uri, headers, body).await,
        Method::POST => update(app, uri, headers).await,
        Method::DELETE => remove(app, uri).await,
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

async fn lookup(app: &Arc<App>, uri: &str) -> Result<Option<StoredFile>, Response> {
    let a = app.clone();
    let u = uri.to_string();
    match tokio::task::spawn_blocking(move || a.db.file(&u)).await {
        Ok(Ok(f)) => Ok(f),
        Ok(Err(e)) => Err(e.into_response()),
        Err(e) => Err(text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

async fn get(app: Arc<App>, uri: String, head: bool, meta: bool) -> Response {
    let f = match lookup(&app, &uri).await {
        Ok(Some(f)) => f,
        Ok(None) => return text(StatusCode::NOT_FOUND, format!("not found: {uri}")),
        Err(r) => return r,
    };
    let path = app.files_dir.join(&f.file);
    if meta {
        let name = uri.clone();
        return blocking(move || {
            let headers = fits2caom2::Headers::read(&path).map_err(|e| {
                SandboxError::BadRequest(format!("{name}: no FITS headers to show: {e}"))
            })?;
            let mut out = String::new();
            for h in headers.hdus() {
                out.push_str(&h.to_dump_text());
            }
            Ok(([(header::CONTENT_TYPE, "text/plain")], out).into_response())
        })
        .await;
    }
    let h = metadata_headers(&f);
    if head {
        return with_headers(StatusCode::OK, h, Body::empty());
    }
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(e) => {
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{uri}: stored file unreadable: {e}"),
            )
        }
    };
    let stream = futures_util::stream::unfold(Some(file), |state| async move {
        let mut f = state?;
        let mut buf = vec![0u8; 256 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    with_headers(StatusCode::OK, h, Body::from_stream(stream))
}

async fn put(app: Arc<App>, uri: String, headers: HeaderMap, body: Body) -> Response {
    let expected = match requested_md5(&headers) {
        Ok(m) => m,
        Err(e) => return text(StatusCode::BAD_REQUEST, e),
    };
    let header_str = |k: header::HeaderName| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header_str(header::CONTENT_TYPE);
    let encoding = header_str(header::CONTENT_ENCODING);
    let id = uuid::Uuid::new_v4().to_string();
    let file = format!("{id}{}", extension(&uri));
    let tmp: PathBuf = app.files_dir.join(format!(".{file}.part"));
    let received = async {
        let mut out = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| e.to_string())?;
        let mut h = Md5::new();
        let mut size = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("the upload was cut short: {e}"))?;
            h.update(&chunk);
            size += chunk.len() as u64;
            out.write_all(&chunk).await.map_err(|e| e.to_string())?;
        }
        out.flush().await.map_err(|e| e.to_string())?;
        out.sync_data().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((hex(&h.finalize()), size))
    }
    .await;
    let (md5, size) = match received {
        Ok(r) => r,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return text(StatusCode::BAD_REQUEST, e);
        }
    };
    if let Some(e) = &expected {
        if *e != md5 {
            let _ = tokio::fs::remove_file(&tmp).await;
            return text(
                StatusCode::PRECONDITION_FAILED,
                format!("{uri}: received md5 {md5}, the Digest says {e}"),
            );
        }
    }
    let record = StoredFile {
        uri: uri.clone(),
        id,
        file: file.clone(),
        content_length: size,
        md5,
        content_type,
        content_encoding: encoding,
        last_modified: crate::time::now(),
    };
    blocking(move || {
        let dest = app.files_dir.join(&file);
        std::fs::rename(&tmp, &dest).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            SandboxError::Io(format!("{}: {e}", dest.display()))
        })?;
        match app.db.put_file(&record) {
            Ok(Some(old)) if old != file => {
                let _ = std::fs::remove_file(app.files_dir.join(old));
            }
            Ok(_) => {}
            Err(e) => {
                let _ = std::fs::remove_file(&dest);
                return Err(e);
            }
        }
        Ok(with_headers(
            StatusCode::CREATED,
            metadata_headers(&record)
                .into_iter()
                .filter(|(k, _)| *k != header::CONTENT_LENGTH)
                .collect(),
            Body::empty(),
        ))
    })
    .await
}

async fn update(app: Arc<App>, uri: String, headers: HeaderMap) -> Response {
    let get = |k: header::HeaderName| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let ct = get(header::CONTENT_TYPE);
    let enc = get(header::CONTENT_ENCODING);
    blocking(move || {
        Ok(
            if app
                .db
                .set_file_meta(&uri, ct.as_deref(), enc.as_deref(), &crate::time::now())?
            {
                StatusCode::NO_CONTENT.into_response()
            } else {
                text(StatusCode::NOT_FOUND, format!("not found: {uri}"))
            },
        )
    })
    .await
}

async fn remove(app: Arc<App>, uri: String) -> Response {
    blocking(move || {
        Ok(match app.db.remove_file(&uri)? {
            Some(file) => {
                let _ = std::fs::remove_file(app.files_dir.join(file));
                StatusCode::NO_CONTENT.into_response()
            }
            None => text(StatusCode::NOT_FOUND, format!("not found: {uri}")),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_extensions() {
        assert!(valid_uri("cadc:TEST/x.fits"));
        assert!(valid_uri("ad:X/y"));
        for bad in [
            "x.fits",
            ":x",
            "cadc:",
            "cadc:TEST//x",
            "cadc:../x",
            "ca dc:x",
        ] {
            assert!(!valid_uri(bad), "{bad}");
        }
        assert_eq!(extension("cadc:TEST/x.fits.fz"), ".fits.fz");
        assert_eq!(extension("cadc:TEST/x"), "");
        assert_eq!(extension("cadc:TEST/x.f/../s"), "");
        assert_eq!(
            digest_value("5d41402abc4b2a76b9719d911017c592").as_deref(),
            Some("md5=XUFAKrxLKna5cZ2REBfFkg==")
        );
        let mut h = HeaderMap::new();
        h.insert(
            "digest",
            HeaderValue::from_static("md5=XUFAKrxLKna5cZ2REBfFkg=="),
        );
        assert_eq!(
            requested_md5(&h).unwrap().as_deref(),
            Some("5d41402abc4b2a76b9719d911017c592")
        );
        h.insert("digest", HeaderValue::from_static("md5=xx"));
        assert!(requested_md5(&h).is_err());
    }
}
