//! The reference vectors of `compute-vectors.json` (outside the repository, next to it in
//! `../shared/reference`): a missing file skips these tests with a notice.
//!
//! Comparison rules of compute.md §12.3: integers, strings, lists of states and bands exact;
//! floats within 1e-12 relative or 1e-9 absolute; polygons as cyclic sequences with the same
//! orientation when the start vertex differs; errors by kind (the Java exception class), with
//! messages compared too where we produce the reference's text.

use crate::compute::{self, position, Failure, PlaneMetadata};
use crate::{frames, hull, time_scale};
use caom2::geometry;
use caom2::*;
use serde_json::Value;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/compute-vectors.json"
);

fn document() -> Option<Value> {
    match std::fs::read_to_string(PATH) {
        Ok(t) => Some(serde_json::from_str(&t).expect("compute-vectors.json parses")),
        Err(e) => {
            eprintln!("notice: {PATH} not readable ({e}); skipping the compute vectors");
            None
        }
    }
}

fn group(doc: &Value, name: &str) -> Vec<Value> {
    doc["groups"][name]
        .as_array()
        .unwrap_or_else(|| panic!("group {name} missing"))
        .clone()
}

/// A number; the strings `NaN` and `inf` stand for what JSON cannot hold (poisoned inputs).
fn num(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) if s == "NaN" => Some(f64::NAN),
        Value::String(s) if s == "inf" => Some(f64::INFINITY),
        _ => v.as_f64(),
    }
}

fn f(v: &Value) -> f64 {
    num(v).unwrap_or_else(|| panic!("not a number: {v}"))
}

fn opt_f(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(num)
}

fn opt_s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Within 1e-12 relative or 1e-9 absolute; with `ASTRO_VECTORS_EXACT=1` in the
/// environment, bit-exact (to see how many values reproduce the reference exactly).
pub fn close(a: f64, b: f64) -> bool {
    static EXACT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let exact = *EXACT.get_or_init(|| std::env::var_os("ASTRO_VECTORS_EXACT").is_some());
    a == b || (!exact && ((a - b).abs() <= 1e-9 || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())))
}

fn close_lon(a: f64, b: f64) -> bool {
    close(a, b) || close((a - b).abs(), 360.0)
}

fn close_opt(a: Option<f64>, e: &Value) -> bool {
    match (a, e.as_f64()) {
        (None, None) => e.is_null(),
        (Some(x), Some(y)) => close(x, y),
        _ => false,
    }
}

// ---- building the model from the vector schema

fn axis(v: &Value) -> Axis {
    Axis::new(v["ctype"].as_str().unwrap_or(""), v["cunit"].as_str())
}

fn ref_coord(v: &Value) -> RefCoord {
    RefCoord::new(f(&v["pix"]), f(&v["val"]))
}

fn range_1d(v: &Value) -> CoordRange1D {
    CoordRange1D {
        start: ref_coord(&v["start"]),
        end: ref_coord(&v["end"]),
    }
}

fn axis_1d(v: &Value) -> CoordAxis1D {
    let mut a = CoordAxis1D::new(axis(&v["axis"]));
    a.range = v.get("range").filter(|x| !x.is_null()).map(range_1d);
    a.bounds = v
        .get("bounds")
        .filter(|x| !x.is_null())
        .map(|b| CoordBounds1D {
            samples: b
                .as_array()
                .expect("samples")
                .iter()
                .map(range_1d)
                .collect(),
        });
    a.function = v
        .get("function")
        .filter(|x| !x.is_null())
        .map(|x| CoordFunction1D {
            naxis: x["naxis"].as_i64().expect("naxis"),
            delta: f(&x["delta"]),
            ref_coord: ref_coord(&x["refCoord"]),
        });
    a
}

fn coord2(v: &Value) -> Coord2D {
    Coord2D {
        coord1: ref_coord(&v["coord1"]),
        coord2: ref_coord(&v["coord2"]),
    }
}

