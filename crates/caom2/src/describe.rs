//! One description of every model class: its state fields, named and ordered as the Java
//! reference names and sorts them (ascending field name, case-sensitive).
//!
//! The metadata checksum digests the field values in exactly this order, and the semantic
//! diff compares them by name, so both read the model through this single listing.

use crate::artifact::{Artifact, Chunk, Part};
use crate::java;
use crate::observation::{
    Algorithm, Environment, Instrument, Observation, ObservationKind, Proposal, Requirements,
    Target, TargetPosition, Telescope,
};
use crate::plane::{
    CustomAxis, DataQuality, Energy, Metrics, Observable, Plane, Polarization, Position,
    Provenance, Time,
};
use crate::shape::{
    Circle, Interval, MultiPolygon, Point, Polygon, SampledInterval, Shape, Vertex,
};
use crate::timestamp::Timestamp;
use crate::uri::{sorted_uri_set, Uri};
use crate::wcs::*;

/// A field value as the reference sees it.
pub enum Value<'a> {
    Str(&'a str),
    Uri(&'a Uri),
    Double(f64),
    /// Java `Integer`: 4 bytes in a checksum.
    Int(i32),
    /// Java `Long`: 8 bytes in a checksum.
    Long(i64),
    Bool(bool),
    Date(Timestamp),
    /// A string-valued enumeration or vocabulary term.
    Term(&'a str),
    /// An integer-valued enumeration (CalibrationLevel, SegmentType).
    IntTerm(i32),
    Object(&'a dyn Describe),
    /// A set or list, in the iteration order of its Java collection; compared regardless of
    /// order.
    Items(Vec<Value<'a>>),
    /// A list whose order carries meaning (polygon points, MultiPolygon vertices, the samples
    /// of an interval); compared position by position.
    Sequence(Vec<Value<'a>>),
}

/// Lists the state fields of a model class.
pub trait Describe {
    /// The reference class name (`Polygon`, `SpatialWCS`, …).
    fn class_name(&self) -> &'static str;
    /// Calls `f` for each state field in ascending Java field-name order; `None` is null.
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>));
}

fn string(s: &Option<String>) -> Option<Value<'_>> {
    s.as_deref().map(Value::Str)
}

fn uri(u: &Option<Uri>) -> Option<Value<'_>> {
    u.as_ref().map(Value::Uri)
}

fn double(d: Option<f64>) -> Option<Value<'static>> {
    d.map(Value::Double)
}

fn long(v: Option<i64>) -> Option<Value<'static>> {
    v.map(Value::Long)
}

fn int(v: Option<i32>) -> Option<Value<'static>> {
    v.map(Value::Int)
}

fn date(t: Option<Timestamp>) -> Option<Value<'static>> {
    t.map(Value::Date)
}

fn object<T: Describe>(o: &Option<T>) -> Option<Value<'_>> {
    o.as_ref().map(|o| Value::Object(o as &dyn Describe))
}

fn sequence<T: Describe>(items: &[T]) -> Option<Value<'_>> {
    Some(Value::Sequence(
        items
            .iter()
            .map(|o| Value::Object(o as &dyn Describe))
            .collect(),
    ))
}

fn list<T: Describe>(items: &[T]) -> Option<Value<'_>> {
    Some(Value::Items(
        items
            .iter()
            .map(|o| Value::Object(o as &dyn Describe))
            .collect(),
    ))
}

/// A keyword set as a Java `TreeSet<String>` iterates it.
pub fn keyword_set(keywords: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = keywords.iter().map(String::as_str).collect();
    v.sort_by(|a, b| java::str_cmp(a, b));
    v.dedup();
    v
}

fn keywords(k: &[String]) -> Option<Value<'_>> {
    Some(Value::Items(
        keyword_set(k).into_iter().map(Value::Str).collect(),
    ))
}

fn uris(u: &[Uri]) -> Option<Value<'_>> {
    Some(Value::Items(
        sorted_uri_set(u).into_iter().map(Value::Uri).collect(),
    ))
}

/// An enum set as a Java `TreeSet<Enum>` iterates it (declaration order).
fn enum_set<T: Ord + Copy>(items: &[T], text: fn(T) -> &'static str) -> Option<Value<'static>> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    Some(Value::Items(
        v.into_iter().map(|t| Value::Term(text(t))).collect(),
    ))
}

