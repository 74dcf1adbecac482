//! The plane polygon of the reference compute: the convex hull of every chunk polygon, made
//! in the chart of a [`CartesianTransform`] with a Graham scan, smoothed, rotated back and
//! ordered counter-clockwise in the CAOM sense (compute.md §5.4–§5.8).
//!
//! ```
//! use astro::hull::convex_hull;
//! use caom2::{MultiPolygon, Point};
//!
//! let square = MultiPolygon::from_points(&[
//!     Point::new(20.0, 10.0),
//!     Point::new(21.0, 10.0),
//!     Point::new(21.0, 11.0),
//!     Point::new(20.0, 11.0),
//! ]);
//! let hull = convex_hull(&square)?;
//! assert_eq!(hull.points.len(), 4);
//! // the samples keep the chunk polygons as given
//! assert_eq!(hull.samples, square);
//! # Ok::<(), astro::hull::HullError>(())
//! ```

use caom2::geometry::{self, CartesianTransform, PolygonError};
use caom2::{MultiPolygon, Point, Polygon, SegmentType};
use std::cmp::Ordering;
use std::f64::consts::PI;

/// Why no hull could be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HullError {
    /// A vertex with a NaN or infinite coordinate (the reference's IllegalArgumentException).
    #[error("invalid point for the convex hull: ({0}, {1})")]
    InvalidPoint(f64, f64),
    /// The hull failed the Polygon rules (the reference's IllegalPolygonException).
    #[error(transparent)]
    Polygon(#[from] PolygonError),
}

/// Angle tolerance of the collinear merge: about 3 degrees.
pub const COLINEAR_TOLERANCE: f64 = 0.05;
/// Short segments are collapsed below this fraction of the polygon's size (then ×10, ×100…).
pub const SHORT_SEGMENT_FRACTION: f64 = 1.0e-3;

/// `PolygonUtil.getOuterHull` = `getConvexHull`: the hull of all non-CLOSE vertices of
/// `composite` (one or more loops), with `composite` kept as the samples.
pub fn convex_hull(composite: &MultiPolygon) -> Result<Polygon, HullError> {
    let transform = CartesianTransform::for_multipolygon(composite);
    let chart: Vec<Point> = composite
        .vertices
        .iter()
        .filter(|v| v.segment != SegmentType::Close)
        .map(|v| transform.apply(Point::new(v.cval1, v.cval2)))
        .collect();
    let mut hull = graham_scan(&chart)?;
    smooth(&mut hull);
    let back: Vec<Point> = hull.iter().map(|p| transform.apply_inverse(*p)).collect();
    let ccw = geometry::polygon_properties(&back).ccw;
    let points = if ccw {
        back
    } else {
        back.into_iter().rev().collect()
    };
    let polygon = Polygon {
        points,
        samples: composite.clone(),
    };
    geometry::validate_polygon(&polygon)?;
    Ok(polygon)
}

/// A point of the scan: −0.0 normalised to +0.0 (as `SortablePoint2D` does), finite.
fn sortable(p: Point) -> Result<Point, HullError> {
    if !(p.cval1.is_finite() && p.cval2.is_finite()) {
        return Err(HullError::InvalidPoint(p.cval1, p.cval2));
    }
    // adding +0.0 turns −0.0 into +0.0 and leaves everything else unchanged
    Ok(Point::new(p.cval1 + 0.0, p.cval2 + 0.0))
}

/// The orientation of the turn a → b → c: +1 counter-clockwise (mathematical sense), −1
/// clockwise, 0 collinear.
fn ccw(a: Point, b: Point, c: Point) -> i32 {
    let area2 =
        (b.cval1 - a.cval1) * (c.cval2 - a.cval2) - (b.cval2 - a.cval2) * (c.cval1 - a.cval1);
    if area2 < 0.0 {
        -1
    } else if area2 > 0.0 {
        1
    } else {
        0
    }
}

