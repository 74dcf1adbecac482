//! Text header dumps (`*.fits.header`, `*.header`): the reference's
//! `make_headers_from_string`, with the same HDU splitting and clear errors for bad input.
//!
//! # Dump styles
//!
//! Three styles occur in the reference test data ([`DumpStyle`]):
//!
//! * **cards** — CADC `fhead` output: one 80-column card per line (sometimes with trailing
//!   blanks removed), an `END` line after each HDU;
//! * **fitsheader** — astropy's `fitsheader` output: a `# HDU n in file.fits:` line before
//!   each HDU, a blank line between HDUs, no `END`;
//! * **markers** — Gemini-style: free text first (`Filename: …`, `AstroData Tags: …`), then
//!   `--- PHU ---` and `--- HDU n ---` lines before each HDU, no `END`.
//!
//! # Splitting rules (the reference's, reproduced exactly)
//!
//! 1. Lines are separated by `\n`. Lines that are empty or blank are dropped.
//! 2. A line that is `END` (trailing blanks allowed) ends the current HDU. So does a line
//!    starting with `--- PHU` or `--- HDU`.
//! 3. Any other line is kept as a card only if it contains `=` or starts with `COMMENT` or
//!    `HISTORY`; everything else (the `# HDU` lines, the Gemini preamble) is dropped.
//! 4. Each HDU's kept lines are parsed as cards, one per line (lines shorter than 80
//!    characters are padded), in astropy's way (see [`crate::card`]). An HDU with no kept
//!    lines is not an HDU (the text before `--- PHU ---` or after the last `END`).
//!
//! Consequences the reference has and we keep: a `fitsheader` dump has no `END` and no
//! markers, so **all its HDUs collapse into one header**; a dump with no `END` at all is one
//! HDU.
//!
//! # Where we differ, on purpose
//!
//! * `CONTINUE` lines are kept and joined onto the long string before them. The reference
//!   drops them (they contain no `=`), which silently truncates long strings to the first
//!   card. No reference test dump contains `CONTINUE`.
//! * A `\r` before the `\n` (a dump saved with Windows line ends) is removed; the reference
//!   would fail on every numeric value of such a dump.
//! * Bad input is an error naming the file, the HDU (0-based) and the line
//!   ([`DumpError`]) where the reference fails later, or not at all:
//!   a kept line with a byte that is not printable ASCII; a card whose value cannot be read
//!   (astropy raises only when that keyword is used); a card line longer than 80 characters
//!   that is not `COMMENT`/`HISTORY` (astropy's `VerifyError` as soon as the header is
//!   written out for wcslib; long `COMMENT`/`HISTORY` text is kept and written back over
//!   several cards); a dump that uses `END` lines but whose last HDU has none (a
//!   truncated dump; the reference silently keeps the partial HDU); a dump with no cards at
//!   all. Bytes that are not ASCII in lines that are dropped anyway are ignored.

use std::path::Path;

use crate::card::{CardError, Unparsable};
use crate::header::{CardSource, Header};

/// The layout of a text header dump, as found by [`parse_dump`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpStyle {
    /// 80-column cards, `END` after each HDU (`fhead`), or plain cards without `END`.
    Cards,
    /// astropy `fitsheader` output. `sections` counts its `# HDU n in …` lines; they all end
    /// up in one header, as in the reference.
    FitsHeader {
        /// Number of `# HDU` lines in the dump.
        sections: usize,
    },
    /// Gemini-style `--- PHU ---` / `--- HDU n ---` markers.
    Markers,
}

/// A parsed dump: the headers of its HDUs, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Dump {
    /// Which layout the dump has.
    pub style: DumpStyle,
    /// One header per HDU.
    pub headers: Vec<Header>,
}

