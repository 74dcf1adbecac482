//! Plane.polarization from chunk PolarizationWCS (compute.md §8): the states named by the
//! FITS STOKES codes of every used chunk, and the pixel count.

use super::axis::{num_pixels_1d, pix2val};
use super::{Failure, FailureKind, UsedChunk};
use caom2::{CoordFunction1D, CoordRange1D, Polarization, PolarizationState, PolarizationWcs};

/// `PolarizationUtil.compute` over the used chunks.
pub fn compute(chunks: &[UsedChunk<'_>]) -> Result<Polarization, Failure> {
    let mut states: Vec<PolarizationState> = Vec::new();
    let mut num_pixels: i32 = 0;
    for c in chunks {
        let Some(w) = &c.chunk.polarization else {
            continue;
        };
        // Java `int += double`: the sum is truncated (saturating) after every chunk
        let n = num_pixels_1d(&w.axis, true).map_err(|e| e.at(c))?;
        num_pixels = (f64::from(num_pixels) + n) as i32;
        for s in chunk_states(w).map_err(|e| e.at(c))? {
            if !states.contains(&s) {
                states.push(s);
            }
        }
    }
    if states.is_empty() {
        return Ok(Polarization::default());
    }
    states.sort();
    Ok(Polarization {
        states,
        dimension: Some(i64::from(num_pixels)),
    })
}

fn state(code: i32) -> Result<PolarizationState, Failure> {
    PolarizationState::from_fits_code(code).ok_or_else(|| {
        Failure::new(
            FailureKind::IllegalArgument,
            format!("invalid polarization code: {code}"),
        )
    })
}

/// Every code `(int) start.val ..= (int) end.val`. Valid codes form runs of at most ten, so
/// a wide range fails within a few steps.
fn range_states(r: &CoordRange1D, out: &mut Vec<PolarizationState>) -> Result<(), Failure> {
    let (start, end) = (r.start.val as i32, r.end.val as i32);
    for code in i64::from(start)..=i64::from(end) {
        let s = state(code as i32)?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(())
}

/// Codes `(int) pix2val(i)` at the pixel centres i = 1..naxis. The code is monotone in i,
/// so runs of equal codes are skipped by bisection: a huge naxis costs a few dozen steps.
fn function_states(f: &CoordFunction1D, out: &mut Vec<PolarizationState>) -> Result<(), Failure> {
    if f.naxis < 1 {
        return Ok(());
    }
    let code = |i: i64| pix2val(f, i as f64) as i32;
    let mut i = 1;
    loop {
        let c = code(i);
        let s = state(c)?;
        if !out.contains(&s) {
            out.push(s);
        }
        let (mut lo, mut hi) = (i, f.naxis);
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2;
            if code(mid) == c {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo >= f.naxis {
            return Ok(());
        }
        i = lo + 1;
    }
}

/// The states of one chunk, from the first of range, bounds and function.
pub fn chunk_states(w: &PolarizationWcs) -> Result<Vec<PolarizationState>, Failure> {
    let mut out = Vec::new();
    let axis = &w.axis;
    if let Some(r) = &axis.range {
        range_states(r, &mut out)?;
    } else if let Some(b) = &axis.bounds {
        for r in &b.samples {
            range_states(r, &mut out)?;
        }
    } else if let Some(f) = &axis.function {
        function_states(f, &mut out)?;
    }
    Ok(out)
}
