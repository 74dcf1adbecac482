//! The records reader (records.rs) against wcspih: generated headers of the keywords it
//! takes, in their plain and not-so-plain forms, mixed with keywords it leaves to wcspih and
//! with non-WCS cards, must give exactly what wcspih gives — the same values after the fixes
//! and wcsset (all of wcsprt's report, pointers aside), the same fix reports and rejected
//! keywords, or the same error.

use std::ffi::{c_int, CStr};

use crate::ffi;
use crate::header::WCSPRINTF;
use crate::*;

unsafe extern "C" {
    fn wcsprt(wcs: *const ffi::wcsprm) -> c_int;
}

/// wcsprt()'s report with addresses blanked.
fn report(w: &Wcs) -> String {
    let _guard = WCSPRINTF.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the lock serialises the wcsprintf globals; w is set up and not shared.
    let text = unsafe {
        ffi::wcsprintf_set(std::ptr::null_mut());
        wcsprt(w.raw());
        CStr::from_ptr(ffi::wcsprintf_buf())
            .to_string_lossy()
            .into_owned()
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const CTYPES: &[&str] = &[
    "RA---TAN",
    "DEC--TAN",
    "GLON-CAR",
    "GLAT-CAR",
    "RA---SIN",
    "DEC--SIN",
    "RA---NCP",
    "DEC--NCP",
    "RA---TPV",
    "DEC--TPV",
    "ELON-AIT",
    "ELAT-AIT",
    "FREQ",
    "WAVE",
    "VRAD",
    "VOPT",
    "WAVE-F2W",
    "FREQ-W2F",
    "VELO-LSR",
    "FELO-HEL",
    "VELO-HEL",
    "STOKES",
    "TIME",
    "UTC",
    "RA",
    "DEC",
    "LINEAR",
    "",
    "  RA---TAN",
    "RA---XYZ",
    "CUBEFACE",
    "RA---CSC",
    "DEC--CSC",
    "RA---TAN  ",
    "FREQ    ",
    "VELO-LSR ",
];
const CUNITS: &[&str] = &[
    "deg",
    "Angstrom",
    "nm",
    "m",
    "MHz",
    "Hz",
    "km/s",
    "m/s",
    "s",
    "d",
    "",
    "DEG",
    "HZ",
    "um",
    "ANGSTROM",
    "foo",
    "  deg",
    "arcsec",
    "KM/S",
    "Jy/beam",
    "deg     ",
    "Angstrom  ",
    "m/s ",
];
const STRINGS: &[&str] = &[
    "FK5",
    "FK4",
    "ICRS",
    "GAPPT",
    "TOPOCENT",
    "BARYCENT",
    "LSRK",
    "UTC",
    "TAI",
    "TT",
    "",
    "2020-01-01",
    "2020-01-01T12:34:56.7",
    "01/02/98",
    "2001-13-45",
    "it's",
    "  x",
    "junk",
    "ICRS    ",
    "FK5     ",
    "UTC ",
    "TOPOCENT  ",
    "2020-01-01  ",
];

/// A number in one of the spellings headers use.
fn number(r: &mut Rng) -> String {
    let magnitude = [
        0.0, 1.0, 1e-5, 2.5e-4, 123.456, 2000.0, 1950.0, 1.4e9, 5.5e-7, 180.0,
    ];
    let mut v = magnitude[r.below(magnitude.len())] * (1.0 + r.below(1000) as f64 / 997.0);
    if r.chance(30) {
        v = -v;
    }
    match r.below(16) {
        0 => format!("{v:E}"),
        1 => format!("{v:e}"),
        2 => format!("{}", v.round() as i64),
        3 => format!("+{v}"),
        4 => format!("{v:.3}").trim_start_matches('0').to_string(),
        5 => format!("{}.", v.round() as i64),
        6 => format!("{v:.6E}").replace('E', "D"),
        7 => format!("{v:>20}"),
        8 => "1E999".into(),
        9 => "1 5".into(),
        10 => format!("{:.10}", v),
        _ => format!("{v}"),
    }
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The value field of a card: the value, maybe padded, maybe with a comment or junk.
fn tail(r: &mut Rng, value: String) -> String {
    match r.below(12) {
        0 => format!("{value} / a comment"),
        1 => format!("{value}/x"),
        2 => format!("{value} junk"),
        3 => format!("{value:>20} / comment"),
        4 => format!("{value} / it's"),
        _ => value,
    }
}

fn axis(r: &mut Rng) -> usize {
    let n = if r.chance(90) { 3 } else { 5 };
    1 + r.below(n)
}

/// One card image (not padded); `plain` keeps to what the records reader takes.
fn card(r: &mut Rng, plain: bool) -> String {
    let num = |r: &mut Rng| {
        if plain {
            let v = number(r);
            if v.contains(['D', ' ']) || v == "1E999" {
                return "-0.25".into();
            }
            v
        } else {
            number(r)
        }
    };
    let kinds = if plain { 33 } else { 46 };
    let (keyword, value) = match r.below(kinds) {
        0 | 1 => (format!("CTYPE{}", axis(r)), quoted(r.pick(CTYPES))),
        2 => (format!("CUNIT{}", axis(r)), quoted(r.pick(CUNITS))),
        3..=5 => (format!("CRVAL{}", axis(r)), num(r)),
        6 | 7 => (format!("CRPIX{}", axis(r)), num(r)),
        8 => (format!("CDELT{}", axis(r)), num(r)),
        9 => (format!("CROTA{}", axis(r)), num(r)),
        10 | 11 => (format!("CD{}_{}", axis(r), axis(r)), num(r)),
        12 => (format!("PC{}_{}", axis(r), axis(r)), num(r)),
        13 => (format!("PV{}_{}", axis(r), r.below(4)), num(r)),
        14 if plain => (format!("CRPIX{}", axis(r)), num(r)),
        14 => ("NAXIS".into(), r.below(4).to_string()),
        15 => ("WCSAXES".into(), r.below(5).to_string()),
        16 => ("EQUINOX".into(), num(r)),
        17 => ("EPOCH".into(), num(r)),
        18 => ("RADESYS".into(), quoted(r.pick(STRINGS))),
        19 => ("SPECSYS".into(), quoted(r.pick(STRINGS))),
        20 => ("SSYSOBS".into(), quoted(r.pick(STRINGS))),
        21 => ("DATE-OBS".into(), quoted(r.pick(STRINGS))),
        22 => ("MJD-OBS".into(), num(r)),
        23 => (r.pick(&["RESTFRQ", "RESTFREQ", "RESTWAV"]).into(), num(r)),
        24 => (r.pick(&["LONPOLE", "LATPOLE"]).into(), num(r)),
        25 => (
            "VELREF".into(),
            r.pick(&["0", "1", "2", "257", "258", "3"]).into(),
        ),
        26 => (r.pick(&["OBSGEO-X", "OBSGEO-Y", "OBSGEO-Z"]).into(), num(r)),
        27 => (r.pick(&["VELOSYS", "ZSOURCE", "VELANGL"]).into(), num(r)),
        28 => (
            r.pick(&["TIMESYS", "WCSNAME", "SSYSSRC", "DATE-END"])
                .into(),
            quoted(r.pick(STRINGS)),
        ),
        29 => (
            format!("{}{}", r.pick(&["CRDER", "CSYER"]), axis(r)),
            num(r),
        ),
        30 => ("TIMEDEL".into(), num(r)),
        // not WCS at all
        31 => ("OBJECT".into(), quoted("M31")),
        32 => ("EXPTIME".into(), num(r)),
        33 => return format!("COMMENT {}", r.pick(&["CRVAL1 = 5", "hello"])),
        34 => return "HISTORY CTYPE1  = 'RA---TAN'".into(),
        // wrong types
        35 => (format!("CRVAL{}", axis(r)), quoted("x")),
        36 => (format!("CTYPE{}", axis(r)), num(r)),
        37 => (
            format!("CDELT{}", axis(r)),
            r.pick(&["T", "F", "", "(1, 2)"]).into(),
        ),
        38 => ("NAXIS".into(), r.pick(&["2.0", "-1", "+2", "200"]).into()),
        // keywords left to wcspih
        39 => (format!("CRVAL{}A", axis(r)), num(r)),
        40 => (format!("CNAME{}", axis(r)), quoted("x")),
        41 => (
            r.pick(&[
                "MJDREF", "DATEREF", "TIMEUNIT", "CRVAL01", "PC01_01", "A_ORDER",
            ])
            .into(),
            num(r),
        ),
        42 => return format!("crval{} = {}", axis(r), num(r)),
        43 => return format!(" CRVAL{} = {}", axis(r), num(r)),
        44 => return format!("CRVAL{}  ={}", axis(r), num(r)),
        _ => (format!("CDELT{}", axis(r)), num(r)),
    };
    let value = if plain && r.chance(70) {
        value
    } else {
        tail(r, value)
    };
    format!("{keyword:<8}= {value}")
}

fn header(r: &mut Rng) -> String {
    let n = 1 + r.below(14);
    let plain = r.chance(50);
    let mut text = String::new();
    if plain && r.chance(80) {
        text.push_str(&format!("{:<80}", format!("NAXIS   = {}", r.below(4))));
    }
    for _ in 0..n {
        let c = card(r, plain);
        let c: String = c.chars().take(80).collect();
        text.push_str(&format!("{c:<80}"));
    }
    text
}

fn compare(text: &str) -> bool {
    let options = ParseOptions::default();
    let old = Wcs::from_header(text, &options.clone().with_wcspih());
    let new = Wcs::from_header(text, &options);
    let cards: Vec<&str> = (0..text.len() / 80)
        .map(|i| &text[i * 80..i * 80 + 80])
        .collect();
    match (old, new) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.info(), b.info(), "{cards:#?}");
            assert_eq!(a.fixes(), b.fixes(), "{cards:#?}");
            assert_eq!(a.rejected_keywords(), b.rejected_keywords(), "{cards:#?}");
            assert_eq!(report(&a), report(&b), "{cards:#?}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{cards:#?}"),
        (a, b) => panic!("{cards:#?}\nwcspih: {a:?}\nrecords: {b:?}"),
    }
    let records = crate::header::KeyRecords::parse(text);
    matches!(
        crate::records::read(records.records()),
        crate::records::Read::Params(_)
    )
}

#[test]
fn generated_headers_read_as_wcspih_reads_them() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut direct = 0;
    let total = 20_000;
    for _ in 0..total {
        let text = header(&mut r);
        if compare(&text) {
            direct += 1;
        }
    }
    eprintln!("{direct} of {total} read directly");
    // most generated headers hold something left to wcspih; enough must not
    assert!(direct > total / 10, "{direct} of {total} read directly");
}

