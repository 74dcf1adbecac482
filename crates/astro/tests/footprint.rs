//! Footprints and pixel reading on FITS files written here: float, integer with BLANK and
//! scaling, tile-compressed, gzipped, cubes, fully illuminated, dark, header dumps.

use astro::footprint::{self, FootprintError, FootprintOptions, Method};
use astro::pixels::Image;
use caom2::geometry;
use caom2::Point;
use fitsio::images::{ImageDescription, ImageType};
use fitsio::FitsFile;
use std::path::{Path, PathBuf};

const WCS: [(&str, &str); 4] = [
    ("CTYPE1", "RA---TAN"),
    ("CTYPE2", "DEC--TAN"),
    ("CUNIT1", "deg"),
    ("CUNIT2", "deg"),
];

/// Writes a float image with a TAN WCS centred on (150, 2), 1″ pixels.
fn write_float(path: &Path, nx: usize, ny: usize, data: &[f32], planes: usize) {
    let dims: Vec<usize> = if planes > 1 {
        vec![planes, ny, nx]
    } else {
        vec![ny, nx]
    };
    let desc = ImageDescription {
        data_type: ImageType::Float,
        dimensions: &dims,
    };
    let mut f = FitsFile::create(path)
        .with_custom_primary(&desc)
        .open()
        .expect("create");
    let hdu = f.primary_hdu().expect("hdu");
    hdu.write_image(&mut f, data).expect("write");
    write_wcs(&mut f, nx, ny);
}

fn write_wcs(f: &mut FitsFile, nx: usize, ny: usize) {
    let hdu = f.primary_hdu().expect("hdu");
    for (k, v) in WCS {
        hdu.write_key(f, k, v).expect("key");
    }
    hdu.write_key(f, "CRPIX1", (nx as f64 + 1.0) / 2.0)
        .expect("key");
    hdu.write_key(f, "CRPIX2", (ny as f64 + 1.0) / 2.0)
        .expect("key");
    hdu.write_key(f, "CRVAL1", 150.0).expect("key");
    hdu.write_key(f, "CRVAL2", 2.0).expect("key");
    hdu.write_key(f, "CD1_1", -1.0 / 3600.0).expect("key");
    hdu.write_key(f, "CD2_2", 1.0 / 3600.0).expect("key");
    hdu.write_key(f, "CD1_2", 0.0).expect("key");
    hdu.write_key(f, "CD2_1", 0.0).expect("key");
}

/// NaN outside the disc of radius `r` pixels about the image centre.
fn disc(nx: usize, ny: usize, r: f64) -> Vec<f32> {
    let (cx, cy) = ((nx as f64 + 1.0) / 2.0, (ny as f64 + 1.0) / 2.0);
    let mut v = Vec::with_capacity(nx * ny);
    for y in 1..=ny {
        for x in 1..=nx {
            let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
            v.push(if d <= r { (x + y) as f32 } else { f32::NAN });
        }
    }
    v
}

fn contains(points: &[Point], p: Point) -> bool {
    // winding test in a local tangent plane: adequate for these small fields
    let n = points.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (points[i], points[(i + 1) % n]);
        if (a.cval2 > p.cval2) != (b.cval2 > p.cval2) {
            let x = a.cval1 + (p.cval2 - a.cval2) / (b.cval2 - a.cval2) * (b.cval1 - a.cval1);
            if p.cval1 < x {
                inside = !inside;
            }
        }
    }
    inside
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn check_valid(fp: &footprint::Footprint) {
    assert!(fp.points.len() >= 3 && fp.points.len() <= 32, "{fp:?}");
    let props = geometry::validate_polygon_points(&fp.points).expect("valid polygon");
    assert!(props.ccw);
}

