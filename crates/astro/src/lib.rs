//! Astronomy on plain data for the CAOM pipeline:
//!
//! * [`compute`]: plane metadata (position, energy, time, polarization, custom axis) from
//!   chunk WCS, as the reference compute (Java `caom2-compute`, CAOM 2.4) does it on the
//!   server — so every record leaves the pipeline complete and checked;
//! * [`hull`]: the reference's convex hull of chunk polygons (Graham scan + smoothing);
//! * [`footprint`]: the sky outline of the illuminated pixels of an image, read with
//!   [`pixels`];
//! * [`time_scale`]: UTC/TAI/TT and MJD with leap seconds (table in `data/leap_seconds.txt`);
//! * [`frames`]: FK4 / FK5 / galactic → ICRS, and geodetic → geocentric;
//! * [`preview`]: previews and thumbnails of images and spectra, drawn natively
//!   ([`zscale`], [`stretch`], [`render`], [`spectrum`], [`font`], [`encode`]), and the
//!   preview data visitor ([`preview_visitor`]).
//!
//! # Which conversions the reference outputs depend on
//!
//! These are the conversions whose results end up in reference records, and what ours must
//! agree with there (relative 1e-12 unless said otherwise):
//!
//! | conversion | where the reference uses it | reference implementation | ours |
//! |---|---|---|---|
//! | TAI/TT → UTC MJD with leap seconds | plane time bounds of a TemporalWCS in TAI or TT (compute) | ERFA `taiutc`, `tttai` | [`time_scale::tai_mjd_to_utc`], [`time_scale::tt_mjd_to_utc`] |
//! | UTC calendar → MJD, + seconds across leap seconds | `convert_time`, `get_datetime_mjd` (caom2pipe), collection time bounds | astropy `Time` (ERFA `dtf2d`, `utctai`) | [`time_scale::iso_to_mjd_utc`], [`time_scale::add_seconds_utc`] |
//! | geodetic → geocentric (WGS84) | telescope x/y/z (`get_location`, OMM) | astropy `EarthLocation.from_geodetic` (ERFA `gd2gc`) | [`frames::geodetic_to_geocentric`] |
//! | FK5 precession between equinoxes | DAO target/chunk coordinates to J2000 | astropy `FK5` | [`frames::fk5_precess`] |
//! | galactic → FK5 J2000, FK4 B1950 → FK5 J2000 (and back, for the dimension) | plane polygons of chunks in galactic or FK4 coordinates (compute) | jsky `wcscon` `gal2fk5`, `fk425`, `fk52gal`, `fk524` | [`frames::gal2fk5`], [`frames::fk425`], [`frames::fk52gal`], [`frames::fk524`] (reference vectors to 1e-9 degrees) |
//! | unit conversions to metres | plane energy bounds (compute) | `EnergyConverter` (old CGS constants), WCSLIB `wcssptr` | `caom2::validate::units`, WCSLIB |
//!
//! The astropy-style [`frames::fk5_to_icrs`], [`frames::galactic_to_icrs`] and
//! [`frames::fk4_to_icrs`] are provided for collections that need true ICRS; no reference
//! output depends on them, but they follow astropy's algorithms and are checked against it.
//!
//! How well they agree is tested: `tests/astropy_values.rs` holds values from astropy 8.0.2
//! and pyerfa 2.0.1.5 (made by `tools/astropy_reference_values.py`): the time conversions
//! agree exactly, the frames to about 1e-14 relative, geocentric positions to 1e-12; the
//! ERFA and jsky results of the reference compute are the `time_scale` and
//! `frame_conversion` vectors of `compute-vectors.json`. Dates on or after the leap-second
//! table's expiry (2027-06-28) are flagged, and compute refuses TAI/TT times there.
//!
//! # Example
//!
//! ```
//! use caom2::{Artifact, Axis, Chunk, CoordAxis1D, CoordRange1D, Part, Plane, ProductType,
//!             RefCoord, ReleaseType, SpectralWcs, Uri};
//!
//! // one chunk with a 400–600 nm range over 200 pixels
//! let mut axis = CoordAxis1D::new(Axis::new("WAVE", Some("nm")));
//! axis.range = Some(CoordRange1D {
//!     start: RefCoord::new(0.5, 400.0),
//!     end: RefCoord::new(200.5, 600.0),
//! });
//! let mut chunk = Chunk::new();
//! chunk.energy = Some(SpectralWcs::new(axis, "TOPOCENT"));
//! let mut part = Part::new("0");
//! part.chunks.push(chunk);
//! let uri = Uri::parse("cadc:TEST/file.fits").unwrap();
//! let mut artifact = Artifact::new(uri, ProductType::SCIENCE, ReleaseType::Data);
//! artifact.parts.push(part);
//! let mut plane = Plane::new("p");
//! plane.artifacts.push(artifact);
//!
//! astro::compute::compute_plane(&mut plane).unwrap();
//! let energy = plane.energy.unwrap();
//! let bounds = energy.bounds.unwrap();
//! assert_eq!((bounds.lower, bounds.upper), (4.0000000000000003e-7, 6.000000000000001e-7));
//! assert_eq!(energy.dimension, Some(200));
//! assert_eq!(energy.energy_bands, [caom2::EnergyBand::Optical]);
//! ```

pub mod compute;
pub mod encode;
pub mod font;
pub mod footprint;
pub mod frames;
pub mod hull;
pub mod pixels;
pub mod preview;
pub mod preview_visitor;
pub mod render;
pub mod spectrum;
pub mod stretch;
pub mod time_scale;
pub mod visitor;
pub mod zscale;

#[cfg(test)]
mod vectors;
