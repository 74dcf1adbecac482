//! NEOSSat file names: `NEOS_SCI_<YYYYDDDhhmmss>[_cor|_cord|_clean].fits[.gz]`.
//!
//! * `obs_id` is the 13-digit time stamp (year, day of year, time of the exposure), so the
//!   raw image and the products made from it share an observation;
//! * `product_id` (the plane) comes from the suffix: `raw` (none), `cor`, `cord` or
//!   `clean`, so an observation has up to four planes;
//! * the artifact is `cadc:NEOSSAT/<file>.fits` (compressed files are stored decompressed);
//!   the preview and thumbnail are `<obs_id>_<product_id>_prev.png` and `…_prev_256.png`.
//!
//! ```
//! use manage::NamingContext;
//! let ctx = NamingContext::new("NEOSSAT", "cadc", "cadc");
//! let n = neossat::naming::storage_name("https://host/2019/213/NEOS_SCI_2019213215700_cord.fits", &ctx);
//! assert_eq!((n.obs_id.as_str(), n.product_id.as_str()), ("2019213215700", "cord"));
//! assert_eq!(n.file_uri(), "cadc:NEOSSAT/NEOS_SCI_2019213215700_cord.fits");
//! assert_eq!(n.prev, "2019213215700_cord_prev.png");
//! ```

use manage::{NamingContext, StorageName};

/// The products of one exposure, by file-name suffix (`raw` has none).
pub const PRODUCTS: &[(&str, &str)] = &[("_clean", "clean"), ("_cord", "cord"), ("_cor", "cor")];

/// The product id of a file id: the suffix's product, or `raw`.
pub fn product_id_of(file_id: &str) -> &'static str {
    PRODUCTS
        .iter()
        .find(|(suffix, _)| file_id.ends_with(suffix))
        .map_or("raw", |(_, p)| p)
}

/// The observation id of a file id: the file id without `NEOS_SCI_` and the product suffix.
pub fn obs_id_of(file_id: &str) -> String {
    let mut id = file_id.strip_prefix("NEOS_SCI_").unwrap_or(file_id);
    for (suffix, _) in PRODUCTS {
        if let Some(s) = id.strip_suffix(suffix) {
            id = s;
            break;
        }
    }
    id.to_string()
}

/// The names of one NEOSSat entry (a path, URL, URI or todo line).
pub fn storage_name(entry: &str, ctx: &NamingContext) -> StorageName {
    let mut sn = StorageName::from_entry(entry, ctx);
    sn.obs_id = obs_id_of(&sn.file_id);
    sn.product_id = product_id_of(&sn.file_id).to_string();
    let stem = format!("{}_{}", sn.obs_id, sn.product_id);
    sn.set_previews(
        ctx,
        format!("{stem}_prev.png"),
        format!("{stem}_prev_256.png"),
    );
    sn
}

/// Whether the file is a processed product (anything but `raw`): calibration level 2.
pub fn is_processed(uri: &str) -> bool {
    uri.contains("clean") || uri.contains("cor")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product() {
        let ctx = NamingContext::new("NEOSSAT", "cadc", "cadc");
        for (entry, product) in [
            ("NEOS_SCI_2019213173800.fits.header", "raw"),
            ("/data/NEOS_SCI_2019213173800_cor.fits.gz", "cor"),
            ("NEOS_SCI_2019213173800_cord.fits", "cord"),
            ("cadc:NEOSSAT/NEOS_SCI_2019213173800_clean.fits", "clean"),
        ] {
            let sn = storage_name(entry, &ctx);
            assert_eq!(sn.obs_id, "2019213173800", "{entry}");
            assert_eq!(sn.product_id, product, "{entry}");
            assert!(sn
                .file_uri()
                .starts_with("cadc:NEOSSAT/NEOS_SCI_2019213173800"));
            assert!(sn.file_uri().ends_with(".fits"));
            assert_eq!(sn.thumb, format!("2019213173800_{product}_prev_256.png"));
            assert_eq!(
                sn.thumb_uri,
                format!("cadc:NEOSSAT/2019213173800_{product}_prev_256.png")
            );
        }
        assert!(is_processed(
            "cadc:NEOSSAT/NEOS_SCI_2019213173800_cord.fits"
        ));
        assert!(!is_processed("cadc:NEOSSAT/NEOS_SCI_2019213173800.fits"));
        // names outside the pattern keep what they have (the reference accepts every name)
        assert_eq!(obs_id_of("other"), "other");
    }
}