#[test]
fn typical_headers_are_read_directly() {
    let cards = [
        "NAXIS   =                    2",
        "CTYPE1  = 'RA---TAN'           / projection",
        "CTYPE2  = 'DEC--TAN'",
        "CUNIT1  = 'deg     '",
        "CRVAL1  =            210.80225",
        "CRVAL2  =  +54.348333333333336",
        "CRPIX1  =               1024.5",
        "CRPIX2  =                 1025",
        "CD1_1   =  -5.1602000000000E-05",
        "CD1_2   =               0.0E+0",
        "CD2_2   =          5.1602E-05/",
        "EQUINOX =               2000.0",
        "RADESYS = 'FK5     '",
        "DATE-OBS= '2003-08-21T09:26:11.0'",
        "MJD-OBS =       52872.39318287",
        "OBJECT  = 'M101'",
    ];
    let text: String = cards.iter().map(|c| format!("{c:<80}")).collect();
    assert!(compare(&text), "read through wcspih");
    let w = Wcs::from_header(&text, &ParseOptions::default()).unwrap();
    assert_eq!(w.info().axes[1].crval, 54.348333333333336);
    assert_eq!(w.info().cd, Some(vec![-5.1602e-5, 0.0, 0.0, 5.1602e-5]));
}

#[test]
fn params_give_the_header_wcs() {
    let text: String = [
        "CTYPE1  = 'WAVE'",
        "CUNIT1  = 'nm'",
        "CRVAL1  = 550.0",
        "CDELT1  = 0.5",
        "RESTWAV = 6.5E-7",
    ]
    .iter()
    .map(|c| format!("{c:<80}"))
    .collect();
    let from_text = Wcs::from_header(&text, &ParseOptions::default().with_wcspih()).unwrap();
    let params = WcsParams {
        axes: vec![AxisParams {
            ctype: "WAVE".into(),
            cunit: "nm".into(),
            crval: 550.0,
            cdelt: 0.5,
            ..AxisParams::default()
        }],
        restwav: Some(6.5e-7),
        ..WcsParams::default()
    };
    let direct = Wcs::from_params(&params).unwrap();
    assert_eq!(from_text.info(), direct.info());
    assert_eq!(report(&from_text), report(&direct));
    assert!(matches!(
        Wcs::from_params(&WcsParams::default()),
        Err(WcsError::NoWcs)
    ));
    let mut bad = params.clone();
    bad.cd.push((1, 2, 1.0));
    assert!(matches!(
        Wcs::from_params(&bad),
        Err(WcsError::InvalidOption(_))
    ));
}

