//! The echo plugin natively, through sdn-pdk's test driver (the same glue
//! as the wasm exports): every path of the C template's echo.

extern crate std;

use std::borrow::ToOwned;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use sdn_pdk::host::LogLevel;
use sdn_pdk::testing::{self, Capacities, Instance, LogRecord, Response};

use crate::Echo;

const NOW: u64 = 1_790_000_000_123;
/// The largest request that fits the server's 8192-byte output after the clock.
const LARGEST: usize = 8192 - 8;

/// A fresh mock host (this thread's) with a fixed clock, and an instance.
fn echo() -> Instance<Echo> {
    testing::reset();
    testing::set_clock_ms(NOW);
    Instance::new()
}

fn initialised(config: &[u8]) -> Instance<Echo> {
    let mut plugin = echo();
    assert_eq!(plugin.init(config), 0);
    testing::take_logs();
    plugin
}

fn name(plugin: &mut Instance<Echo>) -> Vec<u8> {
    let metadata = plugin.metadata().unwrap();
    let (len, name) = metadata.split_at(4);
    assert_eq!(
        u32::from_le_bytes(len.try_into().unwrap()) as usize,
        name.len()
    );
    name.to_vec()
}

fn echoed(now: u64, body: &[u8]) -> Response {
    let mut expected = now.to_le_bytes().to_vec();
    expected.extend_from_slice(body);
    Response {
        status: 0,
        body: expected,
    }
}

fn refused() -> Response {
    Response {
        status: 7,
        body: Vec::new(),
    }
}

fn ready() -> LogRecord {
    LogRecord {
        level: LogLevel::Info,
        message: "echo plugin ready".to_owned(),
    }
}

fn debug(message: String) -> LogRecord {
    LogRecord {
        level: LogLevel::Debug,
        message,
    }
}

#[test]
fn before_init_every_call_fails() {
    let mut plugin = echo();
    assert_eq!(
        plugin.handle(b"hello", "h.example"),
        Response {
            status: 1,
            body: Vec::new()
        }
    );
    assert_eq!(plugin.public_key(), Err(-1));
    assert_eq!(plugin.metadata(), Err(-1));
    assert!(testing::take_logs().is_empty());
}

#[test]
fn empty_config_keeps_the_default_name_and_logs_ready() {
    let mut plugin = echo();
    assert_eq!(plugin.init(b""), 0);
    assert_eq!(testing::take_logs(), [ready()]);
    assert_eq!(plugin.metadata().unwrap(), b"\x04\x00\x00\x00echo");
}

#[test]
fn a_config_of_1_to_63_bytes_is_the_name() {
    let mut plugin = echo();
    for len in 1..=63u8 {
        let config: Vec<u8> = (0..len).map(|i| b'a' + i % 26).collect();
        assert_eq!(plugin.init(&config), 0);
        assert_eq!(name(&mut plugin), config, "{len}-byte config");
    }
    assert_eq!(testing::take_logs(), vec![ready(); 63]);
}

#[test]
fn a_config_of_64_bytes_or_more_keeps_the_name() {
    let mut plugin = echo();
    assert_eq!(plugin.init(&[b'z'; 64]), 0);
    assert_eq!(name(&mut plugin), b"echo");
    assert_eq!(plugin.init(b"named"), 0);
    assert_eq!(plugin.init(&[b'z'; 64]), 0);
    assert_eq!(plugin.init(&[b'z'; 500]), 0);
    assert_eq!(name(&mut plugin), b"named");
}

#[test]
fn the_name_ends_at_the_first_nul() {
    let mut plugin = echo();
    assert_eq!(plugin.init(b"ab\0cd"), 0);
    assert_eq!(plugin.metadata().unwrap(), b"\x02\x00\x00\x00ab");
    assert_eq!(plugin.init(b"\0abc"), 0);
    assert_eq!(plugin.metadata().unwrap(), b"\0\0\0\0");
}

#[test]
fn re_init_keeps_the_previous_name_unless_renamed() {
    let mut plugin = initialised(b"first");
    assert_eq!(plugin.init(b""), 0);
    assert_eq!(name(&mut plugin), b"first");
    assert_eq!(plugin.init(b"second"), 0);
    assert_eq!(name(&mut plugin), b"second");
    assert_eq!(testing::take_logs(), [ready(), ready()]);
}

#[test]
fn public_key_is_32_bytes_of_host_randomness() {
    let mut plugin = initialised(b"");
    let scripted: Vec<u8> = (100..132).collect();
    testing::script_random(&scripted);
    assert_eq!(plugin.public_key().unwrap(), scripted);
    assert_eq!(testing::random_call_lengths(), [32]);
}

#[test]
fn public_key_fails_when_randomness_fails_or_capacity_is_short() {
    let mut plugin = initialised(b"");
    testing::fail_random(true);
    assert_eq!(plugin.public_key(), Err(-1));
    testing::fail_random(false);
    for cap in [0, 31] {
        plugin.set_capacities(Capacities {
            public_key: cap,
            ..Capacities::default()
        });
        assert_eq!(plugin.public_key(), Err(-1), "capacity {cap}");
    }
    plugin.set_capacities(Capacities {
        public_key: 32,
        ..Capacities::default()
    });
    testing::script_random(&[7; 32]);
    assert_eq!(plugin.public_key().unwrap(), [7; 32]);
}

#[test]
fn requests_are_echoed_after_the_clock() {
    let mut plugin = initialised(b"");
    let large: Vec<u8> = (0..LARGEST).map(|i| (i % 251) as u8).collect();
    for body in [&b""[..], b"hello", &large] {
        assert_eq!(plugin.handle(body, "h.example"), echoed(NOW, body));
    }
    testing::set_clock_ms(42);
    assert_eq!(plugin.handle(b"x", ""), echoed(42, b"x"));
}

#[test]
fn a_request_that_does_not_fit_is_status_7_with_nothing_written() {
    let mut plugin = initialised(b"");
    assert_eq!(plugin.handle(&[1; LARGEST + 1], "h.example"), refused());
    plugin.set_capacities(Capacities {
        request: 12,
        ..Capacities::default()
    });
    assert_eq!(plugin.handle(b"hello", ""), refused());
    assert!(
        testing::take_logs().is_empty(),
        "a refused request is not logged"
    );
    assert_eq!(plugin.handle(b"hell", ""), echoed(NOW, b"hell"));
}

#[test]
fn each_request_is_logged_at_debug_cut_at_127_bytes() {
    let mut plugin = initialised(b"");
    plugin.handle(b"hello", "h.example:8080");
    assert_eq!(
        testing::take_logs(),
        [debug(format!("echo: 5 bytes from h.example:8080 at {NOW}"))]
    );
    let host: String = (0..253u8)
        .map(|i| {
            if i % 10 == 9 {
                '.'
            } else {
                char::from(b'a' + i % 26)
            }
        })
        .collect();
    assert_eq!(plugin.handle(&[0; 300], &host).status, 0);
    let full = format!("echo: 300 bytes from {host} at {NOW}");
    assert_eq!(testing::take_logs(), [debug(full[..127].to_owned())]);
}
