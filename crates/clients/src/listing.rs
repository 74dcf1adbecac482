//! HTTP directory listings (Apache `mod_autoindex` and nginx `autoindex` pages, in their
//! `<pre>` and table layouts): the links of a page with their modification times, the raw
//! material of the reference's `HttpDataSource` (html_data_source.py).
//!
//! Only links *below* the page are entries (the parent directory, sort links `?C=M;O=A`,
//! absolute links elsewhere and other hosts are not); a link ending in `/` is a directory.
//! The time is the first `YYYY-MM-DD HH:MM[:SS]` or `DD-Mon-YYYY HH:MM[:SS]` in the text
//! between the link and the next one; it is the server's local civil time (the harvest
//! interprets it in `time_zone`).

use reqwest::Method;
use url::Url;

use crate::error::ClientError;
use crate::http::{Http, Request};

/// One link of a listing page.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub url: Url,
    /// The last path element, decoded, without the trailing `/`.
    pub name: String,
    pub is_dir: bool,
    pub modified: Option<jiff::civil::DateTime>,
}

/// Fetches and parses a listing page.
pub fn fetch(http: &Http, url: &Url) -> Result<Vec<Entry>, ClientError> {
    let name = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    let reply = http
        .send(&Request::new(Method::GET, url.clone(), "http", "listing").label(name))?
        .success()?;
    // Listings are ASCII or UTF-8 in practice; odd bytes only affect names we then skip.
    Ok(parse(&String::from_utf8_lossy(&reply.body), url))
}

fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (from..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The `href` of an `<a ...>` tag's attribute text.
fn href_of(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("href") {
        let i = from + i;
        from = i + 4;
        let rest = tag[i + 4..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let value = match rest.chars().next()? {
            q @ ('"' | '\'') => rest[1..].split(q).next()?,
            _ => rest.split(|c: char| c.is_whitespace() || c == '>').next()?,
        };
        return Some(html_unescape(value));
    }
    None
}

fn html_unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_unescape(&out)
}

/// The links below `page` with their times.
pub fn parse(html: &str, page: &Url) -> Vec<Entry> {
    let mut base = page.clone();
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    let prefix = base.as_str().to_string();
    let mut out: Vec<Entry> = Vec::new();
    let mut pos = 0;
    while let Some(a) = find_ci(html, "<a", pos) {
        let Some(tag_end) = html[a..].find('>').map(|i| a + i) else {
            break;
        };
        pos = tag_end + 1;
        let is_anchor = html[a + 2..]
            .chars()
            .next()
            .is_some_and(|c| c.is_whitespace());
        if !is_anchor {
            continue;
        }
        let Some(href) = href_of(&html[a + 2..tag_end]) else {
            continue;
        };
        let after_start = find_ci(html, "</a>", pos).map_or(pos, |i| i + 4);
        let after_end = find_ci(html, "<a", after_start).unwrap_or(html.len());
        if href.starts_with('?') || href.starts_with('#') || href.starts_with("mailto:") {
            continue;
        }
        let Ok(mut url) = base.join(&href) else {
            continue;
        };
        url.set_fragment(None);
        if url.query().is_some() || !url.as_str().starts_with(&prefix) || url.as_str() == prefix {
            continue;
        }
        let is_dir = url.path().ends_with('/');
        let name = url
            .path_segments()
            .and_then(|mut s| s.rfind(|x| !x.is_empty()))
            .map(percent_decode)
            .unwrap_or_default();
        if name.is_empty() || out.iter().any(|e| e.url == url) {
            continue;
        }
        let modified = find_time(&strip_tags(&html[after_start..after_end]));
        out.push(Entry {
            url,
            name,
            is_dir,
            modified,
        });
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first date and time in `text`: `2019-09-24 08:51[:SS]` or `24-Sep-2019 08:51[:SS]`.
pub fn find_time(text: &str) -> Option<jiff::civil::DateTime> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for w in words.windows(2) {
        let (d, t) = (w[0], w[1]);
        let date = parse_iso_date(d).or_else(|| parse_apache_date(d));
        let Some((y, m, day)) = date else { continue };
        let mut hms = t.split(':');
        let h: Option<i8> = hms.next().and_then(|x| x.parse().ok());
        let mi: Option<i8> = hms.next().and_then(|x| x.parse().ok());
        let s: i8 = hms.next().and_then(|x| x.parse().ok()).unwrap_or(0);
        if let (Some(h), Some(mi)) = (h, mi) {
            if let Ok(dt) = jiff::civil::DateTime::new(y, m, day, h, mi, s, 0) {
                return Some(dt);
            }
        }
    }
    None
}

fn parse_iso_date(d: &str) -> Option<(i16, i8, i8)> {
    let mut p = d.split('-');
    let y = p.next()?;
    if y.len() != 4 {
        return None;
    }
    let r = (
        y.parse().ok()?,
        p.next()?.parse().ok()?,
        p.next()?.parse().ok()?,
    );
    p.next().is_none().then_some(r)
}

fn parse_apache_date(d: &str) -> Option<(i16, i8, i8)> {
    let mut p = d.split('-');
    let day: i8 = p.next()?.parse().ok()?;
    let mon = crate::retry::month_number(p.next()?)?;
    let y: i16 = p.next()?.parse().ok()?;
    p.next().is_none().then_some((y, mon, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRE: &str = r#"<html><head><title>Index of /pub/NEOSSAT/ASTRO/2019/</title></head><body>
<h1>Index of /pub/NEOSSAT/ASTRO/2019/</h1><pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>
<hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/pub/NEOSSAT/ASTRO/">Parent Directory</a>                             -
<img src="/icons/folder.gif" alt="[DIR]"> <a href="268/">268/</a>                    2019-09-25 08:51    -
<img src="/icons/unknown.gif" alt="[   ]"> <a href="NEOS_SCI_2019268004930_clean.fits">NEOS_SCI_2019268004930_clean.fits</a> 24-Sep-2019 23:07:01  2.1M
<a href="NEOS%20x.fits">NEOS x.fits</a> no date
<a href="https://elsewhere/x.fits">x</a> 2019-01-01 00:00
<hr></pre></body></html>"#;

    const TABLE: &str = r#"<table>
<tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/pub/">Parent Directory</a></td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="NESS/">NESS/</a></td><td align="right">2021-03-04 10:11  </td><td align="right">  - </td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href='2017/'>2017/</a></td><td align="right">2017-12-31 23:59  </td></tr>
</table>"#;

    #[test]
    fn pre_layout() {
        let page = Url::parse("https://data.example/pub/NEOSSAT/ASTRO/2019/").unwrap();
        let e = parse(PRE, &page);
        let names: Vec<_> = e.iter().map(|x| (x.name.as_str(), x.is_dir)).collect();
        assert_eq!(
            names,
            vec![
                ("268", true),
                ("NEOS_SCI_2019268004930_clean.fits", false),
                ("NEOS x.fits", false)
            ]
        );
        assert_eq!(e[0].modified.unwrap().to_string(), "2019-09-25T08:51:00");
        assert_eq!(e[1].modified.unwrap().to_string(), "2019-09-24T23:07:01");
        assert_eq!(e[2].modified, None);
        assert_eq!(
            e[0].url.as_str(),
            "https://data.example/pub/NEOSSAT/ASTRO/2019/268/"
        );
        // a page URL without the trailing slash resolves the same
        let page = Url::parse("https://data.example/pub/NEOSSAT/ASTRO/2019").unwrap();
        assert_eq!(parse(PRE, &page).len(), 3);
    }

    #[test]
    fn table_layout() {
        let page = Url::parse("http://h/pub/").unwrap();
        let e = parse(TABLE, &page);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "NESS");
        assert_eq!(e[1].modified.unwrap().to_string(), "2017-12-31T23:59:00");
        assert!(parse("<a href", &page).is_empty());
        assert!(parse("<abbr>x</abbr><a>no href</a>", &page).is_empty());
    }
}
