//! Previews and thumbnails of FITS files written here: every BITPIX with BSCALE/BZERO and
//! BLANK, NaN, tile-compressed and gzipped files, cube planes and collapses, trim sections,
//! spectra (1-D and long-slit), the output files (size, format, not blank, not saturated),
//! and the inputs that give no preview.

use astro::encode::{self, ImageFormat};
use astro::pixels::Image;
use astro::preview::{self, ColorMap, PreviewError, PreviewKind, PreviewStyle, Section, Trim};
use astro::render::{self, ImageSpec, PlaneChoice, RenderError, Scaling};
use astro::stretch::Stretch;
use astro::zscale::ZScale;
use manage::preview::Scaling as StyleScaling;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A header value.
enum V<'a> {
    I(i64),
    F(f64),
    S(&'a str),
}

/// One HDU of a hand-written FITS file: header cards and raw big-endian data.
fn hdu(first: bool, bitpix: i64, axes: &[usize], cards: &[(&str, V)], data: &[u8]) -> Vec<u8> {
    let mut text = String::new();
    let mut card = |k: &str, v: String| text.push_str(&format!("{k:<8}= {v:>20}{:50}", ""));
    if first {
        card("SIMPLE", "T".into());
    } else {
        card("XTENSION", "'IMAGE   '".into());
    }
    card("BITPIX", bitpix.to_string());
    card("NAXIS", axes.len().to_string());
    for (i, n) in axes.iter().enumerate() {
        card(&format!("NAXIS{}", i + 1), n.to_string());
    }
    if !first {
        card("PCOUNT", "0".into());
        card("GCOUNT", "1".into());
    }
    for (k, v) in cards {
        card(
            k,
            match v {
                V::I(i) => i.to_string(),
                V::F(f) => format!("{f:?}").to_uppercase(),
                V::S(s) => format!("'{s:<8}'"),
            },
        );
    }
    text.push_str(&format!("{:<80}", "END"));
    let mut out = text.into_bytes();
    while !out.len().is_multiple_of(2880) {
        out.push(b' ');
    }
    out.extend_from_slice(data);
    while !out.len().is_multiple_of(2880) {
        out.push(0);
    }
    out
}

fn be_f32(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn gzip(path: &Path) -> PathBuf {
    let out = PathBuf::from(format!("{}.gz", path.display()));
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&out).expect("create"),
        flate2::Compression::default(),
    );
    e.write_all(&std::fs::read(path).expect("read"))
        .expect("gzip");
    e.finish().expect("gzip");
    out
}

/// A sky of 1000 with ±20 of deterministic noise and a few bright sources: physical values
/// (integers, so every BITPIX holds them exactly after scaling).
fn sky(nx: usize, ny: usize) -> Vec<f64> {
    let mut x: u64 = 42;
    (0..nx * ny)
        .map(|i| {
            x = (1_103_515_245 * x + 12_345) % (1 << 31);
            let (px, py) = ((i % nx) as i64, (i / nx) as i64);
            let star = [(20, 30), (90, 70), (60, 10)]
                .iter()
                .map(|(sx, sy)| {
                    let d2 = (px - sx).pow(2) + (py - sy).pow(2);
                    if d2 < 9 {
                        4000 / (1 + d2)
                    } else {
                        0
                    }
                })
                .sum::<i64>();
            (1000 + (x % 41) as i64 - 20 + star) as f64
        })
        .collect()
}

fn spec(size: usize) -> ImageSpec {
    ImageSpec {
        plane: PlaneChoice::Index(0),
        trim: None,
        scale_region: None,
        scaling: Scaling::ZScale(ZScale::default()),
        stretch: Stretch::Linear,
        inverted: false,
        size,
    }
}

fn render_file(path: &Path, spec: &ImageSpec) -> render::Raster {
    let image = Image::open(path, None).expect("open");
    render::render_image(&image, spec).expect("render").0
}

