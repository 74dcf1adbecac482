//! The services an entry talks to, as traits: a CAOM [`Repository`] (caom2repo) and a file
//! [`Storage`] (Storage Inventory). The embedded local implementations live in `execute`;
//! HTTP clients will implement the same traits. Errors carry a [`BackendErrorKind`] so the
//! runner classifies them by type (a timeout is retried, a conflict is retried, a missing
//! record is a "create"), never by message text.

use std::io::Read;
use std::path::Path;

use caom2::Observation;
use fits2caom2::Headers;
use jiff::Timestamp;

use crate::error::EntryError;

/// What the service said about a file (`HEAD` of a Storage Inventory file, or local disk).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileInfo {
    /// Bytes.
    pub size: Option<u64>,
    /// Lower-case hex md5 of the content.
    pub md5: Option<String>,
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub last_modified: Option<Timestamp>,
}

impl FileInfo {
    /// `md5:<hex>`, the CAOM Artifact contentChecksum form.
    pub fn checksum_uri(&self) -> Option<String> {
        self.md5.as_ref().map(|m| format!("md5:{m}"))
    }
}

/// The content type of a file, from its name. One table, chosen deliberately (the reference
/// has two that disagree): FITS in any compression is `application/fits`, header dumps and
/// text are `text/plain`, HDF5 is `application/x-hdf5`, images by extension, anything else
/// `application/octet-stream`.
pub fn content_type_of(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    let n = n.as_str();
    if n.ends_with(".header") || n.ends_with(".txt") || n.ends_with(".cat") {
        "text/plain"
    } else if n.ends_with(".csv") {
        "text/csv"
    } else if n.ends_with(".png") {
        "image/png"
    } else if n.ends_with(".jpg") || n.ends_with(".jpeg") {
        "image/jpeg"
    } else if n.ends_with(".gif") {
        "image/gif"
    } else if n.ends_with(".h5") || n.ends_with(".hdf5") {
        "application/x-hdf5"
    } else if n.ends_with(".tar.gz") || n.ends_with(".tar") {
        "application/x-tar"
    } else if n.contains(".fits") || n.ends_with(".fit") || n.ends_with(".fts") {
        "application/fits"
    } else {
        "application/octet-stream"
    }
}

/// Why a backend call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendErrorKind {
    /// No such record or file.
    NotFound,
    /// `create` of a record that exists (a race with another writer).
    AlreadyExists,
    /// An update whose expected checksum no longer matches (optimistic concurrency).
    Conflict,
    /// The service did not answer in time.
    Timeout,
    /// The request was refused as invalid (e.g. a record that fails validation).
    Invalid,
    /// Local I/O or transport failure.
    Io,
    /// The backend cannot do this.
    Unsupported,
    /// The service refused our credentials (401, 403).
    Denied,
    /// The document is over the service's limit (413).
    TooLarge,
    /// The service stayed unavailable or failing (429, 5xx) through every retry.
    Unavailable,
}

/// A failed backend call.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    pub kind: BackendErrorKind,
    pub message: String,
}

impl BackendError {
    pub fn new(kind: BackendErrorKind, message: impl Into<String>) -> BackendError {
        BackendError {
            kind,
            message: message.into(),
        }
    }
}

impl From<BackendError> for EntryError {
    fn from(e: BackendError) -> EntryError {
        match e.kind {
            BackendErrorKind::Timeout => EntryError::timeout(e.message),
            _ => EntryError::failed(e.message),
        }
    }
}

/// One row of a collection listing (the caom2repo listing TSV).
#[derive(Clone, Debug, PartialEq)]
pub struct ObservationState {
    pub observation_id: String,
    /// When the observation (or anything in it) last changed.
    pub max_last_modified: Option<Timestamp>,
    pub acc_meta_checksum: Option<String>,
}

