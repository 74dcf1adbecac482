//! The plugin contract: what a collection (OMM, NEOSSat, the generic fallback, ...) supplies
//! to the pipeline, and what a visitor gets to see.
//!
//! A collection is a value implementing [`Collection`]: its naming rules
//! ([`Collection::storage_name`], [`Collection::is_valid`]), the blueprint for each file and
//! the function module its blueprints call ([`Collection::blueprint`],
//! [`Collection::functions`]), its ordered meta visitors (the blueprint mapping first, then
//! fix-ups) and data visitors (previews, footprints), its preview style and whether a
//! Simple↔Derived change needs delete-then-create. Collections
//! register in one [`Registry`] table by name; `collection:` in config.yml picks one, and an
//! unregistered name falls back to the generic collection (file-name naming plus the YAML
//! blueprint named by `blueprint:`).
//!
//! A [`Visitor`] is the Rust form of the reference's `visit(observation, **kwargs)`: it
//! changes the observation in place, using what [`VisitContext`] holds about the entry
//! (names, every file's headers and size/md5/type, the local copy, the storage for previews).

use std::fmt;
use std::path::{Path, PathBuf};

use caom2::Observation;
use fits2caom2::Headers;

use crate::backend::{FileInfo, Storage};
use crate::config::Config;
use crate::error::EntryError;
use crate::log::EntryLog;
pub use crate::preview::{ImageFormat, PreviewStyle};
use crate::storage_name::{NamingContext, StorageName};

/// What the pipeline knows about one file of an entry, read once.
#[derive(Debug)]
pub struct FileMeta {
    /// The Artifact URI.
    pub uri: String,
    /// The local copy, when there is one (local files, or staged for data visitors).
    pub local_path: Option<PathBuf>,
    /// Size, md5 and content type (of the stored form: decompressed for `.gz`), when known.
    pub info: Option<FileInfo>,
    /// The headers of every HDU, when the file has headers.
    pub headers: Option<Headers>,
}

/// What a visitor can use besides the observation.
pub struct VisitContext<'a> {
    pub storage_name: &'a StorageName,
    pub config: &'a Config,
    /// One per destination URI of the storage name, in order.
    pub files: &'a [FileMeta],
    /// The entry's workspace (`<working_directory>/<obs_id>`), for files a visitor makes.
    pub workspace: &'a Path,
    /// The run's log directory.
    pub log_file_directory: &'a Path,
    /// Where previews and thumbnails go; `None` when offline (scrape).
    pub storage: Option<&'a dyn Storage>,
    /// The entry's log.
    pub log: &'a EntryLog,
    /// True when the observation did not exist before this entry.
    pub is_new: bool,
    /// `metaProducer` for entities this entry writes.
    pub meta_producer: &'a str,
}

impl VisitContext<'_> {
    /// The file with URI `uri`.
    pub fn file(&self, uri: &str) -> Option<&FileMeta> {
        self.files.iter().find(|f| f.uri == uri)
    }
}

/// What a visitor did, for the entry log (the reference's `{'artifacts': n}` reports).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VisitReport {
    /// Named counters, e.g. `artifacts` added.
    pub counts: Vec<(String, u64)>,
}

impl VisitReport {
    pub fn new() -> VisitReport {
        VisitReport::default()
    }

    /// Adds `n` to counter `name`.
    pub fn add(&mut self, name: &str, n: u64) {
        match self.counts.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v += n,
            None => self.counts.push((name.to_string(), n)),
        }
    }

    pub fn get(&self, name: &str) -> u64 {
        self.counts
            .iter()
            .find(|(k, _)| k == name)
            .map_or(0, |(_, v)| *v)
    }
}

impl fmt::Display for VisitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        write!(f, "{{{}}}", parts.join(", "))
    }
}

/// One step that changes an observation: the blueprint mapping, a collection's fix-ups, a
/// preview or footprint maker. Visitors are shared by the worker threads, so they hold no
/// per-entry state.
pub trait Visitor: Send + Sync {
    /// A name for logs and errors (e.g. `blueprint`, `omm.cleanup`, `preview`).
    fn name(&self) -> &str;

    /// Changes `observation` in place. The error's class decides what happens to the entry:
    /// a [`crate::Reason`] rejection is recorded and not retried, a timeout or failure is
    /// retried.
    fn visit(
        &self,
        observation: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError>;
}

/// A collection could not be set up (bad blueprint, missing configuration).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SetupError {
    pub message: String,
}

