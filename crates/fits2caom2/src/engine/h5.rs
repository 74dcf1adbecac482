//! HDF5 input (the reference's `Hdf5Parser.apply_blueprint_from_file`): the paths of the
//! global plan are read from the file once and their values replace the lookups:
//! `//dataset/field` paths go to the global plan, `/parent/prefix{}/...` paths give one part
//! per matching group (sorted by name; part 0 is the global plan), and bare names are root
//! attributes, read only when the blueprint has no paths at all.

use crate::card::Value;
use crate::functions::FnValue;
use crate::hdf5::{Datum, H5Path, Hdf5Error, Hdf5Source, Resolved as H5Resolved, Target};
use crate::keys::Key;

use super::plan::{Entry, Resolved, Slot};

/// A value as the blueprint stores it: scalars as they are, one-element arrays unwrapped,
/// other arrays as sets of words.
fn datum_value(d: &Datum) -> FnValue {
    match d {
        Datum::Value(v) => FnValue::Scalar(v.clone()),
        Datum::Array(items) if items.len() == 1 => datum_value(&items[0]),
        Datum::Array(items) => FnValue::Set(
            items
                .iter()
                .map(|i| match datum_value(i) {
                    FnValue::Scalar(v) => super::values::py_str_value(&v),
                    FnValue::Set(s) => s.join(" "),
                })
                .collect(),
        ),
        Datum::Compound(fields) => FnValue::Set(fields.iter().map(|(n, _)| n.clone()).collect()),
    }
}

/// Reads the plan's paths from the file into the plan. Returns the number of parts.
pub(crate) fn apply(
    plan: &mut Resolved,
    src: &Hdf5Source,
    root_attrs: &crate::header::Header,
) -> Result<usize, Hdf5Error> {
    // (key, path text) by kind, in plan order
    let mut file_paths: Vec<(Key, String)> = Vec::new();
    let mut part_paths: Vec<(Key, H5Path)> = Vec::new();
    let mut relative: Vec<(Key, String)> = Vec::new();
    let mut attributes: Vec<(Key, String)> = Vec::new();
    for &key in plan.order() {
        let Some(Slot {
            entry: Entry::Lookup(l),
            ..
        }) = plan.global(key)
        else {
            continue;
        };
        for item in &l.items {
            let t = item.text();
            if t.starts_with("//") {
                file_paths.push((key, t.to_string()));
            } else if t.starts_with('/') {
                if t.contains("{}") {
                    part_paths.push((key, H5Path::parse(t)?));
                } else {
                    relative.push((key, t.to_string()));
                }
            } else {
                attributes.push((key, t.to_string()));
            }
        }
    }
    // part names: every group matching one of the `{}` prefixes, sorted
    let mut names: Vec<String> = Vec::new();
    let mut prefixes: Vec<(String, String)> = Vec::new();
    for (_, p) in &part_paths {
        if let Target::PerExtension { parent, prefix, .. } = &p.target {
            if !prefixes.iter().any(|(a, b)| a == parent && b == prefix) {
                prefixes.push((parent.clone(), prefix.clone()));
            }
        }
    }
    for (parent, prefix) in &prefixes {
        for n in src.extension_names(parent, prefix)? {
            let full = if parent.is_empty() {
                n
            } else {
                format!("{parent}/{n}")
            };
            if !names.contains(&full) {
                names.push(full);
            }
        }
    }
    names.sort();
    if prefixes.is_empty() {
        plan.ensure_ext(0);
    } else {
        for i in 0..names.len() {
            plan.ensure_ext(i);
        }
    }
    let set = |plan: &mut Resolved, key: Key, part: usize, v: FnValue| {
        let pos = plan.global(key).and_then(|s| s.pos);
        let slot = Slot {
            entry: Entry::Value(v),
            pos,
        };
        if part == 0 {
            plan.set(key, slot);
        } else {
            plan.set_ext(part, key, slot);
        }
    };
    // a path the file does not have is an error (the reference leaves the key without a
    // value and says nothing)
    let found = |r: Result<H5Resolved, Hdf5Error>| r.map(Some);
    if file_paths.is_empty() && part_paths.is_empty() && relative.is_empty() {
        for (key, name) in attributes {
            if let Some(v) = root_attrs.get(&name) {
                set(plan, key, 0, FnValue::Scalar(v.clone()));
            } else {
                // attributes are like header keywords: a missing one is no value
                match src.resolve(&name) {
                    Ok(H5Resolved::File(d)) => set(plan, key, 0, datum_value(&d)),
                    Ok(_) | Err(Hdf5Error::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        return Ok(plan.extension_count().max(1));
    }
    for (key, path) in file_paths {
        if let Some(H5Resolved::File(d)) = found(src.resolve(&path))? {
            set(plan, key, 0, datum_value(&d));
        }
    }
    for (key, path) in &part_paths {
        if let Some(H5Resolved::PerExtension(list)) = found(src.resolve_path(path))? {
            for (name, d) in list {
                let Target::PerExtension { parent, .. } = &path.target else {
                    continue;
                };
                let full = if parent.is_empty() {
                    name
                } else {
                    format!("{parent}/{name}")
                };
                if let Some(i) = names.iter().position(|n| *n == full) {
                    set(plan, *key, i, datum_value(&d));
                }
            }
        }
    }
    // paths relative to each part
    for (key, path) in relative {
        for (i, part) in names.clone().iter().enumerate() {
            if let Some(H5Resolved::File(d)) = found(src.resolve(&format!("//{part}{path}")))? {
                set(plan, key, i, datum_value(&d));
            }
        }
    }
    // defaults of lookups the file did not answer: every part and the plan get the default
    let unresolved: Vec<(Key, String)> = plan
        .order()
        .iter()
        .filter_map(|&k| match plan.global(k).map(|s| &s.entry) {
            Some(Entry::Lookup(l)) => l
                .default
                .as_ref()
                .filter(|d| !d.is_empty())
                .map(|d| (k, d.clone())),
            _ => None,
        })
        .collect();
    let parts: Vec<usize> = plan.extensions().map(|(h, _)| h).collect();
    for (key, d) in unresolved {
        for &p in &parts {
            plan.set_ext(
                p,
                key,
                Slot {
                    entry: Entry::Value(FnValue::Scalar(Value::String(d.clone()))),
                    pos: None,
                },
            );
        }
        set(plan, key, 0, FnValue::Scalar(Value::String(d)));
    }
    Ok(plan.extension_count().max(1))
}
