//! The validation rules of the reference: the model rules of Java `CaomValidator` together with
//! the checks the Java constructors make (caom2-model.md §1, §6.1), and the chunk WCS rules of
//! `CaomWCSValidator` (compute.md §10) with their exact messages.
//!
//! [`validate`] walks a whole observation and returns one [`Violation`] per problem, each with
//! the path syntax of [`crate::diff`] (`Observation.planes[p].artifacts[uri].parts[n].chunks[i]…`).
//! Where the Java reference throws at the first problem of a polygon, an axis set or a WCS
//! object, so does this: later problems of the same object are mostly consequences of the
//! first. A WCS object that fails a constructor check is not put through the WCS rules, as the
//! reference could not have built it. Nothing here panics, whatever the numbers.
//!
//! What needs native libraries is left to the crate that links them: the WCSLIB round trip
//! of a spatial or spectral function (here only its CD matrix or delta and its units are
//! checked) and the ERFA leap-second check of TAI/TT times.
//!
//! ```
//! use caom2::{validate::validate, Observation, Plane};
//!
//! let mut obs = Observation::simple("TEST", "bad id");
//! obs.planes.push(Plane::new("raw"));
//! let problems = validate(&obs);
//! assert_eq!(problems.len(), 1);
//! assert_eq!(
//!     problems[0].to_string(),
//!     "Observation.observationID: \"bad id\" is not a valid path component: it contains ' '"
//! );
//! ```

use crate::artifact::{Artifact, Chunk, Part};
use crate::geometry::{self, NativePolygon};
use crate::java;
use crate::observation::{Observation, ObservationKind};
use crate::plane::Plane;
use crate::shape::{Interval, SampledInterval, Shape};
use crate::uri::Uri;
use crate::vocabulary::PolarizationState;
use crate::wcs::{
    Axis, CoordAxis1D, CoordBounds2D, CoordFunction1D, CoordFunction2D, CoordRange1D, CoordRange2D,
    CustomWcs, Dimension2D, EnergyTransition, PolarizationWcs, SpatialWcs, SpectralWcs,
    TemporalWcs,
};
use std::fmt;

/// One problem, where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// `Observation.planes[productID].artifacts[uri].parts[name].chunks[index]…`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every rule violation of `obs`, in document order; empty when it is valid.
pub fn validate(obs: &Observation) -> Vec<Violation> {
    let mut v = Validator { out: Vec::new() };
    v.observation(obs);
    v.out
}

/// Which part of a chunk a WCS problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WcsAspect {
    /// The axis indices (`validateAxes`).
    Axes,
    Position,
    Energy,
    Time,
    Polarization,
    Custom,
}

impl WcsAspect {
    /// The Chunk field the problem is in; None for the axis indices, which span the chunk.
    pub fn field(self) -> Option<&'static str> {
        match self {
            WcsAspect::Axes => None,
            WcsAspect::Position => Some("position"),
            WcsAspect::Energy => Some("energy"),
            WcsAspect::Time => Some("time"),
            WcsAspect::Polarization => Some("polarization"),
            WcsAspect::Custom => Some("custom"),
        }
    }
}

/// A chunk WCS problem with the reference's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WcsProblem {
    pub aspect: WcsAspect,
    pub message: String,
}

/// The reference's context of a chunk in messages: `{artifactURI}[{partName}]:{chunkID} `,
/// trailing space included.
pub fn wcs_context(artifact_uri: &str, part_name: &str, chunk: &Chunk) -> String {
    format!("{artifact_uri}[{part_name}]:{} ", chunk.entity.id)
}

/// `CaomWCSValidator` for one chunk: the axis indices, then every WCS object present, at most
/// one problem each. Unlike the reference, which stops at the first problem of the chunk,
/// independent WCS objects are all checked.
pub fn validate_chunk_wcs(artifact_uri: &str, part_name: &str, chunk: &Chunk) -> Vec<WcsProblem> {
    chunk_wcs(
        &wcs_context(artifact_uri, part_name, chunk),
        chunk,
        Skip::default(),
    )
}

/// WCS objects whose constructor checks failed, which the WCS rules then leave alone.
#[derive(Clone, Copy, Default)]
struct Skip {
    position: bool,
    energy: bool,
    time: bool,
    polarization: bool,
    custom: bool,
}

fn chunk_wcs(context: &str, chunk: &Chunk, skip: Skip) -> Vec<WcsProblem> {
    let mut out = Vec::new();
    let mut add = |aspect, r: Result<(), String>| {
        if let Err(message) = r {
            out.push(WcsProblem { aspect, message });
        }
    };
    add(WcsAspect::Axes, validate_axes(chunk));
    if let Some(w) = chunk.position.as_ref().filter(|_| !skip.position) {
        add(WcsAspect::Position, validate_spatial(context, w));
    }
    if let Some(w) = chunk.energy.as_ref().filter(|_| !skip.energy) {
        add(WcsAspect::Energy, validate_spectral(context, w));
    }
    if let Some(w) = chunk.time.as_ref().filter(|_| !skip.time) {
        add(WcsAspect::Time, validate_temporal(context, w));
    }
    if let Some(w) = chunk.polarization.as_ref().filter(|_| !skip.polarization) {
        add(WcsAspect::Polarization, validate_polarization(context, w));
    }
    if let Some(w) = chunk.custom.as_ref().filter(|_| !skip.custom) {
        add(WcsAspect::Custom, validate_custom(context, w));
    }
    out
}

/// `validateAxes`: the first problem of the chunk's axis indices, with the reference message.
///
/// Indices register in the order positionAxis1, positionAxis2, timeAxis, energyAxis,
/// customAxis, polarizationAxis, observableAxis; each must be ≥ 1 (the reference rejects only
/// 0; a negative index is rejected here too), unique, and have its WCS object; with `naxis`
/// set, every axis 1..naxis must be registered (indices above naxis are not checked).
pub fn validate_axes(chunk: &Chunk) -> Result<(), String> {
    if chunk.position_axis1.is_some() != chunk.position_axis2.is_some() {
        return Err("Invalid Axes: positionAxis1 or positionAxis2 is null.".into());
    }
    let axes = [
        (
            "positionAxis1",
            chunk.position_axis1,
            chunk.position.is_some(),
        ),
        (
            "positionAxis2",
            chunk.position_axis2,
            chunk.position.is_some(),
        ),
        ("timeAxis", chunk.time_axis, chunk.time.is_some()),
        ("energyAxis", chunk.energy_axis, chunk.energy.is_some()),
        ("customAxis", chunk.custom_axis, chunk.custom.is_some()),
        (
            "polarizationAxis",
            chunk.polarization_axis,
            chunk.polarization.is_some(),
        ),
        (
            "observableAxis",
            chunk.observable_axis,
            chunk.observable.is_some(),
        ),
    ];
    let mut seen: Vec<(i32, &str)> = Vec::with_capacity(axes.len());
    for (name, index, has_wcs) in axes {
        let Some(n) = index else { continue };
        if n <= 0 {
            return Err(format!(
                "Invalid Axes: axis definition ({n}) not allowed: {name}"
            ));
        }
        if let Some((_, first)) = seen.iter().find(|(m, _)| *m == n) {
            return Err(format!("Duplicate axis found: ({n}) {first} & {name}"));
        }
        if !has_wcs {
            return Err(format!(
                "Invalid Axes: {name} found ({n}) but metadata not found"
            ));
        }
        seen.push((n, name));
    }
    if let Some(naxis) = chunk.naxis {
        // at most 7 indices are registered, so the first gap is at most 8: no long loop
        let limit = naxis.min(seen.len() as i32 + 1);
        if let Some(i) = (1..=limit).find(|i| !seen.iter().any(|(m, _)| m == i)) {
            return Err(format!("Invalid Axes: missing axis {i}"));
        }
    }
    Ok(())
}

/// The spatial WCS rules: the native footprint (from the bounds or the range) must be a valid
/// MultiPolygon. For a CD-matrix function only the matrix is checked (finite, not singular);
/// the WCSLIB pixel↔sky round trip of the reference is done by the crate that links WCSLIB.
/// The dimension of the function is a constructor check (see [`validate`]).
pub fn validate_spatial(context: &str, wcs: &SpatialWcs) -> Result<(), String> {
    let fail = |msg: String| format!("Invalid SpatialWCS: {msg} in {context}");
    let axis = &wcs.axis;
    let cs = geometry::infer_coordsys(
        &axis.axis1.ctype,
        &axis.axis2.ctype,
        wcs.coordsys.as_deref(),
        wcs.equinox,
    );
    if let NativePolygon::Built(poly) = geometry::native_polygon(axis, cs.swapped_axes) {
        geometry::validate_multipolygon(&poly).map_err(|e| fail(e.to_string()))?;
    }
    if let Some(f) = &axis.function {
        check_cd_matrix(f).map_err(fail)?;
    }
    Ok(())
}

/// The CD matrix and reference point of a spatial function: finite, and not singular (the
/// reference reports WCSLIB's `Linear transformation matrix is singular(3)`). Also used by
/// plane compute before handing a function to WCSLIB, whose `cdfix` would otherwise turn a
/// zero row and column into a unit diagonal.
pub fn check_cd_matrix(f: &CoordFunction2D) -> Result<(), String> {
    let cd = [f.cd11, f.cd12, f.cd21, f.cd22];
    let r = &f.ref_coord;
    let reference = [r.coord1.pix, r.coord1.val, r.coord2.pix, r.coord2.val];
    if cd.iter().chain(&reference).any(|x| !x.is_finite()) {
        return Err(format!(
            "function is not finite: cd = [{}, {}, {}, {}], refCoord = ({}, {}), ({}, {})",
            j(f.cd11),
            j(f.cd12),
            j(f.cd21),
            j(f.cd22),
            j(r.coord1.pix),
            j(r.coord1.val),
            j(r.coord2.pix),
            j(r.coord2.val)
        ));
    }
    // scale first so that tiny (but regular) matrices do not underflow to a zero determinant
    let scale = cd.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let det = if scale > 0.0 {
        (f.cd11 / scale) * (f.cd22 / scale) - (f.cd12 / scale) * (f.cd21 / scale)
    } else {
        0.0
    };
    if det == 0.0 {
        // the WCSLIB text and status the reference reports
        return Err("Linear transformation matrix is singular(3)".into());
    }
    Ok(())
}

