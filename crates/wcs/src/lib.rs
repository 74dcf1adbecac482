//! Safe Rust over [wcslib](https://www.atnf.csiro.au/people/mcalabre/WCS/) 7.12 (Debian's
//! `libwcs7`, linked dynamically): read one HDU's world coordinate system the way the reference
//! pipeline does (astropy's `Wcsprm(header)` then `fix()`), read back wcslib's normalised values
//! for the CAOM mapping, and transform pixel ↔ world for footprints and plane bounds.
//!
//! What happens in [`Wcs::from_header`]:
//! 1. `wcspih` parses the header: primary WCS, strict keywords ([`Relax::None`]) by default,
//!    or [`ParseOptions::relaxed`] for informal extensions. SIP (`A_p_q`, …) and TPV (`PVi_m`)
//!    distortions are read either way - wcslib does not tie them to `relax` - and `wcsp2s`
//!    evaluates them. A strict primary-WCS header made only of the common keywords in their
//!    plain forms (`CTYPEi = 'RA---TAN'`, `CRVALi = 210.8`, `CDi_j`, `EQUINOX`, …; the exact
//!    list is in `records.rs`) is read by this crate instead and written into the struct the
//!    way wcspih would (wcspih's lexer costs several times the rest); anything else in the
//!    header that could be a WCS keyword sends it to wcspih. A test compares the two on
//!    thousands of generated headers, field by field after the fixes and wcsset.
//!    [`Wcs::from_params`] builds the same struct from values, with no text at all.
//! 2. The fixes of astropy's `fix()` defaults, in wcsfixi()'s order and with `ctrl = 0`:
//!    cdfix, datfix, obsfix, unitfix (safe translations only), spcfix (AIPS `VELO-LSR` →
//!    `VOPT` + SPECSYS `LSRK`, …), celfix, and cylfix only when image axis lengths are given.
//!    [`Wcs::fixes`] says what each did, with wcslib's messages. (They are called one by one
//!    rather than through wcsfixi(), which leaks messages in wcslib 7.12 when a fix fails.)
//! 3. `wcsset` normalises: spectral units to SI (`Angstrom` → `m` with CRVAL/CDELT scaled,
//!    `MHz` → `Hz`, `km/s` → `m/s`), RADESYS/EQUINOX defaults, LONPOLE/LATPOLE. [`Wcs::info`]
//!    holds the values read back then, `None` where wcslib has none.
//!
//! Errors carry wcslib's own message (`wcsset: Inconsistent projection types (expected
//! DEC--TAN, got RA---TAN in CTYPE2)`). Nothing here panics on bad input; NaN or infinite
//! values in transformation keywords are reported by keyword name.
//!
//! # Thread safety
//!
//! What the wcslib 7.12 headers and changelog say, and what this crate does about it:
//! - The flex-based parsers (`wcspih`, `wcsbth`, `wcsulexe`, `wcsutrne`, `fitshdr`) were made
//!   reentrant in wcslib 5.18 and a remaining thread-safety bug was fixed in 7.5, so `wcspih`
//!   runs **without** a lock. (A helgrind run of four threads parsing, fixing, setting and
//!   transforming their own structs with wcslib 7.12 reported no races.)
//! - `wcsnpv`, `wcsnps`, `disndp` (and `disitermax`) set process-global defaults and are
//!   documented as not thread-safe; `wcsini`/`disini` read those globals. This crate never
//!   declares the setters and initialises with `wcsinit(..., npvmax, npsmax, ndpmax)` where it
//!   initialises at all.
//! - `wcserr_enable` writes a global flag ("not thread-safe"): it is called exactly once, inside
//!   a `OnceLock` that every entry point passes before its first wcslib call.
//! - `wcsprintf_set`/`wcsprintf_buf` use a global buffer; `wcspih` writes its report of rejected
//!   keyrecords there. Collecting that report is the only place this crate needs a global
//!   `Mutex`, and it is taken only when a header actually had rejected keyrecords. The printing
//!   functions (`wcsprt`, `wcsperr`, `wcserr_prt`) are not declared at all.
//! - Functions that work on one `wcsprm` are safe on distinct structs but **mutate** the struct
//!   even when transforming (`wcsp2s` re-runs `wcsset` if needed, distortions use a scratch
//!   buffer in `linprm`, errors replace `wcsprm::err`). Hence [`Wcs`] is `Send` but not `Sync`:
//!   move it to another thread freely, give each thread its own copy ([`Wcs::try_clone`]) to
//!   share work. A per-`Wcs` mutex would have made it `Sync`, but would serialise exactly the
//!   footprint work one wants to spread over threads.
//!
//! # wcslib 7.12 quirks worth knowing
//!
//! - A rank-deficient matrix without a zero row (CD = [[1, 2], [2, 4]]) passes `wcsset`;
//!   pixel → world works, world → pixel gives [`WcsError::SingularMatrix`] here instead of
//!   wcslib's meaningless answer ([`WcsInfo::linear_is_singular`]).
//! - NaN/infinite transformation keywords and coordinates: see [`Wcs::from_header`] and
//!   [`Points`]; wcslib alone silently substitutes defaults or returns finite nonsense.
//! - `wcserr_set` does not free a previous message: `spcfix` leaks its first message (about
//!   26 bytes) for each AIPS spectral header whose SPECSYS it sets. Everything else this crate
//!   drives is leak-free under valgrind (error records are cleared before each call).
//! - TPV becomes `TAN` in the read-back CTYPE (wcsset moves the polynomial into a distortion),
//!   as astropy shows too; SIP keeps its `-SIP` CTYPE.
//!
//! # Example
//!
//! ```
//! use wcs::{ParseOptions, Wcs};
//!
//! let cards = [
//!     "NAXIS   = 2",
//!     "CTYPE1  = 'RA---TAN'",
//!     "CTYPE2  = 'DEC--TAN'",
//!     "CRVAL1  = 210.8",
//!     "CRVAL2  = 54.35",
//!     "CRPIX1  = 1024.5",
//!     "CRPIX2  = 1024.5",
//!     "CDELT1  = -0.0002",
//!     "CDELT2  = 0.0002",
//!     "EQUINOX = 2000.0",
//! ];
//! let header: String = cards.iter().map(|c| format!("{c:<80}")).collect();
//! let wcs = Wcs::from_header(&header, &ParseOptions::default())?;
//!
//! let world = wcs.pixel_to_world(&[1024.5, 1024.5])?;
//! assert!((world[0] - 210.8).abs() < 1e-12 && (world[1] - 54.35).abs() < 1e-12);
//! assert_eq!(wcs.info().radesys.as_deref(), Some("FK5"));
//! # Ok::<(), wcs::WcsError>(())
//! ```

mod error;
mod ffi;
mod fix;
mod header;
mod info;
mod options;
mod params;
mod records;
mod transform;
mod wcs;

#[cfg(test)]
mod layout_tests;
#[cfg(test)]
mod records_tests;
#[cfg(test)]
mod tests;

pub use error::WcsError;
pub use fix::{Fix, FixOutcome, FixReport};
pub use header::RejectedKeyword;
pub use info::{AltLin, Axis, AxisKind, WcsInfo};
pub use options::{ParseOptions, Relax};
pub use params::{AxisParams, WcsParams};
pub use transform::Points;
pub use wcs::Wcs;
