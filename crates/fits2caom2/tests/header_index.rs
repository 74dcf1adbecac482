//! The header's keyword index stays right through inserts before trailing commentary and
//! removals (the mapping engine writes many keywords into every HDU).

use fits2caom2::{Card, Header, Value};

fn keywords(h: &Header) -> Vec<String> {
    h.cards().iter().map(|c| c.keyword.to_string()).collect()
}

#[test]
fn inserts_and_removals_keep_lookups_right() {
    let mut h = Header::new();
    h.push(Card::new("A", Value::Integer(1), ""));
    h.push(Card::new("B", Value::Integer(2), ""));
    for i in 0..3 {
        h.push(Card::commentary("COMMENT", &format!("c{i}")));
    }
    h.push(Card::commentary("HISTORY", "h0"));
    h.push(Card::new("A", Value::Integer(9), "duplicate"));
    h.push(Card::commentary("HISTORY", "h1"));
    // a new keyword goes after the last non-commentary card
    h.set("CTYPE1", "RA---TAN");
    h.set("crval1", 10.5);
    assert_eq!(
        keywords(&h),
        [
            "A", "B", "COMMENT", "COMMENT", "COMMENT", "HISTORY", "A", "CTYPE1", "CRVAL1",
            "HISTORY"
        ]
    );
    assert_eq!(h.position("A"), Some(0));
    assert_eq!(h.get_all("A").count(), 2);
    assert_eq!(h.get("CRVAL1"), Some(&Value::Float(10.5)));
    assert_eq!(h.history().collect::<Vec<_>>(), ["h0", "h1"]);
    assert_eq!(h.comments().count(), 3);
    // a card in the middle goes; everything behind it moves
    h.remove("B");
    assert_eq!(h.position("COMMENT"), Some(1));
    assert_eq!(h.position("CTYPE1"), Some(6));
    assert_eq!(h.get_str("ctype1"), Some("RA---TAN"));
    assert_eq!(h.history().collect::<Vec<_>>(), ["h0", "h1"]);
    // insert at the front
    h.insert(0, Card::new("FIRST", Value::Logical(true), ""));
    assert_eq!(h.position("A"), Some(1));
    assert_eq!(h.position("HISTORY"), Some(5));
    assert_eq!(h.get("first"), Some(&Value::Logical(true)));
    for (i, c) in h.cards().iter().enumerate() {
        assert!(h
            .get_all(&c.keyword)
            .any(|d| std::ptr::eq(d, &h.cards()[i])));
    }
}

#[test]
fn unchanged_cards_keep_their_image_and_changed_ones_do_not() {
    let text =
        "SIMPLE  =                    T\nCRVAL1  = 1.50000000000E+02 / kept as written\nEND\n";
    let headers = fits2caom2::Headers::from_dump_bytes(text.as_bytes(), "x.header").unwrap();
    let mut h = headers.hdus()[0].clone();
    let image = |h: &Header| h.card("CRVAL1").unwrap().images()[0].clone();
    assert!(image(&h).starts_with("CRVAL1  = 1.50000000000E+02 / kept as written"));
    h.set("CRVAL1", 2.0);
    assert!(image(&h).starts_with("CRVAL1  =                  2.0 / kept as written"));
}
