//! The service side of `config.yml`: which backends a run uses, and the keys (extensions to
//! the reference's) that say how to reach them.
//!
//! * `resource_id` **given in config.yml** → records go to that caom2repo service (CADC's
//!   `ivo://cadc.nrc.ca/ams`, or `http://127.0.0.1:8080` for `caom2pipe serve`); otherwise
//!   to the embedded repository (`local_repository`). The reference's defaults
//!   (`ivo://cadc.nrc.ca/sc2repo`, ...) are kept for messages but never used silently.
//! * `storage_inventory_resource_id` given → files go to that Storage Inventory (minoc)
//!   service; otherwise to the embedded store (`local_storage`).
//! * An incremental run without `use_local_files` harvests the `http(s)` directory listings
//!   in `data_sources`, or, when there are none, Storage Inventory time boxes through the TAP
//!   service `storage_inventory_tap_resource_id`.
//!
//! New keys:
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `registry_file_name` | none | local registry override: `resourceID = capabilitiesURL` lines, consulted before the registry |
//! | `registry_url` | CADC's `reg/resource-caps` | the registry's resource list |
//! | `token_file_name` | none | a bearer token (first line of the file) instead of `proxy_file_name` |
//! | `tls_ca_file_name` | none | extra CA certificates (PEM) to trust |
//! | `tls_verify` | `true` | verify service certificates (turn off only for a test service) |
//! | `http_retries` | `5` | retries of a failed call (backoff 0.5 s doubling to 30 s, with jitter) |
//! | `http_max_in_flight` | `max(8, 2 × parallel_count)` | requests on the wire at once |
//! | `listing_filters` | none | per level of an HTTP listing harvest, the directory names followed: `['NESS\|20*', '*']` (`*`/`?` wildcards, `\|` between alternatives; deeper levels follow every directory) |
//!
//! `http_get_timeout` (seconds; read but unused by the reference) is the per-read timeout of
//! every call: a service silent for that long is a timeout, retried; `0` means no limit.
//! File names are relative to `working_directory`, as `proxy_file_name` is.

use std::path::PathBuf;

use crate::config::{is_remote, Config, Problem, RunMode, Severity};

/// The service keys of a configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceConfig {
    /// Keys present (with a value) in config.yml.
    pub given: Vec<&'static str>,
    pub registry_file_name: Option<String>,
    pub registry_url: Option<String>,
    pub token_file_name: Option<String>,
    pub tls_ca_file_name: Option<String>,
    pub tls_verify: bool,
    pub http_retries: u32,
    pub http_max_in_flight: Option<usize>,
    /// Directory-name patterns per level of an HTTP listing harvest.
    pub listing_filters: Vec<String>,
}

impl Default for ServiceConfig {
    fn default() -> ServiceConfig {
        ServiceConfig {
            given: Vec::new(),
            registry_file_name: None,
            registry_url: None,
            token_file_name: None,
            tls_ca_file_name: None,
            tls_verify: true,
            http_retries: 5,
            http_max_in_flight: None,
            listing_filters: Vec::new(),
        }
    }
}

/// Where an incremental run finds its work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncrementalWork {
    /// Local directories by modification time.
    LocalFiles,
    /// HTTP directory listings (the reference's `HttpDataSource`).
    HttpListings(Vec<String>),
    /// Storage Inventory time boxes through TAP (the reference's `QueryTimeBoxDataSource`).
    StorageInventory,
}

