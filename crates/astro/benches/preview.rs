//! Previews of a 4096 × 4096 float32 image read from disk: a 1024-pixel JPEG (or PNG) and a
//! 256-pixel thumbnail, zscale, linear, gray; the read alone for comparison; and a long-slit
//! spectrum plot.
//!
//! `cargo bench -p astro --bench preview` (one core: `taskset -c 1 cargo bench ...`);
//! `PREVIEW_BENCH_FILE=sky.fits` renders that file instead of the bench's own star field
//! (`bench/compare_previews.sh` passes the file it gives the Python path). Figures in
//! bench/README.md.

mod common;
use common::best_of;

use astro::encode::ImageFormat;
use astro::pixels::Image;
use astro::preview::{self, PreviewStyle};
use astro::render::{self, PlaneChoice, Rect};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A FITS file of float32 pixels written by hand (header, big-endian data, padding).
fn write_fits(path: &Path, axes: &[usize], cards: &[(&str, &str)], data: &[f32]) {
    let mut text = String::new();
    let mut card = |k: &str, v: &str| text.push_str(&format!("{k:<8}= {v:>20}{:50}", ""));
    card("SIMPLE", "T");
    card("BITPIX", "-32");
    card("NAXIS", &axes.len().to_string());
    for (i, n) in axes.iter().enumerate() {
        card(&format!("NAXIS{}", i + 1), &n.to_string());
    }
    for (k, v) in cards {
        card(k, v);
    }
    text.push_str(&format!("{:<80}", "END"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut head = text.into_bytes();
    head.resize(head.len().div_ceil(2880) * 2880, b' ');
    out.write_all(&head).expect("write");
    for v in data {
        out.write_all(&v.to_be_bytes()).expect("write");
    }
    let pad = (2880 - (data.len() * 4) % 2880) % 2880;
    out.write_all(&vec![0u8; pad]).expect("write");
}

/// 4096² float32: sky 1000 with noise, 2000 Gaussian stars.
fn star_field(dir: &Path) -> PathBuf {
    let n = 4096usize;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut data: Vec<f32> = (0..n * n)
        .map(|_| (1000.0 + 17.3 * (next() + next() + next() + next() - 2.0)) as f32)
        .collect();
    for _ in 0..2000 {
        let (cx, cy) = (next() * n as f64, next() * n as f64);
        let peak = 50.0 * 10f64.powf(3.0 * next());
        for dy in -8i64..=8 {
            for dx in -8i64..=8 {
                let (px, py) = (cx as i64 + dx, cy as i64 + dy);
                if px >= 0 && py >= 0 && (px as usize) < n && (py as usize) < n {
                    let d2 = (dx * dx + dy * dy) as f64;
                    data[py as usize * n + px as usize] += (peak * (-d2 / 6.5).exp()) as f32;
                }
            }
        }
    }
    let path = dir.join("stars.fits");
    write_fits(&path, &[n, n], &[], &data);
    path
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = match std::env::var_os("PREVIEW_BENCH_FILE") {
        Some(p) => PathBuf::from(p),
        None => star_field(dir.path()),
    };
    let jpeg = PreviewStyle::default();
    let png = PreviewStyle {
        format: ImageFormat::Png,
        ..PreviewStyle::default()
    };
    let p = preview::make(&path, &jpeg, "bench").expect("preview");
    eprintln!(
        "preview: {} ({} and {} bytes)",
        p.description,
        p.preview.bytes.len(),
        p.thumbnail.bytes.len()
    );
    let mut g = c.benchmark_group("preview");
    g.sample_size(20);
    for (name, spec) in [
        ("4096x4096 float32 to 1024 JPEG + 256 thumbnail", &jpeg),
        ("4096x4096 float32 to 1024 PNG + 256 thumbnail", &png),
    ] {
        let best = best_of(20, || {
            black_box(preview::make(&path, spec, "bench").expect("preview"));
        });
        eprintln!("preview/{name}: best of 20 runs {best:?}");
        g.bench_function(name, |b| {
            b.iter(|| preview::make(black_box(&path), spec, "bench").expect("preview"))
        });
    }
    let read = || {
        let image = Image::open(&path, None).expect("open");
        let [nx, ny] = image.plane_shape();
        let mut sum = 0.0f32;
        render::for_each_row(
            &image,
            PlaneChoice::Index(0),
            Rect::full(nx, ny),
            |_, row| {
                sum += row[0];
            },
        )
        .expect("read");
        black_box(sum);
    };
    let best = best_of(20, read);
    eprintln!("preview/read only: best of 20 runs {best:?}");
    g.bench_function("4096x4096 float32 read only", |b| b.iter(read));

    // a long-slit spectrum: 4096 pixels along the dispersion, 512 along the slit
    let (nx, ny) = (4096usize, 512usize);
    let slit: Vec<f32> = (0..nx * ny)
        .map(|i| {
            let x = (i % nx) as f32;
            5000.0 - 3000.0 * (-((x - 1500.0) / 12.0).powi(2)).exp() + (i % 17) as f32
        })
        .collect();
    let spectrum = dir.path().join("slit.fits");
    write_fits(
        &spectrum,
        &[nx, ny],
        &[
            ("CTYPE1", "'WAVE    '"),
            ("CUNIT1", "'Angstrom'"),
            ("CRVAL1", "3900.0"),
            ("CDELT1", "0.3"),
            ("CRPIX1", "1.0"),
            ("DISPAXIS", "1"),
        ],
        &slit,
    );
    let best = best_of(20, || {
        black_box(preview::make(&spectrum, &png, "bench").expect("spectrum"));
    });
    eprintln!("preview/long-slit 4096x512 to 1024x768 PNG plot: best of 20 runs {best:?}");
    g.bench_function("long-slit 4096x512 to PNG plot", |b| {
        b.iter(|| preview::make(black_box(&spectrum), &png, "bench").expect("spectrum"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
