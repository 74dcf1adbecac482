//! The TEMPLATE update step: rules that follow the blueprint mapping because they are
//! conditional or touch several attributes (the reference's `update()`). Replace the
//! example rule with the collection's.
//!
//! The example: every chunk takes its part's product type, and a chunk whose position has
//! no linear function (the header had no celestial WCS) loses its position.

use caom2::Observation;
use manage::{EntryError, VisitContext, VisitReport, Visitor};

/// The update step as a meta visitor (after the blueprint mapping).
#[derive(Clone, Copy, Debug, Default)]
pub struct Update;

impl Visitor for Update {
    fn name(&self) -> &str {
        "template.update"
    }

    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let mut report = VisitReport::new();
        let sn = ctx.storage_name;
        for f in ctx.files {
            let Some(artifact) = obs
                .plane_mut(&sn.product_id)
                .and_then(|p| p.artifact_mut(&f.uri))
            else {
                continue;
            };
            artifact.set_chunk_product_types();
            for chunk in artifact.chunks_mut() {
                let usable = chunk
                    .position
                    .as_ref()
                    .is_some_and(|p| p.axis.function.is_some());
                if !usable && chunk.position.is_some() {
                    chunk.clear_position(false);
                    report.add("positions_removed", 1);
                }
            }
        }
        Ok(report)
    }
}
