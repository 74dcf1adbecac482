//! Every text header dump in the conformance folder parses with the reference's HDU
//! splitting; spot checks of HDU counts and keywords.

use std::path::{Path, PathBuf};

use fits2caom2::dump::{read_dump, DumpError, DumpStyle};
use fits2caom2::Value;

fn dumps(dir: &Path) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(p) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.to_string_lossy().ends_with(".header") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// HDU counts of the multi-HDU dumps; every other dump holds one HDU.
const MULTI: &[(&str, usize, &str)] = &[
    ("2087482o.fits.header", 41, "cards"),
    ("2087482p.fits.header", 41, "cards"),
    ("1709071p.fits.header", 5, "cards"),
    ("2136164o.fits.header", 2, "cards"),
    ("MegaPipe.080.156.Z.MP9801.weight.fits.header", 2, "cards"),
    ("NEOS_SCI_2020255152013_clean.fits.header", 6, "cards"),
    ("S20230518S0121.fits.header", 13, "markers"),
    ("N20250101M0624.fits.header", 3, "markers"),
];

#[test]
fn every_conformance_dump_parses() {
    let Some(dir) = testkit::conformance_dir() else {
        return;
    };
    let files = dumps(&dir);
    assert!(files.len() > 150, "found only {} dumps", files.len());
    let mut styles = [0usize; 3];
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let result = read_dump(f);
        if name == "HD36486.orig.header" {
            // BRITE's placeholder is empty; the reference test substitutes a header.
            assert!(matches!(result, Err(DumpError::Empty { .. })), "{name}");
            continue;
        }
        let d = result.unwrap_or_else(|e| panic!("{e}"));
        let (expected, style) = MULTI
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|&(_, n, s)| (n, s))
            .unwrap_or((1, ""));
        assert_eq!(d.headers.len(), expected, "{name}");
        match d.style {
            DumpStyle::Cards => styles[0] += 1,
            DumpStyle::FitsHeader { .. } => styles[1] += 1,
            DumpStyle::Markers => styles[2] += 1,
        }
        if style == "markers" {
            assert_eq!(d.style, DumpStyle::Markers, "{name}");
        } else if style == "cards" {
            assert_eq!(d.style, DumpStyle::Cards, "{name}");
        }
        for h in &d.headers {
            assert!(!h.is_empty(), "{name}");
            assert_eq!(h.to_card_string().len() % 80, 0, "{name}");
        }
    }
    // All three styles occur.
    assert!(styles.iter().all(|&n| n > 0), "{styles:?}");
}

fn conformance(rel: &str) -> Option<PathBuf> {
    testkit::conformance_dir().map(|d| d.join(rel))
}

#[test]
fn cfht_megacam_41_hdus() {
    let Some(p) = conformance("fits2caom2/cfht/2087482o/2087482o.fits.header") else {
        return;
    };
    let d = read_dump(&p).unwrap();
    assert_eq!(d.headers.len(), 41);
    let phu = &d.headers[0];
    assert_eq!(phu.get_str("OBJECT"), Some("M42"));
    assert_eq!(phu.get_str("INSTRUME"), Some("MegaPrime"));
    assert_eq!(phu.get_f64("CRVAL1"), Some(83.72583));
    let ext = &d.headers[1];
    assert_eq!(ext.get_str("XTENSION"), Some("BINTABLE"));
    assert_eq!(ext.get_i64("ZNAXIS1"), Some(2112));
    assert_eq!(d.headers[40].get_str("EXTNAME"), Some("ccd39"));
    let total: usize = d.headers.iter().map(|h| h.len()).sum();
    // 16759 lines minus 41 END lines.
    assert_eq!(total, 16759 - 41);
}

#[test]
fn cfht_big_integers_keep_their_text() {
    let Some(p) = conformance("fits2caom2/cfht/1709071p/1709071p.fits.header") else {
        return;
    };
    let d = read_dump(&p).unwrap();
    assert_eq!(
        d.headers[0].get("QID"),
        Some(&Value::BigInteger("55200500000000038461".into()))
    );
}

