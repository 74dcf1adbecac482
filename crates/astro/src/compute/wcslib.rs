//! WCSLIB calls of the reference compute (compute.md §4.6): a chunk function becomes the
//! WCSLIB struct of a small FITS header holding exactly the keywords the reference passes,
//! built from the values directly ([`wcs::Wcs::from_params`]: the struct wcspih would make of
//! that header, without writing and lexing the text).
//!
//! Spatial: `NAXIS = 2` (implied), `CTYPE1/2` (`--TNX` read as `--TAN`), `CUNIT1/2`, `CRPIX1/2`
//! (applied around WCSLIB, see [`Map`]),
//! `CRVAL1/2`, `CD1_1 … CD2_2` (no CDELT, no PC). Spectral: `NAXIS = 1` (implied), `CTYPE1`, `CUNIT1`,
//! `CRPIX1` (applied around WCSLIB), `CRVAL1`, `CDELT1`, `RESTFRQ`, `RESTWAV`. Errors read like the reference's
//! `WCSLibRuntimeException`: `<wcslib text>(<status>)`.

use super::{Failure, FailureKind};
use caom2::{Axis, CoordFunction1D, CoordFunction2D};
use wcs::{Wcs, WcsError, WcsParams};

/// The texts of WCSLIB's statuses as the reference prints them.
fn status_text(status: i32) -> &'static str {
    match status {
        1 => "Null wcsprm pointer passed",
        2 => "Memory allocation failed",
        3 => "Linear transformation matrix is singular",
        4 => "Inconsistent or unrecognized coordinate axis types",
        5 => "Invalid parameter value",
        6 => "Invalid coordinate transformation parameters",
        7 => "Ill-conditioned coordinate transformation parameters",
        8 => "One or more of the pixel coordinates were invalid",
        9 => "One or more of the world coordinates were invalid",
        10 => "Invalid world coordinate",
        11 => "No solution found in the specified interval",
        12 => "Invalid subimage specification (no spectral axis)",
        13 => "Non-separable subimage coordinate system",
        _ => "WCSLIB error",
    }
}

/// `<text>(<status>)`, the reference's message.
pub(crate) fn status_failure(status: i32) -> Failure {
    Failure::new(
        FailureKind::Wcslib,
        format!("{}({status})", status_text(status)),
    )
}

/// A `wcs` crate error as the reference would report it; wcslib's detailed message is kept
/// after the reference text when it says more.
pub(crate) fn wcs_failure(e: WcsError) -> Failure {
    match e {
        WcsError::Wcslib {
            status, message, ..
        } => {
            let mut f = status_failure(status);
            if !message.is_empty() && message != status_text(status) {
                f.message = format!("{} [wcslib: {message}]", f.message);
            }
            f
        }
        WcsError::SingularMatrix => status_failure(3),
        WcsError::InvalidCoordinate { what, .. } => {
            status_failure(if what == "world" { 9 } else { 8 })
        }
        other => Failure::new(FailureKind::Wcslib, other.to_string()),
    }
}

/// A string for a WCSLIB keyword: printable ASCII, at most 60 characters (what fits in one
/// header card), as the reference's header would hold it.
fn text(key: &str, v: &str) -> Result<String, Failure> {
    if !v.bytes().all(|b| (0x20..0x7f).contains(&b)) || v.len() > 60 {
        return Err(Failure::new(
            FailureKind::Wcslib,
            format!("{key} {v:?} cannot be given to WCSLIB: expected at most 60 printable ASCII characters"),
        ));
    }
    Ok(v.to_string())
}

fn build(params: &WcsParams) -> Result<Wcs, Failure> {
    Wcs::from_params(params).map_err(wcs_failure)
}

/// The CTYPE the reference hands to WCSLIB: IRAF's `--TNX` read as `--TAN`.
fn ctype(a: &Axis) -> String {
    a.ctype.replace("--TNX", "--TAN")
}

/// The CUNIT handed to WCSLIB: `µm` spelled `um`, which WCSLIB's unit parser reads.
fn cunit(a: &Axis) -> Option<String> {
    a.cunit.as_ref().map(|u| u.replace('µ', "u"))
}

/// A WCSLIB transformation whose reference pixel is applied here rather than by WCSLIB:
/// the header leaves CRPIX out (cards to parse are most of a chunk's cost) and pixel
/// coordinates are shifted by it on the way in and out. WCSLIB's first step is
/// `pixel − CRPIX` and its last inverse step `… + CRPIX`, so doing the shift here is the
/// same floating-point operation: the results are identical.
pub struct Map {
    wcs: Wcs,
    crpix: Vec<f64>,
}

impl Map {
    /// Pixel → world of several points (one value per axis each); any point WCSLIB flags
    /// is the reference's status 8.
    pub fn pixels_to_world(&self, pixels: &[f64]) -> Result<Vec<f64>, Failure> {
        let n = self.crpix.len();
        let shifted: Vec<f64> = pixels
            .iter()
            .enumerate()
            .map(|(i, p)| p - self.crpix[i % n])
            .collect();
        let points = self
            .wcs
            .pixel_to_world_many(&shifted)
            .map_err(wcs_failure)?;
        if (0..points.len()).any(|i| points.status(i) != 0) {
            return Err(status_failure(8));
        }
        Ok(points.into_flat())
    }

    /// World → pixel of several points; any point WCSLIB flags is the reference's status 9.
    pub fn world_to_pixels(&self, world: &[f64]) -> Result<Vec<f64>, Failure> {
        let n = self.crpix.len();
        let points = self.wcs.world_to_pixel_many(world).map_err(wcs_failure)?;
        if (0..points.len()).any(|i| points.status(i) != 0) {
            return Err(status_failure(9));
        }
        Ok(points
            .into_flat()
            .into_iter()
            .enumerate()
            .map(|(i, p)| p + self.crpix[i % n])
            .collect())
    }

