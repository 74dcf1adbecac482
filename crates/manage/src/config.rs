//! `config.yml`: every key of the reference (caom2pipe.md §2.2) with its default and unit, a
//! few extensions, and the checks the reference never made.
//!
//! The reference reads `./config.yml` from the current directory only. We read it from the
//! current directory too, or from `--config PATH`; either way the directory that holds the
//! file plays the part of the reference's current directory: `working_directory` defaults to
//! it, and relative paths in the file are resolved against it.
//!
//! Parsing never stops at the first problem: [`Config::parse`] returns every unknown key,
//! every wrong type and every bad value, each with its line and column, and
//! [`Config::check`] adds the contradictory combinations (scrape without local files, a state
//! run with no state file, metrics with no directory, ...), each naming the key.
//!
//! Extensions to the reference's keys: `blueprint` (the YAML blueprint of the generic
//! collection), `local_repository` and `local_storage` (where the embedded backends keep
//! CAOM records and files; defaults `<working_directory>/repository` and
//! `<working_directory>/storage`), and `preview` (previews and thumbnails for the generic
//! collection, see [`Config::preview`]).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::preview::{
    ColorMap, ImageFormat, PlaneChoice, PreviewKind, PreviewStyle, Scaling, Section, Stretch, Trim,
};
use crate::yaml::{self, Node, Yaml};

/// The task types of `task_types`, with the reference's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskType {
    /// Copy files into storage (md5 verified, skipped when unchanged).
    Store,
    /// Offline: map files to CAOM XML on disk, no repository or storage.
    Scrape,
    /// Create or update the CAOM record from file metadata (meta visitors).
    Ingest,
    /// Data-dependent changes (previews, footprints): data visitors.
    Modify,
    /// Run the meta visitors over existing records.
    Visit,
}

impl TaskType {
    pub fn name(self) -> &'static str {
        match self {
            TaskType::Store => "store",
            TaskType::Scrape => "scrape",
            TaskType::Ingest => "ingest",
            TaskType::Modify => "modify",
            TaskType::Visit => "visit",
        }
    }

    pub fn parse(text: &str) -> Option<TaskType> {
        match text {
            "store" => Some(TaskType::Store),
            "scrape" => Some(TaskType::Scrape),
            "ingest" => Some(TaskType::Ingest),
            "modify" => Some(TaskType::Modify),
            "visit" => Some(TaskType::Visit),
            _ => None,
        }
    }
}

/// `logging_level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// `features`: the reference's flags; only `run_in_airflow` was ever consulted.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    pub run_in_airflow: bool,
    pub supports_composite: bool,
    pub supports_catalog: bool,
    pub supports_multiple_files: bool,
}

impl Default for Features {
    fn default() -> Features {
        Features {
            run_in_airflow: true,
            supports_composite: true,
            supports_catalog: true,
            supports_multiple_files: true,
        }
    }
}

/// How a run gets its work: `caom2pipe run` (todo file or local directories) or
/// `caom2pipe run --incremental` (time boxes from a `state.yml` bookmark), the reference's
/// `<collection>_run` and `<collection>_run_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    Todo,
    Incremental,
}

/// Whether a problem stops the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem with the configuration, naming the key and, when known, where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    /// The config key (or `file` for the file itself).
    pub key: String,
    /// `file:line:column` or `file`.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}: {sev}: {}: {}",
            self.location, self.key, self.message
        )
    }
}

