//! Planar and spherical geometry of CAOM polygons, done the way the Java reference (`caom2`
//! `types.CartesianTransform`, `MultiPolygon`, `Polygon`; `caom2-compute` `PositionUtil`) does
//! it, so that validation verdicts and computed footprints agree with the archive.
//!
//! * [`CartesianTransform`]: the rotation that moves a region onto the equator, away from
//!   longitude 0/360, so that planar (longitude, latitude) arithmetic is meaningful there;
//! * [`PolygonProperties`]: signed area, CAOM winding, centre and minimum spanning circle;
//! * [`validate_multipolygon`], [`validate_polygon`]: loop structure, segment intersection,
//!   coordinate ranges and the CAOM "counter-clockwise" rule, with the reference messages;
//! * [`infer_coordsys`], [`range_reduce`] and [`native_polygon`]: the chunk-footprint helpers
//!   that need no WCSLIB (a footprint built from a CD-matrix function needs it and is left to
//!   the crate that links WCSLIB).
//!
//! Everything here is pure arithmetic on plain data.
//!
//! ```
//! use caom2::geometry::{validate_polygon_points, PolygonError};
//! use caom2::Point;
//!
//! // RA grows to the left on the sky: this triangle runs counter-clockwise there
//! let ok = [Point::new(2.0, 2.0), Point::new(1.0, 4.0), Point::new(3.0, 3.0)];
//! assert!(validate_polygon_points(&ok).unwrap().ccw);
//! let cw = [Point::new(2.0, 2.0), Point::new(3.0, 3.0), Point::new(1.0, 4.0)];
//! assert_eq!(validate_polygon_points(&cw), Err(PolygonError::Clockwise));
//! ```

use crate::java;
use crate::shape::{Circle, MultiPolygon, Point, Polygon, Vertex};
use crate::vocabulary::SegmentType;
use crate::wcs::{CoordAxis2D, CoordBounds2D, CoordRange2D};
use std::f64::consts::PI;
use std::fmt;

/// Below this the segment test treats two segments as parallel (and, for the numerator, as
/// collinear); the reference value.
pub const PARALLEL_TOLERANCE: f64 = 1e-12;

/// The unit vector of a (longitude, latitude) in degrees.
pub fn to_unit_sphere(lon: f64, lat: f64) -> [f64; 3] {
    let theta = lon.to_radians();
    let phi = (90.0 - lat).to_radians();
    [theta.cos() * phi.sin(), theta.sin() * phi.sin(), phi.cos()]
}

/// The (longitude, latitude) in degrees of a unit vector; longitude in [0, 360).
pub fn to_long_lat(v: [f64; 3]) -> Point {
    let [x, y, z] = v;
    let mut lon = if (x == 0.0 && y == 0.0) || z == 1.0 || z == -1.0 {
        0.0
    } else {
        y.atan2(x).to_degrees()
    };
    if lon < 0.0 {
        lon += 360.0;
    }
    let z = z.clamp(-1.0, 1.0);
    Point::new(lon, 90.0 - z.acos().to_degrees())
}

/// Puts a latitude beyond a pole back on the sphere and a longitude into [0, 360], each
/// correction applied once (`PositionUtil.rangeReduce`): 730 becomes 370, not 10.
pub fn range_reduce(lon: f64, lat: f64) -> Point {
    let (mut lon, mut lat) = (lon, lat);
    if lat > 90.0 {
        lon += 180.0;
        lat = 180.0 - lat;
    }
    if lat < -90.0 {
        lon += 180.0;
        lat = -180.0 - lat;
    }
    if lon < 0.0 {
        lon += 360.0;
    }
    if lon > 360.0 {
        lon -= 360.0;
    }
    Point::new(lon, lat)
}

/// The extent of a set of unit vectors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingCube {
    pub x1: f64,
    pub x2: f64,
    pub y1: f64,
    pub y2: f64,
    pub z1: f64,
    pub z2: f64,
}

impl BoundingCube {
    /// The raw min/max of the unit vectors of `points`; None for no points.
    pub fn of_points(points: impl IntoIterator<Item = Point>) -> Option<BoundingCube> {
        let mut cube: Option<BoundingCube> = None;
        for p in points {
            let [x, y, z] = to_unit_sphere(p.cval1, p.cval2);
            cube = Some(match cube {
                None => BoundingCube {
                    x1: x,
                    x2: x,
                    y1: y,
                    y2: y,
                    z1: z,
                    z2: z,
                },
                Some(c) => BoundingCube {
                    x1: c.x1.min(x),
                    x2: c.x2.max(x),
                    y1: c.y1.min(y),
                    y2: c.y2.max(y),
                    z1: c.z1.min(z),
                    z2: c.z2.max(z),
                },
            });
        }
        cube
    }

    /// The raw cube of the non-CLOSE vertices of a MultiPolygon.
    pub fn of_multipolygon(poly: &MultiPolygon) -> Option<BoundingCube> {
        BoundingCube::of_points(non_close_points(poly))
    }

    /// Stretches the cube to the sphere's surface along an axis the points surround, so
    /// that its centre moves to that side (the three sequential reference adjustments).
    pub fn surrounding_axis_adjusted(self) -> BoundingCube {
        let mut c = self;
        if c.y1 < 0.0 && 0.0 < c.y2 && c.z1 < 0.0 && 0.0 < c.z2 {
            if c.x1 > 0.0 {
                c.x2 = 1.01;
            } else if c.x2 < 0.0 {
                c.x1 = -1.01;
            }
        }
        if c.x1 < 0.0 && 0.0 < c.x2 && c.z1 < 0.0 && 0.0 < c.z2 {
            if c.y1 > 0.0 {
                c.y2 = 1.01;
            } else if c.y2 < 0.0 {
                c.y1 = -1.01;
            }
        }
        if c.x1 < 0.0 && 0.0 < c.x2 && c.y1 < 0.0 && 0.0 < c.y2 {
            if c.z1 > 0.0 {
                c.z2 = 1.01;
            } else if c.z2 < 0.0 {
                c.z1 = -1.01;
            }
        }
        c
    }

