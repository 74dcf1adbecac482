//! URIs as CAOM stores them: the text as written, checked with the syntax rules of
//! `java.net.URI`, ordered by `java.net.URI.compareTo` and digested as `toASCIIString()`.

use crate::java;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// An absolute or relative URI reference (`ad:COLL/file.fits`, `ivo://cadc.nrc.ca/gms?A`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Uri(String);

/// Why a text is not a URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URI {text:?}: {reason}")]
pub struct UriError {
    pub text: String,
    pub reason: String,
}

/// The components `java.net.URI` parses a URI into (raw, undecoded).
struct Parts<'a> {
    scheme: Option<&'a str>,
    /// Scheme-specific part of an opaque URI (`caom:`, `ad:`); None for hierarchical ones.
    opaque: Option<&'a str>,
    authority: Option<&'a str>,
    user_info: Option<&'a str>,
    host: Option<&'a str>,
    port: i32,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl Uri {
    /// Checks the text (trimmed) against the URI syntax and keeps it as written.
    pub fn parse(text: &str) -> Result<Uri, UriError> {
        let t = text.trim();
        let fail = |reason: &str| UriError {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        if t.is_empty() {
            return Err(fail("empty"));
        }
        let bytes = t.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let ok = bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
                if !ok {
                    return Err(fail(&format!("malformed escape at index {i}")));
                }
            } else if b < 0x80 && !is_uri_char(b) {
                return Err(fail(&format!(
                    "illegal character {:?} at index {i}",
                    b as char
                )));
            }
            i += 1;
        }
        for (i, c) in t.char_indices() {
            if !c.is_ascii() && (c.is_control() || c.is_whitespace()) {
                return Err(fail(&format!("illegal character {c:?} at index {i}")));
            }
        }
        if t.matches('#').count() > 1 {
            return Err(fail("more than one '#'"));
        }
        let parts = split(t);
        if let Some(s) = parts.scheme {
            let ok = s.as_bytes()[0].is_ascii_alphabetic()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
            if !ok {
                return Err(fail("illegal scheme"));
            }
            if parts.opaque == Some("") && parts.fragment.is_none() {
                return Err(fail("expected a scheme-specific part"));
            }
        } else if t.starts_with(':') {
            return Err(fail("expected a scheme name"));
        }
        if let Some(a) = parts.authority {
            if a.contains(['[', ']']) && !(a.contains('[') && a.contains(']')) {
                return Err(fail("malformed IPv6 address"));
            }
        }
        if t.contains(['[', ']']) && parts.authority.is_none_or(|a| !a.contains('[')) {
            return Err(fail("'[' or ']' outside an IPv6 host"));
        }
        Ok(Uri(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scheme, if the URI is absolute.
    pub fn scheme(&self) -> Option<&str> {
        split(&self.0).scheme
    }

    /// The scheme-specific part: for `caom:COLL/obs` it is `COLL/obs`.
    pub fn scheme_specific_part(&self) -> &str {
        let t = self.0.as_str();
        let t = t.split('#').next().unwrap_or(t);
        match split(&self.0).scheme {
            Some(s) => &t[s.len() + 1..],
            None => t,
        }
    }

    /// `URI.toASCIIString()`: non-ASCII characters percent-encoded as UTF-8.
    pub fn to_ascii_string(&self) -> Cow<'_, str> {
        if self.0.is_ascii() {
            return Cow::Borrowed(&self.0);
        }
        let mut out = String::with_capacity(self.0.len() + 16);
        for c in self.0.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
        Cow::Owned(out)
    }

    /// `java.net.URI.compareTo`: scheme (case-insensitive), opaque after hierarchical, then
    /// components; host case-insensitive. This orders URI sets in XML and in checksums.
    pub fn java_cmp(&self, other: &Uri) -> Ordering {
        let a = split(&self.0);
        let b = split(&other.0);
        let c = cmp_opt(a.scheme, b.scheme, cmp_ignore_case);
        if c != Ordering::Equal {
            return c;
        }
        match (a.opaque, b.opaque) {
            (Some(x), Some(y)) => {
                return java::str_cmp(x, y)
                    .then_with(|| cmp_opt(a.fragment, b.fragment, java::str_cmp));
            }
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (None, None) => {}
        }
        let c = if a.host.is_some() && b.host.is_some() {
            cmp_opt(a.user_info, b.user_info, java::str_cmp)
                .then_with(|| cmp_opt(a.host, b.host, cmp_ignore_case))
                .then_with(|| a.port.cmp(&b.port))
        } else {
            cmp_opt(a.authority, b.authority, java::str_cmp)
        };
        c.then_with(|| java::str_cmp(a.path, b.path))
            .then_with(|| cmp_opt(a.query, b.query, java::str_cmp))
            .then_with(|| cmp_opt(a.fragment, b.fragment, java::str_cmp))
    }
}

/// Sorts and de-duplicates a URI set the way a Java `TreeSet<URI>` holds it.
pub fn sorted_uri_set(uris: &[Uri]) -> Vec<&Uri> {
    let mut v: Vec<&Uri> = uris.iter().collect();
    v.sort_by(|a, b| a.java_cmp(b));
    v.dedup_by(|a, b| a.java_cmp(b) == Ordering::Equal);
    v
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Uri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uri::parse(s)
    }
}

