//! Synthetic inputs for the demo, the tests and the benchmarks: FITS files and header dumps
//! whose headers are modelled on real instruments, with small deterministic pixel arrays.
//!
//! * a CFHT MegaCam-like multi-extension image (a primary header and four CCD extensions
//!   with TAN WCS, 16-bit pixels with `BZERO = 32768`);
//! * a DAO 1.8-m-like long-slit spectrum (1-D float pixels, linear wavelength WCS in Å);
//! * an OMM CPAPIR-like near-infrared image (float pixels, TAN WCS);
//! * header dumps (`.fits.header`, 80-column cards with `END` between HDUs, as `fhead`
//!   writes them) for benchmarks of any size.
//!
//! Everything is a pure function of its arguments (no clock, no randomness from the
//! system), so the committed demo files can be checked against the generator.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// A FITS header value.
#[derive(Clone, Debug)]
pub enum V {
    Logical(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl<T: AsRef<str> + ?Sized> From<&T> for V {
    fn from(x: &T) -> V {
        V::Str(x.as_ref().to_string())
    }
}

fn s(x: &str) -> V {
    V::from(x)
}

/// One 80-character header card.
pub fn card(key: &str, value: &V, comment: &str) -> String {
    let value = match value {
        V::Logical(b) => format!("{:>20}", if *b { "T" } else { "F" }),
        V::Int(i) => format!("{i:>20}"),
        V::Float(f) => format!("{:>20}", fits_float(*f)),
        V::Str(t) => {
            let quoted = format!("'{:<8}'", t.replace('\'', "''"));
            format!("{quoted:<20}")
        }
    };
    let mut c = format!("{key:<8}= {value}");
    if !comment.is_empty() {
        c.push_str(" / ");
        c.push_str(comment);
    }
    let mut c: String = c.chars().take(80).collect();
    while c.len() < 80 {
        c.push(' ');
    }
    c
}

/// A float as a FITS fixed-format value: always with a decimal point, `E` exponents.
fn fits_float(f: f64) -> String {
    manage::yaml::yaml_float(f).replace('e', "E")
}

/// A header: cards in order, `END` added when rendered.
#[derive(Clone, Debug, Default)]
pub struct Hdr(pub Vec<(String, V, String)>);

impl Hdr {
    /// Appends a card.
    pub fn add(&mut self, key: &str, value: V, comment: &str) -> &mut Hdr {
        self.0.push((key.to_string(), value, comment.to_string()));
        self
    }

    /// The cards (without END).
    pub fn cards(&self) -> Vec<String> {
        self.0.iter().map(|(k, v, c)| card(k, v, c)).collect()
    }

    /// The header block(s): cards, `END`, padded with spaces to 2880 bytes.
    pub fn block(&self) -> Vec<u8> {
        let mut text: String = self.cards().concat();
        text.push_str(&format!("{:<80}", "END"));
        let mut b = text.into_bytes();
        while !b.len().is_multiple_of(2880) {
            b.push(b' ');
        }
        b
    }
}

/// Pixel data of an HDU.
pub enum Pixels {
    None,
    I16(Vec<i16>),
    F32(Vec<f32>),
}

fn data_block(p: &Pixels) -> Vec<u8> {
    let mut b = Vec::new();
    match p {
        Pixels::None => return b,
        Pixels::I16(v) => v.iter().for_each(|x| b.extend_from_slice(&x.to_be_bytes())),
        Pixels::F32(v) => v.iter().for_each(|x| b.extend_from_slice(&x.to_be_bytes())),
    }
    while !b.len().is_multiple_of(2880) {
        b.push(0);
    }
    b
}

/// The primary header of a header dump as card lines: up to the first `END` or the second
/// HDU, `#` comment lines and blank lines skipped.
pub fn dump_primary_cards(dump: &str) -> Vec<String> {
    let mut cards: Vec<String> = Vec::new();
    for line in dump.lines() {
        if line.starts_with("# HDU") && !cards.is_empty() {
            break;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.trim_end() == "END" {
            break;
        }
        cards.push(line.to_string());
    }
    cards
}

/// The number in the card of `key` among `cards`, if there is one.
pub fn card_number(cards: &[String], key: &str) -> Option<f64> {
    cards
        .iter()
        .find(|c| c.get(..8).map(str::trim_end) == Some(key))
        .and_then(|c| c.get(10..))
        .and_then(|v| v.split('/').next())
        .and_then(|v| v.trim().parse::<f64>().ok())
}

/// A FITS file of one HDU: `cards` (as [`dump_primary_cards`] gives them) with the values of
/// `replace` (keyword, value text) put in and the keywords of `drop` left out, over
/// `pixels`.
pub fn fits_from_cards(
    cards: &[String],
    replace: &[(&str, String)],
    drop: &[&str],
    pixels: &Pixels,
) -> Vec<u8> {
    let mut text = String::new();
    for c in cards {
        let key = c.get(..8).unwrap_or(c).trim_end();
        let card = match replace.iter().find(|(k, _)| *k == key) {
            Some((k, v)) => format!("{k:<8}= {v:>20}"),
            None if drop.contains(&key) => continue,
            None => c.clone(),
        };
        let card: String = card.chars().take(80).collect();
        text.push_str(&format!("{card:<80}"));
    }
    text.push_str(&format!("{:<80}", "END"));
    let mut bytes = text.into_bytes();
    while !bytes.len().is_multiple_of(2880) {
        bytes.push(b' ');
    }
    bytes.extend(data_block(pixels));
    bytes
}

/// A whole FITS file from its HDUs.
pub fn fits_file(hdus: &[(Hdr, Pixels)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (h, p) in hdus {
        out.extend(h.block());
        out.extend(data_block(p));
    }
    out
}

/// A header dump of the HDUs: 80-column cards, one per line, `END` after each header.
pub fn header_dump(hdus: &[&Hdr]) -> String {
    let mut out = String::new();
    for h in hdus {
        for c in h.cards() {
            out.push_str(c.trim_end());
            out.push('\n');
        }
        out.push_str("END\n");
    }
    out
}

/// xorshift64*: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly normal (sum of uniforms), mean 0, sigma 1.
    pub fn gauss(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

/// A star field: background, read noise and a few Gaussian stars.
fn star_field(nx: usize, ny: usize, sky: f64, noise: f64, stars: usize, rng: &mut Rng) -> Vec<f64> {
    let mut img: Vec<f64> = (0..nx * ny).map(|_| sky + noise * rng.gauss()).collect();
    for _ in 0..stars {
        let cx = rng.unit() * nx as f64;
        let cy = rng.unit() * ny as f64;
        let flux = 2000.0 + rng.unit() * 20000.0;
        let sigma = 1.2 + rng.unit();
        let r = (4.0 * sigma) as i64;
        for dy in -r..=r {
            for dx in -r..=r {
                let x = cx as i64 + dx;
                let y = cy as i64 + dy;
                if x < 0 || y < 0 || x >= nx as i64 || y >= ny as i64 {
                    continue;
                }
                let d2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                img[y as usize * nx + x as usize] += flux
                    / (2.0 * std::f64::consts::PI * sigma * sigma)
                    * (-d2 / (2.0 * sigma * sigma)).exp();
            }
        }
    }
    img
}

fn sexagesimal(deg: f64, hours: bool) -> String {
    let v = if hours { deg / 15.0 } else { deg };
    let sign = if v < 0.0 {
        "-"
    } else if hours {
        ""
    } else {
        "+"
    };
    let a = v.abs();
    let h = a.floor();
    let m = ((a - h) * 60.0).floor();
    let sec = ((a - h) * 60.0 - m) * 60.0;
    format!("{sign}{:02}:{:02}:{:05.2}", h as i64, m as i64, sec)
}

/// CFHT MegaCam-like exposure: the primary header and `nccd` image extensions.
pub fn megacam(
    expnum: u32,
    object: &str,
    ra: f64,
    dec: f64,
    filter: &str,
    nccd: usize,
) -> Vec<(Hdr, Pixels)> {
    let mut rng = Rng::new(u64::from(expnum));
    let mjd = 58811.0 + f64::from(expnum % 1000) / 1000.0;
    let (date, time) = mjd_to_date(mjd);
    let mut p = Hdr::default();
    p.add("SIMPLE", V::Logical(true), "Standard FITS")
        .add("BITPIX", V::Int(16), "16-bit data")
        .add("NAXIS", V::Int(0), "No image data in the primary HDU")
        .add("EXTEND", V::Logical(true), "Extensions are present")
        .add("NEXTEND", V::Int(nccd as i64), "Number of extensions")
        .add(
            "FILENAME",
            s(&format!("{expnum}o")),
            "Base filename at acquisition",
        )
        .add("TELESCOP", s("CFHT 3.6m"), "Canada-France-Hawaii Telescope")
        .add("INSTRUME", s("MegaPrime"), "Instrument")
        .add("DETECTOR", s("MegaCam"), "Science camera")
        .add("OBSTYPE", s("OBJECT"), "Observation / Exposure type")
        .add("EXPTYPE", s("OBJECT"), "Exposure type")
        .add("EXPNUM", V::Int(i64::from(expnum)), "Exposure number")
        .add("OBJECT", s(object), "Target name")
        .add("FILTER", s(filter), "Filter")
        .add("EXPTIME", V::Float(300.0), "Integration time (seconds)")
        .add("DATE-OBS", s(&date), "Date at start of observation (UTC)")
        .add("UTC-OBS", s(&time), "Time at start of observation (UTC)")
        .add(
            "MJD-OBS",
            V::Float((mjd * 1e6).round() / 1e6),
            "Modified Julian Date at start",
        )
        .add("RA", s(&sexagesimal(ra, true)), "Telescope right ascension")
        .add("DEC", s(&sexagesimal(dec, false)), "Telescope declination")
        .add(
            "RA_DEG",
            V::Float(ra),
            "Telescope right ascension (degrees)",
        )
        .add("DEC_DEG", V::Float(dec), "Telescope declination (degrees)")
        .add("EQUINOX", V::Float(2000.0), "Equinox of coordinates")
        .add("RADECSYS", s("FK5"), "Coordinate system")
        .add(
            "AIRMASS",
            V::Float(1.0 + f64::from(expnum % 50) / 100.0),
            "Airmass at start",
        )
        .add("RUNID", s("19BC01"), "CFHT internal run ID")
        .add("PI_NAME", s("A. Astronomer"), "Principal investigator")
        .add(
            "OBS_LAT",
            V::Float(19.825252),
            "Observatory latitude (degrees)",
        )
        .add(
            "OBS_LONG",
            V::Float(-155.468876),
            "Observatory longitude (degrees)",
        )
        .add("OBS_ALT", V::Float(4204.0), "Observatory altitude (metres)")
        .add("REL_DATE", s("2020-11-24"), "Proprietary period ends");
    let mut hdus = vec![(p, Pixels::None)];
    let (nx, ny) = (64usize, 128usize);
    let scale = 0.187 / 3600.0;
    for ccd in 0..nccd {
        let img = star_field(nx, ny, 1200.0, 12.0, 6, &mut rng);
        let pixels: Vec<i16> = img
            .iter()
            .map(|v| (v.clamp(0.0, 65535.0) - 32768.0).round() as i16)
            .collect();
        let col = (ccd % 2) as f64;
        let row = (ccd / 2) as f64;
        let mut h = Hdr::default();
        h.add("XTENSION", s("IMAGE"), "Image extension")
            .add("BITPIX", V::Int(16), "16-bit data")
            .add("NAXIS", V::Int(2), "Number of axes")
            .add("NAXIS1", V::Int(nx as i64), "Number of pixel columns")
            .add("NAXIS2", V::Int(ny as i64), "Number of pixel rows")
            .add("PCOUNT", V::Int(0), "No 'random' parameters")
            .add("GCOUNT", V::Int(1), "Only one group")
            .add("BSCALE", V::Float(1.0), "Scale factor")
            .add("BZERO", V::Float(32768.0), "Unsigned 16-bit data")
            .add("EXTNAME", s(&format!("ccd{ccd:02}")), "Extension name")
            .add("CCDNAME", s(&format!("CCD{ccd:02}")), "CCD name")
            .add(
                "DETSEC",
                s(&format!(
                    "[{}:{},{}:{}]",
                    col as usize * nx + 1,
                    (col as usize + 1) * nx,
                    row as usize * ny + 1,
                    (row as usize + 1) * ny
                )),
                "Mosaic area of the detector",
            )
            .add(
                "DATASEC",
                s(&format!("[1:{nx},1:{ny}]")),
                "Imaging area of the detector",
            )
            .add("FILTER", s(filter), "Filter")
            .add("EXPTIME", V::Float(300.0), "Integration time (seconds)")
            .add(
                "MJD-OBS",
                V::Float((mjd * 1e6).round() / 1e6),
                "Modified Julian Date at start",
            )
            .add("GAIN", V::Float(1.6), "Amplifier gain (e-/ADU)")
            .add("RDNOISE", V::Float(5.0), "Read noise (e-)")
            .add("CTYPE1", s("RA---TAN"), "Gnomonic projection")
            .add("CTYPE2", s("DEC--TAN"), "Gnomonic projection")
            .add("CUNIT1", s("deg"), "")
            .add("CUNIT2", s("deg"), "")
            .add("CRVAL1", V::Float(ra), "Reference right ascension")
            .add("CRVAL2", V::Float(dec), "Reference declination")
            .add(
                "CRPIX1",
                V::Float(nx as f64 - col * nx as f64 + 0.5),
                "Reference pixel",
            )
            .add(
                "CRPIX2",
                V::Float(ny as f64 - row * ny as f64 + 0.5),
                "Reference pixel",
            )
            .add("CD1_1", V::Float(-scale), "")
            .add("CD1_2", V::Float(0.0), "")
            .add("CD2_1", V::Float(0.0), "")
            .add("CD2_2", V::Float(scale), "")
            .add("EQUINOX", V::Float(2000.0), "")
            .add("RADESYS", s("FK5"), "");
        hdus.push((h, Pixels::I16(pixels)));
    }
    hdus
}

/// DAO 1.8-m-like long-slit spectrum: one HDU, 1-D float pixels, wavelength WCS in Å.
pub fn dao_spectrum(seq: u32, object: &str, ra: f64, dec: f64) -> Vec<(Hdr, Pixels)> {
    let mut rng = Rng::new(u64::from(seq) + 7);
    let n = 1024usize;
    let start = 3900.0;
    let delta = 0.3;
    let lines = [(4101.7, 0.35), (4340.5, 0.4), (4861.3, 0.45)];
    let pixels: Vec<f32> = (0..n)
        .map(|i| {
            let w = start + delta * i as f64;
            let cont = 8000.0 + 2.0 * (w - start);
            let absorb: f64 = lines
                .iter()
                .map(|(c, depth)| depth * (-(w - c).powi(2) / (2.0 * 2.5f64.powi(2))).exp())
                .sum();
            (cont * (1.0 - absorb) + 40.0 * rng.gauss()) as f32
        })
        .collect();
    let mjd = 57583.0 + f64::from(seq % 100) / 100.0;
    let (date, time) = mjd_to_date(mjd);
    let mut h = Hdr::default();
    h.add("SIMPLE", V::Logical(true), "Standard FITS")
        .add("BITPIX", V::Int(-32), "IEEE single precision")
        .add("NAXIS", V::Int(1), "One-dimensional spectrum")
        .add("NAXIS1", V::Int(n as i64), "Number of wavelength samples")
        .add("TELESCOP", s("DAO 1.8-m"), "Plaskett Telescope")
        .add("OBSERVAT", s("DAO"), "Dominion Astrophysical Observatory")
        .add("INSTRUME", s("Cassegrain Spectrograph"), "Instrument")
        .add("DETECTOR", s("SITe-4"), "CCD")
        .add("IMAGETYP", s("object"), "Image type")
        .add("OBSMODE", s("spectroscopy"), "Observing mode")
        .add("OBJECT", s(object), "Target name")
        .add(
            "DATE-OBS",
            s(&format!("{date}T{time}")),
            "Start of observation (UTC)",
        )
        .add("EXPTIME", V::Float(600.0), "Exposure time (seconds)")
        .add("RA", s(&sexagesimal(ra, true)), "Right ascension")
        .add("DEC", s(&sexagesimal(dec, false)), "Declination")
        .add("EQUINOX", V::Float(2000.0), "Equinox of coordinates")
        .add("GRATING", s("1200B"), "Grating")
        .add("DISPAXIS", V::Int(1), "Dispersion axis")
        .add("CTYPE1", s("WAVE"), "Linear wavelength")
        .add("CUNIT1", s("Angstrom"), "")
        .add(
            "CRVAL1",
            V::Float(start),
            "Wavelength at the reference pixel",
        )
        .add("CDELT1", V::Float(delta), "Dispersion (Angstrom per pixel)")
        .add("CRPIX1", V::Float(1.0), "Reference pixel")
        .add("BUNIT", s("COUNTS"), "");
    vec![(h, Pixels::F32(pixels))]
}

/// OMM CPAPIR-like near-infrared image: one HDU, float pixels, TAN WCS.
pub fn omm_image(seq: u32, object: &str, ra: f64, dec: f64, filter: &str) -> Vec<(Hdr, Pixels)> {
    let mut rng = Rng::new(u64::from(seq) + 31);
    let (nx, ny) = (96usize, 96usize);
    let pixels: Vec<f32> = star_field(nx, ny, 3000.0, 25.0, 10, &mut rng)
        .iter()
        .map(|v| *v as f32)
        .collect();
    let mjd = 57835.0 + f64::from(seq % 100) / 400.0;
    let (date, time) = mjd_to_date(mjd);
    let scale = 0.89 / 3600.0;
    let mut h = Hdr::default();
    h.add("SIMPLE", V::Logical(true), "Standard FITS")
        .add("BITPIX", V::Int(-32), "IEEE single precision")
        .add("NAXIS", V::Int(2), "")
        .add("NAXIS1", V::Int(nx as i64), "")
        .add("NAXIS2", V::Int(ny as i64), "")
        .add("TELESCOP", s("OMM 1.6m"), "Observatoire du Mont-Megantic")
        .add(
            "INSTRUME",
            s("CPAPIR"),
            "Camera PAnoramique Proche-InfraRouge",
        )
        .add("DETECTOR", s("HAWAII-2"), "")
        .add("OBSTYPE", s("OBJECT"), "")
        .add("OBJECT", s(object), "")
        .add("FILTER", s(filter), "")
        .add("EXPTIME", V::Float(30.0), "Exposure time (seconds)")
        .add(
            "DATE-OBS",
            s(&format!("{date}T{time}")),
            "Start of observation (UTC)",
        )
        .add("MJD-OBS", V::Float((mjd * 1e6).round() / 1e6), "")
        .add("RA", s(&sexagesimal(ra, true)), "")
        .add("DEC", s(&sexagesimal(dec, false)), "")
        .add("EQUINOX", V::Float(2000.0), "")
        .add("AIRMASS", V::Float(1.12), "")
        .add("OBSERVER", s("OMM team"), "")
        .add("CTYPE1", s("RA---TAN"), "")
        .add("CTYPE2", s("DEC--TAN"), "")
        .add("CUNIT1", s("deg"), "")
        .add("CUNIT2", s("deg"), "")
        .add("CRVAL1", V::Float(ra), "")
        .add("CRVAL2", V::Float(dec), "")
        .add("CRPIX1", V::Float(48.5), "")
        .add("CRPIX2", V::Float(48.5), "")
        .add("CD1_1", V::Float(-scale), "")
        .add("CD1_2", V::Float(0.0), "")
        .add("CD2_1", V::Float(0.0), "")
        .add("CD2_2", V::Float(scale), "")
        .add("RADESYS", s("FK5"), "");
    vec![(h, Pixels::F32(pixels))]
}

/// `YYYY-MM-DD` and `HH:MM:SS.ss` of an MJD (UTC, no leap seconds).
fn mjd_to_date(mjd: f64) -> (String, String) {
    let secs = ((mjd - 40587.0) * 86400.0).round() as i64;
    let t = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    (
        format!("{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day()),
        format!("{:02}:{:02}:{:02}.00", dt.hour(), dt.minute(), dt.second()),
    )
}

/// A generated file: name and bytes.
pub struct SampleFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Gzip with fixed settings (no name, mtime 0), so the output depends on the content only.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// How the committed samples in `dir` differ from `files`, what the generator writes now:
/// names missing or extra, then each file whose contents differ (`.gz` files compared
/// decompressed: the compressor's bytes may change between flate2 versions without the data
/// changing). Empty when they agree.
pub fn sample_differences(dir: &Path, files: &[SampleFile]) -> Vec<String> {
    let mut out = Vec::new();
    let mut committed: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) => return vec![format!("{}: {e}", dir.display())],
    };
    committed.sort();
    let mut expected: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    expected.sort();
    if committed != expected {
        out.push(format!(
            "files {committed:?}, the generator writes {expected:?}"
        ));
    }
    let content = |name: &str, bytes: Vec<u8>| -> Vec<u8> {
        if !name.ends_with(".gz") {
            return bytes;
        }
        let mut plain = Vec::new();
        match std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
        {
            Ok(_) => plain,
            Err(_) => bytes,
        }
    };
    for f in files {
        let Ok(bytes) = std::fs::read(dir.join(&f.name)) else {
            continue; // reported with the names
        };
        if content(&f.name, bytes) != content(&f.name, f.bytes.clone()) {
            out.push(format!("{} is stale", f.name));
        }
    }
    out
}

/// The demo data: two MegaCam-like exposures, two DAO-like spectra (one gzipped) and two
/// OMM-like images, about 400 kB.
pub fn demo_files() -> Vec<SampleFile> {
    vec![
        SampleFile {
            name: "2460392o.fits".into(),
            bytes: fits_file(&megacam(
                2460392, "NGC 2403", 114.2142, 65.6026, "r.MP9602", 4,
            )),
        },
        SampleFile {
            name: "2460393o.fits".into(),
            bytes: fits_file(&megacam(
                2460393, "NGC 2403", 114.2342, 65.6126, "g.MP9402", 4,
            )),
        },
        SampleFile {
            name: "dao_c180_2016_004567.fits".into(),
            bytes: fits_file(&dao_spectrum(4567, "HD 12345", 29.5979, 41.2008)),
        },
        SampleFile {
            name: "dao_c180_2016_004568.fits.gz".into(),
            bytes: gzip(&fits_file(&dao_spectrum(
                4568, "HD 12345", 29.5979, 41.2008,
            ))),
        },
        SampleFile {
            name: "C170323_0155_SCI.fits".into(),
            bytes: fits_file(&omm_image(155, "M51", 202.4696, 47.1952, "H")),
        },
        SampleFile {
            name: "C170323_0156_SCI.fits".into(),
            bytes: fits_file(&omm_image(156, "M51", 202.4796, 47.1952, "Ks")),
        },
    ]
}

/// Header dump `i` of a benchmark set: OMM-like, with values varying by `i`.
pub fn bench_header(i: usize) -> (String, String) {
    let seq = i as u32;
    let ra = (i as f64 * 0.37) % 360.0;
    let dec = ((i as f64 * 0.11) % 120.0) - 60.0;
    let hdus = omm_image_header(
        seq,
        &format!("FIELD-{i}"),
        ra,
        dec,
        if i.is_multiple_of(2) { "H" } else { "J" },
    );
    let name = format!(
        "C{:06}_{:04}_SCI.fits.header",
        170000 + (i / 10000),
        i % 10000
    );
    (name, header_dump(&[&hdus]))
}

/// The OMM-like header alone (no pixels), cheap enough for 100,000 files.
fn omm_image_header(seq: u32, object: &str, ra: f64, dec: f64, filter: &str) -> Hdr {
    // The pixel-free part of `omm_image`.
    let mut h = Hdr::default();
    let mjd = 57835.0 + f64::from(seq % 1000) / 4000.0;
    let (date, time) = mjd_to_date(mjd);
    let scale = 0.89 / 3600.0;
    h.add("SIMPLE", V::Logical(true), "Standard FITS")
        .add("BITPIX", V::Int(-32), "IEEE single precision")
        .add("NAXIS", V::Int(2), "")
        .add("NAXIS1", V::Int(2048), "")
        .add("NAXIS2", V::Int(2048), "")
        .add("TELESCOP", s("OMM 1.6m"), "")
        .add("INSTRUME", s("CPAPIR"), "")
        .add("OBSTYPE", s("OBJECT"), "")
        .add("OBJECT", s(object), "")
        .add("FILTER", s(filter), "")
        .add("EXPTIME", V::Float(30.0), "")
        .add("DATE-OBS", s(&format!("{date}T{time}")), "")
        .add("MJD-OBS", V::Float((mjd * 1e6).round() / 1e6), "")
        .add("CTYPE1", s("RA---TAN"), "")
        .add("CTYPE2", s("DEC--TAN"), "")
        .add("CRVAL1", V::Float((ra * 1e6).round() / 1e6), "")
        .add("CRVAL2", V::Float((dec * 1e6).round() / 1e6), "")
        .add("CRPIX1", V::Float(1024.5), "")
        .add("CRPIX2", V::Float(1024.5), "")
        .add("CD1_1", V::Float(-scale), "")
        .add("CD1_2", V::Float(0.0), "")
        .add("CD2_1", V::Float(0.0), "")
        .add("CD2_2", V::Float(scale), "")
        .add("RADESYS", s("FK5"), "");
    h
}

/// A small OMM-like FITS file (8×8 float pixels, 5760 bytes), distinct for each `i`: for
/// tests that need many real FITS files.
pub fn tiny_fits(i: usize) -> Vec<u8> {
    let ra = (i as f64 * 0.37) % 360.0;
    let dec = ((i as f64 * 0.11) % 120.0) - 60.0;
    let mut h = omm_image_header(i as u32, &format!("FIELD-{i}"), ra, dec, "H");
    for (k, v, _) in h.0.iter_mut() {
        if k == "NAXIS1" || k == "NAXIS2" {
            *v = V::Int(8);
        }
        if k == "CRPIX1" || k == "CRPIX2" {
            *v = V::Float(4.5);
        }
    }
    let pixels: Vec<f32> = (0..64).map(|p| (i * 64 + p) as f32).collect();
    fits_file(&[(h, Pixels::F32(pixels))])
}

/// A wide-field sky image for previews and benchmarks, `nx` × `ny` float pixels with an
/// OMM-like header (TAN WCS, 0.89″ pixels): a sky of 1000 with a faint gradient and noise
/// (σ 10), broad clouds of diffuse emission, about one star per 8000 pixels with a Gaussian
/// PSF over four decades of brightness, and an inclined disc galaxy with a bulge in the
/// middle.
pub fn sky_fits(nx: usize, ny: usize, seed: u64) -> Vec<u8> {
    sky_image(nx, ny, seed, sky_pixels(nx, ny, seed))
}

/// The header of [`sky_fits`] over other pixels (`nx` × `ny`, row by row): tests of what
/// gives no preview use constant or blank ones.
pub fn sky_image(nx: usize, ny: usize, seed: u64, pixels: Vec<f32>) -> Vec<u8> {
    let mut h = omm_image_header(seed as u32, "NGC 0000", 202.4696, 47.1952, "H");
    for (k, v, _) in h.0.iter_mut() {
        match k.as_str() {
            "NAXIS1" => *v = V::Int(nx as i64),
            "NAXIS2" => *v = V::Int(ny as i64),
            "CRPIX1" => *v = V::Float(nx as f64 / 2.0 + 0.5),
            "CRPIX2" => *v = V::Float(ny as f64 / 2.0 + 0.5),
            _ => {}
        }
    }
    fits_file(&[(h, Pixels::F32(pixels))])
}

/// The pixels of [`sky_fits`].
pub fn sky_pixels(nx: usize, ny: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    // noise: a sum of four uniforms (σ 1 after scaling) is plenty for a picture and cheap
    let mut img: Vec<f32> = (0..nx * ny)
        .map(|i| {
            let (x, y) = ((i % nx) as f32, (i / nx) as f32);
            let u: f64 = (0..4).map(|_| rng.unit()).sum::<f64>() - 2.0;
            1000.0 + 50.0 * (x + y) / (nx + ny) as f32 + (10.0 * 1.732 * u) as f32
        })
        .collect();
    // diffuse emission: broad Gaussian clouds (separable, so cheap for any size), which
    // also give the image more dynamic range than its noise
    let clouds: Vec<(Vec<f32>, Vec<f32>)> = (0..40)
        .map(|k| {
            let amp = if k % 6 == 5 {
                -25.0
            } else {
                20.0 + 80.0 * rng.unit()
            };
            let (mx, my) = (rng.unit() * 1.2 - 0.1, rng.unit() * 1.2 - 0.1);
            let sx = 0.04 + 0.16 * rng.unit();
            let sy = sx * (0.6 + 0.8 * rng.unit());
            let axis = |n: usize, m: f64, sd: f64, a: f64| -> Vec<f32> {
                (0..n)
                    .map(|i| {
                        let t = (i as f64 / n as f64 - m) / sd;
                        (a * (-0.5 * t * t).exp()) as f32
                    })
                    .collect()
            };
            (axis(nx, mx, sx, amp), axis(ny, my, sy, 1.0))
        })
        .collect();
    for (y, row) in img.chunks_exact_mut(nx).enumerate() {
        for (fx, fy) in &clouds {
            let f = fy[y];
            if f.abs() > 1e-4 {
                row.iter_mut().zip(fx).for_each(|(p, v)| *p += f * v);
            }
        }
    }
    // the galaxy: an exponential disc (inclined 60°, position angle 30°) and a bulge
    let (cx, cy) = (nx as f64 / 2.0, ny as f64 / 2.0);
    let scale = nx.min(ny) as f64 / 7.0;
    let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
    let reach = (8.0 * scale) as i64;
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let (x, y) = (cx as i64 + dx, cy as i64 + dy);
            if x < 0 || y < 0 || x >= nx as i64 || y >= ny as i64 {
                continue;
            }
            let (fx, fy) = (dx as f64, dy as f64);
            let (u, v) = (c * fx + s * fy, (-s * fx + c * fy) / 0.5);
            let r = (u * u + v * v).sqrt();
            let arms = 1.0 + 0.6 * (2.0 * v.atan2(u) - 4.0 * (r / scale).ln_1p()).cos();
            let disc = 250.0 * (-r / scale).exp() * arms;
            let bulge = 2500.0 * (-3.0 * (r / (0.3 * scale)).sqrt()).exp();
            img[y as usize * nx + x as usize] += (disc + bulge) as f32;
        }
    }
    // stars, log-uniform in flux
    let sigma = 1.8;
    let stars = (nx * ny / 8000).max(3);
    for _ in 0..stars {
        let sx = rng.unit() * nx as f64;
        let sy = rng.unit() * ny as f64;
        let flux = 300.0 * 10f64.powf(4.0 * rng.unit());
        let peak = flux / (2.0 * std::f64::consts::PI * sigma * sigma);
        let r = (sigma * (2.0 * (peak / 2.0).max(1.0).ln()).sqrt()).ceil() as i64 + 1;
        for dy in -r..=r {
            for dx in -r..=r {
                let (x, y) = (sx as i64 + dx, sy as i64 + dy);
                if x < 0 || y < 0 || x >= nx as i64 || y >= ny as i64 {
                    continue;
                }
                let d2 = (x as f64 + 0.5 - sx).powi(2) + (y as f64 + 0.5 - sy).powi(2);
                img[y as usize * nx + x as usize] +=
                    (peak * (-d2 / (2.0 * sigma * sigma)).exp()) as f32;
            }
        }
    }
    img
}

/// Writes `files` into `dir`.
pub fn write_files(dir: &Path, files: &[SampleFile]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for f in files {
        std::fs::write(dir.join(&f.name), &f.bytes)?;
    }
    Ok(())
}

/// Writes `n` benchmark header dumps into `dir` (in subdirectories of 10,000).
pub fn write_bench_headers(dir: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let sub = dir.join(format!("{:03}", i / 10000));
        if i % 10000 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let (name, text) = bench_header(i);
        std::fs::write(sub.join(name), text)?;
    }
    Ok(())
}

/// A short description of a file, for listings.
pub fn describe(files: &[SampleFile]) -> String {
    let mut out = String::new();
    for f in files {
        let _ = writeln!(out, "{:>9} {}", f.bytes.len(), f.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_differences_name_missing_extra_and_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: Vec<u8>| SampleFile {
            name: name.into(),
            bytes,
        };
        let files = vec![file("a.txt", b"a".to_vec()), file("b.gz", gzip(b"b"))];
        std::fs::write(dir.path().join("a.txt"), b"a").unwrap();
        // the same content compressed differently is not stale
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
        std::io::Write::write_all(&mut e, b"b").unwrap();
        std::fs::write(dir.path().join("b.gz"), e.finish().unwrap()).unwrap();
        assert!(sample_differences(dir.path(), &files).is_empty());

        std::fs::write(dir.path().join("a.txt"), b"A").unwrap();
        std::fs::write(dir.path().join("c.txt"), b"c").unwrap();
        let d = sample_differences(dir.path(), &files);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].contains("c.txt"), "{d:?}");
        assert_eq!(d[1], "a.txt is stale");
    }

