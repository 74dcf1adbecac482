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
