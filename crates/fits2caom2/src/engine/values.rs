//! Values at use: the reference keeps blueprint literals as text and header values as astropy
//! gives them, and converts only when a CAOM field is filled (Python `float()`, `int()`,
//! `str()`, `strptime`, enum lookups). This module reproduces those conversions.

use caom2::Timestamp;

use crate::card::{python_float_repr, Value};
use crate::functions::FnValue;

/// A value found for a key: a header value, a blueprint literal or a function/HDF5 result.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val<'a> {
    /// A header card's value.
    Header(&'a Value),
    /// A blueprint literal.
    Text(&'a str),
    /// A function result or HDF5 value.
    Fn(&'a FnValue),
}

/// Why a value cannot fill a field.
#[derive(Debug)]
pub(crate) struct ConvertError(pub String);

impl<'a> Val<'a> {
    /// Python truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Val::Header(v) => v.is_truthy(),
            Val::Text(s) => !s.is_empty(),
            Val::Fn(f) => f.is_truthy(),
        }
    }

    /// The scalar behind the value, if it is one (texts are strings).
    fn scalar(&self) -> Option<ScalarRef<'a>> {
        match *self {
            Val::Header(v) => Some(ScalarRef::Value(v)),
            Val::Text(s) => Some(ScalarRef::Str(s)),
            Val::Fn(FnValue::Scalar(v)) => Some(ScalarRef::Value(v)),
            Val::Fn(FnValue::Set(_)) => None,
        }
    }

    /// Python `str(value)`.
    pub fn py_str(&self) -> String {
        match self {
            Val::Text(s) => s.to_string(),
            Val::Header(v) => py_str_value(v),
            Val::Fn(FnValue::Scalar(v)) => py_str_value(v),
            Val::Fn(FnValue::Set(s)) => s.join(" "),
        }
    }

    /// Python `float(value)`; NaN and infinities are refused (CAOM has no use for them).
    pub fn to_f64(self) -> Result<f64, ConvertError> {
        let f = match self.scalar() {
            Some(ScalarRef::Str(s)) => py_float(s),
            Some(ScalarRef::Value(v)) => match v {
                Value::Float(f) => Some(*f),
                Value::Integer(i) => Some(*i as f64),
                Value::BigInteger(t) => t.parse().ok(),
                Value::Logical(b) => Some(f64::from(u8::from(*b))),
                Value::String(s) => py_float(s),
                Value::Complex(..) | Value::Undefined => None,
            },
            None => None,
        }
        .ok_or_else(|| ConvertError(format!("{} is not a number", self.describe())))?;
        if f.is_finite() {
            Ok(f)
        } else {
            Err(ConvertError(format!(
                "{} is not a finite number",
                self.describe()
            )))
        }
    }

    /// Python `int(value)`: integer text, or a number truncated toward zero.
    pub fn to_i64(self) -> Result<i64, ConvertError> {
        let bad = || ConvertError(format!("{} is not an integer", self.describe()));
        match self.scalar() {
            Some(ScalarRef::Str(s)) => py_int(s).ok_or_else(bad),
            Some(ScalarRef::Value(v)) => match v {
                Value::Integer(i) => Ok(*i),
                Value::Float(f) if f.is_finite() && f.abs() < 9.2e18 => Ok(f.trunc() as i64),
                Value::Logical(b) => Ok(i64::from(*b)),
                Value::String(s) => py_int(s).ok_or_else(bad),
                _ => Err(bad()),
            },
            None => Err(bad()),
        }
    }

    /// Words of a keyword-set value (`set` results, or whitespace-separated text).
    pub fn words(&self) -> Vec<String> {
        match self {
            Val::Fn(FnValue::Set(s)) => s.clone(),
            other => other
                .py_str()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        }
    }

    /// The reference's `_cast_as_bool`: real booleans, or the texts `true`/`false`.
    pub fn to_bool(self) -> Option<bool> {
        match self.scalar() {
            Some(ScalarRef::Value(Value::Logical(b))) => Some(*b),
            Some(ScalarRef::Str(s)) => text_bool(s),
            Some(ScalarRef::Value(Value::String(s))) => text_bool(s),
            _ => None,
        }
    }

    /// A date-time, as the reference parses them (see [`parse_datetime`]). Numbers are taken as
    /// MJD (the reference fails on them).
    pub fn to_timestamp(self) -> Result<Option<Timestamp>, ConvertError> {
        match self.scalar() {
            Some(ScalarRef::Str(s)) => Ok(parse_datetime(s)),
            Some(ScalarRef::Value(Value::String(s))) => Ok(parse_datetime(s)),
            Some(ScalarRef::Value(Value::Float(_) | Value::Integer(_))) => {
                let mjd = self.to_f64()?;
                Ok(Some(mjd_to_timestamp(mjd)))
            }
            _ => Err(ConvertError(format!("{} is not a date", self.describe()))),
        }
    }

    /// How the value is shown in messages.
    pub fn describe(&self) -> String {
        match self {
            Val::Text(s) => format!("{s:?}"),
            Val::Header(v) => describe_value(v),
            Val::Fn(FnValue::Scalar(v)) => describe_value(v),
            Val::Fn(FnValue::Set(s)) => format!("{s:?}"),
        }
    }
}

