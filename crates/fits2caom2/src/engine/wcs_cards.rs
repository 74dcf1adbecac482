//! The cards of a header that wcslib's header parser (`wcspih`, primary and alternate WCS,
//! strict keywords plus the few informal ones it always reads) can use. The reference hands
//! wcslib the whole header; wcslib ignores everything else, so passing only these cards gives
//! the same WCS, and spares the lexer the hundreds of instrument keywords of a typical HDU.

use crate::header::Header;

/// Keywords taken as they are (no axis number, no alternate letter).
const EXACT: &[&str] = &[
    "NAXIS", "RESTFREQ", "EPOCH", "VELREF", "TIMESYS", "TREFPOS", "TREFDIR", "PLEPHEM", "TIMEUNIT",
    "DATEREF", "MJDREF", "MJDREFI", "MJDREFF", "JDREF", "JDREFI", "JDREFF", "TIMEOFFS", "DATE-OBS",
    "DATE-BEG", "DATE-AVG", "DATE-END", "MJD-OBS", "MJD-BEG", "MJD-AVG", "MJD-END", "JEPOCH",
    "BEPOCH", "TSTART", "TSTOP", "XPOSURE", "TELAPSE", "TIMSYER", "TIMRDER", "TIMEDEL", "TIMEPIXR",
    "OBSGEO-X", "OBSGEO-Y", "OBSGEO-Z", "OBSGEO-L", "OBSGEO-B", "OBSGEO-H", "OBSORBIT", "RADECSYS",
    "DVERR", "A_ORDER", "B_ORDER", "AP_ORDER", "BP_ORDER", "A_DMAX", "B_DMAX",
];

/// Keywords that may carry an alternate-WCS letter.
const WITH_ALT: &[&str] = &[
    "WCSAXES", "LONPOLE", "LATPOLE", "RESTFRQ", "RESTWAV", "WCSNAME", "RADESYS", "EQUINOX",
    "SPECSYS", "SSYSOBS", "VELOSYS", "ZSOURCE", "SSYSSRC", "VELANGL", "VSOURCE", "DVERR",
];

/// A keyword of at most 8 bytes as a number, for quick set lookups.
fn pack(k: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = k.len().min(8);
    b[..n].copy_from_slice(&k[..n]);
    u64::from_be_bytes(b)
}

/// Hashes a packed keyword with one multiplication: the sets below hold short, trusted keys.
#[derive(Default)]
struct PackedHasher(u64);

impl std::hash::Hasher for PackedHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type PackedSet = std::collections::HashSet<u64, std::hash::BuildHasherDefault<PackedHasher>>;

/// Packed [`EXACT`] ∪ [`WITH_ALT`], and packed [`WITH_ALT`].
fn tables() -> &'static (PackedSet, PackedSet) {
    static TABLES: std::sync::OnceLock<(PackedSet, PackedSet)> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let set = |list: &[&str]| {
            list.iter()
                .map(|k| pack(k.as_bytes()))
                .collect::<PackedSet>()
        };
        let mut all = set(EXACT);
        all.extend(set(WITH_ALT));
        (all, set(WITH_ALT))
    })
}

/// For each first letter `A`–`Z`, bit `n` is set when a keyword of [`EXACT`] or [`WITH_ALT`]
/// (the latter also with an alternate letter after it) has that letter and length `n`.
fn lengths_by_letter() -> &'static [u16; 26] {
    static TABLE: std::sync::OnceLock<[u16; 26]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u16; 26];
        let mut mark = |k: &str, len: usize| {
            if let Some(i) = k.bytes().next().and_then(|b| b.checked_sub(b'A')) {
                if let Some(bits) = table.get_mut(usize::from(i)) {
                    *bits |= 1 << len.min(15);
                }
            }
        };
        for k in EXACT {
            mark(k, k.len());
        }
        for k in WITH_ALT {
            mark(k, k.len());
            mark(k, k.len() + 1);
        }
        table
    })
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
    let (all, with_alt) = tables();
    let first = k.as_bytes()[0];
    // most keywords of a header have a first letter and length no listed keyword has: they
    // skip the set lookups
    let listed = first.is_ascii_uppercase()
        && lengths_by_letter()[usize::from(first - b'A')] & (1 << k.len()) != 0;
    if listed
        && (all.contains(&pack(k.as_bytes()))
            || (k.len() > 1 && with_alt.contains(&pack(without_alt(k).as_bytes()))))
    {
        return true;
    }
    match first {
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
    // The prefixes are all letters and a digit follows them, so the prefix can only be the
    // keyword's whole leading run of letters: one set lookup instead of trying every prefix.
    let letters = k.bytes().take_while(u8::is_ascii_uppercase).count();
    let (prefix, rest) = k.split_at(letters);
    if indexed().contains(&pack(prefix.as_bytes())) && (digits(rest) || digits(without_alt(rest))) {
        return true;
    }
    PAIRED.contains(&prefix)
        && without_alt(rest)
            .split_once('_')
            .is_some_and(|(i, j)| digits(i) && digits(j))
}