fn axis_2d(a: &Value) -> CoordAxis2D {
    let mut out = CoordAxis2D::new(axis(&a["axis1"]), axis(&a["axis2"]));
    if let Some(r) = a.get("range").filter(|x| !x.is_null()) {
        out.range = Some(CoordRange2D {
            start: coord2(&r["start"]),
            end: coord2(&r["end"]),
        });
    }
    if let Some(b) = a.get("bounds").filter(|x| !x.is_null()) {
        if let Some(c) = b.get("circle") {
            out.bounds = Some(CoordBounds2D::Circle(CoordCircle2D {
                center: ValueCoord2D {
                    coord1: f(&c["center"][0]),
                    coord2: f(&c["center"][1]),
                },
                radius: f(&c["radius"]),
            }));
        } else if let Some(p) = b.get("polygon") {
            out.bounds = Some(CoordBounds2D::Polygon(CoordPolygon2D {
                vertices: p
                    .as_array()
                    .expect("polygon")
                    .iter()
                    .map(|x| ValueCoord2D {
                        coord1: f(&x[0]),
                        coord2: f(&x[1]),
                    })
                    .collect(),
            }));
        }
    }
    if let Some(fun) = a.get("function").filter(|x| !x.is_null()) {
        out.function = Some(CoordFunction2D {
            dimension: Dimension2D {
                naxis1: fun["dimension"][0].as_i64().expect("naxis1"),
                naxis2: fun["dimension"][1].as_i64().expect("naxis2"),
            },
            ref_coord: coord2(&fun["refCoord"]),
            cd11: f(&fun["cd11"]),
            cd12: f(&fun["cd12"]),
            cd21: f(&fun["cd21"]),
            cd22: f(&fun["cd22"]),
        });
    }
    out
}

pub fn spatial(p: &Value) -> SpatialWcs {
    let mut w = SpatialWcs::new(axis_2d(&p["axis"]));
    w.coordsys = opt_s(p, "coordsys");
    w.equinox = opt_f(p, "equinox");
    w.resolution = opt_f(p, "resolution");
    w
}