#[test]
fn every_bitpix_scaling_blank_and_compression_renders_the_same() {
    let dir = tempfile::tempdir().expect("tmp");
    let (nx, ny) = (120, 80);
    let v = sky(nx, ny);
    // NaN / BLANK at a few pixels
    let blank: Vec<bool> = (0..nx * ny).map(|i| i % 53 == 7).collect();
    let reference: Vec<f32> = v
        .iter()
        .zip(&blank)
        .map(|(x, b)| if *b { f32::NAN } else { *x as f32 })
        .collect();
    let float = write(
        dir.path(),
        "f32.fits",
        &hdu(true, -32, &[nx, ny], &[], &be_f32(&reference)),
    );
    let expected = render_file(&float, &spec(256));
    let mut files = vec![];
    // BITPIX 8: physical = 20·raw + 880 (raw 0..255, BLANK 255 → no, 8-bit BLANK 0)
    let raw8: Vec<u8> = v
        .iter()
        .zip(&blank)
        .map(|(x, b)| {
            if *b {
                0
            } else {
                ((x - 880.0) / 20.0).round().clamp(1.0, 254.0) as u8
            }
        })
        .collect();
    let phys8: Vec<f32> = raw8
        .iter()
        .map(|r| {
            if *r == 0 {
                f32::NAN
            } else {
                880.0 + 20.0 * f32::from(*r)
            }
        })
        .collect();
    let b8 = write(
        dir.path(),
        "u8.fits",
        &hdu(
            true,
            8,
            &[nx, ny],
            &[
                ("BSCALE", V::F(20.0)),
                ("BZERO", V::F(880.0)),
                ("BLANK", V::I(0)),
            ],
            &raw8,
        ),
    );
    let f8 = write(
        dir.path(),
        "u8_as_float.fits",
        &hdu(true, -32, &[nx, ny], &[], &be_f32(&phys8)),
    );
    assert_eq!(
        render_file(&b8, &spec(256)),
        render_file(&f8, &spec(256)),
        "BITPIX 8"
    );
    // BITPIX 16 unsigned (BZERO 32768), 32 with BSCALE 0.5, 64 plain, -64
    let i16s: Vec<u8> = v
        .iter()
        .zip(&blank)
        .flat_map(|(x, b)| {
            let raw: i16 = if *b { -32768 } else { (*x - 32768.0) as i16 };
            raw.to_be_bytes()
        })
        .collect();
    files.push(write(
        dir.path(),
        "i16.fits",
        &hdu(
            true,
            16,
            &[nx, ny],
            &[
                ("BSCALE", V::F(1.0)),
                ("BZERO", V::F(32768.0)),
                ("BLANK", V::I(-32768)),
            ],
            &i16s,
        ),
    ));
    let i32s: Vec<u8> = v
        .iter()
        .zip(&blank)
        .flat_map(|(x, b)| {
            let raw: i32 = if *b { i32::MIN } else { (*x * 2.0) as i32 };
            raw.to_be_bytes()
        })
        .collect();
    files.push(write(
        dir.path(),
        "i32.fits",
        &hdu(
            true,
            32,
            &[nx, ny],
            &[("BSCALE", V::F(0.5)), ("BLANK", V::I(i64::from(i32::MIN)))],
            &i32s,
        ),
    ));
    let i64s: Vec<u8> = v
        .iter()
        .zip(&blank)
        .flat_map(|(x, b)| {
            let raw: i64 = if *b { -1 } else { *x as i64 };
            raw.to_be_bytes()
        })
        .collect();
    files.push(write(
        dir.path(),
        "i64.fits",
        &hdu(true, 64, &[nx, ny], &[("BLANK", V::I(-1))], &i64s),
    ));
    let f64s: Vec<u8> = reference
        .iter()
        .flat_map(|x| f64::from(*x).to_be_bytes())
        .collect();
    files.push(write(
        dir.path(),
        "f64.fits",
        &hdu(true, -64, &[nx, ny], &[], &f64s),
    ));
    files.push(gzip(&float));
    // tile-compressed (32-bit integers are compressed losslessly) in an extension
    let fz = dir.path().join("tiles.fits.fz");
    {
        use fitsio::images::{ImageDescription, ImageType};
        let spec = format!("{}[compress RICE]", fz.display());
        let mut f = fitsio::FitsFile::create(&spec)
            .with_custom_primary(&ImageDescription {
                data_type: ImageType::Float,
                dimensions: &[],
            })
            .open()
            .expect("create fz");
        let desc = ImageDescription {
            data_type: ImageType::Long,
            dimensions: &[ny, nx],
        };
        let h = f.create_image("SCI", &desc).expect("image");
        h.write_key(&mut f, "BLANK", -999i64).expect("key");
        let ints: Vec<i32> = v
            .iter()
            .zip(&blank)
            .map(|(x, b)| if *b { -999 } else { *x as i32 })
            .collect();
        h.write_image(&mut f, &ints).expect("write");
    }
    files.push(fz);
    for f in &files {
        assert_eq!(render_file(f, &spec(256)), expected, "{}", f.display());
        let image = Image::open(f, None).expect("open");
        let plane: Vec<f32> = image.read_plane(0).expect("read");
        let nan = plane.iter().filter(|x| x.is_nan()).count();
        assert_eq!(nan, blank.iter().filter(|b| **b).count(), "{}", f.display());
    }
}