#[test]
fn disc_outline_from_float_pixels() {
    let dir = tmp();
    let path = dir.path().join("disc.fits");
    let (nx, ny) = (300, 200);
    write_float(&path, nx, ny, &disc(nx, ny, 80.0), 1);
    let fp = footprint::from_file(&path, None, &FootprintOptions::default()).expect("footprint");
    assert_eq!(fp.method, Method::Pixels);
    check_valid(&fp);
    assert_eq!((fp.lng_type.as_str(), fp.lat_type.as_str()), ("RA", "DEC"));
    // the disc's area is π 80² pixels of 1″: about 5.6e-3 square degrees... in arcsec²
    let area = geometry::polygon_properties(&fp.points).area * 3600.0 * 3600.0;
    let disc_area = std::f64::consts::PI * 80.0 * 80.0;
    assert!(
        (area - disc_area).abs() / disc_area < 0.06,
        "{area} vs {disc_area}"
    );
    assert!(contains(&fp.points, Point::new(150.0, 2.0)));
    // a corner of the image is dark, so it lies outside
    assert!(!contains(
        &fp.points,
        Point::new(150.0 + 140.0 / 3600.0, 2.0 - 90.0 / 3600.0)
    ));
    let illuminated = fp.illuminated.expect("fraction");
    assert!(illuminated > 0.3 && illuminated < 0.4, "{illuminated}");
}

#[test]
fn fully_illuminated_image_gives_the_wcs_corners() {
    let dir = tmp();
    let path = dir.path().join("full.fits");
    let (nx, ny) = (64, 48);
    write_float(&path, nx, ny, &vec![1.0; nx * ny], 1);
    let fp = footprint::from_file(&path, Some(0), &FootprintOptions::default()).expect("fp");
    assert_eq!(fp.method, Method::CornersFullyIlluminated);
    check_valid(&fp);
    assert_eq!(fp.points.len(), 4, "a TAN image has straight edges");
    let mut pixels = fp.pixels.clone();
    pixels.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));
    assert_eq!(
        pixels,
        vec![[0.5, 0.5], [0.5, 48.5], [64.5, 0.5], [64.5, 48.5]]
    );
}

#[test]
fn cube_planes_are_pooled() {
    let dir = tmp();
    let path = dir.path().join("cube.fits");
    let (nx, ny) = (40, 30);
    // plane 0 lights the left half, plane 1 the right half: together everything
    let mut data = vec![f32::NAN; 2 * nx * ny];
    for y in 0..ny {
        for x in 0..nx {
            if x < nx / 2 {
                data[y * nx + x] = 1.0;
            } else {
                data[nx * ny + y * nx + x] = 2.0;
            }
        }
    }
    write_float(&path, nx, ny, &data, 2);
    let image = Image::open(&path, None).expect("open");
    assert_eq!(image.shape(), &[40, 30, 2]);
    assert_eq!(image.planes(), 2);
    let p1: Vec<f32> = image.read_plane(1).expect("plane 1");
    assert!(p1[0].is_nan() && p1[nx - 1] == 2.0);
    assert!(image.read_plane::<f32>(2).is_err());
    let fp = footprint::from_file(&path, None, &FootprintOptions::default()).expect("fp");
    // every pixel is lit in some plane, but not in every plane: the outline is the grid
    check_valid(&fp);
    let area = geometry::polygon_properties(&fp.points).area * 3600.0 * 3600.0;
    assert!((area - 1200.0).abs() < 30.0, "{area}");
}

#[test]
fn integer_pixels_with_blank_and_scaling() {
    let dir = tmp();
    let path = dir.path().join("int16.fits");
    let (nx, ny) = (20, 10);
    let raw: Vec<i16> = (0..(nx * ny) as i16)
        .map(|i| if i % 7 == 0 { -32768 } else { i })
        .collect();
    {
        let desc = ImageDescription {
            data_type: ImageType::Short,
            dimensions: &[ny, nx],
        };
        let mut f = FitsFile::create(&path)
            .with_custom_primary(&desc)
            .open()
            .expect("create");
        let hdu = f.primary_hdu().expect("hdu");
        hdu.write_image(&mut f, &raw).expect("write");
        hdu.write_key(&mut f, "BLANK", -32768i64).expect("key");
        hdu.write_key(&mut f, "BSCALE", 2.0).expect("key");
        hdu.write_key(&mut f, "BZERO", 100.0).expect("key");
        write_wcs(&mut f, nx, ny);
    }
    let image = Image::open(&path, Some(0)).expect("open");
    assert_eq!(image.bitpix(), 16);
    let v: Vec<f64> = image.read_plane(0).expect("read");
    assert!(v[0].is_nan() && v[7].is_nan());
    assert_eq!(v[1], 102.0);
    assert_eq!(v[13], 126.0);
    let fp = footprint::from_file(&path, Some(0), &FootprintOptions::default()).expect("fp");
    check_valid(&fp);
    assert_eq!(fp.method, Method::Pixels);
}

