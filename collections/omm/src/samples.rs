//! Sample OMM files for the example under `examples/omm/`, the tests and the benchmark:
//! CPAPIR-like headers written by this module (modelled on the instrument's keywords, not
//! copied from any file) over generated sky pixels.
//!
//! [`files`] is one night's worth of the kinds of file OMM delivers — science exposures
//! with and without astrometry, a flat, a rejected exposure, a stacked science product
//! and a dome flat made from ON/OFF exposures — as gzipped FITS (`*.fits.gz`, as the
//! observatory delivers them). [`fits_from_dump`] turns a header dump into a FITS file with
//! generated pixels, scaling the image and its WCS down (the benchmark's inputs).
//!
//! ```
//! let files = omm::samples::files(64);
//! assert_eq!(files.len(), 6);
//! assert!(files.iter().all(|f| f.name.ends_with(".fits.gz")));
//! ```

use execute::synth::{
    card_number, dump_primary_cards, fits_file, fits_from_cards, gzip, sky_pixels, Hdr, Pixels,
    SampleFile, V,
};

const NIGHT: &str = "240315";

/// Pixels on a side of the files in `examples/omm/data/`.
pub const EXAMPLE_SIZE: usize = 128;

/// What kind of sample file.
#[derive(Clone, Copy)]
enum Kind {
    Science { wcs: bool },
    Flat,
    Reject,
    Stack,
    DomeFlat,
}

