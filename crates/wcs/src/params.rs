//! A primary WCS given by its keyword values instead of header text, written straight into a
//! wcsprm (`wcsinit` + the fields `wcspih` would set), then fixed and set up like a parsed one.
//!
//! Callers that already hold the values (plane compute builds one WCS per chunk from CAOM
//! functions) skip wcspih's lexer, which costs far more than the fixes and wcsset together.
//! [`crate::Wcs::from_header`] also comes here for headers made only of the common keywords in
//! their plain forms (see `records.rs`), and hands everything else to wcspih.

use std::ffi::c_char;

use crate::error::WcsError;
use crate::ffi;

/// One axis of a [`WcsParams`]: the values of `CTYPEi`, `CUNITi`, `CRVALi`, `CRPIXi`,
/// `CDELTi`, `CROTAi`, `CRDERi` and `CSYERi`. The defaults are wcslib's (`wcsinit`) for
/// keywords not given.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisParams {
    /// CTYPEi; empty when not given. Trailing blanks are dropped, as wcspih does.
    pub ctype: String,
    /// CUNITi; empty when not given. Strings other than CTYPE are kept as given, blanks
    /// included, as wcspih keeps them (`RADESYS = 'ICRS    '` is not ICRS to wcsset).
    pub cunit: String,
    /// CRVALi (default 0).
    pub crval: f64,
    /// CRPIXi (default 0, as wcslib's).
    pub crpix: f64,
    /// CDELTi (default 1).
    pub cdelt: f64,
    /// CROTAi; giving it sets the CROTA bit of `altlin`, as the keyword does.
    pub crota: Option<f64>,
    /// CRDERi (random error).
    pub crder: Option<f64>,
    /// CSYERi (systematic error).
    pub csyer: Option<f64>,
}

impl Default for AxisParams {
    fn default() -> Self {
        AxisParams {
            ctype: String::new(),
            cunit: String::new(),
            crval: 0.0,
            crpix: 0.0,
            cdelt: 1.0,
            crota: None,
            crder: None,
            csyer: None,
        }
    }
}

/// The keyword values of a primary WCS. The number of axes is `axes.len()`; matrix and `PV`
/// indices are 1-based, as in the keywords. `None` (or an empty string) leaves wcslib's
/// default, exactly as leaving the keyword out of a header does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WcsParams {
    /// One entry per WCS axis.
    pub axes: Vec<AxisParams>,
    /// `PCi_j` elements given, `(i, j, value)`; any sets the PC bit of `altlin`.
    pub pc: Vec<(usize, usize, f64)>,
    /// `CDi_j` elements given, `(i, j, value)`; any sets the CD bit of `altlin`.
    pub cd: Vec<(usize, usize, f64)>,
    /// `PVi_m` values, `(i, m, value)`, in header order.
    pub pv: Vec<(usize, usize, f64)>,
    /// LONPOLE.
    pub lonpole: Option<f64>,
    /// LATPOLE.
    pub latpole: Option<f64>,
    /// EQUINOX (or EPOCH when EQUINOX is absent, as wcspih reads them).
    pub equinox: Option<f64>,
    /// RESTFRQ (or RESTFREQ).
    pub restfrq: Option<f64>,
    /// RESTWAV.
    pub restwav: Option<f64>,
    /// VELOSYS.
    pub velosys: Option<f64>,
    /// ZSOURCE.
    pub zsource: Option<f64>,
    /// VELANGL.
    pub velangl: Option<f64>,
    /// MJD-OBS.
    pub mjdobs: Option<f64>,
    /// TIMEDEL.
    pub timedel: Option<f64>,
    /// OBSGEO-X, OBSGEO-Y, OBSGEO-Z.
    pub obsgeo: [Option<f64>; 3],
    /// AIPS VELREF.
    pub velref: Option<i32>,
    /// RADESYS.
    pub radesys: String,
    /// SPECSYS.
    pub specsys: String,
    /// SSYSOBS.
    pub ssysobs: String,
    /// SSYSSRC.
    pub ssyssrc: String,
    /// DATE-OBS.
    pub dateobs: String,
    /// DATE-END.
    pub dateend: String,
    /// TIMESYS.
    pub timesys: String,
    /// WCSNAME.
    pub wcsname: String,
}

/// Most axes wcslib's keywords can number (`CTYPE99`).
const MAX_AXES: usize = 99;

impl WcsParams {
    /// A WCS of `naxis` axes with every keyword at its default.
    pub fn with_axes(naxis: usize) -> WcsParams {
        WcsParams {
            axes: vec![AxisParams::default(); naxis],
            ..WcsParams::default()
        }
    }

