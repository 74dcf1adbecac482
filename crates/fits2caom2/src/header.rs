//! An ordered FITS header with keyword lookup, the way one HDU's header is used by the
//! mapping engine and handed to wcslib.

use std::borrow::Cow;
use std::collections::HashMap;

use std::sync::Arc;

use crate::card::{
    normalize_keyword, push_fixed, trim_trailing_blanks, Card, CardError, CardKind, Unparsable,
    Value, CARD_LENGTH,
};

/// The cards of one HDU, in FITS order.
///
/// Lookups are case-insensitive and ignore a `HIERARCH ` prefix. When a keyword appears more
/// than once, [`Header::get`] returns the first occurrence, as astropy does. `COMMENT` and
/// `HISTORY` cards keep their positions. The `END` card is not stored.
#[derive(Clone, Debug, Default)]
pub struct Header {
    cards: Vec<Card>,
    /// Normalised keyword → positions in `cards`, ascending. Kept in step with every change
    /// so that lookups stay O(1) on 40-HDU headers with thousands of cards.
    index: HashMap<IndexKey, Positions, KeywordHash>,
}

/// Room for the cards a mapping adds to a header read from a file (missing WCS keywords,
/// defaults), so that adding them does not move the cards or rehash the index.
const HEADROOM: usize = 48;

/// A normalised keyword in the index: held inline up to 22 bytes (every standard keyword and
/// most HIERARCH ones), so that indexing a header allocates nothing per card.
#[derive(Clone)]
enum IndexKey {
    Inline { len: u8, bytes: [u8; 22] },
    Heap(Box<str>),
}

impl IndexKey {
    fn new(key: &str) -> IndexKey {
        if key.len() <= 22 {
            let mut bytes = [0u8; 22];
            bytes[..key.len()].copy_from_slice(key.as_bytes());
            IndexKey::Inline {
                len: key.len() as u8,
                bytes,
            }
        } else {
            IndexKey::Heap(key.into())
        }
    }

    fn of(card: &Card) -> IndexKey {
        IndexKey::new(&lookup_key(&card.keyword))
    }

    /// The keyword's bytes. Hashing, comparing and lookups work on them rather than on a
    /// `str`, which would check UTF-8 again for every probe.
    fn as_bytes(&self) -> &[u8] {
        match self {
            IndexKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IndexKey::Heap(s) => s.as_bytes(),
        }
    }
}

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
    }
}

// hashed and compared as the bytes it holds, so that lookups by `&[u8]` work
impl std::hash::Hash for IndexKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq for IndexKey {
    fn eq(&self, other: &IndexKey) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IndexKey {}

impl std::borrow::Borrow<[u8]> for IndexKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Header keywords are short, trusted strings: a multiply-rotate hash (as rustc's FxHash)
/// is several times faster than the default SipHash for them.
type KeywordHash = std::hash::BuildHasherDefault<KeywordHasher>;

#[derive(Default)]
struct KeywordHasher(u64);

impl std::hash::Hasher for KeywordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        // the last bytes as one word: keywords are rarely a multiple of eight long
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The keyword as the index holds it, without allocating when it already is in that form
/// (upper case, trimmed, no `HIERARCH ` prefix: nearly always).
fn lookup_key(keyword: &str) -> Cow<'_, str> {
    let plain = !keyword.starts_with(' ')
        && !keyword.ends_with(' ')
        && !keyword.bytes().any(|b| b.is_ascii_lowercase())
        && !keyword
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("HIERARCH "));
    if plain {
        Cow::Borrowed(keyword)
    } else {
        Cow::Owned(normalize_keyword(keyword))
    }
}

/// Positions of one keyword, ascending. Nearly every keyword occurs once, so the first
/// position is kept inline and the list only allocates for repeated keywords.
#[derive(Clone, Debug)]
struct Positions {
    first: usize,
    rest: Vec<usize>,
}

