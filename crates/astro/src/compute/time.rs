//! Plane.time from chunk TemporalWCS (compute.md §7): bounds as UTC MJD (TAI and TT through
//! the leap-second table), dimension, sample size, resolution and exposure.

use super::axis::{num_pixels_1d, pix2val, val2pix};
use super::energy::positive_long;
use super::interval::{interval, merge_into_list, sampled_interval, UNION_SCALE};
use super::{Failure, FailureKind, UsedChunk};
use crate::time_scale;
use caom2::{CoordAxis1D, Interval, SampledInterval, TemporalWcs, Time};

/// `TimeUtil.compute` over the used chunks.
pub fn compute(chunks: &[UsedChunk<'_>]) -> Result<Time, Failure> {
    let with_time: Vec<(&UsedChunk<'_>, &TemporalWcs)> = chunks
        .iter()
        .filter_map(|c| c.chunk.time.as_ref().map(|w| (c, w)))
        .collect();
    let mut per_chunk: Vec<Vec<Interval>> = Vec::with_capacity(with_time.len());
    for (c, w) in &with_time {
        per_chunk.push(chunk_intervals(w).map_err(|e| e.at(c))?);
    }
    let mut samples = Vec::new();
    for i in per_chunk.iter().flatten() {
        merge_into_list(*i, &mut samples, UNION_SCALE);
    }
    let bounds = sampled_interval(samples)?;
    let mut num = 0.0;
    for (c, w) in &with_time {
        num += num_pixels_1d(&w.axis, false).map_err(|e| e.at(c))?;
    }
    let dimension = match positive_long(num) {
        Some(d) => Some(d),
        None => dimension_from_wcs(bounds.as_ref(), &with_time),
    };
    let (mut tot, mut num) = (0.0, 0.0);
    for ((c, w), intervals) in with_time.iter().zip(&per_chunk) {
        num += num_pixels_1d(&w.axis, true).map_err(|e| e.at(c))?;
        for i in intervals {
            tot += i.upper - i.lower;
        }
    }
    let sample_size = (tot > 0.0 && num > 0.0).then(|| tot / num);
    Ok(Time {
        bounds,
        dimension,
        resolution: weighted_mean(&with_time, |w| w.resolution)?,
        resolution_bounds: None,
        sample_size,
        exposure: weighted_mean(&with_time, |w| w.exposure)?,
    })
}

/// The §7.1 rule: TIMESYS ∈ {TAI, TT, UTC} with CTYPE equal to it or `TIME`, or no TIMESYS
/// and CTYPE ∈ {TAI, TT, UTC}; and CUNIT `d`.
pub fn check_wcs(w: &TemporalWcs) -> Result<(), Failure> {
    const SCALES: [&str; 3] = ["TAI", "TT", "UTC"];
    let ctype = w.axis.axis.ctype.as_str();
    let system_ok = match w.timesys.as_deref() {
        Some(ts) => SCALES.contains(&ts) && (ctype == ts || ctype == "TIME"),
        None => SCALES.contains(&ctype),
    };
    let unit_ok = w.axis.axis.cunit.as_deref() == Some("d");
    let mut msg = String::new();
    if !system_ok {
        msg.push_str(&format!(
            "unexpected TIMESYS, CTYPE: {},{ctype}",
            w.timesys.as_deref().unwrap_or("null")
        ));
    }
    if !unit_ok {
        if !msg.is_empty() {
            msg.push(' ');
        }
        msg.push_str(&format!(
            "unexpected CUNIT: {}",
            w.axis.axis.cunit.as_deref().unwrap_or("null")
        ));
    }
    if msg.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(FailureKind::Unsupported, msg))
    }
}

/// A chunk value as UTC MJD: `mjdref + value`, through ERFA's TAI/TT → UTC when the time
/// scale is TAI or TT. Dates the leap-second table cannot vouch for are errors.
pub fn to_utc_mjd(w: &TemporalWcs, value: f64) -> Result<f64, Failure> {
    let scale = w.timesys.as_deref().unwrap_or(w.axis.axis.ctype.as_str());
    let mjdref = w.mjdref.unwrap_or(0.0);
    let converted = match scale {
        "TAI" => time_scale::tai_mjd_to_utc(mjdref, value),
        "TT" => time_scale::tt_mjd_to_utc(mjdref, value),
        _ => return Ok(mjdref + value),
    };
    converted.and_then(|f| f.checked()).map_err(|e| {
        Failure::new(
            FailureKind::IllegalArgument,
            format!(
                "unable to transform {scale} {} + {} d to UTC: {e}",
                j(mjdref),
                j(value)
            ),
        )
    })
}