fn text_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_fits_text(),
    }
}

enum ScalarRef<'a> {
    Value(&'a Value),
    Str(&'a str),
}

/// Python `str()` of an astropy header value.
pub(crate) fn py_str_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::BigInteger(t) => t.clone(),
        Value::Float(f) => python_float_repr(*f),
        Value::Logical(b) => if *b { "True" } else { "False" }.to_string(),
        Value::Complex(re, im) => {
            let im_s = python_float_repr(*im);
            let sign = if im_s.starts_with('-') { "" } else { "+" };
            format!("({}{sign}{im_s}j)", python_float_repr(*re))
        }
        Value::Undefined => String::new(),
    }
}

/// Python `float(text)`: surrounding whitespace, `_` between digits, `inf`/`nan` words.
pub(crate) fn py_float(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        let neg = lower.starts_with('-');
        return Some(match (body, neg) {
            ("nan", _) => f64::NAN,
            (_, true) => f64::NEG_INFINITY,
            _ => f64::INFINITY,
        });
    }
    let cleaned: String = if t.contains('_') {
        // underscores only between digits
        let b = t.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'_'
                && !(i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit))
            {
                return None;
            }
        }
        t.replace('_', "")
    } else {
        t.to_string()
    };
    if !cleaned
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

/// Python `int(text)`: an optionally signed run of digits (with `_` between digits).
pub(crate) fn py_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    if !digits.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return None;
    }
    let v: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -v } else { v })
}

/// The reference's `_set_by_type`: how a text becomes a typed header value when it is written
/// into a header (a default or an override): a float unless it is all decimal digits; an
/// integer when non-zero; otherwise the text itself. `0` therefore stays the string `'0'`,
/// `0.0` becomes a float, and a negative integer becomes a float.
pub(crate) fn set_by_type(text: &str) -> Value {
    let f = py_float(text);
    let i = py_int(text);
    let is_decimal = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let zero_point = text.starts_with("0.");
    match f {
        Some(f) if (f != 0.0 && !is_decimal) || zero_point => Value::Float(f),
        _ if i.is_some_and(|i| i != 0) => Value::Integer(i.unwrap_or(0)),
        // an integer literal too large for i64 keeps its text (Python ints are unbounded)
        _ if f.is_some_and(|f| f != 0.0) && is_decimal => Value::BigInteger(text.to_string()),
        _ => Value::String(text.to_string()),
    }
}

/// The date formats the reference tries, in its order (the last one that matches wins).
const FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d,%H:%M:%S",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%d/%m/%y %H:%M:%S",
    "%d-%m-%Y",
    "%Y-%m-%dT%H:%M:%SZ",
];

/// Parses a date-time with the reference's formats (Python `strptime` rules: one or two
/// digits for fields, four for `%Y`, one to six fraction digits for `%f`). `None` when no
/// format matches (the reference logs an error and leaves the field empty).
pub fn parse_datetime(text: &str) -> Option<Timestamp> {
    let mut found = None;
    for f in FORMATS {
        if let Some(t) = strptime(text, f) {
            found = Some(t);
        }
    }
    found
}