fn gzip(src: &Path) -> PathBuf {
    use std::io::Write;
    let out = PathBuf::from(format!("{}.gz", src.display()));
    let bytes = std::fs::read(src).expect("read");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&out).expect("create"),
        flate2::Compression::default(),
    );
    enc.write_all(&bytes).expect("gzip");
    enc.finish().expect("gzip");
    out
}

#[test]
fn compressed_files_read_like_plain_ones() {
    let dir = tmp();
    let (nx, ny) = (120, 90);
    let data = disc(nx, ny, 40.0);
    let plain = dir.path().join("plain.fits");
    write_float(&plain, nx, ny, &data, 1);
    let reference = footprint::from_file(&plain, None, &FootprintOptions::default()).expect("fp");

    let gz = gzip(&plain);
    let fp = footprint::from_file(&gz, None, &FootprintOptions::default()).expect("gz fp");
    assert_eq!(fp.points, reference.points);

    // tile-compressed: 32-bit integers with BLANK for the dark pixels (cfitsio compresses
    // integers losslessly; floats it would quantize)
    let fz = dir.path().join("tiles.fits.fz");
    let ints: Vec<i32> = data
        .iter()
        .map(|v| if v.is_nan() { -999 } else { *v as i32 })
        .collect();
    {
        let spec = format!("{}[compress GZIP]", fz.display());
        let desc = ImageDescription {
            data_type: ImageType::Long,
            dimensions: &[ny, nx],
        };
        let mut f = FitsFile::create(&spec)
            .with_custom_primary(&ImageDescription {
                data_type: ImageType::Float,
                dimensions: &[],
            })
            .open()
            .expect("create fz");
        let hdu = f.create_image("SCI", &desc).expect("image");
        hdu.write_key(&mut f, "BLANK", -999i64).expect("key");
        hdu.write_image(&mut f, &ints).expect("write");
        for (k, v) in WCS {
            hdu.write_key(&mut f, k, v).expect("key");
        }
        for (k, v) in [
            ("CRPIX1", (nx as f64 + 1.0) / 2.0),
            ("CRPIX2", (ny as f64 + 1.0) / 2.0),
            ("CRVAL1", 150.0),
            ("CRVAL2", 2.0),
            ("CD1_1", -1.0 / 3600.0),
            ("CD2_2", 1.0 / 3600.0),
        ] {
            hdu.write_key(&mut f, k, v).expect("key");
        }
    }
    let image = Image::open(&fz, None).expect("open fz");
    assert_eq!(image.hdu(), 1);
    assert_eq!(image.bitpix(), 32);
    assert_eq!(image.plane_shape(), [nx, ny]);
    let back: Vec<f32> = image.read_plane(0).expect("read fz");
    assert!(back
        .iter()
        .zip(&data)
        .all(|(a, b)| (a.is_nan() && b.is_nan()) || a == b));
    let fp = footprint::from_file(&fz, None, &FootprintOptions::default()).expect("fz fp");
    assert_eq!(fp.points, reference.points);
}

