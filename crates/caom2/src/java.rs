//! The Java behaviours the reference documents depend on: string order (UTF-16 code units),
//! `String.trim()`, `Double.toString()` and the two UUID orders.
//!
//! CAOM XML and metadata checksums were defined by the Java library, so byte-identical output
//! and bit-exact checksums need these rules rather than Rust's own.

use std::cmp::Ordering;
use uuid::Uuid;

/// `String.compareTo`: lexicographic over UTF-16 code units.
///
/// Differs from Rust's `str` order only when a supplementary character (encoded as a surrogate
/// pair, 0xD800..0xDFFF) meets a BMP character in U+E000..U+FFFF.
pub fn str_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `String.trim()`: removes code points up to U+0020 at both ends (not Unicode whitespace).
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= '\u{20}')
}

/// `UUID.compareTo` of JDK ≤ 19: most significant half as a signed 64-bit integer, then the
/// least significant half, also signed. The Java writer orders a part's chunks this way.
pub fn uuid_signed_cmp(a: &Uuid, b: &Uuid) -> Ordering {
    let (am, al) = a.as_u64_pair();
    let (bm, bl) = b.as_u64_pair();
    (am as i64, al as i64).cmp(&(bm as i64, bl as i64))
}

/// `ca.nrc.cadc.util.UUIDComparator`: version first, time-based ids by timestamp, otherwise
/// unsigned. This orders the children digested into an accMetaChecksum.
pub fn uuid_comparator(a: &Uuid, b: &Uuid) -> Ordering {
    let va = a.get_version_num();
    let vb = b.get_version_num();
    if va != vb {
        return va.cmp(&vb);
    }
    let (am, al) = a.as_u64_pair();
    let (bm, bl) = b.as_u64_pair();
    if va == 1 {
        return v1_timestamp(am).cmp(&v1_timestamp(bm)).then(al.cmp(&bl));
    }
    (am, al).cmp(&(bm, bl))
}

/// The 60-bit timestamp of a version-1 UUID from its most significant half
/// (time_low, time_mid, version + time_hi).
fn v1_timestamp(msb: u64) -> u64 {
    let time_low = msb >> 32;
    let time_mid = (msb >> 16) & 0xffff;
    let time_hi = msb & 0x0fff;
    (time_hi << 48) | (time_mid << 32) | time_low
}

