//! The owned wcsprm and the parse → fix → set pipeline.

use std::cell::Cell;
use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::OnceLock;

use crate::error::WcsError;
use crate::ffi;
use crate::fix::{self, Fix, FixReport};
use crate::header::{self, KeyRecords, RejectedKeyword};
use crate::info::WcsInfo;
use crate::options::{ParseOptions, Relax};
use crate::params::WcsParams;
use crate::records::{self, Read};

/// A parsed, fixed and set-up world coordinate system of one header.
///
/// `Send` but not `Sync`: wcslib's transformation functions write into the struct they are
/// given (scratch buffers for distortions, lazily re-run setup, the error record), so one
/// `Wcs` must not be used from two threads at once. Give each thread its own (parse again,
/// or [`Wcs::try_clone`]).
pub struct Wcs {
    prm: Prm,
    info: WcsInfo,
    singular: bool,
    fixes: Vec<FixReport>,
    rejected: Vec<RejectedKeyword>,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: the wcsprm and everything it points to is owned by this value alone (deep copies,
// freed in Drop), and wcslib keeps no thread-local or global reference to it, so moving it to
// another thread is sound. Concurrent access is prevented by the !Sync marker.
unsafe impl Send for Wcs {}

impl std::fmt::Debug for Wcs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wcs")
            .field("info", &self.info)
            .field("fixes", &self.fixes)
            .field("rejected", &self.rejected)
            .finish()
    }
}

impl Wcs {
    /// Parses one HDU's header (concatenated 80-character cards, END optional; newline-separated
    /// cards are accepted too), applies wcslib's fixes like astropy's `Wcsprm.fix()` and runs
    /// wcsset(), so the values read back are wcslib's normalised ones (SI spectral units,
    /// defaulted RADESYS/EQUINOX, LONPOLE/LATPOLE).
    ///
    /// Keyrecords wcslib rejects are kept in [`Wcs::rejected_keywords`] (the reference ignores
    /// them silently); a NaN or infinite value in a transformation keyword (CRVAL, CRPIX, CDELT,
    /// CD, PC, CROTA, PV, LONPOLE, LATPOLE) is an error instead, because wcslib would otherwise
    /// fall back to the default (e.g. CRVAL = 0) without a word.
    pub fn from_header(header_text: &str, options: &ParseOptions) -> Result<Wcs, WcsError> {
        check_abi()?;
        let alt_index = options.alt_index().ok_or_else(|| {
            WcsError::InvalidOption(format!(
                "alternate WCS key {:?}; expected ' ' or 'A'..='Z'",
                options.alt
            ))
        })?;
        let mut records = KeyRecords::parse(header_text);
        if records.count() == 0 {
            return Err(WcsError::EmptyHeader);
        }
        // the plain headers most callers give are read without wcspih (see records.rs)
        if options.relax == Relax::None && options.alt == ' ' && !options.force_wcspih {
            match records::read(records.records()) {
                Read::Params(p) => return Wcs::build(&p, options.image_axes.as_deref()),
                Read::NoWcs => return Err(WcsError::NoWcs),
                Read::Wcspih => {}
            }
        }
        let (prm, rejected) = parse_with_wcspih(&mut records, options, alt_index)?;
        Wcs::finish(prm, options.alt, options.image_axes.as_deref(), rejected)
    }

    /// A WCS from keyword values, without header text: the struct wcspih would make from a
    /// header holding exactly these keywords (strict, primary WCS), then the same fixes and
    /// wcsset() as [`Wcs::from_header`] with default options.
    ///
    /// ```
    /// use wcs::{AxisParams, Wcs, WcsParams};
    ///
    /// let axis = |ctype: &str, crval: f64| AxisParams {
    ///     ctype: ctype.into(),
    ///     crval,
    ///     crpix: 1024.5,
    ///     ..AxisParams::default()
    /// };
    /// let params = WcsParams {
    ///     axes: vec![axis("RA---TAN", 210.8), axis("DEC--TAN", 54.35)],
    ///     cd: vec![(1, 1, -0.0002), (2, 2, 0.0002)],
    ///     ..WcsParams::default()
    /// };
    /// let wcs = Wcs::from_params(&params)?;
    /// let world = wcs.pixel_to_world(&[1024.5, 1024.5])?;
    /// assert!((world[0] - 210.8).abs() < 1e-12 && (world[1] - 54.35).abs() < 1e-12);
    /// # Ok::<(), wcs::WcsError>(())
    /// ```
    pub fn from_params(params: &WcsParams) -> Result<Wcs, WcsError> {
        check_abi()?;
        Wcs::build(params, None)
    }

