//! Visitors over existing records (`caom2pipe visit`, the reference's `caom2-repo visit`):
//! list a collection's observations by time window, and for each one read it, run the
//! visitors, and write it back with `If-Match` when it changed. A 412 (another writer got
//! there first) reads it again and re-applies the visitors, so no update is lost. Records
//! are visited on several threads; each is classified visited-unchanged, updated, or failed.
//!
//! Unlike the reference, whose plugin gets only the observation, a visitor here gets the
//! pipeline's [`VisitContext`]; with [`VisitOptions::load_files`] it holds every artifact's
//! file information and headers from storage, so a collection's meta visitors (which map
//! headers) can run over existing records too.

use std::path::PathBuf;
use std::sync::Mutex;

use caom2::checksum;
use jiff::Timestamp;
use manage::{
    log_at, BackendError, BackendErrorKind, Config, EntryError, FileMeta, Level, Logger,
    NamingContext, Repository, Storage, StorageName, VisitContext, Visitor,
};

use crate::entry::MAX_CONFLICTS;

/// What to visit.
#[derive(Clone, Debug)]
pub struct VisitOptions {
    pub collection: String,
    /// maxLastModified window, both ends inclusive.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub threads: usize,
    /// Stop at the first failure (the reference's `--halt-on-error`).
    pub halt_on_error: bool,
    /// Give visitors each artifact's file information and headers from storage.
    pub load_files: bool,
}

/// What a visit did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VisitSummary {
    pub listed: usize,
    /// Written back (changed by the visitors).
    pub updated: usize,
    /// Visited, no change, nothing written.
    pub unchanged: usize,
    /// Gone between the listing and the read.
    pub gone: usize,
    /// Re-reads after another writer's change.
    pub conflicts: u64,
    /// (observation id, message).
    pub failed: Vec<(String, String)>,
}

enum Outcome {
    Updated(u32),
    Unchanged(u32),
    Gone,
}

/// Everything a visit needs.
pub struct Visit<'a> {
    pub config: &'a Config,
    pub repository: &'a dyn Repository,
    pub storage: Option<&'a dyn Storage>,
    pub visitors: Vec<&'a dyn Visitor>,
    /// `metaProducer` for entities the visitors add.
    pub meta_producer: &'a str,
    pub logger: Logger,
}

impl Visit<'_> {
    /// Lists and visits. A listing failure is an error; a record that fails is counted
    /// (and stops the visit with `halt_on_error`).
    pub fn run(&self, opts: &VisitOptions) -> Result<VisitSummary, BackendError> {
        let states = self
            .repository
            .list_states(&opts.collection, opts.start, opts.end)?;
        let summary = Mutex::new(VisitSummary {
            listed: states.len(),
            ..VisitSummary::default()
        });
        let next = Mutex::new(0usize);
        let halt = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..opts.threads.max(1).min(states.len().max(1)) {
                s.spawn(|| loop {
                    if halt.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    let i = match next.lock() {
                        Ok(mut n) => {
                            *n += 1;
                            *n - 1
                        }
                        Err(_) => return,
                    };
                    let Some(state) = states.get(i) else { return };
                    let id = &state.observation_id;
                    let r = self.one(opts, id);
                    let Ok(mut sum) = summary.lock() else { return };
                    match r {
                        Ok(Outcome::Updated(c)) => {
                            sum.updated += 1;
                            sum.conflicts += u64::from(c);
                            log_at!(self.logger, Level::Info, "updated {id}");
                        }
                        Ok(Outcome::Unchanged(c)) => {
                            sum.unchanged += 1;
                            sum.conflicts += u64::from(c);
                            log_at!(self.logger, Level::Debug, "unchanged {id}");
                        }
                        Ok(Outcome::Gone) => sum.gone += 1,
                        Err(e) => {
                            log_at!(self.logger, Level::Warning, "failed {id}: {}", e.message);
                            sum.failed.push((id.clone(), e.message));
                            if opts.halt_on_error {
                                halt.store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        let mut s = summary.into_inner().unwrap_or_default();
        s.failed.sort();
        Ok(s)
    }

    /// What the pipeline would know about one stored file.
    fn file(&self, uri: &str) -> Result<FileMeta, EntryError> {
        let (info, headers) = match self.storage {
            Some(s) => {
                let info = s.info(uri)?;
                let headers =
                    if info.is_some() && manage::content_type_of(uri) == "application/fits" {
                        Some(s.headers(uri)?)
                    } else {
                        None
                    };
                (info, headers)
            }
            None => (None, None),
        };
        Ok(FileMeta {
            uri: uri.to_string(),
            local_path: None,
            info,
            headers,
        })
    }

    fn one(&self, opts: &VisitOptions, obs_id: &str) -> Result<Outcome, EntryError> {
        let naming = NamingContext::from_config(self.config);
        let log = self.logger.entry(None);
        let workspace: PathBuf = std::env::temp_dir();
        let mut conflicts = 0;
        loop {
            let Some(stored) = self.repository.get(&opts.collection, obs_id)? else {
                return Ok(Outcome::Gone);
            };
            // As in the pipeline, the visitors see one file at a time: each artifact that is
            // not a preview or thumbnail (or, without files, the observation once).
            let mut targets: Vec<Option<String>> = Vec::new();
            if opts.load_files {
                for p in &stored.planes {
                    for a in &p.artifacts {
                        let derived = a.product_type == caom2::ProductType::PREVIEW
                            || a.product_type == caom2::ProductType::THUMBNAIL;
                        if !derived {
                            targets.push(Some(a.uri.as_str().to_string()));
                        }
                    }
                }
            }
            if targets.is_empty() {
                targets.push(None);
            }
            let before = stored
                .entity
                .acc_meta_checksum
                .as_ref()
                .map(|u| u.as_str().to_string());
            let mut obs = stored;
            for target in targets {
                let entry = target.as_deref().unwrap_or(obs_id);
                let mut sn = StorageName::from_entry(entry, &naming);
                sn.obs_id = obs_id.to_string();
                sn.collection = opts.collection.clone();
                let files = match &target {
                    Some(uri) => {
                        sn.destination_uris = vec![uri.clone()];
                        vec![self.file(uri)?]
                    }
                    None => {
                        sn.destination_uris.clear();
                        Vec::new()
                    }
                };
                let ctx = VisitContext {
                    storage_name: &sn,
                    config: self.config,
                    files: &files,
                    workspace: &workspace,
                    log_file_directory: &self.config.log_file_directory,
                    storage: self.storage,
                    log: &log,
                    is_new: false,
                    meta_producer: self.meta_producer,
                };
                for v in &self.visitors {
                    v.visit(&mut obs, &ctx)
                        .map_err(|e| e.context(format_args!("{entry}: {} visitor", v.name())))?;
                }
            }
            if let Ok(p) = caom2::Uri::parse(self.meta_producer) {
                crate::entry::stamp_meta_producer(&mut obs, &p);
            }
            checksum::update_checksums(&mut obs);
            let after = obs
                .entity
                .acc_meta_checksum
                .as_ref()
                .map(|u| u.as_str().to_string());
            if before.is_some() && before == after {
                return Ok(Outcome::Unchanged(conflicts));
            }
            match self.repository.update(&obs, before.as_deref()) {
                Ok(()) => return Ok(Outcome::Updated(conflicts)),
                Err(e) if e.kind == BackendErrorKind::Conflict && conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                }
                Err(e) if e.kind == BackendErrorKind::NotFound => return Ok(Outcome::Gone),
                Err(e) => return Err(e.into()),
            }
        }
    }
}
