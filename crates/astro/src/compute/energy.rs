//! Plane.energy from chunk SpectralWCS (compute.md §6): bounds as vacuum wavelength in
//! metres, dimension, sample size, resolving power, bandpass name, transition, energy bands
//! and rest wavelength.

use super::axis::num_pixels_1d;
use super::interval::{interval, merge_into_list, sampled_interval, UNION_SCALE};
use super::time::{zero_width_function, zero_width_range};
use super::wcslib;
use super::{Failure, FailureKind, UsedChunk};
use caom2::validate::units;
use caom2::{CoordRange1D, Energy, EnergyBand, Interval, SampledInterval, SpectralWcs};
use std::collections::HashMap;

/// `EnergyUtil.compute` over the used chunks.
pub fn compute(chunks: &[UsedChunk<'_>]) -> Result<Energy, Failure> {
    let with_energy: Vec<(&UsedChunk<'_>, &SpectralWcs)> = chunks
        .iter()
        .filter_map(|c| c.chunk.energy.as_ref().map(|w| (c, w)))
        .collect();
    // each chunk's intervals once: the function ones go through WCSLIB
    let per_chunk = intervals_of(&with_energy)?;
    let mut samples = Vec::new();
    for i in per_chunk.iter().flatten() {
        merge_into_list(*i, &mut samples, UNION_SCALE);
    }
    let bounds = sampled_interval(samples)?;
    let dimension = match dimension_from_range_bounds(&with_energy)? {
        Some(d) => Some(d),
        None => dimension_from_wcs(bounds.as_ref(), &with_energy)?,
    };
    let energy_bands = bounds
        .as_ref()
        .map(|b| energy_bands(b.lower, b.upper))
        .unwrap_or_default();
    Ok(Energy {
        sample_size: sample_size(&with_energy, &per_chunk)?,
        resolving_power: resolving_power(&with_energy)?,
        bandpass_name: common(&with_energy, |w| w.bandpass_name.clone()),
        transition: common(&with_energy, |w| w.transition.clone()),
        restwav: restwav(chunks)?,
        bounds,
        dimension,
        resolving_power_bounds: None,
        energy_bands,
    })
}

/// The identity of a spectral function for WCSLIB: chunks of a mosaic usually share one
/// (every detector behind the same filter), and then WCSLIB is asked once.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FunctionKey {
    ctype: String,
    cunit: Option<String>,
    naxis: i64,
    numbers: [u64; 5],
}

fn function_key(w: &SpectralWcs) -> Option<FunctionKey> {
    let axis = &w.axis;
    if axis.range.is_some() || axis.bounds.is_some() {
        return None;
    }
    let f = axis.function.as_ref()?;
    let bits = |x: Option<f64>| x.map_or(u64::MAX, f64::to_bits);
    Some(FunctionKey {
        ctype: axis.axis.ctype.clone(),
        cunit: axis.axis.cunit.clone(),
        naxis: f.naxis,
        numbers: [
            f.delta.to_bits(),
            f.ref_coord.pix.to_bits(),
            f.ref_coord.val.to_bits(),
            bits(w.restfrq),
            bits(w.restwav),
        ],
    })
}

/// Every chunk's intervals, in order; equal spectral functions are evaluated once, and the
/// distinct ones in parallel. The first failing chunk (in order) is the one reported.
fn intervals_of(chunks: &[(&UsedChunk<'_>, &SpectralWcs)]) -> Result<Vec<Vec<Interval>>, Failure> {
    let mut first_of: HashMap<FunctionKey, usize> = HashMap::new();
    let mut jobs: Vec<usize> = Vec::new();
    let slot: Vec<usize> = chunks
        .iter()
        .enumerate()
        .map(|(i, (_, w))| match function_key(w) {
            Some(k) => *first_of.entry(k).or_insert_with(|| {
                jobs.push(i);
                jobs.len() - 1
            }),
            None => {
                jobs.push(i);
                jobs.len() - 1
            }
        })
        .collect();
    let results = super::par_map(&jobs, |&i| chunk_intervals(chunks[i].1));
    let mut out = Vec::with_capacity(chunks.len());
    for ((c, _), s) in chunks.iter().zip(slot) {
        match &results[s] {
            Ok(v) => out.push(v.clone()),
            Err(e) => return Err(e.clone().at(c)),
        }
    }
    Ok(out)
}

fn unknown_units(e: units::UnknownUnits) -> Failure {
    Failure::new(FailureKind::IllegalArgument, e.to_string())
}

/// A range value in metres: kept if the CTYPE starts with `WAVE` and the unit is exactly
/// `m`, else converted by unit only (the CTYPE is not looked at, as in the reference).
fn range_interval(w: &SpectralWcs, r: &CoordRange1D) -> Result<Interval, Failure> {
    let axis = &w.axis.axis;
    let (a, b) = (r.start.val, r.end.val);
    let (a, b) = if axis.ctype.starts_with("WAVE") && axis.cunit.as_deref() == Some("m") {
        (a, b)
    } else {
        let unit = axis.cunit.as_deref().unwrap_or("null");
        (
            units::to_meters(a, unit).map_err(unknown_units)?,
            units::to_meters(b, unit).map_err(unknown_units)?,
        )
    };
    if !(a.is_finite() && b.is_finite()) {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!("spectral range [{a}, {b}] m is not finite"),
        ));
    }
    interval(a.min(b), a.max(b))
}

/// The chunk's intervals in metres from the first of range, bounds (one per sample) and
/// function (WCSLIB at the pixel edges 0.5 and naxis + 0.5).
pub fn chunk_intervals(w: &SpectralWcs) -> Result<Vec<Interval>, Failure> {
    let axis = &w.axis;
    // Unlike the reference (which checks this for time and custom axes only), a zero-width
    // band over more than one pixel is an error here too: such a chunk has no spectral WCS.
    if let Some(r) = &axis.range {
        zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
        return Ok(vec![range_interval(w, r)?]);
    }
    if let Some(b) = &axis.bounds {
        return b
            .samples
            .iter()
            .map(|r| {
                zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
                range_interval(w, r)
            })
            .collect();
    }
    if let Some(f) = &axis.function {
        zero_width_function(f.naxis, f.delta)?;
        let map = wcslib::spectral_as_wavelength(f, &axis.axis, w.restfrq, w.restwav)?;
        let world = map.pixels_to_world(&[0.5, f.naxis as f64 + 0.5])?;
        let unit = map.unit(0).unwrap_or_default().to_string();
        let (mut a, mut b) = (world[0], world[1]);
        if unit != "m" {
            a = units::to_meters(a, &unit).map_err(unknown_units)?;
            b = units::to_meters(b, &unit).map_err(unknown_units)?;
        }
        if !(a.is_finite() && b.is_finite()) {
            return Err(Failure::new(
                FailureKind::Wcslib,
                format!("the spectral function gives non-finite wavelengths [{a}, {b}]"),
            ));
        }
        return Ok(vec![interval(a.min(b), a.max(b))?]);
    }
    Ok(Vec::new())
}

/// `(long) Σ numPixels1D(axis, false)`, None when that is 0.
fn dimension_from_range_bounds(
    chunks: &[(&UsedChunk<'_>, &SpectralWcs)],
) -> Result<Option<i64>, Failure> {
    let mut num = 0.0;
    for (c, w) in chunks {
        num += num_pixels_1d(&w.axis, false).map_err(|e| e.at(c))?;
    }
    Ok(positive_long(num))
}

/// The reference keeps a pixel count only when it is positive once truncated to `long`.
pub(crate) fn positive_long(num: f64) -> Option<i64> {
    let n = num as i64;
    (n > 0).then_some(n)
}

/// One function chunk: its naxis; several: the span of the bounds in the pixels of the
/// function with the largest |delta| (last wins on ties), rounded.
fn dimension_from_wcs(
    bounds: Option<&SampledInterval>,
    chunks: &[(&UsedChunk<'_>, &SpectralWcs)],
) -> Result<Option<i64>, Failure> {
    let Some(bounds) = bounds else {
        return Ok(None);
    };
    let mut num = 0;
    let mut best = 0.0;
    let mut chosen = None;
    for (c, w) in chunks {
        if let Some(f) = &w.axis.function {
            num += 1;
            let d = f.delta.abs();
            if d >= best {
                best = d;
                chosen = Some((*c, *w, f));
            }
        }
    }
    let Some((c, w, f)) = chosen else {
        return Ok(None);
    };
    if num == 1 {
        return Ok(Some(f.naxis));
    }
    let map = wcslib::spectral_as_wavelength(f, &w.axis.axis, w.restfrq, w.restwav)
        .map_err(|e| e.at(c))?;
    let p = map
        .world_to_pixels(&[bounds.lower, bounds.upper])
        .map_err(|e| e.at(c))?;
    Ok(Some((p[1] - p[0]).abs().round() as i64))
}

fn sample_size(
    chunks: &[(&UsedChunk<'_>, &SpectralWcs)],
    per_chunk: &[Vec<Interval>],
) -> Result<Option<f64>, Failure> {
    let (mut tot, mut num) = (0.0, 0.0);
    for ((c, w), intervals) in chunks.iter().zip(per_chunk) {
        num += num_pixels_1d(&w.axis, true).map_err(|e| e.at(c))?;
        for i in intervals {
            tot += i.upper - i.lower;
        }
    }
    Ok((tot > 0.0 && num > 0.0).then(|| tot / num))
}

fn resolving_power(chunks: &[(&UsedChunk<'_>, &SpectralWcs)]) -> Result<Option<f64>, Failure> {
    let (mut tot, mut num) = (0.0, 0.0);
    for (c, w) in chunks {
        if let Some(rp) = w.resolving_power {
            let n = num_pixels_1d(&w.axis, true).map_err(|e| e.at(c))?;
            tot += rp * n;
            num += n;
        }
    }
    Ok((tot > 0.0 && num > 0.0).then(|| tot / num))
}

/// The value every chunk agrees on: the first chunk's value (possibly none), unless a later
/// chunk has a different non-null one.
fn common<T: PartialEq + Clone>(
    chunks: &[(&UsedChunk<'_>, &SpectralWcs)],
    get: impl Fn(&SpectralWcs) -> Option<T>,
) -> Option<T> {
    let mut ret: Option<T> = None;
    for (_, w) in chunks {
        let v = get(w);
        if ret.is_none() {
            ret = v.clone();
        }
        if let (Some(r), Some(v)) = (&ret, &v) {
            if r != v {
                return None;
            }
        }
    }
    ret
}

/// The mid rest wavelength when all chunks agree within 1 % (RESTFRQ converted with the
/// reference's c).
fn restwav(chunks: &[UsedChunk<'_>]) -> Result<Option<f64>, Failure> {
    let (mut min, mut max) = (f64::MAX, 0.0_f64);
    let mut any = false;
    for c in chunks {
        let Some(w) = &c.chunk.energy else { continue };
        let v = match (w.restwav, w.restfrq) {
            (Some(r), _) => r,
            (None, Some(f)) => units::to_meters(f, "Hz").map_err(|e| unknown_units(e).at(c))?,
            (None, None) => continue,
        };
        any = true;
        min = min.min(v);
        max = max.max(v);
    }
    if !any {
        return Ok(None);
    }
    let delta = (max - min).abs();
    let mid = min + delta / 2.0;
    Ok((delta / mid < 0.01).then_some(mid))
}

/// The edges of an energy band in metres, computed with the reference's converter.
pub fn band_edges(band: EnergyBand) -> (f64, f64) {
    let m = |v: f64, unit: &str| units::to_meters(v, unit).unwrap_or(f64::NAN);
    match band {
        EnergyBand::Radio => (m(10.0, "mm"), f64::MAX),
        EnergyBand::Millimeter => (m(0.1, "mm"), m(10.0, "mm")),
        EnergyBand::Infrared => (m(1.0, "um"), m(100.0, "um")),
        EnergyBand::Optical => (m(300.0, "nm"), m(1000.0, "nm")),
        EnergyBand::Uv => (m(100.0, "nm"), m(300.0, "nm")),
        EnergyBand::Euv => (m(10.0, "nm"), m(100.0, "nm")),
        EnergyBand::XRay => (m(120.0, "keV"), m(0.12, "keV")),
        EnergyBand::GammaRay => (m(1.0e6, "keV"), m(120.0, "keV")),
    }
}

/// Every band the interval overlaps by a fraction > 0, in the enum order (touching an edge
/// is no overlap; a zero-width interval on an edge is inside both bands).
pub fn energy_bands(lower: f64, upper: f64) -> Vec<EnergyBand> {
    EnergyBand::ALL
        .iter()
        .copied()
        .filter(|&band| {
            let (lb, ub) = band_edges(band);
            let fraction = if ub < lower || upper < lb {
                0.0
            } else if lower < lb {
                (upper - lb) / (upper - lower)
            } else if ub < upper {
                (ub - lower) / (upper - lower)
            } else {
                1.0
            };
            fraction > 0.0
        })
        .collect()
}

/// `Energy.getFreqWidth()`: the bounds' width in Hz (not persisted in CAOM 2.4).
pub fn freq_width(e: &Energy) -> Option<f64> {
    let b = e.bounds.as_ref()?;
    let hz = |m: f64| units::to_hz(m, "m").ok();
    Some((hz(b.lower)? - hz(b.upper)?).abs())
}

/// `Energy.getFreqSampleSize()`: the sample size in Hz around the bounds' centre.
pub fn freq_sample_size(e: &Energy) -> Option<f64> {
    let b = e.bounds.as_ref()?;
    let ss = e.sample_size?;
    let w = (b.upper + b.lower) / 2.0;
    let dw = ss / 2.0;
    let hz = |m: f64| units::to_hz(m, "m").ok();
    Some((hz(w - dw)? - hz(w + dw)?).abs())
}
