//! Plane metadata from chunk WCS, as the reference compute (Java `caom2-compute`, CAOM 2.4)
//! does it server-side: position, energy, time, polarization and the custom axis. The
//! algorithms, their quirks and the test vectors are in `reference/compute.md`; each
//! submodule cites its section.
//!
//! Which chunks count (§3): the plane's product type is `science` if any artifact, part or
//! chunk says so, else `calibration` if any does, else none (then nothing is computed). A
//! chunk is used when its artifact has that type and its part and chunk have it or none.
//! Artifacts, parts and chunks are visited in the reference's order (artifact URI, part
//! name, chunk id), whatever order the record lists them in.
//!
//! Deliberate differences from the reference, each because the reference's behaviour is a
//! crash or a silent wrong answer:
//! * NaN and infinite WCS values are errors naming the keyword or value (WCSLIB would
//!   substitute defaults; Java's arithmetic would carry NaN into the record).
//! * Used chunks without a custom axis are skipped by the custom-axis compute (Java throws a
//!   NullPointerException), and the custom axis is computed (2.4 leaves it to other services).
//! * [`compute_plane`] fills what the chunks describe and leaves the rest of the plane as it
//!   is (the service clears position, energy, time and polarization first), and an aspect
//!   with nothing in it is left out rather than written as an empty element.
//! * An unknown coordinate system on the chunk chosen for the position dimension is an
//!   error with a message (Java: NullPointerException).
//! * `µm` is handed to WCSLIB as `um`, which it can parse.
//! * An energy range or function of zero width over more than one pixel is an error, as the
//!   reference makes it for time and custom axes (it would otherwise give a band of no width
//!   and a sample size of zero).
//! * A CD matrix with a zero determinant is refused before WCSLIB sees it (the `wcs` crate
//!   runs wcslib's `cdfix`, which would turn a zero row and column into a unit diagonal).
//! * Chunks with an equal spectral function are evaluated once, and chunk WCS work is spread
//!   over the available cores; results are the same as one at a time.
//!
//! Errors name the plane, the aspect and the chunk (artifact URI, part name, chunk index and
//! id) and carry the reference's message.

pub mod axis;
pub mod custom;
pub mod energy;
pub mod interval;
pub mod polarization;
pub mod position;
pub mod time;
pub mod wcslib;

use caom2::java;
use caom2::{
    Artifact, Chunk, CustomAxis, Energy, Observation, Part, Plane, Polarization, Position,
    ProductType, Time, Uuid,
};
use std::fmt;

/// The reference exception an error corresponds to (useful to compare with its vectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// `WCSLibRuntimeException`: WCSLIB could not set up or transform the WCS.
    Wcslib,
    /// `IllegalPolygonException`: a chunk or plane polygon breaks the polygon rules.
    Polygon,
    /// `IllegalArgumentException`: a bad value (unit, code, zero width, date…).
    IllegalArgument,
    /// `UnsupportedOperationException`: a TemporalWCS the compute does not handle.
    Unsupported,
}

impl FailureKind {
    /// The Java exception class name.
    pub fn java_class(self) -> &'static str {
        match self {
            FailureKind::Wcslib => "WCSLibRuntimeException",
            FailureKind::Polygon => "IllegalPolygonException",
            FailureKind::IllegalArgument => "IllegalArgumentException",
            FailureKind::Unsupported => "UnsupportedOperationException",
        }
    }
}

/// Which chunk an error is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkRef {
    pub artifact: String,
    pub part: String,
    /// Index of the chunk in its part, as the record lists it.
    pub index: usize,
    pub id: Uuid,
}

impl fmt::Display for ChunkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "artifact {} part {} chunk {} ({})",
            self.artifact, self.part, self.index, self.id
        )
    }
}

/// What went wrong computing one aspect, before it is tied to a plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub chunk: Option<ChunkRef>,
}

impl Failure {
    pub(crate) fn new(kind: FailureKind, message: String) -> Failure {
        Failure {
            kind,
            message,
            chunk: None,
        }
    }

