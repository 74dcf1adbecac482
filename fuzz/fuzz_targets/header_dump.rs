//! Feeds arbitrary bytes to the text header-dump parser. It must return headers or an error,
//! never panic. Accepted headers must render to whole 80-character cards, and rendering them
//! as a dump and parsing that again must give the same card images.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dump = match fits2caom2::dump::parse_dump(data, "fuzz.fits.header") {
        Ok(d) => d,
        Err(e) => {
            // Error messages are built from input-derived text: they must not panic either.
            let _ = e.to_string();
            return;
        }
    };
    assert!(!dump.headers.is_empty(), "an accepted dump has at least one HDU");
    for h in &dump.headers {
        let cards = h.to_card_string();
        assert_eq!(cards.len() % 80, 0, "card images must be 80 characters");
        assert_eq!(h.to_fits_block().len() % 2880, 0);
        let text = h.to_dump_text();
        let back = fits2caom2::dump::parse_dump(text.as_bytes(), "round-trip")
            .expect("a rendered header must parse again");
        assert_eq!(back.headers.len(), 1, "one rendered header is one HDU");
        assert_eq!(back.headers[0].to_card_string(), cards, "round trip changed the cards");
        for c in h.cards() {
            let _ = h.get(&c.keyword);
        }
    }
});