fn product_type(v: &Value, key: &str) -> Option<ProductType> {
    v.get(key)
        .and_then(Value::as_str)
        .map(|s| ProductType::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")))
}

fn int(v: &Value, key: &str) -> Option<i32> {
    v.get(key).and_then(Value::as_i64).map(|n| n as i32)
}

fn chunk(v: &Value, id: u128) -> Chunk {
    let mut c = Chunk::new();
    c.entity = Entity::with_id(Uuid::from_u128(id));
    c.product_type = product_type(v, "productType");
    c.naxis = int(v, "naxis");
    c.observable_axis = int(v, "observableAxis");
    c.position_axis1 = int(v, "positionAxis1");
    c.position_axis2 = int(v, "positionAxis2");
    c.energy_axis = int(v, "energyAxis");
    c.time_axis = int(v, "timeAxis");
    c.polarization_axis = int(v, "polarizationAxis");
    c.custom_axis = int(v, "customAxis");
    c.observable = v
        .get("observable")
        .filter(|x| !x.is_null())
        .map(|o| ObservableAxis {
            dependent: Slice {
                axis: axis(&o["dependent"]["axis"]),
                bin: o["dependent"]["bin"].as_i64().expect("bin"),
            },
            independent: None,
        });
    c.position = v.get("position").filter(|x| !x.is_null()).map(spatial);
    c.energy = v.get("energy").filter(|x| !x.is_null()).map(|e| {
        let mut w = SpectralWcs::new(axis_1d(&e["axis"]), e["specsys"].as_str().unwrap_or(""));
        w.restwav = opt_f(e, "restwav");
        w.restfrq = opt_f(e, "restfrq");
        w.resolving_power = opt_f(e, "resolvingPower");
        w.bandpass_name = opt_s(e, "bandpassName");
        w.transition = e
            .get("transition")
            .filter(|x| !x.is_null())
            .map(|t| EnergyTransition {
                species: t["species"].as_str().expect("species").into(),
                transition: t["transition"].as_str().expect("transition").into(),
            });
        w
    });
    c.time = v.get("time").filter(|x| !x.is_null()).map(|t| {
        let mut w = TemporalWcs::new(axis_1d(&t["axis"]));
        w.timesys = opt_s(t, "timesys");
        w.mjdref = opt_f(t, "mjdref");
        w.exposure = opt_f(t, "exposure");
        w.resolution = opt_f(t, "resolution");
        w
    });
    c.polarization = v
        .get("polarization")
        .filter(|x| !x.is_null())
        .map(|p| PolarizationWcs {
            axis: axis_1d(&p["axis"]),
        });
    c.custom = v.get("custom").filter(|x| !x.is_null()).map(|p| CustomWcs {
        axis: axis_1d(&p["axis"]),
    });
    c
}

/// The artifacts of a plane vector. Chunk ids increase in list order, so the reference
/// order (signed UUID order) is the listed order.
pub fn artifacts(input: &Value) -> Vec<Artifact> {
    let mut id = 0u128;
    input["artifacts"]
        .as_array()
        .expect("artifacts")
        .iter()
        .map(|a| {
            let uri = Uri::parse(a["uri"].as_str().expect("uri")).expect("artifact uri");
            let pt = product_type(a, "productType").expect("artifact productType");
            let rt = ReleaseType::parse(a["releaseType"].as_str().unwrap_or("data"))
                .expect("releaseType");
            let mut art = Artifact::new(uri, pt, rt);
            for p in a["parts"].as_array().expect("parts") {
                let mut part = Part::new(p["name"].as_str().expect("part name"));
                part.product_type = product_type(p, "productType");
                for c in p["chunks"].as_array().expect("chunks") {
                    id += 1;
                    part.chunks.push(chunk(c, id));
                }
                art.parts.push(part);
            }
            art
        })
        .collect()
}

fn vertex_list(v: &Value) -> MultiPolygon {
    MultiPolygon {
        vertices: v
            .as_array()
            .expect("vertex list")
            .iter()
            .map(|x| {
                let seg = match x[2].as_str() {
                    Some("MOVE") => SegmentType::Move,
                    Some("LINE") => SegmentType::Line,
                    _ => SegmentType::Close,
                };
                Vertex::new(f(&x[0]), f(&x[1]), seg)
            })
            .collect(),
    }
}

// ---- comparisons

/// Compares a failure with `{"error": class, "message": text}`.
fn check_error(got: &Failure, e: &Value, path: &str, bad: &mut Vec<String>) {
    let class = e["error"].as_str().unwrap_or("?");
    if got.kind.java_class() != class {
        bad.push(format!(
            "{path}: error {} ({}) vs {class} ({})",
            got.kind.java_class(),
            got.message,
            e["message"]
        ));
        return;
    }
    if let Some(m) = e["message"].as_str() {
        if !got.message.starts_with(m) {
            bad.push(format!("{path}: message {:?} vs {m:?}", got.message));
        }
    }
}

fn is_error(e: &Value) -> bool {
    e.get("error").is_some() && e.get("message").is_some()
}

fn same_points_cyclic(got: &[Point], want: &[Point]) -> bool {
    let n = got.len();
    if n != want.len() {
        return false;
    }
    (0..n).any(|shift| {
        (0..n).all(|i| {
            let g = got[(i + shift) % n];
            close_lon(g.cval1, want[i].cval1) && close(g.cval2, want[i].cval2)
        })
    })
}

fn points(v: &Value) -> Vec<Point> {
    v.as_array()
        .expect("points")
        .iter()
        .map(|p| Point::new(f(&p[0]), f(&p[1])))
        .collect()
}

fn same_vertices(got: &MultiPolygon, want: &MultiPolygon) -> bool {
    got.vertices.len() == want.vertices.len()
        && got.vertices.iter().zip(&want.vertices).all(|(g, w)| {
            g.segment == w.segment && close_lon(g.cval1, w.cval1) && close(g.cval2, w.cval2)
        })
}

fn check_shape(got: &Option<Shape>, e: &Value, path: &str, bad: &mut Vec<String>) {
    match (got, e) {
        (None, Value::Null) => {}
        (Some(Shape::Polygon(p)), e) if e["type"] == "polygon" => {
            let want = points(&e["points"]);
            let exact = p.points.len() == want.len()
                && p.points
                    .iter()
                    .zip(&want)
                    .all(|(g, w)| close_lon(g.cval1, w.cval1) && close(g.cval2, w.cval2));
            if !exact && !same_points_cyclic(&p.points, &want) {
                bad.push(format!("{path}.points: {:?} vs {want:?}", p.points));
            }
            if !same_vertices(&p.samples, &vertex_list(&e["samples"])) {
                bad.push(format!("{path}.samples: {:?}", p.samples));
            }
            let props = geometry::polygon_properties(&p.points);
            if !close(props.area, f(&e["area"])) {
                bad.push(format!("{path}.area: {} vs {}", props.area, e["area"]));
            }
            let c = &e["center"];
            if !(close_lon(props.center.cval1, f(&c[0])) && close(props.center.cval2, f(&c[1]))) {
                bad.push(format!("{path}.center: {:?} vs {c}", props.center));
            }
            if !close(props.size, f(&e["size"])) {
                bad.push(format!("{path}.size: {} vs {}", props.size, e["size"]));
            }
        }
        (Some(Shape::Circle(c)), e) if e["type"] == "circle" => {
            let ok = close(c.center.cval1, f(&e["center"][0]))
                && close(c.center.cval2, f(&e["center"][1]))
                && close(c.radius, f(&e["radius"]))
                && close(std::f64::consts::PI * c.radius * c.radius, f(&e["area"]))
                && close(2.0 * c.radius, f(&e["size"]));
            if !ok {
                bad.push(format!("{path}: {c:?} vs {e}"));
            }
        }
        (g, e) => bad.push(format!("{path}: {g:?} vs {e}")),
    }
}

fn check_interval(got: &Option<SampledInterval>, e: &Value, path: &str, bad: &mut Vec<String>) {
    match (got, e) {
        (None, Value::Null) => {}
        (Some(s), e) if e.is_object() => {
            let samples = e["samples"].as_array().expect("samples");
            let ok = close(s.lower, f(&e["lower"]))
                && close(s.upper, f(&e["upper"]))
                && s.samples.len() == samples.len()
                && s.samples
                    .iter()
                    .zip(samples)
                    .all(|(g, w)| close(g.lower, f(&w[0])) && close(g.upper, f(&w[1])));
            if !ok {
                bad.push(format!("{path}: {s:?} vs {e}"));
            }
        }
        (g, e) => bad.push(format!("{path}: {g:?} vs {e}")),
    }
}

fn check_eq<T: PartialEq + std::fmt::Debug>(got: T, want: T, path: &str, bad: &mut Vec<String>) {
    if got != want {
        bad.push(format!("{path}: {got:?} vs {want:?}"));
    }
}

fn check_num(got: Option<f64>, e: &Value, path: &str, bad: &mut Vec<String>) {
    if !close_opt(got, e) {
        bad.push(format!("{path}: {got:?} vs {e}"));
    }
}

fn check_plane(m: &PlaneMetadata, e: &Value, bad: &mut Vec<String>) {
    check_eq(
        m.product_type.as_ref().map(|t| t.as_str().to_string()),
        opt_s(e, "chosenProductType"),
        "chosenProductType",
        bad,
    );
    let ep = &e["position"];
    match &m.position {
        Err(f) if is_error(ep) => check_error(f, ep, "position", bad),
        Err(f) => bad.push(format!("position: unexpected error {f}")),
        Ok(_) if is_error(ep) => bad.push(format!("position: expected {ep}")),
        Ok(p) => {
            check_shape(&p.bounds, &ep["bounds"], "position.bounds", bad);
            let dim = p.dimension.map(|d| vec![d.naxis1, d.naxis2]);
            let want = ep["dimension"].as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_i64().expect("dimension"))
                    .collect::<Vec<_>>()
            });
            check_eq(dim, want, "position.dimension", bad);
            check_num(p.resolution, &ep["resolution"], "position.resolution", bad);
            check_num(p.sample_size, &ep["sampleSize"], "position.sampleSize", bad);
            check_eq(
                p.time_dependent,
                ep["timeDependent"].as_bool(),
                "position.timeDependent",
                bad,
            );
        }
    }
    let ee = &e["energy"];
    match &m.energy {
        Err(f) if is_error(ee) => check_error(f, ee, "energy", bad),
        Err(f) => bad.push(format!("energy: unexpected error {f}")),
        Ok(_) if is_error(ee) => bad.push(format!("energy: expected {ee}")),
        Ok(en) => {
            check_interval(&en.bounds, &ee["bounds"], "energy.bounds", bad);
            check_eq(
                en.dimension,
                ee["dimension"].as_i64(),
                "energy.dimension",
                bad,
            );
            check_num(
                en.resolving_power,
                &ee["resolvingPower"],
                "energy.resolvingPower",
                bad,
            );
            check_num(en.sample_size, &ee["sampleSize"], "energy.sampleSize", bad);
            check_eq(
                en.bandpass_name.clone(),
                opt_s(ee, "bandpassName"),
                "energy.bandpassName",
                bad,
            );
            let bands: Vec<&str> = en.energy_bands.iter().map(|b| b.as_str()).collect();
            let want: Vec<&str> = ee["energyBands"]
                .as_array()
                .expect("bands")
                .iter()
                .map(|b| b.as_str().expect("band"))
                .collect();
            check_eq(bands, want, "energy.energyBands", bad);
            check_num(en.restwav, &ee["restwav"], "energy.restwav", bad);
            let t = en
                .transition
                .as_ref()
                .map(|t| (t.species.clone(), t.transition.clone()));
            let want = ee["transition"].as_object().map(|t| {
                (
                    t["species"].as_str().unwrap_or("").to_string(),
                    t["transition"].as_str().unwrap_or("").to_string(),
                )
            });
            check_eq(t, want, "energy.transition", bad);
            check_num(
                compute::energy::freq_width(en),
                &ee["freqWidth"],
                "energy.freqWidth",
                bad,
            );
            check_num(
                compute::energy::freq_sample_size(en),
                &ee["freqSampleSize"],
                "energy.freqSampleSize",
                bad,
            );
        }
    }
    let et = &e["time"];
    match &m.time {
        Err(f) if is_error(et) => check_error(f, et, "time", bad),
        Err(f) => bad.push(format!("time: unexpected error {f}")),
        Ok(_) if is_error(et) => bad.push(format!("time: expected {et}")),
        Ok(t) => {
            check_interval(&t.bounds, &et["bounds"], "time.bounds", bad);
            check_eq(t.dimension, et["dimension"].as_i64(), "time.dimension", bad);
            check_num(t.resolution, &et["resolution"], "time.resolution", bad);
            check_num(t.sample_size, &et["sampleSize"], "time.sampleSize", bad);
            check_num(t.exposure, &et["exposure"], "time.exposure", bad);
        }
    }
    let epol = &e["polarization"];
    match &m.polarization {
        Err(f) if is_error(epol) => check_error(f, epol, "polarization", bad),
        Err(f) => bad.push(format!("polarization: unexpected error {f}")),
        Ok(_) if is_error(epol) => bad.push(format!("polarization: expected {epol}")),
        Ok(p) => {
            let states: Option<Vec<&str>> =
                (!p.states.is_empty()).then(|| p.states.iter().map(|s| s.as_str()).collect());
            let want: Option<Vec<&str>> = epol["states"]
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().expect("state")).collect());
            check_eq(states, want, "polarization.states", bad);
            check_eq(
                p.dimension,
                epol["dimension"].as_i64(),
                "polarization.dimension",
                bad,
            );
        }
    }
    let ec = &e["custom"];
    match &m.custom {
        Err(f) if is_error(ec) => check_error(f, ec, "custom", bad),
        Err(f) => bad.push(format!("custom: unexpected error {f}")),
        Ok(_) if is_error(ec) => bad.push(format!("custom: expected {ec}")),
        Ok(None) if ec.is_null() => {}
        Ok(Some(c)) if ec.is_object() => {
            check_eq(
                Some(c.ctype.clone()),
                opt_s(ec, "ctype"),
                "custom.ctype",
                bad,
            );
            check_interval(&c.bounds, &ec["bounds"], "custom.bounds", bad);
            check_eq(
                c.dimension,
                ec["dimension"].as_i64(),
                "custom.dimension",
                bad,
            );
        }
        Ok(c) => bad.push(format!("custom: {c:?} vs {ec}")),
    }
}

