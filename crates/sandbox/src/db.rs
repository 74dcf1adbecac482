//! The sandbox's SQLite database: observations (the CAOM 2.4 document with its URI, id,
//! accMetaChecksum and maxLastModified), deletions, and stored files (artifacts).
//!
//! Times are kept as fixed-width text `yyyy-MM-ddTHH:mm:ss.SSS` (UTC), so comparing the text
//! compares the times and the time indexes serve listings and TAP queries.
//!
//! One connection behind a mutex: every statement is short (documents are parsed, validated
//! and checksummed outside it), and optimistic concurrency is a compare-and-swap
//! `UPDATE ... WHERE acc_meta_checksum = ?`, so no transaction is held across requests.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::SandboxError;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
PRAGMA case_sensitive_like = ON;
CREATE TABLE IF NOT EXISTS observation (
    collection TEXT NOT NULL,
    observation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    acc_meta_checksum TEXT NOT NULL,
    max_last_modified TEXT NOT NULL,
    xml BLOB NOT NULL,
    PRIMARY KEY (collection, observation_id)
);
CREATE INDEX IF NOT EXISTS observation_time ON observation (collection, max_last_modified);
CREATE TABLE IF NOT EXISTS deleted_observation (
    id TEXT PRIMARY KEY,
    collection TEXT NOT NULL,
    observation_id TEXT NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deleted_time ON deleted_observation (collection, last_modified);
CREATE TABLE IF NOT EXISTS artifact (
    uri TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    file TEXT NOT NULL,
    content_length INTEGER NOT NULL,
    content_checksum TEXT NOT NULL,
    content_type TEXT,
    content_encoding TEXT,
    last_modified TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS artifact_time ON artifact (last_modified);
";

/// A stored observation's bookkeeping.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredObservation {
    pub id: String,
    pub acc_meta_checksum: String,
    pub max_last_modified: String,
    pub xml: Vec<u8>,
}

/// A stored file.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFile {
    pub uri: String,
    pub id: String,
    /// File name under the sandbox's `files/` directory.
    pub file: String,
    pub content_length: u64,
    /// Hex md5.
    pub md5: String,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub last_modified: String,
}

/// The result of a compare-and-swap write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swap {
    Done,
    /// The row changed (or vanished) since it was read.
    Lost,
}

pub struct Db {
    conn: Mutex<Connection>,
}

