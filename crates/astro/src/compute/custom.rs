//! Plane.custom from chunk CustomWCS (compute.md §9; Java and Python `CustomAxisUtil`):
//! Faraday depth / rotation measure bounds and dimension.

use super::axis::{num_pixels_1d, pix2val, val2pix};
use super::energy::positive_long;
use super::interval::{interval, merge_into_list, sampled_interval, UNION_SCALE};
use super::time::{zero_width_function, zero_width_range};
use super::{Failure, FailureKind, UsedChunk};
use caom2::{CustomAxis, CustomWcs, Interval, SampledInterval};

/// The CTYPEs the reference supports, with their unit.
const SUPPORTED: [(&str, &str); 2] = [("FARADAY", "rad/m**2"), ("RM", "rad/m**2")];

/// `CustomAxisUtil.compute`: None when no used chunk has a custom axis. Unlike the
/// reference, used chunks without a custom axis are skipped rather than failing with a
/// NullPointerException.
pub fn compute(chunks: &[UsedChunk<'_>]) -> Result<Option<CustomAxis>, Failure> {
    let with_custom: Vec<(&UsedChunk<'_>, &CustomWcs)> = chunks
        .iter()
        .filter_map(|c| c.chunk.custom.as_ref().map(|w| (c, w)))
        .collect();
    let Some(ctype) = common_ctype(&with_custom)? else {
        return Ok(None);
    };
    let mut samples = Vec::new();
    for (c, w) in &with_custom {
        for i in chunk_intervals(w).map_err(|e| e.at(c))? {
            merge_into_list(i, &mut samples, UNION_SCALE);
        }
    }
    let bounds = sampled_interval(samples)?;
    let mut num = 0.0;
    for (c, w) in &with_custom {
        num += num_pixels_1d(&w.axis, false).map_err(|e| e.at(c))?;
    }
    let dimension = match positive_long(num) {
        Some(d) => Some(d),
        None => dimension_from_wcs(bounds.as_ref(), &with_custom),
    };
    Ok(Some(CustomAxis {
        ctype,
        bounds,
        dimension,
    }))
}

fn common_ctype(chunks: &[(&UsedChunk<'_>, &CustomWcs)]) -> Result<Option<String>, Failure> {
    let mut first: Option<&str> = None;
    for (c, w) in chunks {
        let current = w.axis.axis.ctype.as_str();
        match first {
            None => {
                if !SUPPORTED.iter().any(|(t, _)| *t == current) {
                    return Err(Failure::new(
                        FailureKind::IllegalArgument,
                        format!("Unsupported CTYPE: {current}"),
                    )
                    .at(c));
                }
                first = Some(current);
            }
            Some(f) if f != current => {
                return Err(Failure::new(
                    FailureKind::IllegalArgument,
                    format!(
                        "CTYPE must be the same across all Artifacts. Found: {current} and {f}"
                    ),
                )
                .at(c));
            }
            Some(_) => {}
        }
    }
    Ok(first.map(str::to_string))
}

/// The CTYPE/CUNIT rule applied before each conversion (`^` read as `**`).
pub fn check_wcs(w: &CustomWcs) -> Result<(), Failure> {
    let ctype = w.axis.axis.ctype.as_str();
    let Some((_, unit)) = SUPPORTED.iter().find(|(t, _)| *t == ctype) else {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!("Invalid CTYPE: {ctype}"),
        ));
    };
    let raw = w.axis.axis.cunit.as_deref().unwrap_or("null");
    let normalised = raw.replace('^', "**");
    if normalised != *unit {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!(
                "Invalid CUNIT for CTYPE: {ctype}. Expected: {unit}. Found: {normalised} (normalized, raw: {raw})"
            ),
        ));
    }
    Ok(())
}

fn raw_interval(a: f64, b: f64) -> Result<Interval, Failure> {
    if !(a.is_finite() && b.is_finite()) {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!("custom axis values [{a}, {b}] are not finite"),
        ));
    }
    interval(a.min(b), a.max(b))
}

/// The chunk's raw intervals from the first of range, bounds and function.
pub fn chunk_intervals(w: &CustomWcs) -> Result<Vec<Interval>, Failure> {
    let axis = &w.axis;
    if let Some(r) = &axis.range {
        check_wcs(w)?;
        zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
        return Ok(vec![raw_interval(r.start.val, r.end.val)?]);
    }
    if let Some(b) = &axis.bounds {
        let mut out = Vec::new();
        for r in &b.samples {
            check_wcs(w)?;
            zero_width_range(r.start.pix, r.end.pix, r.start.val, r.end.val)?;
            out.push(raw_interval(r.start.val, r.end.val)?);
        }
        return Ok(out);
    }
    if let Some(f) = &axis.function {
        check_wcs(w)?;
        zero_width_function(f.naxis, f.delta)?;
        return Ok(vec![raw_interval(
            pix2val(f, 0.5),
            pix2val(f, f.naxis as f64 + 0.5),
        )?]);
    }
    Ok(Vec::new())
}

fn dimension_from_wcs(
    bounds: Option<&SampledInterval>,
    chunks: &[(&UsedChunk<'_>, &CustomWcs)],
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
                chosen = Some(f);
            }
        }
    }
    let f = chosen?;
    if num == 1 {
        return Some(f.naxis);
    }
    Some(
        (val2pix(f, bounds.upper) - val2pix(f, bounds.lower))
            .abs()
            .round() as i64,
    )
}