    /// `[x1, x2, y1, y2, z1, z2]`.
    pub fn to_array(&self) -> [f64; 6] {
        [self.x1, self.x2, self.y1, self.y2, self.z1, self.z2]
    }
}

/// The Cartesian axis a [`CartesianTransform`] rotates about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RotationAxis {
    Y,
    Z,
}

/// A rotation of the sphere (or none) that brings a region to the equator, away from the
/// longitude wrap, where planar (longitude, latitude) geometry is a fair approximation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CartesianTransform {
    rotation: Option<(RotationAxis, f64)>,
}

impl CartesianTransform {
    /// The null transform: points pass unchanged (longitudes are not normalised).
    pub const IDENTITY: CartesianTransform = CartesianTransform { rotation: None };

    /// A rotation by `angle` radians about `axis`.
    pub fn rotation(axis: RotationAxis, angle: f64) -> CartesianTransform {
        CartesianTransform {
            rotation: Some((axis, angle)),
        }
    }

    pub fn axis(&self) -> Option<RotationAxis> {
        self.rotation.map(|(a, _)| a)
    }

    /// Radians; None for the null transform.
    pub fn angle(&self) -> Option<f64> {
        self.rotation.map(|(_, a)| a)
    }

    pub fn is_identity(&self) -> bool {
        self.rotation.is_none()
    }

    /// The transform for a region with this (already adjusted) bounding cube.
    pub fn from_cube(cube: &BoundingCube) -> CartesianTransform {
        let cx = 0.5 * (cube.x1 + cube.x2);
        let cz = 0.5 * (cube.z1 + cube.z2);
        if cz.abs() > 0.02 {
            // project the centre onto the X-Z plane and rotate it onto the equator
            let m = (cx * cx + cz * cz).sqrt();
            let ux = cx / m;
            let angle = if cz > 0.0 {
                ux.acos() + PI
            } else {
                (-ux).acos()
            };
            return CartesianTransform::rotation(RotationAxis::Y, angle);
        }
        if cube.y1 <= 0.0 && 0.0 <= cube.y2 && cube.x1 > 0.0 {
            // near the equator but across longitude 0: turn it to longitude 180
            return CartesianTransform::rotation(RotationAxis::Z, PI);
        }
        CartesianTransform::IDENTITY
    }

    /// `getTransform(MultiPolygon)`: from the adjusted cube of the non-CLOSE vertices.
    pub fn for_multipolygon(poly: &MultiPolygon) -> CartesianTransform {
        CartesianTransform::for_points(&non_close_points(poly).collect::<Vec<_>>())
    }

    /// `getTransform` of the polygon through `points`.
    pub fn for_points(points: &[Point]) -> CartesianTransform {
        match BoundingCube::of_points(points.iter().copied()) {
            Some(cube) => CartesianTransform::from_cube(&cube.surrounding_axis_adjusted()),
            None => CartesianTransform::IDENTITY,
        }
    }

    /// `getTransform(Circle)`: the degenerate cube of the centre alone, not adjusted.
    pub fn for_circle(center: Point) -> CartesianTransform {
        match BoundingCube::of_points([center]) {
            Some(cube) => CartesianTransform::from_cube(&cube),
            None => CartesianTransform::IDENTITY,
        }
    }

    /// The same axis with the opposite angle; the null transform is its own inverse.
    pub fn inverse(&self) -> CartesianTransform {
        CartesianTransform {
            rotation: self.rotation.map(|(axis, angle)| (axis, -angle)),
        }
    }

    pub fn apply(&self, p: Point) -> Point {
        let Some((axis, a)) = self.rotation else {
            return p;
        };
        let [x, y, z] = to_unit_sphere(p.cval1, p.cval2);
        let (cos, sin) = (a.cos(), a.sin());
        let r = match axis {
            RotationAxis::Y => [cos * x + sin * z, y, -sin * x + cos * z],
            RotationAxis::Z => [cos * x - sin * y, sin * x + cos * y, z],
        };
        to_long_lat(r)
    }

    pub fn apply_inverse(&self, p: Point) -> Point {
        self.inverse().apply(p)
    }

    /// Maps every non-CLOSE vertex and keeps the segment types; CLOSE vertices become (0, 0).
    pub fn apply_multipolygon(&self, poly: &MultiPolygon) -> MultiPolygon {
        if self.is_identity() {
            return poly.clone();
        }
        let vertices = poly
            .vertices
            .iter()
            .map(|v| match v.segment {
                SegmentType::Close => Vertex::new(0.0, 0.0, SegmentType::Close),
                seg => {
                    let p = self.apply(Point::new(v.cval1, v.cval2));
                    Vertex::new(p.cval1, p.cval2, seg)
                }
            })
            .collect();
        MultiPolygon { vertices }
    }

    pub fn apply_inverse_multipolygon(&self, poly: &MultiPolygon) -> MultiPolygon {
        self.inverse().apply_multipolygon(poly)
    }
}

fn non_close_points(poly: &MultiPolygon) -> impl Iterator<Item = Point> + '_ {
    poly.vertices
        .iter()
        .filter(|v| v.segment != SegmentType::Close)
        .map(|v| Point::new(v.cval1, v.cval2))
}

/// Area, winding, centre and size of a polygon, computed in the chart of its own
/// [`CartesianTransform`] (`MultiPolygon.computePolygonProperties`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PolygonProperties {
    /// ½ Σ (x_k·y_{k+1} − x_{k+1}·y_k) over all loops, in the transformed chart (square degrees).
    pub signed_area: f64,
    /// `|signed_area|`.
    pub area: f64,
    /// CAOM "counter-clockwise": a negative signed area, i.e. counter-clockwise on the sky
    /// with RA increasing to the left. This is the valid winding for plane polygons.
    pub ccw: bool,
    /// The area centroid.
    pub center: Point,
    /// The approximate minimum spanning circle (through the farthest pair of vertices); None
    /// when all vertices coincide.
    pub minimum_spanning_circle: Option<Circle>,
    /// The diameter of the minimum spanning circle (0 when there is none).
    pub size: f64,
}

