//! Date and time the way the reference writes and reads them.
//!
//! * Log and progress lines use Python's `str(datetime.now())`: naive **local** time,
//!   `YYYY-MM-DD HH:MM:SS.ffffff`, the fraction omitted when it is zero ([`py_str`]).
//! * Bookmarks in `state.yml` are YAML timestamps; a naive one is wall time in the configured
//!   `time_zone`, an aware one (`...Z`, `+01:00`) is converted into it ([`parse_yaml_timestamp`],
//!   [`crate::Bookmark`]).
//! * Internally every instant is a [`jiff::Timestamp`], so windows and file modification
//!   times compare without depending on the host time zone (a reference pitfall).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// A parsed YAML timestamp: naive (wall time, zone from config) or absolute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YamlTime {
    Naive(DateTime),
    Aware(Timestamp),
}

impl YamlTime {
    /// The instant, reading naive values as wall time in `tz` (an ambiguous or skipped wall
    /// time resolves as Python's `fold=0` does: the earlier offset).
    pub fn to_timestamp(self, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
        match self {
            YamlTime::Aware(t) => Ok(t),
            YamlTime::Naive(dt) => Ok(tz.to_ambiguous_zoned(dt).compatible()?.timestamp()),
        }
    }
}

/// A value is not a YAML timestamp.
#[derive(Debug, thiserror::Error)]
#[error("{text:?} is not a timestamp (expected YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM|Z])")]
pub struct TimestampError {
    pub text: String,
}

/// Parses the YAML 1.1 timestamp forms PyYAML accepts: `YYYY-MM-DD`,
/// `YYYY-M-D[Tt ]H:MM:SS[.f][ ][Z|±HH[:MM]]`.
pub fn parse_yaml_timestamp(text: &str) -> Result<YamlTime, TimestampError> {
    let err = || TimestampError {
        text: text.to_string(),
    };
    let s = text.trim();
    let b = s.as_bytes();
    // date part
    let (year, rest) = take_digits(s, 4, 4).ok_or_else(err)?;
    let rest = rest.strip_prefix('-').ok_or_else(err)?;
    let (month, rest) = take_digits(rest, 1, 2).ok_or_else(err)?;
    let rest = rest.strip_prefix('-').ok_or_else(err)?;
    let (day, rest) = take_digits(rest, 1, 2).ok_or_else(err)?;
    let date = jiff::civil::Date::new(year as i16, month as i8, day as i8).map_err(|_| err())?;
    if rest.is_empty() {
        // A bare date: PyYAML gives a `date`; as a bookmark it means midnight.
        if b.len() > 10 {
            return Err(err());
        }
        return Ok(YamlTime::Naive(date.at(0, 0, 0, 0)));
    }
    let rest = rest
        .strip_prefix(['T', 't'])
        .or_else(|| {
            let t = rest.trim_start_matches([' ', '\t']);
            (t.len() < rest.len()).then_some(t)
        })
        .ok_or_else(err)?;
    let (hour, rest) = take_digits(rest, 1, 2).ok_or_else(err)?;
    let rest = rest.strip_prefix(':').ok_or_else(err)?;
    let (minute, rest) = take_digits(rest, 2, 2).ok_or_else(err)?;
    let rest = rest.strip_prefix(':').ok_or_else(err)?;
    let (second, mut rest) = take_digits(rest, 2, 2).ok_or_else(err)?;
    let mut nanos = 0i32;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(err());
        }
        let frac = &r[..n];
        let mut padded = frac.chars().take(9).collect::<String>();
        while padded.len() < 9 {
            padded.push('0');
        }
        nanos = padded.parse().map_err(|_| err())?;
        rest = &r[n..];
    }
    let time =
        jiff::civil::Time::new(hour as i8, minute as i8, second as i8, nanos).map_err(|_| err())?;
    let dt = date.to_datetime(time);
    let rest = rest.trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        return Ok(YamlTime::Naive(dt));
    }
    if rest == "Z" || rest == "z" {
        return TimeZone::UTC
            .to_timestamp(dt)
            .map(YamlTime::Aware)
            .map_err(|_| err());
    }
    let sign = match rest.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(err()),
    };
    let (oh, r) = take_digits(&rest[1..], 1, 2).ok_or_else(err)?;
    let om = match r.strip_prefix(':') {
        Some(r2) => {
            let (m, r3) = take_digits(r2, 2, 2).ok_or_else(err)?;
            if !r3.is_empty() {
                return Err(err());
            }
            m
        }
        None if r.is_empty() => 0,
        None => {
            let (m, r3) = take_digits(r, 2, 2).ok_or_else(err)?;
            if !r3.is_empty() {
                return Err(err());
            }
            m
        }
    };
    let offset_s = sign * (oh as i32 * 3600 + om as i32 * 60);
    let offset = jiff::tz::Offset::from_seconds(offset_s).map_err(|_| err())?;
    offset
        .to_timestamp(dt)
        .map(YamlTime::Aware)
        .map_err(|_| err())
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Python's `str(datetime)` for a naive datetime: `YYYY-MM-DD HH:MM:SS[.ffffff]`, microsecond
/// precision (truncated), the fraction omitted when zero.
pub fn py_str(dt: DateTime) -> String {
    let micros = dt.subsec_nanosecond() / 1000;
    let base = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if micros == 0 {
        base
    } else {
        format!("{base}.{micros:06}")
    }
}

