//! OMM: the Observatoire du Mont-Mégantic's CPAPIR near-infrared camera, as a collection
//! plugin (the Rust counterpart of `opencadc/omm2caom2`).
//!
//! | piece | where | what |
//! |---|---|---|
//! | naming | [`naming`] | obs id = file id minus its last `_SUFFIX`, product id = file id; validity; input names |
//! | blueprint | `blueprints/omm/omm.yml` (embedded; `blueprint:` in config.yml replaces it) | every one-keyword value |
//! | functions | [`functions`] (module `omm`) | values that need a rule: types, intent, levels, release date, … |
//! | update | [`update`] | telescope position, chunk energy and time, junk and REJECT, derived products |
//! | clean-up | [`cleanup`] | keeps the newest of several planes of one exposure (needs storage) |
//! | previews | [`manage::PreviewStyle::omm`] | zscale, power 3, inverted gray, JPEG, release `data` |
//! | footprints | [`astro::visitor::FootprintVisitor`] | the illuminated pixels' outline into the chunk bounds |
//!
//! Meta visitors: blueprint mapping, update, clean-up. Data visitors: preview, footprint.
//! `caom2pipe run` then computes the plane metadata.
//!
//! ```
//! use manage::{Config, NamingContext};
//! let config = Config::defaults(std::path::Path::new("/wd"));
//! let omm = omm::collection(&config).unwrap();
//! let sn = omm.storage_name("C170324_0054_SCI.fits.gz", &NamingContext::new("OMM", "cadc", "cadc")).unwrap();
//! assert_eq!((sn.obs_id.as_str(), sn.product_id.as_str()), ("C170324_0054", "C170324_0054_SCI"));
//! assert!(omm.is_valid(&sn));
//! assert_eq!(omm.meta_visitors().len(), 3);
//! assert_eq!(omm.data_visitors().len(), 2);
//! ```

pub mod cleanup;
pub mod functions;
pub mod naming;
pub mod samples;
pub mod update;

use astro::footprint::FootprintOptions;
use astro::preview_visitor::PreviewVisitor;
use astro::visitor::FootprintVisitor;
use execute::mapping::BlueprintVisitor;
use fits2caom2::blueprint::Blueprint;
use manage::{
    Collection, Config, EntryError, NamingContext, PreviewStyle, SetupError, StorageName, Visitor,
};

/// The blueprint the binary carries: `blueprints/omm/omm.yml` at build time.
pub const BLUEPRINT: &str = include_str!("../../../blueprints/omm/omm.yml");

/// Where [`BLUEPRINT`] comes from, for messages.
pub const BLUEPRINT_PATH: &str = "blueprints/omm/omm.yml";

/// The OMM collection.
pub struct Omm {
    name: String,
    mapping: BlueprintVisitor,
    update: update::Update,
    cleanup: cleanup::Cleanup,
    preview: PreviewVisitor,
    footprint: FootprintVisitor,
}

/// The OMM collection for `config` (the factory registered under `OMM`). `blueprint:` in
/// config.yml, when given, replaces the embedded blueprint (an astronomer's edited copy);
/// `preview:` replaces the preview style.
pub fn collection(config: &Config) -> Result<Box<dyn Collection>, SetupError> {
    Ok(Box::new(Omm::new(config)?))
}

impl Omm {
    pub fn new(config: &Config) -> Result<Omm, SetupError> {
        let mapping = BlueprintVisitor::embedded_or_configured(
            config,
            BLUEPRINT,
            BLUEPRINT_PATH,
            functions::module(),
        )?;
        let style = config.preview.clone().unwrap_or_else(PreviewStyle::omm);
        Ok(Omm {
            name: config.collection.clone(),
            mapping,
            update: update::Update,
            cleanup: cleanup::Cleanup,
            preview: PreviewVisitor::new(style),
            footprint: FootprintVisitor::new(FootprintOptions::default()),
        })
    }
}

impl Collection for Omm {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> String {
        format!("caom2pipe-omm/{}", env!("CARGO_PKG_VERSION"))
    }

    fn storage_name(&self, entry: &str, ctx: &NamingContext) -> Result<StorageName, EntryError> {
        Ok(naming::storage_name(entry, ctx))
    }

    fn is_valid(&self, name: &StorageName) -> bool {
        naming::is_valid(&name.product_id)
    }

    fn blueprint(&self, name: &StorageName, uri: &str) -> Option<&Blueprint> {
        self.mapping.blueprint(name, uri)
    }

    fn functions(&self) -> Option<&fits2caom2::functions::Module> {
        self.mapping.module()
    }

    fn meta_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.mapping, &self.update, &self.cleanup]
    }

    fn data_visitors(&self) -> Vec<&dyn Visitor> {
        vec![&self.preview, &self.footprint]
    }

    fn preview_style(&self) -> PreviewStyle {
        self.preview.style().clone()
    }
}