/// Runs `check` over a group, prints `group: passed/total`, and fails listing every miss.
fn run_group(name: &str, check: impl Fn(&Value, &mut Vec<String>)) {
    let Some(doc) = document() else { return };
    let g = group(&doc, name);
    let mut failures = Vec::new();
    for v in &g {
        let id = v["id"].as_str().unwrap_or("?");
        let mut bad = Vec::new();
        // a vector must never panic, whatever it holds
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(v, &mut bad)));
        if r.is_err() {
            bad.push("panicked".into());
        }
        if !bad.is_empty() {
            failures.push(format!("{id}: {bad:#?}"));
        }
    }
    eprintln!(
        "{name}: {} of {} vectors pass",
        g.len() - failures.len(),
        g.len()
    );
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

#[test]
fn plane_vectors() {
    run_group("plane", |v, bad| {
        let arts = artifacts(&v["input"]);
        let m = compute::compute(&arts);
        check_plane(&m, &v["expected"], bad);
    });
}

#[test]
fn merge_into_list_vectors() {
    run_group("merge_into_list", |v, bad| {
        let scale = f(&v["input"]["unionScale"]);
        let mut list = Vec::new();
        for i in v["input"]["intervals"].as_array().expect("intervals") {
            compute::interval::merge_into_list(Interval::new(f(&i[0]), f(&i[1])), &mut list, scale);
        }
        let want: Vec<(f64, f64)> = v["expected"]
            .as_array()
            .expect("list")
            .iter()
            .map(|i| (f(&i[0]), f(&i[1])))
            .collect();
        let got: Vec<(f64, f64)> = list.iter().map(|i| (i.lower, i.upper)).collect();
        // + − × only: bit-exact
        check_eq(got, want, "list", bad);
    });
}

