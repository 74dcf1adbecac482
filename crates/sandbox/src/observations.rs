//! `/observations` and `/deletions`: the caom2repo REST contract (caom2-model.md §5.1).
//!
//! Documents are read with `caom2::xml`, must name the URI of their path, pass
//! `caom2::validate`, and get their checksums and timestamps from the server
//! (`caom2::checksum::update_checksums`; `lastModified` set where the metaChecksum changed,
//! `maxLastModified` where the accMetaChecksum changed, as caom2persistence does). The stored
//! accMetaChecksum is the ETag; `If-Match` on POST is compared with it (412 on mismatch or
//! when the record is gone).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use caom2::{checksum, Entity, Observation, Timestamp, Uuid};

use crate::db::{StoredObservation, Swap};
use crate::{blocking, text, App};

/// Largest document accepted (the reference's 20 MiB).
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;

const TSV: &str = "text/tab-separated-values";

fn lower(q: HashMap<String, String>) -> HashMap<String, String> {
    q.into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

/// Why a request is refused: status and message.
type Refusal = (StatusCode, String);

fn refuse(r: Refusal) -> Response {
    text(r.0, r.1)
}

/// `maxrec`, `start`, `end` of a listing.
fn window(q: &HashMap<String, String>) -> Result<(u32, Option<String>, Option<String>), Refusal> {
    let maxrec = match q.get("maxrec") {
        None => 100_000,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => n.min(100_000) as u32,
            _ => return Err((StatusCode::BAD_REQUEST, format!("invalid maxrec: {v}"))),
        },
    };
    let time = |k: &str| -> Result<Option<String>, Refusal> {
        match q.get(k) {
            None => Ok(None),
            Some(v) => crate::time::canonical(v)
                .map(Some)
                .ok_or_else(|| (StatusCode::BAD_REQUEST, format!("invalid {k}: {v}"))),
        }
    };
    Ok((maxrec, time("start")?, time("end")?))
}

fn tsv(rows: Vec<[String; 4]>) -> Response {
    let mut out = String::new();
    for r in rows {
        out.push_str(&r.join("\t"));
        out.push('\n');
    }
    ([(header::CONTENT_TYPE, TSV)], out).into_response()
}

/// `GET /observations`: the collections, one per line.
pub async fn collections(State(app): State<Arc<App>>) -> Response {
    blocking(move || {
        let c = app.db.collections()?;
        let mut out = c.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        Ok(([(header::CONTENT_TYPE, TSV)], out).into_response())
    })
    .await
}

/// `GET /observations/{collection}?maxrec&start&end&order`.
pub async fn list(
    State(app): State<Arc<App>>,
    Path(collection): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let q = lower(q);
    let (maxrec, start, end) = match window(&q) {
        Ok(w) => w,
        Err(r) => return refuse(r),
    };
    let descending = match q.get("order").map(|s| s.to_ascii_lowercase()) {
        None => false,
        Some(o) if o == "asc" => false,
        Some(o) if o == "desc" => true,
        Some(o) => return text(StatusCode::BAD_REQUEST, format!("invalid order: {o}")),
    };
    blocking(move || {
        let rows = app.db.list(
            &collection,
            start.as_deref(),
            end.as_deref(),
            descending,
            maxrec,
        )?;
        Ok(tsv(rows))
    })
    .await
}

/// `GET /deletions/{collection}?maxrec&start&end`.
pub async fn deletions(
    State(app): State<Arc<App>>,
    Path(collection): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (maxrec, start, end) = match window(&lower(q)) {
        Ok(w) => w,
        Err(r) => return refuse(r),
    };
    blocking(move || {
        let rows = app
            .db
            .deletions(&collection, start.as_deref(), end.as_deref(), maxrec)?;
        Ok(tsv(rows))
    })
    .await
}