/// A cube of three planes: a chosen plane, and mean / sum / max collapses, agree with the
/// same images written as 2-D files.
#[test]
fn cube_planes_and_collapses() {
    let dir = tempfile::tempdir().expect("tmp");
    let (nx, ny) = (64, 48);
    let planes: Vec<Vec<f32>> = (0..3)
        .map(|p| {
            sky(nx, ny)
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if p == 1 && i % 7 == 0 {
                        f32::NAN
                    } else {
                        (*v * (p + 1) as f64) as f32
                    }
                })
                .collect()
        })
        .collect();
    let all: Vec<f32> = planes.concat();
    let cube = write(
        dir.path(),
        "cube.fits",
        &hdu(true, -32, &[nx, ny, 3], &[], &be_f32(&all)),
    );
    let combine = |f: &dyn Fn(&[f32]) -> f32| -> Vec<f32> {
        (0..nx * ny)
            .map(|i| {
                let vals: Vec<f32> = planes
                    .iter()
                    .map(|p| p[i])
                    .filter(|v| v.is_finite())
                    .collect();
                f(&vals)
            })
            .collect()
    };
    let cases: Vec<(PlaneChoice, Vec<f32>)> = vec![
        (PlaneChoice::Index(2), planes[2].clone()),
        (
            PlaneChoice::Mean,
            combine(&|v| v.iter().sum::<f32>() / v.len() as f32),
        ),
        (PlaneChoice::Sum, combine(&|v| v.iter().sum::<f32>())),
        (
            PlaneChoice::Max,
            combine(&|v| v.iter().cloned().fold(f32::MIN, f32::max)),
        ),
    ];
    for (select, flat) in cases {
        let path = write(
            dir.path(),
            "flat.fits",
            &hdu(true, -32, &[nx, ny], &[], &be_f32(&flat)),
        );
        let s = ImageSpec {
            plane: select,
            ..spec(128)
        };
        assert_eq!(
            render_file(&cube, &s),
            render_file(&path, &spec(128)),
            "{select:?}"
        );
    }
    let image = Image::open(&cube, None).expect("open");
    let e = render::render_image(
        &image,
        &ImageSpec {
            plane: PlaneChoice::Index(3),
            ..spec(64)
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("plane 3 out of range (the image has 3)"),
        "{e}"
    );
}

