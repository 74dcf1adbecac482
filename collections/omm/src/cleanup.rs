//! The OMM clean-up step (a meta visitor after the update): one exposure is sometimes
//! delivered twice under different classifications (`C201109_0112_SCI`, then
//! `C201109_0112_REJECT` after the observatory's quality check). Both land in one
//! observation; only the newest file's plane describes the photons now, so the older planes
//! are removed.
//!
//! "Newest" is the storage's last-modified time of each plane's FITS artifacts. Planes whose
//! files storage does not know are left alone (nothing that cannot be dated is deleted), and
//! without storage (`scrape`) the step does nothing, as the reference's unit tests see it.
//! The reference also posts each deletion to Slack; here it is logged and counted in the
//! entry's report (`planes_removed`).

use caom2::Observation;
use jiff::Timestamp;
use manage::{log_at, EntryError, Level, VisitContext, VisitReport, Visitor};

/// Keeps the newest of several planes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cleanup;

impl Visitor for Cleanup {
    fn name(&self) -> &str {
        "omm.cleanup"
    }

    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let mut report = VisitReport::new();
        let Some(storage) = ctx.storage else {
            return Ok(report);
        };
        if obs.planes.len() < 2 {
            return Ok(report);
        }
        let mut dated: Vec<(usize, Timestamp)> = Vec::new();
        for (i, plane) in obs.planes.iter().enumerate() {
            let mut newest: Option<Timestamp> = None;
            for a in &plane.artifacts {
                let uri = a.uri.as_str();
                if !uri.contains(".fits") {
                    continue;
                }
                if let Some(t) = storage.info(uri)?.and_then(|info| info.last_modified) {
                    newest = Some(newest.map_or(t, |n| n.max(t)));
                }
            }
            if let Some(t) = newest {
                dated.push((i, t));
            }
        }
        let Some(&(keep, _)) = dated.iter().max_by_key(|(_, t)| *t) else {
            return Ok(report);
        };
        let remove: Vec<usize> = dated
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| *i != keep)
            .collect();
        let kept = obs.planes[keep].product_id.clone();
        let mut index = 0;
        obs.planes.retain(|p| {
            let gone = remove.contains(&index);
            index += 1;
            if gone {
                log_at!(
                    ctx.log,
                    Level::Info,
                    "{}: plane {} removed, {kept} is newer",
                    ctx.storage_name.observation_uri(),
                    p.product_id
                );
            }
            !gone
        });
        report.add("planes_removed", remove.len() as u64);
        Ok(report)
    }
}