/// The header of one sample.
fn header(n: usize, seq: u32, kind: Kind) -> Hdr {
    let mut h = Hdr::default();
    let (ra, dec) = (210.802429, 54.348750); // M 101
    let minute = 10 + seq % 50;
    let date_obs = format!("2024-03-16T04:{minute:02}:07");
    let date_local = format!("2024-03-16T00:{minute:02}:07");
    let (datatype, object) = match kind {
        Kind::Science { .. } => ("SCIENCE", "M101"),
        Kind::Stack => ("REDUC", "M101"),
        Kind::Flat => ("CALIB", "domeflat"),
        Kind::DomeFlat => ("CALRED", "domeflat"),
        Kind::Reject => ("REJECT", "M101"),
    };
    h.add("SIMPLE", V::Logical(true), "conforms to FITS standard");
    h.add("BITPIX", V::Int(-32), "Bits per pixel");
    h.add("NAXIS", V::Int(2), "Number of dimensions");
    h.add("NAXIS1", V::Int(n as i64), "");
    h.add("NAXIS2", V::Int(n as i64), "");
    h.add("EQUINOX", V::Float(2000.0), "Reference");
    h.add(
        "ORIGIN",
        V::from("LAE"),
        "Laboratoire d'Astrophysique Experimentale",
    );
    h.add(
        "TELESCOP",
        V::from("OMM-1.6m"),
        "Observatoire du Mont-Megantic",
    );
    h.add(
        "OBS_LAT",
        V::Float(45.4555555556),
        "Latitude of the telescope",
    );
    h.add(
        "OBS_LON",
        V::Float(-71.1527777778),
        "Longitude of the telescope",
    );
    h.add("INSTRUME", V::from("CPAPIR"), "Instrument name");
    h.add("OBSERVER", V::from(""), "Observer name");
    h.add("OBJECT", V::from(object), "Object name");
    h.add(
        "DATATYPE",
        V::from(datatype),
        "SCIENCE/CALIB/REJECT/FOCUS/TEST",
    );
    h.add(
        "NIGHTID",
        V::from(NIGHT),
        "YYMMDD of the local start of night",
    );
    h.add("DATE-OBS", V::from(&date_obs), "Universal date and time");
    h.add("DATE", V::from(&date_local), "Local date and time");
    h.add("TEXP", V::Float(20.0), "Exposure time asked for");
    h.add("TEFF", V::Float(20.309), "integration time per COADD");
    h.add("FILTER", V::from("J"), "");
    h.add("WLEN", V::Float(1.25), "central wavelength in micron");
    h.add("BANDPASS", V::Float(0.16), "bandpass in micron");
    h.add("RA", V::Float(ra), "RA in decimal degrees");
    h.add("DEC", V::Float(dec), "Declination");
    h.add("TEMP_WMO", V::Float(-3.5), "Temperature est., WMO");
    h.add(
        "RELEASE",
        V::from("2025-09-16"),
        "End of proprietary period",
    );
    if matches!(kind, Kind::Stack | Kind::DomeFlat) {
        h.add("MJD_STAR", V::Float(60385.17), "MJDATE of first exposure");
        h.add("MJD_END", V::Float(60385.21), "MJDATE of last exposure");
        h.add("DRS_VERS", V::from("8.0.0"), "reduction pipeline version");
        h.add("DRS_DATE", V::from("2024-03-17"), "reduction date");
    }
    let wcs = match kind {
        Kind::Science { wcs } => wcs,
        Kind::Stack | Kind::Reject => true,
        Kind::Flat | Kind::DomeFlat => false,
    };
    if wcs {
        // 0.89" pixels over a 2048-pixel detector, scaled to n pixels
        let scale = 0.89 / 3600.0 * 2048.0 / n as f64;
        h.add("CTYPE1", V::from("RA---TAN"), "Coordinate Type");
        h.add("CTYPE2", V::from("DEC--TAN"), "Coordinate Type");
        h.add("CRPIX1", V::Float(n as f64 / 2.0), "Reference Pixel in X");
        h.add("CRPIX2", V::Float(n as f64 / 2.0), "Reference Pixel in Y");
        h.add("CRVAL1", V::Float(ra + 0.01), "RA of reference pixel");
        h.add("CRVAL2", V::Float(dec - 0.005), "Dec of reference pixel");
        h.add("CD1_1", V::Float(-scale), "");
        h.add("CD1_2", V::Float(scale * 0.0096), "");
        h.add("CD2_1", V::Float(scale * 0.0088), "");
        h.add("CD2_2", V::Float(scale), "");
        h.add("RMSASTR", V::Float(0.41), "astrometric rms (arcsec)");
        h.add("FWHM", V::Float(1.9), "FWHM in arcsec");
    }
    match kind {
        Kind::Stack => {
            for (i, e) in [101, 102, 104].iter().enumerate() {
                h.add(
                    &format!("IN_{:05}", i + 1),
                    V::from(&format!("S{NIGHT}_{e:04}.fits.gz")),
                    &format!("raw input file ({}/3)", i + 1),
                );
            }
        }
        Kind::DomeFlat => {
            for i in 1..=3 {
                h.add(
                    &format!("F_ON{i}"),
                    V::from(&format!("{NIGHT}_{:04}.fits.gz", 200 + i)),
                    "flat ON file",
                );
                h.add(
                    &format!("F_OFF{i}"),
                    V::from(&format!("{NIGHT}_{:04}.fits.gz", 210 + i)),
                    "flat OFF file",
                );
            }
        }
        _ => {}
    }
    h
}

/// The sample files, with `n` × `n` pixels each.
pub fn files(n: usize) -> Vec<SampleFile> {
    let kinds = [
        ("C240315_0101_SCI", 101, Kind::Science { wcs: true }),
        ("C240315_0102_SCI", 102, Kind::Science { wcs: false }),
        ("C240315_0103_REJECT", 103, Kind::Reject),
        ("C240315_0201_CAL", 201, Kind::Flat),
        ("C240315_M101_J_SCIRED", 150, Kind::Stack),
        ("C240315_domeflat_J_CALRED", 250, Kind::DomeFlat),
    ];
    kinds
        .iter()
        .map(|(name, seq, kind)| {
            let pixels = match kind {
                // a flat: the illumination falls off towards the corners
                Kind::Flat | Kind::DomeFlat => (0..n * n)
                    .map(|i| {
                        let (x, y) = (
                            (i % n) as f32 / n as f32 - 0.5,
                            (i / n) as f32 / n as f32 - 0.5,
                        );
                        1.0 - 0.4 * (x * x + y * y)
                    })
                    .collect(),
                _ => sky_pixels(n, n, u64::from(*seq)),
            };
            let bytes = fits_file(&[(header(n, *seq, *kind), Pixels::F32(pixels))]);
            SampleFile {
                name: format!("{name}.fits.gz"),
                bytes: gzip(&bytes),
            }
        })
        .collect()
}