fn strptime(text: &str, format: &str) -> Option<Timestamp> {
    let s = text.as_bytes();
    let f = format.as_bytes();
    let (mut i, mut j) = (0usize, 0usize);
    let (mut y, mut mo, mut d, mut h, mut mi, mut sec, mut micro) =
        (1900i64, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let num = |s: &[u8], i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        std::str::from_utf8(&s[start..*i]).ok()?.parse().ok()
    };
    while j < f.len() {
        if f[j] == b'%' && j + 1 < f.len() {
            match f[j + 1] {
                b'Y' => y = i64::from(num(s, &mut i, 4)?),
                b'y' => {
                    let v = num(s, &mut i, 2)?;
                    y = if v < 69 {
                        2000 + i64::from(v)
                    } else {
                        1900 + i64::from(v)
                    };
                }
                b'm' => mo = num(s, &mut i, 2)?,
                b'd' => d = num(s, &mut i, 2)?,
                b'H' => h = num(s, &mut i, 2)?,
                b'M' => mi = num(s, &mut i, 2)?,
                b'S' => sec = num(s, &mut i, 2)?,
                b'f' => {
                    let start = i;
                    let v = num(s, &mut i, 6)?;
                    micro = v * 10u32.pow(6 - (i - start) as u32);
                }
                _ => return None,
            }
            j += 2;
        } else if f[j] == b' ' {
            // a space in the format matches any run of whitespace (including none)
            while i < s.len() && s[i].is_ascii_whitespace() {
                i += 1;
            }
            j += 1;
        } else {
            if i >= s.len() || s[i] != f[j] {
                return None;
            }
            i += 1;
            j += 1;
        }
    }
    if i != s.len() || sec > 61 {
        return None;
    }
    // strptime accepts second 60 and 61; CAOM timestamps do not, so they clamp to 59.999
    let (sec, millis) = if sec >= 60 {
        (59, 999)
    } else {
        (sec, micro / 1000)
    };
    Timestamp::from_civil(y, mo, d, h, mi, sec, millis)
}

/// A UTC timestamp from a Modified Julian Date.
pub(crate) fn mjd_to_timestamp(mjd: f64) -> Timestamp {
    // MJD 40587 is 1970-01-01
    let ms = ((mjd - 40587.0) * 86_400_000.0).floor();
    Timestamp(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_by_type_matches_the_reference() {
        assert_eq!(set_by_type("2046"), Value::Integer(2046));
        assert_eq!(set_by_type("0.5"), Value::Float(0.5));
        assert_eq!(set_by_type("0"), Value::String("0".into()));
        assert_eq!(set_by_type("0.0"), Value::Float(0.0));
        assert_eq!(set_by_type("-1"), Value::Float(-1.0));
        assert_eq!(set_by_type("RA---TAN"), Value::String("RA---TAN".into()));
        assert_eq!(set_by_type(""), Value::String(String::new()));
        assert_eq!(set_by_type("1e-07"), Value::Float(1e-7));
        assert_eq!(set_by_type("16310.000"), Value::Float(16310.0));
    }

    #[test]
    fn python_numbers() {
        assert_eq!(py_float(" 1.5 "), Some(1.5));
        assert_eq!(py_float("1_000.5"), Some(1000.5));
        assert_eq!(py_float("1__0"), None);
        assert_eq!(py_float("abc"), None);
        assert!(py_float("nan").unwrap().is_nan());
        assert_eq!(py_int("42"), Some(42));
        assert_eq!(py_int("4.2"), None);
        assert_eq!(py_int("-7"), Some(-7));
        assert!(Val::Text("1.0").to_i64().is_err());
        assert_eq!(Val::Header(&Value::Float(3.9)).to_i64().unwrap(), 3);
        assert!(Val::Text("nan").to_f64().is_err());
    }

    #[test]
    fn datetimes() {
        let t = |s| parse_datetime(s).map(|t| t.to_string());
        assert_eq!(
            t("2025-01-01T17:19:5").as_deref(),
            Some("2025-01-01T17:19:05.000")
        );
        assert_eq!(
            t("2018-05-21T02:07:22.0").as_deref(),
            Some("2018-05-21T02:07:22.000")
        );
        assert_eq!(
            t("2023-10-31T00:45:40.102340").as_deref(),
            Some("2023-10-31T00:45:40.102")
        );
        assert_eq!(
            t("2003/03/29,01:34:54").as_deref(),
            Some("2003-03-29T01:34:54.000")
        );
        assert_eq!(t("12/02/95").as_deref(), Some("1995-02-12T00:00:00.000"));
        assert_eq!(t("2014-04-28").as_deref(), Some("2014-04-28T00:00:00.000"));
        assert_eq!(
            t("2024-01-26T14:52:49Z").as_deref(),
            Some("2024-01-26T14:52:49.000")
        );
        assert_eq!(t("yesterday"), None);
        assert_eq!(
            mjd_to_timestamp(51544.5).to_string(),
            "2000-01-01T12:00:00.000"
        );
    }
}
