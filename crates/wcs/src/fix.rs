//! wcslib's header fixes as astropy's `Wcsprm.fix()` applies them, with each fix's outcome.

use std::ffi::{c_int, CStr};

use crate::error::WcsError;
use crate::ffi;

/// One of wcslib's header repairs, in the order wcsfixi() applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fix {
    /// Diagonal CDi_i = 1 for axes with no CD keywords at all.
    Cd,
    /// Old DATE-OBS formats; MJD-OBS/DATE-OBS and MJDREF/DATEREF derived from each other.
    Dat,
    /// OBSGEO-X/Y/Z and OBSGEO-L/B/H derived from each other.
    Obs,
    /// Non-standard unit spellings (`DEG` → `deg`); only translations wcslib calls safe.
    Unit,
    /// AIPS spectral types (`VELO-LSR` → `VOPT` + SPECSYS `LSRK`, `FELO-HEL` → `VOPT-F2W` …).
    Spc,
    /// AIPS celestial projections (`NCP`, `GLS`).
    Cel,
    /// Malformed cylindrical projections; only run when image axis lengths are given.
    Cyl,
}

impl Fix {
    /// In wcsfix.h index order (`CDFIX` = 0 … `CYLFIX` = 6).
    pub const ALL: [Fix; ffi::NWCSFIX] = [
        Fix::Cd,
        Fix::Dat,
        Fix::Obs,
        Fix::Unit,
        Fix::Spc,
        Fix::Cel,
        Fix::Cyl,
    ];

    /// wcslib's (and astropy's) name: `cdfix`, `datfix`, …
    pub fn name(self) -> &'static str {
        match self {
            Fix::Cd => "cdfix",
            Fix::Dat => "datfix",
            Fix::Obs => "obsfix",
            Fix::Unit => "unitfix",
            Fix::Spc => "spcfix",
            Fix::Cel => "celfix",
            Fix::Cyl => "cylfix",
        }
    }
}

/// What one fix did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixOutcome {
    /// Not invoked (cylfix without image axis lengths).
    NotRun,
    /// Nothing needed changing.
    NoChange,
    /// Something was changed; the message says what.
    Changed,
    /// The fix failed with this wcslib status; the header is then usually unusable and
    /// wcsset() reports the same cause.
    Failed(i32),
}

/// A fix, its outcome and wcslib's message (if it gave one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixReport {
    /// Which fix.
    pub fix: Fix,
    /// What happened.
    pub outcome: FixOutcome,
    /// wcslib's message, e.g. "Changed CTYPE1 from 'VELO-LSR' to 'VOPT', and SPECSYS to 'LSRK'
    /// (VELREF=0)".
    pub message: Option<String>,
}

impl FixReport {
    /// True when the fix changed the WCS.
    pub fn changed(&self) -> bool {
        self.outcome == FixOutcome::Changed
    }
}

