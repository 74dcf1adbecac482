//! Writes the synthetic demo FITS files (default `examples/demo/data`), or with
//! `--headers N DIR` N header dumps for benchmarks, or with `--sky N FILE` an N × N sky
//! image (float32; the preview benchmark's input).
//!
//! `cargo run -p execute --example make_demo [DIR]`
//! `cargo run --release -p execute --example make_demo -- --headers 10000 DIR`
//! `cargo run --release -p execute --example make_demo -- --sky 4096 sky.fits`

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--headers") {
        let n: usize = args
            .get(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("usage: make_demo --headers N DIR"))?;
        let dir = args
            .get(2)
            .ok_or_else(|| std::io::Error::other("usage: make_demo --headers N DIR"))?;
        execute::synth::write_bench_headers(std::path::Path::new(dir), n)?;
        println!("{n} header dumps in {dir}");
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--sky") {
        let usage = || std::io::Error::other("usage: make_demo --sky N FILE");
        let n: usize = args.get(1).and_then(|s| s.parse().ok()).ok_or_else(usage)?;
        let file = args.get(2).ok_or_else(usage)?;
        std::fs::write(file, execute::synth::sky_fits(n, n, 1))?;
        println!("{n} × {n} sky image in {file}");
        return Ok(());
    }
    let dir = args
        .first()
        .cloned()
        .unwrap_or_else(|| "examples/demo/data".to_string());
    let files = execute::synth::demo_files();
    execute::synth::write_files(std::path::Path::new(&dir), &files)?;
    print!("{}", execute::synth::describe(&files));
    Ok(())
}