/// By y, then x.
fn natural_order(a: &Point, b: &Point) -> Ordering {
    if a.cval2 < b.cval2 {
        Ordering::Less
    } else if a.cval2 > b.cval2 {
        Ordering::Greater
    } else if a.cval1 < b.cval1 {
        Ordering::Less
    } else if a.cval1 > b.cval1 {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Polar order around `p0`; ties are not broken by distance.
fn polar_order(p0: Point, q1: &Point, q2: &Point) -> Ordering {
    let (dx1, dy1) = (q1.cval1 - p0.cval1, q1.cval2 - p0.cval2);
    let (dx2, dy2) = (q2.cval1 - p0.cval1, q2.cval2 - p0.cval2);
    if dy1 >= 0.0 && dy2 < 0.0 {
        Ordering::Less
    } else if dy2 >= 0.0 && dy1 < 0.0 {
        Ordering::Greater
    } else if dy1 == 0.0 && dy2 == 0.0 {
        if dx1 >= 0.0 && dx2 < 0.0 {
            Ordering::Less
        } else if dx2 >= 0.0 && dx1 < 0.0 {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    } else {
        match -ccw(p0, *q1, *q2) {
            x if x < 0 => Ordering::Less,
            0 => Ordering::Equal,
            _ => Ordering::Greater,
        }
    }
}

/// A stable merge sort that never panics, whatever the comparator does. (The standard
/// library's sort may panic on a comparator that is not a total order, which polar order
/// with round-off is not guaranteed to be.) For consistent comparators it orders exactly as
/// any stable sort, Java's included.
pub(crate) fn stable_sort_by<T: Copy>(v: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    let n = v.len();
    if n < 2 {
        return;
    }
    if n <= 16 {
        for i in 1..n {
            let x = v[i];
            let mut j = i;
            while j > 0 && cmp(&x, &v[j - 1]) == Ordering::Less {
                v[j] = v[j - 1];
                j -= 1;
            }
            v[j] = x;
        }
        return;
    }
    let mid = n / 2;
    stable_sort_by(&mut v[..mid], cmp);
    stable_sort_by(&mut v[mid..], cmp);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        // take from the right only when strictly smaller: keeps equal elements in order
        if cmp(&v[j], &v[i]) == Ordering::Less {
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&merged);
}

/// The Graham scan of `GrahamScan` (algs4): the hull counter-clockwise in the mathematical
/// sense, starting at the lowest (then leftmost) point. Collinear points are dropped; a
/// duplicate of a hull vertex can survive, as in the reference.
pub fn graham_scan(input: &[Point]) -> Result<Vec<Point>, HullError> {
    let mut points: Vec<Point> = input
        .iter()
        .map(|p| sortable(*p))
        .collect::<Result<_, _>>()?;
    let n = points.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    stable_sort_by(&mut points, &mut natural_order);
    let p0 = points[0];
    stable_sort_by(&mut points[1..], &mut |a, b| polar_order(p0, a, b));
    let mut hull = vec![p0];
    let Some(k1) = (1..n).find(|&k| points[k] != p0) else {
        return Ok(hull);
    };
    let k2 = (k1 + 1..n)
        .find(|&k| ccw(p0, points[k1], points[k]) != 0)
        .unwrap_or(n);
    hull.push(points[k2 - 1]);
    for &p in &points[k2..] {
        let Some(mut top) = hull.pop() else { break };
        while let Some(&peek) = hull.last() {
            if ccw(peek, top, p) > 0 {
                break;
            }
            match hull.pop() {
                Some(t) => top = t,
                None => break,
            }
        }
        hull.push(top);
        hull.push(p);
    }
    Ok(hull)
}

/// `PolygonUtil.smooth` on one loop (in the transformed chart): merge nearly collinear
/// segments, collapse short ones, until the vertex count is stable.
pub fn smooth(points: &mut Vec<Point>) {
    let mut size: Option<f64> = None;
    let mut prev = points.len() + 1;
    loop {
        merge_colinear(points, COLINEAR_TOLERANCE);
        collapse_short(points, SHORT_SEGMENT_FRACTION, &mut size);
        merge_colinear(points, COLINEAR_TOLERANCE);
        let cur = points.len() + 1;
        if cur == prev {
            break;
        }
        prev = cur;
    }
}

type Seg = (Point, Point);

fn segments(points: &[Point]) -> Vec<Seg> {
    let n = points.len();
    (0..n).map(|i| (points[i], points[(i + 1) % n])).collect()
}

fn rebuild(segs: &[Seg]) -> Vec<Point> {
    segs.iter().map(|s| s.0).collect()
}

/// Directions that differ by about 0, π or 2π (a spike included) count as collinear.
fn colinear(ab: &Seg, bc: &Seg, tol: f64) -> bool {
    let a1 = (ab.1.cval2 - ab.0.cval2).atan2(ab.1.cval1 - ab.0.cval1);
    let a2 = (bc.1.cval2 - bc.0.cval2).atan2(bc.1.cval1 - bc.0.cval1);
    let mut d = (a2 - a1).abs();
    if d <= tol {
        return true;
    }
    while d > 0.0 {
        d -= PI;
        if d.abs() <= tol {
            return true;
        }
    }
    false
}

/// `mergeColinear`: with more than 4 segments, join consecutive nearly collinear ones.
fn merge_colinear(points: &mut Vec<Point>, tol: f64) {
    // at most 4 vertices counting the closing one
    if points.len() < 4 {
        return;
    }
    let mut segs = segments(points);
    let mut changed = true;
    while segs.len() > 4 && changed {
        changed = false;
        let mut i: isize = 0;
        while (i as usize) < segs.len() {
            let iu = i as usize;
            let size = segs.len();
            let next = (iu + 1) % size;
            let (ab, bc) = (segs[iu], segs[next]);
            if size > 4 && colinear(&ab, &bc, tol) {
                segs[iu] = (ab.0, bc.1);
                segs.remove(next);
                i -= 1;
                changed = true;
            }
            i += 1;
        }
    }
    *points = rebuild(&segs);
}

fn length(s: &Seg) -> f64 {
    let dx = s.1.cval1 - s.0.cval1;
    let dy = s.1.cval2 - s.0.cval2;
    (dx * dx + dy * dy).sqrt()
}

/// `collapseShort`: with more than 5 vertices, replace segments shorter than
/// `rsl × size × frac` by their midpoint, for growing `frac`. The polygon's size is taken
/// the first time and kept (the reference caches it on the object).
fn collapse_short(points: &mut Vec<Point>, rsl: f64, size: &mut Option<f64>) {
    // at most 5 vertices counting the closing one
    if points.len() < 5 {
        return;
    }
    let size = *size.get_or_insert_with(|| geometry::polygon_properties(points).size);
    let tol = rsl * size;
    let mut segs = segments(points);
    let mut frac = 1.0e-4;
    let mut changed = true;
    while frac <= 1.0 || changed {
        changed = false;
        frac *= 10.0;
        let mut i: isize = 0;
        while (i as usize) < segs.len() {
            let iu = i as usize;
            let last = segs.len() - 1;
            let n1 = if iu == 0 { last } else { iu - 1 };
            let n3 = if iu == last { 0 } else { iu + 1 };
            let (ab, bc, cd) = (segs[n1], segs[iu], segs[n3]);
            if segs.len() > 4 && length(&bc) < tol * frac {
                let m = Point::new(
                    (bc.0.cval1 + bc.1.cval1) / 2.0,
                    (bc.0.cval2 + bc.1.cval2) / 2.0,
                );
                segs[n1] = (ab.0, m);
                segs[n3] = (m, cd.1);
                segs.remove(iu);
                i -= 1;
                changed = true;
            }
            i += 1;
        }
        if frac > 1e300 {
            // a polygon whose segments all keep collapsing would loop forever on NaN sizes
            break;
        }
    }
    *points = rebuild(&segs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(graham_scan(&[]).unwrap().is_empty());
        let p = Point::new(1.0, 1.0);
        assert_eq!(graham_scan(&[p, p, p]).unwrap(), vec![p]);
        assert!(matches!(
            graham_scan(&[p, Point::new(f64::NAN, 0.0)]),
            Err(HullError::InvalidPoint(..))
        ));
        // one point three times: a one-point "hull", which the polygon rules reject
        let dot = MultiPolygon::from_points(&[p, p, p]);
        assert!(matches!(
            convex_hull(&dot),
            Err(HullError::Polygon(PolygonError::TooFewPoints(1)))
        ));
        assert!(convex_hull(&MultiPolygon::default()).is_err());
    }

    #[test]
    fn sort_is_stable_and_total_on_any_comparator() {
        let mut v: Vec<(i32, usize)> = (0..100).map(|i| ((i * 37 % 10) as i32, i)).collect();
        stable_sort_by(&mut v, &mut |a, b| a.0.cmp(&b.0));
        assert!(v
            .windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)));
        // an inconsistent comparator gives some order, not a panic
        let mut w: Vec<u32> = (0..200).collect();
        let mut flip = false;
        stable_sort_by(&mut w, &mut |_, _| {
            flip = !flip;
            if flip {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        });
        assert_eq!(w.len(), 200);
    }
}
