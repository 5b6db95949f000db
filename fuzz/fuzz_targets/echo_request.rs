//! The echo example's request glue, natively, with any body, host and output
//! capacity: the check is `fuzz/checks/echo_request.rs` (shared with the
//! corpus replay in `cargo test`); the corpus is `fuzz/corpus/echo_request/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/echo_request.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
