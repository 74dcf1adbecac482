//! The OMM update step: the rules that follow the blueprint mapping because they are
//! conditional or touch several attributes at once (the reference's `Telescope.update()`).
//!
//! For every file of the entry, in this order:
//!
//! 1. **Telescope**: the geocentric position from `OBS_LAT`/`OBS_LON` and the site's
//!    elevation ([`SITES`]; any other telescope is an error, as in the reference), converted
//!    from WGS84 geodetic coordinates; the telescope keywords are replaced by `OBSERVER`,
//!    unless it is blank or contains "none".
//! 2. **Instrument**: when the file names none, the first letter of the observation id
//!    decides (C → CPAPIR, P → PESTO, S → SPIOMM).
//! 3. **Chunks** of the file's artifact (an empty chunk is added to part `0` when it has
//!    none): each takes the part's product type;
//!    * energy is built from `WLEN ± BANDPASS/2` (µm, both ≥ 0), TOPOCENT, bandpass `FILTER`;
//!    * time is `MJD_STAR`…`MJD_END`, or `DATE-OBS` (UTC) plus `TEXP` seconds, with
//!      exposure and function delta `TEFF`, resolution 0.1 s, UTC, TOPOCENTER; a value that
//!      is not a finite number rejects the file;
//!    * a position without a linear function, or whose reference value is (0, 0), is
//!      removed with the chunk's axis numbers, and a science plane with such a chunk is
//!      flagged `junk`.
//! 4. **REJECT** files set the observation's requirements to `fail` and its target to `BAD`.
//! 5. **Reduced products** (`_SCIRED`, `_CALRED`) make the observation derived (algorithm
//!    `composite`); their inputs are the raw files named by `IN_nnnnn`/`ID_nnnnn` (science,
//!    plane `_SCI`) and `F_ONn`/`F_OFFn` (dome flats, plane `_CAL`), as plane provenance
//!    inputs `caom:OMM/<obs>/<product>`, and the observation's members are the observations
//!    of every plane's inputs.

use caom2::{
    Axis, Chunk, CoordAxis1D, CoordFunction1D, CoordRange1D, DataQuality, Instrument, Observation,
    ObservationKind, Part, Provenance, Quality, RefCoord, Requirements, SpectralWcs, Status,
    Target, TemporalWcs, Uri,
};
use fits2caom2::Header;
use manage::{EntryError, Reason, VisitContext, VisitReport, Visitor};

use crate::functions;
use crate::naming::{self, Suffix};

/// Sites the reference knows: telescope name prefix, latitude and longitude (degrees, used
/// when the header has no `OBS_LAT`/`OBS_LON`) and elevation (m).
pub const SITES: &[(&str, f64, f64, f64)] = &[
    ("OMM", 45.4555555556, -71.1527777778, 1108.0),
    ("CTIO", -30.1687583334, -70.8066250001, 2200.0),
];

/// The instrument of an observation whose files name none, by the observation id's first
/// letter.
pub const INSTRUMENT_BY_PREFIX: &[(char, &str)] =
    &[('C', "CPAPIR"), ('P', "PESTO"), ('S', "SPIOMM")];

/// The update step as a meta visitor (after the blueprint mapping).
#[derive(Clone, Copy, Debug, Default)]
pub struct Update;

impl Visitor for Update {
    fn name(&self) -> &str {
        "omm.update"
    }

    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let sn = ctx.storage_name;
        let mut report = VisitReport::new();
        for f in ctx.files {
            let Some(h) = f.headers.as_ref().and_then(|h| h.primary()) else {
                continue;
            };
            let bad = |m: String| {
                EntryError::rejected(
                    Reason::BadMetadata,
                    format!("{}: {}: {m}", Reason::BadMetadata.phrase(), f.uri),
                )
            };
            telescope(obs, h).map_err(bad)?;
            instrument(obs);
            let science = functions::is_science(h);
            let plane = obs.plane_mut(&sn.product_id).ok_or_else(|| {
                EntryError::failed(format!("no plane {} after the mapping", sn.product_id))
            })?;
            let mut junk = false;
            if let Some(artifact) = plane.artifact_mut(&f.uri) {
                if artifact.parts.is_empty() {
                    artifact.parts.push(Part::new("0"));
                }
                if let Some(part) = artifact.part_mut("0").filter(|p| p.chunks.is_empty()) {
                    part.chunks.push(Chunk::new());
                }
                artifact.set_chunk_product_types();
                // from the primary header, so the same for every chunk (an error counts only
                // where there is a chunk to set)
                let (energy, time) = (energy(h), time(h));
                for chunk in artifact.chunks_mut() {
                    chunk.energy = energy.clone().map_err(bad)?;
                    chunk.energy_axis = None;
                    chunk.time = time.clone().map_err(bad)?;
                    chunk.time_axis = None;
                    if !usable_position(chunk) {
                        chunk.clear_position(true);
                        junk = true;
                    }
                }
            }
            if junk && science {
                plane.quality = Some(DataQuality {
                    flag: Quality::Junk,
                });
                report.add("junk", 1);
            }
            match Suffix::of(&sn.product_id) {
                Some(Suffix::Reject) => {
                    obs.requirements = Some(Requirements { flag: Status::FAIL });
                    match obs.target.as_mut() {
                        Some(t) => t.name = "BAD".to_string(),
                        None => obs.target = Some(Target::new("BAD")),
                    }
                    report.add("rejected", 1);
                }
                Some(s) if s.is_derived() => {
                    let n = derive(obs, &sn.product_id, h)?;
                    report.add("inputs", n as u64);
                }
                _ => {}
            }
        }
        Ok(report)
    }
}