#[test]
fn gemini_markers() {
    let Some(p) = conformance("fits2caom2/gemini/S20230518S0121/S20230518S0121.fits.header") else {
        return;
    };
    let d = read_dump(&p).unwrap();
    assert_eq!(d.style, DumpStyle::Markers);
    assert_eq!(d.headers.len(), 13);
    assert_eq!(d.headers[0].get_str("INSTRUME"), Some("GHOST"));
    assert_eq!(d.headers[0].get_str("OBJECT"), Some("CD-38 245"));
    assert_eq!(d.headers[0].comments().count(), 2);
    assert_eq!(d.headers[1].get_str("CAMERA"), Some("SLITV"));
    assert_eq!(d.headers[1].get_f64("BZERO"), Some(32768.0));
    assert_eq!(d.headers[12].get_str("EXTNAME"), Some("SCI"));
}

#[test]
fn fitsheader_style_collapses_like_the_reference() {
    let Some(p) =
        conformance("collections/neossat/2019213173800/NEOS_SCI_2019213173800.fits.header")
    else {
        return;
    };
    let d = read_dump(&p).unwrap();
    assert_eq!(d.style, DumpStyle::FitsHeader { sections: 6 });
    assert_eq!(d.headers.len(), 1);
    // Keywords of later HDUs are in the one header, after the primary's.
    assert!(d.headers[0].get_all("XTENSION").count() >= 5);
    assert_eq!(d.headers[0].get_f64("AEXPTIME"), Some(40.0098));
}

#[test]
fn dao_sky_camera_non_standard_card() {
    let Some(p) =
        conformance("collections/dao/a2020_06_17_07_00_01/a2020_06_17_07_00_01.fits.header")
    else {
        return;
    };
    let d = read_dump(&p).unwrap();
    let h = &d.headers[0];
    // astropy keeps `DETECTOR='…'` (no blank after '=') as an invalid card whose value is
    // the raw text.
    let v = h.get_str("DETECTOR").unwrap();
    assert!(v.starts_with("='Manta_G-125B'"), "{v}");
    assert_eq!(h.get_f64("EXPTIME"), Some(5.0));
    assert_eq!(h.get_f64("CLOCKVAL"), Some(1592377201.125));
}

#[test]
fn omm_dump_without_end() {
    let Some(p) = conformance(
        "collections/omm/C100521_domeflat_K_CALRED/C100521_domeflat_K_CALRED.fits.header",
    ) else {
        return;
    };
    let d = read_dump(&p).unwrap();
    assert_eq!(d.headers.len(), 1);
    assert_eq!(d.headers[0].get_str("DATATYPE"), Some("CALRED"));
    assert_eq!(d.headers[0].get_str("F_OFF11"), Some("100521_0300.fits.gz"));
}

#[test]
fn bad_dumps_name_file_hdu_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let p = write(
        "truncated.fits.header",
        b"SIMPLE  = T\nEND\nXTENSION= 'IMAGE'\nNAXIS   = 2\nNAXIS1  = 20",
    );
    let e = read_dump(&p).unwrap_err().to_string();
    assert!(
        e.contains("truncated.fits.header") && e.contains("HDU 1") && e.contains("no END"),
        "{e}"
    );

    let p = write(
        "latin1.fits.header",
        b"SIMPLE  = T\nOBSERVER= 'Ren\xe9'\nEND\n",
    );
    let e = read_dump(&p).unwrap_err().to_string();
    assert!(
        e.contains("latin1.fits.header: HDU 0, line 2, column 15"),
        "{e}"
    );

    let p = write(
        "junk.fits.header",
        b"SIMPLE  = T\nEND\nXTENSION= 'IMAGE'\nGAIN    = 1.5 e-/ADU\nEND\n",
    );
    let e = read_dump(&p).unwrap_err().to_string();
    assert!(
        e.contains("junk.fits.header: HDU 1, line 4, keyword \"GAIN\""),
        "{e}"
    );

    let p = write(
        "long.fits.header",
        format!("SIMPLE  = T\nX       = 1 / {}\nEND\n", "c".repeat(90)).as_bytes(),
    );
    let e = read_dump(&p).unwrap_err().to_string();
    assert!(e.contains("HDU 0, line 2") && e.contains("long"), "{e}");

    let e = read_dump(dir.path().join("missing.header"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.header"), "{e}");
}