/// DATASEC trimming, orientation (the first row at the bottom), min-max scaling, inverted
/// gray, square padding.
#[test]
fn trim_orientation_and_colour_map() {
    let dir = tempfile::tempdir().expect("tmp");
    let (nx, ny) = (40, 20);
    // an overscan strip of 1e6 in columns 33..40; rows ramp up from 0 (bottom) to 19 (top)
    let data: Vec<f32> = (0..nx * ny)
        .map(|i| if i % nx >= 32 { 1e6 } else { (i / nx) as f32 })
        .collect();
    let path = write(
        dir.path(),
        "ramp.fits",
        &hdu(
            true,
            -32,
            &[nx, ny],
            &[("DATASEC", V::S("[1:32,1:20]"))],
            &be_f32(&data),
        ),
    );
    let p = PreviewStyle {
        trim: Trim::Keyword("DATASEC".into()),
        scaling: StyleScaling::MinMax,
        format: ImageFormat::Png,
        preview_size: 64,
        thumbnail_size: 16,
        ..PreviewStyle::default()
    };
    let out = preview::make(&path, &p, "ramp").expect("preview");
    let (w, h, px) = decode_png(&out.preview.bytes);
    assert_eq!((w, h), (64, 40), "32 × 20 pixels trimmed, long side 64");
    // the top row of the picture is the last FITS row (the brightest), the bottom row the first
    assert_eq!(px[0], 255);
    assert_eq!(px[(h - 1) * w], 0);
    assert!(
        out.description.contains("trimmed to [1:32,1:20]"),
        "{}",
        out.description
    );
    // inverted gray and a square canvas
    let sq = PreviewStyle {
        colormap: ColorMap::InvertedGray,
        square: true,
        ..p.clone()
    };
    let out = preview::make(&path, &sq, "ramp").expect("preview");
    let (w, h, px) = decode_png(&out.preview.bytes);
    assert_eq!((w, h), (64, 64));
    assert_eq!(px[0], 255, "padding is the low end: white when inverted");
    assert_eq!(px[12 * w], 0, "the brightest row is black");
    let (tw, th, _) = decode_png(&out.thumbnail.bytes);
    assert_eq!((tw, th), (16, 16));
    // without the trim the overscan sets the maximum and the ramp is all black
    let whole = PreviewStyle {
        trim: Trim::None,
        ..p.clone()
    };
    let out = preview::make(&path, &whole, "ramp").expect("preview");
    let (_, _, px) = decode_png(&out.preview.bytes);
    assert_eq!(px[0], 0);
    // a section that is not inside the image is ignored, a fixed one is clipped
    let sec = PreviewStyle {
        trim: Trim::Section(Section {
            x1: 1,
            x2: 100,
            y1: 11,
            y2: 20,
        }),
        ..p
    };
    let out = preview::make(&path, &sec, "ramp").expect("preview");
    assert_eq!((out.preview.width, out.preview.height), (64, 16));
}

/// Decodes our PNG output (8-bit gray or RGB, one zlib stream).
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let (fmt, w, h) = encode::dimensions(bytes).expect("a PNG");
    assert_eq!(fmt, ImageFormat::Png);
    let bpp = if bytes[25] == 2 { 3 } else { 1 };
    let mut i = 8;
    let mut idat = Vec::new();
    while i < bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().expect("len")) as usize;
        if &bytes[i + 4..i + 8] == b"IDAT" {
            idat.extend_from_slice(&bytes[i + 8..i + 8 + len]);
        }
        i += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("zlib");
    let stride = w * bpp;
    let mut out: Vec<u8> = Vec::with_capacity(stride * h);
    for y in 0..h {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        for x in 0..stride {
            let a = if x >= bpp {
                out[y * stride + x - bpp]
            } else {
                0
            };
            let b = if y > 0 { out[(y - 1) * stride + x] } else { 0 };
            let c = if x >= bpp && y > 0 {
                out[(y - 1) * stride + x - bpp]
            } else {
                0
            };
            let p = i16::from(a) + i16::from(b) - i16::from(c);
            let paeth = {
                let (pa, pb, pc) = (
                    (p - i16::from(a)).abs(),
                    (p - i16::from(b)).abs(),
                    (p - i16::from(c)).abs(),
                );
                if pa <= pb && pa <= pc {
                    a
                } else if pb <= pc {
                    b
                } else {
                    c
                }
            };
            let v = line[1 + x];
            out.push(match line[0] {
                0 => v,
                1 => v.wrapping_add(a),
                2 => v.wrapping_add(b),
                3 => v.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                _ => v.wrapping_add(paeth),
            });
        }
    }
    (w, h, out)
}

