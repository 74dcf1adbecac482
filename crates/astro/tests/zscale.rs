//! zscale and percentile limits pinned to astropy 8.0.2 (numpy 2.4.6) on known arrays
//! (`tests/zscale_astropy.py` prints the table), in memory and through the streaming
//! renderer reading the same values from FITS files.

use astro::pixels::Image;
use astro::render::{self, ImageSpec, PlaneChoice, Scaling};
use astro::stretch::Stretch;
use astro::zscale::ZScale;
use fitsio::images::{ImageDescription, ImageType};
use fitsio::FitsFile;

/// (array, contrast, n_samples, astropy vmin, astropy vmax)
const ZSCALE: &[(&str, f64, usize, f64, f64)] = &[
    ("ramp", 0.25, 1000, 0.0, 9990.0),
    ("ramp", 0.99, 1000, 0.0, 9990.0),
    ("ramp", 0.25, 600, 0.0, 9584.0),
    ("sky", 0.25, 1000, 950.0, 1212.4696889123793),
    ("sky", 0.99, 1000, 950.1076054565793, 1055.709517402116),
    ("sky", 0.25, 600, 950.0, 1203.8534543943579),
    (
        "gradient",
        0.25,
        1000,
        -172.70106491707372,
        462.8030090332031,
    ),
    (
        "gradient",
        0.99,
        1000,
        201.59323077575476,
        455.25653357962943,
    ),
    ("gradient", 0.25, 600, -172.0933373472339, 458.25),
    ("tiny", 0.25, 1000, 3.0, 9.0),
    ("tiny", 0.99, 1000, 3.0, 9.0),
    ("tiny", 0.25, 600, 3.0, 9.0),
    ("two_levels", 0.25, 1000, 10.0, 20.0),
    ("two_levels", 0.99, 1000, 13.28622892259256, 20.0),
    ("two_levels", 0.25, 600, 10.0, 20.0),
];

/// (array, low, high, astropy PercentileInterval(96) limits)
const PERCENTILES: &[(&str, f64, f64, f64, f64)] = &[
    ("ramp", 2.0, 98.0, 199.98000000000002, 9799.02),
    ("sky", 2.0, 98.0, 951.7999877929688, 1049.0999755859375),
    ("gradient", 2.0, 98.0, 201.31900024414062, 447.3680114746094),
    ("tiny", 2.0, 98.0, 3.08, 8.84),
    ("two_levels", 2.0, 98.0, 10.0, 20.0),
];

/// x ← (1103515245 x + 12345) mod 2³¹, n values.
fn lcg(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = (1_103_515_245 * x + 12_345) % (1 << 31);
            x
        })
        .collect()
}

/// The arrays of `zscale_astropy.py`, value for value.
fn array(name: &str) -> Vec<f32> {
    match name {
        "ramp" => (0..10_000).map(|i| i as f32).collect(),
        "sky" => {
            let mut v: Vec<f32> = lcg(40_000, 7)
                .iter()
                .map(|u| (1000.0 + (u % 1001) as f64 / 10.0 - 50.0) as f32)
                .collect();
            v.iter_mut().step_by(97).for_each(|x| *x = 60_000.0);
            v
        }
        "gradient" => {
            let u = lcg(4 * 250_000, 11);
            let mut v: Vec<f32> = (0..250_000)
                .map(|i| {
                    let g = u[4 * i..4 * i + 4]
                        .iter()
                        .map(|x| (x % 10_000) as f64)
                        .sum::<f64>()
                        / 10_000.0
                        - 2.0;
                    (200.0 + 0.001 * i as f64 + 15.0 * g) as f32
                })
                .collect();
            v[1000..1500].iter_mut().for_each(|x| *x = f32::NAN);
            v.iter_mut()
                .skip(777)
                .step_by(5003)
                .for_each(|x| *x = f32::INFINITY);
            v[50_000..51_000].iter_mut().for_each(|x| *x = -500.0);
            v
        }
        "tiny" => vec![5.0, 3.0, f32::NAN, 9.0],
        "two_levels" => (0..5000)
            .map(|i| if i % 3 == 0 { 10.0 } else { 20.0 })
            .collect(),
        _ => unreachable!(),
    }
}

/// Agreement with astropy: the limits are data values or straight-line arithmetic on them,
/// so they agree to rounding (polyfit's least squares and ours differ in the last bits).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn zscale_limits_match_astropy() {
    for &(name, contrast, n, lo, hi) in ZSCALE {
        let z = ZScale {
            n_samples: n,
            contrast,
            ..ZScale::default()
        };
        let (a, b) = z.limits(&array(name)).expect("finite values");
        assert!(
            close(a, lo) && close(b, hi),
            "{name} contrast {contrast} n {n}: ({a}, {b}) vs astropy ({lo}, {hi})"
        );
    }
}

fn write(path: &std::path::Path, nx: usize, ny: usize, data: &[f32]) {
    let desc = ImageDescription {
        data_type: ImageType::Float,
        dimensions: &[ny, nx],
    };
    let mut f = FitsFile::create(path)
        .with_custom_primary(&desc)
        .open()
        .expect("create");
    let hdu = f.primary_hdu().expect("hdu");
    hdu.write_image(&mut f, data).expect("write");
}

fn render_limits(path: &std::path::Path, scaling: Scaling) -> (f64, f64, u32) {
    let image = Image::open(path, None).expect("open");
    let spec = ImageSpec {
        plane: PlaneChoice::Index(0),
        trim: None,
        scale_region: None,
        scaling,
        stretch: Stretch::Linear,
        inverted: false,
        size: 64,
    };
    let (_, summary) = render::render_image(&image, &spec).expect("render");
    (summary.limits.0, summary.limits.1, summary.passes)
}

/// The streaming renderer samples files as astropy samples arrays: the same limits, with a
/// second pass when blank pixels change the stride.
#[test]
fn streamed_limits_match_astropy() {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, nx, ny) in [
        ("sky", 200, 200),
        ("gradient", 500, 500),
        ("ramp", 100, 100),
    ] {
        let path = dir.path().join(format!("{name}.fits"));
        write(&path, nx, ny, &array(name));
        for &(_, contrast, n, lo, hi) in ZSCALE.iter().filter(|z| z.0 == name) {
            let z = ZScale {
                n_samples: n,
                contrast,
                ..ZScale::default()
            };
            let (a, b, passes) = render_limits(&path, Scaling::ZScale(z));
            assert!(
                close(a, lo) && close(b, hi),
                "{name} contrast {contrast} n {n}: ({a}, {b}) vs astropy ({lo}, {hi})"
            );
            // the gradient has NaN and infinite pixels
            assert_eq!(passes, if name == "gradient" { 2 } else { 1 }, "{name}");
        }
        for &(_, low, high, lo, hi) in PERCENTILES.iter().filter(|p| p.0 == name) {
            let (a, b, _) = render_limits(&path, Scaling::Percentile { low, high });
            assert!(
                close(a, lo) && close(b, hi),
                "{name} percentiles: ({a}, {b}) vs astropy ({lo}, {hi})"
            );
        }
    }
}
