//! Maps every conformance case of the fits2caom2 suite (and the TAOS HDF5 case) in-process:
//! read the inputs, apply the blueprint, build the observation, compute its checksums and
//! write its XML (to memory) — what one `caom2pipe fits2caom2` run does apart from process
//! start, loading the blueprints and writing the file. Blueprints are loaded once, as a
//! long-running pipeline would. The `fits2caom2-map-only` group times the engine alone on
//! headers already in memory.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fits2caom2::engine::{parser_for, Engine, Input, InputData, MapOptions, ParserKind};
use fits2caom2::run::run;
use fits2caom2::Headers;

fn mapping(c: &mut Criterion) {
    let Some(conf) = testkit::conformance_dir() else {
        return;
    };
    let registry = common::registry();
    let cases = common::timed_cases(&conf);
    let mut group = c.benchmark_group("fits2caom2");
    for case in cases {
        let module = case.module.as_deref().and_then(|m| registry.module(m));
        let engine = Engine::new(module, MapOptions::default());
        let blueprints = case.blueprints();
        let name = if case.dir.to_string_lossy().contains("/hdf5/") {
            format!("hdf5/{}", case.id)
        } else {
            case.id.clone()
        };
        group.bench_function(&name, |b| {
            b.iter(|| {
                let request = case.request(&blueprints);
                let mut obs = run(&engine, request).expect("mapping works").observation;
                caom2::checksum::update_checksums(&mut obs);
                caom2::xml::write(&obs)
            })
        });
    }
    group.finish();

    // the engine alone: headers already in memory (FITS cases with one input)
    let mut group = c.benchmark_group("fits2caom2-map-only");
    for case in common::cases(&conf.join("fits2caom2")) {
        let blueprints = case.blueprints();
        let request = case.request(&blueprints);
        if request.entries.len() != 1 || request.locals.len() != 1 {
            continue;
        }
        let (product_id, uri) = request.entries[0].clone();
        let local = request.locals[0].clone();
        if !matches!(parser_for(&uri, Some(&local)), Ok(ParserKind::Fits(_))) {
            continue;
        }
        let Ok(headers) = Headers::read(&local) else {
            continue;
        };
        let module = case.module.as_deref().and_then(|m| registry.module(m));
        let engine = Engine::new(module, MapOptions::default());
        let new = || Engine::new_observation(&case.collection, &case.obs_id, &[&blueprints[0]]);
        group.bench_function(&case.id, |b| {
            b.iter_batched(
                || (new(), headers.clone()),
                |(mut obs, headers)| {
                    engine
                        .augment(
                            &mut obs,
                            Input {
                                product_id: product_id.clone(),
                                uri: uri.clone(),
                                blueprint: &blueprints[0],
                                data: InputData::Headers(headers),
                            },
                        )
                        .expect("mapping works");
                    obs
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = mapping
}
criterion_main!(benches);
