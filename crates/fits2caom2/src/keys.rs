//! The closed key space of blueprints: the 195 CAOM element names of the reference
//! (`ObsBlueprint._CAOM2_ELEMENTS`), in the reference's order.
//!
//! A [`Key`] is an index into that table, so a plan can be a flat array with one slot per key
//! and a lookup costs nothing. Only keys starting with `Chunk` may appear in per-HDU sections.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// One element of the key space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(u8);

/// Number of keys.
pub const KEY_COUNT: usize = NAMES.len();

/// Index of the first `Chunk` key; every key from here on is a Chunk key.
const FIRST_CHUNK: usize = 78;

const NAMES: [&str; 195] = [
    "CompositeObservation.members",
    "DerivedObservation.members",
    "Observation.observationID",
    "Observation.type",
    "Observation.intent",
    "Observation.sequenceNumber",
    "Observation.metaRelease",
    "Observation.metaReadGroups",
    "Observation.metaProducer",
    "Observation.requirements.flag",
    "Observation.algorithm.name",
    "Observation.instrument.name",
    "Observation.instrument.keywords",
    "Observation.proposal.id",
    "Observation.proposal.pi",
    "Observation.proposal.project",
    "Observation.proposal.title",
    "Observation.proposal.keywords",
    "Observation.target.name",
    "Observation.target.type",
    "Observation.target.standard",
    "Observation.target.redshift",
    "Observation.target.keywords",
    "Observation.target.moving",
    "Observation.target.targetID",
    "Observation.target_position.point.cval1",
    "Observation.target_position.point.cval2",
    "Observation.target_position.coordsys",
    "Observation.target_position.equinox",
    "Observation.telescope.name",
    "Observation.telescope.geoLocationX",
    "Observation.telescope.geoLocationY",
    "Observation.telescope.geoLocationZ",
    "Observation.telescope.keywords",
    "Observation.environment.seeing",
    "Observation.environment.humidity",
    "Observation.environment.elevation",
    "Observation.environment.tau",
    "Observation.environment.wavelengthTau",
    "Observation.environment.ambientTemp",
    "Observation.environment.photometric",
    "Plane.productID",
    "Plane.metaRelease",
    "Plane.dataRelease",
    "Plane.dataProductType",
    "Plane.calibrationLevel",
    "Plane.dataQuality",
    "Plane.metaReadGroups",
    "Plane.dataReadGroups",
    "Plane.metaProducer",
    "Plane.provenance.name",
    "Plane.provenance.version",
    "Plane.provenance.project",
    "Plane.provenance.producer",
    "Plane.provenance.runID",
    "Plane.provenance.reference",
    "Plane.provenance.lastExecuted",
    "Plane.provenance.keywords",
    "Plane.provenance.inputs",
    "Plane.metrics.sourceNumberDensity",
    "Plane.metrics.background",
    "Plane.metrics.backgroundStddev",
    "Plane.metrics.fluxDensityLimit",
    "Plane.metrics.magLimit",
    "Plane.metrics.sampleSNR",
    "Plane.observable.ucd",
    "Artifact.productType",
    "Artifact.releaseType",
    "Artifact.contentChecksum",
    "Artifact.contentLength",
    "Artifact.contentType",
    "Artifact.contentRelease",
    "Artifact.contentReadGroups",
    "Artifact.uri",
    "Artifact.metaProducer",
    "Part.name",
    "Part.productType",
    "Part.metaProducer",
    "Chunk",
    "Chunk.naxis",
    "Chunk.observableAxis",
    "Chunk.positionAxis1",
    "Chunk.positionAxis2",
    "Chunk.energyAxis",
    "Chunk.timeAxis",
    "Chunk.polarizationAxis",
    "Chunk.metaProducer",
    "Chunk.observable.dependent.bin",
    "Chunk.observable.dependent.axis.ctype",
    "Chunk.observable.dependent.axis.cunit",
    "Chunk.observable.independent.bin",
    "Chunk.observable.independent.axis.ctype",
    "Chunk.observable.independent.axis.cunit",
    "Chunk.position.coordsys",
    "Chunk.position.equinox",
    "Chunk.position.resolution",
    "Chunk.position.axis.axis1.ctype",
    "Chunk.position.axis.axis1.cunit",
    "Chunk.position.axis.axis2.ctype",
    "Chunk.position.axis.axis2.cunit",
    "Chunk.position.axis.error1.syser",
    "Chunk.position.axis.error1.rnder",
    "Chunk.position.axis.error2.syser",
    "Chunk.position.axis.error2.rnder",
    "Chunk.position.axis.function.cd11",
    "Chunk.position.axis.function.cd12",
    "Chunk.position.axis.function.cd21",
    "Chunk.position.axis.function.cd22",
    "Chunk.position.axis.function.dimension.naxis1",
    "Chunk.position.axis.function.dimension.naxis2",
    "Chunk.position.axis.function.refCoord.coord1.pix",
    "Chunk.position.axis.function.refCoord.coord1.val",
    "Chunk.position.axis.function.refCoord.coord2.pix",
    "Chunk.position.axis.function.refCoord.coord2.val",
    "Chunk.position.axis.range.start.coord1.pix",
    "Chunk.position.axis.range.start.coord1.val",
    "Chunk.position.axis.range.start.coord2.pix",
    "Chunk.position.axis.range.start.coord2.val",
    "Chunk.position.axis.range.end.coord1.pix",
    "Chunk.position.axis.range.end.coord1.val",
    "Chunk.position.axis.range.end.coord2.pix",
    "Chunk.position.axis.range.end.coord2.val",
    "Chunk.energy.specsys",
    "Chunk.energy.ssysobs",
    "Chunk.energy.restfrq",
    "Chunk.energy.restwav",
    "Chunk.energy.velosys",
    "Chunk.energy.zsource",
    "Chunk.energy.ssyssrc",
    "Chunk.energy.velang",
    "Chunk.energy.bandpassName",
    "Chunk.energy.resolvingPower",
    "Chunk.energy.transition",
    "Chunk.energy.transition.species",
    "Chunk.energy.transition.transition",
    "Chunk.energy.axis.axis.ctype",
    "Chunk.energy.axis.axis.cunit",
    "Chunk.energy.axis.bounds.samples",
    "Chunk.energy.axis.error.syser",
    "Chunk.energy.axis.error.rnder",
    "Chunk.energy.axis.function.naxis",
    "Chunk.energy.axis.function.delta",
    "Chunk.energy.axis.function.refCoord.pix",
    "Chunk.energy.axis.function.refCoord.val",
    "Chunk.energy.axis.range.start.pix",
    "Chunk.energy.axis.range.start.val",
    "Chunk.energy.axis.range.end.pix",
    "Chunk.energy.axis.range.end.val",
    "Chunk.polarization.axis.axis.ctype",
    "Chunk.polarization.axis.axis.cunit",
    "Chunk.polarization.axis.bounds.samples",
    "Chunk.polarization.axis.error.syser",
    "Chunk.polarization.axis.error.rnder",
    "Chunk.polarization.axis.function.naxis",
    "Chunk.polarization.axis.function.delta",
    "Chunk.polarization.axis.function.refCoord.pix",
    "Chunk.polarization.axis.function.refCoord.val",
    "Chunk.polarization.axis.range.start.pix",
    "Chunk.polarization.axis.range.start.val",
    "Chunk.polarization.axis.range.end.pix",
    "Chunk.polarization.axis.range.end.val",
    "Chunk.time.exposure",
    "Chunk.time.resolution",
    "Chunk.time.timesys",
    "Chunk.time.trefpos",
    "Chunk.time.mjdref",
    "Chunk.time.axis.axis.ctype",
    "Chunk.time.axis.axis.cunit",
    "Chunk.time.axis.bounds.samples",
    "Chunk.time.axis.error.syser",
    "Chunk.time.axis.error.rnder",
    "Chunk.time.axis.function.naxis",
    "Chunk.time.axis.function.delta",
    "Chunk.time.axis.function.refCoord.pix",
    "Chunk.time.axis.function.refCoord.val",
    "Chunk.time.axis.range.start.pix",
    "Chunk.time.axis.range.start.val",
    "Chunk.time.axis.range.end.pix",
    "Chunk.time.axis.range.end.val",
    "Chunk.observable.axis.axis.ctype",
    "Chunk.observable.axis.axis.cunit",
    "Chunk.observable.axis.function.refCoord.pix",
    "Chunk.custom.axis.axis.ctype",
    "Chunk.custom.axis.axis.cunit",
    "Chunk.custom.axis.bounds.samples",
    "Chunk.custom.axis.error.syser",
    "Chunk.custom.axis.error.rnder",
    "Chunk.custom.axis.function.naxis",
    "Chunk.custom.axis.function.delta",
    "Chunk.custom.axis.function.refCoord.pix",
    "Chunk.custom.axis.function.refCoord.val",
    "Chunk.custom.axis.range.start.pix",
    "Chunk.custom.axis.range.start.val",
    "Chunk.custom.axis.range.end.pix",
    "Chunk.custom.axis.range.end.val",
];