/// Why a dump could not be read. Every variant names the file; those about content name the
/// 0-based HDU and the 1-based line.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// The file could not be read.
    #[error("{file}: cannot read header dump: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A kept line holds a byte that is not ASCII.
    #[error("{file}: HDU {hdu}, line {line}, column {column}: byte 0x{byte:02X} is not ASCII (FITS headers are ASCII)")]
    NotAscii {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// 1-based line.
        line: usize,
        /// 1-based column (byte offset + 1).
        column: usize,
        /// The byte.
        byte: u8,
    },
    /// A kept line holds a control character (tab, form feed, NUL, …).
    #[error("{file}: HDU {hdu}, line {line}, column {column}: control character 0x{byte:02X} in a header card")]
    ControlCharacter {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The byte.
        byte: u8,
    },
    /// A card could not be read.
    #[error("{file}: HDU {hdu}, line {line}, keyword {keyword:?}: {error}")]
    Card {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// 1-based line.
        line: usize,
        /// The keyword of the card (as far as it could be told).
        keyword: String,
        /// What is wrong with it.
        #[source]
        error: CardError,
    },
    /// The dump separates HDUs with `END` lines, but its last HDU has none.
    #[error("{file}: HDU {hdu} (lines {first_line}-{last_line}) has no END line although earlier HDUs do: the dump looks truncated")]
    MissingEnd {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// First line of that HDU.
        first_line: usize,
        /// Last line of the file that belongs to it.
        last_line: usize,
    },
    /// No header cards at all.
    #[error("{file}: no header cards (empty dump, or no line with '=')")]
    Empty {
        /// The file.
        file: String,
    },
}

/// Reads and parses a header dump file.
pub fn read_dump(path: impl AsRef<Path>) -> Result<Dump, DumpError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| DumpError::Io {
        file: path.display().to_string(),
        source,
    })?;
    parse_dump(&bytes, &path.display().to_string())
}

/// The reference's `make_headers_from_string`: the headers of a dump held in a string.
/// Errors name the file as `<string>`.
///
/// ```
/// let text = "SIMPLE  =                    T\nNAXIS   =                    0\nEND\n\
///             XTENSION= 'IMAGE   '\nNAXIS   =                    2\nEND\n";
/// let headers = fits2caom2::dump::make_headers_from_string(text).unwrap();
/// assert_eq!(headers.len(), 2);
/// assert_eq!(headers[1].get_str("XTENSION"), Some("IMAGE"));
/// ```
pub fn make_headers_from_string(text: &str) -> Result<Vec<Header>, DumpError> {
    parse_dump(text.as_bytes(), "<string>").map(|d| d.headers)
}

/// Is this line `END` (trailing whitespace allowed), as astropy's `Header.fromstring` tests?
fn is_end(line: &[u8]) -> bool {
    // the prefix first: trimming every padded card line from the end would cost more
    line.starts_with(b"END") && trim_end_ws(line) == b"END"
}

fn is_marker(line: &[u8]) -> bool {
    line.starts_with(b"--- PHU") || line.starts_with(b"--- HDU")
}

/// Python's `str.strip()` whitespace (ASCII part): blank lines are dropped by that test.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

fn trim_end_ws(mut line: &[u8]) -> &[u8] {
    while let Some((&last, rest)) = line.split_last() {
        if is_ws(last) {
            line = rest;
        } else {
            break;
        }
    }
    line
}

/// Lines without `=` that still hold header cards in the reference's eyes.
fn is_commentary_line(line: &[u8]) -> bool {
    line.starts_with(b"COMMENT") || line.starts_with(b"HISTORY") || line.starts_with(b"CONTINUE")
}

/// What a line is made of: is it blank, does it hold `=`, is any byte outside printable
/// ASCII.
struct LineScan {
    any_non_ws: bool,
    has_equals: bool,
    any_unprintable: bool,
}

