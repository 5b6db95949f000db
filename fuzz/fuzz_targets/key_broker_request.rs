//! Any bytes as an SKB1 request to `Broker::handle`: the check is
//! `fuzz/checks/key_broker_request.rs` (shared with the corpus replay in
//! `cargo test`); the corpus is `fuzz/corpus/key_broker_request/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/key_broker_request.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
