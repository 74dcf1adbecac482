//! `caom2pipe run` and `caom2pipe scrape`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use execute::task;
use execute::{Pipeline, RunOptions};
use manage::fsutil::Sync;
use manage::{Config, Level, Logger, Metrics, RunMode, Severity};

use crate::collections;

/// Options of `caom2pipe run`.
pub struct RunArgs {
    pub config: Option<PathBuf>,
    pub check: bool,
    pub incremental: bool,
    pub todo: Option<PathBuf>,
}

fn config_path(given: Option<&Path>) -> PathBuf {
    given
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("config.yml"))
}

/// Reads config.yml, printing every problem; `None` means "exit 2".
fn load_config(path: &Path) -> Option<Config> {
    match Config::read(path) {
        Ok(c) => Some(c),
        Err(e) => {
            for p in &e.problems {
                eprintln!("{p}");
            }
            None
        }
    }
}

/// `caom2pipe run [--config PATH] [--check] [--incremental] [--todo FILE]`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let path = config_path(args.config.as_deref());
    let Some(config) = load_config(&path) else {
        return Ok(ExitCode::from(2));
    };
    let mode = if args.incremental {
        RunMode::Incremental
    } else {
        RunMode::Todo
    };
    let mut problems = config.check(mode);
    if let Some(todo) = &args.todo {
        problems.retain(|p| p.key != "todo_file_name" && p.key != "data_sources");
        if !todo.is_file() {
            problems.push(manage::Problem {
                severity: Severity::Error,
                key: "--todo".into(),
                location: "command line".into(),
                message: format!("{} does not exist", todo.display()),
            });
        }
    }
    let collection = collections::collection_for(&config, None);
    if let Err(e) = &collection {
        problems.push(manage::Problem {
            severity: Severity::Error,
            key: if !config.blueprint.is_empty() {
                "blueprint".into()
            } else {
                "collection".into()
            },
            location: path.display().to_string(),
            message: e.to_string(),
        });
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    for p in &problems {
        eprintln!("{p}");
    }
    if errors > 0 {
        eprintln!(
            "caom2pipe: {} has {errors} error{}; nothing was run",
            path.display(),
            if errors == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::from(2));
    }
    let collection = collection.map_err(|e| anyhow::anyhow!("{e}"))?;
    let executors = task::choose(
        &config.task_types,
        config.use_local_files,
        collection.needs_delete(),
    )?;
    // Services where config.yml names them, the embedded backends otherwise.
    let metrics = config.observe_execution.then(|| Arc::new(Metrics::new()));
    let services = match crate::services::for_run(&config, mode, metrics.clone()) {
        Ok(s) => s,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!(
                "caom2pipe: {}: the services cannot be used; nothing was run",
                path.display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    for w in &services.warnings {
        eprintln!("{}: warning: {w}", path.display());
    }
    let crate::services::RunServices {
        backends,
        extras,
        http,
        ..
    } = services;
    let repository = backends.repository.as_ref();
    let storage = backends.storage.as_ref();

    if args.check {
        let names: Vec<&str> = executors.iter().map(|e| e.reference_name()).collect();
        let tasks: Vec<&str> = config.task_types.iter().map(|t| t.name()).collect();
        let work = match (mode, config.use_local_files, &args.todo) {
            (_, _, Some(t)) => format!("todo file {}", t.display()),
            (RunMode::Todo, true, _) => format!(
                "local files in {} ({})",
                config.data_sources.join(", "),
                config.data_source_extensions.join(", ")
            ),
            (RunMode::Todo, false, _) => format!("todo file {}", config.todo_fqn().display()),
            (RunMode::Incremental, _, _) => crate::services::describe_incremental(&config),
        };
        println!("{}: ok", path.display());
        println!("  work:        {work}");
        println!(
            "  tasks:       {} -> {}",
            tasks.join(", "),
            names.join(", ")
        );
        println!(
            "  collection:  {}{}",
            config.collection,
            if collections::registry().get(&config.collection).is_some() {
                String::new()
            } else {
                match config.blueprint.as_slice() {
                    [] => " (generic, no blueprint: store and modify only)".to_string(),
                    [(p, b)] if p == "*" => format!(" (generic, blueprint {})", b.display()),
                    many => {
                        let parts: Vec<String> = many
                            .iter()
                            .map(|(p, b)| format!("{p} -> {}", b.display()))
                            .collect();
                        format!(" (generic, blueprints {})", parts.join(", "))
                    }
                }
            }
        );
        println!("  repository:  {}", repository.describe());
        println!("  storage:     {}", storage.describe());
        println!("  logs:        {}", config.log_file_directory.display());
        println!("  parallel:    {}", config.parallel_count);
        return Ok(ExitCode::SUCCESS);
    }

    let logger = Logger::new(config.logging_level, Arc::new(manage::log::Stderr));
    let pipeline = Pipeline {
        config: &config,
        collection: collection.as_ref(),
        repository,
        storage,
        logger: logger.clone(),
        metrics,
        // Records and stored files are fsynced; scrape output (a local test artefact) is only
        // written atomically, which is what keeps a 10,000-file scrape fast.
        sync: if executors.iter().all(|e| e.is_connected()) {
            Sync::Durable
        } else {
            Sync::Cached
        },
    };
    let opts = RunOptions {
        mode,
        todo: args.todo.clone(),
        progress_bar: execute::progress::stdout_is_terminal()
            && config.logging_level >= Level::Info,
    };
    let report = pipeline
        .run_with(&opts, extras)
        .context("the run stopped")?;
    let s = report.summary;
    println!(
        "caom2pipe run{}: {} entries: {} succeeded, {} failed, {} skipped ({} rejected, {} timeouts, {} retried)",
        if report.resumed { " (resumed)" } else { "" },
        s.inputs,
        s.successes,
        s.errors,
        s.skipped,
        s.rejections,
        s.timeouts,
        s.retries
    );
    crate::services::after_run(&config, &report, http.as_deref());
    let scrape = executors.iter().any(|e| !e.is_connected());
    if scrape {
        let place = if config.log_to_file {
            config.log_file_directory.display().to_string()
        } else {
            format!("{}/<observationID>", config.working_directory.display())
        };
        println!("  records:  {place}/<observationID>.xml (scrape: no repository)");
    } else if config.uses_repository_service() {
        println!(
            "  records:  {} (collection {})",
            repository.describe(),
            config.collection
        );
    } else {
        println!(
            "  records:  {}",
            config.local_repository.join(&config.collection).display()
        );
    }
    if config.task_types.contains(&manage::TaskType::Store) {
        if config.uses_storage_service() {
            println!("  files:    {}", storage.describe());
        } else {
            println!("  files:    {}", config.local_storage.display());
        }
    }
    println!(
        "  logs:     {} ({}, {}, {})",
        config.log_file_directory.display(),
        config.success_log_file_name,
        config.failure_log_file_name,
        config.retry_file_name
    );
    println!("  report:   {}", report.report_path.display());
    for u in report.unresolved.iter().take(10) {
        println!("  failed:   {u}");
    }
    if report.unresolved.len() > 10 {
        println!(
            "  failed:   ... {} more in {}",
            report.unresolved.len() - 10,
            config.failure_fqn(None).display()
        );
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// Options of `caom2pipe scrape`.
pub struct ScrapeArgs {
    pub collection: String,
    pub input: Option<PathBuf>,
    /// `--observation COLLECTION ID`: what the files must make.
    pub observation: Option<Vec<String>>,
    pub output: PathBuf,
    pub blueprint: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub obs_id: Option<String>,
    pub compute: bool,
    pub files: Vec<PathBuf>,
}

/// `caom2pipe scrape --collection NAME [--in IN] -o OUT FILE...`: one observation from the
/// given files with the collection's meta visitors, no services.
pub fn scrape(args: ScrapeArgs) -> anyhow::Result<ExitCode> {
    let mut config = match &args.config {
        Some(p) => match load_config(p) {
            Some(c) => c,
            None => return Ok(ExitCode::from(2)),
        },
        None if Path::new("config.yml").is_file() => match load_config(Path::new("config.yml")) {
            Some(c) => c,
            None => return Ok(ExitCode::from(2)),
        },
        None => Config::defaults(&manage::config::absolute(Path::new("."))),
    };
    config.collection = args.collection.clone();
    config.use_local_files = true;
    config.task_types = vec![manage::TaskType::Scrape];
    let collection = match collections::collection_for(&config, args.blueprint.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("caom2pipe scrape: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(problem) = observation_mismatch(collection.as_ref(), &config, &args) {
        eprintln!("caom2pipe scrape: {problem}");
        return Ok(ExitCode::from(2));
    }
    let start = match &args.input {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| p.display().to_string())?;
            Some(caom2::xml::read(&bytes).with_context(|| p.display().to_string())?)
        }
        None => None,
    };
    let logger = Logger::new(
        config.logging_level.max(Level::Info),
        Arc::new(manage::log::Stderr),
    );
    let log = logger.entry(None);
    match execute::entry::scrape_files(
        collection.as_ref(),
        &config,
        &args.files,
        start,
        args.obs_id.as_deref(),
        args.compute,
        &log,
    ) {
        Ok(obs) => {
            let xml = caom2::xml::write(&obs);
            manage::fsutil::write_atomic(&args.output, xml.as_bytes(), Sync::Cached)?;
            for v in caom2::validate::validate(&obs) {
                eprintln!("{}: warning: {v}", args.output.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("caom2pipe scrape: {} ({})", e.message, e.class.name());
            Ok(ExitCode::from(1))
        }
    }
}

/// Why `--observation COLLECTION ID` is not what the collection derives from the files
/// (`--obs-id` counts as derived), or `None` when it is.
fn observation_mismatch(
    collection: &dyn manage::Collection,
    config: &Config,
    args: &ScrapeArgs,
) -> Option<String> {
    let given = args.observation.as_ref()?;
    let [coll, id] = given.as_slice() else {
        return Some("--observation needs COLLECTION OBSERVATION_ID".into());
    };
    let naming = manage::NamingContext::from_config(config);
    for f in &args.files {
        let entry = f.display().to_string();
        let sn = match collection.storage_name(&entry, &naming) {
            Ok(sn) => sn,
            Err(e) => return Some(format!("{entry}: {}", e.message)),
        };
        let obs_id = args.obs_id.clone().unwrap_or(sn.obs_id);
        if &sn.collection != coll || &obs_id != id {
            return Some(format!(
                "--observation {coll} {id} does not match {entry}: collection {} names it observation {} {obs_id}",
                config.collection, sn.collection
            ));
        }
    }
    None
}
