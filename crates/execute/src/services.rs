//! The services a run uses, built from `config.yml` (see `manage::services` for the keys):
//! one HTTP client (credentials, TLS, retries, in-flight bound, statistics) and registry per
//! run, and from them the caom2repo [`Repository`], the Storage Inventory [`Storage`], the
//! incremental work sources and the http(s) [`Transfer`]. The embedded local backends stay
//! the default: a key that is not given is never replaced by a network call.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clients::{
    ClientCert, ClientError, ClientOptions, Credentials, FilesClient, Http, Registry,
    RegistryOptions, RepoClient, RetryPolicy, TapClient, TlsOptions,
};
use manage::fsutil::Sync;
use manage::services::IncrementalWork;
use manage::{Config, Metrics, Repository, RunMode, Storage};

use crate::backend::{
    HttpRepository, HttpStorage, LocalRepository, LocalStorage, ObservedRepository, ObservedStorage,
};
use crate::http_listing::{HttpListingSource, LevelFilters};
use crate::inventory::InventorySource;
use crate::source::WorkSource;
use crate::transfer::HttpTransfer;

/// A service could not be set up; names the config key concerned.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {source}")]
pub struct ServiceError {
    pub key: &'static str,
    #[source]
    pub source: ClientError,
}

fn at(key: &'static str) -> impl Fn(ClientError) -> ServiceError {
    move |source| ServiceError { key, source }
}

/// The client side of a run: one HTTP client and registry.
pub struct Connections {
    http: Arc<Http>,
    registry: Registry,
    certificate: Option<ClientCert>,
}

impl Connections {
    /// The client `config` describes. Credentials are loaded (and an expired certificate
    /// refused) only when the run calls a service; downloads of http(s) sources are
    /// anonymous otherwise.
    pub fn from_config(config: &Config, mode: RunMode) -> Result<Connections, ServiceError> {
        let mut certificate = None;
        let credentials = if config.uses_services(mode) {
            if let Some(p) = config.proxy_fqn() {
                let c = ClientCert::load(&p).map_err(at("proxy_file_name"))?;
                certificate = Some(c.clone());
                Credentials::Certificate(c)
            } else if let Some(p) = config.token_fqn() {
                Credentials::token_file(&p).map_err(at("token_file_name"))?
            } else {
                Credentials::Anonymous
            }
        } else {
            Credentials::Anonymous
        };
        let options = ClientOptions {
            credentials,
            tls: TlsOptions {
                verify: config.services.tls_verify,
                extra_roots: config.tls_ca_fqn().into_iter().collect(),
                ..TlsOptions::default()
            },
            retry: RetryPolicy {
                retries: config.services.http_retries,
                ..RetryPolicy::default()
            },
            max_in_flight: config.http_max_in_flight(),
            read_timeout: (config.http_get_timeout > 0)
                .then(|| Duration::from_secs(u64::from(config.http_get_timeout))),
            ..ClientOptions::default()
        };
        // The client's set-up reads the CA file (the certificate was checked when loaded).
        let http = Arc::new(Http::new(options).map_err(at("tls_ca_file_name"))?);
        Connections::with_http(http, config, certificate)
    }