/// CTYPEs whose CUNIT the reference checks before calling WCSLIB (case-insensitive, whole).
const WCSLIB_SPECTRAL_CTYPES: [&str; 10] = [
    "FREQ", "ENER", "WAVN", "VRAD", "WAVE", "VOPT", "ZOPT", "AWAV", "VELO", "BETA",
];
/// The units that check accepts (case-insensitive).
const WCSLIB_SPECTRAL_UNITS: [&str; 21] = [
    "Hz", "kHz", "MHz", "GHz", "eV", "keV", "MeV", "GeV", "m", "cm", "mm", "um", "µm", "nm",
    "Angstrom", "A", "J", "/m", "m/s", "km/s", "rad/s",
];

/// The spectral WCS rules: the range and every bounds sample convert to metres (§6.1 of
/// compute.md: unknown units are an unprefixed `Unknown units: …`); a function passes the
/// reference's unit pre-check and has a non-zero delta. The WCSLIB conversion of the function
/// is left to the crate that links WCSLIB.
pub fn validate_spectral(context: &str, wcs: &SpectralWcs) -> Result<(), String> {
    let fail = |msg: String| format!("Invalid SpectralWCS: {msg} in {context}");
    let axis = &wcs.axis;
    check_finite(axis).map_err(fail)?;
    let ctype = axis.axis.ctype.as_str();
    let cunit = axis.axis.cunit.as_deref();
    let convert = |v: f64| -> Result<f64, String> {
        if ctype.starts_with("WAVE") && cunit == Some("m") {
            return Ok(v);
        }
        units::to_meters(v, cunit.unwrap_or("null")).map_err(|e| e.to_string())
    };
    let ranges = axis
        .range
        .iter()
        .chain(axis.bounds.iter().flat_map(|b| &b.samples));
    for r in ranges {
        convert(r.start.val)?;
        convert(r.end.val)?;
    }
    if let Some(f) = &axis.function {
        let checked = WCSLIB_SPECTRAL_CTYPES
            .iter()
            .any(|t| java_equals_ignore_case(t, ctype));
        if let Some(u) = cunit.filter(|u| checked && !u.is_empty()) {
            if !WCSLIB_SPECTRAL_UNITS
                .iter()
                .any(|k| java_equals_ignore_case(k, u))
            {
                return Err(fail(
                    "Invalid coordinate transformation parameters(6)".into(),
                ));
            }
        }
        if f.delta == 0.0 {
            return Err(fail("Linear transformation matrix is singular(3)".into()));
        }
    }
    Ok(())
}

/// The temporal WCS rules, applied only when the axis has something to convert (a range,
/// bounds samples or a function), as the reference does: TIMESYS/CTYPE/CUNIT (§7.1 of
/// compute.md, prefixed), then no zero-width range or function over more than one pixel
/// (unprefixed). The ERFA check of TAI/TT dates is left to a crate that links ERFA.
pub fn validate_temporal(context: &str, wcs: &TemporalWcs) -> Result<(), String> {
    let axis = &wcs.axis;
    if !has_values(axis) {
        return Ok(());
    }
    let fail = |msg: String| format!("Invalid TemporalWCS: {msg} in {context}");
    let scales = ["TAI", "TT", "UTC"];
    let ctype = axis.axis.ctype.as_str();
    let system_ok = match wcs.timesys.as_deref() {
        Some(ts) => scales.contains(&ts) && (ctype == ts || ctype == "TIME"),
        None => scales.contains(&ctype),
    };
    let unit_ok = axis.axis.cunit.as_deref() == Some("d");
    let mut problems = Vec::new();
    if !system_ok {
        problems.push(format!(
            "unexpected TIMESYS, CTYPE: {},{ctype}",
            wcs.timesys.as_deref().unwrap_or("null")
        ));
    }
    if !unit_ok {
        problems.push(format!(
            "unexpected CUNIT: {}",
            axis.axis.cunit.as_deref().unwrap_or("null")
        ));
    }
    if !problems.is_empty() {
        return Err(fail(problems.join(" ")));
    }
    check_finite(axis).map_err(fail)?;
    check_zero_width(axis)
}

/// The polarization rule: every FITS STOKES code of the first of range, bounds and function
/// maps to a state (`invalid polarization code: N`, unprefixed).
pub fn validate_polarization(context: &str, wcs: &PolarizationWcs) -> Result<(), String> {
    let axis = &wcs.axis;
    check_finite(axis).map_err(|m| format!("Invalid PolarizationWCS: {m} in {context}"))?;
    let bad = if let Some(r) = &axis.range {
        first_invalid_code_in_range(r)
    } else if let Some(b) = &axis.bounds {
        b.samples.iter().find_map(first_invalid_code_in_range)
    } else if let Some(f) = &axis.function {
        first_invalid_code_of_function(f)
    } else {
        None
    };
    match bad {
        Some(code) => Err(invalid_polarization_code(code)),
        None => Ok(()),
    }
}

/// The state of a FITS STOKES code, or the reference's error.
pub fn polarization_state(code: i32) -> Result<PolarizationState, String> {
    PolarizationState::from_fits_code(code).ok_or_else(|| invalid_polarization_code(code))
}

fn invalid_polarization_code(code: i32) -> String {
    format!("invalid polarization code: {code}")
}

/// Codes `(int) start.val ..= (int) end.val`; Java's `(int)` saturates and maps NaN to 0, as
/// Rust's `as` does.
fn first_invalid_code_in_range(r: &CoordRange1D) -> Option<i32> {
    let (start, end) = (r.start.val as i32, r.end.val as i32);
    // valid codes form runs of at most 10, so this stops within a few steps however wide
    // the range is
    (i64::from(start)..=i64::from(end))
        .map(|c| c as i32)
        .find(|&c| PolarizationState::from_fits_code(c).is_none())
}

/// Codes `(int) pix2val(i)` for the pixel centres i = 1..=naxis.
fn first_invalid_code_of_function(f: &CoordFunction1D) -> Option<i32> {
    let code = |i: i64| (f.ref_coord.val + f.delta * (i as f64 - f.ref_coord.pix)) as i32;
    if f.naxis < 1 {
        return None;
    }
    // the code is monotone in i, so each run of equal codes is skipped by bisection and at
    // most a couple of dozen runs are visited even for a huge naxis
    let mut i = 1;
    loop {
        let c = code(i);
        if PolarizationState::from_fits_code(c).is_none() {
            return Some(c);
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
            return None;
        }
        i = lo + 1;
    }
}

/// The custom-axis rules (§9 of compute.md), applied only when the axis has something to
/// convert: a supported CTYPE (`FARADAY`, `RM`) with unit `rad/m**2` (`^` read as `**`), and
/// no zero-width range or function over more than one pixel. Messages are unprefixed.
pub fn validate_custom(context: &str, wcs: &CustomWcs) -> Result<(), String> {
    let axis = &wcs.axis;
    if !has_values(axis) {
        return Ok(());
    }
    let ctype = axis.axis.ctype.as_str();
    if !matches!(ctype, "FARADAY" | "RM") {
        return Err(format!("Invalid CTYPE: {ctype}"));
    }
    let raw = axis.axis.cunit.as_deref().unwrap_or("null");
    let normalised = raw.replace('^', "**");
    if normalised != "rad/m**2" {
        return Err(format!(
            "Invalid CUNIT for CTYPE: {ctype}. Expected: rad/m**2. Found: {normalised} (normalized, raw: {raw})"
        ));
    }
    check_finite(axis).map_err(|m| format!("Invalid CustomWCS: {m} in {context}"))?;
    check_zero_width(axis)
}

fn has_values(axis: &CoordAxis1D) -> bool {
    axis.range.is_some()
        || axis.function.is_some()
        || axis.bounds.as_ref().is_some_and(|b| !b.samples.is_empty())
}

/// Zero-width ranges and functions over more than one pixel, in the order the reference
/// converts them: range, bounds samples, function.
fn check_zero_width(axis: &CoordAxis1D) -> Result<(), String> {
    let ranges = axis
        .range
        .iter()
        .chain(axis.bounds.iter().flat_map(|b| &b.samples));
    for r in ranges {
        let np = (r.start.pix - r.end.pix).abs();
        let (a, b) = (r.start.val, r.end.val);
        if a == b && np > 1.0 {
            return Err(format!(
                "invalid CoordRange1D: found {} + pixels and delta = 0.0 in [{},{}]",
                j(np),
                j(a),
                j(b)
            ));
        }
    }
    if let Some(f) = &axis.function {
        if f.delta == 0.0 && f.naxis > 1 {
            return Err(format!(
                "invalid CoordFunction1D: found {} pixels and delta = 0.0",
                f.naxis
            ));
        }
    }
    Ok(())
}

/// The first NaN or infinite number of a 1-D axis. The reference does not check this and
/// lets NaN through conversions; an archive record with NaN coordinates is useless.
fn check_finite(axis: &CoordAxis1D) -> Result<(), String> {
    let bad = |what: String, v: f64| Err(format!("{what} is not finite: {}", j(v)));
    let ranges =
        axis.range
            .iter()
            .map(|r| ("range".to_string(), r))
            .chain(axis.bounds.iter().flat_map(|b| {
                b.samples
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("bounds.samples[{i}]"), r))
            }));
    for (name, r) in ranges {
        for (end, c) in [("start", r.start), ("end", r.end)] {
            for (field, v) in [("pix", c.pix), ("val", c.val)] {
                if !v.is_finite() {
                    return bad(format!("{name}.{end}.{field}"), v);
                }
            }
        }
    }
    if let Some(f) = &axis.function {
        for (field, v) in [
            ("delta", f.delta),
            ("refCoord.pix", f.ref_coord.pix),
            ("refCoord.val", f.ref_coord.val),
        ] {
            if !v.is_finite() {
                return bad(format!("function.{field}"), v);
            }
        }
    }
    Ok(())
}

/// `String.equalsIgnoreCase`: char by char, equal if equal in upper or in lower case.
fn java_equals_ignore_case(a: &str, b: &str) -> bool {
    let upper = |c: char| single_char(c.to_uppercase(), c);
    let lower = |c: char| single_char(c.to_lowercase(), c);
    a.chars().count() == b.chars().count()
        && a.chars()
            .zip(b.chars())
            .all(|(x, y)| x == y || upper(x) == upper(y) || lower(x) == lower(y))
}

