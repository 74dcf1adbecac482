//! One entry through its executor chain (the reference's `do_one`).
//!
//! Files are read once per entry where possible: a store streams the file into storage while
//! computing its md5 and size, and later steps reuse that; a local FITS file's md5 is one
//! streaming pass and its headers come from cfitsio (which reads only the header blocks of an
//! uncompressed file); a header dump is read once for both.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use caom2::{checksum, Observation, Uri};
use fits2caom2::{Headers, SourceError};
use manage::fsutil::{self, Sync};
use manage::{
    content_type_of, log_at, BackendErrorKind, Collection, Config, EntryError, EntryLog, FileInfo,
    FileMeta, Level, PutOutcome, Reason, Repository, Storage, StorageName, VisitContext,
};

use crate::backend::local_storage::copy_with_md5;
use crate::source::WorkItem;
use crate::task::Executor;

/// What an entry needs from the run.
pub struct Services<'a> {
    pub config: &'a Config,
    pub collection: &'a dyn Collection,
    pub repository: &'a dyn Repository,
    pub storage: &'a dyn Storage,
    pub executors: &'a [Executor],
    /// `metaProducer` stamped on entities that have none.
    pub meta_producer: &'a str,
    /// Run data visitors in single-visit executors (modify is among the task types).
    pub data_visitors_in_single_visit: bool,
    /// How durable entry outputs are.
    pub sync: Sync,
    /// Fetches remote (http(s)) sources before they are stored.
    pub transfer: Option<&'a dyn crate::transfer::Transfer>,
}

/// How many times an entry re-reads and re-applies its visitors when another writer changed
/// the record first (412 on update, 409 on create) before it gives up (and is retried).
pub const MAX_CONFLICTS: u32 = 10;

/// How an entry ended when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// Processed.
    Ok,
    /// Nothing to do: every file was already stored with the same md5 (with
    /// `store_modified_files_only` and `cleanup_files_when_storing`).
    Unchanged,
}

/// Per-entry state shared by the executors of a chain.
struct Job<'a> {
    svc: &'a Services<'a>,
    sn: &'a StorageName,
    item: &'a WorkItem,
    log: &'a EntryLog,
    /// One per destination URI.
    files: Vec<FileMeta>,
    headers_loaded: bool,
    workspace: PathBuf,
    workspace_made: bool,
}

/// Runs the executor chain for one entry.
pub fn do_one(
    svc: &Services<'_>,
    item: &WorkItem,
    sn: &StorageName,
    log: &EntryLog,
) -> Result<Done, EntryError> {
    let workspace = svc.config.working_directory.join(sn.obs_id.as_str());
    let mut job = Job {
        svc,
        sn,
        item,
        log,
        files: sn
            .destination_uris
            .iter()
            .map(|u| FileMeta {
                uri: u.clone(),
                local_path: None,
                info: None,
                headers: None,
            })
            .collect(),
        headers_loaded: false,
        workspace,
        workspace_made: false,
    };
    let mut done = Done::Ok;
    let mut result = Ok(());
    for ex in svc.executors {
        log_at!(log, Level::Debug, "{} {}", ex.reference_name(), sn.entry);
        let r = match ex {
            Executor::Store => job.store().map(|d| done = d),
            Executor::Scrape => job.scrape(false, true),
            Executor::DataScrape => job.scrape(true, false),
            Executor::NoFheadScrape => job.scrape(svc.data_visitors_in_single_visit, true),
            Executor::MetaVisit => job.visit(true, false, false),
            Executor::MetaVisitDeleteCreate => job.visit(true, false, true),
            Executor::LocalDataVisit | Executor::DataVisit => job.visit(false, true, false),
            Executor::NoFheadVisit => job.visit(
                true,
                svc.data_visitors_in_single_visit,
                svc.collection.needs_delete(),
            ),
            Executor::NoFheadStoreVisit => job.store().and_then(|d| {
                done = d;
                if d == Done::Unchanged {
                    return Ok(());
                }
                job.visit(
                    true,
                    svc.data_visitors_in_single_visit,
                    svc.collection.needs_delete(),
                )
            }),
        };
        if let Err(e) = r {
            result = Err(e);
            break;
        }
        if done == Done::Unchanged {
            break;
        }
    }
    job.clean_workspace();
    result.map(|()| done)
}

