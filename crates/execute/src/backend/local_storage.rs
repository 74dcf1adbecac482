//! The embedded file store: `<root>/<scheme>/<path of the URI>` (`cadc:TEST/x.fits` →
//! `<root>/cadc/TEST/x.fits`).
//!
//! A put streams the content into a temporary file while computing its md5 and size (one
//! read of the source), and keeps it only when the md5 differs from the stored file's, so an
//! unchanged file is never rewritten. The md5 of each stored file is kept next to the tree in
//! `<root>/.md5/<scheme>/<path>` with the file's size and modification time, so `info` does
//! not re-read files; a record that does not match the file (a crash between the two writes)
//! is ignored and the md5 recomputed.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fits2caom2::Headers;
use manage::fsutil::{self, Sync};
use manage::{content_type_of, BackendError, BackendErrorKind, FileInfo, PutOutcome, Storage};
use md5::{Digest, Md5};

use super::encode_component;

/// A directory of stored files.
pub struct LocalStorage {
    root: PathBuf,
    sync: Sync,
}

impl LocalStorage {
    pub fn new(root: &Path, sync: Sync) -> LocalStorage {
        LocalStorage {
            root: root.to_path_buf(),
            sync,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds `uri`.
    pub fn path(&self, uri: &str) -> Result<PathBuf, BackendError> {
        let relative = relative_path(uri)?;
        Ok(self.root.join(relative))
    }

    fn md5_path(&self, uri: &str) -> Result<PathBuf, BackendError> {
        Ok(self.root.join(".md5").join(relative_path(uri)?))
    }

    fn io(path: &Path, e: impl std::fmt::Display) -> BackendError {
        BackendError::new(BackendErrorKind::Io, format!("{}: {e}", path.display()))
    }

    fn write_md5_record(&self, uri: &str, data: &Path, md5: &str) -> Result<(), BackendError> {
        let meta = std::fs::metadata(data).map_err(|e| Self::io(data, e))?;
        let record = format!("{md5} {} {}\n", meta.len(), mtime_ns(&meta));
        let p = self.md5_path(uri)?;
        fsutil::write_atomic(&p, record.as_bytes(), self.sync).map_err(|e| Self::io(&p, e.source))
    }
}

/// `<scheme>/<component>/...` for a URI, every component encoded so none can escape.
fn relative_path(uri: &str) -> Result<PathBuf, BackendError> {
    let bad = |why: &str| {
        BackendError::new(
            BackendErrorKind::Invalid,
            format!("{uri:?} is not a storable URI ({why})"),
        )
    };
    let (scheme, rest) = uri.split_once(':').ok_or_else(|| bad("no scheme"))?;
    if scheme.is_empty() || rest.is_empty() {
        return Err(bad("empty scheme or path"));
    }
    let mut p = PathBuf::from(encode_component(scheme));
    for c in rest.trim_start_matches('/').split('/') {
        if c.is_empty() {
            return Err(bad("empty path element"));
        }
        p.push(encode_component(c));
    }
    Ok(p)
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Streams `data` into `out`, returning its md5 (hex) and size.
pub fn copy_with_md5(data: &mut dyn Read, out: &mut dyn Write) -> std::io::Result<(String, u64)> {
    let mut h = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = match data.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    Ok((hex(&h.finalize()), size))
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

impl Storage for LocalStorage {
    fn describe(&self) -> String {
        format!("local storage {}", self.root.display())
    }

    fn info(&self, uri: &str) -> Result<Option<FileInfo>, BackendError> {
        let path = self.path(uri)?;
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::io(&path, e)),
        };
        let recorded = std::fs::read_to_string(self.md5_path(uri)?)
            .ok()
            .and_then(|t| {
                let mut it = t.split_whitespace();
                let md5 = it.next()?.to_string();
                let size: u64 = it.next()?.parse().ok()?;
                let mtime: i128 = it.next()?.parse().ok()?;
                (size == meta.len() && mtime == mtime_ns(&meta)).then_some(md5)
            });
        let md5 = match recorded {
            Some(m) => m,
            None => {
                let mut f = File::open(&path).map_err(|e| Self::io(&path, e))?;
                let (m, _) =
                    copy_with_md5(&mut f, &mut std::io::sink()).map_err(|e| Self::io(&path, e))?;
                self.write_md5_record(uri, &path, &m)?;
                m
            }
        };
        Ok(Some(FileInfo {
            size: Some(meta.len()),
            md5: Some(md5),
            content_type: Some(content_type_of(uri).to_string()),
            encoding: None,
            last_modified: meta
                .modified()
                .ok()
                .and_then(|t| jiff::Timestamp::try_from(t).ok()),
        }))
    }

    fn get(&self, uri: &str, dest: &Path) -> Result<FileInfo, BackendError> {
        let info = self.info(uri)?.ok_or_else(|| {
            BackendError::new(BackendErrorKind::NotFound, format!("{uri} is not stored"))
        })?;
        let path = self.path(uri)?;
        if let Some(d) = dest.parent() {
            std::fs::create_dir_all(d).map_err(|e| Self::io(d, e))?;
        }
        let mut src = File::open(&path).map_err(|e| Self::io(&path, e))?;
        let mut out = File::create(dest).map_err(|e| Self::io(dest, e))?;
        let (md5, _) = copy_with_md5(&mut src, &mut out).map_err(|e| Self::io(dest, e))?;
        if Some(&md5) != info.md5.as_ref() {
            let _ = std::fs::remove_file(dest);
            return Err(BackendError::new(
                BackendErrorKind::Io,
                format!("{uri}: md5 of the copy ({md5}) does not match the stored md5"),
            ));
        }
        Ok(info)
    }

    fn put(
        &self,
        uri: &str,
        data: &mut dyn Read,
        content_type: &str,
    ) -> Result<(PutOutcome, FileInfo), BackendError> {
        let path = self.path(uri)?;
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| Self::io(&dir, e))?;
        let tmp = fsutil::temp_path(&path);
        let copied = (|| -> std::io::Result<(String, u64)> {
            let mut out = File::create(&tmp)?;
            let r = copy_with_md5(data, &mut out)?;
            if self.sync == Sync::Durable {
                out.sync_data()?;
            }
            Ok(r)
        })();
        let (md5, size) = match copied {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(Self::io(&path, e));
            }
        };
        let info = FileInfo {
            size: Some(size),
            md5: Some(md5.clone()),
            content_type: Some(content_type.to_string()),
            encoding: None,
            last_modified: None,
        };
        let existing = self.info(uri)?;
        if existing.as_ref().and_then(|i| i.md5.as_ref()) == Some(&md5) {
            let _ = std::fs::remove_file(&tmp);
            return Ok((PutOutcome::Unchanged, info));
        }
        // The md5 record describes the temporary file (same size and mtime after the rename);
        // written first, a crash before the rename leaves a record that matches nothing.
        let result = self
            .write_md5_record(uri, &tmp, &md5)
            .and_then(|()| std::fs::rename(&tmp, &path).map_err(|e| Self::io(&path, e)));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        if self.sync == Sync::Durable {
            fsutil::sync_dir(&dir);
        }
        Ok((PutOutcome::Stored, info))
    }

