//! Getting a remote source file onto local disk before it is stored (the reference's
//! `HttpTransfer`): a URL from a todo list or an HTTP listing is downloaded into the entry's
//! workspace, streamed, its size checked against `Content-Length`, then stored and read from
//! there like a local file.

use std::path::Path;
use std::sync::Arc;

use clients::http::{Method, Request, Sink};
use clients::{ClientError, Http};
use manage::{content_type_of, EntryError, FileInfo};

/// Fetches remote sources.
pub trait Transfer: Send + Sync {
    /// For messages.
    fn describe(&self) -> String;
    /// Whether this transfer can fetch `source`.
    fn handles(&self, source: &str) -> bool;
    /// Copies `source` to `dest`; size and md5 of what arrived.
    fn get(&self, source: &str, dest: &Path) -> Result<FileInfo, EntryError>;
}

/// A client error as an entry failure: transient ones (timeouts, resets, 5xx after every
/// retry) are timeouts, which the runner always retries.
pub fn entry_error(e: ClientError) -> EntryError {
    if e.kind.is_transient() {
        EntryError::timeout(e.to_string())
    } else {
        EntryError::failed(e.to_string())
    }
}

/// http(s) downloads through the shared client (retries, in-flight bound, statistics).
pub struct HttpTransfer {
    http: Arc<Http>,
}

impl HttpTransfer {
    pub fn new(http: Arc<Http>) -> HttpTransfer {
        HttpTransfer { http }
    }
}

impl Transfer for HttpTransfer {
    fn describe(&self) -> String {
        "http(s) downloads".into()
    }

    fn handles(&self, source: &str) -> bool {
        manage::services::is_http(source)
    }

    fn get(&self, source: &str, dest: &Path) -> Result<FileInfo, EntryError> {
        let url = url::Url::parse(source)
            .map_err(|e| EntryError::failed(format!("{source}: not a URL: {e}")))?;
        let name = manage::storage_name::file_name_of(source);
        let req = Request::new(Method::GET, url, "http", "get").label(name);
        let (reply, got) = self
            .http
            .send_to(&req, Sink::File(dest))
            .map_err(entry_error)?;
        if !reply.is_success() {
            return Err(entry_error(reply.error()));
        }
        let got = got.ok_or_else(|| EntryError::failed(format!("{source}: no content")))?;
        Ok(FileInfo {
            size: Some(got.size),
            md5: Some(got.md5),
            content_type: Some(content_type_of(name).to_string()),
            encoding: None,
            last_modified: None,
        })
    }
}