    /// The unit of axis `i`'s world coordinates, as WCSLIB normalised it.
    pub fn unit(&self, i: usize) -> Option<&str> {
        self.wcs.info().axes.get(i).and_then(|a| a.cunit.as_deref())
    }
}

/// The spatial WCS of a CD-matrix function (`WCSWrapper(SpatialWCS, 1, 2)`).
pub fn spatial(f: &CoordFunction2D, axis1: &Axis, axis2: &Axis) -> Result<Map, Failure> {
    // checked here because the `wcs` crate runs wcslib's fixes, and cdfix would "repair" a
    // singular matrix with a zero row and column that the reference hands to WCSLIB as is
    caom2::validate::check_cd_matrix(f).map_err(|m| {
        let kind = if m.ends_with("(3)") {
            FailureKind::Wcslib
        } else {
            FailureKind::IllegalArgument
        };
        Failure::new(kind, m)
    })?;
    // Keywords WCSLIB would default to the same value are left out, as the reference's
    // header leaves them out: CRPIX is applied by the Map; a celestial axis is in degrees
    // anyway, and the unit of a linear axis only names the output; a CD element not given
    // is 0 once any CD element is given.
    let mut p = WcsParams::with_axes(2);
    p.axes[0].ctype = text("CTYPE1", &ctype(axis1))?;
    p.axes[1].ctype = text("CTYPE2", &ctype(axis2))?;
    for (k, (key, unit)) in [("CUNIT1", cunit(axis1)), ("CUNIT2", cunit(axis2))]
        .into_iter()
        .enumerate()
    {
        if let Some(u) = unit.filter(|u| u != "deg") {
            p.axes[k].cunit = text(key, &u)?;
        }
    }
    p.axes[0].crval = f.ref_coord.coord1.val;
    p.axes[1].crval = f.ref_coord.coord2.val;
    p.cd.push((1, 1, f.cd11));
    if f.cd12 != 0.0 {
        p.cd.push((1, 2, f.cd12));
    }
    if f.cd21 != 0.0 {
        p.cd.push((2, 1, f.cd21));
    }
    p.cd.push((2, 2, f.cd22));
    Ok(Map {
        wcs: build(&p)?,
        crpix: vec![f.ref_coord.coord1.pix, f.ref_coord.coord2.pix],
    })
}

const CHECKED_SPECTRAL_CTYPES: [&str; 10] = [
    "FREQ", "ENER", "WAVN", "VRAD", "WAVE", "VOPT", "ZOPT", "AWAV", "VELO", "BETA",
];
const CHECKED_SPECTRAL_UNITS: [&str; 21] = [
    "Hz", "kHz", "MHz", "GHz", "eV", "keV", "MeV", "GeV", "m", "cm", "mm", "um", "µm", "nm",
    "Angstrom", "A", "J", "/m", "m/s", "km/s", "rad/s",
];

/// The reference's unit check before a spectral transformation: a linear spectral CTYPE with
/// a unit outside its list is status 6.
pub fn spectral_unit_check(axis: &Axis) -> Result<(), Failure> {
    let t = axis.ctype.as_str();
    let checked = CHECKED_SPECTRAL_CTYPES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(t));
    match axis.cunit.as_deref() {
        Some(u)
            if checked
                && !u.is_empty()
                && !CHECKED_SPECTRAL_UNITS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(u)) =>
        {
            Err(status_failure(6))
        }
        _ => Ok(()),
    }
}

/// The spectral WCS of a function (`WCSWrapper(SpectralWCS, 1)`), unit-checked; CRPIX is
/// applied by the [`Map`].
pub fn spectral(
    f: &CoordFunction1D,
    axis: &Axis,
    restfrq: Option<f64>,
    restwav: Option<f64>,
) -> Result<Map, Failure> {
    spectral_unit_check(axis)?;
    let mut p = WcsParams::with_axes(1);
    p.axes[0].ctype = text("CTYPE1", &ctype(axis))?;
    if let Some(u) = cunit(axis) {
        p.axes[0].cunit = text("CUNIT1", &u)?;
    }
    p.axes[0].crval = f.ref_coord.val;
    p.axes[0].cdelt = f.delta;
    // a non-finite value is not a number in a header: WCSLIB's parser would reject the card
    // and keep its default, as the reference's does
    p.restfrq = restfrq.filter(|x| x.is_finite());
    p.restwav = restwav.filter(|x| x.is_finite());
    Ok(Map {
        wcs: build(&p)?,
        crpix: vec![f.ref_coord.pix],
    })
}

/// The spectral WCS as vacuum wavelength: translated to `WAVE-???` unless the CTYPE already
/// starts with `WAVE` (the translation keeps the reference pixel).
pub fn spectral_as_wavelength(
    f: &CoordFunction1D,
    axis: &Axis,
    restfrq: Option<f64>,
    restwav: Option<f64>,
) -> Result<Map, Failure> {
    let m = spectral(f, axis, restfrq, restwav)?;
    if axis.ctype.starts_with("WAVE") {
        return Ok(m);
    }
    Ok(Map {
        wcs: m.wcs.spectral_translate("WAVE-???").map_err(wcs_failure)?,
        crpix: m.crpix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_are_refused() {
        let f = CoordFunction1D {
            naxis: 10,
            delta: 1.0,
            ref_coord: caom2::RefCoord::new(1.0, 1.0),
        };
        let a = Axis::new("WAVE' / X", Some("m"));
        // a quote is a character like any other, an (unknown) CTYPE
        let _ = spectral(&f, &a, None, None);
        let a = Axis::new("WAVE\nEND", Some("m"));
        assert!(spectral(&f, &a, None, None).is_err());
    }
}