/// A FITS file from the primary header of a header dump (80-column cards up to the first
/// `END` or second HDU; `# HDU` comment lines skipped), made `n` × `n` pixels of generated
/// sky: `NAXISn`, `BITPIX`, `CRPIXn` and the CD matrix are changed so that the WCS covers
/// the same sky with bigger pixels. `seed` chooses the pixels.
pub fn fits_from_dump(dump: &str, n: usize, seed: u64) -> Vec<u8> {
    scaled_fits(dump, n, sky_pixels(n, n, seed))
}

/// [`fits_from_dump`] over given pixels (`n` × `n`, row by row).
pub fn scaled_fits(dump: &str, n: usize, pixels: Vec<f32>) -> Vec<u8> {
    let cards = dump_primary_cards(dump);
    let value = |key: &str| card_number(&cards, key);
    let nx = value("NAXIS1").unwrap_or(n as f64);
    let ny = value("NAXIS2").unwrap_or(n as f64);
    let (fx, fy) = (nx / n as f64, ny / n as f64);
    let mut replace: Vec<(&str, String)> = vec![
        ("BITPIX", "-32".into()),
        ("NAXIS", "2".into()),
        ("NAXIS1", n.to_string()),
        ("NAXIS2", n.to_string()),
    ];
    for (key, f) in [("CRPIX1", fx), ("CRPIX2", fy)] {
        if let Some(v) = value(key) {
            replace.push((key, fmt(v / f)));
        }
    }
    for (key, f) in [("CD1_1", fx), ("CD2_1", fx), ("CD1_2", fy), ("CD2_2", fy)] {
        if let Some(v) = value(key) {
            replace.push((key, fmt(v * f)));
        }
    }
    fits_from_cards(
        &cards,
        &replace,
        &["BZERO", "BSCALE", "BLANK"],
        &Pixels::F32(pixels),
    )
}

/// A float as FITS writes it (always a decimal point or an exponent).
fn fmt(v: f64) -> String {
    let t = format!("{v:?}");
    if t.contains(['.', 'e', 'E']) {
        t.to_uppercase()
    } else {
        format!("{t}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_become_smaller_images_of_the_same_sky() {
        let dump = [
            "SIMPLE  =                    T",
            "BITPIX  =                   16",
            "NAXIS   =                    2",
            "NAXIS1  =                 2048",
            "NAXIS2  =                 1024",
            "BZERO   =                32768",
            "CRPIX1  =               1024.0",
            "CRPIX2  =                512.0",
            "CD1_1   =           -0.0002476",
            "CD2_2   =            0.0002479",
            "END",
        ]
        .join("\n");
        let bytes = fits_from_dump(&dump, 256, 1);
        let lines: Vec<u8> = bytes[..2880]
            .chunks(80)
            .flat_map(|c| c.iter().copied().chain(std::iter::once(b'\n')))
            .collect();
        let headers = fits2caom2::Headers::from_dump_bytes(&lines, "x.fits.header").unwrap();
        let h = headers.primary().unwrap();
        assert_eq!(h.get_i64("NAXIS1"), Some(256));
        assert_eq!(h.get_i64("BITPIX"), Some(-32));
        assert_eq!(h.get_f64("CRPIX1"), Some(128.0));
        assert_eq!(h.get_f64("CRPIX2"), Some(128.0));
        assert!((h.get_f64("CD1_1").unwrap() + 0.0002476 * 8.0).abs() < 1e-15);
        assert!((h.get_f64("CD2_2").unwrap() - 0.0002479 * 4.0).abs() < 1e-15);
        assert!(h.get("BZERO").is_none());
        assert_eq!(
            bytes.len(),
            2880 + (256_usize * 256 * 4).div_ceil(2880) * 2880
        );
    }
}
