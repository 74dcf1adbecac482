//! Plane.position from chunk SpatialWCS (compute.md §5): the ICRS polygon of every used
//! chunk, their convex hull, the dimension, resolution, sample size and time dependence.

use super::axis::{function_pixel_scale, num_pixels_2d, pixel_scale};
use super::wcslib;
use super::{Failure, FailureKind, UsedChunk};
use crate::frames;
use crate::hull::{self, HullError};
use caom2::geometry::{self, NativePolygon, PolygonProperties};
use caom2::{
    Circle, CoordBounds2D, Dimension2D, MultiPolygon, Point, Position, SegmentType, Shape,
    SpatialWcs,
};

/// Chunks whose function footprint covers more than this (square degrees) are taken to
/// have a broken WCS (`PositionUtil.MAX_SANE_AREA`).
pub const MAX_SANE_AREA: f64 = 250.0;

/// `PositionUtil.compute` over the used chunks.
pub fn compute(chunks: &[UsedChunk<'_>]) -> Result<Position, Failure> {
    let with_position: Vec<(&UsedChunk<'_>, &SpatialWcs)> = chunks
        .iter()
        .filter_map(|c| c.chunk.position.as_ref().map(|w| (c, w)))
        .collect();
    let bounds = bounds(&with_position)?;
    let dimension = match dimension_from_range(&with_position) {
        Some(d) => Some(d),
        None => dimension_from_wcs(bounds.as_ref(), &with_position)?,
    };
    Ok(Position {
        bounds,
        dimension,
        resolution: resolution(&with_position),
        resolution_bounds: None,
        sample_size: sample_size(&with_position),
        time_dependent: time_dependent(&with_position),
    })
}

fn polygon_failure(e: impl ToString) -> Failure {
    Failure::new(FailureKind::Polygon, e.to_string())
}

/// A chunk polygon in its native frame, validated, with the properties the reference caches
/// then.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeFootprint {
    pub polygon: MultiPolygon,
    pub properties: PolygonProperties,
}

/// `toPolygon(wcs, swappedAxes)`: from the bounds polygon, the bounds circle, the function
/// (its pixel corners through WCSLIB) or the range, in that order; swapped if asked,
/// range-reduced and validated. None when the axis has none of them.
pub fn native_polygon(
    wcs: &SpatialWcs,
    swapped_axes: bool,
) -> Result<Option<NativeFootprint>, Failure> {
    let axis = &wcs.axis;
    let polygon = match geometry::native_polygon(axis, swapped_axes) {
        NativePolygon::Built(p) => p,
        NativePolygon::Missing => return Ok(None),
        NativePolygon::Function => {
            let Some(f) = &axis.function else {
                return Ok(None);
            };
            let map = wcslib::spatial(f, &axis.axis1, &axis.axis2)?;
            let (n1, n2) = (
                f.dimension.naxis1 as f64 + 0.5,
                f.dimension.naxis2 as f64 + 0.5,
            );
            let world = map.pixels_to_world(&[0.5, 0.5, n1, 0.5, n1, n2, 0.5, n2])?;
            let corners: Vec<Point> = world
                .chunks_exact(2)
                .map(|c| Point::new(c[0], c[1]))
                .collect();
            let mut p = MultiPolygon::from_points(&corners);
            geometry::swap_and_reduce(&mut p, swapped_axes);
            p
        }
    };
    let properties = geometry::validate_multipolygon(&polygon).map_err(polygon_failure)?;
    Ok(Some(NativeFootprint {
        polygon,
        properties,
    }))
}

/// A chunk polygon converted to ICRS, with the properties cached before the conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct IcrsFootprint {
    pub polygon: MultiPolygon,
    pub native_properties: PolygonProperties,
}