/// Geocentric position of the telescope and its keywords.
fn telescope(obs: &mut Observation, h: &Header) -> Result<(), String> {
    let Some(t) = obs.telescope.as_mut() else {
        return Ok(());
    };
    let upper = t.name.to_ascii_uppercase();
    let Some(&(_, lat, lon, elevation)) = SITES.iter().find(|(p, ..)| upper.starts_with(p)) else {
        return Err(format!(
            "unknown telescope {:?}: no site for its geocentric position (known: {})",
            t.name,
            SITES.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
        ));
    };
    let lat = h.get_f64("OBS_LAT").unwrap_or(lat);
    let lon = h.get_f64("OBS_LON").unwrap_or(lon);
    let [x, y, z] = astro::frames::geodetic_to_geocentric(lon, lat, elevation)
        .ok_or_else(|| format!("OBS_LAT {lat} / OBS_LON {lon} are not a position"))?;
    t.geo_location_x = Some(x);
    t.geo_location_y = Some(y);
    t.geo_location_z = Some(z);
    // the reference rebuilds the telescope here, so keywords from an earlier file go
    t.keywords = match h.get_str("OBSERVER").map(str::trim) {
        Some(o) if !o.is_empty() && !o.to_ascii_lowercase().contains("none") => {
            vec![o.to_string()]
        }
        _ => Vec::new(),
    };
    Ok(())
}

fn instrument(obs: &mut Observation) {
    if obs.instrument.is_some() {
        return;
    }
    let first = obs.observation_id.chars().next();
    if let Some((_, name)) = INSTRUMENT_BY_PREFIX.iter().find(|(c, _)| Some(*c) == first) {
        obs.instrument = Some(Instrument::new(*name));
    }
}

/// A header number that must be finite when present.
fn finite(h: &Header, key: &str) -> Result<Option<f64>, String> {
    match h.get(key) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(format!(
                "{key} = {} is not a finite number",
                v.to_fits_text()
            )),
        },
    }
}

/// The filter's band, when `WLEN` and `BANDPASS` are known (−1 means unknown).
fn energy(h: &Header) -> Result<Option<SpectralWcs>, String> {
    let (Some(wlen), Some(bandpass)) = (finite(h, "WLEN")?, finite(h, "BANDPASS")?) else {
        return Ok(None);
    };
    if wlen < 0.0 || bandpass < 0.0 {
        return Ok(None);
    }
    let mut axis = CoordAxis1D::new(Axis::new("WAVE", Some("um")));
    axis.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, wlen - bandpass / 2.0),
        end: RefCoord::new(1.5, wlen + bandpass / 2.0),
    });
    let mut e = SpectralWcs::new(axis, "TOPOCENT");
    e.ssysobs = Some("TOPOCENT".into());
    e.ssyssrc = Some("TOPOCENT".into());
    e.bandpass_name = h.get_text("FILTER").map(str::to_string);
    Ok(Some(e))
}

/// The exposure's time span.
fn time(h: &Header) -> Result<Option<TemporalWcs>, String> {
    let (start, end) = match (finite(h, "MJD_STAR")?, finite(h, "MJD_END")?) {
        (Some(s), Some(e)) => (s, e),
        _ => {
            let Some(date) = h.get_text("DATE-OBS") else {
                return Ok(None);
            };
            let start = astro::time_scale::iso_to_mjd_utc(date)
                .map_err(|e| format!("DATE-OBS {date:?}: {e}"))?;
            let texp = finite(h, "TEXP")?.unwrap_or(0.0);
            let end = astro::time_scale::add_seconds_utc(start, texp)
                .map_err(|e| format!("DATE-OBS {date:?} + TEXP {texp}: {e}"))?;
            (start, end)
        }
    };
    let teff = finite(h, "TEFF")?;
    let mut axis = CoordAxis1D::new(Axis::new("TIME", Some("d")));
    axis.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, start),
        end: RefCoord::new(1.5, end),
    });
    axis.function = teff.map(|delta| CoordFunction1D {
        naxis: 1,
        delta,
        ref_coord: RefCoord::new(0.5, start),
    });
    let mut t = TemporalWcs::new(axis);
    t.exposure = teff;
    t.resolution = Some(0.1);
    t.timesys = Some("UTC".into());
    t.trefpos = Some("TOPOCENTER".into());
    Ok(Some(t))
}

