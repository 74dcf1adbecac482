//! Semantic comparison of two observations, with the rules of the reference conformance checker:
//! entity ids, checksums, lastModified/maxLastModified and metaProducer are ignored; doubles
//! are equal when `|a − b| ≤ max(1e-12 · max(|a|, |b|), 1e-11)`; planes, artifacts and parts
//! are matched by productID, URI and name; sets and lists are compared regardless of order.
//! Artifact contentChecksum is ignored and contentLength is ignored unless asked for, because
//! reference expectations often carry values fed back from elsewhere.
//!
//! Paths use the checker's syntax (`planes[p1].artifacts[ad:X/y.fits].parts[0].chunks[0]…`),
//! so a path can be pasted into a mask.

use crate::artifact::{Artifact, Chunk, Part};
use crate::describe::{Describe, Value};
use crate::entity::Entity;
use crate::java;
use crate::observation::Observation;
use crate::plane::Plane;
use std::fmt;

/// What to compare besides the observation's state.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Compare Artifact contentLength.
    pub compare_content: bool,
    /// Compare everything: ids, timestamps, checksums, metaProducer, contentLength and
    /// contentChecksum too, and match chunks by id (for round-trip tests).
    pub exact: bool,
}

impl Options {
    pub fn exact() -> Options {
        Options {
            compare_content: true,
            exact: true,
        }
    }
}

/// One difference, at a path.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub path: String,
    pub detail: Detail,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// Both have the field, with different values.
    Value { expected: String, actual: String },
    /// Only the expected document has it.
    Missing { expected: String },
    /// Only the actual document has it.
    Unexpected { actual: String },
    /// Different classes (e.g. SimpleObservation and DerivedObservation, Polygon and Circle).
    Type { expected: String, actual: String },
    /// Collections of different sizes.
    Count { expected: usize, actual: usize },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Detail::Value { expected, actual } => {
                write!(f, "{}: expected {expected}, actual {actual}", self.path)
            }
            Detail::Missing { expected } => {
                write!(f, "{}: expected {expected}, actual has none", self.path)
            }
            Detail::Unexpected { actual } => {
                write!(f, "{}: not expected, actual has {actual}", self.path)
            }
            Detail::Type { expected, actual } => {
                write!(
                    f,
                    "{}: expected a {expected}, actual is a {actual}",
                    self.path
                )
            }
            Detail::Count { expected, actual } => {
                write!(
                    f,
                    "{}: expected {expected} items, actual has {actual}",
                    self.path
                )
            }
        }
    }
}

/// The differences between two observations; empty when they agree.
pub fn differences(
    expected: &Observation,
    actual: &Observation,
    options: &Options,
) -> Vec<Difference> {
    let mut d = Differ {
        options,
        out: Vec::new(),
    };
    d.observation(expected, actual);
    d.out
}

/// The reference float rule.
pub fn doubles_equal(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    a == b || (a - b).abs() <= (1e-12 * a.abs().max(b.abs())).max(1e-11)
}

struct Differ<'o> {
    options: &'o Options,
    out: Vec<Difference>,
}

fn fields_of<'a>(d: &'a dyn Describe) -> Vec<(&'static str, Option<Value<'a>>)> {
    let mut v = Vec::new();
    d.fields(&mut |name, value| v.push((name, value)));
    v
}