/// Classifies a header-reading problem: unreadable input data is a known rejection
/// (`bad_data`), a file that cannot be opened is a (retryable) failure.
fn source_error(e: SourceError) -> EntryError {
    match e {
        SourceError::Io { .. } => EntryError::failed(e.to_string()),
        other => EntryError::rejected(Reason::BadData, other.to_string()),
    }
}

/// Whether the file is a header dump (describes a file we do not have).
fn is_dump(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().contains(".header"))
}

/// Whether a file has headers the mapping can read.
fn has_headers(name: &str) -> bool {
    let ct = content_type_of(name);
    ct == "application/fits" || ct == "application/x-hdf5" || name.contains(".header")
}

/// Opens a local file as its stored form: `.gz` decompressed when the destination drops it.
fn open_stored_form(path: &Path, uri: &str) -> Result<Box<dyn Read>, EntryError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let f = File::open(path).map_err(|e| EntryError::failed(format!("{}: {e}", path.display())))?;
    let dest = manage::storage_name::file_name_of(uri);
    if name.ends_with(".gz") && !dest.ends_with(".gz") {
        return Ok(Box::new(flate2::read::MultiGzDecoder::new(
            std::io::BufReader::new(f),
        )));
    }
    if name.ends_with(".bz2") && !dest.ends_with(".bz2") {
        return Err(EntryError::failed(format!(
            "{}: bzip2 files cannot be decompressed by this build; store it uncompressed or as .gz",
            path.display()
        )));
    }
    Ok(Box::new(f))
}

/// What the pipeline needs of a local file, reading it once where possible: a header dump
/// once for its headers (it has no content information of its own: it describes a file we
/// do not have); another file one streaming pass for md5 and size (unless `known`, e.g. from
/// the store that just copied it) plus cfitsio's read of its header blocks.
pub fn read_local_meta(
    path: &Path,
    uri: &str,
    known: Option<FileInfo>,
) -> Result<FileMeta, EntryError> {
    let mut meta = FileMeta {
        uri: uri.to_string(),
        local_path: Some(path.to_path_buf()),
        info: None,
        headers: None,
    };
    if is_dump(path) {
        let bytes = std::fs::read(path)
            .map_err(|e| EntryError::failed(format!("{}: {e}", path.display())))?;
        let h =
            Headers::from_dump_bytes(&bytes, &path.display().to_string()).map_err(source_error)?;
        meta.headers = Some(h);
        return Ok(meta);
    }
    meta.info = Some(match known {
        Some(i) => i,
        None => local_info(path, uri)?,
    });
    if has_headers(uri) {
        meta.headers = Some(Headers::read(path).map_err(source_error)?);
    }
    Ok(meta)
}

/// Read errors that mean the content is not what its name says (a broken gzip stream).
fn is_bad_data(kind: std::io::ErrorKind) -> bool {
    matches!(
        kind,
        std::io::ErrorKind::InvalidInput
            | std::io::ErrorKind::InvalidData
            | std::io::ErrorKind::UnexpectedEof
    )
}

/// A reader that remembers whether reading its source failed, so a failed put can tell a
/// bad source from a bad destination.
struct Tracked {
    inner: Box<dyn Read>,
    error: Option<std::io::ErrorKind>,
}

impl Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .inspect_err(|e| self.error = Some(e.kind()))
    }
}

/// Size, md5 and type of a local file's stored form, in one pass.
pub fn local_info(path: &Path, uri: &str) -> Result<FileInfo, EntryError> {
    let mut r = open_stored_form(path, uri)?;
    let (md5, size) = copy_with_md5(&mut r, &mut std::io::sink()).map_err(|e| {
        // A broken gzip stream is bad data, not a transient failure.
        if is_bad_data(e.kind()) {
            EntryError::rejected(Reason::BadData, format!("{}: {e}", path.display()))
        } else {
            EntryError::failed(format!("{}: {e}", path.display()))
        }
    })?;
    Ok(FileInfo {
        size: Some(size),
        md5: Some(md5),
        content_type: Some(content_type_of(uri).to_string()),
        encoding: None,
        last_modified: None,
    })
}

