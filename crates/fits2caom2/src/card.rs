//! One FITS header card: keyword, typed value and comment, parsed the way astropy reads
//! real-world headers, and formatted back into 80-character card images.
//!
//! # Reading rules
//!
//! The reference reads headers with astropy, so a card means what astropy says it means:
//!
//! * The keyword is the text before the value indicator `"= "` when that indicator starts in
//!   columns 1–9, upper-cased; otherwise the first eight columns.
//! * `COMMENT`, `HISTORY`, `CONTINUE` (on its own) and blank keywords are commentary cards:
//!   no value, their text (column 9 onwards, trailing blanks removed) is the comment.
//!   `COMMENT = text` is commentary too, with the text `= text`, as in astropy.
//! * `HIERARCH NAME = value` keeps `NAME` (case preserved) as the keyword.
//! * Values follow astropy's tolerant (“non-FSC”) grammar: quoted strings with `''` escapes and
//!   trailing blanks removed, `T`/`F`, integers, floats with `E`, `e`, `D` or `d` exponents
//!   and blanks inside the number, complex `(re, im)`, and an empty value (undefined).
//!   Integers outside the `i64` range keep their decimal text ([`Value::BigInteger`]).
//! * A keyword with no value indicator in columns 9–10 (e.g. `DETECTOR='Manta'`, no blank
//!   after `=`) is a *non-standard* card. astropy accepts it and its value is the raw text from
//!   column 9 on (`='Manta'   / comment`); we do the same ([`CardKind::NonStandard`]), because
//!   the reference's lookups see that string.
//! * A value that fits none of the forms above — a number followed by text without `/`
//!   (`= 123 abc`), unquoted words (`= abc`), an unterminated string — is reported as
//!   [`CardError::Unparsable`] by [`Card::parse`]. astropy raises `VerifyError` for it as soon
//!   as the value is used, so a clear error up front loses nothing. [`Card::parse_fixing`]
//!   instead applies astropy's `verify('fix')`, which the reference runs on real FITS files:
//!   the text before the first `/` becomes a string value and the rest the comment.
//! * Record-valued keyword cards (`DP1 = 'AXIS.1: 1'`) are *not* split into `DP1.AXIS.1`;
//!   the value stays the string. wcslib reads them from the card text itself.

use std::fmt;
use std::sync::Arc;

/// Number of characters in one card image.
pub const CARD_LENGTH: usize = 80;

/// The value of a FITS keyword.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A character string, with `''` unescaped and trailing blanks removed.
    String(String),
    /// An integer that fits in `i64`.
    Integer(i64),
    /// An integer outside the `i64` range, as normalised decimal text: an optional `-` and
    /// digits without leading zeros.
    BigInteger(String),
    /// A real number.
    Float(f64),
    /// `T` or `F`.
    Logical(bool),
    /// A complex number `(real, imaginary)`.
    Complex(f64, f64),
    /// The keyword is present with an empty value field.
    Undefined,
}

impl Value {
    /// The string, if this is a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `f64` for integer and float values (big integers are rounded).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(*i as f64),
            Value::BigInteger(t) => t.parse().ok(),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The integer, if this is an integer value that fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The logical value, if this is `T` or `F`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Logical(b) => Some(*b),
            _ => None,
        }
    }

    /// Python truthiness, which the reference uses to decide whether a keyword "has a value":
    /// empty strings, zero, `F` and undefined values are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::String(s) => !s.is_empty(),
            Value::Integer(i) => *i != 0,
            Value::BigInteger(_) => true,
            Value::Float(f) => *f != 0.0,
            Value::Logical(b) => *b,
            Value::Complex(re, im) => *re != 0.0 || *im != 0.0,
            Value::Undefined => false,
        }
    }

    /// The value field as it appears in a card image (strings quoted, numbers in FITS
    /// notation), without padding.
    pub fn to_fits_text(&self) -> String {
        match self {
            Value::String(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Integer(i) => i.to_string(),
            Value::BigInteger(t) => t.clone(),
            Value::Float(f) => format_float(*f),
            Value::Logical(b) => if *b { "T" } else { "F" }.to_string(),
            Value::Complex(re, im) => format!("({}, {})", format_float(*re), format_float(*im)),
            Value::Undefined => String::new(),
        }
    }
}

impl fmt::Display for Value {
    /// Strings as they are, everything else in FITS notation (`T`, `1.0E-05`, …).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => f.write_str(s),
            other => f.write_str(&other.to_fits_text()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Integer(i64::from(i))
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Logical(b)
    }
}

/// What kind of card this is; decides how it is looked up and written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardKind {
    /// `KEYWORD = value / comment`.
    Standard,
    /// `HIERARCH long keyword = value / comment` (ESO convention).
    Hierarch,
    /// `COMMENT`, `HISTORY` or a blank keyword: no value, the text is the comment.
    Commentary,
    /// A keyword without a value indicator in columns 9–10; the value is the raw text from
    /// column 9 on, as astropy reads it.
    NonStandard,
}

/// Why a card could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// The value field fits none of the FITS value forms.
    #[error("unparsable value field {text:?} (not a quoted string, number, T/F or complex, or text after the value without '/')")]
    Unparsable {
        /// The value and comment text after `= `.
        text: String,
    },
    /// A character outside printable ASCII (0x20–0x7E).
    #[error("character {found:?} at column {column} is not printable ASCII")]
    NotPrintable {
        /// 1-based column in the card image.
        column: usize,
        /// The offending character (U+FFFD for bytes that are not UTF-8).
        found: char,
    },
    /// A card image longer than 80 characters that is not `COMMENT` or `HISTORY`.
    #[error("card is {length} characters long (at most 80; long strings need CONTINUE cards)")]
    TooLong {
        /// Length after trailing blanks were removed.
        length: usize,
    },
    /// A `CONTINUE` card after a card whose value is not a string.
    #[error("CONTINUE card follows a card whose value is not a string")]
    ContinueWithoutString,
    /// A `CONTINUE` card whose text is not a quoted string.
    #[error("CONTINUE card does not hold a quoted string: {text:?}")]
    BadContinue {
        /// The text after `CONTINUE`.
        text: String,
    },
}

/// A card's keyword or comment. It reads as a `str`: it dereferences to one, compares with
/// `str`, `&str` and `String`, and displays and debug-prints as its text. A card read as part
/// of a header holds its keyword and comment as ranges of the header's shared image buffer
/// rather than as allocations of their own; text made in memory is an owned `String`.
#[derive(Clone, Default)]
pub struct CardText(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Shared(SharedText),
    Owned(String),
}

impl Default for TextRepr {
    fn default() -> Self {
        TextRepr::Owned(String::new())
    }
}

impl CardText {
    /// An empty text.
    pub fn new() -> CardText {
        CardText::default()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TextRepr::Shared(s) => s.as_str(),
            TextRepr::Owned(s) => s,
        }
    }

    /// `buf[start..end]`, shared; empty text needs no buffer.
    fn shared(buf: &Arc<str>, start: usize, end: usize) -> CardText {
        if start >= end {
            CardText::new()
        } else {
            CardText(TextRepr::Shared(SharedText::new(buf, start, end)))
        }
    }
}

