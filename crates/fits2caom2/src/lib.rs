//! fits2caom2: from telescope files to CAOM observations, compatible with CADC's
//! `caom2utils` (`fits2caom2`, `caom2gen`).
//!
//! The crate has four parts:
//!
//! 1. **Header sources** — the metadata of one input file as a list of HDU headers
//!    ([`Headers`]), read from text header dumps ([`dump`]), FITS files through cfitsio
//!    ([`fits`]) or HDF5 files ([`hdf5`], with the reference's blueprint path syntax).
//! 2. **Blueprints** — how one kind of file maps to CAOM: the closed key space ([`keys`]),
//!    the in-memory [`blueprint::Blueprint`], YAML blueprints with file:line:column errors
//!    ([`blueprint::yaml`]; the format is documented in [`blueprint`]), named Rust functions
//!    grouped in modules ([`functions`]).
//! 3. **Legacy import** — caom2gen `.blueprint` files and fits2caom2 config/default/override
//!    triples become blueprints with the same meaning ([`legacy`]); `caom2pipe blueprint import`
//!    writes them as YAML.
//! 4. **The mapping engine** — [`engine::Engine`] applies a blueprint to an input and adds a
//!    plane, artifact, parts and chunks to an observation with the evaluation order and the
//!    precedence rules of the reference (header injection of defaults and literal WCS values
//!    before wcslib reads the header, first truthy keyword wins, HDU 0 for non-chunk keys);
//!    [`run`] does what one `caom2pipe fits2caom2` command does.
//!
//! ```
//! use fits2caom2::blueprint::yaml;
//! use fits2caom2::engine::{Engine, Input, InputData, MapOptions};
//! use fits2caom2::Headers;
//!
//! let yaml_text = "
//! plan:
//!   Plane.dataProductType: image
//!   Plane.calibrationLevel: 1
//!   Observation.target.name: {keywords: [OBJECT, TARGNAME]}
//!   Chunk.position.axis.axis1.ctype: {keywords: [CTYPE1], default: RA---TAN}
//!   Chunk.position.axis.axis2.ctype: {keywords: [CTYPE2], default: DEC--TAN}
//! ";
//! let blueprint = yaml::load_str(yaml_text, "example.yml")?;
//! let cards = [
//!     "SIMPLE  =                    T", "BITPIX  =                   16",
//!     "NAXIS   =                    2", "NAXIS1  =                 2048",
//!     "NAXIS2  =                 4096", "OBJECT  = 'NGC 1275'",
//!     "CRVAL1  =              49.9507", "CRVAL2  =              41.5117",
//!     "CRPIX1  =               1024.5", "CRPIX2  =               2048.5",
//!     "CD1_1   =          -5.1602E-05", "CD2_2   =           5.1602E-05", "END",
//! ];
//! let text: String = cards.iter().map(|c| format!("{c:<80}\n")).collect();
//! let headers = Headers::from_dump_bytes(text.as_bytes(), "ngc1275.fits.header")?;
//!
//! let engine = Engine::new(None, MapOptions::default());
//! let mut obs = Engine::new_observation("TEST", "ngc1275", &[&blueprint]);
//! engine.augment(&mut obs, Input {
//!     product_id: "raw".into(),
//!     uri: "cadc:TEST/ngc1275.fits".into(),
//!     blueprint: &blueprint,
//!     data: InputData::Headers(headers),
//! })?;
//! assert_eq!(obs.target.as_ref().unwrap().name, "NGC 1275");
//! let chunk = &obs.planes[0].artifacts[0].parts[0].chunks[0];
//! // the defaults were written into the header before wcslib read it
//! assert_eq!(chunk.position.as_ref().unwrap().axis.axis1.ctype, "RA---TAN");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
mod threads;

pub use card::{Card, CardError, CardKind, Value};
pub use dump::{Dump, DumpError, DumpStyle};
pub use header::Header;
pub use headers::{Headers, SourceError, SourceKind};
