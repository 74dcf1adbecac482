//! Hand-written declarations for the parts of wcslib 7.12 this crate calls.
//!
//! The structs mirror `wcs.h`, `lin.h`, `cel.h`, `prj.h`, `spc.h`, `wcserr.h` field by field
//! (same names, same order) because `struct wcsprm` embeds `linprm`, `celprm` (which embeds
//! `prjprm`) and `spcprm` by value: a wrong size anywhere shifts every later field. The layout is
//! checked twice: at test time against `offsetof()` from gcc (`layout_tests.rs`), and at run time
//! against the sizes the linked library reports (`check_abi` in `wcs.rs`), so a different libwcs
//! at run time gives an error instead of memory corruption.
//!
//! Deliberately *not* declared: the functions that change process-global state (`wcsnpv`,
//! `wcsnps`, `disndp`, `disitermax`) and the printers that use the global `wcsprintf` sink
//! (`wcsprt`, `wcsperr`, `wcserr_prt`); see the crate documentation on thread safety.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_double, c_int, c_void};

/// wcslib's marker for "no value" (`wcsmath.h`: `UNDEFINED 987654321.0e99`).
pub const UNDEFINED: f64 = 987654321.0e99;

/// `wcsprm::flag` value after a successful `wcsset()` (`wcs.c`: `#define WCSSET 137`).
pub const WCSSET: c_int = 137;

/// `wcshdr.h`: accept all recognised informal extensions.
pub const WCSHDR_ALL: c_int = 0x000F_FFFF;

/// `wcsfix.h`: number of fix functions.
pub const NWCSFIX: usize = 7;

/// `prj.h`: number of projection parameters.
pub const PVN: usize = 30;

/// Number of entries of `wcs_errmsg[]` in wcslib 7.x (`enum wcs_errmsg_enum`, 0..=14).
pub const WCS_ERRMSG_LEN: usize = 15;

#[repr(C)]
pub struct pvcard {
    pub i: c_int,
    pub m: c_int,
    pub value: c_double,
}

#[repr(C)]
pub struct pscard {
    pub i: c_int,
    pub m: c_int,
    pub value: [c_char; 72],
}

#[repr(C)]
pub struct wcserr {
    pub status: c_int,
    pub line_no: c_int,
    pub function: *const c_char,
    pub file: *const c_char,
    pub msg: *mut c_char,
}

/// Opaque: only ever handled by pointer.
#[repr(C)]
pub struct disprm {
    _private: [u8; 0],
}

/// Opaque: only ever handled by pointer.
#[repr(C)]
pub struct auxprm {
    _private: [u8; 0],
}

/// Opaque: only ever handled by pointer.
#[repr(C)]
pub struct tabprm {
    _private: [u8; 0],
}

/// Opaque: only ever handled by pointer.
#[repr(C)]
pub struct wtbarr {
    _private: [u8; 0],
}

#[repr(C)]
pub struct linprm {
    pub flag: c_int,
    pub naxis: c_int,
    pub crpix: *mut c_double,
    pub pc: *mut c_double,
    pub cdelt: *mut c_double,
    pub dispre: *mut disprm,
    pub disseq: *mut disprm,
    pub piximg: *mut c_double,
    pub imgpix: *mut c_double,
    pub i_naxis: c_int,
    pub unity: c_int,
    pub affine: c_int,
    pub simple: c_int,
    pub err: *mut wcserr,
    pub tmpcrd: *mut c_double,
    pub m_flag: c_int,
    pub m_naxis: c_int,
    pub m_crpix: *mut c_double,
    pub m_pc: *mut c_double,
    pub m_cdelt: *mut c_double,
    pub m_dispre: *mut disprm,
    pub m_disseq: *mut disprm,
}

#[repr(C)]
pub struct prjprm {
    pub flag: c_int,
    pub code: [c_char; 4],
    pub r0: c_double,
    pub pv: [c_double; PVN],
    pub phi0: c_double,
    pub theta0: c_double,
    pub bounds: c_int,
    pub name: [c_char; 40],
    pub category: c_int,
    pub pvrange: c_int,
    pub simplezen: c_int,
    pub equiareal: c_int,
    pub conformal: c_int,
    pub global: c_int,
    pub divergent: c_int,
    pub x0: c_double,
    pub y0: c_double,
    pub err: *mut wcserr,
    pub padding: *mut c_void,
    pub w: [c_double; 10],
    pub m: c_int,
    pub n: c_int,
    // Function pointers; never called from Rust, so kept as plain pointers of the same size.
    pub prjx2s: *mut c_void,
    pub prjs2x: *mut c_void,
}

