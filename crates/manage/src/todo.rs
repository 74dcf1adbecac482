//! Work lists: `todo.txt` and `retries.txt` (caom2pipe.md §8.3).
//!
//! UTF-8 text, one entry per line; surrounding whitespace is stripped and blank lines are
//! skipped; there is no comment syntax; order and duplicates are kept. An entry is whatever
//! the collection's naming rules accept: a file name, a path, a URL or an artifact URI.

use std::path::Path;

/// A work list that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TodoError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: not UTF-8 text")]
    Utf8 { file: String, line: usize },
}

/// Reads a todo (or retries) file into its entries.
pub fn read_todo(path: &Path) -> Result<Vec<String>, TodoError> {
    let bytes = std::fs::read(path).map_err(|source| TodoError::Io {
        file: path.display().to_string(),
        source,
    })?;
    parse_todo(&bytes, &path.display().to_string())
}

/// Parses work-list text; `name` is used in messages.
pub fn parse_todo(bytes: &[u8], name: &str) -> Result<Vec<String>, TodoError> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let text = std::str::from_utf8(line).map_err(|_| TodoError::Utf8 {
            file: name.to_string(),
            line: i + 1,
        })?;
        let t = text.trim();
        if !t.is_empty() {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_duplicates_and_skips_blanks() {
        let v = parse_todo(b"  a.fits \n\n# b\r\na.fits\n/data/c.fits.gz", "todo.txt").unwrap();
        assert_eq!(v, vec!["a.fits", "# b", "a.fits", "/data/c.fits.gz"]);
        let e = parse_todo(b"ok\n\xff\n", "todo.txt").unwrap_err();
        assert_eq!(e.to_string(), "todo.txt:2: not UTF-8 text");
    }
}
