//! The cards of a header that wcslib's header parser (`wcspih`, primary and alternate WCS,
//! strict keywords plus the few informal ones it always reads) can use. The reference hands
//! wcslib the whole header; wcslib ignores everything else, so passing only these cards gives
//! the same WCS, and spares the lexer the hundreds of instrument keywords of a typical HDU.

use crate::header::Header;

/// Keywords taken as they are (no axis number, no alternate letter).
fn is_exact(k: &str) -> bool {
    matches!(
        k,
        "NAXIS"
            | "RESTFREQ"
            | "EPOCH"
            | "VELREF"
            | "TIMESYS"
            | "TREFPOS"
            | "TREFDIR"
            | "PLEPHEM"
            | "TIMEUNIT"
            | "DATEREF"
            | "MJDREF"
            | "MJDREFI"
            | "MJDREFF"
            | "JDREF"
            | "JDREFI"
            | "JDREFF"
            | "TIMEOFFS"
            | "DATE-OBS"
            | "DATE-BEG"
            | "DATE-AVG"
            | "DATE-END"
            | "MJD-OBS"
            | "MJD-BEG"
            | "MJD-AVG"
            | "MJD-END"
            | "JEPOCH"
            | "BEPOCH"
            | "TSTART"
            | "TSTOP"
            | "XPOSURE"
            | "TELAPSE"
            | "TIMSYER"
            | "TIMRDER"
            | "TIMEDEL"
            | "TIMEPIXR"
            | "OBSGEO-X"
            | "OBSGEO-Y"
            | "OBSGEO-Z"
            | "OBSGEO-L"
            | "OBSGEO-B"
            | "OBSGEO-H"
            | "OBSORBIT"
            | "RADECSYS"
            | "DVERR"
            | "A_ORDER"
            | "B_ORDER"
            | "AP_ORDER"
            | "BP_ORDER"
            | "A_DMAX"
            | "B_DMAX"
    )
}

/// Keywords that may carry an alternate-WCS letter.
fn is_with_alt(k: &str) -> bool {
    matches!(
        k,
        "WCSAXES"
            | "LONPOLE"
            | "LATPOLE"
            | "RESTFRQ"
            | "RESTWAV"
            | "WCSNAME"
            | "RADESYS"
            | "EQUINOX"
            | "SPECSYS"
            | "SSYSOBS"
            | "VELOSYS"
            | "ZSOURCE"
            | "SSYSSRC"
            | "VELANGL"
            | "VSOURCE"
            | "DVERR"
    )
}

/// Prefixes followed by an axis number (and maybe an alternate letter).
const INDEXED: &[&str] = &[
    "CTYPE", "CUNIT", "CRVAL", "CRPIX", "CDELT", "CROTA", "CNAME", "CRDER", "CSYER", "CZPHS",
    "CPERI", "CPDIS", "CQDIS", "CPERR", "CQERR", "DP", "DQ",
];

/// Prefixes followed by `i_j` (and maybe an alternate letter).
const PAIRED: &[&str] = &["PC", "CD", "PV", "PS"];

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Strips a trailing alternate-WCS letter.
fn without_alt(s: &str) -> &str {
    match s.as_bytes().last() {
        Some(b) if b.is_ascii_uppercase() => &s[..s.len() - 1],
        _ => s,
    }
}

/// True for the keywords wcslib's header parser reads.
pub(crate) fn is_wcs_keyword(k: &str) -> bool {
    if k.is_empty() || k.len() > 8 {
        return false;
    }
    if is_exact(k) || is_with_alt(k) || is_with_alt(without_alt(k)) {
        return true;
    }
    match k.as_bytes()[0] {
        b'C' | b'D' | b'P' => {}
        b'A' | b'B' => {
            // SIP polynomial coefficients A_p_q, B_p_q, AP_p_q, BP_p_q
            for p in ["A_", "B_", "AP_", "BP_"] {
                if let Some((i, j)) = k.strip_prefix(p).and_then(|r| r.split_once('_')) {
                    if digits(i) && digits(j) {
                        return true;
                    }
                }
            }
            return false;
        }
        _ => return false,
    }
    for p in INDEXED {
        if let Some(rest) = k.strip_prefix(p) {
            if digits(rest) || digits(without_alt(rest)) {
                return true;
            }
        }
    }
    for p in PAIRED {
        if let Some(rest) = k.strip_prefix(p) {
            if let Some((i, j)) = without_alt(rest).split_once('_') {
                if digits(i) && digits(j) {
                    return true;
                }
            }
        }
    }
    false
}

/// The WCS cards of a header as concatenated 80-character images, in header order. Cards
/// whose keyword is in `written` (upper case) are formatted from their values; the others are
/// passed on as they were read.
pub(crate) fn wcs_card_text(h: &Header, written: &[String]) -> String {
    let mut out = String::with_capacity(64 * 80);
    for c in h.cards() {
        if c.is_commentary() || c.kind == crate::card::CardKind::Hierarch {
            continue;
        }
        if !is_wcs_keyword(&c.keyword) {
            continue;
        }
        match c.read_image() {
            Some(image) if !written.iter().any(|w| w.eq_ignore_ascii_case(&c.keyword)) => {
                let start = out.len();
                out.push_str(image);
                while out.len() - start < 80 {
                    out.push(' ');
                }
            }
            _ => {
                for image in c.images() {
                    out.push_str(&image);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_wcs_keyword;

    /// wcslib reads the same WCS from the filtered cards as from the whole header, for every
    /// HDU of every conformance header dump.
    #[test]
    fn same_wcs_as_the_whole_header() {
        let Some(conf) = testkit::conformance_dir() else {
            return;
        };
        let mut stack = vec![conf.join("fits2caom2")];
        let mut hdus = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if !p.to_string_lossy().ends_with(".fits.header") {
                    continue;
                }
                let Ok(headers) = crate::Headers::read(&p) else {
                    continue;
                };
                for (i, h) in headers.hdus().iter().enumerate() {
                    let opts = wcs::ParseOptions::default();
                    let full = wcs::Wcs::from_header(&h.to_card_string(), &opts);
                    let some = wcs::Wcs::from_header(&super::wcs_card_text(h, &[]), &opts);
                    match (full, some) {
                        (Ok(a), Ok(b)) => assert_eq!(a.info(), b.info(), "{} HDU {i}", p.display()),
                        (Err(a), Err(b)) => assert_eq!(a, b, "{} HDU {i}", p.display()),
                        (a, b) => panic!("{} HDU {i}: {a:?} vs {b:?}", p.display()),
                    }
                    hdus += 1;
                }
            }
        }
        assert!(hdus > 80, "{hdus} HDUs");
    }

    #[test]
    fn recognises_wcs_keywords() {
        for k in [
            "NAXIS", "CTYPE1", "CTYPE12A", "CRVAL3", "CD1_2", "PC2_1A", "PV2_1", "CROTA2",
            "RADESYS", "RADESYSA", "EQUINOX", "EPOCH", "MJD-OBS", "DATE-OBS", "SPECSYS", "DP1",
            "A_ORDER", "A_0_2", "BP_1_1", "RESTFRQ", "RESTFREQ", "WCSAXES", "OBSGEO-X",
        ] {
            assert!(is_wcs_keyword(k), "{k}");
        }
        for k in [
            "NAXIS1", "OBJECT", "EXPTIME", "DATE", "CTYPE", "CD1", "PCOUNT", "BITPIX", "CDELTA",
            "FILTER", "CRVAL1AB",
        ] {
            assert!(!is_wcs_keyword(k), "{k}");
        }
    }
}