impl Key {
    /// Every key, in the reference's order.
    pub fn all() -> impl Iterator<Item = Key> {
        (0..KEY_COUNT).map(|i| Key(i as u8))
    }

    /// The key with this exact name (case-sensitive, as in the reference).
    pub fn from_name(name: &str) -> Option<Key> {
        static BY_NAME: OnceLock<HashMap<&'static str, Key>> = OnceLock::new();
        BY_NAME
            .get_or_init(|| {
                NAMES
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (*n, Key(i as u8)))
                    .collect()
            })
            .get(name)
            .copied()
    }

    /// The element name, e.g. `Chunk.position.axis.function.cd11`.
    pub fn name(self) -> &'static str {
        NAMES[self.0 as usize]
    }

    /// Position in the reference's order (0-based).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// A Chunk key (allowed in per-HDU sections; evaluated against each HDU's header).
    pub fn is_chunk(self) -> bool {
        self.index() >= FIRST_CHUNK
    }

    /// Keys the reference accepts but never reads: setting them has no effect.
    pub fn is_never_read(self) -> bool {
        let n = self.name();
        matches!(
            n,
            "Observation.observationID"
                | "Plane.metaReadGroups"
                | "Plane.dataReadGroups"
                | "Artifact.uri"
                | "Part.name"
                | "Chunk.energy.transition"
        ) || n.starts_with("Chunk.observable.independent.")
            || n.ends_with(".bounds.samples")
    }

    /// Names within a small edit distance, for "did you mean" hints.
    pub fn suggest(name: &str) -> Option<Key> {
        let mut best: Option<(usize, Key)> = None;
        for k in Key::all() {
            let d = edit_distance(name, k.name());
            if d <= 3 && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, k));
            }
        }
        best.map(|(_, k)| k)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shape() {
        assert_eq!(KEY_COUNT, 195);
        assert_eq!(Key::from_name("Chunk").map(Key::index), Some(FIRST_CHUNK));
        assert!(Key::all()
            .filter(|k| k.is_chunk())
            .all(|k| k.name().starts_with("Chunk")));
        assert!(Key::all()
            .filter(|k| !k.is_chunk())
            .all(|k| !k.name().starts_with("Chunk")));
        assert_eq!(Key::all().filter(|k| k.is_chunk()).count(), 117);
    }

    #[test]
    fn names_round_trip() {
        for k in Key::all() {
            assert_eq!(Key::from_name(k.name()), Some(k));
        }
        assert_eq!(Key::from_name("Observation.target.nam"), None);
        assert_eq!(
            Key::suggest("Observation.target.nam").map(Key::name),
            Some("Observation.target.name")
        );
    }
}
