//! The plugin glue natively: `KeyBroker` driven through sdn-pdk's test
//! driver (the same code as the wasm exports), with the host's clock and
//! randomness mocked. `broker.rs` tests the logic; this tests the wiring.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use key_broker::KeyBroker;
use sdn_pdk::testing::{self, Capacities, Instance, Response};
use skb1::Vector;

/// A fresh mock host with the clock at the vector's time, and an
/// uninitialised plugin.
fn plugin() -> Instance<KeyBroker> {
    testing::reset();
    testing::set_clock_ms(Vector::load().u64("clock_now_ms"));
    Instance::new()
}

fn vector_plugin() -> Instance<KeyBroker> {
    let mut plugin = plugin();
    assert_eq!(plugin.init(&Vector::load().bytes("config")), 0);
    plugin
}

fn nothing(status: i32) -> Response {
    Response {
        status,
        body: Vec::new(),
    }
}

#[test]
fn vector_response_byte_for_byte() {
    let vector = Vector::load();
    let mut plugin = vector_plugin();
    testing::script_random(&vector.bytes("server_nonce_from_random_bytes"));
    assert_eq!(
        plugin.handle(&vector.bytes("request"), "keys.example"),
        Response {
            status: 0,
            body: vector.bytes("response")
        }
    );
    // The server nonce is the one and only draw of the call.
    assert_eq!(testing::random_call_lengths(), [16]);
    assert_eq!(plugin.metadata().unwrap(), vector.bytes("metadata"));
    assert_eq!(
        plugin.public_key().unwrap(),
        vector.bytes("server_public_key")
    );
}

#[test]
fn status_1_before_init() {
    let vector = Vector::load();
    let mut plugin = plugin();
    assert_eq!(plugin.handle(&vector.bytes("request"), ""), nothing(1));
    assert_eq!(plugin.public_key(), Err(-1));
    assert_eq!(plugin.metadata(), Err(-1));
    // A failed first init leaves it uninitialised.
    assert_eq!(plugin.init(&vector.bytes("config")[..50]), 2);
    assert_eq!(plugin.handle(&vector.bytes("request"), ""), nothing(1));
    assert!(testing::random_call_lengths().is_empty());
}

#[test]
fn status_7_when_the_response_does_not_fit() {
    let vector = Vector::load();
    let mut plugin = vector_plugin();
    plugin.set_capacities(Capacities {
        request: 87,
        ..Capacities::default()
    });
    testing::script_random(&vector.bytes("server_nonce_from_random_bytes"));
    assert_eq!(plugin.handle(&vector.bytes("request"), ""), nothing(7));
    // An error packet that does not fit either.
    plugin.set_capacities(Capacities {
        request: 7,
        ..Capacities::default()
    });
    assert_eq!(plugin.handle(b"SKB1", ""), nothing(7));
    // The nonce was not drawn: the next call that fits gets it.
    plugin.set_capacities(Capacities {
        request: 88,
        ..Capacities::default()
    });
    assert_eq!(
        plugin.handle(&vector.bytes("request"), "").body,
        vector.bytes("response")
    );
}

#[test]
fn status_8_when_host_randomness_fails() {
    let vector = Vector::load();
    let mut plugin = vector_plugin();
    testing::fail_random(true);
    assert_eq!(
        plugin.handle(&vector.bytes("request"), ""),
        Response {
            status: 8,
            body: b"SKB1\x03\x08\x00\x00".to_vec()
        }
    );
}

#[test]
fn error_packets_carry_the_status() {
    let mut plugin = vector_plugin();
    assert_eq!(
        plugin.handle(b"SKB1", ""),
        Response {
            status: 2,
            body: b"SKB1\x03\x02\x00\x00".to_vec()
        }
    );
}

#[test]
fn a_failed_re_init_keeps_the_previous_broker() {
    let vector = Vector::load();
    let mut plugin = vector_plugin();
    let config = vector.bytes("config");
    assert_eq!(plugin.init(&config[..config.len() - 5]), 2);
    assert_eq!(plugin.metadata().unwrap(), vector.bytes("metadata"));
    testing::script_random(&vector.bytes("server_nonce_from_random_bytes"));
    assert_eq!(
        plugin.handle(&vector.bytes("request"), ""),
        Response {
            status: 0,
            body: vector.bytes("response")
        }
    );
}