/// The properties of a MultiPolygon; multi-loop polygons add the signed areas of their loops.
pub fn multipolygon_properties(poly: &MultiPolygon) -> PolygonProperties {
    let transform = CartesianTransform::for_multipolygon(poly);
    let t = transform.apply_multipolygon(poly);
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    let mut last_move = 0;
    for (k, v) in t.vertices.iter().enumerate() {
        if v.segment == SegmentType::Move {
            last_move = k;
            continue;
        }
        // an invalid polygon may not start with MOVE; such a vertex opens nothing to close
        let Some(v1) = k.checked_sub(1).and_then(|i| t.vertices.get(i)) else {
            continue;
        };
        let v2 = if v.segment == SegmentType::Close {
            t.vertices.get(last_move).unwrap_or(v)
        } else {
            v
        };
        let s = v1.cval1 * v2.cval2 - v2.cval1 * v1.cval2;
        a += s;
        cx += (v1.cval1 + v2.cval1) * s;
        cy += (v1.cval2 + v2.cval2) * s;
    }
    a *= 0.5;
    cx /= 6.0 * a;
    cy /= 6.0 * a;
    let center = transform.apply_inverse(Point::new(cx, cy));

    let pts: Vec<&Vertex> = t
        .vertices
        .iter()
        .filter(|v| v.segment != SegmentType::Close)
        .collect();
    let mut d = 0.0;
    let mut ends: Option<(&Vertex, &Vertex)> = None;
    for (i, p) in pts.iter().enumerate() {
        for q in &pts[i + 1..] {
            let dx = p.cval1 - q.cval1;
            let dy = p.cval2 - q.cval2;
            let dist = (dx * dx + dy * dy).sqrt();
            if dist > d {
                d = dist;
                ends = Some((p, q));
            }
        }
    }
    let minimum_spanning_circle = ends.map(|(e1, e2)| Circle {
        // the absolute values are the reference's; harmless in a chart centred near (180, 0)
        center: transform.apply_inverse(Point::new(
            0.5 * (e1.cval1 + e2.cval1).abs(),
            0.5 * (e1.cval2 + e2.cval2).abs(),
        )),
        radius: d / 2.0,
    });
    PolygonProperties {
        signed_area: a,
        area: a.abs(),
        ccw: a < 0.0,
        center,
        minimum_spanning_circle,
        size: if minimum_spanning_circle.is_some() {
            d
        } else {
            0.0
        },
    }
}

/// The properties of the single loop through `points` (how `Polygon` computes its own).
pub fn polygon_properties(points: &[Point]) -> PolygonProperties {
    multipolygon_properties(&MultiPolygon::from_points(points))
}

/// A polygon edge, shown with the untransformed coordinates the reference prints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub start: Point,
    pub end: Point,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Segment[{},{}:{},{}]",
            java::double_to_string(self.start.cval1),
            java::double_to_string(self.start.cval2),
            java::double_to_string(self.end.cval1),
            java::double_to_string(self.end.cval2)
        )
    }
}

/// Why a Polygon or MultiPolygon is invalid. The messages of the reference's
/// `IllegalPolygonException` where it defines them.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PolygonError {
    #[error("polygon has {0} points: minimum 3")]
    TooFewPoints(usize),
    /// A point outside [0, 360] × [−90, 90] (NaN counts as outside).
    #[error("invalid Polygon: {}", range_text(*.longitude, *.latitude))]
    OutOfRange {
        longitude: Option<f64>,
        latitude: Option<f64>,
    },
    /// A Polygon whose signed area is not negative (§5.8 of compute.md).
    #[error("invalid Polygon: clockwise winding direction")]
    Clockwise,
    #[error("invalid MultiPolygon: {0} vertices")]
    TooFewVertices(usize),
    /// MOVE, LINE and CLOSE out of order: what was found at which vertex (0-based).
    #[error("invalid MultiPolygon: {} at vertex {index} {problem}", segment_name(*.segment))]
    Structure {
        index: usize,
        segment: SegmentType,
        problem: &'static str,
    },
    /// A vertex with a NaN or infinite coordinate (the reference does not check this; its
    /// segment test then gives arbitrary answers).
    #[error("invalid MultiPolygon: vertex {index} is not finite: ({},{})", java::double_to_string(*.cval1), java::double_to_string(*.cval2))]
    NotFinite {
        index: usize,
        cval1: f64,
        cval2: f64,
    },
    #[error("invalid Polygon: segment intersect {0} vs {1}")]
    SegmentIntersect(Segment, Segment),
}

fn range_text(longitude: Option<f64>, latitude: Option<f64>) -> String {
    let lon = longitude.map(|v| format!("longitude not in [0,360]: {}", java::double_to_string(v)));
    let lat = latitude.map(|v| format!("latitude not in [-90,90]: {}", java::double_to_string(v)));
    match (lon, lat) {
        (Some(a), Some(b)) => format!("{a} {b}"),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => String::new(),
    }
}

fn segment_name(s: SegmentType) -> &'static str {
    match s {
        SegmentType::Move => "MOVE",
        SegmentType::Line => "LINE",
        SegmentType::Close => "CLOSE",
    }
}

