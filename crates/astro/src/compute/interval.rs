//! Interval lists: the reference's merge with a relative tolerance (`Util.mergeIntoList`,
//! compute.md §4.4) and the SampledInterval it becomes (§4.5).

use super::{Failure, FailureKind};
use caom2::{Interval, SampledInterval};

/// Union tolerance of energy, time and custom bounds: intervals within 2 % of their own
/// width of each other merge.
pub const UNION_SCALE: f64 = 0.02;

/// Java's `Double.MIN_VALUE`: the smallest positive subnormal, the reference's initial
/// maximum (so all-negative values get an upper bound of 4.9e−324).
pub const JAVA_DOUBLE_MIN_VALUE: f64 = 4.9e-324;

/// Inserts `si` into the sorted list of disjoint intervals `samples`: every interval that
/// overlaps it (each padded by `union_scale` × its own width; touching counts) is taken out
/// and replaced, with `si`, by their envelope. The envelope is not re-tested against the
/// remaining intervals (the reference's merge is not transitive).
pub fn merge_into_list(si: Interval, samples: &mut Vec<Interval>, union_scale: f64) {
    let mut snew = si;
    if !samples.is_empty() {
        let f = union_scale * (si.upper - si.lower);
        let (a, b) = (si.lower - f, si.upper + f);
        let mut overlapping = Vec::new();
        samples.retain(|s1| {
            let g = union_scale * (s1.upper - s1.lower);
            let (c, d) = (s1.lower - g, s1.upper + g);
            let overlaps = !(b < c || d < a);
            if overlaps {
                overlapping.push(*s1);
            }
            !overlaps
        });
        if !overlapping.is_empty() {
            let (mut lb, mut ub) = (si.lower, si.upper);
            for s in &overlapping {
                lb = java_min(lb, s.lower);
                ub = java_max(ub, s.upper);
            }
            snew = Interval::new(lb, ub);
        }
    }
    let at = samples
        .iter()
        .position(|e| snew.lower < e.lower)
        .unwrap_or(samples.len());
    samples.insert(at, snew);
}

/// `Math.min`: NaN if either is NaN (Rust's `f64::min` ignores NaN).
pub(crate) fn java_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// `Math.max`: NaN if either is NaN.
pub(crate) fn java_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// `Interval(lower, upper)`: upper must not be below lower (NaN is refused too).
pub fn interval(lower: f64, upper: f64) -> Result<Interval, Failure> {
    if lower.is_nan() || upper.is_nan() {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!(
                "invalid interval: bounds must be numbers, found [{}, {}]",
                j(lower),
                j(upper)
            ),
        ));
    }
    if upper < lower {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            format!(
                "invalid interval: upper bound {} < lower bound {}",
                j(upper),
                j(lower)
            ),
        ));
    }
    Ok(Interval::new(lower, upper))
}

/// The outer bounds of merged samples and the SampledInterval rules (§4.5); None for no
/// samples.
pub fn sampled_interval(samples: Vec<Interval>) -> Result<Option<SampledInterval>, Failure> {
    if samples.is_empty() {
        return Ok(None);
    }
    let mut lower = f64::MAX;
    let mut upper = JAVA_DOUBLE_MIN_VALUE;
    for s in &samples {
        lower = java_min(lower, s.lower);
        upper = java_max(upper, s.upper);
    }
    let bad = |why: String| Err(Failure::new(FailureKind::IllegalArgument, why));
    if lower.is_nan() || upper.is_nan() || upper < lower {
        return bad(format!(
            "invalid SampledInterval: upper bound {} < lower bound {}",
            j(upper),
            j(lower)
        ));
    }
    for (i, s) in samples.iter().enumerate() {
        if s.lower < lower || s.upper > upper {
            return bad(format!(
                "invalid SampledInterval: sample [{}, {}] outside [{}, {}]",
                j(s.lower),
                j(s.upper),
                j(lower),
                j(upper)
            ));
        }
        if i > 0 && s.lower <= samples[i - 1].upper {
            return bad(format!(
                "invalid SampledInterval: sample [{}, {}] does not follow [{}, {}]",
                j(s.lower),
                j(s.upper),
                j(samples[i - 1].lower),
                j(samples[i - 1].upper)
            ));
        }
    }
    Ok(Some(SampledInterval {
        lower,
        upper,
        samples,
    }))
}

fn j(x: f64) -> String {
    caom2::java::double_to_string(x)
}