impl Differ<'_> {
    fn push(&mut self, path: &str, detail: Detail) {
        self.out.push(Difference {
            path: path.to_string(),
            detail,
        });
    }

    fn entity(&mut self, path: &str, e: &Entity, a: &Entity, content: bool) {
        if !self.options.exact {
            return;
        }
        let _ = content;
        let pairs: [(&str, String, String); 6] = [
            ("id", e.id.to_string(), a.id.to_string()),
            ("lastModified", opt(&e.last_modified), opt(&a.last_modified)),
            (
                "maxLastModified",
                opt(&e.max_last_modified),
                opt(&a.max_last_modified),
            ),
            ("metaChecksum", opt(&e.meta_checksum), opt(&a.meta_checksum)),
            (
                "accMetaChecksum",
                opt(&e.acc_meta_checksum),
                opt(&a.acc_meta_checksum),
            ),
            ("metaProducer", opt(&e.meta_producer), opt(&a.meta_producer)),
        ];
        for (name, x, y) in pairs {
            if x != y {
                self.push(
                    &format!("{path}.{name}"),
                    Detail::Value {
                        expected: x,
                        actual: y,
                    },
                );
            }
        }
    }

    fn observation(&mut self, e: &Observation, a: &Observation) {
        let path = "Observation";
        if e.class_name() != a.class_name() {
            self.push(
                path,
                Detail::Type {
                    expected: e.class_name().to_string(),
                    actual: a.class_name().to_string(),
                },
            );
        }
        self.entity(path, &e.entity, &a.entity, false);
        self.state(path, e, a, &[]);
        self.keyed(
            "Observation.planes",
            &e.planes,
            &a.planes,
            |p| p.product_id.as_str(),
            |d, path, x, y| d.plane(path, x, y),
        );
    }

    fn plane(&mut self, path: &str, e: &Plane, a: &Plane) {
        self.entity(path, &e.entity, &a.entity, false);
        self.state(path, e, a, &[]);
        self.keyed(
            &format!("{path}.artifacts"),
            &e.artifacts,
            &a.artifacts,
            |x| x.uri.as_str(),
            |d, path, x, y| d.artifact(path, x, y),
        );
    }

    fn artifact(&mut self, path: &str, e: &Artifact, a: &Artifact) {
        self.entity(path, &e.entity, &a.entity, true);
        let ignored: &[&str] = match (self.options.exact, self.options.compare_content) {
            (true, _) => &[],
            (false, true) => &["contentChecksum"],
            (false, false) => &["contentChecksum", "contentLength"],
        };
        self.state(path, e, a, ignored);
        self.keyed(
            &format!("{path}.parts"),
            &e.parts,
            &a.parts,
            |x| x.name.as_str(),
            |d, path, x, y| d.part(path, x, y),
        );
    }

    fn part(&mut self, path: &str, e: &Part, a: &Part) {
        self.entity(path, &e.entity, &a.entity, false);
        self.state(path, e, a, &[]);
        let cpath = format!("{path}.chunks");
        if e.chunks.len() != a.chunks.len() {
            self.push(
                &cpath,
                Detail::Count {
                    expected: e.chunks.len(),
                    actual: a.chunks.len(),
                },
            );
        }
        let pairs = if self.options.exact {
            // chunk order is not kept by writers (Java sorts by id): match by id
            let mut pairs = Vec::new();
            for (i, c) in e.chunks.iter().enumerate() {
                match a.chunks.iter().position(|x| x.entity.id == c.entity.id) {
                    Some(j) => pairs.push((Some(i), Some(j))),
                    None => pairs.push((Some(i), None)),
                }
            }
            for (j, c) in a.chunks.iter().enumerate() {
                if !e.chunks.iter().any(|x| x.entity.id == c.entity.id) {
                    pairs.push((None, Some(j)));
                }
            }
            pairs
        } else {
            let ev: Vec<&dyn Describe> = e.chunks.iter().map(|c| c as &dyn Describe).collect();
            let av: Vec<&dyn Describe> = a.chunks.iter().map(|c| c as &dyn Describe).collect();
            match_items(&ev, &av)
        };
        for (i, j) in pairs {
            match (i, j) {
                (Some(i), Some(j)) => {
                    self.chunk(&format!("{cpath}[{i}]"), &e.chunks[i], &a.chunks[j])
                }
                (Some(i), None) => self.push(
                    &format!("{cpath}[{i}]"),
                    Detail::Missing {
                        expected: "a chunk".into(),
                    },
                ),
                (None, Some(j)) => self.push(
                    &format!("{cpath}[+{j}]"),
                    Detail::Unexpected {
                        actual: "a chunk".into(),
                    },
                ),
                (None, None) => {}
            }
        }
    }

    fn chunk(&mut self, path: &str, e: &Chunk, a: &Chunk) {
        self.entity(path, &e.entity, &a.entity, false);
        self.state(path, e, a, &[]);
    }

    fn keyed<T>(
        &mut self,
        path: &str,
        e: &[T],
        a: &[T],
        key: impl Fn(&T) -> &str,
        mut compare: impl FnMut(&mut Self, &str, &T, &T),
    ) {
        for x in e {
            let k = key(x);
            let p = format!("{path}[{k}]");
            match a.iter().find(|y| key(y) == k) {
                Some(y) => compare(self, &p, x, y),
                None => self.push(
                    &p,
                    Detail::Missing {
                        expected: format!("{}[{k}]", last_segment(path)),
                    },
                ),
            }
        }
        for y in a {
            let k = key(y);
            if !e.iter().any(|x| key(x) == k) {
                self.push(
                    &format!("{path}[{k}]"),
                    Detail::Unexpected {
                        actual: format!("{}[{k}]", last_segment(path)),
                    },
                );
            }
        }
    }

    /// Compares the state fields of two objects of the same class.
    fn state(&mut self, path: &str, e: &dyn Describe, a: &dyn Describe, ignored: &[&str]) {
        let ef = fields_of(e);
        let af = fields_of(a);
        for (name, ev) in &ef {
            if ignored.contains(name) {
                continue;
            }
            let av = af
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.as_ref());
            self.value(&format!("{path}.{name}"), ev.as_ref(), av);
        }
        for (name, av) in &af {
            if !ignored.contains(name) && !ef.iter().any(|(n, _)| n == name) {
                self.value(&format!("{path}.{name}"), None, av.as_ref());
            }
        }
    }

    fn value(&mut self, path: &str, e: Option<&Value<'_>>, a: Option<&Value<'_>>) {
        match (e, a) {
            (None, None) => {}
            (Some(Value::Items(x) | Value::Sequence(x)), None) if x.is_empty() => {}
            (None, Some(Value::Items(y) | Value::Sequence(y))) if y.is_empty() => {}
            (Some(x), None) => self.push(path, Detail::Missing { expected: show(x) }),
            (None, Some(y)) => self.push(path, Detail::Unexpected { actual: show(y) }),
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                if x.class_name() != y.class_name() {
                    self.push(
                        path,
                        Detail::Type {
                            expected: x.class_name().to_string(),
                            actual: y.class_name().to_string(),
                        },
                    );
                } else {
                    self.state(path, *x, *y, &[]);
                }
            }
            (Some(Value::Items(x)), Some(Value::Items(y))) => self.items(path, x, y),
            (Some(Value::Sequence(x)), Some(Value::Sequence(y))) => self.sequence(path, x, y),
            (Some(x), Some(y)) => {
                if !scalars_equal(x, y) {
                    self.push(
                        path,
                        Detail::Value {
                            expected: show(x),
                            actual: show(y),
                        },
                    );
                }
            }
        }
    }

    /// Ordered comparison, position by position.
    fn sequence(&mut self, path: &str, e: &[Value<'_>], a: &[Value<'_>]) {
        if e.len() != a.len() {
            self.push(
                path,
                Detail::Count {
                    expected: e.len(),
                    actual: a.len(),
                },
            );
        }
        for i in 0..e.len().max(a.len()) {
            let p = format!("{path}[{i}]");
            self.value(&p, e.get(i), a.get(i));
        }
    }

    /// Unordered comparison: equal items pair up first, the rest pair with their closest
    /// counterpart, and what remains is missing or unexpected.
    fn items(&mut self, path: &str, e: &[Value<'_>], a: &[Value<'_>]) {
        if e.len() != a.len() {
            self.push(
                path,
                Detail::Count {
                    expected: e.len(),
                    actual: a.len(),
                },
            );
        }
        for (i, j) in match_values(e, a) {
            match (i, j) {
                (Some(i), Some(j)) => self.value(&format!("{path}[{i}]"), Some(&e[i]), Some(&a[j])),
                (Some(i), None) => self.push(
                    &format!("{path}[{i}]"),
                    Detail::Missing {
                        expected: show(&e[i]),
                    },
                ),
                (None, Some(j)) => self.push(
                    &format!("{path}[+{j}]"),
                    Detail::Unexpected {
                        actual: show(&a[j]),
                    },
                ),
                (None, None) => {}
            }
        }
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "none".to_string(), ToString::to_string)
}