/// `MultiPolygon.validate()`: at least 4 vertices, MOVE … CLOSE loops, finite coordinates,
/// and no two segments of a loop crossing (tested in each loop's own transformed chart;
/// loops are not tested against each other). Winding is not checked. Returns the properties
/// the reference caches on success.
pub fn validate_multipolygon(poly: &MultiPolygon) -> Result<PolygonProperties, PolygonError> {
    let v = &poly.vertices;
    if v.len() < 4 {
        return Err(PolygonError::TooFewVertices(v.len()));
    }
    let structure = |index: usize, problem: &'static str| PolygonError::Structure {
        index,
        segment: v[index].segment,
        problem,
    };
    if v[0].segment != SegmentType::Move {
        return Err(structure(0, "must be MOVE (the first vertex)"));
    }
    let last = v.len() - 1;
    if v[last].segment != SegmentType::Close {
        return Err(structure(last, "must be CLOSE (the last vertex)"));
    }
    let mut loops: Vec<std::ops::Range<usize>> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, x) in v.iter().enumerate() {
        match (x.segment, open) {
            (SegmentType::Move, None) => open = Some(i),
            (SegmentType::Move, Some(_)) => return Err(structure(i, "inside an open loop")),
            (SegmentType::Line, None) => return Err(structure(i, "outside a loop")),
            (SegmentType::Line, Some(_)) => {}
            (SegmentType::Close, Some(start)) => {
                loops.push(start..i);
                open = None;
            }
            (SegmentType::Close, None) => return Err(structure(i, "with no open loop")),
        }
    }
    for (index, x) in v.iter().enumerate() {
        if x.segment != SegmentType::Close && !(x.cval1.is_finite() && x.cval2.is_finite()) {
            return Err(PolygonError::NotFinite {
                index,
                cval1: x.cval1,
                cval2: x.cval2,
            });
        }
    }
    for range in loops {
        let points: Vec<Point> = v[range]
            .iter()
            .map(|x| Point::new(x.cval1, x.cval2))
            .collect();
        check_loop_segments(&points)?;
    }
    Ok(multipolygon_properties(poly))
}

/// The points of a Polygon (without its samples): at least 3, each in [0, 360] × [−90, 90],
/// no crossing segments, and the CAOM counter-clockwise winding. Returns the properties.
pub fn validate_polygon_points(points: &[Point]) -> Result<PolygonProperties, PolygonError> {
    if points.len() < 3 {
        return Err(PolygonError::TooFewPoints(points.len()));
    }
    for p in points {
        // written as negated ranges so that NaN counts as outside
        let bad_lon = !(0.0..=360.0).contains(&p.cval1);
        let bad_lat = !(-90.0..=90.0).contains(&p.cval2);
        if bad_lon || bad_lat {
            return Err(PolygonError::OutOfRange {
                longitude: bad_lon.then_some(p.cval1),
                latitude: bad_lat.then_some(p.cval2),
            });
        }
    }
    check_loop_segments(points)?;
    let props = polygon_properties(points);
    if !props.ccw {
        return Err(PolygonError::Clockwise);
    }
    Ok(props)
}

/// `Polygon.validate()`: [`validate_polygon_points`], then [`validate_multipolygon`] of the
/// samples. Returns the properties of the points.
pub fn validate_polygon(polygon: &Polygon) -> Result<PolygonProperties, PolygonError> {
    let props = validate_polygon_points(&polygon.points)?;
    validate_multipolygon(&polygon.samples)?;
    Ok(props)
}

/// One edge of a loop in the transformed chart, with the loop indices of its end vertices
/// (adjacency is by vertex identity, not by equal coordinates).
struct ChartSegment {
    start: usize,
    end: usize,
    a: Point,
    b: Point,
}

/// Tests every ordered pair of distinct segments of the closed loop through `points`.
fn check_loop_segments(points: &[Point]) -> Result<(), PolygonError> {
    let n = points.len();
    if n < 2 {
        return Ok(());
    }
    let transform = CartesianTransform::for_points(points);
    let chart: Vec<Point> = points.iter().map(|p| transform.apply(*p)).collect();
    let segments: Vec<ChartSegment> = (0..n)
        .map(|i| {
            let j = (i + 1) % n;
            ChartSegment {
                start: i,
                end: j,
                a: chart[i],
                b: chart[j],
            }
        })
        .collect();
    for (i, ab) in segments.iter().enumerate() {
        for (j, cd) in segments.iter().enumerate() {
            if i != j && intersects(ab, cd) {
                let original = |s: &ChartSegment| Segment {
                    start: points[s.start],
                    end: points[s.end],
                };
                return Err(PolygonError::SegmentIntersect(original(ab), original(cd)));
            }
        }
    }
    Ok(())
}

/// The reference segment test: touching at an end point is allowed, collinear overlap is not.
fn intersects(ab: &ChartSegment, cd: &ChartSegment) -> bool {
    let (a, b, c, d) = (ab.a, ab.b, cd.a, cd.b);
    let den = (b.cval1 - a.cval1) * (d.cval2 - c.cval2) - (b.cval2 - a.cval2) * (d.cval1 - c.cval1);
    let rnum =
        (a.cval2 - c.cval2) * (d.cval1 - c.cval1) - (a.cval1 - c.cval1) * (d.cval2 - c.cval2);
    if den.abs() < PARALLEL_TOLERANCE {
        if rnum.abs() >= PARALLEL_TOLERANCE {
            return false; // parallel
        }
        if ab.end == cd.start || ab.start == cd.end {
            return false; // consecutive edges of the loop
        }
        let len2 = |p: Point, q: Point| {
            let (dx, dy) = (q.cval1 - p.cval1, q.cval2 - p.cval2);
            dx * dx + dy * dy
        };
        let (dx, dy) = if len2(c, d) > len2(a, b) {
            (d.cval1 - c.cval1, d.cval2 - c.cval2)
        } else {
            (b.cval1 - a.cval1, b.cval2 - a.cval2)
        };
        let disjoint = if dx.abs() > dy.abs() {
            b.cval1 < c.cval1 || a.cval1 > d.cval1
        } else {
            b.cval2 < c.cval2 || a.cval2 > d.cval2
        };
        return !disjoint;
    }
    let r = rnum / den;
    if r <= 0.0 || r >= 1.0 {
        return false;
    }
    let snum =
        (a.cval2 - c.cval2) * (b.cval1 - a.cval1) - (a.cval1 - c.cval1) * (b.cval2 - a.cval2);
    let s = snum / den;
    !(s <= 0.0 || s >= 1.0)
}