    fn build(params: &WcsParams, image_axes: Option<&[i64]>) -> Result<Wcs, WcsError> {
        params.check()?;
        let prm = Prm::init(params.axes.len(), params.pv.len())?;
        // SAFETY: prm is fresh from wcsinit() with these sizes and owned here.
        unsafe { params.write(prm.as_ptr()) };
        Wcs::finish(prm, ' ', image_axes, Vec::new())
    }

    /// The checks, fixes and setup every initialised struct goes through.
    fn finish(
        prm: Prm,
        alt: char,
        image_axes: Option<&[i64]>,
        rejected: Vec<RejectedKeyword>,
    ) -> Result<Wcs, WcsError> {
        // SAFETY: prm is an initialised, not yet set-up struct owned here.
        unsafe { check_finite(prm.as_ptr(), alt)? };
        // SAFETY: as above.
        let fixes = unsafe { fix::run(prm.as_ptr(), image_axes)? };
        // celfix sets the struct up before looking at it; when neither it nor cylfix changed
        // anything afterwards, that setup is current and a second wcsset() would only repeat
        // it (wcslib's own callers test the flag the same way).
        let current = fixes
            .iter()
            .all(|f| !matches!(f.fix, Fix::Cel | Fix::Cyl) || !f.changed())
            // SAFETY: as above.
            && unsafe { (*prm.as_ptr()).flag } == ffi::WCSSET;
        if !current {
            // SAFETY: as above; wcsset() only touches this struct.
            unsafe { set(prm.as_ptr())? };
        }
        // SAFETY: wcsset() succeeded and nothing else accesses prm.
        let info = unsafe { WcsInfo::read(prm.as_ptr()) };
        Ok(Wcs {
            prm,
            singular: info.linear_is_singular(),
            info,
            fixes,
            rejected,
            _not_sync: PhantomData,
        })
    }

    /// The values read back from wcslib after fixing and wcsset().
    pub fn info(&self) -> &WcsInfo {
        &self.info
    }

    /// Number of WCS axes.
    pub fn naxis(&self) -> usize {
        self.info.naxis
    }

    /// What each of wcslib's fixes did (astropy's `fix()` result, with statuses).
    pub fn fixes(&self) -> &[FixReport] {
        &self.fixes
    }

    /// WCS keyrecords wcspih() rejected, with its reasons, for all alternates in the header.
    pub fn rejected_keywords(&self) -> &[RejectedKeyword] {
        &self.rejected
    }

    /// A deep copy (wcssub + wcsset), e.g. to hand to another thread.
    pub fn try_clone(&self) -> Result<Wcs, WcsError> {
        let prm = Prm::copy_of(self.prm.as_ptr())?;
        // SAFETY: fresh copy owned here.
        unsafe { set(prm.as_ptr())? };
        // SAFETY: set up, exclusively owned.
        let info = unsafe { WcsInfo::read(prm.as_ptr()) };
        Ok(Wcs {
            prm,
            singular: info.linear_is_singular(),
            info,
            fixes: self.fixes.clone(),
            rejected: self.rejected.clone(),
            _not_sync: PhantomData,
        })
    }