    /// Checks what the header syntax would have guaranteed: axis numbers in range, strings of
    /// printable ASCII that fit wcslib's 72-byte fields.
    pub(crate) fn check(&self) -> Result<(), WcsError> {
        let n = self.axes.len();
        if n == 0 {
            return Err(WcsError::NoWcs);
        }
        if n > MAX_AXES {
            return Err(WcsError::InvalidOption(format!(
                "{n} axes; wcslib's keywords number at most {MAX_AXES}"
            )));
        }
        let bad_index = |what: &str, i: usize, j: usize| {
            WcsError::InvalidOption(format!("{what}{i}_{j}: index out of range for {n} axes"))
        };
        for (what, list) in [("PC", &self.pc), ("CD", &self.cd)] {
            for &(i, j, _) in list {
                if !(1..=n).contains(&i) || !(1..=n).contains(&j) {
                    return Err(bad_index(what, i, j));
                }
            }
        }
        for &(i, m, _) in &self.pv {
            if !(1..=n).contains(&i) || m > 99 {
                return Err(bad_index("PV", i, m));
            }
        }
        let strings = self.axes.iter().flat_map(|a| [&a.ctype, &a.cunit]).chain([
            &self.radesys,
            &self.specsys,
            &self.ssysobs,
            &self.ssyssrc,
            &self.dateobs,
            &self.dateend,
            &self.timesys,
            &self.wcsname,
        ]);
        for s in strings {
            if s.len() > 71 || !s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(WcsError::InvalidOption(format!(
                    "{s:?}: wcslib takes at most 71 printable ASCII characters"
                )));
            }
        }
        Ok(())
    }

    /// Writes the values into a struct fresh from `wcsinit(naxis = axes.len(), npvmax >=
    /// pv.len())`, as wcspih stores the keywords.
    ///
    /// # Safety
    /// `wcs` must be such a struct, with no other access.
    pub(crate) unsafe fn write(&self, wcs: *mut ffi::wcsprm) {
        // SAFETY: per the caller, the arrays hold naxis (naxis² for matrices) entries and pv
        // holds npvmax >= pv.len() cards; check() has bounded every index.
        unsafe {
            let w = &mut *wcs;
            let n = self.axes.len();
            for (i, a) in self.axes.iter().enumerate() {
                // wcspih drops CTYPE's trailing blanks
                put_str(&mut *w.ctype.add(i), a.ctype.trim_end_matches(' '));
                put_str(&mut *w.cunit.add(i), &a.cunit);
                *w.crval.add(i) = a.crval;
                *w.crpix.add(i) = a.crpix;
                *w.cdelt.add(i) = a.cdelt;
                if let Some(r) = a.crota {
                    *w.crota.add(i) = r;
                    w.altlin |= 4;
                }
                if let Some(e) = a.crder {
                    *w.crder.add(i) = e;
                }
                if let Some(e) = a.csyer {
                    *w.csyer.add(i) = e;
                }
            }
            for &(i, j, v) in &self.pc {
                *w.pc.add((i - 1) * n + (j - 1)) = v;
                w.altlin |= 1;
            }
            for &(i, j, v) in &self.cd {
                *w.cd.add((i - 1) * n + (j - 1)) = v;
                w.altlin |= 2;
            }
            for (k, &(i, m, v)) in self.pv.iter().enumerate() {
                *w.pv.add(k) = ffi::pvcard {
                    i: i as i32,
                    m: m as i32,
                    value: v,
                };
            }
            w.npv = self.pv.len() as i32;
            let set = |field: &mut f64, v: Option<f64>| {
                if let Some(v) = v {
                    *field = v;
                }
            };
            set(&mut w.lonpole, self.lonpole);
            set(&mut w.latpole, self.latpole);
            set(&mut w.equinox, self.equinox);
            set(&mut w.restfrq, self.restfrq);
            set(&mut w.restwav, self.restwav);
            set(&mut w.velosys, self.velosys);
            set(&mut w.zsource, self.zsource);
            set(&mut w.velangl, self.velangl);
            set(&mut w.mjdobs, self.mjdobs);
            set(&mut w.timedel, self.timedel);
            for (k, v) in self.obsgeo.iter().enumerate() {
                set(&mut w.obsgeo[k], *v);
            }
            if let Some(v) = self.velref {
                w.velref = v;
            }
            put_str(&mut w.radesys, &self.radesys);
            put_str(&mut w.specsys, &self.specsys);
            put_str(&mut w.ssysobs, &self.ssysobs);
            put_str(&mut w.ssyssrc, &self.ssyssrc);
            put_str(&mut w.dateobs, &self.dateobs);
            put_str(&mut w.dateend, &self.dateend);
            put_str(&mut w.timesys, &self.timesys);
            put_str(&mut w.wcsname, &self.wcsname);
        }
    }
}

/// A string into a `char[72]` field, NUL-filled, as given (wcspih keeps the blanks of every
/// string keyword but CTYPE); `check()` has bounded it to 71 bytes. An empty string leaves
/// the field as wcsinit made it.
fn put_str(field: &mut [c_char; 72], s: &str) {
    if s.is_empty() {
        return;
    }
    field.fill(0);
    for (d, b) in field.iter_mut().zip(s.bytes().take(71)) {
        *d = b as c_char;
    }
}