#[repr(C)]
pub struct celprm {
    pub flag: c_int,
    pub offset: c_int,
    pub phi0: c_double,
    pub theta0: c_double,
    pub r#ref: [c_double; 4],
    pub prj: prjprm,
    pub euler: [c_double; 5],
    pub latpreq: c_int,
    pub isolat: c_int,
    pub err: *mut wcserr,
    pub padding: *mut c_void,
}

#[repr(C)]
#[allow(non_snake_case)]
pub struct spcprm {
    pub flag: c_int,
    pub r#type: [c_char; 8],
    pub code: [c_char; 4],
    pub crval: c_double,
    pub restfrq: c_double,
    pub restwav: c_double,
    pub pv: [c_double; 7],
    pub w: [c_double; 6],
    pub isGrism: c_int,
    pub padding1: c_int,
    pub err: *mut wcserr,
    pub padding2: *mut c_void,
    // Function pointers; never called from Rust.
    pub spxX2P: *mut c_void,
    pub spxP2S: *mut c_void,
    pub spxS2P: *mut c_void,
    pub spxP2X: *mut c_void,
}

#[repr(C)]
pub struct wcsprm {
    pub flag: c_int,
    pub naxis: c_int,
    pub crpix: *mut c_double,
    pub pc: *mut c_double,
    pub cdelt: *mut c_double,
    pub crval: *mut c_double,
    pub cunit: *mut [c_char; 72],
    pub ctype: *mut [c_char; 72],
    pub lonpole: c_double,
    pub latpole: c_double,
    pub restfrq: c_double,
    pub restwav: c_double,
    pub npv: c_int,
    pub npvmax: c_int,
    pub pv: *mut pvcard,
    pub nps: c_int,
    pub npsmax: c_int,
    pub ps: *mut pscard,
    pub cd: *mut c_double,
    pub crota: *mut c_double,
    pub altlin: c_int,
    pub velref: c_int,
    pub alt: [c_char; 4],
    pub colnum: c_int,
    pub colax: *mut c_int,
    pub cname: *mut [c_char; 72],
    pub crder: *mut c_double,
    pub csyer: *mut c_double,
    pub czphs: *mut c_double,
    pub cperi: *mut c_double,
    pub wcsname: [c_char; 72],
    pub timesys: [c_char; 72],
    pub trefpos: [c_char; 72],
    pub trefdir: [c_char; 72],
    pub plephem: [c_char; 72],
    pub timeunit: [c_char; 72],
    pub dateref: [c_char; 72],
    pub mjdref: [c_double; 2],
    pub timeoffs: c_double,
    pub dateobs: [c_char; 72],
    pub datebeg: [c_char; 72],
    pub dateavg: [c_char; 72],
    pub dateend: [c_char; 72],
    pub mjdobs: c_double,
    pub mjdbeg: c_double,
    pub mjdavg: c_double,
    pub mjdend: c_double,
    pub jepoch: c_double,
    pub bepoch: c_double,
    pub tstart: c_double,
    pub tstop: c_double,
    pub xposure: c_double,
    pub telapse: c_double,
    pub timsyer: c_double,
    pub timrder: c_double,
    pub timedel: c_double,
    pub timepixr: c_double,
    pub obsgeo: [c_double; 6],
    pub obsorbit: [c_char; 72],
    pub radesys: [c_char; 72],
    pub equinox: c_double,
    pub specsys: [c_char; 72],
    pub ssysobs: [c_char; 72],
    pub velosys: c_double,
    pub zsource: c_double,
    pub ssyssrc: [c_char; 72],
    pub velangl: c_double,
    pub aux: *mut auxprm,
    pub ntab: c_int,
    pub nwtb: c_int,
    pub tab: *mut tabprm,
    pub wtb: *mut wtbarr,
    pub lngtyp: [c_char; 8],
    pub lattyp: [c_char; 8],
    pub lng: c_int,
    pub lat: c_int,
    pub spec: c_int,
    pub cubeface: c_int,
    pub types: *mut c_int,
    pub lin: linprm,
    pub cel: celprm,
    pub spc: spcprm,
    pub err: *mut wcserr,
    pub m_flag: c_int,
    pub m_naxis: c_int,
    pub m_crpix: *mut c_double,
    pub m_pc: *mut c_double,
    pub m_cdelt: *mut c_double,
    pub m_crval: *mut c_double,
    pub m_cunit: *mut [c_char; 72],
    pub m_ctype: *mut [c_char; 72],
    pub m_pv: *mut pvcard,
    pub m_ps: *mut pscard,
    pub m_cd: *mut c_double,
    pub m_crota: *mut c_double,
    pub m_colax: *mut c_int,
    pub m_cname: *mut [c_char; 72],
    pub m_crder: *mut c_double,
    pub m_csyer: *mut c_double,
    pub m_czphs: *mut c_double,
    pub m_cperi: *mut c_double,
    pub m_aux: *mut auxprm,
    pub m_tab: *mut tabprm,
    pub m_wtb: *mut wtbarr,
}

