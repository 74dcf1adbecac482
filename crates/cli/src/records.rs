//! The record tools: `xml fmt`, `xml check`, `diff`, `validate`.

use anyhow::{Context, Result};
use caom2::{checksum, xml, Observation};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Reads a CAOM document, refusing oversized files before loading them.
pub fn read_observation(path: &Path) -> Result<Observation> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.len() > xml::MAX_DOCUMENT_BYTES as u64 {
        anyhow::bail!(
            "{}: {} bytes is more than the limit of {} bytes for a CAOM document",
            path.display(),
            meta.len(),
            xml::MAX_DOCUMENT_BYTES
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    xml::read(&bytes)
        .map_err(|e| anyhow::anyhow!("{}:{}:{}: {}", path.display(), e.line, e.column, e.message))
}

/// Writes bytes to a file atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}

pub fn fmt(input: &Path, output: Option<&Path>) -> Result<ExitCode> {
    let obs = read_observation(input)?;
    let text = xml::write(&obs);
    match output {
        Some(out) => write_atomic(out, text.as_bytes())?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes())?;
            lock.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn check(files: &[impl AsRef<Path>]) -> Result<ExitCode> {
    let (mut passed, mut failed) = (0, 0);
    for f in files {
        let f = f.as_ref();
        let obs = match read_observation(f) {
            Ok(o) => o,
            Err(e) => {
                println!("{}: FAIL cannot read: {e:#}", f.display());
                failed += 1;
                continue;
            }
        };
        let v = checksum::verify(&obs);
        let round_trip = round_trip_problem(&obs);
        if v.mismatches.is_empty() && round_trip.is_none() {
            if v.checked == 0 {
                println!("{}: ok (no checksums recorded)", f.display());
            } else {
                println!(
                    "{}: ok ({}/{} checksums verify)",
                    f.display(),
                    v.checked,
                    v.checked
                );
            }
            passed += 1;
        } else {
            let mut names: Vec<String> = v
                .mismatches
                .iter()
                .map(|m| format!("{} {}", m.entity, m.field))
                .collect();
            if let Some(p) = round_trip {
                names.push(p);
            }
            println!(
                "{}: FAIL {}/{} checksums verify; mismatch: {}",
                f.display(),
                v.checked - v.mismatches.len(),
                v.checked,
                names.join(", ")
            );
            failed += 1;
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the observation as CAOM 2.4 and reads it back: the result must hold the same state,
/// or checksums recomputed after a re-write would change.
fn round_trip_problem(obs: &Observation) -> Option<String> {
    let text = xml::write(obs);
    match xml::read(text.as_bytes()) {
        Ok(back)
            if caom2::diff::differences(obs, &back, &caom2::diff::Options::exact()).is_empty() =>
        {
            None
        }
        Ok(_) => Some("the CAOM 2.4 re-write changes the record".to_string()),
        Err(e) => Some(format!("the CAOM 2.4 re-write cannot be read back: {e}")),
    }
}

pub fn diff(expected: &Path, actual: &Path, compare_content: bool) -> Result<ExitCode> {
    let e = read_observation(expected)?;
    let a = read_observation(actual)?;
    let options = caom2::diff::Options {
        compare_content,
        ..caom2::diff::Options::default()
    };
    let diffs = caom2::diff::differences(&e, &a, &options);
    for d in &diffs {
        println!("{d}");
    }
    if diffs.is_empty() {
        println!("no differences");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} differences", diffs.len());
        Ok(ExitCode::from(1))
    }
}

pub fn validate(files: &[impl AsRef<Path>]) -> Result<ExitCode> {
    let (mut passed, mut failed) = (0, 0);
    for f in files {
        let f = f.as_ref();
        match read_observation(f) {
            Ok(obs) => {
                let problems = caom2::validate::validate(&obs);
                if problems.is_empty() {
                    println!("{}: valid", f.display());
                    passed += 1;
                } else {
                    for p in &problems {
                        println!("{}: {p}", f.display());
                    }
                    failed += 1;
                }
            }
            Err(e) => {
                println!("{e:#}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
