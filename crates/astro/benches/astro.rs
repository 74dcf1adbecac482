//! Plane compute of a 40-chunk observation (a MegaCam-like mosaic: 40 CCDs, each with a
//! TAN CD-matrix function, an energy range and a time range), and the footprint of a
//! 4096 × 4096 float32 image read from disk.
//!
//! `cargo bench -p astro --bench astro`; figures in bench/README.md.

mod common;
use common::best_of;

use astro::compute;
use astro::footprint::{self, FootprintOptions};
use caom2::*;
use criterion::{criterion_group, criterion_main, Criterion};
use fitsio::images::{ImageDescription, ImageType};
use fitsio::FitsFile;
use std::hint::black_box;

/// One plane, one artifact, 40 parts of one chunk each.
fn mosaic(energy_function: bool) -> Plane {
    let uri = Uri::parse("cadc:BENCH/mosaic.fits").expect("uri");
    let mut artifact = Artifact::new(uri, ProductType::SCIENCE, ReleaseType::Data);
    for n in 0..40 {
        let (col, row) = ((n % 10) as f64, (n / 10) as f64);
        let mut axis = CoordAxis2D::new(
            Axis::new("RA---TAN", Some("deg")),
            Axis::new("DEC--TAN", Some("deg")),
        );
        axis.function = Some(CoordFunction2D {
            dimension: Dimension2D {
                naxis1: 2048,
                naxis2: 4612,
            },
            // each CCD with its own tangent point at its centre, as raw mosaic files have
            ref_coord: Coord2D {
                coord1: RefCoord::new(
                    1024.5,
                    150.1 + (col - 4.5) * 2100.0 * 5.1e-5 / 2.2f64.to_radians().cos(),
                ),
                coord2: RefCoord::new(2306.5, 2.2 + (row - 1.5) * 4700.0 * 5.1e-5),
            },
            cd11: -5.1e-5,
            cd12: 1.0e-7,
            cd21: -1.0e-7,
            cd22: 5.1e-5,
        });
        let mut position = SpatialWcs::new(axis);
        position.coordsys = Some("ICRS".into());
        position.equinox = Some(2000.0);
        position.resolution = Some(0.7);

        let mut e = CoordAxis1D::new(Axis::new("WAVE", Some("nm")));
        if energy_function {
            e.function = Some(CoordFunction1D {
                naxis: 1,
                delta: 140.0,
                ref_coord: RefCoord::new(0.5, 550.0),
            });
        } else {
            e.range = Some(CoordRange1D {
                start: RefCoord::new(0.5, 550.0),
                end: RefCoord::new(1.5, 690.0),
            });
        }
        let mut energy = SpectralWcs::new(e, "TOPOCENT");
        energy.bandpass_name = Some("r.MP9602".into());
        energy.resolving_power = Some(4.5);

        let mut t = CoordAxis1D::new(Axis::new("UTC", Some("d")));
        t.range = Some(CoordRange1D {
            start: RefCoord::new(0.5, 58000.3),
            end: RefCoord::new(1.5, 58000.3 + 300.0 / 86400.0),
        });
        let mut time = TemporalWcs::new(t);
        time.exposure = Some(300.0);
        time.resolution = Some(300.0);

        let mut chunk = Chunk::new();
        chunk.naxis = Some(2);
        chunk.position_axis1 = Some(1);
        chunk.position_axis2 = Some(2);
        chunk.position = Some(position);
        chunk.energy = Some(energy);
        chunk.time = Some(time);
        let mut part = Part::new(format!("{}", n + 1));
        part.chunks.push(chunk);
        artifact.parts.push(part);
    }
    let mut plane = Plane::new("p");
    plane.artifacts.push(artifact);
    plane
}

/// A 4096² float32 image: a tilted, illuminated rectangle in a NaN frame, with a TAN WCS.
fn big_image(dir: &std::path::Path) -> std::path::PathBuf {
    let n = 4096usize;
    let path = dir.join("big.fits");
    let mut data = vec![f32::NAN; n * n];
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    for y in 0..n {
        for x in 0..n {
            let (dx, dy) = (x as f64 - 2048.0, y as f64 - 2048.0);
            let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
            if u.abs() < 1500.0 && v.abs() < 1100.0 {
                data[y * n + x] = (x ^ y) as f32;
            }
        }
    }
    let desc = ImageDescription {
        data_type: ImageType::Float,
        dimensions: &[n, n],
    };
    let mut f = FitsFile::create(&path)
        .with_custom_primary(&desc)
        .open()
        .expect("create");
    let hdu = f.primary_hdu().expect("hdu");
    hdu.write_image(&mut f, &data).expect("write");
    for (k, v) in [("CTYPE1", "RA---TAN"), ("CTYPE2", "DEC--TAN")] {
        hdu.write_key(&mut f, k, v).expect("key");
    }
    for (k, v) in [
        ("CRPIX1", 2048.5),
        ("CRPIX2", 2048.5),
        ("CRVAL1", 150.1),
        ("CRVAL2", 2.2),
        ("CD1_1", -5.0e-5),
        ("CD2_2", 5.0e-5),
    ] {
        hdu.write_key(&mut f, k, v).expect("key");
    }
    path
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("compute");
    for (name, energy_function) in [
        ("40 chunks", false),
        ("40 chunks, spectral functions", true),
    ] {
        let plane = mosaic(energy_function);
        let m = compute::compute(&plane.artifacts);
        assert!(
            m.position.is_ok() && m.energy.is_ok() && m.time.is_ok(),
            "{m:?}"
        );
        let best = best_of(2000, || {
            black_box(compute::compute(black_box(&plane.artifacts)));
        });
        eprintln!("compute/{name}: best of 2000 runs {best:?}");
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut p = plane.clone();
                compute::compute_plane(black_box(&mut p)).expect("compute");
                p
            })
        });
    }
    g.finish();

    let dir = tempfile::tempdir().expect("tempdir");
    let path = big_image(dir.path());
    let options = FootprintOptions::default();
    let fp = footprint::from_file(&path, None, &options).expect("footprint");
    eprintln!(
        "footprint: {} vertices, {:?}, {:.1}% illuminated",
        fp.points.len(),
        fp.method,
        100.0 * fp.illuminated.unwrap_or(0.0)
    );
    let best = best_of(20, || {
        black_box(footprint::from_file(&path, None, &options).expect("footprint"));
    });
    eprintln!("footprint/4096x4096 float32 from disk: best of 20 runs {best:?}");
    let mut g = c.benchmark_group("footprint");
    g.sample_size(20);
    g.bench_function("4096x4096 float32 from disk", |b| {
        b.iter(|| footprint::from_file(black_box(&path), None, &options).expect("footprint"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
