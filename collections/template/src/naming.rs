//! TEMPLATE file names: what an observation and a plane are.
//!
//! Replace the rules in [`storage_name`] with the collection's: here the observation id
//! and the product id are both the file name without `.fits`, `.gz`, `.header` (the
//! default rules), so every file is its own observation. Files that should share an
//! observation need the same `obs_id`; files that should share a plane, the same
//! `product_id`.
//!
//! ```
//! use manage::NamingContext;
//! let n = template::naming::storage_name("/data/obs042.fits.gz", &NamingContext::new("TEMPLATE", "cadc", "cadc"));
//! assert_eq!((n.obs_id.as_str(), n.product_id.as_str()), ("obs042", "obs042"));
//! assert_eq!(n.file_uri(), "cadc:TEMPLATE/obs042.fits");
//! assert!(template::naming::is_valid(&n));
//! ```

use manage::{NamingContext, StorageName};

/// The names of one entry (a path, URL, URI or todo line).
pub fn storage_name(entry: &str, ctx: &NamingContext) -> StorageName {
    let mut sn = StorageName::from_entry(entry, ctx);
    sn.obs_id = sn.file_id.clone();
    sn.product_id = sn.file_id.clone();
    // previews are <file_id>_prev.jpg and <file_id>_prev_256.jpg; other names with
    // sn.set_previews(ctx, preview, thumbnail)
    sn
}

/// Whether a name is acceptable; an invalid entry is rejected (`invalid_file_name`) and
/// not retried.
pub fn is_valid(sn: &StorageName) -> bool {
    !sn.file_id.is_empty() && !sn.file_id.contains(char::is_whitespace)
}