/// The one-character case mapping; Java's per-char mapping keeps characters that expand.
fn single_char(mut mapped: impl Iterator<Item = char>, c: char) -> char {
    match (mapped.next(), mapped.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn j(d: f64) -> String {
    java::double_to_string(d)
}

/// Energy units as the reference's `EnergyConverter` reads them (compute.md §6.1), with its
/// old CGS constants, so that converted values are bit-identical.
pub mod units {
    /// Speed of light, m/s (the reference's value, not the SI one).
    pub const SPEED_OF_LIGHT: f64 = 2.9979250e8;
    /// Planck's constant, erg·s.
    pub const PLANCK: f64 = 6.62620e-27;
    /// One electronvolt in erg.
    pub const ELECTRON_VOLT: f64 = 1.602192e-12;

    const FREQUENCY: [(&str, f64); 4] = [("Hz", 1.0), ("kHz", 1e3), ("MHz", 1e6), ("GHz", 1e9)];
    const ENERGY: [(&str, f64); 4] = [("eV", 1.0), ("keV", 1e3), ("MeV", 1e6), ("GeV", 1e9)];
    const WAVELENGTH: [(&str, f64); 8] = [
        ("m", 1.0),
        ("cm", 1e-2),
        ("mm", 1e-3),
        ("um", 1e-6),
        ("µm", 1e-6),
        ("nm", 1e-9),
        ("Angstrom", 1e-10),
        ("A", 1e-10),
    ];

    /// A unit none of the tables knows.
    #[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
    #[error("Unknown units: {0}")]
    pub struct UnknownUnits(pub String);

    enum Family {
        Frequency,
        Energy,
        Wavelength,
    }

    /// The first table entry the unit matches, ASCII case-insensitively, searching frequency,
    /// energy, then wavelength: so `MHZ` is MHz, `Mm` is millimetres and `a` is Ångström.
    /// (The reference compiles the unit as a regular expression; a unit with regex
    /// metacharacters is taken literally here and is then unknown.)
    fn lookup(unit: &str) -> Result<(Family, f64), UnknownUnits> {
        let find = |table: &[(&str, f64)]| {
            table
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(unit))
                .map(|(_, m)| *m)
        };
        if let Some(m) = find(&FREQUENCY) {
            return Ok((Family::Frequency, m));
        }
        if let Some(m) = find(&ENERGY) {
            return Ok((Family::Energy, m));
        }
        if let Some(m) = find(&WAVELENGTH) {
            return Ok((Family::Wavelength, m));
        }
        Err(UnknownUnits(unit.to_string()))
    }

    /// Vacuum wavelength in metres of a spectral value in `unit`.
    pub fn to_meters(value: f64, unit: &str) -> Result<f64, UnknownUnits> {
        Ok(match lookup(unit)? {
            (Family::Frequency, m) => SPEED_OF_LIGHT / (value * m),
            (Family::Energy, m) => {
                let e = (ELECTRON_VOLT * value) * m;
                (SPEED_OF_LIGHT * PLANCK) / e
            }
            (Family::Wavelength, m) => value * m,
        })
    }

    /// Frequency in Hz of a spectral value in `unit`.
    pub fn to_hz(value: f64, unit: &str) -> Result<f64, UnknownUnits> {
        Ok(match lookup(unit)? {
            (Family::Frequency, m) => value * m,
            (Family::Energy, _) => SPEED_OF_LIGHT / to_meters(value, unit)?,
            (Family::Wavelength, m) => SPEED_OF_LIGHT / (value * m),
        })
    }
}

struct Validator {
    out: Vec<Violation>,
}

impl Validator {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.out.push(Violation {
            path: path.into(),
            message: message.into(),
        });
    }

    /// A required string: present means non-blank (Java-trimmed). Returns whether it is.
    fn required(&mut self, path: &str, value: &str) -> bool {
        let ok = !java::trim(value).is_empty();
        if !ok {
            self.push(path, "must not be empty");
        }
        ok
    }

    fn path_component(&mut self, path: &str, value: &str) {
        if let Some(msg) = path_component_problem(value) {
            self.push(path, msg);
        }
    }

    fn keywords(&mut self, path: &str, keywords: &[String]) {
        for (i, k) in keywords.iter().enumerate() {
            if k.contains('|') {
                self.push(
                    format!("{path}[{i}]"),
                    format!("keyword {k:?} contains '|', the database separator"),
                );
            }
        }
    }

    fn group_uris(&mut self, path: &str, uris: &[Uri]) {
        for (i, u) in uris.iter().enumerate() {
            if let Some(msg) = group_uri_problem(u) {
                self.push(format!("{path}[{i}]"), msg);
            }
        }
    }

    fn interval(&mut self, path: &str, i: &Interval) {
        if let Some(msg) = interval_problem(i) {
            self.push(path, msg);
        }
    }

    /// `SampledInterval.validate()`, one violation per failing rule and sample.
    fn sampled_interval(&mut self, path: &str, s: &SampledInterval) {
        let outer = Interval::new(s.lower, s.upper);
        self.interval(path, &outer);
        if s.samples.is_empty() {
            self.push(format!("{path}.samples"), "must have at least one sample");
        }
        let mut previous: Option<&Interval> = None;
        for (i, x) in s.samples.iter().enumerate() {
            let p = format!("{path}.samples[{i}]");
            if let Some(msg) = interval_problem(x) {
                self.push(&p, msg);
            } else if interval_problem(&outer).is_none() && (x.lower < s.lower || x.upper > s.upper)
            {
                self.push(
                    &p,
                    format!(
                        "sample [{}, {}] extends outside the interval [{}, {}]",
                        j(x.lower),
                        j(x.upper),
                        j(s.lower),
                        j(s.upper)
                    ),
                );
            }
            if let Some(prev) = previous {
                // not `>` so that NaN neighbours (already reported) add nothing here
                if x.lower <= prev.upper {
                    self.push(
                        &p,
                        format!(
                            "sample [{}, {}] is not after the previous sample [{}, {}]: samples must be sorted and must not overlap",
                            j(x.lower),
                            j(x.upper),
                            j(prev.lower),
                            j(prev.upper)
                        ),
                    );
                }
            }
            previous = Some(x);
        }
    }

    fn dimension(&mut self, path: &str, d: &Dimension2D) {
        if d.naxis1 <= 0 || d.naxis2 <= 0 {
            self.push(
                path,
                format!(
                    "Dimension2D naxis1 and naxis2 must be > 0, found {} × {}",
                    d.naxis1, d.naxis2
                ),
            );
        }
    }

    fn transition(&mut self, path: &str, t: &EnergyTransition) -> bool {
        let a = self.required(&format!("{path}.species"), &t.species);
        let b = self.required(&format!("{path}.transition"), &t.transition);
        a && b
    }

    fn observation(&mut self, obs: &Observation) {
        self.path_component("Observation.collection", &obs.collection);
        self.path_component("Observation.observationID", &obs.observation_id);
        self.required("Observation.algorithm.name", &obs.algorithm.name);
        if let ObservationKind::Derived { members } = &obs.kind {
            if java::trim(&obs.algorithm.name) == "exposure" {
                self.push(
                    "Observation.algorithm.name",
                    "a DerivedObservation must not use the algorithm \"exposure\"",
                );
            }
            for (i, m) in members.iter().enumerate() {
                if let Some(msg) = caom_uri_problem(m, 2) {
                    self.push(format!("Observation.members[{i}]"), msg);
                }
            }
        }
        self.group_uris("Observation.metaReadGroups", &obs.meta_read_groups);
        if let Some(p) = &obs.proposal {
            self.required("Observation.proposal.id", &p.id);
            self.keywords("Observation.proposal.keywords", &p.keywords);
        }
        if let Some(t) = &obs.target {
            self.required("Observation.target.name", &t.name);
            self.keywords("Observation.target.keywords", &t.keywords);
        }
        if let Some(tp) = &obs.target_position {
            self.required("Observation.targetPosition.coordsys", &tp.coordsys);
        }
        if let Some(t) = &obs.telescope {
            self.required("Observation.telescope.name", &t.name);
            self.keywords("Observation.telescope.keywords", &t.keywords);
        }
        if let Some(i) = &obs.instrument {
            self.required("Observation.instrument.name", &i.name);
            self.keywords("Observation.instrument.keywords", &i.keywords);
        }
        for (i, plane) in obs.planes.iter().enumerate() {
            let path = format!("Observation.planes[{}]", plane.product_id);
            if obs.planes[..i]
                .iter()
                .any(|p| p.product_id == plane.product_id)
            {
                self.push(
                    &path,
                    "duplicate productID: planes of an observation must have distinct productIDs",
                );
            }
            self.plane(&path, plane);
        }
    }

    fn plane(&mut self, path: &str, plane: &Plane) {
        self.path_component(&format!("{path}.productID"), &plane.product_id);
        self.group_uris(&format!("{path}.metaReadGroups"), &plane.meta_read_groups);
        self.group_uris(&format!("{path}.dataReadGroups"), &plane.data_read_groups);
        if let Some(p) = &plane.provenance {
            self.required(&format!("{path}.provenance.name"), &p.name);
            self.keywords(&format!("{path}.provenance.keywords"), &p.keywords);
            for (i, u) in p.inputs.iter().enumerate() {
                if let Some(msg) = caom_uri_problem(u, 3) {
                    self.push(format!("{path}.provenance.inputs[{i}]"), msg);
                }
            }
        }
        if let Some(o) = &plane.observable {
            self.required(&format!("{path}.observable.ucd"), &o.ucd);
        }
        if let Some(pos) = &plane.position {
            match &pos.bounds {
                Some(Shape::Polygon(poly)) => {
                    if let Err(e) = geometry::validate_polygon_points(&poly.points) {
                        self.push(format!("{path}.position.bounds"), e.to_string());
                    }
                    if let Err(e) = geometry::validate_multipolygon(&poly.samples) {
                        self.push(format!("{path}.position.bounds.samples"), e.to_string());
                    }
                }
                Some(Shape::Circle(c)) if !positive(c.radius) => {
                    self.push(
                        format!("{path}.position.bounds.radius"),
                        format!("Circle radius must be > 0, found {}", j(c.radius)),
                    );
                }
                _ => {}
            }
            if let Some(d) = &pos.dimension {
                self.dimension(&format!("{path}.position.dimension"), d);
            }
            if let Some(i) = &pos.resolution_bounds {
                self.interval(&format!("{path}.position.resolutionBounds"), i);
            }
        }
        if let Some(e) = &plane.energy {
            if let Some(b) = &e.bounds {
                self.sampled_interval(&format!("{path}.energy.bounds"), b);
            }
            if let Some(i) = &e.resolving_power_bounds {
                self.interval(&format!("{path}.energy.resolvingPowerBounds"), i);
            }
            if let Some(t) = &e.transition {
                self.transition(&format!("{path}.energy.transition"), t);
            }
        }
        if let Some(t) = &plane.time {
            if let Some(b) = &t.bounds {
                self.sampled_interval(&format!("{path}.time.bounds"), b);
            }
            if let Some(i) = &t.resolution_bounds {
                self.interval(&format!("{path}.time.resolutionBounds"), i);
            }
        }
        if let Some(c) = &plane.custom {
            self.required(&format!("{path}.custom.ctype"), &c.ctype);
            if let Some(b) = &c.bounds {
                self.sampled_interval(&format!("{path}.custom.bounds"), b);
            }
        }
        for (i, a) in plane.artifacts.iter().enumerate() {
            let apath = format!("{path}.artifacts[{}]", a.uri);
            if plane.artifacts[..i]
                .iter()
                .any(|x| x.uri.as_str() == a.uri.as_str())
            {
                self.push(
                    &apath,
                    "duplicate uri: artifacts of a plane must have distinct URIs",
                );
            }
            self.artifact(&apath, a);
        }
    }

    fn artifact(&mut self, path: &str, a: &Artifact) {
        if let Some(c) = &a.content_checksum {
            if let Some(msg) = checksum_problem(c) {
                self.push(format!("{path}.contentChecksum"), msg);
            }
        }
        self.group_uris(&format!("{path}.contentReadGroups"), &a.content_read_groups);
        for (i, part) in a.parts.iter().enumerate() {
            let ppath = format!("{path}.parts[{}]", part.name);
            if a.parts[..i].iter().any(|x| x.name == part.name) {
                self.push(
                    &ppath,
                    "duplicate name: parts of an artifact must have distinct names",
                );
            }
            self.part(&ppath, a.uri.as_str(), part);
        }
    }

    fn part(&mut self, path: &str, artifact_uri: &str, part: &Part) {
        self.required(&format!("{path}.name"), &part.name);
        for (i, chunk) in part.chunks.iter().enumerate() {
            self.chunk(
                &format!("{path}.chunks[{i}]"),
                artifact_uri,
                &part.name,
                chunk,
            );
        }
    }

    /// Runs `check` and tells whether it reported anything.
    fn reports(&mut self, check: impl FnOnce(&mut Validator)) -> bool {
        let n = self.out.len();
        check(self);
        self.out.len() > n
    }

    fn chunk(&mut self, path: &str, artifact_uri: &str, part_name: &str, chunk: &Chunk) {
        // constructor checks first: a WCS object failing them gets no WCS rules
        let mut skip = Skip::default();
        if let Some(w) = &chunk.position {
            skip.position = self.reports(|v| v.spatial_model(&format!("{path}.position"), w));
        }
        if let Some(w) = &chunk.energy {
            skip.energy = self.reports(|v| {
                let p = format!("{path}.energy");
                v.axis_1d(&p, &w.axis);
                v.required(&format!("{p}.specsys"), &w.specsys);
                if let Some(t) = &w.transition {
                    v.transition(&format!("{p}.transition"), t);
                }
            });
        }
        if let Some(w) = &chunk.time {
            skip.time = self.reports(|v| v.axis_1d(&format!("{path}.time"), &w.axis));
        }
        if let Some(w) = &chunk.polarization {
            if w.axis.axis.ctype != "STOKES" {
                skip.polarization = true;
                self.push(
                    format!("{path}.polarization.axis.axis.ctype"),
                    format!(
                        "PolarizationWCS axis ctype must be STOKES, found {:?}",
                        w.axis.axis.ctype
                    ),
                );
            }
        }
        if let Some(w) = &chunk.custom {
            skip.custom = self.reports(|v| v.axis_1d(&format!("{path}.custom"), &w.axis));
        }
        if let Some(o) = &chunk.observable {
            self.axis(
                &format!("{path}.observable.dependent.axis"),
                &o.dependent.axis,
            );
            if let Some(ind) = &o.independent {
                self.axis(&format!("{path}.observable.independent.axis"), &ind.axis);
            }
        }
        let context = wcs_context(artifact_uri, part_name, chunk);
        for problem in chunk_wcs(&context, chunk, skip) {
            let p = match problem.aspect.field() {
                Some(field) => format!("{path}.{field}"),
                None => path.to_string(),
            };
            self.push(p, problem.message);
        }
    }

    fn axis(&mut self, path: &str, a: &Axis) {
        self.required(&format!("{path}.ctype"), &a.ctype);
    }

    fn axis_1d(&mut self, path: &str, a: &CoordAxis1D) {
        self.axis(&format!("{path}.axis.axis"), &a.axis);
    }

    fn spatial_model(&mut self, path: &str, w: &SpatialWcs) {
        let a = &w.axis;
        self.axis(&format!("{path}.axis.axis1"), &a.axis1);
        self.axis(&format!("{path}.axis.axis2"), &a.axis2);
        if let Some(r) = &a.range {
            if let Some(msg) = range_2d_problem(r) {
                self.push(format!("{path}.axis.range"), msg);
            }
        }
        match &a.bounds {
            Some(CoordBounds2D::Polygon(p)) if p.vertices.len() < 3 => self.push(
                format!("{path}.axis.bounds"),
                format!(
                    "CoordPolygon2D has {} vertices: minimum 3",
                    p.vertices.len()
                ),
            ),
            Some(CoordBounds2D::Circle(c)) if !positive(c.radius) => self.push(
                format!("{path}.axis.bounds.radius"),
                format!("CoordCircle2D radius must be > 0, found {}", j(c.radius)),
            ),
            _ => {}
        }
        if let Some(f) = &a.function {
            self.dimension(&format!("{path}.axis.function.dimension"), &f.dimension);
        }
    }
}

