//! The `key_broker_request` fuzz target's check, shared (by `#[path]`) with
//! the corpus replay in `examples/key-broker/tests/fuzz_corpus.rs`, so every
//! committed input in `fuzz/corpus/key_broker_request/` is checked by plain
//! `cargo test` too.
//!
//! Any bytes as an SKB1 request to `Broker::handle` with the test vector's
//! config, at a server time and output size taken from the input.
//!
//! Input: 2 bytes of clock offset (i16 LE, seconds from the vector's time),
//! 1 byte of output capacity (`% 89`, and 88 = the server's room), then the
//! request. Checked against `docs/key-broker-protocol.md` (a violation
//! panics):
//! * nothing panics;
//! * `out_len` is 0, 8 or 88 and matches the status (0 → 88 bytes, 1 and 7
//!   → nothing, any other → the 8-byte error packet);
//! * a request the spec calls malformed gets 2, and only such requests;
//! * 7 only when the output cannot hold the response.

use std::sync::OnceLock;

use key_broker::Broker;

/// The broker built from the vector's config, and the vector's clock.
fn vector() -> &'static (Broker, u64) {
    static BROKER: OnceLock<(Broker, u64)> = OnceLock::new();
    BROKER.get_or_init(|| {
        let vector = skb1::Vector::load();
        let broker = match Broker::from_config(&vector.bytes("config")) {
            Ok(broker) => broker,
            Err(_) => panic!("the vector's config is refused"),
        };
        (broker, vector.u64("clock_now_ms"))
    })
}

/// The spec's status-2 rules, independently of the parser.
fn well_formed(request: &[u8]) -> bool {
    if request.len() < 98 || &request[..4] != b"SKB1" || request[4] != 1 || request[5] != 0 {
        return false;
    }
    let len = usize::from(request[97]);
    (1..=253).contains(&len)
        && request.len() == 98 + len
        && request[98..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'))
}

/// Runs one fuzz input; panics on any violation of the rules above.
pub fn check(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let (broker, vector_now) = vector();
    let offset = i64::from(i16::from_le_bytes([data[0], data[1]])) * 1000;
    let now = vector_now.saturating_add_signed(offset);
    let capacity = usize::from(data[2]) % 89;
    let request = &data[3..];

    let mut out = [0xA5u8; 88];
    let outcome = broker.handle(
        request,
        now,
        |nonce: &mut [u8; 16]| -> Result<(), ()> {
            nonce.fill(0x42);
            Ok(())
        },
        &mut out[..capacity],
    );
    let status = outcome.status.code();
    match status {
        0 => assert_eq!(outcome.len, 88),
        7 => assert_eq!(outcome.len, 0),
        2..=6 | 8 => {
            assert_eq!(outcome.len, 8);
            assert_eq!(out[..8], [b'S', b'K', b'B', b'1', 3, status, 0, 0]);
        }
        other => panic!("status {other} is not one a request can get"),
    }
    // The output cannot hold what the broker would have sent: 7, else never.
    let would_send = if status == 7 { 0 } else { outcome.len };
    assert!(would_send <= capacity);
    if status == 7 {
        assert!(capacity < 88, "7 with room for any response");
    }
    // Status 2 exactly for what the spec calls malformed (7 may hide it
    // only when not even the 8-byte error packet fits).
    if status != 7 || capacity >= 8 {
        assert_eq!(status == 2, !well_formed(request), "status {status}");
    }
}
