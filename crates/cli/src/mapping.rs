//! `caom2pipe fits2caom2` and `caom2pipe blueprint import|check`: the blueprint mapping from
//! the command line, accepting our argument forms and those of the reference tools
//! (`fits2caom2 --config/--default/--override --productID P URI...`,
//! `caom2gen --blueprint B... --lineage PRODUCT/URI... --module NAME`).

use anyhow::{bail, Context, Result};
use caom2::{checksum, xml};
use fits2caom2::blueprint::{yaml, Blueprint, BlueprintError};
use fits2caom2::engine::{Engine, MapOptions};
use fits2caom2::functions::{Module, Registry};
use fits2caom2::legacy;
use fits2caom2::run::{self, Request, RunError, Start};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::records::{read_observation, write_atomic};

/// Arguments of `caom2pipe fits2caom2`.
#[derive(clap::Args, Debug)]
pub struct Fits2caom2Args {
    /// Collection and observation ID of a new observation.
    #[arg(long, num_args = 2, value_names = ["COLLECTION", "OBSERVATION_ID"], required_unless_present = "input", conflicts_with = "input")]
    pub observation: Option<Vec<String>>,
    /// An existing observation (XML) to update instead.
    #[arg(short = 'i', long = "in", value_name = "IN_XML")]
    pub input: Option<PathBuf>,
    /// Where to write the observation (default: standard output).
    #[arg(short = 'o', long = "out", value_name = "OUT_XML")]
    pub output: Option<PathBuf>,
    /// Legacy fits2caom2 config file (CAOM key = keyword or indirection name).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Legacy fits2caom2 default file (name = value).
    #[arg(long, value_name = "FILE")]
    pub default: Option<PathBuf>,
    /// Legacy fits2caom2 override file (name = value, with ?uri and ?uri#[N] sections).
    #[arg(long = "override", value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// Plane product ID for the URIs given as positional arguments (legacy form).
    #[arg(long = "productID", alias = "product-id", value_name = "ID")]
    pub product_id: Option<String>,
    /// Blueprints: YAML (.yml/.yaml) or caom2gen .blueprint files; one for all lineage
    /// entries, or one per entry.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub blueprint: Vec<PathBuf>,
    /// PRODUCT_ID/ARTIFACT_URI per input (split at the first '/').
    #[arg(long, num_args = 1.., value_name = "PRODUCT/URI")]
    pub lineage: Vec<String>,
    /// The function module blueprints call (a name; a path such as x/NAME.module also works).
    #[arg(long, value_name = "NAME")]
    pub module: Option<String>,
    /// Local files, one per URI or lineage entry, in the same order.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub local: Vec<PathBuf>,
    /// A failing function gives an empty value (as the reference does) instead of an error.
    #[arg(long)]
    pub lenient_functions: bool,
    /// Artifact URIs (legacy form, with --productID).
    #[arg(value_name = "URI")]
    pub uris: Vec<String>,
    /// Accepted for compatibility with the reference tools; no effect.
    #[arg(long = "no_validate", hide = true)]
    pub no_validate: bool,
    /// Accepted for compatibility with the reference tools; no effect.
    #[arg(long = "not_connected", hide = true)]
    pub not_connected: bool,
    /// Accepted for compatibility with the reference tools; no effect.
    #[arg(long = "resource-id", hide = true)]
    pub resource_id: Option<String>,
}

/// The module named on the command line, from the built-in registry.
fn module<'r>(registry: &'r Registry, name: Option<&str>) -> Result<Option<&'r Module>> {
    let Some(name) = name else { return Ok(None) };
    // the reference imports the module named by the file stem of a path
    let stem = Path::new(name)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.split('.').next().unwrap_or("");
    match registry.module(stem) {
        Some(m) => Ok(Some(m)),
        None => bail!(
            "--module {name}: no function module {stem:?} (available: {})",
            registry.names().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The registry of every module built into this binary.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    collection_examples::register(&mut r);
    // the collections' own modules, so `blueprint check --module omm` checks their blueprints
    r.add(omm::functions::module());
    r.add(neossat::functions::module());
    r.add(template::functions::module());
    r
}

/// A YAML blueprint, or a caom2gen `.blueprint` file imported with the reference's meaning.
fn load_blueprint(path: &Path) -> std::result::Result<(Blueprint, Vec<String>), BlueprintError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "yml" || ext == "yaml" {
        Ok((yaml::load_file(path)?, Vec::new()))
    } else {
        let imp = legacy::import_blueprint_file(path)?;
        Ok((imp.blueprint, imp.warnings))
    }
}