fn scalars_equal(x: &Value<'_>, y: &Value<'_>) -> bool {
    match (x, y) {
        (Value::Double(a), Value::Double(b)) => doubles_equal(*a, *b),
        (Value::Str(a) | Value::Term(a), Value::Str(b) | Value::Term(b)) => {
            java::trim(a) == java::trim(b)
        }
        (Value::Uri(a), Value::Uri(b)) => a.as_str() == b.as_str(),
        (Value::Int(a) | Value::IntTerm(a), Value::Int(b) | Value::IntTerm(b)) => a == b,
        (Value::Long(a), Value::Long(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Date(a), Value::Date(b)) => a == b,
        _ => false,
    }
}

/// True when two values have no difference under the rules.
fn values_equal(x: &Value<'_>, y: &Value<'_>) -> bool {
    count_differences(x, y, usize::MAX) == 0
}

/// Differences between two values, counted up to `limit`.
fn count_differences(x: &Value<'_>, y: &Value<'_>, limit: usize) -> usize {
    let options = Options::default();
    let mut d = Differ {
        options: &options,
        out: Vec::new(),
    };
    d.value("", Some(x), Some(y));
    d.out.len().min(limit)
}

fn show(v: &Value<'_>) -> String {
    match v {
        Value::Str(s) | Value::Term(s) => format!("{s:?}"),
        Value::Uri(u) => u.to_string(),
        Value::Double(d) => java::double_to_string(*d),
        Value::Int(i) | Value::IntTerm(i) => i.to_string(),
        Value::Long(l) => l.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Date(t) => t.to_string(),
        Value::Object(o) => format!("a {}", o.class_name()),
        Value::Items(items) | Value::Sequence(items) => format!("{} items", items.len()),
    }
}

/// Pairs items of two unordered collections: (expected index, actual index).
fn match_values(e: &[Value<'_>], a: &[Value<'_>]) -> Vec<(Option<usize>, Option<usize>)> {
    pair_up(
        e.len(),
        a.len(),
        |i, j| values_equal(&e[i], &a[j]),
        |i, j| count_differences(&e[i], &a[j], usize::MAX),
    )
}

fn match_items(e: &[&dyn Describe], a: &[&dyn Describe]) -> Vec<(Option<usize>, Option<usize>)> {
    let cost = |i: usize, j: usize| {
        count_differences(&Value::Object(e[i]), &Value::Object(a[j]), usize::MAX)
    };
    pair_up(e.len(), a.len(), |i, j| cost(i, j) == 0, cost)
}

fn pair_up(
    ne: usize,
    na: usize,
    equal: impl Fn(usize, usize) -> bool,
    cost: impl Fn(usize, usize) -> usize,
) -> Vec<(Option<usize>, Option<usize>)> {
    let mut used = vec![false; na];
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::with_capacity(ne.max(na));
    let mut unmatched = Vec::new();
    for i in 0..ne {
        // the same position first: ordered lists that agree cost one comparison each
        let j = if i < na && !used[i] && equal(i, i) {
            Some(i)
        } else {
            (0..na).find(|&j| !used[j] && equal(i, j))
        };
        match j {
            Some(j) => {
                used[j] = true;
                pairs.push((Some(i), Some(j)));
            }
            None => unmatched.push(i),
        }
    }
    for i in unmatched {
        let best = (0..na).filter(|&j| !used[j]).min_by_key(|&j| cost(i, j));
        match best {
            Some(j) => {
                used[j] = true;
                pairs.push((Some(i), Some(j)));
            }
            None => pairs.push((Some(i), None)),
        }
    }
    for (j, u) in used.iter().enumerate() {
        if !u {
            pairs.push((None, Some(j)));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Point;

    #[test]
    fn float_rule_matches_the_checker() {
        assert!(doubles_equal(1.0, 1.0 + 1e-13));
        assert!(doubles_equal(0.0, 1e-11));
        assert!(!doubles_equal(0.0, 2e-11));
        assert!(doubles_equal(1e6, 1e6 * (1.0 + 9e-13)));
        assert!(!doubles_equal(1e6, 1e6 * (1.0 + 2e-12)));
        assert!(doubles_equal(f64::NAN, f64::NAN));
        assert!(!doubles_equal(f64::NAN, 1.0));
    }

    #[test]
    fn identical_and_reordered_records_agree() {
        let e = crate::sample::complete_observation();
        let mut a = e.clone();
        a.planes.reverse();
        a.planes[0].artifacts.reverse();
        for p in &mut a.planes {
            for art in &mut p.artifacts {
                art.entity.id = uuid::Uuid::new_v4();
                art.content_length = Some(1);
                art.parts[0].chunks.reverse();
            }
        }
        a.entity.meta_checksum = None;
        assert!(differences(&e, &a, &Options::default()).is_empty());
        assert!(!differences(&e, &a, &Options::exact()).is_empty());
    }

    #[test]
    fn differences_name_their_path() {
        let e = crate::sample::complete_observation();
        let mut a = e.clone();
        a.planes[1]
            .energy
            .as_mut()
            .unwrap()
            .bounds
            .as_mut()
            .unwrap()
            .lower *= 1.1;
        a.target.as_mut().unwrap().name = "M 32".into();
        a.planes[0].artifacts[1].parts[0].chunks[1]
            .position
            .as_mut()
            .unwrap()
            .axis
            .function
            .as_mut()
            .unwrap()
            .cd11 = 1.0;
        if let Some(crate::shape::Shape::Polygon(p)) =
            &mut a.planes[0].position.as_mut().unwrap().bounds
        {
            p.points[2] = Point::new(1.0, 2.0);
        }
        let d: Vec<String> = differences(&e, &a, &Options::default())
            .iter()
            .map(|d| d.path.clone())
            .collect();
        assert!(d.contains(&"Observation.target.name".to_string()), "{d:?}");
        assert!(
            d.contains(&"Observation.planes[product-1].energy.bounds.lower".to_string()),
            "{d:?}"
        );
        assert!(
            d.iter().any(|p| p.starts_with("Observation.planes[product-0].artifacts[cadc:TEST/sample-0-1.fits].parts[0].chunks[")
                && p.ends_with("position.axis.function.cd11")),
            "{d:?}"
        );
        assert!(
            d.iter()
                .any(|p| p.starts_with("Observation.planes[product-0].position.bounds.points[")),
            "{d:?}"
        );
        assert_eq!(d.len(), 5, "{d:?}");
    }

    #[test]
    fn missing_and_extra_entities() {
        let e = crate::sample::complete_observation();
        let mut a = e.clone();
        a.planes.pop();
        a.planes[0].artifacts[0].parts[0].chunks.pop();
        let d = differences(&e, &a, &Options::default());
        assert!(d.iter().any(|x| x.path == "Observation.planes[product-1]"
            && matches!(x.detail, Detail::Missing { .. })));
        assert!(d.iter().any(|x| matches!(
            x.detail,
            Detail::Count {
                expected: 2,
                actual: 1
            }
        )));
        let back = differences(&a, &e, &Options::default());
        assert!(back
            .iter()
            .any(|x| matches!(x.detail, Detail::Unexpected { .. })));
    }
}