fn decode_jpeg(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut d = jpeg_decoder::Decoder::new(bytes);
    let px = d.decode().expect("a JPEG");
    let info = d.info().expect("info");
    (usize::from(info.width), usize::from(info.height), px)
}

#[test]
fn jpeg_and_png_outputs_have_the_asked_size_and_show_something() {
    let dir = tempfile::tempdir().expect("tmp");
    let (nx, ny) = (300, 200);
    let data: Vec<f32> = sky(nx, ny).iter().map(|v| *v as f32).collect();
    let path = write(
        dir.path(),
        "sky.fits",
        &hdu(true, -32, &[nx, ny], &[], &be_f32(&data)),
    );
    for format in [ImageFormat::Jpeg, ImageFormat::Png] {
        let p = PreviewStyle {
            format,
            ..PreviewStyle::default()
        };
        let out = preview::make(&path, &p, "sky").expect("preview");
        for (pic, size) in [(&out.preview, (1024, 683)), (&out.thumbnail, (256, 171))] {
            assert_eq!(
                encode::dimensions(&pic.bytes),
                Some((format, size.0, size.1))
            );
            assert_eq!((pic.width, pic.height), size);
            let (w, h, px) = match format {
                ImageFormat::Jpeg => decode_jpeg(&pic.bytes),
                ImageFormat::Png => decode_png(&pic.bytes),
            };
            assert_eq!((w, h, px.len()), (size.0, size.1, size.0 * size.1));
            testkit::assert_not_blank_or_saturated(&px, &format!("{format:?} {size:?}"), 0.5, 32);
        }
        assert!(
            out.description
                .starts_with("image HDU 0, 300 × 200, zscale"),
            "{}",
            out.description
        );
    }
}

/// A 1-D spectrum and a long-slit frame are line plots with axes; the long-slit frame is
/// averaged along the slit.
#[test]
fn spectra_are_line_plots() {
    let dir = tempfile::tempdir().expect("tmp");
    let n = 2000;
    let flux: Vec<f32> = (0..n)
        .map(|i| 5000.0 - 3000.0 * (-((i as f32 - 700.0) / 15.0).powi(2)).exp())
        .collect();
    let wcs = [
        ("CTYPE1", V::S("WAVE")),
        ("CUNIT1", V::S("Angstrom")),
        ("CRVAL1", V::F(3900.0)),
        ("CDELT1", V::F(0.3)),
        ("CRPIX1", V::F(1.0)),
        ("OBJECT", V::S("HD 12345")),
        ("BUNIT", V::S("COUNTS")),
    ];
    let one = write(
        dir.path(),
        "s1.fits",
        &hdu(true, -32, &[n], &wcs, &be_f32(&flux)),
    );
    // long slit: 30 rows, the spectrum in each, a NaN row
    let slit: Vec<f32> = (0..30)
        .flat_map(|r| flux.iter().map(move |v| if r == 4 { f32::NAN } else { *v }))
        .collect();
    let mut slit_cards = vec![("DISPAXIS", V::I(1)), ("OBSMODE", V::S("long-slit"))];
    slit_cards.extend(wcs);
    let two = write(
        dir.path(),
        "s2.fits",
        &hdu(true, -32, &[n, 30], &slit_cards, &be_f32(&slit)),
    );
    for (path, along) in [(&one, ""), (&two, ", mean of 30 pixels along the slit")] {
        for format in [ImageFormat::Png, ImageFormat::Jpeg] {
            let p = PreviewStyle {
                format,
                ..PreviewStyle::default()
            };
            let out = preview::make(path, &p, "file").expect("preview");
            assert_eq!(
                out.description,
                format!("spectrum HDU 0, 2000 pixels along axis 1{along}, 1024 × 768 plot")
            );
            assert_eq!((out.preview.width, out.preview.height), (1024, 768));
            assert_eq!((out.thumbnail.width, out.thumbnail.height), (256, 192));
            if format == ImageFormat::Png {
                let (_, _, px) = decode_png(&out.preview.bytes);
                let blue = px.chunks_exact(3).filter(|p| p == &[31, 119, 180]).count();
                let black = px.chunks_exact(3).filter(|p| p == &[0, 0, 0]).count();
                assert!(
                    blue > 3000 && black > 3000,
                    "line {blue}, axes and text {black}"
                );
            }
        }
    }
    // the same spectrum drawn either way
    let a = preview::make(
        &one,
        &PreviewStyle {
            format: ImageFormat::Png,
            ..PreviewStyle::default()
        },
        "f",
    )
    .expect("1-D");
    let b = preview::make(
        &two,
        &PreviewStyle {
            format: ImageFormat::Png,
            ..PreviewStyle::default()
        },
        "f",
    )
    .expect("2-D");
    assert_eq!(a.preview.bytes, b.preview.bytes);
    // an image can be forced to a spectrum, and a spectrum to nothing else
    let forced = PreviewStyle {
        kind: PreviewKind::Spectrum,
        ..PreviewStyle::default()
    };
    let img = write(
        dir.path(),
        "img.fits",
        &hdu(true, -32, &[50, 40], &[], &be_f32(&vec![1.0; 2000])),
    );
    assert!(preview::make(&img, &forced, "x")
        .expect("forced")
        .description
        .starts_with("spectrum"));
}

