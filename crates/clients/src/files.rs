//! The Storage Inventory files client (minoc's `files-1.0` API, caom2pipe.md §3.3): info
//! (`HEAD`), streamed get with md5 check, put with `Digest` (skipped when the stored md5 is
//! the same, verified after), header fetch (`META=true`), remove.

use std::path::Path;
use std::sync::Arc;

use reqwest::header::{HeaderName, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::Method;
use url::Url;

use crate::digest;
use crate::error::{ClientError, ErrorKind};
use crate::http::{Body, Http, Reply, Request, Sink};
use crate::registry::{Registry, STD_FILES};
use crate::retry::parse_http_date;

/// What the service says about a stored file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileInfo {
    pub size: Option<u64>,
    /// Lower-case hex.
    pub md5: Option<String>,
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub last_modified: Option<jiff::Timestamp>,
}

/// What a put did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// The content was uploaded and verified.
    Stored,
    /// The stored file already had this md5 (and type and encoding): nothing was sent.
    Unchanged,
    /// Same content, but the stored type or encoding differed and was updated (`POST`).
    MetadataUpdated,
}

/// A Storage Inventory files endpoint.
#[derive(Clone, Debug)]
pub struct FilesClient {
    http: Arc<Http>,
    base: Url,
}

fn file_name(uri: &str) -> &str {
    uri.rsplit(['/', ':']).next().unwrap_or(uri)
}

impl FilesClient {
    pub fn new(http: Arc<Http>, base: Url) -> FilesClient {
        FilesClient { http, base }
    }