#[test]
fn dark_and_broken_inputs_are_errors() {
    let dir = tmp();
    let dark = dir.path().join("dark.fits");
    write_float(&dark, 16, 16, &[f32::NAN; 256], 1);
    let e = footprint::from_file(&dark, None, &FootprintOptions::default()).unwrap_err();
    assert!(
        matches!(e, FootprintError::NothingIlluminated { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("dark.fits"), "{e}");

    let missing = dir.path().join("missing.fits");
    let e = footprint::from_file(&missing, None, &FootprintOptions::default()).unwrap_err();
    assert!(e.to_string().contains("missing.fits"), "{e}");

    let text = dir.path().join("junk.fits");
    std::fs::write(&text, b"not a FITS file at all").expect("write");
    assert!(footprint::from_file(&text, None, &FootprintOptions::default()).is_err());

    let e = footprint::from_file(&dark, Some(3), &FootprintOptions::default()).unwrap_err();
    assert!(matches!(e, FootprintError::NoSuchHdu { hdu: 3, .. }), "{e}");
}

#[test]
fn header_dump_gives_corners_and_nan_wcs_is_refused() {
    let dir = tmp();
    let card = |k: &str, v: &str| format!("{k:<8}= {v:<70}\n");
    let mut text = String::new();
    text += &card("SIMPLE", "T");
    text += &card("BITPIX", "-32");
    text += &card("NAXIS", "2");
    text += &card("NAXIS1", "2048");
    text += &card("NAXIS2", "4096");
    for (k, v) in WCS {
        text += &card(k, &format!("'{v}'"));
    }
    text += &card("CRPIX1", "1024.5");
    text += &card("CRPIX2", "2048.5");
    text += &card("CRVAL1", "10.0");
    text += &card("CRVAL2", "-89.0");
    text += &card("CD1_1", "-5.0E-05");
    text += &card("CD2_2", "5.0E-05");
    text += "END\n";
    let path = dir.path().join("image.fits.header");
    std::fs::write(&path, &text).expect("write");
    let fp = footprint::from_file(&path, None, &FootprintOptions::default()).expect("fp");
    assert_eq!(fp.method, Method::CornersNoPixels);
    check_valid(&fp);
    assert!(fp.illuminated.is_none());

    // a header without image axes (NAXIS = 0) has a WCS but no extent
    let empty = text.replace("NAXIS   = 2", "NAXIS   = 0");
    let path = dir.path().join("phu.fits.header");
    std::fs::write(&path, empty).expect("write");
    let e = footprint::from_file(&path, None, &FootprintOptions::default()).unwrap_err();
    assert!(matches!(e, FootprintError::NoImage { .. }), "{e}");

    let bad = text.replace("CRVAL2  = -89.0", "CRVAL2  = NaN  ");
    let path = dir.path().join("nan.fits.header");
    std::fs::write(&path, bad).expect("write");
    let e = footprint::from_file(&path, None, &FootprintOptions::default()).unwrap_err();
    assert!(e.to_string().contains("nan.fits.header"), "{e}");
}

#[test]
fn awkward_masks_give_valid_polygons() {
    let dir = tmp();
    let (nx, ny) = (240, 180);
    // a comb (deep narrow notches), noise specks, and a checkerboard corner
    let mut seed = 12345u64;
    let mut rand = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    let mut data = vec![f32::NAN; nx * ny];
    for y in 0..ny {
        for x in 0..nx {
            let comb = (20..160).contains(&y) && (20..220).contains(&x) && !(x % 20 < 3 && y > 40);
            let speck = rand() < 0.002;
            let checker = x < 16 && y < 16 && (x + y) % 2 == 0;
            if comb || speck || checker {
                data[y * nx + x] = 1.0;
            }
        }
    }
    let path = dir.path().join("comb.fits");
    write_float(&path, nx, ny, &data, 1);
    for max_vertices in [4, 8, 32, 200] {
        let options = FootprintOptions {
            max_vertices,
            ..FootprintOptions::default()
        };
        let fp = footprint::from_file(&path, None, &options).expect("footprint");
        assert!(
            fp.points.len() <= max_vertices.max(4),
            "{}",
            fp.points.len()
        );
        geometry::validate_polygon_points(&fp.points).expect("valid");
        // the comb's solid back (below the teeth) is inside
        assert!(contains(&fp.points, Point::new(150.0, 2.0 - 59.0 / 3600.0)));
    }
    // a ring: the hole is not a hole of the footprint
    let mut ring = vec![f32::NAN; nx * ny];
    for y in 0..ny {
        for x in 0..nx {
            let d = ((x as f64 - 120.0).powi(2) + (y as f64 - 90.0).powi(2)).sqrt();
            if (40.0..70.0).contains(&d) {
                ring[y * nx + x] = 1.0;
            }
        }
    }
    let path = dir.path().join("ring.fits");
    write_float(&path, nx, ny, &ring, 1);
    let fp = footprint::from_file(&path, None, &FootprintOptions::default()).expect("ring");
    geometry::validate_polygon_points(&fp.points).expect("valid");
    let area = geometry::polygon_properties(&fp.points).area * 3600.0 * 3600.0;
    assert!(area > std::f64::consts::PI * 60.0 * 60.0, "{area}");
}