/// Packed [`INDEXED`].
fn indexed() -> &'static PackedSet {
    static SET: std::sync::OnceLock<PackedSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| INDEXED.iter().map(|k| pack(k.as_bytes())).collect())
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
                out.push_str(image);
                out.push_str(&BLANKS[image.len().min(80)..]);
            }
            _ => {
                if !render(c, &mut out) {
                    for image in c.images() {
                        out.push_str(&image);
                    }
                }
            }
        }
    }
    out
}

const BLANKS: &str =
    "                                                                                ";

/// Appends the 80-column image of a changed or new standard card, as [`Card::images`] would
/// write it minus the comment (wcslib does not read comments), without its formatting
/// machinery. False (and nothing appended) for what this does not cover: long or non-ASCII
/// strings, complex values, long keywords.
///
/// [`Card::images`]: crate::card::Card::images
fn render(c: &crate::card::Card, out: &mut String) -> bool {
    use crate::card::{format_float, CardKind, Value};
    use std::fmt::Write;
    if c.kind != CardKind::Standard || c.keyword.len() > 8 {
        return false;
    }
    let start = out.len();
    out.push_str(&c.keyword);
    out.push_str(&"        "[c.keyword.len()..]);
    out.push_str("= ");
    let field = out.len();
    let right_aligned = |out: &mut String, text: &str| {
        out.push_str(&BLANKS[..20usize.saturating_sub(text.len())]);
        out.push_str(text);
    };
    match c.value.as_ref().unwrap_or(&Value::Undefined) {
        Value::String(v) => {
            if !v.bytes().all(|b| (b' '..=b'~').contains(&b)) {
                out.truncate(start);
                return false;
            }
            out.push('\'');
            for ch in v.chars() {
                if ch == '\'' {
                    out.push('\'');
                }
                out.push(ch);
            }
            while out.len() - field < 9 {
                out.push(' ');
            }
            out.push('\'');
        }
        Value::Integer(i) => {
            let mut buf = String::new();
            let _ = write!(buf, "{i}");
            right_aligned(out, &buf);
        }
        Value::BigInteger(t) => right_aligned(out, t),
        Value::Float(f) if f.is_finite() => right_aligned(out, &format_float(*f)),
        Value::Float(_) | Value::Undefined => right_aligned(out, ""),
        Value::Logical(b) => right_aligned(out, if *b { "T" } else { "F" }),
        Value::Complex(..) => {
            out.truncate(start);
            return false;
        }
    }
    if out.len() - start > 80 {
        out.truncate(start);
        return false;
    }
    out.push_str(&BLANKS[out.len() - start..]);
    true
}

#[cfg(test)]
mod tests {
    use super::is_wcs_keyword;

