//! Storage Inventory as a [`Storage`]: `clients::FilesClient`, with the put stream spooled
//! once (md5 and size computed while reading the source, which may be a gzip stream being
//! decompressed) so that the upload can carry its `Digest`, be skipped when the stored md5
//! is the same, and be sent again on a retry.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clients::{Body, FilesClient};
use fits2caom2::Headers;
use manage::{BackendError, BackendErrorKind, FileInfo, PutOutcome, Storage};
use md5::{Digest, Md5};

use super::http_repository::backend_error;

/// Content up to this size is spooled in memory, larger content to a temporary file.
const MEMORY_SPOOL: usize = 8 * 1024 * 1024;

/// A Storage Inventory files service.
pub struct HttpStorage {
    client: FilesClient,
    resource_id: String,
    spool_dir: PathBuf,
}

impl HttpStorage {
    /// `spool_dir` holds temporary copies of large uploads (the working directory).
    pub fn new(client: FilesClient, resource_id: &str, spool_dir: &Path) -> HttpStorage {
        HttpStorage {
            client,
            resource_id: resource_id.to_string(),
            spool_dir: spool_dir.to_path_buf(),
        }
    }

    pub fn client(&self) -> &FilesClient {
        &self.client
    }
}

fn info(i: clients::FileInfo) -> FileInfo {
    FileInfo {
        size: i.size,
        md5: i.md5,
        content_type: i.content_type,
        encoding: i.encoding,
        last_modified: i.last_modified,
    }
}

/// Reads `data` to its end: in memory while small, then into `file`.
enum Spool {
    Memory(Vec<u8>),
    File(PathBuf),
}

fn spool(data: &mut dyn Read, dir: &Path, uri: &str) -> Result<(Spool, String, u64), BackendError> {
    let io = |e: std::io::Error| BackendError::new(BackendErrorKind::Io, format!("{uri}: {e}"));
    let mut h = Md5::new();
    let mut mem = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut file: Option<(PathBuf, std::io::BufWriter<std::fs::File>)> = None;
    let mut size = 0u64;
    let result = (|| -> std::io::Result<()> {
        loop {
            let n = match data.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            h.update(&buf[..n]);
            size += n as u64;
            match &mut file {
                Some((_, f)) => f.write_all(&buf[..n])?,
                None if mem.len() + n <= MEMORY_SPOOL => mem.extend_from_slice(&buf[..n]),
                None => {
                    std::fs::create_dir_all(dir)?;
                    let name = manage::storage_name::file_name_of(uri);
                    let path = manage::fsutil::temp_path(&dir.join(name));
                    let f = std::io::BufWriter::new(std::fs::File::create(&path)?);
                    let (_, f) = file.insert((path, f));
                    f.write_all(&mem)?;
                    f.write_all(&buf[..n])?;
                    mem = Vec::new();
                }
            }
        }
    })();
    let spooled = match file {
        Some((path, mut f)) => {
            let flushed = f.flush();
            drop(f);
            if let Err(e) = result.and(flushed) {
                let _ = std::fs::remove_file(&path);
                return Err(io(e));
            }
            Spool::File(path)
        }
        None => {
            result.map_err(io)?;
            Spool::Memory(mem)
        }
    };
    Ok((spooled, clients::digest::hex(&h.finalize()), size))
}

impl Storage for HttpStorage {
    fn describe(&self) -> String {
        format!(
            "Storage Inventory {} ({})",
            self.resource_id,
            self.client.base()
        )
    }

    fn info(&self, uri: &str) -> Result<Option<FileInfo>, BackendError> {
        Ok(self.client.info(uri).map_err(backend_error)?.map(info))
    }

    fn get(&self, uri: &str, dest: &Path) -> Result<FileInfo, BackendError> {
        self.client.get(uri, dest).map(info).map_err(backend_error)
    }

    fn put(
        &self,
        uri: &str,
        data: &mut dyn Read,
        content_type: &str,
    ) -> Result<(PutOutcome, FileInfo), BackendError> {
        let (spooled, md5, size) = spool(data, &self.spool_dir, uri)?;
        let (body, temp) = match spooled {
            Spool::Memory(b) => (Body::Bytes(b), None),
            Spool::File(p) => (Body::File(p.clone()), Some(p)),
        };
        let r = self.client.put(uri, body, &md5, content_type, None);
        if let Some(p) = temp {
            let _ = std::fs::remove_file(p);
        }
        let (outcome, stored) = r.map_err(backend_error)?;
        let outcome = match outcome {
            clients::PutOutcome::Stored => PutOutcome::Stored,
            clients::PutOutcome::Unchanged | clients::PutOutcome::MetadataUpdated => {
                PutOutcome::Unchanged
            }
        };
        let mut i = info(stored);
        i.size = i.size.or(Some(size));
        i.md5 = Some(md5);
        Ok((outcome, i))
    }

    fn headers(&self, uri: &str) -> Result<Headers, BackendError> {
        let text = self.client.headers(uri).map_err(backend_error)?;
        // The reference's header-cleaning rules (make_headers_from_string): blank lines
        // dropped, END lines and `--- PHU ---`/`--- HDU n` markers separate HDUs, lines
        // without `=` dropped unless commentary.
        Headers::from_dump_bytes(text.as_bytes(), uri)
            .map_err(|e| BackendError::new(BackendErrorKind::Invalid, e.to_string()))
    }

    fn remove(&self, uri: &str) -> Result<(), BackendError> {
        self.client.remove(uri).map_err(backend_error)
    }

    fn recover(&self, _uri_prefix: &str) -> Result<usize, BackendError> {
        Ok(manage::fsutil::sweep_stale_temps(&self.spool_dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spools_small_in_memory_and_large_to_a_file() {
        let d = tempfile::tempdir().unwrap();
        let (s, md5, size) = spool(&mut &b"hello"[..], d.path(), "cadc:X/a.fits").unwrap();
        assert!(matches!(s, Spool::Memory(ref b) if b == b"hello"));
        assert_eq!(
            (md5.as_str(), size),
            ("5d41402abc4b2a76b9719d911017c592", 5)
        );
        let big = vec![7u8; MEMORY_SPOOL + 10];
        let (s, _, size) = spool(&mut &big[..], d.path(), "cadc:X/b.fits").unwrap();
        assert_eq!(size, big.len() as u64);
        match s {
            Spool::File(p) => {
                assert_eq!(std::fs::read(&p).unwrap(), big);
                assert!(p.starts_with(d.path()));
            }
            Spool::Memory(_) => panic!("large content is spooled to a file"),
        }
    }
}
