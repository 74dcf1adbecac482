//! Work sources: where entries come from.
//!
//! [`WorkSource`] is the reference's `DataSource` (`get_work`, `get_time_box_work`,
//! `clean_up`). Here:
//!
//! * [`TodoSource`]: a todo (or retries) file, one entry per line;
//! * [`LocalDirSource`]: files under `data_sources` ending in `data_source_extensions`,
//!   optionally recursive, in a stable order (sources in config order, names sorted);
//! * [`MtimeSource`]: the same files as time boxes by modification time (incremental runs);
//! * [`ListSource`]: a fixed list (retry rounds);
//! * `crate::inventory::InventorySource` and `crate::http_listing::HttpListingSource`: time
//!   boxes of Storage Inventory (TAP) and of HTTP directory listings.
//!
//! Time boxes are half-open, `(prev, cur]`, for every source (the reference's directory
//! sources were inclusive at both ends, so a file exactly on a boundary was processed twice).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

/// One entry of work.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkItem {
    /// The entry as the collection's naming rules see it (todo line, absolute path, URI).
    pub source: String,
    /// Identity within a run when it differs from `source` (duplicates get `#n`;
    /// incremental entries carry their time); see [`WorkItem::key`].
    pub key: Option<String>,
    /// The local file, when the entry is one.
    pub local: Option<PathBuf>,
    /// Modification time (incremental sources).
    pub time: Option<Timestamp>,
}

impl WorkItem {
    /// Identity within a run.
    pub fn key(&self) -> &str {
        self.key.as_deref().unwrap_or(&self.source)
    }
}

/// Work items one by one; an error ends the listing.
pub type WorkStream = Box<dyn Iterator<Item = Result<WorkItem, SourceError>> + Send>;

/// A listing failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Todo(#[from] manage::todo::TodoError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} cannot list work by time")]
    NotIncremental(String),
    /// A service listing (TAP query, HTTP page) failed.
    #[error("{0}")]
    Service(String),
}