    fn headers(&self, uri: &str) -> Result<Headers, BackendError> {
        let path = self.path(uri)?;
        if !path.exists() {
            return Err(BackendError::new(
                BackendErrorKind::NotFound,
                format!("{uri} is not stored"),
            ));
        }
        Headers::read(&path)
            .map_err(|e| BackendError::new(BackendErrorKind::Invalid, e.to_string()))
    }

    fn recover(&self, uri_prefix: &str) -> Result<usize, BackendError> {
        // `cadc:TEST/` → the directory of `cadc:TEST/x`, and its md5 records.
        let probe = format!("{}x", uri_prefix.trim_end_matches('/').to_string() + "/");
        let dir = self.path(&probe)?;
        let md5_dir = self.md5_path(&probe)?;
        let mut n = 0;
        for d in [dir.parent(), md5_dir.parent()].into_iter().flatten() {
            n += fsutil::sweep_stale_temps(d);
        }
        Ok(n)
    }

    fn remove(&self, uri: &str) -> Result<(), BackendError> {
        let path = self.path(uri)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {
                let _ = std::fs::remove_file(self.md5_path(uri)?);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BackendError::new(
                BackendErrorKind::NotFound,
                format!("{uri} is not stored"),
            )),
            Err(e) => Err(Self::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_verifies_and_skips_unchanged() {
        let d = tempfile::tempdir().unwrap();
        let s = LocalStorage::new(d.path(), Sync::Cached);
        let uri = "cadc:TEST/x.fits";
        assert_eq!(s.info(uri).unwrap(), None);
        let (o, info) = s.put(uri, &mut &b"hello"[..], "application/fits").unwrap();
        assert_eq!(o, PutOutcome::Stored);
        assert_eq!(
            info.md5.as_deref(),
            Some("5d41402abc4b2a76b9719d911017c592")
        );
        assert_eq!(info.size, Some(5));
        assert!(d.path().join("cadc/TEST/x.fits").is_file());
        let (o, _) = s.put(uri, &mut &b"hello"[..], "application/fits").unwrap();
        assert_eq!(o, PutOutcome::Unchanged);
        let (o, _) = s.put(uri, &mut &b"world"[..], "application/fits").unwrap();
        assert_eq!(o, PutOutcome::Stored);
        let got = s.info(uri).unwrap().unwrap();
        assert_eq!(got.md5.as_deref(), Some("7d793037a0760186574b0282f2f435e7"));
        let dest = d.path().join("out/x.fits");
        s.get(uri, &dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"world");
        // a stale md5 record is ignored
        let stored = d.path().join("cadc/TEST/x.fits");
        std::fs::write(&stored, b"other").unwrap();
        // (set the time explicitly: coarse filesystem clocks may not move between writes)
        std::fs::File::options()
            .write(true)
            .open(&stored)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1000))
            .unwrap();
        let got = s.info(uri).unwrap().unwrap();
        assert_eq!(got.md5.as_deref(), Some("795f3202b17cb6bc3d4b771d8c6c9eaf"));
        s.remove(uri).unwrap();
        assert_eq!(s.info(uri).unwrap(), None);
        assert!(s
            .path("cadc:../../etc/passwd")
            .unwrap()
            .starts_with(d.path()));
        assert!(s.path("nouri").is_err());
    }
}
