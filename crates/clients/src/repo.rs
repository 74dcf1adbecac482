//! The caom2repo client (caom2-model.md §5): read, create, update with `If-Match`, delete,
//! listings by time window with paging, deletions.
//!
//! Requests that change a record are not idempotent, so a retry after a lost response can
//! be answered by our own earlier success: a create retried after a reset gets 409, an
//! update gets 412, a delete gets 404. When the transport says an earlier attempt may have
//! been carried out ([`Reply::ambiguous`]) the client reads the record back and, when it is
//! exactly what we sent (same accMetaChecksum), reports success instead of a conflict.

use std::collections::HashSet;
use std::sync::Arc;

use caom2::{checksum, Observation, Timestamp};
use reqwest::header::{CONTENT_TYPE, IF_MATCH};
use reqwest::Method;
use url::Url;

use crate::error::{ClientError, ErrorKind};
use crate::http::{Body, Http, Reply, Request};
use crate::registry::{Registry, STD_DELETIONS, STD_OBSERVATIONS};

/// The service's largest page.
pub const MAX_PAGE: u32 = 100_000;

/// An observation as stored, with its ETag (the stored accMetaChecksum).
#[derive(Clone, Debug, PartialEq)]
pub struct Versioned {
    pub observation: Observation,
    pub etag: Option<String>,
}

/// One row of a collection listing.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservationState {
    pub collection: String,
    pub observation_id: String,
    pub max_last_modified: Timestamp,
    pub acc_meta_checksum: Option<String>,
}

/// One row of a deletions listing.
#[derive(Clone, Debug, PartialEq)]
pub struct DeletedObservation {
    pub id: String,
    pub collection: String,
    pub observation_id: String,
    pub last_modified: Timestamp,
}

/// A listing window: `start <= maxLastModified <= end` (both inclusive, as the service
/// reads them), fetched `page` rows at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub page: u32,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            start: None,
            end: None,
            page: 10_000,
        }
    }
}

/// What a conditional update did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conditional {
    /// Written; `conflicts` is how many times another writer got there first (412) and the
    /// change was re-applied to a fresh read.
    Updated { conflicts: u32 },
    /// The change left the record as it was; nothing was written.
    Unchanged,
}

/// A caom2repo service.
#[derive(Clone, Debug)]
pub struct RepoClient {
    http: Arc<Http>,
    observations: Url,
    deletions: Option<Url>,
}

/// Parses a TSV body into rows of fields (tabs; the Java client also accepts spaces).
fn tsv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| {
        let fields: Vec<&str> = l.split('\t').collect();
        if fields.len() == 1 {
            l.split_whitespace().collect()
        } else {
            fields
        }
    })
}

impl RepoClient {
    /// A client for the given base URLs (`.../observations`, `.../deletions`).
    pub fn new(http: Arc<Http>, observations: Url, deletions: Option<Url>) -> RepoClient {
        RepoClient {
            http,
            observations,
            deletions,
        }
    }

    /// The endpoints of `resource_id` from the registry.
    pub fn from_registry(
        registry: &Registry,
        resource_id: &str,
    ) -> Result<RepoClient, ClientError> {
        let observations = registry.endpoint(resource_id, &[STD_OBSERVATIONS])?;
        let deletions = registry.endpoint(resource_id, &[STD_DELETIONS]).ok();
        Ok(RepoClient::new(
            registry.http().clone(),
            observations,
            deletions,
        ))
    }

