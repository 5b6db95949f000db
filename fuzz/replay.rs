//! The corpus replay both examples' `tests/fuzz_corpus.rs` run (included
//! with `#[path]`): every committed input of a fuzz target's corpus
//! (`fuzz/corpus/<target>/`: what `cargo xtask fuzz` found, minimised, and
//! every crash it ever hit, kept as a regression input) through that
//! target's check (`fuzz/checks/<target>.rs`), on stable, in plain
//! `cargo test`.

use std::path::{Path, PathBuf};

/// The fewest inputs a committed corpus holds: one that went missing would
/// otherwise pass vacuously.
const MIN_INPUTS: usize = 5;

/// `fuzz/corpus/<target>`, from an example crate's directory.
pub fn corpus(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

/// Every file's bytes in `dir`, sorted by name.
fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
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

/// Runs `check` (which panics on a spec violation) on every input of
/// `target`'s corpus; panics naming the first input that fails it.
pub fn replay(target: &str, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let dir = corpus(target);
    let inputs = inputs(&dir);
    assert!(
        inputs.len() >= MIN_INPUTS,
        "{} holds {} inputs, expected the committed corpus",
        dir.display(),
        inputs.len()
    );
    for (name, bytes) in &inputs {
        let outcome = std::panic::catch_unwind(|| check(bytes));
        assert!(outcome.is_ok(), "corpus input {name} fails the fuzz check");
    }
}