    #[test]
    fn cards_are_fixed_format() {
        assert_eq!(card("NAXIS", &V::Int(2), "").len(), 80);
        assert_eq!(
            &card("NAXIS", &V::Int(2), "")[..30],
            "NAXIS   =                    2"
        );
        assert_eq!(&card("OBJECT", &s("M51"), "")[..20], "OBJECT  = 'M51     '");
        assert_eq!(
            &card("CDELT1", &V::Float(-5e-5), "")[10..30],
            "            -5.0E-05"
        );
        let f = fits_file(&omm_image(1, "M51", 1.0, 2.0, "H"));
        assert_eq!(f.len() % 2880, 0);
        assert!(f.starts_with(b"SIMPLE  =                    T"));
    }

    #[test]
    fn generated_files_read_back_with_cfitsio() {
        let d = tempfile::tempdir().unwrap();
        write_files(d.path(), &demo_files()).unwrap();
        let h = fits2caom2::Headers::read(d.path().join("2460392o.fits")).unwrap();
        assert_eq!(h.len(), 5);
        assert_eq!(
            h.get(0, "INSTRUME"),
            Some(&fits2caom2::Value::String("MegaPrime".into()))
        );
        assert_eq!(
            h.get(2, "EXTNAME"),
            Some(&fits2caom2::Value::String("ccd01".into()))
        );
        let h = fits2caom2::Headers::read(d.path().join("dao_c180_2016_004568.fits.gz")).unwrap();
        assert_eq!(h.get(0, "NAXIS1"), Some(&fits2caom2::Value::Integer(1024)));
        let (name, text) = bench_header(12);
        let h = fits2caom2::Headers::from_dump_bytes(text.as_bytes(), &name).unwrap();
        assert_eq!(
            h.get(0, "OBJECT"),
            Some(&fits2caom2::Value::String("FIELD-12".into()))
        );
        let total: usize = demo_files().iter().map(|f| f.bytes.len()).sum();
        assert!(total < 2_000_000, "{total}");
        let sky = d.path().join("sky.fits");
        std::fs::write(&sky, sky_fits(300, 200, 1)).unwrap();
        let h = fits2caom2::Headers::read(&sky).unwrap();
        assert_eq!(h.get(0, "NAXIS1"), Some(&fits2caom2::Value::Integer(300)));
        assert_eq!(std::fs::metadata(&sky).unwrap().len(), 2880 * 85);
    }
}