impl Describe for Observation {
    fn class_name(&self) -> &'static str {
        match self.kind {
            ObservationKind::Simple => "SimpleObservation",
            ObservationKind::Derived { .. } => "DerivedObservation",
        }
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("algorithm", Some(Value::Object(&self.algorithm)));
        f("collection", Some(Value::Str(&self.collection)));
        f("environment", object(&self.environment));
        f("instrument", object(&self.instrument));
        f("intent", self.intent.map(|i| Value::Term(i.as_str())));
        if let ObservationKind::Derived { members } = &self.kind {
            f("members", uris(members));
        }
        f("metaReadGroups", uris(&self.meta_read_groups));
        f("metaRelease", date(self.meta_release));
        f("observationID", Some(Value::Str(&self.observation_id)));
        f("proposal", object(&self.proposal));
        f("requirements", object(&self.requirements));
        f("sequenceNumber", int(self.sequence_number));
        f("target", object(&self.target));
        f("targetPosition", object(&self.target_position));
        f("telescope", object(&self.telescope));
        f("type", string(&self.obs_type));
    }
}

impl Describe for Algorithm {
    fn class_name(&self) -> &'static str {
        "Algorithm"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("name", Some(Value::Str(&self.name)));
    }
}

impl Describe for Proposal {
    fn class_name(&self) -> &'static str {
        "Proposal"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("id", Some(Value::Str(&self.id)));
        f("keywords", keywords(&self.keywords));
        f("pi", string(&self.pi));
        f("project", string(&self.project));
        f("title", string(&self.title));
    }
}

impl Describe for Target {
    fn class_name(&self) -> &'static str {
        "Target"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("keywords", keywords(&self.keywords));
        f("moving", self.moving.map(Value::Bool));
        f("name", Some(Value::Str(&self.name)));
        f("redshift", double(self.redshift));
        f("standard", self.standard.map(Value::Bool));
        f("targetID", uri(&self.target_id));
        f("type", self.target_type.map(|t| Value::Term(t.as_str())));
    }
}

impl Describe for TargetPosition {
    fn class_name(&self) -> &'static str {
        "TargetPosition"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("coordinates", Some(Value::Object(&self.coordinates)));
        f("coordsys", Some(Value::Str(&self.coordsys)));
        f("equinox", double(self.equinox));
    }
}

impl Describe for Requirements {
    fn class_name(&self) -> &'static str {
        "Requirements"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("flag", Some(Value::Term(self.flag.as_str())));
    }
}

impl Describe for Telescope {
    fn class_name(&self) -> &'static str {
        "Telescope"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("geoLocationX", double(self.geo_location_x));
        f("geoLocationY", double(self.geo_location_y));
        f("geoLocationZ", double(self.geo_location_z));
        f("keywords", keywords(&self.keywords));
        f("name", Some(Value::Str(&self.name)));
    }
}

impl Describe for Instrument {
    fn class_name(&self) -> &'static str {
        "Instrument"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("keywords", keywords(&self.keywords));
        f("name", Some(Value::Str(&self.name)));
    }
}

impl Describe for Environment {
    fn class_name(&self) -> &'static str {
        "Environment"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("ambientTemp", double(self.ambient_temp));
        f("elevation", double(self.elevation));
        f("humidity", double(self.humidity));
        f("photometric", self.photometric.map(Value::Bool));
        f("seeing", double(self.seeing));
        f("tau", double(self.tau));
        f("wavelengthTau", double(self.wavelength_tau));
    }
}

impl Describe for Plane {
    fn class_name(&self) -> &'static str {
        "Plane"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f(
            "calibrationLevel",
            self.calibration_level.map(|c| Value::IntTerm(c.value())),
        );
        f("creatorID", uri(&self.creator_id));
        f("custom", object(&self.custom));
        f(
            "dataProductType",
            self.data_product_type
                .as_ref()
                .map(|d| Value::Term(d.as_str())),
        );
        f("dataReadGroups", uris(&self.data_read_groups));
        f("dataRelease", date(self.data_release));
        f("energy", object(&self.energy));
        f("metaReadGroups", uris(&self.meta_read_groups));
        f("metaRelease", date(self.meta_release));
        f("metrics", object(&self.metrics));
        f("observable", object(&self.observable));
        f("polarization", object(&self.polarization));
        f("position", object(&self.position));
        f("productID", Some(Value::Str(&self.product_id)));
        f("provenance", object(&self.provenance));
        f("quality", object(&self.quality));
        f("time", object(&self.time));
    }
}

impl Describe for Provenance {
    fn class_name(&self) -> &'static str {
        "Provenance"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("inputs", uris(&self.inputs));
        f("keywords", keywords(&self.keywords));
        f("lastExecuted", date(self.last_executed));
        f("name", Some(Value::Str(&self.name)));
        f("producer", string(&self.producer));
        f("project", string(&self.project));
        f("reference", uri(&self.reference));
        f("runID", string(&self.run_id));
        f("version", string(&self.version));
    }
}

