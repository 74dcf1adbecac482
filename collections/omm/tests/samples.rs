//! The sample files committed under `examples/omm/data/` are what the generator writes.

#[test]
fn committed_samples_match_the_generator() {
    let dir = testkit::workspace_root().join("examples/omm/data");
    let files = omm::samples::files(omm::samples::EXAMPLE_SIZE);
    let differences = execute::synth::sample_differences(&dir, &files);
    assert!(
        differences.is_empty(),
        "{}\nrun `cargo run -p collection-omm --example make_samples`",
        differences.join("\n")
    );
}
