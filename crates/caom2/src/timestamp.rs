//! UTC timestamps with millisecond precision, in the CAOM XML form
//! `yyyy-MM-ddTHH:mm:ss.SSS` (always three fraction digits, no zone designator).

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a text is not a CAOM timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {text:?}: expected yyyy-MM-ddTHH:mm:ss.SSS ({reason})")]
pub struct TimestampError {
    pub text: String,
    pub reason: &'static str,
}

impl Timestamp {
    /// From civil UTC fields. Returns None for out-of-range fields.
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        millis: u32,
    ) -> Option<Timestamp> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
            || millis > 999
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Some(Timestamp(secs * 1000 + i64::from(millis)))
    }

    /// Now, from the system clock.
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(d)
    }

    /// Accepts what either reference reader accepts: `yyyy-MM-dd`, optionally followed by
    /// `THH:mm[:ss[.f…]]` and an optional `Z`. Fraction digits are a decimal fraction of a
    /// second, truncated to milliseconds (Python's reading; Java writes exactly three).
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let t = text.trim();
        let err = |reason| TimestampError {
            text: text.to_string(),
            reason,
        };
        let b = t.as_bytes();
        let num = |s: usize, n: usize| -> Result<u32, TimestampError> {
            let part = b.get(s..s + n).ok_or_else(|| err("too short"))?;
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(err("expected digits"));
            }
            Ok(part
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
        };
        let year = num(0, 4)?;
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(err("expected '-' between date fields"));
        }
        let month = num(5, 2)?;
        let day = num(8, 2)?;
        let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
        let mut pos = 10;
        if matches!(b.get(10), Some(b'T') | Some(b' ')) {
            hour = num(11, 2)?;
            if b.get(13) != Some(&b':') {
                return Err(err("expected ':' after the hour"));
            }
            minute = num(14, 2)?;
            pos = 16;
            if b.get(16) == Some(&b':') {
                second = num(17, 2)?;
                pos = 19;
                if b.get(19) == Some(&b'.') {
                    pos = 20;
                    let start = pos;
                    while b.get(pos).is_some_and(u8::is_ascii_digit) {
                        pos += 1;
                    }
                    if pos == start {
                        return Err(err("expected fraction digits after '.'"));
                    }
                    let frac = &b[start..pos.min(start + 3)];
                    let mut m = frac
                        .iter()
                        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
                    for _ in frac.len()..3 {
                        m *= 10;
                    }
                    millis = m;
                }
            }
        }
        match &b[pos..] {
            [] | [b'Z'] => {}
            _ => return Err(err("unexpected trailing characters")),
        }
        Timestamp::from_civil(i64::from(year), month, day, hour, minute, second, millis)
            .ok_or_else(|| err("field out of range"))
    }

    /// Whole seconds since the epoch, truncated toward zero (the 2.3/2.4 checksum form).
    pub fn seconds(self) -> i64 {
        self.0 / 1000
    }

    /// Civil UTC fields: (year, month, day, hour, minute, second, millisecond).
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let secs = ms_of_day / 1000;
        (
            y,
            m,
            d,
            (secs / 3600) as u32,
            ((secs / 60) % 60) as u32,
            (secs % 60) as u32,
            (ms_of_day % 1000) as u32,
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, ms) = self.to_civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_precision() {
        let t = Timestamp::parse("2012-07-11T13:26:37.123").unwrap();
        assert_eq!(t.to_string(), "2012-07-11T13:26:37.123");
        assert_eq!(t.seconds(), 1_342_013_197);
        assert_eq!(Timestamp::parse("2012-07-11T13:26:37.1239Z").unwrap(), t);
        assert_eq!(
            Timestamp::parse("2012-07-11T13:26:37.7")
                .unwrap()
                .to_string(),
            "2012-07-11T13:26:37.700"
        );
        assert_eq!(
            Timestamp::parse("2012-07-11").unwrap().to_string(),
            "2012-07-11T00:00:00.000"
        );
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000");
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999");
        assert_eq!(Timestamp(-1).seconds(), 0);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "2012-13-01T00:00:00.000",
            "2012-02-30T00:00:00.000",
            "2012-07-11T25:00:00.000",
            "12-07-11",
            "2012-07-11T13:26:37.",
            "2012-07-11T13:26:37.000+01:00",
            "",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        let mut ms = -5_000_000_000_000i64;
        while ms < 9_000_000_000_000 {
            let t = Timestamp(ms);
            assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
            ms += 86_399_997_123;
        }
    }
}
