//! OMM file names: what an observation and a plane are, which names are acceptable, and what
//! a suffix says about the file.
//!
//! A file is `C<night>_<exposure or target…>_<SUFFIX>.fits[.gz]`, for example
//! `C170324_0054_SCI.fits.gz` or `C160929_NGC7419_K_SCIRED.fits.gz`:
//!
//! * `product_id` (the plane) is the file name without `.fits`, `.gz`, `.header`;
//! * `obs_id` (the observation) is the product id without its last `_SUFFIX`, so the SCI,
//!   REJECT and SCIRED planes of one exposure or target share an observation;
//! * the artifact is stored as `cadc:OMM/<product_id>.fits` (compressed files are stored
//!   decompressed), and the preview and thumbnail are `<product_id>_prev.jpg` and
//!   `<product_id>_prev_256.jpg`.
//!
//! ```
//! use manage::NamingContext;
//! let ctx = NamingContext::new("OMM", "cadc", "cadc");
//! let n = omm::naming::storage_name("/data/C160929_NGC7419_K_SCIRED.fits.gz", &ctx);
//! assert_eq!(n.obs_id, "C160929_NGC7419_K");
//! assert_eq!(n.product_id, "C160929_NGC7419_K_SCIRED");
//! assert_eq!(n.file_uri(), "cadc:OMM/C160929_NGC7419_K_SCIRED.fits");
//! assert_eq!(omm::naming::Suffix::of(&n.product_id), Some(omm::naming::Suffix::SciRed));
//! assert!(omm::naming::is_valid(&n.product_id));
//! ```

use manage::{NamingContext, StorageName};

/// What the last `_SUFFIX` of a product id says about the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suffix {
    /// `_SCI`: a raw science exposure.
    Sci,
    /// `_CAL`: a raw calibration exposure.
    Cal,
    /// `_FOCUS`: a focus frame.
    Focus,
    /// `_TEST`.
    Test,
    /// `_REJECT`: rejected by the observatory's quality check.
    Reject,
    /// `_SCIRED`: a reduced (stacked) science product, derived from `_SCI` exposures.
    SciRed,
    /// `_CALRED`: a reduced calibration (e.g. a dome flat), derived from `_CAL` exposures.
    CalRed,
}

impl Suffix {
    /// The suffix of `product_id`, if it is one of OMM's.
    pub fn of(product_id: &str) -> Option<Suffix> {
        let (_, s) = product_id.rsplit_once('_')?;
        Some(match s {
            "SCI" => Suffix::Sci,
            "CAL" => Suffix::Cal,
            "FOCUS" => Suffix::Focus,
            "TEST" => Suffix::Test,
            "REJECT" => Suffix::Reject,
            "SCIRED" => Suffix::SciRed,
            "CALRED" => Suffix::CalRed,
            _ => return None,
        })
    }

    /// Reduced products become derived observations with provenance inputs.
    pub fn is_derived(self) -> bool {
        matches!(self, Suffix::SciRed | Suffix::CalRed)
    }
}

/// The observation id of a product id: everything before the last `_`.
pub fn obs_id_of(product_id: &str) -> &str {
    product_id
        .rsplit_once('_')
        .map_or(product_id, |(head, _)| head)
}

/// The names of one OMM entry (a path, URL, URI or todo line).
pub fn storage_name(entry: &str, ctx: &NamingContext) -> StorageName {
    // the product id is the file id and the previews are <product_id>_prev[_256].jpg, as
    // from_entry makes them; only the observation id differs
    let mut sn = StorageName::from_entry(entry, ctx);
    sn.obs_id = obs_id_of(&sn.file_id).to_string();
    sn
}

/// Whether a product id is an acceptable OMM name.
///
/// The reference checks `C[\w+-.]+[SCI|CAL|SCIRED|CALRED|TEST|FOCUS]`, a character class
/// that accepts much more than it seems to: a leading `C`, then word characters, `+`, `-` and
/// `.`, ending in one of the letters of the alternatives. We keep that looseness, so that
/// every file the reference accepted is still accepted, and add its second rule: in reduced
/// products the words "domeflat" and "dark" must be lower case (`C100521_domeflat_K_CALRED`,
/// not `C100521_DOMEFLAT_K_CALRED`), because the archive's users search for them that way.
pub fn is_valid(product_id: &str) -> bool {
    let mut chars = product_id.chars();
    if chars.next() != Some('C') {
        return false;
    }
    let rest: Vec<char> = chars.collect();
    let Some(last) = rest.last() else {
        return false;
    };
    let body_ok = rest
        .iter()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '+' | '-' | '.'));
    if !body_ok || !"SCIALREDTFOU|".contains(*last) {
        return false;
    }
    if Suffix::of(product_id).is_some_and(Suffix::is_derived) {
        for word in ["domeflat", "dark"] {
            if mixed_case_occurrence(product_id, word) {
                return false;
            }
        }
    }
    true
}

/// True when `word` occurs in `text` in any case other than all lower case.
fn mixed_case_occurrence(text: &str, word: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower
        .match_indices(word)
        .any(|(i, _)| &text[i..i + word.len()] != word)
}