fn parse_band_value(s: &str) -> f64 {
    if s == "Double.MAX_VALUE" {
        return f64::MAX;
    }
    let (v, unit) = s.split_once(' ').expect("value unit");
    caom2::validate::units::to_meters(v.parse().expect("value"), unit).expect("unit")
}

#[test]
fn energy_band_edges_vectors() {
    run_group("energy_band_edges", |v, bad| {
        let band = EnergyBand::parse(v["id"].as_str().expect("id")).expect("band");
        let (lb, ub) = compute::energy::band_edges(band);
        check_eq(lb, f(&v["expected"]["lb"]), "lb", bad);
        check_eq(ub, f(&v["expected"]["ub"]), "ub", bad);
        // the "from"/"to" texts give the same numbers through the converter (ordered)
        let a = parse_band_value(v["input"]["from"].as_str().expect("from"));
        let b = parse_band_value(v["input"]["to"].as_str().expect("to"));
        check_eq((a.min(b), a.max(b)), (lb, ub), "from/to", bad);
    });
}

#[test]
fn energy_band_vectors() {
    run_group("energy_band", |v, bad| {
        let got: Vec<&str> =
            compute::energy::energy_bands(f(&v["input"]["lower"]), f(&v["input"]["upper"]))
                .iter()
                .map(|b| b.as_str())
                .collect();
        let want: Vec<&str> = v["expected"]
            .as_array()
            .expect("bands")
            .iter()
            .map(|b| b.as_str().expect("band"))
            .collect();
        check_eq(got, want, "bands", bad);
    });
}