/// RFC 2396 characters that `java.net.URI` accepts literally (besides `%` escapes).
fn is_uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'();/?:@&=+$,#[]".contains(&b)
}

fn split(t: &str) -> Parts<'_> {
    let (body, fragment) = match t.find('#') {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    // a scheme is what precedes the first ':' if no '/', '?' or '#' comes before it
    let scheme_end = body
        .find([':', '/', '?'])
        .filter(|&i| body.as_bytes()[i] == b':' && i > 0);
    let (scheme, rest) = match scheme_end {
        Some(i) => (Some(&body[..i]), &body[i + 1..]),
        None => (None, body),
    };
    let mut parts = Parts {
        scheme,
        opaque: None,
        authority: None,
        user_info: None,
        host: None,
        port: -1,
        path: "",
        query: None,
        fragment,
    };
    if scheme.is_some() && !rest.starts_with('/') {
        parts.opaque = Some(rest);
        return parts;
    }
    let (hier, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    parts.query = query;
    if let Some(after) = hier.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        parts.path = &after[end..];
        if !authority.is_empty() {
            parts.authority = Some(authority);
            let (user_info, hostport) = match authority.rfind('@') {
                Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
                None => (None, authority),
            };
            let (host, port) = split_host_port(hostport);
            if let Some(h) = host.filter(|h| is_server_host(h)) {
                parts.user_info = user_info;
                parts.host = Some(h);
                parts.port = port;
            }
        }
    } else {
        parts.path = hier;
    }
    parts
}

fn split_host_port(hostport: &str) -> (Option<&str>, i32) {
    if hostport.starts_with('[') {
        return match hostport.find(']') {
            Some(i) => {
                let port = hostport[i + 1..]
                    .strip_prefix(':')
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(-1);
                (Some(&hostport[..=i]), port)
            }
            None => (None, -1),
        };
    }
    match hostport.rfind(':') {
        Some(i) => match hostport[i + 1..].parse::<i32>() {
            Ok(p) => (Some(&hostport[..i]), p),
            Err(_) if hostport[i + 1..].is_empty() => (Some(&hostport[..i]), -1),
            Err(_) => (None, -1),
        },
        None => (Some(hostport), -1),
    }
}

/// A server-based authority has a host name or address; otherwise `java.net.URI` keeps it as
/// a registry-based authority and compares it as a whole.
fn is_server_host(h: &str) -> bool {
    !h.is_empty()
        && (h.starts_with('[')
            || h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
}

fn cmp_opt(a: Option<&str>, b: Option<&str>, f: fn(&str, &str) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => f(x, y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let la = a.encode_utf16().map(ascii_lower);
    let lb = b.encode_utf16().map(ascii_lower);
    la.cmp(lb)
}

fn ascii_lower(u: u16) -> u16 {
    if (b'A' as u16..=b'Z' as u16).contains(&u) {
        u + 32
    } else {
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Uri {
        Uri::parse(s).unwrap()
    }

    #[test]
    fn java_order_of_group_uris() {
        // the query is compared after the path: gms?Z < gms2?A, unlike plain string order
        assert_eq!(
            u("ivo://cadc.nrc.ca/gms?Z").java_cmp(&u("ivo://cadc.nrc.ca/gms2?A")),
            Ordering::Less
        );
        assert!("ivo://cadc.nrc.ca/gms?Z" > "ivo://cadc.nrc.ca/gms2?A");
    }

    #[test]
    fn scheme_is_case_insensitive_and_opaque_sorts_last() {
        assert_eq!(u("Caom:a/b").java_cmp(&u("caom:a/b")), Ordering::Equal);
        assert_eq!(u("caom:a/b").java_cmp(&u("caom:/a/b")), Ordering::Greater);
        assert_eq!(u("ad:X/b").java_cmp(&u("caom:X/a")), Ordering::Less);
        assert_eq!(
            u("http://HOST/x").java_cmp(&u("http://host/x")),
            Ordering::Equal
        );
        assert_eq!(
            u("http://host:80/x").java_cmp(&u("http://host/x")),
            Ordering::Greater
        );
    }

    #[test]
    fn ascii_form_percent_encodes() {
        assert_eq!(u("naif:café").to_ascii_string(), "naif:caf%C3%A9");
        assert_eq!(u("ad:plain").to_ascii_string(), "ad:plain");
    }

    #[test]
    fn bad_uris_are_rejected() {
        for bad in [
            "",
            "a b:c",
            "ad:x|y",
            "ad:%zz",
            "1ad:x",
            "ad:",
            "a#b#c",
            "http://x/<y>",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad:?} should fail");
        }
        for good in [
            "ad:COLL/file.fits",
            "caom:foo/bar/plane1",
            "ivo://cadc.nrc.ca/gms?A",
            "http://[::1]:8080/x",
            "md5:e25072aa30c976697f6729ed6e62a42f",
            "relative/path",
            "naif:1701",
        ] {
            assert!(Uri::parse(good).is_ok(), "{good:?} should parse");
        }
    }

    #[test]
    fn sets_dedup_by_java_equality() {
        let v = vec![u("ivo://b/x"), u("ivo://a/x"), u("ivo://A/x")];
        let s = sorted_uri_set(&v);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].as_str(), "ivo://a/x");
    }
}
