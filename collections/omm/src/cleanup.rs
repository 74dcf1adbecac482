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

#[cfg(test)]
mod tests {
    use super::*;
    use caom2::{Artifact, Plane, ProductType, ReleaseType, Uri};
    use manage::{BackendError, Config, FileInfo, Logger, NamingContext, PutOutcome, Storage};
    use std::io::Read;
    use std::path::Path;

    /// Storage that knows the last-modified time of some URIs.
    struct Dated(Vec<(&'static str, i64)>);

    impl Storage for Dated {
        fn describe(&self) -> String {
            "dated".into()
        }
        fn info(&self, uri: &str) -> Result<Option<FileInfo>, BackendError> {
            Ok(self
                .0
                .iter()
                .find(|(u, _)| *u == uri)
                .map(|(_, t)| FileInfo {
                    last_modified: Timestamp::from_second(*t).ok(),
                    ..FileInfo::default()
                }))
        }
        fn get(&self, _: &str, _: &Path) -> Result<FileInfo, BackendError> {
            unimplemented!()
        }
        fn put(
            &self,
            _: &str,
            _: &mut dyn Read,
            _: &str,
        ) -> Result<(PutOutcome, FileInfo), BackendError> {
            unimplemented!()
        }
        fn headers(&self, _: &str) -> Result<fits2caom2::Headers, BackendError> {
            unimplemented!()
        }
        fn remove(&self, _: &str) -> Result<(), BackendError> {
            unimplemented!()
        }
    }

    fn plane(product: &str) -> Plane {
        let mut p = Plane::new(product);
        for name in [format!("{product}.fits"), format!("{product}_prev.jpg")] {
            p.artifacts.push(Artifact::new(
                Uri::parse(&format!("cadc:OMM/{name}")).unwrap(),
                ProductType::SCIENCE,
                ReleaseType::Data,
            ));
        }
        p
    }

    fn run(storage: Option<&dyn Storage>, obs: &mut Observation) -> VisitReport {
        let config = Config::defaults(Path::new("/wd"));
        let sn = crate::naming::storage_name(
            "C090219_0001_REJECT.fits",
            &NamingContext::new("OMM", "cadc", "cadc"),
        );
        let log = Logger::silent().entry(None);
        let ctx = VisitContext {
            storage_name: &sn,
            config: &config,
            files: &[],
            workspace: Path::new("/wd"),
            log_file_directory: Path::new("/wd/logs"),
            storage,
            log: &log,
            is_new: false,
            meta_producer: "test",
        };
        Cleanup.visit(obs, &ctx).unwrap()
    }

    #[test]
    fn keeps_the_newest_plane_only_when_storage_can_date_them() {
        let mut obs = Observation::simple("OMM", "C090219_0001");
        obs.planes = vec![
            plane("C090219_0001_SCI"),
            plane("C090219_0001_REJECT"),
            plane("C090219_0001_TEST"),
        ];
        // offline: nothing happens
        let mut offline = obs.clone();
        assert_eq!(run(None, &mut offline).get("planes_removed"), 0);
        assert_eq!(offline.planes.len(), 3);
        // the TEST plane's file is unknown to storage, so it stays
        let storage = Dated(vec![
            ("cadc:OMM/C090219_0001_SCI.fits", 1_600_000_000),
            ("cadc:OMM/C090219_0001_REJECT.fits", 1_600_000_100),
            // a newer preview does not make a plane newer
            ("cadc:OMM/C090219_0001_SCI_prev.jpg", 1_700_000_000),
        ]);
        assert_eq!(run(Some(&storage), &mut obs).get("planes_removed"), 1);
        let left: Vec<&str> = obs.planes.iter().map(|p| p.product_id.as_str()).collect();
        assert_eq!(left, ["C090219_0001_REJECT", "C090219_0001_TEST"]);
    }
}