type Conversion = fn(f64, f64) -> (f64, f64);

#[test]
fn frame_conversion_vectors() {
    run_group("frame_conversion", |v, bad| {
        let (a, b) = (f(&v["input"][0]), f(&v["input"][1]));
        let e = &v["expected"];
        let cases: [(&str, Conversion); 4] = [
            ("gal2fk5", frames::gal2fk5),
            ("fk52gal", frames::fk52gal),
            ("fk425", frames::fk425),
            ("fk524", frames::fk524),
        ];
        for (name, conv) in cases {
            let (x, y) = conv(a, b);
            if !(close_lon(x, f(&e[name][0])) && close(y, f(&e[name][1]))) {
                bad.push(format!("{name}: ({x}, {y}) vs {}", e[name]));
            }
        }
    });
}

#[test]
fn time_scale_vectors() {
    run_group("time_scale", |v, bad| {
        let (mjdref, mjd) = (f(&v["input"]["mjdref"]), f(&v["input"]["mjd"]));
        let e = &v["expected"];
        let tai = time_scale::tai_to_utc(mjdref + time_scale::DJM0, mjd)
            .and_then(|x| x.checked())
            .expect("tai2utc");
        let tt = time_scale::tt_to_utc(mjdref + time_scale::DJM0, mjd)
            .and_then(|x| x.checked())
            .expect("tt2utc");
        for (name, (u1, u2)) in [("tai2utc", tai), ("tt2utc", tt)] {
            let part1 = u1 - time_scale::DJM0;
            if !(close(part1, f(&e[name][0])) && close(u2, f(&e[name][1]))) {
                bad.push(format!("{name}: [{part1}, {u2}] vs {}", e[name]));
            }
            let total = part1 + u2;
            if !close(total, f(&e[format!("{name}_mjd")])) {
                bad.push(format!(
                    "{name}_mjd: {total} vs {}",
                    e[format!("{name}_mjd")]
                ));
            }
        }
        let t = time_scale::tai_mjd_to_utc(mjdref, mjd).unwrap().value;
        check_num(Some(t), &e["tai2utc_mjd"], "tai_mjd_to_utc", bad);
        let t = time_scale::tt_mjd_to_utc(mjdref, mjd).unwrap().value;
        check_num(Some(t), &e["tt2utc_mjd"], "tt_mjd_to_utc", bad);
    });
}

