//! Conformance cases (`case.yml` of the fits2caom2 and hdf5 suites) as mapping requests, the
//! way `caom2pipe fits2caom2` builds them from check.py's command line.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use fits2caom2::blueprint::{yaml, Blueprint};
use fits2caom2::functions::Registry;
use fits2caom2::legacy;
use fits2caom2::run::{legacy_product_id, Request, Start};
use saphyr::{LoadableYamlNode, Yaml};

/// One case.
#[derive(Clone, Debug)]
pub struct Case {
    pub dir: PathBuf,
    pub id: String,
    pub collection: String,
    pub obs_id: String,
    pub files: Vec<Option<String>>,
    pub uris: Vec<String>,
    pub lineage: Vec<String>,
    pub product_id: Option<String>,
    pub legacy: Option<[String; 3]>,
    pub blueprints: Vec<String>,
    pub module: Option<String>,
    pub in_xml: Option<String>,
    pub expected_xml: Option<String>,
}

fn text(y: &Yaml, key: &str) -> Option<String> {
    y.as_mapping_get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn strings(y: &Yaml, key: &str) -> Vec<String> {
    y.as_mapping_get(key)
        .and_then(|v| v.as_sequence())
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Case {
    pub fn read(case_yml: &Path) -> Case {
        let src = std::fs::read_to_string(case_yml).unwrap();
        let docs = Yaml::load_from_str(&src).unwrap();
        let y = &docs[0];
        let inputs = y
            .as_mapping_get("inputs")
            .and_then(|v| v.as_sequence())
            .cloned()
            .unwrap_or_default();
        let legacy = y.as_mapping_get("legacy").and_then(|l| {
            Some([
                text(l, "config")?,
                text(l, "default")?,
                text(l, "override")?,
            ])
        });
        Case {
            dir: case_yml.parent().unwrap().to_path_buf(),
            id: text(y, "case").unwrap_or_default(),
            collection: text(y, "collection").unwrap_or_default(),
            obs_id: text(y, "obs_id").unwrap_or_default(),
            files: inputs.iter().map(|i| text(i, "file")).collect(),
            uris: inputs
                .iter()
                .map(|i| text(i, "uri").unwrap_or_default())
                .collect(),
            lineage: strings(y, "lineage"),
            product_id: text(y, "product_id"),
            legacy,
            blueprints: strings(y, "blueprints"),
            module: y.as_mapping_get("module").and_then(|m| text(m, "name")),
            in_xml: text(y, "in_xml"),
            expected_xml: text(y, "expected_xml"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The blueprints of the case, as `caom2pipe fits2caom2` loads them.
    pub fn blueprints(&self) -> Vec<Blueprint> {
        if let Some([c, d, o]) = &self.legacy {
            let imp = legacy::import_java(
                Some(&self.path(c)),
                Some(&self.path(d)),
                Some(&self.path(o)),
            )
            .unwrap();
            return vec![imp.blueprint];
        }
        self.blueprints
            .iter()
            .map(|b| {
                let p = self.path(b);
                if b.ends_with(".yml") || b.ends_with(".yaml") {
                    yaml::load_file(p).unwrap()
                } else {
                    legacy::import_blueprint_file(p).unwrap().blueprint
                }
            })
            .collect()
    }

    /// The request check.py's command line makes.
    pub fn request<'a>(&self, blueprints: &'a [Blueprint]) -> Request<'a> {
        let entries: Vec<(String, String)> = if self.legacy.is_some() {
            let uris: Vec<&String> = self.uris.iter().filter(|u| !u.is_empty()).collect();
            uris.iter()
                .map(|u| {
                    let p =
                        legacy_product_id(&blueprints[0], u, self.product_id.as_deref()).unwrap();
                    (p, u.to_string())
                })
                .collect()
        } else {
            self.lineage
                .iter()
                .map(|l| {
                    let (p, u) = l.split_once('/').unwrap();
                    (p.to_string(), u.to_string())
                })
                .collect()
        };
        let start = match &self.in_xml {
            Some(x) => {
                let bytes = std::fs::read(self.path(x)).unwrap();
                Start::Existing(Box::new(caom2::xml::read(&bytes).unwrap()))
            }
            None => Start::New {
                collection: self.collection.clone(),
                observation_id: self.obs_id.clone(),
            },
        };
        Request {
            start,
            blueprints,
            entries,
            locals: self.files.iter().flatten().map(|f| self.path(f)).collect(),
        }
    }
}

/// Every case below `dir`, sorted by id.
pub fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "case.yml") {
                out.push(Case::read(&p));
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The cases the speed figures cover: every fits2caom2 case and the TAOS HDF5 case.
pub fn timed_cases(conformance: &Path) -> Vec<Case> {
    let mut all = cases(&conformance.join("fits2caom2"));
    all.extend(
        cases(&conformance.join("hdf5"))
            .into_iter()
            .filter(|c| c.id.starts_with("taos")),
    );
    all
}

/// The function modules of the examples.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    collection_examples::register(&mut r);
    r
}
