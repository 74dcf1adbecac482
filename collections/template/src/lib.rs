//! TEMPLATE: a collection plugin to copy when adding a collection (the counterpart of
//! `opencadc-metadata-curation/blank2caom2`). README.md, "Adding a collection", walks
//! through it; `collections/omm` and `collections/neossat` are complete examples.
//!
//! | piece | where | what to change |
//! |---|---|---|
//! | naming | [`naming`] | obs id, product id, preview names, validity |
//! | blueprint | `blueprints/template/template.yml` (embedded; `blueprint:` in config.yml replaces it) | every one-keyword value |
//! | functions | [`functions`] (module `template`) | values that need a rule |
//! | update | [`update`] | conditional and n:n rules after the mapping |
//! | data visitors | [`Template::new`] | previews ([`manage::PreviewStyle`]), footprints |
//!
//! ```
//! use manage::{Config, NamingContext};
//! let config = Config::defaults(std::path::Path::new("/wd"));
//! let c = template::collection(&config).unwrap();
//! let sn = c.storage_name("obs042.fits", &NamingContext::new("TEMPLATE", "cadc", "cadc")).unwrap();
//! assert_eq!(sn.obs_id, "obs042");
//! assert_eq!(c.meta_visitors().len(), 2);
//! assert_eq!(c.data_visitors().len(), 1);
//! ```

pub mod functions;
pub mod naming;
pub mod update;

use astro::preview_visitor::PreviewVisitor;
use execute::mapping::BlueprintVisitor;
use fits2caom2::blueprint::Blueprint;
use manage::{
    Collection, Config, EntryError, NamingContext, PreviewStyle, SetupError, StorageName, Visitor,
};

/// The blueprint the binary carries: `blueprints/template/template.yml` at build time.
pub const BLUEPRINT: &str = include_str!("../../../blueprints/template/template.yml");

/// Where [`BLUEPRINT`] comes from, for messages.
pub const BLUEPRINT_PATH: &str = "blueprints/template/template.yml";

/// The collection.
pub struct Template {
    name: String,
    mapping: BlueprintVisitor,
    update: update::Update,
    preview: PreviewVisitor,
}

/// The collection for `config`: the factory to register in `crates/cli/src/collections.rs`.
pub fn collection(config: &Config) -> Result<Box<dyn Collection>, SetupError> {
    Ok(Box::new(Template::new(config)?))
}

impl Template {
    pub fn new(config: &Config) -> Result<Template, SetupError> {
        // the embedded blueprint, unless config.yml names edited copies with `blueprint:`
        let mapping = BlueprintVisitor::embedded_or_configured(
            config,
            BLUEPRINT,
            BLUEPRINT_PATH,
            functions::module(),
        )?;
        // previews in the reference's default style unless config.yml's `preview:` says
        // otherwise; see manage::PreviewStyle for the recipes (zscale, stretches, sizes, ...)
        let style = config.preview.clone().unwrap_or_default();
        Ok(Template {
            name: config.collection.clone(),
            mapping,
            update: update::Update,
            preview: PreviewVisitor::new(style),
        })
    }
}

impl Collection for Template {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> String {
        format!("caom2pipe-template/{}", env!("CARGO_PKG_VERSION"))
    }

    fn storage_name(&self, entry: &str, ctx: &NamingContext) -> Result<StorageName, EntryError> {
        Ok(naming::storage_name(entry, ctx))
    }

    fn is_valid(&self, name: &StorageName) -> bool {
        naming::is_valid(name)
    }

    fn blueprint(&self, name: &StorageName, uri: &str) -> Option<&Blueprint> {
        self.mapping.blueprint(name, uri)
    }

    fn functions(&self) -> Option<&fits2caom2::functions::Module> {
        self.mapping.module()
    }

    /// The blueprint mapping first, then the update step.
    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.mapping, &self.update]
    }

    /// Previews; add `astro::visitor::FootprintVisitor` for footprints (as OMM does).
    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.preview]
    }

    fn preview_style(&self) -> PreviewStyle {
        self.preview.style().clone()
    }
}
