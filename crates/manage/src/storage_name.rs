//! [`StorageName`]: one unit of work and the names derived from it.
//!
//! The reference keeps the naming rules in a `StorageName` class with class-level (global)
//! attributes for the collection and schemes; here the collection-wide parts travel in a
//! [`NamingContext`], so one process can serve several collections. A collection builds its
//! own names through [`crate::Collection::storage_name`]; the default rules, used by the
//! generic collection and as a starting point, are [`StorageName::from_entry`]:
//! `file_id` = file name minus `.fits`, `.fz`, `.gz`, `.bz2`, `.header`;
//! `obs_id` = `product_id` = `file_id`; destination URI `<scheme>:<collection>/<file name>`
//! with `.gz`, `.bz2` and `.header` dropped from FITS names; previews `<obs_id>_prev.jpg` and
//! `<obs_id>_prev_256.jpg` under `preview_scheme`.

/// The collection-wide parts of naming (the reference's class attributes).
#[derive(Clone, Debug, PartialEq)]
pub struct NamingContext {
    pub collection: String,
    pub scheme: String,
    pub preview_scheme: String,
}

impl NamingContext {
    pub fn new(collection: &str, scheme: &str, preview_scheme: &str) -> NamingContext {
        NamingContext {
            collection: collection.into(),
            scheme: scheme.into(),
            preview_scheme: preview_scheme.into(),
        }
    }

    /// From config.yml's `collection`, `scheme` and `preview_scheme`.
    pub fn from_config(c: &crate::Config) -> NamingContext {
        NamingContext::new(&c.collection, &c.scheme, &c.preview_scheme)
    }
}

/// One entry of work and every name the pipeline derives from it.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageName {
    /// The entry as listed (todo line, path, URL or URI).
    pub entry: String,
    /// CAOM collection.
    pub collection: String,
    /// The file name (basename of the entry).
    pub file_name: String,
    /// The file name without compression and FITS extensions.
    pub file_id: String,
    /// Observation.observationID.
    pub obs_id: String,
    /// Plane.productID.
    pub product_id: String,
    /// Where the files of this entry come from (paths, URLs or URIs).
    pub source_names: Vec<String>,
    /// Artifact URIs, one per source name.
    pub destination_uris: Vec<String>,
    /// Preview file name and URI.
    pub prev: String,
    pub prev_uri: String,
    /// Thumbnail file name and URI.
    pub thumb: String,
    pub thumb_uri: String,
}

/// Suffixes the default rules strip to make a `file_id`.
pub const STRIPPED_SUFFIXES: &[&str] = &[".header", ".gz", ".bz2", ".fz", ".fits"];

impl StorageName {
    /// The default naming rules for `entry`.
    pub fn from_entry(entry: &str, ctx: &NamingContext) -> StorageName {
        let file_name = file_name_of(entry).to_string();
        let file_id = strip_extensions(&file_name);
        let dest = format!(
            "{}:{}/{}",
            ctx.scheme,
            ctx.collection,
            destination_file_name(&file_name)
        );
        let (prev, thumb) = (
            format!("{file_id}_prev.jpg"),
            format!("{file_id}_prev_256.jpg"),
        );
        let mut sn = StorageName {
            entry: entry.to_string(),
            collection: ctx.collection.clone(),
            file_name,
            obs_id: file_id.clone(),
            product_id: file_id.clone(),
            file_id,
            source_names: vec![entry.to_string()],
            destination_uris: vec![dest],
            prev_uri: String::new(),
            thumb_uri: String::new(),
            prev: String::new(),
            thumb: String::new(),
        };
        sn.set_previews(ctx, prev, thumb);
        sn
    }

    /// Names the preview and thumbnail files, and their URIs in the preview scheme.
    pub fn set_previews(&mut self, ctx: &NamingContext, prev: String, thumb: String) {
        self.prev_uri = format!("{}:{}/{prev}", ctx.preview_scheme, ctx.collection);
        self.thumb_uri = format!("{}:{}/{thumb}", ctx.preview_scheme, ctx.collection);
        self.prev = prev;
        self.thumb = thumb;
    }

