//! Turning header text into the keyrecord buffer wcspih() wants, and reading wcspih()'s report
//! of rejected keyrecords.

use std::ffi::{c_char, c_int, CStr};
use std::sync::Mutex;

use crate::error::WcsError;
use crate::ffi;

const CARD: usize = 80;

/// A header as wcspih() wants it: `count` records of exactly 80 printable ASCII bytes.
pub(crate) struct KeyRecords {
    /// `count * 80` bytes plus a NUL that wcslib never needs but that costs nothing.
    bytes: Vec<u8>,
    count: usize,
}

impl KeyRecords {
    /// Accepts concatenated 80-character cards (the FITS layout) and, as a convenience for
    /// text dumps, newline-separated cards (lines shorter than 80 are padded, longer lines
    /// are cut into 80-character cards). Reading stops at the END card.
    ///
    /// wcspih() requires bytes 0x20..=0x7E; anything else (tabs, control characters,
    /// non-ASCII) is replaced so one bad byte costs at most that card, never the header.
    /// Characters, not bytes, are counted so text decoded one-char-per-byte keeps its columns.
    pub(crate) fn parse(text: &str) -> KeyRecords {
        if let Some(records) = KeyRecords::parse_cards(text) {
            return records;
        }
        let mut bytes = Vec::with_capacity(text.len() + CARD + 1);
        let mut count = 0;
        let has_lines = text.contains(['\n', '\r']);
        let lines: Box<dyn Iterator<Item = &str>> = if has_lines {
            Box::new(text.split(['\n', '\r']).filter(|l| !l.is_empty()))
        } else {
            Box::new(std::iter::once(text))
        };
        'outer: for line in lines {
            let mut card = Vec::with_capacity(CARD);
            for ch in line.chars() {
                card.push(printable(ch));
                if card.len() == CARD {
                    if is_end(&card) {
                        break 'outer;
                    }
                    bytes.extend_from_slice(&card);
                    count += 1;
                    card.clear();
                }
            }
            if !card.is_empty() {
                card.resize(CARD, b' ');
                if is_end(&card) {
                    break;
                }
                bytes.extend_from_slice(&card);
                count += 1;
            }
        }
        bytes.push(0);
        KeyRecords { bytes, count }
    }

    /// The common case, a copy: concatenated cards of printable ASCII only (no line breaks),
    /// where the general reading below would copy every byte as it is.
    fn parse_cards(text: &str) -> Option<KeyRecords> {
        let b = text.as_bytes();
        // without early exit, so that it is vectorised
        let plain = b
            .iter()
            .fold(true, |ok, &c| ok & (c.wrapping_sub(b' ') <= b'~' - b' '));
        if !plain {
            return None;
        }
        let whole = b.len() / CARD;
        let count = (0..whole)
            .find(|&i| is_end(&b[i * CARD..(i + 1) * CARD]))
            .unwrap_or(whole);
        let mut bytes = Vec::with_capacity((count + 1) * CARD + 1);
        bytes.extend_from_slice(&b[..count * CARD]);
        let mut count = count;
        let rest = &b[whole * CARD..];
        if count == whole && !rest.is_empty() {
            let start = bytes.len();
            bytes.extend_from_slice(rest);
            bytes.resize(start + CARD, b' ');
            if is_end(&bytes[start..]) {
                bytes.truncate(start);
            } else {
                count += 1;
            }
        }
        bytes.push(0);
        Some(KeyRecords { bytes, count })
    }

    /// The keyrecords, `count() * 80` bytes.
    pub(crate) fn records(&self) -> &[u8] {
        &self.bytes[..self.count * CARD]
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// wcspih() takes `char *` because negative `ctrl` values edit the header in place; this
    /// crate only uses `ctrl >= 0`, which leaves it untouched.
    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_char {
        self.bytes.as_mut_ptr().cast()
    }
}

fn printable(ch: char) -> u8 {
    match ch {
        '\t' => b' ',
        ' '..='~' => ch as u8,
        _ => b'?',
    }
}

fn is_end(card: &[u8]) -> bool {
    card.len() >= 8 && &card[..8] == b"END     "
}

/// A WCS keyrecord wcspih() refused (bad value type, malformed keyword, deprecated usage).
/// wcslib then uses the keyword's default, which is why these are worth showing to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedKeyword {
    /// The keyword name, e.g. `CRVAL1`.
    pub keyword: String,
    /// The whole card, trailing blanks removed.
    pub card: String,
    /// wcslib's reason, e.g. "a floating-point value was expected."
    pub reason: String,
}

/// Serialises use of wcslib's process-global `wcsprintf` sink (buffer pointer, size, FILE*):
/// wcspih() writes its rejection report there and `wcsprintf_set`/`wcsprintf_buf` are plain
/// globals with no locking in wcslib.
pub(crate) static WCSPRINTF: Mutex<()> = Mutex::new(());