// The sizes gcc reports for wcslib 7.12 on LP64 targets (checked in layout_tests.rs); a
// mismatch here means a field above is wrong and must not compile.
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<wcsprm>() == 2752);
    assert!(std::mem::size_of::<linprm>() == 144);
    assert!(std::mem::size_of::<celprm>() == 600);
    assert!(std::mem::size_of::<prjprm>() == 480);
    assert!(std::mem::size_of::<spcprm>() == 200);
};

// Linked through build.rs (pkg-config), dynamically.
unsafe extern "C" {
    pub static wcs_errmsg: [*const c_char; WCS_ERRMSG_LEN];

    pub fn wcslib_version(vers: *mut c_int) -> *const c_char;
    pub fn wcserr_enable(enable: c_int) -> c_int;

    pub fn wcspih(
        header: *mut c_char,
        nkeyrec: c_int,
        relax: c_int,
        ctrl: c_int,
        nreject: *mut c_int,
        nwcs: *mut c_int,
        wcs: *mut *mut wcsprm,
    ) -> c_int;
    pub fn wcsidx(nwcs: c_int, wcs: *mut *mut wcsprm, alts: *mut c_int) -> c_int;
    pub fn wcsvfree(nwcs: *mut c_int, wcs: *mut *mut wcsprm) -> c_int;

    pub fn wcsinit(
        alloc: c_int,
        naxis: c_int,
        wcs: *mut wcsprm,
        npvmax: c_int,
        npsmax: c_int,
        ndpmax: c_int,
    ) -> c_int;
    pub fn wcssub(
        alloc: c_int,
        wcssrc: *const wcsprm,
        nsub: *mut c_int,
        axes: *mut c_int,
        wcsdst: *mut wcsprm,
    ) -> c_int;
    pub fn wcsfree(wcs: *mut wcsprm) -> c_int;
    pub fn wcsset(wcs: *mut wcsprm) -> c_int;

    pub fn wcsp2s(
        wcs: *mut wcsprm,
        ncoord: c_int,
        nelem: c_int,
        pixcrd: *const c_double,
        imgcrd: *mut c_double,
        phi: *mut c_double,
        theta: *mut c_double,
        world: *mut c_double,
        stat: *mut c_int,
    ) -> c_int;
    pub fn wcss2p(
        wcs: *mut wcsprm,
        ncoord: c_int,
        nelem: c_int,
        world: *const c_double,
        phi: *mut c_double,
        theta: *mut c_double,
        imgcrd: *mut c_double,
        pixcrd: *mut c_double,
        stat: *mut c_int,
    ) -> c_int;
    pub fn wcssptr(wcs: *mut wcsprm, i: *mut c_int, ctype: *mut c_char) -> c_int;

    pub fn cdfix(wcs: *mut wcsprm) -> c_int;
    pub fn datfix(wcs: *mut wcsprm) -> c_int;
    pub fn obsfix(ctrl: c_int, wcs: *mut wcsprm) -> c_int;
    pub fn unitfix(ctrl: c_int, wcs: *mut wcsprm) -> c_int;
    pub fn spcfix(wcs: *mut wcsprm) -> c_int;
    pub fn celfix(wcs: *mut wcsprm) -> c_int;
    pub fn cylfix(naxis: *const c_int, wcs: *mut wcsprm) -> c_int;

    pub fn wcserr_clear(err: *mut *mut wcserr) -> c_int;

    pub fn wcssize(wcs: *const wcsprm, sizes: *mut c_int) -> c_int;
    pub fn linsize(lin: *const linprm, sizes: *mut c_int) -> c_int;
    pub fn celsize(cel: *const celprm, sizes: *mut c_int) -> c_int;
    pub fn prjsize(prj: *const prjprm, sizes: *mut c_int) -> c_int;
    pub fn spcsize(spc: *const spcprm, sizes: *mut c_int) -> c_int;

    /// `FILE *`; null selects wcslib's internal string buffer. Global state: see `header.rs`.
    pub fn wcsprintf_set(wcsout: *mut c_void) -> c_int;
    pub fn wcsprintf_buf() -> *const c_char;

}