impl std::ops::Deref for CardText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CardText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for CardText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for CardText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for CardText {
    /// As `str` does, width and alignment included (`{:<8}` pads a keyword).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq for CardText {
    fn eq(&self, other: &CardText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CardText {}

impl std::hash::Hash for CardText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for CardText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CardText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for CardText {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<CardText> for str {
    fn eq(&self, other: &CardText) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<CardText> for &str {
    fn eq(&self, other: &CardText) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<CardText> for String {
    fn eq(&self, other: &CardText) -> bool {
        self == other.as_str()
    }
}

impl From<String> for CardText {
    fn from(s: String) -> Self {
        CardText(TextRepr::Owned(s))
    }
}

impl From<&str> for CardText {
    fn from(s: &str) -> Self {
        CardText(TextRepr::Owned(s.to_string()))
    }
}

impl From<CardText> for String {
    fn from(t: CardText) -> Self {
        match t.0 {
            TextRepr::Shared(s) => s.as_str().to_string(),
            TextRepr::Owned(s) => s,
        }
    }
}

/// One header card.
///
/// The fields are public. A card that was read from a file remembers its original image and
/// writes that back unchanged (as astropy does) until the keyword, value or comment is
/// changed, so wcslib sees the same text the reference gave it.
#[derive(Clone, Debug)]
pub struct Card {
    /// The keyword as astropy reports it: upper case for standard cards, as written for
    /// `HIERARCH` and non-standard cards, `COMMENT`/`HISTORY`/empty for commentary.
    pub keyword: CardText,
    /// The value; `None` for commentary cards.
    pub value: Option<Value>,
    /// The comment (text after `/`), or the text of a commentary card; empty if none.
    pub comment: CardText,
    /// How the card is written.
    pub kind: CardKind,
    original: Option<Original>,
}

/// What a card read from a file remembers of it.
#[derive(Clone, Debug)]
enum Original {
    /// The image as read, without trailing blanks. It is read again when the card is written,
    /// and given back only if that gives the card's current keyword, value and comment:
    /// cheaper than keeping a copy of them for every card, and exact.
    One(SharedText),
    /// A CONTINUE sequence: its images and the values they gave.
    Many(Box<ManyImages>),
}

/// Text cut from a buffer that several cards may share: a header read from a file copies
/// its card images into one buffer, and each card keeps its image as a range of it instead
/// of an allocation of its own.
#[derive(Clone)]
pub(crate) struct SharedText {
    buf: Arc<str>,
    start: usize,
    end: usize,
}

impl SharedText {
    /// `buf[start..end]`; ranges that are not in `buf` give an empty text.
    pub(crate) fn new(buf: &Arc<str>, start: usize, end: usize) -> SharedText {
        let end = if buf.get(start..end).is_some() {
            end
        } else {
            start
        };
        SharedText {
            buf: Arc::clone(buf),
            start,
            end,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[derive(Clone, Debug)]
struct ManyImages {
    /// Card images of at most 80 characters each.
    images: Vec<String>,
    keyword: CardText,
    value: Option<Value>,
    comment: CardText,
}

impl PartialEq for Card {
    /// Cards are equal when keyword, value, comment and kind are; the remembered original
    /// image does not count.
    fn eq(&self, other: &Self) -> bool {
        self.keyword == other.keyword
            && self.value == other.value
            && self.comment == other.comment
            && self.kind == other.kind
    }
}

/// How [`Card::parse`] treats a value field it cannot read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unparsable {
    /// Report [`CardError::Unparsable`].
    Error,
    /// astropy's `verify('fix')`: keep the text before the first `/` as a string.
    Fix,
}

impl Card {
    /// A standard `KEYWORD = value / comment` card. Keywords longer than 8 characters or
    /// containing blanks are written with `HIERARCH`.
    pub fn new(keyword: &str, value: impl Into<Value>, comment: &str) -> Card {
        let keyword = keyword.trim();
        let hierarch = keyword.len() > 8 || keyword.contains(' ');
        Card {
            keyword: if hierarch {
                keyword.into()
            } else {
                keyword.to_ascii_uppercase().into()
            },
            value: Some(value.into()),
            comment: comment.into(),
            kind: if hierarch {
                CardKind::Hierarch
            } else {
                CardKind::Standard
            },
            original: None,
        }
    }

    /// A commentary card (`COMMENT`, `HISTORY` or blank keyword) holding `text`.
    pub fn commentary(keyword: &str, text: &str) -> Card {
        Card {
            keyword: keyword.trim().to_ascii_uppercase().into(),
            value: None,
            comment: text.into(),
            kind: CardKind::Commentary,
            original: None,
        }
    }

    /// Parses one card image (up to 80 characters; shorter images are padded with blanks).
    /// Unparsable values are errors; see the module documentation for the rules.
    pub fn parse(image: &str) -> Result<Card, CardError> {
        Card::parse_with(image, Unparsable::Error)
    }

    /// Parses one card image like [`Card::parse`], but repairs what astropy's
    /// `verify('fix')` repairs: unparsable values become strings, and characters that are
    /// not printable ASCII become `?`. Never fails on a single card except for length.
    pub fn parse_fixing(image: &str) -> Result<Card, CardError> {
        let mut cleaned = String::with_capacity(image.len());
        push_fixed(&mut cleaned, image);
        Card::parse_with(&cleaned, Unparsable::Fix)
    }

    /// Parses one card image with an explicit policy for unparsable values.
    pub fn parse_with(image: &str, unparsable: Unparsable) -> Result<Card, CardError> {
        let trimmed = trim_trailing_blanks(image);
        let buf: Arc<str> = Arc::from(trimmed);
        Card::parse_shared(&buf, 0..buf.len(), unparsable)
    }

    /// Parses the card image `buf[range]` like [`Card::parse_with`]. The card keeps its
    /// image, and the keyword and comment of the common cards, as ranges of `buf` (which a
    /// header's cards share) rather than as copies.
    pub(crate) fn parse_shared(
        buf: &Arc<str>,
        range: std::ops::Range<usize>,
        unparsable: Unparsable,
    ) -> Result<Card, CardError> {
        let image = buf.get(range.clone()).unwrap_or_default();
        check_printable(image)?;
        let trimmed = trim_trailing_blanks(image);
        // Nearly every card is a plain `KEYWORD = value / comment` or COMMENT/HISTORY: read
        // it in one pass, and leave anything the fast reader is not sure of to the general
        // rules.
        let mut card = match plain_card(buf, range.start, trimmed) {
            Some(card) => card,
            None => parse_trimmed(trimmed, unparsable)?,
        };
        // Long commentary text cannot be written back as one card; it is re-formatted.
        if trimmed.len() <= CARD_LENGTH {
            card.original = Some(Original::One(SharedText::new(
                buf,
                range.start,
                range.start + trimmed.len(),
            )));
        }
        Ok(card)
    }

    /// The keyword used for lookups: upper case, without a `HIERARCH ` prefix.
    pub fn normalized_keyword(&self) -> String {
        normalize_keyword(&self.keyword)
    }

    /// True for `COMMENT`, `HISTORY` and blank-keyword cards.
    pub fn is_commentary(&self) -> bool {
        self.kind == CardKind::Commentary
    }

    /// The card as one or more 80-character images (more than one for long strings written
    /// with `CONTINUE` and long commentary text). An unchanged card read from a file gives
    /// back its original images.
    pub fn images(&self) -> Vec<String> {
        match &self.original {
            Some(Original::One(image)) => {
                let image = image.as_str();
                // the unparsable policy does not matter: the image was read before
                if let Ok(o) = parse_trimmed(image, Unparsable::Fix) {
                    if o.keyword == self.keyword
                        && o.value == self.value
                        && o.comment == self.comment
                    {
                        return vec![pad(image)];
                    }
                }
            }
            Some(Original::Many(m))
                if m.keyword == self.keyword
                    && m.value == self.value
                    && m.comment == self.comment =>
            {
                return m.images.clone();
            }
            _ => {}
        }
        format_card(self)
    }

    /// The image the card was read from (trailing blanks removed), whether or not the card
    /// has been changed since; `None` for cards made in memory and CONTINUE sequences. For a
    /// caller that knows which cards it changed: [`Card::images`] checks instead.
    pub fn read_image(&self) -> Option<&str> {
        match &self.original {
            Some(Original::One(image)) => Some(image.as_str()),
            _ => None,
        }
    }

    /// The remembered images as a CONTINUE sequence, with the values they give now.
    fn original_many(&mut self) -> Option<&mut ManyImages> {
        if let Some(Original::One(image)) = &self.original {
            let images = vec![pad(image.as_str())];
            self.original = Some(Original::Many(Box::new(ManyImages {
                images,
                keyword: self.keyword.clone(),
                value: self.value.clone(),
                comment: self.comment.clone(),
            })));
        }
        match &mut self.original {
            Some(Original::Many(m)) => Some(m),
            _ => None,
        }
    }

    /// Appends the text of one `CONTINUE` card image to this long-string card (astropy's
    /// long-string convention: each part's trailing `&` is dropped, comments are joined with
    /// a blank).
    pub(crate) fn append_continue(&mut self, image: &str) -> Result<(), CardError> {
        check_printable(image)?;
        let trimmed = image.trim_end_matches(' ');
        if trimmed.len() > CARD_LENGTH {
            return Err(CardError::TooLong {
                length: trimmed.len(),
            });
        }
        let Some(Value::String(current)) = &self.value else {
            return Err(CardError::ContinueWithoutString);
        };
        let text = trimmed.get(8..).unwrap_or("").trim_matches(' ');
        // astropy allows a CONTINUE card with only a comment (or nothing): an empty part.
        let parsed = match match_tail(text) {
            Some(tail) => Some((String::new(), tail)),
            None => match_string_and_comment(text),
        };
        let Some((part, comment)) = parsed else {
            return Err(CardError::BadContinue {
                text: text.to_string(),
            });
        };
        // The value so far already lost its trailing '&' (see `start_continue`).
        let mut joined = current.clone();
        joined.push_str(&drop_ampersand(&part));
        if let Some(c) = comment {
            let c = c.trim_end_matches(' ');
            if !c.is_empty() {
                let mut joined = String::from(std::mem::take(&mut self.comment));
                if !joined.is_empty() {
                    joined.push(' ');
                }
                joined.push_str(c);
                self.comment = joined.into();
            }
        }
        self.value = Some(Value::String(joined));
        let (value, comment) = (self.value.clone(), self.comment.clone());
        if let Some(orig) = self.original_many() {
            orig.images.push(pad(trimmed));
            orig.value = value;
            orig.comment = comment;
        }
        Ok(())
    }

    /// Prepares the first card of a `CONTINUE` sequence: astropy removes a trailing `&`
    /// from every part of a long string, the first one included.
    pub(crate) fn start_continue(&mut self) -> Result<(), CardError> {
        match &self.value {
            Some(Value::String(s)) => {
                let v = drop_ampersand(s);
                // the first image gave the value with its '&'; the sequence gives it without
                let orig = self.original_many().map(|_| ());
                self.value = Some(Value::String(v));
                let value = self.value.clone();
                if let (Some(()), Some(m)) = (orig, self.original_many()) {
                    m.value = value;
                }
                Ok(())
            }
            _ => Err(CardError::ContinueWithoutString),
        }
    }
}

/// Upper case, trimmed, without a leading `HIERARCH `: the form used for lookups.
pub fn normalize_keyword(keyword: &str) -> String {
    let k = keyword.trim();
    let k = match k.get(..9) {
        Some(p) if p.eq_ignore_ascii_case("HIERARCH ") => k[9..].trim_start(),
        _ => k,
    };
    k.to_ascii_uppercase()
}

fn drop_ampersand(s: &str) -> String {
    let s = s.trim_end_matches(' ');
    s.strip_suffix('&').unwrap_or(s).to_string()
}

/// `s` without leading and trailing blanks: `str::trim` for printable ASCII, bytewise.
fn trim_blanks(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b' ').map_or(start, |i| i + 1);
    // blanks are one byte each, so both ends are character boundaries
    s.get(start..end).unwrap_or(s)
}

/// Appends `image` with every character that is not printable ASCII replaced by `?`, as
/// [`Card::parse_fixing`] reads it.
pub(crate) fn push_fixed(out: &mut String, image: &str) {
    if image.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        out.push_str(image);
    } else {
        out.extend(
            image
                .chars()
                .map(|c| if (' '..='~').contains(&c) { c } else { '?' }),
        );
    }
}

/// `s` without trailing blanks; bytewise, as dump lines are usually padded to 80 columns.
pub(crate) fn trim_trailing_blanks(s: &str) -> &str {
    let b = s.as_bytes();
    // eight blanks at a time first: a card padded to 80 columns often ends in dozens of them
    let mut end = b.len();
    while let Some(word) = end.checked_sub(8).and_then(|start| b.get(start..end)) {
        if word != b"        " {
            break;
        }
        end -= 8;
    }
    let end = b[..end]
        .iter()
        .rposition(|&c| c != b' ')
        .map_or(0, |i| i + 1);
    // a blank is one byte, so `end` is a character boundary
    s.get(..end).unwrap_or(s)
}

fn check_printable(image: &str) -> Result<(), CardError> {
    // the common case, checked bytewise without early exit (vectorised); the loop below
    // finds the column of a bad character
    let bad = image
        .bytes()
        .fold(false, |bad, b| bad | (b.wrapping_sub(b' ') > b'~' - b' '));
    if !bad {
        return Ok(());
    }
    for (i, c) in image.chars().enumerate() {
        if !(' '..='~').contains(&c) {
            return Err(CardError::NotPrintable {
                column: i + 1,
                found: c,
            });
        }
    }
    Ok(())
}

fn pad(image: &str) -> String {
    // as format!("{image:<80}") (padding counts characters), without the formatting machinery
    let n = image.chars().count();
    let mut s = String::with_capacity(image.len() + CARD_LENGTH.saturating_sub(n));
    s.push_str(image);
    s.extend(std::iter::repeat_n(' ', CARD_LENGTH.saturating_sub(n)));
    s
}

/// Parses a card image without trailing blanks. Only ASCII printable input reaches here.
fn parse_trimmed(image: &str, unparsable: Unparsable) -> Result<Card, CardError> {
    let head = image.get(..8.min(image.len())).unwrap_or("");
    let head_trim = trim_blanks(head);
    let head_is = |w: &str| head_trim.eq_ignore_ascii_case(w);

    // Long COMMENT/HISTORY text is kept whole and written back over several cards; any
    // other card longer than 80 characters is an error (astropy fails on it as soon as the
    // header is written out for wcslib).
    if image.len() > CARD_LENGTH && !(head_is("COMMENT") || head_is("HISTORY")) {
        return Err(CardError::TooLong {
            length: image.len(),
        });
    }
    // keywords that astropy treats as commentary (no value even when `=` follows)
    if ["", "COMMENT", "HISTORY", "CONTINUE", "END"]
        .iter()
        .any(|w| head_is(w))
    {
        let head_upper = head_trim.to_ascii_uppercase();
        let text = image.get(8..).unwrap_or("");
        return Ok(Card {
            keyword: head_upper.into(),
            value: None,
            comment: text.into(),
            kind: CardKind::Commentary,
            original: None,
        });
    }

    // HIERARCH: astropy requires a blank after the word and an '=' somewhere.
    if head_is("HIERARCH") && image.as_bytes().get(8) == Some(&b' ') {
        if let Some(eq) = image.find('=') {
            let keyword = trim_blanks(&image[9..eq]).to_string();
            let (value, comment) = parse_value_field(trim_blanks(&image[eq + 1..]), unparsable)?;
            return Ok(Card {
                keyword: keyword.into(),
                value: Some(value),
                comment: comment.into(),
                kind: CardKind::Hierarch,
                original: None,
            });
        }
    }

    // usual case first: `= ` in columns 9–10 and no `=` in the keyword field
    let standard = image.as_bytes().get(8..10) == Some(b"= ") && !head.contains('=');
    let indicator = if standard {
        Some(8)
    } else {
        image
            .find("= ")
            .or_else(|| image.strip_suffix('=').map(|s| s.len()))
    };
    match indicator {
        // The value indicator may start anywhere in columns 1–9: astropy allows it early.
        Some(idx) if idx <= 8 => {
            let keyword = trim_blanks(&image[..idx]).to_ascii_uppercase();
            let rest = image.get(idx + 2..).unwrap_or("");
            let (value, comment) = parse_value_field(trim_blanks(rest), unparsable)?;
            Ok(Card {
                keyword: keyword.into(),
                value: Some(value),
                comment: comment.into(),
                kind: CardKind::Standard,
                original: None,
            })
        }
        _ => Ok(Card {
            // astropy keeps the keyword of an invalid card as written (not upper-cased).
            keyword: head_trim.into(),
            value: Some(Value::String(image.get(8..).unwrap_or("").to_string())),
            comment: CardText::new(),
            kind: CardKind::NonStandard,
            original: None,
        }),
    }
}

/// The common card read quickly: an upper-case FITS keyword (`A-Z 0-9 - _`) in columns
/// 1–8, `= ` in columns 9–10, then blanks and a plain value — a string, `T`/`F`, an integer
/// that fits `i64`, a float with an upper-case `E` exponent, or nothing — and optionally
/// blanks and a `/` comment. `image` is printable ASCII without trailing blanks and at most
/// 80 characters long (longer images are left to the general rules, which reject them).
///
/// Gives the card [`parse_trimmed`] gives, or `None` for every card outside that form
/// (lower-case or commentary keywords, HIERARCH, complex values, blanks or `D` in numbers,
/// big integers, unparsable values); the tests compare both readers on such cards.
fn parse_plain(image: &str) -> Option<Plain> {
    let b = image.as_bytes();
    if b.len() > CARD_LENGTH || b.get(8..10) != Some(b"= ") {
        return None;
    }
    let head = &b[..8];
    let klen = head.iter().position(|&c| c == b' ').unwrap_or(8);
    let keyword_ok = klen > 0
        && head[..klen]
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
        && head[klen..].iter().all(|&c| c == b' ');
    // commentary keywords have no value even with `= ` (astropy); the general rules say so
    if !keyword_ok
        || matches!(
            &head[..klen],
            b"COMMENT" | b"HISTORY" | b"CONTINUE" | b"END"
        )
    {
        return None;
    }
    let start = 10
        + b[10..]
            .iter()
            .position(|&c| c != b' ')
            .unwrap_or(b.len() - 10);
    let (value, after) = match b.get(start) {
        None | Some(b'/') => (Value::Undefined, start),
        Some(b'\'') => plain_string(image, start)?,
        Some(&c @ (b'T' | b'F')) => (Value::Logical(c == b'T'), start + 1),
        Some(_) => plain_number(image, start)?,
    };
    // after the value: blanks, then the end or `/` and the comment
    let rest = &b[after..];
    let gap = rest.iter().position(|&c| c != b' ').unwrap_or(rest.len());
    let comment_start = match rest.get(gap) {
        None => None,
        Some(b'/') => {
            // the image has no trailing blanks, so the comment ends where it does
            let c = &b[after + gap + 1..];
            Some(after + gap + 1 + c.iter().position(|&c| c != b' ').unwrap_or(c.len()))
        }
        Some(_) => return None,
    };
    Some(Plain {
        keyword_len: klen,
        value,
        comment_start,
    })
}

/// What [`parse_plain`] reads of a card image.
struct Plain {
    /// The keyword is the image's first `keyword_len` bytes.
    keyword_len: usize,
    value: Value,
    /// Where the comment starts; it runs to the end of the image.
    comment_start: Option<usize>,
}

/// The card the general rules read from `image` (which is `buf[base..base + image.len()]`,
/// printable ASCII without trailing blanks) when it is a plain card ([`parse_plain`]) or a
/// `COMMENT`/`HISTORY` card, with its keyword and comment as ranges of `buf`; `None` for
/// every other card.
fn plain_card(buf: &Arc<str>, base: usize, image: &str) -> Option<Card> {
    let end = base + image.len();
    // commentary: the text is everything from column 9 on, whatever it holds
    if let Some(b"COMMENT " | b"HISTORY ") = image.as_bytes().get(..8) {
        return Some(Card {
            keyword: CardText::shared(buf, base, base + 7),
            value: None,
            comment: CardText::shared(buf, base + 8, end),
            kind: CardKind::Commentary,
            original: None,
        });
    }
    let plain = parse_plain(image)?;
    Some(Card {
        keyword: CardText::shared(buf, base, base + plain.keyword_len),
        value: Some(plain.value),
        comment: plain.comment_start.map_or_else(CardText::new, |start| {
            CardText::shared(buf, base + start, end)
        }),
        kind: CardKind::Standard,
        original: None,
    })
}

/// A quoted string starting at byte `quote` of `image`, as [`match_string_and_comment`]
/// reads it: the closing quote is the first one (after the opening one) that only blanks
/// and/or a `/` comment follow; `''` inside is one quote. Returns the value and the index
/// after the closing quote.
fn plain_string(image: &str, quote: usize) -> Option<(Value, usize)> {
    let b = image.as_bytes();
    let body = quote + 1;
    let closes = |q: usize| {
        let after = &b[q + 1..];
        let gap = after.iter().position(|&c| c != b' ').unwrap_or(after.len());
        matches!(after.get(gap), None | Some(b'/'))
    };
    // non-empty contents first, the empty string last, as the regex alternation tries them
    let close = (body + 1..b.len())
        .find(|&q| b[q] == b'\'' && closes(q))
        .or_else(|| (b.get(body) == Some(&b'\'') && closes(body)).then_some(body))?;
    let content = image.get(body..close)?;
    let mut value = if content.contains('\'') {
        content.replace("''", "'")
    } else {
        content.to_string()
    };
    value.truncate(value.trim_end_matches(' ').len());
    Some((Value::String(value), close + 1))
}

/// A plain number starting at byte `start` of `image`:
/// `[+-]?(\d+(\.\d*)?|\.\d+)(E[+-]?\d+)?` followed by a blank, `/` or the end. One pass
/// checks the form and accumulates an integer; floats are parsed from the text. Integers
/// outside `i64` are left to the general rules (big integers). Returns the value and the
/// index after the number.
fn plain_number(image: &str, start: usize) -> Option<(Value, usize)> {
    let b = image.as_bytes();
    let digit_at = |i: usize| b.get(i).copied().filter(u8::is_ascii_digit);
    let (negative, mut i) = match b.get(start) {
        Some(b'-') => (true, start + 1),
        Some(b'+') => (false, start + 1),
        _ => (false, start),
    };
    let int_start = i;
    // accumulated on the negative side, so that i64::MIN fits too; None once it overflows
    let mut n: Option<i64> = Some(0);
    while let Some(d) = digit_at(i) {
        n = n
            .and_then(|n| n.checked_mul(10))
            .and_then(|n| n.checked_sub(i64::from(d - b'0')));
        i += 1;
    }
    let int_digits = i - int_start;
    let mut float = false;
    if b.get(i) == Some(&b'.') {
        float = true;
        i += 1;
        let frac_start = i;
        while digit_at(i).is_some() {
            i += 1;
        }
        if int_digits == 0 && i == frac_start {
            return None;
        }
    } else if int_digits == 0 {
        return None;
    }
    if b.get(i) == Some(&b'E') {
        float = true;
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        while digit_at(i).is_some() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    // the number is the whole word: a blank, a comment or the end follows
    if !matches!(b.get(i), None | Some(b' ' | b'/')) {
        return None;
    }
    if float {
        return Some((Value::Float(image.get(start..i)?.parse().ok()?), i));
    }
    let n = if negative { n? } else { n?.checked_neg()? };
    Some((Value::Integer(n), i))
}

/// Parses the text after `= ` (already trimmed) into value and comment.
pub(crate) fn parse_value_field(
    text: &str,
    unparsable: Unparsable,
) -> Result<(Value, String), CardError> {
    if let Some(parsed) = match_value_comment(text) {
        return Ok(parsed);
    }
    match unparsable {
        Unparsable::Error => Err(CardError::Unparsable {
            text: text.to_string(),
        }),
        // astropy `Card._fix_value`: value before the first '/', comment after it.
        Unparsable::Fix => Ok(match text.split_once('/') {
            Some((v, c)) => (Value::String(v.trim().to_string()), c.trim().to_string()),
            None => (Value::String(text.to_string()), String::new()),
        }),
    }
}

/// `rest` after a value: blanks, then optionally `/` and a comment, then the end.
/// Returns the comment (None if there is no `/`), or None if `rest` does not fit.
fn match_tail(rest: &str) -> Option<Option<&str>> {
    let r = rest.trim_start_matches(' ');
    if r.is_empty() {
        Some(None)
    } else {
        r.strip_prefix('/').map(|c| Some(c.trim_start_matches(' ')))
    }
}

fn comment_text(c: Option<&str>) -> String {
    c.map(|c| c.trim_end().to_string()).unwrap_or_default()
}

/// astropy's `_value_NFSC_RE` applied to a trimmed value field.
fn match_value_comment(s: &str) -> Option<(Value, String)> {
    if let Some(tail) = match_tail(s) {
        return Some((Value::Undefined, comment_text(tail)));
    }
    let first = s.as_bytes().first().copied()?;
    match first {
        b'\'' => {
            let (mut value, comment) = match_string_and_comment(s)?;
            value.truncate(value.trim_end_matches(' ').len());
            Some((Value::String(value), comment_text(comment)))
        }
        b'T' | b'F' => {
            let tail = match_tail(&s[1..])?;
            Some((Value::Logical(first == b'T'), comment_text(tail)))
        }
        b'(' => {
            let (re, rest) = match_number(s[1..].trim_start_matches(' '))?;
            let rest = rest.trim_start_matches(' ').strip_prefix(',')?;
            let (im, rest) = match_number(rest.trim_start_matches(' '))?;
            let rest = rest.trim_start_matches(' ').strip_prefix(')')?;
            let tail = match_tail(rest)?;
            let re = number_value(&re).as_f64()?;
            let im = number_value(&im).as_f64()?;
            Some((Value::Complex(re, im), comment_text(tail)))
        }
        _ => {
            let (num, rest) = match_number(s)?;
            let tail = match_tail(rest)?;
            Some((number_value(&num), comment_text(tail)))
        }
    }
}

/// A quoted string at the start of `s` followed by blanks and an optional comment.
/// Like astropy's non-greedy `_strg` pattern, the closing quote is the first one after which
/// the rest of the field is blanks and/or a `/` comment; `''` inside is an escaped quote.
/// Returns the unescaped content (trailing blanks kept) and the comment.
fn match_string_and_comment(s: &str) -> Option<(String, Option<&str>)> {
    let rest = s.strip_prefix('\'')?;
    let bytes = rest.as_bytes();
    // Non-empty contents are tried before the empty string, as the regex alternation does.
    let candidates = (1..bytes.len())
        .filter(|&q| bytes[q] == b'\'')
        .chain((bytes.first() == Some(&b'\'')).then_some(0));
    for q in candidates {
        if let Some(tail) = match_tail(&rest[q + 1..]) {
            let content = &rest[..q];
            let value = if content.contains('\'') {
                content.replace("''", "'")
            } else {
                content.to_string()
            };
            return Some((value, tail));
        }
    }
    None
}

/// Matches astropy's `_numr_NFSC` at the start of `s`:
/// `[+-]? *(\.\d+|\d+(\.\d*)?) *([deDE] *[+-]? *\d+)?`.
/// Returns the number text with blanks removed and `D` turned into `E`, and the rest.
fn match_number(s: &str) -> Option<(std::borrow::Cow<'_, str>, &str)> {
    // fast path: a plain number (digits, sign, point, upper-case E exponent) needs no copy
    let plain = s
        .bytes()
        .take_while(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'E'))
        .count();
    let (head, tail) = s.split_at(plain);
    if plain > 0 && !tail.starts_with([' ', 'd', 'D', 'e']) && is_plain_number(head) {
        return Some((std::borrow::Cow::Borrowed(head), tail));
    }
    match_number_slow(s).map(|(n, r)| (std::borrow::Cow::Owned(n), r))
}

/// `[+-]?(\d+(\.\d*)?|\.\d+)(E[+-]?\d+)?`, exactly.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - f;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'E' {
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}

fn match_number_slow(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = String::new();
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        out.push(b[i] as char);
        i += 1;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    out.push_str(&s[int_start..i]);
    if i < b.len() && b[i] == b'.' {
        let frac_start = i + 1;
        let mut j = frac_start;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if int_digits == 0 && j == frac_start {
            return None; // "." alone
        }
        out.push_str(&s[i..j]);
        i = j;
    } else if int_digits == 0 {
        return None;
    }
    // Optional exponent, possibly after blanks; only taken if complete.
    let mut k = i;
    while k < b.len() && b[k] == b' ' {
        k += 1;
    }
    if k < b.len() && matches!(b[k], b'd' | b'D' | b'e' | b'E') {
        let mut m = k + 1;
        while m < b.len() && b[m] == b' ' {
            m += 1;
        }
        let mut exp = String::from("E");
        if m < b.len() && (b[m] == b'+' || b[m] == b'-') {
            exp.push(b[m] as char);
            m += 1;
            while m < b.len() && b[m] == b' ' {
                m += 1;
            }
        }
        let d0 = m;
        while m < b.len() && b[m].is_ascii_digit() {
            m += 1;
        }
        if m > d0 {
            exp.push_str(&s[d0..m]);
            out.push_str(&exp);
            i = m;
        }
    }
    Some((out, &s[i..]))
}

/// Python `int(text)` if that works, else `float(text)`, as astropy's `_str_to_num`.
fn number_value(text: &str) -> Value {
    if !text.contains(['.', 'E']) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Integer(i);
        }
        let (sign, digits) = match text.as_bytes().first() {
            Some(b'-') => ("-", &text[1..]),
            Some(b'+') => ("", &text[1..]),
            _ => ("", text),
        };
        let digits = digits.trim_start_matches('0');
        return Value::BigInteger(format!("{sign}{digits}"));
    }
    // The grammar above only lets valid float text through; Rust's parser accepts "5." and
    // ".5" like Python does. Overflow gives infinity in both.
    match text.parse::<f64>() {
        Ok(f) => Value::Float(f),
        Err(_) => Value::String(text.to_string()),
    }
}

/// Python `str(float)` turned into FITS notation the way astropy's `_format_float` does:
/// shortest round-trip digits, upper-case `E`, two-digit exponent, at most 20 characters.
pub fn format_float(value: f64) -> String {
    if !value.is_finite() {
        // FITS has no NaN/Inf; callers write an undefined value instead (see `format_card`).
        return String::new();
    }
    // a finite repr always has a '.' or an exponent, and its exponent already has a sign and
    // at least two digits: only the letter changes
    let mut s = python_float_repr(value);
    s.make_ascii_uppercase();
    if s.len() > 20 {
        match s.find('E') {
            None => s[..20].to_string(),
            Some(idx) => {
                let exp_len = s.len() - idx;
                format!("{}{}", &s[..20 - exp_len], &s[idx..])
            }
        }
    } else {
        s
    }
}

/// A small formatting buffer on the stack (for `{:e}` of an `f64`: at most 24 bytes).
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Python's `repr(float)`: shortest round-trip digits, scientific notation when the decimal
/// exponent is below -4 or at least 16.
pub fn python_float_repr(value: f64) -> String {
    use fmt::Write;
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .into();
    }
    // `{:e}` gives the shortest round-trip digits as d.ddde±x.
    let mut sci = StackText {
        bytes: [0; 32],
        len: 0,
    };
    if write!(sci, "{value:e}").is_err() {
        return format!("{value:e}");
    }
    let sci = &sci.bytes[..sci.len];
    let e = sci.iter().position(|&b| b == b'e').unwrap_or(sci.len());
    let exp: i32 = std::str::from_utf8(&sci[(e + 1).min(sci.len())..])
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; 24];
    let mut n = 0;
    for &b in &sci[..e] {
        if b.is_ascii_digit() && n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let digits = &digits[..n];
    let mut out = String::with_capacity(n + 8 + exp.unsigned_abs().min(20) as usize);
    if value < 0.0 {
        out.push('-');
    }
    let push = |out: &mut String, d: &[u8]| d.iter().for_each(|&b| out.push(char::from(b)));
    if !(-4..16).contains(&exp) {
        push(&mut out, &digits[..1]);
        if n > 1 {
            out.push('.');
            push(&mut out, &digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push('0');
        }
        let _ = write!(out, "{a}");
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        push(&mut out, digits);
    } else {
        let point = exp as usize + 1;
        if n <= point {
            push(&mut out, digits);
            for _ in n..point {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            push(&mut out, &digits[..point]);
            out.push('.');
            push(&mut out, &digits[point..]);
        }
    }
    out
}

/// astropy's card image layout: keyword in columns 1–8, `= ` in 9–10, numbers right-justified
/// to column 30, strings left-justified and padded to at least 8 characters, then ` / comment`.
fn format_card(card: &Card) -> Vec<String> {
    match card.kind {
        CardKind::Commentary => {
            let kw = format!("{:<8}", card.keyword);
            let text = &card.comment;
            if text.is_empty() {
                return vec![pad(&kw)];
            }
            // Long commentary text is split over several cards of the same keyword.
            let chars: Vec<char> = text.chars().collect();
            chars
                .chunks(CARD_LENGTH - 8)
                .map(|c| pad(&format!("{kw}{}", c.iter().collect::<String>())))
                .collect()
        }
        CardKind::NonStandard => {
            let text = match &card.value {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_fits_text(),
                None => String::new(),
            };
            let mut image = format!("{:<8}{text}", card.keyword);
            image.truncate(CARD_LENGTH);
            vec![pad(&image)]
        }
        CardKind::Standard | CardKind::Hierarch => {
            let prefix = if card.kind == CardKind::Hierarch {
                format!("HIERARCH {} = ", card.keyword)
            } else {
                format!("{:<8}= ", card.keyword)
            };
            let value = card.value.as_ref().unwrap_or(&Value::Undefined);
            if let Value::String(s) = value {
                let quoted = format!("'{:<8}'", s.replace('\'', "''"));
                if prefix.len() + quoted.len() > CARD_LENGTH {
                    return format_long_string(&prefix, s, &card.comment);
                }
                return vec![finish(format!("{prefix}{quoted:<20}"), &card.comment)];
            }
            let text = match value {
                Value::Float(f) if !f.is_finite() => String::new(),
                Value::Complex(re, im) if !re.is_finite() || !im.is_finite() => String::new(),
                v => v.to_fits_text(),
            };
            let field = if card.kind == CardKind::Hierarch {
                text
            } else {
                format!("{text:>20}")
            };
            vec![finish(format!("{prefix}{field}"), &card.comment)]
        }
    }
}

fn finish(mut image: String, comment: &str) -> String {
    if !comment.is_empty() {
        image.push_str(" / ");
        image.push_str(comment);
    }
    image.truncate(CARD_LENGTH);
    pad(&image)
}

/// The CONTINUE long-string convention: parts of at most 67 characters, each ending in `&`
/// except the last.
fn format_long_string(prefix: &str, value: &str, comment: &str) -> Vec<String> {
    let escaped = value.replace('\'', "''");
    let chars: Vec<char> = escaped.chars().collect();
    let first_room = CARD_LENGTH.saturating_sub(prefix.len() + 3).max(1);
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    let mut room = first_room;
    while i < chars.len() {
        let mut end = (i + room).min(chars.len());
        // Never split an escaped quote pair across cards.
        if end < chars.len() && chars[end - 1] == '\'' && end - i > 1 {
            let run = chars[i..end]
                .iter()
                .rev()
                .take_while(|&&c| c == '\'')
                .count();
            if run % 2 == 1 {
                end -= 1;
            }
        }
        parts.push(chars[i..end].iter().collect());
        i = end;
        room = 67;
    }
    if parts.is_empty() {
        parts.push(String::new());
    }
    let n = parts.len();
    let mut images = Vec::with_capacity(n + 1);
    for (k, part) in parts.iter().enumerate() {
        let amp = if k + 1 < n { "&" } else { "" };
        let head = if k == 0 {
            prefix.to_string()
        } else {
            "CONTINUE  ".to_string()
        };
        let body = format!("{head}'{part}{amp}'");
        if k + 1 == n {
            images.push(finish(body, comment));
        } else {
            images.push(pad(&body));
        }
    }
    images
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(image: &str) -> Value {
        Card::parse(image).unwrap().value.unwrap()
    }

    #[test]
    fn standard_values() {
        assert_eq!(
            value("NAXIS   =                    2 / n"),
            Value::Integer(2)
        );
        assert_eq!(
            value("SIMPLE  =                    T"),
            Value::Logical(true)
        );
        assert_eq!(value("X       = F / no"), Value::Logical(false));
        assert_eq!(
            value("OBJECT  = 'M31     '           / target"),
            Value::String("M31".into())
        );
        assert_eq!(
            value("O       = 'O''Brien'"),
            Value::String("O'Brien".into())
        );
        assert_eq!(value("E       = ''"), Value::String(String::new()));
        assert_eq!(value("E       = '' / empty"), Value::String(String::new()));
        assert_eq!(value("L       = '  lead'"), Value::String("  lead".into()));
        assert_eq!(value("U       =   / undefined"), Value::Undefined);
        assert_eq!(value("U       ="), Value::Undefined);
        assert_eq!(value("F       = 1.5E3"), Value::Float(1500.0));
        assert_eq!(value("F       = 1.5d-3"), Value::Float(0.0015));
        assert_eq!(value("F       = 1.5 D 2"), Value::Float(150.0));
        assert_eq!(value("F       = - 2.5"), Value::Float(-2.5));
        assert_eq!(value("F       = .5"), Value::Float(0.5));
        assert_eq!(value("F       = 5."), Value::Float(5.0));
        assert_eq!(value("F       = 1E5"), Value::Float(100000.0));
        assert_eq!(value("I       = 007"), Value::Integer(7));
        assert_eq!(value("I       = +12/c"), Value::Integer(12));
        assert_eq!(value("C       = (1.5, -2)"), Value::Complex(1.5, -2.0));
        assert_eq!(
            value("B       = 123456789012345678901234567890"),
            Value::BigInteger("123456789012345678901234567890".into())
        );
        assert_eq!(
            value("B       = -000123456789012345678901234567890"),
            Value::BigInteger("-123456789012345678901234567890".into())
        );
    }

    #[test]
    fn strings_with_slashes_and_quotes() {
        let c = Card::parse("PATH    = 'a/b/c'            / where / it is").unwrap();
        assert_eq!(c.value, Some(Value::String("a/b/c".into())));
        assert_eq!(c.comment, "where / it is");
        // The first quote followed by the end of the field closes the string.
        let c = Card::parse("S       = 'abc' def'").unwrap();
        assert_eq!(c.value, Some(Value::String("abc' def".into())));
    }

    #[test]
    fn comments() {
        let c = Card::parse("EXPTIME =                 30.0 /   exposure [s]   ").unwrap();
        assert_eq!(c.comment, "exposure [s]");
        assert_eq!(c.keyword, "EXPTIME");
    }

    #[test]
    fn commentary_cards() {
        let c = Card::parse("COMMENT   hello world").unwrap();
        assert!(c.is_commentary());
        assert_eq!(c.value, None);
        assert_eq!(c.comment, "  hello world");
        let c = Card::parse("HISTORY = input image 1756572p.fits").unwrap();
        assert_eq!(c.keyword, "HISTORY");
        assert_eq!(c.comment, "= input image 1756572p.fits");
        let c = Card::parse("        blank keyword").unwrap();
        assert_eq!(c.keyword, "");
    }

    #[test]
    fn hierarch() {
        let c = Card::parse("HIERARCH ESO DET CHIP1 ID = 'ccd1' / chip").unwrap();
        assert_eq!(c.kind, CardKind::Hierarch);
        assert_eq!(c.keyword, "ESO DET CHIP1 ID");
        assert_eq!(c.value, Some(Value::String("ccd1".into())));
        assert_eq!(c.normalized_keyword(), "ESO DET CHIP1 ID");
        let c = Card::parse("HIERARCH FIBER1 = 'Dark    '           / Spectral").unwrap();
        assert_eq!(c.keyword, "FIBER1");
    }

    #[test]
    fn non_standard_value_indicator_is_kept_like_astropy() {
        let c = Card::parse("DETECTOR='Manta_G-125B'        / Detector identification").unwrap();
        assert_eq!(c.kind, CardKind::NonStandard);
        assert_eq!(c.keyword, "DETECTOR");
        assert_eq!(
            c.value,
            Some(Value::String(
                "='Manta_G-125B'        / Detector identification".into()
            ))
        );
    }

    #[test]
    fn early_value_indicator_and_lower_case() {
        let c = Card::parse("abc= 5").unwrap();
        assert_eq!(c.keyword, "ABC");
        assert_eq!(c.value, Some(Value::Integer(5)));
    }

    #[test]
    fn unparsable_values() {
        for bad in [
            "X       = 123 abc",
            "X       = abc",
            "X       = 'unterminated",
            "X       = TRUE",
            "X       = 1.2.3",
            "X       = (1, 2",
        ] {
            let err = Card::parse(bad).unwrap_err();
            assert!(
                matches!(err, CardError::Unparsable { .. }),
                "{bad}: {err:?}"
            );
        }
        let fixed = Card::parse_fixing("X       = 123 abc / c").unwrap();
        assert_eq!(fixed.value, Some(Value::String("123 abc".into())));
        assert_eq!(fixed.comment, "c");
    }

    #[test]
    fn not_printable() {
        assert!(matches!(
            Card::parse("X       = 'caf\u{e9}'"),
            Err(CardError::NotPrintable { column: 15, .. })
        ));
        assert!(matches!(
            Card::parse("X       =\t1"),
            Err(CardError::NotPrintable { column: 10, .. })
        ));
        let c = Card::parse_fixing("X       = 'caf\u{e9}'").unwrap();
        assert_eq!(c.value, Some(Value::String("caf?".into())));
    }

    #[test]
    fn too_long() {
        let long = format!("X       = 1 / {}", "c".repeat(80));
        assert!(matches!(Card::parse(&long), Err(CardError::TooLong { .. })));
        // Trailing blanks do not count.
        let padded = format!("X       = 1{}", " ".repeat(100));
        assert_eq!(Card::parse(&padded).unwrap().value, Some(Value::Integer(1)));
    }

    #[test]
    fn float_formatting_follows_astropy() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(1e-5), "1E-05");
        assert_eq!(format_float(1.5e-7), "1.5E-07");
        assert_eq!(format_float(1e16), "1E+16");
        assert_eq!(format_float(123456.789), "123456.789");
        assert_eq!(format_float(-0.1), "-0.1");
        assert_eq!(format_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(
            format_float(-1.2345678901234567e-100),
            "-1.234567890123E-100"
        );
        assert_eq!(python_float_repr(1e15), "1000000000000000.0");
        assert_eq!(python_float_repr(0.0001), "0.0001");
        assert_eq!(python_float_repr(2.89e-7), "2.89e-07");
    }

    #[test]
    fn formatting_and_round_trip() {
        let cases = [
            Card::new("NAXIS", 2, "number of axes"),
            Card::new("CDELT1", -0.000277777777778, ""),
            Card::new("OBJECT", "M31", "target"),
            Card::new("EMPTY", "", ""),
            Card::new("QUOTE", "it's", ""),
            Card::new("FLAG", true, ""),
            Card::new("UNDEF", Value::Undefined, "nothing"),
            Card::new("CPLX", Value::Complex(1.0, -2.5), ""),
            Card::new(
                "BIG",
                Value::BigInteger("123456789012345678901234567890".into()),
                "",
            ),
            Card::new("ESO DET ID", "x", "hierarch"),
            Card::commentary("HISTORY", "did something"),
        ];
        for card in cases {
            let images = card.images();
            assert_eq!(images.len(), 1, "{card:?}");
            assert_eq!(images[0].len(), 80);
            let back = Card::parse(&images[0]).unwrap();
            assert_eq!(back, card, "{}", images[0]);
        }
        let c = Card::new("NAXIS", 2, "n");
        assert_eq!(
            c.images()[0].trim_end(),
            "NAXIS   =                    2 / n"
        );
        let c = Card::new("OBJECT", "M31", "");
        assert_eq!(c.images()[0].trim_end(), "OBJECT  = 'M31     '");
    }

    #[test]
    fn original_image_is_kept_until_changed() {
        let image = "CRVAL1  =  1.0000000000000D+02 / odd but valid";
        let mut c = Card::parse(image).unwrap();
        assert_eq!(c.images()[0].trim_end(), image);
        c.value = Some(Value::Float(5.0));
        assert_eq!(
            c.images()[0].trim_end(),
            "CRVAL1  =                  5.0 / odd but valid"
        );
    }

    #[test]
    fn long_strings_use_continue() {
        let long = "x".repeat(150);
        let c = Card::new("LONG", long.as_str(), "c");
        let images = c.images();
        assert!(images.len() >= 3);
        assert!(images[1].starts_with("CONTINUE  '"));
        let mut back = Card::parse(&images[0]).unwrap();
        back.start_continue().unwrap();
        for im in &images[1..] {
            back.append_continue(im).unwrap();
        }
        assert_eq!(back.value, Some(Value::String(long)));
        assert_eq!(back.comment, "c");
    }

    /// The fast reader against the general rules: every card it reads must come out the same
    /// (keyword, value, comment, kind). Returns whether the fast reader took the card.
    fn plain_agrees(image: &str) -> bool {
        let trimmed = trim_trailing_blanks(image);
        let buf: Arc<str> = Arc::from(trimmed);
        let Some(fast) = plain_card(&buf, 0, trimmed) else {
            return false;
        };
        let general = parse_trimmed(trimmed, Unparsable::Error)
            .unwrap_or_else(|e| panic!("{image:?}: fast path read what the rules reject: {e}"));
        assert_eq!(fast, general, "{image:?}");
        assert_eq!(fast.kind, general.kind, "{image:?}");
        true
    }

    #[test]
    fn plain_reader_agrees_with_the_general_rules() {
        // cards the fast reader must take
        for image in [
            "SIMPLE  =                    T / conforms",
            "EXTEND  =                    F",
            "NAXIS1  =                 2048 / length",
            "BITPIX  =                  -32",
            "I       = +12/c",
            "I       = 007",
            "I       = -0",
            "I       = -9223372036854775808",
            "I       =  9223372036854775807 / max",
            "CRVAL1  =   1.234567890123E+02 / deg",
            "F       = .5",
            "F       = 5.",
            "F       = -1.5E-300",
            "F       = 1E999",
            "OBJECT  = 'M31     '           / target",
            "OBJECT  = 'M31     '           /target",
            "OBJECT  = 'M31'/c",
            "O       = 'O''Brien'",
            "O       = 'it''s'' '   / two",
            "P       = 'a/b/c'              / where / it is",
            "S       = 'abc' def'",
            "S       = 'a'' / x'",
            "E       = ''",
            "E       = '' / empty",
            "E       = ''''",
            "E       = '  '",
            "L       = '  lead'",
            "U       =   / undefined",
            "U       =                      /",
            "DATE-OBS= '2016-05-08T09:50:02.5' / UTC",
            "A_B-C   = 1",
            // no blank after the word: not HIERARCH for astropy either
            "HIERARCH= 5",
            "X       = 1 /   exposure [s]   ",
            "X       = 1                                                                     ",
            "COMMENT   hello world  ",
            "COMMENT = text",
            "HISTORY  '",
            "COMMENTS= 1",
            "COMMENT / x = 'y'",
        ] {
            assert!(plain_agrees(image), "{image:?} not read by the fast path");
        }
        // cards the fast reader must leave to the general rules
        for image in [
            "U       =",
            "HIERARCH ESO DET CHIP1 ID = 'ccd1' / chip",
            "COMMENT",
            "HISTORY ",
            "comment = text",
            "HISTORY=  input image",
            "CONTINUE= 'x'",
            "END     = 1",
            "        = 1",
            "abc     = 5",
            "abc= 5",
            "AB CD   = 1",
            "DETECTOR='Manta_G-125B'        / Detector identification",
            "C       = (1.5, -2)",
            "F       = 1.5d-3",
            "F       = 1.5D+02 / D",
            "F       = 1.5e3",
            "F       = 1.5 E3",
            "F       = - 2.5",
            "B       = 123456789012345678901234567890",
            "B       =  9223372036854775808",
            "X       = 123 abc",
            "X       = abc",
            "X       = TRUE",
            "X       = T F",
            "X       = 'unterminated",
            "X       = '",
            "X       = 1.2.3",
            "X       = .",
            "X       = 1E",
        ] {
            assert!(!plain_agrees(image), "{image:?} taken by the fast path");
        }
        // a grid: value forms × blanks × comments, each compared when taken
        // one per `|`, the first one empty
        let values = "|T|F|0|-1|+1|1.|.1|1.0E-5|1.0E+05|1E5|1e5|1D5|'x'|''|''''|'a''b'|'a'' '\
                      |'a' b'|'a '' b'|' / '|'/'|'x'/'|(1,2)|x|1x|T1|'|-|+|12345678901234567890\
                      |1.E5|+.5E-3|-.|1E+|1.5E3x|00|-0.0|E5|.E5|1.5E3.|1E5E5|--1";
        let blanks = ["", " ", "   "];
        let comments = ["", "/", "/c", "/ c", "/  c d ", " x", "/'"];
        let mut taken = 0;
        for v in values.split('|') {
            for pre in blanks {
                for sep in blanks {
                    for c in comments {
                        if plain_agrees(&format!("KEY     = {pre}{v}{sep}{c}")) {
                            taken += 1;
                        }
                    }
                }
            }
        }
        assert!(taken > 300, "only {taken} grid cards took the fast path");
    }

    #[test]
    fn trailing_blanks_are_trimmed_like_trim_end_matches() {
        for text in ["", "x", "x ", " x", "ab  c"] {
            for blanks in 0..20 {
                let s = format!("{text}{}", " ".repeat(blanks));
                assert_eq!(trim_trailing_blanks(&s), s.trim_end_matches(' '), "{s:?}");
            }
        }
    }

    #[test]
    fn truthiness() {
        assert!(!Value::String(String::new()).is_truthy());
        assert!(!Value::Integer(0).is_truthy());
        assert!(!Value::Float(0.0).is_truthy());
        assert!(!Value::Undefined.is_truthy());
        assert!(Value::String("0".into()).is_truthy());
    }
}
