//! Replays the committed corpus of the `echo_request` fuzz target
//! (`fuzz/corpus/echo_request/`: what `cargo xtask fuzz` found, minimised, and
//! every crash it ever hit, kept as a regression input) through the same
//! check the fuzz target runs (`fuzz/checks/echo_request.rs`), on stable, in plain
//! `cargo test`.

#[path = "../../../fuzz/checks/echo_request.rs"]
mod check;

use std::path::PathBuf;

/// The corpus directory.
fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/echo_request")
}

/// Every corpus file's bytes, sorted by name.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let dir = corpus();
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_corpus_input_passes_the_fuzz_check() {
    let inputs = inputs();
    // A corpus that went missing would pass vacuously.
    assert!(
        inputs.len() >= 5,
        "{} holds {} inputs, expected the committed corpus",
        corpus().display(),
        inputs.len()
    );
    for (name, bytes) in &inputs {
        let outcome = std::panic::catch_unwind(|| check::check(bytes));
        assert!(outcome.is_ok(), "corpus input {name} fails the fuzz check");
    }
}