/// `x > 0`; false for NaN, so `!positive(x)` rejects NaN too.
fn positive(x: f64) -> bool {
    x > 0.0
}

fn interval_problem(i: &Interval) -> Option<String> {
    if i.lower.is_nan() || i.upper.is_nan() {
        return Some(format!(
            "interval bounds must be numbers, found [{}, {}]",
            j(i.lower),
            j(i.upper)
        ));
    }
    (i.upper < i.lower).then(|| format!("upper ({}) < lower ({})", j(i.upper), j(i.lower)))
}

fn range_2d_problem(r: &CoordRange2D) -> Option<String> {
    let same = [
        ("coord1.pix", r.start.coord1.pix, r.end.coord1.pix),
        ("coord2.pix", r.start.coord2.pix, r.end.coord2.pix),
        ("coord1.val", r.start.coord1.val, r.end.coord1.val),
        ("coord2.val", r.start.coord2.val, r.end.coord2.val),
    ];
    let equal: Vec<&str> = same
        .iter()
        .filter(|(_, a, b)| a == b)
        .map(|(name, _, _)| *name)
        .collect();
    (!equal.is_empty()).then(|| {
        format!(
            "CoordRange2D start and end must differ in both pixel and both world coordinates; equal: {}",
            equal.join(", ")
        )
    })
}

/// Collection, observationID and productID: non-empty, without space, `/`, `\` or `%`.
fn path_component_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".into());
    }
    let bad = [(' ', "' '"), ('/', "'/'"), ('\\', "'\\'"), ('%', "'%'")];
    bad.iter()
        .find(|(c, _)| value.contains(*c))
        .map(|(_, shown)| format!("{value:?} is not a valid path component: it contains {shown}"))
}

/// ObservationURI (`parts` = 2) or PlaneURI (3): scheme `caom`, then that many path
/// components separated by `/` (split the Java way: trailing empty parts are dropped).
fn caom_uri_problem(u: &Uri, parts: usize) -> Option<String> {
    let (kind, form) = if parts == 2 {
        ("an observation URI", "caom:{collection}/{observationID}")
    } else {
        (
            "a plane URI",
            "caom:{collection}/{observationID}/{productID}",
        )
    };
    if u.scheme() != Some("caom") {
        return Some(format!("{u} is not {kind}: expected {form}"));
    }
    let ssp = u.scheme_specific_part();
    let mut split: Vec<&str> = ssp.split('/').collect();
    if ssp.contains('/') {
        while split.last() == Some(&"") {
            split.pop();
        }
    }
    if split.len() != parts {
        return Some(format!(
            "{u} is not {kind}: {} path parts, expected {form}",
            split.len()
        ));
    }
    split
        .iter()
        .find_map(|p| path_component_problem(p))
        .map(|m| format!("{u} is not {kind}: {m}"))
}

/// GroupURI: `ivo://{authority}/{path}?{name}`, no fragment.
fn group_uri_problem(u: &Uri) -> Option<String> {
    let fail = |why: &str| {
        Some(format!(
            "{u} is not a group URI ivo://{{authority}}/{{path}}?{{name}}: {why}"
        ))
    };
    let Some(rest) = u.as_str().strip_prefix("ivo://") else {
        return fail("scheme must be ivo");
    };
    if rest.contains('#') {
        return fail("a fragment is not allowed");
    }
    let (hier, name) = match rest.split_once('?') {
        Some((h, q)) => (h, q),
        None => (rest, ""),
    };
    let (authority, path) = match hier.find('/') {
        Some(i) => (&hier[..i], &hier[i..]),
        None => (hier, ""),
    };
    if authority.is_empty() {
        return fail("no authority");
    }
    if path.len() < 2 {
        return fail("no path");
    }
    if name.is_empty() {
        return fail("no group name (query)");
    }
    None
}