fn no_preview(path: &Path, spec: &PreviewStyle) -> String {
    let e: PreviewError = preview::make(path, spec, "x").expect_err("no preview");
    e.to_string()
}

#[test]
fn bad_inputs_give_a_clear_message_and_no_preview() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let spec = PreviewStyle::default();
    let nan = write(
        d,
        "nan.fits",
        &hdu(true, -32, &[64, 64], &[], &be_f32(&vec![f32::NAN; 4096])),
    );
    let m = no_preview(&nan, &spec);
    assert!(
        m.contains("nan.fits: HDU 0: no finite pixels: every value is blank (BLANK) or NaN"),
        "{m}"
    );
    let blank16: Vec<u8> = (0..4096).flat_map(|_| (-1i16).to_be_bytes()).collect();
    let all_blank = write(
        d,
        "blank.fits",
        &hdu(true, 16, &[64, 64], &[("BLANK", V::I(-1))], &blank16),
    );
    assert!(no_preview(&all_blank, &spec).contains("no finite pixels"));
    let flat = write(
        d,
        "flat.fits",
        &hdu(true, -32, &[64, 64], &[], &be_f32(&vec![7.5; 4096])),
    );
    let m = no_preview(&flat, &spec);
    assert!(
        m.contains("flat.fits: HDU 0: constant image: every finite pixel is 7.5, nothing to show"),
        "{m}"
    );
    let one = write(
        d,
        "one.fits",
        &hdu(true, -32, &[1, 1], &[], &be_f32(&[3.0])),
    );
    let m = no_preview(&one, &spec);
    assert!(
        m.contains("one.fits: HDU 0: 1 × 1 pixels is too small for a preview"),
        "{m}"
    );
    // a 1-pixel spectrum too
    let one_d = write(d, "one_d.fits", &hdu(true, -32, &[1], &[], &be_f32(&[3.0])));
    assert!(no_preview(&one_d, &spec).contains("too small"));
    // NAXIS far beyond the data: the header promises 40 000 × 40 000 floats
    let huge = write(
        d,
        "huge.fits",
        &hdu(true, -32, &[40_000, 40_000], &[], &be_f32(&[1.0; 100])),
    );
    let m = no_preview(&huge, &spec);
    assert!(
        m.contains("huge.fits: HDU 0: the data unit is truncated: the header describes 6400000000 bytes of pixels from byte 2880, the file ends at byte 5760"),
        "{m}"
    );
    let wide = write(
        d,
        "wide.fits",
        &hdu(true, 8, &[2_000_000, 1], &[], &[0u8; 8]),
    );
    assert!(no_preview(&wide, &spec).contains("truncated"));
    // a truncated data unit: the last rows are missing
    let full = hdu(true, -32, &[100, 100], &[], &be_f32(&vec![1.0; 10_000]));
    let cut = write(d, "cut.fits", &full[..2880 + 20_000]);
    let m = no_preview(&cut, &spec);
    assert!(
        m.contains("cut.fits: HDU 0: the data unit is truncated"),
        "{m}"
    );
    // and the same in a gzipped file, found by cfitsio while reading
    let cut_gz = gzip(&cut);
    let m = no_preview(&cut_gz, &spec);
    assert!(m.contains("cut.fits.gz: HDU 0: the data unit is truncated: the file ends before the pixels the header describes (tried to move past end of file"), "{m}");
    // not FITS at all, missing, no image
    let junk = write(d, "junk.fits", b"this is not FITS");
    assert!(no_preview(&junk, &spec).contains("junk.fits: cannot open as FITS"));
    assert!(no_preview(&d.join("missing.fits"), &spec).contains("missing.fits"));
    let empty = write(d, "empty.fits", &hdu(true, 8, &[], &[], &[]));
    assert!(no_preview(&empty, &spec).contains("empty.fits: no HDU holds pixel data"));
    // the scaling region outside the image
    let sky_data: Vec<f32> = sky(50, 50).iter().map(|v| *v as f32).collect();
    let s = write(
        d,
        "s.fits",
        &hdu(true, -32, &[50, 50], &[], &be_f32(&sky_data)),
    );
    let region = PreviewStyle {
        scale_region: Some(Section {
            x1: 300,
            x2: 400,
            y1: 1,
            y2: 5,
        }),
        ..PreviewStyle::default()
    };
    assert!(no_preview(&s, &region).contains("in the scaling region"));
    // a NaN region where the limits are measured
    let mut holed = sky_data.clone();
    holed[..500].iter_mut().for_each(|v| *v = f32::NAN);
    let h = write(
        d,
        "h.fits",
        &hdu(true, -32, &[50, 50], &[], &be_f32(&holed)),
    );
    let region = PreviewStyle {
        scale_region: Some(Section {
            x1: 1,
            x2: 50,
            y1: 1,
            y2: 10,
        }),
        ..PreviewStyle::default()
    };
    let m = no_preview(&h, &region);
    assert!(m.contains("no finite pixels in the scaling region"), "{m}");
    // errors are typed: the render errors keep their cause
    match preview::make(&flat, &spec, "x") {
        Err(PreviewError::Render {
            source: RenderError::Constant { value },
            hdu: 0,
            ..
        }) => assert_eq!(value, 7.5),
        other => panic!("{other:?}"),
    }
}

