//! Pipeline visitors (`manage::Visitor`): footprints into chunk bounds, and plane compute.
//!
//! * [`FootprintVisitor`] (a data visitor, like the reference's footprint step, caom2pipe.md
//!   §4.3): for every chunk with a spatial axis whose file is on local disk, the footprint
//!   of the chunk's HDU (part name = HDU index, as fits2caom2 names parts) becomes the
//!   chunk's `position.axis.bounds` as a CoordPolygon2D, in the chunk's axis order. A file
//!   whose footprint cannot be made is logged and left as it was (the reference also goes
//!   on without a footprint).
//! * [`ComputeVisitor`]: [`crate::compute::compute_observation`]; a plane that cannot be
//!   computed rejects the entry as bad metadata, naming the plane and chunk. Run it last,
//!   after every visitor that changes chunks, just before validation and writing.

use crate::compute;
use crate::footprint::{self, Footprint, FootprintOptions};
use caom2::geometry;
use caom2::{CoordBounds2D, CoordPolygon2D, Observation, ValueCoord2D};
use manage::{log_at, EntryError, Level, Reason, VisitContext, VisitReport, Visitor};
use std::collections::HashMap;
use std::path::PathBuf;

/// Puts the footprint of each chunk's HDU in its position bounds.
#[derive(Clone, Debug, Default)]
pub struct FootprintVisitor {
    pub options: FootprintOptions,
}

impl FootprintVisitor {
    pub fn new(options: FootprintOptions) -> FootprintVisitor {
        FootprintVisitor { options }
    }
}

/// The chunk bounds for a footprint: vertices in the chunk's (axis1, axis2) order.
pub fn chunk_bounds(fp: &Footprint, ctype1: &str, ctype2: &str) -> CoordBounds2D {
    let swapped = geometry::infer_coordsys(ctype1, ctype2, None, None).swapped_axes;
    CoordBounds2D::Polygon(CoordPolygon2D {
        vertices: fp
            .points
            .iter()
            .map(|p| {
                let (a, b) = if swapped {
                    (p.cval2, p.cval1)
                } else {
                    (p.cval1, p.cval2)
                };
                ValueCoord2D {
                    coord1: a,
                    coord2: b,
                }
            })
            .collect(),
    })
}

impl Visitor for FootprintVisitor {
    fn name(&self) -> &str {
        "footprint"
    }

    fn visit(
        &self,
        observation: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let mut report = VisitReport::new();
        let mut cache: HashMap<(PathBuf, usize), Option<Footprint>> = HashMap::new();
        for plane in &mut observation.planes {
            for artifact in &mut plane.artifacts {
                let Some(path) = ctx
                    .file(artifact.uri.as_str())
                    .and_then(|f| f.local_path.clone())
                else {
                    continue;
                };
                for part in &mut artifact.parts {
                    let Ok(hdu) = part.name.parse::<usize>() else {
                        continue;
                    };
                    for chunk in &mut part.chunks {
                        let Some(position) = chunk.position.as_mut() else {
                            continue;
                        };
                        let fp = cache.entry((path.clone(), hdu)).or_insert_with(|| {
                            match footprint::from_file(&path, Some(hdu), &self.options) {
                                Ok(fp) => Some(fp),
                                Err(e) => {
                                    log_at!(ctx.log, Level::Warning, "no footprint: {e}");
                                    None
                                }
                            }
                        });
                        let Some(fp) = fp else {
                            report.add("footprint_failed", 1);
                            continue;
                        };
                        let axis = &mut position.axis;
                        axis.bounds = Some(chunk_bounds(fp, &axis.axis1.ctype, &axis.axis2.ctype));
                        log_at!(
                            ctx.log,
                            Level::Debug,
                            "{} HDU {hdu}: {} vertices ({})",
                            artifact.uri,
                            fp.points.len(),
                            fp.method.describe()
                        );
                        report.add("footprints", 1);
                    }
                }
            }
        }
        Ok(report)
    }
}

/// Computes every plane's metadata from its chunks.
#[derive(Clone, Copy, Debug, Default)]
pub struct ComputeVisitor;

impl Visitor for ComputeVisitor {
    fn name(&self) -> &str {
        "compute"
    }

    fn visit(
        &self,
        observation: &mut Observation,
        _ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        compute_or_reject(observation)?;
        let mut report = VisitReport::new();
        report.add("planes", observation.planes.len() as u64);
        Ok(report)
    }
}

/// [`compute::compute_observation`] with failures as a bad-metadata rejection that lists
/// every plane and chunk at fault: the function the pipeline calls before validating and
/// writing a record.
pub fn compute_or_reject(observation: &mut Observation) -> Result<(), EntryError> {
    compute::compute_observation(observation).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        EntryError::rejected(
            Reason::BadMetadata,
            format!(
                "{} {}: {}",
                Reason::BadMetadata.phrase(),
                observation.uri(),
                list.join("; ")
            ),
        )
    })
}