fn check_props(p: &geometry::PolygonProperties, e: &Value, path: &str, bad: &mut Vec<String>) {
    if !close(p.area, f(&e["area"])) {
        bad.push(format!("{path}.area: {} vs {}", p.area, e["area"]));
    }
    let c = &e["center"];
    if !(close_lon(p.center.cval1, f(&c[0])) && close(p.center.cval2, f(&c[1]))) {
        bad.push(format!("{path}.center: {:?} vs {c}", p.center));
    }
    if let Some(ccw) = e.get("ccw").and_then(Value::as_bool) {
        check_eq(p.ccw, ccw, &format!("{path}.ccw"), bad);
    }
    if let Some(msc) = e.get("minimumSpanningCircle") {
        match &p.minimum_spanning_circle {
            Some(m)
                if close_lon(m.center.cval1, f(&msc["center"][0]))
                    && close(m.center.cval2, f(&msc["center"][1]))
                    && close(m.radius, f(&msc["radius"])) => {}
            other => bad.push(format!("{path}.msc: {other:?} vs {msc}")),
        }
    }
}

#[test]
fn to_polygon_native_vectors() {
    run_group("to_polygon_native", |v, bad| {
        let w = spatial(&v["input"]);
        let cs = geometry::infer_coordsys(&w.axis.axis1.ctype, &w.axis.axis2.ctype, None, None);
        let e = &v["expected"];
        match position::native_polygon(&w, cs.swapped_axes) {
            Err(f) if is_error(e) => check_error(&f, e, "error", bad),
            Err(f) => bad.push(format!("unexpected error {f}")),
            Ok(None) if e.is_null() => {}
            Ok(Some(fp)) if !is_error(e) && !e.is_null() => {
                if !same_vertices(&fp.polygon, &vertex_list(&e["vertices"])) {
                    bad.push(format!("vertices: {:?}", fp.polygon));
                }
                check_props(&fp.properties, e, "props", bad);
            }
            Ok(x) => bad.push(format!("{x:?} vs {e}")),
        }
    });
}