    /// Ties the failure to a chunk (the first chunk named wins).
    pub(crate) fn at(mut self, c: &UsedChunk<'_>) -> Failure {
        if self.chunk.is_none() {
            self.chunk = Some(c.reference());
        }
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(c) = &self.chunk {
            write!(f, " in {c}")?;
        }
        Ok(())
    }
}

/// The plane field being computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    Position,
    Energy,
    Time,
    Polarization,
    Custom,
}

impl Aspect {
    pub fn name(self) -> &'static str {
        match self {
            Aspect::Position => "position",
            Aspect::Energy => "energy",
            Aspect::Time => "time",
            Aspect::Polarization => "polarization",
            Aspect::Custom => "custom",
        }
    }
}

/// A plane whose metadata could not be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("plane {plane}: cannot compute Plane.{}: {failure}", aspect.name())]
pub struct ComputeError {
    /// The plane's productID.
    pub plane: String,
    pub aspect: Aspect,
    pub failure: Failure,
}

/// A chunk that takes part in the computation, with where it is.
#[derive(Clone, Copy, Debug)]
pub struct UsedChunk<'a> {
    pub artifact: &'a Artifact,
    pub part: &'a Part,
    pub chunk: &'a Chunk,
    /// Index of the chunk in its part as listed.
    pub index: usize,
}

impl UsedChunk<'_> {
    pub fn reference(&self) -> ChunkRef {
        ChunkRef {
            artifact: self.artifact.uri.as_str().to_string(),
            part: self.part.name.clone(),
            index: self.index,
            id: self.chunk.entity.id,
        }
    }
}

/// `f` over every item, in order, spread over the available cores when there are enough
/// items for threads to pay: building a WCSLIB transformation is most of a chunk's cost,
/// and chunks are independent.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const MIN_PER_THREAD: usize = 8;
    // asked once: on Linux the answer reads cgroup files, which costs more than a chunk
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let threads = cores.min(items.len() / MIN_PER_THREAD);
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let size = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(size)
            .skip(1)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = items[..size].iter().map(f).collect();
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// `choseProductType`: science anywhere wins, then calibration anywhere, else none.
pub fn chose_product_type(artifacts: &[Artifact]) -> Option<ProductType> {
    let mut ret = None;
    let levels = artifacts.iter().flat_map(|a| {
        std::iter::once(Some(&a.product_type)).chain(a.parts.iter().flat_map(|p| {
            std::iter::once(p.product_type.as_ref())
                .chain(p.chunks.iter().map(|c| c.product_type.as_ref()))
        }))
    });
    for t in levels.flatten() {
        if *t == ProductType::SCIENCE {
            return Some(ProductType::SCIENCE);
        }
        if *t == ProductType::CALIBRATION {
            ret = Some(ProductType::CALIBRATION);
        }
    }
    ret
}

/// The used chunks in the reference's order: artifacts by URI (`java.net.URI` order), parts
/// by name (Java string order), chunks by id (signed UUID order).
pub fn used_chunks<'a>(artifacts: &'a [Artifact], selected: &ProductType) -> Vec<UsedChunk<'a>> {
    let mut arts: Vec<&Artifact> = artifacts.iter().collect();
    arts.sort_by(|a, b| a.uri.java_cmp(&b.uri));
    let mut out = Vec::new();
    for a in arts {
        if a.product_type != *selected {
            continue;
        }
        let mut parts: Vec<&Part> = a.parts.iter().collect();
        parts.sort_by(|x, y| java::str_cmp(&x.name, &y.name));
        for p in parts {
            if p.product_type.as_ref().is_some_and(|t| t != selected) {
                continue;
            }
            let mut chunks: Vec<(usize, &Chunk)> = p.chunks.iter().enumerate().collect();
            chunks.sort_by(|x, y| java::uuid_signed_cmp(&x.1.entity.id, &y.1.entity.id));
            for (index, chunk) in chunks {
                if chunk.product_type.as_ref().is_some_and(|t| t != selected) {
                    continue;
                }
                out.push(UsedChunk {
                    artifact: a,
                    part: p,
                    chunk,
                    index,
                });
            }
        }
    }
    out
}