impl Describe for Metrics {
    fn class_name(&self) -> &'static str {
        "Metrics"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("background", double(self.background));
        f("backgroundStddev", double(self.background_stddev));
        f("fluxDensityLimit", double(self.flux_density_limit));
        f("magLimit", double(self.mag_limit));
        f("sampleSNR", double(self.sample_snr));
        f("sourceNumberDensity", double(self.source_number_density));
    }
}

impl Describe for DataQuality {
    fn class_name(&self) -> &'static str {
        "DataQuality"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("flag", Some(Value::Term(self.flag.as_str())));
    }
}

impl Describe for Observable {
    fn class_name(&self) -> &'static str {
        "Observable"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("ucd", Some(Value::Str(&self.ucd)));
    }
}

impl Describe for Position {
    fn class_name(&self) -> &'static str {
        "Position"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("bounds", object(&self.bounds));
        f("dimension", object(&self.dimension));
        f("resolution", double(self.resolution));
        f("resolutionBounds", object(&self.resolution_bounds));
        f("sampleSize", double(self.sample_size));
        f("timeDependent", self.time_dependent.map(Value::Bool));
    }
}

impl Describe for Energy {
    fn class_name(&self) -> &'static str {
        "Energy"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("bandpassName", string(&self.bandpass_name));
        f("bounds", object(&self.bounds));
        f("dimension", long(self.dimension));
        f("energyBands", enum_set(&self.energy_bands, |b| b.as_str()));
        f("resolvingPower", double(self.resolving_power));
        f("resolvingPowerBounds", object(&self.resolving_power_bounds));
        f("restwav", double(self.restwav));
        f("sampleSize", double(self.sample_size));
        f("transition", object(&self.transition));
    }
}

impl Describe for Time {
    fn class_name(&self) -> &'static str {
        "Time"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("bounds", object(&self.bounds));
        f("dimension", long(self.dimension));
        f("exposure", double(self.exposure));
        f("resolution", double(self.resolution));
        f("resolutionBounds", object(&self.resolution_bounds));
        f("sampleSize", double(self.sample_size));
    }
}

impl Describe for Polarization {
    fn class_name(&self) -> &'static str {
        "Polarization"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("dimension", long(self.dimension));
        f("states", enum_set(&self.states, |s| s.as_str()));
    }
}

impl Describe for CustomAxis {
    fn class_name(&self) -> &'static str {
        "CustomAxis"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("bounds", object(&self.bounds));
        f("ctype", Some(Value::Str(&self.ctype)));
        f("dimension", long(self.dimension));
    }
}

impl Describe for Shape {
    fn class_name(&self) -> &'static str {
        match self {
            Shape::Polygon(p) => p.class_name(),
            Shape::Circle(c) => c.class_name(),
        }
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        match self {
            Shape::Polygon(p) => p.fields(f),
            Shape::Circle(c) => c.fields(f),
        }
    }
}

impl Describe for Polygon {
    fn class_name(&self) -> &'static str {
        "Polygon"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("points", sequence(&self.points));
        f("samples", Some(Value::Object(&self.samples)));
    }
}

impl Describe for MultiPolygon {
    fn class_name(&self) -> &'static str {
        "MultiPolygon"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("vertices", sequence(&self.vertices));
    }
}

impl Describe for Vertex {
    fn class_name(&self) -> &'static str {
        "Vertex"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("cval1", Some(Value::Double(self.cval1)));
        f("cval2", Some(Value::Double(self.cval2)));
        f("type", Some(Value::IntTerm(self.segment.value())));
    }
}

impl Describe for Point {
    fn class_name(&self) -> &'static str {
        "Point"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("cval1", Some(Value::Double(self.cval1)));
        f("cval2", Some(Value::Double(self.cval2)));
    }
}

impl Describe for Circle {
    fn class_name(&self) -> &'static str {
        "Circle"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("center", Some(Value::Object(&self.center)));
        f("radius", Some(Value::Double(self.radius)));
    }
}

impl Describe for Interval {
    fn class_name(&self) -> &'static str {
        "Interval"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("lower", Some(Value::Double(self.lower)));
        f("upper", Some(Value::Double(self.upper)));
    }
}

impl Describe for SampledInterval {
    fn class_name(&self) -> &'static str {
        "SampledInterval"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("lower", Some(Value::Double(self.lower)));
        f("samples", sequence(&self.samples));
        f("upper", Some(Value::Double(self.upper)));
    }
}

