//! Plane, one data product of an observation, and its discovery metadata.

use crate::artifact::Artifact;
use crate::entity::Entity;
use crate::shape::{Interval, SampledInterval, Shape};
use crate::timestamp::Timestamp;
use crate::uri::Uri;
use crate::vocabulary::{
    CalibrationLevel, DataProductType, EnergyBand, PolarizationState, Quality,
};
use crate::wcs::{Dimension2D, EnergyTransition};

#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    pub entity: Entity,
    pub product_id: String,
    /// Typically `ivo://{authority}/{path}?{productID}`.
    pub creator_id: Option<Uri>,
    pub meta_release: Option<Timestamp>,
    pub meta_read_groups: Vec<Uri>,
    pub data_release: Option<Timestamp>,
    pub data_read_groups: Vec<Uri>,
    pub data_product_type: Option<DataProductType>,
    pub calibration_level: Option<CalibrationLevel>,
    pub provenance: Option<Provenance>,
    pub observable: Option<Observable>,
    pub metrics: Option<Metrics>,
    pub quality: Option<DataQuality>,
    pub position: Option<Position>,
    pub energy: Option<Energy>,
    pub time: Option<Time>,
    pub polarization: Option<Polarization>,
    pub custom: Option<CustomAxis>,
    pub artifacts: Vec<Artifact>,
}

impl Plane {
    pub fn new(product_id: impl Into<String>) -> Plane {
        Plane {
            entity: Entity::new(),
            product_id: product_id.into(),
            creator_id: None,
            meta_release: None,
            meta_read_groups: Vec::new(),
            data_release: None,
            data_read_groups: Vec::new(),
            data_product_type: None,
            calibration_level: None,
            provenance: None,
            observable: None,
            metrics: None,
            quality: None,
            position: None,
            energy: None,
            time: None,
            polarization: None,
            custom: None,
            artifacts: Vec::new(),
        }
    }

    pub fn artifact(&self, uri: &str) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.uri.as_str() == uri)
    }

    pub fn artifact_mut(&mut self, uri: &str) -> Option<&mut Artifact> {
        self.artifacts.iter_mut().find(|a| a.uri.as_str() == uri)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    pub name: String,
    pub version: Option<String>,
    pub project: Option<String>,
    pub producer: Option<String>,
    pub run_id: Option<String>,
    pub reference: Option<Uri>,
    pub last_executed: Option<Timestamp>,
    pub keywords: Vec<String>,
    /// Input plane URIs, `caom:{collection}/{observationID}/{productID}`.
    pub inputs: Vec<Uri>,
}

impl Provenance {
    pub fn new(name: impl Into<String>) -> Provenance {
        Provenance {
            name: name.into(),
            version: None,
            project: None,
            producer: None,
            run_id: None,
            reference: None,
            last_executed: None,
            keywords: Vec::new(),
            inputs: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Observable {
    pub ucd: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub source_number_density: Option<f64>,
    pub background: Option<f64>,
    pub background_stddev: Option<f64>,
    pub flux_density_limit: Option<f64>,
    pub mag_limit: Option<f64>,
    pub sample_snr: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DataQuality {
    pub flag: Quality,
}

/// Spatial coverage, normally computed from chunk WCS.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Position {
    pub bounds: Option<Shape>,
    pub dimension: Option<Dimension2D>,
    /// Arcseconds FWHM.
    pub resolution: Option<f64>,
    pub resolution_bounds: Option<Interval>,
    /// Arcseconds.
    pub sample_size: Option<f64>,
    pub time_dependent: Option<bool>,
}

/// Spectral coverage in barycentric vacuum wavelength, metres.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Energy {
    pub bounds: Option<SampledInterval>,
    pub dimension: Option<i64>,
    pub resolving_power: Option<f64>,
    pub resolving_power_bounds: Option<Interval>,
    pub sample_size: Option<f64>,
    pub bandpass_name: Option<String>,
    pub energy_bands: Vec<EnergyBand>,
    pub restwav: Option<f64>,
    pub transition: Option<EnergyTransition>,
}

/// Temporal coverage in MJD (UTC, days).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Time {
    pub bounds: Option<SampledInterval>,
    pub dimension: Option<i64>,
    pub resolution: Option<f64>,
    pub resolution_bounds: Option<Interval>,
    pub sample_size: Option<f64>,
    /// Seconds.
    pub exposure: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Polarization {
    pub states: Vec<PolarizationState>,
    pub dimension: Option<i64>,
}

/// A custom axis (CAOM 2.4), e.g. Faraday depth.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomAxis {
    pub ctype: String,
    pub bounds: Option<SampledInterval>,
    pub dimension: Option<i64>,
}