/// Every aspect of a plane's metadata, each computed independently (the reference computes
/// them in this order and stops at the first failure).
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneMetadata {
    pub product_type: Option<ProductType>,
    pub position: Result<Position, Failure>,
    pub energy: Result<Energy, Failure>,
    pub time: Result<Time, Failure>,
    pub polarization: Result<Polarization, Failure>,
    pub custom: Result<Option<CustomAxis>, Failure>,
}

/// Computes every aspect from `artifacts`. With no science or calibration data every aspect
/// is empty (and custom is None).
pub fn compute(artifacts: &[Artifact]) -> PlaneMetadata {
    let Some(t) = chose_product_type(artifacts) else {
        return PlaneMetadata {
            product_type: None,
            position: Ok(Position::default()),
            energy: Ok(Energy::default()),
            time: Ok(Time::default()),
            polarization: Ok(Polarization::default()),
            custom: Ok(None),
        };
    };
    let chunks = used_chunks(artifacts, &t);
    PlaneMetadata {
        position: position::compute(&chunks),
        energy: energy::compute(&chunks),
        time: time::compute(&chunks),
        polarization: polarization::compute(&chunks),
        custom: custom::compute(&chunks),
        product_type: Some(t),
    }
}

fn is_empty_position(p: &Position) -> bool {
    *p == Position::default()
}

fn is_empty_energy(e: &Energy) -> bool {
    *e == Energy::default()
}

fn is_empty_time(t: &Time) -> bool {
    *t == Time::default()
}

/// Computes the plane's position, energy, time, polarization and custom axis from its
/// chunks and sets those the chunks describe. An aspect no used chunk describes keeps the
/// plane's value: collections that set plane-level time or energy by hand (the reference's
/// `build_plane_time` for derived planes) keep it, where the reference service would clear
/// it. On any failure the plane is left unchanged and every failure is returned.
pub fn compute_plane(plane: &mut Plane) -> Result<(), Vec<ComputeError>> {
    let m = compute(&plane.artifacts);
    let mut errors = Vec::new();
    let mut take = |aspect: Aspect, f: Failure| {
        errors.push(ComputeError {
            plane: plane.product_id.clone(),
            aspect,
            failure: f,
        })
    };
    let position = m.position.map_err(|f| take(Aspect::Position, f)).ok();
    let energy = m.energy.map_err(|f| take(Aspect::Energy, f)).ok();
    let time = m.time.map_err(|f| take(Aspect::Time, f)).ok();
    let polarization = m
        .polarization
        .map_err(|f| take(Aspect::Polarization, f))
        .ok();
    let custom = m.custom.map_err(|f| take(Aspect::Custom, f)).ok();
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(p) = position.filter(|p| !is_empty_position(p)) {
        plane.position = Some(p);
    }
    if let Some(e) = energy.filter(|e| !is_empty_energy(e)) {
        plane.energy = Some(e);
    }
    if let Some(t) = time.filter(|t| !is_empty_time(t)) {
        plane.time = Some(t);
    }
    if let Some(p) = polarization.filter(|p| !p.states.is_empty()) {
        plane.polarization = Some(p);
    }
    if let Some(c) = custom.flatten() {
        plane.custom = Some(c);
    }
    Ok(())
}

/// [`compute_plane`] for every plane (in productID order, as the reference service does).
/// Planes that compute are updated even when others fail; all failures are returned.
pub fn compute_observation(obs: &mut Observation) -> Result<(), Vec<ComputeError>> {
    let mut order: Vec<usize> = (0..obs.planes.len()).collect();
    order.sort_by(|&a, &b| java::str_cmp(&obs.planes[a].product_id, &obs.planes[b].product_id));
    let mut errors = Vec::new();
    for i in order {
        if let Err(e) = compute_plane(&mut obs.planes[i]) {
            errors.extend(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
