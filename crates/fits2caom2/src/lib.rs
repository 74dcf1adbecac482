//! fits2caom2: from telescope files to CAOM observations, compatible with CADC's
//! `caom2utils` (`fits2caom2`, `caom2gen`).
//!
//! The crate has four parts:
//!
//! 1. **Header sources** — the metadata of one input file as a list of HDU headers
//!    ([`Headers`]), read from text header dumps ([`dump`]), FITS files through cfitsio
//!    ([`fits`]) or HDF5 files ([`hdf5`], with the reference's blueprint path syntax).
//! 2. YAML blueprints — *(to come)*.
//! 3. Legacy blueprint import (fits2caom2 config/default/override, caom2gen `.blueprint`) —
//!    *(to come)*.
//! 4. The mapping engine — *(to come)*.
//!
//! # Header sources
//!
//! A [`Header`] is an ordered list of [`Card`]s (keyword, typed [`Value`], comment) with
//! case-insensitive lookup, `HIERARCH` keywords, joined `CONTINUE` strings and
//! `COMMENT`/`HISTORY` kept in place. Cards are read the way astropy reads them, because the
//! reference does ([`card`] lists the rules and where we report an error instead), and a
//! header renders back to 80-character cards for wcslib ([`Header::to_card_string`]).
//!
//! Text dumps come in three styles (`fhead` cards with `END`, astropy `fitsheader` output,
//! Gemini `--- PHU ---` markers); [`dump`] reproduces the reference's HDU splitting, including
//! its quirks, and reports bad input with the file, HDU and line.
//!
//! Cargo features `fits` (cfitsio) and `hdf5` (libhdf5) are on by default; without them the
//! crate still reads text dumps.
//!
//! ```
//! use fits2caom2::{dump, Value};
//!
//! let text = "\
//! SIMPLE  =                    T / conforms to FITS standard
//! NAXIS   =                    0
//! OBJECT  = 'NGC 1275'           / target
//! END
//! XTENSION= 'IMAGE   '           / image extension
//! NAXIS   =                    2
//! NAXIS1  =                 2048
//! CDELT1  =  -5.0D-05
//! END
//! ";
//! let headers = dump::make_headers_from_string(text).unwrap();
//! assert_eq!(headers.len(), 2);
//! assert_eq!(headers[0].get_str("OBJECT"), Some("NGC 1275"));
//! assert_eq!(headers[1].get("NAXIS1"), Some(&Value::Integer(2048)));
//! assert_eq!(headers[1].get_f64("cdelt1"), Some(-5.0e-5));
//! // Each header renders as 80-character cards for wcslib.
//! assert_eq!(headers[1].to_card_string().len(), 4 * 80);
//! ```

pub mod blueprint;
pub mod card;
pub mod dump;
pub mod engine;
#[cfg(feature = "fits")]
pub mod fits;
pub mod functions;
#[cfg(feature = "hdf5")]
pub mod hdf5;
pub mod header;
pub mod headers;
pub mod keys;
pub mod legacy;
pub mod run;

pub use card::{Card, CardError, CardKind, Value};
pub use dump::{Dump, DumpError, DumpStyle};
pub use header::Header;
pub use headers::{Headers, SourceError, SourceKind};