fn sql(e: rusqlite::Error) -> SandboxError {
    SandboxError::Database(e.to_string())
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, SandboxError> {
        let conn = Connection::open(path).map_err(sql)?;
        conn.execute_batch(SCHEMA).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, SandboxError> {
        let mut c = self
            .conn
            .lock()
            .map_err(|_| SandboxError::Database("database lock poisoned".into()))?;
        f(&mut c).map_err(sql)
    }

    pub fn collections(&self) -> Result<Vec<String>, SandboxError> {
        self.with(|c| {
            let mut s =
                c.prepare("SELECT DISTINCT collection FROM observation ORDER BY collection")?;
            let rows = s.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    pub fn get(
        &self,
        collection: &str,
        obs_id: &str,
    ) -> Result<Option<StoredObservation>, SandboxError> {
        self.with(|c| {
            c.query_row(
                "SELECT id, acc_meta_checksum, max_last_modified, xml FROM observation
                 WHERE collection = ?1 AND observation_id = ?2",
                params![collection, obs_id],
                |r| {
                    Ok(StoredObservation {
                        id: r.get(0)?,
                        acc_meta_checksum: r.get(1)?,
                        max_last_modified: r.get(2)?,
                        xml: r.get(3)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Inserts a new observation; `false` when one with that URI exists.
    pub fn insert(
        &self,
        collection: &str,
        obs_id: &str,
        row: &StoredObservation,
    ) -> Result<bool, SandboxError> {
        self.with(|c| {
            let n = c.execute(
                "INSERT OR IGNORE INTO observation
                 (collection, observation_id, id, acc_meta_checksum, max_last_modified, xml)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    collection,
                    obs_id,
                    row.id,
                    row.acc_meta_checksum,
                    row.max_last_modified,
                    row.xml
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// Replaces an observation if its stored accMetaChecksum is still `expected`.
    pub fn swap(
        &self,
        collection: &str,
        obs_id: &str,
        expected: &str,
        row: &StoredObservation,
    ) -> Result<Swap, SandboxError> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE observation SET id = ?3, acc_meta_checksum = ?4, max_last_modified = ?5, xml = ?6
                 WHERE collection = ?1 AND observation_id = ?2 AND acc_meta_checksum = ?7",
                params![
                    collection,
                    obs_id,
                    row.id,
                    row.acc_meta_checksum,
                    row.max_last_modified,
                    row.xml,
                    expected
                ],
            )?;
            Ok(if n == 1 { Swap::Done } else { Swap::Lost })
        })
    }

    /// Deletes an observation and records the deletion, in one transaction; `false` when
    /// there was none.
    pub fn delete(&self, collection: &str, obs_id: &str, now: &str) -> Result<bool, SandboxError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let id: Option<String> = tx
                .query_row(
                    "SELECT id FROM observation WHERE collection = ?1 AND observation_id = ?2",
                    params![collection, obs_id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else {
                return Ok(false);
            };
            tx.execute(
                "DELETE FROM observation WHERE collection = ?1 AND observation_id = ?2",
                params![collection, obs_id],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO deleted_observation (id, collection, observation_id, last_modified)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, collection, obs_id, now],
            )?;
            tx.commit()?;
            Ok(true)
        })
    }

    /// Listing rows `(collection, observationID, maxLastModified, accMetaChecksum)`.
    pub fn list(
        &self,
        collection: &str,
        start: Option<&str>,
        end: Option<&str>,
        descending: bool,
        maxrec: u32,
    ) -> Result<Vec<[String; 4]>, SandboxError> {
        let order = if descending { "DESC" } else { "ASC" };
        let q = format!(
            "SELECT collection, observation_id, max_last_modified, acc_meta_checksum FROM observation
             WHERE collection = ?1 AND max_last_modified >= ?2 AND max_last_modified <= ?3
             ORDER BY max_last_modified {order}, observation_id {order} LIMIT ?4"
        );
        self.with(|c| {
            let mut s = c.prepare_cached(&q)?;
            let rows = s.query_map(
                params![
                    collection,
                    start.unwrap_or(""),
                    end.unwrap_or("\u{10ffff}"),
                    maxrec
                ],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
            )?;
            rows.collect()
        })
    }

    /// Deletion rows `(id, collection, observationID, lastModified)`.
    pub fn deletions(
        &self,
        collection: &str,
        start: Option<&str>,
        end: Option<&str>,
        maxrec: u32,
    ) -> Result<Vec<[String; 4]>, SandboxError> {
        self.with(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, collection, observation_id, last_modified FROM deleted_observation
                 WHERE collection = ?1 AND last_modified >= ?2 AND last_modified <= ?3
                 ORDER BY last_modified, id LIMIT ?4",
            )?;
            let rows = s.query_map(
                params![
                    collection,
                    start.unwrap_or(""),
                    end.unwrap_or("\u{10ffff}"),
                    maxrec
                ],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
            )?;
            rows.collect()
        })
    }

    pub fn file(&self, uri: &str) -> Result<Option<StoredFile>, SandboxError> {
        self.with(|c| {
            c.query_row(
                "SELECT uri, id, file, content_length, content_checksum, content_type,
                        content_encoding, last_modified FROM artifact WHERE uri = ?1",
                params![uri],
                |r| {
                    let sum: String = r.get(4)?;
                    Ok(StoredFile {
                        uri: r.get(0)?,
                        id: r.get(1)?,
                        file: r.get(2)?,
                        content_length: r.get::<_, i64>(3)?.max(0) as u64,
                        md5: sum.strip_prefix("md5:").unwrap_or(&sum).to_string(),
                        content_type: r.get(5)?,
                        content_encoding: r.get(6)?,
                        last_modified: r.get(7)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Records a stored file; returns the file it replaced, if any.
    pub fn put_file(&self, f: &StoredFile) -> Result<Option<String>, SandboxError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let old: Option<String> = tx
                .query_row(
                    "SELECT file FROM artifact WHERE uri = ?1",
                    params![f.uri],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT OR REPLACE INTO artifact (uri, id, file, content_length, content_checksum,
                     content_type, content_encoding, last_modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    f.uri,
                    f.id,
                    f.file,
                    f.content_length as i64,
                    format!("md5:{}", f.md5),
                    f.content_type,
                    f.content_encoding,
                    f.last_modified
                ],
            )?;
            tx.commit()?;
            Ok(old)
        })
    }

    /// Updates a stored file's type and encoding; `false` when there is no such file.
    pub fn set_file_meta(
        &self,
        uri: &str,
        content_type: Option<&str>,
        encoding: Option<&str>,
        now: &str,
    ) -> Result<bool, SandboxError> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE artifact SET content_type = COALESCE(?2, content_type),
                     content_encoding = COALESCE(?3, content_encoding), last_modified = ?4
                 WHERE uri = ?1",
                params![uri, content_type, encoding, now],
            )?;
            Ok(n == 1)
        })
    }

    /// Removes a stored file's record; returns its file name.
    pub fn remove_file(&self, uri: &str) -> Result<Option<String>, SandboxError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let old: Option<String> = tx
                .query_row(
                    "SELECT file FROM artifact WHERE uri = ?1",
                    params![uri],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute("DELETE FROM artifact WHERE uri = ?1", params![uri])?;
            tx.commit()?;
            Ok(old)
        })
    }

    /// Runs a read-only query built by the TAP translator.
    pub fn query(
        &self,
        sql_text: &str,
        args: &[String],
    ) -> Result<(Vec<String>, Vec<Vec<String>>), SandboxError> {
        self.with(|c| {
            let mut s = c.prepare(sql_text)?;
            if !s.readonly() {
                return Err(rusqlite::Error::InvalidQuery);
            }
            let columns: Vec<String> = s.column_names().iter().map(|n| n.to_string()).collect();
            let n = columns.len();
            let rows = s.query_map(rusqlite::params_from_iter(args.iter()), |r| {
                (0..n)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => String::new(),
                            rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                            rusqlite::types::ValueRef::Real(v) => v.to_string(),
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            rusqlite::types::ValueRef::Blob(_) => String::new(),
                        })
                    })
                    .collect::<rusqlite::Result<Vec<String>>>()
            })?;
            let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((columns, rows))
        })
    }
}
