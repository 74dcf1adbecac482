//! Writes the generated sample records into a folder (default `testdata/records`).
//!
//! `cargo run -p caom2 --example make_samples [DIR]`

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "testdata/records".to_string());
    std::fs::create_dir_all(&dir)?;
    for (name, obs) in caom2::sample::records() {
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(&path, caom2::xml::write(&obs))?;
        println!("{}", path.display());
    }
    Ok(())
}
