//! Pixel counts, pixel scales and linear pixel ↔ value of chunk axes (compute.md §4.1–§4.3).

use super::interval::{interval, merge_into_list};
use super::Failure;
use caom2::{CoordAxis1D, CoordAxis2D, CoordFunction1D, CoordFunction2D, Interval};

/// `numPixels1D(axis, useFunction)`: the range's pixel span; else the union of the bounds
/// samples' pixel spans; else (if allowed) the function's naxis; else 0. A bounds sample
/// whose end pixel is below its start is an error, as in the reference.
pub fn num_pixels_1d(axis: &CoordAxis1D, use_function: bool) -> Result<f64, Failure> {
    if let Some(r) = &axis.range {
        return Ok((r.end.pix - r.start.pix).abs());
    }
    if let Some(b) = &axis.bounds {
        let mut merged: Vec<Interval> = Vec::new();
        for s in &b.samples {
            merge_into_list(interval(s.start.pix, s.end.pix)?, &mut merged, 0.0);
        }
        return Ok(merged.iter().map(|i| i.upper - i.lower).sum());
    }
    if use_function {
        if let Some(f) = &axis.function {
            return Ok(f.naxis as f64);
        }
    }
    Ok(0.0)
}

/// `numPixels2D(axis)`: the range's pixel area, else the function's naxis1 × naxis2, else 0
/// (bounds alone count no pixels).
pub fn num_pixels_2d(axis: &CoordAxis2D) -> f64 {
    if let Some(r) = &axis.range {
        let dx = r.end.coord1.pix - r.start.coord1.pix;
        let dy = r.end.coord2.pix - r.start.coord2.pix;
        return (dx * dy).abs();
    }
    if let Some(f) = &axis.function {
        return (f.dimension.naxis1 as f64 * f.dimension.naxis2 as f64).abs();
    }
    0.0
}

/// The mean pixel scale of a 2-D axis in its world units: from the range, else the
/// function, else 0.
pub fn pixel_scale(axis: &CoordAxis2D) -> f64 {
    if let Some(r) = &axis.range {
        let xs = ((r.end.coord1.val - r.start.coord1.val)
            / (r.end.coord1.pix - r.start.coord1.pix))
            .abs();
        let ys = ((r.end.coord2.val - r.start.coord2.val)
            / (r.end.coord2.pix - r.start.coord2.pix))
            .abs();
        return (xs + ys) / 2.0;
    }
    if let Some(f) = &axis.function {
        return function_pixel_scale(f);
    }
    0.0
}

/// `(√(cd11² + cd21²) + √(cd12² + cd22²)) / 2`.
pub fn function_pixel_scale(f: &CoordFunction2D) -> f64 {
    let s1 = (f.cd11 * f.cd11 + f.cd21 * f.cd21).sqrt();
    let s2 = (f.cd12 * f.cd12 + f.cd22 * f.cd22).sqrt();
    (s1 + s2) / 2.0
}

/// `refCoord.val + delta × (p − refCoord.pix)`.
pub fn pix2val(f: &CoordFunction1D, p: f64) -> f64 {
    f.ref_coord.val + f.delta * (p - f.ref_coord.pix)
}

/// `refCoord.pix + (v − refCoord.val) / delta`.
pub fn val2pix(f: &CoordFunction1D, v: f64) -> f64 {
    f.ref_coord.pix + (v - f.ref_coord.val) / f.delta
}
