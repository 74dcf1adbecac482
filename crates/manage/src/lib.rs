//! manage: everything about a caom2pipe run that is not executing it.
//!
//! * [`config`]: `config.yml`, every key of the reference with its default, the extension
//!   keys (`blueprint`, `local_repository`, `local_storage`), and a check that reports
//!   unknown keys and contradictory combinations with file, line and key;
//! * [`state`]: `state.yml` bookmarks, written atomically;
//! * [`mod@todo`]: todo and retries files;
//! * [`storage_name`]: [`StorageName`], the names derived from one entry;
//! * [`collection`]: the plugin contract, [`Collection`], [`Visitor`], [`VisitContext`] and
//!   the [`Registry`] table;
//! * [`preview`]: [`PreviewStyle`], how a collection's previews look and are named;
//! * [`backend`]: the [`Repository`] and [`Storage`] traits the executors call;
//! * [`error`]: typed error classes ([`EntryError`], [`ErrorClass`], [`Reason`]);
//! * [`report`], [`rejected`], [`metrics`]: the operator files in the reference's formats;
//! * [`log`]: per-run loggers (no global logger), in the reference's line formats;
//! * [`yaml`], [`time`], [`fsutil`]: PyYAML-compatible output, Python datetime formats,
//!   crash-safe writes.
//!
//! This crate depends on `fits2caom2` only for its `Headers` type, which the plugin contract
//! hands to visitors.
//!
//! ```
//! use manage::{Config, RunMode, StorageName, NamingContext};
//! use std::path::Path;
//!
//! let config = Config::parse(
//!     "collection: DEMO\ntask_types: [scrape]\nuse_local_files: true\ndata_sources: [data]\n",
//!     "config.yml",
//!     Path::new("/srv/demo"),
//! ).unwrap();
//! assert_eq!(config.local_repository, Path::new("/srv/demo/repository"));
//! assert_eq!(config.report_fqn(), Path::new("/srv/demo/demo_report.txt"));
//! // /srv/demo/data does not exist here, and an incremental run needs a state file:
//! let problems = config.check(RunMode::Incremental);
//! assert!(problems.iter().any(|p| p.key == "state_file_name"));
//!
//! let sn = StorageName::from_entry("/srv/demo/data/N20240323.fits.gz", &NamingContext::from_config(&config));
//! assert_eq!(sn.obs_id, "N20240323");
//! assert_eq!(sn.file_uri(), "cadc:DEMO/N20240323.fits");
//! ```

pub mod backend;
pub mod collection;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod log;
pub mod metrics;
pub mod preview;
pub mod rejected;
pub mod report;
pub mod services;
pub mod state;
pub mod storage_name;
pub mod time;
pub mod todo;
pub mod yaml;

pub use backend::{
    content_type_of, BackendError, BackendErrorKind, FileInfo, ObservationState, PutOutcome,
    Repository, Storage,
};
pub use collection::{
    Collection, CollectionFactory, FileMeta, ImageFormat, PreviewStyle, Registry, SetupError,
    VisitContext, VisitReport, Visitor,
};
pub use config::{Config, ConfigError, Level, Problem, RunMode, Severity, TaskType};
pub use error::{one_line, EntryError, ErrorClass, Reason};
pub use log::{EntryLog, LogSink, Logger};
pub use metrics::Metrics;
pub use rejected::Rejected;
pub use report::Summary;
pub use state::{Bookmark, State};
pub use storage_name::{NamingContext, StorageName};