    /// A copy whose spectral axis is translated to `ctype` with wcssptr(), e.g. `WAVE-???`
    /// (wcslib fills in the algorithm code, here `WAVE-F2W` for a FREQ axis), `VRAD`, `FREQ`.
    /// Uses wcslib's constants (c = 299 792 458 m/s) and the RESTFRQ/RESTWAV of the header when
    /// the translation needs them. `self` is unchanged.
    pub fn spectral_translate(&self, ctype: &str) -> Result<Wcs, WcsError> {
        if ctype.is_empty() || ctype.len() > 8 || !ctype.bytes().all(|b| (0x20..0x7f).contains(&b))
        {
            return Err(WcsError::InvalidOption(format!(
                "spectral CTYPE {ctype:?}; expected at most 8 ASCII characters such as \"WAVE-???\""
            )));
        }
        let prm = Prm::copy_of(self.prm.as_ptr())?;
        let mut buf = [0 as c_char; 9];
        for (dst, src) in buf.iter_mut().zip(ctype.bytes()) {
            *dst = src as c_char;
        }
        let mut axis: c_int = -1;
        // SAFETY: prm is a fresh copy owned here; buf is the char[9] wcssptr() reads and
        // writes (it fills in "???" wildcards); axis = -1 asks for the first spectral axis.
        let status = unsafe { ffi::wcssptr(prm.as_ptr(), &mut axis, buf.as_mut_ptr()) };
        if status != 0 {
            // SAFETY: err is owned by prm and valid until prm is dropped.
            return Err(unsafe { wcslib_error("wcssptr", status, (*prm.as_ptr()).err) });
        }
        // SAFETY: as above.
        unsafe { set(prm.as_ptr())? };
        // SAFETY: set up, exclusively owned.
        let info = unsafe { WcsInfo::read(prm.as_ptr()) };
        Ok(Wcs {
            prm,
            singular: info.linear_is_singular(),
            info,
            fixes: self.fixes.clone(),
            rejected: self.rejected.clone(),
            _not_sync: PhantomData,
        })
    }

    /// The struct for transformation calls. Only used while `&self` is held and `Wcs` is !Sync,
    /// so no two calls can use it at the same time.
    pub(crate) fn singular(&self) -> bool {
        self.singular
    }

    pub(crate) fn raw(&self) -> *mut ffi::wcsprm {
        self.prm.as_ptr()
    }
}

impl Clone for Wcs {
    /// # Panics
    /// Only if wcslib cannot allocate memory for the copy (Rust aborts on that anyway).
    fn clone(&self) -> Self {
        match self.try_clone() {
            Ok(w) => w,
            Err(e) => panic!("copying a set-up wcsprm failed: {e}"),
        }
    }
}

/// wcspih() on the records, a private copy of the selected representation, and wcspih()'s
/// report of rejected keyrecords (a non-finite transformation value is an error).
fn parse_with_wcspih(
    records: &mut KeyRecords,
    options: &ParseOptions,
    alt_index: usize,
) -> Result<(Prm, Vec<RejectedKeyword>), WcsError> {
    let nkeyrec =
        c_int::try_from(records.count()).map_err(|_| WcsError::TooLarge(records.count()))?;
    let relax = options.relax.bits();

    let mut nreject: c_int = 0;
    let mut array = PihArray {
        ptr: std::ptr::null_mut(),
        nwcs: 0,
    };
    // SAFETY: records holds nkeyrec 80-byte records; ctrl = 0 neither prints nor edits the
    // header, so no global state is touched. The array wcspih() allocates is owned by the
    // PihArray guard from here on, also on error.
    let status = unsafe {
        ffi::wcspih(
            records.as_mut_ptr(),
            nkeyrec,
            relax,
            0,
            &mut nreject,
            &mut array.nwcs,
            &mut array.ptr,
        )
    };
    if status != 0 {
        return Err(wcspih_error(status));
    }
    if array.nwcs <= 0 || array.ptr.is_null() {
        return Err(WcsError::NoWcs);
    }
    let mut alts = [-1 as c_int; 27];
    // SAFETY: array holds nwcs structs from wcspih(); alts has the 27 entries wcsidx() fills.
    unsafe { ffi::wcsidx(array.nwcs, &mut array.ptr, alts.as_mut_ptr()) };
    let index = usize::try_from(alts[alt_index])
        .ok()
        .filter(|&i| i < array.nwcs as usize)
        .ok_or(WcsError::NoSuchAlternate(options.alt))?;
    // A private deep copy (as astropy makes) so the Wcs owns exactly one struct.
    // SAFETY: index < nwcs, so the pointer is one of wcspih()'s initialised structs.
    let prm = Prm::copy_of(unsafe { array.ptr.add(index) })?;
    drop(array);

    let rejected = if nreject > 0 {
        header::rejected_keywords(records, relax)?
    } else {
        Vec::new()
    };
    for r in rejected.iter().filter(|r| r.alt() == options.alt) {
        if r.is_transformation_keyword() {
            if let Some(value) = r.non_finite_value() {
                return Err(WcsError::NonFinite {
                    keyword: r.keyword.clone(),
                    value,
                });
            }
        }
    }
    Ok((prm, rejected))
}

