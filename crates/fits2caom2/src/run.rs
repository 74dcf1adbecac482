//! One run of the mapping as the command-line tools do it: blueprints, lineage entries
//! (product ID and artifact URI), optional local files, a new or existing observation.
//!
//! ```no_run
//! use fits2caom2::blueprint::yaml;
//! use fits2caom2::engine::{Engine, MapOptions};
//! use fits2caom2::run::{run, Request, Start};
//!
//! let bp = yaml::load_file("megacam.yml")?;
//! let request = Request {
//!     start: Start::New { collection: "CFHT".into(), observation_id: "2087482".into() },
//!     blueprints: &[bp],
//!     entries: vec![("2087482o".into(), "cadc:CFHT/2087482o.fits.fz".into())],
//!     locals: vec!["2087482o.fits.header".into()],
//! };
//! let mapped = run(&Engine::new(None, MapOptions::default()), request)?;
//! println!("{} warnings", mapped.warnings.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::PathBuf;

use caom2::Observation;

use crate::blueprint::{Blueprint, Source};
use crate::engine::{Engine, Input, InputData, MapError};
use crate::keys::Key;

/// Where the observation comes from.
#[derive(Clone, Debug)]
pub enum Start {
    /// A new observation: simple, or derived when a blueprint sets members.
    New {
        /// Observation.collection.
        collection: String,
        /// Observation.observationID.
        observation_id: String,
    },
    /// An existing observation to update.
    Existing(Box<Observation>),
}

/// Everything a run needs.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The observation to start from.
    pub start: Start,
    /// One blueprint for all entries, or one per entry.
    pub blueprints: &'a [Blueprint],
    /// (product ID, artifact URI) per input, in processing order.
    pub entries: Vec<(String, String)>,
    /// Local files, none or one per entry.
    pub locals: Vec<PathBuf>,
}

/// A mapped observation and what the run noticed.
#[derive(Clone, Debug)]
pub struct Mapped {
    /// The observation.
    pub observation: Observation,
    /// Warnings (things the reference ignores silently).
    pub warnings: Vec<String>,
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The request does not fit together (counts of blueprints, files and entries).
    #[error("{0}")]
    Usage(String),
    /// Mapping one of the inputs failed.
    #[error(transparent)]
    Map(#[from] MapError),
}

/// The legacy tool's product ID for `uri`: a literal `Plane.productID` of the blueprint (or
/// its overlay for the URI) wins over the one given on the command line.
pub fn legacy_product_id(bp: &Blueprint, uri: &str, given: Option<&str>) -> Option<String> {
    let k = Key::from_name("Plane.productID")?;
    let literal = bp
        .overlays
        .get(uri)
        .and_then(|o| o.plan.source(k))
        .or_else(|| bp.plan.source(k));
    match literal {
        Some(Source::Literal(t)) => Some(t.clone()),
        _ => given.map(str::to_string),
    }
}

/// Maps every entry in order.
pub fn run(engine: &Engine, request: Request<'_>) -> Result<Mapped, RunError> {
    let Request {
        start,
        blueprints,
        entries,
        locals,
    } = request;
    if entries.is_empty() {
        return Err(RunError::Usage("no artifacts to map".into()));
    }
    if blueprints.len() != 1 && blueprints.len() != entries.len() {
        return Err(RunError::Usage(format!(
            "{} blueprints for {} artifacts: give one blueprint for all, or one per artifact",
            blueprints.len(),
            entries.len()
        )));
    }
    if !locals.is_empty() && locals.len() != entries.len() {
        return Err(RunError::Usage(format!(
            "{} local files for {} artifacts: give one per artifact, in the same order",
            locals.len(),
            entries.len()
        )));
    }
    let mut observation = match start {
        Start::Existing(o) => *o,
        Start::New {
            collection,
            observation_id,
        } => {
            let refs: Vec<&Blueprint> = blueprints.iter().collect();
            Engine::new_observation(&collection, &observation_id, &refs)
        }
    };
    let mut warnings = Vec::new();
    for (i, (product_id, uri)) in entries.into_iter().enumerate() {
        let blueprint = blueprints.get(i).unwrap_or(&blueprints[0]);
        let data = match locals.get(i) {
            Some(p) => InputData::Local(p.clone()),
            None => InputData::None,
        };
        let w = engine.augment(
            &mut observation,
            Input {
                product_id,
                uri,
                blueprint,
                data,
            },
        )?;
        warnings.extend(w);
    }
    Ok(Mapped {
        observation,
        warnings,
    })
}
