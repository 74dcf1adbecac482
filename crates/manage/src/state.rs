//! `state.yml`: incremental bookmarks (caom2pipe.md §8.2).
//!
//! ```yaml
//! bookmarks:
//!   demo_timestamp:
//!     last_record: 2024-03-23 11:10:00   # naive = wall time in config time_zone
//!     end_timestamp: 2024-03-24 00:00:00 # optional end of the harvest
//! context:                               # optional, free-form, kept as is
//!   neossat_context: [NESS, 2017, 2018]
//! ```
//!
//! The whole document is re-written (sorted keys, PyYAML block style, naive datetimes in the
//! configured time zone) after every time box, atomically (temp + rename), so a killed run
//! leaves the previous or the new bookmark, never a torn file. Unlike the reference, a
//! missing key or a value that is not a timestamp is reported with the file, key and line
//! instead of a `KeyError` or `AttributeError`.

use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::fsutil::{self, Sync};
use crate::time::{naive_in, parse_yaml_timestamp, py_str};
use crate::yaml::{self, Node, Out, Yaml};

/// One bookmark: where the harvest got to, and where it should stop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bookmark {
    pub last_record: Timestamp,
    pub end_timestamp: Option<Timestamp>,
}

/// A problem with the state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state file {0} does not exist (it needs `bookmarks: {{<key>: {{last_record: YYYY-MM-DD HH:MM:SS}}}}`)")]
    Missing(String),
    #[error(transparent)]
    Read(#[from] yaml::ReadError),
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    Write(#[from] fsutil::FsError),
}

/// The state file, kept as a whole so unknown sections survive re-writing.
#[derive(Clone, Debug)]
pub struct State {
    path: PathBuf,
    tz: TimeZone,
    /// Top-level entries other than `bookmarks`, sorted on output.
    other: Vec<(String, Out)>,
    /// Bookmark key → its fields (as written), in file order.
    bookmarks: Vec<(String, Vec<(String, Out)>)>,
    /// Parsed bookmarks (key → value or the reason it cannot be used).
    parsed: Vec<(String, Result<Bookmark, String>)>,
}

impl State {
    /// Reads a state file; naive datetimes in it are wall time in `tz`.
    pub fn read(path: &Path, tz: &TimeZone) -> Result<State, StateError> {
        if !path.exists() {
            return Err(StateError::Missing(path.display().to_string()));
        }
        let doc = yaml::read(path)?;
        State::from_node(path, &doc, tz)
    }

    /// An empty state for `path` (nothing written yet).
    pub fn empty(path: &Path, tz: &TimeZone) -> State {
        State {
            path: path.to_path_buf(),
            tz: tz.clone(),
            other: Vec::new(),
            bookmarks: Vec::new(),
            parsed: Vec::new(),
        }
    }

    fn from_node(path: &Path, doc: &Node, tz: &TimeZone) -> Result<State, StateError> {
        let file = path.display().to_string();
        let invalid = |n: &Node, message: String| StateError::Invalid {
            file: if n.line > 0 {
                format!("{file}:{}:{}", n.line, n.column)
            } else {
                file.clone()
            },
            message,
        };
        let mut state = State::empty(path, tz);
        let entries = match &doc.value {
            Yaml::Map(m) => m.as_slice(),
            Yaml::Null => &[],
            _ => {
                return Err(invalid(
                    doc,
                    format!("expected a mapping, found {}", doc.kind()),
                ))
            }
        };
        for (k, v) in entries {
            let key = k.as_key().unwrap_or_default();
            if key != "bookmarks" {
                state.other.push((key, Out::from_node(v)));
                continue;
            }
            let Some(marks) = v.as_map() else {
                if v.value == Yaml::Null {
                    continue;
                }
                return Err(invalid(
                    v,
                    format!("bookmarks: expected a mapping, found {}", v.kind()),
                ));
            };
            for (bk, bv) in marks {
                let name = bk.as_key().unwrap_or_default();
                let fields: Vec<(String, Out)> = match bv.as_map() {
                    Some(m) => m
                        .iter()
                        .map(|(fk, fv)| (fk.as_key().unwrap_or_default(), Out::from_node(fv)))
                        .collect(),
                    None => Vec::new(),
                };
                let parsed = parse_bookmark(&file, &name, bv, tz);
                state.bookmarks.push((name.clone(), fields));
                state.parsed.push((name, parsed));
            }
        }
        Ok(state)
    }

    /// The bookmark under `key`, or why there is none.
    pub fn bookmark(&self, key: &str) -> Result<Bookmark, StateError> {
        match self.parsed.iter().find(|(k, _)| k == key) {
            Some((_, Ok(b))) => Ok(*b),
            Some((_, Err(msg))) => Err(StateError::Invalid {
                file: self.path.display().to_string(),
                message: msg.clone(),
            }),
            None => Err(StateError::Invalid {
                file: self.path.display().to_string(),
                message: format!(
                    "no bookmark {key:?} (expected `bookmarks: {{{key}: {{last_record: YYYY-MM-DD HH:MM:SS}}}}`)"
                ),
            }),
        }
    }

    /// Sets `last_record` of `key` (creating the bookmark) to `t`, written as wall time in the
    /// configured time zone with microseconds.
    pub fn set_last_record(&mut self, key: &str, t: Timestamp) {
        let text = py_str(naive_in(t, &self.tz));
        let value = Out::DateTime(text);
        match self.bookmarks.iter_mut().find(|(k, _)| k == key) {
            Some((_, fields)) => match fields.iter_mut().find(|(f, _)| f == "last_record") {
                Some((_, v)) => *v = value,
                None => fields.push(("last_record".into(), value)),
            },
            None => self
                .bookmarks
                .push((key.to_string(), vec![("last_record".into(), value)])),
        }
        let end = self
            .parsed
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, b)| b.as_ref().ok())
            .and_then(|b| b.end_timestamp);
        let b = Bookmark {
            last_record: crate::time::floor_micros(t),
            end_timestamp: end,
        };
        match self.parsed.iter_mut().find(|(k, _)| k == key) {
            Some((_, slot)) => *slot = Ok(b),
            None => self.parsed.push((key.to_string(), Ok(b))),
        }
    }

    /// The document as PyYAML would dump it (sorted keys, block style).
    pub fn to_yaml(&self) -> String {
        let mut top = self.other.clone();
        let mut marks: Vec<(String, Out)> = self
            .bookmarks
            .iter()
            .map(|(k, fields)| {
                let mut f = fields.clone();
                f.sort_by(|a, b| a.0.cmp(&b.0));
                (k.clone(), Out::Map(f))
            })
            .collect();
        marks.sort_by(|a, b| a.0.cmp(&b.0));
        top.push(("bookmarks".into(), Out::Map(marks)));
        top.sort_by(|a, b| a.0.cmp(&b.0));
        yaml::emit(&Out::Map(top))
    }

    /// Writes the whole document atomically and durably.
    pub fn write(&self) -> Result<(), StateError> {
        fsutil::write_atomic(&self.path, self.to_yaml().as_bytes(), Sync::Durable)?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn parse_bookmark(file: &str, name: &str, v: &Node, tz: &TimeZone) -> Result<Bookmark, String> {
    let at = |n: &Node| {
        if n.line > 0 {
            format!("{file}:{}:{}: ", n.line, n.column)
        } else {
            String::new()
        }
    };
    let Some(_) = v.as_map() else {
        return Err(format!(
            "{}bookmarks.{name}: expected a mapping with last_record, found {}",
            at(v),
            v.kind()
        ));
    };
    let time = |field: &str| -> Result<Option<Timestamp>, String> {
        let Some(n) = v.get(field) else {
            return Ok(None);
        };
        let text = match &n.value {
            Yaml::Str(s) => s.clone(),
            Yaml::Null => return Ok(None),
            _ => {
                return Err(format!(
                    "{}bookmarks.{name}.{field}: expected a timestamp, found {}",
                    at(n),
                    n.kind()
                ))
            }
        };
        let parsed = parse_yaml_timestamp(&text)
            .map_err(|e| format!("{}bookmarks.{name}.{field}: {e}", at(n)))?;
        parsed
            .to_timestamp(tz)
            .map(Some)
            .map_err(|e| format!("{}bookmarks.{name}.{field}: {e}", at(n)))
    };
    let last =
        time("last_record")?.ok_or_else(|| format!("{}bookmarks.{name}: no last_record", at(v)))?;
    let end = time("end_timestamp")?;
    Ok(Bookmark {
        last_record: last,
        end_timestamp: end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_converts_and_rewrites() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("state.yml");
        std::fs::write(
            &p,
            "context:\n  neossat_context: [NESS, 2017]\nbookmarks:\n  demo_timestamp:\n    last_record: 2024-03-23 11:10:00\n    end_timestamp: 2024-03-24T04:00:00Z\n",
        )
        .unwrap();
        let tz = TimeZone::get("US/Eastern").unwrap();
        let mut s = State::read(&p, &tz).unwrap();
        let b = s.bookmark("demo_timestamp").unwrap();
        assert_eq!(b.last_record.to_string(), "2024-03-23T15:10:00Z");
        assert_eq!(b.end_timestamp.unwrap().to_string(), "2024-03-24T04:00:00Z");
        s.set_last_record("demo_timestamp", "2024-03-23T15:25:00.25Z".parse().unwrap());
        s.write().unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "bookmarks:\n  demo_timestamp:\n    end_timestamp: 2024-03-24T04:00:00Z\n    last_record: 2024-03-23 11:25:00.250000\ncontext:\n  neossat_context:\n  - NESS\n  - 2017\n"
        );
        let again = State::read(&p, &tz).unwrap();
        assert_eq!(
            again.bookmark("demo_timestamp").unwrap().last_record,
            "2024-03-23T15:25:00.25Z".parse().unwrap()
        );
    }

    #[test]
    fn bad_bookmarks_name_key_and_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("state.yml");
        std::fs::write(
            &p,
            "bookmarks:\n  neossat_timestamp:\n    last_record: 24-Sep-2019 08:51\n",
        )
        .unwrap();
        let s = State::read(&p, &TimeZone::UTC).unwrap();
        let e = s.bookmark("neossat_timestamp").unwrap_err().to_string();
        assert!(
            e.contains("state.yml:3:18: bookmarks.neossat_timestamp.last_record: \"24-Sep-2019 08:51\" is not a timestamp"),
            "{e}"
        );
        let e = s.bookmark("omm_timestamp").unwrap_err().to_string();
        assert!(e.contains("no bookmark \"omm_timestamp\""), "{e}");
        let e = State::read(&d.path().join("nope.yml"), &TimeZone::UTC)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
    }
}
