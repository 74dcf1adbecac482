//! TAP: synchronous ADQL queries answered as TSV (the reference's
//! `CadcTapClient.query(..., response_format='tsv')`), and the Storage Inventory time-box
//! query the incremental work source uses.

use std::sync::Arc;

use reqwest::Method;
use url::Url;

use crate::error::ClientError;
use crate::http::{Body, Http, Request};
use crate::registry::{Registry, STD_TAP};

/// A query result: column names and rows of text values (empty string = null).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The index of a column (case-insensitive, ignoring a table alias prefix).
    pub fn column(&self, name: &str) -> Option<usize> {
        let bare = |c: &str| c.rsplit('.').next().unwrap_or(c).to_ascii_lowercase();
        self.columns.iter().position(|c| bare(c) == bare(name))
    }

    /// Parses TAP TSV: a header line of column names, then one row per line; `\t`, `\n`
    /// and `\\` escapes inside values are undone.
    pub fn parse_tsv(text: &str, context: &str) -> Result<Table, ClientError> {
        let mut lines = text.lines();
        let header = lines
            .next()
            .ok_or_else(|| ClientError::protocol(context, "empty TSV (no header line)"))?;
        let columns: Vec<String> = header.split('\t').map(unescape).collect();
        let mut rows = Vec::new();
        for (n, line) in lines.enumerate() {
            if line.is_empty() {
                continue;
            }
            let row: Vec<String> = line.split('\t').map(unescape).collect();
            if row.len() != columns.len() {
                return Err(ClientError::protocol(
                    context,
                    format!(
                        "TSV row {} has {} values for {} columns",
                        n + 2,
                        row.len(),
                        columns.len()
                    ),
                ));
            }
            rows.push(row);
        }
        Ok(Table { columns, rows })
    }
}

fn unescape(v: &str) -> String {
    if !v.contains('\\') {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len());
    let mut it = v.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// An ADQL string literal (single quotes doubled).
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A TAP service.
#[derive(Clone, Debug)]
pub struct TapClient {
    http: Arc<Http>,
    base: Url,
}

impl TapClient {
    pub fn new(http: Arc<Http>, base: Url) -> TapClient {
        TapClient { http, base }
    }

    pub fn from_registry(registry: &Registry, resource_id: &str) -> Result<TapClient, ClientError> {
        let base = registry.endpoint(resource_id, &[STD_TAP])?;
        Ok(TapClient::new(registry.http().clone(), base))
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Runs `adql` on `<base>/sync` and returns the TSV table.
    pub fn query(&self, adql: &str) -> Result<Table, ClientError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| ClientError::setup(self.base.as_str(), "not a base URL"))?
            .pop_if_empty()
            .push("sync");
        let form = vec![
            ("LANG".to_string(), "ADQL".to_string()),
            ("QUERY".to_string(), adql.to_string()),
            ("RESPONSEFORMAT".to_string(), "tsv".to_string()),
        ];
        let reply = self
            .http
            .send(
                &Request::new(Method::POST, url, "tap", "query")
                    .label("query")
                    .body(Body::Form(form)),
            )?
            .success()?;
        Table::parse_tsv(reply.text()?, &reply.context)
    }
}

/// The Storage Inventory files of one namespace whose `lastModified` is in `(after, until]`,
/// oldest first: the reference's `QueryTimeBoxDataSource` query, with the namespace matched
/// by a URI prefix (`uri LIKE 'cadc:NEOSSAT/%'`, which an index on `uri` can serve) instead
/// of `split_part(split_part(uri, '/', 1), ':', 2) = 'NEOSSAT'` (which no index serves), and
/// the same exclusion of `jpg` previews. Times are UTC, to the millisecond.
pub fn inventory_time_box_query(
    uri_prefix: &str,
    after: jiff::Timestamp,
    until: jiff::Timestamp,
) -> String {
    // `_` and `%` in the prefix are not escaped (ADQL defines no escape character): they
    // can only widen the match, and callers keep rows that really start with the prefix.
    let like = format!("{uri_prefix}%");
    format!(
        "SELECT A.uri, A.lastModified FROM inventory.Artifact AS A \
         WHERE A.uri LIKE {} AND A.uri NOT LIKE '%jpg' \
         AND A.lastModified > {} AND A.lastModified <= {} \
         ORDER BY A.lastModified ASC",
        literal(&like),
        literal(&ivoa_time(after)),
        literal(&ivoa_time(until))
    )
}

/// `yyyy-MM-ddTHH:mm:ss.SSS` in UTC, truncated to the millisecond (the precision of
/// inventory timestamps).
pub fn ivoa_time(t: jiff::Timestamp) -> String {
    let ms = t.as_millisecond();
    let t = jiff::Timestamp::from_millisecond(ms).unwrap_or(t);
    t.to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

/// Parses an inventory time (`yyyy-MM-ddTHH:mm:ss[.fff]`, a space instead of `T`, an
/// optional `Z`) as UTC.
pub fn parse_ivoa_time(text: &str) -> Option<jiff::Timestamp> {
    let t = text.trim().trim_end_matches('Z').replace(' ', "T");
    let dt: jiff::civil::DateTime = t.parse().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_tables() {
        let t = Table::parse_tsv(
            "uri\tlastModified\ncadc:X/a\\tb.fits\t2024-01-01T00:00:00.000\n",
            "q",
        )
        .unwrap();
        assert_eq!(t.columns, vec!["uri", "lastModified"]);
        assert_eq!(t.rows[0][0], "cadc:X/a\tb.fits");
        assert_eq!(t.column("A.LASTMODIFIED"), Some(1));
        assert!(Table::parse_tsv("a\tb\n1\n", "q").is_err());
        assert!(Table::parse_tsv("", "q").is_err());
    }

    #[test]
    fn inventory_query_is_prefix_based() {
        let a = parse_ivoa_time("2019-07-23 09:51:00.123456").unwrap();
        let b = parse_ivoa_time("2019-07-23T21:31:00Z").unwrap();
        assert_eq!(ivoa_time(a), "2019-07-23T09:51:00.123");
        let q = inventory_time_box_query("cadc:NEO_SSAT/", a, b);
        assert_eq!(
            q,
            "SELECT A.uri, A.lastModified FROM inventory.Artifact AS A WHERE A.uri LIKE 'cadc:NEO_SSAT/%' \
             AND A.uri NOT LIKE '%jpg' AND A.lastModified > '2019-07-23T09:51:00.123' \
             AND A.lastModified <= '2019-07-23T21:31:00.000' ORDER BY A.lastModified ASC"
        );
        assert_eq!(literal("it's"), "'it''s'");
    }
}
