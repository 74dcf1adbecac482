//! The NEOSSat update step, after the blueprint mapping (the reference's
//! `NEOSSatMapping.update()`):
//!
//! * **binary-table extensions** (the spacecraft's attitude and CCD histories, telemetry)
//!   become auxiliary parts named after their `EXTNAME`, without chunks;
//! * **energy**: the filter's band from `BANDPASS = 'min,max'` (Å; 4000–9000 Å when absent)
//!   as a µm range, resolving power `WAVELENG` (6000 Å when absent) over the band's width,
//!   bandpass `FILTER` (CLEAR when absent), TOPOCENT;
//! * **position**: dropped, with the chunk's axis numbers, when the file gives no pointing
//!   (the blueprint's functions then had nothing to build it from);
//! * the time axis number is dropped (the time WCS describes the exposure, not a pixel axis),
//!   and every chunk takes its part's product type.

use caom2::{
    Axis, CoordAxis1D, CoordRange1D, Observation, Part, ProductType, RefCoord, SpectralWcs,
};
use fits2caom2::Header;
use manage::{EntryError, Reason, VisitContext, VisitReport, Visitor};

use crate::functions;

/// The filter band when the header does not give one, in Å.
pub const DEFAULT_BANDPASS: (f64, f64) = (4000.0, 9000.0);
/// The central wavelength when the header does not give one, in Å.
pub const DEFAULT_WAVELENGTH: f64 = 6000.0;
/// The filter when the header does not name one.
pub const DEFAULT_FILTER: &str = "CLEAR";

/// The update step as a meta visitor.
#[derive(Clone, Copy, Debug, Default)]
pub struct Update;

impl Visitor for Update {
    fn name(&self) -> &str {
        "neossat.update"
    }

    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let sn = ctx.storage_name;
        let mut report = VisitReport::new();
        for f in ctx.files {
            let Some(headers) = f.headers.as_ref() else {
                continue;
            };
            let Some(primary) = headers.primary() else {
                continue;
            };
            let pointing = functions::pointing(primary).map_err(|m| {
                EntryError::rejected(
                    Reason::BadMetadata,
                    format!("{}: {}: {m}", Reason::BadMetadata.phrase(), f.uri),
                )
            })?;
            let Some(artifact) = obs
                .plane_mut(&sn.product_id)
                .and_then(|p| p.artifact_mut(&f.uri))
            else {
                continue;
            };
            // binary tables: auxiliary parts named after the extension
            let mut renamed: Vec<usize> = Vec::new();
            for (index, part) in artifact.parts.iter_mut().enumerate() {
                let Ok(i) = part.name.parse::<usize>() else {
                    continue;
                };
                let Some(h) = headers.hdu(i).filter(|_| i > 0) else {
                    continue;
                };
                if !is_table(h) {
                    continue;
                }
                if let Some(name) = h.get_text("EXTNAME") {
                    part.name = name.to_string();
                }
                part.product_type = Some(ProductType::AUXILIARY);
                part.chunks.clear();
                renamed.push(index);
            }
            // a re-ingest maps the tables again as numbered parts: the older copies go
            drop_older_copies(&mut artifact.parts, &renamed);
            report.add("auxiliary_parts", renamed.len() as u64);

            let energy = energy(primary);
            artifact.set_chunk_product_types();
            for chunk in artifact.chunks_mut() {
                chunk.energy = Some(energy.clone());
                chunk.energy_axis = None;
                chunk.time_axis = None;
                if pointing.is_none() {
                    chunk.clear_position(true);
                }
            }
        }
        Ok(report)
    }
}

/// A binary or ASCII table extension.
fn is_table(h: &Header) -> bool {
    h.get_str("XTENSION")
        .map(str::trim)
        .is_some_and(|x| x == "BINTABLE" || x == "TABLE")
}

/// Removes parts that have the name of a part at one of the `fresh` indices but are not
/// fresh themselves.
fn drop_older_copies(parts: &mut Vec<Part>, fresh: &[usize]) {
    let names: Vec<String> = fresh.iter().map(|i| parts[*i].name.clone()).collect();
    let mut index = 0;
    parts.retain(|p| {
        let old = !fresh.contains(&index) && names.contains(&p.name);
        index += 1;
        !old
    });
}

/// The filter's band.
pub fn energy(h: &Header) -> SpectralWcs {
    let (lo, hi) = h
        .get_str("BANDPASS")
        .and_then(parse_band)
        .unwrap_or(DEFAULT_BANDPASS);
    let wavelength = h.get_f64("WAVELENG").unwrap_or(DEFAULT_WAVELENGTH);
    let mut axis = CoordAxis1D::new(Axis::new("WAVE", Some("um")));
    axis.range = Some(CoordRange1D {
        start: RefCoord::new(0.5, lo / 1e4),
        end: RefCoord::new(1.5, hi / 1e4),
    });
    let mut e = SpectralWcs::new(axis, "TOPOCENT");
    e.ssysobs = Some("TOPOCENT".into());
    e.ssyssrc = Some("TOPOCENT".into());
    e.bandpass_name = Some(h.get_text("FILTER").unwrap_or(DEFAULT_FILTER).to_string());
    e.resolving_power = Some(wavelength / (hi - lo));
    e
}

/// `'4000,9000'` → (4000, 9000), in increasing order and of positive width.
fn parse_band(text: &str) -> Option<(f64, f64)> {
    let (a, b) = text.split_once(',')?;
    let a: f64 = a.trim().parse().ok()?;
    let b: f64 = b.trim().parse().ok()?;
    let (lo, hi) = (a.min(b), a.max(b));
    (lo.is_finite() && hi.is_finite() && hi > lo).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands() {
        assert_eq!(parse_band("4000,9000"), Some((4000.0, 9000.0)));
        assert_eq!(parse_band(" 9000 , 4000 "), Some((4000.0, 9000.0)));
        assert_eq!(parse_band("4000"), None);
        assert_eq!(parse_band("4000,4000"), None);
    }

    #[test]
    fn duplicate_table_parts_after_a_reingest() {
        let mut parts = vec![
            Part::new("0"),
            Part::new("RawVolt"),
            Part::new("0x"),
            Part::new("RawVolt"),
        ];
        drop_older_copies(&mut parts, &[3]);
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["0", "0x", "RawVolt"]);
    }
}