fn io(path: &Path, source: std::io::Error) -> SourceError {
    SourceError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A source of work.
pub trait WorkSource {
    /// For messages (`todo file /wd/todo.txt`, `directories /data`).
    fn describe(&self) -> String;

    /// All the work, in order.
    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError>;

    /// The work in the time box `(prev, cur]`, sorted by time.
    fn time_box_work(
        &mut self,
        _prev: Timestamp,
        _cur: Timestamp,
    ) -> Result<Vec<WorkItem>, SourceError> {
        Err(SourceError::NotIncremental(self.describe()))
    }

    /// All the work as a lazy stream, so a long listing is never held in memory at once.
    /// The default collects [`WorkSource::get_work`].
    fn stream(&mut self) -> Result<WorkStream, SourceError> {
        Ok(Box::new(self.get_work()?.into_iter().map(Ok)))
    }

    /// The latest time of any entry, for a harvest without an end.
    fn max_time(&mut self) -> Result<Option<Timestamp>, SourceError> {
        Ok(None)
    }
}

/// Makes keys unique: the second `a` becomes `a#2`.
fn dedup_keys(items: &mut [WorkItem]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for it in items.iter_mut() {
        let n = seen.entry(it.key().to_string()).or_insert(0);
        *n += 1;
        if *n > 1 {
            it.key = Some(format!("{}#{}", it.key(), n));
        }
    }
}

/// A todo file. Entries that name an existing local file (absolute, or relative to the
/// working directory) are local; the others are looked up in storage by URI.
pub struct TodoSource {
    path: PathBuf,
    working_directory: PathBuf,
}

impl TodoSource {
    pub fn new(path: &Path, working_directory: &Path) -> TodoSource {
        TodoSource {
            path: path.to_path_buf(),
            working_directory: working_directory.to_path_buf(),
        }
    }
}

/// Whether an entry is a URL or URI rather than a path.
pub fn has_scheme(entry: &str) -> bool {
    match entry.find(':') {
        Some(i) => {
            i > 1
                && entry[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        }
        None => false,
    }
}

impl WorkSource for TodoSource {
    fn describe(&self) -> String {
        format!("todo file {}", self.path.display())
    }

    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError> {
        let entries = manage::todo::read_todo(&self.path)?;
        let mut items: Vec<WorkItem> = entries
            .into_iter()
            .map(|e| {
                let local = (!has_scheme(&e))
                    .then(|| self.working_directory.join(&e))
                    .filter(|p| p.is_file());
                WorkItem {
                    key: None,
                    source: e,
                    local,
                    time: None,
                }
            })
            .collect();
        dedup_keys(&mut items);
        Ok(items)
    }
}

/// Files under local directories.
pub struct LocalDirSource {
    dirs: Vec<PathBuf>,
    extensions: Vec<String>,
    recurse: bool,
}

impl LocalDirSource {
    pub fn new(dirs: &[String], extensions: &[String], recurse: bool) -> LocalDirSource {
        LocalDirSource {
            dirs: dirs.iter().map(PathBuf::from).collect(),
            extensions: extensions.to_vec(),
            recurse,
        }
    }

    /// Every matching file with its modification time, in listing order.
    pub fn list(&self) -> Result<Vec<(PathBuf, Timestamp)>, SourceError> {
        self.paths()
            .map(|p| {
                let p = p?;
                let t = mtime(&p)?;
                Ok((p, t))
            })
            .collect()
    }

    /// The matching files in listing order, read one directory at a time.
    fn paths(&self) -> DirWalk {
        DirWalk {
            roots: self.dirs.iter().cloned().collect(),
            stack: Vec::new(),
            extensions: self.extensions.clone(),
            recurse: self.recurse,
        }
    }
}

fn mtime(path: &Path) -> Result<Timestamp, SourceError> {
    let m = std::fs::metadata(path).map_err(|e| io(path, e))?;
    let t = m.modified().map_err(|e| io(path, e))?;
    Timestamp::try_from(t).map_err(|e| io(path, std::io::Error::other(e.to_string())))
}

/// An absolute local file: the executors find it from `source`, so `local` stays empty and
/// a long listing holds one string per file.
fn local_item(path: PathBuf, time: Option<Timestamp>) -> WorkItem {
    let source = path.display().to_string();
    let key = time.map(|t| format!("{source}@{}", t.as_nanosecond()));
    WorkItem {
        source,
        key,
        local: None,
        time,
    }
}

impl WorkSource for LocalDirSource {
    fn describe(&self) -> String {
        let dirs: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
        format!("local files in {}", dirs.join(", "))
    }

    fn stream(&mut self) -> Result<WorkStream, SourceError> {
        // md5 of each path listed → times seen: a file under two overlapping data sources
        // gets the key `path#2` the second time (as `dedup_keys` does for lists), without keeping
        // the paths
        let mut seen: HashMap<[u8; 16], u32> = HashMap::new();
        Ok(Box::new(self.paths().map(move |p| {
            use md5::Digest;
            let mut it = local_item(p?, None);
            let d: [u8; 16] = md5::Md5::digest(it.source.as_bytes()).into();
            let n = seen.entry(d).or_insert(0);
            *n += 1;
            if *n > 1 {
                it.key = Some(format!("{}#{}", it.source, n));
            }
            Ok(it)
        })))
    }

    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError> {
        self.stream()?.collect()
    }
}

/// A lazy walk of local directories: the files given directly, and the matching files of each
/// directory in name order, one directory's entries at a time, subdirectories when reached.
struct DirWalk {
    roots: std::collections::VecDeque<PathBuf>,
    stack: Vec<std::vec::IntoIter<DirEntry>>,
    extensions: Vec<String>,
    recurse: bool,
}

type DirEntry = (String, PathBuf, std::fs::FileType);

impl DirWalk {
    fn read(dir: &Path) -> Result<std::vec::IntoIter<DirEntry>, SourceError> {
        let mut entries = Vec::new();
        for e in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let e = e.map_err(|e| io(dir, e))?;
            let ft = e.file_type().map_err(|err| io(&e.path(), err))?;
            entries.push((e.file_name().to_string_lossy().into_owned(), e.path(), ft));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries.into_iter())
    }

    fn wanted(&self, name: &str) -> bool {
        !manage::fsutil::is_temp_name(name)
            && (self.extensions.is_empty() || self.extensions.iter().any(|e| name.ends_with(e)))
    }
}

impl Iterator for DirWalk {
    type Item = Result<PathBuf, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(top) = self.stack.last_mut() {
                let Some((name, path, ft)) = top.next() else {
                    self.stack.pop();
                    continue;
                };
                let ft = if ft.is_symlink() {
                    match std::fs::metadata(&path) {
                        Ok(m) => m.file_type(),
                        Err(_) => continue,
                    }
                } else {
                    ft
                };
                if ft.is_dir() {
                    if self.recurse {
                        match DirWalk::read(&path) {
                            Ok(entries) => self.stack.push(entries),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                } else if ft.is_file() && self.wanted(&name) {
                    return Some(Ok(path));
                }
                continue;
            }
            let root = self.roots.pop_front()?;
            if root.is_file() {
                return Some(Ok(root));
            }
            match DirWalk::read(&root) {
                Ok(entries) => self.stack.push(entries),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Local files as time boxes by modification time. The directories are listed once, when
/// the first box is asked for, so a harvest of many boxes does not re-scan the tree.
pub struct MtimeSource {
    dirs: LocalDirSource,
    listing: Option<Vec<(PathBuf, Timestamp)>>,
}

impl MtimeSource {
    pub fn new(dirs: LocalDirSource) -> MtimeSource {
        MtimeSource {
            dirs,
            listing: None,
        }
    }

    fn listing(&mut self) -> Result<&[(PathBuf, Timestamp)], SourceError> {
        if self.listing.is_none() {
            let mut l = self.dirs.list()?;
            l.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            self.listing = Some(l);
        }
        Ok(self.listing.as_deref().unwrap_or(&[]))
    }
}

impl WorkSource for MtimeSource {
    fn describe(&self) -> String {
        format!("{} by modification time", self.dirs.describe())
    }

    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError> {
        Ok(self
            .listing()?
            .iter()
            .map(|(p, t)| local_item(p.clone(), Some(*t)))
            .collect())
    }

    fn time_box_work(
        &mut self,
        prev: Timestamp,
        cur: Timestamp,
    ) -> Result<Vec<WorkItem>, SourceError> {
        let l = self.listing()?;
        let start = l.partition_point(|(_, t)| *t <= prev);
        let end = l.partition_point(|(_, t)| *t <= cur);
        Ok(l[start..end.max(start)]
            .iter()
            .map(|(p, t)| local_item(p.clone(), Some(*t)))
            .collect())
    }

    fn max_time(&mut self) -> Result<Option<Timestamp>, SourceError> {
        Ok(self.listing()?.last().map(|(_, t)| *t))
    }
}

/// A fixed list of work (retry rounds).
pub struct ListSource {
    name: String,
    items: Vec<WorkItem>,
}

impl ListSource {
    pub fn new(name: &str, items: Vec<WorkItem>) -> ListSource {
        ListSource {
            name: name.to_string(),
            items,
        }
    }
}

impl WorkSource for ListSource {
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError> {
        Ok(self.items.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path, secs: u64) {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(p, b"x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn todo_keeps_order_and_makes_duplicate_keys_unique() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("here.fits"), 1);
        std::fs::write(
            d.path().join("todo.txt"),
            "a.fits\nhere.fits\na.fits\ncadc:TEST/b.fits\n",
        )
        .unwrap();
        let mut s = TodoSource::new(&d.path().join("todo.txt"), d.path());
        let w = s.get_work().unwrap();
        let keys: Vec<_> = w.iter().map(|i| i.key()).collect();
        assert_eq!(
            keys,
            vec!["a.fits", "here.fits", "a.fits#2", "cadc:TEST/b.fits"]
        );
        assert!(w[0].local.is_none() && w[1].local.is_some() && w[3].local.is_none());
        assert!(has_scheme("cadc:TEST/b.fits") && !has_scheme("/x/y.fits") && !has_scheme("C:x"));
    }

    #[test]
    fn directories_recurse_filter_and_sort() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        touch(&r.join("b.fits"), 30);
        touch(&r.join("a.fits"), 20);
        touch(&r.join("c.txt"), 10);
        touch(&r.join("sub/d.fits"), 10);
        touch(&r.join("sub/e.fits.gz"), 40);
        let src = |recurse| {
            LocalDirSource::new(
                &[r.display().to_string()],
                &[".fits".into(), ".fits.gz".into()],
                recurse,
            )
        };
        let names = |items: Vec<WorkItem>| -> Vec<String> {
            items
                .iter()
                .map(|i| {
                    Path::new(&i.source)
                        .strip_prefix(r)
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names(src(false).get_work().unwrap()),
            vec!["a.fits", "b.fits"]
        );
        assert_eq!(
            names(src(true).get_work().unwrap()),
            vec!["a.fits", "b.fits", "sub/d.fits", "sub/e.fits.gz"]
        );
        let streamed: Vec<WorkItem> = src(true).stream().unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(streamed, src(true).get_work().unwrap());
        let overlapping = || {
            LocalDirSource::new(
                &[r.display().to_string(), r.join("sub").display().to_string()],
                &[".fits".into()],
                true,
            )
        };
        let streamed: Vec<WorkItem> = overlapping()
            .stream()
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(streamed, overlapping().get_work().unwrap());
        assert!(streamed.last().unwrap().key().ends_with("d.fits#2"));
        let mut m = MtimeSource::new(src(true));
        let t = |s: i64| Timestamp::from_second(s).unwrap();
        assert_eq!(
            names(m.time_box_work(t(10), t(30)).unwrap()),
            vec!["a.fits", "b.fits"]
        );
        assert_eq!(
            names(m.time_box_work(t(0), t(10)).unwrap()),
            vec!["sub/d.fits"]
        );
        assert_eq!(
            names(m.time_box_work(t(30), t(39)).unwrap()),
            Vec::<String>::new()
        );
        assert_eq!(m.max_time().unwrap(), Some(t(40)));
        assert!(m.get_work().unwrap()[0].key().ends_with("@10000000000"));
    }
}