/// The coordinate system of a spatial WCS as the reference infers it (`inferCoordSys`).
#[derive(Clone, Debug, PartialEq)]
pub struct CoordSys {
    /// `ICRS`, `FK5`, `FK4`, `GAL`, `ECL`, `HELIOECLIPTIC`, the given coordsys, or None.
    pub name: Option<String>,
    /// Whether plane compute converts it to ICRS (any non-null RA/DEC coordsys counts).
    pub supported: bool,
    /// Latitude on the first axis.
    pub swapped_axes: bool,
    /// Only ever Some(true) (GAPPT, ecliptic, helioecliptic); never Some(false).
    pub time_dependent: Option<bool>,
}

/// `inferCoordSys(SpatialWCS)` from the two CTYPEs, COORDSYS and EQUINOX; first rule wins.
pub fn infer_coordsys(
    ctype1: &str,
    ctype2: &str,
    coordsys: Option<&str>,
    equinox: Option<f64>,
) -> CoordSys {
    let pair = |a: &str, b: &str| {
        (ctype1.starts_with(a) && ctype2.starts_with(b))
            || (ctype1.starts_with(b) && ctype2.starts_with(a))
    };
    let mut cs = CoordSys {
        name: coordsys.map(str::to_string),
        supported: false,
        swapped_axes: false,
        time_dependent: None,
    };
    if coordsys == Some("GAPPT") {
        cs.time_dependent = Some(true);
    } else if pair("ELON", "ELAT") {
        cs.name = Some("ECL".into());
        cs.time_dependent = Some(true);
    } else if pair("HLON", "HLAT") {
        cs.name = Some("HELIOECLIPTIC".into());
        cs.time_dependent = Some(true);
    } else if pair("GLON", "GLAT") {
        cs.name = Some("GAL".into());
        cs.supported = true;
        cs.swapped_axes = ctype1.starts_with("GLAT");
    } else if pair("RA", "DEC") {
        if coordsys.is_none() {
            cs.name = match equinox {
                None => Some("ICRS".into()),
                Some(e) if (e - 1950.0).abs() < 1.0 => Some("FK4".into()),
                Some(e) if (e - 2000.0).abs() < 1.0 => Some("FK5".into()),
                Some(_) => None,
            };
        }
        cs.supported = cs.name.is_some();
        cs.swapped_axes = ctype1.starts_with("DEC");
    }
    cs
}

/// The chunk footprint of a spatial axis without WCSLIB (§5.2 of compute.md).
#[derive(Clone, Debug, PartialEq)]
pub enum NativePolygon {
    /// From the bounds (polygon or circle) or the range: swapped if asked and range-reduced,
    /// not yet validated.
    Built(MultiPolygon),
    /// The first available source is the CD-matrix function: its corners need WCSLIB
    /// (map them, then finish with [`swap_and_reduce`]).
    Function,
    /// No bounds, function or range: the chunk has no footprint.
    Missing,
}

/// `toPolygon(wcs, swappedAxes)` up to the WCSLIB step: the first of bounds polygon, bounds
/// circle, function, range.
pub fn native_polygon(axis: &CoordAxis2D, swapped_axes: bool) -> NativePolygon {
    let mut poly = match (&axis.bounds, &axis.function, &axis.range) {
        (Some(CoordBounds2D::Polygon(p)), _, _) => {
            let points: Vec<Point> = p
                .vertices
                .iter()
                .map(|v| Point::new(v.coord1, v.coord2))
                .collect();
            MultiPolygon::from_points(&points)
        }
        (Some(CoordBounds2D::Circle(c)), _, _) => {
            circle_to_polygon(Point::new(c.center.coord1, c.center.coord2), c.radius)
        }
        (None, Some(_), _) => return NativePolygon::Function,
        (None, None, Some(r)) => range_to_polygon(r),
        (None, None, None) => return NativePolygon::Missing,
    };
    swap_and_reduce(&mut poly, swapped_axes);
    NativePolygon::Built(poly)
}

/// The box `(s1,s2) (e1,s2) (e1,e2) (s1,e2)` of a range's world values.
pub fn range_to_polygon(range: &CoordRange2D) -> MultiPolygon {
    let (s1, s2) = (range.start.coord1.val, range.start.coord2.val);
    let (e1, e2) = (range.end.coord1.val, range.end.coord2.val);
    MultiPolygon::from_points(&[
        Point::new(s1, s2),
        Point::new(e1, s2),
        Point::new(e1, e2),
        Point::new(s1, e2),
    ])
}

/// The reference's box around a circle (area ≈ 4r², not πr²), built in the circle's
/// transformed chart and rotated back.
pub fn circle_to_polygon(center: Point, radius: f64) -> MultiPolygon {
    let transform = CartesianTransform::for_circle(center);
    let c = transform.apply(center);
    let dy = radius;
    let dx = (radius / c.cval2.to_radians().cos()).abs();
    let corners = [
        range_reduce(c.cval1 - dx, c.cval2 - dy),
        range_reduce(c.cval1 + dx, c.cval2 - dy),
        range_reduce(c.cval1 + dx, c.cval2 + dy),
        range_reduce(c.cval1 - dx, c.cval2 + dy),
    ];
    transform.apply_inverse_multipolygon(&MultiPolygon::from_points(&corners))
}

/// Swaps the coordinates of every vertex if asked, then range-reduces it (the CLOSE vertex
/// included, harmlessly).
pub fn swap_and_reduce(poly: &mut MultiPolygon, swapped_axes: bool) {
    for v in &mut poly.vertices {
        let (lon, lat) = if swapped_axes {
            (v.cval2, v.cval1)
        } else {
            (v.cval1, v.cval2)
        };
        let p = range_reduce(lon, lat);
        v.cval1 = p.cval1;
        v.cval2 = p.cval2;
    }
}

