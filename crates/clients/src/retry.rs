//! When to try a call again, and how long to wait first.
//!
//! Retried: connection failures (refused, reset, broken pipe), truncated or unreadable
//! bodies, timeouts, 429 and every 5xx. Never retried: any other 4xx, which says the request
//! itself is wrong (or, for 404/409/412, states a fact the caller acts on). The wait before
//! retry *n* (0-based) is a random duration in `[0, min(max, base × 2^n)]` ("full jitter",
//! so that many clients failing together do not come back together), or what the server's
//! `Retry-After` says (seconds or an HTTP date), capped at `max_retry_after`.

use std::time::Duration;

/// Retry settings of a client.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub retries: u32,
    /// The first backoff's upper bound.
    pub base: Duration,
    /// The largest backoff.
    pub max: Duration,
    /// The largest wait a `Retry-After` header can impose.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 5 retries, 0.5 s doubling up to 30 s, `Retry-After` honoured up to 5 minutes: about a
    /// minute of trying before a call is given up, enough for a service restart.
    fn default() -> RetryPolicy {
        RetryPolicy {
            retries: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry `n` (0-based), given a `Retry-After` the server sent and a
    /// random number in `[0, 1)`.
    pub fn backoff(&self, n: u32, retry_after: Option<Duration>, random: f64) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.max_retry_after);
        }
        let factor = 2f64.powi(n.min(30) as i32);
        let ceiling = (self.base.as_secs_f64() * factor).min(self.max.as_secs_f64());
        Duration::from_secs_f64(ceiling * random.clamp(0.0, 1.0))
    }
}

/// Whether a response status is worth another attempt.
pub fn retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// A `Retry-After` value: delay-seconds, or an HTTP date (IMF-fixdate) relative to `now`.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let t = parse_http_date(v)?;
    let d = t.duration_since(now);
    Some(if d.is_negative() {
        Duration::ZERO
    } else {
        d.unsigned_abs()
    })
}

/// 1–12 for the English month abbreviations HTTP dates and Apache listings use.
pub(crate) fn month_number(abbreviation: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let i = MONTHS.iter().position(|m| *m == abbreviation)?;
    Some(i as i8 + 1)
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP dates take.
pub fn parse_http_date(v: &str) -> Option<jiff::Timestamp> {
    let parts: Vec<&str> = v.split_whitespace().collect();
    let [_, day, mon, year, hms, "GMT"] = parts.as_slice() else {
        return None;
    };
    let month = month_number(mon)?;
    let mut t = hms.split(':').map(|x| x.parse::<i8>().ok());
    let (h, m, s) = (t.next()??, t.next()??, t.next()??);
    let dt = jiff::civil::DateTime::new(year.parse().ok()?, month, day.parse().ok()?, h, m, s, 0)
        .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for a timestamp.
pub fn format_http_date(t: jiff::Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// A small, fast random source for jitter (xorshift), seeded per client from the clock and
/// the address of a local; jitter needs spread, not cryptographic quality.
#[derive(Debug)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new() -> Jitter {
        let local = 0u8;
        let seed = jiff::Timestamp::now().as_nanosecond() as u64
            ^ ((&local as *const u8 as u64).rotate_left(32))
            ^ 0x9E37_79B9_7F4A_7C15;
        Jitter(seed | 1)
    }

    /// A number in `[0, 1)`.
    pub fn sample(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Default for Jitter {
    fn default() -> Jitter {
        Jitter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, None, 1.0), Duration::from_millis(500));
        assert_eq!(p.backoff(3, None, 1.0), Duration::from_secs(4));
        assert_eq!(p.backoff(3, None, 0.5), Duration::from_secs(2));
        assert_eq!(p.backoff(20, None, 1.0), Duration::from_secs(30));
        assert_eq!(p.backoff(0, None, 0.0), Duration::ZERO);
        assert_eq!(
            p.backoff(0, Some(Duration::from_secs(7)), 0.1),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.backoff(0, Some(Duration::from_secs(7200)), 0.1),
            Duration::from_secs(300)
        );
        let mut j = Jitter::new();
        let xs: Vec<f64> = (0..1000).map(|_| j.sample()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / 1000.0;
        assert!((0.4..0.6).contains(&mean), "{mean}");
    }

    #[test]
    fn statuses_and_retry_after() {
        for s in [429, 500, 502, 503, 504] {
            assert!(retryable_status(s));
        }
        for s in [400, 401, 403, 404, 409, 412, 413] {
            assert!(!retryable_status(s));
        }
        let now = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(format_http_date(now), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