/// Artifact.contentChecksum: `{algorithm}:{hex}` with an even number of hex digits.
fn checksum_problem(u: &Uri) -> Option<String> {
    let Some(scheme) = u.scheme() else {
        return Some(format!("{u} is not {{algorithm}}:{{hex}}: no algorithm"));
    };
    let hex = u.scheme_specific_part();
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(format!(
            "{u} is not {scheme}:{{hex}}: {hex:?} is not a hex string"
        ));
    }
    if hex.len() % 2 == 1 {
        return Some(format!(
            "{u} is not {scheme}:{{hex}}: odd number of hex digits ({})",
            hex.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::vectors::{self, f};
    use crate::sample;
    use crate::shape::{Circle, MultiPolygon, Point, Polygon};
    use crate::wcs::*;
    use serde_json::Value;

    fn uri(s: &str) -> Uri {
        Uri::parse(s).unwrap()
    }

    /// A complete, valid observation.
    fn baseline() -> Observation {
        sample::complete_observation()
    }

    fn messages(obs: &Observation) -> Vec<String> {
        validate(obs).iter().map(ToString::to_string).collect()
    }

    /// Asserts exactly one violation, at `path`, whose message contains `needle`.
    fn one(obs: &Observation, path: &str, needle: &str) {
        let v = validate(obs);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].path, path, "{v:#?}");
        assert!(v[0].message.contains(needle), "{v:#?}");
    }

    const P0: &str = "Observation.planes[product-0]";
    const A0: &str = "Observation.planes[product-0].artifacts[cadc:TEST/sample-0-0.fits]";
    const C0: &str =
        "Observation.planes[product-0].artifacts[cadc:TEST/sample-0-0.fits].parts[0].chunks[0]";

    fn chunk0(obs: &mut Observation) -> &mut Chunk {
        &mut obs.planes[0].artifacts[0].parts[0].chunks[0]
    }

    #[test]
    fn clockwise_plane_polygons_are_rejected() {
        // the same square listed the other way round runs clockwise on the sky
        let mut obs = baseline();
        if let Some(Shape::Polygon(poly)) = obs.planes[0]
            .position
            .as_mut()
            .and_then(|x| x.bounds.as_mut())
        {
            poly.points.reverse();
        }
        assert_eq!(
            messages(&obs),
            [format!(
                "{P0}.position.bounds: invalid Polygon: clockwise winding direction"
            )]
        );
    }

    #[test]
    fn baselines_are_valid() {
        assert_eq!(messages(&baseline()), Vec::<String>::new());
        assert_eq!(
            messages(&sample::minimal_observation()),
            Vec::<String>::new()
        );
        assert_eq!(
            messages(&sample::mosaic_observation()),
            Vec::<String>::new()
        );
        assert_eq!(
            messages(&Observation::simple("C", "o")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn path_components() {
        for (bad, shown) in [
            ("a b", "' '"),
            ("a/b", "'/'"),
            ("a\\b", "'\\'"),
            ("50%", "'%'"),
        ] {
            let mut obs = baseline();
            obs.collection = bad.into();
            one(&obs, "Observation.collection", shown);
            let mut obs = baseline();
            obs.observation_id = bad.into();
            one(&obs, "Observation.observationID", shown);
            let mut obs = baseline();
            obs.planes[1].product_id = bad.into();
            one(&obs, &format!("Observation.planes[{bad}].productID"), shown);
        }
        let mut obs = baseline();
        obs.collection.clear();
        one(&obs, "Observation.collection", "must not be empty");
    }

    #[test]
    fn derived_algorithm_and_members() {
        let mut obs = baseline();
        obs.algorithm.name = "exposure".into();
        one(&obs, "Observation.algorithm.name", "exposure");
        let mut obs = baseline();
        obs.algorithm.name = " ".into();
        one(&obs, "Observation.algorithm.name", "must not be empty");
        // a simple observation may use any algorithm
        let mut obs = Observation::simple("C", "o");
        obs.algorithm.name = "stack".into();
        assert!(validate(&obs).is_empty());
        for (bad, needle) in [
            ("caom:TEST", "1 path parts"),
            ("caom:TEST/a/b", "3 path parts"),
            ("caom:TEST/", "1 path parts"),
            ("ad:TEST/a", "expected caom:"),
            ("caom:TEST/a%20b", "'%'"),
            ("caom:/a", "must not be empty"),
        ] {
            let mut obs = baseline();
            if let ObservationKind::Derived { members } = &mut obs.kind {
                members[1] = uri(bad);
            }
            one(&obs, "Observation.members[1]", needle);
        }
    }

    #[test]
    fn provenance_inputs_are_plane_uris() {
        let mut obs = baseline();
        obs.planes[0].provenance.as_mut().unwrap().inputs[0] = uri("caom:TEST/member-1");
        one(
            &obs,
            &format!("{P0}.provenance.inputs[0]"),
            "2 path parts, expected caom:{collection}/{observationID}/{productID}",
        );
        let mut obs = baseline();
        obs.planes[0].provenance.as_mut().unwrap().name.clear();
        one(&obs, &format!("{P0}.provenance.name"), "must not be empty");
    }

    #[test]
    fn group_uris() {
        for (bad, needle) in [
            ("ivo://cadc.nrc.ca/gms", "no group name"),
            ("ivo://cadc.nrc.ca/gms?", "no group name"),
            ("http://cadc.nrc.ca/gms?A", "scheme must be ivo"),
            ("ivo://cadc.nrc.ca?A", "no path"),
            ("ivo:///gms?A", "no authority"),
            ("ivo://cadc.nrc.ca/gms?A#x", "fragment"),
        ] {
            let mut obs = baseline();
            obs.meta_read_groups.push(uri(bad));
            one(&obs, "Observation.metaReadGroups[1]", needle);
            let mut obs = baseline();
            obs.planes[0].data_read_groups[1] = uri(bad);
            one(&obs, &format!("{P0}.dataReadGroups[1]"), needle);
            let mut obs = baseline();
            obs.planes[0].meta_read_groups[0] = uri(bad);
            one(&obs, &format!("{P0}.metaReadGroups[0]"), needle);
            let mut obs = baseline();
            obs.planes[0].artifacts[0].content_read_groups[0] = uri(bad);
            one(&obs, &format!("{A0}.contentReadGroups[0]"), needle);
        }
    }

    #[test]
    fn keywords_without_separator() {
        let mut obs = baseline();
        obs.proposal.as_mut().unwrap().keywords[1] = "a|b".into();
        obs.target.as_mut().unwrap().keywords[0] = "|".into();
        obs.telescope.as_mut().unwrap().keywords[0] = "x|".into();
        obs.instrument.as_mut().unwrap().keywords[1] = "|y".into();
        obs.planes[1].provenance.as_mut().unwrap().keywords[0] = "p|q".into();
        let paths: Vec<String> = validate(&obs).into_iter().map(|v| v.path).collect();
        assert_eq!(
            paths,
            [
                "Observation.proposal.keywords[1]",
                "Observation.target.keywords[0]",
                "Observation.telescope.keywords[0]",
                "Observation.instrument.keywords[1]",
                "Observation.planes[product-1].provenance.keywords[0]",
            ]
        );
    }

    #[test]
    fn required_strings() {
        let mut obs = baseline();
        obs.proposal.as_mut().unwrap().id = "".into();
        obs.target.as_mut().unwrap().name = " ".into();
        obs.target_position.as_mut().unwrap().coordsys = "".into();
        obs.telescope.as_mut().unwrap().name = "".into();
        obs.instrument.as_mut().unwrap().name = "\t".into();
        obs.planes[0].observable.as_mut().unwrap().ucd = "".into();
        obs.planes[0]
            .energy
            .as_mut()
            .unwrap()
            .transition
            .as_mut()
            .unwrap()
            .species = "".into();
        obs.planes[0].custom.as_mut().unwrap().ctype = "".into();
        obs.planes[0].artifacts[0].parts[1].name = "".into();
        let paths: Vec<String> = validate(&obs).into_iter().map(|v| v.path).collect();
        assert_eq!(
            paths,
            [
                "Observation.proposal.id",
                "Observation.target.name",
                "Observation.targetPosition.coordsys",
                "Observation.telescope.name",
                "Observation.instrument.name",
                "Observation.planes[product-0].observable.ucd",
                "Observation.planes[product-0].energy.transition.species",
                "Observation.planes[product-0].custom.ctype",
                "Observation.planes[product-0].artifacts[cadc:TEST/sample-0-0.fits].parts[].name",
            ]
        );
    }

    /// Replaces the points of plane 0's polygon, keeping its (valid) samples.
    fn set_polygon(obs: &mut Observation, points: &[(f64, f64)]) {
        if let Some(Shape::Polygon(p)) = &mut obs.planes[0].position.as_mut().unwrap().bounds {
            p.points = points.iter().map(|&(x, y)| Point::new(x, y)).collect();
        }
    }

    #[test]
    fn plane_polygon_rules() {
        let mut obs = baseline();
        set_polygon(&mut obs, &[(2.0, 2.0), (4.0, 2.0), (4.0, 4.0), (2.0, 4.0)]);
        one(
            &obs,
            &format!("{P0}.position.bounds"),
            "invalid Polygon: clockwise winding direction",
        );
        set_polygon(&mut obs, &[(2.0, 2.0), (2.0, 4.0), (4.0, 2.0), (4.0, 4.0)]);
        one(
            &obs,
            &format!("{P0}.position.bounds"),
            "segment intersect Segment[2.0,4.0:4.0,2.0] vs Segment[4.0,4.0:2.0,2.0]",
        );
        set_polygon(&mut obs, &[(2.0, 2.0), (1.0, 4.0)]);
        one(
            &obs,
            &format!("{P0}.position.bounds"),
            "polygon has 2 points: minimum 3",
        );
        // points and samples are separate objects, each reported
        obs.planes[0].position.as_mut().unwrap().bounds =
            Some(Shape::Polygon(Polygon::from_points(vec![
                Point::new(2.0, 2.0),
                Point::new(1.0, 4.0),
            ])));
        let v = messages(&obs);
        assert_eq!(
            v,
            [
                format!("{P0}.position.bounds: polygon has 2 points: minimum 3"),
                format!("{P0}.position.bounds.samples: invalid MultiPolygon: 3 vertices"),
            ]
        );
        let mut obs = baseline();
        set_polygon(&mut obs, &[(360.0, 2.0), (359.0, 4.0), (361.0, 3.0)]);
        one(
            &obs,
            &format!("{P0}.position.bounds"),
            "invalid Polygon: longitude not in [0,360]: 361.0",
        );
        // samples: winding is free, structure and crossings are not
        let mut obs = baseline();
        if let Some(Shape::Polygon(p)) = &mut obs.planes[0].position.as_mut().unwrap().bounds {
            p.samples = MultiPolygon::from_points(&[
                Point::new(2.0, 2.0),
                Point::new(2.0, 4.0),
                Point::new(4.0, 2.0),
                Point::new(4.0, 4.0),
            ]);
        }
        one(
            &obs,
            &format!("{P0}.position.bounds.samples"),
            "segment intersect",
        );
    }

    #[test]
    fn plane_circle_dimension_and_intervals() {
        for r in [0.0, -1.0, f64::NAN] {
            let mut obs = baseline();
            obs.planes[0].position.as_mut().unwrap().bounds = Some(Shape::Circle(Circle {
                center: Point::new(10.0, 10.0),
                radius: r,
            }));
            one(
                &obs,
                &format!("{P0}.position.bounds.radius"),
                "Circle radius must be > 0",
            );
        }
        let mut obs = baseline();
        obs.planes[0].position.as_mut().unwrap().dimension = Some(Dimension2D {
            naxis1: 0,
            naxis2: 5,
        });
        one(&obs, &format!("{P0}.position.dimension"), "found 0 × 5");
        let mut obs = baseline();
        obs.planes[0].position.as_mut().unwrap().resolution_bounds = Some(Interval::new(2.0, 1.0));
        one(
            &obs,
            &format!("{P0}.position.resolutionBounds"),
            "upper (1.0) < lower (2.0)",
        );
        let mut obs = baseline();
        obs.planes[0]
            .energy
            .as_mut()
            .unwrap()
            .resolving_power_bounds = Some(Interval::new(f64::NAN, 1.0));
        one(
            &obs,
            &format!("{P0}.energy.resolvingPowerBounds"),
            "must be numbers",
        );
        let mut obs = baseline();
        obs.planes[1].time.as_mut().unwrap().resolution_bounds = Some(Interval::new(1.0, 0.5));
        one(
            &obs,
            "Observation.planes[product-1].time.resolutionBounds",
            "upper (0.5) < lower (1.0)",
        );
    }

    #[test]
    fn sampled_intervals() {
        let set = |obs: &mut Observation, s: SampledInterval| {
            obs.planes[0].energy.as_mut().unwrap().bounds = Some(s)
        };
        let b = format!("{P0}.energy.bounds");
        let mut obs = baseline();
        set(
            &mut obs,
            SampledInterval {
                lower: 1.0,
                upper: 2.0,
                samples: vec![],
            },
        );
        one(&obs, &format!("{b}.samples"), "at least one sample");
        set(
            &mut obs,
            SampledInterval {
                lower: 2.0,
                upper: 1.0,
                samples: vec![Interval::new(1.0, 2.0)],
            },
        );
        one(&obs, &b, "upper (1.0) < lower (2.0)");
        set(
            &mut obs,
            SampledInterval {
                lower: 1.0,
                upper: 2.0,
                samples: vec![Interval::new(0.5, 2.0)],
            },
        );
        one(
            &obs,
            &format!("{b}.samples[0]"),
            "outside the interval [1.0, 2.0]",
        );
        set(
            &mut obs,
            SampledInterval {
                lower: 1.0,
                upper: 4.0,
                samples: vec![Interval::new(1.0, 2.0), Interval::new(2.0, 4.0)],
            },
        );
        one(&obs, &format!("{b}.samples[1]"), "must not overlap");
        set(
            &mut obs,
            SampledInterval {
                lower: 1.0,
                upper: 4.0,
                samples: vec![Interval::new(3.0, 4.0), Interval::new(1.0, 2.0)],
            },
        );
        one(&obs, &format!("{b}.samples[1]"), "sorted");
        set(
            &mut obs,
            SampledInterval {
                lower: 1.0,
                upper: 4.0,
                samples: vec![Interval::new(1.0, 4.0), Interval::new(3.0, 2.5)],
            },
        );
        let v = messages(&obs);
        assert_eq!(v.len(), 2, "{v:#?}");
        assert!(
            v[0].contains("samples[1]: upper (2.5) < lower (3.0)"),
            "{v:#?}"
        );
        let mut obs = baseline();
        obs.planes[0].time.as_mut().unwrap().bounds = Some(SampledInterval::single(f64::NAN, 1.0));
        assert_eq!(validate(&obs).len(), 2, "{:#?}", validate(&obs));
        let mut obs = baseline();
        obs.planes[0].custom.as_mut().unwrap().bounds = Some(SampledInterval::single(3.0, 1.0));
        assert!(validate(&obs)
            .iter()
            .all(|v| v.path.starts_with(&format!("{P0}.custom.bounds"))));
    }

    #[test]
    fn content_checksums() {
        for (bad, needle) in [
            ("md5:xyz", "not a hex string"),
            ("md5:abc", "odd number"),
            ("sha1:0x12", "not a hex"),
        ] {
            let mut obs = baseline();
            obs.planes[0].artifacts[0].content_checksum = Some(uri(bad));
            one(&obs, &format!("{A0}.contentChecksum"), needle);
        }
        let mut obs = baseline();
        obs.planes[0].artifacts[0].content_checksum = Some(uri("md5:ABCDEF0123"));
        assert!(validate(&obs).is_empty());
    }

    #[test]
    fn duplicates() {
        let mut obs = baseline();
        obs.planes[1].product_id = "product-0".into();
        let v = validate(&obs);
        assert!(
            v.iter()
                .any(|x| x.path == P0 && x.message.contains("duplicate productID")),
            "{v:#?}"
        );
        let mut obs = baseline();
        obs.planes[0].artifacts[1].uri = obs.planes[0].artifacts[0].uri.clone();
        assert!(validate(&obs)
            .iter()
            .any(|x| x.path == A0 && x.message.contains("duplicate uri")));
        let mut obs = baseline();
        obs.planes[0].artifacts[0].parts[1].name = "0".into();
        assert!(validate(&obs)
            .iter()
            .any(|x| x.message.contains("duplicate name")));
    }

    #[test]
    fn chunk_constructor_checks_suppress_wcs_rules() {
        let mut obs = baseline();
        let r = chunk0(&mut obs)
            .position
            .as_mut()
            .unwrap()
            .axis
            .range
            .as_mut()
            .unwrap();
        r.end.coord2.val = r.start.coord2.val;
        chunk0(&mut obs).position.as_mut().unwrap().axis.bounds = None;
        chunk0(&mut obs).position.as_mut().unwrap().axis.function = None;
        // the degenerate range is reported once, not again as a crossing footprint
        one(
            &obs,
            &format!("{C0}.position.axis.range"),
            "equal: coord2.val",
        );

        let mut obs = baseline();
        chunk0(&mut obs).position.as_mut().unwrap().axis.bounds =
            Some(CoordBounds2D::Polygon(CoordPolygon2D {
                vertices: vec![
                    ValueCoord2D {
                        coord1: 1.0,
                        coord2: 1.0,
                    },
                    ValueCoord2D {
                        coord1: 2.0,
                        coord2: 2.0,
                    },
                ],
            }));
        one(
            &obs,
            &format!("{C0}.position.axis.bounds"),
            "CoordPolygon2D has 2 vertices: minimum 3",
        );

        let mut obs = baseline();
        chunk0(&mut obs).position.as_mut().unwrap().axis.bounds =
            Some(CoordBounds2D::Circle(CoordCircle2D {
                center: ValueCoord2D {
                    coord1: 1.0,
                    coord2: 1.0,
                },
                radius: 0.0,
            }));
        one(
            &obs,
            &format!("{C0}.position.axis.bounds.radius"),
            "must be > 0",
        );

        let mut obs = baseline();
        chunk0(&mut obs)
            .position
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .dimension
            .naxis2 = -1;
        one(
            &obs,
            &format!("{C0}.position.axis.function.dimension"),
            "found 2048 × -1",
        );

        let mut obs = baseline();
        chunk0(&mut obs)
            .polarization
            .as_mut()
            .unwrap()
            .axis
            .axis
            .ctype = "STOKES-X".into();
        one(
            &obs,
            &format!("{C0}.polarization.axis.axis.ctype"),
            "must be STOKES, found \"STOKES-X\"",
        );

        let mut obs = baseline();
        chunk0(&mut obs).energy.as_mut().unwrap().specsys = "".into();
        chunk0(&mut obs).energy.as_mut().unwrap().axis.axis.cunit = Some("furlong".into());
        one(&obs, &format!("{C0}.energy.specsys"), "must not be empty");

        let mut obs = baseline();
        chunk0(&mut obs)
            .energy
            .as_mut()
            .unwrap()
            .transition
            .as_mut()
            .unwrap()
            .transition = "".into();
        one(
            &obs,
            &format!("{C0}.energy.transition.transition"),
            "must not be empty",
        );

        let mut obs = baseline();
        chunk0(&mut obs).custom.as_mut().unwrap().axis.axis.ctype = "".into();
        one(
            &obs,
            &format!("{C0}.custom.axis.axis.ctype"),
            "must not be empty",
        );

        let mut obs = baseline();
        chunk0(&mut obs).time.as_mut().unwrap().axis.axis.ctype = "".into();
        one(
            &obs,
            &format!("{C0}.time.axis.axis.ctype"),
            "must not be empty",
        );

        let mut obs = baseline();
        chunk0(&mut obs).position.as_mut().unwrap().axis.axis2.ctype = "".into();
        one(
            &obs,
            &format!("{C0}.position.axis.axis2.ctype"),
            "must not be empty",
        );

        let mut obs = baseline();
        chunk0(&mut obs)
            .observable
            .as_mut()
            .unwrap()
            .independent
            .as_mut()
            .unwrap()
            .axis
            .ctype = "".into();
        one(
            &obs,
            &format!("{C0}.observable.independent.axis.ctype"),
            "must not be empty",
        );
    }

    #[test]
    fn chunk_wcs_rules_in_an_observation() {
        let mut obs = baseline();
        let id = chunk0(&mut obs).entity.id;
        let ctx = format!("cadc:TEST/sample-0-0.fits[0]:{id} ");
        chunk0(&mut obs).position.as_mut().unwrap().axis.bounds =
            Some(CoordBounds2D::Polygon(CoordPolygon2D {
                vertices: [(10.0, 20.0), (11.0, 21.0), (11.0, 20.0), (10.0, 21.0)]
                    .iter()
                    .map(|&(a, b)| ValueCoord2D {
                        coord1: a,
                        coord2: b,
                    })
                    .collect(),
            }));
        chunk0(&mut obs).energy.as_mut().unwrap().axis.axis.cunit = Some("furlong".into());
        chunk0(&mut obs).time.as_mut().unwrap().timesys = None;
        chunk0(&mut obs)
            .polarization
            .as_mut()
            .unwrap()
            .axis
            .range
            .as_mut()
            .unwrap()
            .end
            .val = 11.0;
        chunk0(&mut obs).custom.as_mut().unwrap().axis.axis.cunit = Some("rad/m^2".into());
        chunk0(&mut obs).naxis = Some(8);
        let got = messages(&obs);
        assert_eq!(
            got,
            [
                format!("{C0}: Invalid Axes: missing axis 8"),
                format!("{C0}.position: Invalid SpatialWCS: invalid Polygon: segment intersect Segment[10.0,20.0:11.0,21.0] vs Segment[11.0,20.0:10.0,21.0] in {ctx}"),
                format!("{C0}.energy: Unknown units: furlong"),
                format!("{C0}.time: Invalid TemporalWCS: unexpected TIMESYS, CTYPE: null,TIME in {ctx}"),
                format!("{C0}.polarization: invalid polarization code: 11"),
            ]
        );
    }

    #[test]
    fn non_finite_wcs_values() {
        let mut obs = baseline();
        chunk0(&mut obs)
            .position
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .cd12 = f64::NAN;
        one(&obs, &format!("{C0}.position"), "Invalid SpatialWCS: function is not finite: cd = [-9.765625E-5, NaN, 0.0, 9.765625E-5]");
        let mut obs = baseline();
        chunk0(&mut obs)
            .position
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .cd22 = 0.0;
        one(
            &obs,
            &format!("{C0}.position"),
            "Invalid SpatialWCS: Linear transformation matrix is singular(3) in ",
        );
        let mut obs = baseline();
        chunk0(&mut obs).position.as_mut().unwrap().axis.bounds =
            Some(CoordBounds2D::Circle(CoordCircle2D {
                center: ValueCoord2D {
                    coord1: f64::NAN,
                    coord2: 1.0,
                },
                radius: 0.1,
            }));
        one(&obs, &format!("{C0}.position"), "is not finite");
        let mut obs = baseline();
        chunk0(&mut obs)
            .energy
            .as_mut()
            .unwrap()
            .axis
            .bounds
            .as_mut()
            .unwrap()
            .samples[0]
            .end
            .val = f64::INFINITY;
        one(
            &obs,
            &format!("{C0}.energy"),
            "Invalid SpectralWCS: bounds.samples[0].end.val is not finite: Infinity in ",
        );
        let mut obs = baseline();
        chunk0(&mut obs)
            .time
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .delta = f64::NAN;
        one(
            &obs,
            &format!("{C0}.time"),
            "Invalid TemporalWCS: function.delta is not finite: NaN",
        );
        let mut obs = baseline();
        chunk0(&mut obs)
            .polarization
            .as_mut()
            .unwrap()
            .axis
            .range
            .as_mut()
            .unwrap()
            .start
            .val = f64::NAN;
        one(
            &obs,
            &format!("{C0}.polarization"),
            "Invalid PolarizationWCS: range.start.val is not finite",
        );
        let mut obs = baseline();
        chunk0(&mut obs)
            .custom
            .as_mut()
            .unwrap()
            .axis
            .range
            .as_mut()
            .unwrap()
            .start
            .pix = f64::NAN;
        one(
            &obs,
            &format!("{C0}.custom"),
            "Invalid CustomWCS: range.start.pix is not finite",
        );
    }

    #[test]
    fn spectral_function_checks() {
        let mut obs = baseline();
        let e = chunk0(&mut obs).energy.as_mut().unwrap();
        e.axis.range = None;
        e.axis.bounds = None;
        e.axis.axis.cunit = Some("Angstroms".into());
        one(
            &obs,
            &format!("{C0}.energy"),
            "Invalid SpectralWCS: Invalid coordinate transformation parameters(6) in ",
        );
        // the pre-check is case-insensitive, with Java's Unicode rules (µ and μ fold together)
        for unit in ["ANGSTROM", "μm", "KM/S"] {
            let mut obs = baseline();
            let e = chunk0(&mut obs).energy.as_mut().unwrap();
            e.axis.range = None;
            e.axis.bounds = None;
            e.axis.axis.cunit = Some(unit.into());
            assert!(validate(&obs).is_empty(), "{unit}: {:#?}", validate(&obs));
        }
        let mut obs = baseline();
        chunk0(&mut obs)
            .energy
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .delta = 0.0;
        one(&obs, &format!("{C0}.energy"), "singular(3)");
        // a FREQ range in MHz converts; the WAVE-in-m shortcut is exact text only
        let mut obs = baseline();
        let e = chunk0(&mut obs).energy.as_mut().unwrap();
        e.axis.axis = Axis::new("FREQ", Some("MHZ"));
        e.axis.function = None;
        assert!(validate(&obs).is_empty(), "{:#?}", validate(&obs));
        chunk0(&mut obs).energy.as_mut().unwrap().axis.axis.cunit = None;
        one(&obs, &format!("{C0}.energy"), "Unknown units: null");
    }

    #[test]
    fn temporal_and_custom_rules() {
        let mut obs = baseline();
        let t = chunk0(&mut obs).time.as_mut().unwrap();
        t.timesys = Some("TDB".into());
        t.axis.axis.cunit = Some("s".into());
        one(
            &obs,
            &format!("{C0}.time"),
            "Invalid TemporalWCS: unexpected TIMESYS, CTYPE: TDB,TIME unexpected CUNIT: s in ",
        );
        // nothing to convert: nothing checked, as in the reference
        let mut obs = baseline();
        let t = chunk0(&mut obs).time.as_mut().unwrap();
        t.timesys = Some("TDB".into());
        t.axis.range = None;
        t.axis.bounds = None;
        t.axis.function = None;
        assert!(validate(&obs).is_empty());
        let mut obs = baseline();
        let t = chunk0(&mut obs).time.as_mut().unwrap();
        t.axis.bounds.as_mut().unwrap().samples[0].end.val = 59000.25;
        t.axis.bounds.as_mut().unwrap().samples[0].end.pix = 3.0;
        one(
            &obs,
            &format!("{C0}.time"),
            "invalid CoordRange1D: found 2.5 + pixels and delta = 0.0 in [59000.25,59000.25]",
        );
        let mut obs = baseline();
        chunk0(&mut obs).custom.as_mut().unwrap().axis.axis = Axis::new("RM", Some("rad/m^2"));
        assert!(validate(&obs).is_empty());
        chunk0(&mut obs).custom.as_mut().unwrap().axis.axis = Axis::new("RM", Some("rad m-2"));
        one(&obs, &format!("{C0}.custom"), "Invalid CUNIT for CTYPE: RM. Expected: rad/m**2. Found: rad m-2 (normalized, raw: rad m-2)");
        let mut obs = baseline();
        chunk0(&mut obs)
            .custom
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .delta = 0.0;
        one(
            &obs,
            &format!("{C0}.custom"),
            "invalid CoordFunction1D: found 10 pixels and delta = 0.0",
        );
    }

    #[test]
    fn polarization_codes_terminate_on_huge_axes() {
        let pol = |range: Option<(f64, f64)>, function: Option<(i64, f64, f64)>| PolarizationWcs {
            axis: CoordAxis1D {
                axis: Axis::new("STOKES", None),
                error: None,
                range: range.map(|(a, b)| CoordRange1D {
                    start: RefCoord::new(0.5, a),
                    end: RefCoord::new(1.5, b),
                }),
                bounds: None,
                function: function.map(|(naxis, val, delta)| CoordFunction1D {
                    naxis,
                    delta,
                    ref_coord: RefCoord::new(0.0, val),
                }),
            },
        };
        let check = |w: PolarizationWcs| validate_polarization("ctx ", &w);
        assert_eq!(
            check(pol(Some((-1e300, 1e300)), None)),
            Err("invalid polarization code: -2147483648".into())
        );
        assert_eq!(
            check(pol(Some((1.0, 1e300)), None)),
            Err("invalid polarization code: 11".into())
        );
        assert_eq!(
            check(pol(Some((-8.0, 1e300)), None)),
            Err("invalid polarization code: 0".into())
        );
        assert_eq!(check(pol(Some((4.0, 1.0)), None)), Ok(()));
        // codes at pixel centres, truncated toward zero: refCoord (0.5, -1), delta -1 gives RR, LL
        let rr_ll = PolarizationWcs {
            axis: CoordAxis1D {
                function: Some(CoordFunction1D {
                    naxis: 2,
                    delta: -1.0,
                    ref_coord: RefCoord::new(0.5, -1.0),
                }),
                ..pol(None, None).axis
            },
        };
        assert_eq!(check(rr_ll), Ok(()));
        assert_eq!(
            check(pol(None, Some((i64::MAX, 1.0, 1e-15)))),
            Err("invalid polarization code: 11".into())
        );
        assert_eq!(
            check(pol(None, Some((1_000_000_000_000, 1.0, 1e-15)))),
            Ok(())
        );
        assert_eq!(
            check(pol(None, Some((i64::MAX, 10.0, -1e-12)))),
            Err("invalid polarization code: 0".into())
        );
        assert_eq!(check(pol(None, Some((0, 99.0, 1.0)))), Ok(()));
        assert_eq!(
            check(pol(None, Some((3, -1.0, 1.0)))),
            Err("invalid polarization code: 0".into())
        );
    }

    #[test]
    fn axes_rules() {
        let mut c =
            sample::complete_observation().planes[0].artifacts[0].parts[0].chunks[0].clone();
        assert_eq!(validate_axes(&c), Ok(()));
        c.naxis = Some(i32::MAX);
        assert_eq!(
            validate_axes(&c),
            Err("Invalid Axes: missing axis 8".into())
        );
        c.naxis = Some(-3);
        assert_eq!(validate_axes(&c), Ok(()));
        c.energy_axis = Some(-1);
        assert_eq!(
            validate_axes(&c),
            Err("Invalid Axes: axis definition (-1) not allowed: energyAxis".into())
        );
        c.energy_axis = Some(1);
        assert_eq!(
            validate_axes(&c),
            Err("Duplicate axis found: (1) positionAxis1 & energyAxis".into())
        );
        c.energy_axis = None;
        c.time = None;
        assert_eq!(
            validate_axes(&c),
            Err("Invalid Axes: timeAxis found (4) but metadata not found".into())
        );
    }

    #[test]
    fn nothing_panics_on_odd_numbers() {
        let mut obs = baseline();
        for plane in &mut obs.planes {
            let pos = plane.position.as_mut().unwrap();
            set_all(pos.resolution_bounds.as_mut().unwrap());
            if let Some(Shape::Polygon(p)) = &mut pos.bounds {
                p.points[0] = Point::new(f64::NAN, f64::INFINITY);
                p.samples.vertices[1].cval1 = f64::NEG_INFINITY;
            }
            plane
                .energy
                .as_mut()
                .unwrap()
                .bounds
                .as_mut()
                .unwrap()
                .samples[1]
                .upper = f64::NAN;
            for a in &mut plane.artifacts {
                for part in &mut a.parts {
                    for c in &mut part.chunks {
                        let f = c.position.as_mut().unwrap().axis.function.as_mut().unwrap();
                        f.cd11 = f64::MAX;
                        f.cd22 = f64::MAX;
                        f.dimension.naxis1 = i64::MAX;
                        let e = c.energy.as_mut().unwrap();
                        e.axis.range.as_mut().unwrap().start.val = f64::MIN_POSITIVE;
                        e.axis.function.as_mut().unwrap().naxis = i64::MIN;
                        let p = c.polarization.as_mut().unwrap();
                        p.axis.range = None;
                        p.axis.bounds.as_mut().unwrap().samples[0].end.val = f64::MAX;
                        c.naxis = Some(i32::MIN);
                    }
                    part.chunks.push(Chunk::new());
                }
                a.parts.push(Part::new(""));
            }
        }
        let v = validate(&obs);
        assert!(!v.is_empty());
        let mut empty = Observation::derived("", "", crate::observation::Algorithm::new(""));
        empty.planes.push(Plane::new(""));
        empty.planes[0].position = Some(Default::default());
        empty.planes[0].energy = Some(Default::default());
        assert_eq!(validate(&empty).len(), 4, "{:#?}", validate(&empty));
    }

    fn set_all(i: &mut Interval) {
        i.lower = f64::INFINITY;
        i.upper = f64::NEG_INFINITY;
    }

    // ---- reference vectors

    fn axis(v: &Value) -> Axis {
        Axis::new(v["ctype"].as_str().expect("ctype"), v["cunit"].as_str())
    }

    fn ref_coord(v: &Value) -> RefCoord {
        RefCoord::new(f(&v["pix"]), f(&v["val"]))
    }

    fn range_1d(v: &Value) -> CoordRange1D {
        CoordRange1D {
            start: ref_coord(&v["start"]),
            end: ref_coord(&v["end"]),
        }
    }

    fn axis_1d(v: &Value) -> CoordAxis1D {
        let mut a = CoordAxis1D::new(axis(&v["axis"]));
        a.range = v.get("range").map(range_1d);
        a.bounds = v.get("bounds").map(|b| CoordBounds1D {
            samples: b
                .as_array()
                .expect("samples")
                .iter()
                .map(range_1d)
                .collect(),
        });
        a.function = v.get("function").map(|x| CoordFunction1D {
            naxis: x["naxis"].as_i64().expect("naxis"),
            delta: f(&x["delta"]),
            ref_coord: ref_coord(&x["refCoord"]),
        });
        a
    }

    fn int(v: &Value, key: &str) -> Option<i32> {
        v.get(key).and_then(Value::as_i64).map(|n| n as i32)
    }

    fn chunk(v: &Value) -> Chunk {
        let mut c = Chunk::new();
        c.naxis = int(v, "naxis");
        c.observable_axis = int(v, "observableAxis");
        c.position_axis1 = int(v, "positionAxis1");
        c.position_axis2 = int(v, "positionAxis2");
        c.energy_axis = int(v, "energyAxis");
        c.time_axis = int(v, "timeAxis");
        c.polarization_axis = int(v, "polarizationAxis");
        c.custom_axis = int(v, "customAxis");
        c.observable = v.get("observable").map(|o| ObservableAxis {
            dependent: Slice {
                axis: axis(&o["dependent"]["axis"]),
                bin: o["dependent"]["bin"].as_i64().expect("bin"),
            },
            independent: None,
        });
        c.position = v.get("position").map(|p| {
            let mut w = SpatialWcs::new(vectors::coord_axis_2d(&p["axis"]));
            w.coordsys = p
                .get("coordsys")
                .and_then(Value::as_str)
                .map(str::to_string);
            w.equinox = p.get("equinox").and_then(Value::as_f64);
            w
        });
        c.energy = v.get("energy").map(|e| {
            let mut w = SpectralWcs::new(axis_1d(&e["axis"]), e["specsys"].as_str().unwrap_or(""));
            w.restwav = e.get("restwav").and_then(Value::as_f64);
            w.restfrq = e.get("restfrq").and_then(Value::as_f64);
            w.transition = e.get("transition").map(|t| EnergyTransition {
                species: t["species"].as_str().expect("species").into(),
                transition: t["transition"].as_str().expect("transition").into(),
            });
            w
        });
        c.time = v.get("time").map(|t| {
            let mut w = TemporalWcs::new(axis_1d(&t["axis"]));
            w.timesys = t.get("timesys").and_then(Value::as_str).map(str::to_string);
            w.mjdref = t.get("mjdref").and_then(Value::as_f64);
            w
        });
        c.polarization = v.get("polarization").map(|p| PolarizationWcs {
            axis: axis_1d(&p["axis"]),
        });
        c.custom = v.get("custom").map(|p| CustomWcs {
            axis: axis_1d(&p["axis"]),
        });
        c
    }

    fn expected_message(e: &Value, chunk: &Chunk) -> Option<String> {
        if e["valid"].as_bool() == Some(true) {
            return None;
        }
        let msg = e["exception"]["message"].as_str().expect("message");
        Some(msg.replace("{chunkID}", &chunk.entity.id.to_string()))
    }

    #[test]
    fn wcs_validator_vectors() {
        let Some(group) = vectors::group("wcs_validator") else {
            return;
        };
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let input = &v["input"];
            let (a_uri, part_name) = (
                input["artifactURI"].as_str().expect("uri"),
                input["partName"].as_str().expect("part"),
            );
            let c = chunk(&input["chunk"]);
            let want = expected_message(&v["expected"], &c);
            let got: Vec<String> = validate_chunk_wcs(a_uri, part_name, &c)
                .into_iter()
                .map(|p| p.message)
                .collect();
            assert_eq!(got, want.iter().cloned().collect::<Vec<_>>(), "{id}");

            // the same through a whole observation: the model rules add nothing here
            let mut obs = Observation::simple("TEST", "vector");
            let mut plane = Plane::new("p");
            let mut artifact = Artifact::new(
                uri(a_uri),
                crate::ProductType::SCIENCE,
                crate::ReleaseType::Data,
            );
            let mut part = Part::new(part_name);
            part.chunks.push(c.clone());
            artifact.parts.push(part);
            plane.artifacts.push(artifact);
            obs.planes.push(plane);
            let got: Vec<String> = validate(&obs).into_iter().map(|v| v.message).collect();
            assert_eq!(
                got,
                want.into_iter().collect::<Vec<_>>(),
                "{id} (observation)"
            );
        }
        eprintln!("wcs_validator: {} vectors pass", group.len());
    }

    #[test]
    fn wcs_validator_axes_vectors() {
        let Some(group) = vectors::group("wcs_validator_axes") else {
            return;
        };
        for v in &group {
            let c = chunk(&v["input"]["chunk"]);
            let want = expected_message(&v["expected"], &c);
            assert_eq!(validate_axes(&c).err(), want, "{}", v["id"]);
        }
        eprintln!("wcs_validator_axes: {} vectors pass", group.len());
    }

    #[test]
    fn polarization_code_vectors() {
        let Some(group) = vectors::group("polarization_code") else {
            return;
        };
        for v in &group {
            let code = v["input"].as_i64().expect("code") as i32;
            let got = polarization_state(code);
            match v["expected"].as_str() {
                Some(state) => assert_eq!(got.map(|s| s.as_str()), Ok(state), "{code}"),
                None => assert_eq!(
                    got.err().as_deref(),
                    v["expected"]["message"].as_str(),
                    "{code}"
                ),
            }
        }
        eprintln!("polarization_code: {} vectors pass", group.len());
    }

    #[test]
    fn energy_converter_vectors() {
        let Some(group) = vectors::group("energy_converter") else {
            return;
        };
        for v in &group {
            let id = v["id"].as_str().unwrap_or("?");
            let value = f(&v["input"]["value"]);
            let unit = v["input"]["unit"].as_str().expect("unit");
            let e = &v["expected"];
            match e.get("message").and_then(Value::as_str) {
                Some(msg) => {
                    assert_eq!(
                        units::to_meters(value, unit).unwrap_err().to_string(),
                        msg,
                        "{id}"
                    );
                    assert_eq!(
                        units::to_hz(value, unit).unwrap_err().to_string(),
                        msg,
                        "{id}"
                    );
                }
                None => {
                    // only + − × ÷ here: bit-exact
                    assert_eq!(units::to_meters(value, unit), Ok(f(&e["meters"])), "{id}");
                    assert_eq!(units::to_hz(value, unit), Ok(f(&e["hz"])), "{id}");
                }
            }
        }
        eprintln!("energy_converter: {} vectors pass", group.len());
    }
}