/// One wcsprm allocated by Rust, initialised and freed by wcslib.
struct Prm(NonNull<ffi::wcsprm>);

impl Prm {
    /// A zeroed struct with `flag = -1`, the "never initialised" state wcsinit()/wcssub() want
    /// (wcs.h: otherwise they may try to free garbage).
    fn zeroed() -> Prm {
        // SAFETY: wcsprm holds only integers, floats, raw pointers and arrays of those, for
        // which all-zero bytes are valid values.
        let mut b: Box<ffi::wcsprm> = Box::new(unsafe { std::mem::zeroed() });
        b.flag = -1;
        Prm(NonNull::from(Box::leak(b)))
    }

    /// A struct initialised by wcsinit() for `naxis` axes and `npvmax` PV cards (no PS, no
    /// distortions), all values at their defaults.
    fn init(naxis: usize, npvmax: usize) -> Result<Prm, WcsError> {
        let prm = Prm::zeroed();
        let naxis = c_int::try_from(naxis).map_err(|_| WcsError::TooLarge(naxis))?;
        let npvmax = c_int::try_from(npvmax).map_err(|_| WcsError::TooLarge(npvmax))?;
        // SAFETY: prm is fresh (flag -1); explicit npvmax/npsmax/ndpmax avoid wcslib's global
        // defaults. On failure prm is dropped, and wcsfree() on it is valid.
        let status = unsafe { ffi::wcsinit(1, naxis, prm.as_ptr(), npvmax, 0, 0) };
        if status != 0 {
            // SAFETY: err belongs to prm and lives until prm is dropped after this call.
            return Err(unsafe { wcslib_error("wcsinit", status, (*prm.as_ptr()).err) });
        }
        Ok(prm)
    }

    /// Deep copy (wcssub with no axis selection); the copy still needs wcsset().
    fn copy_of(src: *const ffi::wcsprm) -> Result<Prm, WcsError> {
        let dst = Prm::zeroed();
        // SAFETY: src is an initialised wcsprm; dst is fresh (flag -1) and wcssub() allocates
        // its arrays. On failure dst is dropped, and wcsfree() on it is valid (flag -1 or
        // initialised by wcssub's wcsinit()).
        let status = unsafe {
            ffi::wcssub(
                1,
                src,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                dst.as_ptr(),
            )
        };
        if status != 0 {
            // SAFETY: err belongs to dst and lives until dst is dropped after this call.
            return Err(unsafe { wcslib_error("wcssub", status, (*dst.as_ptr()).err) });
        }
        Ok(dst)
    }

    fn as_ptr(&self) -> *mut ffi::wcsprm {
        self.0.as_ptr()
    }
}

impl Drop for Prm {
    fn drop(&mut self) {
        // SAFETY: the pointer came from Box::leak in zeroed() and is dropped once. wcsfree()
        // releases what wcsinit()/wcsset() allocated (arrays, error record, distortion and
        // projection internals); the struct itself is Rust's to free.
        unsafe {
            ffi::wcsfree(self.0.as_ptr());
            drop(Box::from_raw(self.0.as_ptr()));
        }
    }
}

/// The array wcspih() returns, freed with wcsvfree() however we leave from_header().
struct PihArray {
    ptr: *mut ffi::wcsprm,
    nwcs: c_int,
}

impl Drop for PihArray {
    fn drop(&mut self) {
        if !self.ptr.is_null() {
            // SAFETY: ptr/nwcs are exactly what wcspih() returned.
            unsafe { ffi::wcsvfree(&mut self.nwcs, &mut self.ptr) };
        }
    }
}

/// Drops the error records of the struct and its parts. wcslib's wcserr_set() overwrites an
/// existing record's message pointer without freeing it, so every failing call after the first
/// would leak its message; clearing before each call keeps a long-lived `Wcs` leak-free.
///
/// # Safety
/// `wcs` must be an initialised wcsprm with no other live access.
pub(crate) unsafe fn clear_errors(wcs: *mut ffi::wcsprm) {
    // SAFETY: per the caller; wcserr_clear() accepts null records.
    unsafe {
        ffi::wcserr_clear(&mut (*wcs).err);
        ffi::wcserr_clear(&mut (*wcs).lin.err);
        ffi::wcserr_clear(&mut (*wcs).cel.err);
        ffi::wcserr_clear(&mut (*wcs).cel.prj.err);
        ffi::wcserr_clear(&mut (*wcs).spc.err);
    }
}