fn scan_line(line: &[u8]) -> LineScan {
    LineScan {
        // nearly always decided by the first byte
        any_non_ws: line.iter().any(|&b| !is_ws(b)),
        has_equals: memchr::memchr(b'=', line).is_some(),
        // without early exit, so that it is vectorised
        any_unprintable: line
            .iter()
            .fold(false, |bad, &b| bad | (b.wrapping_sub(b' ') > b'~' - b' ')),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Terminator {
    End,
    Marker,
    Eof,
}

/// The card images of one HDU with their line numbers.
type Block<'a> = Vec<(usize, &'a str)>;

fn parse_block(block: &Block, hdu: usize, name: &str) -> Result<Header, DumpError> {
    Header::parse_images(
        block.iter().map(|&(line, image)| CardSource {
            position: line,
            image,
        }),
        Unparsable::Error,
    )
    .map_err(|bad| DumpError::Card {
        file: name.to_string(),
        hdu,
        line: bad.position,
        keyword: bad.keyword,
        error: bad.error,
    })
}

/// Dumps with at least this many HDUs are parsed on several threads.
const PARALLEL_MIN_HDUS: usize = 8;

/// Parses the HDUs' cards; the first bad card in file order is the error. HDUs are
/// independent, so a dump of many (a 40-CCD mosaic) is shared out over up to four threads,
/// the calling one included.
fn parse_blocks(blocks: &[Block], name: &str) -> Result<Vec<Header>, DumpError> {
    let threads = if blocks.len() < PARALLEL_MIN_HDUS {
        1
    } else {
        crate::threads::available().min(blocks.len())
    };
    if threads <= 1 {
        return blocks
            .iter()
            .enumerate()
            .map(|(hdu, b)| parse_block(b, hdu, name))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let hdu = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(b) = blocks.get(hdu) else {
                return done;
            };
            done.push((hdu, parse_block(b, hdu, name)));
        }
    };
    let mut slots: Vec<Option<Result<Header, DumpError>>> =
        (0..blocks.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        for (hdu, r) in all {
            slots[hdu] = Some(r);
        }
    });
    // every slot is filled: each index is handed out exactly once
    slots
        .into_iter()
        .enumerate()
        .map(|(hdu, r)| r.unwrap_or_else(|| parse_block(&blocks[hdu], hdu, name)))
        .collect()
}

/// Ends the HDU whose cards are in `block`.
fn close<'a>(
    block: &mut Block<'a>,
    blocks: &mut Vec<Block<'a>>,
    how: Terminator,
    saw_end: bool,
    last_line: usize,
    name: &str,
) -> Result<(), DumpError> {
    if block.is_empty() {
        return Ok(());
    }
    if how == Terminator::Eof && saw_end {
        return Err(DumpError::MissingEnd {
            file: name.to_string(),
            hdu: blocks.len(),
            first_line: block[0].0,
            last_line,
        });
    }
    blocks.push(std::mem::take(block));
    Ok(())
}