#[test]
fn to_polygon_icrs_vectors() {
    run_group("to_polygon_icrs", |v, bad| {
        let w = spatial(&v["input"]);
        let e = &v["expected"];
        match position::icrs_polygon(&w) {
            Err(f) if is_error(e) => check_error(&f, e, "error", bad),
            Err(f) => bad.push(format!("unexpected error {f}")),
            Ok(None) if e.is_null() => {}
            Ok(Some(fp)) if !is_error(e) && !e.is_null() => {
                if !same_vertices(&fp.polygon, &vertex_list(&e["vertices"])) {
                    bad.push(format!("vertices: {:?}", fp.polygon));
                }
                check_props(
                    &fp.native_properties,
                    &e["native_props"],
                    "native_props",
                    bad,
                );
            }
            Ok(x) => bad.push(format!("{x:?} vs {e}")),
        }
    });
}

#[test]
fn convex_hull_vectors() {
    run_group("convex_hull", |v, bad| {
        let composite = vertex_list(&v["input"]);
        let e = &v["expected"];
        match hull::convex_hull(&composite) {
            Err(err) if is_error(e) => {
                let f = Failure {
                    kind: match err {
                        hull::HullError::InvalidPoint(..) => compute::FailureKind::IllegalArgument,
                        hull::HullError::Polygon(_) => compute::FailureKind::Polygon,
                    },
                    message: err.to_string(),
                    chunk: None,
                };
                check_error(&f, e, "error", bad);
            }
            Err(err) => bad.push(format!("unexpected error {err}")),
            Ok(p) => check_shape(&Some(Shape::Polygon(p)), e, "hull", bad),
        }
    });
}

#[test]
fn cag_union_vectors() {
    // The union (java.awt.geom.Area) serves only the reference's disabled concave-hull path
    // (ENABLE_CONCAVE_OUTER = false): plane compute never uses it, and neither do we. What
    // can be checked is the geometry of the expected unions with our polygon properties.
    run_group("cag_union", |v, bad| {
        let u = &v["expected"]["union"];
        let props = geometry::multipolygon_properties(&vertex_list(&u["vertices"]));
        check_props(&props, u, "union", bad);
    });
}

#[test]
fn no_vector_input_panics_anywhere() {
    // every plane input through the whole plane compute, the validator and XML, mutated
    // too: NaN, infinities and zero in every number
    let Some(doc) = document() else { return };
    let planes = group(&doc, "plane");
    let mut runs = 0;
    for v in &planes {
        for poison in [
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(0.0),
            Some(-1e300),
        ] {
            let mut input = v["input"].clone();
            if let Some(p) = poison {
                poison_numbers(&mut input, p);
            }
            let r = std::panic::catch_unwind(|| {
                let arts = artifacts(&input);
                let mut plane = Plane::new("p");
                plane.artifacts = arts;
                let _ = compute::compute_plane(&mut plane);
                let mut obs = Observation::simple("TEST", "x");
                obs.planes.push(plane);
                let _ = caom2::validate::validate(&obs);
                let _ = caom2::xml::write(&obs);
            });
            assert!(r.is_ok(), "{} with {poison:?} panicked", v["id"]);
            runs += 1;
        }
    }
    eprintln!("no panic over {runs} plane inputs (plain and poisoned)");
}

/// Replaces every float (not integers such as naxis) with `x`.
fn poison_numbers(v: &mut Value, x: f64) {
    match v {
        Value::Number(n) if n.is_f64() => {
            // JSON holds no NaN or infinity: those go in as the strings num() reads
            *v = if x.is_nan() {
                Value::String("NaN".into())
            } else if x.is_infinite() {
                Value::String("inf".into())
            } else {
                serde_json::json!(x)
            };
        }
        Value::Array(a) => a.iter_mut().for_each(|e| poison_numbers(e, x)),
        Value::Object(o) => o.values_mut().for_each(|e| poison_numbers(e, x)),
        _ => {}
    }
}
