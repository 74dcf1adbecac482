//! CAOM 2.4 XML output, byte-compatible with the Java `ObservationWriter` (JDOM pretty format):
//! XSD element order, `caom2:`-qualified entity attributes, Java number and date formatting,
//! CRLF line ends and two-space indentation, Java set orders.

use super::{NS_CAOM24, NS_XSI};
use crate::artifact::{Artifact, Chunk, Part};
use crate::describe::keyword_set;
use crate::entity::Entity;
use crate::java;
use crate::observation::*;
use crate::plane::*;
use crate::shape::*;
use crate::timestamp::Timestamp;
use crate::uri::{sorted_uri_set, Uri};
use crate::wcs::*;
use std::fmt::Write as _;

/// Writes the observation as a CAOM 2.4 document.
pub fn write(obs: &Observation) -> String {
    let mut w = Writer {
        out: String::with_capacity(4096 + 12_000 * count_chunks(obs)),
        depth: 0,
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n");
    w.observation(obs);
    w.out
}

fn count_chunks(obs: &Observation) -> usize {
    obs.planes
        .iter()
        .flat_map(|p| &p.artifacts)
        .flat_map(|a| &a.parts)
        .map(|p| p.chunks.len() + 1)
        .sum()
}

struct Writer {
    out: String,
    depth: usize,
}

/// The output length just after an opening tag, so that an element that got no content can
/// be rewritten in its empty form.
struct Open(usize);

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) -> Open {
        self.indent();
        self.out.push_str("<caom2:");
        self.out.push_str(name);
        self.out.push_str(">\r\n");
        self.depth += 1;
        Open(self.out.len())
    }

    fn open_with_attrs(&mut self, name: &str, attrs: impl FnOnce(&mut String)) -> Open {
        self.indent();
        self.out.push_str("<caom2:");
        self.out.push_str(name);
        attrs(&mut self.out);
        self.out.push_str(">\r\n");
        self.depth += 1;
        Open(self.out.len())
    }

    fn close(&mut self, name: &str, open: Open) {
        self.depth -= 1;
        if self.out.len() == open.0 {
            // JDOM writes an element without content as `<name />`: drop the ">\r\n"
            self.out.truncate(open.0 - 3);
            self.out.push_str(" />\r\n");
            return;
        }
        self.indent();
        self.out.push_str("</caom2:");
        self.out.push_str(name);
        self.out.push_str(">\r\n");
    }

    fn text(&mut self, name: &str, value: &str) {
        self.indent();
        self.out.push_str("<caom2:");
        self.out.push_str(name);
        self.out.push('>');
        escape_text(&mut self.out, java::trim(value));
        self.out.push_str("</caom2:");
        self.out.push_str(name);
        self.out.push_str(">\r\n");
    }

    fn opt_text(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(name, v);
        }
    }

    fn double(&mut self, name: &str, value: f64) {
        self.indent();
        self.out.push_str("<caom2:");
        self.out.push_str(name);
        self.out.push('>');
        java::format_double(value, &mut self.out);
        self.out.push_str("</caom2:");
        self.out.push_str(name);
        self.out.push_str(">\r\n");
    }

    /// An integer value, formatted straight into the output.
    fn integer(&mut self, name: &str, value: i64) {
        use std::fmt::Write as _;
        self.indent();
        self.out.push_str("<caom2:");
        self.out.push_str(name);
        self.out.push('>');
        let _ = write!(self.out, "{value}");
        self.out.push_str("</caom2:");
        self.out.push_str(name);
        self.out.push_str(">\r\n");
    }

    fn opt_double(&mut self, name: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.double(name, v);
        }
    }

    fn opt_int(&mut self, name: &str, value: Option<i32>) {
        if let Some(v) = value {
            self.integer(name, i64::from(v));
        }
    }

    fn opt_long(&mut self, name: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.integer(name, v);
        }
    }

    fn opt_bool(&mut self, name: &str, value: Option<bool>) {
        if let Some(v) = value {
            self.text(name, if v { "true" } else { "false" });
        }
    }

    fn opt_date(&mut self, name: &str, value: Option<Timestamp>) {
        if let Some(v) = value {
            self.text(name, &v.to_string());
        }
    }

    fn opt_uri(&mut self, name: &str, value: Option<&Uri>) {
        if let Some(v) = value {
            self.text(name, v.as_str());
        }
    }

    fn keywords(&mut self, keywords: &[String]) {
        if keywords.is_empty() {
            return;
        }
        let o = self.open("keywords");
        for k in keyword_set(keywords) {
            self.text("keyword", k);
        }
        self.close("keywords", o);
    }

    /// A URI set; Java omits the container when the set is empty.
    fn uri_set(&mut self, container: &str, item: &str, uris: &[Uri]) {
        if uris.is_empty() {
            return;
        }
        let o = self.open(container);
        for u in sorted_uri_set(uris) {
            self.text(item, u.as_str());
        }
        self.close(container, o);
    }

    fn observation(&mut self, obs: &Observation) {
        let kind = match obs.kind {
            ObservationKind::Simple => "caom2:SimpleObservation",
            ObservationKind::Derived { .. } => "caom2:DerivedObservation",
        };
        let o = self.open_with_attrs("Observation", |out| {
            let _ = write!(
                out,
                " xmlns:caom2=\"{NS_CAOM24}\" xmlns:xsi=\"{NS_XSI}\" xsi:type=\"{kind}\""
            );
            entity_attrs(out, &obs.entity);
        });
        self.text("collection", &obs.collection);
        self.text("observationID", &obs.observation_id);
        self.opt_date("metaRelease", obs.meta_release);
        self.uri_set("metaReadGroups", "groupURI", &obs.meta_read_groups);
        self.opt_int("sequenceNumber", obs.sequence_number);
        let a = self.open("algorithm");
        self.text("name", &obs.algorithm.name);
        self.close("algorithm", a);
        self.opt_text("type", obs.obs_type.as_deref());
        self.opt_text("intent", obs.intent.map(|i| i.as_str()));
        if let Some(p) = &obs.proposal {
            let o = self.open("proposal");
            self.text("id", &p.id);
            self.opt_text("pi", p.pi.as_deref());
            self.opt_text("project", p.project.as_deref());
            self.opt_text("title", p.title.as_deref());
            self.keywords(&p.keywords);
            self.close("proposal", o);
        }
        if let Some(t) = &obs.target {
            let o = self.open("target");
            self.text("name", &t.name);
            self.opt_uri("targetID", t.target_id.as_ref());
            self.opt_text("type", t.target_type.map(|t| t.as_str()));
            self.opt_bool("standard", t.standard);
            self.opt_double("redshift", t.redshift);
            self.opt_bool("moving", t.moving);
            self.keywords(&t.keywords);
            self.close("target", o);
        }
        if let Some(tp) = &obs.target_position {
            let o = self.open("targetPosition");
            self.text("coordsys", &tp.coordsys);
            self.opt_double("equinox", tp.equinox);
            self.point("coordinates", &tp.coordinates);
            self.close("targetPosition", o);
        }
        if let Some(r) = &obs.requirements {
            let o = self.open("requirements");
            self.text("flag", r.flag.as_str());
            self.close("requirements", o);
        }
        if let Some(t) = &obs.telescope {
            let o = self.open("telescope");
            self.text("name", &t.name);
            self.opt_double("geoLocationX", t.geo_location_x);
            self.opt_double("geoLocationY", t.geo_location_y);
            self.opt_double("geoLocationZ", t.geo_location_z);
            self.keywords(&t.keywords);
            self.close("telescope", o);
        }
        if let Some(i) = &obs.instrument {
            let o = self.open("instrument");
            self.text("name", &i.name);
            self.keywords(&i.keywords);
            self.close("instrument", o);
        }
        if let Some(e) = &obs.environment {
            let o = self.open("environment");
            self.opt_double("seeing", e.seeing);
            self.opt_double("humidity", e.humidity);
            self.opt_double("elevation", e.elevation);
            self.opt_double("tau", e.tau);
            self.opt_double("wavelengthTau", e.wavelength_tau);
            self.opt_double("ambientTemp", e.ambient_temp);
            self.opt_bool("photometric", e.photometric);
            self.close("environment", o);
        }
        if !obs.planes.is_empty() {
            let mut planes: Vec<&Plane> = obs.planes.iter().collect();
            planes.sort_by(|a, b| java::str_cmp(&a.product_id, &b.product_id));
            let o = self.open("planes");
            for p in planes {
                self.plane(p);
            }
            self.close("planes", o);
        }
        if let ObservationKind::Derived { members } = &obs.kind {
            self.uri_set("members", "observationURI", members);
        }
        self.close("Observation", o);
    }

    fn point(&mut self, name: &str, p: &Point) {
        let o = self.open(name);
        self.double("cval1", p.cval1);
        self.double("cval2", p.cval2);
        self.close(name, o);
    }

    fn interval(&mut self, name: &str, i: &Interval) {
        let o = self.open(name);
        self.double("lower", i.lower);
        self.double("upper", i.upper);
        self.close(name, o);
    }

    fn sampled_interval(&mut self, name: &str, i: &SampledInterval) {
        let o = self.open(name);
        self.double("lower", i.lower);
        self.double("upper", i.upper);
        if !i.samples.is_empty() {
            let s = self.open("samples");
            for sample in &i.samples {
                self.interval("sample", sample);
            }
            self.close("samples", s);
        }
        self.close(name, o);
    }

    fn plane(&mut self, p: &Plane) {
        let o = self.open_with_attrs("plane", |out| entity_attrs(out, &p.entity));
        self.text("productID", &p.product_id);
        self.opt_uri("creatorID", p.creator_id.as_ref());
        self.opt_date("metaRelease", p.meta_release);
        self.uri_set("metaReadGroups", "groupURI", &p.meta_read_groups);
        self.opt_date("dataRelease", p.data_release);
        self.uri_set("dataReadGroups", "groupURI", &p.data_read_groups);
        self.opt_text(
            "dataProductType",
            p.data_product_type.as_ref().map(|d| d.as_str()),
        );
        self.opt_int("calibrationLevel", p.calibration_level.map(|c| c.value()));
        if let Some(pr) = &p.provenance {
            let o = self.open("provenance");
            self.text("name", &pr.name);
            self.opt_text("version", pr.version.as_deref());
            self.opt_text("project", pr.project.as_deref());
            self.opt_text("producer", pr.producer.as_deref());
            self.opt_text("runID", pr.run_id.as_deref());
            self.opt_uri("reference", pr.reference.as_ref());
            self.opt_date("lastExecuted", pr.last_executed);
            self.keywords(&pr.keywords);
            self.uri_set("inputs", "planeURI", &pr.inputs);
            self.close("provenance", o);
        }
        if let Some(ob) = &p.observable {
            let o = self.open("observable");
            self.text("ucd", &ob.ucd);
            self.close("observable", o);
        }
        if let Some(m) = &p.metrics {
            let o = self.open("metrics");
            self.opt_double("sourceNumberDensity", m.source_number_density);
            self.opt_double("background", m.background);
            self.opt_double("backgroundStddev", m.background_stddev);
            self.opt_double("fluxDensityLimit", m.flux_density_limit);
            self.opt_double("magLimit", m.mag_limit);
            self.opt_double("sampleSNR", m.sample_snr);
            self.close("metrics", o);
        }
        if let Some(q) = &p.quality {
            let o = self.open("quality");
            self.text("flag", q.flag.as_str());
            self.close("quality", o);
        }
        if let Some(pos) = &p.position {
            self.position(pos);
        }
        if let Some(e) = &p.energy {
            self.energy(e);
        }
        if let Some(t) = &p.time {
            let o = self.open("time");
            if let Some(b) = &t.bounds {
                self.sampled_interval("bounds", b);
            }
            self.opt_long("dimension", t.dimension);
            self.opt_double("resolution", t.resolution);
            if let Some(rb) = &t.resolution_bounds {
                self.interval("resolutionBounds", rb);
            }
            self.opt_double("sampleSize", t.sample_size);
            self.opt_double("exposure", t.exposure);
            self.close("time", o);
        }
        if let Some(pol) = &p.polarization {
            let o = self.open("polarization");
            if !pol.states.is_empty() {
                let mut states = pol.states.clone();
                states.sort();
                states.dedup();
                let s = self.open("states");
                for st in states {
                    self.text("state", st.as_str());
                }
                self.close("states", s);
            }
            self.opt_long("dimension", pol.dimension);
            self.close("polarization", o);
        }
        if let Some(c) = &p.custom {
            let o = self.open("custom");
            self.text("ctype", &c.ctype);
            if let Some(b) = &c.bounds {
                self.sampled_interval("bounds", b);
            }
            self.opt_long("dimension", c.dimension);
            self.close("custom", o);
        }
        if !p.artifacts.is_empty() {
            let mut artifacts: Vec<&Artifact> = p.artifacts.iter().collect();
            artifacts.sort_by(|a, b| a.uri.java_cmp(&b.uri));
            let o = self.open("artifacts");
            for a in artifacts {
                self.artifact(a);
            }
            self.close("artifacts", o);
        }
        self.close("plane", o);
    }

    fn position(&mut self, pos: &Position) {
        let o = self.open("position");
        match &pos.bounds {
            Some(Shape::Polygon(poly)) => {
                let b = self
                    .open_with_attrs("bounds", |out| out.push_str(" xsi:type=\"caom2:Polygon\""));
                let pts = self.open("points");
                for p in &poly.points {
                    self.point("point", p);
                }
                self.close("points", pts);
                let s = self.open("samples");
                let v = self.open("vertices");
                for vx in &poly.samples.vertices {
                    let o = self.open("vertex");
                    self.double("cval1", vx.cval1);
                    self.double("cval2", vx.cval2);
                    self.integer("type", i64::from(vx.segment.value()));
                    self.close("vertex", o);
                }
                self.close("vertices", v);
                self.close("samples", s);
                self.close("bounds", b);
            }
            Some(Shape::Circle(c)) => {
                let b = self
                    .open_with_attrs("bounds", |out| out.push_str(" xsi:type=\"caom2:Circle\""));
                self.point("center", &c.center);
                self.double("radius", c.radius);
                self.close("bounds", b);
            }
            None => {}
        }
        if let Some(d) = &pos.dimension {
            self.dimension("dimension", d);
        }
        self.opt_double("resolution", pos.resolution);
        if let Some(rb) = &pos.resolution_bounds {
            self.interval("resolutionBounds", rb);
        }
        self.opt_double("sampleSize", pos.sample_size);
        self.opt_bool("timeDependent", pos.time_dependent);
        self.close("position", o);
    }

    fn energy(&mut self, e: &Energy) {
        let o = self.open("energy");
        if let Some(b) = &e.bounds {
            self.sampled_interval("bounds", b);
        }
        self.opt_long("dimension", e.dimension);
        self.opt_double("resolvingPower", e.resolving_power);
        if let Some(rb) = &e.resolving_power_bounds {
            self.interval("resolvingPowerBounds", rb);
        }
        self.opt_double("sampleSize", e.sample_size);
        self.opt_text("bandpassName", e.bandpass_name.as_deref());
        if !e.energy_bands.is_empty() {
            let mut bands = e.energy_bands.clone();
            bands.sort();
            bands.dedup();
            let b = self.open("energyBands");
            for band in bands {
                self.text("emBand", band.as_str());
            }
            self.close("energyBands", b);
        }
        self.opt_double("restwav", e.restwav);
        if let Some(t) = &e.transition {
            self.transition(t);
        }
        self.close("energy", o);
    }

    fn transition(&mut self, t: &EnergyTransition) {
        let o = self.open("transition");
        self.text("species", &t.species);
        self.text("transition", &t.transition);
        self.close("transition", o);
    }

    fn dimension(&mut self, name: &str, d: &Dimension2D) {
        let o = self.open(name);
        self.integer("naxis1", d.naxis1);
        self.integer("naxis2", d.naxis2);
        self.close(name, o);
    }

    fn artifact(&mut self, a: &Artifact) {
        let o = self.open_with_attrs("artifact", |out| entity_attrs(out, &a.entity));
        self.text("uri", a.uri.as_str());
        self.text("productType", a.product_type.as_str());
        self.text("releaseType", a.release_type.as_str());
        self.opt_date("contentRelease", a.content_release);
        self.uri_set("contentReadGroups", "groupURI", &a.content_read_groups);
        self.opt_text("contentType", a.content_type.as_deref());
        self.opt_long("contentLength", a.content_length);
        self.opt_uri("contentChecksum", a.content_checksum.as_ref());
        if !a.parts.is_empty() {
            let mut parts: Vec<&Part> = a.parts.iter().collect();
            parts.sort_by(|x, y| java::str_cmp(&x.name, &y.name));
            let o = self.open("parts");
            for p in parts {
                self.part(p);
            }
            self.close("parts", o);
        }
        self.close("artifact", o);
    }

    fn part(&mut self, p: &Part) {
        let o = self.open_with_attrs("part", |out| entity_attrs(out, &p.entity));
        self.text("name", &p.name);
        self.opt_text("productType", p.product_type.as_ref().map(|t| t.as_str()));
        if !p.chunks.is_empty() {
            let mut chunks: Vec<&Chunk> = p.chunks.iter().collect();
            chunks.sort_by(|a, b| java::uuid_signed_cmp(&a.entity.id, &b.entity.id));
            let o = self.open("chunks");
            for c in chunks {
                self.chunk(c);
            }
            self.close("chunks", o);
        }
        self.close("part", o);
    }

    fn chunk(&mut self, c: &Chunk) {
        let o = self.open_with_attrs("chunk", |out| entity_attrs(out, &c.entity));
        self.opt_text("productType", c.product_type.as_ref().map(|t| t.as_str()));
        self.opt_int("naxis", c.naxis);
        self.opt_int("observableAxis", c.observable_axis);
        self.opt_int("positionAxis1", c.position_axis1);
        self.opt_int("positionAxis2", c.position_axis2);
        self.opt_int("energyAxis", c.energy_axis);
        self.opt_int("timeAxis", c.time_axis);
        self.opt_int("polarizationAxis", c.polarization_axis);
        self.opt_int("customAxis", c.custom_axis);
        if let Some(ob) = &c.observable {
            let o = self.open("observable");
            self.slice("dependent", &ob.dependent);
            if let Some(i) = &ob.independent {
                self.slice("independent", i);
            }
            self.close("observable", o);
        }
        if let Some(p) = &c.position {
            let o = self.open("position");
            self.coord_axis_2d("axis", &p.axis);
            self.opt_text("coordsys", p.coordsys.as_deref());
            self.opt_double("equinox", p.equinox);
            self.opt_double("resolution", p.resolution);
            self.close("position", o);
        }
        if let Some(e) = &c.energy {
            let o = self.open("energy");
            self.coord_axis_1d("axis", &e.axis);
            self.text("specsys", &e.specsys);
            self.opt_text("ssysobs", e.ssysobs.as_deref());
            self.opt_text("ssyssrc", e.ssyssrc.as_deref());
            self.opt_double("restfrq", e.restfrq);
            self.opt_double("restwav", e.restwav);
            self.opt_double("velosys", e.velosys);
            self.opt_double("zsource", e.zsource);
            self.opt_double("velang", e.velang);
            self.opt_text("bandpassName", e.bandpass_name.as_deref());
            self.opt_double("resolvingPower", e.resolving_power);
            if let Some(t) = &e.transition {
                self.transition(t);
            }
            self.close("energy", o);
        }
        if let Some(t) = &c.time {
            let o = self.open("time");
            self.coord_axis_1d("axis", &t.axis);
            self.opt_text("timesys", t.timesys.as_deref());
            self.opt_text("trefpos", t.trefpos.as_deref());
            self.opt_double("mjdref", t.mjdref);
            self.opt_double("exposure", t.exposure);
            self.opt_double("resolution", t.resolution);
            self.close("time", o);
        }
        if let Some(p) = &c.polarization {
            let o = self.open("polarization");
            self.coord_axis_1d("axis", &p.axis);
            self.close("polarization", o);
        }
        if let Some(cu) = &c.custom {
            let o = self.open("custom");
            self.coord_axis_1d("axis", &cu.axis);
            self.close("custom", o);
        }
        self.close("chunk", o);
    }

    fn slice(&mut self, name: &str, s: &Slice) {
        let o = self.open(name);
        self.axis("axis", &s.axis);
        self.integer("bin", s.bin);
        self.close(name, o);
    }

    fn axis(&mut self, name: &str, a: &Axis) {
        let o = self.open(name);
        self.text("ctype", &a.ctype);
        self.opt_text("cunit", a.cunit.as_deref());
        self.close(name, o);
    }

    fn error(&mut self, name: &str, e: &CoordError) {
        let o = self.open(name);
        self.double("syser", e.syser);
        self.double("rnder", e.rnder);
        self.close(name, o);
    }

    fn ref_coord(&mut self, name: &str, r: &RefCoord) {
        let o = self.open(name);
        self.double("pix", r.pix);
        self.double("val", r.val);
        self.close(name, o);
    }

    fn coord_2d(&mut self, name: &str, c: &Coord2D) {
        let o = self.open(name);
        self.ref_coord("coord1", &c.coord1);
        self.ref_coord("coord2", &c.coord2);
        self.close(name, o);
    }

    fn value_coord_2d(&mut self, name: &str, c: &ValueCoord2D) {
        let o = self.open(name);
        self.double("coord1", c.coord1);
        self.double("coord2", c.coord2);
        self.close(name, o);
    }

    fn range_1d(&mut self, name: &str, r: &CoordRange1D) {
        let o = self.open(name);
        self.ref_coord("start", &r.start);
        self.ref_coord("end", &r.end);
        self.close(name, o);
    }

    fn coord_axis_1d(&mut self, name: &str, a: &CoordAxis1D) {
        let o = self.open(name);
        self.axis("axis", &a.axis);
        if let Some(e) = &a.error {
            self.error("error", e);
        }
        if let Some(r) = &a.range {
            self.range_1d("range", r);
        }
        if let Some(b) = &a.bounds {
            let bo = self.open("bounds");
            if !b.samples.is_empty() {
                let s = self.open("samples");
                for r in &b.samples {
                    self.range_1d("range", r);
                }
                self.close("samples", s);
            }
            self.close("bounds", bo);
        }
        if let Some(f) = &a.function {
            let fo = self.open("function");
            self.integer("naxis", f.naxis);
            self.double("delta", f.delta);
            self.ref_coord("refCoord", &f.ref_coord);
            self.close("function", fo);
        }
        self.close(name, o);
    }

    fn coord_axis_2d(&mut self, name: &str, a: &CoordAxis2D) {
        let o = self.open(name);
        self.axis("axis1", &a.axis1);
        self.axis("axis2", &a.axis2);
        if let Some(e) = &a.error1 {
            self.error("error1", e);
        }
        if let Some(e) = &a.error2 {
            self.error("error2", e);
        }
        if let Some(r) = &a.range {
            let ro = self.open("range");
            self.coord_2d("start", &r.start);
            self.coord_2d("end", &r.end);
            self.close("range", ro);
        }
        if let Some(b) = &a.bounds {
            let bo = self.open("bounds");
            match b {
                CoordBounds2D::Circle(c) => {
                    let co = self.open("circle");
                    self.value_coord_2d("center", &c.center);
                    self.double("radius", c.radius);
                    self.close("circle", co);
                }
                CoordBounds2D::Polygon(p) => {
                    let po = self.open("polygon");
                    let vo = self.open("vertices");
                    for v in &p.vertices {
                        self.value_coord_2d("vertex", v);
                    }
                    self.close("vertices", vo);
                    self.close("polygon", po);
                }
            }
            self.close("bounds", bo);
        }
        if let Some(f) = &a.function {
            let fo = self.open("function");
            self.dimension("dimension", &f.dimension);
            self.coord_2d("refCoord", &f.ref_coord);
            self.double("cd11", f.cd11);
            self.double("cd12", f.cd12);
            self.double("cd21", f.cd21);
            self.double("cd22", f.cd22);
            self.close("function", fo);
        }
        self.close(name, o);
    }
}

fn entity_attrs(out: &mut String, e: &Entity) {
    let _ = write!(out, " caom2:id=\"{}\"", e.id);
    if let Some(t) = e.last_modified {
        let _ = write!(out, " caom2:lastModified=\"{t}\"");
    }
    if let Some(t) = e.max_last_modified {
        let _ = write!(out, " caom2:maxLastModified=\"{t}\"");
    }
    for (name, value) in [
        ("metaChecksum", &e.meta_checksum),
        ("accMetaChecksum", &e.acc_meta_checksum),
        ("metaProducer", &e.meta_producer),
    ] {
        if let Some(v) = value {
            let _ = write!(out, " caom2:{name}=\"");
            escape_attr(out, v.as_str());
            out.push('"');
        }
    }
}

/// JDOM text escaping: `&`, `<`, `>` and carriage return.
fn escape_text(out: &mut String, s: &str) {
    if !s.contains(['&', '<', '>', '\r']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// JDOM attribute escaping: text escapes plus `"`, tab and line ends.
fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