/// Parses a dump held in memory. `name` is used in error messages.
pub fn parse_dump(bytes: &[u8], name: &str) -> Result<Dump, DumpError> {
    // Cards are collected per HDU first and parsed afterwards (on several threads when there
    // are many HDUs); errors come out as a sequential reading would meet them.
    let mut blocks: Vec<Block> = Vec::new();
    let mut block: Block = Vec::new();
    let mut saw_end = false;
    let mut markers = false;
    let mut sections = 0usize;
    let mut last_line = 0usize;

    // an error met while reading lines comes after any bad card of the HDUs before it
    let earlier_card_error = |blocks: &[Block], error: DumpError| -> DumpError {
        blocks
            .iter()
            .enumerate()
            .find_map(|(hdu, b)| parse_block(b, hdu, name).err())
            .unwrap_or(error)
    };

    let whole = std::str::from_utf8(bytes).ok();
    let mut pos = 0usize;
    let mut line_no = 0usize;
    while pos < bytes.len() {
        line_no += 1;
        let line_start = pos;
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line = &bytes[pos..end];
        pos = end + 1;
        let raw = line.strip_suffix(b"\r").unwrap_or(line);
        let scan = scan_line(raw);
        if !scan.any_non_ws {
            continue;
        }
        last_line = line_no;
        if is_end(raw) {
            saw_end = true;
            close(
                &mut block,
                &mut blocks,
                Terminator::End,
                saw_end,
                last_line,
                name,
            )
            .map_err(|e| earlier_card_error(&blocks, e))?;
            continue;
        }
        if is_marker(raw) {
            markers = true;
            close(
                &mut block,
                &mut blocks,
                Terminator::Marker,
                saw_end,
                last_line,
                name,
            )
            .map_err(|e| earlier_card_error(&blocks, e))?;
            continue;
        }
        if raw.starts_with(b"# HDU ") {
            sections += 1;
        }
        if !(scan.has_equals || is_commentary_line(raw)) {
            continue;
        }
        let hdu = blocks.len();
        if scan.any_unprintable {
            let col = raw
                .iter()
                .position(|&b| !(0x20..=0x7e).contains(&b))
                .unwrap_or(0);
            let byte = raw[col];
            let (file, line, column) = (name.to_string(), line_no, col + 1);
            return Err(earlier_card_error(
                &blocks,
                if byte >= 0x80 {
                    DumpError::NotAscii {
                        file,
                        hdu,
                        line,
                        column,
                        byte,
                    }
                } else {
                    DumpError::ControlCharacter {
                        file,
                        hdu,
                        line,
                        column,
                        byte,
                    }
                },
            ));
        }
        // Checked above: every byte is printable ASCII, hence valid UTF-8. When the whole
        // file is UTF-8 (checked once), the line is cut from it without a second check.
        let text = match whole {
            Some(whole) => whole
                .get(line_start..line_start + raw.len())
                .unwrap_or_default(),
            None => std::str::from_utf8(raw).unwrap_or_default(),
        };
        block.push((line_no, text));
    }
    close(
        &mut block,
        &mut blocks,
        Terminator::Eof,
        saw_end,
        last_line,
        name,
    )
    .map_err(|e| earlier_card_error(&blocks, e))?;
    let headers = parse_blocks(&blocks, name)?;

    if headers.is_empty() {
        return Err(DumpError::Empty {
            file: name.to_string(),
        });
    }
    let style = if markers {
        DumpStyle::Markers
    } else if sections > 0 {
        DumpStyle::FitsHeader { sections }
    } else {
        DumpStyle::Cards
    };
    Ok(Dump { style, headers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::Value;

    fn parse(text: &str) -> Result<Dump, DumpError> {
        parse_dump(text.as_bytes(), "t.fits.header")
    }

    #[test]
    fn end_separated() {
        let d = parse("SIMPLE  = T\nA       = 1\nEND\n\nXTENSION= 'IMAGE'\nB = 2\nEND\n").unwrap();
        assert_eq!(d.style, DumpStyle::Cards);
        assert_eq!(d.headers.len(), 2);
        assert_eq!(d.headers[1].get("B"), Some(&Value::Integer(2)));
    }

    #[test]
    fn fitsheader_style_collapses() {
        let text = "# HDU 0 in x.fits:\nSIMPLE  = T\nA       = 1\n\n# HDU 1 in x.fits:\nXTENSION= 'IMAGE'\nA       = 2\n";
        let d = parse(text).unwrap();
        assert_eq!(d.style, DumpStyle::FitsHeader { sections: 2 });
        assert_eq!(d.headers.len(), 1);
        assert_eq!(d.headers[0].get_all("A").count(), 2);
        assert_eq!(d.headers[0].get("A"), Some(&Value::Integer(1)));
    }

    #[test]
    fn markers() {
        let text = "Filename: x.fits.bz2\n\nAstroData Tags: {'A', 'B'}\n\n\n--- PHU ---\nSIMPLE  = T\nCOMMENT hi\n\n--- HDU 0 ---\nXTENSION= 'IMAGE'\nBZERO   =               32768.\n\n--- HDU 1 ---\nXTENSION= 'IMAGE'\n";
        let d = parse(text).unwrap();
        assert_eq!(d.style, DumpStyle::Markers);
        assert_eq!(d.headers.len(), 3);
        assert_eq!(d.headers[1].get("BZERO"), Some(&Value::Float(32768.0)));
        assert_eq!(d.headers[0].comments().collect::<Vec<_>>(), vec!["hi"]);
    }

    #[test]
    fn lines_without_equals_are_dropped() {
        let d = parse("SIMPLE  = T\nsome junk line\nCOMMENT kept\nHISTORY kept too\n        / blank kw=x\nEND\n").unwrap();
        let h = &d.headers[0];
        assert_eq!(h.len(), 4);
        assert_eq!(h.history().count(), 1);
    }

    #[test]
    fn no_end_at_all_is_one_hdu() {
        let d = parse("SIMPLE  = T\nA = 1\n").unwrap();
        assert_eq!(d.headers.len(), 1);
    }

    #[test]
    fn missing_final_end_is_an_error() {
        let err = parse("SIMPLE  = T\nEND\nXTENSION= 'IMAGE'\nNAXIS = 2\n").unwrap_err();
        match &err {
            DumpError::MissingEnd {
                hdu,
                first_line,
                last_line,
                ..
            } => {
                assert_eq!((*hdu, *first_line, *last_line), (1, 3, 4));
            }
            e => panic!("{e}"),
        }
        assert!(err.to_string().contains("t.fits.header: HDU 1"), "{err}");
    }

    #[test]
    fn bad_bytes() {
        let err = parse_dump(b"SIMPLE  = T\nEND\nOBJECT  = 'caf\xc3\xa9'\nEND\n", "f").unwrap_err();
        assert!(
            matches!(
                err,
                DumpError::NotAscii {
                    hdu: 1,
                    line: 3,
                    column: 15,
                    byte: 0xC3,
                    ..
                }
            ),
            "{err}"
        );
        let err = parse_dump(b"SIMPLE  = T\nA       =\t1\n", "f").unwrap_err();
        assert!(
            matches!(
                err,
                DumpError::ControlCharacter {
                    hdu: 0,
                    line: 2,
                    column: 10,
                    ..
                }
            ),
            "{err}"
        );
        // Not ASCII in a dropped line does not matter.
        let d = parse_dump(b"Filename: \xff\xfe\n--- PHU ---\nSIMPLE  = T\n", "f").unwrap();
        assert_eq!(d.headers.len(), 1);
    }

    #[test]
    fn malformed_card() {
        let err =
            parse("SIMPLE  = T\nEND\nXTENSION= 'IMAGE'\nEXPTIME = 12 seconds\nEND\n").unwrap_err();
        match &err {
            DumpError::Card {
                hdu, line, keyword, ..
            } => assert_eq!((*hdu, *line, keyword.as_str()), (1, 4, "EXPTIME")),
            e => panic!("{e}"),
        }
        assert!(
            err.to_string()
                .starts_with("t.fits.header: HDU 1, line 4, keyword \"EXPTIME\""),
            "{err}"
        );
    }

    /// A dump of many HDUs (parsed on several threads) gives the HDUs in order, and the first
    /// bad card in file order as the error, as reading it sequentially does.
    #[test]
    fn many_hdus_in_order_and_first_error_wins() {
        let hdu = |i: usize, card: &str| format!("XTENSION= 'IMAGE'\nEXTVER  = {i}\n{card}\nEND\n");
        let ok = (0..20).map(|i| hdu(i, "")).collect::<String>();
        let dump = parse(&ok).unwrap();
        assert_eq!(dump.headers.len(), 20);
        for (i, h) in dump.headers.iter().enumerate() {
            assert_eq!(h.get_i64("EXTVER"), Some(i as i64));
        }
        // a bad card in HDU 3 comes before a non-ASCII byte in HDU 12 and a bad card in HDU 15
        let bad = (0..20)
            .map(|i| match i {
                3 => hdu(i, "EXPTIME = 12 seconds"),
                12 => hdu(i, "OBJECT  = 'caf\u{e9}'"),
                15 => hdu(i, "GAIN    = 1.2.3"),
                _ => hdu(i, ""),
            })
            .collect::<String>();
        match parse(&bad).unwrap_err() {
            DumpError::Card { hdu, keyword, .. } => {
                assert_eq!((hdu, keyword.as_str()), (3, "EXPTIME"))
            }
            e => panic!("{e}"),
        }
        // only later HDUs bad: the bad card of HDU 15 (the byte of HDU 12 gone)
        let bad = (0..20)
            .map(|i| {
                if i == 15 {
                    hdu(i, "GAIN    = 1.2.3")
                } else {
                    hdu(i, "")
                }
            })
            .collect::<String>();
        match parse(&bad).unwrap_err() {
            DumpError::Card { hdu, keyword, .. } => {
                assert_eq!((hdu, keyword.as_str()), (15, "GAIN"))
            }
            e => panic!("{e}"),
        }
        // a non-ASCII byte after a bad card: still the card
        let bad = (0..20)
            .map(|i| match i {
                2 => hdu(i, "GAIN    = 1.2.3"),
                5 => hdu(i, "OBJECT  = 'caf\u{e9}'"),
                _ => hdu(i, ""),
            })
            .collect::<String>();
        assert!(matches!(
            parse(&bad).unwrap_err(),
            DumpError::Card { hdu: 2, .. }
        ));
        let bad = (0..20)
            .map(|i| {
                if i == 5 {
                    hdu(i, "OBJECT  = 'caf\u{e9}'")
                } else {
                    hdu(i, "")
                }
            })
            .collect::<String>();
        assert!(matches!(
            parse(&bad).unwrap_err(),
            DumpError::NotAscii { hdu: 5, .. }
        ));
    }

    #[test]
    fn long_lines() {
        // Found by the fuzzer: a blank-keyword line of more than 80 characters could not
        // round-trip (its continuation cards hold no '=' and a dump reader drops them).
        let long = format!("SIMPLE  = T\n{}1:57:35' / Dat =  1\nEND\n", " ".repeat(70));
        let err = parse(&long).unwrap_err();
        assert!(
            matches!(
                err,
                DumpError::Card {
                    line: 2,
                    error: CardError::TooLong { .. },
                    ..
                }
            ),
            "{err}"
        );
        let long = format!(
            "SIMPLE  = T\nS       = 'a&'\nCONTINUE  '{}'\nEND\n",
            "b".repeat(80)
        );
        let err = parse(&long).unwrap_err();
        assert!(
            matches!(
                err,
                DumpError::Card {
                    line: 3,
                    error: CardError::TooLong { .. },
                    ..
                }
            ),
            "{err}"
        );
        // Long HISTORY text is kept and written back over several cards.
        let d = parse(&format!("SIMPLE  = T\nHISTORY {}\nEND\n", "h".repeat(100))).unwrap();
        assert_eq!(d.headers[0].history().next().map(str::len), Some(100));
        assert_eq!(d.headers[0].to_card_string().len(), 3 * 80);
    }

    #[test]
    fn empty() {
        assert!(matches!(parse(""), Err(DumpError::Empty { .. })));
        assert!(matches!(
            parse("\n\n  \nEND\n"),
            Err(DumpError::Empty { .. })
        ));
    }

    #[test]
    fn crlf_and_short_lines() {
        let d = parse("SIMPLE  =                    T\r\nNAXIS = 0\r\nEND\r\n").unwrap();
        assert_eq!(d.headers[0].get("NAXIS"), Some(&Value::Integer(0)));
    }

    #[test]
    fn continue_is_joined() {
        let d = parse("SIMPLE  = T\nLONG    = 'abc&'\nCONTINUE  'def'\nEND\n").unwrap();
        assert_eq!(d.headers[0].get_str("LONG"), Some("abcdef"));
    }
}
