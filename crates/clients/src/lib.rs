//! clients: the HTTP side of the pipeline — the CADC services caom2pipe drives
//! (caom2pipe.md §3.3, caom2-model.md §5), with the resilience the reference lacks.
//!
//! * [`repo::RepoClient`]: caom2repo read (ETag = accMetaChecksum), create, update with
//!   `If-Match`, delete, listings by time window with paging, deletions, and
//!   [`repo::RepoClient::update_with`], the read-change-write loop that never loses a
//!   concurrent update;
//! * [`files::FilesClient`]: Storage Inventory info (`HEAD`, md5 from `Digest`), streamed get
//!   with md5 check, put with `Digest` (skipped when the md5 matches, verified after),
//!   headers (`META=true`), remove;
//! * [`tap::TapClient`]: synchronous ADQL queries as TSV;
//! * [`listing`]: Apache/nginx directory listings with times;
//! * [`registry::Registry`]: resource IDs → capabilities → endpoints, with a local override
//!   file;
//! * [`auth`], [`tls`]: X.509 proxy certificates (chain and key in one PEM), bearer tokens,
//!   rustls with verification on by default;
//! * [`http::Http`]: the shared core — retries with exponential backoff and jitter on
//!   connection errors, resets, timeouts, truncated bodies, 429 and 5xx (honouring
//!   `Retry-After`), never on other 4xx; a bound on requests in flight; per-read timeouts;
//! * [`stats::Stats`]: count, attempts, bytes and latency of every call, as Prometheus text,
//!   and a [`stats::CallObserver`] hook for the reference's metrics YAML.
//!
//! Errors are typed ([`ClientError`] with an [`ErrorKind`] decided by HTTP status or
//! transport). The crate knows nothing of the pipeline; `execute` adapts these clients to
//! its `Repository` and `Storage` traits.
//!
//! ```no_run
//! use std::sync::Arc;
//! use clients::{ClientOptions, Http, Registry, RegistryOptions, RepoClient};
//!
//! let http = Arc::new(Http::new(ClientOptions::default())?);
//! // `caom2pipe serve` answers its own capabilities; an ivo:// ID goes through the registry
//! let registry = Registry::new(http.clone(), RegistryOptions::default())?;
//! let repo = RepoClient::from_registry(&registry, "http://127.0.0.1:8080")?;
//! if let Some(v) = repo.read("TEST", "obs-1")? {
//!     println!("{} has ETag {:?}", v.observation.uri(), v.etag);
//! }
//! // add a keyword, re-reading and re-applying on 412 so no concurrent update is lost
//! repo.update_with("TEST", "obs-1", |obs| {
//!     obs.meta_read_groups.clear();
//!     true
//! })?;
//! println!("{}", http.stats().prometheus());
//! # Ok::<(), clients::ClientError>(())
//! ```

pub mod auth;
pub mod digest;
pub mod error;
pub mod files;
pub mod http;
pub mod listing;
pub mod registry;
pub mod repo;
pub mod retry;
pub mod stats;
pub mod tap;
pub mod tls;

pub use auth::{ClientCert, Credentials, Expiry};
pub use error::{ClientError, ErrorKind};
pub use files::{FileInfo, FilesClient, PutOutcome};
pub use http::{Body, ClientOptions, Http, Reply, Request};
pub use registry::{Capabilities, Registry, RegistryOptions};
pub use repo::{Conditional, ObservationState, RepoClient, Versioned, Window};
pub use retry::RetryPolicy;
pub use stats::{CallObserver, CallRecord, Stats, Totals};
pub use tap::{Table, TapClient};
pub use tls::TlsOptions;
