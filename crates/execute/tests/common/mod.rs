//! Test support: a test collection whose mapping is a small visitor (the real blueprint
//! mapping is tested in fits2caom2), fixtures in temporary directories, and a runner.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use caom2::{Artifact, Observation, Part, Plane, ProductType, ReleaseType, Target, Uri};
use execute::backend::{LocalRepository, LocalStorage};
use execute::RunReport;
use manage::fsutil::Sync;
use manage::{
    Collection, Config, EntryError, NamingContext, Reason, RunMode, Storage, StorageName,
    VisitContext, VisitReport, Visitor,
};

/// A stand-in for the blueprint mapping: one plane per product id, one artifact per file
/// with its size/md5/type, one part per HDU, the target from OBJECT. OBJECT = BAD is a
/// known rejection; files named `flaky*` time out on their first `flaky_failures` visits.
pub struct TestMapping {
    pub visits: Mutex<HashMap<String, usize>>,
    pub flaky_failures: usize,
    /// Make the observation derived (a Simple→Derived change).
    pub derive: std::sync::atomic::AtomicBool,
}

impl TestMapping {
    pub fn new(flaky_failures: usize) -> TestMapping {
        TestMapping {
            visits: Mutex::new(HashMap::new()),
            flaky_failures,
            derive: std::sync::atomic::AtomicBool::new(false),
        }
    }
    pub fn visits(&self, name: &str) -> usize {
        self.visits.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

impl Visitor for TestMapping {
    fn name(&self) -> &str {
        "test-mapping"
    }
    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let sn = ctx.storage_name;
        let n = {
            let mut v = self.visits.lock().unwrap();
            let n = v.entry(sn.file_name.clone()).or_insert(0);
            *n += 1;
            *n
        };
        if sn.file_name.starts_with("flaky") && n <= self.flaky_failures {
            return Err(EntryError::timeout(format!(
                "Read timed out\nwhile reading {}",
                sn.file_name
            )));
        }
        let mut report = VisitReport::new();
        if self.derive.load(Ordering::SeqCst) && !obs.is_derived() {
            obs.kind = caom2::ObservationKind::Derived {
                members: vec![Uri::parse("caom:TEST/member").unwrap()],
            };
            obs.algorithm = caom2::Algorithm::new("composite");
        }
        for f in ctx.files {
            let headers = f.headers.as_ref().ok_or_else(|| {
                EntryError::rejected(Reason::BadMetadata, format!("{}: no headers", f.uri))
            })?;
            let object = headers
                .get(0, "OBJECT")
                .and_then(|v| match v {
                    fits2caom2::Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            if object == "BAD" {
                return Err(EntryError::rejected(
                    Reason::BadMetadata,
                    format!("Cannot build an observation: OBJECT is BAD in {}", f.uri),
                ));
            }
            obs.target = Some(Target::new(object));
            if obs.plane(&sn.product_id).is_none() {
                obs.planes.push(Plane::new(sn.product_id.as_str()));
            }
            let plane = obs.plane_mut(&sn.product_id).unwrap();
            if plane.artifact(&f.uri).is_none() {
                plane.artifacts.push(Artifact::new(
                    Uri::parse(&f.uri).unwrap(),
                    ProductType::SCIENCE,
                    ReleaseType::Data,
                ));
                report.add("artifacts", 1);
            }
            let a = plane.artifact_mut(&f.uri).unwrap();
            if let Some(info) = &f.info {
                a.content_length = info.size.map(|s| s as i64);
                a.content_type = info.content_type.clone();
                a.content_checksum = info.checksum_uri().map(|c| Uri::parse(&c).unwrap());
            }
            a.parts = (0..headers.len())
                .map(|i| Part::new(i.to_string()))
                .collect();
        }
        Ok(report)
    }
}

/// A stand-in preview maker: needs the file on disk, writes a preview into the workspace,
/// stores it (when online) and adds the preview artifact.
pub struct TestPreview {
    pub visits: AtomicUsize,
}

impl Visitor for TestPreview {
    fn name(&self) -> &str {
        "test-preview"
    }
    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        self.visits.fetch_add(1, Ordering::SeqCst);
        let sn = ctx.storage_name;
        let file = &ctx.files[0];
        let local = file
            .local_path
            .as_ref()
            .filter(|p| p.is_file())
            .ok_or_else(|| EntryError::failed(format!("{}: not on local disk", file.uri)))?;
        let bytes = std::fs::read(local).map_err(|e| EntryError::failed(e.to_string()))?;
        let preview = ctx.workspace.join(&sn.prev);
        std::fs::write(&preview, &bytes[..bytes.len().min(100)])
            .map_err(|e| EntryError::failed(e.to_string()))?;
        if let Some(storage) = ctx.storage {
            let mut f = std::fs::File::open(&preview).unwrap();
            storage
                .put(&sn.prev_uri, &mut f, "image/jpeg")
                .map_err(EntryError::from)?;
        }
        let plane = obs
            .plane_mut(&sn.product_id)
            .ok_or_else(|| EntryError::failed("no plane to add a preview to"))?;
        if plane.artifact(&sn.prev_uri).is_none() {
            plane.artifacts.push(Artifact::new(
                Uri::parse(&sn.prev_uri).unwrap(),
                ProductType::PREVIEW,
                ReleaseType::Data,
            ));
        }
        let mut r = VisitReport::new();
        r.add("artifacts", 1);
        Ok(r)
    }
}

/// The test collection.
pub struct TestCollection {
    pub mapping: Arc<TestMapping>,
    pub preview: Arc<TestPreview>,
    /// obs_id = file id up to the first `_` (several files per observation).
    pub group_by_prefix: bool,
    /// Names starting with `invalid` are rejected by `is_valid`.
    pub check_valid: bool,
    /// Simple↔Derived changes are written as delete then create.
    pub needs_delete: bool,
}

impl TestCollection {
    pub fn new(flaky_failures: usize) -> TestCollection {
        TestCollection {
            mapping: Arc::new(TestMapping::new(flaky_failures)),
            preview: Arc::new(TestPreview {
                visits: AtomicUsize::new(0),
            }),
            group_by_prefix: false,
            check_valid: true,
            needs_delete: false,
        }
    }
}

impl Collection for TestCollection {
    fn name(&self) -> &str {
        "TEST"
    }
    fn version(&self) -> String {
        "test2caom2/1.0".into()
    }
    fn storage_name(&self, entry: &str, ctx: &NamingContext) -> Result<StorageName, EntryError> {
        let mut sn = StorageName::from_entry(entry, ctx);
        if self.group_by_prefix {
            if let Some((prefix, _)) = sn.file_id.split_once('_') {
                sn.obs_id = prefix.to_string();
            }
        }
        Ok(sn)
    }
    fn is_valid(&self, name: &StorageName) -> bool {
        !(self.check_valid && name.file_name.starts_with("invalid"))
    }
    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        vec![self.mapping.as_ref()]
    }
    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        vec![self.preview.as_ref()]
    }
    fn needs_delete(&self) -> bool {
        self.needs_delete
    }
}