/// Runs the fixes like astropy's `Wcsprm.fix(translate_units='', naxis=...)`: the same
/// functions, order and arguments as wcsfixi() (`ctrl = 0`: no potentially unsafe unit
/// translations such as `S` → `s`), and the same rule for which messages count.
///
/// Not wcsfixi() itself: in wcslib 7.12 it leaks its copies of error messages whenever a fix
/// fails, and it calls cylfix even without axis lengths (reporting "no change" for a fix it did
/// not run). Calling the fixes one by one, clearing `wcs->err` around each, avoids both.
///
/// # Safety
/// `wcs` must point to a wcsprm initialised by wcslib (wcsinit/wcssub), with no other access.
pub(crate) unsafe fn run(
    wcs: *mut ffi::wcsprm,
    image_axes: Option<&[i64]>,
) -> Result<Vec<FixReport>, WcsError> {
    // SAFETY: caller guarantees wcs is valid.
    let naxis = usize::try_from(unsafe { (*wcs).naxis }).unwrap_or(0);
    let axes: Option<Vec<c_int>> = match image_axes {
        None => None,
        Some(given) => {
            let mut v = Vec::with_capacity(naxis);
            for i in 0..naxis {
                let n = given.get(i).copied().unwrap_or(1);
                let n = c_int::try_from(n).map_err(|_| {
                    WcsError::InvalidOption(format!(
                        "image axis length NAXIS{} = {n} is out of range",
                        i + 1
                    ))
                })?;
                v.push(n);
            }
            Some(v)
        }
    };

    let mut out = Vec::with_capacity(ffi::NWCSFIX);
    for fix in Fix::ALL {
        // SAFETY: wcs is valid; each fix works on it alone. err is cleared first so the message
        // read afterwards is this fix's, and cleared again so wcslib's own wcserr_set(), which
        // does not free an existing message, cannot leak it later.
        let (status, message) = unsafe {
            ffi::wcserr_clear(&mut (*wcs).err);
            let status = match fix {
                Fix::Cd => ffi::cdfix(wcs),
                Fix::Dat => ffi::datfix(wcs),
                Fix::Obs => ffi::obsfix(0, wcs),
                Fix::Unit => ffi::unitfix(0, wcs),
                Fix::Spc => ffi::spcfix(wcs),
                Fix::Cel => ffi::celfix(wcs),
                Fix::Cyl => match &axes {
                    Some(a) => ffi::cylfix(a.as_ptr(), wcs),
                    None => -2,
                },
            };
            let err = (*wcs).err;
            let message = if err.is_null() || (*err).msg.is_null() {
                None
            } else {
                Some((
                    (*err).status,
                    CStr::from_ptr((*err).msg).to_string_lossy().into_owned(),
                    function_name(err),
                ))
            };
            ffi::wcserr_clear(&mut (*wcs).err);
            (status, message)
        };
        // wcsfixi's rule: no message for "no change"; for success only informative ones
        // (negative status); anything else keeps whatever the fix said.
        let (outcome, message) = match status {
            -2 => (FixOutcome::NotRun, None),
            -1 => (FixOutcome::NoChange, None),
            0 => (
                FixOutcome::Changed,
                message.filter(|(st, _, _)| *st < 0).map(|(_, m, _)| m),
            ),
            s => {
                if s > 0 && matches!(fix, Fix::Cel | Fix::Cyl) {
                    // celfix and cylfix fail when their internal wcsset() fails. Calling
                    // wcsset() again would give the same error and, for a singular matrix,
                    // leak linset()'s matrices (7.12 re-allocates them after a failure).
                    let (_, text, function) = message
                        .unwrap_or_else(|| (s, format!("{} failed", fix.name()), fix.name()));
                    return Err(WcsError::Wcslib {
                        // The error is the fix's own only if it says so; otherwise it came from
                        // the wcsset() (or deeper) call inside the fix.
                        function: if function == fix.name() {
                            fix.name()
                        } else {
                            "wcsset"
                        },
                        status: s,
                        message: text,
                    });
                }
                (FixOutcome::Failed(s), message.map(|(_, m, _)| m))
            }
        };
        out.push(FixReport {
            fix,
            outcome,
            message: message.filter(|m| !m.is_empty()),
        });
    }
    Ok(out)
}

/// The C function a wcserr record names, if it is one of the fixes that can fail on their own.
///
/// # Safety
/// `err` must point to a valid wcserr.
unsafe fn function_name(err: *const ffi::wcserr) -> &'static str {
    // SAFETY: per the caller; function is a static string or null.
    let f = unsafe { (*err).function };
    if f.is_null() {
        return "";
    }
    // SAFETY: non-null function names are static NUL-terminated strings in wcslib.
    match unsafe { CStr::from_ptr(f) }.to_bytes() {
        b"celfix" => "celfix",
        b"cylfix" => "cylfix",
        _ => "",
    }
}
