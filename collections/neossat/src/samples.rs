//! Sample NEOSSat files for the example under `examples/neossat/`, the tests and the
//! benchmark: headers written by this module (modelled on the science CCD's keywords, not
//! copied from any file) over generated sky pixels.
//!
//! [`files`] is two exposures as the CSA's site offers them: a science exposure in fine
//! point (raw, `cor` and `clean`) and a dark (raw). Raw files are unsigned 16-bit
//! (`BZERO = 32768`) with an overscan strip outside `DATASEC`; processed files are
//! 32-bit floats of the data section only.
//!
//! ```
//! let files = neossat::samples::files(64);
//! let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
//! assert_eq!(names, ["NEOS_SCI_2024075120000.fits", "NEOS_SCI_2024075120000_cor.fits",
//!                    "NEOS_SCI_2024075120000_clean.fits", "NEOS_SCI_2024075121500.fits"]);
//! ```

use execute::synth::{fits_file, sky_pixels, Hdr, Pixels, SampleFile, V};

/// Overscan columns of the raw images.
pub const OVERSCAN: usize = 32;

struct Exposure {
    stamp: &'static str,
    date_obs: &'static str,
    mode: &'static str,
    object: &'static str,
    product: &'static str,
}

fn header(e: &Exposure, nx: usize, ny: usize) -> Hdr {
    let raw = e.product == "raw";
    let mut h = Hdr::default();
    h.add("SIMPLE", V::Logical(true), "FITS STANDARD");
    h.add(
        "BITPIX",
        V::Int(if raw { 16 } else { -32 }),
        "Bits per pixel",
    );
    h.add("NAXIS", V::Int(2), "Number of axis");
    h.add("NAXIS1", V::Int(nx as i64), "Size of image - Xaxis");
    h.add("NAXIS2", V::Int(ny as i64), "Size of image - Yaxis");
    if raw {
        h.add("BSCALE", V::Int(1), "");
        h.add("BZERO", V::Int(32768), "zero def of pixel (unsigned short)");
        let data = format!("[{}:{nx},1:{ny}]", OVERSCAN + 1);
        h.add(
            "BIASSEC",
            V::from(&format!("[1:{OVERSCAN},1:{ny}]")),
            "Overscan",
        );
        h.add("TRIMSEC", V::from(&data), "Data Coord., in Image System");
        h.add("DATASEC", V::from(&data), "Data Coord., in Image System");
    }
    h.add("XBINNING", V::Int(2), "Binning X direction");
    h.add("YBINNING", V::Int(2), "Binning Y direction");
    h.add("CREATOR", V::from("NEOSSat"), "Origin of Fits file");
    h.add("TELESCOP", V::from("NEOSSat"), "NEOSSat");
    h.add("INSTRUME", V::from("NEOSSat_Science"), "Instrument used");
    h.add("TIMESYS", V::from("UTC"), "Time scale specification");
    h.add(
        "EXPOSURE",
        V::Float(50.0121),
        "[s] Actual Length of exposure",
    );
    h.add("DATE-OBS", V::from(e.date_obs), "Date of observation");
    h.add(
        "EQUINOX",
        V::Float(2000.0),
        "Equatorial coordinates are J2000",
    );
    h.add("MODE", V::from(e.mode), "Satellite pointing state");
    h.add("OBJCTRA", V::from("13 29 52.7"), "[hrs min sec] Actual RA");
    h.add(
        "OBJCTDEC",
        V::from("+47 11 43"),
        "[degrees min sec] Actual Dec",
    );
    h.add("RA", V::from("13:29:52.7"), "[hrs:min:sec] Actual RA");
    h.add("DEC", V::from("+47:11:43"), "[degrees:min:sec] Actual Dec");
    h.add("OBJCTROL", V::Float(112.5), "[deg] Actual Roll");
    h.add("OBJECT", V::from(e.object), "Prime object name (MPS)");
    h.add(
        "TARGTYPE",
        V::from("FIELD"),
        "Target type (FIELD || OBJECT)",
    );
    h.add("MOVING", V::from("F"), "Flag, whether the target is moving");
    h.add("PROP_ID", V::from("C4P012"), "Proposal ID");
    h.add("PI_NAME", V::from("A.ASTRONOMER"), "Principal Investigator");
    h.add("FILTER", V::from("CLEAR"), "Filters in the beam");
    h.add("WAVELENG", V::Int(6000), "Central wavelength (Angstrom)");
    h.add(
        "BANDPASS",
        V::from("4000,9000"),
        "Approximate bandpass (Angstrom)",
    );
    let (sw, ver) = if raw {
        ("JNEOFITS 2.10", "2.10")
    } else {
        ("JNEOFITS, neossatlib.py", "2.10, 1.2")
    };
    h.add("CONV_SW", V::from(sw), "FITS conversion software");
    h.add("CONV_VER", V::from(ver), "FITS conversion software version");
    if !raw {
        h.add(
            "RUNID",
            V::from("2024-03-16T02:11:40"),
            "Timestamp of the processing run",
        );
    }
    h
}

/// The sample files; the data section is `n` × `n` pixels.
pub fn files(n: usize) -> Vec<SampleFile> {
    let exposures = [
        Exposure {
            stamp: "2024075120000",
            date_obs: "2024-03-15T12:00:00.412",
            mode: "16 - FINE_POINT",
            object: "M51 field",
            product: "raw",
        },
        Exposure {
            stamp: "2024075120000",
            date_obs: "2024-03-15T12:00:00.412",
            mode: "16 - FINE_POINT",
            object: "M51 field",
            product: "cor",
        },
        Exposure {
            stamp: "2024075120000",
            date_obs: "2024-03-15T12:00:00.412",
            mode: "16 - FINE_POINT",
            object: "M51 field",
            product: "clean",
        },
        Exposure {
            stamp: "2024075121500",
            date_obs: "2024-03-15T12:15:00.087",
            mode: "16 - FINE_POINT",
            object: "DARK",
            product: "raw",
        },
    ];
    exposures
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let seed = 75 + i as u64 / 3;
            let sky = sky_pixels(n, n, seed);
            let (name, hdu) = if e.product == "raw" {
                let nx = n + OVERSCAN;
                let dark = e.object == "DARK";
                let mut data = Vec::with_capacity(nx * n);
                for row in sky.chunks_exact(n) {
                    // bias level in the overscan, bias plus sky (or dark current) beyond
                    data.extend(std::iter::repeat_n(300.0_f32, OVERSCAN));
                    data.extend(row.iter().map(|v| {
                        if dark {
                            310.0 + (v - 1000.0) * 0.1
                        } else {
                            300.0 + v
                        }
                    }));
                }
                let pixels: Vec<i16> = data
                    .iter()
                    .map(|v| (v.round().clamp(0.0, 65535.0) as i32 - 32768) as i16)
                    .collect();
                (
                    format!("NEOS_SCI_{}.fits", e.stamp),
                    (header(e, nx, n), Pixels::I16(pixels)),
                )
            } else {
                (
                    format!("NEOS_SCI_{}_{}.fits", e.stamp, e.product),
                    (header(e, n, n), Pixels::F32(sky)),
                )
            };
            SampleFile {
                name,
                bytes: fits_file(&[hdu]),
            }
        })
        .collect()
}