impl SetupError {
    pub fn new(message: impl Into<String>) -> SetupError {
        SetupError {
            message: message.into(),
        }
    }
}

/// A collection plugin.
pub trait Collection: Send + Sync {
    /// The CAOM collection name (e.g. `OMM`).
    fn name(&self) -> &str;

    /// `<package>/<version>` for the report's Version line and `metaProducer`.
    fn version(&self) -> String {
        format!("caom2pipe/{}", env!("CARGO_PKG_VERSION"))
    }

    /// The names for one entry (todo line, path, URL or URI). The default rules are
    /// [`StorageName::from_entry`]. An error here is a failure of the entry.
    fn storage_name(&self, entry: &str, ctx: &NamingContext) -> Result<StorageName, EntryError> {
        Ok(StorageName::from_entry(entry, ctx))
    }

    /// Whether the names are acceptable (the reference's `is_valid`); an invalid entry is
    /// rejected as `invalid_file_name` and not retried.
    fn is_valid(&self, _name: &StorageName) -> bool {
        true
    }

    /// The blueprint that maps file `uri` of an entry, when the collection maps with
    /// blueprints (tools such as `blueprint check` and `fits2caom2 --collection` use it; the
    /// mapping itself is the blueprint meta visitor).
    fn blueprint(
        &self,
        _name: &StorageName,
        _uri: &str,
    ) -> Option<&fits2caom2::blueprint::Blueprint> {
        None
    }

    /// The module of named Rust functions its blueprints call (`{function: name}`).
    fn functions(&self) -> Option<&fits2caom2::functions::Module> {
        None
    }

    /// The meta visitors in order; the first is normally the blueprint mapping.
    fn meta_visitors(&self) -> Vec<&dyn Visitor>;

    /// The data visitors in order (previews, footprints); they get the local file.
    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        Vec::new()
    }

    /// How previews and thumbnails look and are named (the data the preview data visitor
    /// renders from).
    fn preview_style(&self) -> PreviewStyle {
        PreviewStyle::default()
    }

    /// Whether a change between Simple and Derived is written as delete-then-create (the
    /// reference's `needs_delete`).
    fn needs_delete(&self) -> bool {
        false
    }
}

/// Builds a collection from the configuration.
pub type CollectionFactory = fn(&Config) -> Result<Box<dyn Collection>, SetupError>;

/// The table where collections register by name. The binary builds it once (see the `cli`
/// crate's collection table); there is no global registry.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<(String, CollectionFactory)>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `factory` under `name` (matched case-insensitively, as collection names are
    /// upper case by convention but configs vary).
    pub fn register(&mut self, name: &str, factory: CollectionFactory) {
        self.entries.push((name.to_string(), factory));
    }

    /// The factory for `name`, if registered.
    pub fn get(&self, name: &str) -> Option<CollectionFactory> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, f)| *f)
    }

    /// Registered names in registration order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;
    impl Visitor for Nothing {
        fn name(&self) -> &str {
            "nothing"
        }
        fn visit(
            &self,
            _o: &mut Observation,
            _c: &VisitContext<'_>,
        ) -> Result<VisitReport, EntryError> {
            Ok(VisitReport::new())
        }
    }
    struct Demo(Nothing);
    impl Collection for Demo {
        fn name(&self) -> &str {
            "DEMO"
        }
        fn meta_visitors(&self) -> Vec<&dyn Visitor> {
            vec![&self.0]
        }
    }

    #[test]
    fn registry_finds_collections_by_name() {
        let mut r = Registry::new();
        r.register("DEMO", |_c| Ok(Box::new(Demo(Nothing))));
        let c = Config::defaults(Path::new("/wd"));
        let demo = (r.get("demo").unwrap())(&c).unwrap();
        assert_eq!(demo.name(), "DEMO");
        assert_eq!(demo.meta_visitors().len(), 1);
        assert!(r.get("OMM").is_none());
        assert_eq!(r.names(), vec!["DEMO"]);
        let mut rep = VisitReport::new();
        rep.add("artifacts", 2);
        rep.add("artifacts", 1);
        assert_eq!(rep.to_string(), "{artifacts: 3}");
    }
}
