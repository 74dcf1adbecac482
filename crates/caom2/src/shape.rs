//! Plane-level shapes of CAOM 2.4: points, polygons with their MultiPolygon samples, circles and
//! (sampled) intervals. Coordinates are ICRS degrees; intervals carry the axis unit of their
//! plane field (metres for energy, MJD for time).

use crate::vocabulary::SegmentType;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Longitude (RA), degrees.
    pub cval1: f64,
    /// Latitude (Dec), degrees.
    pub cval2: f64,
}

impl Point {
    pub fn new(cval1: f64, cval2: f64) -> Point {
        Point { cval1, cval2 }
    }
}

/// A vertex of a MultiPolygon; the CLOSE vertex carries (0, 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vertex {
    pub cval1: f64,
    pub cval2: f64,
    pub segment: SegmentType,
}

impl Vertex {
    pub fn new(cval1: f64, cval2: f64, segment: SegmentType) -> Vertex {
        Vertex {
            cval1,
            cval2,
            segment,
        }
    }
}

/// One or more loops, each MOVE, LINE…, CLOSE.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MultiPolygon {
    pub vertices: Vec<Vertex>,
}

impl MultiPolygon {
    /// The single loop through `points`: MOVE, LINE…, CLOSE.
    pub fn from_points(points: &[Point]) -> MultiPolygon {
        let mut vertices = Vec::with_capacity(points.len() + 1);
        for (i, p) in points.iter().enumerate() {
            let seg = if i == 0 {
                SegmentType::Move
            } else {
                SegmentType::Line
            };
            vertices.push(Vertex::new(p.cval1, p.cval2, seg));
        }
        vertices.push(Vertex::new(0.0, 0.0, SegmentType::Close));
        MultiPolygon { vertices }
    }
}

/// Plane position bounds as a polygon: its points and the chunk footprints it was made from.
#[derive(Clone, Debug, PartialEq)]
pub struct Polygon {
    pub points: Vec<Point>,
    pub samples: MultiPolygon,
}

impl Polygon {
    /// A polygon whose samples are the single loop through its points.
    pub fn from_points(points: Vec<Point>) -> Polygon {
        let samples = MultiPolygon::from_points(&points);
        Polygon { points, samples }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Circle {
    pub center: Point,
    /// Degrees; must be > 0.
    pub radius: f64,
}

/// Plane position bounds.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Polygon(Polygon),
    Circle(Circle),
}

/// A closed interval; `upper ≥ lower`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    pub fn new(lower: f64, upper: f64) -> Interval {
        Interval { lower, upper }
    }
}

/// An interval with the sub-intervals actually covered (`Interval` in CAOM 2.3).
#[derive(Clone, Debug, PartialEq)]
pub struct SampledInterval {
    pub lower: f64,
    pub upper: f64,
    /// Sorted, non-overlapping, inside [lower, upper], at least one.
    pub samples: Vec<Interval>,
}

impl SampledInterval {
    /// An interval that is its own single sample.
    pub fn single(lower: f64, upper: f64) -> SampledInterval {
        SampledInterval {
            lower,
            upper,
            samples: vec![Interval::new(lower, upper)],
        }
    }
}