impl Describe for Artifact {
    fn class_name(&self) -> &'static str {
        "Artifact"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("contentChecksum", uri(&self.content_checksum));
        f("contentLength", long(self.content_length));
        f("contentReadGroups", uris(&self.content_read_groups));
        f("contentRelease", date(self.content_release));
        f("contentType", string(&self.content_type));
        f("productType", Some(Value::Term(self.product_type.as_str())));
        f("releaseType", Some(Value::Term(self.release_type.as_str())));
        f("uri", Some(Value::Uri(&self.uri)));
    }
}

impl Describe for Part {
    fn class_name(&self) -> &'static str {
        "Part"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("name", Some(Value::Str(&self.name)));
        f(
            "productType",
            self.product_type.as_ref().map(|p| Value::Term(p.as_str())),
        );
    }
}

impl Describe for Chunk {
    fn class_name(&self) -> &'static str {
        "Chunk"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("custom", object(&self.custom));
        f("customAxis", int(self.custom_axis));
        f("energy", object(&self.energy));
        f("energyAxis", int(self.energy_axis));
        f("naxis", int(self.naxis));
        f("observable", object(&self.observable));
        f("observableAxis", int(self.observable_axis));
        f("polarization", object(&self.polarization));
        f("polarizationAxis", int(self.polarization_axis));
        f("position", object(&self.position));
        f("positionAxis1", int(self.position_axis1));
        f("positionAxis2", int(self.position_axis2));
        f(
            "productType",
            self.product_type.as_ref().map(|p| Value::Term(p.as_str())),
        );
        f("time", object(&self.time));
        f("timeAxis", int(self.time_axis));
    }
}

impl Describe for ObservableAxis {
    fn class_name(&self) -> &'static str {
        "ObservableAxis"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("dependent", Some(Value::Object(&self.dependent)));
        f("independent", object(&self.independent));
    }
}

impl Describe for Slice {
    fn class_name(&self) -> &'static str {
        "Slice"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
        f("bin", Some(Value::Long(self.bin)));
    }
}

impl Describe for Axis {
    fn class_name(&self) -> &'static str {
        "Axis"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("ctype", Some(Value::Str(&self.ctype)));
        f("cunit", string(&self.cunit));
    }
}

impl Describe for SpatialWcs {
    fn class_name(&self) -> &'static str {
        "SpatialWCS"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
        f("coordsys", string(&self.coordsys));
        f("equinox", double(self.equinox));
        f("resolution", double(self.resolution));
    }
}

impl Describe for CoordAxis2D {
    fn class_name(&self) -> &'static str {
        "CoordAxis2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis1", Some(Value::Object(&self.axis1)));
        f("axis2", Some(Value::Object(&self.axis2)));
        f("bounds", object(&self.bounds));
        f("error1", object(&self.error1));
        f("error2", object(&self.error2));
        f("function", object(&self.function));
        f("range", object(&self.range));
    }
}

impl Describe for CoordAxis1D {
    fn class_name(&self) -> &'static str {
        "CoordAxis1D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
        f("bounds", object(&self.bounds));
        f("error", object(&self.error));
        f("function", object(&self.function));
        f("range", object(&self.range));
    }
}

impl Describe for CoordError {
    fn class_name(&self) -> &'static str {
        "CoordError"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("rnder", Some(Value::Double(self.rnder)));
        f("syser", Some(Value::Double(self.syser)));
    }
}

impl Describe for CoordRange1D {
    fn class_name(&self) -> &'static str {
        "CoordRange1D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("end", Some(Value::Object(&self.end)));
        f("start", Some(Value::Object(&self.start)));
    }
}

impl Describe for CoordRange2D {
    fn class_name(&self) -> &'static str {
        "CoordRange2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("end", Some(Value::Object(&self.end)));
        f("start", Some(Value::Object(&self.start)));
    }
}

impl Describe for RefCoord {
    fn class_name(&self) -> &'static str {
        "RefCoord"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("pix", Some(Value::Double(self.pix)));
        f("val", Some(Value::Double(self.val)));
    }
}

impl Describe for Coord2D {
    fn class_name(&self) -> &'static str {
        "Coord2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("coord1", Some(Value::Object(&self.coord1)));
        f("coord2", Some(Value::Object(&self.coord2)));
    }
}

impl Describe for ValueCoord2D {
    fn class_name(&self) -> &'static str {
        "ValueCoord2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("coord1", Some(Value::Double(self.coord1)));
        f("coord2", Some(Value::Double(self.coord2)));
    }
}

