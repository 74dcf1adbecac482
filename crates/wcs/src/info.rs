//! The values a CAOM mapping reads back from wcslib, copied out of the C struct once after
//! wcsfix + wcsset, so reading them needs no unsafe code and no access to C memory.

use std::ffi::{c_char, c_int};

use crate::ffi;

/// What kind of coordinate an axis carries, from wcslib's `types[]` code after wcsset().
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisKind {
    /// Celestial longitude (RA, GLON, ELON, …).
    Longitude,
    /// Celestial latitude (DEC, GLAT, ELAT, …).
    Latitude,
    /// Quad-cube face number (`CUBEFACE`).
    CubeFace,
    /// Spectral (FREQ, WAVE, VOPT, …).
    Spectral,
    /// Time (TIME, UTC, TAI, …).
    Time,
    /// Stokes parameter (`STOKES`); linear in pixel, values 1..4 = I,Q,U,V, negative = RR…YX.
    Stokes,
    /// Anything else: a plain linear (or unrecognised-but-accepted) axis, e.g. bare `RA`.
    Other,
}

impl AxisKind {
    fn from_code(code: i32) -> AxisKind {
        match code / 1000 {
            1 => AxisKind::Stokes,
            2 => match code % 10 {
                0 => AxisKind::Longitude,
                1 => AxisKind::Latitude,
                _ => AxisKind::CubeFace,
            },
            3 => AxisKind::Spectral,
            4 => AxisKind::Time,
            _ => AxisKind::Other,
        }
    }
}

/// One WCS axis after wcsfix and wcsset (units normalised to SI for spectral axes:
/// `Angstrom` → `m` with CRVAL/CDELT scaled, `MHz` → `Hz`, `km/s` → `m/s`).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// CTYPEia, after the AIPS translations of spcfix/celfix (None when blank).
    pub ctype: Option<String>,
    /// CUNITia as normalised by wcsset (None when blank).
    pub cunit: Option<String>,
    /// CRVALia (in `cunit`).
    pub crval: f64,
    /// CRPIXja (1-based FITS pixel).
    pub crpix: f64,
    /// CDELTia (1.0 when the header used a CD matrix; wcsset folds CD into PC).
    pub cdelt: f64,
    /// CROTAi, only when the header had CROTA keywords (`altlin` bit 2).
    pub crota: Option<f64>,
    /// Classification of the axis.
    pub kind: AxisKind,
    /// wcslib's raw four-digit type code (`wcs.h`, `wcsprm::types`), e.g. 2200 = longitude of
    /// a non-linear celestial projection, 3000 = linear spectral, 1100 = Stokes.
    pub type_code: i32,
}

/// Which linear-transformation keywords the header had (`wcsprm::altlin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AltLin {
    /// PCi_j present.
    pub pc: bool,
    /// CDi_j present.
    pub cd: bool,
    /// CROTAi present.
    pub crota: bool,
}

