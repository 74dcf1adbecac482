//! The generic collection: what `collection:` gets when it names no registered plugin.
//!
//! Naming is the default rules of [`manage::StorageName::from_entry`]: obs id and product id
//! are the file name minus `.fits`, `.fz`, `.gz`, `.bz2`, `.header`. The mapping from headers
//! to CAOM is one meta visitor, the YAML blueprint named by the config key `blueprint:`
//! (or `--blueprint`), so `caom2pipe run` ingests any directory of FITS files or header dumps.
//! With the config key `preview:` it also makes previews and thumbnails (the preview data
//! visitor, in the style `preview:` describes; see `manage::Config::preview`).

use astro::preview_visitor::PreviewVisitor;
use manage::{Collection, PreviewStyle, StorageName, Visitor};

use crate::mapping::BlueprintVisitor;

/// A collection made of the default naming rules, a blueprint mapping and other visitors.
pub struct GenericCollection {
    name: String,
    mapping: Option<BlueprintVisitor>,
    meta: Vec<Box<dyn Visitor>>,
    data: Vec<Box<dyn Visitor>>,
    preview: PreviewStyle,
}

impl GenericCollection {
    /// A generic collection `name` whose meta visitors are `mapping` (when given) followed
    /// by `meta`, and data visitors `data`.
    pub fn new(
        name: &str,
        mapping: Option<BlueprintVisitor>,
        meta: Vec<Box<dyn Visitor>>,
        data: Vec<Box<dyn Visitor>>,
    ) -> GenericCollection {
        GenericCollection {
            name: name.to_string(),
            mapping,
            meta,
            data,
            preview: PreviewStyle::default(),
        }
    }

    /// The collection with previews and thumbnails in `style`: the preview data visitor
    /// is added after the other data visitors.
    pub fn with_previews(mut self, style: PreviewStyle) -> GenericCollection {
        self.data.push(Box::new(PreviewVisitor::new(style.clone())));
        self.preview = style;
        self
    }
}

impl Collection for GenericCollection {
    fn name(&self) -> &str {
        &self.name
    }

    fn blueprint(
        &self,
        name: &StorageName,
        uri: &str,
    ) -> Option<&fits2caom2::blueprint::Blueprint> {
        self.mapping.as_ref()?.blueprint(name, uri)
    }

    fn functions(&self) -> Option<&fits2caom2::functions::Module> {
        self.mapping.as_ref()?.module()
    }

    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        let mut v: Vec<&dyn Visitor> = Vec::new();
        if let Some(m) = &self.mapping {
            v.push(m);
        }
        v.extend(self.meta.iter().map(|v| v.as_ref()));
        v
    }

    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        self.data.iter().map(|v| v.as_ref()).collect()
    }

    fn preview_style(&self) -> PreviewStyle {
        self.preview.clone()
    }
}

/// The generic collection for `config`: default naming, the blueprints of `blueprint:` (or
/// `blueprint`, overriding them) as the only meta visitor, and with `preview:` the preview
/// data visitor. A run that needs no mapping (only store and modify) needs no blueprint.
pub fn from_config(
    config: &manage::Config,
    blueprint: Option<&std::path::Path>,
) -> Result<GenericCollection, manage::SetupError> {
    let collection = without_previews(config, blueprint)?;
    Ok(match &config.preview {
        Some(style) => collection.with_previews(style.clone()),
        None => collection,
    })
}

fn without_previews(
    config: &manage::Config,
    blueprint: Option<&std::path::Path>,
) -> Result<GenericCollection, manage::SetupError> {
    use manage::TaskType;
    let needs_mapping = config
        .task_types
        .iter()
        .any(|t| matches!(t, TaskType::Ingest | TaskType::Visit | TaskType::Scrape));
    let blueprints: Vec<(String, std::path::PathBuf)> = match blueprint {
        Some(b) => vec![("*".to_string(), b.to_path_buf())],
        None => config.blueprint.clone(),
    };
    if blueprints.is_empty() && !needs_mapping {
        // store and modify only: no meta visitors, so no blueprint is needed.
        return Ok(GenericCollection::new(
            &config.collection,
            None,
            Vec::new(),
            Vec::new(),
        ));
    }
    if blueprints.is_empty() {
        return Err(manage::SetupError::new(format!(
            "collection {:?} is not a registered collection and no blueprint is configured (set `blueprint:` in config.yml)",
            config.collection
        )));
    }
    // No function module: the generic collection's blueprints use keywords, literals and
    // defaults.
    let mapping = BlueprintVisitor::load(&blueprints, None)?;
    Ok(GenericCollection::new(
        &config.collection,
        Some(mapping),
        Vec::new(),
        Vec::new(),
    ))
}
