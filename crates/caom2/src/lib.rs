//! The CAOM 2.4 data model with the reference formats around it.
//!
//! * the model: [`Observation`] → [`Plane`] → [`Artifact`] → [`Part`] → [`Chunk`], value
//!   objects, WCS types, shapes and vocabularies;
//! * XML: [`xml::read`] accepts CAOM 2.2, 2.3 and 2.4 documents, [`xml::write`] produces CAOM 2.4
//!   byte-for-byte as the Java reference writer does;
//! * [`checksum`]: metaChecksum and accMetaChecksum, bit-exact with the Java reference;
//! * [`diff`]: the semantic comparison used to judge pipeline output;
//! * [`validate`]: the reference validation rules.
//!
//! The crate does no I/O beyond reading and writing byte buffers.
//!
//! ```
//! use caom2::{checksum, xml, Observation, Plane};
//!
//! let mut obs = Observation::simple("TEST", "obs-1");
//! obs.planes.push(Plane::new("raw"));
//! checksum::update_checksums(&mut obs);
//!
//! let text = xml::write(&obs);
//! assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"));
//! let back = xml::read(text.as_bytes()).unwrap();
//! assert_eq!(back, obs);
//! assert!(checksum::verify(&back).mismatches.is_empty());
//! ```

pub mod artifact;
pub mod checksum;
pub mod describe;
pub mod diff;
pub mod entity;
pub mod geometry;
pub mod java;
pub mod observation;
pub mod plane;
pub mod sample;
pub mod shape;
pub mod timestamp;
pub mod uri;
pub mod validate;
pub mod vocabulary;
pub mod wcs;
pub mod xml;

pub use artifact::{Artifact, Chunk, Part};
pub use entity::Entity;
pub use observation::*;
pub use plane::*;
pub use shape::*;
pub use timestamp::Timestamp;
pub use uri::Uri;
pub use uuid::Uuid;
pub use vocabulary::*;
pub use wcs::*;
