//! The embedded CAOM repository: one CAOM 2.4 XML file per observation,
//! `<root>/<collection>/<observationID>.xml`.
//!
//! Writes are atomic (temporary file, fsync, rename) so a killed process leaves the old or
//! the new record; `create` is exclusive (a hard link that fails when the record exists), so
//! two writers cannot both create; records are validated with the CAOM rules before they are
//! written, as the caom2repo service does.

use std::path::{Path, PathBuf};

use caom2::Observation;
use manage::fsutil::{self, Sync};
use manage::{BackendError, BackendErrorKind, Repository};

use super::{decode_component, encode_component};

/// A directory of CAOM XML files.
pub struct LocalRepository {
    root: PathBuf,
    sync: Sync,
}

impl LocalRepository {
    /// A repository under `root` (created on first write). `sync` decides whether each write
    /// is fsynced (survives a power cut) or only atomic (survives a killed process).
    pub fn new(root: &Path, sync: Sync) -> LocalRepository {
        LocalRepository {
            root: root.to_path_buf(),
            sync,
        }
    }

    /// The file of an observation.
    pub fn path(&self, collection: &str, obs_id: &str) -> PathBuf {
        self.root
            .join(encode_component(collection))
            .join(format!("{}.xml", encode_component(obs_id)))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn check(&self, obs: &Observation) -> Result<Vec<u8>, BackendError> {
        let violations = caom2::validate::validate(obs);
        if !violations.is_empty() {
            let text: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            return Err(BackendError::new(
                BackendErrorKind::Invalid,
                format!("{} is not valid CAOM: {}", obs.uri(), text.join("; ")),
            ));
        }
        Ok(caom2::xml::write(obs).into_bytes())
    }

    fn io(&self, path: &Path, e: impl std::fmt::Display) -> BackendError {
        BackendError::new(BackendErrorKind::Io, format!("{}: {e}", path.display()))
    }
}

impl Repository for LocalRepository {
    fn describe(&self) -> String {
        format!("local repository {}", self.root.display())
    }

