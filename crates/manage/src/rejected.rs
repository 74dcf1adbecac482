//! `rejected.yml`: the ledger of known-bad inputs (caom2pipe.md §8.7).
//!
//! All eleven reasons are always present (empty ones as `[]`), keys sorted, values unique
//! obs_ids. We write the values sorted (the reference's order is unstable) and atomically.
//! The reference records obs_ids but looks rejections up by file name, so known-bad inputs
//! were re-attempted whenever the two differ; here both sides use the obs_id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::Reason;
use crate::fsutil::{self, Sync};
use crate::yaml::{self, Out, Yaml};

/// The rejected ledger.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rejected {
    path: PathBuf,
    entries: BTreeMap<Reason, BTreeSet<String>>,
}

/// `rejected.yml` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RejectedError {
    #[error(transparent)]
    Read(#[from] yaml::ReadError),
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    Write(#[from] fsutil::FsError),
}

impl Rejected {
    /// Reads the ledger at `path`; a missing file is an empty ledger.
    pub fn read(path: &Path) -> Result<Rejected, RejectedError> {
        let mut r = Rejected {
            path: path.to_path_buf(),
            entries: BTreeMap::new(),
        };
        if !path.exists() {
            return Ok(r);
        }
        let doc = yaml::read(path)?;
        let file = path.display().to_string();
        let map = match &doc.value {
            Yaml::Map(m) => m,
            Yaml::Null => return Ok(r),
            _ => {
                return Err(RejectedError::Invalid {
                    file,
                    message: format!("expected a mapping of reasons, found {}", doc.kind()),
                })
            }
        };
        for (k, v) in map {
            let key = k.as_key().unwrap_or_default();
            let Some(reason) = Reason::from_key(&key) else {
                return Err(RejectedError::Invalid {
                    file: format!("{file}:{}", k.position()),
                    message: format!("unknown rejection reason {key:?}"),
                });
            };
            match &v.value {
                Yaml::Seq(items) => {
                    for it in items {
                        if let Some(s) = it.as_key() {
                            r.entries.entry(reason).or_default().insert(s);
                        }
                    }
                }
                Yaml::Null => {}
                _ => {
                    return Err(RejectedError::Invalid {
                        file: format!("{file}:{}", v.position()),
                        message: format!("{key}: expected a list, found {}", v.kind()),
                    })
                }
            }
        }
        Ok(r)
    }

    /// An empty ledger that will be written to `path`.
    pub fn empty(path: &Path) -> Rejected {
        Rejected {
            path: path.to_path_buf(),
            entries: BTreeMap::new(),
        }
    }

    /// Records `name` under `reason`.
    pub fn record(&mut self, reason: Reason, name: &str) {
        self.entries
            .entry(reason)
            .or_default()
            .insert(name.to_string());
    }

    /// Whether `name` is recorded under `reason`.
    pub fn contains(&self, reason: Reason, name: &str) -> bool {
        self.entries.get(&reason).is_some_and(|s| s.contains(name))
    }

    /// Whether `name` is known bad metadata (the only reason the reference skips on).
    pub fn is_bad_metadata(&self, name: &str) -> bool {
        self.contains(Reason::BadMetadata, name)
    }

    /// The names recorded under `reason`.
    pub fn names(&self, reason: Reason) -> BTreeSet<String> {
        self.entries.get(&reason).cloned().unwrap_or_default()
    }

    /// Number of names under all reasons.
    pub fn len(&self) -> usize {
        self.entries.values().map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file text: every reason, sorted, PyYAML block style.
    pub fn to_yaml(&self) -> String {
        let m = Reason::ALL
            .iter()
            .map(|r| {
                let items = self
                    .entries
                    .get(r)
                    .map(|s| s.iter().map(|n| Out::Str(n.clone())).collect())
                    .unwrap_or_default();
                (r.key().to_string(), Out::Seq(items))
            })
            .collect();
        yaml::emit(&Out::Map(m))
    }

    /// Writes the ledger atomically.
    pub fn write(&self) -> Result<(), RejectedError> {
        fsutil::write_atomic(&self.path, self.to_yaml().as_bytes(), Sync::Durable)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_reference_format_and_reads_it_back() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("rejected/rejected.yml");
        let mut r = Rejected::read(&p).unwrap();
        r.record(Reason::BadMetadata, "bad_meta");
        assert_eq!(
            r.to_yaml(),
            "bad_data: []\nbad_metadata:\n- bad_meta\nfitsverify: []\ninvalid_file_name: []\n\
             is_valid_fails: []\nmissing_at_source: []\nmystery_value: []\nno_instrument: []\n\
             no_preview: []\nold_version: []\nrejected: []\n"
        );
        r.write().unwrap();
        let back = Rejected::read(&p).unwrap();
        assert!(back.is_bad_metadata("bad_meta"));
        assert_eq!(back, r);
    }
}