/// wcsset(), with wcslib's message on failure.
///
/// # Safety
/// `wcs` must be an initialised wcsprm with no other live access.
unsafe fn set(wcs: *mut ffi::wcsprm) -> Result<(), WcsError> {
    // SAFETY: per the caller.
    let status = unsafe { ffi::wcsset(wcs) };
    if status != 0 {
        // SAFETY: err belongs to wcs.
        return Err(unsafe { wcslib_error("wcsset", status, (*wcs).err) });
    }
    Ok(())
}

/// A wcslib error with the detailed message from the struct's wcserr record when there is one
/// (wcserr_enable(1) is on), else the generic text for the status.
///
/// # Safety
/// `err` must be null or point to a valid wcserr.
pub(crate) unsafe fn wcslib_error(
    function: &'static str,
    status: c_int,
    err: *const ffi::wcserr,
) -> WcsError {
    // SAFETY: per the caller; msg is NUL-terminated when non-null.
    let detailed = unsafe {
        (!err.is_null() && !(*err).msg.is_null())
            .then(|| CStr::from_ptr((*err).msg).to_string_lossy().into_owned())
    };
    let message = detailed
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| generic_message(status));
    WcsError::Wcslib {
        function,
        status,
        message,
    }
}

/// wcslib's `wcs_errmsg[status]`.
fn generic_message(status: c_int) -> String {
    match usize::try_from(status) {
        Ok(i) if i < ffi::WCS_ERRMSG_LEN => {
            // SAFETY: wcs_errmsg is a constant array of WCS_ERRMSG_LEN string pointers in 7.x.
            let p = unsafe { ffi::wcs_errmsg[i] };
            if p.is_null() {
                format!("wcslib status {status}")
            } else {
                // SAFETY: non-null entries are static NUL-terminated strings.
                unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
            }
        }
        _ => format!("wcslib status {status}"),
    }
}

/// wcspih()'s statuses (wcshdr.h).
pub(crate) fn wcspih_error(status: c_int) -> WcsError {
    let message = match status {
        1 => "Null wcsprm pointer passed",
        2 => "Memory allocation failed",
        4 => "Fatal error returned by Flex parser",
        _ => "unexpected status",
    };
    WcsError::Wcslib {
        function: "wcspih",
        status,
        message: message.to_string(),
    }
}

/// NaN/infinite values that made it through the parser (overflowing literals such as 1E999 are
/// read as infinity) would give wcsset() "ill-conditioned" errors at best and infinite world
/// coordinates at worst; name the keyword instead.
///
/// # Safety
/// `wcs` must be an initialised wcsprm.
unsafe fn check_finite(wcs: *const ffi::wcsprm, alt: char) -> Result<(), WcsError> {
    // SAFETY: per the caller, the arrays hold naxis (naxis² for matrices) values.
    let w = unsafe { &*wcs };
    let n = usize::try_from(w.naxis).unwrap_or(0);
    let suffix = if alt == ' ' {
        String::new()
    } else {
        alt.to_string()
    };
    let bad = |keyword: String, v: f64| WcsError::NonFinite {
        keyword,
        value: v.to_string(),
    };
    let vector = |p: *const f64, name: &str| -> Result<(), WcsError> {
        if p.is_null() {
            return Ok(());
        }
        for i in 0..n {
            // SAFETY: i < naxis.
            let v = unsafe { *p.add(i) };
            if !v.is_finite() {
                return Err(bad(format!("{name}{}{suffix}", i + 1), v));
            }
        }
        Ok(())
    };
    let matrix = |p: *const f64, name: &str| -> Result<(), WcsError> {
        if p.is_null() {
            return Ok(());
        }
        for i in 0..n {
            for j in 0..n {
                // SAFETY: i*n + j < naxis².
                let v = unsafe { *p.add(i * n + j) };
                if !v.is_finite() {
                    return Err(bad(format!("{name}{}_{}{suffix}", i + 1, j + 1), v));
                }
            }
        }
        Ok(())
    };
    vector(w.crpix, "CRPIX")?;
    vector(w.crval, "CRVAL")?;
    vector(w.cdelt, "CDELT")?;
    vector(w.crota, "CROTA")?;
    matrix(w.pc, "PC")?;
    matrix(w.cd, "CD")?;
    for (name, v) in [("LONPOLE", w.lonpole), ("LATPOLE", w.latpole)] {
        if v.is_infinite() {
            return Err(bad(format!("{name}{suffix}"), v));
        }
    }
    Ok(())
}

