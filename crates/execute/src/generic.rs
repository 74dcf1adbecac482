//! The generic collection: what `collection:` gets when it names no registered plugin.
//!
//! Naming is the default rules of [`manage::StorageName::from_entry`]: obs id and product id
//! are the file name minus `.fits`, `.fz`, `.gz`, `.bz2`, `.header`. The mapping from headers
//! to CAOM is one meta visitor, the YAML blueprint named by the config key `blueprint:`
//! (or `--blueprint`), so `caom2pipe run` ingests any directory of FITS files or header dumps.

use manage::{Collection, Visitor};

/// A collection made of the default naming rules and a mapping visitor.
pub struct GenericCollection {
    name: String,
    meta: Vec<Box<dyn Visitor>>,
    data: Vec<Box<dyn Visitor>>,
}

impl GenericCollection {
    /// A generic collection `name` whose meta visitors are `meta` (the blueprint mapping
    /// first) and data visitors `data`.
    pub fn new(
        name: &str,
        meta: Vec<Box<dyn Visitor>>,
        data: Vec<Box<dyn Visitor>>,
    ) -> GenericCollection {
        GenericCollection {
            name: name.to_string(),
            meta,
            data,
        }
    }
}

impl Collection for GenericCollection {
    fn name(&self) -> &str {
        &self.name
    }

    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        self.meta.iter().map(|v| v.as_ref()).collect()
    }

    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        self.data.iter().map(|v| v.as_ref()).collect()
    }
}

/// The meta visitor that applies the YAML blueprint at `path`.
///
/// The mapping engine of `fits2caom2` is not available yet; until it is, generic collections
/// cannot map headers and say so when they are set up.
pub fn blueprint_visitor(path: &std::path::Path) -> Result<Box<dyn Visitor>, manage::SetupError> {
    Err(manage::SetupError::new(format!(
        "{}: the blueprint mapping engine (crates/fits2caom2) is not part of this build yet, so the generic collection cannot map headers",
        path.display()
    )))
}

/// The generic collection for `config`: default naming, the blueprint named by
/// `blueprint:` (or `blueprint`, overriding it) as the only meta visitor. A run that needs no
/// mapping (only store and modify) needs no blueprint.
pub fn from_config(
    config: &manage::Config,
    blueprint: Option<&std::path::Path>,
) -> Result<GenericCollection, manage::SetupError> {
    use manage::TaskType;
    let needs_mapping = config
        .task_types
        .iter()
        .any(|t| matches!(t, TaskType::Ingest | TaskType::Visit | TaskType::Scrape));
    let path = blueprint.or(config.blueprint.as_deref());
    if path.is_none() && !needs_mapping {
        // store and modify only: no meta visitors, so no blueprint is needed.
        return Ok(GenericCollection::new(
            &config.collection,
            Vec::new(),
            Vec::new(),
        ));
    }
    let path = path.ok_or_else(|| {
        manage::SetupError::new(format!(
            "collection {:?} is not a registered collection and no blueprint is configured (set `blueprint:` in config.yml)",
            config.collection
        ))
    })?;
    let mapping = blueprint_visitor(path)?;
    Ok(GenericCollection::new(
        &config.collection,
        vec![mapping],
        Vec::new(),
    ))
}
