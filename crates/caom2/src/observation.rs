//! Observation, the root entity, and the value objects it holds.

use crate::entity::Entity;
use crate::plane::Plane;
use crate::shape::Point;
use crate::timestamp::Timestamp;
use crate::uri::Uri;
use crate::vocabulary::{ObservationIntentType, Status, TargetType};

/// Simple (one exposure) or derived (built from member observations; `CompositeObservation`
/// in CAOM ≤ 2.3).
#[derive(Clone, Debug, PartialEq)]
pub enum ObservationKind {
    Simple,
    Derived {
        /// Member observation URIs, `caom:{collection}/{observationID}`.
        members: Vec<Uri>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub entity: Entity,
    pub kind: ObservationKind,
    pub collection: String,
    pub observation_id: String,
    pub meta_release: Option<Timestamp>,
    pub meta_read_groups: Vec<Uri>,
    pub sequence_number: Option<i32>,
    pub algorithm: Algorithm,
    /// Free text, e.g. the FITS OBSTYPE.
    pub obs_type: Option<String>,
    pub intent: Option<ObservationIntentType>,
    pub proposal: Option<Proposal>,
    pub target: Option<Target>,
    pub target_position: Option<TargetPosition>,
    pub requirements: Option<Requirements>,
    pub telescope: Option<Telescope>,
    pub instrument: Option<Instrument>,
    pub environment: Option<Environment>,
    pub planes: Vec<Plane>,
}

impl Observation {
    /// A simple observation; the reference default algorithm is `exposure`.
    pub fn simple(collection: &str, observation_id: &str) -> Observation {
        Observation::new(
            ObservationKind::Simple,
            collection,
            observation_id,
            Algorithm::new("exposure"),
        )
    }

    /// A derived observation with no members yet.
    pub fn derived(collection: &str, observation_id: &str, algorithm: Algorithm) -> Observation {
        Observation::new(
            ObservationKind::Derived {
                members: Vec::new(),
            },
            collection,
            observation_id,
            algorithm,
        )
    }

    pub fn new(
        kind: ObservationKind,
        collection: &str,
        observation_id: &str,
        algorithm: Algorithm,
    ) -> Observation {
        Observation {
            entity: Entity::new(),
            kind,
            collection: collection.to_string(),
            observation_id: observation_id.to_string(),
            meta_release: None,
            meta_read_groups: Vec::new(),
            sequence_number: None,
            algorithm,
            obs_type: None,
            intent: None,
            proposal: None,
            target: None,
            target_position: None,
            requirements: None,
            telescope: None,
            instrument: None,
            environment: None,
            planes: Vec::new(),
        }
    }

    /// `caom:{collection}/{observationID}`.
    pub fn uri(&self) -> String {
        format!("caom:{}/{}", self.collection, self.observation_id)
    }

    pub fn is_derived(&self) -> bool {
        matches!(self.kind, ObservationKind::Derived { .. })
    }

    /// The members of a derived observation; empty for a simple one.
    pub fn members(&self) -> &[Uri] {
        match &self.kind {
            ObservationKind::Derived { members } => members,
            ObservationKind::Simple => &[],
        }
    }

    pub fn plane(&self, product_id: &str) -> Option<&Plane> {
        self.planes.iter().find(|p| p.product_id == product_id)
    }

    pub fn plane_mut(&mut self, product_id: &str) -> Option<&mut Plane> {
        self.planes.iter_mut().find(|p| p.product_id == product_id)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Algorithm {
    pub name: String,
}

impl Algorithm {
    pub fn new(name: impl Into<String>) -> Algorithm {
        Algorithm { name: name.into() }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub id: String,
    pub pi: Option<String>,
    pub project: Option<String>,
    pub title: Option<String>,
    pub keywords: Vec<String>,
}

impl Proposal {
    pub fn new(id: impl Into<String>) -> Proposal {
        Proposal {
            id: id.into(),
            pi: None,
            project: None,
            title: None,
            keywords: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub name: String,
    /// CAOM 2.4, e.g. `naif:1701`.
    pub target_id: Option<Uri>,
    pub target_type: Option<TargetType>,
    pub standard: Option<bool>,
    pub redshift: Option<f64>,
    pub moving: Option<bool>,
    pub keywords: Vec<String>,
}

impl Target {
    pub fn new(name: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            target_id: None,
            target_type: None,
            standard: None,
            redshift: None,
            moving: None,
            keywords: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetPosition {
    pub coordsys: String,
    pub equinox: Option<f64>,
    pub coordinates: Point,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Requirements {
    pub flag: Status,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Telescope {
    pub name: String,
    /// Geocentric coordinates in metres (FITS WCS paper III).
    pub geo_location_x: Option<f64>,
    pub geo_location_y: Option<f64>,
    pub geo_location_z: Option<f64>,
    pub keywords: Vec<String>,
}

impl Telescope {
    pub fn new(name: impl Into<String>) -> Telescope {
        Telescope {
            name: name.into(),
            geo_location_x: None,
            geo_location_y: None,
            geo_location_z: None,
            keywords: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Instrument {
    pub name: String,
    pub keywords: Vec<String>,
}

impl Instrument {
    pub fn new(name: impl Into<String>) -> Instrument {
        Instrument {
            name: name.into(),
            keywords: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    pub seeing: Option<f64>,
    pub humidity: Option<f64>,
    pub elevation: Option<f64>,
    pub tau: Option<f64>,
    pub wavelength_tau: Option<f64>,
    pub ambient_temp: Option<f64>,
    pub photometric: Option<bool>,
}