    pub fn from_registry(
        registry: &Registry,
        resource_id: &str,
    ) -> Result<FilesClient, ClientError> {
        let base = registry.endpoint(resource_id, &[STD_FILES])?;
        Ok(FilesClient::new(registry.http().clone(), base))
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// `<base>/<uri>`, e.g. `https://host/minoc/files/cadc:TEST/x.fits`.
    pub fn url(&self, uri: &str) -> Result<Url, ClientError> {
        if uri.is_empty()
            || !uri.contains(':')
            || uri
                .split('/')
                .any(|s| s.is_empty() || s == ".." || s == ".")
        {
            return Err(ClientError::new(
                ErrorKind::BadRequest,
                uri,
                "not a storage URI (scheme:path, no empty or dot path elements)",
            ));
        }
        let mut u = self.base.clone();
        u.path_segments_mut()
            .map_err(|_| ClientError::setup(self.base.as_str(), "not a base URL"))?
            .pop_if_empty()
            .extend(uri.split('/'));
        Ok(u)
    }

    fn info_from(reply: &Reply) -> FileInfo {
        FileInfo {
            size: reply
                .header("content-length")
                .and_then(|v| v.trim().parse().ok()),
            md5: reply
                .header("digest")
                .and_then(digest::md5_from_digest_header)
                .or_else(|| reply.header("content-md5").and_then(digest::normalize_md5)),
            content_type: reply.header("content-type").map(str::to_string),
            encoding: reply.header("content-encoding").map(str::to_string),
            last_modified: reply.header("last-modified").and_then(parse_http_date),
        }
    }

    /// Size, md5, type, encoding and time of a stored file, or `None` (404).
    pub fn info(&self, uri: &str) -> Result<Option<FileInfo>, ClientError> {
        let reply = self.http.send(
            &Request::new(Method::HEAD, self.url(uri)?, "si", "info").label(file_name(uri)),
        )?;
        if reply.status == 404 {
            return Ok(None);
        }
        let reply = reply.success()?;
        Ok(Some(FilesClient::info_from(&reply)))
    }

    /// Downloads a stored file to `dest` (through a temporary file renamed at the end),
    /// checking its md5 against the service's `Digest`; a truncated or corrupted transfer is
    /// retried.
    pub fn get(&self, uri: &str, dest: &Path) -> Result<FileInfo, ClientError> {
        let req = Request::new(Method::GET, self.url(uri)?, "si", "get").label(file_name(uri));
        let (reply, downloaded) = self.http.send_to(&req, Sink::File(dest))?;
        let reply = reply.success()?;
        let mut info = FilesClient::info_from(&reply);
        let got = downloaded
            .ok_or_else(|| ClientError::protocol(&reply.context, "no body was received"))?;
        if info.md5.is_none() {
            // No Digest on the GET: compare with what HEAD says, as the reference does.
            let head = self.info(uri)?.unwrap_or_default();
            if let Some(m) = &head.md5 {
                if *m != got.md5 {
                    let _ = std::fs::remove_file(dest);
                    return Err(ClientError::new(
                        ErrorKind::Integrity,
                        uri,
                        format!("downloaded md5 {} but the service has {m}", got.md5),
                    ));
                }
            }
        }
        info.md5 = Some(got.md5);
        info.size = Some(got.size);
        Ok(info)
    }

    /// Stores `body` as `uri`. `md5` (hex) is the content's; when the stored file already
    /// has it, nothing is uploaded (a differing type or encoding is updated with a `POST`).
    /// Otherwise the content is `PUT` with its `Digest` and then checked with a `HEAD`.
    pub fn put(
        &self,
        uri: &str,
        body: Body,
        md5: &str,
        content_type: &str,
        encoding: Option<&str>,
    ) -> Result<(PutOutcome, FileInfo), ClientError> {
        let url = self.url(uri)?;
        let name = file_name(uri);
        let digest_value = digest::digest_header(md5)
            .ok_or_else(|| ClientError::setup(uri, format!("{md5:?} is not an md5")))?;
        if let Some(stored) = self.info(uri)? {
            if stored.md5.as_deref() == Some(md5) {
                let same_type = stored.content_type.as_deref() == Some(content_type);
                let same_encoding = stored.encoding.as_deref() == encoding;
                if same_type && same_encoding {
                    return Ok((PutOutcome::Unchanged, stored));
                }
                let mut req = Request::new(Method::POST, url, "si", "update")
                    .label(name)
                    .header(CONTENT_TYPE, content_type)?;
                if let Some(e) = encoding {
                    req = req.header(CONTENT_ENCODING, e)?;
                }
                self.http.send(&req)?.success()?;
                let info = FileInfo {
                    content_type: Some(content_type.to_string()),
                    encoding: encoding.map(str::to_string),
                    ..stored
                };
                return Ok((PutOutcome::MetadataUpdated, info));
            }
        }
        let mut req = Request::new(Method::PUT, url, "si", "put")
            .label(name)
            .header(HeaderName::from_static("digest"), &digest_value)?
            .header(CONTENT_TYPE, content_type)?
            .body(body);
        if let Some(e) = encoding {
            req = req.header(CONTENT_ENCODING, e)?;
        }
        self.http.send(&req)?.success()?;
        let stored = self.info(uri)?.ok_or_else(|| {
            ClientError::new(
                ErrorKind::Integrity,
                uri,
                "not found right after it was stored",
            )
        })?;
        if stored.md5.as_deref() != Some(md5) {
            return Err(ClientError::new(
                ErrorKind::Integrity,
                uri,
                format!(
                    "stored with md5 {} instead of {md5}",
                    stored.md5.as_deref().unwrap_or("(none)")
                ),
            ));
        }
        Ok((PutOutcome::Stored, stored))
    }

    /// The text headers of every HDU of a stored FITS file (`GET ?META=true`, the
    /// reference's `fhead`). Parse them with the reference's cleaning rules
    /// (`fits2caom2::Headers::from_dump_bytes`: blank lines dropped, `END` lines and
    /// `--- PHU ---`/`--- HDU n` markers separating HDUs, lines without `=` dropped unless
    /// commentary).
    pub fn headers(&self, uri: &str) -> Result<String, ClientError> {
        let mut url = self.url(uri)?;
        url.query_pairs_mut().append_pair("META", "true");
        let reply = self
            .http
            .send(&Request::new(Method::GET, url, "si", "get_head").label(file_name(uri)))?
            .success()?;
        // fhead output is ASCII; anything else is replaced, and the header reader rejects
        // what it cannot use with a message naming the line.
        Ok(String::from_utf8_lossy(&reply.body).into_owned())
    }

    /// Removes a stored file; [`ErrorKind::NotFound`] when there is none.
    pub fn remove(&self, uri: &str) -> Result<(), ClientError> {
        let reply = self.http.send(
            &Request::new(Method::DELETE, self.url(uri)?, "si", "remove").label(file_name(uri)),
        )?;
        if reply.status == 404 && reply.ambiguous {
            return Ok(());
        }
        reply.success().map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_uri_readable() {
        let http = Arc::new(Http::new(Default::default()).unwrap());
        let c = FilesClient::new(http, Url::parse("http://h/minoc/files/").unwrap());
        assert_eq!(
            c.url("cadc:TEST/x y.fits").unwrap().as_str(),
            "http://h/minoc/files/cadc:TEST/x%20y.fits"
        );
        for bad in ["", "x.fits", "cadc:TEST/../x", "cadc:TEST//x"] {
            assert!(c.url(bad).is_err(), "{bad}");
        }
        assert_eq!(file_name("cadc:TEST/a/b.fits"), "b.fits");
        assert_eq!(file_name("cadc:b.fits"), "b.fits");
    }
}
