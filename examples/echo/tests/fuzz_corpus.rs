//! Replays the committed corpus of the `echo_request` fuzz target
//! (`fuzz/corpus/echo_request/`) through the check the fuzz target runs
//! (`fuzz/checks/echo_request.rs`), on stable, in plain `cargo test`
//! (`fuzz/replay.rs`).

#[path = "../../../fuzz/checks/echo_request.rs"]
mod check;
#[path = "../../../fuzz/replay.rs"]
mod replay;

#[test]
fn every_corpus_input_passes_the_fuzz_check() {
    replay::replay("echo_request", check::check);
}
