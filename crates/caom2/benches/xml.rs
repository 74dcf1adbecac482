//! Read, checksum and write throughput on `sample-composite-caom24.xml` (the Java test
//! repository's complete 2.4 document, 258 kB, 31 entities), from the conformance folder.
//! Without that folder the generated complete sample is used instead.
//!
//! `cargo bench -p caom2 --bench xml`; `bench/compare_python.sh` puts the figures beside the
//! Python `caom2` package's on the same file.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn input() -> (String, Vec<u8>) {
    if let Some(dir) = testkit::conformance_dir() {
        let path = dir.join("xml/sample-composite-caom24.xml");
        if let Ok(bytes) = std::fs::read(&path) {
            return (path.display().to_string(), bytes);
        }
    }
    let obs = caom2::sample::complete_observation();
    (
        "generated complete sample".to_string(),
        caom2::xml::write(&obs).into_bytes(),
    )
}

fn bench(c: &mut Criterion) {
    let (name, bytes) = input();
    eprintln!("input: {name} ({} bytes)", bytes.len());
    let obs = caom2::xml::read(&bytes).expect("benchmark input must read");

    let mut g = c.benchmark_group("caom2-xml");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("read", |b| {
        b.iter(|| caom2::xml::read(black_box(&bytes)).unwrap())
    });
    g.bench_function("write", |b| b.iter(|| caom2::xml::write(black_box(&obs))));
    g.bench_function("checksum", |b| {
        b.iter(|| caom2::checksum::verify(black_box(&obs)))
    });
    g.bench_function("read+write", |b| {
        b.iter(|| {
            let o = caom2::xml::read(black_box(&bytes)).unwrap();
            caom2::xml::write(&o)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