fn j(x: f64) -> String {
    caom2::java::double_to_string(x)
}

/// The zero-width rules of the reference: equal values over more than one pixel.
pub fn check_zero_width(axis: &CoordAxis1D) -> Result<(), Failure> {
    let ranges = axis
        .range
        .iter()
        .chain(axis.bounds.iter().flat_map(|b| &b.samples));
    for r in ranges {
        zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
    }
    if let Some(f) = &axis.function {
        zero_width_function(f.naxis, f.delta)?;
    }
    Ok(())
}

pub(crate) fn zero_width_range(sp: f64, ep: f64, a: f64, b: f64) -> Result<(), Failure> {
    let np = (sp - ep).abs();
    if a == b && np > 1.0 {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!(
                "invalid CoordRange1D: found {} + pixels and delta = 0.0 in [{},{}]",
                j(np),
                j(a),
                j(b)
            ),
        ));
    }
    Ok(())
}

pub(crate) fn zero_width_function(naxis: i64, delta: f64) -> Result<(), Failure> {
    if delta == 0.0 && naxis > 1 {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!("invalid CoordFunction1D: found {naxis} pixels and delta = 0.0"),
        ));
    }
    Ok(())
}

fn converted_interval(w: &TemporalWcs, a: f64, b: f64) -> Result<Interval, Failure> {
    if !(a.is_finite() && b.is_finite()) {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!("time values [{}, {}] are not finite", j(a), j(b)),
        ));
    }
    let (a, b) = (to_utc_mjd(w, a)?, to_utc_mjd(w, b)?);
    interval(a.min(b), a.max(b))
}

/// The chunk's intervals as UTC MJD from the first of range, bounds (one per sample) and
/// function (values at the pixel edges 0.5 and naxis + 0.5).
pub fn chunk_intervals(w: &TemporalWcs) -> Result<Vec<Interval>, Failure> {
    let axis = &w.axis;
    if let Some(r) = &axis.range {
        check_wcs(w)?;
        zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
        return Ok(vec![converted_interval(w, r.start.val, r.end.val)?]);
    }
    if let Some(b) = &axis.bounds {
        let mut out = Vec::with_capacity(b.samples.len());
        for r in &b.samples {
            check_wcs(w)?;
            zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
            out.push(converted_interval(w, r.start.val, r.end.val)?);
        }
        return Ok(out);
    }
    if let Some(f) = &axis.function {
        check_wcs(w)?;
        zero_width_function(f.naxis, f.delta)?;
        let a = pix2val(f, 0.5);
        let b = pix2val(f, f.naxis as f64 + 0.5);
        return Ok(vec![converted_interval(w, a, b)?]);
    }
    Ok(Vec::new())
}

fn dimension_from_wcs(
    bounds: Option<&SampledInterval>,
    chunks: &[(&UsedChunk<'_>, &TemporalWcs)],
) -> Option<i64> {
    let bounds = bounds?;
    let mut num = 0;
    let mut best = 0.0;
    let mut chosen = None;
    for (_, w) in chunks {
        if let Some(f) = &w.axis.function {
            num += 1;
            if f.delta.abs() >= best {
                best = f.delta.abs();
                chosen = Some((*w, f));
            }
        }
    }
    let (w, f) = chosen?;
    if num == 1 {
        return Some(f.naxis);
    }
    let offset = w.mjdref.unwrap_or(0.0);
    let x1 = val2pix(f, bounds.lower - offset);
    let x2 = val2pix(f, bounds.upper - offset);
    Some((x2 - x1).abs().round() as i64)
}

fn weighted_mean(
    chunks: &[(&UsedChunk<'_>, &TemporalWcs)],
    value: impl Fn(&TemporalWcs) -> Option<f64>,
) -> Result<Option<f64>, Failure> {
    let (mut tot, mut num) = (0.0, 0.0);
    for (c, w) in chunks {
        if let Some(v) = value(w) {
            let n = num_pixels_1d(&w.axis, true).map_err(|e| e.at(c))?;
            tot += v * n;
            num += n;
        }
    }
    Ok((tot > 0.0 && num > 0.0).then(|| tot / num))
}
