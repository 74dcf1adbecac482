//! Pixel ↔ world through wcsp2s()/wcss2p().
//!
//! Pixel coordinates are FITS pixel coordinates (1-based: the centre of the first pixel is 1.0).
//! World coordinates are in the units of [`crate::Axis::cunit`] after wcsset: degrees for
//! celestial axes, SI for spectral axes (m, Hz, m/s, …).

use std::ffi::c_int;

use crate::error::WcsError;
use crate::Wcs;

/// The result of transforming many points: a flat row-major array (`naxis` values per point)
/// and wcslib's per-point status.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    naxis: usize,
    values: Vec<f64>,
    status: Vec<u32>,
}

impl Points {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.status.len()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Values per point.
    pub fn naxis(&self) -> usize {
        self.naxis
    }

    /// Point `i`, or None if it is out of range or wcslib flagged any of its elements invalid.
    pub fn get(&self, i: usize) -> Option<&[f64]> {
        if *self.status.get(i)? != 0 {
            return None;
        }
        self.values.get(i * self.naxis..(i + 1) * self.naxis)
    }

    /// wcslib's status for point `i`: 0 = valid, else bit k set = element k invalid.
    /// Out-of-range indices give 0.
    pub fn status(&self, i: usize) -> u32 {
        self.status.get(i).copied().unwrap_or(0)
    }

    /// All points, flat; elements wcslib flagged invalid are NaN.
    pub fn as_flat(&self) -> &[f64] {
        &self.values
    }

    /// All points, flat, by value.
    pub fn into_flat(self) -> Vec<f64> {
        self.values
    }

    /// Each point: `Ok(values)`, or `Err(status mask)` if wcslib flagged it.
    pub fn iter(&self) -> impl Iterator<Item = Result<&[f64], u32>> + '_ {
        self.values
            .chunks(self.naxis.max(1))
            .zip(&self.status)
            .map(|(v, &s)| if s == 0 { Ok(v) } else { Err(s) })
    }
}

#[derive(Clone, Copy)]
enum Direction {
    PixelToWorld,
    WorldToPixel,
}

impl Wcs {
    /// One point, pixel → world. `pixcrd` has one value per WCS axis.
    pub fn pixel_to_world(&self, pixcrd: &[f64]) -> Result<Vec<f64>, WcsError> {
        self.one(pixcrd, Direction::PixelToWorld)
    }

    /// One point, world → pixel. `world` has one value per WCS axis.
    pub fn world_to_pixel(&self, world: &[f64]) -> Result<Vec<f64>, WcsError> {
        self.one(world, Direction::WorldToPixel)
    }

    /// Many points, pixel → world, in one wcslib call. `pixcrd` is flat: `naxis` values per
    /// point. Points wcslib cannot transform (e.g. outside a projection's domain) are flagged in
    /// [`Points::status`] rather than failing the whole call.
    pub fn pixel_to_world_many(&self, pixcrd: &[f64]) -> Result<Points, WcsError> {
        self.many(pixcrd, Direction::PixelToWorld)
    }

    /// Many points, world → pixel; see [`Wcs::pixel_to_world_many`].
    pub fn world_to_pixel_many(&self, world: &[f64]) -> Result<Points, WcsError> {
        self.many(world, Direction::WorldToPixel)
    }

    fn one(&self, input: &[f64], dir: Direction) -> Result<Vec<f64>, WcsError> {
        let naxis = self.naxis();
        if input.len() != naxis {
            return Err(WcsError::DimensionMismatch {
                naxis,
                got: input.len(),
            });
        }
        let points = self.many(input, dir)?;
        let mask = points.status(0);
        if mask != 0 {
            return Err(WcsError::InvalidCoordinate {
                what: match dir {
                    Direction::PixelToWorld => "pixel",
                    Direction::WorldToPixel => "world",
                },
                axes: (0..naxis.min(32))
                    .filter(|k| mask & (1 << k) != 0)
                    .collect(),
                mask,
            });
        }
        Ok(points.into_flat())
    }