/// The configuration could not be used; every problem found is listed.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for p in self
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
        {
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The keys of config.yml we read: the reference's (§2.2) and ours.
pub const KEYS: &[&str] = &[
    "working_directory",
    "todo_file_name",
    "data_sources",
    "data_source_extensions",
    "data_source_globs",
    "recurse_data_sources",
    "use_local_files",
    "task_types",
    "collection",
    "scheme",
    "preview_scheme",
    "resource_id",
    "tap_id",
    "storage_inventory_resource_id",
    "storage_inventory_tap_resource_id",
    "server_side_resource_id",
    "proxy_file_name",
    "logging_level",
    "log_to_file",
    "log_file_directory",
    "success_log_file_name",
    "failure_log_file_name",
    "retry_file_name",
    "progress_file_name",
    "retry_failures",
    "retry_count",
    "retry_decay",
    "rejected_file_name",
    "rejected_directory",
    "state_file_name",
    "interval",
    "time_zone",
    "cache_file_name",
    "observe_execution",
    "observable_directory",
    "cleanup_files_when_storing",
    "cleanup_success_destination",
    "cleanup_failure_destination",
    "store_modified_files_only",
    "data_read_groups",
    "meta_read_groups",
    "dump_blueprint",
    "features",
    "lookup",
    "slack_channel",
    "slack_token",
    "source_host",
    "http_get_timeout",
    "rclone_options",
    "parallel_count",
    // extensions
    "blueprint",
    "local_repository",
    "local_storage",
    // extensions: services (crate::services)
    "registry_file_name",
    "registry_url",
    "token_file_name",
    "tls_ca_file_name",
    "tls_verify",
    "http_retries",
    "http_max_in_flight",
    "listing_filters",
    "preview",
];

/// Keys that old configs carry and the reference ignores; we warn and ignore them too.
const IGNORED_KEYS: &[&str] = &["archive", "netrc_filename", "stream", "storage_host"];

/// The parsed configuration. Paths are absolute (resolved as the module docs say).
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// The reference's current directory: the directory holding config.yml.
    pub base_dir: PathBuf,
    pub working_directory: PathBuf,
    pub todo_file_name: String,
    /// In the order given (the reference loses the order through a set); duplicates dropped.
    pub data_sources: Vec<String>,
    pub data_source_extensions: Vec<String>,
    /// Read and unused, as in the reference.
    pub data_source_globs: Vec<String>,
    pub recurse_data_sources: bool,
    pub use_local_files: bool,
    pub task_types: Vec<TaskType>,
    pub collection: String,
    pub scheme: String,
    pub preview_scheme: String,
    pub resource_id: String,
    pub tap_id: String,
    pub storage_inventory_resource_id: String,
    pub storage_inventory_tap_resource_id: String,
    pub server_side_resource_id: String,
    pub proxy_file_name: Option<String>,
    pub logging_level: Level,
    pub log_to_file: bool,
    pub log_file_directory: PathBuf,
    pub success_log_file_name: String,
    pub failure_log_file_name: String,
    pub retry_file_name: String,
    pub progress_file_name: String,
    pub retry_failures: bool,
    pub retry_count: u32,
    /// Minutes; round n (0-based) waits `retry_decay × (n + 1)` minutes.
    pub retry_decay: f64,
    pub rejected_file_name: String,
    pub rejected_directory: PathBuf,
    pub state_file_name: Option<String>,
    /// Time-box width in minutes.
    pub interval: u32,
    pub time_zone: String,
    pub cache_file_name: Option<String>,
    pub observe_execution: bool,
    pub observable_directory: Option<PathBuf>,
    pub cleanup_files_when_storing: bool,
    pub cleanup_success_destination: Option<String>,
    pub cleanup_failure_destination: Option<String>,
    pub store_modified_files_only: bool,
    pub data_read_groups: Vec<String>,
    pub meta_read_groups: Vec<String>,
    pub dump_blueprint: bool,
    pub features: Features,
    /// Free-form, for collections.
    pub lookup: Option<Node>,
    pub slack_channel: Option<String>,
    pub slack_token: Option<String>,
    pub source_host: Option<String>,
    /// Seconds.
    pub http_get_timeout: u32,
    pub rclone_options: Option<Node>,
    /// Entries processed at once (the reference reads it and runs serially).
    pub parallel_count: usize,
    /// Extension: the YAML blueprints of the generic collection, as (file-name pattern,
    /// blueprint) in order; `blueprint: FILE` is one blueprint for every file (`*`),
    /// `blueprint: {PATTERN: FILE, ...}` chooses by file name (`*` and `?` wildcards, the
    /// first match wins).
    pub blueprint: Vec<(String, PathBuf)>,
    /// Extension: the embedded repository (`<collection>/<observationID>.xml` under it).
    pub local_repository: PathBuf,
    /// Extension: the embedded file store.
    pub local_storage: PathBuf,
    /// Extension: which services a run uses and how to reach them ([`crate::services`]).
    pub services: crate::services::ServiceConfig,
    /// Extension: previews and thumbnails for the generic collection (made by the data
    /// visitors, so with the `modify` task type). `preview: true` uses the built-in style
    /// of `collection` when it is one of the reference's (OMM, NEOSSat, DAO, VLASS;
    /// [`PreviewStyle::for_collection`]) and the reference default otherwise;
    /// `preview: {style: NAME, KEY: VALUE, ...}` starts from style NAME and changes what is
    /// given: `hdu` (number), `plane` (number, `mean`, `sum`, `max`), `kind` (`auto`,
    /// `image`, `spectrum`), `trim` (a keyword such as `DATASEC`, a section `[x1:x2,y1:y2]`
    /// or `none`), `scale_region` (a section), `scaling` (`zscale`, `zscale(CONTRAST)`,
    /// `minmax`, `percentile(LOW, HIGH)`), `stretch` (`linear`, `sqrt`, `power(A)`, `log`,
    /// `lognorm`, `asinh`), `colormap` (`gray`, `inverted_gray`), `format` (`jpeg`, `png`),
    /// `preview_size`, `thumbnail_size`, `square`, `preview_name` and `thumbnail_name`
    /// (templates with `{obs_id}`, `{product_id}`, `{file_id}`, no extension),
    /// `preview_release` and `thumbnail_release` (`data`, `meta`), `skip` (file-name
    /// substrings). `None` (the default, or `preview: false`): no previews.
    pub preview: Option<PreviewStyle>,
    /// Warnings found while parsing (unknown features, ignored keys, ...).
    pub warnings: Vec<Problem>,
}

impl Config {
    /// The reference defaults, with `base_dir` as the current directory.
    pub fn defaults(base_dir: &Path) -> Config {
        let wd = base_dir.to_path_buf();
        Config {
            file: None,
            base_dir: base_dir.to_path_buf(),
            working_directory: wd.clone(),
            todo_file_name: "todo.txt".into(),
            data_sources: Vec::new(),
            data_source_extensions: vec![".fits".into()],
            data_source_globs: vec!["*.fits".into()],
            recurse_data_sources: false,
            use_local_files: false,
            task_types: Vec::new(),
            collection: "TEST".into(),
            scheme: "cadc".into(),
            preview_scheme: "cadc".into(),
            resource_id: "ivo://cadc.nrc.ca/sc2repo".into(),
            tap_id: "ivo://cadc.nrc.ca/sc2tap".into(),
            storage_inventory_resource_id: "ivo://cadc.nrc.ca/global/raven".into(),
            storage_inventory_tap_resource_id: "ivo://cadc.nrc.ca/global/luskan".into(),
            server_side_resource_id: "ivo://cadc.nrc.ca/sc2repo".into(),
            proxy_file_name: None,
            logging_level: Level::Debug,
            log_to_file: false,
            log_file_directory: wd.clone(),
            success_log_file_name: "success_log.txt".into(),
            failure_log_file_name: "failure_log.txt".into(),
            retry_file_name: "retries.txt".into(),
            progress_file_name: "progress.txt".into(),
            retry_failures: false,
            retry_count: 1,
            retry_decay: 1.0,
            rejected_file_name: "rejected.yml".into(),
            rejected_directory: base_dir.to_path_buf(),
            state_file_name: None,
            interval: 10,
            time_zone: "UTC".into(),
            cache_file_name: None,
            observe_execution: false,
            observable_directory: None,
            cleanup_files_when_storing: false,
            cleanup_success_destination: None,
            cleanup_failure_destination: None,
            store_modified_files_only: false,
            data_read_groups: Vec::new(),
            meta_read_groups: Vec::new(),
            dump_blueprint: false,
            features: Features::default(),
            lookup: None,
            slack_channel: None,
            slack_token: None,
            source_host: None,
            http_get_timeout: 10,
            rclone_options: None,
            parallel_count: 1,
            blueprint: Vec::new(),
            local_repository: wd.join("repository"),
            local_storage: wd.join("storage"),
            services: crate::services::ServiceConfig::default(),
            preview: None,
            warnings: Vec::new(),
        }
    }

