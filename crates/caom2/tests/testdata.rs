//! The records in `testdata/records/` are what `caom2::sample::records()` produces: regenerate
//! them with `cargo run -p caom2 --example make_samples` after changing the generator.

#[test]
fn committed_sample_records_match_the_generator() {
    let dir = testkit::workspace_root().join("testdata/records");
    for (name, obs) in caom2::sample::records() {
        let path = dir.join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `cargo run -p caom2 --example make_samples`",
                path.display()
            )
        });
        assert!(
            committed == caom2::xml::write(&obs),
            "{} is stale; run `cargo run -p caom2 --example make_samples`",
            path.display()
        );
        let back = caom2::xml::read(committed.as_bytes()).unwrap();
        assert!(
            caom2::checksum::verify(&back).mismatches.is_empty(),
            "{name}"
        );
    }
}