/// Everything read back from wcslib; `None` where wcslib has no value (its `UNDEFINED`, an
/// empty string, or - for RESTFRQ/RESTWAV/VELREF - zero, wcslib's "not given").
#[derive(Debug, Clone, PartialEq)]
pub struct WcsInfo {
    /// Number of WCS axes (`wcsprm::naxis`, from NAXIS, WCSAXES or the highest axis number).
    pub naxis: usize,
    /// Per-axis values, index 0 = FITS axis 1.
    pub axes: Vec<Axis>,
    /// The PCi_j matrix used by wcslib, row-major: `pc[i * naxis + j]` = PC(i+1)_(j+1).
    /// With a CD header this holds the CD matrix (and `cdelt` is 1).
    pub pc: Vec<f64>,
    /// The CDi_j matrix, row-major, only when the header had CD keywords.
    pub cd: Option<Vec<f64>>,
    /// Which of PC/CD/CROTA the header used.
    pub altlin: AltLin,
    /// Index of the celestial longitude axis.
    pub lng: Option<usize>,
    /// Index of the celestial latitude axis.
    pub lat: Option<usize>,
    /// Index of the spectral axis.
    pub spec: Option<usize>,
    /// Index of the CUBEFACE axis.
    pub cubeface: Option<usize>,
    /// Celestial axis type prefixes, e.g. `RA`/`DEC`, `GLON`/`GLAT`.
    pub lngtyp: Option<String>,
    /// See `lngtyp`.
    pub lattyp: Option<String>,
    /// LONPOLEa as used by wcsset (defaulted for celestial WCS).
    pub lonpole: Option<f64>,
    /// LATPOLEa as used by wcsset.
    pub latpole: Option<f64>,
    /// EQUINOXa (or EPOCH); wcsset defaults it with RADESYS.
    pub equinox: Option<f64>,
    /// RADESYSa; wcsset defaults it (FK5 for EQUINOX ≥ 1984, FK4 before, ICRS without one).
    pub radesys: Option<String>,
    /// SPECSYSa (spcfix may set it, e.g. `LSRK` from `VELO-LSR`).
    pub specsys: Option<String>,
    /// SSYSOBSa.
    pub ssysobs: Option<String>,
    /// SSYSSRCa.
    pub ssyssrc: Option<String>,
    /// RESTFRQa in Hz (also RESTFREQ).
    pub restfrq: Option<f64>,
    /// RESTWAVa in m.
    pub restwav: Option<f64>,
    /// VELOSYSa in m/s.
    pub velosys: Option<f64>,
    /// ZSOURCEa.
    pub zsource: Option<f64>,
    /// VELANGLa in degrees.
    pub velangl: Option<f64>,
    /// AIPS VELREF.
    pub velref: Option<i32>,
    /// MJDREF (MJDREFI + MJDREFF), possibly derived from DATEREF by datfix, which also applies
    /// the FITS default of 0 when neither is given (as astropy shows after `fix()`).
    pub mjdref: Option<f64>,
    /// MJD-OBS, possibly derived from DATE-OBS by datfix.
    pub mjdobs: Option<f64>,
    /// DATE-OBS (datfix rewrites old formats to ISO 8601).
    pub dateobs: Option<String>,
    /// DATEREF.
    pub dateref: Option<String>,
    /// TIMESYS.
    pub timesys: Option<String>,
    /// TREFPOS.
    pub trefpos: Option<String>,
    /// TIMEUNIT.
    pub timeunit: Option<String>,
    /// WCSNAMEa.
    pub wcsname: Option<String>,
}

impl WcsInfo {
    /// PC(i+1)_(j+1) for 0-based `i`, `j`.
    pub fn pc(&self, i: usize, j: usize) -> Option<f64> {
        if i >= self.naxis || j >= self.naxis {
            return None;
        }
        self.pc.get(i * self.naxis + j).copied()
    }

    /// CD(i+1)_(j+1) for 0-based `i`, `j`, if the header had a CD matrix.
    pub fn cd(&self, i: usize, j: usize) -> Option<f64> {
        let cd = self.cd.as_ref()?;
        if i >= self.naxis || j >= self.naxis {
            return None;
        }
        cd.get(i * self.naxis + j).copied()
    }

    /// True when the linear part (CDELT × PC, or CD) has no inverse. wcslib itself only
    /// notices an all-zero row or column (status 3 from wcsset); a rank-deficient matrix such
    /// as CD = [[1, 2], [2, 4]] passes wcsset and gives meaningless world → pixel results, so
    /// [`crate::Wcs::world_to_pixel`] checks this first.
    pub fn linear_is_singular(&self) -> bool {
        let n = self.naxis;
        if n == 0 || self.pc.len() != n * n || self.axes.len() != n {
            return false;
        }
        let mut m: Vec<f64> = self
            .pc
            .iter()
            .enumerate()
            .map(|(k, pc)| self.axes[k / n].cdelt * pc)
            .collect();
        let scale = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if scale.is_nan() || scale <= 0.0 {
            return true;
        }
        let tol = n as f64 * f64::EPSILON * scale;
        // Gaussian elimination with partial pivoting; a vanishing pivot means rank < n.
        for col in 0..n {
            let pivot_row = (col..n)
                .max_by(|&a, &b| m[a * n + col].abs().total_cmp(&m[b * n + col].abs()))
                .unwrap_or(col);
            let pivot = m[pivot_row * n + col];
            if pivot.is_nan() || pivot.abs() <= tol {
                return true;
            }
            if pivot_row != col {
                for j in 0..n {
                    m.swap(col * n + j, pivot_row * n + j);
                }
            }
            for r in col + 1..n {
                let f = m[r * n + col] / pivot;
                for j in col..n {
                    m[r * n + j] -= f * m[col * n + j];
                }
            }
        }
        false
    }

    /// True if the header described the linear transformation with CDi_j (astropy `has_cd()`).
    pub fn has_cd(&self) -> bool {
        self.altlin.cd
    }