    fn many(&self, input: &[f64], dir: Direction) -> Result<Points, WcsError> {
        let naxis = self.naxis();
        if naxis == 0 || !input.chunks_exact(naxis).remainder().is_empty() {
            return Err(WcsError::DimensionMismatch {
                naxis,
                got: input.len(),
            });
        }
        if matches!(dir, Direction::WorldToPixel) && self.singular() {
            return Err(WcsError::SingularMatrix);
        }
        let ncoord = input.len() / naxis;
        if ncoord == 0 {
            return Ok(Points {
                naxis,
                values: Vec::new(),
                status: Vec::new(),
            });
        }
        let too_large = || WcsError::TooLarge(input.len());
        let c_ncoord = c_int::try_from(ncoord).map_err(|_| too_large())?;
        let c_nelem = c_int::try_from(naxis).map_err(|_| too_large())?;
        c_int::try_from(input.len()).map_err(|_| too_large())?;

        // NaN/infinite inputs are flagged here rather than handed to wcslib, which returns
        // finite nonsense for some of them (an infinite pixel gives RA 280, status 0) and would
        // iterate needlessly in distortion inversions. They are replaced by the reference
        // pixel/value for the call and their points are masked afterwards.
        let mut nonfinite: Vec<u32> = vec![0; ncoord];
        let sanitized: Option<Vec<f64>> = if input.iter().all(|v| v.is_finite()) {
            None
        } else {
            let mut copy = input.to_vec();
            for (p, point) in copy.chunks_mut(naxis).enumerate() {
                for (k, v) in point.iter_mut().enumerate() {
                    if !v.is_finite() {
                        nonfinite[p] |= if k < 32 { 1 << k } else { 1 << 31 };
                        let axis = &self.info().axes[k];
                        *v = match dir {
                            Direction::PixelToWorld => axis.crpix,
                            Direction::WorldToPixel => axis.crval,
                        };
                    }
                }
            }
            Some(copy)
        };
        let input = sanitized.as_deref().unwrap_or(input);

        let mut imgcrd = vec![0.0; input.len()];
        let mut output = vec![0.0; input.len()];
        let mut phi = vec![0.0; ncoord];
        let mut theta = vec![0.0; ncoord];
        let mut stat: Vec<c_int> = vec![0; ncoord];
        let wcs = self.raw();
        // SAFETY: every buffer has ncoord*naxis (or ncoord) elements as wcsp2s()/wcss2p()
        // require with nelem = naxis; the struct is set up and, Wcs being !Sync, not used by
        // any other call while this one runs.
        let status = unsafe {
            crate::wcs::clear_errors(wcs);
            match dir {
                Direction::PixelToWorld => crate::ffi::wcsp2s(
                    wcs,
                    c_ncoord,
                    c_nelem,
                    input.as_ptr(),
                    imgcrd.as_mut_ptr(),
                    phi.as_mut_ptr(),
                    theta.as_mut_ptr(),
                    output.as_mut_ptr(),
                    stat.as_mut_ptr(),
                ),
                Direction::WorldToPixel => crate::ffi::wcss2p(
                    wcs,
                    c_ncoord,
                    c_nelem,
                    input.as_ptr(),
                    phi.as_mut_ptr(),
                    theta.as_mut_ptr(),
                    imgcrd.as_mut_ptr(),
                    output.as_mut_ptr(),
                    stat.as_mut_ptr(),
                ),
            }
        };
        // 8 (pixel) / 9 (world): some points invalid, reported per point in stat[].
        let partial = match dir {
            Direction::PixelToWorld => 8,
            Direction::WorldToPixel => 9,
        };
        if status != 0 && status != partial {
            let function = match dir {
                Direction::PixelToWorld => "wcsp2s",
                Direction::WorldToPixel => "wcss2p",
            };
            // SAFETY: err belongs to the struct, which outlives this call.
            return Err(unsafe { crate::wcs::wcslib_error(function, status, (*wcs).err) });
        }
        let status: Vec<u32> = stat
            .iter()
            .zip(&nonfinite)
            .map(|(&s, &bad)| s as u32 | bad)
            .collect();
        for ((point, &mask), &bad) in output.chunks_mut(naxis).zip(&status).zip(&nonfinite) {
            if bad != 0 {
                // Outputs mix input axes (rotation, projection), so none of them is usable.
                point.fill(f64::NAN);
                continue;
            }
            if mask == 0 {
                continue;
            }
            // wcslib leaves unspecified values in invalid elements; make them unmistakable.
            for (k, v) in point.iter_mut().enumerate() {
                if k >= 32 || mask & (1 << k) != 0 {
                    *v = f64::NAN;
                }
            }
        }
        Ok(Points {
            naxis,
            values: output,
            status,
        })
    }
}