impl Positions {
    fn new(i: usize) -> Positions {
        Positions {
            first: i,
            rest: Vec::new(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.first).chain(self.rest.iter().copied())
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut usize> {
        std::iter::once(&mut self.first).chain(self.rest.iter_mut())
    }

    /// Adds `i`, keeping the order.
    fn add(&mut self, i: usize) {
        if i < self.first {
            let old = std::mem::replace(&mut self.first, i);
            self.rest.insert(0, old);
        } else {
            let at = self.rest.partition_point(|&p| p < i);
            self.rest.insert(at, i);
        }
    }

    /// Removes `i`; true when nothing is left.
    fn remove(&mut self, i: usize) -> bool {
        if self.first == i {
            if self.rest.is_empty() {
                return true;
            }
            self.first = self.rest.remove(0);
        } else {
            self.rest.retain(|&p| p != i);
        }
        false
    }
}

impl PartialEq for Header {
    fn eq(&self, other: &Self) -> bool {
        self.cards == other.cards
    }
}

/// Where a header card came from, for error messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CardSource<'a> {
    /// 1-based line or card number.
    pub position: usize,
    pub image: &'a str,
}

/// A card that could not be read while building a header.
#[derive(Clone, Debug)]
pub(crate) struct BadCard {
    pub position: usize,
    pub keyword: String,
    pub error: CardError,
}

impl Header {
    /// An empty header.
    pub fn new() -> Header {
        Header::default()
    }

    /// A header holding `cards` in the given order.
    pub fn from_cards(cards: Vec<Card>) -> Header {
        let mut h = Header {
            cards,
            index: HashMap::default(),
        };
        h.reindex();
        h
    }

    /// Parses card images in order, joining `CONTINUE` cards onto the string card before
    /// them. With [`Unparsable::Error`] the first bad card is returned as an error.
    pub(crate) fn parse_images<'a>(
        images: impl IntoIterator<Item = CardSource<'a>>,
        unparsable: Unparsable,
    ) -> Result<Header, BadCard> {
        let sources: Vec<CardSource<'a>> = images.into_iter().collect();
        // The images, without trailing blanks (and with `?` for what is not printable ASCII
        // when fixing, as `Card::parse_fixing` reads them), copied into one buffer that the
        // cards keep their images in: one allocation per header instead of one per card.
        let mut text = String::with_capacity(sources.iter().map(|s| s.image.len()).sum());
        let mut ranges = Vec::with_capacity(sources.len());
        for src in &sources {
            let start = text.len();
            match unparsable {
                Unparsable::Error => text.push_str(trim_trailing_blanks(src.image)),
                Unparsable::Fix => {
                    push_fixed(&mut text, src.image);
                    text.truncate(start + trim_trailing_blanks(&text[start..]).len());
                }
            }
            ranges.push(start..text.len());
        }
        let text: Arc<str> = Arc::from(text);
        let mut cards: Vec<Card> = Vec::with_capacity(sources.len() + HEADROOM);
        // Whether the last card may take CONTINUE parts (a string-valued card).
        let mut continuing = false;
        for (src, range) in sources.iter().zip(ranges) {
            // astropy's test: the first eight characters are exactly "CONTINUE".
            let is_continue = src.image.get(..8) == Some("CONTINUE");
            if is_continue {
                if let Some(last) = cards.last_mut() {
                    let takes = matches!(last.value, Some(Value::String(_)))
                        && matches!(last.kind, CardKind::Standard | CardKind::Hierarch);
                    if takes {
                        let res = if continuing {
                            Ok(())
                        } else {
                            last.start_continue()
                        }
                        .and_then(|()| last.append_continue(src.image));
                        match res {
                            Ok(()) => {
                                continuing = true;
                                continue;
                            }
                            Err(error) if unparsable == Unparsable::Error => {
                                return Err(BadCard {
                                    position: src.position,
                                    keyword: "CONTINUE".into(),
                                    error,
                                })
                            }
                            // Fix mode: keep the card as commentary, as nothing better is known.
                            Err(_) => {}
                        }
                    } else if unparsable == Unparsable::Error
                        && !last.is_commentary()
                        && last.kind != CardKind::NonStandard
                    {
                        return Err(BadCard {
                            position: src.position,
                            keyword: last.keyword.to_string(),
                            error: CardError::ContinueWithoutString,
                        });
                    }
                }
            }
            continuing = false;
            // what `Card::parse` (or `Card::parse_fixing`) gives for `src.image`
            let parsed = Card::parse_shared(&text, range, unparsable);
            match parsed {
                Ok(card) => cards.push(card),
                Err(error) => {
                    return Err(BadCard {
                        position: src.position,
                        keyword: guess_keyword(src.image),
                        error,
                    })
                }
            }
        }
        Ok(Header::from_cards(cards))
    }