/// The observation URI and plane URI of a provenance input named in a header
/// (`IN_00001 = 'S160929_0282.fits.gz'`, `F_ON1 = '/home/cpapir/data/170323/170323_0151.fits.gz'`):
/// the file name without directories and extensions, with the raw files' leading `S` (or
/// none) made the archive's `C`, and the plane suffix given (`_SCI` for science inputs,
/// `_CAL` for calibration inputs). `None` for a value with no file name in it.
pub fn input_names(value: &str, suffix: &str) -> Option<(String, String)> {
    let base = manage::storage_name::file_name_of(value.trim());
    let mut id = base.to_string();
    loop {
        let before = id.len();
        for ext in [".gz", ".fz", ".bz2", ".fits", ".fit"] {
            if let Some(s) = id.strip_suffix(ext) {
                id = s.to_string();
            }
        }
        if id.len() == before {
            break;
        }
    }
    let id = id.trim();
    if id.is_empty() {
        return None;
    }
    let core = id
        .strip_prefix('S')
        .or_else(|| id.strip_prefix('C'))
        .unwrap_or(id);
    let obs = format!("C{core}");
    let product = format!("{obs}{suffix}");
    Some((obs, product))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_every_kind_of_file() {
        let ctx = NamingContext::new("OMM", "cadc", "cadc");
        let cases = [
            (
                "C170324_0054_SCI.fits.header",
                "C170324_0054",
                "C170324_0054_SCI",
            ),
            (
                "/x/C071114_0464_REJECT.fits.gz",
                "C071114_0464",
                "C071114_0464_REJECT",
            ),
            (
                "cadc:OMM/C121121_J024345.57-021326.4_K_SCIRED.fits",
                "C121121_J024345.57-021326.4_K",
                "C121121_J024345.57-021326.4_K_SCIRED",
            ),
            (
                "C200215_J0345+3159_K_SCIRED.fits.gz",
                "C200215_J0345+3159_K",
                "C200215_J0345+3159_K_SCIRED",
            ),
            (
                "C120902_sh2-132_J_old_SCIRED.fits",
                "C120902_sh2-132_J_old",
                "C120902_sh2-132_J_old_SCIRED",
            ),
        ];
        for (entry, obs, product) in cases {
            let sn = storage_name(entry, &ctx);
            assert_eq!((sn.obs_id.as_str(), sn.product_id.as_str()), (obs, product));
            assert_eq!(sn.file_uri(), format!("cadc:OMM/{product}.fits"));
            assert_eq!(sn.prev_uri, format!("cadc:OMM/{product}_prev.jpg"));
            assert_eq!(sn.thumb, format!("{product}_prev_256.jpg"));
            assert!(is_valid(&sn.product_id), "{entry}");
        }
    }

    #[test]
    fn suffixes() {
        assert_eq!(Suffix::of("C1_0001_REJECT"), Some(Suffix::Reject));
        assert_eq!(Suffix::of("C1_domeflat_K_CALRED"), Some(Suffix::CalRed));
        assert!(Suffix::SciRed.is_derived() && !Suffix::Sci.is_derived());
        assert_eq!(Suffix::of("C1_0001_XYZ"), None);
        assert_eq!(Suffix::of("C10001"), None);
    }

    #[test]
    fn validity_keeps_the_reference_looseness_and_the_case_rule() {
        assert!(is_valid("C170324_0054_SCI"));
        assert!(is_valid("C100521_domeflat_K_CALRED"));
        assert!(is_valid("C100521_dark_K_CALRED"));
        assert!(!is_valid("C100521_DOMEFLAT_K_CALRED"));
        assert!(!is_valid("C100521_Domeflat_K_CALRED"));
        assert!(!is_valid("C100521_DARK_K_SCIRED"));
        // only reduced products are held to the case rule
        assert!(is_valid("C100521_DARK_0001_CAL"));
        assert!(!is_valid("S170324_0054_SCI"));
        assert!(!is_valid("C170324_0054_SCI.fits"));
        assert!(!is_valid("C170324 0054_SCI"));
        assert!(!is_valid("C"));
        assert!(!is_valid("C170324_0054_XYZ"));
    }

    #[test]
    fn provenance_input_names() {
        let sci = |v| input_names(v, "_SCI");
        assert_eq!(
            sci("S160929_0282.fits.gz"),
            Some(("C160929_0282".into(), "C160929_0282_SCI".into()))
        );
        assert_eq!(
            sci("S/data/cpapir/data/200215/200215_0263.fits.fits.gz").map(|x| x.1),
            Some("C200215_0263_SCI".into())
        );
        assert_eq!(
            input_names("/home/cpapir/data/170323/170323_0151.fits.gz", "_CAL").map(|x| x.0),
            Some("C170323_0151".into())
        );
        assert_eq!(
            input_names("120402_0715.fits.gz", "_CAL").map(|x| x.1),
            Some("C120402_0715_CAL".into())
        );
        assert_eq!(sci("  "), None);
    }
}