/// A position that says where the telescope pointed: a linear function whose reference
/// value is not the (0, 0) that headers without astrometry carry.
fn usable_position(chunk: &Chunk) -> bool {
    let Some(f) = chunk
        .position
        .as_ref()
        .and_then(|p| p.axis.function.as_ref())
    else {
        return false;
    };
    let (a, b) = (f.ref_coord.coord1.val, f.ref_coord.coord2.val);
    !(a.abs() < 1e-9 && b.abs() < 1e-9)
}

/// Makes the observation derived and records the inputs of reduced product `product_id`.
fn derive(obs: &mut Observation, product_id: &str, h: &Header) -> Result<usize, EntryError> {
    if !obs.is_derived() {
        obs.kind = ObservationKind::Derived {
            members: Vec::new(),
        };
    }
    obs.algorithm.name = "composite".to_string();
    let collection = obs.collection.clone();
    let inputs = inputs(&collection, h)?;
    let count = inputs.len();
    let instrument = obs.instrument.as_ref().map(|i| i.name.clone());
    if let Some(plane) = obs.plane_mut(product_id) {
        // a header without INSTRUME gives no provenance from the blueprint; the inputs
        // still need one, named after the instrument
        let prov = plane
            .provenance
            .get_or_insert_with(|| Provenance::new(instrument.unwrap_or_default()));
        for u in inputs {
            if !prov.inputs.contains(&u) {
                prov.inputs.push(u);
            }
        }
    }
    update_members(obs);
    Ok(count)
}

/// Plane URIs named by the header's input keywords, in header order.
fn inputs(collection: &str, h: &Header) -> Result<Vec<Uri>, EntryError> {
    let mut out: Vec<Uri> = Vec::new();
    for card in h.iter() {
        let suffix = if numbered(&card.keyword, &["IN_", "ID_"]) {
            "_SCI"
        } else if numbered(&card.keyword, &["F_ON", "F_OFF"]) {
            "_CAL"
        } else {
            continue;
        };
        let Some(value) = card.value.as_ref().and_then(|v| v.as_str()) else {
            continue;
        };
        let Some((obs_id, product)) = naming::input_names(value, suffix) else {
            continue;
        };
        let uri = Uri::parse(&format!("caom:{collection}/{obs_id}/{product}")).map_err(|e| {
            EntryError::rejected(
                Reason::BadMetadata,
                format!(
                    "{}: {} = {value:?} names no input plane: {e}",
                    Reason::BadMetadata.phrase(),
                    card.keyword
                ),
            )
        })?;
        if !out.contains(&uri) {
            out.push(uri);
        }
    }
    Ok(out)
}

/// `IN_00001`, `F_ON12`: one of `prefixes` followed by digits only.
fn numbered(keyword: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        keyword
            .strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The members of a derived observation: the observations of its planes' inputs.
pub fn update_members(obs: &mut Observation) {
    let mut members: Vec<Uri> = Vec::new();
    for p in &obs.planes {
        for i in p.provenance.iter().flat_map(|p| p.inputs.iter()) {
            let text = i.as_str();
            let Some((obs_uri, _)) = text.rsplit_once('/') else {
                continue;
            };
            if let Ok(u) = Uri::parse(obs_uri) {
                if !members.contains(&u) {
                    members.push(u);
                }
            }
        }
    }
    if let ObservationKind::Derived { members: m } = &mut obs.kind {
        *m = members;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_keywords() {
        assert!(numbered("IN_00001", &["IN_", "ID_"]));
        assert!(numbered("F_OFF11", &["F_ON", "F_OFF"]));
        assert!(!numbered("IN_", &["IN_"]));
        assert!(!numbered("F_ONX", &["F_ON"]));
        assert!(!numbered("INSTRUME", &["IN_"]));
    }

    #[test]
    fn geocentric_positions_of_the_sites() {
        // the values astropy's EarthLocation.from_geodetic gives for the headers' positions
        let [x, y, z] =
            astro::frames::geodetic_to_geocentric(-71.1527777778, 45.4555555556, 1108.0).unwrap();
        assert!((x - 1448028.9616748542).abs() < 1e-6);
        assert!((y + 4242093.481212275).abs() < 1e-6);
        assert!((z - 4523795.303587095).abs() < 1e-6);
        let [x, _, z] =
            astro::frames::geodetic_to_geocentric(-70.8066250001, -30.1687583334, 2200.0).unwrap();
        assert!((x - 1814997.8877637554).abs() < 1e-6);
        assert!((z + 3187666.725737285).abs() < 1e-6);
    }
}
