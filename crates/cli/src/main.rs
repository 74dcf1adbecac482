//! `caom2pipe`: the CAOM ingestion pipeline and its record tools.
//!
//! Exit status: 0 all good, 1 some entries failed or differences found, 2 usage or input errors.

mod astro_commands;
mod collections;
mod mapping;
mod pipeline;
mod preview_command;
mod records;
mod services;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "caom2pipe",
    version,
    about = "CAOM 2.4 ingestion pipeline and record tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// CAOM XML documents: format and verify.
    Xml {
        #[command(subcommand)]
        command: XmlCommand,
    },
    /// Semantic differences between two observations (ids, checksums, timestamps and
    /// metaProducer ignored; floats within 1e-12 relative or 1e-11 absolute).
    Diff {
        expected: PathBuf,
        actual: PathBuf,
        /// Also compare Artifact contentLength (ignored by default, as the conformance checker does).
        #[arg(long)]
        compare_content: bool,
    },
    /// Check observations against the CAOM validation rules.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The pipeline: a todo list, local directories or (--incremental) time boxes, into the
    /// repository and storage, with caom2pipe's logs, report and state files.
    Run {
        /// config.yml to use (default: ./config.yml); relative paths in it are relative to
        /// its directory.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Check the configuration (keys, values, combinations, files) and exit.
        #[arg(long)]
        check: bool,
        /// Incremental run: time boxes from the state.yml bookmark (the reference's
        /// `<collection>_run_state`).
        #[arg(long)]
        incremental: bool,
        /// A work list to run instead of todo_file_name (e.g. logs/retries.txt).
        #[arg(long)]
        todo: Option<PathBuf>,
    },
    /// Map files to a CAOM observation with a blueprint (the reference's fits2caom2 and
    /// caom2gen argument forms are accepted too).
    Fits2caom2(mapping::Fits2caom2Args),
    /// Blueprints: import the reference's formats to YAML, check blueprints.
    Blueprint {
        #[command(subcommand)]
        command: BlueprintCommand,
    },
    /// One observation from local files with a collection's mapping, no services.
    Scrape {
        /// Collection name; an unregistered one uses the generic collection and a blueprint.
        #[arg(long)]
        collection: String,
        /// An existing observation to update.
        #[arg(long = "in")]
        input: Option<PathBuf>,
        /// The observation the files make, as COLLECTION OBSERVATION_ID: a check that it is
        /// what the collection's naming rules derive (an error otherwise).
        #[arg(long, num_args = 2, value_names = ["COLLECTION", "OBSERVATION_ID"], conflicts_with = "input")]
        observation: Option<Vec<String>>,
        /// Where to write the observation XML.
        #[arg(short, long)]
        output: PathBuf,
        /// YAML blueprint for the generic collection (default: `blueprint:` of config.yml).
        #[arg(long)]
        blueprint: Option<PathBuf>,
        /// config.yml to read (default: ./config.yml when present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Observation id for all files (default: from the file names).
        #[arg(long)]
        obs_id: Option<String>,
        /// Also compute plane metadata from the chunks, as `run` does (by default the output is
        /// what the reference client tools write: they leave plane metadata to the service).
        #[arg(long)]
        compute: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Plane metadata (position, energy, time, polarization, custom) from chunk WCS, then
    /// validate and write.
    Compute(astro_commands::ComputeArgs),
    /// The footprint polygon of an image's illuminated pixels (WCS corners when every pixel
    /// is illuminated or there are no pixels).
    Footprint(astro_commands::FootprintArgs),
    /// A preview (1024 pixels) and a thumbnail (256) of a FITS file in a collection's style.
    Preview(preview_command::PreviewArgs),
    /// The local sandbox service: caom2repo observations and deletions, Storage Inventory
    /// files, a TAP subset, capabilities (SQLite and a directory; loopback by default).
    Serve(services::ServeArgs),
    /// Run a visitor over existing records: list by time, read, visit, update with If-Match.
    Visit(services::VisitArgs),
}

#[derive(Subcommand)]
enum BlueprintCommand {
    /// Turn a caom2gen .blueprint file, or a fits2caom2 config/default/override triple, into
    /// a YAML blueprint with the same meaning.
    Import {
        /// A caom2gen .blueprint file.
        file: Option<PathBuf>,
        /// Legacy fits2caom2 config file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Legacy fits2caom2 default file.
        #[arg(long)]
        default: Option<PathBuf>,
        /// Legacy fits2caom2 override file.
        #[arg(long = "override")]
        overrides: Option<PathBuf>,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Validate blueprints (YAML or .blueprint) without reading any data: keys, values,
    /// axes, and with --module the function names.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Function module to check function names against.
        #[arg(long)]
        module: Option<String>,
    },
}

#[derive(Subcommand)]
enum XmlCommand {
    /// Write the canonical CAOM 2.4 form (Java-compatible formatting) of a document.
    Fmt {
        input: PathBuf,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Recompute every entity's metaChecksum and accMetaChecksum and compare with the stored ones.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Xml {
            command: XmlCommand::Fmt { input, output },
        } => records::fmt(&input, output.as_deref()),
        Command::Xml {
            command: XmlCommand::Check { files },
        } => records::check(&files),
        Command::Diff {
            expected,
            actual,
            compare_content,
        } => records::diff(&expected, &actual, compare_content),
        Command::Validate { files } => records::validate(&files),
        Command::Fits2caom2(args) => mapping::fits2caom2(args),
        Command::Blueprint {
            command:
                BlueprintCommand::Import {
                    file,
                    config,
                    default,
                    overrides,
                    output,
                },
        } => mapping::import(
            file.as_deref(),
            config.as_deref(),
            default.as_deref(),
            overrides.as_deref(),
            output.as_deref(),
        ),
        Command::Blueprint {
            command: BlueprintCommand::Check { files, module },
        } => mapping::check(&files, module.as_deref()),
        Command::Run {
            config,
            check,
            incremental,
            todo,
        } => pipeline::run(pipeline::RunArgs {
            config,
            check,
            incremental,
            todo,
        }),
        Command::Scrape {
            collection,
            input,
            observation,
            output,
            blueprint,
            config,
            obs_id,
            compute,
            files,
        } => pipeline::scrape(pipeline::ScrapeArgs {
            collection,
            input,
            observation,
            output,
            blueprint,
            config,
            obs_id,
            compute,
            files,
        }),
        Command::Compute(args) => astro_commands::compute(args),
        Command::Footprint(args) => astro_commands::footprint(args),
        Command::Preview(args) => preview_command::preview(args),
        Command::Serve(args) => services::serve(args),
        Command::Visit(args) => services::visit(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("caom2pipe: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Rust ignores SIGPIPE, so printing to a closed pipe (`caom2pipe validate … | head`) fails
/// inside `println!` and panics. A command-line tool should end quietly instead, as Unix tools
/// do when their reader goes away: restore the default action.
fn restore_sigpipe() {
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