impl Describe for CoordBounds1D {
    fn class_name(&self) -> &'static str {
        "CoordBounds1D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("samples", list(&self.samples));
    }
}

impl Describe for CoordBounds2D {
    fn class_name(&self) -> &'static str {
        match self {
            CoordBounds2D::Circle(c) => c.class_name(),
            CoordBounds2D::Polygon(p) => p.class_name(),
        }
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        match self {
            CoordBounds2D::Circle(c) => c.fields(f),
            CoordBounds2D::Polygon(p) => p.fields(f),
        }
    }
}

impl Describe for CoordCircle2D {
    fn class_name(&self) -> &'static str {
        "CoordCircle2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("center", Some(Value::Object(&self.center)));
        f("radius", Some(Value::Double(self.radius)));
    }
}

impl Describe for CoordPolygon2D {
    fn class_name(&self) -> &'static str {
        "CoordPolygon2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("vertices", list(&self.vertices));
    }
}

impl Describe for CoordFunction1D {
    fn class_name(&self) -> &'static str {
        "CoordFunction1D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("delta", Some(Value::Double(self.delta)));
        f("naxis", Some(Value::Long(self.naxis)));
        f("refCoord", Some(Value::Object(&self.ref_coord)));
    }
}

impl Describe for CoordFunction2D {
    fn class_name(&self) -> &'static str {
        "CoordFunction2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("cd11", Some(Value::Double(self.cd11)));
        f("cd12", Some(Value::Double(self.cd12)));
        f("cd21", Some(Value::Double(self.cd21)));
        f("cd22", Some(Value::Double(self.cd22)));
        f("dimension", Some(Value::Object(&self.dimension)));
        f("refCoord", Some(Value::Object(&self.ref_coord)));
    }
}

impl Describe for Dimension2D {
    fn class_name(&self) -> &'static str {
        "Dimension2D"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("naxis1", Some(Value::Long(self.naxis1)));
        f("naxis2", Some(Value::Long(self.naxis2)));
    }
}

impl Describe for SpectralWcs {
    fn class_name(&self) -> &'static str {
        "SpectralWCS"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
        f("bandpassName", string(&self.bandpass_name));
        f("resolvingPower", double(self.resolving_power));
        f("restfrq", double(self.restfrq));
        f("restwav", double(self.restwav));
        f("specsys", Some(Value::Str(&self.specsys)));
        f("ssysobs", string(&self.ssysobs));
        f("ssyssrc", string(&self.ssyssrc));
        f("transition", object(&self.transition));
        f("velang", double(self.velang));
        f("velosys", double(self.velosys));
        f("zsource", double(self.zsource));
    }
}

impl Describe for EnergyTransition {
    fn class_name(&self) -> &'static str {
        "EnergyTransition"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("species", Some(Value::Str(&self.species)));
        f("transition", Some(Value::Str(&self.transition)));
    }
}

impl Describe for TemporalWcs {
    fn class_name(&self) -> &'static str {
        "TemporalWCS"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
        f("exposure", double(self.exposure));
        f("mjdref", double(self.mjdref));
        f("resolution", double(self.resolution));
        f("timesys", string(&self.timesys));
        f("trefpos", string(&self.trefpos));
    }
}

impl Describe for PolarizationWcs {
    fn class_name(&self) -> &'static str {
        "PolarizationWCS"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
    }
}

impl Describe for CustomWcs {
    fn class_name(&self) -> &'static str {
        "CustomWCS"
    }
    fn fields<'a>(&'a self, f: &mut dyn FnMut(&'static str, Option<Value<'a>>)) {
        f("axis", Some(Value::Object(&self.axis)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checksum depends on this: every listing must be in ascending Java field-name order.
    #[test]
    fn fields_are_listed_in_java_name_order() {
        fn check(d: &dyn Describe) {
            let mut names = Vec::new();
            d.fields(&mut |n, v| {
                names.push(n);
                if let Some(Value::Object(o)) = v {
                    check(o);
                }
                if let Some(Value::Items(items) | Value::Sequence(items)) = v {
                    for i in items {
                        if let Value::Object(o) = i {
                            check(o);
                        }
                    }
                }
            });
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted, "{}", d.class_name());
        }
        let doc = crate::sample::complete_observation();
        check(&doc);
        for p in &doc.planes {
            check(p);
            for a in &p.artifacts {
                check(a);
                for pt in &a.parts {
                    check(pt);
                    for c in &pt.chunks {
                        check(c);
                    }
                }
            }
        }
    }
}
