//! Inputs of `bench/collections.sh`: FITS files made from every OMM conformance header
//! (generated sky pixels, `SIZE` × `SIZE`, WCS scaled to match), and `N` entries that link
//! to them in turn under new names (so each entry is its own observation):
//!
//!     cargo run --release -p collection-omm --example bench_inputs -- CASES_DIR OUT_DIR N SIZE
//!
//! `CASES_DIR` is the conformance folder's `collections/omm`; `OUT_DIR/src` gets the FITS
//! files, `OUT_DIR/data/NNN/` the links (1,000 per directory). With `SIZE` 0 the links are to
//! the header dumps themselves (mapping only, no pixels).

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, cases, out, n, size] = args.as_slice() else {
        return Err("usage: bench_inputs CASES_DIR OUT_DIR N SIZE".into());
    };
    let (n, size): (usize, usize) = (n.parse()?, size.parse()?);
    let out = std::path::absolute(Path::new(out))?;
    let src = out.join("src");
    std::fs::create_dir_all(&src)?;
    let mut dumps: Vec<PathBuf> = Vec::new();
    for case in std::fs::read_dir(cases)? {
        let case = case?.path();
        if !case.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(case)? {
            let p = f?.path();
            if p.to_string_lossy().ends_with(".fits.header") {
                dumps.push(p);
            }
        }
    }
    dumps.sort();
    let mut ids = Vec::new();
    let ext = if size == 0 { "fits.header" } else { "fits" };
    for (i, d) in dumps.iter().enumerate() {
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".fits.header").to_string();
        let target = src.join(format!("{id}.{ext}"));
        if size == 0 {
            std::fs::copy(d, target)?;
        } else {
            let text = std::fs::read_to_string(d)?;
            std::fs::write(target, omm::samples::fits_from_dump(&text, size, i as u64))?;
        }
        ids.push(id);
    }
    for i in 0..n {
        let (case, copy) = (i % ids.len(), i / ids.len());
        let id = &ids[case];
        // C + a new 6-digit night made of the copy and the case, then the rest of the name
        let name = format!("C{copy:04}{case:02}{}.{ext}", &id[7..]);
        let dir = out.join("data").join(format!("{:03}", i / 1000));
        std::fs::create_dir_all(&dir)?;
        let link = dir.join(&name);
        if !link.exists() {
            std::os::unix::fs::symlink(src.join(format!("{id}.{ext}")), link)?;
        }
    }
    println!(
        "{} source files, {n} entries in {}",
        ids.len(),
        out.display()
    );
    Ok(())
}
