//! Feeds arbitrary bytes to the CAOM XML reader. It must return a document or an error,
//! never panic; a document it accepts must survive a write → read round trip unchanged and
//! its checksums must be computable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(obs) = caom2::xml::read(data) {
        let text = caom2::xml::write(&obs);
        let back = caom2::xml::read(text.as_bytes()).expect("our own output must be readable");
        let d = caom2::diff::differences(&obs, &back, &caom2::diff::Options::exact());
        assert!(d.is_empty(), "round trip changed the record: {d:?}");
        let _ = caom2::checksum::verify(&back);
    }
});