    fn reindex(&mut self) {
        self.index.clear();
        self.index.reserve(self.cards.len() + HEADROOM);
        for (i, c) in self.cards.iter().enumerate() {
            match self.index.entry(IndexKey::of(c)) {
                std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().add(i),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Positions::new(i));
                }
            }
        }
    }

    /// Number of cards (without END).
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// True when there are no cards.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    /// All cards in order.
    pub fn cards(&self) -> &[Card] {
        &self.cards
    }

    /// All cards in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Card> {
        self.cards.iter()
    }

    /// True when the keyword is present (with or without a value).
    pub fn contains(&self, keyword: &str) -> bool {
        self.index.contains_key(lookup_key(keyword).as_bytes())
    }

    /// Position of the first card with this keyword.
    pub fn position(&self, keyword: &str) -> Option<usize> {
        self.index
            .get(lookup_key(keyword).as_bytes())
            .map(|v| v.first)
    }

    /// The first card with this keyword.
    pub fn card(&self, keyword: &str) -> Option<&Card> {
        self.position(keyword).map(|i| &self.cards[i])
    }

    /// The value of the first card with this keyword. `None` if the keyword is absent or is
    /// a commentary keyword.
    pub fn get(&self, keyword: &str) -> Option<&Value> {
        self.card(keyword).and_then(|c| c.value.as_ref())
    }

    /// The value as a string slice, if it is a string.
    pub fn get_str(&self, keyword: &str) -> Option<&str> {
        self.get(keyword).and_then(Value::as_str)
    }

    /// The string value without surrounding blanks, if it is a string and not blank.
    pub fn get_text(&self, keyword: &str) -> Option<&str> {
        self.get_str(keyword)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The value as `f64`, if it is a number.
    pub fn get_f64(&self, keyword: &str) -> Option<f64> {
        self.get(keyword).and_then(Value::as_f64)
    }

    /// The value as `i64`, if it is an integer.
    pub fn get_i64(&self, keyword: &str) -> Option<i64> {
        self.get(keyword).and_then(Value::as_i64)
    }

    /// Every card with this keyword, in order.
    pub fn get_all<'a>(&'a self, keyword: &str) -> impl Iterator<Item = &'a Card> + 'a {
        let positions: Vec<usize> = self
            .index
            .get(lookup_key(keyword).as_bytes())
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        positions.into_iter().map(move |i| &self.cards[i])
    }

    /// The texts of the `COMMENT` cards, in order.
    pub fn comments(&self) -> impl Iterator<Item = &str> {
        self.get_all("COMMENT").map(|c| c.comment.as_str())
    }

    /// The texts of the `HISTORY` cards, in order.
    pub fn history(&self) -> impl Iterator<Item = &str> {
        self.get_all("HISTORY").map(|c| c.comment.as_str())
    }

    /// Sets the value of the first card with this keyword, keeping its comment and position.
    /// A new keyword is appended after the last non-commentary card, so trailing
    /// `COMMENT`/`HISTORY` blocks stay at the end (astropy's `Header.set`).
    /// Setting `COMMENT` or `HISTORY` appends a new commentary card with the value's text.
    pub fn set(&mut self, keyword: &str, value: impl Into<Value>) {
        let value = value.into();
        let upper = lookup_key(keyword);
        if upper == "COMMENT" || upper == "HISTORY" {
            self.append(Card::commentary(&upper, &value.to_string()));
            return;
        }
        match self.position(keyword) {
            Some(i) if !self.cards[i].is_commentary() => {
                let card = &mut self.cards[i];
                if card.kind == CardKind::NonStandard {
                    // Writing a proper value turns the junk card into a standard one.
                    card.kind = if card.keyword.len() > 8 {
                        CardKind::Hierarch
                    } else {
                        CardKind::Standard
                    };
                    card.keyword = card.keyword.to_ascii_uppercase().into();
                }
                card.value = Some(value);
            }
            _ => self.append(Card::new(keyword, value, "")),
        }
    }

    /// Like [`Header::set`], also replacing the comment.
    pub fn set_with_comment(&mut self, keyword: &str, value: impl Into<Value>, comment: &str) {
        self.set(keyword, value);
        if let Some(i) = self.position(keyword) {
            self.cards[i].comment = comment.into();
        }
    }

    /// Appends a card after the last non-commentary card (commentary cards go to the very
    /// end).
    pub fn append(&mut self, card: Card) {
        let at = if card.is_commentary() {
            self.cards.len()
        } else {
            self.cards
                .iter()
                .rposition(|c| !c.is_commentary())
                .map_or(0, |i| i + 1)
        };
        self.insert(at, card);
    }

    /// Appends a card at the very end.
    pub fn push(&mut self, card: Card) {
        let i = self.cards.len();
        match self.index.entry(IndexKey::of(&card)) {
            std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().add(i),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Positions::new(i));
            }
        }
        self.cards.push(card);
    }

    /// Inserts a card at `index` (clamped to the end), shifting later cards.
    pub fn insert(&mut self, index: usize, card: Card) {
        let index = index.min(self.cards.len());
        if index == self.cards.len() {
            self.push(card);
            return;
        }
        self.shift_positions(index, true);
        match self.index.entry(IndexKey::of(&card)) {
            std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().add(index),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Positions::new(index));
            }
        }
        self.cards.insert(index, card);
    }

    /// Removes the first card with this keyword and returns it.
    pub fn remove(&mut self, keyword: &str) -> Option<Card> {
        let i = self.position(keyword)?;
        Some(self.remove_at(i))
    }

    /// Removes every card with this keyword; returns how many were removed.
    pub fn remove_all(&mut self, keyword: &str) -> usize {
        let mut n = 0;
        while self.remove(keyword).is_some() {
            n += 1;
        }
        n
    }

    /// Removes the card at `index` and returns it.
    ///
    /// # Panics
    /// If `index` is out of range.
    pub fn remove_at(&mut self, index: usize) -> Card {
        let card = self.cards.remove(index);
        let key = lookup_key(&card.keyword);
        if let Some(list) = self.index.get_mut(key.as_bytes()) {
            if list.remove(index) {
                self.index.remove(key.as_bytes());
            }
        }
        self.shift_positions(index, false);
        card
    }

    /// Moves the indexed positions of the cards from `from` on by one (up after an insert,
    /// down after a removal). When only a few cards follow (a new keyword goes before the
    /// trailing COMMENT/HISTORY block), only their keywords are visited.
    fn shift_positions(&mut self, from: usize, up: bool) {
        let shift = |p: &mut usize| {
            if up && *p >= from {
                *p += 1;
            } else if !up && *p > from {
                *p -= 1;
            }
        };
        // called before the insert and after the removal: the cards that move are these
        let first_moved = from;
        let moved = self.cards.len().saturating_sub(first_moved);
        if moved * 4 < self.index.len() {
            // the distinct keywords of the moved cards (few: typically COMMENT and HISTORY)
            let mut keys: Vec<Cow<str>> = Vec::new();
            for c in &self.cards[first_moved..] {
                let k = lookup_key(&c.keyword);
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            for k in keys {
                if let Some(positions) = self.index.get_mut(k.as_bytes()) {
                    positions.iter_mut().for_each(shift);
                }
            }
        } else {
            for positions in self.index.values_mut() {
                positions.iter_mut().for_each(shift);
            }
        }
    }

    /// The header as concatenated 80-character card images, without `END` and without
    /// padding to a 2880-byte block: the form wcslib's `wcspih` takes (astropy's
    /// `Header.tostring()` minus the END card, as the reference passes it).
    pub fn to_card_string(&self) -> String {
        let mut out = String::with_capacity(self.cards.len() * CARD_LENGTH);
        for c in &self.cards {
            for image in c.images() {
                out.push_str(&image);
            }
        }
        out
    }

    /// The header as it sits in a FITS file: card images, `END`, blanks up to a multiple of
    /// 2880 bytes.
    pub fn to_fits_block(&self) -> Vec<u8> {
        let mut out = self.to_card_string().into_bytes();
        out.extend_from_slice(format!("{:<80}", "END").as_bytes());
        let rem = out.len() % 2880;
        if rem != 0 {
            out.resize(out.len() + 2880 - rem, b' ');
        }
        out
    }

    /// The header as text with one card per line and a final `END` line: the
    /// `*.fits.header` dump form.
    pub fn to_dump_text(&self) -> String {
        let mut out = String::new();
        for c in &self.cards {
            for image in c.images() {
                out.push_str(&image);
                out.push('\n');
            }
        }
        out.push_str(&format!("{:<80}\n", "END"));
        out
    }
}