/// The limits are measured where the style says (DAO's sky camera normalises on a
/// sub-region): a bright corner outside the region saturates.
#[test]
fn scale_region() {
    let dir = tempfile::tempdir().expect("tmp");
    let (nx, ny) = (100, 100);
    let data: Vec<f32> = (0..nx * ny)
        .map(|i| {
            if i % nx < 20 {
                1e5 + (i % 7) as f32
            } else {
                100.0 + (i % 13) as f32
            }
        })
        .collect();
    let path = write(
        dir.path(),
        "r.fits",
        &hdu(true, -32, &[nx, ny], &[], &be_f32(&data)),
    );
    let p = PreviewStyle {
        scale_region: Some(Section {
            x1: 21,
            x2: 100,
            y1: 1,
            y2: 100,
        }),
        scaling: StyleScaling::MinMax,
        format: ImageFormat::Png,
        preview_size: 100,
        ..PreviewStyle::default()
    };
    let out = preview::make(&path, &p, "r").expect("preview");
    let (_, _, px) = decode_png(&out.preview.bytes);
    assert_eq!(px[0], 255, "the bright strip is out of range");
    assert!(px[50] < 255 && px[50..].iter().any(|v| *v < 128));
    assert!(
        out.description.contains("min-max limits 100.000 … 112.000"),
        "{}",
        out.description
    );
}