    /// The quick renderer gives cards that read back as the same keyword and value as the
    /// general formatter's.
    #[test]
    fn rendered_cards_read_back() {
        use crate::card::{Card, Value};
        let values = [
            Value::String("RA---TAN".into()),
            Value::String("it's".into()),
            Value::String("A".repeat(60)),
            Value::String(String::new()),
            Value::Integer(-42),
            Value::BigInteger("123456789012345678901234567890".into()),
            Value::Float(1e-7),
            Value::Float(123.456),
            Value::Float(-2.5e300),
            Value::Float(f64::NAN),
            Value::Logical(true),
            Value::Undefined,
        ];
        for v in values {
            let card = Card::new("CTYPE1", v.clone(), "a comment");
            let mut out = String::new();
            assert!(super::render(&card, &mut out), "{v:?}");
            assert_eq!(out.len(), 80, "{out}");
            let back = Card::parse(&out).unwrap();
            let general = Card::parse(&card.images()[0]).unwrap();
            assert_eq!(back.keyword, general.keyword);
            assert_eq!(back.value, general.value, "{out}");
        }
        let mut out = String::new();
        let long = Card::new("CTYPE1", Value::String("B".repeat(70)), "");
        assert!(!super::render(&long, &mut out));
        assert!(out.is_empty());
        assert!(!super::render(
            &Card::new("CTYPE1", Value::Complex(1.0, 2.0), ""),
            &mut out
        ));
        assert!(out.is_empty());
    }

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
                    let text = super::wcs_card_text(h, &[]);
                    let full = wcs::Wcs::from_header(&h.to_card_string(), &opts);
                    let some = wcs::Wcs::from_header(&text, &opts);
                    // the filtered cards are mostly read without wcspih: the same again
                    let pih = wcs::Wcs::from_header(&text, &opts.clone().with_wcspih());
                    for other in [&some, &pih] {
                        match (&full, other) {
                            (Ok(a), Ok(b)) => {
                                assert_eq!(a.info(), b.info(), "{} HDU {i}", p.display());
                                assert_eq!(a.fixes(), b.fixes(), "{} HDU {i}", p.display());
                            }
                            (Err(a), Err(b)) => assert_eq!(a, b, "{} HDU {i}", p.display()),
                            (a, b) => panic!("{} HDU {i}: {a:?} vs {b:?}", p.display()),
                        }
                    }
                    hdus += 1;
                }
            }
        }
        assert!(hdus > 80, "{hdus} HDUs");
    }

    #[test]
    fn recognises_wcs_keywords() {
        // every listed keyword, and those taking one with an alternate letter
        for k in super::EXACT.iter().chain(super::WITH_ALT) {
            assert!(is_wcs_keyword(k), "{k}");
        }
        for k in super::WITH_ALT {
            let alt = format!("{k}B");
            assert_eq!(is_wcs_keyword(&alt), alt.len() <= 8, "{alt}");
        }
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

    /// The prefix tests as they were written first (every prefix tried in turn), against
    /// the one-lookup version, on every prefix with many kinds of suffix.
    #[test]
    fn prefix_lookup_agrees_with_trying_every_prefix() {
        use super::{digits, without_alt, INDEXED, PAIRED};
        let reference = |k: &str| {
            INDEXED.iter().any(|p| {
                k.strip_prefix(p)
                    .is_some_and(|rest| digits(rest) || digits(without_alt(rest)))
            }) || PAIRED.iter().any(|p| {
                k.strip_prefix(p).is_some_and(|rest| {
                    without_alt(rest)
                        .split_once('_')
                        .is_some_and(|(i, j)| digits(i) && digits(j))
                })
            })
        };
        let suffixes = [
            "", "1", "12", "1A", "A", "A1", "1_2", "1_2A", "1_", "_2", "1_2_3", "X1", "1a", "a1",
            "ELT1", "YPE1", "1AB", "_",
        ];
        let mut checked = 0;
        for p in INDEXED
            .iter()
            .chain(PAIRED)
            .chain(&["C", "D", "P", "CR", "CDE"])
        {
            for s in suffixes {
                let k = format!("{p}{s}");
                if k.len() > 8 || !matches!(k.as_bytes()[0], b'C' | b'D' | b'P') {
                    continue;
                }
                let (all, with_alt) = super::tables();
                let in_sets = all.contains(&super::pack(k.as_bytes()))
                    || (k.len() > 1 && with_alt.contains(&super::pack(without_alt(&k).as_bytes())));
                assert_eq!(is_wcs_keyword(&k), in_sets || reference(&k), "{k}");
                checked += 1;
            }
        }
        assert!(checked > 300, "{checked}");
    }
}