/// A working directory with data files and a config.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        // A subdirectory with a fixed name, so the report file name is known.
        let root = dir.path().join("wd");
        std::fs::create_dir_all(&root).unwrap();
        Fixture { _dir: dir, root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| panic!("{}: {e}", self.path(rel).display()))
    }

    pub fn lines(&self, rel: &str) -> Vec<String> {
        match std::fs::read_to_string(self.path(rel)) {
            Ok(t) => t.lines().map(String::from).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Writes an OMM-like FITS file with OBJECT = `object` at `rel`.
    pub fn fits(&self, rel: &str, object: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let seq = rel.len() as u32;
        let bytes =
            execute::synth::fits_file(&execute::synth::omm_image(seq, object, 10.0, 20.0, "H"));
        let bytes = if rel.ends_with(".gz") {
            execute::synth::gzip(&bytes)
        } else {
            bytes
        };
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Writes a header dump with OBJECT = `object` at `rel`.
    pub fn dump(&self, rel: &str, object: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let text = format!(
            "SIMPLE  =                    T\nNAXIS   =                    0\nOBJECT  = '{object}'\nEND\n"
        );
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Sets the modification time of `rel` to `secs` after the epoch.
    pub fn set_mtime(&self, rel: &str, secs: i64) {
        std::fs::File::options()
            .write(true)
            .open(self.path(rel))
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64))
            .unwrap();
    }

    pub fn config(&self, yaml: &str) -> Config {
        std::fs::write(self.path("config.yml"), yaml).unwrap();
        Config::read(&self.path("config.yml")).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn repository(&self, c: &Config) -> LocalRepository {
        LocalRepository::new(&c.local_repository, Sync::Cached)
    }

    pub fn storage(&self, c: &Config) -> LocalStorage {
        LocalStorage::new(&c.local_storage, Sync::Cached)
    }

    /// Runs the pipeline in-process.
    pub fn run(&self, c: &Config, coll: &dyn Collection, mode: RunMode) -> RunReport {
        self.try_run(c, coll, mode, None).unwrap()
    }

    pub fn try_run(
        &self,
        c: &Config,
        coll: &dyn Collection,
        mode: RunMode,
        todo: Option<&Path>,
    ) -> Result<RunReport, execute::RunError> {
        execute::run_local(c, coll, mode, todo)
    }

    pub fn observation(&self, c: &Config, obs_id: &str) -> Option<Observation> {
        use manage::Repository;
        self.repository(c).get("TEST", obs_id).unwrap()
    }

    pub fn stored(&self, c: &Config, uri: &str) -> bool {
        self.storage(c).info(uri).unwrap().is_some()
    }
}

/// A log line without its leading `YYYY-MM-DD HH:MM:SS[.ffffff] ` timestamp.
pub fn strip_time(line: &str) -> String {
    let mut parts = line.splitn(3, ' ');
    let date = parts.next().unwrap_or("");
    let time = parts.next().unwrap_or("");
    assert!(
        date.len() == 10
            && date.as_bytes()[4] == b'-'
            && time.len() >= 8
            && time.as_bytes()[2] == b':',
        "no timestamp in {line:?}"
    );
    parts.next().unwrap_or("").to_string()
}

/// The report text with its Date and Execution Time lines blanked.
pub fn stable_report(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("Date: ") {
                "Date: <date>".to_string()
            } else if l.starts_with("Execution Time: ") {
                "Execution Time: <t> s".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