static ABI: OnceLock<Result<(), String>> = OnceLock::new();

/// Runs once per process, before any other wcslib call of this crate:
/// - turns on wcslib's detailed error messages (`wcserr_enable` writes a global flag and is
///   documented as not thread-safe; the OnceLock makes it a single write that happens-before
///   every later call);
/// - compares the struct sizes the linked library reports with this crate's declarations, so a
///   different libwcs at run time is an error, not memory corruption.
pub(crate) fn check_abi() -> Result<(), WcsError> {
    ABI.get_or_init(probe_abi).clone().map_err(WcsError::Abi)
}

fn probe_abi() -> Result<(), String> {
    let mut vers = [0 as c_int; 3];
    // SAFETY: wcslib_version() fills vers[3] and returns a static string.
    let version = unsafe {
        ffi::wcserr_enable(1);
        let p = ffi::wcslib_version(vers.as_mut_ptr());
        if p.is_null() {
            String::from("?")
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    };
    if vers[0] != 7 {
        return Err(format!(
            "wcslib {version} is linked, but this crate declares the wcslib 7.x struct layout"
        ));
    }
    let ours = std::mem::size_of::<ffi::wcsprm>();
    // Let wcslib initialise a struct in a buffer far larger than ours, so that even a larger C
    // struct cannot overrun it before the sizes are compared.
    let mut buf = vec![0u64; 4 * ours / 8 + 64];
    let p = buf.as_mut_ptr().cast::<ffi::wcsprm>();
    let mut sizes = [0 as c_int; 2];
    // SAFETY: buf is zeroed, 8-byte aligned and large enough; flag is the first field in every
    // wcslib version. wcsinit with explicit npvmax/npsmax/ndpmax avoids the global defaults.
    let theirs = unsafe {
        (*p).flag = -1;
        ffi::wcsinit(1, 1, p, 0, 0, 0);
        ffi::wcssize(p, sizes.as_mut_ptr());
        sizes[0]
    };
    let mut result = Ok(());
    if usize::try_from(theirs).ok() != Some(ours) {
        result = Err(format!(
            "wcslib {version}: sizeof(struct wcsprm) is {theirs}, this crate expects {ours}"
        ));
    } else {
        // SAFETY: the outer layout matches, so the embedded structs are at our offsets.
        let inner = unsafe {
            let mut s = [0 as c_int; 2];
            let mut out = Vec::new();
            ffi::linsize(&(*p).lin, s.as_mut_ptr());
            out.push(("linprm", s[0], std::mem::size_of::<ffi::linprm>()));
            ffi::celsize(&(*p).cel, s.as_mut_ptr());
            out.push(("celprm", s[0], std::mem::size_of::<ffi::celprm>()));
            ffi::prjsize(&(*p).cel.prj, s.as_mut_ptr());
            out.push(("prjprm", s[0], std::mem::size_of::<ffi::prjprm>()));
            ffi::spcsize(&(*p).spc, s.as_mut_ptr());
            out.push(("spcprm", s[0], std::mem::size_of::<ffi::spcprm>()));
            out
        };
        for (name, theirs, ours) in inner {
            if usize::try_from(theirs).ok() != Some(ours) {
                result = Err(format!(
                    "wcslib {version}: sizeof(struct {name}) is {theirs}, this crate expects {ours}"
                ));
            }
        }
    }
    // SAFETY: initialised by wcsinit() above (in wcslib's own layout, inside buf).
    unsafe { ffi::wcsfree(p) };
    result
}

impl RejectedKeyword {
    /// The alternate WCS key a transformation keyword belongs to (`CRVAL1A` → 'A', `CRVAL1`
    /// → ' '). Only meaningful where `is_transformation_keyword()` holds: `EQUINOX` would
    /// read as alternate 'X'.
    pub(crate) fn alt(&self) -> char {
        let k = self.keyword.as_str();
        if k == "LONPOLE" || k == "LATPOLE" {
            return ' ';
        }
        k.chars()
            .last()
            .filter(|c| c.is_ascii_uppercase())
            .unwrap_or(' ')
    }
}
