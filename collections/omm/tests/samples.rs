//! The sample files committed under `examples/omm/data/` are what the generator writes.

use std::io::Read;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn committed_samples_match_the_generator() {
    let dir = testkit::workspace_root().join("examples/omm/data");
    let files = omm::samples::files(omm::samples::EXAMPLE_SIZE);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "run `cargo run -p collection-omm --example make_samples`"
    );
    for f in files {
        // compared decompressed: the compressor's bytes may change between flate2 versions
        let committed = gunzip(&std::fs::read(dir.join(&f.name)).unwrap());
        assert!(
            committed == gunzip(&f.bytes),
            "{} is stale; run `cargo run -p collection-omm --example make_samples`",
            f.name
        );
    }
}