/// `GET /observations/{collection}/{observationID}`.
pub async fn read(
    State(app): State<Arc<App>>,
    Path((collection, obs_id)): Path<(String, String)>,
) -> Response {
    blocking(move || {
        Ok(match app.db.get(&collection, &obs_id)? {
            None => text(
                StatusCode::NOT_FOUND,
                format!("not found: caom:{collection}/{obs_id}"),
            ),
            Some(row) => (
                [
                    (header::CONTENT_TYPE, "text/x-caom+xml".to_string()),
                    (header::ETAG, row.acc_meta_checksum),
                ],
                row.xml,
            )
                .into_response(),
        })
    })
    .await
}

/// A document checked against its path, validated, with server-side checksums.
fn accept(collection: &str, obs_id: &str, body: &[u8]) -> Result<Observation, Refusal> {
    if body.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "no document in the request".into()));
    }
    let mut obs = caom2::xml::read(body)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("invalid document: {e}")))?;
    if obs.collection != collection || obs.observation_id != obs_id {
        return Err((
            StatusCode::BAD_REQUEST,
            format!(
                "the document is {} but the path is caom:{collection}/{obs_id}",
                obs.uri()
            ),
        ));
    }
    let problems = caom2::validate::validate(&obs);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err((
            StatusCode::BAD_REQUEST,
            format!("invalid observation {}: {}", obs.uri(), list.join("; ")),
        ));
    }
    checksum::update_checksums(&mut obs);
    Ok(obs)
}

type Stamps = (
    Option<caom2::Uri>,
    Option<caom2::Uri>,
    Option<Timestamp>,
    Option<Timestamp>,
);

fn entities(obs: &mut Observation) -> Vec<&mut Entity> {
    let mut out = vec![&mut obs.entity];
    for p in &mut obs.planes {
        out.push(&mut p.entity);
        for a in &mut p.artifacts {
            out.push(&mut a.entity);
            for part in &mut a.parts {
                out.push(&mut part.entity);
                for c in &mut part.chunks {
                    out.push(&mut c.entity);
                }
            }
        }
    }
    out
}

/// Sets `lastModified` where an entity is new or its metaChecksum changed and
/// `maxLastModified` where it is new or its accMetaChecksum changed; others keep `old`'s.
fn stamp(obs: &mut Observation, old: Option<&mut Observation>, now: Timestamp) {
    let mut before: HashMap<Uuid, Stamps> = HashMap::new();
    if let Some(old) = old {
        for e in entities(old) {
            before.insert(
                e.id,
                (
                    e.meta_checksum.clone(),
                    e.acc_meta_checksum.clone(),
                    e.last_modified,
                    e.max_last_modified,
                ),
            );
        }
    }
    for e in entities(obs) {
        match before.get(&e.id) {
            Some((meta, acc, lm, mlm)) => {
                e.last_modified = if *meta == e.meta_checksum && lm.is_some() {
                    *lm
                } else {
                    Some(now)
                };
                e.max_last_modified = if *acc == e.acc_meta_checksum && mlm.is_some() {
                    *mlm
                } else {
                    Some(now)
                };
            }
            None => {
                e.last_modified = Some(now);
                e.max_last_modified = Some(now);
            }
        }
    }
}

fn row(obs: &Observation) -> StoredObservation {
    StoredObservation {
        id: obs.entity.id.to_string(),
        acc_meta_checksum: obs
            .entity
            .acc_meta_checksum
            .as_ref()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default(),
        max_last_modified: obs
            .entity
            .max_last_modified
            .map(|t| t.to_string())
            .unwrap_or_default(),
        xml: caom2::xml::write(obs).into_bytes(),
    }
}

/// `PUT /observations/{collection}/{observationID}`: create; 409 when it exists.
pub async fn create(
    State(app): State<Arc<App>>,
    Path((collection, obs_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    blocking(move || {
        let mut obs = match accept(&collection, &obs_id, &body) {
            Ok(o) => o,
            Err(r) => return Ok(refuse(r)),
        };
        stamp(&mut obs, None, Timestamp::now());
        let row = row(&obs);
        if app.db.insert(&collection, &obs_id, &row)? {
            Ok((StatusCode::OK, [(header::ETAG, row.acc_meta_checksum)]).into_response())
        } else {
            Ok(text(
                StatusCode::CONFLICT,
                format!("already exists: {}", obs.uri()),
            ))
        }
    })
    .await
}

/// The value of `If-Match` (quotes and a weak prefix removed).
fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_string()
        })
}

