//! Blueprint functions for the caom2utils example mappings, written the way a collection
//! plugin writes them: one Rust module per collection, each exporting a
//! [`fits2caom2::functions::Module`] under the name its blueprints are run with
//! (`caom2pipe fits2caom2 --module NAME`).
//!
//! | module | collection | functions |
//! |---|---|---|
//! | `HD36486` | BRITE-Constellation | artifact product type, time range (constants) |
//! | `mega2caom2` | CFHT MegaPipe | members and provenance inputs from HISTORY, magnitude limit, filter width/centre |
//! | `N20250101M0624` | Gemini MAROON-X | proposal id, exposure, time axis, energy range by arm |
//! | `S20230518S0121` | Gemini GHOST | exposure, time axis from DATE-OBS/UTSTART/UTEND, energy range by camera |
//! | `mosaic` | LoTSS | proposal keywords |
//! | `taosii` | TAOS II | exposure, target position, time range from HDF5 datasets |
//!
//! ```
//! let mut registry = fits2caom2::functions::Registry::new();
//! collection_examples::register(&mut registry);
//! assert!(registry.module("mega2caom2").unwrap().get("getInputs").is_some());
//! ```

pub mod brite;
pub mod cfhtsg;
pub mod gemini;
pub mod lotss;
#[cfg(feature = "hdf5")]
pub mod taos;
mod time;

use fits2caom2::functions::Registry;

/// Adds every example module to `registry`.
pub fn register(registry: &mut Registry) {
    registry.add(brite::module());
    registry.add(cfhtsg::module());
    registry.add(gemini::maroonx_module());
    registry.add(gemini::ghost_module());
    registry.add(lotss::module());
    #[cfg(feature = "hdf5")]
    registry.add(taos::module());
}
