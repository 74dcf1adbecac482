//! Writes the OMM sample files (`omm::samples::files`) into `examples/omm/data/`, or into
//! the directory given:
//!
//!     cargo run -p collection-omm --example make_samples [DIR]

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/omm/data")
        });
    let files = omm::samples::files(omm::samples::EXAMPLE_SIZE);
    execute::synth::write_files(&dir, &files)?;
    for f in &files {
        println!("{} ({} bytes)", dir.join(&f.name).display(), f.bytes.len());
    }
    Ok(())
}
