//! NEOSSat: the Canadian Space Agency's Near-Earth Object Surveillance Satellite, as a
//! collection plugin (the Rust counterpart of `opencadc/neossat2caom2`).
//!
//! | piece | where | what |
//! |---|---|---|
//! | naming | [`naming`] | obs id = the file's time stamp, product id = raw/cor/cord/clean from the suffix |
//! | blueprint | `blueprints/neossat/neossat.yml` (embedded; `blueprint:` in config.yml replaces it) | every one-keyword value, the position and time WCS through functions |
//! | functions | [`functions`] (module `neossat`) | intent and type from the pointing mode, position from pointing and roll, … |
//! | update | [`update`] | energy band, binary tables as auxiliary parts, no position without pointing |
//! | previews | [`manage::PreviewStyle::neossat`] | DATASEC, log stretch, inverted gray, PNG 1024² and 256², release `meta` |
//!
//! Meta visitors: blueprint mapping, update. Data visitor: preview (no footprint, as in
//! the reference). Files come from the CSA's open-data site: `caom2pipe run --incremental`
//! over its HTTP listing (`data_sources`, `listing_filters: ['NESS|20*', '*', '*']`), or
//! from local directories or a todo list. The files of one exposure are several entries
//! of one observation; observation-level values come from the entry processed last.
//!
//! ```
//! use manage::{Config, NamingContext};
//! let config = Config::defaults(std::path::Path::new("/wd"));
//! let neossat = neossat::collection(&config).unwrap();
//! let sn = neossat.storage_name("NEOS_SCI_2019213215700_clean.fits", &NamingContext::new("NEOSSAT", "cadc", "cadc")).unwrap();
//! assert_eq!((sn.obs_id.as_str(), sn.product_id.as_str()), ("2019213215700", "clean"));
//! assert_eq!(neossat.meta_visitors().len(), 2);
//! assert_eq!(neossat.data_visitors().len(), 1);
//! ```

pub mod functions;
pub mod naming;
pub mod samples;
pub mod update;

use astro::preview_visitor::PreviewVisitor;
use execute::mapping::BlueprintVisitor;
use fits2caom2::blueprint::Blueprint;
use manage::{
    Collection, Config, EntryError, NamingContext, PreviewStyle, SetupError, StorageName, Visitor,
};

/// The blueprint the binary carries: `blueprints/neossat/neossat.yml` at build time.
pub const BLUEPRINT: &str = include_str!("../../../blueprints/neossat/neossat.yml");

/// Where [`BLUEPRINT`] comes from, for messages.
pub const BLUEPRINT_PATH: &str = "blueprints/neossat/neossat.yml";

/// The NEOSSat collection.
pub struct Neossat {
    name: String,
    mapping: BlueprintVisitor,
    update: update::Update,
    preview: PreviewVisitor,
}

/// The NEOSSat collection for `config` (the factory registered under `NEOSSAT`).
/// `blueprint:` in config.yml, when given, replaces the embedded blueprint; `preview:`
/// replaces the preview style.
pub fn collection(config: &Config) -> Result<Box<dyn Collection>, SetupError> {
    Ok(Box::new(Neossat::new(config)?))
}

impl Neossat {
    pub fn new(config: &Config) -> Result<Neossat, SetupError> {
        let mapping = BlueprintVisitor::embedded_or_configured(
            config,
            BLUEPRINT,
            BLUEPRINT_PATH,
            functions::module(),
        )?;
        let style = config.preview.clone().unwrap_or_else(PreviewStyle::neossat);
        Ok(Neossat {
            name: config.collection.clone(),
            mapping,
            update: update::Update,
            preview: PreviewVisitor::new(style),
        })
    }
}

impl Collection for Neossat {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> String {
        format!("caom2pipe-neossat/{}", env!("CARGO_PKG_VERSION"))
    }

    fn storage_name(&self, entry: &str, ctx: &NamingContext) -> Result<StorageName, EntryError> {
        Ok(naming::storage_name(entry, ctx))
    }

    fn blueprint(&self, name: &StorageName, uri: &str) -> Option<&Blueprint> {
        self.mapping.blueprint(name, uri)
    }

    fn functions(&self) -> Option<&fits2caom2::functions::Module> {
        self.mapping.module()
    }

    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.mapping, &self.update]
    }

    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.preview]
    }

    fn preview_style(&self) -> PreviewStyle {
        self.preview.style().clone()
    }
}
