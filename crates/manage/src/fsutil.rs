//! Crash-safe file writes.
//!
//! Every state file (`state.yml`, `rejected.yml`, the report, metrics, rebuilt logs, CAOM
//! records) is written to a temporary file in the same directory and renamed over the target,
//! so a process killed at any moment leaves either the old or the new file, never a torn one.
//! Log records are appended whole, one `write(2)` per batch of complete lines, so a kill never
//! leaves half a record.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file operation that failed, with the file named.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct FsError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

impl FsError {
    pub fn new(path: &Path, source: std::io::Error) -> FsError {
        FsError {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Whether a write must reach the disk before it returns (fsync) or only the page cache.
/// Either survives SIGKILL; only `Durable` survives a power cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    Durable,
    Cached,
}

/// Writes `bytes` to `path` atomically: temporary file in the same directory, optional
/// fsync, rename, and (when durable) fsync of the directory so the rename itself persists.
pub fn write_atomic(path: &Path, bytes: &[u8], sync: Sync) -> Result<(), FsError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(d) = dir {
        std::fs::create_dir_all(d).map_err(|e| FsError::new(d, e))?;
    }
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        if sync == Sync::Durable {
            f.sync_data()?;
        }
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(FsError::new(path, e));
    }
    if sync == Sync::Durable {
        if let Some(d) = dir {
            sync_dir(d);
        }
    }
    Ok(())
}

/// A temporary name next to `path`, unique per process and thread so concurrent writers of
/// different files in one directory never collide. Leftovers from a killed process start
/// with `.` and end with `.tmp`; [`is_temp_name`] recognises them.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = format!(
        ".{name}.{}.{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    )
    .replace(['(', ')'], "")
    .replace("ThreadId", "t");
    path.with_file_name(unique)
}

/// Whether a directory entry is a leftover temporary file of [`write_atomic`].
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// The process id inside a temporary name of [`temp_path`] (`.name.<pid>.t<tid>.tmp`).
fn temp_pid(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".tmp")?;
    let mut parts = stem.rsplitn(3, '.');
    let _thread = parts.next()?;
    parts.next()?.parse().ok()
}

/// Removes temporary files that killed processes left in `dir` (not recursive): those whose
/// process no longer runs. Temporary files of live processes (another run writing the same
/// directory) are left alone. Returns how many were removed.
pub fn sweep_stale_temps(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !is_temp_name(&name) {
            continue;
        }
        let alive = temp_pid(&name).is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// fsync a directory so renames and new entries in it are durable. Errors are ignored:
/// some filesystems refuse to fsync directories, and the data itself was synced already.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Appends complete lines to a file with one `write(2)`, creating it (and its directory) if
/// needed. `text` must end with a newline.
pub fn append(path: &Path, text: &str, sync: Sync) -> Result<(), FsError> {
    if text.is_empty() {
        return Ok(());
    }
    let mut f = open_append(path)?;
    f.write_all(text.as_bytes())
        .map_err(|e| FsError::new(path, e))?;
    if sync == Sync::Durable {
        f.sync_data().map_err(|e| FsError::new(path, e))?;
    }
    Ok(())
}

/// Opens a file for appending, creating it and its directory.
pub fn open_append(path: &Path) -> Result<File, FsError> {
    if let Some(d) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|e| FsError::new(d, e))?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| FsError::new(path, e))
}

/// The reference's log rotation: a non-empty `<dir>/<stem>.txt` is renamed to
/// `<dir>/<stem>.<epoch>.txt` (`epoch` as Python's `str(time.time())`) and an empty file
/// takes its place. Missing files are created empty.
pub fn rotate(path: &Path, epoch: &str) -> Result<(), FsError> {
    let non_empty = std::fs::metadata(path)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    if non_empty {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rotated = match name.strip_suffix(".txt") {
            Some(stem) => format!("{stem}.{epoch}.txt"),
            None => format!("{name}.{epoch}"),
        };
        let target = path.with_file_name(rotated);
        std::fs::rename(path, &target).map_err(|e| FsError::new(path, e))?;
    }
    write_atomic(path, b"", Sync::Cached)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/state.yml");
        write_atomic(&p, b"one", Sync::Durable).unwrap();
        write_atomic(&p, b"two", Sync::Cached).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["state.yml"]);
        assert!(is_temp_name(
            &temp_path(&p).file_name().unwrap().to_string_lossy()
        ));
    }

    #[test]
    fn stale_temporary_files_are_swept() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.xml");
        let mine = temp_path(&p);
        std::fs::write(&mine, b"in flight").unwrap();
        // pid 0 never names a user process
        let dead = d.path().join(".x.xml.0.t7.tmp");
        std::fs::write(&dead, b"left by a killed process").unwrap();
        assert_eq!(temp_pid(".x.xml.123.t7.tmp"), Some(123));
        assert_eq!(sweep_stale_temps(d.path()), 1);
        assert!(mine.exists() && !dead.exists());
    }

    #[test]
    fn rotation_keeps_non_empty_logs() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("success_log.txt");
        rotate(&p, "1.5").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"");
        append(&p, "a\n", Sync::Cached).unwrap();
        rotate(&p, "1795244349.470381").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"");
        assert_eq!(
            std::fs::read(d.path().join("success_log.1795244349.470381.txt")).unwrap(),
            b"a\n"
        );
        assert!(!d.path().join("success_log.1.5.txt").exists());
    }
}