    /// Connections over an existing client (tests set their own retry timings).
    pub fn with_http(
        http: Arc<Http>,
        config: &Config,
        certificate: Option<ClientCert>,
    ) -> Result<Connections, ServiceError> {
        let registry = Registry::new(
            http.clone(),
            RegistryOptions {
                override_file: config.registry_fqn(),
                registry_url: config
                    .services
                    .registry_url
                    .clone()
                    .unwrap_or_else(|| clients::registry::CADC_REGISTRY.to_string()),
            },
        )
        .map_err(at("registry_file_name"))?;
        Ok(Connections {
            http,
            registry,
            certificate,
        })
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// Things an operator should know before the run (a certificate about to expire).
    pub fn warnings(&self) -> Vec<String> {
        self.certificate
            .iter()
            .filter_map(|c| c.expiry_warning(jiff::Timestamp::now()))
            .collect()
    }

    /// The caom2repo service of `resource_id`.
    pub fn repository(&self, config: &Config) -> Result<HttpRepository, ServiceError> {
        let client = RepoClient::from_registry(&self.registry, &config.resource_id)
            .map_err(at("resource_id"))?;
        Ok(HttpRepository::new(client, &config.resource_id))
    }

    /// The Storage Inventory service of `storage_inventory_resource_id`.
    pub fn storage(&self, config: &Config) -> Result<HttpStorage, ServiceError> {
        let id = &config.storage_inventory_resource_id;
        let client = FilesClient::from_registry(&self.registry, id)
            .map_err(at("storage_inventory_resource_id"))?;
        Ok(HttpStorage::new(client, id, &config.working_directory))
    }

    /// The work source of an incremental run that does not harvest local files.
    pub fn incremental_source(
        &self,
        config: &Config,
    ) -> Result<Option<Box<dyn WorkSource>>, ServiceError> {
        match config.incremental_work() {
            IncrementalWork::LocalFiles => Ok(None),
            IncrementalWork::StorageInventory => {
                let id = &config.storage_inventory_tap_resource_id;
                let tap = TapClient::from_registry(&self.registry, id)
                    .map_err(at("storage_inventory_tap_resource_id"))?;
                let prefix = format!("{}:{}/", config.scheme, config.collection);
                Ok(Some(Box::new(InventorySource::new(tap, &prefix, id))))
            }
            IncrementalWork::HttpListings(urls) => {
                let tz =
                    jiff::tz::TimeZone::get(&config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
                let filters = LevelFilters::parse(&config.services.listing_filters);
                let source = HttpListingSource::new(
                    self.http.clone(),
                    &urls,
                    filters,
                    &config.data_source_extensions,
                    tz,
                    config.http_max_in_flight(),
                )
                .map_err(|e| ServiceError {
                    key: "data_sources",
                    source: ClientError::setup("data_sources", e.to_string()),
                })?;
                Ok(Some(Box::new(source)))
            }
        }
    }

    /// Downloads of http(s) sources.
    pub fn transfer(&self) -> HttpTransfer {
        HttpTransfer::new(self.http.clone())
    }
}

/// The backends of a run, chosen by config.yml.
pub struct Backends {
    pub repository: Box<dyn Repository>,
    pub storage: Box<dyn Storage>,
    /// Present when the run is connected (not scrape).
    pub connections: Option<Connections>,
}

/// The repository and storage `config` asks for: services where `resource_id` and
/// `storage_inventory_resource_id` are given, the embedded ones otherwise; every call
/// recorded in `metrics` when given (the reference's metrics YAML).
pub fn backends(
    config: &Config,
    mode: RunMode,
    sync: Sync,
    metrics: Option<Arc<Metrics>>,
) -> Result<Backends, ServiceError> {
    let connections = if config.is_connected() {
        Some(Connections::from_config(config, mode)?)
    } else {
        None
    };
    backends_with(config, connections, sync, metrics)
}

/// [`backends`] over given connections.
pub fn backends_with(
    config: &Config,
    connections: Option<Connections>,
    sync: Sync,
    metrics: Option<Arc<Metrics>>,
) -> Result<Backends, ServiceError> {
    let remote = connections.as_ref().filter(|_| config.is_connected());
    if let (Some(c), Some(m)) = (remote, &metrics) {
        c.http()
            .stats()
            .add_observer(Arc::new(MetricsObserver(m.clone())));
    }
    let repository: Box<dyn Repository> = match (remote, config.uses_repository_service()) {
        (Some(c), true) => observed_repo(c.repository(config)?, &metrics),
        _ => observed_repo(
            LocalRepository::new(&config.local_repository, sync),
            &metrics,
        ),
    };
    let storage: Box<dyn Storage> = match (remote, config.uses_storage_service()) {
        (Some(c), true) => observed_storage(c.storage(config)?, &metrics),
        _ => observed_storage(LocalStorage::new(&config.local_storage, sync), &metrics),
    };
    Ok(Backends {
        repository,
        storage,
        connections,
    })
}

/// Records the calls the backend wrappers do not see (TAP queries, listings and downloads,
/// registry look-ups) in the reference's metrics YAML: services `tap`, `data` (the
/// reference's name for data transfers) and `reg`. Repository and storage calls are
/// recorded once per backend call by [`ObservedRepository`] and [`ObservedStorage`].
struct MetricsObserver(Arc<Metrics>);

impl clients::CallObserver for MetricsObserver {
    fn observe(&self, c: &clients::CallRecord<'_>) {
        let service = match c.service {
            "caom2" | "si" => return,
            "http" => "data",
            other => other,
        };
        let start = c.start.as_microsecond() as f64 / 1e6;
        if c.ok {
            let secs = c.elapsed.as_secs_f64();
            self.0
                .observe(service, c.action, c.label, start, secs, Some(c.bytes));
        } else {
            self.0.observe_failure(service, c.action, c.label);
        }
    }
}

fn observed_repo<R: Repository + 'static>(r: R, m: &Option<Arc<Metrics>>) -> Box<dyn Repository> {
    match m {
        Some(m) => Box::new(ObservedRepository {
            inner: r,
            metrics: m.clone(),
        }),
        None => Box::new(r),
    }
}

fn observed_storage<S: Storage + 'static>(s: S, m: &Option<Arc<Metrics>>) -> Box<dyn Storage> {
    match m {
        Some(m) => Box::new(ObservedStorage {
            inner: s,
            metrics: m.clone(),
        }),
        None => Box::new(s),
    }
}

/// Writes the client statistics as Prometheus text (a node_exporter textfile) to `path`.
pub fn write_prometheus(http: &Http, path: &Path) -> Result<(), manage::fsutil::FsError> {
    manage::fsutil::write_atomic(path, http.stats().prometheus().as_bytes(), Sync::Cached)
}