    pub fn observations_url(&self) -> &Url {
        &self.observations
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    fn url(base: &Url, segments: &[&str]) -> Result<Url, ClientError> {
        let mut u = base.clone();
        u.path_segments_mut()
            .map_err(|_| ClientError::setup(base.as_str(), "not a base URL"))?
            .pop_if_empty()
            .extend(segments);
        Ok(u)
    }

    fn obs_url(&self, collection: &str, obs_id: &str) -> Result<Url, ClientError> {
        RepoClient::url(&self.observations, &[collection, obs_id])
    }

    /// The observation and its ETag, or `None` (404).
    pub fn read(&self, collection: &str, obs_id: &str) -> Result<Option<Versioned>, ClientError> {
        let url = self.obs_url(collection, obs_id)?;
        let reply = self
            .http
            .send(&Request::new(Method::GET, url, "caom2", "read").label(obs_id))?;
        if reply.status == 404 {
            return Ok(None);
        }
        let reply = reply.success()?;
        let observation = caom2::xml::read(&reply.body)
            .map_err(|e| ClientError::protocol(&reply.context, e.to_string()))?;
        let etag = reply.header("etag").map(clean_etag).or_else(|| {
            observation
                .entity
                .acc_meta_checksum
                .as_ref()
                .map(|u| u.as_str().to_string())
        });
        Ok(Some(Versioned { observation, etag }))
    }

    fn document(obs: &Observation) -> Body {
        Body::Bytes(caom2::xml::write(obs).into_bytes())
    }

    /// The accMetaChecksum the service will store for `obs`.
    fn checksum_of(obs: &Observation) -> Option<String> {
        let mut c = obs.clone();
        checksum::update_checksums(&mut c);
        c.entity.acc_meta_checksum.map(|u| u.as_str().to_string())
    }

    /// After an ambiguous retry: is the stored record exactly `obs`?
    fn is_ours(&self, obs: &Observation) -> bool {
        match self.read(&obs.collection, &obs.observation_id) {
            Ok(Some(v)) => v.etag.is_some() && v.etag == RepoClient::checksum_of(obs),
            _ => false,
        }
    }

    /// Creates an observation (PUT); [`ErrorKind::AlreadyExists`] when there is one.
    pub fn create(&self, obs: &Observation) -> Result<(), ClientError> {
        let url = self.obs_url(&obs.collection, &obs.observation_id)?;
        let req = Request::new(Method::PUT, url, "caom2", "create")
            .label(&obs.observation_id)
            .header(CONTENT_TYPE, "text/xml")?
            .body(RepoClient::document(obs));
        let reply = self.http.send(&req)?;
        if reply.status == 409 && reply.ambiguous && self.is_ours(obs) {
            return Ok(());
        }
        reply.success().map(drop)
    }

    /// Replaces an observation (POST). With `if_match` (the accMetaChecksum read before)
    /// the update is refused with [`ErrorKind::PreconditionFailed`] when the stored record
    /// has changed since.
    pub fn update(&self, obs: &Observation, if_match: Option<&str>) -> Result<(), ClientError> {
        let url = self.obs_url(&obs.collection, &obs.observation_id)?;
        let mut req = Request::new(Method::POST, url, "caom2", "update")
            .label(&obs.observation_id)
            .header(CONTENT_TYPE, "text/xml")?
            .body(RepoClient::document(obs));
        if let Some(m) = if_match {
            req = req.header(IF_MATCH, m)?;
        }
        let reply = self.http.send(&req)?;
        if reply.status == 412 && reply.ambiguous && self.is_ours(obs) {
            return Ok(());
        }
        reply.success().map(drop)
    }

    /// Deletes an observation; [`ErrorKind::NotFound`] when there is none.
    pub fn delete(&self, collection: &str, obs_id: &str) -> Result<(), ClientError> {
        let url = self.obs_url(collection, obs_id)?;
        let reply = self
            .http
            .send(&Request::new(Method::DELETE, url, "caom2", "delete").label(obs_id))?;
        if reply.status == 404 && reply.ambiguous {
            return Ok(());
        }
        reply.success().map(drop)
    }

    /// Reads, changes and conditionally writes an observation until the write is not
    /// pre-empted: on 412 the record is read again and `change` applied to the fresh copy,
    /// so no other writer's update is lost. `change` returns whether it changed anything.
    pub fn update_with(
        &self,
        collection: &str,
        obs_id: &str,
        mut change: impl FnMut(&mut Observation) -> bool,
    ) -> Result<Conditional, ClientError> {
        let mut conflicts = 0;
        loop {
            let Some(v) = self.read(collection, obs_id)? else {
                return Err(ClientError::new(
                    ErrorKind::NotFound,
                    format!("caom:{collection}/{obs_id}"),
                    "no such observation",
                ));
            };
            let mut obs = v.observation;
            if !change(&mut obs) {
                return Ok(Conditional::Unchanged);
            }
            checksum::update_checksums(&mut obs);
            let new = obs.entity.acc_meta_checksum.as_ref().map(|u| u.as_str());
            if new.is_some() && new == v.etag.as_deref() {
                return Ok(Conditional::Unchanged);
            }
            match self.update(&obs, v.etag.as_deref()) {
                Ok(()) => return Ok(Conditional::Updated { conflicts }),
                Err(e) if e.kind == ErrorKind::PreconditionFailed && conflicts < 1000 => {
                    conflicts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The collections the service holds.
    pub fn collections(&self) -> Result<Vec<String>, ClientError> {
        let reply = self
            .http
            .send(&Request::new(
                Method::GET,
                self.observations.clone(),
                "caom2",
                "list",
            ))?
            .success()?;
        Ok(tsv_rows(reply.text()?)
            .filter_map(|r| r.first().map(|s| s.to_string()))
            .collect())
    }

    fn page(
        &self,
        base: &Url,
        collection: &str,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
        maxrec: u32,
    ) -> Result<Reply, ClientError> {
        let mut url = RepoClient::url(base, &[collection])?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("maxrec", &maxrec.to_string());
            if let Some(s) = start {
                q.append_pair("start", &s.to_string());
            }
            if let Some(e) = end {
                q.append_pair("end", &e.to_string());
            }
        }
        self.http
            .send(&Request::new(Method::GET, url, "caom2", "list").label(collection))?
            .success()
    }

    /// Every observation of `collection` in the window, in maxLastModified order.
    ///
    /// Pages of `window.page` rows; each next page starts at the last row's time (the
    /// service's `start` is inclusive), and rows at that boundary already seen are skipped,
    /// so each observation is listed once. When a whole page shares one timestamp the page
    /// is doubled (up to [`MAX_PAGE`]) so the listing always moves on.
    pub fn list(
        &self,
        collection: &str,
        window: Window,
    ) -> Result<Vec<ObservationState>, ClientError> {
        let base = self.observations.clone();
        paged(
            window,
            |start, maxrec| {
                let reply = self.page(&base, collection, start, window.end, maxrec)?;
                let text = reply.text()?;
                tsv_rows(text)
                    .map(|r| match r.as_slice() {
                        [c, id, t, rest @ ..] => Ok(ObservationState {
                            collection: c.to_string(),
                            observation_id: id.to_string(),
                            max_last_modified: parse_time(t, &reply.context)?,
                            acc_meta_checksum: rest.first().map(|s| s.to_string()),
                        }),
                        _ => Err(ClientError::protocol(
                            &reply.context,
                            format!("listing row with {} fields", r.len()),
                        )),
                    })
                    .collect()
            },
            |s| (s.max_last_modified, s.observation_id.clone()),
        )
    }

    /// The deletions of `collection` in the window, in time order.
    pub fn deletions(
        &self,
        collection: &str,
        window: Window,
    ) -> Result<Vec<DeletedObservation>, ClientError> {
        let base = self.deletions.clone().ok_or_else(|| {
            ClientError::new(
                ErrorKind::Registry,
                self.observations.as_str(),
                "the service has no deletions capability",
            )
        })?;
        paged(
            window,
            |start, maxrec| {
                let reply = self.page(&base, collection, start, window.end, maxrec)?;
                let text = reply.text()?;
                tsv_rows(text)
                    .map(|r| match r.as_slice() {
                        [id, c, o, t, ..] => Ok(DeletedObservation {
                            id: id.to_string(),
                            collection: c.to_string(),
                            observation_id: o.to_string(),
                            last_modified: parse_time(t, &reply.context)?,
                        }),
                        _ => Err(ClientError::protocol(
                            &reply.context,
                            format!("deletions row with {} fields", r.len()),
                        )),
                    })
                    .collect()
            },
            |d| (d.last_modified, d.id.clone()),
        )
    }
}

/// The paging loop shared by listings; `key` gives a row's time and identity.
fn paged<T>(
    window: Window,
    mut fetch: impl FnMut(Option<Timestamp>, u32) -> Result<Vec<T>, ClientError>,
    key: impl Fn(&T) -> (Timestamp, String),
) -> Result<Vec<T>, ClientError> {
    let mut out = Vec::new();
    let mut start = window.start;
    let mut maxrec = window.page.clamp(1, MAX_PAGE);
    let mut at_boundary: HashSet<String> = HashSet::new();
    loop {
        let page = fetch(start, maxrec)?;
        let full = page.len() as u32 >= maxrec;
        let last_time = page.last().map(|r| key(r).0);
        let mut progressed = false;
        let mut boundary_ids = Vec::new();
        for row in page {
            let (t, id) = key(&row);
            if Some(t) == last_time {
                boundary_ids.push(id.clone());
            }
            if Some(t) == start && at_boundary.contains(&id) {
                continue;
            }
            progressed = true;
            out.push(row);
        }
        if !full {
            break;
        }
        match last_time {
            Some(t) if Some(t) == start => {
                // the whole page is at the boundary time
                at_boundary.extend(boundary_ids);
                if !progressed {
                    if maxrec >= MAX_PAGE {
                        return Err(ClientError::protocol(
                            "listing",
                            format!("more than {MAX_PAGE} rows share the time {t}"),
                        ));
                    }
                    maxrec = (maxrec * 2).min(MAX_PAGE);
                }
            }
            Some(t) => {
                at_boundary = boundary_ids.into_iter().collect();
                start = Some(t);
            }
            None => break,
        }
    }
    Ok(out)
}

fn parse_time(text: &str, context: &str) -> Result<Timestamp, ClientError> {
    Timestamp::parse(text.trim())
        .map_err(|e| ClientError::protocol(context, format!("bad time in listing: {e}")))
}

/// An ETag without quotes or the weak prefix (the service sends the bare `md5:…`).
pub fn clean_etag(v: &str) -> String {
    v.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp(s * 1000)
    }

    /// A fake listing: rows (time, id) sorted by time; fetch returns at most maxrec rows at
    /// or after start.
    fn run(rows: &[(i64, &str)], page: u32) -> (Vec<String>, usize) {
        let mut calls = 0;
        let out = paged(
            Window {
                start: None,
                end: None,
                page,
            },
            |start, maxrec| {
                calls += 1;
                Ok(rows
                    .iter()
                    .filter(|(s, _)| start.is_none_or(|st| t(*s) >= st))
                    .take(maxrec as usize)
                    .map(|(s, id)| (t(*s), id.to_string()))
                    .collect())
            },
            |r: &(Timestamp, String)| r.clone(),
        )
        .unwrap();
        (out.into_iter().map(|(_, id)| id).collect(), calls)
    }

    #[test]
    fn paging_lists_each_row_once() {
        let rows = [
            (1, "a"),
            (2, "b"),
            (2, "c"),
            (3, "d"),
            (4, "e"),
            (4, "f"),
            (4, "g"),
            (5, "h"),
        ];
        for page in 1..=9 {
            let (ids, _) = run(&rows, page);
            assert_eq!(
                ids,
                vec!["a", "b", "c", "d", "e", "f", "g", "h"],
                "page {page}"
            );
        }
        let (ids, calls) = run(&rows, 8);
        assert_eq!((ids.len(), calls), (8, 2));
        let (ids, _) = run(&[], 3);
        assert!(ids.is_empty());
    }

    #[test]
    fn etags_and_tsv() {
        assert_eq!(clean_etag("\"md5:abc\""), "md5:abc");
        assert_eq!(clean_etag("W/\"md5:abc\""), "md5:abc");
        assert_eq!(clean_etag("md5:abc"), "md5:abc");
        let rows: Vec<Vec<&str>> =
            tsv_rows("A\tx\t2024-01-01T00:00:00.000\tmd5:1\n\nB y 2024\n").collect();
        assert_eq!(rows[0].len(), 4);
        assert_eq!(rows[1], vec!["B", "y", "2024"]);
    }
}
