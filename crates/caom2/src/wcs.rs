//! Chunk-level world coordinate systems of CAOM 2.4: axes with their error, range, bounds and
//! linear function, and the spatial, spectral, temporal, polarization, custom and observable
//! WCS built from them.

/// A coordinate axis: FITS CTYPE and CUNIT.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub ctype: String,
    pub cunit: Option<String>,
}

impl Axis {
    pub fn new(ctype: impl Into<String>, cunit: Option<&str>) -> Axis {
        Axis {
            ctype: ctype.into(),
            cunit: cunit.map(str::to_string),
        }
    }
}

/// A pixel coordinate and its world value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefCoord {
    pub pix: f64,
    pub val: f64,
}

impl RefCoord {
    pub fn new(pix: f64, val: f64) -> RefCoord {
        RefCoord { pix, val }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coord2D {
    pub coord1: RefCoord,
    pub coord2: RefCoord,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueCoord2D {
    pub coord1: f64,
    pub coord2: f64,
}

/// Systematic and random error of an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordError {
    pub syser: f64,
    pub rnder: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordRange1D {
    pub start: RefCoord,
    pub end: RefCoord,
}

/// A 2-D range; start and end must differ in both pixel and both world coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordRange2D {
    pub start: Coord2D,
    pub end: Coord2D,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoordBounds1D {
    pub samples: Vec<CoordRange1D>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordCircle2D {
    pub center: ValueCoord2D,
    pub radius: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoordPolygon2D {
    pub vertices: Vec<ValueCoord2D>,
}

/// The footprint of a 2-D axis: a circle or a polygon.
#[derive(Clone, Debug, PartialEq)]
pub enum CoordBounds2D {
    Circle(CoordCircle2D),
    Polygon(CoordPolygon2D),
}

/// A linear 1-D axis: `val = refCoord.val + delta · (pix − refCoord.pix)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordFunction1D {
    pub naxis: i64,
    pub delta: f64,
    pub ref_coord: RefCoord,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dimension2D {
    pub naxis1: i64,
    pub naxis2: i64,
}

/// A linear 2-D axis with its CD matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordFunction2D {
    pub dimension: Dimension2D,
    pub ref_coord: Coord2D,
    pub cd11: f64,
    pub cd12: f64,
    pub cd21: f64,
    pub cd22: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CoordAxis1D {
    pub axis: Axis,
    pub error: Option<CoordError>,
    pub range: Option<CoordRange1D>,
    pub bounds: Option<CoordBounds1D>,
    pub function: Option<CoordFunction1D>,
}

impl CoordAxis1D {
    pub fn new(axis: Axis) -> CoordAxis1D {
        CoordAxis1D {
            axis,
            error: None,
            range: None,
            bounds: None,
            function: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CoordAxis2D {
    pub axis1: Axis,
    pub axis2: Axis,
    pub error1: Option<CoordError>,
    pub error2: Option<CoordError>,
    pub range: Option<CoordRange2D>,
    pub bounds: Option<CoordBounds2D>,
    pub function: Option<CoordFunction2D>,
}

impl CoordAxis2D {
    pub fn new(axis1: Axis, axis2: Axis) -> CoordAxis2D {
        CoordAxis2D {
            axis1,
            axis2,
            error1: None,
            error2: None,
            range: None,
            bounds: None,
            function: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpatialWcs {
    pub axis: CoordAxis2D,
    pub coordsys: Option<String>,
    pub equinox: Option<f64>,
    /// Arcseconds.
    pub resolution: Option<f64>,
}

impl SpatialWcs {
    pub fn new(axis: CoordAxis2D) -> SpatialWcs {
        SpatialWcs {
            axis,
            coordsys: None,
            equinox: None,
            resolution: None,
        }
    }
}

/// A spectral line: species and transition, both required.
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyTransition {
    pub species: String,
    pub transition: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpectralWcs {
    pub axis: CoordAxis1D,
    /// Required since CAOM 2.4.
    pub specsys: String,
    pub ssysobs: Option<String>,
    pub ssyssrc: Option<String>,
    pub restfrq: Option<f64>,
    pub restwav: Option<f64>,
    pub velosys: Option<f64>,
    pub zsource: Option<f64>,
    pub velang: Option<f64>,
    pub bandpass_name: Option<String>,
    pub resolving_power: Option<f64>,
    pub transition: Option<EnergyTransition>,
}

impl SpectralWcs {
    pub fn new(axis: CoordAxis1D, specsys: impl Into<String>) -> SpectralWcs {
        SpectralWcs {
            axis,
            specsys: specsys.into(),
            ssysobs: None,
            ssyssrc: None,
            restfrq: None,
            restwav: None,
            velosys: None,
            zsource: None,
            velang: None,
            bandpass_name: None,
            resolving_power: None,
            transition: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TemporalWcs {
    pub axis: CoordAxis1D,
    pub timesys: Option<String>,
    pub trefpos: Option<String>,
    pub mjdref: Option<f64>,
    /// Seconds.
    pub exposure: Option<f64>,
    /// Seconds.
    pub resolution: Option<f64>,
}

impl TemporalWcs {
    pub fn new(axis: CoordAxis1D) -> TemporalWcs {
        TemporalWcs {
            axis,
            timesys: None,
            trefpos: None,
            mjdref: None,
            exposure: None,
            resolution: None,
        }
    }
}

/// Polarization axis; its ctype must be `STOKES`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolarizationWcs {
    pub axis: CoordAxis1D,
}

/// A custom axis such as Faraday depth (`FARADAY`, `RM`).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomWcs {
    pub axis: CoordAxis1D,
}

/// One bin of an observable axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    pub axis: Axis,
    pub bin: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObservableAxis {
    pub dependent: Slice,
    pub independent: Option<Slice>,
}
