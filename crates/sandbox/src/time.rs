//! Times as the sandbox stores them: UTC text `yyyy-MM-ddTHH:mm:ss.SSS`.

/// Now, in the stored form.
pub fn now() -> String {
    caom2::Timestamp::now().to_string()
}

/// The stored form of an IVOA time given by a client (`T` or a space, optional fraction
/// and `Z`, or a date alone); `None` when it is not a time.
pub fn canonical(text: &str) -> Option<String> {
    let t = text.trim().replacen(' ', "T", 1);
    caom2::Timestamp::parse(&t).ok().map(|t| t.to_string())
}

/// An HTTP date (`Last-Modified`) for a stored time.
pub fn http_date(stored: &str) -> Option<String> {
    let t = caom2::Timestamp::parse(stored).ok()?;
    let ts = jiff::Timestamp::from_millisecond(t.0).ok()?;
    Some(
        ts.to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            canonical("2019-07-23 09:51:00.123456").as_deref(),
            Some("2019-07-23T09:51:00.123")
        );
        assert_eq!(
            canonical("2019-07-23").as_deref(),
            Some("2019-07-23T00:00:00.000")
        );
        assert_eq!(
            canonical("2019-07-23T09:51Z").as_deref(),
            Some("2019-07-23T09:51:00.000")
        );
        assert_eq!(canonical("nope"), None);
        assert_eq!(
            http_date("1994-11-06T08:49:37.000").as_deref(),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
        assert_eq!(now().len(), 23);
    }
}