/// `toICRSPolygon`: None for an unsupported coordinate system or no footprint. The centre
/// and area checks use the native-frame values, as the reference does.
pub fn icrs_polygon(wcs: &SpatialWcs) -> Result<Option<IcrsFootprint>, Failure> {
    let axis = &wcs.axis;
    let cs = geometry::infer_coordsys(
        &axis.axis1.ctype,
        &axis.axis2.ctype,
        wcs.coordsys.as_deref(),
        wcs.equinox,
    );
    if !cs.supported {
        return Ok(None);
    }
    let Some(NativeFootprint {
        mut polygon,
        properties,
    }) = native_polygon(wcs, cs.swapped_axes)?
    else {
        return Ok(None);
    };
    let convert: fn(f64, f64) -> (f64, f64) = match cs.name.as_deref() {
        Some("GAL") => frames::gal2fk5,
        Some("FK4") => frames::fk425,
        Some("ICRS") | Some("FK5") => |a, b| (a, b),
        other => {
            return Err(Failure::new(
                FailureKind::IllegalArgument,
                format!("unexpected coordsys: {}", other.unwrap_or("null")),
            ))
        }
    };
    for v in polygon
        .vertices
        .iter_mut()
        .filter(|v| v.segment != SegmentType::Close)
    {
        let (a, b) = convert(v.cval1, v.cval2);
        v.cval1 = a;
        v.cval2 = b;
    }
    let c = properties.center;
    if c.cval1.is_nan() || c.cval2.is_nan() {
        return Err(polygon_failure(format!(
            "computed polygon has invalid center: [{}, {}]",
            j(c.cval1),
            j(c.cval2)
        )));
    }
    if axis.function.is_some() && axis.bounds.is_none() && properties.area > MAX_SANE_AREA {
        return Err(polygon_failure(format!(
            "area too large: {} sq. deg. -- assuming invalid WCS",
            j(properties.area)
        )));
    }
    Ok(Some(IcrsFootprint {
        polygon,
        native_properties: properties,
    }))
}

fn j(x: f64) -> String {
    caom2::java::double_to_string(x)
}