fn warn(lines: &[String]) {
    for w in lines {
        eprintln!("warning: {w}");
    }
}

/// `caom2pipe fits2caom2`.
pub fn fits2caom2(args: Fits2caom2Args) -> Result<ExitCode> {
    let registry = registry();
    let module = module(&registry, args.module.as_deref())?;
    let legacy_files = args.config.is_some() || args.default.is_some() || args.overrides.is_some();
    if legacy_files && !args.blueprint.is_empty() {
        bail!("give either --config/--default/--override or --blueprint, not both");
    }
    if !legacy_files && args.blueprint.is_empty() {
        bail!("no blueprint: give --blueprint FILE... or --config/--default/--override");
    }

    // the blueprints
    let mut blueprints: Vec<Blueprint> = Vec::new();
    if legacy_files {
        let imp = legacy::import_java(
            args.config.as_deref(),
            args.default.as_deref(),
            args.overrides.as_deref(),
        )?;
        warn(&imp.warnings);
        blueprints.push(imp.blueprint);
    } else {
        for b in &args.blueprint {
            let (bp, warnings) = load_blueprint(b)?;
            warn(&warnings);
            blueprints.push(bp);
        }
    }

    // the entries: (product ID, URI)
    let mut entries: Vec<(String, String)> = Vec::new();
    for l in &args.lineage {
        let (p, u) = l
            .split_once('/')
            .with_context(|| format!("--lineage {l}: expected PRODUCT_ID/ARTIFACT_URI"))?;
        entries.push((p.to_string(), u.to_string()));
    }
    if !args.uris.is_empty() {
        if !entries.is_empty() {
            bail!("give the artifacts either with --lineage or as URIs with --productID, not both");
        }
        for u in &args.uris {
            // as the reference: a literal Plane.productID in the blueprint wins
            let product = blueprints
                .first()
                .and_then(|b| run::legacy_product_id(b, u, args.product_id.as_deref()))
                .with_context(|| {
                    format!("{u}: a product ID is needed (--productID, or Plane.productID in the blueprint)")
                })?;
            entries.push((product, u.clone()));
        }
    }
    if entries.is_empty() {
        bail!("no artifacts: give --lineage PRODUCT_ID/URI... or URIs with --productID");
    }
    // blueprint problems are configuration errors, found before anything is read
    let engine = Engine::new(
        module,
        MapOptions {
            lenient_functions: args.lenient_functions,
            ..MapOptions::default()
        },
    );
    let mut problems = Vec::new();
    for bp in &blueprints {
        problems.extend(engine.check_functions(bp));
        if let Err(e) = bp.axes() {
            problems.push(e);
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("caom2pipe: {p}");
        }
        return Ok(ExitCode::from(2));
    }

    let start = match (&args.input, &args.observation) {
        (Some(path), _) => Start::Existing(Box::new(read_observation(path)?)),
        (None, Some(o)) if o.len() == 2 => Start::New {
            collection: o[0].clone(),
            observation_id: o[1].clone(),
        },
        _ => bail!("give --observation COLLECTION OBSERVATION_ID or --in FILE"),
    };
    let request = Request {
        start,
        blueprints: &blueprints,
        entries,
        locals: args.local.clone(),
    };
    let mut obs = match run::run(&engine, request) {
        Ok(mapped) => {
            warn(&mapped.warnings);
            mapped.observation
        }
        Err(RunError::Usage(m)) => bail!(m),
        Err(RunError::Map(e)) => {
            eprintln!("caom2pipe: {e}");
            return Ok(ExitCode::from(1));
        }
    };

    checksum::update_checksums(&mut obs);
    let text = xml::write(&obs);
    match &args.output {
        Some(out) => write_atomic(out, text.as_bytes())?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes())?;
            lock.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `caom2pipe blueprint import`.
pub fn import(
    file: Option<&Path>,
    config: Option<&Path>,
    default: Option<&Path>,
    overrides: Option<&Path>,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let legacy_files = config.is_some() || default.is_some() || overrides.is_some();
    let (imp, from) = match (file, legacy_files) {
        (Some(f), false) => (
            legacy::import_blueprint_file(f)?,
            format!("caom2gen blueprint {}", f.display()),
        ),
        (None, true) => {
            let names: Vec<String> = [
                ("config", config),
                ("default", default),
                ("override", overrides),
            ]
            .iter()
            .filter_map(|(n, p)| p.map(|p| format!("{n} {}", p.display())))
            .collect();
            (
                legacy::import_java(config, default, overrides)?,
                format!("fits2caom2 {}", names.join(", ")),
            )
        }
        (Some(_), true) => {
            bail!("give a .blueprint file or --config/--default/--override, not both")
        }
        (None, false) => {
            bail!("nothing to import: give a .blueprint file or --config/--default/--override")
        }
    };
    warn(&imp.warnings);
    let mut comment = vec![format!(
        "Imported by caom2pipe blueprint import from {from}."
    )];
    comment.push(
        "Values keep the reference's meaning; see the fits2caom2 crate docs for the format.".into(),
    );
    let text = yaml::to_yaml(&imp.blueprint, &comment);
    // the written form must read back to the same blueprint
    let back = yaml::load_str(&text, "imported blueprint")?;
    if back.without_positions() != imp.blueprint.without_positions() {
        bail!("internal error: the YAML written for this blueprint does not read back the same");
    }
    match output {
        Some(out) => write_atomic(out, text.as_bytes())?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes())?;
            lock.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `caom2pipe blueprint check`.
pub fn check(files: &[PathBuf], module_name: Option<&str>) -> Result<ExitCode> {
    let registry = registry();
    let module = module(&registry, module_name)?;
    let engine = Engine::new(module, MapOptions::default());
    let mut failed = 0;
    for f in files {
        let (bp, warnings) = match load_blueprint(f) {
            Ok(x) => x,
            Err(e) => {
                println!("{e}");
                failed += 1;
                continue;
            }
        };
        let mut problems: Vec<String> = Vec::new();
        match bp.axes() {
            Ok(_) => {}
            Err(e) => problems.push(e.to_string()),
        }
        if module.is_some() {
            problems.extend(engine.check_functions(&bp).iter().map(ToString::to_string));
        }
        for w in &warnings {
            println!("{}: warning: {w}", f.display());
        }
        for e in bp
            .plan
            .entries()
            .iter()
            .chain(bp.extensions.values().flat_map(|p| p.entries()))
        {
            if e.key.is_never_read() {
                println!(
                    "{}{}: warning: {} is accepted but never used by the mapping",
                    f.display(),
                    e.pos.map(|p| format!(":{p}")).unwrap_or_default(),
                    e.key
                );
            }
        }
        if problems.is_empty() {
            let axes = bp.axes().map(describe_axes).unwrap_or_default();
            let calls = bp.function_calls();
            let fns = if calls.is_empty() {
                String::new()
            } else if module.is_some() {
                format!(", {} function calls", calls.len())
            } else {
                let mut names: Vec<&str> = calls.iter().map(|(c, _, _)| c.name.as_str()).collect();
                names.sort();
                names.dedup();
                format!(
                    ", functions {} (not checked: no --module)",
                    names.join(", ")
                )
            };
            println!(
                "{}: ok ({} keys, {} extension sections, {} artifact sections; axes {axes}{fns})",
                f.display(),
                bp.plan.len(),
                bp.extensions.len(),
                bp.overlays.len()
            );
        } else {
            failed += 1;
            for p in problems {
                println!("{p}");
            }
        }
    }
    println!("{} passed, {failed} failed", files.len() - failed);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn describe_axes(a: fits2caom2::blueprint::Axes) -> String {
    let mut parts = Vec::new();
    if let Some((i, j)) = a.position {
        parts.push(format!("position {i},{j}"));
    }
    for (n, v) in [
        ("energy", a.energy),
        ("time", a.time),
        ("polarization", a.polarization),
        ("observable", a.observable),
        ("custom", a.custom),
    ] {
        if let Some(v) = v {
            parts.push(format!("{n} {v}"));
        }
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}