impl Job<'_> {
    /// The local file of destination `i`, if the entry has one.
    fn local_path(&self, i: usize) -> Option<PathBuf> {
        let source = self.sn.source_names.get(i)?;
        if i == 0 {
            if let Some(p) = &self.item.local {
                return Some(p.clone());
            }
        }
        let p = PathBuf::from(source);
        (!crate::source::has_scheme(source) && p.is_file()).then_some(p)
    }

    fn config(&self) -> &Config {
        self.svc.config
    }

    /// Puts every file of the entry into storage.
    fn store(&mut self) -> Result<Done, EntryError> {
        let mut all_unchanged = true;
        for i in 0..self.files.len() {
            let uri = self.files[i].uri.clone();
            let path = match self.local_path(i) {
                Some(p) => p,
                None => self.fetch(i)?,
            };
            if is_dump(&path) {
                return Err(EntryError::failed(format!(
                    "{}: a header dump describes a file; it cannot be stored as {uri}",
                    path.display()
                )));
            }
            let mut reader = Tracked {
                inner: open_stored_form(&path, &uri)?,
                error: None,
            };
            let put = self
                .svc
                .storage
                .put(&uri, &mut reader, content_type_of(&uri));
            let (outcome, info) = match (put, reader.error) {
                (Ok(r), _) => r,
                // The source could not be read as what it claims to be (a broken gzip
                // stream): bad data, not worth a retry.
                (Err(e), Some(kind)) if is_bad_data(kind) => {
                    return Err(EntryError::rejected(
                        Reason::BadData,
                        format!("{}: {}", path.display(), e.message),
                    ))
                }
                (Err(e), _) => return Err(e.into()),
            };
            log_at!(
                self.log,
                Level::Info,
                "{} {uri} ({} bytes, md5 {})",
                if outcome == PutOutcome::Stored {
                    "stored"
                } else {
                    "unchanged"
                },
                info.size.unwrap_or(0),
                info.md5.as_deref().unwrap_or("")
            );
            all_unchanged &= outcome == PutOutcome::Unchanged;
            self.files[i].local_path = Some(path);
            self.files[i].info = Some(info);
        }
        let c = self.config();
        if all_unchanged && c.store_modified_files_only && c.cleanup_files_when_storing {
            return Ok(Done::Unchanged);
        }
        Ok(Done::Ok)
    }

    /// Downloads the remote source of destination `i` into the workspace.
    fn fetch(&mut self, i: usize) -> Result<PathBuf, EntryError> {
        let source = self.sn.source_names.get(i).cloned().unwrap_or_default();
        let Some(transfer) = self.svc.transfer.filter(|t| t.handles(&source)) else {
            return Err(EntryError::failed(format!(
                "{source}: not a local file, and no transfer fetches it (http(s) sources are downloaded; ftp and vos: are not supported)"
            )));
        };
        self.make_workspace()?;
        let dest = self
            .workspace
            .join(manage::storage_name::file_name_of(&source));
        let got = transfer.get(&source, &dest)?;
        log_at!(
            self.log,
            Level::Debug,
            "fetched {source} ({} bytes, md5 {})",
            got.size.unwrap_or(0),
            got.md5.as_deref().unwrap_or("")
        );
        Ok(dest)
    }

    /// Fills in headers and file info for every file, from local disk or storage.
    fn load_metadata(&mut self) -> Result<(), EntryError> {
        if self.headers_loaded {
            return Ok(());
        }
        for i in 0..self.files.len() {
            let uri = self.files[i].uri.clone();
            // a file fetched by the store is local now
            let local = self.files[i]
                .local_path
                .clone()
                .or_else(|| self.local_path(i));
            match local {
                Some(path) => {
                    let known = self.files[i].info.take();
                    self.files[i] = read_local_meta(&path, &uri, known)?;
                }
                None => {
                    let storage = self.svc.storage;
                    if self.files[i].info.is_none() {
                        self.files[i].info = Some(storage.info(&uri)?.ok_or_else(|| {
                            EntryError::failed(format!(
                                "{uri} is neither a local file nor in {}",
                                storage.describe()
                            ))
                        })?);
                    }
                    if has_headers(&uri) {
                        self.files[i].headers = Some(storage.headers(&uri)?);
                    }
                }
            }
        }
        self.headers_loaded = true;
        Ok(())
    }

    /// Makes sure every file is on local disk (for data visitors).
    fn stage(&mut self) -> Result<(), EntryError> {
        for i in 0..self.files.len() {
            if self.files[i].local_path.is_some() {
                continue;
            }
            if let Some(p) = self.local_path(i) {
                self.files[i].local_path = Some(p);
                continue;
            }
            let uri = self.files[i].uri.clone();
            self.make_workspace()?;
            let dest = self
                .workspace
                .join(manage::storage_name::file_name_of(&uri));
            let info = self.svc.storage.get(&uri, &dest)?;
            self.files[i].info.get_or_insert(info);
            self.files[i].local_path = Some(dest);
        }
        Ok(())
    }

    fn make_workspace(&mut self) -> Result<(), EntryError> {
        if !self.workspace_made {
            std::fs::create_dir_all(&self.workspace)
                .map_err(|e| EntryError::failed(format!("{}: {e}", self.workspace.display())))?;
            self.workspace_made = true;
        }
        Ok(())
    }

    /// Removes the workspace unless it holds the scrape output.
    fn clean_workspace(&mut self) {
        if self.workspace_made && !self.is_scrape() {
            let _ = std::fs::remove_dir_all(&self.workspace);
        }
    }

    fn is_scrape(&self) -> bool {
        self.svc.executors.iter().any(|e| !e.is_connected())
    }

    /// Where scrape reads and writes the record: the log directory with `log_to_file`,
    /// otherwise the entry's workspace (as the reference does).
    fn model_path(&self) -> PathBuf {
        let c = self.config();
        if c.log_to_file {
            c.log_file_directory.join(self.sn.model_file_name())
        } else {
            self.workspace.join(self.sn.model_file_name())
        }
    }

    fn run_visitors(
        &mut self,
        obs: &mut Observation,
        meta: bool,
        data: bool,
        is_new: bool,
    ) -> Result<(), EntryError> {
        if data {
            self.stage()?;
            self.make_workspace()?;
        }
        let storage = self.svc.config.is_connected().then_some(self.svc.storage);
        let ctx = VisitContext {
            storage_name: self.sn,
            config: self.svc.config,
            files: &self.files,
            workspace: &self.workspace,
            log_file_directory: &self.svc.config.log_file_directory,
            storage,
            log: self.log,
            is_new,
            meta_producer: self.svc.meta_producer,
        };
        let mut visitors = Vec::new();
        if meta {
            visitors.extend(self.svc.collection.meta_visitors());
        }
        if data {
            visitors.extend(self.svc.collection.data_visitors());
        }
        for v in visitors {
            let report = v
                .visit(obs, &ctx)
                .map_err(|e| e.context(format_args!("{} visitor", v.name())))?;
            log_at!(self.log, Level::Debug, "{}: {report}", v.name());
        }
        // The reference leaves plane metadata to the repository service; we compute it here so
        // every record that leaves the pipeline is complete. Chunks that cannot be computed make
        // the entry a known rejection (bad metadata) rather than a record with a wrong plane.
        astro::visitor::compute_or_reject(obs)?;
        Ok(())
    }

    /// Scrape: the record on disk instead of the repository.
    fn scrape(&mut self, data: bool, meta: bool) -> Result<(), EntryError> {
        self.make_workspace()?;
        if meta || data {
            self.load_metadata()?;
        }
        let path = self.model_path();
        let existing = match std::fs::read(&path) {
            Ok(b) => Some(
                caom2::xml::read(&b)
                    .map_err(|e| EntryError::failed(format!("{}: {e}", path.display())))?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(EntryError::failed(format!("{}: {e}", path.display()))),
        };
        if existing.is_none() && !meta {
            return Err(EntryError::failed(format!(
                "{}: no record to modify (run scrape first)",
                path.display()
            )));
        }
        let is_new = existing.is_none();
        let mut obs =
            existing.unwrap_or_else(|| Observation::simple(&self.sn.collection, &self.sn.obs_id));
        self.run_visitors(&mut obs, meta, data, is_new)?;
        self.prepare(&mut obs);
        for v in caom2::validate::validate(&obs) {
            log_at!(self.log, Level::Warning, "{}: {v}", obs.uri());
        }
        let xml = caom2::xml::write(&obs);
        fsutil::write_atomic(&path, xml.as_bytes(), self.svc.sync)
            .map_err(|e| EntryError::failed(e.to_string()))?;
        log_at!(self.log, Level::Info, "wrote {}", path.display());
        Ok(())
    }

    /// Read groups, metaProducer and checksums, before a record is written.
    fn prepare(&self, obs: &mut Observation) {
        let c = self.config();
        let groups =
            |v: &[String]| -> Vec<Uri> { v.iter().filter_map(|g| Uri::parse(g).ok()).collect() };
        if !c.meta_read_groups.is_empty() {
            obs.meta_read_groups = groups(&c.meta_read_groups);
            for p in &mut obs.planes {
                p.meta_read_groups = groups(&c.meta_read_groups);
            }
        }
        if !c.data_read_groups.is_empty() {
            for p in &mut obs.planes {
                p.data_read_groups = groups(&c.data_read_groups);
            }
        }
        if let Ok(producer) = Uri::parse(self.svc.meta_producer) {
            stamp_meta_producer(obs, &producer);
        }
        checksum::update_checksums(obs);
    }

    /// Meta and/or data visitors against the repository.
    fn visit(&mut self, meta: bool, data: bool, delete_create: bool) -> Result<(), EntryError> {
        if meta {
            self.load_metadata()?;
        }
        let repo = self.svc.repository;
        // Optimistic concurrency: when another writer changed the record between our read
        // and our write (412, or 409 on create), read it again and re-apply the visitors, so
        // neither update is lost.
        let mut conflicts = 0;
        let (obs, is_new) = loop {
            let existing = repo.get(&self.sn.collection, &self.sn.obs_id)?;
            if existing.is_none() && !meta {
                return Err(EntryError::failed(format!(
                    "{}: no observation to modify in {}",
                    self.sn.observation_uri(),
                    repo.describe()
                )));
            }
            let is_new = existing.is_none();
            let mut obs = existing
                .clone()
                .unwrap_or_else(|| Observation::simple(&self.sn.collection, &self.sn.obs_id));
            self.run_visitors(&mut obs, meta, data, is_new)?;
            self.prepare(&mut obs);
            let written = match &existing {
                None => repo.create(&obs),
                Some(old) => {
                    let unchanged = old.entity.acc_meta_checksum.is_some()
                        && old.entity.acc_meta_checksum == obs.entity.acc_meta_checksum;
                    if unchanged {
                        log_at!(self.log, Level::Info, "{} unchanged", obs.uri());
                        Ok(())
                    } else if delete_create && old.is_derived() != obs.is_derived() {
                        repo.delete(&obs.collection, &obs.observation_id)
                            .and_then(|()| repo.create(&obs))
                    } else {
                        let expected = old
                            .entity
                            .acc_meta_checksum
                            .as_ref()
                            .map(|u| u.as_str().to_string());
                        repo.update(&obs, expected.as_deref())
                    }
                }
            };
            match written {
                Ok(()) => break (obs, is_new),
                Err(e)
                    if matches!(
                        e.kind,
                        BackendErrorKind::Conflict | BackendErrorKind::AlreadyExists
                    ) && conflicts < MAX_CONFLICTS =>
                {
                    conflicts += 1;
                    log_at!(
                        self.log,
                        Level::Info,
                        "{} was changed by another writer ({}); reading it again",
                        obs.uri(),
                        e.message
                    );
                }
                Err(e) => return Err(e.into()),
            }
        };
        log_at!(
            self.log,
            Level::Info,
            "{} {} in {}",
            if is_new { "created" } else { "updated" },
            obs.uri(),
            repo.describe()
        );
        if self.config().log_to_file {
            let path = self
                .config()
                .log_file_directory
                .join(self.sn.model_file_name());
            fsutil::write_atomic(&path, caom2::xml::write(&obs).as_bytes(), Sync::Cached)
                .map_err(|e| EntryError::failed(e.to_string()))?;
        }
        Ok(())
    }
}