    /// Copies the values out of a wcsprm that wcsset() has set up.
    ///
    /// # Safety
    /// `wcs` must point to a wcsprm on which wcsset() returned 0, with no other live access.
    pub(crate) unsafe fn read(wcs: *const ffi::wcsprm) -> WcsInfo {
        // SAFETY: the caller guarantees a set-up struct: arrays hold naxis (or naxis²) entries,
        // types[] is allocated by wcsset, and all strings are NUL-terminated within 72 bytes.
        unsafe {
            let w = &*wcs;
            let naxis = usize::try_from(w.naxis).unwrap_or(0);
            let altlin = AltLin {
                pc: w.altlin & 1 != 0,
                cd: w.altlin & 2 != 0,
                crota: w.altlin & 4 != 0,
            };
            let doubles = |p: *const f64, n: usize| -> Vec<f64> {
                if p.is_null() || n == 0 {
                    Vec::new()
                } else {
                    std::slice::from_raw_parts(p, n).to_vec()
                }
            };
            let crval = doubles(w.crval, naxis);
            let crpix = doubles(w.crpix, naxis);
            let cdelt = doubles(w.cdelt, naxis);
            let crota = doubles(w.crota, naxis);
            let types: Vec<c_int> = if w.types.is_null() {
                vec![0; naxis]
            } else {
                std::slice::from_raw_parts(w.types, naxis).to_vec()
            };
            let axes = (0..naxis)
                .map(|i| {
                    let code = types.get(i).copied().unwrap_or(0);
                    Axis {
                        ctype: fixed_string(&*w.ctype.add(i)),
                        cunit: fixed_string(&*w.cunit.add(i)),
                        crval: crval.get(i).copied().unwrap_or(0.0),
                        crpix: crpix.get(i).copied().unwrap_or(0.0),
                        cdelt: cdelt.get(i).copied().unwrap_or(1.0),
                        crota: if altlin.crota {
                            crota.get(i).copied()
                        } else {
                            None
                        },
                        kind: AxisKind::from_code(code),
                        type_code: code,
                    }
                })
                .collect();
            let index = |i: c_int| usize::try_from(i).ok().filter(|&i| i < naxis);
            WcsInfo {
                naxis,
                axes,
                pc: doubles(w.pc, naxis * naxis),
                cd: altlin.cd.then(|| doubles(w.cd, naxis * naxis)),
                altlin,
                lng: index(w.lng),
                lat: index(w.lat),
                spec: index(w.spec),
                // cubeface is an axis index too (-1 when absent), despite "True if" in wcs.h.
                cubeface: index(w.cubeface),
                lngtyp: fixed_string(&w.lngtyp),
                lattyp: fixed_string(&w.lattyp),
                lonpole: defined(w.lonpole),
                latpole: defined(w.latpole),
                equinox: defined(w.equinox),
                radesys: fixed_string(&w.radesys),
                specsys: fixed_string(&w.specsys),
                ssysobs: fixed_string(&w.ssysobs),
                ssyssrc: fixed_string(&w.ssyssrc),
                restfrq: defined(w.restfrq).filter(|&v| v != 0.0),
                restwav: defined(w.restwav).filter(|&v| v != 0.0),
                velosys: defined(w.velosys),
                zsource: defined(w.zsource),
                velangl: defined(w.velangl),
                velref: (w.velref != 0).then_some(w.velref),
                mjdref: match (defined(w.mjdref[0]), defined(w.mjdref[1])) {
                    (Some(a), Some(b)) => Some(a + b),
                    (Some(a), None) | (None, Some(a)) => Some(a),
                    (None, None) => None,
                },
                mjdobs: defined(w.mjdobs),
                dateobs: fixed_string(&w.dateobs),
                dateref: fixed_string(&w.dateref),
                timesys: fixed_string(&w.timesys),
                trefpos: fixed_string(&w.trefpos),
                timeunit: fixed_string(&w.timeunit),
                wcsname: fixed_string(&w.wcsname),
            }
        }
    }
}

/// wcslib marks missing numbers with UNDEFINED; NaN is treated the same (never a usable value).
pub(crate) fn defined(v: f64) -> Option<f64> {
    (v != ffi::UNDEFINED && !v.is_nan()).then_some(v)
}

/// A C `char[N]` field: text up to the first NUL, trailing blanks removed, None when empty.
pub(crate) fn fixed_string(buf: &[c_char]) -> Option<String> {
    let bytes: Vec<u8> = buf
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    let s = String::from_utf8_lossy(&bytes).trim_end().to_string();
    (!s.is_empty()).then_some(s)
}