impl<'a> IntoIterator for &'a Header {
    type Item = &'a Card;
    type IntoIter = std::slice::Iter<'a, Card>;
    fn into_iter(self) -> Self::IntoIter {
        self.cards.iter()
    }
}

/// The keyword of a card image that could not be parsed, for error messages.
fn guess_keyword(image: &str) -> String {
    let head: String = image.chars().take(8).collect();
    if head.eq_ignore_ascii_case("HIERARCH") {
        if let Some((k, _)) = image.split_once('=') {
            return k.chars().skip(9).collect::<String>().trim().to_string();
        }
    }
    match image.find('=') {
        Some(i) if i <= 8 => image[..i].trim().to_ascii_uppercase(),
        _ => head.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(lines: &[&str]) -> Header {
        Header::parse_images(
            lines.iter().enumerate().map(|(i, l)| CardSource {
                position: i + 1,
                image: l,
            }),
            Unparsable::Error,
        )
        .unwrap()
    }

    #[test]
    fn cards_keep_their_images_from_the_shared_buffer() {
        let lines = [
            "SIMPLE  =                    T / std   ",
            "OBJECT  = 'caf\u{e9}'   / fixed   ",
            "X       = 123 abc",
            "COMMENT   two  ",
        ];
        let parse = |unparsable| {
            Header::parse_images(
                lines.iter().enumerate().map(|(i, l)| CardSource {
                    position: i + 1,
                    image: l,
                }),
                unparsable,
            )
        };
        let h = parse(Unparsable::Fix).unwrap();
        let images: Vec<_> = h.iter().map(|c| c.read_image().unwrap()).collect();
        assert_eq!(
            images,
            [
                "SIMPLE  =                    T / std",
                "OBJECT  = 'caf?'   / fixed",
                "X       = 123 abc",
                "COMMENT   two",
            ]
        );
        for (card, line) in h.iter().zip(lines) {
            let alone = Card::parse_fixing(line).unwrap();
            assert_eq!(card, &alone);
            assert_eq!(card.read_image(), alone.read_image());
            assert_eq!(card.images(), alone.images());
        }
        let err = parse(Unparsable::Error).unwrap_err();
        assert_eq!(err.position, 2);
        assert!(matches!(
            err.error,
            CardError::NotPrintable { column: 15, .. }
        ));
    }

    #[test]
    fn text_values_are_trimmed_and_not_blank() {
        let h = header(&[
            "NAXIS   =                    0",
            "FILTER  = '  r   '",
            "BLANKS  = '    '",
        ]);
        assert_eq!(h.get_text("FILTER"), Some("r"));
        assert_eq!(h.get_text("BLANKS"), None);
        assert_eq!(h.get_text("NAXIS"), None);
    }

    #[test]
    fn lookup_set_insert_remove() {
        let mut h = header(&[
            "SIMPLE  =                    T",
            "NAXIS   =                    0",
            "OBJECT  = 'M31'",
            "COMMENT first",
            "OBJECT  = 'second'",
            "HISTORY done",
        ]);
        assert_eq!(h.get_str("object"), Some("M31"));
        assert_eq!(h.get_all("OBJECT").count(), 2);
        assert_eq!(h.comments().collect::<Vec<_>>(), vec!["first"]);
        h.set("NAXIS", 2);
        assert_eq!(h.get_i64("NAXIS"), Some(2));
        h.set("HISTORY", "again");
        assert_eq!(h.history().collect::<Vec<_>>(), vec!["done", "again"]);
        h.remove_at(h.len() - 1);
        assert_eq!(h.position("NAXIS"), Some(1));
        h.set("EXPTIME", 30.0);
        // New keywords go after the last non-commentary card, before HISTORY.
        assert_eq!(h.position("EXPTIME"), Some(5));
        assert_eq!(h.cards().last().unwrap().keyword, "HISTORY");
        h.insert(1, Card::new("BITPIX", 16, ""));
        assert_eq!(h.position("NAXIS"), Some(2));
        assert_eq!(h.position("EXPTIME"), Some(6));
        assert_eq!(
            h.remove("OBJECT").unwrap().value,
            Some(Value::String("M31".into()))
        );
        assert_eq!(h.get_str("OBJECT"), Some("second"));
        assert_eq!(h.position("EXPTIME"), Some(5));
        assert_eq!(h.remove_all("OBJECT"), 1);
        assert!(!h.contains("OBJECT"));
        for (i, c) in h.cards().iter().enumerate() {
            assert!(h
                .get_all(&c.keyword)
                .any(|x| std::ptr::eq(x, &h.cards()[i])));
        }
    }

    #[test]
    fn continue_cards_are_joined() {
        let h = header(&[
            "LONG    = 'first part &'  / c1",
            "CONTINUE  'second part&' / c2",
            "CONTINUE  'end'",
            "NEXT    = 1",
        ]);
        assert_eq!(h.len(), 2);
        assert_eq!(h.get_str("LONG"), Some("first part second partend"));
        assert_eq!(h.card("LONG").unwrap().comment, "c1 c2");
        let text = h.to_card_string();
        assert_eq!(text.len(), 4 * 80);
    }

    #[test]
    fn continue_after_number_is_an_error() {
        let err = Header::parse_images(
            ["N       = 1", "CONTINUE  'x'"]
                .iter()
                .enumerate()
                .map(|(i, l)| CardSource {
                    position: i + 1,
                    image: l,
                }),
            Unparsable::Error,
        )
        .unwrap_err();
        assert_eq!(err.position, 2);
        assert_eq!(err.error, CardError::ContinueWithoutString);
    }

    #[test]
    fn hierarch_lookup() {
        let h = header(&["HIERARCH ESO TEL ALT = 45.0"]);
        assert_eq!(h.get_f64("ESO TEL ALT"), Some(45.0));
        assert_eq!(h.get_f64("hierarch eso tel alt"), Some(45.0));
    }

    #[test]
    fn rendering() {
        let mut h = header(&["SIMPLE  =                    T", "NAXIS   = 0"]);
        h.set("CRVAL1", 10.5);
        let s = h.to_card_string();
        assert_eq!(s.len(), 240);
        assert!(s.starts_with("SIMPLE  =                    T"));
        // Unchanged cards are written as read (short lines padded).
        assert_eq!(&s[80..160], &format!("{:<80}", "NAXIS   = 0"));
        assert_eq!(h.to_fits_block().len(), 2880);
        let back = header(
            &h.to_dump_text()
                .lines()
                .filter(|l| l.trim() != "END")
                .collect::<Vec<_>>(),
        );
        assert_eq!(back, h);
    }
}