    /// Reads `path` (the reference's `./config.yml`).
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read(path).map_err(|e| {
            single(
                &name,
                "file",
                format!("cannot read it: {e} (the pipeline reads ./config.yml, or the file given with --config)"),
            )
        })?;
        let text = String::from_utf8(text)
            .map_err(|_| single(&name, "file", "not UTF-8 text".to_string()))?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let base = absolute(&base);
        let mut c = Config::parse(&text, &name, &base)?;
        c.file = Some(absolute(path));
        Ok(c)
    }

    /// Parses config.yml text; `name` is used in messages, `base_dir` resolves relative paths.
    /// Every problem is collected; the result is an error when any is an error.
    pub fn parse(text: &str, name: &str, base_dir: &Path) -> Result<Config, ConfigError> {
        let doc = yaml::parse(text, name).map_err(|e| ConfigError {
            problems: vec![Problem {
                severity: Severity::Error,
                key: "file".into(),
                location: format!("{}:{}:{}", e.file, e.line, e.column),
                message: e.message,
            }],
        })?;
        let mut p = Parser {
            name,
            problems: Vec::new(),
        };
        let mut c = Config::defaults(base_dir);
        let entries = match &doc.value {
            Yaml::Map(m) => m.as_slice(),
            Yaml::Null => &[],
            _ => {
                return Err(single(
                    name,
                    "file",
                    format!(
                        "config.yml must be a mapping of keys to values, not {}",
                        doc.kind()
                    ),
                ))
            }
        };
        // Paths depend on working_directory, so read it first.
        let mut raw_paths: Vec<(&str, &Node)> = Vec::new();
        // The preview style depends on the collection, which may come later.
        let mut preview: Option<&Node> = None;
        for (k, v) in entries {
            let Some(key) = k.as_key() else {
                p.error(k, "?", "a key must be a plain string");
                continue;
            };
            let Some(key) = KEYS.iter().copied().find(|k| *k == key) else {
                if IGNORED_KEYS.contains(&key.as_str()) || key.ends_with("_fqn") {
                    p.warn(k, &key, "ignored (the reference ignores it too)");
                } else {
                    let hint = suggest(&key)
                        .map(|s| format!(" (did you mean {s:?}?)"))
                        .unwrap_or_default();
                    p.error(k, &key, &format!("unknown key{hint}"));
                }
                continue;
            };
            if v.value == Yaml::Null {
                // `key:` with no value keeps the default, as PyYAML's None does for most keys.
                continue;
            }
            c.services.given.push(key);
            match key {
                "working_directory"
                | "log_file_directory"
                | "rejected_directory"
                | "observable_directory"
                | "local_repository"
                | "local_storage" => raw_paths.push((key, v)),
                "blueprint" => match &v.value {
                    Yaml::Map(m) => {
                        for (pk, pv) in m {
                            let pattern = pk.as_key().unwrap_or_default();
                            if let Some(file) = p.string(pv, key) {
                                c.blueprint.push((pattern, clean(&base_dir.join(file))));
                            }
                        }
                    }
                    _ => {
                        if let Some(file) = p.string(v, key) {
                            c.blueprint = vec![("*".into(), clean(&base_dir.join(file)))];
                        }
                    }
                },
                "todo_file_name" => set(&mut c.todo_file_name, p.string(v, key)),
                "data_sources" => {
                    if let Some(list) = p.strings(v, key) {
                        let mut seen = Vec::new();
                        for s in list {
                            if !seen.contains(&s) {
                                seen.push(s);
                            }
                        }
                        c.data_sources = seen;
                    }
                }
                "data_source_extensions" => set(&mut c.data_source_extensions, p.strings(v, key)),
                "data_source_globs" => {
                    if let Some(g) = p.strings(v, key) {
                        if g != c.data_source_globs {
                            p.warn(v, key, "read but unused, as in the reference");
                        }
                        c.data_source_globs = g;
                    }
                }
                "recurse_data_sources" => set(&mut c.recurse_data_sources, p.bool(v, key)),
                "use_local_files" => set(&mut c.use_local_files, p.bool(v, key)),
                "task_types" => {
                    if let Some(list) = p.strings(v, key) {
                        let mut types = Vec::new();
                        for (i, t) in list.iter().enumerate() {
                            let at = match &v.value {
                                Yaml::Seq(items) => items.get(i).unwrap_or(v),
                                _ => v,
                            };
                            match TaskType::parse(&t.to_ascii_lowercase()) {
                                Some(tt) if !types.contains(&tt) => types.push(tt),
                                Some(_) => p.warn(at, key, &format!("{t:?} is listed twice")),
                                None => p.error(
                                    at,
                                    key,
                                    &format!(
                                        "unknown task type {t:?} (expected store, scrape, ingest, modify or visit)"
                                    ),
                                ),
                            }
                        }
                        c.task_types = types;
                    }
                }
                "collection" => set(&mut c.collection, p.string(v, key)),
                "scheme" => set(&mut c.scheme, p.string(v, key)),
                "preview_scheme" => set(&mut c.preview_scheme, p.string(v, key)),
                "resource_id" => set(&mut c.resource_id, p.string(v, key)),
                "tap_id" => set(&mut c.tap_id, p.string(v, key)),
                "storage_inventory_resource_id" => {
                    set(&mut c.storage_inventory_resource_id, p.string(v, key))
                }
                "storage_inventory_tap_resource_id" => {
                    set(&mut c.storage_inventory_tap_resource_id, p.string(v, key))
                }
                "server_side_resource_id" => set(&mut c.server_side_resource_id, p.string(v, key)),
                "proxy_file_name" => c.proxy_file_name = p.string(v, key),
                "registry_file_name" => c.services.registry_file_name = p.string(v, key),
                "registry_url" => c.services.registry_url = p.string(v, key),
                "token_file_name" => c.services.token_file_name = p.string(v, key),
                "tls_ca_file_name" => c.services.tls_ca_file_name = p.string(v, key),
                "tls_verify" => set(&mut c.services.tls_verify, p.bool(v, key)),
                "http_retries" => {
                    if let Some(n) = p.int(v, key, 0, 100) {
                        c.services.http_retries = n as u32;
                    }
                }
                "http_max_in_flight" => {
                    if let Some(n) = p.int(v, key, 1, 4096) {
                        c.services.http_max_in_flight = Some(n as usize);
                    }
                }
                "listing_filters" => set(&mut c.services.listing_filters, p.strings(v, key)),
                "logging_level" => {
                    if let Some(s) = p.string(v, key) {
                        c.logging_level = match s.to_ascii_uppercase().as_str() {
                            "DEBUG" => Level::Debug,
                            "INFO" => Level::Info,
                            "WARNING" | "WARN" => Level::Warning,
                            "ERROR" => Level::Error,
                            _ => {
                                p.error(
                                    v,
                                    key,
                                    &format!("{s:?} is not one of DEBUG, INFO, WARNING, ERROR"),
                                );
                                c.logging_level
                            }
                        }
                    }
                }
                "log_to_file" => set(&mut c.log_to_file, p.bool(v, key)),
                "success_log_file_name" => set(&mut c.success_log_file_name, p.file_name(v, key)),
                "failure_log_file_name" => set(&mut c.failure_log_file_name, p.file_name(v, key)),
                "retry_file_name" => set(&mut c.retry_file_name, p.file_name(v, key)),
                "progress_file_name" => set(&mut c.progress_file_name, p.file_name(v, key)),
                "retry_failures" => set(&mut c.retry_failures, p.bool(v, key)),
                "retry_count" => {
                    if let Some(n) = p.int(v, key, 0, 1000) {
                        c.retry_count = n as u32;
                    }
                }
                "retry_decay" => {
                    if let Some(f) = p.float(v, key) {
                        if f < 0.0 || !f.is_finite() {
                            p.error(v, key, "must be a number of minutes, zero or more");
                        } else {
                            c.retry_decay = f;
                        }
                    }
                }
                "rejected_file_name" => set(&mut c.rejected_file_name, p.file_name(v, key)),
                "state_file_name" => c.state_file_name = p.string(v, key),
                "interval" => {
                    if let Some(n) = p.int(v, key, 1, 1_000_000_000) {
                        c.interval = n as u32;
                    }
                }
                "time_zone" => {
                    if let Some(s) = p.string(v, key) {
                        if jiff::tz::TimeZone::get(&s).is_err() {
                            p.error(v, key, &format!("unknown time zone {s:?}"));
                        } else {
                            c.time_zone = s;
                        }
                    }
                }
                "cache_file_name" => c.cache_file_name = p.string(v, key),
                "observe_execution" => set(&mut c.observe_execution, p.bool(v, key)),
                "cleanup_files_when_storing" => {
                    set(&mut c.cleanup_files_when_storing, p.bool(v, key))
                }
                "cleanup_success_destination" => {
                    c.cleanup_success_destination =
                        p.string(v, key).map(|s| path_or_uri(base_dir, &s))
                }
                "cleanup_failure_destination" => {
                    c.cleanup_failure_destination =
                        p.string(v, key).map(|s| path_or_uri(base_dir, &s))
                }
                "store_modified_files_only" => {
                    set(&mut c.store_modified_files_only, p.bool(v, key))
                }
                "data_read_groups" => set(&mut c.data_read_groups, p.strings(v, key)),
                "meta_read_groups" => set(&mut c.meta_read_groups, p.strings(v, key)),
                "dump_blueprint" => set(&mut c.dump_blueprint, p.bool(v, key)),
                "features" => p.features(v, &mut c.features),
                "lookup" => c.lookup = Some(v.clone()),
                "slack_channel" => c.slack_channel = p.string(v, key),
                "slack_token" => c.slack_token = p.string(v, key),
                "source_host" => c.source_host = p.string(v, key),
                "http_get_timeout" => {
                    if let Some(n) = p.int(v, key, 0, 86_400) {
                        c.http_get_timeout = n as u32;
                    }
                }
                "rclone_options" => c.rclone_options = Some(v.clone()),
                "parallel_count" => {
                    if let Some(n) = p.int(v, key, 1, 1024) {
                        c.parallel_count = n as usize;
                    }
                }
                "preview" => preview = Some(v),
                _ => {}
            }
        }
        if let Some(v) = preview {
            c.preview = p.preview(v, &c.collection);
        }
        // Paths: working_directory first, the others relative to the config's directory.
        let mut repo_set = false;
        let mut store_set = false;
        let mut log_set = false;
        for (key, v) in &raw_paths {
            if *key == "working_directory" {
                if let Some(s) = p.string(v, key) {
                    c.working_directory = clean(&base_dir.join(s));
                }
            }
        }
        c.log_file_directory = c.working_directory.clone();
        for (key, v) in raw_paths {
            let Some(s) = p.string(v, key) else { continue };
            let path = clean(&base_dir.join(&s));
            match key {
                "log_file_directory" => {
                    c.log_file_directory = path;
                    log_set = true;
                }
                "rejected_directory" => c.rejected_directory = path,
                "observable_directory" => c.observable_directory = Some(path),
                "local_repository" => {
                    c.local_repository = path;
                    repo_set = true;
                }
                "local_storage" => {
                    c.local_storage = path;
                    store_set = true;
                }
                _ => {}
            }
        }
        let _ = log_set;
        if !repo_set {
            c.local_repository = c.working_directory.join("repository");
        }
        if !store_set {
            c.local_storage = c.working_directory.join("storage");
        }
        c.data_sources = c
            .data_sources
            .iter()
            .map(|s| path_or_uri(base_dir, s))
            .collect();
        let (errors, warnings): (Vec<_>, Vec<_>) = p
            .problems
            .into_iter()
            .partition(|x| x.severity == Severity::Error);
        if !errors.is_empty() {
            let mut all = errors;
            all.extend(warnings);
            return Err(ConfigError { problems: all });
        }
        c.warnings = warnings;
        Ok(c)
    }

    /// The problems of this configuration for a run in `mode`: contradictory combinations,
    /// missing files and the warnings found while parsing. Nothing is written.
    pub fn check(&self, mode: RunMode) -> Vec<Problem> {
        let mut out = self.warnings.clone();
        let loc = self.location();
        let mut err = |key: &str, msg: String| {
            out.push(Problem {
                severity: Severity::Error,
                key: key.into(),
                location: loc.clone(),
                message: msg,
            })
        };
        let has = |t: TaskType| self.task_types.contains(&t);
        if self.task_types.is_empty() {
            err(
                "task_types",
                "no task types, so there is nothing to do (list some of store, scrape, ingest, modify, visit)".into(),
            );
        }
        if has(TaskType::Scrape) && !self.use_local_files {
            err(
                "task_types",
                "scrape works on local files only: set use_local_files: true".into(),
            );
        }
        if has(TaskType::Scrape) && (has(TaskType::Store) || has(TaskType::Ingest)) {
            err(
                "task_types",
                "scrape is offline and cannot be combined with store or ingest".into(),
            );
        }
        if self.use_local_files && self.data_sources.is_empty() {
            err(
                "data_sources",
                "use_local_files: true needs at least one directory in data_sources".into(),
            );
        }
        for s in &self.data_sources {
            if is_remote(s) && self.use_local_files {
                err(
                    "data_sources",
                    format!("{s:?} is not a local directory; with use_local_files: true every data source is a directory (http(s) listings are harvested with use_local_files: false and --incremental)"),
                );
            } else if self.use_local_files && !Path::new(s).is_dir() {
                err("data_sources", format!("{s} is not a directory"));
            }
        }
        if self.observe_execution && self.observable_directory.is_none() {
            err(
                "observe_execution",
                "metrics are on but observable_directory is not set".into(),
            );
        }
        if self.cleanup_files_when_storing && has(TaskType::Store) {
            if self.cleanup_success_destination.is_none() {
                err(
                    "cleanup_success_destination",
                    "cleanup_files_when_storing is on but there is no success destination".into(),
                );
            }
            if self.cleanup_failure_destination.is_none() {
                err(
                    "cleanup_failure_destination",
                    "cleanup_files_when_storing is on but there is no failure destination".into(),
                );
            }
            for d in [
                &self.cleanup_success_destination,
                &self.cleanup_failure_destination,
            ]
            .into_iter()
            .flatten()
            {
                if is_remote(d) {
                    err(
                        "cleanup_success_destination",
                        format!("{d:?}: moving files to vos: needs the service clients, which this build does not have"),
                    );
                }
            }
        }
        match mode {
            RunMode::Incremental => {
                // Without use_local_files the work is http(s) listings or Storage
                // Inventory time boxes (crate::services checks the sources).
                match self.state_fqn() {
                    None => err(
                        "state_file_name",
                        "an incremental run needs a state file (state_file_name)".into(),
                    ),
                    Some(path) => {
                        let tz = jiff::tz::TimeZone::get(&self.time_zone)
                            .unwrap_or(jiff::tz::TimeZone::UTC);
                        match crate::state::State::read(&path, &tz) {
                            Err(e) => err("state_file_name", e.to_string()),
                            Ok(state) => {
                                if let Err(e) = state.bookmark(&self.bookmark_key()) {
                                    err("state_file_name", e.to_string());
                                }
                            }
                        }
                    }
                }
            }
            RunMode::Todo => {
                if !self.use_local_files && !self.todo_fqn().is_file() {
                    err(
                        "todo_file_name",
                        format!(
                            "the work list {} does not exist (or set use_local_files: true and data_sources to list directories)",
                            self.todo_fqn().display()
                        ),
                    );
                }
            }
        }
        for (pattern, file) in &self.blueprint {
            if !file.is_file() {
                err(
                    "blueprint",
                    format!(
                        "{}: no such blueprint (for files matching {pattern:?})",
                        file.display()
                    ),
                );
            }
        }
        let mut warn = |key: &str, msg: String| {
            out.push(Problem {
                severity: Severity::Warning,
                key: key.into(),
                location: loc.clone(),
                message: msg,
            })
        };
        if self.store_modified_files_only && !self.cleanup_files_when_storing {
            warn(
                "store_modified_files_only",
                "has no effect without cleanup_files_when_storing (as in the reference); unchanged files are never copied again anyway".into(),
            );
        }
        if self.cleanup_files_when_storing && !has(TaskType::Store) {
            warn(
                "cleanup_files_when_storing",
                "has no effect without the store task type".into(),
            );
        }
        if self.dump_blueprint && !self.log_to_file {
            warn("dump_blueprint", "has no effect without log_to_file".into());
        }
        if self.preview.is_some() && !has(TaskType::Modify) {
            warn(
                "preview",
                "previews are made by the data visitors, which run with the modify task type; add modify to task_types".into(),
            );
        }
        if !self.use_local_files && !self.data_sources.is_empty() && mode == RunMode::Todo {
            warn(
                "data_sources",
                "only used with use_local_files: true or by incremental runs; this run reads the todo file".into(),
            );
        }
        if mode == RunMode::Todo && self.state_file_name.is_some() && self.use_local_files {
            // Common in reference configs that serve both entry points; say which one runs.
            warn(
                "state_file_name",
                "ignored by a todo run; use `caom2pipe run --incremental` for time boxes".into(),
            );
        }
        out.extend(crate::services::check(self, mode));
        out
    }

    /// `file` or `<config file>` for messages about combinations.
    fn location(&self) -> String {
        self.file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "config.yml".into())
    }

    /// `<working_directory>/<todo_file_name>`.
    pub fn todo_fqn(&self) -> PathBuf {
        self.working_directory.join(&self.todo_file_name)
    }
    /// `<working_directory>/<state_file_name>`.
    pub fn state_fqn(&self) -> Option<PathBuf> {
        self.state_file_name
            .as_ref()
            .map(|n| self.working_directory.join(n))
    }
    /// The proxy certificate (unused by the embedded backends).
    pub fn proxy_fqn(&self) -> Option<PathBuf> {
        self.proxy_file_name
            .as_ref()
            .map(|n| self.working_directory.join(n))
    }
    /// The cache file for collections.
    pub fn cache_fqn(&self) -> Option<PathBuf> {
        self.cache_file_name
            .as_ref()
            .map(|n| self.working_directory.join(n))
    }
    /// The log directory of retry round `round` (0 = the main pass): `<log_dir>_<round-1>`
    /// for retries, as the reference names them (`logs_0` is the first retry).
    pub fn log_dir(&self, retry_round: Option<u32>) -> PathBuf {
        match retry_round {
            None => self.log_file_directory.clone(),
            Some(n) => {
                let mut s = self.log_file_directory.as_os_str().to_os_string();
                s.push(format!("_{n}"));
                PathBuf::from(s)
            }
        }
    }
    pub fn success_fqn(&self, retry_round: Option<u32>) -> PathBuf {
        self.log_dir(retry_round).join(&self.success_log_file_name)
    }
    pub fn failure_fqn(&self, retry_round: Option<u32>) -> PathBuf {
        self.log_dir(retry_round).join(&self.failure_log_file_name)
    }
    pub fn retry_fqn(&self, retry_round: Option<u32>) -> PathBuf {
        self.log_dir(retry_round).join(&self.retry_file_name)
    }
    /// `total_<retry_file_name>` in the log directory (incremental runs).
    pub fn total_retry_fqn(&self) -> PathBuf {
        self.log_file_directory
            .join(format!("total_{}", self.retry_file_name))
    }
    pub fn progress_fqn(&self) -> PathBuf {
        self.log_file_directory.join(&self.progress_file_name)
    }
    /// `<log_file_directory>/<basename(working_directory)>_report.txt`.
    pub fn report_fqn(&self) -> PathBuf {
        self.log_file_directory
            .join(format!("{}_report.txt", self.working_directory_name()))
    }
    /// The basename of the working directory (the report's "Location").
    pub fn working_directory_name(&self) -> String {
        self.working_directory
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
    pub fn rejected_fqn(&self) -> PathBuf {
        self.rejected_directory.join(&self.rejected_file_name)
    }
    /// The bookmark key: `<collection lower>_timestamp`.
    /// For an incremental harvest of http(s) listings it is the first listing's URL, as the
    /// reference's `HttpDataSource` keys its bookmark.
    pub fn bookmark_key(&self) -> String {
        if !self.use_local_files {
            if let Some(u) = self
                .data_sources
                .iter()
                .find(|s| crate::services::is_http(s))
            {
                return u.clone();
            }
        }
        format!("{}_timestamp", self.collection.to_lowercase())
    }
    /// Whether any service may be called (no scrape).
    pub fn is_connected(&self) -> bool {
        !self.task_types.contains(&TaskType::Scrape)
    }
    /// The journal of the current run (crash-safe bookkeeping): in the log directory.
    pub fn journal_fqn(&self) -> PathBuf {
        self.log_file_directory.join("journal.jsonl")
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn single(name: &str, key: &str, message: String) -> ConfigError {
    ConfigError {
        problems: vec![Problem {
            severity: Severity::Error,
            key: key.into(),
            location: name.into(),
            message,
        }],
    }
}

/// Whether a data source or destination names a remote location rather than a directory.
pub fn is_remote(s: &str) -> bool {
    s.starts_with("vos:")
        || s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("ftp://")
}

fn path_or_uri(base: &Path, s: &str) -> String {
    if is_remote(s) {
        s.to_string()
    } else {
        clean(&base.join(s)).display().to_string()
    }
}

/// An absolute form of `p` without touching the filesystem.
pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        clean(p)
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        clean(&cwd.join(p))
    }
}