    fn get(&self, collection: &str, obs_id: &str) -> Result<Option<Observation>, BackendError> {
        let path = self.path(collection, obs_id);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(&path, e)),
        };
        caom2::xml::read(&bytes)
            .map(Some)
            .map_err(|e| self.io(&path, e))
    }

    fn create(&self, obs: &Observation) -> Result<(), BackendError> {
        let bytes = self.check(obs)?;
        let path = self.path(&obs.collection, &obs.observation_id);
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).map_err(|e| self.io(dir, e))?;
        let tmp = fsutil::temp_path(&path);
        let result = (|| -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            if self.sync == Sync::Durable {
                f.sync_data()?;
            }
            // Exclusive: fails with AlreadyExists when the record is there.
            std::fs::hard_link(&tmp, &path)
        })();
        let _ = std::fs::remove_file(&tmp);
        match result {
            Ok(()) => {
                if self.sync == Sync::Durable {
                    fsutil::sync_dir(dir);
                }
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(BackendError::new(
                BackendErrorKind::AlreadyExists,
                format!("{} already exists", obs.uri()),
            )),
            Err(e) => Err(self.io(&path, e)),
        }
    }

    fn update(&self, obs: &Observation, expected: Option<&str>) -> Result<(), BackendError> {
        let bytes = self.check(obs)?;
        let path = self.path(&obs.collection, &obs.observation_id);
        if let Some(expected) = expected {
            let current = self.get(&obs.collection, &obs.observation_id)?;
            let current_sum = current
                .as_ref()
                .and_then(|o| o.entity.acc_meta_checksum.as_ref())
                .map(|u| u.as_str().to_string());
            if current.is_none() {
                return Err(BackendError::new(
                    BackendErrorKind::NotFound,
                    format!("{} does not exist", obs.uri()),
                ));
            }
            if current_sum.as_deref() != Some(expected) {
                return Err(BackendError::new(
                    BackendErrorKind::Conflict,
                    format!("{} changed since it was read", obs.uri()),
                ));
            }
        } else if !path.exists() {
            return Err(BackendError::new(
                BackendErrorKind::NotFound,
                format!("{} does not exist", obs.uri()),
            ));
        }
        fsutil::write_atomic(&path, &bytes, self.sync).map_err(|e| self.io(&path, e.source))
    }

    fn delete(&self, collection: &str, obs_id: &str) -> Result<(), BackendError> {
        let path = self.path(collection, obs_id);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BackendError::new(
                BackendErrorKind::NotFound,
                format!("caom:{collection}/{obs_id} does not exist"),
            )),
            Err(e) => Err(self.io(&path, e)),
        }
    }

    fn recover(&self, collection: &str) -> Result<usize, BackendError> {
        Ok(fsutil::sweep_stale_temps(
            &self.root.join(encode_component(collection)),
        ))
    }

    /// The file's modification time stands for maxLastModified (every write replaces the
    /// file).
    fn list_states(
        &self,
        collection: &str,
        start: Option<jiff::Timestamp>,
        end: Option<jiff::Timestamp>,
    ) -> Result<Vec<manage::ObservationState>, BackendError> {
        let mut out = Vec::new();
        for id in self.list(collection)? {
            let path = self.path(collection, &id);
            let t = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| jiff::Timestamp::try_from(t).ok());
            let inside =
                t.is_some_and(|t| start.is_none_or(|s| t >= s) && end.is_none_or(|e| t <= e));
            if inside || (t.is_none() && start.is_none() && end.is_none()) {
                out.push(manage::ObservationState {
                    observation_id: id,
                    max_last_modified: t,
                    acc_meta_checksum: None,
                });
            }
        }
        out.sort_by(|a, b| {
            a.max_last_modified
                .cmp(&b.max_last_modified)
                .then_with(|| a.observation_id.cmp(&b.observation_id))
        });
        Ok(out)
    }

    fn list(&self, collection: &str) -> Result<Vec<String>, BackendError> {
        let dir = self.root.join(encode_component(collection));
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(&dir, e)),
        };
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| self.io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if fsutil::is_temp_name(&name) {
                continue;
            }
            if let Some(stem) = name.strip_suffix(".xml") {
                out.push(decode_component(stem));
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caom2::{checksum, Plane};

    #[test]
    fn create_get_update_delete_list() {
        let d = tempfile::tempdir().unwrap();
        let repo = LocalRepository::new(d.path(), Sync::Cached);
        let mut obs = Observation::simple("TEST", "obs-1");
        obs.planes.push(Plane::new("raw"));
        checksum::update_checksums(&mut obs);
        assert_eq!(repo.get("TEST", "obs-1").unwrap(), None);
        repo.create(&obs).unwrap();
        assert_eq!(
            repo.create(&obs).unwrap_err().kind,
            BackendErrorKind::AlreadyExists
        );
        let back = repo.get("TEST", "obs-1").unwrap().unwrap();
        assert_eq!(back, obs);
        let sum = back.entity.acc_meta_checksum.clone().unwrap();
        let mut changed = back.clone();
        changed.planes.push(Plane::new("cal"));
        checksum::update_checksums(&mut changed);
        assert_eq!(
            repo.update(&changed, Some("md5:0")).unwrap_err().kind,
            BackendErrorKind::Conflict
        );
        repo.update(&changed, Some(sum.as_str())).unwrap();
        assert_eq!(repo.get("TEST", "obs-1").unwrap().unwrap().planes.len(), 2);
        assert_eq!(repo.list("TEST").unwrap(), vec!["obs-1"]);
        assert!(d.path().join("TEST/obs-1.xml").is_file());
        repo.delete("TEST", "obs-1").unwrap();
        assert_eq!(
            repo.delete("TEST", "obs-1").unwrap_err().kind,
            BackendErrorKind::NotFound
        );
        assert!(repo.list("TEST").unwrap().is_empty());
    }
}