/// Re-runs wcspih() with `ctrl = 2` to collect the per-keyrecord rejection report. Only called
/// when the first (silent, lock-free) parse reported rejections, so the common path never
/// takes the lock.
pub(crate) fn rejected_keywords(
    records: &mut KeyRecords,
    relax: c_int,
) -> Result<Vec<RejectedKeyword>, WcsError> {
    let nkeyrec =
        c_int::try_from(records.count()).map_err(|_| WcsError::TooLarge(records.count()))?;
    // A poisoned lock only means another thread panicked while holding it; the buffer is reset
    // below before use, so the state it guards is still usable.
    let _guard = WCSPRINTF.lock().unwrap_or_else(|e| e.into_inner());
    let mut nreject: c_int = 0;
    let mut nwcs: c_int = 0;
    let mut wcs: *mut ffi::wcsprm = std::ptr::null_mut();
    // SAFETY: the lock is held for every touch of the wcsprintf globals; wcsprintf_set(NULL)
    // (re)allocates the internal buffer and resets it to empty. The records buffer holds
    // nkeyrec*80 bytes and is not modified for ctrl >= 0. The returned array is freed at once.
    let report = unsafe {
        ffi::wcsprintf_set(std::ptr::null_mut());
        let status = ffi::wcspih(
            records.as_mut_ptr(),
            nkeyrec,
            relax,
            2,
            &mut nreject,
            &mut nwcs,
            &mut wcs,
        );
        let text = {
            let buf = ffi::wcsprintf_buf();
            if buf.is_null() {
                String::new()
            } else {
                CStr::from_ptr(buf).to_string_lossy().into_owned()
            }
        };
        if !wcs.is_null() {
            ffi::wcsvfree(&mut nwcs, &mut wcs);
        }
        if status != 0 {
            return Err(crate::wcs::wcspih_error(status));
        }
        text
    };
    // The buffer deliberately stays allocated (about 1 KiB, still reachable): freeing it needs a
    // FILE* to hand back to wcslib, and nothing else in this crate prints through wcsprintf.
    Ok(parse_report(&report))
}

/// wcspih(ctrl = 2) prints each rejected card followed by a line
/// `  Rejected (n), <reason>`.
fn parse_report(report: &str) -> Vec<RejectedKeyword> {
    let mut out = Vec::new();
    let mut last_card: Option<&str> = None;
    for line in report.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("Rejected (") {
            let reason = rest.split_once("), ").map(|(_, r)| r).unwrap_or(rest);
            let card = last_card.take().unwrap_or("").trim_end();
            out.push(RejectedKeyword {
                keyword: card.get(..8).unwrap_or(card).trim().to_string(),
                card: card.to_string(),
                reason: reason.trim().to_string(),
            });
        } else if !line.trim().is_empty() {
            last_card = Some(line);
        }
    }
    out
}

impl RejectedKeyword {
    /// The card's value field when it spells a non-finite number (`NaN`, `Inf`, `-Infinity`,
    /// quoted or not), which wcspih() rejects as "not a floating-point value".
    pub(crate) fn non_finite_value(&self) -> Option<String> {
        let value = self.card.get(10..)?.split('/').next()?.trim();
        let unquoted = value.trim_matches('\'').trim();
        let bare = unquoted.trim_start_matches(['+', '-']).to_ascii_uppercase();
        matches!(bare.as_str(), "NAN" | "INF" | "INFINITY").then(|| unquoted.to_string())
    }

    /// True for keywords that feed the coordinate transformation itself; a bad value there
    /// would silently become wcslib's default (CRVAL 0, CDELT 1, …).
    pub(crate) fn is_transformation_keyword(&self) -> bool {
        let k = self.keyword.as_str();
        let numbered = |prefix: &str| {
            k.strip_prefix(prefix)
                .and_then(|r| r.chars().next())
                .is_some_and(|c| c.is_ascii_digit())
        };
        ["CRVAL", "CRPIX", "CDELT", "CROTA"]
            .iter()
            .any(|p| numbered(p))
            || ["CD", "PC", "PV"].iter().any(|p| numbered(p))
            || k.starts_with("LONPOLE")
            || k.starts_with("LATPOLE")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenated_cards_stop_at_end() {
        let text = format!("{:<80}{:<80}{:<80}", "NAXIS   = 1", "END", "CRVAL1  = 2.0");
        let r = KeyRecords::parse(&text);
        assert_eq!(r.count(), 1);
    }

    #[test]
    fn newline_separated_short_lines_are_padded() {
        let r = KeyRecords::parse("NAXIS   = 1\nCTYPE1  = 'FREQ'\r\nEND\n");
        assert_eq!(r.count(), 2);
        assert_eq!(&r.bytes[80..96], b"CTYPE1  = 'FREQ'");
        assert!(r.bytes[96..160].iter().all(|&b| b == b' '));
    }

    #[test]
    fn unprintable_characters_are_replaced() {
        let r = KeyRecords::parse("OBJECT  = 'caf\u{e9}\u{0}'");
        assert_eq!(r.count(), 1);
        assert_eq!(&r.bytes[..16], b"OBJECT  = 'caf??");
    }

    #[test]
    fn report_lines_become_rejections() {
        let report = format!(
            "{:<80}\n  Rejected (1), a floating-point value was expected.\n",
            "CRVAL1  = NaN"
        );
        let r = parse_report(&report);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].keyword, "CRVAL1");
        assert_eq!(r[0].card, "CRVAL1  = NaN");
        assert_eq!(r[0].reason, "a floating-point value was expected.");
        assert_eq!(r[0].non_finite_value().as_deref(), Some("NaN"));
        assert!(r[0].is_transformation_keyword());
    }
}