/// `Double.toString(d)`: shortest round-trip digits; plain notation with at least one
/// fraction digit when 1e-3 ≤ |d| < 1e7, otherwise `d.dddE±n` with a capital E and no `+`.
pub fn format_double(d: f64, out: &mut String) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let mut buf = ryu::Buffer::new();
    let mut digit_buf = [0u8; 24];
    let (n, exp10, negative) = decimal_digits(buf.format_finite(d), &mut digit_buf);
    let digits = &digit_buf[..n];
    if negative {
        out.push('-');
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        // value = 0.DIGITS × 10^exp10
        if exp10 <= 0 {
            out.push_str("0.");
            for _ in 0..(-exp10) {
                out.push('0');
            }
            push_ascii(out, digits);
        } else {
            let int_len = exp10 as usize;
            if digits.len() <= int_len {
                push_ascii(out, digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                push_ascii(out, &digits[..int_len]);
                out.push('.');
                push_ascii(out, &digits[int_len..]);
            }
        }
    } else {
        push_ascii(out, &digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            push_ascii(out, &digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        let mut e = itoa_buf(exp10 - 1);
        out.push_str(e.as_str());
        e.clear();
    }
}

/// A small formatted integer without a heap allocation.
struct SmallInt {
    buf: [u8; 12],
    len: usize,
}

impl SmallInt {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

fn itoa_buf(v: i32) -> SmallInt {
    let mut tmp = [0u8; 12];
    let mut n = 0;
    let negative = v < 0;
    let mut u = v.unsigned_abs();
    loop {
        tmp[n] = b'0' + (u % 10) as u8;
        n += 1;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    let mut out = SmallInt {
        buf: [0; 12],
        len: 0,
    };
    if negative {
        out.buf[0] = b'-';
        out.len = 1;
    }
    for i in (0..n).rev() {
        out.buf[out.len] = tmp[i];
        out.len += 1;
    }
    out
}

/// Convenience form of [`format_double`].
pub fn double_to_string(d: f64) -> String {
    let mut s = String::with_capacity(24);
    format_double(d, &mut s);
    s
}

fn push_ascii(out: &mut String, bytes: &[u8]) {
    // the digit buffers hold ASCII digits only
    out.push_str(std::str::from_utf8(bytes).unwrap_or(""));
}

/// Splits ryu's output (`123.45`, `0.00012` or `1.2e-7` style) into significant digits without
/// leading or trailing zeros, written to `digits`, and a decimal exponent such that
/// value = 0.DIGITS × 10^exp. Returns (digit count, exponent, negative).
fn decimal_digits(text: &str, digits: &mut [u8; 24]) -> (usize, i32, bool) {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    // value = int_part.frac_part × 10^exp = 0.(int_part frac_part) × 10^(len(int_part) + exp)
    let mut exp10 = int_part.len() as i32 + exp;
    let mut n = 0;
    let mut leading = true;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if leading && b == b'0' {
            exp10 -= 1;
            continue;
        }
        leading = false;
        if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    while n > 0 && digits[n - 1] == b'0' {
        n -= 1;
    }
    (n, exp10, negative)
}

/// Parses a double the way both reference readers accept it: Java spellings (`1.0E-8`,
/// `Infinity`, `NaN`) and Python ones (`1e-08`, `inf`, `nan`).
pub fn parse_double(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Ok(v) = t.parse::<f64>() {
        return Some(v);
    }
    // Java's Double.valueOf also takes a type suffix: 1.5d, 2f
    let stripped = t.strip_suffix(['d', 'D', 'f', 'F'])?;
    if stripped.ends_with(|c: char| c.is_ascii_digit() || c == '.') {
        stripped.parse::<f64>().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_follow_java_rules() {
        let cases = [
            (2.0, "2.0"),
            (0.001, "0.001"),
            (666.0, "666.0"),
            (9999999.0, "9999999.0"),
            (4.5e-4, "4.5E-4"),
            (1.0e-8, "1.0E-8"),
            (1.5e10, "1.5E10"),
            (2.997925e8, "2.997925E8"),
            (1.0e7, "1.0E7"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (-1601156.673287, "-1601156.673287"),
            (50000.25, "50000.25"),
            (0.05, "0.05"),
            (123456.789, "123456.789"),
            (1.0e-3, "0.001"),
            (9.99e-4, "9.99E-4"),
            (12345678.9, "1.23456789E7"),
            (100.0, "100.0"),
            (1e21, "1.0E21"),
            (-2.5e-300, "-2.5E-300"),
        ];
        for (v, want) in cases {
            assert_eq!(double_to_string(v), want, "value {v:e}");
        }
    }

    #[test]
    fn doubles_round_trip() {
        let mut x = 1.234_567_890_123_456_7e-30;
        for _ in 0..120 {
            let s = double_to_string(x);
            assert_eq!(parse_double(&s), Some(x), "{s}");
            x *= 7.3;
        }
    }

    #[test]
    fn both_spellings_parse() {
        assert_eq!(parse_double("1e-08"), Some(1e-8));
        assert_eq!(parse_double(" 1.0E-8 "), Some(1e-8));
        assert_eq!(parse_double("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_double("-inf"), Some(f64::NEG_INFINITY));
        assert!(parse_double("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_double("abc"), None);
        assert_eq!(parse_double(""), None);
    }

    #[test]
    fn java_trim_keeps_unicode_spaces() {
        assert_eq!(trim("\t a b \n"), "a b");
        assert_eq!(trim("\u{a0}x\u{a0}"), "\u{a0}x\u{a0}");
    }

    #[test]
    fn utf16_order_differs_from_utf8_order() {
        // U+FF01 (BMP, above the surrogates) vs U+1F600 (surrogate pair D83D DE00)
        assert_eq!(str_cmp("\u{ff01}", "\u{1f600}"), Ordering::Greater);
        assert_eq!("\u{ff01}".cmp("\u{1f600}"), Ordering::Less);
        assert_eq!(str_cmp("abc", "abd"), Ordering::Less);
    }

    #[test]
    fn uuid_orders() {
        let a = Uuid::parse_str("81d32623-0000-4000-8000-000000000000").unwrap();
        let b = Uuid::parse_str("4dba3c68-0000-4000-8000-000000000000").unwrap();
        // signed: 0x81.. is negative, so it sorts first
        assert_eq!(uuid_signed_cmp(&a, &b), Ordering::Less);
        assert_eq!(uuid_comparator(&a, &b), Ordering::Greater);
        let legacy = Uuid::parse_str("00000000-0000-0000-9d25-b0383f3182a5").unwrap();
        assert_eq!(uuid_comparator(&legacy, &b), Ordering::Less);
    }
}
