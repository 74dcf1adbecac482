//! Credentials: an X.509 proxy certificate (certificate chain and private key in one PEM
//! file, as `cadc-get-cert` writes `cadcproxy.pem`), a bearer token, or none.
//!
//! A certificate's validity is read when it is loaded: an expired certificate is refused
//! (every call would fail with 401/403 and the operator would see a confusing message per
//! entry), and one that expires within [`EXPIRY_WARNING`] is reported by
//! [`ClientCert::expiry`], so a cron job warns two days before the proxy lapses instead of
//! failing after.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::ClientError;

/// How long before expiry a certificate is reported.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(2 * 24 * 3600);

/// IVOA security method of client certificates.
pub const SECURITY_CERT: &str = "ivo://ivoa.net/sso#tls-with-certificate";
/// IVOA security method of bearer tokens.
pub const SECURITY_TOKEN: &str = "ivo://ivoa.net/sso#token";
/// CADC's older token security method.
pub const SECURITY_TOKEN_CADC: &str = "vos://cadc.nrc.ca~vospace/CADC/std/Auth#token-1.0";
/// IVOA anonymous access (also: an interface without a security method).
pub const SECURITY_ANON: &str = "ivo://ivoa.net/sso#anon";

/// What a client presents.
#[derive(Clone, Default)]
pub enum Credentials {
    #[default]
    Anonymous,
    Certificate(ClientCert),
    Token(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Certificate(c) => write!(f, "Certificate({})", c.path.display()),
            // never print a token
            Credentials::Token(_) => f.write_str("Token(…)"),
        }
    }
}

impl Credentials {
    /// A bearer token read from the first non-blank line of `path`.
    pub fn token_file(path: &Path) -> Result<Credentials, ClientError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ClientError::setup(path.display().to_string(), e.to_string()))?;
        let token = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| {
                ClientError::setup(path.display().to_string(), "no token in the file")
            })?;
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ClientError::setup(
                path.display().to_string(),
                "a token is one word without spaces",
            ));
        }
        Ok(Credentials::Token(token.to_string()))
    }

    /// The security method a capabilities interface must offer for these credentials.
    pub fn security_methods(&self) -> &'static [&'static str] {
        match self {
            Credentials::Anonymous => &[SECURITY_ANON],
            Credentials::Certificate(_) => &[SECURITY_CERT],
            Credentials::Token(_) => &[SECURITY_TOKEN, SECURITY_TOKEN_CADC],
        }
    }
}

/// How close a certificate is to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    Valid,
    /// Expires within [`EXPIRY_WARNING`]; the time left.
    Soon(Duration),
    Expired,
    NotYetValid,
}

/// A client certificate chain and its key.
#[derive(Clone)]
pub struct ClientCert {
    pub path: PathBuf,
    pub chain: Vec<CertificateDer<'static>>,
    key: std::sync::Arc<PrivateKeyDer<'static>>,
    pub not_before: jiff::Timestamp,
    pub not_after: jiff::Timestamp,
}

impl fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ClientCert({}, valid until {})",
            self.path.display(),
            self.not_after
        )
    }
}