/// Removes `.` components and resolves `..` lexically.
pub fn clean(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// The closest known key, for "did you mean".
fn suggest(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

struct Parser<'a> {
    name: &'a str,
    problems: Vec<Problem>,
}

impl Parser<'_> {
    fn at(&self, n: &Node) -> String {
        if n.line == 0 {
            self.name.to_string()
        } else {
            format!("{}:{}:{}", self.name, n.line, n.column)
        }
    }
    fn error(&mut self, n: &Node, key: &str, msg: &str) {
        self.problems.push(Problem {
            severity: Severity::Error,
            key: key.into(),
            location: self.at(n),
            message: msg.into(),
        });
    }
    fn warn(&mut self, n: &Node, key: &str, msg: &str) {
        self.problems.push(Problem {
            severity: Severity::Warning,
            key: key.into(),
            location: self.at(n),
            message: msg.into(),
        });
    }
    fn bool(&mut self, n: &Node, key: &str) -> Option<bool> {
        match n.value {
            Yaml::Bool(b) => Some(b),
            _ => {
                self.error(
                    n,
                    key,
                    &format!("expected true or false, found {}", n.kind()),
                );
                None
            }
        }
    }
    fn int(&mut self, n: &Node, key: &str, min: i64, max: i64) -> Option<i64> {
        let v = match n.value {
            Yaml::Int(i) => i,
            Yaml::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => f as i64,
            _ => {
                self.error(n, key, &format!("expected an integer, found {}", n.kind()));
                return None;
            }
        };
        if v < min || v > max {
            self.error(n, key, &format!("{v} is out of range ({min} to {max})"));
            return None;
        }
        Some(v)
    }
    fn float(&mut self, n: &Node, key: &str) -> Option<f64> {
        match n.value {
            Yaml::Int(i) => Some(i as f64),
            Yaml::Float(f) => Some(f),
            _ => {
                self.error(n, key, &format!("expected a number, found {}", n.kind()));
                None
            }
        }
    }
    fn string(&mut self, n: &Node, key: &str) -> Option<String> {
        match &n.value {
            Yaml::Str(s) => Some(s.clone()),
            Yaml::Int(_) | Yaml::Float(_) | Yaml::Bool(_) => n.as_key(),
            _ => {
                self.error(n, key, &format!("expected a string, found {}", n.kind()));
                None
            }
        }
    }
    fn file_name(&mut self, n: &Node, key: &str) -> Option<String> {
        let s = self.string(n, key)?;
        if s.is_empty() || s.contains('/') {
            self.error(n, key, &format!("{s:?} must be a plain file name"));
            return None;
        }
        Some(s)
    }
    fn strings(&mut self, n: &Node, key: &str) -> Option<Vec<String>> {
        match &n.value {
            Yaml::Seq(items) => {
                let mut out = Vec::new();
                for it in items {
                    match &it.value {
                        Yaml::Str(_) | Yaml::Int(_) | Yaml::Float(_) | Yaml::Bool(_) => {
                            out.push(it.as_key().unwrap_or_default())
                        }
                        _ => self.error(
                            it,
                            key,
                            &format!("list items must be strings, found {}", it.kind()),
                        ),
                    }
                }
                Some(out)
            }
            // A single value where a list is expected: the reference would iterate over its
            // characters; a one-element list is what was meant.
            Yaml::Str(s) => Some(vec![s.clone()]),
            _ => {
                self.error(n, key, &format!("expected a list, found {}", n.kind()));
                None
            }
        }
    }
    /// `preview:` (see [`Config::preview`]).
    fn preview(&mut self, n: &Node, collection: &str) -> Option<PreviewStyle> {
        const KEY: &str = "preview";
        let base = |name: Option<&str>| {
            name.and_then(PreviewStyle::for_collection)
                .or_else(|| PreviewStyle::for_collection(collection))
                .unwrap_or_default()
        };
        let map = match &n.value {
            Yaml::Bool(false) => return None,
            Yaml::Bool(true) => return Some(base(None)),
            Yaml::Map(m) => m,
            _ => {
                self.error(
                    n,
                    KEY,
                    &format!("expected true, false or a mapping, found {}", n.kind()),
                );
                return None;
            }
        };
        let mut style = match n.get("style") {
            None => base(None),
            Some(v) => {
                let name = self.string(v, "preview.style")?;
                match PreviewStyle::for_collection(&name) {
                    Some(s) => s,
                    None => {
                        self.error(
                            v,
                            "preview.style",
                            &format!(
                                "{name:?} is not a built-in style ({})",
                                PreviewStyle::BUILT_IN.join(", ")
                            ),
                        );
                        return None;
                    }
                }
            }
        };
        let mut ok = true;
        for (k, v) in map {
            let name = k.as_key().unwrap_or_default();
            let key = format!("preview.{name}");
            let key = key.as_str();
            let mut bad = |p: &mut Parser<'_>, msg: String| {
                p.error(v, key, &msg);
                ok = false;
            };
            match name.as_str() {
                "style" => {}
                "hdu" => match self.int(v, key, 0, 100_000) {
                    Some(h) => style.hdu = Some(h as usize),
                    None => ok = false,
                },
                "plane" => match &v.value {
                    Yaml::Int(i) if *i >= 0 => style.plane = PlaneChoice::Index(*i as usize),
                    Yaml::Str(t) => match PlaneChoice::parse(t) {
                        Some(p) => style.plane = p,
                        None => bad(
                            self,
                            format!("{t:?} is not a plane (a number, mean, sum or max)"),
                        ),
                    },
                    _ => bad(
                        self,
                        format!(
                            "expected a plane number, mean, sum or max, found {}",
                            v.kind()
                        ),
                    ),
                },
                "kind" => match self.string(v, key).as_deref() {
                    Some("auto") => style.kind = PreviewKind::Auto,
                    Some("image") => style.kind = PreviewKind::Image,
                    Some("spectrum") => style.kind = PreviewKind::Spectrum,
                    Some(t) => bad(self, format!("{t:?} is not auto, image or spectrum")),
                    None => ok = false,
                },
                "trim" => match self.string(v, key) {
                    Some(t) if t.eq_ignore_ascii_case("none") => style.trim = Trim::None,
                    Some(t) if t.trim_start().starts_with('[') => match Section::parse(&t) {
                        Some(sec) => style.trim = Trim::Section(sec),
                        None => bad(self, format!("{t:?} is not a section [x1:x2,y1:y2]")),
                    },
                    Some(t)
                        if !t.is_empty()
                            && t.len() <= 8
                            && t.bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
                    {
                        style.trim = Trim::Keyword(t.to_ascii_uppercase())
                    }
                    Some(t) => bad(
                        self,
                        format!("{t:?} is not a header keyword, a section [x1:x2,y1:y2] or none"),
                    ),
                    None => ok = false,
                },
                "scale_region" => match self.string(v, key) {
                    Some(t) => match Section::parse(&t) {
                        Some(sec) => style.scale_region = Some(sec),
                        None => bad(self, format!("{t:?} is not a section [x1:x2,y1:y2]")),
                    },
                    None => ok = false,
                },
                "scaling" => match self.string(v, key).map(|t| Scaling::parse(&t)) {
                    Some(Ok(sc)) => style.scaling = sc,
                    Some(Err(e)) => bad(self, e),
                    None => ok = false,
                },
                "stretch" => match self.string(v, key).map(|t| Stretch::parse(&t)) {
                    Some(Ok(st)) => style.stretch = st,
                    Some(Err(e)) => bad(self, e),
                    None => ok = false,
                },
                "colormap" => match self
                    .string(v, key)
                    .map(|t| t.to_ascii_lowercase())
                    .as_deref()
                {
                    Some("gray" | "grey") => style.colormap = ColorMap::Gray,
                    Some("inverted_gray" | "inverted_grey" | "gray_r" | "binary") => {
                        style.colormap = ColorMap::InvertedGray
                    }
                    Some(t) => bad(self, format!("{t:?} is not gray or inverted_gray")),
                    None => ok = false,
                },
                "format" => match self.string(v, key) {
                    Some(t) => match ImageFormat::parse(&t) {
                        Some(f) => style.format = f,
                        None => bad(self, format!("{t:?} is not jpeg or png")),
                    },
                    None => ok = false,
                },
                "preview_size" => match self.int(v, key, 16, 8192) {
                    Some(n) => style.preview_size = n as u32,
                    None => ok = false,
                },
                "thumbnail_size" => match self.int(v, key, 8, 8192) {
                    Some(n) => style.thumbnail_size = n as u32,
                    None => ok = false,
                },
                "square" => match self.bool(v, key) {
                    Some(b) => style.square = b,
                    None => ok = false,
                },
                "preview_name" | "thumbnail_name" => match self.string(v, key) {
                    Some(t) if !t.is_empty() && !t.contains('/') => {
                        if name == "preview_name" {
                            style.preview_name = Some(t);
                        } else {
                            style.thumbnail_name = Some(t);
                        }
                    }
                    Some(t) => bad(
                        self,
                        format!("{t:?} must be a file name template without '/'"),
                    ),
                    None => ok = false,
                },
                "preview_release" | "thumbnail_release" => {
                    match self
                        .string(v, key)
                        .map(|t| caom2::ReleaseType::parse(&t.to_ascii_lowercase()))
                    {
                        Some(Ok(r)) => {
                            if name == "preview_release" {
                                style.preview_release = r;
                            } else {
                                style.thumbnail_release = r;
                            }
                        }
                        Some(Err(_)) => bad(self, "expected data or meta".into()),
                        None => ok = false,
                    }
                }
                "skip" => match self.strings(v, key) {
                    Some(list) => style.skip = list,
                    None => ok = false,
                },
                _ => {
                    const KEYS: &[&str] = &[
                        "style",
                        "hdu",
                        "plane",
                        "kind",
                        "trim",
                        "scale_region",
                        "scaling",
                        "stretch",
                        "colormap",
                        "format",
                        "preview_size",
                        "thumbnail_size",
                        "square",
                        "preview_name",
                        "thumbnail_name",
                        "preview_release",
                        "thumbnail_release",
                        "skip",
                    ];
                    self.error(
                        k,
                        key,
                        &format!("unknown preview key (expected one of {})", KEYS.join(", ")),
                    );
                    ok = false;
                }
            }
        }
        if style.thumbnail_size > style.preview_size {
            self.error(
                n,
                KEY,
                &format!(
                    "thumbnail_size {} is larger than preview_size {}: the thumbnail is made from the preview",
                    style.thumbnail_size, style.preview_size
                ),
            );
            ok = false;
        }
        ok.then_some(style)
    }

    fn features(&mut self, n: &Node, f: &mut Features) {
        let Some(map) = n.as_map() else {
            self.error(
                n,
                "features",
                &format!("expected a mapping, found {}", n.kind()),
            );
            return;
        };
        for (k, v) in map {
            let name = k.as_key().unwrap_or_default();
            let key = format!("features.{name}");
            let slot = match name.as_str() {
                "run_in_airflow" => &mut f.run_in_airflow,
                "supports_composite" => &mut f.supports_composite,
                "supports_catalog" => &mut f.supports_catalog,
                "supports_multiple_files" => &mut f.supports_multiple_files,
                _ => {
                    self.warn(
                        k,
                        &key,
                        "unknown feature flag (ignored, as by the reference)",
                    );
                    continue;
                }
            };
            if let Some(b) = self.bool(v, &key) {
                *slot = b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "config.yml", Path::new("/wd"))
    }

    #[test]
    fn preview_key() {
        assert_eq!(parse("").unwrap().preview, None);
        assert_eq!(parse("preview: false").unwrap().preview, None);
        // true: the collection's built-in style, whichever order the keys come in
        let c = parse("preview: true\ncollection: neossat\n").unwrap();
        assert_eq!(c.preview, Some(PreviewStyle::neossat()));
        assert_eq!(
            parse("preview: true\ncollection: DEMO").unwrap().preview,
            Some(PreviewStyle::default())
        );
        let c = parse(
            "collection: X\npreview:\n  style: OMM\n  scaling: zscale(0.99)\n  stretch: asinh\n  format: PNG\n  \
             plane: mean\n  trim: datasec\n  preview_release: meta\n  thumbnail_size: 128\n  \
             preview_name: '{file_id}_big'\n  skip: [.rms.]\n",
        )
        .unwrap();
        let s = c.preview.unwrap();
        assert_eq!(s.colormap, ColorMap::InvertedGray);
        assert_eq!(
            s.scaling,
            Scaling::ZScale {
                contrast: 0.99,
                samples: 1000
            }
        );
        assert_eq!(s.stretch, Stretch::Asinh(0.1));
        assert_eq!(s.format, ImageFormat::Png);
        assert_eq!(s.plane, PlaneChoice::Mean);
        assert_eq!(s.trim, Trim::Keyword("DATASEC".into()));
        assert_eq!(s.preview_release, caom2::ReleaseType::Meta);
        assert_eq!(s.thumbnail_size, 128);
        assert_eq!(
            s.preview_file_name("o", "p", "f"),
            Some("f_big.png".to_string())
        );
        assert_eq!(s.skip, vec![".rms."]);
        let e = parse("preview:\n  style: gemini\n").unwrap_err();
        assert!(
            e.to_string().contains(
                "config.yml:2:10: error: preview.style: \"gemini\" is not a built-in style"
            ),
            "{e}"
        );
        let e = parse("preview:\n  stretch: power\n  colour: gray\n  thumbnail_size: 2048\n")
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("config.yml:2:12: error: preview.stretch: \"power\" is not a stretch"),
            "{text}"
        );
        assert!(
            text.contains("config.yml:3:3: error: preview.colour: unknown preview key"),
            "{text}"
        );
        assert!(
            text.contains("preview: thumbnail_size 2048 is larger than preview_size 1024"),
            "{text}"
        );
        // previews need the modify task type
        let c = parse("preview: true\ntask_types: [store, ingest]\n").unwrap();
        assert!(c
            .check(RunMode::Todo)
            .iter()
            .any(|p| p.key == "preview" && p.severity == Severity::Warning));
    }

    #[test]
    fn defaults_match_the_reference() {
        let c = parse("").unwrap();
        assert_eq!(c.working_directory, Path::new("/wd"));
        assert_eq!(c.todo_fqn(), Path::new("/wd/todo.txt"));
        assert_eq!(c.collection, "TEST");
        assert_eq!(c.interval, 10);
        assert_eq!(c.retry_count, 1);
        assert_eq!(c.retry_decay, 1.0);
        assert_eq!(c.logging_level, Level::Debug);
        assert_eq!(c.data_source_extensions, vec![".fits"]);
        assert!(!c.recurse_data_sources);
        assert_eq!(c.rejected_fqn(), Path::new("/wd/rejected.yml"));
        assert_eq!(c.report_fqn(), Path::new("/wd/wd_report.txt"));
        assert_eq!(c.bookmark_key(), "test_timestamp");
        assert_eq!(c.parallel_count, 1);
        assert_eq!(c.local_repository, Path::new("/wd/repository"));
        assert_eq!(c.local_storage, Path::new("/wd/storage"));
        assert_eq!(c.time_zone, "UTC");
    }

    #[test]
    fn reads_reference_keys_and_resolves_paths() {
        let c = parse(
            "working_directory: /usr/src/app\nlog_file_directory: logs\ntask_types:\n- store\n- ingest\n\
             data_sources: [a, /b, a]\nuse_local_files: True\ncollection: OMM\nretry_decay: 0\n\
             logging_level: info\nfeatures:\n  supports_latest_client: false\n  run_in_airflow: false\n\
             archive: OMM\nsuccess_log_file_name: ok.txt\n",
        )
        .unwrap();
        assert_eq!(c.working_directory, Path::new("/usr/src/app"));
        assert_eq!(c.log_file_directory, Path::new("/wd/logs"));
        assert_eq!(c.task_types, vec![TaskType::Store, TaskType::Ingest]);
        assert_eq!(c.data_sources, vec!["/wd/a", "/b"]);
        assert_eq!(c.retry_decay, 0.0);
        assert_eq!(c.logging_level, Level::Info);
        assert!(!c.features.run_in_airflow);
        assert_eq!(c.success_fqn(None), Path::new("/wd/logs/ok.txt"));
        assert_eq!(c.success_fqn(Some(0)), Path::new("/wd/logs_0/ok.txt"));
        assert_eq!(c.local_repository, Path::new("/usr/src/app/repository"));
        let keys: Vec<_> = c.warnings.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, vec!["features.supports_latest_client", "archive"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let e = parse(
            "todo_fil_name: x.txt\ntask_types: [store, pull]\ninterval: ten\nuse_local_files: 3\ntime_zone: Mars/Base\n",
        )
        .unwrap_err();
        let lines: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            vec![
                "config.yml:1:1: error: todo_fil_name: unknown key (did you mean \"todo_file_name\"?)",
                "config.yml:2:21: error: task_types: unknown task type \"pull\" (expected store, scrape, ingest, modify or visit)",
                "config.yml:3:11: error: interval: expected an integer, found a string",
                "config.yml:4:18: error: use_local_files: expected true or false, found an integer",
                "config.yml:5:12: error: time_zone: unknown time zone \"Mars/Base\"",
            ]
        );
    }

    #[test]
    fn combinations_are_checked_naming_the_key() {
        let c = parse("task_types: [scrape]\nobserve_execution: true\n").unwrap();
        let p = c.check(RunMode::Incremental);
        let keys: Vec<_> = p
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(
            keys,
            vec!["task_types", "observe_execution", "state_file_name"]
        );
        let c = parse("task_types: [ingest]\nstore_modified_files_only: true\n").unwrap();
        let p = c.check(RunMode::Todo);
        assert!(p
            .iter()
            .any(|p| p.key == "todo_file_name" && p.severity == Severity::Error));
        assert!(p
            .iter()
            .any(|p| p.key == "store_modified_files_only" && p.severity == Severity::Warning));
    }
}