/// A CAOM repository: the caom2repo service or the embedded directory of XML files.
pub trait Repository: Send + Sync {
    /// A short description for messages and `--check` (e.g. `local repository /wd/repository`).
    fn describe(&self) -> String;
    /// The observation, or `None` when there is none (the reference's 404 = "create").
    fn get(&self, collection: &str, obs_id: &str) -> Result<Option<Observation>, BackendError>;
    /// Stores a new observation; [`BackendErrorKind::AlreadyExists`] if there is one.
    fn create(&self, observation: &Observation) -> Result<(), BackendError>;
    /// Replaces an observation. With `expected` (the accMetaChecksum read before), the update
    /// is refused with [`BackendErrorKind::Conflict`] when the stored record has changed since.
    fn update(&self, observation: &Observation, expected: Option<&str>)
        -> Result<(), BackendError>;
    /// Removes an observation ([`BackendErrorKind::NotFound`] if there is none).
    fn delete(&self, collection: &str, obs_id: &str) -> Result<(), BackendError>;
    /// The observation ids of a collection, sorted.
    fn list(&self, collection: &str) -> Result<Vec<String>, BackendError>;
    /// The observations of a collection whose maxLastModified is in `[start, end]` (both
    /// inclusive, as caom2repo reads them), oldest first. The default lists every id without
    /// times and cannot select a window.
    fn list_states(
        &self,
        collection: &str,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> Result<Vec<ObservationState>, BackendError> {
        if start.is_some() || end.is_some() {
            return Err(BackendError::new(
                BackendErrorKind::Unsupported,
                format!("{} cannot list by time", self.describe()),
            ));
        }
        Ok(self
            .list(collection)?
            .into_iter()
            .map(|observation_id| ObservationState {
                observation_id,
                max_last_modified: None,
                acc_meta_checksum: None,
            })
            .collect())
    }
    /// Cleans up what a killed writer may have left for `collection` (e.g. temporary files);
    /// called at the start of a run. Returns how many leftovers were removed.
    fn recover(&self, _collection: &str) -> Result<usize, BackendError> {
        Ok(0)
    }
}

/// Whether a put stored new content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// The content was new or changed and is stored now.
    Stored,
    /// The stored file already had this md5; nothing was written.
    Unchanged,
}

/// A file store: Storage Inventory or the embedded directory.
pub trait Storage: Send + Sync {
    /// A short description for messages and `--check`.
    fn describe(&self) -> String;
    /// Size, md5 and type of a stored file, or `None`.
    fn info(&self, uri: &str) -> Result<Option<FileInfo>, BackendError>;
    /// Copies a stored file to `dest`, verifying its md5.
    fn get(&self, uri: &str, dest: &Path) -> Result<FileInfo, BackendError>;
    /// Stores `data` as `uri`, computing size and md5 while copying. When the stored file
    /// already has that md5 nothing changes ([`PutOutcome::Unchanged`]).
    fn put(
        &self,
        uri: &str,
        data: &mut dyn Read,
        content_type: &str,
    ) -> Result<(PutOutcome, FileInfo), BackendError>;
    /// The headers of every HDU of a stored FITS file (the service's `fhead`).
    fn headers(&self, uri: &str) -> Result<Headers, BackendError>;
    /// Removes a stored file.
    fn remove(&self, uri: &str) -> Result<(), BackendError>;
    /// Cleans up what a killed writer may have left under `uri_prefix` (e.g. `cadc:TEST/`);
    /// called at the start of a run. Returns how many leftovers were removed.
    fn recover(&self, _uri_prefix: &str) -> Result<usize, BackendError> {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(content_type_of("a.fits"), "application/fits");
        assert_eq!(content_type_of("a.fits.fz"), "application/fits");
        assert_eq!(content_type_of("a.FITS.gz"), "application/fits");
        assert_eq!(content_type_of("a.fits.header"), "text/plain");
        assert_eq!(content_type_of("a_prev.jpg"), "image/jpeg");
        assert_eq!(content_type_of("a.h5"), "application/x-hdf5");
        assert_eq!(content_type_of("a.bin"), "application/octet-stream");
    }
}