#[cfg(test)]
pub(crate) mod vectors {
    //! Access to the reference vectors in `compute-vectors.json`, which live outside the
    //! repository: a missing file skips the vector tests with a notice.

    use serde_json::Value;

    const PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/compute-vectors.json"
    );

    /// The vectors of one group, or None (after a notice) when the file is missing.
    pub fn group(name: &str) -> Option<Vec<Value>> {
        let text = match std::fs::read_to_string(PATH) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("notice: {PATH} not readable ({e}); skipping the `{name}` vectors");
                return None;
            }
        };
        let doc: Value = serde_json::from_str(&text).expect("compute-vectors.json parses");
        let g = doc["groups"][name]
            .as_array()
            .unwrap_or_else(|| panic!("group {name} missing"))
            .clone();
        assert!(!g.is_empty(), "group {name} is empty");
        Some(g)
    }

    pub fn f(v: &Value) -> f64 {
        v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
    }

    pub fn point(v: &Value) -> crate::Point {
        crate::Point::new(f(&v[0]), f(&v[1]))
    }

    /// `[[x, y, "MOVE"|"LINE"|"CLOSE"], …]`.
    pub fn multipolygon(v: &Value) -> crate::MultiPolygon {
        use crate::vocabulary::SegmentType;
        let vertices = v
            .as_array()
            .expect("vertex list")
            .iter()
            .map(|x| {
                let seg = match x[2].as_str() {
                    Some("MOVE") => SegmentType::Move,
                    Some("LINE") => SegmentType::Line,
                    Some("CLOSE") => SegmentType::Close,
                    other => panic!("segment type {other:?}"),
                };
                crate::Vertex::new(f(&x[0]), f(&x[1]), seg)
            })
            .collect();
        crate::MultiPolygon { vertices }
    }

    /// Relative 1e-12 or absolute 1e-9: values that went through trigonometry (compute.md §12.3).
    pub fn close(a: f64, b: f64) -> bool {
        a == b || (a - b).abs() <= 1e-9 || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
    }

    /// Like [`close`] for a longitude, where 0 and 360 are the same place.
    pub fn close_lon(a: f64, b: f64) -> bool {
        close(a, b) || close((a - b).abs(), 360.0)
    }

    pub fn close_point(p: crate::Point, expected: &Value) -> bool {
        close_lon(p.cval1, f(&expected[0])) && close(p.cval2, f(&expected[1]))
    }

    /// A CoordAxis2D in the vector schema.
    pub fn coord_axis_2d(a: &Value) -> crate::wcs::CoordAxis2D {
        use crate::wcs::*;
        let axis = |x: &Value| Axis::new(x["ctype"].as_str().expect("ctype"), x["cunit"].as_str());
        let mut out = CoordAxis2D::new(axis(&a["axis1"]), axis(&a["axis2"]));
        let rc = |x: &Value| RefCoord::new(f(&x["pix"]), f(&x["val"]));
        let c2 = |x: &Value| Coord2D {
            coord1: rc(&x["coord1"]),
            coord2: rc(&x["coord2"]),
        };
        if let Some(r) = a.get("range") {
            out.range = Some(CoordRange2D {
                start: c2(&r["start"]),
                end: c2(&r["end"]),
            });
        }
        if let Some(b) = a.get("bounds") {
            if let Some(c) = b.get("circle") {
                out.bounds = Some(CoordBounds2D::Circle(CoordCircle2D {
                    center: ValueCoord2D {
                        coord1: f(&c["center"][0]),
                        coord2: f(&c["center"][1]),
                    },
                    radius: f(&c["radius"]),
                }));
            } else if let Some(p) = b.get("polygon") {
                out.bounds = Some(CoordBounds2D::Polygon(CoordPolygon2D {
                    vertices: p
                        .as_array()
                        .expect("polygon")
                        .iter()
                        .map(|x| ValueCoord2D {
                            coord1: f(&x[0]),
                            coord2: f(&x[1]),
                        })
                        .collect(),
                }));
            }
        }
        if let Some(fun) = a.get("function") {
            out.function = Some(CoordFunction2D {
                dimension: Dimension2D {
                    naxis1: fun["dimension"][0].as_i64().expect("naxis1"),
                    naxis2: fun["dimension"][1].as_i64().expect("naxis2"),
                },
                ref_coord: c2(&fun["refCoord"]),
                cd11: f(&fun["cd11"]),
                cd12: f(&fun["cd12"]),
                cd21: f(&fun["cd21"]),
                cd22: f(&fun["cd22"]),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::vectors::{self, close, close_lon, close_point, f};
    use super::*;
    use serde_json::Value;

    fn expected_error(e: &Value) -> Option<&str> {
        e.get("validateError")
            .and_then(|x| x.get("message"))
            .and_then(Value::as_str)
    }

    fn check_props(id: &str, p: &PolygonProperties, e: &Value) -> Vec<String> {
        let mut bad = Vec::new();
        if !close(p.area, f(&e["area"])) {
            bad.push(format!("{id}: area {} vs {}", p.area, e["area"]));
        }
        if !close_point(p.center, &e["center"]) {
            bad.push(format!("{id}: center {:?} vs {}", p.center, e["center"]));
        }
        if let Some(ccw) = e.get("ccw").and_then(Value::as_bool) {
            if p.ccw != ccw {
                bad.push(format!("{id}: ccw {} vs {ccw}", p.ccw));
            }
        }
        let msc = &e["minimumSpanningCircle"];
        match &p.minimum_spanning_circle {
            Some(c) => {
                if !close_point(c.center, &msc["center"]) || !close(c.radius, f(&msc["radius"])) {
                    bad.push(format!("{id}: msc {c:?} vs {msc}"));
                }
            }
            None => bad.push(format!("{id}: no msc, expected {msc}")),
        }
        bad
    }

    fn transform_of(e: &Value) -> CartesianTransform {
        match e["axis"].as_str() {
            None => CartesianTransform::IDENTITY,
            Some("y") => CartesianTransform::rotation(RotationAxis::Y, f(&e["angle"])),
            Some("z") => CartesianTransform::rotation(RotationAxis::Z, f(&e["angle"])),
            Some(other) => panic!("axis {other}"),
        }
    }

    fn same_transform(t: &CartesianTransform, e: &Value) -> bool {
        let want = transform_of(e);
        t.axis() == want.axis()
            && match (t.angle(), want.angle()) {
                (Some(a), Some(b)) => close(a, b),
                (None, None) => true,
                _ => false,
            }
    }

    fn same_vertices(got: &MultiPolygon, e: &Value) -> bool {
        let want = vectors::multipolygon(e);
        got.vertices.len() == want.vertices.len()
            && got.vertices.iter().zip(&want.vertices).all(|(g, w)| {
                g.segment == w.segment && close_lon(g.cval1, w.cval1) && close(g.cval2, w.cval2)
            })
    }

    #[test]
    fn multipolygon_vectors() {
        let Some(group) = vectors::group("multipolygon") else {
            return;
        };
        let mut bad = Vec::new();
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let e = &v["expected"];
            let poly = vectors::multipolygon(&v["input"]);
            let result = validate_multipolygon(&poly);
            match (expected_error(e), &result) {
                (None, Ok(_)) => {}
                (Some(msg), Err(err)) if err.to_string() == msg => {}
                (want, got) => bad.push(format!("{id}: expected {want:?}, got {got:?}")),
            }
            assert_eq!(e["valid"].as_bool(), Some(result.is_ok()), "{id}");
            let props = multipolygon_properties(&poly);
            // a zero-area polygon's centroid is 0/0: its reference value is round-off noise
            if result.is_ok() {
                bad.extend(check_props(id, &props, &e["props"]));
            } else if !close(props.area, f(&e["props"]["area"])) {
                bad.push(format!(
                    "{id}: area {} vs {}",
                    props.area, e["props"]["area"]
                ));
            }
            let t = CartesianTransform::for_multipolygon(&poly);
            if !same_transform(&t, &e["transform"]) {
                bad.push(format!("{id}: transform {t:?} vs {}", e["transform"]));
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
        eprintln!("multipolygon: {} vectors pass", group.len());
    }

    #[test]
    fn polygon_validate_vectors() {
        let Some(group) = vectors::group("polygon_validate") else {
            return;
        };
        let mut bad = Vec::new();
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let e = &v["expected"];
            let polygon = Polygon {
                points: v["input"]["points"]
                    .as_array()
                    .expect("points")
                    .iter()
                    .map(vectors::point)
                    .collect(),
                samples: vectors::multipolygon(&v["input"]["samples"]),
            };
            let result = validate_polygon(&polygon);
            match (expected_error(e), &result) {
                (None, Ok(_)) => {}
                (Some(msg), Err(err)) if err.to_string() == msg => {}
                (want, got) => bad.push(format!("{id}: expected {want:?}, got {got:?}")),
            }
            let props = polygon_properties(&polygon.points);
            if id == "butterfly" {
                // zero area: the centroid is round-off noise in both implementations
                if !close(props.area, f(&e["area"])) {
                    bad.push(format!("{id}: area {} vs {}", props.area, e["area"]));
                }
            } else {
                bad.extend(check_props(id, &props, e));
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
        eprintln!("polygon_validate: {} vectors pass", group.len());
    }

    #[test]
    fn cartesian_transform_vectors() {
        let Some(group) = vectors::group("cartesian_transform") else {
            return;
        };
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let e = &v["expected"];
            let poly = vectors::multipolygon(&v["input"]);
            let cube = BoundingCube::of_multipolygon(&poly)
                .expect("vertices")
                .surrounding_axis_adjusted()
                .to_array();
            let want: Vec<f64> = e["cube"].as_array().expect("cube").iter().map(f).collect();
            assert!(
                cube.iter().zip(&want).all(|(a, b)| close(*a, *b)),
                "{id}: cube {cube:?} vs {want:?}"
            );
            let t = CartesianTransform::for_multipolygon(&poly);
            assert!(same_transform(&t, &e["transform"]), "{id}: {t:?}");
            let moved = t.apply_multipolygon(&poly);
            assert!(same_vertices(&moved, &e["transformed"]), "{id}: {moved:?}");
            let back = t.apply_inverse_multipolygon(&moved);
            assert!(
                same_vertices(&back, &e["inverse_of_transformed"]),
                "{id}: {back:?}"
            );
        }
        eprintln!("cartesian_transform: {} vectors pass", group.len());
    }

    #[test]
    fn cartesian_rotation_vectors() {
        let Some(group) = vectors::group("cartesian_rotation") else {
            return;
        };
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let t = transform_of(&v["input"]);
            let p = vectors::point(&v["input"]["point"]);
            let r = t.apply(p);
            assert!(close_point(r, &v["expected"]["rotated"]), "{id}: {r:?}");
            let back = t.apply_inverse(r);
            assert!(
                close_point(back, &v["expected"]["inverse"]),
                "{id}: {back:?}"
            );
        }
        eprintln!("cartesian_rotation: {} vectors pass", group.len());
    }

    #[test]
    fn coordsys_vectors() {
        let Some(group) = vectors::group("coordsys") else {
            return;
        };
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let i = &v["input"];
            let e = &v["expected"];
            let cs = infer_coordsys(
                i["ctype1"].as_str().expect("ctype1"),
                i["ctype2"].as_str().expect("ctype2"),
                i["coordsys"].as_str(),
                i["equinox"].as_f64(),
            );
            assert_eq!(cs.name.as_deref(), e["name"].as_str(), "{id}");
            assert_eq!(Some(cs.supported), e["supported"].as_bool(), "{id}");
            assert_eq!(Some(cs.swapped_axes), e["swappedAxes"].as_bool(), "{id}");
            assert_eq!(cs.time_dependent, e["timeDependent"].as_bool(), "{id}");
        }
        eprintln!("coordsys: {} vectors pass", group.len());
    }

    #[test]
    fn range_reduce_vectors() {
        let Some(group) = vectors::group("range_reduce") else {
            return;
        };
        for v in &group {
            let i = vectors::point(&v["input"]);
            let p = range_reduce(i.cval1, i.cval2);
            let e = vectors::point(&v["expected"]);
            // plain additions: bit-exact
            assert_eq!(p, e, "{}", v["id"]);
        }
        eprintln!("range_reduce: {} vectors pass", group.len());
    }

    #[test]
    fn to_polygon_native_vectors_without_wcslib() {
        let Some(group) = vectors::group("to_polygon_native") else {
            return;
        };
        let mut done = 0;
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let e = &v["expected"];
            let axis = vectors::coord_axis_2d(&v["input"]["axis"]);
            let cs = infer_coordsys(&axis.axis1.ctype, &axis.axis2.ctype, None, None);
            let poly = match native_polygon(&axis, cs.swapped_axes) {
                NativePolygon::Built(p) => p,
                // the function corners go through WCSLIB, which this crate does not link
                NativePolygon::Function => continue,
                NativePolygon::Missing => panic!("{id}: no footprint"),
            };
            done += 1;
            match (
                e.get("message").and_then(Value::as_str),
                validate_multipolygon(&poly),
            ) {
                (Some(msg), Err(err)) => assert_eq!(err.to_string(), msg, "{id}"),
                (None, Ok(props)) => {
                    assert!(same_vertices(&poly, &e["vertices"]), "{id}: {poly:?}");
                    let bad = check_props(id, &props, e);
                    assert!(bad.is_empty(), "{bad:#?}");
                }
                (want, got) => panic!("{id}: expected {want:?}, got {got:?}"),
            }
        }
        eprintln!(
            "to_polygon_native: {done} of {} vectors pass (the rest need WCSLIB)",
            group.len()
        );
    }

    #[test]
    fn structure_errors() {
        use SegmentType::*;
        let mp = |v: &[(f64, f64, SegmentType)]| MultiPolygon {
            vertices: v.iter().map(|&(x, y, s)| Vertex::new(x, y, s)).collect(),
        };
        let tri = [(2.0, 2.0), (1.0, 4.0), (3.0, 3.0)];
        assert_eq!(
            validate_multipolygon(&mp(&[
                (1.0, 1.0, Move),
                (2.0, 2.0, Line),
                (0.0, 0.0, Close)
            ])),
            Err(PolygonError::TooFewVertices(3))
        );
        let mut v: Vec<_> = tri.iter().map(|&(x, y)| (x, y, Line)).collect();
        v.push((0.0, 0.0, Close));
        let e = validate_multipolygon(&mp(&v)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid MultiPolygon: LINE at vertex 0 must be MOVE (the first vertex)"
        );
        v[0].2 = Move;
        v[3].2 = Line;
        assert!(matches!(
            validate_multipolygon(&mp(&v)),
            Err(PolygonError::Structure { index: 3, .. })
        ));
        v[3].2 = Close;
        v[2].2 = Move;
        assert!(matches!(
            validate_multipolygon(&mp(&v)),
            Err(PolygonError::Structure { index: 2, .. })
        ));
        // two loops, each valid on its own, overlapping each other: allowed
        let two = mp(&[
            (2.0, 2.0, Move),
            (1.0, 4.0, Line),
            (3.0, 3.0, Line),
            (0.0, 0.0, Close),
            (2.0, 2.5, Move),
            (1.0, 4.5, Line),
            (3.0, 3.5, Line),
            (0.0, 0.0, Close),
        ]);
        assert!(validate_multipolygon(&two).is_ok());
        let mut nan = two.clone();
        nan.vertices[5].cval2 = f64::NAN;
        assert!(matches!(
            validate_multipolygon(&nan),
            Err(PolygonError::NotFinite { index: 5, .. })
        ));
    }

    #[test]
    fn polygon_range_and_count_errors() {
        let p = |v: &[(f64, f64)]| v.iter().map(|&(x, y)| Point::new(x, y)).collect::<Vec<_>>();
        assert_eq!(
            validate_polygon_points(&p(&[(1.0, 1.0), (2.0, 2.0)])),
            Err(PolygonError::TooFewPoints(2))
        );
        let e =
            validate_polygon_points(&p(&[(2.0, 2.0), (1.0, 4.0), (f64::NAN, 95.0)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid Polygon: longitude not in [0,360]: NaN latitude not in [-90,90]: 95.0"
        );
        // huge values and infinities give an error, not a panic
        let e = validate_polygon_points(&p(&[(1e308, 0.0), (f64::INFINITY, 1.0), (3.0, 3.0)]));
        assert!(matches!(e, Err(PolygonError::OutOfRange { .. })));
        let _ = multipolygon_properties(&MultiPolygon::default());
        let _ = polygon_properties(&p(&[(f64::NAN, f64::NAN); 3]));
    }

    #[test]
    fn identity_keeps_points_and_circle_box_is_centred() {
        let t = CartesianTransform::for_points(&[Point::new(10.0, -1.0), Point::new(11.0, 1.0)]);
        assert!(t.is_identity());
        assert_eq!(t.apply(Point::new(-3.0, 0.5)), Point::new(-3.0, 0.5));
        let b = circle_to_polygon(Point::new(150.0, 0.0), 1.0);
        let props = validate_multipolygon(&b).unwrap();
        assert!(
            close(props.center.cval1, 150.0) && close(props.center.cval2, 0.0),
            "{props:?}"
        );
        assert!((props.area - 4.0).abs() < 1e-3, "{props:?}");
    }
}