/// Whether a data source is an `http(s)://` URL.
pub fn is_http(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

impl Config {
    /// Whether `key` has a value in config.yml (not just its default).
    pub fn is_given(&self, key: &str) -> bool {
        self.services.given.contains(&key)
    }

    /// Records go to the caom2repo service of `resource_id`.
    pub fn uses_repository_service(&self) -> bool {
        self.is_given("resource_id")
    }

    /// Files go to the Storage Inventory service of `storage_inventory_resource_id`.
    pub fn uses_storage_service(&self) -> bool {
        self.is_given("storage_inventory_resource_id")
    }

    /// Where an incremental run finds its work.
    pub fn incremental_work(&self) -> IncrementalWork {
        if self.use_local_files {
            return IncrementalWork::LocalFiles;
        }
        let http: Vec<String> = self
            .data_sources
            .iter()
            .filter(|s| is_http(s))
            .cloned()
            .collect();
        if http.is_empty() {
            IncrementalWork::StorageInventory
        } else {
            IncrementalWork::HttpListings(http)
        }
    }

    fn in_working_directory(&self, name: &Option<String>) -> Option<PathBuf> {
        name.as_ref().map(|n| self.working_directory.join(n))
    }

    /// The registry override file.
    pub fn registry_fqn(&self) -> Option<PathBuf> {
        self.in_working_directory(&self.services.registry_file_name)
    }

    /// The bearer token file.
    pub fn token_fqn(&self) -> Option<PathBuf> {
        self.in_working_directory(&self.services.token_file_name)
    }

    /// The extra CA certificates.
    pub fn tls_ca_fqn(&self) -> Option<PathBuf> {
        self.in_working_directory(&self.services.tls_ca_file_name)
    }

    /// Requests in flight at once.
    pub fn http_max_in_flight(&self) -> usize {
        self.services
            .http_max_in_flight
            .unwrap_or_else(|| (2 * self.parallel_count).max(8))
    }

    /// Whether this run calls any service.
    pub fn uses_services(&self, mode: RunMode) -> bool {
        self.is_connected()
            && (self.uses_repository_service()
                || self.uses_storage_service()
                || (mode == RunMode::Incremental
                    && self.incremental_work() != IncrementalWork::LocalFiles))
    }
}

/// The problems of the service keys for a run in `mode` (files that must exist,
/// contradictions); reaching the services is checked by the caller that builds the clients.
pub fn check(c: &Config, mode: RunMode) -> Vec<Problem> {
    let mut out = Vec::new();
    let loc = c
        .file
        .as_ref()
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "config.yml".into());
    let mut add = |severity, key: &str, message: String| {
        out.push(Problem {
            severity,
            key: key.into(),
            location: loc.clone(),
            message,
        })
    };
    let uses = c.uses_services(mode);
    for (key, path) in [
        ("registry_file_name", c.registry_fqn()),
        ("token_file_name", c.token_fqn()),
        ("tls_ca_file_name", c.tls_ca_fqn()),
        ("proxy_file_name", c.proxy_fqn()),
    ] {
        if let Some(p) = path {
            if uses && !p.is_file() {
                add(
                    Severity::Error,
                    key,
                    format!("{} does not exist", p.display()),
                );
            }
        }
    }
    if c.proxy_file_name.is_some() && c.services.token_file_name.is_some() {
        add(
            Severity::Error,
            "token_file_name",
            "give either proxy_file_name (an X.509 proxy certificate) or token_file_name (a bearer token), not both".into(),
        );
    }
    if !c.services.tls_verify {
        add(
            Severity::Warning,
            "tls_verify",
            "service certificates are not verified: use this only with a test service".into(),
        );
    }
    if !c.is_connected() && (c.uses_repository_service() || c.uses_storage_service()) {
        add(
            Severity::Warning,
            "resource_id",
            "scrape is offline: the services configured are not used".into(),
        );
    }
    if mode == RunMode::Incremental && !c.use_local_files {
        for s in c
            .data_sources
            .iter()
            .filter(|s| is_remote(s) && !is_http(s))
        {
            add(
                Severity::Error,
                "data_sources",
                format!("{s:?}: incremental runs harvest local directories, http(s) directory listings or Storage Inventory; vos: and ftp: sources are not supported"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Config {
        Config::parse(text, "config.yml", Path::new("/wd")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn services_only_when_given() {
        let c = parse("task_types: [ingest]\n");
        assert!(!c.uses_repository_service() && !c.uses_storage_service());
        assert_eq!(c.resource_id, "ivo://cadc.nrc.ca/sc2repo");
        assert_eq!(c.http_max_in_flight(), 8);
        assert!(c.services.tls_verify);
        let c = parse(
            "task_types: [store, ingest]\nresource_id: http://127.0.0.1:8080\n\
             storage_inventory_resource_id: ivo://cadc.nrc.ca/uvic/minoc\nregistry_file_name: reg.txt\n\
             token_file_name: token\ntls_verify: false\nhttp_retries: 2\nhttp_max_in_flight: 3\nparallel_count: 8\n",
        );
        assert!(c.uses_repository_service() && c.uses_storage_service());
        assert_eq!(c.registry_fqn().unwrap(), Path::new("/wd/reg.txt"));
        assert_eq!(c.token_fqn().unwrap(), Path::new("/wd/token"));
        assert_eq!(c.services.http_retries, 2);
        assert_eq!(c.http_max_in_flight(), 3);
        let p = c.check(RunMode::Todo);
        let keys: Vec<_> = p.iter().map(|p| (p.severity, p.key.as_str())).collect();
        assert!(keys.contains(&(Severity::Error, "registry_file_name")));
        assert!(keys.contains(&(Severity::Error, "token_file_name")));
        assert!(keys.contains(&(Severity::Warning, "tls_verify")));
        assert!(Config::parse("http_max_in_flight: 0\n", "c", Path::new("/wd")).is_err());
    }

    #[test]
    fn incremental_work_sources() {
        let c = parse("task_types: [ingest]\nstate_file_name: state.yml\n");
        assert_eq!(c.incremental_work(), IncrementalWork::StorageInventory);
        assert!(c.uses_services(RunMode::Incremental));
        assert!(!c.uses_services(RunMode::Todo));
        let c = parse(
            "task_types: [ingest]\ndata_sources: [https://h/pub/, vos:x]\nstate_file_name: state.yml\n",
        );
        assert_eq!(
            c.incremental_work(),
            IncrementalWork::HttpListings(vec!["https://h/pub/".into()])
        );
        assert_eq!(c.bookmark_key(), "https://h/pub/");
        let p = c.check(RunMode::Incremental);
        assert!(p
            .iter()
            .any(|p| p.key == "data_sources" && p.message.contains("vos:x")));
        let c = parse("task_types: [ingest]\nuse_local_files: true\ndata_sources: [d]\n");
        assert_eq!(c.incremental_work(), IncrementalWork::LocalFiles);
        assert_eq!(c.bookmark_key(), "test_timestamp");
    }
}