/// `POST /observations/{collection}/{observationID}`: update, conditional with `If-Match`.
pub async fn update(
    State(app): State<Arc<App>>,
    Path((collection, obs_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let expected = if_match(&headers);
    blocking(move || {
        let obs = match accept(&collection, &obs_id, &body) {
            Ok(o) => o,
            Err(r) => return Ok(refuse(r)),
        };
        loop {
            let Some(stored) = app.db.get(&collection, &obs_id)? else {
                return Ok(if expected.is_some() {
                    text(
                        StatusCode::PRECONDITION_FAILED,
                        format!("caom:{collection}/{obs_id} no longer exists"),
                    )
                } else {
                    text(
                        StatusCode::NOT_FOUND,
                        format!("not found: caom:{collection}/{obs_id}"),
                    )
                });
            };
            if let Some(e) = &expected {
                if *e != stored.acc_meta_checksum {
                    return Ok(text(
                        StatusCode::PRECONDITION_FAILED,
                        format!(
                            "caom:{collection}/{obs_id} is {} now, not {e}",
                            stored.acc_meta_checksum
                        ),
                    ));
                }
            }
            if stored.id != obs.entity.id.to_string() {
                return Ok(text(
                    StatusCode::NOT_FOUND,
                    format!(
                        "no stored observation has id {} (caom:{collection}/{obs_id} is {})",
                        obs.entity.id, stored.id
                    ),
                ));
            }
            let mut new = obs.clone();
            let acc = new
                .entity
                .acc_meta_checksum
                .as_ref()
                .map(|u| u.as_str().to_string())
                .unwrap_or_default();
            if acc == stored.acc_meta_checksum {
                // Nothing changed: no write, the timestamps stay.
                return Ok((StatusCode::OK, [(header::ETAG, acc)]).into_response());
            }
            let mut old = caom2::xml::read(&stored.xml).ok();
            stamp(&mut new, old.as_mut(), Timestamp::now());
            let r = row(&new);
            match app
                .db
                .swap(&collection, &obs_id, &stored.acc_meta_checksum, &r)?
            {
                Swap::Done => {
                    return Ok(
                        (StatusCode::OK, [(header::ETAG, r.acc_meta_checksum)]).into_response()
                    )
                }
                // Another writer got in between our read and write: decide again.
                Swap::Lost => continue,
            }
        }
    })
    .await
}

/// `DELETE /observations/{collection}/{observationID}`; the deletion is recorded.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path((collection, obs_id)): Path<(String, String)>,
) -> Response {
    blocking(move || {
        Ok(
            if app.db.delete(&collection, &obs_id, &crate::time::now())? {
                StatusCode::OK.into_response()
            } else {
                text(
                    StatusCode::NOT_FOUND,
                    format!("not found: caom:{collection}/{obs_id}"),
                )
            },
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use caom2::Plane;

    #[test]
    fn timestamps_follow_checksums() {
        let mut a = Observation::simple("T", "o");
        a.planes.push(Plane::new("p1"));
        checksum::update_checksums(&mut a);
        stamp(&mut a, None, Timestamp(1000));
        assert_eq!(a.entity.last_modified, Some(Timestamp(1000)));
        let mut b = a.clone();
        b.planes.push(Plane::new("p2"));
        checksum::update_checksums(&mut b);
        stamp(&mut b, Some(&mut a.clone()), Timestamp(2000));
        // the observation's own state is unchanged, its children changed
        assert_eq!(b.entity.last_modified, Some(Timestamp(1000)));
        assert_eq!(b.entity.max_last_modified, Some(Timestamp(2000)));
        assert_eq!(b.planes[0].entity.max_last_modified, Some(Timestamp(1000)));
        assert_eq!(b.planes[1].entity.last_modified, Some(Timestamp(2000)));
    }
}
