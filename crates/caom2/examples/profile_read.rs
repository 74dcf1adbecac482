//! Reads one CAOM document N times: a steady workload for profilers
//! (`valgrind --tool=callgrind target/release/examples/profile_read FILE 20`).
//!
//! `cargo run --release -p caom2 --example profile_read -- FILE [N]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: profile_read FILE [N]")?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200);
    let bytes = std::fs::read(&path)?;
    let mut planes = 0;
    for _ in 0..n {
        planes += caom2::xml::read(&bytes)?.planes.len();
    }
    println!("{n} reads of {path}: {planes} planes in total");
    Ok(())
}
