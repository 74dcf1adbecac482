//! HTTP directory listings as a work source (the reference's `HttpDataSource`,
//! html_data_source.py): a tree of Apache-style pages is crawled from each `data_sources`
//! URL, directories are followed when their name passes the filter of their level, files
//! are kept when they end in one of `data_source_extensions`, and each file's time (the
//! server's local time, read in `time_zone`) places it in a time box.
//!
//! The tree is crawled once, on the first time box (the reference crawls at start-up too),
//! one level at a time with several pages in flight; a page that cannot be read stops the
//! listing (its files would otherwise silently be skipped past the bookmark). Files without
//! a time cannot be placed in a box and are reported by [`HttpListingSource::undated`].

use std::sync::{Arc, Mutex};

use clients::{listing, Http};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use url::Url;

use crate::mapping::glob_match;
use crate::source::{SourceError, WorkItem, WorkSource};

/// A fetched page: its level and entries, or why it could not be read.
type PageResult = (usize, Result<Vec<listing::Entry>, String>);

/// Deepest level crawled (a guard against link loops).
pub const MAX_DEPTH: usize = 16;

/// Which directories to follow: `levels[n]` holds the name patterns (`*` and `?` wildcards)
/// of directories `n` levels below a source; levels past the list follow every directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelFilters {
    pub levels: Vec<Vec<String>>,
}

impl LevelFilters {
    /// From config strings, one per level, patterns separated by `|` (`'NESS|20*'`).
    pub fn parse(levels: &[String]) -> LevelFilters {
        LevelFilters {
            levels: levels
                .iter()
                .map(|l| {
                    l.split('|')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .collect(),
        }
    }

    /// Whether a directory `name` at `depth` (0 = directly in a source page) is followed.
    pub fn follows(&self, depth: usize, name: &str) -> bool {
        match self.levels.get(depth) {
            None => true,
            Some(patterns) => patterns.iter().any(|p| glob_match(p, name)),
        }
    }
}

/// A crawl of HTTP directory listings.
pub struct HttpListingSource {
    http: Arc<Http>,
    roots: Vec<Url>,
    filters: LevelFilters,
    extensions: Vec<String>,
    tz: TimeZone,
    threads: usize,
    /// (time, URL), sorted.
    listing: Option<Vec<(Timestamp, String)>>,
    undated: Vec<String>,
}

impl HttpListingSource {
    pub fn new(
        http: Arc<Http>,
        roots: &[String],
        filters: LevelFilters,
        extensions: &[String],
        tz: TimeZone,
        threads: usize,
    ) -> Result<HttpListingSource, SourceError> {
        let roots = roots
            .iter()
            .map(|r| {
                Url::parse(r).map_err(|e| SourceError::Service(format!("{r}: not a URL: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(HttpListingSource {
            http,
            roots,
            filters,
            extensions: extensions.to_vec(),
            tz,
            threads: threads.max(1),
            listing: None,
            undated: Vec::new(),
        })
    }

    /// Files listed without a time (not in any time box).
    pub fn undated(&self) -> &[String] {
        &self.undated
    }

    fn wanted(&self, name: &str) -> bool {
        self.extensions.is_empty() || self.extensions.iter().any(|e| name.ends_with(e.as_str()))
    }

    /// Fetches the pages of one level, several at a time.
    fn fetch_level(
        &self,
        pages: &[(usize, Url)],
    ) -> Result<Vec<(usize, Vec<listing::Entry>)>, SourceError> {
        let next = Mutex::new(0usize);
        let results: Mutex<Vec<PageResult>> = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..self.threads.min(pages.len()) {
                s.spawn(|| loop {
                    let i = {
                        let Ok(mut n) = next.lock() else { return };
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some((depth, url)) = pages.get(i) else {
                        return;
                    };
                    let r = listing::fetch(&self.http, url).map_err(|e| e.to_string());
                    if let Ok(mut out) = results.lock() {
                        out.push((*depth, r));
                    }
                });
            }
        });
        let mut out = Vec::new();
        for (depth, r) in results.into_inner().unwrap_or_default() {
            out.push((depth, r.map_err(SourceError::Service)?));
        }
        Ok(out)
    }

    fn crawl(&mut self) -> Result<(), SourceError> {
        let mut files: Vec<(Timestamp, String)> = Vec::new();
        let mut undated = Vec::new();
        let mut level: Vec<(usize, Url)> = self.roots.iter().map(|r| (0, r.clone())).collect();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        while !level.is_empty() {
            let mut next = Vec::new();
            for (depth, entries) in self.fetch_level(&level)? {
                for e in entries {
                    if !seen.insert(e.url.to_string()) {
                        continue;
                    }
                    if e.is_dir {
                        if depth + 1 < MAX_DEPTH && self.filters.follows(depth, &e.name) {
                            next.push((depth + 1, e.url));
                        }
                    } else if self.wanted(&e.name) {
                        match e.modified.and_then(|dt| dt.to_zoned(self.tz.clone()).ok()) {
                            Some(z) => files.push((z.timestamp(), e.url.to_string())),
                            None => undated.push(e.url.to_string()),
                        }
                    }
                }
            }
            level = next;
        }
        files.sort();
        self.listing = Some(files);
        self.undated = undated;
        Ok(())
    }

    fn listing(&mut self) -> Result<&[(Timestamp, String)], SourceError> {
        if self.listing.is_none() {
            self.crawl()?;
        }
        Ok(self.listing.as_deref().unwrap_or(&[]))
    }
}

fn item(t: Timestamp, url: &str) -> WorkItem {
    WorkItem {
        source: url.to_string(),
        key: Some(format!("{url}@{}", t.as_nanosecond())),
        local: None,
        time: Some(t),
    }
}

impl WorkSource for HttpListingSource {
    fn describe(&self) -> String {
        let roots: Vec<&str> = self.roots.iter().map(Url::as_str).collect();
        format!("HTTP listings {} by time", roots.join(", "))
    }

    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError> {
        Ok(self.listing()?.iter().map(|(t, u)| item(*t, u)).collect())
    }

    fn time_box_work(
        &mut self,
        prev: Timestamp,
        cur: Timestamp,
    ) -> Result<Vec<WorkItem>, SourceError> {
        let l = self.listing()?;
        let start = l.partition_point(|(t, _)| *t <= prev);
        let end = l.partition_point(|(t, _)| *t <= cur);
        Ok(l[start..end.max(start)]
            .iter()
            .map(|(t, u)| item(*t, u))
            .collect())
    }

    fn max_time(&mut self) -> Result<Option<Timestamp>, SourceError> {
        Ok(self.listing()?.last().map(|(t, _)| *t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_level_filters() {
        assert!(glob_match("20*", "2019"));
        assert!(glob_match("NESS", "NESS"));
        assert!(!glob_match("NESS", "NESSX"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c*", "abcdef"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*x*y", "zzxzzy"));
        let f = LevelFilters::parse(&["NESS | 20*".into(), "".into()]);
        assert!(f.follows(0, "NESS") && f.follows(0, "2019") && !f.follows(0, "1999"));
        assert!(!f.follows(1, "anything"), "an empty level follows nothing");
        assert!(f.follows(2, "anything"));
    }
}