    /// The URI of the first (usually only) file.
    pub fn file_uri(&self) -> &str {
        self.destination_uris.first().map_or("", String::as_str)
    }

    /// `<obs_id>.xml`: the per-entry CAOM record in the log directory.
    pub fn model_file_name(&self) -> String {
        format!("{}.xml", self.obs_id)
    }

    /// `<obs_id>.log`: the per-entry log in the log directory.
    pub fn log_file(&self) -> String {
        format!("{}.log", self.obs_id)
    }

    /// `caom:<collection>/<obs_id>`.
    pub fn observation_uri(&self) -> String {
        format!("caom:{}/{}", self.collection, self.obs_id)
    }
}

/// The last path element of a path, URL or URI (`cadc:TEST/x.fits` → `x.fits`).
pub fn file_name_of(entry: &str) -> &str {
    let e = entry.trim_end_matches('/');
    let e = e.split(['?', '#']).next().unwrap_or(e);
    let after_scheme = match e.find(':') {
        Some(i) if !e[..i].contains('/') => &e[i + 1..],
        _ => e,
    };
    after_scheme.rsplit('/').next().unwrap_or(after_scheme)
}

/// The file name minus compression and FITS extensions, repeatedly from the end
/// (`x.fits.fz` → `x`, `x.fits.header` → `x`). The reference replaces these strings anywhere
/// in the name; stripping only suffixes keeps names such as `a.fitsb.fits` intact.
pub fn strip_extensions(file_name: &str) -> String {
    let mut s = file_name;
    loop {
        let before = s.len();
        for suf in STRIPPED_SUFFIXES {
            if s.len() > suf.len() && s.ends_with(suf) {
                s = &s[..s.len() - suf.len()];
            }
        }
        if s.len() == before {
            return s.to_string();
        }
    }
}

/// The name a file is stored under: `.gz`, `.bz2` and `.header` dropped from FITS names
/// (compressed FITS is stored decompressed; a header dump describes the FITS file).
pub fn destination_file_name(file_name: &str) -> String {
    let mut s = file_name.to_string();
    if !s.contains(".fits") {
        return s;
    }
    for suf in [".header", ".gz", ".bz2"] {
        if let Some(stripped) = s.strip_suffix(suf) {
            s = stripped.to_string();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules() {
        let ctx = NamingContext::new("TEST", "cadc", "cadc");
        let sn = StorageName::from_entry("/data/sub/good2.fits.gz", &ctx);
        assert_eq!(sn.file_name, "good2.fits.gz");
        assert_eq!(sn.file_id, "good2");
        assert_eq!(sn.obs_id, "good2");
        assert_eq!(sn.product_id, "good2");
        assert_eq!(sn.file_uri(), "cadc:TEST/good2.fits");
        assert_eq!(sn.prev_uri, "cadc:TEST/good2_prev.jpg");
        assert_eq!(sn.thumb, "good2_prev_256.jpg");
        assert_eq!(sn.model_file_name(), "good2.xml");
        assert_eq!(sn.source_names, vec!["/data/sub/good2.fits.gz"]);
        let sn = StorageName::from_entry("cadc:TEST/x.fits.fz", &ctx);
        assert_eq!(
            (sn.file_id.as_str(), sn.file_uri()),
            ("x", "cadc:TEST/x.fits.fz")
        );
        let sn = StorageName::from_entry("m31.fits.header", &ctx);
        assert_eq!(
            (sn.obs_id.as_str(), sn.file_uri()),
            ("m31", "cadc:TEST/m31.fits")
        );
        let sn = StorageName::from_entry("https://host/a/b/c.h5?x=1", &ctx);
        assert_eq!(
            (sn.file_name.as_str(), sn.file_uri()),
            ("c.h5", "cadc:TEST/c.h5")
        );
        assert_eq!(strip_extensions("a.fitsb.fits"), "a.fitsb");
        assert_eq!(strip_extensions(".fits"), ".fits");
    }
}