impl ClientCert {
    /// Reads a PEM file holding the certificate chain (leaf first) and the private key
    /// (PKCS#1, PKCS#8 or SEC1), in any order. An expired certificate is an error.
    pub fn load(path: &Path) -> Result<ClientCert, ClientError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ClientError::setup(&name, e.to_string()))?;
        let cert = ClientCert::from_pem(&bytes, path)?;
        if cert.expiry(jiff::Timestamp::now()) == Expiry::Expired {
            return Err(ClientError::setup(
                name,
                format!(
                    "the certificate expired on {} (renew it, e.g. with cadc-get-cert)",
                    cert.not_after
                ),
            ));
        }
        Ok(cert)
    }

    /// Parses PEM bytes; `path` is for messages.
    pub fn from_pem(bytes: &[u8], path: &Path) -> Result<ClientCert, ClientError> {
        let name = path.display().to_string();
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| ClientError::setup(&name, format!("bad PEM certificate: {e}")))?;
        if chain.is_empty() {
            return Err(ClientError::setup(&name, "no CERTIFICATE in the PEM file"));
        }
        let key = PrivateKeyDer::from_pem_slice(bytes).map_err(|e| {
            ClientError::setup(
                &name,
                format!("no usable PRIVATE KEY in the PEM file (the proxy file holds both): {e}"),
            )
        })?;
        // The pair is checked here, where the file is named, not first when a client is built.
        rustls::sign::CertifiedKey::from_der(
            chain.clone(),
            key.clone_key(),
            &crate::tls::provider(),
        )
        .map_err(|e| {
            ClientError::setup(&name, format!("the key does not fit the certificate: {e}"))
        })?;
        let (not_before, not_after) = validity(&chain[0]).ok_or_else(|| {
            ClientError::setup(&name, "the certificate's validity cannot be read")
        })?;
        Ok(ClientCert {
            path: path.to_path_buf(),
            chain,
            key: std::sync::Arc::new(key),
            not_before,
            not_after,
        })
    }

    pub fn key(&self) -> PrivateKeyDer<'static> {
        self.key.clone_key()
    }

    /// Whether the certificate is valid at `now`, and for how long still.
    pub fn expiry(&self, now: jiff::Timestamp) -> Expiry {
        if now < self.not_before {
            return Expiry::NotYetValid;
        }
        if now >= self.not_after {
            return Expiry::Expired;
        }
        let left = self.not_after.duration_since(now).unsigned_abs();
        if left < EXPIRY_WARNING {
            Expiry::Soon(left)
        } else {
            Expiry::Valid
        }
    }

    /// A warning for an operator when the certificate is close to its end.
    pub fn expiry_warning(&self, now: jiff::Timestamp) -> Option<String> {
        match self.expiry(now) {
            Expiry::Soon(left) => Some(format!(
                "{}: the certificate expires in {:.1} hours ({}); renew it",
                self.path.display(),
                left.as_secs_f64() / 3600.0,
                self.not_after
            )),
            Expiry::NotYetValid => Some(format!(
                "{}: the certificate is not valid before {}",
                self.path.display(),
                self.not_before
            )),
            Expiry::Expired => Some(format!(
                "{}: the certificate expired on {}",
                self.path.display(),
                self.not_after
            )),
            Expiry::Valid => None,
        }
    }
}

/// A DER element: (tag, contents, rest).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// `notBefore` and `notAfter` of an X.509 certificate.
pub fn validity(cert: &[u8]) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
    let (0x30, cert, _) = der(cert)? else {
        return None;
    };
    let (0x30, mut tbs, _) = der(cert)? else {
        return None;
    };
    // [0] version (optional), serialNumber, signature, issuer, then validity
    let (tag, _, rest) = der(tbs)?;
    if tag == 0xa0 {
        tbs = rest;
        let (_, _, rest) = der(tbs)?; // serial
        tbs = rest;
    } else {
        tbs = rest; // that was the serial
    }
    for _ in 0..2 {
        let (_, _, rest) = der(tbs)?; // signature algorithm, issuer
        tbs = rest;
    }
    let (0x30, validity, _) = der(tbs)? else {
        return None;
    };
    let (t1, before, rest) = der(validity)?;
    let (t2, after, _) = der(rest)?;
    Some((asn1_time(t1, before)?, asn1_time(t2, after)?))
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn asn1_time(tag: u8, text: &[u8]) -> Option<jiff::Timestamp> {
    let s = std::str::from_utf8(text).ok()?;
    let s = s.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let yy: i16 = s.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        0x18 => (s.get(..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let num = |r: std::ops::Range<usize>| -> Option<i8> { rest.get(r)?.parse().ok() };
    let dt = jiff::civil::DateTime::new(
        year,
        num(0..2)?,
        num(2..4)?,
        num(4..6)?,
        num(6..8)?,
        num(8..10).unwrap_or(0),
        0,
    )
    .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asn1_times() {
        let t = asn1_time(0x17, b"250101120000Z").unwrap();
        assert_eq!(t.to_string(), "2025-01-01T12:00:00Z");
        let t = asn1_time(0x17, b"991231235959Z").unwrap();
        assert_eq!(t.to_string(), "1999-12-31T23:59:59Z");
        let t = asn1_time(0x18, b"20500101000000Z").unwrap();
        assert_eq!(t.to_string(), "2050-01-01T00:00:00Z");
        assert!(asn1_time(0x17, b"2501011200").is_none());
        assert!(validity(b"\x30\x03\x02\x01\x01").is_none());
        assert!(validity(b"").is_none());
    }

    #[test]
    fn bad_pem_is_a_setup_error() {
        let e = ClientCert::from_pem(b"nothing here", Path::new("p.pem")).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Setup);
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("token");
        std::fs::write(&p, "\n  abc.def  \n").unwrap();
        match Credentials::token_file(&p).unwrap() {
            Credentials::Token(t) => assert_eq!(t, "abc.def"),
            other => panic!("{other:?}"),
        }
        std::fs::write(&p, "a b\n").unwrap();
        assert!(Credentials::token_file(&p).is_err());
        assert_eq!(
            format!("{:?}", Credentials::Token("secret".into())),
            "Token(…)"
        );
    }
}
