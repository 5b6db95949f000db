//! Replays the committed corpus of the `key_broker_request` fuzz target
//! (`fuzz/corpus/key_broker_request/`) through the check the fuzz target runs
//! (`fuzz/checks/key_broker_request.rs`), on stable, in plain `cargo test`
//! (`fuzz/replay.rs`).

#[path = "../../../fuzz/checks/key_broker_request.rs"]
mod check;
#[path = "../../../fuzz/replay.rs"]
mod replay;

#[test]
fn every_corpus_input_passes_the_fuzz_check() {
    replay::replay("key_broker_request", check::check);
}