/// Sets `metaProducer` on every entity that has none.
pub fn stamp_meta_producer(obs: &mut Observation, producer: &Uri) {
    let set = |e: &mut caom2::Entity| {
        if e.meta_producer.is_none() {
            e.meta_producer = Some(producer.clone());
        }
    };
    set(&mut obs.entity);
    for p in &mut obs.planes {
        set(&mut p.entity);
        for a in &mut p.artifacts {
            set(&mut a.entity);
            for part in &mut a.parts {
                set(&mut part.entity);
                for c in &mut part.chunks {
                    set(&mut c.entity);
                }
            }
        }
    }
}

/// `caom2pipe scrape`: one observation from local files with a collection's meta visitors,
/// no services. `start` is an existing record to update (`--in`); every file must map to the
/// same observation id (or `obs_id` overrides it). Plane metadata is computed only when
/// `compute` is set: by default the output is what the reference client tools write (they
/// leave plane metadata to the repository service), which is what conformance cases expect.
pub fn scrape_files(
    collection: &dyn Collection,
    config: &Config,
    files: &[PathBuf],
    start: Option<Observation>,
    obs_id: Option<&str>,
    compute: bool,
    log: &EntryLog,
) -> Result<Observation, EntryError> {
    let naming = manage::NamingContext::from_config(config);
    let mut obs = start;
    let producer = collection.version();
    for path in files {
        let entry = path.display().to_string();
        let mut sn = collection.storage_name(&entry, &naming)?;
        if let Some(id) = obs_id {
            sn.obs_id = id.to_string();
        }
        if !collection.is_valid(&sn) {
            return Err(EntryError::rejected(
                Reason::InvalidFileName,
                format!("{}: {entry}", Reason::InvalidFileName.phrase()),
            ));
        }
        if let Some(o) = &obs {
            if o.observation_id != sn.obs_id {
                return Err(EntryError::failed(format!(
                    "{entry} belongs to observation {:?}, not {:?} (use --obs-id to put the files in one observation)",
                    sn.obs_id, o.observation_id
                )));
            }
        }
        let mut metas = Vec::new();
        for (i, uri) in sn.destination_uris.iter().enumerate() {
            let p = if i == 0 {
                path.clone()
            } else {
                PathBuf::from(&sn.source_names[i])
            };
            metas.push(read_local_meta(&p, uri, None)?);
        }
        let is_new = obs.is_none();
        let mut o = obs
            .take()
            .unwrap_or_else(|| Observation::simple(&sn.collection, &sn.obs_id));
        let workspace = std::env::temp_dir();
        let ctx = VisitContext {
            storage_name: &sn,
            config,
            files: &metas,
            workspace: &workspace,
            log_file_directory: &config.log_file_directory,
            storage: None,
            log,
            is_new,
            meta_producer: &producer,
        };
        for v in collection.meta_visitors() {
            let report = v
                .visit(&mut o, &ctx)
                .map_err(|e| e.context(format_args!("{entry}: {} visitor", v.name())))?;
            log_at!(log, Level::Debug, "{}: {report}", v.name());
        }
        obs = Some(o);
    }
    let mut o = obs.ok_or_else(|| EntryError::failed("no files given"))?;
    if compute {
        astro::visitor::compute_or_reject(&mut o)?;
    }
    if let Ok(p) = Uri::parse(&producer) {
        stamp_meta_producer(&mut o, &p);
    }
    checksum::update_checksums(&mut o);
    Ok(o)
}