/// RADESYS = 'ICRS    ' is not ICRS to wcsset, which then keeps EQUINOX (MegaPipe headers).
#[test]
fn string_blanks_are_kept_as_wcspih_keeps_them() {
    let cards = [
        "NAXIS   =                    2 /",
        "EQUINOX =   2.000000000000E+03 / Mean equinox",
        "MJD-OBS =   5.697440864650E+04 / Modified Julian date at start",
        "RADESYS = 'ICRS    '           / Astrometric system",
        "CTYPE1  = 'RA---TAN'           / WCS projection type for this axis",
        "CUNIT1  = 'deg     '           / Axis unit",
        "CRVAL1  =   4.089362379000E+01 / World coordinate on this axis",
        "CRPIX1  =   5.000000000000E+03 / Reference pixel on this axis",
        "CD1_1   =  -5.160234650248E-05 / Linear projection matrix",
        "CD1_2   =   0.000000000000E+00 / Linear projection matrix",
        "CTYPE2  = 'DEC--TAN'           / WCS projection type for this axis",
        "CUNIT2  = 'deg     '           / Axis unit",
        "CRVAL2  =  -1.200000000000E+01 / World coordinate on this axis",
        "CRPIX2  =   5.000000000000E+03 / Reference pixel on this axis",
        "CD2_1   =   0.000000000000E+00 / Linear projection matrix",
        "CD2_2   =   5.160234650248E-05 / Linear projection matrix",
    ];
    let text: String = cards.iter().map(|c| format!("{c:<80}")).collect();
    assert!(compare(&text));
}