/// The wall time of `t` in `tz`, truncated to microseconds (what Python datetimes hold).
pub fn naive_in(t: Timestamp, tz: &TimeZone) -> DateTime {
    let dt = t.to_zoned(tz.clone()).datetime();
    let micros = dt.subsec_nanosecond() / 1000 * 1000;
    dt.with().subsec_nanosecond(micros).build().unwrap_or(dt)
}

/// `t` truncated to whole microseconds.
pub fn floor_micros(t: Timestamp) -> Timestamp {
    let ns = t.as_nanosecond();
    let floored = ns - ns.rem_euclid(1000);
    Timestamp::from_nanosecond(floored).unwrap_or(t)
}

/// The host's local time zone (`TZ`, then `/etc/localtime`), as Python's naive `now()` uses.
pub fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// `str(datetime.now())` in the host time zone.
pub fn now_str(local: &TimeZone) -> String {
    py_str(naive_in(Timestamp::now(), local))
}

/// `datetime.now(timezone.utc).isoformat()`: `2026-11-21T06:58:58.178513+00:00`.
pub fn utc_iso(t: Timestamp) -> String {
    let dt = naive_in(t, &TimeZone::UTC);
    let s = py_str(dt).replacen(' ', "T", 1);
    format!("{s}+00:00")
}

/// Python's `str(time.time())` for `t`: epoch seconds as the shortest float repr.
pub fn epoch_float(t: Timestamp) -> String {
    let micros = t.as_microsecond();
    crate::yaml::python_float(micros as f64 / 1e6)
}

/// Python logging's `asctime`: `2026-11-21 06:58:58,169` in the host time zone.
pub fn asctime(t: Timestamp, local: &TimeZone) -> String {
    let dt = t.to_zoned(local.clone()).datetime();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(s: &str) -> DateTime {
        match parse_yaml_timestamp(s).unwrap() {
            YamlTime::Naive(d) => d,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_yaml_timestamps() {
        assert_eq!(py_str(naive("2024-03-23 11:10:00")), "2024-03-23 11:10:00");
        assert_eq!(
            py_str(naive("2024-03-23T11:10:00.5")),
            "2024-03-23 11:10:00.500000"
        );
        assert_eq!(py_str(naive("2024-3-3 1:10:00")), "2024-03-03 01:10:00");
        assert_eq!(py_str(naive("2024-03-23")), "2024-03-23 00:00:00");
        let YamlTime::Aware(t) = parse_yaml_timestamp("2024-03-23T11:10:00Z").unwrap() else {
            panic!()
        };
        assert_eq!(t.to_string(), "2024-03-23T11:10:00Z");
        let YamlTime::Aware(t) = parse_yaml_timestamp("2024-03-23 11:10:00 -04:00").unwrap() else {
            panic!()
        };
        assert_eq!(t.to_string(), "2024-03-23T15:10:00Z");
        for bad in [
            "24-Sep-2019 08:51",
            "2024-13-01",
            "yesterday",
            "2024-03-23 11:10",
            "",
        ] {
            assert!(parse_yaml_timestamp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn naive_bookmarks_are_wall_time_in_the_zone() {
        let tz = TimeZone::get("US/Eastern").unwrap();
        let t = parse_yaml_timestamp("2024-03-23 11:10:00")
            .unwrap()
            .to_timestamp(&tz)
            .unwrap();
        assert_eq!(t.to_string(), "2024-03-23T15:10:00Z");
        assert_eq!(py_str(naive_in(t, &tz)), "2024-03-23 11:10:00");
    }

    #[test]
    fn python_formats() {
        let t: Timestamp = "2026-11-21T06:58:58.178513Z".parse().unwrap();
        assert_eq!(utc_iso(t), "2026-11-21T06:58:58.178513+00:00");
        assert_eq!(epoch_float(t), "1795244338.178513");
        assert_eq!(asctime(t, &TimeZone::UTC), "2026-11-21 06:58:58,178");
        let t: Timestamp = "2026-11-21T06:58:58Z".parse().unwrap();
        assert_eq!(utc_iso(t), "2026-11-21T06:58:58+00:00");
    }
}