/// `computeBounds`: a lone circular chunk gives its circle (as given, no frame conversion);
/// otherwise the convex hull of every chunk's ICRS polygon.
fn bounds(chunks: &[(&UsedChunk<'_>, &SpatialWcs)]) -> Result<Option<Shape>, Failure> {
    if let [(c, w)] = chunks {
        if let Some(CoordBounds2D::Circle(circle)) = &w.axis.bounds {
            if circle.radius.is_nan() || circle.radius <= 0.0 {
                return Err(Failure::new(
                    FailureKind::IllegalArgument,
                    format!("Circle radius must be > 0, found {}", j(circle.radius)),
                )
                .at(c));
            }
            return Ok(Some(Shape::Circle(Circle {
                center: Point::new(circle.center.coord1, circle.center.coord2),
                radius: circle.radius,
            })));
        }
    }
    let polygons = super::par_map(chunks, |(c, w)| icrs_polygon(w).map_err(|e| e.at(c)));
    let mut composite = MultiPolygon::default();
    for p in polygons {
        if let Some(p) = p? {
            composite.vertices.extend(p.polygon.vertices);
        }
    }
    if composite.vertices.is_empty() {
        return Ok(None);
    }
    match hull::convex_hull(&composite) {
        Ok(p) => Ok(Some(Shape::Polygon(p))),
        Err(HullError::InvalidPoint(..)) => Err(Failure::new(
            FailureKind::IllegalArgument,
            "the chunk polygons have a vertex that is not a finite number".to_string(),
        )),
        Err(HullError::Polygon(e)) => Err(polygon_failure(e)),
    }
}

/// `dimensionFromRange`: the pixel extent of all chunk ranges.
fn dimension_from_range(chunks: &[(&UsedChunk<'_>, &SpatialWcs)]) -> Option<Dimension2D> {
    let (mut x1, mut x2, mut y1, mut y2) = (f64::MAX, -f64::MAX, f64::MAX, -f64::MAX);
    let mut any = false;
    for (_, w) in chunks {
        if let Some(r) = &w.axis.range {
            any = true;
            let (a, b) = (r.start.coord1.pix, r.end.coord1.pix);
            x1 = x1.min(a.min(b));
            x2 = x2.max(a.max(b));
            let (a, b) = (r.start.coord2.pix, r.end.coord2.pix);
            y1 = y1.min(a.min(b));
            y2 = y2.max(a.max(b));
        }
    }
    any.then(|| Dimension2D {
        naxis1: (x2 - x1).abs() as i64,
        naxis2: (y2 - y1).abs() as i64,
    })
}

/// `dimensionFromWCS`: one function chunk gives its naxis; several give the pixel extent of
/// the plane bounds in the finest function's pixel grid (pixels truncated toward zero).
fn dimension_from_wcs(
    bounds: Option<&Shape>,
    chunks: &[(&UsedChunk<'_>, &SpatialWcs)],
) -> Result<Option<Dimension2D>, Failure> {
    let Some(bounds) = bounds else {
        return Ok(None);
    };
    let mut num = 0;
    let mut best = 0.0;
    let mut chosen = None;
    for (c, w) in chunks {
        if let Some(f) = &w.axis.function {
            num += 1;
            let s = function_pixel_scale(f);
            if s >= best {
                best = s;
                chosen = Some((*c, *w, f));
            }
        }
    }
    let Some((c, w, f)) = chosen else {
        return Ok(None);
    };
    if num == 1 {
        return Ok(Some(f.dimension));
    }
    let points: Vec<Point> = match bounds {
        Shape::Polygon(p) => p.points.clone(),
        Shape::Circle(circle) => geometry::circle_to_polygon(circle.center, circle.radius)
            .vertices
            .iter()
            .filter(|v| v.segment != SegmentType::Close)
            .map(|v| Point::new(v.cval1, v.cval2))
            .collect(),
    };
    let axis = &w.axis;
    let cs = geometry::infer_coordsys(
        &axis.axis1.ctype,
        &axis.axis2.ctype,
        w.coordsys.as_deref(),
        w.equinox,
    );
    let Some(name) = cs.name.as_deref() else {
        return Err(Failure::new(
            FailureKind::IllegalArgument,
            "the chosen chunk's coordinate system is unknown: cannot map the bounds to its pixels"
                .to_string(),
        )
        .at(c));
    };
    let mut world = Vec::with_capacity(points.len() * 2);
    for p in &points {
        let (mut a, mut b) = (p.cval1, p.cval2);
        if cs.swapped_axes {
            std::mem::swap(&mut a, &mut b);
        }
        let (a, b) = match name {
            "GAL" => frames::fk52gal(a, b),
            "FK4" => frames::fk524(a, b),
            _ => (a, b),
        };
        world.extend([a, b]);
    }
    let map = wcslib::spatial(f, &axis.axis1, &axis.axis2).map_err(|e| e.at(c))?;
    let pix = map.world_to_pixels(&world).map_err(|e| e.at(c))?;
    let truncated: Vec<(i64, i64)> = pix
        .chunks_exact(2)
        .map(|p| (p[0] as i64, p[1] as i64))
        .collect();
    let px = truncated.iter().map(|p| p.0).min().unwrap_or(0);
    let py = truncated.iter().map(|p| p.1).min().unwrap_or(0);
    let ix = truncated
        .iter()
        .map(|p| p.0.saturating_sub(px).saturating_abs())
        .max()
        .unwrap_or(0);
    let iy = truncated
        .iter()
        .map(|p| p.1.saturating_sub(py).saturating_abs())
        .max()
        .unwrap_or(0);
    Ok(Some(Dimension2D {
        naxis1: ix,
        naxis2: iy,
    }))
}

/// Pixel-weighted mean of the chunk resolutions (arcsec); None unless both sums are > 0.
fn resolution(chunks: &[(&UsedChunk<'_>, &SpatialWcs)]) -> Option<f64> {
    let (mut tot, mut num) = (0.0, 0.0);
    for (_, w) in chunks {
        if let Some(r) = w.resolution {
            let n = num_pixels_2d(&w.axis);
            tot += r * n;
            num += n;
        }
    }
    (tot > 0.0 && num > 0.0).then(|| tot / num)
}

/// Pixel-weighted mean pixel scale in arcseconds; None unless both sums are > 0.
fn sample_size(chunks: &[(&UsedChunk<'_>, &SpatialWcs)]) -> Option<f64> {
    let (mut tot, mut num) = (0.0, 0.0);
    for (_, w) in chunks {
        let n = num_pixels_2d(&w.axis);
        tot += pixel_scale(&w.axis) * n;
        num += n;
    }
    (tot > 0.0 && num > 0.0).then(|| 3600.0 * tot / num)
}

/// True when a chunk's coordinate system moves with time (GAPPT, ecliptic,
/// helioecliptic); never false, as in the reference.
fn time_dependent(chunks: &[(&UsedChunk<'_>, &SpatialWcs)]) -> Option<bool> {
    chunks
        .iter()
        .any(|(_, w)| {
            geometry::infer_coordsys(
                &w.axis.axis1.ctype,
                &w.axis.axis2.ctype,
                w.coordsys.as_deref(),
                w.equinox,
            )
            .time_dependent
                == Some(true)
        })
        .then_some(true)
}
