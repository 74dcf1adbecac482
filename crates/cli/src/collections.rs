//! The collection table: every collection plugin this binary knows, by name. `collection:` in
//! config.yml (or `--collection`) picks one; a name that is not here gets the generic
//! collection (file-name naming plus the YAML blueprint of `blueprint:`).
//!
//! A collection crate registers itself with one line here, e.g.
//! `r.register("OMM", omm::collection);`.

use manage::{Collection, Config, Registry, SetupError};
use std::path::Path;

/// The registry of collection plugins.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.register("OMM", omm::collection);
    r.register("NEOSSAT", neossat::collection);
    r
}

/// The collection for `config`: a registered plugin, or the generic collection with
/// `blueprint` (overriding the config key).
pub fn collection_for(
    config: &Config,
    blueprint: Option<&Path>,
) -> Result<Box<dyn Collection>, SetupError> {
    match registry().get(&config.collection) {
        Some(factory) => factory(config),
        None => Ok(Box::new(execute::generic::from_config(config, blueprint)?)),
    }
}
